//! Credit registry aggregate: records of dishonest persons and entities (失信被执行人, 严重违法
//! 失信, 承诺失信), keyed by resident ID or unified social credit code.

use sqlx::{AnyConnection, FromRow};

use super::DbResult;

/// A record as stored.
#[derive(Debug, Clone, FromRow)]
pub struct CreditRow {
    pub subject_id: String,
    pub subject_name: String,
    pub category: String,
    pub level: String,
    pub source: String,
    pub reason: String,
    pub recorded_on: String,
    pub expires_on: Option<String>,
}

/// Adds a record; the same record imported twice stays one (`credit_records_unique`), with its
/// level, reason and expiry updated.
pub async fn upsert(conn: &mut AnyConnection, record: &CreditRow, now: i64) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO credit_records (subject_id, subject_name, category, level, source, reason, \
         recorded_on, expires_on, imported_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT (subject_id, category, source, recorded_on) DO UPDATE SET \
         subject_name = excluded.subject_name, level = excluded.level, reason = excluded.reason, \
         expires_on = excluded.expires_on, imported_at = excluded.imported_at",
    )
    .bind(&record.subject_id)
    .bind(&record.subject_name)
    .bind(&record.category)
    .bind(&record.level)
    .bind(&record.source)
    .bind(&record.reason)
    .bind(&record.recorded_on)
    .bind(&record.expires_on)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// The records of these subjects still in force on `today` (`YYYY-MM-DD`; dates compare as
/// text).
pub async fn in_force(
    conn: &mut AnyConnection,
    subject_ids: &[String],
    today: &str,
) -> DbResult<Vec<CreditRow>> {
    if subject_ids.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders: Vec<String> = (0..subject_ids.len())
        .map(|index| format!("${}", index + 2))
        .collect();
    let sql = format!(
        "SELECT subject_id, subject_name, category, level, source, reason, recorded_on, expires_on \
         FROM credit_records WHERE subject_id IN ({}) AND recorded_on <= $1 \
         AND (expires_on IS NULL OR expires_on >= $1) ORDER BY recorded_on, id",
        placeholders.join(", ")
    );
    let mut query = sqlx::query_as::<_, CreditRow>(sqlx::AssertSqlSafe(sql)).bind(today);
    for subject in subject_ids {
        query = query.bind(subject);
    }
    Ok(query.fetch_all(conn).await?)
}
