//! Import benchmark: 100 000 leads and 100 000 deals from a pt-BR CSV (`;`, `1.234,56`,
//! `dd/mm/aaaa`) into the local PostgreSQL, through the batch path the CSV import job takes
//! (`run_csv_import`: tabular's reader, then `upsert_leads` / `upsert_deals` in transactions of
//! 5 000 rows, up to three being written at once, each with the import log's counts), against the
//! previous system's pattern: one `INSERT ... ON CONFLICT DO UPDATE` per row in autocommit, each
//! its own statement and transaction.
//!
//! ```text
//! DATABASE_URL=postgres://performancy_app@127.0.0.1:55432/performancy \
//!   cargo run --release -p ingest --bin import-bench [-- --rows 100000 --per-row-sample 20000]
//! ```
//!
//! It connects as the app role, creates two scratch companies through a system context (A for the
//! batch path, B for the per-row loop, each with the default stages and the file's owners as
//! users), and deletes both at the end. Both paths run on the same database with the same
//! durability settings, which it prints. The per-row loop is timed on a sample (by default 10 000
//! leads and their 10 000 deals) because at one commit per row the whole file takes minutes; its
//! rate is rows per second either way. The last line is
//! `import: <N> rows/s, per-row: <M> rows/s, ratio: <R>`.

use std::error::Error;
use std::fmt::Write as _;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use db::{Db, SystemActor, SystemCtx};
use ingest::convert::{deal_from_csv, lead_from_csv};
use ingest::{LeadLink, StageResolver, create_upload, run_csv_import};
use rust_decimal::Decimal;
use serde_json::Value;
use sqlx::postgres::PgConnectOptions;
use sqlx::{Connection, PgConnection};
use tabular::Kind;

type Failure = Box<dyn Error + Send + Sync>;

const OWNERS: usize = 8;

struct Options {
    rows: usize,
    per_row_sample: usize,
}

fn options() -> Result<Options, Failure> {
    let mut options = Options {
        rows: 100_000,
        per_row_sample: 20_000,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || -> Result<usize, Failure> {
            Ok(args
                .next()
                .ok_or_else(|| format!("{arg} needs a value"))?
                .parse()?)
        };
        match arg.as_str() {
            "--rows" => options.rows = value()?,
            "--per-row-sample" => options.per_row_sample = value()?,
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    options.per_row_sample = options.per_row_sample.min(2 * options.rows);
    Ok(options)
}

fn owner_email(n: usize) -> String {
    format!("vendedor{}@bench.performancy.dev", n % OWNERS)
}

fn lead_file(rows: usize) -> Vec<u8> {
    let mut text = String::from(
        "\u{feff}ID;Nome;E-mail;Telefone;Empresa;Cargo;Origem;Status;Pontuação;Responsável;Segmento\r\n",
    );
    for i in 0..rows {
        let _ = write!(
            text,
            "L-{i};Pessoa Número {i};pessoa{i}@empresa{}.com.br;(11) 9{i:08};Empresa {} Ltda;\
             Gerente de Compras;Indicação;Novo;{},5;{};Varejo\r\n",
            i % 97,
            i % 1013,
            i % 100,
            owner_email(i),
        );
    }
    text.into_bytes()
}

const STAGES: [&str; 6] = [
    "Prospecção",
    "Qualificação",
    "Proposta",
    "Negociação",
    "Ganho",
    "Perdido",
];

fn deal_file(rows: usize) -> Vec<u8> {
    let mut text = String::from(
        "\u{feff}ID;Título;Etapa;Valor;Moeda;Probabilidade;Previsão de fechamento;\
         Data de fechamento;Lead;Responsável;Observação\r\n",
    );
    for i in 0..rows {
        let stage = STAGES[i % STAGES.len()];
        let closed = if i % STAGES.len() >= 4 {
            format!("{:02}/{:02}/2026", 1 + i % 28, 1 + i % 12)
        } else {
            String::new()
        };
        let _ = write!(
            text,
            "D-{i};Contrato {i};{stage};R$ {}.{:03},{:02};BRL;{}%;{:02}/{:02}/2026;{closed};L-{i};{};\
             Observação {i}\r\n",
            1 + i % 900,
            i % 1000,
            i % 100,
            i % 101,
            1 + i % 28,
            1 + i % 12,
            owner_email(i + 1),
        );
    }
    text.into_bytes()
}

fn system(company_id: &str) -> SystemCtx {
    SystemCtx::new(company_id, SystemActor::Command("import-bench"))
}

/// A scratch company with the default stages and the file's owners as ACTIVE users.
async fn create_company(db: &Db, id: &str) -> Result<(), Failure> {
    let mut tx = db.begin(&system(id)).await?;
    sqlx::query!(
        "INSERT INTO companies (id, name, slug) VALUES ($1, $2, $1)",
        id,
        format!("Benchmark {id}")
    )
    .execute(&mut *tx)
    .await?;
    for (position, stage) in domain::pipeline::DEFAULT_STAGES.iter().enumerate() {
        sqlx::query!(
            "INSERT INTO pipeline_stages (company_id, key, name, position, probability, kind)
             VALUES ($1, $2, $3, $4, $5, $6)",
            id,
            stage.key,
            stage.name,
            i32::try_from(position)?,
            Decimal::from(stage.probability),
            stage.kind as domain::StageKind
        )
        .execute(&mut *tx)
        .await?;
    }
    for n in 0..OWNERS {
        sqlx::query!(
            "INSERT INTO users (company_id, id, email, name, role, status)
             VALUES ($1, $2, $3, $4, 'AGENT', 'ACTIVE')",
            id,
            format!("{id}-vendedor{n}"),
            owner_email(n),
            format!("Vendedor {n}")
        )
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Users' e-mails are unique across companies: A's owners give theirs up for B's.
async fn release_owner_emails(db: &Db, id: &str) -> Result<(), Failure> {
    let mut tx = db.begin(&system(id)).await?;
    sqlx::query!(
        "UPDATE users SET email = 'done-' || email WHERE company_id = $1",
        id
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

async fn delete_company(db: &Db, id: &str) -> Result<(), Failure> {
    let mut tx = db.begin(&system(id)).await?;
    sqlx::query!("DELETE FROM companies WHERE id = $1", id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

async fn counts(db: &Db, id: &str) -> Result<(i64, i64), Failure> {
    let mut tx = db.begin(&system(id)).await?;
    let leads = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM leads WHERE company_id = $1"#,
        id
    )
    .fetch_one(&mut *tx)
    .await?;
    let deals = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM deals WHERE company_id = $1"#,
        id
    )
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok((leads, deals))
}

async fn settings(db: &Db, any_company: &str) -> Result<Vec<(&'static str, String)>, Failure> {
    let mut tx = db.begin(&system(any_company)).await?;
    let mut shown = Vec::new();
    for name in [
        "server_version",
        "fsync",
        "synchronous_commit",
        "full_page_writes",
        "wal_level",
        "shared_buffers",
        "max_wal_size",
    ] {
        let value = sqlx::query_scalar!(r#"SELECT current_setting($1) AS "v!""#, name)
            .fetch_one(&mut *tx)
            .await?;
        shown.push((name, value));
    }
    tx.commit().await?;
    Ok(shown)
}

/// The batch path: upload, then the import job's run (timed). The job itself is not asked for,
/// so a server's worker on the same database cannot pick it up mid-benchmark.
async fn import_batched(
    db: &Db,
    company: &str,
    kind: Kind,
    bytes: &[u8],
) -> Result<(Duration, ingest::ImportReport), Failure> {
    let ctx = system(company);
    let mut tx = db.begin(&ctx).await?;
    let user = format!("{company}-vendedor0");
    let upload = create_upload(&mut tx, kind, "bench.csv", bytes, &user).await?;
    tx.commit().await?;
    let started = Instant::now();
    let report = run_csv_import(db, &ctx, &upload.upload_id, Some(&user)).await?;
    Ok((started.elapsed(), report))
}

/// The previous system's pattern: every row its own `INSERT ... ON CONFLICT DO UPDATE`, in
/// autocommit. It runs on a connection of its own with the tenant set for the session, the one
/// place outside `db::Db` that does so: going through `Db::begin` would add BEGIN, `set_config`
/// and COMMIT round trips to every row and flatter the batch path.
async fn import_per_row(
    db: &Db,
    url: &PgConnectOptions,
    company: &str,
    leads_csv: &[u8],
    deals_csv: &[u8],
    sample: usize,
) -> Result<(Duration, usize), Failure> {
    let lead_mapping = tabular::preview(leads_csv, Kind::Lead, 0)?.mapping;
    let deal_mapping = tabular::preview(deals_csv, Kind::Deal, 0)?.mapping;
    let stages = {
        let mut tx = db.begin(&system(company)).await?;
        let stages = StageResolver::load(&mut tx).await?;
        tx.commit().await?;
        stages
    };
    let zone = chrono_tz::America::Sao_Paulo;
    let mut conn = PgConnection::connect_with(url).await?;
    sqlx::query!("SELECT set_config('app.company_id', $1, false)", company)
        .fetch_one(&mut conn)
        .await?;

    let leads = sample / 2;
    let deals = sample - leads;
    let started = Instant::now();
    let mut written = 0usize;
    for row in tabular::read_leads(leads_csv, &lead_mapping)?.take(leads) {
        let Ok(row) = row else { continue };
        let lead = lead_from_csv(row);
        sqlx::query!(
            "INSERT INTO leads (company_id, external_id, name, email, phone, company_name, position,
                                source, status, lead_score, owner_id, custom_fields)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,
                     (SELECT id FROM users WHERE lower(email) = $11 AND company_id = $1 AND status = 'ACTIVE'),
                     $12)
             ON CONFLICT (company_id, external_id) DO UPDATE
             SET name = EXCLUDED.name, email = EXCLUDED.email, phone = EXCLUDED.phone,
                 company_name = EXCLUDED.company_name, position = EXCLUDED.position,
                 source = EXCLUDED.source, status = EXCLUDED.status,
                 lead_score = EXCLUDED.lead_score, owner_id = EXCLUDED.owner_id,
                 custom_fields = EXCLUDED.custom_fields, updated_at = now()",
            company,
            lead.external_id,
            lead.name,
            lead.email,
            lead.phone,
            lead.company_name,
            lead.position,
            lead.source,
            lead.status,
            lead.lead_score,
            lead.owner_email.map(|e| e.to_lowercase()),
            Value::Object(lead.custom_fields)
        )
        .execute(&mut conn)
        .await?;
        written += 1;
    }
    for row in tabular::read_deals(deals_csv, &deal_mapping)?.take(deals) {
        let Ok(row) = row else { continue };
        let deal = deal_from_csv(row, zone);
        let Ok(stage) = stages.resolve(&deal.stage) else {
            continue;
        };
        let stage = stage.or(stages.default_stage()).unwrap_or("prospecting");
        let closes = matches!(
            stages.kind_of(stage),
            Some(domain::StageKind::Won | domain::StageKind::Lost)
        );
        let LeadLink::ExternalIds(lead_ids) = &deal.lead else {
            continue;
        };
        sqlx::query!(
            "INSERT INTO deals (company_id, external_id, title, stage, probability, value, currency,
                                expected_close_at, closed_at, custom_fields, lead_id, owner_id)
             VALUES ($1, $2, $3, $4, $5, $6, coalesce($7, 'BRL'), $8,
                     CASE WHEN $9 THEN coalesce($10, now()) ELSE $10 END, $11,
                     (SELECT id FROM leads WHERE company_id = $1 AND external_id = $12),
                     (SELECT id FROM users WHERE lower(email) = $13 AND company_id = $1 AND status = 'ACTIVE'))
             ON CONFLICT (company_id, external_id) DO UPDATE
             SET title = EXCLUDED.title, stage = EXCLUDED.stage, probability = EXCLUDED.probability,
                 value = EXCLUDED.value, currency = EXCLUDED.currency,
                 expected_close_at = EXCLUDED.expected_close_at, closed_at = EXCLUDED.closed_at,
                 custom_fields = EXCLUDED.custom_fields, lead_id = EXCLUDED.lead_id,
                 owner_id = EXCLUDED.owner_id, updated_at = now()",
            company,
            deal.external_id,
            deal.title,
            stage,
            deal.probability,
            deal.value,
            deal.currency,
            deal.expected_close_at as Option<DateTime<Utc>>,
            closes,
            deal.closed_at as Option<DateTime<Utc>>,
            Value::Object(deal.custom_fields),
            lead_ids.first(),
            deal.owner_email.map(|e| e.to_lowercase())
        )
        .execute(&mut conn)
        .await?;
        written += 1;
    }
    let elapsed = started.elapsed();
    conn.close().await?;
    Ok((elapsed, written))
}

fn rate(rows: u64, elapsed: Duration) -> f64 {
    rows as f64 / elapsed.as_secs_f64().max(1e-9)
}

async fn bench(
    db: &Db,
    url: &PgConnectOptions,
    options: &Options,
    a: &str,
    b: &str,
) -> Result<(), Failure> {
    let generated = Instant::now();
    let leads_csv = lead_file(options.rows);
    let deals_csv = deal_file(options.rows);
    println!(
        "generated {} leads ({} bytes) and {} deals ({} bytes) as pt-BR CSV in {:.2} s",
        options.rows,
        leads_csv.len(),
        options.rows,
        deals_csv.len(),
        generated.elapsed().as_secs_f64()
    );

    create_company(db, a).await?;
    for (name, value) in settings(db, a).await? {
        println!("{name}: {value}");
    }

    let (lead_time, lead_report) = import_batched(db, a, Kind::Lead, &leads_csv).await?;
    let (deal_time, deal_report) = import_batched(db, a, Kind::Deal, &deals_csv).await?;
    let batch_rows = lead_report.created
        + lead_report.updated
        + lead_report.unchanged
        + deal_report.created
        + deal_report.updated
        + deal_report.unchanged;
    let batch_time = lead_time + deal_time;
    println!(
        "batch path (company A): leads {:?} created {} failed {} in {:.2} s; deals {:?} created {} failed {} in {:.2} s",
        lead_report.status,
        lead_report.created,
        lead_report.failed,
        lead_time.as_secs_f64(),
        deal_report.status,
        deal_report.created,
        deal_report.failed,
        deal_time.as_secs_f64()
    );
    let (again_leads, again_lead_report) = import_batched(db, a, Kind::Lead, &leads_csv).await?;
    println!(
        "batch path, same lead file again: {} unchanged, {} updated in {:.2} s",
        again_lead_report.unchanged,
        again_lead_report.updated,
        again_leads.as_secs_f64()
    );

    release_owner_emails(db, a).await?;
    create_company(db, b).await?;
    let (row_time, row_rows) =
        import_per_row(db, url, b, &leads_csv, &deals_csv, options.per_row_sample).await?;
    println!(
        "per-row loop (company B): {row_rows} rows (sample: the first {} leads and {} deals) in {:.2} s, one autocommit upsert each",
        options.per_row_sample / 2,
        options.per_row_sample - options.per_row_sample / 2,
        row_time.as_secs_f64()
    );

    let (a_leads, a_deals) = counts(db, a).await?;
    let (b_leads, b_deals) = counts(db, b).await?;
    println!(
        "rows: company A {a_leads} leads, {a_deals} deals; company B {b_leads} leads, {b_deals} deals"
    );

    let batch_rate = rate(batch_rows, batch_time);
    let row_rate = rate(row_rows as u64, row_time);
    println!(
        "import: {} rows/s, per-row: {} rows/s, ratio: {:.1}",
        batch_rate.round() as u64,
        row_rate.round() as u64,
        batch_rate / row_rate.max(1e-9)
    );
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Failure> {
    let options = options()?;
    let url: PgConnectOptions = std::env::var("DATABASE_URL")
        .map_err(|_| "DATABASE_URL must name the local database as the app role")?
        .parse()?;
    let db = Db::connect_lazy(url.clone(), 4);
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_millis();
    let a = format!("bench-a-{stamp}");
    let b = format!("bench-b-{stamp}");
    let outcome = bench(&db, &url, &options, &a, &b).await;
    for company in [&b, &a] {
        if let Err(error) = delete_company(&db, company).await {
            eprintln!("could not delete the scratch company {company}: {error}");
        }
    }
    db.close().await;
    outcome
}
