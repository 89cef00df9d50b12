//! E-mail threads pasted or forwarded as text: header blocks (`From:`/`De:`, `To:`/`Para:`,
//! `Date:`/`Data:`/`Enviado:`, `Subject:`/`Assunto:`), bodies, signatures and quoted replies.
//!
//! A thread usually carries every message twice — once as itself and once quoted in the reply — so a
//! quoted block is read only when its words appear nowhere unquoted; then it is attributed to the
//! person its "On … wrote:" / "Em … escreveu:" line names. Signatures and sign-offs are left out: a
//! phone number says nothing about the sale.

use std::sync::LazyLock;

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime};
use regex::Regex;

use super::{ParsedTranscript, Segment, Utterance, When, lines, trimmed_range};
use crate::model::TranscriptFormat;

static HEADER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*(from|de|to|para|cc|cco|bcc|date|data|sent|enviado|enviada|enviado em|subject|assunto|reply-to|responder a)\s*:\s*(.*)$")
        .expect("static pattern")
});
static ATTRIBUTION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)(?:wrote|escreveu)\s*:\s*$").expect("static pattern"));
static ATTRIBUTION_START: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^\s*(on|em|no dia)\s").expect("static pattern"));
static SEPARATOR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*(-{2,}\s*(original message|mensagem original|forwarded message|mensagem encaminhada)\s*-{2,}|_{10,})\s*$")
        .expect("static pattern")
});
static SIGN_OFF: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*(atenciosamente|att\.?|atte\.?|abs\.?|abraços?|abç|sds\.?|saudações|cordialmente|um abraço|grande abraço|best regards|kind regards|regards|best|cheers|sincerely|warm regards|all the best)\s*[,.!]?\s*$")
        .expect("static pattern")
});
static CLOCK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(\d{1,2})[:h](\d{2})(?::\d{2})?\s*([ap]\.?\s?m\.?)?").expect("static pattern")
});
static NUMERIC_DATE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b").expect("static pattern"));
static DAY_MONTH_YEAR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(\d{1,2})(?:\s+de)?\s+([a-zç]{3,})\.?(?:\s+de)?,?\s+(\d{4})\b")
        .expect("static pattern")
});
static MONTH_DAY_YEAR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b([a-z]{3,})\.?\s+(\d{1,2}),?\s+(\d{4})\b").expect("static pattern")
});

#[derive(Debug)]
struct Line<'t> {
    start: usize,
    text: &'t str,
}

/// A header block: its first line index, the line after it, and what it says.
struct HeaderBlock {
    first: usize,
    after: usize,
    from: Option<String>,
    to: Option<String>,
    date: Option<NaiveDateTime>,
}

pub(super) fn parse(text: &str) -> Option<ParsedTranscript> {
    let all: Vec<Line> = lines(text)
        .map(|(start, text)| Line { start, text })
        .collect();
    let blocks = header_blocks(&all);
    if blocks.is_empty() {
        return None;
    }
    // Text before the first header is the newest reply, written by whoever received that message.
    let mut messages: Vec<(Option<String>, Option<NaiveDateTime>, usize, usize)> = Vec::new();
    if let Some(first) = blocks.first()
        && all[..first.first]
            .iter()
            .any(|l| l.text.chars().any(char::is_alphanumeric))
    {
        messages.push((first.to.clone(), None, 0, first.first));
    }
    for (i, block) in blocks.iter().enumerate() {
        let end = blocks.get(i + 1).map_or(all.len(), |b| b.first);
        messages.push((block.from.clone(), block.date, block.after, end));
    }

    let mut unquoted_corpus = String::new();
    let mut read: Vec<ReadMessage> = Vec::new();
    for (from, date, start, end) in messages {
        let message = read_body(text, &all[start..end], from, date);
        for seg in &message.own {
            unquoted_corpus.push_str(&squash(&text[seg.range.clone()]));
            unquoted_corpus.push('\n');
        }
        read.push(message);
    }

    let mut utterances = Vec::new();
    for message in read {
        if !message.own.is_empty() {
            utterances.push(Utterance {
                speaker: message.from,
                segments: message.own,
            });
        }
        for quoted in message.quoted {
            let already_there = quoted
                .segments
                .iter()
                .map(|s| squash(&text[s.range.clone()]))
                .find(|line| line.chars().count() >= 12)
                .is_some_and(|line| unquoted_corpus.contains(&line));
            if !already_there && !quoted.segments.is_empty() {
                utterances.push(Utterance {
                    speaker: quoted.speaker,
                    segments: quoted.segments,
                });
            }
        }
    }
    // Threads are pasted newest first; the conversation reads oldest first.
    let dated: Vec<Option<NaiveDateTime>> = utterances
        .iter()
        .map(|u| u.segments.first().and_then(|s| s.when).and_then(wall_clock))
        .collect();
    if dated.iter().flatten().count() >= 2 {
        let mut order: Vec<usize> = (0..utterances.len()).collect();
        // Undated messages (the reply on top, quotes) keep their place relative to their neighbours
        // by borrowing the date of the nearest dated message below them, then going after it.
        let mut keys = Vec::with_capacity(dated.len());
        for i in 0..dated.len() {
            let key = dated[i].or_else(|| dated[i..].iter().flatten().next().copied());
            keys.push((key, i));
        }
        order.sort_by_key(|&i| (keys[i].0, std::cmp::Reverse(i)));
        let mut slots: Vec<Option<Utterance>> = utterances.into_iter().map(Some).collect();
        utterances = order.into_iter().filter_map(|i| slots[i].take()).collect();
    }
    Some(ParsedTranscript {
        format: TranscriptFormat::Email,
        utterances,
        duration_seconds: None,
    })
}

fn wall_clock(when: When) -> Option<NaiveDateTime> {
    match when {
        When::At(at) => Some(at),
        When::Offset(_) => None,
    }
}

/// Lowercase with runs of white space made one space, for telling whether a quote repeats text.
fn squash(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn header_blocks(all: &[Line]) -> Vec<HeaderBlock> {
    let mut blocks = Vec::new();
    let mut i = 0;
    while i < all.len() {
        let Some(first) = HEADER
            .is_match(all[i].text)
            .then(|| HEADER.captures(all[i].text))
            .flatten()
        else {
            i += 1;
            continue;
        };
        let mut keys = Vec::new();
        let mut values: Vec<(String, String)> = Vec::new();
        let mut j = i;
        let key_of = |c: &regex::Captures| {
            c.get(1)
                .map(|m| m.as_str().to_lowercase())
                .unwrap_or_default()
        };
        let value_of = |c: &regex::Captures| {
            c.get(2)
                .map(|m| m.as_str().trim().to_owned())
                .unwrap_or_default()
        };
        keys.push(key_of(&first));
        values.push((key_of(&first), value_of(&first)));
        j += 1;
        while j < all.len() {
            if let Some(c) = HEADER
                .is_match(all[j].text)
                .then(|| HEADER.captures(all[j].text))
                .flatten()
            {
                keys.push(key_of(&c));
                values.push((key_of(&c), value_of(&c)));
            } else if all[j].text.starts_with([' ', '\t']) && !all[j].text.trim().is_empty() {
                // A folded header continues the previous value.
                if let Some(last) = values.last_mut() {
                    last.1.push(' ');
                    last.1.push_str(all[j].text.trim());
                }
            } else {
                break;
            }
            j += 1;
        }
        let has_from = keys.iter().any(|k| k == "from" || k == "de");
        if has_from && keys.len() >= 2 {
            let find = |names: &[&str]| {
                values
                    .iter()
                    .find(|(k, _)| names.contains(&k.as_str()))
                    .map(|(_, v)| v.clone())
            };
            blocks.push(HeaderBlock {
                first: i,
                after: j,
                from: find(&["from", "de"]).map(|v| person(&v)),
                to: find(&["to", "para"]).map(|v| person(v.split([';', ',']).next().unwrap_or(&v))),
                date: find(&["date", "data", "sent", "enviado", "enviada", "enviado em"])
                    .and_then(|v| parse_mail_date(&v)),
            });
        }
        i = j.max(i + 1);
    }
    blocks
}

/// The display name of an address (`Ana Souza <ana@x.com>` → `Ana Souza`), or the address.
fn person(value: &str) -> String {
    let value = value.trim();
    let name = match value.find('<') {
        Some(lt) => value[..lt].trim().trim_matches('"').trim(),
        None => value,
    };
    if name.is_empty() {
        value.trim_matches(['<', '>']).to_owned()
    } else {
        name.to_owned()
    }
}

struct QuotedBlock {
    speaker: Option<String>,
    depth: usize,
    segments: Vec<Segment>,
}

struct ReadMessage {
    from: Option<String>,
    own: Vec<Segment>,
    quoted: Vec<QuotedBlock>,
}

fn read_body(
    text: &str,
    body: &[Line],
    from: Option<String>,
    date: Option<NaiveDateTime>,
) -> ReadMessage {
    let when = date.map(When::At);
    let mut own: Vec<Segment> = Vec::new();
    let mut quoted: Vec<QuotedBlock> = Vec::new();
    // Attributions seen so far: the speaker and date of text quoted one level deeper than them.
    let mut attributions: Vec<(usize, Option<String>, Option<NaiveDateTime>)> = Vec::new();
    let mut skipping_signature_at: Option<usize> = None;
    let mut paragraph: Option<std::ops::Range<usize>> = None;
    let mut last_depth = 0;

    let flush = |paragraph: &mut Option<std::ops::Range<usize>>, own: &mut Vec<Segment>| {
        if let Some(range) = paragraph.take().and_then(|r| trimmed_range(text, r)) {
            own.push(Segment { range, when });
        }
    };

    for (index, line) in body.iter().enumerate() {
        if SEPARATOR.is_match(line.text) {
            break;
        }
        let (depth, content_offset) = quote_depth(line.text);
        let content = &line.text[content_offset..];
        let content_start = line.start + content_offset;
        if depth != last_depth {
            flush(&mut paragraph, &mut own);
            if skipping_signature_at.is_some_and(|d| d != depth) {
                skipping_signature_at = None;
            }
            last_depth = depth;
        }
        if content.trim().is_empty() {
            flush(&mut paragraph, &mut own);
            continue;
        }
        if ATTRIBUTION.is_match(content) {
            flush(&mut paragraph, &mut own);
            // The attribution may be wrapped: its start is on this line or the one above.
            let mut whole = content.to_owned();
            if !ATTRIBUTION_START.is_match(content)
                && let Some(previous) = index.checked_sub(1).map(|p| &body[p])
            {
                let (_, prev_offset) = quote_depth(previous.text);
                whole = format!("{} {}", &previous.text[prev_offset..], content);
                // The first half was taken as text; it belongs to the attribution.
                let prev_start = previous.start + prev_offset;
                own.retain(|s| s.range.start != prev_start);
                if let Some(last) = quoted.last_mut() {
                    last.segments.retain(|s| s.range.start != prev_start);
                }
            }
            attributions.retain(|(d, _, _)| *d < depth);
            attributions.push((depth, attribution_name(&whole), parse_mail_date(&whole)));
            skipping_signature_at = None;
            continue;
        }
        if HEADER.is_match(content) && depth > 0 {
            // Quoted headers of a forwarded message: their From names the quoted text's author.
            if let Some(c) = HEADER.captures(content)
                && let (Some(k), Some(v)) = (c.get(1), c.get(2))
                && matches!(k.as_str().to_lowercase().as_str(), "from" | "de")
            {
                attributions.retain(|(d, _, _)| *d < depth - 1);
                attributions.push((depth - 1, Some(person(v.as_str())), None));
            }
            continue;
        }
        if content.trim() == "--" || SIGN_OFF.is_match(content) {
            flush(&mut paragraph, &mut own);
            skipping_signature_at = Some(depth);
            continue;
        }
        if skipping_signature_at == Some(depth) {
            continue;
        }
        if depth == 0 {
            let end = content_start + content.len();
            paragraph = Some(match paragraph.take() {
                Some(p) => p.start..end,
                None => content_start..end,
            });
        } else {
            let Some(range) = trimmed_range(text, content_start..content_start + content.len())
            else {
                continue;
            };
            let author = attributions.iter().rev().find(|(d, _, _)| *d < depth);
            let speaker = author.and_then(|(_, name, _)| name.clone());
            let quoted_when = author.and_then(|(_, _, at)| *at).map(When::At);
            match quoted.last_mut() {
                Some(last) if last.speaker == speaker && last.depth == depth => {
                    last.segments.push(Segment {
                        range,
                        when: quoted_when,
                    });
                }
                _ => quoted.push(QuotedBlock {
                    speaker,
                    depth,
                    segments: vec![Segment {
                        range,
                        when: quoted_when,
                    }],
                }),
            }
        }
    }
    flush(&mut paragraph, &mut own);
    ReadMessage { from, own, quoted }
}

/// How many `>` start the line, and the byte offset where its text begins.
fn quote_depth(line: &str) -> (usize, usize) {
    let mut depth = 0;
    let mut offset = 0;
    for (i, c) in line.char_indices() {
        match c {
            '>' => {
                depth += 1;
                offset = i + 1;
            }
            ' ' | '\t' if depth > 0 => offset = i + 1,
            ' ' | '\t' => {}
            _ => break,
        }
    }
    if depth == 0 { (0, 0) } else { (depth, offset) }
}

/// The author named by "On …, Name <addr> wrote:" / "Em …, Nome <end> escreveu:".
fn attribution_name(line: &str) -> Option<String> {
    let without_verb = ATTRIBUTION.replace(line, "");
    let before_address = match without_verb.find('<') {
        Some(lt) => &without_verb[..lt],
        None => &without_verb[..],
    };
    // The name follows the time ("… 09:00, Carlos Lima") or the last comma.
    let after_time = match CLOCK.find_iter(before_address).last() {
        Some(m) => &before_address[m.end()..],
        None => before_address.rsplit(',').next().unwrap_or(before_address),
    };
    let name = after_time
        .trim_start_matches([',', ' '])
        .trim()
        .trim_matches('"')
        .trim();
    let name = name.strip_prefix("de ").unwrap_or(name).trim();
    (!name.is_empty() && name.chars().count() <= 60).then(|| name.to_owned())
}

/// Three-letter month names in Portuguese and English (abbreviations as mail clients write them).
fn month_number(name: &str) -> Option<u32> {
    let lower: String = name.to_lowercase().chars().take(3).collect();
    let month = match lower.as_str() {
        "jan" => 1,
        "fev" | "feb" => 2,
        "mar" => 3,
        "abr" | "apr" => 4,
        "mai" | "may" => 5,
        "jun" => 6,
        "jul" => 7,
        "ago" | "aug" => 8,
        "set" | "sep" => 9,
        "out" | "oct" => 10,
        "nov" => 11,
        "dez" | "dec" => 12,
        _ => return None,
    };
    Some(month)
}

/// Reads the date of a `Date:` header or an attribution line in the shapes mail clients write.
pub(crate) fn parse_mail_date(value: &str) -> Option<NaiveDateTime> {
    if let Ok(at) = DateTime::parse_from_rfc2822(value.trim()) {
        return Some(at.naive_local());
    }
    let date = if let Some(c) = NUMERIC_DATE.captures(value) {
        let n = |i: usize| c.get(i).and_then(|m| m.as_str().parse::<u32>().ok());
        NaiveDate::from_ymd_opt(n(3)? as i32, n(2)?, n(1)?)
    } else if let Some(c) = DAY_MONTH_YEAR.captures(value)
        && let Some(month) = c.get(2).and_then(|m| month_number(m.as_str()))
    {
        let n = |i: usize| c.get(i).and_then(|m| m.as_str().parse::<u32>().ok());
        NaiveDate::from_ymd_opt(n(3)? as i32, month, n(1)?)
    } else if let Some(c) = MONTH_DAY_YEAR.captures(value)
        && let Some(month) = c.get(1).and_then(|m| month_number(m.as_str()))
    {
        let n = |i: usize| c.get(i).and_then(|m| m.as_str().parse::<u32>().ok());
        NaiveDate::from_ymd_opt(n(3)? as i32, month, n(2)?)
    } else {
        None
    }?;
    let time = CLOCK
        .captures(value)
        .and_then(|c| {
            let mut hour: u32 = c.get(1)?.as_str().parse().ok()?;
            let minute: u32 = c.get(2)?.as_str().parse().ok()?;
            match c.get(3).map(|m| m.as_str().to_lowercase()) {
                Some(m) if m.starts_with('p') && hour < 12 => hour += 12,
                Some(m) if m.starts_with('a') && hour == 12 => hour = 0,
                _ => {}
            }
            NaiveTime::from_hms_opt(hour, minute, 0)
        })
        .unwrap_or(NaiveTime::MIN);
    Some(date.and_time(time))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(text: &str) -> Vec<(Option<String>, String)> {
        let parsed = parse(text).expect("email");
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
    fn a_thread_of_two_messages_reads_oldest_first_without_signatures() {
        let text = "From: Carlos Lima <carlos@cliente.com.br>\nTo: Ana Souza <ana@vendas.com.br>\nDate: Wed, 13 Mar 2024 09:10:00 -0300\nSubject: Re: Proposta\n\nAna, o valor ficou acima do orçamento.\n\nAbs,\nCarlos\n\nFrom: Ana Souza <ana@vendas.com.br>\nTo: Carlos Lima <carlos@cliente.com.br>\nDate: Tue, 12 Mar 2024 17:00:00 -0300\nSubject: Proposta\n\nCarlos, segue a proposta.\n--\nAna Souza | Executiva de contas\n";
        assert_eq!(
            messages(text),
            vec![
                (Some("Ana Souza".into()), "Carlos, segue a proposta.".into()),
                (
                    Some("Carlos Lima".into()),
                    "Ana, o valor ficou acima do orçamento.".into()
                ),
            ]
        );
    }

    #[test]
    fn a_quoted_reply_found_nowhere_else_is_attributed_to_its_author() {
        let text = "De: Ana Souza <ana@vendas.com.br>\nPara: Carlos Lima <carlos@cliente.com.br>\nData: 14/03/2024 10:00\nAssunto: Re: Reunião\n\nPerfeito, fica marcado.\n\nEm qua., 13 de mar. de 2024 às 18:20, Carlos Lima <carlos@cliente.com.br> escreveu:\n> Podemos falar na quinta às 15h?\n> Abraço\n";
        let m = messages(text);
        assert_eq!(m.len(), 2);
        assert_eq!(
            m[0],
            (
                Some("Carlos Lima".into()),
                "Podemos falar na quinta às 15h?".into()
            )
        );
        assert_eq!(m[1].1, "Perfeito, fica marcado.");
    }

    #[test]
    fn a_quote_of_a_message_already_in_the_thread_is_not_read_twice() {
        let text = "From: Mark <mark@buyer.com>\nTo: Ana <ana@seller.com>\nDate: Wed, 13 Mar 2024 09:10:00 -0300\n\nSounds good, send the contract.\n\nOn Tue, Mar 12, 2024 at 5:00 PM Ana <ana@seller.com> wrote:\n> Here is the proposal we discussed today.\n\nFrom: Ana <ana@seller.com>\nTo: Mark <mark@buyer.com>\nDate: Tue, 12 Mar 2024 17:00:00 -0300\n\nHere is the proposal we discussed today.\n";
        let m = messages(text);
        assert_eq!(m.len(), 2);
        assert_eq!(m[0].1, "Here is the proposal we discussed today.");
    }

    #[test]
    fn mail_dates_are_read_in_portuguese_and_english_shapes() {
        let d = |s: &str| parse_mail_date(s).map(|d| d.format("%Y-%m-%d %H:%M").to_string());
        assert_eq!(
            d("Tue, 12 Mar 2024 17:00:00 -0300").as_deref(),
            Some("2024-03-12 17:00")
        );
        assert_eq!(
            d("terça-feira, 12 de março de 2024 10:15").as_deref(),
            Some("2024-03-12 10:15")
        );
        assert_eq!(
            d("Tuesday, March 12, 2024 3:15 PM").as_deref(),
            Some("2024-03-12 15:15")
        );
        assert_eq!(d("12/03/2024 09:00").as_deref(), Some("2024-03-12 09:00"));
        assert_eq!(d("sometime"), None);
    }

    #[test]
    fn text_with_one_header_like_line_is_not_an_email() {
        assert!(parse("De: onde vem a objeção?\nO cliente falou do preço.").is_none());
    }
}
