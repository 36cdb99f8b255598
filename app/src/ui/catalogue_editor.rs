//! The catalogue editor of the service office (`/admin/catalogue`): the list of items and
//! bundles in every state, and an editor for each that saves drafts, previews the guide,
//! publishes a draft as the version the public sees, withdraws an entry and shows the history.
//!
//! The form keeps the whole spec in one signal. Inputs start from the stored value and write
//! back on every keystroke; lists re-render only when rows are added, moved or removed, so typing
//! never moves the cursor. The catalogue rules run here on every change (the same code the server
//! runs, authoritatively, on save and publish) and their messages sit beside the inputs.

use std::sync::Arc;

use leptos::prelude::*;
use leptos_router::components::{A, Form};
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

use super::catalogue::{BundleGuideView, ItemGuideView, text_in};
use super::common::{ErrorList, Guarded, tr, use_lang};
use crate::access;
use crate::api::{
    AdminBundle, AdminCatalogueRow, AdminItem, AdminPublishBundle, AdminPublishItem,
    AdminSaveBundle, AdminSaveItem, AdminUnpublishBundle, AdminUnpublishItem, AdminVersion,
    AppError, BundleGuide, CatalogueQuery, ItemGuide, Organisation, SavedVersion,
    admin_catalogue_list, admin_load_bundle, admin_load_item, admin_shared_fields, load_item_guide,
    load_organisation, search_catalogue,
};
use crate::domain::catalogue::{
    BundleSpec, ChoiceOption, Commitment, DeliveryMode, FieldRules, FieldType, FileType, FormField,
    IdentityLevel, ItemKind, LicenceSpec, LocatedProblem, Material, OnlineLevel, ServiceItemSpec,
    Text,
};
use crate::i18n::{Lang, Msg, spec_problem_fix, spec_problem_text};

/// `2026-11-24 09:30` in China Standard Time (UTC+8), from Unix milliseconds.
pub fn format_time(ms: i64) -> String {
    let secs = ms.div_euclid(1000) + 8 * 3600;
    let days = secs.div_euclid(86_400);
    let rest = secs.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}",
        rest / 3600,
        rest % 3600 / 60
    )
}

fn msg_text(msg: Msg) -> Text {
    Text {
        zh: msg.text(Lang::Zh).to_owned(),
        en: msg.text(Lang::En).to_owned(),
    }
}

fn set_text(text: &mut Text, lang: Lang, value: String) {
    match lang {
        Lang::Zh => text.zh = value,
        Lang::En => text.en = value,
    }
}

/// The live problems of the form, and whether to show them yet (after the first save attempt,
/// so a new form does not open covered in red).
#[derive(Clone, Copy)]
struct Checks {
    problems: Memo<Vec<LocatedProblem>>,
    show: RwSignal<bool>,
}

impl Checks {
    /// The messages at `path` exactly (just the fix) or, with `inside`, also within it (with
    /// the place named).
    fn at(self, path: String, inside: bool) -> impl IntoView {
        let lang = use_lang();
        move || {
            if !self.show.get() {
                return None;
            }
            let lines: Vec<String> = self.problems.with(|problems| {
                problems
                    .iter()
                    .filter(|problem| {
                        problem.path == path
                            || (inside
                                && (problem.path.starts_with(&format!("{path}."))
                                    || problem.path.starts_with(&format!("{path}["))))
                    })
                    .map(|problem| {
                        if problem.path == path {
                            spec_problem_fix(&problem.problem, lang.get())
                        } else {
                            spec_problem_text(problem, lang.get())
                        }
                    })
                    .collect()
            });
            (!lines.is_empty()).then(|| {
                view! {
                    <ul class="field-errors" role="alert">
                        {lines.into_iter().map(|line| view! { <li>{line}</li> }).collect_view()}
                    </ul>
                }
            })
        }
    }
}

// Each input helper is a thin generic shim that reads the initial value and boxes the setter,
// then calls a body generic only over the spec type: the view code is compiled twice (items,
// bundles) instead of once per call site, which keeps the browser bundle small.

/// Writes a value into the spec.
type Setter<T, V> = Arc<dyn Fn(&mut T, V) + Send + Sync>;
/// Reads a list of codes from the spec.
type CodesGetter<T> = Arc<dyn Fn(&T) -> Vec<String> + Send + Sync>;

/// A one-line text input bound to a part of the spec.
fn text_input<T: Send + Sync + 'static>(
    spec: RwSignal<T>,
    id: String,
    label: Msg,
    get: impl Fn(&T) -> String,
    set: impl Fn(&mut T, String) + Send + Sync + 'static,
    readonly: bool,
) -> AnyView {
    let initial = spec.with_untracked(|value| get(value));
    text_input_view(spec, id, label, initial, Arc::new(set), readonly)
}

fn text_input_view<T: Send + Sync + 'static>(
    spec: RwSignal<T>,
    id: String,
    label: Msg,
    initial: String,
    set: Setter<T, String>,
    readonly: bool,
) -> AnyView {
    view! {
        <label for=id.clone()>{tr(label)}</label>
        <input id=id type="text" value=initial readonly=readonly autocomplete="off"
            on:input=move |event| {
                let value = event_target_value(&event);
                spec.update(|spec| set(spec, value));
            }/>
    }
    .into_any()
}

/// A bilingual text: a fieldset with a Chinese and an English input (or text area).
fn text_pair<T: Send + Sync + 'static>(
    spec: RwSignal<T>,
    id: String,
    label: Msg,
    get: impl Fn(&T) -> Option<Text>,
    set: impl Fn(&mut T, Lang, String) + Send + Sync + 'static,
    multiline: bool,
) -> AnyView {
    let initial = spec.with_untracked(|value| get(value)).unwrap_or_default();
    let set: Setter<T, (Lang, String)> =
        Arc::new(move |spec, (lang, value)| set(spec, lang, value));
    text_pair_view(spec, id, label, initial, set, multiline)
}

fn text_pair_view<T: Send + Sync + 'static>(
    spec: RwSignal<T>,
    id: String,
    label: Msg,
    initial: Text,
    set: Setter<T, (Lang, String)>,
    multiline: bool,
) -> AnyView {
    let input = move |lang: Lang, value: String| {
        let id = format!("{id}-{}", lang.code());
        let label = if lang == Lang::Zh {
            Msg::EditorChinese
        } else {
            Msg::EditorEnglish
        };
        let set = set.clone();
        let on_input = move |event: leptos::ev::Event| {
            let value = event_target_value(&event);
            spec.update(|spec| set(spec, (lang, value)));
        };
        let field = if multiline {
            view! { <textarea id=id.clone() rows="3" lang=lang.tag() on:input=on_input>{value}</textarea> }
                .into_any()
        } else {
            view! { <input id=id.clone() type="text" lang=lang.tag() value=value autocomplete="off" on:input=on_input/> }
                .into_any()
        };
        view! { <label for=id class="sub-label">{tr(label)}</label> {field} }
    };
    view! {
        <fieldset class="text-pair">
            <legend>{tr(label)}</legend>
            {input(Lang::Zh, initial.zh)}
            {input(Lang::En, initial.en)}
        </fieldset>
    }
    .into_any()
}

/// A number input; the raw text goes to `set`, which decides what it means.
fn number_input<T: Send + Sync + 'static>(
    spec: RwSignal<T>,
    id: String,
    label: Msg,
    get: impl Fn(&T) -> String,
    set: impl Fn(&mut T, &str) + Send + Sync + 'static,
) -> AnyView {
    let initial = spec.with_untracked(|value| get(value));
    let set: Setter<T, String> = Arc::new(move |spec, value| set(spec, value.trim()));
    number_input_view(spec, id, label, initial, set)
}

fn number_input_view<T: Send + Sync + 'static>(
    spec: RwSignal<T>,
    id: String,
    label: Msg,
    initial: String,
    set: Setter<T, String>,
) -> AnyView {
    view! {
        <label for=id.clone()>{tr(label)}</label>
        <input id=id type="number" inputmode="decimal" value=initial step="any"
            on:input=move |event| {
                let value = event_target_value(&event);
                spec.update(|spec| set(spec, value));
            }/>
    }
    .into_any()
}

fn checkbox<T: Send + Sync + 'static>(
    spec: RwSignal<T>,
    id: String,
    label: Text,
    get: impl Fn(&T) -> bool,
    set: impl Fn(&mut T, bool) + Send + Sync + 'static,
) -> AnyView {
    let initial = spec.with_untracked(|value| get(value));
    checkbox_view(spec, id, label, initial, Arc::new(set))
}

fn checkbox_view<T: Send + Sync + 'static>(
    spec: RwSignal<T>,
    id: String,
    label: Text,
    initial: bool,
    set: Setter<T, bool>,
) -> AnyView {
    let lang = use_lang();
    let input_id = id.clone();
    view! {
        <label class="check" for=id>
            <input id=input_id type="checkbox" checked=initial
                on:change=move |event| {
                    let checked = event_target_checked(&event);
                    spec.update(|spec| set(spec, checked));
                }/>
            {move || text_in(&label, lang.get())}
        </label>
    }
    .into_any()
}

/// A select among `options` (value, label).
fn select<T: Send + Sync + 'static>(
    spec: RwSignal<T>,
    id: String,
    label: Msg,
    options: Vec<(String, Text)>,
    get: impl Fn(&T) -> String,
    set: impl Fn(&mut T, String) + Send + Sync + 'static,
) -> AnyView {
    let initial = spec.with_untracked(|value| get(value));
    select_view(spec, id, label, options, initial, Arc::new(set))
}

fn select_view<T: Send + Sync + 'static>(
    spec: RwSignal<T>,
    id: String,
    label: Msg,
    options: Vec<(String, Text)>,
    initial: String,
    set: Setter<T, String>,
) -> AnyView {
    let lang = use_lang();
    view! {
        <label for=id.clone()>{tr(label)}</label>
        <select id=id on:change=move |event| {
            let value = event_target_value(&event);
            spec.update(|spec| set(spec, value));
        }>
            {options.into_iter().map(|(value, text)| {
                let selected = value == initial;
                view! { <option value=value selected=selected>{move || text_in(&text, lang.get())}</option> }
            }).collect_view()}
        </select>
    }
    .into_any()
}

/// What a row button does.
#[derive(Clone, Copy)]
enum RowAction {
    Up,
    Down,
    Remove,
}

/// Up, down and remove buttons for row `index` of a list inside the spec.
fn row_buttons<T: Send + Sync + 'static, E: 'static>(
    spec: RwSignal<T>,
    list: impl Fn(&mut T) -> &mut Vec<E> + Send + Sync + 'static,
    index: usize,
    what: Msg,
) -> AnyView {
    let act: Setter<T, RowAction> = Arc::new(move |spec, action| {
        let rows = list(spec);
        match action {
            RowAction::Up if index > 0 && index < rows.len() => rows.swap(index - 1, index),
            RowAction::Down if index + 1 < rows.len() => rows.swap(index, index + 1),
            RowAction::Remove if index < rows.len() => {
                rows.remove(index);
            }
            _ => {}
        }
    });
    row_buttons_view(spec, act, index, what)
}

fn row_buttons_view<T: Send + Sync + 'static>(
    spec: RwSignal<T>,
    act: Setter<T, RowAction>,
    index: usize,
    what: Msg,
) -> AnyView {
    let lang = use_lang();
    let label = move |action: Msg| {
        format!(
            "{} {} {}",
            action.text(lang.get()),
            what.text(lang.get()),
            index + 1
        )
    };
    let button = move |action: RowAction, text: AnyView, aria: Msg, class: &'static str| {
        let act = act.clone();
        view! {
            <button type="button" class=class aria-label=move || label(aria)
                disabled=matches!(action, RowAction::Up) && index == 0
                on:click=move |_| spec.update(|spec| act(spec, action))>{text}</button>
        }
    };
    view! {
        <div class="row-buttons">
            {button(RowAction::Up, "↑".into_any(), Msg::EditorMoveUp, "button small")}
            {button(RowAction::Down, "↓".into_any(), Msg::EditorMoveDown, "button small")}
            {button(RowAction::Remove, tr(Msg::EditorRemove).into_any(), Msg::EditorRemove, "button small danger")}
        </div>
    }
    .into_any()
}

/// A group of checkboxes choosing a subset of `choices`, kept in the order of `choices`.
fn choice_set<T: Send + Sync + 'static>(
    spec: RwSignal<T>,
    id: String,
    legend: Msg,
    choices: Vec<(String, Text)>,
    get: impl Fn(&T) -> Vec<String> + Send + Sync + 'static,
    set: impl Fn(&mut T, Vec<String>) + Send + Sync + 'static,
) -> AnyView {
    choice_set_view(spec, id, legend, choices, Arc::new(get), Arc::new(set))
}

fn choice_set_view<T: Send + Sync + 'static>(
    spec: RwSignal<T>,
    id: String,
    legend: Msg,
    choices: Vec<(String, Text)>,
    get: CodesGetter<T>,
    set: Setter<T, Vec<String>>,
) -> AnyView {
    let order: Vec<String> = choices.iter().map(|(value, _)| value.clone()).collect();
    let boxes = choices
        .into_iter()
        .map(|(value, text)| {
            let order = order.clone();
            let box_id = format!("{id}-{value}");
            let chosen = value.clone();
            let (get_now, get_then, set) = (get.clone(), get.clone(), set.clone());
            checkbox(
                spec,
                box_id,
                text,
                move |spec| get_now(spec).contains(&chosen),
                move |spec, checked| {
                    let mut current = get_then(spec);
                    current.retain(|code| code != &value);
                    if checked {
                        current.push(value.clone());
                    }
                    current.sort_by_key(|code| order.iter().position(|known| known == code));
                    set(spec, current);
                },
            )
        })
        .collect_view();
    view! {
        <fieldset class="choice-set">
            <legend>{tr(legend)}</legend>
            {boxes}
        </fieldset>
    }
    .into_any()
}

const fn kind_msg(kind: ItemKind) -> Msg {
    match kind {
        ItemKind::Licensing => Msg::KindLicensing,
        ItemKind::Confirmation => Msg::KindConfirmation,
        ItemKind::Filing => Msg::KindFiling,
        ItemKind::PublicService => Msg::KindPublicService,
    }
}

const FIELD_TYPES: [(FieldType, Msg); 12] = [
    (FieldType::Text, Msg::TypeText),
    (FieldType::Number, Msg::TypeNumber),
    (FieldType::Money, Msg::TypeMoney),
    (FieldType::Date, Msg::TypeDate),
    (FieldType::Select, Msg::TypeSelect),
    (FieldType::MultiSelect, Msg::TypeMultiSelect),
    (FieldType::Address, Msg::TypeAddress),
    (FieldType::ResidentId, Msg::TypeResidentId),
    (FieldType::CreditCode, Msg::TypeCreditCode),
    (FieldType::Phone, Msg::TypePhone),
    (FieldType::Email, Msg::TypeEmail),
    (FieldType::BusinessScope, Msg::TypeBusinessScope),
];

/// The serialised code of an enum value (`fully_online`).
fn code_of<E: serde::Serialize>(value: &E) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(code)) => code,
        _ => String::new(),
    }
}

fn from_code<E: serde::de::DeserializeOwned>(code: &str) -> Option<E> {
    serde_json::from_value(serde_json::Value::String(code.to_owned())).ok()
}

fn parse_rule<N: std::str::FromStr>(raw: &str) -> Option<N> {
    raw.parse().ok()
}

fn rule_text<N: ToString>(value: Option<N>) -> String {
    value.map(|value| value.to_string()).unwrap_or_default()
}

/// Options of a select field as text, one per line: `value|中文|English`.
fn options_text(options: &[ChoiceOption]) -> String {
    options
        .iter()
        .map(|option| format!("{}|{}|{}", option.value, option.label.zh, option.label.en))
        .collect::<Vec<_>>()
        .join("\n")
}

fn parse_options(text: &str) -> Vec<ChoiceOption> {
    text.lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let mut parts = line.split('|').map(str::trim);
            let value = parts.next().unwrap_or_default().to_owned();
            let zh = parts.next().unwrap_or_default().to_owned();
            let en = parts.next().unwrap_or_default().to_owned();
            ChoiceOption {
                value,
                label: Text { zh, en },
            }
        })
        .collect()
}

fn blank_item() -> ServiceItemSpec {
    ServiceItemSpec {
        code: String::new(),
        name: Text::default(),
        kind: ItemKind::Licensing,
        responsible_department: String::new(),
        approving_departments: Vec::new(),
        legal_basis: Text::default(),
        conditions: Text::default(),
        materials: vec![blank_material(1)],
        form: vec![blank_field()],
        promised_days: 5,
        statutory_days: 20,
        fee: msg_text(Msg::EditorFree),
        online_level: OnlineLevel::FullyOnline,
        visit_reason: None,
        delivery_modes: vec![DeliveryMode::Download, DeliveryMode::Email],
        commitment: None,
        instant_approval: false,
        identity_level: IdentityLevel::L2,
        licences: Vec::new(),
        accepting_centres: Vec::new(),
    }
}

fn blank_material(number: usize) -> Material {
    Material {
        code: format!("M{number:02}"),
        name: Text::default(),
        description: Text::default(),
        required: true,
        accepted_types: vec![FileType::Pdf, FileType::Jpg, FileType::Png],
        template: None,
    }
}

fn blank_field() -> FormField {
    FormField {
        key: String::new(),
        label: Text::default(),
        field_type: FieldType::Text,
        required: true,
        help: None,
        rules: FieldRules::default(),
        options: Vec::new(),
    }
}

/// Drops the rules and options a field type does not take (after its type changed).
fn fit_rules_to_type(field: &mut FormField) {
    let kind = field.field_type;
    if !matches!(
        kind,
        FieldType::Text | FieldType::Address | FieldType::BusinessScope
    ) {
        field.rules.min_length = None;
        field.rules.max_length = None;
    }
    if !matches!(kind, FieldType::Number | FieldType::Money) {
        field.rules.min = None;
        field.rules.max = None;
    }
    if kind != FieldType::MultiSelect {
        field.rules.max_selected = None;
    }
    if !matches!(kind, FieldType::Select | FieldType::MultiSelect) {
        field.options.clear();
    }
}

// ---------------------------------------------------------------------------------------------
// The list page

#[component]
pub fn CatalogueAdminPage() -> impl IntoView {
    view! { <Guarded access=access::ADMINS children=|_| view! { <CatalogueAdminList/> }/> }
}

fn status_badge(row: &AdminCatalogueRow) -> impl IntoView + use<> {
    let published = row.current_version;
    let latest = row.latest_version;
    let draft = row.has_draft();
    view! {
        {match published {
            Some(version) => view! { <span class="badge online">{tr(Msg::EditorPublished)} " v" {version}</span> }.into_any(),
            None => view! { <span class="badge visit">{tr(Msg::EditorNotPublished)}</span> }.into_any(),
        }}
        {draft.then(|| view! { " " <span class="badge commitment">{tr(Msg::EditorDraft)} " v" {latest}</span> })}
    }
}

#[component]
fn CatalogueAdminList() -> impl IntoView {
    let lang = use_lang();
    let query = use_query_map();
    let q = Memo::new(move |_| query.read().get("q").unwrap_or_default());
    let page = Memo::new(move |_| {
        query
            .read()
            .get("page")
            .and_then(|page| page.parse::<u32>().ok())
            .unwrap_or(1)
    });
    let list = Resource::new(
        move || (q.get(), page.get()),
        |(q, page)| admin_catalogue_list(q, page),
    );
    view! {
        <section class="workspace" data-testid="catalogue-admin" aria-labelledby="catalogue-admin-title">
            <h1 id="catalogue-admin-title">{tr(Msg::EditorListTitle)}</h1>
            <p>{tr(Msg::EditorListIntro)}</p>
            <p class="actions">
                <A href="/admin/catalogue/items/new" attr:class="button primary">{tr(Msg::EditorNewItem)}</A>
                " "
                <A href="/admin/catalogue/bundles/new" attr:class="button">{tr(Msg::EditorNewBundle)}</A>
            </p>
            <Form method="GET" action="/admin/catalogue" attr:class="form search-form" attr:role="search">
                <label for="admin-q">{tr(Msg::EditorSearchLabel)}</label>
                <input id="admin-q" name="q" type="search" maxlength="100" value=move || q.get()/>
                <button type="submit" class="button">{tr(Msg::CatalogueSearchSubmit)}</button>
            </Form>
            <Transition fallback=|| view! { <p class="loading">{tr(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Err(error) => view! { <ErrorList error/> }.into_any(),
                        Ok(list) => {
                            let page = list.page;
                            let has_next = u64::from(page) * u64::from(list.per_page) < list.total;
                            let link = move |page: u32| format!("/admin/catalogue?q={}&page={page}", super::catalogue::urlencode(&q.get_untracked()));
                            let rows = |rows: Vec<AdminCatalogueRow>, kind: &'static str| rows.into_iter().map(|row| {
                                let name = row.name.clone();
                                let href = format!("/admin/catalogue/{kind}/{}", row.code);
                                view! {
                                    <tr data-testid=format!("admin-row-{}", row.code)>
                                        <td><code>{row.code.clone()}</code></td>
                                        <td><A href=href>{move || text_in(&name, lang.get())}</A></td>
                                        <td>{status_badge(&row)}</td>
                                    </tr>
                                }
                            }).collect_view();
                            let head = move || view! {
                                <thead><tr>
                                    <th scope="col">{tr(Msg::GuideCode)}</th>
                                    <th scope="col">{tr(Msg::EditorName)}</th>
                                    <th scope="col">{tr(Msg::AdminStatus)}</th>
                                </tr></thead>
                            };
                            view! {
                                <h2>{tr(Msg::EditorBundles)}</h2>
                                <div class="table-scroll"><table data-testid="admin-bundles">{head()}<tbody>{rows(list.bundles, "bundles")}</tbody></table></div>
                                <h2>{tr(Msg::EditorItems)} " (" {list.total} ")"</h2>
                                <div class="table-scroll"><table data-testid="admin-items">{head()}<tbody>{rows(list.items, "items")}</tbody></table></div>
                                <nav class="pager" aria-label=move || Msg::CataloguePage.text(lang.get())>
                                    {(page > 1).then(|| view! { <A href=link(page - 1)>{tr(Msg::CataloguePrevious)}</A> })}
                                    {has_next.then(|| view! { <A href=link(page + 1)>{tr(Msg::CatalogueNext)}</A> })}
                                </nav>
                            }.into_any()
                        }
                    }
                })}
            </Transition>
        </section>
    }
}

// ---------------------------------------------------------------------------------------------
// Shared by both editors

/// The history table: every stored version, with links to the published ones' guides.
/// Published versions link to `public_path?version=n` when the public page can show them.
fn history_table(
    versions: Vec<AdminVersion>,
    current: Option<i64>,
    public_path: Option<String>,
) -> AnyView {
    view! {
        <h2>{tr(Msg::GuideHistory)}</h2>
        <div class="table-scroll">
            <table data-testid="editor-history">
                <thead><tr>
                    <th scope="col">{tr(Msg::GuideVersion)}</th>
                    <th scope="col">{tr(Msg::AdminStatus)}</th>
                    <th scope="col">{tr(Msg::EditorSavedAt)}</th>
                    <th scope="col">{tr(Msg::EditorSavedBy)}</th>
                </tr></thead>
                <tbody>
                    {versions.into_iter().map(|version| {
                        let number = version.version;
                        let status = match (version.published_at, Some(number) == current) {
                            (_, true) => Msg::EditorCurrent,
                            (Some(_), false) => Msg::EditorEarlier,
                            (None, false) => Msg::EditorDraft,
                        };
                        let link = version.published_at.zip(public_path.clone()).map(|(_, path)| {
                            let href = format!("{path}?version={number}");
                            view! { <A href=href>{tr(Msg::EditorViewGuide)}</A> }
                        });
                        view! {
                            <tr data-testid=format!("history-v{number}")>
                                <td>"v" {number}</td>
                                <td>{tr(status)} " " {link}</td>
                                <td>{format_time(version.published_at.unwrap_or(version.created_at))}</td>
                                <td>{version.created_by.clone()}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

/// Status line, and the outcome of the last action.
fn publication_status(latest: i64, current: Option<i64>) -> AnyView {
    view! {
        <p class="status-line" data-testid="editor-status">
            {match current {
                Some(version) => view! { {tr(Msg::EditorPublicVersion)} " v" {version} }.into_any(),
                None => view! { {tr(Msg::EditorNotPublished)} }.into_any(),
            }}
            {(current != Some(latest)).then(|| view! { " · " {tr(Msg::EditorDraftWaiting)} " v" {latest} })}
        </p>
    }
    .into_any()
}

/// The result of the editor's last action, for the loader to announce after a reload.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Done {
    Saved,
    Unchanged,
    Published,
    Unpublished,
}

fn done_message(done: RwSignal<Option<Done>>) -> impl IntoView {
    move || {
        done.get().map(|done| {
            let msg = match done {
                Done::Saved => Msg::EditorSavedDraft,
                Done::Unchanged => Msg::EditorNothingChanged,
                Done::Published => Msg::EditorPublishedNow,
                Done::Unpublished => Msg::EditorUnpublishedNow,
            };
            view! { <p class="success" role="status" data-testid="editor-done">{tr(msg)}</p> }
        })
    }
}

/// The answers of an editor's three actions.
struct Outcomes {
    saved: Signal<Option<Result<SavedVersion, AppError>>>,
    published: Signal<Option<Result<(), AppError>>>,
    unpublished: Signal<Option<Result<(), AppError>>>,
}

/// Announces each successful action and reloads the entry (a new one is opened at its own
/// address via `open_created`); gives the error of the last refused action, if any.
fn follow_outcomes(
    outcomes: Outcomes,
    done: RwSignal<Option<Done>>,
    reload: RwSignal<u32>,
    open_created: impl Fn(String) + 'static,
    new_code: impl Fn() -> Option<String> + 'static,
) -> Memo<Option<AppError>> {
    let Outcomes {
        saved,
        published,
        unpublished,
    } = outcomes;
    Effect::new(move |_| {
        if let Some(Ok(saved)) = saved.get() {
            done.set(Some(if saved.changed {
                Done::Saved
            } else {
                Done::Unchanged
            }));
            match new_code() {
                Some(code) => open_created(code),
                None => reload.update(|count| *count += 1),
            }
        }
    });
    for (outcome, announce) in [
        (published, Done::Published),
        (unpublished, Done::Unpublished),
    ] {
        Effect::new(move |_| {
            if let Some(Ok(())) = outcome.get() {
                done.set(Some(announce));
                reload.update(|count| *count += 1);
            }
        });
    }
    Memo::new(move |_| {
        [
            saved.get().and_then(Result::err),
            published.get().and_then(Result::err),
            unpublished.get().and_then(Result::err),
        ]
        .into_iter()
        .flatten()
        .next()
    })
}

// ---------------------------------------------------------------------------------------------
// Item editor

#[component]
pub fn ItemEditorPage() -> impl IntoView {
    view! { <Guarded access=access::ADMINS children=|_| view! { <ItemEditorLoader/> }/> }
}

#[component]
fn ItemEditorLoader() -> impl IntoView {
    let params = use_params_map();
    let code = Memo::new(move |_| params.read().get("code").unwrap_or_default());
    let reload = RwSignal::new(0_u32);
    let done = RwSignal::new(None::<Done>);
    let item = Resource::new(
        move || (code.get(), reload.get()),
        |(code, _)| async move {
            if code == "new" {
                Ok(None)
            } else {
                admin_load_item(code).await.map(Some)
            }
        },
    );
    let org = Resource::new(|| (), |_| load_organisation());
    view! {
        <Transition fallback=|| view! { <p class="loading">{tr(Msg::Loading)}</p> }>
            {move || Suspend::new(async move {
                match (org.await, item.await) {
                    (Ok(org), Ok(item)) => view! { <ItemEditor org item reload done/> }.into_any(),
                    (Err(error), _) | (_, Err(error)) => {
                        super::platform::set_page_status(error.status());
                        view! { <ErrorList error/> <p><A href="/admin/catalogue">{tr(Msg::EditorBackToList)}</A></p> }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

#[component]
fn ItemEditor(
    org: Organisation,
    item: Option<AdminItem>,
    reload: RwSignal<u32>,
    done: RwSignal<Option<Done>>,
) -> impl IntoView {
    let lang = use_lang();
    let is_new = item.is_none();
    let original = item
        .as_ref()
        .map_or_else(blank_item, |item| item.spec.clone());
    let spec = RwSignal::new(original.clone());
    let base_sha256 = item.as_ref().map(|item| item.latest_sha256.clone());
    let latest_version = item.as_ref().map_or(0, |item| item.latest_version);
    let current_version = item.as_ref().and_then(|item| item.current_version);
    let dirty = Memo::new(move |_| spec.with(|spec| *spec != original));

    let departments = org.departments.clone();
    let centres = org.service_centres.clone();
    let known_departments: Vec<String> = departments.iter().map(|d| d.code.clone()).collect();
    let known_centres: Vec<String> = centres.iter().map(|c| c.code.clone()).collect();
    let checks = Checks {
        problems: Memo::new(move |_| {
            spec.with(|spec| {
                spec.problems(
                    &|code| known_departments.iter().any(|known| known == code),
                    &|code| known_centres.iter().any(|known| known == code),
                )
            })
        }),
        show: RwSignal::new(!is_new),
    };

    let save = ServerAction::<AdminSaveItem>::new();
    let publish = ServerAction::<AdminPublishItem>::new();
    let unpublish = ServerAction::<AdminUnpublishItem>::new();
    let navigate = use_navigate();
    let new_code = move || is_new.then(|| spec.with_untracked(|spec| spec.code.clone()));
    let last_error = follow_outcomes(
        Outcomes {
            saved: save.value().into(),
            published: publish.value().into(),
            unpublished: unpublish.value().into(),
        },
        done,
        reload,
        move |code: String| {
            navigate(
                &format!("/admin/catalogue/items/{code}"),
                Default::default(),
            )
        },
        new_code,
    );
    let preview = RwSignal::new(false);
    let code = spec.with_untracked(|spec| spec.code.clone());
    let on_save = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        checks.show.set(true);
        done.set(None);
        save.dispatch(AdminSaveItem {
            spec: spec.get_untracked(),
            base_sha256: base_sha256.clone(),
        });
    };
    let department_options: Vec<(String, Text)> =
        std::iter::once((String::new(), msg_text(Msg::ChooseOne)))
            .chain(departments.iter().map(|d| {
                (
                    d.code.clone(),
                    Text {
                        zh: d.name.zh.clone(),
                        en: d.name.en.clone(),
                    },
                )
            }))
            .collect();
    let department_choices: Vec<(String, Text)> = departments
        .iter()
        .map(|d| {
            (
                d.code.clone(),
                Text {
                    zh: d.name.zh.clone(),
                    en: d.name.en.clone(),
                },
            )
        })
        .collect();
    let centre_choices: Vec<(String, Text)> = centres
        .iter()
        .map(|c| {
            (
                c.code.clone(),
                Text {
                    zh: c.name.zh.clone(),
                    en: c.name.en.clone(),
                },
            )
        })
        .collect();
    let preview_guide = {
        let departments = departments.clone();
        move || {
            let spec = spec.get_untracked();
            let mut shown = Vec::new();
            for code in
                std::iter::once(&spec.responsible_department).chain(&spec.approving_departments)
            {
                if let Some(department) = departments.iter().find(|d| &d.code == code)
                    && !shown
                        .iter()
                        .any(|known: &crate::api::Department| &known.code == code)
                {
                    shown.push(department.clone());
                }
            }
            ItemGuide {
                version: latest_version.max(1),
                published_at: 0,
                current_version: latest_version.max(1),
                history: Vec::new(),
                spec,
                departments: shown,
                bundles: Vec::new(),
            }
        }
    };
    let problem_count = move || checks.problems.with(Vec::len);

    view! {
        <section class="workspace editor" data-testid="item-editor" aria-labelledby="editor-title">
            <p><A href="/admin/catalogue">{tr(Msg::EditorBackToList)}</A></p>
            <h1 id="editor-title">
                {if is_new { tr(Msg::EditorNewItem)().to_owned() } else { format!("{} {code}", Msg::EditorEditItem.text(lang.get_untracked())) }}
            </h1>
            {item.as_ref().map(|item| publication_status(item.latest_version, item.current_version))}
            {done_message(done)}
            {move || last_error.get().map(|error| view! { <ErrorList error/> })}
            <div class="tabs" role="group" aria-label=move || Msg::EditorMode.text(lang.get())>
                <button type="button" class="button" aria-pressed=move || (!preview.get()).to_string()
                    on:click=move |_| preview.set(false)>{tr(Msg::EditorEditTab)}</button>
                <button type="button" class="button" aria-pressed=move || preview.get().to_string()
                    data-testid="editor-preview-tab"
                    on:click=move |_| preview.set(true)>{tr(Msg::EditorPreviewTab)}</button>
            </div>
            <div class="preview" data-testid="editor-preview" hidden=move || !preview.get()>
                {move || preview.get().then(|| view! {
                    <p class="help">{tr(Msg::EditorPreviewNote)}</p>
                    <ItemGuideView guide=preview_guide() heading_level=2/>
                })}
            </div>
            <form class="form editor-form" data-testid="item-form" hidden=move || preview.get() on:submit=on_save novalidate>
                {view! {
                <h2>{tr(Msg::EditorBasics)}</h2>
                {text_input(spec, "item-code".into(), Msg::GuideCode, |s| s.code.clone(), |s, v| s.code = v.trim().to_uppercase(), !is_new)}
                <p class="help">{tr(Msg::EditorCodeHelp)}</p>
                {checks.at("code".into(), false)}
                {text_pair(spec, "item-name".into(), Msg::EditorName, |s| Some(s.name.clone()), |s, l, v| set_text(&mut s.name, l, v), false)}
                {checks.at("name".into(), false)}
                {select(spec, "item-kind".into(), Msg::GuideKind,
                    [ItemKind::Licensing, ItemKind::Confirmation, ItemKind::Filing, ItemKind::PublicService].into_iter().map(|kind| (code_of(&kind), msg_text(kind_msg(kind)))).collect(),
                    |s| code_of(&s.kind), |s, v| if let Some(kind) = from_code(&v) { s.kind = kind })}
                {select(spec, "item-responsible".into(), Msg::GuideResponsible, department_options,
                    |s| s.responsible_department.clone(), |s, v| s.responsible_department = v)}
                {checks.at("responsible_department".into(), false)}
                {choice_set(spec, "item-approving".into(), Msg::EditorApproving, department_choices,
                    |s| s.approving_departments.clone(), |s, v| s.approving_departments = v)}
                {checks.at("approving_departments".into(), true)}
                {text_pair(spec, "item-legal".into(), Msg::GuideLegalBasis, |s| Some(s.legal_basis.clone()), |s, l, v| set_text(&mut s.legal_basis, l, v), true)}
                {checks.at("legal_basis".into(), false)}
                {text_pair(spec, "item-conditions".into(), Msg::GuideConditions, |s| Some(s.conditions.clone()), |s, l, v| set_text(&mut s.conditions, l, v), true)}
                {checks.at("conditions".into(), false)}
                }.into_any()}

                {view! {
                <h2>{tr(Msg::EditorLimitsAndService)}</h2>
                {number_input(spec, "item-promised".into(), Msg::PromisedDays, |s| s.promised_days.to_string(), |s, v| s.promised_days = v.parse().unwrap_or(s.promised_days))}
                {number_input(spec, "item-statutory".into(), Msg::StatutoryDays, |s| s.statutory_days.to_string(), |s, v| s.statutory_days = v.parse().unwrap_or(s.statutory_days))}
                <p class="help">{tr(Msg::EditorDaysHelp)}</p>
                {checks.at("promised_days".into(), false)}
                {text_pair(spec, "item-fee".into(), Msg::GuideFee, |s| Some(s.fee.clone()), |s, l, v| set_text(&mut s.fee, l, v), false)}
                {checks.at("fee".into(), false)}
                {select(spec, "item-online".into(), Msg::GuideOnline,
                    vec![(code_of(&OnlineLevel::FullyOnline), msg_text(Msg::OnlineFully)), (code_of(&OnlineLevel::OneVisit), msg_text(Msg::OnlineOneVisit))],
                    |s| code_of(&s.online_level),
                    |s, v| if let Some(level) = from_code::<OnlineLevel>(&v) {
                        s.online_level = level;
                        if level == OnlineLevel::FullyOnline { s.visit_reason = None } else if s.visit_reason.is_none() { s.visit_reason = Some(Text::default()) }
                    })}
                {move || (spec.with(|s| s.online_level) == OnlineLevel::OneVisit).then(|| view! {
                    {text_pair(spec, "item-visit".into(), Msg::GuideVisitReason, |s| s.visit_reason.clone(), |s, l, v| set_text(s.visit_reason.get_or_insert_with(Text::default), l, v), false)}
                })}
                {checks.at("visit_reason".into(), false)}
                {select(spec, "item-identity".into(), Msg::GuideIdentity,
                    [(IdentityLevel::L1, Msg::IdentityL1), (IdentityLevel::L2, Msg::IdentityL2), (IdentityLevel::L3, Msg::IdentityL3)].into_iter().map(|(level, msg)| (code_of(&level), msg_text(msg))).collect(),
                    |s| code_of(&s.identity_level), |s, v| if let Some(level) = from_code(&v) { s.identity_level = level })}
                {choice_set(spec, "item-delivery".into(), Msg::GuideDelivery,
                    [(DeliveryMode::Download, Msg::DeliveryDownload), (DeliveryMode::Email, Msg::DeliveryEmail), (DeliveryMode::Courier, Msg::DeliveryCourier), (DeliveryMode::Pickup, Msg::DeliveryPickup)]
                        .into_iter().map(|(mode, msg)| (code_of(&mode), msg_text(msg))).collect(),
                    |s| s.delivery_modes.iter().map(code_of).collect(),
                    |s, v| s.delivery_modes = v.iter().filter_map(|code| from_code(code)).collect())}
                {checks.at("delivery_modes".into(), false)}
                {choice_set(spec, "item-centres".into(), Msg::GuideCentres, centre_choices,
                    |s| s.accepting_centres.clone(), |s, v| s.accepting_centres = v)}
                <p class="help">{tr(Msg::EditorCentresHelp)}</p>
                {checks.at("accepting_centres".into(), true)}
                {checkbox(spec, "item-instant".into(), msg_text(Msg::BadgeInstant), |s| s.instant_approval, |s, v| s.instant_approval = v)}
                {checks.at("instant_approval".into(), false)}
                {checkbox(spec, "item-commitment".into(), msg_text(Msg::BadgeCommitment), |s| s.commitment.is_some(),
                    |s, v| s.commitment = v.then(|| s.commitment.clone().unwrap_or(Commitment { letter: Text::default() })))}
                {move || spec.with(|s| s.commitment.is_some()).then(|| view! {
                    {text_pair(spec, "item-letter".into(), Msg::GuideCommitment, |s| s.commitment.as_ref().map(|c| c.letter.clone()),
                        |s, l, v| if let Some(commitment) = s.commitment.as_mut() { set_text(&mut commitment.letter, l, v) }, true)}
                })}
                {checks.at("commitment".into(), true)}
                }.into_any()}

                {view! { <MaterialsEditor spec checks/> }.into_any()}
                {view! { <FormSchemaEditor spec checks/> }.into_any()}
                {view! { <LicencesEditor spec checks/> }.into_any()}

                <div class="editor-actions">
                    <p class="help" role="status">
                        {move || if problem_count() == 0 { Msg::EditorNoProblems.text(lang.get()).to_owned() } else { format!("{} {}", problem_count(), Msg::EditorProblemsLeft.text(lang.get())) }}
                    </p>
                    <button type="submit" class="button primary" data-testid="editor-save" disabled=move || save.pending().get()>{tr(Msg::EditorSave)}</button>
                </div>
            </form>
            {item.as_ref().map(|item| {
                let code = item.spec.code.clone();
                let code_for_unpublish = code.clone();
                let can_publish = item.current_version != Some(item.latest_version);
                let latest = item.latest_version;
                view! {
                    <h2>{tr(Msg::EditorPublication)}</h2>
                    <p class="help">{tr(Msg::EditorPublishHelp)}</p>
                    <div class="editor-actions">
                        {can_publish.then(|| view! {
                            <button type="button" class="button primary" data-testid="editor-publish"
                                disabled=move || dirty.get() || publish.pending().get()
                                on:click=move |_| { done.set(None); publish.dispatch(AdminPublishItem { code: code.clone(), version: latest }); }>
                                {tr(Msg::EditorPublish)} " v" {latest}
                            </button>
                        })}
                        {current_version.is_some().then(|| view! {
                            <button type="button" class="button danger" data-testid="editor-unpublish"
                                disabled=move || unpublish.pending().get()
                                on:click=move |_| { done.set(None); unpublish.dispatch(AdminUnpublishItem { code: code_for_unpublish.clone() }); }>
                                {tr(Msg::EditorUnpublish)}
                            </button>
                        })}
                    </div>
                    {move || dirty.get().then(|| view! { <p class="help">{tr(Msg::EditorSaveFirst)}</p> })}
                    {(!item.bundles.is_empty()).then(|| {
                        let bundles = item.bundles.clone();
                        view! {
                            <p class="help">{tr(Msg::GuideInBundles)} ": "
                                {bundles.into_iter().map(|bundle| {
                                    let name = bundle.name.clone();
                                    view! { <A href=format!("/admin/catalogue/bundles/{}", bundle.code)>{move || text_in(&name, lang.get())}</A> " " }
                                }).collect_view()}
                            </p>
                        }
                    })}
                    {history_table(item.versions.clone(), item.current_version, Some(format!("/catalogue/items/{}", item.spec.code)))}
                }.into_any()
            })}
        </section>
    }
}

#[component]
fn MaterialsEditor(spec: RwSignal<ServiceItemSpec>, checks: Checks) -> impl IntoView {
    let count = Memo::new(move |_| spec.with(|s| s.materials.len()));
    let types = [
        (FileType::Pdf, "PDF"),
        (FileType::Jpg, "JPG"),
        (FileType::Png, "PNG"),
    ];
    view! {
        <h2>{tr(Msg::GuideMaterials)}</h2>
        {checks.at("materials".into(), false)}
        {move || (0..count.get()).map(|index| {
            let path = format!("materials[{index}]");
            let types_id = format!("material-{index}-types");
            view! {
                <fieldset class="editor-row" data-testid=format!("material-{index}")>
                    <legend>{tr(Msg::GuideMaterialName)} " " {index + 1}</legend>
                    {text_input(spec, format!("material-{index}-code"), Msg::EditorRowCode,
                        move |s| s.materials.get(index).map(|m| m.code.clone()).unwrap_or_default(),
                        move |s, v| if let Some(m) = s.materials.get_mut(index) { m.code = v.trim().to_uppercase() }, false)}
                    {text_pair(spec, format!("material-{index}-name"), Msg::EditorName,
                        move |s| s.materials.get(index).map(|m| m.name.clone()),
                        move |s, l, v| if let Some(m) = s.materials.get_mut(index) { set_text(&mut m.name, l, v) }, false)}
                    {text_pair(spec, format!("material-{index}-description"), Msg::EditorDescription,
                        move |s| s.materials.get(index).map(|m| m.description.clone()),
                        move |s, l, v| if let Some(m) = s.materials.get_mut(index) { set_text(&mut m.description, l, v) }, true)}
                    {checkbox(spec, format!("material-{index}-required"), msg_text(Msg::GuideRequired),
                        move |s| s.materials.get(index).is_some_and(|m| m.required),
                        move |s, v| if let Some(m) = s.materials.get_mut(index) { m.required = v })}
                    {choice_set(spec, types_id, Msg::GuideMaterialTypes,
                        types.iter().map(|(kind, name)| (code_of(kind), Text { zh: (*name).into(), en: (*name).into() })).collect(),
                        move |s| s.materials.get(index).map(|m| m.accepted_types.iter().map(code_of).collect()).unwrap_or_default(),
                        move |s, v| if let Some(m) = s.materials.get_mut(index) { m.accepted_types = v.iter().filter_map(|code| from_code(code)).collect() })}
                    {text_input(spec, format!("material-{index}-template"), Msg::EditorTemplate,
                        move |s| s.materials.get(index).and_then(|m| m.template.clone()).unwrap_or_default(),
                        move |s, v| if let Some(m) = s.materials.get_mut(index) { m.template = (!v.trim().is_empty()).then(|| v.trim().to_owned()) }, false)}
                    {checks.at(path, true)}
                    {row_buttons(spec, |s: &mut ServiceItemSpec| &mut s.materials, index, Msg::GuideMaterialName)}
                </fieldset>
            }
        }).collect_view()}
        <button type="button" class="button" data-testid="add-material"
            on:click=move |_| spec.update(|s| { let number = s.materials.len() + 1; s.materials.push(blank_material(number)) })>
            {tr(Msg::EditorAddMaterial)}
        </button>
    }
}

#[component]
fn FormSchemaEditor(spec: RwSignal<ServiceItemSpec>, checks: Checks) -> impl IntoView {
    let count = Memo::new(move |_| spec.with(|s| s.form.len()));
    view! {
        <h2>{tr(Msg::GuideForm)}</h2>
        <p class="help">{tr(Msg::EditorFormHelp)}</p>
        {checks.at("form".into(), false)}
        {move || (0..count.get()).map(|index| {
            let field_type = Memo::new(move |_| spec.with(|s| s.form.get(index).map(|f| f.field_type)));
            view! {
                <fieldset class="editor-row" data-testid=format!("field-{index}")>
                    <legend>{tr(Msg::EditorField)} " " {index + 1}</legend>
                    {text_input(spec, format!("field-{index}-key"), Msg::EditorFieldKey,
                        move |s| s.form.get(index).map(|f| f.key.clone()).unwrap_or_default(),
                        move |s, v| if let Some(f) = s.form.get_mut(index) { f.key = v.trim().to_owned() }, false)}
                    {text_pair(spec, format!("field-{index}-label"), Msg::EditorFieldLabel,
                        move |s| s.form.get(index).map(|f| f.label.clone()),
                        move |s, l, v| if let Some(f) = s.form.get_mut(index) { set_text(&mut f.label, l, v) }, false)}
                    {select(spec, format!("field-{index}-type"), Msg::EditorFieldType,
                        FIELD_TYPES.iter().map(|(kind, msg)| (code_of(kind), msg_text(*msg))).collect(),
                        move |s| s.form.get(index).map(|f| code_of(&f.field_type)).unwrap_or_default(),
                        move |s, v| if let (Some(f), Some(kind)) = (s.form.get_mut(index), from_code(&v)) { f.field_type = kind; fit_rules_to_type(f) })}
                    {checkbox(spec, format!("field-{index}-required"), msg_text(Msg::GuideRequired),
                        move |s| s.form.get(index).is_some_and(|f| f.required),
                        move |s, v| if let Some(f) = s.form.get_mut(index) { f.required = v })}
                    {text_pair(spec, format!("field-{index}-help"), Msg::EditorFieldHelp,
                        move |s| s.form.get(index).and_then(|f| f.help.clone()),
                        move |s, l, v| if let Some(f) = s.form.get_mut(index) {
                            let help = f.help.get_or_insert_with(Text::default);
                            set_text(help, l, v);
                            if help.zh.is_empty() && help.en.is_empty() { f.help = None }
                        }, false)}
                    {move || field_type.get().map(|kind| view! { <FieldRulesEditor spec index kind/> })}
                    {checks.at(format!("form[{index}]"), true)}
                    {row_buttons(spec, |s: &mut ServiceItemSpec| &mut s.form, index, Msg::EditorField)}
                </fieldset>
            }
        }).collect_view()}
        <button type="button" class="button" data-testid="add-field"
            on:click=move |_| spec.update(|s| s.form.push(blank_field()))>
            {tr(Msg::EditorAddField)}
        </button>
    }
}

/// The rules (and options) that a field of type `kind` takes.
#[component]
fn FieldRulesEditor(
    spec: RwSignal<ServiceItemSpec>,
    index: usize,
    kind: FieldType,
) -> impl IntoView {
    let rules = move |s: &ServiceItemSpec| {
        s.form
            .get(index)
            .map(|f| f.rules.clone())
            .unwrap_or_default()
    };
    let update = move |s: &mut ServiceItemSpec, change: &dyn Fn(&mut FieldRules)| {
        if let Some(field) = s.form.get_mut(index) {
            change(&mut field.rules);
        }
    };
    let length = matches!(
        kind,
        FieldType::Text | FieldType::Address | FieldType::BusinessScope
    );
    let range = matches!(kind, FieldType::Number | FieldType::Money);
    let options = matches!(kind, FieldType::Select | FieldType::MultiSelect);
    view! {
        {length.then(|| view! {
            {number_input(spec, format!("field-{index}-min-length"), Msg::EditorMinLength, move |s| rule_text(rules(s).min_length),
                move |s, v| update(s, &|r| r.min_length = parse_rule(v)))}
            {number_input(spec, format!("field-{index}-max-length"), Msg::EditorMaxLength, move |s| rule_text(rules(s).max_length),
                move |s, v| update(s, &|r| r.max_length = parse_rule(v)))}
        })}
        {range.then(|| view! {
            {number_input(spec, format!("field-{index}-min"), Msg::EditorMin, move |s| rule_text(rules(s).min),
                move |s, v| update(s, &|r| r.min = parse_rule(v)))}
            {number_input(spec, format!("field-{index}-max"), Msg::EditorMax, move |s| rule_text(rules(s).max),
                move |s, v| update(s, &|r| r.max = parse_rule(v)))}
        })}
        {(kind == FieldType::MultiSelect).then(|| view! {
            {number_input(spec, format!("field-{index}-max-selected"), Msg::EditorMaxSelected, move |s| rule_text(rules(s).max_selected),
                move |s, v| update(s, &|r| r.max_selected = parse_rule(v)))}
        })}
        {options.then(|| {
            let id = format!("field-{index}-options");
            let initial = spec.with_untracked(|s| s.form.get(index).map(|f| options_text(&f.options)).unwrap_or_default());
            view! {
                <label for=id.clone()>{tr(Msg::EditorOptions)}</label>
                <textarea id=id rows="4" aria-describedby=format!("field-{index}-options-help")
                    on:input=move |event| {
                        let text = event_target_value(&event);
                        spec.update(|s| if let Some(f) = s.form.get_mut(index) { f.options = parse_options(&text) });
                    }>{initial}</textarea>
                <p class="help" id=format!("field-{index}-options-help")>{tr(Msg::EditorOptionsHelp)}</p>
            }
        })}
    }
}

#[component]
fn LicencesEditor(spec: RwSignal<ServiceItemSpec>, checks: Checks) -> impl IntoView {
    let count = Memo::new(move |_| spec.with(|s| s.licences.len()));
    view! {
        <h2>{tr(Msg::GuideLicences)}</h2>
        {move || (0..count.get()).map(|index| view! {
            <fieldset class="editor-row" data-testid=format!("licence-{index}")>
                <legend>{tr(Msg::EditorLicence)} " " {index + 1}</legend>
                {text_input(spec, format!("licence-{index}-type"), Msg::EditorLicenceType,
                    move |s| s.licences.get(index).map(|l| l.licence_type.clone()).unwrap_or_default(),
                    move |s, v| if let Some(l) = s.licences.get_mut(index) { l.licence_type = v.trim().to_owned() }, false)}
                {text_pair(spec, format!("licence-{index}-name"), Msg::EditorName,
                    move |s| s.licences.get(index).map(|l| l.name.clone()),
                    move |s, lang, v| if let Some(l) = s.licences.get_mut(index) { set_text(&mut l.name, lang, v) }, false)}
                {text_input(spec, format!("licence-{index}-template"), Msg::EditorTemplate,
                    move |s| s.licences.get(index).map(|l| l.template.clone()).unwrap_or_default(),
                    move |s, v| if let Some(l) = s.licences.get_mut(index) { l.template = v.trim().to_owned() }, false)}
                {checks.at(format!("licences[{index}]"), true)}
                {row_buttons(spec, |s: &mut ServiceItemSpec| &mut s.licences, index, Msg::EditorLicence)}
            </fieldset>
        }).collect_view()}
        <button type="button" class="button" data-testid="add-licence"
            on:click=move |_| spec.update(|s| s.licences.push(LicenceSpec { licence_type: String::new(), name: Text::default(), template: String::new() }))>
            {tr(Msg::EditorAddLicence)}
        </button>
    }
}

// ---------------------------------------------------------------------------------------------
// Bundle editor

#[component]
pub fn BundleEditorPage() -> impl IntoView {
    view! { <Guarded access=access::ADMINS children=|_| view! { <BundleEditorLoader/> }/> }
}

#[component]
fn BundleEditorLoader() -> impl IntoView {
    let params = use_params_map();
    let code = Memo::new(move |_| params.read().get("code").unwrap_or_default());
    let reload = RwSignal::new(0_u32);
    let done = RwSignal::new(None::<Done>);
    let bundle = Resource::new(
        move || (code.get(), reload.get()),
        |(code, _)| async move {
            if code == "new" {
                Ok(None)
            } else {
                admin_load_bundle(code).await.map(Some)
            }
        },
    );
    view! {
        <Transition fallback=|| view! { <p class="loading">{tr(Msg::Loading)}</p> }>
            {move || Suspend::new(async move {
                match bundle.await {
                    Ok(bundle) => view! { <BundleEditor bundle reload done/> }.into_any(),
                    Err(error) => {
                        super::platform::set_page_status(error.status());
                        view! { <ErrorList error/> <p><A href="/admin/catalogue">{tr(Msg::EditorBackToList)}</A></p> }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

#[component]
fn BundleEditor(
    bundle: Option<AdminBundle>,
    reload: RwSignal<u32>,
    done: RwSignal<Option<Done>>,
) -> impl IntoView {
    let lang = use_lang();
    let is_new = bundle.is_none();
    let original = bundle.as_ref().map_or_else(
        || BundleSpec {
            code: String::new(),
            name: Text::default(),
            description: Text::default(),
            items: Vec::new(),
            shared_fields: Vec::new(),
        },
        |bundle| bundle.spec.clone(),
    );
    let spec = RwSignal::new(original.clone());
    let dirty = Memo::new(move |_| spec.with(|spec| *spec != original));
    let base_sha256 = bundle.as_ref().map(|bundle| bundle.latest_sha256.clone());
    let save = ServerAction::<AdminSaveBundle>::new();
    let publish = ServerAction::<AdminPublishBundle>::new();
    let unpublish = ServerAction::<AdminUnpublishBundle>::new();
    let navigate = use_navigate();
    let new_code = move || is_new.then(|| spec.with_untracked(|spec| spec.code.clone()));
    let last_error = follow_outcomes(
        Outcomes {
            saved: save.value().into(),
            published: publish.value().into(),
            unpublished: unpublish.value().into(),
        },
        done,
        reload,
        move |code: String| {
            navigate(
                &format!("/admin/catalogue/bundles/{code}"),
                Default::default(),
            )
        },
        new_code,
    );
    // The problems the browser can see: codes, texts, at least two items (membership and shared
    // fields are checked by the server, which knows the published items).
    let checks = Checks {
        problems: Memo::new(move |_| {
            spec.with(|spec| {
                spec.problems(&[])
                    .into_iter()
                    .filter(|problem| {
                        !problem.path.starts_with("items[")
                            && !problem.path.starts_with("shared_fields")
                    })
                    .collect()
            })
        }),
        show: RwSignal::new(!is_new),
    };
    let item_codes = Memo::new(move |_| spec.with(|spec| spec.items.clone()));
    let shared_choices = Resource::new(move || item_codes.get(), admin_shared_fields);
    let search_text = RwSignal::new(String::new());
    let found = Resource::new(
        move || search_text.get(),
        |q| async move {
            if q.trim().is_empty() {
                return Ok(Vec::new());
            }
            search_catalogue(CatalogueQuery {
                q,
                ..CatalogueQuery::default()
            })
            .await
            .map(|result| result.items)
        },
    );
    let item_names = RwSignal::new(Vec::<(String, Text)>::new());
    let preview = RwSignal::new(false);
    let latest_version = bundle.as_ref().map_or(1, |bundle| bundle.latest_version);
    // The member items' published guides, loaded when the preview opens.
    let preview_items = Resource::new(
        move || (preview.get(), item_codes.get()),
        |(open, codes)| async move {
            let mut guides = Vec::new();
            if open {
                for code in codes {
                    if let Ok(guide) = load_item_guide(code, None).await {
                        guides.push(guide);
                    }
                }
            }
            guides
        },
    );
    let on_save = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        checks.show.set(true);
        done.set(None);
        save.dispatch(AdminSaveBundle {
            spec: spec.get_untracked(),
            base_sha256: base_sha256.clone(),
        });
    };
    let code = spec.with_untracked(|spec| spec.code.clone());

    view! {
        <section class="workspace editor" data-testid="bundle-editor" aria-labelledby="editor-title">
            <p><A href="/admin/catalogue">{tr(Msg::EditorBackToList)}</A></p>
            <h1 id="editor-title">
                {if is_new { tr(Msg::EditorNewBundle)().to_owned() } else { format!("{} {code}", Msg::EditorEditBundle.text(lang.get_untracked())) }}
            </h1>
            {bundle.as_ref().map(|bundle| publication_status(bundle.latest_version, bundle.current_version))}
            {done_message(done)}
            {move || last_error.get().map(|error: AppError| view! { <ErrorList error/> })}
            <div class="tabs" role="group" aria-label=move || Msg::EditorMode.text(lang.get())>
                <button type="button" class="button" aria-pressed=move || (!preview.get()).to_string()
                    on:click=move |_| preview.set(false)>{tr(Msg::EditorEditTab)}</button>
                <button type="button" class="button" aria-pressed=move || preview.get().to_string()
                    data-testid="editor-preview-tab"
                    on:click=move |_| preview.set(true)>{tr(Msg::EditorPreviewTab)}</button>
            </div>
            <div class="preview" data-testid="editor-preview" hidden=move || !preview.get()>
                <Transition fallback=|| view! { <p class="loading">{tr(Msg::Loading)}</p> }>
                    {move || Suspend::new(async move {
                        let items = preview_items.await;
                        preview.get().then(|| {
                            let guide = BundleGuide { version: latest_version, spec: spec.get_untracked(), items };
                            view! {
                                <p class="help">{tr(Msg::EditorPreviewNote)}</p>
                                <BundleGuideView guide heading_level=2/>
                            }
                        })
                    })}
                </Transition>
            </div>
            <form class="form editor-form" data-testid="bundle-form" hidden=move || preview.get() on:submit=on_save novalidate>
                {text_input(spec, "bundle-code".into(), Msg::GuideCode, |s| s.code.clone(), |s, v| s.code = v.trim().to_uppercase(), !is_new)}
                <p class="help">{tr(Msg::EditorCodeHelp)}</p>
                {checks.at("code".into(), false)}
                {text_pair(spec, "bundle-name".into(), Msg::EditorName, |s| Some(s.name.clone()), |s, l, v| set_text(&mut s.name, l, v), false)}
                {checks.at("name".into(), false)}
                {text_pair(spec, "bundle-description".into(), Msg::EditorDescription, |s| Some(s.description.clone()), |s, l, v| set_text(&mut s.description, l, v), true)}
                {checks.at("description".into(), false)}

                <h2>{tr(Msg::BundleIncludes)}</h2>
                <ul class="chosen-items" data-testid="bundle-items">
                    {move || item_codes.get().into_iter().map(|code| {
                        let name = item_names.with(|names| names.iter().find(|(known, _)| *known == code).map(|(_, name)| name.clone()));
                        let removed = code.clone();
                        let removed_label = code.clone();
                        view! {
                            <li>
                                <code>{code.clone()}</code> " " {move || name.as_ref().map(|name| text_in(name, lang.get()))}
                                " "
                                <button type="button" class="button small danger"
                                    aria-label=move || format!("{} {}", Msg::EditorRemove.text(lang.get()), removed_label)
                                    on:click={
                                        let removed = removed.clone();
                                        move |_| spec.update(|s| { s.items.retain(|item| *item != removed); })
                                    }>
                                    {tr(Msg::EditorRemove)}
                                </button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
                {checks.at("items".into(), true)}
                <label for="bundle-find">{tr(Msg::EditorFindItem)}</label>
                <input id="bundle-find" type="search" autocomplete="off"
                    on:input=move |event| search_text.set(event_target_value(&event))/>
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        let items = found.await.unwrap_or_default();
                        view! {
                            <ul class="found-items" data-testid="bundle-found">
                                {items.into_iter().take(10).map(|item| {
                                    let name = item.name.clone();
                                    let code = item.code.clone();
                                    view! {
                                        <li>
                                            <code>{code.clone()}</code> " " {move || text_in(&name, lang.get())} " "
                                            <button type="button" class="button small"
                                                on:click={
                                                    let name = item.name.clone();
                                                    move |_| {
                                                        let code = code.clone();
                                                        item_names.update(|names| names.push((code.clone(), name.clone())));
                                                        spec.update(|s| if !s.items.contains(&code) { s.items.push(code) });
                                                    }
                                                }>
                                                {tr(Msg::EditorAdd)}
                                            </button>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }
                    })}
                </Transition>

                <h2>{tr(Msg::BundleSharedFields)}</h2>
                <p class="help">{tr(Msg::EditorSharedHelp)}</p>
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        let choices = shared_choices.await.unwrap_or_default();
                        view! {
                            <fieldset class="choice-set" data-testid="bundle-shared">
                                <legend class="visually-hidden">{tr(Msg::BundleSharedFields)}</legend>
                                {choices.into_iter().map(|choice| {
                                    let key = choice.key.clone();
                                    let key_for_set = key.clone();
                                    let label = choice.label.clone();
                                    let id = format!("shared-{key}");
                                    let initial = spec.with_untracked(|s| s.shared_fields.contains(&key));
                                    let input_id = id.clone();
                                    view! {
                                        <label class="check" for=id>
                                            <input id=input_id type="checkbox" checked=initial disabled=!choice.same_type
                                                on:change=move |event| {
                                                    let checked = event_target_checked(&event);
                                                    let key = key_for_set.clone();
                                                    spec.update(|s| {
                                                        s.shared_fields.retain(|known| *known != key);
                                                        if checked { s.shared_fields.push(key); }
                                                    });
                                                }/>
                                            {move || text_in(&label, lang.get())} " (" <code>{key.clone()}</code> ", " {choice.item_count} ")"
                                        </label>
                                    }
                                }).collect_view()}
                            </fieldset>
                        }
                    })}
                </Transition>
                {checks.at("shared_fields".into(), true)}
                <div class="editor-actions">
                    <button type="submit" class="button primary" data-testid="editor-save" disabled=move || save.pending().get()>{tr(Msg::EditorSave)}</button>
                </div>
            </form>
            {bundle.as_ref().map(|bundle| {
                let code = bundle.spec.code.clone();
                let code_for_unpublish = code.clone();
                let can_publish = bundle.current_version != Some(bundle.latest_version);
                let latest = bundle.latest_version;
                let published = bundle.current_version.is_some();
                view! {
                    <h2>{tr(Msg::EditorPublication)}</h2>
                    <div class="editor-actions">
                        {can_publish.then(|| view! {
                            <button type="button" class="button primary" data-testid="editor-publish"
                                disabled=move || dirty.get() || publish.pending().get()
                                on:click=move |_| { done.set(None); publish.dispatch(AdminPublishBundle { code: code.clone(), version: latest }); }>
                                {tr(Msg::EditorPublish)} " v" {latest}
                            </button>
                        })}
                        {published.then(|| view! {
                            <button type="button" class="button danger" data-testid="editor-unpublish"
                                disabled=move || unpublish.pending().get()
                                on:click=move |_| { done.set(None); unpublish.dispatch(AdminUnpublishBundle { code: code_for_unpublish.clone() }); }>
                                {tr(Msg::EditorUnpublish)}
                            </button>
                        })}
                    </div>
                    {published.then(|| view! { <p><A href=format!("/catalogue/bundles/{}", bundle.spec.code)>{tr(Msg::EditorViewGuide)}</A></p> })}
                    {history_table(bundle.versions.clone(), bundle.current_version, None)}
                }
            })}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_shown_in_china_standard_time() {
        assert_eq!(format_time(0), "1970-01-01 08:00");
        // 2026-11-29 02:30 UTC
        assert_eq!(format_time(1_795_919_400_000), "2026-11-29 10:30");
    }

    #[test]
    fn select_options_round_trip_through_their_text_form() {
        let options = parse_options("small|小型|Small\n\nlarge|大型|Large");
        assert_eq!(options.len(), 2);
        assert_eq!(options[1].label.en, "Large");
        assert_eq!(parse_options(&options_text(&options)), options);
    }

    #[test]
    fn changing_a_field_type_drops_rules_it_does_not_take() {
        let mut field = blank_field();
        field.rules.max_length = Some(10);
        field.field_type = FieldType::Number;
        fit_rules_to_type(&mut field);
        assert_eq!(field.rules, FieldRules::default());
    }
}
