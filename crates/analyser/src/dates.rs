//! Dates said in a sentence — "amanhã", "quinta-feira", "dia 12", "12/03", "12 de março", "next
//! Tuesday", "the 14th", "March 14" — resolved against the day the sentence was said.
//!
//! A next step is only useful with its date, and people say dates relative to today. Relative words
//! resolve forward (a weekday is the next one after today, "dia 5" said on the 20th is next month),
//! the way a person booking a meeting means them. A month alone ("em junho") counts as a date mention
//! but gets no day.

use chrono::{Datelike, Duration, NaiveDate};

use crate::lexicon::DateWords;
use crate::text::words;

/// A date expression in folded text: its byte span there and, when it names a day, the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DateMention {
    pub start: usize,
    pub end: usize,
    pub date: Option<NaiveDate>,
    /// Said as "hoje" / "today".
    pub today: bool,
}

fn is_one_of(list: &[String], word: &str) -> bool {
    list.iter().any(|w| w == word)
}

/// Index of `word` in lists of synonyms (weekdays, months).
fn index_in(lists: &[Vec<String>], word: &str) -> Option<usize> {
    lists.iter().position(|names| is_one_of(names, word))
}

/// Day of the month from "12", "12th", "1st".
fn day_number(word: &str) -> Option<u32> {
    let digits: &str = word.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let suffix = &word[digits.len()..];
    if digits.is_empty() || digits.len() > 2 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if !matches!(suffix, "" | "st" | "nd" | "rd" | "th" | "o" | "a") {
        return None;
    }
    digits.parse().ok().filter(|d| (1..=31).contains(d))
}

/// The next `weekday` (0 = Monday) strictly after `today`.
fn next_weekday(today: NaiveDate, weekday: usize) -> NaiveDate {
    let current = today.weekday().num_days_from_monday() as i64;
    let mut ahead = (weekday as i64 - current).rem_euclid(7);
    if ahead == 0 {
        ahead = 7;
    }
    today + Duration::days(ahead)
}

/// The day `day` of this month if it is still ahead (or today), else of next month.
fn next_day_of_month(today: NaiveDate, day: u32) -> Option<NaiveDate> {
    if day >= today.day()
        && let Some(d) = NaiveDate::from_ymd_opt(today.year(), today.month(), day)
    {
        return Some(d);
    }
    let (year, month) = if today.month() == 12 {
        (today.year() + 1, 1)
    } else {
        (today.year(), today.month() + 1)
    };
    NaiveDate::from_ymd_opt(year, month, day)
}

/// `day`/`month` in the year that makes it not long past: a date more than a month behind `today`
/// is taken as next year's.
fn day_and_month(today: NaiveDate, day: u32, month: u32, year: Option<i32>) -> Option<NaiveDate> {
    if let Some(y) = year {
        return NaiveDate::from_ymd_opt(y, month, day);
    }
    let this_year = NaiveDate::from_ymd_opt(today.year(), month, day)?;
    if this_year + Duration::days(31) < today {
        NaiveDate::from_ymd_opt(today.year() + 1, month, day)
    } else {
        Some(this_year)
    }
}

/// Every date expression in `folded` (accent- and case-folded text), in order. Both languages'
/// words are looked for, since Brazilian teams write "call na monday" too; `numeric_order` comes
/// from the conversation's language.
pub(crate) fn find_dates(
    folded: &str,
    vocabularies: [&DateWords; 2],
    numeric_day_first: bool,
    today: Option<NaiveDate>,
) -> Vec<DateMention> {
    let could_be_date = |w: &str| {
        w.as_bytes().first().is_some_and(u8::is_ascii_digit)
            || vocabularies.iter().any(|v| v.triggers.contains(w))
    };
    if !words(folded).any(|(_, w)| could_be_date(w)) {
        return Vec::new();
    }
    let ws: Vec<(usize, &str)> = words(folded).collect();
    let end_of = |i: usize| ws[i].0 + ws[i].1.len();
    let separator =
        |i: usize| -> &str { ws.get(i + 1).map_or("", |next| &folded[end_of(i)..next.0]) };
    let mut found = Vec::new();
    let mut i = 0;
    'words: while i < ws.len() {
        let word = ws[i].1;
        let starts_with_digit = word.as_bytes().first().is_some_and(u8::is_ascii_digit);
        for v in vocabularies {
            if !starts_with_digit && !v.triggers.contains(word) {
                continue;
            }
            // Phrases of several words first ("depois de amanhã", "day after tomorrow").
            for parts in &v.after_tomorrow_words {
                if ws.len() >= i + parts.len()
                    && parts.iter().enumerate().all(|(k, p)| ws[i + k].1 == *p)
                {
                    let last = i + parts.len() - 1;
                    found.push(DateMention {
                        start: ws[i].0,
                        end: end_of(last),
                        date: today.map(|t| t + Duration::days(2)),
                        today: false,
                    });
                    i = last + 1;
                    continue 'words;
                }
            }
            if is_one_of(&v.tomorrow, word) {
                found.push(DateMention {
                    start: ws[i].0,
                    end: end_of(i),
                    date: today.map(|t| t + Duration::days(1)),
                    today: false,
                });
                i += 1;
                continue 'words;
            }
            if is_one_of(&v.today, word) {
                found.push(DateMention {
                    start: ws[i].0,
                    end: end_of(i),
                    date: today,
                    today: true,
                });
                i += 1;
                continue 'words;
            }
            if let Some(weekday) = index_in(&v.weekdays, word) {
                let before = i.checked_sub(1).map(|p| ws[p].1);
                let after = ws.get(i + 1).map(|w| w.1);
                let suffix = after.is_some_and(|a| a == "feira")
                    && (separator(i).trim().is_empty() || separator(i) == "-");
                let context = v.weekday_context.is_empty()
                    || suffix
                    || before.is_some_and(|b| is_one_of(&v.weekday_context, b))
                    || after.is_some_and(|a| is_one_of(&v.weekday_context, a));
                if context {
                    let last = if suffix { i + 1 } else { i };
                    found.push(DateMention {
                        start: ws[i].0,
                        end: end_of(last),
                        date: today.map(|t| next_weekday(t, weekday)),
                        today: false,
                    });
                    i = last + 1;
                    continue 'words;
                }
            }
            // "dia 12", "dia 12 de março"
            if is_one_of(&v.day_words, word)
                && let Some(day) = ws.get(i + 1).and_then(|w| day_number(w.1))
                && (!v.day_word_needs_ordinal
                    || ws
                        .get(i + 1)
                        .is_some_and(|w| !w.1.bytes().all(|b| b.is_ascii_digit())))
            {
                let month = (ws.get(i + 2).map(|w| w.1) == Some("de"))
                    .then(|| ws.get(i + 3).and_then(|w| index_in(&v.months, w.1)))
                    .flatten();
                let (date, last) = match month {
                    Some(m) => (
                        today.and_then(|t| day_and_month(t, day, m as u32 + 1, None)),
                        i + 3,
                    ),
                    None => (today.and_then(|t| next_day_of_month(t, day)), i + 1),
                };
                found.push(DateMention {
                    start: ws[i].0,
                    end: end_of(last),
                    date,
                    today: false,
                });
                i = last + 1;
                continue 'words;
            }
            // "12 de março", "12 march", "12th of march"
            if let Some(day) = day_number(word) {
                let (gap, next) = match ws.get(i + 1).map(|w| w.1) {
                    Some("de") | Some("of") => (2, ws.get(i + 2)),
                    _ => (1, ws.get(i + 1)),
                };
                if let Some(month) = next.and_then(|w| index_in(&v.months, w.1)) {
                    let last = i + gap;
                    found.push(DateMention {
                        start: ws[i].0,
                        end: end_of(last),
                        date: today.and_then(|t| day_and_month(t, day, month as u32 + 1, None)),
                        today: false,
                    });
                    i = last + 1;
                    continue 'words;
                }
            }
            // "march 12", "march 12th", or a month alone ("em junho": a mention without a day)
            if let Some(month) = index_in(&v.months, word) {
                if let Some(day) = ws.get(i + 1).and_then(|w| day_number(w.1)) {
                    found.push(DateMention {
                        start: ws[i].0,
                        end: end_of(i + 1),
                        date: today.and_then(|t| day_and_month(t, day, month as u32 + 1, None)),
                        today: false,
                    });
                    i += 2;
                } else {
                    found.push(DateMention {
                        start: ws[i].0,
                        end: end_of(i),
                        date: None,
                        today: false,
                    });
                    i += 1;
                }
                continue 'words;
            }
        }
        // "12/03", "12/03/2024"
        if let Some(a) = day_number(word).filter(|_| word.bytes().all(|b| b.is_ascii_digit()))
            && separator(i) == "/"
            && let Some(b) = ws.get(i + 1).and_then(|w| w.1.parse::<u32>().ok())
        {
            let (day, month) = if numeric_day_first { (a, b) } else { (b, a) };
            let mut last = i + 1;
            let mut year = None;
            if separator(i + 1) == "/"
                && let Some(y) = ws.get(i + 2).and_then(|w| w.1.parse::<i32>().ok())
            {
                year = Some(if y < 100 { 2000 + y } else { y });
                last = i + 2;
            }
            if (1..=12).contains(&month) && (1..=31).contains(&day) {
                found.push(DateMention {
                    start: ws[i].0,
                    end: end_of(last),
                    date: match year {
                        Some(y) => NaiveDate::from_ymd_opt(y, month, day),
                        None => today.and_then(|t| day_and_month(t, day, month, None)),
                    },
                    today: false,
                });
                i = last + 1;
                continue;
            }
        }
        i += 1;
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexicon::Lexicon;
    use crate::model::Language;
    use crate::text::fold;

    fn resolve(sentence: &str, today: &str, language: Language) -> Vec<(String, Option<String>)> {
        let lexicon = Lexicon::embedded().expect("lexicon");
        let today = NaiveDate::parse_from_str(today, "%Y-%m-%d").ok();
        let folded = fold(sentence);
        let vocabularies = [
            lexicon.dates(language),
            lexicon.dates(if language == Language::Pt {
                Language::En
            } else {
                Language::Pt
            }),
        ];
        find_dates(&folded, vocabularies, language == Language::Pt, today)
            .into_iter()
            .map(|m| {
                (
                    folded[m.start..m.end].to_owned(),
                    m.date.map(|d| d.to_string()),
                )
            })
            .collect()
    }

    // 2024-03-12 is a Tuesday.
    #[test]
    fn portuguese_relative_days_resolve_against_the_conversation_date() {
        assert_eq!(
            resolve("Podemos falar amanhã?", "2024-03-12", Language::Pt),
            [("amanha".into(), Some("2024-03-13".into()))]
        );
        assert_eq!(
            resolve("Fechado, quinta-feira às 10h", "2024-03-12", Language::Pt),
            [("quinta-feira".into(), Some("2024-03-14".into()))]
        );
        assert_eq!(
            resolve("pode ser na terça?", "2024-03-12", Language::Pt),
            [("terca".into(), Some("2024-03-19".into()))]
        );
        assert_eq!(
            resolve("depois de amanhã", "2024-03-12", Language::Pt),
            [("depois de amanha".into(), Some("2024-03-14".into()))]
        );
    }

    #[test]
    fn days_of_the_month_roll_forward_to_the_next_month_when_past() {
        assert_eq!(
            resolve("no dia 20", "2024-03-12", Language::Pt),
            [("dia 20".into(), Some("2024-03-20".into()))]
        );
        assert_eq!(
            resolve("no dia 5", "2024-03-12", Language::Pt),
            [("dia 5".into(), Some("2024-04-05".into()))]
        );
        assert_eq!(
            resolve("em 15/04", "2024-03-12", Language::Pt),
            [("15/04".into(), Some("2024-04-15".into()))]
        );
        assert_eq!(
            resolve("até 2 de abril", "2024-03-12", Language::Pt),
            [("2 de abril".into(), Some("2024-04-02".into()))]
        );
    }

    #[test]
    fn ordinal_words_are_not_taken_for_weekdays() {
        assert!(resolve("a segunda opção é melhor", "2024-03-12", Language::Pt).is_empty());
        assert!(resolve("a quarta parte do time", "2024-03-12", Language::Pt).is_empty());
    }

    #[test]
    fn english_dates_resolve_too() {
        assert_eq!(
            resolve("Let's meet Thursday", "2024-03-12", Language::En),
            [("thursday".into(), Some("2024-03-14".into()))]
        );
        assert_eq!(
            resolve("on the 20th", "2024-03-12", Language::En),
            [("the 20th".into(), Some("2024-03-20".into()))]
        );
        assert_eq!(
            resolve("by March 28", "2024-03-12", Language::En),
            [("march 28".into(), Some("2024-03-28".into()))]
        );
        assert_eq!(
            resolve("on 4/2", "2024-03-12", Language::En),
            [("4/2".into(), Some("2024-04-02".into()))]
        );
    }

    #[test]
    fn without_a_conversation_date_mentions_are_found_but_not_resolved() {
        assert_eq!(
            resolve("amanhã", "", Language::Pt),
            [("amanha".into(), None)]
        );
        assert_eq!(
            resolve("em junho", "2024-03-12", Language::Pt),
            [("junho".into(), None)]
        );
    }
}
