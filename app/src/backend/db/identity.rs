//! Identity aggregate: the population registry, applicants' verified identities and one-time
//! codes. Rows stay on the server; codes are stored only as hashes.

use sqlx::{AnyConnection, FromRow};

use super::DbResult;

/// A person of the population registry.
#[derive(Debug, Clone, FromRow)]
pub struct RegistryPerson {
    pub resident_id: String,
    pub name: String,
}

/// Adds or updates a registry person (imports are idempotent by resident ID).
pub async fn upsert_registry_person(
    conn: &mut AnyConnection,
    resident_id: &str,
    name: &str,
    now: i64,
) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO population_registry (resident_id, name, imported_at) VALUES ($1, $2, $3) \
         ON CONFLICT (resident_id) DO UPDATE SET name = excluded.name, imported_at = excluded.imported_at",
    )
    .bind(resident_id)
    .bind(name)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn find_registry_person(
    conn: &mut AnyConnection,
    resident_id: &str,
) -> DbResult<Option<RegistryPerson>> {
    Ok(sqlx::query_as::<_, RegistryPerson>(
        "SELECT resident_id, name FROM population_registry WHERE resident_id = $1",
    )
    .bind(resident_id)
    .fetch_optional(conn)
    .await?)
}

/// An applicant's identity row.
#[derive(Debug, Clone, Default, FromRow)]
pub struct IdentityRow {
    pub contact_confirmed_at: Option<i64>,
    pub resident_id: Option<String>,
    pub legal_name: Option<String>,
    pub registry_matched_at: Option<i64>,
    pub person_checked_at: Option<i64>,
}

pub async fn identity(conn: &mut AnyConnection, user_id: i64) -> DbResult<IdentityRow> {
    Ok(sqlx::query_as::<_, IdentityRow>(
        "SELECT contact_confirmed_at, resident_id, legal_name, registry_matched_at, person_checked_at \
         FROM applicant_identities WHERE user_id = $1",
    )
    .bind(user_id)
    .fetch_optional(conn)
    .await?
    .unwrap_or_default())
}

/// Records that the applicant confirmed their phone or email (level 1).
pub async fn confirm_contact(conn: &mut AnyConnection, user_id: i64, now: i64) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO applicant_identities (user_id, contact_confirmed_at, updated_at) VALUES ($1, $2, $2) \
         ON CONFLICT (user_id) DO UPDATE SET contact_confirmed_at = excluded.contact_confirmed_at, \
         updated_at = excluded.updated_at",
    )
    .bind(user_id)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Binds a registry-matched resident ID and legal name to the applicant (level 2). A resident
/// ID already bound to another account violates `applicant_identities.resident_id`'s unique
/// constraint.
pub async fn bind_resident(
    conn: &mut AnyConnection,
    user_id: i64,
    resident_id: &str,
    legal_name: &str,
    now: i64,
) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO applicant_identities (user_id, resident_id, legal_name, registry_matched_at, updated_at) \
         VALUES ($1, $2, $3, $4, $4) \
         ON CONFLICT (user_id) DO UPDATE SET resident_id = excluded.resident_id, \
         legal_name = excluded.legal_name, registry_matched_at = excluded.registry_matched_at, \
         updated_at = excluded.updated_at",
    )
    .bind(user_id)
    .bind(resident_id)
    .bind(legal_name)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// A one-time code as stored.
#[derive(Debug, Clone, FromRow)]
pub struct CodeRow {
    pub id: String,
    pub destination: String,
    pub code_hash: String,
    pub attempts: i64,
    pub expires_at: i64,
    pub used_at: Option<i64>,
}

pub struct NewCode<'a> {
    pub id: &'a str,
    pub user_id: i64,
    pub purpose: &'a str,
    pub channel: &'a str,
    pub destination: &'a str,
    pub code_hash: &'a str,
    pub now: i64,
    pub expires_at: i64,
}

pub async fn insert_code(conn: &mut AnyConnection, code: NewCode<'_>) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO one_time_codes (id, user_id, purpose, channel, destination, code_hash, attempts, \
         created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $8)",
    )
    .bind(code.id)
    .bind(code.user_id)
    .bind(code.purpose)
    .bind(code.channel)
    .bind(code.destination)
    .bind(code.code_hash)
    .bind(code.now)
    .bind(code.expires_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// The newest code of a user for a purpose (only the newest counts: asking again replaces it).
pub async fn latest_code(
    conn: &mut AnyConnection,
    user_id: i64,
    purpose: &str,
) -> DbResult<Option<CodeRow>> {
    Ok(sqlx::query_as::<_, CodeRow>(
        "SELECT id, destination, code_hash, attempts, expires_at, used_at FROM one_time_codes \
         WHERE user_id = $1 AND purpose = $2 ORDER BY created_at DESC, id DESC LIMIT 1",
    )
    .bind(user_id)
    .bind(purpose)
    .fetch_optional(conn)
    .await?)
}

/// Counts one more try of a code; returns the tries so far.
pub async fn count_attempt(conn: &mut AnyConnection, id: &str) -> DbResult<i64> {
    Ok(sqlx::query_scalar(
        "UPDATE one_time_codes SET attempts = attempts + 1 WHERE id = $1 RETURNING attempts",
    )
    .bind(id)
    .fetch_one(conn)
    .await?)
}

/// Marks a code used; false when it was used already (a concurrent confirmation won).
pub async fn use_code(conn: &mut AnyConnection, id: &str, now: i64) -> DbResult<bool> {
    let result =
        sqlx::query("UPDATE one_time_codes SET used_at = $2 WHERE id = $1 AND used_at IS NULL")
            .bind(id)
            .bind(now)
            .execute(conn)
            .await?;
    Ok(result.rows_affected() == 1)
}
