//! Group commit for a SQLite file ([`super::Db::write`]): write jobs queue here, and a thread
//! of their own runs the jobs that wait together in one transaction, each inside a savepoint of
//! its own, so that they share one `BEGIN IMMEDIATE`, one `COMMIT` and one hand-over of the
//! write turn.
//!
//! Why: SQLite has one writer at a time, so a submission's time in the write turn bounds the
//! submissions per second. Of the ≈ 1.1 ms a submission held the turn at 64 clients, ≈ 0.4 ms
//! were the `BEGIN`, the `COMMIT` and taking the writer connection (docs/benchmarks.md, "Load").
//! A savepoint costs one round trip: the `RELEASE` of one job and the `SAVEPOINT` of the next
//! go together, and the `COMMIT` ends the last one. Inside the group the audit log's last hash
//! is remembered from job to job ([`crate::backend::audit::within_group`]), so that only the
//! group's first audit entry reads it.
//!
//! What each job is told is what is on disk: a job's result reaches its caller only once the
//! shared `COMMIT` has succeeded. A job that fails or discards its writes is rolled back to
//! its savepoint and its neighbours keep theirs. Should the shared transaction itself break (a
//! full disk, a failed `COMMIT`), every job of the group is told so with the error, and none of
//! their writes is kept. A job that panics is rolled back like a failed one (its caller sees the
//! writer gone), and the thread goes on with the next.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::Context as _;
use futures_util::FutureExt as _;
use futures_util::future::BoxFuture;
use sqlx::{AnyConnection, AnyPool};
use tokio::sync::{Semaphore, mpsc, oneshot};
use tokio_util::sync::CancellationToken;

use super::DbError;

/// The most jobs one transaction runs. Bounds how long the first job of a group waits for the
/// last one (≈ 1 ms each) before its answer.
const MAX_GROUP: usize = 16;

/// What a write job did: keep its writes, or have them rolled back; either way with a value
/// for its caller.
#[derive(Debug)]
pub enum Written<T> {
    Keep(T),
    Discard(T),
}

/// A job for [`super::Db::write`]: the statements of one change, run on the transaction's
/// connection, saying whether to keep what they wrote. It must not commit, roll back or begin
/// a transaction itself.
pub trait WriteJob<T, E>:
    for<'c> FnOnce(&'c mut AnyConnection) -> BoxFuture<'c, Result<Written<T>, E>> + Send + 'static
{
}

impl<F, T, E> WriteJob<T, E> for F where
    F: for<'c> FnOnce(&'c mut AnyConnection) -> BoxFuture<'c, Result<Written<T>, E>>
        + Send
        + 'static
{
}

/// A queued job, its reply channel and its types erased.
trait QueuedWrite: Send {
    /// Runs the job on `conn`; the result waits in [`Ran`] until its fate is known.
    fn run(self: Box<Self>, conn: &mut AnyConnection) -> BoxFuture<'_, Ran>;
    /// Answers the caller without running the job.
    fn fail(self: Box<Self>, error: DbError);
}

/// A job that has run: whether its writes are to be kept, and how to answer its caller once
/// it is known whether they were (`Ok` = committed, or rolled back as the job asked).
struct Ran {
    keep: bool,
    reply: Box<dyn FnOnce(Result<(), DbError>) + Send>,
}

struct Queued<F, T, E> {
    job: F,
    reply: oneshot::Sender<Result<T, E>>,
}

impl<F, T, E> QueuedWrite for Queued<F, T, E>
where
    F: WriteJob<T, E>,
    T: Send + 'static,
    E: From<DbError> + Send + 'static,
{
    fn run(self: Box<Self>, conn: &mut AnyConnection) -> BoxFuture<'_, Ran> {
        let Queued { job, reply } = *self;
        Box::pin(async move {
            match (job)(conn).await {
                Ok(Written::Keep(value)) => Ran {
                    keep: true,
                    reply: Box::new(move |committed| {
                        // The caller may have gone (a closed connection): nothing to tell.
                        let _ = reply.send(committed.map(|()| value).map_err(E::from));
                    }),
                },
                Ok(Written::Discard(value)) => Ran {
                    keep: false,
                    reply: Box::new(move |_| {
                        let _ = reply.send(Ok(value));
                    }),
                },
                Err(error) => Ran {
                    keep: false,
                    reply: Box::new(move |_| {
                        let _ = reply.send(Err(error));
                    }),
                },
            }
        })
    }

    fn fail(self: Box<Self>, error: DbError) {
        let _ = self.reply.send(Err(E::from(error)));
    }
}

/// The queue of a SQLite file's write jobs and what it has done so far.
#[derive(Debug)]
pub(super) struct GroupCommit {
    jobs: mpsc::UnboundedSender<Box<dyn QueuedWrite>>,
    counts: Arc<Counts>,
    /// Ends the thread after its current group ([`GroupCommit::stop`]).
    stop: CancellationToken,
}

/// Committed transactions and the jobs kept in them, since the start.
#[derive(Debug, Default)]
struct Counts {
    transactions: AtomicU64,
    jobs: AtomicU64,
}

impl GroupCommit {
    /// Starts the thread that runs the jobs on `pool` (the writer connection), each group while
    /// holding the process's write turn from `turns`. The thread ends once this value is
    /// dropped.
    ///
    /// A thread of its own, with a runtime of its own, because every statement of a group is a
    /// round trip to the connection's database thread: on the server's runtime the group's
    /// task is woken after each one behind the requests' tasks, one writer at a time. Here the
    /// group goes on as soon as each answer arrives. An earlier writer thread (5db74c7) took
    /// 696 → 768 submissions/s; this one was not told apart from the spread between runs
    /// (docs/benchmarks.md, "Writer thread and batched statements").
    pub(super) fn start(pool: AnyPool, turns: Arc<Semaphore>) -> anyhow::Result<Self> {
        let (jobs, queue) = mpsc::unbounded_channel();
        let counts = Arc::new(Counts::default());
        let task_counts = counts.clone();
        let stop = CancellationToken::new();
        let stopped = stop.clone();
        // The runtime is built, and dropped, on the thread itself: dropping a runtime inside
        // the caller's (asynchronous) context would panic.
        let (started, start) = std::sync::mpsc::sync_channel(1);
        std::thread::Builder::new()
            .name("db-writer".into())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build();
                match runtime {
                    Ok(runtime) => {
                        let _ = started.send(Ok(()));
                        runtime.block_on(run_groups(queue, pool, turns, task_counts, stopped));
                    }
                    Err(error) => {
                        let _ = started.send(Err(error));
                    }
                }
            })
            .context("starting the database writer thread")?;
        // Waits only for the runtime to be built (microseconds).
        start
            .recv()
            .context("the database writer thread ended at its start")?
            .context("building the database writer's runtime")?;
        Ok(Self { jobs, counts, stop })
    }

    /// Ends the thread once its current group has ended; jobs still queued, or queued later,
    /// are answered that the writer is gone. Without it the thread ends when the last clone
    /// of its `Db` is dropped.
    pub(super) fn stop(&self) {
        self.stop.cancel();
    }

    /// Queues `job` and waits for its answer.
    pub(super) async fn write<T, E, F>(&self, job: F) -> Result<T, E>
    where
        F: WriteJob<T, E>,
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        if self.jobs.send(Box::new(Queued { job, reply })).is_err() {
            return Err(E::from(writer_gone()));
        }
        answer.await.unwrap_or_else(|_| Err(E::from(writer_gone())))
    }

    /// Committed transactions and the jobs kept in them so far.
    pub(super) fn counts(&self) -> (u64, u64) {
        (
            self.counts.transactions.load(Ordering::Relaxed),
            self.counts.jobs.load(Ordering::Relaxed),
        )
    }
}

/// The answer of a job whose run ended without one (it panicked) or that could not be queued.
fn writer_gone() -> DbError {
    DbError::Sqlx(sqlx::Error::WorkerCrashed)
}

/// The same kind of error for every job of a failed group: the status and message a caller
/// gets depend on the variant only, and `run_group` logs the original once.
fn for_every_job(error: &DbError) -> DbError {
    let copy = || sqlx::Error::Protocol(error.to_string());
    match error {
        DbError::StorageUnavailable(_) => DbError::StorageUnavailable(copy()),
        DbError::Unreachable(_) => DbError::Unreachable(copy()),
        _ => DbError::Sqlx(copy()),
    }
}

/// The writer thread's task: one group at a time, each in the process's write turn, until
/// `stop` or until every sender (every clone of the `Db`) is gone. A group is never cut off
/// halfway: what its callers are told must be what happened to its transaction.
async fn run_groups(
    mut queue: mpsc::UnboundedReceiver<Box<dyn QueuedWrite>>,
    pool: AnyPool,
    turns: Arc<Semaphore>,
    counts: Arc<Counts>,
    stop: CancellationToken,
) {
    loop {
        let first = tokio::select! {
            biased;
            () = stop.cancelled() => break,
            next = queue.recv() => match next {
                Some(job) => job,
                None => break,
            },
        };
        // The semaphore is never closed, so acquiring fails only if it were.
        let turn = turns.acquire().await.ok();
        // Whatever queued while this group waited for its turn goes with it.
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match queue.try_recv() {
                Ok(job) => group.push(job),
                Err(_) => break,
            }
        }
        crate::backend::audit::within_group(run_group(&pool, group, &counts)).await;
        drop(turn);
    }
}

/// Runs `group` in one transaction and answers every job once it has ended: a job that
/// discarded its writes may be answered by reading what a neighbour wrote (the case of a draft
/// submitted twice at once), so it too waits for the `COMMIT`.
async fn run_group(pool: &AnyPool, group: Vec<Box<dyn QueuedWrite>>, counts: &Counts) {
    let mut tx = match super::begin_immediate(pool).await {
        Ok(tx) => tx,
        Err(error) => {
            let error = DbError::from(error);
            tracing::warn!(error = %error, jobs = group.len(), "group commit: BEGIN failed");
            for job in group {
                job.fail(for_every_job(&error));
            }
            return;
        }
    };
    // A job alone needs no savepoint: the transaction is its own.
    let alone = group.len() == 1;
    let mut ran: Vec<Ran> = Vec::with_capacity(group.len());
    let mut waiting = group.into_iter();
    let mut broken: Option<DbError> = None;
    // How the previous job ends and the next one begins, sent together in one round trip
    // before the next job (SQLite runs the statements of one query string in order): the
    // savepoint of a job kept is released, that of a job failed, discarded or panicked is
    // rolled back first, and the others go on. The last job's `RELEASE` is the `COMMIT`,
    // which ends every savepoint still open.
    let mut between = Between::First;
    for job in waiting.by_ref() {
        if alone {
            ran.extend(run_caught(job, &mut tx).await);
            break;
        }
        if let Err(error) = sqlx::raw_sql(between.statements()).execute(&mut *tx).await {
            let error = DbError::from(error);
            job.fail(for_every_job(&error));
            broken = Some(error);
            break;
        }
        let outcome = run_caught(job, &mut tx).await;
        between = if outcome.as_ref().is_some_and(|outcome| outcome.keep) {
            Between::AfterKept
        } else {
            // The audit log's last entry may have been one of the job's, now rolled back.
            crate::backend::audit::forget_group_tail();
            Between::AfterRolledBack
        };
        ran.extend(outcome);
    }
    if broken.is_none()
        && !alone
        && let Some(closing) = between.closing()
        && let Err(error) = sqlx::raw_sql(closing).execute(&mut *tx).await
    {
        broken = Some(DbError::from(error));
    }
    // Alone, a job that panicked or kept nothing leaves nothing to commit.
    let nothing_kept = alone && !ran.iter().any(|outcome| outcome.keep);
    // A transaction not committed is rolled back when dropped.
    let committed = match broken {
        Some(error) => {
            drop(tx);
            Err(error)
        }
        None if nothing_kept => {
            drop(tx);
            Ok(())
        }
        None => tx.commit().await.map_err(DbError::from),
    };
    match committed {
        Ok(()) => {
            let kept = ran.iter().filter(|outcome| outcome.keep).count() as u64;
            if kept > 0 {
                counts.transactions.fetch_add(1, Ordering::Relaxed);
                counts.jobs.fetch_add(kept, Ordering::Relaxed);
            }
            for outcome in ran {
                (outcome.reply)(Ok(()));
            }
        }
        Err(error) => {
            tracing::warn!(
                error = %error,
                jobs = ran.len(),
                "group commit: the shared transaction failed; none of its jobs was kept"
            );
            for outcome in ran {
                (outcome.reply)(Err(for_every_job(&error)));
            }
            for job in waiting {
                job.fail(for_every_job(&error));
            }
        }
    }
}

/// Where a group stands between two of its jobs (see [`run_group`]).
#[derive(Clone, Copy)]
enum Between {
    First,
    AfterKept,
    AfterRolledBack,
}

impl Between {
    /// The statements that end the previous job's savepoint and begin the next one's.
    fn statements(self) -> &'static str {
        match self {
            Between::First => "SAVEPOINT job",
            Between::AfterKept => "RELEASE job; SAVEPOINT job",
            Between::AfterRolledBack => "ROLLBACK TO job; RELEASE job; SAVEPOINT job",
        }
    }

    /// What must run before the `COMMIT` after the group's last job: the rollback of its
    /// writes if it was not kept (a kept one's savepoint the `COMMIT` ends).
    fn closing(self) -> Option<&'static str> {
        match self {
            Between::AfterRolledBack => Some("ROLLBACK TO job"),
            Between::First | Between::AfterKept => None,
        }
    }
}

/// Runs `job`; `None` if it panicked (logged).
async fn run_caught(job: Box<dyn QueuedWrite>, conn: &mut AnyConnection) -> Option<Ran> {
    match AssertUnwindSafe(job.run(conn)).catch_unwind().await {
        Ok(ran) => Some(ran),
        Err(_) => {
            tracing::error!("group commit: a write job panicked; rolled back");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::super::{Db, DbError};
    use super::Written;

    /// What a test job does after inserting its row.
    #[derive(Clone, Copy)]
    enum Then {
        Keep,
        Discard,
        Fail,
        Panic,
    }

    async fn job(db: &Db, n: i64, then: Then) -> Result<i64, DbError> {
        job_with_audit(db, n, then, false).await
    }

    /// Inserts row `n` (and, if `audited`, appends an audit entry after it), then does `then`.
    async fn job_with_audit(db: &Db, n: i64, then: Then, audited: bool) -> Result<i64, DbError> {
        use crate::backend::audit;
        db.write(move |conn| {
            Box::pin(async move {
                sqlx::query("INSERT INTO jobs (n) VALUES ($1)")
                    .bind(n)
                    .execute(&mut *conn)
                    .await?;
                if audited {
                    audit::append(
                        conn,
                        &audit::Actor::system("test"),
                        "test.job",
                        &format!("job:{n}"),
                        serde_json::json!({ "n": n }),
                        n,
                    )
                    .await?;
                }
                match then {
                    Then::Keep => Ok(Written::Keep(n)),
                    Then::Discard => Ok(Written::Discard(-n)),
                    Then::Fail => Err(DbError::NotFound),
                    Then::Panic => panic!("job {n} panics on purpose"),
                }
            })
        })
        .await
    }

    async fn rows(db: &Db) -> Vec<i64> {
        sqlx::query_scalar("SELECT n FROM jobs ORDER BY n")
            .fetch_all(db.pool())
            .await
            .expect("rows")
    }

    /// A new SQLite file in a directory of its own, with the `jobs` table.
    async fn sqlite_file_with_jobs_table() -> (Db, std::path::PathBuf) {
        super::super::tests::sqlite_file_with_table(
            "bjm-group",
            "CREATE TABLE jobs (n BIGINT NOT NULL)",
        )
        .await
    }

    #[tokio::test]
    async fn jobs_queued_together_share_one_commit_and_each_keeps_only_its_own_writes() {
        let (db, dir) = sqlite_file_with_jobs_table().await;
        assert_eq!(db.group_commit_counts(), Some((0, 0)));

        // Hold the write turn, so that all six jobs queue before the first group starts.
        let held = db.begin_write().await.expect("write turn");
        let plan = [
            Then::Keep,
            Then::Keep,
            Then::Discard,
            Then::Fail,
            Then::Panic,
            Then::Keep,
        ];
        let jobs = futures_util::future::join_all(
            plan.iter().zip(1..).map(|(then, n)| job(&db, n, *then)),
        );
        let release = async {
            tokio::time::sleep(Duration::from_millis(100)).await;
            held.rollback().await.expect("release the turn");
        };
        let (answers, ()) = tokio::join!(jobs, release);

        assert!(matches!(answers[0], Ok(1)), "{:?}", answers[0]);
        assert!(matches!(answers[1], Ok(2)), "{:?}", answers[1]);
        assert!(matches!(answers[2], Ok(-3)), "{:?}", answers[2]);
        assert!(
            matches!(answers[3], Err(DbError::NotFound)),
            "{:?}",
            answers[3]
        );
        assert!(
            matches!(answers[4], Err(DbError::Sqlx(_))),
            "{:?}",
            answers[4]
        );
        assert!(matches!(answers[5], Ok(6)), "{:?}", answers[5]);
        assert_eq!(rows(&db).await, vec![1, 2, 6]);
        assert_eq!(db.group_commit_counts(), Some((1, 3)));

        // The panic did not stop the queue: a job alone still commits.
        assert!(matches!(job(&db, 7, Then::Keep).await, Ok(7)));
        assert_eq!(rows(&db).await, vec![1, 2, 6, 7]);
        assert_eq!(db.group_commit_counts(), Some((2, 4)));
        // And one alone that discards leaves nothing.
        assert!(matches!(job(&db, 8, Then::Discard).await, Ok(-8)));
        assert_eq!(rows(&db).await, vec![1, 2, 6, 7]);
        db.close().await;
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// Runs `plan` as one group (the write turn held until all have queued); the answers.
    async fn as_one_group(db: &Db, plan: &[Then], audited: bool) -> Vec<Result<i64, DbError>> {
        let held = db.begin_write().await.expect("write turn");
        let jobs = futures_util::future::join_all(plan.iter().zip(1..).map(|(then, n)| {
            let db = db.clone();
            let then = *then;
            async move { job_with_audit(&db, n, then, audited).await }
        }));
        let release = async {
            tokio::time::sleep(Duration::from_millis(100)).await;
            held.rollback().await.expect("release the turn");
        };
        tokio::join!(jobs, release).0
    }

    #[tokio::test]
    async fn a_group_whose_last_job_discards_keeps_the_others_and_nothing_of_that_one() {
        let (db, dir) = sqlite_file_with_jobs_table().await;
        let answers = as_one_group(&db, &[Then::Keep, Then::Keep, Then::Discard], false).await;
        assert!(matches!(answers[2], Ok(-3)), "{:?}", answers[2]);
        assert_eq!(rows(&db).await, vec![1, 2]);
        assert_eq!(db.group_commit_counts(), Some((1, 2)));
        db.close().await;
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[tokio::test]
    async fn audit_entries_of_a_group_chain_on_each_other_also_across_a_job_rolled_back() {
        use crate::backend::audit;
        let (db, dir) = super::super::tests::sqlite_file_with_table(
            "bjm-group-audit",
            "CREATE TABLE jobs (n BIGINT NOT NULL); \
             CREATE TABLE audit_log (id INTEGER PRIMARY KEY, at BIGINT NOT NULL, \
             actor_user_id BIGINT, actor_label TEXT NOT NULL, action TEXT NOT NULL, \
             subject TEXT NOT NULL, detail TEXT NOT NULL, ip TEXT, \
             prev_hash TEXT NOT NULL UNIQUE, hash TEXT NOT NULL UNIQUE)",
        )
        .await;
        // Entries 1 and 2 kept; 3 discarded after its entry, 4 failed after its entry (each the
        // group's last entry at that moment); 5 chains on 2; 6 discarded as the last job.
        let plan = [
            Then::Keep,
            Then::Keep,
            Then::Discard,
            Then::Fail,
            Then::Keep,
            Then::Discard,
        ];
        let answers = as_one_group(&db, &plan, true).await;
        assert!(matches!(answers[4], Ok(5)), "{:?}", answers[4]);
        assert_eq!(rows(&db).await, vec![1, 2, 5]);
        // A job alone after the group reads the tail from the table.
        assert!(matches!(
            job_with_audit(&db, 7, Then::Keep, true).await,
            Ok(7)
        ));

        let mut conn = db.pool().acquire().await.expect("connection");
        assert_eq!(
            audit::verify_chain(&mut conn).await.expect("chain holds"),
            4
        );
        let subjects: Vec<String> = sqlx::query_scalar("SELECT subject FROM audit_log ORDER BY id")
            .fetch_all(&mut *conn)
            .await
            .expect("entries");
        assert_eq!(subjects, ["job:1", "job:2", "job:5", "job:7"]);
        drop(conn);
        db.close().await;
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[tokio::test]
    async fn once_the_database_is_closed_a_write_is_answered_that_the_writer_is_gone() {
        let (db, dir) = sqlite_file_with_jobs_table().await;
        assert!(matches!(job(&db, 1, Then::Keep).await, Ok(1)));
        db.close().await;
        let late = job(&db, 2, Then::Keep).await;
        assert!(
            matches!(late, Err(DbError::Sqlx(sqlx::Error::WorkerCrashed))),
            "{late:?}"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[tokio::test]
    async fn without_a_queue_a_job_runs_in_a_transaction_of_its_own() {
        let (grouped, dir) = sqlite_file_with_jobs_table().await;
        // As on PostgreSQL: no queue.
        let db = Db {
            group_commit: None,
            ..grouped.clone()
        };
        assert_eq!(db.group_commit_counts(), None);
        let kept = job(&db, 1, Then::Keep).await;
        assert!(matches!(kept, Ok(1)), "{kept:?}");
        let discarded = job(&db, 2, Then::Discard).await;
        assert!(matches!(discarded, Ok(-2)), "{discarded:?}");
        let failed = job(&db, 3, Then::Fail).await;
        assert!(matches!(failed, Err(DbError::NotFound)), "{failed:?}");
        assert_eq!(rows(&db).await, vec![1]);
        assert_eq!(grouped.group_commit_counts(), Some((0, 0)));
        grouped.close().await;
        let _ = std::fs::remove_dir_all(&dir);
    }
}
