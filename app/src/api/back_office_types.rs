//! Types of the front desk and the back office that cross the wire: queues with keyset
//! cursors, the case as staff see it, approval tasks, correction notices, documents, the
//! working-day calendar and the audit log as the applicant and the admin see them.

use serde::{Deserialize, Serialize};

use crate::domain::back_office::{CorrectionItem, RefusalReason, TaskStatus};
use crate::domain::case::{CaseStatus, CreditFinding, CreditLevel};
use crate::domain::catalogue::{IdentityLevel, Text};

use super::CaseDetail;

/// How close a time limit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DueFlag {
    /// More than a working day left.
    OnTrack,
    /// Ends today or on the next working day.
    DueSoon,
    Overdue,
    /// The clock is stopped, waiting for the applicant.
    Paused,
}

/// One correction notice as issued, with the applicant's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NoticeView {
    pub round: i64,
    pub issued_at: i64,
    pub items: Vec<NoticeLine>,
    pub answered_at: Option<i64>,
}

/// An entry of a notice with the label of what it names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NoticeLine {
    pub item: CorrectionItem,
    pub label: Text,
}

/// A department's part of a case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskView {
    pub task_id: String,
    pub department: Text,
    pub status: TaskStatus,
    pub due_on: String,
    pub due_flag: Option<DueFlag>,
    /// The opinion of an approval or the reason of a rejection.
    pub opinion: Option<String>,
    /// What the department asked the applicant to supply.
    pub supplement_request: Option<String>,
    pub decided_at: Option<i64>,
}

/// A document issued on a case (`/files/case-document/{id}` serves the PDF).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentView {
    pub id: String,
    /// `acceptance_notice`, `refusal_notice`, `correction_notice`.
    pub kind: String,
    pub issued_at: i64,
    pub sha256: String,
}

/// An audit entry of a case, as the applicant may see it: no staff names, IPs or accounts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditLine {
    pub at: i64,
    pub action: String,
    pub role: String,
    pub from: Option<String>,
    pub to: Option<String>,
    pub reason: Option<String>,
    /// The first characters of the entry's chained hash.
    pub hash_prefix: String,
}

/// A refusal to accept, with its reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefusalView {
    pub reason: RefusalReason,
    pub note: String,
}

/// Where a case stands after submission.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct CaseProgress {
    pub acceptance_number: Option<String>,
    pub accepted_at: Option<i64>,
    /// The last day of the promised time limit (moves when the clock pauses or is extended).
    pub deadline_on: Option<String>,
    pub due_flag: Option<DueFlag>,
    pub promised_days: i64,
    pub refusal: Option<RefusalView>,
    pub notices: Vec<NoticeView>,
    /// The notice waiting for the applicant's answer, with what it lets them change.
    pub open_notice: Option<OpenNotice>,
    pub tasks: Vec<TaskView>,
    pub documents: Vec<DocumentView>,
    pub audit: Vec<AuditLine>,
    /// Filed at a front desk for the applicant (代办).
    pub filed_by_worker: bool,
    /// Some department asks the applicant to supply something.
    pub supplement_requested: bool,
}

/// A correction notice the applicant is answering: the fields they may change (with their
/// current values and form definitions) and the materials they may replace.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpenNotice {
    pub round: i64,
    pub fields: Vec<super::LaidOutAnswerField>,
    pub materials: Vec<AnswerMaterial>,
    /// The case's draft, through which replacement files are uploaded.
    pub draft_id: String,
}

/// A field the applicant may change in answering a notice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LaidOutAnswerField {
    pub name: String,
    pub field: crate::domain::catalogue::FormField,
    pub value: Option<crate::domain::form_values::RawValue>,
}

/// A material the applicant may replace in answering a notice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnswerMaterial {
    pub name: String,
    pub material: crate::domain::catalogue::Material,
    pub files: Vec<super::UploadedFile>,
}

/// Filters of the front-desk queue (all optional) and where the page starts.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct DeskQueueQuery {
    pub item: Option<String>,
    pub department: Option<String>,
    pub centre: Option<String>,
    /// Only cases waiting at least this many days.
    pub waited_days: Option<u32>,
    /// Only cases whose acceptance is due soon or overdue.
    pub due_soon: bool,
    pub credit_warning: bool,
    pub identity_review_pending: bool,
    /// The cursor of the next page (from [`DeskQueuePage::next`]).
    pub after: Option<String>,
}

/// One line of the front-desk queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeskQueueEntry {
    pub number: String,
    pub title: Text,
    pub status: CaseStatus,
    pub waiting_since: i64,
    pub accept_due_at: Option<i64>,
    pub due_flag: DueFlag,
    pub credit_level: CreditLevel,
    pub claimed_by: Option<String>,
    pub claim_mine: bool,
    pub claim_expires_at: Option<i64>,
    pub filed_by_worker: bool,
    pub identity_review_pending: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeskQueuePage {
    pub entries: Vec<DeskQueueEntry>,
    pub next: Option<String>,
}

/// A case as the front desk or an approver sees it: everything the applicant sees, plus the
/// applicant's verified identity, the credit findings and who holds the case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StaffCaseView {
    pub detail: CaseDetail,
    pub applicant_name: String,
    pub applicant_resident_id: Option<String>,
    pub identity_level: Option<IdentityLevel>,
    /// `pending`, `approved` or `refused`: the latest person–ID check.
    pub person_check: Option<String>,
    pub credit_findings: Vec<CreditFinding>,
    pub claimed_by: Option<String>,
    pub claim_expires_at: Option<i64>,
    pub claim_mine: bool,
    pub departments: Vec<Text>,
    /// What a correction notice may name: form fields and materials with their labels.
    pub notice_fields: Vec<(String, Text)>,
    pub notice_materials: Vec<(String, Text)>,
    /// After an answered notice, the only names a new notice may cite.
    pub changed_since_last_notice: Option<Vec<String>>,
    pub filed_by: Option<String>,
    pub accepted_by: Option<String>,
}

/// Filters of an approver's queue.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct TaskQueueQuery {
    pub item: Option<String>,
    pub due_soon: bool,
    /// Only tasks in this state (open, or waiting for a supplement).
    pub status: Option<TaskStatus>,
    pub after: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskQueueEntry {
    pub task_id: String,
    pub case_number: String,
    pub acceptance_number: Option<String>,
    pub title: Text,
    pub status: TaskStatus,
    pub due_on: String,
    pub due_flag: DueFlag,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskQueuePage {
    pub department: Text,
    pub entries: Vec<TaskQueueEntry>,
    pub next: Option<String>,
}

/// A task with the whole case, read-only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskWorkView {
    pub task: TaskView,
    pub case: StaffCaseView,
}

/// What an approver decides on a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskVerdict {
    Approve,
    Reject,
    /// Ask the applicant for a supplement; the clocks stop until they answer.
    Supplement,
}

/// An applicant found by the front desk for a walk-in filing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApplicantMatch {
    /// Opaque reference for starting the filing.
    pub reference: String,
    pub masked_name: String,
    pub masked_login: String,
    pub identity_level: Option<IdentityLevel>,
}

/// A filing a worker started for a walk-in applicant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FilingSummary {
    pub draft_id: String,
    pub title: Text,
    pub masked_name: String,
    pub updated_at: i64,
    /// The case number once the applicant confirmed and submitted.
    pub case_number: Option<String>,
}

/// One day of the working-day calendar that differs from the weekday rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarDay {
    pub day: String,
    /// `holiday` or `workday`.
    pub kind: String,
    pub name: String,
}

/// The audit chain as the verifier found it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditVerification {
    pub entries: u64,
    /// The first entry that breaks the chain, and how.
    pub first_broken: Option<(i64, String)>,
}
