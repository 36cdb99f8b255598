//! The demo service catalogue (事项清单): a realistic district catalogue of 72 items across all
//! fourteen demo departments — business registration, food and public-venue licences under
//! notification-commitment (告知承诺), construction, drainage, social security, civil affairs,
//! archives and more — and five bundles (一件事) such as 开办餐饮店 and 新生儿出生一件事.
//!
//! The data lives in `app/seed/catalogue.json`, in the documented import format
//! ([`Catalogue`]), and is compiled into the server so demo mode can publish it without any
//! file on disk. The tests below prove it against the catalogue rules and the demo district.

use crate::domain::catalogue::Catalogue;

/// The demo catalogue as JSON, exactly as an administrator would import it.
pub const DEMO_CATALOGUE_JSON: &str = include_str!("../../seed/catalogue.json");

/// Parses the demo catalogue.
pub fn demo_catalogue() -> Result<Catalogue, serde_json::Error> {
    serde_json::from_str(DEMO_CATALOGUE_JSON)
}

#[cfg(test)]
mod tests {
    use std::collections::{HashMap, HashSet};

    use super::super::demo::{CENTRES, DEPARTMENTS};
    use super::demo_catalogue;
    use crate::domain::catalogue::{Catalogue, FieldType, OnlineLevel, ServiceItemSpec};

    fn catalogue() -> Catalogue {
        demo_catalogue().expect("the demo catalogue parses")
    }

    fn department_known(code: &str) -> bool {
        DEPARTMENTS.iter().any(|(known, _, _)| *known == code)
    }

    fn centre_known(code: &str) -> bool {
        CENTRES.iter().any(|(known, ..)| *known == code)
    }

    fn items_named<'a>(catalogue: &'a Catalogue, part: &str) -> Vec<&'a ServiceItemSpec> {
        catalogue
            .items
            .iter()
            .filter(|item| item.name.zh.contains(part))
            .collect()
    }

    #[test]
    fn the_demo_catalogue_parses() {
        let catalogue = catalogue();
        assert!(!catalogue.items.is_empty());
    }

    #[test]
    fn the_demo_catalogue_has_no_problems_in_the_demo_district() {
        let problems = catalogue().problems(&department_known, &centre_known);
        assert!(problems.is_empty(), "problems: {problems:#?}");
    }

    #[test]
    fn the_demo_catalogue_has_at_least_sixty_items() {
        let count = catalogue().items.len();
        assert!(count >= 60, "only {count} items");
    }

    #[test]
    fn items_span_at_least_twelve_departments() {
        let catalogue = catalogue();
        let departments: HashSet<&str> = catalogue
            .items
            .iter()
            .flat_map(|item| {
                std::iter::once(item.responsible_department.as_str())
                    .chain(item.approving_departments.iter().map(String::as_str))
            })
            .collect();
        assert!(
            departments.len() >= 12,
            "only {} departments: {departments:?}",
            departments.len()
        );
    }

    #[test]
    fn every_item_is_complete_enough_to_file() {
        for item in catalogue().items {
            assert!(!item.materials.is_empty(), "{} has no materials", item.code);
            assert!(!item.form.is_empty(), "{} has an empty form", item.code);
            assert!(
                item.statutory_days >= item.promised_days,
                "{} promises more days than the law allows",
                item.code
            );
            assert!(
                department_known(&item.responsible_department),
                "{} has no known responsible department",
                item.code
            );
        }
    }

    #[test]
    fn at_least_ten_items_are_approved_instantly_and_fully_online() {
        let catalogue = catalogue();
        let instant: Vec<&ServiceItemSpec> = catalogue
            .items
            .iter()
            .filter(|item| item.instant_approval)
            .collect();
        assert!(instant.len() >= 10, "only {} instant items", instant.len());
        for item in instant {
            assert_eq!(item.online_level, OnlineLevel::FullyOnline, "{}", item.code);
            assert_eq!(
                item.promised_days, 0,
                "{} is instant but promises days",
                item.code
            );
        }
    }

    #[test]
    fn at_least_eight_items_accept_a_commitment() {
        let count = catalogue()
            .items
            .iter()
            .filter(|item| item.commitment.is_some())
            .count();
        assert!(count >= 8, "only {count} commitment items");
    }

    #[test]
    fn there_are_at_least_three_bundles_of_existing_items() {
        let catalogue = catalogue();
        assert!(
            catalogue.bundles.len() >= 3,
            "only {} bundles",
            catalogue.bundles.len()
        );
        let codes: HashSet<&str> = catalogue
            .items
            .iter()
            .map(|item| item.code.as_str())
            .collect();
        for bundle in &catalogue.bundles {
            assert!(bundle.items.len() >= 2, "{} is too small", bundle.code);
            for code in &bundle.items {
                assert!(
                    codes.contains(code.as_str()),
                    "{} refers to unknown item {code}",
                    bundle.code
                );
            }
        }
    }

    #[test]
    fn a_field_key_has_one_type_across_the_whole_catalogue() {
        let mut types: HashMap<&str, (FieldType, &str)> = HashMap::new();
        let catalogue = catalogue();
        for item in &catalogue.items {
            for field in &item.form {
                let (first, first_item) = *types
                    .entry(field.key.as_str())
                    .or_insert((field.field_type, item.code.as_str()));
                assert_eq!(
                    first, field.field_type,
                    "{} is {:?} in {first_item} but {:?} in {}",
                    field.key, first, field.field_type, item.code
                );
            }
        }
    }

    #[test]
    fn the_items_a_district_needs_exist_by_name() {
        let catalogue = catalogue();
        for name in [
            "个体工商户设立登记",
            "有限责任公司设立登记",
            "变更登记",
            "注销",
            "食品经营许可",
            "小餐饮",
            "公共场所卫生许可",
            "建筑工程施工许可",
            "户外广告",
            "城镇污水排入排水管网许可",
            "社保参保证明",
            "市民卡挂失",
            "生育登记",
            "计生档案查询",
            "婚姻档案查询",
            "招工档案查询",
            "就业登记",
            "残疾人证",
            "消防安全检查",
        ] {
            assert!(
                !items_named(&catalogue, name).is_empty(),
                "no item named like {name}"
            );
        }
    }

    #[test]
    fn the_food_business_licence_is_granted_on_commitment() {
        let catalogue = catalogue();
        let food = items_named(&catalogue, "食品经营许可");
        assert!(!food.is_empty());
        assert!(
            food.iter().any(|item| item.commitment.is_some()),
            "no 食品经营许可 item accepts a 告知承诺"
        );
    }

    #[test]
    fn the_restaurant_bundle_joins_the_business_licence_and_the_food_licence() {
        let catalogue = catalogue();
        let bundle = catalogue
            .bundles
            .iter()
            .find(|bundle| bundle.name.zh.contains("开办餐饮店"))
            .expect("a 开办餐饮店 bundle");
        let names: Vec<&str> = bundle
            .items
            .iter()
            .filter_map(|code| catalogue.items.iter().find(|item| &item.code == code))
            .map(|item| item.name.zh.as_str())
            .collect();
        for needed in ["个体工商户设立登记", "食品经营许可"] {
            assert!(
                names.iter().any(|name| name.contains(needed)),
                "开办餐饮店 lacks {needed}: {names:?}"
            );
        }
    }
}
