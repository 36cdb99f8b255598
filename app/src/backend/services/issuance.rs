//! Issuance and delivery (发证送达): on approval, in the approval's transaction, one licence per
//! licence of each item (numbered per type; business registration gets a new unified social
//! credit code), rendered to PDF with a signed QR token, mailed as attachments through the
//! outbox, announced on the approvals feed, and — for notification-commitment items — an
//! inspection task for the street's inspectors. Then the delivery of paper (courier, pickup
//! with a code), public verification of tokens and PDFs, and revocation.

use std::collections::BTreeMap;

use serde_json::json;
use sqlx::AnyConnection;

use super::ServiceResult;
use super::applications;
use crate::api::{
    AppError, CentreChoice, DeliveryInput, DeliveryView, FeedApproval, FeedLicence, FeedPage,
    InspectionSummary, IssuanceView, LicenceView, PaperEntry, PickupDone, Verification,
    VerifiedLicence,
};
use crate::backend::audit::{self, Actor};
use crate::backend::auth::issuer::{LICENCE_ISSUER, LicenceClaims};
use crate::backend::auth::session::CurrentUser;
use crate::backend::db::licences::{self as db, CentrePlace};
use crate::backend::db::{DbError, cases, catalogue, identity as identity_db, notices};
use crate::backend::pdf::LicenceSheet;
use crate::backend::{AppState, china_date, now_ms, random_token, sha256_hex};
use crate::domain::calendar::Day;
use crate::domain::case::{CaseNumber, CaseStatus};
use crate::domain::catalogue::{DeliveryMode, FieldType, ServiceItemSpec, Text};
use crate::domain::form_values::RawValue;
use crate::domain::licence::{
    DISTRICT_DIVISION, DeliveryChoice, PickupCode, VerificationStatus, licence_number,
    mask_person_name, validity_years,
};
use crate::domain::{CreditCode, Field, FieldError, PhoneNumber, Problem, Role};

/// Days an inspection of a commitment-based licence is due after issue (configurable:
/// `BJM_INSPECTION_DAYS`).
pub fn inspection_days(state: &AppState) -> u32 {
    state.config.inspection_days
}

/// The URL a licence's QR code opens.
pub fn verify_url(state: &AppState, token: &str) -> String {
    format!("{}/verify?t={token}", state.config.public_origin())
}

/// Form fields never printed on a licence: identifiers and contact details of persons.
fn personal(field_type: FieldType, key: &str) -> bool {
    matches!(
        field_type,
        FieldType::ResidentId | FieldType::Phone | FieldType::Email | FieldType::CreditCode
    ) || matches!(
        key,
        "applicant_name" | "delivery_address" | "spouse_name" | "card_bank"
    )
}

/// A form value in words: option labels instead of codes, several joined.
fn value_text(item: &ServiceItemSpec, key: &str, value: &RawValue) -> String {
    let options = item
        .form
        .iter()
        .find(|field| field.key == key)
        .map(|field| field.options.as_slice())
        .unwrap_or(&[]);
    let label = |raw: &str| {
        options
            .iter()
            .find(|option| option.value == raw)
            .map(|option| option.label.zh.clone())
            .unwrap_or_else(|| raw.to_owned())
    };
    match value {
        RawValue::One(text) => label(text.trim()),
        RawValue::Many(values) => values
            .iter()
            .map(|value| label(value.trim()))
            .collect::<Vec<_>>()
            .join("、"),
    }
}

fn one_value(values: &BTreeMap<String, RawValue>, key: &str) -> Option<String> {
    match values.get(key) {
        Some(RawValue::One(text)) if !text.trim().is_empty() => Some(text.trim().to_owned()),
        _ => None,
    }
}

/// `2026-11-25` → `2026年11月25日`.
fn chinese_date(day: &str) -> String {
    let mut parts = day.split('-');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(y), Some(m), Some(d)) => format!(
            "{y}年{}月{}日",
            m.trim_start_matches('0'),
            d.trim_start_matches('0')
        ),
        _ => day.to_owned(),
    }
}

/// The last day of validity: `years` after `from`, less a day.
fn valid_until(from: Day, years: u32) -> Day {
    let (year, month, day) = from.ymd();
    let target_year = year + i32::try_from(years).unwrap_or(0);
    // 29 February falls back to the 28th in a common year.
    let end = Day::from_ymd(target_year, month, day)
        .or_else(|| Day::from_ymd(target_year, month, day.saturating_sub(1)))
        .unwrap_or(from);
    end.previous()
}

/// The street (a street-level service centre) whose inspectors check a business: the street
/// named in the address, else the centre that accepted the case, else the district hall.
fn street_of(centres: &[CentrePlace], address: Option<&str>, accepted_at: Option<&str>) -> String {
    if let Some(address) = address {
        for centre in centres.iter().filter(|centre| centre.level == "street") {
            let street = centre
                .name_zh
                .split("街道")
                .next()
                .unwrap_or(&centre.name_zh);
            if !street.is_empty() && address.contains(street) {
                return centre.code.clone();
            }
        }
    }
    if let Some(code) = accepted_at
        && centres
            .iter()
            .any(|centre| centre.code == code && centre.level == "street")
    {
        return code.to_owned();
    }
    centres
        .iter()
        .find(|centre| centre.level == "district")
        .map(|centre| centre.code.clone())
        .unwrap_or_else(|| "C00-QU".into())
}

/// The item specs of a case, in the order licences are issued: business registration first,
/// so the credit code it creates goes onto the other licences of a bundle.
async fn case_items(conn: &mut AnyConnection, case_id: i64) -> ServiceResult<Vec<ServiceItemSpec>> {
    let mut items = Vec::new();
    for (code, version) in cases::case_items(conn, case_id).await? {
        let stored = catalogue::item_version(conn, &code, Some(version))
            .await?
            .ok_or(DbError::NotFound)?;
        items.push(super::catalogue::decode::<ServiceItemSpec>(&stored.spec)?);
    }
    items.sort_by_key(|item| {
        !item
            .licences
            .iter()
            .any(|licence| licence.licence_type == "business_licence")
    });
    Ok(items)
}

/// Offered delivery choices: electronic always; courier and pickup when an item offers them.
fn offered(items: &[ServiceItemSpec]) -> Vec<DeliveryChoice> {
    let mut choices = vec![DeliveryChoice::Electronic];
    let any = |mode: DeliveryMode| items.iter().any(|item| item.delivery_modes.contains(&mode));
    if any(DeliveryMode::Courier) {
        choices.push(DeliveryChoice::Courier);
    }
    if any(DeliveryMode::Pickup) {
        choices.push(DeliveryChoice::Pickup);
    }
    choices
}

struct Issued {
    id: i64,
    public_id: String,
    name: Text,
    number: String,
    licence_type: String,
    credit_code: Option<String>,
    valid_from: String,
    valid_until: Option<String>,
    department: String,
    commitment: bool,
}

/// Issues the licences of an approved case, in the approval's transaction: the case becomes
/// `issued`. Called with the case already `approved`.
pub async fn issue_for_case(
    conn: &mut AnyConnection,
    state: &AppState,
    actor: &Actor,
    case: &cases::CaseRow,
    now: i64,
) -> ServiceResult<()> {
    let items = case_items(conn, case.id).await?;
    if items.iter().all(|item| item.licences.is_empty()) {
        return Ok(());
    }
    let values = applications::parse_values(&case.form_values)?;
    let identity = identity_db::identity(conn, case.applicant_id).await?;
    let person_name = match identity.legal_name.clone() {
        Some(name) => name,
        None => crate::backend::db::accounts::find_by_id(conn, case.applicant_id)
            .await?
            .map(|user| user.display_name)
            .unwrap_or_default(),
    };
    let person_id = identity.resident_id.clone().unwrap_or_default();
    let entity = one_value(&values, "shop_name").or_else(|| one_value(&values, "company_name"));
    let address = one_value(&values, "business_address");
    let organisation = crate::backend::db::org::list(conn).await?;
    let department_name = |code: &str| {
        organisation
            .departments
            .iter()
            .find(|department| department.code == code)
            .map(|department| Text {
                zh: department.name.zh.clone(),
                en: department.name.en.clone(),
            })
            .unwrap_or_else(|| Text {
                zh: code.to_owned(),
                en: code.to_owned(),
            })
    };
    let today = Day::of_china_ms(now);
    let year = today.ymd().0;
    let mut credit_code = one_value(&values, "credit_code")
        .and_then(|code| CreditCode::parse(&code).ok())
        .map(String::from);
    let mut issued: Vec<Issued> = Vec::new();
    for item in &items {
        for spec in &item.licences {
            let number = if spec.licence_type == "business_licence" {
                // A new registration gets a new code; a change keeps the code it changes.
                let code = match (&credit_code, item.code.contains("-XK-003")) {
                    (Some(code), true) => code.clone(),
                    _ => {
                        let serial =
                            crate::backend::db::back_office::next_serial(conn, "credit_code", 0)
                                .await?;
                        // 'M','A' + serial: the shape of codes issued since 2015 (…MA1XY2K8…).
                        let base = 21 * 31_u64.pow(7) + 10 * 31_u64.pow(6);
                        let category = if item.code == "SCJG-XK-001" { '2' } else { '1' };
                        CreditCode::generate(
                            '9',
                            category,
                            DISTRICT_DIVISION,
                            base + u64::try_from(serial).unwrap_or(0),
                        )
                        .map(String::from)
                        .ok_or(AppError::Internal)?
                    }
                };
                credit_code = Some(code.clone());
                code
            } else {
                let serial = crate::backend::db::back_office::next_serial(
                    conn,
                    &format!("licence:{}", spec.licence_type),
                    i64::from(year),
                )
                .await?;
                licence_number(&spec.licence_type, year, serial)
            };
            let valid_from = today.to_string();
            let until = validity_years(&spec.licence_type)
                .map(|years| valid_until(today, years).to_string());
            let holder = entity.clone().unwrap_or_else(|| person_name.clone());
            let holder_shown = if entity.is_some() {
                holder.clone()
            } else {
                mask_person_name(&holder)
            };
            let department = department_name(&item.responsible_department);
            let mut fields: Vec<(String, String)> = Vec::new();
            let is_business = spec.licence_type == "business_licence";
            fields.push((
                if entity.is_some() {
                    "名称"
                } else {
                    "持证人"
                }
                .into(),
                holder.clone(),
            ));
            if !is_business && let Some(code) = &credit_code {
                fields.push(("统一社会信用代码".into(), code.clone()));
            }
            if entity.is_some() {
                fields.push((
                    if is_business {
                        "经营者"
                    } else {
                        "法定代表人（负责人）"
                    }
                    .into(),
                    person_name.clone(),
                ));
            }
            for field in &item.form {
                if personal(field.field_type, &field.key)
                    || matches!(field.key.as_str(), "shop_name" | "company_name")
                {
                    continue;
                }
                if let Some(value) = values.get(&field.key) {
                    let text = value_text(item, &field.key, value);
                    if !text.trim().is_empty() {
                        fields.push((field.label.zh.clone(), text));
                    }
                }
            }
            fields.push((
                "有效期限".into(),
                match &until {
                    Some(until) => {
                        format!("{} 至 {}", chinese_date(&valid_from), chinese_date(until))
                    }
                    None => format!("{} 起长期有效", chinese_date(&valid_from)),
                },
            ));
            let content = json!({
                "type": spec.licence_type,
                "name": spec.name.zh,
                "number": number,
                "holder": holder,
                "credit_code": credit_code,
                "fields": fields,
                "authority": department.zh,
                "valid_from": valid_from,
                "valid_until": until,
                "case": case.number,
            })
            .to_string();
            let content_sha256 = sha256_hex(content.as_bytes());
            let claims = LicenceClaims {
                iss: LICENCE_ISSUER.into(),
                lno: number.clone(),
                lty: spec.licence_type.clone(),
                hn: holder_shown,
                uscc: credit_code.clone(),
                vf: valid_from.clone(),
                vu: until.clone(),
                dsh: content_sha256.clone(),
                iat: now.div_euclid(1000),
            };
            let token = state.issuer.sign(&claims)?;
            let url = verify_url(state, &token);
            let sheet = LicenceSheet {
                title: spec.name.zh.clone(),
                number_line: if is_business {
                    format!("统一社会信用代码  {number}")
                } else {
                    format!("许可证编号：{number}")
                },
                fields,
                authority_label: if is_business {
                    "登记机关".into()
                } else {
                    "发证机关".into()
                },
                authority: format!("南京市栖霞{}", department.zh.trim_start_matches('区')),
                issued_on: chinese_date(&valid_from),
                qr_payload: url,
                verify_hint: "扫描二维码核验真伪 / Scan to verify".into(),
                footer: format!(
                    "本证照为电子证照，与纸质证照具有同等法律效力。核验网址：{}/verify（扫描二维码，或上传本 PDF 文件）。办件编号 {}。",
                    state.config.public_origin(),
                    case.number
                ),
                issued_at_s: now.div_euclid(1000),
            };
            let pdf = render_licence(state, sheet).await?;
            let pdf_sha256 = sha256_hex(&pdf);
            let public_id = random_token(12);
            let item_codes = item.code.clone();
            let id = db::insert_licence(
                conn,
                db::NewLicence {
                    public_id: &public_id,
                    licence_type: &spec.licence_type,
                    number: &number,
                    name_zh: &spec.name.zh,
                    name_en: &spec.name.en,
                    case_id: case.id,
                    item_codes: &item_codes,
                    holder_name: &holder,
                    holder_person_id: &person_id,
                    credit_code: credit_code.as_deref(),
                    department_code: &item.responsible_department,
                    valid_from: &valid_from,
                    valid_until: until.as_deref(),
                    content: &content,
                    content_sha256: &content_sha256,
                    token: &token,
                    key_id: state.issuer.kid(),
                    pdf: &pdf,
                    pdf_sha256: &pdf_sha256,
                    now,
                },
            )
            .await?;
            issued.push(Issued {
                id,
                public_id,
                name: spec.name.clone(),
                number,
                licence_type: spec.licence_type.clone(),
                credit_code: credit_code.clone(),
                valid_from,
                valid_until: until,
                department: item.responsible_department.clone(),
                commitment: item.commitment.is_some(),
            });
        }
    }
    if !cases::transition(
        conn,
        case.id,
        CaseStatus::Approved.code(),
        CaseStatus::Issued.code(),
        now,
    )
    .await?
    {
        return Err(AppError::ChangedMeanwhile.into());
    }
    // Delivery: electronic unless the applicant chose paper; a pickup gets its code now.
    let delivery = match db::delivery(conn, case.id).await? {
        Some(delivery) => delivery,
        None => {
            db::choose_delivery(
                conn,
                db::Choice {
                    case_id: case.id,
                    mode: DeliveryChoice::Electronic.code(),
                    recipient_name: None,
                    recipient_phone: None,
                    address: None,
                    pickup_centre: None,
                    now,
                },
            )
            .await?;
            db::delivery(conn, case.id)
                .await?
                .ok_or(DbError::NotFound)?
        }
    };
    if delivery.mode == DeliveryChoice::Pickup.code() && delivery.pickup_code.is_none() {
        let code = PickupCode::from_random(rand::random::<u64>());
        db::set_pickup_code(conn, case.id, code.as_str(), now).await?;
    }
    // Supervision after approval (批管同步): commitment-based licences get an inspection.
    let centres = db::centres(conn).await?;
    let street = street_of(&centres, address.as_deref(), case.centre_code.as_deref());
    let calendar = super::back_office::load_calendar(conn).await?;
    let due = calendar.add_working_days(today, inspection_days(state));
    for licence in issued.iter().filter(|licence| licence.commitment) {
        db::insert_inspection(
            conn,
            db::NewInspection {
                public_id: &random_token(12),
                licence_id: licence.id,
                case_id: case.id,
                street_code: &street,
                due_on: &due.to_string(),
                now,
            },
        )
        .await?;
    }
    let feed = FeedApproval {
        id: 0,
        case_number: case.number.clone(),
        title_zh: case.title_zh.clone(),
        items: items.iter().map(|item| item.code.clone()).collect(),
        approved_at: now,
        holder: entity
            .clone()
            .unwrap_or_else(|| mask_person_name(&person_name)),
        credit_code: credit_code.clone(),
        business_address: address.clone(),
        commitment_based: items.iter().any(|item| item.commitment.is_some()),
        licences: issued
            .iter()
            .map(|licence| FeedLicence {
                licence_type: licence.licence_type.clone(),
                number: licence.number.clone(),
                valid_from: licence.valid_from.clone(),
                valid_until: licence.valid_until.clone(),
                department: licence.department.clone(),
            })
            .collect(),
    };
    db::append_feed(
        conn,
        case.id,
        &serde_json::to_string(&feed).map_err(anyhow::Error::from)?,
        now,
    )
    .await?;
    let numbers: Vec<&str> = issued
        .iter()
        .map(|licence| licence.number.as_str())
        .collect();
    cases::insert_event(
        conn,
        cases::NewEvent {
            case_id: case.id,
            at: now,
            kind: "issued",
            actor_role: "system",
            actor_user_id: None,
            note: Some(&numbers.join("，")),
            deadline_at: None,
        },
    )
    .await?;
    notices::notify(conn, case.applicant_id, Some(case.id), "issued", now).await?;
    licence_mail(conn, state, case, &issued, now).await?;
    audit::append(
        conn,
        actor,
        "case.issued",
        &format!("case:{}", case.number),
        json!({
            "role": "system",
            "from": CaseStatus::Approved.code(),
            "to": CaseStatus::Issued.code(),
            "licences": issued.iter().map(|licence| json!({
                "id": licence.public_id,
                "type": licence.licence_type,
                "number": licence.number,
                "credit_code": licence.credit_code,
            })).collect::<Vec<_>>(),
            "key_id": state.issuer.kid(),
            "inspection_street": issued.iter().any(|licence| licence.commitment).then_some(street),
        }),
        now,
    )
    .await?;
    Ok(())
}

async fn render_licence(state: &AppState, sheet: LicenceSheet) -> ServiceResult<Vec<u8>> {
    let renderer = std::sync::Arc::clone(&state.pdf);
    Ok(
        tokio::task::spawn_blocking(move || renderer.render_licence(&sheet))
            .await
            .map_err(anyhow::Error::from)??,
    )
}

/// The mail with every licence attached (HTML and plain text), for applicants with a mail
/// address.
async fn licence_mail(
    conn: &mut AnyConnection,
    state: &AppState,
    case: &cases::CaseRow,
    issued: &[Issued],
    now: i64,
) -> ServiceResult<()> {
    let user = crate::backend::db::accounts::find_by_id(conn, case.applicant_id)
        .await?
        .ok_or(DbError::NotFound)?;
    if !user.login.contains('@') {
        return Ok(());
    }
    let link = format!("{}/my/cases/{}", state.config.public_origin(), case.number);
    let lines: Vec<(String, String)> = issued
        .iter()
        .map(|licence| {
            (
                format!("{} / {}", licence.name.zh, licence.name.en),
                licence.number.clone(),
            )
        })
        .collect();
    let (subject, text, html) =
        crate::i18n::licence_mail(&case.number, &case.title_zh, &lines, &link);
    let id = notices::enqueue_html(
        conn,
        notices::NewMessage {
            channel: "email",
            recipient: &user.login,
            subject: &subject,
            body: &text,
            sensitive: false,
            now,
        },
        &html,
    )
    .await?;
    for (position, licence) in issued.iter().enumerate() {
        db::attach(
            conn,
            id,
            i64::try_from(position).unwrap_or(0),
            &format!("{}-{}.pdf", licence.name.zh, licence.number),
            licence.id,
        )
        .await?;
    }
    Ok(())
}

// --- The holder's view ------------------------------------------------------------------------

fn licence_view(row: db::LicenceRow) -> LicenceView {
    LicenceView {
        verify_path: format!("/verify?t={}", row.token),
        id: row.public_id,
        name: Text {
            zh: row.name_zh,
            en: row.name_en,
        },
        number: row.number,
        credit_code: row.credit_code,
        holder_name: row.holder_name,
        valid_from: row.valid_from,
        valid_until: row.valid_until,
        issued_at: row.issued_at,
        revoked_at: row.revoked_at,
        revoked_reason: row.revoked_reason,
    }
}

fn centre_choice(centre: &CentrePlace) -> CentreChoice {
    CentreChoice {
        code: centre.code.clone(),
        name: Text {
            zh: centre.name_zh.clone(),
            en: centre.name_en.clone(),
        },
        address: centre.address_zh.clone(),
    }
}

async fn delivery_view(
    conn: &mut AnyConnection,
    case: &cases::CaseRow,
    show_code: bool,
) -> ServiceResult<DeliveryView> {
    let items = case_items(conn, case.id).await?;
    let centres = db::centres(conn).await?;
    let row = db::delivery(conn, case.id).await?.unwrap_or_default();
    let mode = DeliveryChoice::parse(&row.mode).unwrap_or(DeliveryChoice::Electronic);
    let status = CaseStatus::parse(&case.status);
    Ok(DeliveryView {
        offered: offered(&items),
        pickup_centre: row
            .pickup_centre
            .as_deref()
            .and_then(|code| centres.iter().find(|centre| centre.code == code))
            .map(centre_choice),
        centres: centres.iter().map(centre_choice).collect(),
        mode,
        recipient_name: row.recipient_name,
        recipient_phone: row.recipient_phone,
        address: row.address,
        pickup_code: row
            .pickup_code
            .filter(|_| show_code && row.picked_up_at.is_none()),
        carrier: row.carrier,
        tracking_number: row.tracking_number,
        dispatched_at: row.dispatched_at,
        outcome: row.outcome,
        outcome_at: row.outcome_at,
        picked_up_at: row.picked_up_at,
        changeable: row.dispatched_at.is_none()
            && row.picked_up_at.is_none()
            && !matches!(
                status,
                Some(
                    CaseStatus::Delivered
                        | CaseStatus::Rejected
                        | CaseStatus::Refused
                        | CaseStatus::Withdrawn
                )
            ),
    })
}

async fn own_case(
    conn: &mut AnyConnection,
    user: &CurrentUser,
    number: &str,
) -> ServiceResult<cases::CaseRow> {
    let number = CaseNumber::parse(number).ok_or(DbError::NotFound)?;
    Ok(cases::case_of(conn, user.user_id, number.as_str())
        .await?
        .ok_or(DbError::NotFound)?)
}

/// The licences, delivery and inspections of the applicant's own case.
pub async fn issuance_of_case(
    state: &AppState,
    user: &CurrentUser,
    number: &str,
) -> ServiceResult<IssuanceView> {
    let mut conn = state.db.read().await?;
    let case = own_case(&mut conn, user, number).await?;
    issuance_in(&mut conn, &case, true).await
}

/// The licences, delivery and inspections of a case; the pickup code only for its holder.
pub async fn issuance_in(
    conn: &mut AnyConnection,
    case: &cases::CaseRow,
    for_holder: bool,
) -> ServiceResult<IssuanceView> {
    let licences = db::licences_of_case(conn, case.id)
        .await?
        .into_iter()
        .map(licence_view)
        .collect();
    let delivery = delivery_view(conn, case, for_holder).await?;
    let mut inspections = Vec::new();
    for task in db::inspections_of_case(conn, case.id).await? {
        let findings = db::visits(conn, task.id)
            .await?
            .into_iter()
            .filter(|visit| visit.outcome != "compliant")
            .map(|visit| visit.findings)
            .next_back();
        inspections.push(InspectionSummary {
            licence_number: task.licence_number,
            status: task.status,
            due_on: task.due_on,
            rectify_by: task.rectify_by,
            findings,
        });
    }
    Ok(IssuanceView {
        licences,
        delivery: Some(delivery),
        inspections,
    })
}

/// The PDF of a licence, for its holder or staff.
pub async fn licence_pdf(
    state: &AppState,
    user: &CurrentUser,
    public_id: &str,
) -> ServiceResult<(String, Vec<u8>)> {
    let mut conn = state.db.read().await?;
    let licence = db::licence_by_public_id(&mut conn, public_id)
        .await?
        .ok_or(DbError::NotFound)?;
    // Its holder; the front desk (who hands licences over) and the service office (who revokes
    // them); approvers of a department that had a task on the case; inspectors of a street
    // that inspects it. For anyone else it does not exist.
    let allowed = match user.role {
        Role::Applicant => cases::case_by_id(&mut conn, licence.case_id)
            .await?
            .is_some_and(|case| case.applicant_id == user.user_id),
        Role::FrontDesk | Role::Admin => true,
        Role::Approver => {
            use crate::backend::db::back_office::{staff_place, tasks_of_case};
            match staff_place(&mut conn, user.user_id)
                .await?
                .and_then(|place| place.department_code)
            {
                Some(department) => tasks_of_case(&mut conn, licence.case_id)
                    .await?
                    .iter()
                    .any(|task| task.department_code == department),
                None => false,
            }
        }
        Role::Inspector => db::inspects_licence(&mut conn, user.user_id, licence.id).await?,
    };
    if !allowed {
        return Err(DbError::NotFound.into());
    }
    let pdf = db::licence_pdf(&mut conn, licence.id).await?;
    Ok((format!("{}-{}.pdf", licence.name_zh, licence.number), pdf))
}

// --- Delivery ---------------------------------------------------------------------------------

/// The API's 422 naming every field problem, or nothing when there is none.
fn fail_on(errors: Vec<FieldError>) -> ServiceResult<()> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Invalid(errors).into())
    }
}

fn required_text(
    field: Field,
    text: &str,
    max: usize,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        errors.push(FieldError::new(field, Problem::Required));
        None
    } else if trimmed.chars().count() > max {
        errors.push(FieldError::new(
            field,
            Problem::TooLong {
                max: u32::try_from(max).unwrap_or(u32::MAX),
            },
        ));
        None
    } else if trimmed.chars().any(char::is_control) {
        errors.push(FieldError::new(field, Problem::ControlCharacters));
        None
    } else {
        Some(trimmed.to_owned())
    }
}

/// The applicant chooses how to receive the licence (until something is dispatched or
/// collected). Choosing pickup after issue hands out the pickup code at once.
pub async fn choose_delivery(
    state: &AppState,
    actor: &Actor,
    user: &CurrentUser,
    number: &str,
    input: &DeliveryInput,
) -> ServiceResult<DeliveryView> {
    let now = now_ms();
    let mut tx = state.db.begin_write().await?;
    let case = own_case(&mut tx, user, number).await?;
    let items = case_items(&mut tx, case.id).await?;
    let mut errors = Vec::new();
    if !offered(&items).contains(&input.mode) {
        errors.push(FieldError::new(Field::DeliveryMode, Problem::NotOffered));
    }
    let centres = db::centres(&mut tx).await?;
    let (mut name, mut phone, mut address, mut centre) = (None, None, None, None);
    match input.mode {
        DeliveryChoice::Electronic => {}
        DeliveryChoice::Courier => {
            name = required_text(Field::RecipientName, &input.recipient_name, 50, &mut errors);
            match PhoneNumber::parse(input.recipient_phone.trim()) {
                Ok(parsed) => phone = Some(parsed.as_str().to_owned()),
                Err(problem) => errors.push(FieldError::new(Field::RecipientPhone, problem)),
            }
            address = required_text(Field::Address, &input.address, 200, &mut errors);
        }
        DeliveryChoice::Pickup => {
            if centres
                .iter()
                .any(|known| known.code == input.pickup_centre)
            {
                centre = Some(input.pickup_centre.clone());
            } else {
                errors.push(FieldError::new(
                    Field::PickupCentre,
                    if input.pickup_centre.trim().is_empty() {
                        Problem::Required
                    } else {
                        Problem::UnknownChoice
                    },
                ));
            }
        }
    }
    fail_on(errors)?;
    let status = CaseStatus::parse(&case.status).ok_or(AppError::Internal)?;
    if matches!(
        status,
        CaseStatus::Delivered | CaseStatus::Rejected | CaseStatus::Refused | CaseStatus::Withdrawn
    ) {
        return Err(AppError::WrongState(status).into());
    }
    if !db::choose_delivery(
        &mut tx,
        db::Choice {
            case_id: case.id,
            mode: input.mode.code(),
            recipient_name: name.as_deref(),
            recipient_phone: phone.as_deref(),
            address: address.as_deref(),
            pickup_centre: centre.as_deref(),
            now,
        },
    )
    .await?
    {
        // Dispatched or collected meanwhile.
        return Err(AppError::ChangedMeanwhile.into());
    }
    if input.mode == DeliveryChoice::Pickup && status == CaseStatus::Issued {
        let code = PickupCode::from_random(rand::random::<u64>());
        db::set_pickup_code(&mut tx, case.id, code.as_str(), now).await?;
    }
    audit::append(
        &mut tx,
        actor,
        "delivery.choose",
        &format!("case:{}", case.number),
        json!({ "mode": input.mode.code(), "pickup_centre": centre }),
        now,
    )
    .await?;
    let view = delivery_view(&mut tx, &case, true).await?;
    tx.commit().await?;
    Ok(view)
}

/// The front desk's paper queue: parcels to send and licences waiting for pickup.
pub async fn paper_queue(state: &AppState) -> ServiceResult<Vec<PaperEntry>> {
    let mut conn = state.db.read().await?;
    Ok(db::paper_queue(&mut conn, 200)
        .await?
        .into_iter()
        .filter(|row| row.picked_up_at.is_none() && row.outcome.as_deref() != Some("delivered"))
        .map(|row| PaperEntry {
            number: row.number,
            title: Text {
                zh: row.title_zh,
                en: row.title_en,
            },
            mode: DeliveryChoice::parse(&row.mode).unwrap_or(DeliveryChoice::Courier),
            recipient_name: row.recipient_name,
            address: row.address,
            pickup_centre: row.pickup_centre,
            carrier: row.carrier,
            tracking_number: row.tracking_number,
            dispatched_at: row.dispatched_at,
            outcome: row.outcome,
        })
        .collect())
}

async fn issued_case(conn: &mut AnyConnection, number: &str) -> ServiceResult<cases::CaseRow> {
    let number = CaseNumber::parse(number).ok_or(DbError::NotFound)?;
    Ok(
        crate::backend::db::back_office::case_by_number(conn, number.as_str())
            .await?
            .ok_or(DbError::NotFound)?,
    )
}

/// Records that the parcel left: carrier and tracking number. The applicant is told.
pub async fn record_dispatch(
    state: &AppState,
    actor: &Actor,
    worker: &CurrentUser,
    number: &str,
    carrier: &str,
    tracking_number: &str,
) -> ServiceResult<()> {
    let mut errors = Vec::new();
    let carrier = required_text(Field::Carrier, carrier, 40, &mut errors);
    let tracking = required_text(Field::TrackingNumber, tracking_number, 40, &mut errors);
    fail_on(errors)?;
    let (Some(carrier), Some(tracking)) = (carrier, tracking) else {
        return Err(AppError::Internal.into());
    };
    let now = now_ms();
    let mut tx = state.db.begin_write().await?;
    let case = issued_case(&mut tx, number).await?;
    if case.status != CaseStatus::Issued.code()
        || !db::record_dispatch(&mut tx, case.id, &carrier, &tracking, worker.user_id, now).await?
    {
        return Err(AppError::ChangedMeanwhile.into());
    }
    paper_step(
        &mut tx,
        actor,
        &case,
        "dispatched",
        &format!("{carrier} {tracking}"),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Records the courier's result. Delivered ends the case (`delivered`); failed lets the desk
/// send again.
pub async fn record_courier_outcome(
    state: &AppState,
    actor: &Actor,
    worker: &CurrentUser,
    number: &str,
    delivered: bool,
    note: &str,
) -> ServiceResult<()> {
    let mut errors = Vec::new();
    let note = if delivered && note.trim().is_empty() {
        Some(String::new())
    } else {
        required_text(Field::Reason, note, 200, &mut errors)
    };
    fail_on(errors)?;
    let now = now_ms();
    let mut tx = state.db.begin_write().await?;
    let case = issued_case(&mut tx, number).await?;
    let outcome = if delivered { "delivered" } else { "failed" };
    if case.status != CaseStatus::Issued.code()
        || !db::record_outcome(
            &mut tx,
            case.id,
            outcome,
            note.as_deref().unwrap_or(""),
            worker.user_id,
            now,
        )
        .await?
    {
        return Err(AppError::ChangedMeanwhile.into());
    }
    if delivered {
        if !cases::transition(
            &mut tx,
            case.id,
            CaseStatus::Issued.code(),
            CaseStatus::Delivered.code(),
            now,
        )
        .await?
        {
            return Err(AppError::ChangedMeanwhile.into());
        }
        paper_step(&mut tx, actor, &case, "delivered", "", now).await?;
    } else {
        // A failed delivery can be dispatched again.
        crate::backend::db::licences::reopen_dispatch(&mut tx, case.id, now).await?;
        paper_step(
            &mut tx,
            actor,
            &case,
            "delivery_failed",
            note.as_deref().unwrap_or(""),
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Hands the paper licence over at the worker's centre, against the pickup code.
pub async fn pickup(
    state: &AppState,
    actor: &Actor,
    worker: &CurrentUser,
    code: &str,
) -> ServiceResult<PickupDone> {
    let Some(code) = PickupCode::parse(code) else {
        return Err(AppError::Invalid(vec![FieldError::new(
            Field::PickupCode,
            Problem::PickupCodeUnknown,
        )])
        .into());
    };
    let now = now_ms();
    let mut tx = state.db.begin_write().await?;
    let refuse = |problem| -> ServiceResult<PickupDone> {
        Err(AppError::Invalid(vec![FieldError::new(Field::PickupCode, problem)]).into())
    };
    let Some(case_id) = db::case_of_pickup_code(&mut tx, code.as_str()).await? else {
        return refuse(Problem::PickupCodeUnknown);
    };
    let delivery = db::delivery(&mut tx, case_id)
        .await?
        .ok_or(DbError::NotFound)?;
    if delivery.picked_up_at.is_some() {
        return refuse(Problem::PickupCodeUsed);
    }
    let centre = crate::backend::db::back_office::staff_place(&mut tx, worker.user_id)
        .await?
        .and_then(|place| place.centre_code)
        .ok_or(AppError::Forbidden)?;
    if delivery.pickup_centre.as_deref() != Some(centre.as_str()) {
        return refuse(Problem::PickupAtOtherCentre);
    }
    let case = cases::case_by_id(&mut tx, case_id)
        .await?
        .ok_or(DbError::NotFound)?;
    if !db::record_pickup(
        &mut tx,
        case_id,
        &centre,
        code.as_str(),
        worker.user_id,
        now,
    )
    .await?
        || !cases::transition(
            &mut tx,
            case_id,
            CaseStatus::Issued.code(),
            CaseStatus::Delivered.code(),
            now,
        )
        .await?
    {
        return refuse(Problem::PickupCodeUsed);
    }
    paper_step(&mut tx, actor, &case, "picked_up", &centre, now).await?;
    let licences = db::licences_of_case(&mut tx, case_id).await?;
    tx.commit().await?;
    Ok(PickupDone {
        case_number: case.number,
        holder: licences
            .first()
            .map(|licence| licence.holder_name.clone())
            .unwrap_or_default(),
        licences: licences
            .into_iter()
            .map(|licence| format!("{} {}", licence.name_zh, licence.number))
            .collect(),
    })
}

/// A step of paper delivery: timeline, notification, mail and audit.
async fn paper_step(
    conn: &mut AnyConnection,
    actor: &Actor,
    case: &cases::CaseRow,
    kind: &str,
    note: &str,
    now: i64,
) -> ServiceResult<()> {
    cases::insert_event(
        conn,
        cases::NewEvent {
            case_id: case.id,
            at: now,
            kind,
            actor_role: "front_desk",
            actor_user_id: actor.user_id,
            note: (!note.is_empty()).then_some(note),
            deadline_at: None,
        },
    )
    .await?;
    notices::notify(conn, case.applicant_id, Some(case.id), kind, now).await?;
    applications::enqueue_case_mail(
        conn,
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
    audit::append(
        conn,
        actor,
        &format!("delivery.{kind}"),
        &format!("case:{}", case.number),
        json!({ "note": note }),
        now,
    )
    .await?;
    Ok(())
}

// --- Verification and revocation ----------------------------------------------------------

fn not_authentic() -> Verification {
    Verification {
        status: VerificationStatus::NotAuthentic,
        licence: None,
    }
}

async fn verification_of(
    conn: &mut AnyConnection,
    row: db::LicenceRow,
    today: &str,
) -> ServiceResult<Verification> {
    let organisation = crate::backend::db::org::list(conn).await?;
    let department = organisation
        .departments
        .iter()
        .find(|department| department.code == row.department_code);
    let status = if row.revoked_at.is_some() {
        VerificationStatus::Revoked
    } else if row
        .valid_until
        .as_deref()
        .is_some_and(|until| until < today)
    {
        VerificationStatus::Expired
    } else {
        VerificationStatus::Valid
    };
    let holder_is_entity = row.credit_code.is_some();
    Ok(Verification {
        status,
        licence: Some(VerifiedLicence {
            licence_type: row.licence_type,
            name_zh: row.name_zh,
            name_en: row.name_en,
            number: row.number,
            holder: if holder_is_entity {
                row.holder_name
            } else {
                mask_person_name(&row.holder_name)
            },
            credit_code: row.credit_code,
            valid_from: row.valid_from,
            valid_until: row.valid_until,
            issuing_department_zh: department
                .map(|department| department.name.zh.clone())
                .unwrap_or_default(),
            issuing_department_en: department
                .map(|department| department.name.en.clone())
                .unwrap_or_default(),
            revoked_at: row.revoked_at,
            revoked_reason: row.revoked_reason,
        }),
    })
}

/// Verifies a token (or a scanned URL carrying one). Never an error for bad input: anything
/// that is not a token signed by the portal, naming a licence it issued with the same content,
/// is "not authentic".
pub async fn verify_token(state: &AppState, input: &str) -> ServiceResult<Verification> {
    let token = token_of(input);
    let claims = match state.issuer.verify(token) {
        Ok(claims) => claims,
        Err(error) => {
            tracing::info!(error = %error, "licence token not authentic");
            return Ok(not_authentic());
        }
    };
    let mut conn = state.db.read().await?;
    let Some(row) = db::licence_by_number(&mut conn, &claims.lty, &claims.lno).await? else {
        return Ok(not_authentic());
    };
    if row.content_sha256 != claims.dsh || row.token != token {
        return Ok(not_authentic());
    }
    verification_of(&mut conn, row, &china_date(now_ms())).await
}

/// The token in a scanned URL (`…/verify?t=…`) or the token itself.
fn token_of(input: &str) -> &str {
    let input = input.trim();
    match input.split_once("t=") {
        Some((_, rest)) if input.contains("/verify") => rest.split('&').next().unwrap_or(rest),
        _ => input,
    }
}

/// Verifies an uploaded PDF: authentic only when it is byte for byte a licence the portal
/// issued (any edit changes its SHA-256).
pub async fn verify_pdf(state: &AppState, bytes: &[u8]) -> ServiceResult<Verification> {
    if !bytes.starts_with(b"%PDF-") {
        return Ok(not_authentic());
    }
    let mut conn = state.db.read().await?;
    let Some(row) = db::licence_by_pdf_sha256(&mut conn, &sha256_hex(bytes)).await? else {
        return Ok(not_authentic());
    };
    verification_of(&mut conn, row, &china_date(now_ms())).await
}

/// Revokes a licence (admin, or the supervision flow): `/verify` says so at once.
pub async fn revoke_in(
    conn: &mut AnyConnection,
    actor: &Actor,
    licence: &db::LicenceRow,
    reason: &str,
    now: i64,
) -> ServiceResult<()> {
    if !db::revoke(conn, licence.id, reason, actor.user_id, now).await? {
        return Err(AppError::ChangedMeanwhile.into());
    }
    let case = cases::case_by_id(conn, licence.case_id)
        .await?
        .ok_or(DbError::NotFound)?;
    cases::insert_event(
        conn,
        cases::NewEvent {
            case_id: case.id,
            at: now,
            kind: "licence_revoked",
            actor_role: "system",
            actor_user_id: actor.user_id,
            note: Some(&format!("{} {}：{reason}", licence.name_zh, licence.number)),
            deadline_at: None,
        },
    )
    .await?;
    notices::notify(
        conn,
        case.applicant_id,
        Some(case.id),
        "licence_revoked",
        now,
    )
    .await?;
    applications::enqueue_case_mail(
        conn,
        case.applicant_id,
        &case.number,
        &Text {
            zh: case.title_zh.clone(),
            en: case.title_en.clone(),
        },
        "licence_revoked",
        now,
    )
    .await?;
    audit::append(
        conn,
        actor,
        "licence.revoke",
        &format!("licence:{}", licence.number),
        json!({ "case": case.number, "reason": reason }),
        now,
    )
    .await?;
    Ok(())
}

/// An administrator revokes a licence by its number, with a reason.
pub async fn revoke(
    state: &AppState,
    actor: &Actor,
    licence_type: &str,
    number: &str,
    reason: &str,
) -> ServiceResult<()> {
    let mut errors = Vec::new();
    let reason = required_text(Field::Reason, reason, 500, &mut errors);
    fail_on(errors)?;
    let reason = reason.unwrap_or_default();
    let now = now_ms();
    let mut tx = state.db.begin_write().await?;
    let licence = db::licence_by_number(&mut tx, licence_type, number.trim())
        .await?
        .ok_or(DbError::NotFound)?;
    revoke_in(&mut tx, actor, &licence, &reason, now).await?;
    tx.commit().await?;
    Ok(())
}

// --- Approvals feed ---------------------------------------------------------------------------

/// Rows per feed page.
pub const FEED_PAGE: i64 = 100;

/// The approvals after `since`, for a machine client holding a feed token.
pub async fn approvals_feed(state: &AppState, bearer: &str, since: i64) -> ServiceResult<FeedPage> {
    let now = now_ms();
    let mut conn = state.db.read().await?;
    if db::use_api_token(
        &mut conn,
        &sha256_hex(bearer.trim().as_bytes()),
        "approvals_feed",
        now,
    )
    .await?
    .is_none()
    {
        return Err(AppError::Unauthenticated.into());
    }
    let rows = db::feed_after(&mut conn, since.max(0), FEED_PAGE).await?;
    let mut approvals = Vec::with_capacity(rows.len());
    for (id, payload) in rows {
        let mut approval: FeedApproval =
            serde_json::from_str(&payload).map_err(anyhow::Error::from)?;
        approval.id = id;
        approvals.push(approval);
    }
    let next_since = approvals
        .last()
        .map(|approval| approval.id)
        .unwrap_or(since.max(0));
    Ok(FeedPage {
        approvals,
        next_since,
    })
}

/// Creates a feed token for a named system; the token is shown once, only its hash is kept.
pub async fn create_feed_token(
    state: &AppState,
    actor: &Actor,
    name: &str,
) -> ServiceResult<String> {
    let mut errors = Vec::new();
    let name = required_text(Field::TokenName, name, 80, &mut errors);
    fail_on(errors)?;
    let name = name.unwrap_or_default();
    let token = format!("bjm_feed_{}", random_token(32));
    let now = now_ms();
    let mut tx = state.db.begin_write().await?;
    db::insert_api_token(
        &mut tx,
        &name,
        &sha256_hex(token.as_bytes()),
        "approvals_feed",
        actor.user_id,
        now,
    )
    .await?;
    audit::append(
        &mut tx,
        actor,
        "api_token.create",
        &format!("api_token:{name}"),
        json!({ "scope": "approvals_feed" }),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn centre(code: &str, name: &str, level: &str) -> CentrePlace {
        CentrePlace {
            code: code.into(),
            name_zh: name.into(),
            name_en: String::new(),
            level: level.into(),
            address_zh: String::new(),
        }
    }

    #[test]
    fn the_street_comes_from_the_address_then_the_accepting_centre_then_the_district() {
        let centres = [
            centre("C00-QU", "区政务服务中心", "district"),
            centre("C01-YH", "尧化街道便民服务中心", "street"),
            centre("C02-MQ", "马群街道便民服务中心", "street"),
        ];
        assert_eq!(
            street_of(&centres, Some("栖霞区马群街道百水路1号"), None),
            "C02-MQ"
        );
        assert_eq!(
            street_of(&centres, Some("某路1号"), Some("C01-YH")),
            "C01-YH"
        );
        assert_eq!(
            street_of(&centres, Some("某路1号"), Some("C00-QU")),
            "C00-QU"
        );
        assert_eq!(street_of(&centres, None, None), "C00-QU");
    }

    #[test]
    fn validity_ends_the_day_before_the_anniversary() {
        let from = Day::from_ymd(2026, 11, 25).expect("day");
        assert_eq!(valid_until(from, 5).to_string(), "2031-11-24");
        let leap = Day::from_ymd(2028, 2, 29).expect("day");
        assert_eq!(valid_until(leap, 1).to_string(), "2029-02-27");
    }

    #[test]
    fn a_scanned_url_yields_its_token() {
        assert_eq!(token_of("https://x.cn/verify?t=abc.def.ghi"), "abc.def.ghi");
        assert_eq!(token_of(" abc.def.ghi "), "abc.def.ghi");
        assert_eq!(token_of("https://x.cn/verify?t=a.b.c&lang=en"), "a.b.c");
    }

    #[test]
    fn dates_print_the_chinese_way() {
        assert_eq!(chinese_date("2026-01-05"), "2026年1月5日");
    }
}
