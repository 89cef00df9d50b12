//! Company slugs: the first segment of every tenant URL (`/{slug}/...`).
//!
//! A slug is validated once, here, so a `CompanySlug` in hand is always lowercase letters, digits
//! and single hyphens, and never one of the words the router keeps for itself.

use serde::{Deserialize, Serialize};

/// Words that are, or may become, top-level routes of the app.
pub const RESERVED_SLUGS: &[&str] = &[
    "admin",
    "api",
    "app",
    "assets",
    "auth",
    "dev",
    "favicon.ico",
    "health",
    "healthz",
    "help",
    "invite",
    "login",
    "logout",
    "new",
    "pkg",
    "profile",
    "ready",
    "readyz",
    "reset",
    "settings",
    "signup",
    "static",
    "status",
    "support",
    "www",
];

const MAX_LEN: usize = 48;

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CompanySlug(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SlugError {
    #[error("a slug needs between 2 and {MAX_LEN} characters")]
    Length,
    #[error("a slug may hold only lowercase letters, digits and single hyphens between them")]
    Characters,
    #[error("this slug is reserved")]
    Reserved,
}

impl CompanySlug {
    pub fn parse(raw: &str) -> Result<Self, SlugError> {
        if raw.len() < 2 || raw.len() > MAX_LEN {
            return Err(SlugError::Length);
        }
        let well_formed = raw.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        });
        if !well_formed {
            return Err(SlugError::Characters);
        }
        if RESERVED_SLUGS.contains(&raw) {
            return Err(SlugError::Reserved);
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for CompanySlug {
    type Error = SlugError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<CompanySlug> for String {
    fn from(slug: CompanySlug) -> Self {
        slug.0
    }
}

impl std::fmt::Display for CompanySlug {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ordinary_company_names_are_accepted() {
        for ok in ["acme", "globex", "acme-vendas", "loja-123", "x1"] {
            assert_eq!(
                CompanySlug::parse(ok).map(|s| s.to_string()),
                Ok(ok.to_owned())
            );
        }
    }

    #[test]
    fn uppercase_accents_spaces_and_stray_hyphens_are_refused() {
        for bad in [
            "Acme",
            "açaí",
            "acme vendas",
            "-acme",
            "acme-",
            "acme--vendas",
            "acme_vendas",
        ] {
            assert_eq!(CompanySlug::parse(bad), Err(SlugError::Characters), "{bad}");
        }
    }

    #[test]
    fn route_words_are_reserved() {
        for word in [
            "admin", "login", "logout", "api", "pkg", "invite", "reset", "health", "dev",
        ] {
            assert_eq!(CompanySlug::parse(word), Err(SlugError::Reserved), "{word}");
        }
    }

    #[test]
    fn too_short_and_too_long_are_refused() {
        assert_eq!(CompanySlug::parse("a"), Err(SlugError::Length));
        assert_eq!(CompanySlug::parse(&"a".repeat(49)), Err(SlugError::Length));
    }

    proptest! {
        #[test]
        fn whatever_is_accepted_is_url_safe(raw in "\\PC{0,60}") {
            if let Ok(slug) = CompanySlug::parse(&raw) {
                prop_assert!(slug.as_str().bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'));
                prop_assert!(!RESERVED_SLUGS.contains(&slug.as_str()));
            }
        }
    }
}
