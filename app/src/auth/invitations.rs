//! Invitations: a DIRECTOR (or staff) creates an INVITED user elsewhere (the users page) and calls
//! [`send_invitation`]; the person opens the link, sets a password, and is ACTIVE and signed in.
//!
//! The link's secret is never stored (only its SHA-256), lives seven days, is single-use, and a new
//! invitation of the same user replaces the previous link ("resend").

use chrono::Utc;
use db::SessionUser;
use domain::{CompanySlug, UserStatus};

use super::password;
use super::server::SignedIn;
use super::tokens::{LinkToken, TokenPurpose, hash_token, lookup_hash};
use super::{AccountProblem, InvitationView};
use crate::error::AppError;
use crate::mail::server::OutgoingMail;
use crate::mail::templates::{self, MailLanguage};
use crate::state::AppState;

/// Who is invited, and what the mail says about who invited them to where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitee {
    pub user_id: String,
    pub email: String,
    pub name: String,
    /// The invitee's `users.language` (`pt-BR` or `en`): the mail's language.
    pub language: String,
    pub company_name: String,
    pub inviter_name: String,
}

/// The path of an invitation link for a secret.
pub fn invitation_path(secret: &str) -> String {
    format!("/invite/{secret}")
}

/// Stores a fresh single-use token for the invitee (replacing any earlier one) and mails them the
/// link. The caller has checked that the acting user may invite, and that the invitee is INVITED.
pub async fn send_invitation(state: &AppState, invitee: &Invitee) -> Result<(), AppError> {
    let purpose = TokenPurpose::Invitation;
    let token = LinkToken::generate();
    state
        .db
        .lookups()
        .store_token(
            &purpose.identifier(&invitee.user_id),
            token.hash(),
            purpose.expires_from(Utc::now()),
        )
        .await?;
    let link = crate::mail::link(
        &state.settings.public_base_url,
        &invitation_path(token.secret()),
    );
    let content = templates::invitation(
        MailLanguage::from_code(&invitee.language),
        &templates::Invitation {
            name: &invitee.name,
            company_name: &invitee.company_name,
            inviter_name: &invitee.inviter_name,
            link: &link,
            valid_days: purpose.lifetime().num_days(),
        },
    );
    state
        .mailer
        .send(OutgoingMail {
            to_email: invitee.email.clone(),
            to_name: invitee.name.clone(),
            content,
        })
        .await?;
    tracing::info!(user_id = %invitee.user_id, "invitation sent");
    Ok(())
}

/// Who a live invitation link is for: `None` when the link is unknown, expired, used, or its
/// user is no longer INVITED (all the same "invalid or expired" page).
pub async fn invitation_view(
    state: &AppState,
    secret: &str,
) -> Result<Option<(SessionUser, InvitationView)>, AppError> {
    let Some(user) = invited_user(state, secret).await? else {
        return Ok(None);
    };
    let company = match user.company_slug.as_deref().map(CompanySlug::parse) {
        Some(Ok(slug)) => state.db.lookups().company_by_slug(&slug).await?,
        _ => None,
    };
    let view = InvitationView {
        name: user.name.clone(),
        email: user.email.clone(),
        company_name: company.map_or_else(|| "Performancy".to_owned(), |c| c.name),
    };
    Ok(Some((user, view)))
}

async fn invited_user(state: &AppState, secret: &str) -> Result<Option<SessionUser>, AppError> {
    let Some(hash) = lookup_hash(secret) else {
        return Ok(None);
    };
    let lookups = state.db.lookups();
    let Some(token) = lookups.peek_token(&hash).await? else {
        return Ok(None);
    };
    let Some(user_id) = TokenPurpose::Invitation.user_of(&token.identifier) else {
        return Ok(None);
    };
    Ok(lookups
        .session_user(user_id)
        .await?
        .filter(|u| u.status == UserStatus::Invited))
}

/// Uses an invitation: checks the new password, stores it, and makes the user ACTIVE. Returns the
/// user to sign in.
pub async fn accept_invitation(
    state: &AppState,
    secret: &str,
    password: &str,
    confirmation: &str,
) -> Result<SignedIn, AccountProblem> {
    let user = invited_user(state, secret)
        .await
        .map_err(unavailable)?
        .ok_or(AccountProblem::LinkInvalid)?;
    check_new_passwords(password, confirmation, &[&user.email, &user.name])?;
    let hash = password::hash_password(password.to_owned())
        .await
        .map_err(unavailable)?;
    let lookups = state.db.lookups();
    // The token is looked up again under lock: of two concurrent uses, one finds it gone.
    let accepted = lookups
        .accept_invitation(&hash_token(secret), &hash)
        .await
        .map_err(unavailable)?
        .ok_or(AccountProblem::LinkInvalid)?;
    let user = lookups
        .session_user(&accepted.user_id)
        .await
        .map_err(unavailable)?
        .ok_or(AccountProblem::LinkInvalid)?;
    tracing::info!(user_id = %user.id, "invitation accepted");
    Ok(SignedIn(user))
}

/// The new password and its confirmation, against the rules (with the user's own words, which make
/// a password guessable for them).
pub fn check_new_passwords(
    password: &str,
    confirmation: &str,
    context: &[&str],
) -> Result<(), AccountProblem> {
    password::check_new_password(password, context).map_err(AccountProblem::Password)?;
    if password != confirmation {
        return Err(AccountProblem::Mismatch);
    }
    Ok(())
}

/// Logs an internal failure (never shown) and answers "unavailable".
pub(crate) fn unavailable(err: impl std::fmt::Debug) -> AccountProblem {
    tracing::error!(error = ?err, "account link failed");
    AccountProblem::Unavailable
}
