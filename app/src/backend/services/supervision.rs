//! Supervision after approval (批管同步, 事中事后监管): inspectors of a street work the
//! inspection tasks of commitment-based licences issued there. A visit finds the commitments
//! kept, or not (findings and a rectification deadline; the holder is told). After the
//! deadline, a re-inspection finds them put right, or not: then the licence is revoked and a
//! broken-commitment credit record (承诺失信) is made that the next credit check of the person
//! and the entity sees.

use serde_json::json;

use super::ServiceResult;
use super::issuance::revoke_in;
use crate::api::{AppError, InspectionEntry, InspectionInput, InspectionView, VisitView};
use crate::backend::audit::{self, Actor};
use crate::backend::auth::session::CurrentUser;
use crate::backend::db::licences as db;
use crate::backend::db::{DbError, cases, catalogue, notices};
use crate::backend::{AppState, china_date, now_ms};
use crate::domain::calendar::Day;
use crate::domain::catalogue::{ServiceItemSpec, Text};
use crate::domain::licence::InspectionOutcome;
use crate::domain::{Field, FieldError, Problem};

/// Longest findings text, in characters.
pub const FINDINGS_MAX: usize = 2000;

fn entry(row: &db::InspectionRow, street: String) -> InspectionEntry {
    InspectionEntry {
        id: row.public_id.clone(),
        case_number: row.case_number.clone(),
        licence_name: Text {
            zh: row.licence_name_zh.clone(),
            en: row.licence_name_en.clone(),
        },
        licence_number: row.licence_number.clone(),
        holder: row.holder_name.clone(),
        street,
        status: row.status.clone(),
        due_on: row.due_on.clone(),
        rectify_by: row.rectify_by.clone(),
    }
}

async fn street_names(
    conn: &mut sqlx::AnyConnection,
) -> ServiceResult<std::collections::BTreeMap<String, String>> {
    Ok(db::centres(conn)
        .await?
        .into_iter()
        .map(|centre| (centre.code, centre.name_zh))
        .collect())
}

/// The inspector's open tasks, most urgent first.
pub async fn queue(
    state: &AppState,
    inspector: &CurrentUser,
) -> ServiceResult<Vec<InspectionEntry>> {
    let mut conn = state.db.read().await?;
    let names = street_names(&mut conn).await?;
    Ok(db::inspection_queue(&mut conn, inspector.user_id, 200)
        .await?
        .iter()
        .map(|row| {
            entry(
                row,
                names.get(&row.street_code).cloned().unwrap_or_default(),
            )
        })
        .collect())
}

/// A task of one of the inspector's streets (others' tasks do not exist for them).
async fn own_task(
    conn: &mut sqlx::AnyConnection,
    inspector: &CurrentUser,
    id: &str,
) -> ServiceResult<db::InspectionRow> {
    let task = db::inspection(conn, id).await?.ok_or(DbError::NotFound)?;
    let streets = db::inspector_streets(conn, inspector.user_id).await?;
    if !streets.contains(&task.street_code) {
        return Err(DbError::NotFound.into());
    }
    Ok(task)
}

/// A task with the commitment letter to check and the visits so far.
pub async fn view(
    state: &AppState,
    inspector: &CurrentUser,
    id: &str,
) -> ServiceResult<InspectionView> {
    let mut conn = state.db.read().await?;
    let task = own_task(&mut conn, inspector, id).await?;
    let names = street_names(&mut conn).await?;
    let case = cases::case_by_id(&mut conn, task.case_id)
        .await?
        .ok_or(DbError::NotFound)?;
    let licence = db::licence_by_id(&mut conn, task.licence_id).await?;
    let mut commitment = Text {
        zh: String::new(),
        en: String::new(),
    };
    for (code, version) in cases::case_items(&mut conn, case.id).await? {
        if !licence.item_codes.split(',').any(|item| item == code) {
            continue;
        }
        if let Some(stored) = catalogue::item_version(&mut conn, &code, Some(version)).await? {
            let item: ServiceItemSpec = super::catalogue::decode(&stored.spec)?;
            if let Some(letter) = item.commitment {
                commitment = letter.letter;
            }
        }
    }
    let values = super::applications::parse_values(&case.form_values)?;
    let business_address = match values.get("business_address") {
        Some(crate::domain::form_values::RawValue::One(text)) => Some(text.clone()),
        _ => None,
    };
    let visits = db::visits(&mut conn, task.id)
        .await?
        .into_iter()
        .map(|visit| VisitView {
            outcome: visit.outcome,
            findings: visit.findings,
            rectify_by: visit.rectify_by,
            visited_at: visit.visited_at,
            inspector: visit.inspector_name,
        })
        .collect();
    Ok(InspectionView {
        entry: entry(
            &task,
            names.get(&task.street_code).cloned().unwrap_or_default(),
        ),
        business_address,
        commitment,
        visits,
    })
}

/// Records a visit. Non-compliant needs findings and a rectification date after today;
/// unrectified revokes the licence and records the broken commitment, all in one transaction.
pub async fn record(
    state: &AppState,
    actor: &Actor,
    inspector: &CurrentUser,
    id: &str,
    input: &InspectionInput,
) -> ServiceResult<()> {
    let now = now_ms();
    let today = Day::of_china_ms(now);
    let mut errors = Vec::new();
    let outcome = InspectionOutcome::parse(input.outcome.trim());
    if outcome.is_none() {
        errors.push(FieldError::new(
            Field::InspectionOutcome,
            Problem::UnknownChoice,
        ));
    }
    let findings = input.findings.trim();
    let needs_findings = outcome != Some(InspectionOutcome::Compliant);
    if needs_findings && findings.is_empty() {
        errors.push(FieldError::new(Field::Findings, Problem::Required));
    } else if findings.chars().count() > FINDINGS_MAX {
        errors.push(FieldError::new(
            Field::Findings,
            Problem::TooLong {
                max: u32::try_from(FINDINGS_MAX).unwrap_or(u32::MAX),
            },
        ));
    } else if findings.chars().any(|c| c.is_control() && c != '\n') {
        errors.push(FieldError::new(Field::Findings, Problem::ControlCharacters));
    }
    let mut rectify_by = None;
    if outcome == Some(InspectionOutcome::NonCompliant) {
        match Day::parse(input.rectify_by.trim()) {
            None if input.rectify_by.trim().is_empty() => {
                errors.push(FieldError::new(Field::RectifyBy, Problem::Required));
            }
            None => errors.push(FieldError::new(Field::RectifyBy, Problem::NotADate)),
            Some(day) if day <= today => {
                errors.push(FieldError::new(Field::RectifyBy, Problem::DateNotInFuture));
            }
            Some(day) => rectify_by = Some(day.to_string()),
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors).into());
    }
    let Some(outcome) = outcome else {
        return Err(AppError::Internal.into());
    };
    let mut tx = state.db.begin_write().await?;
    let task = own_task(&mut tx, inspector, id).await?;
    if !outcome.allowed_in(&task.status) {
        return Err(AppError::ChangedMeanwhile.into());
    }
    if !db::move_inspection(
        &mut tx,
        task.id,
        &task.status,
        outcome.next_status(),
        rectify_by.as_deref(),
        now,
    )
    .await?
    {
        return Err(AppError::ChangedMeanwhile.into());
    }
    db::insert_visit(
        &mut tx,
        db::NewVisit {
            task_id: task.id,
            inspector_id: inspector.user_id,
            outcome: outcome.code(),
            findings,
            rectify_by: rectify_by.as_deref(),
            now,
        },
    )
    .await?;
    let case = cases::case_by_id(&mut tx, task.case_id)
        .await?
        .ok_or(DbError::NotFound)?;
    let licence = db::licence_by_id(&mut tx, task.licence_id).await?;
    let event = match outcome {
        InspectionOutcome::Compliant | InspectionOutcome::Rectified => Some("inspection_compliant"),
        InspectionOutcome::NonCompliant => Some("inspection_non_compliant"),
        InspectionOutcome::Unrectified => None,
    };
    if let Some(kind) = event {
        let note = match &rectify_by {
            Some(day) => format!("{}：{findings}（整改期限 {day}）", licence.number),
            None => licence.number.clone(),
        };
        cases::insert_event(
            &mut tx,
            cases::NewEvent {
                case_id: case.id,
                at: now,
                kind,
                actor_role: "inspector",
                actor_user_id: Some(inspector.user_id),
                note: Some(&note),
                deadline_at: None,
            },
        )
        .await?;
        notices::notify(&mut tx, case.applicant_id, Some(case.id), kind, now).await?;
        super::applications::enqueue_case_mail(
            &mut tx,
            case.applicant_id,
            &case.number,
            &Text {
                zh: case.title_zh.clone(),
                en: case.title_en.clone(),
            },
            kind,
            now,
        )
        .await?;
    }
    if outcome == InspectionOutcome::Unrectified {
        let reason = format!("承诺核查发现未履行告知承诺且逾期未整改：{findings}");
        revoke_in(&mut tx, actor, &licence, &reason, now).await?;
        // The broken commitment goes into the credit registry for the person and the entity.
        let recorded_on = china_date(now);
        let mut subjects = vec![licence.holder_person_id.clone()];
        subjects.extend(licence.credit_code.clone());
        for subject in subjects.into_iter().filter(|subject| !subject.is_empty()) {
            crate::backend::db::credit::upsert(
                &mut tx,
                &crate::backend::db::credit::CreditRow {
                    subject_id: subject,
                    subject_name: licence.holder_name.clone(),
                    category: "broken_commitment".into(),
                    level: "warn".into(),
                    source: "区行政审批局事中事后监管".into(),
                    reason: format!("{} {}：{findings}", licence.name_zh, licence.number),
                    recorded_on: recorded_on.clone(),
                    expires_on: None,
                },
                now,
            )
            .await?;
        }
    }
    audit::append(
        &mut tx,
        actor,
        &format!("inspection.{}", outcome.code()),
        &format!("licence:{}", licence.number),
        json!({
            "task": task.public_id,
            "case": case.number,
            "from": task.status,
            "to": outcome.next_status(),
            "rectify_by": rectify_by,
        }),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
