//! Money as people type it, and the currencies a company may keep its books in.
//!
//! Brazilians write `1.234,56`, English readers `1,234.56`, and both often type `1234.56` into a
//! form. [`parse_amount`] reads all of these into a [`Decimal`] (never a float), using the reader's
//! language only where a string is truly ambiguous (`1.234` is a thousand in Portuguese, one and a
//! bit in English). Amounts are stored as `numeric(18,2)`, so more than two decimals or more than
//! sixteen integer digits are refused rather than silently rounded.

use std::str::FromStr;

use rust_decimal::Decimal;

use crate::Locale;

/// Why a typed amount was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("empty amount")]
    Empty,
    #[error("not a number")]
    Malformed,
    #[error("negative amounts are not accepted here")]
    Negative,
    #[error("at most two decimal places")]
    TooPrecise,
    #[error("amount too large")]
    TooLarge,
}

const MAX_INTEGER_DIGITS: usize = 16;

/// Whether `groups` (split on the thousands separator) form a valid grouping: a first group of one
/// to three digits, then groups of exactly three.
fn valid_grouping(groups: &[&str]) -> bool {
    let Some((first, rest)) = groups.split_first() else {
        return false;
    };
    (1..=3).contains(&first.len()) && rest.iter().all(|g| g.len() == 3)
}

/// Reads a non-negative amount typed by a person: `1.234,56`, `1234,56`, `1234.56`, `1,234.56`,
/// `R$ 1.234,56`, `1 234,56`. When both separators appear the last one is the decimal separator;
/// a lone `,` is decimal; a lone `.` is decimal unless it is followed by exactly three digits and
/// the reader writes Portuguese (`1.234` = 1234 in pt-BR, 1.234 in English).
pub fn parse_amount(input: &str, locale: Locale) -> Result<Decimal, AmountError> {
    let cleaned: String = input
        .trim()
        .trim_start_matches("R$")
        .trim_start_matches("US$")
        .trim_start_matches(['$', '€', '£'])
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{a0}' && *c != '\u{202f}' && *c != '_')
        .collect();
    if cleaned.is_empty() {
        return Err(AmountError::Empty);
    }
    if cleaned.starts_with('-') {
        return Err(AmountError::Negative);
    }
    if !cleaned
        .chars()
        .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
    {
        return Err(AmountError::Malformed);
    }
    let last_dot = cleaned.rfind('.');
    let last_comma = cleaned.rfind(',');
    let (integer, fraction, thousands) = match (last_dot, last_comma) {
        (None, None) => (cleaned.as_str(), "", None),
        (Some(d), Some(c)) => {
            let (decimal_at, thousands) = if d > c { (d, ',') } else { (c, '.') };
            (
                &cleaned[..decimal_at],
                &cleaned[decimal_at + 1..],
                Some(thousands),
            )
        }
        (None, Some(c)) => {
            if cleaned.matches(',').count() > 1 {
                // `1,234,567`: English grouping with no decimals.
                (cleaned.as_str(), "", Some(','))
            } else {
                (&cleaned[..c], &cleaned[c + 1..], None)
            }
        }
        (Some(d), None) => {
            let after = &cleaned[d + 1..];
            let several = cleaned.matches('.').count() > 1;
            if several || (after.len() == 3 && locale == Locale::PtBr) {
                (cleaned.as_str(), "", Some('.'))
            } else {
                (&cleaned[..d], after, None)
            }
        }
    };
    if fraction.contains(['.', ',']) {
        return Err(AmountError::Malformed);
    }
    let digits: String = match thousands {
        Some(sep) => {
            let groups: Vec<&str> = integer.split(sep).collect();
            if groups.len() > 1 && !valid_grouping(&groups) {
                return Err(AmountError::Malformed);
            }
            groups.concat()
        }
        None => integer.to_owned(),
    };
    if digits.contains(['.', ',']) || (digits.is_empty() && fraction.is_empty()) {
        return Err(AmountError::Malformed);
    }
    if fraction.len() > 2 {
        return Err(AmountError::TooPrecise);
    }
    let significant = digits.trim_start_matches('0');
    if significant.len() > MAX_INTEGER_DIGITS {
        return Err(AmountError::TooLarge);
    }
    let integer = if digits.is_empty() {
        "0"
    } else {
        digits.as_str()
    };
    let text = if fraction.is_empty() {
        integer.to_owned()
    } else {
        format!("{integer}.{fraction}")
    };
    Decimal::from_str(&text).map_err(|_| AmountError::Malformed)
}

/// The active ISO 4217 currency codes (funds and precious metals left out).
pub const ISO_4217: &[&str] = &[
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT",
    "BGN", "BHD", "BIF", "BMD", "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD",
    "CDF", "CHF", "CLP", "CNY", "COP", "CRC", "CUP", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD",
    "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ",
    "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IQD", "IRR", "ISK", "JMD", "JOD",
    "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR",
    "LRD", "LSL", "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR",
    "MWK", "MXN", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN",
    "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD", "RUB", "RWF", "SAR", "SBD", "SCR",
    "SDG", "SEK", "SGD", "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB",
    "TJS", "TMT", "TND", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "UYU", "UZS",
    "VED", "VES", "VND", "VUV", "WST", "XAF", "XCD", "XCG", "XOF", "XPF", "YER", "ZAR", "ZMW",
    "ZWG",
];

/// A currency code as typed (`brl`, ` BRL `) made canonical, if it is an ISO 4217 currency.
pub fn parse_currency(input: &str) -> Option<String> {
    let code = input.trim().to_ascii_uppercase();
    ISO_4217
        .binary_search(&code.as_str())
        .is_ok()
        .then_some(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn brazilian_and_plain_inputs_read_the_same_amount() {
        for input in [
            "1.234,56",
            "1234,56",
            "1234.56",
            "R$ 1.234,56",
            "1 234,56",
            "1,234.56",
            "R$\u{a0}1.234,56",
        ] {
            assert_eq!(
                parse_amount(input, Locale::PtBr),
                Ok(dec("1234.56")),
                "{input}"
            );
        }
        assert_eq!(parse_amount("1234.56", Locale::En), Ok(dec("1234.56")));
        assert_eq!(parse_amount("150000", Locale::PtBr), Ok(dec("150000")));
        assert_eq!(parse_amount("1.500.000", Locale::PtBr), Ok(dec("1500000")));
        assert_eq!(parse_amount("1,500,000", Locale::En), Ok(dec("1500000")));
        assert_eq!(parse_amount("0,5", Locale::PtBr), Ok(dec("0.5")));
        assert_eq!(parse_amount(",5", Locale::PtBr), Ok(dec("0.5")));
    }

    #[test]
    fn a_lone_dot_before_three_digits_follows_the_readers_language() {
        assert_eq!(parse_amount("1.234", Locale::PtBr), Ok(dec("1234")));
        assert_eq!(
            parse_amount("1.234", Locale::En),
            Err(AmountError::TooPrecise)
        );
        assert_eq!(parse_amount("1.23", Locale::PtBr), Ok(dec("1.23")));
    }

    #[test]
    fn nonsense_negative_and_overprecise_amounts_are_refused() {
        assert_eq!(parse_amount("", Locale::PtBr), Err(AmountError::Empty));
        assert_eq!(parse_amount("   ", Locale::PtBr), Err(AmountError::Empty));
        assert_eq!(
            parse_amount("-10", Locale::PtBr),
            Err(AmountError::Negative)
        );
        assert_eq!(
            parse_amount("12a", Locale::PtBr),
            Err(AmountError::Malformed)
        );
        assert_eq!(
            parse_amount("1,2,3", Locale::PtBr),
            Err(AmountError::Malformed)
        );
        assert_eq!(
            parse_amount("1.23.4", Locale::PtBr),
            Err(AmountError::Malformed)
        );
        assert_eq!(
            parse_amount("12.34,56,7", Locale::PtBr),
            Err(AmountError::Malformed)
        );
        assert_eq!(
            parse_amount("1,234.5.6", Locale::En),
            Err(AmountError::Malformed)
        );
        assert_eq!(
            parse_amount("12.3456", Locale::PtBr),
            Err(AmountError::TooPrecise)
        );
        assert_eq!(
            parse_amount("10,999", Locale::PtBr),
            Err(AmountError::TooPrecise)
        );
        assert_eq!(
            parse_amount("12345678901234567", Locale::PtBr),
            Err(AmountError::TooLarge)
        );
        assert_eq!(parse_amount(".", Locale::PtBr), Err(AmountError::Malformed));
    }

    #[test]
    fn currencies_are_iso_4217_codes_whatever_their_case() {
        assert_eq!(parse_currency(" brl "), Some("BRL".to_owned()));
        assert_eq!(parse_currency("USD"), Some("USD".to_owned()));
        assert_eq!(parse_currency("XYZ"), None);
        assert_eq!(parse_currency("REAL"), None);
        assert_eq!(parse_currency(""), None);
    }

    #[test]
    fn the_currency_list_is_sorted_for_binary_search() {
        assert!(ISO_4217.windows(2).all(|w| w[0] < w[1]));
        assert!(
            ISO_4217
                .iter()
                .all(|c| c.len() == 3 && c.bytes().all(|b| b.is_ascii_uppercase()))
        );
    }
}
