//! What the staff console reads and writes outside any tenant: every company with its user count,
//! the staff users, the staff audit log, and the two transactions staff start.
//!
//! Each read is a SECURITY DEFINER function of the schema (like [`crate::Lookups`]); the caller
//! must have checked that the session is staff. Writes happen in transactions so that a change and
//! its staff audit row commit together:
//! - [`Db::begin_staff`]: no tenant set (row-level security shows it nothing), only the staff
//!   definer functions act through it;
//! - [`Db::begin_new_company`]: a tenant transaction for a company id minted by the database
//!   inside it, so it can create that one company (the companies policy admits the row whose id is
//!   the current tenant) and its first rows, and can never name a company that already exists.

use std::ops::{Deref, DerefMut};

use chrono::{DateTime, Utc};
use domain::UserStatus;
use serde_json::Value;
use sqlx::{PgConnection, PgPool, Postgres, Transaction};

use crate::{Db, DbError, TenantTx};

/// A company as the console lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct StaffCompany {
    pub id: String,
    pub name: String,
    pub slug: String,
    pub domain: Option<String>,
    pub timezone: String,
    pub currency: String,
    pub created_at: DateTime<Utc>,
    pub user_count: i64,
}

/// A staff user (role ADMIN, no company).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffUser {
    pub id: String,
    pub email: String,
    pub name: String,
    pub status: UserStatus,
    pub last_login_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// One row of the staff audit log, with the acting staff user's current name.
#[derive(Debug, Clone, PartialEq)]
pub struct StaffAuditRow {
    pub id: String,
    pub user_id: Option<String>,
    pub user_name: Option<String>,
    pub action: String,
    pub entity_type: String,
    pub entity_id: String,
    pub company_id: Option<String>,
    pub changes: Option<Value>,
    pub ip_address: Option<String>,
    pub user_agent: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// A staff action to audit (secrets already redacted by the caller).
#[derive(Debug, Clone, PartialEq)]
pub struct StaffAudit<'a> {
    pub user_id: &'a str,
    pub action: &'a str,
    pub entity_type: &'a str,
    pub entity_id: &'a str,
    pub company_id: Option<&'a str>,
    pub changes: Option<Value>,
    pub ip: Option<&'a str>,
    pub user_agent: Option<&'a str>,
}

/// The console's reads: definer functions on the pool.
pub struct StaffLookups<'a> {
    pool: &'a PgPool,
}

impl StaffLookups<'_> {
    pub async fn companies(&self) -> Result<Vec<StaffCompany>, DbError> {
        let rows = sqlx::query_as!(
            StaffCompany,
            r#"SELECT id AS "id!", name AS "name!", slug AS "slug!", domain, timezone AS "timezone!", currency AS "currency!",
                      created_at AS "created_at!: DateTime<Utc>", user_count AS "user_count!"
               FROM staff_list_companies()"#
        )
        .fetch_all(self.pool)
        .await?;
        Ok(rows)
    }

    pub async fn staff_users(&self) -> Result<Vec<StaffUser>, DbError> {
        let rows = sqlx::query_as!(
            StaffUser,
            r#"SELECT id AS "id!", email AS "email!", name AS "name!", status AS "status!: UserStatus",
                      last_login_at AS "last_login_at: DateTime<Utc>", created_at AS "created_at!: DateTime<Utc>"
               FROM staff_list_staff_users()"#
        )
        .fetch_all(self.pool)
        .await?;
        Ok(rows)
    }

    /// One page of the staff audit log, newest first.
    pub async fn audit(&self, limit: i32, offset: i32) -> Result<Vec<StaffAuditRow>, DbError> {
        let rows = sqlx::query_as!(
            StaffAuditRow,
            r#"SELECT id AS "id!", user_id, user_name, action AS "action!", entity_type AS "entity_type!",
                      entity_id AS "entity_id!", company_id, changes, ip_address, user_agent,
                      created_at AS "created_at!: DateTime<Utc>"
               FROM staff_list_audit($1, $2)"#,
            limit,
            offset
        )
        .fetch_all(self.pool)
        .await?;
        Ok(rows)
    }

    /// The names of the staff users among `ids` (others are left out), for a tenant's audit log,
    /// whose tenant-scoped queries cannot see staff rows.
    pub async fn staff_names(&self, ids: &[String]) -> Result<Vec<(String, String)>, DbError> {
        let rows = sqlx::query!(
            r#"SELECT id AS "id!", name AS "name!" FROM lookup_staff_names($1)"#,
            ids
        )
        .fetch_all(self.pool)
        .await?;
        Ok(rows.into_iter().map(|r| (r.id, r.name)).collect())
    }
}

/// A transaction with no tenant: row-level security shows it nothing, and only the staff definer
/// functions act through it. Dropped without commit, it rolls back.
pub struct StaffTx {
    tx: Transaction<'static, Postgres>,
}

impl StaffTx {
    /// Creates an ACTIVE staff user; a taken e-mail violates `users_email_lower_key`.
    pub async fn create_staff_user(
        &mut self,
        email: &str,
        name: &str,
        password_hash: &str,
    ) -> Result<String, DbError> {
        let id = sqlx::query_scalar!(
            r#"SELECT create_staff_user($1, $2, $3) AS "id!""#,
            email,
            name,
            password_hash
        )
        .fetch_one(&mut *self.tx)
        .await?;
        Ok(id)
    }

    /// Sets a staff user's status (anything but ACTIVE also ends their sessions). `false` when
    /// `user_id` is no staff user.
    pub async fn set_staff_user_status(
        &mut self,
        user_id: &str,
        status: UserStatus,
    ) -> Result<bool, DbError> {
        let result = sqlx::query_scalar!(
            r#"SELECT staff_set_user_status($1, $2) AS "stamp!""#,
            user_id,
            status as UserStatus
        )
        .fetch_one(&mut *self.tx)
        .await;
        match result {
            Ok(_) => Ok(true),
            Err(err) => {
                let err = DbError::from(err);
                // no_data_found: the function's "no staff user with this id"
                if err.sqlstate().as_deref() == Some("P0002") {
                    Ok(false)
                } else {
                    Err(err)
                }
            }
        }
    }

    pub async fn commit(self) -> Result<(), DbError> {
        self.tx.commit().await?;
        Ok(())
    }
}

impl Deref for StaffTx {
    type Target = PgConnection;
    fn deref(&self) -> &PgConnection {
        &self.tx
    }
}

impl DerefMut for StaffTx {
    fn deref_mut(&mut self) -> &mut PgConnection {
        &mut self.tx
    }
}

/// Writes a staff audit row through `conn`: a [`StaffTx`], or the tenant transaction of a change
/// staff made to a company, so the row commits or rolls back with the change.
pub async fn record_staff_audit(
    conn: &mut PgConnection,
    entry: &StaffAudit<'_>,
) -> Result<String, DbError> {
    let id = sqlx::query_scalar!(
        r#"SELECT staff_record_audit($1, $2, $3, $4, $5, $6, $7, $8) AS "id!""#,
        entry.user_id,
        entry.action,
        entry.entity_type,
        entry.entity_id,
        entry.company_id,
        entry.changes,
        entry.ip,
        entry.user_agent
    )
    .fetch_one(conn)
    .await?;
    Ok(id)
}

impl Db {
    /// The staff console's reads. The caller has checked that the session is staff.
    pub fn staff(&self) -> StaffLookups<'_> {
        StaffLookups { pool: &self.pool }
    }

    /// A transaction for staff changes that belong to no tenant (staff users).
    pub async fn begin_staff(&self) -> Result<StaffTx, DbError> {
        Ok(StaffTx {
            tx: self.pool.begin().await?,
        })
    }

    /// A tenant transaction for a company that does not exist yet: the database mints its id and
    /// the transaction is bound to it ([`TenantTx::company_id`]), to insert the company row and its
    /// first rows. The caller has checked that the session is staff.
    pub async fn begin_new_company(&self) -> Result<TenantTx, DbError> {
        let mut tx = self.pool.begin().await?;
        let id = sqlx::query_scalar!(r#"SELECT performancy_id() AS "id!""#)
            .fetch_one(&mut *tx)
            .await?;
        sqlx::query!("SELECT set_config('app.company_id', $1, true)", id)
            .fetch_one(&mut *tx)
            .await?;
        Ok(TenantTx::new(tx, id))
    }
}
