//! The front desk and the back office (受理审批分离): the acceptance queue with claims, accept /
//! return with a one-time correction notice / refuse, the applicant's answer, parallel approval
//! tasks per department with supplements that stop the clock, instant approval by rules, the
//! working-day deadlines, and the applicant's view of all of it.
//!
//! Every step is one transaction: a compare-and-set on the expected state, the timeline entry,
//! the audit entry (role, before/after status, reason), the notification and the mail. Of two
//! racing requests exactly one changes anything; the other learns who decided and when.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::json;
use sqlx::AnyConnection;

use super::ServiceResult;
use super::applications::{self, Target};
use crate::api::{AnswerMaterial, AppError};
use crate::api::{
    AuditLine, CaseProgress, DeskQueueEntry, DeskQueuePage, DeskQueueQuery, DocumentView, DueFlag,
    LaidOutAnswerField, NoticeLine, NoticeView, OpenNotice, RefusalView, StaffCaseView,
    TaskQueueEntry, TaskQueuePage, TaskQueueQuery, TaskVerdict, TaskView, TaskWorkView,
};
use crate::backend::audit::{self, Actor};
use crate::backend::auth::session::CurrentUser;
use crate::backend::db::back_office as db;
use crate::backend::db::{Batch, DbError, cases, identity as identity_db};
use crate::backend::pdf::Block;
use crate::backend::{AppState, now_ms, random_token, sha256_hex};
use crate::domain::Role;
use crate::domain::application::FormLayout;
use crate::domain::back_office::{
    ACCEPTANCE_WORKING_DAYS, CaseOutcome, CorrectionItem, CorrectionNotice, CorrectionTarget,
    INSTANT_RULES_VERSION, InstantFacts, RefusalReason, TaskStatus, case_outcome,
    instant_fallbacks,
};
use crate::domain::calendar::{Day, DayKind, WorkingCalendar};
use crate::domain::case::{CaseNumber, CaseStatus, CreditFinding, CreditLevel};
use crate::domain::catalogue::Text;
use crate::domain::form_values::RawValue;
use crate::domain::{Field, FieldError, Problem};

/// Rows per queue page.
pub const QUEUE_PAGE: i64 = 50;
/// Longest opinion, reason or request text, in characters.
pub const DECISION_TEXT_MAX: usize = 1000;

// --- Calendar and deadlines -----------------------------------------------------------------

pub async fn load_calendar(conn: &mut AnyConnection) -> ServiceResult<WorkingCalendar> {
    let rows = db::calendar(conn).await?;
    Ok(WorkingCalendar::new(rows.into_iter().filter_map(|row| {
        Some((Day::parse(&row.day)?, DayKind::parse(&row.kind)?))
    })))
}

/// The working calendar kept in memory with the revision it was read at. Every change of
/// `working_calendar` moves the revision (a trigger does, on whichever node the change is
/// made), and a submission reads the revision in a statement it runs anyway: the 40-odd
/// calendar rows are read again only when it moved.
#[derive(Default)]
pub struct CalendarCache(super::kept_at_revision::KeptAtRevision<(), WorkingCalendar>);

impl CalendarCache {
    /// The calendar at `revision` (read just before), from memory when that is the one kept.
    /// Without a revision (the counter row is missing) the calendar is read and not kept.
    pub async fn at_revision(
        &self,
        conn: &mut AnyConnection,
        revision: Option<i64>,
    ) -> ServiceResult<std::sync::Arc<WorkingCalendar>> {
        self.0.get_or_read(revision, &(), load_calendar(conn)).await
    }
}

/// The instant a limit ending on `day` runs out: the start of the next day.
fn end_of(day: Day) -> i64 {
    day.next().china_start_ms()
}

/// By when the front desk must decide on a submission made at `now`.
pub fn acceptance_due_at(calendar: &WorkingCalendar, now: i64) -> i64 {
    end_of(calendar.add_working_days(Day::of_china_ms(now), ACCEPTANCE_WORKING_DAYS))
}

/// How close a limit ending on `last_day` is at `now`.
fn due_flag(calendar: &WorkingCalendar, last_day: Day, now: i64) -> DueFlag {
    let today = Day::of_china_ms(now);
    if today > last_day {
        DueFlag::Overdue
    } else if last_day <= calendar.add_working_days(today, 1) {
        DueFlag::DueSoon
    } else {
        DueFlag::OnTrack
    }
}

/// Working days each department has: the longest promised time of the items it decides on.
fn department_days(
    target_items: &[(crate::domain::catalogue::ServiceItemSpec, i64)],
) -> BTreeMap<String, u32> {
    let mut days: BTreeMap<String, u32> = BTreeMap::new();
    for (item, _) in target_items {
        let departments =
            std::iter::once(&item.responsible_department).chain(item.approving_departments.iter());
        for department in departments {
            let entry = days.entry(department.clone()).or_insert(0);
            *entry = (*entry).max(item.promised_days);
        }
    }
    days
}

// --- Recording a step -----------------------------------------------------------------------

/// One step of a case: its timeline entry, audit entry and (optionally) the applicant's
/// notification and mail, written together.
struct Step<'a> {
    case: &'a cases::CaseRow,
    /// The timeline kind; the audit action is `case.<kind>`.
    kind: &'a str,
    role: &'a str,
    user_id: Option<i64>,
    from: Option<CaseStatus>,
    to: Option<CaseStatus>,
    reason: Option<&'a str>,
    /// Shown on the applicant's timeline.
    note: Option<&'a str>,
    deadline_at: Option<i64>,
    /// Notification kind for the applicant (also mailed).
    notify: Option<&'a str>,
    detail: serde_json::Value,
}

async fn record_step(
    conn: &mut AnyConnection,
    actor: &Actor,
    step: Step<'_>,
    now: i64,
) -> ServiceResult<()> {
    cases::insert_event(
        conn,
        cases::NewEvent {
            case_id: step.case.id,
            at: now,
            kind: step.kind,
            actor_role: step.role,
            actor_user_id: step.user_id,
            note: step.note,
            deadline_at: step.deadline_at,
        },
    )
    .await?;
    if let Some(kind) = step.notify {
        crate::backend::db::notices::notify(
            conn,
            step.case.applicant_id,
            Some(step.case.id),
            kind,
            now,
        )
        .await?;
        let title = Text {
            zh: step.case.title_zh.clone(),
            en: step.case.title_en.clone(),
        };
        applications::enqueue_case_mail(
            conn,
            step.case.applicant_id,
            &step.case.number,
            &title,
            kind,
            now,
        )
        .await?;
    }
    let mut detail = json!({
        "role": step.role,
        "from": step.from.map(CaseStatus::code),
        "to": step.to.map(CaseStatus::code),
        "reason": step.reason,
    });
    if let (Some(target), serde_json::Value::Object(extra)) = (detail.as_object_mut(), step.detail)
    {
        target.extend(extra);
    }
    audit::append(
        conn,
        actor,
        &format!("case.{}", step.kind),
        &format!("case:{}", step.case.number),
        detail,
        now,
    )
    .await?;
    Ok(())
}

/// The error for a case that moved on: who made its last step and when.
async fn already_decided(conn: &mut AnyConnection, case_id: i64) -> ServiceResult<AppError> {
    let case = cases::case_by_id(conn, case_id)
        .await?
        .ok_or(DbError::NotFound)?;
    let status = CaseStatus::parse(&case.status).ok_or(AppError::Internal)?;
    Ok(match db::last_step(conn, case_id).await? {
        Some(step) => AppError::AlreadyDecided {
            step: step.kind,
            // Applicants' names are personal data: only staff are named.
            by: (step.actor_role != "applicant")
                .then_some(step.actor_name)
                .flatten(),
            by_role: step.actor_role,
            at: step.at,
        },
        None => AppError::WrongState(status),
    })
}

fn text_of(field: Field, text: &str, max: usize) -> Result<String, FieldError> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        Err(FieldError::new(field, Problem::Required))
    } else if trimmed.chars().count() > max {
        Err(FieldError::new(
            field,
            Problem::TooLong {
                max: u32::try_from(max).unwrap_or(u32::MAX),
            },
        ))
    } else if trimmed.chars().any(|c| c.is_control() && c != '\n') {
        Err(FieldError::new(field, Problem::ControlCharacters))
    } else {
        Ok(trimmed.to_owned())
    }
}

async fn render_pdf(state: &AppState, title: String, blocks: Vec<Block>) -> ServiceResult<Vec<u8>> {
    let renderer = std::sync::Arc::clone(&state.pdf);
    Ok(
        tokio::task::spawn_blocking(move || renderer.render(&title, &blocks))
            .await
            .map_err(anyhow::Error::from)??,
    )
}

/// Renders and files a document on the case, audited with its hash.
async fn issue_document(
    conn: &mut AnyConnection,
    state: &AppState,
    actor: &Actor,
    case: &cases::CaseRow,
    kind: &str,
    blocks: Vec<Block>,
    now: i64,
) -> ServiceResult<()> {
    let pdf = render_pdf(state, format!("{kind} {}", case.number), blocks).await?;
    let sha256 = sha256_hex(&pdf);
    let public_id = random_token(12);
    db::insert_document(
        conn,
        db::NewDocument {
            public_id: &public_id,
            case_id: case.id,
            kind,
            sha256: &sha256,
            pdf: &pdf,
            now,
        },
    )
    .await?;
    audit::append(
        conn,
        actor,
        "document.issue",
        &format!("case:{}", case.number),
        json!({ "kind": kind, "document": public_id, "sha256": sha256 }),
        now,
    )
    .await?;
    Ok(())
}

fn header_block(title: &str) -> Block {
    Block {
        size_pt: 16.0,
        text: title.to_owned(),
    }
}

fn body_block(text: String) -> Block {
    Block {
        size_pt: 11.0,
        text,
    }
}

// --- Submission: departments and instant approval -------------------------------------------

/// Called in the submission's transaction: records the departments the case needs, sending
/// them with the submission's other rows not yet written (`written`, its audit entry among
/// them, so it runs first: see [`audit::push_append`]), and, when every instant-approval rule
/// passes, accepts and approves the case as the `system` actor.
#[expect(
    clippy::too_many_arguments,
    reason = "called once, by the submission, with what it has at hand"
)]
pub async fn after_submission(
    conn: &mut AnyConnection,
    mut written: Batch,
    state: &AppState,
    case: &cases::CaseRow,
    target: &Target,
    credit: CreditLevel,
    calendar: &WorkingCalendar,
    now: i64,
) -> ServiceResult<()> {
    let days = department_days(&target.items);
    let departments: Vec<&str> = days.keys().map(String::as_str).collect();
    db::push_case_departments(&mut written, case.id, &departments);
    written.run(conn).await?;
    let facts = InstantFacts {
        items: target
            .items
            .iter()
            .map(|(item, _)| (item.code.as_str(), item.instant_approval))
            .collect(),
        credit,
        filed_by_worker: case.filed_by.is_some(),
    };
    let fallbacks = instant_fallbacks(&facts);
    let system = Actor::system("system");
    if !fallbacks.is_empty() {
        // Only worth a record when the application asked for instant approval at all.
        if target.items.iter().all(|(item, _)| item.instant_approval) {
            let reasons: Vec<String> = fallbacks
                .iter()
                .filter_map(|fallback| serde_json::to_value(fallback).ok())
                .filter_map(|value| {
                    value
                        .get("rule")
                        .and_then(|rule| rule.as_str())
                        .map(str::to_owned)
                })
                .collect();
            let note = reasons.join(",");
            record_step(
                conn,
                &system,
                Step {
                    case,
                    kind: "instant_fallback",
                    role: "system",
                    user_id: None,
                    from: None,
                    to: None,
                    reason: Some(&note),
                    note: Some(&note),
                    deadline_at: None,
                    notify: None,
                    detail: json!({ "rules": INSTANT_RULES_VERSION, "fallbacks": fallbacks }),
                },
                now,
            )
            .await?;
        }
        return Ok(());
    }
    let rules = json!({
        "rules": INSTANT_RULES_VERSION,
        "checked": ["identity_level", "form_rules", "materials", "commitment_signed", "credit_clear", "items_eligible"],
    });
    accept_case(
        conn,
        state,
        &system,
        None,
        case,
        calendar,
        &days,
        now,
        rules.clone(),
    )
    .await?;
    let tasks = db::tasks_of_case(conn, case.id).await?;
    let opinion = format!("秒批：符合即时审批规则 {INSTANT_RULES_VERSION}");
    for task in &tasks {
        if !db::decide_task(
            conn,
            task.id,
            db::TaskDecision {
                from: TaskStatus::Open.code(),
                to: TaskStatus::Approved.code(),
                opinion: Some(&opinion),
                decided_by: None,
                now,
            },
        )
        .await?
        {
            return Err(AppError::ChangedMeanwhile.into());
        }
    }
    finish_case(
        conn,
        state,
        &system,
        None,
        case,
        CaseStatus::Approved,
        "instant_approved",
        None,
        now,
        rules,
    )
    .await
}

// --- Acceptance -----------------------------------------------------------------------------

/// Moves a waiting case through `accepted` into `in_approval`: acceptance number, deadline,
/// one task per department, the 受理通知书. `worker` is `None` for the system (instant approval);
/// a worker's claim was checked and consumed by the caller.
#[expect(
    clippy::too_many_arguments,
    reason = "the acceptance facts travel together once"
)]
async fn accept_case(
    conn: &mut AnyConnection,
    state: &AppState,
    actor: &Actor,
    worker: Option<(i64, Option<String>)>,
    case: &cases::CaseRow,
    calendar: &WorkingCalendar,
    department_days: &BTreeMap<String, u32>,
    now: i64,
    detail: serde_json::Value,
) -> ServiceResult<String> {
    let from = CaseStatus::parse(&case.status).ok_or(AppError::Internal)?;
    if worker.is_none()
        && !cases::transition(conn, case.id, from.code(), CaseStatus::Accepted.code(), now).await?
    {
        return Err(already_decided(conn, case.id).await?.into());
    }
    if !cases::transition(
        conn,
        case.id,
        CaseStatus::Accepted.code(),
        CaseStatus::InApproval.code(),
        now,
    )
    .await?
    {
        return Err(AppError::ChangedMeanwhile.into());
    }
    let today = Day::of_china_ms(now);
    let year = i64::from(today.ymd().0);
    let serial = db::next_serial(conn, "acceptance", year).await?;
    let acceptance_number = format!("QXSL-{year}-{serial:06}");
    let deadline = calendar.add_working_days(today, u32::try_from(case.promised_days).unwrap_or(0));
    let centre = worker.as_ref().and_then(|(_, centre)| centre.clone());
    db::record_acceptance(
        conn,
        case.id,
        db::Acceptance {
            acceptance_number: &acceptance_number,
            accepted_by: worker.as_ref().map(|(id, _)| *id),
            centre_code: centre.as_deref(),
            deadline_on: &deadline.to_string(),
            deadline_at: end_of(deadline),
            now,
        },
    )
    .await?;
    for (department, days) in department_days {
        let due = calendar.add_working_days(today, *days);
        db::insert_task(
            conn,
            db::NewTask {
                public_id: &random_token(12),
                case_id: case.id,
                department_code: department,
                promised_days: i64::from(*days),
                due_on: &due.to_string(),
                due_at: end_of(due),
                now,
            },
        )
        .await?;
    }
    let role = if worker.is_some() {
        "front_desk"
    } else {
        "system"
    };
    let mut detail = detail;
    if let Some(object) = detail.as_object_mut() {
        object.insert("acceptance_number".into(), json!(acceptance_number));
        object.insert("deadline".into(), json!(deadline.to_string()));
        object.insert(
            "departments".into(),
            json!(department_days.keys().collect::<Vec<_>>()),
        );
    }
    record_step(
        conn,
        actor,
        Step {
            case,
            kind: "accepted",
            role,
            user_id: worker.as_ref().map(|(id, _)| *id),
            from: Some(from),
            to: Some(CaseStatus::InApproval),
            reason: None,
            note: Some(&acceptance_number),
            deadline_at: Some(end_of(deadline)),
            notify: Some("accepted"),
            detail,
        },
        now,
    )
    .await?;
    let departments = department_names(conn, department_days.keys()).await?;
    let text = format!(
        "{applicant}：\n\n你（单位）于 {submitted} 提交的“{title}”申请（办件编号 {number}），\
         申请材料齐全、符合法定形式，本机关决定予以受理。\n\n\
         受理编号：{acceptance_number}\n受理日期：{today}\n承诺办结时限：{days} 个工作日，\
         办理期限至 {deadline}（等待申请人补充材料的时间不计入）。\n\
         审批部门：{departments}（并联审批）\n\n\
         可登录“不见面审批”平台“我的办件”查看办理进度。",
        applicant = applicant_name(conn, case.applicant_id).await?,
        submitted = crate::backend::china_datetime(case.submitted_at),
        title = case.title_zh,
        number = case.number,
        days = case.promised_days,
        departments = departments
            .iter()
            .map(|name| name.zh.as_str())
            .collect::<Vec<_>>()
            .join("、"),
    );
    issue_document(
        conn,
        state,
        actor,
        case,
        "acceptance_notice",
        vec![
            header_block("受理通知书"),
            body_block(text),
            body_block(format!("南京市栖霞区政务服务管理办公室\n{today}")),
        ],
        now,
    )
    .await?;
    Ok(acceptance_number)
}

async fn department_names<'a>(
    conn: &mut AnyConnection,
    codes: impl Iterator<Item = &'a String>,
) -> ServiceResult<Vec<Text>> {
    let organisation = crate::backend::db::org::list(conn).await?;
    Ok(codes
        .map(|code| {
            organisation
                .departments
                .iter()
                .find(|department| &department.code == code)
                .map(|department| Text {
                    zh: department.name.zh.clone(),
                    en: department.name.en.clone(),
                })
                .unwrap_or_else(|| Text {
                    zh: code.clone(),
                    en: code.clone(),
                })
        })
        .collect())
}

async fn applicant_name(conn: &mut AnyConnection, applicant_id: i64) -> ServiceResult<String> {
    let identity = identity_db::identity(conn, applicant_id).await?;
    if let Some(name) = identity.legal_name {
        return Ok(name);
    }
    Ok(crate::backend::db::accounts::find_by_id(conn, applicant_id)
        .await?
        .map(|user| user.display_name)
        .unwrap_or_default())
}

/// Ends the approval stage: the case becomes `to` (approved or rejected).
#[expect(clippy::too_many_arguments, reason = "one step's facts")]
async fn finish_case(
    conn: &mut AnyConnection,
    state: &AppState,
    actor: &Actor,
    user_id: Option<i64>,
    case: &cases::CaseRow,
    to: CaseStatus,
    kind: &str,
    reason: Option<&str>,
    now: i64,
    detail: serde_json::Value,
) -> ServiceResult<()> {
    if !cases::transition(conn, case.id, CaseStatus::InApproval.code(), to.code(), now).await? {
        return Err(AppError::ChangedMeanwhile.into());
    }
    db::record_decision(conn, case.id, now).await?;
    record_step(
        conn,
        actor,
        Step {
            case,
            kind,
            role: if user_id.is_some() {
                "approver"
            } else {
                "system"
            },
            user_id,
            from: Some(CaseStatus::InApproval),
            to: Some(to),
            reason,
            note: None,
            deadline_at: None,
            notify: Some(if to == CaseStatus::Approved {
                "approved"
            } else {
                "rejected"
            }),
            detail,
        },
        now,
    )
    .await?;
    if to == CaseStatus::Approved {
        // Issuance belongs to the approval: the licences exist exactly when the case is
        // approved (the same transaction).
        super::issuance::issue_for_case(conn, state, actor, case, now).await?;
    }
    Ok(())
}

// --- Front desk -----------------------------------------------------------------------------

fn parse_cursor(cursor: Option<&str>) -> ServiceResult<Option<(i64, i64)>> {
    let Some(cursor) = cursor.filter(|cursor| !cursor.is_empty()) else {
        return Ok(None);
    };
    let parsed = cursor
        .split_once('.')
        .and_then(|(a, b)| Some((a.parse().ok()?, b.parse().ok()?)));
    parsed
        .map(Some)
        .ok_or_else(|| AppError::invalid(Vec::new()).into())
}

fn parse_case_number(number: &str) -> ServiceResult<CaseNumber> {
    Ok(CaseNumber::parse(number).ok_or(DbError::NotFound)?)
}

/// The front-desk queue: every waiting case of every item (全科受理), oldest first.
pub async fn desk_queue(
    state: &AppState,
    worker: &CurrentUser,
    query: &DeskQueueQuery,
) -> ServiceResult<DeskQueuePage> {
    let now = now_ms();
    let mut conn = state.db.read().await?;
    let calendar = load_calendar(&mut conn).await?;
    let blank = |value: &Option<String>| {
        value
            .as_ref()
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let filter = db::DeskFilter {
        item_code: blank(&query.item),
        department_code: blank(&query.department),
        centre_code: blank(&query.centre),
        waiting_since_before: query
            .waited_days
            .map(|days| now - i64::from(days.min(3650)) * 86_400_000),
        accept_due_before: query
            .due_soon
            .then(|| end_of(calendar.add_working_days(Day::of_china_ms(now), 1))),
        credit_warning: query.credit_warning,
        identity_review_pending: query.identity_review_pending,
    };
    let after = parse_cursor(query.after.as_deref())?;
    let rows = db::desk_queue(&mut conn, state.db.kind(), &filter, after, QUEUE_PAGE).await?;
    let next = (rows.len() == usize::try_from(QUEUE_PAGE).unwrap_or(usize::MAX))
        .then(|| {
            rows.last()
                .map(|row| format!("{}.{}", row.waiting_since, row.id))
        })
        .flatten();
    let entries = rows
        .into_iter()
        .map(|row| {
            let claim_live = row.claim_expires_at.is_some_and(|until| until > now);
            DeskQueueEntry {
                due_flag: row.accept_due_at.map_or(DueFlag::OnTrack, |due| {
                    due_flag(&calendar, Day::of_china_ms(due - 1), now)
                }),
                number: row.number,
                title: Text {
                    zh: row.title_zh,
                    en: row.title_en,
                },
                status: CaseStatus::parse(&row.status).unwrap_or(CaseStatus::Submitted),
                waiting_since: row.waiting_since,
                accept_due_at: row.accept_due_at,
                credit_level: CreditLevel::parse(&row.credit_level).unwrap_or(CreditLevel::Clear),
                claimed_by: row.claimed_by_name.filter(|_| claim_live),
                claim_mine: claim_live && row.claimed_by == Some(worker.user_id),
                claim_expires_at: row.claim_expires_at.filter(|_| claim_live),
                filed_by_worker: row.filed_by.is_some(),
                identity_review_pending: row.identity_review_pending != 0,
            }
        })
        .collect();
    Ok(DeskQueuePage { entries, next })
}

/// Claims a waiting case for the worker (renewing their own claim).
pub async fn claim(
    state: &AppState,
    actor: &Actor,
    worker: &CurrentUser,
    number: &str,
) -> ServiceResult<i64> {
    let number = parse_case_number(number)?;
    let now = now_ms();
    let expires_at = now + i64::from(state.config.claim_minutes) * 60_000;
    let mut tx = state.db.begin_write().await?;
    let case = db::case_by_number(&mut tx, number.as_str())
        .await?
        .ok_or(DbError::NotFound)?;
    let status = CaseStatus::parse(&case.status).ok_or(AppError::Internal)?;
    if !status.awaits_front_desk() {
        return Err(already_decided(&mut tx, case.id).await?.into());
    }
    if !db::claim(&mut tx, case.id, worker.user_id, now, expires_at).await? {
        return Err(claimed_by_other(&mut tx, &case).await?.into());
    }
    audit::append(
        &mut tx,
        actor,
        "case.claim",
        &format!("case:{}", case.number),
        json!({ "role": "front_desk", "until": expires_at }),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(expires_at)
}

async fn claimed_by_other(
    conn: &mut AnyConnection,
    case: &cases::CaseRow,
) -> ServiceResult<AppError> {
    let fresh = cases::case_by_id(conn, case.id)
        .await?
        .ok_or(DbError::NotFound)?;
    let Some(holder) = fresh.claimed_by else {
        return Ok(AppError::ChangedMeanwhile);
    };
    let name = crate::backend::db::accounts::find_by_id(conn, holder)
        .await?
        .map(|user| user.display_name)
        .unwrap_or_default();
    Ok(AppError::ClaimedByOther {
        by: name,
        until: fresh.claim_expires_at.unwrap_or(0),
    })
}

/// Gives a claim back.
pub async fn release(
    state: &AppState,
    actor: &Actor,
    worker: &CurrentUser,
    number: &str,
) -> ServiceResult<()> {
    let number = parse_case_number(number)?;
    let now = now_ms();
    let mut tx = state.db.begin_write().await?;
    let case = db::case_by_number(&mut tx, number.as_str())
        .await?
        .ok_or(DbError::NotFound)?;
    if db::release(&mut tx, case.id, worker.user_id).await? {
        audit::append(
            &mut tx,
            actor,
            "case.release",
            &format!("case:{}", case.number),
            json!({ "role": "front_desk" }),
            now,
        )
        .await?;
        tx.commit().await?;
    }
    Ok(())
}

/// Loads a waiting case for a desk decision and checks the worker holds a live claim on it.
async fn claimed_case(
    conn: &mut AnyConnection,
    worker: &CurrentUser,
    number: &str,
    now: i64,
) -> ServiceResult<(cases::CaseRow, CaseStatus)> {
    let number = parse_case_number(number)?;
    let case = db::case_by_number(conn, number.as_str())
        .await?
        .ok_or(DbError::NotFound)?;
    let status = CaseStatus::parse(&case.status).ok_or(AppError::Internal)?;
    if !status.awaits_front_desk() {
        return Err(already_decided(conn, case.id).await?.into());
    }
    let live = case.claim_expires_at.is_some_and(|until| until > now);
    match case.claimed_by {
        Some(holder) if holder == worker.user_id && live => Ok((case, status)),
        Some(_) if live => Err(claimed_by_other(conn, &case).await?.into()),
        _ => Err(AppError::ClaimNeeded.into()),
    }
}

/// Accepts a claimed case (受理): acceptance number, deadline, parallel tasks, 受理通知书.
pub async fn accept(
    state: &AppState,
    actor: &Actor,
    worker: &CurrentUser,
    number: &str,
) -> ServiceResult<String> {
    let now = now_ms();
    let mut tx = state.db.begin_write().await?;
    let (case, status) = claimed_case(&mut tx, worker, number, now).await?;
    let place = db::staff_place(&mut tx, worker.user_id)
        .await?
        .ok_or(AppError::Forbidden)?;
    let calendar = load_calendar(&mut tx).await?;
    let (_, _, specs) = applications::case_layout(&mut tx, &case).await?;
    let items: Vec<_> = specs.into_iter().map(|spec| (spec, 0)).collect();
    let days = department_days(&items);
    if !db::desk_transition(
        &mut tx,
        case.id,
        status.code(),
        CaseStatus::Accepted.code(),
        worker.user_id,
        now,
    )
    .await?
    {
        return Err(already_decided(&mut tx, case.id).await?.into());
    }
    let acceptance_number = accept_case(
        &mut tx,
        state,
        actor,
        Some((worker.user_id, place.centre_code)),
        &case,
        &calendar,
        &days,
        now,
        json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(acceptance_number)
}

/// The names a correction notice may cite: the case's fields and materials.
fn notice_names(layout: &FormLayout) -> (BTreeSet<String>, BTreeSet<String>) {
    let fields = layout
        .sections
        .iter()
        .flat_map(|section| section.fields.iter().map(|field| field.name.clone()))
        .collect();
    let materials = layout
        .materials()
        .map(|material| material.name.clone())
        .collect();
    (fields, materials)
}

fn changed_since(notices: &[db::NoticeRow]) -> Option<BTreeSet<String>> {
    let last = notices.last()?;
    let names: Vec<String> = last
        .changed_names
        .as_deref()
        .and_then(|json| serde_json::from_str(json).ok())
        .unwrap_or_default();
    Some(names.into_iter().collect())
}

/// Returns a claimed case for correction with one notice listing everything (一次性告知).
pub async fn return_for_correction(
    state: &AppState,
    actor: &Actor,
    worker: &CurrentUser,
    number: &str,
    items: Vec<CorrectionItem>,
) -> ServiceResult<()> {
    let now = now_ms();
    let mut tx = state.db.begin_write().await?;
    let (case, status) = claimed_case(&mut tx, worker, number, now).await?;
    let (layout, _, _) = applications::case_layout(&mut tx, &case).await?;
    let (fields, materials) = notice_names(&layout);
    let notices = db::notices_of(&mut tx, case.id).await?;
    let notice =
        CorrectionNotice::parse(items, &fields, &materials, changed_since(&notices).as_ref())
            .map_err(AppError::NoticeInvalid)?;
    if !db::desk_transition(
        &mut tx,
        case.id,
        status.code(),
        CaseStatus::Returned.code(),
        worker.user_id,
        now,
    )
    .await?
    {
        return Err(already_decided(&mut tx, case.id).await?.into());
    }
    let round = i64::try_from(notices.len()).unwrap_or(0) + 1;
    let notice_id = db::insert_notice(&mut tx, case.id, round, worker.user_id, now).await?;
    let mut lines = Vec::new();
    for (index, item) in notice.items().iter().enumerate() {
        let position = i64::try_from(index).unwrap_or(0) + 1;
        db::insert_notice_item(
            &mut tx,
            notice_id,
            position,
            &db::NoticeItemRow {
                kind: item.target.code().into(),
                name: item.name.clone(),
                problem: item.problem.clone(),
                clause: item.clause.clone(),
            },
        )
        .await?;
        let label = layout
            .label_of(&item.name)
            .map_or(item.name.as_str(), |label| label.zh.as_str());
        lines.push(format!(
            "{position}. {kind}“{label}”：{problem}（依据：{clause}）",
            kind = match item.target {
                CorrectionTarget::Field => "填报内容",
                CorrectionTarget::Material => "申请材料",
            },
            problem = item.problem,
            clause = item.clause,
        ));
    }
    let names: Vec<&str> = notice
        .items()
        .iter()
        .map(|item| item.name.as_str())
        .collect();
    record_step(
        &mut tx,
        actor,
        Step {
            case: &case,
            kind: "returned",
            role: "front_desk",
            user_id: Some(worker.user_id),
            from: Some(status),
            to: Some(CaseStatus::Returned),
            reason: None,
            note: None,
            deadline_at: None,
            notify: Some("returned"),
            detail: json!({ "round": round, "names": names }),
        },
        now,
    )
    .await?;
    let text = format!(
        "{applicant}：\n\n你（单位）提交的“{title}”申请（办件编号 {number}）的申请材料不齐全或者不符合法定形式。\
         根据《中华人民共和国行政许可法》第三十二条，现一次性告知需要补正的全部内容：\n\n{lines}\n\n\
         请登录“不见面审批”平台“我的办件”，仅修改以上所列内容后重新提交。\n（第 {round} 次补正告知）",
        applicant = applicant_name(&mut tx, case.applicant_id).await?,
        title = case.title_zh,
        number = case.number,
        lines = lines.join("\n"),
    );
    issue_document(
        &mut tx,
        state,
        actor,
        &case,
        "correction_notice",
        vec![
            header_block("补正材料告知书"),
            body_block(text),
            body_block(format!(
                "南京市栖霞区政务服务管理办公室\n{}",
                Day::of_china_ms(now)
            )),
        ],
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Refuses a claimed case (不予受理) with a reason from the list and an explanation.
pub async fn refuse(
    state: &AppState,
    actor: &Actor,
    worker: &CurrentUser,
    number: &str,
    reason: &str,
    note: &str,
) -> ServiceResult<()> {
    let mut errors = Vec::new();
    let reason = RefusalReason::parse(reason.trim());
    if reason.is_none() {
        errors.push(FieldError::new(Field::ReasonChoice, Problem::UnknownChoice));
    }
    let note = text_of(Field::Reason, note, DECISION_TEXT_MAX)
        .map_err(|error| errors.push(error))
        .ok();
    let (Some(reason), Some(note)) = (reason, note) else {
        return Err(AppError::invalid(errors).into());
    };
    let now = now_ms();
    let mut tx = state.db.begin_write().await?;
    let (case, status) = claimed_case(&mut tx, worker, number, now).await?;
    if !db::desk_transition(
        &mut tx,
        case.id,
        status.code(),
        CaseStatus::Refused.code(),
        worker.user_id,
        now,
    )
    .await?
    {
        return Err(already_decided(&mut tx, case.id).await?.into());
    }
    db::record_refusal(&mut tx, case.id, reason.code(), &note, now).await?;
    record_step(
        &mut tx,
        actor,
        Step {
            case: &case,
            kind: "refused",
            role: "front_desk",
            user_id: Some(worker.user_id),
            from: Some(status),
            to: Some(CaseStatus::Refused),
            reason: Some(&note),
            note: Some(&note),
            deadline_at: None,
            notify: Some("refused"),
            detail: json!({ "reason_code": reason.code() }),
        },
        now,
    )
    .await?;
    let text = format!(
        "{applicant}：\n\n你（单位）于 {submitted} 提交的“{title}”申请（办件编号 {number}），经审查，\
         本机关决定不予受理。\n\n理由：{reason}。{note}\n\n\
         如不服本决定，可以自收到本通知书之日起六十日内依法申请行政复议，或者在六个月内依法提起行政诉讼。",
        applicant = applicant_name(&mut tx, case.applicant_id).await?,
        submitted = crate::backend::china_datetime(case.submitted_at),
        title = case.title_zh,
        number = case.number,
        reason = crate::i18n::refusal_reason_text(reason, crate::i18n::Lang::Zh),
    );
    issue_document(
        &mut tx,
        state,
        actor,
        &case,
        "refusal_notice",
        vec![
            header_block("不予受理通知书"),
            body_block(text),
            body_block(format!(
                "南京市栖霞区政务服务管理办公室\n{}",
                Day::of_china_ms(now)
            )),
        ],
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

// --- The applicant's answers ----------------------------------------------------------------

/// The case's form layout when `material` may be replaced now: the case waits for the
/// applicant's answer to a correction notice that lists it.
pub async fn correctable_layout(
    conn: &mut AnyConnection,
    case_id: i64,
    material: &str,
) -> ServiceResult<Option<FormLayout>> {
    let case = cases::case_by_id(conn, case_id)
        .await?
        .ok_or(DbError::NotFound)?;
    if case.status != CaseStatus::Returned.code() {
        return Ok(None);
    }
    let notices = db::notices_of(conn, case.id).await?;
    let Some(notice) = notices.last().filter(|notice| notice.answered_at.is_none()) else {
        return Ok(None);
    };
    let listed = db::notice_items(conn, notice.id)
        .await?
        .into_iter()
        .any(|item| item.kind == CorrectionTarget::Material.code() && item.name == material);
    if !listed {
        return Ok(None);
    }
    let (layout, _, _) = applications::case_layout(conn, &case).await?;
    Ok(Some(layout))
}

/// Answers the open correction notice: changes only what it lists, then the case rejoins the
/// queue. `values` holds the new values of listed fields; replaced materials were uploaded
/// through the case's draft beforehand.
pub async fn answer_notice(
    state: &AppState,
    actor: &Actor,
    user: &CurrentUser,
    number: &str,
    values: BTreeMap<String, RawValue>,
) -> ServiceResult<()> {
    let number = parse_case_number(number)?;
    let now = now_ms();
    let mut tx = state.db.begin_write().await?;
    let case = cases::case_of(&mut tx, user.user_id, number.as_str())
        .await?
        .ok_or(DbError::NotFound)?;
    let status = CaseStatus::parse(&case.status).ok_or(AppError::Internal)?;
    if status != CaseStatus::Returned {
        return Err(AppError::WrongState(status).into());
    }
    let notices = db::notices_of(&mut tx, case.id).await?;
    let notice = notices
        .last()
        .filter(|notice| notice.answered_at.is_none())
        .ok_or(AppError::WrongState(status))?;
    let listed: BTreeSet<String> = db::notice_items(&mut tx, notice.id)
        .await?
        .into_iter()
        .map(|item| item.name)
        .collect();
    let outside: Vec<String> = values
        .keys()
        .filter(|name| !listed.contains(*name))
        .cloned()
        .collect();
    if !outside.is_empty() {
        return Err(AppError::OutsideNotice(outside).into());
    }
    let (layout, _, _) = applications::case_layout(&mut tx, &case).await?;
    let old = applications::parse_values(&case.form_values)?;
    let mut merged = old.clone();
    let mut changed: BTreeSet<String> = BTreeSet::new();
    for (name, value) in values {
        if layout.field(&name).is_none() {
            return Err(AppError::OutsideNotice(vec![name]).into());
        }
        if old.get(&name) != Some(&value) {
            changed.insert(name.clone());
        }
        merged.insert(name, value);
    }
    let problems = layout.problems(&merged);
    let files = applications::files_of(&mut tx, case.draft_id).await?;
    let mut problems = problems;
    problems.extend(layout.missing_materials(files.iter().map(|file| file.material_name.as_str())));
    if !problems.is_empty() {
        return Err(AppError::FormInvalid(problems).into());
    }
    for name in
        crate::backend::db::materials::changed_since(&mut tx, case.draft_id, notice.issued_at)
            .await?
    {
        if listed.contains(&name) {
            changed.insert(name);
        }
    }
    if changed.is_empty() {
        return Err(AppError::OutsideNotice(Vec::new()).into());
    }
    let merged_json = serde_json::to_string(&merged).map_err(anyhow::Error::from)?;
    if !db::resubmit(&mut tx, case.id, &merged_json, now).await? {
        return Err(AppError::ChangedMeanwhile.into());
    }
    let changed_list: Vec<&String> = changed.iter().collect();
    if !db::answer_notice(
        &mut tx,
        notice.id,
        &serde_json::to_string(&changed_list).map_err(anyhow::Error::from)?,
        now,
    )
    .await?
    {
        return Err(AppError::ChangedMeanwhile.into());
    }
    record_step(
        &mut tx,
        actor,
        Step {
            case: &case,
            kind: "resubmitted",
            role: "applicant",
            user_id: Some(user.user_id),
            from: Some(CaseStatus::Returned),
            to: Some(CaseStatus::Resubmitted),
            reason: None,
            note: None,
            deadline_at: None,
            notify: Some("resubmitted"),
            detail: json!({ "round": notice.round, "changed": changed_list }),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Answers the departments' supplement requests: their tasks reopen and the clocks restart,
/// moved by the working days spent waiting.
pub async fn answer_supplement(
    state: &AppState,
    actor: &Actor,
    user: &CurrentUser,
    number: &str,
    answer: &str,
) -> ServiceResult<()> {
    let answer = text_of(Field::Reason, answer, DECISION_TEXT_MAX)
        .map_err(|error| AppError::invalid(vec![error]))?;
    let number = parse_case_number(number)?;
    let now = now_ms();
    let mut tx = state.db.begin_write().await?;
    let case = cases::case_of(&mut tx, user.user_id, number.as_str())
        .await?
        .ok_or(DbError::NotFound)?;
    let status = CaseStatus::parse(&case.status).ok_or(AppError::Internal)?;
    let waiting: Vec<db::TaskRow> = db::tasks_of_case(&mut tx, case.id)
        .await?
        .into_iter()
        .filter(|task| task.status == TaskStatus::Supplement.code())
        .collect();
    if status != CaseStatus::InApproval || waiting.is_empty() {
        return Err(AppError::WrongState(status).into());
    }
    resume_clocks(&mut tx, &case, &waiting, now).await?;
    record_step(
        &mut tx,
        actor,
        Step {
            case: &case,
            kind: "supplement_answered",
            role: "applicant",
            user_id: Some(user.user_id),
            from: None,
            to: None,
            reason: None,
            note: Some(&answer),
            deadline_at: None,
            notify: None,
            detail: json!({ "tasks": waiting.iter().map(|task| &task.department_code).collect::<Vec<_>>() }),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

async fn resume_clocks(
    conn: &mut AnyConnection,
    case: &cases::CaseRow,
    waiting: &[db::TaskRow],
    now: i64,
) -> ServiceResult<()> {
    let calendar = load_calendar(conn).await?;
    let today = Day::of_china_ms(now);
    for task in waiting {
        let due = Day::parse(&task.due_on).ok_or(AppError::Internal)?;
        let paused = Day::of_china_ms(task.paused_at.unwrap_or(now));
        let moved = calendar.resume(due, paused, today);
        if !db::resume_task(conn, task.id, &moved.to_string(), end_of(moved), now).await? {
            return Err(AppError::ChangedMeanwhile.into());
        }
    }
    if let (Some(paused_at), Some(deadline)) = (
        case.clock_paused_at,
        case.deadline_on.as_deref().and_then(Day::parse),
    ) {
        let moved = calendar.resume(deadline, Day::of_china_ms(paused_at), today);
        db::resume_clock(conn, case.id, &moved.to_string(), end_of(moved)).await?;
    }
    Ok(())
}

// --- Approval -------------------------------------------------------------------------------

async fn approver_department(
    conn: &mut AnyConnection,
    approver: &CurrentUser,
) -> ServiceResult<String> {
    Ok(db::staff_place(conn, approver.user_id)
        .await?
        .and_then(|place| place.department_code)
        .ok_or(AppError::Forbidden)?)
}

/// The approver's department queue: pending tasks, most urgent first.
pub async fn task_queue(
    state: &AppState,
    approver: &CurrentUser,
    query: &TaskQueueQuery,
) -> ServiceResult<TaskQueuePage> {
    let now = now_ms();
    let mut conn = state.db.read().await?;
    let department = approver_department(&mut conn, approver).await?;
    let calendar = load_calendar(&mut conn).await?;
    let filter = db::TaskFilter {
        item_code: query
            .item
            .as_ref()
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty()),
        due_before: query
            .due_soon
            .then(|| end_of(calendar.add_working_days(Day::of_china_ms(now), 1))),
        status: query
            .status
            .filter(|status| status.is_pending())
            .map(|status| status.code().to_owned()),
    };
    let after = parse_cursor(query.after.as_deref())?;
    let rows = db::task_queue(&mut conn, &department, &filter, after, QUEUE_PAGE).await?;
    let next = (rows.len() == usize::try_from(QUEUE_PAGE).unwrap_or(usize::MAX))
        .then(|| rows.last().map(|row| format!("{}.{}", row.due_at, row.id)))
        .flatten();
    let entries = rows
        .into_iter()
        .map(|row| {
            let status = TaskStatus::parse(&row.status).unwrap_or(TaskStatus::Open);
            TaskQueueEntry {
                due_flag: if status == TaskStatus::Supplement {
                    DueFlag::Paused
                } else {
                    Day::parse(&row.due_on)
                        .map_or(DueFlag::OnTrack, |day| due_flag(&calendar, day, now))
                },
                task_id: row.public_id,
                case_number: row.number,
                acceptance_number: row.acceptance_number,
                title: Text {
                    zh: row.title_zh,
                    en: row.title_en,
                },
                status,
                due_on: row.due_on,
                created_at: row.created_at,
            }
        })
        .collect();
    let department_name = department_names(&mut conn, std::iter::once(&department))
        .await?
        .pop()
        .unwrap_or_else(|| Text {
            zh: department.clone(),
            en: department.clone(),
        });
    Ok(TaskQueuePage {
        department: department_name,
        entries,
        next,
    })
}

/// A task of the approver's department, loaded for a decision.
async fn own_task(
    conn: &mut AnyConnection,
    approver: &CurrentUser,
    task_id: &str,
) -> ServiceResult<(db::TaskRow, cases::CaseRow)> {
    let task = db::task_by_public_id(conn, task_id)
        .await?
        .ok_or(DbError::NotFound)?;
    if task.department_code != approver_department(conn, approver).await? {
        return Err(AppError::OtherDepartment.into());
    }
    let case = cases::case_by_id(conn, task.case_id)
        .await?
        .ok_or(DbError::NotFound)?;
    Ok((task, case))
}

/// A task with its whole case, read-only; the view of personal data is audited.
pub async fn task_view(
    state: &AppState,
    actor: &Actor,
    approver: &CurrentUser,
    task_id: &str,
) -> ServiceResult<TaskWorkView> {
    let now = now_ms();
    let mut tx = state.db.begin_write().await?;
    let (task, case) = own_task(&mut tx, approver, task_id).await?;
    let calendar = load_calendar(&mut tx).await?;
    let view = task_view_of(&mut tx, &task, &calendar, now).await?;
    let staff = staff_view(&mut tx, actor, approver, case, now).await?;
    tx.commit().await?;
    Ok(TaskWorkView {
        task: view,
        case: staff,
    })
}

async fn task_view_of(
    conn: &mut AnyConnection,
    task: &db::TaskRow,
    calendar: &WorkingCalendar,
    now: i64,
) -> ServiceResult<TaskView> {
    let status = TaskStatus::parse(&task.status).ok_or(AppError::Internal)?;
    let department = department_names(conn, std::iter::once(&task.department_code))
        .await?
        .pop()
        .unwrap_or_default();
    Ok(TaskView {
        task_id: task.public_id.clone(),
        department,
        status,
        due_on: task.due_on.clone(),
        due_flag: match status {
            TaskStatus::Open => Day::parse(&task.due_on).map(|day| due_flag(calendar, day, now)),
            TaskStatus::Supplement => Some(DueFlag::Paused),
            _ => None,
        },
        opinion: task.opinion.clone(),
        supplement_request: task.supplement_request.clone(),
        decided_at: task.decided_at,
    })
}

/// Decides a task: approve with an opinion, reject with a reason, or ask the applicant for a
/// supplement. The case is approved once every department approved, rejected as soon as one
/// rejects (the others' open tasks close as moot).
pub async fn decide_task(
    state: &AppState,
    actor: &Actor,
    approver: &CurrentUser,
    task_id: &str,
    verdict: TaskVerdict,
    text: &str,
) -> ServiceResult<()> {
    let field = match verdict {
        TaskVerdict::Approve => Field::Opinion,
        TaskVerdict::Reject | TaskVerdict::Supplement => Field::Reason,
    };
    let text =
        text_of(field, text, DECISION_TEXT_MAX).map_err(|error| AppError::invalid(vec![error]))?;
    let now = now_ms();
    let mut tx = state.db.begin_write().await?;
    let (task, case) = own_task(&mut tx, approver, task_id).await?;
    if case.accepted_by == Some(approver.user_id) {
        // 一审一核: refuse, and keep a record of the attempt.
        drop(tx);
        let mut tx = state.db.begin_write().await?;
        audit::append(
            &mut tx,
            actor,
            "case.separation_of_duties_refused",
            &format!("case:{}", case.number),
            json!({ "role": "approver", "task": task.public_id }),
            now,
        )
        .await?;
        tx.commit().await?;
        return Err(AppError::SeparationOfDuties.into());
    }
    let status = TaskStatus::parse(&task.status).ok_or(AppError::Internal)?;
    if !status.is_pending() {
        return Err(task_decided(&task).into());
    }
    let case_status = CaseStatus::parse(&case.status).ok_or(AppError::Internal)?;
    if case_status != CaseStatus::InApproval {
        return Err(already_decided(&mut tx, case.id).await?.into());
    }
    if status == TaskStatus::Supplement {
        // Waiting for the applicant: nothing to decide until they answer.
        return Err(AppError::WrongState(case_status).into());
    }
    let department = task.department_code.clone();
    match verdict {
        TaskVerdict::Supplement => {
            if !db::request_supplement(&mut tx, task.id, &text, now).await? {
                return Err(task_decided_now(&mut tx, task_id).await?.into());
            }
            db::pause_clock(&mut tx, case.id, now).await?;
            record_step(
                &mut tx,
                actor,
                Step {
                    case: &case,
                    kind: "supplement_requested",
                    role: "approver",
                    user_id: Some(approver.user_id),
                    from: None,
                    to: None,
                    reason: Some(&text),
                    note: Some(&department),
                    deadline_at: None,
                    notify: Some("supplement"),
                    detail: json!({ "task": task.public_id, "department": department }),
                },
                now,
            )
            .await?;
        }
        TaskVerdict::Approve | TaskVerdict::Reject => {
            let to = if verdict == TaskVerdict::Approve {
                TaskStatus::Approved
            } else {
                TaskStatus::Rejected
            };
            if !db::decide_task(
                &mut tx,
                task.id,
                db::TaskDecision {
                    from: TaskStatus::Open.code(),
                    to: to.code(),
                    opinion: Some(&text),
                    decided_by: Some(approver.user_id),
                    now,
                },
            )
            .await?
            {
                return Err(task_decided_now(&mut tx, task_id).await?.into());
            }
            record_step(
                &mut tx,
                actor,
                Step {
                    case: &case,
                    kind: if to == TaskStatus::Approved {
                        "task_approved"
                    } else {
                        "task_rejected"
                    },
                    role: "approver",
                    user_id: Some(approver.user_id),
                    from: None,
                    to: None,
                    reason: Some(&text),
                    note: Some(&department),
                    deadline_at: None,
                    notify: None,
                    detail: json!({ "task": task.public_id, "department": department }),
                },
                now,
            )
            .await?;
            let statuses: Vec<TaskStatus> = db::tasks_of_case(&mut tx, case.id)
                .await?
                .iter()
                .filter_map(|task| TaskStatus::parse(&task.status))
                .collect();
            match case_outcome(statuses) {
                CaseOutcome::Pending => {}
                CaseOutcome::Approved => {
                    finish_case(
                        &mut tx,
                        state,
                        actor,
                        Some(approver.user_id),
                        &case,
                        CaseStatus::Approved,
                        "approved",
                        None,
                        now,
                        json!({}),
                    )
                    .await?;
                }
                CaseOutcome::Rejected => {
                    let closed = db::close_pending_tasks(&mut tx, case.id, now).await?;
                    finish_case(
                        &mut tx,
                        state,
                        actor,
                        Some(approver.user_id),
                        &case,
                        CaseStatus::Rejected,
                        "rejected",
                        Some(&text),
                        now,
                        json!({ "department": department, "moot_tasks": closed }),
                    )
                    .await?;
                }
            }
        }
    }
    tx.commit().await?;
    Ok(())
}

fn task_decided(task: &db::TaskRow) -> AppError {
    AppError::AlreadyDecided {
        step: format!("task_{}", task.status),
        by_role: if task.decided_by.is_some() {
            "approver".into()
        } else {
            "system".into()
        },
        by: task.decided_by_name.clone(),
        at: task.decided_at.unwrap_or(0),
    }
}

async fn task_decided_now(conn: &mut AnyConnection, task_id: &str) -> ServiceResult<AppError> {
    Ok(match db::task_by_public_id(conn, task_id).await? {
        Some(task) if task.status == TaskStatus::Supplement.code() => AppError::ChangedMeanwhile,
        Some(task) => task_decided(&task),
        None => AppError::NotFound,
    })
}

/// Extends a pending task's time limit (and the case's, when the task would end later) by
/// `days` working days, with a reason on record.
pub async fn extend_task(
    state: &AppState,
    actor: &Actor,
    approver: &CurrentUser,
    task_id: &str,
    days: u32,
    reason: &str,
) -> ServiceResult<String> {
    let mut errors = Vec::new();
    if !(1..=60).contains(&days) {
        errors.push(FieldError::new(
            Field::ExtensionDays,
            Problem::OutOfRange { min: 1, max: 60 },
        ));
    }
    let reason = text_of(Field::Reason, reason, DECISION_TEXT_MAX)
        .map_err(|error| errors.push(error))
        .ok();
    let Some(reason) = reason.filter(|_| errors.is_empty()) else {
        return Err(AppError::invalid(errors).into());
    };
    let now = now_ms();
    let mut tx = state.db.begin_write().await?;
    let (task, case) = own_task(&mut tx, approver, task_id).await?;
    if task.status != TaskStatus::Open.code() {
        return Err(task_decided_now(&mut tx, task_id).await?.into());
    }
    let calendar = load_calendar(&mut tx).await?;
    let due = Day::parse(&task.due_on).ok_or(AppError::Internal)?;
    let moved = calendar.add_working_days(due, days);
    db::set_task_due(&mut tx, task.id, &moved.to_string(), end_of(moved)).await?;
    let case_deadline = case.deadline_on.as_deref().and_then(Day::parse);
    let new_case_deadline = match case_deadline {
        Some(deadline) if deadline >= moved => deadline,
        _ => moved,
    };
    db::set_case_deadline(
        &mut tx,
        case.id,
        &new_case_deadline.to_string(),
        end_of(new_case_deadline),
    )
    .await?;
    db::insert_extension(
        &mut tx,
        case.id,
        Some(task.id),
        i64::from(days),
        &reason,
        approver.user_id,
        now,
    )
    .await?;
    record_step(
        &mut tx,
        actor,
        Step {
            case: &case,
            kind: "extended",
            role: "approver",
            user_id: Some(approver.user_id),
            from: None,
            to: None,
            reason: Some(&reason),
            note: Some(&reason),
            deadline_at: Some(end_of(new_case_deadline)),
            notify: Some("extended"),
            detail: json!({ "task": task.public_id, "days": days, "task_due": moved.to_string() }),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(new_case_deadline.to_string())
}

// --- Views ----------------------------------------------------------------------------------

/// A case for the front desk (any case: 全科受理); the view of personal data is audited.
pub async fn desk_case(
    state: &AppState,
    actor: &Actor,
    worker: &CurrentUser,
    number: &str,
) -> ServiceResult<StaffCaseView> {
    let number = parse_case_number(number)?;
    let now = now_ms();
    let mut tx = state.db.begin_write().await?;
    let case = db::case_by_number(&mut tx, number.as_str())
        .await?
        .ok_or(DbError::NotFound)?;
    let view = staff_view(&mut tx, actor, worker, case, now).await?;
    tx.commit().await?;
    Ok(view)
}

/// The display name of a staff member, if any.
async fn staff_name(
    conn: &mut AnyConnection,
    user_id: Option<i64>,
) -> ServiceResult<Option<String>> {
    Ok(match user_id {
        Some(id) => crate::backend::db::accounts::find_by_id(conn, id)
            .await?
            .map(|user| user.display_name),
        None => None,
    })
}

async fn staff_view(
    conn: &mut AnyConnection,
    actor: &Actor,
    viewer: &CurrentUser,
    case: cases::CaseRow,
    now: i64,
) -> ServiceResult<StaffCaseView> {
    let identity = identity_db::identity(conn, case.applicant_id).await?;
    let level = super::identity::level_of(&identity);
    let person_check = identity_db::latest_check(conn, case.applicant_id)
        .await?
        .map(|check| check.status);
    let findings: Vec<CreditFinding> =
        serde_json::from_str(&case.credit_detail).unwrap_or_default();
    let claim_live = case.claim_expires_at.is_some_and(|until| until > now);
    let claimed_by = match case.claimed_by.filter(|_| claim_live) {
        Some(holder) => crate::backend::db::accounts::find_by_id(conn, holder)
            .await?
            .map(|user| user.display_name),
        None => None,
    };
    let filed_by = staff_name(conn, case.filed_by).await?;
    let accepted_by = staff_name(conn, case.accepted_by).await?;
    let departments = db::case_department_codes(conn, case.id).await?;
    let departments = department_names(conn, departments.iter()).await?;
    let notices = db::notices_of(conn, case.id).await?;
    let changed = changed_since(&notices).map(|set| set.into_iter().collect());
    let applicant_name = identity.legal_name.clone().unwrap_or_default();
    let claim_mine = claim_live && case.claimed_by == Some(viewer.user_id);
    let claim_expires_at = case.claim_expires_at.filter(|_| claim_live);
    let number = case.number.clone();
    let (detail, layout) = applications::case_view(conn, case, false).await?;
    let notice_fields = layout
        .sections
        .iter()
        .flat_map(|section| {
            section
                .fields
                .iter()
                .map(|field| (field.name.clone(), field.field.label.clone()))
        })
        .collect();
    let notice_materials = layout
        .materials()
        .map(|material| (material.name.clone(), material.material.name.clone()))
        .collect();
    audit::append(
        conn,
        actor,
        "case.view",
        &format!("case:{number}"),
        json!({ "role": viewer.role.code(), "personal_data": ["name", "resident_id", "form", "credit"] }),
        now,
    )
    .await?;
    Ok(StaffCaseView {
        detail,
        applicant_name,
        applicant_resident_id: identity.resident_id,
        identity_level: level,
        person_check,
        credit_findings: findings,
        claimed_by,
        claim_expires_at,
        claim_mine,
        departments,
        notice_fields,
        notice_materials,
        changed_since_last_notice: changed,
        filed_by,
        accepted_by,
    })
}

/// Where a case stands, for its page: acceptance, deadline, notices (and the open one with
/// what may change), department tasks, documents and the case's audit entries.
pub async fn progress(
    conn: &mut AnyConnection,
    case: &cases::CaseRow,
    layout: &FormLayout,
    values: &BTreeMap<String, RawValue>,
    for_applicant: bool,
) -> ServiceResult<CaseProgress> {
    let now = now_ms();
    let calendar = load_calendar(conn).await?;
    let status = CaseStatus::parse(&case.status).ok_or(AppError::Internal)?;
    let label = |name: &str| {
        layout.label_of(name).cloned().unwrap_or_else(|| Text {
            zh: name.to_owned(),
            en: name.to_owned(),
        })
    };
    let mut notices = Vec::new();
    let mut open_notice = None;
    let notice_rows = db::notices_of(conn, case.id).await?;
    for row in &notice_rows {
        let items = db::notice_items(conn, row.id).await?;
        let lines: Vec<NoticeLine> = items
            .into_iter()
            .filter_map(|item| {
                Some(NoticeLine {
                    label: label(&item.name),
                    item: CorrectionItem {
                        target: CorrectionTarget::parse(&item.kind)?,
                        name: item.name,
                        problem: item.problem,
                        clause: item.clause,
                    },
                })
            })
            .collect();
        if row.answered_at.is_none() && status == CaseStatus::Returned && for_applicant {
            let draft_public_id = db::draft_public_id(conn, case.draft_id).await?;
            let files = applications::files_of(conn, case.draft_id).await?;
            open_notice = Some(OpenNotice {
                round: row.round,
                fields: lines
                    .iter()
                    .filter(|line| line.item.target == CorrectionTarget::Field)
                    .filter_map(|line| {
                        let field = layout.field(&line.item.name)?;
                        Some(LaidOutAnswerField {
                            name: line.item.name.clone(),
                            field: field.field.clone(),
                            value: values.get(&line.item.name).cloned(),
                        })
                    })
                    .collect(),
                materials: lines
                    .iter()
                    .filter(|line| line.item.target == CorrectionTarget::Material)
                    .filter_map(|line| {
                        let material = layout.materials().find(|m| m.name == line.item.name)?;
                        Some(AnswerMaterial {
                            name: line.item.name.clone(),
                            material: material.material.clone(),
                            files: files
                                .iter()
                                .filter(|file| file.material_name == line.item.name)
                                .cloned()
                                .collect(),
                        })
                    })
                    .collect(),
                draft_id: draft_public_id.unwrap_or_default(),
            });
        }
        notices.push(NoticeView {
            round: row.round,
            issued_at: row.issued_at,
            items: lines,
            answered_at: row.answered_at,
        });
    }
    let mut tasks = Vec::new();
    for task in db::tasks_of_case(conn, case.id).await? {
        tasks.push(task_view_of(conn, &task, &calendar, now).await?);
    }
    let documents = db::documents_of(conn, case.id)
        .await?
        .into_iter()
        .map(|row| DocumentView {
            id: row.public_id,
            kind: row.kind,
            issued_at: row.issued_at,
            sha256: row.sha256,
        })
        .collect();
    let audit = audit_lines(conn, &case.number).await?;
    let deadline = case.deadline_on.as_deref().and_then(Day::parse);
    let pending = matches!(status, CaseStatus::InApproval);
    Ok(CaseProgress {
        acceptance_number: case.acceptance_number.clone(),
        accepted_at: case.accepted_at,
        deadline_on: case.deadline_on.clone(),
        due_flag: match (pending, case.clock_paused_at, deadline) {
            (true, Some(_), _) => Some(DueFlag::Paused),
            (true, None, Some(day)) => Some(due_flag(&calendar, day, now)),
            _ => None,
        },
        promised_days: case.promised_days,
        refusal: match (&case.refusal_reason, &case.refusal_note) {
            (Some(reason), Some(note)) => RefusalReason::parse(reason).map(|reason| RefusalView {
                reason,
                note: note.clone(),
            }),
            _ => None,
        },
        supplement_requested: tasks
            .iter()
            .any(|task| task.status == TaskStatus::Supplement),
        notices,
        open_notice,
        tasks,
        documents,
        audit,
        filed_by_worker: case.filed_by.is_some(),
    })
}

/// The audit entries of a case without staff personal data (who exactly, from where).
async fn audit_lines(conn: &mut AnyConnection, number: &str) -> ServiceResult<Vec<AuditLine>> {
    let rows = db::audit_entries_of(conn, &format!("case:{number}")).await?;
    Ok(rows
        .into_iter()
        .map(|(at, action, detail, hash)| {
            let detail: serde_json::Value = serde_json::from_str(&detail).unwrap_or_default();
            let text = |key: &str| {
                detail
                    .get(key)
                    .and_then(|value| value.as_str())
                    .map(str::to_owned)
            };
            AuditLine {
                at,
                action,
                role: text("role").unwrap_or_else(|| "applicant".into()),
                from: text("from"),
                to: text("to"),
                reason: text("reason"),
                hash_prefix: hash.chars().take(12).collect(),
            }
        })
        .collect())
}

// --- Documents ------------------------------------------------------------------------------

/// A document's PDF, for the case's applicant and for staff.
pub async fn document(
    state: &AppState,
    actor: &Actor,
    user: &CurrentUser,
    document_id: &str,
) -> ServiceResult<(String, Vec<u8>)> {
    let mut conn = state.db.read().await?;
    let (case_id, kind, pdf) = db::document_pdf(&mut conn, document_id)
        .await?
        .ok_or(DbError::NotFound)?;
    let case = cases::case_by_id(&mut conn, case_id)
        .await?
        .ok_or(DbError::NotFound)?;
    let allowed = match user.role {
        Role::Applicant => case.applicant_id == user.user_id,
        Role::FrontDesk | Role::Admin => true,
        Role::Approver => {
            let department = approver_department(&mut conn, user).await?;
            db::tasks_of_case(&mut conn, case.id)
                .await?
                .iter()
                .any(|task| task.department_code == department)
        }
        Role::Inspector => false,
    };
    if !allowed {
        return Err(DbError::NotFound.into());
    }
    if user.role != Role::Applicant {
        drop(conn);
        let mut tx = state.db.begin_write().await?;
        audit::append(
            &mut tx,
            actor,
            "document.view",
            &format!("case:{}", case.number),
            json!({ "role": user.role.code(), "document": document_id }),
            now_ms(),
        )
        .await?;
        tx.commit().await?;
    }
    Ok((format!("{kind}-{}.pdf", case.number), pdf))
}

// --- Calendar administration ----------------------------------------------------------------

pub async fn calendar_days(state: &AppState) -> ServiceResult<Vec<crate::api::CalendarDay>> {
    let mut conn = state.db.read().await?;
    Ok(db::calendar(&mut conn)
        .await?
        .into_iter()
        .map(|row| crate::api::CalendarDay {
            day: row.day,
            kind: row.kind,
            name: row.name,
        })
        .collect())
}

/// Sets a day of the calendar (a holiday, or a weekend day worked in exchange).
pub async fn set_calendar_day(
    state: &AppState,
    actor: &Actor,
    day: &str,
    kind: &str,
    name: &str,
) -> ServiceResult<()> {
    let mut errors = Vec::new();
    let parsed_day = Day::parse(day.trim());
    if parsed_day.is_none() {
        errors.push(FieldError::new(Field::CalendarDay, Problem::NotADate));
    }
    let parsed_kind = DayKind::parse(kind.trim());
    if parsed_kind.is_none() {
        errors.push(FieldError::new(Field::DayKind, Problem::UnknownChoice));
    }
    let name = text_of(Field::DayName, name, 40)
        .map_err(|error| errors.push(error))
        .ok();
    let (Some(day), Some(kind), Some(name)) = (parsed_day, parsed_kind, name) else {
        return Err(AppError::invalid(errors).into());
    };
    let now = now_ms();
    let mut tx = state.db.begin_write().await?;
    db::upsert_calendar_day(&mut tx, &day.to_string(), kind.code(), &name, now).await?;
    audit::append(
        &mut tx,
        actor,
        "calendar.set",
        &format!("calendar:{day}"),
        json!({ "kind": kind.code(), "name": name }),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn remove_calendar_day(state: &AppState, actor: &Actor, day: &str) -> ServiceResult<()> {
    let day = Day::parse(day.trim()).ok_or_else(|| {
        AppError::invalid(vec![FieldError::new(Field::CalendarDay, Problem::NotADate)])
    })?;
    let now = now_ms();
    let mut tx = state.db.begin_write().await?;
    if !db::delete_calendar_day(&mut tx, &day.to_string()).await? {
        return Err(DbError::NotFound.into());
    }
    audit::append(
        &mut tx,
        actor,
        "calendar.remove",
        &format!("calendar:{day}"),
        json!({}),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Walks the audit chain (admin page and CLI).
pub async fn verify_audit(state: &AppState) -> ServiceResult<crate::api::AuditVerification> {
    let mut conn = state.db.read().await?;
    // The entry count comes from the walk when it succeeds; only a broken chain needs a count.
    let broken = |id: i64, how: &str| (id, how.to_owned());
    let first_broken = match audit::verify_chain(&mut conn).await {
        Ok(entries) => {
            return Ok(crate::api::AuditVerification {
                entries,
                first_broken: None,
            });
        }
        Err(audit::ChainError::ContentChanged { id }) => broken(id, "content_changed"),
        Err(audit::ChainError::LinkBroken { id }) => broken(id, "link_broken"),
        Err(audit::ChainError::Db(error)) => return Err(error.into()),
    };
    let count = db::audit_entry_count(&mut conn).await?;
    Ok(crate::api::AuditVerification {
        entries: u64::try_from(count).unwrap_or(0),
        first_broken: Some(first_broken),
    })
}

// --- Walk-in filing (代办) --------------------------------------------------------------------

/// The verified applicant account a phone number, email or resident ID belongs to.
async fn applicant_by_lookup(conn: &mut AnyConnection, lookup: &str) -> ServiceResult<i64> {
    let not_found = || {
        AppError::invalid(vec![FieldError::new(
            Field::ApplicantLookup,
            Problem::NoSuchApplicant,
        )])
    };
    let lookup = lookup.trim();
    if lookup.is_empty() {
        return Err(AppError::invalid(vec![FieldError::new(
            Field::ApplicantLookup,
            Problem::Required,
        )])
        .into());
    }
    let user_id = if let Ok(resident_id) = crate::domain::ResidentId::parse(lookup) {
        identity_db::user_with_resident_id(conn, resident_id.as_str()).await?
    } else if let Ok(login) = crate::domain::LoginId::parse(lookup) {
        let login = match &login {
            crate::domain::LoginId::Phone(phone) => phone.as_str().to_owned(),
            crate::domain::LoginId::Email(email) => email.as_str().to_owned(),
        };
        crate::backend::db::accounts::find_by_login(conn, &login)
            .await?
            .filter(|user| user.role == Role::Applicant.code() && user.removed_at.is_none())
            .map(|user| user.id)
    } else {
        None
    };
    let user_id = user_id.ok_or_else(not_found)?;
    let identity = identity_db::identity(conn, user_id).await?;
    // Only an applicant whose name and ID were matched against the registry can be filed for.
    if identity.registry_matched_at.is_none() {
        return Err(not_found().into());
    }
    Ok(user_id)
}

/// Finds a walk-in applicant's verified account by phone, email or resident ID (the lookup
/// of personal data is audited).
pub async fn find_applicant(
    state: &AppState,
    actor: &Actor,
    lookup: &str,
) -> ServiceResult<crate::api::ApplicantMatch> {
    let now = now_ms();
    let mut tx = state.db.begin_write().await?;
    let user_id = applicant_by_lookup(&mut tx, lookup).await?;
    let identity = identity_db::identity(&mut tx, user_id).await?;
    let user = crate::backend::db::accounts::find_by_id(&mut tx, user_id)
        .await?
        .ok_or(DbError::NotFound)?;
    audit::append(
        &mut tx,
        actor,
        "filing.lookup",
        &format!("user:{user_id}"),
        json!({ "role": "front_desk" }),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(crate::api::ApplicantMatch {
        reference: lookup.trim().to_owned(),
        masked_name: super::identity::mask_name(identity.legal_name.as_deref().unwrap_or_default()),
        masked_login: crate::domain::LoginId::parse(&user.login)
            .map(|login| login.masked())
            .unwrap_or_default(),
        identity_level: super::identity::level_of(&identity),
    })
}

/// Starts an application the worker fills in for a walk-in applicant; the applicant is told
/// to check, sign and submit it on their own phone. Returns the draft id.
pub async fn start_filing(
    state: &AppState,
    actor: &Actor,
    worker: &CurrentUser,
    reference: &str,
    target: &str,
    code: &str,
) -> ServiceResult<String> {
    let kind = crate::domain::case::TargetKind::parse(target.trim())
        .ok_or_else(|| AppError::invalid(Vec::new()))?;
    let now = now_ms();
    let mut tx = state.db.begin_write().await?;
    let applicant_id = applicant_by_lookup(&mut tx, reference).await?;
    let place = db::staff_place(&mut tx, worker.user_id)
        .await?
        .ok_or(AppError::Forbidden)?;
    let target = applications::load_target(&mut tx, kind, code.trim()).await?;
    let (known, _, _) = super::identity::known_identity(&mut tx, applicant_id).await?;
    let values = target.layout.prefill(&known);
    let values_json = serde_json::to_string(&values).map_err(anyhow::Error::from)?;
    let public_id = random_token(12);
    let draft_id = cases::insert_draft(
        &mut tx,
        cases::NewDraft {
            public_id: &public_id,
            applicant_id,
            target_kind: kind.code(),
            target_code: &target.code,
            form_values: &values_json,
            filed_by: Some(worker.user_id),
            filed_centre: place.centre_code.as_deref(),
            now,
        },
    )
    .await?;
    crate::backend::db::notices::notify(&mut tx, applicant_id, None, "filing_started", now).await?;
    audit::append(
        &mut tx,
        actor,
        "filing.start",
        &format!("draft:{draft_id}"),
        json!({ "role": "front_desk", "applicant": applicant_id, "target": kind.code(), "code": target.code }),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(public_id)
}

/// The applications a worker filled in for walk-in applicants.
pub async fn my_filings(
    state: &AppState,
    worker: &CurrentUser,
) -> ServiceResult<Vec<crate::api::FilingSummary>> {
    let mut conn = state.db.read().await?;
    let mut filings = Vec::new();
    for row in cases::filings_of(&mut conn, worker.user_id).await? {
        let identity = identity_db::identity(&mut conn, row.applicant_id).await?;
        let case_number = match row.case_id {
            Some(case_id) => cases::case_by_id(&mut conn, case_id)
                .await?
                .map(|case| case.number),
            None => None,
        };
        let title = match crate::domain::case::TargetKind::parse(&row.target_kind) {
            Some(kind) => applications::load_target(&mut conn, kind, &row.target_code)
                .await
                .map(|target| target.title)
                .unwrap_or_else(|_| Text {
                    zh: row.target_code.clone(),
                    en: row.target_code.clone(),
                }),
            None => Text {
                zh: row.target_code.clone(),
                en: row.target_code.clone(),
            },
        };
        filings.push(crate::api::FilingSummary {
            draft_id: row.public_id,
            title,
            masked_name: super::identity::mask_name(
                identity.legal_name.as_deref().unwrap_or_default(),
            ),
            updated_at: row.updated_at,
            case_number,
        });
    }
    Ok(filings)
}
