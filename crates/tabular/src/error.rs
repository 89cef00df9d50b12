//! Why a whole file, or a mapping, cannot be read. A single bad row is not here: it is a
//! [`RowError`](crate::RowError) and never stops the good rows.
//!
//! Every variant has a stable [`code`](FileError::code) that the pages translate; the English
//! `Display` is for logs.

use serde::{Deserialize, Serialize};

use crate::mapping::{Kind, MappingProblem};

/// Why an upload cannot be read as a table at all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "error", rename_all = "snake_case")]
pub enum FileError {
    #[error("the file is empty")]
    Empty,
    #[error("the file has {bytes} bytes, more than the 50 MiB allowed")]
    TooLarge { bytes: usize },
    #[error("the file is a spreadsheet workbook (xlsx, xls, ods); save it as CSV")]
    Workbook,
    #[error("the file is not text")]
    NotText,
    #[error("the first line is not a header row")]
    NoHeader,
    #[error("the file has a header but no data rows")]
    NoDataRows,
    #[error("a quote opened on line {line} is never closed")]
    UnclosedQuote { line: u64 },
}

impl FileError {
    /// A short stable code, for pages to translate.
    pub const fn code(&self) -> &'static str {
        match self {
            FileError::Empty => "empty",
            FileError::TooLarge { .. } => "too_large",
            FileError::Workbook => "workbook",
            FileError::NotText => "not_text",
            FileError::NoHeader => "no_header",
            FileError::NoDataRows => "no_data_rows",
            FileError::UnclosedQuote { .. } => "unclosed_quote",
        }
    }
}

/// Why an import cannot start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    #[error(transparent)]
    File(#[from] FileError),
    #[error("the column mapping is invalid ({} problems)", .0.len())]
    InvalidMapping(Vec<MappingProblem>),
    #[error("the mapping is for a {found} file, not a {expected} file")]
    WrongKind { expected: Kind, found: Kind },
    /// The mapping was made for a file with other columns: the upload changed, or the browser sent
    /// a mapping for another one.
    #[error("the mapping does not match the file's columns")]
    HeadersChanged,
}

impl ReadError {
    /// A short stable code, for pages to translate.
    pub const fn code(&self) -> &'static str {
        match self {
            ReadError::File(file) => file.code(),
            ReadError::InvalidMapping(_) => "invalid_mapping",
            ReadError::WrongKind { .. } => "wrong_kind",
            ReadError::HeadersChanged => "headers_changed",
        }
    }
}
