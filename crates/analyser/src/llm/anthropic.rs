//! Anthropic's Messages API: `POST {base}/v1/messages` with `x-api-key` and
//! `anthropic-version: 2023-06-01`; the answer is in `content[].text`, the usage in
//! `usage.input_tokens` / `usage.output_tokens` (no total).
//!
//! The API has no plain JSON switch, so the prompt asks for the object alone and the answer reader
//! tolerates a code fence around it.
//!
//! Failures, per Anthropic's error documentation:
//! - 429 `rate_limit_error` is a rate limit (retried, honouring `retry-after`), except when
//!   `error.details.error_code` is `enforced_spend_limit_reached`: the monthly spend cap, which lasts
//!   until next month;
//! - 529 `overloaded_error` is Anthropic-wide load (retried, honouring `retry-after` if sent);
//! - 402 `billing_error`, and 400 `invalid_request_error` saying the credit balance is too low or a
//!   spend limit was reached, are quota exhaustion. Anthropic gives those two 400s no code of their
//!   own, so they are told apart by their message — the one place a message is read, and never
//!   stored or logged.

use reqwest::header::HeaderMap;
use reqwest::{Client, RequestBuilder, StatusCode};
use serde::Deserialize;
use serde_json::json;

use super::config::LlmConfig;
use super::http::{CallError, Exchange, is_unavailable, retry_after};
use super::prompt::Messages;
use super::usage::Usage;

pub(crate) const API_VERSION: &str = "2023-06-01";
/// The status Anthropic answers when its API is overloaded for everyone.
const OVERLOADED: u16 = 529;

pub(crate) fn request(client: &Client, config: &LlmConfig, messages: &Messages) -> RequestBuilder {
    client
        .post(format!("{}/v1/messages", config.base_url))
        .header("anthropic-version", API_VERSION)
        .json(&json!({
            "model": config.model,
            "max_tokens": config.max_output_tokens,
            "system": messages.system,
            "messages": [{ "role": "user", "content": messages.user }],
        }))
}

#[derive(Deserialize)]
struct MessageResponse {
    #[serde(default)]
    content: Vec<ContentBlock>,
    #[serde(default)]
    stop_reason: Option<String>,
    #[serde(default)]
    usage: Option<MessageUsage>,
}

#[derive(Deserialize)]
struct ContentBlock {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    text: Option<String>,
}

#[derive(Deserialize)]
struct MessageUsage {
    #[serde(default)]
    input_tokens: u32,
    #[serde(default)]
    output_tokens: u32,
}

pub(crate) fn read_answer(config: &LlmConfig, body: &[u8]) -> Exchange {
    let Ok(response) = serde_json::from_slice::<MessageResponse>(body) else {
        return Exchange {
            usage: None,
            text: Err("the response is not the Messages API's JSON".to_owned()),
        };
    };
    let usage = response.usage.map(|u| Usage {
        provider: config.provider,
        model: config.model.clone(),
        prompt_tokens: u.input_tokens,
        completion_tokens: u.output_tokens,
        total_tokens: u.input_tokens.saturating_add(u.output_tokens),
    });
    let text: String = response
        .content
        .iter()
        .filter(|block| block.kind == "text")
        .filter_map(|block| block.text.as_deref())
        .collect();
    let text = match response.stop_reason.as_deref() {
        Some("max_tokens") => Err("the answer was cut off at the output token limit".to_owned()),
        Some("refusal") => Err("the model refused to answer".to_owned()),
        _ if text.trim().is_empty() => Err("the answer has no text".to_owned()),
        _ => Ok(text),
    };
    Exchange { usage, text }
}

#[derive(Deserialize)]
struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Deserialize)]
struct ErrorDetail {
    #[serde(rename = "type", default)]
    kind: Option<String>,
    #[serde(default)]
    message: String,
    #[serde(default)]
    details: Option<ErrorDetails>,
}

#[derive(Deserialize)]
struct ErrorDetails {
    #[serde(default)]
    error_code: Option<String>,
}

pub(crate) fn classify_failure(status: StatusCode, headers: &HeaderMap, body: &[u8]) -> CallError {
    let error = serde_json::from_slice::<ErrorBody>(body)
        .ok()
        .map(|b| b.error);
    let kind = error.as_ref().and_then(|e| e.kind.clone());
    let error_code = error
        .as_ref()
        .and_then(|e| e.details.as_ref())
        .and_then(|d| d.error_code.clone());
    let throttled = CallError::Throttled {
        status: status.as_u16(),
        retry_after: retry_after(headers),
    };
    match status.as_u16() {
        429 if error_code.as_deref() == Some("enforced_spend_limit_reached") => {
            CallError::QuotaExhausted {
                status: 429,
                code: "enforced_spend_limit_reached".to_owned(),
            }
        }
        429 | OVERLOADED => throttled,
        402 => CallError::QuotaExhausted {
            status: 402,
            code: kind.unwrap_or_else(|| "billing_error".to_owned()),
        },
        400 if error
            .as_ref()
            .is_some_and(|e| says_out_of_credit(&e.message)) =>
        {
            CallError::QuotaExhausted {
                status: 400,
                code: "credit balance or spend limit".to_owned(),
            }
        }
        _ if is_unavailable(status) => throttled,
        _ => CallError::Rejected {
            status: status.as_u16(),
            code: kind,
        },
    }
}

/// "Your credit balance is too low to access the Anthropic API", "You have reached your specified
/// workspace API usage limits" / spend limit messages.
fn says_out_of_credit(message: &str) -> bool {
    let message = message.to_lowercase();
    ["credit balance", "spend limit", "usage limit"]
        .iter()
        .any(|phrase| message.contains(phrase))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::llm::config::{ApiKey, Provider};

    fn config() -> LlmConfig {
        LlmConfig::new(Provider::Anthropic, "claude-haiku-4-5", ApiKey::new("k"))
    }

    fn classify(status: u16, body: &str, retry_after_secs: Option<&str>) -> CallError {
        let mut headers = HeaderMap::new();
        if let Some(secs) = retry_after_secs {
            headers.insert("retry-after", secs.parse().expect("header value"));
        }
        classify_failure(
            StatusCode::from_u16(status).expect("status"),
            &headers,
            body.as_bytes(),
        )
    }

    #[test]
    fn usage_total_is_input_plus_output_because_anthropic_gives_none() {
        let body = r#"{"id":"msg_1","type":"message","role":"assistant","model":"claude-haiku-4-5",
            "content":[{"type":"text","text":"{\"a\":"},{"type":"text","text":"1}"}],
            "stop_reason":"end_turn","usage":{"input_tokens":1200,"output_tokens":340}}"#;
        let exchange = read_answer(&config(), body.as_bytes());
        assert_eq!(exchange.text.as_deref(), Ok("{\"a\":1}"));
        let usage = exchange.usage.expect("usage");
        assert_eq!(
            (
                usage.prompt_tokens,
                usage.completion_tokens,
                usage.total_tokens
            ),
            (1200, 340, 1540)
        );
    }

    #[test]
    fn an_answer_cut_at_max_tokens_is_not_read_but_its_usage_is() {
        let body = r#"{"content":[{"type":"text","text":"{\"summary\": \"Con"}],
            "stop_reason":"max_tokens","usage":{"input_tokens":10,"output_tokens":16000}}"#;
        let exchange = read_answer(&config(), body.as_bytes());
        assert!(exchange.text.is_err());
        assert_eq!(exchange.usage.map(|u| u.completion_tokens), Some(16000));
    }

    #[test]
    fn overload_and_rate_limits_are_retried_with_the_servers_delay() {
        let overloaded =
            r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#;
        assert_eq!(
            classify(529, overloaded, None),
            CallError::Throttled {
                status: 529,
                retry_after: None
            }
        );
        let limited =
            r#"{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}"#;
        assert_eq!(
            classify(429, limited, Some("20")),
            CallError::Throttled {
                status: 429,
                retry_after: Some(Duration::from_secs(20))
            }
        );
    }

    #[test]
    fn spend_caps_billing_and_low_credit_are_quota_exhaustion() {
        let spend = r#"{"type":"error","error":{"type":"rate_limit_error","message":"cap",
            "details":{"error_code":"enforced_spend_limit_reached"}}}"#;
        assert!(matches!(
            classify(429, spend, Some("60")),
            CallError::QuotaExhausted { status: 429, .. }
        ));
        let credit = r#"{"type":"error","error":{"type":"invalid_request_error",
            "message":"Your credit balance is too low to access the Anthropic API."}}"#;
        assert!(matches!(
            classify(400, credit, None),
            CallError::QuotaExhausted { status: 400, .. }
        ));
        let billing = r#"{"type":"error","error":{"type":"billing_error","message":"x"}}"#;
        assert!(matches!(
            classify(402, billing, None),
            CallError::QuotaExhausted { status: 402, .. }
        ));
    }

    #[test]
    fn other_errors_are_rejections_named_by_type_only() {
        let bad_key = r#"{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}"#;
        assert_eq!(
            classify(401, bad_key, None),
            CallError::Rejected {
                status: 401,
                code: Some("authentication_error".to_owned())
            }
        );
        assert_eq!(
            classify(500, "<html>oops</html>", None),
            CallError::Rejected {
                status: 500,
                code: None
            }
        );
    }
}
