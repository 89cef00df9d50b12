//! Server side of a company's integrations: listing, saving an AI integration with its key sealed,
//! switching one on or off, testing it, and the conversation analysis overview and re-analysis.
//! Each change is one tenant transaction with its audit row (credentials never in it).

use chrono::{DateTime, Utc};
use db::{TenantCtx, TenantTx};
use domain::{IntegrationProvider, IntegrationStatus, IntegrationType};
use serde_json::{Value, json};

use super::{
    AI_PROVIDERS, AnalysisOverview, ConnectionCheck, IntegrationView, IntegrationsView,
    MAX_NAME_CHARS, default_model, provider_name,
};
use crate::audit::server::{Change, RequestMeta, record_company_change};
use crate::error::AppError;
use crate::state::AppState;
use crate::validation::invalid;

/// An AI integration as its form submits it. An empty `id` creates one; an empty `api_key` on an
/// existing one keeps the stored key.
#[derive(Clone)]
pub struct AiIntegrationInput {
    pub id: String,
    pub provider: String,
    pub name: String,
    pub model: String,
    pub api_key: String,
}

impl std::fmt::Debug for AiIntegrationInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AiIntegrationInput")
            .field("id", &self.id)
            .field("provider", &self.provider)
            .field("name", &self.name)
            .field("model", &self.model)
            .field("api_key", &"[redacted]")
            .finish()
    }
}

/// The checked form: provider, name, model (the provider's default when blank), key (if given).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedAiIntegration {
    pub provider: IntegrationProvider,
    pub name: String,
    pub model: String,
    pub api_key: Option<String>,
}

pub fn check_ai_integration(input: &AiIntegrationInput) -> Result<CheckedAiIntegration, AppError> {
    let provider = input
        .provider
        .parse::<IntegrationProvider>()
        .ok()
        .filter(|p| AI_PROVIDERS.contains(p))
        .ok_or_else(|| invalid("provider", "invalid"))?;
    let name = input.name.trim();
    if name.is_empty() {
        return Err(invalid("name", "required"));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(invalid("name", "too_long"));
    }
    let model = match input.model.trim() {
        "" => default_model(provider).to_owned(),
        model if is_model_id(model) => model.to_owned(),
        _ => return Err(invalid("model", "invalid")),
    };
    let api_key = match input.api_key.trim() {
        "" if input.id.is_empty() => return Err(invalid("api_key", "required")),
        "" => None,
        key if key.len() > 500 || key.chars().any(|c| c.is_control() || c == ' ') => {
            return Err(invalid("api_key", "invalid"));
        }
        key => Some(key.to_owned()),
    };
    Ok(CheckedAiIntegration {
        provider,
        name: name.to_owned(),
        model,
        api_key,
    })
}

/// Model ids as the providers write them (`gpt-4o-mini`, `claude-haiku-4-5`, `models/gemini-2.5-flash`).
fn is_model_id(model: &str) -> bool {
    let id = model.strip_prefix("models/").unwrap_or(model);
    !id.is_empty()
        && id.len() <= 100
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ':'))
}

fn model_of(settings: &Value) -> Option<String> {
    settings
        .get("model")
        .and_then(Value::as_str)
        .map(str::to_owned)
}

pub async fn load(state: &AppState, ctx: &TenantCtx) -> Result<IntegrationsView, AppError> {
    let mut tx = state.db.begin(ctx).await?;
    let integrations = list(&mut tx).await?;
    let analysis = analysis_overview(&mut tx, &integrations).await?;
    let stages = crate::pipeline::server::stages(&mut tx)
        .await?
        .into_iter()
        .map(|s| (s.key, s.name))
        .collect();
    tx.commit().await?;
    Ok(IntegrationsView {
        integrations,
        analysis,
        stages,
    })
}

fn stage_mapping_text(settings: &Value) -> String {
    settings
        .get("stage_mapping")
        .and_then(Value::as_object)
        .map(|map| {
            map.iter()
                .filter_map(|(k, v)| v.as_str().map(|v| format!("{k} = {v}")))
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default()
}

fn public_config(settings: &Value) -> Vec<(String, String)> {
    settings
        .get("public")
        .and_then(Value::as_object)
        .map(|map| {
            map.iter()
                .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_owned())))
                .collect()
        })
        .unwrap_or_default()
}

async fn list(tx: &mut TenantTx) -> Result<Vec<IntegrationView>, AppError> {
    let company_id = tx.company_id().to_owned();
    let rows = sqlx::query!(
        r#"SELECT id, type AS "kind: IntegrationType", provider AS "provider: IntegrationProvider",
                  name, status AS "status: IntegrationStatus", settings,
                  last_sync_at AS "last_sync_at: DateTime<Utc>", last_error,
                  updated_at AS "updated_at: DateTime<Utc>"
           FROM integrations WHERE company_id = $1
           ORDER BY type, name, id"#,
        company_id
    )
    .fetch_all(&mut **tx)
    .await
    .map_err(db::DbError::from)?;
    Ok(rows
        .into_iter()
        .map(|r| IntegrationView {
            stage_mapping: stage_mapping_text(&r.settings),
            public_config: public_config(&r.settings),
            model: (r.kind == IntegrationType::Ai)
                .then(|| model_of(&r.settings))
                .flatten(),
            id: r.id,
            kind: r.kind,
            provider: r.provider,
            name: r.name,
            status: r.status,
            last_sync_at: r.last_sync_at,
            last_error: r.last_error,
            updated_at: r.updated_at,
        })
        .collect())
}

async fn analysis_overview(
    tx: &mut TenantTx,
    integrations: &[IntegrationView],
) -> Result<AnalysisOverview, AppError> {
    let company_id = tx.company_id().to_owned();
    let counts = sqlx::query!(
        r#"SELECT count(*) AS "total!",
                  count(*) FILTER (WHERE processed_at IS NOT NULL) AS "analysed!",
                  count(*) FILTER (WHERE analysed_by LIKE 'llm/%' AND processed_at IS NOT NULL) AS "by_llm!"
           FROM conversations WHERE company_id = $1"#,
        company_id
    )
    .fetch_one(&mut **tx)
    .await
    .map_err(db::DbError::from)?;
    let ai_analysis_on =
        crate::company::server::feature_on(tx, crate::company::Feature::AiAnalysis).await?;
    let job = db::jobs::job_status(tx, db::jobs::kind::ANALYSE_CONVERSATIONS).await?;
    // The same choice the analysis job makes: the most recently changed ACTIVE AI integration.
    let engine = integrations
        .iter()
        .filter(|i| i.kind == IntegrationType::Ai && i.status == IntegrationStatus::Active)
        .max_by(|a, b| a.updated_at.cmp(&b.updated_at))
        .filter(|_| ai_analysis_on)
        .map(|i| {
            format!(
                "{} · {}",
                provider_name(i.provider),
                i.model.clone().unwrap_or_default()
            )
        });
    Ok(AnalysisOverview {
        total: counts.total,
        analysed: counts.analysed,
        pending: counts.total - counts.analysed,
        by_llm: counts.by_llm,
        job_status: job.as_ref().map(|j| j.status.clone()),
        last_finished_at: job.as_ref().and_then(|j| j.last_finished_at),
        last_error: job.and_then(|j| j.last_error),
        ai_analysis_on,
        engine,
    })
}

/// One AI integration analyses at a time: switching `id` on switches the company's others off.
async fn deactivate_other_ai(tx: &mut TenantTx, id: &str) -> Result<(), AppError> {
    let company_id = tx.company_id().to_owned();
    sqlx::query!(
        "UPDATE integrations SET status = 'INACTIVE'
         WHERE company_id = $1 AND type = 'AI' AND id <> $2 AND status = 'ACTIVE'",
        company_id,
        id
    )
    .execute(&mut **tx)
    .await
    .map_err(db::DbError::from)?;
    Ok(())
}

/// Creates or updates an AI integration. Saving one makes it the company's active AI integration
/// (the others of type AI become INACTIVE), so which provider analyses is never ambiguous.
pub async fn save_ai(
    state: &AppState,
    ctx: &TenantCtx,
    input: AiIntegrationInput,
    meta: &RequestMeta,
) -> Result<String, AppError> {
    let checked = check_ai_integration(&input)?;
    let mut tx = state.db.begin(ctx).await?;
    let company_id = tx.company_id().to_owned();
    let (id, before) = if input.id.is_empty() {
        let id = sqlx::query_scalar!(r#"SELECT performancy_id() AS "id!""#)
            .fetch_one(&mut *tx)
            .await
            .map_err(db::DbError::from)?;
        (id, None)
    } else {
        let row = sqlx::query!(
            r#"SELECT provider AS "provider: IntegrationProvider", name, settings, encrypted_config
               FROM integrations WHERE company_id = $1 AND id = $2 AND type = 'AI' FOR UPDATE"#,
            company_id,
            input.id
        )
        .fetch_optional(&mut *tx)
        .await
        .map_err(db::DbError::from)?
        .ok_or(AppError::NotFound)?;
        // The provider of a stored key cannot change: a key belongs to its provider.
        if row.provider != checked.provider && checked.api_key.is_none() {
            return Err(invalid("api_key", "required"));
        }
        let before = json!({
            "provider": row.provider,
            "name": row.name,
            "model": model_of(&row.settings),
        });
        (input.id.clone(), Some((before, row.encrypted_config)))
    };
    let binding = vault::Binding {
        company_id: &company_id,
        integration_id: &id,
    };
    let sealed = match (&checked.api_key, &before) {
        (Some(key), _) => state
            .keyring
            .seal_json(&binding, &json!({ "api_key": key }))
            .map_err(|err| {
                tracing::error!(error = %err, "sealing an integration's credentials failed");
                AppError::Internal
            })?,
        (None, Some((_, stored))) => stored.clone(),
        (None, None) => return Err(invalid("api_key", "required")),
    };
    let settings = json!({ "model": checked.model });
    deactivate_other_ai(&mut tx, &id).await?;
    sqlx::query!(
        "INSERT INTO integrations (company_id, id, type, provider, name, status, encrypted_config, settings)
         VALUES ($1, $2, 'AI', $3, $4, 'ACTIVE', $5, $6)
         ON CONFLICT (company_id, id) DO UPDATE
         SET provider = EXCLUDED.provider, name = EXCLUDED.name, status = 'ACTIVE',
             encrypted_config = EXCLUDED.encrypted_config, settings = EXCLUDED.settings,
             last_error = NULL",
        company_id,
        id,
        checked.provider as IntegrationProvider,
        checked.name,
        sealed,
        settings
    )
    .execute(&mut *tx)
    .await
    .map_err(db::DbError::from)?;
    let after = json!({
        "provider": checked.provider,
        "name": checked.name,
        "model": checked.model,
        "api_key": if checked.api_key.is_some() { "[changed]" } else { "[kept]" },
    });
    record_company_change(
        &mut tx,
        ctx,
        Change {
            action: if before.is_none() { "create" } else { "update" },
            entity_type: "integration",
            entity_id: &id,
            before: before.map(|(b, _)| b),
            after: Some(after),
        },
        meta,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Switches an integration on or off. Switching an AI integration on switches the others off.
pub async fn set_active(
    state: &AppState,
    ctx: &TenantCtx,
    id: &str,
    active: bool,
    meta: &RequestMeta,
) -> Result<(), AppError> {
    let mut tx = state.db.begin(ctx).await?;
    let company_id = tx.company_id().to_owned();
    let row = sqlx::query!(
        r#"SELECT type AS "kind: IntegrationType", status AS "status: IntegrationStatus"
           FROM integrations WHERE company_id = $1 AND id = $2 FOR UPDATE"#,
        company_id,
        id
    )
    .fetch_optional(&mut *tx)
    .await
    .map_err(db::DbError::from)?
    .ok_or(AppError::NotFound)?;
    let status = if active {
        IntegrationStatus::Active
    } else {
        IntegrationStatus::Inactive
    };
    if active && row.kind == IntegrationType::Ai {
        deactivate_other_ai(&mut tx, id).await?;
    }
    sqlx::query!(
        "UPDATE integrations SET status = $3 WHERE company_id = $1 AND id = $2",
        company_id,
        id,
        status as IntegrationStatus
    )
    .execute(&mut *tx)
    .await
    .map_err(db::DbError::from)?;
    if active && row.kind == IntegrationType::Crm {
        ingest::request_sync(&mut tx, id, false)
            .await
            .map_err(crate::imports::server::refusal)?;
    }
    record_company_change(
        &mut tx,
        ctx,
        Change {
            action: if active { "activate" } else { "deactivate" },
            entity_type: "integration",
            entity_id: id,
            before: Some(json!({ "status": row.status })),
            after: Some(json!({ "status": status })),
        },
        meta,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Makes one cheap call with the stored credentials and says what the provider answered.
pub async fn test_connection(
    state: &AppState,
    ctx: &TenantCtx,
    id: &str,
) -> Result<ConnectionCheck, AppError> {
    let mut tx = state.db.begin(ctx).await?;
    let company_id = tx.company_id().to_owned();
    let kind = sqlx::query_scalar!(
        r#"SELECT type AS "kind: IntegrationType" FROM integrations WHERE company_id = $1 AND id = $2"#,
        company_id,
        id
    )
    .fetch_optional(&mut *tx)
    .await
    .map_err(db::DbError::from)?
    .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    let check = match kind {
        IntegrationType::Ai => test_ai_connection(state, ctx, id).await?,
        IntegrationType::Crm => test_crm_connection(state, ctx, id).await?,
        _ => return Err(AppError::NotFound),
    };
    // What the test found is shown on the integration until the next test or save.
    let mut tx = state.db.begin(ctx).await?;
    let error = (check != ConnectionCheck::Works).then(|| format!("{check:?}"));
    sqlx::query!(
        "UPDATE integrations SET last_error = $3,
             status = CASE WHEN $4 AND status = 'ERROR' THEN 'ACTIVE'::integration_status ELSE status END
         WHERE company_id = $1 AND id = $2",
        company_id,
        id,
        error,
        check == ConnectionCheck::Works
    )
    .execute(&mut *tx)
    .await
    .map_err(db::DbError::from)?;
    tx.commit().await?;
    Ok(check)
}

async fn test_ai_connection(
    state: &AppState,
    ctx: &TenantCtx,
    id: &str,
) -> Result<ConnectionCheck, AppError> {
    let mut tx = state.db.begin(ctx).await?;
    let company_id = tx.company_id().to_owned();
    let row = sqlx::query!(
        r#"SELECT provider AS "provider: IntegrationProvider", encrypted_config, settings
           FROM integrations WHERE company_id = $1 AND id = $2 AND type = 'AI'"#,
        company_id,
        id
    )
    .fetch_optional(&mut *tx)
    .await
    .map_err(db::DbError::from)?
    .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    let binding = vault::Binding {
        company_id: &company_id,
        integration_id: id,
    };
    let secrets: serde_json::Map<String, Value> = state
        .keyring
        .open_json(&binding, &row.encrypted_config)
        .map_err(|err| {
            tracing::error!(error = %err, integration_id = %id, "stored credentials do not open");
            AppError::Internal
        })?;
    let key = secrets
        .get("api_key")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let model = model_of(&row.settings).unwrap_or_else(|| default_model(row.provider).to_owned());
    Ok(llm_check(state, row.provider, &model, key).await)
}

async fn llm_check(
    state: &AppState,
    provider: IntegrationProvider,
    model: &str,
    key: &str,
) -> ConnectionCheck {
    use analyser::llm::{ApiKey, ConnectionProblem, LlmAnalyser, LlmConfig, Provider, RetryPolicy};
    let provider = match provider {
        IntegrationProvider::Anthropic => Provider::Anthropic,
        IntegrationProvider::Gemini => Provider::Gemini,
        _ => Provider::OpenAi,
    };
    let mut config = LlmConfig::new(provider, model, ApiKey::new(key));
    if let Some(base) = state.settings.ai_base_urls.for_provider(provider) {
        config.base_url = base.to_owned();
    }
    config.request_timeout = std::time::Duration::from_secs(20);
    let analyser = match LlmAnalyser::new(config, RetryPolicy::none()) {
        Ok(analyser) => analyser,
        Err(_) => return ConnectionCheck::Unauthorized,
    };
    match analyser.check_connection().await {
        Ok(()) => ConnectionCheck::Works,
        Err(ConnectionProblem::Unauthorized) => ConnectionCheck::Unauthorized,
        Err(ConnectionProblem::UnknownModel) => ConnectionCheck::UnknownModel,
        Err(ConnectionProblem::RateLimited) => ConnectionCheck::RateLimited,
        Err(ConnectionProblem::QuotaExhausted) => ConnectionCheck::QuotaExhausted,
        Err(ConnectionProblem::Unreachable) => ConnectionCheck::Unreachable,
    }
}

/// Marks every conversation of the company for analysis again; the background job takes them.
pub async fn reanalyse(
    state: &AppState,
    ctx: &TenantCtx,
    meta: &RequestMeta,
) -> Result<u64, AppError> {
    let mut tx = state.db.begin(ctx).await?;
    let marked = db::jobs::request_reanalysis(&mut tx).await?;
    let company_id = tx.company_id().to_owned();
    record_company_change(
        &mut tx,
        ctx,
        Change {
            action: "reanalyse",
            entity_type: "conversations",
            entity_id: &company_id,
            before: None,
            after: Some(json!({ "conversations": marked })),
        },
        meta,
    )
    .await?;
    tx.commit().await?;
    Ok(marked)
}

// ------------------------------------------------------------------------------------------------
// CRM integrations

/// A CRM integration as its form submits it. Secret fields left blank keep the stored ones.
#[derive(Clone, Default)]
pub struct CrmIntegrationInput {
    pub id: String,
    pub provider: String,
    pub name: String,
    /// HubSpot access token, Pipedrive API token, or the custom API's auth header value.
    pub token: String,
    pub company_domain: String,
    pub client_id: String,
    pub client_secret: String,
    pub refresh_token: String,
    pub accounts_url: String,
    pub api_domain: String,
    pub instance_url: String,
    pub login_url: String,
    pub auth_header_name: String,
    /// The custom API's endpoints as JSON (`{"leads": {...}, "deals": {...}}`).
    pub custom_config: String,
    /// One `CRM stage = our stage` per line.
    pub stage_mapping: String,
}

impl std::fmt::Debug for CrmIntegrationInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CrmIntegrationInput")
            .field("id", &self.id)
            .field("provider", &self.provider)
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

fn required(field: &str, value: &str) -> Result<String, AppError> {
    match value.trim() {
        "" => Err(invalid(field, "required")),
        text if text.len() > 2_000 => Err(invalid(field, "too_long")),
        text => Ok(text.to_owned()),
    }
}

fn https_url(field: &str, value: &str, development: bool) -> Result<String, AppError> {
    let url = required(field, value)?;
    let ok = url.starts_with("https://") || (development && url.starts_with("http://"));
    if !ok || url.contains(char::is_whitespace) {
        return Err(invalid(field, "url"));
    }
    Ok(url.trim_end_matches('/').to_owned())
}

/// A secret from the form, or the stored one when left blank.
fn secret_or(field: &str, typed: &str, stored: Option<&str>) -> Result<crm::Secret, AppError> {
    match (typed.trim(), stored) {
        ("", Some(stored)) => Ok(crm::Secret::new(stored)),
        ("", None) => Err(invalid(field, "required")),
        (typed, _) => Ok(crm::Secret::new(typed)),
    }
}

/// `CRM stage = our stage` lines → provider stage → company stage key. Our side may be a key or a
/// stage's name (any case, accents as typed).
pub fn parse_stage_mapping(
    text: &str,
    stages: &[(String, String)],
) -> Result<serde_json::Map<String, Value>, AppError> {
    let mut map = serde_json::Map::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let Some((theirs, ours)) = line.split_once('=') else {
            return Err(crate::validation::invalid_about(
                "stage_mapping",
                "line",
                &index.to_string(),
            ));
        };
        let (theirs, ours) = (theirs.trim(), ours.trim());
        let key = stages
            .iter()
            .find(|(key, name)| key == ours || name.to_lowercase() == ours.to_lowercase())
            .map(|(key, _)| key.clone())
            .ok_or_else(|| {
                crate::validation::invalid_about("stage_mapping", "stage", &index.to_string())
            })?;
        if theirs.is_empty() {
            return Err(crate::validation::invalid_about(
                "stage_mapping",
                "line",
                &index.to_string(),
            ));
        }
        map.insert(theirs.to_owned(), Value::String(key));
    }
    Ok(map)
}

/// The credentials of the form, over the stored ones for the secrets left blank.
fn crm_credentials(
    input: &CrmIntegrationInput,
    provider: IntegrationProvider,
    stored: Option<&crm::Credentials>,
    development: bool,
) -> Result<crm::Credentials, AppError> {
    use crm::Credentials as C;
    Ok(match provider {
        IntegrationProvider::Hubspot => {
            let old = match stored {
                Some(C::HubSpot(c)) => Some(c.access_token.expose_secret()),
                _ => None,
            };
            C::HubSpot(crm::HubSpotCredentials {
                access_token: secret_or("token", &input.token, old)?,
            })
        }
        IntegrationProvider::Pipedrive => {
            let old = match stored {
                Some(C::Pipedrive(c)) => Some(c.api_token.expose_secret()),
                _ => None,
            };
            C::Pipedrive(crm::PipedriveCredentials {
                api_token: secret_or("token", &input.token, old)?,
                company_domain: required("company_domain", &input.company_domain)?,
            })
        }
        IntegrationProvider::Zoho => {
            let old = match stored {
                Some(C::Zoho(c)) => Some(c),
                _ => None,
            };
            C::Zoho(crm::ZohoCredentials {
                client_id: required("client_id", &input.client_id)?,
                client_secret: secret_or(
                    "client_secret",
                    &input.client_secret,
                    old.map(|c| c.client_secret.expose_secret()),
                )?,
                refresh_token: secret_or(
                    "refresh_token",
                    &input.refresh_token,
                    old.map(|c| c.refresh_token.expose_secret()),
                )?,
                accounts_url: https_url("accounts_url", &input.accounts_url, development)?,
                api_domain: https_url("api_domain", &input.api_domain, development)?,
                access_token: None,
                access_token_expires_at: None,
                multi_currency: old.is_some_and(|c| c.multi_currency),
            })
        }
        IntegrationProvider::Salesforce => {
            let old = match stored {
                Some(C::Salesforce(c)) => Some(c),
                _ => None,
            };
            C::Salesforce(crm::SalesforceCredentials {
                client_id: required("client_id", &input.client_id)?,
                client_secret: secret_or(
                    "client_secret",
                    &input.client_secret,
                    old.map(|c| c.client_secret.expose_secret()),
                )?,
                refresh_token: secret_or(
                    "refresh_token",
                    &input.refresh_token,
                    old.map(|c| c.refresh_token.expose_secret()),
                )?,
                instance_url: https_url("instance_url", &input.instance_url, development)?,
                login_url: https_url("login_url", &input.login_url, development)?,
                access_token: None,
                api_version: old
                    .map(|c| c.api_version.clone())
                    .unwrap_or_else(|| "62.0".to_owned()),
                multi_currency: old.is_some_and(|c| c.multi_currency),
            })
        }
        _ => {
            let old = match stored {
                Some(C::Custom(c)) => Some(c.auth_header_value.expose_secret()),
                _ => None,
            };
            let mut endpoints: Value = serde_json::from_str(input.custom_config.trim())
                .map_err(|_| invalid("custom_config", "json"))?;
            let Some(object) = endpoints.as_object_mut() else {
                return Err(invalid("custom_config", "json"));
            };
            object.insert(
                "auth_header_name".into(),
                Value::String(required("auth_header_name", &input.auth_header_name)?),
            );
            object.insert(
                "auth_header_value".into(),
                Value::String(
                    secret_or("token", &input.token, old)?
                        .expose_secret()
                        .to_owned(),
                ),
            );
            let config: crm::CustomApiConfig =
                serde_json::from_value(endpoints).map_err(|_| invalid("custom_config", "shape"))?;
            C::Custom(Box::new(config))
        }
    })
}

/// What the form shows again of a CRM integration: everything but the secrets.
fn public_settings(credentials: &crm::Credentials) -> Value {
    use crm::Credentials as C;
    match credentials {
        C::HubSpot(_) => json!({}),
        C::Pipedrive(c) => json!({ "company_domain": c.company_domain }),
        C::Zoho(c) => {
            json!({ "client_id": c.client_id, "accounts_url": c.accounts_url, "api_domain": c.api_domain })
        }
        C::Salesforce(c) => {
            json!({ "client_id": c.client_id, "instance_url": c.instance_url, "login_url": c.login_url })
        }
        C::Custom(c) => {
            let mut endpoints = json!({ "leads": c.leads, "deals": c.deals });
            if let Some(object) = endpoints.as_object_mut() {
                object.retain(|_, v| !v.is_null());
            }
            json!({ "auth_header_name": c.auth_header_name, "custom_config": serde_json::to_string_pretty(&endpoints).unwrap_or_default() })
        }
    }
}

fn crm_http(state: &AppState) -> crm::HttpSettings {
    crm::HttpSettings {
        allow_private_addresses: state.settings.development,
        request_timeout: std::time::Duration::from_secs(20),
        ..crm::HttpSettings::default()
    }
}

/// Creates or updates a CRM integration with its credentials sealed, switches it on and asks for
/// a sync (a full one when it is new or its credentials changed).
pub async fn save_crm(
    state: &AppState,
    ctx: &TenantCtx,
    input: CrmIntegrationInput,
    meta: &RequestMeta,
) -> Result<String, AppError> {
    let provider = input
        .provider
        .parse::<IntegrationProvider>()
        .ok()
        .filter(|p| super::CRM_PROVIDERS.contains(p))
        .ok_or_else(|| invalid("provider", "invalid"))?;
    let name = input.name.trim();
    if name.is_empty() {
        return Err(invalid("name", "required"));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(invalid("name", "too_long"));
    }
    let mut tx = state.db.begin(ctx).await?;
    let company_id = tx.company_id().to_owned();
    let stages: Vec<(String, String)> = crate::pipeline::server::stages(&mut tx)
        .await?
        .into_iter()
        .map(|s| (s.key, s.name))
        .collect();
    let mapping = parse_stage_mapping(&input.stage_mapping, &stages)?;
    let (id, stored, before) = if input.id.is_empty() {
        let id = sqlx::query_scalar!(r#"SELECT performancy_id() AS "id!""#)
            .fetch_one(&mut *tx)
            .await
            .map_err(db::DbError::from)?;
        (id, None, None)
    } else {
        let row = sqlx::query!(
            r#"SELECT provider AS "provider: IntegrationProvider", name, encrypted_config
               FROM integrations WHERE company_id = $1 AND id = $2 AND type = 'CRM' FOR UPDATE"#,
            company_id,
            input.id
        )
        .fetch_optional(&mut *tx)
        .await
        .map_err(db::DbError::from)?
        .ok_or(AppError::NotFound)?;
        let binding = vault::Binding {
            company_id: &company_id,
            integration_id: &input.id,
        };
        let stored: Option<crm::Credentials> = if row.provider == provider {
            state
                .keyring
                .open_json(&binding, &row.encrypted_config)
                .ok()
        } else {
            None
        };
        (
            input.id.clone(),
            stored,
            Some(json!({ "provider": row.provider, "name": row.name })),
        )
    };
    let credentials = crm_credentials(
        &input,
        provider,
        stored.as_ref(),
        state.settings.development,
    )?;
    let changed = stored.as_ref() != Some(&credentials);
    let binding = vault::Binding {
        company_id: &company_id,
        integration_id: &id,
    };
    let sealed = state
        .keyring
        .seal_json(&binding, &credentials)
        .map_err(|err| {
            tracing::error!(error = %err, "sealing CRM credentials failed");
            AppError::Internal
        })?;
    let settings = json!({ "stage_mapping": mapping, "public": public_settings(&credentials) });
    sqlx::query!(
        "INSERT INTO integrations (company_id, id, type, provider, name, status, encrypted_config, settings)
         VALUES ($1, $2, 'CRM', $3, $4, 'ACTIVE', $5, $6)
         ON CONFLICT (company_id, id) DO UPDATE
         SET provider = EXCLUDED.provider, name = EXCLUDED.name, encrypted_config = EXCLUDED.encrypted_config,
             settings = EXCLUDED.settings, status = 'ACTIVE', last_error = NULL",
        company_id,
        id,
        provider as IntegrationProvider,
        name,
        sealed,
        settings
    )
    .execute(&mut *tx)
    .await
    .map_err(db::DbError::from)?;
    ingest::request_sync(&mut tx, &id, changed)
        .await
        .map_err(crate::imports::server::refusal)?;
    record_company_change(
        &mut tx,
        ctx,
        Change {
            action: if before.is_none() { "create" } else { "update" },
            entity_type: "integration",
            entity_id: &id,
            before,
            after: Some(json!({
                "provider": provider, "name": name, "stage_mapping": settings["stage_mapping"],
                "credentials": if changed { "[changed]" } else { "[kept]" },
            })),
        },
        meta,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

async fn test_crm_connection(
    state: &AppState,
    ctx: &TenantCtx,
    id: &str,
) -> Result<ConnectionCheck, AppError> {
    let mut tx = state.db.begin(ctx).await?;
    let company_id = tx.company_id().to_owned();
    let sealed = sqlx::query_scalar!(
        "SELECT encrypted_config FROM integrations WHERE company_id = $1 AND id = $2 AND type = 'CRM'",
        company_id,
        id
    )
    .fetch_optional(&mut *tx)
    .await
    .map_err(db::DbError::from)?
    .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    let binding = vault::Binding {
        company_id: &company_id,
        integration_id: id,
    };
    let credentials: crm::Credentials =
        state.keyring.open_json(&binding, &sealed).map_err(|err| {
            tracing::error!(error = %err, integration_id = %id, "stored credentials do not open");
            AppError::Internal
        })?;
    let connector = match crm::Connector::new(credentials, &crm_http(state)) {
        Ok(connector) => connector,
        Err(_) => return Ok(ConnectionCheck::Misconfigured),
    };
    use crm::ConnectionProblem as P;
    Ok(match connector.test_connection().await {
        Ok(()) => ConnectionCheck::Works,
        Err(P::CredentialsRejected) => ConnectionCheck::Unauthorized,
        Err(P::PermissionMissing) => ConnectionCheck::PermissionMissing,
        Err(P::AccountNotFound) => ConnectionCheck::AccountNotFound,
        Err(P::AddressNotAllowed) => ConnectionCheck::AddressNotAllowed,
        Err(P::RateLimited) => ConnectionCheck::RateLimited,
        Err(P::ProviderUnavailable) | Err(P::UnexpectedAnswer) => {
            ConnectionCheck::ProviderUnavailable
        }
        Err(P::Unreachable) => ConnectionCheck::Unreachable,
        Err(P::Misconfigured) => ConnectionCheck::Misconfigured,
    })
}

/// Asks for a sync now (`full`: everything again, not only what changed).
pub async fn sync_now(
    state: &AppState,
    ctx: &TenantCtx,
    id: &str,
    full: bool,
    meta: &RequestMeta,
) -> Result<(), AppError> {
    let mut tx = state.db.begin(ctx).await?;
    let company_id = tx.company_id().to_owned();
    let active = sqlx::query_scalar!(
        r#"SELECT status = 'ACTIVE' OR status = 'ERROR' AS "active!" FROM integrations
           WHERE company_id = $1 AND id = $2 AND type = 'CRM'"#,
        company_id,
        id
    )
    .fetch_optional(&mut *tx)
    .await
    .map_err(db::DbError::from)?
    .ok_or(AppError::NotFound)?;
    if !active {
        return Err(invalid("integration", "inactive"));
    }
    ingest::request_sync(&mut tx, id, full)
        .await
        .map_err(crate::imports::server::refusal)?;
    record_company_change(
        &mut tx,
        ctx,
        Change {
            action: "sync",
            entity_type: "integration",
            entity_id: id,
            before: None,
            after: Some(json!({ "full": full })),
        },
        meta,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(id: &str, provider: &str, name: &str, model: &str, key: &str) -> AiIntegrationInput {
        AiIntegrationInput {
            id: id.into(),
            provider: provider.into(),
            name: name.into(),
            model: model.into(),
            api_key: key.into(),
        }
    }

    fn field_of(result: Result<CheckedAiIntegration, AppError>) -> Option<(String, String)> {
        let problem = crate::validation::Problem::of(&result.err()?)?;
        Some((problem.field, problem.code))
    }

    #[test]
    fn a_new_ai_integration_needs_an_ai_provider_a_name_and_a_key() {
        let ok = check_ai_integration(&input("", "OPENAI", " Produção ", "", "sk-123")).unwrap();
        assert_eq!(ok.name, "Produção");
        assert_eq!(
            ok.model, "gpt-4o-mini",
            "a blank model is the provider's default"
        );
        assert_eq!(ok.api_key.as_deref(), Some("sk-123"));
        let cases = [
            (input("", "HUBSPOT", "x", "", "k"), ("provider", "invalid")),
            (input("", "nope", "x", "", "k"), ("provider", "invalid")),
            (input("", "OPENAI", "  ", "", "k"), ("name", "required")),
            (
                input("", "OPENAI", &"n".repeat(81), "", "k"),
                ("name", "too_long"),
            ),
            (
                input("", "OPENAI", "x", "gpt 4o", "k"),
                ("model", "invalid"),
            ),
            (
                input("", "OPENAI", "x", "../../v1", "k"),
                ("model", "invalid"),
            ),
            (input("", "OPENAI", "x", "", ""), ("api_key", "required")),
            (input("", "OPENAI", "x", "", "sk 1"), ("api_key", "invalid")),
        ];
        for (case, (field, code)) in cases {
            assert_eq!(
                field_of(check_ai_integration(&case)),
                Some((field.to_owned(), code.to_owned())),
                "{case:?}"
            );
        }
    }

    #[test]
    fn an_existing_integration_keeps_its_key_when_the_field_is_blank() {
        let kept = check_ai_integration(&input("abc", "GEMINI", "x", "models/gemini-2.5-pro", ""))
            .unwrap();
        assert_eq!(kept.api_key, None);
        assert_eq!(kept.model, "models/gemini-2.5-pro");
    }

    #[test]
    fn stage_mapping_lines_name_our_stages_by_key_or_name() {
        let stages = vec![
            ("proposal".to_owned(), "Proposta".to_owned()),
            ("won".to_owned(), "Ganho".to_owned()),
        ];
        let map = parse_stage_mapping(
            "appointmentscheduled = proposal\n\n  closedwon = ganho  ",
            &stages,
        )
        .unwrap();
        assert_eq!(
            map.get("appointmentscheduled"),
            Some(&Value::String("proposal".into()))
        );
        assert_eq!(map.get("closedwon"), Some(&Value::String("won".into())));
        let bad = parse_stage_mapping("a = b\nc = proposal", &stages).unwrap_err();
        assert_eq!(bad, AppError::Invalid("stage_mapping:stage:0".into()));
        let bad = parse_stage_mapping("proposal", &stages).unwrap_err();
        assert_eq!(bad, AppError::Invalid("stage_mapping:line:0".into()));
    }

    #[test]
    fn the_form_input_never_prints_its_key() {
        let shown = format!("{:?}", input("", "OPENAI", "x", "", "sk-very-secret"));
        assert!(!shown.contains("very-secret"), "{shown}");
    }
}
