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

/// An account's login with its identity row (empty when it has none), in one statement: the
/// submission checks need both, and every statement is a round trip on SQLite.
#[derive(Debug, Clone, FromRow)]
pub struct LoginIdentityRow {
    pub login: String,
    #[sqlx(flatten)]
    pub identity: IdentityRow,
}

/// The login and identity of the account `user_id`, `None` when there is no such account.
pub async fn login_identity(
    conn: &mut AnyConnection,
    user_id: i64,
) -> DbResult<Option<LoginIdentityRow>> {
    Ok(sqlx::query_as::<_, LoginIdentityRow>(
        "SELECT u.login, i.contact_confirmed_at, i.resident_id, i.legal_name, \
         i.registry_matched_at, i.person_checked_at \
         FROM users u LEFT JOIN applicant_identities i ON i.user_id = u.id WHERE u.id = $1",
    )
    .bind(user_id)
    .fetch_optional(conn)
    .await?)
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

/// A photo for the person–ID check.
#[derive(Debug, Clone, FromRow)]
pub struct PhotoRow {
    pub id: i64,
    pub public_id: String,
    pub user_id: i64,
    pub kind: String,
    pub file_key: String,
    pub file_type: String,
    pub size_bytes: i64,
}

pub struct NewPhoto<'a> {
    pub public_id: &'a str,
    pub user_id: i64,
    pub kind: &'a str,
    pub file_key: &'a str,
    pub file_type: &'a str,
    pub size_bytes: i64,
    pub sha256: &'a str,
    pub now: i64,
}

pub async fn insert_photo(conn: &mut AnyConnection, photo: NewPhoto<'_>) -> DbResult<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO identity_photos (public_id, user_id, kind, file_key, file_type, size_bytes, sha256, \
         uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(photo.public_id)
    .bind(photo.user_id)
    .bind(photo.kind)
    .bind(photo.file_key)
    .bind(photo.file_type)
    .bind(photo.size_bytes)
    .bind(photo.sha256)
    .bind(photo.now)
    .fetch_one(conn)
    .await?)
}

const PHOTO_COLUMNS: &str = "id, public_id, user_id, kind, file_key, file_type, size_bytes";

/// The newest photo of a kind a user uploaded.
pub async fn latest_photo(
    conn: &mut AnyConnection,
    user_id: i64,
    kind: &str,
) -> DbResult<Option<PhotoRow>> {
    Ok(sqlx::query_as::<_, PhotoRow>(sqlx::AssertSqlSafe(format!(
        "SELECT {PHOTO_COLUMNS} FROM identity_photos WHERE user_id = $1 AND kind = $2 \
         ORDER BY uploaded_at DESC, id DESC LIMIT 1"
    )))
    .bind(user_id)
    .bind(kind)
    .fetch_optional(conn)
    .await?)
}

pub async fn photo_by_public_id(
    conn: &mut AnyConnection,
    public_id: &str,
) -> DbResult<Option<PhotoRow>> {
    Ok(sqlx::query_as::<_, PhotoRow>(sqlx::AssertSqlSafe(format!(
        "SELECT {PHOTO_COLUMNS} FROM identity_photos WHERE public_id = $1"
    )))
    .bind(public_id)
    .fetch_optional(conn)
    .await?)
}

/// A person–ID check with what the reviewer needs.
#[derive(Debug, Clone, FromRow)]
pub struct PersonCheckRow {
    pub id: i64,
    pub public_id: String,
    pub user_id: i64,
    pub status: String,
    pub reason: Option<String>,
    pub submitted_at: i64,
    pub reviewed_at: Option<i64>,
    pub legal_name: Option<String>,
    pub resident_id: Option<String>,
    pub id_card: String,
    pub selfie: String,
}

const CHECK_SELECT: &str = "SELECT c.id, c.public_id, c.user_id, c.status, c.reason, c.submitted_at, \
    c.reviewed_at, i.legal_name, i.resident_id, p1.public_id AS id_card, p2.public_id AS selfie \
    FROM person_checks c JOIN identity_photos p1 ON p1.id = c.id_card_id \
    JOIN identity_photos p2 ON p2.id = c.selfie_id \
    LEFT JOIN applicant_identities i ON i.user_id = c.user_id";

pub async fn insert_person_check(
    conn: &mut AnyConnection,
    public_id: &str,
    user_id: i64,
    id_card_id: i64,
    selfie_id: i64,
    now: i64,
) -> DbResult<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO person_checks (public_id, user_id, id_card_id, selfie_id, status, submitted_at) \
         VALUES ($1, $2, $3, $4, 'pending', $5) RETURNING id",
    )
    .bind(public_id)
    .bind(user_id)
    .bind(id_card_id)
    .bind(selfie_id)
    .bind(now)
    .fetch_one(conn)
    .await?)
}

/// Checks waiting for review, oldest first.
pub async fn pending_checks(conn: &mut AnyConnection) -> DbResult<Vec<PersonCheckRow>> {
    Ok(
        sqlx::query_as::<_, PersonCheckRow>(sqlx::AssertSqlSafe(format!(
            "{CHECK_SELECT} WHERE c.status = 'pending' ORDER BY c.submitted_at, c.id LIMIT 200"
        )))
        .fetch_all(conn)
        .await?,
    )
}

/// The newest check of a user.
pub async fn latest_check(
    conn: &mut AnyConnection,
    user_id: i64,
) -> DbResult<Option<PersonCheckRow>> {
    Ok(
        sqlx::query_as::<_, PersonCheckRow>(sqlx::AssertSqlSafe(format!(
            "{CHECK_SELECT} WHERE c.user_id = $1 ORDER BY c.submitted_at DESC, c.id DESC LIMIT 1"
        )))
        .bind(user_id)
        .fetch_optional(conn)
        .await?,
    )
}

pub async fn check_by_public_id(
    conn: &mut AnyConnection,
    public_id: &str,
) -> DbResult<Option<PersonCheckRow>> {
    Ok(
        sqlx::query_as::<_, PersonCheckRow>(sqlx::AssertSqlSafe(format!(
            "{CHECK_SELECT} WHERE c.public_id = $1"
        )))
        .bind(public_id)
        .fetch_optional(conn)
        .await?,
    )
}

/// Records the decision on a pending check; false when it was decided meanwhile.
pub async fn decide_check(
    conn: &mut AnyConnection,
    check_id: i64,
    approved: bool,
    reason: Option<&str>,
    reviewer_id: i64,
    now: i64,
) -> DbResult<bool> {
    let result = sqlx::query(
        "UPDATE person_checks SET status = $2, reason = $3, reviewer_id = $4, reviewed_at = $5 \
         WHERE id = $1 AND status = 'pending'",
    )
    .bind(check_id)
    .bind(if approved { "approved" } else { "refused" })
    .bind(reason)
    .bind(reviewer_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Level 3 reached.
pub async fn mark_person_checked(conn: &mut AnyConnection, user_id: i64, now: i64) -> DbResult<()> {
    sqlx::query(
        "UPDATE applicant_identities SET person_checked_at = $2, updated_at = $2 WHERE user_id = $1",
    )
    .bind(user_id)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// The account a verified resident ID belongs to.
pub async fn user_with_resident_id(
    conn: &mut AnyConnection,
    resident_id: &str,
) -> DbResult<Option<i64>> {
    Ok(
        sqlx::query_scalar("SELECT user_id FROM applicant_identities WHERE resident_id = $1")
            .bind(resident_id)
            .fetch_optional(conn)
            .await?,
    )
}
