//! The rows the generators produce and [`crate::write`] inserts, one struct per table.
//!
//! Generation and writing meet only here, so the generators stay plain Rust that unit tests can
//! run without a database, and the SQL lives in one module. JSON columns are carried as their
//! text (`custom_fields`, `content`) because that is how they are bound in bulk (`text[]` cast to
//! `jsonb`), and building each once as text is cheaper than keeping `serde_json::Value`s around.

use chrono::{DateTime, Utc};
use domain::{
    ConversationChannel, GoalTargetType, KeyResultStatus, KeyResultUnit, OkrArea, OkrStatus,
    PlaybookFunction, PlaybookStatus, StageKind, UserArea, UserRole,
};
use rust_decimal::Decimal;

pub struct CompanyRow {
    pub id: String,
    pub name: String,
    pub slug: String,
    pub domain: String,
    pub features_json: String,
    pub created_at: DateTime<Utc>,
}

pub struct UserRow {
    pub id: String,
    pub email: String,
    pub name: String,
    pub linkedin: Option<String>,
    pub role: UserRole,
    pub area: UserArea,
    pub last_login_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

pub struct SquadRow {
    pub id: String,
    pub name: String,
    pub kind: &'static str,
    pub target_monthly: Decimal,
    pub created_at: DateTime<Utc>,
}

pub struct SquadMemberRow {
    pub id: String,
    pub user_id: String,
    pub squad_id: String,
    pub is_leader: bool,
    pub joined_at: DateTime<Utc>,
}

pub struct StageRow {
    pub id: String,
    pub key: &'static str,
    pub name: &'static str,
    pub position: i32,
    pub probability: Decimal,
    pub kind: StageKind,
}

pub struct PlaybookRow {
    pub id: String,
    pub name: String,
    pub description: String,
    pub function: PlaybookFunction,
    pub methodology: &'static str,
    pub version: i32,
    pub status: PlaybookStatus,
    pub content_json: String,
    pub parent_version_id: Option<String>,
    pub created_at: DateTime<Utc>,
}

pub struct LeadRow {
    pub id: String,
    pub external_id: Option<String>,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub company_name: Option<String>,
    pub position: Option<String>,
    pub source: Option<String>,
    pub status: Option<String>,
    pub lead_score: Option<f64>,
    pub custom_fields_json: String,
    pub owner_id: Option<String>,
    pub created_at: DateTime<Utc>,
}

pub struct DealRow {
    pub id: String,
    pub external_id: Option<String>,
    pub title: String,
    pub stage: &'static str,
    pub probability: Decimal,
    pub value: Decimal,
    pub currency: &'static str,
    pub expected_close_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub custom_fields_json: String,
    pub lead_id: String,
    pub owner_id: Option<String>,
    pub stage_changed_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

/// A conversation as it arrives, before analysis: the analysis columns stay NULL for the analyser.
pub struct ConversationRow {
    pub id: String,
    pub channel: ConversationChannel,
    pub duration_seconds: Option<i32>,
    pub user_id: String,
    pub lead_id: String,
    pub transcript: String,
    pub playbook_id: Option<String>,
    pub notes: Option<String>,
    pub conversation_date: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

pub struct OkrPeriodRow {
    pub id: String,
    pub label: String,
    pub start_date: DateTime<Utc>,
    pub end_date: DateTime<Utc>,
    pub is_current: bool,
}

pub struct ObjectiveRow {
    pub id: String,
    pub period_id: String,
    pub title: String,
    pub description: String,
    pub area: OkrArea,
    pub status: OkrStatus,
    pub progress: i32,
    pub owner_id: String,
    pub owner_type: GoalTargetType,
    pub created_by_id: String,
}

pub struct KeyResultRow {
    pub id: String,
    pub objective_id: String,
    pub title: String,
    pub current: Decimal,
    pub target: Decimal,
    pub unit: KeyResultUnit,
    pub status: KeyResultStatus,
    pub trend: &'static str,
    pub trend_value: f64,
    pub owner_id: Option<String>,
    pub due_date: DateTime<Utc>,
    pub linked_metrics_json: String,
}

pub struct KeyResultProgressRow {
    pub id: String,
    pub key_result_id: String,
    pub value: Decimal,
    pub note: Option<String>,
    pub recorded_at: DateTime<Utc>,
    pub recorded_by_id: Option<String>,
    pub source: &'static str,
}
