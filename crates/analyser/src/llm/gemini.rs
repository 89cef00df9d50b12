//! Google's Gemini API: `POST {base}/v1beta/models/{model}:generateContent` with `x-goog-api-key`
//! (the header, never the `?key=` query, so no URL carries it), JSON mode by
//! `generationConfig.responseMimeType: application/json`; the answer is
//! `candidates[0].content.parts[].text`, the usage `usageMetadata.promptTokenCount` /
//! `candidatesTokenCount` / `totalTokenCount`.
//!
//! Completion tokens are the candidates' plus `thoughtsTokenCount`: thinking models spend (and are
//! billed output prices for) thoughts that `candidatesTokenCount` leaves out; the total already
//! counts them.
//!
//! Failures, per Google's API error model: 429 `RESOURCE_EXHAUSTED` whose `error.details[]` carries
//! a `google.rpc.RetryInfo` is a rate limit to retry after its `retryDelay` ("12s", "1.5s"); one
//! that carries a `google.rpc.QuotaFailure` and no `RetryInfo` is a quota Google does not expect to
//! come back soon (a daily or billing quota), so it is not retried; a bare 429 is retried with
//! backoff. 503 `UNAVAILABLE` (model overloaded) is retried.

use reqwest::header::HeaderMap;
use reqwest::{Client, RequestBuilder, StatusCode};
use serde::Deserialize;
use serde_json::json;

use super::config::LlmConfig;
use super::http::{CallError, Exchange, is_unavailable, retry_after, seconds};
use super::prompt::Messages;
use super::usage::Usage;

const RETRY_INFO: &str = "type.googleapis.com/google.rpc.RetryInfo";
const QUOTA_FAILURE: &str = "type.googleapis.com/google.rpc.QuotaFailure";

/// The model id without the `models/` prefix some configurations carry.
fn model_id(config: &LlmConfig) -> &str {
    config
        .model
        .strip_prefix("models/")
        .unwrap_or(&config.model)
}

pub(crate) fn request(client: &Client, config: &LlmConfig, messages: &Messages) -> RequestBuilder {
    client
        .post(format!(
            "{}/v1beta/models/{}:generateContent",
            config.base_url,
            model_id(config)
        ))
        .json(&json!({
            "systemInstruction": { "parts": [{ "text": messages.system }] },
            "contents": [{ "role": "user", "parts": [{ "text": messages.user }] }],
            "generationConfig": {
                "responseMimeType": "application/json",
                "maxOutputTokens": config.max_output_tokens,
            },
        }))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GenerateContentResponse {
    #[serde(default)]
    candidates: Vec<Candidate>,
    #[serde(default)]
    usage_metadata: Option<UsageMetadata>,
    #[serde(default)]
    prompt_feedback: Option<PromptFeedback>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Candidate {
    #[serde(default)]
    content: Option<Content>,
    #[serde(default)]
    finish_reason: Option<String>,
}

#[derive(Deserialize)]
struct Content {
    #[serde(default)]
    parts: Vec<Part>,
}

#[derive(Deserialize)]
struct Part {
    #[serde(default)]
    text: Option<String>,
    /// A thought summary, not the answer.
    #[serde(default)]
    thought: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UsageMetadata {
    #[serde(default)]
    prompt_token_count: u32,
    #[serde(default)]
    candidates_token_count: u32,
    #[serde(default)]
    thoughts_token_count: u32,
    #[serde(default)]
    total_token_count: Option<u32>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PromptFeedback {
    #[serde(default)]
    block_reason: Option<String>,
}

pub(crate) fn read_answer(config: &LlmConfig, body: &[u8]) -> Exchange {
    let Ok(response) = serde_json::from_slice::<GenerateContentResponse>(body) else {
        return Exchange {
            usage: None,
            text: Err("the response is not the generateContent API's JSON".to_owned()),
        };
    };
    let usage = response.usage_metadata.map(|u| {
        let completion = u
            .candidates_token_count
            .saturating_add(u.thoughts_token_count);
        Usage {
            provider: config.provider,
            model: config.model.clone(),
            prompt_tokens: u.prompt_token_count,
            completion_tokens: completion,
            total_tokens: u
                .total_token_count
                .unwrap_or(u.prompt_token_count.saturating_add(completion)),
        }
    });
    if let Some(reason) = response.prompt_feedback.and_then(|f| f.block_reason) {
        return Exchange {
            usage,
            text: Err(format!("the prompt was blocked ({reason})")),
        };
    }
    let Some(candidate) = response.candidates.into_iter().next() else {
        return Exchange {
            usage,
            text: Err("the response has no candidates".to_owned()),
        };
    };
    let text: String = candidate
        .content
        .into_iter()
        .flat_map(|content| content.parts)
        .filter(|part| !part.thought)
        .filter_map(|part| part.text)
        .collect();
    let text = match candidate.finish_reason.as_deref() {
        Some("MAX_TOKENS") => Err("the answer was cut off at the output token limit".to_owned()),
        Some(reason) if text.trim().is_empty() => {
            Err(format!("the answer has no text (finish reason {reason})"))
        }
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
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    details: Vec<ErrorDetailEntry>,
}

#[derive(Deserialize)]
struct ErrorDetailEntry {
    #[serde(rename = "@type", default)]
    kind: String,
    #[serde(rename = "retryDelay", default)]
    retry_delay: Option<String>,
}

/// A `google.protobuf.Duration` in its JSON form: seconds with an `s`, maybe fractional. A value
/// that is not one counts as no delay given, and the backoff's own delay applies.
fn protobuf_duration(text: &str) -> Option<std::time::Duration> {
    let secs: f64 = text.trim().strip_suffix('s')?.parse().ok()?;
    seconds(secs)
}

pub(crate) fn classify_failure(status: StatusCode, headers: &HeaderMap, body: &[u8]) -> CallError {
    let error = serde_json::from_slice::<ErrorBody>(body)
        .ok()
        .map(|b| b.error);
    let details = error.as_ref().map_or(&[][..], |e| e.details.as_slice());
    let retry_info = details.iter().find(|d| d.kind == RETRY_INFO);
    let quota_failure = details.iter().any(|d| d.kind == QUOTA_FAILURE);
    match status.as_u16() {
        429 if retry_info.is_none() && quota_failure => CallError::QuotaExhausted {
            status: 429,
            code: "QuotaFailure".to_owned(),
        },
        429 => CallError::Throttled {
            status: 429,
            retry_after: retry_info
                .and_then(|r| r.retry_delay.as_deref())
                .and_then(protobuf_duration)
                .or_else(|| retry_after(headers)),
        },
        _ if is_unavailable(status) => CallError::Throttled {
            status: status.as_u16(),
            retry_after: retry_after(headers),
        },
        _ => CallError::Rejected {
            status: status.as_u16(),
            code: error.and_then(|e| e.status),
        },
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::llm::config::{ApiKey, Provider};

    fn config() -> LlmConfig {
        LlmConfig::new(Provider::Gemini, "gemini-2.5-flash", ApiKey::new("k"))
    }

    fn classify(body: &str) -> CallError {
        classify_failure(
            StatusCode::TOO_MANY_REQUESTS,
            &HeaderMap::new(),
            body.as_bytes(),
        )
    }

    #[test]
    fn thinking_tokens_are_counted_as_completion_and_the_total_is_googles() {
        let body = r#"{"candidates":[{"content":{"role":"model","parts":[{"text":"{\"a\""},{"text":":1}"}]},
            "finishReason":"STOP"}],
            "usageMetadata":{"promptTokenCount":1000,"candidatesTokenCount":200,"thoughtsTokenCount":300,
            "totalTokenCount":1500},"modelVersion":"gemini-2.5-flash"}"#;
        let exchange = read_answer(&config(), body.as_bytes());
        assert_eq!(exchange.text.as_deref(), Ok("{\"a\":1}"));
        let usage = exchange.usage.expect("usage");
        assert_eq!(
            (
                usage.prompt_tokens,
                usage.completion_tokens,
                usage.total_tokens
            ),
            (1000, 500, 1500)
        );
    }

    #[test]
    fn a_blocked_prompt_has_no_answer_but_keeps_its_usage() {
        let body = r#"{"promptFeedback":{"blockReason":"SAFETY"},
            "usageMetadata":{"promptTokenCount":50,"totalTokenCount":50}}"#;
        let exchange = read_answer(&config(), body.as_bytes());
        assert!(exchange.text.is_err());
        assert_eq!(exchange.usage.map(|u| u.total_tokens), Some(50));
    }

    #[test]
    fn retry_info_gives_the_delay_even_when_fractional() {
        let body = r#"{"error":{"code":429,"message":"Quota exceeded","status":"RESOURCE_EXHAUSTED",
            "details":[{"@type":"type.googleapis.com/google.rpc.QuotaFailure","violations":[{"quotaId":"PerMinute"}]},
            {"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"1.5s"}]}}"#;
        assert_eq!(
            classify(body),
            CallError::Throttled {
                status: 429,
                retry_after: Some(Duration::from_millis(1500))
            }
        );
        assert_eq!(protobuf_duration("12s"), Some(Duration::from_secs(12)));
        assert_eq!(protobuf_duration("12"), None);
    }

    #[test]
    fn a_quota_failure_without_retry_info_is_exhaustion() {
        let body = r#"{"error":{"code":429,"status":"RESOURCE_EXHAUSTED",
            "details":[{"@type":"type.googleapis.com/google.rpc.QuotaFailure",
            "violations":[{"quotaId":"GenerateRequestsPerDayPerProjectPerModel"}]}]}}"#;
        assert!(matches!(
            classify(body),
            CallError::QuotaExhausted { status: 429, .. }
        ));
        let bare = r#"{"error":{"code":429,"status":"RESOURCE_EXHAUSTED","message":"x"}}"#;
        assert_eq!(
            classify(bare),
            CallError::Throttled {
                status: 429,
                retry_after: None
            }
        );
    }
}
