//! Material uploads through HTTP: the type is decided by the content (a disguised file is
//! refused whatever its name), sizes and names are bounded, a refused upload leaves nothing
//! behind, and a file is served only to its applicant — and to the front desk once the
//! application is submitted, which the audit log records.

use serde_json::Value;

use crate::common::journey::{JPG, PDF, upload};
use crate::common::{Options, TestApp, browser, field_problems, spawn_app_with};

const ITEM: &str = "SCJG-XK-001";

/// Files in the store (every file of every test app lives in its own data directory).
fn stored_files(app: &TestApp) -> usize {
    let root = app.data_dir().join("files");
    let Ok(prefixes) = std::fs::read_dir(root) else {
        return 0;
    };
    prefixes
        .filter_map(Result::ok)
        .filter_map(|prefix| std::fs::read_dir(prefix.path()).ok())
        .flatten()
        .filter_map(Result::ok)
        .count()
}

async fn applicant_with_draft(
    app: &TestApp,
    login: &str,
    person: &str,
) -> (reqwest::Client, String) {
    let client = crate::common::journey::verified_applicant(app, login, Some(person)).await;
    let started = app
        .post_fn_as(
            &client,
            "applications/start",
            &[("target", "item"), ("code", ITEM)],
        )
        .await;
    assert_eq!(started.status, 200, "{}", started.body);
    (client, started.json().as_str().expect("draft").to_owned())
}

fn problem(reply: &crate::common::Reply) -> String {
    field_problems(&reply.json())
        .into_iter()
        .map(|(field, problem)| format!("{field}:{problem}"))
        .collect::<Vec<_>>()
        .join(",")
}

#[tokio::test]
async fn uploads_are_checked_by_content_size_and_name_and_refusals_leave_nothing() {
    let app = spawn_app_with(Options {
        demo: true,
        tweak: |config| config.max_upload_bytes = 64 * 1024,
        ..Options::default()
    })
    .await;
    let (client, draft) = applicant_with_draft(&app, "uploads@example.cn", "王开店").await;

    let good = upload(&app, &client, &draft, "M02", "场地租赁合同.pdf", PDF).await;
    assert_eq!(good.status, 200, "{}", good.body);
    let file: Value = good.json();
    assert_eq!(file["file_type"], "pdf");
    assert_eq!(file["size_bytes"], PDF.len());
    assert_eq!(stored_files(&app), 1);

    let executable = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff";
    for (material, name, bytes, expected, status) in [
        // An executable renamed .pdf, HTML renamed .jpg, a PDF where only photos are accepted.
        (
            "M02",
            "合同.pdf",
            &executable[..],
            "File:FileTypeNotAccepted",
            422,
        ),
        (
            "M03",
            "photo.jpg",
            &b"<html><script>alert(1)</script>"[..],
            "File:FileTypeNotAccepted",
            422,
        ),
        ("M03", "photo.pdf", PDF, "File:FileTypeNotAccepted", 422),
        (
            "M02",
            "../../etc/passwd.pdf",
            PDF,
            "File:PathInFileName",
            422,
        ),
        ("M02", "..\\boot.pdf", PDF, "File:PathInFileName", 422),
        ("M02", "a\u{1}b.pdf", PDF, "File:ControlCharacters", 422),
        ("M02", "empty.pdf", &b""[..], "File:EmptyFile", 422),
        (
            "M02",
            "tiny.pdf",
            &b"%PD"[..],
            "File:FileTypeNotAccepted",
            422,
        ),
    ] {
        let refused = upload(&app, &client, &draft, material, name, bytes).await;
        assert_eq!(refused.status, status, "{name}: {}", refused.body);
        assert_eq!(problem(&refused), expected, "{name}");
    }
    let mut big = PDF.to_vec();
    big.resize(65 * 1024, b' ');
    let too_big = upload(&app, &client, &draft, "M02", "big.pdf", &big).await;
    assert_eq!(too_big.status, 413, "{}", too_big.body);
    assert_eq!(problem(&too_big), "File:FileTooLarge");
    // Not a material of this form, or not a draft of this applicant: not found.
    assert_eq!(
        upload(&app, &client, &draft, "M99", "a.pdf", PDF)
            .await
            .status,
        404
    );
    assert_eq!(
        upload(&app, &client, "0123abcd", "M02", "a.pdf", PDF)
            .await
            .status,
        404
    );

    assert_eq!(app.count("materials").await, 1);
    assert_eq!(
        stored_files(&app),
        1,
        "refused uploads leave no file behind"
    );
    assert_eq!(
        app.count("audit_log WHERE action = 'material.upload'")
            .await,
        1
    );
}

#[tokio::test]
async fn a_file_is_served_to_its_applicant_and_to_the_front_desk_only_after_submission() {
    let app = spawn_app_with(Options {
        demo: true,
        ..Options::default()
    })
    .await;
    let (owner, draft) = applicant_with_draft(&app, "owner.files@example.cn", "王开店").await;
    let uploaded = upload(&app, &owner, &draft, "M01", "身份证.jpg", JPG).await;
    assert_eq!(uploaded.status, 200, "{}", uploaded.body);
    let id = uploaded.json()["id"].as_str().expect("id").to_owned();
    let path = format!("/files/{id}");

    let served = app.get(&owner, &path).await;
    assert_eq!(served.status, 200);
    assert_eq!(served.header("content-type").as_deref(), Some("image/jpeg"));
    assert_eq!(
        served.header("cache-control").as_deref(),
        Some("private, no-store")
    );
    assert!(
        served
            .header("content-security-policy")
            .is_some_and(|csp| csp.contains("sandbox"))
    );

    let (other, other_draft) = applicant_with_draft(&app, "other.files@example.cn", "李美味").await;
    assert_eq!(app.get(&other, &path).await.status, 404);
    assert_eq!(
        upload(&app, &other, &draft, "M02", "x.pdf", PDF)
            .await
            .status,
        404
    );
    let removed = app
        .post_fn_as(
            &other,
            "applications/file/remove",
            &[("draft_id", other_draft.as_str()), ("file_id", id.as_str())],
        )
        .await;
    assert_eq!(removed.status, 404, "{}", removed.body);
    assert_eq!(app.get(&browser(), &path).await.status, 401);

    // The front desk sees it once the application is submitted, and that is recorded.
    let desk = browser();
    app.login_staff(
        &desk,
        "qiantai@qixia.example.cn",
        app::backend::demo::DEMO_PASSWORD,
    )
    .await;
    assert_eq!(
        app.get(&desk, &path).await.status,
        404,
        "not before submission"
    );
    let refused = app
        .post_fn_as(
            &owner,
            "applications/submit",
            &[("draft_id", draft.as_str())],
        )
        .await;
    assert_eq!(
        refused.status, 422,
        "materials M02 and M03 are missing: {}",
        refused.body
    );
    let body = refused.json();
    let missing: Vec<&str> = body["FormInvalid"]
        .as_array()
        .expect("problems")
        .iter()
        .filter_map(|problem| problem["name"].as_str())
        .filter(|name| name.starts_with('M'))
        .collect();
    assert_eq!(missing, ["M02", "M03"]);
    let number =
        crate::common::journey::complete_and_submit(&app, &owner, "owner.files@example.cn", &draft)
            .await;
    assert!(number.starts_with("QX-"));
    let viewed = app.get(&desk, &path).await;
    assert_eq!(viewed.status, 200);
    assert_eq!(
        app.count("audit_log WHERE action = 'material.view'").await,
        1
    );

    // A submitted application's files can no longer be removed.
    let removed = app
        .post_fn_as(
            &owner,
            "applications/file/remove",
            &[("draft_id", draft.as_str()), ("file_id", id.as_str())],
        )
        .await;
    assert_eq!(removed.status, 409, "{}", removed.body);
    let case = app
        .post_fn_as(&owner, "applications/case", &[("number", number.as_str())])
        .await
        .json();
    assert_eq!(case["files"].as_array().map(Vec::len), Some(3));
    assert_eq!(case["files"][0]["material"]["zh"], "身份证明");
}

#[tokio::test]
async fn a_removed_file_is_gone_from_the_draft_and_the_store() {
    let app = spawn_app_with(Options {
        demo: true,
        ..Options::default()
    })
    .await;
    let (client, draft) = applicant_with_draft(&app, "remove.files@example.cn", "王开店").await;
    let uploaded = upload(&app, &client, &draft, "M02", "合同.pdf", PDF).await;
    let id = uploaded.json()["id"].as_str().expect("id").to_owned();
    assert_eq!(stored_files(&app), 1);
    let removed = app
        .post_fn_as(
            &client,
            "applications/file/remove",
            &[("draft_id", draft.as_str()), ("file_id", id.as_str())],
        )
        .await;
    assert_eq!(removed.status, 200, "{}", removed.body);
    assert_eq!(stored_files(&app), 0);
    assert_eq!(app.get(&client, &format!("/files/{id}")).await.status, 404);
    let loaded = app
        .post_fn_as(
            &client,
            "applications/draft",
            &[("draft_id", draft.as_str())],
        )
        .await
        .json();
    assert_eq!(loaded["files"].as_array().map(Vec::len), Some(0));
}

async fn upload_photo(
    app: &TestApp,
    client: &reqwest::Client,
    kind: &str,
    bytes: &[u8],
) -> crate::common::Reply {
    let response = client
        .post(app.url("/files/identity-photo"))
        .query(&[("kind", kind), ("name", "photo.jpg")])
        .header("origin", &app.origin)
        .body(bytes.to_vec())
        .send()
        .await
        .expect("upload request");
    crate::common::Reply::read(response).await
}

#[tokio::test]
async fn the_front_desk_compares_the_photos_and_grants_level_3_or_refuses_with_a_reason() {
    let app = spawn_app_with(Options {
        demo: true,
        ..Options::default()
    })
    .await;
    let applicant =
        crate::common::journey::verified_applicant(&app, "photos@example.cn", Some("王开店")).await;

    // Photos are JPG or PNG by content; asking needs both.
    let refused = upload_photo(&app, &applicant, "id_card", PDF).await;
    assert_eq!(problem(&refused), "File:FileTypeNotAccepted");
    let asked = app
        .post_fn_as(&applicant, "identity/request-person-check", &[])
        .await;
    assert_eq!(problem(&asked), "File:Required");
    let card = upload_photo(&app, &applicant, "id_card", JPG).await;
    assert_eq!(card.status, 200, "{}", card.body);
    let card_id = card.json()["id"].as_str().expect("id").to_owned();
    assert_eq!(
        upload_photo(&app, &applicant, "selfie", JPG).await.status,
        200
    );
    let asked = app
        .post_fn_as(&applicant, "identity/request-person-check", &[])
        .await;
    assert_eq!(asked.status, 200, "{}", asked.body);
    let again = app
        .post_fn_as(&applicant, "identity/request-person-check", &[])
        .await;
    assert_eq!(again.status, 409, "one pending check at a time");

    // Another applicant and an approver see nothing; the front desk sees the pair.
    let other =
        crate::common::journey::verified_applicant(&app, "other.photos@example.cn", Some("李美味"))
            .await;
    assert_eq!(
        app.get(&other, &format!("/files/identity/{card_id}"))
            .await
            .status,
        404
    );
    let approver = browser();
    app.login_staff(
        &approver,
        "shenpi@qixia.example.cn",
        app::backend::demo::DEMO_PASSWORD,
    )
    .await;
    assert_eq!(
        app.post_fn_as(&approver, "desk/person-checks", &[])
            .await
            .status,
        403
    );
    assert_eq!(
        app.get(&approver, &format!("/files/identity/{card_id}"))
            .await
            .status,
        404
    );
    let desk = browser();
    app.login_staff(
        &desk,
        "qiantai@qixia.example.cn",
        app::backend::demo::DEMO_PASSWORD,
    )
    .await;
    let queue = app
        .post_fn_as(&desk, "desk/person-checks", &[])
        .await
        .json();
    let check = queue[0].clone();
    assert_eq!(check["legal_name"], "王开店");
    assert_eq!(check["id_card_photo"], card_id.as_str());
    assert_eq!(
        app.get(&desk, &format!("/files/identity/{card_id}"))
            .await
            .status,
        200
    );
    assert_eq!(
        app.count("audit_log WHERE action = 'identity.photo_view'")
            .await,
        1
    );
    let check_id = check["id"].as_str().expect("check id").to_owned();

    // A refusal needs a reason; the applicant sees it and may try again.
    let no_reason = app
        .post_fn_as(
            &desk,
            "desk/person-check/decide",
            &[
                ("check_id", check_id.as_str()),
                ("approve", "false"),
                ("reason", " "),
            ],
        )
        .await;
    assert_eq!(problem(&no_reason), "Reason:Required");
    let decided = app
        .post_fn_as(
            &desk,
            "desk/person-check/decide",
            &[
                ("check_id", check_id.as_str()),
                ("approve", "false"),
                ("reason", "照片模糊，看不清面部"),
            ],
        )
        .await;
    assert_eq!(decided.status, 200, "{}", decided.body);
    let status = app
        .post_fn_as(&applicant, "identity/status", &[])
        .await
        .json();
    assert_eq!(status["level"], "L2");
    assert_eq!(status["person_check"]["status"], "refused");
    assert_eq!(status["person_check"]["reason"], "照片模糊，看不清面部");
    let twice = app
        .post_fn_as(
            &desk,
            "desk/person-check/decide",
            &[
                ("check_id", check_id.as_str()),
                ("approve", "true"),
                ("reason", ""),
            ],
        )
        .await;
    assert_eq!(twice.status, 409, "a decided check stays decided");

    assert_eq!(
        upload_photo(&app, &applicant, "selfie", JPG).await.status,
        200
    );
    let asked = app
        .post_fn_as(&applicant, "identity/request-person-check", &[])
        .await;
    assert_eq!(asked.status, 200, "{}", asked.body);
    let queue = app
        .post_fn_as(&desk, "desk/person-checks", &[])
        .await
        .json();
    let check_id = queue[0]["id"].as_str().expect("check id").to_owned();
    let decided = app
        .post_fn_as(
            &desk,
            "desk/person-check/decide",
            &[
                ("check_id", check_id.as_str()),
                ("approve", "true"),
                ("reason", ""),
            ],
        )
        .await;
    assert_eq!(decided.status, 200, "{}", decided.body);
    let status = app
        .post_fn_as(&applicant, "identity/status", &[])
        .await
        .json();
    assert_eq!(status["level"], "L3");
    assert_eq!(
        app.count("notifications WHERE kind LIKE 'person_check_%'")
            .await,
        2
    );
}
