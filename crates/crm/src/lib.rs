//! Reads leads and deals from a company's CRM, one page at a time, into one normalised record.
//!
//! Five connectors — [HubSpot](hubspot), [Pipedrive](pipedrive), [Zoho CRM](zoho),
//! [Salesforce](salesforce) and a [custom JSON API](custom) — each speak their provider's public API
//! as it is (its paging, its auth header, its way of saying "slow down"), and all answer through
//! [`Connector::fetch_page`]. The crate has no database and no web framework: the server's
//! background job calls it and writes the rows itself, so everything here is testable against a
//! mock server in milliseconds.
//!
//! # Why one page per call
//!
//! A sync job must be able to stop anywhere and go on later. So a call fetches one page and hands
//! back the records together with an opaque [`Cursor`] for the next page; the caller writes the
//! rows, stores the cursor, and asks again:
//!
//! ```no_run
//! # async fn job(connector: crm::Connector, stored: Option<crm::Cursor>) -> Result<(), crm::CrmError> {
//! use crm::Object;
//! let since = None; // or the mark of the last completed incremental run
//! let mut cursor = stored; // None: a fresh run; Some: resume where the last run stopped
//! loop {
//!     let page = connector.fetch_page(Object::Deals, cursor.as_ref(), since).await?;
//!     // write page.records, then persist page.next with them (same transaction)
//!     match page.next {
//!         Some(next) => cursor = Some(next),
//!         None => break, // done: clear the stored cursor, move the incremental mark
//!     }
//! }
//! # Ok(()) }
//! ```
//!
//! - **Full sync**: `since = None`, no cursor.
//! - **Incremental sync**: `since = Some(mark)`, where the provider allows it server-side (HubSpot's
//!   search endpoint, Pipedrive's `updated_since`, Zoho's `If-Modified-Since`, a Salesforce
//!   `LastModifiedDate` filter, a custom API's configured parameter); the custom API without such a
//!   parameter is filtered here on its `updated_at`. The filter is inclusive (`>=`): a record changed
//!   in the same second as the mark comes again rather than being lost, and writing it twice changes
//!   nothing. A good mark is the start time of the last run that reached the end.
//! - **Partial runs**: when a page fails, the pages already handed out stay written; the error says
//!   why; the next run passes the last stored cursor and fetches the rest, without the pages before
//!   it. A cursor carries the query it belongs to (object and `since`), so `since` is ignored when a
//!   cursor is given, and a cursor of another provider or object is refused
//!   ([`CrmError::InvalidCursor`]). Some providers' cursors expire (Zoho's `page_token` after a day,
//!   Salesforce's query locator after about 15 idle minutes): then [`CrmError::CursorExpired`] says
//!   to start the run again without a cursor.
//!
//! # Credentials
//!
//! Each provider's [`Credentials`] type is serde (the server seals it with the `vault` crate) and
//! redacts its secrets in `Debug`. Zoho and Salesforce use OAuth: an expired access token is
//! refreshed from the stored refresh token and the call is made once more; the caller then stores
//! [`Connector::refreshed_credentials`], so the next run does not refresh again.
//!
//! # Outbound addresses
//!
//! URLs that come from a user (the custom API's, and the domains stored in OAuth credentials) may not
//! reach private, loopback, link-local or otherwise non-public addresses (PRODUCT.md "Outbound
//! URLs"), checked on literal IPs and on DNS answers, unless [`HttpSettings::allow_private_addresses`]
//! is set for development and tests. See [`address`].

pub mod address;
mod credentials;
pub mod custom;
mod error;
mod http;
pub mod hubspot;
mod json;
mod mapping;
mod paging;
pub mod pipedrive;
mod record;
pub mod salesforce;
pub mod zoho;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use credentials::{
    Credentials, HubSpotCredentials, PipedriveCredentials, SalesforceCredentials, Secret,
    ZohoCredentials,
};
pub use custom::{CustomApiConfig, CustomEndpoint, FieldPaths};
pub use error::{ConnectionProblem, CrmError};
pub use http::{HttpSettings, RetryPolicy, retry_after};
pub use mapping::{
    CompanyStage, OwnerDirectory, StageChoice, StageMatch, map_stage, normalise_stage_name,
};
pub use paging::Cursor;
pub use record::{CrmDeal, CrmLead, CrmRecord, DealOutcome};

/// Which CRM a record or a connector belongs to. Its [`prefix`](Provider::prefix) namespaces
/// external ids (`hubspot:123`), so two sources never collide under `(company_id, external_id)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    HubSpot,
    Pipedrive,
    Zoho,
    Salesforce,
    Custom,
}

impl Provider {
    pub const ALL: [Provider; 5] = [
        Provider::HubSpot,
        Provider::Pipedrive,
        Provider::Zoho,
        Provider::Salesforce,
        Provider::Custom,
    ];

    /// The namespace of this provider's external ids.
    pub const fn prefix(self) -> &'static str {
        match self {
            Provider::HubSpot => "hubspot",
            Provider::Pipedrive => "pipedrive",
            Provider::Zoho => "zoho",
            Provider::Salesforce => "salesforce",
            Provider::Custom => "custom",
        }
    }

    /// The provider's own id of a record, namespaced: `hubspot:123`.
    pub fn external_id(self, provider_id: &str) -> String {
        format!("{}:{}", self.prefix(), provider_id.trim())
    }

    /// The `integration_provider` value of the database.
    pub const fn integration_provider(self) -> domain::IntegrationProvider {
        match self {
            Provider::HubSpot => domain::IntegrationProvider::Hubspot,
            Provider::Pipedrive => domain::IntegrationProvider::Pipedrive,
            Provider::Zoho => domain::IntegrationProvider::Zoho,
            Provider::Salesforce => domain::IntegrationProvider::Salesforce,
            Provider::Custom => domain::IntegrationProvider::CustomApi,
        }
    }
}

impl std::fmt::Display for Provider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Provider::HubSpot => "HubSpot",
            Provider::Pipedrive => "Pipedrive",
            Provider::Zoho => "Zoho CRM",
            Provider::Salesforce => "Salesforce",
            Provider::Custom => "the custom API",
        })
    }
}

/// What to read: leads (HubSpot contacts, Pipedrive persons, Zoho and Salesforce leads) or deals
/// (Salesforce opportunities).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Object {
    Leads,
    Deals,
}

impl Object {
    pub const fn as_str(self) -> &'static str {
        match self {
            Object::Leads => "leads",
            Object::Deals => "deals",
        }
    }
}

impl std::fmt::Display for Object {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One page of records and where the next one starts (`None`: this was the last).
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub records: Vec<CrmRecord>,
    pub next: Option<Cursor>,
}

/// A company's CRM integration, ready to read. Built from its stored [`Credentials`].
#[derive(Debug)]
pub enum Connector {
    HubSpot(hubspot::HubSpotConnector),
    Pipedrive(pipedrive::PipedriveConnector),
    Zoho(zoho::ZohoConnector),
    Salesforce(salesforce::SalesforceConnector),
    Custom(Box<custom::CustomConnector>),
}

impl Connector {
    /// The connector for `credentials`, reaching each provider's public API.
    pub fn new(credentials: Credentials, settings: &HttpSettings) -> Result<Self, CrmError> {
        Ok(match credentials {
            Credentials::HubSpot(c) => {
                Connector::HubSpot(hubspot::HubSpotConnector::new(c, settings)?)
            }
            Credentials::Pipedrive(c) => {
                Connector::Pipedrive(pipedrive::PipedriveConnector::new(c, settings)?)
            }
            Credentials::Zoho(c) => Connector::Zoho(zoho::ZohoConnector::new(c, settings)?),
            Credentials::Salesforce(c) => {
                Connector::Salesforce(salesforce::SalesforceConnector::new(c, settings)?)
            }
            Credentials::Custom(c) => {
                Connector::Custom(Box::new(custom::CustomConnector::new(*c, settings)?))
            }
        })
    }

    pub fn provider(&self) -> Provider {
        match self {
            Connector::HubSpot(_) => Provider::HubSpot,
            Connector::Pipedrive(_) => Provider::Pipedrive,
            Connector::Zoho(_) => Provider::Zoho,
            Connector::Salesforce(_) => Provider::Salesforce,
            Connector::Custom(_) => Provider::Custom,
        }
    }

    /// Whether this integration can read `object` (a custom API may configure only one of them).
    pub fn supports(&self, object: Object) -> bool {
        match self {
            Connector::Custom(c) => c.supports(object),
            _ => true,
        }
    }

    /// One page of `object`: the first when `cursor` is `None`, else the one the cursor points
    /// at. `since` asks for records changed at or after that time (ignored when a cursor is given:
    /// the cursor carries its own query). See the crate documentation for the sync loop.
    pub async fn fetch_page(
        &self,
        object: Object,
        cursor: Option<&Cursor>,
        since: Option<DateTime<Utc>>,
    ) -> Result<Page, CrmError> {
        match self {
            Connector::HubSpot(c) => c.fetch_page(object, cursor, since).await,
            Connector::Pipedrive(c) => c.fetch_page(object, cursor, since).await,
            Connector::Zoho(c) => c.fetch_page(object, cursor, since).await,
            Connector::Salesforce(c) => c.fetch_page(object, cursor, since).await,
            Connector::Custom(c) => c.fetch_page(object, cursor, since).await,
        }
    }

    /// Makes the cheapest call that proves the integration works and says, in terms the UI can
    /// put to a director, what is wrong when it does not.
    pub async fn test_connection(&self) -> Result<(), ConnectionProblem> {
        let outcome = match self {
            Connector::HubSpot(c) => c.test_connection().await,
            Connector::Pipedrive(c) => c.test_connection().await,
            Connector::Zoho(c) => c.test_connection().await,
            Connector::Salesforce(c) => c.test_connection().await,
            Connector::Custom(c) => c.test_connection().await,
        };
        outcome.map_err(|error| ConnectionProblem::from(&error))
    }

    /// The credentials with the access token obtained by a refresh, when one happened since this
    /// connector was built; the caller seals and stores them so the next run starts with a valid
    /// token. Check it after every run, failed or not: a refresh may precede the failure.
    pub fn refreshed_credentials(&self) -> Option<Credentials> {
        match self {
            Connector::Zoho(c) => c.refreshed_credentials().map(Credentials::Zoho),
            Connector::Salesforce(c) => c.refreshed_credentials().map(Credentials::Salesforce),
            _ => None,
        }
    }
}
