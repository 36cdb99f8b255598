//! Issuance and delivery over HTTP and through standard tools: licences issued on approval,
//! their PDF read back with poppler (`pdftotext`, `pdffonts`, `pdftoppm`) and the QR code
//! decoded with zbar (`zbarimg`), verification online, offline with the JWKS, and against every
//! forgery; revocation; the licence mail through a real SMTP server (Python's `aiosmtpd`)
//! after an outage; pickup codes and courier steps; inspections that end in revocation and a
//! credit record; the approvals feed.

use std::process::Command;

use mail_parser::MimeHeaders as _;
use serde_json::{Value, json};

use crate::common::back_office::{approved_restaurant, desk_worker, staff, status_of};
use crate::common::journey::{file, post_json_as, verified_applicant};
use crate::common::{SmtpServer, free_port, maildir_messages};
use crate::common::{TestApp, spawn_app_with_demo};

/// Runs a command-line tool of the test setup; its standard output.
fn tool(program: &str, args: &[&str]) -> Vec<u8> {
    let output = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|error| {
            panic!("{program} is needed by this test (scripts/setup.sh installs it): {error}")
        });
    assert!(
        output.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

async fn licence_rows(
    app: &TestApp,
    number: &str,
) -> Vec<(String, String, String, Option<String>, String)> {
    sqlx::query_as(
        "SELECT l.public_id, l.licence_type, l.number, l.credit_code, l.token FROM licences l \
         JOIN cases c ON c.id = l.case_id WHERE c.number = $1 ORDER BY l.licence_type",
    )
    .bind(number)
    .fetch_all(app.state.db.pool())
    .await
    .expect("licences")
}

async fn download(app: &TestApp, client: &reqwest::Client, path: &str) -> (u16, Vec<u8>) {
    let response = client.get(app.url(path)).send().await.expect("request");
    let status = response.status().as_u16();
    (status, response.bytes().await.expect("body").to_vec())
}

async fn verify_api(app: &TestApp, token: &str) -> Value {
    let response = reqwest::Client::new()
        .get(app.url("/api/v1/licences/verify"))
        .query(&[("token", token)])
        .send()
        .await
        .expect("request");
    assert_eq!(response.status().as_u16(), 200);
    response.json().await.expect("json")
}

async fn verify_pdf(app: &TestApp, bytes: Vec<u8>) -> Value {
    let response = reqwest::Client::new()
        .post(app.url("/verify/pdf"))
        .header("origin", app.url(""))
        .header("content-type", "application/pdf")
        .body(bytes)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status().as_u16(), 200);
    response.json().await.expect("json")
}

#[tokio::test]
async fn an_approved_restaurant_yields_licences_whose_pdf_text_font_and_qr_code_verify() {
    let app = spawn_app_with_demo().await;
    let (applicant, number) = approved_restaurant(&app, "canyin@example.cn", "吴新生").await;
    assert_eq!(status_of(&app, &number).await, "issued");

    // One licence per item, in the approval's transaction; the business licence's new credit
    // code is on the others too.
    let rows = licence_rows(&app, &number).await;
    let types: Vec<&str> = rows.iter().map(|row| row.1.as_str()).collect();
    assert_eq!(
        types,
        [
            "business_licence",
            "food_business_licence",
            "outdoor_advertising_permit"
        ]
    );
    let code = rows[0].3.clone().expect("a credit code");
    assert_eq!(
        rows[0].2, code,
        "a business licence is numbered by its code"
    );
    assert!(app::domain::CreditCode::parse(&code).is_ok(), "{code}");
    assert!(code.starts_with("92320113MA"), "{code}");
    assert_eq!(rows[1].3.as_deref(), Some(code.as_str()));
    assert!(rows[1].2.starts_with("JY1320113"), "{}", rows[1].2);

    // The holder sees and downloads them; nobody else can.
    let view = app
        .post_fn_as(&applicant, "licences/of-case", &[("number", &number)])
        .await;
    assert_eq!(view.status, 200, "{}", view.body);
    let view = view.json();
    assert_eq!(view["licences"].as_array().map(Vec::len), Some(3));
    let food = view["licences"]
        .as_array()
        .expect("licences")
        .iter()
        .find(|licence| licence["number"] == rows[1].2.as_str())
        .expect("the food licence")
        .clone();
    let holder = food["holder_name"].as_str().expect("holder").to_owned();
    let (status, pdf) = download(&app, &applicant, &format!("/files/licence/{}", rows[1].0)).await;
    assert_eq!(status, 200);
    assert!(pdf.starts_with(b"%PDF-"));
    assert!(pdf.len() < 200_000, "{} bytes", pdf.len());
    let stranger = verified_applicant(&app, "stranger@example.cn", None).await;
    let (status, _) = download(&app, &stranger, &format!("/files/licence/{}", rows[1].0)).await;
    assert_eq!(status, 404);

    // Standard tools read it: the text has the holder, the code and the number; the font is
    // embedded; the QR code decodes to the verification URL.
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("licence.pdf");
    std::fs::write(&path, &pdf).expect("write");
    let path_text = path.to_str().expect("path");
    let text = String::from_utf8(tool("pdftotext", &["-layout", path_text, "-"])).expect("utf-8");
    assert!(
        text.contains("食 品 经 营 许 可 证") || text.contains("食品经营许可证"),
        "{text}"
    );
    assert!(text.contains(&holder), "holder {holder} missing in {text}");
    assert!(text.contains(&code), "{text}");
    assert!(text.contains(&rows[1].2), "{text}");
    let fonts = String::from_utf8(tool("pdffonts", &[path_text])).expect("utf-8");
    let font_lines: Vec<&str> = fonts.lines().skip(2).collect();
    assert!(!font_lines.is_empty(), "{fonts}");
    for line in &font_lines {
        let columns: Vec<&str> = line.split_whitespace().collect();
        // name type [type…] encoding emb sub uni object generation
        let emb = columns[columns.len() - 5];
        assert_eq!(emb, "yes", "font not embedded: {fonts}");
    }
    let png = dir.path().join("page");
    tool(
        "pdftoppm",
        &[
            "-r",
            "150",
            "-png",
            "-singlefile",
            path_text,
            png.to_str().expect("path"),
        ],
    );
    let scanned = String::from_utf8(tool(
        "zbarimg",
        &[
            "--raw",
            "-q",
            dir.path().join("page.png").to_str().expect("path"),
        ],
    ))
    .expect("utf-8");
    let url = scanned.trim();
    assert_eq!(url, app.url(food["verify_path"].as_str().expect("path")));
    let token = url.split_once("t=").expect("token in the URL").1;
    assert_eq!(token, rows[1].4);

    // Online: valid, with the least data; offline: the JWKS alone verifies the token.
    let verified = verify_api(&app, token).await;
    assert_eq!(verified["status"], "valid", "{verified}");
    assert_eq!(verified["licence"]["number"], rows[1].2.as_str());
    assert!(
        !verified.to_string().contains("320113199005"),
        "no resident ID: {verified}"
    );
    let jwks: Value = reqwest::get(app.url("/.well-known/jwks.json"))
        .await
        .expect("jwks")
        .json()
        .await
        .expect("json");
    let claims = app::backend::auth::issuer::verify_with_jwks(token, &jwks).expect("offline");
    assert_eq!(claims.lno, rows[1].2);
    assert_eq!(claims.uscc.as_deref(), Some(code.as_str()));
    assert_eq!(
        verify_api(&app, url).await["status"],
        "valid",
        "a scanned URL works too"
    );

    // Every forgery is "not authentic", never an error.
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for index in 0..token.len() {
        let mut bytes = token.as_bytes().to_vec();
        if bytes[index] == b'.' {
            continue;
        }
        let position = alphabet
            .iter()
            .position(|c| *c == bytes[index])
            .unwrap_or(0);
        bytes[index] = alphabet[(position + 1) % alphabet.len()];
        let forged = String::from_utf8(bytes).expect("ascii");
        let result = app::backend::services::issuance::verify_token(&app.state, &forged)
            .await
            .expect("never an error");
        assert_eq!(
            result.status,
            app::domain::licence::VerificationStatus::NotAuthentic,
            "flipping position {index} still verified"
        );
    }
    let other_key = app::backend::auth::keys::generate_private_pem().expect("key");
    let other = app::backend::auth::issuer::IssuerKeys::from_private_pem(&other_key).expect("keys");
    let resigned = other.sign(&claims).expect("signed");
    for forged in [
        &token[..token.len() / 2],
        resigned.as_str(),
        "",
        "not-a-token",
        "eyJhbGciOiJub25lIn0.eyJsbm8iOiIxIn0.",
    ] {
        assert_eq!(
            verify_api(&app, forged).await["status"],
            "not_authentic",
            "{forged}"
        );
    }

    // The PDF itself: authentic as issued, not once a byte is edited.
    assert_eq!(verify_pdf(&app, pdf.clone()).await["status"], "valid");
    let mut edited = pdf.clone();
    let middle = edited.len() / 2;
    edited[middle] ^= 0x01;
    assert_eq!(verify_pdf(&app, edited).await["status"], "not_authentic");
    assert_eq!(
        verify_pdf(&app, b"%PDF-1.7 nothing".to_vec()).await["status"],
        "not_authentic"
    );
    assert_eq!(
        verify_pdf(&app, b"hello".to_vec()).await["status"],
        "not_authentic"
    );
}

#[tokio::test]
async fn an_unrectified_breach_revokes_the_licence_and_the_next_application_meets_a_credit_warning()
{
    let app = spawn_app_with_demo().await;
    let (applicant, number) = approved_restaurant(&app, "breach@example.cn", "王开店").await;
    let streets: Vec<(String, String)> = sqlx::query_as(
        "SELECT t.public_id, t.street_code FROM inspection_tasks t JOIN cases c ON c.id = t.case_id \
         JOIN licences l ON l.id = t.licence_id WHERE c.number = $1 ORDER BY l.licence_type",
    )
    .bind(&number)
    .fetch_all(app.state.db.pool())
    .await
    .expect("inspection tasks");
    // The food licence and the outdoor-advertising permit are granted on commitment.
    assert_eq!(streets.len(), 2);
    let (task, street) = streets[0].clone();

    // Inspectors of that street see the task; others do not.
    let inspector = staff(&app, "inspector.a@qixia.test.cn", "inspector", None, None).await;
    let elsewhere = staff(&app, "inspector.b@qixia.test.cn", "inspector", None, None).await;
    {
        let mut conn = app.state.db.pool().acquire().await.expect("connection");
        app::backend::db::licences::add_inspector_street(&mut conn, inspector.id, &street)
            .await
            .expect("street");
        app::backend::db::licences::add_inspector_street(&mut conn, elsewhere.id, "C09-XG")
            .await
            .expect("street");
    }
    let queue = app
        .post_fn_as(&inspector.client, "inspections/queue", &[])
        .await;
    assert_eq!(
        queue.json().as_array().map(Vec::len),
        Some(2),
        "{}",
        queue.body
    );
    let none = app
        .post_fn_as(&elsewhere.client, "inspections/queue", &[])
        .await;
    assert_eq!(none.json().as_array().map(Vec::len), Some(0));
    let hidden = app
        .post_fn_as(&elsewhere.client, "inspections/task", &[("id", &task)])
        .await;
    assert_eq!(hidden.status, 404);
    let detail = app
        .post_fn_as(&inspector.client, "inspections/task", &[("id", &task)])
        .await;
    assert_eq!(detail.status, 200, "{}", detail.body);
    assert!(
        !detail.json()["commitment"]["zh"]
            .as_str()
            .unwrap_or("")
            .is_empty()
    );

    // Non-compliant needs findings and a future deadline.
    let record = |outcome: &str, findings: &str, rectify_by: &str| json!({ "id": task, "visit": { "outcome": outcome, "findings": findings, "rectify_by": rectify_by } });
    let refused = post_json_as(
        &app,
        &inspector.client,
        "inspections/record",
        &record("non_compliant", "", "2020-01-01"),
    )
    .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused.body.contains("Findings") && refused.body.contains("DateNotInFuture"),
        "{}",
        refused.body
    );
    let found = post_json_as(
        &app,
        &inspector.client,
        "inspections/record",
        &record(
            "non_compliant",
            "后厨未设置防鼠设施，与承诺不符",
            "2099-01-31",
        ),
    )
    .await;
    assert_eq!(found.status, 200, "{}", found.body);
    let mine = app
        .post_fn_as(&applicant, "licences/of-case", &[("number", &number)])
        .await
        .json();
    let inspections = mine["inspections"].as_array().expect("inspections");
    let rectifying: Vec<&Value> = inspections
        .iter()
        .filter(|inspection| inspection["status"] == "rectifying")
        .collect();
    assert_eq!(rectifying.len(), 1, "{mine}");
    assert_eq!(rectifying[0]["rectify_by"], "2099-01-31");
    assert!(
        rectifying[0]["findings"]
            .as_str()
            .unwrap_or("")
            .contains("防鼠")
    );
    // A first-visit verdict no longer fits.
    let late = post_json_as(
        &app,
        &inspector.client,
        "inspections/record",
        &record("compliant", "", ""),
    )
    .await;
    assert_eq!(late.status, 409, "{}", late.body);

    // Re-inspection: not put right. The licence is revoked, /verify says so at once.
    let unrectified = post_json_as(
        &app,
        &inspector.client,
        "inspections/record",
        &record("unrectified", "逾期复查仍未整改", ""),
    )
    .await;
    assert_eq!(unrectified.status, 200, "{}", unrectified.body);
    let rows = licence_rows(&app, &number).await;
    let verified = verify_api(&app, &rows[1].4).await;
    assert_eq!(verified["status"], "revoked", "{verified}");
    assert!(
        verified["licence"]["revoked_reason"]
            .as_str()
            .unwrap_or("")
            .contains("逾期复查")
    );
    assert!(verified["licence"]["revoked_at"].as_i64().is_some());
    // The others stay valid.
    assert_eq!(verify_api(&app, &rows[0].4).await["status"], "valid");

    // The broken commitment is on record: the next application gets a credit warning and no
    // instant approval.
    let next = file(&app, &applicant, "breach@example.cn", "item", "SCJG-XK-001").await;
    let (credit, status): (String, String) =
        sqlx::query_as("SELECT credit_level, status FROM cases WHERE number = $1")
            .bind(&next)
            .fetch_one(app.state.db.pool())
            .await
            .expect("case");
    assert_eq!(credit, "warn");
    assert_eq!(status, "submitted");
}

#[tokio::test]
async fn the_licence_mail_reaches_a_real_smtp_server_once_with_html_and_the_pdf_after_an_outage() {
    use app::backend::config::{SmtpSettings, SmtpTls};
    use app::backend::delivery::{Deliverers, LogSms, MailTransport, deliver_due};
    let app = spawn_app_with_demo().await;
    let applicant = verified_applicant(&app, "instant@example.cn", Some("李美味")).await;
    let number = file(
        &app,
        &applicant,
        "instant@example.cn",
        "item",
        "SCJG-XK-001",
    )
    .await;
    assert_eq!(status_of(&app, &number).await, "issued");

    let port = free_port();
    let mut config = (*app.state.config).clone();
    config.smtp = Some(SmtpSettings {
        host: "127.0.0.1".into(),
        port,
        credentials: None,
        tls: SmtpTls::None,
    });
    let deliverers = Deliverers {
        mail: MailTransport::from_config(&config).expect("transport"),
        from: "不见面审批 <noreply@example.cn>".parse().expect("sender"),
        sms: std::sync::Arc::new(LogSms),
    };
    let pending = app.count("outbox WHERE sent_at IS NULL").await;
    assert!(pending >= 1);

    // The server is down: nothing is lost, every attempt is recorded with the reason.
    assert_eq!(
        deliver_due(&app.state, &deliverers).await.expect("round"),
        0
    );
    let (failed, reply): (i64, String) =
        sqlx::query_as("SELECT COUNT(*), MAX(reply) FROM outbox_attempts WHERE outcome = 'failed'")
            .fetch_one(app.state.db.pool())
            .await
            .expect("attempts");
    assert_eq!(failed, pending);
    assert!(
        reply.contains("SMTP") || reply.contains("connect"),
        "{reply}"
    );
    assert_eq!(app.count("outbox WHERE sent_at IS NULL").await, pending);

    // Up again: each message goes out exactly once.
    let maildir = tempfile::tempdir().expect("maildir");
    let _server = SmtpServer::start(port, maildir.path()).await;
    sqlx::query("UPDATE outbox SET next_attempt_at = 0 WHERE sent_at IS NULL")
        .execute(app.state.db.pool())
        .await
        .expect("due now");
    let sent = deliver_due(&app.state, &deliverers).await.expect("round");
    assert_eq!(i64::try_from(sent).expect("count"), pending);
    assert_eq!(
        deliver_due(&app.state, &deliverers).await.expect("round"),
        0
    );
    let messages = maildir_messages(maildir.path());
    assert_eq!(i64::try_from(messages.len()).expect("count"), pending);
    let replies: Vec<String> =
        sqlx::query_scalar("SELECT reply FROM outbox_attempts WHERE outcome = 'sent'")
            .fetch_all(app.state.db.pool())
            .await
            .expect("replies");
    // The code mail went to the file outbox earlier; the rest through SMTP, answered 250.
    let smtp_replies = replies
        .iter()
        .filter(|reply| reply.starts_with("250"))
        .count();
    assert_eq!(
        i64::try_from(smtp_replies).expect("count"),
        pending,
        "{replies:?}"
    );

    // The licence mail: subject, both parts, the link, the PDF.
    let parsed: Vec<mail_parser::Message> = messages
        .iter()
        .filter_map(|raw| mail_parser::MessageParser::default().parse(raw.as_slice()))
        .collect();
    let mail = parsed
        .iter()
        .find(|mail| mail.subject().unwrap_or("").contains("电子证照已签发"))
        .expect("the licence mail");
    assert_eq!(
        mail.to()
            .and_then(|to| to.first())
            .and_then(|a| a.address()),
        Some("instant@example.cn")
    );
    let text = mail.body_text(0).expect("plain text");
    assert!(text.contains(&number), "{text}");
    assert!(text.contains(&format!("/my/cases/{number}")), "{text}");
    let html = mail.body_html(0).expect("html");
    assert!(html.contains("<ul>") && html.contains(&number), "{html}");
    let attachment = mail.attachments().next().expect("an attachment");
    assert!(attachment.attachment_name().unwrap_or("").ends_with(".pdf"));
    assert!(attachment.contents().starts_with(b"%PDF-"));
    let issued_pdf: Vec<u8> = sqlx::query_scalar(
        "SELECT l.pdf FROM licences l JOIN cases c ON c.id = l.case_id WHERE c.number = $1",
    )
    .bind(&number)
    .fetch_one(app.state.db.pool())
    .await
    .expect("pdf");
    assert_eq!(attachment.contents(), issued_pdf.as_slice());
}

#[tokio::test]
async fn a_pickup_code_works_once_at_the_chosen_centre_and_couriers_are_tracked() {
    let app = spawn_app_with_demo().await;
    let applicant = verified_applicant(&app, "pickup@example.cn", Some("孙理发")).await;
    let number = file(&app, &applicant, "pickup@example.cn", "item", "SCJG-XK-001").await;
    let choose = |choice: Value| json!({ "number": number, "choice": choice });

    // Bad input names the fields and changes nothing.
    let bad = post_json_as(
        &app,
        &applicant,
        "licences/delivery",
        &choose(json!({ "mode": "courier", "recipient_phone": "123" })),
    )
    .await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    for field in ["RecipientName", "RecipientPhone", "Address"] {
        assert!(bad.body.contains(field), "{field}: {}", bad.body);
    }
    let nowhere = post_json_as(
        &app,
        &applicant,
        "licences/delivery",
        &choose(json!({ "mode": "pickup", "pickup_centre": "C99-XX" })),
    )
    .await;
    assert_eq!(nowhere.status, 422, "{}", nowhere.body);

    // Pickup at 尧化: the code is shown at once (the licence is issued already).
    let chosen = post_json_as(
        &app,
        &applicant,
        "licences/delivery",
        &choose(json!({ "mode": "pickup", "pickup_centre": "C01-YH" })),
    )
    .await;
    assert_eq!(chosen.status, 200, "{}", chosen.body);
    let code = chosen.json()["pickup_code"]
        .as_str()
        .expect("a code")
        .to_owned();
    assert_eq!(code.len(), 8);

    let hall = desk_worker(&app, "hall@qixia.test.cn").await;
    let yaohua = staff(
        &app,
        "yaohua@qixia.test.cn",
        "front_desk",
        None,
        Some("C01-YH"),
    )
    .await;
    let try_code = |who: &reqwest::Client, code: &str| {
        let who = who.clone();
        let code = code.to_owned();
        let app = &app;
        async move {
            app.post_fn_as(&who, "desk/pickup", &[("code", &code)])
                .await
        }
    };
    let elsewhere = try_code(&hall.client, &code).await;
    assert_eq!(elsewhere.status, 422);
    assert!(
        elsewhere.body.contains("PickupAtOtherCentre"),
        "{}",
        elsewhere.body
    );
    let wrong_digit = if code.ends_with('0') { "1" } else { "0" };
    let wrong = try_code(&yaohua.client, &format!("{}{wrong_digit}", &code[..7])).await;
    assert!(wrong.body.contains("PickupCodeUnknown"), "{}", wrong.body);
    let handed = try_code(&yaohua.client, &code).await;
    assert_eq!(handed.status, 200, "{}", handed.body);
    assert_eq!(status_of(&app, &number).await, "delivered");
    let again = try_code(&yaohua.client, &code).await;
    assert!(again.body.contains("PickupCodeUsed"), "{}", again.body);

    // Courier: the address is captured, the desk records dispatch and delivery.
    let second = file(&app, &applicant, "pickup@example.cn", "item", "SCJG-XK-001").await;
    let courier = post_json_as(
        &app,
        &applicant,
        "licences/delivery",
        &json!({ "number": second, "choice": {
            "mode": "courier", "recipient_name": "孙理发", "recipient_phone": "13812345678",
            "address": "南京市栖霞区尧化街道尧佳路 8 号" } }),
    )
    .await;
    assert_eq!(courier.status, 200, "{}", courier.body);
    let paper = app.post_fn_as(&hall.client, "desk/paper", &[]).await.json();
    assert!(paper.to_string().contains(&second), "{paper}");
    let sent = app
        .post_fn_as(
            &hall.client,
            "desk/dispatch",
            &[
                ("number", &second),
                ("carrier", "中国邮政 EMS"),
                ("tracking_number", "1187654321098"),
            ],
        )
        .await;
    assert_eq!(sent.status, 200, "{}", sent.body);
    let seen = app
        .post_fn_as(&applicant, "licences/of-case", &[("number", &second)])
        .await
        .json();
    assert_eq!(seen["delivery"]["tracking_number"], "1187654321098");
    assert_eq!(seen["delivery"]["changeable"], false);
    let done = app
        .post_fn_as(
            &hall.client,
            "desk/courier-outcome",
            &[("number", &second), ("delivered", "true"), ("note", "")],
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert_eq!(status_of(&app, &second).await, "delivered");
}

#[tokio::test]
async fn admins_revoke_at_once_and_the_feed_serves_approvals_to_token_holders_only() {
    let app = spawn_app_with_demo().await;
    let applicant = verified_applicant(&app, "feed@example.cn", Some("冯小吃")).await;
    let number = file(&app, &applicant, "feed@example.cn", "item", "SCJG-XK-001").await;
    let rows = licence_rows(&app, &number).await;
    assert_eq!(verify_api(&app, &rows[0].4).await["status"], "valid");

    app.signed_in_admin().await;
    let empty = app
        .post_fn(
            "admin/revoke-licence",
            &[
                ("licence_type", "business_licence"),
                ("number", &rows[0].2),
                ("reason", " "),
            ],
        )
        .await;
    assert_eq!(empty.status, 422, "{}", empty.body);
    let revoked = app
        .post_fn(
            "admin/revoke-licence",
            &[
                ("licence_type", "business_licence"),
                ("number", &rows[0].2),
                ("reason", "以欺骗手段取得登记"),
            ],
        )
        .await;
    assert_eq!(revoked.status, 200, "{}", revoked.body);
    let verified = verify_api(&app, &rows[0].4).await;
    assert_eq!(verified["status"], "revoked");
    assert_eq!(verified["licence"]["revoked_reason"], "以欺骗手段取得登记");

    let feed = |token: Option<String>, since: i64| {
        let url = app.url(&format!("/api/v1/feed/approvals?since={since}"));
        async move {
            let mut request = reqwest::Client::new().get(url);
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            let response = request.send().await.expect("request");
            (
                response.status().as_u16(),
                response.json::<Value>().await.unwrap_or(Value::Null),
            )
        }
    };
    assert_eq!(feed(None, 0).await.0, 401);
    assert_eq!(feed(Some("bjm_feed_wrong".into()), 0).await.0, 401);
    let token = app
        .post_fn("admin/feed-token", &[("name", "市场监管执法平台")])
        .await;
    assert_eq!(token.status, 200, "{}", token.body);
    let token = token.json().as_str().expect("token").to_owned();
    let (status, page) = feed(Some(token.clone()), 0).await;
    assert_eq!(status, 200, "{page}");
    let approvals = page["approvals"].as_array().expect("approvals");
    let mine = approvals
        .iter()
        .find(|approval| approval["case_number"] == number.as_str())
        .expect("the approval is in the feed");
    assert_eq!(mine["licences"][0]["number"], rows[0].2.as_str());
    let next = page["next_since"].as_i64().expect("cursor");
    let (_, rest) = feed(Some(token), next).await;
    assert_eq!(rest["approvals"].as_array().map(Vec::len), Some(0));
    assert_eq!(rest["next_since"].as_i64(), Some(next));
}
