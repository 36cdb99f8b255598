//! The role workspaces. Each is guarded by its access rule; their queues fill as the case
//! life cycle arrives (applicant journey, front desk, back office), and until then they show
//! what the person is bound to and an honest empty state.

use leptos::prelude::*;

use super::catalogue_editor::format_time;
use super::common::action_error;
use super::common::{Guarded, tr, use_lang};
use crate::access;
use crate::api::{DecidePersonCheck, SessionUser, pending_person_checks};
use crate::i18n::{Msg, role_name};

#[component]
fn Workspace(
    title: Msg,
    user: SessionUser,
    #[prop(optional)] empty: Option<Msg>,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    let lang = use_lang();
    let role = user.role;
    view! {
        <section class="workspace" data-testid=format!("workspace-{}", role.code()) aria-labelledby="workspace-title">
            <h1 id="workspace-title">{tr(title)}</h1>
            <p class="who">
                <span>{user.display_name.clone()}</span>
                " · "
                <span>{move || role_name(role, lang.get())}</span>
                " · "
                <span>{user.login_masked.clone()}</span>
            </p>
            {children.map(|children| children())}
            {empty.map(|empty| view! { <p class="empty-state" role="status">{tr(empty)}</p> })}
        </section>
    }
}

#[component]
pub fn DeskPage() -> impl IntoView {
    let lang = use_lang();
    view! {
        <Guarded access=access::FRONT_DESK children=move |user| {
            let centre = user.service_centre.clone();
            view! {
                <Workspace title=Msg::DeskTitle user>
                    <p>{tr(Msg::DeskCentre)} ": "
                        {move || centre.as_ref().map(|name| name.in_lang(lang.get()).to_owned())}
                    </p>
                    <super::back_office::DeskQueue/>
                    <super::back_office::FilingSection/>
                    <super::issuance::PaperSection/>
                    <PersonCheckQueue/>
                </Workspace>
            }
        }/>
    }
}

#[component]
pub fn ApprovalsPage() -> impl IntoView {
    let lang = use_lang();
    view! {
        <Guarded access=access::APPROVERS children=move |user| {
            let department = user.department.clone();
            view! {
                <Workspace title=Msg::ApprovalsTitle user>
                    <p>{tr(Msg::ApprovalsDepartment)} ": "
                        {move || department.as_ref().map(|name| name.in_lang(lang.get()).to_owned())}
                    </p>
                    <super::back_office::ApprovalsQueue/>
                </Workspace>
            }
        }/>
    }
}

#[component]
pub fn InspectionsPage() -> impl IntoView {
    view! {
        <Guarded access=access::INSPECTORS children=|user| view! {
            <Workspace title=Msg::InspectionsTitle user>
                <super::issuance::InspectionQueue/>
            </Workspace>
        }/>
    }
}

/// Person–ID checks waiting for review: the ID-card photo and the selfie side by side with the
/// verified name; approve, or refuse with a reason the applicant sees.
#[component]
fn PersonCheckQueue() -> impl IntoView {
    let lang = use_lang();
    let decide = ServerAction::<DecidePersonCheck>::new();
    let checks = Resource::new(move || decide.version().get(), |_| pending_person_checks());
    view! {
        <section class="person-checks" aria-labelledby="person-checks-title" data-testid="person-checks">
            <h2 id="person-checks-title">{tr(Msg::PersonCheckQueueTitle)}</h2>
            {action_error(decide.value())}
            <Transition fallback=|| view! { <p class="loading">{tr(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    let checks = checks.await.unwrap_or_default();
                    if checks.is_empty() {
                        return view! { <p class="empty-state">{tr(Msg::PersonCheckQueueEmpty)}</p> }.into_any();
                    }
                    view! {
                        <ul class="card-list">
                            {checks.into_iter().map(|check| {
                                let reason_id = format!("reason-{}", check.id);
                                view! {
                                    <li class="card" data-testid="person-check">
                                        <strong>{check.legal_name.clone()}</strong>
                                        <span class="meta">{check.resident_id_masked.clone()} " · " {format_time(check.submitted_at)}</span>
                                        <div class="photo-pair">
                                            <figure>
                                                <img src=format!("/files/identity/{}", check.id_card_photo) alt=move || Msg::PersonCheckIdCard.text(lang.get())/>
                                                <figcaption>{tr(Msg::PersonCheckIdCard)}</figcaption>
                                            </figure>
                                            <figure>
                                                <img src=format!("/files/identity/{}", check.selfie_photo) alt=move || Msg::PersonCheckSelfie.text(lang.get())/>
                                                <figcaption>{tr(Msg::PersonCheckSelfie)}</figcaption>
                                            </figure>
                                        </div>
                                        <ActionForm action=decide attr:class="form compact">
                                            <input type="hidden" name="check_id" value=check.id.clone()/>
                                            <label for=reason_id.clone()>{tr(Msg::FieldReason)}</label>
                                            <textarea id=reason_id name="reason" rows="2" aria-describedby="reason-help"></textarea>
                                            <p id="reason-help" class="help">{tr(Msg::PersonCheckReasonHelp)}</p>
                                            <label class="choice">
                                                <input type="radio" name="approve" value="true" required/>
                                                " " {tr(Msg::PersonCheckApprove)}
                                            </label>
                                            <label class="choice">
                                                <input type="radio" name="approve" value="false"/>
                                                " " {tr(Msg::PersonCheckRefuse)}
                                            </label>
                                            <button type="submit" class="button primary">{tr(Msg::PersonCheckDecide)}</button>
                                        </ActionForm>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any()
                })}
            </Transition>
        </section>
    }
}
