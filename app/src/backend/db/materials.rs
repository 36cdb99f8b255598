//! Materials of applications (part of the cases aggregate): the uploaded files' records. The
//! bytes live in the file store under `file_key`.

use sqlx::{AnyConnection, FromRow};

use super::DbResult;

#[derive(Debug, Clone, FromRow)]
pub struct MaterialRow {
    pub id: i64,
    pub public_id: String,
    pub draft_id: i64,
    pub applicant_id: i64,
    pub material_name: String,
    pub file_key: String,
    pub file_name: String,
    pub file_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub uploaded_at: i64,
}

const COLUMNS: &str = "id, public_id, draft_id, applicant_id, material_name, file_key, file_name, \
    file_type, size_bytes, sha256, uploaded_at";

pub struct NewMaterial<'a> {
    pub public_id: &'a str,
    pub draft_id: i64,
    pub applicant_id: i64,
    pub material_name: &'a str,
    pub file_key: &'a str,
    pub file_name: &'a str,
    pub file_type: &'a str,
    pub size_bytes: i64,
    pub sha256: &'a str,
    pub now: i64,
}

pub async fn insert(conn: &mut AnyConnection, material: NewMaterial<'_>) -> DbResult<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO materials (public_id, draft_id, applicant_id, material_name, file_key, file_name, \
         file_type, size_bytes, sha256, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
         RETURNING id",
    )
    .bind(material.public_id)
    .bind(material.draft_id)
    .bind(material.applicant_id)
    .bind(material.material_name)
    .bind(material.file_key)
    .bind(material.file_name)
    .bind(material.file_type)
    .bind(material.size_bytes)
    .bind(material.sha256)
    .bind(material.now)
    .fetch_one(conn)
    .await?)
}

/// The files of a draft (its case's files once submitted), in upload order.
pub async fn of_draft(conn: &mut AnyConnection, draft_id: i64) -> DbResult<Vec<MaterialRow>> {
    Ok(
        sqlx::query_as::<_, MaterialRow>(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM materials WHERE draft_id = $1 AND removed_at IS NULL \
         ORDER BY uploaded_at, id"
        )))
        .bind(draft_id)
        .fetch_all(conn)
        .await?,
    )
}

/// Files of one material of a draft.
pub async fn count_for(
    conn: &mut AnyConnection,
    draft_id: i64,
    material_name: &str,
) -> DbResult<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM materials WHERE draft_id = $1 AND material_name = $2 \
         AND removed_at IS NULL",
    )
    .bind(draft_id)
    .bind(material_name)
    .fetch_one(conn)
    .await?)
}

/// A file by its public id (any owner: callers check who may see it).
pub async fn by_public_id(
    conn: &mut AnyConnection,
    public_id: &str,
) -> DbResult<Option<MaterialRow>> {
    Ok(
        sqlx::query_as::<_, MaterialRow>(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM materials WHERE public_id = $1 AND removed_at IS NULL"
        )))
        .bind(public_id)
        .fetch_optional(conn)
        .await?,
    )
}

/// Marks a file of an unsubmitted draft removed; false when there is no such file there.
pub async fn remove_from_open_draft(
    conn: &mut AnyConnection,
    material_id: i64,
    now: i64,
) -> DbResult<bool> {
    let result = sqlx::query(
        "UPDATE materials SET removed_at = $2 WHERE id = $1 AND removed_at IS NULL \
         AND draft_id IN (SELECT id FROM drafts WHERE case_id IS NULL)",
    )
    .bind(material_id)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Marks a file removed whatever its draft (the caller checked the applicant may: an open
/// draft, or a material a correction notice asks to replace).
pub async fn remove(conn: &mut AnyConnection, material_id: i64, now: i64) -> DbResult<bool> {
    let result =
        sqlx::query("UPDATE materials SET removed_at = $2 WHERE id = $1 AND removed_at IS NULL")
            .bind(material_id)
            .bind(now)
            .execute(conn)
            .await?;
    Ok(result.rows_affected() == 1)
}

/// The materials of a draft with a file added or removed after `since`.
pub async fn changed_since(
    conn: &mut AnyConnection,
    draft_id: i64,
    since: i64,
) -> DbResult<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT DISTINCT material_name FROM materials WHERE draft_id = $1 \
         AND (uploaded_at > $2 OR removed_at > $2)",
    )
    .bind(draft_id)
    .bind(since)
    .fetch_all(conn)
    .await?)
}
