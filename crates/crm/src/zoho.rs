//! Zoho CRM (API v7): the Leads and Deals modules.
//!
//! - Auth: `Authorization: Zoho-oauthtoken <access token>` (not `Bearer`). The access token lives
//!   an hour; it is refreshed from the stored refresh token at `{accounts_url}/oauth/v2/token`
//!   (`grant_type=refresh_token`, the client id and secret, sent as a form body so no secret sits
//!   in a URL) when it is missing or about to expire, and when a call answers 401
//!   `INVALID_TOKEN` — then that call is made once more with the new token. Any other 401
//!   (`OAUTH_SCOPE_MISMATCH`…) is not retried: a new token would not help.
//! - Paging: `GET /crm/v7/{module}?fields=…&per_page=200&page=N` for the first 2 000 records,
//!   which is all `page` can reach; past that, `page_token` from `info.next_page_token` (valid for
//!   a day; an expired one is [`CrmError::CursorExpired`]). Records are sorted by
//!   `Modified_Time` ascending so the order holds while paging.
//! - Incremental sync: the `If-Modified-Since` header in ISO 8601; Zoho answers 304 or 204 when
//!   nothing changed.
//! - Owners: each record's `Owner` carries the owner's e-mail.
//! - Rate limits: 429 `TOO_MANY_REQUESTS` without `Retry-After`: retried after the backoff.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{DateTime, SecondsFormat, Utc};
use reqwest::header::{AUTHORIZATION, HeaderValue};
use reqwest::{StatusCode, Url};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::http::{self, Answer, Failure, Http};
use crate::json::{boolean, datetime, decimal, rest_of, str_field, text};
use crate::mapping::normalise_stage_name;
use crate::record::{currency_code, first_text, full_name};
use crate::{
    CrmDeal, CrmError, CrmLead, CrmRecord, Cursor, DealOutcome, HttpSettings, Object, Page,
    Provider, Secret, ZohoCredentials,
};

const PROVIDER: Provider = Provider::Zoho;
/// How far `page` numbers reach; past it only `page_token` does.
const PAGE_NUMBER_REACH: u32 = 2_000;
/// A token this close to its expiry is refreshed before use.
const EXPIRY_MARGIN: chrono::Duration = chrono::Duration::seconds(60);

const LEAD_FIELDS: &[&str] = &[
    "id",
    "First_Name",
    "Last_Name",
    "Full_Name",
    "Email",
    "Phone",
    "Mobile",
    "Company",
    "Designation",
    "Lead_Source",
    "Lead_Status",
    "Owner",
    "Modified_Time",
    "Created_Time",
];
const DEAL_FIELDS: &[&str] = &[
    "id",
    "Deal_Name",
    "Stage",
    "Amount",
    "Closing_Date",
    "Contact_Name",
    "Account_Name",
    "Owner",
    "Modified_Time",
    "Created_Time",
    "Probability",
];

/// Reads one Zoho CRM organisation.
#[derive(Debug)]
pub struct ZohoConnector {
    http: Http,
    credentials: Mutex<ZohoCredentials>,
    refreshed: AtomicBool,
    page_size: u32,
}

#[derive(Debug, Serialize, Deserialize)]
struct State {
    since: Option<DateTime<Utc>>,
    next: Position,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Position {
    Page(u32),
    PageToken(String),
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: Option<String>,
    expires_in: Option<i64>,
    api_domain: Option<String>,
    error: Option<String>,
}

impl ZohoConnector {
    pub fn new(credentials: ZohoCredentials, settings: &HttpSettings) -> Result<Self, CrmError> {
        if credentials.refresh_token.is_blank() || credentials.client_secret.is_blank() {
            return Err(CrmError::config(
                "the Zoho refresh token and client secret are required",
            ));
        }
        http::parse_url(&credentials.accounts_url, "the Zoho accounts URL")?;
        http::parse_url(&credentials.api_domain, "the Zoho API domain")?;
        Ok(Self {
            http: Http::new(PROVIDER, settings)?,
            credentials: Mutex::new(credentials),
            refreshed: AtomicBool::new(false),
            page_size: 200,
        })
    }

    /// Records per page (Zoho allows up to 200).
    pub fn with_page_size(mut self, page_size: u32) -> Self {
        self.page_size = page_size.clamp(1, 200);
        self
    }

    /// The credentials with the latest access token, when a refresh happened.
    pub fn refreshed_credentials(&self) -> Option<ZohoCredentials> {
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
        let (since, position) = match cursor {
            Some(cursor) => {
                let state: State = cursor.decode(PROVIDER, object)?;
                (state.since, state.next)
            }
            None => (since, Position::Page(1)),
        };
        let multi_currency = self.snapshot().multi_currency;
        let mut fields = fields(object).join(",");
        if object == Object::Deals && multi_currency {
            fields.push_str(",Currency");
        }
        let per_page = self.page_size.to_string();
        let mut query = vec![
            ("fields", fields),
            ("per_page", per_page),
            ("sort_by", "Modified_Time".to_owned()),
            ("sort_order", "asc".to_owned()),
        ];
        match &position {
            Position::Page(n) => query.push(("page", n.to_string())),
            Position::PageToken(token) => query.push(("page_token", token.clone())),
        }
        let answer = self.get(module(object), &query, since).await?;
        if answer.status == StatusCode::NO_CONTENT || answer.status == StatusCode::NOT_MODIFIED {
            return Ok(Page {
                records: Vec::new(),
                next: None,
            });
        }
        let body: Value = serde_json::from_slice(&answer.body)
            .map_err(|e| CrmError::invalid_response(PROVIDER, format!("not JSON: {e}")))?;
        let items = body
            .get("data")
            .and_then(Value::as_array)
            .ok_or_else(|| CrmError::invalid_response(PROVIDER, "no data array"))?;
        let records = items
            .iter()
            .map(|item| match object {
                Object::Leads => lead(item).map(CrmRecord::Lead),
                Object::Deals => deal(item).map(CrmRecord::Deal),
            })
            .collect::<Result<Vec<_>, _>>()?;
        let next = self
            .next_position(&body, &position)?
            .map(|next| Cursor::encode(PROVIDER, object, State { since, next }))
            .transpose()?;
        Ok(Page { records, next })
    }

    /// One Leads record: proves the refresh token, the data centre and the modules scope.
    pub async fn test_connection(&self) -> Result<(), CrmError> {
        let query = [("fields", "id".to_owned()), ("per_page", "1".to_owned())];
        self.get("Leads", &query, None).await.map(|_| ())
    }

    fn snapshot(&self) -> ZohoCredentials {
        self.credentials
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// The next page's position: the next page number while it stays within the first 2 000
    /// records, else Zoho's page token.
    fn next_position(
        &self,
        body: &Value,
        current: &Position,
    ) -> Result<Option<Position>, CrmError> {
        let info = body.get("info");
        let more = boolean(info.and_then(|i| i.get("more_records"))).unwrap_or(false);
        if !more {
            return Ok(None);
        }
        if let Position::Page(n) = current
            && (n + 1).saturating_mul(self.page_size) <= PAGE_NUMBER_REACH
        {
            return Ok(Some(Position::Page(n + 1)));
        }
        text(info.and_then(|i| i.get("next_page_token")))
            .map(|token| Some(Position::PageToken(token)))
            .ok_or_else(|| {
                CrmError::invalid_response(PROVIDER, "more records but no next_page_token")
            })
    }

    /// `GET {api_domain}/crm/v7/{module}`, refreshing the access token first when it is missing
    /// or expiring, and once more when Zoho says it is no longer valid.
    async fn get(
        &self,
        module: &str,
        query: &[(&str, String)],
        since: Option<DateTime<Utc>>,
    ) -> Result<Answer, CrmError> {
        let mut refreshed_now = false;
        if !self.has_fresh_token() {
            self.refresh().await?;
            refreshed_now = true;
        }
        loop {
            let credentials = self.snapshot();
            let base = http::parse_url(&credentials.api_domain, "the Zoho API domain")?;
            let mut url = http::join(&base, &format!("/crm/v7/{module}"))?;
            url.query_pairs_mut().extend_pairs(query);
            let auth = auth_header(credentials.access_token.as_ref())?;
            let build = || {
                let request = self
                    .http
                    .client()
                    .get(url.clone())
                    .header(AUTHORIZATION, auth.clone());
                match since {
                    Some(since) => request.header(
                        "If-Modified-Since",
                        since.to_rfc3339_opts(SecondsFormat::Secs, false),
                    ),
                    None => request,
                }
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

    fn has_fresh_token(&self) -> bool {
        let credentials = self.snapshot();
        let usable = credentials
            .access_token
            .as_ref()
            .is_some_and(|t| !t.is_blank());
        let expired = credentials
            .access_token_expires_at
            .is_some_and(|at| at <= Utc::now() + EXPIRY_MARGIN);
        usable && !expired
    }

    async fn refresh(&self) -> Result<(), CrmError> {
        let credentials = self.snapshot();
        let accounts = http::parse_url(&credentials.accounts_url, "the Zoho accounts URL")?;
        let url = http::join(&accounts, "/oauth/v2/token")?;
        let token: TokenAnswer = self
            .http
            .refresh_grant(
                &url,
                &credentials.client_id,
                &credentials.client_secret,
                &credentials.refresh_token,
            )
            .await?;
        // Zoho answers a bad refresh token with 200 and {"error": "invalid_code"}.
        let access_token = match (token.access_token, token.error) {
            (Some(access), _) if !access.trim().is_empty() => access,
            (_, error) => {
                return Err(CrmError::RefreshRejected {
                    provider: PROVIDER,
                    code: error,
                });
            }
        };
        let mut stored = self
            .credentials
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        stored.access_token = Some(Secret::new(access_token));
        stored.access_token_expires_at = token
            .expires_in
            .map(|secs| Utc::now() + chrono::Duration::seconds(secs));
        if let Some(domain) = token.api_domain.filter(|d| Url::parse(d).is_ok()) {
            stored.api_domain = domain;
        }
        self.refreshed.store(true, Ordering::SeqCst);
        tracing::info!(provider = PROVIDER.prefix(), "access token refreshed");
        Ok(())
    }
}

fn auth_header(token: Option<&Secret>) -> Result<HeaderValue, CrmError> {
    let token = token.map(Secret::expose_secret).unwrap_or_default();
    http::secret_header(
        &format!("Zoho-oauthtoken {}", token.trim()),
        "the Zoho access token",
    )
}

fn module(object: Object) -> &'static str {
    match object {
        Object::Leads => "Leads",
        Object::Deals => "Deals",
    }
}

fn fields(object: Object) -> &'static [&'static str] {
    match object {
        Object::Leads => LEAD_FIELDS,
        Object::Deals => DEAL_FIELDS,
    }
}

fn record_id(item: &Value) -> Result<String, CrmError> {
    text(item.get("id")).ok_or_else(|| CrmError::invalid_response(PROVIDER, "a record has no id"))
}

/// The `email` of a lookup such as `Owner` (`{"name", "id", "email"}`).
fn lookup_field<'a>(item: &'a Value, key: &str, field: &str) -> Option<&'a str> {
    item.get(key).and_then(|l| str_field(l, field))
}

fn lead(item: &Value) -> Result<CrmLead, CrmError> {
    let external_id = PROVIDER.external_id(&record_id(item)?);
    let s = |key: &str| str_field(item, key);
    let email = first_text(&[s("Email")]);
    let object = item.as_object().cloned().unwrap_or_default();
    Ok(CrmLead {
        name: first_text(&[s("Full_Name")])
            .or_else(|| full_name(&[s("First_Name"), s("Last_Name")]))
            .or_else(|| email.clone())
            .unwrap_or_else(|| external_id.clone()),
        email,
        phone: first_text(&[s("Phone"), s("Mobile")]),
        company_name: first_text(&[s("Company")]),
        position: first_text(&[s("Designation")]),
        source: first_text(&[s("Lead_Source")]),
        status: first_text(&[s("Lead_Status")]),
        owner_email: lookup_field(item, "Owner", "email").map(str::to_owned),
        updated_at: datetime(item.get("Modified_Time")),
        custom_fields: rest_of(&object, LEAD_FIELDS),
        external_id,
    })
}

fn deal(item: &Value) -> Result<CrmDeal, CrmError> {
    let external_id = PROVIDER.external_id(&record_id(item)?);
    let s = |key: &str| str_field(item, key);
    let stage = first_text(&[s("Stage")]);
    // Zoho's default closing stages are "Closed Won", "Closed Lost" and "Closed-Lost to
    // Competition"; a renamed one is left to the stage mapping.
    let outcome = stage.as_deref().map(normalise_stage_name).and_then(|n| {
        if n.starts_with("closedwon") {
            Some(DealOutcome::Won)
        } else if n.starts_with("closedlost") {
            Some(DealOutcome::Lost)
        } else {
            None
        }
    });
    let closing_date = datetime(item.get("Closing_Date"));
    let object = item.as_object().cloned().unwrap_or_default();
    let mut consumed = DEAL_FIELDS.to_vec();
    consumed.push("Currency");
    Ok(CrmDeal {
        title: first_text(&[s("Deal_Name")]).unwrap_or_else(|| external_id.clone()),
        stage_label: stage.clone(),
        stage_external: stage,
        outcome,
        value: decimal(item.get("Amount")),
        currency: currency_code(s("Currency")),
        expected_close_at: closing_date,
        closed_at: closing_date.filter(|_| outcome.is_some()),
        owner_email: lookup_field(item, "Owner", "email").map(str::to_owned),
        lead_external_id: item
            .get("Contact_Name")
            .and_then(|c| text(c.get("id")))
            .map(|id| PROVIDER.external_id(&id)),
        organisation_name: lookup_field(item, "Account_Name", "name").map(str::to_owned),
        updated_at: datetime(item.get("Modified_Time")),
        custom_fields: rest_of(&object, &consumed),
        external_id,
    })
}

/// Zoho's errors are `{"code": "INVALID_TOKEN", "status": "error", …}`.
fn classify(answer: &Answer) -> Failure {
    let body = answer.json_or_null();
    let code = str_field(&body, "code").map(str::to_owned);
    match (answer.status, code.as_deref()) {
        (StatusCode::UNAUTHORIZED, Some("INVALID_TOKEN")) => Failure::Unauthorized {
            status: 401,
            code,
            token_expired: true,
        },
        (StatusCode::BAD_REQUEST, Some("EXPIRED_VALUE" | "TOKEN_BOUND_DATA_MISMATCH")) => {
            Failure::CursorExpired
        }
        _ => Failure::from_status(answer, code),
    }
}

#[cfg(test)]
mod tests {
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
    fn only_an_invalid_token_is_worth_a_refresh() {
        assert!(matches!(
            classify(&answer(
                401,
                json!({"code": "INVALID_TOKEN", "status": "error"})
            )),
            Failure::Unauthorized {
                token_expired: true,
                ..
            }
        ));
        assert!(matches!(
            classify(&answer(
                401,
                json!({"code": "OAUTH_SCOPE_MISMATCH", "status": "error"})
            )),
            Failure::Unauthorized {
                token_expired: false,
                ..
            }
        ));
        assert_eq!(
            classify(&answer(429, json!({"code": "TOO_MANY_REQUESTS"}))),
            Failure::Throttled { retry_after: None }
        );
        assert_eq!(
            classify(&answer(
                400,
                json!({"code": "EXPIRED_VALUE", "status": "error"})
            )),
            Failure::CursorExpired
        );
    }

    #[test]
    fn default_closing_stage_names_say_won_or_lost() {
        let deal_in = |stage: &str| {
            deal(&json!({"id": "1", "Deal_Name": "X", "Stage": stage}))
                .expect("a deal")
                .outcome
        };
        assert_eq!(deal_in("Closed Won"), Some(DealOutcome::Won));
        assert_eq!(
            deal_in("Closed-Lost to Competition"),
            Some(DealOutcome::Lost)
        );
        assert_eq!(deal_in("Negotiation/Review"), None);
    }
}
