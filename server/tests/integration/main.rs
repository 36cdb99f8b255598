//! HTTP integration tests, one test binary (linking the server once instead of once per file).
//! The database backend comes from `BJM_TEST_BACKEND` (`sqlite`, the default, or `postgres` at
//! `TEST_DATABASE_URL`); `scripts/test.sh` runs the whole suite once per backend.

mod common;

mod accounts;
mod applicant_journey;
mod audit;
mod auth_tokens;
mod authorization;
mod authorization_matrix;
mod back_office;
mod case_state_machine;
mod catalogue;
mod catalogue_editor;
mod csrf_and_headers;
mod faults;
mod garbage_input;
mod health;
mod issuance;
mod mail_delivery;
mod materials;
mod metrics;
mod nodes;
mod object_store;
mod open_data;
mod second_factor;
mod statistics;
