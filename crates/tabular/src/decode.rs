//! Uploaded bytes to text, whatever tool wrote them.
//!
//! Brazilian spreadsheets arrive as UTF-8 (with or without the BOM Excel adds), as Windows-1252 or
//! ISO-8859-1 (Excel's "CSV (separado por vírgulas)" on Windows), and now and then as UTF-16 with a
//! BOM (Excel's "Texto Unicode"). A BOM decides; otherwise the bytes are UTF-8 if they are valid
//! UTF-8 and Windows-1252 if not. Windows-1252 is a superset of the printable ISO-8859-1, so one
//! fallback reads both, and no statistical detector is needed for the two encodings that occur.
//!
//! Before any of that, files that are not text at all — a workbook saved as `.xlsx`, a PDF, an image
//! — are refused with an error that says so, rather than imported as garbage.

use std::borrow::Cow;

use encoding_rs::{UTF_8, WINDOWS_1252};
use serde::{Deserialize, Serialize};

use crate::error::FileError;

/// The largest upload read, 50 MiB. The server refuses larger uploads before storing them; this
/// crate refuses them again so that no caller can make it decode more.
pub const MAX_FILE_BYTES: usize = 50 * 1024 * 1024;

/// How much of the start of a file is looked at to tell text from binary.
const SNIFF_BYTES: usize = 8 * 1024;

/// The encoding a file was read in, reported in the preview so a person can see why "Ação" looks right.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TextEncoding {
    Utf8,
    /// UTF-8 starting with a byte order mark, as Excel writes it.
    Utf8Bom,
    Utf16Le,
    Utf16Be,
    /// Windows-1252, which also reads ISO-8859-1 (Latin-1).
    Windows1252,
}

impl TextEncoding {
    /// The name people know the encoding by.
    pub const fn label(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Utf8Bom => "UTF-8 (BOM)",
            TextEncoding::Utf16Le => "UTF-16LE",
            TextEncoding::Utf16Be => "UTF-16BE",
            TextEncoding::Windows1252 => "Windows-1252",
        }
    }
}

/// A file's text and the encoding it was read in. Valid UTF-8 without a BOM is borrowed, not copied.
#[derive(Debug)]
pub(crate) struct Decoded<'a> {
    pub encoding: TextEncoding,
    pub text: Cow<'a, str>,
}

/// Starts of spreadsheet workbooks: ZIP (`.xlsx`, `.ods`) and OLE2 (`.xls`).
const WORKBOOK_MAGIC: [&[u8]; 2] = [b"PK\x03\x04", b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"];
const PDF_MAGIC: &[u8] = b"%PDF-";

pub(crate) fn decode(bytes: &[u8]) -> Result<Decoded<'_>, FileError> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(FileError::TooLarge { bytes: bytes.len() });
    }
    if WORKBOOK_MAGIC.iter().any(|magic| bytes.starts_with(magic)) {
        return Err(FileError::Workbook);
    }
    if bytes.starts_with(PDF_MAGIC) {
        return Err(FileError::NotText);
    }
    let decoded = match encoding_rs::Encoding::for_bom(bytes) {
        Some((encoding, bom_length)) => {
            let body = &bytes[bom_length..];
            let (text, label) = if encoding == UTF_8 {
                (
                    UTF_8.decode_without_bom_handling(body).0,
                    TextEncoding::Utf8Bom,
                )
            } else {
                let label = if encoding == encoding_rs::UTF_16LE {
                    TextEncoding::Utf16Le
                } else {
                    TextEncoding::Utf16Be
                };
                (encoding.decode_without_bom_handling(body).0, label)
            };
            Decoded {
                encoding: label,
                text,
            }
        }
        None => {
            // A NUL byte is the surest sign of binary data (and of UTF-16 without a BOM, which no
            // spreadsheet tool writes).
            if bytes[..bytes.len().min(SNIFF_BYTES)].contains(&0) {
                return Err(FileError::NotText);
            }
            match std::str::from_utf8(bytes) {
                Ok(text) => Decoded {
                    encoding: TextEncoding::Utf8,
                    text: Cow::Borrowed(text),
                },
                Err(_) => Decoded {
                    encoding: TextEncoding::Windows1252,
                    text: WINDOWS_1252.decode_without_bom_handling(bytes).0,
                },
            }
        }
    };
    if decoded.text.trim().is_empty() {
        return Err(FileError::Empty);
    }
    if looks_binary(&decoded.text) {
        return Err(FileError::NotText);
    }
    Ok(decoded)
}

/// Whether the start of the text has more control characters than a spreadsheet would: any NUL, or
/// more than one in twenty characters. Tabs, line breaks and form feeds are text.
fn looks_binary(text: &str) -> bool {
    let mut seen = 0usize;
    let mut control = 0usize;
    for c in text.chars().take(SNIFF_BYTES) {
        seen += 1;
        if c == '\0' {
            return true;
        }
        if c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{c}') {
            control += 1;
        }
    }
    control * 20 > seen
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_utf8_is_borrowed_and_reported_as_utf8() {
        let decoded = decode("Nome;Cidade\nJoão;São Paulo\n".as_bytes()).unwrap();
        assert_eq!(decoded.encoding, TextEncoding::Utf8);
        assert!(matches!(decoded.text, Cow::Borrowed(_)));
    }

    #[test]
    fn the_utf8_bom_is_removed_and_reported() {
        let decoded = decode(b"\xEF\xBB\xBFNome\nAna\n").unwrap();
        assert_eq!(decoded.encoding, TextEncoding::Utf8Bom);
        assert_eq!(decoded.text, "Nome\nAna\n");
    }

    #[test]
    fn invalid_utf8_is_read_as_windows_1252() {
        // "Ação;São Paulo" as Windows-1252 bytes.
        let decoded = decode(b"A\xE7\xE3o;S\xE3o Paulo\n").unwrap();
        assert_eq!(decoded.encoding, TextEncoding::Windows1252);
        assert_eq!(decoded.text, "Ação;São Paulo\n");
        // Windows-1252 only: the euro sign and curly quotes.
        let decoded = decode(b"\x80 \x93x\x94\n").unwrap();
        assert_eq!(decoded.text, "€ “x”\n");
    }

    #[test]
    fn utf16_with_a_bom_is_read() {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in "Nome\tE-mail\r\nJoão\ta@b.com\r\n".encode_utf16() {
            bytes.extend(unit.to_le_bytes());
        }
        let decoded = decode(&bytes).unwrap();
        assert_eq!(decoded.encoding, TextEncoding::Utf16Le);
        assert_eq!(decoded.text, "Nome\tE-mail\r\nJoão\ta@b.com\r\n");
    }

    #[test]
    fn workbooks_binary_and_empty_files_are_refused() {
        assert_eq!(
            decode(b"PK\x03\x04\x14\x00\x06\x00").unwrap_err(),
            FileError::Workbook
        );
        assert_eq!(
            decode(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\x00\x00").unwrap_err(),
            FileError::Workbook
        );
        assert_eq!(decode(b"%PDF-1.7\n").unwrap_err(), FileError::NotText);
        assert_eq!(decode(b"Nome\x00\x01\x02").unwrap_err(), FileError::NotText);
        let noise: Vec<u8> = (0..200u8).map(|i| (i % 31) + 1).collect();
        assert_eq!(decode(&noise).unwrap_err(), FileError::NotText);
        assert_eq!(decode(b"").unwrap_err(), FileError::Empty);
        assert_eq!(decode(b" \r\n\r\n").unwrap_err(), FileError::Empty);
    }

    #[test]
    fn a_file_over_the_limit_is_refused_before_decoding() {
        let big = vec![b'a'; MAX_FILE_BYTES + 1];
        assert_eq!(
            decode(&big).unwrap_err(),
            FileError::TooLarge {
                bytes: MAX_FILE_BYTES + 1
            }
        );
    }
}
