//! Statistics (数据分析) as plain rules: what one case's timeline says about it (time at the front
//! desk, in the back office, waiting for the applicant; on time or late; instant approval), the
//! rollup of one day's cases and work into counted rows, and duration histograms whose
//! percentiles the figures quote.
//!
//! A day's figures are stored as rows `(dimension, key, measure) → value`, so any date range is
//! the sum of its days. Durations go into logarithmic buckets (four per doubling, from one
//! minute), which sum the same way; a median read from them is exact to within a bucket and
//! interpolated inside it.

use std::collections::BTreeMap;

use super::calendar::Day;
use super::{Field, FieldError, Problem};

/// One day in milliseconds.
pub const DAY_MS: i64 = 86_400_000;

/// Durations under one minute share bucket 0.
const FIRST_BUCKET_MS: f64 = 60_000.0;
/// Buckets per doubling of the duration.
const BUCKETS_PER_DOUBLING: f64 = 4.0;
/// The last bucket holds everything from about 1.7 years on.
pub const LAST_BUCKET: u32 = 80;

/// The histogram bucket of a duration.
pub fn bucket_of(ms: i64) -> u32 {
    if ms < FIRST_BUCKET_MS as i64 {
        return 0;
    }
    let doublings = (ms as f64 / FIRST_BUCKET_MS).log2();
    let bucket = (doublings * BUCKETS_PER_DOUBLING).floor() as u32 + 1;
    bucket.min(LAST_BUCKET)
}

/// The durations a bucket holds, `[low, high)` in milliseconds.
pub fn bucket_range(bucket: u32) -> (f64, f64) {
    if bucket == 0 {
        return (0.0, FIRST_BUCKET_MS);
    }
    let edge = |b: u32| FIRST_BUCKET_MS * 2f64.powf(f64::from(b) / BUCKETS_PER_DOUBLING);
    (edge(bucket - 1), edge(bucket))
}

/// Counts of durations by bucket.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Histogram {
    counts: BTreeMap<u32, i64>,
}

impl Histogram {
    pub fn add(&mut self, ms: i64) {
        *self.counts.entry(bucket_of(ms.max(0))).or_default() += 1;
    }

    /// Adds `count` durations of one bucket (summing stored rows).
    pub fn add_bucket(&mut self, bucket: u32, count: i64) {
        if count > 0 {
            *self.counts.entry(bucket.min(LAST_BUCKET)).or_default() += count;
        }
    }

    pub fn count(&self) -> i64 {
        self.counts.values().sum()
    }

    pub fn buckets(&self) -> impl Iterator<Item = (u32, i64)> + '_ {
        self.counts.iter().map(|(bucket, count)| (*bucket, *count))
    }

    /// The duration below which a share `q` (0–1) of the durations fall, interpolated
    /// geometrically inside its bucket (linearly in the first); `None` when empty.
    pub fn percentile(&self, q: f64) -> Option<i64> {
        let total = self.count();
        if total == 0 {
            return None;
        }
        let target = q.clamp(0.0, 1.0) * total as f64;
        let mut below = 0.0;
        for (bucket, count) in self.buckets() {
            let count = count as f64;
            if below + count >= target {
                let fraction = ((target - below) / count).clamp(0.0, 1.0);
                let (low, high) = bucket_range(bucket);
                let value = if bucket == 0 {
                    low + (high - low) * fraction
                } else {
                    low * (high / low).powf(fraction)
                };
                return Some(value.round() as i64);
            }
            below += count;
        }
        self.counts
            .keys()
            .next_back()
            .map(|bucket| bucket_range(*bucket).1.round() as i64)
    }

    /// How many durations fall in `[low, high)` milliseconds, by whole buckets (a bucket counts
    /// where its lower edge lies).
    pub fn count_between(&self, low: i64, high: i64) -> i64 {
        self.buckets()
            .filter(|(bucket, _)| {
                let edge = bucket_range(*bucket).0;
                edge >= low as f64 && edge < high as f64
            })
            .map(|(_, count)| count)
            .sum()
    }
}

/// The bins of the time-to-licence distribution: key, from (ms, inclusive), to (exclusive).
pub const TO_LICENCE_BINS: [(&str, i64, i64); 8] = [
    ("under_10m", 0, 10 * 60_000),
    ("10m_1h", 10 * 60_000, 3_600_000),
    ("1h_1d", 3_600_000, DAY_MS),
    ("1d_3d", DAY_MS, 3 * DAY_MS),
    ("3d_7d", 3 * DAY_MS, 7 * DAY_MS),
    ("7d_15d", 7 * DAY_MS, 15 * DAY_MS),
    ("15d_30d", 15 * DAY_MS, 30 * DAY_MS),
    ("30d_more", 30 * DAY_MS, i64::MAX),
];

/// The distribution of a histogram over [`TO_LICENCE_BINS`].
pub fn to_licence_distribution(histogram: &Histogram) -> Vec<(&'static str, i64)> {
    TO_LICENCE_BINS
        .iter()
        .map(|(key, low, high)| (*key, histogram.count_between(*low, *high)))
        .collect()
}

/// One entry of a case's timeline, as the statistics read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineEntry {
    pub at: i64,
    pub kind: String,
    pub role: String,
}

/// A case as the statistics read it: its row, its items, departments and the points its
/// correction notices named, and its timeline in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseRecord {
    pub submitted_at: i64,
    pub status: String,
    pub centre: Option<String>,
    pub deadline_at: Option<i64>,
    pub refusal_reason: Option<String>,
    pub items: Vec<String>,
    pub departments: Vec<String>,
    /// `field:<name>` or `material:<name>` for each entry of each correction notice.
    pub return_points: Vec<String>,
    pub timeline: Vec<TimelineEntry>,
}

/// What a case's timeline says about it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CaseFacts {
    /// Accepted and approved by the rules, with no person in the loop (秒批).
    pub instant: bool,
    /// Correction notices (补正) the case received.
    pub returns: u32,
    /// Time from submission to acceptance, less the time the applicant took to answer notices.
    pub at_front_desk_ms: Option<i64>,
    /// Time from acceptance to the decision, less the time waited for supplements.
    pub in_back_office_ms: Option<i64>,
    /// Time the clock waited for the applicant (answers to notices and supplements).
    pub waiting_for_applicant_ms: i64,
    /// Time from submission to the licence.
    pub to_licence_ms: Option<i64>,
    /// For an approved or rejected case: whether the decision came within the promised limit.
    pub on_time: Option<bool>,
}

impl CaseFacts {
    pub fn of(record: &CaseRecord) -> Self {
        let mut facts = CaseFacts::default();
        let first = |kinds: &[&str]| {
            record
                .timeline
                .iter()
                .find(|entry| kinds.contains(&entry.kind.as_str()))
        };
        let submitted = first(&["submitted"]).map_or(record.submitted_at, |entry| entry.at);
        let accepted = first(&["accepted"]);
        let decided = first(&["approved", "instant_approved", "rejected"]);
        let issued = first(&["issued"]);
        facts.instant = accepted.is_some_and(|entry| entry.role == "system");

        let mut correction_wait = 0;
        let mut supplement_wait = 0;
        let mut returned_at = None;
        let mut supplement_at = None;
        for entry in &record.timeline {
            match entry.kind.as_str() {
                "returned" => {
                    facts.returns += 1;
                    returned_at = Some(entry.at);
                }
                "resubmitted" => {
                    if let Some(at) = returned_at.take() {
                        correction_wait += (entry.at - at).max(0);
                    }
                }
                "supplement_requested" => supplement_at = supplement_at.or(Some(entry.at)),
                "supplement_answered" => {
                    if let Some(at) = supplement_at.take() {
                        supplement_wait += (entry.at - at).max(0);
                    }
                }
                _ => {}
            }
        }
        facts.waiting_for_applicant_ms = correction_wait + supplement_wait;
        facts.at_front_desk_ms =
            accepted.map(|entry| (entry.at - submitted - correction_wait).max(0));
        if let (Some(accepted), Some(decided)) = (accepted, decided) {
            facts.in_back_office_ms = Some((decided.at - accepted.at - supplement_wait).max(0));
            facts.on_time = Some(
                record
                    .deadline_at
                    .is_none_or(|deadline| decided.at <= deadline),
            );
        }
        facts.to_licence_ms = issued.map(|entry| (entry.at - submitted).max(0));
        facts
    }
}

/// Work done on a day: one timeline entry with who did it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkEntry {
    pub kind: String,
    pub actor_user_id: Option<i64>,
    /// The department of a task decision.
    pub note: Option<String>,
}

/// The dimensions of stored rows.
pub mod dim {
    /// Totals of the day's cases (key empty).
    pub const CASES: &str = "cases";
    pub const STATUS: &str = "status";
    pub const ITEM: &str = "item";
    pub const DEPARTMENT: &str = "department";
    /// The centre that accepted the case (key empty: accepted online by the rules, or not yet).
    pub const CENTRE: &str = "centre";
    pub const REFUSAL: &str = "refusal";
    pub const RETURN_POINT: &str = "return_point";
    pub const TO_LICENCE: &str = "to_licence";
    pub const AT_FRONT_DESK: &str = "at_front_desk";
    pub const IN_BACK_OFFICE: &str = "in_back_office";
    pub const WAITING: &str = "waiting";
    /// Work done that day (key empty).
    pub const WORK: &str = "work";
    pub const WORKER: &str = "worker";
    pub const APPROVER: &str = "approver";
    pub const DEPARTMENT_WORK: &str = "department_work";
}

/// The measures of stored rows.
pub mod measure {
    pub const COUNT: &str = "count";
    pub const INSTANT: &str = "instant";
    pub const DECIDED: &str = "decided";
    pub const ON_TIME: &str = "on_time";
    pub const RETURNED: &str = "returned";
    pub const MULTI_NOTICE: &str = "multi_notice";
    pub const REFUSED: &str = "refused";
    pub const ISSUED: &str = "issued";
    pub const ACCEPTED: &str = "accepted";
    pub const APPROVED: &str = "approved";
    pub const REJECTED: &str = "rejected";
}

/// The rows of one day: `(dimension, key, measure) → value`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DayRollup {
    rows: BTreeMap<(String, String, String), i64>,
}

impl DayRollup {
    fn add(&mut self, dimension: &str, key: &str, measure: &str, value: i64) {
        if value != 0 {
            *self
                .rows
                .entry((dimension.to_owned(), key.to_owned(), measure.to_owned()))
                .or_default() += value;
        }
    }

    /// The rows of the cases submitted on a day and the work done on it.
    pub fn build(cases: &[CaseRecord], work: &[WorkEntry]) -> Self {
        use {dim::*, measure::*};
        let mut rollup = DayRollup::default();
        for case in cases {
            let facts = CaseFacts::of(case);
            rollup.add(CASES, "", COUNT, 1);
            rollup.add(STATUS, &case.status, COUNT, 1);
            for item in &case.items {
                rollup.add(ITEM, item, COUNT, 1);
            }
            for department in &case.departments {
                rollup.add(DEPARTMENT, department, COUNT, 1);
            }
            if facts.at_front_desk_ms.is_some() {
                rollup.add(CENTRE, case.centre.as_deref().unwrap_or(""), COUNT, 1);
            }
            rollup.add(CASES, "", INSTANT, i64::from(facts.instant));
            if let Some(on_time) = facts.on_time {
                rollup.add(CASES, "", DECIDED, 1);
                rollup.add(CASES, "", ON_TIME, i64::from(on_time));
            }
            rollup.add(CASES, "", RETURNED, i64::from(facts.returns > 0));
            rollup.add(CASES, "", MULTI_NOTICE, i64::from(facts.returns > 1));
            if case.status == "refused" {
                rollup.add(CASES, "", REFUSED, 1);
                rollup.add(
                    REFUSAL,
                    case.refusal_reason.as_deref().unwrap_or("other"),
                    COUNT,
                    1,
                );
            }
            for point in &case.return_points {
                rollup.add(RETURN_POINT, point, COUNT, 1);
            }
            if facts.to_licence_ms.is_some() {
                rollup.add(CASES, "", ISSUED, 1);
            }
            let histograms = [
                (TO_LICENCE, facts.to_licence_ms),
                (AT_FRONT_DESK, facts.at_front_desk_ms),
                (IN_BACK_OFFICE, facts.in_back_office_ms),
                // Only cases that reached a decision: an open case's wait is not over.
                (
                    WAITING,
                    facts
                        .in_back_office_ms
                        .map(|_| facts.waiting_for_applicant_ms),
                ),
            ];
            for (dimension, duration) in histograms {
                if let Some(ms) = duration {
                    rollup.add(dimension, &bucket_of(ms).to_string(), COUNT, 1);
                }
            }
        }
        for entry in work {
            let actor = entry
                .actor_user_id
                .map(|id| id.to_string())
                .unwrap_or_default();
            match entry.kind.as_str() {
                "accepted" if entry.actor_user_id.is_some() => {
                    rollup.add(WORKER, &actor, ACCEPTED, 1);
                }
                "returned" => rollup.add(WORKER, &actor, RETURNED, 1),
                "refused" => rollup.add(WORKER, &actor, REFUSED, 1),
                "task_approved" | "task_rejected" => {
                    let verdict = if entry.kind == "task_approved" {
                        APPROVED
                    } else {
                        REJECTED
                    };
                    rollup.add(APPROVER, &actor, verdict, 1);
                    rollup.add(
                        DEPARTMENT_WORK,
                        entry.note.as_deref().unwrap_or(""),
                        verdict,
                        1,
                    );
                }
                "issued" => rollup.add(WORK, "", ISSUED, 1),
                _ => {}
            }
        }
        rollup
    }

    pub fn rows(&self) -> impl Iterator<Item = (&str, &str, &str, i64)> + '_ {
        self.rows.iter().map(|((dimension, key, measure), value)| {
            (dimension.as_str(), key.as_str(), measure.as_str(), *value)
        })
    }

    pub fn get(&self, dimension: &str, key: &str, measure: &str) -> i64 {
        self.rows
            .get(&(dimension.to_owned(), key.to_owned(), measure.to_owned()))
            .copied()
            .unwrap_or(0)
    }
}

/// The days a report covers, first and last included (China time).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: Day,
    pub to: Day,
}

impl Period {
    /// The longest period one report covers (ten years).
    pub const MAX_DAYS: u32 = 3_660;
    /// A report without dates covers the last 30 days.
    pub const DEFAULT_DAYS: i32 = 30;

    /// Reads the date filter: empty `to` is today, empty `from` is 30 days before `to`.
    pub fn parse(from: &str, to: &str, today: Day) -> Result<Self, Vec<FieldError>> {
        let read = |text: &str, field: Field| -> Result<Option<Day>, FieldError> {
            let text = text.trim();
            if text.is_empty() {
                return Ok(None);
            }
            Day::parse(text)
                .map(Some)
                .ok_or(FieldError::new(field, Problem::NotADate))
        };
        let (from, to) = match (read(from, Field::PeriodFrom), read(to, Field::PeriodTo)) {
            (Ok(from), Ok(to)) => (from, to),
            (from, to) => {
                return Err([from.err(), to.err()].into_iter().flatten().collect());
            }
        };
        let to = to.unwrap_or(today);
        let from = from.unwrap_or(to.plus_days(1 - Self::DEFAULT_DAYS));
        if from > to {
            return Err(vec![FieldError::new(
                Field::PeriodFrom,
                Problem::PeriodReversed,
            )]);
        }
        if from.days_until(to) >= Self::MAX_DAYS as i32 {
            return Err(vec![FieldError::new(
                Field::PeriodFrom,
                Problem::PeriodTooLong {
                    max_days: Self::MAX_DAYS,
                },
            )]);
        }
        Ok(Period { from, to })
    }

    /// Every day of the period, in order.
    pub fn days(self) -> impl Iterator<Item = Day> {
        let length = self.from.days_until(self.to).max(0) + 1;
        (0..length).map(move |offset| self.from.plus_days(offset))
    }
}

/// The timeline kinds the statistics read for a case.
pub const TIMELINE_KINDS: &[&str] = &[
    "submitted",
    "returned",
    "resubmitted",
    "accepted",
    "refused",
    "supplement_requested",
    "supplement_answered",
    "approved",
    "instant_approved",
    "rejected",
    "issued",
];

/// The timeline kinds that count as a day's work.
pub const WORK_KINDS: &[&str] = &[
    "accepted",
    "returned",
    "refused",
    "task_approved",
    "task_rejected",
    "issued",
];

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: i64 = 60_000;
    const HOUR: i64 = 60 * MINUTE;

    fn entry(at: i64, kind: &str, role: &str) -> TimelineEntry {
        TimelineEntry {
            at,
            kind: kind.into(),
            role: role.into(),
        }
    }

    fn record(status: &str, timeline: Vec<TimelineEntry>) -> CaseRecord {
        CaseRecord {
            submitted_at: 0,
            status: status.into(),
            centre: Some("C00-QU".into()),
            deadline_at: Some(10 * DAY_MS),
            items: vec!["SCJG-XK-001".into()],
            departments: vec!["D01-SCJG".into()],
            timeline,
            ..CaseRecord::default()
        }
    }

    #[test]
    fn a_period_defaults_to_the_last_thirty_days() {
        let today = Day::parse("2026-12-04").expect("date");
        let period = Period::parse("", "", today).expect("valid");
        assert_eq!(period.to, today);
        assert_eq!(period.from.to_string(), "2026-11-05");
        assert_eq!(period.days().count(), 30);
        let period = Period::parse("2026-01-01", "2026-01-01", today).expect("one day");
        assert_eq!(period.days().count(), 1);
    }

    #[test]
    fn a_bad_period_names_the_field_and_the_fix() {
        let today = Day::parse("2026-12-04").expect("date");
        assert_eq!(
            Period::parse("2026-13-01", "tomorrow", today),
            Err(vec![
                FieldError::new(Field::PeriodFrom, Problem::NotADate),
                FieldError::new(Field::PeriodTo, Problem::NotADate)
            ])
        );
        assert_eq!(
            Period::parse("2026-12-05", "2026-12-04", today),
            Err(vec![FieldError::new(
                Field::PeriodFrom,
                Problem::PeriodReversed
            )])
        );
        assert!(Period::parse("2000-01-01", "2026-12-04", today).is_err());
    }

    #[test]
    fn buckets_grow_four_per_doubling_from_one_minute() {
        assert_eq!(bucket_of(0), 0);
        assert_eq!(bucket_of(59_999), 0);
        assert_eq!(bucket_of(60_000), 1);
        assert_eq!(bucket_of(120_000), 5);
        assert_eq!(bucket_of(240_000), 9);
        assert_eq!(bucket_of(i64::MAX), LAST_BUCKET);
        for ms in [1, 61_000, 3 * HOUR, 7 * DAY_MS, 400 * DAY_MS] {
            let (low, high) = bucket_range(bucket_of(ms));
            assert!(
                low <= ms as f64 && (ms as f64) < high,
                "{ms} in [{low}, {high})"
            );
        }
    }

    #[test]
    fn a_median_is_within_a_bucket_of_the_true_median() {
        let mut histogram = Histogram::default();
        let durations: Vec<i64> = (1..=999).map(|i| i * 37 * MINUTE).collect();
        for ms in &durations {
            histogram.add(*ms);
        }
        let true_median = durations[499] as f64;
        let median = histogram.percentile(0.5).expect("not empty") as f64;
        // One bucket is a factor 2^(1/4) ≈ 1.19 wide.
        assert!(
            (median / true_median - 1.0).abs() < 0.19,
            "{median} vs {true_median}"
        );
        let p90 = histogram.percentile(0.9).expect("not empty") as f64;
        assert!((p90 / durations[898] as f64 - 1.0).abs() < 0.19);
        assert!(histogram.percentile(0.9) >= histogram.percentile(0.5));
    }

    #[test]
    fn the_distribution_bins_count_every_case_once() {
        let mut histogram = Histogram::default();
        for ms in [
            0,
            5 * MINUTE,
            30 * MINUTE,
            5 * HOUR,
            2 * DAY_MS,
            100 * DAY_MS,
            900 * DAY_MS,
        ] {
            histogram.add(ms);
        }
        let bins = to_licence_distribution(&histogram);
        assert_eq!(bins.iter().map(|(_, count)| count).sum::<i64>(), 7);
        assert_eq!(bins[0], ("under_10m", 2));
        assert_eq!(bins[7], ("30d_more", 2));
    }

    #[test]
    fn an_empty_histogram_has_no_percentile() {
        assert_eq!(Histogram::default().percentile(0.5), None);
    }

    #[test]
    fn histograms_summed_by_bucket_equal_one_histogram_of_all() {
        let mut one = Histogram::default();
        let mut halves = [Histogram::default(), Histogram::default()];
        for i in 0..500_i64 {
            let ms = i * i * 1_000;
            one.add(ms);
            halves[(i % 2) as usize].add(ms);
        }
        let mut summed = Histogram::default();
        for half in &halves {
            for (bucket, count) in half.buckets() {
                summed.add_bucket(bucket, count);
            }
        }
        assert_eq!(summed, one);
    }

    #[test]
    fn an_instant_approval_spends_no_time_at_the_desk() {
        let facts = CaseFacts::of(&record(
            "issued",
            vec![
                entry(0, "submitted", "applicant"),
                entry(0, "accepted", "system"),
                entry(0, "instant_approved", "system"),
                entry(0, "issued", "system"),
            ],
        ));
        assert!(facts.instant);
        assert_eq!(facts.at_front_desk_ms, Some(0));
        assert_eq!(facts.in_back_office_ms, Some(0));
        assert_eq!(facts.to_licence_ms, Some(0));
        assert_eq!(facts.on_time, Some(true));
    }

    #[test]
    fn time_waiting_for_the_applicant_is_taken_out_of_desk_and_back_office_time() {
        let facts = CaseFacts::of(&record(
            "issued",
            vec![
                entry(0, "submitted", "applicant"),
                entry(HOUR, "returned", "front_desk"),
                entry(25 * HOUR, "resubmitted", "applicant"),
                entry(27 * HOUR, "accepted", "front_desk"),
                entry(30 * HOUR, "supplement_requested", "approver"),
                entry(40 * HOUR, "supplement_answered", "applicant"),
                entry(50 * HOUR, "approved", "approver"),
                entry(50 * HOUR, "issued", "system"),
            ],
        ));
        assert!(!facts.instant);
        assert_eq!(facts.returns, 1);
        assert_eq!(facts.waiting_for_applicant_ms, 34 * HOUR);
        assert_eq!(facts.at_front_desk_ms, Some(3 * HOUR));
        assert_eq!(facts.in_back_office_ms, Some(13 * HOUR));
        assert_eq!(facts.to_licence_ms, Some(50 * HOUR));
        assert_eq!(
            facts.at_front_desk_ms.unwrap_or(0)
                + facts.in_back_office_ms.unwrap_or(0)
                + facts.waiting_for_applicant_ms,
            50 * HOUR
        );
    }

    #[test]
    fn a_decision_after_the_deadline_is_late() {
        let mut late = record(
            "rejected",
            vec![
                entry(0, "submitted", "applicant"),
                entry(HOUR, "accepted", "front_desk"),
                entry(11 * DAY_MS, "rejected", "approver"),
            ],
        );
        assert_eq!(CaseFacts::of(&late).on_time, Some(false));
        late.deadline_at = Some(12 * DAY_MS);
        assert_eq!(CaseFacts::of(&late).on_time, Some(true));
    }

    #[test]
    fn an_open_case_has_no_decision_figures() {
        let facts = CaseFacts::of(&record(
            "in_approval",
            vec![
                entry(0, "submitted", "applicant"),
                entry(HOUR, "accepted", "front_desk"),
            ],
        ));
        assert_eq!(facts.on_time, None);
        assert_eq!(facts.in_back_office_ms, None);
        assert_eq!(facts.to_licence_ms, None);
        assert_eq!(facts.at_front_desk_ms, Some(HOUR));
    }

    #[test]
    fn a_day_rolls_up_its_cases_and_its_work() {
        let mut twice_returned = record(
            "refused",
            vec![
                entry(0, "submitted", "applicant"),
                entry(HOUR, "returned", "front_desk"),
                entry(2 * HOUR, "resubmitted", "applicant"),
                entry(3 * HOUR, "returned", "front_desk"),
                entry(4 * HOUR, "resubmitted", "applicant"),
                entry(5 * HOUR, "refused", "front_desk"),
            ],
        );
        twice_returned.refusal_reason = Some("false_materials".into());
        twice_returned.return_points = vec!["material:营业执照".into(), "field:地址".into()];
        let instant = record(
            "issued",
            vec![
                entry(0, "submitted", "applicant"),
                entry(0, "accepted", "system"),
                entry(0, "instant_approved", "system"),
                entry(0, "issued", "system"),
            ],
        );
        let work = vec![
            WorkEntry {
                kind: "accepted".into(),
                actor_user_id: None,
                note: None,
            },
            WorkEntry {
                kind: "returned".into(),
                actor_user_id: Some(7),
                note: None,
            },
            WorkEntry {
                kind: "task_approved".into(),
                actor_user_id: Some(9),
                note: Some("D01-SCJG".into()),
            },
            WorkEntry {
                kind: "issued".into(),
                actor_user_id: None,
                note: None,
            },
        ];
        let rollup = DayRollup::build(&[twice_returned, instant], &work);
        assert_eq!(rollup.get(dim::CASES, "", measure::COUNT), 2);
        assert_eq!(rollup.get(dim::STATUS, "refused", measure::COUNT), 1);
        assert_eq!(rollup.get(dim::ITEM, "SCJG-XK-001", measure::COUNT), 2);
        assert_eq!(rollup.get(dim::CASES, "", measure::INSTANT), 1);
        assert_eq!(rollup.get(dim::CASES, "", measure::RETURNED), 1);
        assert_eq!(rollup.get(dim::CASES, "", measure::MULTI_NOTICE), 1);
        assert_eq!(
            rollup.get(dim::REFUSAL, "false_materials", measure::COUNT),
            1
        );
        assert_eq!(
            rollup.get(dim::RETURN_POINT, "material:营业执照", measure::COUNT),
            1
        );
        assert_eq!(rollup.get(dim::CASES, "", measure::ISSUED), 1);
        assert_eq!(rollup.get(dim::TO_LICENCE, "0", measure::COUNT), 1);
        // The system's acceptance is nobody's work; the worker's return and the approver's
        // decision are.
        assert_eq!(rollup.get(dim::WORKER, "", measure::ACCEPTED), 0);
        assert_eq!(rollup.get(dim::WORKER, "7", measure::RETURNED), 1);
        assert_eq!(rollup.get(dim::APPROVER, "9", measure::APPROVED), 1);
        assert_eq!(
            rollup.get(dim::DEPARTMENT_WORK, "D01-SCJG", measure::APPROVED),
            1
        );
        assert_eq!(rollup.get(dim::WORK, "", measure::ISSUED), 1);
        assert!(rollup.rows().all(|(_, _, _, value)| value != 0));
    }
}
