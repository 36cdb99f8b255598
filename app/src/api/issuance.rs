//! Server functions of issuance and delivery: the holder's licences and delivery choice, the
//! front desk's paper queue (courier dispatch and outcome, pickup by code), the inspectors'
//! workbench, public verification, and the administrator's revocation and feed tokens. Thin:
//! context → authorize → service → map error.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use super::{
    AppError, DeliveryInput, DeliveryView, InspectionEntry, InspectionInput, InspectionView,
    IssuanceView, PaperEntry, PickupDone, Verification,
};

#[cfg(feature = "ssr")]
use crate::backend::{
    authz::RequestCtx,
    services::{issuance, supervision},
};

/// The licences, delivery and inspections of the applicant's own case.
#[server(endpoint = "licences/of-case")]
pub async fn issuance_of_case(number: String) -> Result<IssuanceView, AppError> {
    let ctx = RequestCtx::current()?;
    let user = ctx.require_user(crate::access::APPLICANTS)?.clone();
    ctx.finish(issuance::issuance_of_case(&ctx.state, &user, &number).await)
}

/// The applicant chooses electronic delivery, courier (with an address) or pickup at a centre.
#[server(endpoint = "licences/delivery", input = Json)]
pub async fn choose_delivery(
    number: String,
    choice: DeliveryInput,
) -> Result<DeliveryView, AppError> {
    let ctx = RequestCtx::current()?;
    let user = ctx.require_user(crate::access::APPLICANTS)?.clone();
    ctx.finish(
        issuance::choose_delivery(&ctx.state, &ctx.audit_actor(), &user, &number, &choice).await,
    )
}

/// Paper to send or hand over, for the front desk.
#[server(endpoint = "desk/paper")]
pub async fn paper_queue() -> Result<Vec<PaperEntry>, AppError> {
    let ctx = RequestCtx::current()?;
    ctx.require_user(crate::access::FRONT_DESK)?;
    ctx.finish(issuance::paper_queue(&ctx.state).await)
}

/// The parcel left: carrier and tracking number.
#[server(endpoint = "desk/dispatch")]
pub async fn record_dispatch(
    number: String,
    carrier: String,
    tracking_number: String,
) -> Result<(), AppError> {
    let ctx = RequestCtx::current()?;
    let worker = ctx.require_user(crate::access::FRONT_DESK)?.clone();
    ctx.finish(
        issuance::record_dispatch(
            &ctx.state,
            &ctx.audit_actor(),
            &worker,
            &number,
            &carrier,
            &tracking_number,
        )
        .await,
    )
}

/// The courier's result: delivered, or failed with the reason.
#[server(endpoint = "desk/courier-outcome")]
pub async fn record_courier_outcome(
    number: String,
    delivered: bool,
    note: String,
) -> Result<(), AppError> {
    let ctx = RequestCtx::current()?;
    let worker = ctx.require_user(crate::access::FRONT_DESK)?.clone();
    ctx.finish(
        issuance::record_courier_outcome(
            &ctx.state,
            &ctx.audit_actor(),
            &worker,
            &number,
            delivered,
            &note,
        )
        .await,
    )
}

/// Hands a licence over at the worker's centre against the applicant's pickup code.
#[server(endpoint = "desk/pickup")]
pub async fn pickup_licence(code: String) -> Result<PickupDone, AppError> {
    let ctx = RequestCtx::current()?;
    let worker = ctx.require_user(crate::access::FRONT_DESK)?.clone();
    ctx.finish(issuance::pickup(&ctx.state, &ctx.audit_actor(), &worker, &code).await)
}

/// The inspector's open inspection tasks.
#[server(endpoint = "inspections/queue")]
pub async fn inspection_queue() -> Result<Vec<InspectionEntry>, AppError> {
    let ctx = RequestCtx::current()?;
    let inspector = ctx.require_user(crate::access::INSPECTORS)?.clone();
    ctx.finish(supervision::queue(&ctx.state, &inspector).await)
}

/// An inspection task with the commitment to check.
#[server(endpoint = "inspections/task")]
pub async fn inspection_task(id: String) -> Result<InspectionView, AppError> {
    let ctx = RequestCtx::current()?;
    let inspector = ctx.require_user(crate::access::INSPECTORS)?.clone();
    ctx.finish(supervision::view(&ctx.state, &inspector, &id).await)
}

/// Records a visit: compliant, non-compliant (findings, deadline), rectified or unrectified.
#[server(endpoint = "inspections/record", input = Json)]
pub async fn record_inspection(id: String, visit: InspectionInput) -> Result<(), AppError> {
    let ctx = RequestCtx::current()?;
    let inspector = ctx.require_user(crate::access::INSPECTORS)?.clone();
    ctx.finish(supervision::record(&ctx.state, &ctx.audit_actor(), &inspector, &id, &visit).await)
}

/// Public: what a scanned token proves (no login).
#[server(endpoint = "verify")]
pub async fn verify_licence(token: String) -> Result<Verification, AppError> {
    let ctx = RequestCtx::current()?;
    ctx.finish(issuance::verify_token(&ctx.state, &token).await)
}

/// An administrator revokes a licence with a reason.
#[server(endpoint = "admin/revoke-licence")]
pub async fn revoke_licence(
    licence_type: String,
    number: String,
    reason: String,
) -> Result<(), AppError> {
    let ctx = RequestCtx::current()?;
    ctx.require_user(crate::access::ADMINS)?;
    ctx.finish(
        issuance::revoke(
            &ctx.state,
            &ctx.audit_actor(),
            &licence_type,
            &number,
            &reason,
        )
        .await,
    )
}

/// An administrator creates an approvals-feed token (shown once).
#[server(endpoint = "admin/feed-token")]
pub async fn create_feed_token(name: String) -> Result<String, AppError> {
    let ctx = RequestCtx::current()?;
    ctx.require_user(crate::access::ADMINS)?;
    ctx.finish(issuance::create_feed_token(&ctx.state, &ctx.audit_actor(), &name).await)
}
