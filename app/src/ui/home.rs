//! The home page: what the portal does, how it works, and in demo mode the demo logins.

use leptos::prelude::*;
use leptos_router::components::A;

use super::common::{tr, use_lang};
use super::use_user;
use crate::api::{demo_logins, demo_people};
use crate::domain::case::CreditLevel;
use crate::i18n::{Msg, role_name};

#[component]
pub fn HomePage() -> impl IntoView {
    let user = use_user();
    view! {
        <section class="hero" aria-labelledby="hero-title">
            <h1 id="hero-title">{tr(Msg::HomeIntroTitle)}</h1>
            <p class="tagline">{tr(Msg::AppTagline)}</p>
            <p>{tr(Msg::HomeIntroBody)}</p>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match user.await.ok().flatten() {
                        Some(user) => view! {
                            <A href=user.role.home_path() attr:class="button primary">{tr(Msg::HomeGoToWorkspace)}</A>
                        }.into_any(),
                        None => view! {
                            <A href="/register" attr:class="button primary">{tr(Msg::HomeStart)}</A>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </section>
        <section class="steps" aria-labelledby="steps-title">
            <h2 id="steps-title">{tr(Msg::HomeStepsTitle)}</h2>
            <ol class="step-list">
                <li>{tr(Msg::HomeStep1)}</li>
                <li>{tr(Msg::HomeStep2)}</li>
                <li>{tr(Msg::HomeStep3)}</li>
                <li>{tr(Msg::HomeStep4)}</li>
            </ol>
        </section>
        <DemoLogins/>
        <DemoPeople/>
    }
}

/// The demo population registry: names and resident IDs to try identity verification with.
#[component]
fn DemoPeople() -> impl IntoView {
    let lang = use_lang();
    let people = Resource::new(|| (), |_| demo_people());
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let people = people.await.unwrap_or_default();
                (!people.is_empty()).then(|| view! {
                    <section class="demo" aria-labelledby="demo-people-title" data-testid="demo-people">
                        <h2 id="demo-people-title">{tr(Msg::DemoPeopleTitle)}</h2>
                        <p>{tr(Msg::DemoPeopleExplain)}</p>
                        <div class="table-scroll">
                            <table>
                                <thead>
                                    <tr>
                                        <th scope="col">{tr(Msg::FieldLegalName)}</th>
                                        <th scope="col">{tr(Msg::FieldResidentId)}</th>
                                        <th scope="col">{tr(Msg::CreditTitle)}</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {people.into_iter().map(|person| {
                                        let credit = person.credit;
                                        view! {
                                            <tr>
                                                <td>{person.name.clone()}</td>
                                                <td><code data-testid="demo-resident-id">{person.resident_id.clone()}</code></td>
                                                <td>{move || match credit {
                                                    CreditLevel::Clear => Msg::CreditClear,
                                                    CreditLevel::Warn => Msg::CreditWarn,
                                                    CreditLevel::Block => Msg::CreditBlock,
                                                }.text(lang.get())}</td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    </section>
                })
            })}
        </Transition>
    }
}

/// The demo accounts with their current one-time codes; nothing outside demo mode.
#[component]
fn DemoLogins() -> impl IntoView {
    let lang = use_lang();
    let refresh = RwSignal::new(0u32);
    let logins = Resource::new(move || refresh.get(), |_| demo_logins());
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let logins = logins.await.unwrap_or_default();
                (!logins.is_empty()).then(|| {
                    let mut seen = std::collections::BTreeMap::<&'static str, usize>::new();
                    let rows = logins
                        .into_iter()
                        .map(|login| {
                            let role = login.role;
                            // The first account of a role is `demo-<role>`, the next `demo-<role>-2`, …
                            let count = seen.entry(role.code()).or_insert(0);
                            *count += 1;
                            let test_id = if *count == 1 {
                                format!("demo-{}", role.code())
                            } else {
                                format!("demo-{}-{count}", role.code())
                            };
                            let code = login.totp_code.clone();
                            let secret = login.totp_secret.clone();
                            view! {
                                <tr data-testid=test_id>
                                    <td>{move || role_name(role, lang.get())}</td>
                                    <td><code data-testid="demo-login">{login.login.clone()}</code></td>
                                    <td><code>{login.password.clone()}</code></td>
                                    <td>
                                        {match code {
                                            Some(code) => view! { <code data-testid="demo-code">{code}</code> }.into_any(),
                                            None => view! { <span>{tr(Msg::DemoNoCode)}</span> }.into_any(),
                                        }}
                                    </td>
                                    <td class="secret">
                                        {secret.map(|secret| view! { <code>{secret}</code> })}
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view();
                    view! {
                        <section class="demo" aria-labelledby="demo-title" data-testid="demo-logins">
                            <h2 id="demo-title">{tr(Msg::DemoTitle)}</h2>
                            <p>{tr(Msg::DemoExplain)}</p>
                            <div class="table-scroll">
                                <table>
                                    <thead>
                                        <tr>
                                            <th scope="col">{tr(Msg::DemoRole)}</th>
                                            <th scope="col">{tr(Msg::DemoLogin)}</th>
                                            <th scope="col">{tr(Msg::DemoPassword)}</th>
                                            <th scope="col">{tr(Msg::DemoCode)}</th>
                                            <th scope="col">{tr(Msg::DemoSecret)}</th>
                                        </tr>
                                    </thead>
                                    <tbody>{rows}</tbody>
                                </table>
                            </div>
                            <button
                                type="button"
                                class="button"
                                data-testid="demo-refresh"
                                on:click=move |_| refresh.update(|count| *count += 1)
                            >
                                {tr(Msg::DemoRefreshCodes)}
                            </button>
                        </section>
                    }
                })
            })}
        </Transition>
    }
}
