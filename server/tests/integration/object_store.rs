//! Uploaded files in an S3-compatible bucket (`BJM_STORAGE=s3`), against a real S3 server on
//! loopback (moto, see [`crate::common::moto`]): an applicant's material lands in the bucket
//! under `<prefix>/<ab>/<key>` and comes back byte for byte (a large one as a multipart
//! upload); two nodes on one database and one bucket serve each other's uploads; removing a
//! file or refusing an upload leaves no object; and a store that cannot be reached makes the
//! upload answer 503 with no database row pointing at a missing object.

use object_store::ObjectStoreExt as _;
use sha2::Digest as _;

use crate::common::journey::{PDF, upload, verified_applicant};
use crate::common::{MotoServer, PASSWORD, TestApp, browser, error_kind, free_port};

const ITEM: &str = "SCJG-XK-001";
const BUCKET: &str = "bjm-files";

async fn applicant_with_draft(
    app: &TestApp,
    login: &str,
    person: &str,
) -> (reqwest::Client, String) {
    let client = verified_applicant(app, login, Some(person)).await;
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

/// The store key the database recorded for an uploaded file.
async fn file_key(app: &TestApp, public_id: &str) -> String {
    let (key,): (String,) = sqlx::query_as("SELECT file_key FROM materials WHERE public_id = $1")
        .bind(public_id)
        .fetch_one(app.state.db.pool())
        .await
        .expect("the material's row");
    key
}

/// The bytes `GET /files/{id}` answers, with the status.
async fn download(app: &TestApp, client: &reqwest::Client, public_id: &str) -> (u16, Vec<u8>) {
    let response = client
        .get(app.url(&format!("/files/{public_id}")))
        .send()
        .await
        .expect("download request");
    let status = response.status().as_u16();
    let bytes = response.bytes().await.expect("download body").to_vec();
    (status, bytes)
}

/// A PDF (by its first bytes) of `size` bytes that compress badly.
fn large_pdf(size: usize) -> Vec<u8> {
    let mut bytes = b"%PDF-1.7\n".to_vec();
    let mut block = sha2::Sha256::digest(b"bjm").to_vec();
    while bytes.len() < size {
        block = sha2::Sha256::digest(&block).to_vec();
        bytes.extend_from_slice(&block);
    }
    bytes.truncate(size);
    bytes
}

/// Files in an app's local store directory (none should be there with S3 configured).
fn local_files(app: &TestApp) -> usize {
    walk(&app.data_dir().join("files"))
}

fn walk(dir: &std::path::Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .filter_map(Result::ok)
        .map(|entry| {
            if entry.path().is_dir() {
                walk(&entry.path())
            } else {
                1
            }
        })
        .sum()
}

#[tokio::test]
async fn an_upload_lands_in_the_bucket_and_downloads_byte_identical() {
    let Some(moto) = MotoServer::start("object_store::an_upload_lands_in_the_bucket").await else {
        return;
    };
    moto.create_bucket(BUCKET).await;
    let app = crate::common::spawn_app_configured(|config| {
        config.demo = true;
        config.storage = moto.storage(BUCKET, "/qixia/uploads/");
    })
    .await;
    let (owner, draft) = applicant_with_draft(&app, "s3.owner@example.cn", "王开店").await;

    let small = upload(&app, &owner, &draft, "M02", "场地租赁合同.pdf", PDF).await;
    assert_eq!(small.status, 200, "{}", small.body);
    let small_id = small.json()["id"].as_str().expect("id").to_owned();
    let small_key = file_key(&app, &small_id).await;
    assert_eq!(
        moto.objects(BUCKET).await,
        [format!("qixia/uploads/{}/{small_key}", &small_key[..2])],
        "the object is named like the local file, under the prefix"
    );
    assert_eq!(download(&app, &owner, &small_id).await, (200, PDF.to_vec()));

    // Larger than one part: a multipart upload, read back whole.
    let big = large_pdf(app::backend::s3_storage::PART_BYTES * 2 + 12_345);
    let uploaded = upload(&app, &owner, &draft, "M02", "附件.pdf", &big).await;
    assert_eq!(uploaded.status, 200, "{}", uploaded.body);
    let big_id = uploaded.json()["id"].as_str().expect("id").to_owned();
    let big_key = file_key(&app, &big_id).await;
    let stored = moto
        .client(BUCKET)
        .get(&object_store::path::Path::from(format!(
            "qixia/uploads/{}/{big_key}",
            &big_key[..2]
        )))
        .await
        .expect("the object")
        .bytes()
        .await
        .expect("its bytes");
    assert_eq!(stored.len(), big.len());
    assert!(stored == big, "the bucket holds the uploaded bytes");
    let (status, served) = download(&app, &owner, &big_id).await;
    assert_eq!(status, 200);
    assert_eq!(served.len(), big.len());
    assert!(served == big, "the download is byte-identical");
    assert_eq!(moto.objects(BUCKET).await.len(), 2);
    assert_eq!(local_files(&app), 0, "nothing is written locally");
}

#[tokio::test]
async fn a_file_uploaded_through_one_node_is_served_by_another() {
    let Some(moto) = MotoServer::start("object_store::a_file_uploaded_through_one_node").await
    else {
        return;
    };
    moto.create_bucket(BUCKET).await;
    let node_a = crate::common::spawn_app_configured(|config| {
        config.demo = true;
        config.storage = moto.storage(BUCKET, "");
    })
    .await;
    let node_b = node_a
        .spawn_node(|config| config.storage = moto.storage(BUCKET, ""))
        .await;
    let login = "s3.nodes@example.cn";
    let (on_a, draft) = applicant_with_draft(&node_a, login, "王开店").await;
    let on_b = browser();
    let signed_in = node_b.login(&on_b, login, PASSWORD).await;
    assert_eq!(signed_in.status, 200, "{}", signed_in.body);

    let through_a = upload(&node_a, &on_a, &draft, "M02", "合同.pdf", PDF).await;
    assert_eq!(through_a.status, 200, "{}", through_a.body);
    let a_id = through_a.json()["id"].as_str().expect("id").to_owned();
    assert_eq!(download(&node_b, &on_b, &a_id).await, (200, PDF.to_vec()));

    let photo = crate::common::journey::JPG;
    let through_b = upload(&node_b, &on_b, &draft, "M01", "身份证.jpg", photo).await;
    assert_eq!(through_b.status, 200, "{}", through_b.body);
    let b_id = through_b.json()["id"].as_str().expect("id").to_owned();
    assert_eq!(download(&node_a, &on_a, &b_id).await, (200, photo.to_vec()));

    assert_eq!(moto.objects(BUCKET).await.len(), 2);
    assert_eq!(local_files(&node_a) + local_files(&node_b), 0);
}

#[tokio::test]
async fn removing_a_file_or_refusing_an_upload_leaves_no_object() {
    let Some(moto) = MotoServer::start("object_store::removing_a_file").await else {
        return;
    };
    moto.create_bucket(BUCKET).await;
    let app = crate::common::spawn_app_configured(|config| {
        config.demo = true;
        config.storage = moto.storage(BUCKET, "bjm");
    })
    .await;
    let (client, draft) = applicant_with_draft(&app, "s3.remove@example.cn", "王开店").await;

    // Refused by its content (an executable named .pdf): the started object is dropped.
    let executable = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff";
    let refused = upload(&app, &client, &draft, "M02", "合同.pdf", executable).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert_eq!(moto.objects(BUCKET).await, Vec::<String>::new());

    let uploaded = upload(&app, &client, &draft, "M02", "合同.pdf", PDF).await;
    assert_eq!(uploaded.status, 200, "{}", uploaded.body);
    let id = uploaded.json()["id"].as_str().expect("id").to_owned();
    assert_eq!(moto.objects(BUCKET).await.len(), 1);
    let removed = app
        .post_fn_as(
            &client,
            "applications/file/remove",
            &[("draft_id", draft.as_str()), ("file_id", id.as_str())],
        )
        .await;
    assert_eq!(removed.status, 200, "{}", removed.body);
    assert_eq!(moto.objects(BUCKET).await, Vec::<String>::new());
    assert_eq!(download(&app, &client, &id).await.0, 404);
}

#[tokio::test]
async fn an_unreachable_store_answers_503_and_records_nothing() {
    // Nothing listens on this port: no moto needed.
    let endpoint = format!("http://127.0.0.1:{}", free_port());
    let app = crate::common::spawn_app_configured(|config| {
        config.demo = true;
        config.storage = app::backend::config::FileStorage::S3(app::backend::config::S3Settings {
            bucket: BUCKET.into(),
            endpoint: Some(endpoint),
            region: "us-east-1".into(),
            credentials: Some(("id".into(), "secret".into())),
            prefix: String::new(),
        });
    })
    .await;
    let (client, draft) = applicant_with_draft(&app, "s3.down@example.cn", "王开店").await;
    let before = app.count("audit_log").await;
    let started = std::time::Instant::now();
    let refused = upload(&app, &client, &draft, "M02", "合同.pdf", PDF).await;
    assert_eq!(refused.status, 503, "{}", refused.body);
    assert_eq!(error_kind(&refused.json()), "Unavailable");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(25),
        "answered within the request timeout, not after it: {:?}",
        started.elapsed()
    );
    assert_eq!(
        app.count("materials").await,
        0,
        "no row for a missing object"
    );
    assert_eq!(app.count("audit_log").await, before, "no upload recorded");
}

#[tokio::test]
async fn a_store_that_goes_away_answers_503_and_keeps_the_records_consistent() {
    let Some(mut moto) = MotoServer::start("object_store::a_store_that_goes_away").await else {
        return;
    };
    moto.create_bucket(BUCKET).await;
    let app = crate::common::spawn_app_configured(|config| {
        config.demo = true;
        config.storage = moto.storage(BUCKET, "");
    })
    .await;
    let (client, draft) = applicant_with_draft(&app, "s3.gone@example.cn", "王开店").await;
    let uploaded = upload(&app, &client, &draft, "M02", "合同.pdf", PDF).await;
    assert_eq!(uploaded.status, 200, "{}", uploaded.body);
    let id = uploaded.json()["id"].as_str().expect("id").to_owned();

    moto.stop();
    let refused = upload(&app, &client, &draft, "M02", "合同二.pdf", PDF).await;
    assert_eq!(refused.status, 503, "{}", refused.body);
    assert_eq!(error_kind(&refused.json()), "Unavailable");
    assert_eq!(
        app.count("materials").await,
        1,
        "only the stored file has a row"
    );
    let (status, _) = download(&app, &client, &id).await;
    assert_eq!(status, 503, "the file is there, the store is not");
}

/// `BJM_STORAGE` and `BJM_S3_*` as the server reads them: the defaults, a full S3 setting, and
/// a start refused with the variable named for each bad value.
#[test]
fn storage_variables_are_read_and_bad_values_name_their_variable() {
    use app::backend::config::{FileStorage, S3Settings};
    use server::config::Settings;

    let addr: std::net::SocketAddr = "127.0.0.1:3000".parse().expect("address");
    let local = Settings::default().app_config(addr).expect("defaults");
    assert_eq!(
        local.storage,
        FileStorage::Local {
            dir: std::path::PathBuf::from("data").join("files")
        }
    );

    let s3 = Settings {
        storage: Some("s3".into()),
        s3_bucket: Some("bjm-files".into()),
        s3_endpoint: Some("http://127.0.0.1:9000/".into()),
        s3_access_key_id: Some("minioadmin".into()),
        s3_secret_access_key: Some("minio-secret".into()),
        s3_prefix: Some("/qixia/".into()),
        ..Settings::default()
    };
    let config = s3.app_config(addr).expect("an S3 setting");
    assert_eq!(
        config.storage,
        FileStorage::S3(S3Settings {
            bucket: "bjm-files".into(),
            endpoint: Some("http://127.0.0.1:9000/".into()),
            region: "us-east-1".into(),
            credentials: Some(("minioadmin".into(), "minio-secret".into())),
            prefix: "qixia".into(),
        })
    );
    let shown = format!("{:?}", config.storage);
    assert!(
        shown.contains("minioadmin") && !shown.contains("minio-secret"),
        "{shown}"
    );

    let refused = |settings: Settings| match settings.app_config(addr) {
        Ok(config) => panic!("accepted {:?}", config.storage),
        Err(error) => format!("{error:#}"),
    };
    assert!(
        refused(Settings {
            storage: Some("nfs".into()),
            ..Settings::default()
        })
        .contains("BJM_STORAGE")
    );
    for (settings, variable) in [
        (
            Settings {
                s3_bucket: None,
                ..s3.clone()
            },
            "BJM_S3_BUCKET",
        ),
        (
            Settings {
                s3_bucket: Some("Not A Bucket".into()),
                ..s3.clone()
            },
            "BJM_S3_BUCKET",
        ),
        (
            Settings {
                s3_endpoint: Some("127.0.0.1:9000".into()),
                ..s3.clone()
            },
            "BJM_S3_ENDPOINT",
        ),
        (
            Settings {
                s3_endpoint: Some("http://minio/bucket".into()),
                ..s3.clone()
            },
            "BJM_S3_ENDPOINT",
        ),
        (
            Settings {
                s3_secret_access_key: None,
                ..s3.clone()
            },
            "BJM_S3_SECRET_ACCESS_KEY",
        ),
        (
            Settings {
                s3_access_key_id: None,
                ..s3.clone()
            },
            "BJM_S3_ACCESS_KEY_ID",
        ),
        (
            Settings {
                s3_prefix: Some("a/../b".into()),
                ..s3.clone()
            },
            "BJM_S3_PREFIX",
        ),
    ] {
        let message = refused(settings);
        assert!(message.starts_with(variable), "{variable}: {message}");
    }
}
