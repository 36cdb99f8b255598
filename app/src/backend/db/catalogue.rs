//! Catalogue aggregate: service items and bundles with immutable versions. Rows keep the whole
//! version as JSON (`spec`) plus the columns search and filters need.

use sqlx::{AnyConnection, FromRow};

use super::{DbError, DbResult};
use crate::api::{CatalogueQuery, ItemSummary, OrgUnitName};
use crate::domain::catalogue::{ItemKind, OnlineLevel, ServiceItemSpec};

/// The latest version of an item or bundle and the hash of its spec.
#[derive(Debug, Clone, FromRow)]
pub struct LatestVersion {
    pub latest_version: i64,
    pub spec_sha256: String,
    pub current_version: Option<i64>,
}

pub async fn latest_item(conn: &mut AnyConnection, code: &str) -> DbResult<Option<LatestVersion>> {
    Ok(sqlx::query_as(
        "SELECT i.latest_version, v.spec_sha256, i.current_version FROM service_items i \
         JOIN service_item_versions v ON v.code = i.code AND v.version = i.latest_version \
         WHERE i.code = $1",
    )
    .bind(code)
    .fetch_optional(conn)
    .await?)
}

pub async fn latest_bundle(
    conn: &mut AnyConnection,
    code: &str,
) -> DbResult<Option<LatestVersion>> {
    Ok(sqlx::query_as(
        "SELECT b.latest_version, v.spec_sha256, b.current_version FROM bundles b \
         JOIN bundle_versions v ON v.code = b.code AND v.version = b.latest_version \
         WHERE b.code = $1",
    )
    .bind(code)
    .fetch_optional(conn)
    .await?)
}

/// A new item version, ready to store.
pub struct NewItemVersion<'a> {
    pub spec: &'a ServiceItemSpec,
    pub spec_json: &'a str,
    pub spec_sha256: &'a str,
    pub version: i64,
    pub search_text: &'a str,
    pub created_by: &'a str,
    pub now: i64,
    pub publish: bool,
}

fn kind_code(kind: ItemKind) -> &'static str {
    match kind {
        ItemKind::Licensing => "licensing",
        ItemKind::Confirmation => "confirmation",
        ItemKind::Filing => "filing",
        ItemKind::PublicService => "public_service",
    }
}

fn online_code(level: OnlineLevel) -> &'static str {
    match level {
        OnlineLevel::FullyOnline => "fully_online",
        OnlineLevel::OneVisit => "one_visit",
    }
}

/// `|D01|D09|`: every department of the item, for the department filter.
fn departments_column(spec: &ServiceItemSpec) -> String {
    let mut codes = vec![spec.responsible_department.as_str()];
    for code in &spec.approving_departments {
        if !codes.contains(&code.as_str()) {
            codes.push(code);
        }
    }
    format!("|{}|", codes.join("|"))
}

/// Stores a version (the item row is created on its first version) and publishes it if asked.
pub async fn insert_item_version(
    conn: &mut AnyConnection,
    new: NewItemVersion<'_>,
) -> DbResult<()> {
    let spec = new.spec;
    sqlx::query(
        "INSERT INTO service_items (code, current_version, latest_version, created_at, updated_at) \
         VALUES ($1, NULL, $2, $3, $3) \
         ON CONFLICT (code) DO UPDATE SET latest_version = $2, updated_at = $3",
    )
    .bind(&spec.code)
    .bind(new.version)
    .bind(new.now)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO service_item_versions (code, version, spec, spec_sha256, name_zh, name_en, kind, \
         online_level, instant_approval, commitment, responsible_department, departments, promised_days, \
         search_text, created_at, created_by, published_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
    )
    .bind(&spec.code)
    .bind(new.version)
    .bind(new.spec_json)
    .bind(new.spec_sha256)
    .bind(&spec.name.zh)
    .bind(&spec.name.en)
    .bind(kind_code(spec.kind))
    .bind(online_code(spec.online_level))
    .bind(i64::from(spec.instant_approval))
    .bind(i64::from(spec.commitment.is_some()))
    .bind(&spec.responsible_department)
    .bind(departments_column(spec))
    .bind(i64::from(spec.promised_days))
    .bind(new.search_text)
    .bind(new.now)
    .bind(new.created_by)
    .bind(new.publish.then_some(new.now))
    .execute(&mut *conn)
    .await?;
    if new.publish {
        publish_item(conn, &spec.code, new.version, new.now).await?;
    }
    Ok(())
}

/// Makes `version` the one the public sees and new applications are filed under.
pub async fn publish_item(
    conn: &mut AnyConnection,
    code: &str,
    version: i64,
    now: i64,
) -> DbResult<()> {
    sqlx::query(
        "UPDATE service_item_versions SET published_at = COALESCE(published_at, $3) WHERE code = $1 AND version = $2",
    )
    .bind(code)
    .bind(version)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    let result = sqlx::query(
        "UPDATE service_items SET current_version = $2, updated_at = $3 WHERE code = $1",
    )
    .bind(code)
    .bind(version)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    if result.rows_affected() == 0 {
        return Err(DbError::NotFound);
    }
    sqlx::query(
        "INSERT INTO catalogue_search (code, version, name_zh, name_en, kind, online_level, instant_approval, \
         commitment, responsible_department, departments, promised_days, search_text) \
         SELECT code, version, name_zh, name_en, kind, online_level, instant_approval, commitment, \
         responsible_department, departments, promised_days, search_text \
         FROM service_item_versions WHERE code = $1 AND version = $2 \
         ON CONFLICT (code) DO UPDATE SET version = excluded.version, name_zh = excluded.name_zh, \
         name_en = excluded.name_en, kind = excluded.kind, online_level = excluded.online_level, \
         instant_approval = excluded.instant_approval, commitment = excluded.commitment, \
         responsible_department = excluded.responsible_department, departments = excluded.departments, \
         promised_days = excluded.promised_days, search_text = excluded.search_text",
    )
    .bind(code)
    .bind(version)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub struct NewBundleVersion<'a> {
    pub code: &'a str,
    pub name_zh: &'a str,
    pub name_en: &'a str,
    pub spec_json: &'a str,
    pub spec_sha256: &'a str,
    pub version: i64,
    pub search_text: &'a str,
    pub created_by: &'a str,
    pub now: i64,
    pub publish: bool,
}

pub async fn insert_bundle_version(
    conn: &mut AnyConnection,
    new: NewBundleVersion<'_>,
) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO bundles (code, current_version, latest_version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $4) \
         ON CONFLICT (code) DO UPDATE SET latest_version = $3, \
         current_version = COALESCE($2, bundles.current_version), updated_at = $4",
    )
    .bind(new.code)
    .bind(new.publish.then_some(new.version))
    .bind(new.version)
    .bind(new.now)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO bundle_versions (code, version, spec, spec_sha256, name_zh, name_en, search_text, \
         created_at, created_by, published_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(new.code)
    .bind(new.version)
    .bind(new.spec_json)
    .bind(new.spec_sha256)
    .bind(new.name_zh)
    .bind(new.name_en)
    .bind(new.search_text)
    .bind(new.now)
    .bind(new.created_by)
    .bind(new.publish.then_some(new.now))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

#[derive(FromRow)]
struct SummaryRow {
    code: String,
    name_zh: String,
    name_en: String,
    kind: String,
    online_level: String,
    instant_approval: i64,
    commitment: i64,
    promised_days: i64,
    department_zh: Option<String>,
    department_en: Option<String>,
}

fn parse_enum<T: serde::de::DeserializeOwned>(code: &str) -> DbResult<T> {
    serde_json::from_value(serde_json::Value::String(code.to_owned()))
        .map_err(|error| DbError::Sqlx(sqlx::Error::Decode(Box::new(error))))
}

impl TryFrom<SummaryRow> for ItemSummary {
    type Error = DbError;

    fn try_from(row: SummaryRow) -> DbResult<Self> {
        Ok(ItemSummary {
            code: row.code,
            name: crate::domain::catalogue::Text {
                zh: row.name_zh,
                en: row.name_en,
            },
            kind: parse_enum(&row.kind)?,
            department: match (row.department_zh, row.department_en) {
                (Some(zh), Some(en)) => Some(OrgUnitName { zh, en }),
                _ => None,
            },
            online_level: parse_enum(&row.online_level)?,
            instant_approval: row.instant_approval == 1,
            commitment: row.commitment == 1,
            promised_days: u32::try_from(row.promised_days).unwrap_or(0),
        })
    }
}

/// `LIKE` pattern matching `text` anywhere, with `%`, `_` and `\` taken literally.
pub fn contains_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for ch in text.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(ch);
    }
    pattern.push('%');
    pattern
}

/// The text an item is found by: code, names, departments and legal basis, lower-cased.
pub fn search_text(spec: &ServiceItemSpec, department_names: &[String]) -> String {
    let mut text = format!(
        "{} {} {} {}",
        spec.code, spec.name.zh, spec.name.en, spec.legal_basis.zh
    );
    for name in department_names {
        text.push(' ');
        text.push_str(name);
    }
    text.to_lowercase()
}

/// The lower-cased words of a search text as `LIKE` patterns. Control characters (PostgreSQL
/// refuses NUL in text) and anything past the length limit are dropped.
fn search_patterns(q: &str) -> Vec<String> {
    let text: String = q
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(CatalogueQuery::MAX_QUERY_CHARS)
        .collect();
    text.to_lowercase()
        .split_whitespace()
        .map(contains_pattern)
        .collect()
}

/// Published items matching the query: one page of them, the total and the fully-online count.
pub async fn search_items(
    conn: &mut AnyConnection,
    query: &CatalogueQuery,
) -> DbResult<(Vec<ItemSummary>, u64, u64)> {
    // Only fixed SQL fragments are concatenated; every user value is a bound parameter.
    let mut conditions: Vec<String> = Vec::new();
    let mut binds: Vec<String> = Vec::new();
    let bind = |value: String, binds: &mut Vec<String>| {
        binds.push(value);
        format!("${}", binds.len())
    };
    for pattern in search_patterns(&query.q) {
        let placeholder = bind(pattern, &mut binds);
        conditions.push(format!("v.search_text LIKE {placeholder} ESCAPE '\\'"));
    }
    if !query.department.trim().is_empty() {
        let department: String = query
            .department
            .trim()
            .chars()
            .filter(|c| !c.is_control())
            .collect();
        let placeholder = bind(contains_pattern(&format!("|{department}|")), &mut binds);
        conditions.push(format!("v.departments LIKE {placeholder} ESCAPE '\\'"));
    }
    if !query.kind.trim().is_empty() {
        let placeholder = bind(query.kind.trim().replace('\0', ""), &mut binds);
        conditions.push(format!("v.kind = {placeholder}"));
    }
    if !query.online.trim().is_empty() {
        let placeholder = bind(query.online.trim().replace('\0', ""), &mut binds);
        conditions.push(format!("v.online_level = {placeholder}"));
    }
    if query.instant {
        conditions.push("v.instant_approval = 1".into());
    }
    if query.commitment {
        conditions.push("v.commitment = 1".into());
    }
    let filter = if conditions.is_empty() {
        String::new()
    } else {
        format!(" AND {}", conditions.join(" AND "))
    };
    // The narrow search projection: one row per published item.
    let from = format!("FROM catalogue_search v WHERE 1 = 1{filter}");

    let count_sql = format!(
        "SELECT COUNT(*) AS total, COUNT(CASE WHEN v.online_level = 'fully_online' THEN 1 END) AS fully_online {from}"
    );
    let mut count_query = sqlx::query_as::<_, (i64, i64)>(sqlx::AssertSqlSafe(count_sql));
    for value in &binds {
        count_query = count_query.bind(value.clone());
    }
    let (total, fully_online) = count_query.fetch_one(&mut *conn).await?;

    let per_page = i64::from(CatalogueQuery::PER_PAGE);
    let offset = (i64::from(query.page()) - 1) * per_page;
    let list_sql = format!(
        "SELECT v.code, v.name_zh, v.name_en, v.kind, v.online_level, v.instant_approval, v.commitment, \
         v.promised_days, d.name_zh AS department_zh, d.name_en AS department_en {from_joined} \
         ORDER BY v.code LIMIT {per_page} OFFSET {offset}",
        from_joined = from.replacen(
            " WHERE ",
            " LEFT JOIN departments d ON d.code = v.responsible_department WHERE ",
            1
        ),
    );
    let mut list_query = sqlx::query_as::<_, SummaryRow>(sqlx::AssertSqlSafe(list_sql));
    for value in binds {
        list_query = list_query.bind(value);
    }
    let rows = list_query.fetch_all(&mut *conn).await?;
    let items = rows
        .into_iter()
        .map(ItemSummary::try_from)
        .collect::<DbResult<Vec<_>>>()?;
    Ok((
        items,
        u64::try_from(total).unwrap_or(0),
        u64::try_from(fully_online).unwrap_or(0),
    ))
}

/// The current specs of published bundles whose search text contains every word of `q`.
pub async fn search_bundles(conn: &mut AnyConnection, q: &str) -> DbResult<Vec<String>> {
    let words = search_patterns(q);
    let conditions: String = (1..=words.len())
        .map(|index| format!(" AND v.search_text LIKE ${index} ESCAPE '\\'"))
        .collect();
    let sql = format!(
        "SELECT v.spec FROM bundles b JOIN bundle_versions v ON v.code = b.code AND v.version = b.current_version \
         WHERE b.current_version IS NOT NULL{conditions} ORDER BY b.code"
    );
    let mut query = sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(sql));
    for word in words {
        query = query.bind(word);
    }
    Ok(query.fetch_all(conn).await?)
}

/// The stored spec of an item version: the current published one when `version` is `None`.
#[derive(Debug, Clone, FromRow)]
pub struct StoredVersion {
    pub version: i64,
    pub spec: String,
    pub published_at: Option<i64>,
    pub created_at: i64,
    pub created_by: String,
}

pub async fn item_version(
    conn: &mut AnyConnection,
    code: &str,
    version: Option<i64>,
) -> DbResult<Option<StoredVersion>> {
    let row = match version {
        Some(version) => {
            sqlx::query_as(
                "SELECT version, spec, published_at, created_at, created_by FROM service_item_versions \
                 WHERE code = $1 AND version = $2",
            )
            .bind(code)
            .bind(version)
            .fetch_optional(conn)
            .await?
        }
        None => {
            sqlx::query_as(
                "SELECT v.version, v.spec, v.published_at, v.created_at, v.created_by FROM service_items i \
                 JOIN service_item_versions v ON v.code = i.code AND v.version = i.current_version WHERE i.code = $1",
            )
            .bind(code)
            .fetch_optional(conn)
            .await?
        }
    };
    Ok(row)
}

/// The published versions of an item, newest first.
pub async fn published_versions(conn: &mut AnyConnection, code: &str) -> DbResult<Vec<(i64, i64)>> {
    Ok(sqlx::query_as(
        "SELECT version, published_at FROM service_item_versions \
         WHERE code = $1 AND published_at IS NOT NULL ORDER BY version DESC",
    )
    .bind(code)
    .fetch_all(conn)
    .await?)
}

/// The current published version of a bundle.
pub async fn current_bundle(
    conn: &mut AnyConnection,
    code: &str,
) -> DbResult<Option<StoredVersion>> {
    Ok(sqlx::query_as(
        "SELECT v.version, v.spec, v.published_at, v.created_at, v.created_by FROM bundles b \
         JOIN bundle_versions v ON v.code = b.code AND v.version = b.current_version WHERE b.code = $1",
    )
    .bind(code)
    .fetch_optional(conn)
    .await?)
}

/// Every published item's current spec, by code.
pub async fn current_items(conn: &mut AnyConnection) -> DbResult<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT v.spec FROM service_items i \
         JOIN service_item_versions v ON v.code = i.code AND v.version = i.current_version ORDER BY i.code",
    )
    .fetch_all(conn)
    .await?)
}

/// Every published bundle's current spec.
pub async fn current_bundles(conn: &mut AnyConnection) -> DbResult<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT v.spec FROM bundles b JOIN bundle_versions v ON v.code = b.code AND v.version = b.current_version \
         ORDER BY b.code",
    )
    .fetch_all(conn)
    .await?)
}

/// Replaces the content of a version that was never published (a draft being edited); published
/// versions never change. Returns false when the version is not an unpublished draft.
pub async fn update_draft_item_version(
    conn: &mut AnyConnection,
    new: NewItemVersion<'_>,
) -> DbResult<bool> {
    let spec = new.spec;
    let result = sqlx::query(
        "UPDATE service_item_versions SET spec = $3, spec_sha256 = $4, name_zh = $5, name_en = $6, \
         kind = $7, online_level = $8, instant_approval = $9, commitment = $10, \
         responsible_department = $11, departments = $12, promised_days = $13, search_text = $14, \
         created_at = $15, created_by = $16 \
         WHERE code = $1 AND version = $2 AND published_at IS NULL",
    )
    .bind(&spec.code)
    .bind(new.version)
    .bind(new.spec_json)
    .bind(new.spec_sha256)
    .bind(&spec.name.zh)
    .bind(&spec.name.en)
    .bind(kind_code(spec.kind))
    .bind(online_code(spec.online_level))
    .bind(i64::from(spec.instant_approval))
    .bind(i64::from(spec.commitment.is_some()))
    .bind(&spec.responsible_department)
    .bind(departments_column(spec))
    .bind(i64::from(spec.promised_days))
    .bind(new.search_text)
    .bind(new.now)
    .bind(new.created_by)
    .execute(&mut *conn)
    .await?;
    if result.rows_affected() == 0 {
        return Ok(false);
    }
    sqlx::query("UPDATE service_items SET updated_at = $2 WHERE code = $1")
        .bind(&spec.code)
        .bind(new.now)
        .execute(&mut *conn)
        .await?;
    Ok(true)
}

/// Withdraws an item from the public catalogue: no current version, gone from search. Its
/// versions stay stored (applications filed under them keep them). False when it was not
/// published.
pub async fn unpublish_item(conn: &mut AnyConnection, code: &str, now: i64) -> DbResult<bool> {
    let result = sqlx::query(
        "UPDATE service_items SET current_version = NULL, updated_at = $2 \
         WHERE code = $1 AND current_version IS NOT NULL",
    )
    .bind(code)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM catalogue_search WHERE code = $1")
        .bind(code)
        .execute(&mut *conn)
        .await?;
    Ok(result.rows_affected() > 0)
}

/// Makes a bundle version the published one.
pub async fn publish_bundle(
    conn: &mut AnyConnection,
    code: &str,
    version: i64,
    now: i64,
) -> DbResult<()> {
    sqlx::query(
        "UPDATE bundle_versions SET published_at = COALESCE(published_at, $3) WHERE code = $1 AND version = $2",
    )
    .bind(code)
    .bind(version)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    let result =
        sqlx::query("UPDATE bundles SET current_version = $2, updated_at = $3 WHERE code = $1")
            .bind(code)
            .bind(version)
            .bind(now)
            .execute(&mut *conn)
            .await?;
    if result.rows_affected() == 0 {
        return Err(DbError::NotFound);
    }
    Ok(())
}

/// Withdraws a bundle; false when it was not published.
pub async fn unpublish_bundle(conn: &mut AnyConnection, code: &str, now: i64) -> DbResult<bool> {
    let result = sqlx::query(
        "UPDATE bundles SET current_version = NULL, updated_at = $2 \
         WHERE code = $1 AND current_version IS NOT NULL",
    )
    .bind(code)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(result.rows_affected() > 0)
}

/// Replaces an unpublished bundle draft; false when the version is not a draft.
pub async fn update_draft_bundle_version(
    conn: &mut AnyConnection,
    new: NewBundleVersion<'_>,
) -> DbResult<bool> {
    let result = sqlx::query(
        "UPDATE bundle_versions SET spec = $3, spec_sha256 = $4, name_zh = $5, name_en = $6, \
         search_text = $7, created_at = $8, created_by = $9 \
         WHERE code = $1 AND version = $2 AND published_at IS NULL",
    )
    .bind(new.code)
    .bind(new.version)
    .bind(new.spec_json)
    .bind(new.spec_sha256)
    .bind(new.name_zh)
    .bind(new.name_en)
    .bind(new.search_text)
    .bind(new.now)
    .bind(new.created_by)
    .execute(&mut *conn)
    .await?;
    Ok(result.rows_affected() > 0)
}

/// One stored version of an item or bundle, for the editor's history.
#[derive(Debug, Clone, FromRow)]
pub struct VersionRow {
    pub version: i64,
    pub spec_sha256: String,
    pub created_at: i64,
    pub created_by: String,
    /// The display name behind `created_by` when it is a user.
    pub author_name: Option<String>,
    pub published_at: Option<i64>,
}

/// Every stored version of an item (`bundles = false`) or bundle, newest first.
pub async fn all_versions(
    conn: &mut AnyConnection,
    code: &str,
    bundles: bool,
) -> DbResult<Vec<VersionRow>> {
    let table = if bundles {
        "bundle_versions"
    } else {
        "service_item_versions"
    };
    let sql = format!(
        "SELECT v.version, v.spec_sha256, v.created_at, v.created_by, u.display_name AS author_name, \
         v.published_at FROM {table} v LEFT JOIN users u ON 'user:' || u.id = v.created_by \
         WHERE v.code = $1 ORDER BY v.version DESC"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(code)
        .fetch_all(conn)
        .await?)
}

/// The stored spec of one bundle version.
pub async fn bundle_version(
    conn: &mut AnyConnection,
    code: &str,
    version: i64,
) -> DbResult<Option<StoredVersion>> {
    Ok(sqlx::query_as(
        "SELECT version, spec, published_at, created_at, created_by FROM bundle_versions \
         WHERE code = $1 AND version = $2",
    )
    .bind(code)
    .bind(version)
    .fetch_optional(conn)
    .await?)
}

/// A line of the administrators' list: the latest version's name and the publication state.
#[derive(Debug, Clone, FromRow)]
pub struct AdminRow {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub latest_version: i64,
    pub current_version: Option<i64>,
}

/// Items (`bundles = false`) or bundles of every state whose code or latest name contains `q`,
/// one page of `per_page` by code, and the total.
pub async fn admin_list(
    conn: &mut AnyConnection,
    bundles: bool,
    q: &str,
    page: u32,
    per_page: u32,
) -> DbResult<(Vec<AdminRow>, u64)> {
    let (head, versions) = if bundles {
        ("bundles", "bundle_versions")
    } else {
        ("service_items", "service_item_versions")
    };
    let cleaned: String = q
        .chars()
        .filter(|c| !c.is_control())
        .take(CatalogueQuery::MAX_QUERY_CHARS)
        .collect();
    let pattern = contains_pattern(cleaned.trim()).to_lowercase();
    let from = format!(
        "FROM {head} i JOIN {versions} v ON v.code = i.code AND v.version = i.latest_version \
         WHERE LOWER(i.code) LIKE $1 ESCAPE '\\' OR LOWER(v.name_zh) LIKE $1 ESCAPE '\\' \
         OR LOWER(v.name_en) LIKE $1 ESCAPE '\\'"
    );
    let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) {from}")))
        .bind(&pattern)
        .fetch_one(&mut *conn)
        .await?;
    let offset = i64::from(page.max(1) - 1) * i64::from(per_page);
    let rows = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT i.code, v.name_zh, v.name_en, i.latest_version, i.current_version {from} \
         ORDER BY i.code LIMIT {per_page} OFFSET {offset}"
    )))
    .bind(&pattern)
    .fetch_all(&mut *conn)
    .await?;
    Ok((rows, u64::try_from(total).unwrap_or(0)))
}

/// Whether any item or bundle row has this code (published or not).
pub async fn code_taken(conn: &mut AnyConnection, code: &str) -> DbResult<bool> {
    let count: i64 = sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM service_items WHERE code = $1) + \
         (SELECT COUNT(*) FROM bundles WHERE code = $1)",
    )
    .bind(code)
    .fetch_one(conn)
    .await?;
    Ok(count > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_metacharacters_are_taken_literally() {
        assert_eq!(contains_pattern("50%_off\\"), "%50\\%\\_off\\\\%");
        assert_eq!(contains_pattern("餐饮"), "%餐饮%");
    }
}
