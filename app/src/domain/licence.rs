//! Licences (电子证照) and what surrounds them: licence numbers per type, the validity of each
//! type, masking personal names for public verification, the applicant's delivery choice, the
//! pickup code, and the outcome of a verification. Pure types, shared by browser and server.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The administrative division code of the district the demo portal serves (栖霞区).
pub const DISTRICT_DIVISION: &str = "320113";

/// How long a licence of this type is valid after issue, in years; `None` = long-term (长期).
/// Food business licences run five years (《食品经营许可和备案管理办法》第二十九条); public venue
/// hygiene licences four; permits for temporary use one; certificates of a fact never expire.
pub fn validity_years(licence_type: &str) -> Option<u32> {
    match licence_type {
        "food_business_licence"
        | "special_trade_licence"
        | "hr_service_licence"
        | "labour_dispatch_licence"
        | "drainage_permit"
        | "pollutant_discharge_permit"
        | "water_abstraction_permit"
        | "entertainment_licence"
        | "internet_cafe_licence"
        | "household_waste_service_licence" => Some(5),
        "public_health_licence" => Some(4),
        "small_catering_registration" => Some(3),
        "outdoor_advertising_permit"
        | "construction_waste_permit"
        | "road_occupation_permit"
        | "residence_permit" => Some(1),
        _ => None,
    }
}

/// The letters of a licence type's number prefix: the initials of its words
/// (`outdoor_advertising_permit` → `OAP`).
fn initials(licence_type: &str) -> String {
    licence_type
        .split('_')
        .filter_map(|word| word.chars().next())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// The licence number of the `serial`-th licence of a type in `year`. Business licences are
/// numbered by their unified social credit code and never come here. Food business licences
/// follow the national format `JY` + subject type + division + serial + check digit; every other
/// type is `<initials>-<year>-<serial>` (numbering is per type, so initials may repeat).
pub fn licence_number(licence_type: &str, year: i32, serial: i64) -> String {
    match licence_type {
        "food_business_licence" => {
            let digits = format!("1{DISTRICT_DIVISION}{:06}", serial.rem_euclid(1_000_000));
            let sum: u32 = digits
                .chars()
                .filter_map(|c| c.to_digit(10))
                .enumerate()
                .map(|(index, digit)| digit * if index % 2 == 0 { 3 } else { 1 })
                .sum();
            format!("JY{digits}{}", (10 - sum % 10) % 10)
        }
        _ => format!("{}-{year}-{serial:06}", initials(licence_type)),
    }
}

/// A person's name as shown to someone who only checks a licence: the first character and, for
/// names of three or more, the last; the rest starred (王开店 → 王*店, 李四 → 李*).
pub fn mask_person_name(name: &str) -> String {
    let chars: Vec<char> = name.trim().chars().collect();
    match chars.len() {
        0 => String::new(),
        1 => "*".into(),
        2 => format!("{}*", chars[0]),
        n => format!(
            "{}{}{}",
            chars[0],
            "*".repeat(n - 2),
            chars.last().copied().unwrap_or('*')
        ),
    }
}

/// How the applicant receives the paper licence. The electronic licence (download and mail) is
/// always issued; courier and pickup add paper.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryChoice {
    Electronic,
    Courier,
    Pickup,
}

impl DeliveryChoice {
    pub const ALL: [DeliveryChoice; 3] = [
        DeliveryChoice::Electronic,
        DeliveryChoice::Courier,
        DeliveryChoice::Pickup,
    ];

    pub const fn code(self) -> &'static str {
        match self {
            DeliveryChoice::Electronic => "electronic",
            DeliveryChoice::Courier => "courier",
            DeliveryChoice::Pickup => "pickup",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|choice| choice.code() == code)
    }
}

/// A pickup code (取件码): eight digits, handed to the applicant at issue and checked by the
/// worker at the chosen centre.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PickupCode(String);

impl PickupCode {
    pub const LENGTH: usize = 8;

    /// Accepts eight digits, ignoring spaces and dashes typed between them.
    pub fn parse(input: &str) -> Option<Self> {
        let digits: String = input
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        (digits.len() == Self::LENGTH && digits.bytes().all(|byte| byte.is_ascii_digit()))
            .then_some(Self(digits))
    }

    /// A code from eight random digits.
    pub fn from_random(random: u64) -> Self {
        Self(format!("{:08}", random % 100_000_000))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PickupCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a verification found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum VerificationStatus {
    /// Signed by the portal's key, within its validity, not revoked.
    Valid,
    /// Authentic, but revoked.
    Revoked,
    /// Authentic, but past its validity.
    Expired,
    /// Not signed by the portal, changed since, or unreadable.
    NotAuthentic,
}

impl VerificationStatus {
    pub const fn code(self) -> &'static str {
        match self {
            VerificationStatus::Valid => "valid",
            VerificationStatus::Revoked => "revoked",
            VerificationStatus::Expired => "expired",
            VerificationStatus::NotAuthentic => "not_authentic",
        }
    }
}

/// What an inspector found on a visit (事中事后监管).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InspectionOutcome {
    /// The commitments are kept: the task closes.
    Compliant,
    /// Not kept: findings and a rectification deadline; the holder is told.
    NonCompliant,
    /// Re-inspection after the deadline: put right, the task closes.
    Rectified,
    /// Re-inspection after the deadline: not put right. The licence is revoked and a
    /// broken-commitment credit record (承诺失信) is made.
    Unrectified,
}

impl InspectionOutcome {
    pub const fn code(self) -> &'static str {
        match self {
            InspectionOutcome::Compliant => "compliant",
            InspectionOutcome::NonCompliant => "non_compliant",
            InspectionOutcome::Rectified => "rectified",
            InspectionOutcome::Unrectified => "unrectified",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        [
            InspectionOutcome::Compliant,
            InspectionOutcome::NonCompliant,
            InspectionOutcome::Rectified,
            InspectionOutcome::Unrectified,
        ]
        .into_iter()
        .find(|outcome| outcome.code() == code)
    }

    /// Which outcomes an inspection task in `status` accepts: a first visit decides compliant
    /// or not; after a rectification deadline, only rectified or unrectified.
    pub fn allowed_in(self, status: &str) -> bool {
        matches!(
            (status, self),
            (
                "open",
                InspectionOutcome::Compliant | InspectionOutcome::NonCompliant
            ) | (
                "rectifying",
                InspectionOutcome::Rectified | InspectionOutcome::Unrectified
            )
        )
    }

    /// The task status after this outcome.
    pub const fn next_status(self) -> &'static str {
        match self {
            InspectionOutcome::Compliant | InspectionOutcome::Rectified => "compliant",
            InspectionOutcome::NonCompliant => "rectifying",
            InspectionOutcome::Unrectified => "revoked",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn person_names_keep_only_the_first_and_last_character() {
        assert_eq!(mask_person_name("王开店"), "王*店");
        assert_eq!(mask_person_name("李四"), "李*");
        assert_eq!(mask_person_name("欧阳娜娜"), "欧**娜");
        assert_eq!(mask_person_name("王"), "*");
        assert_eq!(mask_person_name(""), "");
    }

    #[test]
    fn food_licence_numbers_follow_the_national_format_with_a_check_digit() {
        let number = licence_number("food_business_licence", 2026, 42);
        assert_eq!(number.len(), 16);
        assert!(number.starts_with("JY1320113000042"));
        assert_ne!(
            licence_number("food_business_licence", 2026, 43),
            licence_number("food_business_licence", 2026, 42)
        );
    }

    #[test]
    fn other_licence_numbers_carry_the_type_initials_year_and_serial() {
        assert_eq!(
            licence_number("outdoor_advertising_permit", 2026, 7),
            "OAP-2026-000007"
        );
    }

    #[test]
    fn pickup_codes_are_eight_digits_typed_loosely() {
        assert_eq!(
            PickupCode::parse("1234 5678").map(|code| code.to_string()),
            Some("12345678".into())
        );
        assert!(PickupCode::parse("1234567").is_none());
        assert!(PickupCode::parse("1234567a").is_none());
        assert_eq!(PickupCode::from_random(42).as_str(), "00000042");
    }

    #[test]
    fn inspections_decide_first_then_follow_up_after_the_deadline() {
        use InspectionOutcome as O;
        assert!(O::Compliant.allowed_in("open"));
        assert!(O::NonCompliant.allowed_in("open"));
        assert!(!O::Unrectified.allowed_in("open"));
        assert!(O::Unrectified.allowed_in("rectifying"));
        assert!(!O::Compliant.allowed_in("rectifying"));
        assert!(!O::Rectified.allowed_in("compliant"));
        assert!(!O::NonCompliant.allowed_in("revoked"));
        assert_eq!(O::Unrectified.next_status(), "revoked");
    }

    #[test]
    fn validity_depends_on_the_licence_type() {
        assert_eq!(validity_years("food_business_licence"), Some(5));
        assert_eq!(validity_years("business_licence"), None);
    }
}
