//! Types of the statistics that cross the wire: one report for a period, as the public page and
//! the service office's dashboard show it (the dashboard adds the staff figures).

use serde::{Deserialize, Serialize};

use crate::domain::catalogue::Text;

/// One bar of a chart and one row of its table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    /// A code: status, item, department or centre code, refusal reason, distribution bin.
    pub key: String,
    /// The display name where the key is a catalogue or organisation code.
    pub name: Option<Text>,
    pub value: i64,
}

/// Cases submitted and licences issued on one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayTally {
    /// `YYYY-MM-DD`.
    pub day: String,
    pub submitted: i64,
    pub issued: i64,
}

/// A stage of the way from submission to licence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Submission to licence, all of it.
    ToLicence,
    /// Submission to acceptance, less the applicant's time answering notices.
    AtFrontDesk,
    /// Acceptance to decision, less the time waited for supplements.
    InBackOffice,
    /// The time the clock waited for the applicant.
    WaitingForApplicant,
}

impl Stage {
    pub const ALL: [Stage; 4] = [
        Stage::ToLicence,
        Stage::AtFrontDesk,
        Stage::InBackOffice,
        Stage::WaitingForApplicant,
    ];
}

/// Median and 90th percentile of one stage over the cases that went through it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageTime {
    pub stage: Stage,
    pub cases: i64,
    pub median_ms: Option<i64>,
    pub p90_ms: Option<i64>,
}

/// A front-desk worker's work in the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkerFigures {
    pub name: String,
    pub centre: Option<Text>,
    pub accepted: i64,
    pub returned: i64,
    pub refused: i64,
}

/// An approver's or a department's decisions in the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionFigures {
    pub name: Text,
    pub department: Option<Text>,
    pub approved: i64,
    pub rejected: i64,
}

/// What only the service office sees: the work of each worker, approver and department.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffFigures {
    pub workers: Vec<WorkerFigures>,
    pub approvers: Vec<DecisionFigures>,
    pub departments: Vec<DecisionFigures>,
}

/// The figures of a period: the cases submitted in it (cohort) and the work done in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatisticsReport {
    /// First and last day, `YYYY-MM-DD`.
    pub from: String,
    pub to: String,
    /// When the figures were last brought up to date (Unix ms); `None` before the first time.
    pub refreshed_at: Option<i64>,
    pub cases: i64,
    /// Accepted and approved by the rules alone (秒批).
    pub instant: i64,
    /// Approved or rejected.
    pub decided: i64,
    /// Decided within the promised time limit.
    pub on_time: i64,
    /// Returned for correction at least once.
    pub returned: i64,
    /// Returned more than once: the one-time-notice rule (一次性告知) broken.
    pub multi_notice: i64,
    pub refused: i64,
    /// Cases of the period that got their licences.
    pub issued_cases: i64,
    /// Licences issued in the period (whatever day their case was submitted).
    pub issued_in_period: i64,
    pub by_status: Vec<Tally>,
    pub by_item: Vec<Tally>,
    pub by_department: Vec<Tally>,
    pub by_centre: Vec<Tally>,
    pub refusals: Vec<Tally>,
    /// What correction notices named most (`field:<name>` / `material:<name>`).
    pub return_points: Vec<Tally>,
    pub per_day: Vec<DayTally>,
    pub stage_times: Vec<StageTime>,
    /// Cases by time to licence, in the bins of [`crate::domain::statistics::TO_LICENCE_BINS`].
    pub to_licence_distribution: Vec<Tally>,
    /// The service office's view only.
    pub staff: Option<StaffFigures>,
}
