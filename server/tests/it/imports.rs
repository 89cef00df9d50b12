//! CSV import over HTTP and through the worker: a director uploads a Brazilian spreadsheet (`;`,
//! Windows-1252 or UTF-8 with BOM, `1.234,56`, `dd/mm/aaaa`), sees the guessed mapping, fixes it, and
//! imports; good rows go in, bad ones are listed with their line and reason; importing the same
//! file again rewrites nothing. Only directors and staff may, only in their company.

use crate::common::{Reply, TestApp, api, email, json};
use axum::http::StatusCode;
use db::testing::TestDb;
use server::jobs::{AiSettings, Worker};

const ACME: &str = "company-acme";

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/../crates/tabular/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

async fn with_stages() -> TestApp {
    let app = TestApp::new().await;
    let mut tx = app.test.db.begin(&TestDb::system(ACME)).await.unwrap();
    app::company::server::insert_default_stages(&mut tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    app
}

fn upload_id(reply: &Reply) -> String {
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let location = reply.location().expect("a redirect").to_owned();
    let id = location.rsplit('/').next().unwrap().to_owned();
    assert!(location.starts_with("/acme/imports/"), "{location}");
    id
}

async fn drain(app: &TestApp) {
    let ai = AiSettings::from_config(&server::config::from_lookup(|_| None).unwrap());
    Worker::new(app.test.db.clone(), ai).drain().await.unwrap();
}

async fn lead_rows(app: &TestApp) -> Vec<(String, Option<String>, chrono::DateTime<chrono::Utc>)> {
    let mut tx = app.test.db.begin(&TestDb::system(ACME)).await.unwrap();
    sqlx::query_as("SELECT name, email, updated_at FROM leads WHERE company_id = $1 ORDER BY name")
        .bind(ACME)
        .fetch_all(&mut *tx)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_director_imports_leads_the_good_rows_go_in_and_the_bad_ones_are_explained() {
    let app = with_stages().await;
    let director = app.session_for(&email("acme", "diretora")).await;
    let reply = app
        .post_file(
            "/acme/imports",
            &[("kind", "LEAD")],
            ("file", "leads.csv", &fixture("leads_bad_rows.csv")),
            Some(&director),
        )
        .await;
    let id = upload_id(&reply);

    let upload = json(
        &api(
            &app,
            "imports/upload",
            &[("slug", "acme"), ("id", &id)],
            Some(&director),
        )
        .await,
    );
    assert_eq!(upload["separator"], ";");
    assert_eq!(upload["headers"][0], "Nome");
    assert_eq!(
        upload["targets"][0], "field:name",
        "guessed from the Portuguese header"
    );
    assert_eq!(upload["targets"][1], "field:email");
    assert_eq!(
        upload["targets"][5], "custom",
        "an unknown header becomes a custom field"
    );

    // A mapping without the required name is refused with what is missing.
    let targets: Vec<String> = upload["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap().to_owned())
        .collect();
    let mut broken = targets.clone();
    broken[0] = "ignore".into();
    let mut form: Vec<(String, String)> =
        vec![("slug".into(), "acme".into()), ("id".into(), id.clone())];
    form.extend(
        broken
            .iter()
            .enumerate()
            .map(|(i, t)| (format!("targets[{i}]"), t.clone())),
    );
    let refs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let refused = api(&app, "imports/mapping", &refs, Some(&director)).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("mapping:missing_required:name"),
        "{}",
        refused.body
    );

    // The director ignores the notes column and imports.
    let mut fixed = targets.clone();
    fixed[5] = "ignore".into();
    let mut form: Vec<(String, String)> = vec![
        ("slug".into(), "acme".into()),
        ("id".into(), id.clone()),
        ("import".into(), "1".into()),
    ];
    form.extend(
        fixed
            .iter()
            .enumerate()
            .map(|(i, t)| (format!("targets[{i}]"), t.clone())),
    );
    let refs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let started = api(&app, "imports/mapping", &refs, Some(&director)).await;
    assert_eq!(started.status, StatusCode::OK, "{}", started.body);
    let log_id = json(&started).as_str().expect("the import log").to_owned();
    let running = json(
        &api(
            &app,
            "imports/logs",
            &[("slug", "acme"), ("id", &log_id)],
            Some(&director),
        )
        .await,
    );
    assert_eq!(running[0]["status"], "RUNNING", "queued for the worker");
    drain(&app).await;

    let done = json(
        &api(
            &app,
            "imports/logs",
            &[("slug", "acme"), ("id", &log_id)],
            Some(&director),
        )
        .await,
    );
    let log = &done[0];
    assert_eq!(log["status"], "PARTIAL");
    // Ana, Bia, Cid, Gil and Ivo are good; a missing name, two bad e-mails, a word as a score and a row
    // with extra cells are not.
    assert_eq!(log["created"], 5, "the good rows went in: {log}");
    assert_eq!(log["failed"], 5, "the bad rows are counted: {log}");
    assert_eq!(log["total"], 10);
    let lines: Vec<u64> = log["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["line"].as_u64())
        .collect();
    assert!(
        lines.contains(&5),
        "the row without a name, on line 5 (after a quoted line break): {lines:?}"
    );
    assert!(
        log["errors"].to_string().contains("invalid_email"),
        "{}",
        log["errors"]
    );
    let names: Vec<String> = lead_rows(&app).await.into_iter().map(|r| r.0).collect();
    for name in ["Ana", "Bia", "Cid", "Gil", "Ivo"] {
        assert!(
            names.contains(&name.to_owned()),
            "{name} imported: {names:?}"
        );
    }
    assert!(!names.iter().any(|n| n.is_empty()));

    // The same file again: the rows without an external id are new rows (PRODUCT.md), but a file
    // with external ids changes nothing the second time.
    let before = lead_rows(&app).await;
    let csv = "ID externo;Nome;E-mail\nX-1;Zé Ninguém;ze@x.com.br\nX-2;Ângela;angela@x.com.br\n";
    for round in 0..2 {
        let reply = app
            .post_file(
                "/acme/imports",
                &[("kind", "LEAD")],
                ("file", "ids.csv", csv.as_bytes()),
                Some(&director),
            )
            .await;
        let id = upload_id(&reply);
        let started = api(
            &app,
            "imports/mapping",
            &[
                ("slug", "acme"),
                ("id", &id),
                ("import", "1"),
                ("targets[0]", "field:external_id"),
                ("targets[1]", "field:name"),
                ("targets[2]", "field:email"),
            ],
            Some(&director),
        )
        .await;
        let log_id = json(&started).as_str().unwrap().to_owned();
        drain(&app).await;
        let log = json(
            &api(
                &app,
                "imports/logs",
                &[("slug", "acme"), ("id", &log_id)],
                Some(&director),
            )
            .await,
        );
        if round == 0 {
            assert_eq!(log[0]["created"], 2);
        } else {
            assert_eq!(
                (log[0]["created"].as_i64(), log[0]["updated"].as_i64()),
                (Some(0), Some(0)),
                "unchanged rows are not rewritten: {log}"
            );
        }
    }
    let after = lead_rows(&app).await;
    for row in &before {
        assert!(
            after.contains(row),
            "an earlier lead was not touched: {row:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broken_files_are_refused_with_a_reason_and_nobody_else_may_import() {
    let app = with_stages().await;
    let director = app.session_for(&email("acme", "diretora")).await;
    for (file, code) in [
        ("workbook.xlsx", "workbook"),
        ("image.png", "not_text"),
        ("header_only.csv", "no_data_rows"),
    ] {
        let reply = app
            .post_file(
                "/acme/imports",
                &[("kind", "LEAD")],
                ("file", file, &fixture(file)),
                Some(&director),
            )
            .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER);
        let location = reply.location().unwrap();
        assert!(
            location.contains(&format!("error={code}")),
            "{file}: {location}"
        );
    }
    // Windows-1252 reads as such: the accents survive.
    let reply = app
        .post_file(
            "/acme/imports",
            &[("kind", "LEAD")],
            ("file", "cp1252.csv", &fixture("leads_windows1252.csv")),
            Some(&director),
        )
        .await;
    let id = upload_id(&reply);
    let upload = json(
        &api(
            &app,
            "imports/upload",
            &[("slug", "acme"), ("id", &id)],
            Some(&director),
        )
        .await,
    );
    let encoding = upload["encoding"].as_str().unwrap().to_lowercase();
    assert!(encoding.contains("1252"), "{encoding}");
    assert!(
        upload.to_string().contains("São Paulo") || upload.to_string().contains("Ação"),
        "{upload}"
    );

    let manager = app.session_for(&email("acme", "gerente")).await;
    let agent = app.session_for(&email("acme", "agente1")).await;
    let globex = app.session_for(&email("globex", "diretora")).await;
    for (cookie, expected) in [
        (&manager, StatusCode::FORBIDDEN),
        (&agent, StatusCode::FORBIDDEN),
        (&globex, StatusCode::NOT_FOUND),
    ] {
        let reply = app
            .post_file(
                "/acme/imports",
                &[("kind", "LEAD")],
                ("file", "l.csv", b"Nome\nAna\n"),
                Some(cookie),
            )
            .await;
        assert_eq!(reply.status, expected);
        let reply = api(
            &app,
            "imports/upload",
            &[("slug", "acme"), ("id", &id)],
            Some(cookie),
        )
        .await;
        assert_eq!(reply.status, expected);
        let reply = api(&app, "imports/logs", &[("slug", "acme")], Some(cookie)).await;
        assert_eq!(reply.status, expected);
    }
    // Globex's director cannot reach acme's upload through globex either.
    let reply = api(
        &app,
        "imports/upload",
        &[("slug", "globex"), ("id", &id)],
        Some(&globex),
    )
    .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
}
