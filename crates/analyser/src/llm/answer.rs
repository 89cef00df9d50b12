//! Reading an LLM's answer into an [`Analysis`], or saying precisely why it cannot be.
//!
//! The answer is deserialised into the analysis fields with the model's own enums
//! ([`ConversationSentiment`], [`Methodology`], [`ElementStatus`], [`MomentKind`],
//! [`SuggestedAction`]...) and then held to the same contract as the built-in analyser:
//! - every quote is found in the transcript — exactly, or differing only in white space — within one
//!   speaker's turn, and stored as the transcript's own text with its byte offsets, speaker, role and
//!   time, so `quote == transcript[start..end]` holds for LLM answers too;
//! - the elements are exactly the playbook methodology's, the questions exactly the playbook's;
//! - scores are in range and agree with their labels (covered 70–100, partial 20–60, missing 0;
//!   sentiment positive from 25, negative from −25).
//!
//! What is arithmetic rather than judgement is computed here, with the built-in analyser's own
//! formulas, instead of trusting the model to add up: the methodology score (mean of the elements),
//! the playbook score and its parts, each moment's position, and a next step's date, resolved from
//! the words the model quotes against the conversation's date — which is therefore never sent.
//!
//! A rejection's text names the field and the rule, never the answer's content, because it is stored
//! in the outcome's note; only the feedback sent back to the same provider may carry serde's detail.

use std::ops::Range;

use domain::ConversationSentiment;
use serde::Deserialize;

use crate::doc::Doc;
use crate::elements::overall;
use crate::lexicon::Lexicon;
use crate::model::{
    ActionKind, Analysis, ConversationInput, ElementScore, ElementStatus, Evidence, KeyMoment,
    Language, Methodology, MethodologyScores, MomentKind, ObjectionCheck, Playbook, QuestionCheck,
    SuggestedAction,
};
use crate::playbook::adherence;
use crate::transcript::When;

const MAX_ELEMENT_QUOTES: usize = 4;
const MAX_SENTIMENT_QUOTES: usize = 3;
const MAX_MOMENTS: usize = 20;
const MAX_ACTIONS: usize = 10;
const MAX_SUMMARY_CHARS: usize = 2_000;
/// The built-in analyser's sentiment label margin.
const SENTIMENT_MARGIN: i8 = 25;

/// Why an answer was not used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rejection {
    /// For the outcome: field and rule only.
    pub note: String,
    /// For the retry prompt: may add the parser's own words about the answer.
    pub feedback: String,
}

impl Rejection {
    pub(crate) fn new(reason: impl Into<String>) -> Self {
        let reason = reason.into();
        Self {
            note: reason.clone(),
            feedback: reason,
        }
    }
}

#[derive(Deserialize)]
struct AnswerJson {
    summary: String,
    sentiment: ConversationSentiment,
    sentiment_score: i8,
    #[serde(default)]
    sentiment_evidence: Vec<String>,
    methodology_scores: MethodologyJson,
    #[serde(default)]
    key_moments: Vec<MomentJson>,
    #[serde(default)]
    suggested_actions: Vec<SuggestedAction>,
}

#[derive(Deserialize)]
struct MethodologyJson {
    methodology: Methodology,
    elements: Vec<ElementJson>,
    playbook: PlaybookJson,
}

#[derive(Deserialize)]
struct ElementJson {
    key: String,
    status: ElementStatus,
    score: u8,
    customer_confirmed: bool,
    #[serde(default)]
    evidence: Vec<String>,
}

#[derive(Deserialize)]
struct PlaybookJson {
    #[serde(default)]
    questions: Vec<QuestionJson>,
    #[serde(default)]
    objections: Vec<ObjectionJson>,
}

#[derive(Deserialize)]
struct QuestionJson {
    section: String,
    question: String,
    asked: bool,
    match_score: u8,
    #[serde(default)]
    evidence: Option<String>,
}

#[derive(Deserialize)]
struct ObjectionJson {
    kind: String,
    #[serde(default)]
    playbook_objection: Option<String>,
    answered: bool,
    follows_playbook_response: bool,
    objection: String,
    #[serde(default)]
    response: Option<String>,
}

#[derive(Deserialize)]
struct MomentJson {
    kind: MomentKind,
    #[serde(default)]
    detail: Option<String>,
    evidence: String,
    #[serde(default)]
    date_text: Option<String>,
}

/// What an answer is checked against.
pub(crate) struct AnswerContext<'a> {
    pub input: &'a ConversationInput,
    pub playbook: &'a Playbook,
    pub lexicon: &'a Lexicon,
    /// The built-in analysis of the same conversation: its transcript reading is kept.
    pub builtin: &'a Analysis,
    /// `Analysis::analyser` for the result.
    pub analyser: &'a str,
}

/// The answer as an [`Analysis`], or why not.
pub(crate) fn read(text: &str, cx: &AnswerContext<'_>) -> Result<Analysis, Rejection> {
    let answer = parse(text)?;
    let doc = Doc::build(
        &cx.input.transcript,
        cx.input.agent_name.as_deref(),
        cx.input.language,
        cx.input.conversation_date,
        cx.lexicon,
    );
    let quotes = Quotes { doc: &doc };
    let language = cx.builtin.transcript.language;

    let summary = answer.summary.trim();
    if summary.is_empty() {
        return Err(Rejection::new("`summary` is empty"));
    }
    if summary.chars().count() > MAX_SUMMARY_CHARS {
        return Err(Rejection::new(format!(
            "`summary` is longer than {MAX_SUMMARY_CHARS} characters"
        )));
    }
    if let Some(wrong) = other_language(summary, language) {
        return Err(Rejection::new(format!(
            "`summary` is written in {wrong}, not in the conversation's language"
        )));
    }

    check_sentiment(answer.sentiment, answer.sentiment_score)?;
    if answer.sentiment_evidence.len() > MAX_SENTIMENT_QUOTES {
        return Err(Rejection::new(format!(
            "`sentiment_evidence` has more than {MAX_SENTIMENT_QUOTES} quotes"
        )));
    }
    let sentiment_evidence = answer
        .sentiment_evidence
        .iter()
        .enumerate()
        .map(|(i, q)| quotes.find(q, &format!("sentiment_evidence[{i}]")))
        .collect::<Result<Vec<_>, _>>()?;

    let methodology = cx.playbook.methodology;
    if answer.methodology_scores.methodology != methodology {
        return Err(Rejection::new(format!(
            "`methodology_scores.methodology` is {}, the playbook's is {methodology}",
            answer.methodology_scores.methodology
        )));
    }
    let elements = check_elements(&answer.methodology_scores.elements, cx, language, &quotes)?;
    let elements_score = overall(&elements);
    let questions = check_questions(&answer.methodology_scores.playbook.questions, cx, &quotes)?;
    let objections = check_objections(
        &answer.methodology_scores.playbook.objections,
        cx,
        language,
        &quotes,
    )?;
    let (playbook_score, playbook) = adherence(questions, objections, elements_score);
    let key_moments = check_moments(&answer.key_moments, cx, &quotes)?;
    let element_keys: Vec<&str> = elements.iter().map(|e| e.key.as_str()).collect();
    let suggested_actions = check_actions(answer.suggested_actions, &element_keys)?;

    Ok(Analysis {
        analyser: cx.analyser.to_owned(),
        summary: summary.to_owned(),
        sentiment: answer.sentiment,
        sentiment_score: answer.sentiment_score,
        sentiment_evidence: in_conversation_order(sentiment_evidence),
        playbook_score,
        methodology_scores: MethodologyScores {
            methodology,
            score: elements_score,
            elements,
            playbook,
        },
        key_moments,
        suggested_actions,
        transcript: cx.builtin.transcript.clone(),
    })
}

/// The JSON object in `text` (models without a JSON mode may wrap it in a code fence or a sentence),
/// deserialised.
fn parse(text: &str) -> Result<AnswerJson, Rejection> {
    let (Some(open), Some(close)) = (text.find('{'), text.rfind('}')) else {
        return Err(Rejection::new("the answer has no JSON object"));
    };
    if close < open {
        return Err(Rejection::new("the answer has no JSON object"));
    }
    let json = &text[open..=close];
    let mut deserializer = serde_json::Deserializer::from_str(json);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.inner();
        let note = match inner.classify() {
            serde_json::error::Category::Syntax => format!(
                "the answer is not valid JSON (line {}, column {})",
                inner.line(),
                inner.column()
            ),
            serde_json::error::Category::Eof => "the answer's JSON ends early".to_owned(),
            serde_json::error::Category::Data | serde_json::error::Category::Io => {
                format!("`{path}` is missing or not of the expected type or value")
            }
        };
        Rejection {
            feedback: format!("{note}: {inner}"),
            note,
        }
    })
}

/// The other language, when `text` reliably reads as the one the conversation is not in.
fn other_language(text: &str, expected: Language) -> Option<&'static str> {
    let detector =
        whatlang::Detector::with_allowlist(vec![whatlang::Lang::Por, whatlang::Lang::Eng]);
    let info = detector.detect(text)?;
    if !info.is_reliable() {
        return None;
    }
    match (info.lang(), expected) {
        (whatlang::Lang::Eng, Language::Pt) => Some("English"),
        (whatlang::Lang::Por, Language::En) => Some("Portuguese"),
        _ => None,
    }
}

fn check_sentiment(label: ConversationSentiment, score: i8) -> Result<(), Rejection> {
    if !(-100..=100).contains(&score) {
        return Err(Rejection::new("`sentiment_score` is outside -100..100"));
    }
    let agrees = match label {
        ConversationSentiment::Positive => score >= SENTIMENT_MARGIN,
        ConversationSentiment::Negative => score <= -SENTIMENT_MARGIN,
        ConversationSentiment::Neutral => score.abs() < SENTIMENT_MARGIN,
    };
    if agrees {
        Ok(())
    } else {
        Err(Rejection::new(format!(
            "`sentiment` {label} does not agree with `sentiment_score` {score} (positive from 25, \
             negative from -25, neutral between)"
        )))
    }
}

fn check_elements(
    answered: &[ElementJson],
    cx: &AnswerContext<'_>,
    language: Language,
    quotes: &Quotes<'_, '_>,
) -> Result<Vec<ElementScore>, Rejection> {
    let expected = cx.lexicon.elements(cx.playbook.methodology);
    let keys = || {
        expected
            .iter()
            .map(|e| e.key.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let wrong_set = || {
        Rejection::new(format!(
            "`methodology_scores.elements` must have each {} element once: {}",
            cx.playbook.methodology,
            keys()
        ))
    };
    if answered.len() != expected.len() {
        return Err(wrong_set());
    }
    let mut scores = Vec::with_capacity(expected.len());
    for element in expected {
        let mut found = answered
            .iter()
            .enumerate()
            .filter(|(_, a)| a.key == element.key);
        let (Some((i, a)), None) = (found.next(), found.next()) else {
            return Err(wrong_set());
        };
        let field = format!("methodology_scores.elements[{i}]");
        let (band, quotes_allowed) = match a.status {
            ElementStatus::Covered => (70..=100, 1..=MAX_ELEMENT_QUOTES),
            ElementStatus::Partial => (20..=60, 1..=MAX_ELEMENT_QUOTES),
            ElementStatus::Missing => (0..=0, 0..=0),
        };
        if !band.contains(&a.score) {
            return Err(Rejection::new(format!(
                "`{field}.score` is {} but a {} element scores {}–{}",
                a.score,
                status_name(a.status),
                band.start(),
                band.end()
            )));
        }
        if !quotes_allowed.contains(&a.evidence.len()) {
            return Err(Rejection::new(format!(
                "`{field}.evidence` has {} quotes but a {} element has {}–{}",
                a.evidence.len(),
                status_name(a.status),
                quotes_allowed.start(),
                quotes_allowed.end()
            )));
        }
        if a.status == ElementStatus::Missing && a.customer_confirmed {
            return Err(Rejection::new(format!(
                "`{field}` is missing yet customer_confirmed"
            )));
        }
        let evidence = a
            .evidence
            .iter()
            .enumerate()
            .map(|(j, q)| quotes.find(q, &format!("{field}.evidence[{j}]")))
            .collect::<Result<Vec<_>, _>>()?;
        scores.push(ElementScore {
            key: element.key.clone(),
            label: element.label.get(language).to_owned(),
            status: a.status,
            score: a.score,
            customer_confirmed: a.customer_confirmed,
            evidence: in_conversation_order(evidence),
        });
    }
    Ok(scores)
}

fn status_name(status: ElementStatus) -> &'static str {
    match status {
        ElementStatus::Covered => "covered",
        ElementStatus::Partial => "partial",
        ElementStatus::Missing => "missing",
    }
}

/// Text compared the way people see it: white space runs as one space, ends trimmed.
fn same_text(a: &str, b: &str) -> bool {
    a.split_whitespace().eq(b.split_whitespace())
}

fn check_questions(
    answered: &[QuestionJson],
    cx: &AnswerContext<'_>,
    quotes: &Quotes<'_, '_>,
) -> Result<Vec<QuestionCheck>, Rejection> {
    let expected: Vec<(&str, &str)> = cx.playbook.questions().collect();
    if answered.len() != expected.len() {
        return Err(Rejection::new(format!(
            "`methodology_scores.playbook.questions` must list the playbook's {} questions in order, \
             not {}",
            expected.len(),
            answered.len()
        )));
    }
    answered
        .iter()
        .zip(&expected)
        .enumerate()
        .map(|(i, (a, (section, question)))| {
            let field = format!("methodology_scores.playbook.questions[{i}]");
            if !same_text(&a.section, section) || !same_text(&a.question, question) {
                return Err(Rejection::new(format!(
                    "`{field}` is not the playbook's question {} with its section, copied as given",
                    i + 1
                )));
            }
            if a.match_score > 100 {
                return Err(Rejection::new(format!(
                    "`{field}.match_score` is above 100"
                )));
            }
            if a.asked && a.evidence.is_none() {
                return Err(Rejection::new(format!(
                    "`{field}` is asked but has no evidence"
                )));
            }
            let evidence = a
                .evidence
                .as_deref()
                .map(|q| quotes.find(q, &format!("{field}.evidence")))
                .transpose()?;
            Ok(QuestionCheck {
                section: (*section).to_owned(),
                question: (*question).to_owned(),
                asked: a.asked,
                match_score: a.match_score,
                evidence: evidence.map(|e| e.evidence),
            })
        })
        .collect()
}

fn check_objections(
    answered: &[ObjectionJson],
    cx: &AnswerContext<'_>,
    language: Language,
    quotes: &Quotes<'_, '_>,
) -> Result<Vec<ObjectionCheck>, Rejection> {
    let mut checks = Vec::with_capacity(answered.len());
    for (i, a) in answered.iter().enumerate() {
        let field = format!("methodology_scores.playbook.objections[{i}]");
        let Some(kind) = cx.lexicon.objections.iter().find(|k| k.key == a.kind) else {
            return Err(Rejection::new(format!(
                "`{field}.kind` is not one of the objection kinds"
            )));
        };
        let playbook_objection = match &a.playbook_objection {
            None => None,
            Some(named) => match cx
                .playbook
                .objections
                .iter()
                .find(|o| same_text(&o.objection, named))
            {
                Some(o) => Some(o.objection.clone()),
                None => {
                    return Err(Rejection::new(format!(
                        "`{field}.playbook_objection` is not one of the playbook's objections"
                    )));
                }
            },
        };
        if a.answered != a.response.is_some() {
            return Err(Rejection::new(format!(
                "`{field}.response` must be a quote exactly when `answered` is true"
            )));
        }
        if a.follows_playbook_response && (!a.answered || playbook_objection.is_none()) {
            return Err(Rejection::new(format!(
                "`{field}` follows a playbook response but was not answered or has no playbook \
                 objection"
            )));
        }
        let objection = quotes.find(&a.objection, &format!("{field}.objection"))?;
        let response = a
            .response
            .as_deref()
            .map(|q| quotes.find(q, &format!("{field}.response")))
            .transpose()?;
        checks.push((
            objection.order(),
            ObjectionCheck {
                kind: kind.key.clone(),
                label: kind.label.get(language).to_owned(),
                playbook_objection,
                answered: a.answered,
                follows_playbook_response: a.follows_playbook_response,
                objection: objection.evidence,
                response: response.map(|r| r.evidence),
            },
        ));
    }
    checks.sort_by_key(|(order, _)| *order);
    Ok(checks.into_iter().map(|(_, c)| c).collect())
}

fn check_moments(
    answered: &[MomentJson],
    cx: &AnswerContext<'_>,
    quotes: &Quotes<'_, '_>,
) -> Result<Vec<KeyMoment>, Rejection> {
    if answered.len() > MAX_MOMENTS {
        return Err(Rejection::new(format!(
            "`key_moments` has more than {MAX_MOMENTS} moments"
        )));
    }
    let mut moments = Vec::with_capacity(answered.len());
    for (i, a) in answered.iter().enumerate() {
        let field = format!("key_moments[{i}]");
        let found = quotes.find(&a.evidence, &format!("{field}.evidence"))?;
        let detail = a.detail.as_deref().map(str::trim).filter(|d| !d.is_empty());
        let detail = match a.kind {
            MomentKind::Objection => match detail {
                Some(d) if cx.lexicon.objections.iter().any(|k| k.key == d) => Some(d.to_owned()),
                _ => {
                    return Err(Rejection::new(format!(
                        "`{field}.detail` must be the objection kind key"
                    )));
                }
            },
            MomentKind::Competitor => match detail {
                Some(d) => Some(d.to_owned()),
                None => {
                    return Err(Rejection::new(format!(
                        "`{field}.detail` must name the competitor"
                    )));
                }
            },
            // The other kinds carry no detail; one written anyway is dropped, not shown.
            MomentKind::Pricing | MomentKind::Pain | MomentKind::NextStep => None,
        };
        let (date, date_text) = match (a.kind, a.date_text.as_deref().map(str::trim)) {
            (MomentKind::NextStep, Some(words)) if !words.is_empty() => {
                if !found.evidence.quote.contains(words) {
                    return Err(Rejection::new(format!(
                        "`{field}.date_text` is not inside its quote"
                    )));
                }
                (
                    quotes.date_said(&found, words, cx.lexicon),
                    Some(words.to_owned()),
                )
            }
            _ => (None, None),
        };
        moments.push((
            (found.order(), a.kind),
            KeyMoment {
                kind: a.kind,
                detail,
                position_percent: quotes.doc.position_percent(found.sentence),
                evidence: found.evidence,
                date,
                date_text,
            },
        ));
    }
    moments.sort_by_key(|(order, _)| *order);
    Ok(moments.into_iter().map(|(_, m)| m).collect())
}

fn check_actions(
    actions: Vec<SuggestedAction>,
    element_keys: &[&str],
) -> Result<Vec<SuggestedAction>, Rejection> {
    if actions.len() > MAX_ACTIONS {
        return Err(Rejection::new(format!(
            "`suggested_actions` has more than {MAX_ACTIONS} actions"
        )));
    }
    actions
        .into_iter()
        .enumerate()
        .map(|(i, mut action)| {
            let field = format!("suggested_actions[{i}]");
            action.text = action.text.trim().to_owned();
            if action.text.is_empty() {
                return Err(Rejection::new(format!("`{field}.text` is empty")));
            }
            action.element = action
                .element
                .map(|e| e.trim().to_owned())
                .filter(|e| !e.is_empty());
            match &action.element {
                Some(key) if !element_keys.contains(&key.as_str()) => {
                    return Err(Rejection::new(format!(
                        "`{field}.element` is not one of the element keys"
                    )));
                }
                None if matches!(
                    action.kind,
                    ActionKind::AskElement | ActionKind::ConfirmElement
                ) =>
                {
                    return Err(Rejection::new(format!(
                        "`{field}` asks about an element but names none"
                    )));
                }
                _ => {}
            }
            Ok(action)
        })
        .collect()
}

/// A quote found in the transcript.
struct Found {
    evidence: Evidence,
    /// The sentence (in conversation order) the quote starts in.
    sentence: usize,
}

impl Found {
    fn order(&self) -> (usize, usize) {
        (self.sentence, self.evidence.start)
    }
}

fn in_conversation_order(mut found: Vec<Found>) -> Vec<Evidence> {
    found.sort_by_key(Found::order);
    found.dedup_by_key(|f| (f.evidence.start, f.evidence.end));
    found.into_iter().map(|f| f.evidence).collect()
}

/// Finds the model's quotes in the transcript, as the built-in analyser read it.
struct Quotes<'d, 't> {
    doc: &'d Doc<'t>,
}

impl Quotes<'_, '_> {
    fn find(&self, quote: &str, field: &str) -> Result<Found, Rejection> {
        let trimmed = quote.trim();
        if trimmed.is_empty() {
            return Err(Rejection::new(format!("`{field}` is an empty quote")));
        }
        // A quote wrapped in quotation marks is looked for without them too.
        let unwrapped = trimmed
            .strip_prefix(['"', '“', '\''])
            .and_then(|q| q.strip_suffix(['"', '”', '\'']))
            .map(str::trim)
            .filter(|q| !q.is_empty());
        [Some(trimmed), unwrapped]
            .into_iter()
            .flatten()
            .flat_map(|q| candidates(self.doc.text, q))
            .find_map(|range| self.in_one_turn(range))
            .ok_or_else(|| {
                Rejection::new(format!(
                    "`{field}` is not an exact quote of one speaker's turn in the transcript"
                ))
            })
    }

    /// The evidence for `range` when it starts and ends inside sentences of one turn.
    fn in_one_turn(&self, range: Range<usize>) -> Option<Found> {
        let sentences = &self.doc.sentences;
        let first = sentences
            .iter()
            .position(|s| s.range.contains(&range.start))?;
        let last = sentences
            .iter()
            .position(|s| s.range.start < range.end && range.end <= s.range.end)?;
        let s = &sentences[first];
        if sentences[last].utterance != s.utterance {
            return None;
        }
        Some(Found {
            evidence: Evidence {
                quote: self.doc.text[range.clone()].to_owned(),
                speaker: s.speaker.map(|i| self.doc.speakers[i].name.clone()),
                role: s.role,
                time: s.when.map(When::display),
                start: range.start,
                end: range.end,
                utterance: s.utterance,
            },
            sentence: first,
        })
    }

    /// The day `words` (inside `found`'s quote) name, read by the built-in date reader against the
    /// message's or the conversation's date; `None` when they name no day ("em junho") or there is
    /// no date to count from.
    fn date_said(
        &self,
        found: &Found,
        words: &str,
        lexicon: &Lexicon,
    ) -> Option<chrono::NaiveDate> {
        let words = words.to_lowercase();
        let sentences = &self.doc.sentences;
        (0..sentences.len())
            .filter(|&i| {
                let r = &sentences[i].range;
                r.start < found.evidence.end && found.evidence.start < r.end
            })
            .flat_map(|i| self.doc.dates_in(i, lexicon))
            .find(|(_, said)| {
                let said = said.to_lowercase();
                words.contains(&said) || said.contains(&words)
            })
            .and_then(|(mention, _)| mention.date)
    }
}

/// Where `quote` may be in `text`: every exact occurrence, then every occurrence of its words
/// separated by any white space (models often re-flow line breaks and double spaces).
fn candidates<'a>(text: &'a str, quote: &'a str) -> impl Iterator<Item = Range<usize>> + 'a {
    let exact = text
        .match_indices(quote)
        .map(move |(start, _)| start..start + quote.len());
    let words: Vec<&'a str> = quote.split_whitespace().collect();
    let first = words.first().copied();
    let loose = first
        .into_iter()
        .flat_map(move |first| text.match_indices(first).map(|(start, _)| start))
        .filter_map(move |start| {
            let mut end = start + words[0].len();
            for word in &words[1..] {
                let after = &text[end..];
                let gap = after.len() - after.trim_start().len();
                if gap == 0 || !after[gap..].starts_with(word) {
                    return None;
                }
                end += gap + word.len();
            }
            Some(start..end)
        });
    exact.chain(loose)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_are_found_exactly_or_across_reflowed_white_space() {
        let text = "Ana: Quem assina\no contrato?\nCarlos: O  Roberto, nosso CFO.";
        let found: Vec<_> = candidates(text, "Quem assina o contrato?").collect();
        assert_eq!(found, vec![5..28]);
        assert_eq!(&text[5..28], "Quem assina\no contrato?");
        let exact: Vec<_> = candidates(text, "O  Roberto").collect();
        assert_eq!(exact.first(), Some(&(37..47)));
        assert_eq!(candidates(text, "Quem assinao contrato").next(), None);
        assert_eq!(
            candidates(text, "Roberto nosso").next(),
            None,
            "punctuation counts"
        );
    }

    #[test]
    fn sentiment_label_and_score_must_agree_like_the_built_in_margin() {
        assert!(check_sentiment(ConversationSentiment::Positive, 25).is_ok());
        assert!(check_sentiment(ConversationSentiment::Positive, 24).is_err());
        assert!(check_sentiment(ConversationSentiment::Negative, -25).is_ok());
        assert!(check_sentiment(ConversationSentiment::Neutral, -24).is_ok());
        assert!(check_sentiment(ConversationSentiment::Neutral, 30).is_err());
        assert!(check_sentiment(ConversationSentiment::Negative, -101).is_err());
    }

    #[test]
    fn the_json_object_is_read_even_inside_a_code_fence() {
        let fenced = "```json\n{\"summary\": 1}\n```";
        let rejection = parse(fenced).err().expect("summary is not a string");
        assert_eq!(
            rejection.note,
            "`summary` is missing or not of the expected type or value"
        );
        assert!(rejection.feedback.contains("invalid type"));
        assert_eq!(
            parse("no json here").err().map(|r| r.note),
            Some("the answer has no JSON object".to_owned())
        );
    }

    #[test]
    fn a_rejection_note_never_carries_the_answers_text() {
        let secret = "{\"summary\": \"ok\", \"sentiment\": \"a quote from the call\"}";
        let rejection = parse(secret).err().expect("unknown sentiment");
        assert!(
            !rejection.note.contains("quote from the call"),
            "{}",
            rejection.note
        );
        assert_eq!(
            rejection.note,
            "`sentiment` is missing or not of the expected type or value"
        );
    }
}
