//! The CRM sync against mock HubSpot and Pipedrive servers (their real paging, auth headers and
//! failures, as the crm crate's tests reproduce them) and a real PostgreSQL reached as the app
//! role: what a director would notice in the pipeline, the import log, the integration's status
//! and the alerts.

mod common;

use std::time::Duration;

use common::{count, deal, fresh, import_log, lead, scalar_i64, stamps, system, user_id};
use crm::hubspot::HubSpotConnector;
use crm::pipedrive::PipedriveConnector;
use crm::{
    Connector, Credentials, CrmError, HttpSettings, HubSpotCredentials, PipedriveCredentials,
    RetryPolicy, Secret,
};
use db::Db;
use domain::ImportStatus;
use ingest::{SyncOutcome, SyncReport, run_crm_sync_with, schedule_syncs};
use serde_json::{Value, json};
use vault::{Binding, Keyring};
use wiremock::matchers::{header, method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

const HUBSPOT_TOKEN: &str = "pat-na1-test-token";
const PIPEDRIVE_TOKEN: &str = "0123456789abcdef-pipedrive";

fn keyring() -> Keyring {
    let key = Keyring::generate_key().expect("a key");
    Keyring::parse(&format!("test:{}", key.as_str()), "test").expect("keyring")
}

/// Retries in milliseconds; the mock server is on 127.0.0.1.
fn http() -> HttpSettings {
    HttpSettings {
        connect_timeout: Duration::from_secs(2),
        request_timeout: Duration::from_secs(10),
        retry: RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(5),
            longest_server_wait: Duration::from_secs(1),
            server_error_retries: 2,
        },
        allow_private_addresses: true,
    }
}

/// Builds connectors as production does, but aimed at the mock server.
fn connect(server: &MockServer) -> impl FnOnce(Credentials) -> Result<Connector, CrmError> + '_ {
    move |credentials| match credentials {
        Credentials::HubSpot(c) => HubSpotConnector::new(c, &http())
            .and_then(|c| c.with_base_url(&server.uri()))
            .map(Connector::HubSpot),
        Credentials::Pipedrive(c) => PipedriveConnector::new(c, &http())
            .and_then(|c| c.with_base_url(&server.uri()))
            .map(Connector::Pipedrive),
        other => Connector::new(other, &http()),
    }
}

/// A CRM integration with its credentials sealed for it, and a stage mapping.
async fn integration(
    db: &Db,
    keyring: &Keyring,
    company: &str,
    id: &str,
    credentials: &Credentials,
    status: &str,
) {
    let provider = match credentials {
        Credentials::HubSpot(_) => "HUBSPOT",
        Credentials::Pipedrive(_) => "PIPEDRIVE",
        _ => unreachable!("the tests use HubSpot and Pipedrive"),
    };
    let sealed = keyring
        .seal_json(
            &Binding {
                company_id: company,
                integration_id: id,
            },
            credentials,
        )
        .expect("seal");
    let mut tx = db.begin(&system(company)).await.expect("begin");
    sqlx::query(
        "INSERT INTO integrations (company_id, id, type, provider, name, status, encrypted_config, settings)
         VALUES ($1, $2, 'CRM', $3::integration_provider, $4, $5::integration_status, $6, $7)",
    )
    .bind(company)
    .bind(id)
    .bind(provider)
    .bind(format!("{provider} da empresa"))
    .bind(status)
    .bind(sealed)
    .bind(json!({"stage_mapping": {"appointmentscheduled": "qualification"}}))
    .execute(&mut *tx)
    .await
    .expect("integration");
    tx.commit().await.expect("commit");
}

fn hubspot() -> Credentials {
    Credentials::HubSpot(HubSpotCredentials {
        access_token: Secret::new(HUBSPOT_TOKEN),
    })
}

fn pipedrive() -> Credentials {
    Credentials::Pipedrive(PipedriveCredentials {
        api_token: Secret::new(PIPEDRIVE_TOKEN),
        company_domain: "acme".into(),
    })
}

async fn sync(
    db: &Db,
    keyring: &Keyring,
    company: &str,
    id: &str,
    server: &MockServer,
    full: bool,
) -> SyncReport {
    run_crm_sync_with(db, &system(company), id, keyring, full, connect(server))
        .await
        .expect("the sync ran")
}

fn ran(report: &SyncReport) -> (String, ImportStatus) {
    match &report.outcome {
        SyncOutcome::Ran {
            import_log_id,
            status,
        } => (import_log_id.clone(), *status),
        SyncOutcome::Skipped(reason) => panic!("skipped: {reason}"),
    }
}

/// The integration's status and last error.
async fn integration_state(db: &Db, company: &str, id: &str) -> (String, Option<String>, bool) {
    let mut tx = db.begin(&system(company)).await.expect("begin");
    let row: (String, Option<String>, bool) = sqlx::query_as(
        "SELECT status::text, last_error, last_sync_at IS NOT NULL FROM integrations WHERE id = $1",
    )
    .bind(id)
    .fetch_one(&mut *tx)
    .await
    .expect("integration");
    row
}

async fn alerts(db: &Db, company: &str) -> Vec<(String, Option<String>, Option<String>)> {
    let mut tx = db.begin(&system(company)).await.expect("begin");
    sqlx::query_as("SELECT type::text, dedup_key, user_id FROM alerts ORDER BY created_at")
        .fetch_all(&mut *tx)
        .await
        .expect("alerts")
}

async fn stored_cursor(db: &Db, company: &str, object: &str) -> Option<String> {
    let mut tx = db.begin(&system(company)).await.expect("begin");
    sqlx::query_scalar("SELECT cursor FROM integration_sync_state WHERE object = $1")
        .bind(object)
        .fetch_optional(&mut *tx)
        .await
        .expect("state")
        .flatten()
}

// --- HubSpot: its list endpoints page with `paging.next.after` behind a Bearer token -------------

fn hubspot_auth() -> wiremock::matchers::HeaderExactMatcher {
    header("authorization", format!("Bearer {HUBSPOT_TOKEN}").as_str())
}

fn contact(id: u32) -> Value {
    json!({
        "id": id.to_string(),
        "properties": {
            "firstname": "Contato",
            "lastname": id.to_string(),
            "email": format!("contato{id}@cliente.com.br"),
            "company": "Cliente SA",
            "hubspot_owner_id": if id.is_multiple_of(2) { "502" } else { "501" },
            "lastmodifieddate": "2024-05-02T10:00:00.000Z",
        },
        "updatedAt": "2024-05-02T10:00:00.000Z",
    })
}

fn hubspot_deal(id: u32, contact: Option<u32>) -> Value {
    let won = id == 1;
    let mut deal = json!({
        "id": id.to_string(),
        "properties": {
            "dealname": format!("Negócio {id}"),
            "dealstage": if won { "closedwon" } else { "appointmentscheduled" },
            "pipeline": "default",
            "amount": "15000.50",
            "closedate": "2024-06-30T00:00:00Z",
            "hs_is_closed": if won { "true" } else { "false" },
            "hs_is_closed_won": if won { "true" } else { "false" },
            "hubspot_owner_id": "501",
            "hs_lastmodifieddate": "2024-05-02T10:00:00.000Z",
        },
        "updatedAt": "2024-05-02T10:00:00.000Z",
    });
    if let Some(contact) = contact {
        deal["associations"] = json!({"contacts": {"results": [{"id": contact.to_string(), "type": "deal_to_contact"}]}});
    }
    deal
}

fn hubspot_page(results: Vec<Value>, after: Option<&str>) -> ResponseTemplate {
    let mut body = json!({ "results": results });
    if let Some(after) = after {
        body["paging"] = json!({"next": {"after": after}});
    }
    ResponseTemplate::new(200).set_body_json(body)
}

async fn mount_hubspot_lookups(server: &MockServer) {
    Mock::given(method("GET"))
        .and(path("/crm/v3/owners"))
        .and(hubspot_auth())
        .respond_with(hubspot_page(
            vec![
                json!({"id": "501", "email": "Ana@Acme.com.br"}),
                json!({"id": "502", "email": "bruno@acme.com.br"}),
            ],
            None,
        ))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/crm/v3/pipelines/deals"))
        .and(hubspot_auth())
        .respond_with(hubspot_page(
            vec![json!({"id": "default", "label": "Vendas", "stages": [
                {"id": "appointmentscheduled", "label": "Appointment scheduled"},
                {"id": "closedwon", "label": "Closed won"},
            ]})],
            None,
        ))
        .mount(server)
        .await;
}

fn contacts() -> wiremock::MockBuilder {
    Mock::given(method("GET"))
        .and(path("/crm/v3/objects/contacts"))
        .and(hubspot_auth())
}

/// Contacts 1-2 and 3-4, and contact 5 on a third page when `third_page`.
async fn mount_contact_pages(server: &MockServer, third_page: bool) {
    contacts()
        .and(query_param_is_missing("after"))
        .respond_with(hubspot_page(vec![contact(1), contact(2)], Some("2")))
        .mount(server)
        .await;
    contacts()
        .and(query_param("after", "2"))
        .respond_with(hubspot_page(vec![contact(3), contact(4)], Some("4")))
        .mount(server)
        .await;
    if third_page {
        mount_third_contact_page(server).await;
    }
}

async fn mount_third_contact_page(server: &MockServer) {
    contacts()
        .and(query_param("after", "4"))
        .respond_with(hubspot_page(vec![contact(5)], None))
        .mount(server)
        .await;
}

/// Deal 1 (won, contact 1), deal 2 (open, contact 2), then deal 3 (no contact).
async fn mount_hubspot_deals(server: &MockServer) {
    let deals = || {
        Mock::given(method("GET"))
            .and(path("/crm/v3/objects/deals"))
            .and(hubspot_auth())
    };
    deals()
        .and(query_param_is_missing("after"))
        .respond_with(hubspot_page(
            vec![hubspot_deal(1, Some(1)), hubspot_deal(2, Some(2))],
            Some("d"),
        ))
        .mount(server)
        .await;
    deals()
        .and(query_param("after", "d"))
        .respond_with(hubspot_page(vec![hubspot_deal(3, None)], None))
        .mount(server)
        .await;
}

async fn hubspot_server() -> MockServer {
    let server = MockServer::start().await;
    mount_hubspot_lookups(&server).await;
    mount_contact_pages(&server, true).await;
    mount_hubspot_deals(&server).await;
    server
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_hubspot_sync_writes_leads_and_deals_with_their_owners_and_stages() {
    let test = fresh(&["acme"]).await;
    let db = &test.db;
    let keys = keyring();
    integration(db, &keys, "acme", "hub", &hubspot(), "ACTIVE").await;
    let server = hubspot_server().await;

    let report = sync(db, &keys, "acme", "hub", &server, true).await;

    let (log_id, status) = ran(&report);
    assert_eq!(status, ImportStatus::Success);
    assert_eq!((report.leads.created, report.deals.created), (5, 3));
    assert_eq!(report.pages, 5);
    assert_eq!(report.retry_after, None);
    assert!(report.next_run_at.is_some());
    let (name, email, owner) = lead(db, "acme", "hubspot:1").await;
    assert_eq!(name, "Contato 1");
    assert_eq!(email.as_deref(), Some("contato1@cliente.com.br"));
    assert_eq!(
        owner,
        Some(user_id("acme", "ana")),
        "owner by e-mail, ignoring case"
    );
    assert_eq!(
        lead(db, "acme", "hubspot:2").await.2,
        Some(user_id("acme", "bruno"))
    );
    let won = deal(db, "acme", "hubspot:1").await;
    assert_eq!(won.stage, "won");
    assert_eq!(won.value.to_string(), "15000.50");
    assert_eq!(
        won.closed_at.map(|at| at.to_rfc3339()),
        Some("2024-06-30T00:00:00+00:00".into())
    );
    assert_eq!(won.lead_external_id.as_deref(), Some("hubspot:1"));
    let open = deal(db, "acme", "hubspot:2").await;
    assert_eq!(
        open.stage, "qualification",
        "the integration's stage mapping"
    );
    assert_eq!(open.closed_at, None);
    let alone = deal(db, "acme", "hubspot:3").await;
    assert_eq!(alone.lead_external_id.as_deref(), Some("hubspot:deal-3"));
    assert_eq!(alone.lead_name, "Negócio 3");
    let (log_status, total, created, ..) = import_log(db, "acme", &log_id).await;
    assert_eq!((log_status.as_str(), total, created), ("SUCCESS", 8, 8));
    assert_eq!(
        integration_state(db, "acme", "hub").await,
        ("ACTIVE".into(), None, true)
    );
    assert!(
        alerts(db, "acme").await.is_empty(),
        "success raises no alert"
    );
    assert_eq!(stored_cursor(db, "acme", "leads").await, None);
    let watermarks = scalar_i64(
        db,
        "acme",
        "SELECT count(*) FROM integration_sync_state WHERE watermark IS NOT NULL AND cursor IS NULL",
    )
    .await;
    assert_eq!(watermarks, 2);
    let audits = scalar_i64(
        db,
        "acme",
        "SELECT count(*) FROM audit_logs WHERE action = 'CRM_SYNC_FINISHED' AND actor = 'INTEGRATION'",
    )
    .await;
    assert_eq!(audits, 1, "one audit row per run");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_identical_sync_changes_no_row() {
    let test = fresh(&["acme"]).await;
    let db = &test.db;
    let keys = keyring();
    integration(db, &keys, "acme", "hub", &hubspot(), "ACTIVE").await;
    let server = hubspot_server().await;
    sync(db, &keys, "acme", "hub", &server, true).await;
    let leads_before = stamps(db, "acme", "leads").await;
    let deals_before = stamps(db, "acme", "deals").await;

    let again = sync(db, &keys, "acme", "hub", &server, true).await;

    assert_eq!(ran(&again).1, ImportStatus::Success);
    assert_eq!((again.leads.unchanged, again.deals.unchanged), (5, 3));
    assert_eq!(again.leads.created + again.leads.updated, 0);
    assert_eq!(again.deals.created + again.deals.updated, 0);
    assert_eq!(again.leads_created_for_deals, 0);
    assert_eq!(stamps(db, "acme", "leads").await, leads_before);
    assert_eq!(stamps(db, "acme", "deals").await, deals_before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_failing_midway_keeps_the_earlier_pages_and_the_next_run_resumes_with_one_alert() {
    let test = fresh(&["acme"]).await;
    let db = &test.db;
    let keys = keyring();
    integration(db, &keys, "acme", "hub", &hubspot(), "ACTIVE").await;
    let server = MockServer::start().await;
    mount_hubspot_lookups(&server).await;
    mount_contact_pages(&server, false).await;
    mount_hubspot_deals(&server).await;
    let failing = contacts()
        .and(query_param("after", "4"))
        .respond_with(ResponseTemplate::new(500))
        .mount_as_scoped(&server)
        .await;

    let first = sync(db, &keys, "acme", "hub", &server, false).await;

    let (log_id, status) = ran(&first);
    assert_eq!(status, ImportStatus::Partial);
    assert_eq!(first.leads.created, 4);
    assert!(first.retry_after.is_some(), "a 5xx is worth a sooner retry");
    assert_eq!(
        count(db, "acme", "leads").await,
        4,
        "the earlier pages are kept"
    );
    assert!(
        stored_cursor(db, "acme", "leads").await.is_some(),
        "the cursor is stored"
    );
    let (state, last_error, synced) = integration_state(db, "acme", "hub").await;
    assert_eq!((state.as_str(), synced), ("ERROR", true));
    let last_error = last_error.expect("a reason");
    assert!(last_error.contains("HTTP 500"), "{last_error}");
    assert!(!last_error.contains(HUBSPOT_TOKEN));
    let (.., errors) = import_log(db, "acme", &log_id).await;
    assert_eq!(
        errors,
        json!([{"line": null, "field": null, "reason": "provider_unavailable", "value": ""}])
    );

    let second = sync(db, &keys, "acme", "hub", &server, false).await;

    assert_eq!(
        ran(&second).1,
        ImportStatus::Failed,
        "nothing written this time"
    );
    assert_eq!(
        alerts(db, "acme").await,
        [(
            "IMPORT_FAILED".to_owned(),
            Some("import_failed:hub".to_owned()),
            None
        )],
        "one alert for the directors, not one per failed run"
    );

    drop(failing);
    mount_third_contact_page(&server).await;
    let third = sync(db, &keys, "acme", "hub", &server, false).await;

    assert_eq!(ran(&third).1, ImportStatus::Success);
    assert_eq!(third.leads.created, 1, "only the rest is read");
    assert_eq!(third.deals.created, 3);
    assert_eq!(
        count(db, "acme", "leads").await,
        6,
        "5 contacts and deal 3's stand-in"
    );
    let distinct = scalar_i64(db, "acme", "SELECT count(DISTINCT external_id) FROM leads").await;
    assert_eq!(distinct, 6, "no duplicates");
    assert_eq!(stored_cursor(db, "acme", "leads").await, None);
    assert_eq!(
        integration_state(db, "acme", "hub").await,
        ("ACTIVE".into(), None, true)
    );
    assert_eq!(alerts(db, "acme").await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_that_do_not_open_fail_the_run_with_one_alert_and_no_secret() {
    let test = fresh(&["acme"]).await;
    let db = &test.db;
    let keys = keyring();
    integration(db, &keys, "acme", "hub", &hubspot(), "ACTIVE").await;
    // Sealed for another integration, then copied here: it must not open.
    let other = keys
        .seal_json(
            &Binding {
                company_id: "acme",
                integration_id: "other",
            },
            &hubspot(),
        )
        .expect("seal");
    let mut tx = db.begin(&system("acme")).await.expect("begin");
    sqlx::query("UPDATE integrations SET encrypted_config = $1 WHERE id = 'hub'")
        .bind(other)
        .execute(&mut *tx)
        .await
        .expect("copy");
    tx.commit().await.expect("commit");
    let server = hubspot_server().await;

    let first = sync(db, &keys, "acme", "hub", &server, false).await;
    sync(db, &keys, "acme", "hub", &server, false).await;

    assert_eq!(ran(&first).1, ImportStatus::Failed);
    assert_eq!(first.retry_after, None);
    assert_eq!(count(db, "acme", "leads").await, 0);
    let (state, last_error, _) = integration_state(db, "acme", "hub").await;
    assert_eq!(state, "ERROR");
    assert!(
        last_error
            .expect("a reason")
            .contains("connect the integration again")
    );
    assert_eq!(alerts(db, "acme").await.len(), 1);
    assert!(
        server
            .received_requests()
            .await
            .unwrap_or_default()
            .is_empty()
    );
}

// --- Pipedrive: v2 lists page with `cursor` behind the x-api-token header ------------------------

fn pipedrive_auth() -> wiremock::matchers::HeaderExactMatcher {
    header("x-api-token", PIPEDRIVE_TOKEN)
}

fn pipedrive_page(data: Vec<Value>, next_cursor: Option<&str>) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "success": true,
        "data": data,
        "additional_data": {"next_cursor": next_cursor},
    }))
}

fn person(id: u32) -> Value {
    json!({
        "id": id,
        "name": format!("Pessoa {id}"),
        "owner_id": 11,
        "org_id": 7,
        "emails": [{"value": format!("pessoa{id}@cliente.com.br"), "primary": true, "label": "work"}],
        "update_time": "2024-05-02T10:00:00Z",
    })
}

fn pipedrive_deal(id: u32, person: u32) -> Value {
    json!({
        "id": id,
        "title": format!("Negócio {id}"),
        "owner_id": 12,
        "person_id": person,
        "org_id": 7,
        "stage_id": if id == 1 { 3 } else { 1 },
        "value": 2500.75,
        "currency": "BRL",
        "status": if id == 1 { "won" } else { "open" },
        "won_time": if id == 1 { json!("2024-05-03T09:00:00Z") } else { Value::Null },
        "close_time": if id == 1 { json!("2024-05-03T09:00:00Z") } else { Value::Null },
        "update_time": "2024-05-03T09:00:00Z",
    })
}

async fn pipedrive_server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/users"))
        .and(pipedrive_auth())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "success": true,
            "data": [
                {"id": 11, "name": "Ana", "email": "ana@acme.com.br", "active_flag": true},
                {"id": 12, "name": "Bruno", "email": "BRUNO@acme.com.br", "active_flag": true},
            ],
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v2/stages"))
        .and(pipedrive_auth())
        .respond_with(pipedrive_page(
            vec![
                json!({"id": 1, "name": "Qualificação", "pipeline_id": 1}),
                json!({"id": 3, "name": "Fechamento", "pipeline_id": 1}),
            ],
            None,
        ))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v2/organizations"))
        .and(pipedrive_auth())
        .respond_with(pipedrive_page(
            vec![json!({"id": 7, "name": "Cliente SA"})],
            None,
        ))
        .mount(&server)
        .await;
    let persons = || {
        Mock::given(method("GET"))
            .and(path("/api/v2/persons"))
            .and(pipedrive_auth())
    };
    persons()
        .and(query_param_is_missing("cursor"))
        .respond_with(pipedrive_page(vec![person(1), person(2)], Some("p2")))
        .mount(&server)
        .await;
    persons()
        .and(query_param("cursor", "p2"))
        .respond_with(pipedrive_page(vec![person(3)], None))
        .mount(&server)
        .await;
    // Deal 1 belongs to person 1; deals 2 and 3 to person 101, who was never imported.
    Mock::given(method("GET"))
        .and(path("/api/v2/deals"))
        .and(pipedrive_auth())
        .respond_with(pipedrive_page(
            vec![
                pipedrive_deal(1, 1),
                pipedrive_deal(2, 101),
                pipedrive_deal(3, 101),
            ],
            None,
        ))
        .mount(&server)
        .await;
    server
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pipedrive_sync_gives_deals_of_an_unknown_person_their_organisations_lead() {
    let test = fresh(&["acme"]).await;
    let db = &test.db;
    let keys = keyring();
    integration(db, &keys, "acme", "pd", &pipedrive(), "ACTIVE").await;
    let server = pipedrive_server().await;

    let report = sync(db, &keys, "acme", "pd", &server, false).await;

    assert_eq!(ran(&report).1, ImportStatus::Success);
    assert_eq!((report.leads.created, report.deals.created), (3, 3));
    assert_eq!(report.leads_created_for_deals, 1);
    let won = deal(db, "acme", "pipedrive:1").await;
    assert_eq!(won.stage, "won", "Pipedrive says won");
    assert_eq!(won.lead_external_id.as_deref(), Some("pipedrive:1"));
    assert_eq!(won.owner_id, Some(user_id("acme", "bruno")));
    assert_eq!(won.value.to_string(), "2500.75");
    for id in ["pipedrive:2", "pipedrive:3"] {
        let open = deal(db, "acme", id).await;
        assert_eq!(open.stage, "qualification", "by name");
        assert_eq!(open.lead_name, "Cliente SA");
        assert_eq!(
            open.lead_external_id.as_deref(),
            Some("pipedrive:organisation:clientesa")
        );
    }

    // The next run is incremental (updated_since from the watermark) and changes nothing.
    let before = stamps(db, "acme", "deals").await;
    let again = sync(db, &keys, "acme", "pd", &server, false).await;
    assert_eq!(ran(&again).1, ImportStatus::Success);
    assert_eq!((again.leads.unchanged, again.deals.unchanged), (3, 3));
    assert_eq!(stamps(db, "acme", "deals").await, before);
    let incremental = server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| {
            r.url.path() == "/api/v2/persons"
                && r.url.query_pairs().any(|(k, _)| k == "updated_since")
        })
        .count();
    assert!(incremental >= 1, "the second run asks for changes only");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_for_one_company_never_reads_or_writes_another() {
    let test = fresh(&["acme", "globex"]).await;
    let db = &test.db;
    let keys = keyring();
    integration(db, &keys, "acme", "pd", &pipedrive(), "ACTIVE").await;
    let server = pipedrive_server().await;

    let foreign = sync(db, &keys, "globex", "pd", &server, false).await;

    assert_eq!(foreign.outcome, SyncOutcome::Skipped("not_found"));
    assert_eq!(foreign.next_run_at, None);
    assert!(
        server
            .received_requests()
            .await
            .unwrap_or_default()
            .is_empty()
    );

    let own = sync(db, &keys, "acme", "pd", &server, false).await;

    assert_eq!(ran(&own).1, ImportStatus::Success);
    for table in [
        "leads",
        "deals",
        "import_logs",
        "integration_sync_state",
        "audit_logs",
    ] {
        assert_eq!(count(db, "globex", table).await, 0, "{table} of globex");
    }
    assert_eq!(count(db, "acme", "deals").await, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_inactive_integration_is_not_synced() {
    let test = fresh(&["acme"]).await;
    let db = &test.db;
    let keys = keyring();
    integration(db, &keys, "acme", "pd", &pipedrive(), "INACTIVE").await;
    let server = pipedrive_server().await;

    let report = sync(db, &keys, "acme", "pd", &server, false).await;

    assert_eq!(report.outcome, SyncOutcome::Skipped("inactive"));
    assert_eq!(count(db, "acme", "import_logs").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_active_crm_integration_gets_one_waiting_sync_job() {
    let test = fresh(&["acme", "globex"]).await;
    let db = &test.db;
    let keys = keyring();
    integration(db, &keys, "acme", "new", &pipedrive(), "ACTIVE").await;
    integration(db, &keys, "acme", "synced", &hubspot(), "ACTIVE").await;
    integration(db, &keys, "acme", "broken", &hubspot(), "ERROR").await;
    integration(db, &keys, "acme", "off", &hubspot(), "INACTIVE").await;
    integration(db, &keys, "globex", "theirs", &hubspot(), "ACTIVE").await;
    let mut tx = db.begin(&system("acme")).await.expect("begin");
    sqlx::query("UPDATE companies SET settings = settings || '{\"polling_interval\": 600}'")
        .execute(&mut *tx)
        .await
        .expect("settings");
    sqlx::query(
        "UPDATE integrations SET last_sync_at = now() - interval '1 minute' WHERE id = 'synced'",
    )
    .execute(&mut *tx)
    .await
    .expect("synced");
    tx.commit().await.expect("commit");

    let mut tx = db.begin(&system("acme")).await.expect("begin");
    let asked = schedule_syncs(&mut tx).await.expect("schedule");
    let again = schedule_syncs(&mut tx).await.expect("schedule again");
    let jobs: Vec<(String, String, bool)> = sqlx::query_as(
        "SELECT dedup_key, status, run_at > now() + interval '8 minutes' FROM jobs
         WHERE kind = 'crm_sync' ORDER BY dedup_key",
    )
    .fetch_all(&mut *tx)
    .await
    .expect("jobs");
    tx.commit().await.expect("commit");

    assert_eq!(asked, 3);
    assert_eq!(again, 0, "waiting jobs are left alone");
    assert_eq!(
        jobs,
        [
            ("crm_sync:broken".to_owned(), "QUEUED".to_owned(), false),
            ("crm_sync:new".to_owned(), "QUEUED".to_owned(), false),
            ("crm_sync:synced".to_owned(), "QUEUED".to_owned(), true),
        ],
        "due now, or at the last sync + the polling interval"
    );
    assert_eq!(count(db, "globex", "jobs").await, 0);
}
