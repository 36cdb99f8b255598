//! Back-office storage: the front-desk queue and claims, acceptance and refusal, approval tasks,
//! correction notices, documents issued, deadline extensions and the working-day calendar.
//! Every state change is a compare-and-set on the expected state, so of two racing requests
//! exactly one changes anything.

use sqlx::{AnyConnection, FromRow};

use super::cases::{CASE_COLUMNS, CaseRow};
use super::{Batch, DbResult};

/// A value bound to a dynamically built query.
enum Bind {
    Int(i64),
    Text(String),
}

/// Builds a query with `$n` placeholders (both databases read them) from optional filters.
struct Filters {
    conditions: Vec<String>,
    binds: Vec<Bind>,
}

impl Filters {
    fn new() -> Self {
        Self {
            conditions: Vec::new(),
            binds: Vec::new(),
        }
    }

    fn next(&self) -> usize {
        self.binds.len() + 1
    }

    /// Adds a condition whose `{}` placeholders each take the next bind.
    fn push(&mut self, template: &str, binds: Vec<Bind>) {
        let mut sql = String::new();
        let mut parts = template.split("{}");
        if let Some(first) = parts.next() {
            sql.push_str(first);
        }
        for (number, part) in (self.next()..).zip(parts) {
            sql.push_str(&format!("${number}"));
            sql.push_str(part);
        }
        self.conditions.push(sql);
        self.binds.extend(binds);
    }

    fn where_clause(&self) -> String {
        if self.conditions.is_empty() {
            String::new()
        } else {
            format!(" AND {}", self.conditions.join(" AND "))
        }
    }

    fn bind_all<'q, O>(
        self,
        mut query: sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments>,
    ) -> sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments> {
        for bind in self.binds {
            query = match bind {
                Bind::Int(value) => query.bind(value),
                Bind::Text(value) => query.bind(value),
            };
        }
        query
    }
}

/// Filters of the front-desk queue; every one is optional.
#[derive(Debug, Clone, Default)]
pub struct DeskFilter {
    pub item_code: Option<String>,
    pub department_code: Option<String>,
    pub centre_code: Option<String>,
    /// Only cases waiting since before this instant.
    pub waiting_since_before: Option<i64>,
    /// Only cases whose acceptance is due before this instant.
    pub accept_due_before: Option<i64>,
    pub credit_warning: bool,
    pub identity_review_pending: bool,
}

/// One row of the front-desk queue.
#[derive(Debug, Clone, FromRow)]
pub struct DeskQueueRow {
    pub id: i64,
    pub number: String,
    pub title_zh: String,
    pub title_en: String,
    pub status: String,
    pub waiting_since: i64,
    pub accept_due_at: Option<i64>,
    pub credit_level: String,
    pub claimed_by: Option<i64>,
    pub claimed_by_name: Option<String>,
    pub claim_expires_at: Option<i64>,
    pub filed_by: Option<i64>,
    pub identity_level: String,
    pub identity_review_pending: i64,
}

const PENDING_PERSON_CHECK: &str = "EXISTS (SELECT 1 FROM person_checks pc \
    WHERE pc.user_id = c.applicant_id AND pc.status = 'pending')";

/// The front-desk queue, oldest first, `limit` rows after the keyset `after` (waiting since,
/// case id).
pub async fn desk_queue(
    conn: &mut AnyConnection,
    kind: super::DbKind,
    filter: &DeskFilter,
    after: Option<(i64, i64)>,
    limit: i64,
) -> DbResult<Vec<DeskQueueRow>> {
    let mut filters = Filters::new();
    if let Some((since, id)) = after {
        filters.push(
            "(c.waiting_since > {} OR (c.waiting_since = {} AND c.id > {}))",
            vec![Bind::Int(since), Bind::Int(since), Bind::Int(id)],
        );
    }
    if let Some(item) = &filter.item_code {
        // A set the planner may drive from (an item's cases) or probe, whichever is cheaper.
        filters.push(
            "c.id IN (SELECT ci.case_id FROM case_items ci WHERE ci.item_code = {})",
            vec![Bind::Text(item.clone())],
        );
    }
    if let Some(department) = &filter.department_code {
        // Departments are few and each has many cases: walk the queue in order and probe.
        filters.push(
            "EXISTS (SELECT 1 FROM case_departments cd WHERE cd.case_id = c.id \
             AND cd.department_code = {})",
            vec![Bind::Text(department.clone())],
        );
    }
    if let Some(centre) = &filter.centre_code {
        filters.push("c.centre_code = {}", vec![Bind::Text(centre.clone())]);
    }
    if let Some(before) = filter.waiting_since_before {
        filters.push("c.waiting_since < {}", vec![Bind::Int(before)]);
    }
    if let Some(before) = filter.accept_due_before {
        filters.push("c.accept_due_at < {}", vec![Bind::Int(before)]);
    }
    if filter.credit_warning {
        filters.push("c.credit_level <> 'clear'", Vec::new());
    }
    if filter.identity_review_pending {
        filters.push(PENDING_PERSON_CHECK, Vec::new());
    }
    let limit_param = filters.next();
    // Without a set to drive from, walk the queue's partial index in order and stop after one
    // page; SQLite's planner otherwise prefers the status index and sorts the whole queue.
    let hint = if kind == super::DbKind::Sqlite && filter.item_code.is_none() {
        " INDEXED BY cases_desk_queue"
    } else {
        ""
    };
    let sql = format!(
        "SELECT c.id, c.number, c.title_zh, c.title_en, c.status, c.waiting_since, c.accept_due_at, \
         c.credit_level, c.claimed_by, u.display_name AS claimed_by_name, c.claim_expires_at, \
         c.filed_by, c.identity_level, \
         CASE WHEN {PENDING_PERSON_CHECK} THEN 1 ELSE 0 END AS identity_review_pending \
         FROM cases c{hint} LEFT JOIN users u ON u.id = c.claimed_by \
         WHERE c.status IN ('submitted', 'resubmitted'){} \
         ORDER BY c.waiting_since, c.id LIMIT ${limit_param}",
        filters.where_clause()
    );
    let query = filters.bind_all(sqlx::query_as::<_, DeskQueueRow>(sqlx::AssertSqlSafe(sql)));
    Ok(query.bind(limit).fetch_all(conn).await?)
}

/// Claims a waiting case for `worker` until `expires_at`: succeeds when it is unclaimed, the
/// claim ran out, or the worker holds it already (renewal).
pub async fn claim(
    conn: &mut AnyConnection,
    case_id: i64,
    worker: i64,
    now: i64,
    expires_at: i64,
) -> DbResult<bool> {
    let result = sqlx::query(
        "UPDATE cases SET claimed_by = $2, claim_expires_at = $4 \
         WHERE id = $1 AND status IN ('submitted', 'resubmitted') \
         AND (claimed_by IS NULL OR claimed_by = $2 OR claim_expires_at <= $3)",
    )
    .bind(case_id)
    .bind(worker)
    .bind(now)
    .bind(expires_at)
    .execute(conn)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Gives a claim back; false when the worker did not hold it.
pub async fn release(conn: &mut AnyConnection, case_id: i64, worker: i64) -> DbResult<bool> {
    let result = sqlx::query(
        "UPDATE cases SET claimed_by = NULL, claim_expires_at = NULL \
         WHERE id = $1 AND claimed_by = $2",
    )
    .bind(case_id)
    .bind(worker)
    .execute(conn)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Moves a claimed case from `from` to `to` if `worker` still holds an unexpired claim on it,
/// and gives the claim back. False when anything changed meanwhile.
pub async fn desk_transition(
    conn: &mut AnyConnection,
    case_id: i64,
    from: &str,
    to: &str,
    worker: i64,
    now: i64,
) -> DbResult<bool> {
    let result = sqlx::query(
        "UPDATE cases SET status = $3, updated_at = $5, claimed_by = NULL, claim_expires_at = NULL \
         WHERE id = $1 AND status = $2 AND claimed_by = $4 AND claim_expires_at > $5",
    )
    .bind(case_id)
    .bind(from)
    .bind(to)
    .bind(worker)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// What acceptance records on the case.
pub struct Acceptance<'a> {
    pub acceptance_number: &'a str,
    pub accepted_by: Option<i64>,
    pub centre_code: Option<&'a str>,
    pub deadline_on: &'a str,
    pub deadline_at: i64,
    pub now: i64,
}

pub async fn record_acceptance(
    conn: &mut AnyConnection,
    case_id: i64,
    acceptance: Acceptance<'_>,
) -> DbResult<()> {
    sqlx::query(
        "UPDATE cases SET acceptance_number = $2, accepted_at = $3, accepted_by = $4, \
         centre_code = COALESCE($5, centre_code), deadline_on = $6, deadline_at = $7 WHERE id = $1",
    )
    .bind(case_id)
    .bind(acceptance.acceptance_number)
    .bind(acceptance.now)
    .bind(acceptance.accepted_by)
    .bind(acceptance.centre_code)
    .bind(acceptance.deadline_on)
    .bind(acceptance.deadline_at)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn record_refusal(
    conn: &mut AnyConnection,
    case_id: i64,
    reason: &str,
    note: &str,
    now: i64,
) -> DbResult<()> {
    sqlx::query(
        "UPDATE cases SET refusal_reason = $2, refusal_note = $3, decided_at = $4 WHERE id = $1",
    )
    .bind(case_id)
    .bind(reason)
    .bind(note)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn record_decision(conn: &mut AnyConnection, case_id: i64, now: i64) -> DbResult<()> {
    sqlx::query("UPDATE cases SET decided_at = $2 WHERE id = $1")
        .bind(case_id)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(())
}

/// The applicant's corrected values go in and the case rejoins the queue, if it was still
/// returned.
pub async fn resubmit(
    conn: &mut AnyConnection,
    case_id: i64,
    form_values: &str,
    now: i64,
) -> DbResult<bool> {
    let result = sqlx::query(
        "UPDATE cases SET status = 'resubmitted', form_values = $2, waiting_since = $3, \
         updated_at = $3 WHERE id = $1 AND status = 'returned'",
    )
    .bind(case_id)
    .bind(form_values)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Stops the case clock (first supplement request); false when it is stopped already.
pub async fn pause_clock(conn: &mut AnyConnection, case_id: i64, now: i64) -> DbResult<bool> {
    let result = sqlx::query(
        "UPDATE cases SET clock_paused_at = $2 WHERE id = $1 AND clock_paused_at IS NULL",
    )
    .bind(case_id)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Restarts the case clock with its moved deadline; false when it was not stopped.
pub async fn resume_clock(
    conn: &mut AnyConnection,
    case_id: i64,
    deadline_on: &str,
    deadline_at: i64,
) -> DbResult<bool> {
    let result = sqlx::query(
        "UPDATE cases SET clock_paused_at = NULL, deadline_on = $2, deadline_at = $3 \
         WHERE id = $1 AND clock_paused_at IS NOT NULL",
    )
    .bind(case_id)
    .bind(deadline_on)
    .bind(deadline_at)
    .execute(conn)
    .await?;
    Ok(result.rows_affected() == 1)
}

pub async fn set_case_deadline(
    conn: &mut AnyConnection,
    case_id: i64,
    deadline_on: &str,
    deadline_at: i64,
) -> DbResult<()> {
    sqlx::query("UPDATE cases SET deadline_on = $2, deadline_at = $3 WHERE id = $1")
        .bind(case_id)
        .bind(deadline_on)
        .bind(deadline_at)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn case_by_number(conn: &mut AnyConnection, number: &str) -> DbResult<Option<CaseRow>> {
    Ok(sqlx::query_as::<_, CaseRow>(sqlx::AssertSqlSafe(format!(
        "SELECT {CASE_COLUMNS} FROM cases WHERE number = $1"
    )))
    .bind(number)
    .fetch_optional(conn)
    .await?)
}

/// Records the departments that decide a case, in one statement of `batch`.
pub fn push_case_departments(batch: &mut Batch, case_id: i64, department_codes: &[&str]) {
    if department_codes.is_empty() {
        return;
    }
    let rows = super::rows_after_shared_first(department_codes.len(), 1);
    batch
        .push(&format!(
            "INSERT INTO case_departments (case_id, department_code) VALUES {rows}"
        ))
        .bind(case_id);
    for department_code in department_codes {
        batch.bind(*department_code);
    }
}

/// The next serial of a numbered document kind in `year`, inside the caller's transaction.
pub async fn next_serial(conn: &mut AnyConnection, name: &str, year: i64) -> DbResult<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO serial_counters (name, year, last) VALUES ($1, $2, 1) \
         ON CONFLICT (name, year) DO UPDATE SET last = serial_counters.last + 1 RETURNING last",
    )
    .bind(name)
    .bind(year)
    .fetch_one(conn)
    .await?)
}

/// Who made the latest step of a case, and when: for "already decided by … at …".
#[derive(Debug, Clone, FromRow)]
pub struct LastStep {
    pub kind: String,
    pub at: i64,
    pub actor_role: String,
    pub actor_name: Option<String>,
}

pub async fn last_step(conn: &mut AnyConnection, case_id: i64) -> DbResult<Option<LastStep>> {
    Ok(sqlx::query_as::<_, LastStep>(
        "SELECT e.kind, e.at, e.actor_role, u.display_name AS actor_name \
         FROM case_events e LEFT JOIN users u ON u.id = e.actor_user_id \
         WHERE e.case_id = $1 ORDER BY e.at DESC, e.id DESC LIMIT 1",
    )
    .bind(case_id)
    .fetch_optional(conn)
    .await?)
}

// --- Approval tasks -------------------------------------------------------------------------

#[derive(Debug, Clone, FromRow)]
pub struct TaskRow {
    pub id: i64,
    pub public_id: String,
    pub case_id: i64,
    pub department_code: String,
    pub status: String,
    pub promised_days: i64,
    pub due_on: String,
    pub due_at: i64,
    pub paused_at: Option<i64>,
    pub supplement_request: Option<String>,
    pub opinion: Option<String>,
    pub decided_by: Option<i64>,
    pub decided_by_name: Option<String>,
    pub decided_at: Option<i64>,
    pub created_at: i64,
}

const TASK_SELECT: &str = "SELECT t.id, t.public_id, t.case_id, t.department_code, t.status, \
    t.promised_days, t.due_on, t.due_at, t.paused_at, t.supplement_request, t.opinion, \
    t.decided_by, u.display_name AS decided_by_name, t.decided_at, t.created_at \
    FROM approval_tasks t LEFT JOIN users u ON u.id = t.decided_by";

pub struct NewTask<'a> {
    pub public_id: &'a str,
    pub case_id: i64,
    pub department_code: &'a str,
    pub promised_days: i64,
    pub due_on: &'a str,
    pub due_at: i64,
    pub now: i64,
}

pub async fn insert_task(conn: &mut AnyConnection, task: NewTask<'_>) -> DbResult<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO approval_tasks (public_id, case_id, department_code, status, promised_days, \
         due_on, due_at, created_at, updated_at) VALUES ($1, $2, $3, 'open', $4, $5, $6, $7, $7) \
         RETURNING id",
    )
    .bind(task.public_id)
    .bind(task.case_id)
    .bind(task.department_code)
    .bind(task.promised_days)
    .bind(task.due_on)
    .bind(task.due_at)
    .bind(task.now)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO pending_task_items (task_id, item_code, department_code, due_at) \
         SELECT $1, item_code, $2, $3 FROM case_items WHERE case_id = $4",
    )
    .bind(id)
    .bind(task.department_code)
    .bind(task.due_at)
    .bind(task.case_id)
    .execute(conn)
    .await?;
    Ok(id)
}

/// Drops a task from the item-filtered queues once it is decided or closed.
async fn forget_pending(conn: &mut AnyConnection, task_id: i64) -> DbResult<()> {
    sqlx::query("DELETE FROM pending_task_items WHERE task_id = $1")
        .bind(task_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Moves a pending task's due date in the item-filtered queues too.
async fn move_pending(conn: &mut AnyConnection, task_id: i64, due_at: i64) -> DbResult<()> {
    sqlx::query("UPDATE pending_task_items SET due_at = $2 WHERE task_id = $1")
        .bind(task_id)
        .bind(due_at)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn tasks_of_case(conn: &mut AnyConnection, case_id: i64) -> DbResult<Vec<TaskRow>> {
    Ok(sqlx::query_as::<_, TaskRow>(sqlx::AssertSqlSafe(format!(
        "{TASK_SELECT} WHERE t.case_id = $1 ORDER BY t.department_code"
    )))
    .bind(case_id)
    .fetch_all(conn)
    .await?)
}

pub async fn task_by_public_id(
    conn: &mut AnyConnection,
    public_id: &str,
) -> DbResult<Option<TaskRow>> {
    Ok(sqlx::query_as::<_, TaskRow>(sqlx::AssertSqlSafe(format!(
        "{TASK_SELECT} WHERE t.public_id = $1"
    )))
    .bind(public_id)
    .fetch_optional(conn)
    .await?)
}

/// A decision on a task, applied only if the task is still in `from`.
pub struct TaskDecision<'a> {
    pub from: &'a str,
    pub to: &'a str,
    pub opinion: Option<&'a str>,
    pub decided_by: Option<i64>,
    pub now: i64,
}

pub async fn decide_task(
    conn: &mut AnyConnection,
    task_id: i64,
    decision: TaskDecision<'_>,
) -> DbResult<bool> {
    let result = sqlx::query(
        "UPDATE approval_tasks SET status = $3, opinion = $4, decided_by = $5, decided_at = $6, \
         updated_at = $6 WHERE id = $1 AND status = $2",
    )
    .bind(task_id)
    .bind(decision.from)
    .bind(decision.to)
    .bind(decision.opinion)
    .bind(decision.decided_by)
    .bind(decision.now)
    .execute(&mut *conn)
    .await?;
    let decided = result.rows_affected() == 1;
    if decided && !TaskStatusCode::is_pending(decision.to) {
        forget_pending(conn, task_id).await?;
    }
    Ok(decided)
}

/// Task status codes as stored.
struct TaskStatusCode;

impl TaskStatusCode {
    fn is_pending(code: &str) -> bool {
        matches!(code, "open" | "supplement")
    }
}

/// Pauses an open task for a supplement from the applicant.
pub async fn request_supplement(
    conn: &mut AnyConnection,
    task_id: i64,
    request: &str,
    now: i64,
) -> DbResult<bool> {
    let result = sqlx::query(
        "UPDATE approval_tasks SET status = 'supplement', supplement_request = $2, paused_at = $3, \
         updated_at = $3 WHERE id = $1 AND status = 'open'",
    )
    .bind(task_id)
    .bind(request)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Reopens a paused task with its moved due date.
pub async fn resume_task(
    conn: &mut AnyConnection,
    task_id: i64,
    due_on: &str,
    due_at: i64,
    now: i64,
) -> DbResult<bool> {
    let result = sqlx::query(
        "UPDATE approval_tasks SET status = 'open', paused_at = NULL, due_on = $2, due_at = $3, \
         updated_at = $4 WHERE id = $1 AND status = 'supplement'",
    )
    .bind(task_id)
    .bind(due_on)
    .bind(due_at)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    let resumed = result.rows_affected() == 1;
    if resumed {
        move_pending(conn, task_id, due_at).await?;
    }
    Ok(resumed)
}

pub async fn set_task_due(
    conn: &mut AnyConnection,
    task_id: i64,
    due_on: &str,
    due_at: i64,
) -> DbResult<()> {
    sqlx::query("UPDATE approval_tasks SET due_on = $2, due_at = $3 WHERE id = $1")
        .bind(task_id)
        .bind(due_on)
        .bind(due_at)
        .execute(&mut *conn)
        .await?;
    move_pending(conn, task_id, due_at).await
}

/// Closes every still-pending task of a case as moot (another department rejected it).
pub async fn close_pending_tasks(
    conn: &mut AnyConnection,
    case_id: i64,
    now: i64,
) -> DbResult<u64> {
    let result = sqlx::query(
        "UPDATE approval_tasks SET status = 'moot', paused_at = NULL, decided_at = $2, \
         updated_at = $2 WHERE case_id = $1 AND status IN ('open', 'supplement')",
    )
    .bind(case_id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "DELETE FROM pending_task_items WHERE task_id IN \
         (SELECT id FROM approval_tasks WHERE case_id = $1 AND status = 'moot')",
    )
    .bind(case_id)
    .execute(conn)
    .await?;
    Ok(result.rows_affected())
}

/// Filters of an approver queue.
#[derive(Debug, Clone, Default)]
pub struct TaskFilter {
    pub item_code: Option<String>,
    /// Only tasks due before this instant (due soon, overdue).
    pub due_before: Option<i64>,
    /// Only tasks waiting for the applicant, or only those waiting for the department.
    pub status: Option<String>,
}

#[derive(Debug, Clone, FromRow)]
pub struct TaskQueueRow {
    pub id: i64,
    pub public_id: String,
    pub status: String,
    pub due_on: String,
    pub due_at: i64,
    pub created_at: i64,
    pub number: String,
    pub title_zh: String,
    pub title_en: String,
    pub acceptance_number: Option<String>,
}

/// A department's pending tasks, most urgent first, after the keyset (due at, task id). With
/// an item filter the walk runs over `pending_task_items` (department, item, due order), one
/// index range however many cases the item has.
pub async fn task_queue(
    conn: &mut AnyConnection,
    department_code: &str,
    filter: &TaskFilter,
    after: Option<(i64, i64)>,
    limit: i64,
) -> DbResult<Vec<TaskQueueRow>> {
    let mut filters = Filters::new();
    // The columns that order the walk: the task's, or its item rows' (equal by construction).
    let (from, due, id) = match &filter.item_code {
        Some(item) => {
            filters.push(
                "p.department_code = {} AND p.item_code = {}",
                vec![
                    Bind::Text(department_code.to_owned()),
                    Bind::Text(item.clone()),
                ],
            );
            (
                "pending_task_items p JOIN approval_tasks t ON t.id = p.task_id",
                "p.due_at",
                "p.task_id",
            )
        }
        None => {
            filters.push(
                "t.department_code = {}",
                vec![Bind::Text(department_code.to_owned())],
            );
            ("approval_tasks t", "t.due_at", "t.id")
        }
    };
    if let Some((after_due, after_id)) = after {
        filters.push(
            &format!("({due} > {{}} OR ({due} = {{}} AND {id} > {{}}))"),
            vec![
                Bind::Int(after_due),
                Bind::Int(after_due),
                Bind::Int(after_id),
            ],
        );
    }
    if let Some(before) = filter.due_before {
        filters.push(&format!("{due} < {{}}"), vec![Bind::Int(before)]);
    }
    if let Some(status) = &filter.status {
        filters.push("t.status = {}", vec![Bind::Text(status.clone())]);
    }
    let limit_param = filters.next();
    let sql = format!(
        "SELECT t.id, t.public_id, t.status, t.due_on, t.due_at, t.created_at, c.number, \
         c.title_zh, c.title_en, c.acceptance_number \
         FROM {from} JOIN cases c ON c.id = t.case_id \
         WHERE t.status IN ('open', 'supplement'){} \
         ORDER BY {due}, {id} LIMIT ${limit_param}",
        filters.where_clause()
    );
    let query = filters.bind_all(sqlx::query_as::<_, TaskQueueRow>(sqlx::AssertSqlSafe(sql)));
    Ok(query.bind(limit).fetch_all(conn).await?)
}

// --- Correction notices ---------------------------------------------------------------------

#[derive(Debug, Clone, FromRow)]
pub struct NoticeRow {
    pub id: i64,
    pub case_id: i64,
    pub round: i64,
    pub issued_by: i64,
    pub issued_at: i64,
    pub answered_at: Option<i64>,
    pub changed_names: Option<String>,
}

#[derive(Debug, Clone, FromRow)]
pub struct NoticeItemRow {
    pub kind: String,
    pub name: String,
    pub problem: String,
    pub clause: String,
}

pub async fn insert_notice(
    conn: &mut AnyConnection,
    case_id: i64,
    round: i64,
    issued_by: i64,
    now: i64,
) -> DbResult<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO correction_notices (case_id, round, issued_by, issued_at) \
         VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(case_id)
    .bind(round)
    .bind(issued_by)
    .bind(now)
    .fetch_one(conn)
    .await?)
}

pub async fn insert_notice_item(
    conn: &mut AnyConnection,
    notice_id: i64,
    position: i64,
    item: &NoticeItemRow,
) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO correction_notice_items (notice_id, position, kind, name, problem, clause) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(notice_id)
    .bind(position)
    .bind(&item.kind)
    .bind(&item.name)
    .bind(&item.problem)
    .bind(&item.clause)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn notices_of(conn: &mut AnyConnection, case_id: i64) -> DbResult<Vec<NoticeRow>> {
    Ok(sqlx::query_as::<_, NoticeRow>(
        "SELECT id, case_id, round, issued_by, issued_at, answered_at, changed_names \
         FROM correction_notices WHERE case_id = $1 ORDER BY round",
    )
    .bind(case_id)
    .fetch_all(conn)
    .await?)
}

pub async fn notice_items(
    conn: &mut AnyConnection,
    notice_id: i64,
) -> DbResult<Vec<NoticeItemRow>> {
    Ok(sqlx::query_as::<_, NoticeItemRow>(
        "SELECT kind, name, problem, clause FROM correction_notice_items WHERE notice_id = $1 \
         ORDER BY position",
    )
    .bind(notice_id)
    .fetch_all(conn)
    .await?)
}

/// Records the applicant's answer to a notice once.
pub async fn answer_notice(
    conn: &mut AnyConnection,
    notice_id: i64,
    changed_names: &str,
    now: i64,
) -> DbResult<bool> {
    let result = sqlx::query(
        "UPDATE correction_notices SET answered_at = $3, changed_names = $2 \
         WHERE id = $1 AND answered_at IS NULL",
    )
    .bind(notice_id)
    .bind(changed_names)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(result.rows_affected() == 1)
}

// --- Documents, extensions ------------------------------------------------------------------

pub struct NewDocument<'a> {
    pub public_id: &'a str,
    pub case_id: i64,
    pub kind: &'a str,
    pub sha256: &'a str,
    pub pdf: &'a [u8],
    pub now: i64,
}

pub async fn insert_document(conn: &mut AnyConnection, document: NewDocument<'_>) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO case_documents (public_id, case_id, kind, sha256, pdf, issued_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(document.public_id)
    .bind(document.case_id)
    .bind(document.kind)
    .bind(document.sha256)
    .bind(document.pdf)
    .bind(document.now)
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, FromRow)]
pub struct DocumentRow {
    pub public_id: String,
    pub kind: String,
    pub sha256: String,
    pub issued_at: i64,
}

pub async fn documents_of(conn: &mut AnyConnection, case_id: i64) -> DbResult<Vec<DocumentRow>> {
    Ok(sqlx::query_as::<_, DocumentRow>(
        "SELECT public_id, kind, sha256, issued_at FROM case_documents WHERE case_id = $1 \
         ORDER BY issued_at, id",
    )
    .bind(case_id)
    .fetch_all(conn)
    .await?)
}

/// A document's case, kind and bytes.
pub async fn document_pdf(
    conn: &mut AnyConnection,
    public_id: &str,
) -> DbResult<Option<(i64, String, Vec<u8>)>> {
    Ok(sqlx::query_as::<_, (i64, String, Vec<u8>)>(
        "SELECT case_id, kind, pdf FROM case_documents WHERE public_id = $1",
    )
    .bind(public_id)
    .fetch_optional(conn)
    .await?)
}

pub async fn insert_extension(
    conn: &mut AnyConnection,
    case_id: i64,
    task_id: Option<i64>,
    days: i64,
    reason: &str,
    granted_by: i64,
    now: i64,
) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO deadline_extensions (case_id, task_id, days, reason, granted_by, granted_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(case_id)
    .bind(task_id)
    .bind(days)
    .bind(reason)
    .bind(granted_by)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

// --- Working-day calendar -------------------------------------------------------------------

#[derive(Debug, Clone, FromRow)]
pub struct CalendarRow {
    pub day: String,
    pub kind: String,
    pub name: String,
}

pub async fn calendar(conn: &mut AnyConnection) -> DbResult<Vec<CalendarRow>> {
    Ok(sqlx::query_as::<_, CalendarRow>(
        "SELECT day, kind, name FROM working_calendar ORDER BY day",
    )
    .fetch_all(conn)
    .await?)
}

/// The revision of `working_calendar`: moved by every change of it (triggers, see the
/// migration `calendar_revision`); `None` if its row is missing.
pub async fn calendar_revision(conn: &mut AnyConnection) -> DbResult<Option<i64>> {
    Ok(
        sqlx::query_scalar("SELECT revision FROM working_calendar_revision WHERE id = 1")
            .fetch_optional(conn)
            .await?,
    )
}

pub async fn upsert_calendar_day(
    conn: &mut AnyConnection,
    day: &str,
    kind: &str,
    name: &str,
    now: i64,
) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO working_calendar (day, kind, name, updated_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (day) DO UPDATE SET kind = excluded.kind, name = excluded.name, \
         updated_at = excluded.updated_at",
    )
    .bind(day)
    .bind(kind)
    .bind(name)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn delete_calendar_day(conn: &mut AnyConnection, day: &str) -> DbResult<bool> {
    let result = sqlx::query("DELETE FROM working_calendar WHERE day = $1")
        .bind(day)
        .execute(conn)
        .await?;
    Ok(result.rows_affected() == 1)
}

/// The departments a case needs a decision from, in code order.
pub async fn case_department_codes(
    conn: &mut AnyConnection,
    case_id: i64,
) -> DbResult<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT department_code FROM case_departments WHERE case_id = $1 ORDER BY department_code",
    )
    .bind(case_id)
    .fetch_all(conn)
    .await?)
}

/// The public id of a draft (through which a returned case takes replacement files).
pub async fn draft_public_id(conn: &mut AnyConnection, draft_id: i64) -> DbResult<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT public_id FROM drafts WHERE id = $1")
            .bind(draft_id)
            .fetch_optional(conn)
            .await?,
    )
}

/// The audit entries of one subject, oldest first: time, action, detail and hash.
pub async fn audit_entries_of(
    conn: &mut AnyConnection,
    subject: &str,
) -> DbResult<Vec<(i64, String, String, String)>> {
    Ok(sqlx::query_as(
        "SELECT at, action, detail, hash FROM audit_log WHERE subject = $1 ORDER BY id",
    )
    .bind(subject)
    .fetch_all(conn)
    .await?)
}

pub async fn audit_entry_count(conn: &mut AnyConnection) -> DbResult<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM audit_log")
        .fetch_one(conn)
        .await?)
}

// --- Staff -----------------------------------------------------------------------------------

/// A staff member's department and centre codes and name.
#[derive(Debug, Clone, FromRow)]
pub struct StaffPlace {
    pub display_name: String,
    pub department_code: Option<String>,
    pub centre_code: Option<String>,
}

pub async fn staff_place(conn: &mut AnyConnection, user_id: i64) -> DbResult<Option<StaffPlace>> {
    Ok(sqlx::query_as::<_, StaffPlace>(
        "SELECT u.display_name, d.code AS department_code, s.code AS centre_code FROM users u \
         LEFT JOIN departments d ON d.id = u.department_id \
         LEFT JOIN service_centres s ON s.id = u.service_centre_id \
         WHERE u.id = $1 AND u.removed_at IS NULL",
    )
    .bind(user_id)
    .fetch_optional(conn)
    .await?)
}
