//! Prometheus metrics at `GET /metrics` (text exposition format 0.0.4): HTTP requests counted
//! by method, route template and status class, request latency by route, and figures read from
//! the database at scrape time (outbox backlog, queue depths, open tasks, overdue counts).
//!
//! Crate: `prometheus` (TiKV's client, the most used Prometheus client for Rust). Its
//! registries are plain values, so every [`AppState`] owns one and tests running several apps
//! in one process never share counters; `metrics` + `metrics-exporter-prometheus` install a
//! process-wide recorder instead. The `protobuf` feature is off: only the text format is served.
//!
//! Labels never carry raw paths (one series per URL would grow without bound): the route is
//! axum's matched template (`/cases/{number}`), a registered server function's own path (a
//! fixed set), or `unmatched` (static files, 404s). Methods outside the standard set count as
//! `other`.
//!
//! Access: with `BJM_METRICS_TOKEN` set, a request needs `Authorization: Bearer <token>`;
//! without it, only clients on the loopback interface whose request was not forwarded by a
//! proxy (no `Forwarded`, `X-Forwarded-For` or `X-Real-IP` header) are served.

use std::collections::HashSet;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use prometheus::{
    Encoder as _, Gauge, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, IntGaugeVec, Opts,
    Registry, TextEncoder,
};

use super::db::{Db, ops};
use super::{AppState, china_date, now_ms, sha256_hex};

/// The route label of requests no route matched.
pub const UNMATCHED: &str = "unmatched";
/// The route template of every server function (`/api/{*fn_name}`).
const SERVER_FN_ROUTE: &str = "/api/{*fn_name}";

/// Errors of the metrics layer.
#[derive(Debug, thiserror::Error)]
pub enum MetricsError {
    #[error("prometheus: {0}")]
    Prometheus(#[from] prometheus::Error),
    #[error("metrics text is not UTF-8")]
    NotUtf8(#[from] std::string::FromUtf8Error),
}

/// Every metric the portal exports, in its own registry.
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    database_up: IntGauge,
    outbox: IntGaugeVec,
    outbox_oldest: Gauge,
    desk_queue: IntGauge,
    approval_tasks: IntGaugeVec,
    inspection_tasks: IntGaugeVec,
    overdue: IntGaugeVec,
    /// Paths of the registered server functions: each may be a route label of its own.
    server_fns: HashSet<&'static str>,
}

impl Metrics {
    pub fn new() -> Result<Self, MetricsError> {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new(
                "bjm_http_requests_total",
                "HTTP requests answered, by method, route template and status class",
            ),
            &["method", "route", "status"],
        )?;
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "bjm_http_request_duration_seconds",
                "Time from receiving a request to sending the response head, by route template",
            ),
            &["route"],
        )?;
        let database_up = IntGauge::new(
            "bjm_database_up",
            "1 when the figures below were read from the database at this scrape, else 0",
        )?;
        let outbox = IntGaugeVec::new(
            Opts::new(
                "bjm_outbox_messages",
                "Undelivered outbox messages: queued (not tried yet) or failed (last attempt failed, retried with back-off)",
            ),
            &["state"],
        )?;
        let outbox_oldest = Gauge::new(
            "bjm_outbox_oldest_undelivered_age_seconds",
            "Age of the oldest undelivered outbox message (0 when none)",
        )?;
        let desk_queue = IntGauge::new(
            "bjm_desk_queue_cases",
            "Cases waiting for acceptance at the front desk (submitted or resubmitted)",
        )?;
        let approval_tasks = IntGaugeVec::new(
            Opts::new(
                "bjm_approval_tasks",
                "Undecided approval tasks: open (with the department) or supplement (waiting for the applicant)",
            ),
            &["status"],
        )?;
        let inspection_tasks = IntGaugeVec::new(
            Opts::new(
                "bjm_inspection_tasks",
                "Unconcluded inspection tasks: open or rectifying",
            ),
            &["status"],
        )?;
        let overdue = IntGaugeVec::new(
            Opts::new(
                "bjm_overdue",
                "Work past its deadline, as the queues flag it: acceptance (front desk), approval_task, case (statutory deadline in approval), inspection",
            ),
            &["kind"],
        )?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        registry.register(Box::new(database_up.clone()))?;
        registry.register(Box::new(outbox.clone()))?;
        registry.register(Box::new(outbox_oldest.clone()))?;
        registry.register(Box::new(desk_queue.clone()))?;
        registry.register(Box::new(approval_tasks.clone()))?;
        registry.register(Box::new(inspection_tasks.clone()))?;
        registry.register(Box::new(overdue.clone()))?;
        let server_fns = leptos::server_fn::axum::server_fn_paths()
            .map(|(path, _)| path)
            .collect();
        Ok(Self {
            registry,
            requests,
            latency,
            database_up,
            outbox,
            outbox_oldest,
            desk_queue,
            approval_tasks,
            inspection_tasks,
            overdue,
            server_fns,
        })
    }

    /// The route label of a request: its matched template, a server function's own path, or
    /// [`UNMATCHED`].
    pub fn route_label(&self, matched: Option<&str>, path: &str) -> String {
        match matched {
            Some(SERVER_FN_ROUTE) if self.server_fns.contains(path) => path.to_owned(),
            Some(template) => template.to_owned(),
            None => UNMATCHED.to_owned(),
        }
    }

    /// Counts one answered request.
    pub fn observe(&self, method: &Method, route: &str, status: StatusCode, elapsed: Duration) {
        self.requests
            .with_label_values(&[method_label(method), route, status_class(status)])
            .inc();
        self.latency
            .with_label_values(&[route])
            .observe(elapsed.as_secs_f64());
    }

    /// Reads the database figures into the gauges; on a database error `bjm_database_up` is 0
    /// and the gauges keep their previous values.
    async fn refresh(&self, db: &Db) {
        match read_figures(db).await {
            Ok(figures) => {
                self.database_up.set(1);
                let now = now_ms();
                self.outbox
                    .with_label_values(&["queued"])
                    .set(figures.outbox.queued);
                self.outbox
                    .with_label_values(&["failed"])
                    .set(figures.outbox.failed);
                #[expect(
                    clippy::cast_precision_loss,
                    reason = "an age in ms fits f64's 52-bit mantissa for 140,000 years"
                )]
                let oldest = figures
                    .outbox
                    .oldest_created_at
                    .map_or(0.0, |at| (now - at).max(0) as f64 / 1000.0);
                self.outbox_oldest.set(oldest);
                self.desk_queue.set(figures.desk.waiting);
                self.approval_tasks
                    .with_label_values(&["open"])
                    .set(figures.approvals.open);
                self.approval_tasks
                    .with_label_values(&["supplement"])
                    .set(figures.approvals.supplement);
                self.inspection_tasks
                    .with_label_values(&["open"])
                    .set(figures.inspections.open);
                self.inspection_tasks
                    .with_label_values(&["rectifying"])
                    .set(figures.inspections.rectifying);
                self.overdue
                    .with_label_values(&["acceptance"])
                    .set(figures.desk.overdue);
                self.overdue
                    .with_label_values(&["approval_task"])
                    .set(figures.approvals.overdue);
                self.overdue
                    .with_label_values(&["case"])
                    .set(figures.cases_past_deadline);
                self.overdue
                    .with_label_values(&["inspection"])
                    .set(figures.inspections.overdue);
            }
            Err(error) => {
                self.database_up.set(0);
                tracing::error!(error = %error, "reading the figures for /metrics");
            }
        }
    }

    /// Reads the database figures and renders every metric in the text format.
    pub async fn render(&self, db: &Db) -> Result<String, MetricsError> {
        self.refresh(db).await;
        let mut buffer = Vec::new();
        TextEncoder::new().encode(&self.registry.gather(), &mut buffer)?;
        Ok(String::from_utf8(buffer)?)
    }
}

struct Figures {
    outbox: ops::OutboxBacklog,
    desk: ops::DeskBacklog,
    approvals: ops::ApprovalBacklog,
    cases_past_deadline: i64,
    inspections: ops::InspectionBacklog,
}

async fn read_figures(db: &Db) -> Result<Figures, super::db::DbError> {
    let mut conn = db.read().await?;
    let now = now_ms();
    Ok(Figures {
        outbox: ops::outbox_backlog(&mut conn).await?,
        desk: ops::desk_backlog(&mut conn, now).await?,
        approvals: ops::approval_backlog(&mut conn, now).await?,
        cases_past_deadline: ops::cases_past_deadline(&mut conn, now).await?,
        inspections: ops::inspection_backlog(&mut conn, &china_date(now)).await?,
    })
}

fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

fn status_class(status: StatusCode) -> &'static str {
    match status.as_u16() {
        100..=199 => "1xx",
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        _ => "5xx",
    }
}

/// Middleware counting every request (added with `Router::layer`, so axum has set the
/// matched route template by the time it runs).
pub async fn track(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let route = state.metrics.route_label(
        request
            .extensions()
            .get::<MatchedPath>()
            .map(MatchedPath::as_str),
        request.uri().path(),
    );
    let method = request.method().clone();
    let started = Instant::now();
    let response = next.run(request).await;
    state
        .metrics
        .observe(&method, &route, response.status(), started.elapsed());
    response
}

/// Who may read the metrics.
#[derive(Debug, PartialEq, Eq)]
enum Access {
    Allowed,
    /// A token is configured and the request did not carry it.
    NeedsToken,
    /// No token is configured and the client is not local.
    NotLocal,
}

fn access(token_sha256: Option<&str>, peer: Option<IpAddr>, headers: &HeaderMap) -> Access {
    match token_sha256 {
        Some(expected) => {
            let presented = headers
                .get(header::AUTHORIZATION)
                .and_then(|value| value.to_str().ok())
                .and_then(|value| value.strip_prefix("Bearer "))
                .map(|token| sha256_hex(token.trim()));
            // Comparing hashes: the time taken tells nothing about the token itself.
            if presented.as_deref() == Some(expected) {
                Access::Allowed
            } else {
                Access::NeedsToken
            }
        }
        None => {
            let forwarded = ["forwarded", "x-forwarded-for", "x-real-ip"]
                .iter()
                .any(|name| headers.contains_key(*name));
            if !forwarded && peer.is_some_and(|ip| ip.is_loopback()) {
                Access::Allowed
            } else {
                Access::NotLocal
            }
        }
    }
}

/// `GET /metrics`.
pub async fn endpoint(State(state): State<AppState>, request: Request) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip());
    match access(
        state.config.metrics_token_sha256.as_deref(),
        peer,
        request.headers(),
    ) {
        Access::Allowed => {}
        Access::NeedsToken => {
            return (
                StatusCode::UNAUTHORIZED,
                [(header::WWW_AUTHENTICATE, "Bearer")],
                "metrics need the bearer token (BJM_METRICS_TOKEN)",
            )
                .into_response();
        }
        Access::NotLocal => {
            return (
                StatusCode::FORBIDDEN,
                "metrics are served to local clients only unless BJM_METRICS_TOKEN is set",
            )
                .into_response();
        }
    }
    match state.metrics.render(&state.db).await {
        Ok(text) => (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
            )],
            text,
        )
            .into_response(),
        Err(error) => {
            tracing::error!(error = %error, "rendering /metrics");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_str(value).expect("header value"));
        }
        map
    }

    #[test]
    fn without_a_token_only_unforwarded_loopback_clients_are_served() {
        let local = Some(IpAddr::from([127, 0, 0, 1]));
        let remote = Some(IpAddr::from([203, 0, 113, 7]));
        assert_eq!(access(None, local, &headers(&[])), Access::Allowed);
        assert_eq!(
            access(None, Some("::1".parse().expect("ip")), &headers(&[])),
            Access::Allowed
        );
        assert_eq!(access(None, remote, &headers(&[])), Access::NotLocal);
        assert_eq!(access(None, None, &headers(&[])), Access::NotLocal);
        // A proxy on the same host forwards public requests from loopback.
        assert_eq!(
            access(None, local, &headers(&[("x-forwarded-for", "203.0.113.7")])),
            Access::NotLocal
        );
        assert_eq!(
            access(None, local, &headers(&[("forwarded", "for=203.0.113.7")])),
            Access::NotLocal
        );
    }

    #[test]
    fn with_a_token_only_that_bearer_token_is_served_from_anywhere() {
        let expected = sha256_hex("s3cret-token");
        let remote = Some(IpAddr::from([203, 0, 113, 7]));
        let local = Some(IpAddr::from([127, 0, 0, 1]));
        assert_eq!(
            access(
                Some(&expected),
                remote,
                &headers(&[("authorization", "Bearer s3cret-token")])
            ),
            Access::Allowed
        );
        assert_eq!(
            access(Some(&expected), local, &headers(&[])),
            Access::NeedsToken
        );
        assert_eq!(
            access(
                Some(&expected),
                local,
                &headers(&[("authorization", "Bearer s3cret-tokeN")])
            ),
            Access::NeedsToken
        );
        assert_eq!(
            access(
                Some(&expected),
                local,
                &headers(&[("authorization", "Basic s3cret-token")])
            ),
            Access::NeedsToken
        );
    }

    #[test]
    fn labels_are_templates_or_a_fixed_set() {
        let metrics = Metrics::new().expect("metrics");
        assert_eq!(
            metrics.route_label(Some("/files/{id}"), "/files/abc"),
            "/files/{id}"
        );
        assert_eq!(metrics.route_label(None, "/pkg/bjm.wasm"), UNMATCHED);
        // An unknown server function path keeps the template, so made-up paths add no series.
        assert_eq!(
            metrics.route_label(Some(SERVER_FN_ROUTE), "/api/made-up-123"),
            SERVER_FN_ROUTE
        );
        assert_eq!(
            method_label(&Method::from_bytes(b"BREW").expect("method")),
            "other"
        );
        assert_eq!(status_class(StatusCode::REQUEST_TIMEOUT), "4xx");
        assert_eq!(status_class(StatusCode::SERVICE_UNAVAILABLE), "5xx");
    }
}
