//! Server functions of the own profile. Thin: the state, one call into `server.rs`, the error
//! answered with its status.

use leptos::prelude::*;

use super::Profile;
use crate::error::AppError;

#[server(endpoint = "profile/get")]
pub async fn get_profile() -> Result<Profile, AppError> {
    let state = crate::state::AppState::current()?;
    crate::error::respond(super::server::load_profile(&state).await)
}

#[server(endpoint = "profile/save")]
pub async fn save_profile(
    name: String,
    avatar_url: String,
    linkedin: String,
    language: String,
) -> Result<Profile, AppError> {
    let state = crate::state::AppState::current()?;
    crate::error::respond(
        super::server::save_profile(&state, &name, &avatar_url, &linkedin, &language).await,
    )
}

#[server(endpoint = "profile/password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
    password_confirmation: String,
) -> Result<(), AppError> {
    let state = crate::state::AppState::current()?;
    crate::error::respond(
        super::server::change_password(
            &state,
            &current_password,
            &new_password,
            &password_confirmation,
        )
        .await,
    )
}

#[server(endpoint = "profile/sign-out-everywhere")]
pub async fn sign_out_everywhere() -> Result<(), AppError> {
    let state = crate::state::AppState::current()?;
    crate::error::respond(super::server::sign_out_everywhere(&state).await)
}
