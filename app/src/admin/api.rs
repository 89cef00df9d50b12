//! Server functions of the staff console. Each starts with the staff check (anyone else: "not
//! found"; a guest: "unauthorized"), then calls one function of `server.rs`.

use leptos::prelude::*;

use super::{CompanyListItem, CreatedCompany, StaffAuditPage, StaffMember};
use crate::error::AppError;

#[server(endpoint = "admin/companies")]
pub async fn list_companies() -> Result<Vec<CompanyListItem>, AppError> {
    let state = crate::state::AppState::current()?;
    crate::error::respond(
        async {
            super::server::require_staff()?;
            super::server::companies(&state).await
        }
        .await,
    )
}

#[server(endpoint = "admin/companies/create")]
pub async fn create_company(
    name: String,
    slug: String,
    domain: String,
    timezone: String,
    currency: String,
) -> Result<CreatedCompany, AppError> {
    let state = crate::state::AppState::current()?;
    crate::error::respond(
        async {
            let staff = super::server::require_staff()?;
            let meta = crate::auth::server::request_meta(&state.settings);
            let input = super::server::NewCompanyInput {
                name,
                slug,
                domain,
                timezone,
                currency,
            };
            super::server::create_company(&state, &staff, input, &meta).await
        }
        .await,
    )
}

#[server(endpoint = "admin/staff")]
pub async fn list_staff() -> Result<Vec<StaffMember>, AppError> {
    let state = crate::state::AppState::current()?;
    crate::error::respond(
        async {
            let staff = super::server::require_staff()?;
            super::server::staff_members(&state, &staff).await
        }
        .await,
    )
}

#[server(endpoint = "admin/staff/create")]
pub async fn create_staff_user(
    name: String,
    email: String,
    password: String,
) -> Result<String, AppError> {
    let state = crate::state::AppState::current()?;
    crate::error::respond(
        async {
            let staff = super::server::require_staff()?;
            let meta = crate::auth::server::request_meta(&state.settings);
            super::server::create_staff_user(&state, &staff, &name, &email, password, &meta).await
        }
        .await,
    )
}

#[server(endpoint = "admin/staff/status")]
pub async fn set_staff_status(user_id: String, active: bool) -> Result<(), AppError> {
    let state = crate::state::AppState::current()?;
    crate::error::respond(
        async {
            let staff = super::server::require_staff()?;
            let meta = crate::auth::server::request_meta(&state.settings);
            super::server::set_staff_user_status(&state, &staff, &user_id, active, &meta).await
        }
        .await,
    )
}

#[server(endpoint = "admin/audit")]
pub async fn list_staff_audit(#[server(default)] page: u32) -> Result<StaffAuditPage, AppError> {
    let state = crate::state::AppState::current()?;
    crate::error::respond(
        async {
            super::server::require_staff()?;
            super::server::audit_page(&state, page).await
        }
        .await,
    )
}
