//! The form-schema validator on arbitrary schemas and answers: the input is a JSON form schema
//! (a list of `FormField`s), a NUL byte, then the JSON answers (`{ key: "text" | ["a", "b"] }`).
//! Checking the schema (`ServiceItemSpec::problems`) and the answers (`check_form`,
//! `FormField::parse_value`) never panics, and `check_form` reports exactly the fields whose
//! value `parse_value` rejects.
#![no_main]

use std::collections::BTreeMap;

use app::domain::catalogue::{
    FormField, IdentityLevel, ItemKind, OnlineLevel, ServiceItemSpec, Text,
};
use app::domain::form_values::{RawValue, check_form};
use libfuzzer_sys::fuzz_target;

fn text() -> Text {
    Text {
        zh: "事项".into(),
        en: "Item".into(),
    }
}

/// An otherwise valid item whose form is the schema under test.
fn item(form: Vec<FormField>) -> ServiceItemSpec {
    ServiceItemSpec {
        code: "FUZZ-1".into(),
        name: text(),
        kind: ItemKind::Licensing,
        responsible_department: "D1".into(),
        approving_departments: vec!["D1".into()],
        legal_basis: text(),
        conditions: text(),
        materials: Vec::new(),
        form,
        promised_days: 5,
        statutory_days: 20,
        fee: text(),
        online_level: OnlineLevel::FullyOnline,
        visit_reason: None,
        delivery_modes: Vec::new(),
        commitment: None,
        instant_approval: true,
        identity_level: IdentityLevel::L1,
        licences: Vec::new(),
        accepting_centres: Vec::new(),
    }
}

fuzz_target!(|data: &[u8]| {
    let (schema, answers) = match data.iter().position(|byte| *byte == 0) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, &[][..]),
    };
    let Ok(fields) = serde_json::from_slice::<Vec<FormField>>(schema) else {
        return;
    };
    let answers: BTreeMap<String, RawValue> = serde_json::from_slice(answers).unwrap_or_default();

    let _ = item(fields.clone()).problems(&|_| true, &|_| false);

    let problems = check_form(&fields, &answers);
    let rejected: Vec<&str> = fields
        .iter()
        .filter(|field| field.parse_value(answers.get(&field.key)).is_err())
        .map(|field| field.key.as_str())
        .collect();
    let reported: Vec<&str> = problems.iter().map(|(key, _)| key.as_str()).collect();
    assert_eq!(reported, rejected);
    for field in &fields {
        // An empty answer is an error exactly when the field is required.
        assert_eq!(field.parse_value(None).is_err(), field.required);
    }
});
