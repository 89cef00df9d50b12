//! The background work this crate does, as the server's worker finds it in the `jobs` table
//! (`db::jobs`): its kinds, dedup keys and payloads.

use serde::{Deserialize, Serialize};

/// Import one upload. Dedup key [`csv_import_key`]; payload [`CsvImportPayload`].
pub const CSV_IMPORT: &str = "csv_import";
/// Sync one CRM integration. Dedup key [`crm_sync_key`]; payload [`CrmSyncPayload`]. Recurring:
/// each run gives its next run time.
pub const CRM_SYNC: &str = "crm_sync";

pub fn csv_import_key(upload_id: &str) -> String {
    format!("{CSV_IMPORT}:{upload_id}")
}

pub fn crm_sync_key(integration_id: &str) -> String {
    format!("{CRM_SYNC}:{integration_id}")
}

/// The payload of a `csv_import` job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CsvImportPayload {
    pub upload_id: String,
    #[serde(default)]
    pub triggered_by: Option<String>,
}

/// The payload of a `crm_sync` job. `full` asks for a full resync (the page's "sync everything
/// again"); scheduled runs are incremental.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrmSyncPayload {
    pub integration_id: String,
    #[serde(default)]
    pub full: bool,
}
