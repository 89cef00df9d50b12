//! A decoded file as a header and a stream of records, each with the line it starts on.
//!
//! The `csv` crate does the parsing (quotes, doubled quotes, separators and line breaks inside
//! quoted fields, CRLF, CR or LF line ends, empty lines). This module adds what spreadsheets from
//! Brazil need around it: the separator is sniffed among `;`, `,`, tab and `|` by parsing the first
//! records with each (so separators inside quotes do not count), or read from Excel's `sep=;` first
//! line; records whose cells are all blank (`;;;;`, as Excel writes formatted empty rows) are
//! skipped; and each record gets the physical line it starts on, counted from the text itself so
//! that quoted line breaks, CRLF and blank lines cannot make a reported line wrong.

use std::borrow::Cow;
use std::fmt;
use std::io::Cursor;

use serde::{Deserialize, Serialize};

use crate::decode::{TextEncoding, decode};
use crate::error::FileError;
use crate::formula::unguard;
use crate::headers::field_for_header;
use crate::mapping::Kind;
use crate::values::{parse_email, parse_moment, parse_money};

/// The character between cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Separator {
    Semicolon,
    Comma,
    Tab,
    Pipe,
}

impl Separator {
    /// In the order preferred when the evidence is even: Brazilian first.
    pub const ALL: [Separator; 4] = [
        Separator::Semicolon,
        Separator::Comma,
        Separator::Tab,
        Separator::Pipe,
    ];

    pub const fn byte(self) -> u8 {
        match self {
            Separator::Semicolon => b';',
            Separator::Comma => b',',
            Separator::Tab => b'\t',
            Separator::Pipe => b'|',
        }
    }

    fn from_byte(byte: u8) -> Option<Separator> {
        Separator::ALL.into_iter().find(|s| s.byte() == byte)
    }
}

impl fmt::Display for Separator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Separator::Semicolon => ";",
            Separator::Comma => ",",
            Separator::Tab => "tab",
            Separator::Pipe => "|",
        })
    }
}

/// How much of the file the separator is sniffed from.
const SNIFF_BYTES: usize = 64 * 1024;
const SNIFF_RECORDS: usize = 100;

fn reader_builder(separator: Separator) -> csv::ReaderBuilder {
    let mut builder = csv::ReaderBuilder::new();
    builder
        .delimiter(separator.byte())
        .has_headers(false)
        .flexible(true)
        .quoting(true)
        .double_quote(true);
    builder
}

fn is_blank(record: &csv::ByteRecord) -> bool {
    record.iter().all(|cell| cell.trim_ascii().is_empty())
}

/// The separator under which the first records look most like a table: a header of at least two
/// cells, and then as many records as possible with the header's number of cells.
fn sniff(text: &[u8]) -> Separator {
    let sample = &text[..text.len().min(SNIFF_BYTES)];
    let mut best: Option<(Separator, (usize, usize))> = None;
    for separator in Separator::ALL {
        let mut reader = reader_builder(separator).from_reader(sample);
        let mut record = csv::ByteRecord::new();
        let mut header_width = None;
        let mut consistent = 0usize;
        for _ in 0..SNIFF_RECORDS {
            match reader.read_byte_record(&mut record) {
                Ok(true) if is_blank(&record) => {}
                Ok(true) => match header_width {
                    None => header_width = Some(record.len()),
                    Some(width) => consistent += usize::from(record.len() == width),
                },
                Ok(false) | Err(_) => break,
            }
        }
        let Some(width) = header_width.filter(|width| *width >= 2) else {
            continue;
        };
        let score = (consistent, width);
        if best.is_none_or(|(_, best_score)| score > best_score) {
            best = Some((separator, score));
        }
    }
    best.map_or(Separator::Semicolon, |(separator, _)| separator)
}

/// Excel's `sep=;` first line, which names the separator and is not part of the table.
fn declared_separator(text: &[u8]) -> Option<Separator> {
    let rest = text
        .get(..4)?
        .eq_ignore_ascii_case(b"sep=")
        .then(|| &text[4..])?;
    let (&byte, after) = rest.split_first()?;
    matches!(after.first(), None | Some(b'\r' | b'\n'))
        .then_some(())
        .and_then(|()| Separator::from_byte(byte))
}

/// Line breaks in `bytes`: LF, CRLF and a lone CR each count once.
fn count_line_breaks(bytes: &[u8]) -> u64 {
    let lf = memchr::memchr_iter(b'\n', bytes).count();
    let lone_cr = memchr::memchr_iter(b'\r', bytes)
        .filter(|at| bytes.get(at + 1) != Some(&b'\n'))
        .count();
    (lf + lone_cr) as u64
}

/// Where a record is and what is odd about it; its cells stay in the table until the next one.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RecordInfo {
    /// The 1-based physical line the record starts on.
    pub line: u64,
    /// A record that spans lines with an odd number of quotes: a quote opened and never closed
    /// swallowed the lines after it.
    pub unbalanced_quotes: bool,
    /// Whether the record runs to the end of the file.
    pub at_end: bool,
}

/// A record of the table, its cells with the export guard's `'` removed.
pub(crate) struct Record<'t> {
    pub info: RecordInfo,
    cells: &'t csv::StringRecord,
}

impl<'t> Record<'t> {
    pub fn len(&self) -> usize {
        self.cells.len()
    }

    /// The cell at `column`, untrimmed, or `""` past the record's end.
    pub fn cell(&self, column: usize) -> &'t str {
        self.cells.get(column).map_or("", unguard)
    }

    pub fn cells(&self) -> impl Iterator<Item = &'t str> + use<'t> {
        self.cells.iter().map(unguard)
    }

    /// The raw text of the record, for an error message.
    pub fn joined(&self, separator: Separator) -> String {
        let separator = char::from(separator.byte());
        let mut out = String::new();
        for (i, cell) in self.cells.iter().enumerate() {
            if i > 0 {
                out.push(separator);
            }
            out.push_str(cell);
        }
        out
    }
}

/// A record `csv` could not read, at this line.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Unreadable {
    pub line: u64,
}

/// An open file: how it was read, its header, and a cursor over the records after the header.
pub(crate) struct Table<'a> {
    pub encoding: TextEncoding,
    pub separator: Separator,
    /// The header cells, trimmed, without trailing blank ones.
    pub headers: Vec<String>,
    reader: csv::Reader<Cursor<Cow<'a, [u8]>>>,
    record: csv::StringRecord,
    /// Line counting is incremental: `counted_lines` is the line `counted_to` is on.
    counted_to: usize,
    counted_lines: u64,
    /// The byte offset of the last unreadable record, so a reader that cannot move on stops.
    last_failure: Option<u64>,
}

impl<'a> Table<'a> {
    /// Decodes the bytes, finds the separator and reads the header.
    pub fn open(bytes: &'a [u8]) -> Result<Table<'a>, FileError> {
        let decoded = decode(bytes)?;
        let text: Cow<'a, [u8]> = match decoded.text {
            Cow::Borrowed(text) => Cow::Borrowed(text.as_bytes()),
            Cow::Owned(text) => Cow::Owned(text.into_bytes()),
        };
        let declared = declared_separator(&text);
        let separator = declared.unwrap_or_else(|| sniff(&text));
        let reader = reader_builder(separator).from_reader(Cursor::new(text));
        let mut table = Table {
            encoding: decoded.encoding,
            separator,
            headers: Vec::new(),
            reader,
            record: csv::StringRecord::new(),
            counted_to: 0,
            counted_lines: 1,
            last_failure: None,
        };
        if declared.is_some() {
            // The `sep=` line itself, which is not part of the table.
            table.next_record();
        }
        let headers = match table.next_record() {
            None | Some(Err(_)) => return Err(FileError::NoHeader),
            Some(Ok(header)) if header.info.unbalanced_quotes => {
                return Err(FileError::UnclosedQuote {
                    line: header.info.line,
                });
            }
            Some(Ok(header)) => {
                let mut headers: Vec<String> =
                    header.cells().map(|cell| cell.trim().to_owned()).collect();
                while headers.last().is_some_and(|h| h.is_empty()) {
                    headers.pop();
                }
                headers
            }
        };
        if looks_like_data(&headers) {
            return Err(FileError::NoHeader);
        }
        table.headers = headers;
        Ok(table)
    }

    /// The next record that is not blank, or the line of one that cannot be read.
    pub fn next_record(&mut self) -> Option<Result<Record<'_>, Unreadable>> {
        Some(self.advance()?.map(|info| self.current(info)))
    }

    /// The record [`advance`](Self::advance) last moved to.
    pub fn current(&self, info: RecordInfo) -> Record<'_> {
        Record {
            info,
            cells: &self.record,
        }
    }

    /// Moves to the next record that is not blank, or reports the line of one that cannot be read.
    pub fn advance(&mut self) -> Option<Result<RecordInfo, Unreadable>> {
        loop {
            match self.reader.read_record(&mut self.record) {
                Ok(false) => return None,
                Ok(true) => {
                    if self.record.iter().all(|cell| cell.trim().is_empty()) {
                        continue;
                    }
                    break;
                }
                Err(error) => {
                    let byte = error.position().map_or(0, |p| p.byte());
                    if self.last_failure == Some(byte) {
                        return None;
                    }
                    self.last_failure = Some(byte);
                    let line = self.line_at(usize::try_from(byte).unwrap_or(usize::MAX));
                    return Some(Err(Unreadable { line }));
                }
            }
        }
        let end = usize::try_from(self.reader.position().byte()).unwrap_or(usize::MAX);
        let start = self.record.position().map_or(self.counted_to, |p| {
            usize::try_from(p.byte()).unwrap_or(usize::MAX)
        });
        let (first, end, at_end) = {
            let text: &[u8] = self.reader.get_ref().get_ref();
            let end = end.min(text.len());
            // The record's position is where the reader stopped after the previous record, which
            // may be before the rest of its line break and before blank lines: the record's first
            // cell comes after them.
            let start = start.min(end);
            let first = text[start..end]
                .iter()
                .position(|b| !matches!(b, b'\r' | b'\n'))
                .map_or(end, |offset| start + offset);
            (first, end, end >= text.len())
        };
        let line = self.line_at(first);
        let spans_lines =
            memchr::memchr2(b'\n', b'\r', self.record.as_slice().as_bytes()).is_some();
        let unbalanced_quotes = spans_lines && {
            let text: &[u8] = self.reader.get_ref().get_ref();
            text[first..end].iter().filter(|b| **b == b'"').count() % 2 == 1
        };
        Some(Ok(RecordInfo {
            line,
            unbalanced_quotes,
            at_end,
        }))
    }

    /// The line of byte `offset`, counting on from the last offset asked for (offsets only grow).
    fn line_at(&mut self, offset: usize) -> u64 {
        let text: &[u8] = self.reader.get_ref().get_ref();
        let offset = offset.min(text.len());
        if offset > self.counted_to {
            self.counted_lines += count_line_breaks(&text[self.counted_to..offset]);
            self.counted_to = offset;
        }
        self.counted_lines
    }
}

/// Whether a first row is data rather than a header: it holds an e-mail address, or none of its
/// cells names a field and most of them are amounts or dates.
fn looks_like_data(cells: &[String]) -> bool {
    let filled: Vec<&str> = cells
        .iter()
        .map(|c| c.as_str())
        .filter(|c| !c.is_empty())
        .collect();
    if filled.is_empty() {
        return true;
    }
    if filled.iter().any(|c| parse_email(c).is_ok()) {
        return true;
    }
    let named = filled.iter().any(|c| {
        field_for_header(Kind::Lead, c).is_some() || field_for_header(Kind::Deal, c).is_some()
    });
    let values = filled
        .iter()
        .filter(|c| parse_money(c).is_ok() || parse_moment(c).is_ok())
        .count();
    !named && values * 2 > filled.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(table: &mut Table<'_>) -> Vec<(u64, Vec<String>)> {
        let mut out = Vec::new();
        while let Some(record) = table.next_record() {
            let record = record.unwrap();
            out.push((
                record.info.line,
                record.cells().map(str::to_owned).collect(),
            ));
        }
        out
    }

    #[test]
    fn the_separator_is_sniffed_respecting_quotes() {
        assert_eq!(sniff(b"Nome;Valor\nAna;1.234,56\n"), Separator::Semicolon);
        assert_eq!(
            sniff(b"Name,Notes\nAna,\"a; b; c\"\nBia,\"x;y\"\n"),
            Separator::Comma
        );
        assert_eq!(sniff(b"Nome\tE-mail\nAna\ta@b.co\n"), Separator::Tab);
        assert_eq!(sniff(b"Nome|E-mail\nAna|a@b.co\n"), Separator::Pipe);
        assert_eq!(
            sniff(b"Nome;Obs\nAna;\"um, dois, tres\"\nBia;\"quatro, cinco\"\n"),
            Separator::Semicolon
        );
        // A single column: any separator reads it; the Brazilian one is reported.
        assert_eq!(sniff(b"Nome\nAna\nBia\n"), Separator::Semicolon);
    }

    #[test]
    fn excels_sep_line_names_the_separator_and_is_skipped() {
        let mut table = Table::open(b"sep=,\r\nNome,Valor\r\nAna,\"1,5\"\r\n").unwrap();
        assert_eq!(table.separator, Separator::Comma);
        assert_eq!(table.headers, vec!["Nome", "Valor"]);
        assert_eq!(
            records(&mut table),
            vec![(3, vec!["Ana".to_owned(), "1,5".to_owned()])]
        );
    }

    #[test]
    fn lines_are_physical_lines_through_quoted_breaks_crlf_and_blank_lines() {
        let text = "Nome;Obs\r\nAna;\"linha 1\r\nlinha 2\"\r\n\r\n;;\r\nBia;x\r\n\n\nCid;\"a\nb\nc\"\nDan;y";
        let mut table = Table::open(text.as_bytes()).unwrap();
        let lines: Vec<u64> = records(&mut table).iter().map(|(line, _)| *line).collect();
        assert_eq!(lines, vec![2, 6, 9, 12]);
    }

    #[test]
    fn lone_carriage_returns_end_lines_too() {
        let mut table = Table::open(b"Nome;Obs\rAna;1\r\rBia;2\r").unwrap();
        let lines: Vec<u64> = records(&mut table).iter().map(|(line, _)| *line).collect();
        assert_eq!(lines, vec![2, 4]);
    }

    #[test]
    fn blank_lines_before_the_header_are_skipped_and_trailing_blank_headers_dropped() {
        let mut table = Table::open(b"\n\nNome;E-mail;;\nAna;a@b.co;;\n").unwrap();
        assert_eq!(table.headers, vec!["Nome", "E-mail"]);
        let rows = records(&mut table);
        assert_eq!(rows[0].0, 4);
    }

    #[test]
    fn a_first_row_of_data_is_not_taken_for_a_header() {
        assert_eq!(
            Table::open(b"Ana;ana@x.com.br\nBia;bia@x.com.br\n").err(),
            Some(FileError::NoHeader)
        );
        assert_eq!(
            Table::open(b"Contrato;1.500,00;31/12/2026\n").err(),
            Some(FileError::NoHeader)
        );
        assert!(Table::open(b"Valor;2026\n1;2\n").is_ok());
    }

    #[test]
    fn a_header_with_an_unclosed_quote_is_refused() {
        assert_eq!(
            Table::open(b"Nome;\"Obs\nAna;1\nBia;2\n").err(),
            Some(FileError::UnclosedQuote { line: 1 })
        );
    }

    #[test]
    fn a_record_with_an_unclosed_quote_is_flagged() {
        let mut table = Table::open(b"Nome;Obs\nAna;\"aberta\nBia;2\n").unwrap();
        let record = table.next_record().unwrap().unwrap();
        assert_eq!(record.info.line, 2);
        assert!(record.info.unbalanced_quotes);
        assert!(record.info.at_end);
    }
}
