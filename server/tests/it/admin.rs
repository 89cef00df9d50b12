//! The staff console over HTTP, as its server functions answer: only staff reach it (anyone else
//! signed in gets "not found", a guest "unauthorized"); creating a company checks its slug and
//! details, creates its default pipeline, and audits the creation in the company's log and in the
//! staff log in the same transaction; staff users are created with the password rules and can be
//! deactivated, which ends their sessions.

use crate::common::{self, TestApp, api, email, json, user_id};
use axum::http::StatusCode;
use db::testing::TestDb;
use serde_json::Value;

const STAFF: &str = "suporte@performancy.dev";

fn new_company<'a>(name: &'a str, slug: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("name", name),
        ("slug", slug),
        ("domain", "initech.com.br"),
        ("timezone", "America/Sao_Paulo"),
        ("currency", "brl"),
    ]
}

/// Sessions of everyone who is not staff: two directors (one of another tenant), a manager, an agent.
async fn non_staff_sessions(app: &TestApp) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (company, local) in [
        ("acme", "diretora"),
        ("globex", "diretora"),
        ("acme", "gerente"),
        ("acme", "agente1"),
    ] {
        out.push((
            format!("{local}@{company}"),
            app.session_for(&email(company, local)).await,
        ));
    }
    out
}

/// A session whose user was then deactivated: the session is dead, so the answer is 401.
async fn deactivated_staff_session(app: &TestApp) -> String {
    let hash = app::auth::password::hash_password(common::PASSWORD.to_owned())
        .await
        .unwrap();
    let id = app
        .test
        .db
        .lookups()
        .create_staff_user("antigo@performancy.dev", "Antigo Suporte", &hash)
        .await
        .unwrap();
    let cookie = app.session_for("antigo@performancy.dev").await;
    let mut tx = app.test.db.begin_staff().await.unwrap();
    assert!(
        tx.set_staff_user_status(&id, domain::UserStatus::Inactive)
            .await
            .unwrap()
    );
    tx.commit().await.unwrap();
    cookie
}

async fn staff_audit_actions(app: &TestApp) -> Vec<String> {
    app.test
        .db
        .staff()
        .audit(500, 0)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.action)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_list_every_company_with_its_user_count() {
    let app = TestApp::new().await;
    let staff = app.session_for(STAFF).await;
    let reply = api(&app, "admin/companies", &[], Some(&staff)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let companies = json(&reply);
    let slugs: Vec<&str> = companies
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["slug"].as_str().unwrap())
        .collect();
    assert_eq!(slugs, vec!["acme", "globex"]);
    assert_eq!(companies[0]["user_count"], 4);
    assert_eq!(companies[0]["name"], "Acme Vendas");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_does_not_exist_for_anyone_but_staff() {
    let app = TestApp::new().await;
    for (who, cookie) in non_staff_sessions(&app).await {
        for (endpoint, form) in [
            ("admin/companies", vec![]),
            ("admin/companies/create", new_company("Initech", "initech")),
            ("admin/staff", vec![]),
            (
                "admin/staff/create",
                vec![
                    ("name", "Intruso"),
                    ("email", "intruso@acme.test"),
                    ("password", "uma senha bem comprida"),
                ],
            ),
            (
                "admin/staff/status",
                vec![("user_id", app.staff_id.as_str()), ("active", "false")],
            ),
            ("admin/audit", vec![]),
        ] {
            let reply = api(&app, endpoint, &form, Some(&cookie)).await;
            assert_eq!(
                reply.status,
                StatusCode::NOT_FOUND,
                "{who} on {endpoint}: {}",
                reply.body
            );
        }
    }
    let companies = app.test.db.staff().companies().await.unwrap();
    assert_eq!(companies.len(), 2, "nobody but staff created a company");
    assert!(
        app.test
            .db
            .staff()
            .staff_users()
            .await
            .unwrap()
            .iter()
            .all(|u| u.email != "intruso@acme.test")
    );
    assert!(
        app.test
            .db
            .staff()
            .staff_users()
            .await
            .unwrap()
            .iter()
            .all(|u| u.status == domain::UserStatus::Active)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guest_and_a_deactivated_staff_user_are_unauthorized() {
    let app = TestApp::new().await;
    let dead = deactivated_staff_session(&app).await;
    for cookie in [None, Some(dead.as_str())] {
        for endpoint in ["admin/companies", "admin/staff", "admin/audit"] {
            assert_eq!(
                api(&app, endpoint, &[], cookie).await.status,
                StatusCode::UNAUTHORIZED,
                "{endpoint}"
            );
        }
        let reply = api(
            &app,
            "admin/companies/create",
            &new_company("Initech", "initech"),
            cookie,
        )
        .await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(app.test.db.staff().companies().await.unwrap().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn creating_a_company_creates_its_default_pipeline_and_audits_it_twice_in_one_transaction() {
    let app = TestApp::new().await;
    let staff = app.session_for(STAFF).await;
    let reply = api(
        &app,
        "admin/companies/create",
        &new_company("Initech Serviços", " Initech "),
        Some(&staff),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let created = json(&reply);
    assert_eq!(created["slug"], "initech", "trimmed and lowercased");
    let company_id = created["id"].as_str().unwrap().to_owned();

    let mut tx = app
        .test
        .db
        .begin(&TestDb::system(&company_id))
        .await
        .unwrap();
    let company: (String, Option<String>, String, String) =
        sqlx::query_as("SELECT name, domain, timezone, currency FROM companies WHERE id = $1")
            .bind(&company_id)
            .fetch_one(&mut *tx)
            .await
            .unwrap();
    assert_eq!(
        company,
        (
            "Initech Serviços".into(),
            Some("initech.com.br".into()),
            "America/Sao_Paulo".into(),
            "BRL".into()
        )
    );
    let stages: Vec<(String, String, i32, String, String)> = sqlx::query_as(
        "SELECT key, name, position, probability::text, kind::text FROM pipeline_stages WHERE company_id = $1 ORDER BY position",
    )
    .bind(&company_id)
    .fetch_all(&mut *tx)
    .await
    .unwrap();
    let summary: Vec<(&str, &str, &str, &str)> = stages
        .iter()
        .map(|(k, n, _, p, kind)| (k.as_str(), n.as_str(), p.as_str(), kind.as_str()))
        .collect();
    assert_eq!(
        summary,
        vec![
            ("prospecting", "Prospecção", "10.00", "OPEN"),
            ("qualification", "Qualificação", "25.00", "OPEN"),
            ("proposal", "Proposta", "50.00", "OPEN"),
            ("negotiation", "Negociação", "75.00", "OPEN"),
            ("won", "Ganho", "100.00", "WON"),
            ("lost", "Perdido", "0.00", "LOST"),
        ]
    );
    let audit: (String, Option<String>, String, Value) = sqlx::query_as(
        "SELECT actor::text, user_id, action, changes FROM audit_logs WHERE company_id = $1",
    )
    .bind(&company_id)
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    assert_eq!(
        (audit.0.as_str(), audit.1.as_deref(), audit.2.as_str()),
        ("STAFF", Some(app.staff_id.as_str()), "COMPANY_CREATED")
    );
    assert_eq!(audit.3["after"]["slug"], "initech");
    assert!(audit.3["before"].is_null());
    drop(tx);

    let staff_log = app.test.db.staff().audit(10, 0).await.unwrap();
    assert_eq!(staff_log[0].action, "COMPANY_CREATED");
    assert_eq!(
        staff_log[0].company_id.as_deref(),
        Some(company_id.as_str())
    );
    assert_eq!(staff_log[0].user_id.as_deref(), Some(app.staff_id.as_str()));

    // Staff can enter it at once; the new company is listed.
    assert_eq!(
        app.get("/initech", Some(&staff)).await.status,
        StatusCode::OK
    );
    let list = json(&api(&app, "admin/companies", &[], Some(&staff)).await);
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .any(|c| c["slug"] == "initech" && c["user_count"] == 0)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slugs_are_validated_reserved_words_refused_and_a_taken_slug_named_and_nothing_is_written()
{
    let app = TestApp::new().await;
    let staff = app.session_for(STAFF).await;
    for (slug, problem) in [
        ("admin", "slug:reserved"),
        ("login", "slug:reserved"),
        ("api", "slug:reserved"),
        ("acme vendas", "slug:characters"),
        ("açaí", "slug:characters"),
        ("-acme", "slug:characters"),
        ("a", "slug:length"),
        ("acme", "slug:taken"),
        ("Globex", "slug:taken"),
    ] {
        let reply = api(
            &app,
            "admin/companies/create",
            &new_company("Outra", slug),
            Some(&staff),
        )
        .await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{slug}: {}",
            reply.body
        );
        assert!(reply.body.contains(problem), "{slug}: {}", reply.body);
    }
    for (field, value, problem) in [
        ("name", "  ", "name:required"),
        ("timezone", "America/Atlantida", "timezone:unknown"),
        ("currency", "REAL", "currency:unknown"),
        ("domain", "http://nao é domínio", "domain:invalid"),
    ] {
        let mut form = new_company("Initech", "initech");
        form.retain(|(k, _)| *k != field);
        form.push((field, value));
        let reply = api(&app, "admin/companies/create", &form, Some(&staff)).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}");
        assert!(reply.body.contains(problem), "{field}: {}", reply.body);
    }
    assert_eq!(app.test.db.staff().companies().await.unwrap().len(), 2);
    assert!(
        staff_audit_actions(&app).await.is_empty(),
        "a refused creation writes no audit row"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_create_staff_users_under_the_password_rules() {
    let app = TestApp::new().await;
    let staff = app.session_for(STAFF).await;
    for (password, problem) in [
        ("curta", "password:too_short"),
        ("password123", "password:too_common"),
        ("novasuporte@performancy.dev", "password:too_common"),
    ] {
        let reply = api(
            &app,
            "admin/staff/create",
            &[
                ("name", "Nova Suporte"),
                ("email", "novasuporte@performancy.dev"),
                ("password", password),
            ],
            Some(&staff),
        )
        .await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{password}");
        assert!(reply.body.contains(problem), "{password}: {}", reply.body);
    }
    let taken = api(
        &app,
        "admin/staff/create",
        &[
            ("name", "Outra"),
            ("email", "Diretora@Acme.test"),
            ("password", "cavalo bateria grampo correto"),
        ],
        Some(&staff),
    )
    .await;
    assert!(taken.body.contains("email:taken"), "{}", taken.body);
    let bad = api(
        &app,
        "admin/staff/create",
        &[
            ("name", "Outra"),
            ("email", "sem-arroba"),
            ("password", "cavalo bateria grampo correto"),
        ],
        Some(&staff),
    )
    .await;
    assert!(bad.body.contains("email:invalid"), "{}", bad.body);
    assert!(staff_audit_actions(&app).await.is_empty());

    let reply = api(
        &app,
        "admin/staff/create",
        &[
            ("name", "Nova Suporte"),
            ("email", "NovaSuporte@performancy.dev"),
            ("password", "cavalo bateria grampo correto"),
        ],
        Some(&staff),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let list = json(&api(&app, "admin/staff", &[], Some(&staff)).await);
    let new = list
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == "novasuporte@performancy.dev")
        .expect("listed, e-mail lowercased");
    assert_eq!(new["status"], "ACTIVE");
    assert_eq!(new["is_me"], false);
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .any(|u| u["is_me"] == true && u["id"] == app.staff_id.as_str())
    );
    let log = app.test.db.staff().audit(10, 0).await.unwrap();
    assert_eq!(log[0].action, "STAFF_USER_CREATED");
    let changes = log[0].changes.as_ref().unwrap().to_string();
    assert!(
        !changes.contains("cavalo"),
        "the password never reaches the audit log: {changes}"
    );
    // The new staff user signs in and reaches the console.
    let theirs = app
        .sign_in_as(
            "novasuporte@performancy.dev",
            "cavalo bateria grampo correto",
        )
        .await;
    assert_eq!(theirs.location(), Some("/admin"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deactivating_a_staff_user_ends_their_sessions_and_nobody_deactivates_themselves() {
    let app = TestApp::new().await;
    let staff = app.session_for(STAFF).await;
    let hash = app::auth::password::hash_password(common::PASSWORD.to_owned())
        .await
        .unwrap();
    let other = app
        .test
        .db
        .lookups()
        .create_staff_user("outro@performancy.dev", "Outro Suporte", &hash)
        .await
        .unwrap();
    let theirs = app.session_for("outro@performancy.dev").await;
    assert_eq!(
        api(&app, "admin/companies", &[], Some(&theirs))
            .await
            .status,
        StatusCode::OK
    );

    let me = api(
        &app,
        "admin/staff/status",
        &[("user_id", &app.staff_id), ("active", "false")],
        Some(&staff),
    )
    .await;
    assert_eq!(me.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(me.body.contains("user:self"));
    let director = api(
        &app,
        "admin/staff/status",
        &[
            ("user_id", &user_id("acme", "director")),
            ("active", "false"),
        ],
        Some(&staff),
    )
    .await;
    assert_eq!(
        director.status,
        StatusCode::NOT_FOUND,
        "only staff users are managed here"
    );

    let off = api(
        &app,
        "admin/staff/status",
        &[("user_id", &other), ("active", "false")],
        Some(&staff),
    )
    .await;
    assert_eq!(off.status, StatusCode::OK, "{}", off.body);
    assert_eq!(
        api(&app, "admin/companies", &[], Some(&theirs))
            .await
            .status,
        StatusCode::UNAUTHORIZED,
        "their session ended"
    );
    assert_eq!(
        app.sign_in_as("outro@performancy.dev", common::PASSWORD)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );

    let on = api(
        &app,
        "admin/staff/status",
        &[("user_id", &other), ("active", "true")],
        Some(&staff),
    )
    .await;
    assert_eq!(on.status, StatusCode::OK);
    assert_eq!(
        app.sign_in_as("outro@performancy.dev", common::PASSWORD)
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        staff_audit_actions(&app).await,
        vec!["STAFF_USER_REACTIVATED", "STAFF_USER_DEACTIVATED"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_staff_audit_log_lists_staff_changes_newest_first_with_the_company_named() {
    let app = TestApp::new().await;
    let staff = app.session_for(STAFF).await;
    api(
        &app,
        "admin/companies/create",
        &new_company("Initech", "initech"),
        Some(&staff),
    )
    .await;
    api(
        &app,
        "admin/companies/create",
        &new_company("Umbrella", "umbrella"),
        Some(&staff),
    )
    .await;
    let reply = api(&app, "admin/audit", &[("page", "1")], Some(&staff)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let page = json(&reply);
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["company"], "Umbrella");
    assert_eq!(items[0]["actor_name"], "Suporte Performancy");
    assert_eq!(items[1]["company"], "Initech");
    assert!(
        items[0]["changes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["field"] == "slug" && c["after"] == "umbrella")
    );
    assert_eq!(page["has_next"], false);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_page_is_not_found_for_a_director_and_sends_a_guest_to_sign_in() {
    let app = TestApp::new().await;
    let director = app.session_for(&email("acme", "diretora")).await;
    let reply = app.get("/admin", Some(&director)).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert!(!reply.body.contains("Globex Brasil"));
    let guest = app.get("/admin", None).await;
    assert_eq!(guest.status, StatusCode::FOUND);
    assert!(guest.location().unwrap().starts_with("/login?next=/admin"));
    let staff = app.session_for(STAFF).await;
    let page = app.get("/admin", Some(&staff)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Globex Brasil") && page.body.contains("Acme Vendas"));
    for uri in ["/admin/staff", "/admin/audit", "/admin/companies/acme"] {
        assert_eq!(
            app.get(uri, Some(&staff)).await.status,
            StatusCode::OK,
            "{uri}"
        );
        assert_eq!(
            app.get(uri, Some(&director)).await.status,
            StatusCode::NOT_FOUND,
            "{uri}"
        );
    }
}
