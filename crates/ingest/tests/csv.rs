//! The CSV import from upload to rows, as the import page and the worker drive it, against a real
//! PostgreSQL reached as the app role, with the files Brazilian spreadsheets write (the tabular
//! crate's fixtures: Windows-1252, `;`, bad rows).

mod common;

use std::fmt::Write as _;
use std::time::Duration;

use common::{count, deal, fresh, import_log, scalar_i64, stamps, system, user_id};
use db::Db;
use domain::ImportStatus;
use ingest::{
    IngestError, LeadInput, UploadStatus, create_upload, preview_upload, request_import,
    run_csv_import, set_mapping, upsert_leads,
};
use serde_json::json;
use tabular::{Field, Kind, Target};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/../tabular/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Uploads, asks for the import (as the page does) and runs the job (as the worker does).
async fn import(
    db: &Db,
    company: &str,
    kind: Kind,
    name: &str,
    bytes: &[u8],
) -> ingest::ImportReport {
    let ctx = system(company);
    let mut tx = db.begin(&ctx).await.expect("begin");
    let upload = create_upload(&mut tx, kind, name, bytes, &user_id(company, "ana"))
        .await
        .expect("upload");
    let log_id = request_import(&mut tx, &upload.upload_id, &user_id(company, "ana"))
        .await
        .expect("request");
    tx.commit().await.expect("commit");
    let report = run_csv_import(db, &ctx, &upload.upload_id, None)
        .await
        .expect("import");
    assert_eq!(report.import_log_id, log_id);
    report
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_windows_1252_semicolon_file_imports_with_its_accents_and_queues_one_job() {
    let test = fresh(&["acme"]).await;
    let db = &test.db;
    let ctx = system("acme");
    let mut tx = db.begin(&ctx).await.expect("begin");
    let upload = create_upload(
        &mut tx,
        Kind::Lead,
        "clientes.csv",
        &fixture("leads_windows1252.csv"),
        &user_id("acme", "ana"),
    )
    .await
    .expect("upload");
    assert_eq!(upload.preview.total_rows, 3);
    assert_eq!(upload.preview.rows[0].cells[0], "João da Ação");
    let log_id = request_import(&mut tx, &upload.upload_id, &user_id("acme", "ana"))
        .await
        .expect("request");
    let job = db::jobs::job_status(&mut tx, &format!("csv_import:{}", upload.upload_id))
        .await
        .expect("job")
        .expect("the import job is asked for");
    assert_eq!(job.status, "QUEUED");
    tx.commit().await.expect("commit");
    let (status, total, ..) = import_log(db, "acme", &log_id).await;
    assert_eq!(
        (status.as_str(), total),
        ("RUNNING", 3),
        "the page can follow it at once"
    );

    let report = run_csv_import(db, &ctx, &upload.upload_id, None)
        .await
        .expect("import");

    assert_eq!(report.status, ImportStatus::Success);
    assert_eq!((report.created, report.failed), (3, 0));
    let names = names(db, "acme").await;
    assert_eq!(names, ["João da Ação", "Maria Conceição", "Zé Ninguém"]);
    // imported: its content is gone and it cannot be edited or imported again
    let mut tx = db.begin(&ctx).await.expect("begin");
    let size: (i32, i32) = sqlx::query_as(
        "SELECT size_bytes, octet_length(content) FROM import_uploads WHERE id = $1",
    )
    .bind(&upload.upload_id)
    .fetch_one(&mut *tx)
    .await
    .expect("upload row");
    assert_eq!(size.1, 0);
    assert!(size.0 > 0);
    let again = request_import(&mut tx, &upload.upload_id, &user_id("acme", "ana")).await;
    assert!(
        matches!(again, Err(IngestError::UploadNotEditable { .. })),
        "{again:?}"
    );
    drop(tx);
    // the job run again (a retry) reports the same import and writes nothing
    let rerun = run_csv_import(db, &ctx, &upload.upload_id, None)
        .await
        .expect("rerun");
    assert_eq!(rerun, report);
    assert_eq!(count(db, "acme", "leads").await, 3);
}

async fn names(db: &Db, company: &str) -> Vec<String> {
    let mut tx = db.begin(&system(company)).await.expect("begin");
    let names: Vec<String> = sqlx::query_scalar("SELECT name FROM leads ORDER BY name")
        .fetch_all(&mut *tx)
        .await
        .expect("names");
    names
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_lead_rows_are_logged_with_their_lines_and_the_good_ones_imported() {
    let test = fresh(&["acme"]).await;
    let db = &test.db;

    let report = import(
        db,
        "acme",
        Kind::Lead,
        "leads.csv",
        &fixture("leads_bad_rows.csv"),
    )
    .await;

    assert_eq!(report.status, ImportStatus::Partial);
    assert_eq!((report.total, report.created, report.failed), (10, 5, 5));
    assert_eq!(names(db, "acme").await, ["Ana", "Bia", "Cid", "Gil", "Ivo"]);
    let (status, total, created, updated, failed, errors) =
        import_log(db, "acme", &report.import_log_id).await;
    assert_eq!(
        (status.as_str(), total, created, updated, failed),
        ("PARTIAL", 10, 5, 0, 5)
    );
    let lines: Vec<u64> = errors
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["line"].as_u64().expect("line"))
        .collect();
    assert_eq!(lines, [5, 7, 9, 10, 12]);
    assert_eq!(
        errors[1],
        json!({"line": 7, "field": "email", "reason": "invalid_email", "value": "dan@@x.com"})
    );
    assert_eq!(
        errors[4],
        json!({"line": 12, "field": null, "reason": "extra_columns", "value": "Rua A"})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_deal_rows_fail_alone_and_importing_the_same_file_again_changes_no_row() {
    let test = fresh(&["acme"]).await;
    let db = &test.db;
    // The leads the file's deals name: one by e-mail, one by its id in an earlier file.
    let mut tx = db.begin(&system("acme")).await.expect("begin");
    upsert_leads(
        &mut tx,
        &[
            LeadInput {
                external_id: Some("csv:L-1".into()),
                name: "Ana".into(),
                email: Some("ana@x.com.br".into()),
                ..LeadInput::default()
            },
            LeadInput {
                external_id: Some("csv:L-9".into()),
                name: "Nove".into(),
                ..LeadInput::default()
            },
        ],
    )
    .await
    .expect("leads");
    sqlx::query(
        "INSERT INTO users (company_id, id, email, name, role, status)
         VALUES ('acme', 'vendas', 'vendas@performancy.com.br', 'Vendas', 'AGENT', 'ACTIVE')",
    )
    .execute(&mut *tx)
    .await
    .expect("owner");
    tx.commit().await.expect("commit");

    let first = import(
        db,
        "acme",
        Kind::Deal,
        "negocios.csv",
        &fixture("deals_bad_rows.csv"),
    )
    .await;

    assert_eq!(first.status, ImportStatus::Partial);
    assert_eq!((first.total, first.created, first.failed), (12, 2, 10));
    let contrato = deal(db, "acme", "csv:D-1").await;
    assert_eq!(contrato.stage, "proposal");
    assert_eq!(contrato.value.to_string(), "1234.56");
    assert_eq!(
        contrato.probability.map(|p| p.normalize().to_string()),
        Some("25".into())
    );
    assert_eq!(contrato.owner_id.as_deref(), Some("vendas"));
    assert_eq!(contrato.lead_external_id.as_deref(), Some("csv:L-1"));
    let piloto = deal(db, "acme", "csv:D-5").await;
    assert_eq!(piloto.stage, "won");
    assert_eq!(piloto.lead_external_id.as_deref(), Some("csv:L-9"));
    // 15/02/2026 16:45 in São Paulo
    assert_eq!(
        piloto.closed_at.map(|at| at.to_rfc3339()),
        Some("2026-02-15T19:45:00+00:00".into())
    );
    let (.., errors) = import_log(db, "acme", &first.import_log_id).await;
    let reasons: Vec<(u64, &str)> = errors
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| {
            (
                e["line"].as_u64().expect("line"),
                e["reason"].as_str().expect("reason"),
            )
        })
        .collect();
    assert_eq!(
        reasons,
        [
            (3, "invalid_amount"),
            (4, "nonexistent_date"),
            (5, "missing"),
            (7, "missing"),
            (8, "percent_out_of_range"),
            (9, "invalid_currency"),
            (10, "duplicate_external_id"),
            (11, "lead_missing"),
            (12, "invalid_email"),
            (13, "negative_amount"),
        ]
    );
    let before = stamps(db, "acme", "deals").await;

    let second = import(
        db,
        "acme",
        Kind::Deal,
        "negocios.csv",
        &fixture("deals_bad_rows.csv"),
    )
    .await;

    assert_eq!(
        (second.created, second.updated, second.unchanged),
        (0, 0, 2)
    );
    assert_eq!(
        stamps(db, "acme", "deals").await,
        before,
        "no row rewritten"
    );
    assert_eq!(count(db, "acme", "deals").await, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edited_mapping_is_checked_and_used_by_the_import() {
    let test = fresh(&["acme"]).await;
    let db = &test.db;
    let ctx = system("acme");
    let mut tx = db.begin(&ctx).await.expect("begin");
    let upload = create_upload(
        &mut tx,
        Kind::Lead,
        "clientes.csv",
        &fixture("leads_windows1252.csv"),
        &user_id("acme", "ana"),
    )
    .await
    .expect("upload");
    let mut mapping = upload.preview.mapping.clone();
    let city = mapping
        .columns
        .iter()
        .position(|c| c.header == "Cidade")
        .expect("a Cidade column");
    mapping.columns[city].target = Target::Field(Field::Status);

    let mut wrong = mapping.clone();
    wrong.columns.pop();
    let refused = set_mapping(&mut tx, &upload.upload_id, &wrong).await;
    assert!(
        matches!(
            refused,
            Err(IngestError::Mapping(tabular::ReadError::HeadersChanged))
        ),
        "{refused:?}"
    );
    set_mapping(&mut tx, &upload.upload_id, &mapping)
        .await
        .expect("a valid mapping is stored");
    let shown = preview_upload(&mut tx, &upload.upload_id)
        .await
        .expect("preview");
    assert_eq!(shown.preview.mapping, mapping);
    assert_eq!(shown.status, UploadStatus::Uploaded);
    request_import(&mut tx, &upload.upload_id, &user_id("acme", "ana"))
        .await
        .expect("request");
    let late = set_mapping(&mut tx, &upload.upload_id, &mapping).await;
    assert!(
        matches!(late, Err(IngestError::UploadNotEditable { .. })),
        "{late:?}"
    );
    tx.commit().await.expect("commit");

    run_csv_import(db, &ctx, &upload.upload_id, None)
        .await
        .expect("import");

    let statuses = scalar_i64(
        db,
        "acme",
        "SELECT count(*) FROM leads WHERE status IN ('São Paulo', 'Niterói', 'Curitiba')",
    )
    .await;
    assert_eq!(statuses, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_that_is_not_a_table_is_refused_at_upload_with_a_code_the_page_translates() {
    let test = fresh(&["acme"]).await;
    let db = &test.db;
    let mut tx = db.begin(&system("acme")).await.expect("begin");
    for (name, code) in [
        ("header_only.csv", "no_data_rows"),
        ("image.png", "not_text"),
        ("workbook.xlsx", "workbook"),
        ("unclosed_quote.csv", "unclosed_quote"),
    ] {
        let refused = create_upload(&mut tx, Kind::Lead, name, &fixture(name), "acme-ana").await;
        let error = refused.expect_err(name);
        assert_eq!(error.code(), code, "{name}");
    }
    let too_large = vec![b'a'; tabular::MAX_FILE_BYTES + 1];
    let error = create_upload(&mut tx, Kind::Lead, "big.csv", &too_large, "acme-ana")
        .await
        .expect_err("over 50 MB");
    assert_eq!(error.code(), "too_large");
    tx.commit().await.expect("commit");
    assert_eq!(count(db, "acme", "import_uploads").await, 0);
}

fn numbered_leads(rows: usize, with_ids: bool) -> Vec<u8> {
    let mut text = String::from("ID;Nome;E-mail;Responsável\n");
    for i in 0..rows {
        let id = if with_ids {
            format!("L-{i}")
        } else {
            String::new()
        };
        writeln!(
            text,
            "{id};Pessoa {i};pessoa{i}@cliente.com.br;ana@acme.com.br"
        )
        .expect("write");
    }
    text.into_bytes()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_file_imports_in_batches_and_an_interrupted_import_resumes_without_duplicates() {
    let test = fresh(&["acme"]).await;
    let db = &test.db;
    let ctx = system("acme");
    // Rows without ids would be written twice if a resumed import started over.
    let bytes = numbered_leads(12_000, false);
    let mut tx = db.begin(&ctx).await.expect("begin");
    let upload = create_upload(&mut tx, Kind::Lead, "grande.csv", &bytes, "acme-ana")
        .await
        .expect("upload");
    request_import(&mut tx, &upload.upload_id, "acme-ana")
        .await
        .expect("request");
    tx.commit().await.expect("commit");
    // As if a run had committed the first batch (lines 2 to 5001) and then crashed.
    let mut tx = db.begin(&ctx).await.expect("begin");
    let first_batch: Vec<LeadInput> = (0..5_000)
        .map(|i| LeadInput {
            line: Some(i + 2),
            name: format!("Pessoa {i}"),
            email: Some(format!("pessoa{i}@cliente.com.br")),
            owner_email: Some("ana@acme.com.br".into()),
            ..LeadInput::default()
        })
        .collect();
    upsert_leads(&mut tx, &first_batch)
        .await
        .expect("first batch");
    sqlx::query(
        "UPDATE import_uploads SET status = 'IMPORTING', committed_line = 5001 WHERE id = $1",
    )
    .bind(&upload.upload_id)
    .execute(&mut *tx)
    .await
    .expect("crash");
    sqlx::query(
        "UPDATE import_logs SET records_created = 5000 WHERE id = (SELECT import_log_id FROM import_uploads WHERE id = $1)",
    )
    .bind(&upload.upload_id)
    .execute(&mut *tx)
    .await
    .expect("counts");
    tx.commit().await.expect("commit");

    let report = run_csv_import(db, &ctx, &upload.upload_id, None)
        .await
        .expect("resumed import");

    assert_eq!(report.status, ImportStatus::Success);
    assert_eq!((report.total, report.created), (12_000, 12_000));
    assert_eq!(count(db, "acme", "leads").await, 12_000);
    let distinct = scalar_i64(db, "acme", "SELECT count(DISTINCT email) FROM leads").await;
    assert_eq!(distinct, 12_000, "no row written twice");
    let owned = scalar_i64(
        db,
        "acme",
        "SELECT count(*) FROM leads WHERE external_id IS NULL AND owner_id = 'acme-ana'",
    )
    .await;
    assert_eq!(owned, 12_000);
    let (.., errors) = import_log(db, "acme", &report.import_log_id).await;
    assert_eq!(errors, json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_companys_upload_is_not_found() {
    let test = fresh(&["acme", "globex"]).await;
    let db = &test.db;
    let mut tx = db.begin(&system("acme")).await.expect("begin");
    let upload = create_upload(
        &mut tx,
        Kind::Lead,
        "clientes.csv",
        &fixture("leads_windows1252.csv"),
        "acme-ana",
    )
    .await
    .expect("upload");
    tx.commit().await.expect("commit");

    let mut tx = db.begin(&system("globex")).await.expect("begin");
    let seen = preview_upload(&mut tx, &upload.upload_id).await;
    assert!(matches!(seen, Err(IngestError::UploadNotFound)), "{seen:?}");
    let asked = request_import(&mut tx, &upload.upload_id, "globex-ana").await;
    assert!(
        matches!(asked, Err(IngestError::UploadNotFound)),
        "{asked:?}"
    );
    drop(tx);
    let run = run_csv_import(db, &system("globex"), &upload.upload_id, None).await;
    assert!(matches!(run, Err(IngestError::UploadNotFound)), "{run:?}");
    assert_eq!(count(db, "globex", "leads").await, 0);
    assert_eq!(count(db, "acme", "leads").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_never_imported_are_deleted_after_a_while_and_the_others_stay() {
    let test = fresh(&["acme"]).await;
    let db = &test.db;
    import(
        db,
        "acme",
        Kind::Lead,
        "importado.csv",
        &fixture("leads_windows1252.csv"),
    )
    .await;
    let mut tx = db.begin(&system("acme")).await.expect("begin");
    let abandoned = create_upload(
        &mut tx,
        Kind::Lead,
        "esquecido.csv",
        &fixture("leads_windows1252.csv"),
        "acme-ana",
    )
    .await
    .expect("upload");
    tx.commit().await.expect("commit");
    let mut tx = db.begin(&system("acme")).await.expect("begin");
    let recent = ingest::delete_stale_uploads(&mut tx, Duration::from_secs(7 * 86_400))
        .await
        .expect("delete");
    assert_eq!(recent, 0, "a fresh upload stays");

    // (updated_at is kept by a trigger, so "a while" is no time at all here.)
    let deleted = ingest::delete_stale_uploads(&mut tx, Duration::ZERO)
        .await
        .expect("delete");

    assert_eq!(deleted, 1);
    let left = preview_upload(&mut tx, &abandoned.upload_id).await;
    assert!(matches!(left, Err(IngestError::UploadNotFound)), "{left:?}");
    tx.commit().await.expect("commit");
    assert_eq!(
        count(db, "acme", "import_uploads").await,
        1,
        "the imported one stays"
    );
    assert_eq!(count(db, "acme", "import_logs").await, 1);
}
