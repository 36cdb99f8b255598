//! Back-office benchmark, server-side:
//! 1. queues at scale: N cases (default 1,000,000) with three approval tasks each (3,000,000),
//!    5 % of cases waiting at the front desk and 10 % in approval, spread over the catalogue's
//!    items; the first page (50 rows) of the front-desk queue and of a department's queue,
//!    unfiltered and filtered, through the same service functions the pages call, p50 / p99;
//! 2. decisions: D independent open tasks approved by C concurrent tasks, each decision one
//!    transaction (compare-and-set, timeline, audit entry, outcome check), throughput.
//!
//! ```sh
//! cargo run --release -p server --example queue_bench -- 1000000 2000 8            # SQLite
//! cargo run --release -p server --example queue_bench -- 1000000 2000 8 postgres://postgres@127.0.0.1:5432/postgres
//! ```
//! Figures go to `docs/benchmarks.md`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use app::api::{DeskQueueQuery, TaskQueueQuery, TaskVerdict};
use app::backend::audit::Actor;
use app::backend::auth::session::CurrentUser;
use app::backend::db::DbKind;
use app::backend::services::back_office;
use app::domain::Role;

#[path = "support/mod.rs"]
mod support;

use support::percentile;

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}

/// The rows `1..=count` as a query source, in each dialect.
fn series(kind: DbKind, count: usize) -> String {
    match kind {
        DbKind::Sqlite => format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {count}) SELECT i FROM n"
        ),
        DbKind::Postgres => {
            format!("SELECT i FROM generate_series(CAST(1 AS BIGINT), {count}) AS n(i)")
        }
    }
}

async fn exec(state: &app::backend::AppState, sql: String) -> anyhow::Result<()> {
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.clone()))
        .execute(state.db.pool())
        .await
        .with_context(|| sql.chars().take(120).collect::<String>())?;
    Ok(())
}

/// A staff account with its department or centre, as the services see it.
async fn staff(
    state: &app::backend::AppState,
    login: &str,
    role: Role,
    department: Option<&str>,
    centre: Option<&str>,
) -> anyhow::Result<CurrentUser> {
    let now = app::backend::now_ms();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO users (login, login_kind, display_name, password_hash, role, department_id, \
         service_centre_id, created_at, updated_at) VALUES ($1, 'email', '基准', 'x', $2, \
         (SELECT id FROM departments WHERE code = $3), (SELECT id FROM service_centres WHERE code = $4), $5, $5) \
         RETURNING id",
    )
    .bind(login)
    .bind(role.code())
    .bind(department)
    .bind(centre)
    .bind(now)
    .fetch_one(state.db.pool())
    .await?;
    Ok(CurrentUser {
        user_id: id,
        session_id: "bench".into(),
        role,
    })
}

/// Fills the database: `count` drafts and cases, one pinned item and department each, three
/// tasks per case.
async fn generate(state: &app::backend::AppState, count: usize) -> anyhow::Result<()> {
    let kind = state.db.kind();
    let now = app::backend::now_ms();
    let applicant = staff(
        state,
        "bench-applicant@example.cn",
        Role::Applicant,
        None,
        None,
    )
    .await?;
    // The published items, numbered from 0, with their department.
    exec(
        state,
        "CREATE TABLE bench_items AS SELECT ROW_NUMBER() OVER (ORDER BY v.code) - 1 AS k, v.code, \
         v.version FROM service_item_versions v WHERE v.version = 1"
            .into(),
    )
    .await?;
    let items: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM bench_items")
        .fetch_one(state.db.pool())
        .await?;
    let series = series(kind, count);
    let day = 86_400_000_i64;
    exec(
        state,
        format!(
            "INSERT INTO drafts (public_id, applicant_id, target_kind, target_code, form_values, revision, \
             created_at, updated_at) SELECT 'bench-' || i, {applicant}, 'item', 'X', '{{}}', 1, {now}, {now} \
             FROM ({series}) AS s",
            applicant = applicant.user_id
        ),
    )
    .await?;
    // Status by i: every 20th waits at the desk, every 10th (else) is in approval.
    exec(
        state,
        format!(
            "INSERT INTO cases (number, applicant_id, draft_id, target_kind, target_code, title_zh, title_en, \
             status, form_values, identity_level, credit_level, credit_detail, needs_front_desk, \
             submitted_at, updated_at, waiting_since, promised_days, accept_due_at, deadline_on, deadline_at) \
             SELECT 'QX-2025-' || i, d.applicant_id, d.id, 'item', 'X', '基准', 'bench', \
             CASE WHEN i % 20 = 0 THEN 'submitted' WHEN i % 10 = 0 THEN 'in_approval' ELSE 'approved' END, \
             '{{}}', 'L2', CASE WHEN i % 97 = 0 THEN 'warn' ELSE 'clear' END, '[]', 0, \
             {now} - i * 1000, {now} - i * 1000, {now} - i * 1000, 5, {now} + (i % 7) * {day}, \
             '2026-12-31', {now} + (i % 30) * {day} \
             FROM ({series}) AS s JOIN drafts d ON d.public_id = 'bench-' || i"
        ),
    )
    .await?;
    exec(
        state,
        format!(
            "INSERT INTO case_items (case_id, item_code, item_version) \
             SELECT c.id, b.code, b.version FROM cases c JOIN bench_items b ON b.k = (c.id / 3) % {items} \
             WHERE c.target_code = 'X'"
        ),
    )
    .await?;
    exec(
        state,
        "INSERT INTO case_departments (case_id, department_code) \
         SELECT c.id, 'D01-SCJG' FROM cases c WHERE c.target_code = 'X'"
            .into(),
    )
    .await?;
    for (index, department) in ["D01-SCJG", "D02-WJW", "D07-CGJ"].iter().enumerate() {
        exec(
            state,
            format!(
                "INSERT INTO approval_tasks (public_id, case_id, department_code, status, promised_days, \
                 due_on, due_at, created_at, updated_at) \
                 SELECT 'bt-{index}-' || c.id, c.id, '{department}', \
                 CASE WHEN c.status = 'in_approval' THEN 'open' ELSE 'approved' END, 5, '2026-12-31', \
                 {now} + (c.id % 30) * {day}, {now}, {now} FROM cases c \
                 WHERE c.target_code = 'X' AND c.status <> 'submitted'"
            ),
        )
        .await?;
    }
    exec(
        state,
        "INSERT INTO pending_task_items (task_id, item_code, department_code, due_at) \
         SELECT t.id, ci.item_code, t.department_code, t.due_at FROM approval_tasks t \
         JOIN case_items ci ON ci.case_id = t.case_id WHERE t.status = 'open'"
            .into(),
    )
    .await?;
    // Desk-queue cases have no tasks yet; give every case three all the same for the count.
    exec(
        state,
        format!(
            "INSERT INTO approval_tasks (public_id, case_id, department_code, status, promised_days, \
             due_on, due_at, created_at, updated_at) \
             SELECT 'bt-x-' || c.id || '-' || d.code, c.id, d.code, 'moot', 5, '2026-12-31', {now}, {now}, {now} \
             FROM cases c CROSS JOIN (SELECT code FROM departments WHERE code IN ('D03-ZJJ', 'D04-RSJ', 'D05-MZJ')) d \
             WHERE c.target_code = 'X' AND c.status = 'submitted'"
        ),
    )
    .await?;
    match kind {
        DbKind::Sqlite => exec(state, "ANALYZE".into()).await?,
        // As autovacuum would have done on a live database: statistics and the visibility map
        // (index-only scans).
        DbKind::Postgres => exec(state, "VACUUM ANALYZE".into()).await?,
    }
    Ok(())
}

async fn measure<F, Fut>(label: &str, runs: usize, mut run: F) -> anyhow::Result<()>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<usize>>,
{
    let mut times = Vec::with_capacity(runs);
    let mut rows = 0;
    for _ in 0..runs {
        let started = Instant::now();
        rows = run().await?;
        times.push(started.elapsed());
    }
    times.sort();
    println!(
        "| {label} | {rows} | {:.2} | {:.2} |",
        ms(percentile(&times, 0.5)),
        ms(percentile(&times, 0.99))
    );
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let count: usize = args
        .next()
        .as_deref()
        .unwrap_or("1000000")
        .parse()
        .context("cases")?;
    let decisions: usize = args
        .next()
        .as_deref()
        .unwrap_or("2000")
        .parse()
        .context("decisions")?;
    let concurrency: usize = args
        .next()
        .as_deref()
        .unwrap_or("8")
        .parse()
        .context("tasks")?;
    let database = support::BenchDatabase::create(args.next()).await?;
    let (state, label) = (database.state.clone(), database.label);

    let started = Instant::now();
    generate(&state, count).await?;
    let (cases, tasks): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM cases), (SELECT COUNT(*) FROM approval_tasks)",
    )
    .fetch_one(state.db.pool())
    .await?;
    println!(
        "{label}: {cases} cases, {tasks} tasks generated in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    if let Ok(sql) = std::env::var("BENCH_EXPLAIN") {
        // A diagnosis aid: the plan of one statement on the generated data.
        let prefix = match state.db.kind() {
            DbKind::Sqlite => "EXPLAIN QUERY PLAN ",
            DbKind::Postgres => "EXPLAIN ANALYZE ",
        };
        for statement in sql.split(";;") {
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!("{prefix}{statement}")))
                .fetch_all(state.db.pool())
                .await?;
            for row in rows {
                use sqlx::Row as _;
                let line: String = row.try_get(row.len() - 1).unwrap_or_default();
                println!("  {line}");
            }
            println!();
        }
    }
    let worker = staff(
        &state,
        "bench-desk@example.cn",
        Role::FrontDesk,
        None,
        Some("C00-QU"),
    )
    .await?;
    let approver = staff(
        &state,
        "bench-scjg@example.cn",
        Role::Approver,
        Some("D01-SCJG"),
        None,
    )
    .await?;
    let runs = 200;
    println!("| query ({label}) | rows | p50 ms | p99 ms |\n|---|---|---|---|");
    let desk = |query: DeskQueueQuery| {
        let (state, worker) = (state.clone(), worker.clone());
        move || {
            let (state, worker, query) = (state.clone(), worker.clone(), query.clone());
            async move {
                let page = back_office::desk_queue(&state, &worker, &query)
                    .await
                    .map_err(|error| anyhow::anyhow!("desk queue: {error}"))?;
                Ok(page.entries.len())
            }
        }
    };
    measure(
        "desk queue, first page",
        runs,
        desk(DeskQueueQuery::default()),
    )
    .await?;
    measure(
        "desk queue, item SCJG-XK-007",
        runs,
        desk(DeskQueueQuery {
            item: Some("SCJG-XK-007".into()),
            ..DeskQueueQuery::default()
        }),
    )
    .await?;
    measure(
        "desk queue, department D01-SCJG",
        runs,
        desk(DeskQueueQuery {
            department: Some("D01-SCJG".into()),
            ..DeskQueueQuery::default()
        }),
    )
    .await?;
    measure(
        "desk queue, credit warning",
        runs,
        desk(DeskQueueQuery {
            credit_warning: true,
            ..DeskQueueQuery::default()
        }),
    )
    .await?;
    measure(
        "desk queue, waited ≥ 3 days and due soon",
        runs,
        desk(DeskQueueQuery {
            waited_days: Some(3),
            due_soon: true,
            ..DeskQueueQuery::default()
        }),
    )
    .await?;
    let approvals = |query: TaskQueueQuery| {
        let (state, approver) = (state.clone(), approver.clone());
        move || {
            let (state, approver, query) = (state.clone(), approver.clone(), query.clone());
            async move {
                let page = back_office::task_queue(&state, &approver, &query)
                    .await
                    .map_err(|error| anyhow::anyhow!("task queue: {error}"))?;
                Ok(page.entries.len())
            }
        }
    };
    measure(
        "approver queue (D01-SCJG), first page",
        runs,
        approvals(TaskQueueQuery::default()),
    )
    .await?;
    measure(
        "approver queue, item SCJG-XK-007",
        runs,
        approvals(TaskQueueQuery {
            item: Some("SCJG-XK-007".into()),
            ..TaskQueueQuery::default()
        }),
    )
    .await?;
    measure(
        "approver queue, due soon",
        runs,
        approvals(TaskQueueQuery {
            due_soon: true,
            ..TaskQueueQuery::default()
        }),
    )
    .await?;

    // Decisions: distinct open tasks of D01-SCJG, approved concurrently.
    let open: Vec<String> = sqlx::query_scalar(
        "SELECT public_id FROM approval_tasks WHERE department_code = 'D01-SCJG' AND status = 'open' \
         ORDER BY id LIMIT $1",
    )
    .bind(i64::try_from(decisions)?)
    .fetch_all(state.db.pool())
    .await?;
    let queue = Arc::new(tokio::sync::Mutex::new(open));
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let (state, approver, queue) = (state.clone(), approver.clone(), Arc::clone(&queue));
        workers.push(tokio::spawn(async move {
            let mut times = Vec::new();
            loop {
                let Some(task) = queue.lock().await.pop() else {
                    break;
                };
                let begun = Instant::now();
                back_office::decide_task(
                    &state,
                    &Actor::user(approver.user_id, None),
                    &approver,
                    &task,
                    TaskVerdict::Approve,
                    "符合条件，同意。",
                )
                .await
                .map_err(|error| anyhow::anyhow!("deciding {task}: {error}"))?;
                times.push(begun.elapsed());
            }
            anyhow::Ok(times)
        }));
    }
    let mut times = Vec::new();
    for worker in workers {
        times.extend(worker.await??);
    }
    let elapsed = started.elapsed();
    times.sort();
    println!(
        "{label}: {} decisions by {concurrency} tasks in {:.2} s = {:.0}/s, p50 {:.2} ms, p99 {:.2} ms",
        times.len(),
        elapsed.as_secs_f64(),
        times.len() as f64 / elapsed.as_secs_f64(),
        ms(percentile(&times, 0.5)),
        ms(percentile(&times, 0.99)),
    );
    database.finish().await
}
