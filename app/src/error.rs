//! The app's one error type: what a server function can tell the browser.
//!
//! Internal causes (a database outage, a bug) are logged on the server with their chain and the
//! request id, and cross the wire only as `Unavailable` / `Internal`: the browser never sees SQL,
//! stack traces or constraint names.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// No session, or an expired one: the browser sends the user to sign in and back.
    #[error("unauthorized")]
    Unauthorized,
    /// Absent, or out of the caller's scope: the two are indistinguishable on purpose.
    #[error("not found")]
    NotFound,
    /// A page or action the caller's role may never use.
    #[error("forbidden")]
    Forbidden,
    /// Input that failed validation; the message is for the user, in their language.
    #[error("invalid input: {0}")]
    Invalid(String),
    /// A dependency (the database) is down; retrying later may work.
    #[error("service unavailable")]
    Unavailable,
    #[error("internal error")]
    Internal,
}

impl AppError {
    pub fn status(&self) -> http::StatusCode {
        match self {
            AppError::Unauthorized => http::StatusCode::UNAUTHORIZED,
            AppError::NotFound => http::StatusCode::NOT_FOUND,
            AppError::Forbidden => http::StatusCode::FORBIDDEN,
            AppError::Invalid(_) => http::StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Unavailable => http::StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal => http::StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Request(_) | ServerFnErrorErr::Response(_) => AppError::Unavailable,
            _ => AppError::Internal,
        }
    }
}

#[cfg(feature = "ssr")]
impl From<db::DbError> for AppError {
    fn from(err: db::DbError) -> Self {
        tracing::error!(error = ?err, "database call failed");
        AppError::Unavailable
    }
}

#[cfg(feature = "ssr")]
impl AppError {
    /// Sets the HTTP status of the page or server-function response to this error's.
    pub fn set_response_status(&self) {
        if let Some(options) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            options.set_status(self.status());
        }
    }
}

/// The last step of every server function: an error answers with its own HTTP status (404, 403,
/// 422…) instead of a generic 500, so clients and tests see what happened.
#[cfg(feature = "ssr")]
pub fn respond<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    if let Err(err) = &result {
        err.set_response_status();
    }
    result
}
