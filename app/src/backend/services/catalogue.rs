//! Catalogue use cases: importing a catalogue (idempotent by code: a changed spec becomes a new
//! published version, an unchanged one is skipped), searching the published items, and the
//! guides of items and bundles.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::ServiceResult;
use super::catalogue_admin::{OrgIndex, bundle_search_text};
use crate::api::{
    BundleGuide, BundleSummary, CatalogueQuery, CatalogueSearchResult, Department, ItemGuide,
    VersionSummary,
};
use crate::backend::audit::{self, Actor};
use crate::backend::db::{DbError, catalogue, org};
use crate::backend::{AppState, now_ms, sha256_hex};
use crate::domain::catalogue::{BundleSpec, Catalogue, LocatedProblem, ServiceItemSpec};

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    pub created: u32,
    pub updated: u32,
    pub unchanged: u32,
    /// Items and bundles not loaded, with where and why.
    pub rejected: Vec<LocatedProblem>,
    /// False when `strict` refused the whole file because of rejected rows.
    pub written: bool,
}

pub(crate) fn decode<T: serde::de::DeserializeOwned>(json: &str) -> ServiceResult<T> {
    serde_json::from_str(json)
        .map_err(|error| DbError::Sqlx(sqlx::Error::Decode(Box::new(error))).into())
}

/// The version a spec gets when stored, or `None` when it equals the latest stored version.
fn next_version(latest: Option<&catalogue::LatestVersion>, spec_sha256: &str) -> Option<i64> {
    match latest {
        Some(latest) if latest.spec_sha256 == spec_sha256 => None,
        Some(latest) => Some(latest.latest_version + 1),
        None => Some(1),
    }
}

/// Imports `catalogue`; with `strict`, nothing is written unless every row is good.
pub async fn import(
    state: &AppState,
    actor: &Actor,
    catalogue: &Catalogue,
    strict: bool,
) -> ServiceResult<ImportReport> {
    import_with_progress(state, actor, catalogue, &[], strict, &|| {}).await
}

/// [`import`] of a catalogue read from a file whose `unreadable` rows were already set aside
/// (they are reported and count as rejected), calling `progress` once for every good row stored
/// or skipped as unchanged (the CLI draws its progress bar with it).
pub async fn import_with_progress(
    state: &AppState,
    actor: &Actor,
    catalogue: &Catalogue,
    unreadable: &[LocatedProblem],
    strict: bool,
    progress: &(dyn Fn() + Sync),
) -> ServiceResult<ImportReport> {
    let index = {
        let mut conn = state.db.read().await?;
        OrgIndex::load(&mut conn).await?
    };
    let mut rejected = unreadable.to_vec();
    rejected.extend(
        catalogue.problems(&|code| index.department_names.contains_key(code), &|code| {
            index.centres.contains(code)
        }),
    );
    let rejected_codes: HashSet<&str> = rejected
        .iter()
        .map(|problem| problem.code.as_str())
        .collect();
    let mut report = ImportReport {
        rejected: rejected.clone(),
        ..ImportReport::default()
    };
    if strict && !rejected.is_empty() {
        return Ok(report);
    }

    let now = now_ms();
    let created_by = actor.label.clone();
    let mut tx = state.db.begin_write().await?;
    for item in catalogue
        .items
        .iter()
        .filter(|item| !rejected_codes.contains(item.code.as_str()))
    {
        progress();
        let spec_json = serde_json::to_string(item).map_err(anyhow::Error::from)?;
        let spec_sha256 = sha256_hex(&spec_json);
        let latest = catalogue::latest_item(&mut tx, &item.code).await?;
        let Some(version) = next_version(latest.as_ref(), &spec_sha256) else {
            report.unchanged += 1;
            continue;
        };
        catalogue::insert_item_version(
            &mut tx,
            catalogue::NewItemVersion {
                spec: item,
                spec_json: &spec_json,
                spec_sha256: &spec_sha256,
                version,
                search_text: &index.search_text(item),
                created_by: &created_by,
                now,
                publish: true,
            },
        )
        .await?;
        if version > 1 {
            report.updated += 1;
        } else {
            report.created += 1;
        }
    }
    for bundle in catalogue
        .bundles
        .iter()
        .filter(|bundle| !rejected_codes.contains(bundle.code.as_str()))
    {
        progress();
        let spec_json = serde_json::to_string(bundle).map_err(anyhow::Error::from)?;
        let spec_sha256 = sha256_hex(&spec_json);
        let latest = catalogue::latest_bundle(&mut tx, &bundle.code).await?;
        let Some(version) = next_version(latest.as_ref(), &spec_sha256) else {
            report.unchanged += 1;
            continue;
        };
        let search_text = bundle_search_text(bundle);
        catalogue::insert_bundle_version(
            &mut tx,
            catalogue::NewBundleVersion {
                code: &bundle.code,
                name_zh: &bundle.name.zh,
                name_en: &bundle.name.en,
                spec_json: &spec_json,
                spec_sha256: &spec_sha256,
                version,
                search_text: &search_text,
                created_by: &created_by,
                now,
                publish: true,
            },
        )
        .await?;
        if version > 1 {
            report.updated += 1;
        } else {
            report.created += 1;
        }
    }
    let detail = json!({
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "rejected": report.rejected.len(),
    });
    audit::record(&mut tx, actor, "catalogue.import", "catalogue", detail).await?;
    tx.commit().await?;
    report.written = true;
    Ok(report)
}

/// The published items matching a query.
pub async fn search(
    state: &AppState,
    query: &CatalogueQuery,
) -> ServiceResult<CatalogueSearchResult> {
    let mut conn = state.db.read().await?;
    let (items, total, fully_online) = catalogue::search_items(&mut conn, query).await?;
    let bundles = catalogue::search_bundles(&mut conn, &query.q)
        .await?
        .iter()
        .map(|json| decode::<BundleSpec>(json).map(|bundle| bundle_summary(&bundle)))
        .collect::<ServiceResult<Vec<_>>>()?;
    Ok(CatalogueSearchResult {
        items,
        bundles,
        total,
        fully_online,
        page: query.page(),
        per_page: CatalogueQuery::PER_PAGE,
    })
}

async fn guide_of(
    conn: &mut sqlx::AnyConnection,
    spec: ServiceItemSpec,
    version: i64,
    published_at: i64,
    all_bundles: &[BundleSpec],
    all_departments: &[Department],
) -> ServiceResult<ItemGuide> {
    let mut departments: Vec<Department> = Vec::new();
    for code in std::iter::once(&spec.responsible_department).chain(&spec.approving_departments) {
        if departments
            .iter()
            .any(|department| &department.code == code)
        {
            continue;
        }
        if let Some(department) = all_departments
            .iter()
            .find(|department| &department.code == code)
        {
            departments.push(department.clone());
        }
    }
    let bundles = all_bundles
        .iter()
        .filter(|bundle| bundle.items.contains(&spec.code))
        .map(bundle_summary)
        .collect();
    let history: Vec<VersionSummary> = catalogue::published_versions(conn, &spec.code)
        .await?
        .into_iter()
        .map(|(version, published_at)| VersionSummary {
            version,
            published_at,
        })
        .collect();
    let current_version = catalogue::latest_item(conn, &spec.code)
        .await?
        .and_then(|latest| latest.current_version)
        .unwrap_or(version);
    Ok(ItemGuide {
        version,
        published_at,
        current_version,
        history,
        spec,
        departments,
        bundles,
    })
}

fn bundle_summary(bundle: &BundleSpec) -> BundleSummary {
    BundleSummary {
        code: bundle.code.clone(),
        name: bundle.name.clone(),
        description: bundle.description.clone(),
        item_count: u32::try_from(bundle.items.len()).unwrap_or(u32::MAX),
    }
}

async fn published_bundles(conn: &mut sqlx::AnyConnection) -> ServiceResult<Vec<BundleSpec>> {
    catalogue::current_bundles(conn)
        .await?
        .iter()
        .map(|json| decode(json))
        .collect()
}

/// The guide of an item's current published version.
pub async fn item_guide(state: &AppState, code: &str) -> ServiceResult<ItemGuide> {
    item_guide_version(state, code, None).await
}

/// The guide of one published version of an item (the current one for `None`). Versions never
/// published (drafts) are not shown.
pub async fn item_guide_version(
    state: &AppState,
    code: &str,
    version: Option<i64>,
) -> ServiceResult<ItemGuide> {
    let mut conn = state.db.read().await?;
    let stored = catalogue::item_version(&mut conn, code, version)
        .await?
        .filter(|stored| stored.published_at.is_some())
        .ok_or(DbError::NotFound)?;
    let spec: ServiceItemSpec = decode(&stored.spec)?;
    let bundles = published_bundles(&mut conn).await?;
    let departments = org::list(&mut conn).await?.departments;
    guide_of(
        &mut conn,
        spec,
        stored.version,
        stored.published_at.unwrap_or(stored.created_at),
        &bundles,
        &departments,
    )
    .await
}

/// The guide of a bundle: its current version with each member item's current version.
pub async fn bundle_guide(state: &AppState, code: &str) -> ServiceResult<BundleGuide> {
    let mut conn = state.db.read().await?;
    let stored = catalogue::current_bundle(&mut conn, code)
        .await?
        .ok_or(DbError::NotFound)?;
    let spec: BundleSpec = decode(&stored.spec)?;
    let bundles = published_bundles(&mut conn).await?;
    let departments = org::list(&mut conn).await?.departments;
    let mut items = Vec::with_capacity(spec.items.len());
    for item_code in &spec.items {
        if let Some(item) = catalogue::item_version(&mut conn, item_code, None).await? {
            let item_spec: ServiceItemSpec = decode(&item.spec)?;
            items.push(
                guide_of(
                    &mut conn,
                    item_spec,
                    item.version,
                    item.published_at.unwrap_or(item.created_at),
                    &bundles,
                    &departments,
                )
                .await?,
            );
        }
    }
    Ok(BundleGuide {
        version: stored.version,
        spec,
        items,
    })
}

/// Every published bundle.
pub async fn bundles(state: &AppState) -> ServiceResult<Vec<BundleSummary>> {
    let mut conn = state.db.read().await?;
    Ok(published_bundles(&mut conn)
        .await?
        .iter()
        .map(bundle_summary)
        .collect())
}

/// The published catalogue (current versions), in the import format: exporting and importing it
/// again changes nothing.
pub async fn export(state: &AppState) -> ServiceResult<Catalogue> {
    let mut conn = state.db.read().await?;
    let items = catalogue::current_items(&mut conn)
        .await?
        .iter()
        .map(|json| decode::<ServiceItemSpec>(json))
        .collect::<ServiceResult<Vec<_>>>()?;
    let bundles = published_bundles(&mut conn).await?;
    Ok(Catalogue { items, bundles })
}
