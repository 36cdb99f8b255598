//! 居民身份证号码 (GB 11643-1999): 6-digit address code, 8-digit birth date, 3-digit sequence
//! (odd for men, even for women) and a check character computed over the first 17 (ISO 7064
//! MOD 11-2; `X` stands for 10). A [`ResidentId`] is always 18 characters with a valid region,
//! a real calendar date and the right check character.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Why a text is not a resident ID number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, thiserror::Error)]
pub enum ResidentIdProblem {
    #[error("must be 18 characters")]
    Length,
    #[error("only digits, and X as the last character, are allowed")]
    Characters,
    #[error("the first two digits are not a province code")]
    Region,
    #[error("characters 7–14 are not a real birth date (YYYYMMDD)")]
    BirthDate,
    #[error("the check character does not match: the number is mistyped")]
    CheckCharacter,
}

/// A valid resident ID number, stored upper-case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ResidentId(String);

/// Province-level codes (GB/T 2260), the first two digits of every address code.
const PROVINCES: [u8; 34] = [
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52,
    53, 54, 61, 62, 63, 64, 65, 71, 81, 82,
];

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// The check character of the first 17 digits.
pub fn check_character(first17: &[u8; 17]) -> char {
    let sum: u32 = first17
        .iter()
        .zip(WEIGHTS)
        .map(|(digit, weight)| u32::from(digit - b'0') * weight)
        .sum();
    CHECK[(sum % 11) as usize]
}

fn is_leap(year: u32) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

/// Days in a month, or 0 for a month that does not exist.
pub(crate) fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

fn number(digits: &[u8]) -> u32 {
    digits
        .iter()
        .fold(0, |value, digit| value * 10 + u32::from(digit - b'0'))
}

impl ResidentId {
    /// Parses a typed number: surrounding spaces are ignored and a lower-case `x` accepted.
    pub fn parse(input: &str) -> Result<Self, ResidentIdProblem> {
        let text = input.trim().to_ascii_uppercase();
        let bytes = text.as_bytes();
        if text.chars().count() != 18 {
            return Err(ResidentIdProblem::Length);
        }
        if !bytes[..17].iter().all(u8::is_ascii_digit)
            || !(bytes[17].is_ascii_digit() || bytes[17] == b'X')
        {
            return Err(ResidentIdProblem::Characters);
        }
        let province = u8::try_from(number(&bytes[..2])).unwrap_or(0);
        if !PROVINCES.contains(&province) {
            return Err(ResidentIdProblem::Region);
        }
        let (year, month, day) = (
            number(&bytes[6..10]),
            number(&bytes[10..12]),
            number(&bytes[12..14]),
        );
        if year < 1900 || day == 0 || day > days_in_month(year, month) {
            return Err(ResidentIdProblem::BirthDate);
        }
        let mut first17 = [0u8; 17];
        first17.copy_from_slice(&bytes[..17]);
        if check_character(&first17) != char::from(bytes[17]) {
            return Err(ResidentIdProblem::CheckCharacter);
        }
        Ok(Self(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The birth date as (year, month, day).
    pub fn birth_date(&self) -> (u32, u32, u32) {
        let bytes = self.0.as_bytes();
        (
            number(&bytes[6..10]),
            number(&bytes[10..12]),
            number(&bytes[12..14]),
        )
    }

    /// The 6-digit address code of the place of first registration.
    pub fn region_code(&self) -> &str {
        &self.0[..6]
    }

    /// Men have an odd sequence number, women an even one.
    pub fn is_male(&self) -> bool {
        (self.0.as_bytes()[16] - b'0') % 2 == 1
    }

    /// The number with all but the first and last four characters hidden, for pages and
    /// notices that must not show it whole: `3201**********002X`.
    pub fn masked(&self) -> String {
        format!("{}{}{}", &self.0[..4], "*".repeat(10), &self.0[14..])
    }
}

impl fmt::Display for ResidentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for ResidentId {
    type Error = ResidentIdProblem;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<ResidentId> for String {
    fn from(id: ResidentId) -> Self {
        id.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_standard_example_number_parses() {
        let id = ResidentId::parse("11010519491231002X").expect("valid");
        assert_eq!(id.birth_date(), (1949, 12, 31));
        assert_eq!(id.region_code(), "110105");
        assert!(!id.is_male());
        assert_eq!(id.masked(), "1101**********002X");
    }

    #[test]
    fn a_lower_case_x_and_spaces_are_accepted() {
        assert_eq!(
            ResidentId::parse(" 11010519491231002x ")
                .expect("valid")
                .as_str(),
            "11010519491231002X"
        );
    }

    #[test]
    fn a_wrong_check_character_is_refused() {
        assert_eq!(
            ResidentId::parse("110105194912310021"),
            Err(ResidentIdProblem::CheckCharacter)
        );
    }

    #[test]
    fn a_mistyped_digit_is_caught_by_the_check_character() {
        // Any single changed digit of the first 17 changes the check character.
        let valid = "11010519491231002X";
        for position in 14..17 {
            let mut bytes = valid.as_bytes().to_vec();
            bytes[position] = if bytes[position] == b'9' {
                b'0'
            } else {
                bytes[position] + 1
            };
            let typo = String::from_utf8(bytes).expect("ascii");
            assert_eq!(
                ResidentId::parse(&typo),
                Err(ResidentIdProblem::CheckCharacter),
                "{typo}"
            );
        }
    }

    #[test]
    fn impossible_dates_regions_and_lengths_are_refused_with_their_reason() {
        assert_eq!(
            ResidentId::parse("1101051949123100"),
            Err(ResidentIdProblem::Length)
        );
        assert_eq!(
            ResidentId::parse("11010519491231002Y"),
            Err(ResidentIdProblem::Characters)
        );
        assert_eq!(
            ResidentId::parse("99010519491231002X"),
            Err(ResidentIdProblem::Region)
        );
        // 2023-02-29 does not exist.
        let mut first17 = *b"32011320230229001";
        let check = check_character(&first17);
        let text = format!("{}{check}", std::str::from_utf8(&first17).expect("ascii"));
        assert_eq!(ResidentId::parse(&text), Err(ResidentIdProblem::BirthDate));
        // 2024-02-29 does.
        first17.copy_from_slice(b"32011320240229001");
        let check = check_character(&first17);
        let text = format!("{}{check}", std::str::from_utf8(&first17).expect("ascii"));
        assert!(ResidentId::parse(&text).is_ok(), "{text}");
    }

    #[test]
    fn it_round_trips_through_json_and_refuses_invalid_json() {
        let id = ResidentId::parse("11010519491231002X").expect("valid");
        let json = serde_json::to_string(&id).expect("json");
        assert_eq!(json, "\"11010519491231002X\"");
        assert_eq!(
            serde_json::from_str::<ResidentId>(&json).expect("parse"),
            id
        );
        assert!(serde_json::from_str::<ResidentId>("\"110105194912310021\"").is_err());
    }
}
