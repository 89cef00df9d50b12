//! LLM providers — Anthropic, OpenAI and Gemini — as analysers of a conversation, each falling back
//! to the built-in analysis whenever it cannot give a valid one (PRODUCT.md feature 5).
//!
//! Shaped around one call from the server's background job:
//! [`LlmAnalyser::analyse`] takes the conversation, its playbook and the built-in [`Analysis`]
//! already made for it, and always returns an [`LlmOutcome`]: an analysis to store (the LLM's when
//! its answer passed every check, else the built-in one with a note saying why), the token usage of
//! every call that reported one (for `ai_usage` rows, priced with a [`PriceTable`]), and whether the
//! provider's rate limit or the account's quota stopped it (for one `AI_RATE_LIMIT` alert). It never
//! fails, because a provider outage must not lose the analysis the company already has.
//!
//! All three providers get the same versioned prompt ([`PROMPT_VERSION`]) asking for the same JSON,
//! which is read into the model's own types and checked against the transcript and the playbook
//! (see `answer.rs`); an invalid answer is asked for again once, with the reason. The parts of an
//! analysis that are not judgement — how the transcript was read, its language and speakers — come
//! from the built-in analysis.
//!
//! Only the transcript and the playbook leave the process. Nothing here logs the transcript, the
//! prompt, the answer or the key: tracing carries provider, model, HTTP status and attempt only, and
//! the key's type cannot be printed.
//!
//! Compiled only with the `llm` feature, so the built-in analyser and the `analyse` command stay free
//! of HTTP and TLS.

mod answer;
mod anthropic;
mod check;
mod config;
mod gemini;
mod http;
mod openai;
mod prompt;
mod usage;

use std::fmt;

use reqwest::header::{HeaderName, HeaderValue};

pub use check::ConnectionProblem;
pub use config::{ApiKey, LlmConfig, Provider, RetryPolicy, UnknownProvider};
pub use prompt::PROMPT_VERSION;
pub use usage::{CostEstimate, ModelPrice, PriceTable, PriceTableError, Usage};

use crate::BuiltinAnalyser;
use crate::lexicon::LexiconError;
use crate::model::{Analysis, ConversationInput, Playbook};
use answer::{AnswerContext, Rejection};
use http::{CallError, Endpoint};
use prompt::{PromptInputs, Template};

/// How many answers are asked for: the first, and one more when it is invalid.
const ANSWERS: u32 = 2;

/// Which analyser produced [`LlmOutcome::analysis`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AnalysisSource {
    Builtin,
    Llm,
}

/// What one conversation's LLM analysis came to.
#[derive(Debug, Clone, PartialEq)]
pub struct LlmOutcome {
    /// The analysis to store.
    pub analysis: Analysis,
    pub source: AnalysisSource,
    /// One per HTTP call that reported usage, in call order — rejected answers included, since they
    /// were billed.
    pub usages: Vec<Usage>,
    /// Why the built-in analysis was kept, for support; names fields and HTTP statuses, never the
    /// conversation or the answer.
    pub note: Option<String>,
    /// The provider kept answering "slow down" (429, 529, 503) until the retries ran out.
    pub rate_limited_gave_up: bool,
    /// The account's quota, credit or spend limit is used up; nothing was retried.
    pub quota_exhausted: bool,
}

/// Why an [`LlmAnalyser`] could not be made: configuration, not conversations.
#[derive(Debug, thiserror::Error)]
pub enum LlmSetupError {
    #[error("the {0} API key is empty")]
    EmptyApiKey(Provider),
    #[error("the {0} API key has characters no HTTP header can carry")]
    InvalidApiKey(Provider),
    #[error("{0:?} is not a model id (letters, digits, '.', '-', '_' and ':' only)")]
    InvalidModel(String),
    #[error("{0:?} is not an http(s) base URL")]
    InvalidBaseUrl(String),
    #[error("the HTTP client could not be built")]
    Client(#[source] reqwest::Error),
    #[error("the built-in lexicon does not compile: {0}")]
    Lexicon(&'static LexiconError),
    #[error("the prompt file has lost its section marks")]
    PromptTemplate,
}

/// One provider and model, ready to analyse conversations. Cheap to clone (the HTTP client is
/// shared), so it can live in the server's state.
#[derive(Clone)]
pub struct LlmAnalyser {
    config: LlmConfig,
    policy: RetryPolicy,
    client: reqwest::Client,
    auth: (HeaderName, HeaderValue),
    template: Template,
    builtin: &'static BuiltinAnalyser,
}

impl fmt::Debug for LlmAnalyser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LlmAnalyser")
            .field("config", &self.config)
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

/// Characters of a model id: enough for every provider's ids (`ft:gpt-4o-mini:org::id` included),
/// and nothing that could change the Gemini URL's path.
fn is_model_id(model: &str) -> bool {
    let id = model.strip_prefix("models/").unwrap_or(model);
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ':'))
}

impl LlmAnalyser {
    /// Checks the configuration and builds the HTTP client with its connect and total timeouts.
    /// Redirects are not followed: the APIs do not redirect, and following one would send the key
    /// elsewhere.
    pub fn new(mut config: LlmConfig, policy: RetryPolicy) -> Result<Self, LlmSetupError> {
        if config.api_key.is_blank() {
            return Err(LlmSetupError::EmptyApiKey(config.provider));
        }
        config.model = config.model.trim().to_owned();
        if !is_model_id(&config.model) {
            return Err(LlmSetupError::InvalidModel(config.model));
        }
        let base = config.base_url.trim().trim_end_matches('/').to_owned();
        match reqwest::Url::parse(&base) {
            Ok(url) if matches!(url.scheme(), "http" | "https") && url.has_host() => {}
            _ => return Err(LlmSetupError::InvalidBaseUrl(config.base_url)),
        }
        config.base_url = base;
        let auth = http::auth_header(&config)
            .map_err(|_| LlmSetupError::InvalidApiKey(config.provider))?;
        let client = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(LlmSetupError::Client)?;
        let template = Template::shipped().ok_or(LlmSetupError::PromptTemplate)?;
        let builtin = BuiltinAnalyser::shared().map_err(LlmSetupError::Lexicon)?;
        Ok(Self {
            config,
            policy,
            client,
            auth,
            template,
            builtin,
        })
    }

    pub fn config(&self) -> &LlmConfig {
        &self.config
    }

    /// `Analysis::analyser` of its analyses: provider, model and prompt version, e.g.
    /// `llm/openai/gpt-4o-mini/conversation_analysis_v1`.
    pub fn analyser_name(&self) -> String {
        format!(
            "llm/{}/{}/{PROMPT_VERSION}",
            self.config.provider, self.config.model
        )
    }

    /// Asks the provider to analyse `input` against `playbook`; `builtin` is the built-in analysis of
    /// the same conversation (from [`analyse_conversation`](crate::analyse_conversation)), which is
    /// returned, with a note, whenever the provider's answer cannot be used.
    pub async fn analyse(
        &self,
        input: &ConversationInput,
        playbook: &Playbook,
        builtin: Analysis,
    ) -> LlmOutcome {
        let mut usages = Vec::new();
        match self.ask(input, playbook, &builtin, &mut usages).await {
            Ok(analysis) => LlmOutcome {
                analysis,
                source: AnalysisSource::Llm,
                usages,
                note: None,
                rate_limited_gave_up: false,
                quota_exhausted: false,
            },
            Err(failure) => {
                tracing::warn!(
                    provider = self.config.provider.as_str(),
                    model = self.config.model.as_str(),
                    rate_limited = failure.throttled,
                    quota_exhausted = failure.quota_exhausted,
                    "LLM analysis not used; keeping the built-in one"
                );
                LlmOutcome {
                    analysis: builtin,
                    source: AnalysisSource::Builtin,
                    usages,
                    note: Some(format!("{}; kept the built-in analysis", failure.note)),
                    rate_limited_gave_up: failure.throttled,
                    quota_exhausted: failure.quota_exhausted,
                }
            }
        }
    }

    async fn ask(
        &self,
        input: &ConversationInput,
        playbook: &Playbook,
        builtin: &Analysis,
        usages: &mut Vec<Usage>,
    ) -> Result<Analysis, Failure> {
        let lexicon = self.builtin.lexicon();
        let analyser = self.analyser_name();
        let inputs = PromptInputs {
            lexicon,
            playbook,
            transcript_info: &builtin.transcript,
            transcript: &input.transcript,
        };
        let context = AnswerContext {
            input,
            playbook,
            lexicon,
            builtin,
            analyser: &analyser,
        };
        let endpoint = Endpoint {
            client: &self.client,
            config: &self.config,
            auth: &self.auth,
        };
        let provider = self.config.provider;
        let mut rejected: Option<Rejection> = None;
        for attempt in 1..=ANSWERS {
            let messages = self
                .template
                .messages(&inputs, rejected.as_ref().map(|r| r.feedback.as_str()));
            let exchange = http::exchange(&endpoint, &self.policy, &messages)
                .await
                .map_err(|error| Failure::from_call(&error, provider))?;
            usages.extend(exchange.usage);
            let read = exchange
                .text
                .map_err(Rejection::new)
                .and_then(|text| answer::read(&text, &context));
            match read {
                Ok(analysis) => return Ok(analysis),
                Err(rejection) => {
                    tracing::warn!(
                        provider = provider.as_str(),
                        model = self.config.model.as_str(),
                        attempt,
                        "LLM answer rejected"
                    );
                    rejected = Some(rejection);
                }
            }
        }
        let last = rejected.map_or_else(String::new, |r| r.note);
        Err(Failure {
            note: format!(
                "{provider} gave no valid analysis in {ANSWERS} answers (last problem: {last})"
            ),
            throttled: false,
            quota_exhausted: false,
        })
    }
}

/// Why the LLM's analysis is not the one returned.
struct Failure {
    note: String,
    throttled: bool,
    quota_exhausted: bool,
}

impl Failure {
    fn from_call(error: &CallError, provider: Provider) -> Self {
        Self {
            note: error.describe(provider),
            throttled: matches!(error, CallError::Throttled { .. }),
            quota_exhausted: matches!(error, CallError::QuotaExhausted { .. }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(model: &str, base_url: &str, key: &str) -> LlmConfig {
        let mut config = LlmConfig::new(Provider::Gemini, model, ApiKey::new(key));
        config.base_url = base_url.to_owned();
        config
    }

    #[test]
    fn a_blank_key_a_bad_model_or_a_bad_base_url_is_refused_at_setup() {
        let ok = "https://example.test/";
        assert!(matches!(
            LlmAnalyser::new(config("gemini-2.5-flash", ok, "  "), RetryPolicy::default()),
            Err(LlmSetupError::EmptyApiKey(Provider::Gemini))
        ));
        assert!(matches!(
            LlmAnalyser::new(config("../admin?x=", ok, "k"), RetryPolicy::default()),
            Err(LlmSetupError::InvalidModel(_))
        ));
        assert!(matches!(
            LlmAnalyser::new(
                config("gemini-2.5-flash", "ftp://x", "k"),
                RetryPolicy::default()
            ),
            Err(LlmSetupError::InvalidBaseUrl(_))
        ));
        let analyser = LlmAnalyser::new(
            config("models/gemini-2.5-flash", ok, "k"),
            RetryPolicy::default(),
        )
        .expect("valid configuration");
        assert_eq!(analyser.config().base_url, "https://example.test");
        assert!(!format!("{analyser:?}").contains("\"k\""));
    }

    #[test]
    fn the_analysis_future_can_run_on_a_spawned_task() {
        fn is_send<T: Send>(_: &T) {}
        let analyser = LlmAnalyser::new(
            config("gemini-2.5-flash", "http://127.0.0.1:9", "k"),
            RetryPolicy::default(),
        )
        .expect("valid configuration");
        let input = ConversationInput::new(crate::ConversationChannel::Call, "Ana: Olá");
        let playbook = Playbook::empty(crate::Methodology::Bant);
        let builtin = crate::analyse_conversation(&input, &playbook).expect("lexicon");
        let future = analyser.analyse(&input, &playbook, builtin);
        is_send(&future);
    }
}
