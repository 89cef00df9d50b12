//! Server functions of authentication.

use leptos::prelude::*;

use super::{CurrentUser, SignInFlash, SignInProblem};
use crate::error::AppError;

/// The signed-in user, or `None` for a guest.
#[server(endpoint = "auth/me")]
pub async fn get_current_user() -> Result<Option<CurrentUser>, AppError> {
    Ok(super::server::optional_user()?.as_ref().map(super::server::current_user_view))
}

/// What the sign-in page shows after a failed POST: the problem, the e-mail typed, the `next`
/// target. Present only while the POST handler renders the page; empty otherwise.
#[server(endpoint = "auth/flash")]
pub async fn get_sign_in_flash() -> Result<(Option<SignInProblem>, String, Option<String>), AppError> {
    let flash = use_context::<SignInFlash>().unwrap_or_default();
    Ok((flash.problem, flash.email, flash.next))
}
