//! The applicant's applications: drafts saved as they type (resumable on any device), the
//! submission that turns a draft into a case, and 我的办件 (cases, drafts, the timeline).
//!
//! Ownership is part of every query: another applicant's draft or case is "not found", the
//! same answer as a number that does not exist. A draft is the applicant's own working copy:
//! its creation is audited, its autosaves are not (they are not official records and would
//! flood the chain). Submission and withdrawal are audited, in one transaction with the case,
//! its timeline entry, the in-app notification and the acknowledgement mail.

use std::collections::BTreeMap;

use serde_json::json;

use super::catalogue::decode;
use super::kept_at_revision::KeptAtRevision;
use super::{ServiceResult, credit, identity};
use crate::api::{
    AppError, ApplicationDraft, CaseDetail, CaseSummary, DraftSaved, DraftSummary, FiledItem,
    FiledMaterial, FilledField, MyApplications, Notification, TimelineStep, UploadedFile,
};
use crate::backend::audit::{self, Actor};
use crate::backend::auth::session::CurrentUser;
use crate::backend::db::{Batch, DbError, Written, cases, catalogue, materials, notices};
use crate::backend::{AppState, now_ms, random_token};
use crate::domain::application::FormLayout;
use crate::domain::case::{CaseNumber, CaseStatus, CreditLevel, TargetKind, credit_level};
use crate::domain::catalogue::{BundleSpec, FieldType, IdentityLevel, ServiceItemSpec, Text};
use crate::domain::form_values::{FieldValue, RawValue};

/// The name pre-review and submission give the commitment letter when it is not signed.
pub const COMMITMENT: &str = "commitment";

/// Longest stored form (all values as JSON): far above any real form, a bound for abuse.
const MAX_FORM_BYTES: usize = 256 * 1024;

/// What an application is filed against, at its current published versions.
pub struct Target {
    pub kind: TargetKind,
    pub code: String,
    pub title: Text,
    pub bundle_version: Option<i64>,
    /// The items with their current versions.
    pub items: Vec<(ServiceItemSpec, i64)>,
    pub layout: FormLayout,
}

impl Target {
    /// The highest identity level any of the items needs.
    pub fn identity_needed(&self) -> IdentityLevel {
        self.items
            .iter()
            .map(|(item, _)| item.identity_level)
            .max()
            .unwrap_or(IdentityLevel::L1)
    }
}

/// Loads the current published version of an item or bundle (and of each bundle item).
pub async fn load_target(
    conn: &mut sqlx::AnyConnection,
    kind: TargetKind,
    code: &str,
) -> ServiceResult<Target> {
    match kind {
        TargetKind::Item => {
            let stored = catalogue::item_version(conn, code, None)
                .await?
                .ok_or(DbError::NotFound)?;
            let item: ServiceItemSpec = decode(&stored.spec)?;
            Ok(Target {
                kind,
                code: item.code.clone(),
                title: item.name.clone(),
                bundle_version: None,
                layout: FormLayout::for_item(&item),
                items: vec![(item, stored.version)],
            })
        }
        TargetKind::Bundle => {
            let stored = catalogue::current_bundle(conn, code)
                .await?
                .ok_or(DbError::NotFound)?;
            let bundle: BundleSpec = decode(&stored.spec)?;
            let codes: Vec<&str> = bundle.items.iter().map(String::as_str).collect();
            let current = catalogue::current_item_versions(conn, &codes).await?;
            let mut items = Vec::with_capacity(bundle.items.len());
            for item_code in &bundle.items {
                // A bundle is published only with published items; a withdrawn one makes the
                // bundle unavailable rather than silently smaller.
                let stored_item = current.get(item_code).ok_or(DbError::NotFound)?;
                items.push((
                    decode::<ServiceItemSpec>(&stored_item.spec)?,
                    stored_item.version,
                ));
            }
            let specs: Vec<ServiceItemSpec> = items.iter().map(|(item, _)| item.clone()).collect();
            Ok(Target {
                kind,
                code: bundle.code.clone(),
                title: bundle.name.clone(),
                bundle_version: Some(stored.version),
                layout: FormLayout::for_bundle(&bundle.shared_fields, &specs),
                items,
            })
        }
    }
}

/// What applicants apply for, parsed, kept in memory with the catalogue revision it was read
/// at. Every change of the catalogue moves the revision (triggers do, on whichever node the
/// change is made), and a submission reads the revision in a statement it runs anyway: a
/// bundle's spec and its items' specs (23 KB of JSON for 开办餐饮店) are read and parsed again
/// only when it moved. Bounded by the catalogue: only targets found in it are kept.
#[derive(Default)]
pub struct TargetCache {
    items: KeptAtRevision<String, Target>,
    bundles: KeptAtRevision<String, Target>,
}

impl TargetCache {
    /// The current target `kind` `code` at `revision` (read just before), from memory when it
    /// was kept at that revision. Without a revision (the counter row is missing) it is read
    /// and not kept.
    pub async fn at_revision(
        &self,
        conn: &mut sqlx::AnyConnection,
        revision: Option<i64>,
        kind: TargetKind,
        code: &str,
    ) -> ServiceResult<std::sync::Arc<Target>> {
        let kept = match kind {
            TargetKind::Item => &self.items,
            TargetKind::Bundle => &self.bundles,
        };
        kept.get_or_read(revision, code, load_target(conn, kind, code))
            .await
    }
}

pub(crate) fn parse_values(json: &str) -> ServiceResult<BTreeMap<String, RawValue>> {
    decode(json)
}

fn uploaded_file(row: materials::MaterialRow) -> Option<UploadedFile> {
    Some(UploadedFile {
        file_type: crate::domain::catalogue::FileType::parse(&row.file_type)?,
        id: row.public_id,
        material_name: row.material_name,
        file_name: row.file_name,
        size_bytes: u64::try_from(row.size_bytes).unwrap_or(0),
    })
}

/// The files of a draft.
pub(crate) async fn files_of(
    conn: &mut sqlx::AnyConnection,
    draft_id: i64,
) -> ServiceResult<Vec<UploadedFile>> {
    Ok(materials::of_draft(conn, draft_id)
        .await?
        .into_iter()
        .filter_map(uploaded_file)
        .collect())
}

pub(crate) fn draft_view(
    row: &cases::DraftRow,
    target: Target,
    values: BTreeMap<String, RawValue>,
    identity_level: Option<IdentityLevel>,
    case_number: Option<String>,
    files: Vec<UploadedFile>,
    commitment: crate::api::CommitmentLetter,
) -> ApplicationDraft {
    ApplicationDraft {
        draft_id: row.public_id.clone(),
        revision: row.revision,
        target_kind: target.kind,
        identity_needed: target.identity_needed(),
        target_code: target.code,
        title: target.title,
        layout: target.layout,
        values,
        identity_level,
        updated_at: row.updated_at,
        case_number,
        files,
        commitment,
        filed_by_worker: row.filed_by.is_some(),
    }
}

/// Starts an application for an item or bundle: a draft prefilled from the verified identity.
pub async fn start(
    state: &AppState,
    actor: &Actor,
    user: &CurrentUser,
    kind: TargetKind,
    code: &str,
) -> ServiceResult<ApplicationDraft> {
    let now = now_ms();
    let mut tx = state.db.begin_write().await?;
    let target = load_target(&mut tx, kind, code).await?;
    let (known, level, _) = identity::known_identity(&mut tx, user.user_id).await?;
    let values = target.layout.prefill(&known);
    let letter = super::commitments::letter_for(&target, &known);
    let values_json = serde_json::to_string(&values).map_err(anyhow::Error::from)?;
    let public_id = random_token(12);
    let draft_id = cases::insert_draft(
        &mut tx,
        cases::NewDraft {
            public_id: &public_id,
            applicant_id: user.user_id,
            target_kind: kind.code(),
            target_code: &target.code,
            form_values: &values_json,
            filed_by: None,
            filed_centre: None,
            now,
        },
    )
    .await?;
    audit::record(
        &mut tx,
        actor,
        "application.start",
        &format!("draft:{draft_id}"),
        json!({ "target": kind.code(), "code": &target.code }),
    )
    .await?;
    tx.commit().await?;
    let row = cases::DraftRow {
        id: draft_id,
        public_id,
        applicant_id: user.user_id,
        target_kind: kind.code().into(),
        target_code: target.code.clone(),
        form_values: values_json,
        revision: 1,
        created_at: now,
        updated_at: now,
        case_id: None,
        filed_by: None,
        filed_centre: None,
    };
    // A new draft has no signature yet.
    let commitment = super::commitments::letter_view(letter, None);
    Ok(draft_view(
        &row,
        target,
        values,
        level,
        None,
        Vec::new(),
        commitment,
    ))
}

async fn own_draft(
    conn: &mut sqlx::AnyConnection,
    user: &CurrentUser,
    draft_id: &str,
) -> ServiceResult<cases::DraftRow> {
    Ok(cases::draft_of(conn, user.draft_holder(), draft_id)
        .await?
        .ok_or(DbError::NotFound)?)
}

fn target_kind_of(row: &cases::DraftRow) -> ServiceResult<TargetKind> {
    TargetKind::parse(&row.target_kind)
        .ok_or_else(|| DbError::Sqlx(sqlx::Error::Decode("unknown target kind".into())).into())
}

/// A draft of the signed-in applicant with its form at the current catalogue versions.
pub async fn load(
    state: &AppState,
    user: &CurrentUser,
    draft_id: &str,
) -> ServiceResult<ApplicationDraft> {
    let mut conn = state.db.read().await?;
    let row = own_draft(&mut conn, user, draft_id).await?;
    let target = load_target(&mut conn, target_kind_of(&row)?, &row.target_code).await?;
    // The applicant's identity, also when a worker fills the draft in for them.
    let (known, level, _) = identity::known_identity(&mut conn, row.applicant_id).await?;
    let case_number = match row.case_id {
        Some(case_id) => cases::case_by_id(&mut conn, case_id)
            .await?
            .map(|case| case.number),
        None => None,
    };
    let values = parse_values(&row.form_values)?;
    let files = files_of(&mut conn, row.id).await?;
    let letter = super::commitments::letter_for(&target, &known);
    let commitment = super::commitments::letter_of(&mut conn, row.id, letter).await?;
    Ok(draft_view(
        &row,
        target,
        values,
        level,
        case_number,
        files,
        commitment,
    ))
}

/// Checks that values fit in size and that every name belongs to the form (a client sending
/// other names is not our form: refused as a whole).
fn check_shape(layout: &FormLayout, values: &BTreeMap<String, RawValue>) -> ServiceResult<String> {
    if !layout.unknown_names(values).is_empty() {
        return Err(AppError::invalid(Vec::new()).into());
    }
    let json = serde_json::to_string(values).map_err(anyhow::Error::from)?;
    if json.len() > MAX_FORM_BYTES {
        return Err(AppError::invalid(Vec::new()).into());
    }
    Ok(json)
}

/// Autosave: replaces the draft's values if the draft is still at `revision` (409 otherwise:
/// another tab or device saved meanwhile). Incomplete values are fine in a draft; only names
/// the form does not have and absurd sizes are refused.
pub async fn save(
    state: &AppState,
    user: &CurrentUser,
    draft_id: &str,
    revision: i64,
    values: &BTreeMap<String, RawValue>,
) -> ServiceResult<DraftSaved> {
    let now = now_ms();
    let mut tx = state.db.begin_write().await?;
    let row = own_draft(&mut tx, user, draft_id).await?;
    if row.case_id.is_some() {
        return Err(AppError::ChangedMeanwhile.into());
    }
    let target = load_target(&mut tx, target_kind_of(&row)?, &row.target_code).await?;
    let json = check_shape(&target.layout, values)?;
    let Some(new_revision) =
        cases::update_draft_values(&mut tx, row.id, revision, &json, now).await?
    else {
        return Err(AppError::ChangedMeanwhile.into());
    };
    tx.commit().await?;
    Ok(DraftSaved {
        revision: new_revision,
        updated_at: now,
    })
}

/// Deletes an unsubmitted draft.
pub async fn discard(
    state: &AppState,
    actor: &Actor,
    user: &CurrentUser,
    draft_id: &str,
) -> ServiceResult<()> {
    let mut tx = state.db.begin_write().await?;
    let row = own_draft(&mut tx, user, draft_id).await?;
    if !cases::delete_open_draft(&mut tx, row.id).await? {
        return Err(AppError::ChangedMeanwhile.into());
    }
    audit::record(
        &mut tx,
        actor,
        "application.discard",
        &format!("draft:{}", row.id),
        json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Removes an uploaded file from an unsubmitted draft of the applicant.
pub async fn remove_file(
    state: &AppState,
    actor: &Actor,
    user: &CurrentUser,
    draft_id: &str,
    file_id: &str,
) -> ServiceResult<()> {
    let mut tx = state.db.begin_write().await?;
    let row = own_draft(&mut tx, user, draft_id).await?;
    let file = materials::by_public_id(&mut tx, file_id)
        .await?
        .filter(|file| file.draft_id == row.id)
        .ok_or(DbError::NotFound)?;
    let removed = match row.case_id {
        None => materials::remove_from_open_draft(&mut tx, file.id, now_ms()).await?,
        // A submitted case: only a material its open correction notice lists.
        Some(case_id) => {
            super::back_office::correctable_layout(&mut tx, case_id, &file.material_name)
                .await?
                .ok_or(AppError::ChangedMeanwhile)?;
            materials::remove(&mut tx, file.id, now_ms()).await?
        }
    };
    if !removed {
        return Err(AppError::ChangedMeanwhile.into());
    }
    audit::record(
        &mut tx,
        actor,
        "material.remove",
        &format!("draft:{}", row.id),
        json!({ "file": file_id }),
    )
    .await?;
    tx.commit().await?;
    // The record is gone; the bytes go after (a crash here leaves an unreferenced file only).
    if let Err(error) = state.files.remove(&file.file_key).await {
        tracing::warn!(error = %format!("{error:#}"), "could not delete a removed upload");
    }
    Ok(())
}

/// The resident IDs and credit codes a credit check looks at: the applicant's verified ID and
/// every resident ID or credit code the form names.
fn credit_subjects(
    layout: &FormLayout,
    values: &BTreeMap<String, RawValue>,
    resident_id: Option<&str>,
) -> Vec<String> {
    let mut subjects: Vec<String> = resident_id.map(str::to_owned).into_iter().collect();
    for laid_out in layout.fields() {
        if !matches!(
            laid_out.field.field_type,
            FieldType::ResidentId | FieldType::CreditCode
        ) {
            continue;
        }
        let subject = match laid_out.field.parse_value(values.get(&laid_out.name)) {
            Ok(Some(FieldValue::ResidentId(id))) => id.as_str().to_owned(),
            Ok(Some(FieldValue::CreditCode(code))) => code.as_str().to_owned(),
            _ => continue,
        };
        if !subjects.contains(&subject) {
            subjects.push(subject);
        }
    }
    subjects
}

/// What the checks of a submission found, read before the write turn: everything the case
/// is made of, with what is serialised for its rows serialised already (the write turn is one
/// at a time for the whole server: what can be done before it is done before it).
struct CheckedSubmission {
    row: cases::DraftRow,
    target: std::sync::Arc<Target>,
    level: Option<IdentityLevel>,
    /// The form's values as stored in `cases.form_values`.
    values_json: String,
    files: Vec<UploadedFile>,
    signed: super::commitments::LetterSigned,
    /// Where the "submitted" mail goes (none for phone accounts).
    mail_to: Option<String>,
    /// The credit findings as stored in `cases.credit_detail`.
    credit_detail: String,
    credit: CreditLevel,
    calendar: std::sync::Arc<crate::domain::calendar::WorkingCalendar>,
    /// The detail of the `case.submit` audit entry.
    audit_detail: serde_json::Value,
}

enum Checked {
    /// The draft is a case already (a repeated click): its number.
    Submitted(String),
    /// A credit record in force excludes the applicant from an item.
    CreditBlocked(i64, Vec<crate::domain::case::CreditFinding>),
    Ready(Box<CheckedSubmission>),
}

/// The number of the case a submitted draft became (a repeated submission answers with it).
async fn case_number_of(conn: &mut sqlx::AnyConnection, case_id: i64) -> ServiceResult<String> {
    Ok(cases::case_by_id(conn, case_id)
        .await?
        .ok_or(DbError::NotFound)?
        .number)
}

/// The read-only part of a submission: the draft, the catalogue versions, the identity level,
/// the form rules, the materials, the signed letter, the credit check and the calendar.
async fn check_submission(
    conn: &mut sqlx::AnyConnection,
    calendars: &super::back_office::CalendarCache,
    targets: &TargetCache,
    user: &CurrentUser,
    draft_id: &str,
) -> ServiceResult<Checked> {
    let cases::DraftToSubmit {
        draft: row,
        newest_signature,
        calendar_revision,
        catalogue_revision,
    } = cases::draft_to_submit(conn, user.draft_holder(), draft_id)
        .await?
        .ok_or(DbError::NotFound)?;
    if let Some(case_id) = row.case_id {
        return Ok(Checked::Submitted(case_number_of(conn, case_id).await?));
    }
    let target = targets
        .at_revision(
            conn,
            catalogue_revision,
            target_kind_of(&row)?,
            &row.target_code,
        )
        .await?;
    let (known, level, identity_row) = identity::known_identity(conn, user.user_id).await?;
    let needed = target.identity_needed();
    if level.is_none_or(|level| level < needed) {
        return Err(AppError::IdentityTooLow {
            needed,
            have: level,
        }
        .into());
    }
    let values = parse_values(&row.form_values)?;
    if !target.layout.unknown_names(&values).is_empty() {
        // The catalogue changed since the draft was saved: fields it no longer has go.
        tracing::info!(
            draft = row.id,
            "dropping values of fields the form no longer has"
        );
    }
    let values: BTreeMap<String, RawValue> = values
        .into_iter()
        .filter(|(name, _)| target.layout.field(name).is_some())
        .collect();
    let files = files_of(conn, row.id).await?;
    let mut problems = target.layout.problems(&values);
    problems.extend(
        target
            .layout
            .missing_materials(files.iter().map(|file| file.material_name.as_str())),
    );
    let letter = super::commitments::letter_for(&target, &known);
    let newest_signature = newest_signature
        .as_ref()
        .map(|(id, letter_sha256)| (*id, letter_sha256.as_str()));
    let signed = super::commitments::signed_by(letter.as_deref(), newest_signature);
    if !signed.is_signed() {
        problems.push(crate::domain::application::FormProblem {
            name: COMMITMENT.into(),
            problem: crate::domain::form_values::ValueProblem::Required,
        });
    }
    if !problems.is_empty() {
        return Err(AppError::FormInvalid(problems).into());
    }

    let subjects = credit_subjects(&target.layout, &values, identity_row.resident_id.as_deref());
    let findings = credit::findings(conn, &subjects).await?;
    let credit = credit_level(&findings);
    let excluded = target
        .items
        .iter()
        .any(|(item, _)| credit::excludes_dishonest(item));
    if credit == CreditLevel::Block && excluded {
        let blocking: Vec<_> = findings
            .into_iter()
            .filter(|finding| finding.level == CreditLevel::Block)
            .collect();
        return Ok(Checked::CreditBlocked(row.id, blocking));
    }
    let calendar = calendars.at_revision(conn, calendar_revision).await?;
    // The account's login, read with the identity above: the case mails go to it when it is
    // an email address (as `case_mail_recipient` would find).
    let mail_to = known.email;
    let audit_detail = json!({
        "draft": row.id,
        "target": target.kind.code(),
        "code": &target.code,
        "items": target.items.iter().map(|(item, version)| format!("{}@{version}", item.code)).collect::<Vec<_>>(),
        "credit": credit.code(),
    });
    Ok(Checked::Ready(Box::new(CheckedSubmission {
        values_json: serde_json::to_string(&values).map_err(anyhow::Error::from)?,
        credit_detail: serde_json::to_string(&findings).map_err(anyhow::Error::from)?,
        row,
        target,
        level,
        files,
        signed,
        mail_to,
        credit,
        calendar,
        audit_detail,
    })))
}

/// Turns the draft into a case: checks it (identity level, form rules, materials, signed
/// letter, credit), then writes the case, its items, timeline entry, notification, mail,
/// audit entry and first tasks in one transaction. Submitting a submitted draft again answers
/// with its case number.
///
/// The checks read on a pooled connection before the write turn: on SQLite the turn is one
/// writer at a time for the whole server, and every statement inside it is a round trip to
/// the database's thread, so their number bounds the submissions per second. Inside it
/// nothing is read: the draft is linked to its case only if what the applicant could have
/// changed meanwhile (the form, the files, the signature) is still as checked, in the same
/// statement (409 otherwise); the catalogue versions, identity level, credit records, calendar
/// and mail address are taken as of the check, a moment earlier.
pub async fn submit(
    state: &AppState,
    actor: &Actor,
    user: &CurrentUser,
    draft_id: &str,
) -> ServiceResult<String> {
    let now = now_ms();
    let checked = {
        let mut conn = state.db.read().await?;
        check_submission(&mut conn, &state.calendar, &state.targets, user, draft_id).await?
    };
    let checked = match checked {
        Checked::Submitted(number) => return Ok(number),
        Checked::CreditBlocked(draft, blocking) => {
            record_refused_submission(state, actor, draft, &blocking).await?;
            return Err(AppError::CreditBlocked(blocking).into());
        }
        Checked::Ready(checked) => *checked,
    };
    write_submission(state, actor, user, draft_id, now, checked).await
}

/// The write turn of [`submit`]: the case, its items, the draft linked to it (if unchanged
/// since the checks), timeline entry, notification, mail, audit entry and first tasks, in one
/// transaction — on a SQLite file shared with the other submissions queued at the same moment
/// (group commit, [`crate::backend::db::Db::write`]).
async fn write_submission(
    state: &AppState,
    actor: &Actor,
    user: &CurrentUser,
    draft_id: &str,
    now: i64,
    checked: CheckedSubmission,
) -> ServiceResult<String> {
    let job_state = state.clone();
    let job_actor = actor.clone();
    let applicant_id = user.user_id;
    // Shared with the job rather than moved into it, so that the checks' catalogue specs,
    // files and strings are freed here, on the request's thread, once the job has run — not by
    // the writer thread inside the write turn (freeing another thread's allocations there
    // took a quarter of the writer's time, docs/benchmarks.md).
    let checked = std::sync::Arc::new(checked);
    let job_checked = checked.clone();
    let number = state
        .db
        .write(move |conn| {
            Box::pin(async move {
                insert_submission(
                    conn,
                    &job_state,
                    &job_actor,
                    applicant_id,
                    now,
                    &job_checked,
                )
                .await
            })
        })
        .await?;
    drop(checked);
    match number {
        Some(number) => Ok(number),
        // Submitted by another request, or changed, since the checks: nothing was kept.
        None => submitted_meanwhile(state, user, draft_id).await,
    }
}

/// The statements of [`write_submission`], on its transaction: the new case's number, or
/// `None` (and nothing kept) when the draft was submitted or changed since the checks.
async fn insert_submission(
    conn: &mut sqlx::AnyConnection,
    state: &AppState,
    actor: &Actor,
    applicant_id: i64,
    now: i64,
    checked: &CheckedSubmission,
) -> ServiceResult<Written<Option<String>>> {
    let CheckedSubmission {
        row,
        target,
        level,
        values_json,
        files,
        signed,
        mail_to,
        credit_detail,
        credit,
        calendar,
        audit_detail,
    } = checked;
    let credit = *credit;
    let promised_days = target
        .items
        .iter()
        .map(|(item, _)| i64::from(item.promised_days))
        .max()
        .unwrap_or(0);
    let file_ids: Vec<&str> = files.iter().map(|file| file.id.as_str()).collect();
    let as_checked = cases::DraftAsChecked {
        revision: row.revision,
        file_ids: &file_ids,
        signature_id: signed.signature_id(),
    };
    let filed = cases::insert_submitted_case(
        conn,
        china_year(now),
        cases::NewCase {
            applicant_id,
            draft_id: row.id,
            target_kind: target.kind.code(),
            target_code: &target.code,
            bundle_version: target.bundle_version,
            title_zh: &target.title.zh,
            title_en: &target.title.en,
            status: CaseStatus::Submitted.code(),
            form_values: values_json,
            identity_level: level.map_or("none", identity_level_code),
            credit_level: credit.code(),
            credit_detail,
            needs_front_desk: credit == CreditLevel::Warn,
            promised_days,
            accept_due_at: super::back_office::acceptance_due_at(calendar, now),
            filed_by: row.filed_by,
            centre_code: row.filed_centre.as_deref(),
            now,
        },
        &as_checked,
    )
    .await;
    let (case, number) = match filed {
        Ok(cases::SubmittedCase::Filed { case, number }) => (*case, number),
        // Submitted by another request, or changed, since the checks: nothing is kept.
        Ok(cases::SubmittedCase::DraftChanged) => return Ok(Written::Discard(None)),
        Err(DbError::UniqueViolation { .. }) => {
            // A concurrent submission of the same draft committed first (`cases.draft_id` is
            // unique): its caller answers with that case.
            return Ok(Written::Discard(None));
        }
        Err(other) => return Err(other.into()),
    };
    let case_id = case.id;
    // What follows only adds rows nobody reads back in this transaction: sent together (one
    // round trip on SQLite, see `Batch`) by `after_submission`, with the case's departments,
    // before anything else is written.
    let mut written = Batch::for_connection(conn);
    let items: Vec<(&str, i64)> = target
        .items
        .iter()
        .map(|(item, version)| (item.code.as_str(), *version))
        .collect();
    cases::push_case_items(&mut written, case_id, &items);
    cases::push_event(
        &mut written,
        cases::NewEvent {
            case_id,
            at: now,
            kind: "submitted",
            actor_role: "applicant",
            actor_user_id: Some(applicant_id),
            note: None,
            deadline_at: None,
        },
    );
    notices::push_notification(&mut written, applicant_id, Some(case_id), "submitted", now);
    push_case_mail_to(
        &mut written,
        mail_to.as_deref(),
        number.as_str(),
        &target.title,
        "submitted",
        now,
    );
    audit::push_append(
        conn,
        &mut written,
        actor,
        "case.submit",
        &format!("case:{}", number.as_str()),
        audit_detail,
        now_ms(),
    )
    .await?;
    super::back_office::after_submission(
        conn, written, state, &case, target, credit, calendar, now,
    )
    .await?;
    Ok(Written::Keep(Some(number.as_str().to_owned())))
}

/// A submission whose draft was found submitted or changed in the write turn (after its
/// transaction was dropped): the case number when another request submitted it, 409 when the
/// applicant changed it after the checks.
async fn submitted_meanwhile(
    state: &AppState,
    user: &CurrentUser,
    draft_id: &str,
) -> ServiceResult<String> {
    let mut conn = state.db.read().await?;
    let row = own_draft(&mut conn, user, draft_id).await?;
    let case_id = row.case_id.ok_or(AppError::ChangedMeanwhile)?;
    case_number_of(&mut conn, case_id).await
}

/// A refused submission leaves the data as it was, but the refusal itself is recorded.
async fn record_refused_submission(
    state: &AppState,
    actor: &Actor,
    draft_id: i64,
    blocking: &[crate::domain::case::CreditFinding],
) -> ServiceResult<()> {
    let mut tx = state.db.begin_write().await?;
    audit::record(
        &mut tx,
        actor,
        "case.submit_refused",
        &format!("draft:{draft_id}"),
        json!({ "reason": "credit_block", "records": blocking.len() }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

const fn identity_level_code(level: IdentityLevel) -> &'static str {
    match level {
        IdentityLevel::L1 => "L1",
        IdentityLevel::L2 => "L2",
        IdentityLevel::L3 => "L3",
    }
}

/// The calendar year in China Standard Time.
fn china_year(now_ms: i64) -> u32 {
    u32::try_from(crate::backend::china_time(now_ms).year()).unwrap_or(1970)
}

/// Queues the mail that tells the applicant of a step of their case, when they registered
/// with an email address (phone accounts get the in-app notification).
pub(crate) async fn enqueue_case_mail(
    conn: &mut sqlx::AnyConnection,
    user_id: i64,
    number: &str,
    title: &Text,
    kind: &str,
    now: i64,
) -> ServiceResult<()> {
    let recipient = case_mail_recipient(conn, user_id).await?;
    Batch::run_now(conn, |batch| {
        push_case_mail_to(batch, recipient.as_deref(), number, title, kind, now);
    })
    .await?;
    Ok(())
}

/// The address case mail goes to: the login of an account registered with an email address.
async fn case_mail_recipient(
    conn: &mut sqlx::AnyConnection,
    user_id: i64,
) -> ServiceResult<Option<String>> {
    let user = crate::backend::db::accounts::find_by_id(conn, user_id)
        .await?
        .ok_or(DbError::NotFound)?;
    Ok(Some(user.login).filter(|login| login.contains('@')))
}

/// [`enqueue_case_mail`] to a recipient looked up before (none: no mail), as a statement of
/// `batch`.
fn push_case_mail_to(
    batch: &mut Batch,
    recipient: Option<&str>,
    number: &str,
    title: &Text,
    kind: &str,
    now: i64,
) {
    let Some(recipient) = recipient else {
        return;
    };
    let (subject, body) = crate::i18n::case_mail(kind, number, title);
    notices::push_message(
        batch,
        notices::NewMessage {
            channel: "email",
            recipient,
            subject: &subject,
            body: &body,
            sensitive: false,
            now,
        },
    );
}

/// Withdraws a case before any decision on it.
pub async fn withdraw(
    state: &AppState,
    actor: &Actor,
    user: &CurrentUser,
    number: &str,
) -> ServiceResult<()> {
    let number = CaseNumber::parse(number).ok_or(DbError::NotFound)?;
    let now = now_ms();
    let mut tx = state.db.begin_write().await?;
    let case = cases::case_of(&mut tx, user.user_id, number.as_str())
        .await?
        .ok_or(DbError::NotFound)?;
    let status = CaseStatus::parse(&case.status).ok_or(AppError::Internal)?;
    if !status.applicant_may_withdraw() {
        return Err(AppError::WrongState(status).into());
    }
    if !cases::transition(
        &mut tx,
        case.id,
        status.code(),
        CaseStatus::Withdrawn.code(),
        now,
    )
    .await?
    {
        return Err(AppError::ChangedMeanwhile.into());
    }
    cases::insert_event(
        &mut tx,
        cases::NewEvent {
            case_id: case.id,
            at: now,
            kind: "withdrawn",
            actor_role: "applicant",
            actor_user_id: Some(user.user_id),
            note: None,
            deadline_at: None,
        },
    )
    .await?;
    notices::notify(&mut tx, user.user_id, Some(case.id), "withdrawn", now).await?;
    let title = Text {
        zh: case.title_zh.clone(),
        en: case.title_en.clone(),
    };
    enqueue_case_mail(
        &mut tx,
        user.user_id,
        &case.number,
        &title,
        "withdrawn",
        now,
    )
    .await?;
    audit::record(
        &mut tx,
        actor,
        "case.withdraw",
        &format!("case:{}", case.number),
        json!({ "from": status.code() }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// 我的办件: the applicant's cases and open drafts.
pub async fn mine(state: &AppState, user: &CurrentUser) -> ServiceResult<MyApplications> {
    let mut conn = state.db.read().await?;
    let cases = cases::cases_of(&mut conn, user.user_id)
        .await?
        .into_iter()
        .filter_map(|case| {
            Some(CaseSummary {
                status: CaseStatus::parse(&case.status)?,
                number: case.number,
                title: Text {
                    zh: case.title_zh,
                    en: case.title_en,
                },
                submitted_at: case.submitted_at,
                updated_at: case.updated_at,
            })
        })
        .collect();
    let mut drafts = Vec::new();
    for draft in cases::open_drafts(&mut conn, user.user_id).await? {
        let Some(kind) = TargetKind::parse(&draft.target_kind) else {
            continue;
        };
        // A draft whose item was withdrawn from the catalogue still shows, under its code.
        let title = match load_target(&mut conn, kind, &draft.target_code).await {
            Ok(target) => target.title,
            Err(_) => Text {
                zh: draft.target_code.clone(),
                en: draft.target_code.clone(),
            },
        };
        drafts.push(DraftSummary {
            draft_id: draft.public_id,
            target_kind: kind,
            target_code: draft.target_code,
            title,
            updated_at: draft.updated_at,
        });
    }
    Ok(MyApplications { cases, drafts })
}

/// A case of the signed-in applicant, with its timeline and the values as filed (labels from
/// the pinned item versions).
pub async fn case_detail(
    state: &AppState,
    user: &CurrentUser,
    number: &str,
) -> ServiceResult<CaseDetail> {
    let number = CaseNumber::parse(number).ok_or(DbError::NotFound)?;
    let mut conn = state.db.read().await?;
    let case = cases::case_of(&mut conn, user.user_id, number.as_str())
        .await?
        .ok_or(DbError::NotFound)?;
    let (detail, _) = case_view(&mut conn, case, true).await?;
    Ok(detail)
}

/// The form layout a case was filed under (its pinned item and bundle versions), with the
/// items and their specs.
pub(crate) async fn case_layout(
    conn: &mut sqlx::AnyConnection,
    case: &cases::CaseRow,
) -> ServiceResult<(FormLayout, Vec<FiledItem>, Vec<ServiceItemSpec>)> {
    let kind = TargetKind::parse(&case.target_kind).ok_or(AppError::Internal)?;
    let mut items = Vec::new();
    let mut specs = Vec::new();
    for (code, version) in cases::case_items(conn, case.id).await? {
        let stored = catalogue::item_version(conn, &code, Some(version))
            .await?
            .ok_or(DbError::NotFound)?;
        let spec: ServiceItemSpec = decode(&stored.spec)?;
        items.push(FiledItem {
            code,
            version,
            name: spec.name.clone(),
        });
        specs.push(spec);
    }
    let layout = match (kind, case.bundle_version) {
        (TargetKind::Bundle, Some(bundle_version)) => {
            let stored = catalogue::bundle_version(conn, &case.target_code, bundle_version)
                .await?
                .ok_or(DbError::NotFound)?;
            let bundle: BundleSpec = decode(&stored.spec)?;
            // Keep the bundle's item order.
            let ordered: Vec<ServiceItemSpec> = bundle
                .items
                .iter()
                .filter_map(|code| specs.iter().find(|spec| &spec.code == code).cloned())
                .collect();
            FormLayout::for_bundle(&bundle.shared_fields, &ordered)
        }
        _ => specs.first().map(FormLayout::for_item).unwrap_or_default(),
    };
    Ok((layout, items, specs))
}

/// A case as its applicant sees it (staff views add to this); `for_applicant` leaves out
/// what only staff see.
pub(crate) async fn case_view(
    conn: &mut sqlx::AnyConnection,
    case: cases::CaseRow,
    for_applicant: bool,
) -> ServiceResult<(CaseDetail, FormLayout)> {
    let status = CaseStatus::parse(&case.status).ok_or(AppError::Internal)?;
    let kind = TargetKind::parse(&case.target_kind).ok_or(AppError::Internal)?;
    let (layout, items, _) = case_layout(conn, &case).await?;
    let values = parse_values(&case.form_values)?;
    let fields = layout
        .sections
        .iter()
        .flat_map(|section| {
            section.fields.iter().filter_map(|laid_out| {
                let value = values.get(&laid_out.name)?;
                Some(FilledField {
                    section: section.title.clone(),
                    label: laid_out.field.label.clone(),
                    value: shown_value(&laid_out.field, value),
                })
            })
        })
        .collect();
    let files = files_of(conn, case.draft_id)
        .await?
        .into_iter()
        .map(|file| FiledMaterial {
            material: layout
                .label_of(&file.material_name)
                .cloned()
                .unwrap_or_else(|| Text {
                    zh: file.material_name.clone(),
                    en: file.material_name.clone(),
                }),
            file,
        })
        .collect();
    let timeline = cases::events(conn, case.id)
        .await?
        .into_iter()
        .map(|event| TimelineStep {
            kind: event.kind,
            actor_role: event.actor_role,
            at: event.at,
            deadline_at: event.deadline_at,
            note: event.note,
        })
        .collect();
    let progress =
        super::back_office::progress(conn, &case, &layout, &values, for_applicant).await?;
    let issuance = super::issuance::issuance_in(conn, &case, for_applicant).await?;
    let commitment_record = crate::backend::db::signatures::latest_of_draft(conn, case.draft_id)
        .await?
        .map(|row| row.public_id);
    let detail = CaseDetail {
        number: case.number,
        title: Text {
            zh: case.title_zh,
            en: case.title_en,
        },
        status,
        target_kind: kind,
        target_code: case.target_code,
        submitted_at: case.submitted_at,
        items,
        fields,
        files,
        timeline,
        credit_level: CreditLevel::parse(&case.credit_level).unwrap_or(CreditLevel::Clear),
        may_withdraw: status.applicant_may_withdraw(),
        commitment_record,
        progress,
        issuance,
    };
    Ok((detail, layout))
}

/// A value as the case page shows it: option labels (both languages) for choices, as typed
/// otherwise.
fn shown_value(field: &crate::domain::catalogue::FormField, value: &RawValue) -> String {
    let label_of = |chosen: &str| {
        field
            .options
            .iter()
            .find(|option| option.value == chosen)
            .map_or_else(
                || chosen.to_owned(),
                |option| format!("{} / {}", option.label.zh, option.label.en),
            )
    };
    match value {
        RawValue::One(text) if field.options.is_empty() => text.clone(),
        RawValue::One(text) => label_of(text),
        RawValue::Many(values) => values
            .iter()
            .map(|value| label_of(value))
            .collect::<Vec<_>>()
            .join("；"),
    }
}

/// The applicant's notifications, newest first, and how many are unread.
pub async fn notifications(
    state: &AppState,
    user: &CurrentUser,
) -> ServiceResult<(Vec<Notification>, i64)> {
    let mut conn = state.db.read().await?;
    let list = notices::notifications(&mut conn, user.user_id, 50)
        .await?
        .into_iter()
        .map(|row| Notification {
            kind: row.kind,
            case_number: row.case_number,
            at: row.created_at,
            unread: row.read_at.is_none(),
        })
        .collect();
    let unread = notices::unread_count(&mut conn, user.user_id).await?;
    Ok((list, unread))
}

pub async fn mark_notifications_read(state: &AppState, user: &CurrentUser) -> ServiceResult<()> {
    let mut conn = state.db.read().await?;
    notices::mark_all_read(&mut conn, user.user_id, now_ms()).await?;
    Ok(())
}
