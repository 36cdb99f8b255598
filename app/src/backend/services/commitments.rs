//! Commitment e-signing (承诺书 + 电子签名). China's Electronic Signature Law (art. 13) counts a
//! signature as reliable when the signing key belongs to and is controlled by the signer alone,
//! so the signature is made in the applicant's browser with a key generated there (WebCrypto,
//! ECDSA P-256, not extractable). The portal:
//!
//! 1. renders the letter from the items' commitment texts and the verified identity
//!    ([`letter`]); the browser shows exactly this text and signs its SHA-256;
//! 2. at signing ([`sign`]) checks the one-time code, renders the letter again and compares
//!    hashes, binds a new device key to the verified identity (a binding statement it signs with
//!    its record key), verifies the browser's signature, and stores the record countersigned
//!    (Ed25519) over every field — a timestamp that makes any later change detectable;
//! 3. at submission requires a signature of the letter as it stands then;
//! 4. verifies a stored record on demand ([`verify`]): text, key binding, signature and
//!    countersignature.

use base64::Engine as _;
use serde_json::json;

use super::identity::{self, CodePurpose};
use super::{ServiceResult, applications};
use crate::api::{AppError, CommitmentLetter, SignCommitmentRequest, SignedCommitment};
use crate::backend::audit::{self, Actor};
use crate::backend::auth::session::{ClientInfo, CurrentUser};
use crate::backend::db::{DbError, cases, signatures};
use crate::backend::{AppState, now_ms, random_token, sha256_hex};
use crate::domain::application::KnownIdentity;
use crate::domain::catalogue::IdentityLevel;
use crate::domain::commitment::{Signer, render_letter};
use crate::domain::{Field, FieldError, PersonName, Problem};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;
/// Largest drawn signature accepted (a PNG data URL).
const MAX_DRAWN_BYTES: usize = 300 * 1024;

/// The letter for a target and an applicant already loaded: `None` when no item takes a
/// commitment, `Some("")` when one does but the identity is not verified yet (signing needs
/// level 2).
pub fn letter_for(target: &applications::Target, known: &KnownIdentity) -> Option<String> {
    let needs = target
        .items
        .iter()
        .any(|(item, _)| item.commitment.is_some());
    let (Some(name), Some(resident_id)) =
        (known.legal_name.as_deref(), known.resident_id.as_deref())
    else {
        return needs.then(String::new);
    };
    let items: Vec<_> = target.items.iter().map(|(item, _)| item).collect();
    render_letter(
        &target.title,
        &items,
        &Signer {
            legal_name: name,
            resident_id,
        },
        &crate::backend::china_date(crate::backend::now_ms()),
    )
}

/// The letter of a draft as it stands now, for its applicant (see [`letter_for`]).
pub async fn current_letter(
    conn: &mut sqlx::AnyConnection,
    user_id: i64,
    draft: &cases::DraftRow,
) -> ServiceResult<Option<String>> {
    let kind =
        crate::domain::case::TargetKind::parse(&draft.target_kind).ok_or(AppError::Internal)?;
    let target = applications::load_target(conn, kind, &draft.target_code).await?;
    let (known, _, _) = identity::known_identity(conn, user_id).await?;
    Ok(letter_for(&target, &known))
}

fn signed_view(row: &signatures::SignatureRow, key_public_id: String) -> SignedCommitment {
    SignedCommitment {
        id: row.public_id.clone(),
        key_id: key_public_id,
        signed_at: row.signed_at,
        signer_name: row.signer_name.clone(),
        letter_sha256: row.letter_sha256.clone(),
    }
}

/// The letter to sign for a draft and the signature it has, if any.
pub async fn letter(
    state: &AppState,
    user: &CurrentUser,
    draft_id: &str,
) -> ServiceResult<CommitmentLetter> {
    let mut conn = state.db.read().await?;
    let draft = cases::draft_of(
        &mut conn,
        cases::DraftHolder::Applicant(user.user_id),
        draft_id,
    )
    .await?
    .ok_or(DbError::NotFound)?;
    let letter = current_letter(&mut conn, user.user_id, &draft).await?;
    letter_of(&mut conn, draft.id, letter).await
}

/// [`letter`] for a draft whose current letter (see [`letter_for`]) is already rendered.
pub async fn letter_of(
    conn: &mut sqlx::AnyConnection,
    draft_id: i64,
    letter: Option<String>,
) -> ServiceResult<CommitmentLetter> {
    let signed = match signatures::latest_of_draft(conn, draft_id).await? {
        Some(row) => {
            let key = signatures::key_by_id(conn, row.key_id)
                .await?
                .ok_or(DbError::NotFound)?;
            Some(signed_view(&row, key.public_id))
        }
        None => None,
    };
    Ok(letter_view(letter, signed))
}

/// What the applicant sees of a letter and the signature it has.
pub fn letter_view(letter: Option<String>, signed: Option<SignedCommitment>) -> CommitmentLetter {
    let letter_sha256 = letter
        .as_deref()
        .filter(|text| !text.is_empty())
        .map(sha256_hex);
    let current = match (&signed, &letter_sha256) {
        (Some(signed), Some(hash)) => &signed.letter_sha256 == hash,
        _ => false,
    };
    CommitmentLetter {
        // Some("") is a letter that cannot be rendered before identity verification.
        needed: letter.is_some(),
        letter: letter.filter(|text| !text.is_empty()),
        letter_sha256,
        signed,
        signed_is_current: current,
    }
}

/// Whether a draft's current letter (see [`letter_for`]) is signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LetterSigned {
    /// The target asks for no letter.
    NotNeeded,
    /// Signed: the row id of the draft's newest signature, which is over the current letter.
    By(i64),
    /// Not signed, signed over an older letter, or not yet signable (identity unverified).
    No,
}

impl LetterSigned {
    pub const fn is_signed(self) -> bool {
        !matches!(self, LetterSigned::No)
    }

    /// The signature a submission relies on, if any.
    pub const fn signature_id(self) -> Option<i64> {
        match self {
            LetterSigned::By(id) => Some(id),
            LetterSigned::NotNeeded | LetterSigned::No => None,
        }
    }
}

/// Whether `letter` (see [`letter_for`]) is signed by the draft's newest signature, given as its
/// id and the SHA-256 of the letter it is over.
pub fn signed_by(letter: Option<&str>, newest: Option<(i64, &str)>) -> LetterSigned {
    match (letter, newest) {
        (None, _) => LetterSigned::NotNeeded,
        (Some(letter), Some((id, sha256)))
            if !letter.is_empty() && sha256 == sha256_hex(letter) =>
        {
            LetterSigned::By(id)
        }
        (Some(_), _) => LetterSigned::No,
    }
}

fn refuse(field: Field, problem: Problem) -> crate::backend::error::ServiceError {
    AppError::invalid(vec![FieldError::new(field, problem)]).into()
}

/// The signature mark, checked: a typed name, or a drawn PNG as a data URL.
fn checked_mark(kind: &str, mark: &str) -> ServiceResult<(&'static str, String)> {
    match kind {
        "typed" => {
            let name =
                PersonName::parse(mark).map_err(|problem| refuse(Field::SignatureMark, problem))?;
            Ok(("typed", name.as_str().to_owned()))
        }
        "drawn" => {
            let data = mark
                .strip_prefix("data:image/png;base64,")
                .ok_or_else(|| refuse(Field::SignatureMark, Problem::FileTypeNotAccepted))?;
            if mark.len() > MAX_DRAWN_BYTES {
                return Err(refuse(
                    Field::SignatureMark,
                    Problem::FileTooLarge { max_mb: 1 },
                ));
            }
            let bytes = B64
                .decode(data)
                .map_err(|_| refuse(Field::SignatureMark, Problem::FileTypeNotAccepted))?;
            if crate::domain::catalogue::FileType::sniff(&bytes)
                != Some(crate::domain::catalogue::FileType::Png)
            {
                return Err(refuse(Field::SignatureMark, Problem::FileTypeNotAccepted));
            }
            Ok(("drawn", mark.to_owned()))
        }
        _ => Err(refuse(Field::SignatureMark, Problem::Required)),
    }
}

/// Verifies an ECDSA P-256 signature (IEEE P1363 `r‖s`, as WebCrypto makes it) by the raw
/// public key `public_key` (uncompressed point) over `message` (hashed with SHA-256).
fn verify_es256(public_key: &str, message: &[u8], signature: &str) -> bool {
    use p256::ecdsa::signature::Verifier as _;
    let (Ok(key), Ok(signature)) = (B64.decode(public_key), B64.decode(signature)) else {
        return false;
    };
    let (Ok(key), Ok(signature)) = (
        p256::ecdsa::VerifyingKey::from_sec1_bytes(&key),
        p256::ecdsa::Signature::from_slice(&signature),
    ) else {
        return false;
    };
    key.verify(message, &signature).is_ok()
}

/// The bytes the browser signs: the SHA-256 of the letter (WebCrypto hashes them again).
fn signed_message(letter: &str) -> Vec<u8> {
    use sha2::Digest as _;
    sha2::Sha256::digest(letter.as_bytes()).to_vec()
}

/// Everything the countersignature covers, as canonical JSON (keys sorted).
fn canonical_record(row: &signatures::SignatureRow, key: &signatures::KeyRow) -> String {
    json!({
        "id": row.public_id,
        "draft": row.draft_id,
        "applicant": row.applicant_id,
        "letter_sha256": row.letter_sha256,
        "signature": row.signature,
        "key": {
            "id": key.public_id,
            "public_key": key.public_key,
            "binding": key.binding,
            "binding_signature": key.binding_signature,
            "binding_kid": key.binding_kid,
        },
        "signer_name": row.signer_name,
        "identity_level": row.identity_level,
        "signed_at": row.signed_at,
        "ip": row.ip,
        "user_agent": row.user_agent,
        "code": row.code_id,
        "mark_kind": row.mark_kind,
        "mark_sha256": sha256_hex(&row.mark),
    })
    .to_string()
}

/// Sends the one-time code that confirms a signature.
pub async fn send_code(
    state: &AppState,
    actor: &Actor,
    user: &CurrentUser,
) -> ServiceResult<crate::api::CodeSent> {
    identity::send_code(state, actor, user, CodePurpose::SignCommitment).await
}

/// The applicant's draft `draft_id` while it is not submitted: a letter is signed for a draft
/// only.
async fn open_draft_of(
    conn: &mut sqlx::AnyConnection,
    user: &CurrentUser,
    draft_id: &str,
) -> ServiceResult<cases::DraftRow> {
    Ok(
        cases::draft_of(conn, cases::DraftHolder::Applicant(user.user_id), draft_id)
            .await?
            .filter(|draft| draft.case_id.is_none())
            .ok_or(DbError::NotFound)?,
    )
}

/// Signs the draft's commitment letter: see the module documentation for every check.
pub async fn sign(
    state: &AppState,
    actor: &Actor,
    client: &ClientInfo,
    user: &CurrentUser,
    request: &SignCommitmentRequest,
) -> ServiceResult<SignedCommitment> {
    // Another applicant's draft does not exist for this user, whatever else the request holds:
    // checked before the mark is read and before a code attempt is spent.
    open_draft_of(&mut *state.db.read().await?, user, &request.draft_id).await?;
    let (mark_kind, mark) = checked_mark(&request.mark_kind, &request.mark)?;
    let code_id = identity::check_code(
        state,
        user.user_id,
        CodePurpose::SignCommitment,
        &request.code,
    )
    .await?;
    let now = now_ms();
    let mut tx = state.db.begin_write().await?;
    let draft = open_draft_of(&mut tx, user, &request.draft_id).await?;
    let (known, level, _) = identity::known_identity(&mut tx, user.user_id).await?;
    if level.is_none_or(|level| level < IdentityLevel::L2) {
        return Err(AppError::IdentityTooLow {
            needed: IdentityLevel::L2,
            have: level,
        }
        .into());
    }
    let letter = current_letter(&mut tx, user.user_id, &draft)
        .await?
        .filter(|text| !text.is_empty())
        .ok_or(DbError::NotFound)?;
    let letter_sha256 = sha256_hex(&letter);
    if request.letter_sha256 != letter_sha256 {
        // The letter changed since it was shown (form values, identity, catalogue, date).
        return Err(AppError::ChangedMeanwhile.into());
    }

    // The device key: an enrolled one, or a new one bound to the verified identity now.
    let enrolled = match &request.key_id {
        Some(key_id) => signatures::active_key(&mut tx, user.user_id, key_id).await?,
        None => None,
    };
    let key = match enrolled.filter(|key| key.public_key == request.public_key) {
        Some(key) => key,
        None => {
            let raw = B64
                .decode(&request.public_key)
                .map_err(|_| refuse(Field::SigningKey, Problem::SignatureInvalid))?;
            if p256::ecdsa::VerifyingKey::from_sec1_bytes(&raw).is_err() {
                return Err(refuse(Field::SigningKey, Problem::SignatureInvalid));
            }
            let public_id = random_token(12);
            let binding = json!({
                "key": public_id,
                "public_key_sha256": sha256_hex(&raw),
                "user": user.user_id,
                "legal_name": known.legal_name,
                "resident_id_sha256": known.resident_id.as_deref().map(sha256_hex),
                "identity_level": "L2",
                "bound_at": now,
            })
            .to_string();
            let binding_signature = state.record_key.sign(binding.as_bytes());
            let id = signatures::insert_key(
                &mut tx,
                signatures::NewKey {
                    public_id: &public_id,
                    user_id: user.user_id,
                    public_key: &request.public_key,
                    binding: &binding,
                    binding_signature: &binding_signature,
                    binding_kid: state.record_key.kid(),
                    now,
                },
            )
            .await?;
            audit::record(
                &mut tx,
                actor,
                "signing_key.enrol",
                &format!("user:{}", user.user_id),
                json!({ "key": public_id, "code": &code_id[..8] }),
            )
            .await?;
            signatures::KeyRow {
                id,
                public_id,
                user_id: user.user_id,
                public_key: request.public_key.clone(),
                binding,
                binding_signature,
                binding_kid: state.record_key.kid().to_owned(),
            }
        }
    };
    if !verify_es256(
        &key.public_key,
        &signed_message(&letter),
        &request.signature,
    ) {
        return Err(refuse(Field::SigningKey, Problem::SignatureInvalid));
    }

    let mut row = signatures::SignatureRow {
        id: 0,
        public_id: random_token(12),
        draft_id: draft.id,
        applicant_id: user.user_id,
        letter,
        letter_sha256,
        signature: request.signature.clone(),
        key_id: key.id,
        signer_name: known.legal_name.clone().unwrap_or_default(),
        identity_level: "L2".into(),
        signed_at: now,
        ip: client.ip.clone(),
        user_agent: client.user_agent.clone(),
        code_id,
        mark_kind: mark_kind.into(),
        mark,
        countersignature: String::new(),
        countersign_kid: state.record_key.kid().to_owned(),
    };
    row.countersignature = state
        .record_key
        .sign(canonical_record(&row, &key).as_bytes());
    row.id = signatures::insert_signature(&mut tx, &row).await?;
    audit::record(
        &mut tx,
        actor,
        "commitment.sign",
        &format!("draft:{}", draft.id),
        json!({ "record": row.public_id, "letter_sha256": row.letter_sha256, "key": key.public_id }),
    )
    .await?;
    tx.commit().await?;
    Ok(signed_view(&row, key.public_id))
}

/// What is wrong with a stored signature record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RecordProblem {
    #[error("the letter text no longer matches its recorded SHA-256")]
    LetterChanged,
    #[error("the key binding is not signed by the portal's record key")]
    BindingInvalid,
    #[error("the applicant's signature does not verify with the bound key")]
    SignatureInvalid,
    #[error("the countersignature was made with a key this portal does not hold")]
    UnknownKey,
    #[error("the record was changed after the portal countersigned it")]
    RecordChanged,
}

/// Verifies a stored record end to end; the first problem found, if any.
pub async fn verify(
    state: &AppState,
    record_id: &str,
) -> ServiceResult<Result<signatures::SignatureRow, RecordProblem>> {
    let mut conn = state.db.read().await?;
    let row = signatures::by_public_id(&mut conn, record_id)
        .await?
        .ok_or(DbError::NotFound)?;
    let key = signatures::key_by_id(&mut conn, row.key_id)
        .await?
        .ok_or(DbError::NotFound)?;
    Ok(check_record(state, row, &key))
}

fn check_record(
    state: &AppState,
    row: signatures::SignatureRow,
    key: &signatures::KeyRow,
) -> Result<signatures::SignatureRow, RecordProblem> {
    if sha256_hex(&row.letter) != row.letter_sha256 {
        return Err(RecordProblem::LetterChanged);
    }
    if key.binding_kid != state.record_key.kid()
        || !state
            .record_key
            .verify(key.binding.as_bytes(), &key.binding_signature)
    {
        return Err(RecordProblem::BindingInvalid);
    }
    if !verify_es256(
        &key.public_key,
        &signed_message(&row.letter),
        &row.signature,
    ) {
        return Err(RecordProblem::SignatureInvalid);
    }
    if row.countersign_kid != state.record_key.kid() {
        return Err(RecordProblem::UnknownKey);
    }
    if !state.record_key.verify(
        canonical_record(&row, key).as_bytes(),
        &row.countersignature,
    ) {
        return Err(RecordProblem::RecordChanged);
    }
    Ok(row)
}

/// The signed letter as a PDF: the exact text signed, then the signature record (signer, mark,
/// time, hashes, keys, record id and how to verify it). For the applicant who signed it, and
/// for the front desk and the service office.
pub async fn pdf(state: &AppState, user: &CurrentUser, record_id: &str) -> ServiceResult<Vec<u8>> {
    use crate::backend::pdf::Block;
    use crate::domain::Role;
    let mut conn = state.db.read().await?;
    let row = signatures::by_public_id(&mut conn, record_id)
        .await?
        .ok_or(DbError::NotFound)?;
    let allowed = match user.role {
        Role::Applicant => row.applicant_id == user.user_id,
        Role::FrontDesk | Role::Admin => true,
        _ => false,
    };
    if !allowed {
        return Err(DbError::NotFound.into());
    }
    let key = signatures::key_by_id(&mut conn, row.key_id)
        .await?
        .ok_or(DbError::NotFound)?;
    let mark = match row.mark_kind.as_str() {
        "typed" => format!("输入姓名「{}」", row.mark),
        _ => format!("手写签名（图像已存档，SHA-256 {}）", sha256_hex(&row.mark)),
    };
    let record = format!(
        "电子签名信息\n\
         签署人：{signer}（实名核验等级 {level}）\n\
         签名方式：{mark}\n\
         签署时间：{at}（北京时间），验证码确认\n\
         承诺书 SHA-256：{sha}\n\
         申请人签名：ECDSA P-256 / SHA-256，本人设备密钥 {key}\n\
         平台副署：Ed25519，密钥 {kid}\n\
         记录编号：{id}\n\
         核验：server verify-commitment {id}",
        signer = row.signer_name,
        level = row.identity_level,
        at = crate::backend::china_datetime(row.signed_at),
        sha = row.letter_sha256,
        key = key.public_id,
        kid = row.countersign_kid,
        id = row.public_id,
    );
    let blocks = [
        Block {
            size_pt: 16.0,
            text: "告知承诺书（电子签署件）".into(),
        },
        Block {
            size_pt: 11.0,
            text: format!("{}\n", row.letter),
        },
        Block {
            size_pt: 9.0,
            text: record,
        },
    ];
    let renderer = std::sync::Arc::clone(&state.pdf);
    let title = format!("Commitment {}", row.public_id);
    let bytes = tokio::task::spawn_blocking(move || renderer.render(&title, &blocks))
        .await
        .map_err(anyhow::Error::from)??;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_webcrypto_style_signature_verifies_and_a_changed_text_does_not() {
        use p256::ecdsa::signature::Signer as _;
        let secret = p256::ecdsa::SigningKey::random(&mut rand::rngs::OsRng);
        let public = B64.encode(secret.verifying_key().to_encoded_point(false).as_bytes());
        let message = signed_message("告知承诺书\n…");
        let signature: p256::ecdsa::Signature = secret.sign(&message);
        let signature = B64.encode(signature.to_bytes());
        assert!(verify_es256(&public, &message, &signature));
        assert!(!verify_es256(
            &public,
            &signed_message("告知承诺书\n!"),
            &signature
        ));
        assert!(!verify_es256("not base64", &message, &signature));
    }

    #[test]
    fn a_letter_is_signed_only_by_a_newest_signature_over_that_very_text() {
        let letter = "告知承诺书\n本人承诺……";
        let hash = sha256_hex(letter);
        assert_eq!(signed_by(None, None), LetterSigned::NotNeeded);
        assert_eq!(
            signed_by(Some(letter), Some((7, &hash))),
            LetterSigned::By(7)
        );
        let older = sha256_hex("告知承诺书\n旧版");
        assert_eq!(signed_by(Some(letter), Some((7, &older))), LetterSigned::No);
        assert_eq!(signed_by(Some(letter), None), LetterSigned::No);
        // Not yet signable (identity unverified): nothing signs an empty letter.
        assert_eq!(
            signed_by(Some(""), Some((7, &sha256_hex("")))),
            LetterSigned::No
        );
    }

    #[test]
    fn a_typed_mark_is_a_name_and_a_drawn_mark_a_png() {
        assert!(checked_mark("typed", "王开店").is_ok());
        assert!(checked_mark("typed", "").is_err());
        let png = format!(
            "data:image/png;base64,{}",
            B64.encode(b"\x89PNG\r\n\x1a\n....")
        );
        assert!(checked_mark("drawn", &png).is_ok());
        let html = format!(
            "data:image/png;base64,{}",
            B64.encode(b"<svg onload=alert(1)>")
        );
        assert!(checked_mark("drawn", &html).is_err());
        assert!(checked_mark("stamp", "x").is_err());
    }
}
