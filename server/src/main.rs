//! The `server` binary: `server` (or `server serve`) runs the portal; the other subcommands are
//! operator tools (create staff, show a TOTP code, verify the audit chain, migrate).

use std::net::SocketAddr;

use anyhow::Context as _;
use app::backend::audit::{self, Actor};
use app::backend::db::{accounts, org};
use app::backend::delivery::CancellationToken;
use app::backend::services::staff::{self, NewStaff};
use clap::{Parser, Subcommand};
use server::config::Settings;
use tokio::net::TcpListener;
use tracing_subscriber::EnvFilter;

#[derive(Parser)]
#[command(name = "server", about = "不见面审批 — online approval portal server")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the portal (the default).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Create a staff account (front_desk, approver, inspector, admin).
    CreateStaff {
        /// Phone number or email address the person signs in with.
        #[arg(long)]
        login: String,
        /// Display name.
        #[arg(long)]
        name: String,
        /// front_desk | approver | inspector | admin
        #[arg(long)]
        role: String,
        /// Department code (approvers), e.g. D01-SCJG.
        #[arg(long)]
        department: Option<String>,
        /// Service centre code (front desk), e.g. C00-QU.
        #[arg(long)]
        centre: Option<String>,
        /// Initial password; prefer --password-stdin so it stays out of the shell history.
        #[arg(long, env = "BJM_INITIAL_PASSWORD", hide_env_values = true)]
        password: Option<String>,
        /// Read the initial password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Print the current TOTP code of a staff account (demo and support use).
    TotpCode { login: String },
    /// Verify the hash chain of the audit log.
    AuditVerify,
    /// Create an API token for the approvals feed (`/api/v1/feed/approvals`) for the system
    /// `name` and print it: it is shown once, only its hash is kept.
    CreateFeedToken { name: String },
    /// Import a service catalogue (`.csv` or JSON, see docs/catalogue-format.md). Idempotent by
    /// code: a changed item becomes a new published version. Bad rows are reported with row,
    /// column and reason, and skipped.
    ImportCatalogue {
        file: std::path::PathBuf,
        /// Load nothing unless every row is good.
        #[arg(long)]
        strict: bool,
    },
    /// Export the published catalogue (current versions) in the import format (`.csv` or JSON,
    /// by the file name).
    ExportCatalogue { file: std::path::PathBuf },
    /// Import people into the population registry (CSV `resident_id,name`). Idempotent by
    /// resident ID; bad rows are reported with line and reason, and skipped.
    ImportRegistry { file: std::path::PathBuf },
    /// Verify a signed commitment record: letter text, key binding, the applicant's signature
    /// and the portal's countersignature. Exits non-zero, naming the problem, on any change.
    VerifyCommitment { record: String },
    /// Import credit records (CSV `subject_id,subject_name,category,level,source,reason,
    /// recorded_on,expires_on`). Bad rows are reported with line and reason, and skipped.
    ImportCredit { file: std::path::PathBuf },
    /// Generate a history of cases (for the statistics at scale; see docs/benchmarks.md),
    /// then bring the statistics up to date.
    GenerateHistory {
        /// How many cases.
        #[arg(long, default_value_t = 1_000_000)]
        cases: u32,
        /// Over how many days, ending yesterday.
        #[arg(long, default_value_t = 365)]
        days: u32,
        /// Only completed cases (no open cases in the queues).
        #[arg(long)]
        completed_only: bool,
    },
    /// Recompute the statistics of every day from the cases (after a restore or an import).
    StatsRebuild,
}

fn init_tracing(settings: &Settings) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false);
    if settings.log_format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let settings = Settings::load()?;
    init_tracing(&settings);
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(settings).await,
        Command::Migrate => {
            let state = offline_state(&settings).await?;
            println!("migrations applied ({})", state.db.kind().label());
            Ok(())
        }
        Command::CreateStaff {
            login,
            name,
            role,
            department,
            centre,
            password,
            password_stdin,
        } => {
            let password = match (password, password_stdin) {
                (_, true) => {
                    let mut line = String::new();
                    std::io::stdin()
                        .read_line(&mut line)
                        .context("reading password from stdin")?;
                    line.trim_end_matches(['\r', '\n']).to_owned()
                }
                (Some(password), false) => password,
                (None, false) => {
                    anyhow::bail!("give --password-stdin (or --password / BJM_INITIAL_PASSWORD)")
                }
            };
            let state = offline_state(&settings).await?;
            let mut conn = state.db.pool().acquire().await?;
            let department_id = match &department {
                Some(code) => Some(
                    org::department_id_by_code(&mut conn, code)
                        .await?
                        .with_context(|| format!("no department with code {code}"))?,
                ),
                None => None,
            };
            let service_centre_id = match &centre {
                Some(code) => Some(
                    org::centre_id_by_code(&mut conn, code)
                        .await?
                        .with_context(|| format!("no service centre with code {code}"))?,
                ),
                None => None,
            };
            drop(conn);
            let result = staff::create(
                &state,
                &Actor::system("cli"),
                NewStaff {
                    login: &login,
                    display_name: &name,
                    role: &role,
                    department_id,
                    service_centre_id,
                    initial_password: &password,
                },
                None,
            )
            .await;
            match result {
                Ok(id) => {
                    println!(
                        "created staff account {id} ({login}, {role}); the authenticator is set up at first sign-in"
                    );
                    Ok(())
                }
                Err(error) => {
                    let error = app::api::AppError::from(error);
                    for line in error.messages(app::i18n::Lang::Zh) {
                        eprintln!("{line}");
                    }
                    anyhow::bail!("staff account not created")
                }
            }
        }
        Command::CreateFeedToken { name } => {
            let state = offline_state(&settings).await?;
            match app::backend::services::issuance::create_feed_token(
                &state,
                &Actor::system("cli"),
                &name,
            )
            .await
            {
                Ok(token) => {
                    println!("{token}");
                    Ok(())
                }
                Err(error) => {
                    let error = app::api::AppError::from(error);
                    for line in error.messages(app::i18n::Lang::Zh) {
                        eprintln!("{line}");
                    }
                    anyhow::bail!("API token not created")
                }
            }
        }
        Command::TotpCode { login } => {
            let state = offline_state(&settings).await?;
            let mut conn = state.db.pool().acquire().await?;
            let user = accounts::find_by_login(&mut conn, &login)
                .await?
                .context("no such account")?;
            let secret = user
                .totp_secret
                .context("this account has no authenticator enrolled yet")?;
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)?
                .as_secs();
            println!("{}", app::backend::auth::totp::code_at(&secret, now)?);
            Ok(())
        }
        Command::ImportCatalogue { file, strict } => {
            import_catalogue(&settings, &file, strict).await
        }
        Command::ExportCatalogue { file } => {
            let state = offline_state(&settings).await?;
            let catalogue = app::backend::services::catalogue::export(&state)
                .await
                .map_err(|error| anyhow::anyhow!("exporting: {error}"))?;
            let format = app::backend::catalogue_file::Format::of_path(&file);
            let bytes = app::backend::catalogue_file::write(format, &catalogue)?;
            std::fs::write(&file, bytes).with_context(|| format!("writing {}", file.display()))?;
            println!(
                "exported {} items and {} bundles to {}",
                catalogue.items.len(),
                catalogue.bundles.len(),
                file.display()
            );
            Ok(())
        }
        Command::ImportRegistry { file } => {
            let bytes =
                std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let (people, rejected) = app::backend::services::identity::read_registry_csv(&bytes);
            report_rejected(&rejected);
            let state = offline_state(&settings).await?;
            let written = app::backend::services::identity::import_registry(&state, &people)
                .await
                .map_err(|error| anyhow::anyhow!("importing: {error}"))?;
            println!(
                "imported {written} people, {} rows rejected",
                rejected.len()
            );
            Ok(())
        }
        Command::ImportCredit { file } => {
            let bytes =
                std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let (records, rejected) = app::backend::services::credit::read_credit_csv(&bytes);
            report_rejected(&rejected);
            let state = offline_state(&settings).await?;
            let written =
                app::backend::services::credit::import(&state, &Actor::system("cli"), &records)
                    .await
                    .map_err(|error| anyhow::anyhow!("importing: {error}"))?;
            println!(
                "imported {written} credit records, {} rows rejected",
                rejected.len()
            );
            Ok(())
        }
        Command::VerifyCommitment { record } => {
            let state = offline_state(&settings).await?;
            match app::backend::services::commitments::verify(&state, &record)
                .await
                .map_err(|error| anyhow::anyhow!("reading the record: {error}"))?
            {
                Ok(row) => {
                    println!(
                        "commitment record {record} intact: signed by {} at {} (ms), letter SHA-256 {}",
                        row.signer_name, row.signed_at, row.letter_sha256
                    );
                    Ok(())
                }
                Err(problem) => anyhow::bail!("commitment record {record} NOT intact: {problem}"),
            }
        }
        Command::GenerateHistory {
            cases,
            days,
            completed_only,
        } => {
            let state = offline_state(&settings).await?;
            let started = std::time::Instant::now();
            let bar = indicatif::ProgressBar::new(u64::from(cases)).with_style(
                indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} cases {elapsed}")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            let plan = app::backend::history::HistoryPlan {
                cases,
                days,
                completed_only,
            };
            let written = app::backend::history::generate_with_progress(&state, plan, &|done| {
                bar.set_position(done)
            })
            .await?;
            bar.finish_and_clear();
            println!(
                "generated {written} cases over {days} days ({:.1} s); refreshing the statistics…",
                started.elapsed().as_secs_f64()
            );
            refresh_statistics(&state).await
        }
        Command::StatsRebuild => {
            let state = offline_state(&settings).await?;
            app::backend::services::statistics::forget(&state)
                .await
                .map_err(|error| anyhow::anyhow!("resetting the statistics: {error}"))?;
            refresh_statistics(&state).await
        }
        Command::AuditVerify => {
            let state = offline_state(&settings).await?;
            let mut conn = state.db.pool().acquire().await?;
            let count = audit::verify_chain(&mut conn).await?;
            println!("audit chain intact: {count} entries");
            Ok(())
        }
    }
}

async fn refresh_statistics(state: &app::backend::AppState) -> anyhow::Result<()> {
    use app::backend::services::statistics::{self, Refresh};
    let started = std::time::Instant::now();
    match statistics::refresh(state)
        .await
        .map_err(|error| anyhow::anyhow!("refreshing the statistics: {error}"))?
    {
        Refresh::Done { days, rows } => {
            println!(
                "statistics: {days} days recomputed, {rows} rows ({:.1} s)",
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Refresh::Busy => anyhow::bail!(
            "a server is refreshing the statistics right now; it will include these cases"
        ),
    }
}

fn report_rejected(rejected: &[app::backend::services::identity::RejectedRow]) {
    for row in rejected {
        eprintln!("rejected line {}: {}", row.line, row.reason);
    }
}

async fn import_catalogue(
    settings: &Settings,
    file: &std::path::Path,
    strict: bool,
) -> anyhow::Result<()> {
    use app::backend::catalogue_file::{self, Format};
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let format = Format::of_path(file);
    let parsed = catalogue_file::read(format, &bytes)
        .with_context(|| format!("reading {}", file.display()))?;
    let state = offline_state(settings).await?;
    let started = std::time::Instant::now();
    let rows = (parsed.catalogue.items.len() + parsed.catalogue.bundles.len()) as u64;
    let bar = indicatif::ProgressBar::new(rows).with_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} rows {elapsed}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let report = app::backend::services::catalogue::import_with_progress(
        &state,
        &Actor::system("cli"),
        &parsed.catalogue,
        &parsed.unreadable,
        strict,
        &|| bar.inc(1),
    )
    .await
    .map_err(|error| anyhow::anyhow!("importing: {error}"))?;
    bar.finish_and_clear();
    let mut rejected = report.rejected.clone();
    rejected.sort_by_key(|problem| parsed.row_of(&problem.code));
    for problem in &rejected {
        let column = match format {
            Format::Csv => catalogue_file::csv_column_of(&problem.path),
            Format::Json => problem.path.clone(),
        };
        eprintln!(
            "rejected row {} ({}), {}: {}",
            parsed.row_of(&problem.code),
            problem.code,
            column,
            problem.problem
        );
    }
    let rejected_rows: std::collections::HashSet<&str> = report
        .rejected
        .iter()
        .map(|problem| problem.code.as_str())
        .collect();
    println!(
        "{}: {} created, {} updated, {} unchanged, {} rows rejected ({:.2} s)",
        if report.written {
            "imported"
        } else {
            "nothing imported (--strict)"
        },
        report.created,
        report.updated,
        report.unchanged,
        rejected_rows.len(),
        started.elapsed().as_secs_f64()
    );
    if !report.written {
        anyhow::bail!("the catalogue has rejected rows");
    }
    Ok(())
}

/// State for CLI commands: same database and keys, no demo seeding.
async fn offline_state(settings: &Settings) -> anyhow::Result<app::backend::AppState> {
    let addr = settings.bind_addr()?;
    let mut config = settings.app_config(addr)?;
    config.demo = false;
    server::build_state(
        config,
        settings.session_key_pem()?,
        &settings.previous_public_keys(),
        server::leptos_options(&settings.site_root.to_string_lossy(), addr),
    )
    .await
}

async fn serve(settings: Settings) -> anyhow::Result<()> {
    let addr = settings.bind_addr()?;
    let listener = TcpListener::bind(addr)
        .await
        .with_context(|| format!("binding {addr}"))?;
    let addr = listener.local_addr()?;
    let config = settings.app_config(addr)?;
    let public_url = config.public_url.clone();
    let deliverers = app::backend::delivery::Deliverers::from_config(&config)?;
    let state = server::build_state(
        config,
        settings.session_key_pem()?,
        &settings.previous_public_keys(),
        server::leptos_options(&settings.site_root.to_string_lossy(), addr),
    )
    .await?;
    if state.config.demo {
        print_demo_logins(&state).await;
    }
    tracing::info!(%addr, database = state.db.kind().label(), "listening on {public_url}");
    tracing::info!(storage = ?state.config.storage, "uploaded files");
    tracing::info!(mail = %deliverers.mail.describe(), "outbox delivery: mail to {}; SMS to the log", deliverers.mail.describe());
    let stop = CancellationToken::new();
    let mut worker = tokio::spawn(app::backend::delivery::run_worker(
        state.clone(),
        deliverers,
        std::time::Duration::from_secs(1),
        stop.clone(),
    ));
    let statistics = tokio::spawn(app::backend::services::statistics::run_refresher(
        state.clone(),
        std::time::Duration::from_secs(state.config.stats_refresh_secs),
    ));
    let db = state.db.clone();
    let served = axum::serve(
        listener,
        server::build_router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown({
        let stop = stop.clone();
        async move {
            shutdown_signal().await;
            // The worker stops claiming while the requests in flight finish.
            stop.cancel();
        }
    })
    .await;
    stop.cancel();
    match tokio::time::timeout(WORKER_GRACE, &mut worker).await {
        Ok(Ok(())) => {}
        Ok(Err(error)) => tracing::error!(error = %error, "the outbox worker ended abnormally"),
        Err(_) => {
            // Its claims run out after a while and any node sends those messages then.
            tracing::warn!(
                "the outbox worker did not finish within {} s; stopping it",
                WORKER_GRACE.as_secs()
            );
            worker.abort();
        }
    }
    // A refresh cut short changes nothing: its day transactions roll back and the next
    // refresh (on any node, once the lease runs out) redoes the days.
    statistics.abort();
    db.close().await;
    served.context("serving")?;
    Ok(())
}

/// How long shutting down waits for the outbox worker's round in flight: longer than one send
/// may take (the SMTP timeout is 20 s), shorter than the usual 30 s a supervisor allows.
const WORKER_GRACE: std::time::Duration = std::time::Duration::from_secs(25);

async fn print_demo_logins(state: &app::backend::AppState) {
    match app::backend::demo::logins(state).await {
        Ok(logins) => {
            println!(
                "\n演示账号 / demo logins (password {}):",
                app::backend::demo::DEMO_PASSWORD
            );
            for login in logins {
                let code = match &login.totp_secret {
                    Some(_) => "TOTP: see the home page or `server totp-code <login>`".to_owned(),
                    None => "no second factor".to_owned(),
                };
                println!("  {:<11} {:<28} {}", login.role.code(), login.login, code);
            }
            println!();
        }
        Err(error) => tracing::warn!(error = %error, "could not list demo logins"),
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
