//! Open data: the published catalogue as JSON without login (`/api/v1/…`), described by the
//! OpenAPI document at `/api/v1/openapi.json`. Same services as the pages; errors are the API's
//! JSON error with its status.

use app::api::{
    AppError, BundleGuide, BundleSummary, CatalogueQuery, CatalogueSearchResult, ItemGuide,
};
use app::backend::AppState;
use app::backend::services::catalogue;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use utoipa::OpenApi;

fn answer<T: serde::Serialize>(result: Result<T, app::backend::error::ServiceError>) -> Response {
    match result {
        Ok(value) => Json(value).into_response(),
        Err(error) => app::backend::http::error_response(&AppError::from(error)),
    }
}

/// Published items matching a search, one page at a time, with the total count.
#[utoipa::path(
    get,
    path = "/api/v1/items",
    params(CatalogueQuery),
    responses((status = 200, description = "Matching published items", body = CatalogueSearchResult)),
    tag = "catalogue"
)]
async fn list_items(
    State(state): State<AppState>,
    query: Result<Query<CatalogueQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    match query {
        Ok(Query(query)) => answer(catalogue::search(&state, &query).await),
        // A parameter that cannot be read (say `instant=maybe`) is the caller's 422, in the
        // API's error format.
        Err(rejection) => {
            tracing::debug!(%rejection, "unreadable catalogue query");
            app::backend::http::error_response(&AppError::Invalid(Vec::new()))
        }
    }
}

/// The current published version of an item: materials, form, limits, departments.
#[utoipa::path(
    get,
    path = "/api/v1/items/{code}",
    params(("code" = String, Path, description = "事项编码")),
    responses(
        (status = 200, description = "The item's guide", body = ItemGuide),
        (status = 404, description = "No published item with this code")
    ),
    tag = "catalogue"
)]
async fn get_item(State(state): State<AppState>, Path(code): Path<String>) -> Response {
    answer(catalogue::item_guide(&state, &code).await)
}

/// One published version of an item: earlier versions stay readable (cases keep the version
/// they were filed under).
#[utoipa::path(
    get,
    path = "/api/v1/items/{code}/versions/{version}",
    params(
        ("code" = String, Path, description = "事项编码"),
        ("version" = i64, Path, description = "Version number")
    ),
    responses(
        (status = 200, description = "That version's guide", body = ItemGuide),
        (status = 404, description = "No such published version")
    ),
    tag = "catalogue"
)]
async fn get_item_version(
    State(state): State<AppState>,
    Path((code, version)): Path<(String, i64)>,
) -> Response {
    answer(catalogue::item_guide_version(&state, &code, Some(version)).await)
}

/// Every published bundle (一件事).
#[utoipa::path(
    get,
    path = "/api/v1/bundles",
    responses((status = 200, description = "Published bundles", body = Vec<BundleSummary>)),
    tag = "catalogue"
)]
async fn list_bundles(State(state): State<AppState>) -> Response {
    answer(catalogue::bundles(&state).await)
}

/// A bundle with the current version of each of its items.
#[utoipa::path(
    get,
    path = "/api/v1/bundles/{code}",
    params(("code" = String, Path, description = "Bundle code")),
    responses(
        (status = 200, description = "The bundle's guide", body = BundleGuide),
        (status = 404, description = "No published bundle with this code")
    ),
    tag = "catalogue"
)]
async fn get_bundle(State(state): State<AppState>, Path(code): Path<String>) -> Response {
    answer(catalogue::bundle_guide(&state, &code).await)
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "不见面审批 open data",
        description = "The published service catalogue (事项清单) of the district, without login."
    ),
    paths(list_items, get_item, get_item_version, list_bundles, get_bundle),
    tags((name = "catalogue", description = "Service items, guides and bundles"))
)]
pub struct OpenDataApi;

async fn openapi_json() -> Response {
    Json(OpenDataApi::openapi()).into_response()
}

/// The `/api/v1` routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/items", get(list_items))
        .route("/api/v1/items/{code}", get(get_item))
        .route(
            "/api/v1/items/{code}/versions/{version}",
            get(get_item_version),
        )
        .route("/api/v1/bundles", get(list_bundles))
        .route("/api/v1/bundles/{code}", get(get_bundle))
        .route("/api/v1/openapi.json", get(openapi_json))
}
