//! Pipedrive: persons become leads, deals stay deals.
//!
//! - Auth: the user's API token in the `x-api-token` header (what Pipedrive documents today; the
//!   older `api_token` query parameter would put the token in every URL and access log).
//! - Paging: the v2 list endpoints `GET /api/v2/persons` and `/api/v2/deals`, 500 a page, with
//!   `cursor` and `additional_data.next_cursor`. Chosen over v1's `start`/`limit` offsets because
//!   a cursor does not skip or repeat records when others are added or deleted during a long
//!   sync, because v2 filters by `updated_since` on the server (v1 lists cannot), and because v2
//!   calls cost fewer of the account's daily API tokens. A stored cursor is resumable as is.
//! - Incremental sync: `updated_since` in RFC 3339.
//! - v2 records carry ids only, so names come from lookups made once per connector: owners'
//!   e-mails from `/api/v1/users` (v2 has no users endpoint), stage names from `/api/v2/stages`,
//!   and organisation names from `/api/v2/organizations?ids=…` for the organisations a page
//!   mentions, remembered across pages.
//! - Rate limits: 429 with `Retry-After`, or `x-ratelimit-reset` (seconds to the window's reset).
//!   A spent daily token budget answers 429 with a long wait, which stops the run instead.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, SecondsFormat, Utc};
use reqwest::header::{HeaderName, HeaderValue};
use reqwest::{StatusCode, Url};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use tokio::sync::{Mutex, OnceCell};

use crate::http::{self, Answer, Failure, Http, header_text};
use crate::json::{datetime, decimal, rest_of, str_field, text};
use crate::record::{currency_code, first_text, full_name};
use crate::{
    CrmDeal, CrmError, CrmLead, CrmRecord, Cursor, DealOutcome, HttpSettings, Object, Page,
    PipedriveCredentials, Provider,
};

const PROVIDER: Provider = Provider::Pipedrive;
const TOKEN_HEADER: HeaderName = HeaderName::from_static("x-api-token");

const PERSON_FIELDS: &[&str] = &[
    "id",
    "name",
    "first_name",
    "last_name",
    "emails",
    "phones",
    "org_id",
    "owner_id",
    "job_title",
    "update_time",
    "custom_fields",
];
const DEAL_FIELDS: &[&str] = &[
    "id",
    "title",
    "stage_id",
    "status",
    "value",
    "currency",
    "expected_close_date",
    "close_time",
    "won_time",
    "lost_time",
    "owner_id",
    "person_id",
    "org_id",
    "update_time",
    "custom_fields",
];

/// Reads one Pipedrive company.
#[derive(Debug)]
pub struct PipedriveConnector {
    http: Http,
    base_url: Url,
    token: HeaderValue,
    page_size: u32,
    users: OnceCell<HashMap<String, String>>,
    stages: OnceCell<HashMap<String, String>>,
    organisations: Mutex<HashMap<String, String>>,
}

#[derive(Debug, Serialize, Deserialize)]
struct State {
    since: Option<DateTime<Utc>>,
    cursor: String,
}

impl PipedriveConnector {
    pub fn new(
        credentials: PipedriveCredentials,
        settings: &HttpSettings,
    ) -> Result<Self, CrmError> {
        if credentials.api_token.is_blank() {
            return Err(CrmError::config("the Pipedrive API token is empty"));
        }
        let domain = company_subdomain(&credentials.company_domain)?;
        Ok(Self {
            http: Http::new(PROVIDER, settings)?,
            base_url: http::parse_url(
                &format!("https://{domain}.pipedrive.com"),
                "the Pipedrive company domain",
            )?,
            token: http::secret_header(
                credentials.api_token.expose_secret(),
                "the Pipedrive API token",
            )?,
            page_size: 500,
            users: OnceCell::new(),
            stages: OnceCell::new(),
            organisations: Mutex::new(HashMap::new()),
        })
    }

    /// Another API address (a test's mock server).
    pub fn with_base_url(mut self, base_url: &str) -> Result<Self, CrmError> {
        self.base_url = http::parse_url(base_url, "the Pipedrive API address")?;
        Ok(self)
    }

    /// Records per page (Pipedrive allows up to 500).
    pub fn with_page_size(mut self, page_size: u32) -> Self {
        self.page_size = page_size.clamp(1, 500);
        self
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
                (state.since, Some(state.cursor))
            }
            None => (since, None),
        };
        let limit = self.page_size.to_string();
        let since_text = since.map(|s| s.to_rfc3339_opts(SecondsFormat::Secs, true));
        let mut query = vec![("limit", limit.as_str())];
        if let Some(since) = since_text.as_deref() {
            query.push(("updated_since", since));
        }
        if let Some(position) = position.as_deref() {
            query.push(("cursor", position));
        }
        let body = self
            .get(&format!("/api/v2/{}", object_path(object)), &query)
            .await?;
        let items = data(&body)?;
        let records = self.records(object, &items).await?;
        let next = text(body.pointer("/additional_data/next_cursor"))
            .map(|cursor| Cursor::encode(PROVIDER, object, State { since, cursor }))
            .transpose()?;
        Ok(Page { records, next })
    }

    /// `GET /api/v1/users/me`: proves the token and the company domain.
    pub async fn test_connection(&self) -> Result<(), CrmError> {
        self.get("/api/v1/users/me", &[]).await.map(|_| ())
    }

    async fn get(&self, path: &str, query: &[(&str, &str)]) -> Result<Value, CrmError> {
        let mut url = http::join(&self.base_url, path)?;
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        let build = || {
            self.http
                .client()
                .get(url.clone())
                .header(TOKEN_HEADER, self.token.clone())
        };
        let answer = self
            .http
            .send(build, classify)
            .await
            .map_err(|f| f.into_error(PROVIDER))?;
        serde_json::from_slice(&answer.body)
            .map_err(|e| CrmError::invalid_response(PROVIDER, format!("not JSON: {e}")))
    }

    async fn records(&self, object: Object, items: &[Value]) -> Result<Vec<CrmRecord>, CrmError> {
        if items.is_empty() {
            return Ok(Vec::new());
        }
        let users = self.users().await?;
        let organisations = self.organisations(items).await?;
        match object {
            Object::Leads => items
                .iter()
                .map(|p| person(p, users, &organisations).map(CrmRecord::Lead))
                .collect(),
            Object::Deals => {
                let stages = self.stages().await?;
                items
                    .iter()
                    .map(|d| deal(d, users, stages, &organisations).map(CrmRecord::Deal))
                    .collect()
            }
        }
    }

    async fn users(&self) -> Result<&HashMap<String, String>, CrmError> {
        self.users
            .get_or_try_init(|| async {
                let body = self.get("/api/v1/users", &[]).await?;
                Ok(data(&body)?
                    .iter()
                    .filter_map(|u| Some((text(u.get("id"))?, str_field(u, "email")?.to_owned())))
                    .collect())
            })
            .await
    }

    async fn stages(&self) -> Result<&HashMap<String, String>, CrmError> {
        self.stages
            .get_or_try_init(|| async {
                let mut stages = HashMap::new();
                let mut cursor: Option<String> = None;
                loop {
                    let mut query = vec![("limit", "500")];
                    if let Some(cursor) = cursor.as_deref() {
                        query.push(("cursor", cursor));
                    }
                    let body = self.get("/api/v2/stages", &query).await?;
                    for stage in data(&body)? {
                        if let (Some(id), Some(name)) =
                            (text(stage.get("id")), str_field(&stage, "name"))
                        {
                            stages.insert(id, name.to_owned());
                        }
                    }
                    match text(body.pointer("/additional_data/next_cursor")) {
                        Some(next) => cursor = Some(next),
                        None => return Ok(stages),
                    }
                }
            })
            .await
    }

    /// Names of the organisations `items` point at, asking only for those not seen before.
    async fn organisations(&self, items: &[Value]) -> Result<HashMap<String, String>, CrmError> {
        let wanted: HashSet<String> = items.iter().filter_map(|i| text(i.get("org_id"))).collect();
        let mut known = self.organisations.lock().await;
        let missing: Vec<String> = wanted
            .iter()
            .filter(|id| !known.contains_key(*id))
            .cloned()
            .collect();
        for chunk in missing.chunks(100) {
            let ids = chunk.join(",");
            let limit = chunk.len().to_string();
            let body = self
                .get(
                    "/api/v2/organizations",
                    &[("ids", ids.as_str()), ("limit", limit.as_str())],
                )
                .await?;
            for org in data(&body)? {
                if let (Some(id), Some(name)) = (text(org.get("id")), str_field(&org, "name")) {
                    known.insert(id, name.to_owned());
                }
            }
        }
        Ok(wanted
            .into_iter()
            .filter_map(|id| known.get(&id).map(|name| (id, name.clone())))
            .collect())
    }
}

/// `acme` from `acme`, `acme.pipedrive.com` or `https://acme.pipedrive.com/`.
fn company_subdomain(domain: &str) -> Result<String, CrmError> {
    let domain = domain.trim().to_ascii_lowercase();
    let domain = domain
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .trim_end_matches(".pipedrive.com");
    let valid = !domain.is_empty()
        && domain.len() <= 63
        && domain
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !domain.starts_with('-');
    if valid {
        Ok(domain.to_owned())
    } else {
        Err(CrmError::config(
            "the Pipedrive company domain must be the name before .pipedrive.com",
        ))
    }
}

fn object_path(object: Object) -> &'static str {
    match object {
        Object::Leads => "persons",
        Object::Deals => "deals",
    }
}

/// The `data` array of an answer (null when there is nothing).
fn data(body: &Value) -> Result<Vec<Value>, CrmError> {
    match body.get("data") {
        Some(Value::Array(items)) => Ok(items.clone()),
        Some(Value::Null) | None if body.get("success") == Some(&json!(true)) => Ok(Vec::new()),
        Some(Value::Object(one)) => Ok(vec![Value::Object(one.clone())]),
        _ => Err(CrmError::invalid_response(PROVIDER, "no data array")),
    }
}

fn record_id(item: &Value) -> Result<String, CrmError> {
    text(item.get("id")).ok_or_else(|| CrmError::invalid_response(PROVIDER, "a record has no id"))
}

/// The primary entry of a v2 `emails`/`phones` list, else the first.
fn primary_value(item: &Value, key: &str) -> Option<String> {
    let entries = item.get(key)?.as_array()?;
    let primary = entries
        .iter()
        .find(|e| e.get("primary") == Some(&json!(true)))
        .or_else(|| entries.first())?;
    first_text(&[primary.get("value").and_then(Value::as_str)])
}

fn lookup(map: &HashMap<String, String>, item: &Value, key: &str) -> Option<String> {
    text(item.get(key)).and_then(|id| map.get(&id).cloned())
}

/// The record's other fields, with Pipedrive's own `custom_fields` (keyed by field hash) merged in.
fn custom_fields(item: &Value, consumed: &[&str]) -> Map<String, Value> {
    let object = item.as_object().cloned().unwrap_or_default();
    let mut rest = rest_of(&object, consumed);
    if let Some(custom) = item.get("custom_fields").and_then(Value::as_object) {
        rest.extend(rest_of(custom, &[]));
    }
    rest
}

fn person(
    item: &Value,
    users: &HashMap<String, String>,
    organisations: &HashMap<String, String>,
) -> Result<CrmLead, CrmError> {
    let external_id = PROVIDER.external_id(&record_id(item)?);
    let s = |key: &str| str_field(item, key);
    let email = primary_value(item, "emails");
    Ok(CrmLead {
        name: first_text(&[s("name")])
            .or_else(|| full_name(&[s("first_name"), s("last_name")]))
            .or_else(|| email.clone())
            .unwrap_or_else(|| external_id.clone()),
        email,
        phone: primary_value(item, "phones"),
        company_name: lookup(organisations, item, "org_id"),
        position: first_text(&[s("job_title")]),
        source: None,
        status: None,
        owner_email: lookup(users, item, "owner_id"),
        updated_at: datetime(item.get("update_time")),
        custom_fields: custom_fields(item, PERSON_FIELDS),
        external_id,
    })
}

fn deal(
    item: &Value,
    users: &HashMap<String, String>,
    stages: &HashMap<String, String>,
    organisations: &HashMap<String, String>,
) -> Result<CrmDeal, CrmError> {
    let external_id = PROVIDER.external_id(&record_id(item)?);
    let s = |key: &str| str_field(item, key);
    let outcome = match s("status") {
        Some("won") => Some(DealOutcome::Won),
        Some("lost") => Some(DealOutcome::Lost),
        _ => None,
    };
    let closed_at = datetime(item.get("close_time"))
        .or_else(|| datetime(item.get("won_time")))
        .or_else(|| datetime(item.get("lost_time")));
    Ok(CrmDeal {
        title: first_text(&[s("title")]).unwrap_or_else(|| external_id.clone()),
        stage_external: text(item.get("stage_id")),
        stage_label: lookup(stages, item, "stage_id"),
        outcome,
        value: decimal(item.get("value")),
        currency: currency_code(s("currency")),
        expected_close_at: datetime(item.get("expected_close_date")),
        closed_at: closed_at.filter(|_| outcome.is_some()),
        owner_email: lookup(users, item, "owner_id"),
        lead_external_id: text(item.get("person_id")).map(|p| PROVIDER.external_id(&p)),
        organisation_name: lookup(organisations, item, "org_id"),
        updated_at: datetime(item.get("update_time")),
        custom_fields: custom_fields(item, DEAL_FIELDS),
        external_id,
    })
}

/// Pipedrive's 429 carries `Retry-After` and `x-ratelimit-reset` (seconds); its error bodies
/// sometimes name a `code`.
fn classify(answer: &Answer) -> Failure {
    let body = answer.json_or_null();
    let code = str_field(&body, "code").map(str::to_owned);
    if answer.status == StatusCode::TOO_MANY_REQUESTS {
        let reset = header_text(&answer.headers, "x-ratelimit-reset")
            .and_then(|s| s.parse::<f64>().ok())
            .and_then(http::seconds);
        return Failure::Throttled {
            retry_after: http::retry_after(&answer.headers).or(reset),
        };
    }
    Failure::from_status(answer, code)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use reqwest::header::HeaderMap;

    use super::*;

    #[test]
    fn the_company_domain_is_taken_in_any_usual_spelling() {
        for typed in ["acme", "ACME.pipedrive.com", "https://acme.pipedrive.com/"] {
            assert_eq!(company_subdomain(typed).as_deref(), Ok("acme"), "{typed}");
        }
        for bad in ["", "acme.evil.com/x", "a b", "-x"] {
            assert!(company_subdomain(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_429_waits_for_retry_after_or_the_windows_reset() {
        let mut headers = HeaderMap::new();
        headers.insert("x-ratelimit-reset", HeaderValue::from_static("2"));
        let answer = Answer {
            status: StatusCode::TOO_MANY_REQUESTS,
            headers,
            body: br#"{"success":false,"error":"Request over limit"}"#.to_vec(),
        };
        assert_eq!(
            classify(&answer),
            Failure::Throttled {
                retry_after: Some(Duration::from_secs(2))
            }
        );
    }
}
