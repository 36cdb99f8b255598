//! A generated history of cases, for the statistics to show something real in demo mode and
//! for the scale benchmark (`server generate-history --cases 1000000 --days 365`).
//!
//! The cases are written straight into the tables (set-based SQL, one transaction per day),
//! with everything the statistics and the case pages read: drafts, case rows with valid
//! numbers (the year's counter moves past them), items, departments, correction notices, and
//! complete timelines (submission, returns and answers, acceptance by a worker or the rules,
//! refusal, supplements, department decisions, the outcome, issue, delivery). They belong to a
//! generated applicant account nobody can sign in to. Cases of the last 14 days may still be
//! open (waiting at the desk, returned, in approval) unless `completed_only`; no licences,
//! tasks or mails are made. Figures vary by deterministic pseudo-random draws per case, so two
//! runs of the same size have the same shape.

use anyhow::Context as _;
use sqlx::{AnyConnection, Executor as _};

use super::audit::{self, Actor};
use super::db::DbKind;
use super::{AppState, now_ms};
use crate::domain::calendar::Day;
use crate::domain::statistics::DAY_MS;

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct HistoryPlan {
    pub cases: u32,
    /// Days of history, ending yesterday.
    pub days: u32,
    /// Only completed cases (demo mode: queues stay as they were).
    pub completed_only: bool,
}

const APPLICANT_LOGIN: &str = "history@generated.invalid";
const DESK_LOGIN: &str = "history-desk@generated.invalid";
/// Days before today whose cases may still be open.
const OPEN_DAYS: u32 = 14;

async fn exec(conn: &mut AnyConnection, sql: String) -> anyhow::Result<()> {
    conn.execute(sqlx::AssertSqlSafe(sql.clone()))
        .await
        .with_context(|| sql.chars().take(160).collect::<String>())?;
    Ok(())
}

async fn scalar(conn: &mut AnyConnection, sql: String) -> anyhow::Result<i64> {
    sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql.clone()))
        .fetch_one(conn)
        .await
        .with_context(|| sql.chars().take(160).collect::<String>())
}

/// An account for the generated history, made once; its password is random and never shown.
async fn account(
    conn: &mut AnyConnection,
    login: &str,
    name: &str,
    role: &str,
) -> anyhow::Result<i64> {
    if let Some(id) = sqlx::query_scalar::<_, i64>("SELECT id FROM users WHERE login = $1")
        .bind(login)
        .fetch_optional(&mut *conn)
        .await?
    {
        return Ok(id);
    }
    let hash = super::auth::password::hash(super::random_token(24)).await?;
    let now = now_ms();
    Ok(sqlx::query_scalar(
        "INSERT INTO users (login, login_kind, display_name, password_hash, role, \
         service_centre_id, created_at, updated_at) VALUES ($1, 'email', $2, $3, $4, \
         CASE WHEN $4 = 'front_desk' THEN (SELECT MIN(id) FROM service_centres) END, $5, $5) \
         RETURNING id",
    )
    .bind(login)
    .bind(name)
    .bind(hash)
    .bind(role)
    .bind(now)
    .fetch_one(conn)
    .await?)
}

/// Whether a history was generated into this database already.
pub async fn exists(conn: &mut AnyConnection) -> sqlx::Result<bool> {
    Ok(
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM users WHERE login = $1")
            .bind(APPLICANT_LOGIN)
            .fetch_one(conn)
            .await?
            > 0,
    )
}

/// Generates the history; the number of cases written.
pub async fn generate(state: &AppState, plan: HistoryPlan) -> anyhow::Result<u64> {
    generate_with_progress(state, plan, &|_| {}).await
}

/// Like [`generate`], calling `progress` with the cases written so far after each day.
pub async fn generate_with_progress(
    state: &AppState,
    plan: HistoryPlan,
    progress: &dyn Fn(u64),
) -> anyhow::Result<u64> {
    anyhow::ensure!(plan.days > 0, "the history needs at least one day");
    let kind = state.db.kind();
    let mut conn = state.db.read().await?;
    let applicant = account(&mut conn, APPLICANT_LOGIN, "历史数据申请人", "applicant").await?;
    let existing_desk: Option<i64> =
        sqlx::query_scalar("SELECT MIN(id) FROM users WHERE role = 'front_desk'")
            .fetch_one(&mut *conn)
            .await?;
    let desk = match existing_desk {
        Some(id) => id,
        None => account(&mut conn, DESK_LOGIN, "历史数据窗口", "front_desk").await?,
    };
    // The published items (newest version), the centres, the front-desk workers and one
    // approver per department, numbered from 0 for the draws.
    for table in [
        "history_items",
        "history_centres",
        "history_desk",
        "history_approvers",
    ] {
        exec(&mut conn, format!("DROP TABLE IF EXISTS {table}")).await?;
    }
    exec(
        &mut conn,
        "CREATE TEMPORARY TABLE history_items AS SELECT ROW_NUMBER() OVER (ORDER BY v.code) - 1 AS k, \
         v.code, v.version, v.name_zh, v.name_en, v.responsible_department AS department, \
         v.instant_approval, v.promised_days FROM service_item_versions v \
         WHERE v.published_at IS NOT NULL AND v.version = (SELECT MAX(w.version) \
         FROM service_item_versions w WHERE w.code = v.code AND w.published_at IS NOT NULL) \
         AND v.responsible_department IN (SELECT code FROM departments)"
            .into(),
    )
    .await?;
    let items = scalar(&mut conn, "SELECT COUNT(*) FROM history_items".into()).await?;
    anyhow::ensure!(
        items > 0,
        "no published service items: import or seed a catalogue first"
    );
    exec(
        &mut conn,
        "CREATE TEMPORARY TABLE history_centres AS SELECT ROW_NUMBER() OVER (ORDER BY code) - 1 AS k, \
         code FROM service_centres"
            .into(),
    )
    .await?;
    let centres = scalar(&mut conn, "SELECT COUNT(*) FROM history_centres".into()).await?;
    exec(
        &mut conn,
        format!(
            "CREATE TEMPORARY TABLE history_desk AS SELECT ROW_NUMBER() OVER (ORDER BY id) - 1 AS k, \
             id FROM users WHERE role = 'front_desk' OR id = {desk}"
        ),
    )
    .await?;
    let desks = scalar(&mut conn, "SELECT COUNT(*) FROM history_desk".into()).await?;
    exec(
        &mut conn,
        "CREATE TEMPORARY TABLE history_approvers AS SELECT d.code AS department, MIN(u.id) AS id \
         FROM users u JOIN departments d ON d.id = u.department_id WHERE u.role = 'approver' \
         GROUP BY d.code"
            .into(),
    )
    .await?;

    let now = now_ms();
    let today = Day::of_china_ms(now);
    let run = now.to_string();
    let mut written: u64 = 0;
    let mut first_index: u64 = 0;
    for offset in 0..plan.days {
        let day = today.plus_days(-(i32::try_from(plan.days - offset).unwrap_or(i32::MAX)));
        // Spread the cases evenly over the days, the remainder on the first ones.
        let count = u64::from(plan.cases / plan.days) + u64::from(offset < plan.cases % plan.days);
        if count == 0 {
            continue;
        }
        let open_allowed = !plan.completed_only && plan.days - offset <= OPEN_DAYS;
        let (year, _, _) = day.ymd();
        // The day's tables are temporary, so the transaction runs on this same connection.
        let mut tx = match kind {
            DbKind::Sqlite => sqlx::Connection::begin_with(&mut *conn, "BEGIN IMMEDIATE").await?,
            DbKind::Postgres => sqlx::Connection::begin(&mut *conn).await?,
        };
        let count_i64 = i64::try_from(count)?;
        let last: i64 = sqlx::query_scalar(
            "INSERT INTO case_numbers (year, last) VALUES ($1, $2) \
             ON CONFLICT (year) DO UPDATE SET last = case_numbers.last + $2 RETURNING last",
        )
        .bind(i64::from(year))
        .bind(count_i64)
        .fetch_one(&mut *tx)
        .await?;
        let serial_base = last - count_i64;
        anyhow::ensure!(
            last <= 999_999,
            "more than 999,999 cases in {year}: generate fewer cases or over more days"
        );
        let day_plan = DayPlan {
            kind,
            tag: format!("hist-{run}-{offset}"),
            day_start: day.china_start_ms(),
            count,
            first_index,
            year,
            serial_base,
            open_allowed,
            now,
            applicant,
            items,
            centres,
            desks,
        };
        write_day(&mut tx, &day_plan).await?;
        tx.commit().await?;
        written += count;
        first_index += count;
        progress(written);
    }
    for table in [
        "history_items",
        "history_centres",
        "history_desk",
        "history_approvers",
    ] {
        exec(&mut conn, format!("DROP TABLE IF EXISTS {table}")).await?;
    }
    drop(conn);
    let mut tx = state.db.begin_write().await?;
    audit::append(
        &mut tx,
        &Actor::system("history"),
        "history.generated",
        "cases",
        serde_json::json!({ "cases": written, "days": plan.days, "completed_only": plan.completed_only }),
        now_ms(),
    )
    .await?;
    tx.commit().await?;
    Ok(written)
}

struct DayPlan {
    kind: DbKind,
    tag: String,
    day_start: i64,
    count: u64,
    first_index: u64,
    year: i32,
    serial_base: i64,
    open_allowed: bool,
    now: i64,
    applicant: i64,
    items: i64,
    centres: i64,
    desks: i64,
}

/// `expr`, but never later than `now` (a case submitted yesterday cannot be decided tomorrow).
fn not_after(expr: &str, now: i64) -> String {
    format!("(CASE WHEN ({expr}) > {now} THEN {now} ELSE ({expr}) END)")
}

async fn write_day(conn: &mut AnyConnection, plan: &DayPlan) -> anyhow::Result<()> {
    let DayPlan {
        kind,
        ref tag,
        day_start,
        count,
        first_index,
        year,
        serial_base,
        open_allowed,
        now,
        applicant,
        items,
        centres,
        desks,
    } = *plan;
    let series = match kind {
        DbKind::Sqlite => format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {count}) SELECT i FROM n"
        ),
        DbKind::Postgres => {
            format!("SELECT i FROM generate_series(CAST(1 AS BIGINT), {count}) AS n(i)")
        }
    };
    let serial_text = match kind {
        DbKind::Sqlite => format!("substr('000000' || ({serial_base} + h.i), -6)"),
        DbKind::Postgres => format!("lpad(CAST({serial_base} + h.i AS TEXT), 6, '0')"),
    };
    let open = i64::from(open_allowed);
    let centres = centres.max(1);
    exec(conn, "DROP TABLE IF EXISTS history_day".into()).await?;
    // Layer by layer: draws, status and instant approval, durations, then the moments.
    let draws = format!(
        "SELECT i, i + {first_index} AS g, \
         {day_start} + 28800000 + (((i + {first_index}) * 7919) % 36000) * 1000 AS t_sub, \
         (((i + {first_index}) * 2654435) % 1000003) % {items} AS item_k, \
         ((i + {first_index}) * 17) % {centres} AS centre_k, \
         ((i + {first_index}) * 7907 + 11) % 1000 AS r_status, \
         ((i + {first_index}) * 104729 + 3) % 1000 AS r_inst, \
         ((i + {first_index}) * 15485863 + 5) % 1000 AS r_desk, \
         ((i + {first_index}) * 32452843 + 1) % 1000 AS r_back, \
         ((i + {first_index}) * 49979687 + 9) % 1000 AS r_ret, \
         ((i + {first_index}) * 67867967 + 2) % 1000 AS r_sup, \
         ((i + {first_index}) * 86028121 + 4) % 1000 AS r_who \
         FROM ({series}) AS s"
    );
    let status = format!(
        "SELECT a.*, it.code, it.version, it.name_zh, it.name_en, it.department, it.promised_days, \
         CASE WHEN {open} = 1 AND a.r_status < 150 THEN 'submitted' \
              WHEN {open} = 1 AND a.r_status < 220 THEN 'returned' \
              WHEN {open} = 1 AND a.r_status < 420 THEN 'in_approval' \
              WHEN a.r_status < 20 THEN 'withdrawn' WHEN a.r_status < 50 THEN 'refused' \
              WHEN a.r_status < 90 THEN 'rejected' WHEN a.r_status < 600 THEN 'issued' \
              ELSE 'delivered' END AS status, \
         CASE WHEN it.instant_approval = 1 AND a.r_inst < 700 \
              AND a.r_status >= 90 AND NOT ({open} = 1 AND a.r_status < 420) THEN 1 ELSE 0 END AS instant \
         FROM ({draws}) AS a JOIN history_items it ON it.k = a.item_k"
    );
    let durations = "SELECT b.*, \
         CASE WHEN b.instant = 1 OR b.status IN ('withdrawn', 'submitted', 'in_approval') THEN 0 \
              WHEN b.status = 'returned' THEN 1 \
              WHEN b.r_ret < 25 THEN 2 WHEN b.r_ret < 140 THEN 1 ELSE 0 END AS returns, \
         CASE WHEN b.instant = 1 THEN 0 ELSE 1200000 + b.r_desk * b.r_desk * 170 END AS desk_ms, \
         14400000 + b.r_ret * 150000 AS wait_ms, \
         CASE WHEN b.instant = 1 THEN 2000 ELSE 3600000 + b.r_back * b.r_back * 400 END AS back_ms, \
         CASE WHEN b.instant = 0 AND b.r_sup < 50 THEN 86400000 + b.r_sup * 3000000 ELSE 0 END AS sup_ms \
         FROM (STATUS) AS b"
        .replace("STATUS", &status);
    let t_acc = "c.t_sub + c.desk_ms + CASE c.returns WHEN 0 THEN 0 WHEN 1 THEN c.wait_ms \
                 ELSE c.wait_ms + c.wait_ms / 2 END";
    let moments = format!(
        "CREATE TEMPORARY TABLE history_day AS SELECT c.*, \
         {t_ret1} AS t_ret1, {t_resub1} AS t_resub1, {t_ret2} AS t_ret2, {t_resub2} AS t_resub2, \
         {t_acc_clamped} AS t_acc, {t_sup_req} AS t_sup_req, {t_sup_ans} AS t_sup_ans, \
         {t_dec} AS t_dec, {t_deliv} AS t_deliv, {t_wd} AS t_wd, \
         ({t_acc}) + 4 * {DAY_MS} + c.sup_ms AS deadline_at, \
         c.r_who % {desks} AS desk_k \
         FROM ({durations}) AS c",
        t_ret1 = not_after("c.t_sub + c.desk_ms / 2", now),
        t_resub1 = not_after("c.t_sub + c.desk_ms / 2 + c.wait_ms", now),
        t_ret2 = not_after("c.t_sub + c.desk_ms / 2 + c.wait_ms + c.desk_ms / 4", now),
        t_resub2 = not_after(
            "c.t_sub + c.desk_ms / 2 + c.wait_ms + c.desk_ms / 4 + c.wait_ms / 2",
            now
        ),
        t_acc_clamped = not_after(t_acc, now),
        t_sup_req = not_after(&format!("{t_acc} + c.back_ms / 3"), now),
        t_sup_ans = not_after(&format!("{t_acc} + c.back_ms / 3 + c.sup_ms"), now),
        t_dec = not_after(&format!("{t_acc} + c.back_ms + c.sup_ms"), now),
        t_deliv = not_after(&format!("{t_acc} + c.back_ms + c.sup_ms + {DAY_MS}"), now),
        t_wd = not_after("c.t_sub + c.desk_ms / 3", now),
    );
    exec(conn, moments).await?;

    exec(
        conn,
        format!(
            "INSERT INTO drafts (public_id, applicant_id, target_kind, target_code, form_values, \
             revision, created_at, updated_at) SELECT '{tag}-' || h.i, {applicant}, 'item', h.code, \
             '{{}}', 1, h.t_sub, h.t_sub FROM history_day h"
        ),
    )
    .await?;
    let accepted = "h.status NOT IN ('submitted', 'returned', 'withdrawn', 'refused')";
    let decided = "h.status IN ('rejected', 'issued', 'delivered')";
    exec(
        conn,
        format!(
            "INSERT INTO cases (number, applicant_id, draft_id, target_kind, target_code, title_zh, \
             title_en, status, form_values, identity_level, credit_level, credit_detail, \
             needs_front_desk, submitted_at, updated_at, waiting_since, promised_days, \
             accept_due_at, acceptance_number, accepted_at, accepted_by, centre_code, \
             deadline_on, deadline_at, refusal_reason, refusal_note, decided_at) \
             SELECT 'QX-{year}-' || {serial_text}, {applicant}, d.id, 'item', h.code, h.name_zh, \
             h.name_en, h.status, '{{}}', 'L2', 'clear', '[]', 1 - h.instant, h.t_sub, \
             CASE WHEN {decided} THEN h.t_dec WHEN h.status = 'refused' THEN h.t_acc ELSE h.t_sub END, \
             CASE WHEN h.status = 'returned' THEN h.t_ret1 ELSE h.t_sub END, h.promised_days, \
             h.t_sub + 7 * {DAY_MS}, \
             CASE WHEN {accepted} THEN 'QXSL-H{tag_digits}-' || h.i END, \
             CASE WHEN {accepted} THEN h.t_acc END, \
             CASE WHEN {accepted} AND h.instant = 0 THEN dk.id END, \
             CASE WHEN h.instant = 0 AND h.status NOT IN ('submitted', 'withdrawn') THEN hc.code END, \
             CASE WHEN {accepted} THEN {deadline_on} END, \
             CASE WHEN {accepted} THEN h.deadline_at END, \
             CASE WHEN h.status = 'refused' THEN \
                  CASE h.r_back % 5 WHEN 0 THEN 'not_our_competence' WHEN 1 THEN 'no_licence_needed' \
                  WHEN 2 THEN 'not_eligible' WHEN 3 THEN 'duplicate' ELSE 'other' END END, \
             CASE WHEN h.status = 'refused' THEN '（生成的历史数据）' END, \
             CASE WHEN {decided} THEN h.t_dec WHEN h.status = 'refused' THEN h.t_acc END \
             FROM history_day h JOIN drafts d ON d.public_id = '{tag}-' || h.i \
             JOIN history_desk dk ON dk.k = h.desk_k \
             LEFT JOIN history_centres hc ON hc.k = h.centre_k",
            tag_digits = tag.replace(|c: char| !c.is_ascii_digit(), ""),
            deadline_on = match kind {
                DbKind::Sqlite => "date(h.deadline_at / 1000 + 28800, 'unixepoch')",
                DbKind::Postgres => {
                    "to_char(to_timestamp(h.deadline_at / 1000) AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD')"
                }
            },
        ),
    )
    .await?;
    exec(
        conn,
        format!(
            "UPDATE drafts SET case_id = (SELECT c.id FROM cases c WHERE c.draft_id = drafts.id) \
             WHERE public_id LIKE '{tag}-%'"
        ),
    )
    .await?;
    // Joins from the day's table to its cases.
    let of_case = format!(
        "FROM history_day h JOIN drafts d ON d.public_id = '{tag}-' || h.i \
         JOIN cases c ON c.draft_id = d.id JOIN history_desk dk ON dk.k = h.desk_k \
         LEFT JOIN history_approvers ap ON ap.department = h.department"
    );
    exec(
        conn,
        format!(
            "INSERT INTO case_items (case_id, item_code, item_version) SELECT c.id, h.code, h.version {of_case}"
        ),
    )
    .await?;
    exec(
        conn,
        format!(
            "INSERT INTO case_departments (case_id, department_code) SELECT c.id, h.department {of_case}"
        ),
    )
    .await?;
    // Correction notices with one entry each: the first names a material, the second a field.
    for (round, at, entry_kind, name) in [
        (
            1,
            "h.t_ret1",
            "material",
            "CASE h.r_ret % 4 WHEN 0 THEN '营业执照' WHEN 1 THEN '经营场所使用证明' WHEN 2 THEN '身份证明' ELSE '平面布局图' END",
        ),
        (
            2,
            "h.t_ret2",
            "field",
            "CASE h.r_desk % 3 WHEN 0 THEN '经营范围' WHEN 1 THEN '经营场所' ELSE '从业人员人数' END",
        ),
    ] {
        let answered = if round == 1 {
            "h.t_resub1"
        } else {
            "h.t_resub2"
        };
        exec(
            conn,
            format!(
                "INSERT INTO correction_notices (case_id, round, issued_by, issued_at, answered_at) \
                 SELECT c.id, {round}, dk.id, {at}, CASE WHEN h.status = 'returned' THEN NULL ELSE {answered} END \
                 {of_case} WHERE h.returns >= {round}"
            ),
        )
        .await?;
        exec(
            conn,
            format!(
                "INSERT INTO correction_notice_items (notice_id, position, kind, name, problem, clause) \
                 SELECT n.id, 1, '{entry_kind}', {name}, '内容不完整（生成的历史数据）', '办事指南 申请材料' \
                 {of_case} JOIN correction_notices n ON n.case_id = c.id AND n.round = {round} \
                 WHERE h.returns >= {round}"
            ),
        )
        .await?;
    }
    // The timeline: kind, moment, role, actor, note, which cases.
    let approved = "h.status IN ('issued', 'delivered') AND h.instant = 0";
    let accepted_by_worker = format!("{accepted} AND h.instant = 0");
    let supplemented = format!("{decided} AND h.sup_ms > 0");
    let events: [(&str, &str, &str, &str, &str, &str); 18] = [
        (
            "submitted",
            "h.t_sub",
            "applicant",
            "c.applicant_id",
            "NULL",
            "1 = 1",
        ),
        (
            "returned",
            "h.t_ret1",
            "front_desk",
            "dk.id",
            "NULL",
            "h.returns >= 1",
        ),
        (
            "resubmitted",
            "h.t_resub1",
            "applicant",
            "c.applicant_id",
            "NULL",
            "h.returns >= 1 AND h.status <> 'returned'",
        ),
        (
            "returned",
            "h.t_ret2",
            "front_desk",
            "dk.id",
            "NULL",
            "h.returns >= 2",
        ),
        (
            "resubmitted",
            "h.t_resub2",
            "applicant",
            "c.applicant_id",
            "NULL",
            "h.returns >= 2",
        ),
        (
            "withdrawn",
            "h.t_wd",
            "applicant",
            "c.applicant_id",
            "NULL",
            "h.status = 'withdrawn'",
        ),
        (
            "refused",
            "h.t_acc",
            "front_desk",
            "dk.id",
            "NULL",
            "h.status = 'refused'",
        ),
        (
            "accepted",
            "h.t_acc",
            "front_desk",
            "dk.id",
            "c.acceptance_number",
            &accepted_by_worker,
        ),
        (
            "accepted",
            "h.t_acc",
            "system",
            "NULL",
            "c.acceptance_number",
            "h.instant = 1",
        ),
        (
            "supplement_requested",
            "h.t_sup_req",
            "approver",
            "ap.id",
            "h.department",
            &supplemented,
        ),
        (
            "supplement_answered",
            "h.t_sup_ans",
            "applicant",
            "c.applicant_id",
            "NULL",
            &supplemented,
        ),
        (
            "task_approved",
            "h.t_dec",
            "approver",
            "ap.id",
            "h.department",
            approved,
        ),
        (
            "task_rejected",
            "h.t_dec",
            "approver",
            "ap.id",
            "h.department",
            "h.status = 'rejected'",
        ),
        ("approved", "h.t_dec", "approver", "ap.id", "NULL", approved),
        (
            "instant_approved",
            "h.t_dec",
            "system",
            "NULL",
            "NULL",
            "h.instant = 1",
        ),
        (
            "rejected",
            "h.t_dec",
            "approver",
            "ap.id",
            "NULL",
            "h.status = 'rejected'",
        ),
        (
            "issued",
            "h.t_dec",
            "system",
            "NULL",
            "NULL",
            "h.status IN ('issued', 'delivered')",
        ),
        (
            "delivered",
            "h.t_deliv",
            "front_desk",
            "dk.id",
            "NULL",
            "h.status = 'delivered'",
        ),
    ];
    for (kind, at, role, actor, note, condition) in events {
        exec(
            conn,
            format!(
                "INSERT INTO case_events (case_id, at, kind, actor_role, actor_user_id, note) \
                 SELECT c.id, {at}, '{kind}', '{role}', {actor}, {note} {of_case} WHERE {condition}"
            ),
        )
        .await?;
    }
    exec(conn, "DROP TABLE history_day".into()).await?;
    Ok(())
}
