//! The conversations pages over HTTP after the worker analysed them: each role lists what it may see
//! (an agent their own, a manager their squad's, a director all; another company nothing), and a
//! conversation's page carries its analysis with the transcript's own quotes; one not analysed yet
//! says so.

use crate::common::{TestApp, api, email, json};
use axum::http::StatusCode;
use db::testing::TestDb;
use server::jobs::{AiSettings, Worker};

const ACME: &str = "company-acme";

const CALL: &str = "\
[00:00:05] Ana: Bom dia, Carlos! Qual é o maior problema da operação hoje?
[00:00:15] Carlos: Perdemos muito tempo roteirizando as entregas na mão, uns dois dias por semana.
[00:00:30] Ana: E até quando vocês precisam resolver isso?
[00:00:41] Carlos: Precisamos resolver antes da Black Friday, em novembro.
[00:01:02] Carlos: Achei o preço um pouco alto.
[00:01:15] Ana: Entendo, o retorno aparece em três meses. Podemos marcar uma demonstração na quinta-feira?
[00:01:20] Carlos: Pode ser, quinta às 10h.
";

async fn seeded() -> TestApp {
    let app = TestApp::new().await;
    let mut tx = app.test.db.begin(&TestDb::system(ACME)).await.unwrap();
    for sql in [
        "INSERT INTO squads (company_id, id, name, type) VALUES ('company-acme', 'sq-1', 'Norte', 'sales')",
        "INSERT INTO squad_members (company_id, squad_id, user_id, is_leader) VALUES ('company-acme', 'sq-1', 'acme-manager', true), ('company-acme', 'sq-1', 'acme-agent1', false)",
        "INSERT INTO leads (company_id, id, name) VALUES ('company-acme', 'lead-1', 'Carlos Lima')",
    ] {
        sqlx::query(sql).execute(&mut *tx).await.unwrap();
    }
    for (id, agent) in [("c-agent1", "acme-agent1"), ("c-agent2", "acme-agent2")] {
        sqlx::query(
            "INSERT INTO conversations (company_id, id, channel, user_id, lead_id, transcript, conversation_date)
             VALUES ('company-acme', $1, 'CALL', $2, 'lead-1', $3, '2026-11-24T13:00:00Z')",
        )
        .bind(id)
        .bind(agent)
        .bind(CALL)
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let ai = AiSettings::from_config(&server::config::from_lookup(|_| None).unwrap());
    Worker::new(app.test.db.clone(), ai).drain().await.unwrap();
    app
}

fn ids(value: &serde_json::Value) -> Vec<String> {
    let mut ids: Vec<String> = value["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_role_sees_its_conversations_with_their_analysis_and_quotes() {
    let app = seeded().await;
    let director = app.session_for(&email("acme", "diretora")).await;
    let manager = app.session_for(&email("acme", "gerente")).await;
    let agent = app.session_for(&email("acme", "agente1")).await;
    let globex = app.session_for(&email("globex", "diretora")).await;

    let list = |cookie: String| {
        let app = &app;
        async move {
            api(
                app,
                "conversations/list",
                &[("slug", "acme")],
                Some(&cookie),
            )
            .await
        }
    };
    assert_eq!(
        ids(&json(&list(director.clone()).await)),
        ["c-agent1", "c-agent2"]
    );
    assert_eq!(
        ids(&json(&list(manager.clone()).await)),
        ["c-agent1"],
        "their squad's agent only"
    );
    assert_eq!(ids(&json(&list(agent.clone()).await)), ["c-agent1"]);
    assert_eq!(list(globex.clone()).await.status, StatusCode::NOT_FOUND);
    for (cookie, who) in [(&agent, "agent1"), (&manager, "manager")] {
        let other = api(
            &app,
            "conversations/get",
            &[("slug", "acme"), ("id", "c-agent2")],
            Some(cookie),
        )
        .await;
        assert_eq!(
            other.status,
            StatusCode::NOT_FOUND,
            "{who} opening agent2's conversation"
        );
    }

    let page = json(
        &api(
            &app,
            "conversations/get",
            &[("slug", "acme"), ("id", "c-agent1")],
            Some(&agent),
        )
        .await,
    );
    let analysis = &page["analysis"];
    assert_eq!(
        analysis["methodology"], "SPICED",
        "no playbook: the methodology alone"
    );
    assert!(
        analysis["analysed_by"]
            .as_str()
            .unwrap()
            .starts_with("builtin")
    );
    let elements = analysis["elements"].as_array().unwrap();
    assert_eq!(elements.len(), 5);
    let quotes: Vec<&str> = elements
        .iter()
        .flat_map(|e| {
            e["evidence"]
                .as_array()
                .unwrap()
                .iter()
                .map(|q| q["quote"].as_str().unwrap())
        })
        .collect();
    assert!(!quotes.is_empty(), "scores point to quotes");
    for quote in quotes {
        assert!(
            CALL.contains(quote),
            "{quote:?} is the transcript's own text"
        );
    }
    assert!(
        analysis["moments"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["kind"] == "next_step"),
        "the demo booked for Thursday: {}",
        analysis["moments"]
    );
    assert!(page["row"]["playbook_score"].is_number());

    // The HTML page renders the analysis for the agent, in Portuguese.
    let html = app.get("/acme/conversations/c-agent1", Some(&agent)).await;
    assert_eq!(html.status, StatusCode::OK);
    assert!(html.body.contains("data-testid=\"analysis-elements\""));
    assert!(html.body.contains("Momentos-chave"));

    // A changed transcript waits for the worker and the page says so.
    let mut tx = app.test.db.begin(&TestDb::system(ACME)).await.unwrap();
    sqlx::query("UPDATE conversations SET transcript = transcript || '\n[00:02:00] Carlos: Obrigado.' WHERE company_id = $1 AND id = 'c-agent1'")
        .bind(ACME)
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let waiting = json(
        &api(
            &app,
            "conversations/get",
            &[("slug", "acme"), ("id", "c-agent1")],
            Some(&agent),
        )
        .await,
    );
    assert!(waiting["analysis"].is_null());
    assert_eq!(waiting["row"]["analysed"], false);
}
