//! The forecast (`/{slug}/forecast`): open and weighted pipeline (value × probability) by stage and
//! by owner, and won revenue this month against each squad's monthly target, in the company's
//! currency; deals in other currencies are listed apart, never converted.

use domain::format::{format_count, format_percent};
use leptos::prelude::*;

use super::api::get_forecast;
use super::components::{money, money_totals};
use super::{Forecast, ForecastLine, SquadProgress};
use crate::company::components::LoadFailed;
use crate::fields::CARD;
use crate::i18n::*;
use crate::shell::pages::with_tenant;
use crate::shell::{Area, locale_of};

const TH: &str = "px-3 py-2 text-left text-xs font-semibold uppercase tracking-wide text-slate-500";
const TD: &str = "px-3 py-2 text-sm text-slate-700 tabular-nums";
/// Figures: right-aligned, on one line.
const TH_NUM: &str =
    "px-3 py-2 text-right text-xs font-semibold uppercase tracking-wide text-slate-500";
const TD_NUM: &str = "whitespace-nowrap px-3 py-2 text-right text-sm text-slate-700 tabular-nums";

#[component]
pub fn ForecastPage() -> impl IntoView {
    with_tenant(Area::Forecast, |shell| {
        let i18n = use_i18n();
        let slug = shell.slug.clone();
        let forecast = Resource::new(move || slug.clone(), get_forecast);
        view! {
            <h1 class="mb-4 text-2xl font-semibold tracking-tight">{t!(i18n, area_forecast)}</h1>
            <Transition fallback=move || view! { <p class="text-sm text-slate-500">{t!(i18n, loading)}</p> }>
                {move || Suspend::new(async move {
                    match forecast.await {
                        Ok(forecast) => view! { <ForecastView forecast/> }.into_any(),
                        Err(error) => view! { <LoadFailed error/> }.into_any(),
                    }
                })}
            </Transition>
        }
    })
}

#[component]
pub fn ForecastView(forecast: Forecast) -> impl IntoView {
    let i18n = use_i18n();
    let currency = forecast.currency.clone();
    let tile = |label: AnyView, value: String, id: &'static str| {
        view! {
            <div class=CARD>
                <p class="text-xs text-slate-500">{label}</p>
                <p class="mt-1 text-2xl font-semibold tabular-nums" data-testid=id>{value}</p>
            </div>
        }
    };
    view! {
        <div class="grid gap-4 sm:grid-cols-3">
            {tile(t!(i18n, forecast_open).into_any(), money(i18n, forecast.open_total, &currency), "forecast-open")}
            {tile(t!(i18n, forecast_weighted).into_any(), money(i18n, forecast.weighted_total, &currency), "forecast-weighted")}
            {tile(t!(i18n, forecast_won_month).into_any(), money(i18n, forecast.won_this_month, &currency), "forecast-won")}
        </div>
        {(!forecast.other_currencies.is_empty()).then(|| view! {
            <p class="mt-2 text-xs text-slate-500">{t!(i18n, forecast_other_currencies)}" "{money_totals(i18n, &forecast.other_currencies)}</p>
        })}
        <div class="mt-6 grid gap-6 2xl:grid-cols-2">
            <section class=CARD aria-labelledby="forecast-stage">
                <h2 id="forecast-stage" class="text-lg font-semibold">{t!(i18n, forecast_by_stage)}</h2>
                <LinesTable lines=forecast.by_stage.clone() currency=currency.clone() testid="forecast-by-stage"/>
            </section>
            <section class=CARD aria-labelledby="forecast-owner">
                <h2 id="forecast-owner" class="text-lg font-semibold">{t!(i18n, forecast_by_owner)}</h2>
                <LinesTable lines=forecast.by_owner.clone() currency=currency.clone() testid="forecast-by-owner"/>
            </section>
            <section class=format!("{CARD} 2xl:col-span-2") aria-labelledby="forecast-squads">
                <h2 id="forecast-squads" class="text-lg font-semibold">{t!(i18n, forecast_squads)}</h2>
                <p class="text-xs text-slate-500">{t!(i18n, forecast_squads_hint)}</p>
                <SquadsTable squads=forecast.squads.clone() currency=currency.clone()/>
            </section>
        </div>
    }
}

/// Each squad's won revenue this month against its target (its own view, so the page's type stays
/// shallow enough for the compiler).
#[component]
fn SquadsTable(squads: Vec<SquadProgress>, currency: String) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="mt-3 overflow-x-auto">
        <table class="min-w-full divide-y divide-slate-200" data-testid="forecast-squads-table">
            <thead><tr>
                <th scope="col" class=TH>{t!(i18n, forecast_squad)}</th>
                <th scope="col" class=TH_NUM>{t!(i18n, forecast_won_month)}</th>
                <th scope="col" class=TH_NUM>{t!(i18n, forecast_target)}</th>
                <th scope="col" class=TH_NUM>{t!(i18n, forecast_attainment)}</th>
            </tr></thead>
            <tbody class="divide-y divide-slate-100">
                {squads.iter().map(|s| {
                    // Percentage points, as format_percent takes them.
                    let attainment = s.target.filter(|t| !t.is_zero()).map(|t| s.won / t * rust_decimal::Decimal::ONE_HUNDRED);
                    view! {
                        <tr>
                            <td class=TD>{s.squad.clone()}</td>
                            <td class=TD_NUM>{money(i18n, s.won, &currency)}</td>
                            <td class=TD_NUM>{s.target.map(|t| money(i18n, t, &currency)).unwrap_or_else(|| "—".into())}</td>
                            <td class=TD_NUM>{move || attainment.map(|a| format_percent(a, 0, locale_of(i18n.get_locale()))).unwrap_or_else(|| "—".into())}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        </div>
    }
    .into_any()
}

#[component]
fn LinesTable(lines: Vec<ForecastLine>, currency: String, testid: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    let locale = move || locale_of(i18n.get_locale());
    if lines.iter().all(|l| l.count == 0) {
        return view! { <p class="mt-3 text-sm text-slate-500">{t!(i18n, forecast_empty)}</p> }
            .into_any();
    }
    view! {
        <div class="mt-3 overflow-x-auto">
        <table class="min-w-full divide-y divide-slate-200" data-testid=testid>
            <thead><tr>
                <th scope="col" class=TH>""</th>
                <th scope="col" class=TH_NUM>{t!(i18n, area_deals)}</th>
                <th scope="col" class=TH_NUM>{t!(i18n, forecast_open)}</th>
                <th scope="col" class=TH_NUM>{t!(i18n, forecast_weighted)}</th>
            </tr></thead>
            <tbody class="divide-y divide-slate-100">
                {lines.into_iter().map(|l| {
                    let label = if l.label.is_empty() { t_string!(i18n, owner_nobody).to_owned() } else { l.label.clone() };
                    let count = l.count;
                    view! {
                        <tr>
                            <td class="px-3 py-2 text-sm text-slate-800">{label}</td>
                            <td class=TD_NUM>{move || format_count(count, locale())}</td>
                            <td class=TD_NUM>{money(i18n, l.open, &currency)}</td>
                            <td class=TD_NUM>{money(i18n, l.weighted.round_dp(2), &currency)}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        </div>
    }
    .into_any()
}
