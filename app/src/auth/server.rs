//! Who is asking: the axum-login backend over PostgreSQL, the session rules, and the one function
//! that turns a session and a URL slug into a [`TenantCtx`].
//!
//! The session stores only the user id and the user's security stamp (axum-login's auth hash).
//! Every request re-reads the user, so a deactivation, a password change or "sign out everywhere"
//! (each of which changes the stamp or the status) ends the other sessions at once.

use axum_login::{AuthUser, AuthnBackend, UserId};
use chrono::{DateTime, Utc};
use db::{Db, SessionUser, TenantCtx};
use domain::{CompanySlug, UserStatus};
use serde::{Deserialize, Serialize};

use super::CurrentUser;
use super::password::{self, Verified};
use crate::error::AppError;

pub type AuthSession = axum_login::AuthSession<AuthBackend>;

/// Session key of the sign-in time, for the absolute lifetime.
pub const SIGNED_IN_AT: &str = "signed_in_at";
/// Idle sessions end after this long without a request.
pub const IDLE_TIMEOUT_MINUTES: i64 = 30;
/// Every session ends this long after sign-in, however active.
pub const ABSOLUTE_LIFETIME_HOURS: i64 = 12;

/// Throttling (PRODUCT.md): failures counted per e-mail and per client address over a window.
pub const THROTTLE_WINDOW_SECONDS: i32 = 15 * 60;
pub const THROTTLE_MAX_PER_EMAIL: i32 = 5;
pub const THROTTLE_MAX_PER_ADDRESS: i32 = 20;

/// The signed-in user as the session layer sees it.
#[derive(Clone, Serialize, Deserialize)]
pub struct SignedIn(pub SessionUser);

impl std::fmt::Debug for SignedIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignedIn")
            .field("id", &self.0.id)
            .field("role", &self.0.role)
            .finish_non_exhaustive()
    }
}

impl AuthUser for SignedIn {
    type Id = String;

    fn id(&self) -> String {
        self.0.id.clone()
    }

    /// The security stamp: when it changes, every session holding the old one stops validating.
    fn session_auth_hash(&self) -> &[u8] {
        self.0.security_stamp.as_bytes()
    }
}

#[derive(Clone)]
pub struct Credentials {
    pub email: String,
    pub password: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("email", &"[redacted]")
            .field("password", &"[redacted]")
            .finish()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("database")]
    Db(#[from] db::DbError),
    #[error("password hashing")]
    Password(#[from] password::PasswordError),
}

#[derive(Clone)]
pub struct AuthBackend {
    db: Db,
}

impl AuthBackend {
    pub fn new(db: Db) -> Self {
        Self { db }
    }
}

/// Lowercased and trimmed: how e-mails are compared and counted.
pub fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

impl AuthnBackend for AuthBackend {
    type User = SignedIn;
    type Credentials = Credentials;
    type Error = AuthError;

    /// Wrong e-mail and wrong password are the same `None`, and both cost one password
    /// verification, so neither the answer nor its timing tells whether the account exists.
    async fn authenticate(&self, creds: Credentials) -> Result<Option<SignedIn>, AuthError> {
        let lookups = self.db.lookups();
        let email = normalise_email(&creds.email);
        let candidate = lookups.user_for_sign_in(&email).await?;
        let stored = candidate.as_ref().and_then(|u| u.password_hash.clone());
        let verified = password::verify_password(creds.password.clone(), stored).await?;
        let Some(user) = candidate else {
            return Ok(None);
        };
        if verified == Verified::No || user.status != UserStatus::Active {
            return Ok(None);
        }
        let rehash = match verified {
            Verified::YesRehash => Some(password::hash_password(creds.password).await?),
            _ => None,
        };
        lookups.record_sign_in(&user.id, rehash.as_deref()).await?;
        Ok(lookups.session_user(&user.id).await?.map(SignedIn))
    }

    async fn get_user(&self, user_id: &UserId<Self>) -> Result<Option<SignedIn>, AuthError> {
        let user = self.db.lookups().session_user(user_id).await?;
        Ok(user
            .filter(|u| u.status == UserStatus::Active)
            .map(SignedIn))
    }
}

/// Whether a session signed in at `signed_in_at` has outlived its absolute lifetime.
pub fn past_absolute_lifetime(signed_in_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    now - signed_in_at >= chrono::Duration::hours(ABSOLUTE_LIFETIME_HOURS)
}

/// Where a user lands after signing in: staff at the console, everyone else at their company.
pub fn home_of(user: &SessionUser) -> String {
    match &user.company_slug {
        Some(slug) => format!("/{slug}"),
        None => "/admin".to_owned(),
    }
}

/// A `next` target is honoured only when it is a path of this site: `/x`, never `//host` or a URL.
pub fn safe_next(next: Option<&str>) -> Option<String> {
    let next = next?.trim();
    let is_local_path = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && !next.chars().any(|c| c.is_control() || c == '\\');
    is_local_path.then(|| next.to_owned())
}

/// The current request's auth session (provided to the Leptos context by the server's handlers).
pub fn auth_session() -> Result<AuthSession, AppError> {
    leptos::prelude::use_context::<AuthSession>().ok_or_else(|| {
        tracing::error!("AuthSession missing from the Leptos context");
        AppError::Internal
    })
}

/// The signed-in user, or `Unauthorized`.
pub fn require_user() -> Result<SessionUser, AppError> {
    auth_session()?
        .user
        .map(|u| u.0)
        .ok_or(AppError::Unauthorized)
}

/// The signed-in user, if any (pages that render for guests too).
pub fn optional_user() -> Result<Option<SessionUser>, AppError> {
    Ok(auth_session()?.user.map(|u| u.0))
}

/// What the header shows about the signed-in user.
pub fn current_user_view(user: &SessionUser) -> CurrentUser {
    CurrentUser {
        id: user.id.clone(),
        name: user.name.clone(),
        email: user.email.clone(),
        role: user.role,
        language: user.language.clone(),
        home: home_of(user),
    }
}

/// The tenant context of this request: the signed-in user inside the company of `slug`. Not
/// signed in is `Unauthorized`; a company the user may not enter (another tenant, a malformed or
/// unknown slug) is `NotFound`, never a hint that it exists.
pub async fn tenant_ctx(db: &Db, slug: &str) -> Result<TenantCtx, AppError> {
    let user = require_user()?;
    tenant_ctx_of(db, &user, slug).await
}

/// [`tenant_ctx`] for a user already known (plain handlers outside Leptos).
pub async fn tenant_ctx_of(db: &Db, user: &SessionUser, slug: &str) -> Result<TenantCtx, AppError> {
    let slug = CompanySlug::parse(slug).map_err(|_| AppError::NotFound)?;
    db.lookups()
        .membership(&user.id, &slug)
        .await?
        .ok_or(AppError::NotFound)
}

/// Where the current request came from (client address, user agent), for audit rows.
pub fn request_meta(settings: &crate::state::Settings) -> crate::audit::server::RequestMeta {
    match leptos::prelude::use_context::<http::request::Parts>() {
        Some(parts) => request_meta_of(&parts, settings),
        None => crate::audit::server::RequestMeta::default(),
    }
}

/// [`request_meta`] of a request's parts, for plain handlers outside Leptos.
pub fn request_meta_of(
    parts: &http::request::Parts,
    settings: &crate::state::Settings,
) -> crate::audit::server::RequestMeta {
    let peer = super::handlers::peer_of(&parts.extensions);
    crate::audit::server::RequestMeta {
        ip: super::handlers::client_address(&parts.headers, peer, settings),
        user_agent: parts
            .headers
            .get(http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
    }
}

/// Session key marking that staff entering this company was already audited in this session.
fn staff_entry_key(company_id: &str) -> String {
    format!("staff_entered:{company_id}")
}

/// Audits staff entering a tenant, once per session and company.
pub async fn audit_staff_entry(
    state: &crate::state::AppState,
    ctx: &TenantCtx,
) -> Result<(), AppError> {
    if !ctx.is_staff() {
        return Ok(());
    }
    let session = auth_session()?.session;
    let key = staff_entry_key(db::Scope::company_id(ctx));
    let already: Option<bool> = session.get(&key).await.map_err(|err| {
        tracing::error!(error = ?err, "session read failed");
        AppError::Unavailable
    })?;
    if already.is_some() {
        return Ok(());
    }
    let mut tx = state.db.begin(ctx).await?;
    let company_id = tx.company_id().to_owned();
    crate::audit::server::record(
        &mut tx,
        ctx,
        crate::audit::server::Change {
            action: "STAFF_ENTER_TENANT",
            entity_type: "company",
            entity_id: &company_id,
            before: None,
            after: None,
        },
        &request_meta(&state.settings),
    )
    .await?;
    tx.commit().await?;
    session.insert(&key, true).await.map_err(|err| {
        tracing::error!(error = ?err, "session write failed");
        AppError::Unavailable
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_is_honoured_only_for_paths_of_this_site() {
        assert_eq!(
            safe_next(Some("/acme/deals?page=2")),
            Some("/acme/deals?page=2".into())
        );
        for hostile in [
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "javascript:alert(1)",
            "acme",
            "/a\nb",
        ] {
            assert_eq!(safe_next(Some(hostile)), None, "{hostile}");
        }
        assert_eq!(safe_next(None), None);
    }

    #[test]
    fn sessions_end_twelve_hours_after_sign_in() {
        let start = DateTime::parse_from_rfc3339("2026-11-27T08:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert!(!past_absolute_lifetime(
            start,
            start + chrono::Duration::minutes(719)
        ));
        assert!(past_absolute_lifetime(
            start,
            start + chrono::Duration::hours(12)
        ));
    }

    #[test]
    fn emails_compare_trimmed_and_lowercased() {
        assert_eq!(
            normalise_email("  Diretora@ACME.com.br "),
            "diretora@acme.com.br"
        );
    }
}
