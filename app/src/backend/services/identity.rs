//! Identity verification (实名核验) of applicants. L1: the phone or email they registered with
//! is confirmed by a one-time code; L2: name and resident ID match the population registry
//! (the ID bound to one account only); L3: person–ID check (reviewed at the front desk; later).
//! Also the one-time codes themselves: 6 digits, valid 10 minutes, 5 tries, rate-limited per
//! account, kept only as a hash, delivered through the outbox.

use serde_json::json;

use super::{ServiceResult, credit, ensure_valid};
use crate::api::{AppError, CodeSent, DeliveryNote, IdentityStatus};
use crate::backend::audit::{self, Actor};
use crate::backend::auth::session::CurrentUser;
use crate::backend::db::{DbError, accounts, identity, notices, rate_limit};
use crate::backend::{AppState, now_ms, random_token, sha256_hex};
use crate::domain::application::KnownIdentity;
use crate::domain::catalogue::IdentityLevel;
use crate::domain::field::FieldErrors;
use crate::domain::{Field, FieldError, LoginId, PersonName, Problem, ResidentId, TotpCode};

/// How long a one-time code stays valid.
pub const CODE_MINUTES: u32 = 10;
const CODE_MS: i64 = CODE_MINUTES as i64 * 60_000;
/// Wrong tries a code survives.
pub const CODE_TRIES: i64 = 5;
const HOUR_MS: i64 = 3_600_000;

/// What a one-time code is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodePurpose {
    ConfirmContact,
    SignCommitment,
}

impl CodePurpose {
    const fn code(self) -> &'static str {
        match self {
            CodePurpose::ConfirmContact => "confirm_contact",
            CodePurpose::SignCommitment => "sign_commitment",
        }
    }
}

/// The identity level an identity row amounts to.
pub fn level_of(row: &identity::IdentityRow) -> Option<IdentityLevel> {
    row.contact_confirmed_at?;
    if row.registry_matched_at.is_none() {
        return Some(IdentityLevel::L1);
    }
    if row.person_checked_at.is_none() {
        return Some(IdentityLevel::L2);
    }
    Some(IdentityLevel::L3)
}

fn delivery_note(state: &AppState, login: &LoginId) -> Option<DeliveryNote> {
    match login {
        LoginId::Phone(_) => Some(DeliveryNote::SmsToLog),
        LoginId::Email(_) if state.config.smtp.is_none() => Some(DeliveryNote::MailToFiles),
        LoginId::Email(_) => None,
    }
}

async fn account_login(
    conn: &mut sqlx::AnyConnection,
    user_id: i64,
) -> ServiceResult<(accounts::UserRow, LoginId)> {
    let user = accounts::find_by_id(conn, user_id)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    let login = stored_login(user_id, &user.login)?;
    Ok((user, login))
}

/// The account's login with its identity row, read together (one statement).
async fn login_and_identity(
    conn: &mut sqlx::AnyConnection,
    user_id: i64,
) -> ServiceResult<(LoginId, identity::IdentityRow)> {
    let row = identity::login_identity(conn, user_id)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    Ok((stored_login(user_id, &row.login)?, row.identity))
}

/// A login as stored: one that no longer parses is a fault of this server, not of the user.
fn stored_login(user_id: i64, login: &str) -> ServiceResult<LoginId> {
    Ok(LoginId::parse(login).map_err(|_| {
        tracing::error!(user_id, "stored login does not parse");
        AppError::Internal
    })?)
}

/// What the account page shows.
pub async fn status(state: &AppState, user: &CurrentUser) -> ServiceResult<IdentityStatus> {
    let mut conn = state.db.read().await?;
    let (login, row) = login_and_identity(&mut conn, user.user_id).await?;
    let findings = match &row.resident_id {
        Some(resident_id) => credit::findings(&mut conn, std::slice::from_ref(resident_id)).await?,
        None => Vec::new(),
    };
    let person_check = identity::latest_check(&mut conn, user.user_id)
        .await?
        .map(|check| crate::api::PersonCheckState {
            status: check.status,
            reason: check.reason,
            submitted_at: check.submitted_at,
        });
    let id_card_photo = identity::latest_photo(&mut conn, user.user_id, "id_card")
        .await?
        .map(|photo| photo.public_id);
    let selfie_photo = identity::latest_photo(&mut conn, user.user_id, "selfie")
        .await?
        .map(|photo| photo.public_id);
    Ok(IdentityStatus {
        person_check,
        id_card_photo,
        selfie_photo,
        level: level_of(&row),
        contact_kind: match login {
            LoginId::Phone(_) => "phone".into(),
            LoginId::Email(_) => "email".into(),
        },
        contact_masked: login.masked(),
        contact_confirmed: row.contact_confirmed_at.is_some(),
        legal_name_masked: row.legal_name.as_deref().map(mask_name),
        resident_id_masked: row
            .resident_id
            .as_deref()
            .and_then(|id| ResidentId::parse(id).ok())
            .map(|id| id.masked()),
        person_checked: row.person_checked_at.is_some(),
        credit_level: crate::domain::case::credit_level(&findings),
        credit_findings: findings,
        delivery_note: delivery_note(state, &login),
    })
}

/// `张*` / `欧阳**`: the first character, the rest masked.
pub fn mask_name(name: &str) -> String {
    let mut chars = name.chars();
    let first: String = chars.next().into_iter().collect();
    format!("{first}{}", "*".repeat(chars.count()))
}

/// What the account knows of the applicant, to prefill forms.
pub async fn known_identity(
    conn: &mut sqlx::AnyConnection,
    user_id: i64,
) -> ServiceResult<(KnownIdentity, Option<IdentityLevel>, identity::IdentityRow)> {
    let (login, row) = login_and_identity(conn, user_id).await?;
    let (phone, email) = match &login {
        LoginId::Phone(phone) => (Some(phone.as_str().to_owned()), None),
        LoginId::Email(email) => (None, Some(email.as_str().to_owned())),
    };
    Ok((
        KnownIdentity {
            legal_name: row.legal_name.clone(),
            resident_id: row.resident_id.clone(),
            phone,
            email,
        },
        level_of(&row),
        row,
    ))
}

fn six_digits() -> String {
    use rand::Rng;
    format!("{:06}", rand::rngs::OsRng.gen_range(0..1_000_000))
}

fn code_hash(code_id: &str, code: &str) -> String {
    // The id salts the hash so equal codes of different requests hash differently.
    sha256_hex(format!("{code_id}:{code}"))
}

/// Sends a one-time code to the account's phone or email (through the outbox, in the same
/// transaction as the code row). Asking again replaces the earlier code.
pub async fn send_code(
    state: &AppState,
    actor: &Actor,
    user: &CurrentUser,
    purpose: CodePurpose,
) -> ServiceResult<CodeSent> {
    let now = now_ms();
    let mut tx = state.db.begin_write().await?;
    let hits = rate_limit::hit(
        &mut tx,
        &format!("code:{}:{}", purpose.code(), user.user_id),
        HOUR_MS,
        now,
    )
    .await?;
    if hits > state.config.codes_per_account_per_hour {
        tx.rollback().await?;
        let next = rate_limit::window_start(now, HOUR_MS) + HOUR_MS;
        return Err(AppError::RateLimited {
            retry_after_secs: u64::try_from((next - now + 999) / 1000).unwrap_or(60),
        }
        .into());
    }
    let (_, login) = account_login(&mut tx, user.user_id).await?;
    let code = six_digits();
    let id = random_token(16);
    let (channel, destination) = match &login {
        LoginId::Phone(phone) => ("sms", phone.as_str().to_owned()),
        LoginId::Email(email) => ("email", email.as_str().to_owned()),
    };
    identity::insert_code(
        &mut tx,
        identity::NewCode {
            id: &id,
            user_id: user.user_id,
            purpose: purpose.code(),
            channel,
            destination: &destination,
            code_hash: &code_hash(&id, &code),
            now,
            expires_at: now + CODE_MS,
        },
    )
    .await?;
    let (subject, body) = crate::i18n::code_message(&code, CODE_MINUTES);
    notices::enqueue(
        &mut tx,
        notices::NewMessage {
            channel,
            recipient: &destination,
            subject: &subject,
            body: &body,
            sensitive: true,
            now,
        },
    )
    .await?;
    audit::record(
        &mut tx,
        actor,
        "identity.code_sent",
        &format!("user:{}", user.user_id),
        json!({ "purpose": purpose.code(), "channel": channel, "to": login.masked() }),
    )
    .await?;
    tx.commit().await?;
    Ok(CodeSent {
        destination_masked: login.masked(),
        valid_minutes: CODE_MINUTES,
        delivery_note: delivery_note(state, &login),
    })
}

/// Checks a typed code against the newest code of the purpose and uses it up. Counts the try
/// in its own transaction first, so wrong tries count even though the caller's change does not
/// happen. Gives the code's id (the proof recorded with what it confirmed).
pub async fn check_code(
    state: &AppState,
    user_id: i64,
    purpose: CodePurpose,
    typed: &str,
) -> ServiceResult<String> {
    let typed = TotpCode::parse(typed)
        .map_err(|problem| AppError::invalid(vec![FieldError::new(Field::OneTimeCode, problem)]))?;
    let refuse = |problem| -> ServiceResult<String> {
        Err(AppError::invalid(vec![FieldError::new(Field::OneTimeCode, problem)]).into())
    };
    let now = now_ms();
    let mut tx = state.db.begin_write().await?;
    let Some(code) = identity::latest_code(&mut tx, user_id, purpose.code()).await? else {
        return refuse(Problem::NoCodeRequested);
    };
    if code.used_at.is_some() || code.attempts >= CODE_TRIES {
        return refuse(Problem::CodeUsedUp);
    }
    if code.expires_at < now {
        return refuse(Problem::CodeExpired);
    }
    identity::count_attempt(&mut tx, &code.id).await?;
    let matches = code_hash(&code.id, typed.as_str()) == code.code_hash;
    if matches && !identity::use_code(&mut tx, &code.id, now).await? {
        tx.commit().await?;
        return refuse(Problem::CodeUsedUp);
    }
    tx.commit().await?;
    if matches {
        Ok(code.id)
    } else {
        refuse(Problem::CodeMismatch)
    }
}

/// Level 1: the applicant typed the code sent to their phone or email.
pub async fn confirm_contact(
    state: &AppState,
    actor: &Actor,
    user: &CurrentUser,
    typed: &str,
) -> ServiceResult<()> {
    let proof = check_code(state, user.user_id, CodePurpose::ConfirmContact, typed).await?;
    let mut tx = state.db.begin_write().await?;
    identity::confirm_contact(&mut tx, user.user_id, now_ms()).await?;
    audit::record(
        &mut tx,
        actor,
        "identity.contact_confirmed",
        &format!("user:{}", user.user_id),
        json!({ "code": &proof[..8] }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Level 2: name and resident ID as on the card, matched against the population registry.
/// Bad checksums, unknown numbers, other names and numbers bound to another account are each
/// refused with their own message, and nothing changes.
pub async fn verify_resident(
    state: &AppState,
    actor: &Actor,
    user: &CurrentUser,
    legal_name: &str,
    resident_id: &str,
) -> ServiceResult<()> {
    let mut errors = FieldErrors::new();
    let name = errors.check(Field::LegalName, PersonName::parse(legal_name));
    let id = errors.check(
        Field::ResidentId,
        ResidentId::parse(resident_id).map_err(Problem::BadResidentId),
    );
    ensure_valid(errors)?;
    let (Some(name), Some(id)) = (name, id) else {
        return Err(AppError::Internal.into());
    };
    let mut tx = state.db.begin_write().await?;
    let current = identity::identity(&mut tx, user.user_id).await?;
    if current.contact_confirmed_at.is_none() {
        return Err(AppError::IdentityTooLow {
            needed: IdentityLevel::L1,
            have: None,
        }
        .into());
    }
    let Some(person) = identity::find_registry_person(&mut tx, id.as_str()).await? else {
        return Err(AppError::invalid(vec![FieldError::new(
            Field::ResidentId,
            Problem::NotInRegistry,
        )])
        .into());
    };
    if person.name != name.as_str() {
        return Err(AppError::invalid(vec![FieldError::new(
            Field::LegalName,
            Problem::NameMismatch,
        )])
        .into());
    }
    match identity::bind_resident(&mut tx, user.user_id, id.as_str(), name.as_str(), now_ms()).await
    {
        Ok(()) => {}
        Err(DbError::UniqueViolation { .. }) => {
            return Err(AppError::Conflict(vec![FieldError::new(
                Field::ResidentId,
                Problem::ResidentIdTaken,
            )])
            .into());
        }
        Err(other) => return Err(other.into()),
    }
    let findings = credit::findings(&mut tx, &[id.as_str().to_owned()]).await?;
    audit::record(
        &mut tx,
        actor,
        "identity.registry_matched",
        &format!("user:{}", user.user_id),
        json!({
            "resident_id": id.masked(),
            "credit": crate::domain::case::credit_level(&findings).code(),
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Adds registry people (CLI import and demo seeding); returns how many were written.
pub async fn import_registry(
    state: &AppState,
    people: &[(ResidentId, String)],
) -> ServiceResult<usize> {
    let now = now_ms();
    let mut tx = state.db.begin_write().await?;
    for (id, name) in people {
        identity::upsert_registry_person(&mut tx, id.as_str(), name, now).await?;
    }
    audit::record(
        &mut tx,
        &Actor::system("cli"),
        "registry.import",
        "population_registry",
        json!({ "people": people.len() }),
    )
    .await?;
    tx.commit().await?;
    Ok(people.len())
}

/// Level 3, step one: asks the front desk to compare the newest ID-card photo and selfie.
pub async fn request_person_check(
    state: &AppState,
    actor: &Actor,
    user: &CurrentUser,
) -> ServiceResult<()> {
    let now = now_ms();
    let mut tx = state.db.begin_write().await?;
    let row = identity::identity(&mut tx, user.user_id).await?;
    let level = level_of(&row);
    if level.is_none_or(|level| level < IdentityLevel::L2) {
        return Err(AppError::IdentityTooLow {
            needed: IdentityLevel::L2,
            have: level,
        }
        .into());
    }
    if identity::latest_check(&mut tx, user.user_id)
        .await?
        .is_some_and(|check| check.status == "pending")
    {
        return Err(AppError::ChangedMeanwhile.into());
    }
    let (Some(id_card), Some(selfie)) = (
        identity::latest_photo(&mut tx, user.user_id, "id_card").await?,
        identity::latest_photo(&mut tx, user.user_id, "selfie").await?,
    ) else {
        return Err(
            AppError::invalid(vec![FieldError::new(Field::File, Problem::Required)]).into(),
        );
    };
    let public_id = random_token(12);
    identity::insert_person_check(
        &mut tx,
        &public_id,
        user.user_id,
        id_card.id,
        selfie.id,
        now,
    )
    .await?;
    audit::record(
        &mut tx,
        actor,
        "identity.person_check_requested",
        &format!("user:{}", user.user_id),
        json!({ "check": public_id }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The checks waiting for the front desk, oldest first.
pub async fn pending_person_checks(
    state: &AppState,
) -> ServiceResult<Vec<crate::api::PersonCheckReview>> {
    let mut conn = state.db.read().await?;
    Ok(identity::pending_checks(&mut conn)
        .await?
        .into_iter()
        .map(|check| crate::api::PersonCheckReview {
            id: check.public_id,
            legal_name: check.legal_name.unwrap_or_default(),
            resident_id_masked: check
                .resident_id
                .as_deref()
                .and_then(|id| ResidentId::parse(id).ok())
                .map(|id| id.masked())
                .unwrap_or_default(),
            id_card_photo: check.id_card,
            selfie_photo: check.selfie,
            submitted_at: check.submitted_at,
        })
        .collect())
}

/// The front desk's decision on a check: approval gives level 3; a refusal needs a reason,
/// which the applicant sees. Either way the applicant is notified.
pub async fn decide_person_check(
    state: &AppState,
    actor: &Actor,
    reviewer: &CurrentUser,
    check_id: &str,
    approve: bool,
    reason: &str,
) -> ServiceResult<()> {
    let reason = reason.trim();
    if !approve && reason.is_empty() {
        return Err(
            AppError::invalid(vec![FieldError::new(Field::Reason, Problem::Required)]).into(),
        );
    }
    if reason.chars().count() > 500 || reason.chars().any(char::is_control) {
        return Err(AppError::invalid(vec![FieldError::new(
            Field::Reason,
            Problem::TooLong { max: 500 },
        )])
        .into());
    }
    let now = now_ms();
    let mut tx = state.db.begin_write().await?;
    let check = identity::check_by_public_id(&mut tx, check_id)
        .await?
        .ok_or(crate::backend::db::DbError::NotFound)?;
    let reason = (!reason.is_empty()).then_some(reason);
    if !identity::decide_check(&mut tx, check.id, approve, reason, reviewer.user_id, now).await? {
        return Err(AppError::ChangedMeanwhile.into());
    }
    if approve {
        identity::mark_person_checked(&mut tx, check.user_id, now).await?;
    }
    let kind = if approve {
        "person_check_approved"
    } else {
        "person_check_refused"
    };
    notices::notify(&mut tx, check.user_id, None, kind, now).await?;
    audit::record(
        &mut tx,
        actor,
        &format!("identity.{kind}"),
        &format!("user:{}", check.user_id),
        json!({ "check": check.public_id, "reason": reason }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A CSV row that could not be imported: its line number (the header is line 1) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedRow {
    pub line: u64,
    pub reason: String,
}

/// Reads the rows of a CSV file with a header: each row with its line number (the header is
/// line 1), or why it could not be read, after applying `parse` to it.
pub fn read_csv_rows<T>(
    bytes: &[u8],
    mut parse: impl FnMut(&csv::StringRecord) -> Result<T, String>,
) -> (Vec<T>, Vec<RejectedRow>) {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(bytes);
    let mut good = Vec::new();
    let mut rejected = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let line = index as u64 + 2;
        match record
            .map_err(|error| error.to_string())
            .and_then(|record| parse(&record))
        {
            Ok(value) => good.push(value),
            Err(reason) => rejected.push(RejectedRow { line, reason }),
        }
    }
    (good, rejected)
}

/// Reads a population-registry CSV (`resident_id,name`, with that header): the good rows and
/// every bad row with its line and reason.
pub fn read_registry_csv(bytes: &[u8]) -> (Vec<(ResidentId, String)>, Vec<RejectedRow>) {
    read_csv_rows(bytes, |record| {
        let (Some(id), Some(name)) = (record.get(0), record.get(1)) else {
            return Err("needs two columns: resident_id,name".into());
        };
        match (ResidentId::parse(id), PersonName::parse(name)) {
            (Ok(id), Ok(name)) => Ok((id, name.as_str().to_owned())),
            (Err(problem), _) => Err(format!("resident_id: {problem}")),
            (_, Err(problem)) => Err(format!("name: {problem:?}")),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_masked_after_the_first_character() {
        assert_eq!(mask_name("张三"), "张*");
        assert_eq!(mask_name("欧阳小明"), "欧***");
    }

    #[test]
    fn a_registry_csv_loads_good_rows_and_names_the_line_of_bad_ones() {
        let csv = "resident_id,name\n11010519491231002X,张三\n110105194912310021,李四\n,王五\n";
        let (people, rejected) = read_registry_csv(csv.as_bytes());
        assert_eq!(people.len(), 1);
        assert_eq!(
            rejected.iter().map(|row| row.line).collect::<Vec<_>>(),
            [3, 4]
        );
        assert!(rejected[0].reason.contains("check character"));
    }

    #[test]
    fn levels_follow_the_steps_done() {
        let mut row = identity::IdentityRow::default();
        assert_eq!(level_of(&row), None);
        row.contact_confirmed_at = Some(1);
        assert_eq!(level_of(&row), Some(IdentityLevel::L1));
        row.registry_matched_at = Some(2);
        assert_eq!(level_of(&row), Some(IdentityLevel::L2));
        row.person_checked_at = Some(3);
        assert_eq!(level_of(&row), Some(IdentityLevel::L3));
    }
}
