//! The deals list (`/{slug}/deals`) and a deal's page (`/{slug}/deals/{id}`): the same shape as the
//! leads pages, with the stage, value and expected close date; money is shown in the deal's own
//! currency and list totals are per currency.

use domain::StageKind;
use domain::format::{format_count, format_date, format_date_time, format_percent};
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::api::{MoveDeal, SaveDeal, get_deal, list_deals};
use super::components::{
    ConversationList, FilterSelect, HistoryList, Pager, SortHeader, href_with, money, money_totals,
    query_param,
};
use super::leads::owner_options;
use super::{DealDetail, DealPage, OwnerChoice, StageInfo};
use crate::company::components::LoadFailed;
use crate::error::AppError;
use crate::fields::{BADGE, CARD, INPUT, LABEL, PRIMARY, SECONDARY, SelectField, TextField};
use crate::i18n::*;
use crate::shell::pages::with_tenant;
use crate::shell::{Area, locale_of};
use crate::validation::{FieldError, FormStatus, drafted, outcome, problem_of};

const NAMES: &[&str] = &[
    "q",
    "stage",
    "owner",
    "state",
    "min",
    "max",
    "close_from",
    "close_to",
    "sort",
    "dir",
    "page",
];
const TH: &str = "px-3 py-2 text-left text-xs font-semibold uppercase tracking-wide text-slate-500";
const TD: &str = "px-3 py-2 text-sm text-slate-700";
pub const DEAL_FIELDS: &[&str] = &[
    "title",
    "lead_id",
    "stage",
    "value",
    "currency",
    "probability",
    "expected_close_at",
    "owner_id",
];

pub fn stage_badge(kind: StageKind) -> &'static str {
    match kind {
        StageKind::Open => "bg-indigo-50 text-indigo-800",
        StageKind::Won => "bg-emerald-100 text-emerald-800",
        StageKind::Lost => "bg-rose-100 text-rose-800",
    }
}

#[component]
pub fn DealsPage() -> impl IntoView {
    with_tenant(Area::Deals, |shell| {
        let i18n = use_i18n();
        let param = query_param();
        let query = use_query_map();
        let slug = shell.slug.clone();
        let reload = RwSignal::new(0u32);
        let load_slug = slug.clone();
        let deals = Resource::new(
            move || {
                (
                    NAMES.iter().map(|n| param(n)).collect::<Vec<_>>(),
                    reload.get(),
                )
            },
            move |(v, _)| {
                list_deals(
                    load_slug.clone(),
                    v[0].clone(),
                    v[1].clone(),
                    v[2].clone(),
                    v[3].clone(),
                    v[4].clone(),
                    v[5].clone(),
                    v[6].clone(),
                    v[7].clone(),
                    v[8].clone(),
                    v[9].clone(),
                    v[10].parse().unwrap_or(1),
                )
            },
        );
        let export_slug = slug.clone();
        let export = move || {
            let q = query.with(|q| href_with(q, NAMES, &[]));
            format!(
                "/{export_slug}/deals.csv{}",
                if q == "?" { String::new() } else { q }
            )
        };
        let filtered = move || NAMES[..8].iter().any(|n| !param(n).is_empty());
        view! {
            <div class="mb-4 flex flex-wrap items-center justify-between gap-3">
                <h1 class="text-2xl font-semibold tracking-tight">{t!(i18n, area_deals)}</h1>
                <div class="flex flex-wrap gap-2">
                    <a href=format!("/{slug}/deals/board") class=SECONDARY data-testid="open-board">{t!(i18n, board_title)}</a>
                    <a href=format!("/{slug}/imports?kind=DEAL") class=SECONDARY>{t!(i18n, import_csv)}</a>
                    <a href=export class=SECONDARY data-testid="export-deals" download>{t!(i18n, export_csv)}</a>
                </div>
            </div>
            <Transition fallback=move || view! { <p class="text-sm text-slate-500">{t!(i18n, loading)}</p> }>
                {move || {
                    let slug = slug.clone();
                    Suspend::new(async move {
                        match deals.await {
                            Ok(page) => view! { <DealsList slug page filtered=filtered() reload/> }.into_any(),
                            Err(error) => view! { <LoadFailed error/> }.into_any(),
                        }
                    })
                }}
            </Transition>
        }
    })
}

#[component]
fn DealsList(slug: String, page: DealPage, filtered: bool, reload: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let param = query_param();
    let locale = move || locale_of(i18n.get_locale());
    let DealPage {
        items,
        total,
        page: current,
        page_size,
        sums,
        stages,
        owners,
        can_create,
        lead_choices,
    } = page;
    let empty = items.is_empty();
    let stage_filter: Vec<(String, String)> = stages
        .iter()
        .map(|s| (s.key.clone(), s.name.clone()))
        .collect();
    let owner_filter = OwnerChoice::options(&owners);
    view! {
        {can_create.then(|| view! { <NewDealForm slug=slug.clone() stages=stages.clone() owners=owners.clone() leads=lead_choices.clone() reload/> })}
        <form method="get" class="mb-4 grid gap-3 rounded-xl border border-slate-200 bg-white p-4 shadow-sm sm:grid-cols-3 lg:grid-cols-6" role="search">
            <div class="sm:col-span-3 lg:col-span-2">
                <label for="deals-q" class=LABEL>{t!(i18n, list_search)}</label>
                <input id="deals-q" name="q" type="search" value=param("q") class=INPUT placeholder=move || t_string!(i18n, deals_search_hint).to_string()/>
            </div>
            <FilterSelect id="deals-stage" name="stage" label=ViewFn::from(move || t!(i18n, field_stage)) choices=stage_filter/>
            <FilterSelect id="deals-state" name="state" label=ViewFn::from(move || t!(i18n, field_deal_state))>
                <option value="open" selected=move || param("state") == "open">{t!(i18n, deal_state_open)}</option>
                <option value="won" selected=move || param("state") == "won">{t!(i18n, deal_state_won)}</option>
                <option value="lost" selected=move || param("state") == "lost">{t!(i18n, deal_state_lost)}</option>
            </FilterSelect>
            <FilterSelect id="deals-owner" name="owner" label=ViewFn::from(move || t!(i18n, field_owner)) choices=owner_filter>
                <option value="none" selected=move || param("owner") == "none">{t!(i18n, owner_nobody)}</option>
            </FilterSelect>
            <div class="grid grid-cols-2 gap-2">
                <div>
                    <label for="deals-min" class=LABEL>{t!(i18n, list_value_min)}</label>
                    <input id="deals-min" name="min" inputmode="decimal" value=param("min") class=INPUT/>
                </div>
                <div>
                    <label for="deals-max" class=LABEL>{t!(i18n, list_value_max)}</label>
                    <input id="deals-max" name="max" inputmode="decimal" value=param("max") class=INPUT/>
                </div>
            </div>
            <div class="grid grid-cols-2 gap-2 sm:col-span-2">
                <div>
                    <label for="deals-close-from" class=LABEL>{t!(i18n, list_close_from)}</label>
                    <input id="deals-close-from" name="close_from" type="date" value=param("close_from") class=INPUT/>
                </div>
                <div>
                    <label for="deals-close-to" class=LABEL>{t!(i18n, list_close_to)}</label>
                    <input id="deals-close-to" name="close_to" type="date" value=param("close_to") class=INPUT/>
                </div>
            </div>
            <input type="hidden" name="sort" value=param("sort")/>
            <input type="hidden" name="dir" value=param("dir")/>
            <div class="flex items-end gap-2 sm:col-span-3 lg:col-span-6">
                <button type="submit" class=PRIMARY>{t!(i18n, list_apply)}</button>
                {filtered.then(|| view! { <a href="?" class=SECONDARY>{t!(i18n, list_clear)}</a> })}
            </div>
        </form>
        <p class="mb-2 text-sm text-slate-500" data-testid="deals-total">
            {t!(i18n, deals_total, count = move || format_count(total, locale()))}" · "{money_totals(i18n, &sums)}
        </p>
        {if empty {
            view! {
                <div class=format!("{CARD} text-center") data-testid="deals-empty">
                    {if filtered {
                        view! { <p class="text-sm text-slate-600">{t!(i18n, deals_empty_filtered)}</p>
                                <a href="?" class=format!("{SECONDARY} mt-3")>{t!(i18n, list_clear)}</a> }.into_any()
                    } else {
                        view! { <p class="font-medium text-slate-800">{t!(i18n, deals_empty_title)}</p>
                                <p class="mt-1 text-sm text-slate-600">{t!(i18n, deals_empty_body)}</p>
                                <div class="mt-3 flex justify-center gap-2">
                                    <a href=format!("/{slug}/imports?kind=DEAL") class=PRIMARY>{t!(i18n, import_csv)}</a>
                                    <a href=format!("/{slug}/integrations") class=SECONDARY>{t!(i18n, connect_crm)}</a>
                                </div> }.into_any()
                    }}
                </div>
            }.into_any()
        } else {
            view! {
                <div class="overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm">
                    <table class="min-w-full divide-y divide-slate-200" data-testid="deals-table">
                        <thead class="bg-slate-50"><tr>
                            <SortHeader key="title" label=ViewFn::from(move || t!(i18n, field_deal_title)) names=NAMES default_key="moved"/>
                            <th scope="col" class=TH>{t!(i18n, field_lead)}</th>
                            <SortHeader key="stage" label=ViewFn::from(move || t!(i18n, field_stage)) names=NAMES default_key="moved"/>
                            <SortHeader key="value" label=ViewFn::from(move || t!(i18n, field_value)) names=NAMES default_key="moved"/>
                            <th scope="col" class=TH>{t!(i18n, field_probability)}</th>
                            <SortHeader key="close" label=ViewFn::from(move || t!(i18n, field_expected_close)) names=NAMES default_key="moved"/>
                            <th scope="col" class=TH>{t!(i18n, field_owner)}</th>
                            <SortHeader key="moved" label=ViewFn::from(move || t!(i18n, list_stage_since)) names=NAMES default_key="moved"/>
                        </tr></thead>
                        <tbody class="divide-y divide-slate-100">
                            {items.into_iter().map(|d| {
                                let moved = d.stage_changed_at;
                                let close = d.expected_close_at;
                                let probability = d.probability;
                                view! {
                                    <tr class="hover:bg-slate-50">
                                        <td class=TD><a class="font-medium text-indigo-700 hover:underline" href=format!("/{slug}/deals/{}", d.id)>{d.title}</a></td>
                                        <td class=TD><a class="hover:underline" href=format!("/{slug}/leads/{}", d.lead_id)>{d.lead_name}</a></td>
                                        <td class=TD><span class=format!("{BADGE} {}", stage_badge(d.stage_kind))>{d.stage_name}</span></td>
                                        <td class=format!("{TD} text-right tabular-nums")>{money(i18n, d.value, &d.currency)}</td>
                                        <td class=format!("{TD} text-right tabular-nums")>{move || format_percent(probability, 0, locale())}</td>
                                        <td class=TD>{move || close.map(|c| format_date(c, locale())).unwrap_or_else(|| "—".to_owned())}</td>
                                        <td class=TD>{d.owner_name.unwrap_or_else(|| "—".to_owned())}</td>
                                        <td class=TD>{move || format_date(moved.date_naive(), locale())}</td>
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

/// The lead a new deal is for: a select of the leads the viewer sees (most recently changed first),
/// narrowed by a search box once the page is interactive, preselected when the page came from a
/// lead (`?new_for=`).
#[component]
fn LeadPicker(
    choices: Vec<OwnerChoice>,
    prefix: String,
    problem: Signal<Option<crate::validation::Problem>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let param = query_param();
    let search = RwSignal::new(String::new());
    let select_id = format!("{prefix}-lead");
    let label_for = select_id.clone();
    let error_id = select_id.clone();
    let described = format!("{select_id}-error");
    let preset = param("new_for");
    view! {
        <div class="sm:col-span-2">
            <label for=label_for class=LABEL>{t!(i18n, field_lead)}</label>
            <div class="mt-1 grid gap-2 sm:grid-cols-2">
                <input type="search" class=INPUT aria-label=move || t_string!(i18n, deal_lead_search).to_string()
                    placeholder=move || t_string!(i18n, deal_lead_search).to_string()
                    on:input=move |ev| search.set(event_target_value(&ev).to_lowercase())/>
                <select id=select_id name="lead_id" class=INPUT required aria-describedby=described>
                    <option value="">{t!(i18n, deal_lead_choose)}</option>
                    {choices.into_iter().map(|l| {
                        let selected = l.id == preset;
                        let lower = l.name.to_lowercase();
                        view! { <option value=l.id hidden=move || { let q = search.get(); !q.is_empty() && !lower.contains(&q) } selected=selected>{l.name}</option> }
                    }).collect_view()}
                </select>
            </div>
            <FieldError problem field="lead_id" id=error_id/>
        </div>
    }
}

#[component]
fn NewDealForm(
    slug: String,
    stages: Vec<StageInfo>,
    owners: Vec<OwnerChoice>,
    leads: Vec<OwnerChoice>,
    reload: RwSignal<u32>,
) -> impl IntoView {
    let i18n = use_i18n();
    let param = query_param();
    let action = ServerAction::<SaveDeal>::new();
    let draft = drafted(action, "deal-new");
    let problem = problem_of(outcome(action));
    let navigate_slug = slug.clone();
    Effect::new(move |_| {
        if let Some(Ok(id)) = action.value().get() {
            reload.update(|n| *n += 1);
            let navigate = leptos_router::hooks::use_navigate();
            navigate(&format!("/{navigate_slug}/deals/{id}"), Default::default());
        }
    });
    let opened = move || problem.get().is_some() || !param("new_for").is_empty();
    view! {
        <details class=format!("{CARD} mb-4") open=opened data-testid="deal-new">
            <summary class="cursor-pointer text-sm font-semibold text-indigo-700">{t!(i18n, deals_new)}</summary>
            <ActionForm action node_ref=draft>
                <input type="hidden" name="slug" value=slug.clone()/>
                <div class="mt-4 grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
                    <LeadPicker choices=leads prefix="deal-new".to_owned() problem/>
                    <DealFields deal=None stages owners problem/>
                </div>
                <div class="mt-4 flex flex-wrap items-center gap-3">
                    <button type="submit" class=PRIMARY disabled=move || action.pending().get()>{t!(i18n, deals_create)}</button>
                    <FormStatus value=outcome(action) fields=DEAL_FIELDS/>
                </div>
            </ActionForm>
        </details>
    }
}

/// A deal's fields (all but the lead); filled from `deal` when editing.
#[component]
fn DealFields(
    deal: Option<DealDetail>,
    stages: Vec<StageInfo>,
    owners: Vec<OwnerChoice>,
    problem: Signal<Option<crate::validation::Problem>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let prefix = deal
        .as_ref()
        .map(|d| d.deal.id.clone())
        .unwrap_or_else(|| "new".to_owned());
    let stage = deal
        .as_ref()
        .map(|d| d.deal.stage.clone())
        .or_else(|| {
            stages
                .iter()
                .find(|s| s.kind == StageKind::Open)
                .map(|s| s.key.clone())
        })
        .unwrap_or_default();
    let value = deal
        .as_ref()
        .map(|d| d.deal.value.to_string().replace('.', ","))
        .unwrap_or_default();
    let probability = deal
        .as_ref()
        .and_then(|d| d.own_probability)
        .map(|p| p.normalize().to_string())
        .unwrap_or_default();
    let close = deal
        .as_ref()
        .and_then(|d| d.deal.expected_close_at)
        .map(|c| c.format("%Y-%m-%d").to_string())
        .unwrap_or_default();
    let owner = deal
        .as_ref()
        .and_then(|d| d.owner_id.clone())
        .unwrap_or_default();
    let currency = deal
        .as_ref()
        .map(|d| d.deal.currency.clone())
        .unwrap_or_default();
    let stage_options: Vec<(String, String)> = stages
        .iter()
        .map(|s| (s.key.clone(), s.name.clone()))
        .collect();
    let can_assign = !owners.is_empty();
    view! {
        <TextField id=format!("deal-{prefix}-title") name="title" label=move || t!(i18n, field_deal_title)
            value=deal.as_ref().map(|d| d.deal.title.clone()).unwrap_or_default() required=true maxlength=200 problem/>
        <SelectField id=format!("deal-{prefix}-stage") name="stage" label=move || t!(i18n, field_stage) options=stage_options selected=stage problem/>
        <TextField id=format!("deal-{prefix}-value") name="value" inputmode="decimal" label=move || t!(i18n, field_value) value required=true
            hint=move || t!(i18n, field_value_hint) problem/>
        <TextField id=format!("deal-{prefix}-currency") name="currency" label=move || t!(i18n, field_currency) value=currency maxlength=3
            hint=move || t!(i18n, field_deal_currency_hint) problem/>
        <TextField id=format!("deal-{prefix}-probability") name="probability" inputmode="decimal" label=move || t!(i18n, field_probability) value=probability
            hint=move || t!(i18n, field_probability_hint) problem/>
        <TextField id=format!("deal-{prefix}-close") name="expected_close_at" kind="date" label=move || t!(i18n, field_expected_close) value=close problem/>
        {can_assign.then(|| view! {
            <SelectField id=format!("deal-{prefix}-owner") name="owner_id" label=move || t!(i18n, field_owner)
                options=owner_options(i18n, &owners) selected=owner problem/>
        })}
    }
}

#[component]
pub fn DealPage() -> impl IntoView {
    with_tenant(Area::Deals, |shell| {
        let i18n = use_i18n();
        let params = use_params_map();
        let slug = shell.slug.clone();
        let reload = RwSignal::new(0u32);
        let load_slug = slug.clone();
        let deal = Resource::new(
            move || {
                (
                    params.with(|p| p.get("id").unwrap_or_default()),
                    reload.get(),
                )
            },
            move |(id, _)| get_deal(load_slug.clone(), id),
        );
        view! {
            <Transition fallback=move || view! { <p class="text-sm text-slate-500">{t!(i18n, loading)}</p> }>
                {move || {
                    let slug = slug.clone();
                    Suspend::new(async move {
                        match deal.await {
                            Ok(deal) => view! { <DealView slug deal reload/> }.into_any(),
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
fn DealView(slug: String, deal: DealDetail, reload: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let locale = move || locale_of(i18n.get_locale());
    let save = ServerAction::<SaveDeal>::new();
    let problem = problem_of(outcome(save));
    let moving = ServerAction::<MoveDeal>::new();
    Effect::new(move |_| {
        if matches!(save.value().get(), Some(Ok(_))) || matches!(moving.value().get(), Some(Ok(_)))
        {
            reload.update(|n| *n += 1);
        }
    });
    let d = deal.deal.clone();
    let close = d.expected_close_at;
    let closed = d.closed_at;
    let probability = d.probability;
    let moved = d.stage_changed_at;
    let fact = |label: AnyView, value: AnyView| {
        view! {
            <div><dt class="text-xs text-slate-500">{label}</dt><dd class="text-sm text-slate-800">{value}</dd></div>
        }
    };
    view! {
        <nav class="mb-2 text-sm"><a class="text-indigo-700 hover:underline" href=format!("/{slug}/deals")>"← "{t!(i18n, area_deals)}</a></nav>
        <div class="mb-4 flex flex-wrap items-baseline justify-between gap-2">
            <h1 class="text-2xl font-semibold tracking-tight" data-testid="deal-title">{d.title.clone()}</h1>
            <span class=format!("{BADGE} {}", stage_badge(d.stage_kind)) data-testid="deal-stage">{d.stage_name.clone()}</span>
        </div>
        <div class="grid gap-6 lg:grid-cols-3">
            <section class=format!("{CARD} lg:col-span-2") aria-labelledby="deal-facts">
                <h2 id="deal-facts" class="text-lg font-semibold">{t!(i18n, record_details)}</h2>
                <dl class="mt-3 grid gap-3 sm:grid-cols-3">
                    {fact(t!(i18n, field_value).into_any(), money(i18n, d.value, &d.currency).into_any())}
                    {fact(t!(i18n, field_probability).into_any(), (move || format_percent(probability, 0, locale())).into_any())}
                    {fact(t!(i18n, field_lead).into_any(), view! { <a class="text-indigo-700 hover:underline" href=format!("/{slug}/leads/{}", d.lead_id)>{d.lead_name.clone()}</a> }.into_any())}
                    {fact(t!(i18n, field_expected_close).into_any(), (move || close.map(|c| format_date(c, locale())).unwrap_or_else(|| "—".into())).into_any())}
                    {fact(t!(i18n, field_closed_at).into_any(), (move || closed.map(|c| format_date(c, locale())).unwrap_or_else(|| "—".into())).into_any())}
                    {fact(t!(i18n, field_owner).into_any(), d.owner_name.clone().unwrap_or_else(|| "—".into()).into_any())}
                    {fact(t!(i18n, list_stage_since).into_any(), (move || format_date_time(moved, locale())).into_any())}
                    {fact(t!(i18n, field_external_id).into_any(), deal.external_id.clone().unwrap_or_else(|| "—".into()).into_any())}
                </dl>
                {(!deal.custom_fields.is_empty()).then(|| view! {
                    <h3 class="mt-4 text-sm font-semibold text-slate-700">{t!(i18n, record_custom_fields)}</h3>
                    <dl class="mt-2 grid gap-3 sm:grid-cols-3">
                        {deal.custom_fields.iter().map(|(k, v)| view! {
                            <div><dt class="text-xs text-slate-500">{k.clone()}</dt><dd class="text-sm text-slate-800">{v.clone()}</dd></div>
                        }).collect_view()}
                    </dl>
                })}
                {deal.can_edit.then(|| {
                    let stages = deal.stages.clone();
                    let current = d.stage.clone();
                    let for_form = deal.clone();
                    let owners = deal.owners.clone();
                    let form_stages = deal.stages.clone();
                    let (move_slug, move_id) = (slug.clone(), d.id.clone());
                    let (slug, id) = (slug.clone(), d.id.clone());
                    view! {
                        <ActionForm action=moving attr:class="mt-4 flex flex-wrap items-end gap-2">
                            <input type="hidden" name="slug" value=move_slug/>
                            <input type="hidden" name="id" value=move_id/>
                            <div>
                                <label for="deal-move-stage" class=LABEL>{t!(i18n, deal_move_to)}</label>
                                <select id="deal-move-stage" name="stage" class=INPUT data-testid="deal-move-stage">
                                    {stages.into_iter().map(|s| {
                                        let selected = s.key == current;
                                        view! { <option value=s.key selected=selected>{s.name}</option> }
                                    }).collect_view()}
                                </select>
                            </div>
                            <button type="submit" class=SECONDARY disabled=move || moving.pending().get()>{t!(i18n, deal_move)}</button>
                            <FormStatus value=outcome(moving)/>
                        </ActionForm>
                        <details class="mt-4 rounded-lg border border-slate-200 p-4" open=move || problem.get().is_some()>
                            <summary class="cursor-pointer text-sm font-semibold text-indigo-700">{t!(i18n, record_edit)}</summary>
                            <ActionForm action=save>
                                <input type="hidden" name="slug" value=slug/>
                                <input type="hidden" name="id" value=id/>
                                <input type="hidden" name="lead_id" value=for_form.deal.lead_id.clone()/>
                                <div class="mt-4 grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
                                    <DealFields deal=Some(for_form) stages=form_stages owners problem/>
                                </div>
                                <div class="mt-4 flex flex-wrap items-center gap-3">
                                    <button type="submit" class=PRIMARY disabled=move || save.pending().get()>{t!(i18n, save)}</button>
                                    <FormStatus value=outcome(save) fields=DEAL_FIELDS/>
                                </div>
                            </ActionForm>
                        </details>
                    }
                })}
            </section>
            <section class=CARD aria-labelledby="deal-history">
                <h2 id="deal-history" class="text-lg font-semibold">{t!(i18n, record_history)}</h2>
                <div class="mt-3"><HistoryList items=deal.history.clone()/></div>
            </section>
            <section class=format!("{CARD} lg:col-span-2") aria-labelledby="deal-conversations">
                <h2 id="deal-conversations" class="text-lg font-semibold">{t!(i18n, deal_lead_conversations)}</h2>
                <div class="mt-3"><ConversationList items=deal.conversations.clone()/></div>
            </section>
        </div>
    }
}
