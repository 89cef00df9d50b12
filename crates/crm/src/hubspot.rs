//! HubSpot CRM v3: contacts become leads, deals stay deals.
//!
//! - Auth: a private app's token as `Authorization: Bearer`.
//! - Full sync: the list endpoint `GET /crm/v3/objects/{contacts|deals}` with the properties
//!   asked for explicitly (HubSpot returns only a handful otherwise), 100 a page, following
//!   `paging.next.after`. Deals ask for their contact associations inline.
//! - Incremental sync: the search endpoint `POST /crm/v3/objects/{object}/search` with a `GTE`
//!   filter on `lastmodifieddate` (contacts) or `hs_lastmodifieddate` (deals), sorted ascending.
//!   Search stops at 10 000 results per query, so before paging past that the query starts again
//!   from the last modification time seen (the records of that instant come twice; writing them
//!   twice changes nothing). Search returns no associations, so a page of deals asks the v4
//!   associations batch endpoint for their contacts.
//! - Owners: `hubspot_owner_id` resolved to an e-mail through `/crm/v3/owners` (active owners),
//!   read once per connector. Deal stage labels come from `/crm/v3/pipelines/deals`, also once.
//! - Rate limits: 429 with `policyName` `DAILY` (or `X-HubSpot-RateLimit-Daily-Remaining: 0`) is
//!   the daily quota — not retried; any other 429 is retried after `Retry-After`, or after
//!   `X-HubSpot-RateLimit-Interval-Milliseconds` when `X-HubSpot-RateLimit-Remaining` is 0, or
//!   after the backoff (the search endpoint sends no such headers).

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::header::{AUTHORIZATION, HeaderValue};
use reqwest::{Method, RequestBuilder, StatusCode, Url};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use tokio::sync::OnceCell;

use crate::http::{self, Answer, Failure, Http, header_text};
use crate::json::{boolean, datetime, decimal, rest_of, str_field, text};
use crate::record::{currency_code, first_text, full_name};
use crate::{
    CrmDeal, CrmError, CrmLead, CrmRecord, Cursor, DealOutcome, HttpSettings, HubSpotCredentials,
    Object, Page, Provider,
};

const PROVIDER: Provider = Provider::HubSpot;
const DEFAULT_BASE_URL: &str = "https://api.hubapi.com";
/// The most the search endpoint returns for one query.
const SEARCH_RESULT_LIMIT: u64 = 10_000;

const CONTACT_PROPERTIES: &[&str] = &[
    "email",
    "firstname",
    "lastname",
    "phone",
    "mobilephone",
    "company",
    "jobtitle",
    "hs_lead_status",
    "lifecyclestage",
    "hs_analytics_source",
    "hubspot_owner_id",
    "lastmodifieddate",
    "createdate",
];
const DEAL_PROPERTIES: &[&str] = &[
    "dealname",
    "dealstage",
    "pipeline",
    "amount",
    "deal_currency_code",
    "closedate",
    "hs_is_closed",
    "hs_is_closed_won",
    "hubspot_owner_id",
    "hs_lastmodifieddate",
    "createdate",
];

/// Reads one HubSpot account.
#[derive(Debug)]
pub struct HubSpotConnector {
    http: Http,
    base_url: Url,
    auth: HeaderValue,
    page_size: u32,
    /// Owner id → e-mail, read on first need.
    owners: OnceCell<HashMap<String, String>>,
    /// Deal stage id → label, read on first need.
    stage_labels: OnceCell<HashMap<String, String>>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "lowercase")]
enum State {
    List {
        after: Option<String>,
    },
    Search {
        since: DateTime<Utc>,
        after: Option<String>,
    },
}

impl HubSpotConnector {
    pub fn new(credentials: HubSpotCredentials, settings: &HttpSettings) -> Result<Self, CrmError> {
        if credentials.access_token.is_blank() {
            return Err(CrmError::config("the HubSpot access token is empty"));
        }
        let auth = http::secret_header(
            &format!("Bearer {}", credentials.access_token.expose_secret().trim()),
            "the HubSpot access token",
        )?;
        Ok(Self {
            http: Http::new(PROVIDER, settings)?,
            base_url: http::parse_url(DEFAULT_BASE_URL, "the HubSpot API address")?,
            auth,
            page_size: 100,
            owners: OnceCell::new(),
            stage_labels: OnceCell::new(),
        })
    }

    /// Another API address (a proxy, or a test's mock server).
    pub fn with_base_url(mut self, base_url: &str) -> Result<Self, CrmError> {
        self.base_url = http::parse_url(base_url, "the HubSpot API address")?;
        Ok(self)
    }

    /// Records per page (HubSpot allows up to 100 on lists and 200 on search).
    pub fn with_page_size(mut self, page_size: u32) -> Self {
        self.page_size = page_size.clamp(1, 100);
        self
    }

    pub async fn fetch_page(
        &self,
        object: Object,
        cursor: Option<&Cursor>,
        since: Option<DateTime<Utc>>,
    ) -> Result<Page, CrmError> {
        let state = match cursor {
            Some(cursor) => cursor.decode(PROVIDER, object)?,
            None => match since {
                Some(since) => State::Search { since, after: None },
                None => State::List { after: None },
            },
        };
        let (results, after) = match &state {
            State::List { after } => self.list(object, after.as_deref()).await?,
            State::Search { since, after } => self.search(object, *since, after.as_deref()).await?,
        };
        let records = self.records(object, &results, &state).await?;
        let next = match state {
            State::List { .. } => after.map(|after| State::List { after: Some(after) }),
            State::Search { since, .. } => {
                after.map(|after| self.next_search(since, after, &records))
            }
        };
        let next = next
            .map(|state| Cursor::encode(PROVIDER, object, state))
            .transpose()?;
        Ok(Page { records, next })
    }

    /// One cheap call per object: proves the token and its contacts and deals scopes.
    pub async fn test_connection(&self) -> Result<(), CrmError> {
        for object in [Object::Leads, Object::Deals] {
            let url = self.url(&format!("/crm/v3/objects/{}", object_path(object)))?;
            self.send(Method::GET, url, &[("limit", "1")], None).await?;
        }
        Ok(())
    }

    fn url(&self, path: &str) -> Result<Url, CrmError> {
        http::join(&self.base_url, path)
    }

    async fn send(
        &self,
        method: Method,
        url: Url,
        query: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Result<Value, CrmError> {
        let mut url = url;
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        let build = || {
            let request: RequestBuilder = self
                .http
                .client()
                .request(method.clone(), url.clone())
                .header(AUTHORIZATION, self.auth.clone());
            match body {
                Some(body) => request.json(body),
                None => request,
            }
        };
        let answer = self
            .http
            .send(build, classify)
            .await
            .map_err(|f| f.into_error(PROVIDER))?;
        serde_json::from_slice(&answer.body)
            .map_err(|e| CrmError::invalid_response(PROVIDER, format!("not JSON: {e}")))
    }

    async fn list(
        &self,
        object: Object,
        after: Option<&str>,
    ) -> Result<(Vec<Value>, Option<String>), CrmError> {
        let url = self.url(&format!("/crm/v3/objects/{}", object_path(object)))?;
        let limit = self.page_size.to_string();
        let properties = properties(object).join(",");
        let mut query = vec![
            ("limit", limit.as_str()),
            ("archived", "false"),
            ("properties", properties.as_str()),
        ];
        if object == Object::Deals {
            query.push(("associations", "contacts"));
        }
        if let Some(after) = after {
            query.push(("after", after));
        }
        let body = self.send(Method::GET, url, &query, None).await?;
        read_results(&body)
    }

    async fn search(
        &self,
        object: Object,
        since: DateTime<Utc>,
        after: Option<&str>,
    ) -> Result<(Vec<Value>, Option<String>), CrmError> {
        let url = self.url(&format!("/crm/v3/objects/{}/search", object_path(object)))?;
        let modified = modified_property(object);
        let mut body = json!({
            "filterGroups": [{"filters": [{
                "propertyName": modified,
                "operator": "GTE",
                "value": since.timestamp_millis().to_string(),
            }]}],
            "sorts": [{"propertyName": modified, "direction": "ASCENDING"}],
            "properties": properties(object),
            "limit": self.page_size,
        });
        if let Some(after) = after {
            body["after"] = json!(after);
        }
        let body = self.send(Method::POST, url, &[], Some(&body)).await?;
        read_results(&body)
    }

    /// The search state after a page: the next `after`, or — when that would page past what
    /// search returns for one query — the same search again from the latest modification seen.
    fn next_search(&self, since: DateTime<Utc>, after: String, records: &[CrmRecord]) -> State {
        let past_the_limit = after
            .parse::<u64>()
            .is_ok_and(|offset| offset + u64::from(self.page_size) > SEARCH_RESULT_LIMIT);
        let latest = records
            .iter()
            .filter_map(|r| match r {
                CrmRecord::Lead(l) => l.updated_at,
                CrmRecord::Deal(d) => d.updated_at,
            })
            .max();
        match latest {
            Some(latest) if past_the_limit && latest > since => State::Search {
                since: latest,
                after: None,
            },
            _ => State::Search {
                since,
                after: Some(after),
            },
        }
    }

    async fn records(
        &self,
        object: Object,
        results: &[Value],
        state: &State,
    ) -> Result<Vec<CrmRecord>, CrmError> {
        if results.is_empty() {
            return Ok(Vec::new());
        }
        let owners = self.owners().await?;
        match object {
            Object::Leads => results
                .iter()
                .map(|r| lead(r, owners).map(CrmRecord::Lead))
                .collect(),
            Object::Deals => {
                let labels = self.stage_labels().await?;
                let contacts = match state {
                    State::List { .. } => inline_contacts(results),
                    State::Search { .. } => self.deal_contacts(results).await?,
                };
                results
                    .iter()
                    .map(|r| deal(r, owners, labels, &contacts).map(CrmRecord::Deal))
                    .collect()
            }
        }
    }

    async fn owners(&self) -> Result<&HashMap<String, String>, CrmError> {
        self.owners
            .get_or_try_init(|| async {
                let url = self.url("/crm/v3/owners")?;
                let mut owners = HashMap::new();
                let mut after: Option<String> = None;
                loop {
                    let mut query = vec![("limit", "100")];
                    if let Some(after) = after.as_deref() {
                        query.push(("after", after));
                    }
                    let body = self.send(Method::GET, url.clone(), &query, None).await?;
                    let (results, next) = read_results(&body)?;
                    for owner in &results {
                        if let (Some(id), Some(email)) =
                            (text(owner.get("id")), str_field(owner, "email"))
                        {
                            owners.insert(id, email.to_owned());
                        }
                    }
                    match next {
                        Some(next) => after = Some(next),
                        None => return Ok(owners),
                    }
                }
            })
            .await
    }

    async fn stage_labels(&self) -> Result<&HashMap<String, String>, CrmError> {
        self.stage_labels
            .get_or_try_init(|| async {
                let url = self.url("/crm/v3/pipelines/deals")?;
                let body = self.send(Method::GET, url, &[], None).await?;
                let (pipelines, _) = read_results(&body)?;
                let labels = pipelines
                    .iter()
                    .filter_map(|p| p.get("stages").and_then(Value::as_array))
                    .flatten()
                    .filter_map(|stage| {
                        Some((
                            text(stage.get("id"))?,
                            str_field(stage, "label")?.to_owned(),
                        ))
                    })
                    .collect();
                Ok(labels)
            })
            .await
    }

    /// Deal id → its first associated contact id, through the v4 associations batch endpoint.
    async fn deal_contacts(&self, deals: &[Value]) -> Result<HashMap<String, String>, CrmError> {
        let inputs: Vec<Value> = deals
            .iter()
            .filter_map(|d| text(d.get("id")))
            .map(|id| json!({ "id": id }))
            .collect();
        let url = self.url("/crm/v4/associations/deals/contacts/batch/read")?;
        let body = self
            .send(Method::POST, url, &[], Some(&json!({ "inputs": inputs })))
            .await?;
        let results = body
            .get("results")
            .and_then(Value::as_array)
            .ok_or_else(|| CrmError::invalid_response(PROVIDER, "no associations results"))?;
        Ok(results
            .iter()
            .filter_map(|r| {
                let from = text(r.get("from").and_then(|f| f.get("id")))?;
                let to = r.get("to")?.as_array()?.first()?;
                Some((from, text(to.get("toObjectId"))?))
            })
            .collect())
    }
}

fn object_path(object: Object) -> &'static str {
    match object {
        Object::Leads => "contacts",
        Object::Deals => "deals",
    }
}

fn properties(object: Object) -> &'static [&'static str] {
    match object {
        Object::Leads => CONTACT_PROPERTIES,
        Object::Deals => DEAL_PROPERTIES,
    }
}

fn modified_property(object: Object) -> &'static str {
    match object {
        Object::Leads => "lastmodifieddate",
        Object::Deals => "hs_lastmodifieddate",
    }
}

/// `results` and `paging.next.after` of a list, search or owners answer.
fn read_results(body: &Value) -> Result<(Vec<Value>, Option<String>), CrmError> {
    let results = body
        .get("results")
        .and_then(Value::as_array)
        .ok_or_else(|| CrmError::invalid_response(PROVIDER, "no results array"))?
        .clone();
    let after = text(body.pointer("/paging/next/after"));
    Ok((results, after))
}

/// Deal id → first contact id, from the `associations` a list answer carries.
fn inline_contacts(deals: &[Value]) -> HashMap<String, String> {
    deals
        .iter()
        .filter_map(|d| {
            let id = text(d.get("id"))?;
            let first = d.pointer("/associations/contacts/results/0")?;
            Some((id, text(first.get("id"))?))
        })
        .collect()
}

fn record_id(result: &Value) -> Result<String, CrmError> {
    text(result.get("id")).ok_or_else(|| CrmError::invalid_response(PROVIDER, "a record has no id"))
}

fn props(result: &Value) -> Map<String, Value> {
    result
        .get("properties")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default()
}

fn owner_email(
    properties: &Map<String, Value>,
    owners: &HashMap<String, String>,
) -> Option<String> {
    text(properties.get("hubspot_owner_id")).and_then(|id| owners.get(&id).cloned())
}

fn lead(result: &Value, owners: &HashMap<String, String>) -> Result<CrmLead, CrmError> {
    let external_id = PROVIDER.external_id(&record_id(result)?);
    let p = props(result);
    let s = |key: &str| p.get(key).and_then(Value::as_str);
    let email = first_text(&[s("email")]);
    Ok(CrmLead {
        name: full_name(&[s("firstname"), s("lastname")])
            .or_else(|| email.clone())
            .unwrap_or_else(|| external_id.clone()),
        email,
        phone: first_text(&[s("phone"), s("mobilephone")]),
        company_name: first_text(&[s("company")]),
        position: first_text(&[s("jobtitle")]),
        source: first_text(&[s("hs_analytics_source")]),
        status: first_text(&[s("hs_lead_status"), s("lifecyclestage")]),
        owner_email: owner_email(&p, owners),
        updated_at: datetime(p.get("lastmodifieddate"))
            .or_else(|| datetime(result.get("updatedAt"))),
        custom_fields: rest_of(&p, CONTACT_PROPERTIES),
        external_id,
    })
}

fn deal(
    result: &Value,
    owners: &HashMap<String, String>,
    stage_labels: &HashMap<String, String>,
    contacts: &HashMap<String, String>,
) -> Result<CrmDeal, CrmError> {
    let id = record_id(result)?;
    let external_id = PROVIDER.external_id(&id);
    let p = props(result);
    let s = |key: &str| p.get(key).and_then(Value::as_str);
    let stage = first_text(&[s("dealstage")]);
    let closed = boolean(p.get("hs_is_closed")).unwrap_or(false);
    let outcome = match boolean(p.get("hs_is_closed_won")) {
        Some(true) => Some(DealOutcome::Won),
        Some(false) if closed => Some(DealOutcome::Lost),
        _ => None,
    };
    let close_date = datetime(p.get("closedate"));
    let mut custom_fields = rest_of(&p, DEAL_PROPERTIES);
    if let Some(pipeline) = s("pipeline") {
        custom_fields.insert("pipeline".into(), json!(pipeline));
    }
    Ok(CrmDeal {
        title: first_text(&[s("dealname")]).unwrap_or_else(|| external_id.clone()),
        stage_label: stage.as_ref().and_then(|id| stage_labels.get(id).cloned()),
        stage_external: stage,
        outcome,
        value: decimal(p.get("amount")),
        currency: currency_code(s("deal_currency_code")),
        expected_close_at: close_date,
        closed_at: close_date.filter(|_| closed || outcome.is_some()),
        owner_email: owner_email(&p, owners),
        lead_external_id: contacts.get(&id).map(|c| PROVIDER.external_id(c)),
        organisation_name: None,
        updated_at: datetime(p.get("hs_lastmodifieddate"))
            .or_else(|| datetime(result.get("updatedAt"))),
        custom_fields,
        external_id,
    })
}

/// HubSpot's error body names a `category` (`INVALID_AUTHENTICATION`, `MISSING_SCOPES`…) and, on
/// 429, the `policyName` whose limit was hit.
fn classify(answer: &Answer) -> Failure {
    let body = answer.json_or_null();
    let code = str_field(&body, "category")
        .or_else(|| str_field(&body, "errorType"))
        .map(str::to_owned);
    if answer.status == StatusCode::TOO_MANY_REQUESTS {
        let headers = &answer.headers;
        let daily = str_field(&body, "policyName").is_some_and(|p| p.eq_ignore_ascii_case("DAILY"))
            || header_text(headers, "x-hubspot-ratelimit-daily-remaining") == Some("0");
        let asked = http::retry_after(headers);
        if daily {
            return Failure::QuotaExhausted { retry_after: asked };
        }
        let window = (header_text(headers, "x-hubspot-ratelimit-remaining") == Some("0"))
            .then(|| header_text(headers, "x-hubspot-ratelimit-interval-milliseconds"))
            .flatten()
            .and_then(|ms| ms.parse::<u64>().ok())
            .map(Duration::from_millis);
        return Failure::Throttled {
            retry_after: asked.or(window),
        };
    }
    Failure::from_status(answer, code)
}

#[cfg(test)]
mod tests {
    use reqwest::header::HeaderMap;

    use super::*;

    fn answer(status: u16, headers: &[(&'static str, &str)], body: Value) -> Answer {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.insert(*name, HeaderValue::from_str(value).expect("header"));
        }
        Answer {
            status: StatusCode::from_u16(status).expect("status"),
            headers: map,
            body: serde_json::to_vec(&body).expect("json"),
        }
    }

    #[test]
    fn the_ten_second_limit_waits_for_its_window_and_the_daily_one_is_not_retried() {
        let secondly = answer(
            429,
            &[
                ("x-hubspot-ratelimit-remaining", "0"),
                ("x-hubspot-ratelimit-interval-milliseconds", "10000"),
            ],
            json!({"status": "error", "errorType": "RATE_LIMIT", "policyName": "TEN_SECONDLY_ROLLING"}),
        );
        assert_eq!(
            classify(&secondly),
            Failure::Throttled {
                retry_after: Some(Duration::from_secs(10))
            }
        );
        let daily = answer(
            429,
            &[],
            json!({"status": "error", "errorType": "RATE_LIMIT", "policyName": "DAILY"}),
        );
        assert_eq!(
            classify(&daily),
            Failure::QuotaExhausted { retry_after: None }
        );
        let search = answer(429, &[], json!({"status": "error"}));
        assert_eq!(classify(&search), Failure::Throttled { retry_after: None });
    }

    fn deal_updated_at(at: DateTime<Utc>) -> CrmRecord {
        let mut deal = deal(
            &json!({"id": "1", "properties": {}}),
            &HashMap::new(),
            &HashMap::new(),
            &HashMap::new(),
        )
        .expect("a deal");
        deal.updated_at = Some(at);
        CrmRecord::Deal(deal)
    }

    #[test]
    fn a_search_about_to_pass_10000_results_starts_again_from_the_latest_change() {
        let connector = HubSpotConnector::new(
            HubSpotCredentials {
                access_token: crate::Secret::new("t"),
            },
            &HttpSettings::default(),
        )
        .expect("a connector");
        let since = DateTime::from_timestamp(1_714_566_600, 0).expect("a time");
        let later = since + chrono::Duration::hours(3);
        let page = [deal_updated_at(since), deal_updated_at(later)];

        let State::Search { since: s, after } = connector.next_search(since, "400".into(), &page)
        else {
            panic!("still a search");
        };
        assert_eq!((s, after.as_deref()), (since, Some("400")));

        let State::Search { since: s, after } = connector.next_search(since, "9950".into(), &page)
        else {
            panic!("still a search");
        };
        assert_eq!((s, after), (later, None));

        // Every record of the page changed at the mark itself: restarting would loop.
        let same = [deal_updated_at(since)];
        let State::Search { since: s, after } = connector.next_search(since, "9950".into(), &same)
        else {
            panic!("still a search");
        };
        assert_eq!((s, after.as_deref()), (since, Some("9950")));
    }

    #[test]
    fn auth_errors_carry_hubspots_category() {
        let missing_scope = answer(
            403,
            &[],
            json!({"status": "error", "category": "MISSING_SCOPES"}),
        );
        assert_eq!(
            classify(&missing_scope),
            Failure::Forbidden {
                status: 403,
                code: Some("MISSING_SCOPES".into())
            }
        );
    }
}
