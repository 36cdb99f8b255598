//! Filled drafts for the submission and issuance benchmarks: valid values for every field, and
//! the materials and signed letter a submission needs, recorded directly in the database.

use std::collections::BTreeMap;

use anyhow::Context as _;
use app::backend::services::applications;
use app::domain::application::{FormLayout, LaidOutField};
use app::domain::case::TargetKind;
use app::domain::catalogue::FieldType;
use app::domain::form_values::RawValue;

/// A value that passes the field's rules.
pub fn valid_value(laid_out: &LaidOutField, resident_id: &str) -> RawValue {
    let field = &laid_out.field;
    let first_option = || {
        field
            .options
            .first()
            .map(|o| o.value.clone())
            .unwrap_or_default()
    };
    RawValue::One(match field.field_type {
        FieldType::Text => "老王面馆".into(),
        FieldType::Number => "45".into(),
        FieldType::Money => "5".into(),
        FieldType::Date => "2029-06-30".into(),
        FieldType::Select => first_option(),
        FieldType::MultiSelect => return RawValue::Many(vec![first_option()]),
        FieldType::Address => "南京市栖霞区仙林大道 8 号 101 室".into(),
        FieldType::BusinessScope => "餐饮服务；预包装食品销售".into(),
        FieldType::ResidentId => resident_id.into(),
        FieldType::CreditCode => "914403001922038216".into(),
        FieldType::Phone => "13912345678".into(),
        FieldType::Email => "wang@example.cn".into(),
    })
}

pub fn filled(layout: &FormLayout, resident_id: &str) -> BTreeMap<String, RawValue> {
    layout
        .fields()
        .map(|field| (field.name.clone(), valid_value(field, resident_id)))
        .collect()
}

/// Records a file for every required material and, when the target takes a commitment, a
/// signature of the current letter, as the upload endpoint and the signing service would have.
pub async fn complete_materials_and_signature(
    state: &app::backend::AppState,
    user_id: i64,
    draft_public_id: &str,
    (kind, code): (TargetKind, &str),
    key_id: &mut Option<i64>,
) -> anyhow::Result<()> {
    use app::backend::db::{cases, materials, signatures};
    let mut conn = state.db.pool().acquire().await?;
    let draft = cases::draft_of(
        &mut conn,
        cases::DraftHolder::Applicant(user_id),
        draft_public_id,
    )
    .await?
    .context("draft")?;
    let target = applications::load_target(&mut conn, kind, code)
        .await
        .map_err(|error| anyhow::anyhow!("target: {error}"))?;
    let now = app::backend::now_ms();
    for material in target.layout.materials().filter(|m| m.material.required) {
        let public_id = app::backend::random_token(12);
        let file_key = app::backend::random_token(16);
        materials::insert(
            &mut conn,
            materials::NewMaterial {
                public_id: &public_id,
                draft_id: draft.id,
                applicant_id: user_id,
                material_name: &material.name,
                file_key: &file_key,
                file_name: "scan.pdf",
                file_type: "pdf",
                size_bytes: 1024,
                sha256: "0",
                now,
            },
        )
        .await?;
    }
    let Some(letter) =
        app::backend::services::commitments::current_letter(&mut conn, user_id, &draft)
            .await
            .map_err(|error| anyhow::anyhow!("letter: {error}"))?
    else {
        // No commitment to sign for this target.
        return Ok(());
    };
    let key = match key_id {
        Some(id) => *id,
        None => {
            let id = signatures::insert_key(
                &mut conn,
                signatures::NewKey {
                    public_id: &app::backend::random_token(12),
                    user_id,
                    public_key: "bench",
                    binding: "{}",
                    binding_signature: "bench",
                    binding_kid: "bench",
                    now,
                },
            )
            .await?;
            *key_id = Some(id);
            id
        }
    };
    signatures::insert_signature(
        &mut conn,
        &signatures::SignatureRow {
            id: 0,
            public_id: app::backend::random_token(12),
            draft_id: draft.id,
            applicant_id: user_id,
            letter_sha256: app::backend::sha256_hex(&letter),
            letter,
            signature: "bench".into(),
            key_id: key,
            signer_name: "张小餐".into(),
            identity_level: "L2".into(),
            signed_at: now,
            ip: None,
            user_agent: None,
            code_id: "bench".into(),
            mark_kind: "typed".into(),
            mark: "张小餐".into(),
            countersignature: "bench".into(),
            countersign_kid: "bench".into(),
        },
    )
    .await?;
    Ok(())
}
