//! The router the binary serves, driven in-process: health and readiness, server-rendered pages in
//! Portuguese, a tenant's header from its slug, "not found" for unknown tenants and areas, and a
//! request id on every response.

use app::state::{AppState, PageSettings};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use db::testing::TestDb;
use http_body_util::BodyExt;
use leptos::prelude::LeptosOptions;
use tower::ServiceExt;

async fn app_with_company() -> (axum::Router, TestDb) {
    let test = TestDb::new().await;
    let mut tx = test.db.begin(&TestDb::system("company-acme")).await.unwrap();
    sqlx::query("INSERT INTO companies (id, name, slug) VALUES ('company-acme', 'Acme Vendas', 'acme')")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let state = AppState {
        leptos_options: LeptosOptions::builder().output_name("performancy").build(),
        db: test.db.clone(),
        settings: PageSettings { development: true },
    };
    (server::routes::router(state), test)
}

async fn get(app: &axum::Router, uri: &str, headers: &[(&str, &str)]) -> (StatusCode, http::HeaderMap, String) {
    let mut request = Request::get(uri);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = app.clone().oneshot(request.body(Body::empty()).unwrap()).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, headers, String::from_utf8_lossy(&body).into_owned())
}

#[tokio::test]
async fn health_answers_and_readiness_checks_the_database() {
    let (app, test) = app_with_company().await;
    assert_eq!(get(&app, "/health", &[]).await.0, StatusCode::OK);
    assert_eq!(get(&app, "/ready", &[]).await.0, StatusCode::OK);

    // With the database gone, the instance is alive but not ready.
    test.db.close().await;
    assert_eq!(get(&app, "/health", &[]).await.0, StatusCode::OK);
    assert_eq!(get(&app, "/ready", &[]).await.0, StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test]
async fn the_landing_page_is_rendered_on_the_server_in_portuguese() {
    let (app, _test) = app_with_company().await;
    let (status, _, body) = get(&app, "/", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Sua operação de vendas, medida conversa a conversa"), "{body}");
    assert!(body.contains("/pkg/performancy.js") || body.contains("performancy"), "no hydration script");
}

#[tokio::test]
async fn english_is_served_to_whoever_chose_it() {
    let (app, _test) = app_with_company().await;
    let (_, _, body) = get(&app, "/", &[("cookie", "i18n_pref_locale=en")]).await;
    assert!(body.contains("Your sales operation, measured one conversation at a time"), "{body}");
}

#[tokio::test]
async fn a_tenant_page_shows_the_company_with_its_money_format() {
    let (app, _test) = app_with_company().await;
    let (status, _, body) = get(&app, "/acme", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Acme Vendas"));
    assert!(body.contains("R$\u{a0}1.234.567,89"), "money not in pt-BR format");
    let (status, _, body) = get(&app, "/acme/leads", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Esta área está em construção"));
}

#[tokio::test]
async fn unknown_tenants_areas_and_malformed_slugs_are_not_found() {
    let (app, _test) = app_with_company().await;
    for uri in ["/globex", "/acme/nothing-here", "/Acme", "/admin", "/acme/leads/extra/segments"] {
        let (status, _, body) = get(&app, uri, &[]).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{uri}");
        assert!(body.contains("Página não encontrada"), "{uri}: {body}");
        assert!(!body.contains("Acme Vendas"), "{uri} leaked the company name");
    }
}

#[tokio::test]
async fn every_response_carries_a_request_id_and_keeps_a_given_one() {
    let (app, _test) = app_with_company().await;
    let (_, headers, _) = get(&app, "/health", &[]).await;
    let generated = headers.get("x-request-id").expect("request id").to_str().unwrap().to_owned();
    assert_eq!(generated.len(), 36, "a UUID: {generated}");
    let (_, headers, _) = get(&app, "/health", &[("x-request-id", "support-ticket-42")]).await;
    assert_eq!(headers.get("x-request-id").unwrap(), "support-ticket-42");
}

#[tokio::test]
async fn a_database_outage_is_an_error_page_without_internal_detail() {
    let (app, test) = app_with_company().await;
    test.db.close().await;
    let (status, _, body) = get(&app, "/acme", &[]).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(body.contains("O serviço está indisponível no momento."));
    for leak in ["sqlx", "PoolClosed", "postgres", "pool"] {
        assert!(!body.to_lowercase().contains(&leak.to_lowercase()), "leaked {leak}");
    }
}
