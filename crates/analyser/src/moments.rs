//! Key moments: objections, pricing talk, competitors named, pains, and next steps with their date.
//!
//! These are what a manager skims a call for, so each is one quote at its place in the conversation,
//! not a paraphrase. Neighbouring sentences about the same thing in one turn are one moment, so a
//! long price discussion does not bury the rest.

use crate::doc::Doc;
use crate::elements::reply_to;
use crate::lexicon::Lexicon;
use crate::model::{KeyMoment, MomentKind, Playbook, SpeakerRole};
use crate::playbook::RaisedObjection;
use crate::text::{FastSet, fold, mark, words};

/// More than this many moments stops being a highlight reel.
const MAX_MOMENTS: usize = 40;

fn moment(doc: &Doc, kind: MomentKind, sentence: usize, detail: Option<String>) -> KeyMoment {
    KeyMoment {
        kind,
        detail,
        evidence: doc.evidence(sentence),
        position_percent: doc.position_percent(sentence),
        date: None,
        date_text: None,
    }
}

/// For each sentence, the first competitor it names: from the playbook's list or the built-in one.
pub(crate) fn competitors_named(
    doc: &Doc,
    lexicon: &Lexicon,
    playbook: &Playbook,
) -> Vec<Option<String>> {
    let playbook_names: Vec<(Vec<String>, String)> = playbook
        .competitors
        .iter()
        .map(|c| {
            (
                words(&fold(c)).map(|(_, w)| w.to_owned()).collect(),
                c.clone(),
            )
        })
        .collect();
    // Most sentences name no competitor: look further only where a name's first word appears.
    let first_words: FastSet<&str> = playbook_names
        .iter()
        .chain(&lexicon.competitors)
        .filter_map(|(name, _)| name.first().map(String::as_str))
        .collect();
    doc.folded
        .iter()
        .enumerate()
        .map(|(i, folded)| {
            let built_in = doc
                .tokens_of(i)
                .iter()
                .any(|t| t.marks & mark::COMPETITOR != 0);
            if !built_in
                && (playbook_names.is_empty()
                    || !words(folded).any(|(_, w)| first_words.contains(w)))
            {
                return None;
            }
            let ws: Vec<&str> = words(folded).map(|(_, w)| w).collect();
            playbook_names
                .iter()
                .chain(&lexicon.competitors)
                .find_map(|(name, display)| {
                    let found = !name.is_empty()
                        && ws
                            .windows(name.len())
                            .any(|w| w.iter().zip(name).all(|(a, b)| a == b));
                    found.then(|| display.clone())
                })
        })
        .collect()
}

/// The customer's substantive answers to the seller's questions about pain: a pain said in words
/// the lexicon does not know is still a pain when it answers "what is your biggest problem?".
fn pain_answers(doc: &Doc, lexicon: &Lexicon) -> Vec<usize> {
    let mut answers = Vec::new();
    for (i, s) in doc.sentences.iter().enumerate() {
        if s.role != SpeakerRole::Agent || !s.question || !s.has(lexicon.groups.pain) {
            continue;
        }
        let first_with_facts = reply_to(doc, i).into_iter().find(|&j| {
            let r = &doc.sentences[j];
            r.content_words >= 4
                && !r.touches(lexicon.denial_mask)
                && !r.has(lexicon.groups.evasive)
        });
        answers.extend(first_with_facts);
    }
    answers
}

pub(crate) fn key_moments(
    doc: &Doc,
    lexicon: &Lexicon,
    competitors: &[Option<String>],
    objections: &[RaisedObjection],
) -> Vec<KeyMoment> {
    let g = lexicon.groups;
    let roles_known = doc.has_roles();
    let pain_answers = pain_answers(doc, lexicon);
    let mut moments: Vec<(usize, KeyMoment)> = Vec::new();
    let mut last_of_kind: Vec<(MomentKind, usize)> = Vec::new();
    let mut same_turn_as_last = |kind: MomentKind, i: usize, doc: &Doc| -> bool {
        let utterance = doc.sentences[i].utterance;
        let repeat = last_of_kind
            .iter()
            .any(|&(k, u)| k == kind && u == utterance);
        last_of_kind.retain(|&(k, _)| k != kind);
        last_of_kind.push((kind, utterance));
        repeat
    };

    for r in objections {
        moments.push((
            r.sentence,
            moment(
                doc,
                MomentKind::Objection,
                r.sentence,
                Some(lexicon.objections[r.kind].key.clone()),
            ),
        ));
    }

    for (i, s) in doc.sentences.iter().enumerate() {
        let customer_or_unknown = !roles_known || s.role == SpeakerRole::Customer;
        // An amount of money is price talk unless it measures a loss ("cost us 200 thousand").
        let money_talk = s.has_money && !s.touches(lexicon.loss_mask);
        if (s.has(g.pricing) || money_talk) && !same_turn_as_last(MomentKind::Pricing, i, doc) {
            moments.push((i, moment(doc, MomentKind::Pricing, i, None)));
        }
        let named = competitors[i].clone();
        if (named.is_some() || s.has(g.competitor))
            && !same_turn_as_last(MomentKind::Competitor, i, doc)
        {
            moments.push((i, moment(doc, MomentKind::Competitor, i, named)));
        }
        let says_pain =
            customer_or_unknown && s.has(g.pain) && !s.question && !s.touches(lexicon.denial_mask);
        if (says_pain || pain_answers.contains(&i)) && !same_turn_as_last(MomentKind::Pain, i, doc)
        {
            moments.push((i, moment(doc, MomentKind::Pain, i, None)));
        }
        if s.has(g.next_step) && !same_turn_as_last(MomentKind::NextStep, i, doc) {
            let mut m = moment(doc, MomentKind::NextStep, i, None);
            // The date is in the sentence or the two after it ("pode ser quinta às 10h?"); of several,
            // the furthest is the meeting ("mando a proposta hoje e falamos na quinta"). "Today" in a
            // neighbouring sentence is too loose to count.
            let own = doc.dates_in(i, lexicon);
            let near = (i + 1..doc.sentences.len().min(i + 3))
                .flat_map(|j| doc.dates_in(j, lexicon))
                .filter(|(mention, _)| !mention.today);
            let mentions: Vec<_> = own.into_iter().chain(near).collect();
            // On equal dates the earlier mention wins: the next step's own sentence first.
            let chosen = mentions
                .iter()
                .enumerate()
                .filter(|(_, (mention, _))| mention.date.is_some())
                .max_by_key(|(k, (mention, _))| (mention.date, std::cmp::Reverse(*k)))
                .map(|(_, m)| m)
                .or(mentions.first());
            if let Some((mention, text)) = chosen {
                m.date = mention.date;
                m.date_text = Some((*text).to_owned());
            }
            moments.push((i, m));
        }
    }
    moments.sort_by_key(|(i, m)| (*i, m.kind as u8));
    moments.truncate(MAX_MOMENTS);
    moments.into_iter().map(|(_, m)| m).collect()
}
