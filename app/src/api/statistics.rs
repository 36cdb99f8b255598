//! Server functions of the statistics: the public figures of a period, and the service
//! office's dashboard with the work of each worker, approver and department. Thin: context →
//! authorize → service → map error.

use leptos::prelude::*;

use super::{AppError, StatisticsReport};

#[cfg(feature = "ssr")]
use crate::backend::{authz::RequestCtx, services::statistics};

/// The public figures of the days `from..=to` (`YYYY-MM-DD`; empty: the last 30 days).
#[server(endpoint = "statistics/public")]
pub async fn public_statistics(from: String, to: String) -> Result<StatisticsReport, AppError> {
    let ctx = RequestCtx::current()?;
    ctx.require(crate::access::Access::Public)?;
    let result = match statistics::period_of(&from, &to) {
        Ok(period) => statistics::report(&ctx.state, period, false).await,
        Err(error) => Err(error),
    };
    ctx.finish(result)
}

/// The service office's dashboard: the public figures and the staff figures.
#[server(endpoint = "statistics/dashboard")]
pub async fn dashboard_statistics(from: String, to: String) -> Result<StatisticsReport, AppError> {
    let ctx = RequestCtx::current()?;
    ctx.require_user(crate::access::ADMINS)?;
    let result = match statistics::period_of(&from, &to) {
        Ok(period) => statistics::report(&ctx.state, period, true).await,
        Err(error) => Err(error),
    };
    ctx.finish(result)
}
