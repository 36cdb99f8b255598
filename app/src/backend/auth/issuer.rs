//! The licence issuer key (Ed25519) and the verification token a licence's QR code carries: a
//! compact EdDSA JWT whose claims are the least a checker needs (number, type, holder shown
//! without personal detail, credit code, validity, the SHA-256 of the printed content) and
//! whose header names the key. The public keys are published as a JWKS
//! (`/.well-known/jwks.json`), so anyone can verify a licence offline with
//! [`verify_with_jwks`]; only revocation needs the portal.
//!
//! Keys: `keys/licence-ed25519.pem` in the data directory (generated on first run, or
//! `BJM_LICENCE_KEY`); retired public keys in `keys/licence-retired/*.pem` keep older
//! licences verifiable after a rotation.

use std::collections::HashSet;
use std::path::Path;

use anyhow::Context as _;
use base64::Engine as _;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

/// The `iss` of every licence token.
pub const LICENCE_ISSUER: &str = "bjm-qixia-licences";

/// The claims of a licence token (short names: the token goes into a QR code).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LicenceClaims {
    pub iss: String,
    /// Licence number.
    pub lno: String,
    /// Licence type code.
    pub lty: String,
    /// Holder as shown to a checker (an entity's name, a person's name masked).
    pub hn: String,
    /// Unified social credit code, when the holder has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uscc: Option<String>,
    /// Valid from (`YYYY-MM-DD`).
    pub vf: String,
    /// Valid until (`YYYY-MM-DD`); absent = long-term.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vu: Option<String>,
    /// SHA-256 (hex) of the licence's printed content (the `content` JSON kept on issue).
    pub dsh: String,
    /// Issued at (seconds).
    pub iat: i64,
}

/// Why a token is not authentic (logged; the checker only learns "not authentic").
#[derive(Debug, thiserror::Error)]
pub enum NotAuthentic {
    #[error("the token names no published key")]
    UnknownKey,
    #[error("the token is malformed or its signature does not verify: {0}")]
    Invalid(#[from] jsonwebtoken::errors::Error),
    #[error("the key set is malformed")]
    BadKeySet,
}

struct PublicKey {
    kid: String,
    raw: [u8; 32],
    decoding: DecodingKey,
}

impl PublicKey {
    fn from_raw(raw: [u8; 32]) -> Self {
        Self {
            kid: key_id(&raw),
            raw,
            decoding: DecodingKey::from_ed_der(&raw),
        }
    }
}

/// The signing key and every public key whose licences still verify.
pub struct IssuerKeys {
    signing: EncodingKey,
    kid: String,
    public: Vec<PublicKey>,
}

const KEY_FILE: &str = "keys/licence-ed25519.pem";
const RETIRED_DIR: &str = "keys/licence-retired";

/// The key id: the first 16 hex digits of the SHA-256 of the raw public key.
fn key_id(raw: &[u8; 32]) -> String {
    crate::backend::sha256_hex(raw)[..16].to_owned()
}

fn validation() -> Validation {
    let mut validation = Validation::new(Algorithm::EdDSA);
    // Validity is a result ("expired"), not a refusal, and long-term licences have no end.
    validation.required_spec_claims = HashSet::from(["iss".to_owned()]);
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    validation.set_issuer(&[LICENCE_ISSUER]);
    validation
}

impl IssuerKeys {
    /// `pem` from configuration, else the key file in `data_dir` (generated on first run);
    /// retired public keys from `keys/licence-retired/`.
    pub fn load(data_dir: &Path, pem: Option<&str>) -> anyhow::Result<Self> {
        let private_pem = match pem {
            Some(pem) => pem.to_owned(),
            None => super::keys::load_or_generate(&data_dir.join(KEY_FILE))?,
        };
        let mut keys = Self::from_private_pem(&private_pem)?;
        let retired = data_dir.join(RETIRED_DIR);
        if retired.is_dir() {
            let mut paths: Vec<_> = std::fs::read_dir(&retired)
                .with_context(|| format!("reading {}", retired.display()))?
                .filter_map(|entry| entry.ok().map(|entry| entry.path()))
                .filter(|path| path.extension().is_some_and(|ext| ext == "pem"))
                .collect();
            paths.sort();
            for path in paths {
                let pem = std::fs::read_to_string(&path)
                    .with_context(|| format!("reading {}", path.display()))?;
                keys.add_retired_public_pem(&pem)
                    .with_context(|| format!("retired licence key {}", path.display()))?;
            }
        }
        Ok(keys)
    }

    pub fn from_private_pem(private_pem: &str) -> anyhow::Result<Self> {
        use ed25519_dalek::pkcs8::DecodePrivateKey as _;
        let signing = ed25519_dalek::SigningKey::from_pkcs8_pem(private_pem).map_err(|error| {
            anyhow::anyhow!("licence key is not an Ed25519 PKCS#8 PEM: {error}")
        })?;
        let public = PublicKey::from_raw(signing.verifying_key().to_bytes());
        Ok(Self {
            signing: EncodingKey::from_ed_pem(private_pem.as_bytes())
                .context("licence signing key")?,
            kid: public.kid.clone(),
            public: vec![public],
        })
    }

    /// Keeps licences signed by a retired key verifiable (its public key, PEM).
    pub fn add_retired_public_pem(&mut self, pem: &str) -> anyhow::Result<()> {
        use ed25519_dalek::pkcs8::DecodePublicKey as _;
        let key = ed25519_dalek::VerifyingKey::from_public_key_pem(pem)
            .map_err(|error| anyhow::anyhow!("not an Ed25519 public key PEM: {error}"))?;
        let public = PublicKey::from_raw(key.to_bytes());
        if !self.public.iter().any(|known| known.kid == public.kid) {
            self.public.push(public);
        }
        Ok(())
    }

    /// The id of the key that signs new licences.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// Signs the claims: a compact JWT naming the key.
    pub fn sign(&self, claims: &LicenceClaims) -> anyhow::Result<String> {
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, claims, &self.signing).context("signing a licence token")
    }

    /// The claims of a token signed by one of the published keys.
    pub fn verify(&self, token: &str) -> Result<LicenceClaims, NotAuthentic> {
        let header = jsonwebtoken::decode_header(token)?;
        let kid = header.kid.ok_or(NotAuthentic::UnknownKey)?;
        let key = self
            .public
            .iter()
            .find(|key| key.kid == kid)
            .ok_or(NotAuthentic::UnknownKey)?;
        Ok(jsonwebtoken::decode::<LicenceClaims>(token, &key.decoding, &validation())?.claims)
    }

    /// The public keys as a JSON Web Key Set (RFC 8037 `OKP` / `Ed25519`).
    pub fn jwks(&self) -> serde_json::Value {
        let keys: Vec<_> = self
            .public
            .iter()
            .map(|key| {
                serde_json::json!({
                    "kty": "OKP",
                    "crv": "Ed25519",
                    "alg": "EdDSA",
                    "use": "sig",
                    "kid": key.kid,
                    "x": base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(key.raw),
                })
            })
            .collect();
        serde_json::json!({ "keys": keys })
    }
}

/// The offline procedure: verifies a licence token with nothing but the published key set
/// (the JSON of `/.well-known/jwks.json`). Revocation is the only fact this cannot know.
pub fn verify_with_jwks(
    token: &str,
    jwks: &serde_json::Value,
) -> Result<LicenceClaims, NotAuthentic> {
    let header = jsonwebtoken::decode_header(token)?;
    let kid = header.kid.ok_or(NotAuthentic::UnknownKey)?;
    let keys = jwks
        .get("keys")
        .and_then(serde_json::Value::as_array)
        .ok_or(NotAuthentic::BadKeySet)?;
    let key = keys
        .iter()
        .find(|key| key.get("kid").and_then(serde_json::Value::as_str) == Some(kid.as_str()))
        .ok_or(NotAuthentic::UnknownKey)?;
    if key.get("kty").and_then(serde_json::Value::as_str) != Some("OKP")
        || key.get("crv").and_then(serde_json::Value::as_str) != Some("Ed25519")
    {
        return Err(NotAuthentic::BadKeySet);
    }
    let x = key
        .get("x")
        .and_then(serde_json::Value::as_str)
        .ok_or(NotAuthentic::BadKeySet)?;
    let decoding = DecodingKey::from_ed_components(x)?;
    Ok(jsonwebtoken::decode::<LicenceClaims>(token, &decoding, &validation())?.claims)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> IssuerKeys {
        let pem = crate::backend::auth::keys::generate_private_pem().expect("key");
        IssuerKeys::from_private_pem(&pem).expect("keys")
    }

    fn claims() -> LicenceClaims {
        LicenceClaims {
            iss: LICENCE_ISSUER.into(),
            lno: "JY13201130000429".into(),
            lty: "food_business_licence".into(),
            hn: "栖霞小馆".into(),
            uscc: Some("92320113MA20LT3Y16".into()),
            vf: "2026-11-25".into(),
            vu: Some("2031-11-24".into()),
            dsh: "ab".repeat(32),
            iat: 1_795_000_000,
        }
    }

    #[test]
    fn a_signed_licence_verifies_online_and_offline_with_the_published_keys() {
        let keys = keys();
        let token = keys.sign(&claims()).expect("signed");
        assert_eq!(keys.verify(&token).expect("valid"), claims());
        assert_eq!(
            verify_with_jwks(&token, &keys.jwks()).expect("valid offline"),
            claims()
        );
    }

    #[test]
    fn flipping_any_character_of_the_token_makes_it_fail() {
        let keys = keys();
        let token = keys.sign(&claims()).expect("signed");
        let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        for index in 0..token.len() {
            let mut bytes = token.clone().into_bytes();
            if bytes[index] == b'.' {
                continue;
            }
            // Another character of the base64url alphabet (a flip that stays "well formed").
            let position = alphabet
                .iter()
                .position(|c| *c == bytes[index])
                .unwrap_or(0);
            bytes[index] = alphabet[(position + 1) % alphabet.len()];
            let forged = String::from_utf8(bytes).expect("ascii");
            let decoded = keys.verify(&forged);
            // A change in the last character's padding bits may decode to the same signature:
            // then the claims must still be exactly the signed ones.
            if let Ok(same) = decoded {
                assert_eq!(same, claims(), "position {index} changed the claims");
                assert_eq!(index, token.len() - 1, "position {index} verified");
            }
        }
    }

    #[test]
    fn tokens_of_another_key_truncated_or_unsigned_are_not_authentic() {
        let keys = keys();
        let other = super::tests::keys();
        let token = keys.sign(&claims()).expect("signed");
        // Re-signed with another key under the same key id.
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(keys.kid().to_owned());
        let pem = crate::backend::auth::keys::generate_private_pem().expect("key");
        let resigned = jsonwebtoken::encode(
            &header,
            &claims(),
            &EncodingKey::from_ed_pem(pem.as_bytes()).expect("key"),
        )
        .expect("signed");
        assert!(keys.verify(&resigned).is_err());
        assert!(
            keys.verify(&other.sign(&claims()).expect("signed"))
                .is_err()
        );
        assert!(keys.verify(&token[..token.len() - 5]).is_err());
        assert!(keys.verify("").is_err());
        assert!(keys.verify("not a token").is_err());
        // alg "none" with the signature stripped.
        let (signed, _) = token.rsplit_once('.').expect("three parts");
        assert!(keys.verify(&format!("{signed}.")).is_err());
    }

    #[test]
    fn retired_keys_keep_their_licences_verifiable() {
        use ed25519_dalek::pkcs8::{DecodePrivateKey as _, EncodePublicKey as _};
        let old_pem = crate::backend::auth::keys::generate_private_pem().expect("key");
        let old = IssuerKeys::from_private_pem(&old_pem).expect("keys");
        let token = old.sign(&claims()).expect("signed");
        let mut new = keys();
        assert!(new.verify(&token).is_err());
        let public_pem = ed25519_dalek::SigningKey::from_pkcs8_pem(&old_pem)
            .expect("key")
            .verifying_key()
            .to_public_key_pem(Default::default())
            .expect("pem");
        new.add_retired_public_pem(&public_pem).expect("added");
        assert!(new.verify(&token).is_ok());
        assert_eq!(new.jwks()["keys"].as_array().map(Vec::len), Some(2));
    }
}
