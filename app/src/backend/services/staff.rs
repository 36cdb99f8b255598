//! Staff administration: creating staff accounts, changing a role, removing a person. Used by
//! the admin page and by the server's CLI. Role changes and removals revoke the person's
//! sessions in the same transaction.

use serde_json::json;

use super::{ServiceResult, ensure_valid};
use crate::api::{AppError, Organisation, StaffMember};
use crate::backend::audit::{self, Actor};
use crate::backend::auth::password;
use crate::backend::db::{DbError, accounts, org, sessions};
use crate::backend::{AppState, now_ms};
use crate::domain::field::FieldErrors;
use crate::domain::role::Binding;
use crate::domain::{Field, FieldError, LoginId, NewPassword, PersonName, Problem, Role};

/// A staff account as typed into the admin form or the CLI.
pub struct NewStaff<'a> {
    pub login: &'a str,
    pub display_name: &'a str,
    pub role: &'a str,
    pub department_id: Option<i64>,
    pub service_centre_id: Option<i64>,
    pub initial_password: &'a str,
}

/// Checks that a role's binding is given exactly when it needs one and that it exists.
async fn check_binding(
    state: &AppState,
    errors: &mut FieldErrors,
    role: Option<Role>,
    department_id: Option<i64>,
    service_centre_id: Option<i64>,
) -> ServiceResult<()> {
    let Some(role) = role else { return Ok(()) };
    let mut conn = state.db.read().await?;
    match (role.binding(), department_id) {
        (Binding::Department, None) => {
            errors.push(FieldError::new(Field::Department, Problem::MissingBinding))
        }
        (Binding::Department, Some(id)) if !org::department_exists(&mut conn, id).await? => {
            errors.push(FieldError::new(Field::Department, Problem::UnknownChoice))
        }
        (Binding::Department, Some(_)) => {}
        (_, Some(_)) => errors.push(FieldError::new(
            Field::Department,
            Problem::UnexpectedBinding,
        )),
        (_, None) => {}
    }
    match (role.binding(), service_centre_id) {
        (Binding::ServiceCentre, None) => errors.push(FieldError::new(
            Field::ServiceCentre,
            Problem::MissingBinding,
        )),
        (Binding::ServiceCentre, Some(id)) if !org::centre_exists(&mut conn, id).await? => errors
            .push(FieldError::new(
                Field::ServiceCentre,
                Problem::UnknownChoice,
            )),
        (Binding::ServiceCentre, Some(_)) => {}
        (_, Some(_)) => errors.push(FieldError::new(
            Field::ServiceCentre,
            Problem::UnexpectedBinding,
        )),
        (_, None) => {}
    }
    Ok(())
}

fn parse_staff_role(input: &str) -> Result<Role, Problem> {
    match Role::parse(input) {
        Ok(role) if role.is_staff() => Ok(role),
        Ok(_) => Err(Problem::UnknownChoice),
        Err(_) if input.trim().is_empty() => Err(Problem::Required),
        Err(problem) => Err(problem),
    }
}

/// Creates a staff account. The person enrols their authenticator at first sign-in, unless a
/// TOTP secret is given (demo accounts).
pub async fn create(
    state: &AppState,
    actor: &Actor,
    input: NewStaff<'_>,
    totp_secret: Option<&str>,
) -> ServiceResult<i64> {
    let mut errors = FieldErrors::new();
    let login = errors.check(Field::Login, LoginId::parse(input.login));
    let name = errors.check(Field::DisplayName, PersonName::parse(input.display_name));
    let role = errors.check(Field::Role, parse_staff_role(input.role));
    let password = errors.check(
        Field::Password,
        NewPassword::parse(input.initial_password, login.as_ref().map(LoginId::as_str)),
    );
    check_binding(
        state,
        &mut errors,
        role,
        input.department_id,
        input.service_centre_id,
    )
    .await?;
    ensure_valid(errors)?;
    let (Some(login), Some(name), Some(role), Some(password)) = (login, name, role, password)
    else {
        return Err(AppError::Internal.into());
    };
    let hash = password::hash(password.expose().to_owned()).await?;
    let now = now_ms();
    let mut tx = state.db.begin_write().await?;
    let user_id = super::insert_account(
        &mut tx,
        accounts::NewUser {
            login: &login,
            display_name: name.as_str(),
            password_hash: &hash,
            role,
            department_id: input.department_id,
            service_centre_id: input.service_centre_id,
            totp_secret,
            totp_enrolled_at: totp_secret.map(|_| now),
            now,
        },
    )
    .await?;
    audit::record(&mut tx, actor,
        "staff.create",
        &format!("user:{user_id}"),
        json!({ "role": role.code(), "department_id": input.department_id, "service_centre_id": input.service_centre_id })).await?;
    tx.commit().await?;
    Ok(user_id)
}

/// The staff account with this id; applicants' accounts are not managed here (404).
async fn find_staff(
    conn: &mut sqlx::AnyConnection,
    user_id: i64,
) -> ServiceResult<accounts::UserRow> {
    match accounts::find_by_id(conn, user_id).await? {
        Some(row) if row.role()?.is_staff() => Ok(row),
        _ => Err(DbError::NotFound.into()),
    }
}

/// Changes a staff member's role (and binding) and signs them out everywhere.
pub async fn change_role(
    state: &AppState,
    actor: &Actor,
    user_id: i64,
    role: &str,
    department_id: Option<i64>,
    service_centre_id: Option<i64>,
) -> ServiceResult<()> {
    let mut errors = FieldErrors::new();
    // Only staff roles: an applicant's self-registered account never becomes staff.
    let role = errors.check(Field::Role, parse_staff_role(role));
    check_binding(state, &mut errors, role, department_id, service_centre_id).await?;
    if actor.user_id == Some(user_id) {
        // An admin demoting themselves could leave the district without an administrator.
        errors.push(FieldError::new(Field::Role, Problem::UnknownChoice));
    }
    ensure_valid(errors)?;
    let Some(role) = role else {
        return Err(AppError::Internal.into());
    };
    let now = now_ms();
    let mut tx = state.db.begin_write().await?;
    let existing = find_staff(&mut tx, user_id).await?;
    accounts::set_role(
        &mut tx,
        user_id,
        role,
        department_id,
        service_centre_id,
        now,
    )
    .await?;
    let revoked = sessions::revoke_all_for_user(&mut tx, user_id, None, now).await?;
    audit::record(
        &mut tx,
        actor,
        "staff.role_changed",
        &format!("user:{user_id}"),
        json!({ "from": existing.role, "to": role.code(), "sessions_revoked": revoked }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Removes a staff member: they can no longer sign in, and their sessions end at once.
pub async fn remove(state: &AppState, actor: &Actor, user_id: i64) -> ServiceResult<()> {
    if actor.user_id == Some(user_id) {
        return Err(AppError::Forbidden.into());
    }
    let now = now_ms();
    let mut tx = state.db.begin_write().await?;
    find_staff(&mut tx, user_id).await?;
    accounts::mark_removed(&mut tx, user_id, now).await?;
    let revoked = sessions::revoke_all_for_user(&mut tx, user_id, None, now).await?;
    audit::record(
        &mut tx,
        actor,
        "staff.removed",
        &format!("user:{user_id}"),
        json!({ "sessions_revoked": revoked }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn list(state: &AppState) -> ServiceResult<Vec<StaffMember>> {
    let mut conn = state.db.read().await?;
    Ok(accounts::list_staff(&mut conn).await?)
}

pub async fn organisation(state: &AppState) -> ServiceResult<Organisation> {
    let mut conn = state.db.read().await?;
    Ok(org::list(&mut conn).await?)
}
