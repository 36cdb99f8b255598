//! Catalogue data crossing the wire: search queries and results, item and bundle guides.

use serde::{Deserialize, Serialize};

use super::{Department, OrgUnitName};
use crate::domain::catalogue::{BundleSpec, ItemKind, OnlineLevel, ServiceItemSpec, Text};

/// Search and filters of the public catalogue; every field may be empty (= no filter). Built
/// from the page's query string, so any text is accepted and simply matches or not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CatalogueQuery {
    /// Words of the name, or the item code.
    #[serde(default)]
    pub q: String,
    /// Department code.
    #[serde(default)]
    pub department: String,
    /// `licensing`, `confirmation`, `filing`, `public_service`.
    #[serde(default)]
    pub kind: String,
    /// `fully_online` or `one_visit`.
    #[serde(default)]
    pub online: String,
    /// `true` to list instant-approval items only.
    #[serde(default)]
    pub instant: bool,
    /// `true` to list commitment-based items only.
    #[serde(default)]
    pub commitment: bool,
    /// 1-based page.
    #[serde(default)]
    pub page: u32,
}

impl CatalogueQuery {
    pub const PER_PAGE: u32 = 20;
    /// Longer search texts are cut: no item name is longer.
    pub const MAX_QUERY_CHARS: usize = 100;

    pub fn page(&self) -> u32 {
        self.page.max(1)
    }
}

/// One line of the catalogue list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ItemSummary {
    pub code: String,
    pub name: Text,
    pub kind: ItemKind,
    pub department: Option<OrgUnitName>,
    pub online_level: OnlineLevel,
    pub instant_approval: bool,
    pub commitment: bool,
    pub promised_days: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default, utoipa::ToSchema)]
pub struct CatalogueSearchResult {
    pub items: Vec<ItemSummary>,
    /// Bundles whose name matches the search words (all bundles without words).
    pub bundles: Vec<BundleSummary>,
    /// Items matching the search and filters.
    pub total: u64,
    /// Of those, fully online (全程网办).
    pub fully_online: u64,
    pub page: u32,
    pub per_page: u32,
}

/// A bundle in a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct BundleSummary {
    pub code: String,
    pub name: Text,
    pub description: Text,
    pub item_count: u32,
}

/// One published version of an item, for its history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct VersionSummary {
    pub version: i64,
    pub published_at: i64,
}

/// Everything the guide page of an item shows: one published version (the current one unless
/// an earlier one was asked for) and the item's version history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ItemGuide {
    pub version: i64,
    pub published_at: i64,
    /// The version new applications are filed under.
    pub current_version: i64,
    /// Every published version, newest first.
    pub history: Vec<VersionSummary>,
    pub spec: ServiceItemSpec,
    /// The responsible and approving departments, resolved to names.
    pub departments: Vec<Department>,
    /// Bundles this item belongs to.
    pub bundles: Vec<BundleSummary>,
}

/// The guide page of a bundle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct BundleGuide {
    pub version: i64,
    pub spec: BundleSpec,
    pub items: Vec<ItemGuide>,
}
