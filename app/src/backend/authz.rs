//! The context of one server-function call or page render, and the single place where access is
//! checked: [`server_fn_refusal`] before a call's arguments are read, `ctx.require(access)`
//! before any service runs, and `ctx.finish(result)` to map the outcome to the API error with
//! its HTTP status.

use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;

use super::AppState;
use super::auth::session::{ClientInfo, CurrentUser};
use super::error::ServiceResult;
use crate::access::Access;
use crate::api::AppError;

/// What the session middleware attached to the request.
#[derive(Debug, Clone, Default)]
pub struct RequestAuth(pub Option<CurrentUser>);

/// The access rule applied to a caller: 401 for visitors and 403 for other roles when refused.
/// Server functions use it through [`RequestCtx::require`]; plain HTTP handlers directly.
pub fn check(user: Option<&CurrentUser>, access: Access) -> Result<(), AppError> {
    if access.allows(user.map(|user| user.role)) {
        Ok(())
    } else if user.is_none() {
        Err(AppError::Unauthenticated)
    } else {
        Err(AppError::Forbidden)
    }
}

/// Why a call of the server function at `path` (`/api/<endpoint>`) must not run, judged by the
/// endpoint's rule in [`crate::access::SERVER_FNS`] alone, before its arguments are read:
/// otherwise a caller without the right role would learn from a 422 whether their input was
/// valid, and their bytes would be parsed for nothing. An endpoint without a rule is not found.
/// Paths outside `/api/`, and the JSON API under `/api/v1/`, are not server functions: `None`.
pub fn server_fn_refusal(path: &str, auth: Option<&RequestAuth>) -> Option<AppError> {
    let endpoint = path.strip_prefix("/api/")?;
    if endpoint.starts_with("v1/") {
        return None;
    }
    let Some(access) = crate::access::server_fn_access(endpoint) else {
        return Some(AppError::NotFound);
    };
    let role = auth.and_then(|auth| auth.0.as_ref()).map(|user| user.role);
    if access.allows(role) {
        None
    } else if role.is_none() {
        Some(AppError::Unauthenticated)
    } else {
        Some(AppError::Forbidden)
    }
}

pub struct RequestCtx {
    pub state: AppState,
    pub client: ClientInfo,
    pub user: Option<CurrentUser>,
    response: Option<ResponseOptions>,
}

impl RequestCtx {
    /// Reads the request's state, client and session from the Leptos context.
    pub fn current() -> Result<Self, AppError> {
        let state = use_context::<AppState>().ok_or_else(|| {
            tracing::error!("AppState missing from the Leptos context");
            AppError::Internal
        })?;
        let parts = use_context::<http::request::Parts>();
        let user = parts
            .as_ref()
            .and_then(|parts| parts.extensions.get::<RequestAuth>())
            .and_then(|auth| auth.0.clone());
        let client = parts
            .as_ref()
            .and_then(|parts| parts.extensions.get::<ClientInfo>())
            .cloned()
            .unwrap_or_default();
        Ok(Self {
            state,
            client,
            user,
            response: use_context::<ResponseOptions>(),
        })
    }

    /// Checks the access rule; gives the signed-in user when the rule needs one.
    pub fn require(&self, access: Access) -> Result<Option<&CurrentUser>, AppError> {
        match check(self.user.as_ref(), access) {
            Ok(()) => Ok(self.user.as_ref()),
            Err(error) => {
                self.set_status(error.status());
                Err(error)
            }
        }
    }

    /// Like [`Self::require`] for rules that need a signed-in user.
    pub fn require_user(&self, access: Access) -> Result<&CurrentUser, AppError> {
        match self.require(access)? {
            Some(user) => Ok(user),
            None => {
                self.set_status(401);
                Err(AppError::Unauthenticated)
            }
        }
    }

    /// Maps a service result to the API result and sets the HTTP status of an error.
    pub fn finish<T>(&self, result: ServiceResult<T>) -> Result<T, AppError> {
        result.map_err(|error| {
            let error = AppError::from(error);
            self.set_status(error.status());
            error
        })
    }

    pub fn set_status(&self, status: u16) {
        if let (Some(response), Ok(status)) = (&self.response, http::StatusCode::from_u16(status)) {
            response.set_status(status);
        }
    }

    pub fn append_set_cookie(&self, value: &str) {
        if let (Some(response), Ok(value)) = (&self.response, http::HeaderValue::from_str(value)) {
            response.append_header(http::header::SET_COOKIE, value);
        }
    }

    pub fn audit_actor(&self) -> super::audit::Actor {
        match &self.user {
            Some(user) => super::audit::Actor::user(user.user_id, self.client.ip.clone()),
            None => super::audit::Actor {
                user_id: None,
                label: "anonymous".into(),
                ip: self.client.ip.clone(),
            },
        }
    }
}
