//! Server side of the conversations pages: the list and one conversation with its analysis, both
//! scoped by the pipeline's [`Visibility`].

use chrono::{DateTime, Utc};
use db::TenantCtx;
use domain::{ConversationChannel, ConversationSentiment};
use serde_json::Value;
use sqlx::{Postgres, QueryBuilder};

use super::{
    ActionView, AnalysisView, ConversationDetail, ConversationPage, ConversationRow, ElementView,
    MomentView, ObjectionView, PAGE_SIZE, QuestionView, Quote,
};
use crate::error::AppError;
use crate::pipeline::server::{Visibility, company_zone, owner_choices, push_page};

#[derive(sqlx::FromRow)]
struct Record {
    id: String,
    channel: ConversationChannel,
    agent_name: String,
    lead_id: String,
    lead_name: String,
    conversation_date: DateTime<Utc>,
    summary: Option<String>,
    playbook_score: Option<f64>,
    sentiment: Option<ConversationSentiment>,
    processed_at: Option<DateTime<Utc>>,
}

const SELECT: &str = "SELECT c.id, c.channel, u.name AS agent_name, c.lead_id, l.name AS lead_name,
        c.conversation_date, c.summary, c.playbook_score, c.sentiment, c.processed_at
     FROM conversations c
     JOIN users u ON u.company_id = c.company_id AND u.id = c.user_id
     JOIN leads l ON l.company_id = c.company_id AND l.id = c.lead_id";

fn row(r: Record, tz: chrono_tz::Tz) -> ConversationRow {
    ConversationRow {
        id: r.id,
        channel: r.channel,
        agent_name: r.agent_name,
        lead_id: r.lead_id,
        lead_name: r.lead_name,
        date: r.conversation_date.with_timezone(&tz).fixed_offset(),
        summary: r.summary,
        playbook_score: r.playbook_score,
        sentiment: r.sentiment,
        analysed: r.processed_at.is_some(),
    }
}

fn push_filters(
    qb: &mut QueryBuilder<'_, Postgres>,
    company_id: &str,
    vis: &Visibility,
    agent: &str,
    channel: &str,
    sentiment: &str,
) {
    qb.push(" WHERE c.company_id = ")
        .push_bind(company_id.to_owned());
    vis.push_conversations(qb);
    if !agent.is_empty() {
        qb.push(" AND c.user_id = ").push_bind(agent.to_owned());
    }
    if let Ok(channel) = channel.parse::<ConversationChannel>() {
        qb.push(" AND c.channel = ").push_bind(channel);
    }
    if let Ok(sentiment) = sentiment.parse::<ConversationSentiment>() {
        qb.push(" AND c.sentiment = ").push_bind(sentiment);
    }
}

pub async fn list(
    db: &db::Db,
    ctx: &TenantCtx,
    agent: &str,
    channel: &str,
    sentiment: &str,
    page: u32,
) -> Result<ConversationPage, AppError> {
    let mut tx = db.begin(ctx).await?;
    let company_id = tx.company_id().to_owned();
    let vis = Visibility::of(&mut tx, ctx).await?;
    let tz = company_zone(&mut tx).await?;
    let page = page.max(1);
    let mut count = QueryBuilder::new("SELECT count(*) FROM conversations c");
    push_filters(&mut count, &company_id, &vis, agent, channel, sentiment);
    let total: i64 = count
        .build_query_scalar()
        .fetch_one(&mut *tx)
        .await
        .map_err(db::DbError::from)?;
    let mut qb = QueryBuilder::new(SELECT);
    push_filters(&mut qb, &company_id, &vis, agent, channel, sentiment);
    push_page(&mut qb, "c.conversation_date DESC, c.id", page);
    let rows: Vec<Record> = qb
        .build_query_as()
        .fetch_all(&mut *tx)
        .await
        .map_err(db::DbError::from)?;
    let agents = owner_choices(&mut tx, &vis).await?;
    tx.commit().await?;
    Ok(ConversationPage {
        items: rows.into_iter().map(|r| row(r, tz)).collect(),
        total,
        page,
        page_size: PAGE_SIZE,
        agents,
    })
}

fn quote(value: &Value) -> Option<Quote> {
    Some(Quote {
        quote: value.get("quote")?.as_str()?.to_owned(),
        speaker: value
            .get("speaker")
            .and_then(Value::as_str)
            .map(str::to_owned),
        time: value.get("time").and_then(Value::as_str).map(str::to_owned),
    })
}

fn list_of<T>(value: Option<&Value>, read: impl Fn(&Value) -> Option<T>) -> Vec<T> {
    value
        .and_then(Value::as_array)
        .map(|items| items.iter().filter_map(&read).collect())
        .unwrap_or_default()
}

fn small(value: Option<&Value>) -> Option<u8> {
    value
        .and_then(Value::as_u64)
        .and_then(|n| u8::try_from(n).ok())
}

/// The stored analysis as the page shows it; parts that do not read are left out, never an error.
pub fn analysis_view(
    scores: &Value,
    moments: &Value,
    actions: &Value,
    details: Option<&Value>,
    analysed_by: String,
    processed_at: chrono::DateTime<chrono::FixedOffset>,
) -> AnalysisView {
    let playbook = scores.get("playbook");
    AnalysisView {
        methodology: scores
            .get("methodology")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
        methodology_score: small(scores.get("score")).unwrap_or_default(),
        elements: list_of(scores.get("elements"), |e| {
            Some(ElementView {
                key: e.get("key")?.as_str()?.to_owned(),
                label: e.get("label")?.as_str()?.to_owned(),
                status: e.get("status")?.as_str()?.to_owned(),
                score: small(e.get("score"))?,
                customer_confirmed: e
                    .get("customer_confirmed")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
                evidence: list_of(e.get("evidence"), quote),
            })
        }),
        questions_score: small(playbook.and_then(|p| p.get("questions_score"))),
        objections_score: small(playbook.and_then(|p| p.get("objections_score"))),
        questions: list_of(playbook.and_then(|p| p.get("questions")), |q| {
            Some(QuestionView {
                section: q.get("section")?.as_str()?.to_owned(),
                question: q.get("question")?.as_str()?.to_owned(),
                asked: q.get("asked")?.as_bool()?,
                evidence: q.get("evidence").and_then(quote),
            })
        }),
        objections: list_of(playbook.and_then(|p| p.get("objections")), |o| {
            Some(ObjectionView {
                label: o.get("label")?.as_str()?.to_owned(),
                answered: o.get("answered")?.as_bool()?,
                objection: quote(o.get("objection")?)?,
                response: o.get("response").and_then(quote),
            })
        }),
        moments: list_of(Some(moments), |m| {
            Some(MomentView {
                kind: m.get("kind")?.as_str()?.to_owned(),
                detail: m.get("detail").and_then(Value::as_str).map(str::to_owned),
                evidence: quote(m.get("evidence")?)?,
                position_percent: small(m.get("position_percent")).unwrap_or_default(),
                date: m
                    .get("date")
                    .and_then(Value::as_str)
                    .and_then(|d| d.parse().ok()),
            })
        }),
        actions: list_of(Some(actions), |a| {
            Some(ActionView {
                priority: a.get("priority")?.as_str()?.to_owned(),
                text: a.get("text")?.as_str()?.to_owned(),
            })
        }),
        analysed_by,
        notes: list_of(details.and_then(|d| d.get("notes")), |n| {
            n.as_str().map(str::to_owned)
        }),
        processed_at,
    }
}

pub async fn get(db: &db::Db, ctx: &TenantCtx, id: &str) -> Result<ConversationDetail, AppError> {
    let mut tx = db.begin(ctx).await?;
    let company_id = tx.company_id().to_owned();
    let vis = Visibility::of(&mut tx, ctx).await?;
    let tz = company_zone(&mut tx).await?;
    let mut qb = QueryBuilder::new(SELECT);
    qb.push(" WHERE c.company_id = ")
        .push_bind(company_id.clone())
        .push(" AND c.id = ")
        .push_bind(id.to_owned());
    vis.push_conversations(&mut qb);
    let record: Record = qb
        .build_query_as()
        .fetch_optional(&mut *tx)
        .await
        .map_err(db::DbError::from)?
        .ok_or(AppError::NotFound)?;
    let extra = sqlx::query!(
        r#"SELECT transcript, duration_seconds, methodology_scores, key_moments, suggested_actions,
                  analysis_details, analysed_by, processed_at AS "processed_at: DateTime<Utc>"
           FROM conversations WHERE company_id = $1 AND id = $2"#,
        company_id,
        id
    )
    .fetch_one(&mut *tx)
    .await
    .map_err(db::DbError::from)?;
    tx.commit().await?;
    let analysis = match (extra.processed_at, &extra.methodology_scores) {
        (Some(at), Some(scores)) => Some(analysis_view(
            scores,
            extra.key_moments.as_ref().unwrap_or(&Value::Null),
            extra.suggested_actions.as_ref().unwrap_or(&Value::Null),
            extra.analysis_details.as_ref(),
            extra.analysed_by.unwrap_or_default(),
            at.with_timezone(&tz).fixed_offset(),
        )),
        _ => None,
    };
    Ok(ConversationDetail {
        row: row(record, tz),
        transcript: extra.transcript,
        duration_seconds: extra.duration_seconds,
        analysis,
    })
}
