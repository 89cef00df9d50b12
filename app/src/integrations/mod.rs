//! A company's integrations (`/{slug}/integrations`, DIRECTOR and staff): the AI provider that
//! analyses its conversations (PRODUCT.md features 4 and 5), and how the analysis of its
//! conversations is going, with a re-analysis on demand.
//!
//! Credentials are sealed with the server's keyring (`vault` crate: AES-256-GCM, the company and
//! integration ids as associated data) as soon as they arrive, and are never sent back to the
//! browser, logged or written to the audit log: a form shows only whether a key is stored.

pub mod api;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod server;

use chrono::{DateTime, Utc};
use domain::{IntegrationProvider, IntegrationStatus, IntegrationType};
use serde::{Deserialize, Serialize};

/// The providers an AI integration may use, in the order the form offers them.
pub const AI_PROVIDERS: [IntegrationProvider; 3] = [
    IntegrationProvider::Openai,
    IntegrationProvider::Anthropic,
    IntegrationProvider::Gemini,
];

/// The CRM providers, in the order the form offers them.
pub const CRM_PROVIDERS: [IntegrationProvider; 5] = [
    IntegrationProvider::Hubspot,
    IntegrationProvider::Pipedrive,
    IntegrationProvider::Zoho,
    IntegrationProvider::Salesforce,
    IntegrationProvider::CustomApi,
];

/// The longest integration name.
pub const MAX_NAME_CHARS: usize = 80;

/// The provider's name as its makers write it (the same in every language).
pub fn provider_name(provider: IntegrationProvider) -> &'static str {
    match provider {
        IntegrationProvider::Openai => "OpenAI",
        IntegrationProvider::Anthropic => "Anthropic",
        IntegrationProvider::Gemini => "Google Gemini",
        IntegrationProvider::Hubspot => "HubSpot",
        IntegrationProvider::Pipedrive => "Pipedrive",
        IntegrationProvider::Zoho => "Zoho CRM",
        IntegrationProvider::Salesforce => "Salesforce",
        IntegrationProvider::CustomApi => "API própria",
        IntegrationProvider::WhatsappOfficial => "WhatsApp Business",
        IntegrationProvider::WhatsappUnofficial => "WhatsApp",
        IntegrationProvider::Twilio => "Twilio",
        IntegrationProvider::Smtp => "SMTP",
        IntegrationProvider::GoogleMeet => "Google Meet",
        IntegrationProvider::Zoom => "Zoom",
    }
}

/// The model an AI integration uses when its form leaves the model blank: each provider's fast,
/// inexpensive model, which analysing every call of a team calls for.
pub fn default_model(provider: IntegrationProvider) -> &'static str {
    match provider {
        IntegrationProvider::Anthropic => "claude-haiku-4-5",
        IntegrationProvider::Gemini => "gemini-2.5-flash",
        _ => "gpt-4o-mini",
    }
}

/// One integration as the page lists it: never its credentials.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IntegrationView {
    pub id: String,
    pub kind: IntegrationType,
    pub provider: IntegrationProvider,
    pub name: String,
    pub status: IntegrationStatus,
    /// The AI model, for AI integrations.
    pub model: Option<String>,
    pub last_sync_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub updated_at: DateTime<Utc>,
    /// CRM: provider stage → company stage key (`settings.stage_mapping`), one `a = b` per line.
    pub stage_mapping: String,
    /// CRM: the non-secret settings the form shows again (domain, region URLs, client id…).
    pub public_config: Vec<(String, String)>,
}

/// How the analysis of the company's conversations stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnalysisOverview {
    pub total: i64,
    pub analysed: i64,
    pub pending: i64,
    /// Analysed by an LLM rather than the built-in analyser.
    pub by_llm: i64,
    /// `jobs.status` of the company's analysis job (QUEUED, RUNNING, DONE, FAILED), if it ever ran.
    pub job_status: Option<String>,
    pub last_finished_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    /// `ai_analysis` is on for the company.
    pub ai_analysis_on: bool,
    /// The active AI integration that analyses, as "Provider · model".
    pub engine: Option<String>,
}

/// Everything the integrations page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IntegrationsView {
    pub integrations: Vec<IntegrationView>,
    pub analysis: AnalysisOverview,
    /// The company's pipeline stages (key, name), for the CRM stage mapping.
    pub stages: Vec<(String, String)>,
}

/// What a connection test found, in terms the page translates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ConnectionCheck {
    Works,
    /// The provider refused the key.
    Unauthorized,
    /// The provider does not know the model.
    UnknownModel,
    RateLimited,
    QuotaExhausted,
    /// No answer, or not one the provider's API gives.
    Unreachable,
    /// The connected CRM user or app may not read leads and deals.
    PermissionMissing,
    /// The CRM account, domain or address does not exist.
    AccountNotFound,
    /// A private or internal address, refused outside development.
    AddressNotAllowed,
    /// The CRM answered with an error of its own; try later.
    ProviderUnavailable,
    /// The settings cannot work (a custom API's paths, a missing field).
    Misconfigured,
}
