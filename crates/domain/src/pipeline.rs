//! A company's pipeline stages: the default list every new company starts with, and the rules an
//! edited list must keep (PRODUCT.md "Pipeline stages").
//!
//! The editor sends the whole list in its new order; [`check_stages`] decides whether it may be
//! saved before anything touches the database, so the rules are unit-tested here and the page can
//! show which row is wrong. A stage's `key` is what deals point at: it is made once from the name
//! when a stage is added ([`stage_key`]) and never changes on a rename.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::money::parse_amount;
use crate::{Locale, StageKind};

pub struct DefaultStage {
    pub key: &'static str,
    pub name: &'static str,
    pub probability: u32,
    pub kind: StageKind,
}

/// Every company's starting pipeline, in order.
pub const DEFAULT_STAGES: [DefaultStage; 6] = [
    DefaultStage {
        key: "prospecting",
        name: "Prospecção",
        probability: 10,
        kind: StageKind::Open,
    },
    DefaultStage {
        key: "qualification",
        name: "Qualificação",
        probability: 25,
        kind: StageKind::Open,
    },
    DefaultStage {
        key: "proposal",
        name: "Proposta",
        probability: 50,
        kind: StageKind::Open,
    },
    DefaultStage {
        key: "negotiation",
        name: "Negociação",
        probability: 75,
        kind: StageKind::Open,
    },
    DefaultStage {
        key: "won",
        name: "Ganho",
        probability: 100,
        kind: StageKind::Won,
    },
    DefaultStage {
        key: "lost",
        name: "Perdido",
        probability: 0,
        kind: StageKind::Lost,
    },
];

pub const MAX_STAGES: usize = 30;
pub const MAX_STAGE_NAME_CHARS: usize = 60;

/// One row of the editor as submitted: an existing stage (`id`) or a new one (`id` empty).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct StageDraft {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub probability: String,
    #[serde(default)]
    pub kind: String,
}

/// A row that passed the rules, with its 1-based position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedStage {
    /// `None` for a stage to be added.
    pub id: Option<String>,
    pub name: String,
    pub probability: Decimal,
    pub kind: StageKind,
    pub position: i32,
}

/// Why a stage list may not be saved; `row` is 0-based in the submitted order.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StageProblem {
    #[error("no stages")]
    Empty,
    #[error("more than {MAX_STAGES} stages")]
    TooMany,
    #[error("row {row}: a name is required")]
    NameRequired { row: usize },
    #[error("row {row}: name too long")]
    NameTooLong { row: usize },
    #[error("row {row}: the same name twice")]
    DuplicateName { row: usize },
    #[error("row {row}: probability must be a number from 0 to 100")]
    Probability { row: usize },
    #[error("row {row}: unknown kind")]
    Kind { row: usize },
    #[error("row {row}: the same stage twice")]
    DuplicateStage { row: usize },
    #[error("exactly one won stage is required")]
    WonCount,
    #[error("exactly one lost stage is required")]
    LostCount,
    #[error("at least one open stage is required")]
    NoOpenStage,
}

impl StageProblem {
    /// The row the problem is on, when it is about one row.
    pub fn row(&self) -> Option<usize> {
        match self {
            StageProblem::NameRequired { row }
            | StageProblem::NameTooLong { row }
            | StageProblem::DuplicateName { row }
            | StageProblem::Probability { row }
            | StageProblem::Kind { row }
            | StageProblem::DuplicateStage { row } => Some(*row),
            _ => None,
        }
    }

    /// A short stable code for the problem, for pages to translate.
    pub fn code(&self) -> &'static str {
        match self {
            StageProblem::Empty => "empty",
            StageProblem::TooMany => "too_many",
            StageProblem::NameRequired { .. } => "name_required",
            StageProblem::NameTooLong { .. } => "name_too_long",
            StageProblem::DuplicateName { .. } => "duplicate_name",
            StageProblem::Probability { .. } => "probability",
            StageProblem::Kind { .. } => "kind",
            StageProblem::DuplicateStage { .. } => "duplicate_stage",
            StageProblem::WonCount => "won_count",
            StageProblem::LostCount => "lost_count",
            StageProblem::NoOpenStage => "no_open",
        }
    }
}

/// Checks an edited stage list: one to [`MAX_STAGES`] rows, each named (uniquely, ignoring case),
/// a probability from 0 to 100 with at most two decimals, exactly one WON and one LOST stage and
/// at least one OPEN one. Positions follow the submitted order.
pub fn check_stages(
    drafts: &[StageDraft],
    locale: Locale,
) -> Result<Vec<CheckedStage>, StageProblem> {
    if drafts.is_empty() {
        return Err(StageProblem::Empty);
    }
    if drafts.len() > MAX_STAGES {
        return Err(StageProblem::TooMany);
    }
    let mut checked: Vec<CheckedStage> = Vec::with_capacity(drafts.len());
    for (row, draft) in drafts.iter().enumerate() {
        let name = draft.name.trim();
        if name.is_empty() {
            return Err(StageProblem::NameRequired { row });
        }
        if name.chars().count() > MAX_STAGE_NAME_CHARS {
            return Err(StageProblem::NameTooLong { row });
        }
        if checked
            .iter()
            .any(|c| c.name.to_lowercase() == name.to_lowercase())
        {
            return Err(StageProblem::DuplicateName { row });
        }
        let id = Some(draft.id.trim().to_owned()).filter(|id| !id.is_empty());
        if id.is_some() && checked.iter().any(|c| c.id == id) {
            return Err(StageProblem::DuplicateStage { row });
        }
        let probability = parse_amount(&draft.probability, locale)
            .map_err(|_| StageProblem::Probability { row })?;
        if probability > Decimal::ONE_HUNDRED {
            return Err(StageProblem::Probability { row });
        }
        let kind = draft
            .kind
            .trim()
            .parse::<StageKind>()
            .map_err(|_| StageProblem::Kind { row })?;
        checked.push(CheckedStage {
            id,
            name: name.to_owned(),
            probability,
            kind,
            position: row as i32 + 1,
        });
    }
    let count = |kind: StageKind| checked.iter().filter(|c| c.kind == kind).count();
    if count(StageKind::Won) != 1 {
        return Err(StageProblem::WonCount);
    }
    if count(StageKind::Lost) != 1 {
        return Err(StageProblem::LostCount);
    }
    if count(StageKind::Open) == 0 {
        return Err(StageProblem::NoOpenStage);
    }
    Ok(checked)
}

/// Folds the accented letters of Portuguese (and a few neighbours) to ASCII.
fn fold(c: char) -> Option<char> {
    Some(match c {
        'á' | 'à' | 'â' | 'ã' | 'ä' | 'Á' | 'À' | 'Â' | 'Ã' | 'Ä' => 'a',
        'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' | 'Ê' | 'Ë' => 'e',
        'í' | 'ì' | 'î' | 'ï' | 'Í' | 'Ì' | 'Î' | 'Ï' => 'i',
        'ó' | 'ò' | 'ô' | 'õ' | 'ö' | 'Ó' | 'Ò' | 'Ô' | 'Õ' | 'Ö' => 'o',
        'ú' | 'ù' | 'û' | 'ü' | 'Ú' | 'Ù' | 'Û' | 'Ü' => 'u',
        'ç' | 'Ç' => 'c',
        'ñ' | 'Ñ' => 'n',
        c if c.is_ascii_alphanumeric() => c.to_ascii_lowercase(),
        _ => return None,
    })
}

/// The key of a new stage: its name folded to `lowercase-ascii-words` (`Negociação final` →
/// `negociacao-final`), at most 48 characters, made unique against `taken` with `-2`, `-3`….
pub fn stage_key(name: &str, taken: &[String]) -> String {
    let mut base = String::new();
    for c in name.chars() {
        match fold(c) {
            Some(c) => base.push(c),
            None if !base.is_empty() && !base.ends_with('-') => base.push('-'),
            None => {}
        }
    }
    let mut base: String = base.trim_end_matches('-').chars().take(48).collect();
    base = base.trim_end_matches('-').to_owned();
    if base.is_empty() {
        base = "stage".to_owned();
    }
    if !taken.contains(&base) {
        return base;
    }
    (2..)
        .map(|n| format!("{base}-{n}"))
        .find(|candidate| !taken.iter().any(|t| t == candidate))
        .unwrap_or(base)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(id: &str, name: &str, probability: &str, kind: &str) -> StageDraft {
        StageDraft {
            id: id.into(),
            name: name.into(),
            probability: probability.into(),
            kind: kind.into(),
        }
    }

    fn defaults() -> Vec<StageDraft> {
        DEFAULT_STAGES
            .iter()
            .map(|s| draft(s.key, s.name, &s.probability.to_string(), s.kind.as_str()))
            .collect()
    }

    #[test]
    fn the_default_pipeline_passes_its_own_rules() {
        let checked = check_stages(&defaults(), Locale::PtBr).unwrap();
        assert_eq!(checked.len(), 6);
        assert_eq!(checked[0].position, 1);
        assert_eq!(checked[5].kind, StageKind::Lost);
        assert_eq!(checked[2].probability, Decimal::from(50));
    }

    #[test]
    fn a_pipeline_needs_exactly_one_won_and_one_lost_stage_and_an_open_one() {
        let mut two_won = defaults();
        two_won[3].kind = "WON".into();
        assert_eq!(
            check_stages(&two_won, Locale::PtBr),
            Err(StageProblem::WonCount)
        );
        let no_lost: Vec<_> = defaults()
            .into_iter()
            .filter(|d| d.kind != "LOST")
            .collect();
        assert_eq!(
            check_stages(&no_lost, Locale::PtBr),
            Err(StageProblem::LostCount)
        );
        let closed_only = vec![
            draft("", "Ganho", "100", "WON"),
            draft("", "Perdido", "0", "LOST"),
        ];
        assert_eq!(
            check_stages(&closed_only, Locale::PtBr),
            Err(StageProblem::NoOpenStage)
        );
        assert_eq!(check_stages(&[], Locale::PtBr), Err(StageProblem::Empty));
    }

    #[test]
    fn each_row_is_named_once_with_a_probability_from_0_to_100() {
        let mut rows = defaults();
        rows[1].name = "  ".into();
        assert_eq!(
            check_stages(&rows, Locale::PtBr),
            Err(StageProblem::NameRequired { row: 1 })
        );
        let mut rows = defaults();
        rows[2].name = "prospecção".into();
        assert_eq!(
            check_stages(&rows, Locale::PtBr),
            Err(StageProblem::DuplicateName { row: 2 })
        );
        for bad in ["101", "-1", "abc", ""] {
            let mut rows = defaults();
            rows[0].probability = bad.into();
            assert_eq!(
                check_stages(&rows, Locale::PtBr),
                Err(StageProblem::Probability { row: 0 }),
                "{bad}"
            );
        }
        let mut rows = defaults();
        rows[0].probability = "12,5".into();
        assert_eq!(
            check_stages(&rows, Locale::PtBr).unwrap()[0].probability,
            Decimal::new(125, 1)
        );
        let mut rows = defaults();
        rows[4].kind = "MAYBE".into();
        assert_eq!(
            check_stages(&rows, Locale::PtBr),
            Err(StageProblem::Kind { row: 4 })
        );
        let mut rows = defaults();
        rows[1].id = rows[0].id.clone();
        assert_eq!(
            check_stages(&rows, Locale::PtBr),
            Err(StageProblem::DuplicateStage { row: 1 })
        );
    }

    #[test]
    fn positions_follow_the_submitted_order() {
        let mut rows = defaults();
        rows.swap(0, 1);
        let checked = check_stages(&rows, Locale::PtBr).unwrap();
        assert_eq!(
            (checked[0].name.as_str(), checked[0].position),
            ("Qualificação", 1)
        );
        assert_eq!(
            (checked[1].name.as_str(), checked[1].position),
            ("Prospecção", 2)
        );
    }

    #[test]
    fn new_stage_keys_are_folded_from_the_name_and_unique() {
        assert_eq!(stage_key("Negociação final", &[]), "negociacao-final");
        assert_eq!(stage_key("  Demo / POC!  ", &[]), "demo-poc");
        assert_eq!(stage_key("???", &[]), "stage");
        let taken = vec!["proposta".to_owned(), "proposta-2".to_owned()];
        assert_eq!(stage_key("Proposta", &taken), "proposta-3");
        let long = stage_key(&"a".repeat(100), &[]);
        assert_eq!(long.len(), 48);
    }
}
