//! The one way into Performancy's PostgreSQL.
//!
//! Tenant data is reached only through [`Db::begin`], which opens a transaction and sets the tenant
//! (`app.company_id`) for that transaction alone, from a [`TenantCtx`] (a person, resolved from the
//! session and the URL) or a [`SystemCtx`] (a job, a command, the demo generator, naming the company
//! it acts for). Row-level security enforces the same rule underneath: the app's role owns nothing
//! and cannot bypass the policies, so a query that forgot its tenant reads and writes nothing.
//!
//! The few questions asked before a tenant is known (which company has this slug, who signs in
//! with this e-mail) go through [`Lookups`], each a named SECURITY DEFINER function of the schema.
//! The pool itself is private: there is no third way.

mod error;
pub mod jobs;
pub mod lookups;
pub mod scope;
pub mod staff;
#[cfg(feature = "testing")]
pub mod testing;

pub use error::DbError;
pub use lookups::{
    AcceptedInvitation, CompanyInfo, Lookups, Origin, OwnProfile, PeekedToken, ProfileUpdate,
    ResetCandidate, ResetUser, SessionUser, SignInUser, ThrottleStatus,
};
pub use scope::{Scope, SystemActor, SystemCtx, TenantCtx, TenantTx};
pub use staff::{StaffAudit, StaffAuditRow, StaffCompany, StaffLookups, StaffTx, StaffUser};

use std::time::Duration;

use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

/// The migrations of `migrations/`, embedded in the binary; run with the owner's URL, never the app's.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations");

/// A handle on the app's pool. Cheap to clone.
#[derive(Clone)]
pub struct Db {
    pool: PgPool,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db")
            .field("pool_size", &self.pool.size())
            .finish()
    }
}

impl Db {
    /// Connects lazily-validated: the pool opens connections on demand, so a server starts (and
    /// answers its health check) while the database is still coming up.
    pub fn connect_lazy(options: PgConnectOptions, max_connections: u32) -> Self {
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(5))
            .connect_lazy_with(options);
        Self { pool }
    }

    /// Opens a transaction with the tenant set for it alone (`set_config(..., true)`), so the
    /// setting ends with the transaction and a pooled connection never carries it to another request.
    pub async fn begin(&self, scope: &impl Scope) -> Result<TenantTx, DbError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query!(
            "SELECT set_config('app.company_id', $1, true)",
            scope.company_id()
        )
        .fetch_one(&mut *tx)
        .await?;
        Ok(TenantTx::new(tx, scope.company_id().to_owned()))
    }

    /// The pre-tenant lookups (SECURITY DEFINER functions).
    pub fn lookups(&self) -> Lookups<'_> {
        Lookups::new(&self.pool)
    }

    /// The session store (schema `tower_sessions`, created by a migration and exempt from the
    /// tenant rule: a session exists before any tenant is chosen).
    pub fn session_store(&self) -> tower_sessions_sqlx_store::PostgresStore {
        tower_sessions_sqlx_store::PostgresStore::new(self.pool.clone())
    }

    /// Readiness: the database answers a trivial query within the pool's acquire timeout.
    pub async fn ping(&self) -> Result<(), DbError> {
        sqlx::query!("SELECT 1 AS one")
            .fetch_one(&self.pool)
            .await?;
        Ok(())
    }

    /// Waits for the pool's connections to close, for a graceful shutdown.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Runs the embedded migrations as the schema owner.
pub async fn migrate(owner: PgConnectOptions) -> Result<(), DbError> {
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .connect_with(owner)
        .await?;
    MIGRATOR.run(&pool).await.map_err(DbError::Migrate)?;
    pool.close().await;
    Ok(())
}
