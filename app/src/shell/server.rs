//! Server side of the shell: resolving a slug to the company's public facts.

use chrono::Utc;
use domain::CompanySlug;

use super::{LandingInfo, TenantShell};
use crate::error::AppError;
use crate::state::PageSettings;

/// The demo tenants the generator creates; listed on the landing page in development only.
const DEMO_SLUGS: [&str; 2] = ["acme", "globex"];

pub async fn load_tenant_shell(db: &db::Db, raw_slug: &str) -> Result<TenantShell, AppError> {
    // A malformed slug cannot name a company: the same "not found" as an unknown one.
    let slug = CompanySlug::parse(raw_slug).map_err(|_| AppError::NotFound)?;
    let company = db.lookups().company_by_slug(&slug).await?.ok_or(AppError::NotFound)?;
    let now = Utc::now();
    let now = match company.timezone.parse::<chrono_tz::Tz>() {
        Ok(tz) => now.with_timezone(&tz).fixed_offset(),
        Err(_) => {
            tracing::warn!(company = %company.id, timezone = %company.timezone, "unknown time zone, showing UTC");
            now.fixed_offset()
        }
    };
    Ok(TenantShell { name: company.name, slug: company.slug, timezone: company.timezone, currency: company.currency, now })
}

pub fn landing_info(settings: &PageSettings) -> LandingInfo {
    let demo_slugs = if settings.development { DEMO_SLUGS.iter().map(|s| (*s).to_owned()).collect() } else { Vec::new() };
    LandingInfo { demo_slugs }
}
