//! The forms of a company's configuration, shared by the company's settings page and the staff
//! console's page of the company: details, flags and settings, and the pipeline stage editor.

use domain::StageKind;
use leptos::prelude::*;
use leptos_i18n::I18nContext;

use super::api::{
    SaveStages, UpdateCompany, UpdateCompanyFeatures, get_company_settings, list_timezones,
};
use super::{BackupInterval, CompanySettings, Feature, StageView};
use crate::error::AppError;
use crate::fields::{CARD, DANGER, INPUT, LABEL, PRIMARY, SECONDARY, SelectField, TextField};
use crate::i18n::*;
use crate::validation::{FieldError, FormStatus, drafted, outcome, problem_of, reload_on_success};

pub fn feature_label(i18n: I18nContext<Locale>, feature: Feature) -> &'static str {
    match feature {
        Feature::AiAnalysis => t_string!(i18n, feature_ai_analysis),
        Feature::Bots => t_string!(i18n, feature_bots),
        Feature::AutoCrmFill => t_string!(i18n, feature_auto_crm_fill),
        Feature::PlaybookGeneration => t_string!(i18n, feature_playbook_generation),
        Feature::RankingVisibility => t_string!(i18n, feature_ranking_visibility),
    }
}

fn feature_hint(i18n: I18nContext<Locale>, feature: Feature) -> &'static str {
    match feature {
        Feature::AiAnalysis => t_string!(i18n, feature_ai_analysis_hint),
        Feature::Bots => t_string!(i18n, feature_bots_hint),
        Feature::AutoCrmFill => t_string!(i18n, feature_auto_crm_fill_hint),
        Feature::PlaybookGeneration => t_string!(i18n, feature_playbook_generation_hint),
        Feature::RankingVisibility => t_string!(i18n, feature_ranking_visibility_hint),
    }
}

fn backup_label(i18n: I18nContext<Locale>, interval: BackupInterval) -> &'static str {
    match interval {
        BackupInterval::Daily => t_string!(i18n, backup_daily),
        BackupInterval::Weekly => t_string!(i18n, backup_weekly),
        BackupInterval::Monthly => t_string!(i18n, backup_monthly),
    }
}

pub fn stage_kind_label(i18n: I18nContext<Locale>, kind: StageKind) -> &'static str {
    match kind {
        StageKind::Open => t_string!(i18n, stage_kind_open),
        StageKind::Won => t_string!(i18n, stage_kind_won),
        StageKind::Lost => t_string!(i18n, stage_kind_lost),
    }
}

/// The `<datalist>` of time zone names that time zone fields suggest.
#[component]
pub fn TimezoneList(id: &'static str) -> impl IntoView {
    let zones = Resource::new(|| (), |_| list_timezones());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let zones = zones.await.unwrap_or_default();
                view! { <datalist id=id>{zones.into_iter().map(|z| view! { <option value=z/> }).collect_view()}</datalist> }
            })}
        </Suspense>
    }
}

/// The whole configuration of the company at `slug`: details, flags and settings, stages.
#[component]
pub fn CompanySettingsPanel(#[prop(into)] slug: Signal<String>) -> impl IntoView {
    let i18n = use_i18n();
    let reload = RwSignal::new(0u32);
    let settings = Resource::new(
        move || (slug.get(), reload.get()),
        |(slug, _)| get_company_settings(slug),
    );
    view! {
        <Transition fallback=move || view! { <p class="text-sm text-slate-500">{t!(i18n, loading)}</p> }>
            {move || Suspend::new(async move {
                match settings.await {
                    Ok(settings) => view! {
                        <div class="space-y-6">
                            <DetailsForm settings=settings.clone() reload/>
                            <FeaturesForm settings=settings.clone() reload/>
                            <StageEditor slug=settings.slug.clone() stages=settings.stages.clone() editable=settings.can_edit/>
                        </div>
                    }
                    .into_any(),
                    Err(error) => view! { <LoadFailed error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// What a section shows when its data could not be loaded.
#[component]
pub fn LoadFailed(error: AppError) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <p role="alert" class="rounded-md border border-rose-200 bg-rose-50 px-4 py-3 text-sm text-rose-800">
            {match error {
                AppError::Forbidden => t!(i18n, forbidden_body).into_any(),
                AppError::NotFound => t!(i18n, not_found_body).into_any(),
                AppError::Unauthorized => t!(i18n, form_signed_out).into_any(),
                _ => t!(i18n, error_unavailable).into_any(),
            }}
        </p>
    }
}

#[component]
fn DetailsForm(settings: CompanySettings, reload: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<UpdateCompany>::new();
    let draft = drafted(action, "company-details");
    let problem = problem_of(outcome(action));
    reload_on_success(outcome(action), reload);
    let editable = settings.can_edit;
    view! {
        <section class=CARD aria-labelledby="company-details-title">
            <h2 id="company-details-title" class="text-lg font-semibold">{t!(i18n, company_details_title)}</h2>
            <ActionForm action node_ref=draft>
                <input type="hidden" name="slug" value=settings.slug.clone()/>
                <fieldset disabled=!editable class="mt-4 grid gap-4 sm:grid-cols-2">
                    <TextField id="company-name" name="name" label=move || t!(i18n, field_company_name) value=settings.name.clone() required=true maxlength=120 problem/>
                    <TextField id="company-domain" name="domain" label=move || t!(i18n, field_domain) value=settings.domain.clone().unwrap_or_default()
                        hint=move || t!(i18n, field_domain_hint) problem/>
                    <TextField id="company-timezone" name="timezone" label=move || t!(i18n, field_timezone) value=settings.timezone.clone() required=true
                        list="timezone-names" problem/>
                    <TextField id="company-currency" name="currency" label=move || t!(i18n, field_currency) value=settings.currency.clone() required=true
                        maxlength=3 hint=move || t!(i18n, field_currency_hint) problem/>
                </fieldset>
                <TimezoneList id="timezone-names"/>
                {editable.then(|| view! {
                    <div class="mt-4 flex flex-wrap items-center gap-3">
                        <button type="submit" class=PRIMARY disabled=move || action.pending().get()>{t!(i18n, save)}</button>
                        <FormStatus value=outcome(action) fields=&["name", "domain", "timezone", "currency"]/>
                    </div>
                })}
            </ActionForm>
        </section>
    }
}

#[component]
fn FeaturesForm(settings: CompanySettings, reload: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<UpdateCompanyFeatures>::new();
    let draft = drafted(action, "company-features");
    let problem = problem_of(outcome(action));
    reload_on_success(outcome(action), reload);
    let editable = settings.can_edit;
    let current_backup = settings.backup_interval;
    let flags = settings
        .features
        .iter()
        .map(|state| {
            let feature = state.feature;
            let id = format!("feature-{}", feature.key());
            view! {
                <li class="flex items-start gap-3 py-3">
                    <input id=id.clone() type="checkbox" name=feature.key() checked=state.on disabled=!(editable && state.editable)
                        class="mt-1 h-4 w-4 rounded border-slate-300 text-indigo-600 focus:ring-indigo-500" data-testid=format!("flag-{}", feature.key())/>
                    <div class="min-w-0">
                        <label for=id class="text-sm font-medium text-slate-800">{move || feature_label(i18n, feature)}</label>
                        <p class="text-xs text-slate-500">{move || feature_hint(i18n, feature)}</p>
                        {(!state.editable).then(|| view! { <p class="text-xs text-amber-700">{t!(i18n, feature_staff_only)}</p> })}
                    </div>
                </li>
            }
        })
        .collect_view();
    view! {
        <section class=CARD aria-labelledby="company-features-title">
            <h2 id="company-features-title" class="text-lg font-semibold">{t!(i18n, company_features_title)}</h2>
            <ActionForm action node_ref=draft>
                <input type="hidden" name="slug" value=settings.slug.clone()/>
                <ul class="mt-2 divide-y divide-slate-100">{flags}</ul>
                <fieldset disabled=!editable class="mt-4 grid gap-4 sm:grid-cols-2">
                    <TextField id="company-polling" name="polling_interval" kind="number" label=move || t!(i18n, field_polling_interval)
                        value=settings.polling_interval.to_string() required=true inputmode="numeric" hint=move || t!(i18n, field_polling_interval_hint) problem/>
                    <SelectField id="company-backup" name="backup_interval" label=move || t!(i18n, field_backup_interval)
                        options=BackupInterval::ALL.iter().map(|b| (b.as_str().to_owned(), backup_label(i18n, *b).to_owned())).collect()
                        selected=current_backup.as_str() problem/>
                </fieldset>
                {editable.then(|| view! {
                    <div class="mt-4 flex flex-wrap items-center gap-3">
                        <button type="submit" class=PRIMARY disabled=move || action.pending().get()>{t!(i18n, save)}</button>
                        <FormStatus value=outcome(action) fields=&["polling_interval", "backup_interval"]/>
                    </div>
                })}
            </ActionForm>
        </section>
    }
}

/// One row of the editor; `uid` identifies it on the page (new rows have no id yet).
#[derive(Debug, Clone, PartialEq)]
struct StageRow {
    uid: u32,
    id: String,
    name: RwSignal<String>,
    probability: RwSignal<String>,
    kind: RwSignal<StageKind>,
    deal_count: i64,
}

fn rows_of(stages: &[StageView], next_uid: &mut u32) -> Vec<StageRow> {
    stages
        .iter()
        .map(|s| {
            *next_uid += 1;
            StageRow {
                uid: *next_uid,
                id: s.id.clone(),
                name: RwSignal::new(s.name.clone()),
                probability: RwSignal::new(s.probability.normalize().to_string()),
                kind: RwSignal::new(s.kind),
                deal_count: s.deal_count,
            }
        })
        .collect()
}

/// The pipeline stages, editable in place: rename, set the probability and kind, move up and down,
/// add, remove (not a stage with deals). Saved as one list; the server checks the rules (one won
/// and one lost stage, probabilities 0–100) and says which row is wrong.
#[component]
pub fn StageEditor(slug: String, stages: Vec<StageView>, editable: bool) -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<SaveStages>::new();
    let problem = problem_of(outcome(action));
    let next_uid = StoredValue::new(0u32);
    let rows = RwSignal::new(
        next_uid
            .try_update_value(|n| rows_of(&stages, n))
            .unwrap_or_default(),
    );
    // After a save, the server's list (with new stages' ids and keys) replaces the edited one.
    Effect::new(move |_| {
        if let Some(Ok(saved)) = action.value().get() {
            let fresh = next_uid
                .try_update_value(|n| rows_of(&saved, n))
                .unwrap_or_default();
            rows.set(fresh);
        }
    });
    let move_row = move |uid: u32, delta: isize| {
        rows.update(|r| {
            if let Some(at) = r.iter().position(|x| x.uid == uid) {
                let to = at as isize + delta;
                if to >= 0 && (to as usize) < r.len() {
                    r.swap(at, to as usize);
                }
            }
        })
    };
    let add_row = move |_| {
        let uid = next_uid.try_update_value(|n| {
            *n += 1;
            *n
        });
        if let Some(uid) = uid {
            rows.update(|r| {
                // New stages go before the closing (won / lost) ones.
                let at = r
                    .iter()
                    .position(|x| x.kind.get_untracked() != StageKind::Open)
                    .unwrap_or(r.len());
                r.insert(
                    at,
                    StageRow {
                        uid,
                        id: String::new(),
                        name: RwSignal::new(String::new()),
                        probability: RwSignal::new("0".into()),
                        kind: RwSignal::new(StageKind::Open),
                        deal_count: 0,
                    },
                );
            });
        }
    };
    let row_problem = move |index: usize| {
        problem
            .get()
            .filter(|p| {
                p.field == "stages" && p.detail.as_deref() == Some(index.to_string().as_str())
            })
            .is_some()
    };
    view! {
        <section class=CARD aria-labelledby="stage-editor-title" data-testid="stage-editor">
            <h2 id="stage-editor-title" class="text-lg font-semibold">{t!(i18n, stages_title)}</h2>
            <p class="mt-1 text-sm text-slate-500">{t!(i18n, stages_hint)}</p>
            <ActionForm action>
                <input type="hidden" name="slug" value=slug.clone()/>
                <ol class="mt-4 space-y-3">
                    <For each=move || rows.get() key=|row| row.uid let:row>
                        {
                            let uid = row.uid;
                            let index = move || rows.with(|r| r.iter().position(|x| x.uid == uid).unwrap_or(0));
                            let count = move || rows.with(Vec::len);
                            let field = move |name: &str| format!("stages[{}][{name}]", index());
                            let has_deals = row.deal_count > 0;
                            let deal_count = row.deal_count;
                            let (name, probability, kind) = (row.name, row.probability, row.kind);
                            view! {
                                <li class=move || if row_problem(index()) { "rounded-lg border border-rose-300 bg-rose-50 p-3" } else { "rounded-lg border border-slate-200 p-3" }
                                    data-testid="stage-row">
                                    <input type="hidden" name=move || field("id") value=row.id.clone()/>
                                    <div class="grid gap-3 sm:grid-cols-[2rem_1fr_7rem_9rem_auto] sm:items-end">
                                        <span class="text-sm font-semibold text-slate-500 sm:pb-2" aria-hidden="true">{move || index() + 1}"."</span>
                                        <div>
                                            <label for=format!("stage-{uid}-name") class=LABEL>{t!(i18n, stage_name)}</label>
                                            <input id=format!("stage-{uid}-name") name=move || field("name") class=INPUT required maxlength=60 disabled=!editable
                                                value=name.get_untracked() on:input=move |ev| name.set(event_target_value(&ev))/>
                                        </div>
                                        <div>
                                            <label for=format!("stage-{uid}-probability") class=LABEL>{t!(i18n, stage_probability)}</label>
                                            <input id=format!("stage-{uid}-probability") name=move || field("probability") class=INPUT inputmode="decimal" required disabled=!editable
                                                value=probability.get_untracked() on:input=move |ev| probability.set(event_target_value(&ev))/>
                                        </div>
                                        <div>
                                            <label for=format!("stage-{uid}-kind") class=LABEL>{t!(i18n, stage_kind)}</label>
                                            <select id=format!("stage-{uid}-kind") name=move || field("kind") class=INPUT disabled=!editable
                                                on:change=move |ev| { if let Ok(k) = event_target_value(&ev).parse::<StageKind>() { kind.set(k) } }>
                                                {StageKind::ALL.iter().map(|k| {
                                                    let k = *k;
                                                    view! { <option value=k.as_str() selected=move || kind.get() == k>{move || stage_kind_label(i18n, k)}</option> }
                                                }).collect_view()}
                                            </select>
                                        </div>
                                        {editable.then(|| view! {
                                            <div class="flex flex-wrap gap-2">
                                                <button type="button" class=SECONDARY on:click=move |_| move_row(uid, -1) disabled=move || index() == 0
                                                    aria-label=move || t_string!(i18n, stage_move_up).to_string()>"↑"</button>
                                                <button type="button" class=SECONDARY on:click=move |_| move_row(uid, 1) disabled=move || index() + 1 == count()
                                                    aria-label=move || t_string!(i18n, stage_move_down).to_string()>"↓"</button>
                                                <button type="button" class=DANGER disabled=has_deals on:click=move |_| rows.update(|r| r.retain(|x| x.uid != uid))
                                                    title=move || if has_deals { t_string!(i18n, stage_remove_has_deals).to_string() } else { String::new() }>
                                                    {t!(i18n, stage_remove)}
                                                </button>
                                            </div>
                                        })}
                                    </div>
                                    {has_deals.then(|| view! { <p class="mt-1 text-xs text-slate-500">{t!(i18n, stage_deal_count, count = move || deal_count)}</p> })}
                                </li>
                            }
                        }
                    </For>
                </ol>
                <FieldError problem field="stages" id="stages".to_owned()/>
                {editable.then(|| view! {
                    <div class="mt-4 flex flex-wrap items-center gap-3">
                        <button type="button" class=SECONDARY on:click=add_row>{t!(i18n, stage_add)}</button>
                        <button type="submit" class=PRIMARY disabled=move || action.pending().get()>{t!(i18n, stages_save)}</button>
                        <FormStatus value=outcome(action) fields=&["stages"]/>
                    </div>
                })}
            </ActionForm>
        </section>
    }
}
