//! The account page: change one's password (other sessions end).

use leptos::prelude::*;

use super::common::{Guarded, action_error, tr};
use crate::access::Access;
use crate::api::ChangePassword;
use crate::i18n::Msg;

#[component]
pub fn AccountPage() -> impl IntoView {
    let change = ServerAction::<ChangePassword>::new();
    view! {
        <Guarded access=Access::SignedIn children=move |_user| view! {
            <section class="form-page" aria-labelledby="account-title">
                <h1 id="account-title">{tr(Msg::AccountTitle)}</h1>
                <h2>{tr(Msg::ChangePasswordTitle)}</h2>
                {action_error(change.value())}
                <Show when=move || matches!(change.value().get(), Some(Ok(())))>
                    <p class="success" role="status">{tr(Msg::PasswordChanged)}</p>
                </Show>
                <ActionForm action=change attr:class="form">
                    <label for="current_password">{tr(Msg::CurrentPassword)}</label>
                    <input id="current_password" name="current_password" type="password" autocomplete="current-password" required/>
                    <label for="new_password">{tr(Msg::FieldNewPassword)}</label>
                    <input id="new_password" name="new_password" type="password" autocomplete="new-password" required
                        minlength="10" aria-describedby="new-password-help"/>
                    <p id="new-password-help" class="help">{tr(Msg::FieldPasswordHelp)}</p>
                    <button type="submit" class="button primary">{tr(Msg::ChangePasswordSubmit)}</button>
                </ActionForm>
            </section>
        }/>
    }
}
