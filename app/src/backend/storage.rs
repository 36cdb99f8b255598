//! The file store behind uploads: a trait, the built-in implementation (a directory under the
//! data directory) and [`from_config`], which builds the configured one (that directory, or an
//! S3-compatible bucket shared by several nodes: [`super::s3_storage`]). Files are written under
//! generated keys only (never a name from the request); the local store writes first to a
//! temporary file, syncs, then renames into place, so a crash never leaves half a file under a
//! key. Both stores name a file `<first two characters of the key>/<key>` ([`key_path`]).

use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;

use anyhow::Context as _;
use tokio::io::AsyncWriteExt as _;

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;
/// A file being read, chunk by chunk.
pub type FileReader = Pin<Box<dyn tokio::io::AsyncRead + Send>>;

/// The storage layer's errors, inside the `anyhow::Error` the trait returns (with the
/// context of what was being done); [`super::error::ServiceError`] answers
/// [`StorageError::Unavailable`] with 503.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The store could not be reached, or failed the request: worth retrying later.
    #[error("{operation} {location}: the file store is unavailable: {source}")]
    Unavailable {
        operation: &'static str,
        location: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// No file under the key.
    #[error("{location} is not in the file store")]
    NotFound { location: String },
}

/// Where uploaded files live.
pub trait FileStore: Send + Sync {
    /// Starts a new file under `key`; nothing is visible under the key until `commit`.
    fn create<'a>(&'a self, key: &'a str) -> BoxFuture<'a, anyhow::Result<Box<dyn FileSink>>>;
    /// Opens the file under `key` for reading.
    fn open<'a>(&'a self, key: &'a str) -> BoxFuture<'a, anyhow::Result<FileReader>>;
    /// Deletes the file under `key` (no error when it is gone already).
    fn remove<'a>(&'a self, key: &'a str) -> BoxFuture<'a, anyhow::Result<()>>;
}

/// A file being written.
pub trait FileSink: Send {
    fn write<'a>(&'a mut self, chunk: &'a [u8]) -> BoxFuture<'a, anyhow::Result<()>>;
    /// Makes the file durable and visible under its key.
    fn commit(self: Box<Self>) -> BoxFuture<'static, anyhow::Result<()>>;
    /// Throws the partial file away.
    fn abort(self: Box<Self>) -> BoxFuture<'static, ()>;
}

/// The store the configuration names: the local directory or an S3-compatible bucket. Building
/// it contacts nothing; a bucket that cannot be reached fails the first upload, not the start.
pub fn from_config(config: &super::Config) -> anyhow::Result<Arc<dyn FileStore>> {
    use super::config::FileStorage;
    let store: Arc<dyn FileStore> = match &config.storage {
        FileStorage::Local { dir } => Arc::new(LocalFileStore::new(dir.clone())),
        FileStorage::S3(settings) => Arc::new(
            super::s3_storage::S3FileStore::new(settings)
                .with_context(|| format!("configuring the S3 bucket {}", settings.bucket))?,
        ),
    };
    Ok(store)
}

/// A file's name relative to the store's root: `<first two characters of the key>/<key>`.
/// Keys are generated hex strings; anything else (a path, a dot, a slash) is refused.
pub fn key_path(key: &str) -> anyhow::Result<String> {
    anyhow::ensure!(
        key.len() >= 8 && key.bytes().all(|byte| byte.is_ascii_hexdigit()),
        "file keys are generated hex strings"
    );
    Ok(format!("{}/{key}", &key[..2]))
}

/// Files in a directory: `<root>/<first two characters of the key>/<key>`.
pub struct LocalFileStore {
    root: PathBuf,
}

impl LocalFileStore {
    pub fn new(root: PathBuf) -> Self {
        Self { root }
    }

    /// The path of a key; keys are generated hex, anything else is refused.
    fn path_of(&self, key: &str) -> anyhow::Result<PathBuf> {
        Ok(self.root.join(key_path(key)?))
    }
}

struct LocalSink {
    file: tokio::fs::File,
    temporary: PathBuf,
    target: PathBuf,
}

impl FileStore for LocalFileStore {
    fn create<'a>(&'a self, key: &'a str) -> BoxFuture<'a, anyhow::Result<Box<dyn FileSink>>> {
        Box::pin(async move {
            let target = self.path_of(key)?;
            let directory = target.parent().unwrap_or(Path::new("."));
            tokio::fs::create_dir_all(directory)
                .await
                .with_context(|| format!("creating {}", directory.display()))?;
            let temporary = target.with_extension("part");
            let file = tokio::fs::File::create(&temporary)
                .await
                .with_context(|| format!("creating {}", temporary.display()))?;
            let sink: Box<dyn FileSink> = Box::new(LocalSink {
                file,
                temporary,
                target,
            });
            Ok(sink)
        })
    }

    fn open<'a>(&'a self, key: &'a str) -> BoxFuture<'a, anyhow::Result<FileReader>> {
        Box::pin(async move {
            let path = self.path_of(key)?;
            let file = tokio::fs::File::open(&path)
                .await
                .with_context(|| format!("opening {}", path.display()))?;
            let reader: FileReader = Box::pin(file);
            Ok(reader)
        })
    }

    fn remove<'a>(&'a self, key: &'a str) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            let path = self.path_of(key)?;
            match tokio::fs::remove_file(&path).await {
                Ok(()) => Ok(()),
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(()),
                Err(error) => Err(error).with_context(|| format!("removing {}", path.display())),
            }
        })
    }
}

impl FileSink for LocalSink {
    fn write<'a>(&'a mut self, chunk: &'a [u8]) -> BoxFuture<'a, anyhow::Result<()>> {
        Box::pin(async move {
            self.file
                .write_all(chunk)
                .await
                .with_context(|| format!("writing {}", self.temporary.display()))
        })
    }

    fn commit(self: Box<Self>) -> BoxFuture<'static, anyhow::Result<()>> {
        Box::pin(async move {
            let LocalSink {
                mut file,
                temporary,
                target,
            } = *self;
            let written = async {
                file.flush()
                    .await
                    .with_context(|| format!("writing {}", temporary.display()))?;
                file.sync_all()
                    .await
                    .with_context(|| format!("syncing {}", temporary.display()))?;
                drop(file);
                tokio::fs::rename(&temporary, &target)
                    .await
                    .with_context(|| format!("renaming into {}", target.display()))
            }
            .await;
            if written.is_err() {
                // A full or read-only disk fails here rather than in `write` (the bytes were
                // buffered): leave no half-written file behind.
                let _ = tokio::fs::remove_file(&temporary).await;
            }
            written
        })
    }

    fn abort(self: Box<Self>) -> BoxFuture<'static, ()> {
        Box::pin(async move {
            let LocalSink {
                file, temporary, ..
            } = *self;
            drop(file);
            let _ = tokio::fs::remove_file(&temporary).await;
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncReadExt as _;

    #[tokio::test]
    async fn a_file_is_visible_under_its_key_only_once_committed() {
        let root =
            std::env::temp_dir().join(format!("bjm-store-{}", crate::backend::random_token(4)));
        let store = LocalFileStore::new(root.clone());
        let key = crate::backend::random_token(16);
        let mut sink = store.create(&key).await.expect("create");
        sink.write(b"%PDF-1.7 hello").await.expect("write");
        assert!(store.open(&key).await.is_err(), "not visible before commit");
        sink.commit().await.expect("commit");
        let mut text = String::new();
        store
            .open(&key)
            .await
            .expect("open")
            .read_to_string(&mut text)
            .await
            .expect("read");
        assert_eq!(text, "%PDF-1.7 hello");
        store.remove(&key).await.expect("remove");
        store.remove(&key).await.expect("removing twice is fine");
        assert!(store.open("../../etc/passwd").await.is_err());
        let _ = std::fs::remove_dir_all(root);
    }

    #[tokio::test]
    async fn an_aborted_file_leaves_nothing() {
        let root =
            std::env::temp_dir().join(format!("bjm-store-{}", crate::backend::random_token(4)));
        let store = LocalFileStore::new(root.clone());
        let key = crate::backend::random_token(16);
        let mut sink = store.create(&key).await.expect("create");
        sink.write(b"partial").await.expect("write");
        sink.abort().await;
        let leftovers = std::fs::read_dir(root.join(&key[..2]))
            .map(|entries| entries.count())
            .unwrap_or(0);
        assert_eq!(leftovers, 0);
        let _ = std::fs::remove_dir_all(root);
    }
}
