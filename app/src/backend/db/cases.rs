//! Cases aggregate: drafts (an application being filled in), cases with the item versions they
//! were filed under, their timeline, and the yearly case-number counter.

use sqlx::{AnyConnection, FromRow};

use super::{Batch, DbError, DbKind, DbResult};
use crate::domain::Role;
use crate::domain::case::{CASE_PREFIX, CaseNumber};

/// A draft as stored.
#[derive(Debug, Clone, FromRow)]
pub struct DraftRow {
    pub id: i64,
    pub public_id: String,
    pub applicant_id: i64,
    pub target_kind: String,
    pub target_code: String,
    pub form_values: String,
    pub revision: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub case_id: Option<i64>,
    /// The front-desk worker filling it for a walk-in applicant (代办), if any.
    pub filed_by: Option<i64>,
    pub filed_centre: Option<String>,
}

const DRAFT_COLUMNS: &str = "id, public_id, applicant_id, target_kind, target_code, form_values, \
    revision, created_at, updated_at, case_id, filed_by, filed_centre";

pub struct NewDraft<'a> {
    pub public_id: &'a str,
    pub applicant_id: i64,
    pub target_kind: &'a str,
    pub target_code: &'a str,
    pub form_values: &'a str,
    pub filed_by: Option<i64>,
    pub filed_centre: Option<&'a str>,
    pub now: i64,
}

pub async fn insert_draft(conn: &mut AnyConnection, draft: NewDraft<'_>) -> DbResult<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO drafts (public_id, applicant_id, target_kind, target_code, form_values, revision, \
         created_at, updated_at, filed_by, filed_centre) VALUES ($1, $2, $3, $4, $5, 1, $6, $6, $7, $8) \
         RETURNING id",
    )
    .bind(draft.public_id)
    .bind(draft.applicant_id)
    .bind(draft.target_kind)
    .bind(draft.target_code)
    .bind(draft.form_values)
    .bind(draft.now)
    .bind(draft.filed_by)
    .bind(draft.filed_centre)
    .fetch_one(conn)
    .await?)
}

/// The draft `public_id` if `holder` holds it (another's draft is not found).
pub async fn draft_of(
    conn: &mut AnyConnection,
    holder: DraftHolder,
    public_id: &str,
) -> DbResult<Option<DraftRow>> {
    let (condition, holder_id) = holder.condition();
    Ok(sqlx::query_as::<_, DraftRow>(sqlx::AssertSqlSafe(format!(
        "SELECT {DRAFT_COLUMNS} FROM drafts WHERE public_id = $1 AND {condition}"
    )))
    .bind(public_id)
    .bind(holder_id)
    .fetch_optional(conn)
    .await?)
}

/// A draft as a submission checks it: its row, the newest signature of its commitment letter
/// and the revisions of the working calendar and of the catalogue, read in one statement
/// (every statement is a round trip on SQLite).
#[derive(Debug, Clone)]
pub struct DraftToSubmit {
    pub draft: DraftRow,
    /// The draft's newest signature, as [`super::signatures::latest_of_draft`] finds it: its id
    /// and the SHA-256 of the letter it is over.
    pub newest_signature: Option<(i64, String)>,
    /// The revision of `working_calendar` (moved by every change of it, see its migration).
    pub calendar_revision: Option<i64>,
    /// The revision of the catalogue (moved by every change of it, see its migration).
    pub catalogue_revision: Option<i64>,
}

#[derive(FromRow)]
struct DraftToSubmitRow {
    #[sqlx(flatten)]
    draft: DraftRow,
    signature_id: Option<i64>,
    signature_letter_sha256: Option<String>,
    calendar_revision: Option<i64>,
    catalogue_revision: Option<i64>,
}

/// Whose a draft is: its applicant's, or the front-desk worker's filing it for a walk-in
/// applicant (代办), until submitted.
#[derive(Debug, Clone, Copy)]
pub enum DraftHolder {
    Applicant(i64),
    FilingWorker(i64),
}

impl DraftHolder {
    /// The drafts a signed-in user reaches: a front-desk worker only those they are filing for
    /// someone; anyone else their own.
    pub fn of(user_id: i64, role: Role) -> Self {
        match role {
            Role::FrontDesk => Self::FilingWorker(user_id),
            _ => Self::Applicant(user_id),
        }
    }

    /// The condition on `drafts` that keeps the holder's, with the holder's id as `$2`.
    fn condition(self) -> (&'static str, i64) {
        match self {
            Self::Applicant(id) => ("applicant_id = $2", id),
            Self::FilingWorker(id) => ("filed_by = $2 AND case_id IS NULL", id),
        }
    }
}

/// The draft `public_id` of `holder` with its newest signature (see [`DraftToSubmit`]).
pub async fn draft_to_submit(
    conn: &mut AnyConnection,
    holder: DraftHolder,
    public_id: &str,
) -> DbResult<Option<DraftToSubmit>> {
    let (condition, holder_id) = holder.condition();
    let newest = "FROM commitment_signatures s WHERE s.draft_id = drafts.id \
        ORDER BY s.signed_at DESC, s.id DESC LIMIT 1";
    let row = sqlx::query_as::<_, DraftToSubmitRow>(sqlx::AssertSqlSafe(format!(
        "SELECT {DRAFT_COLUMNS}, (SELECT s.id {newest}) AS signature_id, \
         (SELECT s.letter_sha256 {newest}) AS signature_letter_sha256, \
         (SELECT revision FROM working_calendar_revision WHERE id = 1) AS calendar_revision, \
         (SELECT revision FROM catalogue_revision WHERE id = 1) AS catalogue_revision \
         FROM drafts WHERE public_id = $1 AND {condition}"
    )))
    .bind(public_id)
    .bind(holder_id)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|row| DraftToSubmit {
        draft: row.draft,
        // Both columns come from the same row of `commitment_signatures`, or neither.
        newest_signature: row.signature_id.zip(row.signature_letter_sha256),
        calendar_revision: row.calendar_revision,
        catalogue_revision: row.catalogue_revision,
    }))
}

/// The drafts a worker filed for walk-in applicants, newest first.
pub async fn filings_of(conn: &mut AnyConnection, worker_id: i64) -> DbResult<Vec<DraftRow>> {
    Ok(sqlx::query_as::<_, DraftRow>(sqlx::AssertSqlSafe(format!(
        "SELECT {DRAFT_COLUMNS} FROM drafts WHERE filed_by = $1 ORDER BY updated_at DESC, id DESC LIMIT 50"
    )))
    .bind(worker_id)
    .fetch_all(conn)
    .await?)
}

/// Replaces the values of an unsubmitted draft if it is still at `revision`; gives the new
/// revision, or `None` when the draft changed meanwhile (another tab or device) or was
/// submitted.
pub async fn update_draft_values(
    conn: &mut AnyConnection,
    draft_id: i64,
    revision: i64,
    form_values: &str,
    now: i64,
) -> DbResult<Option<i64>> {
    Ok(sqlx::query_scalar(
        "UPDATE drafts SET form_values = $3, revision = revision + 1, updated_at = $4 \
         WHERE id = $1 AND revision = $2 AND case_id IS NULL RETURNING revision",
    )
    .bind(draft_id)
    .bind(revision)
    .bind(form_values)
    .bind(now)
    .fetch_optional(conn)
    .await?)
}

/// The applicant's unsubmitted drafts, newest first.
pub async fn open_drafts(conn: &mut AnyConnection, applicant_id: i64) -> DbResult<Vec<DraftRow>> {
    Ok(sqlx::query_as::<_, DraftRow>(sqlx::AssertSqlSafe(format!(
        "SELECT {DRAFT_COLUMNS} FROM drafts WHERE applicant_id = $1 AND case_id IS NULL \
         ORDER BY updated_at DESC, id DESC LIMIT 200"
    )))
    .bind(applicant_id)
    .fetch_all(conn)
    .await?)
}

pub async fn delete_open_draft(conn: &mut AnyConnection, draft_id: i64) -> DbResult<bool> {
    let result = sqlx::query("DELETE FROM drafts WHERE id = $1 AND case_id IS NULL")
        .bind(draft_id)
        .execute(conn)
        .await?;
    Ok(result.rows_affected() == 1)
}

/// What a draft must still hold for its submission to stand: the form revision, exactly the
/// files, and the newest signature that the submission's checks saw.
pub struct DraftAsChecked<'a> {
    pub revision: i64,
    /// Public ids of the draft's files (not removed).
    pub file_ids: &'a [&'a str],
    /// The row id of the draft's newest commitment signature, when its letter had to be signed.
    pub signature_id: Option<i64>,
}

/// Links an unsubmitted draft to its case, if the draft is still as checked (see
/// [`DraftAsChecked`]); false when it was submitted already (a double click, a retry that lost
/// the race) or changed since the checks. One statement, so that a submission's write turn
/// re-reads nothing.
pub async fn mark_draft_submitted(
    conn: &mut AnyConnection,
    draft_id: i64,
    case_id: i64,
    checked: &DraftAsChecked<'_>,
) -> DbResult<bool> {
    let mut batch = Batch::for_connection(conn);
    push_draft_link(&mut batch, draft_id, Some(case_id), checked);
    Ok(!batch.fetch_rows(conn).await?.is_empty())
}

/// Queues the statement of [`mark_draft_submitted`]; it returns one row when it linked the
/// draft. Without `case_id`, the draft is linked to the case filed from it in the same
/// transaction (`cases.draft_id` is unique).
fn push_draft_link(
    batch: &mut Batch,
    draft_id: i64,
    case_id: Option<i64>,
    checked: &DraftAsChecked<'_>,
) {
    let mut sql = String::from(
        "UPDATE drafts SET case_id = COALESCE($2, (SELECT id FROM cases WHERE draft_id = $1)) \
         WHERE id = $1 AND case_id IS NULL AND revision = $3 \
         AND (SELECT COUNT(*) FROM materials WHERE draft_id = $1 AND removed_at IS NULL) = $4",
    );
    let mut next = 5;
    if checked.signature_id.is_some() {
        sql.push_str(
            " AND (SELECT id FROM commitment_signatures WHERE draft_id = $1 \
             ORDER BY signed_at DESC, id DESC LIMIT 1) = $5",
        );
        next = 6;
    }
    if !checked.file_ids.is_empty() {
        // Same count and none outside the list: the same set of files.
        let list = (next..next + checked.file_ids.len())
            .map(|n| format!("${n}"))
            .collect::<Vec<_>>()
            .join(", ");
        sql.push_str(&format!(
            " AND NOT EXISTS (SELECT 1 FROM materials WHERE draft_id = $1 \
             AND removed_at IS NULL AND public_id NOT IN ({list}))"
        ));
    }
    sql.push_str(" RETURNING id");
    let file_count = i64::try_from(checked.file_ids.len()).unwrap_or(i64::MAX);
    batch
        .push(&sql)
        .bind(draft_id)
        .bind(case_id)
        .bind(checked.revision)
        .bind(file_count);
    if let Some(signature_id) = checked.signature_id {
        batch.bind(signature_id);
    }
    for file_id in checked.file_ids {
        batch.bind(*file_id);
    }
}

/// A case as stored.
#[derive(Debug, Clone, FromRow)]
pub struct CaseRow {
    pub id: i64,
    pub number: String,
    pub applicant_id: i64,
    pub draft_id: i64,
    pub target_kind: String,
    pub target_code: String,
    pub bundle_version: Option<i64>,
    pub title_zh: String,
    pub title_en: String,
    pub status: String,
    pub form_values: String,
    pub identity_level: String,
    pub credit_level: String,
    pub credit_detail: String,
    pub needs_front_desk: i64,
    pub submitted_at: i64,
    pub updated_at: i64,
    /// Since when the case waits in the front-desk queue (submission or resubmission).
    pub waiting_since: i64,
    pub claimed_by: Option<i64>,
    pub claim_expires_at: Option<i64>,
    pub acceptance_number: Option<String>,
    pub accepted_at: Option<i64>,
    pub accepted_by: Option<i64>,
    pub centre_code: Option<String>,
    pub filed_by: Option<i64>,
    pub promised_days: i64,
    pub accept_due_at: Option<i64>,
    pub deadline_on: Option<String>,
    pub deadline_at: Option<i64>,
    pub clock_paused_at: Option<i64>,
    pub refusal_reason: Option<String>,
    pub refusal_note: Option<String>,
    pub decided_at: Option<i64>,
}

pub(crate) const CASE_COLUMNS: &str = "id, number, applicant_id, draft_id, target_kind, target_code, \
    bundle_version, title_zh, title_en, status, form_values, identity_level, credit_level, \
    credit_detail, needs_front_desk, submitted_at, updated_at, waiting_since, claimed_by, \
    claim_expires_at, acceptance_number, accepted_at, accepted_by, centre_code, filed_by, \
    promised_days, accept_due_at, deadline_on, deadline_at, clock_paused_at, refusal_reason, \
    refusal_note, decided_at";

/// A case as filed from a draft, before it has its number.
pub struct NewCase<'a> {
    pub applicant_id: i64,
    pub draft_id: i64,
    pub target_kind: &'a str,
    pub target_code: &'a str,
    pub bundle_version: Option<i64>,
    pub title_zh: &'a str,
    pub title_en: &'a str,
    pub status: &'a str,
    pub form_values: &'a str,
    pub identity_level: &'a str,
    pub credit_level: &'a str,
    pub credit_detail: &'a str,
    pub needs_front_desk: bool,
    /// Working days promised from acceptance to decision.
    pub promised_days: i64,
    pub accept_due_at: i64,
    pub filed_by: Option<i64>,
    pub centre_code: Option<&'a str>,
    pub now: i64,
}

/// What [`insert_submitted_case`] did.
#[derive(Debug)]
pub enum SubmittedCase {
    /// The case, numbered, and its draft linked to it.
    Filed {
        case: Box<CaseRow>,
        number: CaseNumber,
    },
    /// The draft was submitted, or changed, since the checks ([`DraftAsChecked`]): the case
    /// was written but must not be kept (the caller rolls back).
    DraftChanged,
}

/// Files a case from a draft in the caller's write transaction: takes the next case number of
/// `year` (never handed out twice or skipped by a rollback, as the counter is in the same
/// transaction), inserts the case under it and links the draft to it if the draft is still as
/// checked. One [`Batch`]: one round trip on SQLite, where a submission's time in the write
/// turn bounds the submissions per second. Fails with [`DbError::UniqueViolation`] when the
/// draft became a case meanwhile (`cases.draft_id` is unique).
pub async fn insert_submitted_case(
    conn: &mut AnyConnection,
    year: u32,
    case: NewCase<'_>,
    checked: &DraftAsChecked<'_>,
) -> DbResult<SubmittedCase> {
    let mut batch = Batch::for_connection(conn);
    batch
        .push(
            "INSERT INTO case_numbers (year, last) VALUES ($1, 1) \
             ON CONFLICT (year) DO UPDATE SET last = case_numbers.last + 1 RETURNING last",
        )
        .bind(i64::from(year));
    // The number as `CaseNumber::new` writes it, checked against it below: it is needed in
    // the same round trip as the serial it is made of.
    let serial = "(SELECT last FROM case_numbers WHERE year = $2)";
    let number = match batch.kind() {
        DbKind::Sqlite => format!("printf('%s-%d-%06d', $1, $2, {serial})"),
        DbKind::Postgres => format!("$1 || '-' || $2::text || '-' || lpad({serial}::text, 6, '0')"),
    };
    batch
        .push(&format!(
            "INSERT INTO cases (number, applicant_id, draft_id, target_kind, target_code, \
             bundle_version, title_zh, title_en, status, form_values, identity_level, \
             credit_level, credit_detail, needs_front_desk, submitted_at, updated_at, \
             waiting_since, promised_days, accept_due_at, filed_by, centre_code) \
             VALUES ({number}, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16, \
             $16, $17, $18, $19, $20) RETURNING {CASE_COLUMNS}"
        ))
        .bind(CASE_PREFIX)
        .bind(i64::from(year))
        .bind(case.applicant_id)
        .bind(case.draft_id)
        .bind(case.target_kind)
        .bind(case.target_code)
        .bind(case.bundle_version)
        .bind(case.title_zh)
        .bind(case.title_en)
        .bind(case.status)
        .bind(case.form_values)
        .bind(case.identity_level)
        .bind(case.credit_level)
        .bind(case.credit_detail)
        .bind(i64::from(case.needs_front_desk))
        .bind(case.now)
        .bind(case.promised_days)
        .bind(case.accept_due_at)
        .bind(case.filed_by)
        .bind(case.centre_code);
    push_draft_link(&mut batch, case.draft_id, None, checked);
    let rows = batch.fetch_rows(conn).await?;
    // By position: the serial, the case, and the draft's id if it was linked.
    let (Some(serial), Some(case_row)) = (rows.first(), rows.get(1)) else {
        return Err(unexpected("no serial or no case row"));
    };
    let serial: i64 = sqlx::Row::try_get(serial, 0)?;
    let case = CaseRow::from_row(case_row)?;
    let number = u32::try_from(serial)
        .ok()
        .and_then(|serial| CaseNumber::new(year, serial))
        .filter(|number| number.as_str() == case.number)
        .ok_or_else(|| {
            unexpected(&format!(
                "case number {} for serial {serial} of {year}",
                case.number
            ))
        })?;
    Ok(match rows.len() {
        3 => SubmittedCase::Filed {
            case: Box::new(case),
            number,
        },
        _ => SubmittedCase::DraftChanged,
    })
}

/// A result the statements cannot have given (a bug, or a serial beyond the number's six
/// digits).
fn unexpected(what: &str) -> DbError {
    DbError::Sqlx(sqlx::Error::Protocol(format!("filing a case: {what}")))
}

/// Records the item versions a case is filed under, in one statement of `batch`.
pub fn push_case_items(batch: &mut Batch, case_id: i64, items: &[(&str, i64)]) {
    if items.is_empty() {
        return;
    }
    let rows = super::rows_after_shared_first(items.len(), 2);
    batch
        .push(&format!(
            "INSERT INTO case_items (case_id, item_code, item_version) VALUES {rows}"
        ))
        .bind(case_id);
    for (item_code, item_version) in items {
        batch.bind(*item_code).bind(*item_version);
    }
}

/// The item versions a case was filed under, in code order.
pub async fn case_items(conn: &mut AnyConnection, case_id: i64) -> DbResult<Vec<(String, i64)>> {
    Ok(sqlx::query_as::<_, (String, i64)>(
        "SELECT item_code, item_version FROM case_items WHERE case_id = $1 ORDER BY item_code",
    )
    .bind(case_id)
    .fetch_all(conn)
    .await?)
}

pub async fn case_by_id(conn: &mut AnyConnection, case_id: i64) -> DbResult<Option<CaseRow>> {
    Ok(sqlx::query_as::<_, CaseRow>(sqlx::AssertSqlSafe(format!(
        "SELECT {CASE_COLUMNS} FROM cases WHERE id = $1"
    )))
    .bind(case_id)
    .fetch_optional(conn)
    .await?)
}

/// A case of this applicant by number (another applicant's case is not found).
pub async fn case_of(
    conn: &mut AnyConnection,
    applicant_id: i64,
    number: &str,
) -> DbResult<Option<CaseRow>> {
    Ok(sqlx::query_as::<_, CaseRow>(sqlx::AssertSqlSafe(format!(
        "SELECT {CASE_COLUMNS} FROM cases WHERE number = $1 AND applicant_id = $2"
    )))
    .bind(number)
    .bind(applicant_id)
    .fetch_optional(conn)
    .await?)
}

/// The applicant's cases, newest first.
pub async fn cases_of(conn: &mut AnyConnection, applicant_id: i64) -> DbResult<Vec<CaseRow>> {
    Ok(sqlx::query_as::<_, CaseRow>(sqlx::AssertSqlSafe(format!(
        "SELECT {CASE_COLUMNS} FROM cases WHERE applicant_id = $1 \
         ORDER BY submitted_at DESC, id DESC LIMIT 500"
    )))
    .bind(applicant_id)
    .fetch_all(conn)
    .await?)
}

/// Moves a case from `from` to `to`; false when it is no longer in `from` (someone else acted
/// first), so a transition happens once.
pub async fn transition(
    conn: &mut AnyConnection,
    case_id: i64,
    from: &str,
    to: &str,
    now: i64,
) -> DbResult<bool> {
    let result =
        sqlx::query("UPDATE cases SET status = $3, updated_at = $4 WHERE id = $1 AND status = $2")
            .bind(case_id)
            .bind(from)
            .bind(to)
            .bind(now)
            .execute(conn)
            .await?;
    Ok(result.rows_affected() == 1)
}

/// One step of a case's timeline.
#[derive(Debug, Clone, FromRow)]
pub struct EventRow {
    pub at: i64,
    pub kind: String,
    pub actor_role: String,
    pub note: Option<String>,
    pub deadline_at: Option<i64>,
}

pub struct NewEvent<'a> {
    pub case_id: i64,
    pub at: i64,
    pub kind: &'a str,
    pub actor_role: &'a str,
    pub actor_user_id: Option<i64>,
    pub note: Option<&'a str>,
    pub deadline_at: Option<i64>,
}

pub async fn insert_event(conn: &mut AnyConnection, event: NewEvent<'_>) -> DbResult<()> {
    Batch::run_now(conn, |batch| push_event(batch, event)).await
}

/// [`insert_event`] as one statement of `batch`.
pub fn push_event(batch: &mut Batch, event: NewEvent<'_>) {
    batch
        .push(
            "INSERT INTO case_events (case_id, at, kind, actor_role, actor_user_id, note, deadline_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(event.case_id)
        .bind(event.at)
        .bind(event.kind)
        .bind(event.actor_role)
        .bind(event.actor_user_id)
        .bind(event.note)
        .bind(event.deadline_at);
}

pub async fn events(conn: &mut AnyConnection, case_id: i64) -> DbResult<Vec<EventRow>> {
    Ok(sqlx::query_as::<_, EventRow>(
        "SELECT at, kind, actor_role, note, deadline_at FROM case_events WHERE case_id = $1 \
         ORDER BY at, id",
    )
    .bind(case_id)
    .fetch_all(conn)
    .await?)
}
