//! Plain domain types shared by the browser and the server: no web, database or framework types.
//!
//! Every type here is "parse, don't validate": once you hold a value, it is valid. Parsing errors
//! are [`Problem`]s attached to a [`Field`], so the same rule gives the same translated message in
//! the browser (instant feedback) and on the server (the authority).

pub mod application;
pub mod back_office;
pub mod calendar;
pub mod case;
pub mod catalogue;
pub mod commitment;
pub mod contact;
pub mod credit_code;
pub mod field;
pub mod form_values;
pub mod licence;
pub mod material;
pub mod name;
pub mod password;
pub mod resident_id;
pub mod role;
pub mod statistics;
pub mod totp;

pub use case::{CaseNumber, CaseStatus, CreditLevel};
pub use contact::{EmailAddress, LoginId, PhoneNumber};
pub use credit_code::CreditCode;
pub use field::{Field, FieldError, Problem};
pub use name::PersonName;
pub use password::NewPassword;
pub use resident_id::ResidentId;
pub use role::Role;
pub use totp::TotpCode;
