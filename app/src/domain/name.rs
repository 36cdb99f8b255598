//! A person's display name as typed: Chinese or Latin, trimmed, bounded, no control characters.

use serde::{Deserialize, Serialize};

use super::Problem;

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PersonName(String);

impl PersonName {
    pub const MAX_CHARS: u32 = 50;

    pub fn parse(input: &str) -> Result<Self, Problem> {
        let name = input.trim();
        if name.is_empty() {
            return Err(Problem::Required);
        }
        if name.chars().count() > Self::MAX_CHARS as usize {
            return Err(Problem::TooLong {
                max: Self::MAX_CHARS,
            });
        }
        if name.chars().any(char::is_control) {
            return Err(Problem::ControlCharacters);
        }
        Ok(Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_is_trimmed_and_may_be_chinese() {
        assert_eq!(
            PersonName::parse("  张三 ").map(|n| n.as_str().to_owned()),
            Ok("张三".into())
        );
    }

    #[test]
    fn empty_overlong_and_control_character_names_are_rejected() {
        assert_eq!(PersonName::parse(" "), Err(Problem::Required));
        assert_eq!(
            PersonName::parse(&"张".repeat(51)),
            Err(Problem::TooLong { max: 50 })
        );
        assert_eq!(
            PersonName::parse("张\u{0}三"),
            Err(Problem::ControlCharacters)
        );
    }
}
