//! Salesforce REST API: Lead records become leads, Opportunity records deals.
//!
//! - Auth: `Authorization: Bearer <access token>`. Salesforce does not say when a token expires,
//!   so it is refreshed when missing and when a call answers 401 `INVALID_SESSION_ID`, at
//!   `{login_url}/services/oauth2/token` (`grant_type=refresh_token`, form body); the call is then
//!   made once more. The answer's `instance_url` replaces the stored one.
//! - Paging: one SOQL query, `GET /services/data/vXX.X/query?q=…`, then `nextRecordsUrl` until
//!   `done`. The query locator in that URL expires after about 15 idle minutes; resuming with an
//!   expired one is [`CrmError::CursorExpired`] (`INVALID_QUERY_LOCATOR`).
//! - Incremental sync: `WHERE LastModifiedDate >= <since>`, ordered by `LastModifiedDate`.
//! - Owners: `Owner.Email` in the query. A deal's contact is its primary opportunity contact role,
//!   through a sub-query; its organisation `Account.Name`.
//! - Rate limits: 403 with `REQUEST_LIMIT_EXCEEDED` in the JSON error array is retried after the
//!   backoff (Salesforce sends no delay); so is 429, should a proxy send one.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{DateTime, SecondsFormat, Utc};
use reqwest::header::{AUTHORIZATION, HeaderValue};
use reqwest::{StatusCode, Url};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::http::{self, Answer, Failure, Http};
use crate::json::{boolean, datetime, decimal, rest_of, str_field, text};
use crate::record::{currency_code, first_text, full_name};
use crate::{
    CrmDeal, CrmError, CrmLead, CrmRecord, Cursor, DealOutcome, HttpSettings, Object, Page,
    Provider, SalesforceCredentials, Secret,
};

const PROVIDER: Provider = Provider::Salesforce;

const LEAD_FIELDS: &[&str] = &[
    "Id",
    "FirstName",
    "LastName",
    "Name",
    "Email",
    "Phone",
    "MobilePhone",
    "Company",
    "Title",
    "LeadSource",
    "Status",
    "Owner.Email",
    "LastModifiedDate",
];
const OPPORTUNITY_FIELDS: &[&str] = &[
    "Id",
    "Name",
    "StageName",
    "Amount",
    "CloseDate",
    "IsClosed",
    "IsWon",
    "Owner.Email",
    "Account.Name",
    "LastModifiedDate",
];
/// Keys of a record that are not custom fields (relationships appear under their first part).
const CONSUMED: &[&str] = &[
    "attributes",
    "Id",
    "FirstName",
    "LastName",
    "Name",
    "Email",
    "Phone",
    "MobilePhone",
    "Company",
    "Title",
    "LeadSource",
    "Status",
    "Owner",
    "LastModifiedDate",
    "StageName",
    "Amount",
    "CurrencyIsoCode",
    "CloseDate",
    "IsClosed",
    "IsWon",
    "Account",
    "OpportunityContactRoles",
];

/// Reads one Salesforce org.
#[derive(Debug)]
pub struct SalesforceConnector {
    http: Http,
    credentials: Mutex<SalesforceCredentials>,
    refreshed: AtomicBool,
}

#[derive(Debug, Serialize, Deserialize)]
struct State {
    since: Option<DateTime<Utc>>,
    next_records_url: String,
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: Option<String>,
    instance_url: Option<String>,
}

/// Where a request goes, relative to the org's instance URL.
enum Target<'a> {
    Query(&'a str),
    Next(&'a str),
}

impl SalesforceConnector {
    pub fn new(
        credentials: SalesforceCredentials,
        settings: &HttpSettings,
    ) -> Result<Self, CrmError> {
        if credentials.refresh_token.is_blank() || credentials.client_secret.is_blank() {
            return Err(CrmError::config(
                "the Salesforce refresh token and client secret are required",
            ));
        }
        http::parse_url(&credentials.instance_url, "the Salesforce instance URL")?;
        http::parse_url(&credentials.login_url, "the Salesforce login URL")?;
        let version = credentials.api_version.trim().trim_start_matches('v');
        if version.parse::<f32>().is_err() {
            return Err(CrmError::config(
                "the Salesforce API version must look like 62.0",
            ));
        }
        Ok(Self {
            http: Http::new(PROVIDER, settings)?,
            credentials: Mutex::new(credentials),
            refreshed: AtomicBool::new(false),
        })
    }

    /// The credentials with the latest access token (and instance URL), when a refresh happened.
    pub fn refreshed_credentials(&self) -> Option<SalesforceCredentials> {
        self.refreshed
            .load(Ordering::SeqCst)
            .then(|| self.snapshot())
    }

    pub async fn fetch_page(
        &self,
        object: Object,
        cursor: Option<&Cursor>,
        since: Option<DateTime<Utc>>,
    ) -> Result<Page, CrmError> {
        let (since, answer) = match cursor {
            Some(cursor) => {
                let state: State = cursor.decode(PROVIDER, object)?;
                let answer = self.get(Target::Next(&state.next_records_url)).await?;
                (state.since, answer)
            }
            None => {
                let soql = soql(object, since, self.snapshot().multi_currency);
                (since, self.get(Target::Query(&soql)).await?)
            }
        };
        let body: Value = serde_json::from_slice(&answer.body)
            .map_err(|e| CrmError::invalid_response(PROVIDER, format!("not JSON: {e}")))?;
        let items = body
            .get("records")
            .and_then(Value::as_array)
            .ok_or_else(|| CrmError::invalid_response(PROVIDER, "no records array"))?;
        let records = items
            .iter()
            .map(|item| match object {
                Object::Leads => lead(item).map(CrmRecord::Lead),
                Object::Deals => opportunity(item).map(CrmRecord::Deal),
            })
            .collect::<Result<Vec<_>, _>>()?;
        let done = boolean(body.get("done")).unwrap_or(true);
        let next = match text(body.get("nextRecordsUrl")) {
            Some(next_records_url) if !done => Some(Cursor::encode(
                PROVIDER,
                object,
                State {
                    since,
                    next_records_url,
                },
            )?),
            _ => None,
        };
        Ok(Page { records, next })
    }

    /// One Lead: proves the refresh token, the instance and the API access.
    pub async fn test_connection(&self) -> Result<(), CrmError> {
        self.get(Target::Query("SELECT Id FROM Lead LIMIT 1"))
            .await
            .map(|_| ())
    }

    fn snapshot(&self) -> SalesforceCredentials {
        self.credentials
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    fn url(
        &self,
        target: &Target<'_>,
        credentials: &SalesforceCredentials,
    ) -> Result<Url, CrmError> {
        let instance = http::parse_url(&credentials.instance_url, "the Salesforce instance URL")?;
        match target {
            Target::Query(soql) => {
                let version = credentials.api_version.trim().trim_start_matches('v');
                let mut url = http::join(&instance, &format!("/services/data/v{version}/query"))?;
                url.query_pairs_mut().append_pair("q", soql);
                Ok(url)
            }
            // A locator is a path on the instance; anything else in a stored cursor is refused
            // rather than followed to another host.
            Target::Next(path) if path.starts_with("/services/data/") && !path.contains("://") => {
                instance.join(path).map_err(|_| {
                    CrmError::invalid_response(PROVIDER, "nextRecordsUrl is not a valid path")
                })
            }
            Target::Next(_) => Err(CrmError::invalid_response(
                PROVIDER,
                "nextRecordsUrl is not a path of the REST API",
            )),
        }
    }

    /// Sends a request to the instance, refreshing the token first when there is none, and once
    /// more when Salesforce says the session is invalid.
    async fn get(&self, target: Target<'_>) -> Result<Answer, CrmError> {
        let mut refreshed_now = false;
        let has_token = self
            .snapshot()
            .access_token
            .as_ref()
            .is_some_and(|t| !t.is_blank());
        if !has_token {
            self.refresh().await?;
            refreshed_now = true;
        }
        loop {
            let credentials = self.snapshot();
            let url = self.url(&target, &credentials)?;
            let auth = auth_header(credentials.access_token.as_ref())?;
            let build = || {
                self.http
                    .client()
                    .get(url.clone())
                    .header(AUTHORIZATION, auth.clone())
            };
            match self.http.send(build, classify).await {
                Err(Failure::Unauthorized {
                    token_expired: true,
                    ..
                }) if !refreshed_now => {
                    self.refresh().await?;
                    refreshed_now = true;
                }
                outcome => return outcome.map_err(|f| f.into_error(PROVIDER)),
            }
        }
    }

    async fn refresh(&self) -> Result<(), CrmError> {
        let credentials = self.snapshot();
        let login = http::parse_url(&credentials.login_url, "the Salesforce login URL")?;
        let url = http::join(&login, "/services/oauth2/token")?;
        let token: TokenAnswer = self
            .http
            .refresh_grant(
                &url,
                &credentials.client_id,
                &credentials.client_secret,
                &credentials.refresh_token,
            )
            .await?;
        let access_token = token
            .access_token
            .filter(|t| !t.trim().is_empty())
            .ok_or_else(|| {
                CrmError::invalid_response(PROVIDER, "the token answer has no access_token")
            })?;
        let mut stored = self
            .credentials
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        stored.access_token = Some(Secret::new(access_token));
        if let Some(instance) = token.instance_url.filter(|u| Url::parse(u).is_ok()) {
            stored.instance_url = instance;
        }
        self.refreshed.store(true, Ordering::SeqCst);
        tracing::info!(provider = PROVIDER.prefix(), "access token refreshed");
        Ok(())
    }
}

fn auth_header(token: Option<&Secret>) -> Result<HeaderValue, CrmError> {
    let token = token.map(Secret::expose_secret).unwrap_or_default();
    http::secret_header(
        &format!("Bearer {}", token.trim()),
        "the Salesforce access token",
    )
}

/// The SOQL query of a sync: every field the record needs, changed at or after `since`, oldest
/// change first.
fn soql(object: Object, since: Option<DateTime<Utc>>, multi_currency: bool) -> String {
    let (mut fields, from) = match object {
        Object::Leads => (LEAD_FIELDS.join(", "), "Lead"),
        Object::Deals => (OPPORTUNITY_FIELDS.join(", "), "Opportunity"),
    };
    if object == Object::Deals {
        if multi_currency {
            fields.push_str(", CurrencyIsoCode");
        }
        fields.push_str(
            ", (SELECT ContactId FROM OpportunityContactRoles WHERE IsPrimary = true LIMIT 1)",
        );
    }
    let filter = since
        .map(|s| {
            format!(
                " WHERE LastModifiedDate >= {}",
                s.to_rfc3339_opts(SecondsFormat::Secs, true)
            )
        })
        .unwrap_or_default();
    format!("SELECT {fields} FROM {from}{filter} ORDER BY LastModifiedDate ASC")
}

fn record_id(item: &Value) -> Result<String, CrmError> {
    text(item.get("Id")).ok_or_else(|| CrmError::invalid_response(PROVIDER, "a record has no Id"))
}

/// A field of a related record: `Owner.Email` is `{"Owner": {"Email": …}}`.
fn related<'a>(item: &'a Value, relation: &str, field: &str) -> Option<&'a str> {
    item.get(relation).and_then(|r| str_field(r, field))
}

fn custom_fields(item: &Value) -> serde_json::Map<String, Value> {
    rest_of(&item.as_object().cloned().unwrap_or_default(), CONSUMED)
}

fn lead(item: &Value) -> Result<CrmLead, CrmError> {
    let external_id = PROVIDER.external_id(&record_id(item)?);
    let s = |key: &str| str_field(item, key);
    let email = first_text(&[s("Email")]);
    Ok(CrmLead {
        name: full_name(&[s("FirstName"), s("LastName")])
            .or_else(|| first_text(&[s("Name")]))
            .or_else(|| email.clone())
            .unwrap_or_else(|| external_id.clone()),
        email,
        phone: first_text(&[s("Phone"), s("MobilePhone")]),
        company_name: first_text(&[s("Company")]),
        position: first_text(&[s("Title")]),
        source: first_text(&[s("LeadSource")]),
        status: first_text(&[s("Status")]),
        owner_email: related(item, "Owner", "Email").map(str::to_owned),
        updated_at: datetime(item.get("LastModifiedDate")),
        custom_fields: custom_fields(item),
        external_id,
    })
}

fn opportunity(item: &Value) -> Result<CrmDeal, CrmError> {
    let external_id = PROVIDER.external_id(&record_id(item)?);
    let s = |key: &str| str_field(item, key);
    let closed = boolean(item.get("IsClosed")).unwrap_or(false);
    let outcome = match (closed, boolean(item.get("IsWon"))) {
        (true, Some(true)) => Some(DealOutcome::Won),
        (true, _) => Some(DealOutcome::Lost),
        (false, _) => None,
    };
    let close_date = datetime(item.get("CloseDate"));
    let contact = item
        .pointer("/OpportunityContactRoles/records/0/ContactId")
        .and_then(|c| text(Some(c)));
    let stage = first_text(&[s("StageName")]);
    Ok(CrmDeal {
        title: first_text(&[s("Name")]).unwrap_or_else(|| external_id.clone()),
        stage_label: stage.clone(),
        stage_external: stage,
        outcome,
        value: decimal(item.get("Amount")),
        currency: currency_code(s("CurrencyIsoCode")),
        expected_close_at: close_date,
        closed_at: close_date.filter(|_| closed),
        owner_email: related(item, "Owner", "Email").map(str::to_owned),
        lead_external_id: contact.map(|id| PROVIDER.external_id(&id)),
        organisation_name: related(item, "Account", "Name").map(str::to_owned),
        updated_at: datetime(item.get("LastModifiedDate")),
        custom_fields: custom_fields(item),
        external_id,
    })
}

/// Salesforce's errors are a JSON array: `[{"message": …, "errorCode": "INVALID_SESSION_ID"}]`.
fn classify(answer: &Answer) -> Failure {
    let body = answer.json_or_null();
    let code = body
        .get(0)
        .and_then(|e| str_field(e, "errorCode"))
        .map(str::to_owned);
    match (answer.status, code.as_deref()) {
        (StatusCode::UNAUTHORIZED, Some("INVALID_SESSION_ID")) => Failure::Unauthorized {
            status: 401,
            code,
            token_expired: true,
        },
        (_, Some("REQUEST_LIMIT_EXCEEDED")) => Failure::Throttled {
            retry_after: http::retry_after(&answer.headers),
        },
        (StatusCode::BAD_REQUEST, Some("INVALID_QUERY_LOCATOR")) => Failure::CursorExpired,
        _ => Failure::from_status(answer, code),
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use reqwest::header::HeaderMap;
    use serde_json::json;

    use super::*;

    fn answer(status: u16, body: Value) -> Answer {
        Answer {
            status: StatusCode::from_u16(status).expect("status"),
            headers: HeaderMap::new(),
            body: serde_json::to_vec(&body).expect("json"),
        }
    }

    #[test]
    fn the_request_limit_is_rate_limiting_and_an_invalid_session_is_worth_a_refresh() {
        assert_eq!(
            classify(&answer(
                403,
                json!([{"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}])
            )),
            Failure::Throttled { retry_after: None }
        );
        assert!(matches!(
            classify(&answer(
                401,
                json!([{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}])
            )),
            Failure::Unauthorized {
                token_expired: true,
                ..
            }
        ));
        assert!(matches!(
            classify(&answer(403, json!([{"errorCode": "API_DISABLED_FOR_ORG"}]))),
            Failure::Forbidden { .. }
        ));
    }

    #[test]
    fn an_incremental_query_filters_on_last_modified_date_inclusively() {
        let since = Utc
            .with_ymd_and_hms(2024, 5, 1, 12, 30, 0)
            .single()
            .expect("a time");
        let query = soql(Object::Deals, Some(since), true);
        assert!(
            query.contains("FROM Opportunity WHERE LastModifiedDate >= 2024-05-01T12:30:00Z ORDER BY LastModifiedDate ASC"),
            "{query}"
        );
        assert!(query.contains("CurrencyIsoCode"));
        assert!(!soql(Object::Leads, None, false).contains("WHERE"));
    }
}
