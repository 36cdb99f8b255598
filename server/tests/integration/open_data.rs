//! The open-data API: the published catalogue as JSON without login, with the same search and
//! filters as the pages, and an OpenAPI document that describes every route.

use serde_json::Value;

use crate::common::{bare_client, spawn_app_with_demo};

#[tokio::test]
async fn items_are_listed_with_search_filters_and_totals() {
    let app = spawn_app_with_demo().await;
    let client = bare_client();
    let all = app.get(&client, "/api/v1/items").await;
    assert_eq!(all.status, 200, "{}", all.body);
    let all = all.json();
    let total = all["total"].as_u64().expect("total");
    assert!(total >= 60);
    let filtered = app
        .get(
            &client,
            "/api/v1/items?q=%E9%A4%90%E9%A5%AE&online=fully_online&instant=true",
        )
        .await
        .json();
    assert!(filtered["total"].as_u64().expect("total") < total);
    for item in filtered["items"].as_array().expect("items") {
        assert_eq!(item["online_level"], "fully_online");
        assert_eq!(item["instant_approval"], true);
    }
    let page_two = app.get(&client, "/api/v1/items?page=2").await.json();
    assert_eq!(page_two["page"], 2);
    assert_ne!(page_two["items"][0]["code"], all["items"][0]["code"]);
}

#[tokio::test]
async fn one_item_and_bundles_are_served_and_unknown_codes_are_404() {
    let app = spawn_app_with_demo().await;
    let client = bare_client();
    let first = app.get(&client, "/api/v1/items").await.json();
    let code = first["items"][0]["code"].as_str().expect("code").to_owned();
    let item = app.get(&client, &format!("/api/v1/items/{code}")).await;
    assert_eq!(item.status, 200);
    let item: Value = item.json();
    assert_eq!(item["spec"]["code"], code.as_str());
    assert!(
        !item["spec"]["materials"]
            .as_array()
            .expect("materials")
            .is_empty()
    );
    assert!(!item["spec"]["form"].as_array().expect("form").is_empty());
    let missing = app.get(&client, "/api/v1/items/NO-SUCH-ITEM").await;
    assert_eq!(
        (missing.status, missing.body.as_str()),
        (404, "\"NotFound\"")
    );

    let bundles = app.get(&client, "/api/v1/bundles").await.json();
    let bundle_code = bundles[0]["code"].as_str().expect("bundle code").to_owned();
    let bundle = app
        .get(&client, &format!("/api/v1/bundles/{bundle_code}"))
        .await;
    assert_eq!(bundle.status, 200);
    assert!(bundle.json()["items"].as_array().expect("items").len() >= 2);
    assert_eq!(app.get(&client, "/api/v1/bundles/NOPE").await.status, 404);
}

#[tokio::test]
async fn unreadable_parameters_are_a_422_in_the_error_format() {
    let app = spawn_app_with_demo().await;
    let reply = app
        .get(&bare_client(), "/api/v1/items?instant=maybe&page=-3")
        .await;
    assert_eq!(reply.status, 422);
    assert_eq!(reply.json(), serde_json::json!({ "Invalid": [] }));
}

#[tokio::test]
async fn the_openapi_document_describes_every_route() {
    let app = spawn_app_with_demo().await;
    let reply = app.get(&bare_client(), "/api/v1/openapi.json").await;
    assert_eq!(reply.status, 200);
    let document = reply.json();
    assert!(
        document["openapi"]
            .as_str()
            .expect("version")
            .starts_with("3.")
    );
    for path in [
        "/api/v1/items",
        "/api/v1/items/{code}",
        "/api/v1/bundles",
        "/api/v1/bundles/{code}",
    ] {
        assert!(
            document["paths"][path]["get"].is_object(),
            "{path} is documented"
        );
    }
    let parameters: Vec<&str> = document["paths"]["/api/v1/items"]["get"]["parameters"]
        .as_array()
        .expect("parameters")
        .iter()
        .filter_map(|parameter| parameter["name"].as_str())
        .collect();
    for name in [
        "q",
        "department",
        "kind",
        "online",
        "instant",
        "commitment",
        "page",
    ] {
        assert!(parameters.contains(&name), "{name} in {parameters:?}");
    }
    assert!(document["components"]["schemas"]["ServiceItemSpec"].is_object());
}

/// `server create-feed-token NAME` prints a token once, keeps only its hash, and the approvals
/// feed accepts it; a blank name is refused and creates nothing.
#[tokio::test]
async fn the_cli_creates_a_feed_token_that_the_feed_accepts() {
    use sha2::Digest as _;
    let database = crate::common::test_database().await;
    let data_dir = tempfile::tempdir().expect("data directory");
    let run = |name: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_server"))
            .args(["create-feed-token", name])
            .env("DATABASE_URL", &database.url)
            .env("BJM_DATA_DIR", data_dir.path())
            .env("BJM_DEMO", "false")
            .env("RUST_LOG", "warn")
            .env_remove("PORT")
            .output()
            .expect("running server create-feed-token")
    };
    let output = run("市场监管执法平台");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).expect("UTF-8");
    let token = stdout.lines().last().expect("a line").trim().to_owned();
    assert!(token.starts_with("bjm_feed_"), "{stdout}");

    let refused = run("  ");
    assert!(!refused.status.success());

    let addr: std::net::SocketAddr = "127.0.0.1:9".parse().expect("address");
    let config = app::backend::Config::new(
        data_dir.path().to_path_buf(),
        database.url.clone(),
        "http://127.0.0.1:9".to_owned(),
    );
    let state = server::build_state(
        config,
        None,
        &[],
        server::leptos_options("target/site", addr),
    )
    .await
    .expect("state");
    let rows: Vec<(String, String, String)> =
        sqlx::query_as("SELECT name, token_sha256, scope FROM api_tokens")
            .fetch_all(state.db.pool())
            .await
            .expect("api tokens");
    let hash: String = sha2::Sha256::digest(token.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    assert_eq!(
        rows,
        [(
            "市场监管执法平台".to_owned(),
            hash,
            "approvals_feed".to_owned()
        )]
    );
    let page = app::backend::services::issuance::approvals_feed(&state, &token, 0)
        .await
        .expect("the feed accepts the token");
    assert!(page.approvals.is_empty());
    assert!(
        app::backend::services::issuance::approvals_feed(&state, "bjm_feed_wrong", 0)
            .await
            .is_err()
    );
}

/// Found while setting up the schemathesis run (`scripts/schemathesis.sh`), probing the API on
/// PostgreSQL with the kind of input it sends: a code with a NUL byte was a 500 on
/// PostgreSQL (which refuses such text) and an unreadable path segment a plain-text 400. Now
/// both backends answer 404 `"NotFound"` for a code that cannot exist and 422
/// `{"Invalid":[]}` for a segment that cannot be read, as the OpenAPI document says.
#[tokio::test]
async fn codes_with_nul_bytes_and_unreadable_path_segments_are_json_4xx() {
    let app = spawn_app_with_demo().await;
    let client = bare_client();
    for path in [
        "/api/v1/items/%00",
        "/api/v1/items/SCJG%00XK-001",
        "/api/v1/items/%00/versions/1",
        "/api/v1/bundles/%00",
        "/api/v1/bundles/YJS%00CANYIN",
    ] {
        let reply = app.get(&client, path).await;
        assert_eq!(reply.status, 404, "{path}: {}", reply.body);
        assert_eq!(reply.json(), serde_json::json!("NotFound"), "{path}");
    }
    for path in [
        "/api/v1/items/SCJG-XK-001/versions/first",
        "/api/v1/items/SCJG-XK-001/versions/99999999999999999999",
        "/api/v1/items/%ED%A0%80",
        "/api/v1/items/%FF/versions/1",
        "/api/v1/bundles/%FF",
        "/api/v1/feed/approvals?since=latest",
    ] {
        let reply = app.get(&client, path).await;
        assert_eq!(reply.status, 422, "{path}: {}", reply.body);
        assert_eq!(reply.json(), serde_json::json!({ "Invalid": [] }), "{path}");
    }
    for path in [
        "/api/v1/items?q=%00&department=%00&kind=%00&online=%00",
        "/api/v1/licences/verify?token=%00",
        "/catalogue/items/%00",
        "/catalogue/bundles/%00",
    ] {
        let reply = app.get(&client, path).await;
        assert!(
            reply.status < 500,
            "{path}: {} {}",
            reply.status,
            reply.body
        );
    }
    let document = app.get(&client, "/api/v1/openapi.json").await.json();
    for path in [
        "/api/v1/items",
        "/api/v1/items/{code}",
        "/api/v1/items/{code}/versions/{version}",
        "/api/v1/bundles/{code}",
        "/api/v1/feed/approvals",
    ] {
        assert!(
            document["paths"][path]["get"]["responses"]["422"].is_object(),
            "422 documented for {path}"
        );
    }
}
