//! The commitment letter (告知承诺书) an applicant e-signs: rendered from the commitment texts of
//! the items applied for and the applicant's verified identity. The rendering is exact and
//! deterministic — the browser signs the SHA-256 of precisely this text, and the server renders
//! it again at signing and at submission to check that what was signed is still what applies.

use super::catalogue::{ServiceItemSpec, Text};

/// Who signs: the verified name and resident ID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signer<'a> {
    pub legal_name: &'a str,
    pub resident_id: &'a str,
}

const NUMERALS: [&str; 10] = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];

/// The letter for the items that take a commitment, or `None` when none does. Chinese is the
/// legal text; `date` is `YYYY-MM-DD` (China Standard Time).
pub fn render_letter(
    title: &Text,
    items: &[&ServiceItemSpec],
    signer: &Signer<'_>,
    date: &str,
) -> Option<String> {
    let committed: Vec<(&ServiceItemSpec, &Text)> = items
        .iter()
        .filter_map(|item| {
            item.commitment
                .as_ref()
                .map(|commitment| (*item, &commitment.letter))
        })
        .collect();
    if committed.is_empty() {
        return None;
    }
    let mut text = String::new();
    text.push_str("告知承诺书\n\n");
    text.push_str(&format!("申请事项：{}\n", title.zh));
    text.push_str(&format!(
        "承诺人：{}（居民身份证号码：{}）\n",
        signer.legal_name, signer.resident_id
    ));
    for (index, (item, letter)) in committed.iter().enumerate() {
        let numeral = NUMERALS.get(index).copied().unwrap_or("十");
        text.push_str(&format!(
            "\n{numeral}、{}（{}）\n{}\n",
            item.name.zh,
            item.code,
            letter.zh.trim()
        ));
    }
    text.push_str(&format!(
        "\n以上承诺内容经本人阅读确认，以本人电子签名签署。\n承诺人：{}\n日期：{date}\n",
        signer.legal_name
    ));
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::catalogue::Commitment;

    fn item(code: &str, letter: Option<&str>) -> ServiceItemSpec {
        let mut item: ServiceItemSpec = serde_json::from_value(serde_json::json!({
            "code": code, "name": {"zh": format!("事项{code}"), "en": code}, "kind": "licensing",
            "responsible_department": "D01", "approving_departments": ["D01"],
            "legal_basis": {"zh": "法", "en": "law"}, "conditions": {"zh": "条件", "en": "c"},
            "materials": [], "form": [], "promised_days": 1, "statutory_days": 20,
            "fee": {"zh": "免费", "en": "free"}, "online_level": "fully_online",
            "delivery_modes": ["download"], "instant_approval": false, "identity_level": "L2",
            "licences": [], "accepting_centres": []
        }))
        .unwrap_or_else(|error| panic!("test item: {error}"));
        item.commitment = letter.map(|letter| Commitment {
            letter: Text {
                zh: letter.into(),
                en: "I undertake".into(),
            },
        });
        item
    }

    #[test]
    fn only_items_with_a_commitment_make_a_letter_numbered_in_order() {
        let signer = Signer {
            legal_name: "王开店",
            resident_id: "32011319880304215X",
        };
        let title = Text {
            zh: "开办餐饮店".into(),
            en: "Open a restaurant".into(),
        };
        let (a, b, c) = (
            item("A", None),
            item("B", Some("承诺甲")),
            item("C", Some("承诺乙")),
        );
        let text = render_letter(&title, &[&a, &b, &c], &signer, "2026-11-24").unwrap_or_default();
        assert!(text.starts_with("告知承诺书\n\n申请事项：开办餐饮店\n"));
        assert!(text.contains("一、事项B（B）\n承诺甲\n"));
        assert!(text.contains("二、事项C（C）\n承诺乙\n"));
        assert!(!text.contains("事项A"));
        assert!(text.ends_with("日期：2026-11-24\n"));
        assert_eq!(render_letter(&title, &[&a], &signer, "2026-11-24"), None);
        // The same input gives the same text, byte for byte.
        assert_eq!(
            render_letter(&title, &[&a, &b, &c], &signer, "2026-11-24"),
            Some(text)
        );
    }
}
