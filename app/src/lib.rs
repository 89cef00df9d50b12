//! Everything the server and the browser share: the router, the pages, the `#[server]` functions,
//! and — behind the `ssr` feature — the server-side code those functions call.
//!
//! Sliced by feature (`shell/` today; `pipeline/`, `conversations/`… as they land), each folder with
//! `mod.rs` for types both sides use, `api.rs` for server functions, `server.rs` for queries and
//! policy, and `pages.rs` / `components.rs` for the views.

#![recursion_limit = "256"]

pub mod admin;
pub mod audit;
pub mod auth;
pub mod company;
pub mod conversations;
pub mod dashboard;
pub mod error;
pub mod fields;
pub mod forms;
pub mod imports;
pub mod integrations;
pub mod mail;
pub mod people;
pub mod pipeline;
pub mod policy;
pub mod profile;
#[cfg(feature = "ssr")]
pub mod security;
pub mod shell;
#[cfg(feature = "ssr")]
pub mod state;
pub mod validation;

/// The translations of `locales/*.json`, checked at compile time.
// leptos_i18n 0.6 prefers a build script, whose code generation pulls ICU's data exporter into the
// build; the macro reads the same files with none of that, so its deprecation is accepted here.
#[allow(deprecated)]
mod translations {
    leptos_i18n::load_locales!();
}
pub use translations::i18n;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{SsrMode, path};

use crate::auth::pages::SignInPage;
use crate::i18n::I18nContextProvider;
use crate::shell::pages::{AreaPage, Landing, NotFound, TenantHome};

/// The HTML document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    security::set_page_csp();
    view! {
        <!DOCTYPE html>
        <html>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light"/>
                <link rel="icon" href="/favicon.ico"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body class="min-h-screen bg-slate-50 text-slate-900 antialiased">
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="leptos" href="/pkg/performancy.css"/>
        <I18nContextProvider>
            <DocumentLanguage/>
            <Router>
                <Routes fallback=|| view! { <NotFound/> }>
                    <Route path=path!("") view=Landing/>
                    <Route path=path!("login") view=SignInPage ssr=SsrMode::Async/>
                    <Route path=path!("dev/mail") view=crate::mail::pages::DevMailPage ssr=SsrMode::Async/>
                    <Route path=path!("invite/:token") view=crate::auth::link_pages::InvitationPage ssr=SsrMode::Async/>
                    <Route path=path!("reset") view=crate::auth::link_pages::ResetRequestPage ssr=SsrMode::Async/>
                    <Route path=path!("reset/:token") view=crate::auth::link_pages::ResetPage ssr=SsrMode::Async/>
                    <Route path=path!("profile") view=crate::profile::pages::ProfilePage ssr=SsrMode::Async/>
                    <Route path=path!("admin") view=crate::admin::pages::AdminCompaniesPage ssr=SsrMode::Async/>
                    <Route path=path!("admin/staff") view=crate::admin::pages::AdminStaffPage ssr=SsrMode::Async/>
                    <Route path=path!("admin/audit") view=crate::admin::pages::AdminAuditPage ssr=SsrMode::Async/>
                    <Route path=path!("admin/companies/:slug") view=crate::admin::pages::AdminCompanyPage ssr=SsrMode::Async/>
                    <Route path=path!(":slug") view=TenantHome ssr=SsrMode::Async/>
                    <Route path=path!(":slug/users") view=crate::people::pages::UsersPage ssr=SsrMode::Async/>
                    <Route path=path!(":slug/users/squads") view=crate::people::pages::SquadsPage ssr=SsrMode::Async/>
                    <Route path=path!(":slug/settings") view=crate::company::pages::SettingsPage ssr=SsrMode::Async/>
                    <Route path=path!(":slug/audit") view=crate::audit::pages::AuditPage ssr=SsrMode::Async/>
                    <Route path=path!(":slug/integrations") view=crate::integrations::pages::IntegrationsPage ssr=SsrMode::Async/>
                    <Route path=path!(":slug/imports") view=crate::imports::pages::ImportsPage ssr=SsrMode::Async/>
                    <Route path=path!(":slug/imports/:id") view=crate::imports::pages::UploadPage ssr=SsrMode::Async/>
                    <Route path=path!(":slug/imports/logs/:id") view=crate::imports::pages::ImportLogPage ssr=SsrMode::Async/>
                    <Route path=path!(":slug/leads") view=crate::pipeline::leads::LeadsPage ssr=SsrMode::Async/>
                    <Route path=path!(":slug/leads/:id") view=crate::pipeline::leads::LeadPage ssr=SsrMode::Async/>
                    <Route path=path!(":slug/deals") view=crate::pipeline::deals::DealsPage ssr=SsrMode::Async/>
                    <Route path=path!(":slug/deals/board") view=crate::pipeline::board::BoardPage ssr=SsrMode::Async/>
                    <Route path=path!(":slug/deals/:id") view=crate::pipeline::deals::DealPage ssr=SsrMode::Async/>
                    <Route path=path!(":slug/forecast") view=crate::pipeline::forecast::ForecastPage ssr=SsrMode::Async/>
                    <Route path=path!(":slug/ranking") view=crate::dashboard::pages::RankingPage ssr=SsrMode::Async/>
                    <Route path=path!(":slug/conversations") view=crate::conversations::pages::ConversationsPage ssr=SsrMode::Async/>
                    <Route path=path!(":slug/conversations/:id") view=crate::conversations::pages::ConversationPage ssr=SsrMode::Async/>
                    <Route path=path!(":slug/:area") view=AreaPage ssr=SsrMode::Async/>
                </Routes>
            </Router>
        </I18nContextProvider>
    }
}

/// Sets the title pattern, and marks the page as hydrated (an effect runs only in the browser),
/// which the end-to-end tests wait for before they click. `<html lang>` is kept by leptos_i18n.
#[component]
fn DocumentLanguage() -> impl IntoView {
    Effect::new(move |_| {
        if let Some(root) = document().document_element() {
            // Failing to set the marker only slows the tests down; nothing to recover.
            root.set_attribute("data-hydrated", "true").ok();
        }
    });
    view! { <Title formatter=|page: String| if page.is_empty() { "Performancy".to_owned() } else { format!("{page} · Performancy") }/> }
}
