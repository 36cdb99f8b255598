//! The applicant journey through HTTP, as the pages call it: a code by mail (read back from the
//! file outbox the delivery worker writes) confirms the contact, name and resident ID are
//! matched against the registry, a bundle is filled as one form and submitted once, credit
//! records block or flag, applicants never reach each other's drafts or cases, and a case
//! keeps the item version it was filed under.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::common::journey::{
    Device, PDF, draft, file, filled, mailed_code, post_json_as, registry_id, save, sign_letter,
    start, submit, upload, upload_required, verified_applicant,
};
use crate::common::{
    Options, Reply, TestApp, browser, error_kind, field_problems, spawn_app_with,
    spawn_app_with_demo,
};

const BUNDLE: &str = "YJS-CANYIN";
const ITEM: &str = "SCJG-XK-001";

#[tokio::test]
async fn a_new_applicant_verifies_identity_and_files_the_restaurant_bundle_once() {
    let app = spawn_app_with_demo().await;
    let client = verified_applicant(&app, "wang.shop@example.cn", None).await;

    // Level 2: each wrong answer is refused with its own message and changes nothing.
    let id = registry_id("王开店");
    for (name, number, field, problem) in [
        (
            "王开店",
            "32011319880304215X".to_owned(),
            "ResidentId",
            "BadResidentId",
        ),
        (
            "王开店",
            "110105194912310021".to_owned(),
            "ResidentId",
            "BadResidentId",
        ),
        (
            "王开店",
            "11010519491231002X".to_owned(),
            "ResidentId",
            "NotInRegistry",
        ),
        ("王开门", id.clone(), "LegalName", "NameMismatch"),
    ] {
        let refused = app
            .post_fn_as(
                &client,
                "identity/verify-resident",
                &[("legal_name", name), ("resident_id", &number)],
            )
            .await;
        assert_eq!(refused.status, 422, "{number}: {}", refused.body);
        assert_eq!(
            field_problems(&refused.json()),
            [(field.to_owned(), problem.to_owned())],
            "{number}"
        );
    }
    // Only the demo applicant (seeded) has a resident ID bound.
    assert_eq!(
        app.count("applicant_identities WHERE resident_id IS NOT NULL")
            .await,
        1
    );
    let verified = app
        .post_fn_as(
            &client,
            "identity/verify-resident",
            &[("legal_name", "王开店"), ("resident_id", &id)],
        )
        .await;
    assert_eq!(verified.status, 200, "{}", verified.body);
    let status = app.post_fn_as(&client, "identity/status", &[]).await.json();
    assert_eq!(status["level"], "L2");
    assert_eq!(status["credit_level"], "clear");
    assert_eq!(
        status["resident_id_masked"].as_str().map(str::len),
        Some(18)
    );

    // One form: the shared fields first, prefilled from the verified identity.
    let draft_id = start(&app, &client, "bundle", BUNDLE).await;
    let loaded = draft(&app, &client, &draft_id).await;
    let sections = loaded["layout"]["sections"].as_array().expect("sections");
    assert_eq!(sections.len(), 4, "shared + 3 items");
    assert!(sections[0]["item_code"].is_null());
    let shared: Vec<&str> = sections[0]["fields"]
        .as_array()
        .expect("shared fields")
        .iter()
        .map(|field| field["name"].as_str().expect("name"))
        .collect();
    assert!(shared.contains(&"shop_name") && shared.contains(&"resident_id"));
    assert!(
        sections[1..].iter().all(|section| section["fields"]
            .as_array()
            .expect("fields")
            .iter()
            .all(|field| !shared.contains(&field["field"]["key"].as_str().expect("key")))),
        "a shared field is asked once"
    );
    assert_eq!(loaded["values"]["applicant_name"], "王开店");
    assert_eq!(loaded["values"]["resident_id"], id.as_str());

    // Autosave with revisions: a stale revision is refused.
    let revision = loaded["revision"].as_i64().expect("revision");
    let mut values = filled(&loaded);
    values.remove("SCJG-XK-007/business_area");
    let saved = save(&app, &client, &draft_id, revision, &values).await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    let stale = save(&app, &client, &draft_id, revision, &values).await;
    assert_eq!(stale.status, 409, "{}", stale.body);
    let mut foreign = values.clone();
    foreign.insert("is_approved".into(), json!("yes"));
    let unknown = save(&app, &client, &draft_id, revision + 1, &foreign).await;
    assert_eq!(unknown.status, 422, "{}", unknown.body);

    // Pre-review on the server: the missing field and every missing material are named,
    // nothing is filed.
    let incomplete = submit(&app, &client, &draft_id).await;
    assert_eq!(incomplete.status, 422, "{}", incomplete.body);
    let named: Vec<String> = incomplete.json()["FormInvalid"]
        .as_array()
        .expect("problems")
        .iter()
        .map(|problem| problem["name"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(named[0], "SCJG-XK-007/business_area");
    // 身份证明 is listed by two items and asked once, under the first item's name.
    assert!(named.contains(&"SCJG-XK-001/M01".to_owned()), "{named:?}");
    assert!(!named.contains(&"SCJG-XK-007/M01".to_owned()), "{named:?}");
    // …and the commitment letter (two items are commitment-based) is not signed yet.
    assert_eq!(named.last().map(String::as_str), Some("commitment"));
    assert_eq!(named.len(), 1 + 8 + 1, "{named:?}");
    assert_eq!(app.count("cases").await, 0);
    upload_required(&app, &client, &loaded).await;
    let record = sign_letter(
        &app,
        &client,
        "wang.shop@example.cn",
        &mut Device::new(),
        &draft_id,
    )
    .await
    .expect("the bundle takes a commitment");
    let intact = app::backend::services::commitments::verify(&app.state, &record)
        .await
        .expect("record");
    assert!(intact.is_ok(), "{intact:?}");

    values.insert("SCJG-XK-007/business_area".into(), json!("60"));
    let saved = save(&app, &client, &draft_id, revision + 1, &values).await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    let submitted = submit(&app, &client, &draft_id).await;
    assert_eq!(submitted.status, 200, "{}", submitted.body);
    let number = submitted.json().as_str().expect("number").to_owned();
    let year = number.split('-').nth(1).expect("year").to_owned();
    assert_eq!(number, format!("QX-{year}-000001"));
    // A second click or a retry answers with the same case.
    let again = submit(&app, &client, &draft_id).await;
    assert_eq!(again.json().as_str(), Some(number.as_str()));
    assert_eq!(app.count("cases").await, 1);
    assert_eq!(app.count("case_items").await, 3);
    assert_eq!(app.count("case_events").await, 1);
    assert_eq!(app.count("notifications").await, 1);
    assert_eq!(
        app.count("outbox WHERE channel = 'email' AND subject LIKE '%QX-%'")
            .await,
        1
    );
    assert_eq!(app.count("audit_log WHERE action = 'case.submit'").await, 1);
    // The code mail's body is erased once delivered; the code itself is kept only hashed.
    assert_eq!(
        app.count("outbox WHERE sensitive = 1 AND body <> ''").await,
        0
    );

    // 我的办件 and the case page.
    let mine = app
        .post_fn_as(&client, "applications/mine", &[])
        .await
        .json();
    assert_eq!(mine["cases"][0]["number"], number.as_str());
    assert_eq!(mine["cases"][0]["status"], "submitted");
    assert_eq!(mine["drafts"].as_array().map(Vec::len), Some(0));
    let case = app
        .post_fn_as(&client, "applications/case", &[("number", &number)])
        .await;
    assert_eq!(case.status, 200, "{}", case.body);
    let case = case.json();
    assert_eq!(case["timeline"][0]["kind"], "submitted");
    assert_eq!(case["items"].as_array().map(Vec::len), Some(3));
    assert!(
        case["fields"]
            .as_array()
            .expect("fields")
            .iter()
            .any(|field| field["value"] == "60")
    );
    assert_eq!(case["may_withdraw"], true);

    // Withdrawing once; a second time is refused.
    let withdrawn = app
        .post_fn_as(&client, "applications/withdraw", &[("number", &number)])
        .await;
    assert_eq!(withdrawn.status, 200, "{}", withdrawn.body);
    let twice = app
        .post_fn_as(&client, "applications/withdraw", &[("number", &number)])
        .await;
    assert_eq!(twice.status, 409);
    let case = app
        .post_fn_as(&client, "applications/case", &[("number", &number)])
        .await
        .json();
    assert_eq!(case["status"], "withdrawn");
    assert_eq!(case["timeline"].as_array().map(Vec::len), Some(2));
}

#[tokio::test]
async fn a_blocked_applicant_is_stopped_with_the_reason_and_a_warned_one_is_flagged() {
    let app = spawn_app_with_demo().await;
    let blocked = verified_applicant(&app, "zhao@example.cn", Some("赵守信")).await;
    let status = app
        .post_fn_as(&blocked, "identity/status", &[])
        .await
        .json();
    assert_eq!(status["credit_level"], "block");
    assert_eq!(status["credit_findings"][0]["category"], "dishonest_debtor");

    let draft_id = start(&app, &blocked, "bundle", BUNDLE).await;
    let loaded = draft(&app, &blocked, &draft_id).await;
    let saved = save(
        &app,
        &blocked,
        &draft_id,
        loaded["revision"].as_i64().expect("revision"),
        &filled(&loaded),
    )
    .await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    upload_required(&app, &blocked, &loaded).await;
    sign_letter(
        &app,
        &blocked,
        "zhao@example.cn",
        &mut Device::new(),
        &draft_id,
    )
    .await;
    let refused = submit(&app, &blocked, &draft_id).await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    let body = refused.json();
    assert_eq!(error_kind(&body), "CreditBlocked");
    assert_eq!(body["CreditBlocked"][0]["source"], "南京市栖霞区人民法院");
    assert_eq!(app.count("cases").await, 0);
    assert_eq!(
        app.count("audit_log WHERE action = 'case.submit_refused'")
            .await,
        1
    );

    // A warning allows filing, and flags the case for the front desk.
    let warned = verified_applicant(&app, "qian@example.cn", Some("钱若诺")).await;
    let number = file(&app, &warned, "qian@example.cn", "bundle", BUNDLE).await;
    let (level, flagged): (String, i64) =
        sqlx::query_as("SELECT credit_level, needs_front_desk FROM cases WHERE number = $1")
            .bind(&number)
            .fetch_one(app.state.db.pool())
            .await
            .expect("case row");
    assert_eq!((level.as_str(), flagged), ("warn", 1));
}

#[tokio::test]
async fn an_item_needing_level_2_is_refused_to_a_level_1_applicant() {
    let app = spawn_app_with_demo().await;
    let client = verified_applicant(&app, "l1@example.cn", None).await;
    let draft_id = start(&app, &client, "item", ITEM).await;
    let loaded = draft(&app, &client, &draft_id).await;
    assert_eq!(loaded["identity_needed"], "L2");
    assert_eq!(loaded["identity_level"], "L1");
    let refused = submit(&app, &client, &draft_id).await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert_eq!(refused.json()["IdentityTooLow"]["needed"], "L2");
    assert_eq!(app.count("cases").await, 0);
}

#[tokio::test]
async fn applicants_never_reach_each_others_drafts_or_cases() {
    let app = spawn_app_with_demo().await;
    let owner = verified_applicant(&app, "owner@example.cn", Some("王开店")).await;
    let number = file(&app, &owner, "owner@example.cn", "item", ITEM).await;
    let draft_id = start(&app, &owner, "bundle", BUNDLE).await;
    let other = verified_applicant(&app, "other@example.cn", Some("李美味")).await;

    for (path, form) in [
        ("applications/draft", vec![("draft_id", draft_id.as_str())]),
        ("applications/submit", vec![("draft_id", draft_id.as_str())]),
        (
            "applications/discard",
            vec![("draft_id", draft_id.as_str())],
        ),
        ("applications/case", vec![("number", number.as_str())]),
        ("applications/withdraw", vec![("number", number.as_str())]),
        ("commitments/letter", vec![("draft_id", draft_id.as_str())]),
    ] {
        let reply = app.post_fn_as(&other, path, &form).await;
        assert_eq!(reply.status, 404, "{path}: {}", reply.body);
    }
    let saved = save(&app, &other, &draft_id, 1, &BTreeMap::new()).await;
    assert_eq!(saved.status, 404, "{}", saved.body);
    // Signing another's draft: not found (after the code, which the other applicant asked for).
    assert_eq!(
        app.post_fn_as(&other, "commitments/send-code", &[])
            .await
            .status,
        200
    );
    let code = mailed_code(&app, "other@example.cn").await;
    let device = Device::new();
    let (sha, signature) = device.sign("anything");
    let signed = post_json_as(
        &app,
        &other,
        "commitments/sign",
        &json!({ "request": {
            "draft_id": draft_id, "letter_sha256": sha, "signature": signature,
            "public_key": device.public_key(), "key_id": null,
            "mark_kind": "typed", "mark": "李美味", "code": code,
        }}),
    )
    .await;
    assert_eq!(signed.status, 404, "{}", signed.body);
    // The owner's uploaded file is out of reach too.
    let uploaded = upload(&app, &owner, &draft_id, "SCJG-XK-001/M02", "a.pdf", PDF).await;
    let file_id = uploaded.json()["id"].as_str().expect("file").to_owned();
    assert_eq!(
        app.get(&other, &format!("/files/{file_id}")).await.status,
        404
    );
    let removed = app
        .post_fn_as(
            &other,
            "applications/file/remove",
            &[
                ("draft_id", draft_id.as_str()),
                ("file_id", file_id.as_str()),
            ],
        )
        .await;
    assert_eq!(removed.status, 404, "{}", removed.body);
    let mine = app
        .post_fn_as(&other, "applications/mine", &[])
        .await
        .json();
    assert_eq!(mine["cases"].as_array().map(Vec::len), Some(0));
    assert_eq!(mine["drafts"].as_array().map(Vec::len), Some(0));
    let notifications = app
        .post_fn_as(&other, "notifications/list", &[])
        .await
        .json();
    assert_eq!(notifications[1], 0);

    // Visitors are asked to sign in; staff may not use the applicant's functions.
    let visitor = browser();
    let reply = app
        .post_fn_as(&visitor, "applications/case", &[("number", &number)])
        .await;
    assert_eq!(reply.status, 401);
    app.signed_in_admin().await;
    let reply = app
        .post_fn("applications/case", &[("number", &number)])
        .await;
    assert_eq!(reply.status, 403);

    // Nothing changed for the owner (the item is approved instantly on submission).
    let case = app
        .post_fn_as(&owner, "applications/case", &[("number", &number)])
        .await
        .json();
    assert_eq!(case["status"], "issued");
    draft(&app, &owner, &draft_id).await;
}

#[tokio::test]
async fn submitting_one_draft_many_times_at_once_files_one_case() {
    let app = spawn_app_with_demo().await;
    let client = verified_applicant(&app, "double@example.cn", Some("王开店")).await;
    let draft_id = item_draft_ready_to_submit(&app, &client).await;
    let replies = {
        let one = || submit(&app, &client, &draft_id);
        let (a, b, c, d, e, f) = tokio::join!(one(), one(), one(), one(), one(), one());
        [a, b, c, d, e, f]
    };
    let numbers = case_numbers_answered(&replies);
    assert!(
        numbers.windows(2).all(|pair| pair[0] == pair[1]),
        "{numbers:?}"
    );
    assert_eq!(app.count("cases").await, 1);
    assert_eq!(app.count("audit_log WHERE action = 'case.submit'").await, 1);
}

/// Submissions that arrive together share one write transaction on SQLite (group commit), and
/// each files its case, takes its number and links its draft in one batch of statements: every
/// one still gets a number of its own, in one unbroken series, its draft points at that case,
/// and the audit chain links every entry.
#[tokio::test]
async fn drafts_submitted_at_the_same_moment_get_consecutive_numbers_and_one_unbroken_audit_chain()
{
    let app = spawn_app_with_demo().await;
    let client = verified_applicant(&app, "many@example.cn", Some("王开店")).await;
    let mut drafts = Vec::new();
    for _ in 0..8 {
        drafts.push(item_draft_ready_to_submit(&app, &client).await);
    }
    let replies =
        futures_util::future::join_all(drafts.iter().map(|id| submit(&app, &client, id))).await;
    let numbers = case_numbers_answered(&replies);
    let mut serials: Vec<u32> = numbers
        .iter()
        .map(|number| {
            let serial = number.rsplit('-').next().expect("serial");
            serial.parse().expect("six digits")
        })
        .collect();
    serials.sort_unstable();
    assert_eq!(serials, (1..=8).collect::<Vec<u32>>(), "{numbers:?}");
    let pool = app.state.db.pool();
    for (draft_id, number) in drafts.iter().zip(&numbers) {
        let linked: String = sqlx::query_scalar(
            "SELECT c.number FROM drafts d JOIN cases c ON c.id = d.case_id AND c.draft_id = d.id \
             WHERE d.public_id = $1",
        )
        .bind(draft_id)
        .fetch_one(pool)
        .await
        .expect("the draft is linked to its case");
        assert_eq!(&linked, number);
        let audited = app
            .count(&format!(
                "audit_log WHERE action = 'case.submit' AND subject = 'case:{number}'"
            ))
            .await;
        assert_eq!(audited, 1, "{number}");
    }
    let mut conn = pool.acquire().await.expect("connection");
    app::backend::audit::verify_chain(&mut conn)
        .await
        .expect("the audit chain holds");
}

/// A new draft of the item, filled in and with its materials: ready to submit.
async fn item_draft_ready_to_submit(app: &TestApp, client: &reqwest::Client) -> String {
    let draft_id = start(app, client, "item", ITEM).await;
    let loaded = draft(app, client, &draft_id).await;
    let saved = save(app, client, &draft_id, 1, &filled(&loaded)).await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    upload_required(app, client, &loaded).await;
    draft_id
}

/// The case numbers submissions answered with, each of them 200.
fn case_numbers_answered(replies: &[Reply]) -> Vec<String> {
    replies
        .iter()
        .map(|reply| {
            assert_eq!(reply.status, 200, "{}", reply.body);
            reply.json().as_str().expect("number").to_owned()
        })
        .collect()
}

/// The submission checks the draft on a pooled connection and then, in its write turn, links
/// it to the case only if the form, the files and the signature are still what was checked.
#[tokio::test]
async fn a_draft_changed_after_the_submission_checks_is_not_linked_to_a_case() {
    use app::backend::db::cases::{DraftAsChecked, mark_draft_submitted};

    let app = spawn_app_with_demo().await;
    let login = "late-change@example.cn";
    let client = verified_applicant(&app, login, Some("王开店")).await;
    let draft_id = start(&app, &client, "bundle", BUNDLE).await;
    crate::common::journey::complete(&app, &client, login, &draft_id).await;

    let pool = app.state.db.pool();
    let (id, revision): (i64, i64) =
        sqlx::query_as("SELECT id, revision FROM drafts WHERE public_id = $1")
            .bind(&draft_id)
            .fetch_one(pool)
            .await
            .expect("draft");
    let files: Vec<String> = sqlx::query_scalar(
        "SELECT public_id FROM materials WHERE draft_id = $1 AND removed_at IS NULL ORDER BY id",
    )
    .bind(id)
    .fetch_all(pool)
    .await
    .expect("files");
    assert!(files.len() >= 2, "{files:?}");
    let signature: i64 =
        sqlx::query_scalar("SELECT MAX(id) FROM commitment_signatures WHERE draft_id = $1")
            .bind(id)
            .fetch_one(pool)
            .await
            .expect("signature");
    let file_ids: Vec<&str> = files.iter().map(String::as_str).collect();
    let mut one_replaced = file_ids.clone();
    one_replaced[0] = "f-not-this-one";
    let one_gone = [file_ids.clone(), vec!["f-gone"]].concat();
    let checked = DraftAsChecked {
        revision,
        file_ids: &file_ids,
        signature_id: Some(signature),
    };
    let stale = [
        ("form saved since", revision - 1, &file_ids[..], signature),
        ("file added since", revision, &file_ids[1..], signature),
        (
            "file replaced since",
            revision,
            &one_replaced[..],
            signature,
        ),
        ("file removed since", revision, &one_gone[..], signature),
        ("signed again since", revision, &file_ids[..], signature - 1),
    ];
    // No case with this id exists: `drafts.case_id` has no foreign key, and every attempt is
    // rolled back.
    let case_id = 999_999;
    for (what, revision, file_ids, signature) in stale {
        let mut tx = app.state.db.begin_write().await.expect("write");
        let as_checked = DraftAsChecked {
            revision,
            file_ids,
            signature_id: Some(signature),
        };
        let linked = mark_draft_submitted(&mut tx, id, case_id, &as_checked)
            .await
            .expect("update");
        assert!(!linked, "{what}: linked");
        tx.rollback().await.expect("rollback");
    }
    let mut tx = app.state.db.begin_write().await.expect("write");
    let linked = mark_draft_submitted(&mut tx, id, case_id, &checked)
        .await
        .expect("update");
    assert!(linked, "unchanged draft: not linked");
    tx.rollback().await.expect("rollback");

    let submitted = submit(&app, &client, &draft_id).await;
    assert_eq!(submitted.status, 200, "{}", submitted.body);
    let mut tx = app.state.db.begin_write().await.expect("write");
    let linked = mark_draft_submitted(&mut tx, id, case_id, &checked)
        .await
        .expect("update");
    assert!(!linked, "submitted draft: linked again");
    tx.rollback().await.expect("rollback");
    assert_eq!(app.count("cases").await, 1);
}

#[tokio::test]
async fn codes_are_single_use_expire_run_out_of_tries_and_are_rate_limited() {
    let app = spawn_app_with(Options {
        demo: true,
        tweak: |config| config.codes_per_account_per_hour = 3,
        ..Options::default()
    })
    .await;
    let client = browser();
    let login = "codes@example.cn";
    app.register_ok(&client, login).await;
    let confirm = |code: String| {
        let client = client.clone();
        let app = &app;
        async move {
            app.post_fn_as(&client, "identity/confirm-contact", &[("code", &code)])
                .await
        }
    };
    let problem_of = |reply: &crate::common::Reply| field_problems(&reply.json())[0].1.clone();

    let none = confirm("123456".into()).await;
    assert_eq!(problem_of(&none), "NoCodeRequested");
    assert_eq!(
        app.post_fn_as(&client, "identity/send-code", &[])
            .await
            .status,
        200
    );
    let code = mailed_code(&app, login).await;
    let stored: String = sqlx::query_scalar("SELECT code_hash FROM one_time_codes")
        .fetch_one(app.state.db.pool())
        .await
        .expect("code row");
    assert!(!stored.contains(&code), "stored hashed");

    // Five tries, then the code is used up even when right.
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for _ in 0..5 {
        assert_eq!(problem_of(&confirm(wrong.into()).await), "CodeMismatch");
    }
    assert_eq!(problem_of(&confirm(code.clone()).await), "CodeUsedUp");
    assert_eq!(problem_of(&confirm("12345".into()).await), "NotSixDigits");

    // A new code works once; it expires after ten minutes.
    assert_eq!(
        app.post_fn_as(&client, "identity/send-code", &[])
            .await
            .status,
        200
    );
    let code = mailed_code(&app, login).await;
    sqlx::query("UPDATE one_time_codes SET expires_at = 0")
        .execute(app.state.db.pool())
        .await
        .expect("expire");
    assert_eq!(problem_of(&confirm(code).await), "CodeExpired");
    let status = app.post_fn_as(&client, "identity/status", &[]).await.json();
    assert_eq!(status["contact_confirmed"], false);

    assert_eq!(
        app.post_fn_as(&client, "identity/send-code", &[])
            .await
            .status,
        200
    );
    let code = mailed_code(&app, login).await;
    assert_eq!(confirm(code.clone()).await.status, 200);
    assert_eq!(problem_of(&confirm(code).await), "CodeUsedUp");

    // The fourth code within the hour is refused.
    let limited = app.post_fn_as(&client, "identity/send-code", &[]).await;
    assert_eq!(limited.status, 429, "{}", limited.body);
}

#[tokio::test]
async fn resident_ids_are_checked_before_the_registry_is_asked() {
    let app = spawn_app_with_demo().await;
    let client = verified_applicant(&app, "ids@example.cn", None).await;
    let verify = |number: String| {
        let client = client.clone();
        let app = &app;
        async move {
            app.post_fn_as(
                &client,
                "identity/verify-resident",
                &[("legal_name", "王开店"), ("resident_id", &number)],
            )
            .await
        }
    };
    // 20 valid numbers (regions, dates and sequences of every kind): parsed, then not found.
    let mut valid = Vec::new();
    for (index, (region, birth)) in [
        ("110105", "19491231"),
        ("120101", "19600229"),
        ("130102", "19700101"),
        ("140105", "19801015"),
        ("150102", "19991231"),
        ("210102", "20000229"),
        ("220102", "20010101"),
        ("230102", "20100630"),
        ("310101", "19850520"),
        ("320113", "19900512"),
        ("330102", "19771111"),
        ("340102", "19681203"),
        ("350102", "19950707"),
        ("360102", "20050809"),
        ("370102", "19590305"),
        ("410102", "19880808"),
        ("420102", "19921027"),
        ("440103", "19830419"),
        ("500101", "19960314"),
        ("650102", "20120101"),
    ]
    .into_iter()
    .enumerate()
    {
        let first17 = format!("{region}{birth}{:03}", 100 + index * 37);
        let bytes: [u8; 17] = first17.as_bytes().try_into().expect("17 digits");
        let check = app::domain::resident_id::check_character(&bytes);
        valid.push(format!("{first17}{check}"));
    }
    valid[0] = valid[0].to_lowercase(); // a lower-case x is accepted too
    for number in valid {
        let reply = verify(number.clone()).await;
        let problems = field_problems(&reply.json());
        assert_ne!(problems[0].1, "BadResidentId", "{number} is valid");
    }
    // 20 invalid numbers: check character, impossible dates, regions, lengths, characters.
    let good = registry_id("王开店");
    let wrong_check = {
        let last = good.chars().last().expect("check");
        let other = if last == '0' { '1' } else { '0' };
        format!("{}{other}", &good[..17])
    };
    for number in [
        wrong_check,
        "110105194912310022".into(),
        "11010519491231002Y".into(),
        "110105194902300028".into(),
        "110105194913010024".into(),
        "110105190000000026".into(),
        "110105195802290025".into(),
        "110105194904310020".into(),
        "990105194912310021".into(),
        "000105194912310021".into(),
        "710105194912310020".into(),
        "11010519491231002".into(),
        "1101051949123100210".into(),
        "".into(),
        "11010519491231002X1".into(),
        "ABCDEF194912310021".into(),
        "110105 94912310021".into(),
        "110105-94912310021".into(),
        "１１０１０５１９４９１２３１００２X".into(),
        "11010519491231X021".into(),
    ] {
        let reply = verify(number.clone()).await;
        assert_eq!(reply.status, 422, "{number:?}: {}", reply.body);
        let problems = field_problems(&reply.json());
        let rejected = problems.iter().any(|(field, problem)| {
            field == "ResidentId" && (problem == "BadResidentId" || problem == "Required")
        });
        assert!(rejected, "{number:?}: {problems:?}");
    }
    let user_id = app.user_id_of("ids@example.cn").await;
    let bound: Option<Option<String>> =
        sqlx::query_scalar("SELECT resident_id FROM applicant_identities WHERE user_id = $1")
            .bind(user_id)
            .fetch_optional(app.state.db.pool())
            .await
            .expect("identity");
    assert_eq!(bound, Some(None), "nothing bound to the account");
}

#[tokio::test]
async fn a_case_keeps_the_item_version_it_was_filed_under() {
    use app::backend::services::catalogue_admin;
    let app = spawn_app_with_demo().await;
    let client = verified_applicant(&app, "version@example.cn", Some("王开店")).await;
    let first = file(&app, &client, "version@example.cn", "item", ITEM).await;

    // The service office publishes version 2 with a changed time limit.
    let actor = app::backend::audit::Actor::system("test");
    let current = catalogue_admin::item(&app.state, ITEM).await.expect("item");
    let mut spec = current.spec.clone();
    spec.promised_days = 1;
    let saved = catalogue_admin::save_item(&app.state, &actor, &spec, Some(&current.latest_sha256))
        .await
        .expect("saved");
    catalogue_admin::publish_item(&app.state, &actor, ITEM, saved.version)
        .await
        .expect("published");
    assert_eq!(saved.version, 2);

    let case = app
        .post_fn_as(&client, "applications/case", &[("number", &first)])
        .await
        .json();
    assert_eq!(case["items"][0]["version"], 1);
    let second = file(&app, &client, "version@example.cn", "item", ITEM).await;
    let case = app
        .post_fn_as(&client, "applications/case", &[("number", &second)])
        .await
        .json();
    assert_eq!(case["items"][0]["version"], 2);
}

#[tokio::test]
async fn a_signed_commitment_is_verified_and_any_later_change_is_detected() {
    use app::backend::services::commitments::{RecordProblem, verify};
    let app = spawn_app_with_demo().await;
    let login = "signer@example.cn";
    let client = verified_applicant(&app, login, Some("王开店")).await;
    let draft_id = start(&app, &client, "bundle", BUNDLE).await;
    let letter = app
        .post_fn_as(
            &client,
            "commitments/letter",
            &[("draft_id", draft_id.as_str())],
        )
        .await
        .json();
    let text = letter["letter"].as_str().expect("text").to_owned();
    assert!(text.starts_with("告知承诺书"));
    assert!(text.contains("食品经营许可") && text.contains(&registry_id("王开店")));
    assert_eq!(letter["signed"], Value::Null);

    // Refusals: a wrong code, a signature of other text, a stale letter hash.
    let device = Device::new();
    let request = |sha: &str, signature: &str, code: &str| {
        json!({ "request": {
            "draft_id": draft_id, "letter_sha256": sha, "signature": signature,
            "public_key": device.public_key(), "key_id": null,
            "mark_kind": "typed", "mark": "王开店", "code": code,
        }})
    };
    assert_eq!(
        app.post_fn_as(&client, "commitments/send-code", &[])
            .await
            .status,
        200
    );
    let code = mailed_code(&app, login).await;
    let (sha, signature) = device.sign(&text);
    let wrong_code = if code == "000000" { "111111" } else { "000000" };
    let refused = post_json_as(
        &app,
        &client,
        "commitments/sign",
        &request(&sha, &signature, wrong_code),
    )
    .await;
    assert_eq!(
        field_problems(&refused.json()),
        [("OneTimeCode".to_owned(), "CodeMismatch".to_owned())]
    );
    let (_, other_signature) = device.sign(&format!("{text}另加一条"));
    let refused = post_json_as(
        &app,
        &client,
        "commitments/sign",
        &request(&sha, &other_signature, &code),
    )
    .await;
    assert_eq!(
        field_problems(&refused.json()),
        [("SigningKey".to_owned(), "SignatureInvalid".to_owned())]
    );
    assert_eq!(
        app.post_fn_as(&client, "commitments/send-code", &[])
            .await
            .status,
        200
    );
    let code = mailed_code(&app, login).await;
    let stale = "0".repeat(64);
    let refused = post_json_as(
        &app,
        &client,
        "commitments/sign",
        &request(&stale, &signature, &code),
    )
    .await;
    assert_eq!(refused.status, 409, "{}", refused.body);
    assert_eq!(app.count("commitment_signatures").await, 0);

    // Signed: the record verifies; the same device signs again without a new key.
    let mut device = device;
    let record = sign_letter(&app, &client, login, &mut device, &draft_id)
        .await
        .expect("record");
    assert!(verify(&app.state, &record).await.expect("record").is_ok());
    sign_letter(&app, &client, login, &mut device, &draft_id).await;
    assert_eq!(app.count("signing_keys").await, 1);
    let letter = app
        .post_fn_as(
            &client,
            "commitments/letter",
            &[("draft_id", draft_id.as_str())],
        )
        .await
        .json();
    assert_eq!(letter["signed_is_current"], true);

    // The signed letter as a PDF, with the Chinese font embedded, for the signer only.
    let pdf = app
        .get(&client, &format!("/files/commitment/{record}"))
        .await;
    assert_eq!(
        pdf.status,
        200,
        "{}",
        pdf.body.chars().take(200).collect::<String>()
    );
    assert_eq!(
        pdf.header("content-type").as_deref(),
        Some("application/pdf")
    );
    assert!(pdf.body.starts_with("%PDF-"));
    // The document title (UTF-16BE hex in the PDF's information dictionary) names the record.
    let title: String = format!("Commitment {record}")
        .encode_utf16()
        .map(|unit| format!("{unit:04X}"))
        .collect();
    assert!(
        pdf.body.contains(&format!("<FEFF{title}>")),
        "the title names the record"
    );
    assert!(pdf.body.contains("FontFile"), "a font is embedded");
    let stranger = verified_applicant(&app, "stranger@example.cn", Some("李美味")).await;
    assert_eq!(
        app.get(&stranger, &format!("/files/commitment/{record}"))
            .await
            .status,
        404
    );

    // Any change to text or record after the countersignature is detected.
    let pool = app.state.db.pool();
    for (change, undo, problem) in [
        (
            "UPDATE commitment_signatures SET letter = letter || ' ' WHERE public_id = $1",
            "UPDATE commitment_signatures SET letter = substr(letter, 1, length(letter) - 1) WHERE public_id = $1",
            RecordProblem::LetterChanged,
        ),
        (
            "UPDATE commitment_signatures SET signed_at = signed_at + 1 WHERE public_id = $1",
            "UPDATE commitment_signatures SET signed_at = signed_at - 1 WHERE public_id = $1",
            RecordProblem::RecordChanged,
        ),
        (
            "UPDATE commitment_signatures SET signer_name = '李四' WHERE public_id = $1",
            "UPDATE commitment_signatures SET signer_name = '王开店' WHERE public_id = $1",
            RecordProblem::RecordChanged,
        ),
        (
            "UPDATE commitment_signatures SET mark = '李四' WHERE public_id = $1",
            "UPDATE commitment_signatures SET mark = '王开店' WHERE public_id = $1",
            RecordProblem::RecordChanged,
        ),
        (
            "UPDATE signing_keys SET binding = replace(binding, 'L2', 'L3') WHERE id = (SELECT key_id FROM commitment_signatures WHERE public_id = $1)",
            "UPDATE signing_keys SET binding = replace(binding, 'L3', 'L2') WHERE id = (SELECT key_id FROM commitment_signatures WHERE public_id = $1)",
            RecordProblem::BindingInvalid,
        ),
    ] {
        sqlx::query(sqlx::AssertSqlSafe(change))
            .bind(&record)
            .execute(pool)
            .await
            .expect("change");
        assert_eq!(
            verify(&app.state, &record).await.expect("record").err(),
            Some(problem),
            "{change}"
        );
        sqlx::query(sqlx::AssertSqlSafe(undo))
            .bind(&record)
            .execute(pool)
            .await
            .expect("undo");
        assert!(
            verify(&app.state, &record).await.expect("record").is_ok(),
            "{undo}"
        );
    }
}
