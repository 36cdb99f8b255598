//! Password hashing with Argon2id (the `argon2` crate's defaults: 19 MiB, 2 passes, 1 lane —
//! OWASP's recommended minimum). Hashing runs on a blocking thread so it never stalls the
//! async runtime.

use anyhow::Context as _;
use argon2::Argon2;
use argon2::password_hash::{
    PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString, rand_core::OsRng,
};

/// A hash of a random password nobody knows, verified against when the account does not exist
/// so that unknown and known logins take the same time.
static DUMMY_HASH: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(super::super::random_token(16).as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .unwrap_or_default()
});

pub async fn hash(password: String) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(|error| anyhow::anyhow!("argon2: {error}"))
    })
    .await
    .context("password hashing task")?
}

/// Whether `password` matches `stored`. With `stored = None`, verifies against a dummy hash and
/// answers false, taking as long as a real check.
pub async fn verify(password: String, stored: Option<String>) -> anyhow::Result<bool> {
    tokio::task::spawn_blocking(move || {
        let known = stored.is_some();
        let stored = stored.unwrap_or_else(|| DUMMY_HASH.clone());
        let parsed =
            PasswordHash::new(&stored).map_err(|error| anyhow::anyhow!("stored hash: {error}"))?;
        let matches = Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        Ok(known && matches)
    })
    .await
    .context("password verification task")?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_are_argon2id_and_verify_only_the_right_password() {
        let stored = hash("Kaidian2026!".into()).await.expect("hash");
        assert!(stored.starts_with("$argon2id$"));
        assert!(
            verify("Kaidian2026!".into(), Some(stored.clone()))
                .await
                .expect("verify")
        );
        assert!(
            !verify("kaidian2026!".into(), Some(stored))
                .await
                .expect("verify")
        );
    }

    #[tokio::test]
    async fn unknown_accounts_never_verify() {
        assert!(!verify("anything".into(), None).await.expect("verify"));
    }
}
