//! A conversation made ready for analysis: sentences with their speaker, role, time, tokens and the
//! lexicon phrases found in them.
//!
//! The sentence is the analyser's unit of evidence — small enough to quote, large enough to carry a
//! question or an answer — and everything the scoring modules ask of a sentence (is it a question,
//! does it give a number, a date, which topics does it touch) is computed here once.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::LazyLock;

use chrono::NaiveDate;
use regex::Regex;

use crate::dates::{DateMention, find_dates};
use crate::lexicon::{GroupId, GroupMask, Hit, Lexicon, bit};
use crate::model::{Evidence, Language, SpeakerInfo, SpeakerRole};
use crate::speakers;
use crate::text::{NUMBER, Token, Vocabulary, fold, fold_with_offsets, mark, words};
use crate::transcript::{self, ParsedTranscript, When};

static MONEY: LazyLock<Regex> = LazyLock::new(|| {
    // ASCII word boundaries keep this on the fast DFA; a Unicode `\b` falls back to a backtracker.
    Regex::new(
        r"(?i)(?:r\$|us\$|u\$|\$|€|£)\s?\d|\d\s?(?:mil|k|mi|milh(?:ão|ao|ões|oes)|reais|real|d[óo]lar(?:es)?|dollars?|bucks|million|thousand|grand)(?-u:\b)",
    )
    .expect("static pattern")
});

/// Longest sentence quoted whole; longer runs without punctuation are cut at a space.
const LONGEST_SENTENCE: usize = 400;

#[derive(Debug, Clone)]
pub(crate) struct Sentence {
    pub utterance: usize,
    pub speaker: Option<usize>,
    pub role: SpeakerRole,
    pub range: Range<usize>,
    pub when: Option<When>,
    pub tokens: Range<usize>,
    pub hits: Range<usize>,
    pub mask: GroupMask,
    pub question: bool,
    pub has_number: bool,
    pub has_money: bool,
    pub has_date: bool,
    /// Words that are not function words.
    pub content_words: usize,
}

impl Sentence {
    pub(crate) fn has(&self, group: GroupId) -> bool {
        self.mask & bit(group) != 0
    }

    pub(crate) fn touches(&self, mask: GroupMask) -> bool {
        self.mask & mask != 0
    }
}

pub(crate) struct Doc<'t> {
    pub text: &'t str,
    pub parsed: ParsedTranscript,
    pub speakers: Vec<SpeakerInfo>,
    pub sentences: Vec<Sentence>,
    /// Each sentence accent- and case-folded, in sentence order.
    pub folded: Vec<String>,
    pub tokens: Vec<Token>,
    pub hits: Vec<Hit>,
    pub language: Language,
    pub conversation_date: Option<NaiveDate>,
    pub vocabulary: Vocabulary<'t>,
}

/// Splits `range` of `text` into sentences: at `.`, `!`, `?`, `…` followed by a space, and at line breaks.
fn split_sentences(text: &str, range: Range<usize>, out: &mut Vec<Range<usize>>) {
    let part = &text[range.clone()];
    let mut start = 0;
    let mut chars = part.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let boundary = match c {
            '\n' => Some(i),
            '.' | '!' | '?' | '…' => {
                let next = chars.peek().map(|&(_, n)| n);
                match next {
                    None => None,
                    Some(n) if n.is_whitespace() => {
                        let word_before = part[start..i]
                            .rsplit(|ch: char| !ch.is_alphanumeric())
                            .next()
                            .unwrap_or("");
                        // "Sr. Silva", "Dr. Lima", "aprox. 20": a short word and a dot is rarely an end.
                        let abbreviation = c == '.'
                            && word_before.chars().count() <= 2
                            && word_before.chars().all(char::is_alphabetic)
                            && !word_before.is_empty();
                        (!abbreviation).then_some(i + c.len_utf8())
                    }
                    Some(_) => None,
                }
            }
            _ => None,
        };
        if let Some(end) = boundary {
            push_sentence(text, range.start + start..range.start + end, out);
            start = end;
        }
    }
    push_sentence(text, range.start + start..range.end, out);
}

fn push_sentence(text: &str, range: Range<usize>, out: &mut Vec<Range<usize>>) {
    let Some(mut range) = transcript::trimmed_range(text, range) else {
        return;
    };
    while range.len() > LONGEST_SENTENCE {
        let window = &text[range.start..range.end];
        // Cut at the last space before the limit (or the first after it), on a character boundary.
        let limit = (0..=LONGEST_SENTENCE)
            .rev()
            .find(|&i| window.is_char_boundary(i))
            .unwrap_or(0);
        let cut = window[..limit]
            .rfind(char::is_whitespace)
            .or_else(|| window[limit..].find(char::is_whitespace).map(|i| i + limit));
        let Some(cut) = cut.filter(|&c| c > 0) else {
            break;
        };
        if let Some(first) = transcript::trimmed_range(text, range.start..range.start + cut) {
            out.push(first);
        }
        match transcript::trimmed_range(text, range.start + cut..range.end) {
            Some(rest) => range = rest,
            None => return,
        }
    }
    out.push(range);
}

/// The conversation's language: the one whose function words its sentences use more, with whatlang's
/// trigram model deciding when the counts are close.
fn detect_language(doc_text: &str, sentences: &[Sentence], tokens: &[Token]) -> Language {
    let (mut pt, mut en) = (0usize, 0usize);
    for t in tokens {
        pt += usize::from(t.marks & mark::STOP_PT != 0);
        en += usize::from(t.marks & mark::STOP_EN != 0);
    }
    if pt >= 2 * en.max(1) {
        return Language::Pt;
    }
    if en >= 2 * pt.max(1) {
        return Language::En;
    }
    let mut sample = String::new();
    for s in sentences {
        if sample.len() >= 2_000 {
            break;
        }
        sample.push_str(&doc_text[s.range.clone()]);
        sample.push(' ');
    }
    let detector =
        whatlang::Detector::with_allowlist(vec![whatlang::Lang::Por, whatlang::Lang::Eng]);
    match detector.detect_lang(&sample) {
        Some(whatlang::Lang::Eng) => Language::En,
        Some(_) => Language::Pt,
        None if en > pt => Language::En,
        None => Language::Pt,
    }
}

impl<'t> Doc<'t> {
    pub(crate) fn build(
        text: &'t str,
        agent_name: Option<&str>,
        language: Option<Language>,
        conversation_date: Option<NaiveDate>,
        lexicon: &'t Lexicon,
    ) -> Self {
        let parsed = transcript::parse(text);
        let mut vocabulary = Vocabulary::new(&lexicon.stemmers, &lexicon.stems);

        // Speakers in order of first appearance.
        let mut labels: Vec<String> = Vec::new();
        let mut label_index: HashMap<&str, usize> = HashMap::new();
        let mut utterance_speaker = Vec::with_capacity(parsed.utterances.len());
        for u in &parsed.utterances {
            let index = u.speaker.as_deref().map(|name| {
                *label_index.entry(name).or_insert_with(|| {
                    labels.push(name.to_owned());
                    labels.len() - 1
                })
            });
            utterance_speaker.push(index);
        }

        let mut sentences = Vec::new();
        let mut folded_sentences = Vec::new();
        let mut tokens = Vec::new();
        let mut hits = Vec::new();
        let mut ranges = Vec::new();
        // Amounts are found in one pass over the whole text, which is far cheaper than per sentence.
        let money: Vec<Range<usize>> = MONEY.find_iter(text).map(|m| m.range()).collect();
        for (u, utterance) in parsed.utterances.iter().enumerate() {
            for segment in &utterance.segments {
                ranges.clear();
                split_sentences(text, segment.range.clone(), &mut ranges);
                for range in ranges.drain(..) {
                    let raw = &text[range.clone()];
                    let folded = fold(raw);
                    let token_start = tokens.len();
                    vocabulary.tokens(&folded, &mut tokens);
                    let token_range = token_start..tokens.len();
                    let hit_start = hits.len();
                    lexicon
                        .matcher
                        .find(&tokens[token_range.clone()], &mut hits);
                    let mask = hits[hit_start..].iter().fold(0, |m, h| m | bit(h.group));
                    let first_word = words(&folded).next().map(|(_, w)| w);
                    let question = (raw.contains('?') && !is_tag_question(raw, lexicon))
                        || (first_word.is_some_and(|w| lexicon.question_words.contains(w))
                            && !raw.ends_with('.'));
                    let own_tokens = &tokens[token_range.clone()];
                    let has_money = money
                        .iter()
                        .any(|m| m.start < range.end && m.end > range.start);
                    sentences.push(Sentence {
                        utterance: u,
                        speaker: utterance_speaker[u],
                        role: SpeakerRole::Unknown,
                        range,
                        when: segment.when,
                        tokens: token_range.clone(),
                        hits: hit_start..hits.len(),
                        mask,
                        question,
                        has_number: own_tokens.iter().any(|t| t.pt == NUMBER)
                            || mask & bit(lexicon.groups.number_word) != 0,
                        has_money,
                        // Presence only: the language (for 03/04 day-first or not) is not known yet.
                        has_date: mask & bit(lexicon.groups.time_period) != 0
                            || (own_tokens.iter().any(|t| t.marks & mark::DATE != 0)
                                && !find_dates(
                                    &folded,
                                    [&lexicon.dates_pt, &lexicon.dates_en],
                                    true,
                                    None,
                                )
                                .is_empty()),
                        content_words: own_tokens.iter().filter(|t| !t.stop()).count(),
                    });
                    folded_sentences.push(folded);
                }
            }
        }

        let language = language.unwrap_or_else(|| detect_language(text, &sentences, &tokens));

        let mut questions = vec![0usize; labels.len()];
        for s in &sentences {
            if let (Some(i), true) = (s.speaker, s.question) {
                questions[i] += 1;
            }
        }
        let speakers = speakers::recognise(&labels, &questions, agent_name, lexicon);
        for s in &mut sentences {
            s.role = s.speaker.map_or(SpeakerRole::Unknown, |i| speakers[i].role);
        }

        Doc {
            text,
            parsed,
            speakers,
            sentences,
            folded: folded_sentences,
            tokens,
            hits,
            language,
            conversation_date,
            vocabulary,
        }
    }

    pub(crate) fn quote(&self, sentence: usize) -> &'t str {
        &self.text[self.sentences[sentence].range.clone()]
    }

    pub(crate) fn evidence(&self, sentence: usize) -> Evidence {
        let s = &self.sentences[sentence];
        Evidence {
            quote: self.quote(sentence).to_owned(),
            speaker: s.speaker.map(|i| self.speakers[i].name.clone()),
            role: s.role,
            time: s.when.map(When::display),
            start: s.range.start,
            end: s.range.end,
            utterance: s.utterance,
        }
    }

    pub(crate) fn tokens_of(&self, sentence: usize) -> &[Token] {
        &self.tokens[self.sentences[sentence].tokens.clone()]
    }

    pub(crate) fn hits_of(&self, sentence: usize) -> &[Hit] {
        &self.hits[self.sentences[sentence].hits.clone()]
    }

    /// The day a sentence was said: its message's date, else the conversation's.
    pub(crate) fn day_of(&self, sentence: usize) -> Option<NaiveDate> {
        match self.sentences[sentence].when {
            Some(When::At(at)) => Some(at.date()),
            _ => self.conversation_date,
        }
    }

    /// Date expressions of a sentence, with their exact text in the transcript.
    pub(crate) fn dates_in(
        &self,
        sentence: usize,
        lexicon: &Lexicon,
    ) -> Vec<(DateMention, &'t str)> {
        let s = &self.sentences[sentence];
        let raw = &self.text[s.range.clone()];
        let (folded, offsets) = fold_with_offsets(raw);
        find_dates(
            &folded,
            date_vocabularies(lexicon, self.language),
            day_first(lexicon, self.language),
            self.day_of(sentence),
        )
        .into_iter()
        .map(|m| (m, &raw[offsets[m.start]..offsets[m.end]]))
        .collect()
    }

    /// Whether the conversation tells its two sides apart.
    pub(crate) fn has_roles(&self) -> bool {
        self.sentences
            .iter()
            .any(|s| s.role != SpeakerRole::Unknown)
    }

    /// How far into the conversation a sentence is, 0–100.
    pub(crate) fn position_percent(&self, sentence: usize) -> u8 {
        let total = self.sentences.len().max(1);
        ((sentence * 100) / total).min(100) as u8
    }
}

/// "Você é a coordenadora, certo?": a statement with a tag, which the seller asserts rather than asks.
fn is_tag_question(raw: &str, lexicon: &Lexicon) -> bool {
    let Some(before_mark) = raw.trim_end().strip_suffix('?') else {
        return false;
    };
    let Some((_, tail)) = before_mark.rsplit_once(',') else {
        return false;
    };
    let tail: Vec<String> = words(&fold(tail)).map(|(_, w)| w.to_owned()).collect();
    !tail.is_empty() && lexicon.tag_questions.contains(&tail)
}

fn date_vocabularies(lexicon: &Lexicon, language: Language) -> [&crate::lexicon::DateWords; 2] {
    let other = if language == Language::Pt {
        Language::En
    } else {
        Language::Pt
    };
    [lexicon.dates(language), lexicon.dates(other)]
}

fn day_first(lexicon: &Lexicon, language: Language) -> bool {
    lexicon.dates(language).numeric_order == "dm"
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sentences(text: &str) -> Vec<&str> {
        let mut out = Vec::new();
        split_sentences(text, 0..text.len(), &mut out);
        out.into_iter().map(|r| &text[r]).collect()
    }

    #[test]
    fn sentences_split_at_end_punctuation_but_not_in_numbers_or_titles() {
        assert_eq!(
            sentences("O valor é R$ 5.000,00 por mês. O Sr. Lima aprova? Sim!"),
            [
                "O valor é R$ 5.000,00 por mês.",
                "O Sr. Lima aprova?",
                "Sim!"
            ]
        );
    }

    #[test]
    fn runs_without_punctuation_are_cut_into_quotable_pieces() {
        let long = "palavra ".repeat(200);
        let pieces = sentences(&long);
        assert!(pieces.len() >= 4);
        assert!(pieces.iter().all(|p| p.len() <= LONGEST_SENTENCE));
    }

    #[test]
    fn portuguese_and_english_conversations_are_told_apart() {
        let lexicon = Lexicon::embedded().expect("lexicon");
        let pt = Doc::build(
            "Vendedor: Como vocês fazem isso hoje?\nCliente: Hoje a gente usa planilha e é bem manual.",
            None,
            None,
            None,
            &lexicon,
        );
        assert_eq!(pt.language, Language::Pt);
        let en = Doc::build(
            "Rep: How do you handle that today?\nCustomer: We use spreadsheets and it is very manual.",
            None,
            None,
            None,
            &lexicon,
        );
        assert_eq!(en.language, Language::En);
    }
}
