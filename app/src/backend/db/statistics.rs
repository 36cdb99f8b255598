//! Statistics aggregate: the daily rollup rows, the refresh job's lease and watermark, and the
//! reads that feed a day's rollup (the cases submitted that day with their timelines, and the
//! work done that day).

use std::collections::HashMap;

use sqlx::{AnyConnection, FromRow};

use super::DbResult;
use crate::domain::statistics::{
    CaseRecord, DAY_MS, TIMELINE_KINDS, TimelineEntry, WORK_KINDS, WorkEntry,
};

/// China is eight hours ahead of UTC all year.
const CHINA_OFFSET_MS: i64 = 8 * 3_600_000;

/// `'a', 'b', …` of constant kind names (never user input).
fn quoted(kinds: &[&str]) -> String {
    kinds
        .iter()
        .map(|kind| format!("'{kind}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The refresh job's progress.
#[derive(Debug, Clone, Copy, FromRow)]
pub struct RefreshState {
    pub watermark: i64,
    pub last_started: i64,
    pub refreshed_at: Option<i64>,
}

/// Takes the refresh lease until `until` when nobody holds it; the progress so far if taken.
pub async fn take_lease(
    conn: &mut AnyConnection,
    now: i64,
    until: i64,
) -> DbResult<Option<RefreshState>> {
    Ok(sqlx::query_as(
        "UPDATE stats_refresh SET lease_until = $1 WHERE id = 1 AND lease_until < $2 \
         RETURNING watermark, last_started, refreshed_at",
    )
    .bind(until)
    .bind(now)
    .fetch_optional(conn)
    .await?)
}

/// Keeps the lease while a long refresh goes on.
pub async fn extend_lease(conn: &mut AnyConnection, until: i64) -> DbResult<()> {
    sqlx::query("UPDATE stats_refresh SET lease_until = $1 WHERE id = 1")
        .bind(until)
        .execute(conn)
        .await?;
    Ok(())
}

/// Records a finished refresh and gives the lease back.
pub async fn finish_refresh(
    conn: &mut AnyConnection,
    watermark: i64,
    started: i64,
    now: i64,
) -> DbResult<()> {
    sqlx::query(
        "UPDATE stats_refresh SET watermark = $1, last_started = $2, refreshed_at = $3, \
         lease_until = 0 WHERE id = 1",
    )
    .bind(watermark)
    .bind(started)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Gives the lease back after a failed refresh, so another try need not wait for it to expire.
pub async fn release_lease(conn: &mut AnyConnection) -> DbResult<()> {
    sqlx::query("UPDATE stats_refresh SET lease_until = 0 WHERE id = 1")
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn refreshed_at(conn: &mut AnyConnection) -> DbResult<Option<i64>> {
    Ok(
        sqlx::query_scalar("SELECT refreshed_at FROM stats_refresh WHERE id = 1")
            .fetch_optional(conn)
            .await?
            .flatten(),
    )
}

/// The newest timeline entry.
pub async fn last_event_id(conn: &mut AnyConnection) -> DbResult<i64> {
    Ok(
        sqlx::query_scalar::<_, Option<i64>>("SELECT MAX(id) FROM case_events")
            .fetch_one(conn)
            .await?
            .unwrap_or(0),
    )
}

/// The days (numbered from 1970-01-01, China time) whose figures changed: the day of every
/// timeline entry after `watermark` or at or after `since` (entries whose transaction committed
/// late, after a higher id), and the submission day of its case.
pub async fn changed_days(
    conn: &mut AnyConnection,
    watermark: i64,
    since: i64,
) -> DbResult<Vec<i64>> {
    let sql = format!(
        "SELECT DISTINCT (e.at + {CHINA_OFFSET_MS}) / {DAY_MS} AS day FROM case_events e WHERE e.id > $1 \
         UNION SELECT DISTINCT (e.at + {CHINA_OFFSET_MS}) / {DAY_MS} FROM case_events e WHERE e.at >= $2 \
         UNION SELECT DISTINCT (c.submitted_at + {CHINA_OFFSET_MS}) / {DAY_MS} FROM case_events e \
         JOIN cases c ON c.id = e.case_id WHERE e.id > $1 \
         UNION SELECT DISTINCT (c.submitted_at + {CHINA_OFFSET_MS}) / {DAY_MS} FROM case_events e \
         JOIN cases c ON c.id = e.case_id WHERE e.at >= $2"
    );
    let mut days: Vec<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(watermark)
        .bind(since)
        .fetch_all(conn)
        .await?;
    days.sort_unstable();
    days.dedup();
    Ok(days)
}

#[derive(FromRow)]
struct CohortRow {
    id: i64,
    submitted_at: i64,
    status: String,
    centre_code: Option<String>,
    deadline_at: Option<i64>,
    refusal_reason: Option<String>,
}

#[derive(FromRow)]
struct CaseCode {
    case_id: i64,
    code: String,
}

#[derive(FromRow)]
struct EventRow {
    case_id: i64,
    at: i64,
    kind: String,
    actor_role: String,
}

/// The cases submitted in `[start, end)` with their items, departments, correction-notice
/// entries and timelines.
pub async fn cohort(conn: &mut AnyConnection, start: i64, end: i64) -> DbResult<Vec<CaseRecord>> {
    let rows: Vec<CohortRow> = sqlx::query_as(
        "SELECT id, submitted_at, status, centre_code, deadline_at, refusal_reason FROM cases \
         WHERE submitted_at >= $1 AND submitted_at < $2 ORDER BY id",
    )
    .bind(start)
    .bind(end)
    .fetch_all(&mut *conn)
    .await?;
    let mut index: HashMap<i64, usize> = HashMap::with_capacity(rows.len());
    let mut records: Vec<CaseRecord> = Vec::with_capacity(rows.len());
    for row in rows {
        index.insert(row.id, records.len());
        records.push(CaseRecord {
            submitted_at: row.submitted_at,
            status: row.status,
            centre: row.centre_code,
            deadline_at: row.deadline_at,
            refusal_reason: row.refusal_reason,
            ..CaseRecord::default()
        });
    }
    if records.is_empty() {
        return Ok(records);
    }
    let of_cohort =
        "JOIN cases c ON c.id = x.case_id WHERE c.submitted_at >= $1 AND c.submitted_at < $2";
    let items: Vec<CaseCode> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT x.case_id, x.item_code AS code FROM case_items x {of_cohort}"
    )))
    .bind(start)
    .bind(end)
    .fetch_all(&mut *conn)
    .await?;
    for row in items {
        if let Some(&at) = index.get(&row.case_id) {
            records[at].items.push(row.code);
        }
    }
    let departments: Vec<CaseCode> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT x.case_id, x.department_code AS code FROM case_departments x {of_cohort}"
    )))
    .bind(start)
    .bind(end)
    .fetch_all(&mut *conn)
    .await?;
    for row in departments {
        if let Some(&at) = index.get(&row.case_id) {
            records[at].departments.push(row.code);
        }
    }
    let points: Vec<CaseCode> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT x.case_id, i.kind || ':' || i.name AS code FROM correction_notices x \
         JOIN correction_notice_items i ON i.notice_id = x.id {of_cohort}"
    )))
    .bind(start)
    .bind(end)
    .fetch_all(&mut *conn)
    .await?;
    for row in points {
        if let Some(&at) = index.get(&row.case_id) {
            records[at].return_points.push(row.code);
        }
    }
    let events: Vec<EventRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT x.case_id, x.at, x.kind, x.actor_role FROM case_events x {of_cohort} \
         AND x.kind IN ({}) ORDER BY x.case_id, x.at, x.id",
        quoted(TIMELINE_KINDS)
    )))
    .bind(start)
    .bind(end)
    .fetch_all(&mut *conn)
    .await?;
    for row in events {
        if let Some(&at) = index.get(&row.case_id) {
            records[at].timeline.push(TimelineEntry {
                at: row.at,
                kind: row.kind,
                role: row.actor_role,
            });
        }
    }
    Ok(records)
}

#[derive(FromRow)]
struct WorkRow {
    kind: String,
    actor_user_id: Option<i64>,
    note: Option<String>,
}

/// The work done in `[start, end)`: acceptances, returns, refusals, task decisions, issues.
pub async fn work(conn: &mut AnyConnection, start: i64, end: i64) -> DbResult<Vec<WorkEntry>> {
    let rows: Vec<WorkRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT kind, actor_user_id, note FROM case_events WHERE at >= $1 AND at < $2 \
         AND kind IN ({})",
        quoted(WORK_KINDS)
    )))
    .bind(start)
    .bind(end)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| WorkEntry {
            kind: row.kind,
            actor_user_id: row.actor_user_id,
            note: row.note,
        })
        .collect())
}

/// Replaces a day's rows (call inside a write transaction).
pub async fn replace_day<'a>(
    conn: &mut AnyConnection,
    day: &str,
    rows: impl Iterator<Item = (&'a str, &'a str, &'a str, i64)>,
) -> DbResult<usize> {
    sqlx::query("DELETE FROM stats_daily WHERE day = $1")
        .bind(day)
        .execute(&mut *conn)
        .await?;
    let rows: Vec<_> = rows.collect();
    // Several rows per statement: a day of a busy district has hundreds.
    for chunk in rows.chunks(100) {
        let mut sql =
            String::from("INSERT INTO stats_daily (day, dimension, key, measure, value) VALUES ");
        for index in 0..chunk.len() {
            let base = index * 4 + 2;
            if index > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!(
                "($1, ${}, ${}, ${}, ${})",
                base,
                base + 1,
                base + 2,
                base + 3
            ));
        }
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(day);
        for (dimension, key, measure, value) in chunk {
            query = query
                .bind(*dimension)
                .bind(*key)
                .bind(*measure)
                .bind(*value);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(rows.len())
}

/// One summed row of a period.
#[derive(Debug, Clone, FromRow)]
pub struct SumRow {
    pub dimension: String,
    pub key: String,
    pub measure: String,
    pub value: i64,
}

/// Every row of the days `from..=to` (`YYYY-MM-DD`), summed over the days.
pub async fn sums(conn: &mut AnyConnection, from: &str, to: &str) -> DbResult<Vec<SumRow>> {
    Ok(sqlx::query_as(
        "SELECT dimension, key, measure, CAST(SUM(value) AS BIGINT) AS value FROM stats_daily \
         WHERE day >= $1 AND day <= $2 GROUP BY dimension, key, measure",
    )
    .bind(from)
    .bind(to)
    .fetch_all(conn)
    .await?)
}

/// One day's value of a series.
#[derive(Debug, Clone, FromRow)]
pub struct SeriesRow {
    pub day: String,
    pub value: i64,
}

/// A daily series (`dimension`, empty key, `measure`) over the days `from..=to`.
pub async fn series(
    conn: &mut AnyConnection,
    dimension: &str,
    measure: &str,
    from: &str,
    to: &str,
) -> DbResult<Vec<SeriesRow>> {
    Ok(sqlx::query_as(
        "SELECT day, value FROM stats_daily WHERE dimension = $1 AND measure = $2 AND key = '' \
         AND day >= $3 AND day <= $4 ORDER BY day",
    )
    .bind(dimension)
    .bind(measure)
    .bind(from)
    .bind(to)
    .fetch_all(conn)
    .await?)
}

/// A code or id with the names to show for it.
#[derive(Debug, Clone, FromRow)]
pub struct NamedRow {
    pub key: String,
    pub name_zh: String,
    pub name_en: String,
    /// The unit (department or centre) of a staff member.
    pub unit_zh: Option<String>,
    pub unit_en: Option<String>,
}

pub async fn department_names(conn: &mut AnyConnection) -> DbResult<Vec<NamedRow>> {
    Ok(sqlx::query_as(
        "SELECT code AS key, name_zh, name_en, CAST(NULL AS TEXT) AS unit_zh, \
         CAST(NULL AS TEXT) AS unit_en FROM departments",
    )
    .fetch_all(conn)
    .await?)
}

pub async fn centre_names(conn: &mut AnyConnection) -> DbResult<Vec<NamedRow>> {
    Ok(sqlx::query_as(
        "SELECT code AS key, name_zh, name_en, CAST(NULL AS TEXT) AS unit_zh, \
         CAST(NULL AS TEXT) AS unit_en FROM service_centres",
    )
    .fetch_all(conn)
    .await?)
}

/// The name of each item at its newest version.
pub async fn item_names(conn: &mut AnyConnection) -> DbResult<Vec<NamedRow>> {
    Ok(sqlx::query_as(
        "SELECT v.code AS key, v.name_zh, v.name_en, CAST(NULL AS TEXT) AS unit_zh, \
         CAST(NULL AS TEXT) AS unit_en FROM service_item_versions v \
         WHERE v.version = (SELECT MAX(w.version) FROM service_item_versions w WHERE w.code = v.code)",
    )
    .fetch_all(conn)
    .await?)
}

/// Staff by id: display name, and their centre or department.
pub async fn staff_names(conn: &mut AnyConnection) -> DbResult<Vec<NamedRow>> {
    Ok(sqlx::query_as(
        "SELECT CAST(u.id AS TEXT) AS key, u.display_name AS name_zh, u.display_name AS name_en, \
         COALESCE(d.name_zh, s.name_zh) AS unit_zh, COALESCE(d.name_en, s.name_en) AS unit_en \
         FROM users u LEFT JOIN departments d ON d.id = u.department_id \
         LEFT JOIN service_centres s ON s.id = u.service_centre_id WHERE u.role <> 'applicant'",
    )
    .fetch_all(conn)
    .await?)
}

/// Drops every rollup row and rewinds the watermark (the lease is left alone).
pub async fn reset(conn: &mut AnyConnection) -> DbResult<()> {
    sqlx::query("DELETE FROM stats_daily")
        .execute(&mut *conn)
        .await?;
    sqlx::query("UPDATE stats_refresh SET watermark = 0, last_started = 0 WHERE id = 1")
        .execute(conn)
        .await?;
    Ok(())
}
