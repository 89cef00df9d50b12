//! The written summary: a few sentences a manager reads instead of the transcript.
//!
//! It is built from what the analysis found — who spoke, the main pain in the customer's words,
//! objections, competitors, the next step and its date, the methodology gaps — so it never says
//! anything the scores do not show. Its sentences are templates in `lexicon/messages.toml`.

use domain::ConversationChannel;

use crate::actions::short;
use crate::doc::Doc;
use crate::lexicon::Lexicon;
use crate::model::{
    ElementScore, ElementStatus, KeyMoment, Language, Methodology, MomentKind, SpeakerRole,
};

fn join(items: &[String], language: Language) -> String {
    let and = match language {
        Language::Pt => " e ",
        Language::En => " and ",
    };
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{}{and}{last}", init.join(", ")),
    }
}

pub(crate) struct SummaryInput<'a> {
    pub channel: ConversationChannel,
    pub methodology: Methodology,
    pub scores: &'a [ElementScore],
    pub moments: &'a [KeyMoment],
    pub objection_labels: Vec<String>,
    /// Pain phrases per sentence, by the sentence's start offset.
    pub pain_hits: Vec<(usize, usize)>,
}

impl SummaryInput<'_> {
    fn pain_weight(&self, moment: &KeyMoment) -> usize {
        self.pain_hits
            .iter()
            .find(|(start, _)| *start == moment.evidence.start)
            .map_or(0, |(_, n)| *n)
    }
}

pub(crate) fn summarise(doc: &Doc, lexicon: &Lexicon, input: &SummaryInput) -> String {
    let language = doc.language;
    let m = |key: &str, values: &[(&str, &str)]| lexicon.message(key, language, values);
    if doc.sentences.is_empty() {
        return m("summary.empty", &[]);
    }
    let channel = m(&format!("channel.{}", input.channel.as_str()), &[]);
    let mut parts = Vec::new();
    let names = |role: SpeakerRole| -> Vec<String> {
        doc.speakers
            .iter()
            .filter(|s| s.role == role)
            .map(|s| s.name.clone())
            .collect()
    };
    let (agents, customers) = (names(SpeakerRole::Agent), names(SpeakerRole::Customer));
    if agents.is_empty() || customers.is_empty() {
        parts.push(m("summary.unlabelled", &[("channel", &channel)]));
    } else {
        parts.push(m(
            "summary.between",
            &[
                ("channel", &channel),
                ("agent", &join(&agents, language)),
                ("customer", &join(&customers, language)),
            ],
        ));
    }
    // The pain said most plainly: the quote with most pain phrases, the earliest on a tie.
    let pain = input
        .moments
        .iter()
        .filter(|k| k.kind == MomentKind::Pain)
        .max_by_key(|k| (input.pain_weight(k), std::cmp::Reverse(k.evidence.start)));
    if let Some(pain) = pain {
        parts.push(m(
            "summary.pain",
            &[("quote", &short(&pain.evidence.quote))],
        ));
    }
    if !input.objection_labels.is_empty() {
        let mut labels = input.objection_labels.clone();
        labels.dedup();
        parts.push(m(
            "summary.objections",
            &[("list", &join(&labels, language))],
        ));
    }
    let mut competitors: Vec<String> = input
        .moments
        .iter()
        .filter(|k| k.kind == MomentKind::Competitor)
        .filter_map(|k| k.detail.clone())
        .collect();
    competitors.sort();
    competitors.dedup();
    if !competitors.is_empty() {
        parts.push(m(
            "summary.competitors",
            &[("list", &join(&competitors, language))],
        ));
    }
    if input.moments.iter().any(|k| k.kind == MomentKind::Pricing) {
        parts.push(m("summary.pricing", &[]));
    }
    let next = input
        .moments
        .iter()
        .filter(|k| k.kind == MomentKind::NextStep)
        .max_by_key(|k| (k.date.is_some(), k.evidence.start));
    match next {
        Some(k) => {
            let quote = short(&k.evidence.quote);
            match k.date {
                Some(date) => {
                    let shown = match language {
                        Language::Pt => date.format("%d/%m/%Y").to_string(),
                        Language::En => date.format("%b %-d, %Y").to_string(),
                    };
                    parts.push(m(
                        "summary.next_step_dated",
                        &[("quote", &quote), ("date", &shown)],
                    ));
                }
                None => parts.push(m("summary.next_step", &[("quote", &quote)])),
            }
        }
        None => parts.push(m("summary.no_next_step", &[])),
    }
    let covered = input
        .scores
        .iter()
        .filter(|s| s.status == ElementStatus::Covered)
        .count();
    let missing: Vec<String> = input
        .scores
        .iter()
        .filter(|s| s.status == ElementStatus::Missing)
        .map(|s| s.label.to_lowercase())
        .collect();
    let missing_text = if missing.is_empty() {
        String::new()
    } else {
        m("summary.missing", &[("list", &join(&missing, language))])
    };
    parts.push(m(
        "summary.methodology",
        &[
            ("methodology", input.methodology.as_str()),
            ("covered", &covered.to_string()),
            ("total", &input.scores.len().to_string()),
            ("missing", &missing_text),
        ],
    ));
    parts.join(" ")
}
