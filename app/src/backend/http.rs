//! HTTP middleware shared by every route: client identification, the session check (with
//! transparent token refresh), the same-origin guard on state-changing requests, the role gate
//! of server functions, and security headers.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, Method, StatusCode, header};

use super::AppState;
use super::auth::cookies;
use super::auth::session::{self, ClientInfo, Resolution};
use super::authz::RequestAuth;
use crate::api::AppError;

fn client_info(state: &AppState, request: &Request) -> ClientInfo {
    let forwarded = state
        .config
        .trust_forwarded_for
        .then(|| request.headers().get("x-forwarded-for"))
        .flatten()
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(',').next())
        .map(|ip| ip.trim().to_owned());
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip().to_string());
    let user_agent = request
        .headers()
        .get(header::USER_AGENT)
        .and_then(|value| value.to_str().ok())
        .map(|value| value.chars().take(300).collect());
    ClientInfo {
        ip: forwarded.or(peer),
        user_agent,
    }
}

/// Establishes who is calling, attaches [`ClientInfo`] and [`RequestAuth`] to the request, and
/// sets or clears session cookies on the way out.
pub async fn session_layer(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let client = client_info(&state, &request);
    let names = cookies::names(&state.config);
    let cookie_header = request
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .collect::<Vec<_>>()
        .join("; ");
    let access = cookies::find(&cookie_header, names.access).filter(|value| !value.is_empty());
    let refresh = cookies::find(&cookie_header, names.refresh).filter(|value| !value.is_empty());

    let resolution = if access.is_none() && refresh.is_none() {
        Ok(Resolution::Anonymous {
            clear_cookies: false,
        })
    } else {
        session::resolve(&state, access, refresh).await
    };
    let (auth, set_cookies) = match resolution {
        Ok(Resolution::Authenticated {
            user,
            new_access_token,
        }) => {
            let set = new_access_token
                .map(|token| {
                    vec![cookies::set_cookie(
                        &state.config,
                        names.access,
                        &token,
                        state.config.access_token_secs,
                    )]
                })
                .unwrap_or_default();
            (RequestAuth(Some(user)), set)
        }
        Ok(Resolution::Anonymous { clear_cookies }) => {
            let set = if clear_cookies {
                vec![
                    cookies::set_cookie(&state.config, names.access, "", 0),
                    cookies::set_cookie(&state.config, names.refresh, "", 0),
                ]
            } else {
                Vec::new()
            };
            (RequestAuth(None), set)
        }
        Err(error) => {
            // Logged and mapped like every database error: 503 while the database is away.
            tracing::warn!("session lookup failed");
            return error_response(&AppError::from(super::error::ServiceError::from(error)));
        }
    };
    request.extensions_mut().insert(client);
    request.extensions_mut().insert(auth);
    let mut response = next.run(request).await;
    // A handler that signs in or out sets its own cookies; do not overwrite them.
    let handler_set_session = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .any(|value| value.starts_with(names.access) || value.starts_with(names.refresh));
    if !handler_set_session {
        for cookie in set_cookies {
            if let Ok(value) = HeaderValue::from_str(&cookie) {
                response.headers_mut().append(header::SET_COOKIE, value);
            }
        }
    }
    response
}

/// A JSON body in the server-function error format, with the error's status.
pub fn error_response(error: &AppError) -> Response {
    let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = serde_json::to_string(error).unwrap_or_else(|_| "\"Internal\"".into());
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// Whether a state-changing request provably comes from this site: its `Origin` (or, without
/// one, its `Referer`) is the public origin or the host it was sent to, or the browser marks it
/// `Sec-Fetch-Site: same-origin`.
pub fn is_same_origin(public_origin: &str, headers: &http::HeaderMap) -> bool {
    let host = headers
        .get(header::HOST)
        .and_then(|value| value.to_str().ok());
    let matches_site = |origin: &str| {
        let origin = origin.trim_end_matches('/');
        if origin == public_origin {
            return true;
        }
        let authority = origin.split_once("://").map(|(_, rest)| rest);
        matches!((authority, host), (Some(authority), Some(host)) if authority == host)
    };
    if let Some(origin) = headers
        .get(header::ORIGIN)
        .and_then(|value| value.to_str().ok())
    {
        return origin != "null" && matches_site(origin);
    }
    if let Some(site) = headers
        .get("sec-fetch-site")
        .and_then(|value| value.to_str().ok())
    {
        return site == "same-origin";
    }
    if let Some(referer) = headers
        .get(header::REFERER)
        .and_then(|value| value.to_str().ok())
    {
        let origin_of_referer = referer
            .split_once("://")
            .map(|(scheme, rest)| format!("{scheme}://{}", rest.split('/').next().unwrap_or("")));
        return origin_of_referer.is_some_and(|origin| matches_site(&origin));
    }
    false
}

/// Refuses state-changing requests (anything but GET, HEAD, OPTIONS) that cannot prove they come
/// from this site (CSRF). Server functions that only read are also POSTs; they pass the same way.
pub async fn same_origin_guard(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if !safe && !is_same_origin(state.config.public_origin(), request.headers()) {
        tracing::warn!(path = %request.uri().path(), "cross-site request refused");
        return error_response(&AppError::CrossSite);
    }
    next.run(request).await
}

/// Refuses a server-function call (`/api/…`, not the JSON API under `/api/v1/`) that the
/// caller's role may not make, or of a function without a rule, before its arguments are read.
/// Runs inside [`session_layer`], which has established the caller.
pub async fn server_fn_gate(request: Request, next: Next) -> Response {
    let auth = request.extensions().get::<RequestAuth>();
    if let Some(refusal) = super::authz::server_fn_refusal(request.uri().path(), auth) {
        return error_response(&refusal);
    }
    next.run(request).await
}

/// Security headers on every response. HTML pages carry their own CSP with a per-response
/// nonce (set by the app shell); everything else gets a strict default.
pub async fn security_headers(
    State(state): State<AppState>,
    request: Request<Body>,
    next: Next,
) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), payment=()"),
    );
    headers.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'; base-uri 'none'"),
        );
    }
    if state.config.is_https() {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    response
}

/// The CSP of an HTML page whose inline scripts carry `nonce`.
pub fn page_csp(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> http::HeaderMap {
        let mut map = http::HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn same_site_origin_is_accepted() {
        let origin = "http://127.0.0.1:3000";
        assert!(is_same_origin(
            origin,
            &headers(&[("origin", "http://127.0.0.1:3000")])
        ));
        assert!(is_same_origin(
            origin,
            &headers(&[
                ("origin", "http://localhost:3000"),
                ("host", "localhost:3000")
            ])
        ));
        assert!(is_same_origin(
            origin,
            &headers(&[("referer", "http://127.0.0.1:3000/login")])
        ));
        assert!(is_same_origin(
            origin,
            &headers(&[("sec-fetch-site", "same-origin")])
        ));
    }

    #[test]
    fn foreign_null_or_missing_origin_is_refused() {
        let origin = "http://127.0.0.1:3000";
        assert!(!is_same_origin(
            origin,
            &headers(&[
                ("origin", "https://evil.example"),
                ("host", "127.0.0.1:3000")
            ])
        ));
        assert!(!is_same_origin(origin, &headers(&[("origin", "null")])));
        assert!(!is_same_origin(
            origin,
            &headers(&[("sec-fetch-site", "cross-site")])
        ));
        assert!(!is_same_origin(
            origin,
            &headers(&[("referer", "https://evil.example/x")])
        ));
        assert!(!is_same_origin(origin, &headers(&[])));
    }
}
