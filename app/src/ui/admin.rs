//! The service office's administration page: staff accounts (create, change role, remove) and
//! the district's departments and service centres.

use leptos::prelude::*;
use leptos_router::components::A;

use super::common::{Guarded, action_error, tr, use_lang};
use crate::access;
use crate::api::{
    ChangeStaffRole, CreateStaff, Organisation, RemoveStaff, StaffMember, list_staff,
    load_organisation,
};
use crate::domain::Role;
use crate::i18n::{Msg, role_name};

#[component]
pub fn AdminPage() -> impl IntoView {
    view! {
        <Guarded access=access::ADMINS children=|user| view! { <AdminWorkspace current_user_id=user.id/> }/>
    }
}

#[component]
fn AdminWorkspace(current_user_id: i64) -> impl IntoView {
    let create = ServerAction::<CreateStaff>::new();
    let change_role = ServerAction::<ChangeStaffRole>::new();
    let remove = ServerAction::<RemoveStaff>::new();
    let staff = Resource::new(
        move || {
            (
                create.version().get(),
                change_role.version().get(),
                remove.version().get(),
            )
        },
        |_| list_staff(),
    );
    let org = Resource::new(|| (), |_| load_organisation());

    view! {
        <section class="workspace" data-testid="workspace-admin" aria-labelledby="admin-title">
            <h1 id="admin-title">{tr(Msg::AdminTitle)}</h1>
            <p><A href="/admin/catalogue" attr:class="button" attr:data-testid="open-catalogue-editor">{tr(Msg::NavCatalogueEditor)}</A>
                " " <A href="/admin/statistics" attr:class="button" attr:data-testid="open-statistics-dashboard">{tr(Msg::StatsAdminTitle)}</A></p>
            <super::back_office::AuditCheckSection/>
            <super::back_office::CalendarSection/>
            <super::issuance::LicenceAdminSection/>
            <Transition fallback=|| view! { <p class="loading">{tr(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    let org = org.await.unwrap_or_default();
                    let staff = staff.await.unwrap_or_default();
                    view! {
                        <h2>{tr(Msg::AdminStaffTitle)}</h2>
                        {action_error(change_role.value())}
                        {action_error(remove.value())}
                        <Show when=move || matches!(change_role.value().get(), Some(Ok(()))) || matches!(remove.value().get(), Some(Ok(())))>
                            <p class="success" role="status">{tr(Msg::AdminUpdated)}</p>
                        </Show>
                        <StaffTable staff org=org.clone() current_user_id change_role remove/>
                        <h2>{tr(Msg::AdminCreateStaffTitle)}</h2>
                        {action_error(create.value())}
                        <Show when=move || matches!(create.value().get(), Some(Ok(_)))>
                            <p class="success" role="status">{tr(Msg::AdminStaffCreated)}</p>
                        </Show>
                        <CreateStaffForm action=create org=org.clone()/>
                        <OrgLists org/>
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn RoleOptions(selected: Option<Role>) -> impl IntoView {
    let lang = use_lang();
    Role::STAFF
        .into_iter()
        .map(|role| {
            view! {
                <option value=role.code() selected=selected == Some(role)>
                    {move || role_name(role, lang.get())}
                </option>
            }
        })
        .collect_view()
}

#[component]
fn OrgSelects(org: Organisation, id_suffix: String) -> impl IntoView {
    let lang = use_lang();
    let department_id = format!("department_id{id_suffix}");
    let centre_id = format!("service_centre_id{id_suffix}");
    let departments = org.departments.clone();
    let centres = org.service_centres.clone();
    view! {
        <label for=department_id.clone()>{tr(Msg::FieldDepartment)}</label>
        <select id=department_id name="department_id">
            <option value="">{tr(Msg::AdminNoBinding)}</option>
            {departments.into_iter().map(|department| {
                let name = department.name.clone();
                view! { <option value=department.id.to_string()>{move || name.in_lang(lang.get()).to_owned()}</option> }
            }).collect_view()}
        </select>
        <label for=centre_id.clone()>{tr(Msg::FieldServiceCentre)}</label>
        <select id=centre_id name="service_centre_id">
            <option value="">{tr(Msg::AdminNoBinding)}</option>
            {centres.into_iter().map(|centre| {
                let name = centre.name.clone();
                view! { <option value=centre.id.to_string()>{move || name.in_lang(lang.get()).to_owned()}</option> }
            }).collect_view()}
        </select>
    }
}

#[component]
fn StaffTable(
    staff: Vec<StaffMember>,
    org: Organisation,
    current_user_id: i64,
    change_role: ServerAction<ChangeStaffRole>,
    remove: ServerAction<RemoveStaff>,
) -> impl IntoView {
    let lang = use_lang();
    let rows = staff
        .into_iter()
        .map(|member| {
            let role = member.role;
            let binding = member.department.clone().or(member.service_centre.clone());
            let is_self = member.id == current_user_id;
            let org = org.clone();
            view! {
                <tr data-testid=format!("staff-{}", member.login)>
                    <td>{member.display_name.clone()}</td>
                    <td><code>{member.login.clone()}</code></td>
                    <td>{move || role_name(role, lang.get())}</td>
                    <td>{move || binding.as_ref().map(|name| name.in_lang(lang.get()).to_owned())}</td>
                    <td>
                        {if member.removed { tr(Msg::AdminRemoved)() } else { tr(Msg::AdminActive)() }}
                        " · "
                        {if member.totp_enrolled { tr(Msg::AdminTotpEnrolled)() } else { tr(Msg::AdminTotpPending)() }}
                    </td>
                    <td>
                        {(!member.removed && !is_self).then(|| view! {
                            <details>
                                <summary>{tr(Msg::AdminChangeRole)}</summary>
                                <ActionForm action=change_role attr:class="form compact">
                                    <input type="hidden" name="user_id" value=member.id.to_string()/>
                                    <label for=format!("role-{}", member.id)>{tr(Msg::FieldRole)}</label>
                                    <select id=format!("role-{}", member.id) name="role">
                                        <RoleOptions selected=Some(role)/>
                                    </select>
                                    <OrgSelects org=org.clone() id_suffix=format!("-{}", member.id)/>
                                    <button type="submit" class="button">{tr(Msg::AdminSave)}</button>
                                </ActionForm>
                            </details>
                            <ActionForm action=remove>
                                <input type="hidden" name="user_id" value=member.id.to_string()/>
                                <button type="submit" class="button danger">{tr(Msg::AdminRemove)}</button>
                            </ActionForm>
                        })}
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-scroll">
            <table data-testid="staff-table">
                <thead>
                    <tr>
                        <th scope="col">{tr(Msg::FieldDisplayName)}</th>
                        <th scope="col">{tr(Msg::FieldLogin)}</th>
                        <th scope="col">{tr(Msg::FieldRole)}</th>
                        <th scope="col">{tr(Msg::FieldDepartment)} " / " {tr(Msg::FieldServiceCentre)}</th>
                        <th scope="col">{tr(Msg::AdminStatus)}</th>
                        <th scope="col">{tr(Msg::AdminActions)}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

#[component]
fn CreateStaffForm(action: ServerAction<CreateStaff>, org: Organisation) -> impl IntoView {
    view! {
        <ActionForm action attr:class="form" attr:data-testid="create-staff-form">
            <label for="staff-login">{tr(Msg::FieldLogin)}</label>
            <input id="staff-login" name="login" type="text" required autocomplete="off"/>
            <label for="staff-name">{tr(Msg::FieldDisplayName)}</label>
            <input id="staff-name" name="display_name" type="text" required maxlength="50" autocomplete="off"/>
            <label for="staff-role">{tr(Msg::FieldRole)}</label>
            <select id="staff-role" name="role" required>
                <option value="">{tr(Msg::ChooseOne)}</option>
                <RoleOptions selected=None/>
            </select>
            <OrgSelects org id_suffix=String::new()/>
            <label for="staff-password">{tr(Msg::AdminInitialPassword)}</label>
            <input id="staff-password" name="initial_password" type="password" required minlength="10"
                autocomplete="new-password" aria-describedby="staff-password-help"/>
            <p id="staff-password-help" class="help">{tr(Msg::FieldPasswordHelp)}</p>
            <button type="submit" class="button primary">{tr(Msg::AdminCreateStaffSubmit)}</button>
        </ActionForm>
    }
}

#[component]
fn OrgLists(org: Organisation) -> impl IntoView {
    let lang = use_lang();
    let departments = org.departments.into_iter().map(|department| {
        let name = department.name.clone();
        view! { <li><code>{department.code.clone()}</code> " " {move || name.in_lang(lang.get()).to_owned()}</li> }
    }).collect_view();
    let centres = org.service_centres.into_iter().map(|centre| {
        let name = centre.name.clone();
        view! { <li><code>{centre.code.clone()}</code> " " {move || name.in_lang(lang.get()).to_owned()}</li> }
    }).collect_view();
    view! {
        <div class="org-lists">
            <section aria-labelledby="departments-title">
                <h2 id="departments-title">{tr(Msg::AdminDepartmentsTitle)}</h2>
                <ul data-testid="departments">{departments}</ul>
            </section>
            <section aria-labelledby="centres-title">
                <h2 id="centres-title">{tr(Msg::AdminCentresTitle)}</h2>
                <ul data-testid="centres">{centres}</ul>
            </section>
        </div>
    }
}
