//! Issuance and delivery pages: the holder's licences and delivery choice on the case page,
//! the public verification page `/verify`, the inspectors' workbench, the front desk's paper
//! queue and pickup, and the administrator's revocation and feed tokens.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::catalogue::text_in;
use super::catalogue_editor::format_time;
use super::common::{ErrorList, Guarded, action_error, tr, use_lang};
use crate::access;
use crate::api::{
    AppError, ChooseDelivery, CreateFeedToken, DeliveryInput, InspectionInput, IssuanceView,
    PickupLicence, RecordCourierOutcome, RecordDispatch, RecordInspection, RevokeLicence,
    Verification, inspection_queue, inspection_task, paper_queue, verify_licence,
};
use crate::domain::licence::{DeliveryChoice, VerificationStatus};
use crate::i18n::{Lang, Msg};

fn delivery_text(choice: DeliveryChoice, lang: Lang) -> &'static str {
    match choice {
        DeliveryChoice::Electronic => Msg::DeliveryElectronic.text(lang),
        DeliveryChoice::Courier => Msg::DeliveryChoiceCourier.text(lang),
        DeliveryChoice::Pickup => Msg::DeliveryChoicePickup.text(lang),
    }
}

fn inspection_status_text(status: &str, lang: Lang) -> &'static str {
    match status {
        "open" => Msg::InspectionOpen.text(lang),
        "rectifying" => Msg::InspectionRectifying.text(lang),
        "compliant" => Msg::InspectionCompliant.text(lang),
        "revoked" => Msg::InspectionRevoked.text(lang),
        _ => Msg::EventOther.text(lang),
    }
}

fn verification_text(status: VerificationStatus, lang: Lang) -> &'static str {
    match status {
        VerificationStatus::Valid => Msg::VerifyValid.text(lang),
        VerificationStatus::Revoked => Msg::VerifyRevoked.text(lang),
        VerificationStatus::Expired => Msg::VerifyExpired.text(lang),
        VerificationStatus::NotAuthentic => Msg::VerifyNotAuthentic.text(lang),
    }
}

/// The licences of the applicant's case, their delivery and any inspection (loaded with the
/// case, so the page renders the same on the server and in the browser).
#[component]
pub fn IssuanceSection(number: String, issuance: IssuanceView) -> impl IntoView {
    let lang = use_lang();
    let choose = ServerAction::<ChooseDelivery>::new();
    let number = StoredValue::new(number);
    let IssuanceView {
        licences,
        delivery,
        inspections,
    } = issuance;
    let Some(initial) = delivery else {
        return ().into_any();
    };
    let delivery = RwSignal::new(initial.clone());
    Effect::new(move || {
        if let Some(Ok(updated)) = choose.value().get() {
            delivery.set(updated);
        }
    });
    let mode = RwSignal::new(initial.mode);
    let recipient = RwSignal::new(initial.recipient_name.clone().unwrap_or_default());
    let phone = RwSignal::new(initial.recipient_phone.clone().unwrap_or_default());
    let address = RwSignal::new(initial.address.clone().unwrap_or_default());
    let centre = RwSignal::new(
        initial
            .pickup_centre
            .as_ref()
            .map(|centre| centre.code.clone())
            .unwrap_or_default(),
    );
    let offered = StoredValue::new(initial.offered.clone());
    let centres = StoredValue::new(initial.centres.clone());
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        choose.dispatch(ChooseDelivery {
            number: number.get_value(),
            choice: DeliveryInput {
                mode: mode.get_untracked(),
                recipient_name: recipient.get_untracked(),
                recipient_phone: phone.get_untracked(),
                address: address.get_untracked(),
                pickup_centre: centre.get_untracked(),
            },
        });
    };
    view! {
        <section class="issuance" aria-labelledby="licences-title" data-testid="licences">
            <h2 id="licences-title">{tr(Msg::LicencesTitle)}</h2>
            {licences.is_empty().then(|| view! { <p class="empty-state">{tr(Msg::LicencesNone)}</p> })}
            <ul class="licences">
                {licences.into_iter().map(|licence| {
                    let name = licence.name.clone();
                    let revoked = licence.revoked_at.is_some();
                    view! {
                        <li data-testid="licence" data-number=licence.number.clone() data-revoked=revoked.to_string()>
                            <strong>{move || text_in(&name, lang.get())}</strong>
                            " " <span>{licence.number.clone()}</span>
                            {licence.credit_code.clone().map(|code| view! { <span class="meta">" · " {tr(Msg::LicenceCreditCode)} " " {code}</span> })}
                            <p class="meta">{tr(Msg::LicenceValidity)} " " {licence.valid_from.clone()} " – "
                                {licence.valid_until.clone().unwrap_or_else(|| "∞".into())}</p>
                            {licence.revoked_reason.clone().map(|reason| view! {
                                <p class="notice" role="status">{tr(Msg::LicenceRevoked)} ": " {reason}</p>
                            })}
                            <p>
                                <a class="button" href=format!("/files/licence/{}", licence.id) download data-testid="licence-download">{tr(Msg::LicenceDownload)}</a>
                                " "
                                <a href=licence.verify_path.clone() rel="external" data-testid="licence-verify">{tr(Msg::LicenceVerifyLink)}</a>
                            </p>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <section aria-labelledby="delivery-title" data-testid="delivery">
                <h3 id="delivery-title">{tr(Msg::DeliveryTitle)}</h3>
                <p>{tr(Msg::FieldDeliveryMode)} ": " <strong data-testid="delivery-mode">{move || delivery_text(delivery.read().mode, lang.get())}</strong></p>
                {move || {
                    let current = delivery.get();
                    view! {
                        {current.pickup_code.clone().map(|code| view! {
                            <p class="success">{tr(Msg::FieldPickupCode)} ": " <strong data-testid="pickup-code">{code}</strong>
                                {current.pickup_centre.clone().map(|centre| view! { " · " {move || text_in(&centre.name, lang.get())} " · " {centre.address.clone()} })}
                            </p>
                        })}
                        {current.tracking_number.clone().map(|tracking| view! {
                            <p>{tr(Msg::FieldCarrier)} ": " {current.carrier.clone()} " · " {tr(Msg::FieldTrackingNumber)} ": "
                                <strong data-testid="tracking-number">{tracking}</strong></p>
                        })}
                        {current.picked_up_at.map(|at| view! { <p class="success">{tr(Msg::DeliveryPickedUp)} " " {format_time(at)}</p> })}
                    }
                }}
                <Show when=move || delivery.read().changeable>
                    <form class="form" on:submit=submit data-testid="delivery-form">
                        <fieldset>
                            <legend>{tr(Msg::DeliveryChoose)}</legend>
                            {offered.get_value().into_iter().map(|choice| {
                                view! {
                                    <label class="choice">
                                        <input type="radio" name="mode" value=choice.code()
                                            prop:checked=move || mode.get() == choice
                                            on:change=move |_| mode.set(choice)/>
                                        {move || delivery_text(choice, lang.get())}
                                    </label>
                                }
                            }).collect_view()}
                        </fieldset>
                        <Show when=move || mode.get() == DeliveryChoice::Courier>
                            <label for="delivery-recipient">{tr(Msg::FieldRecipientName)}</label>
                            <input id="delivery-recipient" autocomplete="name" maxlength="50" bind:value=recipient/>
                            <label for="delivery-phone">{tr(Msg::FieldRecipientPhone)}</label>
                            <input id="delivery-phone" type="tel" autocomplete="tel" bind:value=phone/>
                            <label for="delivery-address">{tr(Msg::FieldAddress)}</label>
                            <textarea id="delivery-address" rows="2" maxlength="200" autocomplete="street-address" bind:value=address></textarea>
                        </Show>
                        <Show when=move || mode.get() == DeliveryChoice::Pickup>
                            <label for="delivery-centre">{tr(Msg::FieldPickupCentre)}</label>
                            <select id="delivery-centre" on:change=move |event| centre.set(event_target_value(&event)) prop:value=move || centre.get()>
                                <option value="">{tr(Msg::ChooseOne)}</option>
                                {centres.get_value().iter().map(|choice| {
                                    let name = choice.name.clone();
                                    view! { <option value=choice.code.clone()>{move || text_in(&name, lang.get())}</option> }
                                }).collect_view()}
                            </select>
                        </Show>
                        <button type="submit" class="button primary">{tr(Msg::DeliverySave)}</button>
                    </form>
                </Show>
                {action_error(choose.value())}
            </section>
            {(!inspections.is_empty()).then(|| view! {
                <section aria-labelledby="inspections-title" data-testid="case-inspections">
                    <h3 id="inspections-title">{tr(Msg::InspectionsOfCase)}</h3>
                    <ul>
                        {inspections.into_iter().map(|inspection| {
                            let status = inspection.status.clone();
                            view! {
                                <li data-status=inspection.status.clone()>
                                    {inspection.licence_number.clone()} " · " {move || inspection_status_text(&status, lang.get())}
                                    {inspection.rectify_by.clone().map(|day| view! { " · " {tr(Msg::FieldRectifyBy)} " " {day} })}
                                    {inspection.findings.clone().map(|findings| view! { <p class="notice">{findings}</p> })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                </section>
            })}
        </section>
    }
    .into_any()
}

/// One verification result, in words.
#[component]
fn VerificationResult(verification: Verification) -> impl IntoView {
    let lang = use_lang();
    let status = verification.status;
    view! {
        <section class=format!("verification {}", status.code()) role="status" aria-live="polite"
            data-testid="verify-result" data-status=status.code()>
            <h2>{move || verification_text(status, lang.get())}</h2>
            {verification.licence.map(|licence| {
                let name = crate::domain::catalogue::Text { zh: licence.name_zh.clone(), en: licence.name_en.clone() };
                let department = crate::domain::catalogue::Text {
                    zh: licence.issuing_department_zh.clone(),
                    en: licence.issuing_department_en.clone(),
                };
                view! {
                    <dl class="facts">
                        <dt>{tr(Msg::VerifyLicence)}</dt><dd>{move || text_in(&name, lang.get())}</dd>
                        <dt>{tr(Msg::VerifyNumber)}</dt><dd data-testid="verify-number">{licence.number.clone()}</dd>
                        <dt>{tr(Msg::VerifyHolder)}</dt><dd>{licence.holder.clone()}</dd>
                        {licence.credit_code.clone().map(|code| view! { <dt>{tr(Msg::LicenceCreditCode)}</dt><dd>{code}</dd> })}
                        <dt>{tr(Msg::LicenceValidity)}</dt>
                        <dd>{licence.valid_from.clone()} " – " {licence.valid_until.clone().unwrap_or_else(|| "∞".into())}</dd>
                        <dt>{tr(Msg::VerifyIssuer)}</dt><dd>{move || text_in(&department, lang.get())}</dd>
                        {licence.revoked_at.map(|at| view! {
                            <dt>{tr(Msg::VerifyRevokedAt)}</dt><dd>{format_time(at)}</dd>
                            <dt>{tr(Msg::VerifyRevokedWhy)}</dt><dd data-testid="verify-revoked-reason">{licence.revoked_reason.clone()}</dd>
                        })}
                    </dl>
                }
            })}
        </section>
    }
}

/// `/verify`: public. A scanned QR code opens it with the token; a checker may also paste a
/// token or upload the PDF.
#[component]
pub fn VerifyPage() -> impl IntoView {
    let query = use_query_map();
    let token = move || query.read().get("t").unwrap_or_default();
    let scanned = Resource::new(token, |token| async move {
        if token.is_empty() {
            None
        } else {
            Some(verify_licence(token).await)
        }
    });
    let uploaded = RwSignal::new(None::<Result<Verification, AppError>>);
    let upload = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        leptos::task::spawn_local(async move {
            let result = super::platform::upload_chosen_file::<Verification>(
                "verify-pdf",
                "/verify/pdf?from=page",
            )
            .await;
            if let Some(result) = result {
                uploaded.set(Some(result));
            }
        });
    };
    view! {
        <article class="verify" aria-labelledby="verify-title" data-testid="verify-page">
            <h1 id="verify-title">{tr(Msg::VerifyTitle)}</h1>
            <p class="help">{tr(Msg::VerifyHelp)}</p>
            <Suspense fallback=|| view! { <p class="loading">{tr(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match scanned.await {
                        Some(Ok(verification)) => view! { <VerificationResult verification/> }.into_any(),
                        Some(Err(error)) => view! { <ErrorList error/> }.into_any(),
                        None => ().into_any(),
                    }
                })}
            </Suspense>
            <form class="form" method="get" action="/verify">
                <label for="verify-token">{tr(Msg::VerifyPaste)}</label>
                <input id="verify-token" name="t" autocomplete="off" spellcheck="false"/>
                <button type="submit" class="button">{tr(Msg::VerifyCheck)}</button>
            </form>
            <form class="form" on:submit=upload>
                <label for="verify-pdf">{tr(Msg::VerifyUpload)}</label>
                <input id="verify-pdf" type="file" accept="application/pdf,.pdf"/>
                <button type="submit" class="button">{tr(Msg::VerifyCheck)}</button>
            </form>
            {move || match uploaded.get() {
                Some(Ok(verification)) => view! { <VerificationResult verification/> }.into_any(),
                Some(Err(error)) => view! { <ErrorList error/> }.into_any(),
                None => ().into_any(),
            }}
            <p class="help">{tr(Msg::VerifyOffline)} " " <a href="/.well-known/jwks.json">"/.well-known/jwks.json"</a></p>
        </article>
    }
}

/// The inspector's open tasks.
#[component]
pub fn InspectionQueue() -> impl IntoView {
    let lang = use_lang();
    let tasks = Resource::new(|| (), |_| inspection_queue());
    view! {
        <section aria-labelledby="inspection-queue-title" data-testid="inspection-queue">
            <h2 id="inspection-queue-title">{tr(Msg::InspectionQueueTitle)}</h2>
            <Transition fallback=|| view! { <p class="loading">{tr(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    let tasks = tasks.await.unwrap_or_default();
                    if tasks.is_empty() {
                        return view! { <p class="empty-state" role="status">{tr(Msg::InspectionsEmpty)}</p> }.into_any();
                    }
                    view! {
                        <ul class="queue">
                            {tasks.into_iter().map(|task| {
                                let name = task.licence_name.clone();
                                let status = task.status.clone();
                                view! {
                                    <li data-testid="inspection-entry" data-status=task.status.clone()>
                                        <A href=format!("/inspections/{}", task.id)>
                                            <strong>{task.holder.clone()}</strong> " · " {move || text_in(&name, lang.get())} " " {task.licence_number.clone()}
                                        </A>
                                        <span class="meta"> " · " {task.street.clone()} " · " {move || inspection_status_text(&status, lang.get())}
                                            " · " {tr(Msg::TaskDueOn)} " " {task.rectify_by.clone().unwrap_or(task.due_on.clone())}</span>
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

/// `/inspections/:id`: the commitment to check, the visits so far and the verdict form.
#[component]
pub fn InspectionTaskPage() -> impl IntoView {
    let lang = use_lang();
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let record = ServerAction::<RecordInspection>::new();
    let task = Resource::new(
        move || (id(), record.version().get()),
        |(id, _)| inspection_task(id),
    );
    let outcome = RwSignal::new(String::new());
    let findings = RwSignal::new(String::new());
    let rectify_by = RwSignal::new(String::new());
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        record.dispatch(RecordInspection {
            id: id(),
            visit: InspectionInput {
                outcome: outcome.get_untracked(),
                findings: findings.get_untracked(),
                rectify_by: rectify_by.get_untracked(),
            },
        });
    };
    view! {
        <Guarded access=access::INSPECTORS children=move |_| view! {
            <Transition fallback=|| view! { <p class="loading">{tr(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    let task = match task.await {
                        Ok(task) => task,
                        Err(error) => return view! { <ErrorList error/> }.into_any(),
                    };
                    let entry = task.entry.clone();
                    let name = entry.licence_name.clone();
                    let commitment = task.commitment.clone();
                    let status = entry.status.clone();
                    let open = entry.status == "open";
                    let rectifying = entry.status == "rectifying";
                    view! {
                        <article class="inspection" aria-labelledby="inspection-title" data-testid="inspection-task" data-status=entry.status.clone()>
                            <h1 id="inspection-title">{entry.holder.clone()} " · " {move || text_in(&name, lang.get())}</h1>
                            <dl class="facts">
                                <dt>{tr(Msg::VerifyNumber)}</dt><dd>{entry.licence_number.clone()}</dd>
                                <dt>{tr(Msg::CaseNumberLabel)}</dt><dd>{entry.case_number.clone()}</dd>
                                {task.business_address.clone().map(|address| view! { <dt>{tr(Msg::InspectionAddress)}</dt><dd>{address}</dd> })}
                                <dt>{tr(Msg::CaseStatusLabel)}</dt><dd>{move || inspection_status_text(&status, lang.get())}</dd>
                                <dt>{tr(Msg::TaskDueOn)}</dt><dd>{entry.rectify_by.clone().unwrap_or(entry.due_on.clone())}</dd>
                            </dl>
                            <section aria-labelledby="commitment-title">
                                <h2 id="commitment-title">{tr(Msg::InspectionCommitment)}</h2>
                                <p class="letter">{move || text_in(&commitment, lang.get())}</p>
                            </section>
                            {(!task.visits.is_empty()).then(|| view! {
                                <h2>{tr(Msg::InspectionVisits)}</h2>
                                <ol class="timeline">
                                    {task.visits.iter().map(|visit| view! {
                                        <li><strong>{visit.outcome.clone()}</strong> " · " {format_time(visit.visited_at)} " · " {visit.inspector.clone()}
                                            <p>{visit.findings.clone()}</p>
                                            {visit.rectify_by.clone().map(|day| view! { <p>{tr(Msg::FieldRectifyBy)} " " {day}</p> })}
                                        </li>
                                    }).collect_view()}
                                </ol>
                            })}
                            {(open || rectifying).then(|| view! {
                                <form class="form" on:submit=submit data-testid="inspection-form">
                                    <fieldset>
                                        <legend>{tr(Msg::FieldInspectionOutcome)}</legend>
                                        {(if open { vec![("compliant", Msg::OutcomeCompliant), ("non_compliant", Msg::OutcomeNonCompliant)] }
                                          else { vec![("rectified", Msg::OutcomeRectified), ("unrectified", Msg::OutcomeUnrectified)] })
                                            .into_iter().map(|(code, label)| view! {
                                                <label class="choice">
                                                    <input type="radio" name="outcome" value=code
                                                        prop:checked=move || outcome.get() == code
                                                        on:change=move |_| outcome.set(code.into())/>
                                                    {tr(label)}
                                                </label>
                                            }).collect_view()}
                                    </fieldset>
                                    <label for="inspection-findings">{tr(Msg::FieldFindings)}</label>
                                    <textarea id="inspection-findings" rows="4" maxlength="2000" bind:value=findings></textarea>
                                    <Show when=move || outcome.get() == "non_compliant">
                                        <label for="inspection-rectify">{tr(Msg::FieldRectifyBy)}</label>
                                        <input id="inspection-rectify" type="date" bind:value=rectify_by/>
                                    </Show>
                                    <button type="submit" class="button primary">{tr(Msg::InspectionRecord)}</button>
                                </form>
                            })}
                        </article>
                    }.into_any()
                })}
            </Transition>
            {action_error(record.value())}
            <Show when=move || matches!(record.value().get(), Some(Ok(())))>
                <p class="success" role="status" data-testid="inspection-recorded">{tr(Msg::DecisionDone)}</p>
            </Show>
        }/>
    }
}

/// The front desk's paper: pickups by code, parcels to send, courier results.
#[component]
pub fn PaperSection() -> impl IntoView {
    let lang = use_lang();
    let pickup = ServerAction::<PickupLicence>::new();
    let dispatch = ServerAction::<RecordDispatch>::new();
    let outcome = ServerAction::<RecordCourierOutcome>::new();
    let paper = Resource::new(
        move || pickup.version().get() + dispatch.version().get() + outcome.version().get(),
        |_| paper_queue(),
    );
    view! {
        <section aria-labelledby="paper-title" data-testid="paper">
            <h2 id="paper-title">{tr(Msg::PaperTitle)}</h2>
            <ActionForm action=pickup attr:class="form compact" attr:data-testid="pickup-form">
                <label for="pickup-code">{tr(Msg::FieldPickupCode)}</label>
                <input id="pickup-code" name="code" inputmode="numeric" autocomplete="off" maxlength="12" required/>
                <button type="submit" class="button primary">{tr(Msg::PickupHandOver)}</button>
            </ActionForm>
            {action_error(pickup.value())}
            {move || pickup.value().get().and_then(Result::ok).map(|done| view! {
                <p class="success" role="status" data-testid="pickup-done">{tr(Msg::PickupDoneText)} " " {done.case_number} " · " {done.holder} " · " {done.licences.join("，")}</p>
            })}
            {action_error(dispatch.value())}
            {action_error(outcome.value())}
            <Transition fallback=|| view! { <p class="loading">{tr(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    let entries = paper.await.unwrap_or_default();
                    if entries.is_empty() {
                        return view! { <p class="empty-state">{tr(Msg::PaperEmpty)}</p> }.into_any();
                    }
                    view! {
                        <ul class="queue">
                            {entries.into_iter().map(|entry| {
                                let title = entry.title.clone();
                                let mode = entry.mode;
                                let number = StoredValue::new(entry.number.clone());
                                view! {
                                    <li data-testid="paper-entry" data-number=entry.number.clone()>
                                        <strong>{entry.number.clone()}</strong> " · " {move || text_in(&title, lang.get())} " · " {move || delivery_text(mode, lang.get())}
                                        {entry.address.clone().map(|address| view! { <p>{entry.recipient_name.clone()} " · " {address}</p> })}
                                        {entry.pickup_centre.clone().map(|centre| view! { <p>{tr(Msg::FieldPickupCentre)} " " {centre}</p> })}
                                        {(mode == DeliveryChoice::Courier && entry.dispatched_at.is_none()).then(|| view! {
                                            <ActionForm action=dispatch attr:class="form compact">
                                                <input type="hidden" name="number" value=number.get_value()/>
                                                <label>{tr(Msg::FieldCarrier)} <input name="carrier" required maxlength="40"/></label>
                                                <label>{tr(Msg::FieldTrackingNumber)} <input name="tracking_number" required maxlength="40"/></label>
                                                <button type="submit" class="button">{tr(Msg::PaperDispatch)}</button>
                                            </ActionForm>
                                        })}
                                        {entry.dispatched_at.map(|_| view! {
                                            <p>{entry.carrier.clone()} " " {entry.tracking_number.clone()}</p>
                                            <ActionForm action=outcome attr:class="form compact">
                                                <input type="hidden" name="number" value=number.get_value()/>
                                                <input type="hidden" name="delivered" value="true"/>
                                                <input type="hidden" name="note" value=""/>
                                                <button type="submit" class="button">{tr(Msg::PaperDelivered)}</button>
                                            </ActionForm>
                                            <ActionForm action=outcome attr:class="form compact">
                                                <input type="hidden" name="number" value=number.get_value()/>
                                                <input type="hidden" name="delivered" value="false"/>
                                                <label>{tr(Msg::FieldReason)} <input name="note" maxlength="200"/></label>
                                                <button type="submit" class="button">{tr(Msg::PaperFailed)}</button>
                                            </ActionForm>
                                        })}
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

/// The administrator's licence tools: revocation and approvals-feed tokens.
#[component]
pub fn LicenceAdminSection() -> impl IntoView {
    let revoke = ServerAction::<RevokeLicence>::new();
    let token = ServerAction::<CreateFeedToken>::new();
    view! {
        <section aria-labelledby="licence-admin-title" data-testid="licence-admin">
            <h2 id="licence-admin-title">{tr(Msg::LicenceAdminTitle)}</h2>
            <ActionForm action=revoke attr:class="form" attr:data-testid="revoke-form">
                <label for="revoke-type">{tr(Msg::LicenceType)}</label>
                <input id="revoke-type" name="licence_type" required placeholder="food_business_licence"/>
                <label for="revoke-number">{tr(Msg::VerifyNumber)}</label>
                <input id="revoke-number" name="number" required/>
                <label for="revoke-reason">{tr(Msg::FieldReason)}</label>
                <textarea id="revoke-reason" name="reason" rows="2" required maxlength="500"></textarea>
                <button type="submit" class="button danger">{tr(Msg::LicenceRevoke)}</button>
            </ActionForm>
            {action_error(revoke.value())}
            <Show when=move || matches!(revoke.value().get(), Some(Ok(())))>
                <p class="success" role="status">{tr(Msg::DecisionDone)}</p>
            </Show>
            <ActionForm action=token attr:class="form compact">
                <label for="feed-token-name">{tr(Msg::FieldTokenName)}</label>
                <input id="feed-token-name" name="name" required maxlength="80"/>
                <button type="submit" class="button">{tr(Msg::FeedTokenCreate)}</button>
            </ActionForm>
            {action_error(token.value())}
            {move || token.value().get().and_then(Result::ok).map(|token| view! {
                <p class="success" role="status">{tr(Msg::FeedTokenShownOnce)} <code data-testid="feed-token">{token}</code></p>
            })}
        </section>
    }
}
