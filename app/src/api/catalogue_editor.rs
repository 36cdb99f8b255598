//! Server functions of the catalogue editor (service office only): list, load, save drafts,
//! publish and withdraw items and bundles. Specs travel as JSON (`input = Json`), since they are
//! nested structures no HTML form could carry.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use super::{AdminBundle, AdminCatalogue, AdminItem, AppError, SavedVersion, SharedFieldChoice};
use crate::domain::catalogue::{BundleSpec, ServiceItemSpec};

#[cfg(feature = "ssr")]
use crate::backend::{authz::RequestCtx, services::catalogue_admin as editor};

/// Items (one page) and bundles of every state whose code or name contains `q`.
#[server(endpoint = "admin/catalogue/list")]
pub async fn admin_catalogue_list(q: String, page: u32) -> Result<AdminCatalogue, AppError> {
    let ctx = RequestCtx::current()?;
    ctx.require_user(crate::access::ADMINS)?;
    ctx.finish(editor::list(&ctx.state, &q, page).await)
}

/// An item's latest version (draft or published) and its history.
#[server(endpoint = "admin/catalogue/item")]
pub async fn admin_load_item(code: String) -> Result<AdminItem, AppError> {
    let ctx = RequestCtx::current()?;
    ctx.require_user(crate::access::ADMINS)?;
    ctx.finish(editor::item(&ctx.state, &code).await)
}

/// Saves an item as a draft. `base_sha256` is the hash of the version the editor loaded; `None`
/// creates a new item.
#[server(endpoint = "admin/catalogue/item/save", input = Json)]
pub async fn admin_save_item(
    spec: ServiceItemSpec,
    base_sha256: Option<String>,
) -> Result<SavedVersion, AppError> {
    let ctx = RequestCtx::current()?;
    ctx.require_user(crate::access::ADMINS)?;
    ctx.finish(
        editor::save_item(
            &ctx.state,
            &ctx.audit_actor(),
            &spec,
            base_sha256.as_deref(),
        )
        .await,
    )
}

/// Publishes an item's latest version (`version`, as the editor showed it).
#[server(endpoint = "admin/catalogue/item/publish")]
pub async fn admin_publish_item(code: String, version: i64) -> Result<(), AppError> {
    let ctx = RequestCtx::current()?;
    ctx.require_user(crate::access::ADMINS)?;
    ctx.finish(editor::publish_item(&ctx.state, &ctx.audit_actor(), &code, version).await)
}

/// Withdraws an item from the public catalogue.
#[server(endpoint = "admin/catalogue/item/unpublish")]
pub async fn admin_unpublish_item(code: String) -> Result<(), AppError> {
    let ctx = RequestCtx::current()?;
    ctx.require_user(crate::access::ADMINS)?;
    ctx.finish(editor::unpublish_item(&ctx.state, &ctx.audit_actor(), &code).await)
}

/// A bundle's latest version and its history.
#[server(endpoint = "admin/catalogue/bundle")]
pub async fn admin_load_bundle(code: String) -> Result<AdminBundle, AppError> {
    let ctx = RequestCtx::current()?;
    ctx.require_user(crate::access::ADMINS)?;
    ctx.finish(editor::bundle(&ctx.state, &code).await)
}

/// Saves a bundle as a draft; like [`admin_save_item`].
#[server(endpoint = "admin/catalogue/bundle/save", input = Json)]
pub async fn admin_save_bundle(
    spec: BundleSpec,
    base_sha256: Option<String>,
) -> Result<SavedVersion, AppError> {
    let ctx = RequestCtx::current()?;
    ctx.require_user(crate::access::ADMINS)?;
    ctx.finish(
        editor::save_bundle(
            &ctx.state,
            &ctx.audit_actor(),
            &spec,
            base_sha256.as_deref(),
        )
        .await,
    )
}

/// Publishes a bundle's latest version.
#[server(endpoint = "admin/catalogue/bundle/publish")]
pub async fn admin_publish_bundle(code: String, version: i64) -> Result<(), AppError> {
    let ctx = RequestCtx::current()?;
    ctx.require_user(crate::access::ADMINS)?;
    ctx.finish(editor::publish_bundle(&ctx.state, &ctx.audit_actor(), &code, version).await)
}

/// Withdraws a bundle from the public catalogue.
#[server(endpoint = "admin/catalogue/bundle/unpublish")]
pub async fn admin_unpublish_bundle(code: String) -> Result<(), AppError> {
    let ctx = RequestCtx::current()?;
    ctx.require_user(crate::access::ADMINS)?;
    ctx.finish(editor::unpublish_bundle(&ctx.state, &ctx.audit_actor(), &code).await)
}

/// The fields the chosen published items have in common (for a bundle's shared fields).
#[server(endpoint = "admin/catalogue/shared-fields", input = Json)]
pub async fn admin_shared_fields(items: Vec<String>) -> Result<Vec<SharedFieldChoice>, AppError> {
    let ctx = RequestCtx::current()?;
    ctx.require_user(crate::access::ADMINS)?;
    ctx.finish(editor::shared_field_choices(&ctx.state, &items).await)
}
