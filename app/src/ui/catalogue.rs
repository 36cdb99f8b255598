//! The public service catalogue: search and filters over the published items, the item guide
//! (办事指南) and the bundle guide (一件事).

use leptos::prelude::*;
use leptos_router::components::{A, Form};
use leptos_router::hooks::{use_params_map, use_query_map};

use super::common::{ErrorList, tr, use_lang};
use crate::api::{
    BundleGuide, CatalogueQuery, ItemGuide, ItemSummary, catalogue_departments, load_bundle_guide,
    load_item_guide, search_catalogue,
};
use crate::domain::catalogue::{DeliveryMode, IdentityLevel, ItemKind, OnlineLevel, Text};
use crate::i18n::{Lang, Msg};

pub(super) fn text_in(text: &Text, lang: Lang) -> String {
    match lang {
        Lang::Zh => text.zh.clone(),
        Lang::En => text.en.clone(),
    }
}

const fn kind_name(kind: ItemKind) -> Msg {
    match kind {
        ItemKind::Licensing => Msg::KindLicensing,
        ItemKind::Confirmation => Msg::KindConfirmation,
        ItemKind::Filing => Msg::KindFiling,
        ItemKind::PublicService => Msg::KindPublicService,
    }
}

const fn online_name(level: OnlineLevel) -> Msg {
    match level {
        OnlineLevel::FullyOnline => Msg::OnlineFully,
        OnlineLevel::OneVisit => Msg::OnlineOneVisit,
    }
}

const fn delivery_name(mode: DeliveryMode) -> Msg {
    match mode {
        DeliveryMode::Download => Msg::DeliveryDownload,
        DeliveryMode::Email => Msg::DeliveryEmail,
        DeliveryMode::Courier => Msg::DeliveryCourier,
        DeliveryMode::Pickup => Msg::DeliveryPickup,
    }
}

const fn identity_name(level: IdentityLevel) -> Msg {
    match level {
        IdentityLevel::L1 => Msg::IdentityL1,
        IdentityLevel::L2 => Msg::IdentityL2,
        IdentityLevel::L3 => Msg::IdentityL3,
    }
}

fn days_text(days: u32, lang: Lang) -> String {
    if days == 0 {
        Msg::SameDay.text(lang).to_owned()
    } else {
        format!("{days} {}", Msg::WorkingDays.text(lang))
    }
}

#[component]
pub fn CataloguePage() -> impl IntoView {
    let lang = use_lang();
    let query_map = use_query_map();
    let query = Memo::new(move |_| {
        let map = query_map.get();
        let get = |key: &str| map.get(key).unwrap_or_default();
        CatalogueQuery {
            q: get("q"),
            department: get("department"),
            kind: get("kind"),
            online: get("online"),
            instant: get("instant") == "true",
            commitment: get("commitment") == "true",
            page: get("page").parse().unwrap_or(1),
        }
    });
    let results = Resource::new(move || query.get(), search_catalogue);
    let departments = Resource::new(|| (), |_| catalogue_departments());

    view! {
        <section class="catalogue" aria-labelledby="catalogue-title">
            <h1 id="catalogue-title">{tr(Msg::CatalogueTitle)}</h1>
            <p>{tr(Msg::CatalogueIntro)}</p>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let departments = departments.await.unwrap_or_default();
                    let current = query.get_untracked();

                    view! {
                        <Form method="GET" action="/catalogue" attr:class="form search-form" attr:role="search">
                            <label for="q">{tr(Msg::CatalogueSearchLabel)}</label>
                            <input id="q" name="q" type="search" value=current.q.clone() maxlength="100" data-testid="catalogue-q"/>
                            <label for="department" class="visually-hidden">{tr(Msg::GuideDepartments)}</label>
                            <select id="department" name="department">
                                <option value="">{tr(Msg::CatalogueAllDepartments)}</option>
                                {departments.into_iter().map(|department| {
                                    let selected = department.code == current.department;
                                    let name = department.name.clone();
                                    view! { <option value=department.code.clone() selected=selected>{move || name.in_lang(lang.get()).to_owned()}</option> }
                                }).collect_view()}
                            </select>
                            <label for="kind" class="visually-hidden">{tr(Msg::GuideKind)}</label>
                            <select id="kind" name="kind">
                                <option value="">{tr(Msg::CatalogueAllKinds)}</option>
                                {[("licensing", ItemKind::Licensing), ("confirmation", ItemKind::Confirmation), ("filing", ItemKind::Filing), ("public_service", ItemKind::PublicService)].into_iter().map(|(code, kind)| {
                                    view! { <option value=code selected=current.kind == code>{tr(kind_name(kind))}</option> }
                                }).collect_view()}
                            </select>
                            <label for="online" class="visually-hidden">{tr(Msg::GuideOnline)}</label>
                            <select id="online" name="online" data-testid="catalogue-online">
                                <option value="">{tr(Msg::CatalogueAllOnline)}</option>
                                <option value="fully_online" selected=current.online == "fully_online">{tr(Msg::OnlineFully)}</option>
                                <option value="one_visit" selected=current.online == "one_visit">{tr(Msg::OnlineOneVisit)}</option>
                            </select>
                            <label class="check"><input type="checkbox" name="instant" value="true" checked=current.instant/>{tr(Msg::CatalogueInstantOnly)}</label>
                            <label class="check"><input type="checkbox" name="commitment" value="true" checked=current.commitment/>{tr(Msg::CatalogueCommitmentOnly)}</label>
                            <button type="submit" class="button primary">{tr(Msg::CatalogueSearchSubmit)}</button>
                        </Form>
                    }
                })}
            </Transition>
            <Transition fallback=|| view! { <p class="loading">{tr(Msg::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match results.await {
                        Err(error) => view! { <ErrorList error/> }.into_any(),
                        Ok(result) => {
                            let total = result.total;
                            let online = result.fully_online;
                            let page = result.page;
                            let has_next = u64::from(page) * u64::from(result.per_page) < total;
                            let page_link = move |page: u32| {
                                let mut next = query.get_untracked();
                                next.page = page;
                                let params = [
                                    ("q", next.q), ("department", next.department), ("kind", next.kind), ("online", next.online),
                                    ("instant", if next.instant { "true".into() } else { String::new() }),
                                    ("commitment", if next.commitment { "true".into() } else { String::new() }),
                                    ("page", next.page.to_string()),
                                ];
                                let query: Vec<String> = params.iter().filter(|(_, value)| !value.is_empty())
                                    .map(|(key, value)| format!("{key}={}", urlencode(value))).collect();
                                format!("/catalogue?{}", query.join("&"))
                            };
                            let bundle_links = result.bundles.into_iter().map(|bundle| {
                                let name = bundle.name.clone();
                                let count = bundle.item_count;
                                view! {
                                    <li>
                                        <A href=format!("/catalogue/bundles/{}", bundle.code)>{move || text_in(&name, lang.get())}</A>
                                        " · " {count} " " {tr(Msg::CatalogueBundleItems)}
                                    </li>
                                }
                            }).collect_view();
                            view! {
                                <section aria-labelledby="bundles-title" class="bundles">
                                    <h2 id="bundles-title">{tr(Msg::CatalogueBundlesTitle)}</h2>
                                    <ul data-testid="bundle-list">{bundle_links}</ul>
                                </section>
                                <p class="counts" role="status" data-testid="catalogue-counts">
                                    {total} " " {tr(Msg::CatalogueCountItems)} " " {online} " " {tr(Msg::CatalogueCountOnline)}
                                </p>
                                {(result.items.is_empty()).then(|| view! { <p class="empty-state">{tr(Msg::CatalogueNoResults)}</p> })}
                                <ul class="item-list" data-testid="item-list">
                                    {result.items.into_iter().map(|item| view! { <ItemRow item/> }).collect_view()}
                                </ul>
                                <nav class="pager" aria-label=move || Msg::CataloguePage.text(lang.get())>
                                    {(page > 1).then(|| view! { <A href=page_link(page - 1)>{tr(Msg::CataloguePrevious)}</A> })}
                                    {has_next.then(|| view! { <A href=page_link(page + 1)>{tr(Msg::CatalogueNext)}</A> })}
                                </nav>
                            }.into_any()
                        }
                    }
                })}
            </Transition>
        </section>
    }
}

/// Percent-encodes a query-string value.
pub(super) fn urlencode(value: &str) -> String {
    value
        .bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (byte as char).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

#[component]
fn ItemRow(item: ItemSummary) -> impl IntoView {
    let lang = use_lang();
    let name = item.name.clone();
    let department = item.department.clone();
    let days = item.promised_days;
    view! {
        <li class="item-card">
            <A href=format!("/catalogue/items/{}", item.code)>{move || text_in(&name, lang.get())}</A>
            <p class="item-meta">
                <code>{item.code.clone()}</code>
                " · " {move || department.as_ref().map(|name| name.in_lang(lang.get()).to_owned())}
                " · " {tr(Msg::PromisedDays)} " " {move || days_text(days, lang.get())}
            </p>
            <p class="badges">
                <span class="badge">{tr(kind_name(item.kind))}</span>
                <span class=if item.online_level == OnlineLevel::FullyOnline { "badge online" } else { "badge visit" }>{tr(online_name(item.online_level))}</span>
                {item.instant_approval.then(|| view! { <span class="badge instant">{tr(Msg::BadgeInstant)}</span> })}
                {item.commitment.then(|| view! { <span class="badge commitment">{tr(Msg::BadgeCommitment)}</span> })}
            </p>
        </li>
    }
}

#[component]
pub fn ItemGuidePage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let guide = Resource::new(
        move || {
            let code = params.get().get("code").unwrap_or_default();
            let version = query
                .get()
                .get("version")
                .and_then(|version| version.parse::<i64>().ok());
            (code, version)
        },
        |(code, version)| load_item_guide(code, version),
    );
    view! {
        <Suspense fallback=|| view! { <p class="loading">{tr(Msg::Loading)}</p> }>
            {move || Suspend::new(async move {
                match guide.await {
                    Ok(guide) => {
                        let code = guide.spec.code.clone();
                        view! {
                            <ItemGuideView guide heading_level=1/>
                            <super::applicant::StartButton target=crate::domain::case::TargetKind::Item code/>
                        }.into_any()
                    }
                    Err(error) => {
                        super::platform::set_page_status(error.status());
                        view! { <ErrorList error/> <p><A href="/catalogue">{tr(Msg::BackToCatalogue)}</A></p> }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// A process diagram: applicant → front desk → departments in parallel → licence.
#[component]
fn ProcessDiagram(guide: ItemGuide) -> impl IntoView {
    let lang = use_lang();
    let departments = guide.departments.clone();
    let instant = guide.spec.instant_approval;
    view! {
        <ol class="process" aria-label=move || Msg::GuideProcess.text(lang.get())>
            <li>{tr(Msg::ProcessApplicant)}</li>
            <li>{tr(if instant { Msg::ProcessInstant } else { Msg::ProcessFrontDesk })}</li>
            <li>
                {tr(Msg::ProcessParallel)}
                <ul class="parallel">
                    {departments.into_iter().map(|department| {
                        let name = department.name.clone();
                        view! { <li>{move || name.in_lang(lang.get()).to_owned()}</li> }
                    }).collect_view()}
                </ul>
            </li>
            <li>{tr(Msg::ProcessLicence)}</li>
        </ol>
    }
}

#[component]
pub(super) fn ItemGuideView(guide: ItemGuide, heading_level: u8) -> impl IntoView {
    let lang = use_lang();
    let spec = guide.spec.clone();
    let name = spec.name.clone();
    let title = move || text_in(&name, lang.get());
    let heading = match heading_level {
        1 => view! { <h1 id=format!("item-{}", spec.code)>{title}</h1> }.into_any(),
        2 => view! { <h2 id=format!("item-{}", spec.code)>{title}</h2> }.into_any(),
        _ => view! { <h3 id=format!("item-{}", spec.code)>{title}</h3> }.into_any(),
    };
    let responsible = guide
        .departments
        .iter()
        .find(|department| department.code == spec.responsible_department)
        .map(|department| department.name.clone());
    let legal = spec.legal_basis.clone();
    let conditions = spec.conditions.clone();
    let fee = spec.fee.clone();
    let visit_reason = spec.visit_reason.clone();
    let commitment = spec.commitment.clone();
    let promised = spec.promised_days;
    let statutory = spec.statutory_days;
    let materials = spec.materials.clone();
    let form = spec.form.clone();
    let licences = spec.licences.clone();
    let bundles = guide.bundles.clone();
    let history = guide.history.clone();
    let history_code = spec.code.clone();
    view! {
        <article class="guide" data-testid=format!("guide-{}", spec.code) aria-labelledby=format!("item-{}", spec.code)>
            {heading}
            <p class="badges">
                <span class="badge">{tr(kind_name(spec.kind))}</span>
                <span class="badge online">{tr(online_name(spec.online_level))}</span>
                {spec.instant_approval.then(|| view! { <span class="badge instant">{tr(Msg::BadgeInstant)}</span> })}
                {spec.commitment.is_some().then(|| view! { <span class="badge commitment">{tr(Msg::BadgeCommitment)}</span> })}
            </p>
            {(guide.version != guide.current_version).then(|| view! {
                <p class="error-box" role="note" data-testid="old-version">
                    {tr(Msg::GuideOldVersion)} " " {guide.version} " · "
                    <A href=format!("/catalogue/items/{}", spec.code)>{tr(Msg::GuideSeeCurrent)} " " {guide.current_version}</A>
                </p>
            })}
            <dl class="facts">
                <dt>{tr(Msg::GuideCode)}</dt><dd><code>{spec.code.clone()}</code> " · " {tr(Msg::GuideVersion)} " " {guide.version}</dd>
                <dt>{tr(Msg::GuideResponsible)}</dt><dd>{move || responsible.as_ref().map(|name| name.in_lang(lang.get()).to_owned())}</dd>
                <dt>{tr(Msg::PromisedDays)}</dt><dd data-testid="promised-days">{move || days_text(promised, lang.get())}</dd>
                <dt>{tr(Msg::StatutoryDays)}</dt><dd>{move || days_text(statutory, lang.get())}</dd>
                <dt>{tr(Msg::GuideFee)}</dt><dd>{move || text_in(&fee, lang.get())}</dd>
                <dt>{tr(Msg::GuideOnline)}</dt><dd>{tr(online_name(spec.online_level))}
                    {visit_reason.map(|reason| view! { " — " {tr(Msg::GuideVisitReason)} ": " {move || text_in(&reason, lang.get())} })}
                </dd>
                <dt>{tr(Msg::GuideIdentity)}</dt><dd>{tr(identity_name(spec.identity_level))}</dd>
                <dt>{tr(Msg::GuideDelivery)}</dt><dd>{spec.delivery_modes.iter().map(|mode| view! { <span class="badge">{tr(delivery_name(*mode))}</span> " " }).collect_view()}</dd>
                <dt>{tr(Msg::GuideCentres)}</dt><dd>{if spec.accepting_centres.is_empty() { tr(Msg::GuideAllCentres)().to_owned() } else { spec.accepting_centres.join(", ") }}</dd>
            </dl>
            {spec.instant_approval.then(|| view! { <p class="success">{tr(Msg::GuideInstant)}</p> })}
            <h3>{tr(Msg::GuideProcess)}</h3>
            <ProcessDiagram guide=guide.clone()/>
            <h3>{tr(Msg::GuideConditions)}</h3>
            <p>{move || text_in(&conditions, lang.get())}</p>
            <h3>{tr(Msg::GuideLegalBasis)}</h3>
            <p>{move || text_in(&legal, lang.get())}</p>
            <h3>{tr(Msg::GuideMaterials)}</h3>
            <div class="table-scroll">
                <table data-testid="materials">
                    <thead><tr>
                        <th scope="col">{tr(Msg::GuideMaterialName)}</th>
                        <th scope="col">{tr(Msg::GuideMaterialRequired)}</th>
                        <th scope="col">{tr(Msg::GuideMaterialTypes)}</th>
                    </tr></thead>
                    <tbody>
                        {materials.into_iter().map(|material| {
                            let name = material.name.clone();
                            let description = material.description.clone();
                            let types = material.accepted_types.iter().map(|kind| format!("{kind:?}").to_uppercase()).collect::<Vec<_>>().join(" / ");
                            view! {
                                <tr>
                                    <td><strong>{move || text_in(&name, lang.get())}</strong><br/>{move || text_in(&description, lang.get())}
                                        {material.template.is_some().then(|| view! { <br/><span class="badge">{tr(Msg::GuideTemplate)}</span> })}
                                    </td>
                                    <td>{tr(if material.required { Msg::GuideRequired } else { Msg::GuideOptional })}</td>
                                    <td>{types}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            <h3>{tr(Msg::GuideForm)}</h3>
            <ul class="form-fields">
                {form.into_iter().map(|field| {
                    let label = field.label.clone();
                    view! { <li>{move || text_in(&label, lang.get())} {field.required.then_some(" *")}</li> }
                }).collect_view()}
            </ul>
            {commitment.map(|commitment| view! {
                <h3>{tr(Msg::GuideCommitment)}</h3>
                <blockquote class="commitment-letter">{move || text_in(&commitment.letter, lang.get())}</blockquote>
            })}
            {(!licences.is_empty()).then(|| view! {
                <h3>{tr(Msg::GuideLicences)}</h3>
                <ul>{licences.into_iter().map(|licence| {
                    let name = licence.name.clone();
                    view! { <li>{move || text_in(&name, lang.get())}</li> }
                }).collect_view()}</ul>
            })}
            {(history.len() > 1).then(|| view! {
                <h3>{tr(Msg::GuideHistory)}</h3>
                <ul data-testid="version-history">{history.into_iter().map(|entry| {
                    let href = format!("/catalogue/items/{}?version={}", history_code, entry.version);
                    view! { <li><A href=href>{tr(Msg::GuideVersion)} " " {entry.version}</A></li> }
                }).collect_view()}</ul>
            })}
            {(!bundles.is_empty()).then(|| view! {
                <h3>{tr(Msg::GuideInBundles)}</h3>
                <ul>{bundles.into_iter().map(|bundle| {
                    let name = bundle.name.clone();
                    view! { <li><A href=format!("/catalogue/bundles/{}", bundle.code)>{move || text_in(&name, lang.get())}</A></li> }
                }).collect_view()}</ul>
            })}
        </article>
    }
}

#[component]
pub fn BundleGuidePage() -> impl IntoView {
    let params = use_params_map();
    let guide = Resource::new(
        move || params.get().get("code").unwrap_or_default(),
        load_bundle_guide,
    );
    view! {
        <Suspense fallback=|| view! { <p class="loading">{tr(Msg::Loading)}</p> }>
            {move || Suspend::new(async move {
                match guide.await {
                    Ok(guide) => {
                        let code = guide.spec.code.clone();
                        view! {
                            <BundleGuideView guide heading_level=1/>
                            <super::applicant::StartButton target=crate::domain::case::TargetKind::Bundle code/>
                        }.into_any()
                    }
                    Err(error) => {
                        super::platform::set_page_status(error.status());
                        view! { <ErrorList error/> <p><A href="/catalogue">{tr(Msg::BackToCatalogue)}</A></p> }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// A bundle's guide: what it joins, the longest time limit, the departments, the shared fields
/// and each item's guide.
#[component]
pub(super) fn BundleGuideView(guide: BundleGuide, heading_level: u8) -> impl IntoView {
    let lang = use_lang();
    let name = guide.spec.name.clone();
    let description = guide.spec.description.clone();
    let longest = guide
        .items
        .iter()
        .map(|item| item.spec.promised_days)
        .max()
        .unwrap_or(0);
    let mut departments: Vec<crate::api::Department> = Vec::new();
    for item in &guide.items {
        for department in &item.departments {
            if !departments
                .iter()
                .any(|known| known.code == department.code)
            {
                departments.push(department.clone());
            }
        }
    }
    let shared: Vec<_> = guide
        .spec
        .shared_fields
        .iter()
        .filter_map(|key| {
            guide
                .items
                .iter()
                .flat_map(|item| item.spec.form.iter())
                .find(|field| &field.key == key)
                .map(|field| field.label.clone())
        })
        .collect();
    let title = move || text_in(&name, lang.get());
    let heading = if heading_level == 1 {
        view! { <h1 id="bundle-title">{title}</h1> }.into_any()
    } else {
        view! { <h2 id="bundle-title">{title}</h2> }.into_any()
    };
    let item_level = heading_level + 1;
    view! {
        <section class="bundle-guide" data-testid=format!("bundle-{}", guide.spec.code) aria-labelledby="bundle-title">
            {heading}
            <p>{move || text_in(&description, lang.get())}</p>
            <dl class="facts">
                <dt>{tr(Msg::BundleTotalDays)}</dt><dd data-testid="promised-days">{move || days_text(longest, lang.get())}</dd>
                <dt>{tr(Msg::GuideDepartments)}</dt>
                <dd data-testid="bundle-departments">{departments.into_iter().map(|department| {
                    let name = department.name.clone();
                    view! { <span class="badge">{move || name.in_lang(lang.get()).to_owned()}</span> " " }
                }).collect_view()}</dd>
                <dt>{tr(Msg::BundleSharedFields)}</dt>
                <dd>{shared.into_iter().map(|label| view! { <span class="badge">{move || text_in(&label, lang.get())}</span> " " }).collect_view()}</dd>
            </dl>
            <h2>{tr(Msg::BundleIncludes)}</h2>
            {guide.items.into_iter().map(|item| view! { <ItemGuideView guide=item heading_level=item_level/> }).collect_view()}
        </section>
    }
}
