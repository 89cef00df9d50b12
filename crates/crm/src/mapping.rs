//! Turning a CRM's stages and owners into the company's own: pure functions, so the rules are
//! unit-tested here and the import only applies them.
//!
//! A stage is mapped by the integration's explicit table first (what a director set up), then by
//! what the provider says about the deal (won or lost), then by name, and finally to the first
//! open stage, so an unknown stage never drops a deal; [`StageMatch`] says which rule decided, for
//! the import log. Owners are matched by e-mail, ignoring case and surrounding blanks.

use std::collections::HashMap;

use domain::StageKind;

use crate::DealOutcome;

/// One of the company's pipeline stages, in pipeline order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompanyStage {
    pub key: String,
    pub name: String,
    pub kind: StageKind,
}

/// Which rule chose a stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StageMatch {
    /// The integration's mapping names the provider's stage (by id or by name).
    Mapping,
    /// The provider says the deal is won or lost: the company's won or lost stage.
    Outcome,
    /// The provider's stage name equals a company stage's name or key, ignoring case and
    /// accents, or is a well-known won/lost name (`Closed Won`, `closedlost`, `Ganho`…).
    Name,
    /// Nothing matched: the first open stage.
    Default,
}

/// The company stage a deal goes to, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageChoice {
    pub key: String,
    pub matched_by: StageMatch,
}

/// A stage name folded for comparison: lower case, accents removed, only letters and digits
/// (`"Closed Won"`, `"closed_won"` and `"closedwon"` are the same; so are `"Negociação"` and
/// `"negociacao"`).
pub fn normalise_stage_name(name: &str) -> String {
    name.chars().filter_map(fold).collect()
}

fn fold(c: char) -> Option<char> {
    Some(match c {
        'á' | 'à' | 'â' | 'ã' | 'ä' | 'Á' | 'À' | 'Â' | 'Ã' | 'Ä' => 'a',
        'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' | 'Ê' | 'Ë' => 'e',
        'í' | 'ì' | 'î' | 'ï' | 'Í' | 'Ì' | 'Î' | 'Ï' => 'i',
        'ó' | 'ò' | 'ô' | 'õ' | 'ö' | 'Ó' | 'Ò' | 'Ô' | 'Õ' | 'Ö' => 'o',
        'ú' | 'ù' | 'û' | 'ü' | 'Ú' | 'Ù' | 'Û' | 'Ü' => 'u',
        'ç' | 'Ç' => 'c',
        'ñ' | 'Ñ' => 'n',
        c if c.is_alphanumeric() => c.to_lowercase().next().unwrap_or(c),
        _ => return None,
    })
}

/// Names CRMs give their closing stages by default, normalised.
const WON_NAMES: [&str; 6] = [
    "closedwon",
    "won",
    "ganho",
    "ganha",
    "fechadoganho",
    "vendido",
];
const LOST_NAMES: [&str; 5] = ["closedlost", "lost", "perdido", "perdida", "fechadoperdido"];

/// The company stage for a deal whose provider stage is `stage_external` (an id or a name),
/// labelled `stage_label` when the provider has one, closed as `outcome` when it says so.
/// `mapping` is the integration's table from provider stage (id or name) to company stage key;
/// keys naming no company stage are ignored. `None` only when the company has no open stage to
/// fall back to.
pub fn map_stage(
    stage_external: Option<&str>,
    stage_label: Option<&str>,
    outcome: Option<DealOutcome>,
    mapping: &HashMap<String, String>,
    company_stages: &[CompanyStage],
) -> Option<StageChoice> {
    let choice = |key: &str, matched_by| StageChoice {
        key: key.to_owned(),
        matched_by,
    };
    let known = |key: &str| company_stages.iter().find(|s| s.key == key);
    let provider_names: Vec<&str> = [stage_external, stage_label]
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .collect();

    for name in &provider_names {
        if let Some(stage) = mapping.get(*name).and_then(|key| known(key)) {
            return Some(choice(&stage.key, StageMatch::Mapping));
        }
    }
    for name in &provider_names {
        let folded = normalise_stage_name(name);
        let mapped = mapping
            .iter()
            .find(|(from, _)| normalise_stage_name(from) == folded)
            .and_then(|(_, key)| known(key));
        if let Some(stage) = mapped {
            return Some(choice(&stage.key, StageMatch::Mapping));
        }
    }

    let of_kind = |kind: StageKind| company_stages.iter().find(|s| s.kind == kind);
    let closing = match outcome {
        Some(DealOutcome::Won) => of_kind(StageKind::Won),
        Some(DealOutcome::Lost) => of_kind(StageKind::Lost),
        None => None,
    };
    if let Some(stage) = closing {
        return Some(choice(&stage.key, StageMatch::Outcome));
    }

    for name in &provider_names {
        let folded = normalise_stage_name(name);
        let by_name = company_stages.iter().find(|s| {
            normalise_stage_name(&s.name) == folded || normalise_stage_name(&s.key) == folded
        });
        let by_closing_word = if WON_NAMES.contains(&folded.as_str()) {
            of_kind(StageKind::Won)
        } else if LOST_NAMES.contains(&folded.as_str()) {
            of_kind(StageKind::Lost)
        } else {
            None
        };
        if let Some(stage) = by_name.or(by_closing_word) {
            return Some(choice(&stage.key, StageMatch::Name));
        }
    }

    of_kind(StageKind::Open).map(|stage| choice(&stage.key, StageMatch::Default))
}

/// The company's users by e-mail, for giving an imported record the owner its CRM owner is.
#[derive(Debug, Clone, Default)]
pub struct OwnerDirectory {
    by_email: HashMap<String, String>,
}

impl OwnerDirectory {
    /// From `(email, user_id)` pairs; blank e-mails are skipped.
    pub fn new<E, I>(users: impl IntoIterator<Item = (E, I)>) -> Self
    where
        E: AsRef<str>,
        I: Into<String>,
    {
        let by_email = users
            .into_iter()
            .filter_map(|(email, id)| {
                let email = normalise_email(email.as_ref())?;
                Some((email, id.into()))
            })
            .collect();
        Self { by_email }
    }

    /// The user id whose e-mail is `owner_email`, ignoring case and surrounding blanks.
    pub fn user_for(&self, owner_email: Option<&str>) -> Option<&str> {
        let email = normalise_email(owner_email?)?;
        self.by_email.get(&email).map(String::as_str)
    }
}

fn normalise_email(email: &str) -> Option<String> {
    let email = email.trim();
    (!email.is_empty()).then(|| email.to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stages() -> Vec<CompanyStage> {
        domain::pipeline::DEFAULT_STAGES
            .iter()
            .map(|s| CompanyStage {
                key: s.key.to_owned(),
                name: s.name.to_owned(),
                kind: s.kind,
            })
            .collect()
    }

    fn mapping(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
            .collect()
    }

    fn key(choice: Option<StageChoice>) -> (String, StageMatch) {
        let choice = choice.expect("a stage");
        (choice.key, choice.matched_by)
    }

    #[test]
    fn the_integrations_mapping_decides_first_by_id_then_by_name() {
        let table = mapping(&[
            ("appointmentscheduled", "qualification"),
            ("Demo feita", "proposal"),
        ]);
        assert_eq!(
            key(map_stage(
                Some("appointmentscheduled"),
                Some("Appointment Scheduled"),
                None,
                &table,
                &stages()
            )),
            ("qualification".into(), StageMatch::Mapping)
        );
        assert_eq!(
            key(map_stage(
                Some("12"),
                Some("demo FEITA"),
                None,
                &table,
                &stages()
            )),
            ("proposal".into(), StageMatch::Mapping)
        );
    }

    #[test]
    fn a_mapping_to_a_stage_the_company_no_longer_has_is_ignored() {
        let table = mapping(&[("7", "deleted-stage")]);
        assert_eq!(
            key(map_stage(Some("7"), None, None, &table, &stages())),
            ("prospecting".into(), StageMatch::Default)
        );
    }

    #[test]
    fn a_won_or_lost_deal_goes_to_the_companys_won_or_lost_stage() {
        let none = HashMap::new();
        assert_eq!(
            key(map_stage(
                Some("closedwon"),
                None,
                Some(DealOutcome::Won),
                &none,
                &stages()
            )),
            ("won".into(), StageMatch::Outcome)
        );
        assert_eq!(
            key(map_stage(
                Some("99"),
                Some("Contract lost"),
                Some(DealOutcome::Lost),
                &none,
                &stages()
            )),
            ("lost".into(), StageMatch::Outcome)
        );
    }

    #[test]
    fn without_a_mapping_stages_match_by_name_ignoring_case_and_accents() {
        let none = HashMap::new();
        assert_eq!(
            key(map_stage(Some("NEGOCIACAO"), None, None, &none, &stages())),
            ("negotiation".into(), StageMatch::Name)
        );
        assert_eq!(
            key(map_stage(
                Some("3"),
                Some("Proposta"),
                None,
                &none,
                &stages()
            )),
            ("proposal".into(), StageMatch::Name)
        );
        assert_eq!(
            key(map_stage(Some("Closed Won"), None, None, &none, &stages())),
            ("won".into(), StageMatch::Name)
        );
        assert_eq!(
            key(map_stage(
                Some("Closed (Lost)"),
                None,
                None,
                &none,
                &stages()
            )),
            ("lost".into(), StageMatch::Name)
        );
    }

    #[test]
    fn an_unknown_stage_falls_back_to_the_first_open_stage() {
        let none = HashMap::new();
        assert_eq!(
            key(map_stage(
                Some("Something else"),
                None,
                None,
                &none,
                &stages()
            )),
            ("prospecting".into(), StageMatch::Default)
        );
        assert_eq!(
            key(map_stage(None, None, None, &none, &stages())),
            ("prospecting".into(), StageMatch::Default)
        );
        let closed_only: Vec<_> = stages()
            .into_iter()
            .filter(|s| s.kind != StageKind::Open)
            .collect();
        assert_eq!(map_stage(Some("x"), None, None, &none, &closed_only), None);
    }

    #[test]
    fn stage_names_fold_case_accents_and_punctuation() {
        assert_eq!(normalise_stage_name("Negociação Final!"), "negociacaofinal");
        assert_eq!(
            normalise_stage_name("closed_won"),
            normalise_stage_name("Closed Won")
        );
    }

    #[test]
    fn owners_match_by_email_ignoring_case_and_blanks() {
        let directory = OwnerDirectory::new([
            ("Ana.Souza@Acme.com.br", "user-1"),
            ("  bruno@acme.com.br ", "user-2"),
            ("", "user-3"),
        ]);
        assert_eq!(
            directory.user_for(Some("ana.souza@acme.com.br")),
            Some("user-1")
        );
        assert_eq!(
            directory.user_for(Some(" BRUNO@ACME.COM.BR")),
            Some("user-2")
        );
        assert_eq!(directory.user_for(Some("carla@acme.com.br")), None);
        assert_eq!(directory.user_for(Some("")), None);
        assert_eq!(directory.user_for(None), None);
    }
}
