//! Server functions of a company's integrations. Thin: the tenant context, the area and policy
//! check (DIRECTOR and staff only), one call of `server.rs`, the error's status.

// A server function takes a form's fields as its arguments, and the CRM form has sixteen; the
// `#[server]` macro also emits the browser-side twin, which an item-level allow does not reach.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;

use super::{ConnectionCheck, IntegrationsView};
use crate::error::AppError;

/// The request's tenant context, refused (403) to a role that may not manage integrations.
#[cfg(feature = "ssr")]
async fn integrations_ctx(
    state: &crate::state::AppState,
    slug: &str,
) -> Result<db::TenantCtx, AppError> {
    use crate::policy::{Action, Ownership, Resource, allows, may_use_area};
    let ctx = crate::auth::server::tenant_ctx(&state.db, slug).await?;
    if !may_use_area(ctx.role(), crate::shell::Area::Integrations)
        || !allows(
            ctx.role(),
            Action::Update,
            Resource::Integration,
            Ownership::Other,
        )
    {
        return Err(AppError::Forbidden);
    }
    Ok(ctx)
}

#[server(endpoint = "integrations/list")]
pub async fn get_integrations(slug: String) -> Result<IntegrationsView, AppError> {
    let state = crate::state::AppState::current()?;
    crate::error::respond(
        async {
            let ctx = integrations_ctx(&state, &slug).await?;
            super::server::load(&state, &ctx).await
        }
        .await,
    )
}

/// Creates (empty `id`) or updates an AI integration; a blank `api_key` keeps the stored one.
#[server(endpoint = "integrations/ai")]
pub async fn save_ai_integration(
    slug: String,
    #[server(default)] id: String,
    provider: String,
    name: String,
    #[server(default)] model: String,
    #[server(default)] api_key: String,
) -> Result<String, AppError> {
    let state = crate::state::AppState::current()?;
    crate::error::respond(
        async {
            let ctx = integrations_ctx(&state, &slug).await?;
            let meta = crate::auth::server::request_meta(&state.settings);
            let input = super::server::AiIntegrationInput {
                id,
                provider,
                name,
                model,
                api_key,
            };
            super::server::save_ai(&state, &ctx, input, &meta).await
        }
        .await,
    )
}

/// Creates (empty `id`) or updates a CRM integration; blank secrets keep the stored ones. Asks for
/// a sync right away.
#[server(endpoint = "integrations/crm")]
pub async fn save_crm_integration(
    slug: String,
    #[server(default)] id: String,
    provider: String,
    name: String,
    #[server(default)] token: String,
    #[server(default)] company_domain: String,
    #[server(default)] client_id: String,
    #[server(default)] client_secret: String,
    #[server(default)] refresh_token: String,
    #[server(default)] accounts_url: String,
    #[server(default)] api_domain: String,
    #[server(default)] instance_url: String,
    #[server(default)] login_url: String,
    #[server(default)] auth_header_name: String,
    #[server(default)] custom_config: String,
    #[server(default)] stage_mapping: String,
) -> Result<String, AppError> {
    let state = crate::state::AppState::current()?;
    crate::error::respond(
        async {
            let ctx = integrations_ctx(&state, &slug).await?;
            let meta = crate::auth::server::request_meta(&state.settings);
            let input = super::server::CrmIntegrationInput {
                id,
                provider,
                name,
                token,
                company_domain,
                client_id,
                client_secret,
                refresh_token,
                accounts_url,
                api_domain,
                instance_url,
                login_url,
                auth_header_name,
                custom_config,
                stage_mapping,
            };
            super::server::save_crm(&state, &ctx, input, &meta).await
        }
        .await,
    )
}

/// Asks for a CRM sync now; `full` (any value) syncs everything again, not only what changed.
#[server(endpoint = "integrations/sync")]
pub async fn sync_integration(
    slug: String,
    id: String,
    #[server(default)] full: String,
) -> Result<(), AppError> {
    let state = crate::state::AppState::current()?;
    crate::error::respond(
        async {
            let ctx = integrations_ctx(&state, &slug).await?;
            let meta = crate::auth::server::request_meta(&state.settings);
            super::server::sync_now(&state, &ctx, &id, !full.is_empty(), &meta).await
        }
        .await,
    )
}

#[server(endpoint = "integrations/status")]
pub async fn set_integration_active(
    slug: String,
    id: String,
    active: bool,
) -> Result<(), AppError> {
    let state = crate::state::AppState::current()?;
    crate::error::respond(
        async {
            let ctx = integrations_ctx(&state, &slug).await?;
            let meta = crate::auth::server::request_meta(&state.settings);
            super::server::set_active(&state, &ctx, &id, active, &meta).await
        }
        .await,
    )
}

#[server(endpoint = "integrations/test")]
pub async fn test_integration(slug: String, id: String) -> Result<ConnectionCheck, AppError> {
    let state = crate::state::AppState::current()?;
    crate::error::respond(
        async {
            let ctx = integrations_ctx(&state, &slug).await?;
            super::server::test_connection(&state, &ctx, &id).await
        }
        .await,
    )
}

/// Queues every conversation of the company for analysis again; how many.
#[server(endpoint = "conversations/reanalyse")]
pub async fn reanalyse_conversations(slug: String) -> Result<u64, AppError> {
    let state = crate::state::AppState::current()?;
    crate::error::respond(
        async {
            let ctx = integrations_ctx(&state, &slug).await?;
            let meta = crate::auth::server::request_meta(&state.settings);
            super::server::reanalyse(&state, &ctx, &meta).await
        }
        .await,
    )
}
