//! The shell's pages: landing, a tenant's home, a feature area not yet delivered, not found.

use domain::format::{format_date_time, format_money};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use rust_decimal::Decimal;

use super::api::{get_landing_info, get_tenant_shell};
use super::components::{Header, TenantFrame, area_label};
use super::{Area, TenantShell, locale_of};
use crate::error::AppError;
use crate::i18n::*;

#[component]
pub fn Landing() -> impl IntoView {
    let i18n = use_i18n();
    let info = Resource::new(|| (), |_| get_landing_info());
    view! {
        <Title text=""/>
        <Header/>
        <main id="main" class="mx-auto max-w-5xl px-4 py-16">
            <p class="text-sm font-semibold uppercase tracking-wider text-indigo-600">{t!(i18n, tagline)}</p>
            <h1 class="mt-3 max-w-3xl text-4xl font-bold tracking-tight text-slate-900 sm:text-5xl" data-testid="landing-title">
                {t!(i18n, landing_title)}
            </h1>
            <p class="mt-5 max-w-2xl text-lg text-slate-600">{t!(i18n, landing_body)}</p>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let slugs = match info.await {
                        Ok(info) => info.demo_slugs,
                        Err(_) => Vec::new(),
                    };
                    (!slugs.is_empty()).then(|| view! {
                        <section class="mt-12 rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
                            <h2 class="text-base font-semibold">{t!(i18n, landing_demo)}</h2>
                            <p class="mt-1 text-sm text-slate-500">{t!(i18n, landing_demo_hint)}</p>
                            <ul class="mt-4 flex flex-wrap gap-3">
                                {slugs.into_iter().map(|slug| view! {
                                    <li>
                                        <a href=format!("/{slug}") class="inline-flex items-center rounded-md bg-indigo-600 px-4 py-2 text-sm font-medium text-white shadow-sm hover:bg-indigo-500 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:ring-offset-2">
                                            {format!("/{slug}")}
                                        </a>
                                    </li>
                                }).collect_view()}
                            </ul>
                        </section>
                    })
                })}
            </Suspense>
        </main>
        <Footer/>
    }
}

#[component]
fn Footer() -> impl IntoView {
    let i18n = use_i18n();
    view! { <footer class="mx-auto max-w-7xl px-4 py-8 text-xs text-slate-400">{t!(i18n, footer)}</footer> }
}

/// The `:slug` of the current route.
pub fn slug_param() -> impl Fn() -> String + Copy + Send + Sync + 'static {
    let params = use_params_map();
    move || params.read().get("slug").unwrap_or_default()
}

/// Loads the tenant's header facts and renders `content` inside the frame, or the not-found / error page.
pub fn with_tenant<F, V>(active: Area, content: F) -> impl IntoView
where
    F: Fn(TenantShell) -> V + Copy + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let slug = slug_param();
    let shell = Resource::new(slug, move |slug| {
        get_tenant_shell(slug, active.segment().to_owned())
    });
    let i18n = use_i18n();
    view! {
        <Suspense fallback=move || view! { <p class="p-8 text-sm text-slate-500">{t!(i18n, loading)}</p> }>
            {move || Suspend::new(async move {
                match shell.await {
                    Ok(shell) => view! {
                        <Title text=move || area_label(i18n, active).to_string()/>
                        <TenantFrame shell=shell.clone() active=active>{content(shell.clone())}</TenantFrame>
                    }.into_any(),
                    Err(AppError::NotFound) => view! { <NotFound/> }.into_any(),
                    Err(AppError::Unauthorized) => view! { <RedirectToSignIn/> }.into_any(),
                    Err(error) => view! { <ErrorPage error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn TenantHome() -> impl IntoView {
    with_tenant(Area::Dashboard, |shell| {
        let slug = shell.slug.clone();
        view! { <CompanyOverview shell/> <crate::dashboard::pages::HomeCharts slug/> }
    })
}

#[component]
pub fn AreaPage() -> impl IntoView {
    let params = use_params_map();
    let area = params
        .read_untracked()
        .get("area")
        .and_then(|segment| Area::from_segment(&segment));
    match area {
        Some(area) => with_tenant(area, move |_| view! { <ComingSoon area/> }).into_any(),
        None => view! { <NotFound/> }.into_any(),
    }
}

/// The company's name, clock and currency as its people read them.
#[component]
fn CompanyOverview(shell: TenantShell) -> impl IntoView {
    let i18n = use_i18n();
    let locale = move || locale_of(i18n.get_locale());
    let now = shell.now;
    let currency = shell.currency.clone();
    let sample = Decimal::new(123_456_789, 2);
    let tz = shell.timezone.clone();
    view! {
        <section class="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
            <h1 class="text-2xl font-semibold tracking-tight" data-testid="company-title">{shell.name.clone()}</h1>
            <dl class="mt-4 grid gap-4 sm:grid-cols-3">
                <div>
                    <dt class="text-xs font-medium uppercase tracking-wider text-slate-500">{t!(i18n, company_today, tz = move || tz.clone())}</dt>
                    <dd class="mt-1 text-lg font-medium tabular-nums" data-testid="company-now">{move || format_date_time(now, locale())}</dd>
                </div>
                <div>
                    <dt class="text-xs font-medium uppercase tracking-wider text-slate-500">{t!(i18n, company_currency)}</dt>
                    <dd class="mt-1 text-lg font-medium">{currency.clone()}</dd>
                </div>
                <div>
                    <dt class="text-xs font-medium uppercase tracking-wider text-slate-500">{t!(i18n, sample_money)}</dt>
                    <dd class="mt-1 text-lg font-medium tabular-nums" data-testid="company-money">{move || format_money(sample, &currency, locale())}</dd>
                </div>
            </dl>
        </section>
    }
}

/// An area whose feature has not been delivered yet: says so plainly instead of pretending.
#[component]
fn ComingSoon(area: Area) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="mt-6 rounded-xl border border-dashed border-slate-300 bg-white p-8 text-center" data-testid="area-soon">
            <h2 class="text-lg font-semibold">{move || area_label(i18n, area)}</h2>
            <p class="mt-2 text-sm font-medium text-slate-700">{t!(i18n, area_soon_title)}</p>
            <p class="mx-auto mt-1 max-w-lg text-sm text-slate-500">{t!(i18n, area_soon_body)}</p>
        </section>
    }
}

/// Sends a guest (or an expired session) to sign in, with this page as `next`.
#[component]
pub fn RedirectToSignIn() -> impl IntoView {
    let i18n = use_i18n();
    let location = leptos_router::hooks::use_location();
    let here = format!(
        "{}{}",
        location.pathname.get_untracked(),
        location.search.get_untracked()
    );
    let target = format!("/login?next={}", super::encode_query_value(&here));
    #[cfg(feature = "ssr")]
    leptos_axum::redirect(&target);
    #[cfg(not(feature = "ssr"))]
    {
        let navigate = leptos_router::hooks::use_navigate();
        let target = target.clone();
        request_animation_frame(move || navigate(&target, Default::default()));
    }
    view! {
        <Header/>
        <main id="main" class="mx-auto max-w-md px-4 py-16 text-center">
            <a href=target class="text-indigo-600 underline">{t!(i18n, sign_in_link)}</a>
        </main>
    }
}

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    AppError::NotFound.set_response_status();
    let i18n = use_i18n();
    view! {
        <Title text=move || t_string!(i18n, not_found_title).to_string()/>
        <Header/>
        <main id="main" class="mx-auto max-w-xl px-4 py-24 text-center" data-testid="not-found">
            <p class="text-sm font-semibold text-indigo-600">"404"</p>
            <h1 class="mt-2 text-3xl font-bold tracking-tight">{t!(i18n, not_found_title)}</h1>
            <p class="mt-3 text-slate-600">{t!(i18n, not_found_body)}</p>
            <a href="/" class="mt-8 inline-block rounded-md bg-indigo-600 px-4 py-2 text-sm font-medium text-white hover:bg-indigo-500">{t!(i18n, back_home)}</a>
        </main>
    }
}

/// Any other failure: a message for people, never the internal cause (that is in the server log).
#[component]
pub fn ErrorPage(error: AppError) -> impl IntoView {
    #[cfg(feature = "ssr")]
    error.set_response_status();
    let i18n = use_i18n();
    let unavailable = error == AppError::Unavailable;
    let forbidden = error == AppError::Forbidden;
    view! {
        <Title text=move || t_string!(i18n, error_title).to_string()/>
        <Header/>
        <main id="main" class="mx-auto max-w-xl px-4 py-24 text-center" data-testid="error-page">
            <p class="text-sm font-semibold text-rose-600">{error.status().as_u16()}</p>
            <h1 class="mt-2 text-3xl font-bold tracking-tight">
                {if forbidden { t!(i18n, forbidden_title).into_any() } else { t!(i18n, error_title).into_any() }}
            </h1>
            <p class="mt-3 text-slate-600">
                {if unavailable {
                    t!(i18n, error_unavailable).into_any()
                } else if forbidden {
                    t!(i18n, forbidden_body).into_any()
                } else {
                    t!(i18n, error_body).into_any()
                }}
            </p>
            <a href="/" class="mt-8 inline-block rounded-md bg-indigo-600 px-4 py-2 text-sm font-medium text-white hover:bg-indigo-500">{t!(i18n, back_home)}</a>
        </main>
    }
}
