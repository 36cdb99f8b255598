//! The back office's rules: approval tasks and their moves, refusal reasons, one-time
//! correction notices (一次性告知) and the instant-approval (秒批) rule set. Pure functions over
//! plain values, so the browser can check a notice before sending it and the server decides.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::case::CreditLevel;

/// Working days the front desk has to accept, return or refuse a submission (行政许可法 §32:
/// 当场或者在五日内一次告知).
pub const ACCEPTANCE_WORKING_DAYS: u32 = 5;

/// The version of the instant-approval rules, cited in every audit entry they decide.
pub const INSTANT_RULES_VERSION: &str = "qixia-instant-2026.1";

/// Where a department's approval task is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    /// Waiting for the department's decision.
    Open,
    /// Waiting for the applicant to supply something; the task's and the case's clocks stop.
    Supplement,
    Approved,
    Rejected,
    /// Closed without a decision because another department rejected the case.
    Moot,
}

impl TaskStatus {
    pub const ALL: [TaskStatus; 5] = [
        TaskStatus::Open,
        TaskStatus::Supplement,
        TaskStatus::Approved,
        TaskStatus::Rejected,
        TaskStatus::Moot,
    ];

    pub const fn code(self) -> &'static str {
        match self {
            TaskStatus::Open => "open",
            TaskStatus::Supplement => "supplement",
            TaskStatus::Approved => "approved",
            TaskStatus::Rejected => "rejected",
            TaskStatus::Moot => "moot",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.code() == code)
    }

    /// Still waiting for someone (the department or the applicant).
    pub const fn is_pending(self) -> bool {
        matches!(self, TaskStatus::Open | TaskStatus::Supplement)
    }

    /// The moves a task may make; a decided task never changes again.
    pub const fn may_move_to(self, to: TaskStatus) -> bool {
        use TaskStatus as T;
        matches!(
            (self, to),
            (T::Open, T::Approved | T::Rejected | T::Supplement | T::Moot)
                | (T::Supplement, T::Open | T::Moot)
        )
    }
}

/// What the case as a whole becomes after a task decision: approved once every task is,
/// rejected as soon as one is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseOutcome {
    Pending,
    Approved,
    Rejected,
}

pub fn case_outcome(tasks: impl IntoIterator<Item = TaskStatus>) -> CaseOutcome {
    let mut all_approved = true;
    let mut any = false;
    for status in tasks {
        any = true;
        match status {
            TaskStatus::Rejected => return CaseOutcome::Rejected,
            TaskStatus::Approved => {}
            _ => all_approved = false,
        }
    }
    if any && all_approved {
        CaseOutcome::Approved
    } else {
        CaseOutcome::Pending
    }
}

/// Why the front desk does not accept an application (不予受理), from the statutory list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefusalReason {
    /// The matter is not within this authority's powers (不属于本行政机关职权范围).
    NotOurCompetence,
    /// The matter needs no licence by law (依法不需要取得行政许可).
    NoLicenceNeeded,
    /// The applicant is not eligible to apply (申请人不具备申请资格).
    NotEligible,
    /// The application contains false materials (提供虚假材料).
    FalseMaterials,
    /// The same matter is already being handled or was decided (重复申请).
    Duplicate,
    /// Any other reason, said in the free text.
    Other,
}

impl RefusalReason {
    pub const ALL: [RefusalReason; 6] = [
        RefusalReason::NotOurCompetence,
        RefusalReason::NoLicenceNeeded,
        RefusalReason::NotEligible,
        RefusalReason::FalseMaterials,
        RefusalReason::Duplicate,
        RefusalReason::Other,
    ];

    pub const fn code(self) -> &'static str {
        match self {
            RefusalReason::NotOurCompetence => "not_our_competence",
            RefusalReason::NoLicenceNeeded => "no_licence_needed",
            RefusalReason::NotEligible => "not_eligible",
            RefusalReason::FalseMaterials => "false_materials",
            RefusalReason::Duplicate => "duplicate",
            RefusalReason::Other => "other",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|reason| reason.code() == code)
    }
}

/// What a correction-notice entry points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CorrectionTarget {
    Field,
    Material,
}

impl CorrectionTarget {
    pub const fn code(self) -> &'static str {
        match self {
            CorrectionTarget::Field => "field",
            CorrectionTarget::Material => "material",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        match code {
            "field" => Some(CorrectionTarget::Field),
            "material" => Some(CorrectionTarget::Material),
            _ => None,
        }
    }
}

/// One entry of a correction notice as the worker writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorrectionItem {
    pub target: CorrectionTarget,
    /// The form name of the field or material (`ITEM/key` in a bundle).
    pub name: String,
    /// What is wrong and how to fix it.
    pub problem: String,
    /// The clause of the service guide it rests on.
    pub clause: String,
}

/// Longest problem or clause text, in characters.
pub const CORRECTION_TEXT_MAX: usize = 500;
/// Most entries one notice may hold.
pub const CORRECTION_ITEMS_MAX: usize = 50;

/// Why a correction notice cannot be issued. Positions count from 1, as the worker sees them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum NoticeProblem {
    /// A notice must list at least one thing.
    Empty,
    TooManyItems,
    /// The name is not a field or material of this case's form.
    UnknownName {
        position: usize,
        name: String,
    },
    /// The same field or material is listed twice.
    Duplicate {
        position: usize,
        name: String,
    },
    /// The problem text is empty or too long.
    ProblemText {
        position: usize,
    },
    /// The guide clause is empty or too long.
    ClauseText {
        position: usize,
    },
    /// A later notice may cite only what the applicant changed since the previous one.
    NotChangedSince {
        position: usize,
        name: String,
    },
}

/// A correction notice that may be issued: non-empty, every entry names something of the form
/// once, with a problem and a clause, and — after a first notice — only what changed since.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorrectionNotice(Vec<CorrectionItem>);

impl CorrectionNotice {
    /// `fields` and `materials` are the case's form names; `changed_since_last` is what the
    /// applicant changed in answering the previous notice (`None` for the first notice).
    pub fn parse(
        items: Vec<CorrectionItem>,
        fields: &BTreeSet<String>,
        materials: &BTreeSet<String>,
        changed_since_last: Option<&BTreeSet<String>>,
    ) -> Result<Self, Vec<NoticeProblem>> {
        let mut problems = Vec::new();
        if items.is_empty() {
            return Err(vec![NoticeProblem::Empty]);
        }
        if items.len() > CORRECTION_ITEMS_MAX {
            return Err(vec![NoticeProblem::TooManyItems]);
        }
        let mut seen = BTreeSet::new();
        let mut cleaned = Vec::with_capacity(items.len());
        for (index, item) in items.into_iter().enumerate() {
            let position = index + 1;
            let name = item.name.trim().to_owned();
            let known = match item.target {
                CorrectionTarget::Field => fields.contains(&name),
                CorrectionTarget::Material => materials.contains(&name),
            };
            if !known {
                problems.push(NoticeProblem::UnknownName {
                    position,
                    name: name.clone(),
                });
            } else if !seen.insert((item.target, name.clone())) {
                problems.push(NoticeProblem::Duplicate {
                    position,
                    name: name.clone(),
                });
            } else if let Some(changed) = changed_since_last
                && !changed.contains(&name)
            {
                problems.push(NoticeProblem::NotChangedSince {
                    position,
                    name: name.clone(),
                });
            }
            let problem = item.problem.trim().to_owned();
            if problem.is_empty() || problem.chars().count() > CORRECTION_TEXT_MAX {
                problems.push(NoticeProblem::ProblemText { position });
            }
            let clause = item.clause.trim().to_owned();
            if clause.is_empty() || clause.chars().count() > CORRECTION_TEXT_MAX {
                problems.push(NoticeProblem::ClauseText { position });
            }
            cleaned.push(CorrectionItem {
                target: item.target,
                name,
                problem,
                clause,
            });
        }
        if problems.is_empty() {
            Ok(CorrectionNotice(cleaned))
        } else {
            Err(problems)
        }
    }

    pub fn items(&self) -> &[CorrectionItem] {
        &self.0
    }

    /// The names the applicant may change in answering.
    pub fn names(&self) -> BTreeSet<String> {
        self.0.iter().map(|item| item.name.clone()).collect()
    }
}

/// A rule of the instant-approval set that a submission did not meet: the case goes to the
/// front desk instead, and this says why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "rule")]
pub enum InstantFallback {
    /// An item of the application is not marked for instant approval.
    ItemNotEligible { item: String },
    /// The credit check found something (a warning needs a person to look).
    CreditNotClear,
    /// Filed by a worker for a walk-in applicant: a second person must look.
    FiledByWorker,
}

/// What the instant-approval rules look at. Identity level, form rules, materials and the
/// signed commitment are already enforced for every submission; they are repeated here so
/// the rule set stands on its own and the audit entry can cite each one.
#[derive(Debug, Clone)]
pub struct InstantFacts<'a> {
    pub items: Vec<(&'a str, bool)>,
    pub credit: CreditLevel,
    pub filed_by_worker: bool,
}

/// Every rule the submission breaks; empty means the system accepts and approves it.
pub fn instant_fallbacks(facts: &InstantFacts<'_>) -> Vec<InstantFallback> {
    let mut fallbacks: Vec<InstantFallback> = facts
        .items
        .iter()
        .filter(|(_, eligible)| !eligible)
        .map(|(item, _)| InstantFallback::ItemNotEligible {
            item: (*item).to_owned(),
        })
        .collect();
    if facts.credit != CreditLevel::Clear {
        fallbacks.push(InstantFallback::CreditNotClear);
    }
    if facts.filed_by_worker {
        fallbacks.push(InstantFallback::FiledByWorker);
    }
    fallbacks
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> BTreeSet<String> {
        list.iter().map(|name| (*name).to_owned()).collect()
    }

    fn item(target: CorrectionTarget, name: &str) -> CorrectionItem {
        CorrectionItem {
            target,
            name: name.into(),
            problem: "经营场所地址与租赁合同不一致".into(),
            clause: "办事指南 三、申请材料 第2项".into(),
        }
    }

    #[test]
    fn a_notice_lists_known_fields_and_materials_once() {
        let fields = names(&["shop_name", "address"]);
        let materials = names(&["lease"]);
        let notice = CorrectionNotice::parse(
            vec![
                item(CorrectionTarget::Field, " address "),
                item(CorrectionTarget::Material, "lease"),
            ],
            &fields,
            &materials,
            None,
        )
        .expect("a valid notice");
        assert_eq!(notice.names(), names(&["address", "lease"]));
    }

    #[test]
    fn an_empty_notice_is_refused() {
        let none = BTreeSet::new();
        assert_eq!(
            CorrectionNotice::parse(Vec::new(), &none, &none, None),
            Err(vec![NoticeProblem::Empty])
        );
    }

    #[test]
    fn every_problem_of_a_notice_is_reported_at_once() {
        let fields = names(&["address"]);
        let materials = names(&["lease"]);
        let mut blank = item(CorrectionTarget::Field, "address");
        blank.problem = "  ".into();
        blank.clause = String::new();
        let problems = CorrectionNotice::parse(
            vec![
                blank,
                item(CorrectionTarget::Field, "address"),
                // A field name used as a material is not a material.
                item(CorrectionTarget::Material, "address"),
            ],
            &fields,
            &materials,
            None,
        )
        .expect_err("refused");
        assert_eq!(
            problems,
            vec![
                NoticeProblem::ProblemText { position: 1 },
                NoticeProblem::ClauseText { position: 1 },
                NoticeProblem::Duplicate {
                    position: 2,
                    name: "address".into()
                },
                NoticeProblem::UnknownName {
                    position: 3,
                    name: "address".into()
                },
            ]
        );
    }

    #[test]
    fn a_second_notice_may_cite_only_what_changed_since_the_first() {
        let fields = names(&["shop_name", "address"]);
        let materials = names(&["lease"]);
        let changed = names(&["address"]);
        assert!(
            CorrectionNotice::parse(
                vec![item(CorrectionTarget::Field, "address")],
                &fields,
                &materials,
                Some(&changed),
            )
            .is_ok()
        );
        assert_eq!(
            CorrectionNotice::parse(
                vec![item(CorrectionTarget::Field, "shop_name")],
                &fields,
                &materials,
                Some(&changed),
            ),
            Err(vec![NoticeProblem::NotChangedSince {
                position: 1,
                name: "shop_name".into()
            }])
        );
    }

    #[test]
    fn decided_tasks_never_move_again() {
        for from in [TaskStatus::Approved, TaskStatus::Rejected, TaskStatus::Moot] {
            for to in TaskStatus::ALL {
                assert!(!from.may_move_to(to), "{from:?} → {to:?}");
            }
        }
        assert!(TaskStatus::Open.may_move_to(TaskStatus::Supplement));
        assert!(TaskStatus::Supplement.may_move_to(TaskStatus::Open));
        assert!(!TaskStatus::Supplement.may_move_to(TaskStatus::Approved));
    }

    #[test]
    fn a_case_is_approved_by_all_and_rejected_by_one() {
        use TaskStatus as T;
        assert_eq!(
            case_outcome([T::Approved, T::Approved]),
            CaseOutcome::Approved
        );
        assert_eq!(case_outcome([T::Approved, T::Open]), CaseOutcome::Pending);
        assert_eq!(
            case_outcome([T::Open, T::Rejected, T::Supplement]),
            CaseOutcome::Rejected
        );
        assert_eq!(case_outcome([]), CaseOutcome::Pending);
    }

    #[test]
    fn instant_approval_needs_every_item_eligible_and_clean_credit() {
        let clean = InstantFacts {
            items: vec![("SCJG-XK-001", true)],
            credit: CreditLevel::Clear,
            filed_by_worker: false,
        };
        assert!(instant_fallbacks(&clean).is_empty());
        let mixed = InstantFacts {
            items: vec![("SCJG-XK-001", true), ("SCJG-XK-007", false)],
            credit: CreditLevel::Warn,
            filed_by_worker: true,
        };
        assert_eq!(
            instant_fallbacks(&mixed),
            vec![
                InstantFallback::ItemNotEligible {
                    item: "SCJG-XK-007".into()
                },
                InstantFallback::CreditNotClear,
                InstantFallback::FiledByWorker,
            ]
        );
    }

    #[test]
    fn codes_round_trip() {
        for status in TaskStatus::ALL {
            assert_eq!(TaskStatus::parse(status.code()), Some(status));
        }
        for reason in RefusalReason::ALL {
            assert_eq!(RefusalReason::parse(reason.code()), Some(reason));
        }
        assert_eq!(RefusalReason::parse("because"), None);
    }
}
