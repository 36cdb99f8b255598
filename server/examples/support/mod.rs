//! What the benchmark examples share: a fresh database (a temporary SQLite file, or a new
//! PostgreSQL database on the server given) with the demo district, and its removal.

use anyhow::Context as _;
use sqlx::Connection as _;

/// A state on a fresh database; keep the returned guard alive while it is used.
pub struct BenchDatabase {
    pub state: app::backend::AppState,
    pub label: &'static str,
    admin_url: Option<String>,
    _data_dir: tempfile::TempDir,
}

fn database_name() -> String {
    format!("bjm_bench_{}", std::process::id())
}

impl BenchDatabase {
    /// SQLite in a temporary directory, or a new database on the PostgreSQL server whose
    /// administrative URL is given. Demo mode seeds the district, catalogue and registry.
    pub async fn create(admin_url: Option<String>) -> anyhow::Result<Self> {
        let data_dir = tempfile::tempdir()?;
        let (database_url, label) = match &admin_url {
            Some(admin_url) => {
                sqlx::any::install_default_drivers();
                let mut admin = sqlx::AnyConnection::connect(admin_url)
                    .await
                    .with_context(|| format!("connecting to {admin_url}"))?;
                sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                    "CREATE DATABASE {}",
                    database_name()
                )))
                .execute(&mut admin)
                .await?;
                let base = admin_url
                    .rsplit_once('/')
                    .map_or(admin_url.as_str(), |(base, _)| base);
                (format!("{base}/{}", database_name()), "PostgreSQL")
            }
            None => (
                format!("sqlite://{}/bjm.db", data_dir.path().display()),
                "SQLite",
            ),
        };
        let addr: std::net::SocketAddr = "127.0.0.1:0".parse()?;
        let mut config = app::backend::Config::new(
            data_dir.path().to_owned(),
            database_url,
            "http://127.0.0.1".into(),
        );
        config.demo = true;
        let state = server::build_state(
            config,
            None,
            &[],
            server::leptos_options("target/site", addr),
        )
        .await?;
        Ok(Self {
            state,
            label,
            admin_url,
            _data_dir: data_dir,
        })
    }

    /// Closes the pool and drops the PostgreSQL database, if one was made.
    pub async fn finish(self) -> anyhow::Result<()> {
        self.state.db.close().await;
        if let Some(admin_url) = self.admin_url {
            let mut admin = sqlx::AnyConnection::connect(&admin_url).await?;
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                database_name()
            )))
            .execute(&mut admin)
            .await?;
        }
        Ok(())
    }
}

/// The value at `fraction` (0.5 = median) of sorted durations.
pub fn percentile(sorted: &[std::time::Duration], fraction: f64) -> std::time::Duration {
    let index = ((sorted.len() as f64 - 1.0) * fraction).round() as usize;
    sorted[index.min(sorted.len().saturating_sub(1))]
}
