//! Which of the company's pipeline stages an imported deal goes to.
//!
//! A file names a stage as people write it: by its key (`proposal`) or by its name in any case and
//! with or without accents (`PROPOSTA`, `Negociacao`); a name that is no stage of the company fails
//! the row rather than landing the deal somewhere it was not meant to be. A CRM names its own
//! stages, mapped by [`crm::map_stage`] with the integration's table (`settings.stage_mapping`),
//! which never drops a deal. A stage not given at all keeps an existing deal where it is and puts
//! a new one in the first open stage.

use std::collections::HashMap;

use crm::{CompanyStage, DealOutcome, normalise_stage_name};
use db::TenantTx;
use domain::StageKind;

use crate::IngestError;
use crate::upsert::FailureReason;

/// The stage of a deal as its source gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StageSpec {
    /// Not given: a new deal goes to the first open stage, an existing one stays where it is.
    Unspecified,
    /// As a file writes it: a stage key, or a stage name ignoring case and accents.
    Written(String),
    /// As a CRM gives it; see [`crm::map_stage`].
    Crm {
        external: Option<String>,
        label: Option<String>,
        outcome: Option<DealOutcome>,
    },
}

/// The company's stages (in pipeline order) and, for a CRM integration, its stage mapping.
#[derive(Debug, Clone, Default)]
pub struct StageResolver {
    stages: Vec<CompanyStage>,
    by_folded: HashMap<String, usize>,
    mapping: HashMap<String, String>,
}

impl StageResolver {
    /// From the company's stages, in pipeline order.
    pub fn new(stages: Vec<CompanyStage>) -> Self {
        let mut by_folded = HashMap::new();
        // Keys before names, and earlier stages before later ones, when two fold alike.
        for (index, stage) in stages.iter().enumerate() {
            by_folded
                .entry(normalise_stage_name(&stage.key))
                .or_insert(index);
        }
        for (index, stage) in stages.iter().enumerate() {
            by_folded
                .entry(normalise_stage_name(&stage.name))
                .or_insert(index);
        }
        Self {
            stages,
            by_folded,
            mapping: HashMap::new(),
        }
    }

    /// The transaction's company's stages.
    pub async fn load(tx: &mut TenantTx) -> Result<Self, IngestError> {
        let company_id = tx.company_id().to_owned();
        let rows = sqlx::query!(
            r#"SELECT key, name, kind AS "kind: StageKind" FROM pipeline_stages
               WHERE company_id = $1 ORDER BY position, key"#,
            company_id
        )
        .fetch_all(&mut **tx)
        .await?;
        Ok(Self::new(
            rows.into_iter()
                .map(|r| CompanyStage {
                    key: r.key,
                    name: r.name,
                    kind: r.kind,
                })
                .collect(),
        ))
    }

    /// With a CRM integration's table from provider stage (id or name) to company stage key.
    pub fn with_mapping(mut self, mapping: HashMap<String, String>) -> Self {
        self.mapping = mapping;
        self
    }

    /// The first open stage, where a deal goes when nothing says otherwise.
    pub fn default_stage(&self) -> Option<&str> {
        self.stages
            .iter()
            .find(|s| s.kind == StageKind::Open)
            .map(|s| s.key.as_str())
    }

    pub fn kind_of(&self, key: &str) -> Option<StageKind> {
        self.stages.iter().find(|s| s.key == key).map(|s| s.kind)
    }

    /// The stage key `spec` names; `Ok(None)` when it names none (unspecified), so the caller
    /// keeps an existing deal's stage or uses [`default_stage`](Self::default_stage).
    pub fn resolve(&self, spec: &StageSpec) -> Result<Option<&str>, FailureReason> {
        match spec {
            StageSpec::Unspecified => Ok(None),
            StageSpec::Written(text) => {
                let text = text.trim();
                if text.is_empty() {
                    return Ok(None);
                }
                if let Some(stage) = self.stages.iter().find(|s| s.key == text) {
                    return Ok(Some(&stage.key));
                }
                self.by_folded
                    .get(&normalise_stage_name(text))
                    .map(|&index| Some(self.stages[index].key.as_str()))
                    .ok_or(FailureReason::UnknownStage)
            }
            StageSpec::Crm {
                external,
                label,
                outcome,
            } => {
                let choice = crm::map_stage(
                    external.as_deref(),
                    label.as_deref(),
                    *outcome,
                    &self.mapping,
                    &self.stages,
                )
                .ok_or(FailureReason::NoOpenStage)?;
                self.stages
                    .iter()
                    .find(|s| s.key == choice.key)
                    .map(|s| Some(s.key.as_str()))
                    .ok_or(FailureReason::NoOpenStage)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolver() -> StageResolver {
        StageResolver::new(
            domain::pipeline::DEFAULT_STAGES
                .iter()
                .map(|s| CompanyStage {
                    key: s.key.to_owned(),
                    name: s.name.to_owned(),
                    kind: s.kind,
                })
                .collect(),
        )
    }

    fn written(text: &str) -> StageSpec {
        StageSpec::Written(text.to_owned())
    }

    #[test]
    fn a_written_stage_matches_a_key_or_a_name_whatever_its_case_and_accents() {
        let stages = resolver();
        assert_eq!(stages.resolve(&written("proposal")), Ok(Some("proposal")));
        assert_eq!(stages.resolve(&written("Proposta")), Ok(Some("proposal")));
        assert_eq!(
            stages.resolve(&written(" NEGOCIACAO ")),
            Ok(Some("negotiation"))
        );
        assert_eq!(
            stages.resolve(&written("qualificação")),
            Ok(Some("qualification"))
        );
        assert_eq!(stages.resolve(&written("Ganho")), Ok(Some("won")));
    }

    #[test]
    fn a_written_stage_the_company_does_not_have_fails_the_row() {
        assert_eq!(
            resolver().resolve(&written("Demo agendada")),
            Err(FailureReason::UnknownStage)
        );
    }

    #[test]
    fn a_blank_or_missing_stage_is_unspecified_and_the_default_is_the_first_open_stage() {
        let stages = resolver();
        assert_eq!(stages.resolve(&written("  ")), Ok(None));
        assert_eq!(stages.resolve(&StageSpec::Unspecified), Ok(None));
        assert_eq!(stages.default_stage(), Some("prospecting"));
        assert_eq!(stages.kind_of("won"), Some(StageKind::Won));
    }

    #[test]
    fn a_crm_stage_goes_through_the_integrations_mapping_first() {
        let stages = resolver().with_mapping(HashMap::from([(
            "appointmentscheduled".to_owned(),
            "qualification".to_owned(),
        )]));
        let crm = |external: &str, outcome| StageSpec::Crm {
            external: Some(external.to_owned()),
            label: None,
            outcome,
        };
        assert_eq!(
            stages.resolve(&crm("appointmentscheduled", None)),
            Ok(Some("qualification"))
        );
        assert_eq!(
            stages.resolve(&crm("closedwon", Some(DealOutcome::Won))),
            Ok(Some("won"))
        );
        assert_eq!(stages.resolve(&crm("x", None)), Ok(Some("prospecting")));
    }

    #[test]
    fn a_company_without_an_open_stage_cannot_place_a_crm_deal() {
        let closed_only = StageResolver::new(vec![CompanyStage {
            key: "won".into(),
            name: "Ganho".into(),
            kind: StageKind::Won,
        }]);
        let spec = StageSpec::Crm {
            external: Some("x".into()),
            label: None,
            outcome: None,
        };
        assert_eq!(closed_only.resolve(&spec), Err(FailureReason::NoOpenStage));
        assert_eq!(closed_only.default_stage(), None);
    }
}
