//! Which column of a file fills which field: guessed from the headers, shown to the person importing,
//! edited in the browser and sent back.
//!
//! A [`Mapping`] is plain data that round-trips through serde, so the browser can hold it between
//! the preview and the import. Because it comes back from the browser, the server validates it
//! ([`Mapping::validate`]) and [`read_leads`](crate::read_leads) checks it against the file's
//! headers before reading a row. Columns are 0-based indexes into the header row.

use std::collections::HashMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::headers;

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Lead,
    Deal,
}

impl Kind {
    /// The fields a file of this kind can fill, in export column order.
    pub const fn fields(self) -> &'static [Field] {
        match self {
            Kind::Lead => &[
                Field::ExternalId,
                Field::Name,
                Field::Email,
                Field::Phone,
                Field::CompanyName,
                Field::Position,
                Field::Source,
                Field::Status,
                Field::LeadScore,
                Field::OwnerEmail,
            ],
            Kind::Deal => &[
                Field::ExternalId,
                Field::Title,
                Field::Stage,
                Field::Value,
                Field::Currency,
                Field::Probability,
                Field::ExpectedCloseAt,
                Field::ClosedAt,
                Field::OwnerEmail,
                Field::LeadRef,
            ],
        }
    }

    /// The fields every row must have, so some column must be mapped to each.
    pub const fn required(self) -> &'static [Field] {
        match self {
            Kind::Lead => &[Field::Name],
            Kind::Deal => &[Field::Title, Field::Value],
        }
    }

    pub const fn code(self) -> &'static str {
        match self {
            Kind::Lead => "lead",
            Kind::Deal => "deal",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A field a column can fill. Leads and deals share `external_id` and `owner_email`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    ExternalId,
    Name,
    Email,
    Phone,
    CompanyName,
    Position,
    Source,
    Status,
    LeadScore,
    OwnerEmail,
    Title,
    Stage,
    Value,
    Currency,
    Probability,
    ExpectedCloseAt,
    ClosedAt,
    /// The lead a deal belongs to: its external id or its e-mail.
    LeadRef,
}

impl Field {
    pub const COUNT: usize = 18;

    /// The serde spelling, stable for pages to translate.
    pub const fn code(self) -> &'static str {
        match self {
            Field::ExternalId => "external_id",
            Field::Name => "name",
            Field::Email => "email",
            Field::Phone => "phone",
            Field::CompanyName => "company_name",
            Field::Position => "position",
            Field::Source => "source",
            Field::Status => "status",
            Field::LeadScore => "lead_score",
            Field::OwnerEmail => "owner_email",
            Field::Title => "title",
            Field::Stage => "stage",
            Field::Value => "value",
            Field::Currency => "currency",
            Field::Probability => "probability",
            Field::ExpectedCloseAt => "expected_close_at",
            Field::ClosedAt => "closed_at",
            Field::LeadRef => "lead_ref",
        }
    }

    /// The position in declaration order, for per-field tables.
    pub(crate) const fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// What one column becomes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// A field of the lead or deal.
    Field(Field),
    /// An entry of `custom_fields`, under this key.
    Custom(String),
    /// Not imported.
    Ignore,
}

/// One column of the file: its header as read, and what it becomes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    pub header: String,
    pub target: Target,
}

/// Every column of a file, in order, with what it becomes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mapping {
    pub kind: Kind,
    pub columns: Vec<Column>,
}

/// Why a mapping cannot be used. Columns are 0-based.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum MappingProblem {
    #[error("no column is mapped to the required field {field}")]
    MissingRequired { field: Field },
    #[error("columns {first} and {second} are both mapped to {field}")]
    DuplicateField {
        field: Field,
        first: usize,
        second: usize,
    },
    #[error("column {column} is mapped to {field}, which a {kind} file does not have")]
    FieldNotForKind {
        column: usize,
        field: Field,
        kind: Kind,
    },
    #[error("column {column} is a custom field without a name")]
    BlankCustomKey { column: usize },
    #[error("columns {first} and {second} are both the custom field {key:?}")]
    DuplicateCustomKey {
        key: String,
        first: usize,
        second: usize,
    },
}

impl MappingProblem {
    /// A short stable code, for pages to translate.
    pub const fn code(&self) -> &'static str {
        match self {
            MappingProblem::MissingRequired { .. } => "missing_required",
            MappingProblem::DuplicateField { .. } => "duplicate_field",
            MappingProblem::FieldNotForKind { .. } => "field_not_for_kind",
            MappingProblem::BlankCustomKey { .. } => "blank_custom_key",
            MappingProblem::DuplicateCustomKey { .. } => "duplicate_custom_key",
        }
    }
}

impl Mapping {
    /// The mapping the headers suggest: each header recognised in `headers.toml` fills its field
    /// (the first such column wins when two name the same field), any other header becomes a
    /// custom field keyed by its text (made unique with " (2)", " (3)"), and a blank header is
    /// ignored. It may still lack a required field; [`validate`](Self::validate) says which.
    pub fn guess(kind: Kind, headers: &[String]) -> Mapping {
        let mut taken = [false; Field::COUNT];
        let mut custom_keys: Vec<String> = Vec::new();
        let columns = headers
            .iter()
            .map(|header| {
                let label = header.trim();
                let target = if label.is_empty() {
                    Target::Ignore
                } else {
                    match headers::field_for_header(kind, label) {
                        Some(field) if !taken[field.index()] => {
                            taken[field.index()] = true;
                            Target::Field(field)
                        }
                        _ => {
                            let key = unique_key(label, &custom_keys);
                            custom_keys.push(key.clone());
                            Target::Custom(key)
                        }
                    }
                };
                Column {
                    header: header.clone(),
                    target,
                }
            })
            .collect();
        Mapping { kind, columns }
    }

    /// Every problem of the mapping at once, so a page can show them together.
    pub fn validate(&self) -> Result<(), Vec<MappingProblem>> {
        let mut problems = Vec::new();
        let mut field_columns: HashMap<Field, usize> = HashMap::new();
        let mut key_columns: HashMap<&str, usize> = HashMap::new();
        for (column, entry) in self.columns.iter().enumerate() {
            match &entry.target {
                Target::Field(field) => {
                    if !self.kind.fields().contains(field) {
                        problems.push(MappingProblem::FieldNotForKind {
                            column,
                            field: *field,
                            kind: self.kind,
                        });
                    } else if let Some(&first) = field_columns.get(field) {
                        problems.push(MappingProblem::DuplicateField {
                            field: *field,
                            first,
                            second: column,
                        });
                    } else {
                        field_columns.insert(*field, column);
                    }
                }
                Target::Custom(key) => {
                    let key = key.trim();
                    if key.is_empty() {
                        problems.push(MappingProblem::BlankCustomKey { column });
                    } else if let Some(&first) = key_columns.get(key) {
                        problems.push(MappingProblem::DuplicateCustomKey {
                            key: key.to_owned(),
                            first,
                            second: column,
                        });
                    } else {
                        key_columns.insert(key, column);
                    }
                }
                Target::Ignore => {}
            }
        }
        for field in self.kind.required() {
            if !field_columns.contains_key(field) {
                problems.push(MappingProblem::MissingRequired { field: *field });
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }

    /// The column mapped to `field`, if any (the first, should the mapping not be validated).
    pub fn column_of(&self, field: Field) -> Option<usize> {
        self.columns
            .iter()
            .position(|column| column.target == Target::Field(field))
    }
}

/// `label`, or `label (2)`, `label (3)`… whichever is not taken yet.
fn unique_key(label: &str, taken: &[String]) -> String {
    if !taken.iter().any(|key| key == label) {
        return label.to_owned();
    }
    (2..)
        .map(|n| format!("{label} ({n})"))
        .find(|candidate| !taken.contains(candidate))
        .unwrap_or_else(|| label.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(names: &[&str]) -> Vec<String> {
        names.iter().map(|name| (*name).to_owned()).collect()
    }

    fn targets(mapping: &Mapping) -> Vec<Target> {
        mapping.columns.iter().map(|c| c.target.clone()).collect()
    }

    #[test]
    fn portuguese_lead_headers_are_recognised_whatever_their_accents_case_and_spacing() {
        let mapping = Mapping::guess(
            Kind::Lead,
            &headers(&[
                "Nome completo",
                "E-MAIL",
                "Celular",
                "Empresa",
                "Cargo",
                "Origem",
                "Status",
                "Pontuacao",
                "ID externo",
                "Responsável",
                "  Segmento ",
            ]),
        );
        assert_eq!(
            targets(&mapping),
            vec![
                Target::Field(Field::Name),
                Target::Field(Field::Email),
                Target::Field(Field::Phone),
                Target::Field(Field::CompanyName),
                Target::Field(Field::Position),
                Target::Field(Field::Source),
                Target::Field(Field::Status),
                Target::Field(Field::LeadScore),
                Target::Field(Field::ExternalId),
                Target::Field(Field::OwnerEmail),
                Target::Custom("Segmento".to_owned()),
            ]
        );
        assert_eq!(mapping.validate(), Ok(()));
    }

    #[test]
    fn english_lead_headers_are_recognised() {
        let mapping = Mapping::guess(
            Kind::Lead,
            &headers(&[
                "Name",
                "Email",
                "Phone",
                "Company",
                "Title",
                "Source",
                "Score",
                "External ID",
                "Owner e-mail",
            ]),
        );
        assert_eq!(
            targets(&mapping),
            vec![
                Target::Field(Field::Name),
                Target::Field(Field::Email),
                Target::Field(Field::Phone),
                Target::Field(Field::CompanyName),
                Target::Field(Field::Position),
                Target::Field(Field::Source),
                Target::Field(Field::LeadScore),
                Target::Field(Field::ExternalId),
                Target::Field(Field::OwnerEmail),
            ]
        );
    }

    #[test]
    fn deal_headers_in_both_languages_are_recognised() {
        let pt = Mapping::guess(
            Kind::Deal,
            &headers(&[
                "Negócio",
                "Estágio",
                "Valor (R$)",
                "Moeda",
                "Probabilidade",
                "Previsão de fechamento",
                "Data de fechamento",
                "E-mail do lead",
                "Dono",
                "ID",
            ]),
        );
        assert_eq!(
            targets(&pt),
            [
                Field::Title,
                Field::Stage,
                Field::Value,
                Field::Currency,
                Field::Probability,
                Field::ExpectedCloseAt,
                Field::ClosedAt,
                Field::LeadRef,
                Field::OwnerEmail,
                Field::ExternalId,
            ]
            .map(Target::Field)
        );
        let en = Mapping::guess(
            Kind::Deal,
            &headers(&[
                "Deal",
                "Stage",
                "Amount",
                "Currency",
                "Probability",
                "Expected close date",
                "Closed at",
                "Lead e-mail",
                "Owner",
            ]),
        );
        assert_eq!(en.column_of(Field::Title), Some(0));
        assert_eq!(en.column_of(Field::LeadRef), Some(7));
        assert_eq!(en.validate(), Ok(()));
        // "Title" is a job title in a lead file and the deal's title in a deal file.
        let deal = Mapping::guess(Kind::Deal, &headers(&["Title", "Value"]));
        assert_eq!(deal.column_of(Field::Title), Some(0));
        assert_eq!(deal.column_of(Field::Value), Some(1));
        let deal = Mapping::guess(Kind::Deal, &headers(&["Título", "ID externo do lead"]));
        assert_eq!(deal.column_of(Field::LeadRef), Some(1));
    }

    #[test]
    fn a_second_column_for_a_taken_field_becomes_a_custom_field_and_blank_headers_are_ignored() {
        let mapping = Mapping::guess(
            Kind::Lead,
            &headers(&["Nome", "Telefone", "Celular", "", "Obs", "Obs"]),
        );
        assert_eq!(
            targets(&mapping),
            vec![
                Target::Field(Field::Name),
                Target::Field(Field::Phone),
                Target::Custom("Celular".to_owned()),
                Target::Ignore,
                Target::Custom("Obs".to_owned()),
                Target::Custom("Obs (2)".to_owned()),
            ]
        );
        assert_eq!(mapping.validate(), Ok(()));
    }

    #[test]
    fn a_missing_required_field_is_reported_for_each_kind() {
        let lead = Mapping::guess(Kind::Lead, &headers(&["E-mail", "Telefone"]));
        assert_eq!(
            lead.validate(),
            Err(vec![MappingProblem::MissingRequired { field: Field::Name }])
        );
        let deal = Mapping::guess(Kind::Deal, &headers(&["Título"]));
        assert_eq!(
            deal.validate(),
            Err(vec![MappingProblem::MissingRequired {
                field: Field::Value
            }])
        );
    }

    #[test]
    fn two_columns_on_one_field_a_foreign_field_and_bad_custom_keys_are_all_reported() {
        let mut mapping = Mapping::guess(
            Kind::Lead,
            &headers(&["Nome", "Apelido", "Valor", "Obs", "Notas"]),
        );
        mapping.columns[1].target = Target::Field(Field::Name);
        mapping.columns[2].target = Target::Field(Field::Value);
        mapping.columns[3].target = Target::Custom("  ".to_owned());
        mapping.columns[4].target = Target::Custom("Apelido".to_owned());
        mapping.columns.push(Column {
            header: "Extra".to_owned(),
            target: Target::Custom(" Apelido".to_owned()),
        });
        let problems = mapping.validate().unwrap_err();
        assert_eq!(
            problems,
            vec![
                MappingProblem::DuplicateField {
                    field: Field::Name,
                    first: 0,
                    second: 1
                },
                MappingProblem::FieldNotForKind {
                    column: 2,
                    field: Field::Value,
                    kind: Kind::Lead
                },
                MappingProblem::BlankCustomKey { column: 3 },
                MappingProblem::DuplicateCustomKey {
                    key: "Apelido".to_owned(),
                    first: 4,
                    second: 5
                },
            ]
        );
        assert_eq!(problems[0].code(), "duplicate_field");
    }

    #[test]
    fn a_mapping_round_trips_through_json_in_a_readable_shape() {
        let mapping = Mapping::guess(Kind::Lead, &headers(&["Nome", "Segmento", ""]));
        let json = serde_json::to_value(&mapping).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "kind": "lead",
                "columns": [
                    {"header": "Nome", "target": {"field": "name"}},
                    {"header": "Segmento", "target": {"custom": "Segmento"}},
                    {"header": "", "target": "ignore"},
                ]
            })
        );
        let back: Mapping = serde_json::from_value(json).unwrap();
        assert_eq!(back, mapping);
    }

    #[test]
    fn field_codes_match_serde_and_the_count_is_right() {
        let all: Vec<Field> = Kind::Lead
            .fields()
            .iter()
            .chain(Kind::Deal.fields())
            .copied()
            .collect();
        for field in &all {
            assert_eq!(
                serde_json::to_value(field).unwrap(),
                serde_json::json!(field.code())
            );
            assert!(field.index() < Field::COUNT);
        }
        assert_eq!(Field::LeadRef.index(), Field::COUNT - 1);
    }
}
