//! Server side of the staff console: the staff check, creating a company with its default
//! pipeline, staff users, and the staff audit log. Every change is audited in its own transaction.

use db::{SessionUser, StaffAudit};
use domain::{CompanySlug, SlugError, UserStatus};
use serde_json::json;

use super::{
    CompanyListItem, CreatedCompany, STAFF_AUDIT_PAGE_SIZE, StaffAuditEntry, StaffAuditPage,
    StaffMember,
};
use crate::audit::server::{Change, RequestMeta, changes_json, record_as_staff};
use crate::company::server::{DetailsInput, check_details, insert_default_stages};
use crate::error::AppError;
use crate::state::AppState;
use crate::validation::{check_email, check_person_name, invalid};

/// The signed-in staff user. Anyone else signed in gets "not found": the console's existence is
/// not advertised. A guest is `Unauthorized` (sent to sign in).
pub fn require_staff() -> Result<SessionUser, AppError> {
    let user = crate::auth::server::require_user()?;
    if !crate::policy::may_use_staff_console(user.role) {
        return Err(AppError::NotFound);
    }
    Ok(user)
}

pub async fn companies(state: &AppState) -> Result<Vec<CompanyListItem>, AppError> {
    let rows = state.db.staff().companies().await?;
    Ok(rows
        .into_iter()
        .map(|c| CompanyListItem {
            id: c.id,
            name: c.name,
            slug: c.slug,
            domain: c.domain,
            timezone: c.timezone,
            currency: c.currency,
            created_at: c.created_at,
            user_count: c.user_count,
        })
        .collect())
}

/// A new company as the console's form submits it.
#[derive(Debug, Clone)]
pub struct NewCompanyInput {
    pub name: String,
    pub slug: String,
    pub domain: String,
    pub timezone: String,
    pub currency: String,
}

/// The slug as typed, trimmed and lowercased, or the reason it cannot be one.
pub fn check_slug(raw: &str) -> Result<CompanySlug, AppError> {
    CompanySlug::parse(&raw.trim().to_lowercase()).map_err(|err| {
        invalid(
            "slug",
            match err {
                SlugError::Length => "length",
                SlugError::Characters => "characters",
                SlugError::Reserved => "reserved",
            },
        )
    })
}

/// Creates a company with its default pipeline stages, in one transaction bound to the new
/// company's id; audited in the company's log (as staff) and in the staff log. A slug already in
/// use is `slug:taken` (the unique key decides, so two simultaneous creations cannot both win).
pub async fn create_company(
    state: &AppState,
    staff: &SessionUser,
    input: NewCompanyInput,
    meta: &RequestMeta,
) -> Result<CreatedCompany, AppError> {
    let slug = check_slug(&input.slug)?;
    let details = check_details(&DetailsInput {
        name: input.name,
        domain: input.domain,
        timezone: input.timezone,
        currency: input.currency,
    })?;
    let mut tx = state.db.begin_new_company().await?;
    let company_id = tx.company_id().to_owned();
    let inserted = sqlx::query!(
        "INSERT INTO companies (id, name, slug, domain, timezone, currency) VALUES ($1, $2, $3, $4, $5, $6)",
        company_id,
        details.name,
        slug.as_str(),
        details.domain,
        details.timezone,
        details.currency
    )
    .execute(&mut *tx)
    .await
    .map_err(db::DbError::from);
    if let Err(err) = inserted {
        return Err(if err.constraint() == Some("companies_slug_key") {
            invalid("slug", "taken")
        } else {
            err.into()
        });
    }
    insert_default_stages(&mut tx).await?;
    let after = json!({
        "name": details.name,
        "slug": slug.as_str(),
        "domain": details.domain,
        "timezone": details.timezone,
        "currency": details.currency,
    });
    record_as_staff(
        &mut tx,
        &staff.id,
        Change {
            action: "COMPANY_CREATED",
            entity_type: "company",
            entity_id: &company_id,
            before: None,
            after: Some(after.clone()),
        },
        meta,
    )
    .await?;
    db::staff::record_staff_audit(
        &mut tx,
        &StaffAudit {
            user_id: &staff.id,
            action: "COMPANY_CREATED",
            entity_type: "company",
            entity_id: &company_id,
            company_id: Some(&company_id),
            changes: changes_json(None, Some(after)),
            ip: meta.ip.as_deref(),
            user_agent: meta.user_agent.as_deref(),
        },
    )
    .await?;
    tx.commit().await?;
    tracing::info!(company = %company_id, "company created");
    Ok(CreatedCompany {
        id: company_id,
        slug: slug.to_string(),
    })
}

pub async fn staff_members(
    state: &AppState,
    staff: &SessionUser,
) -> Result<Vec<StaffMember>, AppError> {
    let rows = state.db.staff().staff_users().await?;
    Ok(rows
        .into_iter()
        .map(|u| StaffMember {
            is_me: u.id == staff.id,
            id: u.id,
            name: u.name,
            email: u.email,
            status: u.status,
            last_login_at: u.last_login_at,
            created_at: u.created_at,
        })
        .collect())
}

/// Creates an ACTIVE staff user with the password given (checked against the password rules).
pub async fn create_staff_user(
    state: &AppState,
    staff: &SessionUser,
    name: &str,
    email: &str,
    password: String,
    meta: &RequestMeta,
) -> Result<String, AppError> {
    use crate::auth::password::{PasswordRule, check_new_password, hash_password};
    let name = check_person_name(name)?;
    let email = check_email(email)?;
    check_new_password(&password, &[&email, &name]).map_err(|rule| {
        invalid(
            "password",
            match rule {
                PasswordRule::TooShort => "too_short",
                PasswordRule::TooLong => "too_long",
                PasswordRule::TooCommon => "too_common",
            },
        )
    })?;
    let hash = hash_password(password).await.map_err(|err| {
        tracing::error!(error = ?err, "password hashing failed");
        AppError::Internal
    })?;
    let mut tx = state.db.begin_staff().await?;
    let id = match tx.create_staff_user(&email, &name, &hash).await {
        Ok(id) => id,
        Err(err) if err.constraint() == Some("users_email_lower_key") => {
            return Err(invalid("email", "taken"));
        }
        Err(err) => return Err(err.into()),
    };
    db::staff::record_staff_audit(
        &mut tx,
        &StaffAudit {
            user_id: &staff.id,
            action: "STAFF_USER_CREATED",
            entity_type: "user",
            entity_id: &id,
            company_id: None,
            changes: changes_json(
                None,
                Some(json!({ "name": name, "email": email, "role": "ADMIN", "status": "ACTIVE" })),
            ),
            ip: meta.ip.as_deref(),
            user_agent: meta.user_agent.as_deref(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Deactivates (ending their sessions) or reactivates a staff user. Nobody deactivates themselves,
/// so the console always keeps the person using it.
pub async fn set_staff_user_status(
    state: &AppState,
    staff: &SessionUser,
    user_id: &str,
    active: bool,
    meta: &RequestMeta,
) -> Result<(), AppError> {
    if user_id == staff.id {
        return Err(invalid("user", "self"));
    }
    let current = state
        .db
        .staff()
        .staff_users()
        .await?
        .into_iter()
        .find(|u| u.id == user_id)
        .ok_or(AppError::NotFound)?;
    let status = if active {
        UserStatus::Active
    } else {
        UserStatus::Inactive
    };
    if current.status == status {
        return Ok(());
    }
    let mut tx = state.db.begin_staff().await?;
    if !tx.set_staff_user_status(user_id, status).await? {
        return Err(AppError::NotFound);
    }
    db::staff::record_staff_audit(
        &mut tx,
        &StaffAudit {
            user_id: &staff.id,
            action: if active {
                "STAFF_USER_REACTIVATED"
            } else {
                "STAFF_USER_DEACTIVATED"
            },
            entity_type: "user",
            entity_id: user_id,
            company_id: None,
            changes: changes_json(
                Some(json!({ "status": current.status.as_str() })),
                Some(json!({ "status": status.as_str() })),
            ),
            ip: meta.ip.as_deref(),
            user_agent: meta.user_agent.as_deref(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn audit_page(state: &AppState, page: u32) -> Result<StaffAuditPage, AppError> {
    let page = page.max(1);
    let offset = i32::try_from(page - 1)
        .ok()
        .and_then(|p| p.checked_mul(STAFF_AUDIT_PAGE_SIZE))
        .ok_or(AppError::NotFound)?;
    let rows = state
        .db
        .staff()
        .audit(STAFF_AUDIT_PAGE_SIZE + 1, offset)
        .await?;
    let companies = state.db.staff().companies().await?;
    let has_next = rows.len() > STAFF_AUDIT_PAGE_SIZE as usize;
    let items = rows
        .into_iter()
        .take(STAFF_AUDIT_PAGE_SIZE as usize)
        .map(|r| StaffAuditEntry {
            company: r
                .company_id
                .as_ref()
                .and_then(|id| companies.iter().find(|c| &c.id == id))
                .map(|c| c.name.clone()),
            changes: crate::audit::diff_changes(r.changes.as_ref()),
            id: r.id,
            at: r.created_at,
            actor_name: r.user_name,
            action: r.action,
            entity_type: r.entity_type,
            entity_id: r.entity_id,
            ip_address: r.ip_address,
        })
        .collect();
    Ok(StaffAuditPage {
        items,
        page,
        has_next,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_lowercased_and_reserved_words_refused() {
        assert_eq!(
            check_slug(" Acme-Vendas ").map(|s| s.to_string()),
            Ok("acme-vendas".into())
        );
        assert_eq!(check_slug("admin"), Err(invalid("slug", "reserved")));
        assert_eq!(
            check_slug("acme vendas"),
            Err(invalid("slug", "characters"))
        );
        assert_eq!(check_slug("a"), Err(invalid("slug", "length")));
    }
}
