//! The integrations page's server functions and the AI half of conversation analysis, over HTTP and
//! through the background worker: a DIRECTOR (and staff) add an AI provider whose key is sealed and
//! never shown again, test it, switch it; nobody else may (403 for a manager and an agent, 404 in
//! another tenant). With AI analysis on, the worker analyses through the provider (here a local mock
//! of OpenAI), records every call's tokens and cost in `ai_usage`, and a provider that keeps
//! refusing raises one AI_RATE_LIMIT alert while the built-in analysis fills in.

use crate::common::{TestApp, api, email, json, test_keyring};
use axum::http::StatusCode;
use db::testing::TestDb;
use serde_json::{Value, json as j};
use server::jobs::{AiSettings, Worker};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const KEY: &str = "sk-test-9b1c";

/// provider, model, prompt, completion and total tokens, cost, feature, month.
type UsageRow = (String, String, i32, i32, i32, String, String, String);

async fn app_with_openai(mock: &MockServer) -> TestApp {
    TestApp::with_ai_base_urls(app::state::AiBaseUrls {
        openai: Some(mock.uri()),
        ..Default::default()
    })
    .await
}

async fn integration_rows(app: &TestApp, company: &str) -> Vec<(String, String, String, Value)> {
    let mut tx = app.test.db.begin(&TestDb::system(company)).await.unwrap();
    sqlx::query_as(
        "SELECT id, status::text, encrypted_config, settings FROM integrations WHERE company_id = $1 ORDER BY created_at, id",
    )
    .bind(company)
    .fetch_all(&mut *tx)
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_directors_and_staff_manage_integrations_and_only_in_their_company() {
    let mock = MockServer::start().await;
    let app = app_with_openai(&mock).await;
    let director = app.session_for(&email("acme", "diretora")).await;
    let manager = app.session_for(&email("acme", "gerente")).await;
    let agent = app.session_for(&email("acme", "agente1")).await;
    let globex = app.session_for(&email("globex", "diretora")).await;
    let staff = app.session_for("suporte@performancy.dev").await;

    let form = [
        ("slug", "acme"),
        ("provider", "OPENAI"),
        ("name", "OpenAI produção"),
        ("api_key", KEY),
    ];
    for (who, cookie, expected) in [
        ("manager", &manager, StatusCode::FORBIDDEN),
        ("agent", &agent, StatusCode::FORBIDDEN),
        ("globex director", &globex, StatusCode::NOT_FOUND),
    ] {
        for (endpoint, fields) in [
            ("integrations/list", &[("slug", "acme")][..]),
            ("integrations/ai", &form[..]),
            ("conversations/reanalyse", &[("slug", "acme")][..]),
        ] {
            let reply = api(&app, endpoint, fields, Some(cookie)).await;
            assert_eq!(
                reply.status, expected,
                "{who} on {endpoint}: {}",
                reply.body
            );
        }
    }
    assert_eq!(
        api(&app, "integrations/list", &[("slug", "acme")], None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert!(
        integration_rows(&app, "company-acme").await.is_empty(),
        "a refused call wrote nothing"
    );

    let created = api(&app, "integrations/ai", &form, Some(&director)).await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    let id = json(&created).as_str().expect("the new id").to_owned();
    // The integration's id cannot be reached from another company, even by guessing it.
    for (endpoint, fields) in [
        (
            "integrations/status",
            &[("slug", "globex"), ("id", id.as_str()), ("active", "false")][..],
        ),
        (
            "integrations/test",
            &[("slug", "globex"), ("id", id.as_str())][..],
        ),
    ] {
        let reply = api(&app, endpoint, fields, Some(&globex)).await;
        assert_eq!(
            reply.status,
            StatusCode::NOT_FOUND,
            "{endpoint}: {}",
            reply.body
        );
    }
    let listed = api(&app, "integrations/list", &[("slug", "acme")], Some(&staff)).await;
    assert_eq!(
        listed.status,
        StatusCode::OK,
        "staff inside the tenant: {}",
        listed.body
    );
    let listed = json(&listed);
    assert_eq!(listed["integrations"][0]["id"], id.as_str());
    assert!(
        !listed.to_string().contains(KEY),
        "the key is never sent back"
    );
    let globex_list = api(
        &app,
        "integrations/list",
        &[("slug", "globex")],
        Some(&globex),
    )
    .await;
    assert_eq!(
        json(&globex_list)["integrations"],
        j!([]),
        "globex sees none of acme's"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_saved_key_is_sealed_to_its_row_kept_when_left_blank_and_never_audited() {
    let mock = MockServer::start().await;
    let app = app_with_openai(&mock).await;
    let director = app.session_for(&email("acme", "diretora")).await;

    // Refused input names its field and writes nothing.
    for (fields, field) in [
        (
            vec![("provider", "HUBSPOT"), ("name", "x"), ("api_key", KEY)],
            "provider",
        ),
        (
            vec![("provider", "OPENAI"), ("name", " "), ("api_key", KEY)],
            "name",
        ),
        (
            vec![
                ("provider", "OPENAI"),
                ("name", "x"),
                ("model", "gpt 4"),
                ("api_key", KEY),
            ],
            "model",
        ),
        (vec![("provider", "OPENAI"), ("name", "x")], "api_key"),
    ] {
        let mut form = vec![("slug", "acme")];
        form.extend(fields);
        let reply = api(&app, "integrations/ai", &form, Some(&director)).await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            reply.body
        );
        assert!(
            reply.body.contains(&format!("{field}:")),
            "{field}: {}",
            reply.body
        );
    }
    assert!(integration_rows(&app, "company-acme").await.is_empty());

    let created = api(
        &app,
        "integrations/ai",
        &[
            ("slug", "acme"),
            ("provider", "OPENAI"),
            ("name", "OpenAI"),
            ("api_key", KEY),
        ],
        Some(&director),
    )
    .await;
    let id = json(&created).as_str().expect("id").to_owned();
    let rows = integration_rows(&app, "company-acme").await;
    let (_, status, sealed, settings) = &rows[0];
    assert_eq!(status, "ACTIVE");
    assert_eq!(
        settings["model"], "gpt-4o-mini",
        "a blank model is the provider's default"
    );
    assert!(!sealed.contains(KEY), "stored sealed, not in clear");
    let keyring = test_keyring();
    let binding = vault::Binding {
        company_id: "company-acme",
        integration_id: &id,
    };
    let opened: Value = keyring
        .open_json(&binding, sealed)
        .expect("opens for its own row");
    assert_eq!(opened["api_key"], KEY);
    let elsewhere = vault::Binding {
        company_id: "company-globex",
        integration_id: &id,
    };
    assert!(
        keyring.open_json::<Value>(&elsewhere, sealed).is_err(),
        "a copy in another tenant does not open"
    );

    // Renaming with the key field blank keeps the key; a second AI integration becomes the active one.
    let renamed = api(
        &app,
        "integrations/ai",
        &[
            ("slug", "acme"),
            ("id", id.as_str()),
            ("provider", "OPENAI"),
            ("name", "OpenAI (vendas)"),
            ("model", "gpt-4.1-mini"),
        ],
        Some(&director),
    )
    .await;
    assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.body);
    let rows = integration_rows(&app, "company-acme").await;
    let opened: Value = keyring.open_json(&binding, &rows[0].2).expect("opens");
    assert_eq!(opened["api_key"], KEY, "the stored key was kept");
    assert_eq!(rows[0].3["model"], "gpt-4.1-mini");
    let second = api(
        &app,
        "integrations/ai",
        &[
            ("slug", "acme"),
            ("provider", "GEMINI"),
            ("name", "Gemini"),
            ("api_key", "AIza-other"),
        ],
        Some(&director),
    )
    .await;
    assert_eq!(second.status, StatusCode::OK);
    let statuses: Vec<String> = integration_rows(&app, "company-acme")
        .await
        .into_iter()
        .map(|r| r.1)
        .collect();
    assert_eq!(
        statuses,
        ["INACTIVE", "ACTIVE"],
        "one active AI integration at a time"
    );

    // The audit log has the changes, never the key.
    let mut tx = app
        .test
        .db
        .begin(&TestDb::system("company-acme"))
        .await
        .unwrap();
    let audit: Vec<(String, Value)> = sqlx::query_as(
        "SELECT action, coalesce(changes, '{}') FROM audit_logs WHERE company_id = 'company-acme' AND entity_type = 'integration' ORDER BY created_at",
    )
    .fetch_all(&mut *tx)
    .await
    .unwrap();
    drop(tx);
    assert_eq!(
        audit.iter().map(|a| a.0.as_str()).collect::<Vec<_>>(),
        ["create", "update", "create"]
    );
    for (_, changes) in &audit {
        let text = changes.to_string();
        assert!(
            !text.contains(KEY) && !text.contains("AIza-other"),
            "{text}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_test_says_whether_the_provider_takes_the_key() {
    let mock = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/models/gpt-4o-mini"))
        .and(header("authorization", format!("Bearer {KEY}").as_str()))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(j!({ "id": "gpt-4o-mini", "object": "model" })),
        )
        .mount(&mock)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/models/gpt-4o-mini"))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_json(j!({ "error": { "code": "invalid_api_key" } })),
        )
        .mount(&mock)
        .await;
    let app = app_with_openai(&mock).await;
    let director = app.session_for(&email("acme", "diretora")).await;
    let mut ids = Vec::new();
    for key in [KEY, "sk-wrong"] {
        let reply = api(
            &app,
            "integrations/ai",
            &[
                ("slug", "acme"),
                ("provider", "OPENAI"),
                ("name", key),
                ("api_key", key),
            ],
            Some(&director),
        )
        .await;
        ids.push(json(&reply).as_str().expect("id").to_owned());
    }
    let good = api(
        &app,
        "integrations/test",
        &[("slug", "acme"), ("id", &ids[0])],
        Some(&director),
    )
    .await;
    assert_eq!(json(&good), j!("Works"));
    let bad = api(
        &app,
        "integrations/test",
        &[("slug", "acme"), ("id", &ids[1])],
        Some(&director),
    )
    .await;
    assert_eq!(json(&bad), j!("Unauthorized"));
    let rows = integration_rows(&app, "company-acme").await;
    let mut tx = app
        .test
        .db
        .begin(&TestDb::system("company-acme"))
        .await
        .unwrap();
    let errors: Vec<Option<String>> = sqlx::query_scalar(
        "SELECT last_error FROM integrations WHERE company_id = 'company-acme' ORDER BY created_at, id",
    )
    .fetch_all(&mut *tx)
    .await
    .unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(
        errors,
        [None, Some("Unauthorized".to_owned())],
        "the failed test is shown on its row"
    );
}

// ------------------------------------------------------------------------------------------------
// The worker with an LLM provider.

/// The analyser's own LLM test call (budget and authority covered, the need never raised).
const TRANSCRIPT: &str = include_str!("../../../crates/analyser/tests/fixtures/llm/bant_call.txt");

/// An answer that keeps every rule of the prompt for TRANSCRIPT and the BANT playbook below.
fn valid_answer() -> Value {
    serde_json::from_str(include_str!(
        "../../../crates/analyser/tests/fixtures/llm/bant_call_answer.json"
    ))
    .expect("the fixture is JSON")
}

fn openai_success() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(j!({
        "id": "chatcmpl-1", "object": "chat.completion", "model": "gpt-4o-mini-2024-07-18",
        "choices": [{ "index": 0, "finish_reason": "stop",
                      "message": { "role": "assistant", "content": valid_answer().to_string(), "refusal": null } }],
        "usage": { "prompt_tokens": 1234, "completion_tokens": 567, "total_tokens": 1801 }
    }))
}

/// Acme with a BANT playbook, two calls on it, and OpenAI as its AI integration (through the API).
async fn acme_with_calls(app: &TestApp) {
    let mut tx = app
        .test
        .db
        .begin(&TestDb::system("company-acme"))
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO leads (company_id, id, name) VALUES ('company-acme', 'lead-1', 'Carlos Lima')",
    )
    .execute(&mut *tx)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO playbooks (company_id, id, name, function, methodology, status, content)
         VALUES ('company-acme', 'pb-1', 'Qualificação', 'SALES', 'BANT', 'ACTIVE', $1)",
    )
    .bind(j!({
        "sections": [{ "title": "Qualificação", "questions": ["Quem assina o contrato?", "Qual é o orçamento disponível?"] }],
        "objections": [{ "objection": "Muito caro", "response": "Mostre o retorno sobre o investimento." }]
    }))
    .execute(&mut *tx)
    .await
    .unwrap();
    for id in ["call-1", "call-2"] {
        sqlx::query(
            "INSERT INTO conversations (company_id, id, channel, user_id, lead_id, transcript, playbook_id, conversation_date)
             VALUES ('company-acme', $1, 'CALL', 'acme-agent1', 'lead-1', $2, 'pb-1', '2024-03-12T14:00:00Z')",
        )
        .bind(id)
        .bind(TRANSCRIPT)
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
}

fn worker_for(app: &TestApp, mock: &MockServer) -> Worker {
    let ai = AiSettings::new(
        test_keyring(),
        analyser::llm::PriceTable::shipped().expect("prices"),
        app::state::AiBaseUrls {
            openai: Some(mock.uri()),
            ..Default::default()
        },
        analyser::llm::RetryPolicy {
            max_attempts: 2,
            base_delay: std::time::Duration::from_millis(2),
            max_delay: std::time::Duration::from_millis(20),
        },
    );
    Worker::new(app.test.db.clone(), ai)
}

async fn add_openai(app: &TestApp) {
    let director = app.session_for(&email("acme", "diretora")).await;
    let reply = api(
        app,
        "integrations/ai",
        &[
            ("slug", "acme"),
            ("provider", "OPENAI"),
            ("name", "OpenAI"),
            ("api_key", KEY),
        ],
        Some(&director),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_ai_on_the_provider_analyses_and_every_call_is_priced_in_ai_usage() {
    let mock = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .and(header("authorization", format!("Bearer {KEY}").as_str()))
        .respond_with(openai_success())
        .expect(2)
        .mount(&mock)
        .await;
    let app = app_with_openai(&mock).await;
    acme_with_calls(&app).await;
    add_openai(&app).await;
    worker_for(&app, &mock).drain().await.expect("drain");

    let mut tx = app
        .test
        .db
        .begin(&TestDb::system("company-acme"))
        .await
        .unwrap();
    let analysed: Vec<(String, f64, String)> = sqlx::query_as(
        "SELECT analysed_by, playbook_score, summary FROM conversations WHERE company_id = 'company-acme' AND processed_at IS NOT NULL ORDER BY id",
    )
    .fetch_all(&mut *tx)
    .await
    .unwrap();
    let usage: Vec<UsageRow> = sqlx::query_as(
        "SELECT provider, model, prompt_tokens, completion_tokens, total_tokens, estimated_cost_usd::text, feature, period_month
         FROM ai_usage WHERE company_id = 'company-acme'",
    )
    .fetch_all(&mut *tx)
    .await
    .unwrap();
    drop(tx);
    assert_eq!(analysed.len(), 2);
    for (by, score, summary) in &analysed {
        assert_eq!(by, "llm/openai/gpt-4o-mini/conversation_analysis_v1");
        assert!((0.0..=100.0).contains(score));
        assert!(
            summary.starts_with("Ligação entre Ana Souza"),
            "the provider's summary: {summary}"
        );
    }
    assert_eq!(usage.len(), 2, "one row per call");
    let month = chrono::Utc::now().format("%Y-%m").to_string();
    for row in &usage {
        // gpt-4o-mini: 1234 × $0.15/M + 567 × $0.60/M = $0.0005253.
        assert_eq!(
            row,
            &(
                "openai".to_owned(),
                "gpt-4o-mini".to_owned(),
                1234,
                567,
                1801,
                "0.000525".to_owned(),
                "conversation_analysis".to_owned(),
                month.clone()
            )
        );
    }
    // Globex, with no AI integration, has no usage: the rows stay in their tenant.
    let mut tx = app
        .test
        .db
        .begin(&TestDb::system("company-globex"))
        .await
        .unwrap();
    let globex_usage: i64 = sqlx::query_scalar("SELECT count(*) FROM ai_usage")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert_eq!(globex_usage, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_ai_off_the_built_in_analyser_works_and_nothing_is_sent() {
    let mock = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(openai_success())
        .expect(0)
        .mount(&mock)
        .await;
    let app = app_with_openai(&mock).await;
    acme_with_calls(&app).await;
    add_openai(&app).await;
    let mut tx = app
        .test
        .db
        .begin(&TestDb::system("company-acme"))
        .await
        .unwrap();
    sqlx::query("UPDATE companies SET features = features || '{\"ai_analysis\": false}' WHERE id = 'company-acme'")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    worker_for(&app, &mock).drain().await.expect("drain");
    let mut tx = app
        .test
        .db
        .begin(&TestDb::system("company-acme"))
        .await
        .unwrap();
    let by: Vec<String> =
        sqlx::query_scalar("SELECT analysed_by FROM conversations WHERE processed_at IS NOT NULL")
            .fetch_all(&mut *tx)
            .await
            .unwrap();
    assert_eq!(by.len(), 2);
    assert!(by.iter().all(|b| b.starts_with("builtin")), "{by:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_provider_that_keeps_refusing_raises_one_alert_and_the_built_in_analysis_fills_in() {
    let mock = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "0")
                .set_body_json(
                    j!({ "error": { "type": "requests", "code": "rate_limit_exceeded" } }),
                ),
        )
        .mount(&mock)
        .await;
    let app = app_with_openai(&mock).await;
    acme_with_calls(&app).await;
    add_openai(&app).await;
    let worker = worker_for(&app, &mock);
    worker.drain().await.expect("drain");

    let alerts = || async {
        let mut tx = app
            .test
            .db
            .begin(&TestDb::system("company-acme"))
            .await
            .unwrap();
        let rows: Vec<(String, String, Option<String>)> = sqlx::query_as(
            "SELECT type::text, title, user_id FROM alerts WHERE company_id = 'company-acme'",
        )
        .fetch_all(&mut *tx)
        .await
        .unwrap();
        rows
    };
    let raised = alerts().await;
    assert_eq!(
        raised.len(),
        1,
        "one alert for the run, not one per retry: {raised:?}"
    );
    assert_eq!(raised[0].0, "AI_RATE_LIMIT");
    assert_eq!(raised[0].2, None, "addressed to the directors");

    let mut tx = app
        .test
        .db
        .begin(&TestDb::system("company-acme"))
        .await
        .unwrap();
    let rows: Vec<(String, Value)> = sqlx::query_as(
        "SELECT analysed_by, analysis_details FROM conversations WHERE processed_at IS NOT NULL ORDER BY id",
    )
    .fetch_all(&mut *tx)
    .await
    .unwrap();
    drop(tx);
    assert_eq!(rows.len(), 2, "both conversations still got an analysis");
    for (by, details) in &rows {
        assert!(by.starts_with("builtin"), "{by}");
        assert!(
            !details["notes"].as_array().expect("notes").is_empty(),
            "the reason is noted: {details}"
        );
    }
    // The provider was tried for the first conversation only (2 attempts), not hammered for each.
    assert_eq!(mock.received_requests().await.expect("recorded").len(), 2);

    // The integration shows when it was used and why its answer was not kept.
    let mut tx = app
        .test
        .db
        .begin(&TestDb::system("company-acme"))
        .await
        .unwrap();
    let (used, error): (Option<chrono::DateTime<chrono::Utc>>, Option<String>) = sqlx::query_as(
        "SELECT last_sync_at, last_error FROM integrations WHERE company_id = 'company-acme' AND status = 'ACTIVE'",
    )
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    drop(tx);
    assert!(used.is_some());
    assert!(
        error.expect("the reason").contains("429"),
        "names the status, not the conversation"
    );

    // A second run while the first alert is open raises no second one.
    let mut tx = app
        .test
        .db
        .begin(&TestDb::system("company-acme"))
        .await
        .unwrap();
    db::jobs::request_reanalysis(&mut tx).await.unwrap();
    tx.commit().await.unwrap();
    worker.drain().await.expect("drain");
    assert_eq!(alerts().await.len(), 1);
}
