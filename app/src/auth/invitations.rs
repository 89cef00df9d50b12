//! Invitations: a DIRECTOR (or staff) creates an INVITED user elsewhere (the users page) and calls
//! [`send_invitation`]; the person opens the link, sets a password, and is ACTIVE and signed in.
//!
//! The link's secret is never stored (only its SHA-256), lives seven days, is single-use, and a new
//! invitation of the same user replaces the previous link ("resend").

use chrono::Utc;

use super::tokens::{LinkToken, TokenPurpose};
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
        .store_token(&purpose.identifier(&invitee.user_id), token.hash(), purpose.expires_from(Utc::now()))
        .await?;
    let link = crate::mail::link(&state.settings.public_base_url, &invitation_path(token.secret()));
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
    state.mailer.send(OutgoingMail { to_email: invitee.email.clone(), to_name: invitee.name.clone(), content }).await?;
    tracing::info!(user_id = %invitee.user_id, "invitation sent");
    Ok(())
}
