//! Operational figures read at scrape time for `/metrics`: the outbox backlog, the work waiting
//! in each queue and what is past its deadline. Each is one count over a partial or leading
//! index of the queue it describes, so a scrape stays cheap however large the history grows.
//!
//! "Overdue" means what the queues show as overdue (`services::back_office::due_flag`): a
//! limit ends at the end of its last day in China time (`accept_due_at`, `due_at` and
//! `deadline_at` hold that instant), so it is overdue once that instant has passed. A task
//! or case whose clock is stopped for a supplement is never overdue.

use sqlx::{AnyConnection, FromRow};

use super::DbResult;

/// Messages not yet delivered.
#[derive(Debug, Clone, Copy, Default, FromRow)]
pub struct OutboxBacklog {
    /// Never tried, or being tried for the first time.
    pub queued: i64,
    /// The last attempt failed; waiting for the next one (retried with back-off).
    pub failed: i64,
    /// When the oldest undelivered message was written (ms), if any.
    pub oldest_created_at: Option<i64>,
}

pub async fn outbox_backlog(conn: &mut AnyConnection) -> DbResult<OutboxBacklog> {
    Ok(sqlx::query_as::<_, OutboxBacklog>(
        "SELECT COALESCE(SUM(CASE WHEN last_error IS NULL THEN 1 ELSE 0 END), 0) AS queued, \
         COALESCE(SUM(CASE WHEN last_error IS NULL THEN 0 ELSE 1 END), 0) AS failed, \
         MIN(created_at) AS oldest_created_at \
         FROM outbox WHERE sent_at IS NULL",
    )
    .fetch_one(conn)
    .await?)
}

/// The front desk's queue: cases waiting for acceptance (submitted or resubmitted).
#[derive(Debug, Clone, Copy, Default, FromRow)]
pub struct DeskBacklog {
    pub waiting: i64,
    /// Waiting past the acceptance deadline.
    pub overdue: i64,
}

pub async fn desk_backlog(conn: &mut AnyConnection, now: i64) -> DbResult<DeskBacklog> {
    Ok(sqlx::query_as::<_, DeskBacklog>(
        "SELECT COUNT(*) AS waiting, \
         COALESCE(SUM(CASE WHEN accept_due_at <= $1 THEN 1 ELSE 0 END), 0) AS overdue \
         FROM cases WHERE status IN ('submitted', 'resubmitted')",
    )
    .bind(now)
    .fetch_one(conn)
    .await?)
}

/// Approval tasks not yet decided.
#[derive(Debug, Clone, Copy, Default, FromRow)]
pub struct ApprovalBacklog {
    /// Waiting for the department.
    pub open: i64,
    /// Waiting for the applicant's supplement (clock stopped).
    pub supplement: i64,
    /// Open past their due time.
    pub overdue: i64,
}

pub async fn approval_backlog(conn: &mut AnyConnection, now: i64) -> DbResult<ApprovalBacklog> {
    Ok(sqlx::query_as::<_, ApprovalBacklog>(
        "SELECT COALESCE(SUM(CASE WHEN status = 'open' THEN 1 ELSE 0 END), 0) AS open, \
         COALESCE(SUM(CASE WHEN status = 'supplement' THEN 1 ELSE 0 END), 0) AS supplement, \
         COALESCE(SUM(CASE WHEN status = 'open' AND due_at <= $1 THEN 1 ELSE 0 END), 0) AS overdue \
         FROM approval_tasks WHERE status IN ('open', 'supplement')",
    )
    .bind(now)
    .fetch_one(conn)
    .await?)
}

/// Cases in approval whose statutory deadline has passed (clock running).
pub async fn cases_past_deadline(conn: &mut AnyConnection, now: i64) -> DbResult<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM cases WHERE status = 'in_approval' AND clock_paused_at IS NULL \
         AND deadline_at <= $1",
    )
    .bind(now)
    .fetch_one(conn)
    .await?)
}

/// Inspection tasks not yet concluded.
#[derive(Debug, Clone, Copy, Default, FromRow)]
pub struct InspectionBacklog {
    /// Not yet visited (or visited without a conclusion).
    pub open: i64,
    /// Found non-compliant, waiting for the rectification date.
    pub rectifying: i64,
    /// Past the day they were due (the rectification date for rectifying ones).
    pub overdue: i64,
}

/// `today` is the date in China time (`YYYY-MM-DD`); a task due on `today` is not overdue yet.
pub async fn inspection_backlog(
    conn: &mut AnyConnection,
    today: &str,
) -> DbResult<InspectionBacklog> {
    Ok(sqlx::query_as::<_, InspectionBacklog>(
        "SELECT COALESCE(SUM(CASE WHEN status = 'open' THEN 1 ELSE 0 END), 0) AS open, \
         COALESCE(SUM(CASE WHEN status = 'rectifying' THEN 1 ELSE 0 END), 0) AS rectifying, \
         COALESCE(SUM(CASE WHEN COALESCE(rectify_by, due_on) < $1 THEN 1 ELSE 0 END), 0) AS overdue \
         FROM inspection_tasks WHERE status IN ('open', 'rectifying')",
    )
    .bind(today)
    .fetch_one(conn)
    .await?)
}
