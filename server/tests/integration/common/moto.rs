//! An S3-compatible server on loopback for the object-store tests: moto from PyPI
//! (`pip install 'moto[server]'`; `scripts/setup.sh` installs it), one process per test, killed
//! when the test ends. Any access key is accepted; buckets are created over its HTTP API.
//!
//! When moto is not installed the tests that need it print why and pass without running
//! (`SKIPPED …` in the test output); `BJM_TEST_REQUIRE_MOTO=1` (as `scripts/test.sh` sets
//! after `scripts/setup.sh`) makes a missing moto a failure instead.

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use app::backend::config::{FileStorage, S3Settings};
use futures_util::TryStreamExt as _;
use object_store::ObjectStore;
use object_store::aws::AmazonS3Builder;

use super::free_port;

/// The access key every test store uses (moto accepts any).
const ACCESS_KEY: (&str, &str) = ("bjm-test", "bjm-test-secret");

/// A running `python3 -m moto.server`.
pub struct MotoServer {
    child: Child,
    /// `http://127.0.0.1:<port>`.
    pub endpoint: String,
}

impl MotoServer {
    /// Starts moto on a free port; `None`, after printing why, when moto is not installed
    /// (and `BJM_TEST_REQUIRE_MOTO` is not set): the caller returns, its test skipped.
    pub async fn start(test: &str) -> Option<Self> {
        let installed = Command::new("python3")
            .args(["-c", "import moto.server, flask, flask_cors"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success());
        if !installed {
            let why = "moto is not installed (pip install 'moto[server]'; scripts/setup.sh does)";
            if std::env::var("BJM_TEST_REQUIRE_MOTO").is_ok_and(|value| value == "1") {
                panic!("{test}: {why}, and BJM_TEST_REQUIRE_MOTO=1");
            }
            eprintln!("SKIPPED {test}: {why}");
            return None;
        }
        let port = free_port();
        let child = Command::new("python3")
            .args([
                "-m",
                "moto.server",
                "-H",
                "127.0.0.1",
                "-p",
                &port.to_string(),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .stdin(Stdio::null())
            .spawn()
            .expect("python3 -m moto.server");
        let mut server = Self {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
        };
        let client = reqwest::Client::new();
        for _ in 0..300 {
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!("moto exited with {status} before it served");
            }
            if let Ok(response) = client
                .get(format!("{}/moto-api/", server.endpoint))
                .send()
                .await
                && response.status().is_success()
            {
                return Some(server);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let _ = server.child.kill();
        panic!("moto did not start on port {port} within 30 s");
    }

    /// Creates `bucket` (S3 `CreateBucket`: `PUT /<bucket>`).
    pub async fn create_bucket(&self, bucket: &str) {
        let response = reqwest::Client::new()
            .put(format!("{}/{bucket}", self.endpoint))
            .send()
            .await
            .expect("CreateBucket request");
        let status = response.status();
        assert!(
            status.is_success(),
            "CreateBucket {bucket}: {status} {}",
            response.text().await.unwrap_or_default()
        );
    }

    /// The app's storage setting for `bucket` on this server.
    pub fn storage(&self, bucket: &str, prefix: &str) -> FileStorage {
        FileStorage::S3(S3Settings {
            bucket: bucket.to_owned(),
            endpoint: Some(self.endpoint.clone()),
            region: "us-east-1".to_owned(),
            credentials: Some((ACCESS_KEY.0.to_owned(), ACCESS_KEY.1.to_owned())),
            prefix: prefix.to_owned(),
        })
    }

    /// A client of `bucket` of its own (not the app's), to look at what the app stored.
    pub fn client(&self, bucket: &str) -> Arc<dyn ObjectStore> {
        Arc::new(
            AmazonS3Builder::new()
                .with_bucket_name(bucket)
                .with_region("us-east-1")
                .with_endpoint(&self.endpoint)
                .with_allow_http(true)
                .with_access_key_id(ACCESS_KEY.0)
                .with_secret_access_key(ACCESS_KEY.1)
                .build()
                .expect("object store client"),
        )
    }

    /// The names of every object in `bucket`, sorted.
    pub async fn objects(&self, bucket: &str) -> Vec<String> {
        let mut names: Vec<String> = self
            .client(bucket)
            .list(None)
            .map_ok(|meta| meta.location.to_string())
            .try_collect()
            .await
            .expect("listing the bucket");
        names.sort();
        names
    }

    /// Stops the server (the store becomes unreachable).
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for MotoServer {
    fn drop(&mut self) {
        self.stop();
    }
}
