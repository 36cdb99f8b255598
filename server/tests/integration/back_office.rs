//! The front desk and the back office over HTTP: claims, acceptance, one-time correction
//! notices and the applicant's answer, refusal, parallel approval per department, supplements
//! that stop the clock, instant approval, races, separation of duties and the audit trail.

use serde_json::{Value, json};

use crate::common::back_office::{
    accept, approver, call, case_of, claim, decide, desk_worker, events_of, notice_item,
    restaurant_case, return_with, staff, status_of, tasks_of, text_field_and_material,
};
use crate::common::journey::{JPG, draft, file, post_json_as, start, upload, verified_applicant};
use crate::common::{Reply, TestApp, error_kind, spawn_app_with_demo};

#[tokio::test]
async fn a_returned_bundle_is_corrected_once_accepted_and_approved_by_every_department() {
    let app = spawn_app_with_demo().await;
    let applicant = verified_applicant(&app, "wang.shop@example.cn", Some("王开店")).await;
    let draft_id = start(&app, &applicant, "bundle", "YJS-CANYIN").await;
    let loaded = draft(&app, &applicant, &draft_id).await;
    let (field, material) = text_field_and_material(&loaded);
    let number = crate::common::journey::complete_and_submit(
        &app,
        &applicant,
        "wang.shop@example.cn",
        &draft_id,
    )
    .await;
    let worker = desk_worker(&app, "desk1@qixia.test.cn").await;

    // The queue shows it, unclaimed, oldest first.
    let queue = post_json_as(&app, &worker.client, "desk/queue", &json!({ "query": {} })).await;
    assert_eq!(queue.status, 200, "{}", queue.body);
    let entries = queue.json()["entries"].clone();
    assert_eq!(entries[0]["number"], json!(number));
    assert_eq!(entries[0]["claimed_by"], Value::Null);

    // Deciding needs a claim.
    let unclaimed = accept(&app, &worker, &number).await;
    assert_eq!(unclaimed.status, 409, "{}", unclaimed.body);
    assert_eq!(error_kind(&unclaimed.json()), "ClaimNeeded");
    assert_eq!(claim(&app, &worker, &number).await.status, 200);

    // A notice without entries changes nothing.
    let empty = return_with(&app, &worker, &number, json!([])).await;
    assert_eq!(empty.status, 422, "{}", empty.body);
    assert_eq!(status_of(&app, &number).await, "submitted");

    // One notice, two entries: a field and a material.
    let returned = return_with(
        &app,
        &worker,
        &number,
        json!([
            notice_item("field", &field),
            notice_item("material", &material)
        ]),
    )
    .await;
    assert_eq!(returned.status, 200, "{}", returned.body);
    assert_eq!(status_of(&app, &number).await, "returned");

    // The applicant sees exactly those two, and may change only them.
    let case = case_of(&app, &applicant, &number).await;
    let open = &case["progress"]["open_notice"];
    assert_eq!(open["fields"][0]["name"], json!(field));
    assert_eq!(open["materials"][0]["name"], json!(material));
    let other_field = loaded["layout"]["sections"][0]["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .filter_map(|f| f["name"].as_str())
        .find(|name| *name != field)
        .expect("another field")
        .to_owned();
    let outside = post_json_as(
        &app,
        &applicant,
        "applications/answer-notice",
        &json!({ "number": number, "values": { other_field.clone(): "改了不该改的" } }),
    )
    .await;
    assert_eq!(outside.status, 422, "{}", outside.body);
    assert_eq!(error_kind(&outside.json()), "OutsideNotice");
    // A file for a material the notice does not list is refused too.
    let other_material = loaded["layout"]["sections"]
        .as_array()
        .expect("sections")
        .iter()
        .flat_map(|s| s["materials"].as_array().cloned().unwrap_or_default())
        .filter_map(|m| m["name"].as_str().map(str::to_owned))
        .find(|name| *name != material);
    if let Some(other_material) = other_material {
        let refused = upload(&app, &applicant, &draft_id, &other_material, "x.jpg", JPG).await;
        assert_eq!(refused.status, 404, "{}", refused.body);
    }
    let replaced = upload(&app, &applicant, &draft_id, &material, "new.jpg", JPG).await;
    assert_eq!(replaced.status, 200, "{}", replaced.body);
    let answered = post_json_as(
        &app,
        &applicant,
        "applications/answer-notice",
        &json!({ "number": number, "values": { field.clone(): "老王面馆仙林店" } }),
    )
    .await;
    assert_eq!(answered.status, 200, "{}", answered.body);
    assert_eq!(status_of(&app, &number).await, "resubmitted");

    // A second notice may cite only what changed since the first.
    assert_eq!(claim(&app, &worker, &number).await.status, 200);
    let unchanged = return_with(
        &app,
        &worker,
        &number,
        json!([notice_item("field", &other_field)]),
    )
    .await;
    assert_eq!(unchanged.status, 422, "{}", unchanged.body);
    assert_eq!(error_kind(&unchanged.json()), "NoticeInvalid");
    assert_eq!(status_of(&app, &number).await, "resubmitted");

    // Accepted: acceptance number, deadline, one task per department, all open at once.
    let accepted = accept(&app, &worker, &number).await;
    assert_eq!(accepted.status, 200, "{}", accepted.body);
    assert!(
        accepted
            .json()
            .as_str()
            .expect("acceptance number")
            .starts_with("QXSL-")
    );
    assert_eq!(status_of(&app, &number).await, "in_approval");
    let tasks = tasks_of(&app, &number).await;
    let departments: Vec<&str> = tasks.iter().map(|(_, d, _)| d.as_str()).collect();
    assert_eq!(departments, ["D01-SCJG", "D07-CGJ"]);
    assert!(tasks.iter().all(|(_, _, status)| status == "open"));

    // The two departments decide in parallel; the case is approved after the second.
    let scjg = approver(&app, "scjg@qixia.test.cn", "D01-SCJG").await;
    let cgj = approver(&app, "cgj@qixia.test.cn", "D07-CGJ").await;
    let first = decide(
        &app,
        &scjg,
        &tasks[0].0,
        "approve",
        "材料齐全，符合条件，同意。",
    )
    .await;
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(status_of(&app, &number).await, "in_approval");
    let second = decide(
        &app,
        &cgj,
        &tasks[1].0,
        "approve",
        "店招设置符合规范，同意。",
    )
    .await;
    assert_eq!(second.status, 200, "{}", second.body);
    assert_eq!(status_of(&app, &number).await, "issued");

    // The applicant's page: every step, the deadline, the documents, the audit trail.
    let case = case_of(&app, &applicant, &number).await;
    let progress = &case["progress"];
    assert!(progress["deadline_on"].as_str().is_some());
    assert_eq!(progress["notices"].as_array().map(Vec::len), Some(1));
    let kinds: Vec<String> = events_of(&app, &number).await;
    assert_eq!(
        kinds,
        [
            "submitted",
            "returned",
            "resubmitted",
            "accepted",
            "task_approved",
            "task_approved",
            "approved",
            "issued"
        ]
    );
    let documents: Vec<&str> = progress["documents"]
        .as_array()
        .expect("documents")
        .iter()
        .filter_map(|d| d["kind"].as_str())
        .collect();
    assert_eq!(documents, ["correction_notice", "acceptance_notice"]);
    let audit = progress["audit"].as_array().expect("audit");
    assert!(audit.iter().any(|line| line["action"] == "case.accepted"
        && line["from"] == "resubmitted"
        && line["to"] == "in_approval"));
    assert!(
        !progress.to_string().contains("desk1@qixia.test.cn"),
        "staff accounts stay out of the applicant's view"
    );

    // The acceptance notice is a PDF for the applicant, and nobody else's business.
    let document = progress["documents"][1]["id"]
        .as_str()
        .expect("document id");
    let pdf = app
        .get(&applicant, &format!("/files/case-document/{document}"))
        .await;
    assert_eq!(pdf.status, 200);
    assert_eq!(
        pdf.header("content-type").as_deref(),
        Some("application/pdf")
    );
    let stranger = verified_applicant(&app, "li.other@example.cn", None).await;
    let hidden = app
        .get(&stranger, &format!("/files/case-document/{document}"))
        .await;
    assert_eq!(hidden.status, 404);

    // Every step is in the chain, and the chain holds.
    let mut conn = app.state.db.pool().acquire().await.expect("connection");
    app::backend::audit::verify_chain(&mut conn)
        .await
        .expect("an intact chain");
}

#[tokio::test]
async fn a_rejection_by_one_department_closes_the_others_and_the_applicant_sees_why() {
    let app = spawn_app_with_demo().await;
    let (applicant, number) = restaurant_case(&app, "zhou@example.cn", "王开店").await;
    let worker = desk_worker(&app, "desk1@qixia.test.cn").await;
    claim(&app, &worker, &number).await;
    assert_eq!(accept(&app, &worker, &number).await.status, 200);
    let tasks = tasks_of(&app, &number).await;
    let cgj = approver(&app, "cgj@qixia.test.cn", "D07-CGJ").await;
    let rejected = decide(&app, &cgj, &tasks[1].0, "reject", "店招位于禁设区域。").await;
    assert_eq!(rejected.status, 200, "{}", rejected.body);
    assert_eq!(status_of(&app, &number).await, "rejected");
    let statuses: Vec<String> = tasks_of(&app, &number)
        .await
        .into_iter()
        .map(|t| t.2)
        .collect();
    assert_eq!(statuses, ["moot", "rejected"]);
    assert_eq!(
        app.count("pending_task_items").await,
        0,
        "decided and closed tasks leave the item-filtered queues"
    );
    let case = case_of(&app, &applicant, &number).await;
    let reasons: Vec<&str> = case["progress"]["tasks"]
        .as_array()
        .expect("tasks")
        .iter()
        .filter_map(|t| t["opinion"].as_str())
        .collect();
    assert_eq!(reasons, ["店招位于禁设区域。"]);
    // The moot task cannot be decided any more.
    let scjg = approver(&app, "scjg@qixia.test.cn", "D01-SCJG").await;
    let late = decide(&app, &scjg, &tasks[0].0, "approve", "同意").await;
    assert_eq!(late.status, 409, "{}", late.body);
    assert_eq!(error_kind(&late.json()), "AlreadyDecided");
}

#[tokio::test]
async fn an_instant_approval_item_is_accepted_and_approved_by_the_system_citing_its_rules() {
    let app = spawn_app_with_demo().await;
    let applicant = verified_applicant(&app, "geti@example.cn", Some("李美味")).await;
    let number = file(&app, &applicant, "geti@example.cn", "item", "SCJG-XK-001").await;
    assert_eq!(status_of(&app, &number).await, "issued");
    assert_eq!(
        events_of(&app, &number).await,
        ["submitted", "accepted", "instant_approved", "issued"]
    );
    let (actor, detail): (String, String) = sqlx::query_as(
        "SELECT actor_label, detail FROM audit_log WHERE action = 'case.instant_approved' AND subject = $1",
    )
    .bind(format!("case:{number}"))
    .fetch_one(app.state.db.pool())
    .await
    .expect("the instant approval entry");
    assert_eq!(actor, "system");
    assert!(
        detail.contains(app::domain::back_office::INSTANT_RULES_VERSION),
        "{detail}"
    );
    let case = case_of(&app, &applicant, &number).await;
    assert!(case["progress"]["acceptance_number"].as_str().is_some());
}

#[tokio::test]
async fn a_credit_warning_sends_an_eligible_item_to_the_front_desk_with_the_reason() {
    let app = spawn_app_with_demo().await;
    let applicant = verified_applicant(&app, "qian@example.cn", Some("钱若诺")).await;
    let number = file(&app, &applicant, "qian@example.cn", "item", "SCJG-XK-001").await;
    assert_eq!(status_of(&app, &number).await, "submitted");
    assert_eq!(
        events_of(&app, &number).await,
        ["submitted", "instant_fallback"]
    );
    let worker = desk_worker(&app, "desk1@qixia.test.cn").await;
    let flagged = post_json_as(
        &app,
        &worker.client,
        "desk/queue",
        &json!({ "query": { "credit_warning": true } }),
    )
    .await;
    assert_eq!(flagged.json()["entries"][0]["number"], json!(number));
}

#[tokio::test]
async fn a_claim_locks_the_case_to_one_worker_until_it_runs_out() {
    let app = spawn_app_with_demo().await;
    let (_, number) = restaurant_case(&app, "zhou@example.cn", "王开店").await;
    let first = desk_worker(&app, "desk1@qixia.test.cn").await;
    let second = staff(
        &app,
        "desk2@qixia.test.cn",
        "front_desk",
        None,
        Some("C01-YH"),
    )
    .await;
    assert_eq!(claim(&app, &first, &number).await.status, 200);
    let taken = claim(&app, &second, &number).await;
    assert_eq!(taken.status, 409, "{}", taken.body);
    assert_eq!(error_kind(&taken.json()), "ClaimedByOther");
    let blocked = accept(&app, &second, &number).await;
    assert_eq!(blocked.status, 409);
    assert_eq!(status_of(&app, &number).await, "submitted");
    // The first worker's claim runs out: the second may take it, the first may no longer decide.
    sqlx::query("UPDATE cases SET claim_expires_at = 1 WHERE number = $1")
        .bind(&number)
        .execute(app.state.db.pool())
        .await
        .expect("expiring the claim");
    let expired = accept(&app, &first, &number).await;
    assert_eq!(expired.status, 409, "{}", expired.body);
    assert_eq!(error_kind(&expired.json()), "ClaimNeeded");
    assert_eq!(claim(&app, &second, &number).await.status, 200);
    assert_eq!(accept(&app, &second, &number).await.status, 200);
}

#[tokio::test]
async fn a_refusal_needs_a_listed_reason_and_an_explanation_and_issues_its_notice() {
    let app = spawn_app_with_demo().await;
    let (applicant, number) = restaurant_case(&app, "zhou@example.cn", "王开店").await;
    let worker = desk_worker(&app, "desk1@qixia.test.cn").await;
    claim(&app, &worker, &number).await;
    let before = app.count("audit_log").await;
    for (reason, note) in [
        ("", "说明"),
        ("because", "说明"),
        ("not_our_competence", "  "),
    ] {
        let refused = call(
            &app,
            &worker.client,
            "desk/refuse",
            &[("number", &number), ("reason", reason), ("note", note)],
        )
        .await;
        assert_eq!(refused.status, 422, "{reason}/{note}: {}", refused.body);
    }
    assert_eq!(
        app.count("audit_log").await,
        before,
        "refusals that failed left no trace"
    );
    assert_eq!(status_of(&app, &number).await, "submitted");
    let refused = call(
        &app,
        &worker.client,
        "desk/refuse",
        &[
            ("number", &number),
            ("reason", "not_our_competence"),
            ("note", "该事项由市级部门办理。"),
        ],
    )
    .await;
    assert_eq!(refused.status, 200, "{}", refused.body);
    let case = case_of(&app, &applicant, &number).await;
    assert_eq!(case["status"], "refused");
    assert_eq!(case["progress"]["refusal"]["reason"], "not_our_competence");
    assert_eq!(case["progress"]["documents"][0]["kind"], "refusal_notice");
    // A decided case cannot be decided again.
    let again = claim(&app, &worker, &number).await;
    assert_eq!(again.status, 409, "{}", again.body);
    assert_eq!(error_kind(&again.json()), "AlreadyDecided");
}

#[tokio::test]
async fn of_a_hundred_simultaneous_decisions_on_one_task_exactly_one_succeeds() {
    let app = spawn_app_with_demo().await;
    let (_, number) = restaurant_case(&app, "zhou@example.cn", "王开店").await;
    let worker = desk_worker(&app, "desk1@qixia.test.cn").await;
    claim(&app, &worker, &number).await;
    accept(&app, &worker, &number).await;
    let task = tasks_of(&app, &number).await[0].0.clone();
    let scjg = approver(&app, "scjg@qixia.test.cn", "D01-SCJG").await;
    let attempts = (0..100).map(|i| {
        let verdict = if i % 2 == 0 { "approve" } else { "reject" };
        decide(&app, &scjg, &task, verdict, "同意")
    });
    let replies = futures_util::future::join_all(attempts).await;
    let ok = replies.iter().filter(|r| r.status == 200).count();
    assert_eq!(ok, 1, "exactly one decision");
    for reply in replies.iter().filter(|r| r.status != 200) {
        assert_eq!(reply.status, 409, "{}", reply.body);
        assert_eq!(error_kind(&reply.json()), "AlreadyDecided");
    }
    let decided: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action IN ('case.task_approved', 'case.task_rejected')",
    )
    .fetch_one(app.state.db.pool())
    .await
    .expect("count");
    assert_eq!(decided, 1, "one decision, one audit entry");
}

#[tokio::test]
async fn an_approver_neither_sees_nor_decides_another_departments_tasks() {
    let app = spawn_app_with_demo().await;
    let (_, number) = restaurant_case(&app, "zhou@example.cn", "王开店").await;
    let worker = desk_worker(&app, "desk1@qixia.test.cn").await;
    claim(&app, &worker, &number).await;
    accept(&app, &worker, &number).await;
    let tasks = tasks_of(&app, &number).await;
    let health = approver(&app, "wjw@qixia.test.cn", "D02-WJW").await;
    let queue = post_json_as(
        &app,
        &health.client,
        "approvals/queue",
        &json!({ "query": {} }),
    )
    .await;
    assert_eq!(queue.status, 200, "{}", queue.body);
    assert_eq!(queue.json()["entries"], json!([]));
    for (task, _, _) in &tasks {
        let seen = call(&app, &health.client, "approvals/task", &[("task_id", task)]).await;
        assert_eq!(seen.status, 403, "{}", seen.body);
        let decided = decide(&app, &health, task, "approve", "同意").await;
        assert_eq!(decided.status, 403, "{}", decided.body);
    }
    assert!(
        tasks_of(&app, &number)
            .await
            .iter()
            .all(|(_, _, s)| s == "open")
    );
    let scjg = approver(&app, "scjg@qixia.test.cn", "D01-SCJG").await;
    let own = post_json_as(
        &app,
        &scjg.client,
        "approvals/queue",
        &json!({ "query": {} }),
    )
    .await;
    let entries = own.json()["entries"].clone();
    assert_eq!(entries.as_array().map(Vec::len), Some(1));
    assert_eq!(entries[0]["task_id"], json!(tasks[0].0));
    // Front-desk and applicant accounts have no approver queue at all.
    let refused = post_json_as(
        &app,
        &worker.client,
        "approvals/queue",
        &json!({ "query": {} }),
    )
    .await;
    assert_eq!(refused.status, 403);
}

#[tokio::test]
async fn whoever_accepted_a_case_may_not_approve_it_and_the_attempt_is_recorded() {
    let app = spawn_app_with_demo().await;
    let (_, number) = restaurant_case(&app, "zhou@example.cn", "王开店").await;
    let worker = desk_worker(&app, "desk1@qixia.test.cn").await;
    claim(&app, &worker, &number).await;
    accept(&app, &worker, &number).await;
    let scjg = approver(&app, "scjg@qixia.test.cn", "D01-SCJG").await;
    // The approver account is the one that accepted (a worker moved to a department).
    sqlx::query("UPDATE cases SET accepted_by = $1 WHERE number = $2")
        .bind(scjg.id)
        .bind(&number)
        .execute(app.state.db.pool())
        .await
        .expect("setting the acceptor");
    let task = tasks_of(&app, &number).await[0].0.clone();
    let refused = decide(&app, &scjg, &task, "approve", "同意").await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert_eq!(error_kind(&refused.json()), "SeparationOfDuties");
    assert_eq!(tasks_of(&app, &number).await[0].2, "open");
    assert_eq!(
        app.count("audit_log WHERE action = 'case.separation_of_duties_refused'")
            .await,
        1
    );
}

#[tokio::test]
async fn a_supplement_stops_the_clock_and_the_answer_moves_the_deadline_by_the_days_waited() {
    use app::domain::calendar::Day;
    let app = spawn_app_with_demo().await;
    let (applicant, number) = restaurant_case(&app, "zhou@example.cn", "王开店").await;
    let worker = desk_worker(&app, "desk1@qixia.test.cn").await;
    claim(&app, &worker, &number).await;
    accept(&app, &worker, &number).await;
    let task = tasks_of(&app, &number).await[0].0.clone();
    let scjg = approver(&app, "scjg@qixia.test.cn", "D01-SCJG").await;
    let asked = decide(
        &app,
        &scjg,
        &task,
        "supplement",
        "请补充租赁合同原件扫描件。",
    )
    .await;
    assert_eq!(asked.status, 200, "{}", asked.body);
    let case = case_of(&app, &applicant, &number).await;
    assert_eq!(case["progress"]["due_flag"], "paused");
    assert_eq!(case["progress"]["supplement_requested"], true);
    // While waiting, the task cannot be decided.
    let waiting = decide(&app, &scjg, &task, "approve", "同意").await;
    assert_eq!(waiting.status, 409, "{}", waiting.body);

    // Pretend the request went out on Monday 2026-11-16 and the answer comes today.
    let monday = Day::parse("2026-11-16").expect("date");
    let paused_at = monday.china_start_ms() + 10 * 3_600_000;
    sqlx::query("UPDATE approval_tasks SET paused_at = $1 WHERE public_id = $2")
        .bind(paused_at)
        .bind(&task)
        .execute(app.state.db.pool())
        .await
        .expect("backdating the pause");
    sqlx::query("UPDATE cases SET clock_paused_at = $1 WHERE number = $2")
        .bind(paused_at)
        .bind(&number)
        .execute(app.state.db.pool())
        .await
        .expect("backdating the pause");
    let (deadline_before, due_before): (String, String) = sqlx::query_as(
        "SELECT c.deadline_on, t.due_on FROM cases c JOIN approval_tasks t ON t.case_id = c.id \
         WHERE t.public_id = $1",
    )
    .bind(&task)
    .fetch_one(app.state.db.pool())
    .await
    .expect("deadlines");
    let answered = call(
        &app,
        &applicant,
        "applications/answer-supplement",
        &[("number", &number), ("answer", "已上传租赁合同。")],
    )
    .await;
    assert_eq!(answered.status, 200, "{}", answered.body);
    let (deadline_after, due_after): (String, String) = sqlx::query_as(
        "SELECT c.deadline_on, t.due_on FROM cases c JOIN approval_tasks t ON t.case_id = c.id \
         WHERE t.public_id = $1",
    )
    .bind(&task)
    .fetch_one(app.state.db.pool())
    .await
    .expect("deadlines");
    let mut conn = app.state.db.pool().acquire().await.expect("connection");
    let calendar = app::backend::services::back_office::load_calendar(&mut conn)
        .await
        .expect("calendar");
    let today = Day::of_china_ms(app::backend::now_ms());
    let waited = calendar.working_days_between(monday, today);
    assert!(waited >= 1);
    let expect = |before: &str| {
        calendar
            .add_working_days(Day::parse(before).expect("date"), waited)
            .to_string()
    };
    assert_eq!(deadline_after, expect(&deadline_before));
    assert_eq!(due_after, expect(&due_before));
    assert_eq!(tasks_of(&app, &number).await[0].2, "open");
    assert_eq!(
        decide(&app, &scjg, &task, "approve", "同意").await.status,
        200
    );
}

#[tokio::test]
async fn moves_outside_the_life_cycle_are_refused_and_change_nothing() {
    let app = spawn_app_with_demo().await;
    let (applicant, number) = restaurant_case(&app, "zhou@example.cn", "王开店").await;
    let worker = desk_worker(&app, "desk1@qixia.test.cn").await;
    // Answering a notice that was never sent, answering a supplement nobody asked for.
    let answer = post_json_as(
        &app,
        &applicant,
        "applications/answer-notice",
        &json!({ "number": number, "values": {} }),
    )
    .await;
    assert_eq!(answer.status, 409, "{}", answer.body);
    let supplement = call(
        &app,
        &applicant,
        "applications/answer-supplement",
        &[("number", &number), ("answer", "x")],
    )
    .await;
    assert_eq!(supplement.status, 409, "{}", supplement.body);
    // A forged case number is simply not there.
    for forged in ["QX-2026-999999", "../../etc/passwd", "' OR 1=1 --"] {
        let missing = claim(&app, &worker, forged).await;
        assert_eq!(missing.status, 404, "{forged}: {}", missing.body);
    }
    claim(&app, &worker, &number).await;
    accept(&app, &worker, &number).await;
    // In approval: the front desk can neither accept, return nor refuse again.
    let snapshot = app.snapshot().await;
    let again = accept(&app, &worker, &number).await;
    assert_eq!(again.status, 409);
    let returned = return_with(&app, &worker, &number, json!([notice_item("field", "x")])).await;
    assert_eq!(returned.status, 409);
    let withdraw = call(
        &app,
        &applicant,
        "applications/withdraw",
        &[("number", &number)],
    )
    .await;
    assert_eq!(withdraw.status, 409);
    assert_eq!(app.snapshot().await, snapshot);
    assert_eq!(status_of(&app, &number).await, "in_approval");
}

#[tokio::test]
async fn the_audit_log_refuses_changes_and_the_verifier_finds_any_tampering() {
    let app = spawn_app_with_demo().await;
    let (_, number) = restaurant_case(&app, "zhou@example.cn", "王开店").await;
    let worker = desk_worker(&app, "desk1@qixia.test.cn").await;
    claim(&app, &worker, &number).await;
    accept(&app, &worker, &number).await;
    let pool = app.state.db.pool();
    // The database itself refuses updates and deletes.
    assert!(
        sqlx::query("UPDATE audit_log SET detail = '{}'")
            .execute(pool)
            .await
            .is_err()
    );
    assert!(
        sqlx::query("DELETE FROM audit_log")
            .execute(pool)
            .await
            .is_err()
    );
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM audit_log ORDER BY id")
        .fetch_all(pool)
        .await
        .expect("ids");
    assert!(ids.len() > 5);

    // Someone with the database owner's rights switches the guard off and tampers.
    async fn verify(app: &TestApp) -> Result<u64, app::backend::audit::ChainError> {
        let mut conn = app.state.db.pool().acquire().await.expect("connection");
        app::backend::audit::verify_chain(&mut conn).await
    }
    app.disable_audit_guard().await;
    let middle = ids[ids.len() / 2];
    // Reordering: two entries swap their content.
    let (a, b) = (ids[1], ids[2]);
    swap_entries(&app, a, b).await;
    assert!(
        matches!(verify(&app).await, Err(app::backend::audit::ChainError::LinkBroken { id }) if id == a)
            || matches!(verify(&app).await, Err(app::backend::audit::ChainError::ContentChanged { id }) if id == a)
    );
    swap_entries(&app, a, b).await;
    assert!(verify(&app).await.is_ok(), "swapped back, intact again");
    // Changing what an entry says.
    sqlx::query(
        "UPDATE audit_log SET detail = REPLACE(detail, '}', ',\"reason\":\"x\"}') WHERE id = $1",
    )
    .bind(middle)
    .execute(pool)
    .await
    .expect("tampering");
    let report = app::backend::services::back_office::verify_audit(&app.state)
        .await
        .expect("report");
    assert_eq!(
        report.first_broken,
        Some((middle, "content_changed".into()))
    );
    // Deleting one.
    let fresh = spawn_app_with_demo().await;
    let (_, _) = restaurant_case(&fresh, "zhou@example.cn", "王开店").await;
    fresh.disable_audit_guard().await;
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM audit_log ORDER BY id")
        .fetch_all(fresh.state.db.pool())
        .await
        .expect("ids");
    sqlx::query("DELETE FROM audit_log WHERE id = $1")
        .bind(ids[3])
        .execute(fresh.state.db.pool())
        .await
        .expect("deleting");
    match verify(&fresh).await {
        Err(app::backend::audit::ChainError::LinkBroken { id }) => assert_eq!(id, ids[4]),
        other => panic!("a deleted entry went unnoticed: {other:?}"),
    }
    // The admin page's check says the same.
    fresh.signed_in_admin().await;
    let checked = fresh.post_fn("admin/audit/verify", &[]).await;
    assert_eq!(checked.status, 200, "{}", checked.body);
    assert_eq!(checked.json()["first_broken"][0], json!(ids[4]));
}

async fn swap_entries(app: &TestApp, a: i64, b: i64) {
    let pool = app.state.db.pool();
    let row = |id: i64| {
        sqlx::query_as::<_, (i64, String, String, String, String, String)>(
            "SELECT at, actor_label, action, subject, detail, hash FROM audit_log WHERE id = $1",
        )
        .bind(id)
        .fetch_one(pool)
    };
    let (first, second) = (row(a).await.expect("a"), row(b).await.expect("b"));
    // Hashes are unique: park both before swapping.
    for id in [a, b] {
        sqlx::query("UPDATE audit_log SET hash = hash || '-' WHERE id = $1")
            .bind(id)
            .execute(pool)
            .await
            .expect("parking");
    }
    for (id, values) in [(a, &second), (b, &first)] {
        sqlx::query(
            "UPDATE audit_log SET at = $2, actor_label = $3, action = $4, subject = $5, detail = $6, \
             hash = $7 WHERE id = $1",
        )
        .bind(id)
        .bind(values.0)
        .bind(&values.1)
        .bind(&values.2)
        .bind(&values.3)
        .bind(&values.4)
        .bind(&values.5)
        .execute(pool)
        .await
        .expect("swapping");
    }
}

#[tokio::test]
async fn the_admin_keeps_the_working_day_calendar() {
    let app = spawn_app_with_demo().await;
    app.signed_in_admin().await;
    let listed = app.post_fn("admin/calendar", &[]).await;
    assert_eq!(listed.status, 200, "{}", listed.body);
    let days = listed.json();
    assert!(
        days.as_array()
            .expect("days")
            .iter()
            .any(|d| d["day"] == "2026-10-01" && d["kind"] == "holiday")
    );
    let bad = app
        .post_fn(
            "admin/calendar/set",
            &[("day", "2027-02-30"), ("kind", "holiday"), ("name", "")],
        )
        .await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    let problems = crate::common::field_problems(&bad.json());
    assert!(problems.contains(&("CalendarDay".into(), "NotADate".into())));
    assert!(problems.contains(&("DayName".into(), "Required".into())));
    let set = app
        .post_fn(
            "admin/calendar/set",
            &[("day", "2027-02-06"), ("kind", "holiday"), ("name", "春节")],
        )
        .await;
    assert_eq!(set.status, 200, "{}", set.body);
    let mut conn = app.state.db.pool().acquire().await.expect("connection");
    let calendar = app::backend::services::back_office::load_calendar(&mut conn)
        .await
        .expect("calendar");
    assert!(
        !calendar.is_working_day(app::domain::calendar::Day::parse("2027-02-06").expect("day"))
    );
    let removed = app
        .post_fn("admin/calendar/remove", &[("day", "2027-02-06")])
        .await;
    assert_eq!(removed.status, 200, "{}", removed.body);
    // Applicants cannot touch it.
    let applicant = verified_applicant(&app, "x@example.cn", None).await;
    let refused = call(
        &app,
        &applicant,
        "admin/calendar/set",
        &[("day", "2027-02-07"), ("kind", "holiday"), ("name", "x")],
    )
    .await;
    assert_eq!(refused.status, 403);
}

#[tokio::test]
async fn a_calendar_change_made_on_another_node_reaches_the_calendar_a_submission_is_checked_with()
{
    use app::backend::db::back_office::calendar_revision;
    use app::backend::services::back_office::CalendarCache;
    let app = spawn_app_with_demo().await;
    let other = app.spawn_node(|_| {}).await;
    app.signed_in_admin().await;
    other
        .login_staff(
            &other.client,
            "admin@qixia.test.cn",
            crate::common::PASSWORD,
        )
        .await;
    let day = app::domain::calendar::Day::parse("2027-02-08").expect("day");
    let calendars = CalendarCache::default();
    let mut conn = app.state.db.read().await.expect("connection");
    let revision = calendar_revision(&mut conn).await.expect("revision");
    assert!(revision.is_some(), "the migration made the counter row");
    let before = calendars
        .at_revision(&mut conn, revision)
        .await
        .expect("calendar");
    assert!(before.is_working_day(day));
    let kept = calendars
        .at_revision(&mut conn, revision)
        .await
        .expect("calendar");
    assert!(
        std::sync::Arc::ptr_eq(&before, &kept),
        "the same revision is served from memory"
    );

    // Set, renamed (an update of the row) and removed on the other node: each moves the
    // revision, and the next check here reads the calendar again.
    let mut seen = revision;
    for (path, form, holiday) in [
        (
            "admin/calendar/set",
            vec![("day", "2027-02-08"), ("kind", "holiday"), ("name", "春节")],
            true,
        ),
        (
            "admin/calendar/set",
            vec![
                ("day", "2027-02-08"),
                ("kind", "holiday"),
                ("name", "春节假期"),
            ],
            true,
        ),
        ("admin/calendar/remove", vec![("day", "2027-02-08")], false),
    ] {
        let changed = other.post_fn(path, &form).await;
        assert_eq!(changed.status, 200, "{path}: {}", changed.body);
        let revision = calendar_revision(&mut conn).await.expect("revision");
        assert!(revision > seen, "{path} {form:?} moved the revision");
        seen = revision;
        let calendar = calendars
            .at_revision(&mut conn, revision)
            .await
            .expect("calendar");
        assert_eq!(calendar.is_working_day(day), !holiday, "{path} {form:?}");
    }
}

#[tokio::test]
async fn a_worker_files_for_a_walk_in_applicant_who_confirms_and_signs_on_their_own_phone() {
    use crate::common::journey::{Device, filled, save, sign_letter, submit, upload_required};
    let app = spawn_app_with_demo().await;
    let applicant = verified_applicant(&app, "walkin@example.cn", Some("冯小吃")).await;
    let worker = desk_worker(&app, "desk1@qixia.test.cn").await;
    let resident_id = app::backend::demo::REGISTRY_PEOPLE
        .iter()
        .find(|(name, _, _)| *name == "冯小吃")
        .and_then(|(_, birth, sequence)| app::backend::demo::demo_resident_id(birth, sequence))
        .expect("a demo ID");

    // Unknown and unverified people are not found.
    let unknown = call(
        &app,
        &worker.client,
        "desk/filing/find",
        &[("lookup", "13900000000")],
    )
    .await;
    assert_eq!(unknown.status, 422, "{}", unknown.body);
    let found = call(
        &app,
        &worker.client,
        "desk/filing/find",
        &[("lookup", resident_id.as_str())],
    )
    .await;
    assert_eq!(found.status, 200, "{}", found.body);
    assert_eq!(found.json()["masked_name"], "冯**");

    let started = call(
        &app,
        &worker.client,
        "desk/filing/start",
        &[
            ("reference", resident_id.as_str()),
            ("target", "bundle"),
            ("code", "YJS-CANYIN"),
        ],
    )
    .await;
    assert_eq!(started.status, 200, "{}", started.body);
    let draft_id = started.json().as_str().expect("draft id").to_owned();

    // The worker fills it in and uploads the materials.
    let loaded = draft(&app, &worker.client, &draft_id).await;
    upload_required(&app, &worker.client, &loaded).await;
    let saved = save(&app, &worker.client, &draft_id, 1, &filled(&loaded)).await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    // … but cannot submit it, and another worker cannot even see it.
    assert_eq!(submit(&app, &worker.client, &draft_id).await.status, 403);
    let other = staff(
        &app,
        "desk2@qixia.test.cn",
        "front_desk",
        None,
        Some("C01-YH"),
    )
    .await;
    let hidden = call(
        &app,
        &other.client,
        "applications/draft",
        &[("draft_id", &draft_id)],
    )
    .await;
    assert_eq!(hidden.status, 404, "{}", hidden.body);

    // The applicant checks it on their own phone, signs and submits.
    let theirs = draft(&app, &applicant, &draft_id).await;
    assert_eq!(theirs["filed_by_worker"], true);
    sign_letter(
        &app,
        &applicant,
        "walkin@example.cn",
        &mut Device::new(),
        &draft_id,
    )
    .await;
    let submitted = submit(&app, &applicant, &draft_id).await;
    assert_eq!(submitted.status, 200, "{}", submitted.body);
    let number = submitted.json().as_str().expect("number").to_owned();
    let (filed_by, centre): (Option<i64>, Option<String>) =
        sqlx::query_as("SELECT filed_by, centre_code FROM cases WHERE number = $1")
            .bind(&number)
            .fetch_one(app.state.db.pool())
            .await
            .expect("case");
    assert_eq!(filed_by, Some(worker.id));
    assert_eq!(centre.as_deref(), Some("C00-QU"));
    let queue = post_json_as(&app, &worker.client, "desk/queue", &json!({ "query": {} })).await;
    assert_eq!(queue.json()["entries"][0]["filed_by_worker"], true);
    let filings = call(&app, &worker.client, "desk/filings", &[]).await;
    assert_eq!(filings.json()[0]["case_number"], json!(number));
}

#[tokio::test]
async fn queues_filter_by_item_department_and_flags_and_page_by_cursor() {
    let app = spawn_app_with_demo().await;
    let (_, first) = restaurant_case(&app, "a@example.cn", "王开店").await;
    let (_, second) = restaurant_case(&app, "b@example.cn", "李美味").await;
    let warned = verified_applicant(&app, "c@example.cn", Some("钱若诺")).await;
    let third = file(&app, &warned, "c@example.cn", "item", "SCJG-XK-001").await;
    let worker = desk_worker(&app, "desk1@qixia.test.cn").await;
    let numbers = |reply: &Reply| -> Vec<String> {
        reply.json()["entries"]
            .as_array()
            .expect("entries")
            .iter()
            .filter_map(|entry| entry["number"].as_str().map(str::to_owned))
            .collect()
    };
    let desk = |query: Value| queue(&app, &worker.client, "desk/queue", query);
    assert_eq!(
        numbers(&desk(json!({})).await),
        [first.clone(), second.clone(), third.clone()]
    );
    assert_eq!(
        numbers(&desk(json!({ "item": "CGJ-XK-001" })).await),
        [first.clone(), second.clone()]
    );
    assert_eq!(
        numbers(&desk(json!({ "item": "SCJG-XK-001" })).await).len(),
        3
    );
    assert_eq!(
        numbers(&desk(json!({ "department": "D07-CGJ" })).await),
        [first.clone(), second.clone()]
    );
    assert_eq!(
        numbers(&desk(json!({ "credit_warning": true })).await),
        std::slice::from_ref(&third)
    );
    assert!(numbers(&desk(json!({ "waited_days": 3 })).await).is_empty());
    // The keyset cursor continues after the given case.
    let (since, id): (i64, i64) =
        sqlx::query_as("SELECT waiting_since, id FROM cases WHERE number = $1")
            .bind(&first)
            .fetch_one(app.state.db.pool())
            .await
            .expect("cursor");
    let rest = desk(json!({ "after": format!("{since}.{id}") })).await;
    assert_eq!(numbers(&rest), [second.clone(), third]);
    let forged = desk(json!({ "after": "x.1" })).await;
    assert_eq!(forged.status, 422, "{}", forged.body);

    // An approver's queue filters by item the same way.
    for number in [&first, &second] {
        claim(&app, &worker, number).await;
        assert_eq!(accept(&app, &worker, number).await.status, 200);
    }
    let scjg = approver(&app, "scjg@qixia.test.cn", "D01-SCJG").await;
    let tasks = |query: Value| queue(&app, &scjg.client, "approvals/queue", query);
    let count = |reply: Reply| reply.json()["entries"].as_array().map_or(0, Vec::len);
    assert_eq!(count(tasks(json!({})).await), 2);
    assert_eq!(count(tasks(json!({ "item": "CGJ-XK-001" })).await), 2);
    assert_eq!(count(tasks(json!({ "item": "SCJG-XK-002" })).await), 0);
    assert_eq!(count(tasks(json!({ "status": "supplement" })).await), 0);
}

async fn queue(app: &TestApp, client: &reqwest::Client, path: &str, query: Value) -> Reply {
    post_json_as(app, client, path, &json!({ "query": query })).await
}
