//! Server functions of authentication.

use leptos::prelude::*;

use super::{AccountFlash, CurrentUser, InvitationView, ResetView, SignInProblem};
use crate::error::AppError;

/// The signed-in user, or `None` for a guest.
#[server(endpoint = "auth/me")]
pub async fn get_current_user() -> Result<Option<CurrentUser>, AppError> {
    Ok(super::server::optional_user()?
        .as_ref()
        .map(super::server::current_user_view))
}

/// What the sign-in page shows after a failed POST: the problem, the e-mail typed, the `next`
/// target. Present only while the POST handler renders the page; empty otherwise.
#[server(endpoint = "auth/flash")]
pub async fn get_sign_in_flash() -> Result<(Option<SignInProblem>, String, Option<String>), AppError>
{
    let flash = use_context::<super::SignInFlash>().unwrap_or_default();
    Ok((flash.problem, flash.email, flash.next))
}

/// Who an invitation link is for; `None` (answered 404) when it is invalid, expired or used.
#[server(endpoint = "auth/invitation")]
pub async fn get_invitation(token: String) -> Result<Option<InvitationView>, AppError> {
    let state = crate::state::AppState::current()?;
    let view = crate::error::respond(super::invitations::invitation_view(&state, &token).await)?;
    Ok(view.map(|(_, view)| view))
}

/// Whose password a reset link replaces; `None` when it is invalid, expired or used.
#[server(endpoint = "auth/reset-link")]
pub async fn get_reset_link(token: String) -> Result<Option<ResetView>, AppError> {
    let state = crate::state::AppState::current()?;
    crate::error::respond(super::reset::reset_view(&state, &token).await)
}

/// What the invitation and reset pages show after their form was posted and refused (or, for a
/// reset request, accepted). Present only while a POST handler renders the page.
#[server(endpoint = "auth/account-flash")]
pub async fn get_account_flash() -> Result<AccountFlash, AppError> {
    Ok(use_context::<AccountFlash>().unwrap_or_default())
}
