//! Leads and deals into PostgreSQL, from a CSV upload or a CRM: the write side of PRODUCT.md
//! features 3 (CSV import) and 4 (CRM sync).
//!
//! The crate sits between the readers that know nothing of the database — `tabular` turns a file
//! into typed rows, `crm` turns a provider's pages into normalised records — and the tables. Both
//! sources end in the same two batched upserts ([`upsert_leads`], [`upsert_deals`]), so "an
//! unchanged row is not rewritten", owner matching and stage mapping mean the same thing whichever
//! way a record arrives. It is a crate of its own, with no web framework, because the server's
//! background worker and its server functions both call it, and a benchmark binary measures it
//! against the previous system's one-upsert-per-row pattern (`src/bin/import-bench.rs`).
//!
//! - [`upsert`]: the batched upserts and what they do to existing rows.
//! - [`stages`]: which company stage a file's or a CRM's stage is.
//! - [`convert`]: file rows and CRM records to upsert inputs (external id namespaces, time zones).
//! - [`csv_import`]: the upload kept between preview and import, and the `csv_import` job.
//! - [`crm_sync`]: the `crm_sync` job: page by page, resumable, with its watermark, alert and
//!   schedule.
//! - [`jobs`]: the kinds, dedup keys and payloads the worker finds in the `jobs` table.
//!
//! Every function works inside the tenant transaction it is given, or opens its own from the
//! [`db::SystemCtx`] it is given: a run for one company cannot read or write another's rows.

pub mod convert;
pub mod crm_sync;
pub mod csv_import;
mod error;
pub mod jobs;
mod log;
pub mod stages;
pub mod upsert;

pub use crm_sync::{
    SyncOutcome, SyncReport, request_sync, run_crm_sync, run_crm_sync_with, schedule_syncs,
};
pub use csv_import::{
    ImportReport, UploadPreview, UploadStatus, create_upload, delete_stale_uploads, preview_upload,
    request_import, run_csv_import, set_mapping,
};
pub use error::IngestError;
pub use log::{ErrorEntry, MAX_LOGGED_ERRORS};
pub use stages::{StageResolver, StageSpec};
pub use upsert::{
    Counts, DealInput, DealsWritten, FailureReason, LeadInput, LeadLink, RowFailure, upsert_deals,
    upsert_leads,
};

#[cfg(test)]
mod tests {
    use super::*;

    /// The worker spawns these runs on a multi-threaded runtime: their futures must be `Send`.
    #[allow(dead_code)]
    fn runs_can_be_spawned(
        db: &db::Db,
        ctx: &db::SystemCtx,
        keyring: &vault::Keyring,
        http: &crm::HttpSettings,
    ) {
        fn send<T: Send>(_: T) {}
        send(run_csv_import(db, ctx, "upload", None));
        send(run_crm_sync(db, ctx, "integration", keyring, http, false));
    }
}
