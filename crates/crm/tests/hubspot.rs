//! HubSpot CRM v3 against a mock that pages with `paging.next.after`, checks the Bearer token and
//! limits the rate the way HubSpot does.

mod common;

use common::{distinct_ids, settings, since, sync};
use crm::hubspot::HubSpotConnector;
use crm::{
    ConnectionProblem, Connector, CrmError, DealOutcome, HubSpotCredentials, Object, Secret,
};
use rust_decimal::Decimal;
use serde_json::{Value, json};
use wiremock::matchers::{
    body_partial_json, header, method, path, query_param, query_param_contains,
    query_param_is_missing,
};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "pat-na1-test-token";

fn connector(server: &MockServer) -> Connector {
    let credentials = HubSpotCredentials {
        access_token: Secret::new(TOKEN),
    };
    Connector::HubSpot(
        HubSpotConnector::new(credentials, &settings())
            .and_then(|c| c.with_base_url(&server.uri()))
            .expect("a connector"),
    )
}

fn authorised() -> wiremock::matchers::HeaderExactMatcher {
    header("authorization", format!("Bearer {TOKEN}").as_str())
}

fn contact(id: u32) -> Value {
    json!({
        "id": id.to_string(),
        "properties": {
            "firstname": "Contact",
            "lastname": id.to_string(),
            "email": format!("contact{id}@client.com.br"),
            "phone": "+55 11 99999-0000",
            "company": "Cliente SA",
            "jobtitle": "CFO",
            "hs_lead_status": "OPEN",
            "hubspot_owner_id": if id.is_multiple_of(2) { "502" } else { "501" },
            "lastmodifieddate": "2024-05-02T10:00:00.000Z",
            "hs_object_id": id.to_string(),
            "favourite_colour": "blue",
        },
        "createdAt": "2024-01-01T00:00:00.000Z",
        "updatedAt": "2024-05-02T10:00:00.000Z",
        "archived": false,
    })
}

fn deal(id: u32, with_association: bool) -> Value {
    let mut deal = json!({
        "id": id.to_string(),
        "properties": {
            "dealname": format!("Deal {id}"),
            "dealstage": if id == 1 { "closedwon" } else { "appointmentscheduled" },
            "pipeline": "default",
            "amount": "15000.50",
            "deal_currency_code": "BRL",
            "closedate": "2024-06-30T00:00:00Z",
            "hs_is_closed": if id == 1 { "true" } else { "false" },
            "hs_is_closed_won": if id == 1 { "true" } else { "false" },
            "hubspot_owner_id": "501",
            "hs_lastmodifieddate": "2024-05-02T10:00:00.000Z",
        },
        "updatedAt": "2024-05-02T10:00:00.000Z",
    });
    if with_association {
        deal["associations"] = json!({"contacts": {"results": [{"id": (100 + id).to_string(), "type": "deal_to_contact"}]}});
    }
    deal
}

fn page(results: Vec<Value>, after: Option<&str>) -> ResponseTemplate {
    let mut body = json!({ "results": results });
    if let Some(after) = after {
        body["paging"] = json!({"next": {"after": after, "link": "ignored"}});
    }
    ResponseTemplate::new(200).set_body_json(body)
}

async fn mount_lookups(server: &MockServer) {
    Mock::given(method("GET"))
        .and(path("/crm/v3/owners"))
        .and(authorised())
        .and(query_param_is_missing("after"))
        .respond_with(page(
            vec![json!({"id": "501", "email": "Ana@Acme.com.br"})],
            Some("1"),
        ))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/crm/v3/owners"))
        .and(authorised())
        .and(query_param("after", "1"))
        .respond_with(page(
            vec![json!({"id": "502", "email": "bruno@acme.com.br"})],
            None,
        ))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/crm/v3/pipelines/deals"))
        .and(authorised())
        .respond_with(page(
            vec![json!({"id": "default", "label": "Sales", "stages": [
                {"id": "appointmentscheduled", "label": "Appointment scheduled"},
                {"id": "closedwon", "label": "Closed won"},
            ]})],
            None,
        ))
        .mount(server)
        .await;
}

/// Three pages of contacts: 1-2, 3-4, 5.
async fn mount_contact_pages(server: &MockServer, third_page: bool) {
    let list = || {
        Mock::given(method("GET"))
            .and(path("/crm/v3/objects/contacts"))
            .and(authorised())
            .and(query_param_contains("properties", "hubspot_owner_id"))
    };
    list()
        .and(query_param_is_missing("after"))
        .respond_with(page(vec![contact(1), contact(2)], Some("2")))
        .mount(server)
        .await;
    list()
        .and(query_param("after", "2"))
        .respond_with(page(vec![contact(3), contact(4)], Some("4")))
        .mount(server)
        .await;
    if third_page {
        list()
            .and(query_param("after", "4"))
            .respond_with(page(vec![contact(5)], None))
            .mount(server)
            .await;
    }
}

#[tokio::test]
async fn a_full_sync_reads_every_contact_page_with_namespaced_ids_and_owner_emails() {
    let server = MockServer::start().await;
    mount_lookups(&server).await;
    mount_contact_pages(&server, true).await;

    let run = sync(&connector(&server), Object::Leads, None, None).await;

    assert!(run.error.is_none(), "{:?}", run.error);
    assert_eq!(run.pages, 3);
    assert_eq!(
        distinct_ids(&[&run]),
        [
            "hubspot:1",
            "hubspot:2",
            "hubspot:3",
            "hubspot:4",
            "hubspot:5"
        ]
    );
    let first = run.records[0].as_lead().expect("a lead");
    assert_eq!(first.name, "Contact 1");
    assert_eq!(first.email.as_deref(), Some("contact1@client.com.br"));
    assert_eq!(first.company_name.as_deref(), Some("Cliente SA"));
    assert_eq!(first.position.as_deref(), Some("CFO"));
    assert_eq!(first.owner_email.as_deref(), Some("Ana@Acme.com.br"));
    assert_eq!(
        first.custom_fields.get("favourite_colour"),
        Some(&json!("blue"))
    );
    let second = run.records[1].as_lead().expect("a lead");
    assert_eq!(second.owner_email.as_deref(), Some("bruno@acme.com.br"));
}

#[tokio::test]
async fn a_full_sync_reads_every_deal_page_with_stage_amount_owner_and_contact() {
    let server = MockServer::start().await;
    mount_lookups(&server).await;
    let list = || {
        Mock::given(method("GET"))
            .and(path("/crm/v3/objects/deals"))
            .and(authorised())
            .and(query_param("associations", "contacts"))
            .and(query_param_contains("properties", "dealstage"))
    };
    list()
        .and(query_param_is_missing("after"))
        .respond_with(page(vec![deal(1, true)], Some("a")))
        .mount(&server)
        .await;
    list()
        .and(query_param("after", "a"))
        .respond_with(page(vec![deal(2, true)], Some("b")))
        .mount(&server)
        .await;
    list()
        .and(query_param("after", "b"))
        .respond_with(page(vec![deal(3, false)], None))
        .mount(&server)
        .await;

    let run = sync(&connector(&server), Object::Deals, None, None).await;

    assert!(run.error.is_none(), "{:?}", run.error);
    assert_eq!(
        distinct_ids(&[&run]),
        ["hubspot:1", "hubspot:2", "hubspot:3"]
    );
    let won = run.records[0].as_deal().expect("a deal");
    assert_eq!(won.title, "Deal 1");
    assert_eq!(won.stage_external.as_deref(), Some("closedwon"));
    assert_eq!(won.stage_label.as_deref(), Some("Closed won"));
    assert_eq!(won.outcome, Some(DealOutcome::Won));
    assert_eq!(won.value, Some(Decimal::new(1_500_050, 2)));
    assert_eq!(won.currency.as_deref(), Some("BRL"));
    assert!(won.closed_at.is_some());
    assert_eq!(won.owner_email.as_deref(), Some("Ana@Acme.com.br"));
    assert_eq!(won.lead_external_id.as_deref(), Some("hubspot:101"));
    assert_eq!(won.custom_fields.get("pipeline"), Some(&json!("default")));
    let open = run.records[1].as_deal().expect("a deal");
    assert_eq!(open.outcome, None);
    assert_eq!(open.closed_at, None);
    assert!(open.expected_close_at.is_some());
    assert_eq!(
        run.records[2].as_deal().expect("a deal").lead_external_id,
        None
    );
}

#[tokio::test]
async fn an_incremental_sync_searches_from_the_mark_and_asks_for_the_deals_contacts() {
    let server = MockServer::start().await;
    mount_lookups(&server).await;
    let mark = since().timestamp_millis().to_string();
    let search = || {
        Mock::given(method("POST"))
            .and(path("/crm/v3/objects/deals/search"))
            .and(authorised())
            .and(body_partial_json(json!({
                "filterGroups": [{"filters": [{
                    "propertyName": "hs_lastmodifieddate",
                    "operator": "GTE",
                    "value": mark,
                }]}],
                "sorts": [{"propertyName": "hs_lastmodifieddate", "direction": "ASCENDING"}],
            })))
    };
    search()
        .respond_with(page(vec![deal(7, false), deal(8, false)], Some("2")))
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    search()
        .and(body_partial_json(json!({"after": "2"})))
        .respond_with(page(vec![deal(9, false)], None))
        .with_priority(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/crm/v4/associations/deals/contacts/batch/read"))
        .and(authorised())
        .respond_with(|request: &wiremock::Request| {
            let body: Value = serde_json::from_slice(&request.body).expect("json");
            let results: Vec<Value> = body["inputs"]
                .as_array()
                .expect("inputs")
                .iter()
                .map(|input| {
                    let id: u64 = input["id"].as_str().expect("id").parse().expect("number");
                    json!({"from": {"id": id.to_string()}, "to": [{"toObjectId": 900 + id, "associationTypes": []}]})
                })
                .collect();
            ResponseTemplate::new(200).set_body_json(json!({"status": "COMPLETE", "results": results}))
        })
        .expect(2)
        .mount(&server)
        .await;

    let run = sync(&connector(&server), Object::Deals, Some(since()), None).await;

    assert!(run.error.is_none(), "{:?}", run.error);
    assert_eq!(
        distinct_ids(&[&run]),
        ["hubspot:7", "hubspot:8", "hubspot:9"]
    );
    let contacts: Vec<_> = run
        .records
        .iter()
        .map(|r| r.as_deal().and_then(|d| d.lead_external_id.clone()))
        .collect();
    assert_eq!(
        contacts,
        [
            Some("hubspot:907".to_owned()),
            Some("hubspot:908".to_owned()),
            Some("hubspot:909".to_owned())
        ]
    );
}

#[tokio::test]
async fn a_429_is_waited_out_and_the_sync_completes() {
    let server = MockServer::start().await;
    mount_lookups(&server).await;
    Mock::given(method("GET"))
        .and(path("/crm/v3/objects/contacts"))
        .and(query_param("after", "2"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("x-hubspot-ratelimit-remaining", "0")
                .insert_header("x-hubspot-ratelimit-interval-milliseconds", "20")
                .set_body_json(json!({"status": "error", "errorType": "RATE_LIMIT", "policyName": "TEN_SECONDLY_ROLLING"})),
        )
        .up_to_n_times(2)
        .expect(2)
        .with_priority(1)
        .mount(&server)
        .await;
    mount_contact_pages(&server, true).await;

    let run = sync(&connector(&server), Object::Leads, None, None).await;

    assert!(run.error.is_none(), "{:?}", run.error);
    assert_eq!(run.ids().len(), 5);
}

#[tokio::test]
async fn the_daily_limit_is_not_retried_and_says_so() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/crm/v3/objects/contacts"))
        .respond_with(ResponseTemplate::new(429).set_body_json(
            json!({"status": "error", "errorType": "RATE_LIMIT", "policyName": "DAILY"}),
        ))
        .expect(1)
        .mount(&server)
        .await;

    let run = sync(&connector(&server), Object::Leads, None, None).await;

    assert!(
        matches!(run.error, Some(CrmError::RateLimited { .. })),
        "{:?}",
        run.error
    );
}

#[tokio::test]
async fn a_page_that_keeps_failing_stops_the_run_after_the_earlier_pages_and_a_resume_fetches_the_rest()
 {
    let server = MockServer::start().await;
    mount_lookups(&server).await;
    mount_contact_pages(&server, false).await;
    let failing = Mock::given(method("GET"))
        .and(path("/crm/v3/objects/contacts"))
        .and(query_param("after", "4"))
        .respond_with(ResponseTemplate::new(500))
        .expect(3) // the first attempt and two retries
        .mount_as_scoped(&server)
        .await;

    let first = sync(&connector(&server), Object::Leads, None, None).await;

    assert_eq!(
        first.error,
        Some(CrmError::ServerError {
            provider: crm::Provider::HubSpot,
            status: 500
        })
    );
    assert_eq!(
        first.ids(),
        ["hubspot:1", "hubspot:2", "hubspot:3", "hubspot:4"]
    );
    drop(failing);
    Mock::given(method("GET"))
        .and(path("/crm/v3/objects/contacts"))
        .and(authorised())
        .and(query_param("after", "4"))
        .respond_with(page(vec![contact(5)], None))
        .expect(1)
        .mount(&server)
        .await;

    let resumed = sync(
        &connector(&server),
        Object::Leads,
        None,
        first.stored.clone(),
    )
    .await;

    assert!(resumed.error.is_none(), "{:?}", resumed.error);
    assert_eq!(resumed.ids(), ["hubspot:5"]);
    assert_eq!(distinct_ids(&[&first, &resumed]).len(), 5);
}

#[tokio::test]
async fn a_refused_token_is_not_retried_and_the_test_says_to_reconnect() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/crm/v3/objects/contacts"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({
            "status": "error",
            "message": "Authentication credentials not found.",
            "category": "INVALID_AUTHENTICATION",
        })))
        .expect(2)
        .mount(&server)
        .await;
    let connector = connector(&server);

    let error = connector
        .fetch_page(Object::Leads, None, None)
        .await
        .expect_err("refused");
    let problem = connector.test_connection().await.expect_err("refused");

    assert_eq!(
        error,
        CrmError::Unauthorized {
            provider: crm::Provider::HubSpot,
            status: 401,
            code: Some("INVALID_AUTHENTICATION".into())
        }
    );
    assert!(!error.to_string().contains(TOKEN));
    assert_eq!(problem, ConnectionProblem::CredentialsRejected);
}

#[tokio::test]
async fn a_missing_scope_is_reported_as_a_missing_permission() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/crm/v3/objects/contacts"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"results": []})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/crm/v3/objects/deals"))
        .respond_with(
            ResponseTemplate::new(403)
                .set_body_json(json!({"status": "error", "category": "MISSING_SCOPES"})),
        )
        .expect(1)
        .mount(&server)
        .await;

    let problem = connector(&server)
        .test_connection()
        .await
        .expect_err("no deals scope");

    assert_eq!(problem, ConnectionProblem::PermissionMissing);
}

#[tokio::test]
async fn a_cursor_of_another_object_is_refused() {
    let server = MockServer::start().await;
    mount_lookups(&server).await;
    mount_contact_pages(&server, true).await;
    let connector = connector(&server);
    let page = connector
        .fetch_page(Object::Leads, None, None)
        .await
        .expect("a page");

    let error = connector
        .fetch_page(Object::Deals, page.next.as_ref(), None)
        .await
        .expect_err("a leads cursor for deals");

    assert_eq!(
        error,
        CrmError::InvalidCursor {
            provider: crm::Provider::HubSpot,
            object: Object::Deals
        }
    );
}
