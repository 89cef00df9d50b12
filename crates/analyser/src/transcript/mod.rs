//! Reading a transcript in whatever shape it arrived: speaker-labelled text, WebVTT and SRT captions,
//! WhatsApp chat exports, e-mail threads, or anything else as plain text.
//!
//! Every parser answers with byte ranges into the original text rather than cleaned-up copies, so
//! that every quote the analyser shows is an exact substring of what the customer uploaded and can be
//! highlighted in place. A format is recognised by its own marks (a `WEBVTT` header, `-->` timings,
//! WhatsApp's date-dash-name lines, mail headers, `Name:` labels); text that shows none of them is read
//! as plain sentences. No input is an error: a broken upload still gets a (thinner) analysis.

mod captions;
mod email;
mod labelled;
mod whatsapp;

use std::ops::Range;

use chrono::NaiveDateTime;

use crate::model::TranscriptFormat;

/// When a piece of text was said: an offset into a call, or a wall-clock time for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum When {
    Offset(u32),
    At(NaiveDateTime),
}

impl When {
    /// `hh:mm:ss` for offsets, `yyyy-mm-ddThh:mm` for wall-clock times.
    pub(crate) fn display(self) -> String {
        match self {
            When::Offset(seconds) => {
                format!(
                    "{:02}:{:02}:{:02}",
                    seconds / 3600,
                    (seconds / 60) % 60,
                    seconds % 60
                )
            }
            When::At(at) => at.format("%Y-%m-%dT%H:%M").to_string(),
        }
    }
}

/// A contiguous run of spoken or written text; sentences never cross a segment boundary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Segment {
    pub range: Range<usize>,
    pub when: Option<When>,
}

/// One turn: a labelled line and its continuation, a caption cue run, a WhatsApp message, an e-mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Utterance {
    pub speaker: Option<String>,
    pub segments: Vec<Segment>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ParsedTranscript {
    pub format: TranscriptFormat,
    pub utterances: Vec<Utterance>,
    pub duration_seconds: Option<u32>,
}

/// Reads `text` in the first format whose marks it shows, falling back to plain text.
pub(crate) fn parse(text: &str) -> ParsedTranscript {
    let parsed = if let Some(p) = captions::parse_webvtt(text) {
        p
    } else if let Some(p) = captions::parse_srt(text) {
        p
    } else if let Some(p) = whatsapp::parse(text) {
        p
    } else if let Some(p) = email::parse(text) {
        p
    } else if let Some(p) = labelled::parse(text) {
        p
    } else {
        parse_plain(text)
    };
    // A format recognised by its marks but with no readable words in it (captions of silence, a
    // header-only e-mail) still gets its words read as plain text, so nothing said is lost.
    if parsed.utterances.is_empty() && text.chars().any(char::is_alphanumeric) {
        let plain = parse_plain(text);
        return ParsedTranscript {
            format: parsed.format,
            ..plain
        };
    }
    parsed
}

fn parse_plain(text: &str) -> ParsedTranscript {
    let segments: Vec<Segment> = lines(text)
        .filter_map(|(start, line)| trimmed(text, start, line))
        .collect();
    let utterances = if segments.is_empty() {
        Vec::new()
    } else {
        vec![Utterance {
            speaker: None,
            segments,
        }]
    };
    ParsedTranscript {
        format: TranscriptFormat::PlainText,
        utterances,
        duration_seconds: None,
    }
}

/// Lines with the byte offset where each starts; the line excludes `\n` and a trailing `\r`.
pub(crate) fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut offset = 0;
    text.split('\n').map(move |raw| {
        let start = offset;
        offset += raw.len() + 1;
        (start, raw.strip_suffix('\r').unwrap_or(raw))
    })
}

/// The segment covering `part` (a slice of `text` starting at byte `start`) without surrounding
/// white space, or `None` when nothing readable is left.
pub(crate) fn trimmed(text: &str, start: usize, part: &str) -> Option<Segment> {
    trimmed_range(text, start..start + part.len()).map(|range| Segment { range, when: None })
}

/// `range` without leading and trailing white space (and invisible direction marks), if any
/// alphanumeric character remains.
pub(crate) fn trimmed_range(text: &str, range: Range<usize>) -> Option<Range<usize>> {
    let part = text.get(range.clone())?;
    let is_blank = |c: char| c.is_whitespace() || matches!(c, '\u{200e}' | '\u{200f}' | '\u{feff}');
    let left = part.trim_start_matches(is_blank);
    let start = range.start + (part.len() - left.len());
    let both = left.trim_end_matches(is_blank);
    if !both.chars().any(char::is_alphanumeric) {
        return None;
    }
    Some(start..start + both.len())
}

/// Captures of a `^`-anchored pattern, found with the fast matcher first and captured only over the
/// matched prefix: capturing over a whole long line costs far more than the match itself.
pub(crate) fn prefix_captures<'h>(
    pattern: &regex::Regex,
    line: &'h str,
) -> Option<regex::Captures<'h>> {
    let found = pattern.find(line)?;
    pattern.captures(&line[..found.end()])
}

/// `hh:mm:ss`, `mm:ss` or `h:mm:ss.fff` (fraction ignored) in seconds.
pub(crate) fn parse_clock(s: &str) -> Option<u32> {
    let main = s.split(['.', ',']).next()?;
    let parts: Vec<&str> = main.split(':').collect();
    let number = |p: &str| -> Option<u32> {
        if p.is_empty() || p.len() > 3 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        p.parse().ok()
    };
    match parts.as_slice() {
        [m, s] => Some(number(m)? * 60 + number(s)?),
        [h, m, s] => Some(number(h)? * 3600 + number(m)? * 60 + number(s)?),
        _ => None,
    }
}

/// Whether `label` reads like a speaker's name or role rather than the start of a sentence:
/// short, starting with a letter, without sentence punctuation.
pub(crate) fn looks_like_speaker(label: &str) -> bool {
    let label = label.trim();
    if label.is_empty() || label.chars().count() > 48 {
        return false;
    }
    let Some(first) = label.chars().next() else {
        return false;
    };
    if !(first.is_alphabetic() || first == '+' || first == '~' || first == '@') {
        return false;
    }
    if label.contains(['?', '!', ';', '"', '“', '”', '=', '/', '\\', '{', '}']) {
        return false;
    }
    let lower = label.to_lowercase();
    if lower.starts_with("http") || lower.starts_with("www") {
        return false;
    }
    label.split_whitespace().count() <= 5
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_without_any_format_marks_is_read_as_plain_lines() {
        let text = "Conversamos sobre o projeto.\n\nO cliente pediu proposta.";
        let parsed = parse(text);
        assert_eq!(parsed.format, TranscriptFormat::PlainText);
        assert_eq!(parsed.utterances.len(), 1);
        let quotes: Vec<&str> = parsed.utterances[0]
            .segments
            .iter()
            .map(|s| &text[s.range.clone()])
            .collect();
        assert_eq!(
            quotes,
            ["Conversamos sobre o projeto.", "O cliente pediu proposta."]
        );
    }

    #[test]
    fn empty_or_blank_text_yields_no_utterances() {
        assert!(parse("").utterances.is_empty());
        assert!(parse(" \n\r\n\t").utterances.is_empty());
    }

    #[test]
    fn clock_times_read_minutes_and_hours() {
        assert_eq!(parse_clock("01:23"), Some(83));
        assert_eq!(parse_clock("1:02:03"), Some(3723));
        assert_eq!(parse_clock("00:00:05.500"), Some(5));
        assert_eq!(parse_clock("00:00:05,500"), Some(5));
        assert_eq!(parse_clock("ab:cd"), None);
    }

    #[test]
    fn offsets_display_as_hours_minutes_seconds() {
        assert_eq!(When::Offset(3723).display(), "01:02:03");
    }

    #[test]
    fn sentences_are_not_taken_for_speaker_labels() {
        assert!(looks_like_speaker("Ana Souza"));
        assert!(looks_like_speaker("Vendedor"));
        assert!(!looks_like_speaker(
            "Você sabia que o preço subiu e a gente ainda não falou disso"
        ));
        assert!(!looks_like_speaker("https"));
        assert!(!looks_like_speaker("12"));
    }
}
