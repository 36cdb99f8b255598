//! The authorization matrix: every HTTP route of the router (`server::http_routes`), every page
//! (`server::page_routes`, as the router has them) and every server function
//! (`server_fn_paths`, the registry Leptos serves `/api/…` from) is called by every kind of
//! caller, against real resources of one applicant:
//!
//! visitor (signed out) · owner (the applicant whose drafts, cases, files and licences they
//! are) · another applicant (IDOR) · front desk · approver of the department whose task it is ·
//! approver of a department with no part in the owner's cases · inspector of the street of the
//! owner's inspection task · inspector of another street · admin.
//!
//! Each entry of [`matrix`] states who may call it: a role rule from `app::access` (the same
//! constants the app uses), narrowed where a resource is bound to its owner, department or
//! street, with the ownership rule in words. The test fails when
//!
//! - a caller the matrix refuses is not refused: a visitor must get 401, a signed-in caller of
//!   the wrong role 403 (server functions: before the arguments are read — the same refusal
//!   for a body that cannot even be decoded), a caller of the right role who does not own the
//!   resource 403 or 404; and the refused calls together must leave every table of the
//!   database unchanged ([`TestApp::fingerprint`]);
//! - a caller the matrix allows is refused (401/403/404 or an access error), or the first such
//!   call does not succeed (2xx) unless the entry names the business answer it gets instead —
//!   so every refusal above is due to the caller, not to a broken request or resource;
//! - a route, page or server function exists without an entry, or an entry names none.
//!
//! Coverage: 19 HTTP routes, 21 pages and 81 server functions in 122 entries (two files:
//! before and after submission) × 9 callers = 1,098 calls, plus an undecodable body for each of
//! the 517 role refusals of a POST, and the feed's API-token control; the summary table is
//! printed with `--nocapture`. Same-case cross-department and cross-street refusals are also in
//! `back_office.rs` and `issuance.rs`; forged tokens in `auth_tokens.rs`; CSRF in
//! `csrf_and_headers.rs`.

use std::collections::{BTreeMap, BTreeSet};

use app::access::{self, Access};
use app::domain::Role;
use reqwest::Method;
use serde_json::{Value, json};

use crate::common::back_office::{
    Staff, accept, approver, claim, decide, desk_worker, notice_item, return_with, staff, tasks_of,
    text_field_and_material,
};
use crate::common::journey::{
    JPG, PDF, complete_and_submit, draft, file, filled, post_json_as, save, sign_letter, start,
    upload, upload_required, verified_applicant,
};
use crate::common::{Options, PASSWORD, Reply, TestApp, bare_client, browser, error_kind};

/// Who calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Actor {
    Visitor,
    Owner,
    OtherApplicant,
    FrontDesk,
    Approver,
    ApproverElsewhere,
    Inspector,
    InspectorElsewhere,
    Admin,
}

impl Actor {
    const ALL: [Actor; 9] = [
        Actor::Visitor,
        Actor::Owner,
        Actor::OtherApplicant,
        Actor::FrontDesk,
        Actor::Approver,
        Actor::ApproverElsewhere,
        Actor::Inspector,
        Actor::InspectorElsewhere,
        Actor::Admin,
    ];

    fn role(self) -> Option<Role> {
        match self {
            Actor::Visitor => None,
            Actor::Owner | Actor::OtherApplicant => Some(Role::Applicant),
            Actor::FrontDesk => Some(Role::FrontDesk),
            Actor::Approver | Actor::ApproverElsewhere => Some(Role::Approver),
            Actor::Inspector | Actor::InspectorElsewhere => Some(Role::Inspector),
            Actor::Admin => Some(Role::Admin),
        }
    }

    /// Column heading of the summary table.
    fn short(self) -> &'static str {
        match self {
            Actor::Visitor => "visit",
            Actor::Owner => "owner",
            Actor::OtherApplicant => "other",
            Actor::FrontDesk => "desk",
            Actor::Approver => "appr",
            Actor::ApproverElsewhere => "appr2",
            Actor::Inspector => "insp",
            Actor::InspectorElsewhere => "insp2",
            Actor::Admin => "admin",
        }
    }
}

/// Who may call an entry.
#[derive(Debug, Clone, Copy)]
enum Rule {
    /// Whoever the role rule allows; the resource, if any, is anyone's to them (the front desk
    /// handles any case: 区街同权).
    Role(Access),
    /// The role rule, narrowed to `owners` by the resource: `why` is the ownership rule.
    Owned {
        access: Access,
        owners: &'static [Actor],
        why: &'static str,
    },
    /// No session is enough: every caller gets `status` (`why`).
    Nobody { status: u16, why: &'static str },
}

impl Rule {
    fn allows(self, actor: Actor) -> bool {
        match self {
            Rule::Role(access) => access.allows(actor.role()),
            Rule::Owned { access, owners, .. } => {
                access.allows(actor.role()) && owners.contains(&actor)
            }
            Rule::Nobody { .. } => false,
        }
    }

    /// Whether the role alone refuses `actor` (as opposed to ownership).
    fn role_refuses(self, actor: Actor) -> bool {
        match self {
            Rule::Role(access) | Rule::Owned { access, .. } => !access.allows(actor.role()),
            Rule::Nobody { .. } => true,
        }
    }

    fn describe(self) -> String {
        let access = |access: Access| match access {
            Access::Public => "public".to_owned(),
            Access::SignedIn => "signed in".to_owned(),
            Access::Roles(roles) => roles
                .iter()
                .map(|role| role.code())
                .collect::<Vec<_>>()
                .join("+"),
        };
        match self {
            Rule::Role(rule) => access(rule),
            Rule::Owned {
                access: rule, why, ..
            } => format!("{}: {why}", access(rule)),
            Rule::Nobody { why, .. } => format!("nobody: {why}"),
        }
    }
}

/// What the surface is, for the coverage check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Surface {
    ServerFn,
    Route,
    Page,
}

/// The body of a request.
#[derive(Debug, Clone)]
enum Body {
    None,
    Form(Vec<(&'static str, String)>),
    Json(Value),
    Bytes(&'static str, Vec<u8>),
}

/// What the first allowed caller gets.
#[derive(Debug, Clone, Copy)]
enum Control {
    /// Success (2xx).
    Ok,
    /// This business answer (an `AppError` kind, or a status for pages), because of `why`:
    /// proof that the call passed authorization without a resource in the right state.
    Answers(&'static str, &'static str),
}

#[derive(Debug, Clone)]
struct Entry {
    surface: Surface,
    /// The endpoint, route pattern or page pattern this entry covers.
    key: &'static str,
    method: Method,
    /// The concrete path called (with query).
    path: String,
    body: Body,
    rule: Rule,
    control: Control,
}

impl Entry {
    fn with(mut self, control: Control) -> Self {
        self.control = control;
        self
    }
}

fn form(endpoint: &'static str, rule: Rule, fields: &[(&'static str, &str)]) -> Entry {
    Entry {
        surface: Surface::ServerFn,
        key: endpoint,
        method: Method::POST,
        path: format!("/api/{endpoint}"),
        body: Body::Form(
            fields
                .iter()
                .map(|(key, value)| (*key, (*value).to_owned()))
                .collect(),
        ),
        rule,
        control: Control::Ok,
    }
}

fn json_fn(endpoint: &'static str, rule: Rule, body: Value) -> Entry {
    Entry {
        surface: Surface::ServerFn,
        key: endpoint,
        method: Method::POST,
        path: format!("/api/{endpoint}"),
        body: Body::Json(body),
        rule,
        control: Control::Ok,
    }
}

fn route(method: Method, pattern: &'static str, path: String, rule: Rule) -> Entry {
    Entry {
        surface: Surface::Route,
        key: pattern,
        method,
        path,
        body: Body::None,
        rule,
        control: Control::Ok,
    }
}

fn page(pattern: &'static str, path: String, rule: Rule) -> Entry {
    Entry {
        surface: Surface::Page,
        key: pattern,
        method: Method::GET,
        path,
        body: Body::None,
        rule,
        control: Control::Ok,
    }
}

/// The resources of the owner (and what else the calls need).
struct Fixture {
    /// The owner's login.
    owner_login: String,
    /// An unsubmitted draft, filled in and signed, with an uploaded file.
    draft: String,
    draft_revision: i64,
    draft_values: BTreeMap<String, Value>,
    draft_material: String,
    draft_file: String,
    /// A second draft with a file to remove, and a third without any, to discard.
    spare_draft: String,
    spare_file: String,
    empty_draft: String,
    /// A submitted case waiting for the front desk, and one of its files.
    submitted: String,
    submitted_file: String,
    /// A case returned with a correction notice listing `notice_field`.
    returned: String,
    notice_field: String,
    /// A case in approval: the approver's department task open, the other's asking for a
    /// supplement; its acceptance notice.
    in_approval: String,
    task: String,
    acceptance_notice: String,
    /// An issued case (courier chosen): a licence granted on commitment, its token, the signed
    /// commitment, the licence's inspection task.
    issued: String,
    licence: String,
    licence_token: String,
    commitment: String,
    inspection: String,
    /// An instantly approved case with pickup at the desk's centre, and its code, licence
    /// type and number (revoked by the admin's control).
    pickup_code: String,
    pickup_licence: (String, String),
    /// An instantly approved case whose delivery the owner may still choose.
    electronic: String,
    /// The owner's person–ID check and one of its photos.
    person_check: String,
    identity_photo: String,
    /// The desk's reference of the owner as a walk-in applicant.
    filing_reference: String,
    /// A staff member the admin's controls change and remove.
    spare_staff: i64,
    /// Catalogue entries the admin's controls may save, publish and withdraw.
    item: Value,
    bundle: Value,
    /// An API token of the approvals feed.
    feed_token: String,
}

/// Every session, as the `Cookie` header a browser would send.
type Sessions = BTreeMap<Actor, String>;

/// The `Cookie` header of a reply that signed someone in.
fn cookie_of(reply: &Reply) -> String {
    let refresh = reply.cookie_value("bjm_refresh").expect("a refresh cookie");
    format!(
        "bjm_session={}; bjm_refresh={refresh}",
        reply.session_token()
    )
}

async fn public_id(app: &TestApp, query: &str, bind: &str) -> String {
    sqlx::query_scalar(sqlx::AssertSqlSafe(query.to_owned()))
        .bind(bind.to_owned())
        .fetch_one(app.state.db.pool())
        .await
        .unwrap_or_else(|error| panic!("{query}: {error}"))
}

/// Builds every resource through the app's own steps, and signs every caller in.
async fn fixture(app: &TestApp) -> (Fixture, Sessions) {
    let owner_login = "owner@example.cn";
    let owner = verified_applicant(app, owner_login, Some("王开店")).await;
    let other = verified_applicant(app, "other@example.cn", Some("李美味")).await;
    let desk = desk_worker(app, "desk@qixia.test.cn").await;
    let scjg = approver(app, "scjg@qixia.test.cn", "D01-SCJG").await;
    let cgj = approver(app, "cgj@qixia.test.cn", "D07-CGJ").await;
    let wjw = approver(app, "wjw@qixia.test.cn", "D02-WJW").await;
    let inspector = staff(app, "insp@qixia.test.cn", "inspector", None, None).await;
    let inspector_elsewhere = staff(app, "insp2@qixia.test.cn", "inspector", None, None).await;
    let admin = staff(app, "admin@qixia.test.cn", "admin", None, None).await;
    let spare = staff(app, "spare@qixia.test.cn", "inspector", None, None).await;

    // Drafts.
    let draft_id = start(app, &owner, "bundle", "YJS-CANYIN").await;
    let loaded = draft(app, &owner, &draft_id).await;
    upload_required(app, &owner, &loaded).await;
    let values = filled(&loaded);
    let saved = save(
        app,
        &owner,
        &draft_id,
        loaded["revision"].as_i64().expect("revision"),
        &values,
    )
    .await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    sign_letter(
        app,
        &owner,
        owner_login,
        &mut crate::common::journey::Device::new(),
        &draft_id,
    )
    .await;
    let loaded = draft(app, &owner, &draft_id).await;
    let draft_file = loaded["files"][0]["id"]
        .as_str()
        .expect("a file")
        .to_owned();
    let draft_material = loaded["files"][0]["material_name"]
        .as_str()
        .expect("its material")
        .to_owned();
    let spare_draft = start(app, &owner, "item", "SCJG-XK-001").await;
    let spare_loaded = draft(app, &owner, &spare_draft).await;
    let material = spare_loaded["layout"]["sections"][0]["materials"][0]["name"]
        .as_str()
        .expect("a material")
        .to_owned();
    let uploaded = upload(app, &owner, &spare_draft, &material, "scan.pdf", PDF).await;
    assert_eq!(uploaded.status, 200, "{}", uploaded.body);
    let spare_file = uploaded.json()["id"].as_str().expect("id").to_owned();
    let empty_draft = start(app, &owner, "item", "SCJG-XK-001").await;

    // A submitted case and one of its files.
    let submitted = file(app, &owner, owner_login, "bundle", "YJS-CANYIN").await;
    let submitted_file = public_id(
        app,
        "SELECT m.public_id FROM materials m JOIN drafts d ON d.id = m.draft_id \
         JOIN cases c ON c.id = d.case_id WHERE c.number = $1 ORDER BY m.id LIMIT 1",
        &submitted,
    )
    .await;

    // A case returned with a notice.
    let returned_draft = start(app, &owner, "bundle", "YJS-CANYIN").await;
    let (notice_field, _) = text_field_and_material(&draft(app, &owner, &returned_draft).await);
    let returned = complete_and_submit(app, &owner, owner_login, &returned_draft).await;
    assert_eq!(claim(app, &desk, &returned).await.status, 200);
    let notice = return_with(
        app,
        &desk,
        &returned,
        json!([notice_item("field", &notice_field)]),
    )
    .await;
    assert_eq!(notice.status, 200, "{}", notice.body);

    // A case in approval: 市场监管's task open, 城管 asking for a supplement.
    let in_approval = file(app, &owner, owner_login, "bundle", "YJS-CANYIN").await;
    accepted(app, &desk, &in_approval).await;
    let tasks = tasks_of(app, &in_approval).await;
    assert_eq!(tasks[0].1, "D01-SCJG");
    let task = tasks[0].0.clone();
    let supplement = decide(app, &cgj, &tasks[1].0, "supplement", "请补充平面图").await;
    assert_eq!(supplement.status, 200, "{}", supplement.body);
    let acceptance_notice = public_id(
        app,
        "SELECT d.public_id FROM case_documents d JOIN cases c ON c.id = d.case_id \
         WHERE c.number = $1 AND d.kind = 'acceptance_notice'",
        &in_approval,
    )
    .await;

    // An issued case, with a courier to dispatch.
    let issued = file(app, &owner, owner_login, "bundle", "YJS-CANYIN").await;
    accepted(app, &desk, &issued).await;
    let tasks = tasks_of(app, &issued).await;
    for (task, who) in [(&tasks[0].0, &scjg), (&tasks[1].0, &cgj)] {
        let approved = decide(app, who, task, "approve", "同意").await;
        assert_eq!(approved.status, 200, "{}", approved.body);
    }
    let courier = post_json_as(
        app,
        &owner,
        "licences/delivery",
        &json!({ "number": issued, "choice": {
            "mode": "courier", "recipient_name": "王开店", "recipient_phone": "13812345678",
            "address": "南京市栖霞区尧化街道尧佳路 8 号" } }),
    )
    .await;
    assert_eq!(courier.status, 200, "{}", courier.body);
    let (licence, licence_token): (String, String) = sqlx::query_as(
        "SELECT l.public_id, l.token FROM licences l JOIN cases c ON c.id = l.case_id \
         JOIN inspection_tasks t ON t.licence_id = l.id \
         WHERE c.number = $1 ORDER BY t.id LIMIT 1",
    )
    .bind(&issued)
    .fetch_one(app.state.db.pool())
    .await
    .expect("a licence");
    let commitment = public_id(
        app,
        "SELECT s.public_id FROM commitment_signatures s JOIN drafts d ON d.id = s.draft_id \
         JOIN cases c ON c.id = d.case_id WHERE c.number = $1",
        &issued,
    )
    .await;
    let (inspection, street): (String, String) = sqlx::query_as(
        "SELECT t.public_id, t.street_code FROM inspection_tasks t JOIN cases c \
         ON c.id = t.case_id WHERE c.number = $1 ORDER BY t.id LIMIT 1",
    )
    .bind(&issued)
    .fetch_one(app.state.db.pool())
    .await
    .expect("an inspection task");
    let elsewhere = if street == "C09-XG" {
        "C08-BGZ"
    } else {
        "C09-XG"
    };
    {
        use app::backend::db::licences::add_inspector_street;
        let mut conn = app.state.db.pool().acquire().await.expect("connection");
        add_inspector_street(&mut conn, inspector.id, &street)
            .await
            .expect("street");
        add_inspector_street(&mut conn, inspector_elsewhere.id, elsewhere)
            .await
            .expect("street");
    }

    // Instantly approved cases: one for pickup at the desk's centre, one still to choose.
    let pickup = file(app, &owner, owner_login, "item", "SCJG-XK-001").await;
    let chosen = post_json_as(
        app,
        &owner,
        "licences/delivery",
        &json!({ "number": pickup, "choice": { "mode": "pickup", "pickup_centre": "C00-QU" } }),
    )
    .await;
    assert_eq!(chosen.status, 200, "{}", chosen.body);
    let pickup_code = chosen.json()["pickup_code"]
        .as_str()
        .expect("a pickup code")
        .to_owned();
    let pickup_licence: (String, String) = sqlx::query_as(
        "SELECT l.licence_type, l.number FROM licences l JOIN cases c ON c.id = l.case_id \
         WHERE c.number = $1",
    )
    .bind(&pickup)
    .fetch_one(app.state.db.pool())
    .await
    .expect("the pickup licence");
    let electronic = file(app, &owner, owner_login, "item", "SCJG-XK-001").await;

    // The owner's person–ID check.
    let mut photos = Vec::new();
    for kind in ["id_card", "selfie"] {
        let reply = raw(
            app,
            &format!("/files/identity-photo?kind={kind}&name=photo.jpg"),
            None,
            Some(&owner),
            JPG.to_vec(),
        )
        .await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        photos.push(reply.json()["id"].as_str().expect("photo id").to_owned());
    }
    let requested = app
        .post_fn_as(&owner, "identity/request-person-check", &[])
        .await;
    assert_eq!(requested.status, 200, "{}", requested.body);
    let person_check = public_id(
        app,
        "SELECT p.public_id FROM person_checks p JOIN users u ON u.id = p.user_id \
         WHERE u.login = $1",
        owner_login,
    )
    .await;

    // The desk's reference of the owner as a walk-in applicant.
    let found = app
        .post_fn_as(&desk.client, "desk/filing/find", &[("lookup", owner_login)])
        .await;
    assert_eq!(found.status, 200, "{}", found.body);
    let filing_reference = found.json()["reference"]
        .as_str()
        .expect("reference")
        .to_owned();

    // Catalogue entries with no part in the cases above, for the editor's controls.
    let bundle_items: Vec<String> = app
        .get(&browser(), "/api/v1/bundles/YJS-CANYIN")
        .await
        .json()["items"]
        .as_array()
        .expect("bundle items")
        .iter()
        .map(|item| item["spec"]["code"].as_str().expect("code").to_owned())
        .collect();
    let items = app.get(&browser(), "/api/v1/items?page=1").await.json();
    let spare_item = items["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|item| item["code"].as_str().expect("code").to_owned())
        .find(|code| code != "SCJG-XK-001" && !bundle_items.contains(code))
        .expect("an item no case uses");
    let item = app
        .post_fn_as(
            &admin.client,
            "admin/catalogue/item",
            &[("code", &spare_item)],
        )
        .await
        .json();
    let bundle = app
        .post_fn_as(
            &admin.client,
            "admin/catalogue/bundle",
            &[("code", "YJS-CANYIN")],
        )
        .await
        .json();
    let feed = app
        .post_fn_as(&admin.client, "admin/feed-token", &[("name", "执法平台")])
        .await;
    assert_eq!(feed.status, 200, "{}", feed.body);
    let feed_token = feed.json().as_str().expect("token").to_owned();

    let loaded = draft(app, &owner, &draft_id).await;
    drop(pickup);
    let fixture = Fixture {
        owner_login: owner_login.to_owned(),
        draft: draft_id,
        draft_revision: loaded["revision"].as_i64().expect("revision"),
        draft_values: values,
        draft_material,
        draft_file,
        spare_draft,
        spare_file,
        empty_draft,
        submitted,
        submitted_file,
        returned,
        notice_field,
        in_approval,
        task,
        acceptance_notice,
        issued,
        licence,
        licence_token,
        commitment,
        inspection,
        pickup_code,
        pickup_licence,
        electronic,
        person_check,
        identity_photo: photos[0].clone(),
        filing_reference,
        spare_staff: spare.id,
        item,
        bundle,
        feed_token,
    };

    // Fresh sessions, held as cookies, so that a call that signs in or out as someone else
    // never replaces a caller's session.
    let mut sessions = Sessions::new();
    for (actor, login) in [
        (Actor::Owner, owner_login),
        (Actor::OtherApplicant, "other@example.cn"),
    ] {
        let reply = app.login(&browser(), login, PASSWORD).await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        sessions.insert(actor, cookie_of(&reply));
    }
    for (actor, login) in [
        (Actor::FrontDesk, "desk@qixia.test.cn"),
        (Actor::Approver, "scjg@qixia.test.cn"),
        (Actor::ApproverElsewhere, "wjw@qixia.test.cn"),
        (Actor::Inspector, "insp@qixia.test.cn"),
        (Actor::InspectorElsewhere, "insp2@qixia.test.cn"),
        (Actor::Admin, "admin@qixia.test.cn"),
    ] {
        let reply = app.login_staff(&browser(), login, PASSWORD).await;
        sessions.insert(actor, cookie_of(&reply));
    }
    drop((other, wjw));
    (fixture, sessions)
}

/// Claims and accepts a case.
async fn accepted(app: &TestApp, desk: &Staff, number: &str) {
    assert_eq!(claim(app, desk, number).await.status, 200);
    let reply = accept(app, desk, number).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
}

/// A POST of raw bytes from this site, with a browser's cookie jar or a `Cookie` header.
async fn raw(
    app: &TestApp,
    path: &str,
    cookie: Option<&str>,
    client: Option<&reqwest::Client>,
    bytes: Vec<u8>,
) -> Reply {
    let fresh = bare_client();
    let mut request = client
        .unwrap_or(&fresh)
        .post(app.url(path))
        .header("origin", &app.origin)
        .header("content-type", "application/octet-stream")
        .body(bytes);
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    Reply::read(request.send().await.expect("request")).await
}

const OWNER: &[Actor] = &[Actor::Owner];

/// Every route, page and server function with who may call it.
fn matrix(f: &Fixture) -> Vec<Entry> {
    use Rule::{Nobody, Owned, Role as By};
    let public = By(Access::Public);
    let own_draft = Owned {
        access: access::DRAFT_EDITORS,
        owners: OWNER,
        why: "a draft is its applicant's (and the worker's who files it for them, 代办)",
    };
    let own_case = Owned {
        access: access::APPLICANTS,
        owners: OWNER,
        why: "a case is its applicant's",
    };
    let own_draft_applicant = Owned {
        access: access::APPLICANTS,
        owners: OWNER,
        why: "a draft is its applicant's",
    };
    let task_department = Owned {
        access: access::APPROVERS,
        owners: &[Actor::Approver],
        why: "a task is its department's",
    };
    let street = Owned {
        access: access::INSPECTORS,
        owners: &[Actor::Inspector],
        why: "an inspection task is its street's inspectors'",
    };
    let signed_in = By(Access::SignedIn);
    let n = |text: &str| text.to_owned();
    let mut entries = vec![
        // --- Plain HTTP routes ------------------------------------------------------------
        route(Method::GET, "/healthz", n("/healthz"), public),
        route(Method::GET, "/readyz", n("/readyz"), public),
        // Loopback callers without forwarding headers may scrape (the test client is one).
        route(Method::GET, "/metrics", n("/metrics"), public),
        route(Method::GET, "/statistics.csv", n("/statistics.csv"), public),
        route(
            Method::GET,
            "/admin/statistics.csv",
            n("/admin/statistics.csv"),
            By(access::ADMINS),
        ),
        route(Method::GET, "/api/v1/items", n("/api/v1/items"), public),
        route(
            Method::GET,
            "/api/v1/items/{code}",
            n("/api/v1/items/SCJG-XK-001"),
            public,
        ),
        route(
            Method::GET,
            "/api/v1/items/{code}/versions/{version}",
            n("/api/v1/items/SCJG-XK-001/versions/1"),
            public,
        ),
        route(Method::GET, "/api/v1/bundles", n("/api/v1/bundles"), public),
        route(
            Method::GET,
            "/api/v1/bundles/{code}",
            n("/api/v1/bundles/YJS-CANYIN"),
            public,
        ),
        route(
            Method::GET,
            "/api/v1/licences/verify",
            format!("/api/v1/licences/verify?token={}", f.licence_token),
            public,
        ),
        route(
            Method::GET,
            "/api/v1/feed/approvals",
            n("/api/v1/feed/approvals?since=0"),
            Nobody {
                status: 401,
                why: "the feed takes an API token, never a session (controlled below)",
            },
        ),
        route(
            Method::GET,
            "/.well-known/jwks.json",
            n("/.well-known/jwks.json"),
            public,
        ),
        route(
            Method::GET,
            "/api/v1/openapi.json",
            n("/api/v1/openapi.json"),
            public,
        ),
        Entry {
            body: Body::Bytes("application/pdf", JPG.to_vec()),
            ..route(
                Method::POST,
                "/files/upload",
                format!(
                    "/files/upload?draft={}&material={}&name=photo.jpg",
                    f.draft, f.draft_material
                ),
                own_draft,
            )
        },
        route(
            Method::GET,
            "/files/{id}",
            format!("/files/{}", f.draft_file),
            Owned {
                access: Access::SignedIn,
                owners: OWNER,
                why: "before submission a file is its applicant's alone",
            },
        ),
        route(
            Method::GET,
            "/files/{id}",
            format!("/files/{}", f.submitted_file),
            Owned {
                access: Access::SignedIn,
                owners: &[Actor::Owner, Actor::FrontDesk, Actor::Admin],
                why: "a submitted file: its applicant, the front desk, the service office",
            },
        ),
        Entry {
            body: Body::Bytes("image/jpeg", JPG.to_vec()),
            ..route(
                Method::POST,
                "/files/identity-photo",
                n("/files/identity-photo?kind=selfie&name=photo.jpg"),
                By(access::APPLICANTS),
            )
        },
        route(
            Method::GET,
            "/files/identity/{id}",
            format!("/files/identity/{}", f.identity_photo),
            Owned {
                access: Access::SignedIn,
                owners: &[Actor::Owner, Actor::FrontDesk, Actor::Admin],
                why: "a person–ID photo: its applicant and the reviewers",
            },
        ),
        route(
            Method::GET,
            "/files/commitment/{id}",
            format!("/files/commitment/{}", f.commitment),
            Owned {
                access: Access::SignedIn,
                owners: &[Actor::Owner, Actor::FrontDesk, Actor::Admin],
                why: "a signed commitment: its signer, the front desk, the service office",
            },
        ),
        route(
            Method::GET,
            "/files/case-document/{id}",
            format!("/files/case-document/{}", f.acceptance_notice),
            Owned {
                access: Access::SignedIn,
                owners: &[
                    Actor::Owner,
                    Actor::FrontDesk,
                    Actor::Approver,
                    Actor::Admin,
                ],
                why: "a notice: its applicant, the front desk, the service office, approvers \
                      of a department with a task on the case",
            },
        ),
        route(
            Method::GET,
            "/files/licence/{id}",
            format!("/files/licence/{}", f.licence),
            Owned {
                access: Access::SignedIn,
                owners: &[
                    Actor::Owner,
                    Actor::FrontDesk,
                    Actor::Approver,
                    Actor::Inspector,
                    Actor::Admin,
                ],
                why: "a licence: its holder, the front desk, the service office, approvers of \
                      a department with a task on the case, inspectors of its streets",
            },
        ),
        Entry {
            body: Body::Bytes("application/pdf", PDF.to_vec()),
            ..route(Method::POST, "/verify/pdf", n("/verify/pdf"), public)
        },
        // --- Pages ------------------------------------------------------------------------
        page("/", n("/"), public),
        page("/login", n("/login"), public),
        page("/register", n("/register"), public),
        page("/catalogue", n("/catalogue"), public),
        page(
            "/catalogue/items/{code}",
            n("/catalogue/items/SCJG-XK-001"),
            public,
        ),
        page(
            "/catalogue/bundles/{code}",
            n("/catalogue/bundles/YJS-CANYIN"),
            public,
        ),
        page("/verify", format!("/verify?t={}", f.licence_token), public),
        page("/statistics", n("/statistics"), public),
        page(
            "/admin/statistics",
            n("/admin/statistics"),
            By(access::ADMINS),
        ),
        page("/my/cases", n("/my/cases"), By(access::APPLICANTS)),
        page(
            "/my/cases/{number}",
            format!("/my/cases/{}", f.issued),
            own_case,
        ),
        page("/apply/{draft}", format!("/apply/{}", f.draft), own_draft),
        page("/desk", n("/desk"), By(access::FRONT_DESK)),
        page(
            "/desk/cases/{number}",
            format!("/desk/cases/{}", f.submitted),
            By(access::FRONT_DESK),
        ),
        page("/approvals", n("/approvals"), By(access::APPROVERS)),
        page(
            "/approvals/tasks/{id}",
            format!("/approvals/tasks/{}", f.task),
            task_department,
        ),
        page("/inspections", n("/inspections"), By(access::INSPECTORS)),
        page(
            "/inspections/{id}",
            format!("/inspections/{}", f.inspection),
            street,
        ),
        page("/admin", n("/admin"), By(access::ADMINS)),
        page(
            "/admin/catalogue",
            n("/admin/catalogue"),
            By(access::ADMINS),
        ),
        page(
            "/admin/catalogue/items/{code}",
            n("/admin/catalogue/items/SCJG-XK-001"),
            By(access::ADMINS),
        ),
        page(
            "/admin/catalogue/bundles/{code}",
            n("/admin/catalogue/bundles/YJS-CANYIN"),
            By(access::ADMINS),
        ),
        page("/account", n("/account"), signed_in),
    ];

    // --- Server functions: sessions, catalogue, verification ------------------------------
    entries.extend([
        form("session/current", public, &[]),
        form("session/whoami", signed_in, &[]),
        form("demo/logins", public, &[]),
        form("demo/people", public, &[]),
        form("catalogue/search", public, &[("query[q]", "餐饮")]),
        form("catalogue/item", public, &[("code", "SCJG-XK-001")]),
        form("catalogue/bundle", public, &[("code", "YJS-CANYIN")]),
        form("catalogue/departments", public, &[]),
        form("verify", public, &[("token", &f.licence_token)]),
        form("statistics/public", public, &[("from", ""), ("to", "")]),
        form(
            "statistics/dashboard",
            By(access::ADMINS),
            &[("from", ""), ("to", "")],
        ),
        form(
            "auth/register",
            public,
            &[
                ("login", "13800138777"),
                ("display_name", "新用户"),
                ("password", PASSWORD),
            ],
        ),
        form(
            "auth/login",
            public,
            &[("login", &f.owner_login), ("password", PASSWORD)],
        ),
        form(
            "auth/totp",
            public,
            &[("challenge", "no-such-challenge"), ("code", "123456")],
        )
        .with(Control::Answers(
            "BadSecondFactor",
            "no live challenge: one needs a password step",
        )),
        form(
            "account/password",
            signed_in,
            &[
                ("current_password", PASSWORD),
                ("new_password", crate::common::OTHER_PASSWORD),
            ],
        ),
    ]);

    // --- The front desk (before the applicant's calls change the cases) -------------------
    entries.extend([
        json_fn("desk/queue", By(access::FRONT_DESK), json!({ "query": {} })),
        form(
            "desk/case",
            By(access::FRONT_DESK),
            &[("number", &f.submitted)],
        ),
        form(
            "desk/claim",
            By(access::FRONT_DESK),
            &[("number", &f.submitted)],
        ),
        form(
            "desk/accept",
            By(access::FRONT_DESK),
            &[("number", &f.submitted)],
        ),
        form(
            "desk/release",
            By(access::FRONT_DESK),
            &[("number", &f.submitted)],
        ),
        json_fn(
            "desk/return",
            By(access::FRONT_DESK),
            json!({ "number": f.submitted, "items": [notice_item("field", &f.notice_field)] }),
        )
        .with(Control::Answers(
            "AlreadyDecided",
            "the case was accepted by an earlier call",
        )),
        form(
            "desk/refuse",
            By(access::FRONT_DESK),
            &[
                ("number", &f.submitted),
                ("reason", "not_our_competence"),
                ("note", "不属于本机关职权范围"),
            ],
        )
        .with(Control::Answers(
            "AlreadyDecided",
            "the case was accepted by an earlier call",
        )),
        form("desk/person-checks", By(access::IDENTITY_REVIEWERS), &[]),
        form(
            "desk/person-check/decide",
            By(access::IDENTITY_REVIEWERS),
            &[
                ("check_id", &f.person_check),
                ("approve", "true"),
                ("reason", ""),
            ],
        ),
        form(
            "desk/filing/find",
            By(access::FRONT_DESK),
            &[("lookup", &f.owner_login)],
        ),
        form(
            "desk/filing/start",
            By(access::FRONT_DESK),
            &[
                ("reference", &f.filing_reference),
                ("target", "item"),
                ("code", "SCJG-XK-001"),
            ],
        ),
        form("desk/filings", By(access::FRONT_DESK), &[]),
        form("desk/paper", By(access::FRONT_DESK), &[]),
        form(
            "desk/dispatch",
            By(access::FRONT_DESK),
            &[
                ("number", &f.issued),
                ("carrier", "中国邮政 EMS"),
                ("tracking_number", "1187654321098"),
            ],
        ),
        form(
            "desk/courier-outcome",
            By(access::FRONT_DESK),
            &[("number", &f.issued), ("delivered", "true"), ("note", "")],
        ),
        form(
            "desk/pickup",
            By(access::FRONT_DESK),
            &[("code", &f.pickup_code)],
        ),
    ]);

    // --- Approvers and inspectors ---------------------------------------------------------
    entries.extend([
        json_fn(
            "approvals/queue",
            By(access::APPROVERS),
            json!({ "query": {} }),
        ),
        form("approvals/task", task_department, &[("task_id", &f.task)]),
        form(
            "approvals/extend",
            task_department,
            &[
                ("task_id", &f.task),
                ("days", "2"),
                ("reason", "需现场核查"),
            ],
        ),
        json_fn(
            "approvals/decide",
            task_department,
            json!({ "task_id": f.task, "verdict": "approve", "text": "同意" }),
        ),
        form("inspections/queue", By(access::INSPECTORS), &[]),
        form("inspections/task", street, &[("id", &f.inspection)]),
        json_fn(
            "inspections/record",
            street,
            json!({ "id": f.inspection, "visit": {
                "outcome": "compliant", "findings": "", "rectify_by": "" } }),
        ),
    ]);

    // --- The applicant ----------------------------------------------------------------------
    let applicants = By(access::APPLICANTS);
    entries.extend([
        form("identity/status", applicants, &[]),
        form("identity/send-code", applicants, &[]),
        form(
            "identity/confirm-contact",
            applicants,
            &[("code", "000000")],
        )
        .with(Control::Answers("Invalid", "the code is not the one sent")),
        form(
            "identity/verify-resident",
            applicants,
            &[("legal_name", "王开店"), ("resident_id", "")],
        )
        .with(Control::Answers("Invalid", "no resident ID in the body")),
        form("identity/request-person-check", applicants, &[]),
        form(
            "applications/start",
            applicants,
            &[("target", "item"), ("code", "SCJG-XK-001")],
        ),
        form("applications/mine", applicants, &[]),
        form("applications/draft", own_draft, &[("draft_id", &f.draft)]),
        json_fn(
            "applications/save",
            own_draft,
            json!({ "draft_id": f.draft, "revision": f.draft_revision,
                    "values": f.draft_values }),
        ),
        form(
            "applications/file/remove",
            own_draft,
            &[("draft_id", &f.spare_draft), ("file_id", &f.spare_file)],
        ),
        form(
            "applications/discard",
            own_draft_applicant,
            &[("draft_id", &f.empty_draft)],
        ),
        form(
            "commitments/letter",
            own_draft_applicant,
            &[("draft_id", &f.draft)],
        ),
        form("commitments/send-code", applicants, &[]),
        json_fn(
            "commitments/sign",
            own_draft_applicant,
            json!({ "request": {
                "draft_id": f.draft, "letter_sha256": "0".repeat(64), "signature": "AA==",
                "public_key": "AA==", "key_id": null, "mark_kind": "typed", "mark": "王开店",
                "code": "000000" } }),
        )
        .with(Control::Answers(
            "Invalid",
            "a real signature needs the device key and the mailed code",
        )),
        form(
            "applications/submit",
            own_draft_applicant,
            &[("draft_id", &f.draft)],
        ),
        form("applications/case", own_case, &[("number", &f.submitted)]),
        json_fn(
            "applications/answer-notice",
            own_case,
            json!({ "number": f.returned, "values": { &f.notice_field: "老王面馆（新店）" } }),
        ),
        form(
            "applications/answer-supplement",
            own_case,
            &[("number", &f.in_approval), ("answer", "平面图已补充")],
        ),
        form(
            "applications/withdraw",
            own_case,
            &[("number", &f.returned)],
        ),
        form("notifications/list", applicants, &[]),
        form("notifications/read", applicants, &[]),
        form("licences/of-case", own_case, &[("number", &f.issued)]),
        json_fn(
            "licences/delivery",
            own_case,
            json!({ "number": f.electronic, "choice": {
                "mode": "pickup", "pickup_centre": "C00-QU" } }),
        ),
    ]);

    // --- The service office -------------------------------------------------------------------
    let admins = By(access::ADMINS);
    let spare = f.spare_staff.to_string();
    let item_code = f.item["spec"]["code"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let item_version = f.item["latest_version"].to_string();
    let bundle_code = f.bundle["spec"]["code"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let bundle_version = f.bundle["latest_version"].to_string();
    entries.extend([
        form("admin/organisation", admins, &[]),
        form("admin/staff/list", admins, &[]),
        form(
            "admin/staff/create",
            admins,
            &[
                ("login", "new.staff@qixia.test.cn"),
                ("display_name", "新同事"),
                ("role", "inspector"),
                ("department_id", ""),
                ("service_centre_id", ""),
                ("initial_password", PASSWORD),
            ],
        ),
        form(
            "admin/staff/role",
            admins,
            &[
                ("user_id", &spare),
                ("role", "admin"),
                ("department_id", ""),
                ("service_centre_id", ""),
            ],
        ),
        form("admin/staff/remove", admins, &[("user_id", &spare)]),
        form("admin/calendar", admins, &[]),
        form(
            "admin/calendar/set",
            admins,
            &[("day", "2027-02-06"), ("kind", "holiday"), ("name", "春节")],
        ),
        form("admin/calendar/remove", admins, &[("day", "2027-02-06")]),
        form("admin/audit/verify", admins, &[]),
        form(
            "admin/revoke-licence",
            admins,
            &[
                ("licence_type", &f.pickup_licence.0),
                ("number", &f.pickup_licence.1),
                ("reason", "以欺骗手段取得"),
            ],
        ),
        form("admin/feed-token", admins, &[("name", "另一平台")]),
        form("admin/catalogue/list", admins, &[("q", ""), ("page", "1")]),
        form("admin/catalogue/item", admins, &[("code", &item_code)]),
        json_fn(
            "admin/catalogue/item/save",
            admins,
            json!({ "spec": f.item["spec"], "base_sha256": f.item["latest_sha256"] }),
        ),
        form(
            "admin/catalogue/item/publish",
            admins,
            &[("code", &item_code), ("version", &item_version)],
        ),
        form(
            "admin/catalogue/item/unpublish",
            admins,
            &[("code", &item_code)],
        ),
        form("admin/catalogue/bundle", admins, &[("code", &bundle_code)]),
        json_fn(
            "admin/catalogue/bundle/save",
            admins,
            json!({ "spec": f.bundle["spec"], "base_sha256": f.bundle["latest_sha256"] }),
        ),
        form(
            "admin/catalogue/bundle/publish",
            admins,
            &[("code", &bundle_code), ("version", &bundle_version)],
        ),
        form(
            "admin/catalogue/bundle/unpublish",
            admins,
            &[("code", &bundle_code)],
        ),
        json_fn(
            "admin/catalogue/shared-fields",
            admins,
            json!({ "items": ["SCJG-XK-001", item_code] }),
        ),
        // Last: it ends each caller's session.
        form("auth/logout", signed_in, &[]),
    ]);
    entries
}

/// Sends an entry's request as a caller (`cookie`), or with `garbage` instead of its body.
async fn send(app: &TestApp, entry: &Entry, cookie: Option<&str>, garbage: bool) -> Reply {
    let mut path = entry.path.clone();
    if garbage && entry.surface == Surface::Route {
        // A route's input is its query: none at all.
        path = path.split('?').next().unwrap_or_default().to_owned();
    }
    let mut request = bare_client()
        .request(entry.method.clone(), app.url(&path))
        .header("origin", &app.origin);
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    let junk = b"\xff\xfe{{ %zz".to_vec();
    request = match (&entry.body, garbage) {
        (Body::None, _) => request,
        (Body::Form(fields), false) => request
            .header("content-type", "application/x-www-form-urlencoded")
            .body(crate::common::form_body(
                &fields
                    .iter()
                    .map(|(key, value)| (*key, value.as_str()))
                    .collect::<Vec<_>>(),
            )),
        (Body::Form(_), true) => request
            .header("content-type", "application/x-www-form-urlencoded")
            .body(junk),
        (Body::Json(value), false) => request
            .header("content-type", "application/json")
            .body(value.to_string()),
        (Body::Json(_), true) => request
            .header("content-type", "application/json")
            .body(junk),
        (Body::Bytes(content_type, bytes), false) => request
            .header("content-type", *content_type)
            .body(bytes.clone()),
        (Body::Bytes(content_type, _), true) => {
            request.header("content-type", *content_type).body(junk)
        }
    };
    Reply::read(request.send().await.expect("sending the request")).await
}

/// The error kind of a JSON error reply, if it is one.
fn kind_of(reply: &Reply) -> Option<String> {
    serde_json::from_str::<Value>(&reply.body)
        .ok()
        .filter(|body| body.is_string() || body.as_object().is_some_and(|map| map.len() == 1))
        .map(|body| error_kind(&body))
}

/// Whether a reply is a refusal of access (rather than success or a business answer such as a
/// wrong second factor, which is also a 401).
fn is_refusal(reply: &Reply) -> bool {
    match kind_of(reply) {
        Some(kind) => matches!(
            kind.as_str(),
            "Unauthenticated" | "Forbidden" | "NotFound" | "OtherDepartment" | "CrossSite"
        ),
        None => matches!(reply.status, 401 | 403 | 404),
    }
}

/// What a refused caller must get, or `None` when the matrix allows the caller.
fn expected_refusal(rule: Rule, actor: Actor, surface: Surface) -> Option<&'static [u16]> {
    if rule.allows(actor) {
        return None;
    }
    Some(match rule {
        Rule::Nobody { status: 401, .. } => &[401],
        Rule::Nobody { .. } => &[400, 404, 405],
        _ if actor == Actor::Visitor => &[401],
        // The gate of server functions answers 403 for a role; routes and pages answer as
        // the resource's service does (unknown to this caller: 404).
        _ if rule.role_refuses(actor) && surface == Surface::ServerFn => &[403],
        _ => &[403, 404],
    })
}

/// Every route, page and server function the app has, as `(surface, key)`.
fn surfaces() -> BTreeSet<(String, String)> {
    let mut all = BTreeSet::new();
    for route in server::http_routes() {
        all.insert((
            "route".to_owned(),
            format!("{} {}", route.method, route.path),
        ));
    }
    for listing in server::page_routes() {
        all.insert(("page".to_owned(), listing.path().to_owned()));
    }
    for (path, _) in leptos::server_fn::axum::server_fn_paths() {
        all.insert((
            "server fn".to_owned(),
            path.strip_prefix("/api/").unwrap_or(path).to_owned(),
        ));
    }
    all
}

fn surface_key(entry: &Entry) -> (String, String) {
    match entry.surface {
        Surface::Route => (
            "route".to_owned(),
            format!("{} {}", entry.method, entry.key),
        ),
        Surface::Page => ("page".to_owned(), entry.key.to_owned()),
        Surface::ServerFn => ("server fn".to_owned(), entry.key.to_owned()),
    }
}

#[tokio::test]
async fn every_route_page_and_server_function_refuses_whom_the_matrix_refuses() {
    let app = crate::common::spawn_app_with(Options {
        demo: true,
        tweak: |config| {
            config.login_attempts_per_ip_per_minute = 10_000;
            config.registrations_per_ip_per_hour = 10_000;
            config.codes_per_account_per_hour = 10_000;
        },
        ..Options::default()
    })
    .await;
    let (fixture, sessions) = fixture(&app).await;
    let entries = matrix(&fixture);

    // Coverage: every surface has an entry, every entry a surface.
    let existing = surfaces();
    let covered: BTreeSet<(String, String)> = entries.iter().map(surface_key).collect();
    let missing: Vec<_> = existing.difference(&covered).collect();
    let stale: Vec<_> = covered.difference(&existing).collect();
    assert!(
        missing.is_empty() && stale.is_empty(),
        "the matrix must name every route, page and server function:\n  without an entry: \
         {missing:?}\n  entries of nothing: {stale:?}"
    );

    let mut failures = Vec::new();
    let mut table: Vec<(String, String, BTreeMap<Actor, String>)> = entries
        .iter()
        .map(|entry| {
            let name = match entry.surface {
                Surface::ServerFn => format!("fn {}", entry.key),
                _ => format!(
                    "{} {}",
                    entry.method,
                    entry.path.split('?').next().unwrap_or("")
                ),
            };
            (name, entry.rule.describe(), BTreeMap::new())
        })
        .collect();

    // Phase 1: every refused call, with the valid body and, where input could be read before
    // the role is checked, with garbage. Nothing may change.
    let before = app.fingerprint(&[]).await;
    let mut undecodable = 0;
    for (index, entry) in entries.iter().enumerate() {
        for actor in Actor::ALL {
            let Some(expected) = expected_refusal(entry.rule, actor, entry.surface) else {
                continue;
            };
            let cookie = sessions.get(&actor).map(String::as_str);
            let reply = send(&app, entry, cookie, false).await;
            table[index].2.insert(actor, reply.status.to_string());
            if !expected.contains(&reply.status) {
                failures.push(format!(
                    "{:?} {} as {actor:?}: {} (expected {expected:?}): {}",
                    entry.method,
                    entry.path,
                    reply.status,
                    reply.body.chars().take(160).collect::<String>()
                ));
            }
            let role_refused = actor == Actor::Visitor || entry.rule.role_refuses(actor);
            if role_refused && entry.method == Method::POST {
                let garbage = send(&app, entry, cookie, true).await;
                undecodable += 1;
                if !expected.contains(&garbage.status) {
                    failures.push(format!(
                        "{} as {actor:?} with an undecodable body: {} (expected {expected:?}): \
                         input was read before the role was checked: {}",
                        entry.path,
                        garbage.status,
                        garbage.body.chars().take(160).collect::<String>()
                    ));
                }
            }
        }
    }
    let after = app.fingerprint(&[]).await;
    let changed: Vec<String> = before
        .iter()
        .zip(&after)
        .filter(|(old, new)| old != new)
        .map(|((table, old), (_, new))| format!("{table}: {old} → {new}"))
        .collect();
    if !changed.is_empty() {
        failures.push(format!(
            "refused calls changed the database: {}",
            changed.join("; ")
        ));
    }

    // Phase 2 (the controls): every allowed caller passes authorization, and the first one
    // gets what the entry says, so each refusal above was due to the caller alone.
    for (index, entry) in entries.iter().enumerate() {
        let mut first = true;
        for actor in Actor::ALL {
            if !entry.rule.allows(actor) {
                continue;
            }
            let cookie = sessions.get(&actor).map(String::as_str);
            let reply = send(&app, entry, cookie, false).await;
            table[index].2.insert(actor, format!("{}✓", reply.status));
            let kind = kind_of(&reply);
            let fine = match (first, entry.control) {
                (true, Control::Ok) => (200..300).contains(&reply.status),
                (true, Control::Answers(expected, _)) => {
                    kind.as_deref() == Some(expected) || reply.status.to_string() == expected
                }
                (false, _) => !is_refusal(&reply),
            };
            if !fine {
                let wanted = match (first, entry.control) {
                    (true, Control::Ok) => "2xx".to_owned(),
                    (true, Control::Answers(kind, why)) => format!("{kind}, as {why}"),
                    (false, _) => "no refusal".to_owned(),
                };
                failures.push(format!(
                    "{} as {actor:?} (allowed, expected {wanted}): {} {}",
                    entry.path,
                    reply.status,
                    reply.body.chars().take(200).collect::<String>()
                ));
            }
            first = false;
        }
    }
    // The feed's control: its API token, not a session.
    let feed = bare_client()
        .get(app.url("/api/v1/feed/approvals?since=0"))
        .bearer_auth(&fixture.feed_token)
        .send()
        .await
        .expect("feed request");
    if feed.status().as_u16() != 200 {
        failures.push(format!("the feed refused its API token: {}", feed.status()));
    }

    print_summary(&table, &entries, undecodable);
    assert!(
        failures.is_empty(),
        "{} failures of the authorization matrix:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The table `--nocapture` shows: one line per entry, one column per caller (status; ✓ where
/// the matrix allows the caller).
fn print_summary(
    table: &[(String, String, BTreeMap<Actor, String>)],
    entries: &[Entry],
    undecodable: usize,
) {
    let width = table
        .iter()
        .map(|(name, ..)| name.chars().count())
        .max()
        .unwrap_or(10);
    let mut out = format!("{:width$}", "entry");
    for actor in Actor::ALL {
        out.push_str(&format!(" {:>6}", actor.short()));
    }
    out.push_str("  rule\n");
    for (name, rule, cells) in table {
        out.push_str(&format!("{name:width$}"));
        for actor in Actor::ALL {
            out.push_str(&format!(
                " {:>6}",
                cells.get(&actor).map(String::as_str).unwrap_or("-")
            ));
        }
        out.push_str(&format!("  {rule}\n"));
    }
    let count = |surface: Surface| {
        entries
            .iter()
            .filter(|entry| entry.surface == surface)
            .map(|entry| entry.key)
            .collect::<BTreeSet<_>>()
            .len()
    };
    let calls: usize = table.iter().map(|(_, _, cells)| cells.len()).sum();
    out.push_str(&format!(
        "{} routes, {} pages, {} server functions; {} entries × {} callers = {} calls \
         and {undecodable} undecodable bodies to refused roles\n",
        count(Surface::Route),
        count(Surface::Page),
        count(Surface::ServerFn),
        entries.len(),
        Actor::ALL.len(),
        calls
    ));
    println!("{out}");
}
