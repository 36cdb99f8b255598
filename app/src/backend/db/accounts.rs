//! Accounts aggregate: the `users` table. Row types here never leave the server; the browser
//! gets [`crate::api::SessionUser`] / [`crate::api::StaffMember`] built from them.

use sqlx::{AnyConnection, FromRow};

use super::{DbError, DbResult};
use crate::api::{OrgUnitName, StaffMember};
use crate::domain::{LoginId, Role};

/// A full row of `users`, including the password hash and TOTP secret.
#[derive(Debug, Clone, FromRow)]
pub struct UserRow {
    pub id: i64,
    pub login: String,
    pub display_name: String,
    pub password_hash: String,
    pub role: String,
    pub department_id: Option<i64>,
    pub service_centre_id: Option<i64>,
    pub totp_secret: Option<String>,
    pub totp_enrolled_at: Option<i64>,
    pub totp_last_step: Option<i64>,
    pub removed_at: Option<i64>,
}

impl UserRow {
    /// The role, or an error if the row holds a code this build does not know (never silently
    /// treated as some default role).
    pub fn role(&self) -> DbResult<Role> {
        Role::parse(&self.role).map_err(|_| {
            DbError::Sqlx(sqlx::Error::Decode(
                format!("unknown role code {:?}", self.role).into(),
            ))
        })
    }

    pub fn is_active(&self) -> bool {
        self.removed_at.is_none()
    }
}

const USER_COLUMNS: &str = "id, login, display_name, password_hash, role, department_id, \
    service_centre_id, totp_secret, totp_enrolled_at, totp_last_step, removed_at";

/// A new account, already validated and hashed.
pub struct NewUser<'a> {
    pub login: &'a LoginId,
    pub display_name: &'a str,
    pub password_hash: &'a str,
    pub role: Role,
    pub department_id: Option<i64>,
    pub service_centre_id: Option<i64>,
    pub totp_secret: Option<&'a str>,
    pub totp_enrolled_at: Option<i64>,
    pub now: i64,
}

pub async fn insert(conn: &mut AnyConnection, user: NewUser<'_>) -> DbResult<i64> {
    let login_kind = match user.login {
        LoginId::Phone(_) => "phone",
        LoginId::Email(_) => "email",
    };
    let id = sqlx::query_scalar(
        "INSERT INTO users (login, login_kind, display_name, password_hash, role, department_id, \
         service_centre_id, totp_secret, totp_enrolled_at, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id",
    )
    .bind(user.login.as_str())
    .bind(login_kind)
    .bind(user.display_name)
    .bind(user.password_hash)
    .bind(user.role.code())
    .bind(user.department_id)
    .bind(user.service_centre_id)
    .bind(user.totp_secret)
    .bind(user.totp_enrolled_at)
    .bind(user.now)
    .fetch_one(conn)
    .await?;
    Ok(id)
}

pub async fn find_by_login(conn: &mut AnyConnection, login: &str) -> DbResult<Option<UserRow>> {
    let row = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {USER_COLUMNS} FROM users WHERE login = $1"
    )))
    .bind(login)
    .fetch_optional(conn)
    .await?;
    Ok(row)
}

pub async fn find_by_id(conn: &mut AnyConnection, id: i64) -> DbResult<Option<UserRow>> {
    let row = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {USER_COLUMNS} FROM users WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(conn)
    .await?;
    Ok(row)
}

/// Records a used TOTP time step. Returns false when this step (or a later one) was already
/// used: a code works once.
pub async fn claim_totp_step(conn: &mut AnyConnection, user_id: i64, step: i64) -> DbResult<bool> {
    let result = sqlx::query(
        "UPDATE users SET totp_last_step = $1 \
         WHERE id = $2 AND (totp_last_step IS NULL OR totp_last_step < $1)",
    )
    .bind(step)
    .bind(user_id)
    .execute(conn)
    .await?;
    Ok(result.rows_affected() == 1)
}

pub async fn enrol_totp(
    conn: &mut AnyConnection,
    user_id: i64,
    secret: &str,
    step: i64,
    now: i64,
) -> DbResult<()> {
    sqlx::query(
        "UPDATE users SET totp_secret = $1, totp_enrolled_at = $2, totp_last_step = $3, updated_at = $2 \
         WHERE id = $4",
    )
    .bind(secret)
    .bind(now)
    .bind(step)
    .bind(user_id)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn set_password_hash(
    conn: &mut AnyConnection,
    user_id: i64,
    hash: &str,
    now: i64,
) -> DbResult<()> {
    let result = sqlx::query("UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3")
        .bind(hash)
        .bind(now)
        .bind(user_id)
        .execute(conn)
        .await?;
    if result.rows_affected() == 0 {
        return Err(DbError::NotFound);
    }
    Ok(())
}

pub async fn set_role(
    conn: &mut AnyConnection,
    user_id: i64,
    role: Role,
    department_id: Option<i64>,
    service_centre_id: Option<i64>,
    now: i64,
) -> DbResult<()> {
    let result = sqlx::query(
        "UPDATE users SET role = $1, department_id = $2, service_centre_id = $3, updated_at = $4 \
         WHERE id = $5 AND removed_at IS NULL",
    )
    .bind(role.code())
    .bind(department_id)
    .bind(service_centre_id)
    .bind(now)
    .bind(user_id)
    .execute(conn)
    .await?;
    if result.rows_affected() == 0 {
        return Err(DbError::NotFound);
    }
    Ok(())
}

pub async fn mark_removed(conn: &mut AnyConnection, user_id: i64, now: i64) -> DbResult<()> {
    let result = sqlx::query(
        "UPDATE users SET removed_at = $1, updated_at = $1 WHERE id = $2 AND removed_at IS NULL",
    )
    .bind(now)
    .bind(user_id)
    .execute(conn)
    .await?;
    if result.rows_affected() == 0 {
        return Err(DbError::NotFound);
    }
    Ok(())
}

#[derive(FromRow)]
struct UserWithOrgRow {
    id: i64,
    login: String,
    display_name: String,
    role: String,
    totp_enrolled_at: Option<i64>,
    removed_at: Option<i64>,
    department_zh: Option<String>,
    department_en: Option<String>,
    centre_zh: Option<String>,
    centre_en: Option<String>,
}

fn org_name(zh: Option<String>, en: Option<String>) -> Option<OrgUnitName> {
    Some(OrgUnitName { zh: zh?, en: en? })
}

const USER_WITH_ORG: &str = "SELECT u.id, u.login, u.display_name, u.role, u.totp_enrolled_at, u.removed_at, \
    d.name_zh AS department_zh, d.name_en AS department_en, c.name_zh AS centre_zh, c.name_en AS centre_en \
    FROM users u LEFT JOIN departments d ON d.id = u.department_id \
    LEFT JOIN service_centres c ON c.id = u.service_centre_id";

impl TryFrom<UserWithOrgRow> for StaffMember {
    type Error = DbError;

    fn try_from(row: UserWithOrgRow) -> DbResult<Self> {
        let role = Role::parse(&row.role).map_err(|_| {
            DbError::Sqlx(sqlx::Error::Decode(
                format!("unknown role {}", row.role).into(),
            ))
        })?;
        Ok(StaffMember {
            id: row.id,
            login: row.login,
            display_name: row.display_name,
            role,
            department: org_name(row.department_zh, row.department_en),
            service_centre: org_name(row.centre_zh, row.centre_en),
            totp_enrolled: row.totp_enrolled_at.is_some(),
            removed: row.removed_at.is_some(),
        })
    }
}

/// Every staff account, active first, then by name.
pub async fn list_staff(conn: &mut AnyConnection) -> DbResult<Vec<StaffMember>> {
    let rows: Vec<UserWithOrgRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{USER_WITH_ORG} WHERE u.role <> 'applicant' \
         ORDER BY CASE WHEN u.removed_at IS NULL THEN 0 ELSE 1 END, u.role, u.display_name, u.id"
    )))
    .fetch_all(conn)
    .await?;
    rows.into_iter().map(StaffMember::try_from).collect()
}

/// One account with its department and centre names.
pub async fn with_org(conn: &mut AnyConnection, user_id: i64) -> DbResult<StaffMember> {
    let row: UserWithOrgRow = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{USER_WITH_ORG} WHERE u.id = $1"
    )))
    .bind(user_id)
    .fetch_optional(conn)
    .await?
    .ok_or(DbError::NotFound)?;
    StaffMember::try_from(row)
}
