//! A connection test for the integrations page: one cheap call that bills nothing — the provider's
//! "retrieve model" endpoint with the configured key — and what its answer means in words a
//! director can act on.

use reqwest::StatusCode;

use super::LlmAnalyser;
use super::config::Provider;
use super::http::CallError;
use super::{anthropic, gemini, openai};

/// Why a connection test failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ConnectionProblem {
    #[error("the provider refused the API key")]
    Unauthorized,
    #[error("the provider does not know the model")]
    UnknownModel,
    #[error("the provider is limiting requests")]
    RateLimited,
    #[error("the account's quota or credit is used up")]
    QuotaExhausted,
    #[error("the provider could not be reached or answered unexpectedly")]
    Unreachable,
}

impl LlmAnalyser {
    /// Asks the provider for the configured model with the configured key (OpenAI and Anthropic
    /// `GET /v1/models/{model}`, Gemini `GET /v1beta/models/{model}`). Not retried: a person is
    /// waiting for the answer.
    pub async fn check_connection(&self) -> Result<(), ConnectionProblem> {
        let config = &self.config;
        let model = config
            .model
            .strip_prefix("models/")
            .unwrap_or(&config.model);
        let url = match config.provider {
            Provider::OpenAi | Provider::Anthropic => {
                format!("{}/v1/models/{model}", config.base_url)
            }
            Provider::Gemini => format!("{}/v1beta/models/{model}", config.base_url),
        };
        let (name, value) = &self.auth;
        let mut request = self.client.get(url).header(name.clone(), value.clone());
        if config.provider == Provider::Anthropic {
            request = request.header("anthropic-version", anthropic::API_VERSION);
        }
        let response = request
            .send()
            .await
            .map_err(|_| ConnectionProblem::Unreachable)?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let headers = response.headers().clone();
        let body = response.bytes().await.unwrap_or_default();
        match status {
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => {
                return Err(ConnectionProblem::Unauthorized);
            }
            StatusCode::NOT_FOUND => return Err(ConnectionProblem::UnknownModel),
            // Gemini answers a key it does not know with 400 API_KEY_INVALID.
            StatusCode::BAD_REQUEST if config.provider == Provider::Gemini => {
                return Err(ConnectionProblem::Unauthorized);
            }
            _ => {}
        }
        let failure = match config.provider {
            Provider::Anthropic => anthropic::classify_failure(status, &headers, &body),
            Provider::OpenAi => openai::classify_failure(status, &headers, &body),
            Provider::Gemini => gemini::classify_failure(status, &headers, &body),
        };
        Err(match failure {
            CallError::Throttled { .. } => ConnectionProblem::RateLimited,
            CallError::QuotaExhausted { .. } => ConnectionProblem::QuotaExhausted,
            _ => ConnectionProblem::Unreachable,
        })
    }
}
