//! The one error type every server function returns. It crosses the wire (JSON) so the browser
//! can show a translated message; internal detail never goes into it — the server logs that.

use serde::{Deserialize, Serialize};

use crate::domain::FieldError;
use crate::domain::application::FormProblem;
use crate::domain::back_office::NoticeProblem;
use crate::domain::calendar::china_minute_text;
use crate::domain::case::CaseStatus;
use crate::domain::case::CreditFinding;
use crate::domain::catalogue::{IdentityLevel, LocatedProblem};
use crate::i18n::{
    Lang, Msg, already_decided_text, case_status_text, credit_finding_text, field_error_text,
    identity_level_name, notice_problem_text, spec_problem_text, value_problem_text,
};

/// What went wrong, as far as the user needs to know. Each variant has one HTTP status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// Input that breaks a rule; every problem of the form at once (422).
    #[error("invalid input: {0:?}")]
    Invalid(Vec<FieldError>),
    /// A catalogue item or bundle that cannot be saved or published; every problem with its
    /// place in the item (422).
    #[error("invalid catalogue entry: {0:?}")]
    InvalidSpec(Vec<LocatedProblem>),
    /// Application form values that break the item's rules, by field name, all at once (422).
    #[error("invalid form: {0:?}")]
    FormInvalid(Vec<FormProblem>),
    /// The item needs a higher identity verification level than the account has (403).
    #[error("identity level {needed:?} needed, have {have:?}")]
    IdentityTooLow {
        needed: IdentityLevel,
        have: Option<IdentityLevel>,
    },
    /// The credit registry bars the applicant from this item; the records say why and where
    /// to appeal (403).
    #[error("credit check blocks this application")]
    CreditBlocked(Vec<CreditFinding>),
    /// Somebody else changed the record since it was loaded; reload and redo the change (409).
    #[error("changed meanwhile")]
    ChangedMeanwhile,
    /// The case or task was decided already: by whom (role, and name for staff) and when (409).
    #[error("already decided ({step}) at {at}")]
    AlreadyDecided {
        step: String,
        by_role: String,
        by: Option<String>,
        at: i64,
    },
    /// The case is not in a state that allows this action (409).
    #[error("wrong state {0:?}")]
    WrongState(CaseStatus),
    /// Another worker holds the case until the claim runs out (409).
    #[error("claimed by {by} until {until}")]
    ClaimedByOther { by: String, until: i64 },
    /// Deciding needs a claim on the case, and the worker's is missing or ran out (409).
    #[error("claim needed")]
    ClaimNeeded,
    /// A correction notice that cannot be issued; every problem at once (422).
    #[error("invalid correction notice: {0:?}")]
    NoticeInvalid(Vec<NoticeProblem>),
    /// The answer to a correction notice changes something the notice does not list, or
    /// nothing at all (422).
    #[error("outside the notice: {0:?}")]
    OutsideNotice(Vec<String>),
    /// The task belongs to another department's queue (403).
    #[error("other department")]
    OtherDepartment,
    /// One person may not both accept a case and approve it (一审一核, 403).
    #[error("separation of duties")]
    SeparationOfDuties,
    /// Input that clashes with existing data, such as a login already registered (409).
    #[error("conflict: {0:?}")]
    Conflict(Vec<FieldError>),
    /// No valid session: missing, expired, forged, revoked (401).
    #[error("not signed in")]
    Unauthenticated,
    /// Signed in, but the role or ownership does not allow this (403).
    #[error("forbidden")]
    Forbidden,
    /// Login or password wrong — the same answer whether or not the account exists (401).
    #[error("wrong login or password")]
    BadCredentials,
    /// The second factor was wrong, expired or used up (401).
    #[error("second factor refused")]
    BadSecondFactor,
    /// Too many attempts (429).
    #[error("rate limited, retry after {retry_after_secs}s")]
    RateLimited { retry_after_secs: u64 },
    /// A state-changing request without proof that it came from this site (403).
    #[error("cross-site request refused")]
    CrossSite,
    /// The record does not exist or is not visible to this user (404).
    #[error("not found")]
    NotFound,
    /// Anything on the server's side; details are in the server log (500).
    #[error("internal error")]
    Internal,
    /// The server's storage (database or files) is full or read-only: nothing was written,
    /// trying again later can work (503).
    #[error("storage unavailable")]
    StorageUnavailable,
    /// A service the server depends on (the database, the file store) cannot be reached;
    /// nothing was changed, try again later (503).
    #[error("service unavailable")]
    Unavailable,
    /// The browser could not talk to the server, or could not read the answer.
    #[error("transport: {0}")]
    Transport(String),
}

impl AppError {
    pub fn invalid(errors: impl Into<Vec<FieldError>>) -> Self {
        AppError::Invalid(errors.into())
    }

    pub const fn status(&self) -> u16 {
        match self {
            AppError::Invalid(_) | AppError::InvalidSpec(_) | AppError::FormInvalid(_) => 422,
            AppError::IdentityTooLow { .. } | AppError::CreditBlocked(_) => 403,
            AppError::Conflict(_)
            | AppError::ChangedMeanwhile
            | AppError::AlreadyDecided { .. }
            | AppError::WrongState(_)
            | AppError::ClaimedByOther { .. }
            | AppError::ClaimNeeded => 409,
            AppError::NoticeInvalid(_) | AppError::OutsideNotice(_) => 422,
            AppError::OtherDepartment | AppError::SeparationOfDuties => 403,
            AppError::Unauthenticated | AppError::BadCredentials | AppError::BadSecondFactor => 401,
            AppError::Forbidden | AppError::CrossSite => 403,
            AppError::RateLimited { .. } => 429,
            AppError::NotFound => 404,
            AppError::Internal | AppError::Transport(_) => 500,
            AppError::StorageUnavailable => 503,
            AppError::Unavailable => 503,
        }
    }

    /// One translated line per problem, ready to show.
    pub fn messages(&self, lang: Lang) -> Vec<String> {
        match self {
            // A request the form could not have sent (missing or unreadable fields) names no field.
            AppError::Invalid(errors) if errors.is_empty() => {
                vec![Msg::ErrInvalidRequest.text(lang).into()]
            }
            AppError::Invalid(errors) | AppError::Conflict(errors) => errors
                .iter()
                .map(|error| field_error_text(*error, lang))
                .collect(),
            AppError::InvalidSpec(problems) => problems
                .iter()
                .map(|problem| spec_problem_text(problem, lang))
                .collect(),
            AppError::FormInvalid(problems) => problems
                .iter()
                .map(|problem| {
                    format!(
                        "{} {}",
                        problem.name,
                        value_problem_text(problem.problem, lang)
                    )
                })
                .collect(),
            AppError::IdentityTooLow { needed, .. } => vec![format!(
                "{} {}",
                Msg::ErrIdentityTooLow.text(lang),
                identity_level_name(*needed, lang)
            )],
            AppError::CreditBlocked(findings) => {
                let mut lines = vec![Msg::ErrCreditBlocked.text(lang).to_owned()];
                lines.extend(
                    findings
                        .iter()
                        .map(|finding| credit_finding_text(finding, lang)),
                );
                lines.push(Msg::CreditAppealHow.text(lang).to_owned());
                lines
            }
            AppError::ChangedMeanwhile => vec![Msg::ErrChangedMeanwhile.text(lang).into()],
            AppError::AlreadyDecided {
                step,
                by_role,
                by,
                at,
            } => vec![already_decided_text(
                step,
                by_role,
                by.as_deref(),
                *at,
                lang,
            )],
            AppError::WrongState(status) => vec![format!(
                "{} {}",
                Msg::ErrWrongState.text(lang),
                case_status_text(*status, lang)
            )],
            AppError::ClaimedByOther { by, until } => vec![format!(
                "{} {by}（{} {}）",
                Msg::ErrClaimedBy.text(lang),
                Msg::ClaimUntil.text(lang),
                china_minute_text(*until)
            )],
            AppError::ClaimNeeded => vec![Msg::ErrClaimNeeded.text(lang).into()],
            AppError::NoticeInvalid(problems) => problems
                .iter()
                .map(|problem| notice_problem_text(problem, lang))
                .collect(),
            AppError::OutsideNotice(names) if names.is_empty() => {
                vec![Msg::ErrNothingChanged.text(lang).into()]
            }
            AppError::OutsideNotice(names) => vec![format!(
                "{} {}",
                Msg::ErrOutsideNotice.text(lang),
                names.join("、")
            )],
            AppError::OtherDepartment => vec![Msg::ErrOtherDepartment.text(lang).into()],
            AppError::SeparationOfDuties => vec![Msg::ErrSeparationOfDuties.text(lang).into()],
            AppError::Unauthenticated => vec![Msg::ErrUnauthenticated.text(lang).into()],
            AppError::Forbidden => vec![Msg::ErrForbidden.text(lang).into()],
            AppError::BadCredentials => vec![Msg::ErrBadCredentials.text(lang).into()],
            AppError::BadSecondFactor => vec![Msg::ErrBadSecondFactor.text(lang).into()],
            AppError::RateLimited { retry_after_secs } => vec![format!(
                "{} ({retry_after_secs} {})",
                Msg::ErrRateLimited.text(lang),
                Msg::ErrRetryAfter.text(lang)
            )],
            AppError::CrossSite => vec![Msg::ErrCrossSite.text(lang).into()],
            AppError::NotFound => vec![Msg::ErrNotFound.text(lang).into()],
            AppError::Internal => vec![Msg::ErrInternal.text(lang).into()],
            AppError::StorageUnavailable => vec![Msg::ErrStorageUnavailable.text(lang).into()],
            AppError::Unavailable => vec![Msg::ErrUnavailable.text(lang).into()],
            AppError::Transport(_) => vec![Msg::ErrTransport.text(lang).into()],
        }
    }

    /// The field errors, if this error is about fields (for inline messages).
    pub fn field_errors(&self) -> &[FieldError] {
        match self {
            AppError::Invalid(errors) | AppError::Conflict(errors) => errors,
            _ => &[],
        }
    }
}

impl leptos::server_fn::error::FromServerFnError for AppError {
    type Encoder = leptos::server_fn::codec::JsonEncoding;

    fn from_server_fn_error(value: leptos::server_fn::error::ServerFnErrorErr) -> Self {
        // On the server these mean the request's arguments could not be read (missing, malformed,
        // not UTF-8): the caller's fault. Answer 422 instead of the framework's 500.
        #[cfg(feature = "ssr")]
        {
            use leptos::server_fn::error::ServerFnErrorErr as E;
            if matches!(value, E::Args(_) | E::MissingArg(_) | E::Deserialization(_)) {
                if let Some(response) =
                    leptos::prelude::use_context::<leptos_axum::ResponseOptions>()
                {
                    response.set_status(http::StatusCode::UNPROCESSABLE_ENTITY);
                }
                return AppError::Invalid(Vec::new());
            }
        }
        AppError::Transport(value.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Field, Problem};

    #[test]
    fn each_error_maps_to_its_status() {
        assert_eq!(AppError::invalid(vec![]).status(), 422);
        assert_eq!(AppError::BadCredentials.status(), 401);
        assert_eq!(AppError::Forbidden.status(), 403);
        assert_eq!(
            AppError::RateLimited {
                retry_after_secs: 3
            }
            .status(),
            429
        );
    }

    #[test]
    fn invalid_input_gives_one_message_per_field() {
        let error = AppError::invalid(vec![
            FieldError::new(Field::Login, Problem::Required),
            FieldError::new(Field::Password, Problem::TooShort { min: 10 }),
        ]);
        assert_eq!(error.messages(Lang::En).len(), 2);
    }

    #[test]
    fn an_unreadable_request_still_gets_a_message() {
        assert_eq!(AppError::invalid(vec![]).messages(Lang::Zh).len(), 1);
    }
}
