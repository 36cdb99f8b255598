//! The staff's side of a case, shared by every test that needs signed-in staff or cases in a
//! given state: staff created as the CLI does and signed in with their second factor, claims,
//! acceptance, correction notices, decisions per department, and whole restaurant cases filed,
//! accepted or approved.

use serde_json::{Value, json};

use super::journey::{file, post_json_as, verified_applicant};
use super::{PASSWORD, Reply, TestApp, browser};

/// A signed-in staff member.
pub struct Staff {
    pub client: reqwest::Client,
    pub id: i64,
}

pub async fn staff(
    app: &TestApp,
    login: &str,
    role: &str,
    department: Option<&str>,
    centre: Option<&str>,
) -> Staff {
    use app::backend::db::org;
    let mut conn = app.state.db.pool().acquire().await.expect("connection");
    let department_id = match department {
        Some(code) => org::department_id_by_code(&mut conn, code)
            .await
            .expect("department"),
        None => None,
    };
    let centre_id = match centre {
        Some(code) => org::centre_id_by_code(&mut conn, code)
            .await
            .expect("centre"),
        None => None,
    };
    drop(conn);
    let (id, _) = app
        .create_staff_via_cli_service(login, role, department_id, centre_id)
        .await;
    let client = browser();
    app.login_staff(&client, login, PASSWORD).await;
    Staff { client, id }
}

pub async fn desk_worker(app: &TestApp, login: &str) -> Staff {
    staff(app, login, "front_desk", None, Some("C00-QU")).await
}

pub async fn approver(app: &TestApp, login: &str, department: &str) -> Staff {
    staff(app, login, "approver", Some(department), None).await
}

pub async fn call(
    app: &TestApp,
    who: &reqwest::Client,
    path: &str,
    form: &[(&str, &str)],
) -> Reply {
    app.post_fn_as(who, path, form).await
}

pub async fn claim(app: &TestApp, worker: &Staff, number: &str) -> Reply {
    call(app, &worker.client, "desk/claim", &[("number", number)]).await
}

pub async fn accept(app: &TestApp, worker: &Staff, number: &str) -> Reply {
    call(app, &worker.client, "desk/accept", &[("number", number)]).await
}

pub async fn return_with(app: &TestApp, worker: &Staff, number: &str, items: Value) -> Reply {
    post_json_as(
        app,
        &worker.client,
        "desk/return",
        &json!({ "number": number, "items": items }),
    )
    .await
}

pub async fn status_of(app: &TestApp, number: &str) -> String {
    sqlx::query_scalar("SELECT status FROM cases WHERE number = $1")
        .bind(number)
        .fetch_one(app.state.db.pool())
        .await
        .expect("case status")
}

pub async fn case_of(app: &TestApp, applicant: &reqwest::Client, number: &str) -> Value {
    let reply = call(app, applicant, "applications/case", &[("number", number)]).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json()
}

pub async fn tasks_of(app: &TestApp, number: &str) -> Vec<(String, String, String)> {
    sqlx::query_as(
        "SELECT t.public_id, t.department_code, t.status FROM approval_tasks t \
         JOIN cases c ON c.id = t.case_id WHERE c.number = $1 ORDER BY t.department_code",
    )
    .bind(number)
    .fetch_all(app.state.db.pool())
    .await
    .expect("tasks")
}

pub async fn decide(app: &TestApp, who: &Staff, task: &str, verdict: &str, text: &str) -> Reply {
    post_json_as(
        app,
        &who.client,
        "approvals/decide",
        &json!({ "task_id": task, "verdict": verdict, "text": text }),
    )
    .await
}

/// A restaurant bundle case (市场监管 + 城管) filed by a verified applicant.
pub async fn restaurant_case(
    app: &TestApp,
    login: &str,
    person: &str,
) -> (reqwest::Client, String) {
    let applicant = verified_applicant(app, login, Some(person)).await;
    let number = file(app, &applicant, login, "bundle", "YJS-CANYIN").await;
    (applicant, number)
}

pub fn notice_item(target: &str, name: &str) -> Value {
    json!({
        "target": target,
        "name": name,
        "problem": "与营业执照信息不一致，请按实际情况填写",
        "clause": "办事指南 三、申请材料 第1项",
    })
}

/// A text field and a material of a loaded draft, for correction notices.
pub fn text_field_and_material(draft: &Value) -> (String, String) {
    let mut field = None;
    let mut material = None;
    for section in draft["layout"]["sections"].as_array().expect("sections") {
        for laid_out in section["fields"].as_array().expect("fields") {
            let kind = laid_out["field"]["type"].as_str().unwrap_or_default();
            let max = laid_out["field"]["rules"]["max_length"]
                .as_u64()
                .unwrap_or(100);
            if field.is_none() && kind == "text" && max >= 10 {
                field = laid_out["name"].as_str().map(str::to_owned);
            }
        }
        for laid_out in section["materials"].as_array().expect("materials") {
            if material.is_none() && laid_out["material"]["required"].as_bool() == Some(true) {
                material = laid_out["name"].as_str().map(str::to_owned);
            }
        }
    }
    (field.expect("a text field"), material.expect("a material"))
}

pub async fn events_of(app: &TestApp, number: &str) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT e.kind FROM case_events e JOIN cases c ON c.id = e.case_id \
         WHERE c.number = $1 ORDER BY e.at, e.id",
    )
    .bind(number)
    .fetch_all(app.state.db.pool())
    .await
    .expect("events")
}

/// Files the restaurant bundle, accepts it and has both departments approve it.
pub async fn approved_restaurant(
    app: &TestApp,
    login: &str,
    person: &str,
) -> (reqwest::Client, String) {
    let (applicant, number) = restaurant_case(app, login, person).await;
    let desk = desk_worker(app, &format!("desk.{login}")).await;
    assert_eq!(claim(app, &desk, &number).await.status, 200);
    assert_eq!(accept(app, &desk, &number).await.status, 200);
    let tasks = tasks_of(app, &number).await;
    let scjg = approver(app, &format!("scjg.{login}"), "D01-SCJG").await;
    let cgj = approver(app, &format!("cgj.{login}"), "D07-CGJ").await;
    assert_eq!(
        decide(app, &scjg, &tasks[0].0, "approve", "同意")
            .await
            .status,
        200
    );
    assert_eq!(
        decide(app, &cgj, &tasks[1].0, "approve", "同意")
            .await
            .status,
        200
    );
    (applicant, number)
}
