//! The values an applicant types into an item's form, checked against the item's form schema
//! ([`FormField`]): the one set of rules the browser runs for instant feedback and the server
//! runs as the authority. [`check_form`] reports every problem of a form at once, each with the
//! field key, so the pre-review can list them all and link to each field.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::catalogue::{FieldType, FormField};
use super::contact::{EmailAddress, PhoneNumber};
use super::credit_code::{CreditCode, CreditCodeProblem};
use super::resident_id::{ResidentId, ResidentIdProblem, days_in_month};

/// What an applicant typed: one text, or the chosen values of a multi-select.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum RawValue {
    One(String),
    Many(Vec<String>),
}

impl RawValue {
    fn is_blank(&self) -> bool {
        match self {
            RawValue::One(text) => text.trim().is_empty(),
            RawValue::Many(values) => values.iter().all(|value| value.trim().is_empty()),
        }
    }
}

/// Why a value does not fit its field.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, thiserror::Error)]
pub enum ValueProblem {
    #[error("required")]
    Required,
    #[error("shorter than {min} characters")]
    TooShort { min: u32 },
    #[error("longer than {max} characters")]
    TooLong { max: u32 },
    #[error("not a number")]
    NotANumber,
    #[error("an amount of money has at most two decimals")]
    MoneyPrecision,
    #[error("below the minimum {min}")]
    BelowMin { min: f64 },
    #[error("above the maximum {max}")]
    AboveMax { max: f64 },
    #[error("not a date (YYYY-MM-DD)")]
    NotADate,
    #[error("not one of the options")]
    UnknownOption,
    #[error("more than {max} options chosen")]
    TooManyChosen { max: u32 },
    #[error("one value expected, several given")]
    NotOneValue,
    #[error("resident ID: {0}")]
    ResidentId(ResidentIdProblem),
    #[error("credit code: {0}")]
    CreditCode(CreditCodeProblem),
    #[error("not a mobile number")]
    Phone,
    #[error("not an email address")]
    Email,
    #[error("contains control characters")]
    ControlCharacters,
}

/// A value that fits its field, normalised (trimmed, upper-cased codes, amounts in fen).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum FieldValue {
    Text(String),
    Number(f64),
    /// An amount in fen (分), so that money is never a float.
    Money(i64),
    Date {
        year: u32,
        month: u32,
        day: u32,
    },
    Choice(String),
    Choices(Vec<String>),
    ResidentId(ResidentId),
    CreditCode(CreditCode),
    Phone(String),
    Email(String),
}

fn one(raw: &RawValue) -> Result<&str, ValueProblem> {
    match raw {
        RawValue::One(text) => Ok(text.trim()),
        RawValue::Many(values) if values.len() == 1 => Ok(values[0].trim()),
        RawValue::Many(_) => Err(ValueProblem::NotOneValue),
    }
}

fn parse_number(text: &str) -> Result<f64, ValueProblem> {
    let number: f64 = text.parse().map_err(|_| ValueProblem::NotANumber)?;
    if number.is_finite() {
        Ok(number)
    } else {
        Err(ValueProblem::NotANumber)
    }
}

/// Yuan with up to two decimals (`1234.5`, `1,234.50`) into fen.
fn parse_money(text: &str) -> Result<i64, ValueProblem> {
    let text: String = text.chars().filter(|c| *c != ',').collect();
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.as_str()),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    if whole.is_empty()
        || !whole.bytes().all(|byte| byte.is_ascii_digit())
        || !fraction.bytes().all(|byte| byte.is_ascii_digit())
    {
        return Err(ValueProblem::NotANumber);
    }
    if fraction.len() > 2 {
        return Err(ValueProblem::MoneyPrecision);
    }
    let yuan: i64 = whole.parse().map_err(|_| ValueProblem::NotANumber)?;
    let fen: i64 = format!("{fraction:0<2}")
        .parse()
        .map_err(|_| ValueProblem::NotANumber)?;
    let total = yuan
        .checked_mul(100)
        .and_then(|value| value.checked_add(fen))
        .ok_or(ValueProblem::NotANumber)?;
    Ok(if negative { -total } else { total })
}

fn parse_date(text: &str) -> Result<(u32, u32, u32), ValueProblem> {
    let mut parts = text.split('-');
    let (Some(year), Some(month), Some(day), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(ValueProblem::NotADate);
    };
    let number = |part: &str, len: usize| {
        (part.len() == len && part.bytes().all(|byte| byte.is_ascii_digit()))
            .then(|| part.parse::<u32>().ok())
            .flatten()
    };
    match (number(year, 4), number(month, 2), number(day, 2)) {
        (Some(year), Some(month), Some(day))
            if year >= 1900 && day >= 1 && day <= days_in_month(year, month) =>
        {
            Ok((year, month, day))
        }
        _ => Err(ValueProblem::NotADate),
    }
}

fn check_range(field: &FormField, number: f64) -> Result<(), ValueProblem> {
    if let Some(min) = field.rules.min
        && number < min
    {
        return Err(ValueProblem::BelowMin { min });
    }
    if let Some(max) = field.rules.max
        && number > max
    {
        return Err(ValueProblem::AboveMax { max });
    }
    Ok(())
}

fn check_length(field: &FormField, text: &str) -> Result<(), ValueProblem> {
    let length = u32::try_from(text.chars().count()).unwrap_or(u32::MAX);
    if let Some(min) = field.rules.min_length
        && length < min
    {
        return Err(ValueProblem::TooShort { min });
    }
    if let Some(max) = field.rules.max_length
        && length > max
    {
        return Err(ValueProblem::TooLong { max });
    }
    Ok(())
}

/// Longest text any field accepts without a rule of its own.
pub const DEFAULT_MAX_LENGTH: u32 = 2000;

impl FormField {
    /// The value of this field, `None` when left empty (and allowed to be), or the problem.
    pub fn parse_value(&self, raw: Option<&RawValue>) -> Result<Option<FieldValue>, ValueProblem> {
        let Some(raw) = raw.filter(|raw| !raw.is_blank()) else {
            return if self.required {
                Err(ValueProblem::Required)
            } else {
                Ok(None)
            };
        };
        let value = match self.field_type {
            FieldType::MultiSelect => {
                let chosen: Vec<String> = match raw {
                    RawValue::One(text) => vec![text.trim().to_owned()],
                    RawValue::Many(values) => values
                        .iter()
                        .map(|value| value.trim().to_owned())
                        .filter(|value| !value.is_empty())
                        .collect(),
                };
                if !chosen
                    .iter()
                    .all(|value| self.options.iter().any(|option| &option.value == value))
                {
                    return Err(ValueProblem::UnknownOption);
                }
                if let Some(max) = self.rules.max_selected
                    && chosen.len() > max as usize
                {
                    return Err(ValueProblem::TooManyChosen { max });
                }
                FieldValue::Choices(chosen)
            }
            field_type => {
                let text = one(raw)?;
                if text
                    .chars()
                    .any(|c| c.is_control() && c != '\n' && c != '\t')
                {
                    return Err(ValueProblem::ControlCharacters);
                }
                match field_type {
                    FieldType::Text | FieldType::Address | FieldType::BusinessScope => {
                        check_length(self, text)?;
                        if self.rules.max_length.is_none()
                            && text.chars().count() > DEFAULT_MAX_LENGTH as usize
                        {
                            return Err(ValueProblem::TooLong {
                                max: DEFAULT_MAX_LENGTH,
                            });
                        }
                        FieldValue::Text(text.to_owned())
                    }
                    FieldType::Number => {
                        let number = parse_number(text)?;
                        check_range(self, number)?;
                        FieldValue::Number(number)
                    }
                    FieldType::Money => {
                        let fen = parse_money(text)?;
                        // Rules are given in yuan; amounts far beyond any fee or capital are exact
                        // enough as f64.
                        check_range(self, fen as f64 / 100.0)?;
                        FieldValue::Money(fen)
                    }
                    FieldType::Date => {
                        let (year, month, day) = parse_date(text)?;
                        FieldValue::Date { year, month, day }
                    }
                    FieldType::Select => {
                        if !self.options.iter().any(|option| option.value == text) {
                            return Err(ValueProblem::UnknownOption);
                        }
                        FieldValue::Choice(text.to_owned())
                    }
                    FieldType::ResidentId => FieldValue::ResidentId(
                        ResidentId::parse(text).map_err(ValueProblem::ResidentId)?,
                    ),
                    FieldType::CreditCode => FieldValue::CreditCode(
                        CreditCode::parse(text).map_err(ValueProblem::CreditCode)?,
                    ),
                    FieldType::Phone => FieldValue::Phone(
                        PhoneNumber::parse(text)
                            .map_err(|_| ValueProblem::Phone)?
                            .as_str()
                            .to_owned(),
                    ),
                    FieldType::Email => FieldValue::Email(
                        EmailAddress::parse(text)
                            .map_err(|_| ValueProblem::Email)?
                            .as_str()
                            .to_owned(),
                    ),
                    // Taken by the outer match; a single value is not a list of choices.
                    FieldType::MultiSelect => return Err(ValueProblem::NotOneValue),
                }
            }
        };
        Ok(Some(value))
    }
}

/// Every problem of a filled-in form, by field key, in the order of the form. Values for keys
/// the form does not have are ignored (a bundle's form is checked item by item).
pub fn check_form(
    fields: &[FormField],
    values: &BTreeMap<String, RawValue>,
) -> Vec<(String, ValueProblem)> {
    fields
        .iter()
        .filter_map(|field| {
            field
                .parse_value(values.get(&field.key))
                .err()
                .map(|problem| (field.key.clone(), problem))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::catalogue::{ChoiceOption, FieldRules, Text};

    fn field(key: &str, field_type: FieldType, required: bool) -> FormField {
        FormField {
            key: key.into(),
            label: Text {
                zh: "字段".into(),
                en: "Field".into(),
            },
            field_type,
            required,
            help: None,
            rules: FieldRules::default(),
            options: Vec::new(),
        }
    }

    fn one(text: &str) -> RawValue {
        RawValue::One(text.into())
    }

    #[test]
    fn required_fields_must_be_filled_and_optional_ones_may_stay_empty() {
        let required = field("shop_name", FieldType::Text, true);
        assert_eq!(required.parse_value(None), Err(ValueProblem::Required));
        assert_eq!(
            required.parse_value(Some(&one("  "))),
            Err(ValueProblem::Required)
        );
        let optional = field("note", FieldType::Text, false);
        assert_eq!(optional.parse_value(None), Ok(None));
    }

    #[test]
    fn text_length_rules_count_characters_not_bytes() {
        let mut name = field("shop_name", FieldType::Text, true);
        name.rules.min_length = Some(2);
        name.rules.max_length = Some(4);
        assert!(name.parse_value(Some(&one("老王面馆"))).is_ok());
        assert_eq!(
            name.parse_value(Some(&one("老王家面馆"))),
            Err(ValueProblem::TooLong { max: 4 })
        );
        assert_eq!(
            name.parse_value(Some(&one("王"))),
            Err(ValueProblem::TooShort { min: 2 })
        );
    }

    #[test]
    fn money_is_kept_in_fen_with_at_most_two_decimals() {
        let mut capital = field("capital", FieldType::Money, true);
        capital.rules.min = Some(0.0);
        assert_eq!(
            capital.parse_value(Some(&one("1,234.5"))),
            Ok(Some(FieldValue::Money(123_450)))
        );
        assert_eq!(
            capital.parse_value(Some(&one("1.234"))),
            Err(ValueProblem::MoneyPrecision)
        );
        assert_eq!(
            capital.parse_value(Some(&one("-1"))),
            Err(ValueProblem::BelowMin { min: 0.0 })
        );
        assert_eq!(
            capital.parse_value(Some(&one("abc"))),
            Err(ValueProblem::NotANumber)
        );
    }

    #[test]
    fn numbers_respect_their_range_and_refuse_infinity() {
        let mut staff = field("staff", FieldType::Number, true);
        staff.rules.max = Some(50.0);
        assert_eq!(
            staff.parse_value(Some(&one("12"))),
            Ok(Some(FieldValue::Number(12.0)))
        );
        assert_eq!(
            staff.parse_value(Some(&one("51"))),
            Err(ValueProblem::AboveMax { max: 50.0 })
        );
        assert_eq!(
            staff.parse_value(Some(&one("inf"))),
            Err(ValueProblem::NotANumber)
        );
    }

    #[test]
    fn dates_must_exist() {
        let date = field("opening", FieldType::Date, true);
        assert!(date.parse_value(Some(&one("2024-02-29"))).is_ok());
        for bad in [
            "2023-02-29",
            "2026-13-01",
            "26-01-01",
            "2026/01/01",
            "2026-1-1",
        ] {
            assert_eq!(
                date.parse_value(Some(&one(bad))),
                Err(ValueProblem::NotADate),
                "{bad}"
            );
        }
    }

    #[test]
    fn choices_must_be_options_and_respect_the_maximum() {
        let options = vec![
            ChoiceOption {
                value: "hot".into(),
                label: Text {
                    zh: "热食".into(),
                    en: "Hot food".into(),
                },
            },
            ChoiceOption {
                value: "cold".into(),
                label: Text {
                    zh: "冷食".into(),
                    en: "Cold food".into(),
                },
            },
        ];
        let mut kinds = field("kinds", FieldType::MultiSelect, true);
        kinds.options = options.clone();
        kinds.rules.max_selected = Some(1);
        assert_eq!(
            kinds.parse_value(Some(&RawValue::Many(vec!["hot".into(), "cold".into()]))),
            Err(ValueProblem::TooManyChosen { max: 1 })
        );
        assert_eq!(
            kinds.parse_value(Some(&RawValue::Many(vec!["raw".into()]))),
            Err(ValueProblem::UnknownOption)
        );
        let mut scale = field("scale", FieldType::Select, true);
        scale.options = options;
        assert_eq!(
            scale.parse_value(Some(&one("cold"))),
            Ok(Some(FieldValue::Choice("cold".into())))
        );
        assert_eq!(
            scale.parse_value(Some(&RawValue::Many(vec!["hot".into(), "cold".into()]))),
            Err(ValueProblem::NotOneValue)
        );
    }

    #[test]
    fn identity_and_contact_fields_use_their_own_rules() {
        let id = field("operator_id", FieldType::ResidentId, true);
        assert!(id.parse_value(Some(&one("11010519491231002x"))).is_ok());
        assert_eq!(
            id.parse_value(Some(&one("110105194912310021"))),
            Err(ValueProblem::ResidentId(ResidentIdProblem::CheckCharacter))
        );
        let code = field("credit_code", FieldType::CreditCode, true);
        assert!(code.parse_value(Some(&one("914403001922038216"))).is_ok());
        let phone = field("phone", FieldType::Phone, true);
        assert_eq!(
            phone.parse_value(Some(&one("12345"))),
            Err(ValueProblem::Phone)
        );
        let email = field("email", FieldType::Email, true);
        assert_eq!(
            email.parse_value(Some(&one("not-an-email"))),
            Err(ValueProblem::Email)
        );
    }

    #[test]
    fn a_whole_form_reports_every_problem_at_once_in_form_order() {
        let fields = vec![
            field("shop_name", FieldType::Text, true),
            field("operator_id", FieldType::ResidentId, true),
            field("phone", FieldType::Phone, true),
        ];
        let values = BTreeMap::from([
            ("operator_id".to_owned(), one("110105194912310021")),
            ("phone".to_owned(), one("13800138000")),
            ("unrelated".to_owned(), one("ignored")),
        ]);
        let problems: Vec<String> = check_form(&fields, &values)
            .into_iter()
            .map(|(key, _)| key)
            .collect();
        assert_eq!(
            problems,
            vec!["shop_name".to_owned(), "operator_id".to_owned()]
        );
    }

    #[test]
    fn control_characters_are_refused() {
        let name = field("shop_name", FieldType::Text, true);
        assert_eq!(
            name.parse_value(Some(&one("老王\u{0}面馆"))),
            Err(ValueProblem::ControlCharacters)
        );
    }
}
