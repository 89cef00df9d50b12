//! Leads and deals written in batches: one `INSERT ... SELECT FROM UNNEST(...) ON CONFLICT ... DO
//! UPDATE ... WHERE ... IS DISTINCT FROM ...` per batch, never a query per row.
//!
//! # What an upsert does to a row that exists
//!
//! Rows are matched on `(company_id, external_id)`; a row without an external id is always a new
//! row (PRODUCT.md "Imports"). An existing row takes every value the source gives, and a value the
//! source leaves out (a blank cell, an unmapped column, a CRM field that is empty) never erases
//! what is stored: a file without an owner column does not take the owners away, and a CRM owner
//! who is no Performancy user leaves the owner as it was (a new row then has none). Custom fields
//! are merged key by key. A row whose values all equal the stored ones is not written at all (the
//! `WHERE ... IS DISTINCT FROM` of the `DO UPDATE`), so `updated_at` does not move and an import of
//! unchanged data changes nothing. `RETURNING (xmax = 0)` tells a created row from an updated one;
//! the rows neither returned are the unchanged ones.
//!
//! A batch may not name one external id twice (PostgreSQL refuses to update a row twice in one
//! statement), so the last row with an id wins and the earlier ones count as unchanged.
//!
//! # Deals
//!
//! - The stage is resolved by [`StageResolver`]; moving a deal to another stage sets
//!   `stage_changed_at`, and entering the won or lost stage sets `closed_at` to now unless the
//!   source gives it; leaving them for an open stage clears it.
//! - `probability` left out stays NULL, which means "the stage's probability"; `currency` left out
//!   is the company's currency.
//! - The lead is found by external id or by e-mail (the oldest lead with that e-mail). A CRM deal
//!   whose contact was never imported gets a stand-in lead (made from its organisation, else named
//!   after the deal) so a deal is never dropped for lacking a contact; a file's deal whose lead
//!   cannot be found fails with `lead_not_found`, and a new deal with no lead at all with
//!   `lead_missing`. An existing deal whose source names no lead keeps its lead.
//! - Values the database would refuse (a negative amount, one too large for `numeric(18,2)`, a
//!   probability out of 0–100, a currency that is no ISO code) fail their row here, before the
//!   statement, so one bad row cannot fail the batch.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use db::TenantTx;
use domain::StageKind;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::IngestError;
use crate::stages::{StageResolver, StageSpec};

/// A lead as a source gives it. Text is trimmed and blanks are `None` (the conversions from
/// [`tabular::LeadRow`] and [`crm::CrmLead`] do that).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LeadInput {
    /// The file line, for the import's error list.
    pub line: Option<u64>,
    /// Namespaced by source: `csv:L-1`, `hubspot:123`.
    pub external_id: Option<String>,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub company_name: Option<String>,
    pub position: Option<String>,
    pub source: Option<String>,
    pub status: Option<String>,
    pub lead_score: Option<f64>,
    /// Matched, ignoring case, to an ACTIVE user of the company.
    pub owner_email: Option<String>,
    pub custom_fields: Map<String, Value>,
}

/// Which lead a deal belongs to.
#[derive(Debug, Clone, PartialEq)]
pub enum LeadLink {
    /// Not given: an existing deal keeps its lead; a new deal fails with `lead_missing`.
    Unspecified,
    /// The lead with the first of these external ids that exists.
    ExternalIds(Vec<String>),
    /// The oldest lead with this e-mail, ignoring case.
    Email(String),
    /// A CRM deal's contact when it was imported; otherwise an existing deal keeps its lead and a
    /// new one gets `stand_in` (found by its external id, or created).
    OrCreate {
        external_id: Option<String>,
        stand_in: Box<LeadInput>,
    },
}

/// A deal as a source gives it. Text is trimmed and blanks are `None`.
#[derive(Debug, Clone, PartialEq)]
pub struct DealInput {
    pub line: Option<u64>,
    pub external_id: Option<String>,
    pub title: String,
    pub stage: StageSpec,
    /// `None` keeps an existing deal's value; a new deal gets 0.
    pub value: Option<Decimal>,
    /// ISO 4217; `None` keeps an existing deal's, a new deal gets the company's.
    pub currency: Option<String>,
    /// Percentage points; `None` keeps an existing deal's (NULL means the stage's probability).
    pub probability: Option<Decimal>,
    pub expected_close_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub owner_email: Option<String>,
    pub lead: LeadLink,
    pub custom_fields: Map<String, Value>,
}

/// What a batch did to the rows it was given (failed rows are counted apart).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Counts {
    pub created: u64,
    pub updated: u64,
    /// Rows equal to what is stored, which were not rewritten.
    pub unchanged: u64,
}

impl Counts {
    /// Rows accepted: created, updated or unchanged.
    pub fn total(&self) -> u64 {
        self.created + self.updated + self.unchanged
    }

    pub fn add(&mut self, other: Counts) {
        self.created += other.created;
        self.updated += other.updated;
        self.unchanged += other.unchanged;
    }
}

/// Why a row could not be written. Each has a stable [`code`](FailureReason::code).
/// Codes shared with [`tabular::Reason`] where the meaning is the same, so pages translate one list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FailureReason {
    /// The lead the row names (by external id or e-mail) does not exist.
    LeadNotFound,
    /// A new deal names no lead.
    LeadMissing,
    /// The stage is not one of the company's stages.
    UnknownStage,
    /// The company has no open stage to put the deal in.
    NoOpenStage,
    MissingTitle,
    NegativeValue,
    /// Beyond what `numeric(18,2)` holds.
    ValueOutOfRange,
    ProbabilityOutOfRange,
    InvalidCurrency,
}

impl FailureReason {
    pub const fn code(self) -> &'static str {
        match self {
            FailureReason::LeadNotFound => "lead_not_found",
            FailureReason::LeadMissing => "lead_missing",
            FailureReason::UnknownStage => "unknown_stage",
            FailureReason::NoOpenStage => "no_open_stage",
            FailureReason::MissingTitle => "missing",
            FailureReason::NegativeValue => "negative_amount",
            FailureReason::ValueOutOfRange => "amount_too_large",
            FailureReason::ProbabilityOutOfRange => "percent_out_of_range",
            FailureReason::InvalidCurrency => "invalid_currency",
        }
    }
}

/// A row that was not written: where it came from, which field, why, and the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowFailure {
    pub line: Option<u64>,
    pub external_id: Option<String>,
    pub field: Option<&'static str>,
    pub reason: FailureReason,
    pub value: String,
}

/// What [`upsert_deals`] did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DealsWritten {
    pub counts: Counts,
    pub failures: Vec<RowFailure>,
    /// Stand-in leads created for CRM deals whose contact was never imported.
    pub leads_created: u64,
}

/// The rows to write: the last of each external id, in input order, and how many earlier ones it
/// superseded.
fn last_wins<T>(rows: &[T], key: impl Fn(&T) -> Option<&str>) -> (Vec<&T>, u64) {
    let mut last: HashMap<&str, usize> = HashMap::with_capacity(rows.len());
    for (index, row) in rows.iter().enumerate() {
        if let Some(id) = key(row) {
            last.insert(id, index);
        }
    }
    let kept: Vec<&T> = rows
        .iter()
        .enumerate()
        .filter(|(index, row)| key(row).is_none_or(|id| last.get(id) == Some(index)))
        .map(|(_, row)| row)
        .collect();
    let superseded = (rows.len() - kept.len()) as u64;
    (kept, superseded)
}

/// A new row's id, shaped like the schema's `performancy_id()` ('c' and 24 base-36 characters
/// from a CSPRNG). Made here because the default costs a SQL function call per row, and an upsert
/// evaluates it for every row it is given, unchanged ones included: a fifth of a large import's
/// time. An id given for a row that already exists is simply not used.
pub(crate) fn new_id(rng: &mut impl rand::Rng) -> String {
    const ALPHABET: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut id = String::with_capacity(25);
    id.push('c');
    for _ in 0..24 {
        id.push(char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]));
    }
    id
}

/// `n` new ids. The generator is not `Send`, so it lives here rather than across an `.await`.
fn new_ids(n: usize) -> Vec<String> {
    let mut rng = rand::rng();
    (0..n).map(|_| new_id(&mut rng)).collect()
}

fn lower(email: Option<&str>) -> Option<String> {
    email
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(str::to_lowercase)
}

/// Upserts `rows` as leads of the transaction's company. See the module documentation.
pub async fn upsert_leads(tx: &mut TenantTx, rows: &[LeadInput]) -> Result<Counts, IngestError> {
    if rows.is_empty() {
        return Ok(Counts::default());
    }
    let company_id = tx.company_id().to_owned();
    let (kept, superseded) = last_wins(rows, |r| r.external_id.as_deref());
    let n = kept.len();
    let ids = new_ids(n);
    let mut external_ids = Vec::with_capacity(n);
    let mut names = Vec::with_capacity(n);
    let mut emails = Vec::with_capacity(n);
    let mut phones = Vec::with_capacity(n);
    let mut company_names = Vec::with_capacity(n);
    let mut positions = Vec::with_capacity(n);
    let mut sources = Vec::with_capacity(n);
    let mut statuses = Vec::with_capacity(n);
    let mut scores = Vec::with_capacity(n);
    let mut owners = Vec::with_capacity(n);
    let mut customs = Vec::with_capacity(n);
    for row in &kept {
        external_ids.push(row.external_id.as_deref());
        names.push(row.name.as_str());
        emails.push(row.email.as_deref());
        phones.push(row.phone.as_deref());
        company_names.push(row.company_name.as_deref());
        positions.push(row.position.as_deref());
        sources.push(row.source.as_deref());
        statuses.push(row.status.as_deref());
        scores.push(row.lead_score);
        owners.push(lower(row.owner_email.as_deref()));
        customs.push(Value::Object(row.custom_fields.clone()));
    }
    let returned = sqlx::query_scalar!(
        r#"INSERT INTO leads AS l (company_id, id, external_id, name, email, phone, company_name,
                                   position, source, status, lead_score, owner_id, custom_fields)
           SELECT $1, i.id, i.external_id, i.name, i.email, i.phone, i.company_name, i.position,
                  i.source, i.status, i.lead_score, u.id, i.custom_fields
           FROM UNNEST($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                       $8::text[], $9::text[], $10::float8[], $11::text[], $12::jsonb[], $13::text[])
                AS i(external_id, name, email, phone, company_name, position, source, status,
                     lead_score, owner_email, custom_fields, id)
           LEFT JOIN users u
             ON lower(u.email) = i.owner_email AND u.company_id = $1 AND u.status = 'ACTIVE'
           ON CONFLICT (company_id, external_id) DO UPDATE
           SET name = EXCLUDED.name,
               email = coalesce(EXCLUDED.email, l.email),
               phone = coalesce(EXCLUDED.phone, l.phone),
               company_name = coalesce(EXCLUDED.company_name, l.company_name),
               position = coalesce(EXCLUDED.position, l.position),
               source = coalesce(EXCLUDED.source, l.source),
               status = coalesce(EXCLUDED.status, l.status),
               lead_score = coalesce(EXCLUDED.lead_score, l.lead_score),
               owner_id = coalesce(EXCLUDED.owner_id, l.owner_id),
               custom_fields = l.custom_fields || EXCLUDED.custom_fields
           WHERE (l.name, l.email, l.phone, l.company_name, l.position, l.source, l.status,
                  l.lead_score, l.owner_id, l.custom_fields)
                 IS DISTINCT FROM
                 (EXCLUDED.name, coalesce(EXCLUDED.email, l.email), coalesce(EXCLUDED.phone, l.phone),
                  coalesce(EXCLUDED.company_name, l.company_name),
                  coalesce(EXCLUDED.position, l.position), coalesce(EXCLUDED.source, l.source),
                  coalesce(EXCLUDED.status, l.status), coalesce(EXCLUDED.lead_score, l.lead_score),
                  coalesce(EXCLUDED.owner_id, l.owner_id), l.custom_fields || EXCLUDED.custom_fields)
           RETURNING (xmax = 0) AS "created!""#,
        company_id,
        external_ids.as_slice() as &[Option<&str>],
        names.as_slice() as &[&str],
        emails.as_slice() as &[Option<&str>],
        phones.as_slice() as &[Option<&str>],
        company_names.as_slice() as &[Option<&str>],
        positions.as_slice() as &[Option<&str>],
        sources.as_slice() as &[Option<&str>],
        statuses.as_slice() as &[Option<&str>],
        scores.as_slice() as &[Option<f64>],
        owners.as_slice() as &[Option<String>],
        customs.as_slice() as &[Value],
        ids.as_slice() as &[String],
    )
    .fetch_all(&mut **tx)
    .await?;
    Ok(counts_of(&returned, n as u64 + superseded))
}

fn counts_of(returned: &[bool], rows: u64) -> Counts {
    let created = returned.iter().filter(|created| **created).count() as u64;
    let updated = returned.len() as u64 - created;
    Counts {
        created,
        updated,
        unchanged: rows.saturating_sub(created + updated),
    }
}

/// An existing deal, as the upsert needs it to decide stage and closing.
struct ExistingDeal {
    lead_id: String,
    stage: String,
    closed_at: Option<DateTime<Utc>>,
}

/// `closed_at` of a deal going to a stage of `kind`: the given time; else, staying in its stage,
/// the stored one (or now, for a closed deal that has none); else now when it enters the won or
/// lost stage, nothing when it enters an open one. The flag says "now".
fn closing(
    given: Option<DateTime<Utc>>,
    kind: StageKind,
    same_stage_closed_at: Option<Option<DateTime<Utc>>>,
) -> (Option<DateTime<Utc>>, bool) {
    if given.is_some() {
        return (given, false);
    }
    match (kind, same_stage_closed_at) {
        (StageKind::Won | StageKind::Lost, Some(Some(at))) => (Some(at), false),
        (StageKind::Won | StageKind::Lost, _) => (None, true),
        (StageKind::Open, Some(stored)) => (stored, false),
        (StageKind::Open, None) => (None, false),
    }
}

/// The upper bound of `numeric(18,2)`.
fn max_value() -> Decimal {
    Decimal::from(10_i64.pow(16))
}

fn valid_currency(code: &str) -> bool {
    code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase())
}

fn check_deal(row: &DealInput) -> Result<(), (FailureReason, &'static str, String)> {
    if row.title.trim().is_empty() {
        return Err((FailureReason::MissingTitle, "title", String::new()));
    }
    if let Some(value) = row.value {
        if value.is_sign_negative() && !value.is_zero() {
            return Err((FailureReason::NegativeValue, "value", value.to_string()));
        }
        if value.round_dp(2) >= max_value() {
            return Err((FailureReason::ValueOutOfRange, "value", value.to_string()));
        }
    }
    if let Some(probability) = row.probability
        && (probability < Decimal::ZERO || probability > Decimal::ONE_HUNDRED)
    {
        return Err((
            FailureReason::ProbabilityOutOfRange,
            "probability",
            probability.to_string(),
        ));
    }
    if let Some(currency) = &row.currency
        && !valid_currency(currency)
    {
        return Err((FailureReason::InvalidCurrency, "currency", currency.clone()));
    }
    Ok(())
}

fn failure(
    row: &DealInput,
    reason: FailureReason,
    field: &'static str,
    value: impl Into<String>,
) -> RowFailure {
    RowFailure {
        line: row.line,
        external_id: row.external_id.clone(),
        field: Some(field),
        reason,
        value: value.into(),
    }
}

/// A deal that passed the checks, with its stage resolved (`None`: not given).
struct Checked<'a> {
    row: &'a DealInput,
    stage: Option<&'a str>,
}

/// Upserts `rows` as deals of the transaction's company. See the module documentation.
pub async fn upsert_deals(
    tx: &mut TenantTx,
    rows: &[DealInput],
    stages: &StageResolver,
) -> Result<DealsWritten, IngestError> {
    let mut written = DealsWritten::default();
    if rows.is_empty() {
        return Ok(written);
    }
    let company_id = tx.company_id().to_owned();
    let (kept, superseded) = last_wins(rows, |r| r.external_id.as_deref());

    let mut checked = Vec::with_capacity(kept.len());
    for row in kept {
        if let Err((reason, field, value)) = check_deal(row) {
            written.failures.push(failure(row, reason, field, value));
            continue;
        }
        match stages.resolve(&row.stage) {
            Ok(stage) => checked.push(Checked { row, stage }),
            Err(reason) => {
                let written_as = match &row.stage {
                    StageSpec::Written(text) => text.clone(),
                    StageSpec::Crm {
                        external, label, ..
                    } => label
                        .clone()
                        .or_else(|| external.clone())
                        .unwrap_or_default(),
                    StageSpec::Unspecified => String::new(),
                };
                written
                    .failures
                    .push(failure(row, reason, "stage", written_as));
            }
        }
    }

    // Existing deals, locked: their stage and closing decide what this write does to them.
    let external_ids: Vec<&str> = checked
        .iter()
        .filter_map(|c| c.row.external_id.as_deref())
        .collect();
    let existing: HashMap<String, ExistingDeal> = if external_ids.is_empty() {
        HashMap::new()
    } else {
        sqlx::query!(
            r#"SELECT external_id AS "external_id!", lead_id, stage,
                      closed_at AS "closed_at: DateTime<Utc>"
               FROM deals WHERE company_id = $1 AND external_id = ANY($2)
               FOR UPDATE"#,
            company_id,
            external_ids.as_slice() as &[&str]
        )
        .fetch_all(&mut **tx)
        .await?
        .into_iter()
        .map(|r| {
            (
                r.external_id,
                ExistingDeal {
                    lead_id: r.lead_id,
                    stage: r.stage,
                    closed_at: r.closed_at,
                },
            )
        })
        .collect()
    };

    let mut leads = LeadIndex::load(tx, &checked).await?;
    written.leads_created = leads.create_stand_ins(tx, &checked, &existing).await?;

    let n = checked.len();
    let mut ext = Vec::with_capacity(n);
    let mut titles = Vec::with_capacity(n);
    let mut stage_keys = Vec::with_capacity(n);
    let mut probabilities = Vec::with_capacity(n);
    let mut values = Vec::with_capacity(n);
    let mut currencies = Vec::with_capacity(n);
    let mut expected = Vec::with_capacity(n);
    let mut closed = Vec::with_capacity(n);
    let mut close_now = Vec::with_capacity(n);
    let mut customs = Vec::with_capacity(n);
    let mut lead_ids = Vec::with_capacity(n);
    let mut owners = Vec::with_capacity(n);
    for Checked { row, stage } in &checked {
        let current = row.external_id.as_ref().and_then(|id| existing.get(id));
        let lead_id = match leads.lead_for(row, current.is_some()) {
            Found::Lead(id) => id,
            Found::Absent(value) => {
                written
                    .failures
                    .push(failure(row, FailureReason::LeadNotFound, "lead_ref", value));
                continue;
            }
            Found::Unspecified => match current {
                Some(deal) => deal.lead_id.clone(),
                None => {
                    written
                        .failures
                        .push(failure(row, FailureReason::LeadMissing, "lead_ref", ""));
                    continue;
                }
            },
        };
        let stage_key = match (stage, current) {
            (Some(key), _) => (*key).to_owned(),
            (None, Some(deal)) => deal.stage.clone(),
            (None, None) => match stages.default_stage() {
                Some(key) => key.to_owned(),
                None => {
                    written
                        .failures
                        .push(failure(row, FailureReason::NoOpenStage, "stage", ""));
                    continue;
                }
            },
        };
        let kind = stages.kind_of(&stage_key).unwrap_or(StageKind::Open);
        let same_stage_closed_at = current
            .filter(|deal| deal.stage == stage_key)
            .map(|deal| deal.closed_at);
        let (closed_at, now) = closing(row.closed_at, kind, same_stage_closed_at);

        ext.push(row.external_id.as_deref());
        titles.push(row.title.as_str());
        stage_keys.push(stage_key);
        probabilities.push(row.probability);
        values.push(row.value);
        currencies.push(row.currency.as_deref());
        expected.push(row.expected_close_at);
        closed.push(closed_at);
        close_now.push(now);
        customs.push(Value::Object(row.custom_fields.clone()));
        lead_ids.push(lead_id);
        owners.push(lower(row.owner_email.as_deref()));
    }

    let accepted = ext.len() as u64;
    if accepted > 0 {
        let ids = new_ids(ext.len());
        let returned = sqlx::query_scalar!(
            r#"INSERT INTO deals AS d (company_id, id, external_id, title, stage, probability, value,
                                       currency, expected_close_at, closed_at, custom_fields,
                                       lead_id, owner_id)
               SELECT $1, i.id, i.external_id, i.title, i.stage,
                      coalesce(i.probability, e.probability),
                      coalesce(i.value, e.value, 0),
                      coalesce(i.currency, e.currency, c.currency),
                      coalesce(i.expected_close_at, e.expected_close_at),
                      CASE WHEN i.close_now THEN now() ELSE i.closed_at END,
                      coalesce(e.custom_fields, '{}') || i.custom_fields,
                      i.lead_id,
                      coalesce(u.id, e.owner_id)
               FROM UNNEST($2::text[], $3::text[], $4::text[], $5::numeric[], $6::numeric[],
                           $7::text[], $8::timestamptz[], $9::timestamptz[], $10::bool[],
                           $11::jsonb[], $12::text[], $13::text[], $14::text[])
                    AS i(external_id, title, stage, probability, value, currency,
                         expected_close_at, closed_at, close_now, custom_fields, lead_id,
                         owner_email, id)
               JOIN companies c ON c.id = $1
               LEFT JOIN deals e ON e.company_id = $1 AND e.external_id = i.external_id
               LEFT JOIN users u
                 ON lower(u.email) = i.owner_email AND u.company_id = $1 AND u.status = 'ACTIVE'
               ON CONFLICT (company_id, external_id) DO UPDATE
               SET title = EXCLUDED.title,
                   stage = EXCLUDED.stage,
                   probability = EXCLUDED.probability,
                   value = EXCLUDED.value,
                   currency = EXCLUDED.currency,
                   expected_close_at = EXCLUDED.expected_close_at,
                   closed_at = EXCLUDED.closed_at,
                   custom_fields = EXCLUDED.custom_fields,
                   lead_id = EXCLUDED.lead_id,
                   owner_id = EXCLUDED.owner_id,
                   stage_changed_at = CASE WHEN d.stage IS DISTINCT FROM EXCLUDED.stage
                                           THEN now() ELSE d.stage_changed_at END
               WHERE (d.title, d.stage, d.probability, d.value, d.currency, d.expected_close_at,
                      d.closed_at, d.custom_fields, d.lead_id, d.owner_id)
                     IS DISTINCT FROM
                     (EXCLUDED.title, EXCLUDED.stage, EXCLUDED.probability, EXCLUDED.value,
                      EXCLUDED.currency, EXCLUDED.expected_close_at, EXCLUDED.closed_at,
                      EXCLUDED.custom_fields, EXCLUDED.lead_id, EXCLUDED.owner_id)
               RETURNING (xmax = 0) AS "created!""#,
            company_id,
            ext.as_slice() as &[Option<&str>],
            titles.as_slice() as &[&str],
            stage_keys.as_slice() as &[String],
            probabilities.as_slice() as &[Option<Decimal>],
            values.as_slice() as &[Option<Decimal>],
            currencies.as_slice() as &[Option<&str>],
            expected.as_slice() as &[Option<DateTime<Utc>>],
            closed.as_slice() as &[Option<DateTime<Utc>>],
            close_now.as_slice() as &[bool],
            customs.as_slice() as &[Value],
            lead_ids.as_slice() as &[String],
            owners.as_slice() as &[Option<String>],
            ids.as_slice() as &[String],
        )
        .fetch_all(&mut **tx)
        .await?;
        written.counts = counts_of(&returned, accepted + superseded);
    } else {
        written.counts.unchanged = superseded;
    }
    written
        .failures
        .sort_by_key(|f| (f.line.unwrap_or(u64::MAX), f.external_id.clone()));
    Ok(written)
}

/// How a deal's lead was looked up.
enum Found {
    Lead(String),
    /// The source names a lead that does not exist; the value names it.
    Absent(String),
    /// The source names no lead (or a CRM contact that was never imported and no stand-in).
    Unspecified,
}

/// The leads a batch of deals names, looked up in two queries (external ids, e-mails).
struct LeadIndex {
    by_external_id: HashMap<String, String>,
    by_email: HashMap<String, String>,
}

impl LeadIndex {
    async fn load(tx: &mut TenantTx, deals: &[Checked<'_>]) -> Result<Self, IngestError> {
        let company_id = tx.company_id().to_owned();
        let mut external_ids: HashSet<&str> = HashSet::new();
        let mut emails: HashSet<String> = HashSet::new();
        for deal in deals {
            match &deal.row.lead {
                LeadLink::Unspecified => {}
                LeadLink::ExternalIds(ids) => external_ids.extend(ids.iter().map(String::as_str)),
                LeadLink::Email(email) => emails.extend(lower(Some(email))),
                LeadLink::OrCreate {
                    external_id,
                    stand_in,
                } => {
                    external_ids.extend(external_id.as_deref());
                    external_ids.extend(stand_in.external_id.as_deref());
                }
            }
        }
        let mut index = LeadIndex {
            by_external_id: HashMap::new(),
            by_email: HashMap::new(),
        };
        index
            .load_external_ids(tx, &external_ids.into_iter().collect::<Vec<_>>())
            .await?;
        if !emails.is_empty() {
            let emails: Vec<String> = emails.into_iter().collect();
            let rows = sqlx::query!(
                r#"SELECT DISTINCT ON (lower(email)) lower(email) AS "email!", id
                   FROM leads WHERE company_id = $1 AND lower(email) = ANY($2)
                   ORDER BY lower(email), created_at, id"#,
                company_id,
                emails.as_slice() as &[String]
            )
            .fetch_all(&mut **tx)
            .await?;
            index
                .by_email
                .extend(rows.into_iter().map(|r| (r.email, r.id)));
        }
        Ok(index)
    }

    async fn load_external_ids(
        &mut self,
        tx: &mut TenantTx,
        external_ids: &[&str],
    ) -> Result<(), IngestError> {
        if external_ids.is_empty() {
            return Ok(());
        }
        let company_id = tx.company_id().to_owned();
        let rows = sqlx::query!(
            r#"SELECT external_id AS "external_id!", id FROM leads
               WHERE company_id = $1 AND external_id = ANY($2)"#,
            company_id,
            external_ids as &[&str]
        )
        .fetch_all(&mut **tx)
        .await?;
        self.by_external_id
            .extend(rows.into_iter().map(|r| (r.external_id, r.id)));
        Ok(())
    }

    /// Creates the stand-in leads of new CRM deals whose contact is not here; how many it created.
    async fn create_stand_ins(
        &mut self,
        tx: &mut TenantTx,
        deals: &[Checked<'_>],
        existing: &HashMap<String, ExistingDeal>,
    ) -> Result<u64, IngestError> {
        let mut wanted: Vec<LeadInput> = Vec::new();
        let mut seen: HashSet<&str> = HashSet::new();
        for deal in deals {
            let LeadLink::OrCreate {
                external_id,
                stand_in,
            } = &deal.row.lead
            else {
                continue;
            };
            let contact_found = external_id
                .as_ref()
                .is_some_and(|id| self.by_external_id.contains_key(id));
            let deal_exists = deal
                .row
                .external_id
                .as_ref()
                .is_some_and(|id| existing.contains_key(id));
            let Some(stand_in_id) = stand_in.external_id.as_deref() else {
                continue;
            };
            if contact_found
                || deal_exists
                || self.by_external_id.contains_key(stand_in_id)
                || !seen.insert(stand_in_id)
            {
                continue;
            }
            wanted.push((**stand_in).clone());
        }
        if wanted.is_empty() {
            return Ok(0);
        }
        let counts = upsert_leads(tx, &wanted).await?;
        let ids: Vec<&str> = wanted
            .iter()
            .filter_map(|l| l.external_id.as_deref())
            .collect();
        self.load_external_ids(tx, &ids).await?;
        Ok(counts.created)
    }

    /// The lead of `deal`; `exists` says whether the deal is already stored.
    fn lead_for(&self, deal: &DealInput, exists: bool) -> Found {
        match &deal.lead {
            LeadLink::Unspecified => Found::Unspecified,
            LeadLink::ExternalIds(ids) => ids
                .iter()
                .find_map(|id| self.by_external_id.get(id))
                .map_or_else(
                    || Found::Absent(ids.first().cloned().unwrap_or_default()),
                    |id| Found::Lead(id.clone()),
                ),
            LeadLink::Email(email) => lower(Some(email))
                .and_then(|email| self.by_email.get(&email))
                .map_or_else(
                    || Found::Absent(email.clone()),
                    |id| Found::Lead(id.clone()),
                ),
            LeadLink::OrCreate {
                external_id,
                stand_in,
            } => {
                let contact = external_id
                    .as_ref()
                    .and_then(|id| self.by_external_id.get(id));
                // An existing deal keeps its lead rather than moving to a stand-in.
                let stand_in = (!exists)
                    .then_some(stand_in.external_id.as_ref())
                    .flatten()
                    .and_then(|id| self.by_external_id.get(id));
                contact
                    .or(stand_in)
                    .map_or(Found::Unspecified, |id| Found::Lead(id.clone()))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_last_row_of_an_external_id_wins_and_rows_without_one_all_stay() {
        let rows = [
            (Some("a"), 1),
            (None, 2),
            (Some("b"), 3),
            (Some("a"), 4),
            (None, 5),
        ];
        let (kept, superseded) = last_wins(&rows, |r| r.0);
        let values: Vec<i32> = kept.iter().map(|r| r.1).collect();
        assert_eq!(values, [2, 3, 4, 5]);
        assert_eq!(superseded, 1);
    }

    #[test]
    fn ids_made_here_look_like_the_schemas() {
        let mut rng = rand::rng();
        let id = new_id(&mut rng);
        assert_eq!(id.len(), 25);
        assert!(id.starts_with('c'));
        assert!(
            id[1..]
                .bytes()
                .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase())
        );
        assert_ne!(new_id(&mut rng), id);
    }

    #[test]
    fn counts_split_created_updated_and_unchanged() {
        assert_eq!(
            counts_of(&[true, false, true], 5),
            Counts {
                created: 2,
                updated: 1,
                unchanged: 2
            }
        );
    }

    #[test]
    fn entering_won_or_lost_closes_now_unless_a_close_date_is_given() {
        let at = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap();
        assert_eq!(closing(None, StageKind::Won, None), (None, true));
        assert_eq!(closing(Some(at), StageKind::Won, None), (Some(at), false));
        assert_eq!(closing(None, StageKind::Lost, Some(None)), (None, true));
        // already won, staying won: keeps its date, so a second import changes nothing
        assert_eq!(
            closing(None, StageKind::Won, Some(Some(at))),
            (Some(at), false)
        );
        // reopened: no longer closed
        assert_eq!(closing(None, StageKind::Open, None), (None, false));
        assert_eq!(
            closing(None, StageKind::Open, Some(Some(at))),
            (Some(at), false)
        );
    }

    fn deal() -> DealInput {
        DealInput {
            line: Some(2),
            external_id: Some("csv:D-1".into()),
            title: "Contrato".into(),
            stage: StageSpec::Unspecified,
            value: Some(Decimal::new(123_456, 2)),
            currency: Some("BRL".into()),
            probability: None,
            expected_close_at: None,
            closed_at: None,
            owner_email: None,
            lead: LeadLink::Unspecified,
            custom_fields: Map::new(),
        }
    }

    #[test]
    fn values_the_database_would_refuse_fail_their_row_before_the_batch() {
        assert_eq!(check_deal(&deal()), Ok(()));
        let too_large = DealInput {
            value: Some(Decimal::from(10_i64.pow(16))),
            ..deal()
        };
        assert_eq!(
            check_deal(&too_large).map_err(|e| e.0),
            Err(FailureReason::ValueOutOfRange)
        );
        let negative = DealInput {
            value: Some(Decimal::new(-1, 0)),
            ..deal()
        };
        assert_eq!(
            check_deal(&negative).map_err(|e| e.0),
            Err(FailureReason::NegativeValue)
        );
        let bad_currency = DealInput {
            currency: Some("R$".into()),
            ..deal()
        };
        assert_eq!(
            check_deal(&bad_currency).map_err(|e| e.0),
            Err(FailureReason::InvalidCurrency)
        );
        let blank = DealInput {
            title: " ".into(),
            ..deal()
        };
        assert_eq!(
            check_deal(&blank).map_err(|e| e.0),
            Err(FailureReason::MissingTitle)
        );
    }
}
