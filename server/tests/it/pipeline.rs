//! Leads, deals, the board and the forecast over HTTP, for every role: a DIRECTOR sees the whole
//! company; a MANAGER the records of the squad they lead, their own and unowned ones; an AGENT
//! their own records, the leads of their deals and the leads they talked to; anything else is 404,
//! as is any record of another company. Search ignores accents and case; moving a deal keeps
//! `stage_changed_at` and `closed_at` right and is audited; the forecast's arithmetic is exact;
//! the CSV export carries only what the viewer sees.

use crate::common::{Reply, TestApp, api, email, json};
use axum::http::StatusCode;
use db::testing::TestDb;
use serde_json::Value;

const ACME: &str = "company-acme";

/// Acme's default stages; a squad led by the manager with agent1 in it; leads and deals:
/// - lead-a1 "João Araújo" (agent1) with deal-a1 (agent1, proposal, 1 000)
/// - lead-a2 "Maria Souza" (agent2) with deal-a2 (agent2, negotiation, 2 000, own probability 80)
/// - lead-x "Empresa Sem Dono" (nobody) with deal-x (nobody, prospecting, 500 USD)
/// - lead-c "Carla Conversa" (agent2) that agent1 had a conversation with
///
/// Globex has lead-g.
async fn seeded() -> TestApp {
    let app = TestApp::new().await;
    let mut tx = app.test.db.begin(&TestDb::system(ACME)).await.unwrap();
    app::company::server::insert_default_stages(&mut tx)
        .await
        .unwrap();
    for sql in [
        "INSERT INTO squads (company_id, id, name, type, target_monthly) VALUES ('company-acme', 'sq-1', 'Squad Norte', 'sales', 10000)",
        "INSERT INTO squad_members (company_id, squad_id, user_id, is_leader) VALUES ('company-acme', 'sq-1', 'acme-manager', true), ('company-acme', 'sq-1', 'acme-agent1', false)",
        "INSERT INTO leads (company_id, id, name, email, company_name, owner_id, source) VALUES
            ('company-acme', 'lead-a1', 'João Araújo', 'joao@cliente.com.br', 'Transportes Ágil', 'acme-agent1', 'site'),
            ('company-acme', 'lead-a2', 'Maria Souza', 'maria@outra.com.br', 'Logística Sul', 'acme-agent2', 'evento'),
            ('company-acme', 'lead-x', 'Empresa Sem Dono', NULL, NULL, NULL, NULL),
            ('company-acme', 'lead-c', 'Carla Conversa', NULL, NULL, 'acme-agent2', NULL)",
        "INSERT INTO deals (company_id, id, title, stage, value, lead_id, owner_id, probability, currency) VALUES
            ('company-acme', 'deal-a1', 'Frota João', 'proposal', 1000, 'lead-a1', 'acme-agent1', NULL, 'BRL'),
            ('company-acme', 'deal-a2', 'Frota Maria', 'negotiation', 2000, 'lead-a2', 'acme-agent2', 80, 'BRL'),
            ('company-acme', 'deal-x', 'Sem dono', 'prospecting', 500, 'lead-x', NULL, NULL, 'USD')",
        "INSERT INTO conversations (company_id, id, channel, user_id, lead_id, transcript, conversation_date) VALUES
            ('company-acme', 'conv-1', 'CALL', 'acme-agent1', 'lead-c', 'Vendedor: Olá\nCliente: Oi', now())",
    ] {
        sqlx::query(sql).execute(&mut *tx).await.unwrap();
    }
    tx.commit().await.unwrap();
    let mut tx = app
        .test
        .db
        .begin(&TestDb::system("company-globex"))
        .await
        .unwrap();
    app::company::server::insert_default_stages(&mut tx)
        .await
        .unwrap();
    sqlx::query("INSERT INTO leads (company_id, id, name) VALUES ('company-globex', 'lead-g', 'Cliente Globex')")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    app
}

fn ids(reply: &Reply) -> Vec<String> {
    let mut ids: Vec<String> = json(reply)["items"]
        .as_array()
        .unwrap_or_else(|| panic!("a page: {}", reply.body))
        .iter()
        .map(|i| i["id"].as_str().expect("id").to_owned())
        .collect();
    ids.sort();
    ids
}

async fn sessions(app: &TestApp) -> [(String, &'static str); 4] {
    [
        (
            app.session_for(&email("acme", "diretora")).await,
            "director",
        ),
        (app.session_for(&email("acme", "gerente")).await, "manager"),
        (app.session_for(&email("acme", "agente1")).await, "agent1"),
        (
            app.session_for(&email("globex", "diretora")).await,
            "globex",
        ),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_role_lists_and_opens_only_the_leads_and_deals_it_may_see() {
    let app = seeded().await;
    let [director, manager, agent, globex] = sessions(&app).await;
    let leads = |cookie: String| {
        let app = &app;
        async move { ids(&api(app, "leads/list", &[("slug", "acme")], Some(&cookie)).await) }
    };
    assert_eq!(
        leads(director.0.clone()).await,
        ["lead-a1", "lead-a2", "lead-c", "lead-x"]
    );
    assert_eq!(
        leads(manager.0.clone()).await,
        ["lead-a1", "lead-x"],
        "their squad's agent and unowned"
    );
    assert_eq!(
        leads(agent.0.clone()).await,
        ["lead-a1", "lead-c"],
        "their own lead and the lead they talked to"
    );
    let deals = |cookie: String| {
        let app = &app;
        async move { ids(&api(app, "deals/list", &[("slug", "acme")], Some(&cookie)).await) }
    };
    assert_eq!(
        deals(director.0.clone()).await,
        ["deal-a1", "deal-a2", "deal-x"]
    );
    assert_eq!(deals(manager.0.clone()).await, ["deal-a1", "deal-x"]);
    assert_eq!(deals(agent.0.clone()).await, ["deal-a1"]);

    // Out of scope is "not found", for the record and for its changes.
    for (cookie, who, lead, deal) in [
        (&agent.0, "agent1", "lead-a2", "deal-a2"),
        (&manager.0, "manager", "lead-a2", "deal-a2"),
        (&agent.0, "agent1", "lead-x", "deal-x"),
    ] {
        let reply = api(
            &app,
            "leads/get",
            &[("slug", "acme"), ("id", lead)],
            Some(cookie),
        )
        .await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{who} opening {lead}");
        let reply = api(
            &app,
            "deals/get",
            &[("slug", "acme"), ("id", deal)],
            Some(cookie),
        )
        .await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{who} opening {deal}");
        let reply = api(
            &app,
            "deals/move",
            &[("slug", "acme"), ("id", deal), ("stage", "won")],
            Some(cookie),
        )
        .await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{who} moving {deal}");
        let reply = api(
            &app,
            "leads/save",
            &[("slug", "acme"), ("id", lead), ("name", "Renomeado")],
            Some(cookie),
        )
        .await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{who} editing {lead}");
    }
    // Another company's director sees none of acme's, even by id, and acme's director none of globex's.
    for endpoint in ["leads/list", "deals/list", "deals/board", "deals/forecast"] {
        let reply = api(&app, endpoint, &[("slug", "acme")], Some(&globex.0)).await;
        assert_eq!(
            reply.status,
            StatusCode::NOT_FOUND,
            "globex on acme's {endpoint}"
        );
    }
    let reply = api(
        &app,
        "leads/get",
        &[("slug", "globex"), ("id", "lead-a1")],
        Some(&globex.0),
    )
    .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    let reply = api(
        &app,
        "leads/get",
        &[("slug", "acme"), ("id", "lead-g")],
        Some(&director.0),
    )
    .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    let reply = api(&app, "leads/list", &[("slug", "acme")], None).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);

    // The agent's lead page shows their deal, and the conversation lead shows their conversation.
    let page = json(
        &api(
            &app,
            "leads/get",
            &[("slug", "acme"), ("id", "lead-c")],
            Some(&agent.0),
        )
        .await,
    );
    assert_eq!(page["conversations"][0]["id"], "conv-1");
    assert_eq!(
        page["deals"],
        serde_json::json!([]),
        "agent2's deals of that lead stay hidden"
    );
    assert_eq!(
        page["can_edit"], false,
        "seeing a lead they talked to is not owning it"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_ignores_accents_and_case_and_filters_sort_and_page_as_asked() {
    let app = seeded().await;
    let director = app.session_for(&email("acme", "diretora")).await;
    let list = |form: Vec<(&'static str, &'static str)>| {
        let (app, director) = (&app, director.clone());
        async move {
            let mut form = form;
            form.push(("slug", "acme"));
            api(app, "leads/list", &form, Some(&director)).await
        }
    };
    assert_eq!(ids(&list(vec![("q", "joao araujo")]).await), ["lead-a1"]);
    assert_eq!(
        ids(&list(vec![("q", "AGIL")]).await),
        ["lead-a1"],
        "company name, accent-free"
    );
    assert_eq!(
        ids(&list(vec![("q", "@outra.com")]).await),
        ["lead-a2"],
        "e-mail"
    );
    assert_eq!(
        ids(&list(vec![("q", "50%")]).await),
        Vec::<String>::new(),
        "wildcards are literal"
    );
    assert_eq!(ids(&list(vec![("owner", "none")]).await), ["lead-x"]);
    assert_eq!(ids(&list(vec![("source", "evento")]).await), ["lead-a2"]);
    let sorted = json(&list(vec![("sort", "name"), ("dir", "asc")]).await);
    let names: Vec<&str> = sorted["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "Carla Conversa",
            "Empresa Sem Dono",
            "João Araújo",
            "Maria Souza"
        ]
    );
    let bad = list(vec![("from", "31/02/2026")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("from:date"), "{}", bad.body);

    let deals = |form: Vec<(&'static str, &'static str)>| {
        let (app, director) = (&app, director.clone());
        async move {
            let mut form = form;
            form.push(("slug", "acme"));
            api(app, "deals/list", &form, Some(&director)).await
        }
    };
    assert_eq!(
        ids(&deals(vec![("q", "maria")]).await),
        ["deal-a2"],
        "by the lead's name"
    );
    assert_eq!(ids(&deals(vec![("min", "1.500,00")]).await), ["deal-a2"]);
    assert_eq!(
        ids(&deals(vec![("state", "open"), ("stage", "proposal")]).await),
        ["deal-a1"]
    );
    let all = json(&deals(vec![]).await);
    let sums: Vec<(String, String)> = all["sums"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["currency"].as_str().unwrap().to_owned(),
                s["value"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        sums,
        [
            ("BRL".to_owned(), "3000.00".to_owned()),
            ("USD".to_owned(), "500.00".to_owned())
        ],
        "never mixed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leads_and_deals_are_created_and_edited_within_the_viewers_rights_and_audited() {
    let app = seeded().await;
    let [director, manager, agent, _] = sessions(&app).await;

    // Refused input names the field.
    for (form, field) in [
        (vec![("name", " ")], "name:required"),
        (vec![("name", "Ana"), ("email", "ana@")], "email:invalid"),
        (
            vec![("name", "Ana"), ("lead_score", "120")],
            "lead_score:percent",
        ),
    ] {
        let mut form = form;
        form.push(("slug", "acme"));
        let reply = api(&app, "leads/save", &form, Some(&director.0)).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(reply.body.contains(field), "{field}: {}", reply.body);
    }
    // An agent's new lead is theirs, whatever owner the form names.
    let created = api(
        &app,
        "leads/save",
        &[
            ("slug", "acme"),
            ("name", "Novo Cliente"),
            ("owner_id", "acme-agent2"),
        ],
        Some(&agent.0),
    )
    .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    let id = json(&created).as_str().unwrap().to_owned();
    let page = json(
        &api(
            &app,
            "leads/get",
            &[("slug", "acme"), ("id", &id)],
            Some(&agent.0),
        )
        .await,
    );
    assert_eq!(page["owner_id"], "acme-agent1");
    assert_eq!(page["history"][0]["action"], "create");
    // A manager gives records only to their squad: not to agent2.
    let refused = api(
        &app,
        "leads/save",
        &[
            ("slug", "acme"),
            ("id", "lead-x"),
            ("name", "Empresa Sem Dono"),
            ("owner_id", "acme-agent2"),
        ],
        Some(&manager.0),
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("owner_id:not_allowed"),
        "{}",
        refused.body
    );
    let taken = api(
        &app,
        "leads/save",
        &[
            ("slug", "acme"),
            ("id", "lead-x"),
            ("name", "Empresa Sem Dono"),
            ("owner_id", "acme-agent1"),
        ],
        Some(&manager.0),
    )
    .await;
    assert_eq!(taken.status, StatusCode::OK, "{}", taken.body);
    let page = json(
        &api(
            &app,
            "leads/get",
            &[("slug", "acme"), ("id", "lead-x")],
            Some(&director.0),
        )
        .await,
    );
    let change = &page["history"][0];
    assert_eq!(change["action"], "update");
    assert!(
        change["changes"].to_string().contains("acme-agent1"),
        "{change}"
    );

    // Deals: money in the reader's language, a lead the viewer sees, a stage of the company.
    let deal = |form: Vec<(&'static str, &'static str)>, cookie: String| {
        let app = &app;
        async move {
            let mut form = form;
            form.extend([("slug", "acme"), ("title", "Expansão")]);
            api(app, "deals/save", &form, Some(&cookie)).await
        }
    };
    let reply = deal(
        vec![
            ("lead_id", "lead-a2"),
            ("stage", "proposal"),
            ("value", "10"),
        ],
        agent.0.clone(),
    )
    .await;
    assert!(
        reply.body.contains("lead_id:unknown"),
        "a lead the agent cannot see: {}",
        reply.body
    );
    let reply = deal(
        vec![("lead_id", "lead-a1"), ("stage", "nope"), ("value", "10")],
        agent.0.clone(),
    )
    .await;
    assert!(reply.body.contains("stage:unknown"), "{}", reply.body);
    let reply = deal(
        vec![
            ("lead_id", "lead-a1"),
            ("stage", "proposal"),
            ("value", "1,234"),
        ],
        agent.0.clone(),
    )
    .await;
    assert!(reply.body.contains("value:too_precise"), "{}", reply.body);
    let reply = deal(
        vec![
            ("lead_id", "lead-a1"),
            ("stage", "proposal"),
            ("value", "12.500,50"),
        ],
        agent.0.clone(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let id = json(&reply).as_str().unwrap().to_owned();
    let page = json(
        &api(
            &app,
            "deals/get",
            &[("slug", "acme"), ("id", &id)],
            Some(&agent.0),
        )
        .await,
    );
    assert_eq!(page["deal"]["value"], "12500.50");
    assert_eq!(
        page["deal"]["currency"], "BRL",
        "the company's currency by default"
    );
    assert_eq!(page["owner_id"], "acme-agent1");
}

async fn deal_dates(
    app: &TestApp,
    id: &str,
) -> (
    String,
    Option<chrono::DateTime<chrono::Utc>>,
    chrono::DateTime<chrono::Utc>,
) {
    let mut tx = app.test.db.begin(&TestDb::system(ACME)).await.unwrap();
    sqlx::query_as(
        "SELECT stage, closed_at, stage_changed_at FROM deals WHERE company_id = $1 AND id = $2",
    )
    .bind(ACME)
    .bind(id)
    .fetch_one(&mut *tx)
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn moving_a_deal_sets_its_stage_dates_and_is_audited() {
    let app = seeded().await;
    let agent = app.session_for(&email("acme", "agente1")).await;
    let (_, closed, changed) = deal_dates(&app, "deal-a1").await;
    assert!(closed.is_none());
    let moved = api(
        &app,
        "deals/move",
        &[("slug", "acme"), ("id", "deal-a1"), ("stage", "won")],
        Some(&agent),
    )
    .await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
    assert_eq!(json(&moved)["stage_kind"], "WON");
    let (stage, closed, changed_after) = deal_dates(&app, "deal-a1").await;
    assert_eq!(stage, "won");
    assert!(closed.is_some(), "entering the won stage closes the deal");
    assert!(changed_after > changed);
    let back = api(
        &app,
        "deals/move",
        &[
            ("slug", "acme"),
            ("id", "deal-a1"),
            ("stage", "negotiation"),
        ],
        Some(&agent),
    )
    .await;
    assert_eq!(back.status, StatusCode::OK);
    let (_, closed, _) = deal_dates(&app, "deal-a1").await;
    assert!(closed.is_none(), "back to an open stage reopens it");
    let unknown = api(
        &app,
        "deals/move",
        &[("slug", "acme"), ("id", "deal-a1"), ("stage", "limbo")],
        Some(&agent),
    )
    .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = json(
        &api(
            &app,
            "deals/get",
            &[("slug", "acme"), ("id", "deal-a1")],
            Some(&agent),
        )
        .await,
    );
    let moves: Vec<&Value> = page["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["action"] == "move")
        .collect();
    assert_eq!(moves.len(), 2, "each move audited: {}", page["history"]);

    // The board shows the agent their own deal only, in its column.
    let board = json(&api(&app, "deals/board", &[("slug", "acme")], Some(&agent)).await);
    let cards: Vec<(String, String)> = board["columns"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| {
            let stage = c["stage"]["key"].as_str().unwrap().to_owned();
            c["cards"]
                .as_array()
                .unwrap()
                .iter()
                .map(move |card| (stage.clone(), card["id"].as_str().unwrap().to_owned()))
        })
        .collect();
    assert_eq!(cards, [("negotiation".to_owned(), "deal-a1".to_owned())]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_forecast_weighs_open_deals_and_sets_won_revenue_against_squad_targets() {
    let app = seeded().await;
    let [director, manager, agent, _] = sessions(&app).await;
    // deal-a1 1 000 at the proposal stage's 50 %, deal-a2 2 000 at its own 80 %; deal-x is in USD.
    let forecast = json(
        &api(
            &app,
            "deals/forecast",
            &[("slug", "acme")],
            Some(&director.0),
        )
        .await,
    );
    assert_eq!(forecast["open_total"], "3000.00");
    assert_eq!(forecast["weighted_total"], "2100.00");
    assert_eq!(forecast["other_currencies"][0]["currency"], "USD");
    let agent_view = json(&api(&app, "deals/forecast", &[("slug", "acme")], Some(&agent.0)).await);
    assert_eq!(
        agent_view["open_total"], "1000.00",
        "an agent forecasts their own deals"
    );
    // agent1 wins deal-a1: the manager's squad (target 10 000) shows it.
    api(
        &app,
        "deals/move",
        &[("slug", "acme"), ("id", "deal-a1"), ("stage", "won")],
        Some(&agent.0),
    )
    .await;
    let squads = json(
        &api(
            &app,
            "deals/forecast",
            &[("slug", "acme")],
            Some(&manager.0),
        )
        .await,
    );
    assert_eq!(squads["squads"][0]["squad"], "Squad Norte");
    assert_eq!(squads["squads"][0]["won"], "1000.00");
    assert_eq!(squads["squads"][0]["target"], "10000.00");
    assert_eq!(squads["won_this_month"], "1000.00");

    // The page shows the squad's attainment in percent: 1 000 of 10 000.
    let page = app.get("/acme/forecast", Some(&manager.0)).await;
    assert_eq!(page.status, StatusCode::OK);
    let start = page
        .body
        .find("data-testid=\"forecast-squads-table\"")
        .expect("the squads table");
    let table = &page.body[start..start + page.body[start..].find("</table>").unwrap()];
    assert!(table.contains("Squad Norte"), "{table}");
    assert!(table.contains(">10%<"), "{table}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_csv_export_is_the_viewers_filtered_list_in_their_language() {
    let app = seeded().await;
    let [director, _, agent, globex] = sessions(&app).await;
    let get = |uri: &'static str, cookie: Option<String>| {
        let app = &app;
        async move { app.get(uri, cookie.as_deref()).await }
    };
    let all = get("/acme/leads.csv", Some(director.0.clone())).await;
    assert_eq!(all.status, StatusCode::OK);
    assert_eq!(all.headers["content-type"], "text/csv; charset=utf-8");
    assert!(
        all.body.starts_with('\u{feff}'),
        "UTF-8 with BOM for Excel in Brazil"
    );
    assert!(all.body.contains(';'));
    for name in ["João Araújo", "Maria Souza", "Empresa Sem Dono"] {
        assert!(all.body.contains(name), "{name} in {}", all.body);
    }
    let filtered = get("/acme/leads.csv?q=joao", Some(director.0.clone())).await;
    assert!(filtered.body.contains("João Araújo") && !filtered.body.contains("Maria Souza"));
    let mine = get("/acme/leads.csv", Some(agent.0.clone())).await;
    assert!(
        mine.body.contains("João Araújo") && !mine.body.contains("Maria Souza"),
        "{}",
        mine.body
    );
    let deals = get("/acme/deals.csv", Some(director.0.clone())).await;
    assert!(
        deals.body.contains("1000,00") || deals.body.contains("1000"),
        "{}",
        deals.body
    );
    assert_eq!(
        get("/acme/leads.csv", Some(globex.0.clone())).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get("/acme/leads.csv", None).await.status,
        StatusCode::UNAUTHORIZED
    );
    // Each export is audited.
    let mut tx = app.test.db.begin(&TestDb::system(ACME)).await.unwrap();
    let exports: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_logs WHERE company_id = $1 AND action = 'export'",
    )
    .bind(ACME)
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    assert_eq!(exports, 4);
}

/// The `<option>` tags of the select `id` in a rendered page whose `selected` attribute is set,
/// by value.
fn selected_options(body: &str, id: &str) -> Vec<String> {
    let start = body
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id} in the page"));
    let select = &body[start..start + body[start..].find("</select>").expect("a closed select")];
    select
        .split("<option")
        .skip(1)
        .filter_map(|option| {
            let tag = &option[..option.find('>')?];
            let value = tag.split("value=\"").nth(1)?.split('"').next()?;
            tag.contains("selected").then(|| value.to_owned())
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bookmarked_list_comes_back_with_its_filters_chosen_in_the_form() {
    let app = seeded().await;
    let mut tx = app.test.db.begin(&TestDb::system(ACME)).await.unwrap();
    sqlx::query(
        "INSERT INTO leads (company_id, id, name, status) VALUES
            ('company-acme', 'lead-q', 'Quitéria Qualificada', 'qualified'),
            ('company-acme', 'lead-r', 'Rui Planilha', 'Aguardando retorno')",
    )
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let [director, ..] = sessions(&app).await;

    let deals = app
        .get(
            "/acme/deals?stage=proposal&state=open&owner=none",
            Some(&director.0),
        )
        .await;
    assert_eq!(deals.status, StatusCode::OK);
    assert_eq!(selected_options(&deals.body, "deals-stage"), ["proposal"]);
    assert_eq!(selected_options(&deals.body, "deals-state"), ["open"]);
    assert_eq!(selected_options(&deals.body, "deals-owner"), ["none"]);

    let leads = app
        .get(
            "/acme/leads?owner=acme-agent1&source=evento",
            Some(&director.0),
        )
        .await;
    assert_eq!(leads.status, StatusCode::OK);
    assert_eq!(
        selected_options(&leads.body, "leads-owner"),
        ["acme-agent1"]
    );
    assert_eq!(selected_options(&leads.body, "leads-source"), ["evento"]);
    assert_eq!(
        selected_options(&leads.body, "leads-status"),
        Vec::<String>::new(),
        "no status asked for: \"any\""
    );
    // The sources offered are the company's own.
    for source in ["site", "evento"] {
        assert!(leads.body.contains(&format!("<option value=\"{source}\"")));
    }
    // Performancy's own status keys read in the viewer's language; a status of the customer's
    // own words stays as written.
    let all = app.get("/acme/leads", Some(&director.0)).await;
    assert!(
        all.body
            .contains("<option value=\"qualified\">Qualificado</option>")
    );
    assert!(all.body.contains(">Qualificado</td>"));
    assert!(all.body.contains(">Aguardando retorno</td>"));
    assert!(!all.body.contains(">qualified</td>"));
}
