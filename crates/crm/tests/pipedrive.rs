//! Pipedrive v2 against a mock that pages with `cursor`/`next_cursor`, checks the `x-api-token`
//! header and limits the rate with 429 and `x-ratelimit-reset`.

mod common;

use common::{distinct_ids, settings, since, sync};
use crm::pipedrive::PipedriveConnector;
use crm::{
    ConnectionProblem, Connector, CrmError, DealOutcome, Object, PipedriveCredentials, Provider,
    Secret,
};
use rust_decimal::Decimal;
use serde_json::{Value, json};
use wiremock::matchers::{header, method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "0123456789abcdef-pipedrive";

fn connector(server: &MockServer) -> Connector {
    let credentials = PipedriveCredentials {
        api_token: Secret::new(TOKEN),
        company_domain: "acme".into(),
    };
    Connector::Pipedrive(
        PipedriveConnector::new(credentials, &settings())
            .and_then(|c| c.with_base_url(&server.uri()))
            .expect("a connector"),
    )
}

fn authorised() -> wiremock::matchers::HeaderExactMatcher {
    header("x-api-token", TOKEN)
}

fn person(id: u32) -> Value {
    json!({
        "id": id,
        "name": format!("Pessoa {id}"),
        "first_name": "Pessoa",
        "last_name": id.to_string(),
        "owner_id": if id.is_multiple_of(2) { 12 } else { 11 },
        "org_id": 7,
        "emails": [
            {"value": format!("other{id}@client.com.br"), "primary": false, "label": "home"},
            {"value": format!("pessoa{id}@client.com.br"), "primary": true, "label": "work"},
        ],
        "phones": [{"value": "+55 11 3333-0000", "primary": true, "label": "work"}],
        "update_time": "2024-05-02T10:00:00Z",
        "add_time": "2024-01-01T00:00:00Z",
        "label_ids": [3],
        "custom_fields": {"a1b2c3d4e5": "Enterprise"},
    })
}

fn deal(id: u32) -> Value {
    json!({
        "id": id,
        "title": format!("Negócio {id}"),
        "owner_id": 11,
        "person_id": 100 + id,
        "org_id": 7,
        "pipeline_id": 1,
        "stage_id": if id == 1 { 3 } else { 1 },
        "value": 2500.75,
        "currency": "BRL",
        "status": if id == 1 { "won" } else { "open" },
        "expected_close_date": "2024-07-15",
        "won_time": if id == 1 { json!("2024-05-03T09:00:00Z") } else { Value::Null },
        "close_time": if id == 1 { json!("2024-05-03T09:00:00Z") } else { Value::Null },
        "update_time": "2024-05-03T09:00:00Z",
        "custom_fields": {},
    })
}

fn page(data: Vec<Value>, next_cursor: Option<&str>) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "success": true,
        "data": data,
        "additional_data": {"next_cursor": next_cursor},
    }))
}

/// The users and organisations every connector asks for once, whatever its number of pages.
async fn mount_lookups(server: &MockServer) {
    mount_lookups_for(server, 1).await;
}

async fn mount_lookups_for(server: &MockServer, connectors: u64) {
    Mock::given(method("GET"))
        .and(path("/api/v1/users"))
        .and(authorised())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "success": true,
            "data": [
                {"id": 11, "name": "Ana", "email": "ana@acme.com.br", "active_flag": true},
                {"id": 12, "name": "Bruno", "email": "bruno@acme.com.br", "active_flag": true},
            ],
        })))
        .expect(connectors)
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v2/stages"))
        .and(authorised())
        .respond_with(page(
            vec![
                json!({"id": 1, "name": "Qualificação", "pipeline_id": 1}),
                json!({"id": 3, "name": "Fechamento", "pipeline_id": 1}),
            ],
            None,
        ))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v2/organizations"))
        .and(authorised())
        .and(query_param("ids", "7"))
        .respond_with(page(vec![json!({"id": 7, "name": "Cliente SA"})], None))
        .expect(connectors) // remembered after the first page
        .mount(server)
        .await;
}

async fn mount_person_pages(server: &MockServer, third_page: bool) {
    let list = || {
        Mock::given(method("GET"))
            .and(path("/api/v2/persons"))
            .and(authorised())
            .and(query_param("limit", "500"))
    };
    list()
        .and(query_param_is_missing("cursor"))
        .respond_with(page(vec![person(1), person(2)], Some("c2")))
        .mount(server)
        .await;
    list()
        .and(query_param("cursor", "c2"))
        .respond_with(page(vec![person(3), person(4)], Some("c3")))
        .mount(server)
        .await;
    if third_page {
        list()
            .and(query_param("cursor", "c3"))
            .respond_with(page(vec![person(5)], None))
            .mount(server)
            .await;
    }
}

#[tokio::test]
async fn a_full_sync_reads_every_person_page_with_namespaced_ids_owner_emails_and_company() {
    let server = MockServer::start().await;
    mount_lookups(&server).await;
    mount_person_pages(&server, true).await;

    let run = sync(&connector(&server), Object::Leads, None, None).await;

    assert!(run.error.is_none(), "{:?}", run.error);
    assert_eq!(run.pages, 3);
    assert_eq!(
        distinct_ids(&[&run]),
        [
            "pipedrive:1",
            "pipedrive:2",
            "pipedrive:3",
            "pipedrive:4",
            "pipedrive:5"
        ]
    );
    let first = run.records[0].as_lead().expect("a lead");
    assert_eq!(first.name, "Pessoa 1");
    assert_eq!(first.email.as_deref(), Some("pessoa1@client.com.br"));
    assert_eq!(first.phone.as_deref(), Some("+55 11 3333-0000"));
    assert_eq!(first.company_name.as_deref(), Some("Cliente SA"));
    assert_eq!(first.owner_email.as_deref(), Some("ana@acme.com.br"));
    assert_eq!(
        first.custom_fields.get("a1b2c3d4e5"),
        Some(&json!("Enterprise"))
    );
    assert_eq!(first.custom_fields.get("label_ids"), Some(&json!([3])));
    let second = run.records[1].as_lead().expect("a lead");
    assert_eq!(second.owner_email.as_deref(), Some("bruno@acme.com.br"));
}

#[tokio::test]
async fn a_full_sync_reads_every_deal_page_with_stage_value_status_and_person() {
    let server = MockServer::start().await;
    mount_lookups(&server).await;
    let list = || {
        Mock::given(method("GET"))
            .and(path("/api/v2/deals"))
            .and(authorised())
    };
    list()
        .and(query_param_is_missing("cursor"))
        .respond_with(page(vec![deal(1)], Some("d2")))
        .mount(&server)
        .await;
    list()
        .and(query_param("cursor", "d2"))
        .respond_with(page(vec![deal(2)], Some("d3")))
        .mount(&server)
        .await;
    list()
        .and(query_param("cursor", "d3"))
        .respond_with(page(vec![deal(3)], None))
        .mount(&server)
        .await;

    let run = sync(&connector(&server), Object::Deals, None, None).await;

    assert!(run.error.is_none(), "{:?}", run.error);
    assert_eq!(
        distinct_ids(&[&run]),
        ["pipedrive:1", "pipedrive:2", "pipedrive:3"]
    );
    let won = run.records[0].as_deal().expect("a deal");
    assert_eq!(won.title, "Negócio 1");
    assert_eq!(won.stage_external.as_deref(), Some("3"));
    assert_eq!(won.stage_label.as_deref(), Some("Fechamento"));
    assert_eq!(won.outcome, Some(DealOutcome::Won));
    assert_eq!(won.value, Some(Decimal::new(250_075, 2)));
    assert_eq!(won.currency.as_deref(), Some("BRL"));
    assert!(won.closed_at.is_some());
    assert_eq!(won.owner_email.as_deref(), Some("ana@acme.com.br"));
    assert_eq!(won.lead_external_id.as_deref(), Some("pipedrive:101"));
    assert_eq!(won.organisation_name.as_deref(), Some("Cliente SA"));
    assert_eq!(won.custom_fields.get("pipeline_id"), Some(&json!(1)));
    let open = run.records[1].as_deal().expect("a deal");
    assert_eq!(open.outcome, None);
    assert_eq!(open.closed_at, None);
    assert_eq!(open.stage_label.as_deref(), Some("Qualificação"));
}

#[tokio::test]
async fn an_incremental_sync_sends_updated_since_on_every_page() {
    let server = MockServer::start().await;
    mount_lookups(&server).await;
    let list = || {
        Mock::given(method("GET"))
            .and(path("/api/v2/persons"))
            .and(authorised())
            .and(query_param("updated_since", "2024-05-01T12:30:00Z"))
    };
    list()
        .and(query_param_is_missing("cursor"))
        .respond_with(page(vec![person(8)], Some("n2")))
        .expect(1)
        .mount(&server)
        .await;
    list()
        .and(query_param("cursor", "n2"))
        .respond_with(page(vec![person(9)], None))
        .expect(1)
        .mount(&server)
        .await;

    let run = sync(&connector(&server), Object::Leads, Some(since()), None).await;

    assert!(run.error.is_none(), "{:?}", run.error);
    assert_eq!(run.ids(), ["pipedrive:8", "pipedrive:9"]);
}

#[tokio::test]
async fn a_429_is_waited_out_and_the_sync_completes() {
    let server = MockServer::start().await;
    mount_lookups(&server).await;
    Mock::given(method("GET"))
        .and(path("/api/v2/persons"))
        .and(query_param("cursor", "c3"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("x-ratelimit-limit", "40")
                .insert_header("x-ratelimit-remaining", "0")
                .insert_header("x-ratelimit-reset", "0")
                .set_body_json(json!({"success": false, "error": "Request over limit"})),
        )
        .up_to_n_times(1)
        .expect(1)
        .with_priority(1)
        .mount(&server)
        .await;
    mount_person_pages(&server, true).await;

    let run = sync(&connector(&server), Object::Leads, None, None).await;

    assert!(run.error.is_none(), "{:?}", run.error);
    assert_eq!(run.ids().len(), 5);
}

#[tokio::test]
async fn a_spent_daily_budget_stops_the_run_without_waiting_a_day() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v2/persons"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "36000")
                .set_body_json(json!({"success": false, "error": "Daily limit reached"})),
        )
        .expect(1)
        .mount(&server)
        .await;

    let run = sync(&connector(&server), Object::Leads, None, None).await;

    assert_eq!(
        run.error,
        Some(CrmError::RateLimited {
            provider: Provider::Pipedrive,
            retry_after: Some(std::time::Duration::from_secs(36000))
        })
    );
}

#[tokio::test]
async fn a_token_revoked_midway_stops_the_run_after_the_earlier_pages_and_a_resume_fetches_the_rest()
 {
    let server = MockServer::start().await;
    mount_lookups_for(&server, 2).await;
    mount_person_pages(&server, false).await;
    let revoked = Mock::given(method("GET"))
        .and(path("/api/v2/persons"))
        .and(query_param("cursor", "c3"))
        .respond_with(ResponseTemplate::new(401).set_body_json(
            json!({"success": false, "error": "unauthorized access", "errorCode": 401}),
        ))
        .expect(1) // a refused token is not asked again
        .mount_as_scoped(&server)
        .await;

    let first = sync(&connector(&server), Object::Leads, None, None).await;

    assert!(
        matches!(
            first.error,
            Some(CrmError::Unauthorized { status: 401, .. })
        ),
        "{:?}",
        first.error
    );
    assert_eq!(first.ids().len(), 4);
    drop(revoked);
    mount_person_pages(&server, true).await;

    let resumed = sync(
        &connector(&server),
        Object::Leads,
        None,
        first.stored.clone(),
    )
    .await;

    assert!(resumed.error.is_none(), "{:?}", resumed.error);
    assert_eq!(resumed.ids(), ["pipedrive:5"]);
    assert_eq!(distinct_ids(&[&first, &resumed]).len(), 5);
}

#[tokio::test]
async fn the_connection_test_asks_who_the_token_belongs_to() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/users/me"))
        .and(authorised())
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"success": true, "data": {"id": 11, "email": "ana@acme.com.br"}}),
        ))
        .expect(1)
        .mount(&server)
        .await;

    assert_eq!(connector(&server).test_connection().await, Ok(()));
}

#[tokio::test]
async fn a_wrong_token_fails_the_connection_test_once() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/users/me"))
        .respond_with(ResponseTemplate::new(401).set_body_json(
            json!({"success": false, "error": "unauthorized access", "errorCode": 401}),
        ))
        .expect(1)
        .mount(&server)
        .await;

    assert_eq!(
        connector(&server).test_connection().await,
        Err(ConnectionProblem::CredentialsRejected)
    );
}
