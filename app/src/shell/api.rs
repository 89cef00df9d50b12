//! Server functions of the shell. Thin: read the state, call `server.rs`, map the error.

use leptos::prelude::*;

use super::{LandingInfo, TenantShell};
use crate::error::AppError;

/// The header facts of the company at `slug`, or "not found".
#[server(endpoint = "shell/tenant")]
pub async fn get_tenant_shell(slug: String) -> Result<TenantShell, AppError> {
    let state = crate::state::AppState::current()?;
    super::server::load_tenant_shell(&state, &slug).await
}

#[server(endpoint = "shell/landing")]
pub async fn get_landing_info() -> Result<LandingInfo, AppError> {
    let state = crate::state::AppState::current()?;
    Ok(super::server::landing_info(&state.settings))
}
