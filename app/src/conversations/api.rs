//! Server functions of the conversations pages. Thin: the tenant context, one call of `server.rs`
//! (which scopes to the viewer: another agent's conversation is "not found").

use leptos::prelude::*;

use super::{ConversationDetail, ConversationPage};
use crate::error::AppError;

#[server(endpoint = "conversations/list")]
pub async fn list_conversations(
    slug: String,
    #[server(default)] agent: String,
    #[server(default)] channel: String,
    #[server(default)] sentiment: String,
    #[server(default)] page: u32,
) -> Result<ConversationPage, AppError> {
    let state = crate::state::AppState::current()?;
    crate::error::respond(
        async {
            let ctx = crate::auth::server::tenant_ctx(&state.db, &slug).await?;
            super::server::list(&state.db, &ctx, &agent, &channel, &sentiment, page).await
        }
        .await,
    )
}

#[server(endpoint = "conversations/get")]
pub async fn get_conversation(slug: String, id: String) -> Result<ConversationDetail, AppError> {
    let state = crate::state::AppState::current()?;
    crate::error::respond(
        async {
            let ctx = crate::auth::server::tenant_ctx(&state.db, &slug).await?;
            super::server::get(&state.db, &ctx, &id).await
        }
        .await,
    )
}
