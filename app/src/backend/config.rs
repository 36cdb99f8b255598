//! Runtime configuration of the services. The server binary loads it from environment variables
//! and an optional TOML file (see the README's table); tests build it directly.

use std::path::PathBuf;

/// How to reach the SMTP relay.
#[derive(Clone)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub credentials: Option<(String, String)>,
    pub tls: SmtpTls,
}

impl std::fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the password.
        f.debug_struct("SmtpSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("user", &self.credentials.as_ref().map(|(user, _)| user))
            .field("tls", &self.tls)
            .finish()
    }
}

/// Transport security of the SMTP connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    /// Plain connection (a relay on the same host or network).
    None,
    /// Upgrade with STARTTLS (port 587).
    StartTls,
    /// TLS from the start (port 465).
    Tls,
}

/// Where uploaded files live.
#[derive(Clone, PartialEq, Eq)]
pub enum FileStorage {
    /// A directory on this node (`<data dir>/files` by default); several nodes need it on a
    /// shared mount.
    Local { dir: PathBuf },
    /// A bucket of an S3-compatible object store (AWS S3, MinIO, Ceph RGW…) shared by every
    /// node.
    S3(S3Settings),
}

impl std::fmt::Debug for FileStorage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FileStorage::Local { dir } => f.debug_struct("Local").field("dir", dir).finish(),
            FileStorage::S3(settings) => settings.fmt(f),
        }
    }
}

/// How to reach the bucket of [`FileStorage::S3`].
#[derive(Clone, PartialEq, Eq)]
pub struct S3Settings {
    pub bucket: String,
    /// `http(s)://host[:port]` of an S3-compatible server (requests are path-style,
    /// `<endpoint>/<bucket>/<key>`); none: AWS S3 itself.
    pub endpoint: Option<String>,
    pub region: String,
    /// Access key id and secret; none: the standard `AWS_*` variables or the instance's role.
    pub credentials: Option<(String, String)>,
    /// Prepended to every object name (`<prefix>/<ab>/<key>`), so one bucket can serve
    /// several portals; empty: none.
    pub prefix: String,
}

impl std::fmt::Debug for S3Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the secret.
        f.debug_struct("S3")
            .field("bucket", &self.bucket)
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .field(
                "access_key_id",
                &self.credentials.as_ref().map(|(id, _)| id),
            )
            .field("prefix", &self.prefix)
            .finish()
    }
}

/// Settings the services need. Secrets (key material) are loaded separately by [`super::auth::keys`].
#[derive(Debug, Clone)]
pub struct Config {
    /// Where SQLite, generated keys and uploads live.
    pub data_dir: PathBuf,
    /// `sqlite://…` or `postgres://…`.
    pub database_url: String,
    /// The address users type, e.g. `https://zwfw.example.gov.cn`; decides cookie security and
    /// the same-origin check.
    pub public_url: String,
    /// Demo mode: seed the demo district and accounts and show the logins on the home page.
    pub demo: bool,
    /// Lifetime of one access token (JWT) in seconds; it is refreshed from the session row.
    pub access_token_secs: i64,
    /// Absolute lifetime of a session in seconds.
    pub session_secs: i64,
    /// Failed logins per account per minute before further attempts get 429.
    pub login_failures_per_account_per_minute: i64,
    /// Login attempts per client IP per minute.
    pub login_attempts_per_ip_per_minute: i64,
    /// Registrations per client IP per hour.
    pub registrations_per_ip_per_hour: i64,
    /// Take the client IP from `X-Forwarded-For` (only behind a trusted proxy).
    pub trust_forwarded_for: bool,
    /// The SMTP server mail goes through; none: mail is written as `.eml` files to
    /// `<data_dir>/outbox` (the file outbox).
    pub smtp: Option<SmtpSettings>,
    /// The sender of the portal's mail.
    pub mail_from: String,
    /// One-time codes an account may ask for per hour.
    pub codes_per_account_per_hour: i64,
    /// Largest uploaded file, in bytes.
    pub max_upload_bytes: u64,
    /// The font PDFs embed (a subset of it): a TrueType collection with Chinese glyphs.
    pub pdf_font: PathBuf,
    /// Minutes a front-desk claim on a case lasts before others may take it.
    pub claim_minutes: u32,
    /// Working days within which a commitment-based licence is inspected after issue.
    pub inspection_days: u32,
    /// The licence issuer's private key (PEM) when configured; else the key file in the data
    /// directory.
    pub licence_key: Option<String>,
    /// Seconds between refreshes of the statistics rollups.
    pub stats_refresh_secs: u64,
    /// Demo mode: completed cases of the past 90 days to generate once, so the statistics
    /// have a history to show (0: none).
    pub demo_history_cases: u32,
    /// SHA-256 (hex) of the bearer token `/metrics` asks for (`BJM_METRICS_TOKEN`); none: only
    /// local, unforwarded clients are served. Only the hash is kept, so no log shows the token.
    pub metrics_token_sha256: Option<String>,
    /// Where uploaded files live (default: the directory `<data dir>/files`).
    pub storage: FileStorage,
}

impl Config {
    /// Defaults for a data directory and database; everything else as in production.
    pub fn new(data_dir: PathBuf, database_url: String, public_url: String) -> Self {
        Self {
            storage: FileStorage::Local {
                dir: data_dir.join("files"),
            },
            data_dir,
            database_url,
            public_url,
            demo: false,
            access_token_secs: 10 * 60,
            session_secs: 12 * 60 * 60,
            login_failures_per_account_per_minute: 5,
            login_attempts_per_ip_per_minute: 30,
            registrations_per_ip_per_hour: 20,
            trust_forwarded_for: false,
            smtp: None,
            mail_from: "不见面审批 <noreply@zwfw.example.cn>".into(),
            codes_per_account_per_hour: 5,
            max_upload_bytes: 20 * 1024 * 1024,
            pdf_font: PathBuf::from(super::pdf::DEFAULT_FONT),
            claim_minutes: 30,
            inspection_days: 20,
            licence_key: None,
            stats_refresh_secs: 60,
            demo_history_cases: 0,
            metrics_token_sha256: None,
        }
    }

    /// Requires `Authorization: Bearer <token>` on `/metrics` (a blank token requires nothing
    /// more than the default: a local client).
    pub fn set_metrics_token(&mut self, token: &str) {
        let token = token.trim();
        self.metrics_token_sha256 = (!token.is_empty()).then(|| super::sha256_hex(token));
    }

    /// Whether cookies must be `Secure` and carry the `__Host-` prefix.
    pub fn is_https(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    /// `scheme://host[:port]` of the public URL, for the same-origin check.
    pub fn public_origin(&self) -> &str {
        let url = self.public_url.trim_end_matches('/');
        match url.find("://") {
            Some(scheme_end) => match url[scheme_end + 3..].find('/') {
                Some(path_start) => &url[..scheme_end + 3 + path_start],
                None => url,
            },
            None => url,
        }
    }

    /// The local file store's directory by default (`<data dir>/files`).
    pub fn files_directory(&self) -> PathBuf {
        self.data_dir.join("files")
    }

    /// Where mail goes when no SMTP server is configured.
    pub fn mail_directory(&self) -> PathBuf {
        self.data_dir.join("outbox")
    }

    /// The issuer and audience of session tokens.
    pub fn token_issuer(&self) -> String {
        format!("{}/auth", self.public_origin())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_origin_drops_the_path() {
        let config = Config::new(
            "d".into(),
            "sqlite::memory:".into(),
            "https://zwfw.example.cn/portal/".into(),
        );
        assert_eq!(config.public_origin(), "https://zwfw.example.cn");
        assert!(config.is_https());
    }
}
