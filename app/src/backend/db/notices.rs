//! Notices aggregate: the transactional outbox of mail and SMS (written in the transaction of
//! the change it tells of, delivered later by a worker that claims rows) and the in-app
//! notifications behind the unread badge.

use sqlx::{AnyConnection, FromRow};

use super::{Batch, DbKind, DbResult};

pub struct NewMessage<'a> {
    pub channel: &'a str,
    pub recipient: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
    /// The body holds a secret (a one-time code): erase it once delivered.
    pub sensitive: bool,
    pub now: i64,
}

pub async fn enqueue(conn: &mut AnyConnection, message: NewMessage<'_>) -> DbResult<()> {
    Batch::run_now(conn, |batch| push_message(batch, message)).await
}

/// [`enqueue`] as one statement of `batch`.
pub fn push_message(batch: &mut Batch, message: NewMessage<'_>) {
    batch
        .push(
            "INSERT INTO outbox (channel, recipient, subject, body, sensitive, created_at, next_attempt_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $6)",
        )
        .bind(message.channel)
        .bind(message.recipient)
        .bind(message.subject)
        .bind(message.body)
        .bind(i64::from(message.sensitive))
        .bind(message.now);
}

/// A mail with an HTML part beside the plain text (attachments are added with
/// [`super::licences::attach`] in the same transaction).
pub async fn enqueue_html(
    conn: &mut AnyConnection,
    message: NewMessage<'_>,
    html: &str,
) -> DbResult<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO outbox (channel, recipient, subject, body, body_html, sensitive, created_at, next_attempt_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
    )
    .bind(message.channel)
    .bind(message.recipient)
    .bind(message.subject)
    .bind(message.body)
    .bind(html)
    .bind(i64::from(message.sensitive))
    .bind(message.now)
    .fetch_one(conn)
    .await?)
}

/// A message to deliver.
#[derive(Debug, Clone, FromRow)]
pub struct OutboxRow {
    pub id: i64,
    pub channel: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub body_html: Option<String>,
    pub attempts: i64,
    pub created_at: i64,
}

/// Claims up to `limit` due messages until `claimed_until`, atomically, so two workers (or
/// nodes) never take the same row: on SQLite the `UPDATE … WHERE claimed_until` check inside
/// the one write transaction, on PostgreSQL the row locks of the pick.
///
/// On PostgreSQL the rows are picked `FOR UPDATE SKIP LOCKED`: a worker that claims while
/// another's claim is still open takes the next due rows instead of waiting for the same ones
/// and then finding them all taken (without it, the two-node test once saw one node send all
/// 246 messages of a burst and the other none). On SQLite the write transaction runs alone.
pub async fn claim_due(
    conn: &mut AnyConnection,
    now: i64,
    claimed_until: i64,
    limit: i64,
) -> DbResult<Vec<OutboxRow>> {
    let sql = match DbKind::of_connection(conn) {
        // Picked once, in a CTE: with `FOR UPDATE` inside `WHERE id IN (… LIMIT n)` PostgreSQL
        // updated more than n rows (seen: all 4 of 4 with a limit of 2).
        DbKind::Postgres => {
            "WITH picked AS MATERIALIZED (SELECT id FROM outbox WHERE sent_at IS NULL \
                AND next_attempt_at <= $1 AND (claimed_until IS NULL OR claimed_until < $1) \
                ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED) \
             UPDATE outbox SET claimed_until = $2, attempts = attempts + 1 FROM picked \
             WHERE outbox.id = picked.id AND outbox.sent_at IS NULL \
             RETURNING outbox.id, channel, recipient, subject, body, body_html, attempts, \
                outbox.created_at"
        }
        DbKind::Sqlite => {
            "UPDATE outbox SET claimed_until = $2, attempts = attempts + 1 \
             WHERE id IN (SELECT id FROM outbox WHERE sent_at IS NULL AND next_attempt_at <= $1 \
                AND (claimed_until IS NULL OR claimed_until < $1) ORDER BY id LIMIT $3) \
             AND sent_at IS NULL AND (claimed_until IS NULL OR claimed_until < $1) \
             RETURNING id, channel, recipient, subject, body, body_html, attempts, created_at"
        }
    };
    Ok(sqlx::query_as::<_, OutboxRow>(sql)
        .bind(now)
        .bind(claimed_until)
        .bind(limit)
        .fetch_all(conn)
        .await?)
}

/// Gives back a claimed message that was not tried (the worker is stopping): due again at once
/// for any worker, and the attempt the claim counted is taken back. Only the claim's holder
/// (same `claimed_until`) releases it.
pub async fn release_claim(conn: &mut AnyConnection, id: i64, claimed_until: i64) -> DbResult<()> {
    sqlx::query(
        "UPDATE outbox SET claimed_until = NULL, attempts = attempts - 1 \
         WHERE id = $1 AND claimed_until = $2 AND sent_at IS NULL",
    )
    .bind(id)
    .bind(claimed_until)
    .execute(conn)
    .await?;
    Ok(())
}

/// Records the delivery and the server's answer; a sensitive body is erased (the code it
/// carried is kept only hashed). Only the claim holder's first success counts.
pub async fn mark_sent(conn: &mut AnyConnection, id: i64, now: i64, reply: &str) -> DbResult<()> {
    sqlx::query(
        "UPDATE outbox SET sent_at = $2, claimed_until = NULL, last_error = NULL, \
         body = CASE WHEN sensitive = 1 THEN '' ELSE body END WHERE id = $1 AND sent_at IS NULL",
    )
    .bind(id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    record_attempt(conn, id, now, "sent", reply).await
}

pub async fn mark_failed(
    conn: &mut AnyConnection,
    id: i64,
    now: i64,
    next_attempt_at: i64,
    error: &str,
) -> DbResult<()> {
    sqlx::query(
        "UPDATE outbox SET claimed_until = NULL, next_attempt_at = $2, last_error = $3 WHERE id = $1",
    )
    .bind(id)
    .bind(next_attempt_at)
    .bind(error)
    .execute(&mut *conn)
    .await?;
    record_attempt(conn, id, now, "failed", error).await
}

async fn record_attempt(
    conn: &mut AnyConnection,
    id: i64,
    now: i64,
    outcome: &str,
    reply: &str,
) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO outbox_attempts (outbox_id, attempted_at, outcome, reply) VALUES ($1, $2, $3, $4)",
    )
    .bind(id)
    .bind(now)
    .bind(outcome)
    .bind(reply.chars().take(1000).collect::<String>())
    .execute(conn)
    .await?;
    Ok(())
}

/// The attempts to deliver a message, oldest first: outcome and the server's answer.
pub async fn attempts(conn: &mut AnyConnection, id: i64) -> DbResult<Vec<(String, String)>> {
    Ok(sqlx::query_as::<_, (String, String)>(
        "SELECT outcome, reply FROM outbox_attempts WHERE outbox_id = $1 ORDER BY attempted_at, id",
    )
    .bind(id)
    .fetch_all(conn)
    .await?)
}

/// Messages not yet delivered (for operators and `/metrics`).
pub async fn backlog(conn: &mut AnyConnection) -> DbResult<i64> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL")
            .fetch_one(conn)
            .await?,
    )
}

pub async fn notify(
    conn: &mut AnyConnection,
    user_id: i64,
    case_id: Option<i64>,
    kind: &str,
    now: i64,
) -> DbResult<()> {
    Batch::run_now(conn, |batch| {
        push_notification(batch, user_id, case_id, kind, now);
    })
    .await
}

/// [`notify`] as one statement of `batch`.
pub fn push_notification(
    batch: &mut Batch,
    user_id: i64,
    case_id: Option<i64>,
    kind: &str,
    now: i64,
) {
    batch
        .push(
            "INSERT INTO notifications (user_id, case_id, kind, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(user_id)
        .bind(case_id)
        .bind(kind)
        .bind(now);
}

/// A notification with the number of the case it is about.
#[derive(Debug, Clone, FromRow)]
pub struct NotificationRow {
    pub id: i64,
    pub kind: String,
    pub case_number: Option<String>,
    pub created_at: i64,
    pub read_at: Option<i64>,
}

pub async fn notifications(
    conn: &mut AnyConnection,
    user_id: i64,
    limit: i64,
) -> DbResult<Vec<NotificationRow>> {
    Ok(sqlx::query_as::<_, NotificationRow>(
        "SELECT n.id, n.kind, c.number AS case_number, n.created_at, n.read_at \
         FROM notifications n LEFT JOIN cases c ON c.id = n.case_id \
         WHERE n.user_id = $1 ORDER BY n.created_at DESC, n.id DESC LIMIT $2",
    )
    .bind(user_id)
    .bind(limit)
    .fetch_all(conn)
    .await?)
}

pub async fn unread_count(conn: &mut AnyConnection, user_id: i64) -> DbResult<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL",
    )
    .bind(user_id)
    .fetch_one(conn)
    .await?)
}

pub async fn mark_all_read(conn: &mut AnyConnection, user_id: i64, now: i64) -> DbResult<()> {
    sqlx::query("UPDATE notifications SET read_at = $2 WHERE user_id = $1 AND read_at IS NULL")
        .bind(user_id)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(())
}
