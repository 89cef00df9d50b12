//! Numbers, money and dates as a Brazilian or an English reader expects them.
//!
//! The language decides separators and word order; the company decides the currency and the time
//! zone. Dates arrive here already converted to the company's zone (the server converts, carrying
//! the offset), so this module needs no time-zone database and stays small in the browser.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Timelike};
use rust_decimal::{Decimal, RoundingStrategy};

use crate::Locale;

fn separators(locale: Locale) -> (char, char) {
    match locale {
        Locale::PtBr => ('.', ','),
        Locale::En => (',', '.'),
    }
}

/// Groups the integer digits by thousands.
fn group(digits: &str, sep: char) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(ch);
    }
    out
}

/// A decimal with a fixed number of fraction digits, rounded half away from zero.
pub fn format_decimal(value: Decimal, fraction_digits: u32, locale: Locale) -> String {
    let (thousands, decimal) = separators(locale);
    let rounded =
        value.round_dp_with_strategy(fraction_digits, RoundingStrategy::MidpointAwayFromZero);
    let negative = rounded.is_sign_negative() && !rounded.is_zero();
    let plain = rounded.abs().to_string();
    let (int_part, frac_part) = plain.split_once('.').unwrap_or((&plain, ""));
    let mut out = String::new();
    if negative {
        out.push('-');
    }
    out.push_str(&group(int_part, thousands));
    if fraction_digits > 0 {
        out.push(decimal);
        let mut frac = frac_part.to_owned();
        while (frac.len() as u32) < fraction_digits {
            frac.push('0');
        }
        out.push_str(&frac);
    }
    out
}

/// A whole count, grouped: `12.345` / `12,345`.
pub fn format_count(value: i64, locale: Locale) -> String {
    format_decimal(Decimal::from(value), 0, locale)
}

fn currency_symbol(currency: &str, locale: Locale) -> Option<&'static str> {
    Some(match (currency, locale) {
        ("BRL", _) => "R$",
        ("USD", Locale::PtBr) => "US$",
        ("USD", Locale::En) => "$",
        ("EUR", _) => "€",
        ("GBP", _) => "£",
        _ => return None,
    })
}

/// Money in its own currency (ISO 4217 code), two decimals: `R$ 1.234,56` in Portuguese,
/// `R$1,234.56` in English, `CLP 1,234.00` for a currency without a known symbol.
pub fn format_money(value: Decimal, currency: &str, locale: Locale) -> String {
    let amount = format_decimal(value.abs(), 2, locale);
    let sign = if value.is_sign_negative() && !value.round_dp(2).is_zero() {
        "-"
    } else {
        ""
    };
    match (currency_symbol(currency, locale), locale) {
        (Some(symbol), Locale::PtBr) => format!("{sign}{symbol}\u{a0}{amount}"),
        (Some(symbol), Locale::En) => format!("{sign}{symbol}{amount}"),
        (None, _) => format!("{sign}{currency}\u{a0}{amount}"),
    }
}

/// A percentage given as 0–100: `75,5%` / `75.5%`.
pub fn format_percent(value: Decimal, fraction_digits: u32, locale: Locale) -> String {
    format!("{}%", format_decimal(value, fraction_digits, locale))
}

const MONTHS_EN: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A calendar date: `27/11/2026` / `Nov 27, 2026`.
pub fn format_date(date: NaiveDate, locale: Locale) -> String {
    match locale {
        Locale::PtBr => format!("{:02}/{:02}/{}", date.day(), date.month(), date.year()),
        Locale::En => format!(
            "{} {}, {}",
            MONTHS_EN[date.month0() as usize],
            date.day(),
            date.year()
        ),
    }
}

/// A moment in the company's zone: `27/11/2026 14:05` / `Nov 27, 2026, 2:05 PM`.
pub fn format_date_time(at: DateTime<FixedOffset>, locale: Locale) -> String {
    let date = format_date(at.date_naive(), locale);
    match locale {
        Locale::PtBr => format!("{date} {:02}:{:02}", at.hour(), at.minute()),
        Locale::En => {
            let (pm, hour) = at.hour12();
            format!(
                "{date}, {hour}:{:02} {}",
                at.minute(),
                if pm { "PM" } else { "AM" }
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn money_follows_the_brazilian_and_the_english_conventions() {
        assert_eq!(
            format_money(dec("1234.56"), "BRL", Locale::PtBr),
            "R$\u{a0}1.234,56"
        );
        assert_eq!(
            format_money(dec("1234.56"), "BRL", Locale::En),
            "R$1,234.56"
        );
        assert_eq!(
            format_money(dec("1234567"), "USD", Locale::PtBr),
            "US$\u{a0}1.234.567,00"
        );
        assert_eq!(format_money(dec("-0.5"), "EUR", Locale::En), "-€0.50");
        assert_eq!(format_money(dec("10"), "CLP", Locale::En), "CLP\u{a0}10.00");
    }

    #[test]
    fn rounding_is_half_away_from_zero() {
        assert_eq!(format_decimal(dec("2.345"), 2, Locale::En), "2.35");
        assert_eq!(format_decimal(dec("-2.345"), 2, Locale::PtBr), "-2,35");
        assert_eq!(format_decimal(dec("-0.001"), 2, Locale::En), "0.00");
    }

    #[test]
    fn counts_and_percentages_group_digits() {
        assert_eq!(format_count(1_234_567, Locale::PtBr), "1.234.567");
        assert_eq!(format_count(999, Locale::En), "999");
        assert_eq!(format_percent(dec("75.5"), 1, Locale::PtBr), "75,5%");
    }

    #[test]
    fn dates_read_as_each_language_writes_them() {
        let at = DateTime::parse_from_rfc3339("2026-11-27T14:05:00-03:00").unwrap();
        assert_eq!(format_date_time(at, Locale::PtBr), "27/11/2026 14:05");
        assert_eq!(format_date_time(at, Locale::En), "Nov 27, 2026, 2:05 PM");
        let midnight = DateTime::parse_from_rfc3339("2026-01-02T00:30:00-03:00").unwrap();
        assert_eq!(
            format_date_time(midnight, Locale::En),
            "Jan 2, 2026, 12:30 AM"
        );
    }
}
