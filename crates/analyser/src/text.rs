//! Words as the analyser compares them: accent- and case-folded, split into tokens, and stemmed in
//! Portuguese and in English.
//!
//! Brazilian sales talk mixes both languages in one sentence ("qual o budget pro Q3?"), so every word
//! is stemmed both ways and a lexicon phrase is compared with the stem of its own language. Stems are
//! interned as numbers once per conversation, so matching hundreds of phrases against a ten-minute
//! call compares integers, not strings.

use std::collections::{HashMap, HashSet};

use rust_stemmers::{Algorithm, Stemmer};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// FNV-1a: the analyser hashes millions of short words and small integers per second, where the
/// standard library's DoS-resistant SipHash costs more than the lookups themselves. Keys are words of
/// the lexicon and the conversation, so flooding is not a concern here.
#[derive(Default, Clone, Copy)]
pub(crate) struct FnvHasher(u64);

impl std::hash::Hasher for FnvHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut hash = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = hash;
    }
}

pub(crate) type FastMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<FnvHasher>>;
pub(crate) type FastSet<K> = HashSet<K, std::hash::BuildHasherDefault<FnvHasher>>;

/// The stem id every number token gets, so a lexicon phrase can say `#num`.
pub(crate) const NUMBER: u32 = 0;

/// Apostrophes are dropped so "don't" is one word ("dont") and "d'água" too ("dagua").
fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '’' | '‘' | 'ʼ')
}

/// Appends `c` folded: lowercase, without accents, nothing for an apostrophe. The accented letters
/// of Portuguese are mapped directly (the hot path: most words of a call); anything else goes
/// through canonical decomposition, which gives the same result for these letters.
fn push_folded(c: char, out: &mut String) {
    if c.is_ascii() {
        if c != '\'' {
            out.push(c.to_ascii_lowercase());
        }
        return;
    }
    let base = match c {
        'á' | 'à' | 'â' | 'ã' | 'ä' | 'Á' | 'À' | 'Â' | 'Ã' | 'Ä' => 'a',
        'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' | 'Ê' | 'Ë' => 'e',
        'í' | 'ì' | 'î' | 'ï' | 'Í' | 'Ì' | 'Î' | 'Ï' => 'i',
        'ó' | 'ò' | 'ô' | 'õ' | 'ö' | 'Ó' | 'Ò' | 'Ô' | 'Õ' | 'Ö' => 'o',
        'ú' | 'ù' | 'û' | 'ü' | 'Ú' | 'Ù' | 'Û' | 'Ü' => 'u',
        'ç' | 'Ç' => 'c',
        'ñ' | 'Ñ' => 'n',
        _ if is_apostrophe(c) => return,
        _ => {
            for d in std::iter::once(c).nfd().filter(|d| !is_combining_mark(*d)) {
                out.extend(d.to_lowercase());
            }
            return;
        }
    };
    out.push(base);
}

/// Lowercase without accents or apostrophes: "Decisão" → "decisao", "ORÇAMENTO" → "orcamento".
pub(crate) fn fold(s: &str) -> String {
    let mut folded = String::with_capacity(s.len());
    for c in s.chars() {
        push_folded(c, &mut folded);
    }
    folded
}

/// [`fold`] plus, for every byte of the folded text (and one past its end), the byte offset in `s`
/// of the character it came from — so a span found in folded text can be quoted from the original.
pub(crate) fn fold_with_offsets(s: &str) -> (String, Vec<usize>) {
    let mut folded = String::with_capacity(s.len());
    let mut offsets = Vec::with_capacity(s.len() + 1);
    for (at, c) in s.char_indices() {
        let before = folded.len();
        push_folded(c, &mut folded);
        offsets.extend(std::iter::repeat_n(at, folded.len() - before));
    }
    offsets.push(s.len());
    (folded, offsets)
}

/// The alphanumeric runs of folded text with their byte offsets in it.
pub(crate) fn words(folded: &str) -> Words<'_> {
    Words {
        text: folded,
        at: 0,
    }
}

pub(crate) struct Words<'t> {
    text: &'t str,
    at: usize,
}

impl<'t> Iterator for Words<'t> {
    type Item = (usize, &'t str);

    fn next(&mut self) -> Option<Self::Item> {
        // Folded text is nearly all ASCII: test bytes, and decode a character only when not ASCII.
        let bytes = self.text.as_bytes();
        let is_word_at = |i: usize| -> (bool, usize) {
            let b = bytes[i];
            if b.is_ascii() {
                return (b.is_ascii_alphanumeric(), 1);
            }
            match self.text[i..].chars().next() {
                Some(c) => (c.is_alphanumeric(), c.len_utf8()),
                None => (false, 1),
            }
        };
        let mut i = self.at;
        while i < bytes.len() {
            let (word, width) = is_word_at(i);
            if word {
                break;
            }
            i += width;
        }
        if i >= bytes.len() {
            self.at = bytes.len();
            return None;
        }
        let start = i;
        while i < bytes.len() {
            let (word, width) = is_word_at(i);
            if !word {
                break;
            }
            i += width;
        }
        self.at = i;
        Some((start, &self.text[start..i]))
    }
}

/// Facts about a word known before any conversation, kept as bits on its token so that later steps
/// test a bit instead of looking words up again.
pub(crate) mod mark {
    /// A Portuguese function word.
    pub const STOP_PT: u8 = 1;
    /// An English function word.
    pub const STOP_EN: u8 = 2;
    /// May start a date ("amanhã", "quinta", "dia", a number).
    pub const DATE: u8 = 4;
    /// First word of a built-in competitor's name.
    pub const COMPETITOR: u8 = 8;
}

/// A word of the conversation: its stems in both languages and its marks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Token {
    pub pt: u32,
    pub en: u32,
    pub marks: u8,
}

impl Token {
    /// A function word ("de", "the", "você") that question matching ignores.
    pub(crate) fn stop(&self) -> bool {
        self.marks & (mark::STOP_PT | mark::STOP_EN) != 0
    }
}

/// The two stemmers and the marks of known words; shared by the lexicon and every conversation.
pub(crate) struct Stemmers {
    pt: Stemmer,
    en: Stemmer,
    marks: FastMap<String, u8>,
}

impl Stemmers {
    pub(crate) fn new() -> Self {
        Self {
            pt: Stemmer::create(Algorithm::Portuguese),
            en: Stemmer::create(Algorithm::English),
            marks: FastMap::default(),
        }
    }

    /// Adds `marks` to `word` (folded here); only while the lexicon is being built.
    pub(crate) fn mark(&mut self, word: &str, marks: u8) {
        *self.marks.entry(fold(word)).or_default() |= marks;
    }

    fn marks_of(&self, folded_word: &str) -> u8 {
        let digit = folded_word
            .as_bytes()
            .first()
            .is_some_and(u8::is_ascii_digit);
        self.marks.get(folded_word).copied().unwrap_or(0) | if digit { mark::DATE } else { 0 }
    }

    pub(crate) fn stem_pt(&self, folded_word: &str) -> String {
        // Folding turns "decisões" into "decisoes", which Snowball no longer sees as the plural of
        // "decisão": put the singular back first, so both spellings, accented or not, meet.
        if let Some(base) = folded_word.strip_suffix("oes").filter(|b| b.len() >= 2) {
            return self.pt.stem(&format!("{base}ao")).into_owned();
        }
        self.pt.stem(folded_word).into_owned()
    }

    pub(crate) fn stem_en(&self, folded_word: &str) -> String {
        self.en.stem(folded_word).into_owned()
    }
}

fn is_number(word: &str) -> bool {
    word.bytes().all(|b| b.is_ascii_digit())
}

/// Stem ids known before any conversation: the stems of every lexicon word.
#[derive(Default)]
pub(crate) struct StemTable {
    ids: FastMap<String, u32>,
}

impl StemTable {
    /// The id of `stem`, creating it; only while the lexicon is being built.
    pub(crate) fn intern(&mut self, stem: &str) -> u32 {
        // Ids start after NUMBER.
        let next = self.ids.len() as u32 + 1;
        *self.ids.entry(stem.to_owned()).or_insert(next)
    }

    fn get(&self, stem: &str) -> Option<u32> {
        self.ids.get(stem).copied()
    }

    fn len(&self) -> u32 {
        self.ids.len() as u32 + 1
    }
}

/// Per-conversation memory of words already stemmed; stems that no lexicon word has get fresh ids
/// above the lexicon's, so playbook questions (which are not in the lexicon) still compare exactly.
pub(crate) struct Vocabulary<'l> {
    stemmers: &'l Stemmers,
    table: &'l StemTable,
    words: FastMap<String, Token>,
    local: FastMap<String, u32>,
}

impl<'l> Vocabulary<'l> {
    pub(crate) fn new(stemmers: &'l Stemmers, table: &'l StemTable) -> Self {
        Self {
            stemmers,
            table,
            words: FastMap::default(),
            local: FastMap::default(),
        }
    }

    fn stem_id(table: &StemTable, local: &mut FastMap<String, u32>, stem: String) -> u32 {
        if let Some(id) = table.get(&stem) {
            return id;
        }
        let next = table.len() + local.len() as u32;
        *local.entry(stem).or_insert(next)
    }

    /// The token of one folded word.
    pub(crate) fn token(&mut self, folded_word: &str) -> Token {
        if let Some(t) = self.words.get(folded_word) {
            return *t;
        }
        let marks = self.stemmers.marks_of(folded_word);
        let token = if is_number(folded_word) {
            Token {
                pt: NUMBER,
                en: NUMBER,
                marks,
            }
        } else {
            let pt = Self::stem_id(
                self.table,
                &mut self.local,
                self.stemmers.stem_pt(folded_word),
            );
            let en = Self::stem_id(
                self.table,
                &mut self.local,
                self.stemmers.stem_en(folded_word),
            );
            Token { pt, en, marks }
        };
        self.words.insert(folded_word.to_owned(), token);
        token
    }

    /// The tokens of an already folded text.
    pub(crate) fn tokens(&mut self, folded: &str, out: &mut Vec<Token>) {
        for (_, w) in words(folded) {
            out.push(self.token(w));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_removes_accents_and_case() {
        assert_eq!(fold("Decisão ORÇAMENTO Ação"), "decisao orcamento acao");
        assert_eq!(fold("plain ASCII"), "plain ascii");
        assert_eq!(fold("Don't"), "dont");
        assert_eq!(fold("We don’t"), "we dont");
    }

    #[test]
    fn folded_offsets_point_back_at_the_original_characters() {
        let original = "Até amanhã, às 15h";
        let (folded, offsets) = fold_with_offsets(original);
        assert_eq!(folded, "ate amanha, as 15h");
        let start = folded.find("amanha").expect("found");
        let end = start + "amanha".len();
        assert_eq!(&original[offsets[start]..offsets[end]], "amanhã");
    }

    #[test]
    fn inflections_of_one_word_share_a_stem_in_each_language() {
        let stemmers = Stemmers::new();
        let table = StemTable::default();
        let mut vocabulary = Vocabulary::new(&stemmers, &table);
        let decide = vocabulary.token("decisoes");
        assert_eq!(decide.pt, vocabulary.token("decisao").pt);
        assert_eq!(vocabulary.token("signing").en, vocabulary.token("signs").en);
        assert_eq!(vocabulary.token("2024").pt, NUMBER);
    }

    #[test]
    fn words_are_alphanumeric_runs() {
        let found: Vec<&str> = words("quinta-feira, dia 12/03!").map(|(_, w)| w).collect();
        assert_eq!(found, ["quinta", "feira", "dia", "12", "03"]);
    }
}
