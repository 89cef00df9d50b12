//! The built-in analyser: deterministic, no network, Portuguese and English — the default for every
//! company, and the fallback when an LLM provider fails or answers badly.
//!
//! It is a pipeline over one [`Doc`]: elements, objections and questions, key moments, sentiment,
//! actions, summary. Each step only reads what earlier steps found, so the result is explainable from
//! the quotes it carries.

use std::sync::LazyLock;

use crate::Analyser;
use crate::actions::{Gaps, suggest};
use crate::doc::Doc;
use crate::elements::{overall, score_elements};
use crate::lexicon::{Lexicon, LexiconError};
use crate::model::{Analysis, ConversationInput, MethodologyScores, Playbook, TranscriptInfo};
use crate::moments::{competitors_named, key_moments};
use crate::playbook::{adherence, check_objections, check_questions, raised_objections};
use crate::sentiment::customer_sentiment;
use crate::summary::{SummaryInput, summarise};

/// Names this analyser and its lexicon in every result, so stored analyses can be redone when either
/// changes.
pub const BUILTIN_VERSION: &str = "builtin/1";

/// The lexicon compiled once per process: it is immutable data embedded in the binary.
static SHARED: LazyLock<Result<BuiltinAnalyser, LexiconError>> =
    LazyLock::new(BuiltinAnalyser::new);

pub struct BuiltinAnalyser {
    lexicon: Lexicon,
}

impl BuiltinAnalyser {
    /// Compiles the embedded lexicon (a few milliseconds); prefer [`BuiltinAnalyser::shared`].
    pub fn new() -> Result<Self, LexiconError> {
        Ok(Self {
            lexicon: Lexicon::embedded()?,
        })
    }

    /// The process-wide instance. The lexicon is part of the binary and checked by the tests, so the
    /// error case means a broken build, not bad input.
    pub fn shared() -> Result<&'static BuiltinAnalyser, &'static LexiconError> {
        SHARED.as_ref()
    }

    /// The compiled lexicon, which the LLM analyser's prompt and checks share with this one.
    #[cfg(feature = "llm")]
    pub(crate) fn lexicon(&self) -> &Lexicon {
        &self.lexicon
    }
}

impl Analyser for BuiltinAnalyser {
    fn analyse(&self, input: &ConversationInput, playbook: &Playbook) -> Analysis {
        let lexicon = &self.lexicon;
        let mut doc = Doc::build(
            &input.transcript,
            input.agent_name.as_deref(),
            input.language,
            input.conversation_date,
            lexicon,
        );
        let language = doc.language;
        let elements = lexicon.elements(playbook.methodology);
        let scores = score_elements(&doc, lexicon, elements);
        let elements_score = overall(&scores);

        let competitors = competitors_named(&doc, lexicon, playbook);
        let raised = raised_objections(&doc, lexicon, &competitors);
        let objections = check_objections(&mut doc, lexicon, playbook, &raised);
        let questions = check_questions(&mut doc, lexicon, playbook);
        let moments = key_moments(&doc, lexicon, &competitors, &raised);
        let sentiment = customer_sentiment(&doc, lexicon, &raised);
        let suggested_actions = suggest(
            &Gaps {
                elements,
                scores: &scores,
                objections: &objections,
                questions: &questions,
                moments: &moments,
                playbook,
            },
            lexicon,
            language,
        );
        let summary = summarise(
            &doc,
            lexicon,
            &SummaryInput {
                channel: input.channel,
                methodology: playbook.methodology,
                scores: &scores,
                moments: &moments,
                objection_labels: objections.iter().map(|o| o.label.to_lowercase()).collect(),
                pain_hits: doc
                    .sentences
                    .iter()
                    .enumerate()
                    .map(|(i, s)| {
                        (
                            s.range.start,
                            doc.hits_of(i)
                                .iter()
                                .filter(|h| h.group == lexicon.groups.pain)
                                .count(),
                        )
                    })
                    .filter(|(_, n)| *n > 0)
                    .collect(),
            },
        );
        let (playbook_score, playbook_adherence) = adherence(questions, objections, elements_score);

        Analysis {
            analyser: BUILTIN_VERSION.to_owned(),
            summary,
            sentiment: sentiment.label,
            sentiment_score: sentiment.score,
            sentiment_evidence: sentiment.evidence,
            playbook_score,
            methodology_scores: MethodologyScores {
                methodology: playbook.methodology,
                score: elements_score,
                elements: scores,
                playbook: playbook_adherence,
            },
            key_moments: moments,
            suggested_actions,
            transcript: TranscriptInfo {
                format: doc.parsed.format,
                language,
                channel: input.channel,
                speakers: doc.speakers.clone(),
                utterances: doc.parsed.utterances.len(),
                duration_seconds: doc.parsed.duration_seconds,
            },
        }
    }
}
