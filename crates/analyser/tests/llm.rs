//! The LLM providers against a local mock of each API: the request each one sends, how its answer
//! and usage are read, and what happens when the answer is invalid or the provider says "slow
//! down", "overloaded" or "out of quota". Retry delays are milliseconds here; only the tests that
//! check a server-requested delay is honoured wait for it.

use std::str::FromStr;
use std::time::{Duration, Instant};

use analyser::llm::{
    AnalysisSource, ApiKey, LlmAnalyser, LlmConfig, LlmOutcome, PriceTable, Provider, RetryPolicy,
    Usage,
};
use analyser::{
    Analysis, ConversationChannel, ConversationInput, ElementStatus, Methodology, MomentKind,
    Playbook, PlaybookObjection, PlaybookSection, SpeakerRole, analyse_conversation,
};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde_json::{Value, json};
use wiremock::matchers::{body_partial_json, header, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const KEY: &str = "test-key-4f9a";

/// A call in which budget and authority are covered, timing is only proposed and the need never
/// comes up; `fixtures/llm/bant_call_answer.json` is an answer that keeps every rule of the
/// prompt for it (the server's worker tests use both too).
const TRANSCRIPT: &str = include_str!("fixtures/llm/bant_call.txt");

fn input() -> ConversationInput {
    ConversationInput {
        channel: ConversationChannel::Call,
        agent_name: Some("Ana Souza".to_owned()),
        transcript: TRANSCRIPT.to_owned(),
        // A Tuesday: "quinta-feira" is the 14th.
        conversation_date: NaiveDate::from_ymd_opt(2024, 3, 12),
        language: None,
    }
}

fn playbook() -> Playbook {
    Playbook {
        methodology: Methodology::Bant,
        sections: vec![PlaybookSection {
            title: "Qualificação".to_owned(),
            questions: vec![
                "Quem assina o contrato?".to_owned(),
                "Qual é o orçamento disponível?".to_owned(),
            ],
        }],
        objections: vec![PlaybookObjection {
            objection: "Muito caro".to_owned(),
            response: "Mostre o retorno sobre o investimento.".to_owned(),
        }],
        competitors: vec![],
    }
}

fn builtin() -> Analysis {
    analyse_conversation(&input(), &playbook()).expect("the lexicon compiles")
}

/// An answer that keeps every rule of the prompt for the conversation above.
fn valid_answer() -> Value {
    serde_json::from_str(include_str!("fixtures/llm/bant_call_answer.json"))
        .expect("the fixture is JSON")
}

/// A well-formed answer that breaks a rule: the `need` element is left out.
fn invalid_answer() -> Value {
    let mut answer = valid_answer();
    let elements = answer["methodology_scores"]["elements"]
        .as_array_mut()
        .expect("elements");
    elements.retain(|e| e["key"] != "need");
    answer
}

fn model(provider: Provider) -> &'static str {
    match provider {
        Provider::Anthropic => "claude-haiku-4-5",
        Provider::OpenAi => "gpt-4o-mini",
        Provider::Gemini => "gemini-2.5-flash",
    }
}

fn api_path(provider: Provider) -> &'static str {
    match provider {
        Provider::Anthropic => "/v1/messages",
        Provider::OpenAi => "/v1/chat/completions",
        Provider::Gemini => "/v1beta/models/gemini-2.5-flash:generateContent",
    }
}

/// The provider's success response carrying `answer` as its text, with its own usage block.
fn success(provider: Provider, answer: &Value) -> ResponseTemplate {
    let text = answer.to_string();
    let body = match provider {
        Provider::Anthropic => json!({
            "id": "msg_01", "type": "message", "role": "assistant", "model": "claude-haiku-4-5",
            "content": [{ "type": "text", "text": text }],
            "stop_reason": "end_turn", "stop_sequence": null,
            "usage": { "input_tokens": 1200, "output_tokens": 340 }
        }),
        Provider::OpenAi => json!({
            "id": "chatcmpl-1", "object": "chat.completion", "model": "gpt-4o-mini-2024-07-18",
            "choices": [{ "index": 0, "finish_reason": "stop",
                          "message": { "role": "assistant", "content": text, "refusal": null } }],
            "usage": { "prompt_tokens": 1234, "completion_tokens": 567, "total_tokens": 1801 }
        }),
        Provider::Gemini => json!({
            "candidates": [{ "index": 0, "finishReason": "STOP",
                             "content": { "role": "model", "parts": [{ "text": text }] } }],
            "usageMetadata": { "promptTokenCount": 1000, "candidatesTokenCount": 200,
                               "thoughtsTokenCount": 300, "totalTokenCount": 1500 },
            "modelVersion": "gemini-2.5-flash"
        }),
    };
    ResponseTemplate::new(200).set_body_json(body)
}

/// The usage each provider's [`success`] reports, as the analyser should record it.
fn expected_usage(provider: Provider) -> Usage {
    let (prompt_tokens, completion_tokens, total_tokens) = match provider {
        // Anthropic has no total: input + output.
        Provider::Anthropic => (1200, 340, 1540),
        // OpenAI's own total, even where it is not the sum.
        Provider::OpenAi => (1234, 567, 1801),
        // Gemini: candidates + thoughts are completion; Google's total.
        Provider::Gemini => (1000, 500, 1500),
    };
    Usage {
        provider,
        model: model(provider).to_owned(),
        prompt_tokens,
        completion_tokens,
        total_tokens,
    }
}

/// The provider's "slow down" answer.
fn rate_limited(provider: Provider) -> ResponseTemplate {
    match provider {
        Provider::Anthropic => ResponseTemplate::new(429)
            .insert_header("retry-after", "1")
            .set_body_json(json!({ "type": "error",
                "error": { "type": "rate_limit_error", "message": "Number of request tokens has exceeded your per-minute rate limit" } })),
        Provider::OpenAi => ResponseTemplate::new(429)
            .insert_header("retry-after", "1")
            .set_body_json(json!({ "error": { "message": "Rate limit reached for gpt-4o-mini",
                "type": "requests", "param": null, "code": "rate_limit_exceeded" } })),
        Provider::Gemini => ResponseTemplate::new(429)
            .insert_header("retry-after", "1")
            .set_body_json(json!({ "error": { "code": 429, "status": "RESOURCE_EXHAUSTED",
                "message": "Resource has been exhausted (e.g. check quota)." } })),
    }
}

/// The provider's "your quota or credit is used up" answer.
fn quota_exhausted(provider: Provider) -> ResponseTemplate {
    match provider {
        Provider::Anthropic => ResponseTemplate::new(400).set_body_json(json!({ "type": "error",
            "error": { "type": "invalid_request_error",
                       "message": "Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits." } })),
        Provider::OpenAi => ResponseTemplate::new(429).set_body_json(json!({ "error": {
            "message": "You exceeded your current quota, please check your plan and billing details.",
            "type": "insufficient_quota", "param": null, "code": "insufficient_quota" } })),
        Provider::Gemini => ResponseTemplate::new(429).set_body_json(json!({ "error": {
            "code": 429, "status": "RESOURCE_EXHAUSTED",
            "message": "You exceeded your current quota, please check your plan and billing details.",
            "details": [{ "@type": "type.googleapis.com/google.rpc.QuotaFailure",
                          "violations": [{ "quotaMetric": "generativelanguage.googleapis.com/generate_content_requests",
                                           "quotaId": "GenerateRequestsPerDayPerProjectPerModel" }] }] } })),
    }
}

/// Retries in milliseconds: a server's "retry after 1 s" is capped at 40 ms.
fn fast_policy() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(2),
        max_delay: Duration::from_millis(40),
    }
}

fn analyser(provider: Provider, server: &MockServer, policy: RetryPolicy) -> LlmAnalyser {
    let mut config = LlmConfig::new(provider, model(provider), ApiKey::new(KEY));
    config.base_url = server.uri();
    LlmAnalyser::new(config, policy).expect("valid configuration")
}

/// Every request to `api_path` answers `response`, exactly `times` times.
async fn mount(server: &MockServer, provider: Provider, response: ResponseTemplate, times: u64) {
    Mock::given(method("POST"))
        .and(path(api_path(provider)))
        .respond_with(response)
        .expect(times)
        .mount(server)
        .await;
}

/// The first `first_times` requests answer `first`; later ones `then`.
async fn mount_sequence(
    server: &MockServer,
    provider: Provider,
    first: ResponseTemplate,
    first_times: u64,
    then: ResponseTemplate,
) {
    Mock::given(method("POST"))
        .and(path(api_path(provider)))
        .respond_with(first)
        .up_to_n_times(first_times)
        .expect(first_times)
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path(api_path(provider)))
        .respond_with(then)
        .expect(1)
        .mount(server)
        .await;
}

async fn analyse(analyser: &LlmAnalyser) -> LlmOutcome {
    analyser.analyse(&input(), &playbook(), builtin()).await
}

fn body_text(request: &Request) -> String {
    String::from_utf8(request.body.clone()).expect("a UTF-8 JSON body")
}

#[tokio::test]
async fn each_provider_is_called_in_its_own_request_shape() {
    for provider in Provider::ALL {
        let server = MockServer::start().await;
        let shape = match provider {
            Provider::Anthropic => Mock::given(method("POST"))
                .and(path("/v1/messages"))
                .and(header("x-api-key", KEY))
                .and(header("anthropic-version", "2023-06-01"))
                .and(body_partial_json(json!({
                    "model": "claude-haiku-4-5",
                    "max_tokens": 16000,
                    "messages": [{ "role": "user" }]
                }))),
            Provider::OpenAi => Mock::given(method("POST"))
                .and(path("/v1/chat/completions"))
                .and(header("authorization", format!("Bearer {KEY}").as_str()))
                .and(body_partial_json(json!({
                    "model": "gpt-4o-mini",
                    "response_format": { "type": "json_object" },
                    "messages": [{ "role": "system" }, { "role": "user" }]
                }))),
            Provider::Gemini => Mock::given(method("POST"))
                .and(path("/v1beta/models/gemini-2.5-flash:generateContent"))
                .and(header("x-goog-api-key", KEY))
                .and(body_partial_json(json!({
                    "generationConfig": { "responseMimeType": "application/json" },
                    "contents": [{ "role": "user" }]
                }))),
        };
        shape
            .respond_with(success(provider, &valid_answer()))
            .expect(1)
            .mount(&server)
            .await;

        let outcome = analyse(&analyser(provider, &server, fast_policy())).await;
        assert_eq!(
            outcome.source,
            AnalysisSource::Llm,
            "{provider}: {:?}",
            outcome.note
        );

        let requests = server.received_requests().await.expect("recording is on");
        let body = body_text(&requests[0]);
        assert!(
            body.contains("Quem assina é o Roberto, nosso diretor financeiro"),
            "{provider}: the transcript is sent"
        );
        assert!(
            body.contains("Muito caro"),
            "{provider}: the playbook is sent"
        );
        assert!(
            !body.contains("2024-03-12") && !body.contains(KEY),
            "{provider}: neither the conversation's date nor the key is in the body"
        );
        assert!(
            requests[0].url.query().is_none(),
            "{provider}: the key never goes in the URL"
        );
    }
}

#[tokio::test]
async fn a_valid_answer_becomes_the_analysis_with_its_usage() {
    for provider in Provider::ALL {
        let server = MockServer::start().await;
        mount(&server, provider, success(provider, &valid_answer()), 1).await;

        let outcome = analyse(&analyser(provider, &server, fast_policy())).await;

        assert_eq!(
            outcome.source,
            AnalysisSource::Llm,
            "{provider}: {:?}",
            outcome.note
        );
        assert_eq!(outcome.note, None);
        assert!(!outcome.rate_limited_gave_up && !outcome.quota_exhausted);
        assert_eq!(outcome.usages, vec![expected_usage(provider)], "{provider}");

        let a = &outcome.analysis;
        assert_eq!(
            a.analyser,
            format!(
                "llm/{provider}/{}/conversation_analysis_v1",
                model(provider)
            )
        );
        assert!(a.summary.starts_with("Ligação entre Ana Souza"));
        assert_eq!(
            a.transcript,
            builtin().transcript,
            "transcript reading is the built-in one"
        );

        let scores = &a.methodology_scores;
        let keys: Vec<&str> = scores.elements.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, ["budget", "authority", "need", "timeline"]);
        assert_eq!(
            scores.elements[0].label, "Orçamento",
            "labels in the conversation's language"
        );
        assert_eq!(scores.elements[2].status, ElementStatus::Missing);
        // Arithmetic is the built-in analyser's: mean of 85, 80, 0, 30; then 50% questions (2 of 2),
        // 35% elements, 15% objections (answered following the playbook).
        assert_eq!(scores.score, 48);
        assert_eq!(scores.playbook.questions_score, Some(100));
        assert_eq!(scores.playbook.objections_score, Some(100));
        assert_eq!(a.playbook_score, 82);

        // Quotes are the transcript's own text, with their place and speaker.
        let budget_quotes = &scores.elements[0].evidence;
        assert_eq!(budget_quotes.len(), 2);
        assert_eq!(
            budget_quotes[0].quote, "Vocês têm orçamento reservado para esse projeto?",
            "quotes in conversation order"
        );
        for e in budget_quotes {
            assert_eq!(&TRANSCRIPT[e.start..e.end], e.quote);
        }
        assert_eq!(budget_quotes[1].speaker.as_deref(), Some("Carlos Lima"));
        assert_eq!(budget_quotes[1].role, SpeakerRole::Customer);
        assert_eq!(budget_quotes[1].time.as_deref(), Some("00:00:41"));

        let objection = &scores.playbook.objections[0];
        assert_eq!(objection.label, "preço");
        assert_eq!(objection.playbook_objection.as_deref(), Some("Muito caro"));

        // Moments in conversation order; the next step's date read against the call's date.
        let kinds: Vec<MomentKind> = a.key_moments.iter().map(|m| m.kind).collect();
        assert_eq!(kinds, [MomentKind::Objection, MomentKind::NextStep]);
        let next_step = &a.key_moments[1];
        assert_eq!(next_step.date, NaiveDate::from_ymd_opt(2024, 3, 14));
        assert_eq!(next_step.date_text.as_deref(), Some("quinta-feira às 10h"));
        assert!(next_step.position_percent > a.key_moments[0].position_percent);
        assert_eq!(a.suggested_actions[0].element.as_deref(), Some("need"));
    }
}

#[tokio::test]
async fn an_invalid_answer_is_asked_for_again_once_and_both_calls_are_billed() {
    for provider in Provider::ALL {
        let server = MockServer::start().await;
        mount_sequence(
            &server,
            provider,
            success(provider, &invalid_answer()),
            1,
            success(provider, &valid_answer()),
        )
        .await;

        let outcome = analyse(&analyser(provider, &server, fast_policy())).await;

        assert_eq!(
            outcome.source,
            AnalysisSource::Llm,
            "{provider}: {:?}",
            outcome.note
        );
        assert_eq!(
            outcome.usages,
            vec![expected_usage(provider), expected_usage(provider)]
        );
        let requests = server.received_requests().await.expect("recording is on");
        assert_eq!(requests.len(), 2);
        assert!(!body_text(&requests[0]).contains("was rejected"));
        assert!(
            body_text(&requests[1]).contains(
                "was rejected: `methodology_scores.elements` must have each BANT element once"
            ),
            "{provider}: the second request says what was wrong"
        );
    }
}

#[tokio::test]
async fn two_invalid_answers_keep_the_built_in_analysis_with_a_note() {
    for provider in Provider::ALL {
        let server = MockServer::start().await;
        mount(&server, provider, success(provider, &invalid_answer()), 2).await;

        let outcome = analyse(&analyser(provider, &server, fast_policy())).await;

        assert_eq!(outcome.source, AnalysisSource::Builtin);
        assert_eq!(outcome.analysis, builtin());
        assert_eq!(
            outcome.usages.len(),
            2,
            "{provider}: both answers were billed"
        );
        let note = outcome.note.expect("a note says why");
        assert!(
            note.contains("gave no valid analysis in 2 answers")
                && note.contains("methodology_scores.elements")
                && note.ends_with("kept the built-in analysis"),
            "{note}"
        );
        assert!(!note.contains("Roberto"), "the note quotes nothing: {note}");
        assert!(!outcome.rate_limited_gave_up && !outcome.quota_exhausted);
    }
}

#[tokio::test]
async fn an_answer_quoting_words_not_in_the_transcript_is_rejected() {
    let provider = Provider::OpenAi;
    let server = MockServer::start().await;
    let mut invented = valid_answer();
    invented["sentiment_evidence"] = json!(["Adorei, vamos fechar hoje mesmo!"]);
    mount(&server, provider, success(provider, &invented), 2).await;

    let outcome = analyse(&analyser(provider, &server, fast_policy())).await;

    assert_eq!(outcome.source, AnalysisSource::Builtin);
    let note = outcome.note.expect("a note");
    assert!(
        note.contains("`sentiment_evidence[0]` is not an exact quote"),
        "{note}"
    );
    assert!(!note.contains("Adorei"), "{note}");
}

/// `valid_answer()` with one rule broken by `edit`, and what the note must say about it.
type BrokenRule = (fn(&mut Value), &'static str);

#[tokio::test]
async fn every_rule_of_the_prompt_is_checked() {
    let cases: [BrokenRule; 8] = [
        (
            |a| {
                a["summary"] = json!(
                    "A call between Ana Souza from sales and Carlos Lima. The customer has a budget of fifty thousand and the CFO signs; a demo is booked for Thursday."
                )
            },
            "`summary` is written in English, not in the conversation's language",
        ),
        (
            |a| a["sentiment_score"] = json!(10),
            "`sentiment` POSITIVE does not agree with `sentiment_score` 10",
        ),
        (
            |a| a["methodology_scores"]["methodology"] = json!("SPICED"),
            "`methodology_scores.methodology` is SPICED, the playbook's is BANT",
        ),
        (
            |a| a["methodology_scores"]["elements"][3]["score"] = json!(85),
            "`methodology_scores.elements[3].score` is 85 but a partial element scores 20–60",
        ),
        (
            |a| {
                let questions = &mut a["methodology_scores"]["playbook"]["questions"];
                let first = questions[0].take();
                questions[0] = questions[1].take();
                questions[1] = first;
            },
            "`methodology_scores.playbook.questions[0]` is not the playbook's question 1",
        ),
        (
            |a| a["methodology_scores"]["playbook"]["objections"][0]["response"] = json!(null),
            "`methodology_scores.playbook.objections[0].response` must be a quote exactly when `answered` is true",
        ),
        (
            |a| a["key_moments"][0]["date_text"] = json!("sexta-feira"),
            "`key_moments[0].date_text` is not inside its quote",
        ),
        (
            |a| a["suggested_actions"][0]["element"] = json!("pain"),
            "`suggested_actions[0].element` is not one of the element keys",
        ),
    ];
    for (edit, expected) in cases {
        let mut broken = valid_answer();
        edit(&mut broken);
        let server = MockServer::start().await;
        mount(
            &server,
            Provider::OpenAi,
            success(Provider::OpenAi, &broken),
            2,
        )
        .await;

        let outcome = analyse(&analyser(Provider::OpenAi, &server, fast_policy())).await;

        assert_eq!(outcome.source, AnalysisSource::Builtin, "{expected}");
        let note = outcome.note.expect("a note");
        assert!(note.contains(expected), "expected {expected:?} in {note:?}");
    }
}

#[tokio::test]
async fn a_rate_limit_with_retry_after_is_retried_then_succeeds() {
    for provider in Provider::ALL {
        let server = MockServer::start().await;
        mount_sequence(
            &server,
            provider,
            rate_limited(provider),
            1,
            success(provider, &valid_answer()),
        )
        .await;

        let outcome = analyse(&analyser(provider, &server, fast_policy())).await;

        assert_eq!(
            outcome.source,
            AnalysisSource::Llm,
            "{provider}: {:?}",
            outcome.note
        );
        assert_eq!(outcome.usages, vec![expected_usage(provider)]);
        assert!(!outcome.rate_limited_gave_up);
    }
}

#[tokio::test]
async fn the_delay_a_provider_asks_for_is_waited_before_retrying() {
    let policy = RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_secs(5),
    };
    // OpenAI says it in milliseconds.
    let server = MockServer::start().await;
    mount_sequence(
        &server,
        Provider::OpenAi,
        ResponseTemplate::new(429)
            .insert_header("retry-after-ms", "300")
            .set_body_json(
                json!({ "error": { "type": "requests", "code": "rate_limit_exceeded" } }),
            ),
        1,
        success(Provider::OpenAi, &valid_answer()),
    )
    .await;
    let started = Instant::now();
    let outcome = analyse(&analyser(Provider::OpenAi, &server, policy)).await;
    assert_eq!(outcome.source, AnalysisSource::Llm);
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn anthropic_overloaded_529_is_retried_then_succeeds() {
    let server = MockServer::start().await;
    mount_sequence(
        &server,
        Provider::Anthropic,
        ResponseTemplate::new(529).set_body_json(json!({ "type": "error",
            "error": { "type": "overloaded_error", "message": "Overloaded" } })),
        2,
        success(Provider::Anthropic, &valid_answer()),
    )
    .await;

    let outcome = analyse(&analyser(Provider::Anthropic, &server, fast_policy())).await;

    assert_eq!(outcome.source, AnalysisSource::Llm, "{:?}", outcome.note);
    assert_eq!(outcome.usages.len(), 1, "an overloaded answer has no usage");
}

#[tokio::test]
async fn gemini_retry_info_delay_is_honoured_then_succeeds() {
    let server = MockServer::start().await;
    mount_sequence(
        &server,
        Provider::Gemini,
        ResponseTemplate::new(429).set_body_json(json!({ "error": {
            "code": 429, "status": "RESOURCE_EXHAUSTED",
            "message": "You exceeded your current quota.",
            "details": [
                { "@type": "type.googleapis.com/google.rpc.QuotaFailure",
                  "violations": [{ "quotaId": "GenerateRequestsPerMinutePerProjectPerModel" }] },
                { "@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "0.25s" }
            ] } })),
        1,
        success(Provider::Gemini, &valid_answer()),
    )
    .await;
    let policy = RetryPolicy {
        max_attempts: 2,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_secs(5),
    };

    let started = Instant::now();
    let outcome = analyse(&analyser(Provider::Gemini, &server, policy)).await;

    assert_eq!(outcome.source, AnalysisSource::Llm, "{:?}", outcome.note);
    assert!(!outcome.quota_exhausted, "RetryInfo means it comes back");
    assert!(
        started.elapsed() >= Duration::from_millis(250),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn exhausted_quota_is_not_retried_and_is_flagged() {
    for provider in Provider::ALL {
        let server = MockServer::start().await;
        mount(&server, provider, quota_exhausted(provider), 1).await;

        let outcome = analyse(&analyser(provider, &server, fast_policy())).await;

        assert_eq!(outcome.source, AnalysisSource::Builtin, "{provider}");
        assert_eq!(outcome.analysis, builtin());
        assert!(outcome.quota_exhausted, "{provider}");
        assert!(!outcome.rate_limited_gave_up, "{provider}");
        assert!(outcome.usages.is_empty());
        let note = outcome.note.expect("a note");
        assert!(note.contains("quota or credit is used up"), "{note}");
        // `expect(1)` is checked when the server drops: exactly one request.
    }
}

#[tokio::test]
async fn a_persistent_rate_limit_gives_up_after_the_policys_attempts() {
    for provider in Provider::ALL {
        let server = MockServer::start().await;
        mount(&server, provider, rate_limited(provider), 3).await;

        let outcome = analyse(&analyser(provider, &server, fast_policy())).await;

        assert_eq!(outcome.source, AnalysisSource::Builtin, "{provider}");
        assert_eq!(outcome.analysis, builtin());
        assert!(outcome.rate_limited_gave_up, "{provider}");
        assert!(!outcome.quota_exhausted);
        assert!(outcome.usages.is_empty());
        let note = outcome.note.expect("a note");
        assert!(note.contains("HTTP 429"), "{note}");
    }
}

#[tokio::test]
async fn a_rejected_key_is_not_retried() {
    let server = MockServer::start().await;
    mount(
        &server,
        Provider::OpenAi,
        ResponseTemplate::new(401).set_body_json(json!({ "error": {
            "message": "Incorrect API key provided: test-key-4f9a.",
            "type": "invalid_request_error", "param": null, "code": "invalid_api_key" } })),
        1,
    )
    .await;

    let outcome = analyse(&analyser(Provider::OpenAi, &server, fast_policy())).await;

    assert_eq!(outcome.source, AnalysisSource::Builtin);
    assert!(!outcome.rate_limited_gave_up && !outcome.quota_exhausted);
    let note = outcome.note.expect("a note");
    assert!(note.contains("HTTP 401, invalid_api_key"), "{note}");
    assert!(
        !note.contains(KEY),
        "the provider's message is not kept: {note}"
    );
}

#[tokio::test]
async fn a_provider_that_cannot_be_reached_leaves_the_built_in_analysis() {
    let mut config = LlmConfig::new(Provider::Anthropic, "claude-haiku-4-5", ApiKey::new(KEY));
    // Port 9 (discard) on loopback: nothing listens, so the connection is refused at once.
    config.base_url = "http://127.0.0.1:9".to_owned();
    let analyser = LlmAnalyser::new(config, fast_policy()).expect("valid configuration");

    let outcome = analyse(&analyser).await;

    assert_eq!(outcome.source, AnalysisSource::Builtin);
    assert_eq!(
        outcome.note.as_deref(),
        Some("could not connect to anthropic; kept the built-in analysis")
    );
    assert!(!outcome.rate_limited_gave_up && !outcome.quota_exhausted);
}

#[tokio::test]
async fn recorded_usage_is_priced_exactly_by_the_shipped_table() {
    let prices = PriceTable::shipped().expect("prompts/prices.toml is valid");
    let mut costs = Vec::new();
    for provider in Provider::ALL {
        let server = MockServer::start().await;
        mount(&server, provider, success(provider, &valid_answer()), 1).await;
        let outcome = analyse(&analyser(provider, &server, fast_policy())).await;
        let estimate = prices.estimate(&outcome.usages[0]);
        assert!(estimate.priced, "{provider}");
        costs.push((provider, estimate.estimated_cost_usd));
    }
    let usd = |s: &str| Decimal::from_str(s).expect("decimal");
    assert_eq!(
        costs,
        vec![
            // 1 200 × $1.00 + 340 × $5.00, per million.
            (Provider::Anthropic, usd("0.0029")),
            // 1 234 × $0.15 + 567 × $0.60, per million.
            (Provider::OpenAi, usd("0.0005253")),
            // 1 000 × $0.30 + (200 + 300 thinking) × $2.50, per million.
            (Provider::Gemini, usd("0.00155")),
        ]
    );

    let unknown = Usage {
        model: "gpt-99-preview".to_owned(),
        ..expected_usage(Provider::OpenAi)
    };
    let estimate = prices.estimate(&unknown);
    assert!(!estimate.priced);
    assert_eq!(estimate.estimated_cost_usd, Decimal::ZERO);
}

fn model_path(provider: Provider) -> String {
    match provider {
        Provider::Gemini => format!("/v1beta/models/{}", model(provider)),
        _ => format!("/v1/models/{}", model(provider)),
    }
}

#[tokio::test]
async fn a_connection_test_asks_for_the_model_once_and_names_what_is_wrong() {
    use analyser::llm::ConnectionProblem;
    for provider in Provider::ALL {
        let cases: [(u16, Value, Result<(), ConnectionProblem>); 5] = [
            (200, json!({ "id": model(provider) }), Ok(())),
            (
                401,
                json!({ "error": { "type": "authentication_error" } }),
                Err(ConnectionProblem::Unauthorized),
            ),
            (
                404,
                json!({ "error": { "type": "not_found_error" } }),
                Err(ConnectionProblem::UnknownModel),
            ),
            (
                500,
                json!({ "error": { "type": "api_error" } }),
                Err(ConnectionProblem::Unreachable),
            ),
            (
                429,
                json!({ "error": { "type": "rate_limit_error", "status": "RESOURCE_EXHAUSTED",
                                     "details": [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "1s" }] } }),
                Err(ConnectionProblem::RateLimited),
            ),
        ];
        for (status, body, expected) in cases {
            let server = MockServer::start().await;
            let auth = match provider {
                Provider::Anthropic => header("x-api-key", KEY),
                Provider::OpenAi => header("authorization", format!("Bearer {KEY}").as_str()),
                Provider::Gemini => header("x-goog-api-key", KEY),
            };
            Mock::given(method("GET"))
                .and(path(model_path(provider)))
                .and(auth)
                .respond_with(ResponseTemplate::new(status).set_body_json(body))
                .expect(1)
                .mount(&server)
                .await;
            let checked = analyser(provider, &server, RetryPolicy::none())
                .check_connection()
                .await;
            assert_eq!(checked, expected, "{provider} answering {status}");
        }
    }
}
