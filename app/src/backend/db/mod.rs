//! The repository boundary: one connection pool for either database, the migrations of each,
//! and one module per aggregate with runtime queries that run unchanged on SQLite and PostgreSQL
//! (sqlx's `Any` driver: `$n` placeholders, `RETURNING`, `ON CONFLICT`). Where the dialects
//! differ, [`DbKind`] picks the statement. Times are Unix milliseconds (`BIGINT`), flags are
//! nullable timestamps, so no type differs between the two.

pub mod accounts;
pub mod back_office;
mod batch;
pub mod cases;
pub mod catalogue;
pub mod credit;
mod group_commit;
pub mod identity;
pub mod licences;
pub mod materials;
pub mod notices;
pub mod ops;
pub mod org;
pub mod rate_limit;
mod readers;
pub mod sessions;
pub mod signatures;
pub mod statistics;

use std::str::FromStr;
use std::time::Duration;

use anyhow::Context as _;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor as _};

pub use batch::Batch;
pub use group_commit::{WriteJob, Written};
pub use readers::ReadConnection;

/// Which database the pool talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbKind {
    Sqlite,
    Postgres,
}

impl DbKind {
    pub fn of_url(url: &str) -> anyhow::Result<Self> {
        if url.starts_with("sqlite:") {
            Ok(DbKind::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(DbKind::Postgres)
        } else {
            anyhow::bail!("DATABASE_URL must start with sqlite: or postgres://")
        }
    }

    /// The database a connection talks to.
    pub fn of_connection(conn: &sqlx::AnyConnection) -> Self {
        if conn.backend_name().eq_ignore_ascii_case("postgresql") {
            DbKind::Postgres
        } else {
            DbKind::Sqlite
        }
    }

    pub const fn label(self) -> &'static str {
        match self {
            DbKind::Sqlite => "sqlite",
            DbKind::Postgres => "postgres",
        }
    }
}

/// Errors of the repository layer. Constraint violations are told apart so services can turn
/// them into 4xx answers.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("no such row")]
    NotFound,
    #[error("unique constraint violated: {constraint}")]
    UniqueViolation { constraint: String },
    #[error("foreign key violated")]
    ForeignKeyViolation,
    /// The disk is full or the database is read-only: the write was refused, nothing changed.
    #[error("storage full or read-only: {0}")]
    StorageUnavailable(sqlx::Error),
    /// The database cannot be reached (restarting, connections cut, pool exhausted): nothing
    /// was written, trying again shortly can work.
    #[error("database unreachable: {0}")]
    Unreachable(sqlx::Error),
    #[error(transparent)]
    Sqlx(sqlx::Error),
}

/// PostgreSQL SQLSTATEs of a server going away or not yet back: class 08 (connection
/// exception) and 57P01–57P03 (admin shutdown, crash shutdown, cannot connect now).
fn is_unreachable(code: &str) -> bool {
    code.starts_with("08") || matches!(code, "57P01" | "57P02" | "57P03")
}

/// SQLite's primary result codes and PostgreSQL's SQLSTATEs that mean "cannot write now":
/// SQLITE_READONLY (8), SQLITE_IOERR (10, what a failed write on a full disk gives),
/// SQLITE_FULL (13); disk_full (53100), read_only_sql_transaction (25006).
fn is_storage_unavailable(code: &str) -> bool {
    match code.parse::<i64>() {
        Ok(sqlite_code) if code.len() < 5 => matches!(sqlite_code & 0xff, 8 | 10 | 13),
        _ => matches!(code, "53100" | "25006"),
    }
}

/// An I/O error that means the disk is full or mounted read-only.
pub fn is_storage_io_error(error: &std::io::Error) -> bool {
    matches!(
        error.kind(),
        std::io::ErrorKind::StorageFull | std::io::ErrorKind::ReadOnlyFilesystem
    )
}

impl From<sqlx::Error> for DbError {
    fn from(error: sqlx::Error) -> Self {
        match &error {
            sqlx::Error::RowNotFound => DbError::NotFound,
            sqlx::Error::Database(db_error) if db_error.is_unique_violation() => {
                DbError::UniqueViolation {
                    constraint: db_error
                        .constraint()
                        .map(str::to_owned)
                        .unwrap_or_else(|| db_error.message().to_owned()),
                }
            }
            sqlx::Error::Database(db_error) if db_error.is_foreign_key_violation() => {
                DbError::ForeignKeyViolation
            }
            sqlx::Error::Database(db_error)
                if db_error
                    .code()
                    .is_some_and(|code| is_storage_unavailable(&code)) =>
            {
                DbError::StorageUnavailable(error)
            }
            sqlx::Error::Io(io_error) if is_storage_io_error(io_error) => {
                DbError::StorageUnavailable(error)
            }
            sqlx::Error::Database(db_error)
                if db_error.code().is_some_and(|code| is_unreachable(&code)) =>
            {
                DbError::Unreachable(error)
            }
            sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::Tls(_) => {
                DbError::Unreachable(error)
            }
            _ => DbError::Sqlx(error),
        }
    }
}

pub type DbResult<T> = Result<T, DbError>;

/// A write transaction (from [`Db::begin_write`]); `&mut *tx` is its connection. On SQLite it
/// also holds this process's write turn, so writers queue in arrival order: left to SQLite's
/// busy handler, which polls the file lock, waiting writers are served in no order, and under a
/// burst of submissions one of them could lose every round until its busy timeout ran out (seen
/// in the fault suite: "database is locked" after 10 s while others kept committing).
pub struct Tx {
    inner: sqlx::Transaction<'static, sqlx::Any>,
    _write_turn: Option<tokio::sync::OwnedSemaphorePermit>,
}

impl Tx {
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        self.inner.commit().await
    }

    pub async fn rollback(self) -> Result<(), sqlx::Error> {
        self.inner.rollback().await
    }
}

impl std::ops::Deref for Tx {
    type Target = sqlx::AnyConnection;

    fn deref(&self) -> &Self::Target {
        &self.inner
    }
}

impl std::ops::DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.inner
    }
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");

/// Sets up a new SQLite connection: WAL, foreign keys, the busy timeout, `NORMAL` syncing (the
/// WAL is synced at checkpoints) and the automatic checkpoint's threshold.
async fn configure_sqlite(connection: &mut sqlx::AnyConnection) -> Result<(), sqlx::Error> {
    connection
        .execute(sqlx::AssertSqlSafe(format!(
            "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; \
             PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL; \
             PRAGMA wal_autocheckpoint = {AUTO_CHECKPOINT_PAGES};"
        )))
        .await?;
    Ok(())
}

/// The most read connections open at once on a SQLite file.
const SQLITE_READERS: u32 = 8;

/// How long a request waits for a connection before it is answered 503.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);

/// Begins a SQLite write transaction with the write lock taken up front, so that writers of
/// other processes queue on the busy timeout instead of failing on a lock upgrade.
async fn begin_immediate(
    pool: &AnyPool,
) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
    pool.begin_with("BEGIN IMMEDIATE").await
}

/// A pool for one database plus the knowledge of which one it is.
#[derive(Debug, Clone)]
pub struct Db {
    pool: AnyPool,
    kind: DbKind,
    /// SQLite file databases: the file locked while migrating (see [`Db::migrate`]).
    migrate_lock: Option<std::path::PathBuf>,
    /// SQLite: one write transaction at a time in this process, in arrival order (see [`Tx`]).
    write_turns: std::sync::Arc<tokio::sync::Semaphore>,
    /// A SQLite file: the one connection write transactions run on, apart from the readers'
    /// pool. A writer that has its turn must not then queue for a connection behind every
    /// reader of a busy server: with one shared pool the turn was held through that wait, and
    /// it, not the writes, bounded the submissions per second (376/s at 64 clients before,
    /// 611/s after, see docs/benchmarks.md "Load"). PostgreSQL writes on the shared pool.
    write_pool: Option<AnyPool>,
    /// A SQLite file: stops [`run_checkpoints`] when the last clone of this `Db` is dropped or
    /// [`Db::close`] runs.
    checkpoints: Option<std::sync::Arc<CheckpointTask>>,
    /// A SQLite file: the queue of [`Db::write`]'s jobs, run in groups on `write_pool`.
    group_commit: Option<std::sync::Arc<group_commit::GroupCommit>>,
    /// A SQLite file: the connections [`Db::read`] hands out, instead of the pool's.
    readers: Option<std::sync::Arc<readers::SqliteReaders>>,
}

/// The running [`run_checkpoints`] of a SQLite file: stopped by [`CheckpointTask::stop`] or
/// when dropped, that is once the last clone of its [`Db`] is gone.
#[derive(Debug)]
struct CheckpointTask(tokio_util::sync::CancellationToken);

impl CheckpointTask {
    fn spawn(pool: AnyPool, every: Duration) -> Self {
        let stop = tokio_util::sync::CancellationToken::new();
        tokio::spawn(run_checkpoints(pool, every, stop.clone()));
        Self(stop)
    }

    fn stop(&self) {
        self.0.cancel();
    }
}

impl Drop for CheckpointTask {
    fn drop(&mut self) {
        self.stop();
    }
}

/// How often the WAL of a SQLite file is checkpointed on a connection of its own (see
/// [`run_checkpoints`]). At 500 submissions per second that is ≈ 1,000 pages a round, the
/// amount SQLite's own checkpoint copied.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(100);

/// SQLite's own checkpoint, run by whichever connection commits once the WAL holds this many
/// pages (40 MB): only a safety net now, should [`run_checkpoints`] fall behind. At SQLite's
/// default of 1,000 pages it ran about every 50 submissions inside the committing writer's
/// turn, 14–18 ms each (an `fsync` of the WAL and one of the database), and every writer
/// queued behind it: the tail of the submissions' latency (docs/benchmarks.md "Offered load").
const AUTO_CHECKPOINT_PAGES: u32 = 10_000;

/// Copies the WAL of a SQLite file back into the database every `every`, on the one connection
/// of `pool`, until `stop`. `PASSIVE` takes no lock that writers or readers wait for: writers
/// go on appending to the WAL meanwhile, and SQLite starts the WAL over once a checkpoint has
/// copied all of it. Failures (a full disk, a read-only directory) are logged once when they
/// start and once when they end, and retried every round.
async fn run_checkpoints(
    pool: AnyPool,
    every: Duration,
    stop: tokio_util::sync::CancellationToken,
) {
    let mut ticker = tokio::time::interval(every);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut failing = false;
    loop {
        tokio::select! {
            () = stop.cancelled() => break,
            _ = ticker.tick() => {}
        }
        let started = std::time::Instant::now();
        // Columns: busy (another process was checkpointing), WAL pages, pages copied so far.
        let result = sqlx::query_as::<_, (i64, i64, i64)>("PRAGMA wal_checkpoint(PASSIVE)")
            .fetch_one(&pool)
            .await;
        match result {
            Ok((_, wal_pages, copied)) => {
                if failing {
                    tracing::info!("WAL checkpoints work again");
                    failing = false;
                }
                tracing::trace!(
                    wal_pages,
                    copied,
                    micros = started.elapsed().as_micros() as u64,
                    "WAL checkpoint"
                );
            }
            Err(error) if !failing => {
                tracing::warn!(error = %error, "WAL checkpoint failed; retrying every round");
                failing = true;
            }
            Err(_) => {}
        }
    }
    pool.close().await;
}

/// The `VALUES` rows of a multi-row insert whose first column is the same `$1` in every row:
/// `($1, $2, $3), ($1, $4, $5)` for two rows of two more columns each.
fn rows_after_shared_first(rows: usize, more_columns: usize) -> String {
    (0..rows)
        .map(|row| {
            let first = 2 + row * more_columns;
            let columns: String = (first..first + more_columns)
                .map(|n| format!(", ${n}"))
                .collect();
            format!("($1{columns})")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The lock file beside a SQLite database file (`sqlite://path?…` or `sqlite:path`); none for
/// in-memory databases.
fn sqlite_migrate_lock(url: &str) -> Option<std::path::PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    if path.is_empty() || path.contains(":memory:") || url.contains("mode=memory") {
        return None;
    }
    Some(std::path::PathBuf::from(format!("{path}.migrate-lock")))
}

impl Db {
    /// Connects (creating the SQLite file if needed) and configures every connection: SQLite
    /// gets WAL, foreign keys and a busy timeout.
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        sqlx::any::install_default_drivers();
        let kind = DbKind::of_url(url)?;
        let url = match kind {
            DbKind::Sqlite if !url.contains("mode=") && !url.contains(":memory:") => {
                let separator = if url.contains('?') { '&' } else { '?' };
                format!("{url}{separator}mode=rwc")
            }
            _ => url.to_owned(),
        };
        let options = AnyConnectOptions::from_str(&url).context("parsing DATABASE_URL")?;
        let pool_options = AnyPoolOptions::new()
            .max_connections(match kind {
                DbKind::Sqlite => SQLITE_READERS,
                DbKind::Postgres => 16,
            })
            .acquire_timeout(ACQUIRE_TIMEOUT)
            // A transaction whose COMMIT and ROLLBACK both failed (seen on a full disk) leaves
            // sqlx counting it as open on the connection, and every later `begin` there fails
            // ("non-zero transaction depth"). Such a connection is closed, not handed out.
            .before_acquire(|connection, _meta| {
                Box::pin(async move { Ok(!sqlx::Connection::is_in_transaction(connection)) })
            });
        let pool_options = match kind {
            // A SQLite connection is a file opened by this process: no server can drop it while
            // it is idle, so the ping sqlx sends before handing it out (a round trip to the
            // connection's thread on every acquire) would find nothing. sqlx still pings it when
            // it comes back to the pool, which catches one left broken by its last user.
            DbKind::Sqlite => pool_options
                .test_before_acquire(false)
                .after_connect(|connection, _meta| Box::pin(configure_sqlite(connection))),
            // Queue pages are short indexed walks with a LIMIT: launching parallel workers costs
            // more than it saves on them (measured: 40 ms instead of 8 ms on 2 cores).
            DbKind::Postgres => pool_options.after_connect(|connection, _meta| {
                Box::pin(async move {
                    connection
                        .execute("SET max_parallel_workers_per_gather = 0")
                        .await?;
                    Ok(())
                })
            }),
        };
        // An in-memory database is private to its connection: it keeps the one pool.
        let write_pool = match kind {
            // Its one connection is handed from writer to writer: a ping before each hand-over
            // would be one more round trip to the database thread inside the write turn.
            DbKind::Sqlite if sqlite_migrate_lock(&url).is_some() => Some(
                pool_options
                    .clone()
                    .max_connections(1)
                    .test_before_acquire(false)
                    .connect_with(options.clone())
                    .await
                    .context("connecting to the sqlite database for writing")?,
            ),
            DbKind::Sqlite | DbKind::Postgres => None,
        };
        // Its own connection, so that a checkpoint holds neither the write turn nor a reader's
        // connection; opened lazily, so a database that cannot be opened fails below instead.
        let checkpoints = match write_pool {
            Some(_) => {
                let checkpoint_pool = pool_options
                    .clone()
                    .max_connections(1)
                    .test_before_acquire(false)
                    .connect_lazy_with(options.clone());
                Some(std::sync::Arc::new(CheckpointTask::spawn(
                    checkpoint_pool,
                    CHECKPOINT_EVERY,
                )))
            }
            None => None,
        };
        let readers = write_pool.as_ref().map(|_| {
            readers::SqliteReaders::new(options.clone(), SQLITE_READERS as usize, ACQUIRE_TIMEOUT)
        });
        let pool = pool_options
            .connect_with(options)
            .await
            .with_context(|| format!("connecting to the {} database", kind.label()))?;
        let migrate_lock = match kind {
            DbKind::Sqlite => sqlite_migrate_lock(&url),
            DbKind::Postgres => None,
        };
        let write_turns = std::sync::Arc::new(tokio::sync::Semaphore::new(1));
        let group_commit = match &write_pool {
            Some(write_pool) => Some(std::sync::Arc::new(group_commit::GroupCommit::start(
                write_pool.clone(),
                write_turns.clone(),
            )?)),
            None => None,
        };
        Ok(Self {
            pool,
            kind,
            migrate_lock,
            write_turns,
            write_pool,
            checkpoints,
            group_commit,
            readers,
        })
    }

    /// Applies pending migrations, once however many processes start together. On PostgreSQL
    /// sqlx holds an advisory lock meanwhile. On SQLite its lock does nothing, and two
    /// processes opening one file would both apply the first migration (the second failing on
    /// "table already exists"): an exclusive lock on a file beside the database serialises
    /// them, and the later one finds nothing left to apply.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        let migrator = match self.kind {
            DbKind::Sqlite => &SQLITE_MIGRATIONS,
            DbKind::Postgres => &POSTGRES_MIGRATIONS,
        };
        let _guard = match &self.migrate_lock {
            Some(path) => {
                let path = path.clone();
                Some(
                    tokio::task::spawn_blocking(move || -> anyhow::Result<std::fs::File> {
                        let file = std::fs::OpenOptions::new()
                            .create(true)
                            .truncate(false)
                            .write(true)
                            .open(&path)
                            .with_context(|| format!("opening {}", path.display()))?;
                        file.lock()
                            .with_context(|| format!("locking {}", path.display()))?;
                        Ok(file)
                    })
                    .await
                    .context("waiting for the migration lock")??,
                )
            }
            None => None,
        };
        migrator
            .run(&self.pool)
            .await
            .context("applying migrations")?;
        // Dropping the file releases the lock.
        Ok(())
    }

    /// Whether every embedded migration has been applied (for `/readyz`).
    pub async fn migrations_applied(&self) -> anyhow::Result<bool> {
        let expected = match self.kind {
            DbKind::Sqlite => SQLITE_MIGRATIONS.iter().count(),
            DbKind::Postgres => POSTGRES_MIGRATIONS.iter().count(),
        };
        let applied: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE success = TRUE")
                .fetch_one(&self.pool)
                .await
                .context("reading _sqlx_migrations")?;
        Ok(usize::try_from(applied).unwrap_or(0) >= expected)
    }

    pub fn kind(&self) -> DbKind {
        self.kind
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// A connection to read on (it may also write, but writes belong in [`Db::begin_write`] or
    /// [`Db::write`]): on a SQLite file one of its read connections ([`readers`]), otherwise
    /// one of the pool's.
    pub async fn read(&self) -> DbResult<ReadConnection> {
        Ok(match &self.readers {
            Some(readers) => ReadConnection::Sqlite(readers.acquire().await?),
            None => ReadConnection::Pooled(self.pool.acquire().await?),
        })
    }

    /// Starts a transaction that will write. On SQLite it first waits for this process's write
    /// turn (fair, see [`Tx`]), then takes the write lock up front ([`begin_immediate`]).
    pub async fn begin_write(&self) -> DbResult<Tx> {
        let tx = match self.kind {
            DbKind::Sqlite => {
                // The semaphore is never closed, so acquiring fails only if it were.
                let turn = self.write_turns.clone().acquire_owned().await.ok();
                let pool = self.write_pool.as_ref().unwrap_or(&self.pool);
                Tx {
                    inner: begin_immediate(pool).await?,
                    _write_turn: turn,
                }
            }
            DbKind::Postgres => Tx {
                inner: self.pool.begin().await?,
                _write_turn: None,
            },
        };
        Ok(tx)
    }

    /// Runs `job` in a write transaction and commits its writes if it asks to keep them
    /// ([`Written::Keep`]); `Ok` means they are on disk. On a SQLite file the job may share its
    /// transaction with other jobs queued at the same moment, inside a savepoint of its own
    /// (group commit, see `group_commit`); elsewhere it runs in a transaction of its own, as
    /// with [`Db::begin_write`].
    pub async fn write<T, E, F>(&self, job: F) -> Result<T, E>
    where
        F: WriteJob<T, E>,
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        if let Some(group_commit) = &self.group_commit {
            return group_commit.write(job).await;
        }
        let mut tx = self.begin_write().await?;
        match job(&mut tx).await? {
            Written::Keep(value) => {
                tx.commit().await.map_err(DbError::from)?;
                Ok(value)
            }
            // Dropping the transaction rolls it back.
            Written::Discard(value) => Ok(value),
        }
    }

    /// Transactions committed by [`Db::write`]'s group commit and the jobs kept in them so far
    /// (`None` where jobs are not grouped: PostgreSQL, SQLite in memory).
    pub fn group_commit_counts(&self) -> Option<(u64, u64)> {
        self.group_commit
            .as_ref()
            .map(|group_commit| group_commit.counts())
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> bool {
        sqlx::query_scalar::<_, i64>("SELECT 1")
            .fetch_one(&self.pool)
            .await
            .is_ok()
    }

    /// Stops the background work (checkpoints, the group-commit thread, whose queued jobs are
    /// answered that the writer is gone) and closes the connections.
    pub async fn close(&self) {
        if let Some(checkpoints) = &self.checkpoints {
            checkpoints.stop();
        }
        if let Some(group_commit) = &self.group_commit {
            group_commit.stop();
        }
        if let Some(write_pool) = &self.write_pool {
            write_pool.close().await;
        }
        if let Some(readers) = &self.readers {
            readers.close().await;
        }
        self.pool.close().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A new SQLite file `bjm.db`, in a directory of its own, holding the table `create`
    /// makes: the database and the directory, which the test removes at its end.
    pub(in crate::backend::db) async fn sqlite_file_with_table(
        prefix: &str,
        create: &'static str,
    ) -> (Db, std::path::PathBuf) {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_nanos());
        let dir = std::env::temp_dir().join(format!("{prefix}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temporary directory");
        let db = Db::connect(&format!("sqlite://{}", dir.join("bjm.db").display()))
            .await
            .expect("opening the database");
        let mut tx = db.begin_write().await.expect("write transaction");
        sqlx::raw_sql(create)
            .execute(&mut *tx)
            .await
            .expect("table");
        tx.commit().await.expect("commit");
        (db, dir)
    }

    #[tokio::test]
    async fn a_sqlite_files_wal_is_copied_into_the_database_by_the_checkpoint_task_alone() {
        let (db, dir) =
            sqlite_file_with_table("bjm-wal", "CREATE TABLE filler (body TEXT NOT NULL)").await;
        let file = dir.join("bjm.db");
        let mut tx = db.begin_write().await.expect("write transaction");
        // About 800 pages (3.2 MB) in the WAL: far under AUTO_CHECKPOINT_PAGES, so no COMMIT
        // copies them into the database file; only the checkpoint task can.
        sqlx::query(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 400) \
             INSERT INTO filler SELECT hex(randomblob(3000)) FROM n",
        )
        .execute(&mut *tx)
        .await
        .expect("rows");
        tx.commit().await.expect("commit");
        let size = || std::fs::metadata(&file).map_or(0, |meta| meta.len());
        // Rounds of 100 ms: 10 s is a hundred of them, so only a task that never runs fails.
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while size() < 2_000_000 && std::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let copied = size();
        db.close().await;
        let _ = std::fs::remove_dir_all(&dir);
        assert!(
            copied >= 2_000_000,
            "the database file holds {copied} bytes: the WAL was not checkpointed"
        );
    }

    #[test]
    fn a_sqlite_file_gets_a_lock_file_beside_it_and_memory_none() {
        assert_eq!(
            sqlite_migrate_lock("sqlite:///srv/bjm/bjm.db?mode=rwc"),
            Some(std::path::PathBuf::from("/srv/bjm/bjm.db.migrate-lock"))
        );
        assert_eq!(
            sqlite_migrate_lock("sqlite://data/bjm.db"),
            Some(std::path::PathBuf::from("data/bjm.db.migrate-lock"))
        );
        assert_eq!(sqlite_migrate_lock("sqlite::memory:"), None);
        assert_eq!(sqlite_migrate_lock("postgres://db/bjm"), None);
    }

    #[test]
    fn multi_row_values_share_the_first_placeholder_and_number_the_rest_in_order() {
        assert_eq!(rows_after_shared_first(1, 1), "($1, $2)");
        assert_eq!(rows_after_shared_first(2, 2), "($1, $2, $3), ($1, $4, $5)");
        assert_eq!(
            rows_after_shared_first(3, 1),
            "($1, $2), ($1, $3), ($1, $4)"
        );
    }

    #[test]
    fn full_and_read_only_storage_is_told_apart_from_other_database_errors() {
        // SQLite primary codes, also inside extended codes (SQLITE_IOERR_WRITE = 778).
        for code in ["8", "10", "13", "778", "53100", "25006"] {
            assert!(is_storage_unavailable(code), "{code}");
        }
        for code in ["5", "19", "2067", "23505", "57P01"] {
            assert!(!is_storage_unavailable(code), "{code}");
        }
    }

    #[test]
    fn a_postgres_server_going_away_is_unreachable_and_constraint_errors_are_not() {
        for code in ["08006", "08001", "57P01", "57P02", "57P03"] {
            assert!(is_unreachable(code), "{code}");
        }
        for code in ["23505", "53100", "40001", "57014"] {
            assert!(!is_unreachable(code), "{code}");
        }
    }

    #[test]
    fn lost_connections_and_an_exhausted_pool_are_unreachable() {
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        assert!(matches!(
            DbError::from(sqlx::Error::Io(refused)),
            DbError::Unreachable(_)
        ));
        assert!(matches!(
            DbError::from(sqlx::Error::PoolTimedOut),
            DbError::Unreachable(_)
        ));
        let full = std::io::Error::from(std::io::ErrorKind::StorageFull);
        assert!(matches!(
            DbError::from(sqlx::Error::Io(full)),
            DbError::StorageUnavailable(_)
        ));
    }
}
