//! Server functions of the applicant journey: identity verification, applications (start,
//! autosave, submit, withdraw), 我的办件 and notifications. Applicants only; every service
//! checks ownership itself (another applicant's draft or case is not found).

use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use super::{
    AppError, ApplicationDraft, CaseDetail, CodeSent, CommitmentLetter, DraftSaved, IdentityStatus,
    MyApplications, Notification, SignCommitmentRequest, SignedCommitment,
};
use crate::domain::form_values::RawValue;

#[cfg(feature = "ssr")]
use crate::backend::{
    authz::RequestCtx,
    services::{applications, commitments, identity},
};

/// The signed-in applicant's identity verification and credit status.
#[server(endpoint = "identity/status")]
pub async fn load_identity_status() -> Result<IdentityStatus, AppError> {
    let ctx = RequestCtx::current()?;
    let user = ctx.require_user(crate::access::APPLICANTS)?.clone();
    ctx.finish(identity::status(&ctx.state, &user).await)
}

/// Sends a one-time code to the account's phone or email, to confirm it (level 1).
#[server(endpoint = "identity/send-code")]
pub async fn send_contact_code() -> Result<CodeSent, AppError> {
    let ctx = RequestCtx::current()?;
    let user = ctx.require_user(crate::access::APPLICANTS)?.clone();
    ctx.finish(
        identity::send_code(
            &ctx.state,
            &ctx.audit_actor(),
            &user,
            identity::CodePurpose::ConfirmContact,
        )
        .await,
    )
}

/// Confirms the phone or email with the code sent (level 1).
#[server(endpoint = "identity/confirm-contact")]
pub async fn confirm_contact(code: String) -> Result<(), AppError> {
    let ctx = RequestCtx::current()?;
    let user = ctx.require_user(crate::access::APPLICANTS)?.clone();
    ctx.finish(identity::confirm_contact(&ctx.state, &ctx.audit_actor(), &user, &code).await)
}

/// Matches name and resident ID against the population registry (level 2).
#[server(endpoint = "identity/verify-resident")]
pub async fn verify_resident(legal_name: String, resident_id: String) -> Result<(), AppError> {
    let ctx = RequestCtx::current()?;
    let user = ctx.require_user(crate::access::APPLICANTS)?.clone();
    ctx.finish(
        identity::verify_resident(
            &ctx.state,
            &ctx.audit_actor(),
            &user,
            &legal_name,
            &resident_id,
        )
        .await,
    )
}

/// Starts an application for an item (`target = "item"`) or a bundle (`"bundle"`); returns
/// the new draft's id.
#[server(endpoint = "applications/start")]
pub async fn start_application(target: String, code: String) -> Result<String, AppError> {
    let ctx = RequestCtx::current()?;
    let user = ctx.require_user(crate::access::APPLICANTS)?.clone();
    let Some(kind) = crate::domain::case::TargetKind::parse(&target) else {
        ctx.set_status(422);
        return Err(AppError::invalid(Vec::new()));
    };
    ctx.finish(
        applications::start(&ctx.state, &ctx.audit_actor(), &user, kind, &code)
            .await
            .map(|draft| draft.draft_id),
    )
}

/// A draft of the signed-in applicant, with its form.
#[server(endpoint = "applications/draft")]
pub async fn load_application(draft_id: String) -> Result<ApplicationDraft, AppError> {
    let ctx = RequestCtx::current()?;
    let user = ctx.require_user(crate::access::DRAFT_EDITORS)?.clone();
    ctx.finish(applications::load(&ctx.state, &user, &draft_id).await)
}

/// Autosave of a draft's values (409 when another device saved meanwhile).
#[server(endpoint = "applications/save", input = Json)]
pub async fn save_application(
    draft_id: String,
    revision: i64,
    values: BTreeMap<String, RawValue>,
) -> Result<DraftSaved, AppError> {
    let ctx = RequestCtx::current()?;
    let user = ctx.require_user(crate::access::DRAFT_EDITORS)?.clone();
    ctx.finish(applications::save(&ctx.state, &user, &draft_id, revision, &values).await)
}

/// Deletes an unsubmitted draft.
#[server(endpoint = "applications/discard")]
pub async fn discard_application(draft_id: String) -> Result<(), AppError> {
    let ctx = RequestCtx::current()?;
    let user = ctx.require_user(crate::access::APPLICANTS)?.clone();
    ctx.finish(applications::discard(&ctx.state, &ctx.audit_actor(), &user, &draft_id).await)
}

/// Removes an uploaded file from a draft.
#[server(endpoint = "applications/file/remove")]
pub async fn remove_application_file(draft_id: String, file_id: String) -> Result<(), AppError> {
    let ctx = RequestCtx::current()?;
    let user = ctx.require_user(crate::access::DRAFT_EDITORS)?.clone();
    ctx.finish(
        applications::remove_file(&ctx.state, &ctx.audit_actor(), &user, &draft_id, &file_id).await,
    )
}

/// Submits a draft; returns the case number (the same one when submitted twice).
#[server(endpoint = "applications/submit")]
pub async fn submit_application(draft_id: String) -> Result<String, AppError> {
    let ctx = RequestCtx::current()?;
    let user = ctx.require_user(crate::access::APPLICANTS)?.clone();
    ctx.finish(applications::submit(&ctx.state, &ctx.audit_actor(), &user, &draft_id).await)
}

/// 我的办件: cases and drafts.
#[server(endpoint = "applications/mine")]
pub async fn load_my_applications() -> Result<MyApplications, AppError> {
    let ctx = RequestCtx::current()?;
    let user = ctx.require_user(crate::access::APPLICANTS)?.clone();
    ctx.finish(applications::mine(&ctx.state, &user).await)
}

/// One of the applicant's cases, with its timeline.
#[server(endpoint = "applications/case")]
pub async fn load_case(number: String) -> Result<CaseDetail, AppError> {
    let ctx = RequestCtx::current()?;
    let user = ctx.require_user(crate::access::APPLICANTS)?.clone();
    ctx.finish(applications::case_detail(&ctx.state, &user, &number).await)
}

/// Withdraws a case before a decision.
#[server(endpoint = "applications/withdraw")]
pub async fn withdraw_case(number: String) -> Result<(), AppError> {
    let ctx = RequestCtx::current()?;
    let user = ctx.require_user(crate::access::APPLICANTS)?.clone();
    ctx.finish(applications::withdraw(&ctx.state, &ctx.audit_actor(), &user, &number).await)
}

/// The applicant's notifications and the unread count.
#[server(endpoint = "notifications/list")]
pub async fn my_notifications() -> Result<(Vec<Notification>, i64), AppError> {
    let ctx = RequestCtx::current()?;
    let user = ctx.require_user(crate::access::APPLICANTS)?.clone();
    ctx.finish(applications::notifications(&ctx.state, &user).await)
}

/// Marks every notification read.
#[server(endpoint = "notifications/read")]
pub async fn read_notifications() -> Result<(), AppError> {
    let ctx = RequestCtx::current()?;
    let user = ctx.require_user(crate::access::APPLICANTS)?.clone();
    ctx.finish(applications::mark_notifications_read(&ctx.state, &user).await)
}

/// The commitment letter of a draft and its signature.
#[server(endpoint = "commitments/letter")]
pub async fn load_commitment_letter(draft_id: String) -> Result<CommitmentLetter, AppError> {
    let ctx = RequestCtx::current()?;
    let user = ctx.require_user(crate::access::APPLICANTS)?.clone();
    ctx.finish(commitments::letter(&ctx.state, &user, &draft_id).await)
}

/// Sends the one-time code that confirms a signature.
#[server(endpoint = "commitments/send-code")]
pub async fn send_signing_code() -> Result<CodeSent, AppError> {
    let ctx = RequestCtx::current()?;
    let user = ctx.require_user(crate::access::APPLICANTS)?.clone();
    ctx.finish(commitments::send_code(&ctx.state, &ctx.audit_actor(), &user).await)
}

/// Signs the commitment letter of a draft (signature made in the browser).
#[server(endpoint = "commitments/sign", input = Json)]
pub async fn sign_commitment(request: SignCommitmentRequest) -> Result<SignedCommitment, AppError> {
    let ctx = RequestCtx::current()?;
    let user = ctx.require_user(crate::access::APPLICANTS)?.clone();
    ctx.finish(
        commitments::sign(&ctx.state, &ctx.audit_actor(), &ctx.client, &user, &request).await,
    )
}

/// Asks the front desk for the person–ID check (level 3) with the photos uploaded.
#[server(endpoint = "identity/request-person-check")]
pub async fn request_person_check() -> Result<(), AppError> {
    let ctx = RequestCtx::current()?;
    let user = ctx.require_user(crate::access::APPLICANTS)?.clone();
    ctx.finish(identity::request_person_check(&ctx.state, &ctx.audit_actor(), &user).await)
}

/// Person–ID checks waiting for review (front desk and service office).
#[server(endpoint = "desk/person-checks")]
pub async fn pending_person_checks() -> Result<Vec<super::PersonCheckReview>, AppError> {
    let ctx = RequestCtx::current()?;
    ctx.require_user(crate::access::IDENTITY_REVIEWERS)?;
    ctx.finish(identity::pending_person_checks(&ctx.state).await)
}

/// Approves or refuses (with a reason) a person–ID check.
#[server(endpoint = "desk/person-check/decide")]
pub async fn decide_person_check(
    check_id: String,
    approve: bool,
    reason: String,
) -> Result<(), AppError> {
    let ctx = RequestCtx::current()?;
    let reviewer = ctx.require_user(crate::access::IDENTITY_REVIEWERS)?.clone();
    ctx.finish(
        identity::decide_person_check(
            &ctx.state,
            &ctx.audit_actor(),
            &reviewer,
            &check_id,
            approve,
            &reason,
        )
        .await,
    )
}
