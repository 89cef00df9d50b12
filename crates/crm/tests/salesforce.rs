//! Salesforce REST against a mock that runs SOQL queries page by page through `nextRecordsUrl`,
//! checks the Bearer token, expires sessions and answers `REQUEST_LIMIT_EXCEEDED`.

mod common;

use common::{distinct_ids, settings, since, sync};
use crm::salesforce::SalesforceConnector;
use crm::{
    ConnectionProblem, Connector, Credentials, CrmError, DealOutcome, Object, Provider,
    SalesforceCredentials, Secret,
};
use rust_decimal::Decimal;
use serde_json::{Value, json};
use wiremock::matchers::{body_string_contains, header, method, path, query_param_contains};
use wiremock::{Mock, MockServer, ResponseTemplate};

const QUERY: &str = "/services/data/v62.0/query";

fn credentials(server: &MockServer, access_token: Option<&str>) -> SalesforceCredentials {
    SalesforceCredentials {
        client_id: "3MVG9-client".into(),
        client_secret: Secret::new("sf-client-secret"),
        refresh_token: Secret::new("5Aep-refresh"),
        instance_url: server.uri(),
        login_url: server.uri(),
        access_token: access_token.map(Secret::new),
        api_version: "62.0".into(),
        multi_currency: false,
    }
}

fn connector_with(credentials: SalesforceCredentials) -> Connector {
    Connector::Salesforce(SalesforceConnector::new(credentials, &settings()).expect("a connector"))
}

fn connector(server: &MockServer) -> Connector {
    connector_with(credentials(server, Some("session-token")))
}

fn bearer(token: &str) -> wiremock::matchers::HeaderExactMatcher {
    header("authorization", format!("Bearer {token}").as_str())
}

fn lead(n: u32) -> Value {
    json!({
        "attributes": {"type": "Lead", "url": format!("/services/data/v62.0/sobjects/Lead/00Q{n:015}")},
        "Id": format!("00Q{n:015}"),
        "FirstName": "Lead",
        "LastName": n.to_string(),
        "Name": format!("Lead {n}"),
        "Email": format!("lead{n}@client.com.br"),
        "Phone": null,
        "MobilePhone": "+55 21 98888-0000",
        "Company": "Cliente SA",
        "Title": "Gerente",
        "LeadSource": "Web",
        "Status": "Open - Not Contacted",
        "Owner": {"attributes": {"type": "User"}, "Email": "ana@acme.com.br"},
        "LastModifiedDate": "2024-05-02T10:00:00.000+0000",
        "Industry": "Retail",
    })
}

fn opportunity(n: u32) -> Value {
    json!({
        "attributes": {"type": "Opportunity"},
        "Id": format!("006{n:015}"),
        "Name": format!("Oportunidade {n}"),
        "StageName": if n == 1 { "Closed Won" } else { "Prospecting" },
        "Amount": 30000,
        "CloseDate": "2024-09-30",
        "IsClosed": n == 1,
        "IsWon": n == 1,
        "Owner": {"attributes": {"type": "User"}, "Email": "bruno@acme.com.br"},
        "Account": {"attributes": {"type": "Account"}, "Name": "Cliente SA"},
        "LastModifiedDate": "2024-05-02T10:00:00.000+0000",
        "OpportunityContactRoles": if n == 3 { Value::Null } else { json!({
            "totalSize": 1, "done": true,
            "records": [{"attributes": {"type": "OpportunityContactRole"}, "ContactId": format!("003{n:015}")}],
        })},
    })
}

fn batch(records: Vec<Value>, next: Option<&str>) -> ResponseTemplate {
    let mut body = json!({"totalSize": 5, "done": next.is_none(), "records": records});
    if let Some(next) = next {
        body["nextRecordsUrl"] = json!(next);
    }
    ResponseTemplate::new(200).set_body_json(body)
}

/// The query and its two follow-up batches: 1-2, 3-4, 5.
async fn mount_lead_batches(server: &MockServer, token: &str, third: bool) {
    Mock::given(method("GET"))
        .and(path(QUERY))
        .and(bearer(token))
        .and(query_param_contains("q", "FROM Lead"))
        .and(query_param_contains("q", "Owner.Email"))
        .respond_with(batch(
            vec![lead(1), lead(2)],
            Some("/services/data/v62.0/query/01gLEADS-2"),
        ))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/services/data/v62.0/query/01gLEADS-2"))
        .and(bearer(token))
        .respond_with(batch(
            vec![lead(3), lead(4)],
            Some("/services/data/v62.0/query/01gLEADS-4"),
        ))
        .mount(server)
        .await;
    if third {
        Mock::given(method("GET"))
            .and(path("/services/data/v62.0/query/01gLEADS-4"))
            .and(bearer(token))
            .respond_with(batch(vec![lead(5)], None))
            .mount(server)
            .await;
    }
}

#[tokio::test]
async fn a_full_sync_follows_next_records_url_until_done() {
    let server = MockServer::start().await;
    mount_lead_batches(&server, "session-token", true).await;

    let run = sync(&connector(&server), Object::Leads, None, None).await;

    assert!(run.error.is_none(), "{:?}", run.error);
    assert_eq!(run.pages, 3);
    let ids = distinct_ids(&[&run]);
    assert_eq!(ids.len(), 5);
    assert_eq!(ids[0], "salesforce:00Q000000000000001");
    let first = run.records[0].as_lead().expect("a lead");
    assert_eq!(first.name, "Lead 1");
    assert_eq!(first.phone.as_deref(), Some("+55 21 98888-0000"));
    assert_eq!(first.position.as_deref(), Some("Gerente"));
    assert_eq!(first.owner_email.as_deref(), Some("ana@acme.com.br"));
    assert_eq!(first.custom_fields.get("Industry"), Some(&json!("Retail")));
    assert!(!first.custom_fields.contains_key("attributes"));
}

#[tokio::test]
async fn a_full_sync_of_opportunities_reads_stage_amount_owner_account_and_contact() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(QUERY))
        .and(bearer("session-token"))
        .and(query_param_contains("q", "FROM Opportunity"))
        .and(query_param_contains(
            "q",
            "OpportunityContactRoles WHERE IsPrimary = true",
        ))
        .respond_with(batch(
            vec![opportunity(1)],
            Some("/services/data/v62.0/query/01gOPP-1"),
        ))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/services/data/v62.0/query/01gOPP-1"))
        .respond_with(batch(
            vec![opportunity(2)],
            Some("/services/data/v62.0/query/01gOPP-2"),
        ))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/services/data/v62.0/query/01gOPP-2"))
        .respond_with(batch(vec![opportunity(3)], None))
        .mount(&server)
        .await;

    let run = sync(&connector(&server), Object::Deals, None, None).await;

    assert!(run.error.is_none(), "{:?}", run.error);
    assert_eq!(run.ids().len(), 3);
    let won = run.records[0].as_deal().expect("a deal");
    assert_eq!(won.external_id, "salesforce:006000000000000001");
    assert_eq!(won.stage_external.as_deref(), Some("Closed Won"));
    assert_eq!(won.outcome, Some(DealOutcome::Won));
    assert_eq!(won.value, Some(Decimal::new(30_000, 0)));
    assert_eq!(won.currency, None);
    assert!(won.closed_at.is_some());
    assert_eq!(won.owner_email.as_deref(), Some("bruno@acme.com.br"));
    assert_eq!(won.organisation_name.as_deref(), Some("Cliente SA"));
    assert_eq!(
        won.lead_external_id.as_deref(),
        Some("salesforce:003000000000000001")
    );
    let open = run.records[1].as_deal().expect("a deal");
    assert_eq!(open.outcome, None);
    assert_eq!(open.closed_at, None);
    assert_eq!(
        run.records[2].as_deal().expect("a deal").lead_external_id,
        None
    );
}

#[tokio::test]
async fn an_incremental_sync_filters_on_last_modified_date() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(QUERY))
        .and(bearer("session-token"))
        .and(query_param_contains(
            "q",
            "FROM Lead WHERE LastModifiedDate >= 2024-05-01T12:30:00Z ORDER BY LastModifiedDate ASC",
        ))
        .respond_with(batch(vec![lead(9)], None))
        .expect(1)
        .mount(&server)
        .await;

    let run = sync(&connector(&server), Object::Leads, Some(since()), None).await;

    assert!(run.error.is_none(), "{:?}", run.error);
    assert_eq!(run.ids(), ["salesforce:00Q000000000000009"]);
}

#[tokio::test]
async fn request_limit_exceeded_is_waited_out_and_the_sync_completes() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/services/data/v62.0/query/01gLEADS-2"))
        .respond_with(ResponseTemplate::new(403).set_body_json(json!([
            {"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}
        ])))
        .up_to_n_times(2)
        .expect(2)
        .with_priority(1)
        .mount(&server)
        .await;
    mount_lead_batches(&server, "session-token", true).await;

    let run = sync(&connector(&server), Object::Leads, None, None).await;

    assert!(run.error.is_none(), "{:?}", run.error);
    assert_eq!(run.ids().len(), 5);
}

async fn mount_refresh(server: &MockServer, new_token: &str, times: u64) {
    Mock::given(method("POST"))
        .and(path("/services/oauth2/token"))
        .and(body_string_contains("grant_type=refresh_token"))
        .and(body_string_contains("client_id=3MVG9-client"))
        .and(body_string_contains("client_secret=sf-client-secret"))
        .and(body_string_contains("refresh_token=5Aep-refresh"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": new_token,
            "instance_url": server.uri(),
            "id": "https://login.salesforce.com/id/00D/005",
            "token_type": "Bearer",
            "issued_at": "1714566600000",
            "signature": "sig",
        })))
        .expect(times)
        .mount(server)
        .await;
}

#[tokio::test]
async fn an_invalid_session_is_refreshed_once_and_the_sync_goes_on_with_the_new_token() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(bearer("expired-token"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!([
            {"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}
        ])))
        .expect(1)
        .mount(&server)
        .await;
    mount_refresh(&server, "new-token", 1).await;
    mount_lead_batches(&server, "new-token", true).await;
    let connector = connector_with(credentials(&server, Some("expired-token")));

    let run = sync(&connector, Object::Leads, None, None).await;

    assert!(run.error.is_none(), "{:?}", run.error);
    assert_eq!(run.ids().len(), 5);
    let Some(Credentials::Salesforce(stored)) = connector.refreshed_credentials() else {
        panic!("the refreshed token is offered for storing");
    };
    assert_eq!(
        stored.access_token.as_ref().map(Secret::expose_secret),
        Some("new-token")
    );
}

#[tokio::test]
async fn without_a_stored_token_one_is_fetched_first() {
    let server = MockServer::start().await;
    mount_refresh(&server, "first-token", 1).await;
    mount_lead_batches(&server, "first-token", true).await;

    let run = sync(
        &connector_with(credentials(&server, None)),
        Object::Leads,
        None,
        None,
    )
    .await;

    assert!(run.error.is_none(), "{:?}", run.error);
    assert_eq!(run.ids().len(), 5);
}

#[tokio::test]
async fn a_401_that_is_not_an_expired_session_is_not_retried_nor_refreshed() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(QUERY))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!([
            {"message": "INVALID_HEADER_TYPE", "errorCode": "INVALID_AUTH_HEADER"}
        ])))
        .expect(1)
        .mount(&server)
        .await;
    mount_refresh(&server, "unused", 0).await;

    let run = sync(&connector(&server), Object::Leads, None, None).await;

    assert_eq!(
        run.error,
        Some(CrmError::Unauthorized {
            provider: Provider::Salesforce,
            status: 401,
            code: Some("INVALID_AUTH_HEADER".into())
        })
    );
}

#[tokio::test]
async fn a_rejected_refresh_token_fails_the_connection_test_with_reconnect() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/services/oauth2/token"))
        .respond_with(ResponseTemplate::new(400).set_body_json(
            json!({"error": "invalid_grant", "error_description": "expired access/refresh token"}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let connector = connector_with(credentials(&server, None));

    let error = connector
        .fetch_page(Object::Leads, None, None)
        .await
        .expect_err("refused");

    assert_eq!(
        error,
        CrmError::RefreshRejected {
            provider: Provider::Salesforce,
            code: Some("invalid_grant".into())
        }
    );
    assert!(!error.to_string().contains("5Aep-refresh"));
    assert_eq!(
        ConnectionProblem::from(&error),
        ConnectionProblem::CredentialsRejected
    );
}

#[tokio::test]
async fn a_batch_that_keeps_failing_stops_the_run_after_the_earlier_ones_and_a_resume_fetches_the_rest()
 {
    let server = MockServer::start().await;
    mount_lead_batches(&server, "session-token", false).await;
    let failing = Mock::given(method("GET"))
        .and(path("/services/data/v62.0/query/01gLEADS-4"))
        .respond_with(ResponseTemplate::new(503).set_body_json(json!([
            {"message": "Server unavailable", "errorCode": "SERVER_UNAVAILABLE"}
        ])))
        .expect(3)
        .mount_as_scoped(&server)
        .await;

    let first = sync(&connector(&server), Object::Leads, None, None).await;

    assert_eq!(
        first.error,
        Some(CrmError::ServerError {
            provider: Provider::Salesforce,
            status: 503
        })
    );
    assert_eq!(first.ids().len(), 4);
    drop(failing);
    Mock::given(method("GET"))
        .and(path("/services/data/v62.0/query/01gLEADS-4"))
        .and(bearer("session-token"))
        .respond_with(batch(vec![lead(5)], None))
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
    assert_eq!(resumed.ids(), ["salesforce:00Q000000000000005"]);
    assert_eq!(distinct_ids(&[&first, &resumed]).len(), 5);
}

#[tokio::test]
async fn an_expired_query_locator_asks_for_a_fresh_start() {
    let server = MockServer::start().await;
    mount_lead_batches(&server, "session-token", false).await;
    Mock::given(method("GET"))
        .and(path("/services/data/v62.0/query/01gLEADS-4"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!([
            {"message": "invalid query locator", "errorCode": "INVALID_QUERY_LOCATOR"}
        ])))
        .expect(1)
        .mount(&server)
        .await;

    let run = sync(&connector(&server), Object::Leads, None, None).await;

    assert_eq!(
        run.error,
        Some(CrmError::CursorExpired {
            provider: Provider::Salesforce
        })
    );
}
