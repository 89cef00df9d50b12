//! The import pages: the upload form with the latest imports, an upload's preview with its
//! editable column mapping, and an import's result (followed live while it runs).

use domain::format::{format_count, format_date_time};
use leptos::prelude::*;
use leptos_i18n::I18nContext;
use leptos_router::hooks::use_params_map;

use super::api::{SaveMapping, get_upload, import_logs};
use super::{ImportLogView, UploadView};
use crate::company::components::LoadFailed;
use crate::error::AppError;
use crate::fields::{BADGE, CARD, INPUT, LABEL, PRIMARY, SECONDARY};
use crate::i18n::*;
use crate::pipeline::components::query_param;
use crate::shell::pages::with_tenant;
use crate::shell::{Area, locale_of};
use crate::validation::{FormStatus, Problem, outcome};

pub fn field_label(i18n: I18nContext<Locale>, code: &str) -> String {
    match code {
        "external_id" => t_string!(i18n, field_external_id),
        "name" => t_string!(i18n, field_lead_name),
        "email" => t_string!(i18n, field_email),
        "phone" => t_string!(i18n, field_phone),
        "company_name" => t_string!(i18n, field_company_name),
        "position" => t_string!(i18n, field_position),
        "source" => t_string!(i18n, field_source),
        "status" => t_string!(i18n, field_lead_status),
        "lead_score" => t_string!(i18n, field_lead_score),
        "owner_email" => t_string!(i18n, import_field_owner_email),
        "title" => t_string!(i18n, field_deal_title),
        "stage" => t_string!(i18n, field_stage),
        "value" => t_string!(i18n, field_value),
        "currency" => t_string!(i18n, field_currency),
        "probability" => t_string!(i18n, field_probability),
        "expected_close_at" => t_string!(i18n, field_expected_close),
        "closed_at" => t_string!(i18n, field_closed_at),
        "lead_ref" => t_string!(i18n, import_field_lead_ref),
        other => return other.to_owned(),
    }
    .to_owned()
}

fn reason_label(i18n: I18nContext<Locale>, code: &str) -> String {
    match code {
        "missing" => t_string!(i18n, import_reason_missing),
        "invalid_amount" | "invalid_number" => t_string!(i18n, import_reason_invalid_amount),
        "negative_amount" => t_string!(i18n, import_reason_negative),
        "too_many_decimals" => t_string!(i18n, import_reason_decimals),
        "amount_too_large" => t_string!(i18n, import_reason_too_large),
        "invalid_percent" | "percent_out_of_range" => t_string!(i18n, import_reason_percent),
        "invalid_date" | "nonexistent_date" => t_string!(i18n, import_reason_date),
        "invalid_email" => t_string!(i18n, import_reason_email),
        "invalid_currency" => t_string!(i18n, import_reason_currency),
        "duplicate_external_id" => t_string!(i18n, import_reason_duplicate),
        "extra_columns" | "malformed_quotes" | "unreadable" => {
            t_string!(i18n, import_reason_row_shape)
        }
        "lead_not_found" => t_string!(i18n, import_reason_lead_not_found),
        "lead_missing" => t_string!(i18n, import_reason_lead_missing),
        "unknown_stage" | "no_open_stage" => t_string!(i18n, import_reason_stage),
        other => return other.to_owned(),
    }
    .to_owned()
}

/// Why a file was refused, from the upload form's `error` code.
fn file_problem(i18n: I18nContext<Locale>, code: &str) -> String {
    match code {
        "empty" | "no_data_rows" => t_string!(i18n, import_file_empty),
        "too_large" => t_string!(i18n, import_file_too_large),
        "workbook" => t_string!(i18n, import_file_workbook),
        "not_text" => t_string!(i18n, import_file_not_text),
        "no_header" => t_string!(i18n, import_file_no_header),
        "unclosed_quote" => t_string!(i18n, import_file_quote),
        _ => t_string!(i18n, import_file_invalid),
    }
    .to_owned()
}

fn status_badge(status: &str) -> &'static str {
    match status {
        "SUCCESS" => "bg-emerald-100 text-emerald-800",
        "PARTIAL" => "bg-amber-100 text-amber-800",
        "FAILED" => "bg-rose-100 text-rose-800",
        _ => "bg-indigo-100 text-indigo-800",
    }
}

fn status_label(i18n: I18nContext<Locale>, status: &str) -> &'static str {
    match status {
        "SUCCESS" => t_string!(i18n, import_status_success),
        "PARTIAL" => t_string!(i18n, import_status_partial),
        "FAILED" => t_string!(i18n, import_status_failed),
        _ => t_string!(i18n, import_status_running),
    }
}

#[component]
pub fn ImportsPage() -> impl IntoView {
    with_tenant(Area::Leads, |shell| {
        let i18n = use_i18n();
        let param = query_param();
        let slug = shell.slug.clone();
        let load_slug = slug.clone();
        let logs = Resource::new(
            move || load_slug.clone(),
            |slug| import_logs(slug, String::new()),
        );
        let kind = move || {
            if param("kind") == "DEAL" {
                "DEAL"
            } else {
                "LEAD"
            }
        };
        view! {
            <h1 class="mb-4 text-2xl font-semibold tracking-tight">{t!(i18n, import_title)}</h1>
            <section class=format!("{CARD} mb-6") aria-labelledby="upload-title">
                <h2 id="upload-title" class="text-lg font-semibold">{t!(i18n, import_upload_title)}</h2>
                <p class="mt-1 text-sm text-slate-600">{t!(i18n, import_upload_hint)}</p>
                {move || (!param("error").is_empty()).then(|| view! {
                    <p role="alert" class="mt-3 rounded-md border border-rose-200 bg-rose-50 px-3 py-2 text-sm text-rose-800" data-testid="upload-error">
                        {file_problem(i18n, &param("error"))}
                    </p>
                })}
                <form method="post" action=format!("/{slug}/imports") enctype="multipart/form-data" class="mt-4 flex flex-wrap items-end gap-3">
                    <div>
                        <label for="import-kind" class=LABEL>{t!(i18n, import_kind)}</label>
                        <select id="import-kind" name="kind" class=INPUT>
                            <option value="LEAD" selected=move || kind() == "LEAD">{t!(i18n, area_leads)}</option>
                            <option value="DEAL" selected=move || kind() == "DEAL">{t!(i18n, area_deals)}</option>
                        </select>
                    </div>
                    <div>
                        <label for="import-file" class=LABEL>{t!(i18n, import_file)}</label>
                        <input id="import-file" name="file" type="file" accept=".csv,.txt,text/csv" required class="mt-1 block text-sm"/>
                    </div>
                    <button type="submit" class=PRIMARY data-testid="upload-submit">{t!(i18n, import_preview)}</button>
                </form>
            </section>
            <section class=CARD aria-labelledby="imports-title">
                <h2 id="imports-title" class="text-lg font-semibold">{t!(i18n, import_recent)}</h2>
                <Transition fallback=move || view! { <p class="text-sm text-slate-500">{t!(i18n, loading)}</p> }>
                    {move || {
                        let slug = shell.slug.clone();
                        Suspend::new(async move {
                            match logs.await {
                                Ok(logs) if logs.is_empty() => view! { <p class="mt-2 text-sm text-slate-500">{t!(i18n, import_none)}</p> }.into_any(),
                                Ok(logs) => view! { <LogList slug logs/> }.into_any(),
                                Err(error) => view! { <LoadFailed error/> }.into_any(),
                            }
                        })
                    }}
                </Transition>
            </section>
        }
    })
}

#[component]
fn LogList(slug: String, logs: Vec<ImportLogView>) -> impl IntoView {
    let i18n = use_i18n();
    let locale = move || locale_of(i18n.get_locale());
    view! {
        <ul class="mt-2 divide-y divide-slate-100" data-testid="import-logs">
            {logs.into_iter().map(|log| {
                let started = log.started_at;
                let status = log.status.clone();
                view! {
                    <li class="flex flex-wrap items-center justify-between gap-2 py-2 text-sm">
                        <a class="text-indigo-700 hover:underline" href=format!("/{slug}/imports/logs/{}", log.id)>
                            {log.integration_name.clone().unwrap_or_else(|| log.source.to_uppercase())}" · "{move || format_date_time(started, locale())}
                        </a>
                        <span class="text-slate-600">
                            <span class=format!("{BADGE} {}", status_badge(&log.status))>{move || status_label(i18n, &status)}</span>
                            " "{t!(i18n, import_counts, created = move || log.created, updated = move || log.updated, failed = move || log.failed)}
                        </span>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

#[component]
pub fn UploadPage() -> impl IntoView {
    with_tenant(Area::Leads, |shell| {
        let i18n = use_i18n();
        let params = use_params_map();
        let slug = shell.slug.clone();
        let reload = RwSignal::new(0u32);
        let load_slug = slug.clone();
        let upload = Resource::new(
            move || {
                (
                    params.with(|p| p.get("id").unwrap_or_default()),
                    reload.get(),
                )
            },
            move |(id, _)| get_upload(load_slug.clone(), id),
        );
        view! {
            <nav class="mb-2 text-sm"><a class="text-indigo-700 hover:underline" href=format!("/{slug}/imports")>"← "{t!(i18n, import_title)}</a></nav>
            <Transition fallback=move || view! { <p class="text-sm text-slate-500">{t!(i18n, loading)}</p> }>
                {move || {
                    let slug = slug.clone();
                    Suspend::new(async move {
                        match upload.await {
                            Ok(upload) => view! { <MappingForm slug upload reload/> }.into_any(),
                            Err(AppError::NotFound) => view! { <crate::shell::pages::NotFound/> }.into_any(),
                            Err(AppError::Invalid(_)) => view! { <p class="text-sm text-slate-600">{t!(i18n, import_upload_done)}</p> }.into_any(),
                            Err(error) => view! { <LoadFailed error/> }.into_any(),
                        }
                    })
                }}
            </Transition>
        }
    })
}

fn mapping_problem(i18n: I18nContext<Locale>, problem: &str) -> String {
    let (code, field) = problem.split_once(':').unwrap_or((problem, ""));
    let field = field_label(i18n, field);
    match code {
        "missing_required" => format!("{} {field}", t_string!(i18n, import_mapping_missing)),
        "duplicate_field" => format!("{} {field}", t_string!(i18n, import_mapping_duplicate)),
        _ => t_string!(i18n, import_mapping_invalid).to_owned(),
    }
}

#[component]
fn MappingForm(slug: String, upload: UploadView, reload: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let locale = move || locale_of(i18n.get_locale());
    let action = ServerAction::<SaveMapping>::new();
    let navigate_slug = slug.clone();
    Effect::new(move |_| match action.value().get() {
        Some(Ok(Some(log))) => {
            let navigate = leptos_router::hooks::use_navigate();
            navigate(
                &format!("/{navigate_slug}/imports/logs/{log}"),
                Default::default(),
            );
        }
        Some(Ok(None)) => reload.update(|n| *n += 1),
        _ => {}
    });
    let editable = upload.status == "UPLOADED" || upload.status == "FAILED";
    let server_problem = move || {
        action
            .value()
            .get()
            .and_then(|r| r.err())
            .and_then(|e| Problem::of(&e))
            .map(|p| match p.field.as_str() {
                "mapping" => mapping_problem(
                    i18n,
                    &format!("{}:{}", p.code, p.detail.unwrap_or_default()),
                ),
                _ => file_problem(i18n, &p.code),
            })
    };
    let total = upload.total_rows;
    let fields = upload.fields.clone();
    let columns = upload
        .headers
        .iter()
        .cloned()
        .enumerate()
        .map(|(index, header)| {
            let current = upload
                .targets
                .get(index)
                .cloned()
                .unwrap_or_else(|| "ignore".to_owned());
            let samples: Vec<String> = upload
                .rows
                .iter()
                .take(3)
                .filter_map(|(_, cells)| cells.get(index).cloned())
                .filter(|c| !c.is_empty())
                .collect();
            (index, header, current, samples)
        })
        .collect::<Vec<_>>();
    let id = upload.id.clone();
    view! {
        <h1 class="mb-1 text-2xl font-semibold tracking-tight" data-testid="upload-name">{upload.file_name.clone()}</h1>
        <p class="mb-4 text-sm text-slate-600">
            {if upload.kind == "DEAL" { t!(i18n, area_deals).into_any() } else { t!(i18n, area_leads).into_any() }}
            " · "{t!(i18n, import_rows, count = move || format_count(total as i64, locale()))}
            " · "{t!(i18n, import_read_as)}" "{upload.encoding.clone()}" · "{t!(i18n, import_separator)}" "<code>{upload.separator.clone()}</code>
        </p>
        {(!upload.problems.is_empty()).then(|| view! {
            <div role="alert" class="mb-4 rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900" data-testid="mapping-problems">
                {upload.problems.iter().map(|p| view! { <p>{mapping_problem(i18n, p)}</p> }).collect_view()}
            </div>
        })}
        <ActionForm action>
            <input type="hidden" name="slug" value=slug.clone()/>
            <input type="hidden" name="id" value=id/>
            <section class=CARD aria-labelledby="mapping-title">
                <h2 id="mapping-title" class="text-lg font-semibold">{t!(i18n, import_mapping_title)}</h2>
                <p class="mt-1 text-sm text-slate-600">{t!(i18n, import_mapping_hint)}</p>
                <div class="mt-3 overflow-x-auto">
                    <table class="min-w-full divide-y divide-slate-200 text-sm" data-testid="mapping-table">
                        <thead><tr>
                            <th scope="col" class="px-3 py-2 text-left text-xs font-semibold uppercase text-slate-500">{t!(i18n, import_column)}</th>
                            <th scope="col" class="px-3 py-2 text-left text-xs font-semibold uppercase text-slate-500">{t!(i18n, import_becomes)}</th>
                            <th scope="col" class="px-3 py-2 text-left text-xs font-semibold uppercase text-slate-500">{t!(i18n, import_examples)}</th>
                        </tr></thead>
                        <tbody class="divide-y divide-slate-100">
                            {columns.into_iter().map(|(index, header, current, samples)| {
                                let select_id = format!("target-{index}");
                                let fields = fields.clone();
                                view! {
                                    <tr>
                                        <td class="px-3 py-2 font-medium text-slate-800"><label for=select_id.clone()>{header}</label></td>
                                        <td class="px-3 py-2">
                                            <select id=select_id name=format!("targets[{index}]") class=INPUT disabled=!editable data-testid="mapping-target">
                                                {fields.into_iter().map(|(code, required)| {
                                                    let value = format!("field:{code}");
                                                    let selected = value == current;
                                                    let label = field_label(i18n, &code);
                                                    view! { <option value=value selected=selected>{label}{required.then_some(" *")}</option> }
                                                }).collect_view()}
                                                <option value="custom" selected=current == "custom">{t!(i18n, import_target_custom)}</option>
                                                <option value="ignore" selected=current == "ignore">{t!(i18n, import_target_ignore)}</option>
                                            </select>
                                        </td>
                                        <td class="px-3 py-2 text-xs text-slate-500">{samples.join(" · ")}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
                <p class="mt-2 text-xs text-slate-500">{t!(i18n, import_required_hint)}</p>
                {move || server_problem().map(|text| view! { <p role="alert" class="mt-2 text-sm text-rose-700" data-testid="mapping-error">{text}</p> })}
                {editable.then(|| view! {
                    <div class="mt-4 flex flex-wrap items-center gap-3">
                        <button type="submit" class=SECONDARY disabled=move || action.pending().get()>{t!(i18n, import_save_mapping)}</button>
                        <button type="submit" name="import" value="1" class=PRIMARY disabled=move || action.pending().get() data-testid="start-import">{t!(i18n, import_start)}</button>
                        <FormStatus value=Signal::derive(move || outcome(action).get().filter(|r| r.is_ok()))/>
                    </div>
                })}
                {(!editable).then(|| upload.import_log_id.clone().map(|log| view! {
                    <a class=format!("{PRIMARY} mt-4") href=format!("/{slug}/imports/logs/{log}")>{t!(i18n, import_see_result)}</a>
                }))}
            </section>
        </ActionForm>
        <section class=format!("{CARD} mt-6") aria-labelledby="preview-title">
            <h2 id="preview-title" class="text-lg font-semibold">{t!(i18n, import_preview_title)}</h2>
            <div class="mt-3 overflow-x-auto">
                <table class="min-w-full divide-y divide-slate-200 text-xs" data-testid="preview-table">
                    <thead><tr>
                        <th scope="col" class="px-2 py-1 text-left text-slate-500">{t!(i18n, import_line)}</th>
                        {upload.headers.iter().map(|h| view! { <th scope="col" class="px-2 py-1 text-left text-slate-500">{h.clone()}</th> }).collect_view()}
                    </tr></thead>
                    <tbody class="divide-y divide-slate-100">
                        {upload.rows.iter().map(|(line, cells)| view! {
                            <tr>
                                <td class="px-2 py-1 text-slate-400">{*line}</td>
                                {cells.iter().map(|c| view! { <td class="px-2 py-1 text-slate-700">{c.clone()}</td> }).collect_view()}
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}

#[component]
pub fn ImportLogPage() -> impl IntoView {
    with_tenant(Area::Leads, |shell| {
        let i18n = use_i18n();
        let params = use_params_map();
        let slug = shell.slug.clone();
        let tick = RwSignal::new(0u32);
        let load_slug = slug.clone();
        let log = Resource::new(
            move || (params.with(|p| p.get("id").unwrap_or_default()), tick.get()),
            move |(id, _)| import_logs(load_slug.clone(), id),
        );
        // While the import runs, the page asks again every second and a half.
        Effect::new(move |_| {
            let running = log
                .get()
                .and_then(|r| r.ok())
                .and_then(|logs| logs.first().map(|l| l.status == "RUNNING"));
            if running == Some(true) {
                set_timeout(
                    move || tick.update(|n| *n += 1),
                    std::time::Duration::from_millis(1500),
                );
            }
        });
        view! {
            <nav class="mb-2 text-sm"><a class="text-indigo-700 hover:underline" href=format!("/{slug}/imports")>"← "{t!(i18n, import_title)}</a></nav>
            <Transition fallback=move || view! { <p class="text-sm text-slate-500">{t!(i18n, loading)}</p> }>
                {move || Suspend::new(async move {
                    match log.await.map(|mut logs| logs.pop()) {
                        Ok(Some(log)) => view! { <LogDetail log/> }.into_any(),
                        Ok(None) | Err(AppError::NotFound) => view! { <crate::shell::pages::NotFound/> }.into_any(),
                        Err(error) => view! { <LoadFailed error/> }.into_any(),
                    }
                })}
            </Transition>
        }
    })
}

#[component]
fn LogDetail(log: ImportLogView) -> impl IntoView {
    let i18n = use_i18n();
    let locale = move || locale_of(i18n.get_locale());
    let running = log.status == "RUNNING";
    let done = i64::from(log.created + log.updated + log.failed);
    let total = i64::from(log.total);
    let percent = if total > 0 {
        (done * 100 / total).min(100)
    } else {
        0
    };
    let status = log.status.clone();
    let started = log.started_at;
    let tile = |label: AnyView, value: i32, id: &'static str| {
        view! {
            <div class="rounded-lg bg-slate-50 p-3">
                <p class="text-xs text-slate-500">{label}</p>
                <p class="text-xl font-semibold tabular-nums" data-testid=id>{value}</p>
            </div>
        }
    };
    view! {
        {running.then(|| view! { <noscript><meta http-equiv="refresh" content="2"/></noscript> })}
        <div class="mb-4 flex flex-wrap items-center gap-3">
            <h1 class="text-2xl font-semibold tracking-tight">{t!(i18n, import_result_title)}</h1>
            <span class=format!("{BADGE} {}", status_badge(&log.status)) data-testid="import-status">{move || status_label(i18n, &status)}</span>
        </div>
        <p class="mb-4 text-sm text-slate-600">
            {log.integration_name.clone().unwrap_or_else(|| log.source.to_uppercase())}" · "{move || format_date_time(started, locale())}
            {log.triggered_by.clone().map(|who| format!(" · {who}"))}
        </p>
        {running.then(|| view! {
            <div class="mb-4" aria-label=move || t_string!(i18n, import_progress).to_string() data-testid="import-progress">
                <progress class="h-2 w-full" max="100" value=percent.to_string()></progress>
                <p class="mt-1 text-xs text-slate-500">{format!("{percent}%")}" · "{t!(i18n, import_rows, count = move || format_count(done, locale()))}</p>
            </div>
        })}
        <div class="grid grid-cols-2 gap-3 sm:grid-cols-4">
            {tile(t!(i18n, import_total).into_any(), log.total, "import-total")}
            {tile(t!(i18n, import_created).into_any(), log.created, "import-created")}
            {tile(t!(i18n, import_updated).into_any(), log.updated, "import-updated")}
            {tile(t!(i18n, import_failed).into_any(), log.failed, "import-failed")}
        </div>
        {(!log.errors.is_empty()).then(|| view! {
            <section class=format!("{CARD} mt-6") aria-labelledby="errors-title">
                <h2 id="errors-title" class="text-lg font-semibold">{t!(i18n, import_errors_title)}</h2>
                <p class="text-xs text-slate-500">{t!(i18n, import_errors_hint)}</p>
                <table class="mt-3 min-w-full divide-y divide-slate-200 text-sm" data-testid="import-errors">
                    <thead><tr>
                        <th scope="col" class="px-2 py-1 text-left text-xs text-slate-500">{t!(i18n, import_line)}</th>
                        <th scope="col" class="px-2 py-1 text-left text-xs text-slate-500">{t!(i18n, import_column)}</th>
                        <th scope="col" class="px-2 py-1 text-left text-xs text-slate-500">{t!(i18n, import_reason)}</th>
                        <th scope="col" class="px-2 py-1 text-left text-xs text-slate-500">{t!(i18n, import_value)}</th>
                    </tr></thead>
                    <tbody class="divide-y divide-slate-100">
                        {log.errors.iter().map(|e| {
                            let reason = e.reason.clone();
                            let field = e.field.clone().unwrap_or_default();
                            view! {
                                <tr>
                                    <td class="px-2 py-1 tabular-nums">{e.line.map(|l| l.to_string()).or_else(|| e.external_id.clone()).unwrap_or_else(|| "—".into())}</td>
                                    <td class="px-2 py-1">{move || if field.is_empty() { "—".to_owned() } else { field_label(i18n, &field) }}</td>
                                    <td class="px-2 py-1">{move || reason_label(i18n, &reason)}</td>
                                    <td class="px-2 py-1 text-slate-500">{e.value.clone()}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </section>
        })}
    }
}
