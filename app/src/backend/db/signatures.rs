//! Signatures aggregate: applicants' signing keys (public halves, bound to their identity) and
//! the countersigned records of signed commitment letters.

use sqlx::{AnyConnection, FromRow};

use super::DbResult;

#[derive(Debug, Clone, FromRow)]
pub struct KeyRow {
    pub id: i64,
    pub public_id: String,
    pub user_id: i64,
    pub public_key: String,
    pub binding: String,
    pub binding_signature: String,
    pub binding_kid: String,
}

pub struct NewKey<'a> {
    pub public_id: &'a str,
    pub user_id: i64,
    pub public_key: &'a str,
    pub binding: &'a str,
    pub binding_signature: &'a str,
    pub binding_kid: &'a str,
    pub now: i64,
}

pub async fn insert_key(conn: &mut AnyConnection, key: NewKey<'_>) -> DbResult<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO signing_keys (public_id, user_id, algorithm, public_key, binding, binding_signature, \
         binding_kid, created_at) VALUES ($1, $2, 'ES256', $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(key.public_id)
    .bind(key.user_id)
    .bind(key.public_key)
    .bind(key.binding)
    .bind(key.binding_signature)
    .bind(key.binding_kid)
    .bind(key.now)
    .fetch_one(conn)
    .await?)
}

/// An active key of this user by its public id.
pub async fn active_key(
    conn: &mut AnyConnection,
    user_id: i64,
    public_id: &str,
) -> DbResult<Option<KeyRow>> {
    Ok(sqlx::query_as::<_, KeyRow>(
        "SELECT id, public_id, user_id, public_key, binding, binding_signature, binding_kid \
         FROM signing_keys WHERE public_id = $1 AND user_id = $2 AND revoked_at IS NULL",
    )
    .bind(public_id)
    .bind(user_id)
    .fetch_optional(conn)
    .await?)
}

pub async fn key_by_id(conn: &mut AnyConnection, id: i64) -> DbResult<Option<KeyRow>> {
    Ok(sqlx::query_as::<_, KeyRow>(
        "SELECT id, public_id, user_id, public_key, binding, binding_signature, binding_kid \
         FROM signing_keys WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?)
}

#[derive(Debug, Clone, FromRow)]
pub struct SignatureRow {
    pub id: i64,
    pub public_id: String,
    pub draft_id: i64,
    pub applicant_id: i64,
    pub letter: String,
    pub letter_sha256: String,
    pub signature: String,
    pub key_id: i64,
    pub signer_name: String,
    pub identity_level: String,
    pub signed_at: i64,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub code_id: String,
    pub mark_kind: String,
    pub mark: String,
    pub countersignature: String,
    pub countersign_kid: String,
}

const COLUMNS: &str = "id, public_id, draft_id, applicant_id, letter, letter_sha256, signature, \
    key_id, signer_name, identity_level, signed_at, ip, user_agent, code_id, mark_kind, mark, \
    countersignature, countersign_kid";

pub async fn insert_signature(conn: &mut AnyConnection, row: &SignatureRow) -> DbResult<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO commitment_signatures (public_id, draft_id, applicant_id, letter, letter_sha256, \
         signature, key_id, signer_name, identity_level, signed_at, ip, user_agent, code_id, mark_kind, \
         mark, countersignature, countersign_kid) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING id",
    )
    .bind(&row.public_id)
    .bind(row.draft_id)
    .bind(row.applicant_id)
    .bind(&row.letter)
    .bind(&row.letter_sha256)
    .bind(&row.signature)
    .bind(row.key_id)
    .bind(&row.signer_name)
    .bind(&row.identity_level)
    .bind(row.signed_at)
    .bind(&row.ip)
    .bind(&row.user_agent)
    .bind(&row.code_id)
    .bind(&row.mark_kind)
    .bind(&row.mark)
    .bind(&row.countersignature)
    .bind(&row.countersign_kid)
    .fetch_one(conn)
    .await?)
}

/// The newest signature of a draft.
pub async fn latest_of_draft(
    conn: &mut AnyConnection,
    draft_id: i64,
) -> DbResult<Option<SignatureRow>> {
    Ok(
        sqlx::query_as::<_, SignatureRow>(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM commitment_signatures WHERE draft_id = $1 \
         ORDER BY signed_at DESC, id DESC LIMIT 1"
        )))
        .bind(draft_id)
        .fetch_optional(conn)
        .await?,
    )
}

pub async fn by_public_id(
    conn: &mut AnyConnection,
    public_id: &str,
) -> DbResult<Option<SignatureRow>> {
    Ok(
        sqlx::query_as::<_, SignatureRow>(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM commitment_signatures WHERE public_id = $1"
        )))
        .bind(public_id)
        .fetch_optional(conn)
        .await?,
    )
}
