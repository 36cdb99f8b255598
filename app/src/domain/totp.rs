//! The six-digit code of an authenticator app (RFC 6238), as typed.

use serde::{Deserialize, Serialize};

use super::Problem;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TotpCode(String);

impl TotpCode {
    /// Accepts `123456` and `123 456`.
    pub fn parse(input: &str) -> Result<Self, Problem> {
        let digits: String = input.chars().filter(|c| !c.is_whitespace()).collect();
        if digits.is_empty() {
            return Err(Problem::Required);
        }
        if digits.len() == 6 && digits.chars().all(|c| c.is_ascii_digit()) {
            Ok(Self(digits))
        } else {
            Err(Problem::NotSixDigits)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn six_digits_with_or_without_a_space_are_accepted() {
        assert_eq!(
            TotpCode::parse("123 456").map(|c| c.as_str().to_owned()),
            Ok("123456".into())
        );
    }

    #[test]
    fn anything_but_six_digits_is_rejected() {
        assert_eq!(TotpCode::parse(""), Err(Problem::Required));
        assert_eq!(TotpCode::parse("12345"), Err(Problem::NotSixDigits));
        assert_eq!(TotpCode::parse("12345a"), Err(Problem::NotSixDigits));
    }
}
