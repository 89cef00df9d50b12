//! Server functions of the audit log page.

use leptos::prelude::*;

use super::AuditPage;
use crate::error::AppError;

/// One page of the company's audit log, for a DIRECTOR or staff. Empty filters mean "any"; dates
/// are `YYYY-MM-DD` in the company's time zone, both inclusive.
#[allow(clippy::too_many_arguments)]
#[server(endpoint = "audit/list")]
pub async fn list_audit(
    slug: String,
    #[server(default)] user_id: String,
    #[server(default)] entity_type: String,
    #[server(default)] action: String,
    #[server(default)] from: String,
    #[server(default)] to: String,
    #[server(default)] page: u32,
) -> Result<AuditPage, AppError> {
    use crate::policy::{Action, Ownership, Resource, allows};
    let state = crate::state::AppState::current()?;
    crate::error::respond(
        async {
            let ctx = crate::auth::server::tenant_ctx(&state.db, &slug).await?;
            if !allows(
                ctx.role(),
                Action::Read,
                Resource::AuditLog,
                Ownership::Other,
            ) {
                return Err(AppError::Forbidden);
            }
            let filter = super::server::AuditFilter {
                user_id,
                entity_type,
                action,
                from,
                to,
                page,
            };
            super::server::list(&state, &ctx, &filter).await
        }
        .await,
    )
}
