//! CSV for export, shaped for the spreadsheet the reader will open it in.
//!
//! Excel in Brazil opens a file right only if it is UTF-8 *with* a BOM (without one it assumes
//! Windows-1252 and "Ação" turns into "AÃ§Ã£o") and separated by `;` (its list separator, since `,`
//! is the decimal one). So Portuguese exports are BOM + `;` with decimal commas, and English ones
//! plain UTF-8 + `,` with decimal points. Amounts carry no grouping or symbol so spreadsheets read
//! them as numbers; the currency has its own column. Every cell passes the formula guard.
//!
//! What export writes, import reads back to the same rows: the column titles come from
//! `headers.toml`, and dates and numbers use forms the importer reads.

use std::borrow::Cow;
use std::io::{self, Write};

use chrono::{Datelike, NaiveDateTime, NaiveTime, Timelike};
use domain::Locale;
use rust_decimal::Decimal;
use serde_json::Value;

use crate::formula::guard;
use crate::headers::title;
use crate::mapping::{Field, Kind};
use crate::rows::{DealRow, LeadRef, LeadRow};
use crate::table::Separator;
use crate::values::Moment;

/// How an export file is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CsvFormat {
    pub separator: Separator,
    pub bom: bool,
    /// Column titles, decimal separator and date order.
    pub locale: Locale,
}

impl CsvFormat {
    /// What a spreadsheet in the reader's language opens without an import dialog.
    pub const fn for_locale(locale: Locale) -> CsvFormat {
        match locale {
            Locale::PtBr => CsvFormat {
                separator: Separator::Semicolon,
                bom: true,
                locale,
            },
            Locale::En => CsvFormat {
                separator: Separator::Comma,
                bom: false,
                locale,
            },
        }
    }
}

/// Any table of text cells as CSV, streamed to `W`, each cell through the formula guard.
pub struct TableWriter<W: Write> {
    csv: csv::Writer<W>,
}

impl<W: Write> TableWriter<W> {
    /// Writes the BOM, if the format has one.
    pub fn new(mut out: W, format: &CsvFormat) -> io::Result<TableWriter<W>> {
        if format.bom {
            out.write_all(b"\xEF\xBB\xBF")?;
        }
        let csv = csv::WriterBuilder::new()
            .delimiter(format.separator.byte())
            .terminator(csv::Terminator::CRLF)
            .quote_style(csv::QuoteStyle::Necessary)
            .from_writer(out);
        Ok(TableWriter { csv })
    }

    /// Adds a cell to the current row.
    pub fn write_cell(&mut self, cell: &str) -> io::Result<()> {
        self.csv.write_field(guard(cell).as_bytes())?;
        Ok(())
    }

    /// Ends the current row.
    pub fn end_row(&mut self) -> io::Result<()> {
        self.csv.write_record(None::<&[u8]>)?;
        Ok(())
    }

    /// Writes a whole row.
    pub fn write_row<I>(&mut self, cells: I) -> io::Result<()>
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        for cell in cells {
            self.write_cell(cell.as_ref())?;
        }
        self.end_row()
    }

    /// Flushes and gives the destination back.
    pub fn finish(self) -> io::Result<W> {
        self.csv.into_inner().map_err(|error| error.into_error())
    }
}

/// `1234.5` as `1234,50` or `1234.50`.
fn money_cell(value: Decimal, locale: Locale) -> String {
    localise(format!("{:.2}", value.round_dp(2)), locale)
}

fn localise(plain: String, locale: Locale) -> String {
    match locale {
        Locale::PtBr => plain.replace('.', ","),
        Locale::En => plain,
    }
}

/// Dates day-first in Portuguese and ISO in English, with only as much time as there is.
fn moment_cell(moment: &Moment, locale: Locale) -> String {
    let at: NaiveDateTime = match moment {
        Moment::Offset(at) => return at.to_rfc3339(),
        Moment::Local(at) => *at,
    };
    let date = match locale {
        Locale::PtBr => format!("{:02}/{:02}/{:04}", at.day(), at.month(), at.year()),
        Locale::En => format!("{:04}-{:02}-{:02}", at.year(), at.month(), at.day()),
    };
    let time = at.time();
    if time == NaiveTime::MIN {
        date
    } else if time.nanosecond() != 0 {
        format!("{date} {}", time.format("%H:%M:%S%.f"))
    } else if time.second() != 0 {
        format!("{date} {}", time.format("%H:%M:%S"))
    } else {
        format!("{date} {}", time.format("%H:%M"))
    }
}

fn text(value: &Option<String>) -> Cow<'_, str> {
    text_of(value.as_deref())
}

fn text_of(value: Option<&str>) -> Cow<'_, str> {
    Cow::Borrowed(value.unwrap_or(""))
}

fn custom_cell(value: Option<&Value>) -> Cow<'_, str> {
    match value {
        None | Some(Value::Null) => Cow::Borrowed(""),
        Some(Value::String(text)) => Cow::Borrowed(text),
        Some(other) => Cow::Owned(other.to_string()),
    }
}

fn header_row(kind: Kind, locale: Locale, custom_keys: &[String]) -> impl Iterator<Item = &str> {
    kind.fields()
        .iter()
        .map(move |field| title(kind, *field, locale))
        .chain(custom_keys.iter().map(String::as_str))
}

/// Leads as CSV: the lead fields in [`Kind::fields`] order, then one column per custom key.
pub struct LeadWriter<W: Write> {
    table: TableWriter<W>,
    locale: Locale,
    custom_keys: Vec<String>,
}

impl<W: Write> LeadWriter<W> {
    /// Writes the BOM and the header row. `custom_keys` are the custom fields to export, in order
    /// (the server knows them before the first row, e.g. from `jsonb_object_keys`).
    pub fn new(out: W, format: &CsvFormat, custom_keys: &[String]) -> io::Result<LeadWriter<W>> {
        let mut table = TableWriter::new(out, format)?;
        table.write_row(header_row(Kind::Lead, format.locale, custom_keys))?;
        Ok(LeadWriter {
            table,
            locale: format.locale,
            custom_keys: custom_keys.to_vec(),
        })
    }

    pub fn write(&mut self, row: &LeadRow) -> io::Result<()> {
        for field in Kind::Lead.fields() {
            let cell: Cow<'_, str> = match field {
                Field::ExternalId => text(&row.external_id),
                Field::Name => Cow::Borrowed(&row.name),
                Field::Email => text(&row.email),
                Field::Phone => text(&row.phone),
                Field::CompanyName => text(&row.company_name),
                Field::Position => text(&row.position),
                Field::Source => text(&row.source),
                Field::Status => text(&row.status),
                Field::LeadScore => row.lead_score.map_or(Cow::Borrowed(""), |score| {
                    Cow::Owned(localise(score.to_string(), self.locale))
                }),
                Field::OwnerEmail => text(&row.owner_email),
                _ => Cow::Borrowed(""),
            };
            self.table.write_cell(&cell)?;
        }
        for key in &self.custom_keys {
            self.table
                .write_cell(&custom_cell(row.custom_fields.get(key)))?;
        }
        self.table.end_row()
    }

    pub fn finish(self) -> io::Result<W> {
        self.table.finish()
    }
}

/// Deals as CSV: the deal fields in [`Kind::fields`] order, then one column per custom key.
pub struct DealWriter<W: Write> {
    table: TableWriter<W>,
    locale: Locale,
    custom_keys: Vec<String>,
}

impl<W: Write> DealWriter<W> {
    /// Writes the BOM and the header row; see [`LeadWriter::new`].
    pub fn new(out: W, format: &CsvFormat, custom_keys: &[String]) -> io::Result<DealWriter<W>> {
        let mut table = TableWriter::new(out, format)?;
        table.write_row(header_row(Kind::Deal, format.locale, custom_keys))?;
        Ok(DealWriter {
            table,
            locale: format.locale,
            custom_keys: custom_keys.to_vec(),
        })
    }

    pub fn write(&mut self, row: &DealRow) -> io::Result<()> {
        let locale = self.locale;
        let moment = |value: &Option<Moment>| {
            value
                .as_ref()
                .map_or(Cow::Borrowed(""), |m| Cow::Owned(moment_cell(m, locale)))
        };
        for field in Kind::Deal.fields() {
            let cell: Cow<'_, str> = match field {
                Field::ExternalId => text(&row.external_id),
                Field::Title => Cow::Borrowed(&row.title),
                Field::Stage => text(&row.stage),
                Field::Value => Cow::Owned(money_cell(row.value, locale)),
                Field::Currency => text(&row.currency),
                // With the sign, so that 0,5% is not read back as the fraction 0,5 (50%).
                Field::Probability => row.probability.map_or(Cow::Borrowed(""), |p| {
                    Cow::Owned(localise(format!("{}%", p.normalize()), locale))
                }),
                Field::ExpectedCloseAt => moment(&row.expected_close_at),
                Field::ClosedAt => moment(&row.closed_at),
                Field::OwnerEmail => text(&row.owner_email),
                Field::LeadRef => text_of(row.lead_ref.as_ref().map(LeadRef::as_str)),
                _ => Cow::Borrowed(""),
            };
            self.table.write_cell(&cell)?;
        }
        for key in &self.custom_keys {
            self.table
                .write_cell(&custom_cell(row.custom_fields.get(key)))?;
        }
        self.table.end_row()
    }

    pub fn finish(self) -> io::Result<W> {
        self.table.finish()
    }
}

/// Writes all `rows` as a lead export and gives `out` back.
pub fn write_leads<'r, W: Write>(
    out: W,
    format: &CsvFormat,
    custom_keys: &[String],
    rows: impl IntoIterator<Item = &'r LeadRow>,
) -> io::Result<W> {
    let mut writer = LeadWriter::new(out, format, custom_keys)?;
    for row in rows {
        writer.write(row)?;
    }
    writer.finish()
}

/// Writes all `rows` as a deal export and gives `out` back.
pub fn write_deals<'r, W: Write>(
    out: W,
    format: &CsvFormat,
    custom_keys: &[String],
    rows: impl IntoIterator<Item = &'r DealRow>,
) -> io::Result<W> {
    let mut writer = DealWriter::new(out, format, custom_keys)?;
    for row in rows {
        writer.write(row)?;
    }
    writer.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use std::str::FromStr;

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32, s: u32) -> Moment {
        Moment::Local(
            NaiveDate::from_ymd_opt(y, m, d)
                .unwrap()
                .and_hms_opt(h, min, s)
                .unwrap(),
        )
    }

    #[test]
    fn amounts_have_two_decimals_in_the_readers_notation_without_grouping() {
        let value = Decimal::from_str("1234567.5").unwrap();
        assert_eq!(money_cell(value, Locale::PtBr), "1234567,50");
        assert_eq!(money_cell(value, Locale::En), "1234567.50");
        assert_eq!(money_cell(Decimal::ZERO, Locale::PtBr), "0,00");
    }

    #[test]
    fn dates_are_day_first_in_portuguese_and_iso_in_english_with_only_the_time_there_is() {
        assert_eq!(
            moment_cell(&at(2026, 3, 9, 0, 0, 0), Locale::PtBr),
            "09/03/2026"
        );
        assert_eq!(
            moment_cell(&at(2026, 3, 9, 14, 5, 0), Locale::PtBr),
            "09/03/2026 14:05"
        );
        assert_eq!(
            moment_cell(&at(2026, 3, 9, 14, 5, 7), Locale::En),
            "2026-03-09 14:05:07"
        );
    }

    #[test]
    fn portuguese_exports_start_with_a_bom_and_use_semicolons_english_ones_do_not() {
        let pt = TableWriter::new(Vec::new(), &CsvFormat::for_locale(Locale::PtBr))
            .and_then(|mut w| {
                w.write_row(["Nome", "Obs"])?;
                w.write_row(["Ana", "a;b"])?;
                w.finish()
            })
            .unwrap();
        assert_eq!(pt, b"\xEF\xBB\xBFNome;Obs\r\nAna;\"a;b\"\r\n");
        let en = TableWriter::new(Vec::new(), &CsvFormat::for_locale(Locale::En))
            .and_then(|mut w| {
                w.write_row(["Name", "Notes"])?;
                w.write_row(["=cmd", "x, \"y\""])?;
                w.finish()
            })
            .unwrap();
        assert_eq!(en, b"Name,Notes\r\n'=cmd,\"x, \"\"y\"\"\"\r\n");
    }
}
