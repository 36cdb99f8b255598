//! The front desk's queue and case page (claim, accept, one-time correction notice, refusal),
//! the approvers' queue and task page, the applicant's progress section (deadline, notices and
//! their answer, supplements, department decisions, documents, audit trail) and the service
//! office's calendar and audit check.

use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use super::applicant::{FieldInput, MaterialUpload};
use super::catalogue::text_in;
use super::catalogue_editor::format_time;
use super::common::{ErrorList, Guarded, action_error, tr, use_lang};
use crate::access;
use crate::api::{
    AcceptCase, AnswerSupplement, AppError, CaseProgress, ClaimCase, DeskQueueQuery, DueFlag,
    ExtendTask, FindApplicant, RefuseCase, ReleaseCase, RemoveCalendarDay, SetCalendarDay,
    StaffCaseView, StartFiling, TaskQueueQuery, TaskVerdict, UploadedFile, answer_notice,
    calendar_days, decide_task, desk_case, desk_queue, load_task, my_filings, return_case,
    task_queue, verify_audit_chain,
};
use crate::domain::application::{LaidOutField, LaidOutMaterial};
use crate::domain::back_office::{CorrectionItem, CorrectionTarget, RefusalReason, TaskStatus};
use crate::domain::case::{CaseStatus, CreditLevel};
use crate::domain::form_values::RawValue;
use crate::i18n::{
    Lang, Msg, actor_role_text, audit_action_text, case_status_text, credit_finding_text,
    refusal_reason_text, task_status_text,
};

fn due_text(flag: DueFlag, lang: Lang) -> &'static str {
    match flag {
        DueFlag::OnTrack => Msg::DueOnTrack.text(lang),
        DueFlag::DueSoon => Msg::DueSoon.text(lang),
        DueFlag::Overdue => Msg::DueOverdue.text(lang),
        DueFlag::Paused => Msg::DuePaused.text(lang),
    }
}

fn due_class(flag: DueFlag) -> &'static str {
    match flag {
        DueFlag::OnTrack => "due due-ok",
        DueFlag::DueSoon => "due due-soon",
        DueFlag::Overdue => "due due-overdue",
        DueFlag::Paused => "due due-paused",
    }
}

fn document_name(kind: &str, lang: Lang) -> &'static str {
    match kind {
        "acceptance_notice" => Msg::DocAcceptance.text(lang),
        "refusal_notice" => Msg::DocRefusal.text(lang),
        _ => Msg::DocCorrection.text(lang),
    }
}

/// The front-desk queue with its filters, oldest first, a page at a time.
#[component]
pub fn DeskQueue() -> impl IntoView {
    let lang = use_lang();
    let query = RwSignal::new(DeskQueueQuery::default());
    let item = RwSignal::new(String::new());
    let department = RwSignal::new(String::new());
    let waited = RwSignal::new(String::new());
    let due_soon = RwSignal::new(false);
    let credit = RwSignal::new(false);
    let identity = RwSignal::new(false);
    let page = Resource::new(move || query.get(), desk_queue);
    let apply = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        query.set(DeskQueueQuery {
            item: Some(item.get()),
            department: Some(department.get()),
            centre: None,
            waited_days: waited.get().trim().parse().ok(),
            due_soon: due_soon.get(),
            credit_warning: credit.get(),
            identity_review_pending: identity.get(),
            after: None,
        });
    };
    view! {
        <section class="desk-queue" aria-labelledby="desk-queue-title" data-testid="desk-queue">
            <h2 id="desk-queue-title">{tr(Msg::DeskQueueTitle)}</h2>
            <form class="form filters" on:submit=apply aria-label=move || Msg::DeskFilters.text(lang.get())>
                <label for="filter-item">{tr(Msg::FilterItem)}</label>
                <input id="filter-item" bind:value=item placeholder="SCJG-XK-001"/>
                <label for="filter-department">{tr(Msg::FilterDepartment)}</label>
                <input id="filter-department" bind:value=department placeholder="D01-SCJG"/>
                <label for="filter-waited">{tr(Msg::FilterWaitedDays)}</label>
                <input id="filter-waited" type="number" min="0" inputmode="numeric" bind:value=waited/>
                <label class="choice"><input type="checkbox" bind:checked=due_soon/> " " {tr(Msg::FilterDueSoon)}</label>
                <label class="choice"><input type="checkbox" bind:checked=credit/> " " {tr(Msg::FilterCreditWarning)}</label>
                <label class="choice"><input type="checkbox" bind:checked=identity/> " " {tr(Msg::FilterIdentityPending)}</label>
                <button type="submit" class="button">{tr(Msg::FilterApply)}</button>
            </form>
            <Transition fallback=|| view! { <p class="loading">{tr(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match page.await {
                        Err(error) => view! { <ErrorList error/> }.into_any(),
                        Ok(page) if page.entries.is_empty() => view! {
                            <p class="empty-state" role="status">{tr(Msg::DeskQueueEmpty)}</p>
                        }.into_any(),
                        Ok(page) => {
                            let next = page.next.clone();
                            view! {
                                <ul class="card-list">
                                    {page.entries.into_iter().map(|entry| {
                                        let title = entry.title.clone();
                                        let flag = entry.due_flag;
                                        let status = entry.status;
                                        view! {
                                            <li class="card" data-testid="desk-entry" data-number=entry.number.clone()>
                                                <A href=format!("/desk/cases/{}", entry.number)>
                                                    <strong>{move || text_in(&title, lang.get())}</strong>
                                                </A>
                                                <span class="meta">{entry.number.clone()} " · " {move || case_status_text(status, lang.get())}</span>
                                                <span class="meta">{tr(Msg::QueueWaiting)} " " {format_time(entry.waiting_since)}
                                                    {entry.accept_due_at.map(|due| view! { " · " {tr(Msg::QueueAcceptDue)} " " {format_time(due)} })}
                                                </span>
                                                <span class=due_class(flag)>{move || due_text(flag, lang.get())}</span>
                                                {(entry.credit_level != CreditLevel::Clear).then(|| view! { <span class="tag warn">{tr(Msg::FilterCreditWarning)}</span> })}
                                                {entry.identity_review_pending.then(|| view! { <span class="tag">{tr(Msg::FilterIdentityPending)}</span> })}
                                                {entry.filed_by_worker.then(|| view! { <span class="tag">{tr(Msg::FlagFiledByWorker)}</span> })}
                                                <span class="meta" data-testid="claim">
                                                    {match (entry.claim_mine, entry.claimed_by.clone()) {
                                                        (true, _) => view! { {tr(Msg::QueueClaimMine)} }.into_any(),
                                                        (false, Some(name)) => view! { {tr(Msg::QueueClaimedBy)} " " {name} }.into_any(),
                                                        (false, None) => view! { {tr(Msg::QueueUnclaimed)} }.into_any(),
                                                    }}
                                                </span>
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                                {next.map(|cursor| view! {
                                    <button type="button" class="button" on:click=move |_| {
                                        let cursor = cursor.clone();
                                        query.update(|query| query.after = Some(cursor));
                                    }>{tr(Msg::QueueNextPage)}</button>
                                })}
                                <Show when=move || query.with(|query| query.after.is_some())>
                                    <button type="button" class="button" on:click=move |_| query.update(|query| query.after = None)>
                                        {tr(Msg::QueueFirstPage)}
                                    </button>
                                </Show>
                            }.into_any()
                        }
                    }
                })}
            </Transition>
        </section>
    }
}

/// What staff see of a case: the applicant's verified identity, credit, the departments and
/// the filed contents (the applicant's own view underneath).
#[component]
fn StaffFacts(view: StaffCaseView) -> impl IntoView {
    let lang = use_lang();
    let findings = view.credit_findings.clone();
    let departments = view.departments.clone();
    let level = view.identity_level;
    let person_check = view.person_check.clone();
    view! {
        <dl class="facts" data-testid="staff-facts">
            <dt>{tr(Msg::StaffApplicant)}</dt><dd>{view.applicant_name.clone()}</dd>
            <dt>{tr(Msg::StaffResidentId)}</dt><dd>{view.applicant_resident_id.clone().unwrap_or_default()}</dd>
            <dt>{tr(Msg::StaffIdentityLevel)}</dt>
            <dd>{move || level.map(|level| crate::i18n::identity_level_name(level, lang.get()).to_owned()).unwrap_or_default()}</dd>
            <dt>{tr(Msg::StaffPersonCheck)}</dt>
            <dd>{move || match person_check.as_deref() {
                Some("pending") => Msg::PersonCheckStatePending.text(lang.get()),
                Some("approved") => Msg::PersonCheckStateApproved.text(lang.get()),
                Some("refused") => Msg::PersonCheckStateRefused.text(lang.get()),
                _ => "—",
            }}</dd>
            <dt>{tr(Msg::StaffCredit)}</dt>
            <dd>
                {if findings.is_empty() {
                    view! { {tr(Msg::StaffCreditClear)} }.into_any()
                } else {
                    view! { <ul>{findings.into_iter().map(|finding| view! { <li>{move || credit_finding_text(&finding, lang.get())}</li> }).collect_view()}</ul> }.into_any()
                }}
            </dd>
            <dt>{tr(Msg::StaffDepartments)}</dt>
            <dd>{move || departments.iter().map(|name| text_in(name, lang.get())).collect::<Vec<_>>().join("、")}</dd>
            {view.filed_by.clone().map(|name| view! { <dt>{tr(Msg::StaffFiledBy)}</dt><dd>{name}</dd> })}
            {view.accepted_by.clone().map(|name| view! { <dt>{tr(Msg::StaffAcceptedBy)}</dt><dd>{name}</dd> })}
        </dl>
        <CaseContents detail=view.detail.clone()/>
    }
}

/// The filed contents of a case, read-only: fields, files, commitment and timeline.
#[component]
fn CaseContents(detail: crate::api::CaseDetail) -> impl IntoView {
    let lang = use_lang();
    view! {
        <section aria-labelledby="staff-filled-title">
            <h2 id="staff-filled-title">{tr(Msg::CaseFilled)}</h2>
            <dl class="filled">
                {detail.fields.into_iter().map(|field| {
                    let label = field.label.clone();
                    view! { <dt>{move || text_in(&label, lang.get())}</dt><dd>{field.value.clone()}</dd> }
                }).collect_view()}
            </dl>
            <h2>{tr(Msg::GuideMaterials)}</h2>
            <ul class="file-list">
                {detail.files.into_iter().map(|filed| {
                    let material = filed.material.clone();
                    let is_image = filed.file.file_type != crate::domain::catalogue::FileType::Pdf;
                    let href = format!("/files/{}", filed.file.id);
                    view! {
                        <li>
                            <span>{move || text_in(&material, lang.get())}</span> ": "
                            <a href=href.clone() target="_blank" rel="noopener">{filed.file.file_name.clone()}</a>
                            {is_image.then(|| view! { <img class="preview" src=href.clone() alt=filed.file.file_name.clone() loading="lazy"/> })}
                        </li>
                    }
                }).collect_view()}
            </ul>
            {detail.commitment_record.map(|record| view! {
                <p><a href=format!("/files/commitment/{record}") target="_blank" rel="noopener">{tr(Msg::SignPdf)}</a></p>
            })}
        </section>
        <ProgressSection progress=detail.progress timeline=detail.timeline for_applicant=false number=detail.number/>
    }
}

/// `/desk/cases/:number`: the case with claim, accept, return and refuse.
#[component]
pub fn DeskCasePage() -> impl IntoView {
    let params = use_params_map();
    let claim = ServerAction::<ClaimCase>::new();
    let release = ServerAction::<ReleaseCase>::new();
    let accept = ServerAction::<AcceptCase>::new();
    let refuse = ServerAction::<RefuseCase>::new();
    let returned = Action::new(|(number, items): &(String, Vec<CorrectionItem>)| {
        return_case(number.clone(), items.clone())
    });
    let case = Resource::new(
        move || {
            (
                params.get().get("number").unwrap_or_default(),
                claim.version().get()
                    + release.version().get()
                    + accept.version().get()
                    + refuse.version().get()
                    + returned.version().get(),
            )
        },
        |(number, _)| desk_case(number),
    );
    view! {
        <Guarded access=access::FRONT_DESK children=move |_user| view! {
            <Suspense fallback=|| view! { <p class="loading">{tr(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match case.await {
                        Err(error) => view! { <ErrorList error/> }.into_any(),
                        Ok(view) => {
                            let number = view.detail.number.clone();
                            let lang = use_lang();
                            let title = view.detail.title.clone();
                            let status = view.detail.status;
                            let waiting = status.awaits_front_desk();
                            let mine = view.claim_mine;
                            let holder = view.claimed_by.clone();
                            let fields = view.notice_fields.clone();
                            let materials = view.notice_materials.clone();
                            let only = view.changed_since_last_notice.clone();
                            view! {
                                <article class="case" data-testid="desk-case" aria-labelledby="desk-case-title">
                                    <h1 id="desk-case-title">{move || text_in(&title, lang.get())}</h1>
                                    <p class="meta"><span data-testid="case-number">{number.clone()}</span> " · "
                                        <span data-testid="case-status" data-status=status.code()>{move || case_status_text(status, lang.get())}</span></p>
                                    {action_error(claim.value())}
                                    {action_error(accept.value())}
                                    {action_error(refuse.value())}
                                    {move || returned.value().get().and_then(Result::err).map(|error| view! { <ErrorList error/> })}
                                    {move || accept.value().get().and_then(Result::ok).map(|acceptance| view! {
                                        <p class="success" role="status" data-testid="accepted">{tr(Msg::AcceptDone)} " " {acceptance}</p>
                                    })}
                                    {waiting.then(|| {
                                        let number = number.clone();
                                        view! {
                                            <section class="decision" aria-labelledby="decide-title">
                                                <h2 id="decide-title">{tr(Msg::DecideTitle)}</h2>
                                                {if mine {
                                                    let (for_release, for_accept, for_notice, for_refuse) =
                                                        (number.clone(), number.clone(), number.clone(), number.clone());
                                                    view! {
                                                        <p class="meta">{tr(Msg::QueueClaimMine)}</p>
                                                        <ActionForm action=release>
                                                            <input type="hidden" name="number" value=for_release/>
                                                            <button type="submit" class="button">{tr(Msg::ReleaseAction)}</button>
                                                        </ActionForm>
                                                        <ActionForm action=accept>
                                                            <input type="hidden" name="number" value=for_accept/>
                                                            <button type="submit" class="button primary" data-testid="accept">{tr(Msg::AcceptAction)}</button>
                                                        </ActionForm>
                                                        <NoticeBuilder number=for_notice fields materials only returned/>
                                                        <RefuseForm number=for_refuse refuse/>
                                                    }.into_any()
                                                } else {
                                                    view! {
                                                        <p class="help">{tr(Msg::StaffClaimFirst)}</p>
                                                        {holder.map(|name| view! { <p class="notice">{tr(Msg::QueueClaimedBy)} " " {name}</p> })}
                                                        <ActionForm action=claim>
                                                            <input type="hidden" name="number" value=number.clone()/>
                                                            <button type="submit" class="button primary" data-testid="claim">{tr(Msg::ClaimAction)}</button>
                                                        </ActionForm>
                                                    }.into_any()
                                                }}
                                            </section>
                                        }
                                    })}
                                    <StaffFacts view/>
                                    <p><A href="/desk">{tr(Msg::NavDesk)}</A></p>
                                </article>
                            }.into_any()
                        }
                    }
                })}
            </Suspense>
        }/>
    }
}

/// One row of the notice being written.
#[derive(Clone)]
struct Entry {
    key: usize,
    target: RwSignal<String>,
    problem: RwSignal<String>,
    clause: RwSignal<String>,
}

/// Writes a one-time correction notice: every entry names a field or material of the form,
/// says what is wrong and cites the guide clause.
#[component]
fn NoticeBuilder(
    number: String,
    fields: Vec<(String, crate::domain::catalogue::Text)>,
    materials: Vec<(String, crate::domain::catalogue::Text)>,
    only: Option<Vec<String>>,
    returned: Action<(String, Vec<CorrectionItem>), Result<(), AppError>>,
) -> impl IntoView {
    let lang = use_lang();
    let next_key = StoredValue::new(1usize);
    let new_entry = move || Entry {
        key: {
            let key = next_key.get_value();
            next_key.set_value(key + 1);
            key
        },
        target: RwSignal::new(String::new()),
        problem: RwSignal::new(String::new()),
        clause: RwSignal::new(String::new()),
    };
    let entries = RwSignal::new(vec![new_entry()]);
    let options: Vec<(String, String, crate::domain::catalogue::Text)> = fields
        .into_iter()
        .map(|(name, label)| (format!("field:{name}"), name, label))
        .chain(
            materials
                .into_iter()
                .map(|(name, label)| (format!("material:{name}"), name, label)),
        )
        .filter(|(_, name, _)| only.as_ref().is_none_or(|only| only.contains(name)))
        .collect();
    let options = StoredValue::new(options);
    let send = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let items = entries
            .get_untracked()
            .iter()
            .map(|entry| {
                let target = entry.target.get_untracked();
                let (kind, name) = target.split_once(':').unwrap_or(("field", ""));
                CorrectionItem {
                    target: CorrectionTarget::parse(kind).unwrap_or(CorrectionTarget::Field),
                    name: name.to_owned(),
                    problem: entry.problem.get_untracked(),
                    clause: entry.clause.get_untracked(),
                }
            })
            .collect();
        returned.dispatch((number.clone(), items));
    };
    view! {
        <form class="form notice-builder" on:submit=send data-testid="notice-builder" aria-labelledby="return-title">
            <h3 id="return-title">{tr(Msg::ReturnTitle)}</h3>
            <p class="help">{tr(Msg::ReturnHelp)}</p>
            {only.is_some().then(|| view! { <p class="notice">{tr(Msg::ReturnOnlyChanged)}</p> })}
            <For each=move || entries.get() key=|entry| entry.key let:entry>
                {
                    let key = entry.key;
                    let target_id = format!("notice-{key}-target");
                    let problem_id = format!("notice-{key}-problem");
                    let clause_id = format!("notice-{key}-clause");
                    view! {
                        <fieldset class="notice-entry" data-testid="notice-entry">
                            <label for=target_id.clone()>{tr(Msg::ReturnTarget)}</label>
                            <select id=target_id bind:value=entry.target required>
                                <option value="">"—"</option>
                                {options.get_value().into_iter().map(|(value, _, label)| {
                                    let kind = if value.starts_with("field:") { Msg::TargetField } else { Msg::TargetMaterial };
                                    view! { <option value=value>{move || format!("{}：{}", kind.text(lang.get()), text_in(&label, lang.get()))}</option> }
                                }).collect_view()}
                            </select>
                            <label for=problem_id.clone()>{tr(Msg::ReturnProblem)}</label>
                            <textarea id=problem_id rows="2" bind:value=entry.problem maxlength="500"></textarea>
                            <label for=clause_id.clone()>{tr(Msg::ReturnClause)}</label>
                            <input id=clause_id bind:value=entry.clause maxlength="500"/>
                            <button type="button" class="button" on:click=move |_| entries.update(|list| list.retain(|e| e.key != key))>
                                {tr(Msg::ReturnRemoveItem)}
                            </button>
                        </fieldset>
                    }
                }
            </For>
            <button type="button" class="button" data-testid="notice-add" on:click=move |_| entries.update(|list| list.push(new_entry()))>
                {tr(Msg::ReturnAddItem)}
            </button>
            <button type="submit" class="button primary" data-testid="notice-send">{tr(Msg::ReturnSend)}</button>
        </form>
    }
}

#[component]
fn RefuseForm(number: String, refuse: ServerAction<RefuseCase>) -> impl IntoView {
    let lang = use_lang();
    view! {
        <ActionForm action=refuse attr:class="form" attr:data-testid="refuse-form">
            <h3>{tr(Msg::RefuseTitle)}</h3>
            <input type="hidden" name="number" value=number/>
            <label for="refuse-reason">{tr(Msg::FieldReasonChoice)}</label>
            <select id="refuse-reason" name="reason" required>
                <option value="">"—"</option>
                {RefusalReason::ALL.into_iter().map(|reason| view! {
                    <option value=reason.code()>{move || refusal_reason_text(reason, lang.get())}</option>
                }).collect_view()}
            </select>
            <label for="refuse-note">{tr(Msg::RefuseNote)}</label>
            <textarea id="refuse-note" name="note" rows="3" required maxlength="1000"></textarea>
            <button type="submit" class="button danger">{tr(Msg::RefuseSend)}</button>
        </ActionForm>
    }
}

/// The approver's department queue.
#[component]
pub fn ApprovalsQueue() -> impl IntoView {
    let lang = use_lang();
    let query = RwSignal::new(TaskQueueQuery::default());
    let due_soon = RwSignal::new(false);
    let page = Resource::new(move || query.get(), task_queue);
    view! {
        <section aria-labelledby="tasks-title" data-testid="task-queue">
            <h2 id="tasks-title">{tr(Msg::ApprovalsQueueTitle)}</h2>
            <form class="form filters" on:submit=move |event: leptos::ev::SubmitEvent| {
                event.prevent_default();
                query.set(TaskQueueQuery { due_soon: due_soon.get(), ..TaskQueueQuery::default() });
            }>
                <label class="choice"><input type="checkbox" bind:checked=due_soon/> " " {tr(Msg::FilterDueSoon)}</label>
                <button type="submit" class="button">{tr(Msg::FilterApply)}</button>
            </form>
            <Transition fallback=|| view! { <p class="loading">{tr(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match page.await {
                        Err(error) => view! { <ErrorList error/> }.into_any(),
                        Ok(page) if page.entries.is_empty() => view! {
                            <p class="empty-state" role="status">{tr(Msg::ApprovalsQueueEmpty)}</p>
                        }.into_any(),
                        Ok(page) => {
                            let next = page.next.clone();
                            view! {
                                <ul class="card-list">
                                    {page.entries.into_iter().map(|entry| {
                                        let title = entry.title.clone();
                                        let flag = entry.due_flag;
                                        let status = entry.status;
                                        view! {
                                            <li class="card" data-testid="task-entry" data-number=entry.case_number.clone()>
                                                <A href=format!("/approvals/tasks/{}", entry.task_id)>
                                                    <strong>{move || text_in(&title, lang.get())}</strong>
                                                </A>
                                                <span class="meta">{entry.acceptance_number.clone().unwrap_or_default()} " · " {entry.case_number.clone()}</span>
                                                <span class="meta">{move || task_status_text(status, lang.get())} " · " {tr(Msg::TaskDueOn)} " " {entry.due_on.clone()}</span>
                                                <span class=due_class(flag)>{move || due_text(flag, lang.get())}</span>
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                                {next.map(|cursor| view! {
                                    <button type="button" class="button" on:click=move |_| {
                                        let cursor = cursor.clone();
                                        query.update(|query| query.after = Some(cursor));
                                    }>{tr(Msg::QueueNextPage)}</button>
                                })}
                            }.into_any()
                        }
                    }
                })}
            </Transition>
        </section>
    }
}

/// `/approvals/tasks/:id`: the whole case read-only and the department's decision.
#[component]
pub fn TaskPage() -> impl IntoView {
    let params = use_params_map();
    let decided = Action::new(|(task, verdict, text): &(String, TaskVerdict, String)| {
        decide_task(task.clone(), *verdict, text.clone())
    });
    let extend = ServerAction::<ExtendTask>::new();
    let work = Resource::new(
        move || {
            (
                params.get().get("id").unwrap_or_default(),
                decided.version().get() + extend.version().get(),
            )
        },
        |(task, _)| load_task(task),
    );
    view! {
        <Guarded access=access::APPROVERS children=move |_user| view! {
            <Suspense fallback=|| view! { <p class="loading">{tr(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match work.await {
                        Err(error) => view! { <ErrorList error/> }.into_any(),
                        Ok(work) => {
                            let lang = use_lang();
                            let task = work.task.clone();
                            let title = work.case.detail.title.clone();
                            let department = task.department.clone();
                            let status = task.status;
                            let task_id = StoredValue::new(task.task_id.clone());
                            let verdict = RwSignal::new(String::new());
                            let text = RwSignal::new(String::new());
                            view! {
                                <article class="case" data-testid="task-page" aria-labelledby="task-title">
                                    <h1 id="task-title">{move || text_in(&title, lang.get())}</h1>
                                    <p class="meta">{move || text_in(&department, lang.get())} " · "
                                        <span data-testid="task-status" data-status=status.code()>{move || task_status_text(status, lang.get())}</span>
                                        " · " {tr(Msg::TaskDueOn)} " " {task.due_on.clone()}</p>
                                    {move || decided.value().get().and_then(Result::err).map(|error| view! { <ErrorList error/> })}
                                    {move || decided.value().get().and_then(Result::ok).map(|()| view! { <p class="success" role="status" data-testid="decided">{tr(Msg::DecisionDone)}</p> })}
                                    {(status == TaskStatus::Open).then(|| view! {
                                        <form class="form" data-testid="verdict-form" on:submit=move |event: leptos::ev::SubmitEvent| {
                                            event.prevent_default();
                                            let chosen = match verdict.get_untracked().as_str() {
                                                "approve" => TaskVerdict::Approve,
                                                "reject" => TaskVerdict::Reject,
                                                _ => TaskVerdict::Supplement,
                                            };
                                            decided.dispatch((task_id.get_value(), chosen, text.get_untracked()));
                                        }>
                                            <fieldset>
                                                <legend>{tr(Msg::VerdictTitle)}</legend>
                                                <label class="choice"><input type="radio" name="verdict" value="approve" required on:change=move |_| verdict.set("approve".into())/> " " {tr(Msg::VerdictApprove)}</label>
                                                <label class="choice"><input type="radio" name="verdict" value="reject" on:change=move |_| verdict.set("reject".into())/> " " {tr(Msg::VerdictReject)}</label>
                                                <label class="choice"><input type="radio" name="verdict" value="supplement" on:change=move |_| verdict.set("supplement".into())/> " " {tr(Msg::VerdictSupplement)}</label>
                                            </fieldset>
                                            <label for="verdict-text">{tr(Msg::VerdictText)}</label>
                                            <textarea id="verdict-text" rows="3" required maxlength="1000" bind:value=text></textarea>
                                            <button type="submit" class="button primary" data-testid="verdict-send">{tr(Msg::VerdictSend)}</button>
                                        </form>
                                        <ActionForm action=extend attr:class="form compact">
                                            <h3>{tr(Msg::ExtendTitle)}</h3>
                                            <input type="hidden" name="task_id" value=task_id.get_value()/>
                                            <label for="extend-days">{tr(Msg::FieldExtensionDays)}</label>
                                            <input id="extend-days" name="days" type="number" min="1" max="60" required inputmode="numeric"/>
                                            <label for="extend-reason">{tr(Msg::FieldReason)}</label>
                                            <textarea id="extend-reason" name="reason" rows="2" required></textarea>
                                            <button type="submit" class="button">{tr(Msg::ExtendSend)}</button>
                                        </ActionForm>
                                        {action_error(extend.value())}
                                    })}
                                    <StaffFacts view=work.case/>
                                    <p><A href="/approvals">{tr(Msg::NavApprovals)}</A></p>
                                </article>
                            }.into_any()
                        }
                    }
                })}
            </Suspense>
        }/>
    }
}

/// Where a case stands: acceptance, deadline, department decisions, notices, documents, the
/// timeline and the audit trail. For the applicant it also holds the answer forms.
#[component]
pub fn ProgressSection(
    progress: CaseProgress,
    timeline: Vec<crate::api::TimelineStep>,
    for_applicant: bool,
    number: String,
) -> impl IntoView {
    let lang = use_lang();
    let CaseProgress {
        acceptance_number,
        deadline_on,
        due_flag,
        promised_days,
        refusal,
        notices,
        open_notice,
        tasks,
        documents,
        audit,
        supplement_requested,
        ..
    } = progress;
    view! {
        <section class="progress" aria-labelledby="progress-title" data-testid="case-progress">
            <h2 id="progress-title">{tr(Msg::ProgressTitle)}</h2>
            <dl class="facts">
                {acceptance_number.map(|acceptance| view! {
                    <dt>{tr(Msg::ProgressAcceptance)}</dt><dd data-testid="acceptance-number">{acceptance}</dd>
                })}
                <dt>{tr(Msg::ProgressPromised)}</dt><dd>{promised_days}</dd>
                {deadline_on.map(|deadline| view! {
                    <dt>{tr(Msg::ProgressDeadline)}</dt>
                    <dd data-testid="case-deadline">{deadline}
                        {due_flag.map(|flag| view! { " " <span class=due_class(flag)>{move || due_text(flag, lang.get())}</span> })}
                    </dd>
                })}
            </dl>
            {refusal.map(|refusal| view! {
                <section aria-labelledby="refusal-title" class="notice">
                    <h3 id="refusal-title">{tr(Msg::RefusalTitle)}</h3>
                    <p>{move || refusal_reason_text(refusal.reason, lang.get())}</p>
                    <p>{refusal.note.clone()}</p>
                </section>
            })}
            {(!tasks.is_empty()).then(|| view! {
                <h3>{tr(Msg::ProgressDepartments)}</h3>
                <ul class="tasks" data-testid="case-tasks">
                    {tasks.into_iter().map(|task| {
                        let department = task.department.clone();
                        let status = task.status;
                        view! {
                            <li data-status=status.code()>
                                <strong>{move || text_in(&department, lang.get())}</strong> " · "
                                {move || task_status_text(status, lang.get())} " · " {tr(Msg::TaskDueOn)} " " {task.due_on.clone()}
                                {task.opinion.clone().map(|opinion| view! { <p>{opinion}</p> })}
                                {task.supplement_request.clone().filter(|_| status == TaskStatus::Supplement).map(|request| view! { <p class="notice">{request}</p> })}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            })}
            {(for_applicant && supplement_requested).then(|| view! { <SupplementAnswer number=number.clone()/> })}
            {(!notices.is_empty()).then(|| view! {
                <h3>{tr(Msg::NoticesTitle)}</h3>
                <ol class="notices" data-testid="case-notices">
                    {notices.into_iter().map(|notice| view! {
                        <li>
                            <span class="meta">{format_time(notice.issued_at)}
                                {notice.answered_at.map(|at| view! { " · " {tr(Msg::NoticeAnswered)} " " {format_time(at)} })}
                            </span>
                            <ul>
                                {notice.items.into_iter().map(|line| {
                                    let label = line.label.clone();
                                    view! { <li><strong>{move || text_in(&label, lang.get())}</strong> "：" {line.item.problem.clone()} " (" {line.item.clause.clone()} ")"</li> }
                                }).collect_view()}
                            </ul>
                        </li>
                    }).collect_view()}
                </ol>
            })}
            {open_notice.filter(|_| for_applicant).map(|open| view! { <NoticeAnswer number=number.clone() open/> })}
            {(!documents.is_empty()).then(|| view! {
                <h3>{tr(Msg::DocumentsTitle)}</h3>
                <ul data-testid="case-documents">
                    {documents.into_iter().map(|document| {
                        let kind = document.kind.clone();
                        view! {
                            <li><a href=format!("/files/case-document/{}", document.id) target="_blank" rel="noopener" data-kind=document.kind.clone()>
                                {move || document_name(&kind, lang.get())}</a>
                                <span class="meta">" " {format_time(document.issued_at)}</span></li>
                        }
                    }).collect_view()}
                </ul>
            })}
            {(!for_applicant).then(|| view! {
                <h3>{tr(Msg::CaseTimeline)}</h3>
                <ol class="timeline">
                    {timeline.into_iter().map(|step| {
                        let kind = step.kind.clone();
                        let role = step.actor_role.clone();
                        view! {
                            <li data-kind=step.kind.clone()>
                                <strong>{move || crate::i18n::case_event_text(&kind, lang.get())}</strong>
                                <span class="meta"> " " {format_time(step.at)} " · " {move || actor_role_text(&role, lang.get())}</span>
                                {step.note.clone().map(|note| view! { <p>{note}</p> })}
                            </li>
                        }
                    }).collect_view()}
                </ol>
            })}
            <details class="audit" data-testid="case-audit">
                <summary>{tr(Msg::AuditTitle)}</summary>
                <table>
                    <thead><tr>
                        <th scope="col">{tr(Msg::CaseSubmittedAt)}</th>
                        <th scope="col">{tr(Msg::AuditAction)}</th>
                        <th scope="col">{tr(Msg::AuditRole)}</th>
                        <th scope="col">{tr(Msg::AuditChange)}</th>
                        <th scope="col">{tr(Msg::AuditHash)}</th>
                    </tr></thead>
                    <tbody>
                        {audit.into_iter().map(|line| {
                            let role = line.role.clone();
                            let action = line.action.clone();
                            let (from, to) = (
                                line.from.as_deref().and_then(CaseStatus::parse),
                                line.to.as_deref().and_then(CaseStatus::parse),
                            );
                            view! {
                                <tr>
                                    <td>{format_time(line.at)}</td>
                                    <td>{move || audit_action_text(&action, lang.get())}</td>
                                    <td>{move || actor_role_text(&role, lang.get())}</td>
                                    <td>{move || match (from, to) {
                                        (Some(from), Some(to)) => format!(
                                            "{} → {}",
                                            case_status_text(from, lang.get()),
                                            case_status_text(to, lang.get())
                                        ),
                                        _ => String::new(),
                                    }}{line.reason.clone().map(|reason| format!(" {reason}"))}</td>
                                    <td><code>{line.hash_prefix.clone()}</code></td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </details>
        </section>
    }
}

/// The applicant's answer to a correction notice: only the listed fields and materials.
#[component]
fn NoticeAnswer(number: String, open: crate::api::OpenNotice) -> impl IntoView {
    let values: RwSignal<BTreeMap<String, RawValue>> = RwSignal::new(
        open.fields
            .iter()
            .filter_map(|field| Some((field.name.clone(), field.value.clone()?)))
            .collect(),
    );
    let answered = Action::new(|(number, values): &(String, BTreeMap<String, RawValue>)| {
        answer_notice(number.clone(), values.clone())
    });
    let number = StoredValue::new(number);
    let draft_id = open.draft_id.clone();
    view! {
        <section class="notice-answer" aria-labelledby="answer-title" data-testid="notice-answer">
            <h3 id="answer-title">{tr(Msg::NoticeAnswerTitle)}</h3>
            <p class="help">{tr(Msg::NoticeAnswerHelp)}</p>
            {open.fields.into_iter().map(|field| {
                let laid_out = LaidOutField { name: field.name.clone(), field: field.field.clone() };
                view! {
                    <FieldInput
                        laid_out
                        initial=field.value.clone()
                        problem=Signal::derive(|| None)
                        on_edit=Callback::new(move |(name, value): (String, RawValue)| values.update(|values| { values.insert(name, value); }))
                        on_leave=Callback::new(|_: String| {})
                    />
                }
            }).collect_view()}
            {open.materials.into_iter().map(|material| {
                let files: RwSignal<Vec<UploadedFile>> = RwSignal::new(material.files.clone());
                view! {
                    <MaterialUpload
                        laid_out=LaidOutMaterial { name: material.name.clone(), material: material.material.clone() }
                        draft_id=draft_id.clone()
                        files
                        missing=Signal::derive(|| false)
                    />
                }
            }).collect_view()}
            {move || answered.value().get().and_then(Result::err).map(|error| view! { <ErrorList error/> })}
            {move || answered.value().get().and_then(Result::ok).map(|()| {
                super::platform::go_to(&format!("/my/cases/{}", number.get_value()));
                view! { <p class="success" role="status">{tr(Msg::NotifResubmitted)}</p> }
            })}
            <button type="button" class="button primary" data-testid="answer-send"
                on:click=move |_| { answered.dispatch((number.get_value(), values.get_untracked())); }>
                {tr(Msg::NoticeAnswerSend)}
            </button>
        </section>
    }
}

#[component]
fn SupplementAnswer(number: String) -> impl IntoView {
    let answer = ServerAction::<AnswerSupplement>::new();
    view! {
        <ActionForm action=answer attr:class="form" attr:data-testid="supplement-answer">
            <h3>{tr(Msg::SupplementTitle)}</h3>
            <input type="hidden" name="number" value=number/>
            <label for="supplement-text">{tr(Msg::SupplementAnswer)}</label>
            <textarea id="supplement-text" name="answer" rows="3" required maxlength="1000"></textarea>
            <button type="submit" class="button primary">{tr(Msg::SupplementSend)}</button>
        </ActionForm>
        {action_error(answer.value())}
        <Show when=move || matches!(answer.value().get(), Some(Ok(())))>
            <p class="success" role="status">{tr(Msg::DecisionDone)}</p>
        </Show>
    }
}

/// The admin's working-day calendar editor.
#[component]
pub fn CalendarSection() -> impl IntoView {
    let lang = use_lang();
    let set = ServerAction::<SetCalendarDay>::new();
    let remove = ServerAction::<RemoveCalendarDay>::new();
    let days = Resource::new(
        move || set.version().get() + remove.version().get(),
        |_| calendar_days(),
    );
    view! {
        <section aria-labelledby="calendar-title" data-testid="calendar">
            <h2 id="calendar-title">{tr(Msg::CalendarTitle)}</h2>
            <p class="help">{tr(Msg::CalendarHelp)}</p>
            <ActionForm action=set attr:class="form compact">
                <label for="calendar-day">{tr(Msg::FieldCalendarDay)}</label>
                <input id="calendar-day" name="day" type="date" required/>
                <label for="calendar-kind">{tr(Msg::FieldDayKind)}</label>
                <select id="calendar-kind" name="kind">
                    <option value="holiday">{tr(Msg::CalendarHoliday)}</option>
                    <option value="workday">{tr(Msg::CalendarWorkday)}</option>
                </select>
                <label for="calendar-name">{tr(Msg::FieldDayName)}</label>
                <input id="calendar-name" name="name" required maxlength="40"/>
                <button type="submit" class="button primary">{tr(Msg::CalendarSave)}</button>
            </ActionForm>
            {action_error(set.value())}
            {action_error(remove.value())}
            <Transition fallback=|| view! { <p class="loading">{tr(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    let days = days.await.unwrap_or_default();
                    view! {
                        <table>
                            <thead><tr>
                                <th scope="col">{tr(Msg::FieldCalendarDay)}</th>
                                <th scope="col">{tr(Msg::FieldDayKind)}</th>
                                <th scope="col">{tr(Msg::FieldDayName)}</th>
                                <th scope="col"></th>
                            </tr></thead>
                            <tbody>
                                {days.into_iter().map(|day| {
                                    let holiday = day.kind == "holiday";
                                    view! {
                                        <tr>
                                            <td>{day.day.clone()}</td>
                                            <td>{move || if holiday { Msg::CalendarHoliday.text(lang.get()) } else { Msg::CalendarWorkday.text(lang.get()) }}</td>
                                            <td>{day.name.clone()}</td>
                                            <td>
                                                <ActionForm action=remove>
                                                    <input type="hidden" name="day" value=day.day.clone()/>
                                                    <button type="submit" class="button">{tr(Msg::CalendarRemove)}</button>
                                                </ActionForm>
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    }
                })}
            </Transition>
        </section>
    }
}

/// The admin's audit-chain check: verifies every link and names the first broken entry.
#[component]
pub fn AuditCheckSection() -> impl IntoView {
    let check = Action::new(|(): &()| verify_audit_chain());
    view! {
        <section aria-labelledby="audit-check-title" data-testid="audit-check">
            <h2 id="audit-check-title">{tr(Msg::AuditVerifyTitle)}</h2>
            <button type="button" class="button" on:click=move |_| { check.dispatch(()); }>{tr(Msg::AuditVerifyAction)}</button>
            {move || check.value().get().map(|result| match result {
                Err(error) => view! { <ErrorList error/> }.into_any(),
                Ok(report) => match report.first_broken {
                    None => view! { <p class="success" role="status">{tr(Msg::AuditVerifyOk)} " " {report.entries}</p> }.into_any(),
                    Some((id, how)) => view! { <p class="error" role="alert">{tr(Msg::AuditVerifyBroken)} " #" {id} " (" {how} ")"</p> }.into_any(),
                },
            })}
        </section>
    }
}

/// 代办: find a walk-in applicant's verified account, start filling in for them, and the list
/// of what the worker filled in (with the case once the applicant submitted it).
#[component]
pub fn FilingSection() -> impl IntoView {
    let lang = use_lang();
    let find = ServerAction::<FindApplicant>::new();
    let start = ServerAction::<StartFiling>::new();
    let filings = Resource::new(move || start.version().get(), |_| my_filings());
    Effect::new(move |_| {
        if let Some(Ok(draft)) = start.value().get() {
            super::platform::go_to(&format!("/apply/{draft}"));
        }
    });
    view! {
        <section aria-labelledby="filing-title" data-testid="filing">
            <h2 id="filing-title">{tr(Msg::FilingTitle)}</h2>
            <p class="help">{tr(Msg::FilingHelp)}</p>
            <ActionForm action=find attr:class="form compact">
                <label for="filing-lookup">{tr(Msg::FieldApplicantLookup)}</label>
                <input id="filing-lookup" name="lookup" required autocomplete="off"/>
                <button type="submit" class="button">{tr(Msg::FilingFind)}</button>
            </ActionForm>
            {action_error(find.value())}
            {move || find.value().get().and_then(Result::ok).map(|found| {
                let level = found.identity_level;
                view! {
                    <div class="card" data-testid="filing-match">
                        <strong>{found.masked_name.clone()}</strong>
                        <span class="meta">{found.masked_login.clone()} " · "
                            {move || level.map(|level| crate::i18n::identity_level_name(level, lang.get()).to_owned()).unwrap_or_default()}</span>
                        <ActionForm action=start attr:class="form compact">
                            <input type="hidden" name="reference" value=found.reference.clone()/>
                            <label for="filing-target">{tr(Msg::FilingTarget)}</label>
                            <select id="filing-target" name="target">
                                <option value="bundle">{tr(Msg::TargetBundle)}</option>
                                <option value="item">{tr(Msg::TargetItem)}</option>
                            </select>
                            <label for="filing-code">{tr(Msg::FilingTarget)}</label>
                            <input id="filing-code" name="code" required placeholder="YJS-CANYIN"/>
                            <button type="submit" class="button primary" data-testid="filing-start">{tr(Msg::FilingStart)}</button>
                        </ActionForm>
                        {action_error(start.value())}
                    </div>
                }
            })}
            <h3>{tr(Msg::FilingMine)}</h3>
            <Transition fallback=|| view! { <p class="loading">{tr(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    let filings = filings.await.unwrap_or_default();
                    view! {
                        <ul class="card-list" data-testid="filings">
                            {filings.into_iter().map(|filing| {
                                let title = filing.title.clone();
                                view! {
                                    <li class="card">
                                        <strong>{move || text_in(&title, lang.get())}</strong>
                                        <span class="meta">{filing.masked_name.clone()} " · " {format_time(filing.updated_at)}</span>
                                        {match filing.case_number.clone() {
                                            Some(number) => view! { <A href=format!("/desk/cases/{number}")>{number.clone()}</A> }.into_any(),
                                            None => view! {
                                                <A href=format!("/apply/{}", filing.draft_id)>{tr(Msg::FilingWaiting)}</A>
                                            }.into_any(),
                                        }}
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }
                })}
            </Transition>
        </section>
    }
}
