//! A customer's own JSON API, described by configuration instead of code.
//!
//! Each object (leads, deals) has its URL, a path to the records array in the answer, a path to
//! each field inside a record, and how to reach the next page: a path to a next-page *cursor*
//! (sent back as a query parameter) or to a next-page *URL* (absolute or relative, but on the same
//! host: the auth header must not travel elsewhere). Paths are JSON pointers (`/data/items`) or
//! dotted keys (`data.items`, `owner.email`, `tags.0`). An optional `since_param` passes the
//! incremental mark in RFC 3339; without it, records are filtered here on their `updated_at`.
//!
//! Every URL — configured or given by the API for the next page — is checked before the request
//! by [`address::check_url`](crate::address::check_url): `https` to a public address only, unless
//! `allow_private_addresses` (development and tests).

use chrono::{DateTime, SecondsFormat, Utc};
use reqwest::Url;
use reqwest::header::{HeaderName, HeaderValue};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::address::check_url;
use crate::http::{self, Answer, Failure, Http};
use crate::json::{at_path, datetime, decimal, first_key, str_field, text};
use crate::record::{currency_code, first_text};
use crate::{
    CrmDeal, CrmError, CrmLead, CrmRecord, Cursor, HttpSettings, Object, Page, Provider, Secret,
};

const PROVIDER: Provider = Provider::Custom;

/// How to read a custom API.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomApiConfig {
    /// The header that carries the API key (`Authorization`, `X-Api-Key`…).
    pub auth_header_name: String,
    /// Its value, as sent (`Bearer abc…`, or the bare key).
    pub auth_header_value: Secret,
    #[serde(default)]
    pub leads: Option<CustomEndpoint>,
    #[serde(default)]
    pub deals: Option<CustomEndpoint>,
}

/// Where one object's records are and how they page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomEndpoint {
    pub url: String,
    /// The records array in the answer; empty when the answer is the array.
    #[serde(default)]
    pub records_path: String,
    /// The next page's cursor in the answer; absent, null or empty on the last page.
    #[serde(default)]
    pub next_cursor_path: Option<String>,
    /// The query parameter that sends a cursor back.
    #[serde(default = "default_cursor_param")]
    pub cursor_param: String,
    /// The next page's URL in the answer (takes precedence over a cursor).
    #[serde(default)]
    pub next_url_path: Option<String>,
    /// The query parameter that asks for records changed since a time (RFC 3339).
    #[serde(default)]
    pub since_param: Option<String>,
    pub fields: FieldPaths,
}

fn default_cursor_param() -> String {
    "cursor".to_owned()
}

/// Where each field is inside one record. Only `id` is required; leads use `name`, deals
/// `title`, `stage`, `value`… and both the rest.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FieldPaths {
    pub id: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub company_name: Option<String>,
    pub position: Option<String>,
    pub source: Option<String>,
    pub status: Option<String>,
    pub owner_email: Option<String>,
    pub title: Option<String>,
    pub stage: Option<String>,
    pub value: Option<String>,
    pub currency: Option<String>,
    pub expected_close_at: Option<String>,
    pub closed_at: Option<String>,
    pub lead_id: Option<String>,
    pub organisation_name: Option<String>,
    pub updated_at: Option<String>,
}

impl FieldPaths {
    fn all(&self) -> impl Iterator<Item = &str> {
        [
            &self.name,
            &self.email,
            &self.phone,
            &self.company_name,
            &self.position,
            &self.source,
            &self.status,
            &self.owner_email,
            &self.title,
            &self.stage,
            &self.value,
            &self.currency,
            &self.expected_close_at,
            &self.closed_at,
            &self.lead_id,
            &self.organisation_name,
            &self.updated_at,
        ]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .chain(std::iter::once(self.id.as_str()))
    }
}

/// Reads one custom API.
#[derive(Debug)]
pub struct CustomConnector {
    http: Http,
    config: CustomApiConfig,
    auth: (HeaderName, HeaderValue),
}

#[derive(Debug, Serialize, Deserialize)]
struct State {
    since: Option<DateTime<Utc>>,
    next: Next,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Next {
    Url(String),
    Cursor(String),
}

impl CustomConnector {
    pub fn new(config: CustomApiConfig, settings: &HttpSettings) -> Result<Self, CrmError> {
        let name = HeaderName::from_bytes(config.auth_header_name.trim().as_bytes())
            .map_err(|_| CrmError::config("the auth header name is not a valid header name"))?;
        let value = http::secret_header(
            config.auth_header_value.expose_secret(),
            "the auth header value",
        )?;
        if config.leads.is_none() && config.deals.is_none() {
            return Err(CrmError::config(
                "the custom API has no URL for leads or deals",
            ));
        }
        for endpoint in config.leads.iter().chain(config.deals.iter()) {
            http::parse_url(&endpoint.url, "the custom API URL")?;
            if endpoint.fields.id.trim().is_empty() {
                return Err(CrmError::config("the path to each record's id is required"));
            }
        }
        Ok(Self {
            http: Http::new(PROVIDER, settings)?,
            config,
            auth: (name, value),
        })
    }

    pub fn supports(&self, object: Object) -> bool {
        self.endpoint(object).is_ok()
    }

    fn endpoint(&self, object: Object) -> Result<&CustomEndpoint, CrmError> {
        match object {
            Object::Leads => self.config.leads.as_ref(),
            Object::Deals => self.config.deals.as_ref(),
        }
        .ok_or(CrmError::ObjectNotConfigured { object })
    }

    pub async fn fetch_page(
        &self,
        object: Object,
        cursor: Option<&Cursor>,
        since: Option<DateTime<Utc>>,
    ) -> Result<Page, CrmError> {
        let endpoint = self.endpoint(object)?;
        let configured = http::parse_url(&endpoint.url, "the custom API URL")?;
        let (since, next) = match cursor {
            Some(cursor) => {
                let state: State = cursor.decode(PROVIDER, object)?;
                (state.since, Some(state.next))
            }
            None => (since, None),
        };
        let url = match &next {
            Some(Next::Url(url)) => same_origin(&configured, &configured, url)?,
            Some(Next::Cursor(token)) => {
                let mut url = with_since(&configured, endpoint, since);
                url.query_pairs_mut()
                    .append_pair(&endpoint.cursor_param, token);
                url
            }
            None => with_since(&configured, endpoint, since),
        };
        let body = self.get(&url).await?;
        let items = at_path(&body, &endpoint.records_path)
            .and_then(Value::as_array)
            .ok_or_else(|| {
                CrmError::invalid_response(
                    PROVIDER,
                    format!(
                        "the records path {:?} does not lead to a list",
                        endpoint.records_path
                    ),
                )
            })?;
        let mut records = Vec::with_capacity(items.len());
        for item in items {
            let record = match object {
                Object::Leads => CrmRecord::Lead(lead(item, &endpoint.fields)?),
                Object::Deals => CrmRecord::Deal(deal(item, &endpoint.fields)?),
            };
            let updated_at = match &record {
                CrmRecord::Lead(l) => l.updated_at,
                CrmRecord::Deal(d) => d.updated_at,
            };
            let changed_since = match (since, updated_at) {
                (Some(since), Some(updated_at)) => updated_at >= since,
                _ => true,
            };
            if changed_since {
                records.push(record);
            }
        }
        let following = if items.is_empty() {
            None
        } else {
            next_position(&body, endpoint, &url, &configured)?
        };
        let following = following
            .filter(|f| Some(f) != next.as_ref())
            .map(|next| Cursor::encode(PROVIDER, object, State { since, next }))
            .transpose()?;
        Ok(Page {
            records,
            next: following,
        })
    }

    /// The first page of leads (or of deals, when only deals are configured): proves the
    /// address, the key and the paths to the records and their ids.
    pub async fn test_connection(&self) -> Result<(), CrmError> {
        let object = if self.config.leads.is_some() {
            Object::Leads
        } else {
            Object::Deals
        };
        self.fetch_page(object, None, None).await.map(|_| ())
    }

    async fn get(&self, url: &Url) -> Result<Value, CrmError> {
        check_url(url, self.http.allow_private()).await?;
        let (name, value) = &self.auth;
        let build = || {
            self.http
                .client()
                .get(url.clone())
                .header(name.clone(), value.clone())
                .header(reqwest::header::ACCEPT, "application/json")
        };
        let answer = self
            .http
            .send(build, classify)
            .await
            .map_err(|f| f.into_error(PROVIDER))?;
        serde_json::from_slice(&answer.body)
            .map_err(|e| CrmError::invalid_response(PROVIDER, format!("not JSON: {e}")))
    }
}

fn with_since(configured: &Url, endpoint: &CustomEndpoint, since: Option<DateTime<Utc>>) -> Url {
    let mut url = configured.clone();
    if let (Some(param), Some(since)) = (endpoint.since_param.as_deref(), since) {
        url.query_pairs_mut()
            .append_pair(param, &since.to_rfc3339_opts(SecondsFormat::Secs, true));
    }
    url
}

/// `next`, absolute or relative to `base`, when it is on the configured host.
fn same_origin(configured: &Url, base: &Url, next: &str) -> Result<Url, CrmError> {
    let url = base
        .join(next)
        .map_err(|_| CrmError::invalid_response(PROVIDER, "the next-page URL is not a URL"))?;
    if url.scheme() != configured.scheme()
        || url.host_str() != configured.host_str()
        || url.port_or_known_default() != configured.port_or_known_default()
    {
        return Err(CrmError::invalid_response(
            PROVIDER,
            "the next-page URL points to another host",
        ));
    }
    Ok(url)
}

fn next_position(
    body: &Value,
    endpoint: &CustomEndpoint,
    current: &Url,
    configured: &Url,
) -> Result<Option<Next>, CrmError> {
    if let Some(path) = endpoint.next_url_path.as_deref() {
        return match text(at_path(body, path)) {
            Some(next) => Ok(Some(Next::Url(
                same_origin(configured, current, &next)?.to_string(),
            ))),
            None => Ok(None),
        };
    }
    Ok(endpoint
        .next_cursor_path
        .as_deref()
        .and_then(|path| text(at_path(body, path)))
        .map(Next::Cursor))
}

fn field<'a>(item: &'a Value, path: &Option<String>) -> Option<&'a Value> {
    path.as_deref().and_then(|p| at_path(item, p))
}

fn field_text(item: &Value, path: &Option<String>) -> Option<String> {
    text(field(item, path))
}

fn record_id(item: &Value, paths: &FieldPaths) -> Result<String, CrmError> {
    text(at_path(item, &paths.id)).ok_or_else(|| {
        CrmError::invalid_response(
            PROVIDER,
            format!("a record has no value at the id path {:?}", paths.id),
        )
    })
}

/// The record's top-level fields that no configured path reads.
fn custom_fields(item: &Value, paths: &FieldPaths) -> serde_json::Map<String, Value> {
    let consumed: Vec<&str> = paths.all().filter_map(first_key).collect();
    crate::json::rest_of(&item.as_object().cloned().unwrap_or_default(), &consumed)
}

fn lead(item: &Value, paths: &FieldPaths) -> Result<CrmLead, CrmError> {
    let external_id = PROVIDER.external_id(&record_id(item, paths)?);
    let email = field_text(item, &paths.email);
    Ok(CrmLead {
        name: first_text(&[field_text(item, &paths.name).as_deref(), email.as_deref()])
            .unwrap_or_else(|| external_id.clone()),
        email,
        phone: field_text(item, &paths.phone),
        company_name: field_text(item, &paths.company_name),
        position: field_text(item, &paths.position),
        source: field_text(item, &paths.source),
        status: field_text(item, &paths.status),
        owner_email: field_text(item, &paths.owner_email),
        updated_at: datetime(field(item, &paths.updated_at)),
        custom_fields: custom_fields(item, paths),
        external_id,
    })
}

fn deal(item: &Value, paths: &FieldPaths) -> Result<CrmDeal, CrmError> {
    let external_id = PROVIDER.external_id(&record_id(item, paths)?);
    let stage = field_text(item, &paths.stage);
    Ok(CrmDeal {
        title: field_text(item, &paths.title).unwrap_or_else(|| external_id.clone()),
        stage_label: stage.clone(),
        stage_external: stage,
        outcome: None,
        value: decimal(field(item, &paths.value)),
        currency: currency_code(field_text(item, &paths.currency).as_deref()),
        expected_close_at: datetime(field(item, &paths.expected_close_at)),
        closed_at: datetime(field(item, &paths.closed_at)),
        owner_email: field_text(item, &paths.owner_email),
        lead_external_id: field_text(item, &paths.lead_id).map(|id| PROVIDER.external_id(&id)),
        organisation_name: field_text(item, &paths.organisation_name),
        updated_at: datetime(field(item, &paths.updated_at)),
        custom_fields: custom_fields(item, paths),
        external_id,
    })
}

/// A custom API's error body may name a `code` or `error`; nothing else of it is kept.
fn classify(answer: &Answer) -> Failure {
    let body = answer.json_or_null();
    let code = str_field(&body, "code")
        .or_else(|| str_field(&body, "error"))
        .filter(|c| c.len() <= 64 && !c.contains(char::is_whitespace))
        .map(str::to_owned);
    Failure::from_status(answer, code)
}
