//! The normalised lead and deal every connector produces, whatever its provider calls them.
//!
//! Field names follow the `leads` and `deals` tables so the server's import maps them one to one;
//! what a provider has beyond them goes into `custom_fields` (its nulls dropped), so nothing the
//! customer keeps in the CRM is lost. External ids are namespaced by provider
//! ([`Provider::external_id`](crate::Provider::external_id)).
//!
//! Dates that a provider gives without a time (an expected close date) are placed at 12:00 UTC,
//! which falls on the same calendar day in every time zone from UTC−11 to UTC+11, Brazil's
//! included.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A record read from a CRM.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum CrmRecord {
    Lead(CrmLead),
    Deal(CrmDeal),
}

impl CrmRecord {
    pub fn external_id(&self) -> &str {
        match self {
            CrmRecord::Lead(lead) => &lead.external_id,
            CrmRecord::Deal(deal) => &deal.external_id,
        }
    }

    pub fn as_lead(&self) -> Option<&CrmLead> {
        match self {
            CrmRecord::Lead(lead) => Some(lead),
            CrmRecord::Deal(_) => None,
        }
    }

    pub fn as_deal(&self) -> Option<&CrmDeal> {
        match self {
            CrmRecord::Deal(deal) => Some(deal),
            CrmRecord::Lead(_) => None,
        }
    }
}

/// A lead: HubSpot contact, Pipedrive person, Zoho or Salesforce lead, or a custom API's record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CrmLead {
    /// `hubspot:123`, `pipedrive:45`…
    pub external_id: String,
    /// Never empty: the person's name, else their e-mail, else the external id.
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub company_name: Option<String>,
    pub position: Option<String>,
    pub source: Option<String>,
    pub status: Option<String>,
    /// The e-mail of the CRM user who owns the record, to be matched to a Performancy user
    /// ([`OwnerDirectory`](crate::OwnerDirectory)).
    pub owner_email: Option<String>,
    pub custom_fields: Map<String, Value>,
    pub updated_at: Option<DateTime<Utc>>,
}

/// Whether the provider says a deal is closed, and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DealOutcome {
    Won,
    Lost,
}

/// A deal: HubSpot or Pipedrive deal, Zoho deal, Salesforce opportunity, or a custom API's record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CrmDeal {
    pub external_id: String,
    /// Never empty: the deal's title, else the external id.
    pub title: String,
    /// The provider's own stage: an id where it has ids (HubSpot `dealstage`, Pipedrive
    /// `stage_id`), else its name (Zoho `Stage`, Salesforce `StageName`).
    pub stage_external: Option<String>,
    /// The stage's name as the customer sees it in the CRM, when known; what the fallback of
    /// [`map_stage`](crate::map_stage) compares with the company's stage names.
    pub stage_label: Option<String>,
    /// Won or lost, when the provider says so (HubSpot `hs_is_closed_won`, Pipedrive `status`,
    /// Salesforce `IsWon`/`IsClosed`).
    pub outcome: Option<DealOutcome>,
    pub value: Option<Decimal>,
    /// ISO 4217, upper case, when the provider gives one; else the company's currency applies.
    pub currency: Option<String>,
    pub expected_close_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub owner_email: Option<String>,
    /// The associated contact, person or lead, namespaced like a lead's external id, when the API
    /// gives one. For Zoho and Salesforce it is the deal's *contact* (a converted lead becomes a
    /// contact there), so it may name a record that was never imported as a lead.
    pub lead_external_id: Option<String>,
    /// The deal's organisation (company or account), so a deal without a contact can still get a
    /// lead made from its organisation (PRODUCT.md "Imports").
    pub organisation_name: Option<String>,
    pub custom_fields: Map<String, Value>,
    pub updated_at: Option<DateTime<Utc>>,
}

/// A person's display name from its parts, skipping blanks.
pub(crate) fn full_name(parts: &[Option<&str>]) -> Option<String> {
    let joined = parts
        .iter()
        .flatten()
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    (!joined.is_empty()).then_some(joined)
}

/// The first present, non-blank text.
pub(crate) fn first_text(candidates: &[Option<&str>]) -> Option<String> {
    candidates
        .iter()
        .flatten()
        .map(|c| c.trim())
        .find(|c| !c.is_empty())
        .map(str::to_owned)
}

/// An ISO 4217 code, upper-cased, when `text` looks like one.
pub(crate) fn currency_code(text: Option<&str>) -> Option<String> {
    let code = text?.trim().to_ascii_uppercase();
    (code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase())).then_some(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_joined_from_their_non_blank_parts() {
        assert_eq!(
            full_name(&[Some(" Ana "), None, Some("Souza")]),
            Some("Ana Souza".into())
        );
        assert_eq!(full_name(&[Some(""), Some("  ")]), None);
        assert_eq!(
            first_text(&[None, Some(" "), Some("x@y.z")]),
            Some("x@y.z".into())
        );
    }

    #[test]
    fn only_three_letter_codes_are_currencies() {
        assert_eq!(currency_code(Some("brl")), Some("BRL".into()));
        assert_eq!(currency_code(Some("R$")), None);
        assert_eq!(currency_code(Some("EURO")), None);
        assert_eq!(currency_code(None), None);
    }
}
