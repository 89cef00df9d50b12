//! Server functions of the shell. Thin: read the state, call `server.rs`, map the error.

use leptos::prelude::*;

use super::{LandingInfo, TenantShell};
use crate::error::AppError;

/// The header facts of the company at `slug` for a page of `area` (its URL segment; empty for the
/// dashboard): "not found" outside the user's companies, "forbidden" for an area their role may
/// never use.
#[server(endpoint = "shell/tenant")]
pub async fn get_tenant_shell(slug: String, area: String) -> Result<TenantShell, AppError> {
    let state = crate::state::AppState::current()?;
    crate::error::respond(super::server::load_tenant_shell(&state, &slug, &area).await)
}

#[server(endpoint = "shell/landing")]
pub async fn get_landing_info() -> Result<LandingInfo, AppError> {
    let state = crate::state::AppState::current()?;
    Ok(super::server::landing_info(&state.settings))
}
