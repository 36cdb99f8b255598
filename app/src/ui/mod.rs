//! The Leptos UI: the HTML shell, the application frame (header, navigation, language switch)
//! and the routes. Pages live in the submodules.

mod account;
mod admin;
mod applicant;
mod auth;
mod back_office;
mod catalogue;
mod catalogue_editor;
mod common;
mod home;
mod issuance;
pub mod platform;
mod statistics;
mod workspaces;

use leptos::prelude::*;
use leptos_meta::{Html, MetaTags, Title, provide_meta_context};
use leptos_router::components::{A, Route, Router, Routes};
use leptos_router::{SsrMode, path};

use crate::access::PAGES;
use crate::api::{AppError, SessionUser, current_user};
use crate::i18n::Msg;

pub use common::{tr, use_lang};

/// The signed-in user, loaded once per page and shared by every component.
#[derive(Clone, Copy)]
pub struct UserResource(pub Resource<Result<Option<SessionUser>, AppError>>);

pub fn use_user() -> Resource<Result<Option<SessionUser>, AppError>> {
    expect_context::<UserResource>().0
}

/// The HTML document the server renders around the app.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    platform::set_page_csp();
    view! {
        <!DOCTYPE html>
        <html>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light"/>
                <link rel="icon" href="/favicon.ico"/>
                <link rel="stylesheet" href="/pkg/bjm.css"/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let lang = RwSignal::new(platform::initial_lang());
    provide_context(lang);
    let user = Resource::new(|| (), |_| current_user());
    provide_context(UserResource(user));

    view! {
        <Html attr:lang=move || lang.get().tag()/>
        <Title text=move || Msg::AppName.text(lang.get())/>
        <Router>
            <a class="skip-link" href="#main">{tr(Msg::SkipToContent)}</a>
            <Header/>
            <main id="main" tabindex="-1">
                <Routes fallback=|| view! { <common::NotFound/> }>
                    <Route path=path!("/") view=home::HomePage ssr=SsrMode::Async/>
                    <Route path=path!("/login") view=auth::LoginPage ssr=SsrMode::Async/>
                    <Route path=path!("/register") view=auth::RegisterPage ssr=SsrMode::Async/>
                    <Route path=path!("/catalogue") view=catalogue::CataloguePage ssr=SsrMode::Async/>
                    <Route path=path!("/catalogue/items/:code") view=catalogue::ItemGuidePage ssr=SsrMode::Async/>
                    <Route path=path!("/catalogue/bundles/:code") view=catalogue::BundleGuidePage ssr=SsrMode::Async/>
                    <Route path=path!("/my/cases") view=applicant::MyApplicationsPage ssr=SsrMode::Async/>
                    <Route path=path!("/my/cases/:number") view=applicant::CasePage ssr=SsrMode::Async/>
                    <Route path=path!("/apply/:draft") view=applicant::ApplicationPage ssr=SsrMode::Async/>
                    <Route path=path!("/desk") view=workspaces::DeskPage ssr=SsrMode::Async/>
                    <Route path=path!("/desk/cases/:number") view=back_office::DeskCasePage ssr=SsrMode::Async/>
                    <Route path=path!("/approvals") view=workspaces::ApprovalsPage ssr=SsrMode::Async/>
                    <Route path=path!("/approvals/tasks/:id") view=back_office::TaskPage ssr=SsrMode::Async/>
                    <Route path=path!("/inspections") view=workspaces::InspectionsPage ssr=SsrMode::Async/>
                    <Route path=path!("/inspections/:id") view=issuance::InspectionTaskPage ssr=SsrMode::Async/>
                    <Route path=path!("/verify") view=issuance::VerifyPage ssr=SsrMode::Async/>
                    <Route path=path!("/statistics") view=statistics::StatisticsPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/statistics") view=statistics::StatisticsDashboardPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin") view=admin::AdminPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/catalogue") view=catalogue_editor::CatalogueAdminPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/catalogue/items/:code") view=catalogue_editor::ItemEditorPage ssr=SsrMode::Async/>
                    <Route path=path!("/admin/catalogue/bundles/:code") view=catalogue_editor::BundleEditorPage ssr=SsrMode::Async/>
                    <Route path=path!("/account") view=account::AccountPage ssr=SsrMode::Async/>
                </Routes>
            </main>
            <footer class="site-footer">
                <p>{tr(Msg::FooterText)}</p>
            </footer>
        </Router>
    }
}

/// Brand, the navigation the role may use, the language switch, and sign-in or sign-out.
#[component]
fn Header() -> impl IntoView {
    let lang = use_lang();
    let user = use_user();
    let logout_action = ServerAction::<crate::api::Logout>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = logout_action.value().get() {
            platform::go_to("/");
        }
    });
    view! {
        <header class="site-header">
            <div class="brand">
                <A href="/">
                    <span class="brand-mark" aria-hidden="true">"审"</span>
                    <span class="brand-name">{tr(Msg::AppName)}</span>
                </A>
            </div>
            <nav aria-label=move || Msg::MainNavigation.text(lang.get())>
                <ul class="nav-list">
                    <Transition fallback=|| ()>
                        {move || Suspend::new(async move {
                            let user = user.await.ok().flatten();
                            let role = user.as_ref().map(|user| user.role);
                            let unread = user.as_ref().map_or(0, |user| user.unread_notifications);
                            let links = PAGES
                                .iter()
                                .filter(|page| page.access.allows(role))
                                .map(|page| {
                                    let label = page.nav_label;
                                    // The unread badge sits beside 我的办件, where notifications are.
                                    let badge = (page.path == "/my/cases" && unread > 0).then(|| view! {
                                        " " <span class="badge unread" data-testid="nav-unread">
                                            {unread}
                                            <span class="visually-hidden">{tr(Msg::NotificationsUnread)}</span>
                                        </span>
                                    });
                                    view! { <li><A href=page.path>{tr(label)} {badge}</A></li> }
                                })
                                .collect_view();
                            let session = match user {
                                Some(user) => view! {
                                    <li class="nav-user">
                                        <span class="visually-hidden">{tr(Msg::SignedInAs)}</span>
                                        <span data-testid="current-user">{user.display_name.clone()}</span>
                                    </li>
                                    <li>
                                        <ActionForm action=logout_action>
                                            <button type="submit" class="link-button" data-testid="logout">
                                                {tr(Msg::NavLogout)}
                                            </button>
                                        </ActionForm>
                                    </li>
                                }
                                .into_any(),
                                None => view! {
                                    <li><A href="/login">{tr(Msg::NavLogin)}</A></li>
                                    <li><A href="/register">{tr(Msg::NavRegister)}</A></li>
                                }
                                .into_any(),
                            };
                            view! { {links} {session} }
                        })}
                    </Transition>
                </ul>
            </nav>
            <button
                type="button"
                class="lang-switch"
                data-testid="lang-switch"
                lang=move || lang.get().other().tag()
                aria-label=move || Msg::SwitchLanguageLabel.text(lang.get())
                on:click=move |_| {
                    let next = lang.get_untracked().other();
                    lang.set(next);
                    platform::store_lang(next);
                }
            >
                {tr(Msg::SwitchLanguage)}
            </button>
        </header>
    }
}
