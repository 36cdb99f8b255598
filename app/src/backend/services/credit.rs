//! Credit check (信用核查) against the registry of dishonest persons and entities. Run when an
//! applicant reaches L2 and again at submission; the finding is stored on the case. Which
//! items a "block" record stops is decided by [`excludes_dishonest`]; a "warn" record never
//! stops filing but rules out instant approval and flags the case for the front desk.

use super::ServiceResult;
use crate::backend::audit::Actor;
use crate::backend::db::credit::{self, CreditRow};
use crate::backend::{AppState, now_ms};
use crate::domain::case::{CreditCategory, CreditFinding, CreditLevel};
use crate::domain::catalogue::{ItemKind, ServiceItemSpec};
use crate::domain::{CreditCode, ResidentId};

/// Items closed to applicants with a "block" record: administrative licences (行政许可) and
/// every notification-commitment item (告知承诺), which by policy exclude dishonest applicants
/// (国办发〔2020〕42号). Public services and confirmations stay open to everyone.
pub fn excludes_dishonest(item: &ServiceItemSpec) -> bool {
    item.kind == ItemKind::Licensing || item.commitment.is_some()
}

/// Today's date in China Standard Time, `YYYY-MM-DD`, for comparing record dates.
pub fn today_in_china() -> String {
    crate::backend::china_date(now_ms())
}

fn finding_of(row: CreditRow) -> Option<CreditFinding> {
    Some(CreditFinding {
        category: CreditCategory::parse(&row.category)?,
        level: crate::domain::case::CreditLevel::parse(&row.level)?,
        source: row.source,
        reason: row.reason,
        recorded_on: row.recorded_on,
        expires_on: row.expires_on,
    })
}

/// The records in force today for these subjects (resident IDs and credit codes).
pub async fn findings(
    conn: &mut sqlx::AnyConnection,
    subject_ids: &[String],
) -> ServiceResult<Vec<CreditFinding>> {
    let rows = credit::in_force(conn, subject_ids, &today_in_china()).await?;
    Ok(rows.into_iter().filter_map(finding_of).collect())
}

/// A record of the CSV import, checked.
#[derive(Debug, Clone)]
pub struct ImportedRecord {
    pub row: CreditRow,
}

/// Why a CSV row of the credit registry was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordProblem {
    #[error("subject_id is neither a resident ID nor a unified social credit code")]
    Subject,
    #[error("subject_name is empty")]
    Name,
    #[error("category must be dishonest_debtor, serious_violation or broken_commitment")]
    Category,
    #[error("level must be block or warn")]
    Level,
    #[error("source and reason must not be empty")]
    SourceOrReason,
    #[error("dates must be YYYY-MM-DD")]
    Date,
}

fn is_date(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(index, byte)| index == 4 || index == 7 || byte.is_ascii_digit())
}

impl ImportedRecord {
    /// Checks one record: the subject must be a valid resident ID or credit code (stored
    /// normalised), the codes known, the dates real.
    #[expect(
        clippy::too_many_arguments,
        reason = "one argument per CSV column, in file order"
    )]
    pub fn parse(
        subject_id: &str,
        subject_name: &str,
        category: &str,
        level: &str,
        source: &str,
        reason: &str,
        recorded_on: &str,
        expires_on: &str,
    ) -> Result<Self, RecordProblem> {
        let subject = match ResidentId::parse(subject_id) {
            Ok(id) => id.as_str().to_owned(),
            Err(_) => CreditCode::parse(subject_id)
                .map_err(|_| RecordProblem::Subject)?
                .as_str()
                .to_owned(),
        };
        if subject_name.trim().is_empty() {
            return Err(RecordProblem::Name);
        }
        let category = CreditCategory::parse(category.trim()).ok_or(RecordProblem::Category)?;
        let level = match CreditLevel::parse(level.trim()) {
            Some(level @ (CreditLevel::Block | CreditLevel::Warn)) => level,
            _ => return Err(RecordProblem::Level),
        };
        if source.trim().is_empty() || reason.trim().is_empty() {
            return Err(RecordProblem::SourceOrReason);
        }
        let expires_on = expires_on.trim();
        if !is_date(recorded_on.trim()) || !(expires_on.is_empty() || is_date(expires_on)) {
            return Err(RecordProblem::Date);
        }
        Ok(Self {
            row: CreditRow {
                subject_id: subject,
                subject_name: subject_name.trim().to_owned(),
                category: category.code().to_owned(),
                level: level.code().to_owned(),
                source: source.trim().to_owned(),
                reason: reason.trim().to_owned(),
                recorded_on: recorded_on.trim().to_owned(),
                expires_on: (!expires_on.is_empty()).then(|| expires_on.to_owned()),
            },
        })
    }
}

/// Writes records (CLI import, demo seeding) in one transaction with its audit entry.
pub async fn import(
    state: &AppState,
    actor: &Actor,
    records: &[ImportedRecord],
) -> ServiceResult<usize> {
    let now = now_ms();
    let mut tx = state.db.begin_write().await?;
    for record in records {
        credit::upsert(&mut tx, &record.row, now).await?;
    }
    crate::backend::audit::record(
        &mut tx,
        actor,
        "credit.import",
        "credit_records",
        serde_json::json!({ "records": records.len() }),
    )
    .await?;
    tx.commit().await?;
    Ok(records.len())
}

/// Reads a credit-registry CSV (header `subject_id,subject_name,category,level,source,reason,
/// recorded_on,expires_on`): the good records and every bad row with its line and reason.
pub fn read_credit_csv(bytes: &[u8]) -> (Vec<ImportedRecord>, Vec<super::identity::RejectedRow>) {
    super::identity::read_csv_rows(bytes, |record| {
        let column = |index| record.get(index).unwrap_or("");
        ImportedRecord::parse(
            column(0),
            column(1),
            column(2),
            column(3),
            column(4),
            column(5),
            column(6),
            column(7),
        )
        .map_err(|problem| problem.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_needs_a_valid_subject_known_codes_and_real_dates() {
        let good = ImportedRecord::parse(
            "11010519491231002x",
            "张三",
            "dishonest_debtor",
            "block",
            "南京市栖霞区人民法院",
            "未履行生效判决",
            "2025-03-01",
            "",
        );
        assert!(good.is_ok_and(|record| record.row.subject_id == "11010519491231002X"));
        let bad = |subject, category, level, date| {
            ImportedRecord::parse(subject, "n", category, level, "s", "r", date, "").err()
        };
        assert_eq!(
            bad(
                "110105194912310021",
                "dishonest_debtor",
                "block",
                "2025-03-01"
            ),
            Some(RecordProblem::Subject)
        );
        assert_eq!(
            bad("11010519491231002X", "rumour", "block", "2025-03-01"),
            Some(RecordProblem::Category)
        );
        assert_eq!(
            bad(
                "11010519491231002X",
                "dishonest_debtor",
                "clear",
                "2025-03-01"
            ),
            Some(RecordProblem::Level)
        );
        assert_eq!(
            bad("11010519491231002X", "dishonest_debtor", "warn", "1.3.2025"),
            Some(RecordProblem::Date)
        );
    }

    #[test]
    fn chinese_today_is_a_date() {
        assert!(is_date(&today_in_china()));
    }
}
