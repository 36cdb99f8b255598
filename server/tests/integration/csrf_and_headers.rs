//! Proves the browser-facing defences: every server function refuses a POST that cannot prove it
//! comes from this site (foreign or `null` Origin, look-alike origins, a foreign Referer,
//! `Sec-Fetch-Site: cross-site`, or no evidence at all) with 403 `"CrossSite"` and writes
//! nothing, even with a signed-in admin's cookies — every function of the registry and every
//! plain POST route from a foreign or `null` Origin; server functions cannot be reached with GET;
//! session cookies are HttpOnly and SameSite=Lax (plus `Secure` and `__Host-` on https); and
//! pages and API responses carry CSP, nosniff and frame denial, with HSTS only on https.

use serde_json::json;

use crate::common::{PASSWORD, Reply, TestApp, browser, form_body, spawn_app, spawn_app_https};

/// Every server function with a valid form for it (ids refer to a real staff member).
fn endpoints(staff_id: &str) -> Vec<(&'static str, Vec<(&'static str, String)>)> {
    let s = |text: &str| text.to_owned();
    vec![
        ("session/current", vec![]),
        ("session/whoami", vec![]),
        (
            "auth/register",
            vec![
                ("login", s("13800138009")),
                ("display_name", s("钱七")),
                ("password", s(PASSWORD)),
            ],
        ),
        (
            "auth/login",
            vec![
                ("login", s("admin@qixia.test.cn")),
                ("password", s(PASSWORD)),
            ],
        ),
        (
            "auth/totp",
            vec![("challenge", s("0000")), ("code", s("123456"))],
        ),
        ("auth/logout", vec![]),
        (
            "account/password",
            vec![
                ("current_password", s(PASSWORD)),
                ("new_password", s("Stolen-2026-pw")),
            ],
        ),
        ("admin/staff/list", vec![]),
        (
            "admin/staff/create",
            vec![
                ("login", s("mole@qixia.test.cn")),
                ("display_name", s("内鬼")),
                ("role", s("admin")),
                ("department_id", s("")),
                ("service_centre_id", s("")),
                ("initial_password", s(PASSWORD)),
            ],
        ),
        (
            "admin/staff/role",
            vec![
                ("user_id", s(staff_id)),
                ("role", s("admin")),
                ("department_id", s("")),
                ("service_centre_id", s("")),
            ],
        ),
        ("admin/staff/remove", vec![("user_id", s(staff_id))]),
        ("admin/organisation", vec![]),
        ("demo/logins", vec![]),
    ]
}

/// A signed-in admin (the app's browser) and an inspector to act upon.
async fn victim_app() -> (TestApp, String) {
    let app = spawn_app().await;
    app.signed_in_admin().await;
    let (inspector, _) = app
        .create_staff_via_cli_service("hecha@qixia.test.cn", "inspector", None, None)
        .await;
    (app, inspector.to_string())
}

async fn users_state(app: &TestApp) -> Vec<(i64, String, String, Option<i64>)> {
    sqlx::query_as("SELECT id, role, password_hash, removed_at FROM users ORDER BY id")
        .fetch_all(app.state.db.pool())
        .await
        .expect("users")
}

#[tokio::test]
async fn cross_site_posts_are_refused_on_every_server_function_and_write_nothing() {
    let (app, inspector) = victim_app().await;
    let host = app.addr.to_string();
    let look_alike_port = format!("http://{host}.evil.example");
    let look_alike_userinfo = format!("http://{host}@evil.example");
    let evidence: Vec<(&str, Vec<(&str, &str)>)> = vec![
        ("foreign Origin", vec![("origin", "https://evil.example")]),
        ("null Origin", vec![("origin", "null")]),
        (
            "look-alike Origin (suffix)",
            vec![("origin", &look_alike_port)],
        ),
        (
            "look-alike Origin (userinfo)",
            vec![("origin", &look_alike_userinfo)],
        ),
        (
            "foreign Origin with own Referer",
            vec![("origin", "https://evil.example"), ("referer", &app.base)],
        ),
        (
            "foreign Referer",
            vec![("referer", "https://evil.example/page")],
        ),
        (
            "Sec-Fetch-Site cross-site",
            vec![("sec-fetch-site", "cross-site")],
        ),
        (
            "Sec-Fetch-Site same-site",
            vec![("sec-fetch-site", "same-site")],
        ),
        ("no Origin, Referer or Sec-Fetch-Site", vec![]),
    ];
    let before_counts = app.snapshot().await;
    let before_users = users_state(&app).await;
    let before_limits = app.count("rate_limits").await;

    for (path, form) in endpoints(&inspector) {
        let form: Vec<(&str, &str)> = form
            .iter()
            .map(|(key, value)| (*key, value.as_str()))
            .collect();
        for (what, headers) in &evidence {
            // The admin's own browser: its session cookies go along, as in a real CSRF attack.
            let reply = app
                .post_raw(
                    &app.client,
                    path,
                    "application/x-www-form-urlencoded",
                    form_body(&form).into_bytes(),
                    headers,
                )
                .await;
            assert_eq!(reply.status, 403, "{path} with {what}: {}", reply.body);
            assert_eq!(reply.json(), json!("CrossSite"), "{path} with {what}");
            assert!(
                reply.set_cookies().is_empty(),
                "{path} with {what} sets cookies"
            );
        }
    }

    assert_eq!(
        app.snapshot().await,
        before_counts,
        "a refused request wrote rows"
    );
    assert_eq!(
        users_state(&app).await,
        before_users,
        "a refused request changed a user"
    );
    assert_eq!(
        app.count("rate_limits").await,
        before_limits,
        "a refused request reached the services"
    );
    assert_eq!(
        app.count("users").await,
        2,
        "no registration, no staff creation"
    );
    // The admin is still signed in: the cross-site logout did nothing.
    assert_eq!(app.whoami(&app.client).await.status, 200);
}

#[tokio::test]
async fn the_same_requests_from_this_site_do_take_effect() {
    // The control for the test above: with same-site evidence the guard lets requests through.
    let (app, inspector) = victim_app().await;
    let users = app.count("users").await;
    let origin = app.origin.clone();
    let referer = format!("{}/register", app.base);
    for (what, headers) in [
        ("own Origin", vec![("origin", origin.as_str())]),
        ("own Referer", vec![("referer", referer.as_str())]),
        (
            "Sec-Fetch-Site same-origin",
            vec![("sec-fetch-site", "same-origin")],
        ),
    ] {
        let reply = app
            .post_raw(
                &app.client,
                "admin/staff/list",
                "application/x-www-form-urlencoded",
                Vec::new(),
                &headers,
            )
            .await;
        assert_eq!(reply.status, 200, "{what}: {}", reply.body);
    }
    let register = app
        .register(&browser(), "13800138009", "钱七", PASSWORD)
        .await;
    assert_eq!(register.status, 200, "{}", register.body);
    let remove = app
        .post_fn("admin/staff/remove", &[("user_id", &inspector)])
        .await;
    assert_eq!(remove.status, 200, "{}", remove.body);
    assert_eq!(app.count("users").await, users + 1);
}

#[tokio::test]
async fn a_cross_site_registration_creates_no_user() {
    let app = spawn_app().await;
    let form = form_body(&[
        ("login", "13800138001"),
        ("display_name", "张三"),
        ("password", PASSWORD),
    ]);
    for headers in [vec![("origin", "https://evil.example")], vec![]] {
        let reply = app
            .post_raw(
                &browser(),
                "auth/register",
                "application/x-www-form-urlencoded",
                form.clone().into_bytes(),
                &headers,
            )
            .await;
        assert_eq!(reply.status, 403, "{}", reply.body);
        assert_eq!(reply.json(), json!("CrossSite"));
    }
    assert_eq!(app.count("users").await, 0);
    assert_eq!(app.count("audit_log").await, 0);
}

#[tokio::test]
async fn server_functions_cannot_be_called_with_get() {
    let app = spawn_app().await;
    let query = form_body(&[
        ("login", "13800138001"),
        ("display_name", "张三"),
        ("password", PASSWORD),
    ]);
    let reply = app
        .get(&browser(), &format!("/api/auth/register?{query}"))
        .await;
    assert!(
        (400..500).contains(&reply.status),
        "GET must not reach a server function: {} {}",
        reply.status,
        reply.body
    );
    assert_eq!(app.count("users").await, 0, "a GET registered a user");

    app.register_ok(&app.client, "13800138002").await;
    let logout = app.get(&app.client, "/api/auth/logout").await;
    assert!(
        (400..500).contains(&logout.status),
        "{} {}",
        logout.status,
        logout.body
    );
    assert_eq!(
        app.whoami(&app.client).await.status,
        200,
        "a GET logged the user out"
    );
}

#[tokio::test]
async fn session_cookies_are_http_only_and_same_site_lax() {
    let app = spawn_app().await;
    let reply = app.register_ok(&app.client, "13800138001").await;
    for name in ["bjm_session", "bjm_refresh"] {
        let line = reply
            .set_cookie_line(name)
            .unwrap_or_else(|| panic!("{name} is set: {:?}", reply.set_cookies()));
        let attributes: Vec<String> = line
            .split(';')
            .skip(1)
            .map(|part| part.trim().to_ascii_lowercase())
            .collect();
        assert!(attributes.contains(&"httponly".to_owned()), "{line}");
        assert!(attributes.contains(&"samesite=lax".to_owned()), "{line}");
        assert!(attributes.contains(&"path=/".to_owned()), "{line}");
        assert!(
            !attributes
                .iter()
                .any(|attribute| attribute.starts_with("domain")),
            "{line}"
        );
        assert!(
            !attributes.contains(&"secure".to_owned()),
            "plain http cannot store Secure cookies: {line}"
        );
    }
    let login = app.login(&browser(), "13800138001", PASSWORD).await;
    let line = login
        .set_cookie_line("bjm_session")
        .expect("login sets the session cookie");
    assert!(
        line.contains("HttpOnly") && line.contains("SameSite=Lax"),
        "{line}"
    );
}

#[tokio::test]
async fn on_https_session_cookies_are_secure_and_host_prefixed() {
    let app = spawn_app_https().await;
    let client = browser();
    let reply = app.register(&client, "13800138001", "张三", PASSWORD).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert!(
        reply.set_cookie_line("bjm_session").is_none(),
        "no unprefixed cookie on https: {:?}",
        reply.set_cookies()
    );
    for name in ["__Host-bjm_session", "__Host-bjm_refresh"] {
        let line = reply
            .set_cookie_line(name)
            .unwrap_or_else(|| panic!("{name} is set: {:?}", reply.set_cookies()));
        let attributes: Vec<String> = line
            .split(';')
            .skip(1)
            .map(|part| part.trim().to_ascii_lowercase())
            .collect();
        for required in ["secure", "httponly", "samesite=lax", "path=/"] {
            assert!(
                attributes.contains(&required.to_owned()),
                "{name} lacks {required}: {line}"
            );
        }
        assert!(
            !attributes
                .iter()
                .any(|attribute| attribute.starts_with("domain")),
            "__Host- forbids Domain: {line}"
        );
    }
    // The prefixed cookie is the one the server reads.
    let token = reply.cookie_value("__Host-bjm_session").expect("token");
    let origin = app.origin.clone();
    let me = app
        .post_raw(
            &crate::common::bare_client(),
            "session/whoami",
            "application/x-www-form-urlencoded",
            Vec::new(),
            &[
                ("origin", &origin),
                ("cookie", &format!("__Host-bjm_session={token}")),
            ],
        )
        .await;
    assert_eq!(me.status, 200, "{}", me.body);
    let unprefixed = app
        .post_raw(
            &crate::common::bare_client(),
            "session/whoami",
            "application/x-www-form-urlencoded",
            Vec::new(),
            &[
                ("origin", &origin),
                ("cookie", &format!("bjm_session={token}")),
            ],
        )
        .await;
    assert_eq!(
        unprefixed.status, 401,
        "an unprefixed cookie is not read on https: {}",
        unprefixed.body
    );
}

fn assert_common_security_headers(reply: &crate::common::Reply, what: &str) {
    assert_eq!(
        reply.header("x-content-type-options").as_deref(),
        Some("nosniff"),
        "{what}"
    );
    assert_eq!(
        reply.header("x-frame-options").as_deref(),
        Some("DENY"),
        "{what}"
    );
    let csp = reply
        .header("content-security-policy")
        .unwrap_or_else(|| panic!("{what} has no CSP"));
    assert!(csp.contains("frame-ancestors 'none'"), "{what}: {csp}");
    assert!(csp.contains("default-src"), "{what}: {csp}");
    assert!(!csp.contains("unsafe-inline"), "{what}: {csp}");
}

#[tokio::test]
async fn pages_and_api_responses_carry_security_headers_without_hsts_on_http() {
    let app = spawn_app().await;
    let home = app.get(&app.client, "/").await;
    assert_eq!(home.status, 200);
    assert_common_security_headers(&home, "the home page");
    let page_csp = home.header("content-security-policy").expect("CSP");
    assert!(
        page_csp.contains("script-src 'self' 'nonce-"),
        "pages allow only their own nonce: {page_csp}"
    );
    let nonce = page_csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("nonce");
    assert!(
        home.body.contains(&format!("nonce=\"{nonce}\"")),
        "the page's scripts carry the CSP nonce"
    );
    let second = app
        .get(&app.client, "/")
        .await
        .header("content-security-policy")
        .expect("CSP");
    assert_ne!(page_csp, second, "the nonce is fresh per response");

    let api = app.post_fn("session/current", &[]).await;
    assert_eq!(api.status, 200, "{}", api.body);
    assert_common_security_headers(&api, "an API response");
    assert_eq!(
        api.header("content-security-policy").as_deref(),
        Some("default-src 'none'; frame-ancestors 'none'; base-uri 'none'")
    );
    let refused = app
        .post_raw(
            &browser(),
            "session/current",
            "application/x-www-form-urlencoded",
            Vec::new(),
            &[],
        )
        .await;
    assert_eq!(refused.status, 403);
    assert_common_security_headers(&refused, "a refused API request");
    for reply in [&home, &api, &refused] {
        assert_eq!(
            reply.header("strict-transport-security"),
            None,
            "no HSTS over plain http"
        );
    }
}

#[tokio::test]
async fn on_https_every_response_carries_hsts() {
    let app = spawn_app_https().await;
    let home = app.get(&app.client, "/").await;
    let api = app.post_fn("session/current", &[]).await;
    let health = app.get(&app.client, "/healthz").await;
    assert_eq!(api.status, 200, "{}", api.body);
    for (what, reply) in [("page", &home), ("api", &api), ("healthz", &health)] {
        let hsts = reply
            .header("strict-transport-security")
            .unwrap_or_else(|| panic!("{what} lacks HSTS"));
        assert!(hsts.contains("max-age=31536000"), "{what}: {hsts}");
        assert_common_security_headers(reply, what);
    }
}

#[tokio::test]
async fn cross_site_posts_to_every_registered_server_function_and_upload_are_refused() {
    // The list above is the first families; this walks the registry itself (and the plain POST
    // routes), so a function added later is covered without an edit. Both an admin's and an
    // applicant's session cookies ride along, as in a real attack.
    let (app, _) = victim_app().await;
    let applicant = browser();
    app.register_ok(&applicant, "13800138001").await;
    let mut paths: Vec<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.to_owned())
        .collect();
    paths.sort_unstable();
    assert!(paths.len() >= 81, "{paths:?}");
    let posts: Vec<String> = server::http_routes()
        .into_iter()
        .filter(|route| route.method == reqwest::Method::POST)
        .map(|route| route.path.to_owned())
        .collect();
    assert!(posts.contains(&"/files/upload".to_owned()), "{posts:?}");
    paths.extend(posts);
    let before = app.fingerprint(&[]).await;
    for path in &paths {
        for (who, client) in [("admin", &app.client), ("applicant", &applicant)] {
            for origin in ["https://evil.example", "null"] {
                let reply = Reply::read(
                    client
                        .post(app.url(path))
                        .header("origin", origin)
                        .header("content-type", "application/x-www-form-urlencoded")
                        .body("login=x&draft_id=x&number=x&user_id=1")
                        .send()
                        .await
                        .expect("request"),
                )
                .await;
                assert_eq!(
                    (reply.status, reply.body.as_str()),
                    (403, "\"CrossSite\""),
                    "{path} as {who} from {origin}"
                );
            }
        }
    }
    assert_eq!(
        app.fingerprint(&[]).await,
        before,
        "a cross-site request changed the database"
    );
    assert_eq!(app.whoami(&app.client).await.status, 200);
    assert_eq!(app.whoami(&applicant).await.status, 200);
}
