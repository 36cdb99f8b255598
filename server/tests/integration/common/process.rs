//! Real `server serve` processes (the binary this package builds), for the tests that need
//! whole processes rather than the in-process router: several nodes on one database, and
//! crashes by SIGKILL in the middle of a load.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::Duration;

use reqwest::Client;

use super::{Reply, browser, form_body, free_port};

/// One `server serve` process on its own free port.
pub struct ServerProcess {
    pub name: String,
    pub base: String,
    child: Child,
    log: PathBuf,
}

impl ServerProcess {
    /// Starts `server serve` with data directory `data_dir` and database `database_url`,
    /// appending its output to `log`. `env` comes on top of the defaults every test wants: no
    /// demo data, rate limits high enough for a workload from one address.
    pub fn start(
        name: &str,
        database_url: &str,
        data_dir: &Path,
        log: &Path,
        env: &[(&str, String)],
    ) -> Self {
        let port = free_port();
        let output = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .expect("log file");
        let mut command = Command::new(env!("CARGO_BIN_EXE_server"));
        command
            .arg("serve")
            .env("DATABASE_URL", database_url)
            .env("BJM_BIND", format!("127.0.0.1:{port}"))
            .env_remove("PORT")
            .env("BJM_DATA_DIR", data_dir)
            .env("BJM_REGISTRATIONS_PER_IP_PER_HOUR", "1000")
            .env("BJM_LOGIN_ATTEMPTS_PER_IP_PER_MINUTE", "1000")
            .env("BJM_DEMO", "false")
            .env("RUST_LOG", "info,sqlx=warn");
        for (key, value) in env {
            command.env(key, value);
        }
        let child = command
            .stdout(output.try_clone().expect("log file"))
            .stderr(output)
            .stdin(Stdio::null())
            .spawn()
            .expect("starting the server binary");
        Self {
            name: name.to_owned(),
            base: format!("http://127.0.0.1:{port}"),
            child,
            log: log.to_path_buf(),
        }
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Waits until `/readyz` answers 200 (database reachable, migrations applied).
    pub async fn wait_ready(&mut self) {
        let client = browser();
        for _ in 0..600 {
            if let Some(status) = self.child.try_wait().expect("child status") {
                panic!("{} exited with {status}:\n{}", self.name, self.log());
            }
            if let Ok(response) = client.get(format!("{}/readyz", self.base)).send().await
                && response.status().as_u16() == 200
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{} not ready within 60 s:\n{}", self.name, self.log());
    }

    /// Calls a server function the way a page served from `origin` does.
    pub async fn call(
        &self,
        origin: &str,
        client: &Client,
        path: &str,
        form: &[(&str, &str)],
    ) -> Reply {
        let response = client
            .post(format!("{}/api/{path}", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("origin", origin)
            .body(form_body(form))
            .send()
            .await
            .expect("request");
        Reply::read(response).await
    }

    /// SIGKILL: the process ends at once, in whatever it was doing, as in a power cut of the
    /// process (the operating system keeps what was written).
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Sends SIGTERM and waits for the process to end; its exit status and log.
    pub async fn terminate(mut self) -> (ExitStatus, String) {
        let pid = self.child.id().to_string();
        let signalled = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill -TERM (Debian package procps)");
        assert!(signalled.success());
        for _ in 0..400 {
            if let Some(status) = self.child.try_wait().expect("child status") {
                return (status, self.log());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let log = self.log();
        self.kill();
        panic!("{} still running 40 s after SIGTERM:\n{log}", self.name);
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        // After `terminate` or `kill` the process is gone already; otherwise (a failing test)
        // end it.
        if self.child.try_wait().ok().flatten().is_none() {
            self.kill();
        }
    }
}
