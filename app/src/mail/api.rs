//! Server functions of mail.

use leptos::prelude::*;

use super::DevMail;
use crate::error::AppError;

/// The development outbox, newest first. "Not found" outside development.
#[server(endpoint = "dev/mail")]
pub async fn list_dev_mail() -> Result<Vec<DevMail>, AppError> {
    let state = crate::state::AppState::current()?;
    crate::error::respond(super::server::dev_mails(&state))
}
