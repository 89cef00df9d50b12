//! The users and squads of a company over HTTP, as their server functions answer, for each role:
//! a DIRECTOR (and staff) manage everyone; a MANAGER reads the squads they lead and those squads'
//! people and changes nothing (403), and anything outside those squads is "not found"; an AGENT is
//! forbidden the whole area; another tenant's director finds nothing; a deactivated user's session
//! and a guest are unauthorized. Every change is audited with before and after in its own
//! transaction, and a refused change leaves no audit row.

use crate::common::{self, TestApp, api, email, json, user_id};
use axum::http::StatusCode;
use db::testing::TestDb;
use serde_json::Value;

/// Acme's squads: "Sul" led by the manager with agent1, "Norte" with agent2 and no leader.
async fn seed_squads(app: &TestApp) {
    let mut tx = app
        .test
        .db
        .begin(&TestDb::system("company-acme"))
        .await
        .unwrap();
    sqlx::query("INSERT INTO squads (company_id, id, name, type, target_monthly) VALUES ('company-acme', 'squad-sul', 'Sul', 'sales', 100000), ('company-acme', 'squad-norte', 'Norte', 'sales', NULL)")
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO squad_members (company_id, squad_id, user_id, is_leader) VALUES
         ('company-acme', 'squad-sul', 'acme-manager', true),
         ('company-acme', 'squad-sul', 'acme-agent1', false),
         ('company-acme', 'squad-norte', 'acme-agent2', false)",
    )
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

async fn audit_rows(
    app: &TestApp,
    company: &str,
) -> Vec<(String, String, Option<String>, Option<Value>)> {
    let mut tx = app
        .test
        .db
        .begin(&TestDb::system(&format!("company-{company}")))
        .await
        .unwrap();
    sqlx::query_as("SELECT action, actor::text, entity_id, changes FROM audit_logs WHERE company_id = $1 ORDER BY created_at, id")
        .bind(format!("company-{company}"))
        .fetch_all(&mut *tx)
        .await
        .unwrap()
        .into_iter()
        .map(|(action, actor, entity, changes): (String, String, String, Option<Value>)| (action, actor, Some(entity), changes))
        .collect()
}

async fn user_field(app: &TestApp, id: &str, column: &str) -> String {
    let mut tx = app
        .test
        .db
        .begin(&TestDb::system("company-acme"))
        .await
        .unwrap();
    sqlx::query_scalar(&format!("SELECT {column}::text FROM users WHERE id = $1"))
        .bind(id)
        .fetch_one(&mut *tx)
        .await
        .unwrap()
}

async fn deactivate(app: &TestApp, company: &str, who: &str) {
    let mut tx = app
        .test
        .db
        .begin(&TestDb::system(&format!("company-{company}")))
        .await
        .unwrap();
    sqlx::query("UPDATE users SET status = 'INACTIVE' WHERE id = $1")
        .bind(user_id(company, who))
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

fn names(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["name"].as_str().unwrap().to_owned())
        .collect()
}

/// Every server function of the area with arguments aimed at acme's records.
fn every_call() -> Vec<(&'static str, Vec<(&'static str, &'static str)>)> {
    vec![
        ("users/list", vec![("slug", "acme")]),
        (
            "users/invite",
            vec![
                ("slug", "acme"),
                ("name", "Nova"),
                ("email", "nova@acme.test"),
                ("role", "AGENT"),
            ],
        ),
        (
            "users/update",
            vec![
                ("slug", "acme"),
                ("user_id", "acme-agent2"),
                ("role", "MANAGER"),
                ("area", "SALES"),
            ],
        ),
        (
            "users/status",
            vec![
                ("slug", "acme"),
                ("user_id", "acme-agent2"),
                ("active", "false"),
            ],
        ),
        (
            "users/resend",
            vec![("slug", "acme"), ("user_id", "acme-agent2")],
        ),
        ("squads/list", vec![("slug", "acme")]),
        (
            "squads/get",
            vec![("slug", "acme"), ("squad_id", "squad-norte")],
        ),
        (
            "squads/create",
            vec![("slug", "acme"), ("name", "Leste"), ("squad_type", "sales")],
        ),
        (
            "squads/update",
            vec![
                ("slug", "acme"),
                ("squad_id", "squad-norte"),
                ("name", "Norte 2"),
                ("squad_type", "cs"),
            ],
        ),
        (
            "squads/delete",
            vec![("slug", "acme"), ("squad_id", "squad-norte")],
        ),
        (
            "squads/member",
            vec![
                ("slug", "acme"),
                ("squad_id", "squad-norte"),
                ("user_id", "acme-agent1"),
                ("is_leader", "on"),
            ],
        ),
        (
            "squads/member/remove",
            vec![
                ("slug", "acme"),
                ("squad_id", "squad-norte"),
                ("user_id", "acme-agent2"),
            ],
        ),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_is_forbidden_every_call_and_nothing_changes() {
    let app = TestApp::new().await;
    seed_squads(&app).await;
    let agent = app.session_for(&email("acme", "agente1")).await;
    for (endpoint, form) in every_call() {
        let reply = api(&app, endpoint, &form, Some(&agent)).await;
        assert_eq!(
            reply.status,
            StatusCode::FORBIDDEN,
            "{endpoint}: {}",
            reply.body
        );
    }
    assert!(audit_rows(&app, "acme").await.is_empty());
    assert_eq!(user_field(&app, "acme-agent2", "status").await, "ACTIVE");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_tenants_director_finds_nothing_by_slug_or_by_id() {
    let app = TestApp::new().await;
    seed_squads(&app).await;
    let globex = app.session_for(&email("globex", "diretora")).await;
    for (endpoint, form) in every_call() {
        let reply = api(&app, endpoint, &form, Some(&globex)).await;
        assert_eq!(
            reply.status,
            StatusCode::NOT_FOUND,
            "{endpoint} on acme: {}",
            reply.body
        );
        // The same ids through their own company: still nothing.
        let own: Vec<(&str, &str)> = form
            .iter()
            .map(|(k, v)| {
                if *k == "slug" {
                    (*k, "globex")
                } else {
                    (*k, *v)
                }
            })
            .collect();
        if own.iter().any(|(k, _)| *k == "user_id" || *k == "squad_id") {
            let reply = api(&app, endpoint, &own, Some(&globex)).await;
            assert_eq!(
                reply.status,
                StatusCode::NOT_FOUND,
                "{endpoint} with acme's ids on globex: {}",
                reply.body
            );
        }
    }
    assert!(audit_rows(&app, "acme").await.is_empty());
    assert!(
        !names(&json(
            &api(&app, "users/list", &[("slug", "globex")], Some(&globex)).await
        ))
        .iter()
        .any(|n| n.contains("acme"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guest_and_a_deactivated_user_are_unauthorized() {
    let app = TestApp::new().await;
    seed_squads(&app).await;
    let director = app.session_for(&email("acme", "diretora")).await;
    let manager = app.session_for(&email("acme", "gerente")).await;
    deactivate(&app, "acme", "manager").await;
    for (endpoint, form) in every_call() {
        assert_eq!(
            api(&app, endpoint, &form, None).await.status,
            StatusCode::UNAUTHORIZED,
            "guest on {endpoint}"
        );
        assert_eq!(
            api(&app, endpoint, &form, Some(&manager)).await.status,
            StatusCode::UNAUTHORIZED,
            "deactivated on {endpoint}"
        );
    }
    assert!(audit_rows(&app, "acme").await.is_empty());
    assert_eq!(
        api(&app, "users/list", &[("slug", "acme")], Some(&director))
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manager_reads_only_the_squads_they_lead_and_changes_nothing() {
    let app = TestApp::new().await;
    seed_squads(&app).await;
    let manager = app.session_for(&email("acme", "gerente")).await;
    let people = json(&api(&app, "users/list", &[("slug", "acme")], Some(&manager)).await);
    assert_eq!(names(&people), vec!["agent1 of acme", "manager of acme"]);
    assert_eq!(people["can_manage"], false);
    assert_eq!(people["items"][0]["squads"], serde_json::json!(["Sul"]));
    let squads = json(&api(&app, "squads/list", &[("slug", "acme")], Some(&manager)).await);
    let listed: Vec<&str> = squads["squads"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(listed, vec!["Sul"]);
    assert_eq!(
        squads["people"],
        serde_json::json!([]),
        "no one to add: they add no one"
    );
    assert_eq!(
        api(
            &app,
            "squads/get",
            &[("slug", "acme"), ("squad_id", "squad-sul")],
            Some(&manager)
        )
        .await
        .status,
        StatusCode::OK
    );

    // Outside their squads: not found. Inside: forbidden (read-only).
    for (endpoint, form, expected) in [
        (
            "squads/get",
            vec![("squad_id", "squad-norte")],
            StatusCode::NOT_FOUND,
        ),
        (
            "squads/update",
            vec![
                ("squad_id", "squad-norte"),
                ("name", "X"),
                ("squad_type", "sales"),
            ],
            StatusCode::NOT_FOUND,
        ),
        (
            "squads/update",
            vec![
                ("squad_id", "squad-sul"),
                ("name", "X"),
                ("squad_type", "sales"),
            ],
            StatusCode::FORBIDDEN,
        ),
        (
            "squads/delete",
            vec![("squad_id", "squad-norte")],
            StatusCode::NOT_FOUND,
        ),
        (
            "squads/delete",
            vec![("squad_id", "squad-sul")],
            StatusCode::FORBIDDEN,
        ),
        (
            "squads/member",
            vec![("squad_id", "squad-norte"), ("user_id", "acme-agent1")],
            StatusCode::NOT_FOUND,
        ),
        (
            "squads/member",
            vec![("squad_id", "squad-sul"), ("user_id", "acme-agent2")],
            StatusCode::FORBIDDEN,
        ),
        (
            "squads/member/remove",
            vec![("squad_id", "squad-norte"), ("user_id", "acme-agent2")],
            StatusCode::NOT_FOUND,
        ),
        (
            "squads/member/remove",
            vec![("squad_id", "squad-sul"), ("user_id", "acme-agent1")],
            StatusCode::FORBIDDEN,
        ),
        (
            "squads/create",
            vec![("name", "Leste"), ("squad_type", "sales")],
            StatusCode::FORBIDDEN,
        ),
        (
            "users/update",
            vec![
                ("user_id", "acme-agent2"),
                ("role", "AGENT"),
                ("area", "SALES"),
            ],
            StatusCode::NOT_FOUND,
        ),
        (
            "users/update",
            vec![
                ("user_id", "acme-agent1"),
                ("role", "MANAGER"),
                ("area", "SALES"),
            ],
            StatusCode::FORBIDDEN,
        ),
        (
            "users/update",
            vec![
                ("user_id", "acme-manager"),
                ("role", "DIRECTOR"),
                ("area", "SALES"),
            ],
            StatusCode::FORBIDDEN,
        ),
        (
            "users/status",
            vec![("user_id", "acme-agent2"), ("active", "false")],
            StatusCode::NOT_FOUND,
        ),
        (
            "users/status",
            vec![("user_id", "acme-agent1"), ("active", "false")],
            StatusCode::FORBIDDEN,
        ),
        (
            "users/resend",
            vec![("user_id", "acme-director")],
            StatusCode::NOT_FOUND,
        ),
        (
            "users/invite",
            vec![
                ("name", "Nova"),
                ("email", "nova@acme.test"),
                ("role", "AGENT"),
            ],
            StatusCode::FORBIDDEN,
        ),
    ] {
        let mut form = form;
        form.push(("slug", "acme"));
        let reply = api(&app, endpoint, &form, Some(&manager)).await;
        assert_eq!(
            reply.status, expected,
            "{endpoint} {form:?}: {}",
            reply.body
        );
    }
    assert!(audit_rows(&app, "acme").await.is_empty());
    assert_eq!(user_field(&app, "acme-manager", "role").await, "MANAGER");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn directors_and_staff_search_people_accent_insensitively_filter_by_status_and_page() {
    let app = TestApp::new().await;
    let mut tx = app
        .test
        .db
        .begin(&TestDb::system("company-acme"))
        .await
        .unwrap();
    sqlx::query("UPDATE users SET name = 'José Conceição' WHERE id = 'acme-agent1'")
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO users (company_id, email, name, role, status)
         SELECT 'company-acme', 'pessoa' || n || '@acme.test', 'Pessoa ' || lpad(n::text, 2, '0'), 'AGENT', 'INVITED' FROM generate_series(1, 30) n",
    )
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let director = app.session_for(&email("acme", "diretora")).await;
    let staff = app.session_for("suporte@performancy.dev").await;
    for cookie in [&director, &staff] {
        let found = json(
            &api(
                &app,
                "users/list",
                &[("slug", "acme"), ("q", "jose conceicao")],
                Some(cookie),
            )
            .await,
        );
        assert_eq!(names(&found), vec!["José Conceição"]);
        let by_email = json(
            &api(
                &app,
                "users/list",
                &[("slug", "acme"), ("q", "GERENTE@")],
                Some(cookie),
            )
            .await,
        );
        assert_eq!(names(&by_email), vec!["manager of acme"]);
        let wildcard = json(
            &api(
                &app,
                "users/list",
                &[("slug", "acme"), ("q", "%")],
                Some(cookie),
            )
            .await,
        );
        assert_eq!(wildcard["total"], 0, "a typed % is a letter");
    }
    let first = json(
        &api(
            &app,
            "users/list",
            &[("slug", "acme"), ("status", "INVITED")],
            Some(&director),
        )
        .await,
    );
    assert_eq!(first["total"], 30);
    assert_eq!(first["items"].as_array().unwrap().len(), 25);
    assert_eq!(first["can_manage"], true);
    let second = json(
        &api(
            &app,
            "users/list",
            &[("slug", "acme"), ("status", "INVITED"), ("page", "2")],
            Some(&director),
        )
        .await,
    );
    assert_eq!(
        names(&second),
        (26..=30)
            .map(|n| format!("Pessoa {n:02}"))
            .collect::<Vec<_>>()
    );
    let active = json(
        &api(
            &app,
            "users/list",
            &[("slug", "acme"), ("status", "ACTIVE")],
            Some(&director),
        )
        .await,
    );
    assert_eq!(active["total"], 4);
    let bad = api(
        &app,
        "users/list",
        &[("slug", "acme"), ("status", "ZOMBIE")],
        Some(&director),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_director_invites_a_person_who_is_mailed_and_audited_but_never_as_admin() {
    let app = TestApp::new().await;
    let director = app.session_for(&email("acme", "diretora")).await;
    let admin = api(
        &app,
        "users/invite",
        &[
            ("slug", "acme"),
            ("name", "Falso Suporte"),
            ("email", "falso@acme.test"),
            ("role", "ADMIN"),
        ],
        Some(&director),
    )
    .await;
    assert_eq!(
        admin.status,
        StatusCode::FORBIDDEN,
        "a DIRECTOR can never create an ADMIN"
    );
    let staff = app.session_for("suporte@performancy.dev").await;
    let by_staff = api(
        &app,
        "users/invite",
        &[
            ("slug", "acme"),
            ("name", "Falso Suporte"),
            ("email", "falso@acme.test"),
            ("role", "ADMIN"),
        ],
        Some(&staff),
    )
    .await;
    assert_eq!(
        by_staff.status,
        StatusCode::FORBIDDEN,
        "staff are never created inside a company"
    );
    let taken = api(
        &app,
        "users/invite",
        &[
            ("slug", "acme"),
            ("name", "Outra"),
            ("email", "DIRETORA@globex.test"),
            ("role", "AGENT"),
        ],
        Some(&director),
    )
    .await;
    assert!(taken.body.contains("email:taken"), "{}", taken.body);
    for (field, value, problem) in [
        ("email", "sem-arroba", "email:invalid"),
        ("linkedin", "https://evil.example/ana", "linkedin:invalid"),
        ("role", "CEO", "role:unknown"),
        ("name", " ", "name:required"),
    ] {
        let mut form = vec![
            ("slug", "acme"),
            ("name", "Nova Agente"),
            ("email", "nova@acme.test"),
            ("role", "AGENT"),
        ];
        form.retain(|(k, _)| *k != field);
        form.push((field, value));
        let reply = api(&app, "users/invite", &form, Some(&director)).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}");
        assert!(reply.body.contains(problem), "{field}: {}", reply.body);
    }
    assert!(
        audit_rows(&app, "acme").await.is_empty(),
        "refused invitations leave no audit row"
    );
    assert!(app.mails_to("nova@acme.test").is_empty());

    let reply = api(
        &app,
        "users/invite",
        &[
            ("slug", "acme"),
            ("name", "Nova Agente"),
            ("email", "Nova@Acme.test"),
            ("role", "AGENT"),
            ("area", "CX_CS"),
            ("linkedin", "linkedin.com/in/nova"),
            ("language", "en"),
        ],
        Some(&director),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let outcome = json(&reply);
    assert_eq!(outcome["mail_sent"], true);
    let id = outcome["user_id"].as_str().unwrap();
    assert_eq!(user_field(&app, id, "status").await, "INVITED");
    assert_eq!(user_field(&app, id, "area").await, "CX_CS");
    assert_eq!(
        user_field(&app, id, "linkedin").await,
        "https://linkedin.com/in/nova"
    );
    let mails = app.mails_to("nova@acme.test");
    assert_eq!(mails.len(), 1);
    assert!(
        mails[0].subject.contains("director of acme") && mails[0].subject.contains("Acme Vendas"),
        "{}",
        mails[0].subject
    );
    assert!(app.link_mailed_to("nova@acme.test", "/invite/").is_some());
    let audit = audit_rows(&app, "acme").await;
    assert_eq!(audit.len(), 1);
    let (action, actor, entity, changes) = &audit[0];
    assert_eq!(
        (action.as_str(), actor.as_str(), entity.as_deref()),
        ("USER_INVITED", "USER", Some(id))
    );
    assert_eq!(changes.as_ref().unwrap()["after"]["role"], "AGENT");
    assert_eq!(
        changes.as_ref().unwrap()["after"]["email"],
        "nova@acme.test"
    );

    // Resend: only to the INVITED.
    assert_eq!(
        api(
            &app,
            "users/resend",
            &[("slug", "acme"), ("user_id", id)],
            Some(&director)
        )
        .await
        .status,
        StatusCode::OK
    );
    assert_eq!(app.mails_to("nova@acme.test").len(), 2);
    let active = api(
        &app,
        "users/resend",
        &[("slug", "acme"), ("user_id", "acme-agent1")],
        Some(&director),
    )
    .await;
    assert!(active.body.contains("user:not_invited"), "{}", active.body);
    assert_eq!(
        audit_rows(&app, "acme").await.last().unwrap().0,
        "USER_INVITATION_RESENT"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_director_changes_role_area_and_linkedin_with_the_change_audited() {
    let app = TestApp::new().await;
    let director = app.session_for(&email("acme", "diretora")).await;
    let reply = api(
        &app,
        "users/update",
        &[
            ("slug", "acme"),
            ("user_id", "acme-agent1"),
            ("role", "MANAGER"),
            ("area", "GTM"),
            ("linkedin", "https://www.linkedin.com/in/agente1"),
        ],
        Some(&director),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(user_field(&app, "acme-agent1", "role").await, "MANAGER");
    let audit = audit_rows(&app, "acme").await;
    let changes = audit[0].3.as_ref().unwrap();
    assert_eq!(audit[0].0, "USER_UPDATED");
    assert_eq!(
        changes["before"],
        serde_json::json!({"role": "AGENT", "area": "SALES", "linkedin": null})
    );
    assert_eq!(
        changes["after"],
        serde_json::json!({"role": "MANAGER", "area": "GTM", "linkedin": "https://www.linkedin.com/in/agente1"})
    );
    let to_admin = api(
        &app,
        "users/update",
        &[
            ("slug", "acme"),
            ("user_id", "acme-agent1"),
            ("role", "ADMIN"),
            ("area", "GTM"),
        ],
        Some(&director),
    )
    .await;
    assert_eq!(
        to_admin.status,
        StatusCode::FORBIDDEN,
        "nobody is promoted to ADMIN"
    );
    assert_eq!(user_field(&app, "acme-agent1", "role").await, "MANAGER");
    assert_eq!(audit_rows(&app, "acme").await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_last_active_director_can_be_neither_demoted_nor_deactivated() {
    let app = TestApp::new().await;
    let director = app.session_for(&email("acme", "diretora")).await;
    let staff = app.session_for("suporte@performancy.dev").await;
    let own = api(
        &app,
        "users/update",
        &[
            ("slug", "acme"),
            ("user_id", "acme-director"),
            ("role", "AGENT"),
            ("area", "SALES"),
        ],
        Some(&director),
    )
    .await;
    assert!(own.body.contains("role:self"), "{}", own.body);
    let self_off = api(
        &app,
        "users/status",
        &[
            ("slug", "acme"),
            ("user_id", "acme-director"),
            ("active", "false"),
        ],
        Some(&director),
    )
    .await;
    assert!(self_off.body.contains("user:self"), "{}", self_off.body);
    let demote = api(
        &app,
        "users/update",
        &[
            ("slug", "acme"),
            ("user_id", "acme-director"),
            ("role", "MANAGER"),
            ("area", "SALES"),
        ],
        Some(&staff),
    )
    .await;
    assert_eq!(demote.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        demote.body.contains("role:last_director"),
        "{}",
        demote.body
    );
    let off = api(
        &app,
        "users/status",
        &[
            ("slug", "acme"),
            ("user_id", "acme-director"),
            ("active", "false"),
        ],
        Some(&staff),
    )
    .await;
    assert!(off.body.contains("user:last_director"), "{}", off.body);
    assert_eq!(user_field(&app, "acme-director", "role").await, "DIRECTOR");
    assert!(
        audit_rows(&app, "acme").await.is_empty(),
        "refused changes leave no audit row"
    );

    // With a second director, the first may go.
    let promote = api(
        &app,
        "users/update",
        &[
            ("slug", "acme"),
            ("user_id", "acme-manager"),
            ("role", "DIRECTOR"),
            ("area", "SALES"),
        ],
        Some(&director),
    )
    .await;
    assert_eq!(promote.status, StatusCode::OK, "{}", promote.body);
    let demote = api(
        &app,
        "users/update",
        &[
            ("slug", "acme"),
            ("user_id", "acme-director"),
            ("role", "MANAGER"),
            ("area", "SALES"),
        ],
        Some(&staff),
    )
    .await;
    assert_eq!(demote.status, StatusCode::OK, "{}", demote.body);
    let audit = audit_rows(&app, "acme").await;
    assert_eq!(
        audit
            .iter()
            .map(|(a, actor, _, _)| (a.as_str(), actor.as_str()))
            .collect::<Vec<_>>(),
        vec![("USER_UPDATED", "USER"), ("USER_UPDATED", "STAFF")]
    );
    // A deactivated director does not count as the remaining one.
    let off = api(
        &app,
        "users/status",
        &[
            ("slug", "acme"),
            ("user_id", "acme-manager"),
            ("active", "false"),
        ],
        Some(&staff),
    )
    .await;
    assert!(off.body.contains("user:last_director"), "{}", off.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deactivating_a_person_ends_their_session_and_reactivating_restores_them() {
    let app = TestApp::new().await;
    let director = app.session_for(&email("acme", "diretora")).await;
    let agent = app.session_for(&email("acme", "agente2")).await;
    assert_eq!(app.get("/acme", Some(&agent)).await.status, StatusCode::OK);
    let stamp_before = user_field(&app, "acme-agent2", "security_stamp").await;
    let off = api(
        &app,
        "users/status",
        &[
            ("slug", "acme"),
            ("user_id", "acme-agent2"),
            ("active", "false"),
        ],
        Some(&director),
    )
    .await;
    assert_eq!(off.status, StatusCode::OK, "{}", off.body);
    assert_eq!(user_field(&app, "acme-agent2", "status").await, "INACTIVE");
    assert_ne!(
        user_field(&app, "acme-agent2", "security_stamp").await,
        stamp_before
    );
    assert_eq!(
        app.get("/acme", Some(&agent)).await.status,
        StatusCode::FOUND,
        "their session is over"
    );
    assert_eq!(
        app.sign_in_as(&email("acme", "agente2"), common::PASSWORD)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let on = api(
        &app,
        "users/status",
        &[
            ("slug", "acme"),
            ("user_id", "acme-agent2"),
            ("active", "true"),
        ],
        Some(&director),
    )
    .await;
    assert_eq!(on.status, StatusCode::OK);
    assert_eq!(user_field(&app, "acme-agent2", "status").await, "ACTIVE");
    assert_eq!(
        app.get("/acme", Some(&agent)).await.status,
        StatusCode::FOUND,
        "the old session stays dead"
    );
    assert_eq!(
        app.sign_in_as(&email("acme", "agente2"), common::PASSWORD)
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let audit = audit_rows(&app, "acme").await;
    assert_eq!(
        audit.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(),
        vec!["USER_DEACTIVATED", "USER_REACTIVATED"]
    );
    assert_eq!(audit[0].3.as_ref().unwrap()["after"]["status"], "INACTIVE");
    // A person who never accepted their invitation comes back INVITED.
    let invited = json(
        &api(
            &app,
            "users/invite",
            &[
                ("slug", "acme"),
                ("name", "Nova"),
                ("email", "nova@acme.test"),
                ("role", "AGENT"),
            ],
            Some(&director),
        )
        .await,
    );
    let id = invited["user_id"].as_str().unwrap();
    api(
        &app,
        "users/status",
        &[("slug", "acme"), ("user_id", id), ("active", "false")],
        Some(&director),
    )
    .await;
    api(
        &app,
        "users/status",
        &[("slug", "acme"), ("user_id", id), ("active", "true")],
        Some(&director),
    )
    .await;
    assert_eq!(user_field(&app, id, "status").await, "INVITED");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn directors_shape_squads_with_targets_in_the_companys_money_members_and_leaders() {
    let app = TestApp::new().await;
    seed_squads(&app).await;
    let director = app.session_for(&email("acme", "diretora")).await;
    let bad = api(
        &app,
        "squads/create",
        &[
            ("slug", "acme"),
            ("name", "Leste"),
            ("squad_type", "sales"),
            ("target", "dez mil"),
        ],
        Some(&director),
    )
    .await;
    assert!(bad.body.contains("target:malformed"), "{}", bad.body);
    let negative = api(
        &app,
        "squads/create",
        &[
            ("slug", "acme"),
            ("name", "Leste"),
            ("squad_type", "sales"),
            ("target", "-1"),
        ],
        Some(&director),
    )
    .await;
    assert!(
        negative.body.contains("target:negative"),
        "{}",
        negative.body
    );
    let kind = api(
        &app,
        "squads/create",
        &[
            ("slug", "acme"),
            ("name", "Leste"),
            ("squad_type", "marketing"),
        ],
        Some(&director),
    )
    .await;
    assert!(kind.body.contains("squad_type:unknown"), "{}", kind.body);
    assert!(audit_rows(&app, "acme").await.is_empty());

    let created = api(
        &app,
        "squads/create",
        &[
            ("slug", "acme"),
            ("name", "Leste"),
            ("squad_type", "pre_sales"),
            ("target", "150.000,50"),
        ],
        Some(&director),
    )
    .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    let id: String = serde_json::from_str(&created.body).unwrap();
    let leste = json(
        &api(
            &app,
            "squads/get",
            &[("slug", "acme"), ("squad_id", &id)],
            Some(&director),
        )
        .await,
    );
    assert_eq!(leste["target_monthly"], "150000.50");
    assert_eq!(leste["squad_type"], "pre_sales");
    // agent1 joins a second squad and leads it; agent2 joins too.
    for (user, leader) in [("acme-agent1", Some("on")), ("acme-agent2", None)] {
        let mut form = vec![
            ("slug", "acme"),
            ("squad_id", id.as_str()),
            ("user_id", user),
        ];
        if let Some(on) = leader {
            form.push(("is_leader", on));
        }
        let reply = api(&app, "squads/member", &form, Some(&director)).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    }
    let view = json(&api(&app, "squads/list", &[("slug", "acme")], Some(&director)).await);
    assert_eq!(view["currency"], "BRL");
    let leste = view["squads"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "Leste")
        .unwrap();
    let members: Vec<(&str, bool)> = leste["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["user_id"].as_str().unwrap(),
                m["is_leader"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(members, vec![("acme-agent1", true), ("acme-agent2", false)]);
    let list = json(
        &api(
            &app,
            "users/list",
            &[("slug", "acme"), ("q", "agent1")],
            Some(&director),
        )
        .await,
    );
    assert_eq!(
        list["items"][0]["squads"],
        serde_json::json!(["Leste", "Sul"]),
        "a person may be in several squads"
    );

    // agent1 now leads Leste: as a MANAGER they would see it; the squad is renamed and retyped.
    let update = api(
        &app,
        "squads/update",
        &[
            ("slug", "acme"),
            ("squad_id", &id),
            ("name", "Leste Enterprise"),
            ("squad_type", "sales"),
            ("target", ""),
        ],
        Some(&director),
    )
    .await;
    assert_eq!(update.status, StatusCode::OK, "{}", update.body);
    let remove = api(
        &app,
        "squads/member/remove",
        &[
            ("slug", "acme"),
            ("squad_id", &id),
            ("user_id", "acme-agent2"),
        ],
        Some(&director),
    )
    .await;
    assert_eq!(remove.status, StatusCode::OK);
    let again = api(
        &app,
        "squads/member/remove",
        &[
            ("slug", "acme"),
            ("squad_id", &id),
            ("user_id", "acme-agent2"),
        ],
        Some(&director),
    )
    .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    let delete = api(
        &app,
        "squads/delete",
        &[("slug", "acme"), ("squad_id", &id)],
        Some(&director),
    )
    .await;
    assert_eq!(delete.status, StatusCode::OK);
    assert_eq!(
        api(
            &app,
            "squads/get",
            &[("slug", "acme"), ("squad_id", &id)],
            Some(&director)
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );

    let audit = audit_rows(&app, "acme").await;
    let actions: Vec<&str> = audit.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(
        actions,
        vec![
            "SQUAD_CREATED",
            "SQUAD_MEMBER_ADDED",
            "SQUAD_MEMBER_ADDED",
            "SQUAD_UPDATED",
            "SQUAD_MEMBER_REMOVED",
            "SQUAD_DELETED"
        ]
    );
    let updated = audit[3].3.as_ref().unwrap();
    assert_eq!(updated["before"]["target_monthly"], "150000.50");
    assert!(updated["after"]["target_monthly"].is_null());
    assert_eq!(updated["after"]["name"], "Leste Enterprise");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_users_pages_render_for_directors_and_managers_and_refuse_agents() {
    let app = TestApp::new().await;
    seed_squads(&app).await;
    let director = app.session_for(&email("acme", "diretora")).await;
    let page = app.get("/acme/users", Some(&director)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("agent2 of acme") && page.body.contains("data-testid=\"invite-form\""),
        "{}",
        page.body
    );
    let squads = app.get("/acme/users/squads", Some(&director)).await;
    assert_eq!(squads.status, StatusCode::OK);
    assert!(squads.body.contains("Norte") && squads.body.contains("R$\u{a0}100.000,00"));
    let manager = app.session_for(&email("acme", "gerente")).await;
    let page = app.get("/acme/users", Some(&manager)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("agent1 of acme") && !page.body.contains("agent2 of acme"));
    assert!(
        !page.body.contains("data-testid=\"invite-form\""),
        "read-only for a manager"
    );
    let agent = app.session_for(&email("acme", "agente1")).await;
    assert_eq!(
        app.get("/acme/users", Some(&agent)).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get("/acme/users/squads", Some(&agent)).await.status,
        StatusCode::FORBIDDEN
    );
    let globex = app.session_for(&email("globex", "diretora")).await;
    assert_eq!(
        app.get("/acme/users", Some(&globex)).await.status,
        StatusCode::NOT_FOUND
    );
}
