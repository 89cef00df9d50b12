//! The header vocabulary: which column titles name which field, and what export writes as titles.
//!
//! It lives in `headers.toml`, a data table a person can extend with the headers their team's tools
//! write, compiled into the binary. Headers are compared folded — no accents, case, punctuation,
//! spacing or parenthesised notes — so "E-mail", "EMAIL" and "Email (principal)" are one header and
//! the table needs no spelling variants.

use std::collections::{BTreeMap, HashMap};
use std::sync::LazyLock;

use domain::Locale;
use serde::Deserialize;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use crate::mapping::{Field, Kind};

const SOURCE: &str = include_str!("../headers.toml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct HeaderFile {
    lead: BTreeMap<Field, Entry>,
    deal: BTreeMap<Field, Entry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    #[serde(rename = "pt-BR")]
    pt_br: String,
    en: String,
    #[serde(default)]
    also: Vec<String>,
}

/// `headers.toml`, indexed: folded header to field, and field to export titles, per kind.
struct Vocabulary {
    lead: KindVocabulary,
    deal: KindVocabulary,
}

struct KindVocabulary {
    fields: HashMap<String, Field>,
    titles: HashMap<Field, (String, String)>,
}

/// Why `headers.toml` cannot be used; only its tests can see one.
#[derive(Debug, thiserror::Error)]
enum VocabularyError {
    #[error("headers.toml: {0}")]
    Toml(#[from] toml::de::Error),
    #[error("headers.toml: [{kind}.{field}] is not a field of {kind} files")]
    ForeignField { kind: Kind, field: Field },
    #[error("headers.toml: {kind} files have no entry for {field}")]
    MissingField { kind: Kind, field: Field },
    #[error("headers.toml: {header:?} names both {first} and {second} in {kind} files")]
    Ambiguous {
        kind: Kind,
        header: String,
        first: Field,
        second: Field,
    },
    #[error("headers.toml: {header:?} has nothing left to compare once folded")]
    Blank { header: String },
}

fn index(kind: Kind, entries: BTreeMap<Field, Entry>) -> Result<KindVocabulary, VocabularyError> {
    let mut fields = HashMap::new();
    let mut titles = HashMap::new();
    for field in kind.fields() {
        if !entries.contains_key(field) {
            return Err(VocabularyError::MissingField {
                kind,
                field: *field,
            });
        }
    }
    for (field, entry) in entries {
        if !kind.fields().contains(&field) {
            return Err(VocabularyError::ForeignField { kind, field });
        }
        for header in [&entry.pt_br, &entry.en].into_iter().chain(&entry.also) {
            let folded = fold(header);
            if folded.is_empty() {
                return Err(VocabularyError::Blank {
                    header: header.clone(),
                });
            }
            match fields.insert(folded, field) {
                Some(first) if first != field => {
                    return Err(VocabularyError::Ambiguous {
                        kind,
                        header: header.clone(),
                        first,
                        second: field,
                    });
                }
                _ => {}
            }
        }
        titles.insert(field, (entry.pt_br, entry.en));
    }
    Ok(KindVocabulary { fields, titles })
}

fn load() -> Result<Vocabulary, VocabularyError> {
    let file: HeaderFile = toml::from_str(SOURCE)?;
    Ok(Vocabulary {
        lead: index(Kind::Lead, file.lead)?,
        deal: index(Kind::Deal, file.deal)?,
    })
}

/// Parsed once; the file is compiled in and checked by the tests, so it cannot fail in production.
static VOCABULARY: LazyLock<Vocabulary> =
    LazyLock::new(|| load().expect("headers.toml is valid (checked by its tests)"));

fn vocabulary(kind: Kind) -> &'static KindVocabulary {
    match kind {
        Kind::Lead => &VOCABULARY.lead,
        Kind::Deal => &VOCABULARY.deal,
    }
}

/// The field a header names in a file of this kind, if `headers.toml` knows it.
pub(crate) fn field_for_header(kind: Kind, header: &str) -> Option<Field> {
    vocabulary(kind).fields.get(&fold(header)).copied()
}

/// The column title export writes for a field, in the reader's language.
pub(crate) fn title(kind: Kind, field: Field, locale: Locale) -> &'static str {
    match vocabulary(kind).titles.get(&field) {
        Some((pt_br, en)) => match locale {
            Locale::PtBr => pt_br,
            Locale::En => en,
        },
        // Unreachable: `load` refuses a table without every field of the kind.
        None => field.code(),
    }
}

/// A header reduced to what identifies it: lowercase ASCII letters and digits, with accents
/// removed and anything in parentheses or brackets dropped. "Valor (R$)" → "valor",
/// "E-mail do responsável" → "emaildoresponsavel".
pub(crate) fn fold(header: &str) -> String {
    let mut out = String::with_capacity(header.len());
    let mut depth = 0usize;
    for c in header.chars() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            _ if depth > 0 => {}
            _ if c.is_ascii_alphanumeric() => out.push(c.to_ascii_lowercase()),
            _ if c.is_ascii() => {}
            _ => {
                for d in std::iter::once(c).nfd().filter(|d| !is_combining_mark(*d)) {
                    if d.is_alphanumeric() {
                        out.extend(d.to_lowercase());
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_table_is_valid_and_covers_every_field() {
        let vocabulary = load().unwrap();
        for kind in [Kind::Lead, Kind::Deal] {
            let entries = match kind {
                Kind::Lead => &vocabulary.lead,
                Kind::Deal => &vocabulary.deal,
            };
            assert_eq!(entries.titles.len(), kind.fields().len(), "{kind}");
        }
    }

    #[test]
    fn every_export_title_is_read_back_as_its_field() {
        for kind in [Kind::Lead, Kind::Deal] {
            for field in kind.fields() {
                for locale in Locale::ALL {
                    let title = title(kind, *field, locale);
                    assert_eq!(
                        field_for_header(kind, title),
                        Some(*field),
                        "{kind} {title}"
                    );
                }
            }
        }
    }

    #[test]
    fn folding_ignores_accents_case_punctuation_and_notes() {
        assert_eq!(fold("E-mail"), "email");
        assert_eq!(fold(" EMAIL (principal) "), "email");
        assert_eq!(fold("Pontuação"), "pontuacao");
        assert_eq!(fold("Valor [R$]"), "valor");
        assert_eq!(fold("Nome*"), "nome");
        assert_eq!(fold("Previsão de fechamento"), "previsaodefechamento");
        assert_eq!(fold("ÉTAPA"), "etapa");
        assert_eq!(fold("(só nota)"), "");
    }

    #[test]
    fn an_ambiguous_table_is_refused() {
        let mut entries = BTreeMap::new();
        for field in Kind::Lead.fields() {
            entries.insert(
                *field,
                Entry {
                    pt_br: field.code().to_owned(),
                    en: format!("{} en", field.code()),
                    also: vec![],
                },
            );
        }
        if let Some(entry) = entries.get_mut(&Field::Phone) {
            entry.also.push("E-mail".to_owned());
        }
        assert!(matches!(
            index(Kind::Lead, entries),
            Err(VocabularyError::Ambiguous { .. })
        ));
    }
}
