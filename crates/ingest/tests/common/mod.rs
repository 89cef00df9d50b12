//! What the ingest tests share: a tenant with the default pipeline and a few users, seeded as the
//! app role through a system context, and questions about what ended up in the tables, asked the
//! same way (so row-level security applies to the tests' own reads too).
#![allow(dead_code)] // each test binary uses its own part of this module

use chrono::{DateTime, Utc};
use db::testing::TestDb;
use db::{Db, SystemActor, SystemCtx};
use rust_decimal::Decimal;
use sqlx::Row;

pub fn system(company_id: &str) -> SystemCtx {
    SystemCtx::new(company_id, SystemActor::Job("test"))
}

/// A company with the default stages and three users: two ACTIVE, one INACTIVE.
pub async fn company(db: &Db, id: &str) {
    let mut tx = db.begin(&system(id)).await.expect("begin");
    sqlx::query("INSERT INTO companies (id, name, slug) VALUES ($1, $2, $1)")
        .bind(id)
        .bind(format!("Empresa {id}"))
        .execute(&mut *tx)
        .await
        .expect("company");
    for (position, stage) in domain::pipeline::DEFAULT_STAGES.iter().enumerate() {
        sqlx::query(
            "INSERT INTO pipeline_stages (company_id, key, name, position, probability, kind)
             VALUES ($1, $2, $3, $4, $5, $6::stage_kind)",
        )
        .bind(id)
        .bind(stage.key)
        .bind(stage.name)
        .bind(position as i32)
        .bind(Decimal::from(stage.probability))
        .bind(stage.kind.as_str())
        .execute(&mut *tx)
        .await
        .expect("stage");
    }
    for (name, status) in [
        ("ana", "ACTIVE"),
        ("bruno", "ACTIVE"),
        ("carla", "INACTIVE"),
    ] {
        sqlx::query(
            "INSERT INTO users (company_id, id, email, name, role, status)
             VALUES ($1, $2, $3, $4, 'AGENT', $5::user_status)",
        )
        .bind(id)
        .bind(user_id(id, name))
        .bind(user_email(id, name))
        .bind(name)
        .bind(status)
        .execute(&mut *tx)
        .await
        .expect("user");
    }
    tx.commit().await.expect("commit");
}

pub fn user_id(company: &str, name: &str) -> String {
    format!("{company}-{name}")
}

/// Users' e-mails are unique across companies.
pub fn user_email(company: &str, name: &str) -> String {
    format!("{name}@{company}.com.br")
}

pub async fn fresh(companies: &[&str]) -> TestDb {
    let test = TestDb::new().await;
    for id in companies {
        company(&test.db, id).await;
    }
    test
}

/// One scalar from a query run inside the company's tenant transaction.
pub async fn scalar_i64(db: &Db, company: &str, sql: &str) -> i64 {
    let mut tx = db.begin(&system(company)).await.expect("begin");
    let value: i64 = sqlx::query_scalar(sql)
        .fetch_one(&mut *tx)
        .await
        .expect(sql);
    tx.commit().await.expect("commit");
    value
}

pub async fn count(db: &Db, company: &str, table: &str) -> i64 {
    scalar_i64(db, company, &format!("SELECT count(*) FROM {table}")).await
}

/// Every lead's or deal's external id and `updated_at`, ordered by external id.
pub async fn stamps(db: &Db, company: &str, table: &str) -> Vec<(Option<String>, DateTime<Utc>)> {
    let mut tx = db.begin(&system(company)).await.expect("begin");
    let rows = sqlx::query(&format!(
        "SELECT external_id, updated_at FROM {table} ORDER BY external_id, id"
    ))
    .fetch_all(&mut *tx)
    .await
    .expect("stamps");
    tx.commit().await.expect("commit");
    rows.iter()
        .map(|r| (r.get("external_id"), r.get("updated_at")))
        .collect()
}

/// A deal as the tests look at it.
#[derive(Debug, Clone, PartialEq)]
pub struct DealView {
    pub external_id: Option<String>,
    pub title: String,
    pub stage: String,
    pub value: Decimal,
    pub currency: String,
    pub probability: Option<Decimal>,
    pub closed_at: Option<DateTime<Utc>>,
    pub stage_changed_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub owner_id: Option<String>,
    pub lead_external_id: Option<String>,
    pub lead_name: String,
}

pub async fn deal(db: &Db, company: &str, external_id: &str) -> DealView {
    let mut tx = db.begin(&system(company)).await.expect("begin");
    let r = sqlx::query(
        "SELECT d.external_id, d.title, d.stage, d.value, d.currency, d.probability, d.closed_at,
                d.stage_changed_at, d.updated_at, d.owner_id, l.external_id AS lead_external_id,
                l.name AS lead_name
         FROM deals d JOIN leads l ON l.company_id = d.company_id AND l.id = d.lead_id
         WHERE d.external_id = $1",
    )
    .bind(external_id)
    .fetch_one(&mut *tx)
    .await
    .expect("deal");
    tx.commit().await.expect("commit");
    DealView {
        external_id: r.get("external_id"),
        title: r.get("title"),
        stage: r.get("stage"),
        value: r.get("value"),
        currency: r.get("currency"),
        probability: r.get("probability"),
        closed_at: r.get("closed_at"),
        stage_changed_at: r.get("stage_changed_at"),
        updated_at: r.get("updated_at"),
        owner_id: r.get("owner_id"),
        lead_external_id: r.get("lead_external_id"),
        lead_name: r.get("lead_name"),
    }
}

/// A lead's owner, e-mail and name by external id.
pub async fn lead(
    db: &Db,
    company: &str,
    external_id: &str,
) -> (String, Option<String>, Option<String>) {
    let mut tx = db.begin(&system(company)).await.expect("begin");
    let r = sqlx::query("SELECT name, email, owner_id FROM leads WHERE external_id = $1")
        .bind(external_id)
        .fetch_one(&mut *tx)
        .await
        .expect("lead");
    tx.commit().await.expect("commit");
    (r.get("name"), r.get("email"), r.get("owner_id"))
}

/// The import log: status, total, created, updated, failed, errors.
pub async fn import_log(
    db: &Db,
    company: &str,
    id: &str,
) -> (String, i32, i32, i32, i32, serde_json::Value) {
    let mut tx = db.begin(&system(company)).await.expect("begin");
    let r = sqlx::query(
        "SELECT status::text AS status, records_total, records_created, records_updated,
                records_failed, errors
         FROM import_logs WHERE id = $1",
    )
    .bind(id)
    .fetch_one(&mut *tx)
    .await
    .expect("import log");
    tx.commit().await.expect("commit");
    (
        r.get("status"),
        r.get("records_total"),
        r.get("records_created"),
        r.get("records_updated"),
        r.get("records_failed"),
        r.get("errors"),
    )
}
