//! Row-level security seen from the app's role: no tenant sees nothing, a tenant sees only itself,
//! and the tenant setting dies with its transaction.

use db::testing::TestDb;
use db::{Db, DbError};
use sqlx::PgPool;

const RLS_VIOLATION: &str = "42501";

async fn seed_company(db: &Db, id: &str, slug: &str, lead_names: &[&str]) {
    let mut tx = db.begin(&TestDb::system(id)).await.unwrap();
    sqlx::query("INSERT INTO companies (id, name, slug) VALUES ($1, $2, $3)")
        .bind(id)
        .bind(format!("Company {slug}"))
        .bind(slug)
        .execute(&mut *tx)
        .await
        .unwrap();
    for (i, name) in lead_names.iter().enumerate() {
        sqlx::query("INSERT INTO leads (id, company_id, name) VALUES ($1, $2, $3)")
            .bind(format!("{id}-lead-{i}"))
            .bind(id)
            .bind(name)
            .execute(&mut *tx)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
}

async fn two_tenants() -> TestDb {
    let test = TestDb::new().await;
    seed_company(&test.db, "company-a", "alpha", &["Ana", "Bruno"]).await;
    seed_company(&test.db, "company-b", "beta", &["Carla"]).await;
    test
}

async fn count(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

#[tokio::test]
async fn without_a_tenant_the_app_role_reads_nothing_and_writes_nothing() {
    let test = two_tenants().await;
    let raw = test.raw_app_pool().await;
    assert_eq!(count(&raw, "SELECT count(*) FROM leads").await, 0);
    assert_eq!(count(&raw, "SELECT count(*) FROM companies").await, 0);
    // An empty setting (what a reset leaves) is "no tenant" too, not a wildcard.
    let mut tx = raw.begin().await.unwrap();
    sqlx::query("SELECT set_config('app.company_id', '', true)")
        .execute(&mut *tx)
        .await
        .unwrap();
    let seen: i64 = sqlx::query_scalar("SELECT count(*) FROM leads")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert_eq!(seen, 0);
    drop(tx);

    let err = sqlx::query(
        "INSERT INTO leads (id, company_id, name) VALUES ('x', 'company-a', 'Intruso')",
    )
    .execute(&raw)
    .await
    .unwrap_err();
    assert_eq!(
        DbError::from(err).sqlstate().as_deref(),
        Some(RLS_VIOLATION)
    );
    let changed = sqlx::query("UPDATE leads SET name = 'x'")
        .execute(&raw)
        .await
        .unwrap()
        .rows_affected();
    assert_eq!(changed, 0);
}

#[tokio::test]
async fn a_tenant_sees_only_its_own_rows() {
    let test = two_tenants().await;
    let mut tx = test.db.begin(&TestDb::system("company-a")).await.unwrap();
    let names: Vec<String> = sqlx::query_scalar("SELECT name FROM leads ORDER BY name")
        .fetch_all(&mut *tx)
        .await
        .unwrap();
    assert_eq!(names, ["Ana", "Bruno"]);
    // Asking for the other tenant by id finds nothing, as if it did not exist.
    let other: Option<String> =
        sqlx::query_scalar("SELECT name FROM leads WHERE id = 'company-b-lead-0'")
            .fetch_optional(&mut *tx)
            .await
            .unwrap();
    assert_eq!(other, None);
    let companies: Vec<String> = sqlx::query_scalar("SELECT slug FROM companies")
        .fetch_all(&mut *tx)
        .await
        .unwrap();
    assert_eq!(companies, ["alpha"]);
}

#[tokio::test]
async fn a_tenant_cannot_write_into_another_tenant() {
    let test = two_tenants().await;
    let mut tx = test.db.begin(&TestDb::system("company-a")).await.unwrap();
    let updated = sqlx::query("UPDATE leads SET name = 'Hacked' WHERE company_id = 'company-b'")
        .execute(&mut *tx)
        .await
        .unwrap()
        .rows_affected();
    assert_eq!(updated, 0);
    let deleted = sqlx::query("DELETE FROM leads WHERE company_id = 'company-b'")
        .execute(&mut *tx)
        .await
        .unwrap()
        .rows_affected();
    assert_eq!(deleted, 0);
    // Moving one's own row into the other tenant is refused by WITH CHECK.
    let moved =
        sqlx::query("UPDATE leads SET company_id = 'company-b' WHERE id = 'company-a-lead-0'")
            .execute(&mut *tx)
            .await;
    assert_eq!(
        DbError::from(moved.unwrap_err()).sqlstate().as_deref(),
        Some(RLS_VIOLATION)
    );
    drop(tx);

    let mut tx = test.db.begin(&TestDb::system("company-a")).await.unwrap();
    let inserted = sqlx::query(
        "INSERT INTO leads (id, company_id, name) VALUES ('planted', 'company-b', 'Plantado')",
    )
    .execute(&mut *tx)
    .await;
    assert_eq!(
        DbError::from(inserted.unwrap_err()).sqlstate().as_deref(),
        Some(RLS_VIOLATION)
    );
    drop(tx);

    let mut tx = test.db.begin(&TestDb::system("company-b")).await.unwrap();
    let names: Vec<String> = sqlx::query_scalar("SELECT name FROM leads")
        .fetch_all(&mut *tx)
        .await
        .unwrap();
    assert_eq!(names, ["Carla"]);
}

#[tokio::test]
async fn a_deal_cannot_point_at_another_tenants_lead() {
    let test = two_tenants().await;
    let mut tx = test.db.begin(&TestDb::system("company-a")).await.unwrap();
    // Foreign keys ignore row-level security; the composite key (company_id, lead_id) is what stops this.
    let result = sqlx::query(
        "INSERT INTO deals (id, company_id, title, stage, value, lead_id) VALUES ('d1', 'company-a', 'Cross', 'prospecting', 10, 'company-b-lead-0')",
    )
    .execute(&mut *tx)
    .await;
    let err = DbError::from(result.unwrap_err());
    assert_eq!(err.sqlstate().as_deref(), Some("23503"), "{err:?}");
}

#[tokio::test]
async fn after_commit_the_pooled_connection_no_longer_carries_the_tenant() {
    let test = two_tenants().await;
    let (db, raw) = test.single_connection().await;
    let mut tx = db.begin(&TestDb::system("company-a")).await.unwrap();
    let inside: i64 = sqlx::query_scalar("SELECT count(*) FROM leads")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert_eq!(inside, 2);
    tx.commit().await.unwrap();

    // Same single connection, next use: the setting is gone, and so are the rows.
    let setting: Option<String> =
        sqlx::query_scalar("SELECT current_setting('app.company_id', true)")
            .fetch_one(&raw)
            .await
            .unwrap();
    assert!(
        setting.as_deref().unwrap_or("").is_empty(),
        "left over: {setting:?}"
    );
    assert_eq!(count(&raw, "SELECT count(*) FROM leads").await, 0);

    // And after a rollback too.
    let tx = db.begin(&TestDb::system("company-b")).await.unwrap();
    drop(tx);
    assert_eq!(count(&raw, "SELECT count(*) FROM leads").await, 0);
}

#[tokio::test]
async fn the_lookups_answer_before_a_tenant_is_known_and_only_what_they_must() {
    let test = two_tenants().await;
    let lookups = test.db.lookups();
    let slug = domain::CompanySlug::parse("beta").unwrap();
    let company = lookups
        .company_by_slug(&slug)
        .await
        .unwrap()
        .expect("beta exists");
    assert_eq!(company.id, "company-b");
    assert_eq!(
        lookups
            .company_by_slug(&domain::CompanySlug::parse("gamma").unwrap())
            .await
            .unwrap(),
        None
    );

    // A staff user may enter any company; nobody else enters a company that is not theirs.
    let staff = lookups
        .create_staff_user("suporte@performancy.dev", "Suporte", "$argon2id$fake")
        .await
        .unwrap();
    let ctx = lookups
        .membership(&staff, &slug)
        .await
        .unwrap()
        .expect("staff enters beta");
    assert!(ctx.is_staff());
    assert_eq!(db::Scope::company_id(&ctx), "company-b");

    let mut tx = test.db.begin(&TestDb::system("company-a")).await.unwrap();
    sqlx::query("INSERT INTO users (id, company_id, email, name, role, status) VALUES ('u-a', 'company-a', 'ana@alpha.test', 'Ana', 'AGENT', 'ACTIVE')")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert!(
        lookups
            .membership("u-a", &domain::CompanySlug::parse("alpha").unwrap())
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(
        lookups.membership("u-a", &slug).await.unwrap(),
        None,
        "an agent of alpha must not enter beta"
    );

    // Staff users stay invisible to tenant queries.
    let mut tx = test.db.begin(&TestDb::system("company-b")).await.unwrap();
    let users: i64 = sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert_eq!(users, 0);
}
