//! One request to a provider, sent again when — and only when — sending it again can help.
//!
//! Retried:
//! - the provider saying "slow down" or "busy": HTTP 429 (except quota exhaustion, below), Anthropic's
//!   529 `overloaded_error`, and 503 (OpenAI "slow down"/overloaded, Gemini `UNAVAILABLE`), with
//!   capped exponential backoff and jitter ([`RetryPolicy`]), waiting at least what the provider
//!   asked for (`retry-after`, `retry-after-ms`, Gemini's `RetryInfo.retryDelay`);
//! - a connection that could not be made, once: the request never left, so it cannot be billed twice.
//!
//! Not retried:
//! - quota, credit or spend exhausted (each provider's signal is in its module): it does not come
//!   back within a job's patience, and every retry would fail the same way;
//! - any other 4xx (bad request, bad key, no permission, unknown model): the same request fails the
//!   same way;
//! - 500 and other 5xx: the job keeps the built-in analysis and the conversation can be analysed
//!   again later, rather than hammering a failing service;
//! - a timeout after the request was sent: the provider may have done (and billed) the work.

use std::time::{Duration, SystemTime};

use backon::{ExponentialBuilder, Retryable};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{Client, StatusCode};

use super::config::{LlmConfig, Provider, RetryPolicy};
use super::prompt::Messages;
use super::usage::Usage;
use super::{anthropic, gemini, openai};

/// What a provider sent back with a 2xx status.
#[derive(Debug)]
pub(crate) struct Exchange {
    /// The usage block, when the response had one.
    pub usage: Option<Usage>,
    /// The answer's text, or why there is none to read (cut off, refused, not the API's JSON).
    pub text: Result<String, String>,
}

/// Why a request got no answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CallError {
    /// Rate limited or overloaded: retried.
    Throttled {
        status: u16,
        retry_after: Option<Duration>,
    },
    /// The account's quota, credit or spend limit is used up.
    QuotaExhausted { status: u16, code: String },
    /// Any other error status. `code` is the provider's error type or status name, never its
    /// message, which may quote the request.
    Rejected { status: u16, code: Option<String> },
    /// No connection could be made.
    Connect,
    /// Sent, but no complete answer within the timeout.
    Timeout,
    /// Any other transport failure, described without its URL.
    Transport(String),
}

impl CallError {
    fn from_transport(error: reqwest::Error) -> Self {
        if error.is_connect() {
            CallError::Connect
        } else if error.is_timeout() {
            CallError::Timeout
        } else {
            CallError::Transport(error.without_url().to_string())
        }
    }

    /// For the outcome's note; names the provider, never the request.
    pub(crate) fn describe(&self, provider: Provider) -> String {
        match self {
            CallError::Throttled { status, .. } => {
                format!("{provider} kept refusing the request for load (HTTP {status})")
            }
            CallError::QuotaExhausted { status, code } => format!(
                "{provider} says the account's quota or credit is used up (HTTP {status}, {code})"
            ),
            CallError::Rejected { status, code } => match code {
                Some(code) => format!("{provider} rejected the request (HTTP {status}, {code})"),
                None => format!("{provider} rejected the request (HTTP {status})"),
            },
            CallError::Connect => format!("could not connect to {provider}"),
            CallError::Timeout => format!("{provider} did not answer within the timeout"),
            CallError::Transport(what) => format!("the request to {provider} failed: {what}"),
        }
    }
}

/// The longest delay read from a header or body, so a garbled value cannot park a job for a year
/// before the policy's cap applies.
const LONGEST_SERVER_DELAY: Duration = Duration::from_secs(24 * 3600);

/// `retry-after-ms` (OpenAI) or `retry-after`, in seconds or as an HTTP date.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let text = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    if let Some(ms) = text("retry-after-ms").and_then(|v| v.parse::<f64>().ok()) {
        return seconds(ms / 1000.0);
    }
    let value = text("retry-after")?;
    if let Ok(secs) = value.parse::<f64>() {
        return seconds(secs);
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(
        at.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO)
            .min(LONGEST_SERVER_DELAY),
    )
}

/// A non-negative number of seconds as a duration.
pub(crate) fn seconds(secs: f64) -> Option<Duration> {
    if !secs.is_finite() || secs < 0.0 {
        return None;
    }
    Duration::try_from_secs_f64(secs)
        .ok()
        .map(|d| d.min(LONGEST_SERVER_DELAY))
}

/// How long to wait before the next attempt: the backoff's delay, or the provider's if longer, and
/// never more than the policy's cap.
pub(crate) fn wait_before_retry(error: &CallError, backoff: Duration, cap: Duration) -> Duration {
    let asked = match error {
        CallError::Throttled { retry_after, .. } => *retry_after,
        _ => None,
    };
    asked.map_or(backoff, |asked| asked.max(backoff)).min(cap)
}

/// The provider's authentication header, marked sensitive so that no `Debug` of a request shows it.
pub(crate) fn auth_header(
    config: &LlmConfig,
) -> Result<(HeaderName, HeaderValue), reqwest::header::InvalidHeaderValue> {
    let key = config.api_key.expose().trim();
    let (name, value) = match config.provider {
        Provider::Anthropic => (
            HeaderName::from_static("x-api-key"),
            HeaderValue::from_str(key)?,
        ),
        Provider::OpenAi => (
            reqwest::header::AUTHORIZATION,
            HeaderValue::from_str(&format!("Bearer {key}"))?,
        ),
        Provider::Gemini => (
            HeaderName::from_static("x-goog-api-key"),
            HeaderValue::from_str(key)?,
        ),
    };
    let mut value = value;
    value.set_sensitive(true);
    Ok((name, value))
}

/// Everything one request needs, borrowed from the analyser.
pub(crate) struct Endpoint<'a> {
    pub client: &'a Client,
    pub config: &'a LlmConfig,
    pub auth: &'a (HeaderName, HeaderValue),
}

/// Sends `messages`, retrying as the module doc says.
pub(crate) async fn exchange(
    endpoint: &Endpoint<'_>,
    policy: &RetryPolicy,
    messages: &Messages,
) -> Result<Exchange, CallError> {
    let backoff = ExponentialBuilder::new()
        .with_min_delay(policy.base_delay)
        .with_max_delay(policy.max_delay)
        .with_max_times(policy.max_attempts.saturating_sub(1) as usize)
        .with_jitter();
    let mut connect_retries_left = 1u32;
    let provider = endpoint.config.provider.as_str();
    let model = endpoint.config.model.as_str();
    let cap = policy.max_delay;
    (|| send_once(endpoint, messages))
        .retry(backoff)
        .sleep(tokio::time::sleep)
        .when(move |error| match error {
            CallError::Throttled { .. } => true,
            CallError::Connect if connect_retries_left > 0 => {
                connect_retries_left -= 1;
                true
            }
            _ => false,
        })
        .adjust(move |error, next| next.map(|delay| wait_before_retry(error, delay, cap)))
        .notify(move |error, delay| {
            let status = match error {
                CallError::Throttled { status, .. } => *status,
                _ => 0,
            };
            tracing::warn!(
                provider,
                model,
                status,
                delay_ms = delay.as_millis() as u64,
                "LLM request not served; trying again"
            );
        })
        .await
}

async fn send_once(endpoint: &Endpoint<'_>, messages: &Messages) -> Result<Exchange, CallError> {
    let config = endpoint.config;
    let request = match config.provider {
        Provider::Anthropic => anthropic::request(endpoint.client, config, messages),
        Provider::OpenAi => openai::request(endpoint.client, config, messages),
        Provider::Gemini => gemini::request(endpoint.client, config, messages),
    };
    let (name, value) = endpoint.auth;
    let response = request
        .header(name.clone(), value.clone())
        .send()
        .await
        .map_err(CallError::from_transport)?;
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.bytes().await.map_err(CallError::from_transport)?;
    tracing::debug!(
        provider = config.provider.as_str(),
        model = config.model.as_str(),
        status = status.as_u16(),
        "LLM provider answered"
    );
    if status.is_success() {
        return Ok(match config.provider {
            Provider::Anthropic => anthropic::read_answer(config, &body),
            Provider::OpenAi => openai::read_answer(config, &body),
            Provider::Gemini => gemini::read_answer(config, &body),
        });
    }
    Err(match config.provider {
        Provider::Anthropic => anthropic::classify_failure(status, &headers, &body),
        Provider::OpenAi => openai::classify_failure(status, &headers, &body),
        Provider::Gemini => gemini::classify_failure(status, &headers, &body),
    })
}

/// 503 from any provider: the service says it is temporarily unavailable or overloaded.
pub(crate) fn is_unavailable(status: StatusCode) -> bool {
    status == StatusCode::SERVICE_UNAVAILABLE
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_str(value).expect("header value"));
        }
        map
    }

    #[test]
    fn retry_after_is_read_in_seconds_milliseconds_or_as_an_http_date() {
        assert_eq!(
            retry_after(&headers(&[("retry-after", "7")])),
            Some(Duration::from_secs(7))
        );
        assert_eq!(
            retry_after(&headers(&[("retry-after", "1.5")])),
            Some(Duration::from_millis(1500))
        );
        assert_eq!(
            retry_after(&headers(&[("retry-after-ms", "250"), ("retry-after", "9")])),
            Some(Duration::from_millis(250))
        );
        let in_a_minute = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(60));
        let delay = retry_after(&headers(&[("retry-after", &in_a_minute)])).expect("a date");
        assert!(
            delay > Duration::from_secs(55) && delay <= Duration::from_secs(60),
            "{delay:?}"
        );
        let past = httpdate::fmt_http_date(SystemTime::now() - Duration::from_secs(60));
        assert_eq!(
            retry_after(&headers(&[("retry-after", &past)])),
            Some(Duration::ZERO)
        );
        assert_eq!(retry_after(&headers(&[("retry-after", "soon")])), None);
        assert_eq!(retry_after(&headers(&[("retry-after", "-3")])), None);
        assert_eq!(retry_after(&HeaderMap::new()), None);
    }

    #[test]
    fn the_wait_honours_a_longer_server_delay_but_never_passes_the_cap() {
        let throttled = |secs| CallError::Throttled {
            status: 429,
            retry_after: Some(Duration::from_secs(secs)),
        };
        let cap = Duration::from_secs(30);
        let backoff = Duration::from_secs(2);
        assert_eq!(
            wait_before_retry(&throttled(12), backoff, cap),
            Duration::from_secs(12)
        );
        assert_eq!(wait_before_retry(&throttled(1), backoff, cap), backoff);
        assert_eq!(wait_before_retry(&throttled(3600), backoff, cap), cap);
        assert_eq!(
            wait_before_retry(&CallError::Connect, Duration::from_secs(90), cap),
            cap
        );
    }

    #[test]
    fn the_auth_header_is_the_providers_own_and_hidden_from_debug() {
        use super::super::config::ApiKey;
        for (provider, name, value) in [
            (Provider::Anthropic, "x-api-key", "k-123"),
            (Provider::OpenAi, "authorization", "Bearer k-123"),
            (Provider::Gemini, "x-goog-api-key", "k-123"),
        ] {
            let config = LlmConfig::new(provider, "m", ApiKey::new("k-123"));
            let (header, header_value) = auth_header(&config).expect("valid key");
            assert_eq!(header.as_str(), name);
            assert_eq!(header_value.to_str().expect("ascii"), value);
            assert!(header_value.is_sensitive());
            assert!(!format!("{header_value:?}").contains("k-123"));
        }
        let broken = LlmConfig::new(Provider::OpenAi, "m", ApiKey::new("line\nbreak"));
        assert!(auth_header(&broken).is_err());
    }
}
