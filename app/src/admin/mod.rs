//! The staff console (`/admin`): every company (create one, open its configuration, enter it),
//! the staff users, and the staff audit log. Staff only; to anyone else the console does not
//! exist (404, so its address is not advertised), and to a guest it is a sign-in page.
//!
//! A company's configuration is edited through the `company` feature with the staff's tenant
//! context (staff may enter any tenant), so the console and the company's own settings page share
//! their rules and audit. Creating a company and managing staff users happen outside any tenant.

pub mod api;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod server;

use chrono::{DateTime, Utc};
use domain::UserStatus;
use serde::{Deserialize, Serialize};

use crate::audit::FieldChange;

/// Rows per page of the staff audit log.
pub const STAFF_AUDIT_PAGE_SIZE: i32 = 50;

/// A company as the console lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompanyListItem {
    pub id: String,
    pub name: String,
    pub slug: String,
    pub domain: Option<String>,
    pub timezone: String,
    pub currency: String,
    pub created_at: DateTime<Utc>,
    pub user_count: i64,
}

/// A staff user as the console lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffMember {
    pub id: String,
    pub name: String,
    pub email: String,
    pub status: UserStatus,
    pub last_login_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// The viewer themselves (who may not deactivate their own account).
    pub is_me: bool,
}

/// One row of the staff audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffAuditEntry {
    pub id: String,
    pub at: DateTime<Utc>,
    pub actor_name: Option<String>,
    pub action: String,
    pub entity_type: String,
    pub entity_id: String,
    /// The company it concerned, by name, when it concerned one.
    pub company: Option<String>,
    pub changes: Vec<FieldChange>,
    pub ip_address: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffAuditPage {
    pub items: Vec<StaffAuditEntry>,
    pub page: u32,
    pub has_next: bool,
}

/// What creating a company answers: where its configuration is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedCompany {
    pub id: String,
    pub slug: String,
}
