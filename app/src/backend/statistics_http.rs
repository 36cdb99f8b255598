//! CSV downloads of the statistics: `GET /statistics.csv` (public figures) and
//! `GET /admin/statistics.csv` (with the staff figures, for the service office). Both take
//! `from` and `to` (`YYYY-MM-DD`) like the pages, and answer in the language of the `lang`
//! cookie.

use axum::Extension;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, HeaderValue, header};
use serde::Deserialize;

use super::AppState;
use super::authz::RequestAuth;
use super::http::error_response;
use super::services::statistics;
use crate::api::AppError;
use crate::i18n::Lang;

#[derive(Debug, Default, Deserialize)]
pub struct PeriodQuery {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

fn lang_of(headers: &HeaderMap) -> Lang {
    headers
        .get(header::COOKIE)
        .and_then(|value| value.to_str().ok())
        .map(Lang::from_cookie_header)
        .unwrap_or_default()
}

async fn csv_response(state: &AppState, query: &PeriodQuery, staff: bool, lang: Lang) -> Response {
    let report = match statistics::period_of(&query.from, &query.to) {
        Ok(period) => statistics::report(state, period, staff).await,
        Err(error) => Err(error),
    };
    let report = match report {
        Ok(report) => report,
        Err(error) => return error_response(&AppError::from(error)),
    };
    let bytes = match statistics::report_csv(&report, lang) {
        Ok(bytes) => bytes,
        Err(error) => {
            tracing::error!(error = %format!("{error:#}"), "writing the statistics CSV");
            return error_response(&AppError::Internal);
        }
    };
    let name = format!(
        "statistics-{}{}-{}.csv",
        if staff { "staff-" } else { "" },
        report.from,
        report.to
    );
    let mut response = Body::from(bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

/// `GET /statistics.csv?from=&to=`: the public figures.
pub async fn public_csv(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<PeriodQuery>,
) -> Response {
    csv_response(&state, &query, false, lang_of(&headers)).await
}

/// `GET /admin/statistics.csv?from=&to=`: the figures with the staff figures, admins only.
pub async fn dashboard_csv(
    State(state): State<AppState>,
    Extension(auth): Extension<RequestAuth>,
    headers: HeaderMap,
    Query(query): Query<PeriodQuery>,
) -> Response {
    if let Err(error) = super::authz::check(auth.0.as_ref(), crate::access::ADMINS) {
        return error_response(&error);
    }
    csv_response(&state, &query, true, lang_of(&headers)).await
}
