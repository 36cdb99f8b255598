//! The shared state every request handler and server function reaches through context.

use std::sync::Arc;

use super::auth::keys::{RecordKey, SessionKeys};
use super::storage::FileStore;
use super::{Config, db::Db};

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    pub keys: Arc<SessionKeys>,
    /// Countersigns records (commitment signatures) and binds applicants' keys.
    pub record_key: Arc<RecordKey>,
    /// Signs licence verification tokens; its public keys are the JWKS.
    pub issuer: Arc<super::auth::issuer::IssuerKeys>,
    /// PDF documents (the Chinese font is read on first use).
    pub pdf: Arc<super::pdf::PdfRenderer>,
    /// Uploaded files (the local directory store unless configured otherwise).
    pub files: Arc<dyn FileStore>,
    /// Prometheus metrics (`/metrics`), one registry per state.
    pub metrics: Arc<super::metrics::Metrics>,
    /// The working calendar as last read, for the submissions (see its revision check).
    pub calendar: Arc<super::services::back_office::CalendarCache>,
    /// What applicants apply for, parsed, as last read, for the submissions (see its revision
    /// check).
    pub targets: Arc<super::services::applications::TargetCache>,
    pub leptos_options: leptos::config::LeptosOptions,
}

impl axum::extract::FromRef<AppState> for leptos::config::LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
