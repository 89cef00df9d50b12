//! Property tests: whatever text arrives — any length, any Unicode, broken formats — the analyser
//! never panics and always answers with a valid analysis: scores within their ranges, every element
//! of the methodology present, and every quote an exact substring of the input at its offsets.
//! Transcripts come from customers' systems and phones; "never an error" is a promise to them.

use analyser::{
    Analysis, ConversationChannel, ConversationInput, Methodology, Playbook, PlaybookObjection,
    PlaybookSection, analyse_conversation,
};
use chrono::NaiveDate;
use proptest::prelude::*;

fn methodology() -> impl Strategy<Value = Methodology> {
    prop::sample::select(Methodology::ALL.to_vec())
}

fn channel() -> impl Strategy<Value = ConversationChannel> {
    prop::sample::select(ConversationChannel::ALL.to_vec())
}

fn playbook() -> impl Strategy<Value = Playbook> {
    (
        methodology(),
        prop::collection::vec(
            ("\\PC{0,20}", prop::collection::vec("\\PC{0,60}", 0..4)),
            0..3,
        ),
        prop::collection::vec(("\\PC{0,30}", "\\PC{0,80}"), 0..3),
        prop::collection::vec("\\PC{0,15}", 0..2),
    )
        .prop_map(
            |(methodology, sections, objections, competitors)| Playbook {
                methodology,
                sections: sections
                    .into_iter()
                    .map(|(title, questions)| PlaybookSection { title, questions })
                    .collect(),
                objections: objections
                    .into_iter()
                    .map(|(objection, response)| PlaybookObjection {
                        objection,
                        response,
                    })
                    .collect(),
                competitors,
            },
        )
}

/// Pieces of real formats glued to arbitrary text, so the parsers' edge cases get visited.
fn format_like_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("WEBVTT\n\n".to_owned()),
        Just("00:00:01.000 --> 00:00:04.000\n".to_owned()),
        Just("1\n00:00:01,000 --> 00:00:02,000\n".to_owned()),
        Just("<v Ana>".to_owned()),
        Just("</v>".to_owned()),
        Just("12/03/2024 14:05 - ".to_owned()),
        Just("[12/03/2024, 14:05:33] ".to_owned()),
        Just("3/12/24, 2:05 PM - ".to_owned()),
        Just(
            "From: Ana <ana@x.com>\nTo: Bia <b@y.com>\nDate: Tue, 12 Mar 2024 17:00:00 -0300\n\n"
                .to_owned()
        ),
        Just("De: Carlos\nPara: Ana\nData: 31/02/2024 25:99\n".to_owned()),
        Just("Em qua., 13 de mar. de 2024 às 18:20, Carlos <c@x> escreveu:\n> ".to_owned()),
        Just("> > ".to_owned()),
        Just("[00:01:23] Vendedor: ".to_owned()),
        Just("Cliente: ".to_owned()),
        Just("Rep (00:09): ".to_owned()),
        Just("Ana Souza  00:05\n".to_owned()),
        Just("<Mídia oculta>".to_owned()),
        Just("quinta-feira dia 31 de fevereiro 12/13/2024 amanhã ".to_owned()),
        Just("R$ 5.000,00 20% orçamento quem assina? ".to_owned()),
        Just("\n".to_owned()),
        Just("\r\n".to_owned()),
        Just("?".to_owned()),
        Just(".".to_owned()),
        "\\PC{0,40}",
        any::<String>(),
    ];
    prop::collection::vec(piece, 0..40).prop_map(|pieces| pieces.concat())
}

/// Walks the analysis as JSON and checks every evidence object and every score.
fn check(analysis: &Analysis, transcript: &str, methodology: Methodology) {
    assert_eq!(analysis.methodology_scores.methodology, methodology);
    let elements = analysis.methodology_scores.elements.len();
    let expected = match methodology {
        Methodology::Spiced => 5,
        Methodology::Spin | Methodology::Bant => 4,
        Methodology::Meddic => 6,
    };
    assert_eq!(
        elements, expected,
        "every element of {methodology} is scored"
    );
    assert!(analysis.playbook_score <= 100);
    assert!(analysis.methodology_scores.score <= 100);
    assert!((-100..=100).contains(&analysis.sentiment_score));
    let json = serde_json::to_value(analysis).expect("serialises");
    walk(&json, transcript);
    let back: Analysis = serde_json::from_value(json).expect("deserialises into the same type");
    assert_eq!(&back, analysis);
}

fn walk(value: &serde_json::Value, transcript: &str) {
    match value {
        serde_json::Value::Object(map) => {
            if let Some(quote) = map.get("quote").and_then(serde_json::Value::as_str) {
                let start = map
                    .get("start")
                    .and_then(serde_json::Value::as_u64)
                    .expect("start") as usize;
                let end = map
                    .get("end")
                    .and_then(serde_json::Value::as_u64)
                    .expect("end") as usize;
                assert_eq!(
                    transcript.get(start..end),
                    Some(quote),
                    "quote is the input at its offsets"
                );
                assert!(!quote.is_empty());
            }
            for (key, v) in map {
                if matches!(
                    key.as_str(),
                    "score"
                        | "playbook_score"
                        | "match_score"
                        | "position_percent"
                        | "questions_score"
                        | "elements_score"
                        | "objections_score"
                ) && let Some(n) = v.as_u64()
                {
                    assert!(n <= 100, "{key} = {n}");
                }
                walk(v, transcript);
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| walk(v, transcript)),
        _ => {}
    }
}

fn analyse(
    transcript: String,
    agent: Option<String>,
    channel: ConversationChannel,
    date: Option<NaiveDate>,
    playbook: &Playbook,
) {
    let input = ConversationInput {
        channel,
        agent_name: agent,
        transcript: transcript.clone(),
        conversation_date: date,
        language: None,
    };
    let analysis = analyse_conversation(&input, playbook).expect("embedded lexicon");
    check(&analysis, &transcript, playbook.methodology);
}

fn date() -> impl Strategy<Value = Option<NaiveDate>> {
    prop::option::of(
        (1i32..=9999, 1u32..=366)
            .prop_filter_map("valid day", |(y, d)| NaiveDate::from_yo_opt(y, d)),
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn any_unicode_text_gives_a_valid_analysis(
        text in any::<String>(),
        agent in prop::option::of("\\PC{0,20}"),
        channel in channel(),
        date in date(),
        playbook in playbook(),
    ) {
        analyse(text, agent, channel, date, &playbook);
    }

    #[test]
    fn text_shaped_like_every_format_gives_a_valid_analysis(
        text in format_like_text(),
        agent in prop::option::of(prop_oneof![Just("Ana".to_owned()), "\\PC{0,12}"]),
        channel in channel(),
        date in date(),
        playbook in playbook(),
    ) {
        analyse(text, agent, channel, date, &playbook);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 8, ..ProptestConfig::default() })]

    #[test]
    fn very_long_text_gives_a_valid_analysis(
        line in "\\PC{1,200}",
        repeats in 200usize..1500,
        playbook in playbook(),
    ) {
        let text = (0..repeats).map(|i| format!("[00:{:02}:{:02}] Speaker {}: {line}\n", (i / 60) % 60, i % 60, i % 3)).collect::<String>();
        analyse(text, None, ConversationChannel::Call, None, &playbook);
    }
}

#[test]
fn text_with_no_words_at_all_still_gets_every_element_as_missing() {
    let playbook = Playbook::empty(Methodology::Meddic);
    for text in [
        "",
        "   \n\n",
        "🙂🙂🙂",
        "WEBVTT\n\n",
        "12/03/2024 14:05 - Ana: <Mídia oculta>\n12/03/2024 14:06 - Bia: null\n",
    ] {
        let input = ConversationInput::new(ConversationChannel::Call, text);
        let analysis = analyse_conversation(&input, &playbook).expect("embedded lexicon");
        assert_eq!(analysis.methodology_scores.elements.len(), 6);
        assert!(
            analysis
                .methodology_scores
                .elements
                .iter()
                .all(|e| e.status == analyser::ElementStatus::Missing),
            "{text:?}"
        );
        assert_eq!(analysis.playbook_score, 0, "{text:?}");
    }
}
