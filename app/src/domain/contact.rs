//! Phone numbers and email addresses, and the login identifier that is one or the other.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::Problem;

/// A mainland-China mobile number, normalised to its 11 digits (`13812345678`).
///
/// Accepts the forms people type: spaces, dashes, a `+86` or `86` prefix.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    pub fn parse(input: &str) -> Result<Self, Problem> {
        let digits: String = input
            .trim()
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '(' | ')'))
            .collect();
        if digits.is_empty() {
            return Err(Problem::Required);
        }
        let digits = digits
            .strip_prefix("+86")
            .or_else(|| {
                (digits.len() == 13)
                    .then(|| digits.strip_prefix("86"))
                    .flatten()
            })
            .unwrap_or(&digits);
        let bytes = digits.as_bytes();
        let valid = bytes.len() == 11
            && bytes.iter().all(u8::is_ascii_digit)
            && bytes[0] == b'1'
            && (b'3'..=b'9').contains(&bytes[1]);
        if valid {
            Ok(Self(digits.to_owned()))
        } else {
            Err(Problem::InvalidPhone)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `138****5678`: enough for the owner to recognise, too little to harvest.
    pub fn masked(&self) -> String {
        format!("{}****{}", &self.0[..3], &self.0[7..])
    }
}

/// An email address, trimmed, with the domain lower-cased. Deliberately simple: one `@`, a
/// non-empty local part without spaces, a dotted domain of letters, digits and hyphens.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EmailAddress(String);

impl EmailAddress {
    pub fn parse(input: &str) -> Result<Self, Problem> {
        let input = input.trim();
        if input.is_empty() {
            return Err(Problem::Required);
        }
        if input.chars().count() > 254 {
            return Err(Problem::TooLong { max: 254 });
        }
        let (local, domain) = input.split_once('@').ok_or(Problem::InvalidEmail)?;
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && local
                .chars()
                .all(|c| c.is_ascii_graphic() && !matches!(c, '@' | '<' | '>' | '"' | ',' | ';'));
        let labels: Vec<&str> = domain.split('.').collect();
        let domain_ok = labels.len() >= 2
            && labels.iter().all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            })
            && labels
                .last()
                .is_some_and(|tld| tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic()));
        if local_ok && domain_ok {
            Ok(Self(format!("{local}@{}", domain.to_ascii_lowercase())))
        } else {
            Err(Problem::InvalidEmail)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `z***@example.com`
    pub fn masked(&self) -> String {
        let (local, domain) = self.0.split_once('@').unwrap_or((&self.0, ""));
        let first: String = local.chars().take(1).collect();
        format!("{first}***@{domain}")
    }
}

/// What a person signs in with: a phone number or an email address.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LoginId {
    Phone(PhoneNumber),
    Email(EmailAddress),
}

impl LoginId {
    /// An input with `@` must be an email address; anything else must be a phone number.
    pub fn parse(input: &str) -> Result<Self, Problem> {
        let input = input.trim();
        if input.is_empty() {
            return Err(Problem::Required);
        }
        if input.contains('@') {
            EmailAddress::parse(input).map(LoginId::Email)
        } else if input.chars().any(|c| c.is_ascii_digit()) {
            PhoneNumber::parse(input).map(LoginId::Phone)
        } else {
            Err(Problem::NotPhoneOrEmail)
        }
    }

    /// The normalised form stored in the database and compared on login.
    pub fn as_str(&self) -> &str {
        match self {
            LoginId::Phone(phone) => phone.as_str(),
            LoginId::Email(email) => email.as_str(),
        }
    }

    pub fn masked(&self) -> String {
        match self {
            LoginId::Phone(phone) => phone.masked(),
            LoginId::Email(email) => email.masked(),
        }
    }
}

impl fmt::Display for LoginId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_accepts_common_ways_of_writing_a_mobile_number() {
        for input in [
            "13812345678",
            " 138 1234 5678 ",
            "+86 138-1234-5678",
            "8613812345678",
        ] {
            assert_eq!(
                PhoneNumber::parse(input).map(|p| p.as_str().to_owned()),
                Ok("13812345678".into()),
                "{input}"
            );
        }
    }

    #[test]
    fn phone_rejects_wrong_length_prefix_and_letters() {
        for input in [
            "1381234567",
            "138123456789",
            "12812345678",
            "23812345678",
            "1381234567a",
        ] {
            assert_eq!(
                PhoneNumber::parse(input),
                Err(Problem::InvalidPhone),
                "{input}"
            );
        }
        assert_eq!(PhoneNumber::parse("  "), Err(Problem::Required));
    }

    #[test]
    fn phone_mask_hides_the_middle_digits() {
        assert_eq!(
            PhoneNumber::parse("13812345678").map(|p| p.masked()),
            Ok("138****5678".into())
        );
    }

    #[test]
    fn email_lowercases_the_domain_only() {
        assert_eq!(
            EmailAddress::parse(" Zhang.San@Example.COM ").map(|e| e.as_str().to_owned()),
            Ok("Zhang.San@example.com".into())
        );
    }

    #[test]
    fn email_rejects_addresses_without_a_proper_domain() {
        for input in [
            "zhang",
            "zhang@",
            "@example.com",
            "zhang@example",
            "zhang@exa mple.com",
            "a b@example.com",
            "zhang@-x.com",
            "zhang@example.c0m",
        ] {
            assert_eq!(
                EmailAddress::parse(input),
                Err(Problem::InvalidEmail),
                "{input}"
            );
        }
    }

    #[test]
    fn login_id_is_email_with_at_sign_and_phone_otherwise() {
        assert!(matches!(
            LoginId::parse("a@example.com"),
            Ok(LoginId::Email(_))
        ));
        assert!(matches!(
            LoginId::parse("13812345678"),
            Ok(LoginId::Phone(_))
        ));
        assert_eq!(LoginId::parse("zhangsan"), Err(Problem::NotPhoneOrEmail));
        assert_eq!(LoginId::parse("12345"), Err(Problem::InvalidPhone));
        assert_eq!(LoginId::parse(""), Err(Problem::Required));
    }
}
