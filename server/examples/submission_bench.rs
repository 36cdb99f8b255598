//! Applicant-journey benchmark, server-side:
//! 1. form validation: the rules of a 40-field bundle form checked against filled values
//!    (the same `FormLayout::problems` the browser and the server run), p50 / p99;
//! 2. submissions: N filled drafts of the 开办餐饮店 bundle (materials and signed letter on
//!    record) submitted by C concurrent tasks, each submission one transaction (form rules,
//!    required materials, the letter rendered again and its signature checked, credit
//!    re-check, case number, case, 3 pinned item versions, timeline entry, audit entry,
//!    notification, acknowledgement mail), throughput and p50 / p99.
//!
//! ```sh
//! cargo run --release -p server --example submission_bench -- 2000 8            # SQLite
//! cargo run --release -p server --example submission_bench -- 2000 8 postgres://postgres@127.0.0.1:5432/postgres
//! ```
//! Figures go to `docs/benchmarks.md`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use app::backend::audit::Actor;
use app::backend::auth::session::CurrentUser;
use app::backend::db::identity;
use app::backend::services::applications;
use app::domain::Role;
use app::domain::application::LaidOutField;
use app::domain::case::TargetKind;

#[path = "support/drafts.rs"]
mod drafts;
#[path = "support/mod.rs"]
mod support;

use drafts::{complete_materials_and_signature, filled};

use support::percentile;

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let count: usize = args
        .next()
        .as_deref()
        .unwrap_or("2000")
        .parse()
        .context("count")?;
    let concurrency: usize = args
        .next()
        .as_deref()
        .unwrap_or("8")
        .parse()
        .context("tasks")?;
    let database = support::BenchDatabase::create(args.next()).await?;
    let (state, label) = (database.state.clone(), database.label);

    // 1. Validation of a 40-field form: the bundle's fields, repeated under new names up to 40.
    let people = app::backend::demo::people();
    let resident_id = people
        .iter()
        .find(|person| person.name == "王开店")
        .map(|person| person.resident_id.clone())
        .context("demo person")?;
    let mut conn = state.db.pool().acquire().await?;
    let bundle = applications::load_target(&mut conn, TargetKind::Bundle, "YJS-CANYIN")
        .await
        .map_err(|error| anyhow::anyhow!("bundle: {error}"))?;
    drop(conn);
    let mut layout = bundle.layout.clone();
    let base: Vec<LaidOutField> = layout.fields().cloned().collect();
    let mut copy = 0;
    while layout.fields().count() < 40 {
        let mut extra = base[copy % base.len()].clone();
        extra.name = format!("extra{copy}/{}", extra.name);
        if let Some(section) = layout.sections.last_mut() {
            section.fields.push(extra);
        }
        copy += 1;
    }
    let values = filled(&layout, &resident_id);
    anyhow::ensure!(
        layout.problems(&values).is_empty(),
        "the filled form must pass"
    );
    let mut checks = Vec::with_capacity(10_000);
    for _ in 0..10_000 {
        let started = Instant::now();
        std::hint::black_box(layout.problems(std::hint::black_box(&values)));
        checks.push(started.elapsed());
    }
    checks.sort();
    println!(
        "validation of a {}-field form: p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms (10,000 runs)",
        layout.fields().count(),
        ms(percentile(&checks, 0.5)),
        ms(percentile(&checks, 0.99)),
        ms(*checks.last().unwrap_or(&Duration::ZERO)),
    );

    // 2. Submissions by one verified applicant (a busy 代办 account) of `count` drafts.
    let user_id: i64 = {
        let mut conn = state.db.pool().acquire().await?;
        let user = app::backend::db::accounts::find_by_login(&mut conn, "13800138000")
            .await?
            .context("demo applicant")?;
        identity::confirm_contact(&mut conn, user.id, app::backend::now_ms()).await?;
        user.id
    };
    let user = CurrentUser {
        user_id,
        session_id: "bench".into(),
        role: Role::Applicant,
    };
    let actor = Actor::user(user_id, None);
    let known = {
        let mut conn = state.db.pool().acquire().await?;
        identity::identity(&mut conn, user_id).await?
    };
    let own_id = known.resident_id.context("demo applicant is verified")?;
    let bundle_values = filled(&bundle.layout, &own_id);
    // Materials and the signed letter are set up directly in the database (their upload and
    // signing have their own tests); what is measured is the submission with all its checks.
    let mut key_id: Option<i64> = None;
    let mut drafts = Vec::with_capacity(count);
    for _ in 0..count {
        let draft = applications::start(&state, &actor, &user, TargetKind::Bundle, "YJS-CANYIN")
            .await
            .map_err(|error| anyhow::anyhow!("start: {error}"))?;
        applications::save(
            &state,
            &user,
            &draft.draft_id,
            draft.revision,
            &bundle_values,
        )
        .await
        .map_err(|error| anyhow::anyhow!("save: {error}"))?;
        complete_materials_and_signature(
            &state,
            user_id,
            &draft.draft_id,
            (TargetKind::Bundle, "YJS-CANYIN"),
            &mut key_id,
        )
        .await?;
        drafts.push(draft.draft_id);
    }
    let queue = Arc::new(std::sync::Mutex::new(drafts));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let queue = Arc::clone(&queue);
        let state = state.clone();
        let user = user.clone();
        let actor = actor.clone();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let next = queue.lock().ok().and_then(|mut queue| queue.pop());
                let Some(draft_id) = next else { break };
                let one = Instant::now();
                applications::submit(&state, &actor, &user, &draft_id)
                    .await
                    .map_err(|error| anyhow::anyhow!("submit: {error}"))?;
                latencies.push(one.elapsed());
            }
            anyhow::Ok(latencies)
        }));
    }
    let mut latencies = Vec::with_capacity(count);
    for task in tasks {
        latencies.extend(task.await??);
    }
    let elapsed = started.elapsed();
    latencies.sort();
    println!(
        "{label}: {count} submissions by {concurrency} tasks in {:.2} s = {:.0} per second; \
         p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        elapsed.as_secs_f64(),
        count as f64 / elapsed.as_secs_f64(),
        ms(percentile(&latencies, 0.5)),
        ms(percentile(&latencies, 0.99)),
        ms(*latencies.last().unwrap_or(&Duration::ZERO)),
    );
    let cases: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM cases")
        .fetch_one(state.db.pool())
        .await?;
    anyhow::ensure!(
        cases as usize == count,
        "{cases} cases for {count} submissions"
    );
    database.finish().await?;
    Ok(())
}
