//! Server side of the CSV import pages: the upload's preview and mapping, asking for the import,
//! and the import logs. The work itself is the `ingest` crate's; this module checks who may and
//! turns its answers into what the pages show.

use chrono::{DateTime, Utc};
use db::TenantCtx;
use serde_json::Value;
use tabular::{Field, Kind, Mapping, Target};

use super::{ImportLogView, RowProblem, UploadView};
use crate::error::AppError;
use crate::pipeline::server::company_zone;
use crate::policy::{Action, Ownership, Resource, allows};
use crate::validation::invalid;

/// Importing writes any number of leads and deals for anyone: DIRECTOR and staff.
pub fn may_import(ctx: &TenantCtx) -> bool {
    allows(ctx.role(), Action::Create, Resource::Lead, Ownership::Other)
        && allows(ctx.role(), Action::Create, Resource::Deal, Ownership::Other)
}

/// What an ingest error means for the person importing: their file or mapping (422, with a code
/// the page translates), a missing upload (404), or the server (500).
pub fn refusal(error: ingest::IngestError) -> AppError {
    use ingest::IngestError;
    match &error {
        IngestError::Db(_) | IngestError::Stopped => {
            tracing::error!(error = %error, "import failed");
            AppError::Internal
        }
        IngestError::UploadNotFound => AppError::NotFound,
        _ => invalid("file", error.code()),
    }
}

fn target_code(target: &Target) -> String {
    match target {
        Target::Field(field) => format!("field:{}", field.code()),
        Target::Custom(_) => "custom".to_owned(),
        Target::Ignore => "ignore".to_owned(),
    }
}

fn field_of(code: &str) -> Option<Field> {
    serde_json::from_value(Value::String(code.to_owned())).ok()
}

fn kind_code(kind: Kind) -> &'static str {
    match kind {
        Kind::Lead => "LEAD",
        Kind::Deal => "DEAL",
    }
}

pub fn parse_kind(raw: &str) -> Result<Kind, AppError> {
    match raw {
        "LEAD" => Ok(Kind::Lead),
        "DEAL" => Ok(Kind::Deal),
        _ => Err(invalid("kind", "invalid")),
    }
}

fn problems_of(mapping: &Mapping) -> Vec<String> {
    match mapping.validate() {
        Ok(()) => Vec::new(),
        Err(problems) => problems
            .iter()
            .map(|p| match p {
                tabular::MappingProblem::MissingRequired { field } => {
                    format!("missing_required:{}", field.code())
                }
                tabular::MappingProblem::DuplicateField { field, .. } => {
                    format!("duplicate_field:{}", field.code())
                }
                other => format!("invalid:{other}"),
            })
            .collect(),
    }
}

fn view_of(upload: ingest::UploadPreview) -> UploadView {
    let preview = upload.preview;
    UploadView {
        id: upload.upload_id,
        file_name: upload.file_name,
        kind: kind_code(upload.kind).to_owned(),
        status: upload.status.as_str().to_owned(),
        encoding: preview.encoding.label().to_owned(),
        separator: match preview.separator {
            tabular::Separator::Semicolon => ";",
            tabular::Separator::Comma => ",",
            tabular::Separator::Tab => "tab",
            tabular::Separator::Pipe => "|",
        }
        .to_owned(),
        targets: preview
            .mapping
            .columns
            .iter()
            .map(|c| target_code(&c.target))
            .collect(),
        problems: problems_of(&preview.mapping),
        headers: preview.headers,
        fields: upload
            .kind
            .fields()
            .iter()
            .map(|f| (f.code().to_owned(), upload.kind.required().contains(f)))
            .collect(),
        rows: preview
            .rows
            .into_iter()
            .map(|r| (r.line, r.cells))
            .collect(),
        total_rows: preview.total_rows,
        import_log_id: upload.import_log_id,
    }
}

pub async fn get_upload(db: &db::Db, ctx: &TenantCtx, id: &str) -> Result<UploadView, AppError> {
    if !may_import(ctx) {
        return Err(AppError::Forbidden);
    }
    let mut tx = db.begin(ctx).await?;
    let preview = ingest::preview_upload(&mut tx, id).await.map_err(refusal)?;
    tx.commit().await?;
    Ok(view_of(preview))
}

/// The mapping the form posted: one target per column (`field:<code>`, `custom`, `ignore`).
pub fn mapping_from(
    kind: Kind,
    headers: &[String],
    targets: &[String],
) -> Result<Mapping, AppError> {
    if targets.len() != headers.len() {
        return Err(invalid("mapping", "columns"));
    }
    let columns = headers
        .iter()
        .zip(targets)
        .map(|(header, target)| {
            let target = match target.as_str() {
                "ignore" => Target::Ignore,
                "custom" => Target::Custom(header.clone()),
                code => {
                    let field = code
                        .strip_prefix("field:")
                        .and_then(field_of)
                        .ok_or_else(|| invalid("mapping", "unknown_field"))?;
                    Target::Field(field)
                }
            };
            Ok(tabular::Column {
                header: header.clone(),
                target,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    let mapping = Mapping { kind, columns };
    if let Some(problem) = problems_of(&mapping).into_iter().next() {
        return Err(AppError::Invalid(format!("mapping:{problem}")));
    }
    Ok(mapping)
}

/// Saves the edited mapping and, when asked, queues the import; answers the import log's id.
pub async fn save_mapping(
    db: &db::Db,
    ctx: &TenantCtx,
    id: &str,
    targets: &[String],
    import: bool,
) -> Result<Option<String>, AppError> {
    if !may_import(ctx) {
        return Err(AppError::Forbidden);
    }
    let mut tx = db.begin(ctx).await?;
    let upload = ingest::preview_upload(&mut tx, id).await.map_err(refusal)?;
    let mapping = mapping_from(upload.kind, &upload.preview.headers, targets)?;
    ingest::set_mapping(&mut tx, id, &mapping)
        .await
        .map_err(refusal)?;
    let log = if import {
        Some(
            ingest::request_import(&mut tx, id, ctx.user_id())
                .await
                .map_err(refusal)?,
        )
    } else {
        None
    };
    tx.commit().await?;
    Ok(log)
}

fn problems_from(errors: &Value) -> Vec<RowProblem> {
    errors
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|e| RowProblem {
                    line: e.get("line").and_then(Value::as_u64),
                    external_id: e
                        .get("external_id")
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                    field: e.get("field").and_then(Value::as_str).map(str::to_owned),
                    reason: e
                        .get("reason")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned(),
                    value: e
                        .get("value")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned(),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Import logs of the company, newest first (one with its errors, or the latest 50 without).
pub async fn logs(
    db: &db::Db,
    ctx: &TenantCtx,
    only: Option<&str>,
) -> Result<Vec<ImportLogView>, AppError> {
    if !may_import(ctx) {
        return Err(AppError::Forbidden);
    }
    let mut tx = db.begin(ctx).await?;
    let company_id = tx.company_id().to_owned();
    let tz = company_zone(&mut tx).await?;
    let rows = sqlx::query!(
        r#"SELECT g.id, g.source, g.status::text AS "status!",
                  g.started_at AS "started_at: DateTime<Utc>", g.finished_at AS "finished_at: DateTime<Utc>",
                  g.records_total, g.records_created, g.records_updated, g.records_failed,
                  CASE WHEN $2::text IS NULL THEN '[]'::jsonb ELSE g.errors END AS "errors!",
                  i.name AS "integration_name?", u.name AS "triggered_by?"
           FROM import_logs g
           LEFT JOIN integrations i ON i.company_id = g.company_id AND i.id = g.integration_id
           LEFT JOIN users u ON u.id = g.triggered_by_id AND u.company_id = g.company_id
           WHERE g.company_id = $1 AND ($2::text IS NULL OR g.id = $2)
           ORDER BY g.started_at DESC, g.id LIMIT 50"#,
        company_id,
        only
    )
    .fetch_all(&mut *tx)
    .await
    .map_err(db::DbError::from)?;
    tx.commit().await?;
    if only.is_some() && rows.is_empty() {
        return Err(AppError::NotFound);
    }
    Ok(rows
        .into_iter()
        .map(|r| ImportLogView {
            id: r.id,
            source: r.source,
            status: r.status,
            started_at: r.started_at.with_timezone(&tz).fixed_offset(),
            finished_at: r.finished_at.map(|at| at.with_timezone(&tz).fixed_offset()),
            total: r.records_total,
            created: r.records_created,
            updated: r.records_updated,
            failed: r.records_failed,
            errors: problems_from(&r.errors),
            integration_name: r.integration_name,
            triggered_by: r.triggered_by,
        })
        .collect())
}
