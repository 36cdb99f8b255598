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

/// One stored version in the editor's history (drafts included).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminVersion {
    pub version: i64,
    pub created_at: i64,
    /// Who saved it (a display name, or `cli` / `demo` for imports).
    pub created_by: String,
    /// `None` while it is a draft never published.
    pub published_at: Option<i64>,
}

/// An item as the catalogue editor loads it: the latest version (draft or published), the
/// published one, and the whole history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdminItem {
    pub spec: ServiceItemSpec,
    pub latest_version: i64,
    /// Hash of the latest version: sent back on save, so that a save over somebody else's newer
    /// save is refused instead of silently overwriting it.
    pub latest_sha256: String,
    /// The version the public sees; `None` when withdrawn or never published.
    pub current_version: Option<i64>,
    pub versions: Vec<AdminVersion>,
    /// Published bundles that include the item.
    pub bundles: Vec<BundleSummary>,
}

/// A bundle as the editor loads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminBundle {
    pub spec: BundleSpec,
    pub latest_version: i64,
    pub latest_sha256: String,
    pub current_version: Option<i64>,
    pub versions: Vec<AdminVersion>,
}

/// One line of the editor's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminCatalogueRow {
    pub code: String,
    /// Name of the latest version.
    pub name: Text,
    pub latest_version: i64,
    pub current_version: Option<i64>,
}

impl AdminCatalogueRow {
    /// A draft newer than what the public sees is waiting to be published.
    pub fn has_draft(&self) -> bool {
        self.current_version != Some(self.latest_version)
    }
}

/// The editor's list: one page of items and every bundle matching the search.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct AdminCatalogue {
    pub items: Vec<AdminCatalogueRow>,
    pub total: u64,
    pub bundles: Vec<AdminCatalogueRow>,
    pub page: u32,
    pub per_page: u32,
}

/// What saving did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedVersion {
    /// The draft version now holding the content (unchanged content: the latest version).
    pub version: i64,
    /// False when the content equalled the latest version and nothing was written.
    pub changed: bool,
}

/// A form field a bundle may ask once: it exists in `item_count` of the chosen items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedFieldChoice {
    pub key: String,
    pub label: Text,
    pub item_count: u32,
    /// False when the items disagree on the field's type (it cannot be shared).
    pub same_type: bool,
}
