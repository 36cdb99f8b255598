//! Statistics (数据分析): keeps the daily rollups up to date and answers reports for a period.
//!
//! The refresh job reads what changed since its watermark from the case timelines (every
//! transition writes a timeline entry in its transaction), recomputes each changed day from the
//! cases and work of that day, and replaces that day's rows in a short write transaction, so a
//! long refresh never holds the write lock. A lease row makes one node refresh at a time; a
//! node that dies mid-way leaves the watermark where it was and the next refresh redoes the
//! days (replacing a day is idempotent). A report sums the rows of its days: a year is a few
//! hundred thousand rows at most, read through the primary key.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use super::ServiceResult;
use crate::api::{
    AppError, DayTally, DecisionFigures, StaffFigures, Stage, StageTime, StatisticsReport, Tally,
    WorkerFigures,
};
use crate::backend::db::statistics::{self as db, NamedRow, SumRow};
use crate::backend::{AppState, now_ms};
use crate::domain::calendar::Day;
use crate::domain::catalogue::Text;
use crate::domain::statistics::{
    DAY_MS, DayRollup, Histogram, Period, dim, measure, to_licence_distribution,
};
use crate::i18n::Lang;

/// How long a refresh may hold the lease without renewing it.
const LEASE_MS: i64 = 10 * 60_000;
/// Timeline entries this recent are read again by the next refresh, in case their
/// transaction committed after one with a higher id.
const LATE_COMMIT_MARGIN_MS: i64 = 2 * 60_000;

/// What one refresh did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refresh {
    /// Another node holds the lease.
    Busy,
    /// The days recomputed and the rows written.
    Done { days: usize, rows: usize },
}

fn day_of_number(number: i64) -> Day {
    Day::of_china_ms(number * DAY_MS)
}

/// Brings the rollups up to date with every case change so far.
pub async fn refresh(state: &AppState) -> ServiceResult<Refresh> {
    let started = now_ms();
    let lease = {
        let mut tx = state.db.begin_write().await?;
        let lease = db::take_lease(&mut tx, started, started + LEASE_MS).await?;
        tx.commit().await?;
        lease
    };
    let Some(progress) = lease else {
        return Ok(Refresh::Busy);
    };
    match refresh_days(state, progress, started).await {
        Ok(done) => Ok(done),
        Err(error) => {
            if let Ok(mut conn) = state.db.read().await {
                let _ = db::release_lease(&mut conn).await;
            }
            Err(error)
        }
    }
}

async fn refresh_days(
    state: &AppState,
    progress: db::RefreshState,
    started: i64,
) -> ServiceResult<Refresh> {
    let mut conn = state.db.read().await?;
    // Read before the changed days, so anything written meanwhile is after the watermark.
    let watermark = db::last_event_id(&mut conn).await?;
    let since = if progress.last_started == 0 {
        i64::MAX
    } else {
        progress.last_started - LATE_COMMIT_MARGIN_MS
    };
    let days = db::changed_days(&mut conn, progress.watermark, since).await?;
    drop(conn);
    let mut rows = 0;
    for (done, number) in days.iter().enumerate() {
        let day = day_of_number(*number);
        rows += recompute_day(state, day).await?;
        if done % 20 == 19 {
            let mut tx = state.db.begin_write().await?;
            db::extend_lease(&mut tx, now_ms() + LEASE_MS).await?;
            tx.commit().await?;
        }
    }
    let mut tx = state.db.begin_write().await?;
    db::finish_refresh(&mut tx, watermark, started, now_ms()).await?;
    tx.commit().await?;
    Ok(Refresh::Done {
        days: days.len(),
        rows,
    })
}

/// Recomputes one day from the database and replaces its rows; the number of rows.
pub async fn recompute_day(state: &AppState, day: Day) -> ServiceResult<usize> {
    let start = day.china_start_ms();
    let end = day.next().china_start_ms();
    let (cases, work) = {
        let mut conn = state.db.read().await?;
        (
            db::cohort(&mut conn, start, end).await?,
            db::work(&mut conn, start, end).await?,
        )
    };
    let rollup = DayRollup::build(&cases, &work);
    let mut tx = state.db.begin_write().await?;
    let written = db::replace_day(&mut tx, &day.to_string(), rollup.rows()).await?;
    tx.commit().await?;
    Ok(written)
}

/// Refreshes now and then every `interval`, for as long as the server runs. Errors are logged
/// and the next round tries again.
pub async fn run_refresher(state: AppState, interval: Duration) {
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        let started = std::time::Instant::now();
        match refresh(&state).await {
            Ok(Refresh::Done { days, rows }) if days > 0 => tracing::info!(
                days,
                rows,
                ms = started.elapsed().as_millis() as u64,
                "statistics refreshed"
            ),
            Ok(_) => {}
            Err(error) => {
                let error = AppError::from(error);
                tracing::warn!(error = ?error, "statistics refresh failed; retrying next round");
            }
        }
    }
}

fn names(rows: Vec<NamedRow>) -> HashMap<String, NamedRow> {
    rows.into_iter().map(|row| (row.key.clone(), row)).collect()
}

fn text_of(row: &NamedRow) -> Text {
    Text {
        zh: row.name_zh.clone(),
        en: row.name_en.clone(),
    }
}

fn unit_of(row: &NamedRow) -> Option<Text> {
    Some(Text {
        zh: row.unit_zh.clone()?,
        en: row.unit_en.clone()?,
    })
}

/// The rows of one dimension and measure as tallies, largest first (ties by key).
fn tallies(
    sums: &BTreeMap<(String, String, String), i64>,
    dimension: &str,
    measure: &str,
    named: Option<&HashMap<String, NamedRow>>,
) -> Vec<Tally> {
    let mut tallies: Vec<Tally> = sums
        .iter()
        .filter(|((d, _, m), value)| d == dimension && m == measure && **value != 0)
        .map(|((_, key, _), value)| Tally {
            key: key.clone(),
            name: named.and_then(|named| named.get(key)).map(text_of),
            value: *value,
        })
        .collect();
    tallies.sort_by(|a, b| b.value.cmp(&a.value).then_with(|| a.key.cmp(&b.key)));
    tallies
}

fn histogram(sums: &BTreeMap<(String, String, String), i64>, dimension: &str) -> Histogram {
    let mut histogram = Histogram::default();
    for ((d, key, m), value) in sums {
        if d == dimension
            && m == measure::COUNT
            && let Ok(bucket) = key.parse::<u32>()
        {
            histogram.add_bucket(bucket, *value);
        }
    }
    histogram
}

/// The figures of `period`; with `staff`, the work of each worker, approver and department too
/// (the service office's dashboard).
pub async fn report(
    state: &AppState,
    period: Period,
    staff: bool,
) -> ServiceResult<StatisticsReport> {
    let from = period.from.to_string();
    let to = period.to.to_string();
    let mut conn = state.db.read().await?;
    let rows: Vec<SumRow> = db::sums(&mut conn, &from, &to).await?;
    let sums: BTreeMap<(String, String, String), i64> = rows
        .into_iter()
        .map(|row| ((row.dimension, row.key, row.measure), row.value))
        .collect();
    let total = |measure: &str| {
        sums.get(&(dim::CASES.into(), String::new(), measure.into()))
            .copied()
            .unwrap_or(0)
    };
    let submitted = db::series(&mut conn, dim::CASES, measure::COUNT, &from, &to).await?;
    let issued = db::series(&mut conn, dim::WORK, measure::ISSUED, &from, &to).await?;
    let submitted: HashMap<String, i64> = submitted
        .into_iter()
        .map(|row| (row.day, row.value))
        .collect();
    let issued: HashMap<String, i64> = issued.into_iter().map(|row| (row.day, row.value)).collect();
    let per_day = period
        .days()
        .map(|day| {
            let day = day.to_string();
            DayTally {
                submitted: submitted.get(&day).copied().unwrap_or(0),
                issued: issued.get(&day).copied().unwrap_or(0),
                day,
            }
        })
        .collect();
    let items = names(db::item_names(&mut conn).await?);
    let departments = names(db::department_names(&mut conn).await?);
    let centres = names(db::centre_names(&mut conn).await?);
    let stage_times = Stage::ALL
        .into_iter()
        .map(|stage| {
            let histogram = histogram(
                &sums,
                match stage {
                    Stage::ToLicence => dim::TO_LICENCE,
                    Stage::AtFrontDesk => dim::AT_FRONT_DESK,
                    Stage::InBackOffice => dim::IN_BACK_OFFICE,
                    Stage::WaitingForApplicant => dim::WAITING,
                },
            );
            StageTime {
                stage,
                cases: histogram.count(),
                median_ms: histogram.percentile(0.5),
                p90_ms: histogram.percentile(0.9),
            }
        })
        .collect();
    let to_licence_distribution = to_licence_distribution(&histogram(&sums, dim::TO_LICENCE))
        .into_iter()
        .map(|(key, value)| Tally {
            key: key.into(),
            name: None,
            value,
        })
        .collect();
    let staff = if staff {
        let people = names(db::staff_names(&mut conn).await?);
        Some(staff_figures(&sums, &people, &departments))
    } else {
        None
    };
    Ok(StatisticsReport {
        from,
        to,
        refreshed_at: db::refreshed_at(&mut conn).await?,
        cases: total(measure::COUNT),
        instant: total(measure::INSTANT),
        decided: total(measure::DECIDED),
        on_time: total(measure::ON_TIME),
        returned: total(measure::RETURNED),
        multi_notice: total(measure::MULTI_NOTICE),
        refused: total(measure::REFUSED),
        issued_cases: total(measure::ISSUED),
        issued_in_period: sums
            .get(&(dim::WORK.into(), String::new(), measure::ISSUED.into()))
            .copied()
            .unwrap_or(0),
        by_status: tallies(&sums, dim::STATUS, measure::COUNT, None),
        by_item: tallies(&sums, dim::ITEM, measure::COUNT, Some(&items)),
        by_department: tallies(&sums, dim::DEPARTMENT, measure::COUNT, Some(&departments)),
        by_centre: tallies(&sums, dim::CENTRE, measure::COUNT, Some(&centres)),
        refusals: tallies(&sums, dim::REFUSAL, measure::COUNT, None),
        return_points: tallies(&sums, dim::RETURN_POINT, measure::COUNT, None),
        per_day,
        stage_times,
        to_licence_distribution,
        staff,
    })
}

fn staff_figures(
    sums: &BTreeMap<(String, String, String), i64>,
    people: &HashMap<String, NamedRow>,
    departments: &HashMap<String, NamedRow>,
) -> StaffFigures {
    let value = |dimension: &str, key: &str, measure: &str| {
        sums.get(&(dimension.into(), key.into(), measure.into()))
            .copied()
            .unwrap_or(0)
    };
    let keys = |dimension: &str| {
        let mut keys: Vec<&String> = sums
            .keys()
            .filter(|(d, _, _)| d == dimension)
            .map(|(_, key, _)| key)
            .collect();
        keys.dedup();
        keys
    };
    let unknown = |key: &str| Text {
        zh: key.to_owned(),
        en: key.to_owned(),
    };
    let mut workers: Vec<WorkerFigures> = keys(dim::WORKER)
        .into_iter()
        .map(|key| WorkerFigures {
            name: people
                .get(key)
                .map_or_else(|| key.clone(), |row| row.name_zh.clone()),
            centre: people.get(key).and_then(unit_of),
            accepted: value(dim::WORKER, key, measure::ACCEPTED),
            returned: value(dim::WORKER, key, measure::RETURNED),
            refused: value(dim::WORKER, key, measure::REFUSED),
        })
        .collect();
    workers.sort_by(|a, b| {
        (b.accepted + b.returned + b.refused)
            .cmp(&(a.accepted + a.returned + a.refused))
            .then_with(|| a.name.cmp(&b.name))
    });
    let decisions = |dimension: &str, named: &HashMap<String, NamedRow>, with_unit: bool| {
        let mut figures: Vec<DecisionFigures> = keys(dimension)
            .into_iter()
            .map(|key| DecisionFigures {
                name: named.get(key).map_or_else(|| unknown(key), text_of),
                department: if with_unit {
                    named.get(key).and_then(unit_of)
                } else {
                    None
                },
                approved: value(dimension, key, measure::APPROVED),
                rejected: value(dimension, key, measure::REJECTED),
            })
            .collect();
        figures.sort_by(|a, b| {
            (b.approved + b.rejected)
                .cmp(&(a.approved + a.rejected))
                .then_with(|| a.name.zh.cmp(&b.name.zh))
        });
        figures
    };
    StaffFigures {
        workers,
        approvers: decisions(dim::APPROVER, people, true),
        departments: decisions(dim::DEPARTMENT_WORK, departments, false),
    }
}

/// Reads the period of a request; 422 naming the field when it is not a period.
pub fn period_of(from: &str, to: &str) -> ServiceResult<Period> {
    Period::parse(from, to, Day::of_china_ms(now_ms()))
        .map_err(|errors| AppError::Invalid(errors).into())
}

/// The report as CSV in one long table (section, code, name, value), with a byte-order mark so
/// spreadsheet programs read the Chinese names right.
pub fn report_csv(report: &StatisticsReport, lang: Lang) -> anyhow::Result<Vec<u8>> {
    use crate::domain::back_office::RefusalReason;
    use crate::domain::case::CaseStatus;
    use crate::i18n::{self, Msg};

    let mut out = "\u{feff}".as_bytes().to_vec();
    {
        let mut writer = csv::Writer::from_writer(&mut out);
        writer.write_record([
            Msg::StatsSection.text(lang),
            Msg::StatsCode.text(lang),
            Msg::StatsName.text(lang),
            Msg::StatsValue.text(lang),
        ])?;
        let mut row = |section: &str, code: &str, name: &str, value: String| {
            writer.write_record([section, code, name, value.as_str()])
        };
        row(
            "period",
            "from",
            Msg::FieldPeriodFrom.text(lang),
            report.from.clone(),
        )?;
        row(
            "period",
            "to",
            Msg::FieldPeriodTo.text(lang),
            report.to.clone(),
        )?;
        let figures = [
            ("cases", Msg::StatsCases, report.cases),
            ("instant", Msg::StatsInstantShare, report.instant),
            ("on_time", Msg::StatsOnTimeRate, report.on_time),
            ("decided", Msg::StatsOfDecided, report.decided),
            ("returned", Msg::StatsReturnedCases, report.returned),
            ("multi_notice", Msg::StatsMultiNotice, report.multi_notice),
            ("refused", Msg::StatsRefusedCases, report.refused),
            ("issued_cases", Msg::StatsIssuedCases, report.issued_cases),
            (
                "issued_in_period",
                Msg::StatsIssuedInPeriod,
                report.issued_in_period,
            ),
        ];
        for (code, msg, value) in figures {
            row("key_figures", code, msg.text(lang), value.to_string())?;
        }
        let text_name = |tally: &Tally| {
            tally
                .name
                .as_ref()
                .map(|name| match lang {
                    Lang::Zh => name.zh.clone(),
                    Lang::En => name.en.clone(),
                })
                .unwrap_or_default()
        };
        for tally in &report.by_status {
            let name = CaseStatus::parse(&tally.key)
                .map(|status| i18n::case_status_text(status, lang).to_owned())
                .unwrap_or_default();
            row("status", &tally.key, &name, tally.value.to_string())?;
        }
        for (section, tallies) in [
            ("item", &report.by_item),
            ("department", &report.by_department),
            ("centre", &report.by_centre),
        ] {
            for tally in tallies {
                row(
                    section,
                    &tally.key,
                    &text_name(tally),
                    tally.value.to_string(),
                )?;
            }
        }
        for tally in &report.refusals {
            let name = RefusalReason::parse(&tally.key)
                .map(|reason| i18n::refusal_reason_text(reason, lang).to_owned())
                .unwrap_or_default();
            row("refusal", &tally.key, &name, tally.value.to_string())?;
        }
        for tally in &report.return_points {
            let name = i18n::return_point_text(&tally.key, lang);
            row("return_point", &tally.key, &name, tally.value.to_string())?;
        }
        for day in &report.per_day {
            row(
                "per_day_submitted",
                &day.day,
                Msg::StatsSubmitted.text(lang),
                day.submitted.to_string(),
            )?;
            row(
                "per_day_issued",
                &day.day,
                Msg::StatsIssued.text(lang),
                day.issued.to_string(),
            )?;
        }
        for stage in &report.stage_times {
            let code = serde_json::to_value(stage.stage)?
                .as_str()
                .unwrap_or_default()
                .to_owned();
            let name = i18n::stage_text(stage.stage, lang);
            let ms = |value: Option<i64>| value.map(|v| v.to_string()).unwrap_or_default();
            row("stage_cases", &code, name, stage.cases.to_string())?;
            row("stage_median_ms", &code, name, ms(stage.median_ms))?;
            row("stage_p90_ms", &code, name, ms(stage.p90_ms))?;
        }
        for tally in &report.to_licence_distribution {
            let name = i18n::distribution_bin_text(&tally.key, lang);
            row(
                "to_licence_distribution",
                &tally.key,
                &name,
                tally.value.to_string(),
            )?;
        }
        if let Some(staff) = &report.staff {
            for worker in &staff.workers {
                row(
                    "worker_accepted",
                    &worker.name,
                    &worker.name,
                    worker.accepted.to_string(),
                )?;
                row(
                    "worker_returned",
                    &worker.name,
                    &worker.name,
                    worker.returned.to_string(),
                )?;
                row(
                    "worker_refused",
                    &worker.name,
                    &worker.name,
                    worker.refused.to_string(),
                )?;
            }
            for (section, figures) in [
                ("approver", &staff.approvers),
                ("department_work", &staff.departments),
            ] {
                for figure in figures {
                    let name = match lang {
                        Lang::Zh => &figure.name.zh,
                        Lang::En => &figure.name.en,
                    };
                    row(
                        &format!("{section}_approved"),
                        name,
                        name,
                        figure.approved.to_string(),
                    )?;
                    row(
                        &format!("{section}_rejected"),
                        name,
                        name,
                        figure.rejected.to_string(),
                    )?;
                }
            }
        }
        writer.flush()?;
    }
    Ok(out)
}

/// Forgets what the rollups hold, so the next refresh recomputes every day.
pub async fn forget(state: &AppState) -> ServiceResult<()> {
    let mut tx = state.db.begin_write().await?;
    db::reset(&mut tx).await?;
    tx.commit().await?;
    Ok(())
}
