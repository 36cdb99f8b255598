//! Load benchmark over HTTP: the real router on a local port, driven by concurrent clients
//! with a realistic mix of traffic, at rising concurrency; beside it, in the same run, the
//! trivial `/healthz` of the same server alone at the same concurrency as the ceiling.
//!
//! Prepared in-process through the app's services on a fresh database (demo seed): filled
//! drafts of the 开办餐饮店 bundle with materials and a signed letter, ready to submit; drafts
//! to save; restaurant cases accepted by the front desk (open 市场监管 tasks to decide); a
//! few instant-approval licences to verify. Then, per concurrency level, each client (its own
//! HTTP connection pool and sessions of the demo applicant, front-desk worker and 市场监管
//! approver, the `Origin` header server functions require) picks its next request at random:
//!
//! | operation | weight | request |
//! |---|---|---|
//! | catalogue search | 25 | `GET /api/v1/items?q=…` (words, filters, pages) |
//! | item guide | 10 | `GET /api/v1/items/{code}` |
//! | draft save | 15 | `POST /api/applications/save` (the client's own draft) |
//! | submission | 10 | `POST /api/applications/submit` (a fresh draft each) |
//! | desk queue | 12 | `POST /api/desk/queue` (first page) |
//! | approver queue | 8 | `POST /api/approvals/queue` (first page) |
//! | decision | 5 | `POST /api/approvals/decide` (approve an open task) |
//! | licence verification | 15 | `GET /api/v1/licences/verify?token=…` |
//!
//! and finally a "submissions only" run. Per operation: count, throughput, p50 / p99; the
//! ratio of the mix's total throughput to `/healthz` alone; the CPU time the run took, per
//! request, of the server nodes and of this process apart (with `--nodes`; the two together
//! without) and of every other process (the database server), read from `/proc`.
//!
//! With `--nodes N` the requests go to N `server serve` processes of the release build instead
//! of the in-process router, all on the prepared database and sharing its data directory (keys,
//! uploaded files), the clients spread over them; every run is made first against one node and
//! then against all N, so the ratio of the two is the scaling of N nodes.
//!
//! The runs above are closed loops: a client sends as soon as its previous answer came, so
//! they find the most the server does per second, and their latency is mostly the queue
//! (clients ÷ throughput). With `--submit-rate R1,R2,…` further submissions-only runs offer R
//! submissions per second from the same clients (open loop, latency counted from when each
//! request was due): what the applicants of a busy day see while the server keeps up. On a
//! SQLite file each submissions-only run also prints how many submissions shared a transaction
//! (the group commit of `Db::write`).
//!
//! ```sh
//! cargo run --release -p server --example load_bench -- --concurrency 8,32,64 --seconds 10
//! cargo run --release -p server --example load_bench -- --database-url postgres://postgres@127.0.0.1:5432/postgres
//! cargo build --release -p server --bin server --example load_bench && \
//!     target/release/examples/load_bench --nodes 2 --database-url postgres://postgres@127.0.0.1:5432/postgres
//! target/release/examples/load_bench --concurrency '' --tasks 0 --drafts 0 --submit-drafts 24000 --submit-rate 300,400,500
//! ```
//! Figures go to `docs/benchmarks.md`.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use app::api::{DeskQueueQuery, TaskQueueQuery, TaskVerdict};
use app::backend::AppState;
use app::backend::audit::Actor;
use app::backend::auth::session::{self, ClientInfo, CurrentUser};
use app::backend::db::{accounts, identity};
use app::backend::services::{applications, back_office};
use app::domain::Role;
use app::domain::case::TargetKind;
use app::domain::form_values::RawValue;
use rand::{Rng as _, SeedableRng as _};

#[path = "support/drafts.rs"]
mod drafts;
#[path = "support/mod.rs"]
mod support;

use support::percentile;

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}

struct Args {
    database_url: Option<String>,
    levels: Vec<usize>,
    seconds: u64,
    /// Drafts ready to submit for the mixed runs, and for the submissions-only run.
    mixed_drafts: usize,
    submit_drafts: usize,
    submit_concurrency: usize,
    /// Open tasks to decide.
    tasks: usize,
    /// Server processes to run the requests against (0: the router in this process).
    nodes: usize,
    /// Submissions per second offered in the open-loop runs, one run per rate (none: no such
    /// run).
    submit_rates: Vec<f64>,
}

fn parse_args() -> anyhow::Result<Args> {
    let mut args = Args {
        database_url: None,
        levels: vec![8, 32, 64],
        seconds: 10,
        mixed_drafts: 4000,
        submit_drafts: 5000,
        submit_concurrency: 64,
        tasks: 600,
        nodes: 0,
        submit_rates: Vec::new(),
    };
    let mut iter = std::env::args().skip(1);
    while let Some(flag) = iter.next() {
        let mut value = || iter.next().with_context(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--database-url" => args.database_url = Some(value()?),
            // `--concurrency ''` skips the mixed runs: submissions only.
            "--concurrency" => args.levels = list(&value()?).context("--concurrency 8,32,64")?,
            "--seconds" => args.seconds = value()?.parse()?,
            "--drafts" => args.mixed_drafts = value()?.parse()?,
            "--submit-drafts" => args.submit_drafts = value()?.parse()?,
            "--submit-concurrency" => args.submit_concurrency = value()?.parse()?,
            "--tasks" => args.tasks = value()?.parse()?,
            "--nodes" => args.nodes = value()?.parse()?,
            "--submit-rate" => {
                args.submit_rates = list(&value()?).context("--submit-rate 300,400,500")?;
                if args
                    .submit_rates
                    .iter()
                    .any(|rate| !rate.is_finite() || *rate <= 0.0)
                {
                    anyhow::bail!("--submit-rate needs rates above 0 per second");
                }
            }
            other => anyhow::bail!(
                "unknown argument {other}; use --database-url URL --concurrency 8,32,64 --seconds 10 \
                 [--drafts N] [--submit-drafts N] [--submit-concurrency C] [--tasks N] [--nodes N] [--submit-rate 300,400,500]"
            ),
        }
    }
    Ok(args)
}

/// A comma-separated list of numbers; an empty string is an empty list.
fn list<T: std::str::FromStr>(text: &str) -> Result<Vec<T>, T::Err> {
    text.split(',')
        .filter(|part| !part.trim().is_empty())
        .map(|part| part.trim().parse())
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Op {
    CatalogueSearch,
    ItemGuide,
    DraftSave,
    Submission,
    DeskQueue,
    ApproverQueue,
    Decision,
    Verification,
    Healthz,
}

impl Op {
    fn label(self) -> &'static str {
        match self {
            Op::CatalogueSearch => "catalogue search `GET /api/v1/items?q=…`",
            Op::ItemGuide => "item guide `GET /api/v1/items/{code}`",
            Op::DraftSave => "draft save `applications/save`",
            Op::Submission => "submission `applications/submit`",
            Op::DeskQueue => "front-desk queue `desk/queue`",
            Op::ApproverQueue => "approver queue `approvals/queue`",
            Op::Decision => "decision `approvals/decide`",
            Op::Verification => "licence verification `GET /api/v1/licences/verify`",
            Op::Healthz => "`GET /healthz`",
        }
    }

    fn is_read(self) -> bool {
        matches!(
            self,
            Op::CatalogueSearch
                | Op::ItemGuide
                | Op::DeskQueue
                | Op::ApproverQueue
                | Op::Verification
        )
    }
}

const MIX: [(Op, u32); 8] = [
    (Op::CatalogueSearch, 25),
    (Op::ItemGuide, 10),
    (Op::DraftSave, 15),
    (Op::Submission, 10),
    (Op::DeskQueue, 12),
    (Op::ApproverQueue, 8),
    (Op::Decision, 5),
    (Op::Verification, 15),
];

const SEARCHES: [&str; 8] = [
    "q=%E9%A4%90%E9%A5%AE",                                      // 餐饮
    "q=%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7",                    // 营业执照
    "q=%E8%AE%B8%E5%8F%AF&online=fully_online",                  // 许可 + fully online
    "q=SCJG-XK-007",                                             // an item code
    "",                                                          // everything
    "department=D01-SCJG&instant=true",                          // department + instant
    "kind=licensing&page=2",                                     // kind, page 2
    "q=%E5%8D%AB%E7%94%9F%20%E8%AE%B8%E5%8F%AF&commitment=true", // 卫生 许可 + commitment
];

const ITEMS: [&str; 4] = ["SCJG-XK-001", "SCJG-XK-007", "WJW-XK-001", "RSJ-GG-001"];

/// What every client shares during a run.
struct Shared {
    origin: String,
    submit_pool: Mutex<Vec<String>>,
    tasks: Mutex<Vec<String>>,
    /// One draft per client slot to save, with its current revision.
    save_drafts: Vec<Mutex<(String, i64)>>,
    save_values: BTreeMap<String, RawValue>,
    tokens: Vec<String>,
    items: Vec<String>,
}

/// The cookie headers of one client's three sessions.
struct Sessions {
    applicant: String,
    desk: String,
    approver: String,
}

struct Accounts {
    applicant: i64,
    desk: i64,
    approver: i64,
}

async fn cookie_for(state: &AppState, user_id: i64) -> anyhow::Result<String> {
    let mut conn = state.db.pool().acquire().await?;
    let started = session::start(&mut conn, state, user_id, &ClientInfo::default())
        .await
        .map_err(|error| anyhow::anyhow!("session: {error}"))?;
    let names = app::backend::auth::cookies::names(&state.config);
    Ok(format!(
        "{}={}; {}={}",
        names.access, started.access_token, names.refresh, started.refresh_token
    ))
}

async fn sessions_for(
    state: &AppState,
    accounts: &Accounts,
    count: usize,
) -> anyhow::Result<Vec<Sessions>> {
    let mut all = Vec::with_capacity(count);
    for _ in 0..count {
        all.push(Sessions {
            applicant: cookie_for(state, accounts.applicant).await?,
            desk: cookie_for(state, accounts.desk).await?,
            approver: cookie_for(state, accounts.approver).await?,
        });
    }
    Ok(all)
}

/// Clients without sessions (for `/healthz`).
fn anonymous(count: usize) -> Vec<Sessions> {
    (0..count)
        .map(|_| Sessions {
            applicant: String::new(),
            desk: String::new(),
            approver: String::new(),
        })
        .collect()
}

fn client() -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(60))
        .build()?)
}

/// One request of `op`; `Ok(None)` when there is nothing left to do for it (pool empty).
async fn run_op(
    op: Op,
    base: &str,
    http: &reqwest::Client,
    shared: &Shared,
    sessions: &Sessions,
    slot: usize,
    rng: &mut rand::rngs::StdRng,
) -> anyhow::Result<Option<(Duration, bool)>> {
    let url = |path: &str| format!("{base}{path}");
    let post_json = |path: &str, cookie: &str, body: serde_json::Value| {
        http.post(url(&format!("/api/{path}")))
            .header("origin", &shared.origin)
            .header("cookie", cookie)
            .header("content-type", "application/json")
            .body(body.to_string())
    };
    let post_form = |path: &str, cookie: &str, body: String| {
        http.post(url(&format!("/api/{path}")))
            .header("origin", &shared.origin)
            .header("cookie", cookie)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
    };
    let mut save_slot = None;
    let request = match op {
        Op::Healthz => http.get(url("/healthz")),
        Op::CatalogueSearch => {
            let query = SEARCHES[rng.gen_range(0..SEARCHES.len())];
            http.get(url(&format!("/api/v1/items?{query}")))
        }
        Op::ItemGuide => {
            let code = &shared.items[rng.gen_range(0..shared.items.len())];
            http.get(url(&format!("/api/v1/items/{code}")))
        }
        Op::Verification => {
            let token = &shared.tokens[rng.gen_range(0..shared.tokens.len())];
            http.get(url(&format!("/api/v1/licences/verify?token={token}")))
        }
        Op::DraftSave => {
            let (draft_id, revision) = shared.save_drafts[slot]
                .lock()
                .map_err(|_| anyhow::anyhow!("poisoned"))?
                .clone();
            save_slot = Some(slot);
            post_json(
                "applications/save",
                &sessions.applicant,
                serde_json::json!({
                    "draft_id": draft_id,
                    "revision": revision,
                    "values": shared.save_values,
                }),
            )
        }
        Op::Submission => {
            let next = shared
                .submit_pool
                .lock()
                .map_err(|_| anyhow::anyhow!("poisoned"))?
                .pop();
            let Some(draft_id) = next else {
                return Ok(None);
            };
            post_form(
                "applications/submit",
                &sessions.applicant,
                format!("draft_id={draft_id}"),
            )
        }
        Op::DeskQueue => post_json(
            "desk/queue",
            &sessions.desk,
            serde_json::json!({ "query": DeskQueueQuery::default() }),
        ),
        Op::ApproverQueue => post_json(
            "approvals/queue",
            &sessions.approver,
            serde_json::json!({ "query": TaskQueueQuery::default() }),
        ),
        Op::Decision => {
            let next = shared
                .tasks
                .lock()
                .map_err(|_| anyhow::anyhow!("poisoned"))?
                .pop();
            let Some(task_id) = next else {
                return Ok(None);
            };
            post_json(
                "approvals/decide",
                &sessions.approver,
                serde_json::json!({
                    "task_id": task_id,
                    "verdict": TaskVerdict::Approve,
                    "text": "同意",
                }),
            )
        }
    };
    let started = Instant::now();
    let response = request.send().await?;
    let status = response.status();
    let body = response.bytes().await?;
    let elapsed = started.elapsed();
    let ok = status.is_success();
    if ok && let Some(slot) = save_slot {
        let saved: app::api::DraftSaved = serde_json::from_slice(&body)?;
        if let Ok(mut draft) = shared.save_drafts[slot].lock() {
            draft.1 = saved.revision;
        }
    }
    if !ok {
        static SHOWN: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        if SHOWN.fetch_add(1, std::sync::atomic::Ordering::Relaxed) < 5 {
            eprintln!(
                "{op:?}: HTTP {status}: {}",
                String::from_utf8_lossy(&body)
                    .chars()
                    .take(300)
                    .collect::<String>()
            );
        }
    }
    Ok(Some((elapsed, ok)))
}

#[derive(Default)]
struct Tally {
    times: BTreeMap<Op, Vec<Duration>>,
    errors: BTreeMap<Op, usize>,
    /// Operations whose pool (drafts, tasks) ran out during the run.
    exhausted: std::collections::BTreeSet<Op>,
}

impl Tally {
    /// Requests answered, successfully or not.
    fn answered(&self) -> usize {
        self.times.values().map(Vec::len).sum::<usize>() + self.errors.values().sum::<usize>()
    }
}

/// CPU time (user + system) used by this process (the clients, and the router when it runs
/// in-process) and by the node processes, read before and after a run: how the machine's
/// cores were shared out, and what one request costs each side. On two cores the load
/// generator's share is taken from the server, so the ceiling a run can reach is
/// cores ÷ (client + server CPU per request).
struct CpuClock {
    nodes: Vec<u32>,
}

/// CPU time read at one moment: this process, and the nodes together.
#[derive(Clone, Copy)]
struct CpuReading {
    this_process: Duration,
    nodes: Duration,
    /// All cores of the machine together, busy (not idle, waiting for I/O or stolen).
    machine: Duration,
}

impl CpuClock {
    fn read(&self) -> anyhow::Result<CpuReading> {
        let mut nodes = Duration::ZERO;
        for &pid in &self.nodes {
            nodes += process_cpu_time(pid)?;
        }
        Ok(CpuReading {
            this_process: process_cpu_time(std::process::id())?,
            nodes,
            machine: machine_busy_time()?,
        })
    }

    /// One line on the CPU a run of `requests` requests used since `before`.
    fn report(&self, before: CpuReading, elapsed: Duration, requests: usize) -> anyhow::Result<()> {
        let after = self.read()?;
        let this_process = after.this_process.saturating_sub(before.this_process);
        let nodes = after.nodes.saturating_sub(before.nodes);
        let machine = after.machine.saturating_sub(before.machine);
        // The database server (PostgreSQL), and whatever else ran meanwhile.
        let rest = machine.saturating_sub(this_process + nodes);
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        let per_request = |cpu: Duration| ms(cpu) / requests.max(1) as f64;
        let busy = machine.as_secs_f64() / elapsed.as_secs_f64();
        let ours = if self.nodes.is_empty() {
            format!(
                "{:.2} s in this process (clients and server) = {:.3} ms per request",
                this_process.as_secs_f64(),
                per_request(this_process),
            )
        } else {
            format!(
                "server nodes {:.2} s = {:.3} ms per request; clients (this process) {:.2} s = {:.3} ms per request",
                nodes.as_secs_f64(),
                per_request(nodes),
                this_process.as_secs_f64(),
                per_request(this_process),
            )
        };
        println!(
            "CPU: {ours}; other processes (the database server, …) {:.2} s = {:.3} ms per request; {busy:.2} of {cores} cores busy",
            rest.as_secs_f64(),
            per_request(rest),
        );
        Ok(())
    }
}

/// The time all cores of the machine have been busy so far, from the first line of `/proc/stat`
/// (Linux): user, nice, system, irq and softirq; not idle, I/O wait or time stolen by a
/// hypervisor.
fn machine_busy_time() -> anyhow::Result<Duration> {
    let stat = std::fs::read_to_string("/proc/stat").context("reading /proc/stat")?;
    let all = stat
        .lines()
        .next()
        .and_then(|line| line.strip_prefix("cpu "))
        .context("no `cpu` line in /proc/stat")?;
    let ticks: Vec<u64> = all
        .split_whitespace()
        .map(str::parse)
        .collect::<Result<_, _>>()?;
    let field = |index: usize| ticks.get(index).copied().unwrap_or(0);
    // user 0, nice 1, system 2, idle 3, iowait 4, irq 5, softirq 6, steal 7.
    let busy = field(0) + field(1) + field(2) + field(5) + field(6);
    Ok(Duration::from_millis(busy * 10))
}

/// User + system CPU time of process `pid` so far, from `/proc/<pid>/stat` (Linux).
fn process_cpu_time(pid: u32) -> anyhow::Result<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .with_context(|| format!("reading /proc/{pid}/stat (the CPU figures need Linux)"))?;
    // The command name, field 2, may hold spaces and parentheses: count from its last `)`.
    // Fields 14 and 15 of proc(5), utime and stime, are then the 12th and 13th.
    let after_name = stat
        .rsplit_once(')')
        .context("no command name in /proc/<pid>/stat")?
        .1;
    let mut fields = after_name.split_whitespace().skip(11);
    let mut ticks = 0_u64;
    for _ in 0..2 {
        ticks += fields
            .next()
            .context("/proc/<pid>/stat is too short")?
            .parse::<u64>()?;
    }
    // Clock ticks of USER_HZ, which Linux fixes at 100 per second for user space.
    Ok(Duration::from_millis(ticks * 10))
}

/// How the clients of a run pace their requests.
#[derive(Debug, Clone, Copy)]
enum Pace {
    /// Each client sends its next request as soon as the previous one is answered: the
    /// server's saturation throughput, where the latency is the queue (clients ÷ throughput).
    ClosedLoop,
    /// Requests are due at a fixed total rate (per second), shared out round-robin between
    /// the clients, as the users of a portal arrive whether or not the previous one was
    /// served. Latency is counted from when a request was due, not from when its client got to
    /// send it, so a slow answer that holds up its client's next requests counts against those
    /// too (no "coordinated omission", as in wrk2).
    OpenLoop(f64),
}

/// `concurrency` clients for `seconds`, each picking its next operation from `mix`; client
/// `n` sends to `bases[n % bases.len()]`.
async fn drive(
    shared: &Arc<Shared>,
    bases: &[String],
    sessions: Vec<Sessions>,
    mix: &'static [(Op, u32)],
    seconds: u64,
    pace: Pace,
) -> anyhow::Result<(Tally, Duration)> {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let clients = sessions.len();
    let mut handles = Vec::new();
    for (slot, sessions) in sessions.into_iter().enumerate() {
        let shared = Arc::clone(shared);
        let base = bases[slot % bases.len()].clone();
        handles.push(tokio::spawn(async move {
            let http = client()?;
            let mut rng = rand::rngs::StdRng::seed_from_u64(slot as u64 + 1);
            let total: u32 = mix.iter().map(|(_, weight)| weight).sum();
            let mut tally = Tally::default();
            let mut exhausted: Vec<Op> = Vec::new();
            let mut round = 0_usize;
            while Instant::now() < deadline {
                // Open loop: this client's next request is number `round × clients + slot` of
                // the run, due at that number ÷ rate.
                let due = match pace {
                    Pace::ClosedLoop => None,
                    Pace::OpenLoop(rate) => {
                        let due = started
                            + Duration::from_secs_f64((round * clients + slot) as f64 / rate);
                        round += 1;
                        if due >= deadline {
                            break;
                        }
                        tokio::time::sleep_until(due.into()).await;
                        Some(due)
                    }
                };
                let waited = due.map_or(Duration::ZERO, |due| due.elapsed());
                let mut pick = rng.gen_range(0..total);
                let mut op = mix[0].0;
                for (candidate, weight) in mix {
                    if pick < *weight {
                        op = *candidate;
                        break;
                    }
                    pick -= weight;
                }
                if exhausted.contains(&op) {
                    if exhausted.len() == mix.len() {
                        break;
                    }
                    continue;
                }
                match run_op(op, &base, &http, &shared, &sessions, slot, &mut rng).await? {
                    Some((elapsed, ok)) => {
                        if ok {
                            // `waited` is the time since the request was due (open loop),
                            // measured just before `run_op` started its clock.
                            tally.times.entry(op).or_default().push(waited + elapsed);
                        } else {
                            *tally.errors.entry(op).or_default() += 1;
                        }
                    }
                    None => {
                        exhausted.push(op);
                        tally.exhausted.insert(op);
                    }
                }
            }
            anyhow::Ok(tally)
        }));
    }
    let mut all = Tally::default();
    for handle in handles {
        let tally = handle.await??;
        for (op, times) in tally.times {
            all.times.entry(op).or_default().extend(times);
        }
        for (op, errors) in tally.errors {
            *all.errors.entry(op).or_default() += errors;
        }
        all.exhausted.extend(tally.exhausted);
    }
    Ok((all, started.elapsed()))
}

/// Prints the table of a run; returns the total throughput.
fn report(title: &str, tally: &mut Tally, elapsed: Duration, ceiling: Option<f64>) -> f64 {
    let secs = elapsed.as_secs_f64();
    println!("\n{title} ({secs:.1} s)\n");
    println!("| operation | count | per second | p50 ms | p99 ms | errors |");
    println!("|---|---|---|---|---|---|");
    let mut total = 0;
    let mut reads = Vec::new();
    let mut all = Vec::new();
    let mut ops: Vec<Op> = tally
        .times
        .keys()
        .chain(tally.errors.keys())
        .copied()
        .collect();
    ops.sort();
    ops.dedup();
    for op in ops {
        let times = tally.times.entry(op).or_default();
        times.sort();
        total += times.len();
        if op.is_read() {
            reads.extend(times.iter().copied());
        }
        all.extend(times.iter().copied());
        let (p50, p99) = if times.is_empty() {
            (0.0, 0.0)
        } else {
            (ms(percentile(times, 0.5)), ms(percentile(times, 0.99)))
        };
        println!(
            "| {} | {} | {:.0} | {p50:.2} | {p99:.2} | {}{} |",
            op.label(),
            times.len(),
            times.len() as f64 / secs,
            tally.errors.get(&op).copied().unwrap_or(0),
            if tally.exhausted.contains(&op) {
                " (pool ran out: rate understated)"
            } else {
                ""
            },
        );
    }
    let throughput = total as f64 / secs;
    for (label, mut times) in [("all reads", reads), ("all", all)] {
        if times.len() < 2 || tally.times.len() < 2 {
            continue;
        }
        times.sort();
        println!(
            "| **{label}** | {} | {:.0} | {:.2} | {:.2} | |",
            times.len(),
            times.len() as f64 / secs,
            ms(percentile(&times, 0.5)),
            ms(percentile(&times, 0.99)),
        );
    }
    if let Some(ceiling) = ceiling {
        println!(
            "\ntotal {throughput:.0} requests/s = {:.1} % of `/healthz` alone ({ceiling:.0}/s) at the same concurrency",
            100.0 * throughput / ceiling
        );
    }
    throughput
}

/// Filled drafts of `target` with materials and a signed letter, `parallel` tasks at once.
async fn prepare_drafts(
    state: &AppState,
    user: &CurrentUser,
    target: (TargetKind, &'static str),
    values: &Arc<BTreeMap<String, RawValue>>,
    count: usize,
) -> anyhow::Result<Vec<String>> {
    let parallel = 4;
    let mut handles = Vec::new();
    for part in 0..parallel {
        let share = count / parallel + usize::from(part < count % parallel);
        let (state, user, values) = (state.clone(), user.clone(), Arc::clone(values));
        handles.push(tokio::spawn(async move {
            let actor = Actor::user(user.user_id, None);
            let mut key_id = None;
            let mut ids = Vec::with_capacity(share);
            for _ in 0..share {
                let draft = applications::start(&state, &actor, &user, target.0, target.1)
                    .await
                    .map_err(|error| anyhow::anyhow!("start: {error}"))?;
                applications::save(&state, &user, &draft.draft_id, draft.revision, &values)
                    .await
                    .map_err(|error| anyhow::anyhow!("save: {error}"))?;
                drafts::complete_materials_and_signature(
                    &state,
                    user.user_id,
                    &draft.draft_id,
                    target,
                    &mut key_id,
                )
                .await?;
                ids.push(draft.draft_id);
            }
            anyhow::Ok(ids)
        }));
    }
    let mut all = Vec::with_capacity(count);
    for handle in handles {
        all.extend(handle.await??);
    }
    Ok(all)
}

async fn user_id(state: &AppState, login: &str) -> anyhow::Result<i64> {
    let mut conn = state.db.pool().acquire().await?;
    Ok(accounts::find_by_login(&mut conn, login)
        .await?
        .with_context(|| format!("demo account {login}"))?
        .id)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = parse_args()?;
    let database = support::BenchDatabase::create(args.database_url.clone()).await?;
    let (state, label) = (database.state.clone(), database.label);
    let setup = Instant::now();

    let accounts = Accounts {
        applicant: user_id(&state, "13800138000").await?,
        desk: user_id(&state, "qiantai@qixia.example.cn").await?,
        approver: user_id(&state, "shenpi@qixia.example.cn").await?,
    };
    {
        let mut conn = state.db.pool().acquire().await?;
        identity::confirm_contact(&mut conn, accounts.applicant, app::backend::now_ms()).await?;
    }
    let applicant = CurrentUser {
        user_id: accounts.applicant,
        session_id: "bench".into(),
        role: Role::Applicant,
    };
    let desk = CurrentUser {
        user_id: accounts.desk,
        session_id: "bench".into(),
        role: Role::FrontDesk,
    };
    let own_id = {
        let mut conn = state.db.pool().acquire().await?;
        identity::identity(&mut conn, accounts.applicant)
            .await?
            .resident_id
            .context("demo applicant is verified")?
    };
    let layout_of = |kind, code: &'static str| {
        let state = state.clone();
        async move {
            let mut conn = state.db.pool().acquire().await?;
            let target = applications::load_target(&mut conn, kind, code)
                .await
                .map_err(|error| anyhow::anyhow!("{code}: {error}"))?;
            anyhow::Ok(target.layout)
        }
    };
    let bundle = (TargetKind::Bundle, "YJS-CANYIN");
    let bundle_values = Arc::new(drafts::filled(
        &layout_of(bundle.0, bundle.1).await?,
        &own_id,
    ));
    let instant = (TargetKind::Item, "SCJG-XK-001");
    let instant_values = Arc::new(drafts::filled(
        &layout_of(instant.0, instant.1).await?,
        &own_id,
    ));
    let actor = Actor::user(accounts.applicant, None);
    let desk_actor = Actor::user(accounts.desk, None);

    // Licences to verify: instant approvals issue them at submission.
    for draft_id in prepare_drafts(&state, &applicant, instant, &instant_values, 20).await? {
        applications::submit(&state, &actor, &applicant, &draft_id)
            .await
            .map_err(|error| anyhow::anyhow!("instant submit: {error}"))?;
    }
    let tokens: Vec<String> = sqlx::query_scalar("SELECT token FROM licences")
        .fetch_all(state.db.pool())
        .await?;
    anyhow::ensure!(!tokens.is_empty(), "no licence issued");
    // Cases accepted by the front desk: open 市场监管 tasks to decide; and 200 more left
    // waiting in the front-desk queue.
    let to_accept =
        prepare_drafts(&state, &applicant, bundle, &bundle_values, args.tasks + 200).await?;
    for (index, draft_id) in to_accept.iter().enumerate() {
        let number = applications::submit(&state, &actor, &applicant, draft_id)
            .await
            .map_err(|error| anyhow::anyhow!("submit: {error}"))?;
        if index < args.tasks {
            back_office::claim(&state, &desk_actor, &desk, &number)
                .await
                .map_err(|error| anyhow::anyhow!("claim {number}: {error}"))?;
            back_office::accept(&state, &desk_actor, &desk, &number)
                .await
                .map_err(|error| anyhow::anyhow!("accept {number}: {error}"))?;
        }
    }
    let tasks: Vec<String> = sqlx::query_scalar(
        "SELECT public_id FROM approval_tasks WHERE department_code = 'D01-SCJG' AND status = 'open'",
    )
    .fetch_all(state.db.pool())
    .await?;
    let max_level = args
        .levels
        .iter()
        .copied()
        .chain([args.submit_concurrency])
        .max()
        .unwrap_or(64);
    let save_drafts = prepare_drafts(&state, &applicant, bundle, &bundle_values, max_level)
        .await?
        .into_iter()
        .map(|id| Mutex::new((id, 2)))
        .collect();
    let mixed_pool = prepare_drafts(
        &state,
        &applicant,
        bundle,
        &bundle_values,
        args.mixed_drafts,
    )
    .await?;
    let submit_pool = prepare_drafts(
        &state,
        &applicant,
        bundle,
        &bundle_values,
        args.submit_drafts,
    )
    .await?;
    let items: Vec<String> = ITEMS.iter().map(|code| (*code).to_owned()).collect();
    // As autovacuum would have done on a live database.
    let analyse = match state.db.kind() {
        app::backend::db::DbKind::Sqlite => "ANALYZE",
        app::backend::db::DbKind::Postgres => "VACUUM ANALYZE",
    };
    sqlx::raw_sql(analyse).execute(state.db.pool()).await?;
    println!(
        "{label}: prepared in {:.1} s: {} licences, {} open tasks, {} drafts for the mix, {} for submissions only",
        setup.elapsed().as_secs_f64(),
        tokens.len(),
        tasks.len(),
        mixed_pool.len(),
        submit_pool.len()
    );

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let router = server::build_router(state.clone());
    let server = tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
    });
    let nodes = Nodes::start(
        args.nodes,
        &state.config.database_url,
        &state.config.data_dir,
        state.config.public_origin(),
    )
    .await?;
    let cpu = CpuClock {
        nodes: nodes.children.iter().map(std::process::Child::id).collect(),
    };
    // The sets of servers each run is made against: this process, or one node and then all.
    let targets: Vec<(String, Vec<String>)> = match nodes.bases.len() {
        0 => vec![(label.to_owned(), vec![format!("http://{addr}")])],
        count => {
            let mut targets = vec![(format!("{label}, 1 node"), nodes.bases[..1].to_vec())];
            if count > 1 {
                targets.push((format!("{label}, {count} nodes"), nodes.bases.clone()));
            }
            targets
        }
    };
    let shared = Arc::new(Shared {
        origin: state.config.public_origin().to_owned(),
        submit_pool: Mutex::new(mixed_pool),
        tasks: Mutex::new(tasks),
        save_drafts,
        save_values: (*bundle_values).clone(),
        tokens,
        items,
    });

    let mut scaling = Vec::new();
    for &level in &args.levels {
        let mut mixes = Vec::new();
        for (name, bases) in &targets {
            let sessions = sessions_for(&state, &accounts, level).await?;
            let ceiling = healthz_alone(&shared, bases, name, level, args.seconds, &cpu).await?;
            let cpu_before = cpu.read()?;
            let (mut mixed, elapsed) = drive(
                &shared,
                bases,
                sessions,
                &MIX,
                args.seconds,
                Pace::ClosedLoop,
            )
            .await?;
            mixes.push(report(
                &format!("{name}, {level} clients: mixed traffic"),
                &mut mixed,
                elapsed,
                Some(ceiling),
            ));
            cpu.report(cpu_before, elapsed, mixed.answered())?;
        }
        scaling.push((format!("mixed traffic, {level} clients"), mixes));
    }

    // Submissions only, the drafts shared out evenly between the runs: per target, one closed
    // loop (saturation) and, with `--submit-rate`, one open loop at that offered rate.
    let level = args.submit_concurrency;
    let mut paces = vec![Pace::ClosedLoop];
    paces.extend(args.submit_rates.iter().copied().map(Pace::OpenLoop));
    let share = submit_pool.len() / (targets.len() * paces.len());
    let mut submit_pool = submit_pool;
    let mut submissions = Vec::new();
    for (name, bases) in &targets {
        for &pace in &paces {
            {
                let mut pool = shared
                    .submit_pool
                    .lock()
                    .map_err(|_| anyhow::anyhow!("poisoned"))?;
                *pool = submit_pool.split_off(submit_pool.len() - share);
            }
            let ceiling = healthz_alone(&shared, bases, name, level, args.seconds, &cpu).await?;
            let sessions = sessions_for(&state, &accounts, level).await?;
            let grouped_before = state.db.group_commit_counts();
            let cpu_before = cpu.read()?;
            let (mut only, elapsed) = drive(
                &shared,
                bases,
                sessions,
                &[(Op::Submission, 1)],
                args.seconds,
                pace,
            )
            .await?;
            let title = match pace {
                Pace::ClosedLoop => format!("{name}, {level} clients: submissions only"),
                Pace::OpenLoop(rate) => format!(
                    "{name}, {level} clients: submissions only, {rate:.0}/s offered (open loop)"
                ),
            };
            let rate = report(&title, &mut only, elapsed, Some(ceiling));
            cpu.report(cpu_before, elapsed, only.answered())?;
            // This process's server only: with `--nodes` the others are not counted.
            if let (Some((transactions_before, jobs_before)), Some((transactions, jobs))) =
                (grouped_before, state.db.group_commit_counts())
            {
                let (transactions, jobs) = (transactions - transactions_before, jobs - jobs_before);
                println!(
                    "group commit: {jobs} submissions in {transactions} transactions ({:.1} per transaction)",
                    jobs as f64 / transactions.max(1) as f64
                );
            }
            if matches!(pace, Pace::ClosedLoop) {
                submissions.push(rate);
            }
            let left = shared
                .submit_pool
                .lock()
                .map_err(|_| anyhow::anyhow!("poisoned"))?
                .len();
            if left == 0 {
                println!(
                    "(the pool of drafts ran out before the time was up: raise --submit-drafts)"
                );
            }
        }
    }
    scaling.push((format!("submissions only, {level} clients"), submissions));

    if targets.len() > 1 {
        println!(
            "\n| run | 1 node, requests/s | {} nodes, requests/s | ratio |",
            nodes.bases.len()
        );
        println!("|---|---|---|---|");
        for (run, rates) in &scaling {
            if let [one, all] = rates.as_slice() {
                println!("| {run} | {one:.0} | {all:.0} | {:.2} |", all / one);
            }
        }
    }

    drop(nodes);
    server.abort();
    database.finish().await?;
    Ok(())
}

/// `level` anonymous clients on `/healthz` alone for `seconds`: the ceiling of a run.
async fn healthz_alone(
    shared: &Arc<Shared>,
    bases: &[String],
    name: &str,
    level: usize,
    seconds: u64,
    cpu: &CpuClock,
) -> anyhow::Result<f64> {
    let cpu_before = cpu.read()?;
    let (mut alone, elapsed) = drive(
        shared,
        bases,
        anonymous(level),
        &[(Op::Healthz, 1)],
        seconds,
        Pace::ClosedLoop,
    )
    .await?;
    let rate = report(
        &format!("{name}, {level} clients: `/healthz` alone"),
        &mut alone,
        elapsed,
        None,
    );
    cpu.report(cpu_before, elapsed, alone.answered())?;
    Ok(rate)
}

/// `server serve` processes of the release build (`target/release/server`, beside this
/// example's directory) on the bench's database and data directory, so they share its keys
/// and uploaded files as the nodes of docs/deployment.md share theirs. Dropping them stops
/// them, also when a run fails half-way.
struct Nodes {
    bases: Vec<String>,
    children: Vec<std::process::Child>,
}

impl Nodes {
    async fn start(
        count: usize,
        database_url: &str,
        data_dir: &std::path::Path,
        public_url: &str,
    ) -> anyhow::Result<Self> {
        let mut nodes = Nodes {
            bases: Vec::new(),
            children: Vec::new(),
        };
        if count == 0 {
            return Ok(nodes);
        }
        let binary = std::env::current_exe()?
            .parent()
            .and_then(std::path::Path::parent)
            .map(|dir| dir.join("server"))
            .context("the directory of this example")?;
        anyhow::ensure!(
            binary.exists(),
            "{} is missing: cargo build --release -p server --bin server",
            binary.display()
        );
        for node in 0..count {
            let port = std::net::TcpListener::bind("127.0.0.1:0")?
                .local_addr()?
                .port();
            let log = std::fs::File::create(data_dir.join(format!("node-{node}.log")))?;
            let child = std::process::Command::new(&binary)
                .arg("serve")
                .env("DATABASE_URL", database_url)
                .env("BJM_BIND", format!("127.0.0.1:{port}"))
                .env_remove("PORT")
                .env("BJM_DATA_DIR", data_dir)
                .env("BJM_PUBLIC_URL", public_url)
                .env("BJM_DEMO", "false")
                .env("BJM_REGISTRATIONS_PER_IP_PER_HOUR", "100000")
                .env("BJM_LOGIN_ATTEMPTS_PER_IP_PER_MINUTE", "100000")
                // `BJM_BENCH_NODE_LOG=sqlx::query=debug` shows each statement a request runs.
                .env(
                    "RUST_LOG",
                    std::env::var("BJM_BENCH_NODE_LOG").unwrap_or_else(|_| "warn".to_owned()),
                )
                .stdout(log.try_clone()?)
                .stderr(log)
                .stdin(std::process::Stdio::null())
                .spawn()
                .with_context(|| format!("starting {}", binary.display()))?;
            nodes.children.push(child);
            nodes.bases.push(format!("http://127.0.0.1:{port}"));
        }
        let http = client()?;
        for (node, base) in nodes.bases.iter().enumerate() {
            let ready = async {
                loop {
                    if let Ok(response) = http.get(format!("{base}/readyz")).send().await
                        && response.status().is_success()
                    {
                        return;
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            };
            if tokio::time::timeout(Duration::from_secs(60), ready)
                .await
                .is_err()
            {
                anyhow::bail!(
                    "node {node} did not become ready in 60 s; see {}",
                    data_dir.join(format!("node-{node}.log")).display()
                );
            }
        }
        println!("{count} nodes ready: {}", nodes.bases.join(", "));
        Ok(nodes)
    }
}

impl Drop for Nodes {
    fn drop(&mut self) {
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
