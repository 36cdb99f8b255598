//! Organisation aggregate: departments and service centres.

use sqlx::{AnyConnection, FromRow};

use super::DbResult;
use crate::api::{Department, OrgUnitName, Organisation, ServiceCentre};

#[derive(FromRow)]
struct DepartmentRow {
    id: i64,
    code: String,
    name_zh: String,
    name_en: String,
}

#[derive(FromRow)]
struct CentreRow {
    id: i64,
    code: String,
    name_zh: String,
    name_en: String,
    level: String,
}

/// A department or centre to create if its code is new.
pub struct NewOrgUnit<'a> {
    pub code: &'a str,
    pub name_zh: &'a str,
    pub name_en: &'a str,
}

/// Inserts a department unless one with the same code exists. Returns whether it was new.
pub async fn upsert_department(
    conn: &mut AnyConnection,
    unit: &NewOrgUnit<'_>,
    now: i64,
) -> DbResult<bool> {
    let result = sqlx::query(
        "INSERT INTO departments (code, name_zh, name_en, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (code) DO NOTHING",
    )
    .bind(unit.code)
    .bind(unit.name_zh)
    .bind(unit.name_en)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(result.rows_affected() == 1)
}

pub async fn upsert_centre(
    conn: &mut AnyConnection,
    unit: &NewOrgUnit<'_>,
    level: &str,
    address_zh: &str,
    now: i64,
) -> DbResult<bool> {
    let result = sqlx::query(
        "INSERT INTO service_centres (code, name_zh, name_en, level, address_zh, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (code) DO NOTHING",
    )
    .bind(unit.code)
    .bind(unit.name_zh)
    .bind(unit.name_en)
    .bind(level)
    .bind(address_zh)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(result.rows_affected() == 1)
}

pub async fn department_id_by_code(conn: &mut AnyConnection, code: &str) -> DbResult<Option<i64>> {
    Ok(
        sqlx::query_scalar("SELECT id FROM departments WHERE code = $1")
            .bind(code)
            .fetch_optional(conn)
            .await?,
    )
}

pub async fn centre_id_by_code(conn: &mut AnyConnection, code: &str) -> DbResult<Option<i64>> {
    Ok(
        sqlx::query_scalar("SELECT id FROM service_centres WHERE code = $1")
            .bind(code)
            .fetch_optional(conn)
            .await?,
    )
}

pub async fn department_exists(conn: &mut AnyConnection, id: i64) -> DbResult<bool> {
    let found: Option<i64> = sqlx::query_scalar("SELECT id FROM departments WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await?;
    Ok(found.is_some())
}

pub async fn centre_exists(conn: &mut AnyConnection, id: i64) -> DbResult<bool> {
    let found: Option<i64> = sqlx::query_scalar("SELECT id FROM service_centres WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await?;
    Ok(found.is_some())
}

/// All departments and centres, ordered by code (the district hall first).
pub async fn list(conn: &mut AnyConnection) -> DbResult<Organisation> {
    let departments: Vec<DepartmentRow> =
        sqlx::query_as("SELECT id, code, name_zh, name_en FROM departments ORDER BY code")
            .fetch_all(&mut *conn)
            .await?;
    let centres: Vec<CentreRow> = sqlx::query_as(
        "SELECT id, code, name_zh, name_en, level FROM service_centres ORDER BY code",
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(Organisation {
        departments: departments
            .into_iter()
            .map(|row| Department {
                id: row.id,
                code: row.code,
                name: OrgUnitName {
                    zh: row.name_zh,
                    en: row.name_en,
                },
            })
            .collect(),
        service_centres: centres
            .into_iter()
            .map(|row| ServiceCentre {
                id: row.id,
                code: row.code,
                name: OrgUnitName {
                    zh: row.name_zh,
                    en: row.name_en,
                },
                level: row.level,
            })
            .collect(),
    })
}
