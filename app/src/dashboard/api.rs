//! Server functions of the ranking. Thin: the tenant context, one call of `server.rs`.

use leptos::prelude::*;

use super::Ranking;
use crate::error::AppError;

/// Agents ranked by revenue won from `from` to `to` (`YYYY-MM-DD`, the company's days; this month
/// when empty), then by deals won.
#[server(endpoint = "ranking")]
pub async fn get_ranking(
    slug: String,
    #[server(default)] from: String,
    #[server(default)] to: String,
) -> Result<Ranking, AppError> {
    let state = crate::state::AppState::current()?;
    crate::error::respond(
        async {
            let ctx = crate::auth::server::tenant_ctx(&state.db, &slug).await?;
            super::server::ranking(&state.db, &ctx, &from, &to).await
        }
        .await,
    )
}
