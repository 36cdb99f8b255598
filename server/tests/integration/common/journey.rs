//! The applicant's side of the journey as the pages call it, shared by every test that needs
//! verified applicants, drafts, uploaded materials, signed commitments or submitted cases: codes
//! are read back from the file outbox the delivery worker writes, forms are filled with values
//! that pass every rule, commitments are signed with a device key as the browser does.

use std::collections::BTreeMap;

use app::backend::delivery::{Deliverers, LogSms, MailTransport, deliver_due};
use base64::Engine as _;
use serde_json::{Value, json};

use super::{Reply, TestApp, browser};

/// Delivers the outbox into the app's file outbox and returns the newest code mailed to
/// `login` (other mail, such as case notices, is passed over).
pub async fn mailed_code(app: &TestApp, login: &str) -> String {
    let directory = app.data_dir().join("outbox");
    let deliverers = Deliverers {
        mail: MailTransport::Directory(directory.clone()),
        from: "portal <noreply@example.cn>".parse().expect("sender"),
        sms: std::sync::Arc::new(LogSms),
    };
    deliver_due(&app.state, &deliverers)
        .await
        .expect("delivery");
    let mut mails: Vec<(std::time::SystemTime, String)> = std::fs::read_dir(&directory)
        .expect("outbox directory")
        .filter_map(Result::ok)
        .filter(|entry| entry.path().extension().is_some_and(|ext| ext == "eml"))
        .map(|entry| {
            let modified = entry.metadata().and_then(|m| m.modified()).expect("mtime");
            (
                modified,
                eml_text(&std::fs::read(entry.path()).expect("mail")),
            )
        })
        .filter(|(_, text)| text.contains(&format!("To: {login}")) && text.contains("code is "))
        .collect();
    mails.sort_by_key(|(modified, _)| *modified);
    let text = &mails.last().expect("a mail with a code to the applicant").1;
    let start = text.find("code is ").expect("the English line") + "code is ".len();
    text[start..start + 6].to_owned()
}

/// Headers and the decoded body of a mail file.
fn eml_text(raw: &[u8]) -> String {
    let raw = String::from_utf8_lossy(raw).replace("\r\n", "\n");
    let (headers, body) = raw.split_once("\n\n").expect("headers and body");
    let body = if headers.contains("Content-Transfer-Encoding: base64") {
        let compact: String = body.chars().filter(|c| !c.is_whitespace()).collect();
        String::from_utf8(
            base64::engine::general_purpose::STANDARD
                .decode(compact)
                .expect("base64 body"),
        )
        .expect("UTF-8 body")
    } else {
        body.replace("=\n", "")
    };
    format!("{headers}\n\n{body}")
}

/// Registers `login` in a new browser, confirms the mailed code (level 1) and, if given,
/// verifies a registry person (level 2). Returns the browser.
pub async fn verified_applicant(
    app: &TestApp,
    login: &str,
    person: Option<&str>,
) -> reqwest::Client {
    let client = browser();
    app.register_ok(&client, login).await;
    let sent = app.post_fn_as(&client, "identity/send-code", &[]).await;
    assert_eq!(sent.status, 200, "{}", sent.body);
    let code = mailed_code(app, login).await;
    let confirmed = app
        .post_fn_as(&client, "identity/confirm-contact", &[("code", &code)])
        .await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.body);
    if let Some(name) = person {
        let id = registry_id(name);
        let verified = app
            .post_fn_as(
                &client,
                "identity/verify-resident",
                &[("legal_name", name), ("resident_id", &id)],
            )
            .await;
        assert_eq!(verified.status, 200, "{}", verified.body);
    }
    client
}

pub fn registry_id(name: &str) -> String {
    let (_, birth, sequence) = app::backend::demo::REGISTRY_PEOPLE
        .iter()
        .find(|(known, _, _)| *known == name)
        .expect("a demo registry person");
    app::backend::demo::demo_resident_id(birth, sequence)
        .expect("valid demo ID")
        .as_str()
        .to_owned()
}

pub async fn post_json_as(
    app: &TestApp,
    client: &reqwest::Client,
    path: &str,
    body: &Value,
) -> Reply {
    app.post_raw(
        client,
        path,
        "application/json",
        body.to_string().into_bytes(),
        &[("origin", &app.origin)],
    )
    .await
}

pub async fn start(app: &TestApp, client: &reqwest::Client, target: &str, code: &str) -> String {
    let started = app
        .post_fn_as(
            client,
            "applications/start",
            &[("target", target), ("code", code)],
        )
        .await;
    assert_eq!(started.status, 200, "{}", started.body);
    started.json().as_str().expect("draft id").to_owned()
}

pub async fn draft(app: &TestApp, client: &reqwest::Client, id: &str) -> Value {
    let loaded = app
        .post_fn_as(client, "applications/draft", &[("draft_id", id)])
        .await;
    assert_eq!(loaded.status, 200, "{}", loaded.body);
    loaded.json()
}

/// Values that pass every rule of a form, keeping what is already filled in.
pub fn filled(draft: &Value) -> BTreeMap<String, Value> {
    let mut values: BTreeMap<String, Value> =
        serde_json::from_value(draft["values"].clone()).expect("values");
    for section in draft["layout"]["sections"].as_array().expect("sections") {
        for laid_out in section["fields"].as_array().expect("fields") {
            let name = laid_out["name"].as_str().expect("name").to_owned();
            if values.contains_key(&name) {
                continue;
            }
            let field = &laid_out["field"];
            let first_option = || field["options"][0]["value"].clone();
            let value = match field["type"].as_str().expect("type") {
                "text" => json!("老王面馆"),
                "number" => json!("45"),
                "money" => json!("30000"),
                "date" => json!("2027-06-30"),
                "select" => first_option(),
                "multi_select" => json!([first_option()]),
                "address" => json!("南京市栖霞区仙林大道 8 号 101 室"),
                "business_scope" => json!("餐饮服务；预包装食品销售"),
                "phone" => json!("13912345678"),
                "email" => json!("wang@example.cn"),
                "credit_code" if !field["required"].as_bool().unwrap_or(false) => continue,
                "credit_code" => json!("914403001922038216"),
                "resident_id" => json!(registry_id("王开店")),
                other => panic!("field type {other}"),
            };
            values.insert(name, value);
        }
    }
    values
}

pub async fn save(
    app: &TestApp,
    client: &reqwest::Client,
    id: &str,
    revision: i64,
    values: &BTreeMap<String, Value>,
) -> Reply {
    post_json_as(
        app,
        client,
        "applications/save",
        &json!({ "draft_id": id, "revision": revision, "values": values }),
    )
    .await
}

pub async fn submit(app: &TestApp, client: &reqwest::Client, id: &str) -> Reply {
    app.post_fn_as(client, "applications/submit", &[("draft_id", id)])
        .await
}

/// A small but real PDF and JPEG (by their first bytes).
pub const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
pub const JPG: &[u8] = &[
    0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0x00, 0xFF, 0xD9,
];

/// Uploads `bytes` as file `name` for a material of a draft.
pub async fn upload(
    app: &TestApp,
    client: &reqwest::Client,
    draft_id: &str,
    material: &str,
    name: &str,
    bytes: &[u8],
) -> Reply {
    let response = client
        .post(app.url("/files/upload"))
        .query(&[("draft", draft_id), ("material", material), ("name", name)])
        .header("origin", &app.origin)
        .header("content-type", "application/octet-stream")
        .body(bytes.to_vec())
        .send()
        .await
        .expect("upload request");
    Reply::read(response).await
}

/// Uploads one fitting file for every required material of a loaded draft that has none.
pub async fn upload_required(app: &TestApp, client: &reqwest::Client, draft: &Value) {
    let draft_id = draft["draft_id"].as_str().expect("draft id");
    let has_file = |name: &Value| {
        draft["files"]
            .as_array()
            .is_some_and(|files| files.iter().any(|file| &file["material_name"] == name))
    };
    for section in draft["layout"]["sections"].as_array().expect("sections") {
        for material in section["materials"].as_array().expect("materials") {
            if material["material"]["required"] != true || has_file(&material["name"]) {
                continue;
            }
            let accepts_jpg = material["material"]["accepted_types"]
                .as_array()
                .expect("types")
                .iter()
                .any(|file_type| file_type == "jpg");
            let (name, bytes) = if accepts_jpg {
                ("photo.jpg", JPG)
            } else {
                ("scan.pdf", PDF)
            };
            let name_in_form = material["name"].as_str().expect("material name");
            let reply = upload(app, client, draft_id, name_in_form, name, bytes).await;
            assert_eq!(reply.status, 200, "{name_in_form}: {}", reply.body);
        }
    }
}

/// What a browser does to sign: a device key (ECDSA P-256), the SHA-256 of the letter shown,
/// signed with SHA-256.
pub struct Device {
    pub key: p256::ecdsa::SigningKey,
    pub key_id: Option<String>,
}

impl Device {
    pub fn new() -> Self {
        Self {
            key: p256::ecdsa::SigningKey::random(&mut rand::rngs::OsRng),
            key_id: None,
        }
    }

    pub fn public_key(&self) -> String {
        base64::engine::general_purpose::STANDARD
            .encode(self.key.verifying_key().to_encoded_point(false).as_bytes())
    }

    /// `(sha256 hex of the letter, base64 signature)`.
    pub fn sign(&self, letter: &str) -> (String, String) {
        use p256::ecdsa::signature::Signer as _;
        use sha2::Digest as _;
        let digest = sha2::Sha256::digest(letter.as_bytes());
        let signature: p256::ecdsa::Signature = self.key.sign(&digest);
        (
            hex_of(&digest),
            base64::engine::general_purpose::STANDARD.encode(signature.to_bytes()),
        )
    }
}

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Signs a draft's commitment letter as the browser would (a code by mail confirms it); does
/// nothing when no letter is needed. Returns the record id.
pub async fn sign_letter(
    app: &TestApp,
    client: &reqwest::Client,
    login: &str,
    device: &mut Device,
    draft_id: &str,
) -> Option<String> {
    let letter = app
        .post_fn_as(client, "commitments/letter", &[("draft_id", draft_id)])
        .await;
    assert_eq!(letter.status, 200, "{}", letter.body);
    let letter = letter.json();
    if letter["needed"] != true {
        return None;
    }
    let text = letter["letter"].as_str().expect("letter text").to_owned();
    let sent = app.post_fn_as(client, "commitments/send-code", &[]).await;
    assert_eq!(sent.status, 200, "{}", sent.body);
    let code = mailed_code(app, login).await;
    let (sha, signature) = device.sign(&text);
    assert_eq!(letter["letter_sha256"].as_str(), Some(sha.as_str()));
    let signed = post_json_as(
        app,
        client,
        "commitments/sign",
        &json!({ "request": {
            "draft_id": draft_id, "letter_sha256": sha, "signature": signature,
            "public_key": device.public_key(), "key_id": device.key_id,
            "mark_kind": "typed", "mark": "王开店", "code": code,
        }}),
    )
    .await;
    assert_eq!(signed.status, 200, "{}", signed.body);
    let signed = signed.json();
    device.key_id = signed["key_id"].as_str().map(str::to_owned);
    signed["id"].as_str().map(str::to_owned)
}

/// Fills in a draft, uploads its materials and signs its letter: ready to submit.
pub async fn complete(app: &TestApp, client: &reqwest::Client, login: &str, id: &str) {
    let loaded = draft(app, client, id).await;
    upload_required(app, client, &loaded).await;
    let saved = save(
        app,
        client,
        id,
        loaded["revision"].as_i64().expect("revision"),
        &filled(&loaded),
    )
    .await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    sign_letter(app, client, login, &mut Device::new(), id).await;
}

/// Fills in and completes the materials of a draft, then submits it; returns the case number.
pub async fn complete_and_submit(
    app: &TestApp,
    client: &reqwest::Client,
    login: &str,
    id: &str,
) -> String {
    complete(app, client, login, id).await;
    let submitted = submit(app, client, id).await;
    assert_eq!(submitted.status, 200, "{}", submitted.body);
    submitted.json().as_str().expect("case number").to_owned()
}

/// Starts, fills and submits an application; returns the case number.
pub async fn file(
    app: &TestApp,
    client: &reqwest::Client,
    login: &str,
    target: &str,
    code: &str,
) -> String {
    let id = start(app, client, target, code).await;
    complete_and_submit(app, client, login, &id).await
}
