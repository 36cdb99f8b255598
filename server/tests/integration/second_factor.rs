//! Proves that staff cannot get a session with the password alone: the password step answers
//! `EnrolTotp` / `NeedTotp` without setting any session cookie; a wrong or malformed code is a
//! 422 naming `TotpCode` and still no session; a forged challenge or a used-up challenge is
//! refused; the correct code signs in; and the same code cannot be replayed for another sign-in.

use app::backend::audit::Actor;
use app::backend::auth::totp;
use app::backend::services::staff::{self, NewStaff};
use serde_json::json;

use crate::common::{PASSWORD, Reply, TestApp, browser, field_problems, spawn_app, unix_secs};

/// A six-digit code that is not valid for `secret` anywhere near now.
fn wrong_code(secret: &str) -> String {
    let now = unix_secs();
    let valid: Vec<String> = [
        now - 90,
        now - 60,
        now - 30,
        now,
        now + 30,
        now + 60,
        now + 90,
    ]
    .into_iter()
    .map(|at| totp::code_at(secret, at).expect("code"))
    .collect();
    (0u32..)
        .map(|n| format!("{:06}", (123_457 + n * 7_919) % 1_000_000))
        .find(|code| !valid.contains(code))
        .expect("some code is wrong")
}

fn assert_no_session_cookie(reply: &Reply, what: &str) {
    for name in ["bjm_session", "bjm_refresh"] {
        assert!(
            reply
                .cookie_value(name)
                .is_none_or(|value| value.is_empty()),
            "{what} must not set {name}: {:?}",
            reply.set_cookies()
        );
    }
}

async fn sessions_of(app: &TestApp, user_id: i64) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .fetch_one(app.state.db.pool())
        .await
        .expect("count sessions")
}

#[tokio::test]
async fn a_new_staff_member_enrols_and_never_gets_a_session_without_the_right_code() {
    let app = spawn_app().await;
    let user_id = staff::create(
        &app.state,
        &Actor::system("test"),
        NewStaff {
            login: "hecha@qixia.test.cn",
            display_name: "赵核查",
            role: "inspector",
            department_id: None,
            service_centre_id: None,
            initial_password: PASSWORD,
        },
        None,
    )
    .await
    .expect("creating the inspector");
    let desk = browser();

    // Password step: an enrolment challenge, no session.
    let first = app.login(&desk, "hecha@qixia.test.cn", PASSWORD).await;
    assert_eq!(first.status, 200, "{}", first.body);
    assert_no_session_cookie(&first, "the password step");
    let enrol = first.json()["EnrolTotp"].clone();
    let challenge = enrol["challenge"].as_str().expect("challenge").to_owned();
    let secret = enrol["secret"].as_str().expect("secret").to_owned();
    assert!(
        enrol["otpauth_uri"]
            .as_str()
            .is_some_and(|uri| uri.starts_with("otpauth://totp/"))
    );
    assert!(
        enrol["qr_svg"]
            .as_str()
            .is_some_and(|svg| svg.contains("<svg"))
    );
    assert_eq!(
        app.whoami(&desk).await.status,
        401,
        "password alone gives no session"
    );
    assert_eq!(
        app.totp_secret_of("hecha@qixia.test.cn").await,
        None,
        "not enrolled before the first code"
    );

    // A wrong code: 422 naming the code, still no session.
    let wrong = app.totp(&desk, &challenge, &wrong_code(&secret)).await;
    assert_eq!(wrong.status, 422, "{}", wrong.body);
    assert_eq!(
        wrong.json(),
        json!({ "Invalid": [{ "field": "TotpCode", "problem": "WrongCode" }] })
    );
    assert_no_session_cookie(&wrong, "a wrong code");
    // A malformed code: 422 naming the code.
    let malformed = app.totp(&desk, &challenge, "12ab56").await;
    assert_eq!(malformed.status, 422, "{}", malformed.body);
    assert_eq!(field_problems(&malformed.json())[0].0, "TotpCode");
    assert_eq!(app.whoami(&desk).await.status, 401);
    assert_eq!(sessions_of(&app, user_id).await, 0);

    // The right code: signed in and enrolled.
    let code = totp::code_at(&secret, unix_secs()).expect("code");
    let right = app.totp(&desk, &challenge, &code).await;
    assert_eq!(right.status, 200, "{}", right.body);
    assert_eq!(right.json(), json!("/inspections"));
    right.session_token();
    let me = app.whoami(&desk).await;
    assert_eq!(me.status, 200, "{}", me.body);
    assert_eq!(me.json()["role"], "Inspector");
    assert_eq!(
        app.totp_secret_of("hecha@qixia.test.cn").await.as_deref(),
        Some(secret.as_str())
    );

    // The used challenge cannot start a second session.
    let reused = app.totp(&browser(), &challenge, &code).await;
    assert_eq!(reused.status, 401, "{}", reused.body);
    assert_eq!(reused.json(), json!("BadSecondFactor"));

    // Replay: the same code for a new sign-in is refused…
    let thief = browser();
    let again = app.login(&thief, "hecha@qixia.test.cn", PASSWORD).await;
    assert_eq!(again.status, 200, "{}", again.body);
    assert_no_session_cookie(&again, "the second password step");
    let challenge = again.json()["NeedTotp"]["challenge"]
        .as_str()
        .expect("NeedTotp once enrolled")
        .to_owned();
    let replay = app.totp(&thief, &challenge, &code).await;
    assert_eq!(
        replay.status, 422,
        "a replayed code must be refused: {}",
        replay.body
    );
    assert_eq!(
        field_problems(&replay.json()),
        vec![("TotpCode".to_owned(), "WrongCode".to_owned())]
    );
    assert_no_session_cookie(&replay, "a replayed code");
    assert_eq!(app.whoami(&thief).await.status, 401);
    assert_eq!(sessions_of(&app, user_id).await, 1);

    // …while a fresh code on the same challenge works: the refusal was the replay.
    let fresh = app.next_totp_code("hecha@qixia.test.cn", &secret).await;
    assert_ne!(fresh, code);
    let ok = app.totp(&thief, &challenge, &fresh).await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert_eq!(app.whoami(&thief).await.status, 200);
}

#[tokio::test]
async fn an_enrolled_staff_member_needs_the_code_and_a_genuine_challenge() {
    let app = spawn_app().await;
    let (user_id, secret) = app
        .create_staff_via_cli_service("shenpi@qixia.test.cn", "inspector", None, None)
        .await;
    let desk = browser();
    let first = app.login(&desk, "shenpi@qixia.test.cn", PASSWORD).await;
    assert_eq!(first.status, 200, "{}", first.body);
    assert_no_session_cookie(&first, "the password step");
    let outcome = first.json();
    assert!(
        outcome.get("EnrolTotp").is_none(),
        "an enrolled account is never shown its secret again"
    );
    let challenge = outcome["NeedTotp"]["challenge"]
        .as_str()
        .expect("NeedTotp")
        .to_owned();
    assert_eq!(app.whoami(&desk).await.status, 401);

    let code = totp::code_at(&secret, unix_secs()).expect("code");
    for forged in ["", "0000", &app::backend::random_token(24)] {
        let reply = app.totp(&desk, forged, &code).await;
        assert_eq!(reply.status, 401, "challenge {forged:?}: {}", reply.body);
        assert_eq!(reply.json(), json!("BadSecondFactor"));
        assert_no_session_cookie(&reply, "a forged challenge");
    }
    assert_eq!(sessions_of(&app, user_id).await, 0);

    let ok = app.totp(&desk, &challenge, &code).await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert_eq!(app.whoami(&desk).await.status, 200);
    assert_eq!(sessions_of(&app, user_id).await, 1);
}

#[tokio::test]
async fn a_challenge_is_used_up_after_five_wrong_codes() {
    let app = spawn_app().await;
    let (_, secret) = app
        .create_staff_via_cli_service("qiantai@qixia.test.cn", "inspector", None, None)
        .await;
    let desk = browser();
    let first = app.login(&desk, "qiantai@qixia.test.cn", PASSWORD).await;
    let challenge = first.json()["NeedTotp"]["challenge"]
        .as_str()
        .expect("NeedTotp")
        .to_owned();
    let wrong = wrong_code(&secret);
    for attempt in 1..=5 {
        let reply = app.totp(&desk, &challenge, &wrong).await;
        assert_eq!(reply.status, 422, "attempt {attempt}: {}", reply.body);
    }
    let right = app
        .totp(
            &desk,
            &challenge,
            &totp::code_at(&secret, unix_secs()).expect("code"),
        )
        .await;
    assert_eq!(
        right.status, 401,
        "the challenge is used up: {}",
        right.body
    );
    assert_eq!(right.json(), json!("BadSecondFactor"));
    assert_eq!(app.whoami(&desk).await.status, 401);
}
