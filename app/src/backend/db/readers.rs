//! The read connections of a SQLite file, handed out without sqlx's pool ([`super::Db::read`]).
//!
//! Why: sqlx runs each SQLite connection on a thread of its own, so every statement is a round
//! trip between the asking task and that thread — and its pool adds one more each time a
//! connection comes back, a `ping` that flushes what a network connection may have left
//! unsent. A SQLite connection is a file this process opened: nothing can drop it or leave
//! bytes on it while it waits, so here a connection goes straight back to the idle list. A
//! request that reads twice (its session, then its page) saves two round trips of the dozen or
//! so it makes (docs/benchmarks.md, "Load").
//!
//! A connection is handed out to one holder at a time, at most `max` at once, in the order the
//! holders asked (a fair semaphore). One that is still inside a transaction when it comes back
//! (its holder dropped it mid-way) is closed instead of kept.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use sqlx::any::AnyConnectOptions;
use sqlx::{AnyConnection, ConnectOptions as _, Connection as _};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::{DbError, DbResult};

/// The read connections of one SQLite file.
#[derive(Debug)]
pub struct SqliteReaders {
    options: AnyConnectOptions,
    idle: Mutex<Vec<AnyConnection>>,
    permits: Arc<Semaphore>,
    acquire_timeout: Duration,
}

impl SqliteReaders {
    /// At most `max` connections to the database of `options`, opened when first needed.
    pub fn new(options: AnyConnectOptions, max: usize, acquire_timeout: Duration) -> Arc<Self> {
        Arc::new(Self {
            options,
            idle: Mutex::new(Vec::with_capacity(max)),
            permits: Arc::new(Semaphore::new(max)),
            acquire_timeout,
        })
    }

    /// A connection for the caller alone until the returned value is dropped: an idle one, or
    /// a new one (configured by [`super::configure_sqlite`]) while fewer than `max` are open.
    pub async fn acquire(self: &Arc<Self>) -> DbResult<ReaderConnection> {
        let permit =
            tokio::time::timeout(self.acquire_timeout, self.permits.clone().acquire_owned())
                .await
                .map_err(|_| DbError::Sqlx(sqlx::Error::PoolTimedOut))?
                .map_err(|_| DbError::Sqlx(sqlx::Error::PoolClosed))?;
        let idle = self.idle().pop();
        let conn = match idle {
            Some(conn) => conn,
            None => {
                let mut conn = self.options.connect().await?;
                super::configure_sqlite(&mut conn).await?;
                conn
            }
        };
        Ok(ReaderConnection {
            conn: Some(conn),
            readers: self.clone(),
            _permit: permit,
        })
    }

    /// Closes the idle connections (those in use close when they come back after this).
    pub async fn close(&self) {
        self.permits.close();
        let idle: Vec<AnyConnection> = std::mem::take(&mut *self.idle());
        for conn in idle {
            if let Err(error) = conn.close().await {
                tracing::debug!(%error, "closing an idle read connection");
            }
        }
    }

    fn idle(&self) -> MutexGuard<'_, Vec<AnyConnection>> {
        // Nothing panics while holding the lock; a poisoned one still holds a whole list.
        self.idle.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A read connection of [`SqliteReaders`], back on the idle list when dropped.
#[derive(Debug)]
pub struct ReaderConnection {
    conn: Option<AnyConnection>,
    readers: Arc<SqliteReaders>,
    // Released after the connection is back (fields drop in order, after `Drop::drop`).
    _permit: OwnedSemaphorePermit,
}

impl std::ops::Deref for ReaderConnection {
    type Target = AnyConnection;

    fn deref(&self) -> &AnyConnection {
        self.conn
            .as_ref()
            .unwrap_or_else(|| unreachable!("taken only in drop"))
    }
}

impl std::ops::DerefMut for ReaderConnection {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        self.conn
            .as_mut()
            .unwrap_or_else(|| unreachable!("taken only in drop"))
    }
}

impl Drop for ReaderConnection {
    fn drop(&mut self) {
        let Some(conn) = self.conn.take() else {
            return;
        };
        // Left inside a transaction (its holder was dropped mid-way), or the readers closed:
        // dropping the connection ends its thread, and SQLite rolls back what it had begun.
        if conn.is_in_transaction() || self.readers.permits.is_closed() {
            return;
        }
        self.readers.idle().push(conn);
    }
}

/// A connection to read on ([`super::Db::read`]): one of [`SqliteReaders`] on a SQLite file,
/// one of sqlx's pool otherwise (PostgreSQL, where the ping on return is worth its round
/// trip: a server can drop a connection while it waits).
#[derive(Debug)]
pub enum ReadConnection {
    Sqlite(ReaderConnection),
    Pooled(sqlx::pool::PoolConnection<sqlx::Any>),
}

impl std::ops::Deref for ReadConnection {
    type Target = AnyConnection;

    fn deref(&self) -> &AnyConnection {
        match self {
            ReadConnection::Sqlite(conn) => conn,
            ReadConnection::Pooled(conn) => conn,
        }
    }
}

impl std::ops::DerefMut for ReadConnection {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        match self {
            ReadConnection::Sqlite(conn) => conn,
            ReadConnection::Pooled(conn) => conn,
        }
    }
}

#[cfg(test)]
mod tests {
    use sqlx::Connection as _;

    use super::*;
    use crate::backend::db::tests::sqlite_file_with_table;

    /// Whether the connection is the one that made the temporary table `marker` (temporary
    /// tables belong to one connection).
    async fn holds_marker(conn: &mut AnyConnection) -> bool {
        sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM temp.sqlite_master WHERE name = 'marker'",
        )
        .fetch_one(conn)
        .await
        .expect("temp schema")
            == 1
    }

    #[tokio::test]
    async fn a_connection_that_comes_back_is_handed_out_again_as_it_was() {
        let (db, dir) = sqlite_file_with_table("bjm-readers", "CREATE TABLE t (x INTEGER)").await;
        let mut first = db.read().await.expect("connection");
        assert!(matches!(first, ReadConnection::Sqlite(_)));
        sqlx::raw_sql("CREATE TEMP TABLE marker (x INTEGER)")
            .execute(&mut *first)
            .await
            .expect("marker");
        drop(first);
        let mut again = db.read().await.expect("connection");
        let reused = holds_marker(&mut again).await;
        drop(again);
        db.close().await;
        let _ = std::fs::remove_dir_all(&dir);
        assert!(reused, "the idle connection was not handed out again");
    }

    #[tokio::test]
    async fn a_connection_left_inside_a_transaction_is_closed_instead_of_handed_out() {
        let (db, dir) =
            sqlite_file_with_table("bjm-readers-tx", "CREATE TABLE t (x INTEGER)").await;
        let mut first = db.read().await.expect("connection");
        sqlx::raw_sql("CREATE TEMP TABLE marker (x INTEGER)")
            .execute(&mut *first)
            .await
            .expect("marker");
        let tx = first.begin().await.expect("begin");
        // Its holder went away mid-way, the transaction never ended.
        std::mem::forget(tx);
        drop(first);
        let mut next = db.read().await.expect("connection");
        let reused = holds_marker(&mut next).await;
        drop(next);
        db.close().await;
        let _ = std::fs::remove_dir_all(&dir);
        assert!(
            !reused,
            "a connection inside a transaction was handed out again"
        );
    }

    #[tokio::test]
    async fn no_more_connections_than_the_limit_are_out_at_once_and_a_waiter_times_out() {
        let (db, dir) =
            sqlite_file_with_table("bjm-readers-max", "CREATE TABLE t (x INTEGER)").await;
        let url = format!("sqlite://{}", dir.join("bjm.db").display());
        let options: AnyConnectOptions = url.parse().expect("options");
        let readers = SqliteReaders::new(options, 1, Duration::from_millis(100));
        let held = readers.acquire().await.expect("connection");
        let waited = readers.acquire().await;
        assert!(matches!(
            waited,
            Err(DbError::Sqlx(sqlx::Error::PoolTimedOut))
        ));
        drop(held);
        let after = readers.acquire().await;
        assert!(after.is_ok(), "the connection did not come back");
        drop(after);
        readers.close().await;
        db.close().await;
        let _ = std::fs::remove_dir_all(&dir);
    }
}
