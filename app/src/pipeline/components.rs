//! Pieces the pipeline pages share: links that keep the list's state in the URL, sortable column
//! headers, pagination, the record's conversations and history, money in the viewer's language.

use domain::format::{format_date_time, format_money};
use domain::{ConversationChannel, ConversationSentiment};
use leptos::prelude::*;
use leptos_i18n::I18nContext;
use leptos_router::hooks::use_query_map;
use leptos_router::params::ParamsMap;
use rust_decimal::Decimal;

use super::{ConversationItem, HistoryItem, MoneyTotal};
use crate::fields::{BADGE, INPUT, LABEL, SECONDARY};
use crate::i18n::*;
use crate::shell::{encode_query_value, locale_of};

/// The current query with `changes` applied (an empty value removes the parameter); the page
/// goes back to 1 unless it is one of the changes.
pub fn href_with(query: &ParamsMap, names: &[&str], changes: &[(&str, String)]) -> String {
    let mut parts = Vec::new();
    for name in names {
        if *name == "page" && !changes.iter().any(|(n, _)| *n == "page") {
            continue;
        }
        let value = changes
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .or_else(|| query.get(name))
            .unwrap_or_default();
        if !value.is_empty() {
            parts.push(format!("{name}={}", encode_query_value(&value)));
        }
    }
    if parts.is_empty() {
        "?".to_owned()
    } else {
        format!("?{}", parts.join("&"))
    }
}

/// A URL query parameter as a signal-friendly closure.
pub fn query_param() -> impl Fn(&'static str) -> String + Copy + Send + Sync + 'static {
    let query = use_query_map();
    move |name| query.with(|q| q.get(name).unwrap_or_default())
}

/// One filter of a list's search form: a select named `name` whose first choice, "any", sets no
/// filter; then the fixed options given as children, then `choices` as (value, label); the choice
/// the URL holds is selected.
#[component]
pub fn FilterSelect(
    id: &'static str,
    name: &'static str,
    label: ViewFn,
    #[prop(optional)] choices: Vec<(String, String)>,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    let i18n = use_i18n();
    let param = query_param();
    view! {
        <div>
            <label for=id class=LABEL>{label.run()}</label>
            <select id=id name=name class=INPUT>
                <option value="">{t!(i18n, audit_any)}</option>
                {children.map(|fixed| fixed())}
                {choices.into_iter().map(|(value, text)| {
                    let chosen = value.clone();
                    view! { <option value=value selected=move || param(name) == chosen>{text}</option> }
                }).collect_view()}
            </select>
        </div>
    }
}

/// A column header that sorts the list by `key`, flipping the direction when it already does.
#[component]
pub fn SortHeader(
    key: &'static str,
    label: ViewFn,
    /// The list's parameters, in the order they appear in links.
    names: &'static [&'static str],
    /// The sort key the list uses when the URL names none.
    default_key: &'static str,
) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let current = move || {
        query.with(|q| {
            let sort = q.get("sort").unwrap_or_else(|| default_key.to_owned());
            let dir = q.get("dir").unwrap_or_else(|| "desc".to_owned());
            (sort == key).then_some(dir)
        })
    };
    let href = move || {
        let next = match current().as_deref() {
            Some("desc") => "asc",
            Some(_) => "desc",
            None => "asc",
        };
        query.with(|q| {
            href_with(
                q,
                names,
                &[("sort", key.to_owned()), ("dir", next.to_owned())],
            )
        })
    };
    let aria_sort = move || match current().as_deref() {
        Some("asc") => "ascending",
        Some(_) => "descending",
        None => "none",
    };
    view! {
        <th scope="col" aria-sort=aria_sort class="px-3 py-2 text-left text-xs font-semibold uppercase tracking-wide text-slate-500">
            <a href=href class="inline-flex items-center gap-1 hover:text-slate-900" title=move || t_string!(i18n, list_sort_by).to_string()>
                {label.run()}
                <span aria-hidden="true">{move || match current().as_deref() { Some("asc") => "▲", Some(_) => "▼", None => "" }}</span>
            </a>
        </th>
    }
}

/// Previous / next links that keep the filters.
#[component]
pub fn Pager(
    page: u32,
    total: i64,
    page_size: i64,
    names: &'static [&'static str],
) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let pages = ((total + page_size - 1) / page_size).max(1) as u32;
    let link = move |to: u32| query.with(|q| href_with(q, names, &[("page", to.to_string())]));
    view! {
        <nav class="mt-4 flex items-center justify-between text-sm" aria-label=move || t_string!(i18n, pagination).to_string()>
            {(page > 1).then(|| view! { <a href=link(page - 1) class=SECONDARY rel="prev">{t!(i18n, page_previous)}</a> })}
            <span class="text-slate-500">{t!(i18n, page_of, page = move || page, pages = move || pages)}</span>
            {(page < pages).then(|| view! { <a href=link(page + 1) class=SECONDARY rel="next">{t!(i18n, page_next)}</a> })}
        </nav>
    }
}

pub fn money(i18n: I18nContext<Locale>, value: Decimal, currency: &str) -> String {
    format_money(value, currency, locale_of(i18n.get_locale()))
}

/// "R$ 1.234,00 · US$ 50,00": totals per currency, never mixed.
pub fn money_totals(i18n: I18nContext<Locale>, totals: &[MoneyTotal]) -> String {
    if totals.is_empty() {
        return money(i18n, Decimal::ZERO, "BRL");
    }
    totals
        .iter()
        .map(|t| money(i18n, t.value, &t.currency))
        .collect::<Vec<_>>()
        .join(" · ")
}

pub fn channel_label(i18n: I18nContext<Locale>, channel: ConversationChannel) -> &'static str {
    match channel {
        ConversationChannel::Call => t_string!(i18n, channel_call),
        ConversationChannel::Whatsapp => t_string!(i18n, channel_whatsapp),
        ConversationChannel::Email => t_string!(i18n, channel_email),
        ConversationChannel::Video => t_string!(i18n, channel_video),
    }
}

fn sentiment_badge(
    i18n: I18nContext<Locale>,
    sentiment: ConversationSentiment,
) -> (&'static str, &'static str) {
    match sentiment {
        ConversationSentiment::Positive => (
            t_string!(i18n, sentiment_positive),
            "bg-emerald-100 text-emerald-800",
        ),
        ConversationSentiment::Neutral => (
            t_string!(i18n, sentiment_neutral),
            "bg-slate-200 text-slate-700",
        ),
        ConversationSentiment::Negative => (
            t_string!(i18n, sentiment_negative),
            "bg-rose-100 text-rose-800",
        ),
    }
}

/// The record's conversations, newest first, with their analysis at a glance.
#[component]
pub fn ConversationList(items: Vec<ConversationItem>) -> impl IntoView {
    let i18n = use_i18n();
    if items.is_empty() {
        return view! { <p class="text-sm text-slate-500">{t!(i18n, record_no_conversations)}</p> }
            .into_any();
    }
    view! {
        <ul class="divide-y divide-slate-100" data-testid="record-conversations">
            {items.into_iter().map(|c| {
                let date = c.date;
                view! {
                    <li class="py-3">
                        <div class="flex flex-wrap items-center gap-2 text-sm">
                            <span class="font-medium text-slate-800">{move || channel_label(i18n, c.channel)}</span>
                            <span class="text-slate-500">{c.agent_name.clone()}" · "{move || format_date_time(date, locale_of(i18n.get_locale()))}</span>
                            {c.playbook_score.map(|score| view! {
                                <span class=format!("{BADGE} bg-indigo-100 text-indigo-800")>{t!(i18n, record_playbook_score)}" "{format!("{score:.0}")}</span>
                            })}
                            {c.sentiment.map(|s| view! {
                                <span class=move || format!("{BADGE} {}", sentiment_badge(i18n, s).1)>{move || sentiment_badge(i18n, s).0}</span>
                            })}
                        </div>
                        {c.summary.clone().map(|summary| view! { <p class="mt-1 text-sm text-slate-600">{summary}</p> })}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}

/// Who changed what, when: the record's audit rows.
#[component]
pub fn HistoryList(items: Vec<HistoryItem>) -> impl IntoView {
    let i18n = use_i18n();
    if items.is_empty() {
        return view! { <p class="text-sm text-slate-500">{t!(i18n, record_no_history)}</p> }
            .into_any();
    }
    view! {
        <ol class="space-y-3" data-testid="record-history">
            {items.into_iter().map(|h| {
                let at = h.at;
                view! {
                    <li class="text-sm">
                        <p class="text-slate-700">
                            <span class="font-medium">{h.actor.clone()}</span>" · "
                            <span>{history_action(i18n, &h.action)}</span>" · "
                            <span class="text-slate-500">{move || format_date_time(at, locale_of(i18n.get_locale()))}</span>
                        </p>
                        {(!h.changes.is_empty()).then(|| view! {
                            <ul class="mt-1 list-inside list-disc text-xs text-slate-500">
                                {h.changes.iter().map(|(field, before, after)| view! {
                                    <li>{field.clone()}": "{before.clone()}" → "{after.clone()}</li>
                                }).collect_view()}
                            </ul>
                        })}
                    </li>
                }
            }).collect_view()}
        </ol>
    }
    .into_any()
}

fn history_action(i18n: I18nContext<Locale>, action: &str) -> String {
    match action {
        "create" => t_string!(i18n, history_create).to_owned(),
        "update" => t_string!(i18n, history_update).to_owned(),
        "move" => t_string!(i18n, history_move).to_owned(),
        "import" => t_string!(i18n, history_import).to_owned(),
        other => other.to_owned(),
    }
}
