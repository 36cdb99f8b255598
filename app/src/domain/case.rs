//! The application (`Case`) as the applicant files it: its number, its life-cycle status, what
//! it was filed against, and the credit finding stored on it. Plain types, shared by the
//! browser (tracking pages) and the server (submission and the queues).

use std::fmt;

use serde::{Deserialize, Serialize};

/// A case number as printed on every notice: `QX-2026-000123` (district prefix, year of
/// submission, six-digit serial of that year).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CaseNumber(String);

/// The district prefix of case numbers (栖霞).
pub const CASE_PREFIX: &str = "QX";

impl CaseNumber {
    /// The number of the `serial`-th case of `year`.
    pub fn new(year: u32, serial: u32) -> Option<Self> {
        (1000..=9999).contains(&year).then_some(())?;
        (1..=999_999).contains(&serial).then_some(())?;
        Some(Self(format!("{CASE_PREFIX}-{year}-{serial:06}")))
    }

    /// Accepts a number as printed (case-insensitive, surrounding spaces ignored).
    pub fn parse(input: &str) -> Option<Self> {
        let text = input.trim().to_ascii_uppercase();
        let mut parts = text.split('-');
        let (Some(prefix), Some(year), Some(serial), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return None;
        };
        if prefix != CASE_PREFIX
            || year.len() != 4
            || serial.len() != 6
            || !year
                .bytes()
                .chain(serial.bytes())
                .all(|b| b.is_ascii_digit())
        {
            return None;
        }
        Self::new(year.parse().ok()?, serial.parse().ok()?)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for CaseNumber {
    type Error = &'static str;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value).ok_or("not a case number like QX-2026-000123")
    }
}

impl From<CaseNumber> for String {
    fn from(number: CaseNumber) -> Self {
        number.0
    }
}

impl fmt::Display for CaseNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where a case is in its life cycle (DESIGN.md §5). A draft is not a case yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    Submitted,
    Returned,
    Resubmitted,
    Accepted,
    Refused,
    InApproval,
    Approved,
    Rejected,
    Issued,
    Delivered,
    Withdrawn,
}

impl CaseStatus {
    pub const ALL: [CaseStatus; 11] = [
        CaseStatus::Submitted,
        CaseStatus::Returned,
        CaseStatus::Resubmitted,
        CaseStatus::Accepted,
        CaseStatus::Refused,
        CaseStatus::InApproval,
        CaseStatus::Approved,
        CaseStatus::Rejected,
        CaseStatus::Issued,
        CaseStatus::Delivered,
        CaseStatus::Withdrawn,
    ];

    /// The stored code (the `cases.status` column).
    pub const fn code(self) -> &'static str {
        match self {
            CaseStatus::Submitted => "submitted",
            CaseStatus::Returned => "returned",
            CaseStatus::Resubmitted => "resubmitted",
            CaseStatus::Accepted => "accepted",
            CaseStatus::Refused => "refused",
            CaseStatus::InApproval => "in_approval",
            CaseStatus::Approved => "approved",
            CaseStatus::Rejected => "rejected",
            CaseStatus::Issued => "issued",
            CaseStatus::Delivered => "delivered",
            CaseStatus::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.code() == code)
    }

    /// The applicant may withdraw until a decision on acceptance or approval is made.
    pub const fn applicant_may_withdraw(self) -> bool {
        matches!(
            self,
            CaseStatus::Submitted | CaseStatus::Returned | CaseStatus::Resubmitted
        )
    }

    /// The life-cycle moves DESIGN.md §5 allows; every other move is refused. Acceptance passes
    /// through `accepted` into `in_approval` in one transaction.
    pub const fn may_move_to(self, to: CaseStatus) -> bool {
        use CaseStatus as S;
        matches!(
            (self, to),
            (
                S::Submitted | S::Resubmitted,
                S::Returned | S::Accepted | S::Refused
            ) | (S::Returned, S::Resubmitted)
                | (S::Submitted | S::Returned | S::Resubmitted, S::Withdrawn)
                | (S::Accepted, S::InApproval)
                | (S::InApproval, S::Approved | S::Rejected)
                | (S::Approved, S::Issued)
                | (S::Issued, S::Delivered)
        )
    }

    /// Waiting for the front desk to accept, return or refuse.
    pub const fn awaits_front_desk(self) -> bool {
        matches!(self, CaseStatus::Submitted | CaseStatus::Resubmitted)
    }

    /// No further step will happen.
    pub const fn is_final(self) -> bool {
        matches!(
            self,
            CaseStatus::Refused
                | CaseStatus::Rejected
                | CaseStatus::Delivered
                | CaseStatus::Withdrawn
        )
    }
}

/// What an application is filed against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetKind {
    Item,
    Bundle,
}

impl TargetKind {
    pub const fn code(self) -> &'static str {
        match self {
            TargetKind::Item => "item",
            TargetKind::Bundle => "bundle",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        match code {
            "item" => Some(TargetKind::Item),
            "bundle" => Some(TargetKind::Bundle),
            _ => None,
        }
    }
}

/// How serious a credit record is: `Block` stops items that exclude dishonest applicants;
/// `Warn` allows filing but rules out instant approval and flags the case for the front desk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CreditLevel {
    Clear,
    Warn,
    Block,
}

impl CreditLevel {
    pub const fn code(self) -> &'static str {
        match self {
            CreditLevel::Clear => "clear",
            CreditLevel::Warn => "warn",
            CreditLevel::Block => "block",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        match code {
            "clear" => Some(CreditLevel::Clear),
            "warn" => Some(CreditLevel::Warn),
            "block" => Some(CreditLevel::Block),
            _ => None,
        }
    }
}

/// The kinds of record the credit registry holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CreditCategory {
    /// 失信被执行人 (court list of judgment debtors who do not pay).
    DishonestDebtor,
    /// 严重违法失信 (serious violations list of market regulation).
    SeriousViolation,
    /// 承诺失信 (a broken notification-commitment).
    BrokenCommitment,
}

impl CreditCategory {
    pub const fn code(self) -> &'static str {
        match self {
            CreditCategory::DishonestDebtor => "dishonest_debtor",
            CreditCategory::SeriousViolation => "serious_violation",
            CreditCategory::BrokenCommitment => "broken_commitment",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        match code {
            "dishonest_debtor" => Some(CreditCategory::DishonestDebtor),
            "serious_violation" => Some(CreditCategory::SeriousViolation),
            "broken_commitment" => Some(CreditCategory::BrokenCommitment),
            _ => None,
        }
    }
}

/// One credit record that applies to an applicant, as shown to them (with how to appeal).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditFinding {
    pub category: CreditCategory,
    pub level: CreditLevel,
    /// The body that recorded it (e.g. 南京市中级人民法院).
    pub source: String,
    pub reason: String,
    /// `YYYY-MM-DD`.
    pub recorded_on: String,
    pub expires_on: Option<String>,
}

/// The overall level of a set of findings: the most serious one.
pub fn credit_level(findings: &[CreditFinding]) -> CreditLevel {
    findings
        .iter()
        .map(|finding| finding.level)
        .max()
        .unwrap_or(CreditLevel::Clear)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_numbers_have_the_district_prefix_the_year_and_six_digits() {
        let number = CaseNumber::new(2026, 123).map(|number| number.to_string());
        assert_eq!(number.as_deref(), Some("QX-2026-000123"));
        assert_eq!(CaseNumber::new(2026, 0), None);
        assert_eq!(CaseNumber::new(2026, 1_000_000), None);
    }

    #[test]
    fn case_numbers_parse_as_printed_and_nothing_else() {
        assert_eq!(
            CaseNumber::parse(" qx-2026-000123 ").map(|number| number.to_string()),
            Some("QX-2026-000123".into())
        );
        for bad in [
            "",
            "QX-2026-123",
            "QX-26-000123",
            "XX-2026-000123",
            "QX-2026-000123-1",
            "QX-2026-00012a",
            "QX-2026-000000",
            "../QX-2026-000123",
        ] {
            assert_eq!(CaseNumber::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn status_codes_round_trip() {
        for status in CaseStatus::ALL {
            assert_eq!(CaseStatus::parse(status.code()), Some(status));
        }
        assert_eq!(CaseStatus::parse("draft"), None);
    }

    #[test]
    fn the_applicant_may_withdraw_only_before_a_decision() {
        assert!(CaseStatus::Submitted.applicant_may_withdraw());
        assert!(CaseStatus::Returned.applicant_may_withdraw());
        assert!(!CaseStatus::Accepted.applicant_may_withdraw());
        assert!(!CaseStatus::Withdrawn.applicant_may_withdraw());
    }

    #[test]
    fn the_most_serious_finding_decides_the_credit_level() {
        let finding = |level| CreditFinding {
            category: CreditCategory::BrokenCommitment,
            level,
            source: "s".into(),
            reason: "r".into(),
            recorded_on: "2026-01-01".into(),
            expires_on: None,
        };
        assert_eq!(credit_level(&[]), CreditLevel::Clear);
        assert_eq!(
            credit_level(&[finding(CreditLevel::Warn), finding(CreditLevel::Block)]),
            CreditLevel::Block
        );
        assert_eq!(
            credit_level(&[finding(CreditLevel::Warn)]),
            CreditLevel::Warn
        );
    }

    #[test]
    fn only_the_life_cycle_moves_are_allowed() {
        use CaseStatus as S;
        let allowed = [
            (S::Submitted, S::Returned),
            (S::Submitted, S::Accepted),
            (S::Submitted, S::Refused),
            (S::Submitted, S::Withdrawn),
            (S::Returned, S::Resubmitted),
            (S::Returned, S::Withdrawn),
            (S::Resubmitted, S::Returned),
            (S::Resubmitted, S::Accepted),
            (S::Resubmitted, S::Refused),
            (S::Resubmitted, S::Withdrawn),
            (S::Accepted, S::InApproval),
            (S::InApproval, S::Approved),
            (S::InApproval, S::Rejected),
            (S::Approved, S::Issued),
            (S::Issued, S::Delivered),
        ];
        for from in CaseStatus::ALL {
            for to in CaseStatus::ALL {
                assert_eq!(
                    from.may_move_to(to),
                    allowed.contains(&(from, to)),
                    "{from:?} → {to:?}"
                );
            }
        }
    }
}
