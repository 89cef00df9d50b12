//! The background worker: claims due jobs from PostgreSQL (`db::jobs`), runs each under its
//! company's system context while a heartbeat renews its lease, and records how it ended. Any
//! number of server instances run one each; the table, not the instances, decides who runs what.

mod ai;
pub mod analyse;

use std::future::Future;
use std::time::Duration;

use chrono::Utc;
use db::jobs::{self, ClaimedJob, JobEnd};
use db::{Db, DbError};
use rand::Rng;
use tracing::Instrument;

pub use ai::{AiSettings, FEATURE_CONVERSATION_ANALYSIS, UsageRow};
pub use analyse::AnalyseReport;

/// Every kind this worker knows how to run.
const KINDS: &[&str] = &[
    jobs::kind::ANALYSE_CONVERSATIONS,
    ingest::jobs::CSV_IMPORT,
    ingest::jobs::CRM_SYNC,
];

/// How often each worker makes sure every active CRM integration has its sync job waiting (a job
/// that used its attempts on database errors is set FAILED; this takes it up again).
const SCHEDULE_EVERY: Duration = Duration::from_secs(300);

/// Why a run failed; its text goes to `jobs.last_error`, so it carries no personal data.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    #[error("database: {0}")]
    Db(#[from] DbError),
    #[error("unknown job kind {0:?}")]
    UnknownKind(String),
    #[error("bad job payload: {0}")]
    Payload(String),
    #[error("import: {0}")]
    Ingest(#[from] ingest::IngestError),
    #[error("{0}")]
    Failed(String),
}

pub struct Worker {
    db: Db,
    id: String,
    lease: Duration,
    idle_poll: Duration,
    ai: AiSettings,
    crm_http: crm::HttpSettings,
}

impl Worker {
    pub fn new(db: Db, ai: AiSettings) -> Self {
        Self {
            db,
            id: format!("worker-{}", uuid::Uuid::new_v4()),
            lease: Duration::from_secs(60),
            idle_poll: Duration::from_secs(2),
            ai,
            crm_http: crm::HttpSettings::default(),
        }
    }

    /// How CRM APIs are called (timeouts, retries; private addresses only in development and tests).
    pub fn with_crm_http(mut self, crm_http: crm::HttpSettings) -> Self {
        self.crm_http = crm_http;
        self
    }

    /// A shorter lease and poll, for tests that let a lease expire.
    pub fn with_timing(mut self, lease: Duration, idle_poll: Duration) -> Self {
        self.lease = lease;
        self.idle_poll = idle_poll;
        self
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    /// Runs jobs until `shutdown` resolves; the job in hand is finished first.
    pub async fn run_until(self, shutdown: impl Future<Output = ()>) {
        tracing::info!(worker = %self.id, "background worker started");
        tokio::pin!(shutdown);
        let mut last_schedule: Option<std::time::Instant> = None;
        loop {
            if last_schedule.is_none_or(|at| at.elapsed() >= SCHEDULE_EVERY) {
                last_schedule = Some(std::time::Instant::now());
                if let Err(err) = self.schedule_syncs().await {
                    tracing::warn!(error = %err, "scheduling CRM syncs failed");
                }
            }
            let ran = tokio::select! {
                () = &mut shutdown => break,
                ran = self.run_due(1) => ran,
            };
            let idle = match ran {
                Ok(0) => true,
                Ok(_) => false,
                Err(err) => {
                    tracing::warn!(error = %err, "claiming jobs failed");
                    true
                }
            };
            if idle {
                tokio::select! {
                    () = &mut shutdown => break,
                    () = tokio::time::sleep(self.idle_poll) => {}
                }
            }
        }
        tracing::info!(worker = %self.id, "background worker stopped");
    }

    /// Claims up to `limit` due jobs and runs them one after the other; how many it ran.
    pub async fn run_due(&self, limit: i32) -> Result<usize, DbError> {
        let claimed = self
            .db
            .lookups()
            .claim_jobs(&self.id, KINDS, limit, self.lease)
            .await?;
        let count = claimed.len();
        for job in claimed {
            self.run_claimed(job).await;
        }
        Ok(count)
    }

    /// Makes sure every company's active CRM integrations have their sync jobs waiting.
    pub async fn schedule_syncs(&self) -> Result<u64, JobError> {
        let mut asked = 0;
        for slug in self.db.lookups().staff_company_slugs().await? {
            let Ok(slug) = domain::CompanySlug::parse(&slug) else {
                continue;
            };
            let Some(company) = self.db.lookups().company_by_slug(&slug).await? else {
                continue;
            };
            let ctx = db::SystemCtx::new(company.id, db::SystemActor::Job("crm_schedule"));
            let mut tx = self.db.begin(&ctx).await?;
            asked += ingest::schedule_syncs(&mut tx).await?;
            tx.commit().await?;
        }
        Ok(asked)
    }

    /// Runs due jobs until none is left (for commands and tests).
    pub async fn drain(&self) -> Result<usize, DbError> {
        let mut total = 0;
        loop {
            match self.run_due(10).await? {
                0 => return Ok(total),
                n => total += n,
            }
        }
    }

    async fn run_claimed(&self, job: ClaimedJob) {
        let span = tracing::info_span!("job", kind = %job.kind, job_id = %job.id, company_id = %job.company_id, attempt = job.attempts);
        self.run_claimed_in_span(job).instrument(span).await
    }

    async fn run_claimed_in_span(&self, job: ClaimedJob) {
        let started = std::time::Instant::now();
        let outcome = tokio::select! {
            outcome = self.dispatch(&job) => Some(outcome),
            () = self.hold_lease(&job) => None,
        };
        let Some(outcome) = outcome else {
            tracing::warn!("lease lost to another worker; this run stops without recording");
            return;
        };
        let end = match &outcome {
            Ok(next_run_at) => JobEnd::Succeeded {
                next_run_at: *next_run_at,
            },
            Err(err) => JobEnd::Failed {
                error: err.to_string(),
                retry_at: Utc::now() + retry_delay(job.attempts),
            },
        };
        match &outcome {
            Ok(_) => tracing::info!(
                elapsed_ms = started.elapsed().as_millis() as u64,
                "job done"
            ),
            Err(err) => tracing::warn!(error = %err, "job failed"),
        }
        let recorded = async {
            let mut tx = self.db.begin(&job.system_ctx("worker")).await?;
            let held = jobs::finish_job(&mut tx, &job, &self.id, &end).await?;
            tx.commit().await?;
            Ok::<_, DbError>(held)
        }
        .await;
        match recorded {
            Ok(true) => {}
            Ok(false) => tracing::warn!("the job was taken over before it finished"),
            Err(err) => tracing::error!(error = %err, "could not record the end of a job"),
        }
    }

    /// Runs one job; answers when it should run again (recurring work), if ever.
    async fn dispatch(&self, job: &ClaimedJob) -> Result<Option<chrono::DateTime<Utc>>, JobError> {
        let payload = |what: &str| JobError::Payload(format!("{what} for {}", job.kind));
        match job.kind.as_str() {
            jobs::kind::ANALYSE_CONVERSATIONS => {
                let ctx = job.system_ctx(jobs::kind::ANALYSE_CONVERSATIONS);
                let report = analyse::run(&self.db, &ctx, &self.ai).await?;
                tracing::info!(?report, "conversations analysed");
                Ok(None)
            }
            ingest::jobs::CSV_IMPORT => {
                let p: ingest::jobs::CsvImportPayload = serde_json::from_value(job.payload.clone())
                    .map_err(|_| payload("no upload"))?;
                let ctx = job.system_ctx(ingest::jobs::CSV_IMPORT);
                let report =
                    ingest::run_csv_import(&self.db, &ctx, &p.upload_id, p.triggered_by.as_deref())
                        .await?;
                tracing::info!(?report, "CSV imported");
                Ok(None)
            }
            ingest::jobs::CRM_SYNC => {
                let p: ingest::jobs::CrmSyncPayload = serde_json::from_value(job.payload.clone())
                    .map_err(|_| payload("no integration"))?;
                let ctx = job.system_ctx(ingest::jobs::CRM_SYNC);
                let report = ingest::run_crm_sync(
                    &self.db,
                    &ctx,
                    &p.integration_id,
                    self.ai.keyring(),
                    &self.crm_http,
                    p.full,
                )
                .await?;
                Ok(report.run_again_at(Utc::now()))
            }
            other => Err(JobError::UnknownKind(other.to_owned())),
        }
    }

    /// Renews the lease every third of its length; returns only when the lease is lost.
    async fn hold_lease(&self, job: &ClaimedJob) {
        let mut ticker = tokio::time::interval(self.lease / 3);
        ticker.tick().await;
        loop {
            ticker.tick().await;
            let renewed = async {
                let mut tx = self.db.begin(&job.system_ctx("worker")).await?;
                let held = jobs::renew_lease(&mut tx, job, &self.id, self.lease).await?;
                tx.commit().await?;
                Ok::<_, DbError>(held)
            }
            .await;
            match renewed {
                Ok(true) => {}
                Ok(false) => return,
                // A database hiccup: keep working; the next tick tries again before the lease ends.
                Err(err) => tracing::warn!(error = %err, "could not renew a job's lease"),
            }
        }
    }
}

/// Capped exponential backoff with jitter: about 30 s, 1 min, 2 min... up to 1 h.
fn retry_delay(attempts: i32) -> chrono::Duration {
    let exponent = u32::try_from(attempts.saturating_sub(1))
        .unwrap_or(0)
        .min(7);
    let base = 30_i64 * (1_i64 << exponent);
    let capped = base.min(3_600);
    let jitter = rand::rng().random_range(0..=2 * (capped / 8));
    chrono::Duration::seconds(capped - capped / 8 + jitter)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_delays_grow_and_stay_capped() {
        for attempts in 1..20 {
            let delay = retry_delay(attempts).num_seconds();
            let exponent = (attempts - 1).min(7) as u32;
            let base = (30_i64 << exponent).min(3_600);
            assert!(delay >= base - base / 8, "attempt {attempts}: {delay}s");
            assert!(delay <= base + base / 8, "attempt {attempts}: {delay}s");
        }
        assert!(retry_delay(20).num_seconds() <= 3_600 + 450);
    }
}
