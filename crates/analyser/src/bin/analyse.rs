//! `analyse <file>`: runs the built-in analyser on a transcript file and prints the analysis as JSON,
//! for support reproducing a customer's result and for trying a playbook before publishing it.

use std::path::PathBuf;
use std::process::ExitCode;

use analyser::{
    ConversationChannel, ConversationInput, Language, Methodology, Playbook, TranscriptFormat,
};
use chrono::NaiveDate;
use clap::Parser;

#[derive(Parser)]
#[command(
    name = "analyse",
    about = "Analyse a sales conversation and print the result as JSON"
)]
struct Args {
    /// Transcript: labelled text, WebVTT, SRT, WhatsApp export, e-mail thread or plain text.
    file: PathBuf,
    /// Playbook JSON: the `content` object, or a row `{ "methodology": ..., "content": {...} }`.
    #[arg(long)]
    playbook: Option<PathBuf>,
    /// SPICED, SPIN, MEDDIC or BANT; overrides the playbook's (default SPICED).
    #[arg(long)]
    methodology: Option<Methodology>,
    /// The agent's name, to tell which speaker sells.
    #[arg(long)]
    agent: Option<String>,
    /// CALL, WHATSAPP, EMAIL or VIDEO; guessed from the format when absent.
    #[arg(long)]
    channel: Option<ConversationChannel>,
    /// The conversation's date (YYYY-MM-DD), for resolving "amanhã" and "quinta-feira".
    #[arg(long)]
    date: Option<NaiveDate>,
    /// pt or en; detected when absent.
    #[arg(long)]
    language: Option<Language>,
}

fn channel_for(text: &str) -> ConversationChannel {
    match analyser::detect_format(text) {
        TranscriptFormat::Whatsapp => ConversationChannel::Whatsapp,
        TranscriptFormat::Email => ConversationChannel::Email,
        TranscriptFormat::WebVtt | TranscriptFormat::Srt => ConversationChannel::Video,
        TranscriptFormat::Labelled | TranscriptFormat::PlainText => ConversationChannel::Call,
    }
}

fn run(args: Args) -> Result<String, String> {
    let bytes = std::fs::read(&args.file)
        .map_err(|e| format!("cannot read {}: {e}", args.file.display()))?;
    // A transcript in another encoding still gets analysed: undecodable bytes become U+FFFD.
    let transcript = String::from_utf8_lossy(&bytes).into_owned();
    let default_methodology = args.methodology.unwrap_or(Methodology::Spiced);
    let mut playbook = match &args.playbook {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            Playbook::from_json_file_text(&text, default_methodology)
                .map_err(|e| format!("{}: {e}", path.display()))?
        }
        None => Playbook::empty(default_methodology),
    };
    if let Some(m) = args.methodology {
        playbook.methodology = m;
    }
    let input = ConversationInput {
        channel: args.channel.unwrap_or_else(|| channel_for(&transcript)),
        agent_name: args.agent,
        transcript,
        conversation_date: args.date,
        language: args.language,
    };
    let analysis = analyser::analyse_conversation(&input, &playbook).map_err(|e| e.to_string())?;
    serde_json::to_string_pretty(&analysis).map_err(|e| e.to_string())
}

fn main() -> ExitCode {
    match run(Args::parse()) {
        Ok(json) => {
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("analyse: {message}");
            ExitCode::FAILURE
        }
    }
}
