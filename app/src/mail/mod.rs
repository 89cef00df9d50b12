//! Mail: invitations and password-reset links, in the recipient's language.
//!
//! With SMTP configured, mail goes out through lettre's async SMTP transport. Without it — in
//! development only; production refuses to start — sent mails are kept in memory and listed,
//! newest first, on `/dev/mail`, so an invitation or a reset can be finished in the browser and
//! read by the tests. That page answers 404 outside development.
//!
//! The templates are plain functions of their facts (`templates.rs`), so what a mail says is unit
//! tested without a server; links are built from the configured public base URL, never from the
//! request's `Host`, which an attacker could choose.

pub mod api;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod server;
#[cfg(feature = "ssr")]
pub mod templates;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A mail kept by the development outbox, as the development page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DevMail {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub sent_at: DateTime<Utc>,
}

/// A piece of a mail's text: plain, or a link to make clickable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextPiece<'a> {
    Plain(&'a str),
    Link(&'a str),
}

/// Splits text into plain runs and `http(s)://` links (a link ends at whitespace).
pub fn link_pieces(text: &str) -> Vec<TextPiece<'_>> {
    let mut pieces = Vec::new();
    let mut rest = text;
    while let Some(start) = [rest.find("https://"), rest.find("http://")]
        .into_iter()
        .flatten()
        .min()
    {
        if start > 0 {
            pieces.push(TextPiece::Plain(&rest[..start]));
        }
        let end = rest[start..]
            .find(char::is_whitespace)
            .map_or(rest.len(), |i| start + i);
        pieces.push(TextPiece::Link(&rest[start..end]));
        rest = &rest[end..];
    }
    if !rest.is_empty() {
        pieces.push(TextPiece::Plain(rest));
    }
    pieces
}

/// `{base}{path}` with exactly one slash between them.
pub fn link(public_base_url: &str, path: &str) -> String {
    format!(
        "{}/{}",
        public_base_url.trim_end_matches('/'),
        path.trim_start_matches('/')
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_join_the_base_url_and_the_path_with_one_slash() {
        assert_eq!(
            link("https://app.performancy.com.br", "/invite/abc"),
            "https://app.performancy.com.br/invite/abc"
        );
        assert_eq!(
            link("https://app.performancy.com.br/", "invite/abc"),
            "https://app.performancy.com.br/invite/abc"
        );
        assert_eq!(
            link("https://example.com/base", "/reset/x"),
            "https://example.com/base/reset/x"
        );
    }

    #[test]
    fn links_in_text_become_separate_pieces() {
        let text = "Abra http://127.0.0.1:3000/invite/a-b_c para entrar.\nOu https://x.test";
        assert_eq!(
            link_pieces(text),
            vec![
                TextPiece::Plain("Abra "),
                TextPiece::Link("http://127.0.0.1:3000/invite/a-b_c"),
                TextPiece::Plain(" para entrar.\nOu "),
                TextPiece::Link("https://x.test"),
            ]
        );
        assert_eq!(
            link_pieces("sem links"),
            vec![TextPiece::Plain("sem links")]
        );
    }
}
