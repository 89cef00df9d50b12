//! Who a transaction acts for: a person inside a tenant, or the system on a tenant's behalf.

use std::ops::{Deref, DerefMut};

use domain::UserRole;
use sqlx::{PgConnection, Postgres, Transaction};

use crate::DbError;

/// Anything that names the one company a transaction may touch.
pub trait Scope {
    fn company_id(&self) -> &str;
}

/// A signed-in person inside one company: built once per request from the session and the URL
/// slug after the membership check ([`crate::Lookups::membership`]), and the first argument of
/// every data function. Its fields are private so it cannot be assembled any other way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantCtx {
    pub(crate) user_id: String,
    pub(crate) company_id: String,
    pub(crate) role: UserRole,
    pub(crate) led_squad_ids: Vec<String>,
    pub(crate) member_squad_ids: Vec<String>,
}

impl TenantCtx {
    pub fn user_id(&self) -> &str {
        &self.user_id
    }
    /// ADMIN for staff acting inside the tenant (they have a director's rights there).
    pub fn role(&self) -> UserRole {
        self.role
    }
    pub fn is_staff(&self) -> bool {
        self.role == UserRole::Admin
    }
    /// Squads where the user is a leader: a MANAGER's scope.
    pub fn led_squad_ids(&self) -> &[String] {
        &self.led_squad_ids
    }
    pub fn member_squad_ids(&self) -> &[String] {
        &self.member_squad_ids
    }
}

impl Scope for TenantCtx {
    fn company_id(&self) -> &str {
        &self.company_id
    }
}

/// What acted when no person did; written to `audit_logs.actor_label`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SystemActor {
    /// A background job, by its name (`crm_sync`, `alerts`).
    Job(&'static str),
    /// A command-line command, by its name (`seed-demo`, `rotate-keys`).
    Command(&'static str),
    /// An integration, by its id.
    Integration(String),
}

impl SystemActor {
    pub fn label(&self) -> String {
        match self {
            SystemActor::Job(name) => format!("job:{name}"),
            SystemActor::Command(name) => format!("command:{name}"),
            SystemActor::Integration(id) => format!("integration:{id}"),
        }
    }
}

/// The system acting for one named company. Explicit by construction: a job that forgets to say
/// which company it works for does not compile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemCtx {
    company_id: String,
    actor: SystemActor,
}

impl SystemCtx {
    pub fn new(company_id: impl Into<String>, actor: SystemActor) -> Self {
        Self {
            company_id: company_id.into(),
            actor,
        }
    }
    pub fn actor(&self) -> &SystemActor {
        &self.actor
    }
}

impl Scope for SystemCtx {
    fn company_id(&self) -> &str {
        &self.company_id
    }
}

/// A transaction bound to one tenant. Use it as a connection (`&mut *tx`); commit once at the end.
/// Dropped without commit, it rolls back.
pub struct TenantTx {
    tx: Transaction<'static, Postgres>,
    company_id: String,
}

impl TenantTx {
    pub(crate) fn new(tx: Transaction<'static, Postgres>, company_id: String) -> Self {
        Self { tx, company_id }
    }

    /// The tenant this transaction is bound to, for the `company_id` every query names.
    pub fn company_id(&self) -> &str {
        &self.company_id
    }

    pub async fn commit(self) -> Result<(), DbError> {
        self.tx.commit().await?;
        Ok(())
    }
}

impl Deref for TenantTx {
    type Target = PgConnection;
    fn deref(&self) -> &PgConnection {
        &self.tx
    }
}

impl DerefMut for TenantTx {
    fn deref_mut(&mut self) -> &mut PgConnection {
        &mut self.tx
    }
}
