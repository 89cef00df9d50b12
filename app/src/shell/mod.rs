//! The frame every page sits in: header with the company and the user, navigation to every feature
//! area, the language switch, and the not-found and error pages.
//!
//! The tenant's header comes from a server function that resolves the URL slug through the
//! pre-tenant company lookup; an unknown or malformed slug is "not found", as any record of another
//! tenant will be.

pub mod api;
pub mod components;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod server;

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

/// What the header of a tenant's pages shows. Public facts about the company only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TenantShell {
    pub name: String,
    pub slug: String,
    pub timezone: String,
    pub currency: String,
    /// The current moment in the company's time zone (converted on the server).
    pub now: DateTime<FixedOffset>,
    /// The viewer's role inside this company (ADMIN for staff acting inside it).
    pub role: domain::UserRole,
}

impl TenantShell {
    /// Staff acting inside a customer's company: the pages say so in a banner.
    pub fn acting_as_staff(&self) -> bool {
        self.role == domain::UserRole::Admin
    }
}

/// What the landing page may show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LandingInfo {
    /// In development, the demo companies to open; empty in production.
    pub demo_slugs: Vec<String>,
}

/// The feature areas of a tenant, in navigation order, with their URL segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Area {
    Dashboard,
    Leads,
    Deals,
    Forecast,
    Conversations,
    Playbooks,
    Ranking,
    Okrs,
    Alerts,
    Bots,
    Search,
    Integrations,
    AiUsage,
    Users,
    Audit,
    Settings,
}

/// Navigation groups: a label key and the areas under it.
pub const NAV_GROUPS: [(NavGroup, &[Area]); 4] = [
    (
        NavGroup::Sell,
        &[
            Area::Dashboard,
            Area::Leads,
            Area::Deals,
            Area::Forecast,
            Area::Conversations,
        ],
    ),
    (
        NavGroup::Coach,
        &[Area::Playbooks, Area::Ranking, Area::Okrs, Area::Alerts],
    ),
    (
        NavGroup::Automate,
        &[Area::Bots, Area::Search, Area::Integrations, Area::AiUsage],
    ),
    (NavGroup::Admin, &[Area::Users, Area::Audit, Area::Settings]),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NavGroup {
    Sell,
    Coach,
    Automate,
    Admin,
}

impl Area {
    pub const ALL: [Area; 16] = [
        Area::Dashboard,
        Area::Leads,
        Area::Deals,
        Area::Forecast,
        Area::Conversations,
        Area::Playbooks,
        Area::Ranking,
        Area::Okrs,
        Area::Alerts,
        Area::Bots,
        Area::Search,
        Area::Integrations,
        Area::AiUsage,
        Area::Users,
        Area::Audit,
        Area::Settings,
    ];

    /// The URL segment after the company slug; the dashboard is the company's home itself.
    pub const fn segment(self) -> &'static str {
        match self {
            Area::Dashboard => "",
            Area::Leads => "leads",
            Area::Deals => "deals",
            Area::Forecast => "forecast",
            Area::Conversations => "conversations",
            Area::Playbooks => "playbooks",
            Area::Ranking => "ranking",
            Area::Okrs => "okrs",
            Area::Alerts => "alerts",
            Area::Bots => "bots",
            Area::Search => "search",
            Area::Integrations => "integrations",
            Area::AiUsage => "ai-usage",
            Area::Users => "users",
            Area::Audit => "audit",
            Area::Settings => "settings",
        }
    }

    pub fn from_segment(segment: &str) -> Option<Area> {
        Area::ALL
            .into_iter()
            .find(|a| a.segment() == segment && !segment.is_empty())
    }

    pub fn href(self, slug: &str) -> String {
        match self.segment() {
            "" => format!("/{slug}"),
            segment => format!("/{slug}/{segment}"),
        }
    }
}

/// Percent-encodes a value for a query string (`next=/acme/deals?page=2`).
pub fn encode_query_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// The formatting locale of an interface language.
pub fn locale_of(locale: crate::i18n::Locale) -> domain::Locale {
    match locale {
        crate::i18n::Locale::en => domain::Locale::En,
        _ => domain::Locale::PtBr,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_area_but_the_dashboard_is_reached_by_its_own_segment() {
        for area in Area::ALL {
            if area == Area::Dashboard {
                assert_eq!(Area::from_segment(""), None);
                assert_eq!(area.href("acme"), "/acme");
            } else {
                assert_eq!(Area::from_segment(area.segment()), Some(area));
                assert_eq!(area.href("acme"), format!("/acme/{}", area.segment()));
            }
        }
    }

    #[test]
    fn query_values_are_percent_encoded() {
        assert_eq!(
            encode_query_value("/acme/deals?page=2&q=são"),
            "/acme/deals%3Fpage%3D2%26q%3Ds%C3%A3o"
        );
    }

    #[test]
    fn navigation_lists_every_area_once() {
        let listed: Vec<Area> = NAV_GROUPS
            .iter()
            .flat_map(|(_, areas)| areas.iter().copied())
            .collect();
        assert_eq!(listed.len(), Area::ALL.len());
        for area in Area::ALL {
            assert_eq!(listed.iter().filter(|a| **a == area).count(), 1, "{area:?}");
        }
    }
}
