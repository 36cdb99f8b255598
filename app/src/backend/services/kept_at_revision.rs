//! Values read from the database and kept in memory under the revision of a counter that
//! triggers move on every change of what they were read from (`working_calendar_revision`,
//! `catalogue_revision`). A caller reads the counter in a statement it runs anyway and gets the
//! kept value while the counter has not moved, on whichever node the change was made.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// Values by key, all kept at one revision; a newer revision drops them.
pub struct KeptAtRevision<K, V>(Mutex<Kept<K, V>>);

struct Kept<K, V> {
    revision: i64,
    values: HashMap<K, Arc<V>>,
}

impl<K, V> Default for KeptAtRevision<K, V> {
    fn default() -> Self {
        Self(Mutex::new(Kept {
            revision: i64::MIN,
            values: HashMap::new(),
        }))
    }
}

impl<K: Eq + Hash, V> KeptAtRevision<K, V> {
    /// The value of `key` at `revision` (read just before): kept, or got from `read` and then
    /// kept. Without a revision (the counter row is missing) it is read and not kept. `read`
    /// runs only when nothing is kept.
    pub async fn get_or_read<Q, E>(
        &self,
        revision: Option<i64>,
        key: &Q,
        read: impl Future<Output = Result<V, E>>,
    ) -> Result<Arc<V>, E>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ToOwned<Owned = K> + ?Sized,
    {
        let Some(revision) = revision else {
            return Ok(Arc::new(read.await?));
        };
        {
            let kept = self.kept();
            if kept.revision == revision
                && let Some(value) = kept.values.get(key)
            {
                return Ok(value.clone());
            }
        }
        // Read after the revision: as new as `revision` or newer, so keeping it under
        // `revision` at worst reads it once more than needed, never serves an older one.
        let value = Arc::new(read.await?);
        let mut kept = self.kept();
        if kept.revision < revision {
            kept.revision = revision;
            kept.values.clear();
        }
        if kept.revision == revision {
            kept.values.insert(key.to_owned(), value.clone());
        }
        Ok(value)
    }

    fn kept(&self) -> MutexGuard<'_, Kept<K, V>> {
        // Nothing panics while holding the lock; a poisoned one still holds a whole value.
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn get(
        kept: &KeptAtRevision<String, &'static str>,
        revision: Option<i64>,
        read: &'static str,
    ) -> Arc<&'static str> {
        let answer: Result<_, ()> = kept.get_or_read(revision, "key", async { Ok(read) }).await;
        answer.unwrap_or_else(|()| unreachable!("the read does not fail"))
    }

    #[tokio::test]
    async fn a_value_is_read_once_per_revision_and_again_when_it_moves() {
        let kept = KeptAtRevision::default();
        assert_eq!(*get(&kept, Some(1), "first").await, "first");
        assert_eq!(*get(&kept, Some(1), "not read").await, "first");
        assert_eq!(*get(&kept, Some(2), "second").await, "second");
        assert_eq!(*get(&kept, Some(2), "not read").await, "second");
    }

    #[tokio::test]
    async fn an_older_revision_is_answered_from_the_database_and_not_kept() {
        let kept = KeptAtRevision::default();
        assert_eq!(*get(&kept, Some(5), "newer").await, "newer");
        assert_eq!(*get(&kept, Some(4), "older").await, "older");
        assert_eq!(*get(&kept, Some(5), "not read").await, "newer");
    }

    #[tokio::test]
    async fn without_a_revision_nothing_is_kept() {
        let kept = KeptAtRevision::default();
        assert_eq!(*get(&kept, None, "first").await, "first");
        assert_eq!(*get(&kept, None, "second").await, "second");
        assert_eq!(*get(&kept, Some(1), "third").await, "third");
    }

    #[tokio::test]
    async fn a_failed_read_keeps_nothing() {
        let kept: KeptAtRevision<String, &'static str> = KeptAtRevision::default();
        let failed: Result<_, &str> = kept
            .get_or_read(Some(1), "key", async { Err("gone") })
            .await;
        assert!(failed.is_err());
        assert_eq!(*get(&kept, Some(1), "read").await, "read");
    }
}
