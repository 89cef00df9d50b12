//! The home's charts and the ranking page. Charts are SVG strings from the `charts` crate, drawn
//! while the page renders on the server (and again, identically, when it hydrates), so they read
//! without JavaScript and follow the language switch.

use charts::{Frame, pipeline_by_stage, target_progress, weighted_forecast};
use domain::format::{format_count, format_date};
use leptos::prelude::*;

use super::Ranking;
use super::api::get_ranking;
use crate::company::components::LoadFailed;
use crate::fields::{BADGE, CARD, INPUT, LABEL, PRIMARY};
use crate::i18n::*;
use crate::pipeline::Forecast;
use crate::pipeline::api::get_forecast;
use crate::pipeline::components::{money, query_param};
use crate::shell::pages::with_tenant;
use crate::shell::{Area, locale_of};

/// The home's charts for the viewer's scope (a DIRECTOR's company, a MANAGER's squads, an AGENT's
/// own deals).
#[component]
pub fn HomeCharts(slug: String) -> impl IntoView {
    let i18n = use_i18n();
    let forecast = Resource::new(move || slug.clone(), get_forecast);
    view! {
        <Transition fallback=move || view! { <p class="mt-6 text-sm text-slate-500">{t!(i18n, loading)}</p> }>
            {move || Suspend::new(async move {
                match forecast.await {
                    Ok(forecast) => view! { <Charts forecast/> }.into_any(),
                    Err(error) => view! { <div class="mt-6"><LoadFailed error/></div> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Charts(forecast: Forecast) -> impl IntoView {
    let i18n = use_i18n();
    let currency = forecast.currency.clone();
    let frame = move |title: &str, description: &str| Frame {
        title: title.to_owned(),
        description: description.to_owned(),
        empty_message: t_string!(i18n, chart_empty).to_owned(),
        currency: forecast.currency.clone(),
        locale: locale_of(i18n.get_locale()),
    };
    let targets = {
        let squads = forecast.squads.clone();
        let frame = frame.clone();
        move || {
            target_progress::render(&target_progress::TargetProgress {
                frame: frame(
                    t_string!(i18n, forecast_squads),
                    t_string!(i18n, chart_targets_desc),
                ),
                target_word: t_string!(i18n, chart_target_word).to_owned(),
                squads: squads
                    .iter()
                    .map(|s| target_progress::SquadProgress {
                        label: s.squad.clone(),
                        won: s.won,
                        target: s.target,
                    })
                    .collect(),
            })
        }
    };
    let pipeline = {
        let stages = forecast.by_stage.clone();
        let frame = frame.clone();
        move || {
            let locale = locale_of(i18n.get_locale());
            pipeline_by_stage::render(&pipeline_by_stage::PipelineByStage {
                frame: frame(
                    t_string!(i18n, chart_pipeline_title),
                    t_string!(i18n, chart_pipeline_desc),
                ),
                stages: stages
                    .iter()
                    .map(|s| pipeline_by_stage::StageValue {
                        label: s.label.clone(),
                        open_value: s.open,
                        deals: Some(format!(
                            "{} {}",
                            format_count(s.count, locale),
                            t_string!(i18n, chart_deals_word)
                        )),
                    })
                    .collect(),
            })
        }
    };
    let weighted = {
        let stages = forecast.by_stage.clone();
        move || {
            weighted_forecast::render(&weighted_forecast::WeightedForecast {
                frame: frame(
                    t_string!(i18n, chart_weighted_title),
                    t_string!(i18n, chart_weighted_desc),
                ),
                open_word: t_string!(i18n, forecast_open).to_owned(),
                weighted_word: t_string!(i18n, forecast_weighted).to_owned(),
                rows: stages
                    .iter()
                    .map(|s| weighted_forecast::ForecastRow {
                        label: s.label.clone(),
                        open_value: s.open,
                        weighted_value: s.weighted,
                    })
                    .collect(),
            })
        }
    };
    let tile = |label: AnyView, value: String, id: &'static str| {
        view! {
            <div class=CARD>
                <p class="text-xs text-slate-500">{label}</p>
                <p class="mt-1 text-2xl font-semibold tabular-nums" data-testid=id>{value}</p>
            </div>
        }
    };
    view! {
        <div class="mt-6 grid gap-4 sm:grid-cols-3">
            {tile(t!(i18n, forecast_won_month).into_any(), money(i18n, forecast.won_this_month, &currency), "home-won")}
            {tile(t!(i18n, forecast_open).into_any(), money(i18n, forecast.open_total, &currency), "home-open")}
            {tile(t!(i18n, forecast_weighted).into_any(), money(i18n, forecast.weighted_total, &currency), "home-weighted")}
        </div>
        <div class="mt-6 grid gap-6 lg:grid-cols-2">
            <section class=format!("{CARD} lg:col-span-2") data-testid="chart-targets">
                <div class="max-w-xl text-slate-800" inner_html=targets/>
            </section>
            <section class=CARD data-testid="chart-pipeline">
                <div class="text-slate-800" inner_html=pipeline/>
            </section>
            <section class=CARD data-testid="chart-weighted">
                <div class="text-slate-800" inner_html=weighted/>
            </section>
        </div>
    }
}

#[component]
pub fn RankingPage() -> impl IntoView {
    with_tenant(Area::Ranking, |shell| {
        let i18n = use_i18n();
        let param = query_param();
        let slug = shell.slug.clone();
        let ranking = Resource::new(
            move || (slug.clone(), param("from"), param("to")),
            |(slug, from, to)| get_ranking(slug, from, to),
        );
        view! {
            <h1 class="mb-4 text-2xl font-semibold tracking-tight">{t!(i18n, area_ranking)}</h1>
            <form method="get" class="mb-4 flex flex-wrap items-end gap-3">
                <div>
                    <label for="ranking-from" class=LABEL>{t!(i18n, ranking_from)}</label>
                    <input id="ranking-from" name="from" type="date" value=param("from") class=INPUT/>
                </div>
                <div>
                    <label for="ranking-to" class=LABEL>{t!(i18n, ranking_to)}</label>
                    <input id="ranking-to" name="to" type="date" value=param("to") class=INPUT/>
                </div>
                <button type="submit" class=PRIMARY>{t!(i18n, list_apply)}</button>
            </form>
            <Transition fallback=move || view! { <p class="text-sm text-slate-500">{t!(i18n, loading)}</p> }>
                {move || Suspend::new(async move {
                    match ranking.await {
                        Ok(ranking) => view! { <RankingView ranking/> }.into_any(),
                        Err(error) => view! { <LoadFailed error/> }.into_any(),
                    }
                })}
            </Transition>
        }
    })
}

#[component]
fn RankingView(ranking: Ranking) -> impl IntoView {
    let i18n = use_i18n();
    let locale = move || locale_of(i18n.get_locale());
    let (from, to) = (ranking.from, ranking.to);
    let of = ranking.of;
    let me = ranking.mine.as_ref().map(|m| m.user_id.clone());
    view! {
        <p class="mb-3 text-sm text-slate-500">{move || format!("{} – {}", format_date(from, locale()), format_date(to, locale()))}</p>
        {ranking.mine.clone().map(|mine| {
            let position = mine.position;
            view! {
                <div class=format!("{CARD} mb-4") data-testid="ranking-mine">
                    <p class="text-sm text-slate-600">{t!(i18n, ranking_your_position)}</p>
                    <p class="mt-1 text-3xl font-semibold">{t!(i18n, ranking_position_of, position = move || position, of = move || of)}</p>
                    <p class="text-sm text-slate-600">{money(i18n, mine.revenue, &ranking.currency)}" · "{t!(i18n, ranking_deals_won, count = move || mine.deals_won)}</p>
                </div>
            }
        })}
        {ranking.hidden.then(|| view! { <p class="mb-4 text-sm text-slate-500" data-testid="ranking-hidden">{t!(i18n, ranking_hidden)}</p> })}
        {(!ranking.hidden).then(|| view! {
            <div class="overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm">
                <table class="min-w-full divide-y divide-slate-200" data-testid="ranking-table">
                    <thead class="bg-slate-50"><tr>
                        <th scope="col" class="px-3 py-2 text-left text-xs font-semibold uppercase text-slate-500">"#"</th>
                        <th scope="col" class="px-3 py-2 text-left text-xs font-semibold uppercase text-slate-500">{t!(i18n, ranking_agent)}</th>
                        <th scope="col" class="px-3 py-2 text-right text-xs font-semibold uppercase text-slate-500">{t!(i18n, ranking_revenue)}</th>
                        <th scope="col" class="px-3 py-2 text-right text-xs font-semibold uppercase text-slate-500">{t!(i18n, ranking_deals)}</th>
                    </tr></thead>
                    <tbody class="divide-y divide-slate-100">
                        {ranking.rows.iter().map(|r| {
                            let mine = me.as_deref() == Some(r.user_id.as_str());
                            view! {
                                <tr class=if mine { "bg-indigo-50" } else { "" }>
                                    <td class="px-3 py-2 text-sm font-semibold">{r.position}</td>
                                    <td class="px-3 py-2 text-sm">{r.name.clone()}{mine.then(|| view! { " "<span class=format!("{BADGE} bg-indigo-100 text-indigo-800")>{t!(i18n, ranking_you)}</span> })}</td>
                                    <td class="px-3 py-2 text-right text-sm tabular-nums">{money(i18n, r.revenue, &ranking.currency)}</td>
                                    <td class="px-3 py-2 text-right text-sm tabular-nums">{r.deals_won}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        })}
    }
}
