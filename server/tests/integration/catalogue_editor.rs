//! The catalogue editor through HTTP, as the admin pages call it: drafts never show in public,
//! publishing makes the new version current while earlier ones stay readable, a save over
//! somebody else's newer save is refused, unpublishable items are refused with every problem
//! located, bundles protect their items, and only administrators may do any of it. Also the CSV
//! form of the import format.

use app::backend::audit::Actor;
use app::backend::catalogue_file;
use app::backend::seed_catalogue::demo_catalogue;
use app::backend::services::catalogue::{export, import_with_progress};
use serde_json::{Value, json};

use crate::common::{PASSWORD, TestApp, bare_client, error_kind, spawn_app_with_demo};

/// The demo's 个体工商户设立登记: in the 开办餐饮店 bundle and others.
const ITEM: &str = "SCJG-XK-001";

async fn load(app: &TestApp, code: &str) -> Value {
    let reply = app.post_fn("admin/catalogue/item", &[("code", code)]).await;
    assert_eq!(reply.status, 200, "load {code}: {}", reply.body);
    reply.json()
}

async fn save(app: &TestApp, spec: &Value, base: Option<&str>) -> crate::common::Reply {
    app.post_json(
        "admin/catalogue/item/save",
        &json!({ "spec": spec, "base_sha256": base }),
    )
    .await
}

async fn public_guide(app: &TestApp, code: &str, version: Option<i64>) -> crate::common::Reply {
    let path = match version {
        Some(version) => format!("/api/v1/items/{code}/versions/{version}"),
        None => format!("/api/v1/items/{code}"),
    };
    app.get(&bare_client(), &path).await
}

async fn versions_of(app: &TestApp, code: &str) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM service_item_versions WHERE code = $1")
        .bind(code)
        .fetch_one(app.state.db.pool())
        .await
        .expect("count versions")
}

#[tokio::test]
async fn an_admin_edits_an_item_publishes_version_two_and_version_one_stays_readable() {
    let app = spawn_app_with_demo().await;
    app.signed_in_admin().await;
    let loaded = load(&app, ITEM).await;
    assert_eq!(loaded["latest_version"], 1);
    assert_eq!(loaded["current_version"], 1);
    let old_name = loaded["spec"]["name"]["zh"]
        .as_str()
        .expect("name")
        .to_owned();
    let base = loaded["latest_sha256"].as_str().expect("sha").to_owned();

    let mut spec = loaded["spec"].clone();
    spec["name"]["zh"] = json!(format!("{old_name}（2026 版）"));
    spec["promised_days"] = json!(0);
    let saved = save(&app, &spec, Some(&base)).await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    assert_eq!(saved.json(), json!({ "version": 2, "changed": true }));

    // A draft is not public.
    let public = public_guide(&app, ITEM, None).await.json();
    assert_eq!(public["version"], 1);
    assert_eq!(public["spec"]["name"]["zh"], old_name.as_str());

    // Saving the draft again edits it in place.
    let draft = load(&app, ITEM).await;
    assert_eq!(draft["latest_version"], 2);
    assert_eq!(draft["current_version"], 1);
    spec["fee"]["zh"] = json!("免费");
    let again = save(&app, &spec, draft["latest_sha256"].as_str()).await;
    assert_eq!(again.json(), json!({ "version": 2, "changed": true }));
    assert_eq!(versions_of(&app, ITEM).await, 2);

    let published = app
        .post_fn(
            "admin/catalogue/item/publish",
            &[("code", ITEM), ("version", "2")],
        )
        .await;
    assert_eq!(published.status, 200, "{}", published.body);
    let public = public_guide(&app, ITEM, None).await.json();
    assert_eq!(public["version"], 2);
    assert_eq!(public["spec"]["fee"]["zh"], "免费");
    let history: Vec<i64> = public["history"]
        .as_array()
        .expect("history")
        .iter()
        .filter_map(|entry| entry["version"].as_i64())
        .collect();
    assert_eq!(history, vec![2, 1]);
    let first = public_guide(&app, ITEM, Some(1)).await;
    assert_eq!(first.status, 200);
    assert_eq!(first.json()["spec"]["name"]["zh"], old_name.as_str());

    // The search projection follows the published version.
    let found = app
        .post_fn("catalogue/search", &[("query[q]", "2026 版")])
        .await
        .json();
    assert_eq!(found["total"], 1);

    let history = load(&app, ITEM).await["versions"].clone();
    assert_eq!(history[0]["version"], 2);
    assert_eq!(history[0]["created_by"], "测试员", "the author is named");
    let audit: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action IN ('catalogue.item.save', 'catalogue.item.publish')",
    )
    .fetch_one(app.state.db.pool())
    .await
    .expect("audit");
    assert_eq!(audit, 3, "two saves and a publication are recorded");
}

#[tokio::test]
async fn a_save_over_a_newer_save_is_refused_and_changes_nothing() {
    let app = spawn_app_with_demo().await;
    app.signed_in_admin().await;
    let loaded = load(&app, ITEM).await;
    let base = loaded["latest_sha256"].as_str().expect("sha").to_owned();
    let mut first = loaded["spec"].clone();
    first["fee"]["zh"] = json!("第一位管理员");
    assert_eq!(save(&app, &first, Some(&base)).await.status, 200);
    let mut second = loaded["spec"].clone();
    second["fee"]["zh"] = json!("第二位管理员");
    let refused = save(&app, &second, Some(&base)).await;
    assert_eq!(refused.status, 409, "{}", refused.body);
    assert_eq!(error_kind(&refused.json()), "ChangedMeanwhile");
    assert_eq!(load(&app, ITEM).await["spec"]["fee"]["zh"], "第一位管理员");
}

#[tokio::test]
async fn an_unpublishable_item_is_refused_with_every_problem_located() {
    let app = spawn_app_with_demo().await;
    app.signed_in_admin().await;
    let loaded = load(&app, ITEM).await;
    let mut spec = loaded["spec"].clone();
    spec["promised_days"] = json!(30);
    spec["statutory_days"] = json!(20);
    spec["approving_departments"] = json!(["D99-NOPE"]);
    spec["form"][0]["rules"] = json!({ "min": 1.0 });
    spec["name"]["en"] = json!("  ");
    let before = app.snapshot().await;
    let refused = save(&app, &spec, loaded["latest_sha256"].as_str()).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    let body = refused.json();
    let paths: Vec<&str> = body["InvalidSpec"]
        .as_array()
        .expect("problems")
        .iter()
        .filter_map(|problem| problem["path"].as_str())
        .collect();
    for expected in [
        "promised_days",
        "approving_departments[0]",
        "form[0].rules",
        "name",
    ] {
        assert!(paths.contains(&expected), "{expected} missing in {paths:?}");
    }
    assert_eq!(app.snapshot().await, before);
    assert_eq!(versions_of(&app, ITEM).await, 1);

    // A field of an unknown type does not even parse: 422 as well, nothing written.
    spec = loaded["spec"].clone();
    spec["form"][0]["type"] = json!("colour");
    let unreadable = save(&app, &spec, loaded["latest_sha256"].as_str()).await;
    assert_eq!(unreadable.status, 422, "{}", unreadable.body);
    assert_eq!(versions_of(&app, ITEM).await, 1);
}

#[tokio::test]
async fn a_new_item_is_a_draft_until_published_and_codes_are_unique() {
    let app = spawn_app_with_demo().await;
    app.signed_in_admin().await;
    let mut spec = load(&app, ITEM).await["spec"].clone();
    let taken = save(&app, &spec, None).await;
    assert_eq!(taken.status, 422);
    assert!(taken.body.contains("DuplicateCode"), "{}", taken.body);

    spec["code"] = json!("320113-TEST-NEW-1");
    spec["name"]["zh"] = json!("测试新事项");
    let created = save(&app, &spec, None).await;
    assert_eq!(created.status, 200, "{}", created.body);
    assert_eq!(created.json()["version"], 1);
    assert_eq!(
        public_guide(&app, "320113-TEST-NEW-1", None).await.status,
        404
    );
    let found = app
        .post_fn("catalogue/search", &[("query[q]", "测试新事项")])
        .await
        .json();
    assert_eq!(found["total"], 0, "a draft is not searchable");

    let published = app
        .post_fn(
            "admin/catalogue/item/publish",
            &[("code", "320113-TEST-NEW-1"), ("version", "1")],
        )
        .await;
    assert_eq!(published.status, 200, "{}", published.body);
    assert_eq!(
        public_guide(&app, "320113-TEST-NEW-1", None).await.status,
        200
    );
    let stale = app
        .post_fn(
            "admin/catalogue/item/publish",
            &[("code", "320113-TEST-NEW-1"), ("version", "7")],
        )
        .await;
    assert_eq!(stale.status, 409);

    let withdrawn = app
        .post_fn(
            "admin/catalogue/item/unpublish",
            &[("code", "320113-TEST-NEW-1")],
        )
        .await;
    assert_eq!(withdrawn.status, 200, "{}", withdrawn.body);
    assert_eq!(
        public_guide(&app, "320113-TEST-NEW-1", None).await.status,
        404
    );
    let found = app
        .post_fn("catalogue/search", &[("query[q]", "测试新事项")])
        .await
        .json();
    assert_eq!(found["total"], 0);
    let listed = app
        .post_fn(
            "admin/catalogue/list",
            &[("q", "测试新事项"), ("page", "1")],
        )
        .await
        .json();
    assert_eq!(listed["total"], 1, "the editor still lists it: {listed}");
    assert!(listed["items"][0]["current_version"].is_null());
}

#[tokio::test]
async fn a_bundle_protects_its_items_until_it_is_withdrawn() {
    let app = spawn_app_with_demo().await;
    app.signed_in_admin().await;
    let refused = app
        .post_fn("admin/catalogue/item/unpublish", &[("code", ITEM)])
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body.contains("NeededByBundle"), "{}", refused.body);

    // Changing the fields its bundles share is refused at publication too.
    let loaded = load(&app, ITEM).await;
    let bundle_codes: Vec<String> = loaded["bundles"]
        .as_array()
        .expect("bundles")
        .iter()
        .filter_map(|bundle| bundle["code"].as_str().map(str::to_owned))
        .collect();
    assert!(!bundle_codes.is_empty());
    let mut shared: Vec<String> = Vec::new();
    for code in &bundle_codes {
        let bundle = app
            .post_fn("admin/catalogue/bundle", &[("code", code.as_str())])
            .await
            .json();
        shared.extend(
            bundle["spec"]["shared_fields"]
                .as_array()
                .expect("shared")
                .iter()
                .filter_map(|key| key.as_str().map(str::to_owned)),
        );
    }
    // Give the shared fields another type in this item: its bundles could no longer ask them
    // once.
    let mut spec = loaded["spec"].clone();
    for field in spec["form"].as_array_mut().expect("form") {
        if shared.iter().any(|key| field["key"] == key.as_str()) {
            field["type"] = json!(if field["type"] == "address" {
                "text"
            } else {
                "address"
            });
        }
    }
    assert_eq!(
        save(&app, &spec, loaded["latest_sha256"].as_str())
            .await
            .status,
        200
    );
    let publish = app
        .post_fn(
            "admin/catalogue/item/publish",
            &[("code", ITEM), ("version", "2")],
        )
        .await;
    assert_eq!(publish.status, 422, "{}", publish.body);
    assert!(publish.body.contains("NeededByBundle"));
    assert_eq!(public_guide(&app, ITEM, None).await.json()["version"], 1);

    for code in &bundle_codes {
        let withdrawn = app
            .post_fn(
                "admin/catalogue/bundle/unpublish",
                &[("code", code.as_str())],
            )
            .await;
        assert_eq!(withdrawn.status, 200, "{}", withdrawn.body);
        let gone = app
            .get(&bare_client(), &format!("/api/v1/bundles/{code}"))
            .await;
        assert_eq!(gone.status, 404);
    }
    let now = app
        .post_fn(
            "admin/catalogue/item/publish",
            &[("code", ITEM), ("version", "2")],
        )
        .await;
    assert_eq!(now.status, 200, "{}", now.body);
}

#[tokio::test]
async fn bundles_are_edited_as_drafts_and_published() {
    let app = spawn_app_with_demo().await;
    app.signed_in_admin().await;
    let catalogue = demo_catalogue().expect("seed");
    let items: Vec<&str> = catalogue.items[..2]
        .iter()
        .map(|item| item.code.as_str())
        .collect();
    let choices = app
        .post_json("admin/catalogue/shared-fields", &json!({ "items": items }))
        .await;
    assert_eq!(choices.status, 200, "{}", choices.body);
    let shared: Vec<String> = choices
        .json()
        .as_array()
        .expect("choices")
        .iter()
        .filter(|choice| choice["same_type"] == true)
        .filter_map(|choice| choice["key"].as_str().map(str::to_owned))
        .take(1)
        .collect();
    let spec = json!({
        "code": "BUNDLE-TEST-1",
        "name": { "zh": "测试一件事", "en": "Test bundle" },
        "description": { "zh": "两个事项一起办", "en": "Two items at once" },
        "items": items,
        "shared_fields": shared,
    });
    let saved = app
        .post_json(
            "admin/catalogue/bundle/save",
            &json!({ "spec": spec, "base_sha256": null }),
        )
        .await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    assert_eq!(
        app.get(&bare_client(), "/api/v1/bundles/BUNDLE-TEST-1")
            .await
            .status,
        404
    );
    let published = app
        .post_fn(
            "admin/catalogue/bundle/publish",
            &[("code", "BUNDLE-TEST-1"), ("version", "1")],
        )
        .await;
    assert_eq!(published.status, 200, "{}", published.body);
    assert_eq!(
        app.get(&bare_client(), "/api/v1/bundles/BUNDLE-TEST-1")
            .await
            .status,
        200
    );

    let mut broken = spec.clone();
    broken["items"] = json!([items[0], "NO-SUCH-ITEM"]);
    let loaded = app
        .post_fn("admin/catalogue/bundle", &[("code", "BUNDLE-TEST-1")])
        .await
        .json();
    let refused = app
        .post_json(
            "admin/catalogue/bundle/save",
            &json!({ "spec": broken, "base_sha256": loaded["latest_sha256"] }),
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body.contains("items[1]"), "{}", refused.body);
}

#[tokio::test]
async fn only_administrators_may_edit_the_catalogue() {
    let app = spawn_app_with_demo().await;
    let spec = serde_json::to_value(&demo_catalogue().expect("seed").items[0]).expect("spec");
    let body = json!({ "spec": spec, "base_sha256": null });
    let anonymous = app.post_json("admin/catalogue/item/save", &body).await;
    assert_eq!(anonymous.status, 401);
    app.register_ok(&app.client, "13900139000").await;
    for (path, form) in [
        ("admin/catalogue/list", vec![("q", ""), ("page", "1")]),
        ("admin/catalogue/item", vec![("code", ITEM)]),
        (
            "admin/catalogue/item/publish",
            vec![("code", ITEM), ("version", "1")],
        ),
        ("admin/catalogue/item/unpublish", vec![("code", ITEM)]),
        ("admin/catalogue/bundle/unpublish", vec![("code", "X")]),
    ] {
        let reply = app.post_fn(path, &form).await;
        assert_eq!(reply.status, 403, "{path}: {}", reply.body);
    }
    assert_eq!(
        app.post_json("admin/catalogue/item/save", &body)
            .await
            .status,
        403
    );
    let front_desk = crate::common::browser();
    app.create_staff_via_cli_service("desk@qixia.test.cn", "front_desk", None, Some(1))
        .await;
    app.login_staff(&front_desk, "desk@qixia.test.cn", PASSWORD)
        .await;
    let reply = app
        .post_fn_as(
            &front_desk,
            "admin/catalogue/item/unpublish",
            &[("code", ITEM)],
        )
        .await;
    assert_eq!(reply.status, 403);
    assert_eq!(public_guide(&app, ITEM, None).await.status, 200);
}

/// Writes `catalogue` as CSV, breaks five rows in five ways, and imports it.
#[tokio::test]
async fn a_3600_row_csv_with_5_bad_rows_loads_3595_and_names_row_and_column() {
    let app = spawn_app_with_demo().await;
    let seed = demo_catalogue().expect("seed");
    let items: Vec<_> = (0..3600)
        .map(|index| {
            let mut item = seed.items[index % seed.items.len()].clone();
            item.code = format!("CSV-{index:06}");
            item
        })
        .collect();
    let catalogue = app::domain::catalogue::Catalogue {
        items,
        bundles: Vec::new(),
    };
    let csv = catalogue_file::write_csv(&catalogue).expect("csv");
    let mut reader = csv::ReaderBuilder::new().from_reader(csv.as_slice());
    let header = reader.headers().expect("header").clone();
    let column = |name: &str| header.iter().position(|c| c == name).expect(name);
    let mut records: Vec<csv::StringRecord> = reader
        .records()
        .map(|record| record.expect("record"))
        .collect();
    let mut set = |row: usize, name: &str, value: &str| {
        // `row` is the line number: header = line 1, first item = line 2.
        let mut fields: Vec<String> = records[row - 2].iter().map(str::to_owned).collect();
        fields[column(name)] = value.to_owned();
        records[row - 2] = csv::StringRecord::from(fields);
    };
    set(11, "responsible_department", "D99-NOPE"); // unknown department
    set(101, "promised_days", "十五"); // malformed time limit
    let form_with_colour = {
        let mut form = serde_json::to_value(&catalogue.items[999].form).expect("form");
        form[0]["type"] = json!("colour");
        form.to_string()
    };
    set(1001, "form", &form_with_colour); // unknown field type
    let form_with_regex = {
        let mut form = serde_json::to_value(&catalogue.items[1999].form).expect("form");
        form[0]["rules"] = json!({ "regex": "^a+$" });
        form.to_string()
    };
    set(2001, "form", &form_with_regex); // invalid validation rule
    set(3601, "statutory_days", "999"); // time limit out of range
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(&header).expect("header");
    for record in &records {
        writer.write_record(record).expect("record");
    }
    let bytes = writer.into_inner().expect("bytes");

    let parsed = catalogue_file::read_csv(&bytes).expect("read");
    assert_eq!(
        parsed.catalogue.items.len(),
        3597,
        "three rows do not parse"
    );
    let report = import_with_progress(
        &app.state,
        &Actor::system("test"),
        &parsed.catalogue,
        &parsed.unreadable,
        false,
        &|| {},
    )
    .await
    .expect("import");
    assert_eq!(report.created, 3595);
    let mut located: Vec<(usize, String)> = report
        .rejected
        .iter()
        .map(|problem| {
            (
                parsed.row_of(&problem.code),
                catalogue_file::csv_column_of(&problem.path),
            )
        })
        .collect();
    located.sort();
    located.dedup();
    assert_eq!(
        located,
        vec![
            (11, "responsible_department".to_owned()),
            (101, "promised_days".to_owned()),
            (1001, "form".to_owned()),
            (2001, "form".to_owned()),
            (3601, "promised_days".to_owned()),
        ],
        "{:?}",
        report.rejected
    );
    let found = app
        .post_fn("catalogue/search", &[("query[q]", "CSV-")])
        .await
        .json();
    assert_eq!(found["total"], 3595);
}

#[tokio::test]
async fn csv_export_then_import_changes_nothing() {
    let app = spawn_app_with_demo().await;
    let exported = export(&app.state).await.expect("export");
    let bytes = catalogue_file::write(catalogue_file::Format::Csv, &exported).expect("csv");
    let parsed = catalogue_file::read(catalogue_file::Format::Csv, &bytes).expect("read");
    assert!(parsed.unreadable.is_empty());
    let before = app.count("service_item_versions").await;
    let report = import_with_progress(
        &app.state,
        &Actor::system("test"),
        &parsed.catalogue,
        &[],
        true,
        &|| {},
    )
    .await
    .expect("import");
    assert_eq!((report.created, report.updated), (0, 0));
    assert_eq!(
        report.unchanged as usize,
        exported.items.len() + exported.bundles.len()
    );
    assert_eq!(app.count("service_item_versions").await, before);
    assert_eq!(export(&app.state).await.expect("export"), exported);
}
