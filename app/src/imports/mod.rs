//! CSV import of leads and deals (`/{slug}/imports`, DIRECTOR and staff): upload a file (a plain
//! multipart form, `upload.rs`, so it works without JavaScript; up to 50 MB), see how it reads
//! (encoding, separator, the first rows) with each column's guessed field, fix the mapping, and
//! import. The file is kept in PostgreSQL between the preview and the import, so any server
//! instance's worker runs it (`ingest` crate); the page follows the import's `import_logs` row
//! while it runs, then shows the counts and every refused row with its line and reason.

pub mod api;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod server;
#[cfg(feature = "ssr")]
pub mod upload;

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

/// An uploaded file as its preview page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UploadView {
    pub id: String,
    pub file_name: String,
    /// `LEAD` or `DEAL`.
    pub kind: String,
    /// UPLOADED, QUEUED, IMPORTING, DONE, FAILED.
    pub status: String,
    pub encoding: String,
    pub separator: String,
    pub headers: Vec<String>,
    /// Per column: `field:<code>`, `custom` or `ignore`.
    pub targets: Vec<String>,
    /// The fields of this kind (codes) and whether each is required.
    pub fields: Vec<(String, bool)>,
    pub rows: Vec<(u64, Vec<String>)>,
    pub total_rows: u64,
    pub import_log_id: Option<String>,
    /// What is wrong with the current mapping, as `code:field` pairs.
    pub problems: Vec<String>,
}

/// One refused row of an import.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RowProblem {
    pub line: Option<u64>,
    pub external_id: Option<String>,
    pub field: Option<String>,
    pub reason: String,
    pub value: String,
}

/// An `import_logs` row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportLogView {
    pub id: String,
    pub source: String,
    /// RUNNING, SUCCESS, PARTIAL, FAILED.
    pub status: String,
    pub started_at: DateTime<FixedOffset>,
    pub finished_at: Option<DateTime<FixedOffset>>,
    pub total: i32,
    pub created: i32,
    pub updated: i32,
    pub failed: i32,
    pub errors: Vec<RowProblem>,
    pub integration_name: Option<String>,
    pub triggered_by: Option<String>,
}
