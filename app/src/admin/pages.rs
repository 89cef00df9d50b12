//! The staff console's pages: companies (`/admin`), one company's configuration
//! (`/admin/companies/{slug}`), staff users (`/admin/staff`) and the staff audit log
//! (`/admin/audit`). The frame checks who is asking: a guest is sent to sign in, anyone but staff
//! sees "not found" (the server functions check again, whatever the page shows).

use domain::UserStatus;
use domain::format::{format_count, format_date, format_date_time};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::api::{
    CreateCompany, CreateStaffUser, SetStaffStatus, list_companies, list_staff, list_staff_audit,
};
use super::{StaffAuditEntry, StaffMember};
use crate::audit::pages::{ChangeList, action_label};
use crate::auth::api::get_current_user;
use crate::company::components::{CompanySettingsPanel, LoadFailed, TimezoneList};
use crate::error::AppError;
use crate::fields::{BADGE, CARD, DANGER, PRIMARY, SECONDARY, TextField};
use crate::i18n::*;
use crate::people::pages::status_label;
use crate::shell::components::Header;
use crate::shell::locale_of;
use crate::shell::pages::{ErrorPage, NotFound, RedirectToSignIn};
use crate::validation::{FormStatus, drafted, outcome, problem_of, reload_on_success};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ConsoleTab {
    Companies,
    Staff,
    Audit,
}

/// The console's frame around `children`, for staff only.
#[component]
fn StaffConsole(tab: ConsoleTab, children: ChildrenFn) -> impl IntoView {
    let i18n = use_i18n();
    let me = Resource::new(|| (), |_| get_current_user());
    let children = StoredValue::new(children);
    view! {
        <Suspense fallback=move || view! { <p class="p-8 text-sm text-slate-500">{t!(i18n, loading)}</p> }>
            {move || Suspend::new(async move {
                match me.await {
                    Ok(Some(user)) if crate::policy::may_use_staff_console(user.role) => view! {
                        <Title text=move || t_string!(i18n, console_title).to_string()/>
                        <Header/>
                        <div class="mx-auto max-w-7xl px-4 py-6">
                            <div class="mb-6 flex flex-wrap items-end justify-between gap-3">
                                <div>
                                    <p class="text-xs font-semibold uppercase tracking-wider text-amber-700">{t!(i18n, staff_badge)}</p>
                                    <h1 class="text-2xl font-semibold tracking-tight">{t!(i18n, console_title)}</h1>
                                </div>
                            </div>
                            <nav class="mb-6 flex gap-6 border-b border-slate-200" aria-label=move || t_string!(i18n, console_title).to_string()>
                                <ConsoleLink href="/admin" current=tab == ConsoleTab::Companies>{t!(i18n, console_companies)}</ConsoleLink>
                                <ConsoleLink href="/admin/staff" current=tab == ConsoleTab::Staff>{t!(i18n, console_staff)}</ConsoleLink>
                                <ConsoleLink href="/admin/audit" current=tab == ConsoleTab::Audit>{t!(i18n, console_audit)}</ConsoleLink>
                            </nav>
                            <main id="main">{children.with_value(|c| c())}</main>
                        </div>
                    }
                    .into_any(),
                    Ok(Some(_)) => view! { <NotFound/> }.into_any(),
                    Ok(None) | Err(AppError::Unauthorized) => view! { <RedirectToSignIn/> }.into_any(),
                    Err(error) => view! { <ErrorPage error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ConsoleLink(href: &'static str, current: bool, children: Children) -> impl IntoView {
    view! {
        <a href=href aria-current=current.then_some("page")
            class=if current { "border-b-2 border-indigo-600 px-1 pb-2 text-sm font-semibold text-indigo-700" } else { "border-b-2 border-transparent px-1 pb-2 text-sm text-slate-600 hover:text-slate-900" }>
            {children()}
        </a>
    }
}

#[component]
pub fn AdminCompaniesPage() -> impl IntoView {
    view! { <StaffConsole tab=ConsoleTab::Companies><Companies/></StaffConsole> }
}

#[component]
fn Companies() -> impl IntoView {
    let i18n = use_i18n();
    let reload = RwSignal::new(0u32);
    let companies = Resource::new(move || reload.get(), |_| list_companies());
    let locale = move || locale_of(i18n.get_locale());
    view! {
        <CreateCompanyForm reload/>
        <Transition fallback=move || view! { <p class="text-sm text-slate-500">{t!(i18n, loading)}</p> }>
            {move || Suspend::new(async move {
                let companies = match companies.await {
                    Ok(companies) => companies,
                    Err(error) => return view! { <LoadFailed error/> }.into_any(),
                };
                view! {
                    <ul class="divide-y divide-slate-100 rounded-xl border border-slate-200 bg-white shadow-sm" data-testid="company-list">
                        {companies.into_iter().map(|c| {
                            let created = c.created_at.date_naive();
                            let users = c.user_count;
                            view! {
                                <li class="flex flex-wrap items-center justify-between gap-3 p-4" data-testid="company-row">
                                    <div class="min-w-0">
                                        <p class="font-medium text-slate-900">{c.name.clone()}</p>
                                        <p class="text-sm text-slate-500">
                                            <span class="font-mono">{format!("/{}", c.slug)}</span>
                                            " · "{move || t_string!(i18n, console_users_count).to_string()}": "{move || format_count(users, locale())}
                                            " · "{move || t_string!(i18n, console_created).to_string()}" "{move || format_date(created, locale())}
                                            " · "{c.currency.clone()}" · "{c.timezone.clone()}
                                        </p>
                                    </div>
                                    <div class="flex flex-wrap gap-2">
                                        <a href=format!("/admin/companies/{}", c.slug) class=SECONDARY>{t!(i18n, console_configure)}</a>
                                        <a href=format!("/{}", c.slug) class=PRIMARY data-testid="enter-company">{t!(i18n, console_enter)}</a>
                                    </div>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }
                .into_any()
            })}
        </Transition>
    }
}

#[component]
fn CreateCompanyForm(reload: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<CreateCompany>::new();
    let draft = drafted(action, "company-create");
    let problem = problem_of(outcome(action));
    reload_on_success(outcome(action), reload);
    let created = move || outcome(action).get().and_then(Result::ok);
    view! {
        <details class=format!("{CARD} mb-6") data-testid="create-company-form" open=move || problem.get().is_some()>
            <summary class="cursor-pointer text-sm font-semibold text-indigo-700">{t!(i18n, console_create_company)}</summary>
            <ActionForm action node_ref=draft>
                <div class="mt-4 grid gap-4 sm:grid-cols-2">
                    <TextField id="new-company-name" name="name" label=move || t!(i18n, field_company_name) required=true maxlength=120 problem/>
                    <TextField id="new-company-slug" name="slug" label=move || t!(i18n, field_slug) required=true maxlength=48 autocomplete="off"
                        hint=move || t!(i18n, field_slug_hint) problem/>
                    <TextField id="new-company-domain" name="domain" label=move || t!(i18n, field_domain) hint=move || t!(i18n, field_domain_hint) problem/>
                    <TextField id="new-company-timezone" name="timezone" label=move || t!(i18n, field_timezone) value="America/Sao_Paulo" required=true
                        list="new-company-timezones" problem/>
                    <TextField id="new-company-currency" name="currency" label=move || t!(i18n, field_currency) value="BRL" required=true maxlength=3
                        hint=move || t!(i18n, field_currency_hint) problem/>
                </div>
                <TimezoneList id="new-company-timezones"/>
                <div class="mt-4 flex flex-wrap items-center gap-3">
                    <button type="submit" class=PRIMARY disabled=move || action.pending().get()>{t!(i18n, console_create_submit)}</button>
                    <FormStatus value=outcome(action) fields=&["name", "slug", "domain", "timezone", "currency"]/>
                    {move || created().map(|c| view! {
                        <a href=format!("/admin/companies/{}", c.slug) class="text-sm font-medium text-indigo-700 underline">{t!(i18n, console_configure)}" /"{c.slug.clone()}</a>
                    })}
                </div>
            </ActionForm>
        </details>
    }
}

#[component]
pub fn AdminCompanyPage() -> impl IntoView {
    let params = use_params_map();
    let slug = Signal::derive(move || params.read().get("slug").unwrap_or_default());
    let i18n = use_i18n();
    view! {
        <StaffConsole tab=ConsoleTab::Companies>
            <div class="mb-4 flex flex-wrap items-center justify-between gap-3">
                <a href="/admin" class="text-sm text-indigo-700 underline">{t!(i18n, console_back)}</a>
                <a href=move || format!("/{}", slug.get()) class=PRIMARY>{t!(i18n, console_enter)}</a>
            </div>
            <CompanySettingsPanel slug/>
        </StaffConsole>
    }
}

#[component]
pub fn AdminStaffPage() -> impl IntoView {
    view! { <StaffConsole tab=ConsoleTab::Staff><StaffUsers/></StaffConsole> }
}

#[component]
fn StaffUsers() -> impl IntoView {
    let i18n = use_i18n();
    let reload = RwSignal::new(0u32);
    let staff = Resource::new(move || reload.get(), |_| list_staff());
    view! {
        <CreateStaffForm reload/>
        <Transition fallback=move || view! { <p class="text-sm text-slate-500">{t!(i18n, loading)}</p> }>
            {move || Suspend::new(async move {
                match staff.await {
                    Ok(members) => view! {
                        <ul class="divide-y divide-slate-100 rounded-xl border border-slate-200 bg-white shadow-sm" data-testid="staff-list">
                            {members.into_iter().map(|member| view! { <StaffRow member reload/> }).collect_view()}
                        </ul>
                    }
                    .into_any(),
                    Err(error) => view! { <LoadFailed error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn StaffRow(member: StaffMember, reload: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<SetStaffStatus>::new();
    reload_on_success(outcome(action), reload);
    let locale = move || locale_of(i18n.get_locale());
    let active = member.status == UserStatus::Active;
    let status = member.status;
    let last = member.last_login_at.map(|at| at.fixed_offset());
    view! {
        <li class="flex flex-wrap items-center justify-between gap-3 p-4">
            <div class="min-w-0">
                <p class="font-medium">{member.name.clone()}{member.is_me.then(|| view! { <span class="ml-2 text-xs text-slate-500">{t!(i18n, console_you)}</span> })}</p>
                <p class="break-all text-sm text-slate-500">{member.email.clone()}</p>
                <p class="text-xs text-slate-500">
                    {match last {
                        Some(at) => view! { <span>{t!(i18n, people_last_login)}": "{move || format_date_time(at, locale())}" UTC"</span> }.into_any(),
                        None => view! { <span>{t!(i18n, people_never_signed_in)}</span> }.into_any(),
                    }}
                </p>
            </div>
            <div class="flex flex-wrap items-center gap-2">
                <span class=format!("{BADGE} {}", if active { "bg-emerald-100 text-emerald-800" } else { "bg-slate-200 text-slate-600" })>{move || status_label(i18n, status)}</span>
                {(!member.is_me).then(|| view! {
                    <ActionForm action>
                        <input type="hidden" name="user_id" value=member.id.clone()/>
                        <input type="hidden" name="active" value=if active { "false" } else { "true" }/>
                        <button type="submit" class=if active { DANGER } else { SECONDARY } disabled=move || action.pending().get()>
                            {if active { t!(i18n, person_deactivate).into_any() } else { t!(i18n, person_reactivate).into_any() }}
                        </button>
                    </ActionForm>
                    <FormStatus value=outcome(action)/>
                })}
            </div>
        </li>
    }
}

#[component]
fn CreateStaffForm(reload: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<CreateStaffUser>::new();
    let draft = drafted(action, "staff-create");
    let problem = problem_of(outcome(action));
    reload_on_success(outcome(action), reload);
    view! {
        <details class=format!("{CARD} mb-6") data-testid="create-staff-form" open=move || problem.get().is_some()>
            <summary class="cursor-pointer text-sm font-semibold text-indigo-700">{t!(i18n, console_create_staff)}</summary>
            <ActionForm action node_ref=draft>
                <div class="mt-4 grid gap-4 sm:grid-cols-3">
                    <TextField id="staff-name" name="name" label=move || t!(i18n, field_person_name) required=true maxlength=120 autocomplete="off" problem/>
                    <TextField id="staff-email" name="email" kind="email" label=move || t!(i18n, field_email) required=true autocomplete="off" problem/>
                    <TextField id="staff-password" name="password" kind="password" label=move || t!(i18n, field_password) required=true
                        autocomplete="new-password" hint=move || t!(i18n, field_new_password_hint) problem/>
                </div>
                <div class="mt-4 flex flex-wrap items-center gap-3">
                    <button type="submit" class=PRIMARY disabled=move || action.pending().get()>{t!(i18n, console_create_staff_submit)}</button>
                    <FormStatus value=outcome(action) fields=&["name", "email", "password"]/>
                </div>
            </ActionForm>
        </details>
    }
}

#[component]
pub fn AdminAuditPage() -> impl IntoView {
    view! { <StaffConsole tab=ConsoleTab::Audit><StaffAudit/></StaffConsole> }
}

#[component]
fn StaffAudit() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let page_number = move || {
        query
            .read()
            .get("page")
            .and_then(|p| p.parse::<u32>().ok())
            .unwrap_or(1)
    };
    let log = Resource::new(page_number, list_staff_audit);
    view! {
        <Transition fallback=move || view! { <p class="text-sm text-slate-500">{t!(i18n, loading)}</p> }>
            {move || Suspend::new(async move {
                let page = match log.await {
                    Ok(page) => page,
                    Err(error) => return view! { <LoadFailed error/> }.into_any(),
                };
                view! {
                    {page.items.is_empty().then(|| view! { <p class="text-sm text-slate-500">{t!(i18n, audit_empty)}</p> })}
                    <ul class="divide-y divide-slate-100 rounded-xl border border-slate-200 bg-white shadow-sm" data-testid="staff-audit">
                        {page.items.into_iter().map(|entry| view! { <StaffAuditRow entry/> }).collect_view()}
                    </ul>
                    <nav class="mt-4 flex items-center justify-between text-sm" aria-label=move || t_string!(i18n, pagination).to_string()>
                        {(page.page > 1).then(|| view! { <a href=format!("?page={}", page.page - 1) class=SECONDARY rel="prev">{t!(i18n, page_previous)}</a> })}
                        <span class="text-slate-500">{t!(i18n, page_number, page = move || page.page)}</span>
                        {page.has_next.then(|| view! { <a href=format!("?page={}", page.page + 1) class=SECONDARY rel="next">{t!(i18n, page_next)}</a> })}
                    </nav>
                }
                .into_any()
            })}
        </Transition>
    }
}

#[component]
fn StaffAuditRow(entry: StaffAuditEntry) -> impl IntoView {
    let i18n = use_i18n();
    let locale = move || locale_of(i18n.get_locale());
    let at = entry.at.fixed_offset();
    let action = entry.action.clone();
    view! {
        <li class="grid gap-2 p-4 sm:grid-cols-[12rem_1fr]">
            <div class="text-sm">
                <p class="tabular-nums text-slate-600">{move || format_date_time(at, locale())}" UTC"</p>
                <p class="font-medium">{entry.actor_name.clone().unwrap_or_default()}</p>
                <p class="text-xs text-slate-500">{entry.ip_address.clone()}</p>
            </div>
            <div class="min-w-0 text-sm">
                <p>
                    <span class="font-medium">{move || action_label(i18n, &action)}</span>
                    {entry.company.clone().map(|c| view! { <span class="text-slate-500">" · "{c}</span> })}
                    <span class="ml-1 break-all text-xs text-slate-400">{entry.entity_type.clone()}" "{entry.entity_id.clone()}</span>
                </p>
                <ChangeList changes=entry.changes.clone()/>
            </div>
        </li>
    }
}
