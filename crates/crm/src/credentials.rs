//! What each provider needs to let us in, in the shape the server seals into
//! `integrations.encrypted_config`.
//!
//! Secrets are [`Secret`]s: serde writes them (sealing needs the text) but `Debug` never shows them,
//! so a credentials value can be logged or put in an error chain without leaking. Nothing here has a
//! default secret; the defaults are public addresses and API versions only.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A token, key or client secret. It has no `Display`, its `Debug` says only that it is there, and
/// the one way to read it is [`Secret::expose_secret`], called where a request header is set.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself, for the header or form field that carries it.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }

    pub(crate) fn is_blank(&self) -> bool {
        self.0.trim().is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

/// One integration's credentials, tagged by provider (`{"provider": "hubspot", ...}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "provider", rename_all = "lowercase")]
pub enum Credentials {
    HubSpot(HubSpotCredentials),
    Pipedrive(PipedriveCredentials),
    Zoho(ZohoCredentials),
    Salesforce(SalesforceCredentials),
    /// Boxed: a custom API's configuration is many times the size of any other credentials.
    Custom(Box<crate::custom::CustomApiConfig>),
}

/// A HubSpot private app's access token (sent as `Authorization: Bearer`). It needs the
/// `crm.objects.contacts.read`, `crm.objects.deals.read` and `crm.objects.owners.read` scopes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HubSpotCredentials {
    pub access_token: Secret,
}

/// A Pipedrive user's API token (sent in the `x-api-token` header, never in the URL, so it cannot
/// end up in a proxy log) and the company's subdomain: `acme` for `acme.pipedrive.com`, where the
/// v2 API lives.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PipedriveCredentials {
    pub api_token: Secret,
    pub company_domain: String,
}

/// A Zoho CRM OAuth client and its refresh token, for one data centre: `accounts_url` is where
/// tokens are refreshed (`https://accounts.zoho.com`, `.eu`, `.in`, `.com.au`…), `api_domain` where
/// records are read (`https://www.zohoapis.com`…; Zoho returns it with each token). The access
/// token and its expiry are a cache, refreshed when missing, about to expire, or refused.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ZohoCredentials {
    pub client_id: String,
    pub client_secret: Secret,
    pub refresh_token: Secret,
    #[serde(default = "default_zoho_accounts_url")]
    pub accounts_url: String,
    #[serde(default = "default_zoho_api_domain")]
    pub api_domain: String,
    #[serde(default)]
    pub access_token: Option<Secret>,
    #[serde(default)]
    pub access_token_expires_at: Option<DateTime<Utc>>,
    /// The organisation has multi-currency on, so deals carry a `Currency` field to read.
    #[serde(default)]
    pub multi_currency: bool,
}

fn default_zoho_accounts_url() -> String {
    "https://accounts.zoho.com".to_owned()
}

fn default_zoho_api_domain() -> String {
    "https://www.zohoapis.com".to_owned()
}

/// A Salesforce connected app and its refresh token: `login_url` is where tokens are refreshed
/// (`https://login.salesforce.com`, or `https://test.salesforce.com` for a sandbox), `instance_url`
/// the org's own host (Salesforce returns it with each token). The access token is a cache,
/// refreshed when missing or refused (Salesforce does not say when it expires).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SalesforceCredentials {
    pub client_id: String,
    pub client_secret: Secret,
    pub refresh_token: Secret,
    pub instance_url: String,
    #[serde(default = "default_salesforce_login_url")]
    pub login_url: String,
    #[serde(default)]
    pub access_token: Option<Secret>,
    /// The REST API version, without the `v`.
    #[serde(default = "default_salesforce_api_version")]
    pub api_version: String,
    /// The org has multi-currency on, so opportunities carry `CurrencyIsoCode`; asking for it in
    /// an org without it fails the query.
    #[serde(default)]
    pub multi_currency: bool,
}

fn default_salesforce_login_url() -> String {
    "https://login.salesforce.com".to_owned()
}

fn default_salesforce_api_version() -> String {
    "62.0".to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_of_any_credentials_never_shows_a_secret() {
        let all = [
            Credentials::HubSpot(HubSpotCredentials {
                access_token: Secret::new("pat-na1-SECRET1"),
            }),
            Credentials::Pipedrive(PipedriveCredentials {
                api_token: Secret::new("SECRET2"),
                company_domain: "acme".into(),
            }),
            Credentials::Zoho(ZohoCredentials {
                client_id: "1000.CLIENT".into(),
                client_secret: Secret::new("SECRET3"),
                refresh_token: Secret::new("SECRET4"),
                accounts_url: default_zoho_accounts_url(),
                api_domain: default_zoho_api_domain(),
                access_token: Some(Secret::new("SECRET5")),
                access_token_expires_at: None,
                multi_currency: false,
            }),
            Credentials::Salesforce(SalesforceCredentials {
                client_id: "3MVG9".into(),
                client_secret: Secret::new("SECRET6"),
                refresh_token: Secret::new("SECRET7"),
                instance_url: "https://acme.my.salesforce.com".into(),
                login_url: default_salesforce_login_url(),
                access_token: Some(Secret::new("SECRET8")),
                api_version: default_salesforce_api_version(),
                multi_currency: false,
            }),
        ];
        for credentials in all {
            let debug = format!("{credentials:?}");
            assert!(!debug.contains("SECRET"), "{debug}");
            assert!(debug.contains("[redacted]"), "{debug}");
        }
    }

    #[test]
    fn credentials_round_trip_through_json_with_their_provider_tag() {
        let json = r#"{"provider":"salesforce","client_id":"c","client_secret":"s",
            "refresh_token":"r","instance_url":"https://acme.my.salesforce.com"}"#;
        let parsed: Credentials = serde_json::from_str(json).expect("valid credentials");
        let Credentials::Salesforce(sf) = &parsed else {
            panic!("not salesforce: {parsed:?}");
        };
        assert_eq!(sf.login_url, "https://login.salesforce.com");
        assert_eq!(sf.api_version, "62.0");
        assert_eq!(sf.refresh_token.expose_secret(), "r");
        let again: Credentials =
            serde_json::from_str(&serde_json::to_string(&parsed).expect("serialises"))
                .expect("parses");
        assert_eq!(again, parsed);
    }
}
