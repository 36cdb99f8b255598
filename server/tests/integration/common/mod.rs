//! Test harness shared by every HTTP integration test: starts the real router on a random port
//! against a fresh database, and offers a browser-like client and helpers for the portal's
//! server functions.
//!
//! The database is chosen by `BJM_TEST_BACKEND`:
//! - `sqlite` (default): a new file in a temporary directory per test;
//! - `postgres`: a new database `bjm_test_<hex>` per test on the server at `TEST_DATABASE_URL`
//!   (default `postgres://postgres@127.0.0.1:5432/postgres`), dropped when the test ends.
//!
//! Every test therefore runs unchanged against either backend.
//!
//! [`journey`] and [`back_office`] drive a case through the applicant's and the staff's steps.

pub mod back_office;
pub mod journey;
pub mod moto;
pub mod process;

pub use moto::MotoServer;

use std::net::SocketAddr;
use std::time::Duration;

use app::backend::audit::Actor;
use app::backend::services::staff::{self, NewStaff};
use app::backend::{AppState, Config};
use reqwest::Client;
use reqwest::header::{HeaderMap, SET_COOKIE};
use serde_json::Value;
use sqlx::Connection as _;

/// A password that satisfies the portal's rules (and contains no test login).
pub const PASSWORD: &str = "Kaidian-2026-qx";
/// A second valid password, for password changes.
pub const OTHER_PASSWORD: &str = "Huanxin-2027-mm";

/// Which database the suite runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn from_env() -> Self {
        match std::env::var("BJM_TEST_BACKEND").as_deref() {
            Err(_) | Ok("") | Ok("sqlite") => Backend::Sqlite,
            Ok("postgres") | Ok("postgresql") => Backend::Postgres,
            Ok(other) => panic!("BJM_TEST_BACKEND must be `sqlite` or `postgres`, not {other:?}"),
        }
    }
}

fn admin_database_url() -> String {
    std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|url| !url.is_empty())
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// `url` with its database name replaced by `database` (query string kept).
fn with_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let authority_start = base.find("://").map_or(0, |index| index + 3);
    let authority_end = base[authority_start..]
        .find('/')
        .map_or(base.len(), |index| authority_start + index);
    let mut result = format!("{}/{database}", &base[..authority_end]);
    if let Some(query) = query {
        result.push('?');
        result.push_str(query);
    }
    result
}

/// A PostgreSQL database created for one test and dropped (best effort) when the test ends.
struct PgDatabase {
    admin_url: String,
    name: String,
}

impl PgDatabase {
    async fn create() -> (Self, String) {
        sqlx::any::install_default_drivers();
        let admin_url = admin_database_url();
        let name = format!("bjm_test_{}", app::backend::random_token(8));
        let mut conn = sqlx::AnyConnection::connect(&admin_url)
            .await
            .unwrap_or_else(|error| panic!("connecting to PostgreSQL at {admin_url}: {error}"));
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut conn)
            .await
            .expect("CREATE DATABASE for the test");
        conn.close().await.ok();
        let url = with_database(&admin_url, &name);
        (Self { admin_url, name }, url)
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let admin_url = self.admin_url.clone();
        let name = self.name.clone();
        // Drop runs inside the test's runtime, which cannot be blocked on; clean up from a thread
        // with its own runtime. FORCE ends the connections the app's pool still holds.
        let cleanup = std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            runtime.block_on(async move {
                if let Ok(mut conn) = sqlx::AnyConnection::connect(&admin_url).await {
                    let drop = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                    if let Err(error) = sqlx::query(sqlx::AssertSqlSafe(drop))
                        .execute(&mut conn)
                        .await
                    {
                        eprintln!("could not drop test database {name}: {error}");
                    }
                    conn.close().await.ok();
                }
            });
        });
        let _ = cleanup.join();
    }
}

/// A fresh database of the suite's backend for tests that start their own servers: a
/// PostgreSQL database (dropped at the end) or a SQLite file in a temporary directory.
pub struct TestDatabase {
    pub url: String,
    _pg: Option<PgDatabase>,
    _dir: Option<tempfile::TempDir>,
}

pub async fn test_database() -> TestDatabase {
    let backend = Backend::from_env();
    match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().expect("temporary directory");
            TestDatabase {
                url: format!("sqlite://{}/bjm.db", dir.path().display()),
                _pg: None,
                _dir: Some(dir),
            }
        }
        Backend::Postgres => {
            let (pg, url) = PgDatabase::create().await;
            TestDatabase {
                url,
                _pg: Some(pg),
                _dir: None,
            }
        }
    }
}

/// How to start the app under test.
#[derive(Clone, Copy)]
pub struct Options {
    /// Demo mode: seeds the district and one account per role.
    pub demo: bool,
    /// Public URL `https://127.0.0.1:<port>` instead of `http://…` (cookies get `Secure` and
    /// `__Host-`, responses HSTS); requests still travel over plain HTTP.
    pub https: bool,
    /// Adjusts the configuration before the state is built (rate limits…).
    pub tweak: fn(&mut Config),
    /// Where the data directory is created (the fault suite puts it on a small mount); the
    /// system's temporary directory when `None`.
    pub data_dir_in: Option<&'static str>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            demo: false,
            https: false,
            tweak: |_| {},
            data_dir_in: None,
        }
    }
}

/// A running app with its own database and data directory.
pub struct TestApp {
    pub addr: SocketAddr,
    /// `http://127.0.0.1:<port>`: where requests go.
    pub base: String,
    /// The public origin the app was configured with: the `Origin` same-site requests carry.
    pub origin: String,
    /// A browser with a cookie jar.
    pub client: Client,
    pub state: AppState,
    pub backend: Backend,
    server: tokio::task::JoinHandle<()>,
    // Dropped after the server task is aborted (fields drop in declaration order).
    _pg: Option<PgDatabase>,
    data_dir: tempfile::TempDir,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(Options::default()).await
}

pub async fn spawn_app_with_demo() -> TestApp {
    spawn_app_with(Options {
        demo: true,
        ..Options::default()
    })
    .await
}

pub async fn spawn_app_https() -> TestApp {
    spawn_app_with(Options {
        https: true,
        ..Options::default()
    })
    .await
}

pub async fn spawn_app_with(options: Options) -> TestApp {
    spawn(None, options.https, options.data_dir_in, |config| {
        config.demo = options.demo;
        (options.tweak)(config);
    })
    .await
}

/// An app on a fresh database whose configuration `configure` adjusts first (with values the
/// test computed: a file store's endpoint…). `config.demo = true` seeds the demo district.
pub async fn spawn_app_configured(configure: impl FnOnce(&mut Config)) -> TestApp {
    spawn(None, false, None, configure).await
}

impl TestApp {
    /// Another node on this app's database (its own port, data directory and keys), configured
    /// by `configure`: the database stays this app's, dropped with it.
    pub async fn spawn_node(&self, configure: impl FnOnce(&mut Config)) -> TestApp {
        spawn(
            Some(self.state.config.database_url.clone()),
            false,
            None,
            configure,
        )
        .await
    }
}

/// Warnings and errors of the apps under test (`RUST_LOG` to change) go to the output of the
/// test that caused them, shown when it fails: a 500's cause is logged, never answered.
fn log_to_test_output() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    // Once per test process; later calls find it installed.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_test_writer()
        .try_init();
}

/// Starts an app on `database_url`, or on a fresh database of the suite's backend.
async fn spawn(
    database_url: Option<String>,
    https: bool,
    data_dir_in: Option<&'static str>,
    configure: impl FnOnce(&mut Config),
) -> TestApp {
    log_to_test_output();
    let backend = Backend::from_env();
    let data_dir = match data_dir_in {
        Some(parent) => tempfile::tempdir_in(parent),
        None => tempfile::tempdir(),
    }
    .expect("temporary data directory");
    let (pg, database_url) = match (database_url, backend) {
        (Some(url), _) => (None, url),
        (None, Backend::Sqlite) => (
            None,
            format!("sqlite://{}/bjm.db", data_dir.path().display()),
        ),
        (None, Backend::Postgres) => {
            let (pg, url) = PgDatabase::create().await;
            (Some(pg), url)
        }
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a free port");
    let addr = listener.local_addr().expect("local address");
    let base = format!("http://{addr}");
    let origin = if https {
        format!("https://{addr}")
    } else {
        base.clone()
    };
    let mut config = Config::new(data_dir.path().to_path_buf(), database_url, origin.clone());
    configure(&mut config);
    let state = server::build_state(
        config,
        None,
        &[],
        server::leptos_options("target/site", addr),
    )
    .await
    .expect("building the app state");
    let router = server::build_router(state.clone());
    let server = tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .expect("serving the app");
    });
    TestApp {
        addr,
        base,
        origin,
        client: browser(),
        state,
        backend,
        server,
        _pg: pg,
        data_dir,
    }
}

/// A new browser: its own cookie jar, no redirects followed.
pub fn browser() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(60))
        .build()
        .expect("HTTP client")
}

/// A client without a cookie jar, for requests with hand-made `Cookie` headers.
pub fn bare_client() -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(60))
        .build()
        .expect("HTTP client")
}

/// A response, read completely.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: String,
}

impl Reply {
    pub async fn read(response: reqwest::Response) -> Self {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.text().await.expect("reading the response body");
        Self {
            status,
            headers,
            body,
        }
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|error| {
            panic!("body is not JSON ({error}): {} {}", self.status, self.body)
        })
    }

    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .map(str::to_owned)
            .collect()
    }

    /// The `Set-Cookie` line for cookie `name`, if the response sets it.
    pub fn set_cookie_line(&self, name: &str) -> Option<String> {
        self.set_cookies().into_iter().find(|line| {
            line.split(';')
                .next()
                .and_then(|pair| pair.split_once('='))
                .is_some_and(|(key, _)| key == name)
        })
    }

    /// The value the response gives cookie `name`, if it sets it.
    pub fn cookie_value(&self, name: &str) -> Option<String> {
        self.set_cookie_line(name).and_then(|line| {
            line.split(';')
                .next()
                .and_then(|pair| pair.split_once('='))
                .map(|(_, value)| value.to_owned())
        })
    }

    /// The access token (`bjm_session`) this response sets; panics when there is none.
    pub fn session_token(&self) -> String {
        self.cookie_value("bjm_session")
            .filter(|value| !value.is_empty())
            .unwrap_or_else(|| panic!("no bjm_session cookie set: {self:?}"))
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned)
    }
}

/// `application/x-www-form-urlencoded` encoding of a form.
pub fn form_body(form: &[(&str, &str)]) -> String {
    fn encode(text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        for byte in text.bytes() {
            match byte {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    out.push(char::from(byte))
                }
                b' ' => out.push('+'),
                other => out.push_str(&format!("%{other:02X}")),
            }
        }
        out
    }
    form.iter()
        .map(|(key, value)| format!("{}={}", encode(key), encode(value)))
        .collect::<Vec<_>>()
        .join("&")
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn data_dir(&self) -> &std::path::Path {
        self.data_dir.path()
    }

    /// POSTs a form to the server function `/api/<path>` from this site, with the app's own
    /// browser (cookie jar).
    pub async fn post_fn(&self, path: &str, form: &[(&str, &str)]) -> Reply {
        self.post_fn_as(&self.client, path, form).await
    }

    /// Like [`Self::post_fn`] with another browser.
    pub async fn post_fn_as(&self, client: &Client, path: &str, form: &[(&str, &str)]) -> Reply {
        let origin = self.origin.clone();
        self.post_raw(
            client,
            path,
            "application/x-www-form-urlencoded",
            form_body(form).into_bytes(),
            &[("origin", &origin)],
        )
        .await
    }

    /// POSTs a JSON body to the server function `/api/<path>` (functions declared with
    /// `input = Json`) from this site, with the app's own browser.
    pub async fn post_json(&self, path: &str, body: &Value) -> Reply {
        let origin = self.origin.clone();
        self.post_raw(
            &self.client,
            path,
            "application/json",
            body.to_string().into_bytes(),
            &[("origin", &origin)],
        )
        .await
    }

    /// POSTs any body with any extra headers (nothing added, not even `Origin`).
    pub async fn post_raw(
        &self,
        client: &Client,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let mut request = client
            .post(self.url(&format!("/api/{path}")))
            .header("content-type", content_type)
            .body(body);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        Reply::read(request.send().await.expect("sending the request")).await
    }

    pub async fn get(&self, client: &Client, path: &str) -> Reply {
        Reply::read(
            client
                .get(self.url(path))
                .send()
                .await
                .expect("sending the request"),
        )
        .await
    }

    /// `/api/session/whoami` with only `Cookie: bjm_session=<token>`.
    pub async fn whoami_with_token(&self, token: &str) -> Reply {
        let cookie = format!("bjm_session={token}");
        let origin = self.origin.clone();
        self.post_raw(
            &bare_client(),
            "session/whoami",
            "application/x-www-form-urlencoded",
            Vec::new(),
            &[("origin", &origin), ("cookie", &cookie)],
        )
        .await
    }

    pub async fn whoami(&self, client: &Client) -> Reply {
        self.post_fn_as(client, "session/whoami", &[]).await
    }

    pub async fn register(
        &self,
        client: &Client,
        login: &str,
        display_name: &str,
        password: &str,
    ) -> Reply {
        self.post_fn_as(
            client,
            "auth/register",
            &[
                ("login", login),
                ("display_name", display_name),
                ("password", password),
            ],
        )
        .await
    }

    /// Registers an applicant (must succeed) and returns the reply that signed them in.
    pub async fn register_ok(&self, client: &Client, login: &str) -> Reply {
        let reply = self.register(client, login, "张三", PASSWORD).await;
        assert_eq!(reply.status, 200, "registering {login}: {}", reply.body);
        reply
    }

    pub async fn login(&self, client: &Client, login: &str, password: &str) -> Reply {
        self.post_fn_as(
            client,
            "auth/login",
            &[("login", login), ("password", password)],
        )
        .await
    }

    pub async fn totp(&self, client: &Client, challenge: &str, code: &str) -> Reply {
        self.post_fn_as(
            client,
            "auth/totp",
            &[("challenge", challenge), ("code", code)],
        )
        .await
    }

    /// Signs a staff member in with password and TOTP (enrolling if needed). Returns the reply of
    /// the second step, which sets the session cookies.
    pub async fn login_staff(&self, client: &Client, login: &str, password: &str) -> Reply {
        let first = self.login(client, login, password).await;
        assert_eq!(
            first.status, 200,
            "password step for {login}: {}",
            first.body
        );
        let outcome = first.json();
        let (challenge, secret) = if let Some(need) = outcome.get("NeedTotp") {
            let secret = self
                .totp_secret_of(login)
                .await
                .expect("an enrolled staff member has a TOTP secret");
            (
                need["challenge"].as_str().expect("challenge").to_owned(),
                secret,
            )
        } else if let Some(enrol) = outcome.get("EnrolTotp") {
            (
                enrol["challenge"].as_str().expect("challenge").to_owned(),
                enrol["secret"].as_str().expect("secret").to_owned(),
            )
        } else {
            panic!(
                "staff login of {login} did not ask for a second factor: {}",
                first.body
            );
        };
        let code = self.next_totp_code(login, &secret).await;
        let second = self.totp(client, &challenge, &code).await;
        assert_eq!(second.status, 200, "TOTP step for {login}: {}", second.body);
        second
    }

    /// A code the server will accept for `login` now: the current step, or the next one when
    /// the current step's code was already used (codes work once).
    pub async fn next_totp_code(&self, login: &str, secret: &str) -> String {
        let last_step: Option<i64> =
            sqlx::query_scalar("SELECT totp_last_step FROM users WHERE login = $1")
                .bind(login)
                .fetch_optional(self.state.db.pool())
                .await
                .expect("reading totp_last_step")
                .flatten();
        loop {
            let now = unix_secs();
            let current = i64::try_from(now / 30).expect("step");
            let step = last_step.map_or(current, |last| current.max(last + 1));
            if step <= current + 1 {
                let at = u64::try_from(step).expect("step") * 30;
                return app::backend::auth::totp::code_at(secret, at).expect("TOTP code");
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }

    /// Creates a staff account the way the CLI does, with a known TOTP secret (already enrolled).
    /// Returns the user id and the secret.
    pub async fn create_staff_via_cli_service(
        &self,
        login: &str,
        role: &str,
        department_id: Option<i64>,
        service_centre_id: Option<i64>,
    ) -> (i64, String) {
        let secret = app::backend::auth::totp::generate_secret();
        let id = staff::create(
            &self.state,
            &Actor::system("test"),
            NewStaff {
                login,
                display_name: "测试员",
                role,
                department_id,
                service_centre_id,
                initial_password: PASSWORD,
            },
            Some(&secret),
        )
        .await
        .unwrap_or_else(|error| panic!("creating staff {login}: {error}"));
        (id, secret)
    }

    /// An admin, created through the service and signed in with the app's own browser.
    pub async fn signed_in_admin(&self) -> i64 {
        let (id, _) = self
            .create_staff_via_cli_service("admin@qixia.test.cn", "admin", None, None)
            .await;
        self.login_staff(&self.client, "admin@qixia.test.cn", PASSWORD)
            .await;
        id
    }

    pub async fn totp_secret_of(&self, login: &str) -> Option<String> {
        sqlx::query_scalar::<_, Option<String>>("SELECT totp_secret FROM users WHERE login = $1")
            .bind(login)
            .fetch_optional(self.state.db.pool())
            .await
            .expect("reading totp_secret")
            .flatten()
    }

    pub async fn user_id_of(&self, login: &str) -> i64 {
        sqlx::query_scalar("SELECT id FROM users WHERE login = $1")
            .bind(login)
            .fetch_one(self.state.db.pool())
            .await
            .unwrap_or_else(|error| panic!("no user {login}: {error}"))
    }

    /// Switches off the triggers that keep the audit log append-only, as someone with the
    /// database owner's rights could: tests of the verifier tamper with the log after this.
    pub async fn disable_audit_guard(&self) {
        let statements: &[&str] = match self.state.db.kind() {
            app::backend::db::DbKind::Sqlite => &[
                "DROP TRIGGER audit_log_no_update",
                "DROP TRIGGER audit_log_no_delete",
            ],
            app::backend::db::DbKind::Postgres => &["ALTER TABLE audit_log DISABLE TRIGGER USER"],
        };
        for statement in statements {
            sqlx::query(*statement)
                .execute(self.state.db.pool())
                .await
                .expect("disabling the audit guard");
        }
    }

    pub async fn count(&self, table: &str) -> i64 {
        sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
            .fetch_one(self.state.db.pool())
            .await
            .unwrap_or_else(|error| panic!("counting {table}: {error}"))
    }

    /// Row counts of every table a request could write to.
    pub async fn snapshot(&self) -> Vec<(&'static str, i64)> {
        let mut counts = Vec::new();
        for table in [
            "users",
            "sessions",
            "login_challenges",
            "audit_log",
            "departments",
            "service_centres",
            "applicant_identities",
            "one_time_codes",
            "drafts",
            "cases",
            "case_events",
            "notifications",
            "outbox",
        ] {
            counts.push((table, self.count(table).await));
        }
        counts
    }

    /// A digest of every row of every table (binary columns aside), per table: proves that a
    /// series of requests changed nothing at all, not only that no row was added. Columns in
    /// `ignore` (`table.column`) are left out.
    pub async fn fingerprint(&self, ignore: &[&str]) -> Vec<(String, String)> {
        use sha2::Digest as _;
        let pool = self.state.db.pool();
        let postgres = self.backend == Backend::Postgres;
        let tables: Vec<String> = sqlx::query_scalar(if postgres {
            "SELECT CAST(table_name AS TEXT) FROM information_schema.tables \
             WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1"
        } else {
            "SELECT name FROM sqlite_master WHERE type = 'table' \
             AND name NOT LIKE 'sqlite_%' ORDER BY 1"
        })
        .fetch_all(pool)
        .await
        .expect("listing tables");
        let mut digests = Vec::new();
        for table in tables {
            let columns: Vec<(String, String)> = sqlx::query_as(if postgres {
                "SELECT CAST(column_name AS TEXT), CAST(data_type AS TEXT) \
                 FROM information_schema.columns WHERE table_schema = 'public' \
                 AND table_name = $1 ORDER BY ordinal_position"
            } else {
                "SELECT name, type FROM pragma_table_info($1) ORDER BY cid"
            })
            .bind(&table)
            .fetch_all(pool)
            .await
            .unwrap_or_else(|error| panic!("columns of {table}: {error}"));
            let texts: Vec<String> = columns
                .iter()
                .filter(|(name, kind)| {
                    let kind = kind.to_ascii_lowercase();
                    !kind.contains("blob")
                        && kind != "bytea"
                        && !ignore.contains(&format!("{table}.{name}").as_str())
                })
                .map(|(name, _)| format!("COALESCE(CAST(\"{name}\" AS TEXT), '-')"))
                .collect();
            if texts.is_empty() {
                continue;
            }
            let query = format!("SELECT {} FROM \"{table}\"", texts.join(" || '|' || "));
            let mut rows: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(query))
                .fetch_all(pool)
                .await
                .unwrap_or_else(|error| panic!("reading {table}: {error}"));
            rows.sort_unstable();
            let mut hasher = sha2::Sha256::new();
            for row in &rows {
                hasher.update(row.as_bytes());
                hasher.update(b"\n");
            }
            let digest: String = hasher
                .finalize()
                .iter()
                .map(|byte| format!("{byte:02x}"))
                .collect();
            digests.push((table, format!("{} rows {}", rows.len(), &digest[..16])));
        }
        digests
    }

    /// Adds one department and one service centre; returns their ids.
    pub async fn seed_org(&self) -> (i64, i64) {
        use app::backend::db::org;
        let mut conn = self.state.db.pool().acquire().await.expect("connection");
        let now = app::backend::now_ms();
        let department = org::NewOrgUnit {
            code: "T01-SCJG",
            name_zh: "测试市场监管局",
            name_en: "Test Market Regulation",
        };
        org::upsert_department(&mut conn, &department, now)
            .await
            .expect("department");
        let centre = org::NewOrgUnit {
            code: "T00-QU",
            name_zh: "测试政务服务中心",
            name_en: "Test Service Hall",
        };
        org::upsert_centre(&mut conn, &centre, "district", "测试地址", now)
            .await
            .expect("centre");
        let department_id = org::department_id_by_code(&mut conn, "T01-SCJG")
            .await
            .expect("lookup")
            .expect("department id");
        let centre_id = org::centre_id_by_code(&mut conn, "T00-QU")
            .await
            .expect("lookup")
            .expect("centre id");
        (department_id, centre_id)
    }
}

pub fn unix_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs()
}

/// Waits, if needed, so that at least `secs` remain in the current one-minute rate-limit window
/// (the limits count per calendar minute; a test must not straddle two).
pub async fn wait_for_minute_window_with(secs: u64) {
    let now_ms = u64::try_from(app::backend::now_ms()).expect("time");
    let into_window = now_ms % 60_000;
    let remaining = 60_000 - into_window;
    if remaining < secs * 1000 {
        tokio::time::sleep(Duration::from_millis(remaining + 100)).await;
    }
}

/// The `AppError` a JSON error body names: `"BadCredentials"` → `BadCredentials`,
/// `{"Invalid":[…]}` → `Invalid`.
pub fn error_kind(body: &Value) -> String {
    match body {
        Value::String(name) => name.clone(),
        Value::Object(map) if map.len() == 1 => map.keys().next().cloned().unwrap_or_default(),
        other => panic!("not an AppError: {other}"),
    }
}

/// The `(field, problem)` pairs of an `Invalid` or `Conflict` error body.
pub fn field_problems(body: &Value) -> Vec<(String, String)> {
    let list = body
        .get("Invalid")
        .or_else(|| body.get("Conflict"))
        .and_then(Value::as_array)
        .unwrap_or_else(|| panic!("not a field error: {body}"));
    list.iter()
        .map(|entry| {
            let field = entry["field"].as_str().expect("field").to_owned();
            let problem = match &entry["problem"] {
                Value::String(name) => name.clone(),
                Value::Object(map) => map.keys().next().cloned().unwrap_or_default(),
                other => other.to_string(),
            };
            (field, problem)
        })
        .collect()
}

/// Whether an error body names `field`.
pub fn names_field(body: &Value, field: &str) -> bool {
    field_problems(body).iter().any(|(name, _)| name == field)
}

/// An SMTP server from PyPI (`aiosmtpd`) writing every message into a Maildir.
pub struct SmtpServer {
    child: std::process::Child,
}

impl SmtpServer {
    pub async fn start(port: u16, maildir: &std::path::Path) -> Self {
        for part in ["tmp", "new", "cur"] {
            std::fs::create_dir_all(maildir.join(part)).expect("maildir");
        }
        let child = std::process::Command::new("python3")
            .args([
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                &format!("127.0.0.1:{port}"),
                "-c",
                "aiosmtpd.handlers.Mailbox",
                maildir.to_str().expect("path"),
            ])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("python3 -m aiosmtpd (pip install aiosmtpd; scripts/setup.sh does)");
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return Self { child };
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let mut child = child;
        let _ = child.kill();
        let _ = child.wait();
        panic!("aiosmtpd did not start on port {port}");
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A TCP port nothing listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

/// Every message delivered into a Maildir (its `new/` folder).
pub fn maildir_messages(maildir: &std::path::Path) -> Vec<Vec<u8>> {
    let Ok(entries) = std::fs::read_dir(maildir.join("new")) else {
        return Vec::new();
    };
    entries
        .filter_map(|entry| entry.ok())
        .map(|entry| std::fs::read(entry.path()).expect("message"))
        .collect()
}
