//! Proves role-based access on the admin server functions: a visitor gets 401, an applicant and
//! a non-admin staff member get 403, and only an admin gets through (the control). It also
//! proves the admin use cases over HTTP: creating staff checks the role's binding (front desk
//! needs a service centre, approver a department, others neither) and writes nothing when
//! refused; the list and organisation reflect what was created; an admin cannot demote or
//! remove themselves.

use serde_json::{Value, json};

use crate::common::{PASSWORD, TestApp, browser, field_problems, spawn_app};

/// Every admin server function with a form that would succeed for an admin.
fn admin_calls(target_id: &str) -> Vec<(&'static str, Vec<(&'static str, String)>)> {
    let s = |text: &str| text.to_owned();
    vec![
        ("admin/staff/list", vec![]),
        ("admin/organisation", vec![]),
        (
            "admin/staff/create",
            vec![
                ("login", s("new.admin@qixia.test.cn")),
                ("display_name", s("新管理")),
                ("role", s("admin")),
                ("department_id", s("")),
                ("service_centre_id", s("")),
                ("initial_password", s(PASSWORD)),
            ],
        ),
        (
            "admin/staff/role",
            vec![
                ("user_id", s(target_id)),
                ("role", s("admin")),
                ("department_id", s("")),
                ("service_centre_id", s("")),
            ],
        ),
        ("admin/staff/remove", vec![("user_id", s(target_id))]),
    ]
}

async fn call(
    app: &TestApp,
    client: &reqwest::Client,
    path: &str,
    form: &[(&'static str, String)],
) -> crate::common::Reply {
    let form: Vec<(&str, &str)> = form
        .iter()
        .map(|(key, value)| (*key, value.as_str()))
        .collect();
    app.post_fn_as(client, path, &form).await
}

async fn roles(app: &TestApp) -> Vec<(i64, String, Option<i64>)> {
    sqlx::query_as("SELECT id, role, removed_at FROM users ORDER BY id")
        .fetch_all(app.state.db.pool())
        .await
        .expect("users")
}

#[tokio::test]
async fn visitors_get_401_and_applicants_and_other_staff_get_403_on_admin_functions() {
    let app = spawn_app().await;
    let (inspector_id, _) = app
        .create_staff_via_cli_service("hecha@qixia.test.cn", "inspector", None, None)
        .await;
    let target = inspector_id.to_string();
    let applicant = browser();
    app.register_ok(&applicant, "13800138001").await;
    let inspector = browser();
    app.login_staff(&inspector, "hecha@qixia.test.cn", PASSWORD)
        .await;
    let before = app.snapshot().await;
    let before_roles = roles(&app).await;

    for (path, form) in admin_calls(&target) {
        let anonymous = call(&app, &browser(), path, &form).await;
        assert_eq!(
            anonymous.status, 401,
            "visitor → {path}: {}",
            anonymous.body
        );
        assert_eq!(anonymous.json(), json!("Unauthenticated"));
        for (who, client) in [("applicant", &applicant), ("inspector", &inspector)] {
            let reply = call(&app, client, path, &form).await;
            assert_eq!(reply.status, 403, "{who} → {path}: {}", reply.body);
            assert_eq!(reply.json(), json!("Forbidden"), "{who} → {path}");
        }
    }
    assert_eq!(app.snapshot().await, before, "refused calls wrote nothing");
    assert_eq!(
        roles(&app).await,
        before_roles,
        "refused calls changed no role"
    );
    assert_eq!(
        app.whoami(&inspector).await.status,
        200,
        "the inspector was not signed out"
    );
}

#[tokio::test]
async fn an_admin_gets_through_every_admin_function() {
    // The control for the refusals above: the same calls succeed for an admin.
    let app = spawn_app().await;
    app.signed_in_admin().await;
    let (inspector_id, _) = app
        .create_staff_via_cli_service("hecha@qixia.test.cn", "inspector", None, None)
        .await;
    for (path, form) in admin_calls(&inspector_id.to_string()) {
        let reply = call(&app, &app.client, path, &form).await;
        assert_eq!(reply.status, 200, "admin → {path}: {}", reply.body);
    }
    let roles = roles(&app).await;
    assert_eq!(roles.len(), 3);
    assert!(
        roles
            .iter()
            .any(|(id, role, removed)| *id == inspector_id && role == "admin" && removed.is_some())
    );
}

#[tokio::test]
async fn session_functions_need_a_session() {
    let app = spawn_app().await;
    let visitor = browser();
    let current = app.post_fn_as(&visitor, "session/current", &[]).await;
    assert_eq!(
        (current.status, current.json()),
        (200, Value::Null),
        "a visitor is nobody, not an error"
    );
    let whoami = app.whoami(&visitor).await;
    assert_eq!(
        (whoami.status, whoami.json()),
        (401, json!("Unauthenticated"))
    );
    let logout = app.post_fn_as(&visitor, "auth/logout", &[]).await;
    assert_eq!(logout.status, 401, "{}", logout.body);
    app.register_ok(&visitor, "13800138001").await;
    let current = app.post_fn_as(&visitor, "session/current", &[]).await;
    assert_eq!(current.json()["role"], "Applicant");
}

/// Creates staff through the admin function.
async fn create(
    app: &TestApp,
    login: &str,
    role: &str,
    department: &str,
    centre: &str,
) -> crate::common::Reply {
    app.post_fn(
        "admin/staff/create",
        &[
            ("login", login),
            ("display_name", "新同事"),
            ("role", role),
            ("department_id", department),
            ("service_centre_id", centre),
            ("initial_password", PASSWORD),
        ],
    )
    .await
}

#[tokio::test]
async fn an_admin_creates_staff_bound_to_the_right_unit() {
    let app = spawn_app().await;
    app.signed_in_admin().await;
    let (department, centre) = app.seed_org().await;
    let (department, centre) = (department.to_string(), centre.to_string());

    let desk = create(&app, "qiantai@qixia.test.cn", "front_desk", "", &centre).await;
    assert_eq!(desk.status, 200, "{}", desk.body);
    let desk_id = desk.json().as_i64().expect("the new id");
    let approver = create(&app, "shenpi@qixia.test.cn", "approver", &department, "").await;
    assert_eq!(approver.status, 200, "{}", approver.body);

    let row: (String, Option<i64>, Option<i64>, Option<String>) = sqlx::query_as(
        "SELECT role, department_id, service_centre_id, totp_secret FROM users WHERE id = $1",
    )
    .bind(desk_id)
    .fetch_one(app.state.db.pool())
    .await
    .expect("the new row");
    assert_eq!(
        row,
        (
            "front_desk".to_owned(),
            None,
            Some(centre.parse().expect("id")),
            None
        )
    );

    let list = app.post_fn("admin/staff/list", &[]).await;
    assert_eq!(list.status, 200, "{}", list.body);
    let list = list.json();
    let member = list
        .as_array()
        .expect("list")
        .iter()
        .find(|member| member["login"] == "qiantai@qixia.test.cn")
        .expect("the new front-desk worker is listed")
        .clone();
    assert_eq!(member["role"], "FrontDesk");
    assert_eq!(member["service_centre"]["zh"], "测试政务服务中心");
    assert_eq!(member["totp_enrolled"], false);
    assert!(
        member.get("password_hash").is_none() && member.get("totp_secret").is_none(),
        "no secrets in the list"
    );

    let org = app.post_fn("admin/organisation", &[]).await.json();
    assert_eq!(org["departments"][0]["code"], "T01-SCJG");
    assert_eq!(org["service_centres"][0]["code"], "T00-QU");

    // The new worker signs in by enrolling an authenticator.
    let first = app
        .login(&browser(), "qiantai@qixia.test.cn", PASSWORD)
        .await;
    assert_eq!(first.status, 200, "{}", first.body);
    assert!(first.json().get("EnrolTotp").is_some(), "{}", first.body);
}

#[tokio::test]
async fn staff_with_a_missing_or_wrong_binding_is_refused_naming_the_field() {
    let app = spawn_app().await;
    app.signed_in_admin().await;
    let (department, centre) = app.seed_org().await;
    let (department, centre) = (department.to_string(), centre.to_string());
    let before = app.snapshot().await;

    let cases: [(&str, &str, &str, &str, &str); 8] = [
        ("front_desk", "", "", "ServiceCentre", "MissingBinding"),
        (
            "front_desk",
            &department,
            &centre,
            "Department",
            "UnexpectedBinding",
        ),
        ("front_desk", "", "999999", "ServiceCentre", "UnknownChoice"),
        ("front_desk", "", "abc", "ServiceCentre", "UnknownChoice"),
        ("approver", "", "", "Department", "MissingBinding"),
        ("approver", "999999", "", "Department", "UnknownChoice"),
        (
            "inspector",
            "",
            &centre,
            "ServiceCentre",
            "UnexpectedBinding",
        ),
        ("applicant", "", "", "Role", "UnknownChoice"),
    ];
    for (role, department, centre, field, problem) in cases {
        let reply = create(&app, "qiantai@qixia.test.cn", role, department, centre).await;
        assert_eq!(
            reply.status, 422,
            "{role} / {department:?} / {centre:?}: {}",
            reply.body
        );
        let problems = field_problems(&reply.json());
        assert!(
            problems.contains(&(field.to_owned(), problem.to_owned())),
            "{role} / {department:?} / {centre:?} must name {field} {problem}: {problems:?}"
        );
    }
    let front_desk_without_centre =
        create(&app, "qiantai@qixia.test.cn", "front_desk", "", "").await;
    assert_eq!(
        front_desk_without_centre.json(),
        json!({ "Invalid": [{ "field": "ServiceCentre", "problem": "MissingBinding" }] })
    );
    assert_eq!(
        app.snapshot().await,
        before,
        "refused creations wrote nothing"
    );

    // A taken login is a conflict, also without writing.
    let taken = create(&app, "admin@qixia.test.cn", "inspector", "", "").await;
    assert_eq!(taken.status, 409, "{}", taken.body);
    assert_eq!(
        field_problems(&taken.json()),
        vec![("Login".to_owned(), "AlreadyRegistered".to_owned())]
    );
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn an_admin_cannot_demote_or_remove_themselves() {
    let app = spawn_app().await;
    let admin_id = app.signed_in_admin().await.to_string();
    let demote = app
        .post_fn(
            "admin/staff/role",
            &[
                ("user_id", &admin_id),
                ("role", "inspector"),
                ("department_id", ""),
                ("service_centre_id", ""),
            ],
        )
        .await;
    assert_eq!(demote.status, 422, "{}", demote.body);
    let remove = app
        .post_fn("admin/staff/remove", &[("user_id", &admin_id)])
        .await;
    assert_eq!(remove.status, 403, "{}", remove.body);
    assert_eq!(app.whoami(&app.client).await.json()["role"], "Admin");

    // Removing an applicant through the staff function is not possible either.
    app.register_ok(&browser(), "13800138001").await;
    let applicant = app.user_id_of("13800138001").await.to_string();
    let remove = app
        .post_fn("admin/staff/remove", &[("user_id", &applicant)])
        .await;
    assert_eq!(remove.status, 404, "{}", remove.body);
    let unknown = app
        .post_fn("admin/staff/remove", &[("user_id", "987654")])
        .await;
    assert_eq!(unknown.status, 404, "{}", unknown.body);
}
