//! The per-request session check and session start. A request is authenticated by a valid
//! access JWT *and* an active session row (so logout, password change, role change and staff
//! removal revoke at once); an expired access token is replaced using the refresh token, which
//! is stored only as a hash.

use crate::backend::db::{DbResult, cases, sessions};
use crate::backend::{AppState, now_ms, random_token, sha256_hex};
use crate::domain::Role;

/// The signed-in user of a request, as established by the session middleware.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub user_id: i64,
    pub session_id: String,
    pub role: Role,
}

impl CurrentUser {
    /// The drafts this user reaches (their own, or those a front-desk worker is filing).
    pub fn draft_holder(&self) -> cases::DraftHolder {
        cases::DraftHolder::of(self.user_id, self.role)
    }
}

/// The request's origin, for rate limits and the audit log.
#[derive(Debug, Clone, Default)]
pub struct ClientInfo {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// What the middleware found.
#[derive(Debug)]
pub enum Resolution {
    Authenticated {
        user: CurrentUser,
        /// A fresh access token to set, when the old one was missing or expired.
        new_access_token: Option<String>,
    },
    Anonymous {
        /// Cookies were sent but are no longer good: delete them.
        clear_cookies: bool,
    },
}

fn active_to_user(active: sessions::ActiveSession) -> Option<CurrentUser> {
    let role = Role::parse(&active.role).ok()?;
    Some(CurrentUser {
        user_id: active.user_id,
        session_id: active.session_id,
        role,
    })
}

/// Resolves the session of a request from its two cookie values.
pub async fn resolve(
    state: &AppState,
    access: Option<&str>,
    refresh: Option<&str>,
) -> DbResult<Resolution> {
    let now = now_ms();
    let mut conn = state.db.read().await?;
    if let Some(token) = access {
        match state.keys.verify(token) {
            Ok(claims) => {
                if let Some(active) = sessions::find_active(&mut conn, &claims.sid, now).await?
                    && active.user_id.to_string() == claims.sub
                    && let Some(user) = active_to_user(active)
                {
                    return Ok(Resolution::Authenticated {
                        user,
                        new_access_token: None,
                    });
                }
                // A genuine token of a revoked or expired session: never fall back to refresh.
                return Ok(Resolution::Anonymous {
                    clear_cookies: true,
                });
            }
            Err(error) => tracing::debug!(%error, "access token refused"),
        }
    }
    if let Some(refresh) = refresh
        && let Some(active) =
            sessions::find_active_by_refresh(&mut conn, &sha256_hex(refresh), now).await?
    {
        let session_id = active.session_id.clone();
        let user_id = active.user_id;
        let remaining_secs = (active.expires_at - now) / 1000;
        if let Some(user) = active_to_user(active) {
            let lifetime = state.config.access_token_secs.min(remaining_secs.max(1));
            match state.keys.issue(user_id, &session_id, now / 1000, lifetime) {
                Ok(token) => {
                    sessions::touch(&mut conn, &session_id, now).await?;
                    return Ok(Resolution::Authenticated {
                        user,
                        new_access_token: Some(token),
                    });
                }
                Err(error) => {
                    tracing::error!(error = %format!("{error:#}"), "issuing access token")
                }
            }
        }
    }
    Ok(Resolution::Anonymous {
        clear_cookies: access.is_some() || refresh.is_some(),
    })
}

/// The tokens of a newly started session.
pub struct StartedSession {
    pub session_id: String,
    pub access_token: String,
    pub refresh_token: String,
}

/// Creates the session row (inside the caller's transaction) and signs its first access token.
pub async fn start(
    conn: &mut sqlx::AnyConnection,
    state: &AppState,
    user_id: i64,
    client: &ClientInfo,
) -> Result<StartedSession, crate::backend::error::ServiceError> {
    let now = now_ms();
    let session_id = random_token(16);
    let refresh_token = random_token(32);
    sessions::insert(
        conn,
        sessions::NewSession {
            id: &session_id,
            user_id,
            refresh_hash: &sha256_hex(&refresh_token),
            now,
            expires_at: now + state.config.session_secs * 1000,
            ip: client.ip.as_deref(),
            user_agent: client.user_agent.as_deref(),
        },
    )
    .await?;
    let access_token = state.keys.issue(
        user_id,
        &session_id,
        now / 1000,
        state.config.access_token_secs,
    )?;
    Ok(StartedSession {
        session_id,
        access_token,
        refresh_token,
    })
}
