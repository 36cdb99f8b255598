//! Sign-in (password, then for staff the authenticator code, enrolling it on first sign-in) and
//! applicant registration.

use leptos::prelude::*;
use leptos_router::components::A;

use super::common::{action_error, tr};
use super::platform;
use crate::api::{AppError, Login, LoginOutcome, LoginTotp, Register};
use crate::domain::{LoginId, NewPassword, PersonName, Problem};
use crate::i18n::{Msg, problem_text};

#[derive(Clone, PartialEq)]
enum Step {
    Password,
    Totp {
        challenge: String,
    },
    Enrol {
        challenge: String,
        secret: String,
        qr_svg: String,
    },
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let login = ServerAction::<Login>::new();
    let totp = ServerAction::<LoginTotp>::new();
    let step = RwSignal::new(Step::Password);
    Effect::new(move |_| match login.value().get() {
        Some(Ok(LoginOutcome::SignedIn { home })) => platform::go_to(&home),
        Some(Ok(LoginOutcome::NeedTotp { challenge })) => step.set(Step::Totp { challenge }),
        Some(Ok(LoginOutcome::EnrolTotp {
            challenge,
            secret,
            qr_svg,
            ..
        })) => step.set(Step::Enrol {
            challenge,
            secret,
            qr_svg,
        }),
        _ => {}
    });
    Effect::new(move |_| match totp.value().get() {
        Some(Ok(home)) => platform::go_to(&home),
        // The challenge expired or ran out of attempts: start again from the password.
        Some(Err(AppError::BadSecondFactor)) => step.set(Step::Password),
        _ => {}
    });
    let pending = move || login.pending().get() || totp.pending().get();

    view! {
        <section class="form-page" aria-labelledby="login-title">
            {move || match step.get() {
                Step::Password => view! {
                    <h1 id="login-title">{tr(Msg::LoginTitle)}</h1>
                    {action_error(login.value())}
                    {action_error(totp.value())}
                    <ActionForm action=login attr:class="form" attr:data-testid="login-form">
                        <label for="login">{tr(Msg::FieldLogin)}</label>
                        <input id="login" name="login" type="text" autocomplete="username" inputmode="email"
                            required aria-describedby="login-help"/>
                        <p id="login-help" class="help">{tr(Msg::FieldLoginHelp)}</p>
                        <label for="password">{tr(Msg::FieldPassword)}</label>
                        <input id="password" name="password" type="password" autocomplete="current-password" required/>
                        <button type="submit" class="button primary" disabled=pending>
                            {move || if pending() { Msg::Working } else { Msg::LoginSubmit }.text(super::use_lang().get())}
                        </button>
                    </ActionForm>
                    <p>{tr(Msg::LoginNoAccount)} " " <A href="/register">{tr(Msg::NavRegister)}</A></p>
                    <p class="help">{tr(Msg::LoginStaffNote)}</p>
                }.into_any(),
                Step::Totp { challenge } => view! {
                    <h1 id="login-title">{tr(Msg::TotpTitle)}</h1>
                    <p>{tr(Msg::TotpExplain)}</p>
                    {action_error(totp.value())}
                    <TotpForm action=totp challenge pending/>
                }.into_any(),
                Step::Enrol { challenge, secret, qr_svg } => view! {
                    <h1 id="login-title">{tr(Msg::TotpEnrolTitle)}</h1>
                    <p>{tr(Msg::TotpEnrolExplain)}</p>
                    <div class="qr" aria-hidden="true" inner_html=qr_svg></div>
                    <p>{tr(Msg::TotpSecretLabel)} ": " <code data-testid="totp-secret">{secret}</code></p>
                    {action_error(totp.value())}
                    <TotpForm action=totp challenge pending/>
                }.into_any(),
            }}
        </section>
    }
}

#[component]
fn TotpForm(
    action: ServerAction<LoginTotp>,
    challenge: String,
    pending: impl Fn() -> bool + Send + Sync + Copy + 'static,
) -> impl IntoView {
    view! {
        <ActionForm action attr:class="form" attr:data-testid="totp-form">
            <input type="hidden" name="challenge" value=challenge/>
            <label for="code">{tr(Msg::FieldTotpCode)}</label>
            <input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code"
                pattern="[0-9 ]*" maxlength="7" required aria-describedby="code-help"/>
            <p id="code-help" class="help">{tr(Msg::FieldTotpHelp)}</p>
            <button type="submit" class="button primary" disabled=pending>{tr(Msg::TotpSubmit)}</button>
        </ActionForm>
    }
}

/// An inline message under a field, checked in the browser with the same parser the server
/// uses; the server stays the authority.
#[component]
fn FieldProblem(id: &'static str, problem: RwSignal<Option<Problem>>) -> impl IntoView {
    let lang = super::use_lang();
    view! {
        <p id=id class="field-error" aria-live="polite">
            {move || problem.get().map(|problem| problem_text(problem, lang.get()))}
        </p>
    }
}

#[component]
pub fn RegisterPage() -> impl IntoView {
    let register = ServerAction::<Register>::new();
    Effect::new(move |_| {
        if let Some(Ok(home)) = register.value().get() {
            platform::go_to(&home);
        }
    });
    let pending = register.pending();
    let login_value = RwSignal::new(String::new());
    let login_problem = RwSignal::new(None::<Problem>);
    let name_problem = RwSignal::new(None::<Problem>);
    let password_problem = RwSignal::new(None::<Problem>);
    let check_login = move |value: String| {
        login_problem.set(LoginId::parse(&value).err());
        login_value.set(value);
    };
    let check_name = move |value: String| name_problem.set(PersonName::parse(&value).err());
    // Checked while typing, not on leaving the field: a message appearing when the field loses
    // focus would move the submit button under the pointer and swallow the click.
    let check_password = move |value: String| {
        let login = LoginId::parse(&login_value.get_untracked()).ok();
        password_problem.set(NewPassword::parse(&value, login.as_ref().map(LoginId::as_str)).err());
    };
    view! {
        <section class="form-page" aria-labelledby="register-title">
            <h1 id="register-title">{tr(Msg::RegisterTitle)}</h1>
            <p class="help">{tr(Msg::RegisterNote)}</p>
            {action_error(register.value())}
            <ActionForm action=register attr:class="form" attr:data-testid="register-form">
                <label for="login">{tr(Msg::FieldLogin)}</label>
                <input id="login" name="login" type="text" autocomplete="username" required
                    aria-describedby="login-help login-problem"
                    aria-invalid=move || login_problem.get().is_some().to_string()
                    on:change=move |event| check_login(event_target_value(&event))/>
                <p id="login-help" class="help">{tr(Msg::FieldLoginHelp)}</p>
                <FieldProblem id="login-problem" problem=login_problem/>
                <label for="display_name">{tr(Msg::FieldDisplayName)}</label>
                <input id="display_name" name="display_name" type="text" autocomplete="name" required maxlength="50"
                    aria-describedby="name-problem"
                    aria-invalid=move || name_problem.get().is_some().to_string()
                    on:change=move |event| check_name(event_target_value(&event))/>
                <FieldProblem id="name-problem" problem=name_problem/>
                <label for="password">{tr(Msg::FieldPassword)}</label>
                <input id="password" name="password" type="password" autocomplete="new-password" required
                    aria-describedby="password-help password-problem"
                    aria-invalid=move || password_problem.get().is_some().to_string()
                    on:input=move |event| check_password(event_target_value(&event))/>
                <p id="password-help" class="help">{tr(Msg::FieldPasswordHelp)}</p>
                <FieldProblem id="password-problem" problem=password_problem/>
                <button type="submit" class="button primary" disabled=move || pending.get()>{tr(Msg::RegisterSubmit)}</button>
            </ActionForm>
            <p>{tr(Msg::RegisterHaveAccount)} " " <A href="/login">{tr(Msg::NavLogin)}</A></p>
        </section>
    }
}
