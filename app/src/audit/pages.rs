//! The audit log page (`/{slug}/audit`): filters in the URL (a plain GET form, so a filtered view
//! can be bookmarked and works before the WebAssembly loads), newest first, fifty rows a page.

use domain::AuditActor;
use domain::format::format_date_time;
use leptos::prelude::*;
use leptos_i18n::I18nContext;
use leptos_router::hooks::use_query_map;

use super::api::list_audit;
use super::{AuditEntry, FieldChange};
use crate::company::components::LoadFailed;
use crate::fields::{BADGE, CARD, INPUT, LABEL, PRIMARY, SECONDARY};
use crate::i18n::*;
use crate::shell::pages::with_tenant;
use crate::shell::{Area, encode_query_value, locale_of};

/// The name of an action in the current language; unknown actions show as recorded.
pub fn action_label(i18n: I18nContext<Locale>, action: &str) -> String {
    let known = match action {
        "COMPANY_CREATED" => t_string!(i18n, action_company_created),
        "COMPANY_UPDATED" => t_string!(i18n, action_company_updated),
        "COMPANY_SETTINGS_UPDATED" => t_string!(i18n, action_company_settings_updated),
        "PIPELINE_STAGES_UPDATED" => t_string!(i18n, action_pipeline_stages_updated),
        "STAFF_ENTER_TENANT" => t_string!(i18n, action_staff_enter_tenant),
        "USER_INVITED" => t_string!(i18n, action_user_invited),
        "USER_UPDATED" => t_string!(i18n, action_user_updated),
        "USER_DEACTIVATED" => t_string!(i18n, action_user_deactivated),
        "USER_REACTIVATED" => t_string!(i18n, action_user_reactivated),
        "USER_INVITATION_RESENT" => t_string!(i18n, action_user_invitation_resent),
        "SQUAD_CREATED" => t_string!(i18n, action_squad_created),
        "SQUAD_UPDATED" => t_string!(i18n, action_squad_updated),
        "SQUAD_DELETED" => t_string!(i18n, action_squad_deleted),
        "SQUAD_MEMBER_ADDED" => t_string!(i18n, action_squad_member_added),
        "SQUAD_MEMBER_UPDATED" => t_string!(i18n, action_squad_member_updated),
        "SQUAD_MEMBER_REMOVED" => t_string!(i18n, action_squad_member_removed),
        "STAFF_USER_CREATED" => t_string!(i18n, action_staff_user_created),
        "STAFF_USER_DEACTIVATED" => t_string!(i18n, action_staff_user_deactivated),
        "STAFF_USER_REACTIVATED" => t_string!(i18n, action_staff_user_reactivated),
        other => return other.to_owned(),
    };
    known.to_owned()
}

fn actor_label(i18n: I18nContext<Locale>, actor: AuditActor) -> &'static str {
    match actor {
        AuditActor::User => t_string!(i18n, actor_user),
        AuditActor::Staff => t_string!(i18n, actor_staff),
        AuditActor::System => t_string!(i18n, actor_system),
        AuditActor::Integration => t_string!(i18n, actor_integration),
    }
}

/// "field: before → after", one per line; "—" for nothing.
#[component]
pub fn ChangeList(changes: Vec<FieldChange>) -> impl IntoView {
    let dash = || "—".to_owned();
    view! {
        <ul class="space-y-0.5 text-xs">
            {changes.into_iter().map(|c| view! {
                <li class="break-words">
                    {(!c.field.is_empty()).then(|| view! { <span class="font-medium text-slate-700">{c.field.clone()}": "</span> })}
                    <span class="text-rose-700 line-through decoration-rose-300">{c.before.clone().unwrap_or_else(dash)}</span>
                    <span class="px-1 text-slate-400" aria-hidden="true">"→"</span>
                    <span class="text-emerald-800">{c.after.clone().unwrap_or_else(dash)}</span>
                </li>
            }).collect_view()}
        </ul>
    }
}

#[component]
pub fn AuditPage() -> impl IntoView {
    with_tenant(
        Area::Audit,
        |shell| view! { <AuditLog slug=shell.slug.clone()/> },
    )
}

#[component]
fn AuditLog(slug: String) -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let param = move |name: &str| query.read().get(name).unwrap_or_default();
    let slug_for_load = slug.clone();
    let log = Resource::new(
        move || {
            (
                param("user_id"),
                param("entity_type"),
                param("action"),
                param("from"),
                param("to"),
                param("page").parse::<u32>().unwrap_or(1),
            )
        },
        move |(user_id, entity_type, action, from, to, page)| {
            list_audit(
                slug_for_load.clone(),
                user_id,
                entity_type,
                action,
                from,
                to,
                page,
            )
        },
    );
    let locale = move || locale_of(i18n.get_locale());
    let page_href = move |page: u32| {
        let mut parts = vec![format!("page={page}")];
        for name in ["user_id", "entity_type", "action", "from", "to"] {
            let value = param(name);
            if !value.is_empty() {
                parts.push(format!("{name}={}", encode_query_value(&value)));
            }
        }
        format!("?{}", parts.join("&"))
    };
    view! {
        <h1 class="mb-4 text-2xl font-semibold tracking-tight">{t!(i18n, area_audit)}</h1>
        <Transition fallback=move || view! { <p class="text-sm text-slate-500">{t!(i18n, loading)}</p> }>
            {move || Suspend::new(async move {
                let page = match log.await {
                    Ok(page) => page,
                    Err(error) => return view! { <LoadFailed error/> }.into_any(),
                };
                let selected = |name: &str, value: &str| param(name) == value;
                view! {
                    <form method="get" class=format!("{CARD} grid gap-3 sm:grid-cols-3 lg:grid-cols-6 lg:items-end") aria-label=move || t_string!(i18n, audit_filters).to_string()>
                        <div>
                            <label for="audit-user" class=LABEL>{t!(i18n, audit_person)}</label>
                            <select id="audit-user" name="user_id" class=INPUT>
                                <option value="">{t!(i18n, audit_anyone)}</option>
                                {page.people.iter().map(|p| view! { <option value=p.id.clone() selected=selected("user_id", &p.id)>{p.name.clone()}</option> }).collect_view()}
                            </select>
                        </div>
                        <div>
                            <label for="audit-entity" class=LABEL>{t!(i18n, audit_entity)}</label>
                            <select id="audit-entity" name="entity_type" class=INPUT>
                                <option value="">{t!(i18n, audit_any)}</option>
                                {page.entity_types.iter().map(|e| view! { <option value=e.clone() selected=selected("entity_type", e)>{e.clone()}</option> }).collect_view()}
                            </select>
                        </div>
                        <div>
                            <label for="audit-action" class=LABEL>{t!(i18n, audit_action)}</label>
                            <select id="audit-action" name="action" class=INPUT>
                                <option value="">{t!(i18n, audit_any)}</option>
                                {page.actions.iter().map(|a| {
                                    let code = a.clone();
                                    view! { <option value=a.clone() selected=selected("action", a)>{move || action_label(i18n, &code)}</option> }
                                }).collect_view()}
                            </select>
                        </div>
                        <div>
                            <label for="audit-from" class=LABEL>{t!(i18n, audit_from)}</label>
                            <input id="audit-from" name="from" type="date" value=param("from") class=INPUT/>
                        </div>
                        <div>
                            <label for="audit-to" class=LABEL>{t!(i18n, audit_to)}</label>
                            <input id="audit-to" name="to" type="date" value=param("to") class=INPUT/>
                        </div>
                        <div class="flex gap-2">
                            <button type="submit" class=PRIMARY>{t!(i18n, audit_apply)}</button>
                            <a href="?" class=SECONDARY>{t!(i18n, audit_clear)}</a>
                        </div>
                    </form>
                    {if page.items.is_empty() {
                        view! { <p class="mt-6 text-sm text-slate-500" data-testid="audit-empty">{t!(i18n, audit_empty)}</p> }.into_any()
                    } else {
                        view! {
                            <div class="mt-6 overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm">
                                <table class="min-w-full divide-y divide-slate-200 text-sm" data-testid="audit-table">
                                    <thead class="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wider text-slate-500">
                                        <tr>
                                            <th scope="col" class="px-3 py-2">{t!(i18n, audit_when)}</th>
                                            <th scope="col" class="px-3 py-2">{t!(i18n, audit_who)}</th>
                                            <th scope="col" class="px-3 py-2">{t!(i18n, audit_action)}</th>
                                            <th scope="col" class="px-3 py-2">{t!(i18n, audit_entity)}</th>
                                            <th scope="col" class="px-3 py-2">{t!(i18n, audit_changes)}</th>
                                            <th scope="col" class="px-3 py-2">{t!(i18n, audit_origin)}</th>
                                        </tr>
                                    </thead>
                                    <tbody class="divide-y divide-slate-100 align-top">
                                        {page.items.into_iter().map(|entry| view! { <AuditRow entry locale=Signal::derive(locale)/> }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        }.into_any()
                    }}
                    <nav class="mt-4 flex items-center justify-between text-sm" aria-label=move || t_string!(i18n, pagination).to_string()>
                        {(page.page > 1).then(|| view! { <a href=page_href(page.page - 1) class=SECONDARY rel="prev">{t!(i18n, page_previous)}</a> })}
                        <span class="text-slate-500">{t!(i18n, page_number, page = move || page.page)}</span>
                        {page.has_next.then(|| view! { <a href=page_href(page.page + 1) class=SECONDARY rel="next">{t!(i18n, page_next)}</a> })}
                    </nav>
                }
                .into_any()
            })}
        </Transition>
    }
}

#[component]
fn AuditRow(entry: AuditEntry, locale: Signal<domain::Locale>) -> impl IntoView {
    let i18n = use_i18n();
    let at = entry.at;
    let actor = entry.actor;
    let action = entry.action.clone();
    let badge = match actor {
        AuditActor::User => "bg-slate-100 text-slate-700",
        AuditActor::Staff => "bg-amber-100 text-amber-800",
        AuditActor::System | AuditActor::Integration => "bg-sky-100 text-sky-800",
    };
    view! {
        <tr>
            <td class="whitespace-nowrap px-3 py-2 tabular-nums text-slate-600">{move || format_date_time(at, locale.get())}</td>
            <td class="px-3 py-2">
                <span class=format!("{BADGE} {badge}")>{move || actor_label(i18n, actor)}</span>
                <span class="ml-1 text-slate-800">{entry.actor_label.clone().unwrap_or_default()}</span>
            </td>
            <td class="px-3 py-2 font-medium">{move || action_label(i18n, &action)}</td>
            <td class="px-3 py-2 text-slate-600"><span>{entry.entity_type.clone()}</span><span class="block break-all text-xs text-slate-400">{entry.entity_id.clone()}</span></td>
            <td class="px-3 py-2"><ChangeList changes=entry.changes.clone()/></td>
            <td class="px-3 py-2 text-xs text-slate-500"><span class="block">{entry.ip_address.clone()}</span><span class="block max-w-[14rem] truncate" title=entry.user_agent.clone()>{entry.user_agent.clone()}</span></td>
        </tr>
    }
}
