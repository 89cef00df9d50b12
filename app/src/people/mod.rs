//! A company's people and squads (`/{slug}/users`, `/{slug}/users/squads`).
//!
//! A DIRECTOR (and staff) invites people, changes their role, area and LinkedIn, deactivates and
//! reactivates them, resends invitations, and shapes the squads (type, monthly target, members,
//! leaders). A MANAGER reads the squads they lead and those squads' members, and changes nothing.
//! An AGENT may not use the area (403). Out of a viewer's scope, a person or a squad is "not found".
//!
//! Two rules hold whatever the page sends: nobody is given ADMIN inside a company
//! ([`crate::policy::may_assign_role`]), and the last active director can be neither demoted nor
//! deactivated, so a company is never left without someone to administer it.

pub mod api;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod server;

use chrono::{DateTime, FixedOffset};
use domain::{UserArea, UserRole, UserStatus};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// People per page of the users list.
pub const USERS_PAGE_SIZE: i64 = 25;
pub const MAX_SQUAD_NAME_CHARS: usize = 80;

/// A person as the users page lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRow {
    pub id: String,
    pub name: String,
    pub email: String,
    pub role: UserRole,
    pub area: UserArea,
    pub status: UserStatus,
    pub linkedin: Option<String>,
    /// In the company's time zone.
    pub last_login_at: Option<DateTime<FixedOffset>>,
    /// Names of the squads they belong to.
    pub squads: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserPage {
    pub items: Vec<UserRow>,
    pub total: i64,
    pub page: u32,
    pub page_size: i64,
    /// Whether the viewer may invite and change people (DIRECTOR, staff).
    pub can_manage: bool,
    pub viewer_id: String,
}

/// What inviting answers: the new person, and whether their mail left (when it did not, the
/// person exists and "resend" tries again).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteOutcome {
    pub user_id: String,
    pub mail_sent: bool,
}

/// The kinds of squad (`squads.type`), spelled as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SquadType {
    Sales,
    PreSales,
    Cs,
}

impl SquadType {
    pub const ALL: [SquadType; 3] = [SquadType::Sales, SquadType::PreSales, SquadType::Cs];

    pub const fn as_str(self) -> &'static str {
        match self {
            SquadType::Sales => "sales",
            SquadType::PreSales => "pre_sales",
            SquadType::Cs => "cs",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == value.trim())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SquadMember {
    pub user_id: String,
    pub name: String,
    pub email: String,
    pub role: UserRole,
    pub status: UserStatus,
    pub is_leader: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Squad {
    pub id: String,
    pub name: String,
    pub squad_type: SquadType,
    /// In the company's currency.
    pub target_monthly: Option<Decimal>,
    pub members: Vec<SquadMember>,
}

/// A person who may be added to a squad.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonChoice {
    pub id: String,
    pub name: String,
    pub status: UserStatus,
}

/// The squads page: the squads the viewer may see, and what the forms need.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SquadsView {
    pub squads: Vec<Squad>,
    pub currency: String,
    pub can_manage: bool,
    /// Everyone of the company who is not deactivated (empty for a viewer who may not manage).
    pub people: Vec<PersonChoice>,
}

/// Typed text that is not the address of a LinkedIn profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotALinkedInProfile;

/// A LinkedIn profile address as typed, made canonical (`https://www.linkedin.com/in/ana`), or
/// `Ok(None)` for an empty field; anything not on linkedin.com is refused.
pub fn normalise_linkedin(input: &str) -> Result<Option<String>, NotALinkedInProfile> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Ok(None);
    }
    if trimmed.len() > 300 || trimmed.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(NotALinkedInProfile);
    }
    let without_scheme = trimmed
        .strip_prefix("https://")
        .or_else(|| trimmed.strip_prefix("http://"))
        .unwrap_or(trimmed);
    let (host, path) = without_scheme
        .split_once('/')
        .unwrap_or((without_scheme, ""));
    let host = host.to_ascii_lowercase();
    let on_linkedin = host == "linkedin.com" || host.ends_with(".linkedin.com");
    if !on_linkedin || path.trim_matches('/').is_empty() {
        return Err(NotALinkedInProfile);
    }
    Ok(Some(format!(
        "https://{host}/{}",
        path.trim_end_matches('/')
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linkedin_profiles_are_stored_as_https_addresses_on_linkedin() {
        assert_eq!(
            normalise_linkedin("linkedin.com/in/ana-souza/"),
            Ok(Some("https://linkedin.com/in/ana-souza".into()))
        );
        assert_eq!(
            normalise_linkedin(" https://www.LinkedIn.com/in/ana "),
            Ok(Some("https://www.linkedin.com/in/ana".into()))
        );
        assert_eq!(normalise_linkedin(""), Ok(None));
        for bad in [
            "https://evil.example/in/ana",
            "https://linkedin.com.evil.example/in/x",
            "https://linkedin.com/",
            "javascript:alert(1)",
            "https://linkedin.com/in/a b",
        ] {
            assert_eq!(normalise_linkedin(bad), Err(NotALinkedInProfile), "{bad}");
        }
    }

    #[test]
    fn squad_types_read_their_database_spelling_only() {
        for t in SquadType::ALL {
            assert_eq!(SquadType::parse(t.as_str()), Some(t));
        }
        assert_eq!(SquadType::parse("SALES"), None);
    }
}
