//! The `analyse_conversations` job: fills the analysis columns of every conversation of one company
//! that is new or whose transcript or playbook changed (`processed_at IS NULL`; triggers of migration
//! 20261127000007 clear it and ask for this job).
//!
//! The built-in analyser does the work unless the company has `ai_analysis` on and an ACTIVE AI
//! integration, in which case the LLM does it (see [`crate::jobs::AiSettings`]), recording each
//! call in `ai_usage`. Results are written in batches, each only where the conversation's
//! `analysis_revision` is still the one that was read: a transcript edited meanwhile is analysed
//! again rather than given a stale result.

use std::collections::HashMap;

use analyser::{Analysis, ConversationChannel, ConversationInput, Methodology, Playbook};
use chrono::{DateTime, Utc};
use db::{Db, SystemCtx, TenantTx};
use serde_json::{Value, json};

use super::JobError;

/// Conversations read and written per transaction with the built-in analyser.
const BUILTIN_BATCH: i64 = 200;

use super::AiSettings;

/// What one run did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct AnalyseReport {
    pub analysed: usize,
    /// Read but changed before the result was written; analysed again by the next run.
    pub superseded: usize,
    pub llm_calls: usize,
}

struct Pending {
    id: String,
    revision: i64,
    channel: ConversationChannel,
    transcript: String,
    conversation_date: DateTime<Utc>,
    agent_name: String,
    playbook_id: Option<String>,
}

/// The playbook a conversation is scored with: its own, else the company's active one.
#[derive(Clone)]
struct ScoringPlaybook {
    id: Option<String>,
    playbook: Playbook,
    note: Option<String>,
}

struct Written {
    id: String,
    revision: i64,
    analysis: Analysis,
    details: Value,
}

pub async fn run(db: &Db, ctx: &SystemCtx, ai: &AiSettings) -> Result<AnalyseReport, JobError> {
    let mut report = AnalyseReport::default();
    let (mut engine, fallback) = {
        let mut tx = db.begin(ctx).await?;
        let engine = ai.engine_for(&mut tx).await?;
        let fallback = active_playbook(&mut tx).await?;
        tx.commit().await?;
        (engine, fallback)
    };
    let mut playbooks: HashMap<String, ScoringPlaybook> = HashMap::new();
    let batch = engine.batch_size().unwrap_or(BUILTIN_BATCH);
    // Keyset over (conversation_date desc, id): newest first, and each conversation once per run.
    let mut after: Option<(DateTime<Utc>, String)> = None;
    loop {
        let mut tx = db.begin(ctx).await?;
        let pending = next_batch(&mut tx, after.as_ref(), batch).await?;
        let Some(last) = pending.last() else {
            tx.commit().await?;
            break;
        };
        after = Some((last.conversation_date, last.id.clone()));
        load_playbooks(&mut tx, &pending, &mut playbooks).await?;
        tx.commit().await?;

        // The built-in analysis is CPU work: off the async threads, so serving is not held up.
        let inputs: Vec<(String, i64, ConversationInput, ScoringPlaybook)> = pending
            .into_iter()
            .map(|conversation| {
                let scoring = match &conversation.playbook_id {
                    Some(id) => playbooks
                        .get(id)
                        .cloned()
                        .unwrap_or_else(|| fallback.clone()),
                    None => fallback.clone(),
                };
                let input = ConversationInput {
                    channel: conversation.channel,
                    agent_name: Some(conversation.agent_name),
                    transcript: conversation.transcript,
                    conversation_date: Some(conversation.conversation_date.date_naive()),
                    language: None,
                };
                (conversation.id, conversation.revision, input, scoring)
            })
            .collect();
        let analysed = tokio::task::spawn_blocking(move || {
            inputs
                .into_iter()
                .map(|(id, revision, input, scoring)| {
                    analyser::analyse_conversation(&input, &scoring.playbook)
                        .map(|builtin| (id, revision, input, scoring, builtin))
                        .map_err(|e| JobError::Failed(format!("built-in analyser: {e}")))
                })
                .collect::<Result<Vec<_>, JobError>>()
        })
        .await
        .map_err(|e| JobError::Failed(format!("analysis task: {e}")))??;

        let mut written = Vec::with_capacity(analysed.len());
        let mut usages = Vec::new();
        for (id, revision, input, scoring, builtin) in analysed {
            let outcome = engine.analyse(&input, &scoring.playbook, builtin).await;
            report.llm_calls += outcome.usages.len();
            usages.extend(outcome.usages);
            let notes = [scoring.note.clone(), outcome.note]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>();
            let details = json!({
                "analyser": outcome.analysis.analyser,
                "source": outcome.source,
                "playbook_id": scoring.id,
                "methodology": scoring.playbook.methodology,
                "sentiment_score": outcome.analysis.sentiment_score,
                "sentiment_evidence": outcome.analysis.sentiment_evidence,
                "transcript": outcome.analysis.transcript,
                "notes": notes,
            });
            written.push(Written {
                id,
                revision,
                analysis: outcome.analysis,
                details,
            });
        }

        let mut tx = db.begin(ctx).await?;
        let updated = write_results(&mut tx, &written).await?;
        super::ai::record_usage(&mut tx, &usages, super::ai::FEATURE_CONVERSATION_ANALYSIS).await?;
        if let Some(alert) = engine.take_alert() {
            super::ai::raise_alert(&mut tx, &alert).await?;
        }
        engine.record_use(&mut tx).await?;
        tx.commit().await?;
        report.analysed += updated;
        report.superseded += written.len() - updated;
    }
    Ok(report)
}

async fn next_batch(
    tx: &mut TenantTx,
    after: Option<&(DateTime<Utc>, String)>,
    limit: i64,
) -> Result<Vec<Pending>, JobError> {
    let company_id = tx.company_id().to_owned();
    let (after_date, after_id) = match after {
        Some((date, id)) => (Some(*date), Some(id.as_str())),
        None => (None, None),
    };
    let rows = sqlx::query!(
        r#"SELECT c.id, c.analysis_revision, c.channel AS "channel: ConversationChannel", c.transcript,
                  c.conversation_date AS "conversation_date: DateTime<Utc>", u.name AS agent_name,
                  c.playbook_id
           FROM conversations c
           JOIN users u ON u.company_id = c.company_id AND u.id = c.user_id
           WHERE c.company_id = $1 AND c.processed_at IS NULL
             AND ($2::timestamptz IS NULL OR (c.conversation_date, c.id) < ($2, $3))
           ORDER BY c.conversation_date DESC, c.id DESC
           LIMIT $4"#,
        company_id,
        after_date as Option<DateTime<Utc>>,
        after_id,
        limit
    )
    .fetch_all(&mut **tx)
    .await
    .map_err(db::DbError::from)?;
    Ok(rows
        .into_iter()
        .map(|r| Pending {
            id: r.id,
            revision: r.analysis_revision,
            channel: r.channel,
            transcript: r.transcript,
            conversation_date: r.conversation_date,
            agent_name: r.agent_name,
            playbook_id: r.playbook_id,
        })
        .collect())
}

fn scoring_playbook(id: String, methodology: &str, content: &Value) -> ScoringPlaybook {
    match Playbook::from_content(methodology, content) {
        Ok(playbook) => ScoringPlaybook {
            id: Some(id),
            playbook,
            note: None,
        },
        // A playbook the analyser cannot read still lets the conversation be scored on the
        // methodology alone, and says so.
        Err(err) => ScoringPlaybook {
            id: Some(id),
            playbook: Playbook::empty(methodology.parse().unwrap_or(Methodology::Spiced)),
            note: Some(format!("playbook not readable: {err}")),
        },
    }
}

/// The company's active playbook (sales first, then the most recently changed), for conversations
/// that name none; the methodology alone (SPICED) when there is no active playbook.
async fn active_playbook(tx: &mut TenantTx) -> Result<ScoringPlaybook, JobError> {
    let company_id = tx.company_id().to_owned();
    let row = sqlx::query!(
        "SELECT id, methodology, content FROM playbooks
         WHERE company_id = $1 AND status = 'ACTIVE'
         ORDER BY (function = 'SALES') DESC, updated_at DESC, id
         LIMIT 1",
        company_id
    )
    .fetch_optional(&mut **tx)
    .await
    .map_err(db::DbError::from)?;
    Ok(match row {
        Some(r) => scoring_playbook(r.id, &r.methodology, &r.content),
        None => ScoringPlaybook {
            id: None,
            playbook: Playbook::empty(Methodology::Spiced),
            note: None,
        },
    })
}

async fn load_playbooks(
    tx: &mut TenantTx,
    pending: &[Pending],
    cache: &mut HashMap<String, ScoringPlaybook>,
) -> Result<(), JobError> {
    let mut missing: Vec<String> = pending
        .iter()
        .filter_map(|p| p.playbook_id.clone())
        .filter(|id| !cache.contains_key(id))
        .collect();
    missing.sort();
    missing.dedup();
    if missing.is_empty() {
        return Ok(());
    }
    let company_id = tx.company_id().to_owned();
    let rows = sqlx::query!(
        "SELECT id, methodology, content FROM playbooks WHERE company_id = $1 AND id = ANY($2)",
        company_id,
        &missing
    )
    .fetch_all(&mut **tx)
    .await
    .map_err(db::DbError::from)?;
    for r in rows {
        let scoring = scoring_playbook(r.id.clone(), &r.methodology, &r.content);
        cache.insert(r.id, scoring);
    }
    Ok(())
}

/// Writes a batch in one statement; returns how many rows still had the revision that was read.
async fn write_results(tx: &mut TenantTx, written: &[Written]) -> Result<usize, JobError> {
    if written.is_empty() {
        return Ok(0);
    }
    let company_id = tx.company_id().to_owned();
    let mut ids = Vec::with_capacity(written.len());
    let mut revisions = Vec::with_capacity(written.len());
    let mut summaries = Vec::with_capacity(written.len());
    let mut sentiments = Vec::with_capacity(written.len());
    let mut scores = Vec::with_capacity(written.len());
    let mut methodology_scores = Vec::with_capacity(written.len());
    let mut key_moments = Vec::with_capacity(written.len());
    let mut actions = Vec::with_capacity(written.len());
    let mut analysed_by = Vec::with_capacity(written.len());
    let mut details = Vec::with_capacity(written.len());
    for w in written {
        ids.push(w.id.clone());
        revisions.push(w.revision);
        summaries.push(w.analysis.summary.clone());
        sentiments.push(w.analysis.sentiment.as_str().to_owned());
        scores.push(f64::from(w.analysis.playbook_score));
        methodology_scores.push(to_json(&w.analysis.methodology_scores)?);
        key_moments.push(to_json(&w.analysis.key_moments)?);
        actions.push(to_json(&w.analysis.suggested_actions)?);
        analysed_by.push(w.analysis.analyser.clone());
        details.push(w.details.clone());
    }
    let updated = sqlx::query!(
        "UPDATE conversations c
         SET summary = r.summary, sentiment = r.sentiment::conversation_sentiment,
             playbook_score = r.score, methodology_scores = r.methodology_scores,
             key_moments = r.key_moments, suggested_actions = r.actions,
             analysed_by = r.analysed_by, analysis_details = r.details,
             processed_at = now(), updated_at = now()
         FROM UNNEST($2::text[], $3::bigint[], $4::text[], $5::text[], $6::float8[], $7::jsonb[],
                     $8::jsonb[], $9::jsonb[], $10::text[], $11::jsonb[])
              AS r(id, revision, summary, sentiment, score, methodology_scores, key_moments, actions,
                   analysed_by, details)
         WHERE c.company_id = $1 AND c.id = r.id AND c.analysis_revision = r.revision",
        company_id,
        &ids,
        &revisions,
        &summaries,
        &sentiments,
        &scores,
        &methodology_scores,
        &key_moments,
        &actions,
        &analysed_by,
        &details
    )
    .execute(&mut **tx)
    .await
    .map_err(db::DbError::from)?
    .rows_affected();
    Ok(usize::try_from(updated).unwrap_or(usize::MAX))
}

fn to_json(value: &impl serde::Serialize) -> Result<Value, JobError> {
    serde_json::to_value(value)
        .map_err(|e| JobError::Failed(format!("serialising an analysis: {e}")))
}
