//! The company settings page (`/{slug}/settings`) of a DIRECTOR, and of staff inside the tenant.

use leptos::prelude::*;

use super::components::CompanySettingsPanel;
use crate::i18n::*;
use crate::shell::Area;
use crate::shell::pages::with_tenant;

#[component]
pub fn SettingsPage() -> impl IntoView {
    with_tenant(Area::Settings, |shell| {
        let i18n = use_i18n();
        let slug = shell.slug.clone();
        view! {
            <h1 class="mb-4 text-2xl font-semibold tracking-tight">{t!(i18n, area_settings)}</h1>
            <CompanySettingsPanel slug=Signal::stored(slug)/>
        }
    })
}
