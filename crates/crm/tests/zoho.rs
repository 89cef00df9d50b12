//! Zoho CRM v7 against a mock that pages with `page` up to 2 000 records and `page_token` past
//! them, checks the `Zoho-oauthtoken` header, expires tokens, and answers 429 without a delay.

mod common;

use chrono::{Duration, Utc};
use common::{distinct_ids, settings, since, sync};
use crm::zoho::ZohoConnector;
use crm::{
    ConnectionProblem, Connector, Credentials, CrmError, DealOutcome, Object, Provider, Secret,
    ZohoCredentials,
};
use rust_decimal::Decimal;
use serde_json::{Value, json};
use wiremock::matchers::{
    body_string_contains, header, method, path, query_param, query_param_is_missing,
};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn credentials(server: &MockServer, access_token: Option<&str>) -> ZohoCredentials {
    ZohoCredentials {
        client_id: "1000.CLIENTID".into(),
        client_secret: Secret::new("client-secret-value"),
        refresh_token: Secret::new("1000.refresh-token-value"),
        accounts_url: server.uri(),
        api_domain: server.uri(),
        access_token: access_token.map(Secret::new),
        access_token_expires_at: Some(Utc::now() + Duration::minutes(50)),
        multi_currency: true,
    }
}

fn connector_with(credentials: ZohoCredentials, page_size: u32) -> Connector {
    Connector::Zoho(
        ZohoConnector::new(credentials, &settings())
            .expect("a connector")
            .with_page_size(page_size),
    )
}

fn connector(server: &MockServer, page_size: u32) -> Connector {
    connector_with(credentials(server, Some("current-token")), page_size)
}

fn with_token(token: &str) -> wiremock::matchers::HeaderExactMatcher {
    header("authorization", format!("Zoho-oauthtoken {token}").as_str())
}

fn lead(id: u32) -> Value {
    json!({
        "id": format!("4150868{id:012}"),
        "Owner": {"name": "Ana", "id": "4150868000000225013", "email": "ana@acme.com.br"},
        "Full_Name": format!("Lead {id}"),
        "First_Name": "Lead",
        "Last_Name": id.to_string(),
        "Email": format!("lead{id}@client.com.br"),
        "Phone": "+55 11 4000-0000",
        "Company": "Cliente SA",
        "Designation": "Diretor",
        "Lead_Source": "Web",
        "Lead_Status": "Not Contacted",
        "Modified_Time": "2024-05-02T10:00:00-03:00",
        "Rating": "Hot",
    })
}

fn deal(id: u32) -> Value {
    json!({
        "id": format!("deal{id}"),
        "Owner": {"name": "Bruno", "id": "2", "email": "bruno@acme.com.br"},
        "Deal_Name": format!("Negócio {id}"),
        "Stage": if id == 1 { "Closed Won" } else { "Qualification" },
        "Amount": 12000.5,
        "Currency": "BRL",
        "Closing_Date": "2024-08-31",
        "Contact_Name": {"name": "Cliente", "id": format!("contact{id}")},
        "Account_Name": {"name": "Cliente SA", "id": "acc1"},
        "Modified_Time": "2024-05-02T10:00:00-03:00",
    })
}

fn records_page(
    data: Vec<Value>,
    page: u32,
    more: bool,
    next_token: Option<&str>,
) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "data": data,
        "info": {
            "per_page": 200,
            "count": 200,
            "page": page,
            "more_records": more,
            "next_page_token": next_token,
            "previous_page_token": null,
            "page_token_expiry": "2024-05-03T15:08:14+05:30",
            "sort_by": "Modified_Time",
            "sort_order": "asc",
        },
    }))
}

fn leads_list() -> wiremock::MockBuilder {
    Mock::given(method("GET"))
        .and(path("/crm/v7/Leads"))
        .and(query_param("sort_by", "Modified_Time"))
}

#[tokio::test]
async fn past_2000_records_the_sync_pages_by_page_token() {
    let server = MockServer::start().await;
    for page in 1..=10u32 {
        let ids = (page - 1) * 200 + 1..=page * 200;
        leads_list()
            .and(with_token("current-token"))
            .and(query_param("per_page", "200"))
            .and(query_param("page", page.to_string().as_str()))
            .and(query_param_is_missing("page_token"))
            .respond_with(records_page(
                ids.map(lead).collect(),
                page,
                true,
                Some(&format!("token-after-{page}")),
            ))
            .expect(1)
            .mount(&server)
            .await;
    }
    leads_list()
        .and(with_token("current-token"))
        .and(query_param("per_page", "200"))
        .and(query_param("page_token", "token-after-10"))
        .and(query_param_is_missing("page"))
        .respond_with(records_page(
            (2001..=2200).map(lead).collect(),
            11,
            false,
            None,
        ))
        .expect(1)
        .mount(&server)
        .await;

    let run = sync(&connector(&server, 200), Object::Leads, None, None).await;

    assert!(run.error.is_none(), "{:?}", run.error);
    assert_eq!(run.pages, 11);
    let ids = distinct_ids(&[&run]);
    assert_eq!(ids.len(), 2200);
    assert_eq!(ids[0], "zoho:4150868000000000001");
    let last = run.records[2199].as_lead().expect("a lead");
    assert_eq!(last.external_id, "zoho:4150868000000002200");
    assert_eq!(last.name, "Lead 2200");
    assert_eq!(last.owner_email.as_deref(), Some("ana@acme.com.br"));
    assert_eq!(last.position.as_deref(), Some("Diretor"));
    assert_eq!(last.source.as_deref(), Some("Web"));
    assert_eq!(last.status.as_deref(), Some("Not Contacted"));
    assert_eq!(last.custom_fields.get("Rating"), Some(&json!("Hot")));
}

#[tokio::test]
async fn a_full_sync_reads_every_deal_page_with_stage_amount_owner_and_contact() {
    let server = MockServer::start().await;
    let list = || {
        Mock::given(method("GET"))
            .and(path("/crm/v7/Deals"))
            .and(with_token("current-token"))
            .and(query_param("per_page", "1"))
    };
    for page in 1..=3u32 {
        list()
            .and(query_param("page", page.to_string().as_str()))
            .respond_with(records_page(vec![deal(page)], page, page < 3, None))
            .mount(&server)
            .await;
    }

    let run = sync(&connector(&server, 1), Object::Deals, None, None).await;

    assert!(run.error.is_none(), "{:?}", run.error);
    assert_eq!(
        distinct_ids(&[&run]),
        ["zoho:deal1", "zoho:deal2", "zoho:deal3"]
    );
    let won = run.records[0].as_deal().expect("a deal");
    assert_eq!(won.stage_external.as_deref(), Some("Closed Won"));
    assert_eq!(won.outcome, Some(DealOutcome::Won));
    assert_eq!(won.value, Some(Decimal::new(120_005, 1)));
    assert_eq!(won.currency.as_deref(), Some("BRL"));
    assert_eq!(won.owner_email.as_deref(), Some("bruno@acme.com.br"));
    assert_eq!(won.lead_external_id.as_deref(), Some("zoho:contact1"));
    assert_eq!(won.organisation_name.as_deref(), Some("Cliente SA"));
    assert!(won.closed_at.is_some());
    let open = run.records[1].as_deal().expect("a deal");
    assert_eq!(open.outcome, None);
    assert!(open.expected_close_at.is_some());
    let requested = server.received_requests().await.expect("recorded");
    assert!(
        requested[0]
            .url
            .query_pairs()
            .any(|(k, v)| k == "fields" && v.ends_with(",Currency")),
        "multi-currency organisations are asked for the Currency field"
    );
}

#[tokio::test]
async fn an_incremental_sync_sends_if_modified_since_and_304_means_nothing_changed() {
    let server = MockServer::start().await;
    leads_list()
        .and(with_token("current-token"))
        .and(header("if-modified-since", "2024-05-01T12:30:00+00:00"))
        .respond_with(ResponseTemplate::new(304))
        .expect(1)
        .mount(&server)
        .await;

    let run = sync(&connector(&server, 200), Object::Leads, Some(since()), None).await;

    assert!(run.error.is_none(), "{:?}", run.error);
    assert_eq!(run.pages, 1);
    assert!(run.records.is_empty());
}

#[tokio::test]
async fn a_429_without_retry_after_is_retried_after_the_backoff() {
    let server = MockServer::start().await;
    leads_list()
        .respond_with(ResponseTemplate::new(429).set_body_json(
            json!({"code": "TOO_MANY_REQUESTS", "details": {}, "message": "too many requests", "status": "error"}),
        ))
        .up_to_n_times(2)
        .expect(2)
        .with_priority(1)
        .mount(&server)
        .await;
    leads_list()
        .and(with_token("current-token"))
        .respond_with(records_page(vec![lead(1)], 1, false, None))
        .expect(1)
        .mount(&server)
        .await;

    let run = sync(&connector(&server, 200), Object::Leads, None, None).await;

    assert!(run.error.is_none(), "{:?}", run.error);
    assert_eq!(run.ids(), ["zoho:4150868000000000001"]);
}

async fn mount_refresh(server: &MockServer, new_token: &str, times: u64) {
    Mock::given(method("POST"))
        .and(path("/oauth/v2/token"))
        .and(body_string_contains("grant_type=refresh_token"))
        .and(body_string_contains("client_id=1000.CLIENTID"))
        .and(body_string_contains("client_secret=client-secret-value"))
        .and(body_string_contains(
            "refresh_token=1000.refresh-token-value",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": new_token,
            "expires_in": 3600,
            "api_domain": server.uri(),
            "token_type": "Bearer",
        })))
        .expect(times)
        .mount(server)
        .await;
}

#[tokio::test]
async fn an_expired_token_is_refreshed_once_and_the_sync_goes_on_with_the_new_one() {
    let server = MockServer::start().await;
    leads_list()
        .and(with_token("current-token"))
        .respond_with(ResponseTemplate::new(401).set_body_json(
            json!({"code": "INVALID_TOKEN", "details": {}, "message": "invalid oauth token", "status": "error"}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    mount_refresh(&server, "refreshed-token", 1).await;
    leads_list()
        .and(with_token("refreshed-token"))
        .and(query_param("page", "1"))
        .respond_with(records_page(vec![lead(1)], 1, true, None))
        .expect(1)
        .mount(&server)
        .await;
    leads_list()
        .and(with_token("refreshed-token"))
        .and(query_param("page", "2"))
        .respond_with(records_page(vec![lead(2)], 2, false, None))
        .expect(1)
        .mount(&server)
        .await;
    let connector = connector(&server, 1);

    let run = sync(&connector, Object::Leads, None, None).await;

    assert!(run.error.is_none(), "{:?}", run.error);
    assert_eq!(run.ids().len(), 2);
    let Some(Credentials::Zoho(stored)) = connector.refreshed_credentials() else {
        panic!("the refreshed token is offered for storing");
    };
    assert_eq!(
        stored.access_token.as_ref().map(Secret::expose_secret),
        Some("refreshed-token")
    );
    assert!(
        stored.access_token_expires_at.expect("an expiry") > Utc::now() + Duration::minutes(55)
    );
}

#[tokio::test]
async fn a_missing_or_expiring_token_is_refreshed_before_the_first_call() {
    let server = MockServer::start().await;
    mount_refresh(&server, "fresh-token", 1).await;
    leads_list()
        .and(with_token("fresh-token"))
        .respond_with(records_page(vec![lead(1)], 1, false, None))
        .expect(1)
        .mount(&server)
        .await;
    let mut expiring = credentials(&server, Some("old-token"));
    expiring.access_token_expires_at = Some(Utc::now() + Duration::seconds(10));

    let run = sync(&connector_with(expiring, 200), Object::Leads, None, None).await;

    assert!(run.error.is_none(), "{:?}", run.error);
    assert_eq!(run.ids().len(), 1);
}

#[tokio::test]
async fn a_token_still_refused_after_a_refresh_is_not_refreshed_again() {
    let server = MockServer::start().await;
    leads_list()
        .respond_with(ResponseTemplate::new(401).set_body_json(
            json!({"code": "INVALID_TOKEN", "details": {}, "message": "invalid oauth token", "status": "error"}),
        ))
        .expect(2)
        .mount(&server)
        .await;
    mount_refresh(&server, "refreshed-token", 1).await;

    let run = sync(&connector(&server, 200), Object::Leads, None, None).await;

    assert!(
        matches!(run.error, Some(CrmError::Unauthorized { status: 401, .. })),
        "{:?}",
        run.error
    );
}

#[tokio::test]
async fn a_scope_mismatch_is_not_retried_nor_refreshed() {
    let server = MockServer::start().await;
    leads_list()
        .respond_with(ResponseTemplate::new(401).set_body_json(
            json!({"code": "OAUTH_SCOPE_MISMATCH", "details": {}, "message": "Unauthorized", "status": "error"}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    mount_refresh(&server, "unused", 0).await;

    let run = sync(&connector(&server, 200), Object::Leads, None, None).await;

    assert_eq!(
        run.error,
        Some(CrmError::Unauthorized {
            provider: Provider::Zoho,
            status: 401,
            code: Some("OAUTH_SCOPE_MISMATCH".into())
        })
    );
}

#[tokio::test]
async fn a_revoked_refresh_token_tells_the_director_to_reconnect() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/v2/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"error": "invalid_code"})))
        .expect(1)
        .mount(&server)
        .await;
    let connector = connector_with(credentials(&server, None), 200);

    let problem = connector.test_connection().await.expect_err("refused");

    assert_eq!(problem, ConnectionProblem::CredentialsRejected);
    assert!(connector.refreshed_credentials().is_none());
}

#[tokio::test]
async fn a_page_that_keeps_failing_stops_the_run_after_the_earlier_pages_and_a_resume_fetches_the_rest()
 {
    let server = MockServer::start().await;
    for page in 1..=2u32 {
        leads_list()
            .and(query_param("page", page.to_string().as_str()))
            .respond_with(records_page(vec![lead(page)], page, true, None))
            .mount(&server)
            .await;
    }
    let failing = leads_list()
        .and(query_param("page", "3"))
        .respond_with(ResponseTemplate::new(500).set_body_json(
            json!({"code": "INTERNAL_ERROR", "details": {}, "message": "Internal Server Error", "status": "error"}),
        ))
        .expect(3)
        .mount_as_scoped(&server)
        .await;

    let first = sync(&connector(&server, 1), Object::Leads, None, None).await;

    assert_eq!(
        first.error,
        Some(CrmError::ServerError {
            provider: Provider::Zoho,
            status: 500
        })
    );
    assert_eq!(first.ids().len(), 2);
    drop(failing);
    leads_list()
        .and(query_param("page", "3"))
        .respond_with(records_page(vec![lead(3)], 3, false, None))
        .expect(1)
        .mount(&server)
        .await;

    let resumed = sync(
        &connector(&server, 1),
        Object::Leads,
        None,
        first.stored.clone(),
    )
    .await;

    assert!(resumed.error.is_none(), "{:?}", resumed.error);
    assert_eq!(resumed.ids(), ["zoho:4150868000000000003"]);
    assert_eq!(distinct_ids(&[&first, &resumed]).len(), 3);
}

#[tokio::test]
async fn an_expired_page_token_asks_for_a_fresh_start() {
    let server = MockServer::start().await;
    for page in 1..=10u32 {
        leads_list()
            .and(query_param("page", page.to_string().as_str()))
            .respond_with(records_page(
                vec![lead(page)],
                page,
                true,
                Some("stale-token"),
            ))
            .mount(&server)
            .await;
    }
    leads_list()
        .and(query_param("page_token", "stale-token"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "status": "error", "code": "EXPIRED_VALUE", "message": "Page token expired",
            "details": {"api_name": "page_token", "json_path": "$.query.page_token"},
        })))
        .expect(1)
        .mount(&server)
        .await;

    let run = sync(&connector(&server, 200), Object::Leads, None, None).await;

    assert_eq!(run.ids().len(), 10);
    assert_eq!(
        run.error,
        Some(CrmError::CursorExpired {
            provider: Provider::Zoho
        })
    );
}

#[tokio::test]
async fn no_debug_output_shows_a_token_or_secret() {
    let server = MockServer::start().await;
    let connector = connector(&server, 200);

    let debug = format!("{connector:?}");

    for secret in [
        "current-token",
        "client-secret-value",
        "1000.refresh-token-value",
    ] {
        assert!(!debug.contains(secret), "{debug}");
    }
}
