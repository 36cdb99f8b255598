//! Uploaded files in a bucket of an S3-compatible object store (AWS S3, MinIO, Ceph RGW…), so
//! that several nodes serve the same files: the [`FileStore`] behind `BJM_STORAGE=s3`.
//!
//! A file is the object `[<prefix>/]<first two characters of the key>/<key>`: the local store's
//! relative path ([`super::storage::key_path`]) under an optional prefix. Requests are
//! path-style (`<endpoint>/<bucket>/<object>`), which every S3-compatible server understands;
//! plain `http://` is allowed when the endpoint says so (a server on the same host or network).
//!
//! A file being written is buffered in memory up to [`PART_BYTES`] and then stored with one
//! `PUT`; a larger one becomes a multipart upload in parts of that size. Either way nothing is
//! visible under the object's name until the sink is committed, and an aborted sink leaves
//! nothing (an unfinished multipart upload is aborted). Requests are retried briefly
//! ([`retry_config`]) so that an unreachable store fails an upload within seconds; its errors
//! are [`StorageError::Unavailable`], which the API answers with 503.

use std::sync::Arc;
use std::time::Duration;

use futures_util::TryStreamExt as _;
use object_store::aws::AmazonS3Builder;
use object_store::buffered::BufWriter;
use object_store::path::Path as ObjectPath;
use object_store::{BackoffConfig, ClientOptions, ObjectStore, ObjectStoreExt as _, RetryConfig};
use tokio::io::AsyncWriteExt as _;

use super::config::S3Settings;
use super::storage::{BoxFuture, FileReader, FileSink, FileStore, StorageError, key_path};

/// Bytes buffered before a file becomes a multipart upload, and the size of each part
/// (S3 needs at least 5 MiB for every part but the last).
pub const PART_BYTES: usize = 8 * 1024 * 1024;

/// Files as objects in one bucket.
pub struct S3FileStore {
    store: Arc<dyn ObjectStore>,
    /// `s3://<bucket>`, for messages.
    url: String,
    /// Normalized: no leading or trailing `/`; empty for none.
    prefix: String,
}

/// Short retries: a store that is down fails the request in seconds instead of minutes (the
/// router gives a whole request 30 s).
fn retry_config() -> RetryConfig {
    RetryConfig {
        backoff: BackoffConfig {
            init_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(2),
            base: 2.0,
        },
        max_retries: 3,
        retry_timeout: Duration::from_secs(10),
    }
}

/// `prefix` without surrounding slashes; refused when a segment is empty, `.` or `..`, or holds
/// anything but letters, digits, `-`, `_` and `.`.
pub fn normalize_prefix(prefix: &str) -> Result<String, String> {
    let trimmed = prefix.trim().trim_matches('/');
    if trimmed.is_empty() {
        return Ok(String::new());
    }
    for segment in trimmed.split('/') {
        let allowed = segment
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.'));
        if segment.is_empty() || segment == "." || segment == ".." || !allowed {
            return Err(format!(
                "{prefix:?} is not a prefix like `portal/uploads` (segments of letters, digits, \
                 `-`, `_` and `.`)"
            ));
        }
    }
    Ok(trimmed.to_owned())
}

/// The object name of a file key: `[<prefix>/]<ab>/<key>`.
pub fn object_name(prefix: &str, key: &str) -> anyhow::Result<String> {
    let relative = key_path(key)?;
    Ok(if prefix.is_empty() {
        relative
    } else {
        format!("{prefix}/{relative}")
    })
}

impl S3FileStore {
    /// A store for the bucket of `settings`. Nothing is contacted yet.
    pub fn new(settings: &S3Settings) -> anyhow::Result<Self> {
        let prefix = normalize_prefix(&settings.prefix).map_err(anyhow::Error::msg)?;
        // The standard AWS_* variables (credentials, session token) apply unless the settings
        // name the key; the settings win for everything they name.
        let mut builder = AmazonS3Builder::from_env()
            .with_bucket_name(&settings.bucket)
            .with_region(&settings.region)
            .with_virtual_hosted_style_request(false)
            .with_retry(retry_config())
            .with_client_options(
                ClientOptions::new()
                    .with_connect_timeout(Duration::from_secs(5))
                    .with_timeout(Duration::from_secs(120)),
            );
        if let Some(endpoint) = &settings.endpoint {
            builder = builder
                .with_endpoint(endpoint.trim_end_matches('/'))
                .with_allow_http(endpoint.starts_with("http://"));
        }
        if let Some((id, secret)) = &settings.credentials {
            builder = builder
                .with_access_key_id(id)
                .with_secret_access_key(secret);
        }
        let store = builder.build()?;
        Ok(Self {
            store: Arc::new(store),
            url: format!("s3://{}", settings.bucket),
            prefix,
        })
    }

    fn path_of(&self, key: &str) -> anyhow::Result<ObjectPath> {
        let name = object_name(&self.prefix, key)?;
        Ok(ObjectPath::parse(&name)?)
    }

    fn location(&self, path: &ObjectPath) -> String {
        format!("{}/{path}", self.url)
    }
}

/// An object store's error as the storage layer's: a missing object is [`StorageError::NotFound`],
/// anything else (unreachable, refused, failing) [`StorageError::Unavailable`].
fn storage_error(
    operation: &'static str,
    location: String,
    error: object_store::Error,
) -> StorageError {
    match error {
        object_store::Error::NotFound { .. } => StorageError::NotFound { location },
        other => StorageError::Unavailable {
            operation,
            location,
            source: Box::new(other),
        },
    }
}

struct S3Sink {
    writer: BufWriter,
    location: String,
}

impl FileStore for S3FileStore {
    fn create<'a>(&'a self, key: &'a str) -> BoxFuture<'a, anyhow::Result<Box<dyn FileSink>>> {
        Box::pin(async move {
            let path = self.path_of(key)?;
            let location = self.location(&path);
            let writer = BufWriter::with_capacity(Arc::clone(&self.store), path, PART_BYTES);
            let sink: Box<dyn FileSink> = Box::new(S3Sink { writer, location });
            Ok(sink)
        })
    }

    fn open<'a>(&'a self, key: &'a str) -> BoxFuture<'a, anyhow::Result<FileReader>> {
        Box::pin(async move {
            let path = self.path_of(key)?;
            let found = self
                .store
                .get(&path)
                .await
                .map_err(|error| storage_error("reading", self.location(&path), error))?;
            let stream = found.into_stream().map_err(std::io::Error::from);
            let reader: FileReader = Box::pin(tokio_util::io::StreamReader::new(stream));
            Ok(reader)
        })
    }

    fn remove<'a>(&'a self, key: &'a str) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            let path = self.path_of(key)?;
            match self.store.delete(&path).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
                Err(error) => Err(storage_error("deleting", self.location(&path), error).into()),
            }
        })
    }
}

impl FileSink for S3Sink {
    fn write<'a>(&'a mut self, chunk: &'a [u8]) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            self.writer.write_all(chunk).await.map_err(|error| {
                StorageError::Unavailable {
                    operation: "writing",
                    location: self.location.clone(),
                    source: Box::new(error),
                }
                .into()
            })
        })
    }

    fn commit(self: Box<Self>) -> BoxFuture<'static, anyhow::Result<()>> {
        Box::pin(async move {
            let S3Sink {
                mut writer,
                location,
            } = *self;
            writer.shutdown().await.map_err(|error| {
                StorageError::Unavailable {
                    operation: "storing",
                    location,
                    source: Box::new(error),
                }
                .into()
            })
        })
    }

    fn abort(self: Box<Self>) -> BoxFuture<'static, ()> {
        Box::pin(async move {
            let S3Sink {
                mut writer,
                location,
            } = *self;
            if let Err(error) = writer.abort().await {
                tracing::warn!(%location, error = %error, "could not abort an upload");
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "3fa9c0d1e2b4a5968778695a4b3c2d1e";

    #[test]
    fn objects_are_named_like_the_local_files_under_the_prefix() {
        assert_eq!(
            object_name("", KEY).expect("name"),
            format!("3f/{KEY}"),
            "the local store's relative path"
        );
        assert_eq!(
            object_name("qixia/uploads", KEY).expect("name"),
            format!("qixia/uploads/3f/{KEY}")
        );
        let local = std::path::Path::new("/data/files").join(key_path(KEY).expect("path"));
        assert!(local.ends_with(object_name("", KEY).expect("name")));
    }

    #[test]
    fn only_generated_keys_name_objects() {
        for bad in [
            "",
            "abc",
            "../../etc/passwd",
            "3fa9c0d1/../x",
            "3FA9C0D1E2B4 A59",
        ] {
            assert!(object_name("p", bad).is_err(), "{bad:?} must be refused");
        }
    }

    #[test]
    fn prefixes_are_normalized_or_refused() {
        assert_eq!(normalize_prefix("").as_deref(), Ok(""));
        assert_eq!(normalize_prefix(" /").as_deref(), Ok(""));
        assert_eq!(
            normalize_prefix("/qixia/uploads/").as_deref(),
            Ok("qixia/uploads")
        );
        assert_eq!(
            normalize_prefix("bjm-prod_1.0").as_deref(),
            Ok("bjm-prod_1.0")
        );
        for bad in ["a//b", "a/../b", "..", "a/./b", "上传", "a b", "a?b"] {
            assert!(normalize_prefix(bad).is_err(), "{bad:?} must be refused");
        }
    }

    #[test]
    fn the_store_builds_without_contacting_anything_and_names_paths() {
        let store = S3FileStore::new(&S3Settings {
            bucket: "bjm-files".into(),
            endpoint: Some("http://127.0.0.1:9".into()),
            region: "us-east-1".into(),
            credentials: Some(("id".into(), "secret".into())),
            prefix: "/node/".into(),
        })
        .expect("store");
        let path = store.path_of(KEY).expect("path");
        assert_eq!(path.as_ref(), format!("node/3f/{KEY}"));
        assert_eq!(
            store.location(&path),
            format!("s3://bjm-files/node/3f/{KEY}")
        );
        assert!(store.path_of("../x").is_err());
    }

    #[tokio::test]
    async fn an_unreachable_store_is_unavailable_not_missing() {
        let store = S3FileStore::new(&S3Settings {
            bucket: "bjm-files".into(),
            // Port 9 (discard): nothing listens on loopback.
            endpoint: Some("http://127.0.0.1:9".into()),
            region: "us-east-1".into(),
            credentials: Some(("id".into(), "secret".into())),
            prefix: String::new(),
        })
        .expect("store");
        let Err(error) = store.open(KEY).await else {
            panic!("nothing listens there");
        };
        assert!(
            matches!(
                error.downcast_ref::<StorageError>(),
                Some(StorageError::Unavailable { .. })
            ),
            "{error:#}"
        );
        let mut sink = store.create(KEY).await.expect("create buffers only");
        sink.write(b"%PDF-1.7").await.expect("buffered");
        let committed = sink.commit().await;
        assert!(committed.is_err_and(|error| error.to_string().contains("storing")));
    }
}
