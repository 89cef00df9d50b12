//! A CRM integration's leads and deals brought in, page by page, by the `crm_sync` job.
//!
//! # A run
//!
//! Leads first, then deals (so a deal finds the contact imported in the same run). Each page is
//! written in one transaction together with the cursor of the next page and the page's counts in
//! the run's `import_logs` row: a run that fails on page 7 keeps pages 1–6 and their cursor, and the
//! next run resumes from page 7 instead of starting over. A traversal that reaches its last page
//! clears the cursor and moves the object's watermark to the time the traversal started, less
//! [`WATERMARK_OVERLAP`] for clocks that disagree; the next incremental run asks the CRM for
//! changes since then. (The start time rather than the latest `updated_at` seen: a record changed
//! while the traversal ran may have been paged past, and an empty run must still move the mark.)
//! Records fetched again because of the overlap are unchanged and are not rewritten.
//!
//! `full` asks for everything again: a stored cursor of an incremental traversal is dropped and the
//! run starts without `since`; a stored cursor of a full traversal is resumed.
//!
//! # How it ends
//!
//! - SUCCESS: every page read and every record written; PARTIAL: some records could not be written,
//!   or a page failed after others were written; FAILED: nothing was written.
//! - A failed page, unreadable credentials or a connector that cannot be built set the
//!   integration's status to ERROR with a short `last_error` (the connector's messages name the
//!   provider, status and error code, never a token or a URL), and raise one IMPORT_FAILED alert
//!   for the directors, `import_failed:<integration id>`: while it is open, later failures raise
//!   no other. A run that reads every page sets ACTIVE and clears `last_error`.
//! - Credentials an OAuth connector refreshed are sealed and stored whether the run failed or not.
//! - The report gives the next run time (now + the company's `polling_interval`), and a sooner
//!   retry when the CRM limited the rate or failed in a way that passes.
//!
//! An integration that is not in the context's company, not a CRM, or INACTIVE or PENDING is not
//! run (ERROR is: it is how the next run recovers).

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use crm::{
    ConnectionProblem, Connector, Credentials, CrmError, CrmRecord, Cursor, Object, Provider,
};
use db::{Db, Scope, SystemCtx, TenantTx};
use domain::{AuditActor, ImportStatus, IntegrationProvider, IntegrationStatus, IntegrationType};
use serde_json::{Value, json};

use crate::convert::{deal_from_crm, lead_from_crm};
use crate::log::{self, ErrorEntry, Progress};
use crate::stages::StageResolver;
use crate::upsert::{Counts, upsert_deals, upsert_leads};
use crate::{IngestError, jobs};

/// Taken off a traversal's start time when it becomes the watermark.
pub const WATERMARK_OVERLAP: Duration = Duration::from_secs(5 * 60);
/// `polling_interval` when the company's settings have none.
pub const DEFAULT_POLLING_INTERVAL: Duration = Duration::from_secs(900);
/// The shortest interval honoured, so a setting of 0 cannot hammer a CRM.
pub const MIN_POLLING_INTERVAL: Duration = Duration::from_secs(60);
/// When the CRM failed in a way that passes (5xx, timeouts) after the connector's own retries.
const TRANSIENT_RETRY: Duration = Duration::from_secs(5 * 60);
/// When the CRM limited the rate without saying for how long.
const RATE_LIMIT_RETRY: Duration = Duration::from_secs(60);
/// `last_error` and the alert carry at most this much of a reason.
const MAX_REASON_CHARS: usize = 300;

/// How a sync call ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncOutcome {
    /// The run happened; its import log says how it went.
    Ran {
        import_log_id: String,
        status: ImportStatus,
    },
    /// Not run, and nothing to schedule: `not_found`, `not_crm` or `inactive`.
    Skipped(&'static str),
}

/// What a sync run did, for the worker and the logs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncReport {
    pub outcome: SyncOutcome,
    pub leads: Counts,
    pub deals: Counts,
    /// Records that could not be written.
    pub failed: u64,
    /// Stand-in leads made for deals whose contact was never imported.
    pub leads_created_for_deals: u64,
    pub pages: u64,
    /// Why the run stopped early, in words fit for `last_error`.
    pub error: Option<String>,
    /// Run again after this, sooner than the polling interval: the CRM limited the rate or
    /// failed in a way that passes.
    pub retry_after: Option<Duration>,
    /// The next scheduled run: now + the company's polling interval. `None` when skipped.
    pub next_run_at: Option<DateTime<Utc>>,
}

impl SyncReport {
    fn skipped(reason: &'static str) -> Self {
        SyncReport {
            outcome: SyncOutcome::Skipped(reason),
            leads: Counts::default(),
            deals: Counts::default(),
            failed: 0,
            leads_created_for_deals: 0,
            pages: 0,
            error: None,
            retry_after: None,
            next_run_at: None,
        }
    }

    /// When the worker should run the job next: the retry if one is due sooner, else the next
    /// scheduled run.
    pub fn run_again_at(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let retry = self
            .retry_after
            .and_then(|d| chrono::Duration::from_std(d).ok())
            .map(|d| now + d);
        match (retry, self.next_run_at) {
            (Some(retry), Some(next)) => Some(retry.min(next)),
            (retry, next) => retry.or(next),
        }
    }
}

/// The crm crate's provider of an integration's, when it is a CRM.
pub fn crm_provider(provider: IntegrationProvider) -> Option<Provider> {
    Provider::ALL
        .into_iter()
        .find(|p| p.integration_provider() == provider)
}

/// The company's `settings.polling_interval` (seconds), or the default; never below the minimum.
pub fn polling_interval(company_settings: &Value) -> Duration {
    let seconds = match company_settings.get("polling_interval") {
        Some(Value::Number(n)) => n.as_f64(),
        Some(Value::String(s)) => s.trim().parse::<f64>().ok(),
        _ => None,
    };
    seconds
        .filter(|s| s.is_finite() && *s > 0.0)
        .and_then(|s| Duration::try_from_secs_f64(s).ok())
        .unwrap_or(DEFAULT_POLLING_INTERVAL)
        .max(MIN_POLLING_INTERVAL)
}

/// The integration's `settings.stage_mapping`: provider stage (id or name) → company stage key.
fn stage_mapping(settings: &Value) -> HashMap<String, String> {
    settings
        .get("stage_mapping")
        .and_then(Value::as_object)
        .map(|table| {
            table
                .iter()
                .filter_map(|(from, to)| Some((from.clone(), to.as_str()?.to_owned())))
                .collect()
        })
        .unwrap_or_default()
}

fn after(at: DateTime<Utc>, interval: Duration) -> DateTime<Utc> {
    chrono::Duration::from_std(interval).map_or(at, |d| at + d)
}

fn before(at: DateTime<Utc>, interval: Duration) -> DateTime<Utc> {
    chrono::Duration::from_std(interval).map_or(at, |d| at - d)
}

fn short(reason: &str) -> String {
    match reason.char_indices().nth(MAX_REASON_CHARS) {
        Some((cut, _)) => format!("{}…", &reason[..cut]),
        None => reason.to_owned(),
    }
}

/// Why a run stopped before its end.
#[derive(Debug, Clone)]
struct Failure {
    reason: String,
    /// A stable code for the alert's data (a [`ConnectionProblem`] code or our own).
    problem: &'static str,
    retry_after: Option<Duration>,
}

impl Failure {
    fn from_crm(error: &CrmError) -> Self {
        let retry_after = match error {
            CrmError::RateLimited { retry_after, .. } => Some(
                retry_after
                    .unwrap_or(RATE_LIMIT_RETRY)
                    .max(Duration::from_secs(1)),
            ),
            CrmError::ServerError { .. }
            | CrmError::Unreachable { .. }
            | CrmError::Timeout { .. }
            | CrmError::Transport { .. } => Some(TRANSIENT_RETRY),
            _ => None,
        };
        Failure {
            reason: short(&error.to_string()),
            problem: ConnectionProblem::from(error).code(),
            retry_after,
        }
    }

    fn own(problem: &'static str, reason: &str) -> Self {
        Failure {
            reason: reason.to_owned(),
            problem,
            retry_after: None,
        }
    }
}

/// Where one object's traversal starts.
#[derive(Debug, Clone, PartialEq)]
struct Plan {
    cursor: Option<Cursor>,
    since: Option<DateTime<Utc>>,
    /// When the traversal this run continues (or starts) began: the next watermark.
    started_at: DateTime<Utc>,
}

/// An object's stored sync state.
#[derive(Debug, Clone, Default)]
struct SyncState {
    cursor: Option<String>,
    run_since: Option<DateTime<Utc>>,
    run_started_at: Option<DateTime<Utc>>,
    watermark: Option<DateTime<Utc>>,
}

fn plan(state: &SyncState, full: bool, now: DateTime<Utc>) -> Plan {
    let fresh = |since| Plan {
        cursor: None,
        since,
        started_at: now,
    };
    match (&state.cursor, state.run_started_at) {
        // A full run resumes only a full traversal; an incremental one resumes whatever stopped.
        (Some(cursor), Some(started_at)) if !full || state.run_since.is_none() => Plan {
            cursor: Some(Cursor::from_stored(cursor.clone())),
            since: state.run_since,
            started_at,
        },
        _ if full => fresh(None),
        _ => fresh(state.watermark),
    }
}

/// What the first transaction found.
struct Loaded {
    name: String,
    provider: Provider,
    sealed: String,
    polling: Duration,
    now: DateTime<Utc>,
    states: HashMap<String, SyncState>,
    stages: StageResolver,
    log_id: String,
}

async fn load(
    db: &Db,
    ctx: &SystemCtx,
    integration_id: &str,
) -> Result<Result<Loaded, &'static str>, IngestError> {
    let mut tx = db.begin(ctx).await?;
    let company_id = tx.company_id().to_owned();
    let Some(row) = sqlx::query!(
        r#"SELECT i.type AS "kind: IntegrationType", i.provider AS "provider: IntegrationProvider",
                  i.status AS "status: IntegrationStatus", i.name, i.encrypted_config, i.settings,
                  c.settings AS company_settings, now() AS "now!: DateTime<Utc>"
           FROM integrations i JOIN companies c ON c.id = i.company_id
           WHERE i.company_id = $1 AND i.id = $2
           FOR UPDATE OF i"#,
        company_id,
        integration_id
    )
    .fetch_optional(&mut *tx)
    .await?
    else {
        return Ok(Err("not_found"));
    };
    let provider = match (row.kind, crm_provider(row.provider)) {
        (IntegrationType::Crm, Some(provider)) => provider,
        _ => return Ok(Err("not_crm")),
    };
    if !matches!(
        row.status,
        IntegrationStatus::Active | IntegrationStatus::Error
    ) {
        return Ok(Err("inactive"));
    }
    let states = sqlx::query!(
        r#"SELECT object, cursor, run_since AS "run_since: DateTime<Utc>",
                  run_started_at AS "run_started_at: DateTime<Utc>",
                  watermark AS "watermark: DateTime<Utc>"
           FROM integration_sync_state WHERE company_id = $1 AND integration_id = $2"#,
        company_id,
        integration_id
    )
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .map(|r| {
        (
            r.object,
            SyncState {
                cursor: r.cursor,
                run_since: r.run_since,
                run_started_at: r.run_started_at,
                watermark: r.watermark,
            },
        )
    })
    .collect();
    let stages = StageResolver::load(&mut tx)
        .await?
        .with_mapping(stage_mapping(&row.settings));
    let log_id = log::create(&mut tx, provider.prefix(), Some(integration_id), 0, None).await?;
    tx.commit().await?;
    Ok(Ok(Loaded {
        name: row.name,
        provider,
        sealed: row.encrypted_config,
        polling: polling_interval(&row.company_settings),
        now: row.now,
        states,
        stages,
        log_id,
    }))
}

/// One run in progress.
struct Run<'a> {
    db: &'a Db,
    ctx: &'a SystemCtx,
    integration_id: &'a str,
    loaded: Loaded,
    leads: Counts,
    deals: Counts,
    failed: u64,
    leads_created: u64,
    pages: u64,
}

impl Run<'_> {
    /// Writes one page, its cursor (or the traversal's end) and its counts, in one transaction.
    async fn write_page(
        &mut self,
        object: Object,
        records: Vec<CrmRecord>,
        next: Option<&Cursor>,
        plan: &Plan,
    ) -> Result<(), IngestError> {
        let mut tx = self.db.begin(self.ctx).await?;
        let read = records.len() as u64;
        let mut leads = Vec::new();
        let mut deals = Vec::new();
        for record in records {
            match record {
                CrmRecord::Lead(lead) => leads.push(lead_from_crm(lead)),
                CrmRecord::Deal(deal) => deals.push(deal_from_crm(deal, self.loaded.provider)),
            }
        }
        let lead_counts = upsert_leads(&mut tx, &leads).await?;
        let written = upsert_deals(&mut tx, &deals, &self.loaded.stages).await?;

        let company_id = tx.company_id().to_owned();
        let (cursor, run_since, run_started_at, watermark) = match next {
            Some(next) => (Some(next.as_str()), plan.since, Some(plan.started_at), None),
            None => (
                None,
                None,
                None,
                Some(before(plan.started_at, WATERMARK_OVERLAP)),
            ),
        };
        sqlx::query!(
            "INSERT INTO integration_sync_state
               (company_id, integration_id, object, cursor, run_since, run_started_at, watermark)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (company_id, integration_id, object) DO UPDATE
             SET cursor = EXCLUDED.cursor, run_since = EXCLUDED.run_since,
                 run_started_at = EXCLUDED.run_started_at,
                 watermark = coalesce(EXCLUDED.watermark, integration_sync_state.watermark)",
            company_id,
            self.integration_id,
            object.as_str(),
            cursor,
            run_since as Option<DateTime<Utc>>,
            run_started_at as Option<DateTime<Utc>>,
            watermark as Option<DateTime<Utc>>,
        )
        .execute(&mut *tx)
        .await?;

        let mut counts = lead_counts;
        counts.add(written.counts);
        let progress = Progress {
            read,
            counts,
            failed: written.failures.len() as u64,
            errors: written.failures.iter().map(ErrorEntry::from).collect(),
        };
        log::add(&mut tx, &self.loaded.log_id, &progress).await?;
        tx.commit().await?;

        self.leads.add(lead_counts);
        self.deals.add(written.counts);
        self.failed += progress.failed;
        self.leads_created += written.leads_created;
        self.pages += 1;
        Ok(())
    }

    /// Reads and writes every page of `object`; `Ok(Some(..))` when a page failed.
    async fn sync_object(
        &mut self,
        connector: &Connector,
        object: Object,
        full: bool,
    ) -> Result<Option<Failure>, IngestError> {
        let state = self
            .loaded
            .states
            .get(object.as_str())
            .cloned()
            .unwrap_or_default();
        let mut plan = plan(&state, full, self.loaded.now);
        let mut resumed = plan.cursor.is_some();
        loop {
            let page = match connector
                .fetch_page(object, plan.cursor.as_ref(), plan.since)
                .await
            {
                Ok(page) => page,
                Err(CrmError::CursorExpired { .. } | CrmError::InvalidCursor { .. }) if resumed => {
                    // The stored position is gone: this object starts over, once.
                    tracing::info!(integration_id = self.integration_id, %object, "stored sync cursor unusable; starting the object over");
                    resumed = false;
                    plan = Plan {
                        cursor: None,
                        since: if full { None } else { state.watermark },
                        started_at: self.loaded.now,
                    };
                    continue;
                }
                Err(error) => return Ok(Some(Failure::from_crm(&error))),
            };
            resumed = false;
            if page.next.is_some() && page.next == plan.cursor {
                return Ok(Some(Failure::own(
                    "unexpected_answer",
                    "the CRM gave the same page position twice",
                )));
            }
            let next = page.next.clone();
            self.write_page(object, page.records, next.as_ref(), &plan)
                .await?;
            match next {
                Some(next) => plan.cursor = Some(next),
                None => return Ok(None),
            }
        }
    }

    async fn sync(
        &mut self,
        keyring: &vault::Keyring,
        full: bool,
        connect: impl FnOnce(Credentials) -> Result<Connector, CrmError>,
    ) -> (Result<Option<Failure>, IngestError>, Option<Credentials>) {
        let binding = vault::Binding {
            company_id: self.ctx.company_id(),
            integration_id: self.integration_id,
        };
        let credentials: Credentials = match keyring.open_json(&binding, &self.loaded.sealed) {
            Ok(credentials) => credentials,
            Err(error) => {
                tracing::warn!(error = %error, integration_id = self.integration_id, "CRM credentials do not open");
                return (
                    Ok(Some(Failure::own(
                        "credentials_unreadable",
                        "the stored credentials could not be opened: connect the integration again",
                    ))),
                    None,
                );
            }
        };
        let connector = match connect(credentials) {
            Ok(connector) => connector,
            Err(error) => return (Ok(Some(Failure::from_crm(&error))), None),
        };
        if connector.provider() != self.loaded.provider {
            return (
                Ok(Some(Failure::own(
                    "misconfigured",
                    "the stored credentials are for another CRM: connect the integration again",
                ))),
                None,
            );
        }
        let mut outcome = Ok(None);
        for object in [Object::Leads, Object::Deals] {
            if !connector.supports(object) {
                continue;
            }
            outcome = self.sync_object(&connector, object, full).await;
            if !matches!(outcome, Ok(None)) {
                break;
            }
        }
        (outcome, connector.refreshed_credentials())
    }

    /// The run's last transaction; see the module documentation.
    async fn end(
        &self,
        keyring: &vault::Keyring,
        failure: Option<&Failure>,
        refreshed: Option<&Credentials>,
    ) -> Result<ImportStatus, IngestError> {
        let accepted = self.leads.total() + self.deals.total();
        let status = match failure {
            None => log::outcome(accepted, self.failed),
            Some(_) if accepted > 0 => ImportStatus::Partial,
            Some(_) => ImportStatus::Failed,
        };
        let mut tx = self.db.begin(self.ctx).await?;
        let log_id = &self.loaded.log_id;
        if let Some(failure) = failure {
            let progress = Progress {
                errors: vec![log::run_error(failure.problem)],
                ..Progress::default()
            };
            log::add(&mut tx, log_id, &progress).await?;
        }
        log::finish(&mut tx, log_id, status).await?;

        let sealed = refreshed.and_then(|credentials| {
            let binding = vault::Binding {
                company_id: self.ctx.company_id(),
                integration_id: self.integration_id,
            };
            keyring
                .seal_json(&binding, credentials)
                .inspect_err(|error| tracing::warn!(error = %error, integration_id = self.integration_id, "refreshed CRM credentials could not be sealed"))
                .ok()
        });
        let company_id = tx.company_id().to_owned();
        let new_status = if failure.is_some() {
            IntegrationStatus::Error
        } else {
            IntegrationStatus::Active
        };
        sqlx::query!(
            "UPDATE integrations
             SET status = CASE WHEN status IN ('ACTIVE', 'ERROR') THEN $3 ELSE status END,
                 last_sync_at = now(), last_error = $4,
                 encrypted_config = coalesce($5, encrypted_config)
             WHERE company_id = $1 AND id = $2",
            company_id,
            self.integration_id,
            new_status as IntegrationStatus,
            failure.map(|f| f.reason.as_str()),
            sealed
        )
        .execute(&mut *tx)
        .await?;

        if let Some(failure) = failure {
            self.raise_alert(&mut tx, failure).await?;
        }
        log::audit(
            &mut tx,
            AuditActor::Integration,
            &db::SystemActor::Integration(self.integration_id.to_owned()).label(),
            "CRM_SYNC_FINISHED",
            log_id,
            json!({
                "integration_id": self.integration_id,
                "provider": self.loaded.provider.prefix(),
                "status": status,
                "leads": self.leads,
                "deals": self.deals,
                "records_failed": self.failed,
                "pages": self.pages,
                "problem": failure.map(|f| f.problem),
            }),
        )
        .await?;
        tx.commit().await?;
        Ok(status)
    }

    /// One IMPORT_FAILED alert for the directors while none is open for this integration.
    async fn raise_alert(&self, tx: &mut TenantTx, failure: &Failure) -> Result<(), IngestError> {
        let company_id = tx.company_id().to_owned();
        let title = "Falha na sincronização do CRM";
        let message = format!(
            "A sincronização da integração “{}” ({}) falhou; as próximas execuções continuam de onde esta parou. Motivo: {}",
            self.loaded.name, self.loaded.provider, failure.reason
        );
        sqlx::query!(
            "INSERT INTO alerts (company_id, type, priority, title, message, entity_type, entity_id, dedup_key, data)
             VALUES ($1, 'IMPORT_FAILED', 'HIGH', $2, $3, 'integration', $4, $5, $6)
             ON CONFLICT (company_id, dedup_key) WHERE status <> 'ACKNOWLEDGED' DO NOTHING",
            company_id,
            title,
            message,
            self.integration_id,
            format!("import_failed:{}", self.integration_id),
            json!({
                "integration_id": self.integration_id,
                "provider": self.loaded.provider.prefix(),
                "import_log_id": self.loaded.log_id,
                "problem": failure.problem,
            })
        )
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    fn report(&self, status: ImportStatus, failure: Option<&Failure>) -> SyncReport {
        SyncReport {
            outcome: SyncOutcome::Ran {
                import_log_id: self.loaded.log_id.clone(),
                status,
            },
            leads: self.leads,
            deals: self.deals,
            failed: self.failed,
            leads_created_for_deals: self.leads_created,
            pages: self.pages,
            error: failure.map(|f| f.reason.clone()),
            retry_after: failure.and_then(|f| f.retry_after),
            next_run_at: Some(after(Utc::now(), self.loaded.polling)),
        }
    }
}

/// Syncs one CRM integration of the context's company (the `crm_sync` job), reaching the
/// provider's public API with `http`. See the module documentation.
///
/// `Ok` however the CRM answered (see [`SyncReport`]); `Err` only when the database failed, and
/// the job should be tried again.
pub async fn run_crm_sync(
    db: &Db,
    ctx: &SystemCtx,
    integration_id: &str,
    keyring: &vault::Keyring,
    http: &crm::HttpSettings,
    full: bool,
) -> Result<SyncReport, IngestError> {
    run_crm_sync_with(db, ctx, integration_id, keyring, full, |credentials| {
        Connector::new(credentials, http)
    })
    .await
}

/// [`run_crm_sync`] with the connector built by `connect` from the opened credentials: tests
/// point it at a mock server.
pub async fn run_crm_sync_with(
    db: &Db,
    ctx: &SystemCtx,
    integration_id: &str,
    keyring: &vault::Keyring,
    full: bool,
    connect: impl FnOnce(Credentials) -> Result<Connector, CrmError>,
) -> Result<SyncReport, IngestError> {
    let loaded = match load(db, ctx, integration_id).await? {
        Ok(loaded) => loaded,
        Err(reason) => return Ok(SyncReport::skipped(reason)),
    };
    let mut run = Run {
        db,
        ctx,
        integration_id,
        loaded,
        leads: Counts::default(),
        deals: Counts::default(),
        failed: 0,
        leads_created: 0,
        pages: 0,
    };
    let (outcome, refreshed) = run.sync(keyring, full, connect).await;
    match outcome {
        Ok(failure) => {
            let status = run
                .end(keyring, failure.as_ref(), refreshed.as_ref())
                .await?;
            let report = run.report(status, failure.as_ref());
            tracing::info!(company_id = ctx.company_id(), integration_id, ?report.outcome, pages = report.pages, "CRM sync finished");
            Ok(report)
        }
        Err(error) => {
            // The database failed mid-run: record what can be recorded, and let the job retry.
            let failure = Failure::own("database", "the sync stopped on a database error");
            if let Err(end_error) = run.end(keyring, Some(&failure), refreshed.as_ref()).await {
                tracing::warn!(error = %end_error, integration_id, "could not record the end of a failed CRM sync");
            }
            Err(error)
        }
    }
}

/// Asks for a sync of one integration now (the page's "sync now"; `full` for "sync everything
/// again").
pub async fn request_sync(
    tx: &mut TenantTx,
    integration_id: &str,
    full: bool,
) -> Result<(), IngestError> {
    db::jobs::request_job(
        tx,
        jobs::CRM_SYNC,
        &jobs::crm_sync_key(integration_id),
        &json!({ "integration_id": integration_id, "full": full }),
        Utc::now(),
    )
    .await?;
    Ok(())
}

/// Makes sure every ACTIVE (or ERROR) CRM integration of the transaction's company has its
/// `crm_sync` job waiting, due at its last sync + the company's polling interval (now if it never
/// synced). Jobs already waiting or running are left alone, so calling this often neither moves
/// them nor makes a running sync run twice. Returns how many it asked for.
pub async fn schedule_syncs(tx: &mut TenantTx) -> Result<u64, IngestError> {
    let company_id = tx.company_id().to_owned();
    let due = sqlx::query!(
        r#"SELECT i.id, i.provider AS "provider: IntegrationProvider",
                  i.last_sync_at AS "last_sync_at: DateTime<Utc>", c.settings,
                  now() AS "now!: DateTime<Utc>"
           FROM integrations i
           JOIN companies c ON c.id = i.company_id
           LEFT JOIN jobs j ON j.company_id = i.company_id AND j.dedup_key = $2 || i.id
           WHERE i.company_id = $1 AND i.type = 'CRM' AND i.status IN ('ACTIVE', 'ERROR')
             AND (j.id IS NULL OR j.status IN ('DONE', 'FAILED'))
           ORDER BY i.id"#,
        company_id,
        format!("{}:", jobs::CRM_SYNC)
    )
    .fetch_all(&mut **tx)
    .await?;
    let mut asked = 0;
    for row in due {
        if crm_provider(row.provider).is_none() {
            continue;
        }
        let interval = polling_interval(&row.settings);
        let run_at = row
            .last_sync_at
            .map_or(row.now, |last| after(last, interval));
        db::jobs::request_job(
            tx,
            jobs::CRM_SYNC,
            &jobs::crm_sync_key(&row.id),
            &json!({ "integration_id": row.id, "full": false }),
            run_at,
        )
        .await?;
        asked += 1;
    }
    Ok(asked)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 27, hour, 0, 0).unwrap()
    }

    #[test]
    fn a_first_run_is_full_and_a_later_one_asks_from_the_watermark() {
        let none = SyncState::default();
        assert_eq!(
            plan(&none, false, at(10)),
            Plan {
                cursor: None,
                since: None,
                started_at: at(10)
            }
        );
        let done = SyncState {
            watermark: Some(at(8)),
            ..SyncState::default()
        };
        assert_eq!(plan(&done, false, at(10)).since, Some(at(8)));
        assert_eq!(plan(&done, true, at(10)).since, None);
    }

    #[test]
    fn a_stopped_traversal_is_resumed_with_its_own_query_and_start_time() {
        let stopped = SyncState {
            cursor: Some("c".into()),
            run_since: Some(at(6)),
            run_started_at: Some(at(9)),
            watermark: Some(at(6)),
        };
        let resumed = plan(&stopped, false, at(10));
        assert_eq!(resumed.cursor, Some(Cursor::from_stored("c")));
        assert_eq!(resumed.since, Some(at(6)));
        assert_eq!(resumed.started_at, at(9));
        // a full run does not resume an incremental traversal…
        assert_eq!(plan(&stopped, true, at(10)).cursor, None);
        // …but does resume a full one
        let full = SyncState {
            run_since: None,
            ..stopped
        };
        assert_eq!(plan(&full, true, at(10)).started_at, at(9));
    }

    #[test]
    fn the_polling_interval_comes_from_the_company_settings_with_a_default_and_a_floor() {
        assert_eq!(
            polling_interval(&json!({"polling_interval": 300})),
            Duration::from_secs(300)
        );
        assert_eq!(
            polling_interval(&json!({"polling_interval": "600"})),
            Duration::from_secs(600)
        );
        assert_eq!(polling_interval(&json!({})), DEFAULT_POLLING_INTERVAL);
        assert_eq!(
            polling_interval(&json!({"polling_interval": 0})),
            DEFAULT_POLLING_INTERVAL
        );
        assert_eq!(
            polling_interval(&json!({"polling_interval": 5})),
            MIN_POLLING_INTERVAL
        );
    }

    #[test]
    fn rate_limits_and_passing_failures_ask_for_a_sooner_retry_and_others_do_not() {
        let limited = Failure::from_crm(&CrmError::RateLimited {
            provider: Provider::HubSpot,
            retry_after: Some(Duration::from_secs(30)),
        });
        assert_eq!(limited.retry_after, Some(Duration::from_secs(30)));
        assert_eq!(limited.problem, "rate_limited");
        let outage = Failure::from_crm(&CrmError::ServerError {
            provider: Provider::HubSpot,
            status: 503,
        });
        assert_eq!(outage.retry_after, Some(TRANSIENT_RETRY));
        let refused = Failure::from_crm(&CrmError::Unauthorized {
            provider: Provider::HubSpot,
            status: 401,
            code: None,
        });
        assert_eq!(refused.retry_after, None);
        assert_eq!(refused.problem, "credentials_rejected");
    }

    #[test]
    fn the_worker_runs_again_at_the_sooner_of_the_retry_and_the_schedule() {
        let mut report = SyncReport::skipped("x");
        assert_eq!(report.run_again_at(at(10)), None);
        report.next_run_at = Some(at(11));
        assert_eq!(report.run_again_at(at(10)), Some(at(11)));
        report.retry_after = Some(Duration::from_secs(60));
        assert_eq!(
            report.run_again_at(at(10)),
            Some(at(10) + chrono::Duration::seconds(60))
        );
    }

    #[test]
    fn the_stage_mapping_takes_text_values_only() {
        let mapping = stage_mapping(
            &json!({"stage_mapping": {"appointmentscheduled": "qualification", "7": 3}}),
        );
        assert_eq!(mapping.len(), 1);
        assert_eq!(mapping["appointmentscheduled"], "qualification");
    }
}
