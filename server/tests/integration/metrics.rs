//! `/metrics`: requests are counted by route template (never the raw path) and status class,
//! with their latency; the database figures follow the data (a submitted case is one case in
//! the desk queue, acceptance opens one task per department, issuance one inspection, and
//! each kind of overdue work is counted once its deadline has passed); access needs a local,
//! unforwarded client or, when configured, the bearer token.

use std::collections::BTreeMap;

use crate::common::back_office::{
    accept, approver, claim, decide, desk_worker, restaurant_case, status_of, tasks_of,
};
use crate::common::{Options, TestApp, bare_client, spawn_app_with, spawn_app_with_demo};

/// One sample of the text format: metric name, labels, value.
#[derive(Debug)]
struct Sample {
    name: String,
    labels: BTreeMap<String, String>,
    value: f64,
}

/// Reads the samples of a text-format exposition (comments skipped).
fn parse(text: &str) -> Vec<Sample> {
    let mut samples = Vec::new();
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let (series, value) = line.rsplit_once(' ').expect("`series value`");
        let value: f64 = value.parse().expect("a number");
        let (name, mut rest) = match series.find('{') {
            Some(brace) => (&series[..brace], &series[brace + 1..]),
            None => (series, ""),
        };
        let mut labels = BTreeMap::new();
        while let Some((key, after)) = rest.split_once("=\"") {
            let mut value = String::new();
            let mut chars = after.char_indices();
            let mut end = after.len();
            while let Some((index, c)) = chars.next() {
                match c {
                    '\\' => {
                        if let Some((_, escaped)) = chars.next() {
                            value.push(if escaped == 'n' { '\n' } else { escaped });
                        }
                    }
                    '"' => {
                        end = index + 1;
                        break;
                    }
                    other => value.push(other),
                }
            }
            labels.insert(key.trim_start_matches(',').to_owned(), value);
            rest = &after[end..];
        }
        samples.push(Sample {
            name: name.to_owned(),
            labels,
            value,
        });
    }
    samples
}

/// The value of the sample with this name and at least these labels (0 when absent).
fn value(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> f64 {
    samples
        .iter()
        .filter(|sample| sample.name == name)
        .find(|sample| {
            labels
                .iter()
                .all(|(key, value)| sample.labels.get(*key).map(String::as_str) == Some(*value))
        })
        .map_or(0.0, |sample| sample.value)
}

async fn scrape(app: &TestApp) -> Vec<Sample> {
    let reply = app.get(&bare_client(), "/metrics").await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(
        reply.header("content-type").as_deref(),
        Some("text/plain; version=0.0.4; charset=utf-8")
    );
    parse(&reply.body)
}

async fn count(app: &TestApp, table_and_condition: &str) -> f64 {
    #[expect(clippy::cast_precision_loss, reason = "test counts are small integers")]
    let counted = app.count(table_and_condition).await as f64;
    counted
}

#[tokio::test]
async fn requests_are_counted_by_route_template_and_the_gauges_follow_the_data() {
    let app = spawn_app_with_demo().await;
    let first = scrape(&app).await;
    assert_eq!(value(&first, "bjm_database_up", &[]), 1.0);
    for kind in ["acceptance", "approval_task", "case", "inspection"] {
        assert_eq!(
            value(&first, "bjm_overdue", &[("kind", kind)]),
            0.0,
            "{kind}"
        );
    }
    assert_eq!(value(&first, "bjm_desk_queue_cases", &[]), 0.0);
    assert_eq!(
        value(&first, "bjm_approval_tasks", &[("status", "open")]),
        0.0
    );

    // Requests: three health checks, a file asked for anonymously (a route with a parameter:
    // 401), a path no route matches.
    let client = bare_client();
    for _ in 0..3 {
        assert_eq!(app.get(&client, "/healthz").await.status, 200);
    }
    assert_eq!(app.get(&client, "/files/no-such-file").await.status, 401);
    assert_eq!(
        app.get(&client, "/definitely/not/a-page-7f3a").await.status,
        404
    );
    let second = scrape(&app).await;
    let requests = "bjm_http_requests_total";
    assert_eq!(
        value(
            &second,
            requests,
            &[("method", "GET"), ("route", "/healthz"), ("status", "2xx")]
        ),
        3.0
    );
    assert_eq!(
        value(
            &second,
            "bjm_http_request_duration_seconds_count",
            &[("route", "/healthz")]
        ),
        3.0
    );
    assert_eq!(
        value(
            &second,
            requests,
            &[("route", "/files/{id}"), ("status", "4xx")]
        ),
        1.0
    );
    assert!(
        value(
            &second,
            requests,
            &[("route", "unmatched"), ("status", "4xx")]
        ) >= 1.0
    );
    // The first scrape counted itself.
    assert_eq!(
        value(
            &second,
            requests,
            &[("route", "/metrics"), ("status", "2xx")]
        ),
        1.0
    );
    // No raw path became a label.
    for sample in &second {
        if let Some(route) = sample.labels.get("route") {
            assert!(
                !route.contains("no-such-file") && !route.contains("7f3a"),
                "raw path as a label: {sample:?}"
            );
        }
    }

    // A submitted case waits at the front desk; its mail waits in the outbox.
    let (_applicant, number) = restaurant_case(&app, "metrics@example.cn", "王开店").await;
    let third = scrape(&app).await;
    assert_eq!(value(&third, "bjm_desk_queue_cases", &[]), 1.0);
    let queued = count(&app, "outbox WHERE sent_at IS NULL AND last_error IS NULL").await;
    assert!(queued >= 1.0);
    assert_eq!(
        value(&third, "bjm_outbox_messages", &[("state", "queued")]),
        queued
    );
    assert_eq!(
        value(&third, "bjm_outbox_messages", &[("state", "failed")]),
        0.0
    );
    // Server functions are labelled by their own (registered) path.
    assert!(
        value(
            &third,
            requests,
            &[
                ("method", "POST"),
                ("route", "/api/identity/send-code"),
                ("status", "2xx")
            ]
        ) >= 1.0
    );

    // A failed delivery is counted apart.
    sqlx::query(
        "UPDATE outbox SET last_error = 'connection refused', attempts = 1 \
         WHERE id = (SELECT MIN(id) FROM outbox WHERE sent_at IS NULL)",
    )
    .execute(app.state.db.pool())
    .await
    .expect("a failed message");
    // Past its acceptance deadline, the case is overdue at the desk.
    sqlx::query("UPDATE cases SET accept_due_at = $2 WHERE number = $1")
        .bind(&number)
        .bind(app::backend::now_ms() - 1000)
        .execute(app.state.db.pool())
        .await
        .expect("deadline passed");
    let fourth = scrape(&app).await;
    assert_eq!(
        value(&fourth, "bjm_outbox_messages", &[("state", "failed")]),
        1.0
    );
    assert_eq!(
        value(&fourth, "bjm_outbox_messages", &[("state", "queued")]),
        queued - 1.0
    );
    assert!(value(&fourth, "bjm_outbox_oldest_undelivered_age_seconds", &[]) > 0.0);
    assert_eq!(
        value(&fourth, "bjm_overdue", &[("kind", "acceptance")]),
        1.0
    );

    // Accepted: no longer at the desk; one open task per department.
    let desk = desk_worker(&app, "desk.metrics@example.cn").await;
    assert_eq!(claim(&app, &desk, &number).await.status, 200);
    assert_eq!(accept(&app, &desk, &number).await.status, 200);
    let tasks = tasks_of(&app, &number).await;
    assert_eq!(tasks.len(), 2);
    sqlx::query("UPDATE approval_tasks SET due_at = 1 WHERE public_id = $1")
        .bind(&tasks[0].0)
        .execute(app.state.db.pool())
        .await
        .expect("task past due");
    sqlx::query("UPDATE cases SET deadline_at = 1 WHERE number = $1")
        .bind(&number)
        .execute(app.state.db.pool())
        .await
        .expect("case past due");
    let fifth = scrape(&app).await;
    assert_eq!(value(&fifth, "bjm_desk_queue_cases", &[]), 0.0);
    assert_eq!(value(&fifth, "bjm_overdue", &[("kind", "acceptance")]), 0.0);
    assert_eq!(
        value(&fifth, "bjm_approval_tasks", &[("status", "open")]),
        2.0
    );
    assert_eq!(
        value(&fifth, "bjm_overdue", &[("kind", "approval_task")]),
        1.0
    );
    assert_eq!(value(&fifth, "bjm_overdue", &[("kind", "case")]), 1.0);

    // Approved by both: issued, and the commitment-based licence waits for its inspection.
    let scjg = approver(&app, "scjg.metrics@example.cn", "D01-SCJG").await;
    let cgj = approver(&app, "cgj.metrics@example.cn", "D07-CGJ").await;
    for (who, task) in [(&scjg, &tasks[0].0), (&cgj, &tasks[1].0)] {
        assert_eq!(decide(&app, who, task, "approve", "同意").await.status, 200);
    }
    assert_eq!(status_of(&app, &number).await, "issued");
    let sixth = scrape(&app).await;
    assert_eq!(
        value(&sixth, "bjm_approval_tasks", &[("status", "open")]),
        0.0
    );
    assert_eq!(
        value(&sixth, "bjm_overdue", &[("kind", "approval_task")]),
        0.0
    );
    assert_eq!(value(&sixth, "bjm_overdue", &[("kind", "case")]), 0.0);
    let inspections = count(&app, "inspection_tasks WHERE status = 'open'").await;
    assert!(inspections >= 1.0);
    assert_eq!(
        value(&sixth, "bjm_inspection_tasks", &[("status", "open")]),
        inspections
    );
    assert_eq!(value(&sixth, "bjm_overdue", &[("kind", "inspection")]), 0.0);
    sqlx::query("UPDATE inspection_tasks SET due_on = '2000-01-03'")
        .execute(app.state.db.pool())
        .await
        .expect("inspection past due");
    let seventh = scrape(&app).await;
    assert_eq!(
        value(&seventh, "bjm_overdue", &[("kind", "inspection")]),
        inspections
    );
}

#[tokio::test]
async fn metrics_are_refused_to_forwarded_requests_and_need_the_token_when_one_is_set() {
    let open = spawn_app_with(Options::default()).await;
    // Loopback, but through a proxy: the client is somewhere else.
    for (name, value) in [
        ("x-forwarded-for", "203.0.113.7"),
        ("forwarded", "for=203.0.113.7"),
        ("x-real-ip", "203.0.113.7"),
    ] {
        let reply = bare_client()
            .get(open.url("/metrics"))
            .header(name, value)
            .send()
            .await
            .expect("request");
        assert_eq!(reply.status().as_u16(), 403, "{name}");
    }

    let guarded = spawn_app_with(Options {
        tweak: |config| config.set_metrics_token("scrape-2026-token"),
        ..Options::default()
    })
    .await;
    let anonymous = guarded.get(&bare_client(), "/metrics").await;
    assert_eq!(anonymous.status, 401);
    assert_eq!(
        anonymous.header("www-authenticate").as_deref(),
        Some("Bearer")
    );
    let wrong = bare_client()
        .get(guarded.url("/metrics"))
        .bearer_auth("scrape-2026-tokem")
        .send()
        .await
        .expect("request");
    assert_eq!(wrong.status().as_u16(), 401);
    let right = bare_client()
        .get(guarded.url("/metrics"))
        .bearer_auth("scrape-2026-token")
        .header("x-forwarded-for", "203.0.113.7")
        .send()
        .await
        .expect("request");
    assert_eq!(right.status().as_u16(), 200);
    let text = right.text().await.expect("body");
    assert!(text.contains("bjm_database_up 1"), "{text}");
}
