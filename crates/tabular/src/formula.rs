//! The guard against formula injection in exported CSV (OWASP "CSV Injection").
//!
//! A lead named `=HYPERLINK("http://evil", "clique")` typed into a form, or imported from someone
//! else's spreadsheet, would run as a formula in the Excel of whoever exports it. Export prefixes
//! every cell that a spreadsheet would read as a formula — starting with `=`, `+`, `-`, `@`, a tab
//! or a carriage return — with a `'`, which spreadsheets show as text.
//!
//! So that export and import stay inverse, import removes that `'` again, and export also prefixes
//! cells that themselves start with `'` (so `'=x` is written `''=x` and read back as `'=x`). A plain
//! negative number (`-10`, `-2,5`) is not a formula and is left alone, so scores stay numbers.

use std::borrow::Cow;

/// Whether a spreadsheet could read a cell starting with `c` as a formula.
fn starts_formula(c: char) -> bool {
    matches!(c, '=' | '+' | '-' | '@' | '\t' | '\r')
}

/// `-` followed by digits and at most one decimal separator.
fn is_negative_number(cell: &str) -> bool {
    let Some(rest) = cell.strip_prefix('-') else {
        return false;
    };
    let separators = rest.bytes().filter(|b| matches!(b, b',' | b'.')).count();
    rest.bytes().any(|b| b.is_ascii_digit())
        && separators <= 1
        && rest
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b',' | b'.'))
}

/// The cell as export writes it.
pub(crate) fn guard(cell: &str) -> Cow<'_, str> {
    match cell.chars().next() {
        Some(c) if (starts_formula(c) && !is_negative_number(cell)) || c == '\'' => {
            Cow::Owned(format!("'{cell}"))
        }
        _ => Cow::Borrowed(cell),
    }
}

/// The cell as import reads it: without the `'` that [`guard`] would have added.
pub(crate) fn unguard(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(|c| starts_formula(c) || c == '\'') => rest,
        _ => cell,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_a_spreadsheet_would_run_are_prefixed() {
        for cell in [
            "=1+1",
            "+55 11 99999-0000",
            "-2+3+cmd|' /C calc'!A0",
            "@SUM(A1)",
            "\t=1",
            "\r=1",
            "=HYPERLINK(\"http://x\")",
        ] {
            assert_eq!(guard(cell), format!("'{cell}"), "{cell:?}");
        }
    }

    #[test]
    fn ordinary_cells_and_negative_numbers_are_left_alone() {
        for cell in ["Ana", "", "1.234,56", "-10", "-2,5", "a=b", "São Paulo"] {
            assert_eq!(guard(cell), cell, "{cell:?}");
        }
        assert_eq!(guard("-"), "'-");
        assert_eq!(guard("-1,2,3"), "'-1,2,3");
    }

    #[test]
    fn guarding_then_unguarding_gives_the_cell_back() {
        for cell in [
            "=x", "'=x", "''=x", "'", "'Ana", "Ana", "-5", "-", "+", "@", "",
        ] {
            assert_eq!(unguard(&guard(cell)), cell, "{cell:?}");
        }
    }

    #[test]
    fn an_apostrophe_typed_before_a_phone_number_is_dropped_on_import() {
        assert_eq!(unguard("'+55 11 3333-4444"), "+55 11 3333-4444");
        assert_eq!(unguard("'Ana"), "'Ana");
    }
}
