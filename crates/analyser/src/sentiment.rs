//! The customer's sentiment, from what the customer said — the agent's enthusiasm says nothing about
//! the deal.
//!
//! Positive and negative phrases come from `lexicon/sentiment.toml`; a negator just before a phrase
//! ("não gostei", "not interested") turns it around, and each objection weighs a little on the
//! negative side. The label needs a clear margin, because a polite call with one "ótimo" is neutral.

use domain::ConversationSentiment;

use crate::doc::Doc;
use crate::lexicon::Lexicon;
use crate::model::{Evidence, SpeakerRole};
use crate::playbook::RaisedObjection;

/// Score (−100..100) from which the label is positive or negative.
const LABEL_MARGIN: i32 = 25;
/// Added to the number of half points below the score, so that a polite word or two do not decide.
const DAMPING: i32 = 4;
/// How many of the strongest quotes are kept as evidence.
const MAX_EVIDENCE: usize = 3;

pub(crate) struct Sentiment {
    pub label: ConversationSentiment,
    pub score: i8,
    pub evidence: Vec<Evidence>,
}

pub(crate) fn customer_sentiment(
    doc: &Doc,
    lexicon: &Lexicon,
    objections: &[RaisedObjection],
) -> Sentiment {
    let g = lexicon.groups;
    let roles_known = doc.has_roles();
    // Half points, so an objection can weigh half a negative phrase.
    let (mut positive, mut negative) = (0i32, 0i32);
    let mut quoted: Vec<(i32, usize)> = Vec::new();
    for (i, s) in doc.sentences.iter().enumerate() {
        if roles_known && s.role != SpeakerRole::Customer {
            continue;
        }
        let tokens = doc.tokens_of(i);
        let mut weight = 0;
        // "O atendimento deles está péssimo" describes the pain the seller came to solve, not the
        // customer's mood about this conversation.
        let describes_pain = s.has(g.pain);
        for hit in doc.hits_of(i) {
            let polarity = if hit.group == g.positive {
                2
            } else if hit.group == g.negative && !describes_pain {
                -2
            } else {
                continue;
            };
            // A negator up to three words before a phrase turns it around, unless the phrase starts
            // with the negator itself ("não tenho interesse").
            let starts_negated = tokens
                .get(hit.start)
                .is_some_and(|t| lexicon.is_negator(t, doc.language));
            let negated = !starts_negated
                && tokens[hit.start.saturating_sub(3)..hit.start]
                    .iter()
                    .any(|t| lexicon.is_negator(t, doc.language));
            weight += if negated { -polarity } else { polarity };
        }
        for o in objections.iter().filter(|o| o.sentence == i) {
            weight -= lexicon.objections[o.kind].sentiment_weight;
        }
        if weight > 0 {
            positive += weight;
        } else {
            negative -= weight;
        }
        if weight != 0 {
            quoted.push((weight, i));
        }
    }
    let total = positive + negative;
    let score = if total == 0 {
        0
    } else {
        (100 * (positive - negative)) / (total + DAMPING)
    };
    let label = if score >= LABEL_MARGIN {
        ConversationSentiment::Positive
    } else if score <= -LABEL_MARGIN {
        ConversationSentiment::Negative
    } else {
        ConversationSentiment::Neutral
    };
    // Quote the sentences that pushed the label, strongest first, shown in conversation order.
    let wanted_sign = match label {
        ConversationSentiment::Positive => 1,
        ConversationSentiment::Negative => -1,
        ConversationSentiment::Neutral => 0,
    };
    quoted.retain(|(w, _)| wanted_sign == 0 || w.signum() == wanted_sign);
    quoted.sort_by_key(|(w, i)| (std::cmp::Reverse(w.abs()), *i));
    quoted.truncate(MAX_EVIDENCE);
    quoted.sort_by_key(|(_, i)| *i);
    Sentiment {
        label,
        score: score.clamp(-100, 100) as i8,
        evidence: quoted.into_iter().map(|(_, i)| doc.evidence(i)).collect(),
    }
}
