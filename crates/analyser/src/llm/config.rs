//! Which provider and model to call, with which key, and how patiently.
//!
//! The key is its own type so that no `Debug`, log line or error message can print it: the only way
//! to read it is [`ApiKey::expose`], called where the request header is set.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// An LLM provider, as named in the `ai_usage.provider` column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    Anthropic,
    OpenAi,
    Gemini,
}

impl Provider {
    pub const ALL: [Provider; 3] = [Provider::Anthropic, Provider::OpenAi, Provider::Gemini];

    /// The name stored in `ai_usage.provider`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Provider::Anthropic => "anthropic",
            Provider::OpenAi => "openai",
            Provider::Gemini => "gemini",
        }
    }

    /// The public API's address; tests and proxies replace it with [`LlmConfig::base_url`].
    pub const fn default_base_url(self) -> &'static str {
        match self {
            Provider::Anthropic => "https://api.anthropic.com",
            Provider::OpenAi => "https://api.openai.com",
            Provider::Gemini => "https://generativelanguage.googleapis.com",
        }
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A provider name that is none of anthropic, openai or gemini.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not an LLM provider (expected anthropic, openai or gemini)")]
pub struct UnknownProvider(pub String);

impl FromStr for Provider {
    type Err = UnknownProvider;

    /// Case-insensitive, so a configuration can say "OpenAI" or the `integration_provider` value
    /// "OPENAI".
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Provider::ALL
            .into_iter()
            .find(|p| p.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| UnknownProvider(s.to_owned()))
    }
}

/// A provider's API key. It has no default, no `Display`, and its `Debug` says only that it is
/// there.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    pub fn new(key: impl Into<String>) -> Self {
        Self(key.into())
    }

    /// The key itself, for the one header that carries it.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }

    pub(crate) fn is_blank(&self) -> bool {
        self.0.trim().is_empty()
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey([redacted])")
    }
}

/// One company's LLM integration: provider, model, key, where to reach it and how long to wait.
#[derive(Debug, Clone)]
pub struct LlmConfig {
    pub provider: Provider,
    /// The provider's model id, e.g. `gpt-4o-mini`, `claude-haiku-4-5`, `gemini-2.5-flash`; also the
    /// key of its price in the [`PriceTable`](super::PriceTable).
    pub model: String,
    pub api_key: ApiKey,
    /// Scheme, host and optional path prefix, without the API's own path (`/v1/messages`...).
    pub base_url: String,
    pub connect_timeout: Duration,
    /// For one whole request, answer included: a long call's analysis takes a model tens of seconds
    /// to write.
    pub request_timeout: Duration,
    /// The answer's length limit. An analysis of a long call with its quotes runs to a few thousand
    /// tokens, and thinking models spend part of the same budget before they write it.
    pub max_output_tokens: u32,
}

impl LlmConfig {
    /// The provider's public API with the usual timeouts.
    pub fn new(provider: Provider, model: impl Into<String>, api_key: ApiKey) -> Self {
        Self {
            provider,
            model: model.into(),
            api_key,
            base_url: provider.default_base_url().to_owned(),
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(180),
            max_output_tokens: 16_000,
        }
    }
}

/// How a request the provider turned away for load (HTTP 429, Anthropic's 529, 503) is tried again:
/// exponential backoff from `base_delay`, doubled each time, with random jitter, never longer than
/// `max_delay`, but never shorter than the delay the provider asked for (itself capped at
/// `max_delay`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Requests in all, the first included; 0 and 1 both mean one request, never retried.
    pub max_attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
}

impl RetryPolicy {
    /// One attempt and no retry: for a person waiting on a button.
    pub const fn none() -> Self {
        Self {
            max_attempts: 1,
            base_delay: Duration::ZERO,
            max_delay: Duration::ZERO,
        }
    }
}

impl Default for RetryPolicy {
    /// Four attempts over roughly half a minute, or longer when the provider asks: enough for a
    /// per-minute limit to reset, short enough for a background job.
    fn default() -> Self {
        Self {
            max_attempts: 4,
            base_delay: Duration::from_secs(2),
            max_delay: Duration::from_secs(60),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_config_debug_output_never_shows_the_key() {
        let config = LlmConfig::new(
            Provider::OpenAi,
            "gpt-4o-mini",
            ApiKey::new("sk-live-very-secret"),
        );
        let shown = format!("{config:?}");
        assert!(!shown.contains("very-secret"), "{shown}");
        assert!(shown.contains("ApiKey([redacted])"), "{shown}");
        assert!(shown.contains("gpt-4o-mini"), "{shown}");
    }

    #[test]
    fn providers_are_named_as_the_ai_usage_column_stores_them() {
        let names: Vec<&str> = Provider::ALL.iter().map(|p| p.as_str()).collect();
        assert_eq!(names, ["anthropic", "openai", "gemini"]);
        assert_eq!("OPENAI".parse::<Provider>(), Ok(Provider::OpenAi));
        assert_eq!(" Gemini ".parse::<Provider>(), Ok(Provider::Gemini));
        assert!("mistral".parse::<Provider>().is_err());
        assert_eq!(
            serde_json::to_string(&Provider::OpenAi).expect("serialises"),
            "\"openai\""
        );
    }
}
