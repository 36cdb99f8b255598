//! Catalogue aggregate: service items and bundles with immutable versions. Rows keep the whole
//! version as JSON (`spec`) plus the columns search and filters need.

use std::collections::BTreeSet;
use std::sync::{Arc, LazyLock};

use sqlx::{AnyConnection, FromRow};

use super::{DbError, DbKind, DbResult};
use crate::api::{CatalogueQuery, ItemSummary, OrgUnitName};
use crate::domain::catalogue::{ItemKind, OnlineLevel, ServiceItemSpec};

/// The latest version of an item or bundle and the hash of its spec.
#[derive(Debug, Clone, FromRow)]
pub struct LatestVersion {
    pub latest_version: i64,
    pub spec_sha256: String,
    pub current_version: Option<i64>,
}

/// Whether `code` cannot be stored at all: PostgreSQL refuses text with a NUL byte (an error,
/// not "no row"), so lookups by such a code answer "none" without asking the database.
fn unstorable(code: &str) -> bool {
    code.contains('\0')
}

pub async fn latest_item(conn: &mut AnyConnection, code: &str) -> DbResult<Option<LatestVersion>> {
    if unstorable(code) {
        return Ok(None);
    }
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
    if unstorable(code) {
        return Ok(None);
    }
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

/// Makes `version` the one the public sees and new applications are filed under: its row of
/// the search projection and its index terms replace the previous version's.
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
    let Some(row) = sqlx::query_as::<_, SearchRow>(
        "SELECT code, search_text, kind, online_level, instant_approval, commitment, departments \
         FROM service_item_versions WHERE code = $1 AND version = $2",
    )
    .bind(code)
    .bind(version)
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(());
    };
    let db = DbKind::of_connection(conn);
    let terms = row.index_terms(db);
    // The projection row (on PostgreSQL with its terms, which the GIN index reads).
    let (terms_column, terms_value, terms_update) = match db {
        DbKind::Sqlite => ("", "", ""),
        DbKind::Postgres => (
            ", terms",
            ", string_to_array($3, chr(31))",
            ", terms = excluded.terms",
        ),
    };
    let upsert = format!(
        "INSERT INTO catalogue_search (code, version, name_zh, name_en, kind, online_level, instant_approval, \
         commitment, responsible_department, departments, promised_days, search_text{terms_column}) \
         SELECT code, version, name_zh, name_en, kind, online_level, instant_approval, commitment, \
         responsible_department, departments, promised_days, search_text{terms_value} \
         FROM service_item_versions WHERE code = $1 AND version = $2 \
         ON CONFLICT (code) DO UPDATE SET version = excluded.version, name_zh = excluded.name_zh, \
         name_en = excluded.name_en, kind = excluded.kind, online_level = excluded.online_level, \
         instant_approval = excluded.instant_approval, commitment = excluded.commitment, \
         responsible_department = excluded.responsible_department, departments = excluded.departments, \
         promised_days = excluded.promised_days, search_text = excluded.search_text{terms_update}"
    );
    let mut upsert = sqlx::query(sqlx::AssertSqlSafe(upsert))
        .bind(code)
        .bind(version);
    if db == DbKind::Postgres {
        upsert = upsert.bind(join_terms(terms.iter()));
    }
    upsert.execute(&mut *conn).await?;
    if db == DbKind::Sqlite {
        replace_terms(conn, code, row.index_flags(), &terms).await?;
    }
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

/// The lower-cased words of a search text. Control characters (PostgreSQL refuses NUL in text)
/// and anything past the length limit are dropped.
fn search_words(q: &str) -> Vec<String> {
    let text: String = q
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(CatalogueQuery::MAX_QUERY_CHARS)
        .collect();
    text.to_lowercase()
        .split_whitespace()
        .map(str::to_owned)
        .collect()
}

/// The words of a search text as `LIKE` patterns.
fn search_patterns(q: &str) -> Vec<String> {
    search_words(q)
        .iter()
        .map(|word| contains_pattern(word))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// The search index (migration 20261124000004): for every published item, the terms its search
// text contains and its facets (kind, online level, instant approval, commitment, departments).
// SQLite keeps one `catalogue_search_terms` row per term and item, with the item's filter
// flags; a search starts from the shortest list among its terms and checks the others there.
// PostgreSQL keeps the terms as an array in the projection row under a GIN index, which
// intersects them. Either way `LIKE` still decides every word the index cannot decide alone, so
// results are those of substring matching.
// ---------------------------------------------------------------------------------------------

/// First character of facet terms; text terms never contain control characters.
const FACET: char = '\u{1}';
/// `flags`: the online level (1 fully online, 2 one visit) …
const ONLINE_MASK: i64 = 3;
const FULLY_ONLINE: i64 = 1;
/// … instant approval, commitment …
const INSTANT: i64 = 4;
const COMMITMENT: i64 = 8;
/// … and the kind, in steps of 16 (1 licensing … 4 public service).
const KIND_MASK: i64 = 112;
const KIND_STEP: i64 = 16;
/// Items counted per term when choosing where a search starts (more would cost more than it
/// saves).
const SAMPLE: i64 = 1000;
/// Terms of one search whose lists are measured; the others are checked by `LIKE`.
const MEASURED_TERMS: usize = 32;
/// Terms stored per `INSERT` statement.
const INSERT_CHUNK: usize = 128;

const KINDS: [ItemKind; 4] = [
    ItemKind::Licensing,
    ItemKind::Confirmation,
    ItemKind::Filing,
    ItemKind::PublicService,
];
const ONLINE_LEVELS: [OnlineLevel; 2] = [OnlineLevel::FullyOnline, OnlineLevel::OneVisit];

fn kind_flags(kind: &str) -> Option<i64> {
    let index = KINDS.iter().position(|known| kind_code(*known) == kind)?;
    Some((index as i64 + 1) * KIND_STEP)
}

fn online_flags(level: &str) -> Option<i64> {
    let index = ONLINE_LEVELS
        .iter()
        .position(|known| online_code(*known) == level)?;
    Some(index as i64 + 1)
}

fn facet(name: &str) -> String {
    format!("{FACET}{name}")
}

/// The facet of a department: SQLite's `LIKE`, which the department filter used to be,
/// ignores ASCII case; PostgreSQL's does not.
fn department_facet(department: &str, db: DbKind) -> String {
    match db {
        DbKind::Sqlite => facet(&format!("d:{}", department.to_ascii_lowercase())),
        DbKind::Postgres => facet(&format!("d:{department}")),
    }
}

/// The text terms of a lower-cased text, by characters: every bigram with at least one
/// non-ASCII character (Chinese words are often two characters: 餐饮) and every trigram of
/// ASCII characters (bigrams of Latin letters and digits are too common to narrow a search).
/// None contains a space or control character, which no search word contains. A text contains
/// a word only if it has every term of the word; a word that is itself a term (餐饮, `arc`) is
/// contained exactly when the text has that term.
///
/// The backfill of migration 20261124000004 computes the same terms in SQL.
pub fn text_terms(text: &str) -> BTreeSet<String> {
    let indexable = |c: &char| *c > ' ';
    let chars: Vec<char> = text.chars().collect();
    let mut terms = BTreeSet::new();
    for pair in chars.windows(2) {
        if pair.iter().all(indexable) && pair.iter().any(|c| !c.is_ascii()) {
            terms.insert(pair.iter().collect());
        }
    }
    for triple in chars.windows(3) {
        if triple.iter().all(|c| indexable(c) && c.is_ascii()) {
            terms.insert(triple.iter().collect());
        }
    }
    terms
}

/// The row of the search projection the index is made of.
#[derive(Debug, Clone, FromRow)]
pub struct SearchRow {
    pub code: String,
    pub search_text: String,
    pub kind: String,
    pub online_level: String,
    pub instant_approval: i64,
    pub commitment: i64,
    pub departments: String,
}

impl SearchRow {
    /// The filter flags stored with each of the item's terms.
    pub fn index_flags(&self) -> i64 {
        online_flags(&self.online_level).unwrap_or(0)
            + if self.instant_approval == 1 {
                INSTANT
            } else {
                0
            }
            + if self.commitment == 1 { COMMITMENT } else { 0 }
            + kind_flags(&self.kind).unwrap_or(0)
    }

    /// Every term the index holds for the item: its text terms and its facets.
    pub fn index_terms(&self, db: DbKind) -> BTreeSet<String> {
        let mut terms = text_terms(&self.search_text);
        terms.insert(facet(&format!("k:{}", self.kind)));
        terms.insert(facet(&format!("o:{}", self.online_level)));
        if self.instant_approval == 1 {
            terms.insert(facet("i"));
        }
        if self.commitment == 1 {
            terms.insert(facet("c"));
        }
        // `|D01|D09|` → D01, D09
        let departments = self
            .departments
            .strip_prefix('|')
            .unwrap_or(&self.departments);
        for department in departments.split_terminator('|') {
            terms.insert(department_facet(department, db));
        }
        terms
    }
}

/// PostgreSQL binds a list of terms as one text, split by U+001F (no term contains a control
/// character but the facets' leading U+0001).
const TERM_SEPARATOR: char = '\u{1f}';

fn join_terms<'a>(terms: impl Iterator<Item = &'a String>) -> String {
    terms
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(&TERM_SEPARATOR.to_string())
}

/// SQLite: replaces the rows of `catalogue_search_terms` of an item.
async fn replace_terms(
    conn: &mut AnyConnection,
    code: &str,
    flags: i64,
    terms: &BTreeSet<String>,
) -> DbResult<()> {
    // `OR IGNORE` (rather than `ON CONFLICT DO NOTHING`) lets SQLite skip the statement journal
    // that would otherwise copy every page the statement touches: 3× faster imports.
    static INSERT_TERMS: LazyLock<Arc<str>> = LazyLock::new(|| {
        let rows: Vec<String> = (0..INSERT_CHUNK)
            .map(|index| format!("(${}, $1, $2)", index + 3))
            .collect();
        format!(
            "INSERT OR IGNORE INTO catalogue_search_terms (term, code, flags) VALUES {}",
            rows.join(", ")
        )
        .into()
    });
    sqlx::query("DELETE FROM catalogue_search_terms WHERE code = $1")
        .bind(code)
        .execute(&mut *conn)
        .await?;
    let terms: Vec<&str> = terms.iter().map(String::as_str).collect();
    for chunk in terms.chunks(INSERT_CHUNK) {
        // One statement text for every chunk: a short chunk repeats its last term.
        let mut insert = sqlx::query(sqlx::AssertSqlSafe(Arc::clone(&INSERT_TERMS)))
            .bind(code)
            .bind(flags);
        for index in 0..INSERT_CHUNK {
            insert = insert.bind(chunk.get(index).or(chunk.last()).copied());
        }
        insert.execute(&mut *conn).await?;
    }
    Ok(())
}

/// A word of a search and the index terms it contains.
struct Word {
    text: String,
    terms: BTreeSet<String>,
}

impl Word {
    fn new(text: String) -> Self {
        let terms = text_terms(&text);
        Self { text, terms }
    }

    /// Whether the index alone decides if a text contains the word.
    fn is_term(&self) -> bool {
        self.terms.len() == 1 && self.terms.contains(&self.text)
    }
}

/// How long a term's list of items is: exact below [`SAMPLE`], else the code at that place
/// (the later, the sparser the list).
struct ListSize {
    term: String,
    items: i64,
    code_at_sample: Option<String>,
}

impl ListSize {
    fn shorter_than(&self, other: &ListSize) -> bool {
        match (self.items < SAMPLE, other.items < SAMPLE) {
            (true, true) => self.items < other.items,
            (true, false) => true,
            (false, true) => false,
            (false, false) => self.code_at_sample > other.code_at_sample,
        }
    }
}

async fn list_sizes(conn: &mut AnyConnection, terms: &[String]) -> DbResult<Vec<ListSize>> {
    let sql = (0..terms.len())
        .map(|index| {
            format!(
                "SELECT CAST({index} AS BIGINT) AS place, COUNT(*) AS items, MAX(s{index}.code) AS code \
                 FROM (SELECT code FROM catalogue_search_terms WHERE term = ${} ORDER BY code \
                 LIMIT {SAMPLE}) s{index}",
                index + 1
            )
        })
        .collect::<Vec<_>>()
        .join(" UNION ALL ");
    let mut query = sqlx::query_as::<_, (i64, i64, Option<String>)>(sqlx::AssertSqlSafe(sql));
    for term in terms {
        query = query.bind(term.as_str());
    }
    let mut sizes: Vec<ListSize> = Vec::with_capacity(terms.len());
    for (place, items, code_at_sample) in query.fetch_all(&mut *conn).await? {
        if let Some(term) = usize::try_from(place)
            .ok()
            .and_then(|place| terms.get(place))
        {
            sizes.push(ListSize {
                term: term.clone(),
                items,
                code_at_sample,
            });
        }
    }
    Ok(sizes)
}

const SUMMARY_COLUMNS: &str = "v.code, v.name_zh, v.name_en, v.kind, v.online_level, v.instant_approval, \
     v.commitment, v.promised_days, d.name_zh AS department_zh, d.name_en AS department_en";

/// Published items matching the query: one page of them, the total and the fully-online count.
pub async fn search_items(
    conn: &mut AnyConnection,
    query: &CatalogueQuery,
) -> DbResult<(Vec<ItemSummary>, u64, u64)> {
    let nothing = Ok((Vec::new(), 0, 0));
    let db = DbKind::of_connection(conn);
    let words: Vec<Word> = search_words(&query.q).into_iter().map(Word::new).collect();

    // Filters: terms every match has in the index, and the same conditions on its flags.
    let mut facets: Vec<String> = Vec::new();
    let mut department_facet_term: Option<String> = None;
    let mut department_pattern: Option<String> = None;
    let mut flag_conditions: Vec<String> = Vec::new();
    if !query.department.trim().is_empty() {
        let department: String = query
            .department
            .trim()
            .chars()
            .filter(|c| !c.is_control())
            .collect();
        if department.contains('|') {
            // Not one department code: the `LIKE` on the list of codes decides.
            department_pattern = Some(contains_pattern(&format!("|{department}|")));
        } else {
            let term = department_facet(&department, db);
            facets.push(term.clone());
            department_facet_term = Some(term);
        }
    }
    if !query.kind.trim().is_empty() {
        let kind = query.kind.trim().replace('\0', "");
        let Some(flags) = kind_flags(&kind) else {
            return nothing;
        };
        flag_conditions.push(format!("(t.flags & {KIND_MASK}) = {flags}"));
        facets.push(facet(&format!("k:{kind}")));
    }
    if !query.online.trim().is_empty() {
        let online = query.online.trim().replace('\0', "");
        let Some(flags) = online_flags(&online) else {
            return nothing;
        };
        flag_conditions.push(format!("(t.flags & {ONLINE_MASK}) = {flags}"));
        facets.push(facet(&format!("o:{online}")));
    }
    if query.instant {
        flag_conditions.push(format!("(t.flags & {INSTANT}) = {INSTANT}"));
        facets.push(facet("i"));
    }
    if query.commitment {
        flag_conditions.push(format!("(t.flags & {COMMITMENT}) = {COMMITMENT}"));
        facets.push(facet("c"));
    }

    let per_page = i64::from(CatalogueQuery::PER_PAGE);
    let offset = (i64::from(query.page()) - 1) * per_page;

    let no_term = facets.is_empty() && words.iter().all(|word| word.terms.is_empty());
    if no_term {
        // Nothing the index knows (no filter, words of one character…): read every item.
        let mut conditions: Vec<String> = Vec::new();
        let mut binds: Vec<String> = Vec::new();
        for word in &words {
            binds.push(contains_pattern(&word.text));
            conditions.push(format!(
                " AND v.search_text LIKE ${} ESCAPE '\\'",
                binds.len()
            ));
        }
        if let Some(pattern) = department_pattern {
            binds.push(pattern);
            conditions.push(format!(
                " AND v.departments LIKE ${} ESCAPE '\\'",
                binds.len()
            ));
        }
        let conditions = conditions.concat();
        let page_sql = format!(
            "SELECT {SUMMARY_COLUMNS} FROM catalogue_search v \
             LEFT JOIN departments d ON d.code = v.responsible_department WHERE 1 = 1{conditions} \
             ORDER BY v.code LIMIT {per_page} OFFSET {offset}"
        );
        if binds.is_empty() && db == DbKind::Sqlite {
            // Every item on SQLite: the table's count (kept in its b-tree) and the fully-online
            // facet's, rather than reading every row.
            let count_sql = "SELECT (SELECT COUNT(*) FROM catalogue_search) AS total, \
                 (SELECT COUNT(*) FROM catalogue_search_terms WHERE term = $1) AS fully_online";
            let fully_online = facet(&format!("o:{}", online_code(OnlineLevel::FullyOnline)));
            return run_search(
                conn,
                count_sql.to_owned(),
                vec![fully_online],
                page_sql,
                Vec::new(),
                offset,
            )
            .await;
        }
        let count_sql = format!(
            "SELECT COUNT(*) AS total, \
             COUNT(CASE WHEN v.online_level = 'fully_online' THEN 1 END) AS fully_online \
             FROM catalogue_search v WHERE 1 = 1{conditions}"
        );
        return run_search(conn, count_sql, binds.clone(), page_sql, binds, offset).await;
    }

    if db == DbKind::Postgres {
        // The GIN index on `terms` intersects every facet and term; `LIKE` decides the words
        // that are not terms themselves.
        let mut all_terms: Vec<&String> = facets.iter().collect();
        for term in words.iter().flat_map(|word| &word.terms) {
            if !all_terms.contains(&term) {
                all_terms.push(term);
            }
        }
        let mut binds: Vec<String> = vec![join_terms(all_terms.into_iter())];
        let mut conditions = String::new();
        for word in words.iter().filter(|word| !word.is_term()) {
            binds.push(contains_pattern(&word.text));
            conditions.push_str(&format!(
                " AND v.search_text LIKE ${} ESCAPE '\\'",
                binds.len()
            ));
        }
        if let Some(pattern) = department_pattern {
            binds.push(pattern);
            conditions.push_str(&format!(
                " AND v.departments LIKE ${} ESCAPE '\\'",
                binds.len()
            ));
        }
        let filter = format!("v.terms @> string_to_array($1, chr(31)){conditions}");
        let count_sql = format!(
            "SELECT COUNT(*) AS total, \
             COUNT(CASE WHEN v.online_level = 'fully_online' THEN 1 END) AS fully_online \
             FROM catalogue_search v WHERE {filter}"
        );
        let page_sql = format!(
            "SELECT {SUMMARY_COLUMNS} FROM catalogue_search v \
             LEFT JOIN departments d ON d.code = v.responsible_department WHERE {filter} \
             ORDER BY v.code LIMIT {per_page} OFFSET {offset}"
        );
        return run_search(conn, count_sql, binds.clone(), page_sql, binds, offset).await;
    }

    // SQLite: the terms a search can start from, the filters' facets and the words' terms (a
    // few of each word first).
    let mut candidates: Vec<String> = facets.clone();
    let most_terms = words.iter().map(|word| word.terms.len()).max().unwrap_or(0);
    for place in 0..most_terms {
        for word in &words {
            if let Some(term) = word.terms.iter().nth(place)
                && candidates.len() < MEASURED_TERMS
                && !candidates.contains(term)
            {
                candidates.push(term.clone());
            }
        }
    }
    let sizes = list_sizes(conn, &candidates).await?;
    if sizes.iter().any(|size| size.items == 0) {
        // A word or filter no published item has.
        return nothing;
    }
    let Some(start) = sizes
        .iter()
        .reduce(|best, size| if size.shorter_than(best) { size } else { best })
        .map(|size| size.term.clone())
    else {
        return nothing;
    };

    // Start from the shortest list (`t`); check the filters on its flags, the other terms
    // in the index and the other words with `LIKE` on the item's search text (`v`).
    let mut binds: Vec<String> = vec![start.clone()];
    let mut conditions: Vec<String> = flag_conditions;
    let mut likes: Vec<String> = Vec::new();
    let exists = |term: &str, binds: &mut Vec<String>| {
        binds.push(term.to_owned());
        format!(
            "EXISTS (SELECT 1 FROM catalogue_search_terms o WHERE o.term = ${} AND o.code = t.code)",
            binds.len()
        )
    };
    if let Some(term) = department_facet_term.filter(|term| *term != start) {
        conditions.push(exists(&term, &mut binds));
    }
    for word in &words {
        if word.is_term() {
            if word.text != start {
                conditions.push(exists(&word.text, &mut binds));
            }
        } else {
            binds.push(contains_pattern(&word.text));
            likes.push(format!("v.search_text LIKE ${} ESCAPE '\\'", binds.len()));
        }
    }
    if let Some(pattern) = department_pattern {
        binds.push(pattern);
        likes.push(format!("v.departments LIKE ${} ESCAPE '\\'", binds.len()));
    }
    let join = if likes.is_empty() {
        ""
    } else {
        " JOIN catalogue_search v ON v.code = t.code"
    };
    conditions.extend(likes);
    let conditions: String = conditions
        .iter()
        .map(|condition| format!(" AND {condition}"))
        .collect();
    let count_sql = format!(
        "SELECT COUNT(*) AS total, \
         COUNT(CASE WHEN (t.flags & {ONLINE_MASK}) = {FULLY_ONLINE} THEN 1 END) AS fully_online \
         FROM catalogue_search_terms t{join} WHERE t.term = $1{conditions}"
    );
    let page_sql = format!(
        "SELECT {SUMMARY_COLUMNS} FROM catalogue_search_terms t \
         JOIN catalogue_search v ON v.code = t.code \
         LEFT JOIN departments d ON d.code = v.responsible_department \
         WHERE t.term = $1{conditions} ORDER BY t.code LIMIT {per_page} OFFSET {offset}"
    );
    run_search(conn, count_sql, binds.clone(), page_sql, binds, offset).await
}

/// Counts, then reads the page when there is one.
async fn run_search(
    conn: &mut AnyConnection,
    count_sql: String,
    count_binds: Vec<String>,
    page_sql: String,
    page_binds: Vec<String>,
    offset: i64,
) -> DbResult<(Vec<ItemSummary>, u64, u64)> {
    let mut count_query = sqlx::query_as::<_, (i64, i64)>(sqlx::AssertSqlSafe(count_sql));
    for value in count_binds {
        count_query = count_query.bind(value);
    }
    let (total, fully_online) = count_query.fetch_one(&mut *conn).await?;
    let items = if total > offset {
        let mut page_query = sqlx::query_as::<_, SummaryRow>(sqlx::AssertSqlSafe(page_sql));
        for value in page_binds {
            page_query = page_query.bind(value);
        }
        page_query
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .map(ItemSummary::try_from)
            .collect::<DbResult<Vec<_>>>()?
    } else {
        Vec::new()
    };
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
    if unstorable(code) {
        return Ok(None);
    }
    let row = match version {
        Some(version) => sqlx::query_as(
            "SELECT version, spec, published_at, created_at, created_by FROM service_item_versions \
                 WHERE code = $1 AND version = $2",
        )
        .bind(code)
        .bind(version)
        .fetch_optional(conn)
        .await?,
        None => current_item_versions(conn, &[code]).await?.remove(code),
    };
    Ok(row)
}

/// The current published versions of these items, by code, in one statement (a bundle's items
/// at submission). Codes without a current version are absent from the map.
pub async fn current_item_versions(
    conn: &mut AnyConnection,
    codes: &[&str],
) -> DbResult<std::collections::HashMap<String, StoredVersion>> {
    let codes: Vec<&str> = codes
        .iter()
        .copied()
        .filter(|code| !unstorable(code))
        .collect();
    if codes.is_empty() {
        return Ok(std::collections::HashMap::new());
    }
    let placeholders: Vec<String> = (1..=codes.len()).map(|index| format!("${index}")).collect();
    let sql = format!(
        "SELECT i.code, v.version, v.spec, v.published_at, v.created_at, v.created_by FROM service_items i \
         JOIN service_item_versions v ON v.code = i.code AND v.version = i.current_version \
         WHERE i.code IN ({})",
        placeholders.join(", ")
    );
    let mut query = sqlx::query_as::<_, CodedVersion>(sqlx::AssertSqlSafe(sql));
    for code in &codes {
        query = query.bind(*code);
    }
    Ok(query
        .fetch_all(conn)
        .await?
        .into_iter()
        .map(|row| (row.code, row.stored))
        .collect())
}

/// A [`StoredVersion`] with the code of its item, as [`current_item_versions`] reads it.
#[derive(FromRow)]
struct CodedVersion {
    code: String,
    #[sqlx(flatten)]
    stored: StoredVersion,
}

/// The published versions of an item, newest first.
pub async fn published_versions(conn: &mut AnyConnection, code: &str) -> DbResult<Vec<(i64, i64)>> {
    if unstorable(code) {
        return Ok(Vec::new());
    }
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
    if unstorable(code) {
        return Ok(None);
    }
    Ok(sqlx::query_as(
        "SELECT v.version, v.spec, v.published_at, v.created_at, v.created_by FROM bundles b \
         JOIN bundle_versions v ON v.code = b.code AND v.version = b.current_version WHERE b.code = $1",
    )
    .bind(code)
    .fetch_optional(conn)
    .await?)
}

/// The revision of the catalogue: moved by every change of its items, bundles and their
/// versions (triggers, see the migration `catalogue_revision`); `None` if its row is missing.
pub async fn catalogue_revision(conn: &mut AnyConnection) -> DbResult<Option<i64>> {
    Ok(
        sqlx::query_scalar("SELECT revision FROM catalogue_revision WHERE id = 1")
            .fetch_optional(conn)
            .await?,
    )
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

/// Withdraws an item from the public catalogue: no current version, gone from search (its
/// projection row and index terms are deleted). Its versions stay stored (applications filed
/// under them keep them). False when it was not published.
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
    if DbKind::of_connection(conn) == DbKind::Sqlite {
        replace_terms(conn, code, 0, &BTreeSet::new()).await?;
    }
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
    if unstorable(code) {
        return Ok(Vec::new());
    }
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
    if unstorable(code) {
        return Ok(None);
    }
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
    if unstorable(code) {
        return Ok(false);
    }
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

    #[test]
    fn text_terms_are_bigrams_with_a_non_ascii_character_and_ascii_trigrams() {
        let terms: Vec<String> = text_terms("gen-01 餐饮（1） a🍜 x%_\tbcd")
            .into_iter()
            .collect();
        let mut expected = vec![
            "gen", "en-", "n-0", "-01", "餐饮", "饮（", "（1", "1）", "a🍜", "x%_", "bcd",
        ];
        expected.sort_unstable();
        assert_eq!(terms, expected);
        assert!(text_terms("a").is_empty() && text_terms("ab").is_empty());
    }

    #[test]
    fn only_a_word_that_is_one_term_is_decided_by_the_index_alone() {
        for (word, decided) in [
            ("餐饮", true),
            ("a🍜", true),
            ("arc", true),
            ("50%", true),
            ("营业执照", false),
            ("archive", false),
            ("ab", false),
            ("餐", false),
        ] {
            assert_eq!(Word::new(word.to_owned()).is_term(), decided, "{word}");
        }
    }

    #[test]
    fn index_flags_and_facets_follow_the_row() {
        let row = SearchRow {
            code: "X".into(),
            search_text: "x 餐饮".into(),
            kind: "public_service".into(),
            online_level: "fully_online".into(),
            instant_approval: 1,
            commitment: 0,
            departments: "|D01-SCJG|D09-XF|".into(),
        };
        assert_eq!(row.index_flags(), FULLY_ONLINE + INSTANT + 4 * KIND_STEP);
        let terms = row.index_terms(DbKind::Sqlite);
        for facet_name in [
            "k:public_service",
            "o:fully_online",
            "i",
            "d:d01-scjg",
            "d:d09-xf",
        ] {
            assert!(terms.contains(&facet(facet_name)), "{facet_name}");
        }
        assert!(!terms.contains(&facet("c")));
        assert!(
            row.index_terms(DbKind::Postgres)
                .contains(&facet("d:D01-SCJG"))
        );
        assert_eq!(kind_flags("nonsense"), None);
        assert_eq!(online_flags("one_visit"), Some(2));
    }
}
