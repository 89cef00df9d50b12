//! Server functions of a company's configuration. Thin: the tenant context, the policy, one call
//! of `server.rs`, the error's status.

// A server function takes a form's fields as its arguments, and the flags form has eight; the
// `#[server]` macro also emits the browser-side twin, which an item-level allow does not reach.
#![allow(clippy::too_many_arguments)]

use domain::pipeline::StageDraft;
use leptos::prelude::*;

use super::{CompanySettings, StageView};
use crate::error::AppError;

#[cfg(feature = "ssr")]
use crate::policy::{Action, Ownership, Resource, allows, may_use_area};
#[cfg(feature = "ssr")]
use crate::shell::Area;

/// The company's details, flags, settings and stages, for a DIRECTOR or staff.
#[server(endpoint = "company/settings")]
pub async fn get_company_settings(slug: String) -> Result<CompanySettings, AppError> {
    let state = crate::state::AppState::current()?;
    crate::error::respond(
        async {
            let ctx = crate::auth::server::tenant_ctx(&state.db, &slug).await?;
            if !may_use_area(ctx.role(), Area::Settings) {
                return Err(AppError::Forbidden);
            }
            super::server::load_settings(&state, &ctx).await
        }
        .await,
    )
}

#[server(endpoint = "company/update")]
pub async fn update_company(
    slug: String,
    name: String,
    domain: String,
    timezone: String,
    currency: String,
) -> Result<(), AppError> {
    let state = crate::state::AppState::current()?;
    crate::error::respond(
        async {
            let ctx = crate::auth::server::tenant_ctx(&state.db, &slug).await?;
            if !allows(
                ctx.role(),
                Action::Update,
                Resource::Company,
                Ownership::Other,
            ) {
                return Err(AppError::Forbidden);
            }
            let input = super::server::DetailsInput {
                name,
                domain,
                timezone,
                currency,
            };
            let meta = crate::auth::server::request_meta(&state.settings);
            super::server::update_details(&state, &ctx, input, &meta).await
        }
        .await,
    )
}

/// Flags (a checked box arrives as `on`, an unchecked one not at all) and settings. Flags the
/// caller may not switch keep their value whatever is sent.
#[server(endpoint = "company/features")]
pub async fn update_company_features(
    slug: String,
    ai_analysis: Option<String>,
    bots: Option<String>,
    auto_crm_fill: Option<String>,
    playbook_generation: Option<String>,
    ranking_visibility: Option<String>,
    polling_interval: String,
    backup_interval: String,
) -> Result<(), AppError> {
    use super::Feature;
    let state = crate::state::AppState::current()?;
    crate::error::respond(
        async {
            let ctx = crate::auth::server::tenant_ctx(&state.db, &slug).await?;
            if !allows(
                ctx.role(),
                Action::Update,
                Resource::Company,
                Ownership::Other,
            ) {
                return Err(AppError::Forbidden);
            }
            let boxes = [
                (Feature::AiAnalysis, ai_analysis),
                (Feature::Bots, bots),
                (Feature::AutoCrmFill, auto_crm_fill),
                (Feature::PlaybookGeneration, playbook_generation),
                (Feature::RankingVisibility, ranking_visibility),
            ];
            let checked = boxes
                .into_iter()
                .filter(|(_, value)| value.is_some())
                .map(|(f, _)| f)
                .collect();
            let input = super::server::FeaturesInput {
                checked,
                polling_interval,
                backup_interval,
            };
            let meta = crate::auth::server::request_meta(&state.settings);
            super::server::update_features(&state, &ctx, input, &meta).await
        }
        .await,
    )
}

/// Saves the whole stage list in its new order (`stages[0][id]`, `stages[0][name]`,
/// `stages[0][probability]`, `stages[0][kind]`, …; a new stage has an empty id).
#[server(endpoint = "company/stages")]
pub async fn save_stages(
    slug: String,
    #[server(default)] stages: Vec<StageDraft>,
) -> Result<Vec<StageView>, AppError> {
    let state = crate::state::AppState::current()?;
    crate::error::respond(
        async {
            let ctx = crate::auth::server::tenant_ctx(&state.db, &slug).await?;
            if !allows(
                ctx.role(),
                Action::Update,
                Resource::Company,
                Ownership::Other,
            ) {
                return Err(AppError::Forbidden);
            }
            let meta = crate::auth::server::request_meta(&state.settings);
            super::server::save_stages(
                &state,
                &ctx,
                &stages,
                crate::validation::request_locale(),
                &meta,
            )
            .await
        }
        .await,
    )
}

/// The time zone names forms suggest.
#[server(endpoint = "company/timezones")]
pub async fn list_timezones() -> Result<Vec<String>, AppError> {
    crate::error::respond(
        crate::auth::server::require_user().map(|_| super::server::timezone_names()),
    )
}
