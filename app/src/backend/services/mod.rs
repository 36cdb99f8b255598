//! Services: the use cases behind the server functions and the CLI. Each takes the state and an
//! actor, validates input completely before writing, and performs every state change in one
//! transaction together with its audit entry.

pub mod accounts;
pub mod applications;
pub mod back_office;
pub mod catalogue;
pub mod catalogue_admin;
pub mod commitments;
pub mod credit;
pub mod identity;
pub mod issuance;
pub mod kept_at_revision;
pub mod limits;
pub mod staff;
pub mod statistics;
pub mod supervision;

pub use crate::backend::error::{ServiceError, ServiceResult};

/// Turns a list of field problems into the API's 422, or does nothing when there are none.
pub fn ensure_valid(errors: crate::domain::field::FieldErrors) -> ServiceResult<()> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(crate::api::AppError::Invalid(errors.into_vec()).into())
    }
}

/// Inserts an account. A login that exists already is the user's 409 naming the field (the
/// unique constraint decides, so two simultaneous registrations cannot both succeed).
pub async fn insert_account(
    conn: &mut sqlx::AnyConnection,
    user: crate::backend::db::accounts::NewUser<'_>,
) -> ServiceResult<i64> {
    use crate::domain::{Field, FieldError, Problem};
    match crate::backend::db::accounts::insert(conn, user).await {
        Ok(id) => Ok(id),
        Err(crate::backend::db::DbError::UniqueViolation { .. }) => {
            Err(crate::api::AppError::Conflict(vec![FieldError::new(
                Field::Login,
                Problem::AlreadyRegistered,
            )])
            .into())
        }
        Err(other) => Err(other.into()),
    }
}
