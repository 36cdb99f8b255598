//! Statistics pages: the public figures `/statistics` and the service office's dashboard
//! `/admin/statistics` (the same figures plus the work of each worker, approver and
//! department). Charts are SVG drawn on the server, each with the table of its figures beside
//! it, so the page reads the same to a screen reader and works before any script runs.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::catalogue::text_in;
use super::catalogue_editor::format_time;
use super::common::{ErrorList, Guarded, tr, use_lang};
use crate::access;
use crate::api::{
    AppError, StageTime, StatisticsReport, Tally, dashboard_statistics, public_statistics,
};
use crate::domain::back_office::RefusalReason;
use crate::domain::case::CaseStatus;
use crate::i18n::{
    Lang, Msg, case_status_text, distribution_bin_text, duration_text, percent_text,
    refusal_reason_text, return_point_text, stage_text,
};

/// One bar of a chart and one row of its table.
#[derive(Debug, Clone, PartialEq)]
struct Bar {
    key: String,
    label: String,
    value: i64,
}

fn bars_of(tallies: &[Tally], label: impl Fn(&Tally) -> String) -> Vec<Bar> {
    tallies
        .iter()
        .map(|tally| Bar {
            key: tally.key.clone(),
            label: label(tally),
            value: tally.value,
        })
        .collect()
}

fn name_or_key(tally: &Tally, lang: Lang) -> String {
    tally
        .name
        .as_ref()
        .map_or_else(|| tally.key.clone(), |name| text_in(name, lang))
}

/// At most `max` characters, with an ellipsis when cut (chart labels have a fixed width; the
/// table beside the chart has the whole name).
fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let mut clipped: String = text.chars().take(max.saturating_sub(1)).collect();
        clipped.push('…');
        clipped
    }
}

/// A horizontal bar chart and its table.
#[component]
fn BarChart(id: &'static str, title: Msg, value_label: Msg, bars: Vec<Bar>) -> impl IntoView {
    const ROW: i64 = 30;
    const LABEL_WIDTH: i64 = 200;
    const BAR_SPACE: i64 = 380;
    let max = bars.iter().map(|bar| bar.value).max().unwrap_or(0).max(1);
    let height = i64::try_from(bars.len()).unwrap_or(0) * ROW + 6;
    let title_id = format!("{id}-title");
    let desc_id = format!("{id}-desc");
    let labelled_by = format!("{title_id} {desc_id}");
    let rows = bars.clone();
    view! {
        <section class="stats-block" aria-labelledby=format!("{id}-heading")>
            <h3 id=format!("{id}-heading")>{tr(title)}</h3>
            {if bars.is_empty() {
                view! { <p class="empty-state">{tr(Msg::StatsNone)}</p> }.into_any()
            } else {
                view! {
                    <figure class="chart" data-testid=format!("chart-{id}")>
                        <svg viewBox=format!("0 0 640 {height}") role="img" aria-labelledby=labelled_by
                            preserveAspectRatio="xMinYMin meet">
                            <title id=title_id>{tr(title)}</title>
                            <desc id=desc_id>{tr(Msg::StatsChartDesc)}</desc>
                            {bars.into_iter().enumerate().map(|(index, bar)| {
                                let y = i64::try_from(index).unwrap_or(0) * ROW;
                                let width = (bar.value * BAR_SPACE / max).max(1);
                                view! {
                                    <g class="bar" data-key=bar.key.clone() data-value=bar.value>
                                        <title>{format!("{}: {}", bar.label, bar.value)}</title>
                                        <text x="0" y=y + 19 class="chart-label">{clip(&bar.label, 14)}</text>
                                        <rect x=LABEL_WIDTH y=y + 6 width=width height="18" rx="2"></rect>
                                        <text x=LABEL_WIDTH + width + 6 y=y + 20 class="chart-value">{bar.value}</text>
                                    </g>
                                }
                            }).collect_view()}
                        </svg>
                    </figure>
                    <table class="stats-table" data-testid=format!("table-{id}")>
                        <caption class="visually-hidden">{tr(Msg::StatsTableCaption)} {tr(title)}</caption>
                        <thead><tr><th scope="col">{tr(Msg::StatsName)}</th><th scope="col" class="number">{tr(value_label)}</th></tr></thead>
                        <tbody>
                            {rows.into_iter().map(|bar| view! {
                                <tr data-key=bar.key.clone()>
                                    <th scope="row">{bar.label.clone()}</th>
                                    <td class="number" data-value=bar.value>{bar.value}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
}

/// The time-to-licence distribution as columns, and its table.
#[component]
fn Distribution(bars: Vec<Bar>) -> impl IntoView {
    const WIDTH: i64 = 640;
    const PLOT_HEIGHT: i64 = 160;
    let max = bars.iter().map(|bar| bar.value).max().unwrap_or(0).max(1);
    let slot = WIDTH / i64::try_from(bars.len().max(1)).unwrap_or(1);
    let rows = bars.clone();
    view! {
        <section class="stats-block" aria-labelledby="distribution-heading">
            <h3 id="distribution-heading">{tr(Msg::StatsDistribution)}</h3>
            <figure class="chart" data-testid="chart-distribution">
                <svg viewBox=format!("0 0 {WIDTH} {}", PLOT_HEIGHT + 50) role="img"
                    aria-labelledby="distribution-title distribution-desc" preserveAspectRatio="xMinYMin meet">
                    <title id="distribution-title">{tr(Msg::StatsDistribution)}</title>
                    <desc id="distribution-desc">{tr(Msg::StatsChartDesc)}</desc>
                    {bars.into_iter().enumerate().map(|(index, bar)| {
                        let x = i64::try_from(index).unwrap_or(0) * slot;
                        let height = bar.value * PLOT_HEIGHT / max;
                        view! {
                            <g class="bar" data-key=bar.key.clone() data-value=bar.value>
                                <title>{format!("{}: {}", bar.label, bar.value)}</title>
                                <rect x=x + 6 y=PLOT_HEIGHT - height + 16 width=slot - 12 height=height.max(1) rx="2"></rect>
                                <text x=x + slot / 2 y=PLOT_HEIGHT - height + 12 class="chart-value" text-anchor="middle">{bar.value}</text>
                                <text x=x + slot / 2 y=PLOT_HEIGHT + 34 class="chart-label" text-anchor="middle">{clip(&bar.label, 8)}</text>
                            </g>
                        }
                    }).collect_view()}
                </svg>
            </figure>
            <table class="stats-table" data-testid="table-distribution">
                <caption class="visually-hidden">{tr(Msg::StatsTableCaption)} {tr(Msg::StatsDistribution)}</caption>
                <thead><tr><th scope="col">{tr(Msg::StatsStageToLicence)}</th><th scope="col" class="number">{tr(Msg::StatsCaseCount)}</th></tr></thead>
                <tbody>
                    {rows.into_iter().map(|bar| view! {
                        <tr data-key=bar.key.clone()>
                            <th scope="row">{bar.label.clone()}</th>
                            <td class="number" data-value=bar.value>{bar.value}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}

/// Applications and licences per day as two lines; the daily table folds away below.
#[component]
fn PerDayChart(report: StatisticsReport) -> impl IntoView {
    const WIDTH: f64 = 640.0;
    const LEFT: f64 = 44.0;
    const TOP: f64 = 12.0;
    const PLOT_WIDTH: f64 = WIDTH - LEFT - 8.0;
    const PLOT_HEIGHT: f64 = 150.0;
    let days = report.per_day;
    let max = days
        .iter()
        .map(|day| day.submitted.max(day.issued))
        .max()
        .unwrap_or(0)
        .max(1);
    let step = if days.len() > 1 {
        PLOT_WIDTH / (days.len() - 1) as f64
    } else {
        0.0
    };
    let points = |value: &dyn Fn(&crate::api::DayTally) -> i64| {
        days.iter()
            .enumerate()
            .map(|(index, day)| {
                let x = LEFT + step * index as f64;
                let y = TOP + PLOT_HEIGHT - value(day) as f64 * PLOT_HEIGHT / max as f64;
                format!("{x:.1},{y:.1}")
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    let submitted = points(&|day| day.submitted);
    let issued = points(&|day| day.issued);
    let first = days.first().map(|day| day.day.clone()).unwrap_or_default();
    let last = days.last().map(|day| day.day.clone()).unwrap_or_default();
    let bottom = TOP + PLOT_HEIGHT;
    view! {
        <section class="stats-block" aria-labelledby="per-day-heading">
            <h3 id="per-day-heading">{tr(Msg::StatsPerDay)}</h3>
            <figure class="chart" data-testid="chart-per-day">
                <svg viewBox=format!("0 0 {WIDTH} {}", bottom + 30.0) role="img"
                    aria-labelledby="per-day-title per-day-desc" preserveAspectRatio="xMinYMin meet">
                    <title id="per-day-title">{tr(Msg::StatsPerDay)}</title>
                    <desc id="per-day-desc">{tr(Msg::StatsLineDesc)}</desc>
                    <line x1=LEFT y1=bottom x2=WIDTH - 8.0 y2=bottom class="axis"></line>
                    <line x1=LEFT y1=TOP x2=LEFT y2=bottom class="axis"></line>
                    <text x=LEFT - 6.0 y=TOP + 4.0 class="chart-label" text-anchor="end">{max}</text>
                    <text x=LEFT - 6.0 y=bottom class="chart-label" text-anchor="end">"0"</text>
                    <text x=LEFT y=bottom + 18.0 class="chart-label">{first}</text>
                    <text x=WIDTH - 8.0 y=bottom + 18.0 class="chart-label" text-anchor="end">{last}</text>
                    <polyline points=submitted class="series-submitted" fill="none"></polyline>
                    <polyline points=issued class="series-issued" fill="none"></polyline>
                </svg>
                <figcaption class="legend">
                    <span class="key-submitted">{tr(Msg::StatsSubmitted)}</span>
                    <span class="key-issued">{tr(Msg::StatsIssued)}</span>
                </figcaption>
            </figure>
            <details>
                <summary>{tr(Msg::StatsTableCaption)} {tr(Msg::StatsPerDay)}</summary>
                <table class="stats-table" data-testid="table-per-day">
                    <thead><tr>
                        <th scope="col">{tr(Msg::StatsDay)}</th>
                        <th scope="col" class="number">{tr(Msg::StatsSubmitted)}</th>
                        <th scope="col" class="number">{tr(Msg::StatsIssued)}</th>
                    </tr></thead>
                    <tbody>
                        {days.iter().map(|day| view! {
                            <tr data-key=day.day.clone()>
                                <th scope="row">{day.day.clone()}</th>
                                <td class="number">{day.submitted}</td>
                                <td class="number">{day.issued}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </details>
        </section>
    }
}

fn stage_cell(ms: Option<i64>, lang: Lang) -> String {
    ms.map_or_else(|| "—".to_owned(), |ms| duration_text(ms, lang))
}

/// Median and 90th percentile of each stage.
#[component]
fn StageTimes(stages: Vec<StageTime>) -> impl IntoView {
    let lang = use_lang();
    view! {
        <section class="stats-block" aria-labelledby="stages-heading">
            <h3 id="stages-heading">{tr(Msg::StatsStageTimes)}</h3>
            <table class="stats-table" data-testid="table-stages">
                <thead><tr>
                    <th scope="col">{tr(Msg::StatsStage)}</th>
                    <th scope="col" class="number">{tr(Msg::StatsCaseCount)}</th>
                    <th scope="col" class="number">{tr(Msg::StatsMedian)}</th>
                    <th scope="col" class="number">{tr(Msg::StatsP90)}</th>
                </tr></thead>
                <tbody>
                    {stages.into_iter().map(|stage| view! {
                        <tr>
                            <th scope="row">{move || stage_text(stage.stage, lang.get())}</th>
                            <td class="number">{stage.cases}</td>
                            <td class="number" data-ms=stage.median_ms>{move || stage_cell(stage.median_ms, lang.get())}</td>
                            <td class="number" data-ms=stage.p90_ms>{move || stage_cell(stage.p90_ms, lang.get())}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}

/// The key figures as cards.
#[component]
fn KeyFigures(report: StatisticsReport) -> impl IntoView {
    let kept = report.returned - report.multi_notice;
    let cards = [
        ("cases", Msg::StatsCases, report.cases.to_string(), None),
        (
            "instant",
            Msg::StatsInstantShare,
            percent_text(report.instant, report.cases),
            Some((Msg::StatsOfCases, report.instant)),
        ),
        (
            "on-time",
            Msg::StatsOnTimeRate,
            percent_text(report.on_time, report.decided),
            Some((Msg::StatsOfDecided, report.decided)),
        ),
        (
            "one-time",
            Msg::StatsOneTimeCompliance,
            percent_text(kept, report.returned),
            Some((Msg::StatsOfReturned, report.returned)),
        ),
        (
            "multi-notice",
            Msg::StatsMultiNotice,
            report.multi_notice.to_string(),
            None,
        ),
        (
            "refused",
            Msg::StatsRefusedCases,
            report.refused.to_string(),
            None,
        ),
        (
            "issued-cases",
            Msg::StatsIssuedCases,
            report.issued_cases.to_string(),
            None,
        ),
        (
            "issued-in-period",
            Msg::StatsIssuedInPeriod,
            report.issued_in_period.to_string(),
            None,
        ),
    ];
    view! {
        <section class="stats-block" aria-labelledby="key-figures-heading">
            <h3 id="key-figures-heading">{tr(Msg::StatsKeyFigures)}</h3>
            <dl class="key-figures" data-testid="key-figures">
                {cards.into_iter().map(|(key, label, value, base)| view! {
                    <div class="key-figure" data-testid=format!("figure-{key}")>
                        <dt>{tr(label)}</dt>
                        <dd><strong>{value}</strong>
                            {base.map(|(msg, count)| view! { <span class="meta">" (" {tr(msg)} " " {count} ")"</span> })}
                        </dd>
                    </div>
                }).collect_view()}
            </dl>
        </section>
    }
}

/// The staff figures of the dashboard.
#[component]
fn StaffTables(report: StatisticsReport) -> impl IntoView {
    let lang = use_lang();
    let Some(staff) = report.staff else {
        return ().into_any();
    };
    let unit = move |text: Option<crate::domain::catalogue::Text>| {
        text.map(|text| text_in(&text, lang.get()))
            .unwrap_or_default()
    };
    view! {
        <section class="stats-block" aria-labelledby="staff-heading" data-testid="staff-figures">
            <h2 id="staff-heading">{tr(Msg::StatsStaffTitle)}</h2>
            <table class="stats-table" data-testid="table-workers">
                <caption>{tr(Msg::StatsWorker)}</caption>
                <thead><tr>
                    <th scope="col">{tr(Msg::StatsWorker)}</th>
                    <th scope="col">{tr(Msg::StatsUnit)}</th>
                    <th scope="col" class="number">{tr(Msg::StatsAccepted)}</th>
                    <th scope="col" class="number">{tr(Msg::StatsReturned)}</th>
                    <th scope="col" class="number">{tr(Msg::StatsRefused)}</th>
                </tr></thead>
                <tbody>
                    {staff.workers.into_iter().map(|worker| {
                        let centre = worker.centre.clone();
                        view! {
                            <tr>
                                <th scope="row">{worker.name.clone()}</th>
                                <td>{move || unit(centre.clone())}</td>
                                <td class="number">{worker.accepted}</td>
                                <td class="number">{worker.returned}</td>
                                <td class="number">{worker.refused}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            <table class="stats-table" data-testid="table-approvers">
                <caption>{tr(Msg::StatsApprover)}</caption>
                <thead><tr>
                    <th scope="col">{tr(Msg::StatsApprover)}</th>
                    <th scope="col">{tr(Msg::StatsDepartment)}</th>
                    <th scope="col" class="number">{tr(Msg::StatsApproved)}</th>
                    <th scope="col" class="number">{tr(Msg::StatsRejected)}</th>
                </tr></thead>
                <tbody>
                    {staff.approvers.into_iter().map(|figure| {
                        let name = figure.name.clone();
                        let department = figure.department.clone();
                        view! {
                            <tr>
                                <th scope="row">{move || text_in(&name, lang.get())}</th>
                                <td>{move || unit(department.clone())}</td>
                                <td class="number">{figure.approved}</td>
                                <td class="number">{figure.rejected}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            <table class="stats-table" data-testid="table-department-work">
                <caption>{tr(Msg::StatsDepartment)}</caption>
                <thead><tr>
                    <th scope="col">{tr(Msg::StatsDepartment)}</th>
                    <th scope="col" class="number">{tr(Msg::StatsApproved)}</th>
                    <th scope="col" class="number">{tr(Msg::StatsRejected)}</th>
                </tr></thead>
                <tbody>
                    {staff.departments.into_iter().map(|figure| {
                        let name = figure.name.clone();
                        view! {
                            <tr>
                                <th scope="row">{move || text_in(&name, lang.get())}</th>
                                <td class="number">{figure.approved}</td>
                                <td class="number">{figure.rejected}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
    .into_any()
}

/// Every figure of a report, in the current language.
#[component]
fn ReportView(report: StatisticsReport) -> impl IntoView {
    let lang = use_lang();
    move || {
        let lang = lang.get();
        let report = report.clone();
        let status_bars = bars_of(&report.by_status, |tally| {
            CaseStatus::parse(&tally.key).map_or_else(
                || tally.key.clone(),
                |status| case_status_text(status, lang).to_owned(),
            )
        });
        let mut items = report.by_item.clone();
        items.truncate(15);
        let item_bars = bars_of(&items, |tally| name_or_key(tally, lang));
        let department_bars = bars_of(&report.by_department, |tally| name_or_key(tally, lang));
        let centre_bars = bars_of(&report.by_centre, |tally| {
            if tally.key.is_empty() {
                Msg::StatsCentreOnline.text(lang).to_owned()
            } else {
                name_or_key(tally, lang)
            }
        });
        let refusal_bars = bars_of(&report.refusals, |tally| {
            RefusalReason::parse(&tally.key).map_or_else(
                || tally.key.clone(),
                |reason| refusal_reason_text(reason, lang).to_owned(),
            )
        });
        let mut points = report.return_points.clone();
        points.truncate(10);
        let point_bars = bars_of(&points, |tally| return_point_text(&tally.key, lang));
        let distribution = bars_of(&report.to_licence_distribution, |tally| {
            distribution_bin_text(&tally.key, lang)
        });
        view! {
            <KeyFigures report=report.clone()/>
            <StageTimes stages=report.stage_times.clone()/>
            <Distribution bars=distribution/>
            <PerDayChart report=report.clone()/>
            <BarChart id="status" title=Msg::StatsByStatus value_label=Msg::StatsCaseCount bars=status_bars/>
            <BarChart id="items" title=Msg::StatsByItem value_label=Msg::StatsCaseCount bars=item_bars/>
            <BarChart id="departments" title=Msg::StatsByDepartment value_label=Msg::StatsCaseCount bars=department_bars/>
            <BarChart id="centres" title=Msg::StatsByCentre value_label=Msg::StatsCaseCount bars=centre_bars/>
            <BarChart id="refusals" title=Msg::StatsRefusals value_label=Msg::StatsCaseCount bars=refusal_bars/>
            <BarChart id="return-points" title=Msg::StatsReturnPoints value_label=Msg::StatsCaseCount bars=point_bars/>
            <StaffTables report=report/>
        }
    }
}

/// The period filter, a GET form (works without script), and the CSV link of the period.
#[component]
fn PeriodForm(action: &'static str, csv: &'static str, from: String, to: String) -> impl IntoView {
    let csv_href = format!("{csv}?from={from}&to={to}");
    view! {
        <form class="form period-form" method="get" action=action data-testid="period-form">
            <div class="field">
                <label for="period-from">{tr(Msg::FieldPeriodFrom)}</label>
                <input id="period-from" name="from" type="date" value=from/>
            </div>
            <div class="field">
                <label for="period-to">{tr(Msg::FieldPeriodTo)}</label>
                <input id="period-to" name="to" type="date" value=to/>
            </div>
            <button type="submit" class="button">{tr(Msg::StatsShow)}</button>
            <a class="button secondary" href=csv_href rel="external" download data-testid="csv-link">{tr(Msg::StatsDownloadCsv)}</a>
        </form>
    }
}

/// The figures of the period in the address, loaded by `load`.
#[component]
fn StatisticsBody<F, Fut>(action: &'static str, csv: &'static str, load: F) -> impl IntoView
where
    F: Fn(String, String) -> Fut + Send + Sync + Copy + 'static,
    Fut: std::future::Future<Output = Result<StatisticsReport, AppError>> + Send + 'static,
{
    let query = use_query_map();
    let period = move || {
        let query = query.read();
        (
            query.get("from").unwrap_or_default(),
            query.get("to").unwrap_or_default(),
        )
    };
    let report = Resource::new(period, move |(from, to)| load(from, to));
    view! {
        <Suspense fallback=|| view! { <p class="loading">{tr(Msg::Loading)}</p> }>
            {move || Suspend::new(async move {
                match report.await {
                    Ok(report) => view! {
                        <PeriodForm action csv from=report.from.clone() to=report.to.clone()/>
                        <p class="meta" data-testid="period">{report.from.clone()} " – " {report.to.clone()}</p>
                        {match report.refreshed_at {
                            Some(at) => view! { <p class="meta">{tr(Msg::StatsRefreshedAt)} " " {format_time(at)}</p> }.into_any(),
                            None => view! { <p class="notice" role="status">{tr(Msg::StatsNotYetRefreshed)}</p> }.into_any(),
                        }}
                        <p class="help">{tr(Msg::StatsPeriodNote)}</p>
                        <ReportView report/>
                    }.into_any(),
                    Err(error) => view! {
                        <PeriodForm action csv from=period().0 to=period().1/>
                        <ErrorList error/>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// `/statistics`: the public figures.
#[component]
pub fn StatisticsPage() -> impl IntoView {
    view! {
        <article class="statistics" aria-labelledby="statistics-title" data-testid="statistics-page">
            <h1 id="statistics-title">{tr(Msg::StatsTitle)}</h1>
            <p class="help">{tr(Msg::StatsIntro)}</p>
            <StatisticsBody action="/statistics" csv="/statistics.csv" load=public_statistics/>
        </article>
    }
}

/// `/admin/statistics`: the service office's dashboard.
#[component]
pub fn StatisticsDashboardPage() -> impl IntoView {
    view! {
        <Guarded access=access::ADMINS children=move |_user| view! {
            <article class="statistics" aria-labelledby="dashboard-title" data-testid="statistics-dashboard">
                <h1 id="dashboard-title">{tr(Msg::StatsAdminTitle)}</h1>
                <p class="help">{tr(Msg::StatsAdminIntro)}</p>
                <StatisticsBody action="/admin/statistics" csv="/admin/statistics.csv" load=dashboard_statistics/>
            </article>
        }/>
    }
}
