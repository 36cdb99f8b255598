//! Session token keys and the JWT format.
//!
//! Tokens are EdDSA (Ed25519) JWTs. Verification accepts exactly that algorithm, a known key id,
//! and requires `exp`, `nbf`, `iss`, `aud` and `sub`; jsonwebtoken ≥ 10.3 also refuses an `exp`
//! sent as a string (CVE-2026-25537). The private key comes from configuration
//! (`BJM_SESSION_KEY`, PEM) or is generated once into the data directory (never committed).

use std::path::Path;

use anyhow::Context as _;
use ed25519_dalek::pkcs8::{EncodePrivateKey as _, EncodePublicKey as _};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

/// The claims of a session access token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionClaims {
    pub iss: String,
    pub aud: String,
    /// User id.
    pub sub: String,
    /// Session row id.
    pub sid: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
}

/// Why a token was refused (logged, never shown).
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("token has no known key id")]
    UnknownKey,
    #[error("token refused: {0}")]
    Invalid(#[from] jsonwebtoken::errors::Error),
}

struct VerifyingKey {
    kid: String,
    key: DecodingKey,
}

/// The signing key and every key whose tokens are still accepted (the current one, plus
/// previous ones during a rotation).
pub struct SessionKeys {
    kid: String,
    signing: EncodingKey,
    verifying: Vec<VerifyingKey>,
    issuer: String,
    audience: String,
}

const KEY_FILE: &str = "keys/session-ed25519.pem";

impl SessionKeys {
    /// Uses `pem` when given (from configuration), else the key file in `data_dir`, generating
    /// it on first run. `previous_public_pems` keep tokens of rotated-out keys valid.
    pub fn load(
        data_dir: &Path,
        pem: Option<&str>,
        previous_public_pems: &[String],
        issuer: String,
        audience: String,
    ) -> anyhow::Result<Self> {
        let private_pem = match pem {
            Some(pem) => pem.to_owned(),
            None => load_or_generate(&data_dir.join(KEY_FILE))?,
        };
        let mut keys = Self::from_private_pem(&private_pem, issuer, audience)?;
        for public_pem in previous_public_pems {
            let key =
                DecodingKey::from_ed_pem(public_pem.as_bytes()).context("previous session key")?;
            keys.verifying.push(VerifyingKey {
                kid: key_id_of_public_pem(public_pem),
                key,
            });
        }
        Ok(keys)
    }

    pub fn from_private_pem(
        private_pem: &str,
        issuer: String,
        audience: String,
    ) -> anyhow::Result<Self> {
        use ed25519_dalek::pkcs8::DecodePrivateKey as _;
        let signing_key =
            ed25519_dalek::SigningKey::from_pkcs8_pem(private_pem).map_err(|error| {
                anyhow::anyhow!("session key is not an Ed25519 PKCS#8 PEM: {error}")
            })?;
        let public_pem = signing_key
            .verifying_key()
            .to_public_key_pem(Default::default())
            .map_err(|error| anyhow::anyhow!("encoding public key: {error}"))?;
        let kid = key_id_of_public_pem(&public_pem);
        Ok(Self {
            signing: EncodingKey::from_ed_pem(private_pem.as_bytes())
                .context("session signing key")?,
            verifying: vec![VerifyingKey {
                kid: kid.clone(),
                key: DecodingKey::from_ed_pem(public_pem.as_bytes())
                    .context("session verifying key")?,
            }],
            kid,
            issuer,
            audience,
        })
    }

    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    pub fn audience(&self) -> &str {
        &self.audience
    }

    /// Signs an access token for a session.
    pub fn issue(
        &self,
        user_id: i64,
        session_id: &str,
        now_secs: i64,
        lifetime_secs: i64,
    ) -> anyhow::Result<String> {
        let claims = SessionClaims {
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            sub: user_id.to_string(),
            sid: session_id.to_owned(),
            iat: now_secs,
            nbf: now_secs,
            exp: now_secs + lifetime_secs,
        };
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, &claims, &self.signing).context("signing session token")
    }

    /// Checks signature, algorithm, key id, time window, issuer and audience.
    pub fn verify(&self, token: &str) -> Result<SessionClaims, TokenError> {
        let header = jsonwebtoken::decode_header(token)?;
        let kid = header.kid.ok_or(TokenError::UnknownKey)?;
        let key = self
            .verifying
            .iter()
            .find(|candidate| candidate.kid == kid)
            .ok_or(TokenError::UnknownKey)?;
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.audience]);
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.leeway = 5;
        Ok(jsonwebtoken::decode::<SessionClaims>(token, &key.key, &validation)?.claims)
    }
}

/// The key id: the first 16 hex digits of the SHA-256 of the public key PEM.
pub(crate) fn key_id_of_public_pem(public_pem: &str) -> String {
    super::super::sha256_hex(public_pem.trim())[..16].to_owned()
}

/// A new Ed25519 private key as PKCS#8 PEM.
pub fn generate_private_pem() -> anyhow::Result<String> {
    let key = ed25519_dalek::SigningKey::generate(&mut rand::rngs::OsRng);
    let pem = key
        .to_pkcs8_pem(Default::default())
        .map_err(|error| anyhow::anyhow!("encoding generated key: {error}"))?;
    Ok(pem.to_string())
}

pub(crate) fn load_or_generate(path: &Path) -> anyhow::Result<String> {
    if path.exists() {
        return std::fs::read_to_string(path)
            .with_context(|| format!("reading {}", path.display()));
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating {}", parent.display()))?;
    }
    let pem = generate_private_pem()?;
    write_private_file(path, &pem)?;
    tracing::info!(path = %path.display(), "generated a new session signing key");
    Ok(pem)
}

#[cfg(unix)]
fn write_private_file(path: &Path, contents: &str) -> anyhow::Result<()> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    file.write_all(contents.as_bytes()).context("writing key")?;
    file.sync_all().context("syncing key")?;
    Ok(())
}

#[cfg(not(unix))]
fn write_private_file(path: &Path, contents: &str) -> anyhow::Result<()> {
    std::fs::write(path, contents).with_context(|| format!("writing {}", path.display()))
}

/// The portal's record key (Ed25519): countersigns commitment signatures and signs the binding
/// of applicants' public keys to their verified identity. Kept apart from the session key, so
/// rotating one never touches the other.
pub struct RecordKey {
    signing: ed25519_dalek::SigningKey,
    kid: String,
}

const RECORD_KEY_FILE: &str = "keys/records-ed25519.pem";

impl RecordKey {
    /// The key file in `data_dir`, generated on first run.
    pub fn load(data_dir: &Path) -> anyhow::Result<Self> {
        use ed25519_dalek::pkcs8::DecodePrivateKey as _;
        let pem = load_or_generate(&data_dir.join(RECORD_KEY_FILE))?;
        let signing = ed25519_dalek::SigningKey::from_pkcs8_pem(&pem)
            .map_err(|error| anyhow::anyhow!("record key is not an Ed25519 PKCS#8 PEM: {error}"))?;
        let kid = key_id_of_public_pem(&Self::public_pem_of(&signing)?);
        Ok(Self { signing, kid })
    }

    fn public_pem_of(signing: &ed25519_dalek::SigningKey) -> anyhow::Result<String> {
        signing
            .verifying_key()
            .to_public_key_pem(Default::default())
            .map_err(|error| anyhow::anyhow!("encoding public key: {error}"))
    }

    /// The key id recorded with every signature it makes.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The public key (PEM), for verifying records offline.
    pub fn public_pem(&self) -> anyhow::Result<String> {
        Self::public_pem_of(&self.signing)
    }

    /// Signs a message; base64 of the 64-byte signature.
    pub fn sign(&self, message: &[u8]) -> String {
        use base64::Engine as _;
        use ed25519_dalek::Signer as _;
        base64::engine::general_purpose::STANDARD.encode(self.signing.sign(message).to_bytes())
    }

    /// Whether `signature` (base64) is this key's signature of `message`.
    pub fn verify(&self, message: &[u8], signature: &str) -> bool {
        use base64::Engine as _;
        let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(signature) else {
            return false;
        };
        let Ok(bytes) = <[u8; 64]>::try_from(bytes.as_slice()) else {
            return false;
        };
        self.signing
            .verifying_key()
            .verify_strict(message, &ed25519_dalek::Signature::from_bytes(&bytes))
            .is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> SessionKeys {
        let pem = generate_private_pem().expect("key");
        SessionKeys::from_private_pem(&pem, "https://x/auth".into(), "https://x/auth".into())
            .expect("keys")
    }

    #[test]
    fn an_issued_token_verifies_with_the_same_keys() {
        let keys = keys();
        let now = jsonwebtoken::get_current_timestamp() as i64;
        let token = keys.issue(7, "abc", now, 600).expect("token");
        let claims = keys.verify(&token).expect("valid");
        assert_eq!(claims.sub, "7");
        assert_eq!(claims.sid, "abc");
    }

    #[test]
    fn a_token_of_another_key_is_refused() {
        let now = jsonwebtoken::get_current_timestamp() as i64;
        let token = keys().issue(7, "abc", now, 600).expect("token");
        assert!(keys().verify(&token).is_err());
    }

    #[test]
    fn an_expired_token_is_refused() {
        let keys = keys();
        let now = jsonwebtoken::get_current_timestamp() as i64;
        let token = keys.issue(7, "abc", now - 3600, 600).expect("token");
        assert!(keys.verify(&token).is_err());
    }
}
