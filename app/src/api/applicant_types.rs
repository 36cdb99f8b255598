//! Types of the applicant journey that cross the wire: identity status, application forms and
//! drafts, cases and their timeline, notifications. Built on the server from row types that
//! never leave it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::domain::application::FormLayout;
use crate::domain::case::{CaseStatus, CreditFinding, CreditLevel, TargetKind};
use crate::domain::catalogue::{FileType, IdentityLevel, Text};
use crate::domain::form_values::RawValue;

/// The signed-in applicant's identity verification, as the account page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IdentityStatus {
    /// The highest level reached (none: nothing verified yet).
    pub level: Option<IdentityLevel>,
    /// `phone` or `email`: where codes go.
    pub contact_kind: String,
    pub contact_masked: String,
    pub contact_confirmed: bool,
    pub legal_name_masked: Option<String>,
    pub resident_id_masked: Option<String>,
    pub person_checked: bool,
    /// The newest person–ID check, if one was requested.
    pub person_check: Option<PersonCheckState>,
    /// The newest uploaded ID-card photo and selfie (ids for `/files/identity/{id}`).
    pub id_card_photo: Option<String>,
    pub selfie_photo: Option<String>,
    /// The credit check of the verified person (clear until L2).
    pub credit_level: CreditLevel,
    pub credit_findings: Vec<CreditFinding>,
    /// Demo and development: where codes go instead of a real phone or mailbox.
    pub delivery_note: Option<DeliveryNote>,
}

/// Where messages go when the portal is not connected to real gateways.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DeliveryNote {
    /// SMS is written to the server log (built-in provider).
    SmsToLog,
    /// Mail is written to the file outbox (`<data dir>/outbox`).
    MailToFiles,
}

/// A one-time code was sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeSent {
    pub destination_masked: String,
    pub valid_minutes: u32,
    pub delivery_note: Option<DeliveryNote>,
}

/// An application being filled in: the form, the values so far and what the applicant still
/// needs before submitting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApplicationDraft {
    pub draft_id: String,
    pub revision: i64,
    pub target_kind: TargetKind,
    pub target_code: String,
    pub title: Text,
    pub layout: FormLayout,
    pub values: BTreeMap<String, RawValue>,
    pub identity_needed: IdentityLevel,
    pub identity_level: Option<IdentityLevel>,
    pub updated_at: i64,
    /// Set once submitted: the case it became.
    pub case_number: Option<String>,
    /// The files uploaded so far, each under the name of its listed material.
    pub files: Vec<UploadedFile>,
    /// The commitment letter to sign and its signature (loaded with the draft, so the page
    /// renders it at once).
    pub commitment: CommitmentLetter,
    /// Filled in by a front-desk worker for the applicant (代办): they check, sign and submit.
    pub filed_by_worker: bool,
}

/// An uploaded file of a material (served at `/files/{id}` to who may see it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UploadedFile {
    pub id: String,
    pub material_name: String,
    pub file_name: String,
    pub file_type: FileType,
    pub size_bytes: u64,
}

/// A file of a case with the name of the material it was filed for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FiledMaterial {
    pub material: Text,
    pub file: UploadedFile,
}

/// The answer to an autosave.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftSaved {
    pub revision: i64,
    pub updated_at: i64,
}

/// A line of the applicant's draft list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DraftSummary {
    pub draft_id: String,
    pub target_kind: TargetKind,
    pub target_code: String,
    pub title: Text,
    pub updated_at: i64,
}

/// A line of 我的办件.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseSummary {
    pub number: String,
    pub title: Text,
    pub status: CaseStatus,
    pub submitted_at: i64,
    pub updated_at: i64,
}

/// The applicant's cases and drafts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MyApplications {
    pub cases: Vec<CaseSummary>,
    pub drafts: Vec<DraftSummary>,
}

/// One step of a case's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineStep {
    /// `submitted`, `withdrawn`, … (the UI words it).
    pub kind: String,
    /// The role of who acted (`applicant`, `front_desk`, `approver`, `system`).
    pub actor_role: String,
    pub at: i64,
    pub deadline_at: Option<i64>,
    pub note: Option<String>,
}

/// An item a case was filed under, with the version pinned at submission.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FiledItem {
    pub code: String,
    pub version: i64,
    pub name: Text,
}

/// A filled-in field as the case shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FilledField {
    pub section: Option<Text>,
    pub label: Text,
    pub value: String,
}

/// A case as its applicant sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseDetail {
    pub number: String,
    pub title: Text,
    pub status: CaseStatus,
    pub target_kind: TargetKind,
    pub target_code: String,
    pub submitted_at: i64,
    pub items: Vec<FiledItem>,
    pub fields: Vec<FilledField>,
    pub files: Vec<FiledMaterial>,
    pub timeline: Vec<TimelineStep>,
    pub credit_level: CreditLevel,
    pub may_withdraw: bool,
    /// The signed commitment record filed with the case (its PDF is `/files/commitment/{id}`).
    pub commitment_record: Option<String>,
    /// Where the case stands with the front desk and the departments.
    pub progress: super::CaseProgress,
    /// Licences, delivery and inspections (empty until approval).
    pub issuance: super::IssuanceView,
}

/// An in-app notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    pub kind: String,
    pub case_number: Option<String>,
    pub at: i64,
    pub unread: bool,
}

/// The commitment letter of a draft: the exact text to sign (none when no item takes a
/// commitment, or before the identity is verified) and the signature it has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitmentLetter {
    /// Whether the application needs a signed letter.
    pub needed: bool,
    pub letter: Option<String>,
    pub letter_sha256: Option<String>,
    pub signed: Option<SignedCommitment>,
    /// The signature is of the letter as it stands now (not of an earlier version).
    pub signed_is_current: bool,
}

/// A countersigned signature record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedCommitment {
    pub id: String,
    /// The device key that signed (the browser keeps it with its private key).
    pub key_id: String,
    pub signed_at: i64,
    pub signer_name: String,
    pub letter_sha256: String,
}

/// What the browser sends to sign a letter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignCommitmentRequest {
    pub draft_id: String,
    /// SHA-256 (hex) of the letter as the browser showed it.
    pub letter_sha256: String,
    /// ECDSA P-256 signature (IEEE P1363, base64) of those 32 bytes, made with SHA-256.
    pub signature: String,
    /// The device's public key (uncompressed point, base64).
    pub public_key: String,
    /// The enrolled key's id, when this device has one.
    pub key_id: Option<String>,
    /// `typed` (the name typed) or `drawn` (a PNG data URL).
    pub mark_kind: String,
    pub mark: String,
    /// The one-time code sent to confirm the signature.
    pub code: String,
}

/// Where an applicant's person–ID check stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonCheckState {
    /// `pending`, `approved` or `refused`.
    pub status: String,
    pub reason: Option<String>,
    pub submitted_at: i64,
}

/// A person–ID check waiting at the front desk: the photos side by side with the verified
/// name and (masked) ID number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonCheckReview {
    pub id: String,
    pub legal_name: String,
    pub resident_id_masked: String,
    pub id_card_photo: String,
    pub selfie_photo: String,
    pub submitted_at: i64,
}
