//! Statistics over HTTP on both databases: the figures follow real cases through acceptance,
//! approval, instant approval and refusal; the service office sees the staff figures and
//! nobody else does; a generated history is counted exactly as a recount from the case tables
//! says; a refresh recomputes only the changed days and waits for a lease another node holds;
//! CSV downloads; a bad period is refused naming the field.

use serde_json::Value;

use crate::common::back_office::{
    accept, approver, claim, decide, desk_worker, restaurant_case, tasks_of,
};
use crate::common::journey::{file, verified_applicant};
use crate::common::{TestApp, browser, error_kind, field_problems, spawn_app_with_demo};
use app::backend::services::statistics::{self, Refresh};
use app::domain::calendar::Day;

fn today() -> String {
    Day::of_china_ms(app::backend::now_ms()).to_string()
}

async fn refresh(app: &TestApp) -> Refresh {
    statistics::refresh(&app.state)
        .await
        .expect("refreshing the statistics")
}

async fn public_report(app: &TestApp, from: &str, to: &str) -> Value {
    let reply = app
        .post_fn("statistics/public", &[("from", from), ("to", to)])
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json()
}

fn tally(report: &Value, list: &str, key: &str) -> i64 {
    report[list]
        .as_array()
        .expect("a list of tallies")
        .iter()
        .find(|tally| tally["key"] == key)
        .map_or(0, |tally| tally["value"].as_i64().expect("a value"))
}

fn stage<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["stage_times"]
        .as_array()
        .expect("stages")
        .iter()
        .find(|stage| stage["stage"] == name)
        .expect("the stage")
}

#[tokio::test]
async fn the_figures_follow_cases_through_their_life_and_only_admins_see_the_staff() {
    let app = spawn_app_with_demo().await;
    let day = today();
    refresh(&app).await;
    let empty = public_report(&app, &day, &day).await;
    assert_eq!(empty["cases"], 0);
    assert!(empty["refreshed_at"].as_i64().is_some());

    // An instant approval, a restaurant approved by two departments, one refused, one waiting.
    let instant = verified_applicant(&app, "instant@example.cn", Some("李美味")).await;
    file(&app, &instant, "instant@example.cn", "item", "SCJG-XK-001").await;
    let (_, approved) = restaurant_case(&app, "wang@example.cn", "王开店").await;
    let desk = desk_worker(&app, "desk@qixia.test.cn").await;
    assert_eq!(claim(&app, &desk, &approved).await.status, 200);
    assert_eq!(accept(&app, &desk, &approved).await.status, 200);
    let scjg = approver(&app, "scjg@qixia.test.cn", "D01-SCJG").await;
    let cgj = approver(&app, "cgj@qixia.test.cn", "D07-CGJ").await;
    for ((task, _, _), approver) in tasks_of(&app, &approved).await.iter().zip([&scjg, &cgj]) {
        assert_eq!(
            decide(&app, approver, task, "approve", "同意").await.status,
            200
        );
    }
    let (_, refused) = restaurant_case(&app, "sun@example.cn", "孙理发").await;
    assert_eq!(claim(&app, &desk, &refused).await.status, 200);
    let refusal = app
        .post_fn_as(
            &desk.client,
            "desk/refuse",
            &[
                ("number", &refused),
                ("reason", "not_our_competence"),
                ("note", "该事项由市级部门办理。"),
            ],
        )
        .await;
    assert_eq!(refusal.status, 200, "{}", refusal.body);
    restaurant_case(&app, "zhou@example.cn", "周旅舍").await;

    // Nothing shows before the refresh; everything after it.
    assert_eq!(public_report(&app, &day, &day).await["cases"], 0);
    assert!(matches!(refresh(&app).await, Refresh::Done { days, .. } if days >= 1));
    let report = public_report(&app, &day, &day).await;
    assert_eq!(report["cases"], 4);
    assert_eq!(report["instant"], 1);
    assert_eq!(report["decided"], 2);
    assert_eq!(report["on_time"], 2);
    assert_eq!(report["refused"], 1);
    assert_eq!(report["issued_cases"], 2);
    assert_eq!(report["issued_in_period"], 2);
    assert_eq!(tally(&report, "by_status", "issued"), 2);
    assert_eq!(tally(&report, "by_status", "refused"), 1);
    assert_eq!(tally(&report, "by_status", "submitted"), 1);
    // The restaurant bundle includes business registration too.
    assert_eq!(tally(&report, "by_item", "SCJG-XK-001"), 4);
    assert_eq!(tally(&report, "by_department", "D01-SCJG"), 4);
    assert_eq!(tally(&report, "by_department", "D07-CGJ"), 3);
    assert_eq!(
        tally(&report, "by_centre", "C00-QU"),
        1,
        "accepted at the hall"
    );
    assert_eq!(tally(&report, "by_centre", ""), 1, "accepted by the rules");
    assert_eq!(tally(&report, "refusals", "not_our_competence"), 1);
    assert_eq!(stage(&report, "to_licence")["cases"], 2);
    assert_eq!(stage(&report, "in_back_office")["cases"], 2);
    assert!(stage(&report, "to_licence")["median_ms"].as_i64().is_some());
    let per_day = report["per_day"].as_array().expect("days");
    assert_eq!(per_day.len(), 1);
    assert_eq!(per_day[0]["submitted"], 4);
    assert_eq!(per_day[0]["issued"], 2);
    let binned: i64 = report["to_licence_distribution"]
        .as_array()
        .expect("bins")
        .iter()
        .map(|bin| bin["value"].as_i64().expect("count"))
        .sum();
    assert_eq!(binned, 2, "every licensed case in one bin");
    assert!(
        report["staff"].is_null(),
        "the public sees no staff figures"
    );

    // The dashboard: staff figures for admins only.
    for client in [browser(), instant.clone(), desk.client.clone()] {
        let refused = app
            .post_fn_as(
                &client,
                "statistics/dashboard",
                &[("from", &day), ("to", &day)],
            )
            .await;
        assert!(
            [401, 403].contains(&refused.status),
            "{}: {}",
            refused.status,
            refused.body
        );
    }
    app.signed_in_admin().await;
    let dashboard = app
        .post_fn("statistics/dashboard", &[("from", &day), ("to", &day)])
        .await;
    assert_eq!(dashboard.status, 200, "{}", dashboard.body);
    let dashboard = dashboard.json();
    let workers = dashboard["staff"]["workers"].as_array().expect("workers");
    assert_eq!(workers.len(), 1, "{workers:?}");
    assert_eq!(workers[0]["accepted"], 1);
    assert_eq!(workers[0]["refused"], 1);
    let departments = dashboard["staff"]["departments"]
        .as_array()
        .expect("departments");
    assert_eq!(departments.len(), 2, "{departments:?}");
    assert!(departments.iter().all(|figure| figure["approved"] == 1));
    assert_eq!(
        dashboard["staff"]["approvers"].as_array().map(Vec::len),
        Some(2)
    );

    // Refreshing again changes no figure (only the time of the refresh).
    refresh(&app).await;
    let mut again = public_report(&app, &day, &day).await;
    let mut before = report;
    for report in [&mut again, &mut before] {
        report["refreshed_at"] = Value::Null;
    }
    assert_eq!(again, before);
}

#[tokio::test]
async fn a_generated_history_is_counted_exactly_as_a_recount_of_the_cases_says() {
    let app = spawn_app_with_demo().await;
    let plan = app::backend::history::HistoryPlan {
        cases: 900,
        days: 30,
        completed_only: false,
    };
    let written = app::backend::history::generate(&app.state, plan)
        .await
        .expect("generating");
    assert_eq!(written, 900);
    assert!(matches!(refresh(&app).await, Refresh::Done { days, .. } if days >= 30));
    let today = Day::of_china_ms(app::backend::now_ms());
    let (from, to) = (today.plus_days(-30).to_string(), today.to_string());
    let report = public_report(&app, &from, &to).await;
    let pool = app.state.db.pool();
    let count = |sql: &'static str| async move {
        sqlx::query_scalar::<_, i64>(sql)
            .fetch_one(pool)
            .await
            .expect(sql)
    };
    assert_eq!(report["cases"], 900);
    let statuses: Vec<(String, i64)> =
        sqlx::query_as("SELECT status, COUNT(*) FROM cases GROUP BY status")
            .fetch_all(pool)
            .await
            .expect("statuses");
    assert!(statuses.len() >= 6, "a varied history: {statuses:?}");
    for (status, cases) in &statuses {
        assert_eq!(tally(&report, "by_status", status), *cases, "{status}");
    }
    assert_eq!(
        report["instant"],
        count("SELECT COUNT(*) FROM case_events WHERE kind = 'accepted' AND actor_role = 'system'")
            .await
    );
    assert_eq!(
        report["multi_notice"],
        count(
            "SELECT COUNT(*) FROM (SELECT case_id FROM case_events WHERE kind = 'returned' \
             GROUP BY case_id HAVING COUNT(*) > 1) AS x"
        )
        .await
    );
    assert_eq!(
        report["issued_in_period"],
        count("SELECT COUNT(*) FROM case_events WHERE kind = 'issued'").await
    );
    assert_eq!(
        report["refused"],
        count("SELECT COUNT(*) FROM cases WHERE status = 'refused'").await
    );
    let submitted: i64 = report["per_day"]
        .as_array()
        .expect("days")
        .iter()
        .map(|day| day["submitted"].as_i64().expect("count"))
        .sum();
    assert_eq!(submitted, 900);
    assert!(report["multi_notice"].as_i64() < report["returned"].as_i64());
    let median = stage(&report, "to_licence")["median_ms"]
        .as_i64()
        .expect("a median");
    let p90 = stage(&report, "to_licence")["p90_ms"]
        .as_i64()
        .expect("a p90");
    assert!(0 < median && median <= p90, "{median} {p90}");
    // The generated cases keep the audit chain whole.
    let mut conn = pool.acquire().await.expect("connection");
    app::backend::audit::verify_chain(&mut conn)
        .await
        .expect("the audit chain verifies");
    drop(conn);

    // A new case today changes only today's figures.
    let applicant = verified_applicant(&app, "late@example.cn", Some("王开店")).await;
    file(&app, &applicant, "late@example.cn", "item", "SCJG-XK-001").await;
    assert!(
        matches!(refresh(&app).await, Refresh::Done { days, .. } if (1..30).contains(&days)),
        "only the days that changed (and the last two minutes) are recomputed"
    );
    let after = public_report(&app, &from, &to).await;
    assert_eq!(after["cases"], 901);
}

#[tokio::test]
async fn a_refresh_waits_for_the_lease_another_node_holds() {
    let app = spawn_app_with_demo().await;
    let now = app::backend::now_ms();
    let mut conn = app.state.db.pool().acquire().await.expect("connection");
    let taken = app::backend::db::statistics::take_lease(&mut conn, now, now + 60_000)
        .await
        .expect("taking the lease");
    assert!(taken.is_some(), "the lease was free");
    assert_eq!(refresh(&app).await, Refresh::Busy);
    app::backend::db::statistics::release_lease(&mut conn)
        .await
        .expect("releasing");
    drop(conn);
    assert!(matches!(refresh(&app).await, Refresh::Done { .. }));
}

#[tokio::test]
async fn csv_downloads_hold_the_figures_and_the_staff_csv_is_for_admins() {
    let app = spawn_app_with_demo().await;
    let applicant = verified_applicant(&app, "csv@example.cn", Some("李美味")).await;
    file(&app, &applicant, "csv@example.cn", "item", "SCJG-XK-001").await;
    refresh(&app).await;
    let day = today();
    let response = browser()
        .get(app.url(&format!("/statistics.csv?from={day}&to={day}")))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status().as_u16(), 200);
    assert!(
        response
            .headers()
            .get("content-type")
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| value.starts_with("text/csv"))
    );
    let body = response.text().await.expect("body");
    let mut reader = csv::Reader::from_reader(body.trim_start_matches('\u{feff}').as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(|row| row.expect("a row")).collect();
    let value_of = |section: &str, code: &str| {
        rows.iter()
            .find(|row| &row[0] == section && &row[1] == code)
            .map(|row| row[3].to_owned())
    };
    assert_eq!(value_of("key_figures", "cases").as_deref(), Some("1"));
    assert_eq!(value_of("key_figures", "instant").as_deref(), Some("1"));
    assert_eq!(value_of("status", "issued").as_deref(), Some("1"));
    assert!(rows.iter().all(|row| !row[0].starts_with("worker")));
    let staff_csv = browser()
        .get(app.url("/admin/statistics.csv"))
        .send()
        .await
        .expect("request");
    assert_eq!(staff_csv.status().as_u16(), 401);
}

#[tokio::test]
async fn a_bad_period_is_refused_naming_the_field() {
    let app = spawn_app_with_demo().await;
    for (from, to, field, problem) in [
        ("2026-13-01", "", "PeriodFrom", "NotADate"),
        ("", "tomorrow", "PeriodTo", "NotADate"),
        ("2026-12-05", "2026-12-04", "PeriodFrom", "PeriodReversed"),
        ("1990-01-01", "2026-12-04", "PeriodFrom", "PeriodTooLong"),
    ] {
        let reply = app
            .post_fn("statistics/public", &[("from", from), ("to", to)])
            .await;
        assert_eq!(reply.status, 422, "{from}/{to}: {}", reply.body);
        assert_eq!(error_kind(&reply.json()), "Invalid");
        assert_eq!(
            field_problems(&reply.json()),
            vec![(field.to_owned(), problem.to_owned())]
        );
    }
    let csv = browser()
        .get(app.url("/statistics.csv?from=2026-12-05&to=2026-12-04"))
        .send()
        .await
        .expect("request");
    assert_eq!(csv.status().as_u16(), 422);
}
