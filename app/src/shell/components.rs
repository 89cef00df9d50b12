//! The pieces of the frame: header, navigation, language switch.

use leptos::prelude::*;

use super::{Area, NAV_GROUPS, NavGroup, TenantShell};
use leptos_i18n::I18nContext;

use crate::auth::api::get_current_user;
use crate::i18n::*;

/// Switches between Portuguese and English; leptos_i18n keeps the choice in a cookie, so the next
/// server render (and the next visit) speaks the same language.
#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let toggle = move |_| {
        let next = match i18n.get_locale() {
            Locale::en => Locale::pt_BR,
            _ => Locale::en,
        };
        i18n.set_locale(next);
    };
    view! {
        <button
            type="button"
            data-testid="language-switch"
            class="inline-flex items-center gap-1.5 rounded-md border border-slate-300 bg-white px-2.5 py-1.5 text-sm font-medium text-slate-700 shadow-sm hover:bg-slate-50 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500"
            aria-label=move || t_string!(i18n, switch_language_label).to_string()
            on:click=toggle
        >
            <svg aria-hidden="true" viewBox="0 0 20 20" fill="none" stroke="currentColor" stroke-width="1.5" class="h-4 w-4">
                <circle cx="10" cy="10" r="7.5"/>
                <path d="M2.5 10h15M10 2.5c2 2.2 3 4.7 3 7.5s-1 5.3-3 7.5c-2-2.2-3-4.7-3-7.5s1-5.3 3-7.5z"/>
            </svg>
            {t!(i18n, switch_language)}
        </button>
    }
}

/// The signed-in person with a sign-out button, or a sign-in link for a guest.
#[component]
fn UserBadge() -> impl IntoView {
    let i18n = use_i18n();
    let user = Resource::new(|| (), |_| get_current_user());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match user.await {
                    Ok(Some(user)) => {
                        let initials: String = user.name.split_whitespace().filter_map(|w| w.chars().next()).take(2).collect();
                        let staff = user.role == domain::UserRole::Admin;
                        view! {
                            <div class="flex items-center gap-2">
                                <a href="/profile" data-testid="profile-link" class="flex items-center gap-2 rounded-md px-1 py-0.5 hover:bg-slate-100" title=move || t_string!(i18n, profile_link).to_string()>
                                    <span class="grid h-8 w-8 place-items-center rounded-full bg-indigo-100 text-xs font-semibold text-indigo-700" aria-hidden="true">{initials}</span>
                                    <span class="hidden text-sm text-slate-700 sm:inline" data-testid="user-name">{user.name.clone()}</span>
                                </a>
                                {staff.then(|| view! { <span class="rounded bg-amber-100 px-1.5 py-0.5 text-xs font-medium text-amber-800">{t!(i18n, staff_badge)}</span> })}
                                <form method="post" action="/logout">
                                    <button type="submit" data-testid="sign-out" class="rounded-md px-2 py-1 text-sm text-slate-600 hover:bg-slate-100 hover:text-slate-900">{t!(i18n, sign_out)}</button>
                                </form>
                            </div>
                        }.into_any()
                    }
                    _ => view! {
                        <a href="/login" data-testid="sign-in-link" class="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-500">{t!(i18n, sign_in_link)}</a>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The bar at the top of every page: brand, company, language, user.
#[component]
pub fn Header(#[prop(optional)] company: Option<String>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <a href="#main" class="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2">
            {t!(i18n, skip_to_content)}
        </a>
        <header class="sticky top-0 z-30 border-b border-slate-200 bg-white/90 backdrop-blur">
            <div class="mx-auto flex h-14 max-w-7xl items-center justify-between gap-4 px-4">
                <div class="flex min-w-0 items-center gap-3">
                    <a href="/" class="flex items-center gap-2 font-semibold tracking-tight text-slate-900">
                        <span class="grid h-7 w-7 place-items-center rounded-md bg-indigo-600 text-sm font-bold text-white" aria-hidden="true">"P"</span>
                        <span>"Performancy"</span>
                    </a>
                    {company.map(|name| view! {
                        <span class="text-slate-300" aria-hidden="true">"/"</span>
                        <span class="truncate text-sm font-medium text-slate-700" data-testid="company-name">{name}</span>
                    })}
                </div>
                <div class="flex items-center gap-3">
                    <LanguageSwitch/>
                    <UserBadge/>
                </div>
            </div>
        </header>
    }
}

fn group_label(i18n: I18nContext<Locale>, group: NavGroup) -> &'static str {
    match group {
        NavGroup::Sell => t_string!(i18n, nav_group_sell),
        NavGroup::Coach => t_string!(i18n, nav_group_coach),
        NavGroup::Automate => t_string!(i18n, nav_group_automate),
        NavGroup::Admin => t_string!(i18n, nav_group_admin),
    }
}

/// The name of an area in the current language.
pub fn area_label(i18n: I18nContext<Locale>, area: Area) -> &'static str {
    match area {
        Area::Dashboard => t_string!(i18n, area_dashboard),
        Area::Leads => t_string!(i18n, area_leads),
        Area::Deals => t_string!(i18n, area_deals),
        Area::Forecast => t_string!(i18n, area_forecast),
        Area::Conversations => t_string!(i18n, area_conversations),
        Area::Playbooks => t_string!(i18n, area_playbooks),
        Area::Ranking => t_string!(i18n, area_ranking),
        Area::Okrs => t_string!(i18n, area_okrs),
        Area::Alerts => t_string!(i18n, area_alerts),
        Area::Bots => t_string!(i18n, area_bots),
        Area::Search => t_string!(i18n, area_search),
        Area::Integrations => t_string!(i18n, area_integrations),
        Area::AiUsage => t_string!(i18n, area_ai_usage),
        Area::Users => t_string!(i18n, area_users),
        Area::Audit => t_string!(i18n, area_audit),
        Area::Settings => t_string!(i18n, area_settings),
    }
}

#[component]
fn NavLinks(slug: String, active: Area, role: domain::UserRole) -> impl IntoView {
    let i18n = use_i18n();
    NAV_GROUPS
        .iter()
        // Only the areas this role may open: no links that lead to "access not allowed".
        .filter(|(_, areas)| areas.iter().any(|area| crate::policy::may_use_area(role, *area)))
        .map(|(group, areas)| {
            let group = *group;
            let links = areas
                .iter()
                .filter(|area| crate::policy::may_use_area(role, **area))
                .map(|area| {
                    let area = *area;
                    let current = area == active;
                    view! {
                        <li>
                            <a
                                href=area.href(&slug)
                                aria-current=current.then_some("page")
                                class=if current {
                                    "block rounded-md bg-indigo-50 px-3 py-1.5 text-sm font-medium text-indigo-700"
                                } else {
                                    "block rounded-md px-3 py-1.5 text-sm text-slate-600 hover:bg-slate-100 hover:text-slate-900"
                                }
                            >
                                {move || area_label(i18n, area)}
                            </a>
                        </li>
                    }
                })
                .collect_view();
            view! {
                <div class="mb-4">
                    <p class="mb-1 px-3 text-xs font-semibold uppercase tracking-wider text-slate-400">{move || group_label(i18n, group)}</p>
                    <ul class="space-y-0.5">{links}</ul>
                </div>
            }
        })
        .collect_view()
}

/// A tenant page: header, navigation (a sidebar on wide screens, a disclosure on phones, both
/// working without JavaScript) and the page's content.
#[component]
pub fn TenantFrame(shell: TenantShell, active: Area, children: Children) -> impl IntoView {
    let i18n = use_i18n();
    let slug = shell.slug.clone();
    view! {
        <Header company=shell.name.clone()/>
        <div class="mx-auto flex max-w-7xl gap-6 px-4 py-6">
            <nav class="hidden w-56 shrink-0 md:block" aria-label=move || t_string!(i18n, nav_label).to_string()>
                <NavLinks slug=slug.clone() active=active role=shell.role/>
            </nav>
            <main id="main" class="min-w-0 flex-1">
                {shell.acting_as_staff().then(|| view! {
                    <div role="status" data-testid="staff-banner" class="mb-4 flex flex-wrap items-center justify-between gap-2 rounded-lg border border-amber-300 bg-amber-50 px-4 py-2 text-sm text-amber-900">
                        <span>{t!(i18n, staff_banner)}</span>
                        <a href="/admin" class="font-medium underline">{t!(i18n, staff_back_to_console)}</a>
                    </div>
                })}
                <details class="mb-4 rounded-lg border border-slate-200 bg-white md:hidden">
                    <summary class="cursor-pointer px-4 py-2 text-sm font-medium">{t!(i18n, menu)}</summary>
                    <nav class="px-1 pb-2" aria-label=move || t_string!(i18n, nav_label).to_string()>
                        <NavLinks slug=slug.clone() active=active role=shell.role/>
                    </nav>
                </details>
                {children()}
            </main>
        </div>
    }
}
