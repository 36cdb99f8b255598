//! Types of issuance and delivery that cross the wire: licences as their holder sees them, the
//! result of a public verification, the delivery choice and the paper queue of the front desk,
//! inspection tasks, and the approvals feed.

use serde::{Deserialize, Serialize};

use crate::domain::catalogue::Text;
use crate::domain::licence::{DeliveryChoice, VerificationStatus};

/// A licence of the holder's case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LicenceView {
    pub id: String,
    pub name: Text,
    pub number: String,
    pub credit_code: Option<String>,
    pub holder_name: String,
    pub valid_from: String,
    pub valid_until: Option<String>,
    pub issued_at: i64,
    pub revoked_at: Option<i64>,
    pub revoked_reason: Option<String>,
    /// Where a checker verifies it: the QR code's URL, relative to the portal.
    pub verify_path: String,
}

/// What `/verify` says about a licence: the status and the least data needed to match the
/// paper in hand.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Verification {
    pub status: VerificationStatus,
    /// Present when the licence is authentic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub licence: Option<VerifiedLicence>,
}

/// The facts of an authentic licence a checker may see (no resident ID, person names masked).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct VerifiedLicence {
    pub licence_type: String,
    pub name_zh: String,
    pub name_en: String,
    pub number: String,
    pub holder: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit_code: Option<String>,
    pub valid_from: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<String>,
    pub issuing_department_zh: String,
    pub issuing_department_en: String,
    /// Revocation time (milliseconds since the epoch) and reason, when revoked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_reason: Option<String>,
}

/// The applicant's delivery choice as entered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeliveryInput {
    pub mode: DeliveryChoice,
    #[serde(default)]
    pub recipient_name: String,
    #[serde(default)]
    pub recipient_phone: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub pickup_centre: String,
}

/// A service centre one may pick the licence up at.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CentreChoice {
    pub code: String,
    pub name: Text,
    pub address: String,
}

/// Delivery as the applicant sees it on the case page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeliveryView {
    /// The modes the case's items allow (electronic always).
    pub offered: Vec<DeliveryChoice>,
    pub centres: Vec<CentreChoice>,
    pub mode: DeliveryChoice,
    pub recipient_name: Option<String>,
    pub recipient_phone: Option<String>,
    pub address: Option<String>,
    pub pickup_centre: Option<CentreChoice>,
    /// Shown to the holder once issued; the worker at the centre asks for it.
    pub pickup_code: Option<String>,
    pub carrier: Option<String>,
    pub tracking_number: Option<String>,
    pub dispatched_at: Option<i64>,
    pub outcome: Option<String>,
    pub outcome_at: Option<i64>,
    pub picked_up_at: Option<i64>,
    /// The choice can still change (nothing dispatched or collected yet).
    pub changeable: bool,
}

/// The licences of a case and their delivery.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IssuanceView {
    pub licences: Vec<LicenceView>,
    pub delivery: Option<DeliveryView>,
    pub inspections: Vec<InspectionSummary>,
}

/// An inspection of the holder's licence, as the holder sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InspectionSummary {
    pub licence_number: String,
    pub status: String,
    pub due_on: String,
    pub rectify_by: Option<String>,
    pub findings: Option<String>,
}

/// A line of the front desk's paper queue (courier parcels and pickups).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaperEntry {
    pub number: String,
    pub title: Text,
    pub mode: DeliveryChoice,
    pub recipient_name: Option<String>,
    pub address: Option<String>,
    pub pickup_centre: Option<String>,
    pub carrier: Option<String>,
    pub tracking_number: Option<String>,
    pub dispatched_at: Option<i64>,
    pub outcome: Option<String>,
}

/// What a worker learns when a pickup code is accepted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PickupDone {
    pub case_number: String,
    pub holder: String,
    pub licences: Vec<String>,
}

/// A line of an inspector's workbench.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InspectionEntry {
    pub id: String,
    pub case_number: String,
    pub licence_name: Text,
    pub licence_number: String,
    pub holder: String,
    pub street: String,
    pub status: String,
    pub due_on: String,
    pub rectify_by: Option<String>,
}

/// One visit of an inspection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VisitView {
    pub outcome: String,
    pub findings: String,
    pub rectify_by: Option<String>,
    pub visited_at: i64,
    pub inspector: String,
}

/// An inspection task with the commitments to check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InspectionView {
    pub entry: InspectionEntry,
    pub business_address: Option<String>,
    pub commitment: Text,
    pub visits: Vec<VisitView>,
}

/// An inspector's record of a visit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InspectionInput {
    pub outcome: String,
    pub findings: String,
    #[serde(default)]
    pub rectify_by: String,
}

/// One approval of the feed (批管同步), as the enforcement platform receives it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FeedApproval {
    /// The cursor: pass the last one seen as `since`.
    pub id: i64,
    pub case_number: String,
    pub title_zh: String,
    pub items: Vec<String>,
    pub approved_at: i64,
    pub holder: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub business_address: Option<String>,
    pub commitment_based: bool,
    pub licences: Vec<FeedLicence>,
}

/// A licence in the feed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FeedLicence {
    pub licence_type: String,
    pub number: String,
    pub valid_from: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<String>,
    pub department: String,
}

/// A page of the approvals feed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FeedPage {
    pub approvals: Vec<FeedApproval>,
    /// Pass as `since` for the next page; equal to the request's `since` when nothing is new.
    pub next_since: i64,
}
