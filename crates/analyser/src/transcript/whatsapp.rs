//! WhatsApp chat exports ("Exportar conversa") as the phone apps write them.
//!
//! Android in Brazil writes `12/03/2024 14:05 - Ana Souza: texto`, iOS `[12/03/2024, 14:05:33] Ana
//! Souza: texto`, and phones set to English `3/12/24, 2:05 PM - Ana: text` (month first, with AM/PM).
//! A message may run over several lines; only a line starting with a date begins a new one. System
//! lines (encryption notice, "criou o grupo") have no `Name:` and are skipped, and so are media
//! placeholders and deleted messages, which say nothing about the sale.

use std::sync::LazyLock;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use regex::Regex;

use super::{ParsedTranscript, Segment, Utterance, When, lines, prefix_captures, trimmed_range};
use crate::model::TranscriptFormat;

static MESSAGE_START: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^[\u{200e}\u{200f}\u{feff}]?\[?(\d{1,2})/(\d{1,2})/(\d{2,4}),?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*([AaPp])\.?\s?[Mm]\.?)?\]?\s*(?:-\s)?",
    )
    .expect("static pattern")
});

/// What the apps write instead of a photo, audio, sticker, or a deleted message (pt-BR and en).
const PLACEHOLDERS: &[&str] = &[
    "<mídia oculta>",
    "<media omitted>",
    "<arquivo de mídia oculto>",
    "mídia oculta",
    "imagem ocultada",
    "imagem omitida",
    "image omitted",
    "vídeo omitido",
    "video omitted",
    "áudio ocultado",
    "áudio omitido",
    "audio omitted",
    "figurinha omitida",
    "sticker omitted",
    "gif omitido",
    "gif omitted",
    "documento omitido",
    "document omitted",
    "contato omitido",
    "contact card omitted",
    "mensagem apagada",
    "esta mensagem foi apagada",
    "você apagou esta mensagem",
    "this message was deleted",
    "you deleted this message",
    "null",
];

/// Markers the apps append to an edited message; they are not part of what was written.
const EDIT_MARKERS: &[&str] = &[
    "<Mensagem editada>",
    "<Esta mensagem foi editada>",
    "<This message was edited>",
];

struct Header {
    at: Option<NaiveDateTime>,
    /// Byte offset where the text after the date (name and message) starts.
    rest_start: usize,
}

fn read_header(line_start: usize, line: &str) -> Option<Header> {
    let c = prefix_captures(&MESSAGE_START, line)?;
    let number = |i: usize| c.get(i).and_then(|m| m.as_str().parse::<u32>().ok());
    let (a, b, year) = (number(1)?, number(2)?, number(3)?);
    let meridiem = c.get(7).map(|m| m.as_str().to_ascii_lowercase());
    // Brazilian phones write day first; AM/PM means an English-language phone, month first, unless
    // the first number cannot be a month.
    let (day, month) = if meridiem.is_some() && a <= 12 {
        (b, a)
    } else {
        (a, b)
    };
    let year = if year < 100 {
        2000 + year as i32
    } else {
        year as i32
    };
    let mut hour = number(4)?;
    match meridiem.as_deref() {
        Some("p") if hour < 12 => hour += 12,
        Some("a") if hour == 12 => hour = 0,
        _ => {}
    }
    let at = NaiveDate::from_ymd_opt(year, month, day)
        .zip(NaiveTime::from_hms_opt(
            hour,
            number(5)?,
            number(6).unwrap_or(0),
        ))
        .map(|(d, t)| d.and_time(t));
    Some(Header {
        at,
        rest_start: line_start + c.get(0)?.end(),
    })
}

pub(super) fn parse(text: &str) -> Option<ParsedTranscript> {
    let all: Vec<(usize, &str)> = lines(text).filter(|(_, l)| !l.trim().is_empty()).collect();
    let headers: Vec<Option<Header>> = all.iter().map(|&(s, l)| read_header(s, l)).collect();
    let count = headers.iter().flatten().count();
    let starts_with_header = headers.iter().take(3).any(Option::is_some);
    if count < 2 || !starts_with_header || count * 10 < all.len() * 3 {
        return None;
    }

    let mut utterances: Vec<Utterance> = Vec::new();
    // Whether continuation lines belong to the last message pushed (false after a skipped message).
    let mut open = false;
    for (&(line_start, line), header) in all.iter().zip(headers) {
        let line_end = line_start + line.len();
        match header {
            Some(h) => {
                open = false;
                let rest = &text[h.rest_start..line_end];
                // "Name: message"; a line without a name near its start is a system notice.
                let Some(colon) = rest
                    .find(": ")
                    .or_else(|| rest.strip_suffix(':').map(str::len))
                else {
                    continue;
                };
                let name = rest[..colon].trim();
                if name.is_empty() || name.chars().count() > 60 {
                    continue;
                }
                let body_start = h.rest_start + colon + 1;
                let when = h.at.map(When::At);
                let segment =
                    message_range(text, body_start, line_end).map(|range| Segment { range, when });
                utterances.push(Utterance {
                    speaker: Some(name.to_owned()),
                    segments: segment.into_iter().collect(),
                });
                open = true;
            }
            None if open => {
                if let (Some(last), Some(range)) = (
                    utterances.last_mut(),
                    message_range(text, line_start, line_end),
                ) {
                    let when = last.segments.first().and_then(|s| s.when);
                    last.segments.push(Segment { range, when });
                }
            }
            None => {}
        }
    }
    utterances.retain(|u| !u.segments.is_empty());
    Some(ParsedTranscript {
        format: TranscriptFormat::Whatsapp,
        utterances,
        duration_seconds: None,
    })
}

/// The message text of one line without placeholders, attachment notes and edit markers.
fn message_range(text: &str, start: usize, end: usize) -> Option<std::ops::Range<usize>> {
    let mut range = trimmed_range(text, start..end)?;
    for marker in EDIT_MARKERS {
        if text[range.clone()].ends_with(marker) {
            range = trimmed_range(text, range.start..range.end - marker.len())?;
        }
    }
    let body = text[range.clone()].to_lowercase();
    if PLACEHOLDERS.contains(&body.as_str())
        || body.ends_with("(arquivo anexado)")
        || body.ends_with("(file attached)")
        || body.starts_with("<anexado:")
        || body.starts_with("<attached:")
    {
        return None;
    }
    Some(range)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(text: &str) -> Vec<(String, String, Option<String>)> {
        let parsed = parse(text).expect("whatsapp");
        parsed
            .utterances
            .iter()
            .map(|u| {
                (
                    u.speaker.clone().unwrap_or_default(),
                    u.segments
                        .iter()
                        .map(|s| &text[s.range.clone()])
                        .collect::<Vec<_>>()
                        .join("\n"),
                    u.segments.first().and_then(|s| s.when).map(When::display),
                )
            })
            .collect()
    }

    #[test]
    fn android_brazilian_export_with_multiline_messages_and_media_is_read() {
        let text = "12/03/2024 14:05 - As mensagens e as chamadas são protegidas com a criptografia de ponta a ponta.\n\
12/03/2024 14:05 - Ana Souza: Oi Carlos, tudo bem?\n\
12/03/2024 14:07 - Carlos Lima: Tudo! Sobre a proposta:\n\
o valor ficou alto\n\
\n\
vou falar com o diretor\n\
12/03/2024 14:08 - Carlos Lima: <Mídia oculta>\n\
12/03/2024 14:09 - Ana Souza: Entendo 👍\n";
        let m = messages(text);
        assert_eq!(m.len(), 3);
        assert_eq!(m[1].0, "Carlos Lima");
        assert_eq!(
            m[1].1,
            "Tudo! Sobre a proposta:\no valor ficou alto\nvou falar com o diretor"
        );
        assert_eq!(m[1].2.as_deref(), Some("2024-03-12T14:07"));
        assert_eq!(m[2].1, "Entendo 👍");
    }

    #[test]
    fn ios_export_with_seconds_and_brackets_is_read() {
        let text = "[12/03/2024, 14:05:33] Ana: Bom dia!\n[12/03/2024, 14:06:10] Carlos: ‎imagem ocultada\n[13/03/2024, 09:00:00] Carlos: Pode ser amanhã?\n";
        let m = messages(text);
        assert_eq!(m.len(), 2);
        assert_eq!(m[1].2.as_deref(), Some("2024-03-13T09:00"));
    }

    #[test]
    fn english_phone_export_reads_month_first_and_pm() {
        let text = "3/12/24, 2:05 PM - Ana: Hi!\n3/12/24, 2:06 PM - Mark: This message was deleted\n3/12/24, 2:07 PM - Mark: Hello\n";
        let m = messages(text);
        assert_eq!(m.len(), 2);
        assert_eq!(m[1].2.as_deref(), Some("2024-03-12T14:07"));
    }

    #[test]
    fn an_edited_message_is_quoted_without_its_edit_marker() {
        let text = "12/03/2024 14:05 - Ana: Oi <Mensagem editada>\n12/03/2024 14:06 - Bia: Oi\n";
        assert_eq!(messages(text)[0].1, "Oi");
    }

    #[test]
    fn prose_with_one_date_is_not_a_chat() {
        assert!(
            parse("12/03/2024 reunião com o cliente\nfalamos de preço\nproposta enviada").is_none()
        );
    }
}
