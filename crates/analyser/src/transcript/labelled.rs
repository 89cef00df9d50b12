//! Speaker-labelled transcripts, the shape dialers, note-takers and people typing by hand produce:
//! `[00:01:23] Name: text`, `00:01:23 Name: text`, `Name (00:01:23): text`, `Name: text`, and the
//! note-taker layout where a `Name  00:05` line stands above the text it introduces.
//!
//! A colon alone proves little ("Observação: ligar amanhã"), so the text counts as labelled only when
//! several lines carry a label that looks like a name and the same labels come back.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

use super::{
    ParsedTranscript, Segment, Utterance, When, lines, looks_like_speaker, parse_clock,
    prefix_captures, trimmed_range,
};
use crate::model::TranscriptFormat;

/// `[00:01:23] Name: text` and variants with parentheses, no brackets, or a dash after the time.
static TIME_FIRST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*[\[(]?(\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?)[\])]?\s*[-–]?\s*([^:\n]{1,60}?)\s*:(?:\s|$)")
        .expect("static pattern")
});
/// `Name [00:01:23]: text` / `Name (00:01:23): text`.
static TIME_AFTER_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*([^:\[\]()\n]{1,60}?)\s*[\[(](\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?)[\])]\s*:(?:\s|$)")
        .expect("static pattern")
});
/// `Name: text`.
static NAME_ONLY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*([^:\n]{1,60}?)\s*:(?:\s|$)").expect("static pattern"));
/// `Name  00:05` or `Name (00:05)` alone on a line, introducing the lines below it.
static HEADER_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*([^\d\s:][^:\n]{0,50}?)\s+[\[(]?(\d{1,2}:\d{2}(?::\d{2})?)[\])]?\s*$")
        .expect("static pattern")
});

struct LabelledLine<'t> {
    speaker: &'t str,
    when: Option<u32>,
    /// Byte offset where the spoken text starts (after the label).
    text_start: usize,
    /// The label introduces the following lines rather than text on its own line.
    header: bool,
}

fn read_line(line_start: usize, line: &str) -> Option<LabelledLine<'_>> {
    if let Some(c) = prefix_captures(&TIME_FIRST, line) {
        let (time, name, whole) = (c.get(1)?, c.get(2)?, c.get(0)?);
        if looks_like_speaker(name.as_str()) {
            return Some(LabelledLine {
                speaker: name.as_str().trim(),
                when: parse_clock(time.as_str()),
                text_start: line_start + whole.end(),
                header: false,
            });
        }
    }
    if let Some(c) = prefix_captures(&TIME_AFTER_NAME, line) {
        let (name, time, whole) = (c.get(1)?, c.get(2)?, c.get(0)?);
        if looks_like_speaker(name.as_str()) {
            return Some(LabelledLine {
                speaker: name.as_str().trim(),
                when: parse_clock(time.as_str()),
                text_start: line_start + whole.end(),
                header: false,
            });
        }
    }
    if let Some(c) = prefix_captures(&HEADER_LINE, line) {
        let (name, time) = (c.get(1)?, c.get(2)?);
        if looks_like_speaker(name.as_str()) && name.as_str().split_whitespace().count() <= 4 {
            return Some(LabelledLine {
                speaker: name.as_str().trim(),
                when: parse_clock(time.as_str()),
                text_start: line_start + line.len(),
                header: true,
            });
        }
    }
    if let Some(c) = prefix_captures(&NAME_ONLY, line) {
        let (name, whole) = (c.get(1)?, c.get(0)?);
        if looks_like_speaker(name.as_str()) {
            return Some(LabelledLine {
                speaker: name.as_str().trim(),
                when: None,
                text_start: line_start + whole.end(),
                header: false,
            });
        }
    }
    None
}

pub(super) fn parse(text: &str) -> Option<ParsedTranscript> {
    let all: Vec<(usize, &str)> = lines(text).filter(|(_, l)| !l.trim().is_empty()).collect();
    let read: Vec<Option<LabelledLine>> = all
        .iter()
        .map(|&(start, line)| read_line(start, line))
        .collect();

    // A label that comes back, or carries a timestamp, is a speaker; a one-off "Obs:" line is text,
    // unless nearly every line is labelled (a short exchange where each side speaks once).
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for l in read.iter().flatten() {
        *counts.entry(l.speaker).or_default() += 1;
    }
    let strong =
        |l: &LabelledLine| l.when.is_some() || counts.get(l.speaker).copied().unwrap_or(0) >= 2;
    let strong_lines = read.iter().flatten().filter(|l| strong(l)).count();
    let all_lines = read.iter().flatten().count();
    let headers = read
        .iter()
        .flatten()
        .filter(|l| strong(l) && l.header)
        .count();
    // Header layouts have one text line (or more) per label, so their share of lines is lower.
    let needed = if headers * 2 > strong_lines {
        all.len() / 4
    } else {
        all.len() * 2 / 5
    };
    let mostly_labelled = all_lines >= 2 && all_lines * 5 >= all.len() * 3 && counts.len() <= 6;
    if !mostly_labelled && strong_lines < needed.max(2) {
        return None;
    }
    let is_speaker = |l: &LabelledLine| mostly_labelled || strong(l);

    let mut utterances: Vec<Utterance> = Vec::new();
    let mut duration = None;
    for ((line_start, line), label) in all.iter().zip(read) {
        let line_end = line_start + line.len();
        match label.filter(|l| is_speaker(l)) {
            Some(l) => {
                let when = l.when.map(When::Offset);
                if let Some(seconds) = l.when {
                    duration = Some(seconds);
                }
                // A header's own line holds no text: an empty segment carries its time to the
                // lines below it, and is dropped once they are read.
                let segments = if l.header {
                    vec![Segment {
                        range: l.text_start..l.text_start,
                        when,
                    }]
                } else {
                    trimmed_range(text, l.text_start..line_end)
                        .map(|range| Segment { range, when })
                        .into_iter()
                        .collect()
                };
                utterances.push(Utterance {
                    speaker: Some(l.speaker.to_owned()),
                    segments,
                });
            }
            None => {
                let Some(range) = trimmed_range(text, *line_start..line_end) else {
                    continue;
                };
                match utterances.last_mut() {
                    Some(last) => {
                        let when = last.segments.first().and_then(|s| s.when);
                        last.segments.push(Segment { range, when });
                    }
                    None => utterances.push(Utterance {
                        speaker: None,
                        segments: vec![Segment { range, when: None }],
                    }),
                }
            }
        }
    }
    for u in &mut utterances {
        u.segments.retain(|s| !s.range.is_empty());
    }
    utterances.retain(|u| !u.segments.is_empty());
    Some(ParsedTranscript {
        format: TranscriptFormat::Labelled,
        utterances,
        duration_seconds: duration,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn turns(text: &str) -> Vec<(Option<String>, Vec<String>, Option<String>)> {
        let parsed = parse(text).expect("labelled");
        parsed
            .utterances
            .iter()
            .map(|u| {
                (
                    u.speaker.clone(),
                    u.segments
                        .iter()
                        .map(|s| text[s.range.clone()].to_owned())
                        .collect(),
                    u.segments.first().and_then(|s| s.when).map(When::display),
                )
            })
            .collect()
    }

    #[test]
    fn bracketed_timestamps_give_speaker_time_and_text() {
        let text =
            "[00:00:05] Ana Souza: Bom dia, Carlos!\n[00:00:09] Carlos: Bom dia, tudo bem?\n";
        let t = turns(text);
        assert_eq!(t.len(), 2);
        assert_eq!(
            t[0],
            (
                Some("Ana Souza".into()),
                vec!["Bom dia, Carlos!".into()],
                Some("00:00:05".into())
            )
        );
        assert_eq!(t[1].0.as_deref(), Some("Carlos"));
    }

    #[test]
    fn labels_without_timestamps_and_continuation_lines_are_one_turn() {
        let text =
            "Vendedor: Oi, tudo bem?\nCliente: Tudo.\nEstamos ocupados hoje.\nVendedor: Entendo.";
        let t = turns(text);
        assert_eq!(t.len(), 3);
        assert_eq!(
            t[1].1,
            vec!["Tudo.".to_owned(), "Estamos ocupados hoje.".to_owned()]
        );
    }

    #[test]
    fn name_then_time_in_parentheses_is_read() {
        let text = "Rep (00:01): Hi there\nCustomer (00:04): Hello\nRep (00:09): How are you?";
        let t = turns(text);
        assert_eq!(
            t[2],
            (
                Some("Rep".into()),
                vec!["How are you?".into()],
                Some("00:00:09".into())
            )
        );
    }

    #[test]
    fn header_lines_introduce_the_text_below_them() {
        let text = "Ana Souza  00:05\nOi Carlos, obrigada pelo tempo.\n\nCarlos Lima  00:12\nImagina.\nVamos lá.\n";
        let t = turns(text);
        assert_eq!(t.len(), 2);
        assert_eq!(t[1].1, vec!["Imagina.".to_owned(), "Vamos lá.".to_owned()]);
        assert_eq!(t[1].2.as_deref(), Some("00:00:12"));
    }

    #[test]
    fn a_single_colon_line_does_not_make_prose_a_transcript() {
        let text = "Observação: ligar amanhã.\nO cliente gostou da demo e pediu proposta.\nFalar com o financeiro.";
        assert!(parse(text).is_none());
    }
}
