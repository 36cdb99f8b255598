//! The account page: an applicant's identity verification (L1 code, L2 registry match) and
//! credit status; changing one's password (other sessions end).

use leptos::prelude::*;

use super::common::{ErrorList, Guarded, action_error, tr, use_lang};
use crate::access::Access;
use crate::api::{
    AppError, ChangePassword, ConfirmContact, DeliveryNote, IdentityStatus, RequestPersonCheck,
    SendContactCode, VerifyResident, load_identity_status,
};
use crate::domain::Role;
use crate::domain::case::CreditLevel;
use crate::i18n::{Msg, credit_finding_text, identity_level_name};

#[component]
pub fn AccountPage() -> impl IntoView {
    let change = ServerAction::<ChangePassword>::new();
    view! {
        <Guarded access=Access::SignedIn children=move |user| view! {
            <section class="form-page" aria-labelledby="account-title">
                <h1 id="account-title">{tr(Msg::AccountTitle)}</h1>
                {(user.role == Role::Applicant).then(|| view! { <IdentitySection/> })}
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

/// Identity verification, step by step, with the credit check of the verified person.
#[component]
fn IdentitySection() -> impl IntoView {
    let send = ServerAction::<SendContactCode>::new();
    let confirm = ServerAction::<ConfirmContact>::new();
    let verify = ServerAction::<VerifyResident>::new();
    let reload = RwSignal::new(0_u32);
    let status = Resource::new(
        move || {
            (
                confirm.version().get(),
                verify.version().get(),
                reload.get(),
            )
        },
        |_| load_identity_status(),
    );
    view! {
        <section class="identity" aria-labelledby="identity-title" data-testid="identity">
            <h2 id="identity-title">{tr(Msg::IdentityTitle)}</h2>
            <Transition fallback=|| view! { <p class="loading">{tr(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match status.await {
                        Ok(status) => view! { <IdentitySteps status send confirm verify reload/> }.into_any(),
                        Err(error) => view! { <ErrorList error/> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn IdentitySteps(
    status: IdentityStatus,
    send: ServerAction<SendContactCode>,
    confirm: ServerAction<ConfirmContact>,
    verify: ServerAction<VerifyResident>,
    reload: RwSignal<u32>,
) -> impl IntoView {
    let lang = use_lang();
    let level = status.level;
    let note = status.delivery_note;
    let contact = status.contact_masked.clone();
    let findings = status.credit_findings.clone();
    let credit = status.credit_level;
    let resident_done = status
        .resident_id_masked
        .clone()
        .zip(status.legal_name_masked.clone());
    view! {
        <p>{tr(Msg::IdentityLevelNow)} ": "
            <strong data-testid="identity-level">{move || level.map_or_else(
                || Msg::IdentityNone.text(lang.get()).to_owned(),
                |level| identity_level_name(level, lang.get()).to_owned(),
            )}</strong>
        </p>
        <h3>{tr(Msg::IdentityStepContact)}</h3>
        {if status.contact_confirmed {
            view! { <p class="done" data-testid="contact-confirmed">"✓ " {tr(Msg::IdentityDone)} " · " {contact.clone()}</p> }.into_any()
        } else {
            view! {
                {action_error(send.value())}
                {move || send.value().get().and_then(Result::ok).map(|sent| view! {
                    <p role="status" data-testid="code-sent">{move || crate::i18n::code_sent_text(&sent.destination_masked, sent.valid_minutes, lang.get())}</p>
                })}
                {note.map(|note| view! {
                    <p class="notice">{tr(match note {
                        DeliveryNote::SmsToLog => Msg::DeliveryNoteSms,
                        DeliveryNote::MailToFiles => Msg::DeliveryNoteMail,
                    })}</p>
                })}
                <ActionForm action=send>
                    <button type="submit" class="button" data-testid="send-code" disabled=move || send.pending().get()>
                        {move || if send.value().get().is_some() { tr(Msg::SendCodeAgain)() } else { tr(Msg::SendCode)() }}
                    </button>
                </ActionForm>
                {action_error(confirm.value())}
                <ActionForm action=confirm attr:class="form">
                    <label for="code">{tr(Msg::FieldOneTimeCode)}</label>
                    <input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" maxlength="7" required/>
                    <button type="submit" class="button primary" data-testid="confirm-code">{tr(Msg::ConfirmCode)}</button>
                </ActionForm>
            }.into_any()
        }}
        <h3>{tr(Msg::IdentityStepResident)}</h3>
        {match (resident_done, status.contact_confirmed) {
            (Some((id, name)), _) => view! {
                <p class="done" data-testid="resident-verified">"✓ " {tr(Msg::IdentityDone)} " · " {name} " · " {id}</p>
            }.into_any(),
            (None, false) => view! { <p class="help">{tr(Msg::IdentityNeedStep1)}</p> }.into_any(),
            (None, true) => view! {
                {action_error(verify.value())}
                <ActionForm action=verify attr:class="form" attr:data-testid="verify-resident">
                    <label for="legal_name">{tr(Msg::FieldLegalName)}</label>
                    <input id="legal_name" name="legal_name" type="text" autocomplete="name" required/>
                    <label for="resident_id">{tr(Msg::FieldResidentId)}</label>
                    <input id="resident_id" name="resident_id" type="text" autocomplete="off" maxlength="18" required
                        aria-describedby="resident-id-help"/>
                    <p id="resident-id-help" class="help">{tr(Msg::ResidentIdHelp)}</p>
                    <button type="submit" class="button primary">{tr(Msg::VerifyResident)}</button>
                </ActionForm>
            }.into_any(),
        }}
        <h3>{tr(Msg::IdentityStepPerson)}</h3>
        <PersonCheck status=status.clone() reload/>
        <h3>{tr(Msg::CreditTitle)}</h3>
        <div data-testid="credit-status" data-level=credit.code()>
            {match (credit, level) {
                (_, None | Some(crate::domain::catalogue::IdentityLevel::L1)) => view! { <p class="help">{tr(Msg::CreditNotYet)}</p> }.into_any(),
                (CreditLevel::Clear, _) => view! { <p class="done">{tr(Msg::CreditClear)}</p> }.into_any(),
                (level, _) => view! {
                    <p class="notice">{tr(if level == CreditLevel::Block { Msg::CreditBlock } else { Msg::CreditWarn })}</p>
                    <ul>{findings.into_iter().map(|finding| view! {
                        <li>{move || credit_finding_text(&finding, lang.get())}</li>
                    }).collect_view()}</ul>
                    <p class="help">{tr(Msg::CreditAppealHow)}</p>
                }.into_any(),
            }}
        </div>
    }
}

/// Step 3: photos of the ID card and of the face, then the request; or where it stands.
#[component]
fn PersonCheck(status: IdentityStatus, reload: RwSignal<u32>) -> impl IntoView {
    let lang = use_lang();
    let request = ServerAction::<RequestPersonCheck>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = request.value().get() {
            reload.update(|count| *count += 1);
        }
    });
    if status.person_checked {
        return view! { <p class="done" data-testid="person-checked">"✓ " {tr(Msg::IdentityDone)}</p> }.into_any();
    }
    if status.resident_id_masked.is_none() {
        return view! { <p class="help">{tr(Msg::SignNeedsIdentity)}</p> }.into_any();
    }
    if status
        .person_check
        .as_ref()
        .is_some_and(|check| check.status == "pending")
    {
        return view! { <p class="notice" data-testid="person-check-pending">{tr(Msg::PersonCheckPending)}</p> }.into_any();
    }
    let refused = status
        .person_check
        .as_ref()
        .filter(|check| check.status == "refused")
        .and_then(|check| check.reason.clone());
    let error = RwSignal::new(None::<AppError>);
    let photo_input = move |kind: &'static str, label: Msg, uploaded: Option<String>| {
        let input_id = format!("photo-{kind}");
        let uploaded = RwSignal::new(uploaded);
        let uploading = RwSignal::new(false);
        let on_change = {
            let input_id = input_id.clone();
            move |_| {
                let input_id = input_id.clone();
                uploading.set(true);
                leptos::task::spawn_local(async move {
                    let url = format!("/files/identity-photo?kind={kind}");
                    match super::platform::upload_chosen_file::<serde_json::Value>(&input_id, &url)
                        .await
                    {
                        Some(Ok(answer)) => {
                            uploaded.set(answer["id"].as_str().map(str::to_owned));
                            error.set(None);
                        }
                        Some(Err(failure)) => error.set(Some(failure)),
                        None => {}
                    }
                    uploading.set(false);
                });
            }
        };
        view! {
            <div class="material" data-testid=format!("photo-{kind}")>
                <label for=input_id.clone()>{tr(label)}</label>
                {move || uploaded.get().map(|id| view! {
                    <img class="thumb" src=format!("/files/identity/{id}") alt=move || label.text(lang.get())/>
                    <span class="done">{tr(Msg::PersonCheckUploaded)}</span>
                })}
                <input type="file" id=input_id accept=".jpg,.jpeg,.png,image/jpeg,image/png"
                    disabled=move || uploading.get() on:change=on_change/>
                <Show when=move || uploading.get()>
                    <p class="help" role="status">{tr(Msg::ApplyUploading)}</p>
                </Show>
            </div>
        }
    };
    view! {
        {refused.map(|reason| view! { <p class="notice" data-testid="person-check-refused">{tr(Msg::PersonCheckRefused)} " " {reason}</p> })}
        <p class="help">{tr(Msg::PersonCheckExplain)}</p>
        {photo_input("id_card", Msg::PersonCheckIdCard, status.id_card_photo.clone())}
        {photo_input("selfie", Msg::PersonCheckSelfie, status.selfie_photo.clone())}
        {move || error.get().map(|error| view! { <ErrorList error/> })}
        {action_error(request.value())}
        <ActionForm action=request>
            <button type="submit" class="button" data-testid="request-person-check">{tr(Msg::PersonCheckRequest)}</button>
        </ActionForm>
    }
    .into_any()
}
