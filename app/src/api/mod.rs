//! The API of the portal: shared data types, the error type, and the server functions the UI
//! calls. Each server function is thin: context → authorize → service → map error. Endpoints
//! are fixed (`/api/...`) so that tests and other clients can call them.

mod applicant;
mod applicant_types;
mod back_office;
mod back_office_types;
mod catalogue_editor;
mod catalogue_types;
mod error;
mod issuance;
mod issuance_types;
mod statistics;
mod statistics_types;
mod types;

pub use applicant::*;
pub use applicant_types::*;
pub use back_office::*;
pub use back_office_types::*;
pub use catalogue_editor::*;
pub use catalogue_types::*;
pub use error::AppError;
pub use issuance::*;
pub use issuance_types::*;
pub use statistics::*;
pub use statistics_types::*;
pub use types::*;

use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::backend::authz::RequestCtx;

/// Sets the session cookies of a newly started session.
#[cfg(feature = "ssr")]
fn set_session_cookies(ctx: &RequestCtx, started: &crate::backend::auth::session::StartedSession) {
    use crate::backend::auth::cookies;
    let config = &ctx.state.config;
    let names = cookies::names(config);
    ctx.append_set_cookie(&cookies::set_cookie(
        config,
        names.access,
        &started.access_token,
        config.access_token_secs,
    ));
    ctx.append_set_cookie(&cookies::set_cookie(
        config,
        names.refresh,
        &started.refresh_token,
        config.session_secs,
    ));
}

/// The signed-in user, or `None` for visitors. Never fails for a missing session.
#[server(endpoint = "session/current")]
pub async fn current_user() -> Result<Option<SessionUser>, AppError> {
    let ctx = RequestCtx::current()?;
    match ctx.user.clone() {
        None => Ok(None),
        Some(user) => ctx
            .finish(crate::backend::services::accounts::session_user(&ctx.state, &user).await)
            .map(Some),
    }
}

/// The signed-in user; 401 without a valid session.
#[server(endpoint = "session/whoami")]
pub async fn whoami() -> Result<SessionUser, AppError> {
    let ctx = RequestCtx::current()?;
    let user = ctx.require_user(crate::access::Access::SignedIn)?.clone();
    ctx.finish(crate::backend::services::accounts::session_user(&ctx.state, &user).await)
}

/// Registers an applicant account and signs it in; returns the workspace path.
#[server(endpoint = "auth/register")]
pub async fn register(
    login: String,
    display_name: String,
    password: String,
) -> Result<String, AppError> {
    let ctx = RequestCtx::current()?;
    ctx.require(crate::access::Access::Public)?;
    let (started, role) = ctx.finish(
        crate::backend::services::accounts::register(
            &ctx.state,
            &ctx.client,
            &login,
            &display_name,
            &password,
        )
        .await,
    )?;
    set_session_cookies(&ctx, &started);
    Ok(role.home_path().to_owned())
}

/// First sign-in step: login and password.
#[server(endpoint = "auth/login")]
pub async fn login(login: String, password: String) -> Result<LoginOutcome, AppError> {
    let ctx = RequestCtx::current()?;
    ctx.require(crate::access::Access::Public)?;
    let (outcome, started) = ctx.finish(
        crate::backend::services::accounts::login(&ctx.state, &ctx.client, &login, &password).await,
    )?;
    if let Some(started) = started {
        set_session_cookies(&ctx, &started);
    }
    Ok(outcome)
}

/// Second sign-in step for staff: the TOTP code.
#[server(endpoint = "auth/totp")]
pub async fn login_totp(challenge: String, code: String) -> Result<String, AppError> {
    let ctx = RequestCtx::current()?;
    ctx.require(crate::access::Access::Public)?;
    let (started, role) = ctx.finish(
        crate::backend::services::accounts::login_second_factor(
            &ctx.state,
            &ctx.client,
            &challenge,
            &code,
        )
        .await,
    )?;
    set_session_cookies(&ctx, &started);
    Ok(role.home_path().to_owned())
}

/// Ends the session and deletes its cookies.
#[server(endpoint = "auth/logout")]
pub async fn logout() -> Result<(), AppError> {
    use crate::backend::auth::cookies;
    let ctx = RequestCtx::current()?;
    let user = ctx.require_user(crate::access::Access::SignedIn)?.clone();
    ctx.finish(crate::backend::services::accounts::logout(&ctx.state, &ctx.client, &user).await)?;
    let names = cookies::names(&ctx.state.config);
    ctx.append_set_cookie(&cookies::set_cookie(&ctx.state.config, names.access, "", 0));
    ctx.append_set_cookie(&cookies::set_cookie(
        &ctx.state.config,
        names.refresh,
        "",
        0,
    ));
    Ok(())
}

/// Changes the password; other sessions of the account end.
#[server(endpoint = "account/password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
) -> Result<(), AppError> {
    let ctx = RequestCtx::current()?;
    let user = ctx.require_user(crate::access::Access::SignedIn)?.clone();
    ctx.finish(
        crate::backend::services::accounts::change_password(
            &ctx.state,
            &ctx.client,
            &user,
            &current_password,
            &new_password,
        )
        .await,
    )
}

/// Demo logins with current codes; empty unless the server runs in demo mode.
#[server(endpoint = "demo/logins")]
pub async fn demo_logins() -> Result<Vec<DemoLogin>, AppError> {
    let ctx = RequestCtx::current()?;
    ctx.require(crate::access::Access::Public)?;
    if !ctx.state.config.demo {
        return Ok(Vec::new());
    }
    ctx.finish(crate::backend::demo::logins(&ctx.state).await)
}

/// The demo population registry; empty unless the server runs in demo mode.
#[server(endpoint = "demo/people")]
pub async fn demo_people() -> Result<Vec<DemoPerson>, AppError> {
    let ctx = RequestCtx::current()?;
    ctx.require(crate::access::Access::Public)?;
    if !ctx.state.config.demo {
        return Ok(Vec::new());
    }
    Ok(crate::backend::demo::people())
}

/// Departments and service centres (staff only).
#[server(endpoint = "admin/organisation")]
pub async fn load_organisation() -> Result<Organisation, AppError> {
    let ctx = RequestCtx::current()?;
    ctx.require_user(crate::access::ADMINS)?;
    ctx.finish(crate::backend::services::staff::organisation(&ctx.state).await)
}

/// Every staff account.
#[server(endpoint = "admin/staff/list")]
pub async fn list_staff() -> Result<Vec<StaffMember>, AppError> {
    let ctx = RequestCtx::current()?;
    ctx.require_user(crate::access::ADMINS)?;
    ctx.finish(crate::backend::services::staff::list(&ctx.state).await)
}

/// Creates a staff account; returns its id. Empty department / centre means none.
#[server(endpoint = "admin/staff/create")]
pub async fn create_staff(
    login: String,
    display_name: String,
    role: String,
    department_id: String,
    service_centre_id: String,
    initial_password: String,
) -> Result<i64, AppError> {
    use crate::backend::services::staff::{self, NewStaff};
    let ctx = RequestCtx::current()?;
    ctx.require_user(crate::access::ADMINS)?;
    let (department_id, service_centre_id) =
        form_bindings(&ctx, &department_id, &service_centre_id)?;
    ctx.finish(
        staff::create(
            &ctx.state,
            &ctx.audit_actor(),
            NewStaff {
                login: &login,
                display_name: &display_name,
                role: &role,
                department_id,
                service_centre_id,
                initial_password: &initial_password,
            },
            None,
        )
        .await,
    )
}

/// Changes a staff member's role and binding; their sessions end at once.
#[server(endpoint = "admin/staff/role")]
pub async fn change_staff_role(
    user_id: i64,
    role: String,
    department_id: String,
    service_centre_id: String,
) -> Result<(), AppError> {
    let ctx = RequestCtx::current()?;
    ctx.require_user(crate::access::ADMINS)?;
    let (department_id, service_centre_id) =
        form_bindings(&ctx, &department_id, &service_centre_id)?;
    ctx.finish(
        crate::backend::services::staff::change_role(
            &ctx.state,
            &ctx.audit_actor(),
            user_id,
            &role,
            department_id,
            service_centre_id,
        )
        .await,
    )
}

/// Removes a staff member; their sessions end at once.
#[server(endpoint = "admin/staff/remove")]
pub async fn remove_staff(user_id: i64) -> Result<(), AppError> {
    let ctx = RequestCtx::current()?;
    ctx.require_user(crate::access::ADMINS)?;
    ctx.finish(
        crate::backend::services::staff::remove(&ctx.state, &ctx.audit_actor(), user_id).await,
    )
}

/// The department and service-centre ids of a staff form (empty select = none); both problems
/// at once when neither is a number.
#[cfg(feature = "ssr")]
fn form_bindings(
    ctx: &RequestCtx,
    department_id: &str,
    service_centre_id: &str,
) -> Result<(Option<i64>, Option<i64>), AppError> {
    use crate::domain::Field;
    match (
        parse_optional_id(department_id, Field::Department),
        parse_optional_id(service_centre_id, Field::ServiceCentre),
    ) {
        (Ok(department), Ok(centre)) => Ok((department, centre)),
        (department, centre) => {
            let error = AppError::Invalid(
                [department.err(), centre.err()]
                    .into_iter()
                    .flatten()
                    .collect(),
            );
            ctx.set_status(error.status());
            Err(error)
        }
    }
}

/// Parses an optional id from a form select: empty means none.
#[cfg(feature = "ssr")]
fn parse_optional_id(
    input: &str,
    field: crate::domain::Field,
) -> Result<Option<i64>, crate::domain::FieldError> {
    let input = input.trim();
    if input.is_empty() {
        return Ok(None);
    }
    input
        .parse::<i64>()
        .map(Some)
        .map_err(|_| crate::domain::FieldError::new(field, crate::domain::Problem::UnknownChoice))
}

/// Published items matching a search (public).
#[server(endpoint = "catalogue/search")]
pub async fn search_catalogue(query: CatalogueQuery) -> Result<CatalogueSearchResult, AppError> {
    let ctx = RequestCtx::current()?;
    ctx.require(crate::access::Access::Public)?;
    ctx.finish(crate::backend::services::catalogue::search(&ctx.state, &query).await)
}

/// The guide of an item's current (or an earlier published) version (public).
#[server(endpoint = "catalogue/item")]
pub async fn load_item_guide(code: String, version: Option<i64>) -> Result<ItemGuide, AppError> {
    let ctx = RequestCtx::current()?;
    ctx.require(crate::access::Access::Public)?;
    ctx.finish(
        crate::backend::services::catalogue::item_guide_version(&ctx.state, &code, version).await,
    )
}

/// The guide of a bundle (public).
#[server(endpoint = "catalogue/bundle")]
pub async fn load_bundle_guide(code: String) -> Result<BundleGuide, AppError> {
    let ctx = RequestCtx::current()?;
    ctx.require(crate::access::Access::Public)?;
    ctx.finish(crate::backend::services::catalogue::bundle_guide(&ctx.state, &code).await)
}

/// The departments, for the catalogue page's filter (public).
#[server(endpoint = "catalogue/departments")]
pub async fn catalogue_departments() -> Result<Vec<Department>, AppError> {
    let ctx = RequestCtx::current()?;
    ctx.require(crate::access::Access::Public)?;
    let organisation =
        ctx.finish(crate::backend::services::staff::organisation(&ctx.state).await)?;
    Ok(organisation.departments)
}
