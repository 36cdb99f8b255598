//! Material uploads and downloads over plain HTTP (a file is a stream, not a server-function
//! argument):
//!
//! - `POST /files/upload?draft=…&material=…&name=…` with the file as the raw body: the
//!   applicant's own unsubmitted draft, a material its form lists, a clean file name. The body
//!   is streamed to the file store in chunks (never held whole in memory), its type decided by
//!   its first bytes and checked against the material's accepted types, its size bounded, its
//!   SHA-256 computed on the way; the record and its audit entry are one transaction.
//! - `GET /files/{id}`: the file, to its applicant, and to the front desk and the service
//!   office once the application is submitted (区街同权: any centre may handle any case).
//!
//! Refusals are the API's JSON errors (422 naming the problem, 413 too large, 404 for anything
//! the caller may not see), and change nothing.

use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use http::{HeaderMap, HeaderValue, StatusCode, header};
use serde::Deserialize;
use serde_json::json;
use sha2::Digest as _;

use super::audit::{self, Actor};
use super::auth::session::ClientInfo;
use super::authz::RequestAuth;
use super::db::{cases, materials};
use super::http::error_response;
use super::services::{applications, back_office};
use super::{AppState, now_ms, random_token};
use crate::api::{AppError, UploadedFile};
use crate::domain::case::TargetKind;
use crate::domain::catalogue::FileType;
use crate::domain::material::{FileName, MAX_FILES_PER_MATERIAL};
use crate::domain::{Field, FieldError, Problem, Role};

#[derive(Debug, Deserialize)]
pub struct UploadQuery {
    draft: String,
    material: String,
    name: String,
}

fn refuse(problem: Problem) -> Response {
    error_response(&AppError::invalid(vec![FieldError::new(
        Field::File,
        problem,
    )]))
}

fn too_large(max_mb: u32) -> Response {
    let mut response = refuse(Problem::FileTooLarge { max_mb });
    *response.status_mut() = StatusCode::PAYLOAD_TOO_LARGE;
    response
}

fn failure(error: impl Into<super::error::ServiceError>) -> Response {
    error_response(&AppError::from(error.into()))
}

/// Records a staff member viewing a personal document (全程留痕) in its own transaction; the
/// view is refused when it cannot be recorded. Applicants viewing their own files are not
/// recorded.
async fn record_staff_view(
    state: &AppState,
    user: &super::auth::session::CurrentUser,
    ip: Option<String>,
    action: &str,
    subject: &str,
    detail: serde_json::Value,
) -> Result<(), Response> {
    if user.role == Role::Applicant {
        return Ok(());
    }
    let logged = async {
        let mut tx = state.db.begin_write().await?;
        audit::record(
            &mut tx,
            &Actor::user(user.user_id, ip),
            action,
            subject,
            detail,
        )
        .await?;
        tx.commit().await?;
        Ok::<(), super::db::DbError>(())
    }
    .await;
    logged.map_err(failure)
}

/// The signed-in caller when `access` allows their role; otherwise 401 (no session) or 403.
/// Checked before the query is read, so a caller who may not upload learns nothing about their
/// input.
fn caller(
    auth: RequestAuth,
    access: crate::access::Access,
) -> Result<super::auth::session::CurrentUser, AppError> {
    match auth.0 {
        Some(user) if access.allows(Some(user.role)) => Ok(user),
        Some(_) => Err(AppError::Forbidden),
        None => Err(AppError::Unauthenticated),
    }
}

/// A `Content-Length` over the limit is refused before a byte is read.
fn declared_too_large(headers: &HeaderMap, max_bytes: u64) -> bool {
    headers
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok())
        .is_some_and(|length| length > max_bytes)
}

/// `POST /files/upload`: one file of one listed material of the caller's draft.
pub async fn upload(
    State(state): State<AppState>,
    Extension(auth): Extension<RequestAuth>,
    Extension(client): Extension<ClientInfo>,
    query: Result<Query<UploadQuery>, QueryRejection>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let user = match caller(auth, crate::access::DRAFT_EDITORS) {
        Ok(user) => user,
        Err(refused) => return error_response(&refused),
    };
    let Ok(Query(query)) = query else {
        return error_response(&AppError::invalid(Vec::new()));
    };
    let file_name = match FileName::parse(&query.name) {
        Ok(name) => name,
        Err(problem) => return refuse(problem),
    };
    let max_bytes = state.config.max_upload_bytes;
    let max_mb = u32::try_from(max_bytes / (1024 * 1024)).unwrap_or(u32::MAX);
    if declared_too_large(&headers, max_bytes) {
        return too_large(max_mb);
    }

    // The draft must be the caller's and open; the material one its form lists.
    let (draft, accepted) = {
        let mut conn = match state.db.read().await {
            Ok(conn) => conn,
            Err(error) => return failure(error),
        };
        let found = cases::draft_of(&mut conn, user.draft_holder(), &query.draft).await;
        let draft = match found {
            Ok(Some(draft)) => draft,
            Ok(None) => return error_response(&AppError::NotFound),
            Err(error) => return failure(error),
        };
        let layout = if let Some(case_id) = draft.case_id {
            // A submitted case takes files only for what its open correction notice lists.
            match back_office::correctable_layout(&mut conn, case_id, &query.material).await {
                Ok(Some(layout)) => layout,
                Ok(None) => return error_response(&AppError::NotFound),
                Err(error) => return failure(error),
            }
        } else {
            let Some(kind) = TargetKind::parse(&draft.target_kind) else {
                return error_response(&AppError::Internal);
            };
            match applications::load_target(&mut conn, kind, &draft.target_code).await {
                Ok(target) => target.layout,
                Err(error) => return failure(error),
            }
        };
        let Some(material) = layout.material(&query.material) else {
            return error_response(&AppError::NotFound);
        };
        match materials::count_for(&mut conn, draft.id, &query.material).await {
            Ok(count) if count >= MAX_FILES_PER_MATERIAL as i64 => {
                return refuse(Problem::TooManyFiles {
                    max: MAX_FILES_PER_MATERIAL as u32,
                });
            }
            Ok(_) => {}
            Err(error) => return failure(error),
        }
        (draft, material.material.accepted_types.clone())
    };

    let key = random_token(16);
    let stored = match store_stream(&state, &key, body, &accepted, max_bytes).await {
        Ok(stored) => stored,
        Err(StoreRefusal::TooLarge) => return too_large(max_mb),
        Err(StoreRefusal::Problem(problem)) => return refuse(problem),
        Err(StoreRefusal::Failed(error)) => return failure(error),
    };

    let public_id = random_token(12);
    let recorded = async {
        let mut tx = state.db.begin_write().await?;
        materials::insert(
            &mut tx,
            materials::NewMaterial {
                public_id: &public_id,
                draft_id: draft.id,
                applicant_id: draft.applicant_id,
                material_name: &query.material,
                file_key: &key,
                file_name: file_name.as_str(),
                file_type: stored.file_type.code(),
                size_bytes: i64::try_from(stored.size).unwrap_or(i64::MAX),
                sha256: &stored.sha256,
                now: now_ms(),
            },
        )
        .await?;
        audit::record(
            &mut tx,
            &Actor::user(user.user_id, client.ip.clone()),
            "material.upload",
            &format!("draft:{}", draft.id),
            json!({
                "material": &query.material,
                "file": &public_id,
                "type": stored.file_type.code(),
                "bytes": stored.size,
                "sha256": &stored.sha256,
            }),
        )
        .await?;
        tx.commit().await?;
        Ok::<(), super::db::DbError>(())
    }
    .await;
    if let Err(error) = recorded {
        // No record, no file: the upload did not happen.
        let _ = state.files.remove(&key).await;
        return failure(error);
    }
    Json(UploadedFile {
        id: public_id,
        material_name: query.material,
        file_name: file_name.as_str().to_owned(),
        file_type: stored.file_type,
        size_bytes: stored.size,
    })
    .into_response()
}

struct Stored {
    file_type: FileType,
    size: u64,
    sha256: String,
}

enum StoreRefusal {
    TooLarge,
    Problem(Problem),
    Failed(anyhow::Error),
}

/// Streams the body into the store under `key`: the type from the first bytes, the size
/// bounded, the hash computed as it goes. On any refusal the partial file is removed.
async fn store_stream(
    state: &AppState,
    key: &str,
    body: Body,
    accepted: &[FileType],
    max_bytes: u64,
) -> Result<Stored, StoreRefusal> {
    use futures_util::StreamExt as _;
    let mut sink = state
        .files
        .create(key)
        .await
        .map_err(StoreRefusal::Failed)?;
    let mut stream = body.into_data_stream();
    let mut head: Vec<u8> = Vec::with_capacity(FileType::SNIFF_BYTES);
    let mut file_type: Option<FileType> = None;
    let mut size: u64 = 0;
    let mut hasher = sha2::Sha256::new();
    let outcome: Result<(), StoreRefusal> = async {
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|error| {
                StoreRefusal::Failed(anyhow::anyhow!("reading the upload: {error}"))
            })?;
            size += chunk.len() as u64;
            if size > max_bytes {
                return Err(StoreRefusal::TooLarge);
            }
            if file_type.is_none() {
                let wanted = FileType::SNIFF_BYTES - head.len();
                head.extend_from_slice(&chunk[..wanted.min(chunk.len())]);
                if head.len() >= FileType::SNIFF_BYTES {
                    file_type = Some(check_type(&head, accepted)?);
                }
            }
            hasher.update(&chunk);
            sink.write(&chunk).await.map_err(StoreRefusal::Failed)?;
        }
        if size == 0 {
            return Err(StoreRefusal::Problem(Problem::EmptyFile));
        }
        if file_type.is_none() {
            file_type = Some(check_type(&head, accepted)?);
        }
        Ok(())
    }
    .await;
    match (outcome, file_type) {
        (Ok(()), Some(file_type)) => {
            sink.commit().await.map_err(StoreRefusal::Failed)?;
            Ok(Stored {
                file_type,
                size,
                sha256: hex::encode(hasher.finalize()),
            })
        }
        (Err(refusal), _) => {
            sink.abort().await;
            Err(refusal)
        }
        (Ok(()), None) => {
            sink.abort().await;
            Err(StoreRefusal::Problem(Problem::FileTypeNotAccepted))
        }
    }
}

fn check_type(head: &[u8], accepted: &[FileType]) -> Result<FileType, StoreRefusal> {
    match FileType::sniff(head) {
        Some(file_type) if accepted.contains(&file_type) => Ok(file_type),
        _ => Err(StoreRefusal::Problem(Problem::FileTypeNotAccepted)),
    }
}

#[derive(Debug, Deserialize)]
pub struct PhotoQuery {
    kind: String,
    name: String,
}

/// `POST /files/identity-photo?kind=id_card|selfie&name=…`: a photo for the person–ID check
/// (JPG or PNG, by content), once the applicant has reached level 2.
pub async fn upload_identity_photo(
    State(state): State<AppState>,
    Extension(auth): Extension<RequestAuth>,
    Extension(client): Extension<ClientInfo>,
    query: Result<Query<PhotoQuery>, QueryRejection>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let user = match caller(auth, crate::access::APPLICANTS) {
        Ok(user) => user,
        Err(refused) => return error_response(&refused),
    };
    let Ok(Query(query)) = query else {
        return error_response(&AppError::invalid(Vec::new()));
    };
    if !matches!(query.kind.as_str(), "id_card" | "selfie") {
        return error_response(&AppError::NotFound);
    }
    if let Err(problem) = FileName::parse(&query.name) {
        return refuse(problem);
    }
    let max_bytes = state.config.max_upload_bytes;
    let max_mb = u32::try_from(max_bytes / (1024 * 1024)).unwrap_or(u32::MAX);
    if declared_too_large(&headers, max_bytes) {
        return too_large(max_mb);
    }
    let level = {
        let mut conn = match state.db.read().await {
            Ok(conn) => conn,
            Err(error) => return failure(error),
        };
        match super::db::identity::identity(&mut conn, user.user_id).await {
            Ok(row) => super::services::identity::level_of(&row),
            Err(error) => return failure(error),
        }
    };
    if level.is_none_or(|level| level < crate::domain::catalogue::IdentityLevel::L2) {
        return error_response(&AppError::IdentityTooLow {
            needed: crate::domain::catalogue::IdentityLevel::L2,
            have: level,
        });
    }
    let key = random_token(16);
    let stored = match store_stream(
        &state,
        &key,
        body,
        &[FileType::Jpg, FileType::Png],
        max_bytes,
    )
    .await
    {
        Ok(stored) => stored,
        Err(StoreRefusal::TooLarge) => return too_large(max_mb),
        Err(StoreRefusal::Problem(problem)) => return refuse(problem),
        Err(StoreRefusal::Failed(error)) => return failure(error),
    };
    let public_id = random_token(12);
    let recorded = async {
        let mut tx = state.db.begin_write().await?;
        super::db::identity::insert_photo(
            &mut tx,
            super::db::identity::NewPhoto {
                public_id: &public_id,
                user_id: user.user_id,
                kind: &query.kind,
                file_key: &key,
                file_type: stored.file_type.code(),
                size_bytes: i64::try_from(stored.size).unwrap_or(i64::MAX),
                sha256: &stored.sha256,
                now: now_ms(),
            },
        )
        .await?;
        audit::record(
            &mut tx,
            &Actor::user(user.user_id, client.ip.clone()),
            "identity.photo_upload",
            &format!("user:{}", user.user_id),
            json!({ "kind": &query.kind, "photo": &public_id, "sha256": &stored.sha256 }),
        )
        .await?;
        tx.commit().await?;
        Ok::<(), super::db::DbError>(())
    }
    .await;
    if let Err(error) = recorded {
        let _ = state.files.remove(&key).await;
        return failure(error);
    }
    Json(json!({ "id": public_id, "kind": query.kind })).into_response()
}

/// `GET /files/identity/{id}`: a person–ID photo, to its owner and to the front desk and the
/// service office (who review them; each view is audited).
pub async fn download_identity_photo(
    State(state): State<AppState>,
    Extension(auth): Extension<RequestAuth>,
    Extension(client): Extension<ClientInfo>,
    Path(public_id): Path<String>,
) -> Response {
    let Some(user) = auth.0 else {
        return error_response(&AppError::Unauthenticated);
    };
    let row = {
        let mut conn = match state.db.read().await {
            Ok(conn) => conn,
            Err(error) => return failure(error),
        };
        match super::db::identity::photo_by_public_id(&mut conn, &public_id).await {
            Ok(Some(row)) => row,
            Ok(None) => return error_response(&AppError::NotFound),
            Err(error) => return failure(error),
        }
    };
    let allowed = match user.role {
        Role::Applicant => row.user_id == user.user_id,
        Role::FrontDesk | Role::Admin => true,
        _ => false,
    };
    if !allowed {
        return error_response(&AppError::NotFound);
    }
    if let Err(refused) = record_staff_view(
        &state,
        &user,
        client.ip.clone(),
        "identity.photo_view",
        &format!("user:{}", row.user_id),
        json!({ "photo": &row.public_id }),
    )
    .await
    {
        return refused;
    }
    stream_file(
        &state,
        &row.file_key,
        &row.file_type,
        row.size_bytes,
        "photo",
    )
    .await
}

/// `GET /files/commitment/{id}`: the signed commitment letter as a PDF.
/// `GET /files/case-document/{id}`: a notice issued on a case (受理通知书, 补正告知书, 不予受理通知书)
/// for its applicant and for staff; staff views are audited.
pub async fn download_case_document(
    State(state): State<AppState>,
    Extension(auth): Extension<RequestAuth>,
    Extension(client): Extension<ClientInfo>,
    Path(document_id): Path<String>,
) -> Response {
    let Some(user) = auth.0 else {
        return error_response(&AppError::Unauthenticated);
    };
    let actor = Actor::user(user.user_id, client.ip.clone());
    match back_office::document(&state, &actor, &user, &document_id).await {
        Ok((file_name, bytes)) => pdf_response(bytes, &file_name),
        Err(error) => error_response(&AppError::from(error)),
    }
}

/// `GET /files/licence/{id}`: a licence PDF, for its holder and for staff.
pub async fn download_licence(
    State(state): State<AppState>,
    Extension(auth): Extension<RequestAuth>,
    Path(licence_id): Path<String>,
) -> Response {
    let Some(user) = auth.0 else {
        return error_response(&AppError::Unauthenticated);
    };
    match super::services::issuance::licence_pdf(&state, &user, &licence_id).await {
        Ok((file_name, bytes)) => pdf_response(bytes, &file_name),
        Err(error) => error_response(&AppError::from(error)),
    }
}

/// `POST /verify/pdf`: the body is a PDF a checker holds; answers the verification as JSON
/// (public: no login). Larger than any licence is refused unread.
pub async fn verify_uploaded_pdf(State(state): State<AppState>, body: Body) -> Response {
    const MAX_PDF: usize = 5 * 1024 * 1024;
    let bytes = match axum::body::to_bytes(body, MAX_PDF).await {
        Ok(bytes) => bytes,
        Err(_) => {
            return axum::Json(crate::api::Verification {
                status: crate::domain::licence::VerificationStatus::NotAuthentic,
                licence: None,
            })
            .into_response();
        }
    };
    match super::services::issuance::verify_pdf(&state, &bytes).await {
        Ok(verification) => axum::Json(verification).into_response(),
        Err(error) => error_response(&AppError::from(error)),
    }
}

/// A private PDF shown in the browser, under a file name reduced to safe characters.
fn pdf_response(bytes: Vec<u8>, file_name: &str) -> Response {
    let mut response = Body::from(bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pdf"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    let safe: String = file_name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .collect();
    if let Ok(disposition) = HeaderValue::from_str(&format!("inline; filename=\"{safe}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, disposition);
    }
    response
}

pub async fn download_commitment_pdf(
    State(state): State<AppState>,
    Extension(auth): Extension<RequestAuth>,
    Path(record_id): Path<String>,
) -> Response {
    let Some(user) = auth.0 else {
        return error_response(&AppError::Unauthenticated);
    };
    match super::services::commitments::pdf(&state, &user, &record_id).await {
        Ok(bytes) => pdf_response(bytes, &format!("commitment-{record_id}.pdf")),
        Err(error) => failure(error),
    }
}

/// Who may see a file: its applicant always; the front desk and the service office once the
/// application is submitted. Anyone else gets "not found", the same as for no file.
async fn may_see(
    conn: &mut sqlx::AnyConnection,
    row: &materials::MaterialRow,
    user: &super::auth::session::CurrentUser,
) -> Result<bool, super::db::DbError> {
    if user.role == Role::Applicant {
        return Ok(row.applicant_id == user.user_id);
    }
    if !matches!(user.role, Role::FrontDesk | Role::Admin) {
        return Ok(false);
    }
    let draft: Option<(Option<i64>, Option<i64>)> =
        sqlx::query_as("SELECT case_id, filed_by FROM drafts WHERE id = $1")
            .bind(row.draft_id)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(match draft {
        // Staff see filed files; the worker filing a draft sees its files before that too.
        Some((Some(_), _)) => true,
        Some((None, Some(worker))) => user.role == Role::FrontDesk && worker == user.user_id,
        _ => false,
    })
}

/// `GET /files/{id}`: streams the file with its real type, never cached, never run as a page.
pub async fn download(
    State(state): State<AppState>,
    Extension(auth): Extension<RequestAuth>,
    Extension(client): Extension<ClientInfo>,
    Path(public_id): Path<String>,
) -> Response {
    let Some(user) = auth.0 else {
        return error_response(&AppError::Unauthenticated);
    };
    let row = {
        let mut conn = match state.db.read().await {
            Ok(conn) => conn,
            Err(error) => return failure(error),
        };
        let row = match materials::by_public_id(&mut conn, &public_id).await {
            Ok(Some(row)) => row,
            Ok(None) => return error_response(&AppError::NotFound),
            Err(error) => return failure(error),
        };
        match may_see(&mut conn, &row, &user).await {
            Ok(true) => {}
            Ok(false) => return error_response(&AppError::NotFound),
            Err(error) => return failure(error),
        }
        row
    };
    if let Err(refused) = record_staff_view(
        &state,
        &user,
        client.ip.clone(),
        "material.view",
        &format!("draft:{}", row.draft_id),
        json!({ "file": &row.public_id }),
    )
    .await
    {
        return refused;
    }
    stream_file(
        &state,
        &row.file_key,
        &row.file_type,
        row.size_bytes,
        &row.file_name,
    )
    .await
}

/// Streams a stored file with its real type, never cached, never run as a page.
async fn stream_file(
    state: &AppState,
    key: &str,
    file_type: &str,
    size_bytes: i64,
    file_name: &str,
) -> Response {
    let reader = match state.files.open(key).await {
        Ok(reader) => reader,
        Err(error) => return failure(error),
    };
    let mime = FileType::parse(file_type).map_or("application/octet-stream", FileType::mime);
    let mut response = Body::from_stream(tokio_util::io::ReaderStream::new(reader)).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    if let Ok(length) = HeaderValue::from_str(&size_bytes.to_string()) {
        headers.insert(header::CONTENT_LENGTH, length);
    }
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("sandbox; default-src 'none'; img-src 'self'; object-src 'self'"),
    );
    if let Ok(disposition) = HeaderValue::from_str(&format!(
        "inline; filename*=UTF-8''{}",
        percent_encode(file_name)
    )) {
        headers.insert(header::CONTENT_DISPOSITION, disposition);
    }
    response
}

/// RFC 5987 encoding of a file name for `Content-Disposition`.
fn percent_encode(name: &str) -> String {
    name.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                char::from(byte).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_percent_encoded_for_the_header() {
        assert_eq!(
            percent_encode("营业执照 1.pdf"),
            "%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7%201.pdf"
        );
    }
}
