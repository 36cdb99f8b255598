//! Proves the applicant account rules over HTTP: passwords are stored only as salted Argon2id
//! hashes; the per-account sign-in limit answers 429 after five wrong passwords (even for the
//! right one) and treats unknown accounts exactly like known ones; registration and password
//! changes with a taken login, a weak password or a malformed phone/email are refused with the
//! offending field named (409 / 422) and write nothing — no user, no session, no audit entry.

use serde_json::{Value, json};

use crate::common::{
    OTHER_PASSWORD, PASSWORD, TestApp, browser, error_kind, field_problems, names_field, spawn_app,
};

#[tokio::test]
async fn passwords_are_stored_as_salted_argon2id_hashes() {
    let app = spawn_app().await;
    app.register_ok(&app.client, "13800138001").await;
    app.register_ok(&browser(), "zhang.san@example.cn").await;
    let hashes: Vec<String> = sqlx::query_scalar("SELECT password_hash FROM users ORDER BY id")
        .fetch_all(app.state.db.pool())
        .await
        .expect("reading hashes");
    assert_eq!(hashes.len(), 2);
    for hash in &hashes {
        assert!(hash.starts_with("$argon2id$"), "not Argon2id: {hash}");
        assert!(
            hash.contains("m=19456,t=2,p=1"),
            "weaker than OWASP's minimum: {hash}"
        );
        assert!(!hash.contains(PASSWORD), "the hash contains the password");
    }
    assert_ne!(
        hashes[0], hashes[1],
        "the same password must hash differently (salt)"
    );
}

/// Five wrong passwords for `login` from a fresh browser; returns the five replies.
async fn five_wrong_passwords(app: &TestApp, login: &str) -> Vec<(u16, Value)> {
    let client = browser();
    let mut replies = Vec::new();
    for attempt in 1..=5 {
        let reply = app
            .login(&client, login, &format!("Wrong-password-{attempt}"))
            .await;
        assert!(
            reply.cookie_value("bjm_session").is_none(),
            "a failed login sets no session"
        );
        replies.push((reply.status, reply.json()));
    }
    replies
}

#[tokio::test]
async fn the_sixth_attempt_after_five_wrong_passwords_is_rate_limited_even_with_the_right_password()
{
    let app = spawn_app().await;
    app.register_ok(&browser(), "13800138001").await;
    crate::common::wait_for_minute_window_with(20).await;

    let replies = five_wrong_passwords(&app, "13800138001").await;
    for (status, body) in &replies {
        assert_eq!((*status, body), (401, &json!("BadCredentials")));
    }
    let client = browser();
    let sixth = app.login(&client, "13800138001", PASSWORD).await;
    assert_eq!(sixth.status, 429, "{}", sixth.body);
    let retry = sixth.json()["RateLimited"]["retry_after_secs"]
        .as_u64()
        .expect("retry_after_secs");
    assert!((1..=60).contains(&retry), "retry after {retry}s");
    assert!(
        sixth.cookie_value("bjm_session").is_none(),
        "a limited attempt sets no session"
    );
    assert_eq!(app.whoami(&client).await.status, 401);

    // The limit is per account: another account signs in normally meanwhile.
    app.register_ok(&browser(), "13800138002").await;
    let other = app.login(&browser(), "13800138002", PASSWORD).await;
    assert_eq!(other.status, 200, "{}", other.body);
}

#[tokio::test]
async fn an_unknown_account_gets_the_same_answers_as_a_known_one() {
    let app = spawn_app().await;
    app.register_ok(&browser(), "13800138001").await;
    let users = app.count("users").await;
    crate::common::wait_for_minute_window_with(20).await;

    let known = five_wrong_passwords(&app, "13800138001").await;
    let unknown = five_wrong_passwords(&app, "13900139009").await;
    assert_eq!(
        known, unknown,
        "wrong password and unknown account must be indistinguishable"
    );
    assert!(
        known
            .iter()
            .all(|(status, body)| *status == 401 && body == &json!("BadCredentials"))
    );

    let known_sixth = app.login(&browser(), "13800138001", PASSWORD).await;
    let unknown_sixth = app.login(&browser(), "13900139009", PASSWORD).await;
    assert_eq!(known_sixth.status, 429, "{}", known_sixth.body);
    assert_eq!(unknown_sixth.status, 429, "{}", unknown_sixth.body);
    assert_eq!(error_kind(&known_sixth.json()), "RateLimited");
    assert_eq!(error_kind(&unknown_sixth.json()), "RateLimited");
    assert_eq!(
        app.count("users").await,
        users,
        "probing an unknown account creates nothing"
    );
}

/// Registers with the given fields and checks that it is refused with `status`, naming `field`,
/// and that nothing was written.
async fn assert_registration_refused(
    app: &TestApp,
    login: &str,
    password: &str,
    status: u16,
    field: &str,
) -> Value {
    let before = app.snapshot().await;
    let client = browser();
    let reply = app.register(&client, login, "李四", password).await;
    assert_eq!(
        reply.status, status,
        "register {login:?} / {password:?}: {}",
        reply.body
    );
    let body = reply.json();
    assert!(
        names_field(&body, field),
        "register {login:?} / {password:?} must name {field}: {body}"
    );
    assert!(
        reply.cookie_value("bjm_session").is_none(),
        "a refused registration sets no session"
    );
    assert_eq!(
        app.snapshot().await,
        before,
        "a refused registration writes nothing ({login:?})"
    );
    assert_eq!(app.whoami(&client).await.status, 401);
    body
}

#[tokio::test]
async fn registering_a_taken_login_is_a_conflict_naming_the_login() {
    let app = spawn_app().await;
    app.register_ok(&browser(), "13800138001").await;
    app.register_ok(&browser(), "Zhang@Example.CN").await;
    for taken in [
        "13800138001",
        "+86 138-0013-8001",
        "8613800138001",
        "Zhang@example.cn",
        " Zhang@EXAMPLE.cn ",
    ] {
        let body = assert_registration_refused(&app, taken, OTHER_PASSWORD, 409, "Login").await;
        assert_eq!(
            body,
            json!({ "Conflict": [{ "field": "Login", "problem": "AlreadyRegistered" }] })
        );
    }
    assert_eq!(app.count("users").await, 2);
}

#[tokio::test]
async fn registering_with_a_weak_password_is_refused_naming_the_password() {
    let app = spawn_app().await;
    for (password, problem) in [
        ("", "Required"),
        ("short1", "TooShort"),
        ("abcdefghijkl", "PasswordNeedsLetterAndDigit"),
        ("123456789012", "PasswordNeedsLetterAndDigit"),
        ("Password123", "PasswordTooCommon"),
        ("woaini1314520", "PasswordTooCommon"),
        ("x13800138001y", "PasswordContainsLogin"),
    ] {
        let body =
            assert_registration_refused(&app, "13800138001", password, 422, "Password").await;
        assert_eq!(
            field_problems(&body),
            vec![("Password".to_owned(), problem.to_owned())],
            "{password:?}"
        );
    }
    let too_long = "a1".repeat(65);
    assert_registration_refused(&app, "13800138001", &too_long, 422, "Password").await;
    assert_eq!(app.count("users").await, 0);
}

#[tokio::test]
async fn registering_with_a_malformed_phone_or_email_is_refused_naming_the_login() {
    let app = spawn_app().await;
    for (login, problem) in [
        ("1380013800", "InvalidPhone"),
        ("138001380012", "InvalidPhone"),
        ("12800138001", "InvalidPhone"),
        ("1380013800a", "InvalidPhone"),
        ("zhang@example", "InvalidEmail"),
        ("zhang@@example.cn", "InvalidEmail"),
        ("zhang san@example.cn", "InvalidEmail"),
        ("<script>@example.cn", "InvalidEmail"),
        ("zhangsan", "NotPhoneOrEmail"),
        ("", "Required"),
    ] {
        let body = assert_registration_refused(&app, login, PASSWORD, 422, "Login").await;
        assert_eq!(
            field_problems(&body),
            vec![("Login".to_owned(), problem.to_owned())],
            "{login:?}"
        );
    }
    assert_eq!(app.count("users").await, 0);
}

#[tokio::test]
async fn every_problem_of_a_registration_is_reported_at_once() {
    let app = spawn_app().await;
    let before = app.snapshot().await;
    let reply = app.register(&app.client, "abc", "", "short").await;
    assert_eq!(reply.status, 422, "{}", reply.body);
    let fields: Vec<String> = field_problems(&reply.json())
        .into_iter()
        .map(|(field, _)| field)
        .collect();
    assert_eq!(fields, ["Login", "DisplayName", "Password"]);
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn a_valid_registration_writes_the_user_a_session_and_audit_entries() {
    // The control for the refusals above: the same counters do move when input is valid.
    let app = spawn_app().await;
    let before = app.snapshot().await;
    let reply = app
        .register(&app.client, "+86 138 0013 8001", "王五", PASSWORD)
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.json(), json!("/my/cases"));
    assert_eq!(app.count("users").await, 1);
    assert_eq!(app.count("sessions").await, 1);
    assert_eq!(app.count("audit_log").await, 2);
    assert_ne!(app.snapshot().await, before);
    let me = app.whoami(&app.client).await.json();
    assert_eq!(me["role"], "Applicant");
    assert_eq!(me["display_name"], "王五");
    assert_eq!(
        me["login_masked"], "138****8001",
        "the login is stored normalised and shown masked"
    );
}

#[tokio::test]
async fn a_password_change_with_a_wrong_current_password_or_a_weak_new_one_changes_nothing() {
    let app = spawn_app().await;
    app.register_ok(&app.client, "13800138001").await;
    let hash_before: String = sqlx::query_scalar("SELECT password_hash FROM users")
        .fetch_one(app.state.db.pool())
        .await
        .expect("hash");
    let before = app.snapshot().await;
    for (current, new, field) in [
        ("Not-my-password-1", OTHER_PASSWORD, "Password"),
        (PASSWORD, "short1", "NewPassword"),
        (PASSWORD, "Password123", "NewPassword"),
        (PASSWORD, "x13800138001y", "NewPassword"),
        ("", OTHER_PASSWORD, "Password"),
    ] {
        let reply = app
            .post_fn(
                "account/password",
                &[("current_password", current), ("new_password", new)],
            )
            .await;
        assert_eq!(reply.status, 422, "{current:?} → {new:?}: {}", reply.body);
        assert!(
            names_field(&reply.json(), field),
            "{current:?} → {new:?} must name {field}: {}",
            reply.body
        );
    }
    let hash_after: String = sqlx::query_scalar("SELECT password_hash FROM users")
        .fetch_one(app.state.db.pool())
        .await
        .expect("hash");
    assert_eq!(hash_before, hash_after);
    assert_eq!(app.snapshot().await, before);
    assert_eq!(
        app.whoami(&app.client).await.status,
        200,
        "the session survives refused changes"
    );

    // Anonymous callers cannot change any password.
    let anonymous = app
        .post_fn_as(
            &browser(),
            "account/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", OTHER_PASSWORD),
            ],
        )
        .await;
    assert_eq!(anonymous.status, 401, "{}", anonymous.body);
}
