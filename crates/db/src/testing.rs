//! A fresh database per test, reached as the app role.
//!
//! `#[sqlx::test]` connects as a superuser, which skips row-level security and proves nothing, so
//! the harness creates each database itself: through `DATABASE_ADMIN_URL` (a superuser of a
//! throwaway cluster that the test command starts), owned by `performancy_owner`, migrated as the
//! owner, and handed to the test as a [`Db`] on `performancy_app`.

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Executor, PgPool};

use crate::{Db, SystemActor, SystemCtx};

pub const OWNER_ROLE: &str = "performancy_owner";
pub const APP_ROLE: &str = "performancy_app";
pub const DEFINER_ROLE: &str = "performancy_definer";

/// The statements that create the cluster-wide roles, idempotent; `scripts/pg.sh` runs the same file.
pub const ENSURE_ROLES_SQL: &str = include_str!("../../../scripts/roles.sql");

pub struct TestDb {
    /// The app role's handle: what the code under test uses.
    pub db: Db,
    /// The schema owner's pool, for catalogue questions. The owner is subject to the policies too
    /// (FORCE ROW LEVEL SECURITY), so it is no back door for data.
    pub owner: PgPool,
    pub name: String,
    app_options: PgConnectOptions,
    admin_options: PgConnectOptions,
}

/// A test's database goes with it, so a developer's cluster does not fill the disk with thousands
/// of them (the test command's cluster is wiped on every run anyway). Dropped from a thread of its
/// own: `Drop` cannot await, and the test's runtime may be the one being torn down.
impl Drop for TestDb {
    fn drop(&mut self) {
        let admin = self.admin_options.clone();
        let name = self.name.clone();
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            runtime.block_on(async move {
                let pool = PgPoolOptions::new()
                    .max_connections(1)
                    .connect_with(admin)
                    .await
                    .ok()?;
                pool.execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
                    .await
                    .ok()?;
                pool.close().await;
                Some(())
            })
        })
        .join();
        if !matches!(dropped, Ok(Some(()))) {
            eprintln!("test database {} was not dropped", self.name);
        }
    }
}

impl TestDb {
    pub async fn new() -> Self {
        let admin_url = std::env::var("DATABASE_ADMIN_URL")
            .expect("DATABASE_ADMIN_URL must name a superuser of a throwaway cluster (the README's test command sets it)");
        let admin_options: PgConnectOptions = admin_url
            .parse()
            .expect("DATABASE_ADMIN_URL is not a PostgreSQL URL");
        let admin = PgPoolOptions::new()
            .max_connections(1)
            .connect_with(admin_options.clone())
            .await
            .expect("cannot connect with DATABASE_ADMIN_URL");
        // Roles are cluster-wide and tests run in parallel: serialise their creation.
        let mut tx = admin.begin().await.expect("begin");
        tx.execute("SELECT pg_advisory_xact_lock(4242)")
            .await
            .expect("lock");
        tx.execute(ENSURE_ROLES_SQL).await.expect("roles");
        tx.commit().await.expect("commit");

        let name = format!("test_{}", uuid::Uuid::new_v4().simple());
        admin
            .execute(format!("CREATE DATABASE {name} OWNER {OWNER_ROLE}").as_str())
            .await
            .expect("create database");
        admin.close().await;

        let owner_options = admin_options.clone().username(OWNER_ROLE).database(&name);
        crate::migrate(owner_options.clone())
            .await
            .expect("migrations");
        let owner = PgPoolOptions::new()
            .max_connections(2)
            .connect_with(owner_options)
            .await
            .expect("owner pool");

        let app_options = admin_options.clone().username(APP_ROLE).database(&name);
        let db = Db::connect_lazy(app_options.clone(), 4);
        Self {
            db,
            owner,
            name,
            app_options,
            admin_options,
        }
    }

    /// A plain connection as the app role, for tests that must show what a query without a tenant
    /// sees. The application code has no such thing.
    pub async fn raw_app_pool(&self) -> PgPool {
        PgPoolOptions::new()
            .max_connections(1)
            .connect_with(self.app_options.clone())
            .await
            .expect("app pool")
    }

    /// A handle and a plain pool sharing one single connection, to observe what that pooled
    /// connection carries after a tenant transaction ended.
    pub async fn single_connection(&self) -> (Db, PgPool) {
        let pool = self.raw_app_pool().await;
        (Db { pool: pool.clone() }, pool)
    }

    /// A system context for a company id, as tests seed their own tenants.
    pub fn system(company_id: &str) -> SystemCtx {
        SystemCtx::new(company_id, SystemActor::Command("test"))
    }
}
