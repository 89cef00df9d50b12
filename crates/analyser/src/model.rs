//! The analyser's inputs and outputs as typed Rust, serialised as the JSON the `conversations`
//! columns store (`summary`, `playbook_score`, `sentiment`, `methodology_scores`, `key_moments`,
//! `suggested_actions`).
//!
//! These types are the contract every analyser keeps — the built-in one today, LLM providers later —
//! so an answer from any of them is validated against the same shape and shown by the same pages.
//! Every score carries the quotes it was computed from: a number nobody can trace back to the
//! conversation would not survive a manager's first coaching session.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use domain::{ConversationChannel, ConversationSentiment};
use serde::{Deserialize, Serialize};

/// One conversation to analyse: the transcript exactly as it arrived, plus what the database knows
/// about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationInput {
    pub channel: ConversationChannel,
    /// The agent's name as the company knows it (`users.name`); used to tell which speaker sells.
    pub agent_name: Option<String>,
    /// The raw text in any supported format (see [`TranscriptFormat`]); never rejected.
    pub transcript: String,
    /// The day the conversation happened, in the company's time zone: "amanhã" and "quinta-feira"
    /// are resolved against it when the transcript itself carries no date.
    pub conversation_date: Option<NaiveDate>,
    /// Forces the language instead of detecting it.
    pub language: Option<Language>,
}

impl ConversationInput {
    /// A conversation with only a channel and a transcript; the other fields are set by the caller
    /// when known.
    pub fn new(channel: ConversationChannel, transcript: impl Into<String>) -> Self {
        Self {
            channel,
            agent_name: None,
            transcript: transcript.into(),
            conversation_date: None,
            language: None,
        }
    }
}

/// A sales methodology a playbook follows (`playbooks.methodology`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Methodology {
    Spiced,
    Spin,
    Meddic,
    Bant,
}

impl Methodology {
    pub const ALL: [Methodology; 4] = [
        Methodology::Spiced,
        Methodology::Spin,
        Methodology::Meddic,
        Methodology::Bant,
    ];

    /// The name as stored in `playbooks.methodology`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Methodology::Spiced => "SPICED",
            Methodology::Spin => "SPIN",
            Methodology::Meddic => "MEDDIC",
            Methodology::Bant => "BANT",
        }
    }
}

impl fmt::Display for Methodology {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A methodology name that is none of SPICED, SPIN, MEDDIC or BANT.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a methodology (expected SPICED, SPIN, MEDDIC or BANT)")]
pub struct UnknownMethodology(pub String);

impl FromStr for Methodology {
    type Err = UnknownMethodology;

    /// Case-insensitive, because playbooks typed by people say "Spiced" as often as "SPICED".
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Methodology::ALL
            .into_iter()
            .find(|m| m.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| UnknownMethodology(s.to_owned()))
    }
}

/// The two languages the built-in analyser reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    Pt,
    En,
}

impl Language {
    pub const fn as_str(self) -> &'static str {
        match self {
            Language::Pt => "pt",
            Language::En => "en",
        }
    }
}

impl FromStr for Language {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "pt" | "pt-br" | "pt_br" | "portuguese" | "português" => Ok(Language::Pt),
            "en" | "en-us" | "en_us" | "english" => Ok(Language::En),
            other => Err(format!("{other:?} is not a supported language (pt or en)")),
        }
    }
}

/// How the transcript text was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TranscriptFormat {
    /// `[00:01:23] Name: text`, `Name: text`, or a `Name  00:05` line above the text.
    Labelled,
    WebVtt,
    Srt,
    /// A WhatsApp chat export (Android `dd/mm/aaaa hh:mm - Nome: msg`, iOS `[dd/mm/aaaa, hh:mm:ss] Nome: msg`).
    Whatsapp,
    Email,
    /// Anything else: read as sentences with no known speaker.
    PlainText,
}

/// Which side of the sale a speaker is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SpeakerRole {
    Agent,
    Customer,
    Unknown,
}

/// How a speaker's role was decided, so a wrong guess can be told from a wrong label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RoleSource {
    /// The label matches the agent's name.
    AgentName,
    /// The label says the role (Vendedor, Cliente, Rep, Customer, SDR...).
    RoleLabel,
    /// Another speaker was recognised, so this one is the other side.
    OtherSide,
    /// Nothing said it: the speaker who asks most questions is taken as the agent.
    Guess,
    /// No speaker labels at all.
    None,
}

/// The playbook a conversation is scored against: the `content` JSON of `playbooks` plus its
/// methodology.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Playbook {
    pub methodology: Methodology,
    #[serde(default)]
    pub sections: Vec<PlaybookSection>,
    #[serde(default)]
    pub objections: Vec<PlaybookObjection>,
    /// Competitor names the company wants flagged, beyond the built-in list.
    #[serde(default)]
    pub competitors: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlaybookSection {
    pub title: String,
    #[serde(default)]
    pub questions: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlaybookObjection {
    pub objection: String,
    #[serde(default)]
    pub response: String,
}

/// The playbook's `content` JSON could not be read.
#[derive(Debug, thiserror::Error)]
pub enum PlaybookError {
    #[error("playbook content is not valid: {0}")]
    Content(#[from] serde_json::Error),
    #[error(transparent)]
    Methodology(#[from] UnknownMethodology),
}

/// The `content` column as stored: questions may be plain strings or `{ "question": ... }` objects,
/// because the editor and older imports write both.
#[derive(Deserialize)]
struct StoredContent {
    #[serde(default)]
    methodology: Option<String>,
    #[serde(default)]
    sections: Vec<StoredSection>,
    #[serde(default)]
    objections: Vec<PlaybookObjection>,
    #[serde(default)]
    competitors: Vec<String>,
}

#[derive(Deserialize)]
struct StoredSection {
    #[serde(default)]
    title: String,
    #[serde(default)]
    questions: Vec<StoredQuestion>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum StoredQuestion {
    Text(String),
    Object {
        #[serde(alias = "text")]
        question: String,
    },
}

impl Playbook {
    /// A playbook with no questions or objections: the conversation is scored on the methodology alone.
    pub fn empty(methodology: Methodology) -> Self {
        Self {
            methodology,
            sections: Vec::new(),
            objections: Vec::new(),
            competitors: Vec::new(),
        }
    }

    /// Reads a `playbooks` row: its `methodology` column and `content` JSON.
    pub fn from_content(
        methodology: &str,
        content: &serde_json::Value,
    ) -> Result<Self, PlaybookError> {
        let methodology: Methodology = methodology.parse()?;
        let stored = StoredContent::deserialize(content)?;
        Ok(Self::from_stored(methodology, stored))
    }

    /// Reads a playbook file as support writes them: either a bare `content` object (with an optional
    /// `methodology` key) or a whole row `{ "methodology": ..., "content": {...} }`. `fallback` is used
    /// when the file names no methodology.
    pub fn from_json_file_text(text: &str, fallback: Methodology) -> Result<Self, PlaybookError> {
        let value: serde_json::Value = serde_json::from_str(text)?;
        let row_methodology = value
            .get("methodology")
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned);
        let content = value.get("content").cloned().unwrap_or(value);
        let stored = StoredContent::deserialize(&content)?;
        let named = row_methodology.or_else(|| stored.methodology.clone());
        let methodology = match named {
            Some(name) => name.parse()?,
            None => fallback,
        };
        Ok(Self::from_stored(methodology, stored))
    }

    fn from_stored(methodology: Methodology, stored: StoredContent) -> Self {
        let sections = stored
            .sections
            .into_iter()
            .map(|section| PlaybookSection {
                title: section.title,
                questions: section
                    .questions
                    .into_iter()
                    .map(|q| match q {
                        StoredQuestion::Text(text) | StoredQuestion::Object { question: text } => {
                            text
                        }
                    })
                    .filter(|q| !q.trim().is_empty())
                    .collect(),
            })
            .collect();
        Self {
            methodology,
            sections,
            objections: stored.objections,
            competitors: stored.competitors,
        }
    }

    /// Every question with the title of its section, in playbook order.
    pub fn questions(&self) -> impl Iterator<Item = (&str, &str)> {
        self.sections.iter().flat_map(|s| {
            s.questions
                .iter()
                .map(move |q| (s.title.as_str(), q.as_str()))
        })
    }
}

/// Everything the analyser concluded about one conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    /// Which analyser and lexicon version produced this, so stored results can be redone when it changes.
    pub analyser: String,
    /// `conversations.summary`.
    pub summary: String,
    /// `conversations.sentiment`: the customer's, not the agent's.
    pub sentiment: ConversationSentiment,
    /// -100 (all negative) to 100 (all positive), from the quotes in `sentiment_evidence`.
    pub sentiment_score: i8,
    pub sentiment_evidence: Vec<Evidence>,
    /// `conversations.playbook_score`, 0–100; how it was made is in `methodology_scores.playbook`.
    pub playbook_score: u8,
    /// `conversations.methodology_scores`.
    pub methodology_scores: MethodologyScores,
    /// `conversations.key_moments`, in conversation order.
    pub key_moments: Vec<KeyMoment>,
    /// `conversations.suggested_actions`, most important first.
    pub suggested_actions: Vec<SuggestedAction>,
    /// How the text was read: format, language, speakers.
    pub transcript: TranscriptInfo,
}

/// The methodology scorecard plus the playbook adherence that explains `playbook_score`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MethodologyScores {
    pub methodology: Methodology,
    /// Mean of the element scores, 0–100.
    pub score: u8,
    /// Every element of the methodology, in its canonical order (missing ones included).
    pub elements: Vec<ElementScore>,
    pub playbook: PlaybookAdherence,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ElementStatus {
    /// The customer gave substance: said it, or answered a question about it with facts.
    Covered,
    /// Only the agent asked or asserted it, or the customer's answer was vague.
    Partial,
    Missing,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ElementScore {
    /// Stable key, e.g. `critical_event`, `economic_buyer`.
    pub key: String,
    /// Name in the conversation's language, e.g. "Evento crítico".
    pub label: String,
    pub status: ElementStatus,
    pub score: u8,
    /// The customer said it themselves, answered about it, or agreed to the agent's statement of it.
    pub customer_confirmed: bool,
    /// Why: the agent's questions and the customer's words, in conversation order.
    pub evidence: Vec<Evidence>,
}

/// An exact quote from the transcript: `quote == transcript[start..end]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    pub quote: String,
    /// The speaker's label as written, when the format has one.
    pub speaker: Option<String>,
    pub role: SpeakerRole,
    /// `hh:mm:ss` from the start for calls and captions; `yyyy-mm-ddThh:mm` for messages and e-mails.
    pub time: Option<String>,
    /// Byte offsets of the quote in the transcript.
    pub start: usize,
    pub end: usize,
    /// Index of the utterance (turn, cue, message) the quote belongs to.
    pub utterance: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlaybookAdherence {
    /// Share of the playbook's questions asked, 0–100; absent when the playbook has none.
    pub questions_score: Option<u8>,
    /// The methodology score, 0–100.
    pub elements_score: u8,
    /// Share of the customer's objections the agent answered, 0–100; absent when none was raised.
    pub objections_score: Option<u8>,
    pub questions: Vec<QuestionCheck>,
    pub objections: Vec<ObjectionCheck>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuestionCheck {
    pub section: String,
    pub question: String,
    pub asked: bool,
    /// How much of the question's meaning the closest agent sentence carries, 0–100.
    pub match_score: u8,
    /// The agent's sentence that asked it (or came closest, when not asked).
    pub evidence: Option<Evidence>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObjectionCheck {
    /// Objection kind key, e.g. `price`, `timing`, `competitor`.
    pub kind: String,
    pub label: String,
    /// The playbook objection it corresponds to, when one does.
    pub playbook_objection: Option<String>,
    pub answered: bool,
    /// The agent's answer follows the playbook's response for that objection.
    pub follows_playbook_response: bool,
    pub objection: Evidence,
    pub response: Option<Evidence>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MomentKind {
    Objection,
    Pricing,
    Competitor,
    Pain,
    NextStep,
}

impl MomentKind {
    pub const ALL: [MomentKind; 5] = [
        MomentKind::Objection,
        MomentKind::Pricing,
        MomentKind::Competitor,
        MomentKind::Pain,
        MomentKind::NextStep,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            MomentKind::Objection => "objection",
            MomentKind::Pricing => "pricing",
            MomentKind::Competitor => "competitor",
            MomentKind::Pain => "pain",
            MomentKind::NextStep => "next_step",
        }
    }
}

impl FromStr for MomentKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        MomentKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| format!("{s:?} is not a key moment kind"))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeyMoment {
    pub kind: MomentKind,
    /// Objection kind (`price`...), competitor name, or nothing.
    pub detail: Option<String>,
    pub evidence: Evidence,
    /// How far into the conversation, 0–100.
    pub position_percent: u8,
    /// For next steps: the date said ("quinta-feira", "dia 12", "amanhã"), resolved against the
    /// message's or the conversation's date.
    pub date: Option<NaiveDate>,
    /// The words that said the date, exactly as written.
    pub date_text: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ActionKind {
    /// Ask about an element nobody touched.
    AskElement,
    /// Get the customer's own words on an element only the agent raised.
    ConfirmElement,
    AnswerObjection,
    AskPlaybookQuestion,
    BookNextStep,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ActionPriority {
    High,
    Medium,
    Low,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuggestedAction {
    pub kind: ActionKind,
    pub priority: ActionPriority,
    /// What to do, in the conversation's language ("Pergunte quem assina o contrato").
    pub text: String,
    /// The methodology element it fixes, when it fixes one.
    pub element: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TranscriptInfo {
    pub format: TranscriptFormat,
    pub language: Language,
    pub channel: ConversationChannel,
    pub speakers: Vec<SpeakerInfo>,
    pub utterances: usize,
    /// From the last timestamp of a call or captions, when the format has them.
    pub duration_seconds: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpeakerInfo {
    pub name: String,
    pub role: SpeakerRole,
    pub recognised_by: RoleSource,
}
