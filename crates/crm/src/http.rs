//! One request to a CRM, sent again when — and only when — sending it again can help.
//!
//! Every request here reads (the one POST, HubSpot's search, changes nothing), so a repeat cannot
//! do harm; what limits retries is whether they can succeed and how long a job should wait.
//!
//! Retried, with capped exponential backoff and jitter ([`RetryPolicy`]):
//! - rate limiting, in each provider's own words (its module classifies the answer): HTTP 429 with
//!   `Retry-After` in seconds or as an HTTP date, HubSpot's `X-HubSpot-RateLimit-*` headers,
//!   Pipedrive's `x-ratelimit-reset`, Zoho's bare 429, Salesforce's 403 `REQUEST_LIMIT_EXCEEDED`.
//!   The wait is the backoff's or the server's, whichever is longer. When the server asks for more
//!   than [`RetryPolicy::longest_server_wait`] (a daily quota, say) the request is not retried:
//!   the job stops with [`CrmError::RateLimited`] and the next run goes on from its cursor.
//! - 5xx answers, failed connections and timeouts, at most
//!   [`RetryPolicy::server_error_retries`] times: a hiccup passes, an outage should not keep a job
//!   hammering a failing service.
//!
//! Not retried: 400, 401, 403, 404 and any other 4xx — the same request fails the same way, and
//! the error says what to fix. (An OAuth connector refreshes its token on a 401 that says the token
//! expired and repeats the call once; that is its business, above this module.)

use std::time::{Duration, SystemTime};

use backon::{ExponentialBuilder, Retryable};
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue};
use reqwest::{Client, RequestBuilder, StatusCode, Url, redirect};

use crate::address::{BlockedAddress, PublicOnlyResolver};
use serde::de::DeserializeOwned;

use crate::{CrmError, Provider, Secret};

/// How the HTTP client behaves: timeouts, retries and whether private addresses may be reached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpSettings {
    /// For establishing a connection (TCP and TLS).
    pub connect_timeout: Duration,
    /// For one whole request, answer included.
    pub request_timeout: Duration,
    pub retry: RetryPolicy,
    /// Lets requests reach private, loopback and link-local addresses, and plain `http` for user
    /// URLs. For development and tests only; production leaves it `false`.
    pub allow_private_addresses: bool,
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(60),
            retry: RetryPolicy::default(),
            allow_private_addresses: false,
        }
    }
}

/// How a request the provider turned away is tried again. See the module documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Requests in all for a rate-limited request, the first included; 1 means never retry.
    pub max_attempts: u32,
    /// The first backoff delay; each next one doubles, plus random jitter.
    pub base_delay: Duration,
    /// The longest backoff delay.
    pub max_delay: Duration,
    /// The longest wait the server may ask for and still be waited for within the job.
    pub longest_server_wait: Duration,
    /// Extra attempts after a 5xx answer, a failed connection or a timeout.
    pub server_error_retries: u32,
}

impl Default for RetryPolicy {
    /// Five attempts over about half a minute of backoff, or as long as two minutes when the
    /// provider asks: enough for a per-second or per-minute window to reset, short enough for a
    /// background job.
    fn default() -> Self {
        Self {
            max_attempts: 5,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(30),
            longest_server_wait: Duration::from_secs(120),
            server_error_retries: 2,
        }
    }
}

/// The longest delay read from a header, so a garbled value cannot park a job for a year.
const LONGEST_HEADER_DELAY: Duration = Duration::from_secs(7 * 24 * 3600);

/// `Retry-After`, in seconds or as an HTTP date (a date in the past means now).
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = header_text(headers, "retry-after")?;
    if let Ok(secs) = value.parse::<f64>() {
        return seconds(secs);
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(
        at.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO)
            .min(LONGEST_HEADER_DELAY),
    )
}

pub(crate) fn header_text<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
}

/// A non-negative, finite number of seconds as a duration.
pub(crate) fn seconds(secs: f64) -> Option<Duration> {
    if !secs.is_finite() || secs < 0.0 {
        return None;
    }
    Duration::try_from_secs_f64(secs)
        .ok()
        .map(|d| d.min(LONGEST_HEADER_DELAY))
}

/// What came back, whatever the status.
#[derive(Debug)]
pub(crate) struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Answer {
    /// The body as JSON, or `Value::Null` when it is not JSON (error bodies are best effort).
    pub fn json_or_null(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

/// Why one attempt did not succeed, as the provider's module classified it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Failure {
    /// Slow down: retried after `retry_after` (when given) or the backoff.
    Throttled {
        retry_after: Option<Duration>,
    },
    /// A quota that does not come back within a job (a daily limit): not retried.
    QuotaExhausted {
        retry_after: Option<Duration>,
    },
    /// `token_expired`: the access token is stale and a refresh may help.
    Unauthorized {
        status: u16,
        code: Option<String>,
        token_expired: bool,
    },
    Forbidden {
        status: u16,
        code: Option<String>,
    },
    NotFound {
        code: Option<String>,
    },
    CursorExpired,
    Rejected {
        status: u16,
        code: Option<String>,
    },
    Server {
        status: u16,
    },
    Connect,
    Timeout,
    Blocked {
        host: String,
        reason: &'static str,
    },
    Transport(String),
}

impl Failure {
    /// The usual reading of a status, for what a provider's classifier does not single out.
    pub fn from_status(answer: &Answer, code: Option<String>) -> Failure {
        let status = answer.status.as_u16();
        match answer.status {
            StatusCode::TOO_MANY_REQUESTS => Failure::Throttled {
                retry_after: retry_after(&answer.headers),
            },
            StatusCode::UNAUTHORIZED => Failure::Unauthorized {
                status,
                code,
                token_expired: false,
            },
            StatusCode::FORBIDDEN => Failure::Forbidden { status, code },
            StatusCode::NOT_FOUND => Failure::NotFound { code },
            s if s.is_server_error() => Failure::Server { status },
            _ => Failure::Rejected { status, code },
        }
    }

    fn from_transport(error: reqwest::Error) -> Failure {
        let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&error);
        while let Some(cause) = source {
            if let Some(blocked) = cause.downcast_ref::<BlockedAddress>() {
                return Failure::Blocked {
                    host: blocked.host.clone(),
                    reason: blocked.reason,
                };
            }
            source = cause.source();
        }
        if error.is_timeout() {
            Failure::Timeout
        } else if error.is_connect() {
            Failure::Connect
        } else {
            Failure::Transport(error.without_url().to_string())
        }
    }

    fn is_transient(&self) -> bool {
        matches!(
            self,
            Failure::Server { .. } | Failure::Connect | Failure::Timeout | Failure::Transport(_)
        )
    }

    pub fn into_error(self, provider: Provider) -> CrmError {
        match self {
            Failure::Throttled { retry_after } | Failure::QuotaExhausted { retry_after } => {
                CrmError::RateLimited {
                    provider,
                    retry_after,
                }
            }
            Failure::Unauthorized { status, code, .. } => CrmError::Unauthorized {
                provider,
                status,
                code,
            },
            Failure::Forbidden { status, code } => CrmError::Forbidden {
                provider,
                status,
                code,
            },
            Failure::NotFound { code } => CrmError::NotFound { provider, code },
            Failure::CursorExpired => CrmError::CursorExpired { provider },
            Failure::Rejected { status, code } => CrmError::Rejected {
                provider,
                status,
                code,
            },
            Failure::Server { status } => CrmError::ServerError { provider, status },
            Failure::Connect => CrmError::Unreachable { provider },
            Failure::Timeout => CrmError::Timeout { provider },
            Failure::Blocked { host, reason } => CrmError::AddressNotAllowed { host, reason },
            Failure::Transport(detail) => CrmError::Transport { provider, detail },
        }
    }
}

/// Reads a provider's non-success answer.
pub(crate) type Classifier = fn(&Answer) -> Failure;

/// A provider's HTTP client with its retry policy.
#[derive(Debug, Clone)]
pub(crate) struct Http {
    client: Client,
    provider: Provider,
    policy: RetryPolicy,
    allow_private: bool,
}

impl Http {
    pub fn new(provider: Provider, settings: &HttpSettings) -> Result<Self, CrmError> {
        let allow_private = settings.allow_private_addresses;
        let mut builder = Client::builder()
            .connect_timeout(settings.connect_timeout)
            .timeout(settings.request_timeout)
            .user_agent(concat!("Performancy-CRM-sync/", env!("CARGO_PKG_VERSION")))
            .redirect(same_host_redirects());
        if !allow_private {
            builder = builder.dns_resolver(std::sync::Arc::new(PublicOnlyResolver));
        }
        let client = builder
            .build()
            .map_err(|e| CrmError::config(format!("the HTTP client could not be built: {e}")))?;
        Ok(Self {
            client,
            provider,
            policy: settings.retry,
            allow_private,
        })
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    pub fn allow_private(&self) -> bool {
        self.allow_private
    }

    /// The OAuth 2.0 refresh-token grant (RFC 6749 section 6) that Zoho and Salesforce share: the
    /// stored refresh token and client posted as a form to `token_url`, the JSON answer read as
    /// `T`. A refusal is [`CrmError::RefreshRejected`]; what the answer must hold is the caller's.
    pub async fn refresh_grant<T: DeserializeOwned>(
        &self,
        token_url: &Url,
        client_id: &str,
        client_secret: &Secret,
        refresh_token: &Secret,
    ) -> Result<T, CrmError> {
        let form = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("grant_type", "refresh_token")
            .append_pair("client_id", client_id.trim())
            .append_pair("client_secret", client_secret.expose_secret())
            .append_pair("refresh_token", refresh_token.expose_secret())
            .finish();
        let build = || {
            self.client
                .post(token_url.clone())
                .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(form.clone())
        };
        let answer = self
            .send(build, classify_token_refresh)
            .await
            .map_err(|f| refresh_error(self.provider, f))?;
        serde_json::from_slice(&answer.body).map_err(|_| {
            CrmError::invalid_response(self.provider, "the token answer is not the expected JSON")
        })
    }

    /// Sends the request `build` makes (once per attempt), retrying as the module doc says. A 2xx
    /// or 304 answer is returned; anything else goes through `classify`.
    pub async fn send(
        &self,
        build: impl Fn() -> RequestBuilder,
        classify: Classifier,
    ) -> Result<Answer, Failure> {
        let policy = self.policy;
        let mut throttled_retries_left = policy.max_attempts.saturating_sub(1);
        let mut transient_retries_left = policy.server_error_retries;
        let backoff = ExponentialBuilder::new()
            .with_min_delay(policy.base_delay)
            .with_max_delay(policy.max_delay)
            .with_max_times(throttled_retries_left.max(transient_retries_left) as usize)
            .with_jitter();
        let provider = self.provider;
        (|| self.send_once(&build, classify))
            .retry(backoff)
            .sleep(tokio::time::sleep)
            .when(move |failure| match failure {
                Failure::Throttled { retry_after } => {
                    let too_long = retry_after.is_some_and(|d| d > policy.longest_server_wait);
                    if too_long || throttled_retries_left == 0 {
                        return false;
                    }
                    throttled_retries_left -= 1;
                    true
                }
                f if f.is_transient() && transient_retries_left > 0 => {
                    transient_retries_left -= 1;
                    true
                }
                _ => false,
            })
            .adjust(|failure, next| next.map(|delay| wait_before_retry(failure, delay)))
            .notify(move |failure, delay| {
                tracing::warn!(
                    provider = provider.prefix(),
                    failure = ?failure,
                    delay_ms = delay.as_millis() as u64,
                    "CRM request not served; trying again"
                );
            })
            .await
    }

    async fn send_once(
        &self,
        build: &impl Fn() -> RequestBuilder,
        classify: Classifier,
    ) -> Result<Answer, Failure> {
        let response = build().send().await.map_err(Failure::from_transport)?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response
            .bytes()
            .await
            .map_err(Failure::from_transport)?
            .to_vec();
        tracing::debug!(
            provider = self.provider.prefix(),
            status = status.as_u16(),
            "CRM answered"
        );
        let answer = Answer {
            status,
            headers,
            body,
        };
        if status.is_success() || status == StatusCode::NOT_MODIFIED {
            Ok(answer)
        } else {
            Err(classify(&answer))
        }
    }
}

/// A token endpoint's failure: OAuth errors are `{"error": "invalid_grant", …}`.
fn classify_token_refresh(answer: &Answer) -> Failure {
    let body = answer.json_or_null();
    let code = crate::json::str_field(&body, "error").map(str::to_owned);
    Failure::from_status(answer, code)
}

/// A failed token refresh: any refusal (400, 401, 403) means the stored refresh token or client
/// is no longer accepted, which only connecting the integration again fixes.
fn refresh_error(provider: Provider, failure: Failure) -> CrmError {
    match failure {
        Failure::Unauthorized { code, .. }
        | Failure::Forbidden { code, .. }
        | Failure::Rejected { code, .. } => CrmError::RefreshRejected { provider, code },
        other => other.into_error(provider),
    }
}

/// `base` with `path` appended to its path (a base may carry a prefix, as a proxy's does).
pub(crate) fn join(base: &Url, path: &str) -> Result<Url, CrmError> {
    let mut url = base.clone();
    url.set_query(None);
    url.path_segments_mut()
        .map_err(|()| CrmError::config(format!("{base} cannot be a base URL")))?
        .pop_if_empty()
        .extend(path.trim_start_matches('/').split('/'));
    Ok(url)
}

/// A URL from configuration or credentials, with a message naming which one is wrong.
pub(crate) fn parse_url(text: &str, what: &str) -> Result<Url, CrmError> {
    Url::parse(text.trim()).map_err(|_| CrmError::config(format!("{what} is not a valid URL")))
}

/// An auth header value, hidden from `Debug` of requests.
pub(crate) fn secret_header(value: &str, what: &str) -> Result<HeaderValue, CrmError> {
    let mut value = HeaderValue::from_str(value.trim()).map_err(|_| {
        CrmError::config(format!("{what} contains characters a header cannot carry"))
    })?;
    value.set_sensitive(true);
    Ok(value)
}

/// The backoff's delay, or the server's when it asked for longer.
pub(crate) fn wait_before_retry(failure: &Failure, backoff: Duration) -> Duration {
    match failure {
        Failure::Throttled {
            retry_after: Some(asked),
        } => backoff.max(*asked),
        _ => backoff,
    }
}

/// Follows up to five redirects, each to the host the request was for: a custom auth header is
/// not one reqwest strips on a cross-host redirect, and a redirect to another host is not what a
/// CRM API does.
fn same_host_redirects() -> redirect::Policy {
    redirect::Policy::custom(|attempt| {
        if attempt.previous().len() >= 5 {
            return attempt.stop();
        }
        let same_host = attempt
            .previous()
            .first()
            .is_some_and(|first| first.host_str() == attempt.url().host_str());
        if same_host {
            attempt.follow()
        } else {
            attempt.stop()
        }
    })
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
    fn retry_after_is_read_in_seconds_or_as_an_http_date() {
        assert_eq!(
            retry_after(&headers(&[("retry-after", "7")])),
            Some(Duration::from_secs(7))
        );
        assert_eq!(
            retry_after(&headers(&[("retry-after", " 0 ")])),
            Some(Duration::ZERO)
        );
        assert_eq!(
            retry_after(&headers(&[("retry-after", "1.5")])),
            Some(Duration::from_millis(1500))
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
    }

    #[test]
    fn a_garbled_or_missing_retry_after_is_no_delay_and_a_huge_one_is_capped() {
        assert_eq!(retry_after(&headers(&[("retry-after", "soon")])), None);
        assert_eq!(retry_after(&headers(&[("retry-after", "-3")])), None);
        assert_eq!(retry_after(&headers(&[("retry-after", "NaN")])), None);
        assert_eq!(retry_after(&HeaderMap::new()), None);
        assert_eq!(
            retry_after(&headers(&[("retry-after", "99999999999")])),
            Some(LONGEST_HEADER_DELAY)
        );
    }

    #[test]
    fn the_wait_is_the_longer_of_the_backoff_and_the_servers_delay() {
        let throttled = |secs| Failure::Throttled {
            retry_after: Some(Duration::from_secs(secs)),
        };
        let backoff = Duration::from_secs(2);
        assert_eq!(
            wait_before_retry(&throttled(12), backoff),
            Duration::from_secs(12)
        );
        assert_eq!(wait_before_retry(&throttled(1), backoff), backoff);
        assert_eq!(
            wait_before_retry(&Failure::Throttled { retry_after: None }, backoff),
            backoff
        );
        assert_eq!(
            wait_before_retry(&Failure::Server { status: 502 }, backoff),
            backoff
        );
    }

    #[test]
    fn statuses_map_to_failures_that_say_what_to_fix() {
        let answer = |status: u16| Answer {
            status: StatusCode::from_u16(status).expect("status"),
            headers: headers(&[("retry-after", "3")]),
            body: Vec::new(),
        };
        assert_eq!(
            Failure::from_status(&answer(429), None),
            Failure::Throttled {
                retry_after: Some(Duration::from_secs(3))
            }
        );
        assert!(matches!(
            Failure::from_status(&answer(401), None),
            Failure::Unauthorized {
                token_expired: false,
                ..
            }
        ));
        assert!(matches!(
            Failure::from_status(&answer(403), None),
            Failure::Forbidden { .. }
        ));
        assert!(matches!(
            Failure::from_status(&answer(404), None),
            Failure::NotFound { .. }
        ));
        assert_eq!(
            Failure::from_status(&answer(503), None),
            Failure::Server { status: 503 }
        );
        assert!(matches!(
            Failure::from_status(&answer(400), Some("BAD".into())),
            Failure::Rejected { status: 400, .. }
        ));
    }
}
