//! The JSON API (`/api/v1/…`), described by the OpenAPI document at `/api/v1/openapi.json`: the
//! published catalogue and licence verification without login, the approvals feed for an
//! enforcement platform with an API token, and the issuer's public keys at
//! `/.well-known/jwks.json`. Same services as the pages; errors are the API's JSON error with
//! its status.

use app::api::{
    AppError, BundleGuide, BundleSummary, CatalogueQuery, CatalogueSearchResult, FeedPage,
    ItemGuide, Verification,
};
use app::backend::AppState;
use app::backend::services::{catalogue, issuance};
use axum::Json;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use utoipa::OpenApi;

/// A parameter that cannot be read (a path segment that is not UTF-8, a version that is not a
/// number, `instant=maybe`) is the caller's 422 `{"Invalid":[]}`, in the API's error format.
fn unreadable(rejection: &dyn std::fmt::Display) -> Response {
    tracing::debug!(%rejection, "unreadable API parameter");
    app::backend::http::error_response(&AppError::Invalid(Vec::new()))
}

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
    responses(
        (status = 200, description = "Matching published items", body = CatalogueSearchResult),
        (status = 422, description = "An unreadable parameter: `{\"Invalid\":[]}`")
    ),
    tag = "catalogue"
)]
async fn list_items(
    State(state): State<AppState>,
    query: Result<Query<CatalogueQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    match query {
        Ok(Query(query)) => answer(catalogue::search(&state, &query).await),
        Err(rejection) => unreadable(&rejection),
    }
}

/// The current published version of an item: materials, form, limits, departments.
#[utoipa::path(
    get,
    path = "/api/v1/items/{code}",
    params(("code" = String, Path, description = "事项编码")),
    responses(
        (status = 200, description = "The item's guide", body = ItemGuide),
        (status = 404, description = "No published item with this code: `\"NotFound\"`"),
        (status = 422, description = "An unreadable code (not UTF-8): `{\"Invalid\":[]}`")
    ),
    tag = "catalogue"
)]
async fn get_item(
    State(state): State<AppState>,
    code: Result<Path<String>, PathRejection>,
) -> Response {
    match code {
        Ok(Path(code)) => answer(catalogue::item_guide(&state, &code).await),
        Err(rejection) => unreadable(&rejection),
    }
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
        (status = 404, description = "No such published version: `\"NotFound\"`"),
        (status = 422, description = "An unreadable code or a version that is not a number: `{\"Invalid\":[]}`")
    ),
    tag = "catalogue"
)]
async fn get_item_version(
    State(state): State<AppState>,
    path: Result<Path<(String, i64)>, PathRejection>,
) -> Response {
    match path {
        Ok(Path((code, version))) => {
            answer(catalogue::item_guide_version(&state, &code, Some(version)).await)
        }
        Err(rejection) => unreadable(&rejection),
    }
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
        (status = 404, description = "No published bundle with this code: `\"NotFound\"`"),
        (status = 422, description = "An unreadable code (not UTF-8): `{\"Invalid\":[]}`")
    ),
    tag = "catalogue"
)]
async fn get_bundle(
    State(state): State<AppState>,
    code: Result<Path<String>, PathRejection>,
) -> Response {
    match code {
        Ok(Path(code)) => answer(catalogue::bundle_guide(&state, &code).await),
        Err(rejection) => unreadable(&rejection),
    }
}

/// The query of a verification.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub struct VerifyQuery {
    /// The token of the licence's QR code, or the whole scanned URL.
    pub token: String,
}

/// Verifies a licence token: `valid`, `revoked` (since when, why), `expired` or
/// `not_authentic`. Anything that is not an authentic token — forged, truncated, edited,
/// signed by another key — answers 200 with `not_authentic`, never an error.
#[utoipa::path(
    get,
    path = "/api/v1/licences/verify",
    params(VerifyQuery),
    responses((status = 200, description = "What the token proves", body = Verification)),
    tag = "licences"
)]
async fn verify_licence(
    State(state): State<AppState>,
    query: Result<Query<VerifyQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let token = query.map(|Query(query)| query.token).unwrap_or_default();
    answer(issuance::verify_token(&state, &token).await)
}

/// The query of the approvals feed.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub struct FeedQuery {
    /// The last `id` already consumed (0 for the beginning).
    #[serde(default)]
    pub since: i64,
}

/// Approvals in order (批管同步), 100 per page, after the cursor `since`. Needs an API token of
/// scope `approvals_feed` as `Authorization: Bearer …` (created by an administrator).
#[utoipa::path(
    get,
    path = "/api/v1/feed/approvals",
    params(FeedQuery),
    security(("api_token" = [])),
    responses(
        (status = 200, description = "The next approvals and the next cursor", body = FeedPage),
        (status = 401, description = "No valid API token: `\"Unauthenticated\"`"),
        (status = 422, description = "An unreadable `since` (not a number): `{\"Invalid\":[]}`")
    ),
    tag = "feed"
)]
async fn approvals_feed(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<FeedQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let query = match query {
        Ok(Query(query)) => query,
        Err(rejection) => return unreadable(&rejection),
    };
    let bearer = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .unwrap_or("");
    if bearer.is_empty() {
        return app::backend::http::error_response(&AppError::Unauthenticated);
    }
    answer(issuance::approvals_feed(&state, bearer, query.since).await)
}

/// The licence issuer's public keys (JWKS, Ed25519), for verifying licences offline.
async fn jwks(State(state): State<AppState>) -> Response {
    Json(state.issuer.jwks()).into_response()
}

struct ApiTokenScheme;

impl utoipa::Modify for ApiTokenScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        if let Some(components) = openapi.components.as_mut() {
            components.add_security_scheme(
                "api_token",
                SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
            );
        }
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "不见面审批 open data",
        description = "The published service catalogue (事项清单) of the district, without login."
    ),
    paths(
        list_items,
        get_item,
        get_item_version,
        list_bundles,
        get_bundle,
        verify_licence,
        approvals_feed
    ),
    modifiers(&ApiTokenScheme),
    tags(
        (name = "catalogue", description = "Service items, guides and bundles"),
        (name = "licences", description = "Verification of electronic licences"),
        (name = "feed", description = "Approvals for the enforcement platform")
    )
)]
pub struct OpenDataApi;

async fn openapi_json() -> Response {
    Json(OpenDataApi::openapi()).into_response()
}

/// The `/api/v1` routes and the issuer's keys.
pub fn routes() -> Vec<crate::HttpRoute> {
    use crate::HttpRoute;
    vec![
        HttpRoute::get("/api/v1/items", list_items),
        HttpRoute::get("/api/v1/items/{code}", get_item),
        HttpRoute::get("/api/v1/items/{code}/versions/{version}", get_item_version),
        HttpRoute::get("/api/v1/bundles", list_bundles),
        HttpRoute::get("/api/v1/bundles/{code}", get_bundle),
        HttpRoute::get("/api/v1/licences/verify", verify_licence),
        HttpRoute::get("/api/v1/feed/approvals", approvals_feed),
        HttpRoute::get("/.well-known/jwks.json", jwks),
        HttpRoute::get("/api/v1/openapi.json", openapi_json),
    ]
}
