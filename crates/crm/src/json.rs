//! Reading values out of provider JSON: ids that are numbers or strings, the half-dozen date
//! formats CRMs use, money as exact decimals, and paths into a document.
//!
//! A field that cannot be read becomes `None` rather than failing its page: one odd value in one
//! record should not stop a company's sync.

use std::str::FromStr;

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use rust_decimal::Decimal;
use serde_json::{Map, Value};

/// Text of a string value; numbers and booleans as their JSON text; `None` for null, blanks,
/// arrays and objects.
pub(crate) fn text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A string field of an object.
pub(crate) fn str_field<'a>(object: &'a Value, key: &str) -> Option<&'a str> {
    object
        .get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// `true`/`false` as a boolean or as the strings HubSpot uses.
pub(crate) fn boolean(value: Option<&Value>) -> Option<bool> {
    match value? {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

/// A money amount, exactly: from a JSON number's text (`1234.56`, not its binary float) or a
/// numeric string.
pub(crate) fn decimal(value: Option<&Value>) -> Option<Decimal> {
    let text = match value? {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.trim().to_owned(),
        _ => return None,
    };
    if text.is_empty() {
        return None;
    }
    Decimal::from_str(&text)
        .or_else(|_| Decimal::from_scientific(&text))
        .ok()
        .map(|d| d.normalize())
}

/// A point in time from the formats CRMs send: RFC 3339 (`2024-01-15T14:22:10.456Z`,
/// `…+05:30`), Salesforce's `+0000` offsets, `YYYY-MM-DD HH:MM:SS` in UTC, a bare date (12:00
/// UTC, see [`crate::record`]), or Unix time in seconds or milliseconds.
pub(crate) fn datetime(value: Option<&Value>) -> Option<DateTime<Utc>> {
    match value? {
        Value::String(s) => datetime_text(s.trim()),
        Value::Number(n) => n.as_i64().and_then(unix_time),
        _ => None,
    }
}

pub(crate) fn datetime_text(text: &str) -> Option<DateTime<Utc>> {
    if text.is_empty() {
        return None;
    }
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Some(at.with_timezone(&Utc));
    }
    if let Ok(at) = DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f%z") {
        return Some(at.with_timezone(&Utc));
    }
    for format in [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
    ] {
        if let Ok(at) = NaiveDateTime::parse_from_str(text, format) {
            return Some(Utc.from_utc_datetime(&at));
        }
    }
    if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Some(date_at_noon(day));
    }
    text.parse::<i64>().ok().and_then(unix_time)
}

/// A calendar date as a point in time that reads as that day in every time zone from UTC−11 to
/// UTC+11.
pub(crate) fn date_at_noon(day: NaiveDate) -> DateTime<Utc> {
    Utc.from_utc_datetime(&day.and_time(NaiveTime::from_hms_opt(12, 0, 0).unwrap_or_default()))
}

/// Seconds, or milliseconds when the number is too large to be seconds of this era.
fn unix_time(number: i64) -> Option<DateTime<Utc>> {
    if number.abs() >= 100_000_000_000 {
        DateTime::from_timestamp_millis(number)
    } else {
        DateTime::from_timestamp(number, 0)
    }
}

/// The object's fields other than `consumed`, without nulls: a record's custom fields.
pub(crate) fn rest_of(object: &Map<String, Value>, consumed: &[&str]) -> Map<String, Value> {
    object
        .iter()
        .filter(|(key, value)| !value.is_null() && !consumed.contains(&key.as_str()))
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect()
}

/// The value at `path` in `document`: a JSON pointer (`/data/items/0`) when it starts with `/`,
/// else dot-separated keys and array indices (`data.items.0`); the empty path is the document.
pub(crate) fn at_path<'a>(document: &'a Value, path: &str) -> Option<&'a Value> {
    let path = path.trim();
    if path.is_empty() {
        return Some(document);
    }
    if path.starts_with('/') {
        return document.pointer(path);
    }
    path.split('.')
        .try_fold(document, |value, key| match value {
            Value::Object(map) => map.get(key),
            Value::Array(items) => key.parse::<usize>().ok().and_then(|i| items.get(i)),
            _ => None,
        })
}

/// The first key of a path, for leaving mapped fields out of a record's custom fields.
pub(crate) fn first_key(path: &str) -> Option<&str> {
    let path = path.trim();
    match path.strip_prefix('/') {
        Some(pointer) => pointer.split('/').next(),
        None => path.split('.').next(),
    }
    .filter(|k| !k.is_empty())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, s)
            .single()
            .expect("a valid time")
    }

    #[test]
    fn the_date_formats_of_each_crm_are_read_in_utc() {
        let cases = [
            ("2024-01-15T14:22:10Z", at(2024, 1, 15, 14, 22, 10)),
            (
                "2024-01-15T14:22:10.456Z",
                at(2024, 1, 15, 14, 22, 10) + chrono::Duration::milliseconds(456),
            ),
            ("2019-07-25T15:26:49+05:30", at(2019, 7, 25, 9, 56, 49)),
            ("2024-01-15T14:22:10.000+0000", at(2024, 1, 15, 14, 22, 10)),
            ("2024-09-27 14:25:27", at(2024, 9, 27, 14, 25, 27)),
            ("2024-03-31", at(2024, 3, 31, 12, 0, 0)),
        ];
        for (text, expected) in cases {
            assert_eq!(datetime(Some(&json!(text))), Some(expected), "{text}");
        }
        assert_eq!(
            datetime(Some(&json!(1_705_328_530_000_i64))),
            Some(at(2024, 1, 15, 14, 22, 10))
        );
        assert_eq!(
            datetime(Some(&json!(1_705_328_530))),
            Some(at(2024, 1, 15, 14, 22, 10))
        );
        assert_eq!(datetime(Some(&json!("next tuesday"))), None);
        assert_eq!(datetime(Some(&json!(""))), None);
        assert_eq!(datetime(Some(&Value::Null)), None);
    }

    #[test]
    fn money_is_read_exactly_from_numbers_and_strings() {
        assert_eq!(
            decimal(Some(&json!(1234.56))),
            Some(Decimal::new(123_456, 2))
        );
        assert_eq!(
            decimal(Some(&json!("50000.00"))),
            Some(Decimal::new(50_000, 0))
        );
        assert_eq!(decimal(Some(&json!(0.1))), Some(Decimal::new(1, 1)));
        assert_eq!(decimal(Some(&json!("1e3"))), Some(Decimal::new(1000, 0)));
        assert_eq!(decimal(Some(&json!(""))), None);
        assert_eq!(decimal(Some(&json!("abc"))), None);
        assert_eq!(decimal(Some(&json!(null))), None);
    }

    #[test]
    fn paths_are_json_pointers_or_dotted_keys() {
        let doc = json!({"data": {"items": [{"id": 7, "owner": {"email": "a@b.c"}}]}});
        assert_eq!(at_path(&doc, "/data/items/0/id"), Some(&json!(7)));
        assert_eq!(
            at_path(&doc, "data.items.0.owner.email"),
            Some(&json!("a@b.c"))
        );
        assert_eq!(at_path(&doc, ""), Some(&doc));
        assert_eq!(at_path(&doc, "data.missing"), None);
        assert_eq!(at_path(&doc, "data.items.x"), None);
        assert_eq!(first_key("owner.email"), Some("owner"));
        assert_eq!(first_key("/owner/email"), Some("owner"));
        assert_eq!(first_key("id"), Some("id"));
    }

    #[test]
    fn text_reads_strings_and_numbers_but_not_blanks() {
        assert_eq!(text(Some(&json!(" x "))), Some("x".into()));
        assert_eq!(text(Some(&json!(45))), Some("45".into()));
        assert_eq!(text(Some(&json!("  "))), None);
        assert_eq!(text(Some(&json!({"a": 1}))), None);
        assert_eq!(boolean(Some(&json!("true"))), Some(true));
        assert_eq!(boolean(Some(&json!(false))), Some(false));
    }
}
