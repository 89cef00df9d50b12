//! Why a page could not be read, and what a person should do about it.
//!
//! Messages name the provider, the HTTP status and the provider's error *code* (`INVALID_TOKEN`,
//! `MISSING_SCOPES`…), never its message text or a URL: those can quote the request, and the
//! request can carry a token. [`ConnectionProblem`] is the same news for a director, as a value the
//! UI translates (pt-BR and English) by its [`code`](ConnectionProblem::code).

use std::time::Duration;

use crate::{Object, Provider};

/// Why a call to a CRM failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CrmError {
    #[error(
        "{provider} refused the stored credentials (HTTP {status}{}): reconnect the integration with a valid token",
        code_suffix(code)
    )]
    Unauthorized {
        provider: Provider,
        status: u16,
        code: Option<String>,
    },
    #[error(
        "{provider} refused the stored refresh token{}: reconnect the integration (authorise the app again)",
        code_suffix(code)
    )]
    RefreshRejected {
        provider: Provider,
        code: Option<String>,
    },
    #[error(
        "{provider} denied access (HTTP {status}{}): the connected user or app lacks the permission or scope to read leads and deals",
        code_suffix(code)
    )]
    Forbidden {
        provider: Provider,
        status: u16,
        code: Option<String>,
    },
    #[error(
        "{provider} answered not found (HTTP 404{}): check the account domain, instance or API address of the integration",
        code_suffix(code)
    )]
    NotFound {
        provider: Provider,
        code: Option<String>,
    },
    #[error(
        "{provider} rejected the request (HTTP {status}{}): check the integration's settings",
        code_suffix(code)
    )]
    Rejected {
        provider: Provider,
        status: u16,
        code: Option<String>,
    },
    #[error(
        "{provider} kept limiting the request rate{}: the sync will go on in a later run",
        wait_suffix(retry_after)
    )]
    RateLimited {
        provider: Provider,
        /// How long the provider asked to wait, when it said.
        retry_after: Option<Duration>,
    },
    #[error("{provider} failed with HTTP {status} even after retries: try again later")]
    ServerError { provider: Provider, status: u16 },
    #[error("could not connect to {provider}")]
    Unreachable { provider: Provider },
    #[error("{provider} did not answer within the timeout")]
    Timeout { provider: Provider },
    #[error("the request to {provider} failed: {detail}")]
    Transport { provider: Provider, detail: String },
    #[error("{provider} answered in an unexpected shape: {detail}")]
    InvalidResponse { provider: Provider, detail: String },
    #[error("{provider}'s paging position has expired: start the sync again from the beginning")]
    CursorExpired { provider: Provider },
    #[error("the stored sync cursor does not belong to this {provider} integration and {object}")]
    InvalidCursor { provider: Provider, object: Object },
    #[error("{host} is a {reason} address; outbound requests may only go to public addresses")]
    AddressNotAllowed { host: String, reason: &'static str },
    #[error("the integration is misconfigured: {what}")]
    InvalidConfig { what: String },
    #[error("the custom API has no address configured for {object}")]
    ObjectNotConfigured { object: Object },
}

fn code_suffix(code: &Option<String>) -> String {
    code.as_deref()
        .map(|c| format!(", {c}"))
        .unwrap_or_default()
}

fn wait_suffix(retry_after: &Option<Duration>) -> String {
    retry_after
        .map(|d| format!(" (it asked to wait {} s)", d.as_secs()))
        .unwrap_or_default()
}

impl CrmError {
    pub(crate) fn config(what: impl Into<String>) -> Self {
        CrmError::InvalidConfig { what: what.into() }
    }

    pub(crate) fn invalid_response(provider: Provider, detail: impl Into<String>) -> Self {
        CrmError::InvalidResponse {
            provider,
            detail: detail.into(),
        }
    }
}

/// What is wrong with an integration, for the person who set it up. The UI shows the sentence of
/// its [`code`](ConnectionProblem::code) in the user's language; the doc of each variant is that
/// sentence in English.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConnectionProblem {
    /// The CRM did not accept the key or login: it may be wrong, revoked or expired. Connect the
    /// integration again.
    CredentialsRejected,
    /// The connected user or app may not read leads and deals. Ask the CRM administrator for
    /// that permission, then connect again.
    PermissionMissing,
    /// The CRM account, domain or address was not found. Check it in the integration settings.
    AccountNotFound,
    /// The address points to a private or internal network, which is not allowed. Use the
    /// API's public address.
    AddressNotAllowed,
    /// The CRM is limiting how often we may call it. Try again in a few minutes.
    RateLimited,
    /// The CRM is having problems right now. Try again later.
    ProviderUnavailable,
    /// The CRM could not be reached. Check the address and try again.
    Unreachable,
    /// The CRM answered something we could not read. Check the settings (for a custom API: the
    /// paths to the records and fields).
    UnexpectedAnswer,
    /// Something in the integration settings is missing or invalid.
    Misconfigured,
}

impl ConnectionProblem {
    pub const ALL: [ConnectionProblem; 9] = [
        ConnectionProblem::CredentialsRejected,
        ConnectionProblem::PermissionMissing,
        ConnectionProblem::AccountNotFound,
        ConnectionProblem::AddressNotAllowed,
        ConnectionProblem::RateLimited,
        ConnectionProblem::ProviderUnavailable,
        ConnectionProblem::Unreachable,
        ConnectionProblem::UnexpectedAnswer,
        ConnectionProblem::Misconfigured,
    ];

    /// A stable key for the UI's translations (`crm.problem.<code>`).
    pub const fn code(self) -> &'static str {
        match self {
            ConnectionProblem::CredentialsRejected => "credentials_rejected",
            ConnectionProblem::PermissionMissing => "permission_missing",
            ConnectionProblem::AccountNotFound => "account_not_found",
            ConnectionProblem::AddressNotAllowed => "address_not_allowed",
            ConnectionProblem::RateLimited => "rate_limited",
            ConnectionProblem::ProviderUnavailable => "provider_unavailable",
            ConnectionProblem::Unreachable => "unreachable",
            ConnectionProblem::UnexpectedAnswer => "unexpected_answer",
            ConnectionProblem::Misconfigured => "misconfigured",
        }
    }
}

impl From<&CrmError> for ConnectionProblem {
    fn from(error: &CrmError) -> Self {
        match error {
            CrmError::Unauthorized { .. } | CrmError::RefreshRejected { .. } => {
                ConnectionProblem::CredentialsRejected
            }
            CrmError::Forbidden { .. } => ConnectionProblem::PermissionMissing,
            CrmError::NotFound { .. } => ConnectionProblem::AccountNotFound,
            CrmError::AddressNotAllowed { .. } => ConnectionProblem::AddressNotAllowed,
            CrmError::RateLimited { .. } => ConnectionProblem::RateLimited,
            CrmError::ServerError { .. } => ConnectionProblem::ProviderUnavailable,
            CrmError::Unreachable { .. }
            | CrmError::Timeout { .. }
            | CrmError::Transport { .. } => ConnectionProblem::Unreachable,
            CrmError::InvalidResponse { .. } => ConnectionProblem::UnexpectedAnswer,
            CrmError::Rejected { .. }
            | CrmError::CursorExpired { .. }
            | CrmError::InvalidCursor { .. }
            | CrmError::InvalidConfig { .. }
            | CrmError::ObjectNotConfigured { .. } => ConnectionProblem::Misconfigured,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_provider_and_code_and_what_to_do() {
        let error = CrmError::Unauthorized {
            provider: Provider::Zoho,
            status: 401,
            code: Some("OAUTH_SCOPE_MISMATCH".into()),
        };
        assert_eq!(
            error.to_string(),
            "Zoho CRM refused the stored credentials (HTTP 401, OAUTH_SCOPE_MISMATCH): reconnect the integration with a valid token"
        );
        let limited = CrmError::RateLimited {
            provider: Provider::Pipedrive,
            retry_after: Some(Duration::from_secs(3600)),
        };
        assert!(limited.to_string().contains("asked to wait 3600 s"));
        assert_eq!(
            ConnectionProblem::from(&limited),
            ConnectionProblem::RateLimited
        );
    }

    #[test]
    fn every_problem_has_its_own_code() {
        let mut codes: Vec<_> = ConnectionProblem::ALL.iter().map(|p| p.code()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), ConnectionProblem::ALL.len());
    }
}
