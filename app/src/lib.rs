//! 不见面审批 — the application crate.
//!
//! - [`domain`]: plain types that cannot hold invalid data (browser and server).
//! - [`i18n`]: every user-visible string, Chinese first, English second.
//! - [`access`]: who may use which page and server function.
//! - [`api`]: shared data types, the API error, and the server functions.
//! - [`ui`]: the Leptos components and pages.
//! - `backend` (feature `ssr` only): configuration, database, authentication, services.
#![recursion_limit = "256"]

pub mod access;
pub mod api;
pub mod domain;
pub mod i18n;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod backend;

pub use ui::{App, shell};

/// Entry point of the browser build: attaches the reactive UI to the server-rendered HTML.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(App);
}
