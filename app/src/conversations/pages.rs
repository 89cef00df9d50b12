//! The conversations list and a conversation's analysis page. Every score on the page is shown
//! with the quotes it came from, so an agent can see why and a director can trust it.

use domain::format::{format_count, format_date, format_date_time};
use leptos::prelude::*;
use leptos_i18n::I18nContext;
use leptos_router::hooks::use_params_map;

use super::api::{get_conversation, list_conversations};
use super::{AnalysisView, ConversationDetail, ConversationPage, Quote};
use crate::company::components::LoadFailed;
use crate::error::AppError;
use crate::fields::{BADGE, CARD, INPUT, LABEL, PRIMARY, SECONDARY};
use crate::i18n::*;
use crate::pipeline::components::{Pager, channel_label, query_param};
use crate::shell::pages::with_tenant;
use crate::shell::{Area, locale_of};

const NAMES: &[&str] = &["agent", "channel", "sentiment", "page"];

fn score_badge(score: f64) -> &'static str {
    if score >= 70.0 {
        "bg-emerald-100 text-emerald-800"
    } else if score >= 40.0 {
        "bg-amber-100 text-amber-800"
    } else {
        "bg-rose-100 text-rose-800"
    }
}

fn sentiment_text(
    i18n: I18nContext<Locale>,
    sentiment: domain::ConversationSentiment,
) -> &'static str {
    match sentiment {
        domain::ConversationSentiment::Positive => t_string!(i18n, sentiment_positive),
        domain::ConversationSentiment::Neutral => t_string!(i18n, sentiment_neutral),
        domain::ConversationSentiment::Negative => t_string!(i18n, sentiment_negative),
    }
}

#[component]
pub fn ConversationsPage() -> impl IntoView {
    with_tenant(Area::Conversations, |shell| {
        let i18n = use_i18n();
        let param = query_param();
        let slug = shell.slug.clone();
        let load_slug = slug.clone();
        let page = Resource::new(
            move || {
                (
                    param("agent"),
                    param("channel"),
                    param("sentiment"),
                    param("page"),
                )
            },
            move |(agent, channel, sentiment, page)| {
                list_conversations(
                    load_slug.clone(),
                    agent,
                    channel,
                    sentiment,
                    page.parse().unwrap_or(1),
                )
            },
        );
        view! {
            <h1 class="mb-4 text-2xl font-semibold tracking-tight">{t!(i18n, area_conversations)}</h1>
            <Transition fallback=move || view! { <p class="text-sm text-slate-500">{t!(i18n, loading)}</p> }>
                {move || {
                    let slug = slug.clone();
                    Suspend::new(async move {
                        match page.await {
                            Ok(page) => view! { <ConversationList slug page/> }.into_any(),
                            Err(error) => view! { <LoadFailed error/> }.into_any(),
                        }
                    })
                }}
            </Transition>
        }
    })
}

#[component]
fn ConversationList(slug: String, page: ConversationPage) -> impl IntoView {
    let i18n = use_i18n();
    let param = query_param();
    let locale = move || locale_of(i18n.get_locale());
    let ConversationPage {
        items,
        total,
        page: current,
        page_size,
        agents,
    } = page;
    let channels = [
        domain::ConversationChannel::Call,
        domain::ConversationChannel::Whatsapp,
        domain::ConversationChannel::Email,
        domain::ConversationChannel::Video,
    ];
    let sentiments = [
        domain::ConversationSentiment::Positive,
        domain::ConversationSentiment::Neutral,
        domain::ConversationSentiment::Negative,
    ];
    view! {
        <form method="get" class="mb-4 flex flex-wrap items-end gap-3 rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
            {(agents.len() > 1).then(|| view! {
                <div>
                    <label for="conv-agent" class=LABEL>{t!(i18n, ranking_agent)}</label>
                    <select id="conv-agent" name="agent" class=INPUT>
                        <option value="">{t!(i18n, audit_any)}</option>
                        {agents.into_iter().map(|a| {
                            let id = a.id.clone();
                            view! { <option value=a.id selected=move || param("agent") == id>{a.name}</option> }
                        }).collect_view()}
                    </select>
                </div>
            })}
            <div>
                <label for="conv-channel" class=LABEL>{t!(i18n, conversation_channel)}</label>
                <select id="conv-channel" name="channel" class=INPUT>
                    <option value="">{t!(i18n, audit_any)}</option>
                    {channels.into_iter().map(|c| view! {
                        <option value=c.as_str() selected=move || param("channel") == c.as_str()>{move || channel_label(i18n, c)}</option>
                    }).collect_view()}
                </select>
            </div>
            <div>
                <label for="conv-sentiment" class=LABEL>{t!(i18n, conversation_sentiment)}</label>
                <select id="conv-sentiment" name="sentiment" class=INPUT>
                    <option value="">{t!(i18n, audit_any)}</option>
                    {sentiments.into_iter().map(|s| view! {
                        <option value=s.as_str() selected=move || param("sentiment") == s.as_str()>{move || sentiment_text(i18n, s)}</option>
                    }).collect_view()}
                </select>
            </div>
            <button type="submit" class=PRIMARY>{t!(i18n, list_apply)}</button>
        </form>
        <p class="mb-2 text-sm text-slate-500" data-testid="conversations-total">{t!(i18n, conversations_total, count = move || format_count(total, locale()))}</p>
        {if items.is_empty() {
            view! { <div class=format!("{CARD} text-center text-sm text-slate-600") data-testid="conversations-empty">{t!(i18n, conversations_empty)}</div> }.into_any()
        } else {
            view! {
                <ul class="divide-y divide-slate-100 rounded-xl border border-slate-200 bg-white shadow-sm" data-testid="conversations-list">
                    {items.into_iter().map(|c| {
                        let date = c.date;
                        view! {
                            <li class="p-4">
                                <div class="flex flex-wrap items-center gap-2 text-sm">
                                    <a class="font-medium text-indigo-700 hover:underline" href=format!("/{slug}/conversations/{}", c.id)>
                                        {move || channel_label(i18n, c.channel)}" · "{c.lead_name.clone()}
                                    </a>
                                    <span class="text-slate-500">{c.agent_name.clone()}" · "{move || format_date_time(date, locale())}</span>
                                    {c.playbook_score.map(|s| view! { <span class=format!("{BADGE} {}", score_badge(s)) data-testid="conversation-score">{t!(i18n, record_playbook_score)}" "{format!("{s:.0}")}</span> })}
                                    {c.sentiment.map(|s| view! { <span class=format!("{BADGE} bg-slate-100 text-slate-700")>{move || sentiment_text(i18n, s)}</span> })}
                                    {(!c.analysed).then(|| view! { <span class=format!("{BADGE} bg-amber-100 text-amber-800")>{t!(i18n, conversation_pending)}</span> })}
                                </div>
                                {c.summary.clone().map(|s| view! { <p class="mt-1 line-clamp-2 text-sm text-slate-600">{s}</p> })}
                            </li>
                        }
                    }).collect_view()}
                </ul>
                <Pager page=current total page_size names=NAMES/>
            }.into_any()
        }}
    }
}

#[component]
pub fn ConversationPage() -> impl IntoView {
    with_tenant(Area::Conversations, |shell| {
        let i18n = use_i18n();
        let params = use_params_map();
        let slug = shell.slug.clone();
        let load_slug = slug.clone();
        let detail = Resource::new(
            move || params.with(|p| p.get("id").unwrap_or_default()),
            move |id| get_conversation(load_slug.clone(), id),
        );
        view! {
            <Transition fallback=move || view! { <p class="text-sm text-slate-500">{t!(i18n, loading)}</p> }>
                {move || {
                    let slug = slug.clone();
                    Suspend::new(async move {
                        match detail.await {
                            Ok(detail) => view! { <Detail slug detail/> }.into_any(),
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
fn QuoteLine(quote: Quote) -> impl IntoView {
    view! {
        <blockquote class="border-l-2 border-indigo-200 pl-3 text-sm text-slate-700">
            "“"{quote.quote}"”"
            {(quote.speaker.is_some() || quote.time.is_some()).then(|| view! {
                <span class="block text-xs text-slate-500">
                    {quote.speaker.unwrap_or_default()}{quote.time.map(|t| format!(" · {t}"))}
                </span>
            })}
        </blockquote>
    }
}

#[component]
fn Detail(slug: String, detail: ConversationDetail) -> impl IntoView {
    let i18n = use_i18n();
    let locale = move || locale_of(i18n.get_locale());
    let row = detail.row.clone();
    let date = row.date;
    view! {
        <nav class="mb-2 text-sm"><a class="text-indigo-700 hover:underline" href=format!("/{slug}/conversations")>"← "{t!(i18n, area_conversations)}</a></nav>
        <div class="mb-4 flex flex-wrap items-baseline justify-between gap-2">
            <h1 class="text-2xl font-semibold tracking-tight">{move || channel_label(i18n, row.channel)}" · "
                <a class="hover:underline" href=format!("/{slug}/leads/{}", row.lead_id)>{row.lead_name.clone()}</a></h1>
            <p class="text-sm text-slate-500">{row.agent_name.clone()}" · "{move || format_date_time(date, locale())}</p>
        </div>
        <div class="grid gap-6 lg:grid-cols-3">
            <div class="space-y-6 lg:col-span-2">
                {match detail.analysis.clone() {
                    Some(analysis) => view! { <AnalysisPanels row=detail.row.clone() analysis/> }.into_any(),
                    None => view! { <section class=CARD><p class="text-sm text-slate-600" data-testid="analysis-pending">{t!(i18n, conversation_pending_body)}</p></section> }.into_any(),
                }}
            </div>
            <section class=CARD aria-labelledby="transcript-title">
                <h2 id="transcript-title" class="text-lg font-semibold">{t!(i18n, conversation_transcript)}</h2>
                <pre class="mt-3 max-h-[40rem] overflow-auto whitespace-pre-wrap break-words text-xs text-slate-700" data-testid="transcript">{detail.transcript.clone()}</pre>
            </section>
        </div>
    }
}

fn element_badge(status: &str) -> &'static str {
    match status {
        "covered" => "bg-emerald-100 text-emerald-800",
        "partial" => "bg-amber-100 text-amber-800",
        _ => "bg-rose-100 text-rose-800",
    }
}

fn element_status(i18n: I18nContext<Locale>, status: &str) -> &'static str {
    match status {
        "covered" => t_string!(i18n, element_covered),
        "partial" => t_string!(i18n, element_partial),
        _ => t_string!(i18n, element_missing),
    }
}

fn moment_label(i18n: I18nContext<Locale>, kind: &str) -> &'static str {
    match kind {
        "objection" => t_string!(i18n, moment_objection),
        "pricing" => t_string!(i18n, moment_pricing),
        "competitor" => t_string!(i18n, moment_competitor),
        "pain" => t_string!(i18n, moment_pain),
        _ => t_string!(i18n, moment_next_step),
    }
}

#[component]
fn AnalysisPanels(row: super::ConversationRow, analysis: AnalysisView) -> impl IntoView {
    let i18n = use_i18n();
    let locale = move || locale_of(i18n.get_locale());
    let processed = analysis.processed_at;
    let llm = analysis.analysed_by.starts_with("llm/");
    view! {
        <section class=CARD aria-labelledby="summary-title" data-testid="analysis-summary">
            <div class="flex flex-wrap items-center gap-3">
                <h2 id="summary-title" class="text-lg font-semibold">{t!(i18n, conversation_summary)}</h2>
                {row.playbook_score.map(|s| view! { <span class=format!("{BADGE} {}", score_badge(s)) data-testid="playbook-score">{t!(i18n, record_playbook_score)}" "{format!("{s:.0}")}"/100"</span> })}
                {row.sentiment.map(|s| view! { <span class=format!("{BADGE} bg-slate-100 text-slate-700")>{t!(i18n, conversation_sentiment)}": "{move || sentiment_text(i18n, s)}</span> })}
            </div>
            <p class="mt-2 text-sm text-slate-700">{row.summary.clone().unwrap_or_default()}</p>
            <p class="mt-2 text-xs text-slate-500">
                {if llm { t!(i18n, conversation_by_llm).into_any() } else { t!(i18n, conversation_by_builtin).into_any() }}
                " ("{analysis.analysed_by.clone()}") · "{move || format_date_time(processed, locale())}
            </p>
            {analysis.notes.iter().map(|n| view! { <p class="mt-1 text-xs text-amber-700">{n.clone()}</p> }).collect_view()}
        </section>
        <section class=CARD aria-labelledby="method-title" data-testid="analysis-elements">
            <h2 id="method-title" class="text-lg font-semibold">{analysis.methodology.clone()}" · "{analysis.methodology_score}"/100"</h2>
            <ul class="mt-3 space-y-4">
                {analysis.elements.iter().map(|e| {
                    let status = e.status.clone();
                    view! {
                        <li>
                            <div class="flex flex-wrap items-center gap-2">
                                <span class="font-medium text-slate-800">{e.label.clone()}</span>
                                <span class=format!("{BADGE} {}", element_badge(&e.status))>{move || element_status(i18n, &status)}" · "{e.score}</span>
                                {e.customer_confirmed.then(|| view! { <span class=format!("{BADGE} bg-indigo-50 text-indigo-800")>{t!(i18n, element_confirmed)}</span> })}
                            </div>
                            <div class="mt-1 space-y-1">
                                {e.evidence.iter().cloned().map(|q| view! { <QuoteLine quote=q/> }).collect_view()}
                            </div>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
        {(!analysis.questions.is_empty()).then(|| view! {
            <section class=CARD aria-labelledby="questions-title">
                <h2 id="questions-title" class="text-lg font-semibold">{t!(i18n, conversation_questions)}
                    {analysis.questions_score.map(|s| format!(" · {s}/100"))}</h2>
                <ul class="mt-3 space-y-3">
                    {analysis.questions.iter().map(|q| view! {
                        <li>
                            <p class="text-sm"><span aria-hidden="true">{if q.asked { "✓ " } else { "✗ " }}</span>
                                <span class=if q.asked { "text-slate-800" } else { "text-slate-500" }>{q.question.clone()}</span>
                                <span class="sr-only">{if q.asked { t_string!(i18n, question_asked) } else { t_string!(i18n, question_not_asked) }}</span></p>
                            {q.asked.then(|| q.evidence.clone()).flatten().map(|quote| view! { <div class="mt-1"><QuoteLine quote/></div> })}
                        </li>
                    }).collect_view()}
                </ul>
            </section>
        })}
        {(!analysis.moments.is_empty()).then(|| view! {
            <section class=CARD aria-labelledby="moments-title">
                <h2 id="moments-title" class="text-lg font-semibold">{t!(i18n, conversation_moments)}</h2>
                <ol class="mt-3 space-y-3">
                    {analysis.moments.iter().map(|m| {
                        let kind = m.kind.clone();
                        let date = m.date;
                        view! {
                            <li>
                                <p class="text-sm font-medium text-slate-800">{move || moment_label(i18n, &kind)}
                                    {m.detail.clone().map(|d| format!(" · {d}"))}
                                    <span class="font-normal text-slate-500">{format!(" · {}%", m.position_percent)}</span>
                                    {move || date.map(|d| format!(" · {}", format_date(d, locale())))}</p>
                                <div class="mt-1"><QuoteLine quote=m.evidence.clone()/></div>
                            </li>
                        }
                    }).collect_view()}
                </ol>
            </section>
        })}
        {(!analysis.actions.is_empty()).then(|| view! {
            <section class=CARD aria-labelledby="actions-title" data-testid="analysis-actions">
                <h2 id="actions-title" class="text-lg font-semibold">{t!(i18n, conversation_actions)}</h2>
                <ul class="mt-3 list-inside list-disc space-y-1 text-sm text-slate-700">
                    {analysis.actions.iter().map(|a| view! {
                        <li><span class=if a.priority == "HIGH" { "font-semibold" } else { "" }>{a.text.clone()}</span></li>
                    }).collect_view()}
                </ul>
            </section>
        })}
        <p class="text-xs"><a class=SECONDARY href="#transcript-title">{t!(i18n, conversation_transcript)}</a></p>
    }
}
