//! Licences aggregate: licences as issued (PDF, token, revocation), the approvals feed, the
//! delivery choice of a case, mail attachments and delivery attempts, inspection tasks and
//! visits, inspectors' streets, and API tokens.

use sqlx::{AnyConnection, FromRow};

use super::DbResult;

pub struct NewLicence<'a> {
    pub public_id: &'a str,
    pub licence_type: &'a str,
    pub number: &'a str,
    pub name_zh: &'a str,
    pub name_en: &'a str,
    pub case_id: i64,
    pub item_codes: &'a str,
    pub holder_name: &'a str,
    pub holder_person_id: &'a str,
    pub credit_code: Option<&'a str>,
    pub department_code: &'a str,
    pub valid_from: &'a str,
    pub valid_until: Option<&'a str>,
    pub content: &'a str,
    pub content_sha256: &'a str,
    pub token: &'a str,
    pub key_id: &'a str,
    pub pdf: &'a [u8],
    pub pdf_sha256: &'a str,
    pub now: i64,
}

pub async fn insert_licence(conn: &mut AnyConnection, licence: NewLicence<'_>) -> DbResult<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO licences (public_id, licence_type, number, name_zh, name_en, case_id, item_codes, \
         holder_name, holder_person_id, credit_code, department_code, valid_from, valid_until, content, \
         content_sha256, token, key_id, pdf, pdf_sha256, issued_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20) \
         RETURNING id",
    )
    .bind(licence.public_id)
    .bind(licence.licence_type)
    .bind(licence.number)
    .bind(licence.name_zh)
    .bind(licence.name_en)
    .bind(licence.case_id)
    .bind(licence.item_codes)
    .bind(licence.holder_name)
    .bind(licence.holder_person_id)
    .bind(licence.credit_code)
    .bind(licence.department_code)
    .bind(licence.valid_from)
    .bind(licence.valid_until)
    .bind(licence.content)
    .bind(licence.content_sha256)
    .bind(licence.token)
    .bind(licence.key_id)
    .bind(licence.pdf)
    .bind(licence.pdf_sha256)
    .bind(licence.now)
    .fetch_one(conn)
    .await?)
}

/// A licence without its PDF.
#[derive(Debug, Clone, FromRow)]
pub struct LicenceRow {
    pub id: i64,
    pub public_id: String,
    pub licence_type: String,
    pub number: String,
    pub name_zh: String,
    pub name_en: String,
    pub case_id: i64,
    pub item_codes: String,
    pub holder_name: String,
    pub holder_person_id: String,
    pub credit_code: Option<String>,
    pub department_code: String,
    pub valid_from: String,
    pub valid_until: Option<String>,
    pub content_sha256: String,
    pub token: String,
    pub pdf_sha256: String,
    pub issued_at: i64,
    pub revoked_at: Option<i64>,
    pub revoked_reason: Option<String>,
}

const LICENCE_COLUMNS: &str = "id, public_id, licence_type, number, name_zh, name_en, case_id, \
    item_codes, holder_name, holder_person_id, credit_code, department_code, valid_from, \
    valid_until, content_sha256, token, pdf_sha256, issued_at, revoked_at, revoked_reason";

pub async fn licences_of_case(conn: &mut AnyConnection, case_id: i64) -> DbResult<Vec<LicenceRow>> {
    Ok(sqlx::query_as::<_, LicenceRow>(sqlx::AssertSqlSafe(format!(
        "SELECT {LICENCE_COLUMNS} FROM licences WHERE case_id = $1 ORDER BY id"
    )))
    .bind(case_id)
    .fetch_all(conn)
    .await?)
}

pub async fn licence_by_number(
    conn: &mut AnyConnection,
    licence_type: &str,
    number: &str,
) -> DbResult<Option<LicenceRow>> {
    Ok(sqlx::query_as::<_, LicenceRow>(sqlx::AssertSqlSafe(format!(
        "SELECT {LICENCE_COLUMNS} FROM licences WHERE licence_type = $1 AND number = $2"
    )))
    .bind(licence_type)
    .bind(number)
    .fetch_optional(conn)
    .await?)
}

pub async fn licence_by_public_id(
    conn: &mut AnyConnection,
    public_id: &str,
) -> DbResult<Option<LicenceRow>> {
    Ok(sqlx::query_as::<_, LicenceRow>(sqlx::AssertSqlSafe(format!(
        "SELECT {LICENCE_COLUMNS} FROM licences WHERE public_id = $1"
    )))
    .bind(public_id)
    .fetch_optional(conn)
    .await?)
}

pub async fn licence_by_id(conn: &mut AnyConnection, id: i64) -> DbResult<LicenceRow> {
    Ok(sqlx::query_as::<_, LicenceRow>(sqlx::AssertSqlSafe(format!(
        "SELECT {LICENCE_COLUMNS} FROM licences WHERE id = $1"
    )))
    .bind(id)
    .fetch_one(conn)
    .await?)
}

pub async fn licence_by_pdf_sha256(
    conn: &mut AnyConnection,
    sha256: &str,
) -> DbResult<Option<LicenceRow>> {
    Ok(sqlx::query_as::<_, LicenceRow>(sqlx::AssertSqlSafe(format!(
        "SELECT {LICENCE_COLUMNS} FROM licences WHERE pdf_sha256 = $1"
    )))
    .bind(sha256)
    .fetch_optional(conn)
    .await?)
}

pub async fn licence_pdf(conn: &mut AnyConnection, id: i64) -> DbResult<Vec<u8>> {
    Ok(sqlx::query_scalar("SELECT pdf FROM licences WHERE id = $1")
        .bind(id)
        .fetch_one(conn)
        .await?)
}

/// Revokes a licence not yet revoked; false when it already was.
pub async fn revoke(
    conn: &mut AnyConnection,
    id: i64,
    reason: &str,
    by: Option<i64>,
    now: i64,
) -> DbResult<bool> {
    let done = sqlx::query(
        "UPDATE licences SET revoked_at = $2, revoked_reason = $3, revoked_by = $4 \
         WHERE id = $1 AND revoked_at IS NULL",
    )
    .bind(id)
    .bind(now)
    .bind(reason)
    .bind(by)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

// --- Approvals feed --------------------------------------------------------------------------

pub async fn append_feed(
    conn: &mut AnyConnection,
    case_id: i64,
    payload: &str,
    now: i64,
) -> DbResult<()> {
    sqlx::query("INSERT INTO approval_feed (case_id, payload, created_at) VALUES ($1, $2, $3)")
        .bind(case_id)
        .bind(payload)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn feed_after(
    conn: &mut AnyConnection,
    after_id: i64,
    limit: i64,
) -> DbResult<Vec<(i64, String)>> {
    Ok(sqlx::query_as::<_, (i64, String)>(
        "SELECT id, payload FROM approval_feed WHERE id > $1 ORDER BY id LIMIT $2",
    )
    .bind(after_id)
    .bind(limit)
    .fetch_all(conn)
    .await?)
}

// --- Delivery -------------------------------------------------------------------------------

#[derive(Debug, Clone, Default, FromRow)]
pub struct DeliveryRow {
    pub case_id: i64,
    pub mode: String,
    pub recipient_name: Option<String>,
    pub recipient_phone: Option<String>,
    pub address: Option<String>,
    pub pickup_centre: Option<String>,
    pub pickup_code: Option<String>,
    pub carrier: Option<String>,
    pub tracking_number: Option<String>,
    pub dispatched_at: Option<i64>,
    pub outcome: Option<String>,
    pub outcome_note: Option<String>,
    pub outcome_at: Option<i64>,
    pub picked_up_at: Option<i64>,
}

const DELIVERY_COLUMNS: &str = "case_id, mode, recipient_name, recipient_phone, address, \
    pickup_centre, pickup_code, carrier, tracking_number, dispatched_at, outcome, outcome_note, \
    outcome_at, picked_up_at";

pub async fn delivery(conn: &mut AnyConnection, case_id: i64) -> DbResult<Option<DeliveryRow>> {
    Ok(
        sqlx::query_as::<_, DeliveryRow>(sqlx::AssertSqlSafe(format!(
            "SELECT {DELIVERY_COLUMNS} FROM case_delivery WHERE case_id = $1"
        )))
        .bind(case_id)
        .fetch_optional(conn)
        .await?,
    )
}

pub struct Choice<'a> {
    pub case_id: i64,
    pub mode: &'a str,
    pub recipient_name: Option<&'a str>,
    pub recipient_phone: Option<&'a str>,
    pub address: Option<&'a str>,
    pub pickup_centre: Option<&'a str>,
    pub now: i64,
}

/// Records (or changes) the choice while nothing has been dispatched or picked up.
pub async fn choose_delivery(conn: &mut AnyConnection, choice: Choice<'_>) -> DbResult<bool> {
    let done = sqlx::query(
        "INSERT INTO case_delivery (case_id, mode, recipient_name, recipient_phone, address, \
         pickup_centre, chosen_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) \
         ON CONFLICT (case_id) DO UPDATE SET mode = $2, recipient_name = $3, recipient_phone = $4, \
         address = $5, pickup_centre = $6, updated_at = $7 \
         WHERE case_delivery.dispatched_at IS NULL AND case_delivery.picked_up_at IS NULL",
    )
    .bind(choice.case_id)
    .bind(choice.mode)
    .bind(choice.recipient_name)
    .bind(choice.recipient_phone)
    .bind(choice.address)
    .bind(choice.pickup_centre)
    .bind(choice.now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn set_pickup_code(
    conn: &mut AnyConnection,
    case_id: i64,
    code: &str,
    now: i64,
) -> DbResult<()> {
    sqlx::query("UPDATE case_delivery SET pickup_code = $2, updated_at = $3 WHERE case_id = $1")
        .bind(case_id)
        .bind(code)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn record_dispatch(
    conn: &mut AnyConnection,
    case_id: i64,
    carrier: &str,
    tracking_number: &str,
    by: i64,
    now: i64,
) -> DbResult<bool> {
    let done = sqlx::query(
        "UPDATE case_delivery SET carrier = $2, tracking_number = $3, dispatched_at = $5, \
         dispatched_by = $4, updated_at = $5 \
         WHERE case_id = $1 AND mode = 'courier' AND dispatched_at IS NULL",
    )
    .bind(case_id)
    .bind(carrier)
    .bind(tracking_number)
    .bind(by)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn record_outcome(
    conn: &mut AnyConnection,
    case_id: i64,
    outcome: &str,
    note: &str,
    by: i64,
    now: i64,
) -> DbResult<bool> {
    let done = sqlx::query(
        "UPDATE case_delivery SET outcome = $2, outcome_note = $3, outcome_by = $4, outcome_at = $5, \
         updated_at = $5 WHERE case_id = $1 AND mode = 'courier' AND dispatched_at IS NOT NULL \
         AND (outcome IS NULL OR outcome = 'failed')",
    )
    .bind(case_id)
    .bind(outcome)
    .bind(note)
    .bind(by)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// After a failed delivery: the parcel may be dispatched again.
pub async fn reopen_dispatch(conn: &mut AnyConnection, case_id: i64, now: i64) -> DbResult<()> {
    sqlx::query(
        "UPDATE case_delivery SET dispatched_at = NULL, updated_at = $2 \
         WHERE case_id = $1 AND outcome = 'failed'",
    )
    .bind(case_id)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Hands the paper over: only once, only at the chosen centre, only with the right code.
pub async fn record_pickup(
    conn: &mut AnyConnection,
    case_id: i64,
    centre_code: &str,
    code: &str,
    by: i64,
    now: i64,
) -> DbResult<bool> {
    let done = sqlx::query(
        "UPDATE case_delivery SET picked_up_at = $5, picked_up_by = $4, updated_at = $5 \
         WHERE case_id = $1 AND mode = 'pickup' AND pickup_centre = $2 AND pickup_code = $3 \
         AND picked_up_at IS NULL",
    )
    .bind(case_id)
    .bind(centre_code)
    .bind(code)
    .bind(by)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The case waiting for pickup with this code (any centre; the caller checks which).
pub async fn case_of_pickup_code(conn: &mut AnyConnection, code: &str) -> DbResult<Option<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT case_id FROM case_delivery WHERE mode = 'pickup' AND pickup_code = $1",
    )
    .bind(code)
    .fetch_optional(conn)
    .await?)
}

/// Cases with paper to send or hand over, for the front desk (oldest first).
#[derive(Debug, Clone, FromRow)]
pub struct PaperRow {
    pub case_id: i64,
    pub number: String,
    pub title_zh: String,
    pub title_en: String,
    pub mode: String,
    pub address: Option<String>,
    pub recipient_name: Option<String>,
    pub pickup_centre: Option<String>,
    pub carrier: Option<String>,
    pub tracking_number: Option<String>,
    pub dispatched_at: Option<i64>,
    pub outcome: Option<String>,
    pub picked_up_at: Option<i64>,
    pub updated_at: i64,
}

pub async fn paper_queue(conn: &mut AnyConnection, limit: i64) -> DbResult<Vec<PaperRow>> {
    Ok(sqlx::query_as::<_, PaperRow>(
        "SELECT d.case_id, c.number, c.title_zh, c.title_en, d.mode, d.address, d.recipient_name, \
         d.pickup_centre, d.carrier, d.tracking_number, d.dispatched_at, d.outcome, d.picked_up_at, \
         d.updated_at FROM case_delivery d JOIN cases c ON c.id = d.case_id \
         WHERE c.status = 'issued' AND d.mode <> 'electronic' \
         ORDER BY d.updated_at, d.case_id LIMIT $1",
    )
    .bind(limit)
    .fetch_all(conn)
    .await?)
}

// --- Mail attachments and attempts ------------------------------------------------------------

pub async fn attach(
    conn: &mut AnyConnection,
    outbox_id: i64,
    position: i64,
    filename: &str,
    licence_id: i64,
) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO outbox_attachments (outbox_id, position, filename, licence_id) \
         VALUES ($1, $2, $3, $4)",
    )
    .bind(outbox_id)
    .bind(position)
    .bind(filename)
    .bind(licence_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// The attachments of a message: file name and PDF bytes.
pub async fn attachments(
    conn: &mut AnyConnection,
    outbox_id: i64,
) -> DbResult<Vec<(String, Vec<u8>)>> {
    Ok(sqlx::query_as::<_, (String, Vec<u8>)>(
        "SELECT a.filename, l.pdf FROM outbox_attachments a JOIN licences l ON l.id = a.licence_id \
         WHERE a.outbox_id = $1 ORDER BY a.position",
    )
    .bind(outbox_id)
    .fetch_all(conn)
    .await?)
}

// --- Inspectors and inspections ----------------------------------------------------------------

pub async fn add_inspector_street(
    conn: &mut AnyConnection,
    user_id: i64,
    centre_code: &str,
) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO inspector_streets (user_id, centre_code) VALUES ($1, $2) \
         ON CONFLICT (user_id, centre_code) DO NOTHING",
    )
    .bind(user_id)
    .bind(centre_code)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn inspector_streets(conn: &mut AnyConnection, user_id: i64) -> DbResult<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT centre_code FROM inspector_streets WHERE user_id = $1 ORDER BY centre_code",
    )
    .bind(user_id)
    .fetch_all(conn)
    .await?)
}

/// Whether one of the inspector's streets holds an inspection task of `licence_id`.
pub async fn inspects_licence(
    conn: &mut AnyConnection,
    inspector_id: i64,
    licence_id: i64,
) -> DbResult<bool> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT t.id FROM inspection_tasks t JOIN inspector_streets s \
         ON s.centre_code = t.street_code WHERE t.licence_id = $1 AND s.user_id = $2 LIMIT 1",
    )
    .bind(licence_id)
    .bind(inspector_id)
    .fetch_optional(conn)
    .await?;
    Ok(found.is_some())
}

pub struct NewInspection<'a> {
    pub public_id: &'a str,
    pub licence_id: i64,
    pub case_id: i64,
    pub street_code: &'a str,
    pub due_on: &'a str,
    pub now: i64,
}

pub async fn insert_inspection(conn: &mut AnyConnection, task: NewInspection<'_>) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO inspection_tasks (public_id, licence_id, case_id, street_code, status, due_on, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, 'open', $5, $6, $6)",
    )
    .bind(task.public_id)
    .bind(task.licence_id)
    .bind(task.case_id)
    .bind(task.street_code)
    .bind(task.due_on)
    .bind(task.now)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, FromRow)]
pub struct InspectionRow {
    pub id: i64,
    pub public_id: String,
    pub licence_id: i64,
    pub case_id: i64,
    pub street_code: String,
    pub status: String,
    pub due_on: String,
    pub rectify_by: Option<String>,
    pub created_at: i64,
    pub licence_number: String,
    pub licence_name_zh: String,
    pub licence_name_en: String,
    pub holder_name: String,
    pub case_number: String,
}

const INSPECTION_SELECT: &str = "SELECT t.id, t.public_id, t.licence_id, t.case_id, t.street_code, \
    t.status, t.due_on, t.rectify_by, t.created_at, l.number AS licence_number, \
    l.name_zh AS licence_name_zh, l.name_en AS licence_name_en, l.holder_name, c.number AS case_number \
    FROM inspection_tasks t JOIN licences l ON l.id = t.licence_id JOIN cases c ON c.id = t.case_id";

/// Open and rectifying tasks of the inspector's streets, most urgent first.
pub async fn inspection_queue(
    conn: &mut AnyConnection,
    inspector_id: i64,
    limit: i64,
) -> DbResult<Vec<InspectionRow>> {
    Ok(
        sqlx::query_as::<_, InspectionRow>(sqlx::AssertSqlSafe(format!(
            "{INSPECTION_SELECT} WHERE t.status IN ('open', 'rectifying') AND t.street_code IN \
         (SELECT centre_code FROM inspector_streets WHERE user_id = $1) \
         ORDER BY COALESCE(t.rectify_by, t.due_on), t.id LIMIT $2"
        )))
        .bind(inspector_id)
        .bind(limit)
        .fetch_all(conn)
        .await?,
    )
}

pub async fn inspection(
    conn: &mut AnyConnection,
    public_id: &str,
) -> DbResult<Option<InspectionRow>> {
    Ok(
        sqlx::query_as::<_, InspectionRow>(sqlx::AssertSqlSafe(format!(
            "{INSPECTION_SELECT} WHERE t.public_id = $1"
        )))
        .bind(public_id)
        .fetch_optional(conn)
        .await?,
    )
}

pub async fn inspections_of_case(
    conn: &mut AnyConnection,
    case_id: i64,
) -> DbResult<Vec<InspectionRow>> {
    Ok(
        sqlx::query_as::<_, InspectionRow>(sqlx::AssertSqlSafe(format!(
            "{INSPECTION_SELECT} WHERE t.case_id = $1 ORDER BY t.id"
        )))
        .bind(case_id)
        .fetch_all(conn)
        .await?,
    )
}

/// Moves a task from `from` to `to` (compare-and-set); false when it moved meanwhile.
pub async fn move_inspection(
    conn: &mut AnyConnection,
    task_id: i64,
    from: &str,
    to: &str,
    rectify_by: Option<&str>,
    now: i64,
) -> DbResult<bool> {
    let done = sqlx::query(
        "UPDATE inspection_tasks SET status = $3, rectify_by = COALESCE($4, rectify_by), updated_at = $5 \
         WHERE id = $1 AND status = $2",
    )
    .bind(task_id)
    .bind(from)
    .bind(to)
    .bind(rectify_by)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub struct NewVisit<'a> {
    pub task_id: i64,
    pub inspector_id: i64,
    pub outcome: &'a str,
    pub findings: &'a str,
    pub rectify_by: Option<&'a str>,
    pub now: i64,
}

pub async fn insert_visit(conn: &mut AnyConnection, visit: NewVisit<'_>) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO inspection_visits (task_id, inspector_id, outcome, findings, rectify_by, visited_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(visit.task_id)
    .bind(visit.inspector_id)
    .bind(visit.outcome)
    .bind(visit.findings)
    .bind(visit.rectify_by)
    .bind(visit.now)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, FromRow)]
pub struct VisitRow {
    pub outcome: String,
    pub findings: String,
    pub rectify_by: Option<String>,
    pub visited_at: i64,
    pub inspector_name: String,
}

pub async fn visits(conn: &mut AnyConnection, task_id: i64) -> DbResult<Vec<VisitRow>> {
    Ok(sqlx::query_as::<_, VisitRow>(
        "SELECT v.outcome, v.findings, v.rectify_by, v.visited_at, u.display_name AS inspector_name \
         FROM inspection_visits v JOIN users u ON u.id = v.inspector_id \
         WHERE v.task_id = $1 ORDER BY v.visited_at, v.id",
    )
    .bind(task_id)
    .fetch_all(conn)
    .await?)
}

// --- API tokens --------------------------------------------------------------------------------

pub async fn insert_api_token(
    conn: &mut AnyConnection,
    name: &str,
    token_sha256: &str,
    scope: &str,
    created_by: Option<i64>,
    now: i64,
) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO api_tokens (name, token_sha256, scope, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(name)
    .bind(token_sha256)
    .bind(scope)
    .bind(created_by)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// The token's id when it exists, is not revoked and has `scope`; marks it used.
pub async fn use_api_token(
    conn: &mut AnyConnection,
    token_sha256: &str,
    scope: &str,
    now: i64,
) -> DbResult<Option<i64>> {
    Ok(sqlx::query_scalar(
        "UPDATE api_tokens SET last_used_at = $3 \
         WHERE token_sha256 = $1 AND scope = $2 AND revoked_at IS NULL RETURNING id",
    )
    .bind(token_sha256)
    .bind(scope)
    .bind(now)
    .fetch_optional(conn)
    .await?)
}

// --- Centres ------------------------------------------------------------------------------------

/// Every service centre: code, names, level and address (pickup places, streets).
#[derive(Debug, Clone, FromRow)]
pub struct CentrePlace {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub level: String,
    pub address_zh: String,
}

pub async fn centres(conn: &mut AnyConnection) -> DbResult<Vec<CentrePlace>> {
    Ok(sqlx::query_as::<_, CentrePlace>(
        "SELECT code, name_zh, name_en, level, address_zh FROM service_centres ORDER BY code",
    )
    .fetch_all(conn)
    .await?)
}
