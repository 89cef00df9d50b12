//! The pipeline (PRODUCT.md feature 3): leads and deals — searchable, filterable, sortable and
//! paginated lists whose state lives in the URL, detail pages with the record's deals, conversations
//! and history, create and edit forms — the board of deals by stage, and the forecast.
//!
//! Who sees what is decided once, in `server::Visibility`: a DIRECTOR (and staff) everything; a
//! MANAGER the records of the people in the squads they lead, their own, and records nobody owns;
//! an AGENT the records they own, the leads of their deals and the leads they talked to. Anything
//! else is "not found", never "forbidden", so a record's existence is not revealed.

pub mod api;
pub mod board;
pub mod components;
pub mod deals;
#[cfg(feature = "ssr")]
pub mod export;
pub mod forecast;
pub mod leads;
#[cfg(feature = "ssr")]
pub mod server;

use chrono::{DateTime, FixedOffset, NaiveDate};
use domain::StageKind;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Rows per list page.
pub const PAGE_SIZE: i64 = 25;
pub const MAX_NAME_CHARS: usize = 200;
pub const MAX_FIELD_CHARS: usize = 200;

/// Sort direction of a list, as it appears in the URL (`dir=asc|desc`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Direction {
    Asc,
    #[default]
    Desc,
}

impl Direction {
    pub fn parse(raw: &str) -> Self {
        if raw.eq_ignore_ascii_case("asc") {
            Direction::Asc
        } else {
            Direction::Desc
        }
    }

    pub const fn as_str(self) -> &'static str {
        match self {
            Direction::Asc => "asc",
            Direction::Desc => "desc",
        }
    }

    /// The SQL keyword.
    pub const fn sql(self) -> &'static str {
        match self {
            Direction::Asc => "ASC",
            Direction::Desc => "DESC",
        }
    }
}

/// A person a record may be owned by (the owner filter and the owner field).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnerChoice {
    pub id: String,
    pub name: String,
}

impl OwnerChoice {
    /// The choices as a select's `(value, label)` pairs.
    pub fn options(choices: &[OwnerChoice]) -> Vec<(String, String)> {
        choices
            .iter()
            .map(|c| (c.id.clone(), c.name.clone()))
            .collect()
    }
}

/// A stage of the company's pipeline, in its order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageInfo {
    pub key: String,
    pub name: String,
    pub kind: StageKind,
    pub probability: Decimal,
}

/// A lead as lists show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeadRow {
    pub id: String,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub company_name: Option<String>,
    pub position: Option<String>,
    pub source: Option<String>,
    pub status: Option<String>,
    pub owner_name: Option<String>,
    pub deal_count: i64,
    pub created_at: DateTime<FixedOffset>,
}

/// One page of the leads list, with what its filters offer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeadPage {
    pub items: Vec<LeadRow>,
    pub total: i64,
    pub page: u32,
    pub page_size: i64,
    pub owners: Vec<OwnerChoice>,
    pub sources: Vec<String>,
    pub statuses: Vec<String>,
    pub can_create: bool,
}

/// A deal as lists show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DealRow {
    pub id: String,
    pub title: String,
    pub stage: String,
    pub stage_name: String,
    pub stage_kind: StageKind,
    pub value: Decimal,
    pub currency: String,
    /// The deal's own probability, else its stage's.
    pub probability: Decimal,
    pub expected_close_at: Option<NaiveDate>,
    pub closed_at: Option<NaiveDate>,
    pub owner_name: Option<String>,
    pub lead_id: String,
    pub lead_name: String,
    pub stage_changed_at: DateTime<FixedOffset>,
}

/// A sum of money in one currency (totals never mix currencies).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MoneyTotal {
    pub currency: String,
    pub value: Decimal,
    pub count: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DealPage {
    pub items: Vec<DealRow>,
    pub total: i64,
    pub page: u32,
    pub page_size: i64,
    /// The filtered deals' value, per currency.
    pub sums: Vec<MoneyTotal>,
    pub stages: Vec<StageInfo>,
    pub owners: Vec<OwnerChoice>,
    pub can_create: bool,
    /// The leads a new deal may be for (the most recently changed the viewer sees), as
    /// `(id, "name — company")`.
    pub lead_choices: Vec<OwnerChoice>,
}

/// A conversation in a record's list (the analysis pages come later).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConversationItem {
    pub id: String,
    pub channel: domain::ConversationChannel,
    pub agent_name: String,
    pub date: DateTime<FixedOffset>,
    pub summary: Option<String>,
    pub playbook_score: Option<f64>,
    pub sentiment: Option<domain::ConversationSentiment>,
}

/// One change of the record, from the audit log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryItem {
    pub action: String,
    pub actor: String,
    pub at: DateTime<FixedOffset>,
    /// `field: before → after` lines, secrets redacted.
    pub changes: Vec<(String, String, String)>,
}

/// What the lead's page shows and its form edits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeadDetail {
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
    pub owner_id: Option<String>,
    pub owner_name: Option<String>,
    pub custom_fields: Vec<(String, String)>,
    pub created_at: DateTime<FixedOffset>,
    pub updated_at: DateTime<FixedOffset>,
    pub deals: Vec<DealRow>,
    pub conversations: Vec<ConversationItem>,
    pub history: Vec<HistoryItem>,
    pub can_edit: bool,
    /// Whom the owner field offers (empty when the viewer cannot reassign).
    pub owners: Vec<OwnerChoice>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DealDetail {
    pub deal: DealRow,
    pub external_id: Option<String>,
    pub owner_id: Option<String>,
    /// The deal's own probability, when set (else the stage's applies).
    pub own_probability: Option<Decimal>,
    pub custom_fields: Vec<(String, String)>,
    pub created_at: DateTime<FixedOffset>,
    pub conversations: Vec<ConversationItem>,
    pub history: Vec<HistoryItem>,
    pub stages: Vec<StageInfo>,
    pub owners: Vec<OwnerChoice>,
    pub can_edit: bool,
}

/// A card on the board.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BoardCard {
    pub id: String,
    pub title: String,
    pub value: Decimal,
    pub currency: String,
    pub lead_name: String,
    pub owner_name: Option<String>,
    pub days_in_stage: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BoardColumn {
    pub stage: StageInfo,
    pub cards: Vec<BoardCard>,
    /// Deals in the stage in all (the column shows the most recent ones).
    pub count: i64,
    pub sums: Vec<MoneyTotal>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Board {
    pub columns: Vec<BoardColumn>,
    pub can_move: bool,
    pub currency: String,
}

/// Open and weighted pipeline of one stage or owner, in the company's currency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForecastLine {
    pub label: String,
    pub count: i64,
    pub open: Decimal,
    pub weighted: Decimal,
}

/// Won revenue this month of one squad against its monthly target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SquadProgress {
    pub squad: String,
    pub won: Decimal,
    pub target: Option<Decimal>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Forecast {
    pub currency: String,
    pub by_stage: Vec<ForecastLine>,
    pub by_owner: Vec<ForecastLine>,
    pub squads: Vec<SquadProgress>,
    pub open_total: Decimal,
    pub weighted_total: Decimal,
    pub won_this_month: Decimal,
    /// Open deals in other currencies, left out of the totals above (no exchange rates).
    pub other_currencies: Vec<MoneyTotal>,
    /// The month the "won" figures are for, `YYYY-MM`, in the company's time zone.
    pub month: String,
}
