//! Password reset: "forgot password" mails a one-hour, single-use link to an ACTIVE account; the
//! link sets a new password, ends every other session (new security stamp) and signs the user in.
//!
//! The request never tells whether the e-mail has an account: the answer is the same, and so is
//! its timing, because the lookup, the token and the mail happen in a task spawned after the
//! answer is decided. Requests are throttled like sign-in, counted per e-mail (under a `reset:`
//! key of their own, so resets do not lock anyone out of signing in) and per client address.

use chrono::Utc;
use domain::UserStatus;

use super::invitations::{check_new_passwords, unavailable};
use super::password;
use super::server::{
    SignedIn, THROTTLE_MAX_PER_ADDRESS, THROTTLE_MAX_PER_EMAIL, THROTTLE_WINDOW_SECONDS,
    normalise_email,
};
use super::tokens::{LinkToken, TokenPurpose, hash_token, lookup_hash};
use super::{AccountProblem, ResetView};
use crate::error::AppError;
use crate::mail::server::OutgoingMail;
use crate::mail::templates::{self, MailLanguage};
use crate::state::AppState;

/// The path of a reset link for a secret.
pub fn reset_path(secret: &str) -> String {
    format!("/reset/{secret}")
}

/// The throttle key of reset requests for an e-mail.
fn throttle_key(email: &str) -> String {
    format!("reset:{email}")
}

/// Accepts a reset request: throttled, then answered the same way whatever the e-mail. The work
/// (lookup, token, mail) runs in a spawned task; its failures are logged, never shown.
pub async fn request_reset(
    state: &AppState,
    raw_email: &str,
    ip: Option<&str>,
) -> Result<(), AccountProblem> {
    let email = normalise_email(raw_email);
    let key = throttle_key(&email);
    let lookups = state.db.lookups();
    let throttle = lookups
        .throttle_status(
            &key,
            ip,
            THROTTLE_WINDOW_SECONDS,
            THROTTLE_MAX_PER_EMAIL,
            THROTTLE_MAX_PER_ADDRESS,
        )
        .await
        .map_err(unavailable)?;
    if throttle.blocked {
        let minutes = (throttle.retry_after_seconds.max(1) as u32).div_ceil(60);
        return Err(AccountProblem::Throttled { minutes });
    }
    lookups
        .record_sign_in_failure(&key, ip)
        .await
        .map_err(unavailable)?;
    let state = state.clone();
    tokio::spawn(async move {
        if let Err(err) = send_reset_link(&state, &email).await {
            tracing::error!(error = ?err, "password reset request failed");
        }
    });
    Ok(())
}

/// Mails a reset link when the e-mail belongs to an ACTIVE user; does nothing otherwise.
async fn send_reset_link(state: &AppState, email: &str) -> Result<(), AppError> {
    let lookups = state.db.lookups();
    let Some(user) = lookups
        .user_for_reset(email)
        .await?
        .filter(|u| u.status == UserStatus::Active)
    else {
        return Ok(());
    };
    let purpose = TokenPurpose::PasswordReset;
    let token = LinkToken::generate();
    lookups
        .store_token(
            &purpose.identifier(&user.id),
            token.hash(),
            purpose.expires_from(Utc::now()),
        )
        .await?;
    let link = crate::mail::link(&state.settings.public_base_url, &reset_path(token.secret()));
    let content = templates::password_reset(
        MailLanguage::from_code(&user.language),
        &templates::PasswordReset {
            name: &user.name,
            link: &link,
            valid_minutes: purpose.lifetime().num_minutes(),
        },
    );
    state
        .mailer
        .send(OutgoingMail {
            to_email: email.to_owned(),
            to_name: user.name.clone(),
            content,
        })
        .await?;
    tracing::info!(user_id = %user.id, "password reset link sent");
    Ok(())
}

/// Whose password a live reset link replaces; `None` when unknown, expired or used.
pub async fn reset_view(state: &AppState, secret: &str) -> Result<Option<ResetView>, AppError> {
    Ok(reset_user(state, secret)
        .await?
        .map(|user| ResetView { email: user.email }))
}

async fn reset_user(state: &AppState, secret: &str) -> Result<Option<db::SessionUser>, AppError> {
    let Some(hash) = lookup_hash(secret) else {
        return Ok(None);
    };
    let lookups = state.db.lookups();
    let Some(token) = lookups.peek_token(&hash).await? else {
        return Ok(None);
    };
    let Some(user_id) = TokenPurpose::PasswordReset.user_of(&token.identifier) else {
        return Ok(None);
    };
    Ok(lookups
        .session_user(user_id)
        .await?
        .filter(|u| u.status == UserStatus::Active))
}

/// Uses a reset link: checks the new password and stores it with a new security stamp (every
/// other session ends). Returns the user to sign in.
pub async fn complete_reset(
    state: &AppState,
    secret: &str,
    password: &str,
    confirmation: &str,
) -> Result<SignedIn, AccountProblem> {
    let user = reset_user(state, secret)
        .await
        .map_err(unavailable)?
        .ok_or(AccountProblem::LinkInvalid)?;
    check_new_passwords(password, confirmation, &[&user.email, &user.name])?;
    let hash = password::hash_password(password.to_owned())
        .await
        .map_err(unavailable)?;
    let lookups = state.db.lookups();
    let reset = lookups
        .reset_password(&hash_token(secret), &hash)
        .await
        .map_err(unavailable)?
        .ok_or(AccountProblem::LinkInvalid)?;
    let user = lookups
        .session_user(&reset.user_id)
        .await
        .map_err(unavailable)?
        .ok_or(AccountProblem::LinkInvalid)?;
    tracing::info!(user_id = %user.id, "password reset");
    Ok(SignedIn(user))
}
