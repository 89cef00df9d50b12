//! The `import_logs` row of a run, written as the run goes: counts added in the same transaction
//! as each batch, so a page polling it shows progress and a failure never loses what is counted;
//! the first [`MAX_LOGGED_ERRORS`] row errors kept with their line and reason; one audit row at the
//! end (PRODUCT.md "Imports": one per run, with its counts, not one per record).

use db::TenantTx;
use domain::{AuditActor, ImportStatus};
use serde::Serialize;
use serde_json::Value;

use crate::IngestError;
use crate::upsert::{Counts, RowFailure};

/// Row errors kept in `import_logs.errors`; the count of failed rows goes on past it.
pub const MAX_LOGGED_ERRORS: i32 = 200;

/// One entry of `import_logs.errors`:
/// `{"line": 12, "field": "value", "reason": "invalid_amount", "value": "12,34,56"}`, with the
/// record's `external_id` instead of a line for CRM records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorEntry {
    pub line: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    pub field: Option<String>,
    pub reason: String,
    pub value: String,
}

impl From<&tabular::RowError> for ErrorEntry {
    fn from(error: &tabular::RowError) -> Self {
        ErrorEntry {
            line: Some(error.line),
            external_id: None,
            field: error.field.map(|f| f.code().to_owned()),
            reason: error.reason.code().to_owned(),
            value: error.value.clone(),
        }
    }
}

impl From<&RowFailure> for ErrorEntry {
    fn from(failure: &RowFailure) -> Self {
        ErrorEntry {
            line: failure.line,
            external_id: failure.external_id.clone(),
            field: failure.field.map(str::to_owned),
            reason: failure.reason.code().to_owned(),
            value: failure.value.clone(),
        }
    }
}

/// The whole file or run failed before any row: one entry without a line.
pub(crate) fn run_error(reason: &str) -> ErrorEntry {
    ErrorEntry {
        line: None,
        external_id: None,
        field: None,
        reason: reason.to_owned(),
        value: String::new(),
    }
}

/// What a batch or page adds to the log.
#[derive(Debug, Clone, Default)]
pub(crate) struct Progress {
    /// Records read (CRM runs count as they go; a file's total is known up front).
    pub read: u64,
    pub counts: Counts,
    pub failed: u64,
    pub errors: Vec<ErrorEntry>,
}

/// The counts of a log, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LogCounts {
    pub total: u64,
    pub created: u64,
    pub updated: u64,
    pub failed: u64,
}

impl LogCounts {
    pub fn unchanged(&self) -> u64 {
        self.total
            .saturating_sub(self.created + self.updated + self.failed)
    }
}

fn count(n: u64) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

fn unsigned(n: i32) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

pub(crate) async fn create(
    tx: &mut TenantTx,
    source: &str,
    integration_id: Option<&str>,
    total: u64,
    triggered_by: Option<&str>,
) -> Result<String, IngestError> {
    let company_id = tx.company_id().to_owned();
    let id = sqlx::query_scalar!(
        "INSERT INTO import_logs (company_id, integration_id, source, status, records_total, triggered_by_id)
         VALUES ($1, $2, $3, 'RUNNING', $4, $5)
         RETURNING id",
        company_id,
        integration_id,
        source,
        count(total),
        triggered_by
    )
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

/// Sets a log RUNNING again (a resumed run), with its total.
pub(crate) async fn reopen(tx: &mut TenantTx, log_id: &str, total: u64) -> Result<(), IngestError> {
    let company_id = tx.company_id().to_owned();
    sqlx::query!(
        "UPDATE import_logs SET status = 'RUNNING', finished_at = NULL, records_total = $3
         WHERE company_id = $1 AND id = $2",
        company_id,
        log_id,
        count(total)
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Adds a batch's counts and as many of its errors as still fit.
pub(crate) async fn add(
    tx: &mut TenantTx,
    log_id: &str,
    progress: &Progress,
) -> Result<(), IngestError> {
    let company_id = tx.company_id().to_owned();
    let errors = serde_json::to_value(&progress.errors).unwrap_or(Value::Array(Vec::new()));
    sqlx::query!(
        "UPDATE import_logs
         SET records_total = records_total + $3,
             records_created = records_created + $4,
             records_updated = records_updated + $5,
             records_failed = records_failed + $6,
             errors = errors || coalesce(
               (SELECT jsonb_agg(e.value ORDER BY e.n)
                FROM jsonb_array_elements($7::jsonb) WITH ORDINALITY AS e(value, n)
                WHERE e.n <= $8 - jsonb_array_length(import_logs.errors)),
               '[]'::jsonb)
         WHERE company_id = $1 AND id = $2",
        company_id,
        log_id,
        count(progress.read),
        count(progress.counts.created),
        count(progress.counts.updated),
        count(progress.failed),
        errors,
        MAX_LOGGED_ERRORS
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The log's counts, locked for the run's last write.
pub(crate) async fn counts(tx: &mut TenantTx, log_id: &str) -> Result<LogCounts, IngestError> {
    let company_id = tx.company_id().to_owned();
    let row = sqlx::query!(
        "SELECT records_total, records_created, records_updated, records_failed
         FROM import_logs WHERE company_id = $1 AND id = $2 FOR UPDATE",
        company_id,
        log_id
    )
    .fetch_one(&mut **tx)
    .await?;
    Ok(LogCounts {
        total: unsigned(row.records_total),
        created: unsigned(row.records_created),
        updated: unsigned(row.records_updated),
        failed: unsigned(row.records_failed),
    })
}

pub(crate) async fn status(tx: &mut TenantTx, log_id: &str) -> Result<ImportStatus, IngestError> {
    let company_id = tx.company_id().to_owned();
    let status = sqlx::query_scalar!(
        r#"SELECT status AS "status: ImportStatus" FROM import_logs WHERE company_id = $1 AND id = $2"#,
        company_id,
        log_id
    )
    .fetch_one(&mut **tx)
    .await?;
    Ok(status)
}

pub(crate) async fn finish(
    tx: &mut TenantTx,
    log_id: &str,
    status: ImportStatus,
) -> Result<(), IngestError> {
    let company_id = tx.company_id().to_owned();
    sqlx::query!(
        "UPDATE import_logs SET status = $3, finished_at = greatest(now(), started_at)
         WHERE company_id = $1 AND id = $2",
        company_id,
        log_id,
        status as ImportStatus
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// SUCCESS without failed rows, PARTIAL when some rows failed but others went in, FAILED when
/// none went in.
pub(crate) fn outcome(accepted: u64, failed: u64) -> ImportStatus {
    match (accepted, failed) {
        (_, 0) => ImportStatus::Success,
        (0, _) => ImportStatus::Failed,
        _ => ImportStatus::Partial,
    }
}

/// The run's one audit row.
pub(crate) async fn audit(
    tx: &mut TenantTx,
    actor: AuditActor,
    actor_label: &str,
    action: &str,
    log_id: &str,
    after: Value,
) -> Result<(), IngestError> {
    let company_id = tx.company_id().to_owned();
    sqlx::query!(
        "INSERT INTO audit_logs (company_id, actor, actor_label, action, entity_type, entity_id, changes)
         VALUES ($1, $2, $3, $4, 'import_log', $5, $6)",
        company_id,
        actor as AuditActor,
        actor_label,
        action,
        log_id,
        serde_json::json!({ "before": null, "after": after })
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_with_no_failed_rows_succeeds_even_when_nothing_changed() {
        assert_eq!(outcome(0, 0), ImportStatus::Success);
        assert_eq!(outcome(10, 0), ImportStatus::Success);
        assert_eq!(outcome(10, 2), ImportStatus::Partial);
        assert_eq!(outcome(0, 2), ImportStatus::Failed);
    }

    #[test]
    fn error_entries_serialise_as_the_import_page_reads_them() {
        let entry = ErrorEntry {
            line: Some(12),
            external_id: None,
            field: Some("value".into()),
            reason: "invalid_amount".into(),
            value: "12,34,56".into(),
        };
        assert_eq!(
            serde_json::to_value(&entry).unwrap(),
            serde_json::json!({"line": 12, "field": "value", "reason": "invalid_amount", "value": "12,34,56"})
        );
    }
}
