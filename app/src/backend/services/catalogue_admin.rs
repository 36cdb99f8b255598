//! The catalogue editor of the service office: create and edit items and bundles as drafts,
//! publish a draft as the version the public sees, withdraw (unpublish) an entry, and read the
//! version history. Published versions never change — editing a published entry starts a new
//! draft version — so applications keep the version they were filed under.
//!
//! Every save and publication is validated completely (the same rules as import) and written in
//! one transaction with its audit entry. A save carries the hash of the version the editor
//! loaded, so two administrators editing at once cannot overwrite each other unnoticed.

use std::collections::{HashMap, HashSet};

use serde_json::json;

use super::ServiceResult;
use crate::api::{
    AdminBundle, AdminCatalogue, AdminCatalogueRow, AdminItem, AdminVersion, AppError,
    SavedVersion, SharedFieldChoice,
};
use crate::backend::audit::{self, Actor};
use crate::backend::db::{DbError, catalogue, org};
use crate::backend::{AppState, now_ms, sha256_hex};
use crate::domain::catalogue::{
    BundleSpec, FieldType, LocatedProblem, ServiceItemSpec, SpecProblem,
};

/// Items per page of the editor's list.
pub const ADMIN_PER_PAGE: u32 = 50;

fn decode<T: serde::de::DeserializeOwned>(json: &str) -> ServiceResult<T> {
    serde_json::from_str(json)
        .map_err(|error| DbError::Sqlx(sqlx::Error::Decode(Box::new(error))).into())
}

fn invalid(problems: Vec<LocatedProblem>) -> super::ServiceError {
    AppError::InvalidSpec(problems).into()
}

/// Department names by code (for search text) and the known centre codes.
pub struct OrgIndex {
    pub department_names: HashMap<String, [String; 2]>,
    pub centres: HashSet<String>,
}

impl OrgIndex {
    pub async fn load(conn: &mut sqlx::AnyConnection) -> ServiceResult<Self> {
        let organisation = org::list(conn).await?;
        Ok(OrgIndex {
            department_names: organisation
                .departments
                .into_iter()
                .map(|department| (department.code, [department.name.zh, department.name.en]))
                .collect(),
            centres: organisation
                .service_centres
                .into_iter()
                .map(|centre| centre.code)
                .collect(),
        })
    }

    pub fn item_problems(&self, spec: &ServiceItemSpec) -> Vec<LocatedProblem> {
        spec.problems(&|code| self.department_names.contains_key(code), &|code| {
            self.centres.contains(code)
        })
    }

    /// The lower-cased text an item is found by.
    pub fn search_text(&self, spec: &ServiceItemSpec) -> String {
        let names: Vec<String> = std::iter::once(&spec.responsible_department)
            .chain(&spec.approving_departments)
            .filter_map(|code| self.department_names.get(code))
            .flat_map(|names| names.iter().cloned())
            .collect();
        catalogue::search_text(spec, &names)
    }
}

/// The lower-cased text a bundle is found by.
pub fn bundle_search_text(bundle: &BundleSpec) -> String {
    format!("{} {} {}", bundle.code, bundle.name.zh, bundle.name.en).to_lowercase()
}

fn versions(rows: Vec<catalogue::VersionRow>) -> Vec<AdminVersion> {
    rows.into_iter()
        .map(|row| AdminVersion {
            version: row.version,
            created_at: row.created_at,
            created_by: row.author_name.unwrap_or(row.created_by),
            published_at: row.published_at,
        })
        .collect()
}

fn row(row: catalogue::AdminRow) -> AdminCatalogueRow {
    AdminCatalogueRow {
        code: row.code,
        name: crate::domain::catalogue::Text {
            zh: row.name_zh,
            en: row.name_en,
        },
        latest_version: row.latest_version,
        current_version: row.current_version,
    }
}

/// The editor's list: items (one page) and bundles of every state matching `q`.
pub async fn list(state: &AppState, q: &str, page: u32) -> ServiceResult<AdminCatalogue> {
    let mut conn = state.db.read().await?;
    let page = page.max(1);
    let (items, total) = catalogue::admin_list(&mut conn, false, q, page, ADMIN_PER_PAGE).await?;
    let (bundles, _) = catalogue::admin_list(&mut conn, true, q, 1, 1000).await?;
    Ok(AdminCatalogue {
        items: items.into_iter().map(row).collect(),
        total,
        bundles: bundles.into_iter().map(row).collect(),
        page,
        per_page: ADMIN_PER_PAGE,
    })
}

/// Published bundles (current versions).
async fn published_bundles(conn: &mut sqlx::AnyConnection) -> ServiceResult<Vec<BundleSpec>> {
    catalogue::current_bundles(conn)
        .await?
        .iter()
        .map(|json| decode(json))
        .collect()
}

/// An item with its latest version and history, for the editor.
pub async fn item(state: &AppState, code: &str) -> ServiceResult<AdminItem> {
    let mut conn = state.db.read().await?;
    let latest = catalogue::latest_item(&mut conn, code)
        .await?
        .ok_or(DbError::NotFound)?;
    let stored = catalogue::item_version(&mut conn, code, Some(latest.latest_version))
        .await?
        .ok_or(DbError::NotFound)?;
    let bundles = published_bundles(&mut conn)
        .await?
        .into_iter()
        .filter(|bundle| bundle.items.iter().any(|item| item == code))
        .map(|bundle| crate::api::BundleSummary {
            item_count: u32::try_from(bundle.items.len()).unwrap_or(u32::MAX),
            code: bundle.code,
            name: bundle.name,
            description: bundle.description,
        })
        .collect();
    Ok(AdminItem {
        spec: decode(&stored.spec)?,
        latest_version: latest.latest_version,
        latest_sha256: latest.spec_sha256,
        current_version: latest.current_version,
        versions: versions(catalogue::all_versions(&mut conn, code, false).await?),
        bundles,
    })
}

/// Checks what a save started from against what is stored: editing an entry that does not exist
/// is 404, a save over a newer save is refused, and a new entry may not take a code in use (the
/// problem is returned, to be reported with the others).
async fn check_base(
    conn: &mut sqlx::AnyConnection,
    code: &str,
    latest: Option<&catalogue::LatestVersion>,
    base_sha256: Option<&str>,
) -> ServiceResult<Option<LocatedProblem>> {
    let taken = match (latest, base_sha256) {
        (None, Some(_)) => return Err(DbError::NotFound.into()),
        (Some(latest), Some(base)) if latest.spec_sha256 != base => {
            return Err(AppError::ChangedMeanwhile.into());
        }
        (Some(_), Some(_)) => false,
        (Some(_), None) => true,
        (None, None) => catalogue::code_taken(conn, code).await?,
    };
    Ok(taken.then(|| LocatedProblem {
        code: code.to_owned(),
        path: "code".into(),
        problem: SpecProblem::DuplicateCode,
    }))
}

/// Saves `spec` as a draft. `base_sha256` is the hash of the latest version the editor loaded
/// (`None` to create a new item). A draft is edited in place; a published latest version gets a
/// new draft version after it. Content equal to the latest version writes nothing.
pub async fn save_item(
    state: &AppState,
    actor: &Actor,
    spec: &ServiceItemSpec,
    base_sha256: Option<&str>,
) -> ServiceResult<SavedVersion> {
    let mut tx = state.db.begin_write().await?;
    let index = OrgIndex::load(&mut tx).await?;
    let mut problems = index.item_problems(spec);
    let latest = catalogue::latest_item(&mut tx, &spec.code).await?;
    problems.extend(check_base(&mut tx, &spec.code, latest.as_ref(), base_sha256).await?);
    if !problems.is_empty() {
        return Err(invalid(problems));
    }
    let spec_json = serde_json::to_string(spec).map_err(anyhow::Error::from)?;
    let spec_sha256 = sha256_hex(&spec_json);
    if let Some(latest) = &latest
        && latest.spec_sha256 == spec_sha256
    {
        return Ok(SavedVersion {
            version: latest.latest_version,
            changed: false,
        });
    }
    let now = now_ms();
    let search_text = index.search_text(spec);
    let new_version = |version| catalogue::NewItemVersion {
        spec,
        spec_json: &spec_json,
        spec_sha256: &spec_sha256,
        version,
        search_text: &search_text,
        created_by: &actor.label,
        now,
        publish: false,
    };
    let version = match &latest {
        Some(latest)
            if catalogue::update_draft_item_version(
                &mut tx,
                new_version(latest.latest_version),
            )
            .await? =>
        {
            latest.latest_version
        }
        Some(latest) => {
            let version = latest.latest_version + 1;
            catalogue::insert_item_version(&mut tx, new_version(version)).await?;
            version
        }
        None => {
            catalogue::insert_item_version(&mut tx, new_version(1)).await?;
            1
        }
    };
    audit::record(
        &mut tx,
        actor,
        "catalogue.item.save",
        &format!("item:{}", spec.code),
        json!({ "version": version, "sha256": spec_sha256 }),
    )
    .await?;
    tx.commit().await?;
    Ok(SavedVersion {
        version,
        changed: true,
    })
}

/// The problems a published bundle would have if `replaced` took the place of its item (or the
/// item were withdrawn, for `None`), reported on the item.
fn bundle_problems_for_item(
    code: &str,
    bundles: &[BundleSpec],
    current_items: &[ServiceItemSpec],
    replaced: Option<&ServiceItemSpec>,
) -> Vec<LocatedProblem> {
    let mut items: Vec<ServiceItemSpec> = current_items
        .iter()
        .filter(|item| item.code != code)
        .cloned()
        .collect();
    if let Some(replaced) = replaced {
        items.push(replaced.clone());
    }
    bundles
        .iter()
        .filter(|bundle| bundle.items.iter().any(|item| item == code))
        .filter(|bundle| !bundle.problems(&items).is_empty())
        .map(|bundle| LocatedProblem {
            code: code.to_owned(),
            path: format!("bundles.{}", bundle.code),
            problem: SpecProblem::NeededByBundle,
        })
        .collect()
}

/// The current specs of the items a set of bundles uses.
async fn member_items(
    conn: &mut sqlx::AnyConnection,
    bundles: &[BundleSpec],
) -> ServiceResult<Vec<ServiceItemSpec>> {
    let codes: HashSet<&str> = bundles
        .iter()
        .flat_map(|bundle| bundle.items.iter().map(String::as_str))
        .collect();
    let mut items = Vec::with_capacity(codes.len());
    for code in codes {
        if let Some(stored) = catalogue::item_version(conn, code, None).await? {
            items.push(decode(&stored.spec)?);
        }
    }
    Ok(items)
}

/// Publishes the latest version of an item (it must be `version`, the one the editor showed):
/// from now on the guide shows it and new applications are filed under it.
pub async fn publish_item(
    state: &AppState,
    actor: &Actor,
    code: &str,
    version: i64,
) -> ServiceResult<()> {
    let mut tx = state.db.begin_write().await?;
    let latest = catalogue::latest_item(&mut tx, code)
        .await?
        .ok_or(DbError::NotFound)?;
    if latest.latest_version != version {
        return Err(AppError::ChangedMeanwhile.into());
    }
    if latest.current_version == Some(version) {
        return Ok(());
    }
    let stored = catalogue::item_version(&mut tx, code, Some(version))
        .await?
        .ok_or(DbError::NotFound)?;
    let spec: ServiceItemSpec = decode(&stored.spec)?;
    let index = OrgIndex::load(&mut tx).await?;
    let mut problems = index.item_problems(&spec);
    let bundles = published_bundles(&mut tx).await?;
    let members = member_items(&mut tx, &bundles).await?;
    problems.extend(bundle_problems_for_item(
        code,
        &bundles,
        &members,
        Some(&spec),
    ));
    if !problems.is_empty() {
        return Err(invalid(problems));
    }
    let now = now_ms();
    catalogue::publish_item(&mut tx, code, version, now).await?;
    audit::record(
        &mut tx,
        actor,
        "catalogue.item.publish",
        &format!("item:{code}"),
        json!({ "version": version, "previous": latest.current_version }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Withdraws an item from the public catalogue. Refused while a published bundle includes it.
pub async fn unpublish_item(state: &AppState, actor: &Actor, code: &str) -> ServiceResult<()> {
    let mut tx = state.db.begin_write().await?;
    let latest = catalogue::latest_item(&mut tx, code)
        .await?
        .ok_or(DbError::NotFound)?;
    let Some(current) = latest.current_version else {
        return Ok(());
    };
    let bundles = published_bundles(&mut tx).await?;
    let problems: Vec<LocatedProblem> = bundles
        .iter()
        .filter(|bundle| bundle.items.iter().any(|item| item == code))
        .map(|bundle| LocatedProblem {
            code: code.to_owned(),
            path: format!("bundles.{}", bundle.code),
            problem: SpecProblem::NeededByBundle,
        })
        .collect();
    if !problems.is_empty() {
        return Err(invalid(problems));
    }
    catalogue::unpublish_item(&mut tx, code, now_ms()).await?;
    audit::record(
        &mut tx,
        actor,
        "catalogue.item.unpublish",
        &format!("item:{code}"),
        json!({ "version": current }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A bundle with its latest version and history, for the editor.
pub async fn bundle(state: &AppState, code: &str) -> ServiceResult<AdminBundle> {
    let mut conn = state.db.read().await?;
    let latest = catalogue::latest_bundle(&mut conn, code)
        .await?
        .ok_or(DbError::NotFound)?;
    let stored = catalogue::bundle_version(&mut conn, code, latest.latest_version)
        .await?
        .ok_or(DbError::NotFound)?;
    Ok(AdminBundle {
        spec: decode(&stored.spec)?,
        latest_version: latest.latest_version,
        latest_sha256: latest.spec_sha256,
        current_version: latest.current_version,
        versions: versions(catalogue::all_versions(&mut conn, code, true).await?),
    })
}

async fn bundle_problems(
    conn: &mut sqlx::AnyConnection,
    spec: &BundleSpec,
) -> ServiceResult<Vec<LocatedProblem>> {
    let members = member_items(conn, std::slice::from_ref(spec)).await?;
    Ok(spec.problems(&members))
}

/// Saves a bundle as a draft; like [`save_item`].
pub async fn save_bundle(
    state: &AppState,
    actor: &Actor,
    spec: &BundleSpec,
    base_sha256: Option<&str>,
) -> ServiceResult<SavedVersion> {
    let mut tx = state.db.begin_write().await?;
    let mut problems = bundle_problems(&mut tx, spec).await?;
    let latest = catalogue::latest_bundle(&mut tx, &spec.code).await?;
    problems.extend(check_base(&mut tx, &spec.code, latest.as_ref(), base_sha256).await?);
    if !problems.is_empty() {
        return Err(invalid(problems));
    }
    let spec_json = serde_json::to_string(spec).map_err(anyhow::Error::from)?;
    let spec_sha256 = sha256_hex(&spec_json);
    if let Some(latest) = &latest
        && latest.spec_sha256 == spec_sha256
    {
        return Ok(SavedVersion {
            version: latest.latest_version,
            changed: false,
        });
    }
    let now = now_ms();
    let search_text = bundle_search_text(spec);
    let new_version = |version| catalogue::NewBundleVersion {
        code: &spec.code,
        name_zh: &spec.name.zh,
        name_en: &spec.name.en,
        spec_json: &spec_json,
        spec_sha256: &spec_sha256,
        version,
        search_text: &search_text,
        created_by: &actor.label,
        now,
        publish: false,
    };
    let version = match &latest {
        Some(latest)
            if catalogue::update_draft_bundle_version(
                &mut tx,
                new_version(latest.latest_version),
            )
            .await? =>
        {
            latest.latest_version
        }
        Some(latest) => {
            let version = latest.latest_version + 1;
            catalogue::insert_bundle_version(&mut tx, new_version(version)).await?;
            version
        }
        None => {
            catalogue::insert_bundle_version(&mut tx, new_version(1)).await?;
            1
        }
    };
    audit::record(
        &mut tx,
        actor,
        "catalogue.bundle.save",
        &format!("bundle:{}", spec.code),
        json!({ "version": version, "sha256": spec_sha256 }),
    )
    .await?;
    tx.commit().await?;
    Ok(SavedVersion {
        version,
        changed: true,
    })
}

/// Publishes the latest version of a bundle (it must be `version`).
pub async fn publish_bundle(
    state: &AppState,
    actor: &Actor,
    code: &str,
    version: i64,
) -> ServiceResult<()> {
    let mut tx = state.db.begin_write().await?;
    let latest = catalogue::latest_bundle(&mut tx, code)
        .await?
        .ok_or(DbError::NotFound)?;
    if latest.latest_version != version {
        return Err(AppError::ChangedMeanwhile.into());
    }
    if latest.current_version == Some(version) {
        return Ok(());
    }
    let stored = catalogue::bundle_version(&mut tx, code, version)
        .await?
        .ok_or(DbError::NotFound)?;
    let spec: BundleSpec = decode(&stored.spec)?;
    let problems = bundle_problems(&mut tx, &spec).await?;
    if !problems.is_empty() {
        return Err(invalid(problems));
    }
    catalogue::publish_bundle(&mut tx, code, version, now_ms()).await?;
    audit::record(
        &mut tx,
        actor,
        "catalogue.bundle.publish",
        &format!("bundle:{code}"),
        json!({ "version": version, "previous": latest.current_version }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Withdraws a bundle from the public catalogue.
pub async fn unpublish_bundle(state: &AppState, actor: &Actor, code: &str) -> ServiceResult<()> {
    let mut tx = state.db.begin_write().await?;
    let latest = catalogue::latest_bundle(&mut tx, code)
        .await?
        .ok_or(DbError::NotFound)?;
    let Some(current) = latest.current_version else {
        return Ok(());
    };
    catalogue::unpublish_bundle(&mut tx, code, now_ms()).await?;
    audit::record(
        &mut tx,
        actor,
        "catalogue.bundle.unpublish",
        &format!("bundle:{code}"),
        json!({ "version": current }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The form fields of the chosen published items that a bundle could ask once: those in at
/// least two of them, with whether their types agree.
pub async fn shared_field_choices(
    state: &AppState,
    item_codes: &[String],
) -> ServiceResult<Vec<SharedFieldChoice>> {
    let mut conn = state.db.read().await?;
    let mut seen: Vec<(String, crate::domain::catalogue::Text, Vec<FieldType>)> = Vec::new();
    let distinct: Vec<&String> = item_codes
        .iter()
        .take(50)
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    for code in distinct {
        let Some(stored) = catalogue::item_version(&mut conn, code, None).await? else {
            continue;
        };
        let spec: ServiceItemSpec = decode(&stored.spec)?;
        for field in spec.form {
            match seen.iter_mut().find(|(key, ..)| *key == field.key) {
                Some((_, _, types)) => types.push(field.field_type),
                None => seen.push((field.key, field.label, vec![field.field_type])),
            }
        }
    }
    Ok(seen
        .into_iter()
        .filter(|(_, _, types)| types.len() >= 2)
        .map(|(key, label, types)| SharedFieldChoice {
            key,
            label,
            item_count: u32::try_from(types.len()).unwrap_or(u32::MAX),
            same_type: types.windows(2).all(|pair| pair[0] == pair[1]),
        })
        .collect())
}
