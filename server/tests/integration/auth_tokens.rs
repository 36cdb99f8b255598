//! Proves that only a genuine, current session token authenticates a request. Each forged,
//! tampered, expired or revoked access token, sent as the only cookie (`bjm_session`, no refresh
//! cookie), gets 401 from `/api/session/whoami`:
//! another Ed25519 key, `alg: none`, HS256 keyed with the server's public key (algorithm
//! confusion), an unknown key id, expired, not yet valid, `exp` as a string, wrong audience,
//! wrong issuer, an edited payload, a `sub` that does not own the `sid`; and genuine tokens of a
//! logged-out session, of a demoted admin, of a removed staff member, and of another session
//! after a password change. Controls: the genuine token, and a token the test signs itself with
//! the server's key and unchanged claims, both get 200 — so every refusal is due to the one thing
//! the attack changed. The same forgeries (and truncated tokens) aimed at state-changing
//! functions — staff creation, an application, a password change, logout — get 401 and leave
//! every table unchanged; a role claim, even signed with the server's key, grants nothing (the
//! role comes from the account).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::pkcs8::{DecodePrivateKey as _, EncodePrivateKey as _, EncodePublicKey as _};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

use crate::common::{OTHER_PASSWORD, PASSWORD, Reply, TestApp, browser, spawn_app};

/// A genuine token of a signed-in applicant, and what a forger would start from.
struct Genuine {
    token: String,
    kid: String,
    claims: Value,
    /// The server's private key, as stored in the data directory.
    private_pem: String,
}

async fn genuine(app: &TestApp) -> Genuine {
    let reply = app.register_ok(&app.client, "13800138001").await;
    let token = reply.session_token();
    let header = jsonwebtoken::decode_header(&token).expect("the server's token has a JWT header");
    assert_eq!(header.alg, Algorithm::EdDSA);
    let kid = header.kid.expect("the server's token names its key");
    let private_pem = std::fs::read_to_string(app.data_dir().join("keys/session-ed25519.pem"))
        .expect("the generated key file in the data directory");
    Genuine {
        claims: payload_of(&token),
        token,
        kid,
        private_pem,
    }
}

fn payload_of(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("three parts");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).expect("base64url payload"))
        .expect("JSON payload")
}

fn b64(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

fn sign_eddsa(private_pem: &str, kid: Option<&str>, claims: &Value) -> String {
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = kid.map(str::to_owned);
    let key = EncodingKey::from_ed_pem(private_pem.as_bytes()).expect("Ed25519 PEM");
    jsonwebtoken::encode(&header, claims, &key).expect("signing")
}

fn now() -> i64 {
    i64::try_from(crate::common::unix_secs()).expect("time")
}

fn with(claims: &Value, changes: Value) -> Value {
    let mut claims = claims.clone();
    for (key, value) in changes.as_object().expect("object of changes") {
        claims[key] = value.clone();
    }
    claims
}

async fn assert_refused(app: &TestApp, token: &str, what: &str) {
    let reply: Reply = app.whoami_with_token(token).await;
    assert_eq!(
        reply.status, 401,
        "{what} must be refused, got {}: {}",
        reply.status, reply.body
    );
    assert_eq!(reply.json(), json!("Unauthenticated"), "{what}");
}

async fn assert_accepted(app: &TestApp, token: &str, what: &str) -> Value {
    let reply = app.whoami_with_token(token).await;
    assert_eq!(
        reply.status, 200,
        "{what} must be accepted, got {}: {}",
        reply.status, reply.body
    );
    reply.json()
}

#[tokio::test]
async fn the_genuine_token_and_a_faithful_re_signing_are_accepted() {
    let app = spawn_app().await;
    let genuine = genuine(&app).await;
    let me = assert_accepted(&app, &genuine.token, "the genuine token").await;
    assert_eq!(me["id"].as_i64(), Some(app.user_id_of("13800138001").await));
    let resigned = sign_eddsa(&genuine.private_pem, Some(&genuine.kid), &genuine.claims);
    assert_accepted(
        &app,
        &resigned,
        "the same claims signed with the server's key",
    )
    .await;
}

#[tokio::test]
async fn a_token_signed_with_another_ed25519_key_is_refused() {
    let app = spawn_app().await;
    let genuine = genuine(&app).await;
    let other = ed25519_dalek::SigningKey::generate(&mut rand::rngs::OsRng);
    let other_pem = other.to_pkcs8_pem(Default::default()).expect("PEM");
    let forged = sign_eddsa(&other_pem, Some(&genuine.kid), &genuine.claims);
    assert_refused(
        &app,
        &forged,
        "a token of another key with the server's kid",
    )
    .await;
}

#[tokio::test]
async fn an_unsigned_alg_none_token_is_refused() {
    let app = spawn_app().await;
    let genuine = genuine(&app).await;
    let payload = b64(&genuine.claims);
    for header in [
        json!({ "alg": "none" }),
        json!({ "alg": "none", "typ": "JWT", "kid": genuine.kid }),
        json!({ "alg": "None", "kid": genuine.kid }),
    ] {
        let unsigned = format!("{}.{payload}.", b64(&header));
        assert_refused(&app, &unsigned, &format!("alg none ({header})")).await;
        // Also with the genuine signature left on.
        let signature = genuine.token.rsplit('.').next().expect("signature");
        assert_refused(
            &app,
            &format!("{}.{payload}.{signature}", b64(&header)),
            "alg none with a signature",
        )
        .await;
    }
}

#[tokio::test]
async fn an_hs256_token_keyed_with_the_servers_public_key_is_refused() {
    let app = spawn_app().await;
    let genuine = genuine(&app).await;
    let signing =
        ed25519_dalek::SigningKey::from_pkcs8_pem(&genuine.private_pem).expect("server key");
    let public_pem = signing
        .verifying_key()
        .to_public_key_pem(Default::default())
        .expect("public PEM");
    // This is exactly the public key the server publishes: its key id is derived from this PEM.
    assert_eq!(
        app::backend::sha256_hex(public_pem.trim())[..16],
        genuine.kid
    );
    for secret in [public_pem.as_str(), public_pem.trim()] {
        for kid in [Some(genuine.kid.as_str()), None] {
            let mut header = Header::new(Algorithm::HS256);
            header.kid = kid.map(str::to_owned);
            let forged = jsonwebtoken::encode(
                &header,
                &genuine.claims,
                &EncodingKey::from_secret(secret.as_bytes()),
            )
            .expect("HMAC signing");
            assert_refused(&app, &forged, "HS256 keyed with the public key PEM").await;
        }
    }
}

#[tokio::test]
async fn a_token_without_a_known_key_id_is_refused() {
    let app = spawn_app().await;
    let genuine = genuine(&app).await;
    let no_kid = sign_eddsa(&genuine.private_pem, None, &genuine.claims);
    assert_refused(&app, &no_kid, "a token without kid").await;
    let unknown_kid = sign_eddsa(
        &genuine.private_pem,
        Some("0123456789abcdef"),
        &genuine.claims,
    );
    assert_refused(&app, &unknown_kid, "a token with an unknown kid").await;
}

#[tokio::test]
async fn an_expired_token_is_refused() {
    let app = spawn_app().await;
    let genuine = genuine(&app).await;
    let now = now();
    let expired = with(
        &genuine.claims,
        json!({ "iat": now - 4200, "nbf": now - 4200, "exp": now - 3600 }),
    );
    assert_refused(
        &app,
        &sign_eddsa(&genuine.private_pem, Some(&genuine.kid), &expired),
        "an expired token",
    )
    .await;
    // Just past the leeway.
    let barely = with(
        &genuine.claims,
        json!({ "iat": now - 700, "nbf": now - 700, "exp": now - 60 }),
    );
    assert_refused(
        &app,
        &sign_eddsa(&genuine.private_pem, Some(&genuine.kid), &barely),
        "a token expired a minute ago",
    )
    .await;
}

#[tokio::test]
async fn a_token_that_is_not_yet_valid_is_refused() {
    let app = spawn_app().await;
    let genuine = genuine(&app).await;
    let now = now();
    let early = with(
        &genuine.claims,
        json!({ "iat": now, "nbf": now + 3600, "exp": now + 7200 }),
    );
    assert_refused(
        &app,
        &sign_eddsa(&genuine.private_pem, Some(&genuine.kid), &early),
        "nbf in the future",
    )
    .await;
}

#[tokio::test]
async fn a_token_with_exp_as_a_string_is_refused() {
    let app = spawn_app().await;
    let genuine = genuine(&app).await;
    let stringly = with(&genuine.claims, json!({ "exp": "9999999999" }));
    assert_refused(
        &app,
        &sign_eddsa(&genuine.private_pem, Some(&genuine.kid), &stringly),
        "exp as a string",
    )
    .await;
    let stringly_nbf = with(&genuine.claims, json!({ "nbf": "0" }));
    assert_refused(
        &app,
        &sign_eddsa(&genuine.private_pem, Some(&genuine.kid), &stringly_nbf),
        "nbf as a string",
    )
    .await;
}

#[tokio::test]
async fn a_token_with_missing_time_claims_is_refused() {
    let app = spawn_app().await;
    let genuine = genuine(&app).await;
    for claim in ["exp", "nbf", "iss", "aud", "sub"] {
        let mut claims = genuine.claims.clone();
        claims.as_object_mut().expect("object").remove(claim);
        assert_refused(
            &app,
            &sign_eddsa(&genuine.private_pem, Some(&genuine.kid), &claims),
            &format!("without {claim}"),
        )
        .await;
    }
}

#[tokio::test]
async fn a_token_for_another_audience_or_issuer_is_refused() {
    let app = spawn_app().await;
    let genuine = genuine(&app).await;
    let key = &genuine.private_pem;
    let kid = Some(genuine.kid.as_str());
    for (what, changes) in [
        ("wrong aud", json!({ "aud": "https://evil.example/auth" })),
        (
            "aud list without us",
            json!({ "aud": ["https://evil.example/auth"] }),
        ),
        ("wrong iss", json!({ "iss": "https://evil.example/auth" })),
        (
            "iss of another port",
            json!({ "iss": "http://127.0.0.1:1/auth" }),
        ),
    ] {
        assert_refused(
            &app,
            &sign_eddsa(key, kid, &with(&genuine.claims, changes)),
            what,
        )
        .await;
    }
}

#[tokio::test]
async fn an_edited_payload_with_the_original_signature_is_refused() {
    let app = spawn_app().await;
    let genuine = genuine(&app).await;
    app.register_ok(&browser(), "13800138002").await;
    let victim = app.user_id_of("13800138002").await;
    let parts: Vec<&str> = genuine.token.split('.').collect();
    let edited = with(&genuine.claims, json!({ "sub": victim.to_string() }));
    let tampered = format!("{}.{}.{}", parts[0], b64(&edited), parts[2]);
    assert_refused(&app, &tampered, "the payload with another sub").await;
    let longer = with(
        &genuine.claims,
        json!({ "exp": now() + 10 * 365 * 24 * 3600 }),
    );
    assert_refused(
        &app,
        &format!("{}.{}.{}", parts[0], b64(&longer), parts[2]),
        "the payload with a later exp",
    )
    .await;
    // The unedited token still works: only the edit was refused.
    assert_accepted(&app, &genuine.token, "the genuine token").await;
}

#[tokio::test]
async fn a_validly_signed_token_whose_sub_does_not_own_the_session_is_refused() {
    let app = spawn_app().await;
    let genuine = genuine(&app).await;
    app.register_ok(&browser(), "13800138002").await;
    let victim = app.user_id_of("13800138002").await;
    let claims = with(&genuine.claims, json!({ "sub": victim.to_string() }));
    assert_refused(
        &app,
        &sign_eddsa(&genuine.private_pem, Some(&genuine.kid), &claims),
        "sub of another user",
    )
    .await;
    let claims = with(
        &genuine.claims,
        json!({ "sid": "00000000000000000000000000000000" }),
    );
    assert_refused(
        &app,
        &sign_eddsa(&genuine.private_pem, Some(&genuine.kid), &claims),
        "an unknown sid",
    )
    .await;
}

#[tokio::test]
async fn the_tokens_of_a_logged_out_session_are_refused() {
    let app = spawn_app().await;
    let reply = app.register_ok(&app.client, "13800138001").await;
    let token = reply.session_token();
    let refresh = reply.cookie_value("bjm_refresh").expect("refresh cookie");
    assert_accepted(&app, &token, "before logout").await;
    let refreshed = whoami_with_cookie(&app, &format!("bjm_refresh={refresh}")).await;
    assert_eq!(
        refreshed.status, 200,
        "the refresh token alone renews a live session: {}",
        refreshed.body
    );
    assert!(
        refreshed
            .cookie_value("bjm_session")
            .is_some_and(|value| !value.is_empty())
    );

    let logout = app.post_fn("auth/logout", &[]).await;
    assert_eq!(logout.status, 200, "{}", logout.body);
    assert_eq!(
        logout.cookie_value("bjm_session").as_deref(),
        Some(""),
        "logout deletes the cookie"
    );
    assert_refused(&app, &token, "the access token after logout").await;
    let stale = whoami_with_cookie(&app, &format!("bjm_refresh={refresh}")).await;
    assert_eq!(
        stale.status, 401,
        "the refresh token after logout: {}",
        stale.body
    );
    let both =
        whoami_with_cookie(&app, &format!("bjm_session={token}; bjm_refresh={refresh}")).await;
    assert_eq!(both.status, 401, "both tokens after logout: {}", both.body);
}

async fn whoami_with_cookie(app: &TestApp, cookie: &str) -> Reply {
    let origin = app.origin.clone();
    app.post_raw(
        &crate::common::bare_client(),
        "session/whoami",
        "application/x-www-form-urlencoded",
        Vec::new(),
        &[("origin", &origin), ("cookie", cookie)],
    )
    .await
}

#[tokio::test]
async fn the_token_of_a_demoted_admin_is_refused() {
    let app = spawn_app().await;
    app.signed_in_admin().await;
    let (deputy_id, _) = app
        .create_staff_via_cli_service("deputy@qixia.test.cn", "admin", None, None)
        .await;
    let deputy = browser();
    let token = app
        .login_staff(&deputy, "deputy@qixia.test.cn", PASSWORD)
        .await
        .session_token();
    assert_eq!(
        assert_accepted(&app, &token, "the deputy before the change").await["role"],
        "Admin"
    );

    let id = deputy_id.to_string();
    let change = app
        .post_fn(
            "admin/staff/role",
            &[
                ("user_id", &id),
                ("role", "inspector"),
                ("department_id", ""),
                ("service_centre_id", ""),
            ],
        )
        .await;
    assert_eq!(change.status, 200, "{}", change.body);
    assert_refused(&app, &token, "the token of the demoted admin").await;
    let jar = app.whoami(&deputy).await;
    assert_eq!(
        jar.status, 401,
        "the refresh cookie does not bring the session back: {}",
        jar.body
    );

    // Signing in again gives the new role, which no longer reaches admin functions.
    app.login_staff(&deputy, "deputy@qixia.test.cn", PASSWORD)
        .await;
    assert_eq!(app.whoami(&deputy).await.json()["role"], "Inspector");
    assert_eq!(
        app.post_fn_as(&deputy, "admin/staff/list", &[])
            .await
            .status,
        403
    );
}

#[tokio::test]
async fn the_token_of_a_removed_staff_member_is_refused() {
    let app = spawn_app().await;
    app.signed_in_admin().await;
    let (inspector_id, _) = app
        .create_staff_via_cli_service("hecha@qixia.test.cn", "inspector", None, None)
        .await;
    let inspector = browser();
    let token = app
        .login_staff(&inspector, "hecha@qixia.test.cn", PASSWORD)
        .await
        .session_token();
    assert_accepted(&app, &token, "the inspector before removal").await;

    let removal = app
        .post_fn(
            "admin/staff/remove",
            &[("user_id", &inspector_id.to_string())],
        )
        .await;
    assert_eq!(removal.status, 200, "{}", removal.body);
    assert_refused(&app, &token, "the token of the removed inspector").await;
    assert_eq!(
        app.whoami(&inspector).await.status,
        401,
        "nor does the refresh cookie work"
    );
    let again = app.login(&inspector, "hecha@qixia.test.cn", PASSWORD).await;
    assert_eq!(
        again.status, 401,
        "a removed person cannot sign in: {}",
        again.body
    );
    assert_eq!(again.json(), json!("BadCredentials"));
}

#[tokio::test]
async fn a_password_change_revokes_the_other_sessions_only() {
    let app = spawn_app().await;
    let first = app
        .register_ok(&app.client, "13800138001")
        .await
        .session_token();
    let laptop = browser();
    let second = app.login(&laptop, "13800138001", PASSWORD).await;
    assert_eq!(second.status, 200, "{}", second.body);
    let second = second.session_token();
    assert_accepted(&app, &first, "the first session before the change").await;

    let change = app
        .post_fn_as(
            &laptop,
            "account/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", OTHER_PASSWORD),
            ],
        )
        .await;
    assert_eq!(change.status, 200, "{}", change.body);
    assert_refused(
        &app,
        &first,
        "the other session's token after the password change",
    )
    .await;
    assert_eq!(
        app.whoami(&app.client).await.status,
        401,
        "its refresh cookie is revoked too"
    );
    assert_accepted(&app, &second, "the session that changed the password").await;

    assert_eq!(
        app.login(&browser(), "13800138001", PASSWORD).await.status,
        401,
        "the old password is gone"
    );
    assert_eq!(
        app.login(&browser(), "13800138001", OTHER_PASSWORD)
            .await
            .status,
        200,
        "the new one works"
    );
}

/// Sends a server-function call whose only credential is `token` as the access cookie.
async fn call_with_token(app: &TestApp, token: &str, path: &str, form: &[(&str, &str)]) -> Reply {
    let origin = app.origin.clone();
    let cookie = format!("bjm_session={token}");
    app.post_raw(
        &crate::common::bare_client(),
        path,
        "application/x-www-form-urlencoded",
        crate::common::form_body(form).into_bytes(),
        &[("origin", &origin), ("cookie", &cookie)],
    )
    .await
}

#[tokio::test]
async fn forged_tokens_reach_no_state_changing_function_and_change_nothing() {
    // The applicant's genuine token is the forger's material; the target is the admin's power.
    let app = spawn_app().await;
    let genuine = genuine(&app).await;
    let (admin_id, _) = app
        .create_staff_via_cli_service("admin@qixia.test.cn", "admin", None, None)
        .await;
    let admin = browser();
    app.login_staff(&admin, "admin@qixia.test.cn", PASSWORD)
        .await;
    let key = genuine.private_pem.as_str();
    let kid = Some(genuine.kid.as_str());
    let parts: Vec<&str> = genuine.token.split('.').collect();
    let as_admin = with(&genuine.claims, json!({ "sub": admin_id.to_string() }));
    let with_role = with(&genuine.claims, json!({ "role": "admin" }));
    let now = now();
    let public_pem = ed25519_dalek::SigningKey::from_pkcs8_pem(key)
        .expect("server key")
        .verifying_key()
        .to_public_key_pem(Default::default())
        .expect("public PEM");
    let mut hs256 = Header::new(Algorithm::HS256);
    hs256.kid = kid.map(str::to_owned);
    let forgeries: Vec<(&str, String)> = vec![
        (
            "alg none as the admin",
            format!(
                "{}.{}.",
                b64(&json!({ "alg": "none", "typ": "JWT" })),
                b64(&as_admin)
            ),
        ),
        (
            "HS256 keyed with the public key, as the admin",
            jsonwebtoken::encode(
                &hs256,
                &as_admin,
                &EncodingKey::from_secret(public_pem.as_bytes()),
            )
            .expect("HMAC"),
        ),
        (
            "sub changed to the admin, old signature",
            format!("{}.{}.{}", parts[0], b64(&as_admin), parts[2]),
        ),
        (
            "a role claim added, old signature",
            format!("{}.{}.{}", parts[0], b64(&with_role), parts[2]),
        ),
        (
            "expired",
            sign_eddsa(
                key,
                kid,
                &with(
                    &genuine.claims,
                    json!({ "iat": now - 7200, "nbf": now - 7200, "exp": now - 3600 }),
                ),
            ),
        ),
        (
            "wrong aud",
            sign_eddsa(
                key,
                kid,
                &with(&genuine.claims, json!({ "aud": "https://evil.example" })),
            ),
        ),
        (
            "wrong iss",
            sign_eddsa(
                key,
                kid,
                &with(&genuine.claims, json!({ "iss": "https://evil.example" })),
            ),
        ),
        (
            "unknown kid",
            sign_eddsa(key, Some("fedcba9876543210"), &genuine.claims),
        ),
        (
            "truncated: no signature",
            format!("{}.{}.", parts[0], parts[1]),
        ),
        ("truncated: two parts", format!("{}.{}", parts[0], parts[1])),
        (
            "truncated: signature cut short",
            genuine.token[..genuine.token.len() - 6].to_owned(),
        ),
        (
            "truncated: half the token",
            genuine.token[..genuine.token.len() / 2].to_owned(),
        ),
        ("truncated: the header alone", parts[0].to_owned()),
    ];
    let calls: [(&str, Vec<(&str, &str)>); 5] = [
        (
            "admin/staff/create",
            vec![
                ("login", "mole@qixia.test.cn"),
                ("display_name", "内鬼"),
                ("role", "admin"),
                ("department_id", ""),
                ("service_centre_id", ""),
                ("initial_password", PASSWORD),
            ],
        ),
        ("admin/staff/list", vec![]),
        (
            "applications/start",
            vec![("target", "item"), ("code", "SCJG-XK-001")],
        ),
        (
            "account/password",
            vec![
                ("current_password", PASSWORD),
                ("new_password", OTHER_PASSWORD),
            ],
        ),
        ("auth/logout", vec![]),
    ];
    let before = app.fingerprint(&[]).await;
    for (what, token) in &forgeries {
        for (path, form) in &calls {
            let reply = call_with_token(&app, token, path, form).await;
            assert_eq!(
                (reply.status, reply.json()),
                (401, json!("Unauthenticated")),
                "{what} → {path}"
            );
        }
    }
    assert_eq!(
        app.fingerprint(&[]).await,
        before,
        "a forged token changed the database"
    );
    // The controls: the genuine token passes authentication (and the applicant may not list
    // staff); the admin's own session still works.
    let listed = call_with_token(&app, &genuine.token, "admin/staff/list", &[]).await;
    assert_eq!(listed.status, 403, "{}", listed.body);
    assert_eq!(app.whoami(&admin).await.json()["role"], "Admin");
}

#[tokio::test]
async fn a_validly_signed_role_claim_grants_nothing() {
    // The role comes from the account, never from the token: even the server's own key
    // signing `role: admin` into an applicant's token gives no admin function.
    let app = spawn_app().await;
    let genuine = genuine(&app).await;
    let claims = with(
        &genuine.claims,
        json!({ "role": "admin", "roles": ["admin"] }),
    );
    let token = sign_eddsa(&genuine.private_pem, Some(&genuine.kid), &claims);
    assert_eq!(
        assert_accepted(&app, &token, "extra claims").await["role"],
        "Applicant"
    );
    let before = app.fingerprint(&[]).await;
    let refused = call_with_token(&app, &token, "admin/staff/list", &[]).await;
    assert_eq!((refused.status, refused.json()), (403, json!("Forbidden")));
    assert_eq!(app.fingerprint(&[]).await, before);
}
