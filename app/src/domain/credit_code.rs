//! 统一社会信用代码 (GB 32100-2015): registration authority (1), organisation category (1),
//! administrative division (6 digits), organisation code (GB 11714: 8 characters and its own check
//! character) and a final check character over the first 17 (MOD 31). The alphabet has 31
//! characters: digits and capitals without I, O, Z, S, V. A [`CreditCode`] is always a code whose
//! both check characters are right; [`CreditCode::generate`] builds one for a new registration.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Why a text is not a unified social credit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, thiserror::Error)]
pub enum CreditCodeProblem {
    #[error("must be 18 characters")]
    Length,
    #[error("only digits and capital letters other than I, O, Z, S and V are allowed")]
    Characters,
    #[error("characters 3–8 must be a 6-digit administrative division code")]
    Division,
    #[error("the organisation code (characters 9–17) has a wrong check character")]
    OrganisationCheck,
    #[error("the last character does not match: the code is mistyped")]
    CheckCharacter,
}

/// The 31 characters of the code, in value order.
const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];
const ORGANISATION_WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];

fn value(byte: u8) -> Option<u32> {
    ALPHABET
        .iter()
        .position(|known| *known == byte)
        .and_then(|index| u32::try_from(index).ok())
}

/// GB 11714 values: digits 0–9, letters A = 10 … Z = 35.
fn organisation_value(byte: u8) -> u32 {
    match byte {
        b'0'..=b'9' => u32::from(byte - b'0'),
        b'A'..=b'Z' => u32::from(byte - b'A') + 10,
        _ => 0,
    }
}

fn organisation_check(first8: &[u8]) -> u8 {
    let sum: u32 = first8
        .iter()
        .zip(ORGANISATION_WEIGHTS)
        .map(|(byte, weight)| organisation_value(*byte) * weight)
        .sum();
    match 11 - sum % 11 {
        10 => b'X',
        11 => b'0',
        digit => b'0' + u8::try_from(digit).unwrap_or(0),
    }
}

fn final_check(first17: &[u8]) -> u8 {
    let sum: u32 = first17
        .iter()
        .zip(WEIGHTS)
        .map(|(byte, weight)| value(*byte).unwrap_or(0) * weight)
        .sum();
    ALPHABET[((31 - sum % 31) % 31) as usize]
}

/// A valid unified social credit code.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CreditCode(String);

impl CreditCode {
    /// Parses a typed code: surrounding spaces are ignored, lower case accepted.
    pub fn parse(input: &str) -> Result<Self, CreditCodeProblem> {
        let text = input.trim().to_ascii_uppercase();
        let bytes = text.as_bytes();
        if text.chars().count() != 18 {
            return Err(CreditCodeProblem::Length);
        }
        if !bytes.iter().all(|byte| value(*byte).is_some()) {
            return Err(CreditCodeProblem::Characters);
        }
        if !bytes[2..8].iter().all(u8::is_ascii_digit) {
            return Err(CreditCodeProblem::Division);
        }
        if organisation_check(&bytes[8..16]) != bytes[16] {
            return Err(CreditCodeProblem::OrganisationCheck);
        }
        if final_check(&bytes[..17]) != bytes[17] {
            return Err(CreditCodeProblem::CheckCharacter);
        }
        Ok(Self(text))
    }

    /// A new code: `authority` and `category` per GB 32100 (`9` `2` = 工商 · 个体工商户,
    /// `9` `1` = 工商 · 企业), the 6-digit `division`, and a `serial` that makes the 8-character
    /// organisation code (written in base 31 over digits and capitals without I, O, Z, S, V, so
    /// every serial gives a distinct code). `None` when the parts are out of range.
    pub fn generate(authority: char, category: char, division: &str, serial: u64) -> Option<Self> {
        let mut text = String::with_capacity(18);
        text.push(authority);
        text.push(category);
        if division.len() != 6 || !division.bytes().all(|byte| byte.is_ascii_digit()) {
            return None;
        }
        text.push_str(division);
        let mut digits = [b'0'; 8];
        let mut rest = serial;
        for slot in digits.iter_mut().rev() {
            *slot = ALPHABET[(rest % 31) as usize];
            rest /= 31;
        }
        if rest != 0 {
            return None;
        }
        text.push_str(std::str::from_utf8(&digits).ok()?);
        text.push(char::from(organisation_check(&digits)));
        text.push(char::from(final_check(text.as_bytes())));
        Self::parse(&text).ok()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The administrative division (characters 3–8).
    pub fn division(&self) -> &str {
        &self.0[2..8]
    }
}

impl fmt::Display for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for CreditCode {
    type Error = CreditCodeProblem;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<CreditCode> for String {
    fn from(code: CreditCode) -> Self {
        code.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_published_codes_parse() {
        for code in [
            "914403001922038216",
            "91310000717866186P",
            "91350100M000100Y43",
        ] {
            assert!(CreditCode::parse(code).is_ok(), "{code}");
        }
        assert_eq!(
            CreditCode::parse("914403001922038216")
                .expect("valid")
                .division(),
            "440300"
        );
    }

    /// Codes in the real format of many registration authorities and categories (9 market
    /// regulation, 1 institutional, 5 civil affairs, 3/7/8/N/Y/G/A others), their check characters
    /// computed by an independent implementation of GB 32100-2015 (Python, in the commit that
    /// added them), plus three published codes.
    const REAL_FORMAT_CODES: [&str; 26] = [
        "914403001922038216",
        "91310000717866186P",
        "91350100M000100Y43",
        "91320113MA1XY2K825",
        "92320113L3K9QW4T0Q",
        "93320113088774210D",
        "11320000014004344H",
        "123201134663471291",
        "131100004000017238",
        "19310000MB0R4E9A4Y",
        "3132010033567893X2",
        "51320113508401200B",
        "52320113MJ5867PE1D",
        "5311000050001234XA",
        "59440300MJL4812C9C",
        "71320100MC12345D31",
        "81330100MC0001XX71",
        "91110108551385082Q",
        "91440300MA5ETPLW0J",
        "91310115MA1K4F2B2B",
        "92320113MA20LT3Y16",
        "N1320113MG7HJ3LQ54",
        "Y1320113MD5A9B8C4P",
        "G13201131234567880",
        "A111000071783642X4",
        "91320115MA1MYDKE10",
    ];

    #[test]
    fn codes_in_the_real_format_of_every_authority_are_accepted() {
        for code in REAL_FORMAT_CODES {
            assert_eq!(
                CreditCode::parse(code).map(String::from),
                Ok(code.to_owned()),
                "{code}"
            );
        }
    }

    #[test]
    fn every_other_last_character_is_refused_as_a_mistyped_check_character() {
        let mut refused = 0;
        for code in REAL_FORMAT_CODES {
            let (body, last) = code.split_at(17);
            for candidate in ALPHABET.iter().map(|byte| char::from(*byte)) {
                if last.starts_with(candidate) {
                    continue;
                }
                let wrong = format!("{body}{candidate}");
                assert_eq!(
                    CreditCode::parse(&wrong),
                    Err(CreditCodeProblem::CheckCharacter),
                    "{wrong}"
                );
                refused += 1;
            }
        }
        assert_eq!(refused, 26 * 30);
    }

    #[test]
    fn a_wrong_organisation_check_character_is_refused_before_the_final_one() {
        for code in REAL_FORMAT_CODES {
            let bytes = code.as_bytes();
            let replacement = if bytes[16] == b'0' { '1' } else { '0' };
            let wrong = format!("{}{replacement}{}", &code[..16], &code[17..]);
            assert_eq!(
                CreditCode::parse(&wrong),
                Err(CreditCodeProblem::OrganisationCheck),
                "{wrong}"
            );
        }
    }

    #[test]
    fn a_mistyped_last_character_is_refused() {
        assert_eq!(
            CreditCode::parse("914403001922038217"),
            Err(CreditCodeProblem::CheckCharacter)
        );
    }

    #[test]
    fn a_broken_organisation_code_is_refused_with_its_reason() {
        assert_eq!(
            CreditCode::parse("914403001922038316"),
            Err(CreditCodeProblem::OrganisationCheck)
        );
    }

    #[test]
    fn letters_outside_the_alphabet_and_wrong_lengths_are_refused() {
        assert_eq!(
            CreditCode::parse("91440300192203821I"),
            Err(CreditCodeProblem::Characters)
        );
        assert_eq!(
            CreditCode::parse("9144030019220382"),
            Err(CreditCodeProblem::Length)
        );
        assert_eq!(
            CreditCode::parse("91A403001922038216"),
            Err(CreditCodeProblem::Division)
        );
    }

    #[test]
    fn generated_codes_are_valid_and_distinct() {
        let mut seen = std::collections::HashSet::new();
        for serial in [0, 1, 30, 31, 961, 123_456_789, 31_u64.pow(8) - 1] {
            let code = CreditCode::generate('9', '2', "320113", serial).expect("in range");
            assert!(CreditCode::parse(code.as_str()).is_ok());
            assert_eq!(code.division(), "320113");
            assert!(seen.insert(code));
        }
        assert!(CreditCode::generate('9', '2', "320113", 31_u64.pow(8)).is_none());
        assert!(CreditCode::generate('9', '2', "3201", 1).is_none());
    }

    #[test]
    fn lower_case_input_is_accepted_and_json_refuses_bad_codes() {
        assert_eq!(
            CreditCode::parse(" 91350100m000100y43 ")
                .expect("valid")
                .as_str(),
            "91350100M000100Y43"
        );
        assert!(serde_json::from_str::<CreditCode>("\"914403001922038217\"").is_err());
    }
}
