//! A CSV of leads or deals from upload to rows: kept in PostgreSQL between the preview and the
//! import (`import_uploads`), so any server instance can show it again, take the edited mapping
//! and run the import job; then imported in batches by the background worker.
//!
//! The server functions call [`create_upload`], [`preview_upload`], [`set_mapping`] and
//! [`request_import`] inside the person's transaction; the worker calls [`run_csv_import`] for a
//! `csv_import` job. Each batch of [`BATCH_ROWS`] rows is one transaction that writes the rows,
//! adds their counts and errors to the `import_logs` row and records the last line it covered, so
//! the import page shows progress while a large file imports, and a run that stops (a crash, an
//! outage) resumes after the last committed batch instead of writing those rows twice.
//!
//! The file content is cleared once the import is DONE; an upload whose import FAILED keeps it, so
//! its mapping can be fixed and the import asked for again.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use chrono_tz::Tz;
use db::{Db, Scope, SystemCtx, TenantTx};
use domain::{AuditActor, ImportStatus};
use serde::{Deserialize, Serialize};
use serde_json::json;
use tabular::{Kind, Mapping, Preview, RowError};
use tokio::sync::mpsc;
use tokio_util::task::AbortOnDropHandle;

use crate::convert::{deal_from_csv, lead_from_csv};
use crate::log::{self, ErrorEntry, Progress};
use crate::stages::StageResolver;
use crate::upsert::{DealInput, LeadInput, upsert_deals, upsert_leads};
use crate::{IngestError, jobs};

/// Rows per transaction.
pub const BATCH_ROWS: usize = 5_000;
/// Batches written at once, each in its own transaction; see [`import_rows`].
const WRITERS: usize = 3;
/// Rows shown by a preview.
pub const PREVIEW_ROWS: usize = 20;
/// `import_logs.source` of file imports.
pub const SOURCE: &str = "csv";

/// Where an upload is on its way to the tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum UploadStatus {
    /// Previewed; the mapping may be edited.
    Uploaded,
    /// The import job is asked for.
    Queued,
    Importing,
    /// Imported (SUCCESS or PARTIAL); the content is cleared.
    Done,
    /// Unreadable, nothing went in, or the run stopped; the content is kept for another try.
    Failed,
}

impl UploadStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            UploadStatus::Uploaded => "UPLOADED",
            UploadStatus::Queued => "QUEUED",
            UploadStatus::Importing => "IMPORTING",
            UploadStatus::Done => "DONE",
            UploadStatus::Failed => "FAILED",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "UPLOADED" => UploadStatus::Uploaded,
            "QUEUED" => UploadStatus::Queued,
            "IMPORTING" => UploadStatus::Importing,
            "DONE" => UploadStatus::Done,
            "FAILED" => UploadStatus::Failed,
            _ => return None,
        })
    }

    /// Whether the mapping may change and the import be asked for.
    pub const fn is_editable(self) -> bool {
        matches!(self, UploadStatus::Uploaded | UploadStatus::Failed)
    }
}

fn kind_code(kind: Kind) -> &'static str {
    match kind {
        Kind::Lead => "LEAD",
        Kind::Deal => "DEAL",
    }
}

fn kind_of(code: &str) -> Kind {
    if code == "DEAL" {
        Kind::Deal
    } else {
        Kind::Lead
    }
}

/// An upload as the preview page shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct UploadPreview {
    pub upload_id: String,
    pub file_name: String,
    pub kind: Kind,
    pub status: UploadStatus,
    pub import_log_id: Option<String>,
    /// How the file reads, with the stored mapping (the guessed one until it is edited).
    pub preview: Preview,
}

/// How an import ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportReport {
    pub import_log_id: String,
    pub status: ImportStatus,
    /// Data rows of the file.
    pub total: u64,
    pub created: u64,
    pub updated: u64,
    /// Rows equal to what was stored, not rewritten.
    pub unchanged: u64,
    pub failed: u64,
    /// Why the file could not be read at all (a stable code), when that failed the import.
    pub file_error: Option<String>,
}

fn valid_file_name(name: &str) -> Result<&str, IngestError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 255 {
        return Err(IngestError::InvalidFileName);
    }
    Ok(name)
}

/// Stores an uploaded file with the mapping its headers suggest, and returns its preview. A file
/// over [`tabular::MAX_FILE_BYTES`] or not readable as a table is refused and not stored.
pub async fn create_upload(
    tx: &mut TenantTx,
    kind: Kind,
    file_name: &str,
    bytes: &[u8],
    uploaded_by: &str,
) -> Result<UploadPreview, IngestError> {
    let file_name = valid_file_name(file_name)?;
    if bytes.len() > tabular::MAX_FILE_BYTES {
        return Err(tabular::FileError::TooLarge { bytes: bytes.len() }.into());
    }
    let preview = tabular::preview(bytes, kind, PREVIEW_ROWS)?;
    let mapping = mapping_json(&preview.mapping);
    let size = i32::try_from(bytes.len())
        .map_err(|_| tabular::FileError::TooLarge { bytes: bytes.len() })?;
    let company_id = tx.company_id().to_owned();
    let upload_id = sqlx::query_scalar!(
        "INSERT INTO import_uploads (company_id, kind, file_name, content, size_bytes, mapping, uploaded_by_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         RETURNING id",
        company_id,
        kind_code(kind),
        file_name,
        bytes,
        size,
        mapping,
        uploaded_by
    )
    .fetch_one(&mut **tx)
    .await?;
    Ok(UploadPreview {
        upload_id,
        file_name: file_name.to_owned(),
        kind,
        status: UploadStatus::Uploaded,
        import_log_id: None,
        preview,
    })
}

fn mapping_json(mapping: &Mapping) -> serde_json::Value {
    // A Mapping is plain data (enums and strings): it always serialises.
    serde_json::to_value(mapping).unwrap_or_else(|_| json!({}))
}

/// The stored upload, locked.
struct Upload {
    kind: Kind,
    file_name: String,
    content: Vec<u8>,
    mapping: serde_json::Value,
    status: UploadStatus,
    import_log_id: Option<String>,
    committed_line: u64,
}

async fn lock_upload(tx: &mut TenantTx, upload_id: &str) -> Result<Upload, IngestError> {
    let company_id = tx.company_id().to_owned();
    let row = sqlx::query!(
        "SELECT kind, file_name, content, mapping, status, import_log_id, committed_line
         FROM import_uploads WHERE company_id = $1 AND id = $2 FOR UPDATE",
        company_id,
        upload_id
    )
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(IngestError::UploadNotFound)?;
    Ok(Upload {
        kind: kind_of(&row.kind),
        file_name: row.file_name,
        content: row.content,
        mapping: row.mapping,
        // The check constraint admits only the five statuses.
        status: UploadStatus::parse(&row.status).unwrap_or(UploadStatus::Failed),
        import_log_id: row.import_log_id,
        committed_line: u64::try_from(row.committed_line).unwrap_or(0),
    })
}

/// The stored mapping, when it still reads as one (it is written only by this module).
fn stored_mapping(upload: &Upload) -> Result<Mapping, IngestError> {
    serde_json::from_value(upload.mapping.clone())
        .map_err(|_| IngestError::Mapping(tabular::ReadError::InvalidMapping(Vec::new())))
}

/// The upload's preview again, with its stored (perhaps edited) mapping.
pub async fn preview_upload(
    tx: &mut TenantTx,
    upload_id: &str,
) -> Result<UploadPreview, IngestError> {
    let upload = lock_upload(tx, upload_id).await?;
    if upload.status == UploadStatus::Done {
        return Err(IngestError::UploadNotEditable {
            status: upload.status.as_str().to_owned(),
        });
    }
    let mut preview = tabular::preview(&upload.content, upload.kind, PREVIEW_ROWS)?;
    if let Ok(mapping) = stored_mapping(&upload) {
        preview.mapping = mapping;
    }
    Ok(UploadPreview {
        upload_id: upload_id.to_owned(),
        file_name: upload.file_name,
        kind: upload.kind,
        status: upload.status,
        import_log_id: upload.import_log_id,
        preview,
    })
}

/// Whether `mapping` can read the upload: valid, of its kind, for its columns.
fn check_mapping(upload: &Upload, mapping: &Mapping) -> Result<(), IngestError> {
    match upload.kind {
        Kind::Lead => tabular::read_leads(&upload.content, mapping).map(drop)?,
        Kind::Deal => tabular::read_deals(&upload.content, mapping).map(drop)?,
    }
    Ok(())
}

fn editable(upload: &Upload) -> Result<(), IngestError> {
    if upload.status.is_editable() {
        Ok(())
    } else {
        Err(IngestError::UploadNotEditable {
            status: upload.status.as_str().to_owned(),
        })
    }
}

/// Stores an edited mapping after checking it fits the file (it comes back from the browser).
pub async fn set_mapping(
    tx: &mut TenantTx,
    upload_id: &str,
    mapping: &Mapping,
) -> Result<(), IngestError> {
    let upload = lock_upload(tx, upload_id).await?;
    editable(&upload)?;
    check_mapping(&upload, mapping)?;
    let company_id = tx.company_id().to_owned();
    sqlx::query!(
        "UPDATE import_uploads SET mapping = $3 WHERE company_id = $1 AND id = $2",
        company_id,
        upload_id,
        mapping_json(mapping)
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Asks for the import of an upload: its `import_logs` row (RUNNING, with the file's row count)
/// for the page to follow, the upload QUEUED, and the `csv_import` job. Returns the log's id.
///
/// An upload whose import failed may be asked for again: after an interrupted run it resumes
/// under the same log; otherwise it starts under a new one.
pub async fn request_import(
    tx: &mut TenantTx,
    upload_id: &str,
    requested_by: &str,
) -> Result<String, IngestError> {
    let upload = lock_upload(tx, upload_id).await?;
    editable(&upload)?;
    let mapping = stored_mapping(&upload)?;
    check_mapping(&upload, &mapping)?;
    let total = tabular::preview(&upload.content, upload.kind, 0)?.total_rows;
    let resume = upload.status == UploadStatus::Failed && upload.committed_line > 0;
    let log_id = match (&upload.import_log_id, resume) {
        (Some(log_id), true) => {
            log::reopen(tx, log_id, total).await?;
            log_id.clone()
        }
        _ => log::create(tx, SOURCE, None, total, Some(requested_by)).await?,
    };
    let company_id = tx.company_id().to_owned();
    sqlx::query!(
        "UPDATE import_uploads
         SET status = 'QUEUED', import_log_id = $3,
             committed_line = CASE WHEN $4 THEN committed_line ELSE 0 END
         WHERE company_id = $1 AND id = $2",
        company_id,
        upload_id,
        log_id,
        resume
    )
    .execute(&mut **tx)
    .await?;
    db::jobs::request_job(
        tx,
        jobs::CSV_IMPORT,
        &jobs::csv_import_key(upload_id),
        &json!({ "upload_id": upload_id, "triggered_by": requested_by }),
        Utc::now(),
    )
    .await?;
    Ok(log_id)
}

/// Deletes uploads that were never imported (still UPLOADED, or FAILED) and untouched for
/// `older_than`, with their content; their import logs stay. Returns how many.
pub async fn delete_stale_uploads(
    tx: &mut TenantTx,
    older_than: Duration,
) -> Result<u64, IngestError> {
    let company_id = tx.company_id().to_owned();
    let seconds = older_than.as_secs_f64();
    let deleted = sqlx::query!(
        "DELETE FROM import_uploads
         WHERE company_id = $1 AND status IN ('UPLOADED', 'FAILED')
           AND updated_at < now() - make_interval(secs => $2)",
        company_id,
        seconds
    )
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(deleted)
}

/// What the run needs after its first transaction.
struct Started {
    log_id: String,
    kind: Kind,
    file_name: String,
    content: Arc<[u8]>,
    mapping: Mapping,
    committed_line: u64,
    zone: Tz,
    stages: StageResolver,
}

enum Start {
    Run(Box<Started>),
    /// Already imported, or the file cannot be read: the report is final.
    Over(ImportReport),
}

async fn company_zone(tx: &mut TenantTx) -> Result<Tz, IngestError> {
    let company_id = tx.company_id().to_owned();
    let zone = sqlx::query_scalar!("SELECT timezone FROM companies WHERE id = $1", company_id)
        .fetch_one(&mut **tx)
        .await?;
    Ok(zone.parse::<Tz>().unwrap_or_else(|_| {
        tracing::warn!(%company_id, "company time zone is not an IANA zone; dates read in São Paulo time");
        chrono_tz::America::Sao_Paulo
    }))
}

async fn report_of(
    tx: &mut TenantTx,
    log_id: &str,
    file_error: Option<String>,
) -> Result<ImportReport, IngestError> {
    let counts = log::counts(tx, log_id).await?;
    let status = log::status(tx, log_id).await?;
    Ok(ImportReport {
        import_log_id: log_id.to_owned(),
        status,
        total: counts.total,
        created: counts.created,
        updated: counts.updated,
        unchanged: counts.unchanged(),
        failed: counts.failed,
        file_error,
    })
}

async fn set_upload_status(
    tx: &mut TenantTx,
    upload_id: &str,
    status: UploadStatus,
) -> Result<(), IngestError> {
    let company_id = tx.company_id().to_owned();
    sqlx::query!(
        "UPDATE import_uploads
         SET status = $3, content = CASE WHEN $3 = 'DONE' THEN ''::bytea ELSE content END
         WHERE company_id = $1 AND id = $2",
        company_id,
        upload_id,
        status.as_str()
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn start(
    db: &Db,
    ctx: &SystemCtx,
    upload_id: &str,
    triggered_by: Option<&str>,
) -> Result<Start, IngestError> {
    let mut tx = db.begin(ctx).await?;
    let upload = lock_upload(&mut tx, upload_id).await?;
    if upload.status == UploadStatus::Done {
        let Some(log_id) = &upload.import_log_id else {
            // Imported, and its log deleted since: there is nothing left to run or report.
            return Err(IngestError::UploadNotEditable {
                status: upload.status.as_str().to_owned(),
            });
        };
        let report = report_of(&mut tx, log_id, None).await?;
        tx.commit().await?;
        return Ok(Start::Over(report));
    }
    let readable = stored_mapping(&upload).and_then(|mapping| {
        check_mapping(&upload, &mapping)?;
        let total = tabular::preview(&upload.content, upload.kind, 0)?.total_rows;
        Ok((mapping, total))
    });
    let total = readable.as_ref().map_or(0, |(_, total)| *total);
    let log_id = match &upload.import_log_id {
        Some(log_id) => {
            log::reopen(&mut tx, log_id, total).await?;
            log_id.clone()
        }
        None => log::create(&mut tx, SOURCE, None, total, triggered_by).await?,
    };
    let company_id = tx.company_id().to_owned();
    sqlx::query!(
        "UPDATE import_uploads SET import_log_id = $3 WHERE company_id = $1 AND id = $2",
        company_id,
        upload_id,
        log_id
    )
    .execute(&mut *tx)
    .await?;

    let mapping = match readable {
        Ok((mapping, _)) => mapping,
        Err(error) => {
            let code = error.code().to_owned();
            let progress = Progress {
                errors: vec![log::run_error(&code)],
                ..Progress::default()
            };
            log::add(&mut tx, &log_id, &progress).await?;
            log::finish(&mut tx, &log_id, ImportStatus::Failed).await?;
            set_upload_status(&mut tx, upload_id, UploadStatus::Failed).await?;
            audit_import(
                &mut tx,
                ctx,
                &log_id,
                upload_id,
                &upload.file_name,
                ImportStatus::Failed,
            )
            .await?;
            let report = report_of(&mut tx, &log_id, Some(code)).await?;
            tx.commit().await?;
            return Ok(Start::Over(report));
        }
    };
    let zone = company_zone(&mut tx).await?;
    let stages = match upload.kind {
        Kind::Deal => StageResolver::load(&mut tx).await?,
        Kind::Lead => StageResolver::default(),
    };
    set_upload_status(&mut tx, upload_id, UploadStatus::Importing).await?;
    tx.commit().await?;
    Ok(Start::Run(Box::new(Started {
        log_id,
        kind: upload.kind,
        file_name: upload.file_name,
        content: Arc::from(upload.content),
        mapping,
        committed_line: upload.committed_line,
        zone,
        stages,
    })))
}

async fn audit_import(
    tx: &mut TenantTx,
    ctx: &SystemCtx,
    log_id: &str,
    upload_id: &str,
    file_name: &str,
    status: ImportStatus,
) -> Result<(), IngestError> {
    let counts = log::counts(tx, log_id).await?;
    log::audit(
        tx,
        AuditActor::System,
        &ctx.actor().label(),
        "CSV_IMPORT_FINISHED",
        log_id,
        json!({
            "upload_id": upload_id,
            "file_name": file_name,
            "status": status,
            "records_total": counts.total,
            "records_created": counts.created,
            "records_updated": counts.updated,
            "records_unchanged": counts.unchanged(),
            "records_failed": counts.failed,
        }),
    )
    .await
}

/// Rows of one batch, by kind.
enum Batch {
    Leads(Vec<LeadInput>),
    Deals(Vec<DealInput>),
}

/// One batch as the reader hands it to the writer.
struct ReadBatch {
    rows: Batch,
    /// Rows the reader refused, with their line and reason.
    refused: Vec<RowError>,
    /// The last line the batch covers: the committed line once it is written.
    last_line: u64,
}

/// A batch written but not committed: its transaction, and what it adds to the log.
struct Written {
    tx: TenantTx,
    progress: Progress,
    last_line: u64,
}

/// Writes one batch's rows in a transaction of its own, left open for [`commit_batch`]. Owns what
/// it needs, so it runs as a task of its own while earlier batches commit.
async fn write_batch(
    db: Db,
    ctx: SystemCtx,
    stages: Arc<StageResolver>,
    batch: ReadBatch,
) -> Result<Written, IngestError> {
    let mut tx = db.begin(&ctx).await?;
    let mut errors: Vec<ErrorEntry> = batch.refused.iter().map(ErrorEntry::from).collect();
    let mut progress = Progress {
        failed: batch.refused.len() as u64,
        ..Progress::default()
    };
    match batch.rows {
        Batch::Leads(rows) => progress.counts = upsert_leads(&mut tx, &rows).await?,
        Batch::Deals(rows) => {
            let written = upsert_deals(&mut tx, &rows, &stages).await?;
            progress.counts = written.counts;
            progress.failed += written.failures.len() as u64;
            errors.extend(written.failures.iter().map(ErrorEntry::from));
        }
    }
    errors.sort_by_key(|e| e.line);
    progress.errors = errors;
    Ok(Written {
        tx,
        progress,
        last_line: batch.last_line,
    })
}

/// Adds a written batch's counts and errors to the log, records the line it reached, and commits
/// all of it at once.
async fn commit_batch(run: &Started, upload_id: &str, written: Written) -> Result<(), IngestError> {
    let Written {
        mut tx,
        progress,
        last_line,
    } = written;
    log::add(&mut tx, &run.log_id, &progress).await?;
    let company_id = tx.company_id().to_owned();
    sqlx::query!(
        "UPDATE import_uploads SET committed_line = $3 WHERE company_id = $1 AND id = $2",
        company_id,
        upload_id,
        i64::try_from(last_line).unwrap_or(i64::MAX)
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

enum Row {
    Lead(LeadInput),
    Deal(DealInput),
}

/// What the reader thread needs, owned.
struct Reading {
    content: Arc<[u8]>,
    kind: Kind,
    mapping: Mapping,
    zone: Tz,
    committed_line: u64,
}

/// Reads the rows after the committed line into batches of [`BATCH_ROWS`] and hands them to the
/// writer, at most two ahead; stops when the writer stops taking them.
fn read_batches(
    reading: &Reading,
    out: &mpsc::Sender<ReadBatch>,
) -> Result<(), tabular::ReadError> {
    let content = &reading.content[..];
    let zone = reading.zone;
    let items: Box<dyn Iterator<Item = (u64, Result<Row, RowError>)> + '_> = match reading.kind {
        Kind::Lead => Box::new(tabular::read_leads(content, &reading.mapping)?.map(
            |item| match item {
                Ok(row) => (row.line, Ok(Row::Lead(lead_from_csv(row)))),
                Err(error) => (error.line, Err(error)),
            },
        )),
        Kind::Deal => Box::new(
            tabular::read_deals(content, &reading.mapping)?.map(move |item| match item {
                Ok(row) => (row.line, Ok(Row::Deal(deal_from_csv(row, zone)))),
                Err(error) => (error.line, Err(error)),
            }),
        ),
    };
    let mut items = items.filter(|(line, _)| *line > reading.committed_line);
    loop {
        let mut leads = Vec::new();
        let mut deals = Vec::new();
        let mut refused = Vec::new();
        let mut taken = 0usize;
        let mut last_line = 0u64;
        for (line, item) in items.by_ref() {
            last_line = line;
            taken += 1;
            match item {
                Ok(Row::Lead(lead)) => leads.push(lead),
                Ok(Row::Deal(deal)) => deals.push(deal),
                Err(error) => refused.push(error),
            }
            if taken == BATCH_ROWS {
                break;
            }
        }
        if taken == 0 {
            return Ok(());
        }
        let rows = match reading.kind {
            Kind::Lead => Batch::Leads(leads),
            Kind::Deal => Batch::Deals(deals),
        };
        let batch = ReadBatch {
            rows,
            refused,
            last_line,
        };
        if out.blocking_send(batch).is_err() || taken < BATCH_ROWS {
            return Ok(());
        }
    }
}

/// Writes the file's rows batch by batch while a blocking thread reads the next batches.
///
/// Up to [`WRITERS`] batches are being written at any moment, each as a task with its own
/// transaction on its own connection (the rows of a file never overlap: the reader refuses a
/// repeated external id), and they are committed in file order as each finishes, so the committed
/// line only ever moves past batches that are in and a resumed import skips exactly those. A new
/// batch starts as soon as the oldest one commits, with no pause for the slowest of a group.
/// Writing is where the time goes (index and foreign-key upkeep in PostgreSQL), and several
/// backends do it side by side.
async fn import_rows(
    db: &Db,
    ctx: &SystemCtx,
    upload_id: &str,
    run: &Started,
) -> Result<(), IngestError> {
    let reading = Reading {
        content: Arc::clone(&run.content),
        kind: run.kind,
        mapping: run.mapping.clone(),
        zone: run.zone,
        committed_line: run.committed_line,
    };
    let (sender, mut batches) = mpsc::channel(WRITERS);
    let reader = tokio::task::spawn_blocking(move || read_batches(&reading, &sender));
    let stages = Arc::new(run.stages.clone());
    let mut writing: VecDeque<AbortOnDropHandle<Result<Written, IngestError>>> =
        VecDeque::with_capacity(WRITERS);
    // On an error the receiver is dropped, so the reader stops at its next batch, and the
    // batches still being written are aborted: their transactions roll back.
    loop {
        while writing.len() < WRITERS {
            let Some(batch) = batches.recv().await else {
                break;
            };
            let task = write_batch(db.clone(), ctx.clone(), Arc::clone(&stages), batch);
            writing.push_back(AbortOnDropHandle::new(tokio::spawn(task)));
        }
        let Some(oldest) = writing.pop_front() else {
            break;
        };
        let written = oldest.await.map_err(|_| IngestError::Stopped)??;
        commit_batch(run, upload_id, written).await?;
    }
    match reader.await {
        Ok(read) => read.map_err(IngestError::Mapping),
        Err(_) => Err(IngestError::Stopped),
    }
}

/// The last transaction: the log's status from its counts, the upload DONE (content cleared) or
/// FAILED, the audit row.
async fn finish(
    db: &Db,
    ctx: &SystemCtx,
    upload_id: &str,
    run: &Started,
) -> Result<ImportReport, IngestError> {
    let mut tx = db.begin(ctx).await?;
    let counts = log::counts(&mut tx, &run.log_id).await?;
    let accepted = counts.total.saturating_sub(counts.failed);
    let status = log::outcome(accepted, counts.failed);
    log::finish(&mut tx, &run.log_id, status).await?;
    let company_id = tx.company_id().to_owned();
    if status == ImportStatus::Failed {
        // Nothing went in: a fixed mapping may import the whole file again from its start.
        sqlx::query!(
            "UPDATE import_uploads SET status = 'FAILED', committed_line = 0
             WHERE company_id = $1 AND id = $2",
            company_id,
            upload_id
        )
        .execute(&mut *tx)
        .await?;
    } else {
        set_upload_status(&mut tx, upload_id, UploadStatus::Done).await?;
    }
    audit_import(&mut tx, ctx, &run.log_id, upload_id, &run.file_name, status).await?;
    let report = report_of(&mut tx, &run.log_id, None).await?;
    tx.commit().await?;
    Ok(report)
}

/// After an error the run cannot get past: the log FAILED and the upload FAILED with its content
/// and committed line, so asking again (or the job's retry) resumes. Best effort: the database
/// may be what failed.
async fn mark_interrupted(db: &Db, ctx: &SystemCtx, upload_id: &str, log_id: &str) {
    let attempt = async {
        let mut tx = db.begin(ctx).await?;
        log::finish(&mut tx, log_id, ImportStatus::Failed).await?;
        set_upload_status(&mut tx, upload_id, UploadStatus::Failed).await?;
        tx.commit().await?;
        Ok::<(), IngestError>(())
    };
    if let Err(error) = attempt.await {
        tracing::warn!(error = %error, upload_id, "could not mark the interrupted import as failed");
    }
}

/// Imports an upload (the `csv_import` job). `triggered_by` names the person when the import log
/// was not already made by [`request_import`]. An upload already imported returns its report
/// again without writing anything; a run interrupted earlier resumes after its last committed
/// batch.
///
/// `Ok` whatever became of the rows (see [`ImportReport::status`]); `Err` only when the run could
/// not go on (the database failed), and the job should be tried again.
pub async fn run_csv_import(
    db: &Db,
    ctx: &SystemCtx,
    upload_id: &str,
    triggered_by: Option<&str>,
) -> Result<ImportReport, IngestError> {
    let run = match start(db, ctx, upload_id, triggered_by).await? {
        Start::Over(report) => return Ok(report),
        Start::Run(run) => run,
    };
    tracing::info!(company_id = ctx.company_id(), upload_id, import_log_id = %run.log_id, "CSV import started");
    let outcome = match import_rows(db, ctx, upload_id, &run).await {
        Ok(()) => finish(db, ctx, upload_id, &run).await,
        Err(error) => Err(error),
    };
    if outcome.is_err() {
        mark_interrupted(db, ctx, upload_id, &run.log_id).await;
    }
    outcome
}
