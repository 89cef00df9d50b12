//! Server functions of the pipeline. Thin: the tenant context, one call of `server.rs` (which
//! scopes every record to what the viewer may see: "not found" outside it), the error's status.

// A list's filters arrive as one argument each, as the URL carries them.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;

use super::{Board, DealDetail, DealPage, DealRow, Forecast, LeadDetail, LeadPage};
use crate::error::AppError;

#[cfg(feature = "ssr")]
async fn pipeline_ctx(slug: &str) -> Result<(crate::state::AppState, db::TenantCtx), AppError> {
    let state = crate::state::AppState::current()?;
    let ctx = crate::auth::server::tenant_ctx(&state.db, slug).await?;
    Ok((state, ctx))
}

#[server(endpoint = "leads/list")]
pub async fn list_leads(
    slug: String,
    #[server(default)] q: String,
    #[server(default)] owner: String,
    #[server(default)] source: String,
    #[server(default)] status: String,
    #[server(default)] from: String,
    #[server(default)] to: String,
    #[server(default)] sort: String,
    #[server(default)] dir: String,
    #[server(default)] page: u32,
) -> Result<LeadPage, AppError> {
    crate::error::respond(
        async {
            let (state, ctx) = pipeline_ctx(&slug).await?;
            let filter = super::server::LeadFilter {
                q,
                owner,
                source,
                status,
                from,
                to,
                sort,
                dir,
                page,
            };
            super::server::list_leads(&state.db, &ctx, &filter).await
        }
        .await,
    )
}

#[server(endpoint = "leads/get")]
pub async fn get_lead(slug: String, id: String) -> Result<LeadDetail, AppError> {
    crate::error::respond(
        async {
            let (state, ctx) = pipeline_ctx(&slug).await?;
            super::server::get_lead(&state.db, &ctx, &id).await
        }
        .await,
    )
}

/// Creates (empty `id`) or updates a lead; answers its id.
#[server(endpoint = "leads/save")]
pub async fn save_lead(
    slug: String,
    #[server(default)] id: String,
    name: String,
    #[server(default)] email: String,
    #[server(default)] phone: String,
    #[server(default)] company_name: String,
    #[server(default)] position: String,
    #[server(default)] source: String,
    #[server(default)] status: String,
    #[server(default)] lead_score: String,
    #[server(default)] owner_id: String,
) -> Result<String, AppError> {
    crate::error::respond(
        async {
            let (state, ctx) = pipeline_ctx(&slug).await?;
            let input = super::server::LeadInput {
                id,
                name,
                email,
                phone,
                company_name,
                position,
                source,
                status,
                lead_score,
                owner_id,
            };
            let meta = crate::auth::server::request_meta(&state.settings);
            let locale = crate::validation::request_locale();
            super::server::save_lead(&state.db, &ctx, &input, locale, &meta).await
        }
        .await,
    )
}

#[server(endpoint = "deals/list")]
pub async fn list_deals(
    slug: String,
    #[server(default)] q: String,
    #[server(default)] stage: String,
    #[server(default)] owner: String,
    #[server(default)] state: String,
    #[server(default)] min: String,
    #[server(default)] max: String,
    #[server(default)] close_from: String,
    #[server(default)] close_to: String,
    #[server(default)] sort: String,
    #[server(default)] dir: String,
    #[server(default)] page: u32,
) -> Result<DealPage, AppError> {
    crate::error::respond(
        async {
            let (app, ctx) = pipeline_ctx(&slug).await?;
            let filter = super::server::DealFilter {
                q,
                stage,
                owner,
                state,
                min,
                max,
                close_from,
                close_to,
                sort,
                dir,
                page,
            };
            let locale = crate::validation::request_locale();
            super::server::list_deals(&app.db, &ctx, &filter, locale).await
        }
        .await,
    )
}

#[server(endpoint = "deals/get")]
pub async fn get_deal(slug: String, id: String) -> Result<DealDetail, AppError> {
    crate::error::respond(
        async {
            let (state, ctx) = pipeline_ctx(&slug).await?;
            super::server::get_deal(&state.db, &ctx, &id).await
        }
        .await,
    )
}

#[server(endpoint = "deals/save")]
pub async fn save_deal(
    slug: String,
    #[server(default)] id: String,
    title: String,
    lead_id: String,
    stage: String,
    value: String,
    #[server(default)] currency: String,
    #[server(default)] probability: String,
    #[server(default)] expected_close_at: String,
    #[server(default)] owner_id: String,
) -> Result<String, AppError> {
    crate::error::respond(
        async {
            let (state, ctx) = pipeline_ctx(&slug).await?;
            let input = super::server::DealInput {
                id,
                title,
                lead_id,
                stage,
                value,
                currency,
                probability,
                expected_close_at,
                owner_id,
            };
            let meta = crate::auth::server::request_meta(&state.settings);
            let locale = crate::validation::request_locale();
            super::server::save_deal(&state.db, &ctx, &input, locale, &meta).await
        }
        .await,
    )
}

/// Moves a deal to `stage` (the board's drag and drop, keyboard and select).
#[server(endpoint = "deals/move")]
pub async fn move_deal(slug: String, id: String, stage: String) -> Result<DealRow, AppError> {
    crate::error::respond(
        async {
            let (state, ctx) = pipeline_ctx(&slug).await?;
            let meta = crate::auth::server::request_meta(&state.settings);
            super::server::move_deal(&state.db, &ctx, &id, &stage, &meta).await
        }
        .await,
    )
}

#[server(endpoint = "deals/board")]
pub async fn get_board(
    slug: String,
    #[server(default)] q: String,
    #[server(default)] owner: String,
) -> Result<Board, AppError> {
    crate::error::respond(
        async {
            let (state, ctx) = pipeline_ctx(&slug).await?;
            super::server::board(&state.db, &ctx, &q, &owner).await
        }
        .await,
    )
}

#[server(endpoint = "deals/forecast")]
pub async fn get_forecast(slug: String) -> Result<Forecast, AppError> {
    crate::error::respond(
        async {
            let (state, ctx) = pipeline_ctx(&slug).await?;
            super::server::forecast(&state.db, &ctx).await
        }
        .await,
    )
}
