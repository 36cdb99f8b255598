//! Sessions aggregate: the server-side session rows that back every JWT, and the short-lived
//! login challenges between password and second factor.

use sqlx::{AnyConnection, FromRow};

use super::DbResult;

/// A session joined with the state of its user, everything the per-request check needs.
#[derive(Debug, Clone, FromRow)]
pub struct ActiveSession {
    pub session_id: String,
    pub user_id: i64,
    pub expires_at: i64,
    pub role: String,
}

pub struct NewSession<'a> {
    pub id: &'a str,
    pub user_id: i64,
    pub refresh_hash: &'a str,
    pub now: i64,
    pub expires_at: i64,
    pub ip: Option<&'a str>,
    pub user_agent: Option<&'a str>,
}

pub async fn insert(conn: &mut AnyConnection, session: NewSession<'_>) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO sessions (id, user_id, refresh_hash, created_at, expires_at, last_seen_at, ip, user_agent) \
         VALUES ($1, $2, $3, $4, $5, $4, $6, $7)",
    )
    .bind(session.id)
    .bind(session.user_id)
    .bind(session.refresh_hash)
    .bind(session.now)
    .bind(session.expires_at)
    .bind(session.ip)
    .bind(session.user_agent)
    .execute(conn)
    .await?;
    Ok(())
}

const ACTIVE: &str = "SELECT s.id AS session_id, s.user_id, s.expires_at, u.role \
    FROM sessions s JOIN users u ON u.id = s.user_id \
    WHERE s.revoked_at IS NULL AND s.expires_at > $2 AND u.removed_at IS NULL";

/// The session with this id, if it is neither revoked, expired, nor its user removed.
pub async fn find_active(
    conn: &mut AnyConnection,
    session_id: &str,
    now: i64,
) -> DbResult<Option<ActiveSession>> {
    Ok(
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{ACTIVE} AND s.id = $1")))
            .bind(session_id)
            .bind(now)
            .fetch_optional(conn)
            .await?,
    )
}

/// The active session holding this refresh token (by its hash).
pub async fn find_active_by_refresh(
    conn: &mut AnyConnection,
    refresh_hash: &str,
    now: i64,
) -> DbResult<Option<ActiveSession>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{ACTIVE} AND s.refresh_hash = $1"
    )))
    .bind(refresh_hash)
    .bind(now)
    .fetch_optional(conn)
    .await?)
}

pub async fn touch(conn: &mut AnyConnection, session_id: &str, now: i64) -> DbResult<()> {
    sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id = $2")
        .bind(now)
        .bind(session_id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn revoke(conn: &mut AnyConnection, session_id: &str, now: i64) -> DbResult<()> {
    sqlx::query("UPDATE sessions SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
        .bind(now)
        .bind(session_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Revokes every session of a user except `keep` (the one making the change, if any).
pub async fn revoke_all_for_user(
    conn: &mut AnyConnection,
    user_id: i64,
    keep: Option<&str>,
    now: i64,
) -> DbResult<u64> {
    Ok(sqlx::query(
        "UPDATE sessions SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL AND id <> $3",
    )
    .bind(now)
    .bind(user_id)
    .bind(keep.unwrap_or(""))
    .execute(conn)
    .await?
    .rows_affected())
}

/// A pending second-factor step after a correct password.
#[derive(Debug, Clone, FromRow)]
pub struct ChallengeRow {
    pub id: String,
    pub user_id: i64,
    pub pending_secret: Option<String>,
    pub attempts: i64,
    pub expires_at: i64,
    pub used_at: Option<i64>,
}

pub async fn insert_challenge(
    conn: &mut AnyConnection,
    id: &str,
    user_id: i64,
    pending_secret: Option<&str>,
    now: i64,
    expires_at: i64,
) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO login_challenges (id, user_id, pending_secret, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id)
    .bind(user_id)
    .bind(pending_secret)
    .bind(now)
    .bind(expires_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Counts one attempt against the challenge and returns it as it was before this attempt.
pub async fn attempt_challenge(
    conn: &mut AnyConnection,
    id: &str,
) -> DbResult<Option<ChallengeRow>> {
    let row: Option<ChallengeRow> = sqlx::query_as(
        "SELECT id, user_id, pending_secret, attempts, expires_at, used_at FROM login_challenges WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    if row.is_some() {
        sqlx::query("UPDATE login_challenges SET attempts = attempts + 1 WHERE id = $1")
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(row)
}

pub async fn mark_challenge_used(conn: &mut AnyConnection, id: &str, now: i64) -> DbResult<()> {
    sqlx::query("UPDATE login_challenges SET used_at = $1 WHERE id = $2")
        .bind(now)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}
