//! Rate limits on sign-in and registration, per account and per client IP, counted in the
//! database so every node shares them.

use super::ServiceResult;
use crate::api::AppError;
use crate::backend::db::rate_limit;
use crate::backend::{AppState, now_ms};

const MINUTE_MS: i64 = 60_000;
const HOUR_MS: i64 = 60 * MINUTE_MS;

fn retry_after(now: i64, window_ms: i64) -> u64 {
    let next = rate_limit::window_start(now, window_ms) + window_ms;
    u64::try_from((next - now + 999) / 1000).unwrap_or(1).max(1)
}

/// Counts a request against a bucket; refuses it when the bucket is over its limit.
async fn hit(state: &AppState, bucket: &str, limit: i64, window_ms: i64) -> ServiceResult<()> {
    let now = now_ms();
    let mut conn = state.db.read().await?;
    let hits = rate_limit::hit(&mut conn, bucket, window_ms, now).await?;
    if hits > limit {
        return Err(AppError::RateLimited {
            retry_after_secs: retry_after(now, window_ms),
        }
        .into());
    }
    Ok(())
}

pub async fn login_attempt_from_ip(state: &AppState, ip: Option<&str>) -> ServiceResult<()> {
    let bucket = format!("login-ip:{}", ip.unwrap_or("unknown"));
    hit(
        state,
        &bucket,
        state.config.login_attempts_per_ip_per_minute,
        MINUTE_MS,
    )
    .await
}

pub async fn registration_from_ip(state: &AppState, ip: Option<&str>) -> ServiceResult<()> {
    let bucket = format!("register-ip:{}", ip.unwrap_or("unknown"));
    hit(
        state,
        &bucket,
        state.config.registrations_per_ip_per_hour,
        HOUR_MS,
    )
    .await
}

fn failure_bucket(login: &str) -> String {
    format!("login-fail:{login}")
}

/// Refuses a sign-in for an account (known or not) that already failed too often this minute.
pub async fn ensure_login_not_locked(state: &AppState, login: &str) -> ServiceResult<()> {
    let now = now_ms();
    let mut conn = state.db.read().await?;
    let failures = rate_limit::count(&mut conn, &failure_bucket(login), MINUTE_MS, now).await?;
    if failures >= state.config.login_failures_per_account_per_minute {
        return Err(AppError::RateLimited {
            retry_after_secs: retry_after(now, MINUTE_MS),
        }
        .into());
    }
    Ok(())
}

pub async fn record_login_failure(state: &AppState, login: &str) -> ServiceResult<()> {
    let now = now_ms();
    let mut conn = state.db.read().await?;
    rate_limit::hit(&mut conn, &failure_bucket(login), MINUTE_MS, now).await?;
    Ok(())
}
