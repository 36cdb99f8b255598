//! Statements sent together ([`Batch`]): on SQLite in one round trip to the connection's
//! database thread, on PostgreSQL one statement after the other. Mostly writes whose results
//! nobody reads ([`Batch::run`]); a batch whose statements return rows gives them all, in
//! order ([`Batch::fetch_rows`]).
//!
//! Why: on a SQLite file every write holds the one write turn, and each statement of it is a
//! round trip to the thread that runs the connection; a submission's dozen statements, one
//! after the other, bounded the submissions per second (docs/benchmarks.md, "Writer thread
//! and batched statements"). SQLite runs the statements of one query string in order, with
//! the arguments numbered across all of them, so a batch renumbers each statement's `$n`
//! after those before it. PostgreSQL's extended protocol takes one statement per query, so
//! there a batch is the statements in order, as before.

use sqlx::any::{AnyArguments, AnyRow};
use sqlx::{Any, AnyConnection, Arguments as _, Encode, Type};

use super::{DbError, DbKind, DbResult};

/// Statements queued in order, run by [`Batch::run`]; a statement's values follow it with
/// [`Batch::bind`], one per `$n` of the statement, in the order of `n`.
#[must_use = "a batch writes nothing until it is run"]
pub struct Batch {
    kind: DbKind,
    /// On SQLite one entry holding every statement; on PostgreSQL one entry per statement.
    queries: Vec<Query>,
    /// The first value that could not be encoded: reported by [`Batch::run`].
    failed: Option<sqlx::error::BoxDynError>,
}

struct Query {
    sql: String,
    arguments: AnyArguments,
    /// How many values the SQL's placeholders take (its highest `$n`).
    parameters: usize,
}

impl Batch {
    /// An empty batch for the database `conn` talks to.
    pub fn for_connection(conn: &AnyConnection) -> Self {
        Self::new(DbKind::of_connection(conn))
    }

    /// An empty batch for `kind`; callers outside take the kind from their connection.
    fn new(kind: DbKind) -> Self {
        Self {
            kind,
            queries: Vec::new(),
            failed: None,
        }
    }

    /// The database the batch is written for.
    pub fn kind(&self) -> DbKind {
        self.kind
    }

    /// Queues `sql`, written with `$1`, `$2`, … as if it ran alone; its values follow with
    /// [`Batch::bind`].
    pub fn push(&mut self, sql: &str) -> &mut Self {
        match (self.kind, self.queries.last_mut()) {
            (DbKind::Sqlite, Some(query)) => {
                let (renumbered, parameters) = renumber(sql, query.parameters);
                query.sql.push_str(";\n");
                query.sql.push_str(&renumbered);
                query.parameters += parameters;
            }
            _ => {
                let (sql, parameters) = renumber(sql, 0);
                self.queries.push(Query {
                    sql,
                    arguments: AnyArguments::default(),
                    parameters,
                });
            }
        }
        self
    }

    /// The value of the next `$n` of the statement last pushed.
    pub fn bind<'v, T: Encode<'v, Any> + Type<Any>>(&mut self, value: T) -> &mut Self {
        if let Some(query) = self.queries.last_mut()
            && let Err(error) = query.arguments.add(value)
        {
            self.failed.get_or_insert(error);
        }
        self
    }

    /// Runs at once, on `conn`, the statements `push` queues: for a write that has no reason to
    /// wait for others.
    pub async fn run_now(conn: &mut AnyConnection, push: impl FnOnce(&mut Batch)) -> DbResult<()> {
        let mut batch = Self::for_connection(conn);
        push(&mut batch);
        batch.run(conn).await
    }

    /// Runs the statements in the order they were pushed, on `conn` (inside the caller's
    /// transaction: a batch neither begins nor commits). Nothing runs if a value could not be
    /// encoded or a statement got more or fewer values than it has placeholders.
    pub async fn run(self, conn: &mut AnyConnection) -> DbResult<()> {
        for query in self.checked()? {
            sqlx::query_with(sqlx::AssertSqlSafe(query.sql), query.arguments)
                .execute(&mut *conn)
                .await?;
        }
        Ok(())
    }

    /// Runs the statements like [`Batch::run`] and gives the rows they return (`SELECT`s,
    /// `RETURNING` clauses), statement after statement, each statement's in its own order.
    pub async fn fetch_rows(self, conn: &mut AnyConnection) -> DbResult<Vec<AnyRow>> {
        let mut rows = Vec::new();
        for query in self.checked()? {
            rows.extend(
                sqlx::query_with(sqlx::AssertSqlSafe(query.sql), query.arguments)
                    .fetch_all(&mut *conn)
                    .await?,
            );
        }
        Ok(rows)
    }

    /// The queries, once every value was encoded and every statement got its values.
    fn checked(self) -> DbResult<Vec<Query>> {
        if let Some(error) = self.failed {
            return Err(DbError::Sqlx(sqlx::Error::Encode(error)));
        }
        if let Some(query) = self
            .queries
            .iter()
            .find(|query| query.arguments.len() != query.parameters)
        {
            return Err(DbError::Sqlx(sqlx::Error::Protocol(format!(
                "a batch got {} values for {} placeholders in: {}",
                query.arguments.len(),
                query.parameters,
                query.sql
            ))));
        }
        Ok(self.queries)
    }
}

/// `sql` with every placeholder `$n` turned into `$(n + offset)`, and the highest `n` in it.
/// The statements batched here hold no `$` other than their placeholders (no literals or
/// dollar-quoted strings with one).
fn renumber(sql: &str, offset: usize) -> (String, usize) {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut highest = 0;
    let mut rest = sql;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..=at]);
        let after = &rest[at + 1..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        match after[..digits].parse::<usize>() {
            Ok(n) => {
                highest = highest.max(n);
                out.push_str(&(n + offset).to_string());
            }
            Err(_) => out.push_str(&after[..digits]),
        }
        rest = &after[digits..];
    }
    out.push_str(rest);
    (out, highest)
}

#[cfg(test)]
mod tests {
    use super::super::Db;
    use super::*;

    #[test]
    fn placeholders_are_numbered_after_those_of_the_statements_before() {
        assert_eq!(
            renumber("INSERT INTO t (a, b) VALUES ($1, $2), ($1, $3)", 4),
            (
                "INSERT INTO t (a, b) VALUES ($5, $6), ($5, $7)".to_owned(),
                3
            )
        );
        assert_eq!(renumber("SELECT 1", 7), ("SELECT 1".to_owned(), 0));
        assert_eq!(renumber("$10 $9", 1), ("$11 $10".to_owned(), 10));
    }

    async fn rows(db: &Db) -> Vec<(i64, String)> {
        sqlx::query_as("SELECT n, label FROM batched ORDER BY n, label")
            .fetch_all(db.pool())
            .await
            .expect("rows")
    }

    /// A new SQLite file with the `batched` table: writes go through the writer connection,
    /// as in the server.
    async fn database_with_table() -> (Db, std::path::PathBuf) {
        super::super::tests::sqlite_file_with_table(
            "bjm-batch",
            "CREATE TABLE batched (n BIGINT NOT NULL UNIQUE, label TEXT NOT NULL)",
        )
        .await
    }

    fn three_statements(kind: DbKind) -> Batch {
        let mut batch = Batch::new(kind);
        batch
            .push("INSERT INTO batched (n, label) VALUES ($1, $2), ($3, $2)")
            .bind(1_i64)
            .bind("odd")
            .bind(3_i64);
        batch
            .push("INSERT INTO batched (n, label) VALUES ($1, $2)")
            .bind(2_i64)
            .bind("even");
        batch
            .push("UPDATE batched SET label = $2 WHERE n = $1")
            .bind(3_i64)
            .bind("three");
        batch
    }

    /// On PostgreSQL the same batch is one query per statement: the integration suite's
    /// submissions run it there (`BJM_TEST_BACKEND=postgres`).
    #[tokio::test]
    async fn on_sqlite_the_statements_run_in_order_each_with_its_own_values() {
        let (db, dir) = database_with_table().await;
        let mut tx = db.begin_write().await.expect("write transaction");
        three_statements(db.kind())
            .run(&mut tx)
            .await
            .expect("the batch runs");
        tx.commit().await.expect("commit");
        assert_eq!(
            rows(&db).await,
            vec![
                (1, "odd".to_owned()),
                (2, "even".to_owned()),
                (3, "three".to_owned())
            ]
        );
        db.close().await;
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[tokio::test]
    async fn on_sqlite_the_rows_of_every_statement_come_back_in_statement_order() {
        let (db, dir) = database_with_table().await;
        let mut batch = Batch::new(db.kind());
        batch
            .push("INSERT INTO batched (n, label) VALUES ($1, $2), ($3, $2) RETURNING n")
            .bind(2_i64)
            .bind("first")
            .bind(1_i64);
        // Sees the rows the statement before it wrote.
        batch
            .push("SELECT COUNT(*) AS n FROM batched WHERE label = $1")
            .bind("first");
        batch
            .push("UPDATE batched SET label = $2 WHERE n = $1 RETURNING n")
            .bind(5_i64)
            .bind("none such");
        let mut tx = db.begin_write().await.expect("write transaction");
        let rows = batch.fetch_rows(&mut tx).await.expect("the batch runs");
        tx.commit().await.expect("commit");
        let numbers: Vec<i64> = rows
            .iter()
            .map(|row| sqlx::Row::try_get::<i64, _>(row, 0).expect("a number"))
            .collect();
        assert_eq!(numbers, vec![2, 1, 2]);
        db.close().await;
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[tokio::test]
    async fn a_failing_statement_fails_the_batch_and_the_transaction_keeps_nothing_of_it() {
        let (db, dir) = database_with_table().await;
        let mut batch = Batch::new(db.kind());
        batch
            .push("INSERT INTO batched (n, label) VALUES ($1, $2)")
            .bind(1_i64)
            .bind("first");
        // The same `n` again: the unique constraint fails the second statement.
        batch
            .push("INSERT INTO batched (n, label) VALUES ($1, $2)")
            .bind(1_i64)
            .bind("again");
        let mut tx = db.begin_write().await.expect("write transaction");
        let failed = batch.run(&mut tx).await;
        assert!(
            matches!(failed, Err(DbError::UniqueViolation { .. })),
            "{failed:?}"
        );
        tx.rollback().await.expect("rollback");
        assert_eq!(rows(&db).await, Vec::new());
        db.close().await;
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[tokio::test]
    async fn a_statement_with_too_few_values_runs_nothing() {
        let (db, dir) = database_with_table().await;
        let mut batch = Batch::new(db.kind());
        batch
            .push("INSERT INTO batched (n, label) VALUES ($1, $2)")
            .bind(1_i64)
            .bind("one");
        batch
            .push("INSERT INTO batched (n, label) VALUES ($1, $2)")
            .bind(2_i64);
        let mut tx = db.begin_write().await.expect("write transaction");
        let refused = batch.run(&mut tx).await;
        assert!(matches!(refused, Err(DbError::Sqlx(_))), "{refused:?}");
        tx.commit().await.expect("commit");
        assert_eq!(rows(&db).await, Vec::new());
        db.close().await;
        let _ = std::fs::remove_dir_all(&dir);
    }
}
