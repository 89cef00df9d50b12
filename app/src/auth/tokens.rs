//! The secrets in invitation and password-reset links.
//!
//! A link carries 32 random bytes (url-safe base64); the database keeps only their SHA-256, so a
//! copy of `verification_tokens` opens nothing. A token's `identifier` says what it is for and
//! whose it is (`invite:<user id>`, `reset:<user id>`); storing a new one replaces the user's
//! previous link of the same purpose.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// What a link is for, and how long it lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenPurpose {
    Invitation,
    PasswordReset,
}

impl TokenPurpose {
    fn prefix(self) -> &'static str {
        match self {
            TokenPurpose::Invitation => "invite:",
            TokenPurpose::PasswordReset => "reset:",
        }
    }

    /// An invitation waits a week; a reset link is good for an hour.
    pub fn lifetime(self) -> Duration {
        match self {
            TokenPurpose::Invitation => Duration::days(7),
            TokenPurpose::PasswordReset => Duration::hours(1),
        }
    }

    pub fn expires_from(self, now: DateTime<Utc>) -> DateTime<Utc> {
        now + self.lifetime()
    }

    /// The `verification_tokens.identifier` of this purpose for a user.
    pub fn identifier(self, user_id: &str) -> String {
        format!("{}{user_id}", self.prefix())
    }

    /// The user an identifier of this purpose belongs to; `None` for another purpose.
    pub fn user_of(self, identifier: &str) -> Option<&str> {
        identifier
            .strip_prefix(self.prefix())
            .filter(|id| !id.is_empty())
    }
}

/// A fresh link secret and the hash stored for it.
pub struct LinkToken {
    secret: String,
    hash: String,
}

impl LinkToken {
    /// 32 bytes from rand's thread generator (ChaCha, seeded and reseeded from the operating system).
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        let secret = URL_SAFE_NO_PAD.encode(bytes);
        let hash = hash_token(&secret);
        Self { secret, hash }
    }

    /// What goes into the link (and nowhere else).
    pub fn secret(&self) -> &str {
        &self.secret
    }

    /// What the database keeps.
    pub fn hash(&self) -> &str {
        &self.hash
    }
}

impl std::fmt::Debug for LinkToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LinkToken")
            .field("hash", &self.hash)
            .finish_non_exhaustive()
    }
}

/// Longer than any secret we issue; a longer path segment is not ours and is not hashed.
const MAX_SECRET_LEN: usize = 128;

/// The SHA-256 (lowercase hex) of a link secret, as stored in `verification_tokens.token`.
pub fn hash_token(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// The hash to look a link's secret up by; `None` for something that cannot be one of ours.
pub fn lookup_hash(secret: &str) -> Option<String> {
    let plausible = !secret.is_empty()
        && secret.len() <= MAX_SECRET_LEN
        && secret
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    plausible.then(|| hash_token(secret))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_32_random_bytes_in_url_safe_base64_and_only_its_hash_is_kept() {
        let token = LinkToken::generate();
        assert_eq!(token.secret().len(), 43, "32 bytes without padding");
        assert!(
            token
                .secret()
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
            "{}",
            token.secret()
        );
        assert_eq!(token.hash(), hash_token(token.secret()));
        assert_eq!(token.hash().len(), 64);
        assert!(
            !format!("{token:?}").contains(token.secret()),
            "the secret never prints"
        );
        assert_ne!(LinkToken::generate().secret(), token.secret());
    }

    #[test]
    fn hashing_is_sha256_hex() {
        assert_eq!(
            hash_token("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn only_plausible_secrets_are_looked_up() {
        let token = LinkToken::generate();
        assert_eq!(lookup_hash(token.secret()).as_deref(), Some(token.hash()));
        for junk in ["", "a b", "../etc", &"x".repeat(129)] {
            assert_eq!(lookup_hash(junk), None, "{junk}");
        }
    }

    #[test]
    fn identifiers_name_the_purpose_and_the_user() {
        assert_eq!(TokenPurpose::Invitation.identifier("u1"), "invite:u1");
        assert_eq!(TokenPurpose::PasswordReset.identifier("u1"), "reset:u1");
        assert_eq!(TokenPurpose::Invitation.user_of("invite:u1"), Some("u1"));
        assert_eq!(TokenPurpose::Invitation.user_of("reset:u1"), None);
        assert_eq!(TokenPurpose::PasswordReset.user_of("reset:"), None);
        let now = Utc::now();
        assert_eq!(
            TokenPurpose::Invitation.expires_from(now) - now,
            Duration::days(7)
        );
        assert_eq!(
            TokenPurpose::PasswordReset.expires_from(now) - now,
            Duration::hours(1)
        );
    }
}
