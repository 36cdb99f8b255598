//! Account use cases: applicant registration, sign-in with the staff second factor, sign-out,
//! password change, and the signed-in user's own view.

use serde_json::json;

use super::{ServiceResult, ensure_valid, limits};
use crate::api::{AppError, LoginOutcome, SessionUser};
use crate::backend::audit::{self, Actor};
use crate::backend::auth::session::{self, ClientInfo, CurrentUser, StartedSession};
use crate::backend::auth::{password, totp};
use crate::backend::db::{DbError, accounts, sessions};
use crate::backend::{AppState, now_ms, random_token};
use crate::domain::field::FieldErrors;
use crate::domain::{Field, FieldError, LoginId, NewPassword, PersonName, Problem, Role, TotpCode};

/// How long the second-factor step may take after a correct password.
const CHALLENGE_MS: i64 = 5 * 60_000;
/// Wrong codes allowed per challenge.
const CHALLENGE_ATTEMPTS: i64 = 5;

/// Starts a session inside `tx` and records it in the audit log.
async fn start_recorded_session(
    tx: &mut sqlx::AnyConnection,
    state: &AppState,
    user_id: i64,
    client: &ClientInfo,
    second_factor: Option<&str>,
) -> ServiceResult<StartedSession> {
    let started = session::start(tx, state, user_id, client).await?;
    let actor = Actor::user(user_id, client.ip.clone());
    let detail = json!({ "session": &started.session_id[..8], "second_factor": second_factor });
    audit::record(
        tx,
        &actor,
        "session.start",
        &format!("user:{user_id}"),
        detail,
    )
    .await?;
    Ok(started)
}

/// Registers an applicant and signs them in.
pub async fn register(
    state: &AppState,
    client: &ClientInfo,
    login: &str,
    display_name: &str,
    new_password: &str,
) -> ServiceResult<(StartedSession, Role)> {
    let mut errors = FieldErrors::new();
    let login = errors.check(Field::Login, LoginId::parse(login));
    let name = errors.check(Field::DisplayName, PersonName::parse(display_name));
    let password = errors.check(
        Field::Password,
        NewPassword::parse(new_password, login.as_ref().map(LoginId::as_str)),
    );
    ensure_valid(errors)?;
    let (Some(login), Some(name), Some(password)) = (login, name, password) else {
        return Err(AppError::Internal.into());
    };
    limits::registration_from_ip(state, client.ip.as_deref()).await?;

    let hash = password::hash(password.expose().to_owned()).await?;
    let now = now_ms();
    let mut tx = state.db.begin_write().await?;
    let user_id = super::insert_account(
        &mut tx,
        accounts::NewUser {
            login: &login,
            display_name: name.as_str(),
            password_hash: &hash,
            role: Role::Applicant,
            department_id: None,
            service_centre_id: None,
            totp_secret: None,
            totp_enrolled_at: None,
            now,
        },
    )
    .await?;
    let actor = Actor::user(user_id, client.ip.clone());
    let detail = json!({ "login": login.masked() });
    audit::record(
        &mut tx,
        &actor,
        "account.register",
        &format!("user:{user_id}"),
        detail,
    )
    .await?;
    let started = start_recorded_session(&mut tx, state, user_id, client, None).await?;
    tx.commit().await?;
    Ok((started, Role::Applicant))
}

/// Checks login and password. Applicants are signed in; staff get a second-factor challenge.
pub async fn login(
    state: &AppState,
    client: &ClientInfo,
    login: &str,
    password_input: &str,
) -> ServiceResult<(LoginOutcome, Option<StartedSession>)> {
    let mut errors = FieldErrors::new();
    let login = errors.check(Field::Login, LoginId::parse(login));
    if password_input.is_empty() {
        errors.push(FieldError::new(Field::Password, Problem::Required));
    }
    ensure_valid(errors)?;
    let Some(login) = login else {
        return Err(AppError::Internal.into());
    };
    limits::login_attempt_from_ip(state, client.ip.as_deref()).await?;
    limits::ensure_login_not_locked(state, login.as_str()).await?;

    let user = {
        let mut conn = state.db.read().await?;
        accounts::find_by_login(&mut conn, login.as_str()).await?
    };
    let stored_hash = user
        .as_ref()
        .filter(|user| user.is_active())
        .map(|user| user.password_hash.clone());
    let matches = password::verify(password_input.to_owned(), stored_hash).await?;
    let user = match (matches, user) {
        (true, Some(user)) => user,
        _ => {
            limits::record_login_failure(state, login.as_str()).await?;
            return Err(AppError::BadCredentials.into());
        }
    };
    let role = user.role()?;
    let now = now_ms();
    let mut tx = state.db.begin_write().await?;
    let actor = Actor::user(user.id, client.ip.clone());
    let outcome = if !role.is_staff() {
        let started = start_recorded_session(&mut tx, state, user.id, client, None).await?;
        tx.commit().await?;
        return Ok((
            LoginOutcome::SignedIn {
                home: role.home_path().to_owned(),
            },
            Some(started),
        ));
    } else if user.totp_enrolled_at.is_some() {
        let challenge = random_token(24);
        sessions::insert_challenge(&mut tx, &challenge, user.id, None, now, now + CHALLENGE_MS)
            .await?;
        LoginOutcome::NeedTotp { challenge }
    } else {
        let challenge = random_token(24);
        let secret = totp::generate_secret();
        sessions::insert_challenge(
            &mut tx,
            &challenge,
            user.id,
            Some(&secret),
            now,
            now + CHALLENGE_MS,
        )
        .await?;
        let otpauth_uri = totp::provisioning_uri(&secret, &user.login)?;
        let qr_svg = totp::provisioning_qr_svg(&otpauth_uri)?;
        LoginOutcome::EnrolTotp {
            challenge,
            secret,
            otpauth_uri,
            qr_svg,
        }
    };
    audit::record(
        &mut tx,
        &actor,
        "login.password_ok",
        &format!("user:{}", user.id),
        json!({ "second_factor": "pending" }),
    )
    .await?;
    tx.commit().await?;
    Ok((outcome, None))
}

/// Completes a staff sign-in with the TOTP code (enrolling the authenticator on first use).
pub async fn login_second_factor(
    state: &AppState,
    client: &ClientInfo,
    challenge: &str,
    code: &str,
) -> ServiceResult<(StartedSession, Role)> {
    let mut errors = FieldErrors::new();
    let code = errors.check(Field::TotpCode, TotpCode::parse(code));
    ensure_valid(errors)?;
    let Some(code) = code else {
        return Err(AppError::Internal.into());
    };
    let now = now_ms();
    let unix_secs = u64::try_from(now / 1000).unwrap_or(0);

    // The attempt counter is committed on its own so that wrong codes are counted even though
    // the sign-in fails.
    let challenge_row = {
        let mut tx = state.db.begin_write().await?;
        let row = sessions::attempt_challenge(&mut tx, challenge).await?;
        tx.commit().await?;
        row
    };
    let Some(challenge_row) = challenge_row else {
        return Err(AppError::BadSecondFactor.into());
    };
    if challenge_row.used_at.is_some()
        || challenge_row.expires_at <= now
        || challenge_row.attempts >= CHALLENGE_ATTEMPTS
    {
        return Err(AppError::BadSecondFactor.into());
    }
    let user = {
        let mut conn = state.db.read().await?;
        accounts::find_by_id(&mut conn, challenge_row.user_id).await?
    };
    let Some(user) = user.filter(|user| user.is_active()) else {
        return Err(AppError::BadSecondFactor.into());
    };
    let enrolling = challenge_row.pending_secret.is_some();
    let Some(secret) = challenge_row
        .pending_secret
        .clone()
        .or_else(|| user.totp_secret.clone())
    else {
        return Err(AppError::BadSecondFactor.into());
    };
    let Some(step) = totp::matching_step(&secret, code.as_str(), unix_secs)? else {
        return Err(
            AppError::Invalid(vec![FieldError::new(Field::TotpCode, Problem::WrongCode)]).into(),
        );
    };

    let mut tx = state.db.begin_write().await?;
    if enrolling {
        accounts::enrol_totp(&mut tx, user.id, &secret, step, now).await?;
    } else if !accounts::claim_totp_step(&mut tx, user.id, step).await? {
        // The same code a second time: refused, so an observed code cannot be replayed.
        return Err(
            AppError::Invalid(vec![FieldError::new(Field::TotpCode, Problem::WrongCode)]).into(),
        );
    }
    sessions::mark_challenge_used(&mut tx, challenge, now).await?;
    if enrolling {
        let actor = Actor::user(user.id, client.ip.clone());
        let subject = format!("user:{}", user.id);
        audit::record(
            &mut tx,
            &actor,
            "account.totp_enrolled",
            &subject,
            json!({}),
        )
        .await?;
    }
    let started = start_recorded_session(&mut tx, state, user.id, client, Some("totp")).await?;
    tx.commit().await?;
    Ok((started, user.role()?))
}

/// Ends the current session.
pub async fn logout(
    state: &AppState,
    client: &ClientInfo,
    user: &CurrentUser,
) -> ServiceResult<()> {
    let now = now_ms();
    let mut tx = state.db.begin_write().await?;
    sessions::revoke(&mut tx, &user.session_id, now).await?;
    let actor = Actor::user(user.user_id, client.ip.clone());
    audit::record(
        &mut tx,
        &actor,
        "session.end",
        &format!("user:{}", user.user_id),
        json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Changes the password and signs out every other session of the account.
pub async fn change_password(
    state: &AppState,
    client: &ClientInfo,
    user: &CurrentUser,
    current: &str,
    new_password: &str,
) -> ServiceResult<()> {
    let row = {
        let mut conn = state.db.read().await?;
        accounts::find_by_id(&mut conn, user.user_id)
            .await?
            .ok_or(DbError::NotFound)?
    };
    let mut errors = FieldErrors::new();
    if current.is_empty() {
        errors.push(FieldError::new(Field::Password, Problem::Required));
    }
    let new_password = errors.check(
        Field::NewPassword,
        NewPassword::parse(new_password, Some(&row.login)),
    );
    ensure_valid(errors)?;
    let Some(new_password) = new_password else {
        return Err(AppError::Internal.into());
    };
    limits::ensure_login_not_locked(state, &row.login).await?;
    if !password::verify(current.to_owned(), Some(row.password_hash.clone())).await? {
        limits::record_login_failure(state, &row.login).await?;
        return Err(AppError::Invalid(vec![FieldError::new(
            Field::Password,
            Problem::WrongPassword,
        )])
        .into());
    }
    let hash = password::hash(new_password.expose().to_owned()).await?;
    let now = now_ms();
    let mut tx = state.db.begin_write().await?;
    accounts::set_password_hash(&mut tx, user.user_id, &hash, now).await?;
    let revoked =
        sessions::revoke_all_for_user(&mut tx, user.user_id, Some(&user.session_id), now).await?;
    let actor = Actor::user(user.user_id, client.ip.clone());
    audit::record(
        &mut tx,
        &actor,
        "account.password_changed",
        &format!("user:{}", user.user_id),
        json!({ "sessions_revoked": revoked }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The signed-in user's own view of their account.
pub async fn session_user(state: &AppState, user: &CurrentUser) -> ServiceResult<SessionUser> {
    let mut conn = state.db.read().await?;
    let member = accounts::with_org(&mut conn, user.user_id).await?;
    let login_masked = LoginId::parse(&member.login)
        .map(|id| id.masked())
        .unwrap_or_default();
    let unread_notifications = if member.role == Role::Applicant {
        crate::backend::db::notices::unread_count(&mut conn, user.user_id).await?
    } else {
        0
    };
    Ok(SessionUser {
        unread_notifications,
        id: member.id,
        display_name: member.display_name,
        role: member.role,
        login_masked,
        department: member.department,
        service_centre: member.service_centre,
    })
}
