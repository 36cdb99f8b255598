//! Server functions of the front desk (受理工作台), the approvers (审批工作台), the applicant's
//! answers to notices and supplement requests, and the service office's calendar and audit
//! check. Thin: context → authorize → service → map error.

use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use super::{
    AppError, AuditVerification, CalendarDay, DeskQueuePage, DeskQueueQuery, StaffCaseView,
    TaskQueuePage, TaskQueueQuery, TaskVerdict, TaskWorkView,
};
use crate::domain::back_office::CorrectionItem;
use crate::domain::form_values::RawValue;

#[cfg(feature = "ssr")]
use crate::backend::{authz::RequestCtx, services::back_office};

/// The front-desk queue: waiting cases of every item, oldest first, filtered.
#[server(endpoint = "desk/queue", input = Json)]
pub async fn desk_queue(query: DeskQueueQuery) -> Result<DeskQueuePage, AppError> {
    let ctx = RequestCtx::current()?;
    let worker = ctx.require_user(crate::access::FRONT_DESK)?.clone();
    ctx.finish(back_office::desk_queue(&ctx.state, &worker, &query).await)
}

/// A case with everything the front desk needs to decide (the view is audited).
#[server(endpoint = "desk/case")]
pub async fn desk_case(number: String) -> Result<StaffCaseView, AppError> {
    let ctx = RequestCtx::current()?;
    let worker = ctx.require_user(crate::access::FRONT_DESK)?.clone();
    ctx.finish(back_office::desk_case(&ctx.state, &ctx.audit_actor(), &worker, &number).await)
}

/// Claims a waiting case (or renews the worker's claim); returns when the claim runs out.
#[server(endpoint = "desk/claim")]
pub async fn claim_case(number: String) -> Result<i64, AppError> {
    let ctx = RequestCtx::current()?;
    let worker = ctx.require_user(crate::access::FRONT_DESK)?.clone();
    ctx.finish(back_office::claim(&ctx.state, &ctx.audit_actor(), &worker, &number).await)
}

/// Gives a claim back.
#[server(endpoint = "desk/release")]
pub async fn release_case(number: String) -> Result<(), AppError> {
    let ctx = RequestCtx::current()?;
    let worker = ctx.require_user(crate::access::FRONT_DESK)?.clone();
    ctx.finish(back_office::release(&ctx.state, &ctx.audit_actor(), &worker, &number).await)
}

/// Accepts a claimed case; returns the acceptance number.
#[server(endpoint = "desk/accept")]
pub async fn accept_case(number: String) -> Result<String, AppError> {
    let ctx = RequestCtx::current()?;
    let worker = ctx.require_user(crate::access::FRONT_DESK)?.clone();
    ctx.finish(back_office::accept(&ctx.state, &ctx.audit_actor(), &worker, &number).await)
}

/// Returns a claimed case with one correction notice listing everything to fix.
#[server(endpoint = "desk/return", input = Json)]
pub async fn return_case(number: String, items: Vec<CorrectionItem>) -> Result<(), AppError> {
    let ctx = RequestCtx::current()?;
    let worker = ctx.require_user(crate::access::FRONT_DESK)?.clone();
    ctx.finish(
        back_office::return_for_correction(&ctx.state, &ctx.audit_actor(), &worker, &number, items)
            .await,
    )
}

/// Refuses to accept a claimed case, with a listed reason and an explanation.
#[server(endpoint = "desk/refuse")]
pub async fn refuse_case(number: String, reason: String, note: String) -> Result<(), AppError> {
    let ctx = RequestCtx::current()?;
    let worker = ctx.require_user(crate::access::FRONT_DESK)?.clone();
    ctx.finish(
        back_office::refuse(
            &ctx.state,
            &ctx.audit_actor(),
            &worker,
            &number,
            &reason,
            &note,
        )
        .await,
    )
}

/// The approver's department queue.
#[server(endpoint = "approvals/queue", input = Json)]
pub async fn task_queue(query: TaskQueueQuery) -> Result<TaskQueuePage, AppError> {
    let ctx = RequestCtx::current()?;
    let approver = ctx.require_user(crate::access::APPROVERS)?.clone();
    ctx.finish(back_office::task_queue(&ctx.state, &approver, &query).await)
}

/// A task of the approver's department with its whole case (the view is audited).
#[server(endpoint = "approvals/task")]
pub async fn load_task(task_id: String) -> Result<TaskWorkView, AppError> {
    let ctx = RequestCtx::current()?;
    let approver = ctx.require_user(crate::access::APPROVERS)?.clone();
    ctx.finish(back_office::task_view(&ctx.state, &ctx.audit_actor(), &approver, &task_id).await)
}

/// Approves (opinion), rejects (reason) or asks for a supplement (what to supply).
#[server(endpoint = "approvals/decide", input = Json)]
pub async fn decide_task(
    task_id: String,
    verdict: TaskVerdict,
    text: String,
) -> Result<(), AppError> {
    let ctx = RequestCtx::current()?;
    let approver = ctx.require_user(crate::access::APPROVERS)?.clone();
    ctx.finish(
        back_office::decide_task(
            &ctx.state,
            &ctx.audit_actor(),
            &approver,
            &task_id,
            verdict,
            &text,
        )
        .await,
    )
}

/// Extends a task's time limit by working days, with a reason; returns the case deadline.
#[server(endpoint = "approvals/extend")]
pub async fn extend_task(task_id: String, days: u32, reason: String) -> Result<String, AppError> {
    let ctx = RequestCtx::current()?;
    let approver = ctx.require_user(crate::access::APPROVERS)?.clone();
    ctx.finish(
        back_office::extend_task(
            &ctx.state,
            &ctx.audit_actor(),
            &approver,
            &task_id,
            days,
            &reason,
        )
        .await,
    )
}

/// The applicant answers the open correction notice (only the listed fields).
#[server(endpoint = "applications/answer-notice", input = Json)]
pub async fn answer_notice(
    number: String,
    values: BTreeMap<String, RawValue>,
) -> Result<(), AppError> {
    let ctx = RequestCtx::current()?;
    let user = ctx.require_user(crate::access::APPLICANTS)?.clone();
    ctx.finish(
        back_office::answer_notice(&ctx.state, &ctx.audit_actor(), &user, &number, values).await,
    )
}

/// The applicant answers the departments' supplement requests; the clocks resume.
#[server(endpoint = "applications/answer-supplement")]
pub async fn answer_supplement(number: String, answer: String) -> Result<(), AppError> {
    let ctx = RequestCtx::current()?;
    let user = ctx.require_user(crate::access::APPLICANTS)?.clone();
    ctx.finish(
        back_office::answer_supplement(&ctx.state, &ctx.audit_actor(), &user, &number, &answer)
            .await,
    )
}

/// The working-day calendar's exceptions.
#[server(endpoint = "admin/calendar")]
pub async fn calendar_days() -> Result<Vec<CalendarDay>, AppError> {
    let ctx = RequestCtx::current()?;
    ctx.require_user(crate::access::ADMINS)?;
    ctx.finish(back_office::calendar_days(&ctx.state).await)
}

/// Sets a holiday or make-up working day.
#[server(endpoint = "admin/calendar/set")]
pub async fn set_calendar_day(day: String, kind: String, name: String) -> Result<(), AppError> {
    let ctx = RequestCtx::current()?;
    ctx.require_user(crate::access::ADMINS)?;
    ctx.finish(
        back_office::set_calendar_day(&ctx.state, &ctx.audit_actor(), &day, &kind, &name).await,
    )
}

/// Removes a day from the calendar (it follows the weekday rule again).
#[server(endpoint = "admin/calendar/remove")]
pub async fn remove_calendar_day(day: String) -> Result<(), AppError> {
    let ctx = RequestCtx::current()?;
    ctx.require_user(crate::access::ADMINS)?;
    ctx.finish(back_office::remove_calendar_day(&ctx.state, &ctx.audit_actor(), &day).await)
}

/// Walks the audit hash chain and names the first broken entry.
#[server(endpoint = "admin/audit/verify")]
pub async fn verify_audit_chain() -> Result<AuditVerification, AppError> {
    let ctx = RequestCtx::current()?;
    ctx.require_user(crate::access::ADMINS)?;
    ctx.finish(back_office::verify_audit(&ctx.state).await)
}

/// Finds a walk-in applicant's verified account by phone, email or resident ID.
#[server(endpoint = "desk/filing/find")]
pub async fn find_applicant(lookup: String) -> Result<super::ApplicantMatch, AppError> {
    let ctx = RequestCtx::current()?;
    ctx.require_user(crate::access::FRONT_DESK)?;
    ctx.finish(back_office::find_applicant(&ctx.state, &ctx.audit_actor(), &lookup).await)
}

/// Starts filling in an application for a walk-in applicant; returns the draft id.
#[server(endpoint = "desk/filing/start")]
pub async fn start_filing(
    reference: String,
    target: String,
    code: String,
) -> Result<String, AppError> {
    let ctx = RequestCtx::current()?;
    let worker = ctx.require_user(crate::access::FRONT_DESK)?.clone();
    ctx.finish(
        back_office::start_filing(
            &ctx.state,
            &ctx.audit_actor(),
            &worker,
            &reference,
            &target,
            &code,
        )
        .await,
    )
}

/// The applications the worker filled in for walk-in applicants.
#[server(endpoint = "desk/filings")]
pub async fn my_filings() -> Result<Vec<super::FilingSummary>, AppError> {
    let ctx = RequestCtx::current()?;
    let worker = ctx.require_user(crate::access::FRONT_DESK)?.clone();
    ctx.finish(back_office::my_filings(&ctx.state, &worker).await)
}
