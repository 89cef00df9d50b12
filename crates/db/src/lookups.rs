//! The questions asked before a tenant is known. Each calls one named SECURITY DEFINER function
//! (owned by a NOLOGIN role with BYPASSRLS, fixed `search_path`) that returns only what its caller
//! needs; nothing else in the code goes around row-level security.

use domain::{CompanySlug, UserRole};
use serde::{Deserialize, Serialize};
use sqlx::PgPool;

use crate::{DbError, TenantCtx};

/// What the shell needs to render a tenant's pages: public facts about the company, no data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompanyInfo {
    pub id: String,
    pub name: String,
    pub slug: String,
    pub timezone: String,
    pub currency: String,
}

pub struct Lookups<'a> {
    pool: &'a PgPool,
}

impl<'a> Lookups<'a> {
    pub(crate) fn new(pool: &'a PgPool) -> Self {
        Self { pool }
    }

    pub async fn company_by_slug(&self, slug: &CompanySlug) -> Result<Option<CompanyInfo>, DbError> {
        let row = sqlx::query_as!(
            CompanyInfo,
            r#"SELECT id AS "id!", name AS "name!", slug AS "slug!", timezone AS "timezone!", currency AS "currency!"
               FROM lookup_company_by_slug($1)"#,
            slug.as_str()
        )
        .fetch_optional(self.pool)
        .await?;
        Ok(row)
    }

    /// Builds the [`TenantCtx`] of an active user inside the company of `slug`: their own company,
    /// or any company for active staff. `None` when the user may not enter it, which callers show
    /// as "not found".
    pub async fn membership(&self, user_id: &str, slug: &CompanySlug) -> Result<Option<TenantCtx>, DbError> {
        let row = sqlx::query!(
            r#"SELECT company_id AS "company_id!", role AS "role!: UserRole",
                      led_squad_ids AS "led_squad_ids!", member_squad_ids AS "member_squad_ids!"
               FROM lookup_membership($1, $2)"#,
            user_id,
            slug.as_str()
        )
        .fetch_optional(self.pool)
        .await?;
        Ok(row.map(|r| TenantCtx {
            user_id: user_id.to_owned(),
            company_id: r.company_id,
            role: r.role,
            led_squad_ids: r.led_squad_ids,
            member_squad_ids: r.member_squad_ids,
        }))
    }

    /// Creates a staff user (ADMIN, no company). Called by the `create-staff` command and by staff.
    pub async fn create_staff_user(&self, email: &str, name: &str, password_hash: &str) -> Result<String, DbError> {
        let id = sqlx::query_scalar!(r#"SELECT create_staff_user($1, $2, $3) AS "id!""#, email, name, password_hash)
            .fetch_one(self.pool)
            .await?;
        Ok(id)
    }

    /// Slugs of every company, for the staff console.
    pub async fn staff_company_slugs(&self) -> Result<Vec<String>, DbError> {
        let slugs = sqlx::query_scalar!(r#"SELECT slug AS "slug!" FROM staff_list_companies() ORDER BY slug"#)
            .fetch_all(self.pool)
            .await?;
        Ok(slugs)
    }
}
