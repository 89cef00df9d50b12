//! The questions asked before a tenant is known. Each calls one named SECURITY DEFINER function
//! (owned by a NOLOGIN role with BYPASSRLS, fixed `search_path`) that returns only what its caller
//! needs; nothing else in the code goes around row-level security.

use chrono::{DateTime, Utc};
use domain::{CompanySlug, UserRole, UserStatus};
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

/// What sign-in needs to decide: the stored hash and whether the account may enter.
#[derive(Clone)]
pub struct SignInUser {
    pub id: String,
    pub company_id: Option<String>,
    pub role: UserRole,
    pub status: UserStatus,
    pub password_hash: Option<String>,
    pub security_stamp: String,
    pub language: String,
    pub name: String,
}

impl std::fmt::Debug for SignInUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignInUser")
            .field("id", &self.id)
            .field("role", &self.role)
            .field("status", &self.status)
            .field("password_hash", &"[redacted]")
            .finish_non_exhaustive()
    }
}

/// The user behind a session, read on every request so a deactivation or a new security stamp
/// takes effect at once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionUser {
    pub id: String,
    pub company_id: Option<String>,
    pub role: UserRole,
    pub status: UserStatus,
    pub security_stamp: String,
    pub language: String,
    pub name: String,
    pub email: String,
    /// The slug of the user's company; `None` for staff.
    pub company_slug: Option<String>,
}

/// Whether sign-in attempts for an e-mail or from an address are paused, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottleStatus {
    pub blocked: bool,
    pub retry_after_seconds: i32,
}

/// A live invitation or reset token: what it is for and whose it is (`invite:<user id>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeekedToken {
    pub identifier: String,
    pub expires: DateTime<Utc>,
}

/// The user an invitation just activated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcceptedInvitation {
    pub user_id: String,
    pub company_slug: Option<String>,
    pub email: String,
}

/// The user whose password a reset link just replaced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResetUser {
    pub user_id: String,
    pub email: String,
}

/// Who asked for a reset link by e-mail: a link goes only to an ACTIVE user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResetCandidate {
    pub id: String,
    pub name: String,
    pub language: String,
    pub status: UserStatus,
}

/// What the own profile page shows and edits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnProfile {
    pub name: String,
    pub email: String,
    pub avatar_url: Option<String>,
    pub linkedin: Option<String>,
    pub language: String,
}

/// A profile as saved by its owner, with where the request came from (for the audit row).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileUpdate<'a> {
    pub name: &'a str,
    pub avatar_url: Option<&'a str>,
    pub linkedin: Option<&'a str>,
    pub language: &'a str,
}

/// The client address and user agent of the request that made a change, for its audit row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Origin<'a> {
    pub ip: Option<&'a str>,
    pub user_agent: Option<&'a str>,
}

pub struct Lookups<'a> {
    pub(crate) pool: &'a PgPool,
}

impl<'a> Lookups<'a> {
    pub(crate) fn new(pool: &'a PgPool) -> Self {
        Self { pool }
    }

    pub async fn company_by_slug(
        &self,
        slug: &CompanySlug,
    ) -> Result<Option<CompanyInfo>, DbError> {
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
    pub async fn membership(
        &self,
        user_id: &str,
        slug: &CompanySlug,
    ) -> Result<Option<TenantCtx>, DbError> {
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
    pub async fn create_staff_user(
        &self,
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
        .fetch_one(self.pool)
        .await?;
        Ok(id)
    }

    pub async fn user_for_sign_in(&self, email: &str) -> Result<Option<SignInUser>, DbError> {
        let row = sqlx::query_as!(
            SignInUser,
            r#"SELECT id AS "id!", company_id, role AS "role!: UserRole", status AS "status!: UserStatus",
                      password_hash, security_stamp AS "security_stamp!", language AS "language!", name AS "name!"
               FROM lookup_user_for_sign_in($1)"#,
            email
        )
        .fetch_optional(self.pool)
        .await?;
        Ok(row)
    }

    pub async fn session_user(&self, user_id: &str) -> Result<Option<SessionUser>, DbError> {
        let row = sqlx::query_as!(
            SessionUser,
            r#"SELECT id AS "id!", company_id, role AS "role!: UserRole", status AS "status!: UserStatus",
                      security_stamp AS "security_stamp!", language AS "language!", name AS "name!", email AS "email!",
                      company_slug
               FROM lookup_session_user($1)"#,
            user_id
        )
        .fetch_optional(self.pool)
        .await?;
        Ok(row)
    }

    /// Counts recent failures in PostgreSQL, so every server instance sees the same numbers.
    pub async fn throttle_status(
        &self,
        email: &str,
        ip: Option<&str>,
        window_seconds: i32,
        max_per_email: i32,
        max_per_ip: i32,
    ) -> Result<ThrottleStatus, DbError> {
        let row = sqlx::query_as!(
            ThrottleStatus,
            r#"SELECT blocked AS "blocked!", retry_after_seconds AS "retry_after_seconds!"
               FROM auth_throttle_status($1, $2, $3, $4, $5)"#,
            email,
            ip,
            window_seconds,
            max_per_email,
            max_per_ip
        )
        .fetch_one(self.pool)
        .await?;
        Ok(row)
    }

    pub async fn record_sign_in_failure(
        &self,
        email: &str,
        ip: Option<&str>,
    ) -> Result<(), DbError> {
        sqlx::query!("SELECT auth_record_failure($1, $2)", email, ip)
            .execute(self.pool)
            .await?;
        Ok(())
    }

    pub async fn clear_email_failures(&self, email: &str) -> Result<(), DbError> {
        sqlx::query!("SELECT auth_clear_email_failures($1)", email)
            .execute(self.pool)
            .await?;
        Ok(())
    }

    /// Stamps the sign-in time, replacing the stored hash when it was in an older format.
    pub async fn record_sign_in(&self, user_id: &str, rehash: Option<&str>) -> Result<(), DbError> {
        sqlx::query!("SELECT auth_record_sign_in($1, $2)", user_id, rehash)
            .execute(self.pool)
            .await?;
        Ok(())
    }

    /// Sets a new password hash and a new security stamp (ending every other session); returns the stamp.
    pub async fn set_password(
        &self,
        user_id: &str,
        password_hash: &str,
    ) -> Result<String, DbError> {
        let stamp = sqlx::query_scalar!(
            r#"SELECT auth_set_password($1, $2) AS "stamp!""#,
            user_id,
            password_hash
        )
        .fetch_one(self.pool)
        .await?;
        Ok(stamp)
    }

    /// "Sign out everywhere": a new security stamp invalidates every session of the user.
    pub async fn rotate_security_stamp(&self, user_id: &str) -> Result<String, DbError> {
        let stamp = sqlx::query_scalar!(
            r#"SELECT auth_rotate_security_stamp($1) AS "stamp!""#,
            user_id
        )
        .fetch_one(self.pool)
        .await?;
        Ok(stamp)
    }

    pub async fn set_language(&self, user_id: &str, language: &str) -> Result<(), DbError> {
        sqlx::query!("SELECT auth_set_language($1, $2)", user_id, language)
            .execute(self.pool)
            .await?;
        Ok(())
    }

    /// Stores the hash of a link secret for `identifier` (`invite:<id>`, `reset:<id>`), replacing
    /// the identifier's previous link.
    pub async fn store_token(
        &self,
        identifier: &str,
        token_hash: &str,
        expires: DateTime<Utc>,
    ) -> Result<(), DbError> {
        // `as _`: sqlx's macros pick `time` for timestamptz when both time crates are enabled.
        sqlx::query!(
            "SELECT auth_store_token($1, $2, $3)",
            identifier,
            token_hash,
            expires as _
        )
        .execute(self.pool)
        .await?;
        Ok(())
    }

    /// Whose is this live token, without using it up.
    pub async fn peek_token(&self, token_hash: &str) -> Result<Option<PeekedToken>, DbError> {
        let row = sqlx::query_as!(
            PeekedToken,
            r#"SELECT identifier AS "identifier!", expires AS "expires!: DateTime<Utc>" FROM auth_peek_token($1)"#,
            token_hash
        )
        .fetch_optional(self.pool)
        .await?;
        Ok(row)
    }

    /// Uses an invitation: the INVITED user gets the password and becomes ACTIVE. `None` when the
    /// token is unknown, expired, used, or the user is no longer INVITED.
    pub async fn accept_invitation(
        &self,
        token_hash: &str,
        password_hash: &str,
    ) -> Result<Option<AcceptedInvitation>, DbError> {
        let row = sqlx::query_as!(
            AcceptedInvitation,
            r#"SELECT user_id AS "user_id!", company_slug, email AS "email!" FROM auth_accept_invitation($1, $2)"#,
            token_hash,
            password_hash
        )
        .fetch_optional(self.pool)
        .await?;
        Ok(row)
    }

    /// Uses a reset link: the ACTIVE user gets the new password and a new security stamp. `None`
    /// when the token is unknown, expired or used.
    pub async fn reset_password(
        &self,
        token_hash: &str,
        password_hash: &str,
    ) -> Result<Option<ResetUser>, DbError> {
        let row = sqlx::query_as!(
            ResetUser,
            r#"SELECT user_id AS "user_id!", email AS "email!" FROM auth_reset_password($1, $2)"#,
            token_hash,
            password_hash
        )
        .fetch_optional(self.pool)
        .await?;
        Ok(row)
    }

    pub async fn user_for_reset(&self, email: &str) -> Result<Option<ResetCandidate>, DbError> {
        let row = sqlx::query_as!(
            ResetCandidate,
            r#"SELECT id AS "id!", name AS "name!", language AS "language!", status AS "status!: UserStatus"
               FROM lookup_user_for_reset($1)"#,
            email
        )
        .fetch_optional(self.pool)
        .await?;
        Ok(row)
    }

    /// The signed-in user's own profile (tenant users and staff alike).
    pub async fn own_profile(&self, user_id: &str) -> Result<Option<OwnProfile>, DbError> {
        let row = sqlx::query_as!(
            OwnProfile,
            r#"SELECT name AS "name!", email AS "email!", avatar_url, linkedin, language AS "language!"
               FROM auth_own_profile($1)"#,
            user_id
        )
        .fetch_optional(self.pool)
        .await?;
        Ok(row)
    }

    /// Saves the user's own profile and audits what changed, in one statement. `false` when
    /// nothing changed.
    pub async fn update_own_profile(
        &self,
        user_id: &str,
        profile: &ProfileUpdate<'_>,
        origin: Origin<'_>,
    ) -> Result<bool, DbError> {
        let changed = sqlx::query_scalar!(
            r#"SELECT auth_update_own_profile($1, $2, $3, $4, $5, $6, $7) AS "changed!""#,
            user_id,
            profile.name,
            profile.avatar_url,
            profile.linkedin,
            profile.language,
            origin.ip,
            origin.user_agent
        )
        .fetch_one(self.pool)
        .await?;
        Ok(changed)
    }

    /// A new password chosen by its owner: a new security stamp (returned) ends every other
    /// session; audited as PASSWORD_CHANGED. `None` for an unknown user.
    pub async fn change_own_password(
        &self,
        user_id: &str,
        password_hash: &str,
        origin: Origin<'_>,
    ) -> Result<Option<String>, DbError> {
        let stamp = sqlx::query_scalar!(
            "SELECT auth_change_own_password($1, $2, $3, $4)",
            user_id,
            password_hash,
            origin.ip,
            origin.user_agent
        )
        .fetch_one(self.pool)
        .await?;
        Ok(stamp)
    }

    /// "Sign out everywhere", audited. `None` for an unknown user.
    pub async fn sign_out_everywhere(
        &self,
        user_id: &str,
        origin: Origin<'_>,
    ) -> Result<Option<String>, DbError> {
        let stamp = sqlx::query_scalar!(
            "SELECT auth_sign_out_everywhere($1, $2, $3)",
            user_id,
            origin.ip,
            origin.user_agent
        )
        .fetch_one(self.pool)
        .await?;
        Ok(stamp)
    }

    /// Slugs of every company, for the staff console.
    pub async fn staff_company_slugs(&self) -> Result<Vec<String>, DbError> {
        let slugs = sqlx::query_scalar!(
            r#"SELECT slug AS "slug!" FROM staff_list_companies() ORDER BY slug"#
        )
        .fetch_all(self.pool)
        .await?;
        Ok(slugs)
    }
}
