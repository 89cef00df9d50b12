//! The analyser's knowledge, read from the TOML files in `lexicon/`: which phrases show each
//! methodology element, objection, key moment and sentiment, in Portuguese and English, plus the
//! paraphrases, stop words, speaker labels, date words and the sentences the analyser writes.
//!
//! It is data rather than code so that a person who sells can read it and add the phrase their team
//! really says, without touching Rust. The files are compiled into the binary (`include_str!`) and
//! turned once into stemmed token patterns indexed by their first word, which is what keeps
//! analysing a ten-minute call well under a millisecond of matching.
//!
//! Phrase syntax (see `lexicon/README.md`): words are compared after accent/case folding and
//! stemming, so "decisão", "decisao" and "decisões" are one word; `a|b` accepts either word; `...`
//! accepts up to three words in between; `#num` is any number.

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;

use crate::model::{Language, Methodology};
use crate::text::{FastMap, FastSet, NUMBER, StemTable, Stemmers, Token, fold, mark, words};

/// The files, in the order they are read.
pub(crate) const SOURCES: &[(&str, &str)] = &[
    ("language.toml", include_str!("../lexicon/language.toml")),
    ("cues.toml", include_str!("../lexicon/cues.toml")),
    (
        "methodologies.toml",
        include_str!("../lexicon/methodologies.toml"),
    ),
    (
        "objections.toml",
        include_str!("../lexicon/objections.toml"),
    ),
    ("moments.toml", include_str!("../lexicon/moments.toml")),
    ("sentiment.toml", include_str!("../lexicon/sentiment.toml")),
    (
        "paraphrases.toml",
        include_str!("../lexicon/paraphrases.toml"),
    ),
    ("dates.toml", include_str!("../lexicon/dates.toml")),
    ("messages.toml", include_str!("../lexicon/messages.toml")),
];

/// A lexicon file that does not say what the analyser needs.
#[derive(Debug, thiserror::Error)]
pub enum LexiconError {
    #[error("lexicon/{file}: {source}")]
    Toml {
        file: &'static str,
        source: toml::de::Error,
    },
    #[error("lexicon/{file}: {message}")]
    Invalid { file: &'static str, message: String },
}

fn invalid(file: &'static str, message: impl Into<String>) -> LexiconError {
    LexiconError::Invalid {
        file,
        message: message.into(),
    }
}

/// A text in both languages.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Texts {
    pub pt: String,
    pub en: String,
}

impl Texts {
    pub(crate) fn get(&self, language: Language) -> &str {
        match language {
            Language::Pt => &self.pt,
            Language::En => &self.en,
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Phrases {
    #[serde(default)]
    pt: Vec<String>,
    #[serde(default)]
    en: Vec<String>,
}

/// Index of a phrase group ("pain", "objection.price", "positive"...); a sentence's hits are a bitmask.
pub(crate) type GroupId = u8;
pub(crate) type GroupMask = u128;

pub(crate) const fn bit(group: GroupId) -> GroupMask {
    1u128 << group
}

#[derive(Debug, Clone)]
struct Step {
    alternatives: Vec<u32>,
    /// How many words may come between the previous step and this one.
    gap: u8,
}

#[derive(Debug, Clone)]
struct Pattern {
    group: GroupId,
    language: Language,
    steps: Vec<Step>,
}

/// One phrase found in a sentence: its group and token span.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Hit {
    pub group: GroupId,
    pub start: usize,
    pub end: usize,
}

/// Every phrase of every group, indexed by the stem of its first word.
#[derive(Default)]
pub(crate) struct Matcher {
    patterns: Vec<Pattern>,
    by_first_pt: FastMap<u32, Vec<u32>>,
    by_first_en: FastMap<u32, Vec<u32>>,
}

impl Matcher {
    fn add(&mut self, pattern: Pattern) {
        let index = self.patterns.len() as u32;
        let by_first = match pattern.language {
            Language::Pt => &mut self.by_first_pt,
            Language::En => &mut self.by_first_en,
        };
        if let Some(first) = pattern.steps.first() {
            for &alternative in &first.alternatives {
                by_first.entry(alternative).or_default().push(index);
            }
        }
        self.patterns.push(pattern);
    }

    /// Appends every phrase found in `tokens` to `hits`, in order of its first word (once per group
    /// and position).
    pub(crate) fn find(&self, tokens: &[Token], hits: &mut Vec<Hit>) {
        let first_new = hits.len();
        for (i, token) in tokens.iter().enumerate() {
            for (map, language) in [
                (&self.by_first_pt, Language::Pt),
                (&self.by_first_en, Language::En),
            ] {
                let key = match language {
                    Language::Pt => token.pt,
                    Language::En => token.en,
                };
                let Some(candidates) = map.get(&key) else {
                    continue;
                };
                for &p in candidates {
                    let pattern = &self.patterns[p as usize];
                    if let Some(end) = match_from(pattern, tokens, i)
                        && !hits[first_new..]
                            .iter()
                            .any(|h| h.group == pattern.group && h.start == i)
                    {
                        hits.push(Hit {
                            group: pattern.group,
                            start: i,
                            end,
                        });
                    }
                }
            }
        }
    }
}

/// The end (exclusive) of `pattern` matched with its first word at `start`, if it matches.
fn match_from(pattern: &Pattern, tokens: &[Token], start: usize) -> Option<usize> {
    match pattern.language {
        Language::Pt => match_steps(&pattern.steps, 1, tokens, start + 1, |t| t.pt),
        Language::En => match_steps(&pattern.steps, 1, tokens, start + 1, |t| t.en),
    }
}

/// Depth-first over the gaps: phrases are a handful of words, so this stays tiny.
fn match_steps(
    steps: &[Step],
    next: usize,
    tokens: &[Token],
    at: usize,
    stem: fn(&Token) -> u32,
) -> Option<usize> {
    let Some(step) = steps.get(next) else {
        return Some(at);
    };
    for skip in 0..=step.gap as usize {
        let position = at + skip;
        let token = tokens.get(position)?;
        if step.alternatives.contains(&stem(token))
            && let Some(end) = match_steps(steps, next + 1, tokens, position + 1, stem)
        {
            return Some(end);
        }
    }
    None
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Requirement {
    /// Any customer words on the topic count.
    None,
    /// The customer must give a number (metrics).
    Number,
    /// The customer must give a date or period (timeline, critical event).
    Date,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ElementFile {
    key: String,
    label: Texts,
    cues: Vec<String>,
    #[serde(default)]
    title_cues: Vec<String>,
    #[serde(default)]
    absent_on_no: bool,
    requires: Requirement,
    ask: Texts,
    confirm: Texts,
}

/// One element of a methodology, compiled.
#[derive(Debug, Clone)]
pub(crate) struct Element {
    pub key: String,
    pub label: Texts,
    pub cues: GroupMask,
    /// Groups that put a sentence on the topic without giving substance alone (job titles).
    pub title_cues: GroupMask,
    /// A reply opening with a bare "no" means the element is absent.
    pub absent_on_no: bool,
    pub requires: Requirement,
    /// Suggested action when nobody touched the element.
    pub ask: Texts,
    /// Suggested action when only the agent did.
    pub confirm: Texts,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ObjectionFile {
    label: Texts,
    /// The customer denies having the problem: their words on a topic are then no substance.
    #[serde(default)]
    denies: bool,
    /// The customer pushes the conversation away ("não é prioridade"): a reply containing it answers
    /// nothing it does not name.
    #[serde(default)]
    dismisses: bool,
    /// A customer naming a competitor they are looking at raises this objection.
    #[serde(default)]
    competitor_mentions: bool,
    /// Weight against the customer's sentiment, in half phrases (default 1).
    #[serde(default = "default_objection_weight")]
    sentiment_weight: i32,
    pt: Vec<String>,
    en: Vec<String>,
}

fn default_objection_weight() -> i32 {
    1
}

#[derive(Debug, Clone)]
pub(crate) struct ObjectionKind {
    pub key: String,
    pub label: Texts,
    pub group: GroupId,
    pub sentiment_weight: i32,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LanguageFile {
    stopwords: Phrases,
    question_words: Phrases,
    affirmation: Phrases,
    evasive: Phrases,
    tag_questions: Phrases,
    negative_reply: Phrases,
    number_words: Phrases,
    roles: RolesFile,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RolesFile {
    agent: Vec<String>,
    customer: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MomentsFile {
    pricing: Phrases,
    next_step: Phrases,
    competitor: Phrases,
    competitors: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SentimentFile {
    positive: Phrases,
    negative: Phrases,
    negators: Phrases,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ParaphrasesFile {
    group: Vec<ParaphraseGroup>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ParaphraseGroup {
    #[serde(default)]
    generic: bool,
    #[serde(default)]
    pt: Vec<String>,
    #[serde(default)]
    en: Vec<String>,
}

/// Words that say a date, per language.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DateWords {
    pub today: Vec<String>,
    pub tomorrow: Vec<String>,
    pub after_tomorrow: Vec<String>,
    /// Monday first.
    pub weekdays: Vec<Vec<String>>,
    /// Words that, before or after a weekday name, make it a day ("na quinta", "quinta-feira");
    /// empty when weekday names are never anything else (English).
    pub weekday_context: Vec<String>,
    pub day_words: Vec<String>,
    /// Whether the day after a day word must be an ordinal ("the 12th", not "the 2 of us").
    pub day_word_needs_ordinal: bool,
    /// January first.
    pub months: Vec<Vec<String>>,
    /// `dm` (12/03 is 12 March) or `md` (3/12 is 12 March).
    pub numeric_order: String,
    /// `after_tomorrow` split into words.
    #[serde(skip)]
    pub after_tomorrow_words: Vec<Vec<String>>,
    /// Every word that can start a date expression, so sentences without one are skipped at once.
    #[serde(skip)]
    pub triggers: FastSet<String>,
}

impl DateWords {
    fn index(&mut self) {
        self.after_tomorrow_words = self
            .after_tomorrow
            .iter()
            .map(|p| folded_words(p))
            .collect();
        let singles = self
            .today
            .iter()
            .chain(&self.tomorrow)
            .chain(&self.day_words);
        let lists = self.weekdays.iter().chain(&self.months).flatten();
        self.triggers = singles.chain(lists).map(|w| fold(w)).collect();
        self.triggers.extend(
            self.after_tomorrow_words
                .iter()
                .filter_map(|p| p.first().cloned()),
        );
    }
}

#[derive(Debug, Deserialize)]
struct DatesFile {
    pt: DateWords,
    en: DateWords,
}

/// The sentences the analyser writes (summary, actions), per language, with `{placeholders}`.
pub(crate) type Messages = BTreeMap<String, Texts>;

/// Groups every analysis needs by name.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CoreGroups {
    pub pain: GroupId,
    pub pricing: GroupId,
    pub next_step: GroupId,
    pub competitor: GroupId,
    pub positive: GroupId,
    pub negative: GroupId,
    pub affirmation: GroupId,
    pub evasive: GroupId,
    pub time_period: GroupId,
    pub number_word: GroupId,
    pub negative_reply: GroupId,
}

/// Everything the built-in analyser knows, compiled.
pub(crate) struct Lexicon {
    pub stemmers: Stemmers,
    pub stems: StemTable,
    pub matcher: Matcher,
    /// Group names by id; only tests read them, to name what a sentence matched.
    #[cfg_attr(not(test), allow(dead_code))]
    pub group_names: Vec<String>,
    pub groups: CoreGroups,
    pub methodologies: HashMap<Methodology, Vec<Element>>,
    pub objections: Vec<ObjectionKind>,
    pub objection_mask: GroupMask,
    /// Objection groups in which the customer denies the problem ("não temos esse problema").
    pub denial_mask: GroupMask,
    /// Cue groups of losses and consequences: money said there measures a problem, not a price.
    pub loss_mask: GroupMask,
    /// Objection groups that deny or push the conversation away.
    pub dismissal_mask: GroupMask,
    /// The objection kind a competitor mention by the customer raises.
    pub competitor_objection: Option<usize>,
    /// Last words that make a question an assertion ("…, certo?"), folded.
    pub tag_questions: Vec<Vec<String>>,
    /// Folded competitor names as word sequences, with the name as written in the file.
    pub competitors: Vec<(Vec<String>, String)>,
    /// Stems of the words that negate what follows, per language.
    pub negators_pt: FastSet<u32>,
    pub negators_en: FastSet<u32>,
    pub question_words: FastSet<String>,
    pub agent_labels: Vec<Vec<String>>,
    pub customer_labels: Vec<Vec<String>>,
    /// Stem id → the id of the first word of its paraphrase group.
    pub paraphrases: FastMap<u32, u32>,
    /// Paraphrase groups that qualify a question rather than carry it ("hoje", "time").
    pub generic_concepts: FastSet<u32>,
    pub dates_pt: DateWords,
    pub dates_en: DateWords,
    pub messages: Messages,
}

fn read<T: for<'de> Deserialize<'de>>(file: &'static str) -> Result<T, LexiconError> {
    let text = SOURCES
        .iter()
        .find(|(name, _)| *name == file)
        .map(|(_, t)| *t)
        .unwrap_or("");
    toml::from_str(text).map_err(|source| LexiconError::Toml { file, source })
}

struct Builder {
    stemmers: Stemmers,
    stems: StemTable,
    matcher: Matcher,
    group_names: Vec<String>,
}

impl Builder {
    fn group(&mut self, file: &'static str, name: &str) -> Result<GroupId, LexiconError> {
        if let Some(i) = self.group_names.iter().position(|g| g == name) {
            return Ok(i as GroupId);
        }
        if self.group_names.len() >= GroupMask::BITS as usize {
            return Err(invalid(
                file,
                format!("more than {} phrase groups", GroupMask::BITS),
            ));
        }
        self.group_names.push(name.to_owned());
        Ok((self.group_names.len() - 1) as GroupId)
    }

    fn stem(&mut self, language: Language, folded_word: &str) -> u32 {
        if folded_word.bytes().all(|b| b.is_ascii_digit()) {
            return NUMBER;
        }
        let stem = match language {
            Language::Pt => self.stemmers.stem_pt(folded_word),
            Language::En => self.stemmers.stem_en(folded_word),
        };
        self.stems.intern(&stem)
    }

    /// Compiles one phrase of `group` (see the module doc for the syntax).
    fn phrase(
        &mut self,
        file: &'static str,
        group: GroupId,
        language: Language,
        phrase: &str,
    ) -> Result<(), LexiconError> {
        let mut steps: Vec<Step> = Vec::new();
        let mut gap = 0u8;
        for item in phrase.split_whitespace() {
            if item == "..." {
                gap = 3;
                continue;
            }
            if item == "#num" {
                steps.push(Step {
                    alternatives: vec![NUMBER],
                    gap,
                });
                gap = 0;
                continue;
            }
            if item.contains('|') {
                let mut alternatives = Vec::new();
                for alternative in item.split('|') {
                    let folded = fold(alternative);
                    let mut ws = words(&folded);
                    match (ws.next(), ws.next()) {
                        (Some((_, w)), None) => alternatives.push(self.stem(language, w)),
                        _ => {
                            return Err(invalid(
                                file,
                                format!("{phrase:?}: alternative {alternative:?} must be one word"),
                            ));
                        }
                    }
                }
                steps.push(Step { alternatives, gap });
                gap = 0;
                continue;
            }
            let folded = fold(item);
            for (_, w) in words(&folded) {
                let stem = self.stem(language, w);
                steps.push(Step {
                    alternatives: vec![stem],
                    gap,
                });
                gap = 0;
            }
        }
        if steps.is_empty() {
            return Err(invalid(file, format!("{phrase:?} has no words")));
        }
        self.matcher.add(Pattern {
            group,
            language,
            steps,
        });
        Ok(())
    }

    fn phrases(
        &mut self,
        file: &'static str,
        group_name: &str,
        phrases: &Phrases,
    ) -> Result<GroupId, LexiconError> {
        let group = self.group(file, group_name)?;
        for p in &phrases.pt {
            self.phrase(file, group, Language::Pt, p)?;
        }
        for p in &phrases.en {
            self.phrase(file, group, Language::En, p)?;
        }
        Ok(group)
    }
}

fn folded_words(s: &str) -> Vec<String> {
    words(&fold(s)).map(|(_, w)| w.to_owned()).collect()
}

impl Lexicon {
    /// Reads and compiles the embedded files.
    pub(crate) fn embedded() -> Result<Self, LexiconError> {
        let language: LanguageFile = read("language.toml")?;
        let mut stemmers = Stemmers::new();
        for w in &language.stopwords.pt {
            stemmers.mark(w, mark::STOP_PT);
        }
        for w in &language.stopwords.en {
            stemmers.mark(w, mark::STOP_EN);
        }
        let mut b = Builder {
            stemmers,
            stems: StemTable::default(),
            matcher: Matcher::default(),
            group_names: Vec::new(),
        };

        let cues: BTreeMap<String, Phrases> = read("cues.toml")?;
        for (name, phrases) in &cues {
            b.phrases("cues.toml", name, phrases)?;
        }
        let cue = |b: &Builder, name: &str| -> Result<GroupId, LexiconError> {
            b.group_names
                .iter()
                .position(|g| g == name)
                .map(|i| i as GroupId)
                .ok_or_else(|| invalid("cues.toml", format!("group {name:?} is missing")))
        };

        let methodology_file: BTreeMap<String, Vec<ElementFile>> = read("methodologies.toml")?;
        let mut methodologies = HashMap::new();
        for m in Methodology::ALL {
            let elements = methodology_file
                .get(m.as_str())
                .ok_or_else(|| invalid("methodologies.toml", format!("{m} is missing")))?;
            let mut compiled = Vec::new();
            for e in elements {
                let mut mask = 0;
                for c in &e.cues {
                    mask |= bit(cue(&b, c)?);
                }
                let mut title_mask = 0;
                for c in &e.title_cues {
                    title_mask |= bit(cue(&b, c)?);
                }
                compiled.push(Element {
                    key: e.key.clone(),
                    label: e.label.clone(),
                    cues: mask,
                    title_cues: title_mask,
                    absent_on_no: e.absent_on_no,
                    requires: e.requires,
                    ask: e.ask.clone(),
                    confirm: e.confirm.clone(),
                });
            }
            methodologies.insert(m, compiled);
        }

        let objection_file: BTreeMap<String, ObjectionFile> = read("objections.toml")?;
        let mut objections = Vec::new();
        let mut objection_mask = 0;
        let mut denial_mask = 0;
        let mut dismissal_mask = 0;
        let mut competitor_objection = None;
        for (key, o) in &objection_file {
            let group = b.phrases(
                "objections.toml",
                &format!("objection.{key}"),
                &Phrases {
                    pt: o.pt.clone(),
                    en: o.en.clone(),
                },
            )?;
            objection_mask |= bit(group);
            if o.denies {
                denial_mask |= bit(group);
            }
            if o.denies || o.dismisses {
                dismissal_mask |= bit(group);
            }
            if o.competitor_mentions {
                competitor_objection = Some(objections.len());
            }
            objections.push(ObjectionKind {
                key: key.clone(),
                label: o.label.clone(),
                group,
                sentiment_weight: o.sentiment_weight,
            });
        }

        let moments: MomentsFile = read("moments.toml")?;
        let pricing = b.phrases("moments.toml", "pricing", &moments.pricing)?;
        let next_step = b.phrases("moments.toml", "next_step", &moments.next_step)?;
        let competitor = b.phrases("moments.toml", "competitor", &moments.competitor)?;

        let sentiment: SentimentFile = read("sentiment.toml")?;
        let positive = b.phrases("sentiment.toml", "positive", &sentiment.positive)?;
        let negative = b.phrases("sentiment.toml", "negative", &sentiment.negative)?;
        let affirmation = b.phrases("language.toml", "affirmation", &language.affirmation)?;
        let evasive = b.phrases("language.toml", "evasive", &language.evasive)?;
        let number_word = b.phrases("language.toml", "number_word", &language.number_words)?;
        let negative_reply =
            b.phrases("language.toml", "negative_reply", &language.negative_reply)?;

        let paraphrase_file: ParaphrasesFile = read("paraphrases.toml")?;
        let mut paraphrases = FastMap::default();
        let mut generic_concepts = FastSet::default();
        for group in &paraphrase_file.group {
            // Each word is stemmed in its own language only: Portuguese "time" (team) must not meet
            // English "time".
            let mut canonical = None;
            let both = group
                .pt
                .iter()
                .map(|w| (Language::Pt, w))
                .chain(group.en.iter().map(|w| (Language::En, w)));
            for (language, word) in both {
                let [w] = <[String; 1]>::try_from(folded_words(word)).map_err(|_| {
                    invalid("paraphrases.toml", format!("{word:?}: one word per entry"))
                })?;
                let id = b.stem(language, &w);
                let head = *canonical.get_or_insert(id);
                paraphrases.entry(id).or_insert(head);
                if group.generic {
                    generic_concepts.insert(head);
                }
            }
        }

        let mut negator_stems = |language: Language, list: &[String]| -> FastSet<u32> {
            list.iter()
                .flat_map(|w| folded_words(w))
                .map(|w| b.stem(language, &w))
                .collect()
        };
        let negators_pt = negator_stems(Language::Pt, &sentiment.negators.pt);
        let negators_en = negator_stems(Language::En, &sentiment.negators.en);

        let mut dates: DatesFile = read("dates.toml")?;
        dates.pt.index();
        dates.en.index();
        for trigger in dates.pt.triggers.iter().chain(&dates.en.triggers) {
            b.stemmers.mark(trigger, mark::DATE);
        }
        for name in &moments.competitors {
            if let Some(first) = folded_words(name).first() {
                b.stemmers.mark(first, mark::COMPETITOR);
            }
        }
        for d in [&dates.pt, &dates.en] {
            if d.weekdays.len() != 7 || d.months.len() != 12 {
                return Err(invalid(
                    "dates.toml",
                    "need 7 weekdays and 12 months per language",
                ));
            }
        }
        let messages: Messages = read("messages.toml")?;

        let loss_mask = bit(cue(&b, "impact")?) | bit(cue(&b, "implication")?);
        let groups = CoreGroups {
            pain: cue(&b, "pain")?,
            time_period: cue(&b, "time_period")?,
            pricing,
            next_step,
            competitor,
            positive,
            negative,
            affirmation,
            evasive,
            number_word,
            negative_reply,
        };
        let fold_all = |list: &[String]| list.iter().map(|w| fold(w)).collect::<FastSet<_>>();
        Ok(Self {
            stemmers: b.stemmers,
            stems: b.stems,
            matcher: b.matcher,
            group_names: b.group_names,
            groups,
            methodologies,
            objections,
            objection_mask,
            denial_mask,
            dismissal_mask,
            loss_mask,
            competitor_objection,
            tag_questions: [language.tag_questions.pt, language.tag_questions.en]
                .concat()
                .iter()
                .map(|t| folded_words(t))
                .collect(),
            competitors: moments
                .competitors
                .iter()
                .map(|c| (folded_words(c), c.clone()))
                .collect(),
            negators_pt,
            negators_en,
            question_words: fold_all(
                &[language.question_words.pt, language.question_words.en].concat(),
            ),
            agent_labels: language
                .roles
                .agent
                .iter()
                .map(|l| folded_words(l))
                .collect(),
            customer_labels: language
                .roles
                .customer
                .iter()
                .map(|l| folded_words(l))
                .collect(),
            paraphrases,
            generic_concepts,
            dates_pt: dates.pt,
            dates_en: dates.en,
            messages,
        })
    }

    /// A sentence the analyser writes, with `{name}` placeholders filled.
    pub(crate) fn message(&self, key: &str, language: Language, values: &[(&str, &str)]) -> String {
        let mut text = match self.messages.get(key) {
            Some(t) => t.get(language).to_owned(),
            None => key.to_owned(),
        };
        for (name, value) in values {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        text
    }

    pub(crate) fn dates(&self, language: Language) -> &DateWords {
        match language {
            Language::Pt => &self.dates_pt,
            Language::En => &self.dates_en,
        }
    }

    pub(crate) fn elements(&self, methodology: Methodology) -> &[Element] {
        self.methodologies
            .get(&methodology)
            .map_or(&[], Vec::as_slice)
    }

    /// Whether a word negates what follows it, in the conversation's language.
    pub(crate) fn is_negator(&self, token: &Token, language: Language) -> bool {
        match language {
            Language::Pt => self.negators_pt.contains(&token.pt),
            Language::En => self.negators_en.contains(&token.en),
        }
    }

    /// The paraphrase-group id of a stem (the stem itself when it has none).
    pub(crate) fn concept(&self, stem: u32) -> u32 {
        self.paraphrases.get(&stem).copied().unwrap_or(stem)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::Vocabulary;

    fn groups_found(lexicon: &Lexicon, sentence: &str) -> Vec<String> {
        let mut vocabulary = Vocabulary::new(&lexicon.stemmers, &lexicon.stems);
        let mut tokens = Vec::new();
        vocabulary.tokens(&fold(sentence), &mut tokens);
        let mut hits = Vec::new();
        lexicon.matcher.find(&tokens, &mut hits);
        let mut names: Vec<String> = hits
            .iter()
            .map(|h| lexicon.group_names[h.group as usize].clone())
            .collect();
        names.sort();
        names.dedup();
        names
    }

    #[test]
    fn the_embedded_lexicon_compiles_with_every_methodology_element() {
        let lexicon = Lexicon::embedded().expect("lexicon compiles");
        let keys = |m| {
            lexicon
                .elements(m)
                .iter()
                .map(|e| e.key.as_str())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            keys(Methodology::Spiced),
            ["situation", "pain", "impact", "critical_event", "decision"]
        );
        assert_eq!(
            keys(Methodology::Spin),
            ["situation", "problem", "implication", "need_payoff"]
        );
        assert_eq!(
            keys(Methodology::Meddic),
            [
                "metrics",
                "economic_buyer",
                "decision_criteria",
                "decision_process",
                "identify_pain",
                "champion"
            ]
        );
        assert_eq!(
            keys(Methodology::Bant),
            ["budget", "authority", "need", "timeline"]
        );
        for m in Methodology::ALL {
            for e in lexicon.elements(m) {
                assert_ne!(e.cues, 0, "{m} {} has cues", e.key);
            }
        }
    }

    #[test]
    fn phrases_match_across_inflection_accents_and_gaps() {
        let lexicon = Lexicon::embedded().expect("lexicon compiles");
        assert!(
            groups_found(&lexicon, "Quem é que vai assinar o contrato?")
                .contains(&"authority".to_owned())
        );
        assert!(
            groups_found(&lexicon, "Who signs the contract on your side?")
                .contains(&"authority".to_owned())
        );
        assert!(
            groups_found(&lexicon, "O ORCAMENTO para isso ja foi aprovado")
                .contains(&"budget".to_owned())
        );
    }

    #[test]
    fn a_bad_phrase_is_reported_with_its_file() {
        let mut b = Builder {
            stemmers: Stemmers::new(),
            stems: StemTable::default(),
            matcher: Matcher::default(),
            group_names: Vec::new(),
        };
        let error = b
            .phrase("cues.toml", 0, Language::Pt, "na quinta-feira|sexta")
            .expect_err("rejected");
        assert!(error.to_string().starts_with("lexicon/cues.toml"));
        assert!(b.phrase("cues.toml", 0, Language::Pt, " ... ").is_err());
    }
}
