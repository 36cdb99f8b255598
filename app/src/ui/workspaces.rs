//! The role workspaces. Each is guarded by its access rule; their queues fill as the case
//! life cycle arrives (applicant journey, front desk, back office), and until then they show
//! what the person is bound to and an honest empty state.

use leptos::prelude::*;

use super::common::{Guarded, tr, use_lang};
use crate::access;
use crate::api::SessionUser;
use crate::i18n::{Msg, role_name};

#[component]
fn Workspace(
    title: Msg,
    user: SessionUser,
    empty: Msg,
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
            <p class="empty-state" role="status">{tr(empty)}</p>
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
                <Workspace title=Msg::DeskTitle user empty=Msg::DeskQueueEmpty>
                    <p>{tr(Msg::DeskCentre)} ": "
                        {move || centre.as_ref().map(|name| name.in_lang(lang.get()).to_owned())}
                    </p>
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
                <Workspace title=Msg::ApprovalsTitle user empty=Msg::ApprovalsQueueEmpty>
                    <p>{tr(Msg::ApprovalsDepartment)} ": "
                        {move || department.as_ref().map(|name| name.in_lang(lang.get()).to_owned())}
                    </p>
                </Workspace>
            }
        }/>
    }
}

#[component]
pub fn InspectionsPage() -> impl IntoView {
    view! {
        <Guarded access=access::INSPECTORS children=|user| view! {
            <Workspace title=Msg::InspectionsTitle user empty=Msg::InspectionsEmpty/>
        }/>
    }
}
