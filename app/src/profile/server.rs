//! Server side of the own profile: reading and saving it, the password change, and signing out
//! everywhere. Every function acts on the signed-in user and nobody else.

use axum::http::{HeaderValue, header};
use db::{Origin, ProfileUpdate, SessionUser};

use super::{Profile, check_profile, invalid};
use crate::audit::server::RequestMeta;
use crate::auth::invitations::check_new_passwords;
use crate::auth::password::{self, Verified};
use crate::auth::server::{
    SignedIn, THROTTLE_MAX_PER_ADDRESS, THROTTLE_MAX_PER_EMAIL, THROTTLE_WINDOW_SECONDS,
    auth_session, home_of, normalise_email, require_user,
};
use crate::auth::{AccountProblem, PasswordRule};
use crate::error::AppError;
use crate::state::AppState;

fn origin(meta: &RequestMeta) -> Origin<'_> {
    Origin {
        ip: meta.ip.as_deref(),
        user_agent: meta.user_agent.as_deref(),
    }
}

pub async fn load_profile(state: &AppState) -> Result<Profile, AppError> {
    let user = require_user()?;
    profile_of(state, &user).await
}

async fn profile_of(state: &AppState, user: &SessionUser) -> Result<Profile, AppError> {
    let own = state
        .db
        .lookups()
        .own_profile(&user.id)
        .await?
        .ok_or(AppError::Unauthorized)?;
    Ok(Profile {
        name: own.name,
        email: own.email,
        avatar_url: own.avatar_url.unwrap_or_default(),
        linkedin: own.linkedin.unwrap_or_default(),
        language: own.language,
        home: home_of(user),
    })
}

/// Saves the profile (audited with what changed). A new language also sets the interface's
/// locale cookie, so every page speaks it from the next render on.
pub async fn save_profile(
    state: &AppState,
    name: &str,
    avatar_url: &str,
    linkedin: &str,
    language: &str,
) -> Result<Profile, AppError> {
    let user = require_user()?;
    let valid = check_profile(name, avatar_url, linkedin, language)?;
    let meta = crate::auth::server::request_meta(&state.settings);
    let update = ProfileUpdate {
        name: &valid.name,
        avatar_url: valid.avatar_url.as_deref(),
        linkedin: valid.linkedin.as_deref(),
        language: &valid.language,
    };
    let changed = state
        .db
        .lookups()
        .update_own_profile(&user.id, &update, origin(&meta))
        .await?;
    if changed && valid.language != user.language {
        set_locale_cookie(&valid.language);
    }
    profile_of(state, &user).await
}

fn set_locale_cookie(language: &str) {
    let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() else {
        return;
    };
    match HeaderValue::from_str(&crate::auth::links::locale_cookie(language)) {
        Ok(cookie) => response.append_header(header::SET_COOKIE, cookie),
        Err(err) => tracing::error!(error = %err, "invalid locale cookie"),
    }
}

/// The throttle key of current-password checks for an e-mail (apart from sign-in's).
fn throttle_key(email: &str) -> String {
    format!("password:{}", normalise_email(email))
}

/// A new password, with the current one: every other session ends (new security stamp), this one
/// goes on under the new stamp. Audited as PASSWORD_CHANGED.
pub async fn change_password(
    state: &AppState,
    current: &str,
    new: &str,
    confirmation: &str,
) -> Result<(), AppError> {
    let user = require_user()?;
    let meta = crate::auth::server::request_meta(&state.settings);
    let lookups = state.db.lookups();
    let key = throttle_key(&user.email);
    let throttle = lookups
        .throttle_status(
            &key,
            meta.ip.as_deref(),
            THROTTLE_WINDOW_SECONDS,
            THROTTLE_MAX_PER_EMAIL,
            THROTTLE_MAX_PER_ADDRESS,
        )
        .await?;
    if throttle.blocked {
        return Err(invalid("current_password", "throttled"));
    }
    let stored = lookups
        .user_for_sign_in(&user.email)
        .await?
        .and_then(|u| u.password_hash);
    let verified = password::verify_password(current.to_owned(), stored)
        .await
        .map_err(internal)?;
    if verified == Verified::No {
        lookups
            .record_sign_in_failure(&key, meta.ip.as_deref())
            .await?;
        return Err(invalid("current_password", "wrong"));
    }
    check_new_passwords(new, confirmation, &[&user.email, &user.name]).map_err(|problem| {
        match problem {
            AccountProblem::Password(PasswordRule::TooShort) => {
                invalid("new_password", "too_short")
            }
            AccountProblem::Password(PasswordRule::TooLong) => invalid("new_password", "too_long"),
            AccountProblem::Password(PasswordRule::TooCommon) => {
                invalid("new_password", "too_common")
            }
            _ => invalid("password_confirmation", "mismatch"),
        }
    })?;
    let hash = password::hash_password(new.to_owned())
        .await
        .map_err(internal)?;
    lookups
        .change_own_password(&user.id, &hash, origin(&meta))
        .await?
        .ok_or(AppError::Unauthorized)?;
    lookups.clear_email_failures(&key).await?;
    // This session carries the old stamp: sign it in again under the new one, so it is the one
    // session that goes on.
    let refreshed = lookups
        .session_user(&user.id)
        .await?
        .ok_or(AppError::Unauthorized)?;
    let mut auth = auth_session()?;
    auth.login(&SignedIn(refreshed)).await.map_err(|err| {
        tracing::error!(error = ?err, "could not keep the session after a password change");
        AppError::Unavailable
    })?;
    tracing::info!(user_id = %user.id, "password changed");
    Ok(())
}

/// Ends every session of the user, this one included, and sends them to sign in.
pub async fn sign_out_everywhere(state: &AppState) -> Result<(), AppError> {
    let user = require_user()?;
    let meta = crate::auth::server::request_meta(&state.settings);
    state
        .db
        .lookups()
        .sign_out_everywhere(&user.id, origin(&meta))
        .await?;
    let mut auth = auth_session()?;
    if let Err(err) = auth.logout().await {
        tracing::error!(error = ?err, "sign-out failed");
    }
    if let Err(err) = auth.session.flush().await {
        tracing::error!(error = ?err, "could not delete the session");
    }
    tracing::info!(user_id = %user.id, "signed out everywhere");
    leptos_axum::redirect("/login");
    Ok(())
}

fn internal(err: impl std::fmt::Debug) -> AppError {
    tracing::error!(error = ?err, "password hashing failed");
    AppError::Internal
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_checks_are_counted_apart_from_sign_in() {
        assert_eq!(throttle_key(" Ana@Acme.test"), "password:ana@acme.test");
    }
}
