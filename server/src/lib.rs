//! The 不见面审批 server: builds the application state from configuration and the axum router
//! that serves pages, server functions, static files and health checks. `main.rs` adds the CLI.
#![recursion_limit = "256"]

pub mod config;
pub mod open_data;

/// mimalloc instead of the system's allocator, for the server and everything built on this
/// library (its benchmarks and tests): the request threads free what the database threads
/// allocated and the other way round, and glibc's arenas made that a contended lock in the
/// submissions' write turn (docs/benchmarks.md, "mimalloc").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use app::backend::auth::keys::SessionKeys;
use app::backend::db::Db;
use app::backend::{AppState, Config, http as mw};
use axum::Router;
use axum::extract::State;
use axum::handler::Handler;
use axum::http::{Method, StatusCode};
use axum::middleware::{from_fn, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes as _, generate_route_list};
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;

/// Connects, migrates, loads keys and (in demo mode) seeds: everything a router needs.
pub async fn build_state(
    config: Config,
    session_key_pem: Option<String>,
    previous_public_keys: &[String],
    leptos_options: LeptosOptions,
) -> anyhow::Result<AppState> {
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("creating data directory {}", config.data_dir.display()))?;
    let db = Db::connect(&config.database_url).await?;
    db.migrate().await?;
    let issuer = config.token_issuer();
    let keys = SessionKeys::load(
        &config.data_dir,
        session_key_pem.as_deref(),
        previous_public_keys,
        issuer.clone(),
        issuer,
    )?;
    let files = app::backend::storage::from_config(&config)?;
    let record_key = app::backend::auth::keys::RecordKey::load(&config.data_dir)?;
    let pdf = Arc::new(app::backend::pdf::PdfRenderer::new(config.pdf_font.clone()));
    let issuer = app::backend::auth::issuer::IssuerKeys::load(
        &config.data_dir,
        config.licence_key.as_deref(),
    )?;
    let state = AppState {
        db,
        config: Arc::new(config),
        keys: Arc::new(keys),
        record_key: Arc::new(record_key),
        issuer: Arc::new(issuer),
        pdf,
        files,
        metrics: Arc::new(
            app::backend::metrics::Metrics::new().context("registering the metrics")?,
        ),
        calendar: Arc::default(),
        targets: Arc::default(),
        leptos_options,
    };
    if state.config.demo {
        app::backend::demo::seed(&state)
            .await
            .map_err(|error| anyhow::anyhow!("seeding demo data: {error}"))?;
    }
    Ok(state)
}

/// Leptos options for a site root and address (no `Cargo.toml` or environment needed).
pub fn leptos_options(site_root: &str, addr: std::net::SocketAddr) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("bjm")
        .site_root(site_root)
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .build()
}

async fn healthz() -> &'static str {
    "ok"
}

async fn readyz(State(state): State<AppState>) -> Response {
    if !state.db.ping().await {
        return (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response();
    }
    match state.db.migrations_applied().await {
        Ok(true) => (StatusCode::OK, "ready").into_response(),
        Ok(false) => (StatusCode::SERVICE_UNAVAILABLE, "migrations pending").into_response(),
        Err(error) => {
            tracing::error!(error = %format!("{error:#}"), "readiness check");
            (StatusCode::SERVICE_UNAVAILABLE, "database not ready").into_response()
        }
    }
}

/// A plain HTTP route (not a page): its method, path and handler. The router is built from
/// [`http_routes`] alone, so that list is the whole non-page surface, and tests enumerate it.
pub struct HttpRoute {
    pub method: Method,
    pub path: &'static str,
    handler: MethodRouter<AppState>,
}

impl HttpRoute {
    pub fn get<H, T>(path: &'static str, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        Self {
            method: Method::GET,
            path,
            handler: get(handler),
        }
    }

    pub fn post<H, T>(path: &'static str, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        Self {
            method: Method::POST,
            path,
            handler: post(handler),
        }
    }
}

/// Every plain HTTP route: health checks, the JSON API, file uploads and downloads, PDF
/// verification. Pages and server functions (`/api/…`, each with its rule in
/// [`app::access::SERVER_FNS`]) are added by Leptos.
pub fn http_routes() -> Vec<HttpRoute> {
    use app::backend::uploads;
    let mut routes = vec![
        HttpRoute::get("/healthz", healthz),
        HttpRoute::get("/readyz", readyz),
        HttpRoute::get("/metrics", app::backend::metrics::endpoint),
    ];
    routes.extend(open_data::routes());
    routes.extend([
        HttpRoute::post("/files/upload", uploads::upload),
        HttpRoute::get("/files/{id}", uploads::download),
        HttpRoute::post("/files/identity-photo", uploads::upload_identity_photo),
        HttpRoute::get("/files/identity/{id}", uploads::download_identity_photo),
        HttpRoute::get("/files/commitment/{id}", uploads::download_commitment_pdf),
        HttpRoute::get("/files/case-document/{id}", uploads::download_case_document),
        HttpRoute::get("/files/licence/{id}", uploads::download_licence),
        HttpRoute::post("/verify/pdf", uploads::verify_uploaded_pdf),
        HttpRoute::get("/statistics.csv", app::backend::statistics_http::public_csv),
        HttpRoute::get(
            "/admin/statistics.csv",
            app::backend::statistics_http::dashboard_csv,
        ),
    ]);
    routes
}

/// The page routes, generated once per process. Generating them runs the whole app with a
/// process-global flag set that suspends every resource first polled meanwhile, for good
/// (leptos issue #4773): a page rendered by another app of the same process at that moment
/// never finished (seen in the integration tests, where each test builds its own router: a page
/// of the authorization matrix answered 408 after 30 s, now and then, beside the other tests).
/// Generated once, before any router of the process exists, it cannot overlap a render.
pub fn page_routes() -> Vec<leptos_axum::AxumRouteListing> {
    static PAGE_ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> =
        std::sync::OnceLock::new();
    PAGE_ROUTES
        .get_or_init(|| generate_route_list(app::App))
        .clone()
}

/// The whole HTTP surface. Tests call this with their own state.
pub fn build_router(state: AppState) -> Router {
    let routes = page_routes();
    let leptos_options = state.leptos_options.clone();
    let page_state = state.clone();
    http_routes()
        .into_iter()
        .fold(Router::new(), |router, route| {
            router.route(route.path, route.handler)
        })
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(page_state.clone()),
            {
                let leptos_options = leptos_options.clone();
                move || app::shell(leptos_options.clone())
            },
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(
            app::shell,
        ))
        .layer(from_fn(mw::server_fn_gate))
        .layer(from_fn_with_state(state.clone(), mw::session_layer))
        .layer(from_fn_with_state(state.clone(), mw::same_origin_guard))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
                .on_request(())
                .on_response(
                    DefaultOnResponse::new()
                        .level(Level::INFO)
                        .latency_unit(tower_http::LatencyUnit::Micros),
                ),
        )
        .layer(from_fn_with_state(state.clone(), mw::security_headers))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        // Outermost, so the count and the latency include every layer (a timeout counts as
        // the 408 it answers).
        .layer(from_fn_with_state(
            state.clone(),
            app::backend::metrics::track,
        ))
        .with_state(state)
}
