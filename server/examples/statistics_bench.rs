//! Statistics benchmark, server-side: a generated history of N cases over D days (the same
//! generator as `server generate-history`), the first full refresh of the rollups, then the
//! report the dashboard loads (with the staff figures), for the last 30 days and the whole
//! year, R times each (p50 / p99), and one incremental refresh after a new day's change.
//!
//! ```sh
//! cargo run --release -p server --example statistics_bench -- 1000000 365 50            # SQLite
//! cargo run --release -p server --example statistics_bench -- 1000000 365 50 postgres://postgres@127.0.0.1:5432/postgres
//! ```
//! Figures go to `docs/benchmarks.md`.

use std::time::{Duration, Instant};

use app::backend::history::{self, HistoryPlan};
use app::backend::services::statistics;
use app::domain::calendar::Day;
use app::domain::statistics::Period;

#[path = "support/mod.rs"]
mod support;

use support::percentile;

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let cases: u32 = args.get(1).map_or(Ok(1_000_000), |a| a.parse())?;
    let days: u32 = args.get(2).map_or(Ok(365), |a| a.parse())?;
    let runs: usize = args.get(3).map_or(Ok(50), |a| a.parse())?;
    let database = support::BenchDatabase::create(args.get(4).cloned()).await?;
    let state = &database.state;
    println!("{}: {cases} cases over {days} days", database.label);

    let started = Instant::now();
    let plan = HistoryPlan {
        cases,
        days,
        completed_only: false,
    };
    history::generate(state, plan).await?;
    println!("generated in {:.1} s", started.elapsed().as_secs_f64());

    let started = Instant::now();
    let refreshed = statistics::refresh(state)
        .await
        .map_err(|error| anyhow::anyhow!("{error}"))?;
    println!(
        "first refresh (every day): {:.1} s, {refreshed:?}",
        started.elapsed().as_secs_f64()
    );

    let today = Day::of_china_ms(app::backend::now_ms());
    for (label, length) in [("last 30 days", 30), ("last 365 days", 365)] {
        let period = Period {
            from: today.plus_days(1 - length),
            to: today,
        };
        let mut times = Vec::with_capacity(runs);
        let mut cases_seen = 0;
        for _ in 0..runs {
            let started = Instant::now();
            let report = statistics::report(state, period, true)
                .await
                .map_err(|error| anyhow::anyhow!("{error}"))?;
            times.push(started.elapsed());
            cases_seen = report.cases;
        }
        times.sort();
        println!(
            "dashboard report, {label} ({cases_seen} cases): p50 {:.2} ms, p99 {:.2} ms",
            ms(percentile(&times, 0.5)),
            ms(percentile(&times, 0.99))
        );
    }

    // One more case today, then the incremental refresh.
    history::generate(
        state,
        HistoryPlan {
            cases: 1,
            days: 1,
            completed_only: true,
        },
    )
    .await?;
    let started = Instant::now();
    let refreshed = statistics::refresh(state)
        .await
        .map_err(|error| anyhow::anyhow!("{error}"))?;
    println!(
        "incremental refresh: {:.1} ms, {refreshed:?}",
        ms(started.elapsed())
    );
    database.finish().await
}
