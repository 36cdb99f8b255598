//! The audit log (全程留痕): append-only, every entry hash-chained to the one before, written in
//! the same transaction as the change it records. [`verify_chain`] detects any edit, deletion or
//! insertion after the fact.

use sqlx::{AnyConnection, FromRow};

use super::db::{Batch, DbError, DbKind, DbResult};
use super::sha256_hex;

/// The `prev_hash` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Key of the PostgreSQL advisory lock that serialises appends (SQLite's write lock does the
/// same there), so two transactions never chain onto the same predecessor. The chain trigger of
/// migration `20261207000015_audit_chain_trigger` takes the same lock, its key written out as a
/// literal (a migration cannot read Rust); a test compares the two.
pub const APPEND_LOCK_KEY: i64 = 0x006a_6d61_7564_6974;

/// Who did it: a person, or the system itself (instant approval, background jobs, the CLI).
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: Option<i64>,
    pub label: String,
    pub ip: Option<String>,
}

impl Actor {
    pub fn system(label: &str) -> Self {
        Self {
            user_id: None,
            label: label.to_owned(),
            ip: None,
        }
    }

    pub fn user(user_id: i64, ip: Option<String>) -> Self {
        Self {
            user_id: Some(user_id),
            label: format!("user:{user_id}"),
            ip,
        }
    }
}

#[derive(Debug, Clone, FromRow)]
struct EntryRow {
    id: i64,
    at: i64,
    actor_user_id: Option<i64>,
    actor_label: String,
    action: String,
    subject: String,
    detail: String,
    ip: Option<String>,
    prev_hash: String,
    hash: String,
}

#[expect(
    clippy::too_many_arguments,
    reason = "one argument per hashed column keeps the canonical order visible"
)]
fn entry_hash(
    prev_hash: &str,
    at: i64,
    actor_user_id: Option<i64>,
    actor_label: &str,
    action: &str,
    subject: &str,
    detail: &str,
    ip: Option<&str>,
) -> String {
    // A JSON array is an unambiguous encoding: no field can bleed into the next.
    let canonical = serde_json::json!([
        prev_hash,
        at,
        actor_user_id,
        actor_label,
        action,
        subject,
        detail,
        ip
    ]);
    sha256_hex(canonical.to_string())
}

tokio::task_local! {
    /// Inside a group commit's transaction ([`within_group`]): the hash of the last audit entry
    /// written in it, once one was.
    static GROUP_TAIL: std::cell::RefCell<Option<String>>;
}

/// Runs `group`, one group commit's transaction on a SQLite file, remembering the hash of each
/// audit entry its jobs append, so that the next entry takes it as its predecessor without
/// reading it back: one round trip less per job in the write turn. Sound because the group
/// holds SQLite's write lock (`BEGIN IMMEDIATE`) throughout, so no one else appends meanwhile,
/// and because the group calls [`forget_group_tail`] whenever it rolls a job back.
pub async fn within_group<F: Future>(group: F) -> F::Output {
    GROUP_TAIL.scope(std::cell::RefCell::new(None), group).await
}

/// The group's last audit entry may have been rolled back: the next one reads it again.
pub fn forget_group_tail() {
    // Outside a group there is nothing remembered.
    let _ = GROUP_TAIL.try_with(|tail| tail.borrow_mut().take());
}

/// Appends one entry; call inside the transaction of the change.
pub async fn append(
    conn: &mut AnyConnection,
    actor: &Actor,
    action: &str,
    subject: &str,
    detail: serde_json::Value,
    now: i64,
) -> DbResult<String> {
    let mut entry = Batch::for_connection(conn);
    let hash = push_append(conn, &mut entry, actor, action, subject, &detail, now).await?;
    entry.run(conn).await?;
    Ok(hash)
}

/// Queues the insert of one entry in `batch`, to go with the other writes of the change (one
/// round trip less in a submission's write turn). Takes the chain's place at once: on
/// PostgreSQL the append lock, and the predecessor's hash (read, or remembered in a group
/// commit). So the batch must run before anything else appends: an entry appended meanwhile
/// would chain onto the same predecessor.
pub async fn push_append(
    conn: &mut AnyConnection,
    batch: &mut Batch,
    actor: &Actor,
    action: &str,
    subject: &str,
    detail: &serde_json::Value,
    now: i64,
) -> DbResult<String> {
    if DbKind::of_connection(conn) == DbKind::Postgres {
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(APPEND_LOCK_KEY)
            .execute(&mut *conn)
            .await?;
    }
    let remembered = GROUP_TAIL
        .try_with(|tail| tail.borrow().clone())
        .ok()
        .flatten();
    let prev_hash = match remembered {
        Some(hash) => hash,
        None => sqlx::query_scalar("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1")
            .fetch_optional(&mut *conn)
            .await?
            .unwrap_or_else(|| GENESIS.to_owned()),
    };
    let detail = detail.to_string();
    let hash = entry_hash(
        &prev_hash,
        now,
        actor.user_id,
        &actor.label,
        action,
        subject,
        &detail,
        actor.ip.as_deref(),
    );
    batch
        .push(
            "INSERT INTO audit_log (at, actor_user_id, actor_label, action, subject, detail, ip, \
             prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(now)
        .bind(actor.user_id)
        .bind(actor.label.as_str())
        .bind(action)
        .bind(subject)
        .bind(detail.as_str())
        .bind(actor.ip.as_deref())
        .bind(prev_hash.as_str())
        .bind(hash.as_str());
    let _ = GROUP_TAIL.try_with(|tail| *tail.borrow_mut() = Some(hash.clone()));
    Ok(hash)
}

/// Appends an entry stamped with the current time: for a change that has no timestamp of its
/// own. A change that stamps its rows calls [`append`] with the same `now`, so that its audit
/// entry carries exactly the time its rows do.
pub async fn record(
    conn: &mut AnyConnection,
    actor: &Actor,
    action: &str,
    subject: &str,
    detail: serde_json::Value,
) -> DbResult<String> {
    append(conn, actor, action, subject, detail, super::now_ms()).await
}

/// Where the chain is broken.
#[derive(Debug, thiserror::Error)]
pub enum ChainError {
    #[error("audit entry {id}: its hash does not match its content")]
    ContentChanged { id: i64 },
    #[error("audit entry {id}: it does not follow the entry before it")]
    LinkBroken { id: i64 },
    #[error(transparent)]
    Db(#[from] DbError),
}

/// Walks the whole log and returns the number of entries when every link holds.
pub async fn verify_chain(conn: &mut AnyConnection) -> Result<u64, ChainError> {
    let rows: Vec<EntryRow> = sqlx::query_as(
        "SELECT id, at, actor_user_id, actor_label, action, subject, detail, ip, prev_hash, hash \
         FROM audit_log ORDER BY id",
    )
    .fetch_all(conn)
    .await
    .map_err(DbError::from)?;
    let mut expected_prev = GENESIS.to_owned();
    let mut count = 0;
    for row in rows {
        if row.prev_hash != expected_prev {
            return Err(ChainError::LinkBroken { id: row.id });
        }
        let recomputed = entry_hash(
            &row.prev_hash,
            row.at,
            row.actor_user_id,
            &row.actor_label,
            &row.action,
            &row.subject,
            &row.detail,
            row.ip.as_deref(),
        );
        if recomputed != row.hash {
            return Err(ChainError::ContentChanged { id: row.id });
        }
        expected_prev = row.hash;
        count += 1;
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_changes_with_any_field() {
        let base = entry_hash(GENESIS, 1, Some(2), "user:2", "login", "user:2", "{}", None);
        assert_ne!(
            base,
            entry_hash(
                GENESIS,
                1,
                Some(2),
                "user:2",
                "logout",
                "user:2",
                "{}",
                None
            )
        );
        assert_ne!(
            base,
            entry_hash(GENESIS, 2, Some(2), "user:2", "login", "user:2", "{}", None)
        );
        assert_ne!(
            base,
            entry_hash(
                GENESIS,
                1,
                Some(2),
                "user:2",
                "login",
                "user:2",
                "{}",
                Some("1.2.3.4")
            )
        );
    }
}
