//! Services: the use cases behind the server functions and the CLI. Each takes the state and an
//! actor, validates input completely before writing, and performs every state change in one
//! transaction together with its audit entry.

pub mod accounts;
pub mod limits;
pub mod staff;

pub use crate::backend::error::{ServiceError, ServiceResult};

/// Turns a list of field problems into the API's 422, or does nothing when there are none.
pub fn ensure_valid(errors: crate::domain::field::FieldErrors) -> ServiceResult<()> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(crate::api::AppError::Invalid(errors.into_vec()).into())
    }
}
