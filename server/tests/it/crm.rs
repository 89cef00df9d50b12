//! A CRM integration end to end, against a local mock of a custom JSON API: a director connects it
//! (credentials sealed, the stage mapping parsed), tests it, and the worker syncs leads and deals
//! into the company; a second sync of unchanged data rewrites nothing; a CRM that keeps failing
//! raises one IMPORT_FAILED alert. Managers and agents may not touch integrations.

use crate::common::{TestApp, api, email, json, test_keyring};
use axum::http::StatusCode;
use db::testing::TestDb;
use serde_json::{Value, json as j};
use server::jobs::{AiSettings, Worker};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const ACME: &str = "company-acme";

fn config(mock: &MockServer) -> String {
    j!({
        "leads": { "url": format!("{}/contacts", mock.uri()), "records_path": "data",
                   "fields": { "id": "id", "name": "name", "email": "email", "owner_email": "owner", "updated_at": "updated" } },
        "deals": { "url": format!("{}/deals", mock.uri()), "records_path": "data",
                   "fields": { "id": "id", "title": "title", "stage": "stage", "value": "amount",
                               "lead_id": "contact", "owner_email": "owner", "updated_at": "updated" } }
    })
    .to_string()
}

async fn mock_crm(mock: &MockServer) {
    Mock::given(method("GET"))
        .and(path("/contacts"))
        .and(header("x-api-key", "crm-secret"))
        .respond_with(ResponseTemplate::new(200).set_body_json(j!({ "data": [
            { "id": "c1", "name": "Paula Prado", "email": "paula@cliente.com.br", "owner": "agente1@acme.test", "updated": "2026-11-20T10:00:00Z" },
            { "id": "c2", "name": "Rui Reis", "email": "rui@cliente.com.br", "owner": null, "updated": "2026-11-21T10:00:00Z" }
        ] })))
        .mount(mock)
        .await;
    Mock::given(method("GET"))
        .and(path("/deals"))
        .and(header("x-api-key", "crm-secret"))
        .respond_with(ResponseTemplate::new(200).set_body_json(j!({ "data": [
            { "id": "d1", "title": "Frota Paula", "stage": "Fechando", "amount": "15000.00", "contact": "c1", "owner": "agente1@acme.test", "updated": "2026-11-22T10:00:00Z" }
        ] })))
        .mount(mock)
        .await;
}

async fn app_with_stages() -> TestApp {
    let app = TestApp::new().await;
    let mut tx = app.test.db.begin(&TestDb::system(ACME)).await.unwrap();
    app::company::server::insert_default_stages(&mut tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    app
}

/// A worker that opens credentials with the test app's keyring.
fn worker(app: &TestApp) -> Worker {
    let ai = AiSettings::new(
        test_keyring(),
        analyser::llm::PriceTable::default(),
        app::state::AiBaseUrls::default(),
        analyser::llm::RetryPolicy::none(),
    );
    Worker::new(app.test.db.clone(), ai).with_crm_http(crm::HttpSettings {
        allow_private_addresses: true,
        ..crm::HttpSettings::default()
    })
}

async fn connect(app: &TestApp, cookie: &str, mock: &MockServer) -> String {
    let config = config(mock);
    let reply = api(
        app,
        "integrations/crm",
        &[
            ("slug", "acme"),
            ("provider", "CUSTOM_API"),
            ("name", "CRM próprio"),
            ("token", "crm-secret"),
            ("auth_header_name", "x-api-key"),
            ("custom_config", &config),
            ("stage_mapping", "Fechando = negotiation"),
        ],
        Some(cookie),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    json(&reply).as_str().unwrap().to_owned()
}

async fn rows(
    app: &TestApp,
) -> (
    Vec<(String, Option<String>, chrono::DateTime<chrono::Utc>)>,
    Vec<(String, String, String, Option<String>)>,
) {
    let mut tx = app.test.db.begin(&TestDb::system(ACME)).await.unwrap();
    let leads = sqlx::query_as("SELECT external_id, owner_id, updated_at FROM leads WHERE company_id = $1 ORDER BY external_id")
        .bind(ACME)
        .fetch_all(&mut *tx)
        .await
        .unwrap();
    let deals = sqlx::query_as("SELECT external_id, stage, value::text, owner_id FROM deals WHERE company_id = $1 ORDER BY external_id")
        .bind(ACME)
        .fetch_all(&mut *tx)
        .await
        .unwrap();
    (leads, deals)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connected_crm_syncs_leads_and_deals_and_a_second_sync_changes_nothing() {
    let mock = MockServer::start().await;
    mock_crm(&mock).await;
    let app = app_with_stages().await;
    let director = app.session_for(&email("acme", "diretora")).await;
    let id = connect(&app, &director, &mock).await;

    // Sealed to its row, never listed back.
    let mut tx = app.test.db.begin(&TestDb::system(ACME)).await.unwrap();
    let (sealed, settings): (String, Value) = sqlx::query_as(
        "SELECT encrypted_config, settings FROM integrations WHERE company_id = $1 AND id = $2",
    )
    .bind(ACME)
    .bind(&id)
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    drop(tx);
    assert!(!sealed.contains("crm-secret"));
    let opened: Value = test_keyring()
        .open_json(
            &vault::Binding {
                company_id: ACME,
                integration_id: &id,
            },
            &sealed,
        )
        .unwrap();
    assert_eq!(opened["auth_header_value"], "crm-secret");
    assert_eq!(settings["stage_mapping"]["Fechando"], "negotiation");
    let listed = api(
        &app,
        "integrations/list",
        &[("slug", "acme")],
        Some(&director),
    )
    .await;
    assert!(!listed.body.contains("crm-secret"));

    let tested = api(
        &app,
        "integrations/test",
        &[("slug", "acme"), ("id", &id)],
        Some(&director),
    )
    .await;
    assert_eq!(json(&tested), j!("Works"), "{}", tested.body);

    worker(&app).drain().await.unwrap();
    let (leads, deals) = rows(&app).await;
    let ids: Vec<&str> = leads.iter().map(|l| l.0.as_str()).collect();
    assert_eq!(
        ids,
        ["custom:c1", "custom:c2"],
        "external ids namespaced by source"
    );
    assert_eq!(
        leads[0].1.as_deref(),
        Some("acme-agent1"),
        "owner matched by e-mail"
    );
    assert_eq!(leads[1].1, None);
    assert_eq!(
        deals,
        [(
            "custom:d1".to_owned(),
            "negotiation".to_owned(),
            "15000.00".to_owned(),
            Some("acme-agent1".to_owned())
        )],
        "the stage through the integration's mapping"
    );
    let logs = json(&api(&app, "imports/logs", &[("slug", "acme")], Some(&director)).await);
    assert_eq!(logs[0]["status"], "SUCCESS", "{logs}");
    assert_eq!(logs[0]["integration_name"], "CRM próprio");

    // The sync is recurring: its job waits for the next interval. Asked again now, nothing changes.
    let sync = api(
        &app,
        "integrations/sync",
        &[("slug", "acme"), ("id", &id)],
        Some(&director),
    )
    .await;
    assert_eq!(sync.status, StatusCode::OK, "{}", sync.body);
    worker(&app).drain().await.unwrap();
    let (again, deals_again) = rows(&app).await;
    assert_eq!(again, leads, "no row rewritten (updated_at unchanged)");
    assert_eq!(deals_again, deals);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_crm_raises_one_alert_and_only_directors_manage_integrations() {
    let mock = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401).set_body_json(j!({ "error": "bad key" })))
        .mount(&mock)
        .await;
    let app = app_with_stages().await;
    let director = app.session_for(&email("acme", "diretora")).await;
    let id = connect(&app, &director, &mock).await;
    let tested = api(
        &app,
        "integrations/test",
        &[("slug", "acme"), ("id", &id)],
        Some(&director),
    )
    .await;
    assert_eq!(json(&tested), j!("Unauthorized"));
    for _ in 0..2 {
        api(
            &app,
            "integrations/sync",
            &[("slug", "acme"), ("id", &id)],
            Some(&director),
        )
        .await;
        worker(&app).drain().await.unwrap();
    }
    let mut tx = app.test.db.begin(&TestDb::system(ACME)).await.unwrap();
    let alerts: Vec<(String, Option<String>)> =
        sqlx::query_as("SELECT type::text, user_id FROM alerts WHERE company_id = $1")
            .bind(ACME)
            .fetch_all(&mut *tx)
            .await
            .unwrap();
    let (status, error): (String, Option<String>) = sqlx::query_as(
        "SELECT status::text, last_error FROM integrations WHERE company_id = $1 AND id = $2",
    )
    .bind(ACME)
    .bind(&id)
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    drop(tx);
    assert_eq!(
        alerts,
        [("IMPORT_FAILED".to_owned(), None)],
        "one alert for the directors, not one per run"
    );
    assert_eq!(status, "ERROR");
    let error = error.expect("the reason");
    assert!(!error.contains("crm-secret"), "{error}");
    assert!(
        !error.contains("could not be opened"),
        "the CRM refused, not our keyring: {error}"
    );

    let manager = app.session_for(&email("acme", "gerente")).await;
    let agent = app.session_for(&email("acme", "agente1")).await;
    let globex = app.session_for(&email("globex", "diretora")).await;
    for (cookie, expected) in [
        (&manager, StatusCode::FORBIDDEN),
        (&agent, StatusCode::FORBIDDEN),
        (&globex, StatusCode::NOT_FOUND),
    ] {
        for (endpoint, fields) in [
            (
                "integrations/sync",
                vec![("slug", "acme"), ("id", id.as_str())],
            ),
            (
                "integrations/test",
                vec![("slug", "acme"), ("id", id.as_str())],
            ),
            (
                "integrations/crm",
                vec![
                    ("slug", "acme"),
                    ("provider", "HUBSPOT"),
                    ("name", "x"),
                    ("token", "t"),
                ],
            ),
        ] {
            assert_eq!(
                api(&app, endpoint, &fields, Some(cookie)).await.status,
                expected,
                "{endpoint}"
            );
        }
    }
    // Bad input names its field.
    let bad = api(
        &app,
        "integrations/crm",
        &[
            ("slug", "acme"),
            ("provider", "CUSTOM_API"),
            ("name", "x"),
            ("token", "t"),
            ("auth_header_name", "k"),
            ("custom_config", "{not json"),
        ],
        Some(&director),
    )
    .await;
    assert!(bad.body.contains("custom_config:json"), "{}", bad.body);
    let bad = api(
        &app,
        "integrations/crm",
        &[
            ("slug", "acme"),
            ("provider", "HUBSPOT"),
            ("name", "x"),
            ("token", "t"),
            ("stage_mapping", "closedwon = inexistente"),
        ],
        Some(&director),
    )
    .await;
    assert!(bad.body.contains("stage_mapping:stage:0"), "{}", bad.body);
}
