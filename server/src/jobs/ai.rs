//! Which analyser a company's conversations get, and what an LLM call leaves behind: `ai_usage`
//! rows with their estimated cost, and one AI_RATE_LIMIT alert when a provider keeps refusing.
//!
//! The LLM analyses when the company has `ai_analysis` on and an ACTIVE integration of type AI
//! (OPENAI, ANTHROPIC or GEMINI) whose sealed config (`{"api_key": ...}`, see the `vault` crate)
//! opens; its `settings.model` names the model. Anything else, the built-in analyser.

use std::sync::Arc;

use analyser::llm::{
    AnalysisSource, ApiKey, LlmAnalyser, LlmConfig, PriceTable, Provider, RetryPolicy,
};
use analyser::{Analysis, ConversationInput, Playbook};
use db::{DbError, TenantTx};
use domain::IntegrationProvider;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::json;
use zeroize::Zeroizing;

use super::JobError;
use crate::config::{AiBaseUrls, Config};

/// `ai_usage.feature` of conversation analysis.
pub const FEATURE_CONVERSATION_ANALYSIS: &str = "conversation_analysis";

/// Conversations per transaction when an LLM analyses them (each call takes seconds).
const LLM_BATCH: i64 = 10;

/// What the worker needs to call LLM providers; cheap to clone.
#[derive(Clone)]
pub struct AiSettings {
    keyring: Arc<vault::Keyring>,
    prices: Arc<PriceTable>,
    base_urls: AiBaseUrls,
    retry: RetryPolicy,
}

impl AiSettings {
    pub fn new(
        keyring: vault::Keyring,
        prices: PriceTable,
        base_urls: AiBaseUrls,
        retry: RetryPolicy,
    ) -> Self {
        Self {
            keyring: Arc::new(keyring),
            prices: Arc::new(prices),
            base_urls,
            retry,
        }
    }

    /// From the server's configuration; a price file that does not parse falls back to the built-in
    /// table with an error in the log (costs of unknown models are then recorded as zero).
    pub fn from_config(config: &Config) -> Self {
        let prices = match &config.ai_prices {
            Some(text) => PriceTable::from_toml(text).unwrap_or_else(|err| {
                tracing::error!(error = %err, "AI_PRICES_FILE does not parse; using the shipped prices");
                shipped_prices()
            }),
            None => shipped_prices(),
        };
        Self::new(
            config.integration_keys.clone(),
            prices,
            config.ai_base_urls.clone(),
            RetryPolicy::default(),
        )
    }

    pub fn keyring(&self) -> &vault::Keyring {
        &self.keyring
    }

    /// The analyser for the transaction's company.
    pub(super) async fn engine_for(&self, tx: &mut TenantTx) -> Result<Engine, JobError> {
        let company_id = tx.company_id().to_owned();
        let ai_on = app::company::server::feature_on(tx, app::company::Feature::AiAnalysis).await?;
        if !ai_on {
            return Ok(Engine::Builtin);
        }
        let integration = sqlx::query!(
            r#"SELECT id, provider AS "provider: IntegrationProvider", encrypted_config, settings
               FROM integrations
               WHERE company_id = $1 AND type = 'AI' AND status = 'ACTIVE'
                 AND provider IN ('OPENAI', 'ANTHROPIC', 'GEMINI')
               ORDER BY updated_at DESC, id
               LIMIT 1"#,
            company_id
        )
        .fetch_optional(&mut **tx)
        .await
        .map_err(DbError::from)?;
        let Some(integration) = integration else {
            return Ok(Engine::Builtin);
        };
        let provider = match integration.provider {
            IntegrationProvider::Openai => Provider::OpenAi,
            IntegrationProvider::Anthropic => Provider::Anthropic,
            _ => Provider::Gemini,
        };
        let binding = vault::Binding {
            company_id: &company_id,
            integration_id: &integration.id,
        };
        let secrets: Result<AiSecrets, _> = self
            .keyring
            .open_json(&binding, &integration.encrypted_config);
        let secrets = match secrets {
            Ok(secrets) => secrets,
            Err(err) => {
                // Never the credentials themselves: the vault's errors do not quote them.
                tracing::error!(error = %err, integration_id = %integration.id, "AI integration credentials do not open");
                return Ok(Engine::Unavailable {
                    note: "the AI integration's credentials could not be opened; built-in analysis"
                        .into(),
                });
            }
        };
        let model = integration
            .settings
            .get("model")
            .and_then(|m| m.as_str())
            .map(str::to_owned)
            .unwrap_or_else(|| app::integrations::default_model(integration.provider).to_owned());
        let base_url = self.base_urls.for_provider(provider).map(str::to_owned);
        let mut config = LlmConfig::new(provider, model, ApiKey::new(secrets.api_key.as_str()));
        if let Some(base_url) = base_url {
            config.base_url = base_url;
        }
        match LlmAnalyser::new(config, self.retry) {
            Ok(analyser) => Ok(Engine::Llm(Box::new(LlmEngine {
                analyser,
                integration_id: integration.id,
                prices: self.prices.clone(),
                given_up: None,
                last_note: None,
                used: false,
            }))),
            Err(err) => {
                tracing::error!(error = %err, "cannot build the LLM client");
                Ok(Engine::Unavailable {
                    note: "the AI integration could not be used; built-in analysis".into(),
                })
            }
        }
    }
}

fn shipped_prices() -> PriceTable {
    PriceTable::shipped().unwrap_or_else(|err| {
        tracing::error!(error = %err, "the shipped price table does not parse; costs are recorded as zero");
        PriceTable::default()
    })
}

#[derive(Deserialize)]
struct AiSecrets {
    api_key: Zeroizing<String>,
}

/// One `ai_usage` row.
#[derive(Debug, Clone, PartialEq)]
pub struct UsageRow {
    pub provider: &'static str,
    pub model: String,
    pub prompt_tokens: i32,
    pub completion_tokens: i32,
    pub total_tokens: i32,
    pub estimated_cost_usd: Decimal,
}

/// What one conversation's analysis gave.
pub(super) struct EngineOutcome {
    pub analysis: Analysis,
    /// `builtin` or `llm`, for `analysis_details.source`.
    pub source: &'static str,
    pub usages: Vec<UsageRow>,
    pub note: Option<String>,
}

pub(super) struct LlmEngine {
    analyser: LlmAnalyser,
    integration_id: String,
    /// Whether the provider was called in this run, and why its last answer was not used.
    used: bool,
    last_note: Option<String>,
    prices: Arc<PriceTable>,
    /// Set when the provider kept refusing (rate limit) or the quota is spent: the rest of the run
    /// uses the built-in analyser, and the alert is raised once.
    given_up: Option<GaveUp>,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) struct GaveUp {
    pub provider: &'static str,
    pub model: String,
    pub quota: bool,
    pub alerted: bool,
}

pub(super) enum Engine {
    Builtin,
    /// AI is on but its integration cannot be used: built-in results, with the reason noted.
    Unavailable {
        note: String,
    },
    Llm(Box<LlmEngine>),
}

impl Engine {
    pub fn batch_size(&self) -> Option<i64> {
        matches!(self, Engine::Llm(_)).then_some(LLM_BATCH)
    }

    pub async fn analyse(
        &mut self,
        input: &ConversationInput,
        playbook: &Playbook,
        builtin: Analysis,
    ) -> EngineOutcome {
        let llm = match self {
            Engine::Builtin => {
                return EngineOutcome {
                    analysis: builtin,
                    source: "builtin",
                    usages: Vec::new(),
                    note: None,
                };
            }
            Engine::Unavailable { note } => {
                return EngineOutcome {
                    analysis: builtin,
                    source: "builtin",
                    usages: Vec::new(),
                    note: Some(note.clone()),
                };
            }
            Engine::Llm(llm) => llm,
        };
        if llm.given_up.is_some() {
            return EngineOutcome {
                analysis: builtin,
                source: "builtin",
                usages: Vec::new(),
                note: Some(
                    "the AI provider refused further calls in this run; built-in analysis".into(),
                ),
            };
        }
        let outcome = llm.analyser.analyse(input, playbook, builtin).await;
        llm.used = true;
        llm.last_note = outcome.note.clone();
        let usages = outcome
            .usages
            .iter()
            .map(|usage| UsageRow {
                provider: usage.provider.as_str(),
                model: usage.model.clone(),
                prompt_tokens: clamp(usage.prompt_tokens),
                completion_tokens: clamp(usage.completion_tokens),
                total_tokens: clamp(usage.total_tokens),
                estimated_cost_usd: llm.prices.estimate(usage).estimated_cost_usd,
            })
            .collect();
        if outcome.rate_limited_gave_up || outcome.quota_exhausted {
            llm.given_up = Some(GaveUp {
                provider: llm.analyser.config().provider.as_str(),
                model: llm.analyser.config().model.clone(),
                quota: outcome.quota_exhausted,
                alerted: false,
            });
        }
        EngineOutcome {
            source: match outcome.source {
                AnalysisSource::Llm => "llm",
                AnalysisSource::Builtin => "builtin",
            },
            analysis: outcome.analysis,
            usages,
            note: outcome.note,
        }
    }

    /// Shows on the integration when the provider was last used and how its last call went.
    pub async fn record_use(&self, tx: &mut TenantTx) -> Result<(), DbError> {
        let Engine::Llm(llm) = self else {
            return Ok(());
        };
        if !llm.used {
            return Ok(());
        }
        let company_id = tx.company_id().to_owned();
        sqlx::query!(
            "UPDATE integrations SET last_sync_at = now(), last_error = $3
             WHERE company_id = $1 AND id = $2",
            company_id,
            llm.integration_id,
            llm.last_note
        )
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    /// The alert to raise, once per run, when the provider gave up.
    pub fn take_alert(&mut self) -> Option<GaveUp> {
        let Engine::Llm(llm) = self else {
            return None;
        };
        let given_up = llm.given_up.as_mut()?;
        if given_up.alerted {
            return None;
        }
        given_up.alerted = true;
        Some(given_up.clone())
    }
}

fn clamp(tokens: u32) -> i32 {
    i32::try_from(tokens).unwrap_or(i32::MAX)
}

/// Writes the `ai_usage` rows of a batch in one statement, in the month they happened (UTC).
pub(super) async fn record_usage(
    tx: &mut TenantTx,
    usages: &[UsageRow],
    feature: &str,
) -> Result<(), DbError> {
    if usages.is_empty() {
        return Ok(());
    }
    let company_id = tx.company_id().to_owned();
    let providers: Vec<&str> = usages.iter().map(|u| u.provider).collect();
    let models: Vec<&str> = usages.iter().map(|u| u.model.as_str()).collect();
    let prompt: Vec<i32> = usages.iter().map(|u| u.prompt_tokens).collect();
    let completion: Vec<i32> = usages.iter().map(|u| u.completion_tokens).collect();
    let total: Vec<i32> = usages.iter().map(|u| u.total_tokens).collect();
    let costs: Vec<Decimal> = usages.iter().map(|u| u.estimated_cost_usd).collect();
    sqlx::query!(
        "INSERT INTO ai_usage (company_id, provider, model, prompt_tokens, completion_tokens,
                               total_tokens, estimated_cost_usd, feature, period_month)
         SELECT $1, u.provider, u.model, u.prompt, u.completion, u.total, u.cost, $8,
                to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM')
         FROM UNNEST($2::text[], $3::text[], $4::int4[], $5::int4[], $6::int4[], $7::numeric[])
              AS u(provider, model, prompt, completion, total, cost)",
        company_id,
        &providers as &[&str],
        &models as &[&str],
        &prompt,
        &completion,
        &total,
        &costs,
        feature
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Raises one AI_RATE_LIMIT alert for the directors; none while one for this provider is open.
pub(super) async fn raise_alert(tx: &mut TenantTx, gave_up: &GaveUp) -> Result<(), DbError> {
    let company_id = tx.company_id().to_owned();
    let (title, message) = if gave_up.quota {
        (
            "Cota do provedor de IA esgotada",
            format!(
                "O provedor {} recusou as análises por cota ou crédito esgotado (modelo {}). As conversas seguem com a análise embutida até a cota ser renovada.",
                gave_up.provider, gave_up.model
            ),
        )
    } else {
        (
            "Limite de requisições do provedor de IA",
            format!(
                "O provedor {} limitou as requisições e as tentativas se esgotaram (modelo {}). As conversas desta rodada ficaram com a análise embutida.",
                gave_up.provider, gave_up.model
            ),
        )
    };
    let data =
        json!({ "provider": gave_up.provider, "model": gave_up.model, "quota": gave_up.quota });
    sqlx::query!(
        "INSERT INTO alerts (company_id, type, priority, title, message, entity_type, dedup_key, data)
         VALUES ($1, 'AI_RATE_LIMIT', 'HIGH', $2, $3, 'integration', $4, $5)
         ON CONFLICT (company_id, dedup_key) WHERE status <> 'ACKNOWLEDGED' DO NOTHING",
        company_id,
        title,
        message,
        format!("ai_rate_limit:{}", gave_up.provider),
        data
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}
