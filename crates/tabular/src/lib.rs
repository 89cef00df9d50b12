//! Lead and deal spreadsheets in and out: reads uploaded CSV for import and writes CSV for export.
//!
//! Brazilian sales teams export from Excel, Google Sheets and their old CRM, so a file may be `;`-
//! or `,`-separated, UTF-8 with or without a BOM or Windows-1252, with CRLF line ends, quoted line
//! breaks, trailing empty columns and blank lines, and its headers in Portuguese or English. This
//! crate takes all of that as it comes, and turns each row into a typed [`LeadRow`] or [`DealRow`]
//! or into a [`RowError`] that names the line, field, reason and value, so one bad row never stops
//! the good ones.
//!
//! It is plain Rust with no database and no web framework. The server stores the upload (at most
//! [`MAX_FILE_BYTES`], which it enforces before storing and this crate again), calls [`preview`]
//! to show the file and the guessed [`Mapping`], lets the person edit the mapping, then calls
//! [`read_leads`] / [`read_deals`] and writes the rows in batches itself. Export goes the other way
//! with [`LeadWriter`] / [`DealWriter`], streaming to any `io::Write`.
//!
//! The modules follow that path: `decode` (bytes to text), `table` (separator, header, records and
//! their line numbers), `headers` and `mapping` (which column is which field), `values` (cell text
//! to money, percentages, dates, e-mails), `rows` (typed rows), `preview`, `write`, and `formula`
//! (the guard against formula injection, undone on import).

mod decode;
mod error;
mod formula;
mod headers;
mod mapping;
mod preview;
mod rows;
mod table;
pub mod values;
mod write;

pub use decode::{MAX_FILE_BYTES, TextEncoding};
pub use domain::Locale;
pub use error::{FileError, ReadError};
pub use mapping::{Column, Field, Kind, Mapping, MappingProblem, Target};
pub use preview::{Preview, PreviewRow, preview};
pub use rows::{
    DealRow, LeadRef, LeadRow, Numbered, Reason, RowError, Rows, read_deals, read_leads,
};
pub use table::Separator;
pub use values::Moment;
pub use write::{CsvFormat, DealWriter, LeadWriter, TableWriter, write_deals, write_leads};
