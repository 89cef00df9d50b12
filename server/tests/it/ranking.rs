//! The ranking and the home's charts over HTTP: agents by revenue and deals won in a period; with
//! `ranking_visibility` off an agent sees only their own position ("2nd of 2"), with it on everyone's
//! names and figures; a period is validated; another company is 404. The home renders its three
//! charts on the server, with the figures in the viewer's language.

use crate::common::{TestApp, api, email, json};
use axum::http::StatusCode;
use db::testing::TestDb;

const ACME: &str = "company-acme";

async fn seeded() -> TestApp {
    let app = TestApp::new().await;
    let mut tx = app.test.db.begin(&TestDb::system(ACME)).await.unwrap();
    app::company::server::insert_default_stages(&mut tx)
        .await
        .unwrap();
    for sql in [
        "INSERT INTO leads (company_id, id, name) VALUES ('company-acme', 'lead-1', 'Cliente')",
        // agent2 won 3 000 in two deals, agent1 1 000 in one, this month; an older win of agent1's is out.
        "INSERT INTO deals (company_id, id, title, stage, value, lead_id, owner_id, closed_at) VALUES
            ('company-acme', 'd1', 'A', 'won', 1000, 'lead-1', 'acme-agent1', now()),
            ('company-acme', 'd2', 'B', 'won', 1000, 'lead-1', 'acme-agent2', now()),
            ('company-acme', 'd3', 'C', 'won', 2000, 'lead-1', 'acme-agent2', now()),
            ('company-acme', 'd4', 'D', 'won', 9000, 'lead-1', 'acme-agent1', now() - interval '400 days'),
            ('company-acme', 'd5', 'E', 'proposal', 5000, 'lead-1', 'acme-agent1', NULL)",
    ] {
        sqlx::query(sql).execute(&mut *tx).await.unwrap();
    }
    tx.commit().await.unwrap();
    app
}

async fn set_visibility(app: &TestApp, on: bool) {
    let mut tx = app.test.db.begin(&TestDb::system(ACME)).await.unwrap();
    sqlx::query("UPDATE companies SET features = features || jsonb_build_object('ranking_visibility', $1::boolean) WHERE id = $2")
        .bind(on)
        .bind(ACME)
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agents_see_their_own_position_or_everyones_as_the_company_chose() {
    let app = seeded().await;
    let director = app.session_for(&email("acme", "diretora")).await;
    let agent = app.session_for(&email("acme", "agente1")).await;
    let globex = app.session_for(&email("globex", "diretora")).await;

    let full = json(&api(&app, "ranking", &[("slug", "acme")], Some(&director)).await);
    let rows: Vec<(i64, String, String, i64)> = full["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["position"].as_i64().unwrap(),
                r["user_id"].as_str().unwrap().to_owned(),
                r["revenue"].as_str().unwrap().to_owned(),
                r["deals_won"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            (1, "acme-agent2".to_owned(), "3000.00".to_owned(), 2),
            (2, "acme-agent1".to_owned(), "1000.00".to_owned(), 1),
        ],
        "this month's wins only"
    );

    set_visibility(&app, false).await;
    let own = json(&api(&app, "ranking", &[("slug", "acme")], Some(&agent)).await);
    assert_eq!(own["hidden"], true);
    assert_eq!(own["of"], 2);
    assert_eq!(own["mine"]["position"], 2);
    assert_eq!(
        own["rows"].as_array().unwrap().len(),
        1,
        "only their own line"
    );
    assert!(
        !own.to_string().contains("acme-agent2"),
        "no other agent's name or id: {own}"
    );
    let director_view = json(&api(&app, "ranking", &[("slug", "acme")], Some(&director)).await);
    assert_eq!(
        director_view["rows"].as_array().unwrap().len(),
        2,
        "directors always see all"
    );

    set_visibility(&app, true).await;
    let open = json(&api(&app, "ranking", &[("slug", "acme")], Some(&agent)).await);
    assert_eq!(open["hidden"], false);
    assert_eq!(open["rows"].as_array().unwrap().len(), 2);

    // A period: last year's win counts when asked for. The period starts a day before that win, so
    // the company's time zone (UTC-3) cannot put the win outside it near midnight UTC.
    let old = (chrono::Utc::now() - chrono::Duration::days(401))
        .format("%Y-%m-%d")
        .to_string();
    let long = json(
        &api(
            &app,
            "ranking",
            &[("slug", "acme"), ("from", &old)],
            Some(&director),
        )
        .await,
    );
    assert_eq!(long["rows"][0]["user_id"], "acme-agent1");
    assert_eq!(long["rows"][0]["revenue"], "10000.00");
    let backwards = api(
        &app,
        "ranking",
        &[
            ("slug", "acme"),
            ("from", "2026-12-10"),
            ("to", "2026-12-01"),
        ],
        Some(&director),
    )
    .await;
    assert_eq!(backwards.status, StatusCode::UNPROCESSABLE_ENTITY);
    let bad = api(
        &app,
        "ranking",
        &[("slug", "acme"), ("from", "10/12/2026")],
        Some(&director),
    )
    .await;
    assert!(bad.body.contains("from:date"), "{}", bad.body);
    assert_eq!(
        api(&app, "ranking", &[("slug", "acme")], Some(&globex))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_home_draws_its_charts_on_the_server_in_the_viewers_language() {
    let app = seeded().await;
    let director = app.session_for(&email("acme", "diretora")).await;
    let page = app.get("/acme", Some(&director)).await;
    assert_eq!(page.status, StatusCode::OK);
    for testid in ["chart-targets", "chart-pipeline", "chart-weighted"] {
        assert!(
            page.body.contains(&format!("data-testid=\"{testid}\"")),
            "{testid} missing"
        );
    }
    assert!(
        page.body.contains("<svg"),
        "charts are in the HTML, not drawn by script"
    );
    // The open proposal (5 000, at 50 %) in Portuguese money, focusable with its value as its name.
    assert!(
        page.body.contains("Proposta: R$"),
        "{}",
        &page.body[..page.body.len().min(2000)]
    );
    assert!(page.body.contains("5.000,00"));
    assert!(page.body.contains("tabindex=\"0\""));
}
