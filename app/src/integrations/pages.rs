//! The integrations page (`/{slug}/integrations`): how the company's conversations are analysed
//! (with a re-analysis on demand), and its AI provider: add one, change its model or key, test it,
//! switch it on or off. Every change is a form posting to its server function, so the page works
//! before the WebAssembly loads; the key field is a password field, never kept as a draft.

use chrono::{DateTime, FixedOffset, Utc};
use domain::format::format_date_time;
use domain::{IntegrationStatus, IntegrationType};
use leptos::prelude::*;
use leptos_i18n::I18nContext;

use super::api::{
    ReanalyseConversations, SaveAiIntegration, SaveCrmIntegration, SetIntegrationActive,
    SyncIntegration, TestIntegration, get_integrations,
};
use super::{
    AI_PROVIDERS, AnalysisOverview, CRM_PROVIDERS, ConnectionCheck, IntegrationView, default_model,
    provider_name,
};
use crate::company::components::LoadFailed;
use crate::fields::{
    BADGE, CARD, DANGER, INPUT, LABEL, PRIMARY, SECONDARY, SelectField, TextField,
};
use crate::i18n::*;
use crate::shell::pages::with_tenant;
use crate::shell::{Area, locale_of};
use crate::validation::{FormStatus, drafted, outcome, problem_of, reload_on_success};

fn status_label(i18n: I18nContext<Locale>, status: IntegrationStatus) -> &'static str {
    match status {
        IntegrationStatus::Active => t_string!(i18n, integration_status_active),
        IntegrationStatus::Inactive => t_string!(i18n, integration_status_inactive),
        IntegrationStatus::Error => t_string!(i18n, integration_status_error),
        IntegrationStatus::Pending => t_string!(i18n, integration_status_pending),
    }
}

fn status_badge(status: IntegrationStatus) -> &'static str {
    match status {
        IntegrationStatus::Active => "bg-emerald-100 text-emerald-800",
        IntegrationStatus::Inactive => "bg-slate-200 text-slate-600",
        IntegrationStatus::Error => "bg-rose-100 text-rose-800",
        IntegrationStatus::Pending => "bg-amber-100 text-amber-800",
    }
}

fn check_message(i18n: I18nContext<Locale>, check: ConnectionCheck) -> &'static str {
    match check {
        ConnectionCheck::Works => t_string!(i18n, integration_test_works),
        ConnectionCheck::Unauthorized => t_string!(i18n, integration_test_unauthorized),
        ConnectionCheck::UnknownModel => t_string!(i18n, integration_test_unknown_model),
        ConnectionCheck::RateLimited => t_string!(i18n, integration_test_rate_limited),
        ConnectionCheck::QuotaExhausted => t_string!(i18n, integration_test_quota),
        ConnectionCheck::Unreachable => t_string!(i18n, integration_test_unreachable),
        ConnectionCheck::PermissionMissing => t_string!(i18n, integration_test_permission),
        ConnectionCheck::AccountNotFound => t_string!(i18n, integration_test_account),
        ConnectionCheck::AddressNotAllowed => t_string!(i18n, integration_test_address),
        ConnectionCheck::ProviderUnavailable => t_string!(i18n, integration_test_provider_down),
        ConnectionCheck::Misconfigured => t_string!(i18n, integration_test_misconfigured),
    }
}

/// `last_error` as stored by a connection test (the check's name) or by the analysis job.
fn stored_error(i18n: I18nContext<Locale>, error: &str) -> String {
    let check = match error {
        "Unauthorized" => Some(ConnectionCheck::Unauthorized),
        "UnknownModel" => Some(ConnectionCheck::UnknownModel),
        "RateLimited" => Some(ConnectionCheck::RateLimited),
        "QuotaExhausted" => Some(ConnectionCheck::QuotaExhausted),
        "Unreachable" => Some(ConnectionCheck::Unreachable),
        "PermissionMissing" => Some(ConnectionCheck::PermissionMissing),
        "AccountNotFound" => Some(ConnectionCheck::AccountNotFound),
        "AddressNotAllowed" => Some(ConnectionCheck::AddressNotAllowed),
        "ProviderUnavailable" => Some(ConnectionCheck::ProviderUnavailable),
        "Misconfigured" => Some(ConnectionCheck::Misconfigured),
        _ => None,
    };
    match check {
        Some(check) => check_message(i18n, check).to_owned(),
        None => error.to_owned(),
    }
}

fn job_label(i18n: I18nContext<Locale>, status: &str) -> &'static str {
    match status {
        "QUEUED" => t_string!(i18n, analysis_job_queued),
        "RUNNING" => t_string!(i18n, analysis_job_running),
        "FAILED" => t_string!(i18n, analysis_job_failed),
        _ => t_string!(i18n, analysis_job_done),
    }
}

#[component]
pub fn IntegrationsPage() -> impl IntoView {
    with_tenant(Area::Integrations, |shell| {
        let i18n = use_i18n();
        let slug = shell.slug.clone();
        let offset = *shell.now.offset();
        let reload = RwSignal::new(0u32);
        let view_slug = slug.clone();
        let data = Resource::new(
            move || (view_slug.clone(), reload.get()),
            |(slug, _)| get_integrations(slug),
        );
        view! {
            <h1 class="mb-4 text-2xl font-semibold tracking-tight">{t!(i18n, area_integrations)}</h1>
            <Transition fallback=move || view! { <p class="text-sm text-slate-500">{t!(i18n, loading)}</p> }>
                {move || {
                    let slug = slug.clone();
                    Suspend::new(async move {
                        match data.await {
                            Ok(view) => {
                                let of_kind = |kind: IntegrationType| -> Vec<IntegrationView> {
                                    view.integrations.iter().filter(|i| i.kind == kind).cloned().collect()
                                };
                                let (ai, crm) = (of_kind(IntegrationType::Ai), of_kind(IntegrationType::Crm));
                                view! {
                                    <div class="space-y-6">
                                        <CrmPanel slug=slug.clone() integrations=crm stages=view.stages.clone() offset reload/>
                                        <AnalysisPanel slug=slug.clone() overview=view.analysis.clone() offset reload/>
                                        <AiPanel slug=slug.clone() integrations=ai offset reload/>
                                    </div>
                                }
                                .into_any()
                            }
                            Err(error) => view! { <LoadFailed error/> }.into_any(),
                        }
                    })
                }}
            </Transition>
        }
    })
}

fn when(at: DateTime<Utc>, offset: FixedOffset, i18n: I18nContext<Locale>) -> String {
    format_date_time(at.with_timezone(&offset), locale_of(i18n.get_locale()))
}

#[component]
fn AnalysisPanel(
    slug: String,
    overview: AnalysisOverview,
    offset: FixedOffset,
    reload: RwSignal<u32>,
) -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<ReanalyseConversations>::new();
    reload_on_success(outcome(action), reload);
    let AnalysisOverview {
        total,
        analysed,
        pending,
        by_llm,
        job_status,
        last_finished_at,
        last_error,
        ai_analysis_on,
        engine,
    } = overview;
    let engine_text = match (ai_analysis_on, engine) {
        (true, Some(engine)) => view! { <span data-testid="analysis-engine">{engine}</span> }.into_any(),
        (true, None) => view! { <span data-testid="analysis-engine">{t!(i18n, analysis_engine_builtin_no_ai)}</span> }.into_any(),
        (false, _) => view! { <span data-testid="analysis-engine">{t!(i18n, analysis_engine_builtin_ai_off)}</span> }.into_any(),
    };
    view! {
        <section class=CARD aria-labelledby="analysis-title" data-testid="analysis-panel">
            <h2 id="analysis-title" class="text-lg font-semibold">{t!(i18n, analysis_title)}</h2>
            <p class="mt-1 text-sm text-slate-600">{t!(i18n, analysis_engine)}": "{engine_text}</p>
            <dl class="mt-4 grid grid-cols-2 gap-4 sm:grid-cols-4">
                <div class="rounded-lg bg-slate-50 p-3">
                    <dt class="text-xs text-slate-500">{t!(i18n, analysis_total)}</dt>
                    <dd class="text-xl font-semibold" data-testid="analysis-total">{total}</dd>
                </div>
                <div class="rounded-lg bg-slate-50 p-3">
                    <dt class="text-xs text-slate-500">{t!(i18n, analysis_done)}</dt>
                    <dd class="text-xl font-semibold" data-testid="analysis-analysed">{analysed}</dd>
                </div>
                <div class="rounded-lg bg-slate-50 p-3">
                    <dt class="text-xs text-slate-500">{t!(i18n, analysis_pending)}</dt>
                    <dd class="text-xl font-semibold" data-testid="analysis-pending">{pending}</dd>
                </div>
                <div class="rounded-lg bg-slate-50 p-3">
                    <dt class="text-xs text-slate-500">{t!(i18n, analysis_by_llm)}</dt>
                    <dd class="text-xl font-semibold">{by_llm}</dd>
                </div>
            </dl>
            <p class="mt-3 text-sm text-slate-600">
                {job_status.map(|status| view! {
                    <span data-testid="analysis-job">{move || job_label(i18n, &status)}</span>
                })}
                {last_finished_at.map(|at| view! { " · "{t!(i18n, analysis_last_run)}" "{move || when(at, offset, i18n)} })}
            </p>
            {last_error.map(|error| view! { <p class="mt-1 text-sm text-rose-700">{error}</p> })}
            <ActionForm action>
                <input type="hidden" name="slug" value=slug/>
                <div class="mt-4 flex flex-wrap items-center gap-3">
                    <button type="submit" class=SECONDARY disabled=move || action.pending().get() data-testid="reanalyse">
                        {t!(i18n, analysis_reanalyse)}
                    </button>
                    <p class="text-xs text-slate-500">{t!(i18n, analysis_reanalyse_hint)}</p>
                    {move || action.value().get().map(|result| match result {
                        Ok(count) => view! { <p role="status" class="text-sm font-medium text-emerald-700">{t!(i18n, analysis_reanalyse_queued, count = move || count)}</p> }.into_any(),
                        Err(error) => view! { <LoadFailed error/> }.into_any(),
                    })}
                </div>
            </ActionForm>
        </section>
    }
}

#[component]
fn AiPanel(
    slug: String,
    integrations: Vec<IntegrationView>,
    offset: FixedOffset,
    reload: RwSignal<u32>,
) -> impl IntoView {
    let i18n = use_i18n();
    let empty = integrations.is_empty();
    let rows = integrations
        .into_iter()
        .map(
            |integration| view! { <AiIntegrationRow slug=slug.clone() integration offset reload/> },
        )
        .collect_view();
    view! {
        <section class=CARD aria-labelledby="ai-title" data-testid="ai-integrations">
            <h2 id="ai-title" class="text-lg font-semibold">{t!(i18n, integrations_ai_title)}</h2>
            <p class="mt-1 text-sm text-slate-500">{t!(i18n, integrations_ai_hint)}</p>
            {empty.then(|| view! { <p class="mt-4 rounded-md bg-slate-50 p-3 text-sm text-slate-600" data-testid="ai-empty">{t!(i18n, integrations_ai_empty)}</p> })}
            <ul class="mt-4 divide-y divide-slate-100">{rows}</ul>
            <details class="mt-4 rounded-lg border border-slate-200 p-4" open=empty>
                <summary class="cursor-pointer text-sm font-semibold text-indigo-700">{t!(i18n, integration_add_ai)}</summary>
                <AiIntegrationForm slug=slug.clone() existing=None reload/>
            </details>
        </section>
    }
}

#[component]
fn AiIntegrationRow(
    slug: String,
    integration: IntegrationView,
    offset: FixedOffset,
    reload: RwSignal<u32>,
) -> impl IntoView {
    let i18n = use_i18n();
    let toggle = ServerAction::<SetIntegrationActive>::new();
    reload_on_success(outcome(toggle), reload);
    let test = ServerAction::<TestIntegration>::new();
    reload_on_success(outcome(test), reload);
    let active = integration.status == IntegrationStatus::Active;
    let status = integration.status;
    let id = integration.id.clone();
    let (test_slug, test_id) = (slug.clone(), id.clone());
    let (toggle_slug, toggle_id) = (slug.clone(), id);
    view! {
        <li class="py-4" data-testid="ai-integration">
            <div class="flex flex-wrap items-start justify-between gap-3">
                <div class="min-w-0">
                    <p class="font-medium text-slate-900">
                        {integration.name.clone()}
                        <span class=format!("{BADGE} ml-2 {}", status_badge(status))>{move || status_label(i18n, status)}</span>
                    </p>
                    <p class="text-sm text-slate-600">
                        {provider_name(integration.provider)}" · "{integration.model.clone().unwrap_or_default()}
                    </p>
                    {integration.last_sync_at.map(|at| view! { <p class="text-xs text-slate-500">{t!(i18n, integration_last_used)}" "{move || when(at, offset, i18n)}</p> })}
                    {integration.last_error.clone().map(|error| view! { <p class="text-xs text-rose-700" data-testid="integration-error">{t!(i18n, integration_last_error)}": "{move || stored_error(i18n, &error)}</p> })}
                </div>
                <div class="flex flex-wrap items-center gap-2">
                    <ActionForm action=test>
                        <input type="hidden" name="slug" value=test_slug/>
                        <input type="hidden" name="id" value=test_id/>
                        <button type="submit" class=SECONDARY disabled=move || test.pending().get()>{t!(i18n, integration_test)}</button>
                    </ActionForm>
                    <ActionForm action=toggle>
                        <input type="hidden" name="slug" value=toggle_slug/>
                        <input type="hidden" name="id" value=toggle_id/>
                        <input type="hidden" name="active" value=(!active).to_string()/>
                        <button type="submit" class=if active { DANGER } else { SECONDARY } disabled=move || toggle.pending().get()>
                            {if active { t!(i18n, integration_deactivate).into_any() } else { t!(i18n, integration_activate).into_any() }}
                        </button>
                    </ActionForm>
                </div>
            </div>
            {move || test.value().get().map(|result| match result {
                Ok(check) => view! {
                    <p role="status" data-testid="integration-test-result"
                        class=if check == ConnectionCheck::Works { "mt-2 text-sm font-medium text-emerald-700" } else { "mt-2 text-sm font-medium text-rose-700" }>
                        {move || check_message(i18n, check)}
                    </p>
                }.into_any(),
                Err(error) => view! { <LoadFailed error/> }.into_any(),
            })}
            <details class="mt-3">
                <summary class="cursor-pointer text-sm text-indigo-700">{t!(i18n, integration_edit)}</summary>
                <AiIntegrationForm slug existing=Some(integration.clone()) reload/>
            </details>
        </li>
    }
}

/// Adds an AI integration (`existing` = None) or changes one; the key field starts empty, and left
/// empty it keeps the stored key.
#[component]
fn AiIntegrationForm(
    slug: String,
    existing: Option<IntegrationView>,
    reload: RwSignal<u32>,
) -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<SaveAiIntegration>::new();
    let problem = problem_of(outcome(action));
    reload_on_success(outcome(action), reload);
    let is_new = existing.is_none();
    // Only the new-integration form keeps a draft: an edit form's fields start from the stored row.
    let draft = if is_new {
        drafted(action, "ai-integration")
    } else {
        NodeRef::new()
    };
    let prefix = existing
        .as_ref()
        .map(|i| format!("ai-{}", i.id))
        .unwrap_or_else(|| "ai-new".to_owned());
    let provider = existing
        .as_ref()
        .map(|i| i.provider)
        .unwrap_or(AI_PROVIDERS[0]);
    let options: Vec<(String, String)> = AI_PROVIDERS
        .iter()
        .map(|p| (p.as_str().to_owned(), provider_name(*p).to_owned()))
        .collect();
    let models_hint = AI_PROVIDERS
        .iter()
        .map(|p| format!("{}: {}", provider_name(*p), default_model(*p)))
        .collect::<Vec<_>>()
        .join(" · ");
    view! {
        <ActionForm action node_ref=draft>
            <input type="hidden" name="slug" value=slug/>
            <input type="hidden" name="id" value=existing.as_ref().map(|i| i.id.clone()).unwrap_or_default()/>
            <div class="mt-4 grid gap-4 sm:grid-cols-2">
                <SelectField id=format!("{prefix}-provider") name="provider" label=move || t!(i18n, field_provider)
                    options selected=provider.as_str() problem/>
                <TextField id=format!("{prefix}-name") name="name" label=move || t!(i18n, field_integration_name)
                    value=existing.as_ref().map(|i| i.name.clone()).unwrap_or_default() required=true maxlength=80 problem/>
                <TextField id=format!("{prefix}-model") name="model" label=move || t!(i18n, field_model)
                    value=existing.as_ref().and_then(|i| i.model.clone()).unwrap_or_default() maxlength=100
                    hint=move || view! { {t!(i18n, field_model_hint)}" "{models_hint.clone()} } problem/>
                <TextField id=format!("{prefix}-key") name="api_key" kind="password" autocomplete="off" label=move || t!(i18n, field_api_key)
                    required=is_new
                    hint=move || if is_new { t!(i18n, field_api_key_hint_new).into_any() } else { t!(i18n, field_api_key_hint_edit).into_any() } problem/>
            </div>
            <div class="mt-4 flex flex-wrap items-center gap-3">
                <button type="submit" class=PRIMARY disabled=move || action.pending().get()>{t!(i18n, save)}</button>
                <FormStatus value=outcome(action) fields=&["provider", "name", "model", "api_key"]/>
            </div>
        </ActionForm>
    }
}

#[component]
fn CrmPanel(
    slug: String,
    integrations: Vec<IntegrationView>,
    stages: Vec<(String, String)>,
    offset: FixedOffset,
    reload: RwSignal<u32>,
) -> impl IntoView {
    let i18n = use_i18n();
    let empty = integrations.is_empty();
    let rows = integrations
        .into_iter()
        .map(|integration| view! { <CrmIntegrationRow slug=slug.clone() integration stages=stages.clone() offset reload/> })
        .collect_view();
    view! {
        <section class=CARD aria-labelledby="crm-title" data-testid="crm-integrations">
            <h2 id="crm-title" class="text-lg font-semibold">{t!(i18n, integrations_crm_title)}</h2>
            <p class="mt-1 text-sm text-slate-500">{t!(i18n, integrations_crm_hint)}</p>
            {empty.then(|| view! { <p class="mt-4 rounded-md bg-slate-50 p-3 text-sm text-slate-600">{t!(i18n, integrations_crm_empty)}</p> })}
            <ul class="mt-4 divide-y divide-slate-100">{rows}</ul>
            <details class="mt-4 rounded-lg border border-slate-200 p-4" open=empty>
                <summary class="cursor-pointer text-sm font-semibold text-indigo-700">{t!(i18n, integration_add_crm)}</summary>
                <CrmIntegrationForm slug=slug.clone() existing=None stages=stages.clone() reload/>
            </details>
            <p class="mt-3 text-xs"><a class="text-indigo-700 hover:underline" href=format!("/{slug}/imports")>{t!(i18n, integrations_crm_logs)}</a></p>
        </section>
    }
}

#[component]
fn CrmIntegrationRow(
    slug: String,
    integration: IntegrationView,
    stages: Vec<(String, String)>,
    offset: FixedOffset,
    reload: RwSignal<u32>,
) -> impl IntoView {
    let i18n = use_i18n();
    let toggle = ServerAction::<SetIntegrationActive>::new();
    reload_on_success(outcome(toggle), reload);
    let test = ServerAction::<TestIntegration>::new();
    reload_on_success(outcome(test), reload);
    let sync = ServerAction::<SyncIntegration>::new();
    let active = integration.status == IntegrationStatus::Active
        || integration.status == IntegrationStatus::Error;
    let status = integration.status;
    let id = integration.id.clone();
    let hidden = move |name: &'static str, value: String| view! { <input type="hidden" name=name value=value/> };
    let form_slug = slug.clone();
    let keys = move || (slug.clone(), id.clone());
    let (
        (test_slug, test_id),
        (sync_slug, sync_id),
        (full_slug, full_id),
        (toggle_slug, toggle_id),
    ) = (keys(), keys(), keys(), keys());
    view! {
        <li class="py-4" data-testid="crm-integration">
            <div class="flex flex-wrap items-start justify-between gap-3">
                <div class="min-w-0">
                    <p class="font-medium text-slate-900">
                        {integration.name.clone()}
                        <span class=format!("{BADGE} ml-2 {}", status_badge(status))>{move || status_label(i18n, status)}</span>
                    </p>
                    <p class="text-sm text-slate-600">{provider_name(integration.provider)}</p>
                    {integration.last_sync_at.map(|at| view! { <p class="text-xs text-slate-500">{t!(i18n, integration_last_sync)}" "{move || when(at, offset, i18n)}</p> })}
                    {integration.last_error.clone().map(|error| view! { <p class="text-xs text-rose-700" data-testid="integration-error">{t!(i18n, integration_last_error)}": "{move || stored_error(i18n, &error)}</p> })}
                </div>
                <div class="flex flex-wrap items-center gap-2">
                    <ActionForm action=test>
                        {hidden("slug", test_slug)}{hidden("id", test_id)}
                        <button type="submit" class=SECONDARY disabled=move || test.pending().get()>{t!(i18n, integration_test)}</button>
                    </ActionForm>
                    {active.then(|| view! {
                        <ActionForm action=sync>
                            {hidden("slug", sync_slug)}{hidden("id", sync_id)}
                            <button type="submit" class=SECONDARY disabled=move || sync.pending().get() data-testid="sync-now">{t!(i18n, integration_sync_now)}</button>
                        </ActionForm>
                        <ActionForm action=sync>
                            {hidden("slug", full_slug)}{hidden("id", full_id)}{hidden("full", "1".to_owned())}
                            <button type="submit" class=SECONDARY disabled=move || sync.pending().get()>{t!(i18n, integration_sync_full)}</button>
                        </ActionForm>
                    })}
                    <ActionForm action=toggle>
                        {hidden("slug", toggle_slug)}{hidden("id", toggle_id)}{hidden("active", (!active).to_string())}
                        <button type="submit" class=if active { DANGER } else { SECONDARY } disabled=move || toggle.pending().get()>
                            {if active { t!(i18n, integration_deactivate).into_any() } else { t!(i18n, integration_activate).into_any() }}
                        </button>
                    </ActionForm>
                </div>
            </div>
            {move || test.value().get().map(|result| match result {
                Ok(check) => view! {
                    <p role="status" data-testid="integration-test-result"
                        class=if check == ConnectionCheck::Works { "mt-2 text-sm font-medium text-emerald-700" } else { "mt-2 text-sm font-medium text-rose-700" }>
                        {move || check_message(i18n, check)}
                    </p>
                }.into_any(),
                Err(error) => view! { <LoadFailed error/> }.into_any(),
            })}
            {move || sync.value().get().map(|result| match result {
                Ok(()) => view! { <p role="status" class="mt-2 text-sm text-emerald-700">{t!(i18n, integration_sync_queued)}</p> }.into_any(),
                Err(error) => view! { <LoadFailed error/> }.into_any(),
            })}
            <details class="mt-3">
                <summary class="cursor-pointer text-sm text-indigo-700">{t!(i18n, integration_edit)}</summary>
                <CrmIntegrationForm slug=form_slug existing=Some(integration.clone()) stages reload/>
            </details>
        </li>
    }
}

/// Adds or changes a CRM integration. The provider's own fields show for the chosen provider once
/// the page is interactive; before that (or without JavaScript) all of them show, labelled.
#[component]
fn CrmIntegrationForm(
    slug: String,
    existing: Option<IntegrationView>,
    stages: Vec<(String, String)>,
    reload: RwSignal<u32>,
) -> impl IntoView {
    use domain::IntegrationProvider as P;
    let i18n = use_i18n();
    let action = ServerAction::<SaveCrmIntegration>::new();
    let problem = problem_of(outcome(action));
    reload_on_success(outcome(action), reload);
    let is_new = existing.is_none();
    let draft = if is_new {
        drafted(action, "crm-integration")
    } else {
        NodeRef::new()
    };
    let prefix = existing
        .as_ref()
        .map(|i| format!("crm-{}", i.id))
        .unwrap_or_else(|| "crm-new".to_owned());
    let initial = existing.as_ref().map(|i| i.provider).unwrap_or(P::Hubspot);
    let provider = RwSignal::new(initial);
    let interactive = RwSignal::new(false);
    Effect::new(move |_| interactive.set(true));
    let shown = move |providers: &'static [P]| {
        move || !interactive.get() || providers.contains(&provider.get())
    };
    let public = |key: &str| {
        existing
            .as_ref()
            .and_then(|i| {
                i.public_config
                    .iter()
                    .find(|(k, _)| k == key)
                    .map(|(_, v)| v.clone())
            })
            .unwrap_or_default()
    };
    let or_default = |value: String, default: &str| {
        if value.is_empty() {
            default.to_owned()
        } else {
            value
        }
    };
    let secret_hint = move || {
        if is_new {
            t!(i18n, field_api_key_hint_new).into_any()
        } else {
            t!(i18n, field_api_key_hint_edit).into_any()
        }
    };
    let stages_hint = stages
        .iter()
        .map(|(k, n)| format!("{k} ({n})"))
        .collect::<Vec<_>>()
        .join(", ");
    let mapping = existing
        .as_ref()
        .map(|i| i.stage_mapping.clone())
        .unwrap_or_default();
    let custom_config = public("custom_config");
    let (company_domain, client_id, instance_url) = (
        public("company_domain"),
        public("client_id"),
        public("instance_url"),
    );
    let accounts_url = or_default(public("accounts_url"), "https://accounts.zoho.com");
    let api_domain = or_default(public("api_domain"), "https://www.zohoapis.com");
    let login_url = or_default(public("login_url"), "https://login.salesforce.com");
    let header_name = or_default(public("auth_header_name"), "Authorization");
    let (existing_id, existing_name) = existing
        .as_ref()
        .map(|i| (i.id.clone(), i.name.clone()))
        .unwrap_or_default();
    let provider_select_id = format!("{prefix}-provider");
    view! {
        <ActionForm action node_ref=draft>
            <input type="hidden" name="slug" value=slug/>
            <input type="hidden" name="id" value=existing_id/>
            <div class="mt-4 grid gap-4 sm:grid-cols-2">
                <div>
                    <label for=provider_select_id.clone() class=LABEL>{t!(i18n, field_provider)}</label>
                    <select id=provider_select_id name="provider" class=INPUT
                        on:change=move |ev| { if let Ok(p) = event_target_value(&ev).parse::<P>() { provider.set(p) } }>
                        {CRM_PROVIDERS.iter().map(|p| {
                            let p = *p;
                            view! { <option value=p.as_str() selected=p == initial>{provider_name(p)}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <TextField id=format!("{prefix}-name") name="name" label=move || t!(i18n, field_integration_name)
                    value=existing_name required=true maxlength=80 problem/>
                <div class:hidden=move || !shown(&[P::Hubspot, P::Pipedrive, P::CustomApi])()>
                    <TextField id=format!("{prefix}-token") name="token" kind="password" autocomplete="off"
                        label=move || t!(i18n, field_crm_token) hint=secret_hint problem/>
                </div>
                <div class:hidden=move || !shown(&[P::Pipedrive])()>
                    <TextField id=format!("{prefix}-domain") name="company_domain" label=move || t!(i18n, field_pipedrive_domain)
                        value=company_domain hint=move || t!(i18n, field_pipedrive_domain_hint) problem/>
                </div>
                <div class:hidden=move || !shown(&[P::Zoho, P::Salesforce])()>
                    <TextField id=format!("{prefix}-client-id") name="client_id" label=move || t!(i18n, field_client_id) value=client_id problem/>
                </div>
                <div class:hidden=move || !shown(&[P::Zoho, P::Salesforce])()>
                    <TextField id=format!("{prefix}-client-secret") name="client_secret" kind="password" autocomplete="off"
                        label=move || t!(i18n, field_client_secret) hint=secret_hint problem/>
                </div>
                <div class:hidden=move || !shown(&[P::Zoho, P::Salesforce])()>
                    <TextField id=format!("{prefix}-refresh") name="refresh_token" kind="password" autocomplete="off"
                        label=move || t!(i18n, field_refresh_token) hint=secret_hint problem/>
                </div>
                <div class:hidden=move || !shown(&[P::Zoho])()>
                    <TextField id=format!("{prefix}-accounts") name="accounts_url" kind="url" label=move || t!(i18n, field_zoho_accounts)
                        value=accounts_url problem/>
                </div>
                <div class:hidden=move || !shown(&[P::Zoho])()>
                    <TextField id=format!("{prefix}-api-domain") name="api_domain" kind="url" label=move || t!(i18n, field_zoho_api)
                        value=api_domain problem/>
                </div>
                <div class:hidden=move || !shown(&[P::Salesforce])()>
                    <TextField id=format!("{prefix}-instance") name="instance_url" kind="url" label=move || t!(i18n, field_sf_instance)
                        value=instance_url hint=move || t!(i18n, field_sf_instance_hint) problem/>
                </div>
                <div class:hidden=move || !shown(&[P::Salesforce])()>
                    <TextField id=format!("{prefix}-login") name="login_url" kind="url" label=move || t!(i18n, field_sf_login)
                        value=login_url problem/>
                </div>
                <div class:hidden=move || !shown(&[P::CustomApi])()>
                    <TextField id=format!("{prefix}-header") name="auth_header_name" label=move || t!(i18n, field_custom_header)
                        value=header_name problem/>
                </div>
                <div class=move || if shown(&[P::CustomApi])() { "sm:col-span-2" } else { "hidden" }>
                    <label for=format!("{prefix}-custom") class=LABEL>{t!(i18n, field_custom_config)}</label>
                    <textarea id=format!("{prefix}-custom") name="custom_config" rows="8" class=format!("{INPUT} font-mono text-xs")
                        placeholder=CUSTOM_EXAMPLE>{custom_config}</textarea>
                    <p class="mt-1 text-xs text-slate-500">{t!(i18n, field_custom_config_hint)}</p>
                </div>
                <div class="sm:col-span-2">
                    <label for=format!("{prefix}-mapping") class=LABEL>{t!(i18n, field_stage_mapping)}</label>
                    <textarea id=format!("{prefix}-mapping") name="stage_mapping" rows="4" class=format!("{INPUT} font-mono text-xs")
                        placeholder="appointmentscheduled = qualification">{mapping}</textarea>
                    <p class="mt-1 text-xs text-slate-500">{t!(i18n, field_stage_mapping_hint)}" "{stages_hint}</p>
                </div>
            </div>
            <div class="mt-4 flex flex-wrap items-center gap-3">
                <button type="submit" class=PRIMARY disabled=move || action.pending().get()>{t!(i18n, integration_save_sync)}</button>
                <FormStatus value=outcome(action) fields=&["provider", "name", "token", "company_domain", "client_id", "client_secret", "refresh_token", "accounts_url", "api_domain", "instance_url", "login_url", "auth_header_name"]/>
            </div>
        </ActionForm>
    }
}

const CUSTOM_EXAMPLE: &str = r#"{
  "leads": { "url": "https://api.example.com/v1/contacts", "records_path": "data",
             "next_cursor_path": "meta.next", "since_param": "updated_since",
             "fields": { "id": "id", "name": "name", "email": "email", "updated_at": "updated_at" } },
  "deals": { "url": "https://api.example.com/v1/deals", "records_path": "data",
             "next_cursor_path": "meta.next",
             "fields": { "id": "id", "title": "title", "stage": "stage", "value": "amount", "lead_id": "contact_id" } }
}"#;
