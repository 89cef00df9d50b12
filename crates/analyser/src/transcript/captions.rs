//! WebVTT and SRT captions as Zoom, Google Meet and Teams export them.
//!
//! Zoom writes the speaker as a `Name: ` prefix in the cue text, Google Meet and Teams as a voice tag
//! `<v Name>text</v>`; SRT files carry either a prefix or no speaker at all. Consecutive cues of one
//! speaker are one turn, because a sentence is often cut across two cues. Tags inside a cue are left
//! out by splitting the cue's text around them, so quotes stay exact substrings.

use std::sync::LazyLock;

use regex::Regex;

use super::{
    ParsedTranscript, Segment, Utterance, When, lines, looks_like_speaker, parse_clock,
    prefix_captures, trimmed_range,
};
use crate::model::TranscriptFormat;

static TIMING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*((?:\d{1,2}:)?\d{1,2}:\d{2}[.,]\d{1,3})\s*-->\s*((?:\d{1,2}:)?\d{1,2}:\d{2}[.,]\d{1,3})")
        .expect("static pattern")
});
static VOICE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"<v(?:\.[^\s>]+)*\s+([^>]+)>").expect("static pattern"));
static SPEAKER_PREFIX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:>>\s*|-\s*)?([^:\n<>]{1,60}?)\s*:\s").expect("static pattern")
});

pub(super) fn parse_webvtt(text: &str) -> Option<ParsedTranscript> {
    let first = text.trim_start_matches('\u{feff}').trim_start();
    if !first.starts_with("WEBVTT") {
        return None;
    }
    Some(parse_cues(text, TranscriptFormat::WebVtt))
}

pub(super) fn parse_srt(text: &str) -> Option<ParsedTranscript> {
    // An SRT file is numbered cues; two timing lines with a cue number above them is enough to tell.
    let all: Vec<&str> = lines(text).map(|(_, l)| l).collect();
    let numbered_timings = all
        .windows(2)
        .filter(|w| {
            w[0].trim().bytes().all(|b| b.is_ascii_digit())
                && !w[0].trim().is_empty()
                && TIMING.is_match(w[1])
        })
        .count();
    if numbered_timings < 1
        || (numbered_timings < 2 && all.iter().filter(|l| TIMING.is_match(l)).count() < 2)
    {
        return None;
    }
    Some(parse_cues(text, TranscriptFormat::Srt))
}

struct Cue {
    start: u32,
    end: u32,
    /// Payload lines: byte offset and text.
    payload: Vec<(usize, usize)>,
}

fn read_cues(text: &str) -> Vec<Cue> {
    let mut cues: Vec<Cue> = Vec::new();
    let mut in_cue = false;
    for (start, line) in lines(text) {
        if line.trim().is_empty() {
            in_cue = false;
            continue;
        }
        if let Some(c) = prefix_captures(&TIMING, line) {
            let start_s = c.get(1).and_then(|m| parse_clock(m.as_str())).unwrap_or(0);
            let end_s = c
                .get(2)
                .and_then(|m| parse_clock(m.as_str()))
                .unwrap_or(start_s);
            cues.push(Cue {
                start: start_s,
                end: end_s,
                payload: Vec::new(),
            });
            in_cue = true;
            continue;
        }
        if in_cue && let Some(cue) = cues.last_mut() {
            cue.payload.push((start, start + line.len()));
        }
    }
    cues
}

fn parse_cues(text: &str, format: TranscriptFormat) -> ParsedTranscript {
    let mut utterances: Vec<Utterance> = Vec::new();
    let mut duration = None;
    for cue in read_cues(text) {
        duration = Some(cue.end.max(cue.start));
        let when = Some(When::Offset(cue.start));
        // The speaker of a cue is named once, on its first line; lines below continue the same voice.
        let mut speaker: Option<String> = None;
        let mut segments = Vec::new();
        for (index, &(line_start, line_end)) in cue.payload.iter().enumerate() {
            let line = &text[line_start..line_end];
            let mut text_start = line_start;
            if let Some(c) = VOICE.captures(line) {
                if let Some(name) = c.get(1) {
                    speaker = Some(name.as_str().trim().to_owned());
                }
            } else if index == 0
                && let Some(c) = prefix_captures(&SPEAKER_PREFIX, line)
                && let (Some(name), Some(whole)) = (c.get(1), c.get(0))
                && looks_like_speaker(name.as_str())
            {
                speaker = Some(name.as_str().trim().to_owned());
                text_start = line_start + whole.end();
            }
            segments.extend(
                untagged_runs(text, text_start, line_end).map(|range| Segment { range, when }),
            );
        }
        if segments.is_empty() {
            continue;
        }
        match utterances.last_mut() {
            Some(last) if last.speaker == speaker => last.segments.extend(segments),
            _ => utterances.push(Utterance { speaker, segments }),
        }
    }
    ParsedTranscript {
        format,
        utterances,
        duration_seconds: duration,
    }
}

/// The parts of `text[start..end]` outside `<...>` tags, trimmed.
fn untagged_runs(
    text: &str,
    start: usize,
    end: usize,
) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
    let line = &text[start..end];
    let mut runs = Vec::new();
    let mut run_start = 0;
    let mut depth_start: Option<usize> = None;
    for (i, c) in line.char_indices() {
        match c {
            '<' if depth_start.is_none() => {
                runs.push(run_start..i);
                depth_start = Some(i);
            }
            '>' if depth_start.is_some() => {
                depth_start = None;
                run_start = i + 1;
            }
            _ => {}
        }
    }
    if depth_start.is_none() {
        runs.push(run_start..line.len());
    } else if let Some(open) = depth_start {
        // An unclosed `<` is text, not a tag.
        runs.push(open..line.len());
    }
    runs.into_iter()
        .filter_map(move |r| trimmed_range(text, start + r.start..start + r.end))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn turns(parsed: &ParsedTranscript, text: &str) -> Vec<(Option<String>, String)> {
        parsed
            .utterances
            .iter()
            .map(|u| {
                (
                    u.speaker.clone(),
                    u.segments
                        .iter()
                        .map(|s| &text[s.range.clone()])
                        .collect::<Vec<_>>()
                        .join(" | "),
                )
            })
            .collect()
    }

    #[test]
    fn zoom_vtt_takes_the_speaker_from_the_cue_prefix() {
        let text = "WEBVTT\n\n1\n00:00:01.000 --> 00:00:04.000\nAna Souza: Hi Mark, thanks for joining.\n\n2\n00:00:04.500 --> 00:00:07.000\nMark Chen: Sure, happy to.\n";
        let parsed = parse_webvtt(text).expect("vtt");
        assert_eq!(
            turns(&parsed, text),
            vec![
                (
                    Some("Ana Souza".into()),
                    "Hi Mark, thanks for joining.".into()
                ),
                (Some("Mark Chen".into()), "Sure, happy to.".into())
            ]
        );
        assert_eq!(parsed.duration_seconds, Some(7));
        assert_eq!(parsed.utterances[1].segments[0].when, Some(When::Offset(4)));
    }

    #[test]
    fn meet_vtt_voice_tags_name_the_speaker_and_are_left_out_of_quotes() {
        let text = "WEBVTT\n\n00:01.000 --> 00:03.000\n<v Carla Dias>Bom dia a todos.</v>\n\n00:03.000 --> 00:05.000\n<v Carla Dias>Vamos começar?</v>\n\n00:05.000 --> 00:08.000\n<v.loud João>Vamos!</v>\n";
        let parsed = parse_webvtt(text).expect("vtt");
        assert_eq!(
            turns(&parsed, text),
            vec![
                (
                    Some("Carla Dias".into()),
                    "Bom dia a todos. | Vamos começar?".into()
                ),
                (Some("João".into()), "Vamos!".into())
            ]
        );
    }

    #[test]
    fn srt_with_and_without_speaker_prefixes_is_read() {
        let text = "1\r\n00:00:01,000 --> 00:00:03,000\r\nRep: How is your team set up?\r\n\r\n2\r\n00:00:03,500 --> 00:00:06,000\r\nWe have ten reps\r\nin two offices.\r\n";
        let parsed = parse_srt(text).expect("srt");
        assert_eq!(parsed.format, TranscriptFormat::Srt);
        assert_eq!(
            turns(&parsed, text),
            vec![
                (Some("Rep".into()), "How is your team set up?".into()),
                (None, "We have ten reps | in two offices.".into())
            ]
        );
    }

    #[test]
    fn prose_with_an_arrow_is_not_taken_for_captions() {
        assert!(parse_srt("Plano: A --> B\nDepois C").is_none());
        assert!(parse_webvtt("Notes about WEBVTT files").is_none());
    }
}
