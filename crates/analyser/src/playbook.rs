//! Playbook adherence: which of the playbook's questions the agent asked, which objections the
//! customer raised and whether the agent answered them (the playbook's way or not), and the
//! `playbook_score` that sums it up with the methodology score.
//!
//! Questions are matched by meaning, not wording: both sides are reduced to their content words'
//! stems, and words of one paraphrase group (desafio/problema/dificuldade/challenge) count as the
//! same. An agent who asks "e qual é o maior problema de vocês hoje?" has asked "Qual seu principal
//! desafio?" — which is how a manager listening to the call would score it.

use crate::doc::Doc;
use crate::lexicon::Lexicon;
use crate::model::{ObjectionCheck, Playbook, PlaybookAdherence, QuestionCheck, SpeakerRole};
use crate::text::{FastSet, Token, fold};

/// Share of a question's meaning an agent question must carry to count as asking it.
const ASKED_BY_QUESTION: f32 = 0.6;
/// The same for a statement ("me conta como funciona o processo de vocês").
const ASKED_BY_STATEMENT: f32 = 0.9;
/// The same for a question of four or more content words, asked as a question.
const LONG_QUESTION: f32 = 0.5;
/// Share of the playbook response's meaning an answer must carry to follow it.
const FOLLOWS_RESPONSE: f32 = 0.25;

/// The meaning of a text: for each content word, its paraphrase group in Portuguese and in English.
fn concepts(tokens: &[Token], lexicon: &Lexicon) -> Vec<(u32, u32)> {
    let mut out: Vec<(u32, u32)> = Vec::new();
    for t in tokens.iter().filter(|t| !t.stop()) {
        let pair = (lexicon.concept(t.pt), lexicon.concept(t.en));
        if !out.contains(&pair) {
            out.push(pair);
        }
    }
    out
}

fn concept_set(tokens: &[Token], lexicon: &Lexicon) -> FastSet<u32> {
    tokens
        .iter()
        .filter(|t| !t.stop())
        .flat_map(|t| [lexicon.concept(t.pt), lexicon.concept(t.en)])
        .collect()
}

/// Weighted share of `wanted` found in `have`, 0.0–1.0; generic qualifiers weigh half.
fn coverage(wanted: &[(u32, u32)], have: &FastSet<u32>, lexicon: &Lexicon) -> f32 {
    let weight = |(pt, en): &(u32, u32)| {
        if lexicon.generic_concepts.contains(pt) || lexicon.generic_concepts.contains(en) {
            0.5
        } else {
            1.0
        }
    };
    let total: f32 = wanted.iter().map(weight).sum();
    if total == 0.0 {
        return 0.0;
    }
    let found: f32 = wanted
        .iter()
        .filter(|(pt, en)| have.contains(pt) || have.contains(en))
        .map(weight)
        .sum();
    found / total
}

fn tokens_of_text(doc: &mut Doc, text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    doc.vocabulary.tokens(&fold(text), &mut tokens);
    tokens
}

/// Sentences the agent said (every sentence when roles are unknown).
fn agent_sentences(doc: &Doc) -> Vec<usize> {
    let roles_known = doc.has_roles();
    (0..doc.sentences.len())
        .filter(|&i| !roles_known || doc.sentences[i].role == SpeakerRole::Agent)
        .collect()
}

pub(crate) fn check_questions(
    doc: &mut Doc,
    lexicon: &Lexicon,
    playbook: &Playbook,
) -> Vec<QuestionCheck> {
    let candidates = agent_sentences(doc);
    let sets: Vec<FastSet<u32>> = candidates
        .iter()
        .map(|&i| concept_set(doc.tokens_of(i), lexicon))
        .collect();
    let mut checks = Vec::new();
    for (section, question) in playbook.questions() {
        let tokens = tokens_of_text(doc, question);
        let wanted = concepts(&tokens, lexicon);
        let mut best: Option<(f32, usize)> = None;
        let mut asked_at: Option<(f32, usize)> = None;
        for (k, &i) in candidates.iter().enumerate() {
            let share = coverage(&wanted, &sets[k], lexicon);
            if share <= 0.0 {
                continue;
            }
            let needed = if doc.sentences[i].question {
                ASKED_BY_QUESTION
            } else {
                ASKED_BY_STATEMENT
            };
            // One- and two-word questions need every word; long ones carry qualifiers ("do time hoje")
            // that a paraphrase drops, so half of their meaning is enough in a question.
            let needed = match wanted.len() {
                0..=2 => 1.0,
                3 => needed,
                _ if doc.sentences[i].question => LONG_QUESTION,
                _ => needed,
            };
            if share >= needed && asked_at.is_none_or(|(s, _)| share > s) {
                asked_at = Some((share, i));
            }
            if best.is_none_or(|(s, _)| share > s) {
                best = Some((share, i));
            }
        }
        let shown = asked_at.or(best).filter(|(share, _)| *share >= 0.5);
        checks.push(QuestionCheck {
            section: section.to_owned(),
            question: question.to_owned(),
            asked: asked_at.is_some(),
            match_score: (asked_at.or(best).map_or(0.0, |(s, _)| s) * 100.0).round() as u8,
            evidence: shown.map(|(_, i)| doc.evidence(i)),
        });
    }
    checks
}

/// An objection the customer raised: its sentence and kind index in `lexicon.objections`.
pub(crate) struct RaisedObjection {
    pub sentence: usize,
    pub kind: usize,
}

/// Customer sentences that object, one per kind and turn. A customer naming a competitor they are
/// looking at is a competitor objection even without objecting words.
pub(crate) fn raised_objections(
    doc: &Doc,
    lexicon: &Lexicon,
    competitors: &[Option<String>],
) -> Vec<RaisedObjection> {
    let roles_known = doc.has_roles();
    let mut raised: Vec<RaisedObjection> = Vec::new();
    for (i, s) in doc.sentences.iter().enumerate() {
        if roles_known && s.role != SpeakerRole::Customer {
            continue;
        }
        let mentions_competitor = competitors[i].is_some() || s.has(lexicon.groups.competitor);
        if !s.touches(lexicon.objection_mask) && !mentions_competitor {
            continue;
        }
        let kind = doc
            .hits_of(i)
            .iter()
            .find_map(|h| lexicon.objections.iter().position(|o| o.group == h.group))
            .or(lexicon.competitor_objection.filter(|_| mentions_competitor));
        let Some(kind) = kind else { continue };
        let repeated = raised
            .iter()
            .any(|r| r.kind == kind && doc.sentences[r.sentence].utterance == s.utterance);
        if !repeated {
            raised.push(RaisedObjection { sentence: i, kind });
        }
    }
    raised
}

/// The agent's answer to sentence `i`: the agent's sentences in the next agent turn.
fn agent_answer(doc: &Doc, i: usize) -> Vec<usize> {
    let from = doc.sentences[i].utterance;
    let mut answer = Vec::new();
    for (j, s) in doc.sentences.iter().enumerate().skip(i + 1) {
        match s.role {
            SpeakerRole::Agent => {
                if answer.is_empty() && s.utterance > from + 2 {
                    break;
                }
                answer.push(j);
                if answer.len() == 5 {
                    break;
                }
            }
            _ if !answer.is_empty() => break,
            _ => {}
        }
    }
    answer
}

pub(crate) fn check_objections(
    doc: &mut Doc,
    lexicon: &Lexicon,
    playbook: &Playbook,
    raised: &[RaisedObjection],
) -> Vec<ObjectionCheck> {
    // Which kind each playbook objection is, and the meaning of its response.
    let mut playbook_objections = Vec::new();
    for o in &playbook.objections {
        let tokens = tokens_of_text(doc, &o.objection);
        let mut hits = Vec::new();
        lexicon.matcher.find(&tokens, &mut hits);
        let kind = hits
            .iter()
            .find_map(|h| lexicon.objections.iter().position(|k| k.group == h.group));
        let meaning = concepts(&tokens, lexicon);
        let response = concepts(&tokens_of_text(doc, &o.response), lexicon);
        playbook_objections.push((kind, meaning, response, o));
    }
    let roles_known = doc.has_roles();
    let mut checks = Vec::new();
    for r in raised {
        let said = concept_set(doc.tokens_of(r.sentence), lexicon);
        let matching = playbook_objections
            .iter()
            .filter(|(kind, meaning, _, _)| {
                *kind == Some(r.kind) || coverage(meaning, &said, lexicon) >= 0.5
            })
            .max_by(|a, b| {
                coverage(&a.1, &said, lexicon).total_cmp(&coverage(&b.1, &said, lexicon))
            });
        let answer = if roles_known {
            agent_answer(doc, r.sentence)
        } else {
            Vec::new()
        };
        let answer_words: usize = answer.iter().map(|&j| doc.sentences[j].content_words).sum();
        let answered = answer_words >= 5;
        let answer_set: FastSet<u32> = answer
            .iter()
            .flat_map(|&j| concept_set(doc.tokens_of(j), lexicon))
            .collect();
        let follows = answered
            && matching.is_some_and(|(_, _, response, _)| {
                coverage(response, &answer_set, lexicon) >= FOLLOWS_RESPONSE
            });
        // Quote the sentence of the answer closest to the playbook's response, else the fullest one.
        let quoted = answer.iter().copied().max_by_key(|&j| {
            let closeness = matching.map_or(0, |(_, _, response, _)| {
                (coverage(response, &concept_set(doc.tokens_of(j), lexicon), lexicon) * 100.0)
                    as usize
            });
            (
                closeness,
                doc.sentences[j].content_words,
                std::cmp::Reverse(j),
            )
        });
        let kind = &lexicon.objections[r.kind];
        checks.push(ObjectionCheck {
            kind: kind.key.clone(),
            label: kind.label.get(doc.language).to_owned(),
            playbook_objection: matching.map(|(_, _, _, o)| o.objection.clone()),
            answered,
            follows_playbook_response: follows,
            objection: doc.evidence(r.sentence),
            response: quoted.filter(|_| answered).map(|j| doc.evidence(j)),
        });
    }
    checks
}

/// Weights of the questions, methodology and objections in `playbook_score`; a part with nothing to
/// measure (no questions in the playbook, no objection raised) is left out and the rest rescaled.
const QUESTIONS_WEIGHT: f32 = 0.5;
const ELEMENTS_WEIGHT: f32 = 0.35;
const OBJECTIONS_WEIGHT: f32 = 0.15;

pub(crate) fn adherence(
    questions: Vec<QuestionCheck>,
    objections: Vec<ObjectionCheck>,
    elements_score: u8,
) -> (u8, PlaybookAdherence) {
    let questions_score = (!questions.is_empty())
        .then(|| ((questions.iter().filter(|q| q.asked).count() * 100) / questions.len()) as u8);
    let objections_score = (!objections.is_empty()).then(|| {
        let points: usize = objections
            .iter()
            .map(|o| match (o.answered, o.follows_playbook_response) {
                (true, true) => 100,
                (true, false) => 70,
                _ => 0,
            })
            .sum();
        (points / objections.len()) as u8
    });
    let mut weighted = ELEMENTS_WEIGHT * f32::from(elements_score);
    let mut weights = ELEMENTS_WEIGHT;
    if let Some(q) = questions_score {
        weighted += QUESTIONS_WEIGHT * f32::from(q);
        weights += QUESTIONS_WEIGHT;
    }
    if let Some(o) = objections_score {
        weighted += OBJECTIONS_WEIGHT * f32::from(o);
        weights += OBJECTIONS_WEIGHT;
    }
    let score = (weighted / weights).round().clamp(0.0, 100.0) as u8;
    (
        score,
        PlaybookAdherence {
            questions_score,
            elements_score,
            objections_score,
            questions,
            objections,
        },
    )
}
