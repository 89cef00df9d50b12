//! The router the binary serves, driven in-process: health and readiness, server-rendered pages in
//! Portuguese, a tenant's header for its members, "not found" for what a user may not see, and a
//! request id on every response.

use crate::common::{TestApp, email};
use axum::http::StatusCode;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_answers_and_readiness_checks_the_database() {
    let app = TestApp::new().await;
    assert_eq!(app.get("/health", None).await.status, StatusCode::OK);
    assert_eq!(app.get("/ready", None).await.status, StatusCode::OK);

    // With the database gone, the instance is alive but not ready.
    app.test.db.close().await;
    assert_eq!(app.get("/health", None).await.status, StatusCode::OK);
    assert_eq!(
        app.get("/ready", None).await.status,
        StatusCode::SERVICE_UNAVAILABLE
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_landing_page_is_rendered_on_the_server_in_portuguese() {
    let app = TestApp::new().await;
    let reply = app.get("/", None).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(
        reply
            .body
            .contains("Sua operação de vendas, medida conversa a conversa"),
        "{}",
        reply.body
    );
    assert!(reply.body.contains("lang=\"pt-BR\""), "html lang");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn english_is_served_to_whoever_chose_it() {
    let app = TestApp::new().await;
    let reply = app.get("/", Some("i18n_pref_locale=en")).await;
    assert!(
        reply
            .body
            .contains("Your sales operation, measured one conversation at a time"),
        "{}",
        reply.body
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_sees_the_company_page_with_its_money_format() {
    let app = TestApp::new().await;
    let cookie = app.session_for(&email("acme", "agente1")).await;
    let reply = app.get("/acme", Some(&cookie)).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("Acme Vendas"));
    assert!(
        reply.body.contains("R$\u{a0}1.234.567,89"),
        "money not in pt-BR format"
    );
    let reply = app.get("/acme/alerts", Some(&cookie)).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("Esta área está em construção"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guest_is_sent_to_sign_in_and_learns_nothing_about_the_company() {
    let app = TestApp::new().await;
    for uri in ["/acme", "/acme/deals", "/does-not-exist"] {
        let reply = app.get(uri, None).await;
        assert_eq!(reply.status, StatusCode::FOUND, "{uri}");
        let location = reply.location().unwrap();
        assert!(location.starts_with("/login?next=/"), "{uri} → {location}");
        assert!(
            !reply.body.contains("Acme Vendas"),
            "{uri} leaked the company name"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_tenants_areas_and_other_companies_are_not_found() {
    let app = TestApp::new().await;
    let cookie = app.session_for(&email("acme", "diretora")).await;
    for uri in [
        "/globex",
        "/acme/nothing-here",
        "/Acme",
        "/admin-panel",
        "/acme/leads/extra/segments",
        "/nao-existe",
    ] {
        let reply = app.get(uri, Some(&cookie)).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{uri}");
        assert!(
            reply.body.contains("Página não encontrada"),
            "{uri}: {}",
            reply.body
        );
        assert!(
            !reply.body.contains("Globex Brasil"),
            "{uri} leaked another company's name"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_response_carries_a_request_id_and_keeps_a_given_one() {
    let app = TestApp::new().await;
    let reply = app.get("/health", None).await;
    let generated = reply
        .headers
        .get("x-request-id")
        .expect("request id")
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(generated.len(), 36, "a UUID: {generated}");
    let mut request = axum::http::Request::get("/health");
    request = request.header("x-request-id", "support-ticket-42");
    let reply = app
        .send(request.body(axum::body::Body::empty()).unwrap())
        .await;
    assert_eq!(
        reply.headers.get("x-request-id").unwrap(),
        "support-ticket-42"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_outage_is_an_error_page_without_internal_detail() {
    let app = TestApp::new().await;
    let cookie = app.session_for(&email("acme", "diretora")).await;
    app.test.db.close().await;
    let reply = app.get("/acme", Some(&cookie)).await;
    assert!(reply.status.is_server_error(), "{}", reply.status);
    for leak in ["sqlx", "PoolClosed", "postgres"] {
        assert!(
            !reply.body.to_lowercase().contains(&leak.to_lowercase()),
            "leaked {leak}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_is_forbidden_the_administration_areas_and_a_director_is_not() {
    let app = TestApp::new().await;
    let agent = app.session_for(&email("acme", "agente1")).await;
    for uri in [
        "/acme/users",
        "/acme/audit",
        "/acme/integrations",
        "/acme/settings",
    ] {
        let reply = app.get(uri, Some(&agent)).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{uri}");
        assert!(reply.body.contains("Acesso não permitido"), "{uri}");
    }
    assert_eq!(
        app.get("/acme/ranking", Some(&agent)).await.status,
        StatusCode::OK
    );
    let manager = app.session_for(&email("acme", "gerente")).await;
    assert_eq!(
        app.get("/acme/users", Some(&manager)).await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.get("/acme/audit", Some(&manager)).await.status,
        StatusCode::FORBIDDEN
    );
    let director = app.session_for(&email("acme", "diretora")).await;
    for uri in [
        "/acme/users",
        "/acme/audit",
        "/acme/integrations",
        "/acme/settings",
    ] {
        assert_eq!(
            app.get(uri, Some(&director)).await.status,
            StatusCode::OK,
            "{uri}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn static_assets_are_served_before_any_page_route() {
    let site = std::env::temp_dir().join(format!("performancy-site-{}", std::process::id()));
    std::fs::create_dir_all(site.join("pkg")).unwrap();
    std::fs::write(
        site.join("pkg/performancy.js"),
        "export function hydrate() {}",
    )
    .unwrap();
    std::fs::write(site.join("favicon.ico"), [0u8, 0, 1, 0]).unwrap();
    let app = TestApp::with_site_root(site.to_str().unwrap()).await;
    let js = app.get("/pkg/performancy.js", None).await;
    assert_eq!(js.status, StatusCode::OK);
    assert!(js.body.contains("hydrate"));
    assert_eq!(app.get("/favicon.ico", None).await.status, StatusCode::OK);
    assert_eq!(
        app.get("/pkg/missing.js", None).await.status,
        StatusCode::NOT_FOUND
    );
}
