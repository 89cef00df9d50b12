//! The prompt: one versioned file, `prompts/conversation_analysis_v1.md`, with a system part, a user
//! part and the sentence added when an answer is sent back for being invalid.
//!
//! It is a file rather than Rust strings so that its wording can be read and reviewed as text, and
//! versioned so that a stored analysis says which wording produced it: a change of meaning is a new
//! file and a new [`PROMPT_VERSION`]. What it carries is the playbook, the methodology's element
//! keys and the objection kinds (the crate's own lexicon), the speakers as the transcript labels them,
//! and the transcript itself — nothing else about the company, the agent or the customer.
//!
//! Placeholders (`{{name}}`) are filled in one pass, so a transcript or a playbook question that
//! happens to contain `{{...}}` is sent as written, never expanded.

use crate::lexicon::Lexicon;
use crate::model::{Language, Playbook, SpeakerRole, TranscriptInfo};

/// Names the prompt file in every LLM analysis (`Analysis::analyser`).
pub const PROMPT_VERSION: &str = "conversation_analysis_v1";

const PROMPT_FILE: &str = include_str!("../../prompts/conversation_analysis_v1.md");

const SYSTEM_MARK: &str = "<!-- system -->";
const USER_MARK: &str = "<!-- user -->";
const RETRY_MARK: &str = "<!-- retry -->";

/// What is sent: the instructions and the conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Messages {
    pub system: String,
    pub user: String,
}

/// The prompt file cut into its three parts.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Template {
    system: &'static str,
    user: &'static str,
    retry: &'static str,
}

impl Template {
    /// The shipped file; `None` only if its section marks were edited away, which the tests rule out.
    pub(crate) fn shipped() -> Option<Self> {
        Self::parse(PROMPT_FILE)
    }

    fn parse(file: &'static str) -> Option<Self> {
        let (_, rest) = file.split_once(SYSTEM_MARK)?;
        let (system, rest) = rest.split_once(USER_MARK)?;
        let (user, retry) = rest.split_once(RETRY_MARK)?;
        Some(Self {
            system: system.trim(),
            user: user.trim(),
            retry: retry.trim(),
        })
    }

    /// The messages for one request; `problem` is why the previous answer was rejected, if it was.
    pub(crate) fn messages(&self, inputs: &PromptInputs<'_>, problem: Option<&str>) -> Messages {
        let methodology = inputs.playbook.methodology.as_str();
        let language = match inputs.transcript_info.language {
            Language::Pt => "Brazilian Portuguese",
            Language::En => "English",
        };
        let system = fill(
            self.system,
            &[
                ("methodology", methodology),
                ("language", language),
                ("speakers", &speakers(inputs.transcript_info)),
                ("elements", &elements(inputs)),
                ("questions", &questions(inputs.playbook)),
                ("objections", &objections(inputs.playbook)),
                ("competitors", &competitors(inputs.playbook)),
                ("objection_kinds", &objection_kinds(inputs.lexicon)),
            ],
        );
        let mut user = fill(self.user, &[("transcript", inputs.transcript)]);
        if let Some(problem) = problem {
            user.push_str("\n\n");
            user.push_str(&fill(self.retry, &[("problem", problem)]));
        }
        Messages { system, user }
    }
}

/// Everything the prompt is made of.
pub(crate) struct PromptInputs<'a> {
    pub lexicon: &'a Lexicon,
    pub playbook: &'a Playbook,
    pub transcript_info: &'a TranscriptInfo,
    pub transcript: &'a str,
}

/// Replaces each `{{name}}` of `template` with its value, in one left-to-right pass: values are
/// never scanned for placeholders. An unknown name is left as written.
fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out =
        String::with_capacity(template.len() + values.iter().map(|(_, v)| v.len()).sum::<usize>());
    let mut rest = template;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        let after = &rest[open + 2..];
        let Some(close) = after.find("}}") else {
            out.push_str(&rest[open..]);
            return out;
        };
        let name = &after[..close];
        match values.iter().find(|(key, _)| *key == name) {
            Some((_, value)) => out.push_str(value),
            None => {
                out.push_str("{{");
                out.push_str(name);
                out.push_str("}}");
            }
        }
        rest = &after[close + 2..];
    }
    out.push_str(rest);
    out
}

fn none_or(lines: Vec<String>) -> String {
    if lines.is_empty() {
        "(none)".to_owned()
    } else {
        lines.join("\n")
    }
}

fn speakers(info: &TranscriptInfo) -> String {
    if info.speakers.is_empty() {
        return "The transcript has no speaker labels: tell the seller from the customer by what \
                they say."
            .to_owned();
    }
    let lines = info
        .speakers
        .iter()
        .map(|s| {
            let role = match s.role {
                SpeakerRole::Agent => "the seller",
                SpeakerRole::Customer => "the customer's side",
                SpeakerRole::Unknown => "not recognised: decide from what they say",
            };
            format!("- {}: {role}", s.name)
        })
        .collect();
    none_or(lines)
}

fn elements(inputs: &PromptInputs<'_>) -> String {
    none_or(
        inputs
            .lexicon
            .elements(inputs.playbook.methodology)
            .iter()
            .map(|e| format!("- `{}` ({}): {}", e.key, e.label.en, e.ask.en))
            .collect(),
    )
}

fn questions(playbook: &Playbook) -> String {
    none_or(
        playbook
            .questions()
            .enumerate()
            .map(|(i, (section, question))| format!("{}. [{section}] {question}", i + 1))
            .collect(),
    )
}

fn objections(playbook: &Playbook) -> String {
    none_or(
        playbook
            .objections
            .iter()
            .map(|o| {
                if o.response.trim().is_empty() {
                    format!("- \"{}\" (no expected response written)", o.objection)
                } else {
                    format!("- \"{}\" → expected response: {}", o.objection, o.response)
                }
            })
            .collect(),
    )
}

fn competitors(playbook: &Playbook) -> String {
    if playbook.competitors.is_empty() {
        "(none beyond the ones the customer names)".to_owned()
    } else {
        playbook.competitors.join(", ")
    }
}

fn objection_kinds(lexicon: &Lexicon) -> String {
    none_or(
        lexicon
            .objections
            .iter()
            .map(|o| format!("- `{}` — {}", o.key, o.label.en))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{
        Methodology, PlaybookObjection, PlaybookSection, RoleSource, SpeakerInfo, TranscriptFormat,
    };
    use crate::{BuiltinAnalyser, ConversationChannel};

    fn info(language: Language) -> TranscriptInfo {
        TranscriptInfo {
            format: TranscriptFormat::Labelled,
            language,
            channel: ConversationChannel::Call,
            speakers: vec![SpeakerInfo {
                name: "Ana".to_owned(),
                role: SpeakerRole::Agent,
                recognised_by: RoleSource::AgentName,
            }],
            utterances: 2,
            duration_seconds: None,
        }
    }

    fn playbook() -> Playbook {
        Playbook {
            methodology: Methodology::Bant,
            sections: vec![PlaybookSection {
                title: "Qualificação".to_owned(),
                questions: vec!["Quem assina {{transcript}}?".to_owned()],
            }],
            objections: vec![PlaybookObjection {
                objection: "Muito caro".to_owned(),
                response: "Mostre o retorno.".to_owned(),
            }],
            competitors: vec!["Gong".to_owned()],
        }
    }

    #[test]
    fn the_prompt_file_has_its_three_parts_and_every_placeholder_is_filled() {
        let template = Template::shipped().expect("the file has its section marks");
        let lexicon = BuiltinAnalyser::shared().expect("lexicon").lexicon();
        let playbook = playbook();
        let info = info(Language::Pt);
        let inputs = PromptInputs {
            lexicon,
            playbook: &playbook,
            transcript_info: &info,
            transcript: "Ana: Olá {{language}}",
        };
        let messages = template.messages(&inputs, Some("`summary` is empty"));
        // The only braces left are the ones the data carried, sent as written.
        assert!(
            !messages.system.replace("{{transcript}}", "").contains("{{"),
            "{}",
            messages.system
        );
        assert!(messages.user.contains("Ana: Olá {{language}}"));
        assert_eq!(messages.user.matches("{{").count(), 1);
        for wanted in [
            "BANT",
            "Brazilian Portuguese",
            "`budget`",
            "`authority`",
            "1. [Qualificação] Quem assina {{transcript}}?",
            "\"Muito caro\" → expected response: Mostre o retorno.",
            "Gong",
            "`price`",
            "- Ana: the seller",
        ] {
            assert!(
                messages.system.contains(wanted),
                "system prompt lacks {wanted:?}"
            );
        }
        assert!(messages.user.ends_with(
            "rejected: `summary` is empty. Answer again with the complete\nJSON object, following every rule."
        ));
        assert!(!template.messages(&inputs, None).user.contains("rejected"));
    }

    #[test]
    fn placeholders_are_filled_once_without_expanding_values() {
        assert_eq!(
            fill("a {{x}} b {{y}} {{z}}", &[("x", "{{y}}"), ("y", "2")]),
            "a {{y}} b 2 {{z}}"
        );
        assert_eq!(fill("open {{x", &[("x", "1")]), "open {{x");
    }
}
