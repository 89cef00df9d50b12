//! Performancy's conversation analysis engine (PRODUCT.md feature 5): reads a sales conversation in
//! whatever form it arrived — call transcript, WhatsApp export, e-mail thread, Zoom or Meet captions —
//! and scores it against the company's playbook and methodology (SPICED, SPIN, MEDDIC or BANT).
//!
//! It is plain Rust with no web framework and no database, so the server's background job, the
//! `analyse` command and the tests all call the same [`analyse_conversation`]. Every analyser answers
//! with the same [`Analysis`] type, whose fields are the `conversations` columns: the built-in one
//! here (through [`Analyser`]), and with the `llm` feature the LLM providers of the `llm` module, which are
//! asynchronous and fall back to the built-in result when they fail.
//!
//! The built-in analyser is deterministic and needs no network: accent/case folding, Portuguese and
//! English stemming, and lexicons kept as readable TOML files in `lexicon/`. Every score it gives
//! carries the exact quotes it came from (see [`Evidence`]).

mod actions;
mod builtin;
mod dates;
mod doc;
mod elements;
mod lexicon;
mod model;
mod moments;
mod playbook;
mod sentiment;
mod speakers;
mod summary;
mod text;
mod transcript;

#[cfg(feature = "llm")]
pub mod llm;

pub use builtin::{BUILTIN_VERSION, BuiltinAnalyser};
pub use domain::{ConversationChannel, ConversationSentiment};
pub use lexicon::LexiconError;
pub use model::*;

/// Something that turns a conversation and a playbook into an [`Analysis`] on the spot: the built-in
/// analyser. The LLM providers (feature `llm`) need the network, so theirs is an `async` call that
/// takes the built-in result to fall back on.
pub trait Analyser {
    fn analyse(&self, input: &ConversationInput, playbook: &Playbook) -> Analysis;
}

/// Analyses one conversation with the built-in analyser; what the server's job and the `analyse`
/// command call. Never fails on the conversation's content; the error is a build whose embedded
/// lexicon does not compile, which the tests rule out.
pub fn analyse_conversation(
    input: &ConversationInput,
    playbook: &Playbook,
) -> Result<Analysis, &'static LexiconError> {
    BuiltinAnalyser::shared().map(|analyser| analyser.analyse(input, playbook))
}

/// How a transcript would be read (WhatsApp export, e-mail, captions...), e.g. to guess its channel
/// when an upload does not say.
pub fn detect_format(transcript: &str) -> TranscriptFormat {
    transcript::parse(transcript).format
}
