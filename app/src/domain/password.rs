//! Password rules for new passwords. Existing passwords are never parsed, only verified.

use super::Problem;

/// A password that satisfies the portal's rules: 10–128 characters, at least one letter and one
/// digit, not one of the passwords every attacker tries first, and not containing the login.
#[derive(Clone, PartialEq, Eq)]
pub struct NewPassword(String);

/// The most common passwords in leaked Chinese and international lists that pass the length and
/// letter/digit rules. Checked case-insensitively.
const COMMON_PASSWORDS: &[&str] = &[
    "password123",
    "password1234",
    "qwerty123456",
    "qwertyuiop1",
    "a123456789",
    "abc1234567",
    "abcd123456",
    "1234567890a",
    "1q2w3e4r5t",
    "1qaz2wsx3edc",
    "zxcvbnm123",
    "iloveyou123",
    "woaini1314520",
    "woaini520520",
    "asdfghjkl1",
    "admin123456",
    "welcome123",
    "p@ssw0rd123",
    "qazwsx123456",
    "aa123456789",
    "abc123456789",
];

impl NewPassword {
    pub const MIN_CHARS: u32 = 10;
    pub const MAX_CHARS: u32 = 128;

    /// `login` is the normalised phone or email of the account, if known.
    pub fn parse(input: &str, login: Option<&str>) -> Result<Self, Problem> {
        if input.is_empty() {
            return Err(Problem::Required);
        }
        let chars = input.chars().count();
        if chars < Self::MIN_CHARS as usize {
            return Err(Problem::TooShort {
                min: Self::MIN_CHARS,
            });
        }
        if chars > Self::MAX_CHARS as usize {
            return Err(Problem::TooLong {
                max: Self::MAX_CHARS,
            });
        }
        if !input.chars().any(char::is_alphabetic) || !input.chars().any(|c| c.is_ascii_digit()) {
            return Err(Problem::PasswordNeedsLetterAndDigit);
        }
        let lower = input.to_lowercase();
        if COMMON_PASSWORDS.contains(&lower.as_str()) {
            return Err(Problem::PasswordTooCommon);
        }
        if let Some(login) = login {
            let local = login.split('@').next().unwrap_or(login).to_lowercase();
            if local.chars().count() >= 4 && lower.contains(&local) {
                return Err(Problem::PasswordContainsLogin);
            }
        }
        Ok(Self(input.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_password_with_letters_and_digits_is_accepted() {
        assert!(NewPassword::parse("Kaidian2026!", Some("13812345678")).is_ok());
    }

    #[test]
    fn short_long_and_single_class_passwords_are_rejected() {
        assert_eq!(NewPassword::parse("", None), Err(Problem::Required));
        assert_eq!(
            NewPassword::parse("abc123", None),
            Err(Problem::TooShort { min: 10 })
        );
        assert_eq!(
            NewPassword::parse(&"a1".repeat(65), None),
            Err(Problem::TooLong { max: 128 })
        );
        assert_eq!(
            NewPassword::parse("abcdefghijkl", None),
            Err(Problem::PasswordNeedsLetterAndDigit)
        );
        assert_eq!(
            NewPassword::parse("123456789012", None),
            Err(Problem::PasswordNeedsLetterAndDigit)
        );
    }

    #[test]
    fn common_passwords_are_rejected_whatever_their_case() {
        assert_eq!(
            NewPassword::parse("Password123", None),
            Err(Problem::PasswordTooCommon)
        );
    }

    #[test]
    fn password_containing_the_login_is_rejected() {
        assert_eq!(
            NewPassword::parse("x13812345678y", Some("13812345678")),
            Err(Problem::PasswordContainsLogin)
        );
        assert_eq!(
            NewPassword::parse("zhangsan2026", Some("zhangsan@example.com")),
            Err(Problem::PasswordContainsLogin)
        );
    }

    #[test]
    fn debug_output_never_shows_the_password() {
        let password = NewPassword::parse("Kaidian2026!", None).expect("valid password");
        assert!(!format!("{password:?}").contains("Kaidian"));
    }
}
