//! The service catalogue (事项清单) as data: a [`ServiceItemSpec`] describes one item — who
//! approves it, what the applicant must provide, the form, the time limits, commitment and
//! instant-approval rules, the licences it issues — and a [`BundleSpec`] (一件事 / 证照联办)
//! joins several items in one form. This is the documented import/export format (JSON; see
//! `docs/catalogue-format.md`) and the shape of a published version.
//!
//! [`Catalogue::problems`] checks a catalogue completely and names every problem with its item
//! and path, so an import can report row and column and an editor can mark the field.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

/// A text in both UI languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default, utoipa::ToSchema)]
pub struct Text {
    pub zh: String,
    pub en: String,
}

impl Text {
    fn is_complete(&self) -> bool {
        !self.zh.trim().is_empty() && !self.en.trim().is_empty()
    }
}

/// 事项类型.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// 行政许可
    Licensing,
    /// 行政确认
    Confirmation,
    /// 行政备案
    Filing,
    /// 公共服务
    PublicService,
}

/// 网办深度.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OnlineLevel {
    /// 全程网办: never a visit.
    FullyOnline,
    /// 需到场一次: one visit, for the reason the item gives.
    OneVisit,
}

/// 送达方式.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryMode {
    Download,
    Email,
    Courier,
    Pickup,
}

/// The identity verification an applicant needs before filing (see the applicant journey).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
pub enum IdentityLevel {
    /// Phone or email confirmed.
    L1,
    /// Name and resident ID matched against the population registry.
    L2,
    /// Person–ID check reviewed.
    L3,
}

/// File types an uploaded material may have (checked by content when uploaded).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FileType {
    Pdf,
    Jpg,
    Png,
}

/// The typed fields a form may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    Text,
    Number,
    Money,
    Date,
    Select,
    MultiSelect,
    Address,
    ResidentId,
    CreditCode,
    Phone,
    Email,
    BusinessScope,
}

impl FieldType {
    const fn takes_length_rules(self) -> bool {
        matches!(
            self,
            FieldType::Text | FieldType::Address | FieldType::BusinessScope
        )
    }

    const fn takes_range_rules(self) -> bool {
        matches!(self, FieldType::Number | FieldType::Money)
    }

    const fn has_options(self) -> bool {
        matches!(self, FieldType::Select | FieldType::MultiSelect)
    }
}

/// Validation rules of a form field; which ones apply depends on the field type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FieldRules {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_length: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_selected: Option<u32>,
}

impl FieldRules {
    fn is_empty(&self) -> bool {
        *self == FieldRules::default()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ChoiceOption {
    pub value: String,
    pub label: Text,
}

/// One field of an item's form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FormField {
    /// Stable key (`shop_name`): bundles share fields with the same key and type.
    pub key: String,
    pub label: Text,
    #[serde(rename = "type")]
    pub field_type: FieldType,
    pub required: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<Text>,
    #[serde(default, skip_serializing_if = "FieldRules::is_empty")]
    pub rules: FieldRules,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<ChoiceOption>,
}

/// A document the applicant uploads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Material {
    pub code: String,
    pub name: Text,
    pub description: Text,
    pub required: bool,
    pub accepted_types: Vec<FileType>,
    /// Name of a sample or blank template the guide offers for download.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
}

/// A licence the item issues on approval.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LicenceSpec {
    /// Licence type code, numbering is per type (`business_licence`, `food_business_licence`…).
    pub licence_type: String,
    pub name: Text,
    /// The PDF layout used to render it.
    pub template: String,
}

/// The notification-commitment (告知承诺) an applicant signs instead of proving conditions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Commitment {
    pub letter: Text,
}

/// One service item as published (one version of it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceItemSpec {
    /// 事项编码, stable across versions.
    pub code: String,
    pub name: Text,
    pub kind: ItemKind,
    /// Department code of the department responsible for the item.
    pub responsible_department: String,
    /// Department codes that approve in parallel (one approval task each).
    pub approving_departments: Vec<String>,
    pub legal_basis: Text,
    pub conditions: Text,
    pub materials: Vec<Material>,
    pub form: Vec<FormField>,
    /// 承诺时限, working days (0 = 即办, decided the same day).
    pub promised_days: u32,
    /// 法定时限, working days.
    pub statutory_days: u32,
    pub fee: Text,
    pub online_level: OnlineLevel,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visit_reason: Option<Text>,
    pub delivery_modes: Vec<DeliveryMode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commitment: Option<Commitment>,
    pub instant_approval: bool,
    pub identity_level: IdentityLevel,
    #[serde(default)]
    pub licences: Vec<LicenceSpec>,
    /// Service-centre codes that may accept it; empty = every centre (区街同权).
    #[serde(default)]
    pub accepting_centres: Vec<String>,
}

/// A bundle (一件事): several items in one form; `shared_fields` are asked once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BundleSpec {
    pub code: String,
    pub name: Text,
    pub description: Text,
    pub items: Vec<String>,
    pub shared_fields: Vec<String>,
}

/// A whole catalogue, as imported and exported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Catalogue {
    pub items: Vec<ServiceItemSpec>,
    #[serde(default)]
    pub bundles: Vec<BundleSpec>,
}

/// Why a part of the catalogue cannot be published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum SpecProblem {
    #[error("code must be 3–40 characters of A–Z, 0–9 and '-', starting with a letter or digit")]
    BadCode,
    #[error("the same code appears twice")]
    DuplicateCode,
    #[error("text must be given in Chinese and English")]
    MissingText,
    #[error("unknown department code")]
    UnknownDepartment,
    #[error("unknown service-centre code")]
    UnknownCentre,
    #[error("at least one entry is needed")]
    Empty,
    #[error("field key must be 1–40 characters of a–z, 0–9 and '_', starting with a letter")]
    BadFieldKey,
    #[error("a select field needs at least one option, and only select fields take options")]
    BadOptions,
    #[error("this rule does not apply to this field type")]
    RuleNotForType,
    #[error("the minimum is larger than the maximum")]
    RuleRangeInverted,
    #[error(
        "the promised time limit exceeds the statutory one, or the statutory limit exceeds 365 working days"
    )]
    BadTimeLimit,
    #[error("an item needing a visit must say why; a fully online item must not")]
    VisitReason,
    #[error(
        "instant approval needs a fully online item whose materials and form can be checked automatically"
    )]
    InstantNeedsFullyOnline,
    #[error("a bundle needs at least two different published items")]
    BundleTooSmall,
    #[error("unknown item code")]
    UnknownItem,
    #[error("a shared field must exist with the same type in at least two of the bundle's items")]
    BadSharedField,
    /// A row of an import file that does not even have the catalogue's shape (a time limit in
    /// words, an unknown field type or rule); `reason` is the parser's explanation.
    #[error("unreadable: {reason}")]
    Unreadable { reason: String },
    /// A published bundle includes the item, so it cannot be withdrawn or changed this way.
    #[error("a published bundle needs this item as it is")]
    NeededByBundle,
}

/// One problem, located: which item or bundle, and where inside it (`form[2].rules.max`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocatedProblem {
    pub code: String,
    pub path: String,
    pub problem: SpecProblem,
}

fn valid_code(code: &str) -> bool {
    let bytes = code.as_bytes();
    (3..=40).contains(&bytes.len())
        && bytes[0].is_ascii_alphanumeric()
        && bytes
            .iter()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b'-')
}

fn valid_field_key(key: &str) -> bool {
    let bytes = key.as_bytes();
    (1..=40).contains(&bytes.len())
        && bytes[0].is_ascii_lowercase()
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'_')
}

struct Collector<'a> {
    code: &'a str,
    problems: Vec<LocatedProblem>,
}

impl Collector<'_> {
    fn add(&mut self, path: impl Into<String>, problem: SpecProblem) {
        self.problems.push(LocatedProblem {
            code: self.code.to_owned(),
            path: path.into(),
            problem,
        });
    }

    fn text(&mut self, path: &str, text: &Text) {
        if !text.is_complete() {
            self.add(path, SpecProblem::MissingText);
        }
    }
}

impl FormField {
    fn check(&self, path: &str, out: &mut Collector<'_>) {
        if !valid_field_key(&self.key) {
            out.add(format!("{path}.key"), SpecProblem::BadFieldKey);
        }
        out.text(&format!("{path}.label"), &self.label);
        if let Some(help) = &self.help {
            out.text(&format!("{path}.help"), help);
        }
        if self.field_type.has_options() == self.options.is_empty() {
            out.add(format!("{path}.options"), SpecProblem::BadOptions);
        }
        for (index, option) in self.options.iter().enumerate() {
            out.text(&format!("{path}.options[{index}].label"), &option.label);
        }
        let rules = &self.rules;
        let length_rules = rules.min_length.is_some() || rules.max_length.is_some();
        if length_rules && !self.field_type.takes_length_rules() {
            out.add(format!("{path}.rules"), SpecProblem::RuleNotForType);
        }
        let range_rules = rules.min.is_some() || rules.max.is_some();
        if range_rules && !self.field_type.takes_range_rules() {
            out.add(format!("{path}.rules"), SpecProblem::RuleNotForType);
        }
        if rules.max_selected.is_some() && self.field_type != FieldType::MultiSelect {
            out.add(
                format!("{path}.rules.max_selected"),
                SpecProblem::RuleNotForType,
            );
        }
        if let (Some(min), Some(max)) = (rules.min_length, rules.max_length)
            && min > max
        {
            out.add(
                format!("{path}.rules.min_length"),
                SpecProblem::RuleRangeInverted,
            );
        }
        if let (Some(min), Some(max)) = (rules.min, rules.max)
            && !matches!(
                min.partial_cmp(&max),
                Some(std::cmp::Ordering::Less | std::cmp::Ordering::Equal)
            )
        {
            out.add(format!("{path}.rules.min"), SpecProblem::RuleRangeInverted);
        }
        if rules.max_selected == Some(0) {
            out.add(
                format!("{path}.rules.max_selected"),
                SpecProblem::RuleRangeInverted,
            );
        }
    }
}

impl ServiceItemSpec {
    /// Every reason this item cannot be published. `department_known` and `centre_known` say
    /// whether a code exists in the organisation.
    pub fn problems(
        &self,
        department_known: &dyn Fn(&str) -> bool,
        centre_known: &dyn Fn(&str) -> bool,
    ) -> Vec<LocatedProblem> {
        let mut out = Collector {
            code: &self.code,
            problems: Vec::new(),
        };
        if !valid_code(&self.code) {
            out.add("code", SpecProblem::BadCode);
        }
        out.text("name", &self.name);
        out.text("legal_basis", &self.legal_basis);
        out.text("conditions", &self.conditions);
        out.text("fee", &self.fee);
        if !department_known(&self.responsible_department) {
            out.add("responsible_department", SpecProblem::UnknownDepartment);
        }
        if self.approving_departments.is_empty() {
            out.add("approving_departments", SpecProblem::Empty);
        }
        for (index, department) in self.approving_departments.iter().enumerate() {
            if !department_known(department) {
                out.add(
                    format!("approving_departments[{index}]"),
                    SpecProblem::UnknownDepartment,
                );
            }
        }
        if self.materials.is_empty() {
            out.add("materials", SpecProblem::Empty);
        }
        let mut material_codes = HashSet::new();
        for (index, material) in self.materials.iter().enumerate() {
            let path = format!("materials[{index}]");
            if !valid_code(&material.code) {
                out.add(format!("{path}.code"), SpecProblem::BadCode);
            } else if !material_codes.insert(material.code.as_str()) {
                out.add(format!("{path}.code"), SpecProblem::DuplicateCode);
            }
            out.text(&format!("{path}.name"), &material.name);
            out.text(&format!("{path}.description"), &material.description);
            if material.accepted_types.is_empty() {
                out.add(format!("{path}.accepted_types"), SpecProblem::Empty);
            }
        }
        if self.form.is_empty() {
            out.add("form", SpecProblem::Empty);
        }
        let mut keys = HashSet::new();
        for (index, field) in self.form.iter().enumerate() {
            let path = format!("form[{index}]");
            field.check(&path, &mut out);
            if !keys.insert(field.key.as_str()) {
                out.add(format!("{path}.key"), SpecProblem::DuplicateCode);
            }
        }
        if self.statutory_days > 365 || self.promised_days > self.statutory_days {
            out.add("promised_days", SpecProblem::BadTimeLimit);
        }
        match (self.online_level, &self.visit_reason) {
            (OnlineLevel::OneVisit, Some(reason)) => out.text("visit_reason", reason),
            (OnlineLevel::FullyOnline, None) => {}
            _ => out.add("visit_reason", SpecProblem::VisitReason),
        }
        if self.delivery_modes.is_empty() {
            out.add("delivery_modes", SpecProblem::Empty);
        }
        if let Some(commitment) = &self.commitment {
            out.text("commitment.letter", &commitment.letter);
        }
        if self.instant_approval && self.online_level != OnlineLevel::FullyOnline {
            out.add("instant_approval", SpecProblem::InstantNeedsFullyOnline);
        }
        for (index, licence) in self.licences.iter().enumerate() {
            let path = format!("licences[{index}]");
            if !valid_field_key(&licence.licence_type) {
                out.add(format!("{path}.licence_type"), SpecProblem::BadFieldKey);
            }
            out.text(&format!("{path}.name"), &licence.name);
            if !valid_field_key(&licence.template) {
                out.add(format!("{path}.template"), SpecProblem::BadFieldKey);
            }
        }
        for (index, centre) in self.accepting_centres.iter().enumerate() {
            if !centre_known(centre) {
                out.add(
                    format!("accepting_centres[{index}]"),
                    SpecProblem::UnknownCentre,
                );
            }
        }
        out.problems
    }
}

impl BundleSpec {
    /// Every reason this bundle cannot be published, given the items it may reference.
    pub fn problems(&self, items: &[ServiceItemSpec]) -> Vec<LocatedProblem> {
        let mut out = Collector {
            code: &self.code,
            problems: Vec::new(),
        };
        if !valid_code(&self.code) {
            out.add("code", SpecProblem::BadCode);
        }
        out.text("name", &self.name);
        out.text("description", &self.description);
        let distinct: HashSet<&str> = self.items.iter().map(String::as_str).collect();
        if distinct.len() < 2 || distinct.len() != self.items.len() {
            out.add("items", SpecProblem::BundleTooSmall);
        }
        let mut members = Vec::new();
        for (index, code) in self.items.iter().enumerate() {
            match items.iter().find(|item| &item.code == code) {
                Some(item) => members.push(item),
                None => out.add(format!("items[{index}]"), SpecProblem::UnknownItem),
            }
        }
        for (index, key) in self.shared_fields.iter().enumerate() {
            let types: Vec<FieldType> = members
                .iter()
                .filter_map(|item| item.form.iter().find(|field| &field.key == key))
                .map(|field| field.field_type)
                .collect();
            let same_type = types.windows(2).all(|pair| pair[0] == pair[1]);
            if types.len() < 2 || !same_type {
                out.add(
                    format!("shared_fields[{index}]"),
                    SpecProblem::BadSharedField,
                );
            }
        }
        out.problems
    }
}

impl Catalogue {
    /// The 1-based row of an item or bundle code as it stands in the file: items first, then
    /// bundles (how import reports name rows).
    pub fn row_of(&self, code: &str) -> Option<usize> {
        self.items
            .iter()
            .map(|item| item.code.as_str())
            .chain(self.bundles.iter().map(|bundle| bundle.code.as_str()))
            .position(|candidate| candidate == code)
            .map(|index| index + 1)
    }

    /// Every problem of every item and bundle, including duplicate codes.
    pub fn problems(
        &self,
        department_known: &dyn Fn(&str) -> bool,
        centre_known: &dyn Fn(&str) -> bool,
    ) -> Vec<LocatedProblem> {
        let mut problems = Vec::new();
        let mut seen = HashSet::new();
        for item in &self.items {
            if !seen.insert(item.code.as_str()) {
                problems.push(LocatedProblem {
                    code: item.code.clone(),
                    path: "code".into(),
                    problem: SpecProblem::DuplicateCode,
                });
            }
            problems.extend(item.problems(department_known, centre_known));
        }
        for bundle in &self.bundles {
            if !seen.insert(bundle.code.as_str()) {
                problems.push(LocatedProblem {
                    code: bundle.code.clone(),
                    path: "code".into(),
                    problem: SpecProblem::DuplicateCode,
                });
            }
            problems.extend(bundle.problems(&self.items));
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(zh: &str, en: &str) -> Text {
        Text {
            zh: zh.into(),
            en: en.into(),
        }
    }

    fn field(key: &str, field_type: FieldType) -> FormField {
        FormField {
            key: key.into(),
            label: text("名称", "Name"),
            field_type,
            required: true,
            help: None,
            rules: FieldRules::default(),
            options: Vec::new(),
        }
    }

    fn item(code: &str) -> ServiceItemSpec {
        ServiceItemSpec {
            code: code.into(),
            name: text("个体工商户设立登记", "Sole proprietorship registration"),
            kind: ItemKind::Licensing,
            responsible_department: "D01-SCJG".into(),
            approving_departments: vec!["D01-SCJG".into()],
            legal_basis: text(
                "《促进个体工商户发展条例》",
                "Regulation on Promoting Sole Proprietorships",
            ),
            conditions: text(
                "有经营能力的自然人",
                "A natural person able to run a business",
            ),
            materials: vec![Material {
                code: "M01".into(),
                name: text("身份证明", "Proof of identity"),
                description: text("经营者身份证", "Operator's ID card"),
                required: true,
                accepted_types: vec![FileType::Jpg, FileType::Pdf],
                template: None,
            }],
            form: vec![
                field("shop_name", FieldType::Text),
                field("operator_id", FieldType::ResidentId),
            ],
            promised_days: 1,
            statutory_days: 15,
            fee: text("不收费", "Free"),
            online_level: OnlineLevel::FullyOnline,
            visit_reason: None,
            delivery_modes: vec![DeliveryMode::Download, DeliveryMode::Courier],
            commitment: None,
            instant_approval: true,
            identity_level: IdentityLevel::L2,
            licences: vec![LicenceSpec {
                licence_type: "business_licence".into(),
                name: text("营业执照", "Business licence"),
                template: "business_licence".into(),
            }],
            accepting_centres: Vec::new(),
        }
    }

    fn known(_: &str) -> bool {
        true
    }

    #[test]
    fn a_complete_item_has_no_problems() {
        assert_eq!(item("320113-SCJG-001").problems(&known, &known), vec![]);
    }

    #[test]
    fn every_problem_is_reported_with_its_path() {
        let mut bad = item("bad code");
        bad.materials.clear();
        bad.promised_days = 30;
        bad.form[0].rules.min = Some(1.0);
        bad.online_level = OnlineLevel::OneVisit;
        let paths: Vec<(String, SpecProblem)> = bad
            .problems(&|code| code != "D01-SCJG", &known)
            .into_iter()
            .map(|problem| (problem.path, problem.problem))
            .collect();
        for expected in [
            ("code".to_owned(), SpecProblem::BadCode),
            (
                "responsible_department".to_owned(),
                SpecProblem::UnknownDepartment,
            ),
            ("materials".to_owned(), SpecProblem::Empty),
            ("form[0].rules".to_owned(), SpecProblem::RuleNotForType),
            ("promised_days".to_owned(), SpecProblem::BadTimeLimit),
            ("visit_reason".to_owned(), SpecProblem::VisitReason),
            (
                "instant_approval".to_owned(),
                SpecProblem::InstantNeedsFullyOnline,
            ),
        ] {
            assert!(
                paths.contains(&expected),
                "missing {expected:?} in {paths:?}"
            );
        }
    }

    #[test]
    fn select_fields_need_options_and_others_must_not_have_them() {
        let mut spec = item("ITEM-1");
        spec.form.push(field("scale", FieldType::Select));
        spec.form[0].options.push(ChoiceOption {
            value: "a".into(),
            label: text("甲", "A"),
        });
        let paths: Vec<String> = spec
            .problems(&known, &known)
            .into_iter()
            .map(|p| p.path)
            .collect();
        assert_eq!(
            paths,
            vec!["form[0].options".to_owned(), "form[2].options".to_owned()]
        );
    }

    #[test]
    fn unknown_field_types_and_rules_do_not_parse() {
        let json = r#"{"key":"x","label":{"zh":"甲","en":"A"},"type":"colour","required":true}"#;
        assert!(serde_json::from_str::<FormField>(json).is_err());
        let json = r#"{"key":"x","label":{"zh":"甲","en":"A"},"type":"text","required":true,"rules":{"regex":"a"}}"#;
        assert!(serde_json::from_str::<FormField>(json).is_err());
    }

    #[test]
    fn bundles_need_two_known_items_and_shared_fields_of_one_type() {
        let items = vec![item("ITEM-A"), item("ITEM-B")];
        let bundle = BundleSpec {
            code: "BUNDLE-1".into(),
            name: text("开办餐饮店", "Open a restaurant"),
            description: text("一次办好", "All at once"),
            items: vec!["ITEM-A".into(), "ITEM-B".into()],
            shared_fields: vec!["shop_name".into()],
        };
        assert_eq!(bundle.problems(&items), vec![]);
        let broken = BundleSpec {
            items: vec!["ITEM-A".into(), "ITEM-X".into()],
            shared_fields: vec!["nope".into()],
            ..bundle
        };
        let paths: Vec<String> = broken
            .problems(&items)
            .into_iter()
            .map(|p| p.path)
            .collect();
        assert_eq!(
            paths,
            vec!["items[1]".to_owned(), "shared_fields[0]".to_owned()]
        );
    }

    #[test]
    fn a_catalogue_round_trips_through_json_unchanged() {
        let catalogue = Catalogue {
            items: vec![item("ITEM-A")],
            bundles: Vec::new(),
        };
        let json = serde_json::to_string(&catalogue).expect("serialise");
        assert_eq!(
            serde_json::from_str::<Catalogue>(&json).expect("parse"),
            catalogue
        );
    }
}
