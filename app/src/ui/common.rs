//! Small building blocks used by every page: translated text, the error list, the access guard,
//! and the 403 / 401 / 404 pages.

use leptos::prelude::*;
use leptos_router::components::A;

use super::{platform, use_user};
use crate::access::Access;
use crate::api::{AppError, SessionUser};
use crate::i18n::{Lang, Msg};

pub fn use_lang() -> RwSignal<Lang> {
    expect_context::<RwSignal<Lang>>()
}

/// A reactive translated string: re-renders when the language changes.
pub fn tr(msg: Msg) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    let lang = use_lang();
    move || msg.text(lang.get())
}

/// Every message of an error, announced to screen readers.
#[component]
pub fn ErrorList(error: AppError) -> impl IntoView {
    let lang = use_lang();
    let has_fields = !error.field_errors().is_empty();
    view! {
        <div class="error-box" role="alert" data-testid="form-error">
            <Show when=move || has_fields>
                <p>{tr(Msg::FormHasErrors)}</p>
            </Show>
            <ul>
                {move || {
                    error.messages(lang.get()).into_iter().map(|line| view! { <li>{line}</li> }).collect_view()
                }}
            </ul>
        </div>
    }
}

/// Shows the error of the last submission of an action, if any.
pub fn action_error<T, S>(value: S) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    S: Get<Value = Option<Result<T, AppError>>> + Send + Sync + 'static,
{
    move || match value.get() {
        Some(Err(error)) => Some(view! { <ErrorList error/> }),
        _ => None,
    }
}

/// Renders `children` with the signed-in user when `access` allows it; otherwise the 401 or 403
/// page, with that HTTP status.
#[component]
pub fn Guarded<F, V>(access: Access, children: F) -> impl IntoView
where
    F: Fn(SessionUser) -> V + Send + Sync + Clone + 'static,
    V: IntoView + 'static,
{
    let user = use_user();
    view! {
        <Suspense fallback=|| view! { <p class="loading">{tr(Msg::Loading)}</p> }>
            {
                let children = children.clone();
                move || {
                    let children = children.clone();
                    Suspend::new(async move {
                        match user.await {
                            Ok(Some(user)) if access.allows(Some(user.role)) => children(user).into_any(),
                            Ok(Some(user)) => {
                                platform::set_page_status(403);
                                view! { <Forbidden home=user.role.home_path()/> }.into_any()
                            }
                            Ok(None) => {
                                platform::set_page_status(401);
                                view! { <Unauthenticated/> }.into_any()
                            }
                            Err(error) => {
                                platform::set_page_status(error.status());
                                view! { <ErrorList error/> }.into_any()
                            }
                        }
                    })
                }
            }
        </Suspense>
    }
}

#[component]
pub fn Forbidden(home: &'static str) -> impl IntoView {
    view! {
        <section class="status-page" data-testid="forbidden" aria-labelledby="status-title">
            <h1 id="status-title">{tr(Msg::ForbiddenTitle)}</h1>
            <p>{tr(Msg::ForbiddenBody)}</p>
            <p><A href=home>{tr(Msg::BackToWorkspace)}</A></p>
        </section>
    }
}

#[component]
pub fn Unauthenticated() -> impl IntoView {
    view! {
        <section class="status-page" data-testid="unauthenticated" aria-labelledby="status-title">
            <h1 id="status-title">{tr(Msg::UnauthenticatedTitle)}</h1>
            <p>{tr(Msg::UnauthenticatedBody)}</p>
            <p><A href="/login">{tr(Msg::NavLogin)}</A></p>
        </section>
    }
}

#[component]
pub fn NotFound() -> impl IntoView {
    platform::set_page_status(404);
    view! {
        <section class="status-page" data-testid="not-found" aria-labelledby="status-title">
            <h1 id="status-title">{tr(Msg::NotFoundTitle)}</h1>
            <p>{tr(Msg::NotFoundBody)}</p>
            <p><A href="/">{tr(Msg::BackToHome)}</A></p>
        </section>
    }
}
