//! The server's shared state, one value reached from axum handlers (`FromRef`) and from server
//! functions (Leptos context): the Leptos options, the database handle and the configuration the
//! pages need. No globals.

use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: db::Db,
    pub settings: Settings,
    /// SMTP, or the development outbox.
    pub mailer: crate::mail::server::Mailer,
    /// Seals and opens integration credentials (`INTEGRATION_KEYS`).
    pub keyring: std::sync::Arc<vault::Keyring>,
}

/// The part of the configuration that pages and handlers read.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Development mode: plain-HTTP cookies, the demo companies on the landing page, the
    /// development mail page.
    pub development: bool,
    /// `scheme://host[:port]` of the public base URL: what a same-origin request's `Origin` is.
    pub public_origin: String,
    /// The configured public base URL (no trailing slash): links in mails are built from it.
    pub public_base_url: String,
    /// Proxies whose `X-Forwarded-For` is believed; empty means the socket's address is the client.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Where the LLM providers' APIs are reached (a proxy, or a mock in tests); public when unset.
    pub ai_base_urls: AiBaseUrls,
}

/// Base URLs of the LLM APIs (`ANTHROPIC_BASE_URL`, `OPENAI_BASE_URL`, `GEMINI_BASE_URL`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AiBaseUrls {
    pub anthropic: Option<String>,
    pub openai: Option<String>,
    pub gemini: Option<String>,
}

impl AiBaseUrls {
    pub fn for_provider(&self, provider: analyser::llm::Provider) -> Option<&str> {
        match provider {
            analyser::llm::Provider::Anthropic => self.anthropic.as_deref(),
            analyser::llm::Provider::OpenAi => self.openai.as_deref(),
            analyser::llm::Provider::Gemini => self.gemini.as_deref(),
        }
    }
}

impl AppState {
    /// Provides what pages and server functions of one request read from the Leptos context: the
    /// state, the auth session, and a fresh CSP nonce for the scripts.
    pub fn provide_request_context(&self, auth: Option<crate::auth::server::AuthSession>) {
        leptos::prelude::provide_context(self.clone());
        if let Some(auth) = auth {
            leptos::prelude::provide_context(auth);
        }
        leptos::nonce::provide_nonce();
    }

    /// The state of the current request, inside a server function or a page resource.
    pub fn current() -> Result<Self, crate::error::AppError> {
        leptos::prelude::use_context::<AppState>().ok_or_else(|| {
            tracing::error!("AppState missing from the Leptos context");
            crate::error::AppError::Internal
        })
    }
}
