//! The leads list (`/{slug}/leads`) and a lead's page (`/{slug}/leads/{id}`). The list's search,
//! filters, sort and page are the URL's query (a GET form), so a view can be bookmarked and shared;
//! creating and editing are forms posting to their server function, usable before the WebAssembly
//! loads, and kept as drafts while typed.

use domain::format::{format_count, format_date, format_date_time};
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::api::{SaveLead, get_lead, list_leads};
use super::components::{
    ConversationList, FilterSelect, HistoryList, Pager, SortHeader, href_with, money, query_param,
};
use super::{LeadDetail, LeadPage, OwnerChoice};
use crate::company::components::LoadFailed;
use crate::error::AppError;
use crate::fields::{CARD, INPUT, LABEL, PRIMARY, SECONDARY, SelectField, TextField};
use crate::i18n::*;
use crate::shell::pages::with_tenant;
use crate::shell::{Area, encode_query_value, locale_of};
use crate::validation::{FormStatus, drafted, outcome, problem_of};

const NAMES: &[&str] = &[
    "q", "owner", "source", "status", "from", "to", "sort", "dir", "page",
];
const TH: &str = "px-3 py-2 text-left text-xs font-semibold uppercase tracking-wide text-slate-500";
const TD: &str = "px-3 py-2 text-sm text-slate-700";

/// "Nobody" and the people a record may be given to.
pub fn owner_options(
    i18n: leptos_i18n::I18nContext<Locale>,
    owners: &[OwnerChoice],
) -> Vec<(String, String)> {
    let mut options = vec![(String::new(), t_string!(i18n, owner_nobody).to_owned())];
    options.extend(OwnerChoice::options(owners));
    options
}

/// A lead's status as people read it: Performancy's own keys (the demo's, and what the forms
/// suggest) in the viewer's language, any other text (a CRM's or a spreadsheet's own status) as it
/// was written.
pub fn lead_status_label(i18n: leptos_i18n::I18nContext<Locale>, status: &str) -> String {
    let label = match status {
        "new" => t_string!(i18n, lead_status_new),
        "contacted" => t_string!(i18n, lead_status_contacted),
        "qualified" => t_string!(i18n, lead_status_qualified),
        "nurturing" => t_string!(i18n, lead_status_nurturing),
        "unqualified" => t_string!(i18n, lead_status_unqualified),
        "customer" => t_string!(i18n, lead_status_customer),
        other => return other.to_owned(),
    };
    label.to_owned()
}

#[component]
pub fn LeadsPage() -> impl IntoView {
    with_tenant(Area::Leads, |shell| {
        let i18n = use_i18n();
        let param = query_param();
        let query = use_query_map();
        let slug = shell.slug.clone();
        let reload = RwSignal::new(0u32);
        let load_slug = slug.clone();
        let leads = Resource::new(
            move || {
                (
                    NAMES.iter().map(|n| param(n)).collect::<Vec<_>>(),
                    reload.get(),
                )
            },
            move |(v, _)| {
                list_leads(
                    load_slug.clone(),
                    v[0].clone(),
                    v[1].clone(),
                    v[2].clone(),
                    v[3].clone(),
                    v[4].clone(),
                    v[5].clone(),
                    v[6].clone(),
                    v[7].clone(),
                    v[8].parse().unwrap_or(1),
                )
            },
        );
        let export_slug = slug.clone();
        let export = move || {
            let q = query.with(|q| href_with(q, NAMES, &[]));
            format!(
                "/{export_slug}/leads.csv{}",
                if q == "?" { String::new() } else { q }
            )
        };
        let filtered = move || NAMES[..6].iter().any(|n| !param(n).is_empty());
        view! {
            <div class="mb-4 flex flex-wrap items-center justify-between gap-3">
                <h1 class="text-2xl font-semibold tracking-tight">{t!(i18n, area_leads)}</h1>
                <div class="flex flex-wrap gap-2">
                    <a href=format!("/{slug}/imports?kind=LEAD") class=SECONDARY>{t!(i18n, import_csv)}</a>
                    <a href=export class=SECONDARY data-testid="export-leads" download>{t!(i18n, export_csv)}</a>
                </div>
            </div>
            <Transition fallback=move || view! { <p class="text-sm text-slate-500">{t!(i18n, loading)}</p> }>
                {move || {
                    let slug = slug.clone();
                    Suspend::new(async move {
                        match leads.await {
                            Ok(page) => view! { <LeadsList slug page filtered=filtered() reload/> }.into_any(),
                            Err(error) => view! { <LoadFailed error/> }.into_any(),
                        }
                    })
                }}
            </Transition>
        }
    })
}

#[component]
fn LeadsList(slug: String, page: LeadPage, filtered: bool, reload: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let param = query_param();
    let locale = move || locale_of(i18n.get_locale());
    let LeadPage {
        items,
        total,
        page: current,
        page_size,
        owners,
        sources,
        statuses,
        can_create,
    } = page;
    let owner_filter = OwnerChoice::options(&owners);
    let empty = items.is_empty();
    view! {
        {can_create.then(|| view! { <NewLeadForm slug=slug.clone() owners=owners.clone() reload/> })}
        <form method="get" class="mb-4 grid gap-3 rounded-xl border border-slate-200 bg-white p-4 shadow-sm sm:grid-cols-3 lg:grid-cols-6" role="search">
            <div class="sm:col-span-3 lg:col-span-2">
                <label for="leads-q" class=LABEL>{t!(i18n, list_search)}</label>
                <input id="leads-q" name="q" type="search" value=param("q") class=INPUT placeholder=move || t_string!(i18n, leads_search_hint).to_string()/>
            </div>
            <FilterSelect id="leads-owner" name="owner" label=ViewFn::from(move || t!(i18n, field_owner)) choices=owner_filter>
                <option value="none" selected=move || param("owner") == "none">{t!(i18n, owner_nobody)}</option>
            </FilterSelect>
            <FilterSelect id="leads-source" name="source" label=ViewFn::from(move || t!(i18n, field_source)) choices=sources.into_iter().map(|s| (s.clone(), s)).collect()/>
            <FilterSelect id="leads-status" name="status" label=ViewFn::from(move || t!(i18n, field_lead_status)) choices=statuses.into_iter().map(|s| { let label = lead_status_label(i18n, &s); (s, label) }).collect()/>
            <div class="grid grid-cols-2 gap-2 sm:col-span-2 lg:col-span-2">
                <div>
                    <label for="leads-from" class=LABEL>{t!(i18n, list_created_from)}</label>
                    <input id="leads-from" name="from" type="date" value=param("from") class=INPUT/>
                </div>
                <div>
                    <label for="leads-to" class=LABEL>{t!(i18n, list_created_to)}</label>
                    <input id="leads-to" name="to" type="date" value=param("to") class=INPUT/>
                </div>
            </div>
            <input type="hidden" name="sort" value=param("sort")/>
            <input type="hidden" name="dir" value=param("dir")/>
            <div class="flex items-end gap-2 sm:col-span-1 lg:col-span-4">
                <button type="submit" class=PRIMARY>{t!(i18n, list_apply)}</button>
                {filtered.then(|| view! { <a href="?" class=SECONDARY>{t!(i18n, list_clear)}</a> })}
            </div>
        </form>
        <p class="mb-2 text-sm text-slate-500" data-testid="leads-total">{t!(i18n, leads_total, count = move || format_count(total, locale()))}</p>
        {if empty {
            view! {
                <div class=format!("{CARD} text-center") data-testid="leads-empty">
                    {if filtered {
                        view! {
                            <p class="text-sm text-slate-600">{t!(i18n, leads_empty_filtered)}</p>
                            <a href="?" class=format!("{SECONDARY} mt-3")>{t!(i18n, list_clear)}</a>
                        }.into_any()
                    } else {
                        view! {
                            <p class="font-medium text-slate-800">{t!(i18n, leads_empty_title)}</p>
                            <p class="mt-1 text-sm text-slate-600">{t!(i18n, leads_empty_body)}</p>
                            <div class="mt-3 flex justify-center gap-2">
                                <a href=format!("/{slug}/imports?kind=LEAD") class=PRIMARY>{t!(i18n, import_csv)}</a>
                                <a href=format!("/{slug}/integrations") class=SECONDARY>{t!(i18n, connect_crm)}</a>
                            </div>
                        }.into_any()
                    }}
                </div>
            }.into_any()
        } else {
            view! {
                <div class="overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm">
                    <table class="min-w-full divide-y divide-slate-200" data-testid="leads-table">
                        <thead class="bg-slate-50">
                            <tr>
                                <SortHeader key="name" label=ViewFn::from(move || t!(i18n, field_lead_name)) names=NAMES default_key="created"/>
                                <SortHeader key="company" label=ViewFn::from(move || t!(i18n, field_company_name)) names=NAMES default_key="created"/>
                                <th scope="col" class=TH>{t!(i18n, field_email)}</th>
                                <th scope="col" class=TH>{t!(i18n, field_source)}</th>
                                <th scope="col" class=TH>{t!(i18n, field_lead_status)}</th>
                                <th scope="col" class=TH>{t!(i18n, field_owner)}</th>
                                <th scope="col" class=TH>{t!(i18n, area_deals)}</th>
                                <SortHeader key="created" label=ViewFn::from(move || t!(i18n, list_created)) names=NAMES default_key="created"/>
                            </tr>
                        </thead>
                        <tbody class="divide-y divide-slate-100">
                            {items.into_iter().map(|lead| {
                                let created = lead.created_at;
                                view! {
                                    <tr class="hover:bg-slate-50">
                                        <td class=TD><a class="font-medium text-indigo-700 hover:underline" href=format!("/{slug}/leads/{}", lead.id)>{lead.name}</a>
                                            {lead.position.map(|p| view! { <span class="block text-xs text-slate-500">{p}</span> })}</td>
                                        <td class=TD>{lead.company_name.unwrap_or_default()}</td>
                                        <td class=TD>{lead.email.unwrap_or_default()}</td>
                                        <td class=TD>{lead.source.unwrap_or_default()}</td>
                                        <td class=TD>{let status = lead.status; move || status.as_deref().map(|s| lead_status_label(i18n, s)).unwrap_or_default()}</td>
                                        <td class=TD>{lead.owner_name.unwrap_or_else(|| "—".to_owned())}</td>
                                        <td class=TD>{lead.deal_count}</td>
                                        <td class=TD>{move || format_date(created.date_naive(), locale())}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
                <Pager page=current total page_size names=NAMES/>
            }.into_any()
        }}
    }
}

#[component]
fn NewLeadForm(slug: String, owners: Vec<OwnerChoice>, reload: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<SaveLead>::new();
    let draft = drafted(action, "lead-new");
    let problem = problem_of(outcome(action));
    let navigate_slug = slug.clone();
    Effect::new(move |_| {
        if let Some(Ok(id)) = action.value().get() {
            reload.update(|n| *n += 1);
            let navigate = leptos_router::hooks::use_navigate();
            navigate(&format!("/{navigate_slug}/leads/{id}"), Default::default());
        }
    });
    view! {
        <details class=format!("{CARD} mb-4") open=move || problem.get().is_some() data-testid="lead-new">
            <summary class="cursor-pointer text-sm font-semibold text-indigo-700">{t!(i18n, leads_new)}</summary>
            <ActionForm action node_ref=draft>
                <input type="hidden" name="slug" value=slug/>
                <LeadFields lead=None owners problem/>
                <div class="mt-4 flex flex-wrap items-center gap-3">
                    <button type="submit" class=PRIMARY disabled=move || action.pending().get()>{t!(i18n, leads_create)}</button>
                    <FormStatus value=outcome(action) fields=LEAD_FIELDS/>
                </div>
            </ActionForm>
        </details>
    }
}

const LEAD_FIELDS: &[&str] = &[
    "name",
    "email",
    "phone",
    "company_name",
    "position",
    "source",
    "status",
    "lead_score",
    "owner_id",
];

/// The fields of a lead's form, filled from `lead` when editing.
#[component]
fn LeadFields(
    lead: Option<LeadDetail>,
    owners: Vec<OwnerChoice>,
    problem: Signal<Option<crate::validation::Problem>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let prefix = lead
        .as_ref()
        .map(|l| l.id.clone())
        .unwrap_or_else(|| "new".to_owned());
    let get = |f: fn(&LeadDetail) -> Option<String>| lead.as_ref().and_then(f).unwrap_or_default();
    let score = lead
        .as_ref()
        .and_then(|l| l.lead_score)
        .map(|s| format!("{s}"))
        .unwrap_or_default();
    let owner = get(|l| l.owner_id.clone());
    let can_assign = !owners.is_empty();
    view! {
        <div class="mt-4 grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
            <TextField id=format!("lead-{prefix}-name") name="name" label=move || t!(i18n, field_lead_name) value=get(|l| Some(l.name.clone())) required=true maxlength=200 problem/>
            <TextField id=format!("lead-{prefix}-email") name="email" kind="email" label=move || t!(i18n, field_email) value=get(|l| l.email.clone()) problem/>
            <TextField id=format!("lead-{prefix}-phone") name="phone" kind="tel" label=move || t!(i18n, field_phone) value=get(|l| l.phone.clone()) problem/>
            <TextField id=format!("lead-{prefix}-company") name="company_name" label=move || t!(i18n, field_company_name) value=get(|l| l.company_name.clone()) maxlength=200 problem/>
            <TextField id=format!("lead-{prefix}-position") name="position" label=move || t!(i18n, field_position) value=get(|l| l.position.clone()) maxlength=200 problem/>
            <TextField id=format!("lead-{prefix}-source") name="source" label=move || t!(i18n, field_source) value=get(|l| l.source.clone()) maxlength=200 problem/>
            <TextField id=format!("lead-{prefix}-status") name="status" label=move || t!(i18n, field_lead_status) value=get(|l| l.status.clone()) maxlength=200 problem/>
            <TextField id=format!("lead-{prefix}-score") name="lead_score" inputmode="decimal" label=move || t!(i18n, field_lead_score) value=score hint=move || t!(i18n, field_lead_score_hint) problem/>
            {can_assign.then(|| view! {
                <SelectField id=format!("lead-{prefix}-owner") name="owner_id" label=move || t!(i18n, field_owner)
                    options=owner_options(i18n, &owners) selected=owner problem/>
            })}
        </div>
    }
}

#[component]
pub fn LeadPage() -> impl IntoView {
    with_tenant(Area::Leads, |shell| {
        let i18n = use_i18n();
        let params = use_params_map();
        let slug = shell.slug.clone();
        let reload = RwSignal::new(0u32);
        let load_slug = slug.clone();
        let lead = Resource::new(
            move || {
                (
                    params.with(|p| p.get("id").unwrap_or_default()),
                    reload.get(),
                )
            },
            move |(id, _)| get_lead(load_slug.clone(), id),
        );
        view! {
            <Transition fallback=move || view! { <p class="text-sm text-slate-500">{t!(i18n, loading)}</p> }>
                {move || {
                    let slug = slug.clone();
                    Suspend::new(async move {
                        match lead.await {
                            Ok(lead) => view! { <LeadView slug lead reload/> }.into_any(),
                            Err(AppError::NotFound) => view! { <crate::shell::pages::NotFound/> }.into_any(),
                            Err(error) => view! { <LoadFailed error/> }.into_any(),
                        }
                    })
                }}
            </Transition>
        }
    })
}

#[component]
fn LeadView(slug: String, lead: LeadDetail, reload: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let locale = move || locale_of(i18n.get_locale());
    let action = ServerAction::<SaveLead>::new();
    let problem = problem_of(outcome(action));
    Effect::new(move |_| {
        if matches!(action.value().get(), Some(Ok(_))) {
            reload.update(|n| *n += 1);
        }
    });
    let created = lead.created_at;
    let fact = |label: AnyView, value: Option<String>| {
        view! {
            <div>
                <dt class="text-xs text-slate-500">{label}</dt>
                <dd class="text-sm text-slate-800">{value.unwrap_or_else(|| "—".to_owned())}</dd>
            </div>
        }
    };
    let deal_slug = slug.clone();
    view! {
        <nav class="mb-2 text-sm"><a class="text-indigo-700 hover:underline" href=format!("/{slug}/leads")>"← "{t!(i18n, area_leads)}</a></nav>
        <div class="mb-4 flex flex-wrap items-baseline justify-between gap-2">
            <h1 class="text-2xl font-semibold tracking-tight" data-testid="lead-name">{lead.name.clone()}</h1>
            <p class="text-sm text-slate-500">{t!(i18n, list_created)}" "{move || format_date_time(created, locale())}</p>
        </div>
        <div class="grid gap-6 lg:grid-cols-3">
            <section class=format!("{CARD} lg:col-span-2") aria-labelledby="lead-facts">
                <h2 id="lead-facts" class="text-lg font-semibold">{t!(i18n, record_details)}</h2>
                <dl class="mt-3 grid gap-3 sm:grid-cols-3">
                    {fact(t!(i18n, field_company_name).into_any(), lead.company_name.clone())}
                    {fact(t!(i18n, field_position).into_any(), lead.position.clone())}
                    {fact(t!(i18n, field_email).into_any(), lead.email.clone())}
                    {fact(t!(i18n, field_phone).into_any(), lead.phone.clone())}
                    {fact(t!(i18n, field_source).into_any(), lead.source.clone())}
                    {fact(t!(i18n, field_lead_status).into_any(), lead.status.as_deref().map(|s| lead_status_label(i18n, s)))}
                    {fact(t!(i18n, field_lead_score).into_any(), lead.lead_score.map(|s| format!("{s}")))}
                    {fact(t!(i18n, field_owner).into_any(), lead.owner_name.clone())}
                    {fact(t!(i18n, field_external_id).into_any(), lead.external_id.clone())}
                </dl>
                {(!lead.custom_fields.is_empty()).then(|| view! {
                    <h3 class="mt-4 text-sm font-semibold text-slate-700">{t!(i18n, record_custom_fields)}</h3>
                    <dl class="mt-2 grid gap-3 sm:grid-cols-3" data-testid="lead-custom-fields">
                        {lead.custom_fields.iter().map(|(k, v)| view! {
                            <div><dt class="text-xs text-slate-500">{k.clone()}</dt><dd class="text-sm text-slate-800">{v.clone()}</dd></div>
                        }).collect_view()}
                    </dl>
                })}
                {lead.can_edit.then(|| {
                    let lead_for_form = lead.clone();
                    let owners = lead.owners.clone();
                    let slug = slug.clone();
                    view! {
                        <details class="mt-4 rounded-lg border border-slate-200 p-4" open=move || problem.get().is_some()>
                            <summary class="cursor-pointer text-sm font-semibold text-indigo-700">{t!(i18n, record_edit)}</summary>
                            <ActionForm action>
                                <input type="hidden" name="slug" value=slug/>
                                <input type="hidden" name="id" value=lead_for_form.id.clone()/>
                                <LeadFields lead=Some(lead_for_form) owners problem/>
                                <div class="mt-4 flex flex-wrap items-center gap-3">
                                    <button type="submit" class=PRIMARY disabled=move || action.pending().get()>{t!(i18n, save)}</button>
                                    <FormStatus value=outcome(action) fields=LEAD_FIELDS/>
                                </div>
                            </ActionForm>
                        </details>
                    }
                })}
            </section>
            <section class=CARD aria-labelledby="lead-history">
                <h2 id="lead-history" class="text-lg font-semibold">{t!(i18n, record_history)}</h2>
                <div class="mt-3"><HistoryList items=lead.history.clone()/></div>
            </section>
            <section class=format!("{CARD} lg:col-span-2") aria-labelledby="lead-deals">
                <div class="flex items-center justify-between">
                    <h2 id="lead-deals" class="text-lg font-semibold">{t!(i18n, area_deals)}</h2>
                    <a class=SECONDARY href=format!("/{deal_slug}/deals?new_for={}", encode_query_value(&lead.id))>{t!(i18n, deals_new)}</a>
                </div>
                {if lead.deals.is_empty() {
                    view! { <p class="mt-3 text-sm text-slate-500">{t!(i18n, lead_no_deals)}</p> }.into_any()
                } else {
                    view! {
                        <ul class="mt-3 divide-y divide-slate-100">
                            {lead.deals.iter().map(|d| view! {
                                <li class="flex flex-wrap items-center justify-between gap-2 py-2 text-sm">
                                    <a class="font-medium text-indigo-700 hover:underline" href=format!("/{deal_slug}/deals/{}", d.id)>{d.title.clone()}</a>
                                    <span class="text-slate-600">{d.stage_name.clone()}" · "{money(i18n, d.value, &d.currency)}</span>
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }}
            </section>
            <section class=CARD aria-labelledby="lead-conversations">
                <h2 id="lead-conversations" class="text-lg font-semibold">{t!(i18n, area_conversations)}</h2>
                <div class="mt-3"><ConversationList items=lead.conversations.clone()/></div>
            </section>
        </div>
    }
}
