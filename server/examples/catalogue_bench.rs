//! Catalogue benchmark: imports a generated catalogue of N items (variations of the demo items)
//! into a fresh database and measures, server-side, the import time and the latency of a mix of
//! searches and filters (p50 / p99 / max).
//!
//! ```sh
//! cargo run --release -p server --example catalogue_bench -- 3600            # SQLite
//! cargo run --release -p server --example catalogue_bench -- 3600 postgres://postgres@127.0.0.1:5432/postgres
//! ```
//! Figures go to `docs/benchmarks.md`.

use std::time::Instant;

use anyhow::Context as _;
use app::api::CatalogueQuery;
use app::backend::audit::Actor;
use app::backend::services::catalogue;
use app::domain::catalogue::Catalogue;

fn generated(count: usize) -> anyhow::Result<Catalogue> {
    let seed = app::backend::seed_catalogue::demo_catalogue()?;
    let items = (0..count)
        .map(|index| {
            let mut item = seed.items[index % seed.items.len()].clone();
            item.code = format!("GEN-{index:06}");
            item.name.zh = format!("{}（{}）", item.name.zh, index / seed.items.len());
            item.name.en = format!("{} ({})", item.name.en, index / seed.items.len());
            item
        })
        .collect();
    Ok(Catalogue {
        items,
        bundles: Vec::new(),
    })
}

#[path = "support/mod.rs"]
mod support;

use support::percentile;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let count: usize = args
        .next()
        .as_deref()
        .unwrap_or("3600")
        .parse()
        .context("item count")?;
    let database = support::BenchDatabase::create(args.next()).await?;
    let (state, label) = (database.state.clone(), database.label);

    let catalogue = generated(count)?;
    let started = Instant::now();
    let report = catalogue::import(&state, &Actor::system("bench"), &catalogue, true)
        .await
        .map_err(|error| anyhow::anyhow!("import: {error}"))?;
    let import_time = started.elapsed();
    anyhow::ensure!(
        report.created as usize == count,
        "imported {} of {count}",
        report.created
    );

    let queries: Vec<CatalogueQuery> = vec![
        CatalogueQuery::default(),
        CatalogueQuery {
            q: "餐饮".into(),
            ..Default::default()
        },
        CatalogueQuery {
            q: "营业执照".into(),
            ..Default::default()
        },
        CatalogueQuery {
            q: "许可".into(),
            online: "fully_online".into(),
            ..Default::default()
        },
        CatalogueQuery {
            q: "GEN-0001".into(),
            ..Default::default()
        },
        CatalogueQuery {
            q: "卫生 许可".into(),
            commitment: true,
            ..Default::default()
        },
        CatalogueQuery {
            q: "不存在的词".into(),
            ..Default::default()
        },
        CatalogueQuery {
            department: "D01-SCJG".into(),
            instant: true,
            ..Default::default()
        },
        CatalogueQuery {
            kind: "public_service".into(),
            page: 3,
            ..Default::default()
        },
        CatalogueQuery {
            q: "archive".into(),
            ..Default::default()
        },
    ];
    let rounds: usize = std::env::var("BENCH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(100);
    let mut latencies = Vec::with_capacity(rounds * queries.len());
    let mut per_query = vec![Vec::new(); queries.len()];
    for _ in 0..rounds {
        for (index, query) in queries.iter().enumerate() {
            let started = Instant::now();
            catalogue::search(&state, query)
                .await
                .map_err(|error| anyhow::anyhow!("search: {error}"))?;
            latencies.push(started.elapsed());
            per_query[index].push(started.elapsed());
        }
    }
    if std::env::var("BENCH_DETAIL").is_ok() {
        for (query, times) in queries.iter().zip(per_query.iter_mut()) {
            times.sort();
            println!(
                "{:>8.2} {:>8.2} {:>8.2}  {query:?}",
                times[0].as_secs_f64() * 1e3,
                percentile(times, 0.5).as_secs_f64() * 1e3,
                times[times.len() - 1].as_secs_f64() * 1e3
            );
        }
    }
    latencies.sort();
    println!(
        "{label}: {count} items imported in {:.2} s; {} searches: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        import_time.as_secs_f64(),
        latencies.len(),
        percentile(&latencies, 0.50).as_secs_f64() * 1e3,
        percentile(&latencies, 0.99).as_secs_f64() * 1e3,
        latencies.last().map_or(0.0, |max| max.as_secs_f64() * 1e3),
    );
    database.finish().await?;
    Ok(())
}
