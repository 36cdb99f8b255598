//! Configuration of the server process: environment variables (see the README's table) over an
//! optional TOML file named by `BJM_CONFIG`, over defaults.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context as _;
use figment::Figment;
use figment::providers::{Env, Format as _, Serialized, Toml};
use serde::{Deserialize, Serialize};

/// Every setting, as read from the file and the environment.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Settings {
    /// Address to listen on (`BJM_BIND`); `PORT` replaces just the port.
    pub bind: String,
    pub port: Option<u16>,
    /// `DATABASE_URL`: `sqlite://…` or `postgres://…`; default SQLite in the data directory.
    pub database_url: Option<String>,
    /// `BJM_DATA_DIR`: SQLite file, generated keys, uploads.
    pub data_dir: PathBuf,
    /// `BJM_PUBLIC_URL`: the URL users type; default `http://<bind>`.
    pub public_url: Option<String>,
    /// `BJM_SESSION_KEY`: Ed25519 private key (PKCS#8 PEM) for session tokens.
    pub session_key: Option<String>,
    /// `BJM_SESSION_KEY_FILE`: the same, read from a file.
    pub session_key_file: Option<PathBuf>,
    /// `BJM_SESSION_PREVIOUS_PUBLIC_KEYS`: public keys (PEM) whose tokens stay valid after a
    /// rotation, separated by blank lines.
    pub session_previous_public_keys: Option<String>,
    /// `BJM_DEMO`: seed the demo district and accounts.
    pub demo: bool,
    /// `BJM_SITE_ROOT`: the compiled site (wasm, JS, CSS) from cargo-leptos.
    pub site_root: PathBuf,
    /// `BJM_TRUST_FORWARDED_FOR`: take client IPs from `X-Forwarded-For`.
    pub trust_forwarded_for: bool,
    /// `BJM_ACCESS_TOKEN_SECS`, `BJM_SESSION_SECS`.
    pub access_token_secs: i64,
    pub session_secs: i64,
    /// `BJM_LOGIN_FAILURES_PER_MINUTE`, `BJM_LOGIN_ATTEMPTS_PER_IP_PER_MINUTE`,
    /// `BJM_REGISTRATIONS_PER_IP_PER_HOUR`.
    pub login_failures_per_minute: i64,
    pub login_attempts_per_ip_per_minute: i64,
    pub registrations_per_ip_per_hour: i64,
    /// `BJM_SMTP_HOST`, `BJM_SMTP_PORT`, `BJM_SMTP_USERNAME`, `BJM_SMTP_PASSWORD`,
    /// `BJM_SMTP_FROM`, `BJM_SMTP_TLS` (`none`, `starttls`, `tls`): mail delivery (notices).
    pub smtp_host: Option<String>,
    pub smtp_port: Option<u16>,
    pub smtp_username: Option<String>,
    pub smtp_password: Option<String>,
    pub smtp_from: Option<String>,
    pub smtp_tls: Option<String>,
    /// `BJM_LOG_FORMAT`: `text` (default) or `json`.
    pub log_format: String,
    /// `BJM_MAX_UPLOAD_MB`: the largest uploaded file, in MiB.
    pub max_upload_mb: u64,
    /// `BJM_CODES_PER_HOUR`: one-time codes an account may ask for per hour.
    pub codes_per_hour: i64,
    /// `BJM_PDF_FONT`: the font PDFs embed (default: Debian's WenQuanYi Micro Hei).
    pub pdf_font: Option<PathBuf>,
    /// `BJM_CLAIM_MINUTES`: how long a front-desk claim on a case lasts.
    pub claim_minutes: u32,
    /// `BJM_INSPECTION_DAYS`: working days within which a commitment-based licence is
    /// inspected after issue.
    pub inspection_days: u32,
    /// `BJM_LICENCE_KEY`: the licence issuer's Ed25519 private key (PKCS#8 PEM); by default a
    /// key generated once into the data directory.
    pub licence_key: Option<String>,
    /// `BJM_STATS_REFRESH_SECS`: seconds between refreshes of the statistics.
    pub stats_refresh_secs: u64,
    /// `BJM_DEMO_HISTORY`: completed past cases demo mode generates once for the statistics
    /// (default 1,500; 0 for none).
    pub demo_history: u32,
    /// `BJM_METRICS_TOKEN`: the bearer token `/metrics` asks for; unset: local clients only.
    pub metrics_token: Option<String>,
    /// `BJM_STORAGE`: where uploaded files live, `local` (default: `<data dir>/files`) or `s3`.
    pub storage: Option<String>,
    /// `BJM_S3_BUCKET`, `BJM_S3_ENDPOINT`, `BJM_S3_REGION`, `BJM_S3_ACCESS_KEY_ID`,
    /// `BJM_S3_SECRET_ACCESS_KEY`, `BJM_S3_PREFIX`: the bucket of `BJM_STORAGE=s3`.
    pub s3_bucket: Option<String>,
    pub s3_endpoint: Option<String>,
    pub s3_region: Option<String>,
    pub s3_access_key_id: Option<String>,
    pub s3_secret_access_key: Option<String>,
    pub s3_prefix: Option<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            bind: "127.0.0.1:3000".into(),
            port: None,
            database_url: None,
            data_dir: PathBuf::from("data"),
            public_url: None,
            session_key: None,
            session_key_file: None,
            session_previous_public_keys: None,
            demo: false,
            site_root: PathBuf::from("target/site"),
            trust_forwarded_for: false,
            access_token_secs: 10 * 60,
            session_secs: 12 * 60 * 60,
            login_failures_per_minute: 5,
            login_attempts_per_ip_per_minute: 30,
            registrations_per_ip_per_hour: 20,
            smtp_host: None,
            smtp_port: None,
            smtp_username: None,
            smtp_password: None,
            smtp_from: None,
            smtp_tls: None,
            log_format: "text".into(),
            max_upload_mb: 20,
            codes_per_hour: 5,
            pdf_font: None,
            claim_minutes: 30,
            inspection_days: 20,
            licence_key: None,
            stats_refresh_secs: 60,
            demo_history: 1_500,
            metrics_token: None,
            storage: None,
            s3_bucket: None,
            s3_endpoint: None,
            s3_region: None,
            s3_access_key_id: None,
            s3_secret_access_key: None,
            s3_prefix: None,
        }
    }
}

impl Settings {
    /// Defaults, then the TOML file of `BJM_CONFIG` if set, then `BJM_*`, `DATABASE_URL` and
    /// `PORT` from the environment.
    pub fn load() -> anyhow::Result<Self> {
        let mut figment = Figment::from(Serialized::defaults(Settings::default()));
        if let Ok(path) = std::env::var("BJM_CONFIG") {
            figment = figment.merge(Toml::file_exact(path));
        }
        figment
            .merge(Env::prefixed("BJM_").ignore(&["config"]))
            .merge(Env::raw().only(&["database_url", "port"]))
            .extract()
            .context("reading configuration (BJM_* environment variables / BJM_CONFIG file)")
    }

    pub fn bind_addr(&self) -> anyhow::Result<SocketAddr> {
        let mut addr: SocketAddr = self.bind.parse().with_context(|| {
            format!(
                "BJM_BIND {:?} is not an address like 127.0.0.1:3000",
                self.bind
            )
        })?;
        if let Some(port) = self.port {
            addr.set_port(port);
        }
        Ok(addr)
    }

    pub fn database_url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("bjm.db").display()))
    }

    /// The services' configuration for a server listening on `addr`.
    pub fn app_config(&self, addr: SocketAddr) -> anyhow::Result<app::backend::Config> {
        let public_url = self
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{addr}"));
        let mut config =
            app::backend::Config::new(self.data_dir.clone(), self.database_url(), public_url);
        config.demo = self.demo;
        config.trust_forwarded_for = self.trust_forwarded_for;
        config.access_token_secs = self.access_token_secs;
        config.session_secs = self.session_secs;
        config.login_failures_per_account_per_minute = self.login_failures_per_minute;
        config.login_attempts_per_ip_per_minute = self.login_attempts_per_ip_per_minute;
        config.registrations_per_ip_per_hour = self.registrations_per_ip_per_hour;
        if let Some(from) = &self.smtp_from {
            config.mail_from = from.clone();
        }
        config.smtp = self.smtp_settings()?;
        anyhow::ensure!(
            (1..=1024).contains(&self.max_upload_mb),
            "BJM_MAX_UPLOAD_MB must be between 1 and 1024"
        );
        config.max_upload_bytes = self.max_upload_mb * 1024 * 1024;
        config.codes_per_account_per_hour = self.codes_per_hour;
        anyhow::ensure!(
            (1..=1440).contains(&self.claim_minutes),
            "BJM_CLAIM_MINUTES must be between 1 and 1440"
        );
        config.claim_minutes = self.claim_minutes;
        anyhow::ensure!(
            (1..=365).contains(&self.inspection_days),
            "BJM_INSPECTION_DAYS must be between 1 and 365"
        );
        config.inspection_days = self.inspection_days;
        config.licence_key = self.licence_key.clone();
        anyhow::ensure!(
            (1..=86_400).contains(&self.stats_refresh_secs),
            "BJM_STATS_REFRESH_SECS must be between 1 and 86400"
        );
        config.stats_refresh_secs = self.stats_refresh_secs;
        anyhow::ensure!(
            self.demo_history <= 100_000,
            "BJM_DEMO_HISTORY must be at most 100000 (use `server generate-history` for more)"
        );
        config.demo_history_cases = if self.demo { self.demo_history } else { 0 };
        if let Some(token) = &self.metrics_token {
            config.set_metrics_token(token);
        }
        if let Some(font) = &self.pdf_font {
            config.pdf_font = font.clone();
        }
        if let Some(storage) = self.file_storage()? {
            config.storage = storage;
        }
        Ok(config)
    }

    /// The file store `BJM_STORAGE` names, when it is not the default local directory.
    pub fn file_storage(&self) -> anyhow::Result<Option<app::backend::config::FileStorage>> {
        use app::backend::config::{FileStorage, S3Settings};
        let given = |value: &Option<String>| {
            value
                .as_deref()
                .map(str::trim)
                .filter(|value| !value.is_empty())
                .map(str::to_owned)
        };
        match given(&self.storage).as_deref() {
            None | Some("local") => return Ok(None),
            Some("s3") => {}
            Some(other) => anyhow::bail!("BJM_STORAGE must be local or s3, not {other:?}"),
        }
        let bucket = given(&self.s3_bucket)
            .ok_or_else(|| anyhow::anyhow!("BJM_S3_BUCKET must be set when BJM_STORAGE=s3"))?;
        anyhow::ensure!(
            (3..=63).contains(&bucket.len())
                && bucket.bytes().all(|byte| {
                    byte.is_ascii_lowercase()
                        || byte.is_ascii_digit()
                        || matches!(byte, b'-' | b'.')
                }),
            "BJM_S3_BUCKET {bucket:?} is not a bucket name (3 to 63 lower-case letters, digits, \
             `-` and `.`)"
        );
        let endpoint = given(&self.s3_endpoint);
        if let Some(endpoint) = &endpoint {
            let host = endpoint
                .strip_prefix("http://")
                .or_else(|| endpoint.strip_prefix("https://"));
            anyhow::ensure!(
                host.is_some_and(|host| !host.trim_end_matches('/').is_empty()
                    && !host.trim_end_matches('/').contains('/')),
                "BJM_S3_ENDPOINT {endpoint:?} is not a URL like http://127.0.0.1:9000 or \
                 https://s3.example.cn (scheme, host and port only)"
            );
        }
        let credentials = match (
            given(&self.s3_access_key_id),
            given(&self.s3_secret_access_key),
        ) {
            (Some(id), Some(secret)) => Some((id, secret)),
            (None, None) => None,
            (Some(_), None) => anyhow::bail!(
                "BJM_S3_SECRET_ACCESS_KEY must be set together with BJM_S3_ACCESS_KEY_ID"
            ),
            (None, Some(_)) => anyhow::bail!(
                "BJM_S3_ACCESS_KEY_ID must be set together with BJM_S3_SECRET_ACCESS_KEY"
            ),
        };
        let prefix = app::backend::s3_storage::normalize_prefix(
            self.s3_prefix.as_deref().unwrap_or_default(),
        )
        .map_err(|problem| anyhow::anyhow!("BJM_S3_PREFIX: {problem}"))?;
        Ok(Some(FileStorage::S3(S3Settings {
            bucket,
            endpoint,
            region: given(&self.s3_region).unwrap_or_else(|| "us-east-1".to_owned()),
            credentials,
            prefix,
        })))
    }

    /// The SMTP relay, when `BJM_SMTP_HOST` is set. `BJM_SMTP_TLS` decides the security and
    /// the default port: `none` 25, `starttls` 587 (the default), `tls` 465.
    pub fn smtp_settings(&self) -> anyhow::Result<Option<app::backend::config::SmtpSettings>> {
        use app::backend::config::{SmtpSettings, SmtpTls};
        let Some(host) = self
            .smtp_host
            .clone()
            .filter(|host| !host.trim().is_empty())
        else {
            return Ok(None);
        };
        let tls = match self.smtp_tls.as_deref().map(str::trim) {
            Some("none") => SmtpTls::None,
            Some("tls") => SmtpTls::Tls,
            None | Some("") | Some("starttls") => SmtpTls::StartTls,
            Some(other) => {
                anyhow::bail!("BJM_SMTP_TLS must be none, starttls or tls, not {other:?}")
            }
        };
        let default_port = match tls {
            SmtpTls::None => 25,
            SmtpTls::StartTls => 587,
            SmtpTls::Tls => 465,
        };
        Ok(Some(SmtpSettings {
            host,
            port: self.smtp_port.unwrap_or(default_port),
            credentials: self.smtp_username.clone().zip(self.smtp_password.clone()),
            tls,
        }))
    }

    /// The session key PEM from `BJM_SESSION_KEY` or `BJM_SESSION_KEY_FILE`, if either is set.
    pub fn session_key_pem(&self) -> anyhow::Result<Option<String>> {
        if let Some(pem) = &self.session_key {
            return Ok(Some(pem.clone()));
        }
        match &self.session_key_file {
            Some(path) => std::fs::read_to_string(path)
                .map(Some)
                .with_context(|| format!("reading BJM_SESSION_KEY_FILE {}", path.display())),
            None => Ok(None),
        }
    }

    pub fn previous_public_keys(&self) -> Vec<String> {
        self.session_previous_public_keys
            .as_deref()
            .map(|pems| {
                pems.split("-----END PUBLIC KEY-----")
                    .map(str::trim)
                    .filter(|pem| !pem.is_empty())
                    .map(|pem| format!("{pem}\n-----END PUBLIC KEY-----\n"))
                    .collect()
            })
            .unwrap_or_default()
    }
}
