//! Proves the audit trail (全程留痕) over real requests: registration, sign-in and sign-out each
//! leave a hash-chained entry, `verify_chain` accepts the untouched log, and editing any column
//! of a row, deleting a row or re-linking the chain afterwards is detected; an entry written
//! past the application that does not follow the last one is refused by the database.

use app::backend::audit::{ChainError, verify_chain};

use crate::common::{PASSWORD, TestApp, browser, spawn_app};

async fn verify(app: &TestApp) -> Result<u64, ChainError> {
    let mut conn = app.state.db.pool().acquire().await.expect("connection");
    verify_chain(&mut conn).await
}

async fn actions(app: &TestApp) -> Vec<String> {
    sqlx::query_scalar("SELECT action FROM audit_log ORDER BY id")
        .fetch_all(app.state.db.pool())
        .await
        .expect("audit actions")
}

/// Register, sign in on a second browser, sign out there: returns the app with its log.
async fn app_with_history() -> TestApp {
    let app = spawn_app().await;
    app.register_ok(&app.client, "13800138001").await;
    let other = browser();
    let login = app.login(&other, "13800138001", PASSWORD).await;
    assert_eq!(login.status, 200, "{}", login.body);
    let logout = app.post_fn_as(&other, "auth/logout", &[]).await;
    assert_eq!(logout.status, 200, "{}", logout.body);
    app
}

#[tokio::test]
async fn register_login_and_logout_are_recorded_in_an_intact_chain() {
    let app = app_with_history().await;
    assert_eq!(
        actions(&app).await,
        [
            "account.register",
            "session.start",
            "session.start",
            "session.end"
        ]
    );
    let entries = verify(&app).await.expect("the untouched chain verifies");
    assert!(entries >= 3, "{entries}");
    assert_eq!(
        i64::try_from(entries).expect("count"),
        app.count("audit_log").await
    );

    let user_id = app.user_id_of("13800138001").await;
    let (actor, subject, detail): (Option<i64>, String, String) = sqlx::query_as(
        "SELECT actor_user_id, subject, detail FROM audit_log WHERE action = 'account.register'",
    )
    .fetch_one(app.state.db.pool())
    .await
    .expect("the registration entry");
    assert_eq!(actor, Some(user_id));
    assert_eq!(subject, format!("user:{user_id}"));
    assert!(
        detail.contains("138****8001") && !detail.contains("13800138001"),
        "the log holds the masked login only: {detail}"
    );
    assert!(!detail.contains(PASSWORD));
}

#[tokio::test]
async fn editing_the_detail_of_one_entry_breaks_the_chain() {
    let app = app_with_history().await;
    assert!(verify(&app).await.is_ok());
    app.disable_audit_guard().await;
    let target: i64 = sqlx::query_scalar(
        "SELECT id FROM audit_log WHERE action = 'session.start' ORDER BY id LIMIT 1",
    )
    .fetch_one(app.state.db.pool())
    .await
    .expect("an entry");
    sqlx::query("UPDATE audit_log SET detail = $1 WHERE id = $2")
        .bind(r#"{"session":"deadbeef"}"#)
        .bind(target)
        .execute(app.state.db.pool())
        .await
        .expect("tampering");
    match verify(&app).await {
        Err(ChainError::ContentChanged { id }) => assert_eq!(id, target),
        other => panic!("tampering went unnoticed: {other:?}"),
    }
}

#[tokio::test]
async fn editing_who_or_when_is_detected_too() {
    for (column_update, what) in [
        (
            "UPDATE audit_log SET actor_label = 'system' WHERE id = $1",
            "actor",
        ),
        (
            "UPDATE audit_log SET at = at - 86400000 WHERE id = $1",
            "time",
        ),
        ("UPDATE audit_log SET ip = '10.0.0.1' WHERE id = $1", "ip"),
    ] {
        let app = app_with_history().await;
        app.disable_audit_guard().await;
        let last: i64 = sqlx::query_scalar("SELECT MAX(id) FROM audit_log")
            .fetch_one(app.state.db.pool())
            .await
            .expect("last id");
        sqlx::query(column_update)
            .bind(last)
            .execute(app.state.db.pool())
            .await
            .expect("tampering");
        assert!(
            matches!(verify(&app).await, Err(ChainError::ContentChanged { id }) if id == last),
            "changing the {what} of the last entry went unnoticed"
        );
    }
}

#[tokio::test]
async fn deleting_an_entry_breaks_the_chain() {
    let app = app_with_history().await;
    app.disable_audit_guard().await;
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM audit_log ORDER BY id")
        .fetch_all(app.state.db.pool())
        .await
        .expect("ids");
    sqlx::query("DELETE FROM audit_log WHERE id = $1")
        .bind(ids[1])
        .execute(app.state.db.pool())
        .await
        .expect("deleting");
    match verify(&app).await {
        Err(ChainError::LinkBroken { id }) => assert_eq!(id, ids[2]),
        other => panic!("a deleted entry went unnoticed: {other:?}"),
    }
}

#[tokio::test]
async fn the_chain_continues_across_later_requests() {
    let app = app_with_history().await;
    let before = verify(&app).await.expect("intact");
    app.register_ok(&browser(), "13800138002").await;
    let after = verify(&app)
        .await
        .expect("still intact after more requests");
    assert_eq!(after, before + 2);
}

#[tokio::test]
async fn an_entry_that_does_not_follow_the_last_one_is_refused_by_the_database() {
    let app = app_with_history().await;
    let hashes: Vec<String> = sqlx::query_scalar("SELECT hash FROM audit_log ORDER BY id")
        .fetch_all(app.state.db.pool())
        .await
        .expect("hashes");
    let before = app.count("audit_log").await;
    // A fork off an earlier entry, a second start of the chain, and a made-up predecessor:
    // written straight into the table, past the application.
    for prev_hash in [
        hashes[0].clone(),
        app::backend::audit::GENESIS.to_owned(),
        "f".repeat(64),
    ] {
        let refused = sqlx::query(
            "INSERT INTO audit_log (at, actor_user_id, actor_label, action, subject, detail, ip, \
             prev_hash, hash) VALUES (1, NULL, 'system', 'forged', 'user:1', '{}', NULL, $1, $2)",
        )
        .bind(&prev_hash)
        .bind("e".repeat(64))
        .execute(app.state.db.pool())
        .await;
        let error = refused.expect_err("an entry off the chain must be refused");
        assert!(
            error
                .to_string()
                .contains("audit_log entries follow the chain"),
            "{error}"
        );
    }
    assert_eq!(app.count("audit_log").await, before);
    // The application's next entries still follow the chain.
    app.register_ok(&browser(), "13800138002").await;
    verify(&app).await.expect("intact");
}

#[tokio::test]
async fn the_chain_trigger_takes_the_lock_the_application_takes() {
    let app = spawn_app().await;
    match app.state.db.kind() {
        app::backend::db::DbKind::Postgres => {
            // The migration writes the key out as a literal: a drift would let a raw insert and
            // an application append both pass the trigger against the same last entry.
            let source: String = sqlx::query_scalar(
                "SELECT pg_get_functiondef('audit_log_follow_chain'::regproc)::text",
            )
            .fetch_one(app.state.db.pool())
            .await
            .expect("the chain trigger's function");
            let lock = format!(
                "pg_advisory_xact_lock({})",
                app::backend::audit::APPEND_LOCK_KEY
            );
            assert!(source.contains(&lock), "{lock} not in {source}");
        }
        app::backend::db::DbKind::Sqlite => {
            // SQLite has one writer at a time: the trigger needs no lock, only to be there.
            let triggers: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM sqlite_master \
                 WHERE type = 'trigger' AND name = 'audit_log_follows_chain'",
            )
            .fetch_one(app.state.db.pool())
            .await
            .expect("the schema");
            assert_eq!(triggers, 1);
        }
    }
}
