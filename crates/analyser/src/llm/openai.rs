//! OpenAI's Chat Completions API: `POST {base}/v1/chat/completions` with `Authorization: Bearer`,
//! in JSON mode (`response_format: {"type": "json_object"}`); the answer is
//! `choices[0].message.content`, the usage `usage.prompt_tokens` / `completion_tokens` /
//! `total_tokens`.
//!
//! `max_completion_tokens` rather than the older `max_tokens`, which reasoning models reject; no
//! `temperature`, which some of them reject too.
//!
//! Failures, per OpenAI's error codes: 429 is a rate limit (retried, honouring `retry-after-ms` /
//! `retry-after`) unless `error.type` or `error.code` says the money ran out —
//! `insufficient_quota`, `credit_balance_exhausted`, or an organization or project spend or usage
//! limit — which waiting does not fix. 503 ("slow down", engine overloaded) is retried.

use reqwest::header::HeaderMap;
use reqwest::{Client, RequestBuilder, StatusCode};
use serde::Deserialize;
use serde_json::json;

use super::config::LlmConfig;
use super::http::{CallError, Exchange, is_unavailable, retry_after};
use super::prompt::Messages;
use super::usage::Usage;

/// `error.type` / `error.code` values meaning the account has no quota or credit left.
const QUOTA_CODES: [&str; 5] = [
    "insufficient_quota",
    "credit_balance_exhausted",
    "organization_spend_limit_exceeded",
    "project_spend_limit_exceeded",
    "organization_usage_limit_exceeded",
];

pub(crate) fn request(client: &Client, config: &LlmConfig, messages: &Messages) -> RequestBuilder {
    client
        .post(format!("{}/v1/chat/completions", config.base_url))
        .json(&json!({
            "model": config.model,
            "messages": [
                { "role": "system", "content": messages.system },
                { "role": "user", "content": messages.user },
            ],
            "response_format": { "type": "json_object" },
            "max_completion_tokens": config.max_output_tokens,
        }))
}

#[derive(Deserialize)]
struct ChatResponse {
    #[serde(default)]
    choices: Vec<Choice>,
    #[serde(default)]
    usage: Option<ChatUsage>,
}

#[derive(Deserialize)]
struct Choice {
    #[serde(default)]
    message: Option<ChatMessage>,
    #[serde(default)]
    finish_reason: Option<String>,
}

#[derive(Deserialize)]
struct ChatMessage {
    #[serde(default)]
    content: Option<String>,
    #[serde(default)]
    refusal: Option<String>,
}

#[derive(Deserialize)]
struct ChatUsage {
    #[serde(default)]
    prompt_tokens: u32,
    #[serde(default)]
    completion_tokens: u32,
    #[serde(default)]
    total_tokens: Option<u32>,
}

pub(crate) fn read_answer(config: &LlmConfig, body: &[u8]) -> Exchange {
    let Ok(response) = serde_json::from_slice::<ChatResponse>(body) else {
        return Exchange {
            usage: None,
            text: Err("the response is not the Chat Completions API's JSON".to_owned()),
        };
    };
    let usage = response.usage.map(|u| Usage {
        provider: config.provider,
        model: config.model.clone(),
        prompt_tokens: u.prompt_tokens,
        completion_tokens: u.completion_tokens,
        total_tokens: u
            .total_tokens
            .unwrap_or(u.prompt_tokens.saturating_add(u.completion_tokens)),
    });
    let Some(choice) = response.choices.into_iter().next() else {
        return Exchange {
            usage,
            text: Err("the response has no choices".to_owned()),
        };
    };
    let message = choice.message.unwrap_or(ChatMessage {
        content: None,
        refusal: None,
    });
    let text = match (choice.finish_reason.as_deref(), message) {
        (Some("length"), _) => Err("the answer was cut off at the output token limit".to_owned()),
        (Some("content_filter"), _) => {
            Err("the answer was withheld by a content filter".to_owned())
        }
        (
            _,
            ChatMessage {
                refusal: Some(_), ..
            },
        ) => Err("the model refused to answer".to_owned()),
        (
            _,
            ChatMessage {
                content: Some(content),
                ..
            },
        ) if !content.trim().is_empty() => Ok(content),
        _ => Err("the answer has no text".to_owned()),
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
    code: Option<String>,
}

pub(crate) fn classify_failure(status: StatusCode, headers: &HeaderMap, body: &[u8]) -> CallError {
    let error = serde_json::from_slice::<ErrorBody>(body)
        .ok()
        .map(|b| b.error);
    let quota_code = error.as_ref().and_then(|e| {
        [e.code.as_deref(), e.kind.as_deref()]
            .into_iter()
            .flatten()
            .find(|c| QUOTA_CODES.contains(c))
            .map(str::to_owned)
    });
    match (status.as_u16(), quota_code) {
        (_, Some(code)) => CallError::QuotaExhausted {
            status: status.as_u16(),
            code,
        },
        (429, None) => CallError::Throttled {
            status: 429,
            retry_after: retry_after(headers),
        },
        _ if is_unavailable(status) => CallError::Throttled {
            status: status.as_u16(),
            retry_after: retry_after(headers),
        },
        _ => CallError::Rejected {
            status: status.as_u16(),
            code: error.and_then(|e| e.code.or(e.kind)),
        },
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::llm::config::{ApiKey, Provider};

    fn config() -> LlmConfig {
        LlmConfig::new(Provider::OpenAi, "gpt-4o-mini", ApiKey::new("k"))
    }

    #[test]
    fn the_answer_and_the_providers_own_total_are_read() {
        let body = r#"{"id":"chatcmpl-1","object":"chat.completion","model":"gpt-4o-mini-2024-07-18",
            "choices":[{"index":0,"message":{"role":"assistant","content":"{}","refusal":null},
            "finish_reason":"stop"}],
            "usage":{"prompt_tokens":900,"completion_tokens":100,"total_tokens":1003}}"#;
        let exchange = read_answer(&config(), body.as_bytes());
        assert_eq!(exchange.text.as_deref(), Ok("{}"));
        let usage = exchange.usage.expect("usage");
        assert_eq!(usage.total_tokens, 1003, "the response's total, not a sum");
        assert_eq!(usage.model, "gpt-4o-mini");
    }

    #[test]
    fn a_refusal_or_a_cut_answer_is_not_read() {
        let refused = r#"{"choices":[{"message":{"content":null,"refusal":"I can't"},"finish_reason":"stop"}],
            "usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}"#;
        assert!(read_answer(&config(), refused.as_bytes()).text.is_err());
        let cut = r#"{"choices":[{"message":{"content":"{\"summ"},"finish_reason":"length"}]}"#;
        assert!(read_answer(&config(), cut.as_bytes()).text.is_err());
    }

    #[test]
    fn insufficient_quota_is_not_a_rate_limit() {
        let body = r#"{"error":{"message":"You exceeded your current quota","type":"insufficient_quota",
            "param":null,"code":"insufficient_quota"}}"#;
        assert_eq!(
            classify_failure(
                StatusCode::TOO_MANY_REQUESTS,
                &HeaderMap::new(),
                body.as_bytes()
            ),
            CallError::QuotaExhausted {
                status: 429,
                code: "insufficient_quota".to_owned()
            }
        );
        let spend =
            r#"{"error":{"type":"insufficient_quota","code":"project_spend_limit_exceeded"}}"#;
        assert!(matches!(
            classify_failure(StatusCode::TOO_MANY_REQUESTS, &HeaderMap::new(), spend.as_bytes()),
            CallError::QuotaExhausted { code, .. } if code == "project_spend_limit_exceeded"
        ));
    }

    #[test]
    fn a_rate_limit_is_retried_after_the_servers_delay() {
        let mut headers = HeaderMap::new();
        headers.insert("retry-after-ms", "1200".parse().expect("header"));
        let body = r#"{"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}}"#;
        assert_eq!(
            classify_failure(StatusCode::TOO_MANY_REQUESTS, &headers, body.as_bytes()),
            CallError::Throttled {
                status: 429,
                retry_after: Some(Duration::from_millis(1200))
            }
        );
        assert_eq!(
            classify_failure(
                StatusCode::UNAUTHORIZED,
                &headers,
                br#"{"error":{"type":"invalid_request_error","code":"invalid_api_key"}}"#
            ),
            CallError::Rejected {
                status: 401,
                code: Some("invalid_api_key".to_owned())
            }
        );
    }
}
