//! One application form for an item or a bundle: the layout the applicant fills in and the
//! check of its values. A bundle (一件事) asks its shared fields once, in a first section, and
//! every other field in its item's section; the values of a form are keyed by *name*: the
//! field key for an item's form and for shared fields, `ITEM-CODE/key` for a bundle item's own
//! fields. The browser and the server run the same [`FormLayout::problems`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::catalogue::{FieldType, FormField, Material, ServiceItemSpec, Text};
use super::form_values::{RawValue, ValueProblem};

/// One field of the form with the name its value is stored under.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LaidOutField {
    pub name: String,
    pub field: FormField,
}

/// One listed material of the form with the name its files are filed under: the material code
/// for an item, `ITEM-CODE/code` in a bundle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LaidOutMaterial {
    pub name: String,
    pub material: Material,
}

/// A group of fields and materials: what a bundle's items share (`item_code` none), or one
/// item's own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FormSection {
    pub item_code: Option<String>,
    /// The item's name; none for the shared section (the UI names it).
    pub title: Option<Text>,
    pub fields: Vec<LaidOutField>,
    #[serde(default)]
    pub materials: Vec<LaidOutMaterial>,
}

/// A field whose value does not fit, by the name it is stored under.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FormProblem {
    pub name: String,
    pub problem: ValueProblem,
}

/// The whole form of an application.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct FormLayout {
    pub sections: Vec<FormSection>,
}

/// The longest a field name may be (an item code, `/` and a key).
const MAX_NAME: usize = 200;

impl FormLayout {
    /// The form of one item: its fields, in order, under their keys.
    pub fn for_item(item: &ServiceItemSpec) -> Self {
        Self {
            sections: vec![FormSection {
                item_code: Some(item.code.clone()),
                title: Some(item.name.clone()),
                fields: item
                    .form
                    .iter()
                    .map(|field| LaidOutField {
                        name: field.key.clone(),
                        field: field.clone(),
                    })
                    .collect(),
                materials: item
                    .materials
                    .iter()
                    .map(|material| LaidOutMaterial {
                        name: material.code.clone(),
                        material: material.clone(),
                    })
                    .collect(),
            }],
        }
    }

    /// The form of a bundle: the shared fields once (as the first item that has each defines
    /// it), then each item's other fields under `ITEM-CODE/key`. A material several items list
    /// under the same Chinese name (the ID card copy…) is asked once, in the shared section,
    /// under the name of the first item that lists it.
    pub fn for_bundle(shared_fields: &[String], items: &[ServiceItemSpec]) -> Self {
        let shared: Vec<LaidOutField> = shared_fields
            .iter()
            .filter_map(|key| {
                items
                    .iter()
                    .flat_map(|item| &item.form)
                    .find(|field| &field.key == key)
                    .map(|field| LaidOutField {
                        name: key.clone(),
                        // Required if any item requires it.
                        field: FormField {
                            required: items
                                .iter()
                                .flat_map(|item| &item.form)
                                .any(|other| &other.key == key && other.required),
                            ..field.clone()
                        },
                    })
            })
            .collect();
        let listed_by_several = |material: &Material| {
            items
                .iter()
                .filter(|item| {
                    item.materials
                        .iter()
                        .any(|other| other.name.zh == material.name.zh)
                })
                .count()
                > 1
        };
        let mut shared_materials: Vec<LaidOutMaterial> = Vec::new();
        for item in items {
            for material in item.materials.iter().filter(|m| listed_by_several(m)) {
                match shared_materials
                    .iter_mut()
                    .find(|known| known.material.name.zh == material.name.zh)
                {
                    // Required if any item requires it; every accepted type of any item.
                    Some(known) => {
                        known.material.required |= material.required;
                        for file_type in &material.accepted_types {
                            if !known.material.accepted_types.contains(file_type) {
                                known.material.accepted_types.push(*file_type);
                            }
                        }
                    }
                    None => shared_materials.push(LaidOutMaterial {
                        name: format!("{}/{}", item.code, material.code),
                        material: material.clone(),
                    }),
                }
            }
        }
        let mut sections = Vec::with_capacity(items.len() + 1);
        if !shared.is_empty() || !shared_materials.is_empty() {
            sections.push(FormSection {
                item_code: None,
                title: None,
                fields: shared,
                materials: shared_materials,
            });
        }
        for item in items {
            let fields: Vec<LaidOutField> = item
                .form
                .iter()
                .filter(|field| !shared_fields.contains(&field.key))
                .map(|field| LaidOutField {
                    name: format!("{}/{}", item.code, field.key),
                    field: field.clone(),
                })
                .collect();
            let materials = item
                .materials
                .iter()
                .filter(|material| !listed_by_several(material))
                .map(|material| LaidOutMaterial {
                    name: format!("{}/{}", item.code, material.code),
                    material: material.clone(),
                })
                .collect();
            sections.push(FormSection {
                item_code: Some(item.code.clone()),
                title: Some(item.name.clone()),
                fields,
                materials,
            });
        }
        Self { sections }
    }

    pub fn materials(&self) -> impl Iterator<Item = &LaidOutMaterial> {
        self.sections.iter().flat_map(|section| &section.materials)
    }

    pub fn material(&self, name: &str) -> Option<&LaidOutMaterial> {
        self.materials().find(|material| material.name == name)
    }

    /// The label of a field or material name, for messages that link to it.
    pub fn label_of(&self, name: &str) -> Option<&Text> {
        self.field(name)
            .map(|field| &field.field.label)
            .or_else(|| self.material(name).map(|material| &material.material.name))
    }

    /// Required materials without any file, as problems of their names.
    pub fn missing_materials<'a>(
        &self,
        uploaded: impl Iterator<Item = &'a str> + Clone,
    ) -> Vec<FormProblem> {
        self.materials()
            .filter(|laid_out| laid_out.material.required)
            .filter(|laid_out| !uploaded.clone().any(|name| name == laid_out.name))
            .map(|laid_out| FormProblem {
                name: laid_out.name.clone(),
                problem: ValueProblem::Required,
            })
            .collect()
    }

    pub fn fields(&self) -> impl Iterator<Item = &LaidOutField> {
        self.sections.iter().flat_map(|section| &section.fields)
    }

    pub fn field(&self, name: &str) -> Option<&LaidOutField> {
        self.fields().find(|field| field.name == name)
    }

    /// Every problem of the values, in form order: fields that do not fit their rules.
    pub fn problems(&self, values: &BTreeMap<String, RawValue>) -> Vec<FormProblem> {
        self.fields()
            .filter_map(|laid_out| {
                laid_out
                    .field
                    .parse_value(values.get(&laid_out.name))
                    .err()
                    .map(|problem| FormProblem {
                        name: laid_out.name.clone(),
                        problem,
                    })
            })
            .collect()
    }

    /// Names in `values` this form does not have (a client that sends them is not our form).
    pub fn unknown_names<'a>(&self, values: &'a BTreeMap<String, RawValue>) -> Vec<&'a str> {
        values
            .keys()
            .filter(|name| name.len() > MAX_NAME || self.field(name).is_none())
            .map(String::as_str)
            .collect()
    }

    /// The values of one item's own form (shared fields included), keyed by its field keys:
    /// what the item's department sees.
    pub fn item_values(
        &self,
        item: &ServiceItemSpec,
        values: &BTreeMap<String, RawValue>,
    ) -> BTreeMap<String, RawValue> {
        item.form
            .iter()
            .filter_map(|field| {
                let prefixed = format!("{}/{}", item.code, field.key);
                values
                    .get(&prefixed)
                    .or_else(|| values.get(&field.key))
                    .map(|value| (field.key.clone(), value.clone()))
            })
            .collect()
    }
}

/// What a verified account can fill in for the applicant.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KnownIdentity {
    pub legal_name: Option<String>,
    pub resident_id: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

impl FormLayout {
    /// Values to start a new draft with: the applicant's name, resident ID, phone and email
    /// where the form asks for them.
    pub fn prefill(&self, known: &KnownIdentity) -> BTreeMap<String, RawValue> {
        self.fields()
            .filter_map(|laid_out| {
                let field = &laid_out.field;
                let value = match field.field_type {
                    FieldType::ResidentId if field.key == "resident_id" => {
                        known.resident_id.clone()
                    }
                    FieldType::Text if field.key == "applicant_name" => known.legal_name.clone(),
                    FieldType::Phone if field.key == "phone" => known.phone.clone(),
                    FieldType::Email if field.key == "email" => known.email.clone(),
                    _ => None,
                }?;
                Some((laid_out.name.clone(), RawValue::One(value)))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::catalogue::FieldRules;

    fn text(zh: &str) -> Text {
        Text {
            zh: zh.into(),
            en: zh.into(),
        }
    }

    fn field(key: &str, field_type: FieldType, required: bool) -> FormField {
        FormField {
            key: key.into(),
            label: text(key),
            field_type,
            required,
            help: None,
            rules: FieldRules::default(),
            options: Vec::new(),
        }
    }

    fn item(code: &str, form: Vec<FormField>) -> ServiceItemSpec {
        let mut item: ServiceItemSpec = serde_json::from_value(serde_json::json!({
            "code": code, "name": {"zh": code, "en": code}, "kind": "licensing",
            "responsible_department": "D01", "approving_departments": ["D01"],
            "legal_basis": {"zh": "法", "en": "law"}, "conditions": {"zh": "条件", "en": "c"},
            "materials": [], "form": [], "promised_days": 1, "statutory_days": 20,
            "fee": {"zh": "免费", "en": "free"}, "online_level": "fully_online",
            "delivery_modes": ["download"], "instant_approval": false, "identity_level": "L2",
            "licences": [], "accepting_centres": []
        }))
        .unwrap_or_else(|error| panic!("test item: {error}"));
        item.form = form;
        item
    }

    fn one(text: &str) -> RawValue {
        RawValue::One(text.into())
    }

    #[test]
    fn a_bundle_asks_shared_fields_once_and_the_rest_per_item() {
        let licence = item(
            "A",
            vec![
                field("applicant_name", FieldType::Text, true),
                field("shop_name", FieldType::Text, true),
                field("employee_count", FieldType::Number, false),
            ],
        );
        let food = item(
            "B",
            vec![
                field("applicant_name", FieldType::Text, false),
                field("business_area", FieldType::Number, true),
            ],
        );
        let layout =
            FormLayout::for_bundle(&["applicant_name".into()], &[licence.clone(), food.clone()]);
        let names: Vec<&str> = layout.fields().map(|field| field.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "applicant_name",
                "A/shop_name",
                "A/employee_count",
                "B/business_area"
            ]
        );
        assert_eq!(layout.sections[0].item_code, None);
        assert!(
            layout
                .fields()
                .next()
                .is_some_and(|field| field.field.required)
        );

        let values = BTreeMap::from([
            ("applicant_name".to_owned(), one("张三")),
            ("A/shop_name".to_owned(), one("老张面馆")),
            ("B/business_area".to_owned(), one("45")),
        ]);
        assert!(layout.problems(&values).is_empty());
        let food_values = layout.item_values(&food, &values);
        assert_eq!(food_values.get("applicant_name"), Some(&one("张三")));
        assert_eq!(food_values.get("business_area"), Some(&one("45")));
        assert_eq!(food_values.len(), 2);
    }

    #[test]
    fn every_problem_is_reported_by_the_name_the_value_is_stored_under() {
        let layout = FormLayout::for_item(&item(
            "A",
            vec![
                field("applicant_name", FieldType::Text, true),
                field("business_area", FieldType::Number, true),
            ],
        ));
        let problems = layout.problems(&BTreeMap::from([(
            "business_area".to_owned(),
            one("forty"),
        )]));
        assert_eq!(
            problems,
            vec![
                FormProblem {
                    name: "applicant_name".into(),
                    problem: ValueProblem::Required
                },
                FormProblem {
                    name: "business_area".into(),
                    problem: ValueProblem::NotANumber
                },
            ]
        );
    }

    #[test]
    fn names_the_form_does_not_have_are_found() {
        let layout = FormLayout::for_item(&item("A", vec![field("x", FieldType::Text, false)]));
        let values = BTreeMap::from([
            ("x".to_owned(), one("1")),
            ("is_admin".to_owned(), one("1")),
        ]);
        assert_eq!(layout.unknown_names(&values), ["is_admin"]);
    }

    #[test]
    fn a_verified_identity_prefills_name_id_and_phone() {
        let layout = FormLayout::for_item(&item(
            "A",
            vec![
                field("applicant_name", FieldType::Text, true),
                field("resident_id", FieldType::ResidentId, true),
                field("phone", FieldType::Phone, true),
                field("shop_name", FieldType::Text, true),
            ],
        ));
        let values = layout.prefill(&KnownIdentity {
            legal_name: Some("张三".into()),
            resident_id: Some("11010519491231002X".into()),
            phone: Some("13800138000".into()),
            email: None,
        });
        assert_eq!(values.len(), 3);
        assert_eq!(values.get("applicant_name"), Some(&one("张三")));
        assert!(!values.contains_key("shop_name"));
    }
}
