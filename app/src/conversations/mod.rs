//! Conversations and their analysis (PRODUCT.md feature 5): the list (`/{slug}/conversations`) of
//! the conversations the viewer may see (an AGENT their own, a MANAGER their squads', a DIRECTOR
//! all), and a conversation's page (`/{slug}/conversations/{id}`) with its transcript and what the
//! analyser found: summary, sentiment, playbook score, each methodology element with the quotes
//! behind it, the playbook questions asked, objections, key moments and suggested actions.
//!
//! The analysis is stored as JSON by the analysis job (server/src/jobs/analyse.rs); the page reads
//! it into the small view types below, so the browser needs none of the analyser's code.

pub mod api;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod server;

use chrono::{DateTime, FixedOffset};
use domain::{ConversationChannel, ConversationSentiment};
use serde::{Deserialize, Serialize};

pub const PAGE_SIZE: i64 = 25;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConversationRow {
    pub id: String,
    pub channel: ConversationChannel,
    pub agent_name: String,
    pub lead_id: String,
    pub lead_name: String,
    pub date: DateTime<FixedOffset>,
    pub summary: Option<String>,
    pub playbook_score: Option<f64>,
    pub sentiment: Option<ConversationSentiment>,
    pub analysed: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConversationPage {
    pub items: Vec<ConversationRow>,
    pub total: i64,
    pub page: u32,
    pub page_size: i64,
    pub agents: Vec<crate::pipeline::OwnerChoice>,
}

/// A quote from the transcript, as the analysis stored it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Quote {
    pub quote: String,
    #[serde(default)]
    pub speaker: Option<String>,
    #[serde(default)]
    pub time: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ElementView {
    pub key: String,
    pub label: String,
    /// `covered`, `partial` or `missing`.
    pub status: String,
    pub score: u8,
    pub customer_confirmed: bool,
    pub evidence: Vec<Quote>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuestionView {
    pub section: String,
    pub question: String,
    pub asked: bool,
    pub evidence: Option<Quote>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObjectionView {
    pub label: String,
    pub answered: bool,
    pub objection: Quote,
    #[serde(default)]
    pub response: Option<Quote>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MomentView {
    /// `objection`, `pricing`, `competitor`, `pain`, `next_step`.
    pub kind: String,
    #[serde(default)]
    pub detail: Option<String>,
    pub evidence: Quote,
    pub position_percent: u8,
    #[serde(default)]
    pub date: Option<chrono::NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActionView {
    /// `HIGH`, `MEDIUM`, `LOW`.
    pub priority: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnalysisView {
    pub methodology: String,
    pub methodology_score: u8,
    pub elements: Vec<ElementView>,
    pub questions_score: Option<u8>,
    pub objections_score: Option<u8>,
    pub questions: Vec<QuestionView>,
    pub objections: Vec<ObjectionView>,
    pub moments: Vec<MomentView>,
    pub actions: Vec<ActionView>,
    /// Which analyser produced it (`builtin/...` or `llm/openai/gpt-4o-mini/...`).
    pub analysed_by: String,
    pub notes: Vec<String>,
    pub processed_at: DateTime<FixedOffset>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConversationDetail {
    pub row: ConversationRow,
    pub transcript: String,
    pub duration_seconds: Option<i32>,
    pub analysis: Option<AnalysisView>,
}
