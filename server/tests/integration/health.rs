//! Proves the operational endpoints and the server-rendered status pages: `/healthz` and
//! `/readyz` answer 200 on a migrated database (and `/readyz` turns 503 when migrations are
//! missing); `/admin` renders a real 403 page for an applicant, a 401 page for a visitor and the
//! workspace for an admin; an unknown path is a 404 page; demo mode seeds its logins.

use crate::common::{PASSWORD, browser, spawn_app, spawn_app_with_demo};

#[tokio::test]
async fn healthz_and_readyz_answer_on_a_migrated_database() {
    let app = spawn_app().await;
    let health = app.get(&app.client, "/healthz").await;
    assert_eq!(health.status, 200, "{health:?}");
    assert_eq!(health.body, "ok");
    let ready = app.get(&app.client, "/readyz").await;
    assert_eq!(ready.status, 200, "{ready:?}");
    assert_eq!(ready.body, "ready");

    // The readiness check really looks at the migrations: without them it is not ready.
    sqlx::query("DELETE FROM _sqlx_migrations")
        .execute(app.state.db.pool())
        .await
        .expect("forgetting the migrations");
    let not_ready = app.get(&app.client, "/readyz").await;
    assert_eq!(not_ready.status, 503, "{not_ready:?}");
    // Liveness does not depend on the database.
    assert_eq!(app.get(&app.client, "/healthz").await.status, 200);
}

#[tokio::test]
async fn admin_page_is_a_403_page_for_an_applicant() {
    let app = spawn_app().await;
    app.register_ok(&app.client, "13800138001").await;
    let page = app.get(&app.client, "/admin").await;
    assert_eq!(page.status, 403, "{}", page.body);
    assert!(
        page.body.contains(r#"data-testid="forbidden""#),
        "{}",
        page.body
    );
    assert!(
        !page.body.contains(r#"data-testid="workspace-admin""#),
        "{}",
        page.body
    );
    assert!(
        page.header("content-type")
            .unwrap_or_default()
            .starts_with("text/html")
    );
}

#[tokio::test]
async fn admin_page_is_a_401_page_for_a_visitor() {
    let app = spawn_app().await;
    let page = app.get(&browser(), "/admin").await;
    assert_eq!(page.status, 401, "{}", page.body);
    assert!(
        page.body.contains(r#"data-testid="unauthenticated""#),
        "{}",
        page.body
    );
    assert!(
        !page.body.contains(r#"data-testid="workspace-admin""#),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn admin_page_renders_the_workspace_for_an_admin() {
    let app = spawn_app().await;
    app.signed_in_admin().await;
    let page = app.get(&app.client, "/admin").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains(r#"data-testid="workspace-admin""#),
        "{}",
        page.body
    );
    assert!(
        !page.body.contains(r#"data-testid="forbidden""#),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn an_unknown_path_is_a_404_page() {
    let app = spawn_app().await;
    let page = app.get(&app.client, "/no/such/page").await;
    assert_eq!(page.status, 404, "{}", page.body);
    assert!(
        page.body.contains(r#"data-testid="not-found""#),
        "{}",
        page.body
    );
    let home = app.get(&app.client, "/").await;
    assert_eq!(home.status, 200, "{}", home.body);
    assert!(!home.body.contains(r#"data-testid="not-found""#));
}

#[tokio::test]
async fn demo_mode_seeds_logins_for_every_role_and_they_work() {
    let app = spawn_app_with_demo().await;
    let reply = app.post_fn("demo/logins", &[]).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let logins = reply.json();
    let logins = logins.as_array().expect("a list of demo logins");
    let roles: Vec<&str> = logins
        .iter()
        .filter_map(|login| login["role"].as_str())
        .collect();
    assert_eq!(
        roles,
        // Three approvers: the restaurant bundle needs 市场监管 and 城管; 卫健 for the others.
        [
            "Applicant",
            "FrontDesk",
            "Approver",
            "Approver",
            "Approver",
            "Inspector",
            "Admin"
        ]
    );
    let staff_count: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE role <> 'applicant'")
            .fetch_one(app.state.db.pool())
            .await
            .expect("count");
    assert_eq!(staff_count, 6);

    // The demo admin signs in with the shown password and the TOTP code of the shown secret.
    let admin = logins
        .iter()
        .find(|login| login["role"] == "Admin")
        .expect("demo admin");
    let login = admin["login"].as_str().expect("login");
    let password = admin["password"].as_str().expect("password");
    app.login_staff(&app.client, login, password).await;
    let me = app.whoami(&app.client).await;
    assert_eq!(me.status, 200, "{}", me.body);
    assert_eq!(me.json()["role"], "Admin");
    let org = app.post_fn("admin/organisation", &[]).await;
    assert_eq!(org.status, 200, "{}", org.body);
    assert_eq!(
        org.json()["service_centres"].as_array().map(Vec::len),
        Some(10)
    );
}

#[tokio::test]
async fn without_demo_mode_there_are_no_demo_logins() {
    let app = spawn_app().await;
    let reply = app.post_fn("demo/logins", &[]).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.json(), serde_json::json!([]));
    assert_eq!(app.count("users").await, 0);
    // The shared demo password signs nobody in.
    let attempt = app.login(&app.client, "13800138000", PASSWORD).await;
    assert_eq!(attempt.status, 401, "{}", attempt.body);
}

#[tokio::test]
async fn the_suite_runs_on_the_backend_it_was_asked_for() {
    let app = spawn_app().await;
    let expected = match app.backend {
        crate::common::Backend::Sqlite => app::backend::db::DbKind::Sqlite,
        crate::common::Backend::Postgres => app::backend::db::DbKind::Postgres,
    };
    assert_eq!(app.state.db.kind(), expected);
    assert!(app.state.db.ping().await);
}
