//! A company's own configuration: name, domain, time zone and currency, its feature flags and
//! settings (PRODUCT.md "Feature flags and settings"), and its pipeline stages.
//!
//! One feature folder serves two doors: the company settings page of a DIRECTOR (`/{slug}/settings`)
//! and the staff console's page of a company (`/admin/companies/{slug}`). Both reach the company
//! through the same tenant context (staff may enter any tenant), so the rules and the audit are
//! the same; only what may be switched differs (see [`crate::policy::may_set_feature`]).

pub mod api;
pub mod components;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod server;

use domain::StageKind;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The per-company switches of PRODUCT.md, each read on the server by its feature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Feature {
    AiAnalysis,
    Bots,
    AutoCrmFill,
    PlaybookGeneration,
    RankingVisibility,
}

impl Feature {
    pub const ALL: [Feature; 5] = [
        Feature::AiAnalysis,
        Feature::Bots,
        Feature::AutoCrmFill,
        Feature::PlaybookGeneration,
        Feature::RankingVisibility,
    ];

    /// The key in `companies.features` (and the form field's name).
    pub const fn key(self) -> &'static str {
        match self {
            Feature::AiAnalysis => "ai_analysis",
            Feature::Bots => "bots",
            Feature::AutoCrmFill => "auto_crm_fill",
            Feature::PlaybookGeneration => "playbook_generation",
            Feature::RankingVisibility => "ranking_visibility",
        }
    }

    /// The value a company has when its JSON does not mention the flag (the column's default).
    pub const fn default_on(self) -> bool {
        !matches!(self, Feature::RankingVisibility)
    }
}

/// How often the company's data export runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BackupInterval {
    Daily,
    Weekly,
    Monthly,
}

impl BackupInterval {
    pub const ALL: [BackupInterval; 3] = [
        BackupInterval::Daily,
        BackupInterval::Weekly,
        BackupInterval::Monthly,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            BackupInterval::Daily => "daily",
            BackupInterval::Weekly => "weekly",
            BackupInterval::Monthly => "monthly",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|b| b.as_str() == value.trim())
    }
}

/// CRM polling may not run more often than this.
pub const MIN_POLLING_SECONDS: i64 = 60;
/// Nor less often than once a day.
pub const MAX_POLLING_SECONDS: i64 = 86_400;
pub const MAX_COMPANY_NAME_CHARS: usize = 120;

/// One flag as a page shows it: its value, and whether the viewer may switch it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeatureState {
    pub feature: Feature,
    pub on: bool,
    pub editable: bool,
}

/// A pipeline stage as the editor shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageView {
    pub id: String,
    pub key: String,
    pub name: String,
    pub probability: Decimal,
    pub kind: StageKind,
    /// Deals in this stage: a stage with deals cannot be removed.
    pub deal_count: i64,
}

/// Everything the settings page (and the console's company page) shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompanySettings {
    pub id: String,
    pub name: String,
    pub slug: String,
    pub domain: Option<String>,
    pub timezone: String,
    pub currency: String,
    pub features: Vec<FeatureState>,
    pub polling_interval: i64,
    pub backup_interval: BackupInterval,
    pub stages: Vec<StageView>,
    /// Whether the viewer may change the company (name, settings, stages).
    pub can_edit: bool,
}

/// Typed text that is not a host name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotADomain;

/// A domain as typed (`https://Acme.com.br/`, ` acme.com.br `) made canonical (`acme.com.br`);
/// `Ok(None)` for an empty field.
pub fn normalise_domain(input: &str) -> Result<Option<String>, NotADomain> {
    let trimmed = input.trim().to_lowercase();
    let host = trimmed
        .strip_prefix("https://")
        .or_else(|| trimmed.strip_prefix("http://"))
        .unwrap_or(&trimmed);
    let host = host.trim_end_matches('/');
    if host.is_empty() {
        return Ok(None);
    }
    let labels: Vec<&str> = host.split('.').collect();
    let label_ok = |l: &&str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    };
    let tld_ok = labels
        .last()
        .is_some_and(|tld| tld.len() >= 2 && tld.bytes().all(|b| b.is_ascii_lowercase()));
    if host.len() > 253 || labels.len() < 2 || !labels.iter().all(label_ok) || !tld_ok {
        return Err(NotADomain);
    }
    Ok(Some(host.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_are_stored_as_bare_lowercase_host_names() {
        assert_eq!(
            normalise_domain(" https://Acme.com.br/ "),
            Ok(Some("acme.com.br".into()))
        );
        assert_eq!(
            normalise_domain("globex.com"),
            Ok(Some("globex.com".into()))
        );
        assert_eq!(normalise_domain(""), Ok(None));
        for bad in [
            "acme",
            "acme..com",
            "-acme.com",
            "acme.com/path",
            "acme .com",
            "acme.c0m",
            "user@acme.com",
        ] {
            assert_eq!(normalise_domain(bad), Err(NotADomain), "{bad}");
        }
    }

    #[test]
    fn every_flag_has_its_own_key_and_only_the_ranking_starts_off() {
        let keys: std::collections::HashSet<_> = Feature::ALL.iter().map(|f| f.key()).collect();
        assert_eq!(keys.len(), Feature::ALL.len());
        assert_eq!(
            Feature::ALL
                .iter()
                .filter(|f| !f.default_on())
                .collect::<Vec<_>>(),
            vec![&Feature::RankingVisibility]
        );
    }

    #[test]
    fn backup_intervals_read_their_own_spelling_only() {
        for b in BackupInterval::ALL {
            assert_eq!(BackupInterval::parse(b.as_str()), Some(b));
        }
        assert_eq!(BackupInterval::parse("hourly"), None);
    }
}
