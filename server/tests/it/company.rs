//! A company's own configuration over HTTP: its DIRECTOR (and staff, from the console or inside the
//! tenant) reads and changes the details, the flags and settings, and the pipeline stages; nobody
//! else may (403 for a manager and an agent, 404 for another tenant, 401 for a guest or a
//! deactivated user). Directors switch only the ranking's visibility; staff switch every flag.
//! The stage editor keeps its invariants, and every accepted change is audited with before and
//! after — by staff, in the staff log too — while a refused one writes nothing.

use crate::common::{Reply, TestApp, api, email, json as json_of};
use axum::http::StatusCode;
use db::testing::TestDb;
use serde_json::{Value, json};

/// Acme's default pipeline (as a company created from the console has), one lead and one deal in
/// `proposal`.
async fn seed_pipeline(app: &TestApp) {
    let mut tx = app
        .test
        .db
        .begin(&TestDb::system("company-acme"))
        .await
        .unwrap();
    app::company::server::insert_default_stages(&mut tx)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO leads (company_id, id, name) VALUES ('company-acme', 'lead-1', 'Cliente')",
    )
    .execute(&mut *tx)
    .await
    .unwrap();
    sqlx::query("INSERT INTO deals (company_id, id, title, stage, value, lead_id) VALUES ('company-acme', 'deal-1', 'Contrato', 'proposal', 1000, 'lead-1')")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

async fn stage_ids(app: &TestApp, company: &str) -> Vec<(String, String)> {
    let mut tx = app.test.db.begin(&TestDb::system(company)).await.unwrap();
    sqlx::query_as("SELECT key, id FROM pipeline_stages WHERE company_id = $1 ORDER BY position")
        .bind(company)
        .fetch_all(&mut *tx)
        .await
        .unwrap()
}

async fn stages(app: &TestApp) -> Vec<(String, String, i32, String, String)> {
    let mut tx = app
        .test
        .db
        .begin(&TestDb::system("company-acme"))
        .await
        .unwrap();
    sqlx::query_as("SELECT key, name, position, probability::text, kind::text FROM pipeline_stages WHERE company_id = 'company-acme' ORDER BY position")
        .fetch_all(&mut *tx)
        .await
        .unwrap()
}

async fn audit_actions(app: &TestApp) -> Vec<(String, String, Option<Value>)> {
    let mut tx = app
        .test
        .db
        .begin(&TestDb::system("company-acme"))
        .await
        .unwrap();
    sqlx::query_as("SELECT action, actor::text, changes FROM audit_logs WHERE company_id = 'company-acme' ORDER BY created_at, id")
        .fetch_all(&mut *tx)
        .await
        .unwrap()
}

async fn company_row(app: &TestApp) -> (String, Option<String>, String, String, Value, Value) {
    let mut tx = app
        .test
        .db
        .begin(&TestDb::system("company-acme"))
        .await
        .unwrap();
    sqlx::query_as("SELECT name, domain, timezone, currency, features, settings FROM companies WHERE id = 'company-acme'")
        .fetch_one(&mut *tx)
        .await
        .unwrap()
}

/// The submitted stage list: (id, name, probability, kind) in order.
fn stage_form<'a>(rows: &'a [(String, &'a str, &'a str, &'a str)]) -> Vec<(String, String)> {
    let mut form = vec![("slug".to_owned(), "acme".to_owned())];
    for (i, (id, name, probability, kind)) in rows.iter().enumerate() {
        form.push((format!("stages[{i}][id]"), id.clone()));
        form.push((format!("stages[{i}][name]"), (*name).to_owned()));
        form.push((
            format!("stages[{i}][probability]"),
            (*probability).to_owned(),
        ));
        form.push((format!("stages[{i}][kind]"), (*kind).to_owned()));
    }
    form
}

async fn save_stages(app: &TestApp, rows: &[(String, &str, &str, &str)], cookie: &str) -> Reply {
    let form = stage_form(rows);
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    api(app, "company/stages", &pairs, Some(cookie)).await
}

fn id_of(ids: &[(String, String)], key: &str) -> String {
    ids.iter().find(|(k, _)| k == key).unwrap().1.clone()
}

/// The default pipeline as the editor would submit it unchanged.
fn defaults(ids: &[(String, String)]) -> Vec<(String, &'static str, &'static str, &'static str)> {
    vec![
        (id_of(ids, "prospecting"), "Prospecção", "10", "OPEN"),
        (id_of(ids, "qualification"), "Qualificação", "25", "OPEN"),
        (id_of(ids, "proposal"), "Proposta", "50", "OPEN"),
        (id_of(ids, "negotiation"), "Negociação", "75", "OPEN"),
        (id_of(ids, "won"), "Ganho", "100", "WON"),
        (id_of(ids, "lost"), "Perdido", "0", "LOST"),
    ]
}

fn details(name: &str, timezone: &str) -> Vec<(&'static str, String)> {
    vec![
        ("slug", "acme".into()),
        ("name", name.into()),
        ("domain", "acme.com.br".into()),
        ("timezone", timezone.into()),
        ("currency", "usd".into()),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_directors_and_staff_reach_the_company_configuration() {
    let app = TestApp::new().await;
    seed_pipeline(&app).await;
    let ids = stage_ids(&app, "company-acme").await;
    let unchanged = stage_form(&defaults(&ids));
    let unchanged: Vec<(&str, &str)> = unchanged
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let calls: Vec<(&str, Vec<(&str, &str)>)> = vec![
        ("company/settings", vec![("slug", "acme")]),
        (
            "company/update",
            vec![
                ("slug", "acme"),
                ("name", "Tomada"),
                ("domain", ""),
                ("timezone", "UTC"),
                ("currency", "USD"),
            ],
        ),
        (
            "company/features",
            vec![
                ("slug", "acme"),
                ("ranking_visibility", "on"),
                ("polling_interval", "600"),
                ("backup_interval", "weekly"),
            ],
        ),
        ("company/stages", unchanged),
    ];
    let manager = app.session_for(&email("acme", "gerente")).await;
    let agent = app.session_for(&email("acme", "agente1")).await;
    let globex = app.session_for(&email("globex", "diretora")).await;
    let leaving = app.session_for(&email("acme", "diretora")).await;
    let mut tx = app
        .test
        .db
        .begin(&TestDb::system("company-acme"))
        .await
        .unwrap();
    sqlx::query("INSERT INTO users (id, company_id, email, name, role, status) VALUES ('acme-director2', 'company-acme', 'd2@acme.test', 'Outra Diretora', 'DIRECTOR', 'ACTIVE')")
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::query("UPDATE users SET status = 'INACTIVE' WHERE id = 'acme-director'")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    for (endpoint, form) in &calls {
        for (who, cookie, expected) in [
            ("manager", Some(manager.as_str()), StatusCode::FORBIDDEN),
            ("agent", Some(agent.as_str()), StatusCode::FORBIDDEN),
            (
                "globex director",
                Some(globex.as_str()),
                StatusCode::NOT_FOUND,
            ),
            (
                "deactivated director",
                Some(leaving.as_str()),
                StatusCode::UNAUTHORIZED,
            ),
            ("guest", None, StatusCode::UNAUTHORIZED),
        ] {
            let reply = api(&app, endpoint, form, cookie).await;
            assert_eq!(
                reply.status, expected,
                "{who} on {endpoint}: {}",
                reply.body
            );
        }
    }
    assert!(audit_actions(&app).await.is_empty());
    assert_eq!(company_row(&app).await.0, "Acme Vendas");
    let globex_own = api(
        &app,
        "company/settings",
        &[("slug", "globex")],
        Some(&globex),
    )
    .await;
    assert_eq!(globex_own.status, StatusCode::OK);
    assert!(!globex_own.body.contains("Acme"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_director_reads_the_settings_and_may_switch_only_the_ranking_flag() {
    let app = TestApp::new().await;
    seed_pipeline(&app).await;
    let director = app.session_for(&email("acme", "diretora")).await;
    let settings = json_of(
        &api(
            &app,
            "company/settings",
            &[("slug", "acme")],
            Some(&director),
        )
        .await,
    );
    assert_eq!(settings["name"], "Acme Vendas");
    assert_eq!(settings["can_edit"], true);
    assert_eq!(settings["polling_interval"], 300);
    assert_eq!(settings["backup_interval"], "daily");
    let flags: Vec<(&str, bool, bool)> = settings["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["feature"].as_str().unwrap(),
                f["on"].as_bool().unwrap(),
                f["editable"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        flags,
        vec![
            ("ai_analysis", true, false),
            ("bots", true, false),
            ("auto_crm_fill", true, false),
            ("playbook_generation", true, false),
            ("ranking_visibility", false, true)
        ]
    );
    let stages = settings["stages"].as_array().unwrap();
    assert_eq!(stages.len(), 6);
    assert_eq!(stages[2]["deal_count"], 1);

    // Every box but the ranking's unchecked: only the ranking may change for a director.
    let reply = api(
        &app,
        "company/features",
        &[
            ("slug", "acme"),
            ("ranking_visibility", "on"),
            ("polling_interval", "600"),
            ("backup_interval", "weekly"),
        ],
        Some(&director),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let (.., features, settings) = company_row(&app).await;
    assert_eq!(
        features,
        json!({"ai_analysis": true, "bots": true, "auto_crm_fill": true, "playbook_generation": true, "ranking_visibility": true})
    );
    assert_eq!(
        settings,
        json!({"polling_interval": 600, "backup_interval": "weekly"})
    );
    let audit = audit_actions(&app).await;
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].0, "COMPANY_SETTINGS_UPDATED");
    assert_eq!(
        audit[0].2.as_ref().unwrap()["before"],
        json!({"ranking_visibility": false, "polling_interval": 300, "backup_interval": "daily"})
    );
    assert_eq!(
        audit[0].2.as_ref().unwrap()["after"],
        json!({"ranking_visibility": true, "polling_interval": 600, "backup_interval": "weekly"})
    );

    for (polling, backup, problem) in [
        ("30", "daily", "polling_interval:range"),
        ("abc", "daily", "polling_interval:invalid"),
        ("300", "hourly", "backup_interval:unknown"),
    ] {
        let reply = api(
            &app,
            "company/features",
            &[
                ("slug", "acme"),
                ("polling_interval", polling),
                ("backup_interval", backup),
            ],
            Some(&director),
        )
        .await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(reply.body.contains(problem), "{}", reply.body);
    }
    assert_eq!(
        audit_actions(&app).await.len(),
        1,
        "refused settings leave no audit row"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_switch_every_flag_and_their_changes_are_in_both_audit_logs() {
    let app = TestApp::new().await;
    let staff = app.session_for("suporte@performancy.dev").await;
    let settings = json_of(&api(&app, "company/settings", &[("slug", "acme")], Some(&staff)).await);
    assert!(
        settings["features"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["editable"] == true)
    );
    let reply = api(
        &app,
        "company/features",
        &[
            ("slug", "acme"),
            ("bots", "on"),
            ("polling_interval", "300"),
            ("backup_interval", "monthly"),
        ],
        Some(&staff),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let (.., features, _) = company_row(&app).await;
    assert_eq!(
        features,
        json!({"ai_analysis": false, "bots": true, "auto_crm_fill": false, "playbook_generation": false, "ranking_visibility": false})
    );
    let reply = api(
        &app,
        "company/update",
        &details("Acme Vendas S.A.", "America/Manaus")
            .iter()
            .map(|(k, v)| (*k, v.as_str()))
            .collect::<Vec<_>>(),
        Some(&staff),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let audit = audit_actions(&app).await;
    assert_eq!(
        audit
            .iter()
            .map(|(a, actor, _)| (a.as_str(), actor.as_str()))
            .collect::<Vec<_>>(),
        vec![
            ("COMPANY_SETTINGS_UPDATED", "STAFF"),
            ("COMPANY_UPDATED", "STAFF")
        ]
    );
    let staff_log = app.test.db.staff().audit(10, 0).await.unwrap();
    assert_eq!(
        staff_log
            .iter()
            .map(|r| r.action.as_str())
            .collect::<Vec<_>>(),
        vec!["COMPANY_UPDATED", "COMPANY_SETTINGS_UPDATED"]
    );
    assert!(
        staff_log
            .iter()
            .all(|r| r.company_id.as_deref() == Some("company-acme"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_director_edits_the_details_and_only_what_changed_is_audited() {
    let app = TestApp::new().await;
    let director = app.session_for(&email("acme", "diretora")).await;
    for (field, value, problem) in [
        ("timezone", "Mars/Olympus", "timezone:unknown"),
        ("currency", "BRR", "currency:unknown"),
        ("name", "", "name:required"),
        ("domain", "acme", "domain:invalid"),
    ] {
        let mut form = details("Acme", "UTC");
        form.retain(|(k, _)| *k != field);
        form.push((field, value.into()));
        let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let reply = api(&app, "company/update", &pairs, Some(&director)).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}");
        assert!(reply.body.contains(problem), "{field}: {}", reply.body);
    }
    assert!(audit_actions(&app).await.is_empty());
    let form = details("Acme Vendas", "America/Sao_Paulo");
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let reply = api(&app, "company/update", &pairs, Some(&director)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let row = company_row(&app).await;
    assert_eq!(
        (
            row.0.as_str(),
            row.1.as_deref(),
            row.2.as_str(),
            row.3.as_str()
        ),
        (
            "Acme Vendas",
            Some("acme.com.br"),
            "America/Sao_Paulo",
            "USD"
        )
    );
    let audit = audit_actions(&app).await;
    assert_eq!(audit[0].0, "COMPANY_UPDATED");
    assert_eq!(
        audit[0].2.as_ref().unwrap()["before"],
        json!({"domain": null, "currency": "BRL"})
    );
    assert_eq!(
        audit[0].2.as_ref().unwrap()["after"],
        json!({"domain": "acme.com.br", "currency": "USD"})
    );
    // The page shows the new currency at once.
    let page = app.get("/acme", Some(&director)).await;
    assert!(
        page.body.contains("US$\u{a0}1.234.567,89"),
        "money follows the company's currency"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_stage_editor_renames_reorders_adds_and_removes_stages_in_one_audited_change() {
    let app = TestApp::new().await;
    seed_pipeline(&app).await;
    let director = app.session_for(&email("acme", "diretora")).await;
    let ids = stage_ids(&app, "company-acme").await;
    let rows = vec![
        (id_of(&ids, "qualification"), "Qualificação", "20", "OPEN"),
        (id_of(&ids, "prospecting"), "Prospecção", "10", "OPEN"),
        (String::new(), "Demonstração técnica", "40,5", "OPEN"),
        (id_of(&ids, "proposal"), "Proposta comercial", "50", "OPEN"),
        (id_of(&ids, "won"), "Ganho", "100", "WON"),
        (id_of(&ids, "lost"), "Perdido", "0", "LOST"),
    ];
    let reply = save_stages(&app, &rows, &director).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let saved: Vec<(String, String, i32, String, String)> = stages(&app).await;
    let summary: Vec<(&str, &str, i32, &str, &str)> = saved
        .iter()
        .map(|(k, n, p, pr, kind)| (k.as_str(), n.as_str(), *p, pr.as_str(), kind.as_str()))
        .collect();
    assert_eq!(
        summary,
        vec![
            ("qualification", "Qualificação", 1, "20.00", "OPEN"),
            ("prospecting", "Prospecção", 2, "10.00", "OPEN"),
            (
                "demonstracao-tecnica",
                "Demonstração técnica",
                3,
                "40.50",
                "OPEN"
            ),
            ("proposal", "Proposta comercial", 4, "50.00", "OPEN"),
            ("won", "Ganho", 5, "100.00", "WON"),
            ("lost", "Perdido", 6, "0.00", "LOST"),
        ],
        "negotiation removed (no deals), the deal's stage renamed but its key kept"
    );
    let audit = audit_actions(&app).await;
    assert_eq!(audit.len(), 1);
    let changes = audit[0].2.as_ref().unwrap();
    assert_eq!(audit[0].0, "PIPELINE_STAGES_UPDATED");
    assert_eq!(changes["before"]["proposal"]["name"], "Proposta");
    assert_eq!(changes["after"]["proposal"]["name"], "Proposta comercial");
    assert!(
        changes["after"]["negotiation"].is_null()
            && changes["before"]["negotiation"]["position"] == 4
    );
    assert_eq!(
        changes["after"]["demonstracao-tecnica"]["probability"],
        "40.50"
    );
    // Saving the same list again changes nothing and audits nothing.
    let ids = stage_ids(&app, "company-acme").await;
    let same: Vec<(String, &str, &str, &str)> = saved
        .iter()
        .zip(&ids)
        .map(|((_, name, _, p, kind), (_, id))| {
            (id.clone(), name.as_str(), p.as_str(), kind.as_str())
        })
        .collect();
    assert_eq!(
        save_stages(&app, &same, &director).await.status,
        StatusCode::OK
    );
    assert_eq!(audit_actions(&app).await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_stage_editor_keeps_one_won_one_lost_valid_probabilities_and_stages_with_deals() {
    let app = TestApp::new().await;
    seed_pipeline(&app).await;
    let staff = app.session_for("suporte@performancy.dev").await;
    let ids = stage_ids(&app, "company-acme").await;
    let base = defaults(&ids);
    let mut two_won = base.clone();
    two_won[3].3 = "WON";
    let mut no_lost = base.clone();
    no_lost.pop();
    let mut bad_probability = base.clone();
    bad_probability[1].2 = "120";
    let mut unnamed = base.clone();
    unnamed[0].1 = "  ";
    let without_proposal: Vec<_> = base.iter().filter(|r| r.1 != "Proposta").cloned().collect();
    let mut proposal_won = base.clone();
    proposal_won[2].3 = "WON";
    proposal_won[4].3 = "OPEN";
    for (rows, problem) in [
        (two_won, "stages:won_count"),
        (no_lost, "stages:lost_count"),
        (bad_probability, "stages:probability:1"),
        (unnamed, "stages:name_required:0"),
        (without_proposal, "stages:has_deals:Proposta"),
        (proposal_won, "stages:kind_has_deals:Proposta"),
        (vec![], "stages:empty"),
    ] {
        let reply = save_stages(&app, &rows, &staff).await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{problem}: {}",
            reply.body
        );
        assert!(reply.body.contains(problem), "{problem}: {}", reply.body);
    }
    // Another company's stage id is not found.
    let mut tx = app
        .test
        .db
        .begin(&TestDb::system("company-globex"))
        .await
        .unwrap();
    app::company::server::insert_default_stages(&mut tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let globex_ids = stage_ids(&app, "company-globex").await;
    let mut foreign = base.clone();
    foreign[0].0 = id_of(&globex_ids, "prospecting");
    assert_eq!(
        save_stages(&app, &foreign, &staff).await.status,
        StatusCode::NOT_FOUND
    );

    assert_eq!(stages(&app).await.len(), 6, "nothing changed");
    assert!(
        audit_actions(&app).await.is_empty(),
        "refused stage lists leave no audit row"
    );
    assert!(app.test.db.staff().audit(10, 0).await.unwrap().is_empty());
    // Accepted by staff: audited in both logs.
    let mut renamed = base.clone();
    renamed[0].1 = "Prospecção ativa";
    assert_eq!(
        save_stages(&app, &renamed, &staff).await.status,
        StatusCode::OK
    );
    assert_eq!(audit_actions(&app).await[0].1, "STAFF");
    assert_eq!(
        app.test.db.staff().audit(10, 0).await.unwrap()[0].action,
        "PIPELINE_STAGES_UPDATED"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_settings_pages_render_for_a_director_and_for_staff_in_the_console() {
    let app = TestApp::new().await;
    seed_pipeline(&app).await;
    let director = app.session_for(&email("acme", "diretora")).await;
    let page = app.get("/acme/settings", Some(&director)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("data-testid=\"stage-editor\""),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("value=\"Negociação\"") && page.body.contains("value=\"75\""),
        "stages are readable before the WebAssembly loads"
    );
    let staff = app.session_for("suporte@performancy.dev").await;
    let console = app.get("/admin/companies/acme", Some(&staff)).await;
    assert_eq!(console.status, StatusCode::OK);
    assert!(
        console.body.contains("data-testid=\"stage-editor\"")
            && console.body.contains("Acme Vendas")
    );
    let manager = app.session_for(&email("acme", "gerente")).await;
    assert_eq!(
        app.get("/acme/settings", Some(&manager)).await.status,
        StatusCode::FORBIDDEN
    );
}
