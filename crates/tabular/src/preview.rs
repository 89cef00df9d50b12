//! The first look at an upload: how it was read, its headers, the mapping they suggest and its
//! first rows as text, for the person importing to check and correct before anything is written.

use serde::{Deserialize, Serialize};

use crate::decode::TextEncoding;
use crate::error::FileError;
use crate::mapping::{Kind, Mapping};
use crate::table::{Separator, Table};

/// What the preview page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preview {
    pub encoding: TextEncoding,
    pub separator: Separator,
    /// Trimmed, without trailing blank ones.
    pub headers: Vec<String>,
    /// Guessed from the headers; it may lack a required field ([`Mapping::validate`] says which).
    pub mapping: Mapping,
    /// The first rows, as text, one cell per header.
    pub rows: Vec<PreviewRow>,
    /// Every data row of the file, blank rows left out.
    pub total_rows: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviewRow {
    /// The 1-based physical line the row starts on.
    pub line: u64,
    /// The cells as written (untrimmed), padded with empty ones to the header's width; cells past
    /// the header are left out (reading reports them).
    pub cells: Vec<String>,
}

/// Reads the whole file once to count its rows and keeps the first `max_rows`.
///
/// Fails if the file is not a table at all: empty, over [`MAX_FILE_BYTES`](crate::MAX_FILE_BYTES),
/// a workbook or other binary file, no header row, no data rows, or a quote left open that
/// swallows the rest of the file.
pub fn preview(bytes: &[u8], kind: Kind, max_rows: usize) -> Result<Preview, FileError> {
    let mut table = Table::open(bytes)?;
    let width = table.headers.len();
    let mut rows = Vec::with_capacity(max_rows.min(1000));
    let mut total_rows = 0u64;
    while let Some(next) = table.next_record() {
        total_rows += 1;
        let keep = rows.len() < max_rows;
        match next {
            Ok(record) => {
                if record.info.unbalanced_quotes && record.info.at_end {
                    return Err(FileError::UnclosedQuote {
                        line: record.info.line,
                    });
                }
                if keep {
                    rows.push(PreviewRow {
                        line: record.info.line,
                        cells: (0..width).map(|i| record.cell(i).to_owned()).collect(),
                    });
                }
            }
            Err(unreadable) if keep => rows.push(PreviewRow {
                line: unreadable.line,
                cells: vec![String::new(); width],
            }),
            Err(_) => {}
        }
    }
    if total_rows == 0 {
        return Err(FileError::NoDataRows);
    }
    let mapping = Mapping::guess(kind, &table.headers);
    Ok(Preview {
        encoding: table.encoding,
        separator: table.separator,
        headers: table.headers,
        mapping,
        rows,
        total_rows,
    })
}
