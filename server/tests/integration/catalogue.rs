//! The published catalogue: the demo seed loads, search and filters work with any text on both
//! databases, guides resolve, and imports are idempotent, versioned and reject bad rows with
//! their location.

use app::backend::audit::Actor;
use app::backend::db::catalogue::SearchRow;
use app::backend::seed_catalogue::demo_catalogue;
use app::backend::services::catalogue::import;
use serde_json::Value;

use crate::common::spawn_app_with_demo;

async fn search(app: &crate::common::TestApp, form: &[(&str, &str)]) -> Value {
    let reply = app.post_fn("catalogue/search", form).await;
    assert_eq!(reply.status, 200, "search {form:?}: {}", reply.body);
    reply.json()
}

fn total(result: &Value) -> u64 {
    result["total"].as_u64().expect("total")
}

#[tokio::test]
async fn the_demo_catalogue_is_published_and_counted() {
    let app = spawn_app_with_demo().await;
    let all = search(&app, &[("query[q]", "")]).await;
    let seeded = demo_catalogue().expect("seed parses").items.len() as u64;
    assert_eq!(total(&all), seeded);
    let online = all["fully_online"].as_u64().expect("fully_online");
    assert!(
        online > 0 && online < seeded,
        "{online} of {seeded} fully online"
    );
    assert_eq!(
        all["items"].as_array().expect("items").len(),
        20,
        "one page of 20"
    );
}

#[tokio::test]
async fn search_by_chinese_words_and_filters_narrows_the_list() {
    let app = spawn_app_with_demo().await;
    let catering = search(&app, &[("query[q]", "餐饮")]).await;
    assert!(total(&catering) >= 1, "{catering}");
    let bundles: Vec<&str> = catering["bundles"]
        .as_array()
        .expect("bundles")
        .iter()
        .filter_map(|bundle| bundle["name"]["zh"].as_str())
        .collect();
    assert!(
        bundles.contains(&"开办餐饮店"),
        "the bundle is found by its name: {bundles:?}"
    );
    let names: Vec<&str> = catering["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|item| item["name"]["zh"].as_str())
        .collect();
    assert!(names.iter().any(|name| name.contains("餐饮")), "{names:?}");
    let nothing = search(&app, &[("query[q]", "餐饮 不存在的词")]).await;
    assert_eq!(total(&nothing), 0, "every word must match");
    let online = search(
        &app,
        &[("query[q]", "餐饮"), ("query[online]", "fully_online")],
    )
    .await;
    assert!(total(&online) <= total(&catering));
    for item in online["items"].as_array().expect("items") {
        assert_eq!(item["online_level"], "fully_online");
    }
    let instant = search(&app, &[("query[instant]", "true")]).await;
    assert!(total(&instant) >= 10, "{instant}");
    assert!(
        instant["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|item| item["instant_approval"] == true)
    );
    let commitment = search(&app, &[("query[commitment]", "true")]).await;
    assert!(total(&commitment) >= 8);
    let by_department = search(&app, &[("query[department]", "D09-XF")]).await;
    assert!(total(&by_department) >= 1);
}

#[tokio::test]
async fn search_by_item_code_finds_that_item() {
    let app = spawn_app_with_demo().await;
    let catalogue = demo_catalogue().expect("seed parses");
    let code = &catalogue.items[3].code;
    let found = search(&app, &[("query[q]", code.as_str())]).await;
    assert!(
        found["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|item| item["code"] == code.as_str())
    );
    let lower = search(&app, &[("query[q]", &code.to_lowercase())]).await;
    assert_eq!(
        total(&lower),
        total(&found),
        "codes match whatever their case"
    );
}

#[tokio::test]
async fn any_search_text_gives_results_or_nothing_never_an_error() {
    let app = spawn_app_with_demo().await;
    let long = "餐".repeat(10_000);
    for text in [
        "%",
        "_",
        "\\",
        "%%__\\\\",
        "' OR 1=1 --",
        "\"; DROP TABLE users; --",
        "🍜🏪",
        "\u{0}",
        &long,
    ] {
        let result = search(&app, &[("query[q]", text)]).await;
        if text.chars().all(|c| matches!(c, '%' | '_' | '\\')) {
            assert_eq!(
                total(&result),
                0,
                "{text:?} is taken literally, not as a wildcard"
            );
        }
    }
    for (filter, value) in [
        ("query[department]", "\u{0}%"),
        ("query[kind]", "\u{0}"),
        ("query[online]", "'; --"),
    ] {
        let result = search(&app, &[("query[q]", ""), (filter, value)]).await;
        assert_eq!(total(&result), 0, "{filter}={value:?}");
    }
    assert!(app.count("users").await >= 5, "nothing was dropped");
}

#[tokio::test]
async fn an_item_guide_shows_the_current_version_and_unknown_codes_are_404() {
    let app = spawn_app_with_demo().await;
    let catalogue = demo_catalogue().expect("seed parses");
    let item = &catalogue.items[0];
    let reply = app
        .post_fn("catalogue/item", &[("code", item.code.as_str())])
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let guide = reply.json();
    assert_eq!(guide["version"], 1);
    assert_eq!(guide["spec"]["name"]["zh"], item.name.zh.as_str());
    assert!(
        !guide["departments"]
            .as_array()
            .expect("departments")
            .is_empty()
    );
    let missing = app
        .post_fn("catalogue/item", &[("code", "NO-SUCH-ITEM")])
        .await;
    assert_eq!(missing.status, 404);
    let bundle = &catalogue.bundles[0];
    let reply = app
        .post_fn("catalogue/bundle", &[("code", bundle.code.as_str())])
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(
        reply.json()["items"].as_array().expect("items").len(),
        bundle.items.len()
    );
}

#[tokio::test]
async fn reimporting_is_idempotent_and_a_change_publishes_version_two() {
    let app = spawn_app_with_demo().await;
    let actor = Actor::system("test");
    let mut catalogue = demo_catalogue().expect("seed parses");
    let again = import(&app.state, &actor, &catalogue, true)
        .await
        .expect("import");
    let rows = (catalogue.items.len() + catalogue.bundles.len()) as u32;
    assert_eq!(
        (again.created, again.updated, again.unchanged),
        (0, 0, rows)
    );

    let code = catalogue.items[0].code.clone();
    catalogue.items[0].promised_days = 0;
    catalogue.items[0].name.zh.push_str("（新版）");
    let changed = import(&app.state, &actor, &catalogue, true)
        .await
        .expect("import");
    assert_eq!((changed.created, changed.updated), (0, 1));
    let guide = app
        .post_fn("catalogue/item", &[("code", code.as_str())])
        .await
        .json();
    assert_eq!(guide["version"], 2);
    assert!(
        guide["spec"]["name"]["zh"]
            .as_str()
            .expect("name")
            .ends_with("（新版）")
    );
    let versions: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) FROM service_item_versions WHERE code = '{code}'"
    )))
    .fetch_one(app.state.db.pool())
    .await
    .expect("count versions");
    assert_eq!(versions, 2, "version 1 stays stored");
    let history: Vec<i64> = guide["history"]
        .as_array()
        .expect("history")
        .iter()
        .filter_map(|entry| entry["version"].as_i64())
        .collect();
    assert_eq!(history, vec![2, 1]);
    let first = app
        .post_fn(
            "catalogue/item",
            &[("code", code.as_str()), ("version", "1")],
        )
        .await
        .json();
    assert_eq!(
        (first["version"].as_i64(), first["current_version"].as_i64()),
        (Some(1), Some(2))
    );
    assert!(
        !first["spec"]["name"]["zh"]
            .as_str()
            .expect("name")
            .ends_with("（新版）")
    );
    let via_api = app
        .get(
            &crate::common::bare_client(),
            &format!("/api/v1/items/{code}/versions/1"),
        )
        .await;
    assert_eq!(via_api.status, 200);
    assert_eq!(via_api.json()["version"], 1);
    let missing = app
        .get(
            &crate::common::bare_client(),
            &format!("/api/v1/items/{code}/versions/3"),
        )
        .await;
    assert_eq!(missing.status, 404);
}

#[tokio::test]
async fn bad_rows_are_reported_with_their_place_and_good_rows_still_load() {
    let app = spawn_app_with_demo().await;
    let actor = Actor::system("test");
    let mut catalogue = demo_catalogue().expect("seed parses");
    catalogue.bundles.clear();
    catalogue.items.truncate(3);
    for (index, item) in catalogue.items.iter_mut().enumerate() {
        item.code = format!("NEW-ITEM-{index}");
    }
    catalogue.items[1].responsible_department = "D99-NOPE".into();
    catalogue.items[2].statutory_days = 0;
    catalogue.items[2].promised_days = 3;

    let strict = import(&app.state, &actor, &catalogue, true)
        .await
        .expect("import");
    assert!(!strict.written);
    let found = search(&app, &[("query[q]", "NEW-ITEM")]).await;
    assert_eq!(total(&found), 0, "strict mode writes nothing");

    let lenient = import(&app.state, &actor, &catalogue, false)
        .await
        .expect("import");
    assert!(lenient.written);
    assert_eq!(lenient.created, 1);
    let places: Vec<(String, String)> = lenient
        .rejected
        .iter()
        .map(|problem| (problem.code.clone(), problem.path.clone()))
        .collect();
    assert!(
        places.contains(&("NEW-ITEM-1".into(), "responsible_department".into())),
        "{places:?}"
    );
    assert!(
        places.contains(&("NEW-ITEM-2".into(), "promised_days".into())),
        "{places:?}"
    );
    let found = search(&app, &[("query[q]", "NEW-ITEM")]).await;
    assert_eq!(total(&found), 1);
}

#[tokio::test]
async fn export_then_import_changes_nothing() {
    let app = spawn_app_with_demo().await;
    let actor = Actor::system("test");
    let exported = app::backend::services::catalogue::export(&app.state)
        .await
        .expect("export");
    let seeded = demo_catalogue().expect("seed parses");
    assert_eq!(exported.items.len(), seeded.items.len());
    assert_eq!(exported.bundles.len(), seeded.bundles.len());
    let json = serde_json::to_string(&exported).expect("serialise");
    let parsed: app::domain::catalogue::Catalogue = serde_json::from_str(&json).expect("parse");
    let report = import(&app.state, &actor, &parsed, true)
        .await
        .expect("import");
    assert_eq!((report.created, report.updated), (0, 0));
    assert_eq!(
        report.unchanged as usize,
        seeded.items.len() + seeded.bundles.len()
    );
    assert_eq!(
        app::backend::services::catalogue::export(&app.state)
            .await
            .expect("export"),
        exported
    );
}

#[tokio::test]
async fn a_3600_row_import_with_5_bad_rows_loads_3595_and_names_the_5() {
    let app = spawn_app_with_demo().await;
    let seed = demo_catalogue().expect("seed parses");
    let mut items: Vec<_> = (0..3600)
        .map(|index| {
            let mut item = seed.items[index % seed.items.len()].clone();
            item.code = format!("GEN-{index:06}");
            item
        })
        .collect();
    // Five rows broken in five different ways, at known rows.
    items[9].responsible_department = "D99-NOPE".into(); // row 10: unknown department
    items[99].statutory_days = 400; // row 100: malformed time limit
    items[999].form[0]
        .options
        .push(app::domain::catalogue::ChoiceOption {
            value: "x".into(),
            label: app::domain::catalogue::Text {
                zh: "甲".into(),
                en: "A".into(),
            },
        }); // row 1000: options on a field that takes none
    items[1999].form[0].rules.max_selected = Some(0); // row 2000: invalid rule
    items[3599].materials.clear(); // row 3600: no material
    let catalogue = app::domain::catalogue::Catalogue {
        items,
        bundles: Vec::new(),
    };

    let report = import(&app.state, &Actor::system("test"), &catalogue, false)
        .await
        .expect("import");
    assert_eq!(report.created, 3595);
    let mut rows: Vec<(usize, String)> = report
        .rejected
        .iter()
        .map(|problem| {
            (
                catalogue.row_of(&problem.code).expect("row"),
                problem.path.clone(),
            )
        })
        .collect();
    rows.sort();
    rows.dedup_by_key(|(row, _)| *row);
    let rows: Vec<usize> = rows.into_iter().map(|(row, _)| row).collect();
    assert_eq!(
        rows,
        vec![10, 100, 1000, 2000, 3600],
        "{:?}",
        report.rejected
    );
    let found = search(&app, &[("query[q]", "GEN-")]).await;
    assert_eq!(total(&found), 3595);
}

/// Items whose names put the search index to the test: text that has every term of a word
/// without the word (营业执 照执照 has 营业, 业执 and 执照; `archi chive` has every trigram of
/// `archive`), SQL and `LIKE` metacharacters, emoji, code-like fragments.
const TRICKY_NAMES: [(&str, &str); 8] = [
    ("餐饭饮食", "Meals and drinks"),
    ("营业执 照执照", "Licence archi chive"),
    ("满100%减_20\\元", "50% off_now \\ back"),
    ("🍜面馆🏪", "Noodles 🍜 shop"),
    ("餐饮", "AR"),
    ("ＳＣＪＧ全角 xk-00", "Full width"),
    ("许可%_许可", "licence%_licence"),
    ("Ünïcödé İstanbul", "ǅ title case"),
];

fn tricky_catalogue(version: u32) -> app::domain::catalogue::Catalogue {
    let seed = demo_catalogue().expect("seed parses");
    let items = TRICKY_NAMES
        .iter()
        .enumerate()
        .map(|(index, (zh, en))| {
            let mut item = seed.items[index * 9 % seed.items.len()].clone();
            item.code = format!("IDX-{index:03}");
            item.name.zh = if version == 1 {
                (*zh).to_owned()
            } else {
                format!("第{version}版 茶点")
            };
            item.name.en = (*en).to_owned();
            item
        })
        .collect();
    app::domain::catalogue::Catalogue {
        items,
        bundles: Vec::new(),
    }
}

/// What a search must answer, by today's rules: every word a substring of the search text, the
/// filters as SQL compares them (SQLite's `LIKE` ignores ASCII case), pages by code.
fn expected(
    published: &[SearchRow],
    sqlite: bool,
    query: &app::api::CatalogueQuery,
) -> (u64, u64, Vec<String>) {
    let fold = |text: &str| {
        if sqlite {
            text.to_ascii_lowercase()
        } else {
            text.to_owned()
        }
    };
    let cleaned: String = query
        .q
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(app::api::CatalogueQuery::MAX_QUERY_CHARS)
        .collect();
    let cleaned = cleaned.to_lowercase();
    let words: Vec<&str> = cleaned.split_whitespace().collect();
    let department: String = query
        .department
        .trim()
        .chars()
        .filter(|c| !c.is_control())
        .collect();
    let matching: Vec<&SearchRow> = published
        .iter()
        .filter(|item| words.iter().all(|word| item.search_text.contains(word)))
        .filter(|item| {
            query.department.trim().is_empty()
                || fold(&item.departments).contains(&fold(&format!("|{department}|")))
        })
        .filter(|item| query.kind.trim().is_empty() || item.kind == query.kind.trim())
        .filter(|item| query.online.trim().is_empty() || item.online_level == query.online.trim())
        .filter(|item| !query.instant || item.instant_approval == 1)
        .filter(|item| !query.commitment || item.commitment == 1)
        .collect();
    let per_page = app::api::CatalogueQuery::PER_PAGE as usize;
    let page: Vec<String> = matching
        .iter()
        .skip((query.page() as usize - 1) * per_page)
        .take(per_page)
        .map(|item| item.code.clone())
        .collect();
    let online = matching
        .iter()
        .filter(|item| item.online_level == "fully_online")
        .count();
    (matching.len() as u64, online as u64, page)
}

/// Every search of the list answers exactly what substring matching over the published items
/// answers.
async fn assert_searches_match_substrings(app: &crate::common::TestApp, stage: &str) {
    use app::api::CatalogueQuery;
    let sqlite = app.state.db.kind() == app::backend::db::DbKind::Sqlite;
    // In the database's own order of codes, as the pages are.
    let published: Vec<SearchRow> = sqlx::query_as(
        "SELECT code, search_text, kind, online_level, instant_approval, commitment, departments \
         FROM catalogue_search ORDER BY code",
    )
    .fetch_all(app.state.db.pool())
    .await
    .expect("read the projection");
    let words = [
        "",
        "餐饮",
        "餐",
        "饮食",
        "营业执照",
        "营业执",
        "执照",
        "archive",
        "archi",
        "hiv",
        "ar",
        "a",
        "scjg-xk",
        "xk-00",
        "idx-00",
        "IDX-001",
        "%",
        "_",
        "\\",
        "%_",
        "50%",
        "_20",
        "%减_",
        "off_now",
        "100%减_20\\元",
        "🍜",
        "🍜面",
        "面馆🏪",
        "🏪🍜",
        "ＳＣＪＧ",
        "ｓｃｊｇ全角",
        "ünïcödé",
        "i̇stanbul",
        "ǆ",
        "许可",
        "许可 餐饮",
        "餐饮 许可 区",
        "许可%_许可",
        "licence%_licence",
        "不存在的词",
        "茶点",
        "第2版",
    ];
    let filters: [(&str, &str, &str, bool, bool, u32); 10] = [
        ("", "", "", false, false, 1),
        ("", "", "", false, false, 2),
        ("D01-SCJG", "", "", false, false, 1),
        ("d01-scjg", "", "", false, false, 1),
        ("D01-SCJG|D02-WJW", "", "", false, false, 1),
        ("", "licensing", "", false, false, 1),
        ("", "", "fully_online", false, false, 1),
        ("", "", "one_visit", true, false, 1),
        ("", "public_service", "", false, true, 1),
        ("D02-WJW", "", "", true, false, 1),
    ];
    for word in words {
        for (department, kind, online, instant, commitment, page) in filters {
            let query = CatalogueQuery {
                q: word.to_owned(),
                department: department.to_owned(),
                kind: kind.to_owned(),
                online: online.to_owned(),
                instant,
                commitment,
                page,
            };
            let found = app::backend::services::catalogue::search(&app.state, &query)
                .await
                .unwrap_or_else(|error| panic!("{stage}: {query:?}: {error}"));
            let codes: Vec<String> = found.items.iter().map(|item| item.code.clone()).collect();
            assert_eq!(
                (found.total, found.fully_online, codes),
                expected(&published, sqlite, &query),
                "{stage}: {query:?}"
            );
        }
    }
}

/// The index holds exactly the terms of the published items (and nothing of withdrawn ones).
async fn assert_index_is_exact(app: &crate::common::TestApp, stage: &str) {
    use std::collections::BTreeSet;
    let db = app.state.db.kind();
    let rows: Vec<SearchRow> = sqlx::query_as(
        "SELECT code, search_text, kind, online_level, instant_approval, commitment, departments \
         FROM catalogue_search",
    )
    .fetch_all(app.state.db.pool())
    .await
    .expect("read the projection");
    // SQLite keeps rows with the filter flags; PostgreSQL an array of terms per item.
    let (index_sql, flags_of) = match db {
        app::backend::db::DbKind::Sqlite => (
            "SELECT term, code, flags FROM catalogue_search_terms",
            SearchRow::index_flags as fn(&SearchRow) -> i64,
        ),
        app::backend::db::DbKind::Postgres => (
            "SELECT unnest(terms) AS term, code, CAST(0 AS BIGINT) AS flags FROM catalogue_search",
            (|_: &SearchRow| 0) as fn(&SearchRow) -> i64,
        ),
    };
    let stored: Vec<(String, String, i64)> = sqlx::query_as(index_sql)
        .fetch_all(app.state.db.pool())
        .await
        .expect("read the index");
    let wanted: BTreeSet<(String, String, i64)> = rows
        .iter()
        .flat_map(|row| {
            row.index_terms(db)
                .into_iter()
                .map(|term| (term, row.code.clone(), flags_of(row)))
        })
        .collect();
    let stored_count = stored.len();
    let stored: BTreeSet<(String, String, i64)> = stored.into_iter().collect();
    assert_eq!(stored_count, stored.len(), "{stage}: no term twice");
    let missing: Vec<_> = wanted.difference(&stored).take(5).collect();
    let extra: Vec<_> = stored.difference(&wanted).take(5).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "{stage}: missing {missing:?}, extra {extra:?}"
    );
}

#[tokio::test]
async fn the_search_index_answers_exactly_like_substring_matching_through_every_change() {
    use app::backend::services::catalogue_admin;
    let app = spawn_app_with_demo().await;
    let actor = Actor::system("test");
    import(&app.state, &actor, &tricky_catalogue(1), true)
        .await
        .expect("import");
    assert_index_is_exact(&app, "imported").await;
    assert_searches_match_substrings(&app, "imported").await;

    // Withdrawn items leave the index; published again, they come back.
    for code in ["IDX-000", "IDX-001", "IDX-003"] {
        catalogue_admin::unpublish_item(&app.state, &actor, code)
            .await
            .expect("unpublish");
    }
    assert_index_is_exact(&app, "withdrawn").await;
    assert_searches_match_substrings(&app, "withdrawn").await;
    let meals = app::api::CatalogueQuery {
        q: "餐饭".into(),
        ..Default::default()
    };
    let found = app::backend::services::catalogue::search(&app.state, &meals)
        .await
        .expect("search");
    assert_eq!(found.total, 0, "a withdrawn item is not found");
    for code in ["IDX-000", "IDX-001"] {
        catalogue_admin::publish_item(&app.state, &actor, code, 1)
            .await
            .expect("publish again");
    }
    assert_index_is_exact(&app, "published again").await;
    assert_searches_match_substrings(&app, "published again").await;
    let found = app::backend::services::catalogue::search(&app.state, &meals)
        .await
        .expect("search");
    assert_eq!(found.total, 1, "published again, it is found again");

    // A new version replaces the terms of the old one.
    import(&app.state, &actor, &tricky_catalogue(2), true)
        .await
        .expect("import version 2");
    assert_index_is_exact(&app, "version 2").await;
    assert_searches_match_substrings(&app, "version 2").await;
    let found = app::backend::services::catalogue::search(&app.state, &meals)
        .await
        .expect("search");
    assert_eq!(found.total, 0, "the old name is gone from the index");

    // The migration's backfill builds the same index as the repository.
    let migration = match app.state.db.kind() {
        app::backend::db::DbKind::Sqlite => {
            include_str!("../../../migrations/sqlite/20261124000004_catalogue_search_index.sql")
        }
        app::backend::db::DbKind::Postgres => {
            include_str!("../../../migrations/postgres/20261124000004_catalogue_search_index.sql")
        }
    };
    let drop = match app.state.db.kind() {
        app::backend::db::DbKind::Sqlite => "DROP TABLE catalogue_search_terms",
        app::backend::db::DbKind::Postgres => {
            "DROP INDEX catalogue_search_terms; ALTER TABLE catalogue_search DROP COLUMN terms"
        }
    };
    sqlx::raw_sql(drop)
        .execute(app.state.db.pool())
        .await
        .expect("drop the index");
    sqlx::raw_sql(migration)
        .execute(app.state.db.pool())
        .await
        .expect("backfill");
    assert_index_is_exact(&app, "backfilled").await;
    assert_searches_match_substrings(&app, "backfilled").await;
}

#[tokio::test]
async fn a_catalogue_change_made_on_another_node_reaches_the_target_a_submission_is_checked_against()
 {
    use app::backend::db::catalogue::catalogue_revision;
    use app::backend::services::applications::TargetCache;
    use app::backend::services::catalogue_admin;
    use app::domain::case::TargetKind;
    let app = spawn_app_with_demo().await;
    let other = app.spawn_node(|_| {}).await;
    let actor = Actor::system("test");
    let targets = TargetCache::default();
    let mut conn = app.state.db.read().await.expect("connection");
    let revision = catalogue_revision(&mut conn).await.expect("revision");
    assert!(revision.is_some(), "the migration made the counter row");
    let bundle = (TargetKind::Bundle, "YJS-CANYIN");
    let before = targets
        .at_revision(&mut conn, revision, bundle.0, bundle.1)
        .await
        .expect("the bundle");
    let kept = targets
        .at_revision(&mut conn, revision, bundle.0, bundle.1)
        .await
        .expect("the bundle");
    assert!(
        std::sync::Arc::ptr_eq(&before, &kept),
        "the same revision is served from memory"
    );
    let first_item = before.items[0].0.code.clone();
    assert_eq!(before.items[0].1, 1);

    // A new version of one of the bundle's items, imported on the other node: the revision
    // moves and the bundle is read again, with the item's new version.
    let mut catalogue = demo_catalogue().expect("seed parses");
    let changed = catalogue
        .items
        .iter_mut()
        .find(|item| item.code == first_item)
        .expect("the bundle's item is in the seed");
    changed.name.zh.push_str("（新版）");
    import(&other.state, &actor, &catalogue, true)
        .await
        .expect("import");
    let revision_after_import = catalogue_revision(&mut conn).await.expect("revision");
    assert!(
        revision_after_import > revision,
        "the import moved the revision"
    );
    let after = targets
        .at_revision(&mut conn, revision_after_import, bundle.0, bundle.1)
        .await
        .expect("the bundle");
    assert_eq!(after.items[0].1, 2, "the item's new version");
    assert!(after.items[0].0.name.zh.ends_with("（新版）"));

    // Withdrawn on the other node: the bundle is no longer available, not served from memory.
    catalogue_admin::unpublish_bundle(&other.state, &actor, bundle.1)
        .await
        .expect("withdraw");
    let revision_after_withdrawal = catalogue_revision(&mut conn).await.expect("revision");
    assert!(revision_after_withdrawal > revision_after_import);
    assert!(
        targets
            .at_revision(&mut conn, revision_after_withdrawal, bundle.0, bundle.1)
            .await
            .is_err(),
        "a withdrawn bundle is not found"
    );

    // An older revision (a statement that read the counter before a change) is answered but
    // does not replace what is kept at the newer one.
    catalogue_admin::publish_bundle(&other.state, &actor, bundle.1, 1)
        .await
        .expect("publish again");
    let newest = catalogue_revision(&mut conn).await.expect("revision");
    let current = targets
        .at_revision(&mut conn, newest, bundle.0, bundle.1)
        .await
        .expect("the bundle");
    let _ = targets
        .at_revision(&mut conn, revision, bundle.0, bundle.1)
        .await
        .expect("the bundle");
    let still = targets
        .at_revision(&mut conn, newest, bundle.0, bundle.1)
        .await
        .expect("the bundle");
    assert!(std::sync::Arc::ptr_eq(&current, &still));
}
