//! The own profile page, for every signed-in person, staff included: name, avatar, LinkedIn,
//! language, a new password (with the current one), and "sign out everywhere".
//!
//! Staff rows have no company, so the changes go through definer functions of the schema
//! (`20261127000005_profile.sql`) that serve everyone alike and write the audit row — the
//! company's `audit_logs`, or `staff_audit_logs` for staff — in the same statement as the change.
//! Validation here is plain functions, unit-tested; refusals are `AppError::Invalid("field:code")`
//! so the page names the field in the reader's language.

pub mod api;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod server;

use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// What the profile page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub name: String,
    pub email: String,
    /// Empty when none.
    pub avatar_url: String,
    /// Empty when none.
    pub linkedin: String,
    /// `pt-BR` or `en`.
    pub language: String,
    /// Where "home" is: the company, or the staff console.
    pub home: String,
}

/// The interface languages a person may choose.
pub const LANGUAGES: [&str; 2] = ["pt-BR", "en"];
pub const MAX_NAME_CHARS: usize = 120;
pub const MAX_URL_CHARS: usize = 500;
const LINKEDIN_PREFIX: &str = "https://www.linkedin.com/";

/// A profile as typed, checked: what the database is asked to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidProfile {
    pub name: String,
    pub avatar_url: Option<String>,
    pub linkedin: Option<String>,
    pub language: String,
}

/// `field` is refused for `code` (the page shows it beside that field).
pub fn invalid(field: &str, code: &str) -> AppError {
    AppError::Invalid(format!("{field}:{code}"))
}

/// The field and the code of a refusal, when `error` is one.
pub fn problem_of(error: &AppError) -> Option<(String, String)> {
    let AppError::Invalid(text) = error else {
        return None;
    };
    let (field, code) = text.split_once(':')?;
    Some((
        field.to_owned(),
        code.split(':').next().unwrap_or(code).to_owned(),
    ))
}

/// Checks what the profile form sent.
pub fn check_profile(
    name: &str,
    avatar_url: &str,
    linkedin: &str,
    language: &str,
) -> Result<ValidProfile, AppError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(invalid("name", "required"));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(invalid("name", "too_long"));
    }
    let avatar_url = optional_url(avatar_url, "avatar_url", |url| {
        url.starts_with("https://") && url.len() > "https://".len()
    })?;
    let linkedin = optional_url(linkedin, "linkedin", |url| {
        url.starts_with(LINKEDIN_PREFIX) && url.len() > LINKEDIN_PREFIX.len()
    })?;
    if !LANGUAGES.contains(&language) {
        return Err(invalid("language", "invalid"));
    }
    Ok(ValidProfile {
        name: name.to_owned(),
        avatar_url,
        linkedin,
        language: language.to_owned(),
    })
}

/// An optional https URL: empty is `None`; otherwise no spaces or quotes, not too long, and of
/// the expected shape.
fn optional_url(
    raw: &str,
    field: &str,
    shape: impl Fn(&str) -> bool,
) -> Result<Option<String>, AppError> {
    let url = raw.trim();
    if url.is_empty() {
        return Ok(None);
    }
    let clean = url.len() <= MAX_URL_CHARS
        && !url.chars().any(|c| {
            c.is_whitespace() || c.is_control() || matches!(c, '"' | '\'' | '<' | '>' | '\\')
        });
    if !clean || !shape(url) {
        return Err(invalid(field, "invalid"));
    }
    Ok(Some(url.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_profile_needs_a_name_and_a_known_language_and_empties_mean_none() {
        let ok = check_profile("  Ana Souza ", "", " ", "en").unwrap();
        assert_eq!(
            ok,
            ValidProfile {
                name: "Ana Souza".into(),
                avatar_url: None,
                linkedin: None,
                language: "en".into()
            }
        );
        assert_eq!(
            check_profile(" ", "", "", "pt-BR"),
            Err(invalid("name", "required"))
        );
        assert_eq!(
            check_profile(&"a".repeat(121), "", "", "pt-BR"),
            Err(invalid("name", "too_long"))
        );
        assert_eq!(
            check_profile("Ana", "", "", "fr"),
            Err(invalid("language", "invalid"))
        );
    }

    #[test]
    fn linkedin_must_be_a_linkedin_https_address() {
        let ok =
            check_profile("Ana", "", "https://www.linkedin.com/in/ana-souza", "pt-BR").unwrap();
        assert_eq!(
            ok.linkedin.as_deref(),
            Some("https://www.linkedin.com/in/ana-souza")
        );
        for bad in [
            "http://www.linkedin.com/in/ana",
            "https://evil.example/www.linkedin.com/",
            "https://www.linkedin.com.evil.example/in/a",
            "www.linkedin.com/in/ana",
            "https://www.linkedin.com/",
            "https://www.linkedin.com/in/a b",
            "javascript:alert(1)",
        ] {
            assert_eq!(
                check_profile("Ana", "", bad, "pt-BR"),
                Err(invalid("linkedin", "invalid")),
                "{bad}"
            );
        }
    }

    #[test]
    fn the_avatar_is_an_https_address() {
        assert_eq!(
            check_profile("Ana", "https://cdn.example.com/a.png", "", "pt-BR")
                .unwrap()
                .avatar_url
                .as_deref(),
            Some("https://cdn.example.com/a.png")
        );
        for bad in [
            "http://cdn.example.com/a.png",
            "data:image/png;base64,AAAA",
            "https://x/\"onerror=\"1",
            "https://",
        ] {
            assert_eq!(
                check_profile("Ana", bad, "", "pt-BR"),
                Err(invalid("avatar_url", "invalid")),
                "{bad}"
            );
        }
    }

    #[test]
    fn refusals_name_their_field_and_code() {
        assert_eq!(
            problem_of(&invalid("linkedin", "invalid")),
            Some(("linkedin".into(), "invalid".into()))
        );
        assert_eq!(problem_of(&AppError::NotFound), None);
    }
}
