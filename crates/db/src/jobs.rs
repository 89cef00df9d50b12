//! Background work kept in PostgreSQL (`jobs`, migration 20261127000007): one row per company and
//! dedup key, claimed by any server instance with `FOR UPDATE SKIP LOCKED` under a lease, so the
//! same work never runs twice at once and a crashed run is taken up again when its lease expires.
//!
//! Claiming is the one pre-tenant step ([`crate::Lookups::claim_jobs`]); asking for a job and
//! reporting its end go through the company's own transaction, under row-level security.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::{DbError, Lookups, SystemActor, SystemCtx, TenantTx};

/// The kinds of background work, as stored in `jobs.kind`.
pub mod kind {
    /// Analyse the company's conversations that are new or whose inputs changed. Also the dedup key:
    /// one per company. Requested by triggers on `conversations` and `playbooks`.
    pub const ANALYSE_CONVERSATIONS: &str = "analyse_conversations";
}

/// A job this worker now holds until `lease` runs out.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimedJob {
    pub company_id: String,
    pub id: String,
    pub kind: String,
    pub dedup_key: String,
    pub payload: Value,
    /// Including this one.
    pub attempts: i32,
}

impl ClaimedJob {
    /// The system context the job's work runs under: its own company, named as the job.
    pub fn system_ctx(&self, job_name: &'static str) -> SystemCtx {
        SystemCtx::new(self.company_id.clone(), SystemActor::Job(job_name))
    }
}

/// How a run ended, for [`finish_job`].
#[derive(Debug, Clone, PartialEq)]
pub enum JobEnd {
    /// Done; recurring work gives its next run.
    Succeeded { next_run_at: Option<DateTime<Utc>> },
    /// Failed with a reason for `last_error` (for operators: no personal data); tried again at
    /// `retry_at` unless the job has used its attempts.
    Failed {
        error: String,
        retry_at: DateTime<Utc>,
    },
}

impl Lookups<'_> {
    /// Claims up to `limit` due jobs of `kinds` for `worker` (SECURITY DEFINER `claim_jobs`: the
    /// worker does not know the tenants yet).
    pub async fn claim_jobs(
        &self,
        worker: &str,
        kinds: &[&str],
        limit: i32,
        lease: Duration,
    ) -> Result<Vec<ClaimedJob>, DbError> {
        let kinds: Vec<String> = kinds.iter().map(|k| (*k).to_owned()).collect();
        let lease_seconds = i32::try_from(lease.as_secs().max(1)).unwrap_or(i32::MAX);
        let rows = sqlx::query!(
            r#"SELECT company_id AS "company_id!", id AS "id!", kind AS "kind!",
                      dedup_key AS "dedup_key!", payload AS "payload!", attempts AS "attempts!"
               FROM claim_jobs($1, $2, $3, $4)"#,
            worker,
            &kinds,
            limit,
            lease_seconds
        )
        .fetch_all(self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| ClaimedJob {
                company_id: r.company_id,
                id: r.id,
                kind: r.kind,
                dedup_key: r.dedup_key,
                payload: r.payload,
                attempts: r.attempts,
            })
            .collect())
    }
}

/// Asks for a job in the transaction's company: creates it, makes an idle one due (never later than
/// it already was), or, when it is running, has it run once more after this run.
pub async fn request_job(
    tx: &mut TenantTx,
    kind: &str,
    dedup_key: &str,
    payload: &Value,
    run_at: DateTime<Utc>,
) -> Result<(), DbError> {
    let company_id = tx.company_id().to_owned();
    sqlx::query!(
        "SELECT request_job($1, $2, $3, $4, $5)",
        company_id,
        kind,
        dedup_key,
        payload,
        run_at as _
    )
    .fetch_one(&mut **tx)
    .await?;
    Ok(())
}

/// Extends the lease of a job this worker holds. `false` when it holds it no more (its lease
/// expired and another worker took the job): the caller must stop working on it.
pub async fn renew_lease(
    tx: &mut TenantTx,
    job: &ClaimedJob,
    worker: &str,
    lease: Duration,
) -> Result<bool, DbError> {
    let lease_seconds = f64::from(u32::try_from(lease.as_secs()).unwrap_or(u32::MAX));
    let renewed = sqlx::query!(
        "UPDATE jobs SET lease_until = now() + make_interval(secs => $4), updated_at = now()
         WHERE company_id = $1 AND id = $2 AND locked_by = $3 AND status = 'RUNNING'",
        job.company_id,
        job.id,
        worker,
        lease_seconds
    )
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(renewed == 1)
}

/// Records how a run ended and releases the job. A job asked for again during the run is queued
/// at once; a failed one is queued for `retry_at` or, after its last attempt, set FAILED.
/// `false` when this worker no longer held the job.
pub async fn finish_job(
    tx: &mut TenantTx,
    job: &ClaimedJob,
    worker: &str,
    end: &JobEnd,
) -> Result<bool, DbError> {
    let updated = match end {
        JobEnd::Succeeded { next_run_at } => sqlx::query!(
            "UPDATE jobs
             SET status = CASE WHEN rerun OR $4::timestamptz IS NOT NULL THEN 'QUEUED' ELSE 'DONE' END,
                 run_at = CASE WHEN rerun THEN now() ELSE coalesce($4, run_at) END,
                 attempts = 0, rerun = false, locked_by = NULL, lease_until = NULL,
                 last_finished_at = now(), last_error = NULL, updated_at = now()
             WHERE company_id = $1 AND id = $2 AND locked_by = $3 AND status = 'RUNNING'",
            job.company_id,
            job.id,
            worker,
            *next_run_at as Option<DateTime<Utc>>
        )
        .execute(&mut **tx)
        .await?
        .rows_affected(),
        JobEnd::Failed { error, retry_at } => sqlx::query!(
            "UPDATE jobs
             SET status = CASE WHEN attempts >= max_attempts AND NOT rerun THEN 'FAILED' ELSE 'QUEUED' END,
                 run_at = CASE WHEN rerun THEN now() ELSE $5 END,
                 attempts = CASE WHEN rerun THEN 0 ELSE attempts END,
                 rerun = false, locked_by = NULL, lease_until = NULL,
                 last_finished_at = now(), last_error = $4, updated_at = now()
             WHERE company_id = $1 AND id = $2 AND locked_by = $3 AND status = 'RUNNING'",
            job.company_id,
            job.id,
            worker,
            error,
            *retry_at as DateTime<Utc>
        )
        .execute(&mut **tx)
        .await?
        .rows_affected(),
    };
    Ok(updated == 1)
}

/// A job's row as operators and pages see it.
#[derive(Debug, Clone, PartialEq)]
pub struct JobStatus {
    pub status: String,
    pub run_at: DateTime<Utc>,
    pub attempts: i32,
    pub last_started_at: Option<DateTime<Utc>>,
    pub last_finished_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
}

/// The state of the company's job with this dedup key, if it was ever asked for.
pub async fn job_status(tx: &mut TenantTx, dedup_key: &str) -> Result<Option<JobStatus>, DbError> {
    let company_id = tx.company_id().to_owned();
    let row = sqlx::query_as!(
        JobStatus,
        r#"SELECT status, run_at AS "run_at: DateTime<Utc>", attempts,
                  last_started_at AS "last_started_at: DateTime<Utc>",
                  last_finished_at AS "last_finished_at: DateTime<Utc>", last_error
           FROM jobs WHERE company_id = $1 AND dedup_key = $2"#,
        company_id,
        dedup_key
    )
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row)
}

/// Marks every conversation of the transaction's company for analysis again (re-analysis on demand:
/// a new lexicon, a new AI integration); the conversations' trigger asks for the analysis job.
/// Returns how many were marked.
pub async fn request_reanalysis(tx: &mut TenantTx) -> Result<u64, DbError> {
    let company_id = tx.company_id().to_owned();
    let marked = sqlx::query!(
        "UPDATE conversations SET analysis_revision = analysis_revision + 1, processed_at = NULL
         WHERE company_id = $1",
        company_id
    )
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(marked)
}
