//! Server side of the shell: resolving a slug to the company's public facts.

use chrono::Utc;
use domain::CompanySlug;

use super::{Area, LandingInfo, TenantShell};
use crate::error::AppError;
use crate::state::{AppState, Settings};

/// The demo tenants the generator creates; listed on the landing page in development only.
const DEMO_SLUGS: [&str; 2] = ["acme", "globex"];

/// The header of a tenant's pages, for a user who may enter the company.
pub async fn load_tenant_shell(
    state: &AppState,
    raw_slug: &str,
    area_segment: &str,
) -> Result<TenantShell, AppError> {
    let ctx = crate::auth::server::tenant_ctx(&state.db, raw_slug).await?;
    let area = if area_segment.is_empty() {
        Area::Dashboard
    } else {
        Area::from_segment(area_segment).ok_or(AppError::NotFound)?
    };
    if !crate::policy::may_use_area(ctx.role(), area) {
        return Err(AppError::Forbidden);
    }
    crate::auth::server::audit_staff_entry(state, &ctx).await?;
    // tenant_ctx parsed the slug already; a failure here would be a bug, shown as "not found".
    let slug = CompanySlug::parse(raw_slug).map_err(|_| AppError::NotFound)?;
    let company = state
        .db
        .lookups()
        .company_by_slug(&slug)
        .await?
        .ok_or(AppError::NotFound)?;
    let now = Utc::now();
    let now = match company.timezone.parse::<chrono_tz::Tz>() {
        Ok(tz) => now.with_timezone(&tz).fixed_offset(),
        Err(_) => {
            tracing::warn!(company = %company.id, timezone = %company.timezone, "unknown time zone, showing UTC");
            now.fixed_offset()
        }
    };
    Ok(TenantShell {
        name: company.name,
        slug: company.slug,
        timezone: company.timezone,
        currency: company.currency,
        now,
        role: ctx.role(),
    })
}

pub fn landing_info(settings: &Settings) -> LandingInfo {
    let demo_slugs = if settings.development {
        DEMO_SLUGS.iter().map(|s| (*s).to_owned()).collect()
    } else {
        Vec::new()
    };
    LandingInfo { demo_slugs }
}
