//! Server functions of the import pages. Thin: the tenant context, one call of `server.rs`.

use leptos::prelude::*;

use super::{ImportLogView, UploadView};
use crate::error::AppError;

#[server(endpoint = "imports/upload")]
pub async fn get_upload(slug: String, id: String) -> Result<UploadView, AppError> {
    let state = crate::state::AppState::current()?;
    crate::error::respond(
        async {
            let ctx = crate::auth::server::tenant_ctx(&state.db, &slug).await?;
            super::server::get_upload(&state.db, &ctx, &id).await
        }
        .await,
    )
}

/// Saves the mapping (`targets[i]` for column i); with `import` set, also queues the import and
/// answers its log's id.
#[server(endpoint = "imports/mapping")]
pub async fn save_mapping(
    slug: String,
    id: String,
    #[server(default)] targets: Vec<String>,
    #[server(default)] import: String,
) -> Result<Option<String>, AppError> {
    let state = crate::state::AppState::current()?;
    crate::error::respond(
        async {
            let ctx = crate::auth::server::tenant_ctx(&state.db, &slug).await?;
            super::server::save_mapping(&state.db, &ctx, &id, &targets, !import.is_empty()).await
        }
        .await,
    )
}

/// Import logs, newest first; with `id`, that one with its refused rows.
#[server(endpoint = "imports/logs")]
pub async fn import_logs(
    slug: String,
    #[server(default)] id: String,
) -> Result<Vec<ImportLogView>, AppError> {
    let state = crate::state::AppState::current()?;
    crate::error::respond(
        async {
            let ctx = crate::auth::server::tenant_ctx(&state.db, &slug).await?;
            let only = (!id.is_empty()).then_some(id.as_str());
            super::server::logs(&state.db, &ctx, only).await
        }
        .await,
    )
}
