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
    tx.commit().await?;
    Ok(IntegrationsView {
        integrations,
        analysis,
    })
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
    sqlx::query!(
        "UPDATE integrations SET status = 'INACTIVE'
         WHERE company_id = $1 AND type = 'AI' AND id <> $2 AND status = 'ACTIVE'",
        company_id,
        id
    )
    .execute(&mut *tx)
    .await
    .map_err(db::DbError::from)?;
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
        sqlx::query!(
            "UPDATE integrations SET status = 'INACTIVE'
             WHERE company_id = $1 AND type = 'AI' AND id <> $2 AND status = 'ACTIVE'",
            company_id,
            id
        )
        .execute(&mut *tx)
        .await
        .map_err(db::DbError::from)?;
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

/// Makes one cheap call with the stored key and says what the provider answered.
pub async fn test_connection(
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
    let check = llm_check(state, row.provider, &model, key).await;
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
    fn the_form_input_never_prints_its_key() {
        let shown = format!("{:?}", input("", "OPENAI", "x", "", "sk-very-secret"));
        assert!(!shown.contains("very-secret"), "{shown}");
    }
}
