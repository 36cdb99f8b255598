//! The applicant's pages: the "apply online" button of the guides, the application form
//! (rendered from the catalogue's schema, saved on the server as the applicant types, checked
//! by the same rules the server runs, pre-review listing every problem with a link to its
//! field), 我的办件 (drafts, cases, notifications) and the case page with its timeline.

use std::time::Duration;

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::catalogue::text_in;
use super::catalogue_editor::format_time;
use super::common::{ErrorList, Guarded, action_error, tr, use_lang};
use super::{platform, use_user};
use crate::access;
use crate::api::{
    AppError, ApplicationDraft, CaseDetail, CommitmentLetter, DiscardApplication, MyApplications,
    ReadNotifications, RemoveApplicationFile, SaveApplication, SendSigningCode, SignCommitment,
    SignCommitmentRequest, StartApplication, SubmitApplication, UploadedFile, WithdrawCase,
    load_application, load_case, load_my_applications, my_notifications,
};
use crate::domain::application::{FormLayout, FormProblem, LaidOutField, LaidOutMaterial};
use crate::domain::case::{CreditLevel, TargetKind};
use crate::domain::catalogue::{FieldType, FileType};
use crate::domain::form_values::{RawValue, ValueProblem};
use crate::domain::role::Role;
use crate::i18n::{
    Lang, Msg, case_event_text, case_status_text, identity_level_name, notification_text,
    role_name, value_problem_text,
};

/// The "apply online" part of an item or bundle guide: the button for applicants, the way in
/// for visitors, a note for staff.
#[component]
pub(super) fn StartButton(target: TargetKind, code: String) -> impl IntoView {
    let user = use_user();
    let start = ServerAction::<StartApplication>::new();
    Effect::new(move |_| {
        if let Some(Ok(draft_id)) = start.value().get() {
            platform::go_to(&format!("/apply/{draft_id}"));
        }
    });
    view! {
        <section class="start-application" id="apply" aria-labelledby="apply-title">
            <h2 id="apply-title">{tr(Msg::StartApplication)}</h2>
            <Transition fallback=|| ()>
                {
                    let code = code.clone();
                    move || {
                        let code = code.clone();
                        Suspend::new(async move {
                            match user.await.ok().flatten().map(|user| user.role) {
                                Some(Role::Applicant) => view! {
                                    {action_error(start.value())}
                                    <ActionForm action=start>
                                        <input type="hidden" name="target" value=target.code()/>
                                        <input type="hidden" name="code" value=code/>
                                        <p class="help">{tr(Msg::ApplyResumeNote)}</p>
                                        <button type="submit" class="button primary" data-testid="start-application"
                                            disabled=move || start.pending().get()>
                                            {tr(Msg::StartApplication)}
                                        </button>
                                    </ActionForm>
                                }.into_any(),
                                Some(_) => view! { <p class="help">{tr(Msg::StartApplicantsOnly)}</p> }.into_any(),
                                None => view! {
                                    <p>{tr(Msg::StartNeedsLogin)}</p>
                                    <p class="actions">
                                        <A href="/login" attr:class="button primary" attr:data-testid="start-application">{tr(Msg::NavLogin)}</A>
                                        " "
                                        <A href="/register" attr:class="button">{tr(Msg::NavRegister)}</A>
                                    </p>
                                }.into_any(),
                            }
                        })
                    }
                }
            </Transition>
        </section>
    }
}

/// The name pre-review gives the unsigned commitment letter (the server's
/// `applications::COMMITMENT`), and the anchor of its section.
const COMMITMENT_ANCHOR: &str = "commitment";

/// An HTML id for a field name (`SCJG-XK-001/shop_name` → `f-SCJG-XK-001-shop_name`).
fn field_dom_id(name: &str) -> String {
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("f-{safe}")
}

/// `/apply/:draft`: the application form of one draft.
#[component]
pub fn ApplicationPage() -> impl IntoView {
    let params = use_params_map();
    let draft = Resource::new(
        move || params.get().get("draft").unwrap_or_default(),
        load_application,
    );
    view! {
        <Guarded access=access::DRAFT_EDITORS children=move |user| view! {
            <Suspense fallback=|| view! { <p class="loading">{tr(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    let user_id = user.id;
                    let worker = user.role == Role::FrontDesk;
                    match draft.await {
                        Ok(draft) => match draft.case_number.clone() {
                            Some(number) => view! {
                                <section class="form-page">
                                    <h1>{tr(Msg::ApplyTitle)}</h1>
                                    <p role="status">{tr(Msg::ApplyAlreadySubmitted)} " "
                                        <A href=format!("/my/cases/{number}")>{number.clone()}</A></p>
                                </section>
                            }.into_any(),
                            None => view! { <ApplicationForm draft user_id worker/> }.into_any(),
                        },
                        Err(error) => {
                            platform::set_page_status(error.status());
                            view! { <ErrorList error/> }.into_any()
                        }
                    }
                })}
            </Suspense>
        }/>
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SaveState {
    Saved(i64),
    Unsaved,
    Saving,
    Failed,
    Conflict,
}

/// Where the applicant is: filling in, pre-review passed, submitting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Fill,
    Check,
    Submit,
}

#[component]
fn ApplicationForm(
    draft: ApplicationDraft,
    user_id: i64,
    /// A front-desk worker filling it in for the applicant: no signing, no submitting.
    worker: bool,
) -> impl IntoView {
    let lang = use_lang();
    let ApplicationDraft {
        draft_id,
        revision,
        title,
        layout,
        values,
        identity_needed,
        identity_level,
        updated_at,
        files,
        commitment,
        filed_by_worker,
        ..
    } = draft;
    let files = RwSignal::new(files);
    // Whether the commitment letter, if one is needed, is signed as it stands.
    let letter_signed = RwSignal::new(!commitment.needed || commitment.signed_is_current);
    let layout = StoredValue::new(layout);
    let draft_id = StoredValue::new(draft_id);
    let values = RwSignal::new(values);
    let revision = RwSignal::new(revision);
    let save_state = RwSignal::new(SaveState::Saved(updated_at));
    let dirty = RwSignal::new(false);
    let edits = RwSignal::new(0_u64);
    let touched = RwSignal::new(std::collections::BTreeSet::<String>::new());
    let problems = RwSignal::new(None::<Vec<FormProblem>>);
    let step = RwSignal::new(Step::Fill);
    let submit_requested = RwSignal::new(false);
    let identity_missing = identity_level.is_none_or(|level| level < identity_needed);

    let save = ServerAction::<SaveApplication>::new();
    let submit = ServerAction::<SubmitApplication>::new();
    let discard = ServerAction::<DiscardApplication>::new();

    // Saves the values if they changed; a save in flight re-runs this when it completes.
    let flush = Callback::new(move |()| {
        if save.pending().get_untracked() || !dirty.get_untracked() {
            return;
        }
        dirty.set(false);
        save_state.set(SaveState::Saving);
        save.dispatch(SaveApplication {
            draft_id: draft_id.get_value(),
            revision: revision.get_untracked(),
            values: values.get_untracked(),
        });
    });
    Effect::new(move |_| match save.value().get() {
        Some(Ok(saved)) => {
            revision.set(saved.revision);
            if dirty.get_untracked() {
                flush.run(());
            } else {
                save_state.set(SaveState::Saved(saved.updated_at));
                if submit_requested.get_untracked() {
                    submit_requested.set(false);
                    step.set(Step::Submit);
                    submit.dispatch(SubmitApplication {
                        draft_id: draft_id.get_value(),
                    });
                }
            }
        }
        Some(Err(AppError::ChangedMeanwhile)) => {
            submit_requested.set(false);
            save_state.set(SaveState::Conflict);
        }
        Some(Err(_)) => {
            submit_requested.set(false);
            dirty.set(true);
            save_state.set(SaveState::Failed);
        }
        None => {}
    });
    Effect::new(move |_| match submit.value().get() {
        Some(Ok(number)) => platform::go_to(&format!("/my/cases/{number}?new=1")),
        Some(Err(AppError::FormInvalid(found))) => {
            problems.set(Some(found));
            step.set(Step::Fill);
        }
        Some(Err(_)) => step.set(Step::Check),
        None => {}
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = discard.value().get() {
            platform::go_to("/my/cases");
        }
    });

    // A change: remembered at once, saved after a short pause (or when the field is left).
    let on_edit = Callback::new(move |(name, value): (String, RawValue)| {
        values.update(|values| {
            values.insert(name, value);
        });
        dirty.set(true);
        save_state.set(SaveState::Unsaved);
        if step.get_untracked() == Step::Check {
            step.set(Step::Fill);
        }
        edits.update(|count| *count += 1);
        let this_edit = edits.get_untracked();
        set_timeout(
            move || {
                if edits.get_untracked() == this_edit {
                    flush.run(());
                }
            },
            Duration::from_millis(700),
        );
    });
    let on_leave = Callback::new(move |name: String| {
        touched.update(|touched| {
            touched.insert(name);
        });
        flush.run(());
    });

    let run_pre_review = move || {
        let found = layout.with_value(|layout| {
            let mut found = layout.problems(&values.get_untracked());
            files.with_untracked(|files| {
                found.extend(
                    layout.missing_materials(files.iter().map(|file| file.material_name.as_str())),
                );
            });
            if !letter_signed.get_untracked() {
                found.push(FormProblem {
                    name: COMMITMENT_ANCHOR.into(),
                    problem: ValueProblem::Required,
                });
            }
            found
        });
        let passed = found.is_empty() && !identity_missing;
        problems.set(Some(found));
        step.set(if passed { Step::Check } else { Step::Fill });
        passed
    };
    let on_submit = move |_| {
        if run_pre_review() {
            submit_requested.set(true);
            dirty.set(true);
            flush.run(());
        }
    };

    let problem_of = move |name: String| {
        Signal::derive(move || {
            let shown = problems.with(Option::is_some) || touched.with(|t| t.contains(&name));
            if !shown {
                return None;
            }
            layout.with_value(|layout| {
                layout.field(&name).and_then(|field| {
                    field
                        .field
                        .parse_value(values.with(|v| v.get(&name).cloned()).as_ref())
                        .err()
                })
            })
        })
    };

    let title_text = title.clone();
    let sections = layout.with_value(|layout| layout.sections.clone());
    view! {
        <section class="application" aria-labelledby="application-title" data-testid="application-form">
            <h1 id="application-title">{move || text_in(&title_text, lang.get())}</h1>
            <StepIndicator step/>
            <p class="save-state" role="status" aria-live="polite" data-testid="save-state">
                {move || match save_state.get() {
                    SaveState::Saved(at) => format!("{} {}", Msg::ApplySaved.text(lang.get()), format_time(at)),
                    SaveState::Unsaved | SaveState::Saving => Msg::ApplySaving.text(lang.get()).to_owned(),
                    SaveState::Failed => Msg::ApplySaveFailed.text(lang.get()).to_owned(),
                    SaveState::Conflict => Msg::ApplyChangedElsewhere.text(lang.get()).to_owned(),
                }}
            </p>
            <p class="help">{tr(Msg::ApplyResumeNote)}</p>
            <Show when=move || identity_missing>
                <div class="notice" data-testid="identity-needed">
                    <p>{tr(Msg::ApplyIdentityNeeded)} " " {move || identity_level_name(identity_needed, lang.get())}</p>
                    <p><A href="/account">{tr(Msg::ApplyGoToAccount)}</A></p>
                </div>
            </Show>
            {(filed_by_worker && !worker).then(|| view! { <p class="notice" data-testid="filed-by-worker">{tr(Msg::FilingBanner)}</p> })}
            {worker.then(|| view! { <p class="notice" data-testid="worker-filing">{tr(Msg::FilingWorkerNote)}</p> })}
            <PreReview problems layout identity_missing/>
            <form class="form application-form" novalidate on:submit=|event| event.prevent_default()>
                {sections.into_iter().map(|section| {
                    let heading = section.title.clone();
                    view! {
                        <fieldset class="form-section">
                            <legend>{move || match &heading {
                                Some(title) => text_in(title, lang.get()),
                                None => Msg::ApplySharedSection.text(lang.get()).to_owned(),
                            }}</legend>
                            {section.fields.into_iter().map(|laid_out| {
                                let initial = values.with_untracked(|values| values.get(&laid_out.name).cloned());
                                let problem = problem_of(laid_out.name.clone());
                                view! { <FieldInput laid_out initial problem on_edit on_leave/> }
                            }).collect_view()}
                            {(!section.materials.is_empty()).then(|| view! {
                                <h3 class="materials-title">{tr(Msg::GuideMaterials)}</h3>
                            })}
                            {section.materials.into_iter().map(|laid_out| {
                                let name = laid_out.name.clone();
                                let required = laid_out.material.required;
                                let missing = Signal::derive(move || {
                                    required
                                        && problems.with(Option::is_some)
                                        && files.with(|files| !files.iter().any(|file| file.material_name == name))
                                });
                                view! { <MaterialUpload laid_out draft_id=draft_id.get_value() files missing/> }
                            }).collect_view()}
                        </fieldset>
                    }
                }).collect_view()}
            </form>
            {(!worker).then(|| view! {
                <CommitmentSection draft_id=draft_id.get_value() user_id initial=commitment.clone() letter_signed/>
            })}
            {action_error(submit.value())}
            <div class="actions sticky-actions">
                <button type="button" class="button" data-testid="pre-review" on:click=move |_| { run_pre_review(); }>
                    {tr(Msg::ApplyCheck)}
                </button>
                {(!worker).then(|| view! {
                    <button type="button" class="button primary" data-testid="submit-application"
                        disabled=move || submit.pending().get() || submit_requested.get() || save_state.get() == SaveState::Conflict
                        on:click=on_submit>
                        {tr(Msg::ApplySubmit)}
                    </button>
                })}
                {worker.then(|| view! { <A href="/desk" attr:class="button primary" attr:data-testid="filing-done">{tr(Msg::FilingWaiting)}</A> })}
            </div>
            {(!worker).then(|| view! {
                <ActionForm action=discard attr:class="discard">
                    <input type="hidden" name="draft_id" value=draft_id.get_value()/>
                    <button type="submit" class="link-button">{tr(Msg::ApplyDiscard)}</button>
                </ActionForm>
            })}
        </section>
    }
}

#[component]
fn StepIndicator(step: RwSignal<Step>) -> impl IntoView {
    let steps = [
        (Step::Fill, Msg::ApplyStepFill),
        (Step::Check, Msg::ApplyStepCheck),
        (Step::Submit, Msg::ApplyStepSubmit),
    ];
    view! {
        <nav aria-label=move || Msg::ApplyStepsLabel.text(use_lang().get())>
            <ol class="steps">
                {steps.into_iter().enumerate().map(|(index, (this, label))| view! {
                    <li class:current=move || step.get() == this
                        aria-current=move || (step.get() == this).then_some("step")>
                        <span class="step-number">{index + 1}</span> " " {tr(label)}
                    </li>
                }).collect_view()}
            </ol>
        </nav>
    }
}

/// The pre-review (预审): every problem of the form at once, each a link to its field.
#[component]
fn PreReview(
    problems: RwSignal<Option<Vec<FormProblem>>>,
    layout: StoredValue<FormLayout>,
    identity_missing: bool,
) -> impl IntoView {
    let lang = use_lang();
    move || {
        let found = problems.get()?;
        if found.is_empty() && !identity_missing {
            return Some(
                view! { <p class="success" role="status" data-testid="pre-review-passed">{tr(Msg::ApplyNoProblems)}</p> }
                    .into_any(),
            );
        }
        Some(
            view! {
                <div class="error-box" role="alert" data-testid="pre-review-problems">
                    <p>{tr(Msg::ApplyProblemsTitle)}</p>
                    <ul>
                        {found.into_iter().map(|problem| {
                            let label = if problem.name == COMMITMENT_ANCHOR {
                                Some(crate::domain::catalogue::Text {
                                    zh: Msg::GuideCommitment.text(Lang::Zh).into(),
                                    en: Msg::GuideCommitment.text(Lang::En).into(),
                                })
                            } else {
                                layout.with_value(|layout| layout.label_of(&problem.name).cloned())
                            };
                            let target = field_dom_id(&problem.name);
                            let href = format!("#{target}");
                            view! {
                                <li><a href=href on:click=move |event| {
                                    event.prevent_default();
                                    platform::focus_by_id(&target);
                                }>{move || {
                                    let lang = lang.get();
                                    let label = label.as_ref().map(|label| text_in(label, lang)).unwrap_or_else(|| problem.name.clone());
                                    problem_sentence(&label, problem.problem, lang)
                                }}</a></li>
                            }
                        }).collect_view()}
                    </ul>
                </div>
            }
            .into_any(),
        )
    }
}

/// The commitment letter (告知承诺书): the exact text, a signature mark (typed name, or drawn
/// on a pad), a one-time code, and the signature made by this device's key in the browser.
#[component]
fn CommitmentSection(
    draft_id: String,
    user_id: i64,
    initial: CommitmentLetter,
    letter_signed: RwSignal<bool>,
) -> impl IntoView {
    let lang = use_lang();
    let sign = ServerAction::<SignCommitment>::new();
    let send = ServerAction::<SendSigningCode>::new();
    // Loaded with the draft (no resource of its own: the page hydrates in one piece).
    let signed = RwSignal::new(initial.signed.clone().filter(|_| initial.signed_is_current));
    Effect::new(move |_| {
        if let Some(Ok(done)) = sign.value().get() {
            let key_id = done.key_id.clone();
            signed.set(Some(done));
            letter_signed.set(true);
            leptos::task::spawn_local(
                async move { platform::remember_key(user_id, &key_id).await },
            );
        }
    });
    let mark_kind = RwSignal::new("typed");
    let typed = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let device_error = RwSignal::new(false);
    let pad_id = "signature-pad";
    Effect::new(move |_| {
        if mark_kind.get() == "drawn" {
            platform::attach_signature_pad(pad_id);
        }
    });
    let draft_id = StoredValue::new(draft_id);
    let do_sign = move |text: String| {
        device_error.set(false);
        let mark = if mark_kind.get_untracked() == "drawn" {
            platform::signature_pad_image(pad_id)
        } else {
            typed.get_untracked()
        };
        let typed_code = code.get_untracked();
        leptos::task::spawn_local(async move {
            match platform::sign_letter(user_id, &text).await {
                Some(made) => {
                    sign.dispatch(SignCommitment {
                        request: SignCommitmentRequest {
                            draft_id: draft_id.get_value(),
                            letter_sha256: made.letter_sha256,
                            signature: made.signature,
                            public_key: made.public_key,
                            key_id: made.key_id,
                            mark_kind: mark_kind.get_untracked().to_owned(),
                            mark,
                            code: typed_code,
                        },
                    });
                }
                None => device_error.set(true),
            }
        });
    };
    if !initial.needed {
        return None;
    }
    let letter = initial.letter.clone();
    let signing = letter.clone().map(|text| {
        let text_for_sign = text.clone();
        view! {
            <p class="help">{tr(Msg::SignExplain)}</p>
            <pre class="letter" data-testid="letter-text" tabindex="0">{text}</pre>
            <Show when=move || signed.with(Option::is_none)>
                <fieldset class="sign-mark">
                    <legend>{tr(Msg::FieldSignatureMark)}</legend>
                    <label class="choice">
                        <input type="radio" name="mark-kind" value="typed" checked=true
                            on:change=move |_| mark_kind.set("typed")/>
                        " " {tr(Msg::SignTyped)}
                    </label>
                    <label class="choice">
                        <input type="radio" name="mark-kind" value="drawn"
                            on:change=move |_| mark_kind.set("drawn")/>
                        " " {tr(Msg::SignDrawn)}
                    </label>
                    <Show when=move || mark_kind.get() == "typed">
                        <label for="typed-name">{tr(Msg::SignTypedLabel)}</label>
                        <input id="typed-name" type="text" autocomplete="name"
                            on:input=move |event| typed.set(event_target_value(&event))/>
                    </Show>
                    <Show when=move || mark_kind.get() == "drawn">
                        <canvas id=pad_id class="signature-pad" width="600" height="200"
                            aria-label=move || Msg::SignDrawn.text(lang.get())></canvas>
                        <button type="button" class="link-button"
                            on:click=move |_| platform::clear_signature_pad(pad_id)>{tr(Msg::SignClear)}</button>
                    </Show>
                </fieldset>
                {action_error(send.value())}
                {move || send.value().get().and_then(Result::ok).map(|sent| view! {
                    <p role="status" data-testid="sign-code-sent">
                        {move || crate::i18n::code_sent_text(&sent.destination_masked, sent.valid_minutes, lang.get())}
                    </p>
                })}
                <button type="button" class="button" data-testid="send-sign-code"
                    on:click=move |_| { send.dispatch(SendSigningCode {}); }>
                    {tr(Msg::SendCode)}
                </button>
                <label for="sign-code">{tr(Msg::FieldOneTimeCode)}</label>
                <input id="sign-code" type="text" inputmode="numeric" autocomplete="one-time-code" maxlength="7"
                    on:input=move |event| code.set(event_target_value(&event))/>
                <Show when=move || device_error.get()>
                    <p class="error-box" role="alert">{tr(Msg::SignDeviceError)}</p>
                </Show>
                {action_error(sign.value())}
                {
                    let text_for_sign = text_for_sign.clone();
                    view! {
                        <button type="button" class="button primary" data-testid="sign-commitment"
                            disabled=move || sign.pending().get()
                            on:click=move |_| do_sign(text_for_sign.clone())>
                            {tr(Msg::SignSubmit)}
                        </button>
                    }
                }
            </Show>
            {move || signed.get().map(|signed| view! {
                <p class="done" data-testid="commitment-signed">
                    "✓ " {tr(Msg::SignDone)} " · " {signed.signer_name.clone()} " · " {format_time(signed.signed_at)}
                </p>
                <p>
                    <a href=format!("/files/commitment/{}", signed.id) target="_blank" rel="noopener"
                        data-testid="commitment-pdf">{tr(Msg::SignPdf)}</a>
                </p>
            })}
        }
    });
    Some(view! {
        <section class="commitment form-section" id=field_dom_id(COMMITMENT_ANCHOR) tabindex="-1"
            aria-labelledby="commitment-title" data-testid="commitment">
            <h2 id="commitment-title">{tr(Msg::GuideCommitment)}</h2>
            {match signing {
                Some(signing) => signing.into_any(),
                None => view! { <p class="notice">{tr(Msg::SignNeedsIdentity)}</p> }.into_any(),
            }}
        </section>
    })
}

/// One listed material: what it is, the files uploaded for it (with a preview), and a file
/// input that uploads at once. The type is checked by the server from the file's content.
#[component]
pub(super) fn MaterialUpload(
    laid_out: LaidOutMaterial,
    draft_id: String,
    files: RwSignal<Vec<UploadedFile>>,
    missing: Signal<bool>,
) -> impl IntoView {
    let lang = use_lang();
    let LaidOutMaterial { name, material } = laid_out;
    let dom_id = field_dom_id(&name);
    let input_id = format!("{dom_id}-file");
    let help_id = format!("{dom_id}-help");
    let error = RwSignal::new(None::<AppError>);
    let uploading = RwSignal::new(false);
    let remove = ServerAction::<RemoveApplicationFile>::new();
    let removing = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        if let Some(Ok(())) = remove.value().get()
            && let Some(file_id) = removing.get_untracked()
        {
            files.update(|files| files.retain(|file| file.id != file_id));
            removing.set(None);
        }
    });
    let upload_url = format!(
        "/files/upload?draft={draft_id}&material={}",
        super::catalogue::urlencode(&name)
    );
    let on_change = {
        let input_id = input_id.clone();
        move |_| {
            let input_id = input_id.clone();
            let upload_url = upload_url.clone();
            uploading.set(true);
            error.set(None);
            leptos::task::spawn_local(async move {
                match platform::upload_chosen_file::<UploadedFile>(&input_id, &upload_url).await {
                    Some(Ok(file)) => files.update(|files| files.push(file)),
                    Some(Err(failure)) => error.set(Some(failure)),
                    None => {}
                }
                uploading.set(false);
            });
        }
    };
    let title = material.name.clone();
    let description = material.description.clone();
    let accept = FileType::accept_attribute(&material.accepted_types);
    let types: Vec<&'static str> = material
        .accepted_types
        .iter()
        .map(|file_type| match file_type {
            FileType::Pdf => "PDF",
            FileType::Jpg => "JPG",
            FileType::Png => "PNG",
        })
        .collect();
    let required = material.required;
    let name_for_list = name.clone();
    view! {
        <div class="material" id=dom_id.clone() tabindex="-1" class:has-error=move || missing.get()
            data-testid=format!("material-{name}")>
            <label for=input_id.clone()>
                {move || text_in(&title, lang.get())}
                {(!required).then(|| view! { <span class="optional">{tr(Msg::ApplyOptional)}</span> })}
            </label>
            <p id=help_id.clone() class="help">
                {move || text_in(&description, lang.get())} " · " {tr(Msg::GuideMaterialTypes)} ": " {types.join(" / ")}
            </p>
            <ul class="file-list">
                {move || files.get().into_iter().filter(|file| file.material_name == name_for_list).map(|file| {
                    let href = format!("/files/{}", file.id);
                    let is_image = matches!(file.file_type, FileType::Jpg | FileType::Png);
                    let file_id = file.id.clone();
                    let draft_id = draft_id.clone();
                    view! {
                        <li>
                            {is_image.then(|| view! { <img class="thumb" src=href.clone() alt=file.file_name.clone()/> })}
                            <a href=href.clone() target="_blank" rel="noopener">{file.file_name.clone()}</a>
                            <span class="meta">" " {file_size_text(file.size_bytes)}</span>
                            <button type="button" class="link-button"
                                on:click=move |_| {
                                    removing.set(Some(file_id.clone()));
                                    remove.dispatch(RemoveApplicationFile { draft_id: draft_id.clone(), file_id: file_id.clone() });
                                }>
                                {tr(Msg::ApplyRemoveFile)}
                            </button>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <input type="file" id=input_id accept=accept aria-describedby=help_id
                disabled=move || uploading.get() on:change=on_change/>
            <Show when=move || uploading.get()>
                <p class="help" role="status">{tr(Msg::ApplyUploading)}</p>
            </Show>
            <Show when=move || missing.get()>
                <p class="field-error">{move || value_problem_text(ValueProblem::Required, lang.get())}</p>
            </Show>
            {move || error.get().map(|error| view! { <ErrorList error/> })}
            {action_error(remove.value())}
        </div>
    }
}

/// `1.2 MB`, `340 KB`.
fn file_size_text(bytes: u64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    } else {
        format!("{} KB", bytes.div_ceil(1024))
    }
}

fn problem_sentence(label: &str, problem: ValueProblem, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("{label}：{}", value_problem_text(problem, lang)),
        Lang::En => format!("{label} {}", value_problem_text(problem, lang)),
    }
}

fn first_text(value: Option<&RawValue>) -> String {
    match value {
        Some(RawValue::One(text)) => text.clone(),
        Some(RawValue::Many(values)) => values.first().cloned().unwrap_or_default(),
        None => String::new(),
    }
}

/// One field, as its type asks: text, number, money, date, select, checkboxes, textarea…
#[component]
pub(super) fn FieldInput(
    laid_out: LaidOutField,
    initial: Option<RawValue>,
    problem: Signal<Option<ValueProblem>>,
    on_edit: Callback<(String, RawValue)>,
    on_leave: Callback<String>,
) -> impl IntoView {
    let lang = use_lang();
    let LaidOutField { name, field } = laid_out;
    let id = field_dom_id(&name);
    let help_id = format!("{id}-help");
    let error_id = format!("{id}-error");
    let label = field.label.clone();
    let help = field.help.clone();
    let required = field.required;
    let described = {
        let help_id = help_id.clone();
        let error_id = error_id.clone();
        let has_help = help.is_some();
        move || {
            let mut ids = Vec::new();
            if has_help {
                ids.push(help_id.clone());
            }
            if problem.with(Option::is_some) {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    let invalid = move || problem.with(Option::is_some).then_some("true");
    let text_value = first_text(initial.as_ref());
    let edit_one = {
        let name = name.clone();
        move |text: String| on_edit.run((name.clone(), RawValue::One(text)))
    };
    let leave = {
        let name = name.clone();
        Callback::new(move |()| on_leave.run(name.clone()))
    };

    let control = match field.field_type {
        FieldType::Select => {
            let options = field.options.clone();
            let edit = edit_one.clone();
            view! {
                <select id=id.clone() name=name.clone() required=required aria-invalid=invalid aria-describedby=described.clone()
                    on:change=move |event| edit(event_target_value(&event)) on:blur=move |_| leave.run(())>
                    <option value="" selected=text_value.is_empty()>{tr(Msg::ApplyChoose)}</option>
                    {options.into_iter().map(|option| {
                        let selected = option.value == text_value;
                        let label = option.label.clone();
                        view! { <option value=option.value.clone() selected=selected>{move || text_in(&label, lang.get())}</option> }
                    }).collect_view()}
                </select>
            }
            .into_any()
        }
        FieldType::MultiSelect => {
            let chosen: Vec<String> = match &initial {
                Some(RawValue::Many(values)) => values.clone(),
                Some(RawValue::One(value)) if !value.is_empty() => vec![value.clone()],
                _ => Vec::new(),
            };
            let chosen = RwSignal::new(chosen);
            let name_for_edit = name.clone();
            view! {
                <div class="choices" role="group" aria-labelledby=format!("{id}-label") aria-describedby=described.clone()>
                    {field.options.clone().into_iter().map(|option| {
                        let value = option.value.clone();
                        let checked = chosen.with_untracked(|chosen| chosen.contains(&value));
                        let label = option.label.clone();
                        let box_id = format!("{id}-{}", option.value);
                        let label_for = box_id.clone();
                        let name_for_edit = name_for_edit.clone();
                        view! {
                            <label class="choice" for=label_for>
                                <input type="checkbox" id=box_id name=name.clone() value=value.clone() checked=checked
                                    on:change=move |event| {
                                        let on = event_target_checked(&event);
                                        chosen.update(|chosen| {
                                            chosen.retain(|known| known != &value);
                                            if on { chosen.push(value.clone()); }
                                        });
                                        on_edit.run((name_for_edit.clone(), RawValue::Many(chosen.get_untracked())));
                                    }/>
                                " " {move || text_in(&label, lang.get())}
                            </label>
                        }
                    }).collect_view()}
                </div>
            }
            .into_any()
        }
        FieldType::Address | FieldType::BusinessScope => {
            let edit = edit_one.clone();
            view! {
                <textarea id=id.clone() name=name.clone() rows="3" required=required aria-invalid=invalid aria-describedby=described.clone()
                    on:input=move |event| edit(event_target_value(&event)) on:blur=move |_| leave.run(())>{text_value.clone()}</textarea>
            }
            .into_any()
        }
        other => {
            let (input_type, input_mode, autocomplete) = match other {
                FieldType::Number | FieldType::Money => ("text", Some("decimal"), None),
                FieldType::Date => ("date", None, None),
                FieldType::Phone => ("tel", Some("numeric"), Some("tel")),
                FieldType::Email => ("email", Some("email"), Some("email")),
                FieldType::ResidentId | FieldType::CreditCode => ("text", None, Some("off")),
                _ => ("text", None, None),
            };
            let max_length = match other {
                FieldType::ResidentId | FieldType::CreditCode => Some("18"),
                _ => None,
            };
            let edit = edit_one.clone();
            let suffix = (other == FieldType::Money)
                .then(|| view! { <span class="unit">{tr(Msg::ApplyYuan)}</span> });
            view! {
                <span class="input-with-unit">
                    <input id=id.clone() name=name.clone() type=input_type inputmode=input_mode autocomplete=autocomplete
                        maxlength=max_length value=text_value.clone() required=required aria-invalid=invalid
                        aria-describedby=described.clone()
                        on:input=move |event| edit(event_target_value(&event)) on:change=move |_| leave.run(())/>
                    {suffix}
                </span>
            }
            .into_any()
        }
    };
    let label_for = (field.field_type != FieldType::MultiSelect).then(|| id.clone());
    view! {
        <div class="field" class:has-error=move || problem.with(Option::is_some)>
            <label id=format!("{id}-label") for=label_for>
                {move || text_in(&label, lang.get())}
                {(!required).then(|| view! { <span class="optional">{tr(Msg::ApplyOptional)}</span> })}
            </label>
            {help.map(|help| view! { <p id=help_id class="help">{move || text_in(&help, lang.get())}</p> })}
            {control}
            <p id=error_id class="field-error" aria-live="polite">
                {move || problem.get().map(|problem| value_problem_text(problem, lang.get()))}
            </p>
        </div>
    }
}

/// 我的办件: notifications, drafts to continue, submitted cases.
#[component]
pub fn MyApplicationsPage() -> impl IntoView {
    let mine = Resource::new(|| (), |_| load_my_applications());
    let read = ServerAction::<ReadNotifications>::new();
    let notifications = Resource::new(move || read.version().get(), |_| my_notifications());
    view! {
        <Guarded access=access::APPLICANTS children=move |_user| view! {
            <section class="workspace" data-testid="workspace-applicant" aria-labelledby="workspace-title">
                <h1 id="workspace-title">{tr(Msg::MyCasesTitle)}</h1>
                <Suspense fallback=|| view! { <p class="loading">{tr(Msg::Loading)}</p> }>
                    {move || Suspend::new(async move {
                        match notifications.await {
                            Ok((list, unread)) => view! { <NotificationList list unread read/> }.into_any(),
                            Err(error) => view! { <ErrorList error/> }.into_any(),
                        }
                    })}
                </Suspense>
                <Suspense fallback=|| view! { <p class="loading">{tr(Msg::Loading)}</p> }>
                    {move || Suspend::new(async move {
                        match mine.await {
                            Ok(mine) => view! { <MyLists mine/> }.into_any(),
                            Err(error) => view! { <ErrorList error/> }.into_any(),
                        }
                    })}
                </Suspense>
            </section>
        }/>
    }
}

#[component]
fn NotificationList(
    list: Vec<crate::api::Notification>,
    unread: i64,
    read: ServerAction<ReadNotifications>,
) -> impl IntoView {
    let lang = use_lang();
    view! {
        <section class="notifications" aria-labelledby="notifications-title" data-testid="notifications">
            <h2 id="notifications-title">
                {tr(Msg::NotificationsTitle)}
                {(unread > 0).then(|| view! { " " <span class="badge unread" data-testid="unread-count">{unread} " " {tr(Msg::NotificationsUnread)}</span> })}
            </h2>
            {if list.is_empty() {
                view! { <p class="empty-state">{tr(Msg::NotificationsNone)}</p> }.into_any()
            } else {
                view! {
                    <ul class="notification-list">
                        {list.into_iter().take(5).map(|notification| {
                            let kind = notification.kind.clone();
                            let number = notification.case_number.clone();
                            view! {
                                <li class:unread=notification.unread>
                                    <span>{move || notification_text(&kind, lang.get())}</span>
                                    {number.map(|number| view! { " · " <A href=format!("/my/cases/{number}")>{number.clone()}</A> })}
                                    " · " <time>{format_time(notification.at)}</time>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                    {(unread > 0).then(|| view! {
                        <ActionForm action=read>
                            <button type="submit" class="link-button">{tr(Msg::NotificationsMarkRead)}</button>
                        </ActionForm>
                    })}
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn MyLists(mine: MyApplications) -> impl IntoView {
    let lang = use_lang();
    let MyApplications { cases, drafts } = mine;
    view! {
        <section aria-labelledby="drafts-title">
            <h2 id="drafts-title">{tr(Msg::MyDrafts)}</h2>
            {if drafts.is_empty() {
                view! { <p class="empty-state">{tr(Msg::MyNoDrafts)}</p> }.into_any()
            } else {
                view! {
                    <ul class="card-list" data-testid="draft-list">
                        {drafts.into_iter().map(|draft| {
                            let title = draft.title.clone();
                            view! {
                                <li class="card">
                                    <strong>{move || text_in(&title, lang.get())}</strong>
                                    <span class="meta">{tr(Msg::MySavedAt)} " " {format_time(draft.updated_at)}</span>
                                    <A href=format!("/apply/{}", draft.draft_id) attr:class="button">{tr(Msg::MyContinue)}</A>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
        <section aria-labelledby="cases-title">
            <h2 id="cases-title">{tr(Msg::MyCasesList)}</h2>
            {if cases.is_empty() {
                view! {
                    <p class="empty-state" role="status">{tr(Msg::MyCasesEmpty)}</p>
                    <p><A href="/catalogue">{tr(Msg::NavCatalogue)}</A></p>
                }.into_any()
            } else {
                view! {
                    <ul class="card-list" data-testid="case-list">
                        {cases.into_iter().map(|case| {
                            let title = case.title.clone();
                            let status = case.status;
                            view! {
                                <li class="card">
                                    <A href=format!("/my/cases/{}", case.number)><strong>{case.number.clone()}</strong></A>
                                    <span>{move || text_in(&title, lang.get())}</span>
                                    <span class="status" data-status=status.code()>{move || case_status_text(status, lang.get())}</span>
                                    <span class="meta">{tr(Msg::CaseSubmittedAt)} " " {format_time(case.submitted_at)}</span>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

/// `/my/cases/:number`: one case, its status in plain words and its timeline.
#[component]
pub fn CasePage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let withdraw = ServerAction::<WithdrawCase>::new();
    let case = Resource::new(
        move || {
            (
                params.get().get("number").unwrap_or_default(),
                withdraw.version().get(),
            )
        },
        |(number, _)| load_case(number),
    );
    let just_submitted = move || query.get().get("new").is_some();
    view! {
        <Guarded access=access::APPLICANTS children=move |_user| view! {
            <Suspense fallback=|| view! { <p class="loading">{tr(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match case.await {
                        Ok(case) => view! {
                            <Show when=just_submitted>
                                <p class="success" role="status" data-testid="submitted-notice">{tr(Msg::CaseSubmittedNow)}</p>
                            </Show>
                            <CaseView case withdraw/>
                        }.into_any(),
                        Err(error) => {
                            platform::set_page_status(error.status());
                            view! { <ErrorList error/> <p><A href="/my/cases">{tr(Msg::CaseBackToList)}</A></p> }.into_any()
                        }
                    }
                })}
            </Suspense>
        }/>
    }
}

fn actor_text(role: &str, lang: Lang) -> &'static str {
    match Role::parse(role) {
        Ok(role) => role_name(role, lang),
        Err(_) => Msg::ActorSystem.text(lang),
    }
}

#[component]
fn CaseView(case: CaseDetail, withdraw: ServerAction<WithdrawCase>) -> impl IntoView {
    let lang = use_lang();
    let CaseDetail {
        number,
        title,
        status,
        submitted_at,
        items,
        fields,
        files,
        timeline,
        credit_level,
        may_withdraw,
        commitment_record,
        progress,
        issuance,
        ..
    } = case;
    let confirm = RwSignal::new(false);
    let number_for_form = StoredValue::new(number.clone());
    view! {
        <article class="case" aria-labelledby="case-title" data-testid="case-page">
            <h1 id="case-title">{move || text_in(&title, lang.get())}</h1>
            <dl class="facts">
                <dt>{tr(Msg::CaseNumberLabel)}</dt><dd data-testid="case-number">{number.clone()}</dd>
                <dt>{tr(Msg::CaseStatusLabel)}</dt>
                <dd data-testid="case-status" data-status=status.code()>{move || case_status_text(status, lang.get())}</dd>
                <dt>{tr(Msg::CaseSubmittedAt)}</dt><dd>{format_time(submitted_at)}</dd>
            </dl>
            <Show when=move || credit_level == CreditLevel::Warn>
                <p class="notice">{tr(Msg::CaseCreditWarn)}</p>
            </Show>
            <super::back_office::ProgressSection progress timeline=Vec::new() for_applicant=true number=number.clone()/>
            <super::issuance::IssuanceSection number=number.clone() issuance/>
            <section aria-labelledby="timeline-title">
                <h2 id="timeline-title">{tr(Msg::CaseTimeline)}</h2>
                <ol class="timeline" data-testid="case-timeline">
                    {timeline.into_iter().map(|step| {
                        let kind = step.kind.clone();
                        let role = step.actor_role.clone();
                        view! {
                            <li data-kind=step.kind.clone()>
                                <strong>{move || case_event_text(&kind, lang.get())}</strong>
                                <span class="meta">
                                    <time>{format_time(step.at)}</time>
                                    " · " {tr(Msg::CaseBy)} " " {move || actor_text(&role, lang.get())}
                                    {step.deadline_at.map(|deadline| view! { " · " {tr(Msg::CaseDeadline)} " " {format_time(deadline)} })}
                                </span>
                                {step.note.clone().map(|note| view! { <p>{note}</p> })}
                            </li>
                        }
                    }).collect_view()}
                </ol>
            </section>
            <section aria-labelledby="items-title">
                <h2 id="items-title">{tr(Msg::CaseItems)}</h2>
                <ul>
                    {items.into_iter().map(|item| {
                        let name = item.name.clone();
                        view! {
                            <li>
                                <A href=format!("/catalogue/items/{}?version={}", item.code, item.version)>
                                    {move || text_in(&name, lang.get())}
                                </A>
                                " (" {item.code.clone()} ", " {tr(Msg::CaseVersion)} " " {item.version} ")"
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </section>
            <section aria-labelledby="filled-title">
                <h2 id="filled-title">{tr(Msg::CaseFilled)}</h2>
                <dl class="filled">
                    {fields.into_iter().map(|field| {
                        let label = field.label.clone();
                        view! { <dt>{move || text_in(&label, lang.get())}</dt><dd>{field.value.clone()}</dd> }
                    }).collect_view()}
                </dl>
            </section>
            {commitment_record.map(|record| view! {
                <p><a href=format!("/files/commitment/{record}") target="_blank" rel="noopener"
                    data-testid="case-commitment-pdf">{tr(Msg::SignPdf)}</a></p>
            })}
            <section aria-labelledby="files-title">
                <h2 id="files-title">{tr(Msg::GuideMaterials)}</h2>
                <ul class="file-list" data-testid="case-files">
                    {files.into_iter().map(|filed| {
                        let material = filed.material.clone();
                        view! {
                            <li>
                                <span>{move || text_in(&material, lang.get())}</span> ": "
                                <a href=format!("/files/{}", filed.file.id) target="_blank" rel="noopener">{filed.file.file_name.clone()}</a>
                                <span class="meta">" " {file_size_text(filed.file.size_bytes)}</span>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </section>
            {action_error(withdraw.value())}
            <Show when=move || matches!(withdraw.value().get(), Some(Ok(())))>
                <p class="success" role="status">{tr(Msg::CaseWithdrawnNow)}</p>
            </Show>
            {may_withdraw.then(|| view! {
                <section class="withdraw" aria-labelledby="withdraw-title">
                    <h2 id="withdraw-title">{tr(Msg::CaseWithdraw)}</h2>
                    <p class="help">{tr(Msg::CaseWithdrawHelp)}</p>
                    <Show when=move || confirm.get() fallback=move || view! {
                        <button type="button" class="button" on:click=move |_| confirm.set(true)>{tr(Msg::CaseWithdraw)}</button>
                    }>
                        <ActionForm action=withdraw>
                            <input type="hidden" name="number" value=number_for_form.get_value()/>
                            <button type="submit" class="button danger" data-testid="confirm-withdraw">{tr(Msg::CaseWithdraw)}</button>
                        </ActionForm>
                    </Show>
                </section>
            })}
            <p><A href="/my/cases">{tr(Msg::CaseBackToList)}</A></p>
        </article>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_ids_are_safe_for_html_and_fragments() {
        assert_eq!(
            field_dom_id("SCJG-XK-001/shop_name"),
            "f-SCJG-XK-001-shop_name"
        );
        assert_eq!(field_dom_id("a b\"c"), "f-a-b-c");
    }

    #[test]
    fn the_first_text_of_a_value_fills_single_inputs() {
        assert_eq!(first_text(Some(&RawValue::One("x".into()))), "x");
        assert_eq!(first_text(None), "");
    }
}
