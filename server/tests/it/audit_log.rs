//! A company's audit log over HTTP: a DIRECTOR (and staff) read it newest first, filtered by
//! person, entity, action and dates in the company's time zone, paginated, with who acted — a
//! person, staff, a job — and what changed, field by field. Nobody else reads it.

use crate::common::{self, Reply, TestApp, api, email};
use axum::http::StatusCode;
use db::testing::TestDb;
use serde_json::Value;

/// The JSON of a successful answer.
fn json(reply: &Reply) -> Value {
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    common::json(reply)
}

fn actions(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect()
}

/// Rows written by people through the app, plus a job's row and old rows at known times.
async fn seed_log(app: &TestApp) {
    let director = app.session_for(&email("acme", "diretora")).await;
    let staff = app.session_for("suporte@performancy.dev").await;
    api(
        app,
        "users/update",
        &[
            ("slug", "acme"),
            ("user_id", "acme-agent1"),
            ("role", "MANAGER"),
            ("area", "SALES"),
        ],
        Some(&director),
    )
    .await;
    api(
        app,
        "squads/create",
        &[
            ("slug", "acme"),
            ("name", "Sul"),
            ("squad_type", "sales"),
            ("target", "1.000,00"),
        ],
        Some(&staff),
    )
    .await;
    let mut tx = app
        .test
        .db
        .begin(&TestDb::system("company-acme"))
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO audit_logs (company_id, actor, actor_label, action, entity_type, entity_id, created_at)
         VALUES ('company-acme', 'SYSTEM', 'job:crm_sync', 'IMPORT_RUN', 'import', 'run-1', '2026-01-15T02:30:00Z')",
    )
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_director_reads_the_log_newest_first_with_actors_and_field_changes() {
    let app = TestApp::new().await;
    seed_log(&app).await;
    let director = app.session_for(&email("acme", "diretora")).await;
    let page = json(&api(&app, "audit/list", &[("slug", "acme")], Some(&director)).await);
    assert_eq!(
        actions(&page),
        vec!["SQUAD_CREATED", "USER_UPDATED", "IMPORT_RUN"]
    );
    let items = page["items"].as_array().unwrap();
    assert_eq!(
        (items[0]["actor"].as_str(), items[0]["actor_label"].as_str()),
        (Some("STAFF"), Some("Suporte Performancy"))
    );
    assert_eq!(
        (items[1]["actor"].as_str(), items[1]["actor_label"].as_str()),
        (Some("USER"), Some("director of acme"))
    );
    assert_eq!(
        (items[2]["actor"].as_str(), items[2]["actor_label"].as_str()),
        (Some("SYSTEM"), Some("job:crm_sync"))
    );
    assert_eq!(
        items[1]["changes"],
        serde_json::json!([{"field": "role", "before": "AGENT", "after": "MANAGER"}])
    );
    assert!(
        items[0]["changes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["field"] == "target_monthly" && c["after"] == "1000.00")
    );
    // Times are in the company's zone (São Paulo, UTC-3): 02:30 UTC is the evening before.
    assert_eq!(items[2]["at"], "2026-01-14T23:30:00-03:00");
    assert_eq!(
        page["entity_types"],
        serde_json::json!(["import", "squad", "user"])
    );
    assert_eq!(
        page["actions"],
        serde_json::json!(["IMPORT_RUN", "SQUAD_CREATED", "USER_UPDATED"])
    );
    assert!(
        page["people"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["id"] == "acme-director")
    );
    assert_eq!(page["has_next"], false);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_log_filters_by_person_entity_action_and_dates_in_the_companys_zone() {
    let app = TestApp::new().await;
    seed_log(&app).await;
    let staff = app.session_for("suporte@performancy.dev").await;
    let by_person = json(
        &api(
            &app,
            "audit/list",
            &[("slug", "acme"), ("user_id", "acme-director")],
            Some(&staff),
        )
        .await,
    );
    assert_eq!(actions(&by_person), vec!["USER_UPDATED"]);
    let by_entity = json(
        &api(
            &app,
            "audit/list",
            &[("slug", "acme"), ("entity_type", "squad")],
            Some(&staff),
        )
        .await,
    );
    assert_eq!(actions(&by_entity), vec!["SQUAD_CREATED"]);
    let by_action = json(
        &api(
            &app,
            "audit/list",
            &[("slug", "acme"), ("action", "IMPORT_RUN")],
            Some(&staff),
        )
        .await,
    );
    assert_eq!(actions(&by_action), vec!["IMPORT_RUN"]);
    // 2026-01-15T02:30Z is the 14th in São Paulo: a filter on the 14th finds it, one on the 15th does not.
    let on_14th = json(
        &api(
            &app,
            "audit/list",
            &[
                ("slug", "acme"),
                ("from", "2026-01-14"),
                ("to", "2026-01-14"),
            ],
            Some(&staff),
        )
        .await,
    );
    assert_eq!(actions(&on_14th), vec!["IMPORT_RUN"]);
    let from_15th = json(
        &api(
            &app,
            "audit/list",
            &[
                ("slug", "acme"),
                ("from", "2026-01-15"),
                ("to", "2026-01-31"),
            ],
            Some(&staff),
        )
        .await,
    );
    assert!(actions(&from_15th).is_empty());
    let bad = api(
        &app,
        "audit/list",
        &[("slug", "acme"), ("from", "14/01/2026")],
        Some(&staff),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("from:date"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_log_is_paginated_fifty_rows_at_a_time() {
    let app = TestApp::new().await;
    let mut tx = app
        .test
        .db
        .begin(&TestDb::system("company-acme"))
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO audit_logs (company_id, id, actor, actor_label, action, entity_type, entity_id, created_at)
         SELECT 'company-acme', 'row-' || lpad(n::text, 2, '0'), 'SYSTEM', 'job:test', 'TICK', 'job', n::text, now() - make_interval(mins => n)
         FROM generate_series(1, 60) n",
    )
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let director = app.session_for(&email("acme", "diretora")).await;
    let first = json(&api(&app, "audit/list", &[("slug", "acme")], Some(&director)).await);
    assert_eq!(first["items"].as_array().unwrap().len(), 50);
    assert_eq!(first["items"][0]["id"], "row-01");
    assert_eq!(first["has_next"], true);
    let second = json(
        &api(
            &app,
            "audit/list",
            &[("slug", "acme"), ("page", "2")],
            Some(&director),
        )
        .await,
    );
    assert_eq!(second["items"].as_array().unwrap().len(), 10);
    assert_eq!(second["items"][9]["id"], "row-60");
    assert_eq!(second["has_next"], false);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_directors_and_staff_read_a_companys_log() {
    let app = TestApp::new().await;
    seed_log(&app).await;
    let manager = app.session_for(&email("acme", "gerente")).await;
    let agent = app.session_for(&email("acme", "agente2")).await;
    let globex = app.session_for(&email("globex", "diretora")).await;
    let deactivated = app.session_for(&email("acme", "agente1")).await;
    let mut tx = app
        .test
        .db
        .begin(&TestDb::system("company-acme"))
        .await
        .unwrap();
    sqlx::query("UPDATE users SET status = 'INACTIVE' WHERE id = 'acme-agent1'")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    for (who, cookie, expected) in [
        ("manager", Some(manager.as_str()), StatusCode::FORBIDDEN),
        ("agent", Some(agent.as_str()), StatusCode::FORBIDDEN),
        (
            "globex director",
            Some(globex.as_str()),
            StatusCode::NOT_FOUND,
        ),
        (
            "deactivated",
            Some(deactivated.as_str()),
            StatusCode::UNAUTHORIZED,
        ),
        ("guest", None, StatusCode::UNAUTHORIZED),
    ] {
        let reply = api(&app, "audit/list", &[("slug", "acme")], cookie).await;
        assert_eq!(reply.status, expected, "{who}: {}", reply.body);
        assert!(!reply.body.contains("USER_UPDATED"), "{who} read the log");
    }
    let own = json(&api(&app, "audit/list", &[("slug", "globex")], Some(&globex)).await);
    assert!(
        actions(&own).is_empty(),
        "globex's log holds nothing of acme"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_page_renders_the_log_for_a_director() {
    let app = TestApp::new().await;
    seed_log(&app).await;
    let director = app.session_for(&email("acme", "diretora")).await;
    let page = app.get("/acme/audit", Some(&director)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("data-testid=\"audit-table\"")
            && page.body.contains("job:crm_sync")
            && page.body.contains("Suporte Performancy"),
        "{}",
        page.body
    );
    let manager = app.session_for(&email("acme", "gerente")).await;
    assert_eq!(
        app.get("/acme/audit", Some(&manager)).await.status,
        StatusCode::FORBIDDEN
    );
}
