//! A custom JSON API read through configured paths, against a mock; and the refusal of URLs that
//! point at private, loopback or link-local addresses.

mod common;

use common::{distinct_ids, production_settings, settings, since, sync};
use crm::{
    ConnectionProblem, Connector, Credentials, CrmError, CustomApiConfig, CustomEndpoint,
    FieldPaths, Object, Provider, Secret,
};
use rust_decimal::Decimal;
use serde_json::{Value, json};
use wiremock::matchers::{header, method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

const KEY: &str = "custom-api-key-123";

fn lead_endpoint(url: String) -> CustomEndpoint {
    CustomEndpoint {
        url,
        records_path: "data.items".into(),
        next_cursor_path: Some("/meta/next".into()),
        cursor_param: "page_cursor".into(),
        next_url_path: None,
        since_param: None,
        fields: FieldPaths {
            id: "uid".into(),
            name: Some("person.full_name".into()),
            email: Some("person.contact.email".into()),
            phone: Some("/person/contact/phone".into()),
            company_name: Some("company".into()),
            position: Some("role".into()),
            status: Some("stage".into()),
            owner_email: Some("owner.email".into()),
            updated_at: Some("changed".into()),
            ..FieldPaths::default()
        },
    }
}

fn deal_endpoint(url: String) -> CustomEndpoint {
    CustomEndpoint {
        url,
        records_path: "".into(),
        next_cursor_path: None,
        cursor_param: "cursor".into(),
        next_url_path: None,
        since_param: None,
        fields: FieldPaths {
            id: "id".into(),
            title: Some("name".into()),
            stage: Some("pipeline.stage".into()),
            value: Some("amount".into()),
            currency: Some("currency".into()),
            expected_close_at: Some("expected".into()),
            owner_email: Some("seller".into()),
            lead_id: Some("contact_id".into()),
            organisation_name: Some("account".into()),
            updated_at: Some("changed".into()),
            ..FieldPaths::default()
        },
    }
}

fn config(leads: Option<CustomEndpoint>, deals: Option<CustomEndpoint>) -> CustomApiConfig {
    CustomApiConfig {
        auth_header_name: "X-Api-Key".into(),
        auth_header_value: Secret::new(KEY),
        leads,
        deals,
    }
}

fn connector(config: CustomApiConfig) -> Connector {
    Connector::new(Credentials::Custom(Box::new(config)), &settings()).expect("a connector")
}

fn lead(n: u32, changed: &str) -> Value {
    json!({
        "uid": format!("L-{n}"),
        "person": {"full_name": format!("Pessoa {n}"), "contact": {"email": format!("p{n}@client.com.br"), "phone": "+55 31 3000-0000"}},
        "company": "Cliente SA",
        "role": "Compras",
        "stage": "novo",
        "owner": {"email": "ana@acme.com.br"},
        "changed": changed,
        "tags": ["vip"],
    })
}

fn leads_page(items: Vec<Value>, next: Option<&str>) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "data": {"items": items},
        "meta": {"next": next},
    }))
}

async fn mount_lead_pages(server: &MockServer, third: bool) {
    let list = || {
        Mock::given(method("GET"))
            .and(path("/v1/leads"))
            .and(header("x-api-key", KEY))
            .and(query_param("view", "all"))
    };
    list()
        .and(query_param_is_missing("page_cursor"))
        .respond_with(leads_page(
            vec![
                lead(1, "2024-05-02T10:00:00Z"),
                lead(2, "2024-04-01T10:00:00Z"),
            ],
            Some("p2"),
        ))
        .mount(server)
        .await;
    list()
        .and(query_param("page_cursor", "p2"))
        .respond_with(leads_page(
            vec![lead(3, "2024-05-02T10:00:00Z")],
            Some("p3"),
        ))
        .mount(server)
        .await;
    if third {
        list()
            .and(query_param("page_cursor", "p3"))
            .respond_with(leads_page(vec![lead(4, "2024-05-02T10:00:00Z")], None))
            .mount(server)
            .await;
    }
}

fn leads_url(server: &MockServer) -> String {
    format!("{}/v1/leads?view=all", server.uri())
}

#[tokio::test]
async fn configured_paths_read_records_and_fields_over_every_cursor_page() {
    let server = MockServer::start().await;
    mount_lead_pages(&server, true).await;

    let run = sync(
        &connector(config(Some(lead_endpoint(leads_url(&server))), None)),
        Object::Leads,
        None,
        None,
    )
    .await;

    assert!(run.error.is_none(), "{:?}", run.error);
    assert_eq!(run.pages, 3);
    assert_eq!(
        distinct_ids(&[&run]),
        ["custom:L-1", "custom:L-2", "custom:L-3", "custom:L-4"]
    );
    let first = run.records[0].as_lead().expect("a lead");
    assert_eq!(first.name, "Pessoa 1");
    assert_eq!(first.email.as_deref(), Some("p1@client.com.br"));
    assert_eq!(first.phone.as_deref(), Some("+55 31 3000-0000"));
    assert_eq!(first.company_name.as_deref(), Some("Cliente SA"));
    assert_eq!(first.position.as_deref(), Some("Compras"));
    assert_eq!(first.status.as_deref(), Some("novo"));
    assert_eq!(first.owner_email.as_deref(), Some("ana@acme.com.br"));
    assert!(first.updated_at.is_some());
    assert_eq!(first.custom_fields.get("tags"), Some(&json!(["vip"])));
    assert!(!first.custom_fields.contains_key("person"));
}

#[tokio::test]
async fn a_next_page_url_in_the_answer_is_followed_relative_to_the_api() {
    let server = MockServer::start().await;
    let deals_page = |items: Vec<Value>, next: Option<&str>| {
        ResponseTemplate::new(200).set_body_json(json!({"results": items, "links": {"next": next}}))
    };
    let deal = |n: u32| {
        json!({
            "id": n, "name": format!("Deal {n}"), "pipeline": {"stage": "Proposta"},
            "amount": "9999.99", "currency": "brl", "expected": "2024-10-01",
            "seller": "bruno@acme.com.br", "contact_id": format!("L-{n}"), "account": "Cliente SA",
            "changed": 1_714_646_400,
        })
    };
    Mock::given(method("GET"))
        .and(path("/deals"))
        .and(header("x-api-key", KEY))
        .and(query_param_is_missing("page"))
        .respond_with(deals_page(vec![deal(1)], Some("/deals?page=2")))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/deals"))
        .and(query_param("page", "2"))
        .respond_with(deals_page(
            vec![deal(2)],
            Some(&format!("{}/deals?page=3", server.uri())),
        ))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/deals"))
        .and(query_param("page", "3"))
        .respond_with(deals_page(vec![deal(3)], None))
        .mount(&server)
        .await;
    let mut endpoint = deal_endpoint(format!("{}/deals", server.uri()));
    endpoint.records_path = "/results".into();
    endpoint.next_url_path = Some("links.next".into());

    let run = sync(
        &connector(config(None, Some(endpoint))),
        Object::Deals,
        None,
        None,
    )
    .await;

    assert!(run.error.is_none(), "{:?}", run.error);
    assert_eq!(distinct_ids(&[&run]), ["custom:1", "custom:2", "custom:3"]);
    let deal = run.records[0].as_deal().expect("a deal");
    assert_eq!(deal.title, "Deal 1");
    assert_eq!(deal.stage_external.as_deref(), Some("Proposta"));
    assert_eq!(deal.value, Some(Decimal::new(999_999, 2)));
    assert_eq!(deal.currency.as_deref(), Some("BRL"));
    assert_eq!(deal.owner_email.as_deref(), Some("bruno@acme.com.br"));
    assert_eq!(deal.lead_external_id.as_deref(), Some("custom:L-1"));
    assert_eq!(deal.organisation_name.as_deref(), Some("Cliente SA"));
    assert!(deal.expected_close_at.is_some() && deal.updated_at.is_some());
}

#[tokio::test]
async fn an_incremental_sync_sends_the_configured_since_parameter() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/leads"))
        .and(query_param("modified_after", "2024-05-01T12:30:00Z"))
        .respond_with(leads_page(vec![lead(7, "2024-05-02T10:00:00Z")], None))
        .expect(1)
        .mount(&server)
        .await;
    let mut endpoint = lead_endpoint(leads_url(&server));
    endpoint.since_param = Some("modified_after".into());

    let run = sync(
        &connector(config(Some(endpoint), None)),
        Object::Leads,
        Some(since()),
        None,
    )
    .await;

    assert!(run.error.is_none(), "{:?}", run.error);
    assert_eq!(run.ids(), ["custom:L-7"]);
}

#[tokio::test]
async fn without_a_since_parameter_older_records_are_filtered_out_here() {
    let server = MockServer::start().await;
    mount_lead_pages(&server, true).await;

    let run = sync(
        &connector(config(Some(lead_endpoint(leads_url(&server))), None)),
        Object::Leads,
        Some(since()),
        None,
    )
    .await;

    assert!(run.error.is_none(), "{:?}", run.error);
    assert_eq!(run.ids(), ["custom:L-1", "custom:L-3", "custom:L-4"]);
}

#[tokio::test]
async fn a_429_is_waited_out_and_the_sync_completes() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/leads"))
        .and(query_param("page_cursor", "p2"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "0"))
        .up_to_n_times(1)
        .expect(1)
        .with_priority(1)
        .mount(&server)
        .await;
    mount_lead_pages(&server, true).await;

    let run = sync(
        &connector(config(Some(lead_endpoint(leads_url(&server))), None)),
        Object::Leads,
        None,
        None,
    )
    .await;

    assert!(run.error.is_none(), "{:?}", run.error);
    assert_eq!(run.ids().len(), 4);
}

#[tokio::test]
async fn a_page_that_keeps_failing_stops_the_run_after_the_earlier_pages_and_a_resume_fetches_the_rest()
 {
    let server = MockServer::start().await;
    mount_lead_pages(&server, false).await;
    let failing = Mock::given(method("GET"))
        .and(path("/v1/leads"))
        .and(query_param("page_cursor", "p3"))
        .respond_with(ResponseTemplate::new(502))
        .expect(3)
        .mount_as_scoped(&server)
        .await;
    let connector = connector(config(Some(lead_endpoint(leads_url(&server))), None));

    let first = sync(&connector, Object::Leads, None, None).await;

    assert_eq!(
        first.error,
        Some(CrmError::ServerError {
            provider: Provider::Custom,
            status: 502
        })
    );
    assert_eq!(first.ids().len(), 3);
    drop(failing);
    mount_lead_pages(&server, true).await;

    let resumed = sync(&connector, Object::Leads, None, first.stored.clone()).await;

    assert!(resumed.error.is_none(), "{:?}", resumed.error);
    assert_eq!(resumed.ids(), ["custom:L-4"]);
    assert_eq!(distinct_ids(&[&first, &resumed]).len(), 4);
}

#[tokio::test]
async fn a_refused_key_is_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/leads"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"error": "invalid_key"})))
        .expect(1)
        .mount(&server)
        .await;

    let run = sync(
        &connector(config(Some(lead_endpoint(leads_url(&server))), None)),
        Object::Leads,
        None,
        None,
    )
    .await;

    assert_eq!(
        run.error,
        Some(CrmError::Unauthorized {
            provider: Provider::Custom,
            status: 401,
            code: Some("invalid_key".into())
        })
    );
}

#[tokio::test]
async fn urls_to_private_loopback_and_link_local_addresses_are_refused_without_the_flag() {
    for url in [
        "https://127.0.0.1/v1/leads",
        "http://127.0.0.1:8080/v1/leads",
        "https://10.0.0.7/v1/leads",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/v1/leads",
        "https://0.0.0.0/v1/leads",
        "https://localhost:9443/v1/leads",
    ] {
        let connector = Connector::new(
            Credentials::Custom(Box::new(config(Some(lead_endpoint(url.to_owned())), None))),
            &production_settings(),
        )
        .expect("a connector");

        let error = connector
            .fetch_page(Object::Leads, None, None)
            .await
            .expect_err("refused");
        let problem = connector.test_connection().await.expect_err("refused");

        assert!(
            matches!(error, CrmError::AddressNotAllowed { .. }),
            "{url}: {error:?}"
        );
        assert!(
            error
                .to_string()
                .contains("may only go to public addresses"),
            "{error}"
        );
        assert_eq!(problem, ConnectionProblem::AddressNotAllowed, "{url}");
    }
}

#[tokio::test]
async fn a_next_page_url_on_another_host_is_not_followed() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/deals"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "results": [{"id": 1, "name": "Deal 1"}],
            "links": {"next": "https://collector.example.net/deals?page=2"},
        })))
        .expect(1)
        .mount(&server)
        .await;
    let mut endpoint = deal_endpoint(format!("{}/deals", server.uri()));
    endpoint.records_path = "results".into();
    endpoint.next_url_path = Some("links.next".into());

    let error = connector(config(None, Some(endpoint)))
        .fetch_page(Object::Deals, None, None)
        .await
        .expect_err("another host");

    assert!(
        matches!(error, CrmError::InvalidResponse { ref detail, .. } if detail.contains("another host")),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_wrong_records_path_fails_the_connection_test_as_an_unexpected_answer() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/leads"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"rows": []})))
        .mount(&server)
        .await;
    let connector = connector(config(Some(lead_endpoint(leads_url(&server))), None));

    assert_eq!(
        connector.test_connection().await,
        Err(ConnectionProblem::UnexpectedAnswer)
    );
    assert!(!connector.supports(Object::Deals));
    assert_eq!(
        connector.fetch_page(Object::Deals, None, None).await,
        Err(CrmError::ObjectNotConfigured {
            object: Object::Deals
        })
    );
}

#[tokio::test]
async fn no_debug_output_shows_the_api_key() {
    let server = MockServer::start().await;
    let connector = connector(config(Some(lead_endpoint(leads_url(&server))), None));
    let credentials = Credentials::Custom(Box::new(config(
        Some(lead_endpoint(leads_url(&server))),
        None,
    )));

    for debug in [format!("{connector:?}"), format!("{credentials:?}")] {
        assert!(!debug.contains(KEY), "{debug}");
    }
}
