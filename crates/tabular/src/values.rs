//! Cell text to typed values, as Brazilian and English spreadsheets write them.
//!
//! Each parser takes the cell already trimmed and non-empty and answers with the value or the
//! [`Reason`] a person will read. Nothing here guesses silently: an amount that could be read two
//! ways, a date that does not exist, a percentage over 100 are refused, and the row reports it.
//!
//! Money always follows the Brazilian reading of [`domain::money::parse_amount`]: the last separator
//! is the decimal one, and a lone `.` before exactly three digits groups thousands (`1.500` is one
//! thousand five hundred). The English reading of `1.500` (three decimals) is never a valid amount,
//! so nothing an English file writes correctly is misread. Dates with slashes are always day first,
//! as in Brazil; an English file should use ISO dates (`2026-03-31`), which are read too.

use std::str::FromStr;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use domain::Locale;
use domain::money::{AmountError, parse_amount};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use crate::rows::Reason;

/// A date and time as a file writes it: without a zone (to be read in the company's zone by the
/// caller), or with an explicit UTC offset (ISO 8601 with `Z` or `±hh:mm`). A date alone is
/// midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Moment {
    Local(NaiveDateTime),
    Offset(DateTime<FixedOffset>),
}

/// A non-negative amount with at most two decimals: `1.234,56`, `R$ 1.234,56`, `1234.56`,
/// `1,234.56`, `1234`.
pub fn parse_money(cell: &str) -> Result<Decimal, Reason> {
    parse_amount(cell, Locale::PtBr).map_err(|error| match error {
        AmountError::Empty => Reason::Missing,
        AmountError::Malformed => Reason::InvalidAmount,
        AmountError::Negative => Reason::NegativeAmount,
        AmountError::TooPrecise => Reason::TooManyDecimals,
        AmountError::TooLarge => Reason::AmountTooLarge,
    })
}

/// A plain number with an optional sign and at most one decimal separator, `,` or `.`; no
/// grouping, since neither percentages nor scores reach the thousands.
fn plain_number(cell: &str) -> Option<String> {
    let mut out = String::with_capacity(cell.len());
    let mut digits = 0usize;
    let mut separators = 0usize;
    for (i, c) in cell.chars().enumerate() {
        match c {
            '0'..='9' => {
                digits += 1;
                out.push(c);
            }
            ',' | '.' => {
                separators += 1;
                out.push('.');
            }
            '-' | '+' if i == 0 => out.push(c),
            c if c.is_whitespace() => {}
            _ => return None,
        }
    }
    (digits > 0 && separators <= 1).then_some(out)
}

/// A percentage as 0–100 with two decimals. `25%`, `25,5 %` and `25` are points; a number of at most
/// 1 without `%` is a fraction (`0,25` is 25%), as a spreadsheet stores a percent-formatted cell.
pub fn parse_percent(cell: &str) -> Result<Decimal, Reason> {
    let trimmed = cell.trim();
    let (number, points) = match trimmed.strip_suffix('%') {
        Some(number) => (number, true),
        None => (trimmed, false),
    };
    let value = plain_number(number)
        .and_then(|text| Decimal::from_str(&text).ok())
        .ok_or(Reason::InvalidPercent)?;
    let value = if points || value > Decimal::ONE {
        value
    } else {
        value * Decimal::ONE_HUNDRED
    };
    let value = value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    if (value.is_sign_negative() && !value.is_zero()) || value > Decimal::ONE_HUNDRED {
        return Err(Reason::PercentOutOfRange);
    }
    Ok(value.normalize())
}

/// A lead score: any finite number, `85`, `85,5`, `-10`.
pub fn parse_score(cell: &str) -> Result<f64, Reason> {
    plain_number(cell)
        .and_then(|text| f64::from_str(&text).ok())
        .filter(|value| value.is_finite())
        .ok_or(Reason::InvalidNumber)
}

/// An e-mail address, trimmed and lowercased, checked loosely: one `@`, something before it, a
/// dotted domain after it, no spaces or list punctuation (two addresses in one cell are refused).
pub fn parse_email(cell: &str) -> Result<String, Reason> {
    let trimmed = cell.trim();
    let trimmed = match trimmed.get(..7) {
        Some(prefix) if prefix.eq_ignore_ascii_case("mailto:") => &trimmed[7..],
        _ => trimmed,
    };
    let email = trimmed.to_lowercase();
    let (local, domain) = email.split_once('@').ok_or(Reason::InvalidEmail)?;
    let forbidden = |c: char| {
        c.is_whitespace()
            || c.is_control()
            || matches!(
                c,
                '@' | ',' | ';' | '<' | '>' | '(' | ')' | '[' | ']' | '\\' | '"'
            )
    };
    let domain_ok = domain.len() <= 253
        && domain.contains('.')
        && domain
            .split('.')
            .all(|label| !label.is_empty() && !label.starts_with('-') && !label.ends_with('-'));
    if local.is_empty()
        || local.len() > 64
        || !domain_ok
        || local.contains(forbidden)
        || domain.contains(forbidden)
    {
        return Err(Reason::InvalidEmail);
    }
    Ok(email)
}

/// A currency as an ISO 4217 code in any case (`brl`), or a symbol or name Brazilians write:
/// `R$`, `real`, `US$`, `€`.
pub fn parse_currency(cell: &str) -> Result<String, Reason> {
    let trimmed = cell.trim();
    let by_symbol = match trimmed.to_lowercase().as_str() {
        "r$" | "real" | "reais" => Some("BRL"),
        "us$" | "$" | "dólar" | "dolar" | "dólares" | "dolares" => Some("USD"),
        "€" | "euro" | "euros" => Some("EUR"),
        "£" | "libra" | "libras" => Some("GBP"),
        _ => None,
    };
    match by_symbol {
        Some(code) => Ok(code.to_owned()),
        None => domain::money::parse_currency(trimmed).ok_or(Reason::InvalidCurrency),
    }
}

/// Dates outside these years are typing mistakes (`01/01/0026`), not history or plans.
const YEARS: std::ops::RangeInclusive<i32> = 1900..=2199;

/// A date, optionally with a time: `31/12/2026`, `31/12/26`, `31-12-2026`, `31/12/2026 14:30`,
/// `31/12/2026 14:30:15`, `2026-12-31`, `2026-12-31T14:30:15.5`, `2026-12-31T14:30:15-03:00`,
/// `2026-12-31 14:30Z`. A well-formed date that is not in the calendar (`31/02/2026`) is
/// [`Reason::NonexistentDate`]; anything else unreadable is [`Reason::InvalidDate`].
pub fn parse_moment(cell: &str) -> Result<Moment, Reason> {
    let trimmed = cell.trim();
    let (date_part, time_part) = match trimmed.find([' ', 'T']) {
        Some(at) => (&trimmed[..at], Some(trimmed[at + 1..].trim_start())),
        None => (trimmed, None),
    };
    let date = parse_date(date_part)?;
    let Some(time_part) = time_part else {
        return Ok(Moment::Local(date.and_time(NaiveTime::MIN)));
    };
    let (clock, offset) = split_offset(time_part)?;
    let time = parse_time(clock)?;
    let local = date.and_time(time);
    match offset {
        None => Ok(Moment::Local(local)),
        Some(offset) => offset
            .from_local_datetime(&local)
            .single()
            .map(Moment::Offset)
            .ok_or(Reason::NonexistentDate),
    }
}

/// Splits `a<sep>b<sep>c` into three runs of ASCII digits, with `sep` one of `/`, `-`, `.`.
fn three_numbers(text: &str) -> Option<[&str; 3]> {
    let sep = text.chars().find(|c| matches!(c, '/' | '-' | '.'))?;
    let mut parts = text.split(sep);
    let numbers = [parts.next()?, parts.next()?, parts.next()?];
    if parts.next().is_some()
        || numbers
            .iter()
            .any(|n| n.is_empty() || n.len() > 4 || !n.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    Some(numbers)
}

fn parse_date(text: &str) -> Result<NaiveDate, Reason> {
    let [a, b, c] = three_numbers(text).ok_or(Reason::InvalidDate)?;
    let number = |digits: &str| digits.parse::<u32>().map_err(|_| Reason::InvalidDate);
    let (year, month, day) = match (a.len(), b.len(), c.len()) {
        (4, 1..=2, 1..=2) => (number(a)? as i32, number(b)?, number(c)?),
        (1..=2, 1..=2, 4) => (number(c)? as i32, number(b)?, number(a)?),
        (1..=2, 1..=2, 2) => {
            // Two-digit years as strptime reads them: 00–68 are 2000s, 69–99 are 1900s.
            let short = number(c)? as i32;
            let year = if short <= 68 {
                2000 + short
            } else {
                1900 + short
            };
            (year, number(b)?, number(a)?)
        }
        _ => return Err(Reason::InvalidDate),
    };
    if !YEARS.contains(&year) {
        return Err(Reason::NonexistentDate);
    }
    NaiveDate::from_ymd_opt(year, month, day).ok_or(Reason::NonexistentDate)
}

/// Separates a trailing `Z`, `±hh:mm` or `±hhmm` from a clock time.
fn split_offset(text: &str) -> Result<(&str, Option<FixedOffset>), Reason> {
    let text = text.trim();
    if let Some(clock) = text.strip_suffix(['Z', 'z']) {
        return Ok((clock.trim_end(), FixedOffset::east_opt(0)));
    }
    let Some(at) = text.rfind(['+', '-']) else {
        return Ok((text, None));
    };
    let (clock, offset) = (&text[..at], &text[at..]);
    let sign = if offset.starts_with('-') { -1 } else { 1 };
    let digits: String = offset[1..].chars().filter(|c| *c != ':').collect();
    if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Reason::InvalidDate);
    }
    let hours: i32 = digits[..2].parse().map_err(|_| Reason::InvalidDate)?;
    let minutes: i32 = digits[2..].parse().map_err(|_| Reason::InvalidDate)?;
    let offset = FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60))
        .ok_or(Reason::NonexistentDate)?;
    Ok((clock.trim_end(), Some(offset)))
}

/// `14:30`, `14:30:15`, `14:30:15.123`.
fn parse_time(text: &str) -> Result<NaiveTime, Reason> {
    let (whole, fraction) = match text.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (text, None),
    };
    let mut parts = whole.split(':');
    let mut next = || -> Result<Option<u32>, Reason> {
        match parts.next() {
            None => Ok(None),
            Some(p) if (1..=2).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()) => {
                p.parse().map(Some).map_err(|_| Reason::InvalidDate)
            }
            Some(_) => Err(Reason::InvalidDate),
        }
    };
    let hour = next()?.ok_or(Reason::InvalidDate)?;
    let minute = next()?.ok_or(Reason::InvalidDate)?;
    let second = next()?.unwrap_or(0);
    if next()?.is_some() {
        return Err(Reason::InvalidDate);
    }
    let nanos = match fraction {
        None => 0,
        Some(f) if (1..=9).contains(&f.len()) && f.bytes().all(|b| b.is_ascii_digit()) => {
            let padded = format!("{f:0<9}");
            padded.parse::<u32>().map_err(|_| Reason::InvalidDate)?
        }
        Some(_) => return Err(Reason::InvalidDate),
    };
    NaiveTime::from_hms_nano_opt(hour, minute, second, nanos).ok_or(Reason::NonexistentDate)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn local(y: i32, m: u32, d: u32, h: u32, min: u32, s: u32) -> Moment {
        Moment::Local(
            NaiveDate::from_ymd_opt(y, m, d)
                .unwrap()
                .and_hms_opt(h, min, s)
                .unwrap(),
        )
    }

    #[test]
    fn money_is_read_as_brazilians_and_english_speakers_write_it() {
        let table = [
            ("1.234,56", Ok(dec("1234.56"))),
            ("R$ 1.234,56", Ok(dec("1234.56"))),
            ("R$1.234,56", Ok(dec("1234.56"))),
            ("1234.56", Ok(dec("1234.56"))),
            ("1,234.56", Ok(dec("1234.56"))),
            ("1234,5", Ok(dec("1234.5"))),
            ("1.500", Ok(dec("1500"))),
            ("1.500.000", Ok(dec("1500000"))),
            ("1,500,000.00", Ok(dec("1500000"))),
            ("0", Ok(dec("0"))),
            ("12,34,56", Err(Reason::InvalidAmount)),
            ("1.2.3,4", Err(Reason::InvalidAmount)),
            ("12.34.56", Err(Reason::InvalidAmount)),
            ("abc", Err(Reason::InvalidAmount)),
            ("1,500", Err(Reason::TooManyDecimals)),
            ("10,999", Err(Reason::TooManyDecimals)),
            ("-10", Err(Reason::NegativeAmount)),
            ("99999999999999999", Err(Reason::AmountTooLarge)),
        ];
        for (cell, expected) in table {
            assert_eq!(parse_money(cell), expected, "{cell}");
        }
    }

    #[test]
    fn percentages_are_points_with_a_sign_and_fractions_without_one() {
        let table = [
            ("25%", Ok(dec("25"))),
            ("25 %", Ok(dec("25"))),
            ("25,5%", Ok(dec("25.5"))),
            ("0,25", Ok(dec("25"))),
            ("0.255", Ok(dec("25.5"))),
            ("1", Ok(dec("100"))),
            ("50", Ok(dec("50"))),
            ("0,5%", Ok(dec("0.5"))),
            ("100%", Ok(dec("100"))),
            ("0", Ok(dec("0"))),
            ("101%", Err(Reason::PercentOutOfRange)),
            ("-5%", Err(Reason::PercentOutOfRange)),
            ("150", Err(Reason::PercentOutOfRange)),
            ("alta", Err(Reason::InvalidPercent)),
            ("1,2,3%", Err(Reason::InvalidPercent)),
            ("%", Err(Reason::InvalidPercent)),
        ];
        for (cell, expected) in table {
            assert_eq!(parse_percent(cell), expected, "{cell}");
        }
    }

    #[test]
    fn scores_are_any_finite_number_with_either_decimal_separator() {
        assert_eq!(parse_score("85"), Ok(85.0));
        assert_eq!(parse_score("85,5"), Ok(85.5));
        assert_eq!(parse_score("-10.25"), Ok(-10.25));
        assert_eq!(parse_score("inf"), Err(Reason::InvalidNumber));
        assert_eq!(parse_score("NaN"), Err(Reason::InvalidNumber));
        assert_eq!(parse_score("1.000,5"), Err(Reason::InvalidNumber));
        assert_eq!(parse_score("-"), Err(Reason::InvalidNumber));
    }

    #[test]
    fn brazilian_and_iso_dates_are_read() {
        let table = [
            ("31/12/2026", Ok(local(2026, 12, 31, 0, 0, 0))),
            ("1/2/2026", Ok(local(2026, 2, 1, 0, 0, 0))),
            ("31/12/26", Ok(local(2026, 12, 31, 0, 0, 0))),
            ("01/01/99", Ok(local(1999, 1, 1, 0, 0, 0))),
            ("31-12-2026", Ok(local(2026, 12, 31, 0, 0, 0))),
            ("31.12.2026", Ok(local(2026, 12, 31, 0, 0, 0))),
            ("31/12/2026 14:30", Ok(local(2026, 12, 31, 14, 30, 0))),
            ("31/12/2026  9:05:07", Ok(local(2026, 12, 31, 9, 5, 7))),
            ("2026-12-31", Ok(local(2026, 12, 31, 0, 0, 0))),
            ("2026-12-31T14:30:15", Ok(local(2026, 12, 31, 14, 30, 15))),
            ("2026-12-31 14:30", Ok(local(2026, 12, 31, 14, 30, 0))),
            ("29/02/2028", Ok(local(2028, 2, 29, 0, 0, 0))),
            ("31/02/2026", Err(Reason::NonexistentDate)),
            ("29/02/2026", Err(Reason::NonexistentDate)),
            ("12/13/2026", Err(Reason::NonexistentDate)),
            ("2026-02-30", Err(Reason::NonexistentDate)),
            ("01/01/0026", Err(Reason::NonexistentDate)),
            ("31/12/2026 25:00", Err(Reason::NonexistentDate)),
            ("amanhã", Err(Reason::InvalidDate)),
            ("31/12", Err(Reason::InvalidDate)),
            ("2026/12/31/1", Err(Reason::InvalidDate)),
            ("31/12/2026 14h", Err(Reason::InvalidDate)),
            ("31122026", Err(Reason::InvalidDate)),
            ("31/12-2026", Err(Reason::InvalidDate)),
        ];
        for (cell, expected) in table {
            assert_eq!(parse_moment(cell), expected, "{cell}");
        }
    }

    #[test]
    fn iso_times_with_an_offset_or_a_fraction_keep_them() {
        let Ok(Moment::Offset(at)) = parse_moment("2026-12-31T14:30:15-03:00") else {
            panic!("an offset is kept");
        };
        assert_eq!(at.to_rfc3339(), "2026-12-31T14:30:15-03:00");
        let Ok(Moment::Offset(at)) = parse_moment("2026-12-31 14:30Z") else {
            panic!("Z is UTC");
        };
        assert_eq!(at.to_rfc3339(), "2026-12-31T14:30:00+00:00");
        let Ok(Moment::Offset(at)) = parse_moment("2026-12-31T14:30:15.25+0530") else {
            panic!("a compact offset is read");
        };
        assert_eq!(at.to_rfc3339(), "2026-12-31T14:30:15.250+05:30");
        assert_eq!(
            parse_moment("2026-12-31T14:30:15.5"),
            Ok(Moment::Local(
                NaiveDate::from_ymd_opt(2026, 12, 31)
                    .unwrap()
                    .and_hms_milli_opt(14, 30, 15, 500)
                    .unwrap()
            ))
        );
        assert_eq!(parse_moment("2026-12-31T14:30+3"), Err(Reason::InvalidDate));
    }

    #[test]
    fn emails_are_trimmed_lowercased_and_checked_loosely() {
        assert_eq!(
            parse_email("  Ana.Souza@Empresa.COM.br "),
            Ok("ana.souza@empresa.com.br".to_owned())
        );
        assert_eq!(parse_email("mailto:a@b.co"), Ok("a@b.co".to_owned()));
        assert_eq!(
            parse_email("joão@exemplo.com"),
            Ok("joão@exemplo.com".to_owned())
        );
        for bad in [
            "ana",
            "ana@",
            "@empresa.com",
            "ana@empresa",
            "ana@@empresa.com",
            "ana@empresa..com",
            "ana souza@empresa.com",
            "a@b.com; c@d.com",
            "a@b.com,c@d.com",
            "ana@-empresa.com",
            "<ana@empresa.com>",
        ] {
            assert_eq!(parse_email(bad), Err(Reason::InvalidEmail), "{bad}");
        }
    }

    #[test]
    fn currencies_are_codes_or_the_symbols_people_type() {
        assert_eq!(parse_currency("brl"), Ok("BRL".to_owned()));
        assert_eq!(parse_currency("R$"), Ok("BRL".to_owned()));
        assert_eq!(parse_currency("US$"), Ok("USD".to_owned()));
        assert_eq!(parse_currency("Euro"), Ok("EUR".to_owned()));
        assert_eq!(parse_currency("REAIS"), Ok("BRL".to_owned()));
        assert_eq!(parse_currency("XYZ"), Err(Reason::InvalidCurrency));
        assert_eq!(parse_currency("dinheiro"), Err(Reason::InvalidCurrency));
    }
}
