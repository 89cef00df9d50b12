//! The company's home (`/{slug}`): won revenue this month against each squad's target, the
//! pipeline by stage and the weighted forecast, as SVG charts drawn on the server (readable
//! without JavaScript, numbers on hover and focus); and the ranking (`/{slug}/ranking`): agents
//! by revenue and deals won in a period. With `ranking_visibility` off an AGENT sees only their
//! own position, never the others' names or figures.

pub mod api;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod server;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// One agent's line in the ranking.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RankingRow {
    pub position: i64,
    pub user_id: String,
    pub name: String,
    pub revenue: Decimal,
    pub deals_won: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ranking {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub currency: String,
    /// Everyone's lines, or only the viewer's when the company hides the ranking from agents.
    pub rows: Vec<RankingRow>,
    /// How many agents are ranked.
    pub of: i64,
    /// The viewer's own line, when they are ranked.
    pub mine: Option<RankingRow>,
    /// Whether `rows` were cut to the viewer's own (ranking_visibility off, viewer an AGENT).
    pub hidden: bool,
}
