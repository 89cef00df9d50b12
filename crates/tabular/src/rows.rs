//! Reading a file's rows as leads or deals, one typed row or one [`RowError`] at a time.
//!
//! The server stores the upload, previews it, and then calls [`read_leads`] or [`read_deals`] and
//! takes rows in batches (`rows.by_ref().take(1000)`) for its bulk upserts. Reading streams: the
//! mapping is compiled once into a per-field column table, each record is parsed in place, and a bad
//! row becomes an error naming its line, field, reason and value while the rows after it go on.
//!
//! An external id seen on an earlier good row makes a later row an error rather than a second
//! upsert of the same key in one batch, which PostgreSQL refuses (`ON CONFLICT DO UPDATE command
//! cannot affect row a second time`) and which would fail the whole batch.

use std::collections::HashSet;
use std::fmt;
use std::marker::PhantomData;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::decode::TextEncoding;
use crate::error::{FileError, ReadError};
use crate::mapping::{Field, Kind, Mapping, Target};
use crate::table::{Record, RecordInfo, Separator, Table, Unreadable};
use crate::values::{
    Moment, parse_currency, parse_email, parse_moment, parse_money, parse_percent, parse_score,
};

/// Why a row was not imported. Each has a stable [`code`](Reason::code) for pages to translate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// A required field is empty.
    Missing,
    /// Not an amount, or one that could be read two ways (`12,34,56`).
    InvalidAmount,
    NegativeAmount,
    /// More than two decimals (`10,999`, or `1,500` written the English way).
    TooManyDecimals,
    AmountTooLarge,
    InvalidNumber,
    InvalidPercent,
    /// Below 0% or above 100%.
    PercentOutOfRange,
    /// Not a date in a form that is read (`dd/mm/aaaa`, `dd/mm/aa`, ISO).
    InvalidDate,
    /// A well-formed date that is not in the calendar (`31/02/2026`).
    NonexistentDate,
    InvalidEmail,
    InvalidCurrency,
    /// An earlier row has the same external id.
    DuplicateExternalId,
    /// Filled cells past the last header: usually a separator inside an unquoted value.
    ExtraColumns,
    /// A quote opened in the row is never closed, so the row swallowed the lines after it.
    MalformedQuotes,
    /// The CSV reader could not read the row.
    Unreadable,
}

impl Reason {
    /// The serde spelling.
    pub const fn code(self) -> &'static str {
        match self {
            Reason::Missing => "missing",
            Reason::InvalidAmount => "invalid_amount",
            Reason::NegativeAmount => "negative_amount",
            Reason::TooManyDecimals => "too_many_decimals",
            Reason::AmountTooLarge => "amount_too_large",
            Reason::InvalidNumber => "invalid_number",
            Reason::InvalidPercent => "invalid_percent",
            Reason::PercentOutOfRange => "percent_out_of_range",
            Reason::InvalidDate => "invalid_date",
            Reason::NonexistentDate => "nonexistent_date",
            Reason::InvalidEmail => "invalid_email",
            Reason::InvalidCurrency => "invalid_currency",
            Reason::DuplicateExternalId => "duplicate_external_id",
            Reason::ExtraColumns => "extra_columns",
            Reason::MalformedQuotes => "malformed_quotes",
            Reason::Unreadable => "unreadable",
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Reason::Missing => "is required",
            Reason::InvalidAmount => "is not an amount",
            Reason::NegativeAmount => "is negative",
            Reason::TooManyDecimals => "has more than two decimals",
            Reason::AmountTooLarge => "is too large",
            Reason::InvalidNumber => "is not a number",
            Reason::InvalidPercent => "is not a percentage",
            Reason::PercentOutOfRange => "is not between 0% and 100%",
            Reason::InvalidDate => "is not a date",
            Reason::NonexistentDate => "is not a date in the calendar",
            Reason::InvalidEmail => "is not an e-mail address",
            Reason::InvalidCurrency => "is not a currency",
            Reason::DuplicateExternalId => "repeats an earlier row's external id",
            Reason::ExtraColumns => "has more cells than the header",
            Reason::MalformedQuotes => "has a quote that is never closed",
            Reason::Unreadable => "cannot be read",
        })
    }
}

/// A row that was not imported: where it is, which field, why, and the value as written
/// (shortened to [`RowError::MAX_VALUE_CHARS`]). Serialises into `import_logs.errors`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowError {
    /// The 1-based physical line the row starts on; the header is line 1.
    pub line: u64,
    /// `None` when the row as a whole is wrong (extra cells, quotes).
    pub field: Option<Field>,
    pub reason: Reason,
    pub value: String,
}

impl RowError {
    pub const MAX_VALUE_CHARS: usize = 200;

    fn new(line: u64, field: Option<Field>, reason: Reason, value: &str) -> RowError {
        let value = match value.char_indices().nth(Self::MAX_VALUE_CHARS) {
            Some((cut, _)) => format!("{}…", &value[..cut]),
            None => value.to_owned(),
        };
        RowError {
            line,
            field,
            reason,
            value,
        }
    }
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.field {
            Some(field) => write!(
                f,
                "line {}: {} {:?} {}",
                self.line, field, self.value, self.reason
            ),
            None => write!(f, "line {}: the row {}", self.line, self.reason),
        }
    }
}

impl std::error::Error for RowError {}

/// A row with the 1-based physical line it starts on in the file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Numbered<T> {
    pub line: u64,
    pub row: T,
}

/// The lead a deal belongs to, as the file names it: by an e-mail address (anything with an `@`,
/// lowercased) or by the lead's external id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeadRef {
    Email(String),
    ExternalId(String),
}

impl LeadRef {
    pub fn as_str(&self) -> &str {
        match self {
            LeadRef::Email(text) | LeadRef::ExternalId(text) => text,
        }
    }
}

/// A lead as a file gives it. Text is trimmed; an empty cell is `None`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct LeadRow {
    pub external_id: Option<String>,
    pub name: String,
    pub email: Option<String>,
    /// As written, trimmed.
    pub phone: Option<String>,
    pub company_name: Option<String>,
    pub position: Option<String>,
    pub source: Option<String>,
    pub status: Option<String>,
    pub lead_score: Option<f64>,
    pub owner_email: Option<String>,
    /// Custom columns, by key, as text.
    pub custom_fields: Map<String, Value>,
}

/// A deal as a file gives it. Text is trimmed; an empty cell is `None`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DealRow {
    pub external_id: Option<String>,
    pub title: String,
    /// The stage as written; the caller matches it to one of the company's stages.
    pub stage: Option<String>,
    pub value: Decimal,
    /// An ISO 4217 code; `None` leaves the company's currency.
    pub currency: Option<String>,
    /// Percentage points, 0–100.
    pub probability: Option<Decimal>,
    pub expected_close_at: Option<Moment>,
    pub closed_at: Option<Moment>,
    pub owner_email: Option<String>,
    pub lead_ref: Option<LeadRef>,
    pub custom_fields: Map<String, Value>,
}

/// A mapping compiled for reading: the column of each field and the custom columns.
#[derive(Debug)]
struct Plan {
    width: usize,
    columns: [Option<usize>; Field::COUNT],
    custom: Vec<(usize, String)>,
}

impl Plan {
    fn new(mapping: &Mapping) -> Plan {
        let mut columns = [None; Field::COUNT];
        let mut custom = Vec::new();
        for (index, column) in mapping.columns.iter().enumerate() {
            match &column.target {
                Target::Field(field) => {
                    columns[field.index()].get_or_insert(index);
                }
                Target::Custom(key) => custom.push((index, key.trim().to_owned())),
                Target::Ignore => {}
            }
        }
        Plan {
            width: mapping.columns.len(),
            columns,
            custom,
        }
    }
}

/// One record being turned into a row: the cells, the line, and the plan.
struct Cells<'p, 'r> {
    plan: &'p Plan,
    record: &'p Record<'r>,
}

impl<'r> Cells<'_, 'r> {
    fn line(&self) -> u64 {
        self.record.info.line
    }

    fn error(&self, field: Field, reason: Reason, value: &str) -> RowError {
        RowError::new(self.line(), Some(field), reason, value)
    }

    /// The field's cell, trimmed, if it is mapped and not blank.
    fn text(&self, field: Field) -> Option<&'r str> {
        let column = self.plan.columns[field.index()]?;
        let cell = self.record.cell(column).trim();
        (!cell.is_empty()).then_some(cell)
    }

    fn owned(&self, field: Field) -> Option<String> {
        self.text(field).map(str::to_owned)
    }

    fn required(&self, field: Field) -> Result<&'r str, RowError> {
        self.text(field)
            .ok_or_else(|| self.error(field, Reason::Missing, ""))
    }

    fn parsed<T>(
        &self,
        field: Field,
        parse: impl Fn(&str) -> Result<T, Reason>,
    ) -> Result<Option<T>, RowError> {
        self.text(field)
            .map(|cell| parse(cell).map_err(|reason| self.error(field, reason, cell)))
            .transpose()
    }

    /// Problems with the row as a whole, before any field is looked at.
    fn check_shape(&self, separator: Separator) -> Result<(), RowError> {
        if self.record.info.unbalanced_quotes {
            return Err(RowError::new(
                self.line(),
                None,
                Reason::MalformedQuotes,
                &self.record.joined(separator),
            ));
        }
        if let Some(extra) = (self.plan.width..self.record.len())
            .map(|column| self.record.cell(column).trim())
            .find(|cell| !cell.is_empty())
        {
            return Err(RowError::new(
                self.line(),
                None,
                Reason::ExtraColumns,
                extra,
            ));
        }
        Ok(())
    }

    fn custom_fields(&self) -> Map<String, Value> {
        let mut fields = Map::new();
        for (column, key) in &self.plan.custom {
            let cell = self.record.cell(*column).trim();
            if !cell.is_empty() {
                fields.insert(key.clone(), Value::String(cell.to_owned()));
            }
        }
        fields
    }

    fn lead(&self) -> Result<LeadRow, RowError> {
        Ok(LeadRow {
            external_id: self.owned(Field::ExternalId),
            name: self.required(Field::Name)?.to_owned(),
            email: self.parsed(Field::Email, parse_email)?,
            phone: self.owned(Field::Phone),
            company_name: self.owned(Field::CompanyName),
            position: self.owned(Field::Position),
            source: self.owned(Field::Source),
            status: self.owned(Field::Status),
            lead_score: self.parsed(Field::LeadScore, parse_score)?,
            owner_email: self.parsed(Field::OwnerEmail, parse_email)?,
            custom_fields: self.custom_fields(),
        })
    }

    fn deal(&self) -> Result<DealRow, RowError> {
        let title = self.required(Field::Title)?.to_owned();
        let value_cell = self.required(Field::Value)?;
        let value = parse_money(value_cell)
            .map_err(|reason| self.error(Field::Value, reason, value_cell))?;
        Ok(DealRow {
            external_id: self.owned(Field::ExternalId),
            title,
            stage: self.owned(Field::Stage),
            value,
            currency: self.parsed(Field::Currency, parse_currency)?,
            probability: self.parsed(Field::Probability, parse_percent)?,
            expected_close_at: self.parsed(Field::ExpectedCloseAt, parse_moment)?,
            closed_at: self.parsed(Field::ClosedAt, parse_moment)?,
            owner_email: self.parsed(Field::OwnerEmail, parse_email)?,
            lead_ref: self.parsed(Field::LeadRef, parse_lead_ref)?,
            custom_fields: self.custom_fields(),
        })
    }
}

/// An e-mail if the cell has an `@`, the lead's external id otherwise.
fn parse_lead_ref(cell: &str) -> Result<LeadRef, Reason> {
    if cell.contains('@') {
        parse_email(cell).map(LeadRef::Email)
    } else {
        Ok(LeadRef::ExternalId(cell.to_owned()))
    }
}

/// The rows of a file, read as they are asked for. See [`read_leads`] and [`read_deals`].
pub struct Rows<'a, T> {
    table: Table<'a>,
    plan: Plan,
    /// The first record, read ahead to tell an empty file from one with rows.
    pending: Option<Result<RecordInfo, Unreadable>>,
    external_ids: HashSet<String>,
    row: PhantomData<fn() -> T>,
}

impl<T> Rows<'_, T> {
    pub fn encoding(&self) -> TextEncoding {
        self.table.encoding
    }

    pub fn separator(&self) -> Separator {
        self.table.separator
    }

    /// The next record as a row built by `build`, with the checks every kind shares.
    fn next_with(
        &mut self,
        build: impl Fn(&Cells<'_, '_>) -> Result<T, RowError>,
        external_id: impl Fn(&T) -> Option<&String>,
    ) -> Option<Result<Numbered<T>, RowError>> {
        let next = match self.pending.take() {
            Some(pending) => pending,
            None => self.table.advance()?,
        };
        let info = match next {
            Ok(info) => info,
            Err(unreadable) => {
                return Some(Err(RowError::new(
                    unreadable.line,
                    None,
                    Reason::Unreadable,
                    "",
                )));
            }
        };
        let record = self.table.current(info);
        let cells = Cells {
            plan: &self.plan,
            record: &record,
        };
        let row = cells
            .check_shape(self.table.separator)
            .and_then(|()| build(&cells));
        let line = info.line;
        Some(row.and_then(|row| {
            if let Some(id) = external_id(&row)
                && !self.external_ids.insert(id.clone())
            {
                return Err(RowError::new(
                    line,
                    Some(Field::ExternalId),
                    Reason::DuplicateExternalId,
                    id,
                ));
            }
            Ok(Numbered { line, row })
        }))
    }
}

impl Iterator for Rows<'_, LeadRow> {
    type Item = Result<Numbered<LeadRow>, RowError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_with(|cells| cells.lead(), |row| row.external_id.as_ref())
    }
}

impl Iterator for Rows<'_, DealRow> {
    type Item = Result<Numbered<DealRow>, RowError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_with(|cells| cells.deal(), |row| row.external_id.as_ref())
    }
}

fn open<'a, T>(bytes: &'a [u8], kind: Kind, mapping: &Mapping) -> Result<Rows<'a, T>, ReadError> {
    if mapping.kind != kind {
        return Err(ReadError::WrongKind {
            expected: kind,
            found: mapping.kind,
        });
    }
    mapping.validate().map_err(ReadError::InvalidMapping)?;
    let mut table = Table::open(bytes)?;
    let same_columns = mapping.columns.len() == table.headers.len()
        && mapping
            .columns
            .iter()
            .zip(&table.headers)
            .all(|(column, header)| column.header.trim() == header);
    if !same_columns {
        return Err(ReadError::HeadersChanged);
    }
    let Some(first) = table.advance() else {
        return Err(FileError::NoDataRows.into());
    };
    Ok(Rows {
        table,
        plan: Plan::new(mapping),
        pending: Some(first),
        external_ids: HashSet::new(),
        row: PhantomData,
    })
}

/// Reads a lead file with a validated mapping (one from [`preview`](crate::preview), perhaps
/// edited). Fails only if the file cannot be read at all or the mapping does not fit it; each
/// row then is a lead or the reason it is not.
pub fn read_leads<'a>(bytes: &'a [u8], mapping: &Mapping) -> Result<Rows<'a, LeadRow>, ReadError> {
    open(bytes, Kind::Lead, mapping)
}

/// Reads a deal file; see [`read_leads`].
pub fn read_deals<'a>(bytes: &'a [u8], mapping: &Mapping) -> Result<Rows<'a, DealRow>, ReadError> {
    open(bytes, Kind::Deal, mapping)
}
