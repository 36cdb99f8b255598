//! Names of input fields and the problems a value can have: the vocabulary of every validation
//! message. The i18n layer turns a [`FieldError`] into a sentence naming the field and the fix.

use serde::{Deserialize, Serialize};

/// An input field a user can get wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Field {
    Login,
    Password,
    NewPassword,
    DisplayName,
    Role,
    Department,
    ServiceCentre,
    TotpCode,
    Language,
    /// The code sent by email or SMS (identity confirmation, signing).
    OneTimeCode,
    /// The name on the resident ID card.
    LegalName,
    ResidentId,
    /// An uploaded file.
    File,
    /// The drawn or typed signature on a commitment letter.
    SignatureMark,
    /// The browser's signing key and signature.
    SigningKey,
    /// The reason given for a decision.
    Reason,
    /// The reason chosen from a list (refusal to accept).
    ReasonChoice,
    /// An approver's opinion.
    Opinion,
    /// Working days of an extension.
    ExtensionDays,
    /// A day of the working-day calendar.
    CalendarDay,
    /// Holiday or make-up working day.
    DayKind,
    /// The name of a holiday.
    DayName,
    /// The phone number or resident ID a walk-in applicant is found by.
    ApplicantLookup,
    /// How the licence is delivered (electronic, courier, pickup).
    DeliveryMode,
    /// Who receives the courier parcel.
    RecipientName,
    /// The recipient's mobile number.
    RecipientPhone,
    /// The postal address of the courier parcel.
    Address,
    /// The service centre where the licence is picked up.
    PickupCentre,
    /// The courier company.
    Carrier,
    /// The courier's tracking number.
    TrackingNumber,
    /// The pickup code shown to the applicant.
    PickupCode,
    /// What the inspector found.
    Findings,
    /// The date by which a breach must be put right.
    RectifyBy,
    /// The inspector's verdict.
    InspectionOutcome,
    /// The name of an API token (which system uses it).
    TokenName,
    /// The first day of a statistics period.
    PeriodFrom,
    /// The last day of a statistics period.
    PeriodTo,
}

/// What is wrong with a value, precise enough to tell the user how to fix it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Problem {
    Required,
    TooShort {
        min: u32,
    },
    TooLong {
        max: u32,
    },
    NotPhoneOrEmail,
    InvalidPhone,
    InvalidEmail,
    PasswordNeedsLetterAndDigit,
    PasswordTooCommon,
    PasswordContainsLogin,
    ControlCharacters,
    AlreadyRegistered,
    UnknownChoice,
    NotSixDigits,
    WrongCode,
    MissingBinding,
    UnexpectedBinding,
    WrongPassword,
    /// A resident ID number that is not one (length, region, date, check character).
    BadResidentId(crate::domain::resident_id::ResidentIdProblem),
    /// A valid number the population registry does not know.
    NotInRegistry,
    /// The registry has the number under another name.
    NameMismatch,
    /// The resident ID is already verified for another account.
    ResidentIdTaken,
    /// A one-time code that does not match.
    CodeMismatch,
    /// The code is older than its lifetime: ask for a new one.
    CodeExpired,
    /// Too many wrong tries, or already used: ask for a new one.
    CodeUsedUp,
    /// No code was asked for.
    NoCodeRequested,
    /// A file name with a path (`/`, `\\`, `..`) or starting with a dot.
    PathInFileName,
    /// A file over the size limit.
    FileTooLarge {
        max_mb: u32,
    },
    /// The content is not one of the material's accepted types, whatever its name says.
    FileTypeNotAccepted,
    /// An empty file.
    EmptyFile,
    /// A material has its maximum number of files.
    TooManyFiles {
        max: u32,
    },
    /// A signature that does not verify with the key it names.
    SignatureInvalid,
    /// A number outside its allowed range.
    OutOfRange {
        min: u32,
        max: u32,
    },
    /// Not a date in the form YYYY-MM-DD.
    NotADate,
    /// No verified applicant account has this phone number or resident ID.
    NoSuchApplicant,
    /// A pickup code that matches no licence waiting for pickup.
    PickupCodeUnknown,
    /// A pickup code already used.
    PickupCodeUsed,
    /// A pickup code for a licence waiting at another centre.
    PickupAtOtherCentre,
    /// A date that must lie after today.
    DateNotInFuture,
    /// A choice the item does not offer (a delivery mode).
    NotOffered,
    /// A period whose first day lies after its last.
    PeriodReversed,
    /// A period longer than the figures are kept for at once.
    PeriodTooLong {
        max_days: u32,
    },
}

/// One problem with one field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FieldError {
    pub field: Field,
    pub problem: Problem,
}

impl FieldError {
    pub const fn new(field: Field, problem: Problem) -> Self {
        Self { field, problem }
    }
}

/// Collects every field problem of a form so that all of them are reported at once.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FieldErrors(Vec<FieldError>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    /// Parses one field, remembering its problem and giving back the value when it is valid.
    pub fn check<T>(&mut self, field: Field, parsed: Result<T, Problem>) -> Option<T> {
        match parsed {
            Ok(value) => Some(value),
            Err(problem) => {
                self.0.push(FieldError::new(field, problem));
                None
            }
        }
    }

    pub fn push(&mut self, error: FieldError) {
        self.0.push(error);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn into_vec(self) -> Vec<FieldError> {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_keeps_every_problem_and_returns_valid_values() {
        let mut errors = FieldErrors::new();
        assert_eq!(errors.check(Field::Login, Ok(3)), Some(3));
        assert_eq!(
            errors.check::<u8>(Field::Password, Err(Problem::Required)),
            None
        );
        assert_eq!(
            errors.check::<u8>(Field::DisplayName, Err(Problem::Required)),
            None
        );
        assert_eq!(errors.into_vec().len(), 2);
    }
}
