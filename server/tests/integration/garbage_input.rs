//! Proves that malformed requests are the caller's problem, never the server's: every server
//! function, called by a visitor and by a signed-in admin with missing, extra, oversized,
//! wrongly typed, badly percent-encoded, invalid-UTF-8 or wrongly content-typed bodies, answers
//! with a 4xx (never a 5xx), writes no user, and leaves the server working.

use crate::common::{Options, Reply, TestApp, browser, spawn_app_with};

const ENDPOINTS: &[&str] = &[
    "session/current",
    "session/whoami",
    "auth/register",
    "auth/login",
    "auth/totp",
    "account/password",
    "admin/staff/list",
    "admin/staff/create",
    "admin/staff/role",
    "admin/staff/remove",
    "admin/organisation",
    "demo/logins",
    // Last, so that the admin's session lasts through the others.
    "auth/logout",
];

/// Bodies that no honest client sends: `(description, content type, body)`.
fn garbage() -> Vec<(String, &'static str, Vec<u8>)> {
    const FORM: &str = "application/x-www-form-urlencoded";
    let long = "9".repeat(100_000);
    let long_letters = "氵".repeat(40_000);
    let every_field = |value: &str| {
        [
            "login",
            "display_name",
            "password",
            "challenge",
            "code",
            "current_password",
            "new_password",
            "role",
            "department_id",
            "service_centre_id",
            "initial_password",
            "user_id",
        ]
        .iter()
        .map(|field| format!("{field}={value}"))
        .collect::<Vec<_>>()
        .join("&")
    };
    let mut cases: Vec<(String, &'static str, Vec<u8>)> = vec![
        ("missing every argument".into(), FORM, b"".to_vec()),
        ("only unknown arguments".into(), FORM, b"a=b&c=d".to_vec()),
        ("no key-value pairs".into(), FORM, b"&&&===&".to_vec()),
        ("lone percent".into(), FORM, every_field("%").into_bytes()),
        (
            "bad percent escapes".into(),
            FORM,
            every_field("%zz%4").into_bytes(),
        ),
        (
            "percent-encoded invalid UTF-8".into(),
            FORM,
            every_field("%ff%fe%c3%28%80").into_bytes(),
        ),
        (
            "percent-encoded NUL".into(),
            FORM,
            every_field("a%00b").into_bytes(),
        ),
        (
            "numbers out of range".into(),
            FORM,
            every_field("99999999999999999999999").into_bytes(),
        ),
        (
            "negative numbers".into(),
            FORM,
            every_field("-1").into_bytes(),
        ),
        (
            "nested keys".into(),
            FORM,
            b"login[]=a&login[]=b&user_id[x]=1&password[0]=p".to_vec(),
        ),
        (
            "duplicated keys".into(),
            FORM,
            [every_field("1"), every_field("2")].join("&").into_bytes(),
        ),
        (
            "100 kB values".into(),
            FORM,
            every_field(&long).into_bytes(),
        ),
        (
            "40 000 CJK characters".into(),
            FORM,
            every_field(&long_letters).into_bytes(),
        ),
        (
            "control and bidi characters".into(),
            FORM,
            every_field("%E2%80%AE%0D%0A%1B%5B31m").into_bytes(),
        ),
        (
            "SQL and markup".into(),
            FORM,
            every_field("%27%3B+DROP+TABLE+users%3B--%3Cscript%3E").into_bytes(),
        ),
        (
            "JSON body".into(),
            "application/json",
            br#"{"login":"13800138001","password":["x"],"user_id":{}}"#.to_vec(),
        ),
        (
            "multipart without boundary".into(),
            "multipart/form-data",
            b"--x\r\n".to_vec(),
        ),
        ("no content type".into(), "", every_field("1").into_bytes()),
    ];
    let mut raw = b"login=".to_vec();
    raw.extend_from_slice(&[0xff, 0xfe, 0xc3, 0x28, 0x80]);
    raw.extend_from_slice(b"&password=\xe4\xb8&user_id=\xf0\x28\x8c\x28&code=\xc0\xaf");
    cases.push(("raw invalid UTF-8".into(), FORM, raw));
    cases.push((
        "binary noise".into(),
        FORM,
        (0u8..=255).cycle().take(4096).collect(),
    ));
    cases
}

async fn send(
    app: &TestApp,
    client: &reqwest::Client,
    path: &str,
    content_type: &str,
    body: &[u8],
) -> Reply {
    let origin = app.origin.clone();
    let mut headers = vec![("origin", origin.as_str())];
    if content_type.is_empty() {
        headers.push(("content-type", ""));
    }
    let content_type = if content_type.is_empty() {
        "application/octet-stream"
    } else {
        content_type
    };
    app.post_raw(client, path, content_type, body.to_vec(), &headers)
        .await
}

#[tokio::test]
async fn garbage_to_any_server_function_is_never_a_server_error() {
    let app = spawn_app_with(Options {
        tweak: |config| {
            config.login_attempts_per_ip_per_minute = 10_000;
            config.registrations_per_ip_per_hour = 10_000;
        },
        ..Options::default()
    })
    .await;
    app.signed_in_admin().await;
    let users = app.count("users").await;
    let visitor = browser();
    let cases = garbage();
    let mut failures = Vec::new();
    for (who, client) in [("visitor", &visitor), ("admin", &app.client)] {
        for path in ENDPOINTS {
            for (what, content_type, body) in &cases {
                let reply = send(&app, client, path, content_type, body).await;
                if reply.status >= 500
                    || reply.status < 400
                        && !matches!(
                            *path,
                            "session/current"
                                | "demo/logins"
                                | "admin/staff/list"
                                | "admin/organisation"
                                | "auth/logout"
                                | "session/whoami"
                        )
                {
                    failures.push(format!(
                        "{who} {path} with {what}: {} {}",
                        reply.status,
                        reply.body.chars().take(200).collect::<String>()
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} bad answers:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(
        app.count("users").await,
        users,
        "garbage created an account"
    );
    // The server still works.
    assert_eq!(app.get(&browser(), "/healthz").await.status, 200);
    let register = app
        .register(&browser(), "13800138001", "张三", crate::common::PASSWORD)
        .await;
    assert_eq!(register.status, 200, "{}", register.body);
}

#[tokio::test]
async fn an_unknown_server_function_is_a_client_error() {
    let app = spawn_app_with(Options::default()).await;
    for path in [
        "no/such/function",
        "auth/register/extra",
        "..%2f..%2fetc%2fpasswd",
        "auth%2Fregister",
    ] {
        let reply = send(
            &app,
            &browser(),
            path,
            "application/x-www-form-urlencoded",
            b"",
        )
        .await;
        assert!(
            (400..500).contains(&reply.status),
            "{path}: {} {}",
            reply.status,
            reply.body
        );
    }
}

#[tokio::test]
async fn undecodable_arguments_are_a_422_in_the_error_format() {
    let app = spawn_app_with(Options::default()).await;
    for body in [
        &b""[..],
        b"login=a&login=b&password=x&display_name=y",
        b"login=\xff&password=x&display_name=y",
    ] {
        let reply = send(
            &app,
            &browser(),
            "auth/register",
            "application/x-www-form-urlencoded",
            body,
        )
        .await;
        assert_eq!(reply.status, 422, "{}", reply.body);
        assert_eq!(reply.json(), serde_json::json!({ "Invalid": [] }));
    }
    // Who may not call a function learns that first, whatever the input: a visitor's unreadable
    // id is a 401; the same id from an admin is the 422.
    let unreadable: &[u8] = b"user_id=abc";
    let form = "application/x-www-form-urlencoded";
    let visitor = send(&app, &browser(), "admin/staff/remove", form, unreadable).await;
    assert_eq!(visitor.status, 401, "{}", visitor.body);
    assert_eq!(visitor.json(), serde_json::json!("Unauthenticated"));
    app.signed_in_admin().await;
    let reply = send(&app, &app.client, "admin/staff/remove", form, unreadable).await;
    assert_eq!(reply.status, 422, "{}", reply.body);
    assert_eq!(reply.json(), serde_json::json!({ "Invalid": [] }));
}
