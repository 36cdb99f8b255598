//! Everything that runs only on the server (feature `ssr`): configuration, database access,
//! authentication, authorization, HTTP middleware and the services behind the server functions.
//! The browser build never sees this module tree.

pub mod audit;
pub mod auth;
pub mod authz;
pub mod catalogue_file;
pub mod config;
pub mod db;
pub mod delivery;
pub mod demo;
pub mod error;
pub mod history;
pub mod http;
pub mod metrics;
pub mod pdf;
pub mod s3_storage;
pub mod seed_catalogue;
pub mod services;
pub mod state;
pub mod statistics_http;
pub mod storage;
pub mod uploads;

pub use config::Config;
pub use state::AppState;

/// Milliseconds since the Unix epoch: the one time representation in the database.
pub fn now_ms() -> i64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(now.as_millis()).unwrap_or(i64::MAX)
}

/// A moment in China Standard Time (UTC+8), the time of every date the portal prints or
/// compares (registry dates, case-number years, signed letters).
pub fn china_time(ms: i64) -> time::OffsetDateTime {
    let offset = time::UtcOffset::from_hms(8, 0, 0).unwrap_or(time::UtcOffset::UTC);
    time::OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000))
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
        .to_offset(offset)
}

/// `YYYY-MM-DD` in China Standard Time.
pub fn china_date(ms: i64) -> String {
    let at = china_time(ms);
    format!(
        "{:04}-{:02}-{:02}",
        at.year(),
        u8::from(at.month()),
        at.day()
    )
}

/// `YYYY-MM-DD HH:MM:SS` in China Standard Time.
pub fn china_datetime(ms: i64) -> String {
    let at = china_time(ms);
    format!(
        "{} {:02}:{:02}:{:02}",
        china_date(ms),
        at.hour(),
        at.minute(),
        at.second()
    )
}

/// Random bytes from the operating system, hex encoded: session ids, challenges, tokens.
pub fn random_token(bytes: usize) -> String {
    use rand::RngCore;
    let mut buffer = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buffer);
    hex::encode(buffer)
}

/// SHA-256, hex encoded.
pub fn sha256_hex(data: impl AsRef<[u8]>) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(data.as_ref()))
}
