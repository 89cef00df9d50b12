//! `GET /{slug}/leads.csv` and `GET /{slug}/deals.csv`: the current filtered list as CSV, as the
//! lists' "Export" link asks for it (the list's query string is the filter). Formatted for the
//! reader's language: `;`, UTF-8 with BOM and `1234,56` in Portuguese, so Excel in Brazil opens it
//! as it is. Each export is audited (whose data left, how many rows).

use std::collections::{BTreeSet, HashMap};

use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::server::{DealFilter, LeadFilter};
use crate::audit::server::{Change, record};
use crate::auth::server::AuthSession;
use crate::error::AppError;
use crate::state::AppState;

fn param(query: &HashMap<String, String>, name: &str) -> String {
    query.get(name).cloned().unwrap_or_default()
}

fn refused(error: AppError) -> Response {
    error.status().into_response()
}

fn csv_response(body: Vec<u8>, file_name: &str) -> Response {
    let disposition = format!("attachment; filename=\"{file_name}\"");
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The custom fields' keys across the rows, sorted: one column each.
fn custom_keys<'a>(
    maps: impl Iterator<Item = &'a serde_json::Map<String, serde_json::Value>>,
) -> Vec<String> {
    let keys: BTreeSet<String> = maps.flat_map(|m| m.keys().cloned()).collect();
    keys.into_iter().collect()
}

pub async fn export_leads(
    State(state): State<AppState>,
    auth: AuthSession,
    Path(slug): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    request: Request,
) -> Response {
    let (parts, _) = request.into_parts();
    let Some(user) = auth.user.map(|u| u.0) else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    let ctx = match crate::auth::server::tenant_ctx_of(&state.db, &user, &slug).await {
        Ok(ctx) => ctx,
        Err(error) => return refused(error),
    };
    let filter = LeadFilter {
        q: param(&query, "q"),
        owner: param(&query, "owner"),
        source: param(&query, "source"),
        status: param(&query, "status"),
        from: param(&query, "from"),
        to: param(&query, "to"),
        sort: String::new(),
        dir: String::new(),
        page: 1,
    };
    let rows = match super::server::export_leads(&state.db, &ctx, &filter).await {
        Ok(rows) => rows,
        Err(error) => return refused(error),
    };
    let locale = crate::validation::locale_of_headers(&parts.headers);
    let keys = custom_keys(rows.iter().map(|r| &r.custom_fields));
    let body = match tabular::write_leads(
        Vec::new(),
        &tabular::CsvFormat::for_locale(locale),
        &keys,
        rows.iter(),
    ) {
        Ok(body) => body,
        Err(err) => {
            tracing::error!(error = %err, "writing the leads CSV failed");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let meta = crate::auth::server::request_meta_of(&parts, &state.settings);
    if let Err(error) = audit_export(&state, &ctx, "leads", rows.len(), &meta).await {
        return refused(error);
    }
    csv_response(
        body,
        &format!("leads-{slug}-{}.csv", chrono::Utc::now().format("%Y-%m-%d")),
    )
}

pub async fn export_deals(
    State(state): State<AppState>,
    auth: AuthSession,
    Path(slug): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    request: Request,
) -> Response {
    let (parts, _) = request.into_parts();
    let Some(user) = auth.user.map(|u| u.0) else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    let ctx = match crate::auth::server::tenant_ctx_of(&state.db, &user, &slug).await {
        Ok(ctx) => ctx,
        Err(error) => return refused(error),
    };
    let locale = crate::validation::locale_of_headers(&parts.headers);
    let filter = DealFilter {
        q: param(&query, "q"),
        stage: param(&query, "stage"),
        owner: param(&query, "owner"),
        state: param(&query, "state"),
        min: param(&query, "min"),
        max: param(&query, "max"),
        close_from: param(&query, "close_from"),
        close_to: param(&query, "close_to"),
        sort: String::new(),
        dir: String::new(),
        page: 1,
    };
    let rows = match super::server::export_deals(&state.db, &ctx, &filter, locale).await {
        Ok(rows) => rows,
        Err(error) => return refused(error),
    };
    let keys = custom_keys(rows.iter().map(|r| &r.custom_fields));
    let body = match tabular::write_deals(
        Vec::new(),
        &tabular::CsvFormat::for_locale(locale),
        &keys,
        rows.iter(),
    ) {
        Ok(body) => body,
        Err(err) => {
            tracing::error!(error = %err, "writing the deals CSV failed");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let meta = crate::auth::server::request_meta_of(&parts, &state.settings);
    if let Err(error) = audit_export(&state, &ctx, "deals", rows.len(), &meta).await {
        return refused(error);
    }
    csv_response(
        body,
        &format!("deals-{slug}-{}.csv", chrono::Utc::now().format("%Y-%m-%d")),
    )
}

async fn audit_export(
    state: &AppState,
    ctx: &db::TenantCtx,
    what: &str,
    rows: usize,
    meta: &crate::audit::server::RequestMeta,
) -> Result<(), AppError> {
    let mut tx = state.db.begin(ctx).await?;
    let company_id = tx.company_id().to_owned();
    record(
        &mut tx,
        ctx,
        Change {
            action: "export",
            entity_type: what,
            entity_id: &company_id,
            before: None,
            after: Some(json!({ "rows": rows })),
        },
        meta,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
