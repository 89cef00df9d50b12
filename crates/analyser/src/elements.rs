//! Scoring each methodology element as covered, partial or missing, with the quotes that decide it.
//!
//! The rule that shapes this module: an element counts as covered only when the customer gave
//! substance — said it in their own words, or answered a question about it with facts (a number for
//! metrics, a date for a timeline). An agent who asks "quem assina?" and hears "vamos ver" has made it
//! partial; so has an agent who asserts "vocês precisam resolver isso até junho" and gets a "sim".
//! That is what a sales manager checks when coaching, and what a keyword count would get wrong.

use crate::doc::{Doc, Sentence};
use crate::lexicon::{Element, Lexicon, Requirement};
use crate::model::{ElementScore, ElementStatus, Evidence, Language, SpeakerRole};

/// At most this many quotes per element: enough to explain, few enough to read.
const MAX_EVIDENCE: usize = 4;

fn meets(requirement: Requirement, s: &Sentence) -> bool {
    match requirement {
        Requirement::None => true,
        Requirement::Number => s.has_number || s.has_money,
        Requirement::Date => s.has_date,
    }
}

/// A vague reply: "não sei", "depende", "I'm not sure" with little else.
fn is_evasive(s: &Sentence, lexicon: &Lexicon) -> bool {
    s.has(lexicon.groups.evasive) && s.content_words < 6
}

/// A reply with facts in it, not a bare "sim" or "ok".
fn is_substantive(s: &Sentence, lexicon: &Lexicon) -> bool {
    !is_evasive(s, lexicon)
        && (s.content_words >= 3
            || ((s.has_number || s.has_money || s.has_date) && s.content_words >= 1))
}

/// The customer's sentences that reply to sentence `i`: the next customer turn, if it comes within
/// the next two turns (a seller often splits a question over two chat messages).
pub(crate) fn reply_to(doc: &Doc, i: usize) -> Vec<usize> {
    let asked_in = doc.sentences[i].utterance;
    let mut reply = Vec::new();
    for (j, s) in doc.sentences.iter().enumerate().skip(i + 1) {
        match s.role {
            SpeakerRole::Customer => {
                if reply.is_empty() && s.utterance > asked_in + 2 {
                    break;
                }
                reply.push(j);
                if reply.len() == 4 {
                    break;
                }
            }
            _ if !reply.is_empty() => break,
            _ if s.utterance > asked_in + 2 => break,
            _ => {}
        }
    }
    reply
}

#[derive(Default)]
struct Findings {
    /// Customer sentences with substance (own words or answers).
    substance: Vec<usize>,
    /// Agent sentences that asked about or asserted the element.
    agent: Vec<usize>,
    /// Customer sentences on the element without substance (vague, evasive, a bare "yes").
    weak: Vec<usize>,
    confirmed: bool,
}

/// How many questions the seller asked in the turn of sentence `i`.
fn questions_in_turn(doc: &Doc, i: usize) -> usize {
    let utterance = doc.sentences[i].utterance;
    doc.sentences
        .iter()
        .filter(|s| s.utterance == utterance && s.question)
        .count()
}

fn find(doc: &Doc, lexicon: &Lexicon, element: &Element) -> Findings {
    let mut f = Findings::default();
    let roles_known = doc.has_roles();
    let topic = element.cues | element.title_cues;
    for (i, s) in doc.sentences.iter().enumerate() {
        if !s.touches(topic) {
            continue;
        }
        let role = if roles_known {
            s.role
        } else if s.question {
            // With no speakers known, a question is taken as the seller's and a statement as the
            // buyer's: the best reading of unlabelled captions or a seller's notes.
            SpeakerRole::Agent
        } else {
            SpeakerRole::Customer
        };
        match role {
            SpeakerRole::Agent => {
                f.agent.push(i);
                let reply = if roles_known {
                    reply_to(doc, i)
                } else {
                    next_statements(doc, i)
                };
                let Some(&first) = reply.first() else {
                    continue;
                };
                let opens_with = |group| {
                    doc.hits_of(first)
                        .iter()
                        .any(|h| h.group == group && h.start == 0)
                };
                let opens_with_yes = opens_with(lexicon.groups.affirmation);
                let bare_no = opens_with(lexicon.groups.negative_reply)
                    && doc.sentences[first].content_words <= 2;
                if element.absent_on_no && bare_no {
                    // "Any problem there?" "Not really." — whatever follows is not the problem.
                    f.weak.push(first);
                } else if s.question {
                    // When the seller asked several things at once (an e-mail with a list), only a
                    // reply on this topic answers this question.
                    // So does a reply that pushes back ("doesn't matter, it's not a priority").
                    let pushes_back = reply
                        .iter()
                        .any(|&j| doc.sentences[j].touches(lexicon.dismissal_mask));
                    // And a reply that opens with a dodge ("Maybe. Let me see the proposal first.").
                    let dodges = is_evasive(&doc.sentences[first], lexicon);
                    let on_topic_only =
                        pushes_back || dodges || (roles_known && questions_in_turn(doc, i) > 1);
                    let answered: Vec<usize> = reply
                        .iter()
                        .copied()
                        .filter(|&j| {
                            is_substantive(&doc.sentences[j], lexicon)
                                && !denies(&doc.sentences[j], lexicon)
                        })
                        .filter(|&j| !on_topic_only || doc.sentences[j].touches(topic))
                        .collect();
                    let fulfilling: Vec<usize> = answered
                        .iter()
                        .copied()
                        .filter(|&j| meets(element.requires, &doc.sentences[j]))
                        .collect();
                    if let Some(&best) = fulfilling
                        .iter()
                        .find(|&&j| doc.sentences[j].touches(element.cues))
                        .or(fulfilling.first())
                    {
                        f.substance.push(best);
                        f.confirmed |= roles_known;
                    } else if let Some(&vague) = answered.first() {
                        f.weak.push(vague);
                        f.confirmed |= roles_known;
                    } else {
                        f.weak.push(first);
                        f.confirmed |= roles_known && opens_with_yes;
                    }
                } else if opens_with_yes {
                    // "Isso mesmo" to the seller's statement: agreement, not substance.
                    f.weak.push(first);
                    f.confirmed |= roles_known;
                }
            }
            SpeakerRole::Customer => {
                if is_evasive(s, lexicon) || denies(s, lexicon) {
                    f.weak.push(i);
                } else if s.touches(element.cues)
                    && meets(element.requires, s)
                    && s.content_words >= 2
                    && !s.question
                {
                    f.substance.push(i);
                    f.confirmed |= roles_known;
                } else {
                    f.weak.push(i);
                    f.confirmed |= roles_known;
                }
            }
            SpeakerRole::Unknown => {}
        }
    }
    f.substance.sort_unstable();
    f.substance.dedup();
    f.weak.retain(|w| !f.substance.contains(w));
    f
}

/// "Não temos esse problema": words on the topic that deny it.
fn denies(s: &Sentence, lexicon: &Lexicon) -> bool {
    s.touches(lexicon.denial_mask)
}

/// Without speakers, the statements right after a question stand for its answer.
fn next_statements(doc: &Doc, i: usize) -> Vec<usize> {
    (i + 1..doc.sentences.len().min(i + 3))
        .take_while(|&j| !doc.sentences[j].question)
        .collect()
}

fn score_element(
    doc: &Doc,
    lexicon: &Lexicon,
    element: &Element,
    language: Language,
) -> ElementScore {
    let f = find(doc, lexicon, element);
    let (status, score) = if !f.substance.is_empty() {
        (
            ElementStatus::Covered,
            (70 + 10 * f.substance.len()).min(100),
        )
    } else if !f.agent.is_empty() || !f.weak.is_empty() {
        (ElementStatus::Partial, if f.confirmed { 45 } else { 30 })
    } else {
        (ElementStatus::Missing, 0)
    };
    // Evidence: the customer's substance first, then the questions that drew it, then the rest.
    let mut chosen: Vec<usize> = Vec::new();
    for &i in &f.substance {
        if chosen.len() < MAX_EVIDENCE - 1 {
            chosen.push(i);
            // The agent's question just before the answer, when there was one.
            if let Some(&q) = f
                .agent
                .iter()
                .rev()
                .find(|&&a| a < i && doc.sentences[a].question && reply_to(doc, a).contains(&i))
            {
                chosen.push(q);
            }
        }
    }
    for &i in f.weak.iter().chain(&f.agent) {
        if chosen.len() >= MAX_EVIDENCE {
            break;
        }
        chosen.push(i);
    }
    chosen.sort_unstable();
    chosen.dedup();
    chosen.truncate(MAX_EVIDENCE);
    let evidence: Vec<Evidence> = chosen.into_iter().map(|i| doc.evidence(i)).collect();
    ElementScore {
        key: element.key.clone(),
        label: element.label.get(language).to_owned(),
        status,
        score: score as u8,
        customer_confirmed: f.confirmed,
        evidence,
    }
}

/// Scores of every element of `elements`, in their order.
pub(crate) fn score_elements(
    doc: &Doc,
    lexicon: &Lexicon,
    elements: &[Element],
) -> Vec<ElementScore> {
    elements
        .iter()
        .map(|e| score_element(doc, lexicon, e, doc.language))
        .collect()
}

/// Mean of element scores, 0–100.
pub(crate) fn overall(scores: &[ElementScore]) -> u8 {
    if scores.is_empty() {
        return 0;
    }
    (scores.iter().map(|s| u32::from(s.score)).sum::<u32>() / scores.len() as u32) as u8
}
