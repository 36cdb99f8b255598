//! Errors of the service layer and their single mapping to [`AppError`] (status + user message).
//! Internal detail is logged here and never sent to the browser.

use crate::api::AppError;

use super::db::DbError;

/// Errors below the API: everything a service can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// A user-facing refusal that already has its API form (validation, auth, rate limit…).
    #[error(transparent)]
    Refused(#[from] AppError),
    #[error("database: {0}")]
    Db(#[from] DbError),
    #[error("infrastructure: {0:#}")]
    Infrastructure(#[from] anyhow::Error),
}

impl From<ServiceError> for AppError {
    fn from(error: ServiceError) -> Self {
        match error {
            ServiceError::Refused(app_error) => app_error,
            ServiceError::Db(DbError::NotFound) => AppError::NotFound,
            ServiceError::Db(error @ DbError::StorageUnavailable(_)) => {
                tracing::error!(%error, "database cannot write");
                AppError::StorageUnavailable
            }
            ServiceError::Db(error @ DbError::Unreachable(_)) => {
                tracing::error!(%error, "database unreachable");
                AppError::Unavailable
            }
            ServiceError::Db(other) => {
                tracing::error!(error = %other, "database error");
                AppError::Internal
            }
            ServiceError::Infrastructure(other)
                if other.chain().any(|cause| {
                    cause
                        .downcast_ref::<std::io::Error>()
                        .is_some_and(super::db::is_storage_io_error)
                }) =>
            {
                tracing::error!(error = %format!("{other:#}"), "file storage cannot write");
                AppError::StorageUnavailable
            }
            ServiceError::Infrastructure(other)
                if matches!(
                    other.downcast_ref::<super::storage::StorageError>(),
                    Some(super::storage::StorageError::Unavailable { .. })
                ) =>
            {
                tracing::error!(error = %format!("{other:#}"), "file store unavailable");
                AppError::Unavailable
            }
            ServiceError::Infrastructure(other) => {
                tracing::error!(error = %format!("{other:#}"), "infrastructure error");
                AppError::Internal
            }
        }
    }
}

pub type ServiceResult<T> = Result<T, ServiceError>;

impl From<sqlx::Error> for ServiceError {
    fn from(error: sqlx::Error) -> Self {
        ServiceError::Db(DbError::from(error))
    }
}
