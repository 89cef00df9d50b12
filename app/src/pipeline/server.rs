//! Server side of the pipeline: who sees which leads and deals ([`Visibility`]), the lists with
//! their filters, the detail pages, saving a lead or a deal, moving a deal between stages, the board
//! and the forecast. Every function takes the viewer's [`TenantCtx`] and one tenant transaction;
//! every change writes its audit row in that transaction.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use db::{TenantCtx, TenantTx};
use domain::{ConversationChannel, ConversationSentiment, Locale, StageKind, UserRole};
use rust_decimal::Decimal;
use serde_json::{Map, Value, json};
use sqlx::{Postgres, QueryBuilder};

use super::{
    Board, BoardCard, BoardColumn, ConversationItem, DealDetail, DealPage, DealRow, Direction,
    Forecast, ForecastLine, HistoryItem, LeadDetail, LeadPage, LeadRow, MAX_FIELD_CHARS,
    MAX_NAME_CHARS, MoneyTotal, OwnerChoice, PAGE_SIZE, SquadProgress, StageInfo,
};
use crate::audit::server::{Change, RequestMeta, record};
use crate::error::AppError;
use crate::policy::{Action, Ownership, Resource, allows};
use crate::validation::{check_email, invalid};

fn db_err(err: sqlx::Error) -> AppError {
    AppError::from(db::DbError::from(err))
}

/// Which owners' records a viewer sees. Built once per request from the tenant context and the
/// squads the viewer leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Visibility {
    user_id: String,
    role: UserRole,
    /// Everything (DIRECTOR, staff).
    all: bool,
    /// Records owned by these users (the viewer; a MANAGER's squad members too).
    owners: Vec<String>,
    /// Records nobody owns (DIRECTOR, MANAGER).
    unowned: bool,
    /// An AGENT: also the leads of their deals and the leads they talked to.
    agent: Option<String>,
    /// The members of the squads a MANAGER leads.
    led_members: Vec<String>,
}

impl Visibility {
    pub async fn of(tx: &mut TenantTx, ctx: &TenantCtx) -> Result<Self, AppError> {
        let me = ctx.user_id().to_owned();
        let role = ctx.role();
        Ok(match role {
            UserRole::Director | UserRole::Admin => Self {
                user_id: me,
                role,
                all: true,
                owners: Vec::new(),
                unowned: true,
                agent: None,
                led_members: Vec::new(),
            },
            UserRole::Manager => {
                let company_id = tx.company_id().to_owned();
                let led_members = sqlx::query_scalar!(
                    "SELECT DISTINCT user_id FROM squad_members
                     WHERE company_id = $1 AND squad_id = ANY($2)",
                    company_id,
                    ctx.led_squad_ids()
                )
                .fetch_all(&mut **tx)
                .await
                .map_err(db_err)?;
                let mut owners = led_members.clone();
                owners.push(me.clone());
                Self {
                    user_id: me,
                    role,
                    all: false,
                    owners,
                    unowned: true,
                    agent: None,
                    led_members,
                }
            }
            UserRole::Agent => Self {
                owners: vec![me.clone()],
                agent: Some(me.clone()),
                user_id: me,
                role,
                all: false,
                unowned: false,
                led_members: Vec::new(),
            },
        })
    }

    /// How a record owned by `owner` relates to the viewer, for [`allows`].
    pub fn ownership(&self, owner: Option<&str>) -> Ownership {
        match owner {
            None => Ownership::Unowned,
            Some(owner) if owner == self.user_id => Ownership::Own,
            Some(owner) if self.led_members.iter().any(|m| m == owner) => Ownership::LedSquad,
            Some(_) => Ownership::Other,
        }
    }

    pub fn may(&self, action: Action, resource: Resource, owner: Option<&str>) -> bool {
        allows(self.role, action, resource, self.ownership(owner))
    }

    /// Whom a record may be given to by this viewer: anyone active (DIRECTOR, staff), themselves
    /// and their squads' members (MANAGER), only themselves (AGENT).
    fn may_assign_to(&self, owner: Option<&str>) -> bool {
        match owner {
            None => self.all || self.role == UserRole::Manager,
            Some(owner) => self.all || self.owners.iter().any(|o| o == owner),
        }
    }

    /// `AND <leads visible>` for a query over `leads l` whose `company_id` is bound.
    fn push_leads(&self, qb: &mut QueryBuilder<'_, Postgres>) {
        if self.all {
            return;
        }
        qb.push(" AND (l.owner_id = ANY(")
            .push_bind(self.owners.clone())
            .push(")");
        if self.unowned {
            qb.push(" OR l.owner_id IS NULL");
        }
        if let Some(agent) = &self.agent {
            qb.push(" OR EXISTS (SELECT 1 FROM deals vd WHERE vd.company_id = l.company_id AND vd.lead_id = l.id AND vd.owner_id = ")
                .push_bind(agent.clone())
                .push(") OR EXISTS (SELECT 1 FROM conversations vc WHERE vc.company_id = l.company_id AND vc.lead_id = l.id AND vc.user_id = ")
                .push_bind(agent.clone())
                .push(")");
        }
        qb.push(")");
    }

    /// `AND <conversations visible>` for a query over `conversations c`: they belong to the agent
    /// who had them (an AGENT their own, a MANAGER their squads', a DIRECTOR all).
    pub fn push_conversations(&self, qb: &mut QueryBuilder<'_, Postgres>) {
        if self.all {
            return;
        }
        qb.push(" AND c.user_id = ANY(")
            .push_bind(self.owners.clone())
            .push(")");
    }

    /// The people whose records the viewer sees (empty for "everyone").
    pub fn people(&self) -> Option<&[String]> {
        (!self.all).then_some(self.owners.as_slice())
    }

    /// `AND <deals visible>` for a query over `deals d`.
    fn push_deals(&self, qb: &mut QueryBuilder<'_, Postgres>) {
        if self.all {
            return;
        }
        qb.push(" AND (d.owner_id = ANY(")
            .push_bind(self.owners.clone())
            .push(")");
        if self.unowned {
            qb.push(" OR d.owner_id IS NULL");
        }
        qb.push(")");
    }
}

/// `%text%` for LIKE over the folded search columns, with LIKE's wildcards escaped.
pub fn like_pattern(query: &str) -> String {
    let escaped = query
        .trim()
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// `ORDER BY order` (built by the caller from a fixed list, never from the request's text) and
/// page `page` (from 1) of [`PAGE_SIZE`] rows.
pub fn push_page(qb: &mut QueryBuilder<'_, Postgres>, order: &str, page: u32) {
    qb.push(format!(" ORDER BY {order} LIMIT "))
        .push_bind(PAGE_SIZE)
        .push(" OFFSET ")
        .push_bind(i64::from(page.max(1) - 1) * PAGE_SIZE);
}

/// Each word of a search must appear (in any order), accents and case ignored.
fn push_search(qb: &mut QueryBuilder<'_, Postgres>, column: &str, query: &str) {
    for word in query.split_whitespace().take(8) {
        qb.push(format!(" AND {column} LIKE public.immutable_unaccent("))
            .push_bind(like_pattern(word))
            .push(")");
    }
}

/// The company's time zone; UTC (with a warning) if the stored name is unknown.
pub async fn company_zone(tx: &mut TenantTx) -> Result<chrono_tz::Tz, AppError> {
    let company_id = tx.company_id().to_owned();
    let timezone = sqlx::query_scalar!("SELECT timezone FROM companies WHERE id = $1", company_id)
        .fetch_one(&mut **tx)
        .await
        .map_err(db_err)?;
    Ok(timezone.parse().unwrap_or_else(|_| {
        tracing::warn!(company = %company_id, %timezone, "unknown time zone, showing UTC");
        chrono_tz::UTC
    }))
}

async fn company_currency(tx: &mut TenantTx) -> Result<String, AppError> {
    let company_id = tx.company_id().to_owned();
    sqlx::query_scalar!("SELECT currency FROM companies WHERE id = $1", company_id)
        .fetch_one(&mut **tx)
        .await
        .map_err(db_err)
}

/// The start of `day` in the company's time zone.
fn day_start(tz: chrono_tz::Tz, day: NaiveDate) -> DateTime<Utc> {
    tz.from_local_datetime(&day.and_hms_opt(0, 0, 0).unwrap_or_default())
        .earliest()
        .map(|at| at.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&day.and_hms_opt(0, 0, 0).unwrap_or_default()))
}

fn parse_day(field: &str, raw: &str) -> Result<Option<NaiveDate>, AppError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(raw, "%d/%m/%Y"))
        .map(Some)
        .map_err(|_| invalid(field, "date"))
}

fn parse_amount_field(field: &str, raw: &str, locale: Locale) -> Result<Option<Decimal>, AppError> {
    use domain::money::AmountError;
    match domain::money::parse_amount(raw, locale) {
        Ok(value) => Ok(Some(value)),
        Err(AmountError::Empty) => Ok(None),
        Err(AmountError::Negative) => Err(invalid(field, "negative")),
        Err(AmountError::TooPrecise) => Err(invalid(field, "too_precise")),
        Err(AmountError::TooLarge) => Err(invalid(field, "too_large")),
        Err(AmountError::Malformed) => Err(invalid(field, "malformed")),
    }
}

/// A percentage 0–100 as typed (`25`, `25,5`, `25%`).
fn parse_percent(field: &str, raw: &str, locale: Locale) -> Result<Option<Decimal>, AppError> {
    let trimmed = raw.trim().trim_end_matches('%').trim();
    match parse_amount_field(field, trimmed, locale)? {
        None => Ok(None),
        Some(p) if p > Decimal::from(100) => Err(invalid(field, "percent")),
        Some(p) => Ok(Some(p)),
    }
}

/// Owners the viewer may filter by and assign to.
pub async fn owner_choices(
    tx: &mut TenantTx,
    vis: &Visibility,
) -> Result<Vec<OwnerChoice>, AppError> {
    let company_id = tx.company_id().to_owned();
    let rows = sqlx::query!(
        "SELECT id, name FROM users
         WHERE company_id = $1 AND status = 'ACTIVE' AND ($2 OR id = ANY($3))
         ORDER BY lower(name), id",
        company_id,
        vis.all,
        &vis.owners
    )
    .fetch_all(&mut **tx)
    .await
    .map_err(db_err)?;
    Ok(rows
        .into_iter()
        .map(|r| OwnerChoice {
            id: r.id,
            name: r.name,
        })
        .collect())
}

pub async fn stages(tx: &mut TenantTx) -> Result<Vec<StageInfo>, AppError> {
    let company_id = tx.company_id().to_owned();
    let rows = sqlx::query!(
        r#"SELECT key, name, kind AS "kind: StageKind", probability FROM pipeline_stages
           WHERE company_id = $1 ORDER BY position"#,
        company_id
    )
    .fetch_all(&mut **tx)
    .await
    .map_err(db_err)?;
    Ok(rows
        .into_iter()
        .map(|r| StageInfo {
            key: r.key,
            name: r.name,
            kind: r.kind,
            probability: r.probability,
        })
        .collect())
}

// ------------------------------------------------------------------------------------------------
// Leads

/// The leads list's state, as it is in the URL.
#[derive(Debug, Clone, Default)]
pub struct LeadFilter {
    pub q: String,
    pub owner: String,
    pub source: String,
    pub status: String,
    pub from: String,
    pub to: String,
    pub sort: String,
    pub dir: String,
    pub page: u32,
}

#[derive(sqlx::FromRow)]
struct LeadRecord {
    id: String,
    name: String,
    email: Option<String>,
    phone: Option<String>,
    company_name: Option<String>,
    position: Option<String>,
    source: Option<String>,
    status: Option<String>,
    owner_name: Option<String>,
    deal_count: i64,
    created_at: DateTime<Utc>,
}

/// `WHERE` of the leads list after `FROM leads l`.
fn push_lead_filters(
    qb: &mut QueryBuilder<'_, Postgres>,
    company_id: &str,
    vis: &Visibility,
    filter: &LeadFilter,
    tz: chrono_tz::Tz,
) -> Result<(), AppError> {
    qb.push(" WHERE l.company_id = ")
        .push_bind(company_id.to_owned());
    vis.push_leads(qb);
    push_search(qb, "l.search_text", &filter.q);
    match filter.owner.trim() {
        "" => {}
        "none" => {
            qb.push(" AND l.owner_id IS NULL");
        }
        owner => {
            qb.push(" AND l.owner_id = ").push_bind(owner.to_owned());
        }
    }
    if !filter.source.trim().is_empty() {
        qb.push(" AND l.source = ")
            .push_bind(filter.source.trim().to_owned());
    }
    if !filter.status.trim().is_empty() {
        qb.push(" AND l.status = ")
            .push_bind(filter.status.trim().to_owned());
    }
    if let Some(from) = parse_day("from", &filter.from)? {
        qb.push(" AND l.created_at >= ")
            .push_bind(day_start(tz, from));
    }
    if let Some(to) = parse_day("to", &filter.to)? {
        let next = to.succ_opt().unwrap_or(to);
        qb.push(" AND l.created_at < ")
            .push_bind(day_start(tz, next));
    }
    Ok(())
}

pub async fn list_leads(
    db: &db::Db,
    ctx: &TenantCtx,
    filter: &LeadFilter,
) -> Result<LeadPage, AppError> {
    let mut tx = db.begin(ctx).await?;
    let company_id = tx.company_id().to_owned();
    let vis = Visibility::of(&mut tx, ctx).await?;
    let tz = company_zone(&mut tx).await?;
    let page = filter.page.max(1);

    let mut count = QueryBuilder::new("SELECT count(*) FROM leads l");
    push_lead_filters(&mut count, &company_id, &vis, filter, tz)?;
    let total: i64 = count
        .build_query_scalar()
        .fetch_one(&mut *tx)
        .await
        .map_err(db_err)?;

    let mut qb = QueryBuilder::new(
        "SELECT l.id, l.name, l.email, l.phone, l.company_name, l.position, l.source, l.status,
                u.name AS owner_name, l.created_at,
                (SELECT count(*) FROM deals d WHERE d.company_id = l.company_id AND d.lead_id = l.id) AS deal_count
         FROM leads l
         LEFT JOIN users u ON u.company_id = l.company_id AND u.id = l.owner_id",
    );
    push_lead_filters(&mut qb, &company_id, &vis, filter, tz)?;
    let dir = Direction::parse(&filter.dir).sql();
    let order = match filter.sort.as_str() {
        "name" => format!("lower(l.name) {dir}, l.id"),
        "company" => format!("lower(l.company_name) {dir} NULLS LAST, l.id"),
        "updated" => format!("l.updated_at {dir}, l.id"),
        _ => format!("l.created_at {dir}, l.id"),
    };
    push_page(&mut qb, &order, page);
    let rows: Vec<LeadRecord> = qb
        .build_query_as()
        .fetch_all(&mut *tx)
        .await
        .map_err(db_err)?;

    let owners = owner_choices(&mut tx, &vis).await?;
    let sources = sqlx::query_scalar!(
        r#"SELECT DISTINCT source AS "source!" FROM leads WHERE company_id = $1 AND source IS NOT NULL ORDER BY 1 LIMIT 50"#,
        company_id
    )
    .fetch_all(&mut *tx)
    .await
    .map_err(db_err)?;
    let statuses = sqlx::query_scalar!(
        r#"SELECT DISTINCT status AS "status!" FROM leads WHERE company_id = $1 AND status IS NOT NULL ORDER BY 1 LIMIT 50"#,
        company_id
    )
    .fetch_all(&mut *tx)
    .await
    .map_err(db_err)?;
    tx.commit().await?;
    Ok(LeadPage {
        items: rows
            .into_iter()
            .map(|r| LeadRow {
                id: r.id,
                name: r.name,
                email: r.email,
                phone: r.phone,
                company_name: r.company_name,
                position: r.position,
                source: r.source,
                status: r.status,
                owner_name: r.owner_name,
                deal_count: r.deal_count,
                created_at: r.created_at.with_timezone(&tz).fixed_offset(),
            })
            .collect(),
        total,
        page,
        page_size: PAGE_SIZE,
        owners,
        sources,
        statuses,
        can_create: vis.may(Action::Create, Resource::Lead, Some(ctx.user_id())),
    })
}

/// Every lead of the filtered list (no paging), for the CSV export.
pub async fn export_leads(
    db: &db::Db,
    ctx: &TenantCtx,
    filter: &LeadFilter,
) -> Result<Vec<tabular::LeadRow>, AppError> {
    let mut tx = db.begin(ctx).await?;
    let company_id = tx.company_id().to_owned();
    let vis = Visibility::of(&mut tx, ctx).await?;
    let tz = company_zone(&mut tx).await?;
    let mut qb = QueryBuilder::new(
        "SELECT l.external_id, l.name, l.email, l.phone, l.company_name, l.position, l.source,
                l.status, l.lead_score, u.email AS owner_email, l.custom_fields
         FROM leads l
         LEFT JOIN users u ON u.company_id = l.company_id AND u.id = l.owner_id",
    );
    push_lead_filters(&mut qb, &company_id, &vis, filter, tz)?;
    qb.push(" ORDER BY l.created_at DESC, l.id LIMIT 200000");
    #[derive(sqlx::FromRow)]
    struct Export {
        external_id: Option<String>,
        name: String,
        email: Option<String>,
        phone: Option<String>,
        company_name: Option<String>,
        position: Option<String>,
        source: Option<String>,
        status: Option<String>,
        lead_score: Option<f64>,
        owner_email: Option<String>,
        custom_fields: Value,
    }
    let rows: Vec<Export> = qb
        .build_query_as()
        .fetch_all(&mut *tx)
        .await
        .map_err(db_err)?;
    tx.commit().await?;
    Ok(rows
        .into_iter()
        .map(|r| tabular::LeadRow {
            external_id: r.external_id,
            name: r.name,
            email: r.email,
            phone: r.phone,
            company_name: r.company_name,
            position: r.position,
            source: r.source,
            status: r.status,
            lead_score: r.lead_score,
            owner_email: r.owner_email,
            custom_fields: match r.custom_fields {
                Value::Object(map) => map,
                _ => Map::new(),
            },
        })
        .collect())
}

async fn visible_lead_owner(
    tx: &mut TenantTx,
    vis: &Visibility,
    lead_id: &str,
) -> Result<Option<String>, AppError> {
    let company_id = tx.company_id().to_owned();
    let mut qb = QueryBuilder::new("SELECT l.owner_id FROM leads l WHERE l.company_id = ");
    qb.push_bind(company_id)
        .push(" AND l.id = ")
        .push_bind(lead_id.to_owned());
    vis.push_leads(&mut qb);
    let row: Option<(Option<String>,)> = qb
        .build_query_as()
        .fetch_optional(&mut **tx)
        .await
        .map_err(db_err)?;
    row.map(|(owner,)| owner).ok_or(AppError::NotFound)
}

fn custom_fields_of(value: Value) -> Vec<(String, String)> {
    match value {
        Value::Object(map) => map
            .into_iter()
            .map(|(k, v)| {
                let shown = match v {
                    Value::String(s) => s,
                    Value::Null => String::new(),
                    other => other.to_string(),
                };
                (k, shown)
            })
            .collect(),
        _ => Vec::new(),
    }
}

pub async fn get_lead(db: &db::Db, ctx: &TenantCtx, id: &str) -> Result<LeadDetail, AppError> {
    let mut tx = db.begin(ctx).await?;
    let company_id = tx.company_id().to_owned();
    let vis = Visibility::of(&mut tx, ctx).await?;
    let owner = visible_lead_owner(&mut tx, &vis, id).await?;
    if !vis.may(Action::Read, Resource::Lead, owner.as_deref()) && vis.agent.is_none() {
        return Err(AppError::NotFound);
    }
    let tz = company_zone(&mut tx).await?;
    let r = sqlx::query!(
        r#"SELECT l.id, l.external_id, l.name, l.email, l.phone, l.company_name, l.position,
                  l.source, l.status, l.lead_score, l.owner_id, u.name AS "owner_name?",
                  l.custom_fields, l.created_at AS "created_at: DateTime<Utc>",
                  l.updated_at AS "updated_at: DateTime<Utc>"
           FROM leads l LEFT JOIN users u ON u.company_id = l.company_id AND u.id = l.owner_id
           WHERE l.company_id = $1 AND l.id = $2"#,
        company_id,
        id
    )
    .fetch_one(&mut *tx)
    .await
    .map_err(db_err)?;
    let deals = deal_rows(&mut tx, &vis, tz, Some(id)).await?;
    let conversations = conversations_of_lead(&mut tx, &vis, tz, id).await?;
    let history = history(&mut tx, tz, "lead", id).await?;
    let can_edit = vis.may(Action::Update, Resource::Lead, r.owner_id.as_deref());
    let owners = if can_edit {
        owner_choices(&mut tx, &vis).await?
    } else {
        Vec::new()
    };
    tx.commit().await?;
    Ok(LeadDetail {
        id: r.id,
        external_id: r.external_id,
        name: r.name,
        email: r.email,
        phone: r.phone,
        company_name: r.company_name,
        position: r.position,
        source: r.source,
        status: r.status,
        lead_score: r.lead_score,
        owner_id: r.owner_id,
        owner_name: r.owner_name,
        custom_fields: custom_fields_of(r.custom_fields),
        created_at: r.created_at.with_timezone(&tz).fixed_offset(),
        updated_at: r.updated_at.with_timezone(&tz).fixed_offset(),
        deals,
        conversations,
        history,
        can_edit,
        owners,
    })
}

/// A lead as its form submits it; `id` empty creates one.
#[derive(Debug, Clone, Default)]
pub struct LeadInput {
    pub id: String,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub company_name: String,
    pub position: String,
    pub source: String,
    pub status: String,
    pub lead_score: String,
    pub owner_id: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CheckedLead {
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub company_name: Option<String>,
    pub position: Option<String>,
    pub source: Option<String>,
    pub status: Option<String>,
    pub lead_score: Option<f64>,
    pub owner_id: Option<String>,
}

fn optional_text(field: &str, raw: &str) -> Result<Option<String>, AppError> {
    let text = raw.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if text.chars().count() > MAX_FIELD_CHARS {
        return Err(invalid(field, "too_long"));
    }
    Ok(Some(text.to_owned()))
}

pub fn check_lead(input: &LeadInput, locale: Locale) -> Result<CheckedLead, AppError> {
    let name = input.name.trim();
    if name.is_empty() {
        return Err(invalid("name", "required"));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(invalid("name", "too_long"));
    }
    let email = match input.email.trim() {
        "" => None,
        raw => Some(check_email(raw)?),
    };
    let phone = optional_text("phone", &input.phone)?;
    if phone
        .as_deref()
        .is_some_and(|p| !p.chars().any(|c| c.is_ascii_digit()) || p.chars().count() > 40)
    {
        return Err(invalid("phone", "invalid"));
    }
    let lead_score = match parse_percent("lead_score", &input.lead_score, locale)? {
        None => None,
        Some(score) => Some(
            score
                .to_string()
                .parse::<f64>()
                .map_err(|_| invalid("lead_score", "percent"))?,
        ),
    };
    Ok(CheckedLead {
        name: name.to_owned(),
        email,
        phone,
        company_name: optional_text("company_name", &input.company_name)?,
        position: optional_text("position", &input.position)?,
        source: optional_text("source", &input.source)?,
        status: optional_text("status", &input.status)?,
        lead_score,
        owner_id: optional_text("owner_id", &input.owner_id)?,
    })
}

async fn check_owner(
    tx: &mut TenantTx,
    vis: &Visibility,
    owner: Option<&str>,
) -> Result<(), AppError> {
    if !vis.may_assign_to(owner) {
        return Err(invalid("owner_id", "not_allowed"));
    }
    if let Some(owner) = owner {
        let company_id = tx.company_id().to_owned();
        let active = sqlx::query_scalar!(
            r#"SELECT EXISTS (SELECT 1 FROM users WHERE company_id = $1 AND id = $2 AND status = 'ACTIVE') AS "ok!""#,
            company_id,
            owner
        )
        .fetch_one(&mut **tx)
        .await
        .map_err(db_err)?;
        if !active {
            return Err(invalid("owner_id", "inactive"));
        }
    }
    Ok(())
}

fn lead_json(lead: &CheckedLead) -> Value {
    json!({
        "name": lead.name, "email": lead.email, "phone": lead.phone,
        "company_name": lead.company_name, "position": lead.position, "source": lead.source,
        "status": lead.status, "lead_score": lead.lead_score, "owner_id": lead.owner_id,
    })
}

/// Creates or updates a lead; returns its id. An AGENT's new lead is theirs.
pub async fn save_lead(
    db: &db::Db,
    ctx: &TenantCtx,
    input: &LeadInput,
    locale: Locale,
    meta: &RequestMeta,
) -> Result<String, AppError> {
    let mut lead = check_lead(input, locale)?;
    let mut tx = db.begin(ctx).await?;
    let company_id = tx.company_id().to_owned();
    let vis = Visibility::of(&mut tx, ctx).await?;
    if vis.role == UserRole::Agent {
        lead.owner_id = Some(ctx.user_id().to_owned());
    }
    let (id, before) = if input.id.is_empty() {
        if !vis.may(Action::Create, Resource::Lead, lead.owner_id.as_deref()) {
            return Err(AppError::Forbidden);
        }
        check_owner(&mut tx, &vis, lead.owner_id.as_deref()).await?;
        let id = sqlx::query_scalar!(
            r#"INSERT INTO leads (company_id, name, email, phone, company_name, position, source, status, lead_score, owner_id)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id"#,
            company_id,
            lead.name,
            lead.email,
            lead.phone,
            lead.company_name,
            lead.position,
            lead.source,
            lead.status,
            lead.lead_score,
            lead.owner_id
        )
        .fetch_one(&mut *tx)
        .await
        .map_err(db_err)?;
        (id, None)
    } else {
        let owner = visible_lead_owner(&mut tx, &vis, &input.id).await?;
        if !vis.may(Action::Update, Resource::Lead, owner.as_deref()) {
            return Err(AppError::Forbidden);
        }
        if vis.role == UserRole::Agent {
            // An AGENT edits their own leads and cannot give them away.
            lead.owner_id = owner.clone();
        } else if lead.owner_id != owner {
            check_owner(&mut tx, &vis, lead.owner_id.as_deref()).await?;
        }
        let before = sqlx::query!(
            "SELECT name, email, phone, company_name, position, source, status, lead_score, owner_id
             FROM leads WHERE company_id = $1 AND id = $2 FOR UPDATE",
            company_id,
            input.id
        )
        .fetch_one(&mut *tx)
        .await
        .map_err(db_err)?;
        let before = CheckedLead {
            name: before.name,
            email: before.email,
            phone: before.phone,
            company_name: before.company_name,
            position: before.position,
            source: before.source,
            status: before.status,
            lead_score: before.lead_score,
            owner_id: before.owner_id,
        };
        if before == lead {
            tx.commit().await?;
            return Ok(input.id.clone());
        }
        sqlx::query!(
            "UPDATE leads SET name = $3, email = $4, phone = $5, company_name = $6, position = $7,
                 source = $8, status = $9, lead_score = $10, owner_id = $11
             WHERE company_id = $1 AND id = $2",
            company_id,
            input.id,
            lead.name,
            lead.email,
            lead.phone,
            lead.company_name,
            lead.position,
            lead.source,
            lead.status,
            lead.lead_score,
            lead.owner_id
        )
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        (input.id.clone(), Some(lead_json(&before)))
    };
    record(
        &mut tx,
        ctx,
        Change {
            action: if before.is_none() { "create" } else { "update" },
            entity_type: "lead",
            entity_id: &id,
            before,
            after: Some(lead_json(&lead)),
        },
        meta,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

// ------------------------------------------------------------------------------------------------
// Deals

#[derive(Debug, Clone, Default)]
pub struct DealFilter {
    pub q: String,
    pub stage: String,
    pub owner: String,
    /// `open`, `won`, `lost` or empty.
    pub state: String,
    pub min: String,
    pub max: String,
    pub close_from: String,
    pub close_to: String,
    pub sort: String,
    pub dir: String,
    pub page: u32,
}

#[derive(sqlx::FromRow)]
struct DealRecord {
    id: String,
    title: String,
    stage: String,
    stage_name: String,
    stage_kind: StageKind,
    value: Decimal,
    currency: String,
    probability: Decimal,
    expected_close_at: Option<DateTime<Utc>>,
    closed_at: Option<DateTime<Utc>>,
    owner_name: Option<String>,
    lead_id: String,
    lead_name: String,
    stage_changed_at: DateTime<Utc>,
}

const DEAL_COLUMNS: &str = "SELECT d.id, d.title, d.stage, s.name AS stage_name, s.kind AS stage_kind, d.value, d.currency,
        coalesce(d.probability, s.probability) AS probability, d.expected_close_at, d.closed_at,
        u.name AS owner_name, d.lead_id, l.name AS lead_name, d.stage_changed_at
     FROM deals d
     JOIN pipeline_stages s ON s.company_id = d.company_id AND s.key = d.stage
     JOIN leads l ON l.company_id = d.company_id AND l.id = d.lead_id
     LEFT JOIN users u ON u.company_id = d.company_id AND u.id = d.owner_id";

fn deal_row(r: DealRecord, tz: chrono_tz::Tz) -> DealRow {
    DealRow {
        id: r.id,
        title: r.title,
        stage: r.stage,
        stage_name: r.stage_name,
        stage_kind: r.stage_kind,
        value: r.value,
        currency: r.currency,
        probability: r.probability,
        expected_close_at: r
            .expected_close_at
            .map(|at| at.with_timezone(&tz).date_naive()),
        closed_at: r.closed_at.map(|at| at.with_timezone(&tz).date_naive()),
        owner_name: r.owner_name,
        lead_id: r.lead_id,
        lead_name: r.lead_name,
        stage_changed_at: r.stage_changed_at.with_timezone(&tz).fixed_offset(),
    }
}

fn push_deal_filters(
    qb: &mut QueryBuilder<'_, Postgres>,
    company_id: &str,
    vis: &Visibility,
    filter: &DealFilter,
    tz: chrono_tz::Tz,
    locale: Locale,
) -> Result<(), AppError> {
    qb.push(" WHERE d.company_id = ")
        .push_bind(company_id.to_owned());
    vis.push_deals(qb);
    if !filter.q.trim().is_empty() {
        // The title, or the lead's name, e-mail or company.
        qb.push(" AND ((true");
        push_search(qb, "d.search_text", &filter.q);
        qb.push(") OR (true");
        push_search(qb, "l.search_text", &filter.q);
        qb.push("))");
    }
    if !filter.stage.trim().is_empty() {
        qb.push(" AND d.stage = ")
            .push_bind(filter.stage.trim().to_owned());
    }
    match filter.owner.trim() {
        "" => {}
        "none" => {
            qb.push(" AND d.owner_id IS NULL");
        }
        owner => {
            qb.push(" AND d.owner_id = ").push_bind(owner.to_owned());
        }
    }
    match filter.state.trim() {
        "open" => {
            qb.push(" AND s.kind = 'OPEN'");
        }
        "won" => {
            qb.push(" AND s.kind = 'WON'");
        }
        "lost" => {
            qb.push(" AND s.kind = 'LOST'");
        }
        _ => {}
    }
    if let Some(min) = parse_amount_field("min", &filter.min, locale)? {
        qb.push(" AND d.value >= ").push_bind(min);
    }
    if let Some(max) = parse_amount_field("max", &filter.max, locale)? {
        qb.push(" AND d.value <= ").push_bind(max);
    }
    if let Some(from) = parse_day("close_from", &filter.close_from)? {
        qb.push(" AND d.expected_close_at >= ")
            .push_bind(day_start(tz, from));
    }
    if let Some(to) = parse_day("close_to", &filter.close_to)? {
        let next = to.succ_opt().unwrap_or(to);
        qb.push(" AND d.expected_close_at < ")
            .push_bind(day_start(tz, next));
    }
    Ok(())
}

pub async fn list_deals(
    db: &db::Db,
    ctx: &TenantCtx,
    filter: &DealFilter,
    locale: Locale,
) -> Result<DealPage, AppError> {
    let mut tx = db.begin(ctx).await?;
    let company_id = tx.company_id().to_owned();
    let vis = Visibility::of(&mut tx, ctx).await?;
    let tz = company_zone(&mut tx).await?;
    let page = filter.page.max(1);
    let from = " FROM deals d
     JOIN pipeline_stages s ON s.company_id = d.company_id AND s.key = d.stage
     JOIN leads l ON l.company_id = d.company_id AND l.id = d.lead_id";

    let mut sums_q = QueryBuilder::new(format!(
        "SELECT d.currency, coalesce(sum(d.value), 0) AS value, count(*) AS count{from}"
    ));
    push_deal_filters(&mut sums_q, &company_id, &vis, filter, tz, locale)?;
    sums_q.push(" GROUP BY d.currency ORDER BY count(*) DESC, d.currency");
    let sums: Vec<(String, Decimal, i64)> = sums_q
        .build_query_as()
        .fetch_all(&mut *tx)
        .await
        .map_err(db_err)?;
    let total = sums.iter().map(|s| s.2).sum();

    let mut qb = QueryBuilder::new(DEAL_COLUMNS);
    push_deal_filters(&mut qb, &company_id, &vis, filter, tz, locale)?;
    let dir = Direction::parse(&filter.dir).sql();
    let order = match filter.sort.as_str() {
        "title" => format!("lower(d.title) {dir}, d.id"),
        "value" => format!("d.value {dir}, d.id"),
        "close" => format!("d.expected_close_at {dir} NULLS LAST, d.id"),
        "stage" => format!("s.position {dir}, d.id"),
        "created" => format!("d.created_at {dir}, d.id"),
        _ => format!("d.stage_changed_at {dir}, d.id"),
    };
    push_page(&mut qb, &order, page);
    let rows: Vec<DealRecord> = qb
        .build_query_as()
        .fetch_all(&mut *tx)
        .await
        .map_err(db_err)?;
    let stages = stages(&mut tx).await?;
    let owners = owner_choices(&mut tx, &vis).await?;
    let mut leads_q = QueryBuilder::new(
        "SELECT l.id, CASE WHEN l.company_name IS NULL THEN l.name ELSE l.name || ' — ' || l.company_name END AS label
         FROM leads l WHERE l.company_id = ",
    );
    leads_q.push_bind(company_id.clone());
    vis.push_leads(&mut leads_q);
    leads_q.push(" ORDER BY l.updated_at DESC, l.id LIMIT 200");
    let lead_choices: Vec<(String, String)> = leads_q
        .build_query_as()
        .fetch_all(&mut *tx)
        .await
        .map_err(db_err)?;
    tx.commit().await?;
    Ok(DealPage {
        lead_choices: lead_choices
            .into_iter()
            .map(|(id, name)| OwnerChoice { id, name })
            .collect(),
        items: rows.into_iter().map(|r| deal_row(r, tz)).collect(),
        total,
        page,
        page_size: PAGE_SIZE,
        sums: sums
            .into_iter()
            .map(|(currency, value, count)| MoneyTotal {
                currency,
                value,
                count,
            })
            .collect(),
        stages,
        owners,
        can_create: vis.may(Action::Create, Resource::Deal, Some(ctx.user_id())),
    })
}

/// Every deal of the filtered list, for the CSV export.
pub async fn export_deals(
    db: &db::Db,
    ctx: &TenantCtx,
    filter: &DealFilter,
    locale: Locale,
) -> Result<Vec<tabular::DealRow>, AppError> {
    let mut tx = db.begin(ctx).await?;
    let company_id = tx.company_id().to_owned();
    let vis = Visibility::of(&mut tx, ctx).await?;
    let tz = company_zone(&mut tx).await?;
    let mut qb = QueryBuilder::new(
        "SELECT d.external_id, d.title, s.name AS stage, d.value, d.currency, d.probability,
                d.expected_close_at, d.closed_at, u.email AS owner_email,
                coalesce(l.email, l.external_id) AS lead_ref, l.email IS NOT NULL AS lead_by_email,
                d.custom_fields
         FROM deals d
         JOIN pipeline_stages s ON s.company_id = d.company_id AND s.key = d.stage
         JOIN leads l ON l.company_id = d.company_id AND l.id = d.lead_id
         LEFT JOIN users u ON u.company_id = d.company_id AND u.id = d.owner_id",
    );
    push_deal_filters(&mut qb, &company_id, &vis, filter, tz, locale)?;
    qb.push(" ORDER BY d.created_at DESC, d.id LIMIT 200000");
    #[derive(sqlx::FromRow)]
    struct Export {
        external_id: Option<String>,
        title: String,
        stage: String,
        value: Decimal,
        currency: String,
        probability: Option<Decimal>,
        expected_close_at: Option<DateTime<Utc>>,
        closed_at: Option<DateTime<Utc>>,
        owner_email: Option<String>,
        lead_ref: Option<String>,
        lead_by_email: bool,
        custom_fields: Value,
    }
    let rows: Vec<Export> = qb
        .build_query_as()
        .fetch_all(&mut *tx)
        .await
        .map_err(db_err)?;
    tx.commit().await?;
    let moment = |at: DateTime<Utc>| tabular::Moment::Local(at.with_timezone(&tz).naive_local());
    Ok(rows
        .into_iter()
        .map(|r| tabular::DealRow {
            external_id: r.external_id,
            title: r.title,
            stage: Some(r.stage),
            value: r.value,
            currency: Some(r.currency),
            probability: r.probability,
            expected_close_at: r.expected_close_at.map(moment),
            closed_at: r.closed_at.map(moment),
            owner_email: r.owner_email,
            lead_ref: r.lead_ref.map(|lead| {
                if r.lead_by_email {
                    tabular::LeadRef::Email(lead)
                } else {
                    tabular::LeadRef::ExternalId(lead)
                }
            }),
            custom_fields: match r.custom_fields {
                Value::Object(map) => map,
                _ => Map::new(),
            },
        })
        .collect())
}

/// The visible deals of a lead (or of everyone, for `None`), newest first.
async fn deal_rows(
    tx: &mut TenantTx,
    vis: &Visibility,
    tz: chrono_tz::Tz,
    lead_id: Option<&str>,
) -> Result<Vec<DealRow>, AppError> {
    let company_id = tx.company_id().to_owned();
    let mut qb = QueryBuilder::new(DEAL_COLUMNS);
    qb.push(" WHERE d.company_id = ").push_bind(company_id);
    vis.push_deals(&mut qb);
    if let Some(lead_id) = lead_id {
        qb.push(" AND d.lead_id = ").push_bind(lead_id.to_owned());
    }
    qb.push(" ORDER BY d.created_at DESC, d.id LIMIT 100");
    let rows: Vec<DealRecord> = qb
        .build_query_as()
        .fetch_all(&mut **tx)
        .await
        .map_err(db_err)?;
    Ok(rows.into_iter().map(|r| deal_row(r, tz)).collect())
}

async fn visible_deal(
    tx: &mut TenantTx,
    vis: &Visibility,
    tz: chrono_tz::Tz,
    id: &str,
) -> Result<DealRow, AppError> {
    let company_id = tx.company_id().to_owned();
    let mut qb = QueryBuilder::new(DEAL_COLUMNS);
    qb.push(" WHERE d.company_id = ")
        .push_bind(company_id)
        .push(" AND d.id = ")
        .push_bind(id.to_owned());
    vis.push_deals(&mut qb);
    let row: Option<DealRecord> = qb
        .build_query_as()
        .fetch_optional(&mut **tx)
        .await
        .map_err(db_err)?;
    row.map(|r| deal_row(r, tz)).ok_or(AppError::NotFound)
}

pub async fn get_deal(db: &db::Db, ctx: &TenantCtx, id: &str) -> Result<DealDetail, AppError> {
    let mut tx = db.begin(ctx).await?;
    let company_id = tx.company_id().to_owned();
    let vis = Visibility::of(&mut tx, ctx).await?;
    let tz = company_zone(&mut tx).await?;
    let deal = visible_deal(&mut tx, &vis, tz, id).await?;
    let extra = sqlx::query!(
        r#"SELECT external_id, owner_id, probability, custom_fields, created_at AS "created_at: DateTime<Utc>"
           FROM deals WHERE company_id = $1 AND id = $2"#,
        company_id,
        id
    )
    .fetch_one(&mut *tx)
    .await
    .map_err(db_err)?;
    let conversations = conversations_of_lead(&mut tx, &vis, tz, &deal.lead_id).await?;
    let history = history(&mut tx, tz, "deal", id).await?;
    let can_edit = vis.may(Action::Update, Resource::Deal, extra.owner_id.as_deref());
    let stages = stages(&mut tx).await?;
    let owners = if can_edit {
        owner_choices(&mut tx, &vis).await?
    } else {
        Vec::new()
    };
    tx.commit().await?;
    Ok(DealDetail {
        deal,
        external_id: extra.external_id,
        owner_id: extra.owner_id,
        own_probability: extra.probability,
        custom_fields: custom_fields_of(extra.custom_fields),
        created_at: extra.created_at.with_timezone(&tz).fixed_offset(),
        conversations,
        history,
        stages,
        owners,
        can_edit,
    })
}

#[derive(Debug, Clone, Default)]
pub struct DealInput {
    pub id: String,
    pub title: String,
    pub lead_id: String,
    pub stage: String,
    pub value: String,
    pub currency: String,
    pub probability: String,
    pub expected_close_at: String,
    pub owner_id: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CheckedDeal {
    pub title: String,
    pub lead_id: String,
    pub stage: String,
    pub value: Decimal,
    pub currency: Option<String>,
    pub probability: Option<Decimal>,
    pub expected_close_at: Option<NaiveDate>,
    pub owner_id: Option<String>,
}

pub fn check_deal(input: &DealInput, locale: Locale) -> Result<CheckedDeal, AppError> {
    let title = input.title.trim();
    if title.is_empty() {
        return Err(invalid("title", "required"));
    }
    if title.chars().count() > MAX_NAME_CHARS {
        return Err(invalid("title", "too_long"));
    }
    if input.lead_id.trim().is_empty() {
        return Err(invalid("lead_id", "required"));
    }
    if input.stage.trim().is_empty() {
        return Err(invalid("stage", "required"));
    }
    let value = parse_amount_field("value", &input.value, locale)?
        .ok_or_else(|| invalid("value", "required"))?;
    let currency = match input.currency.trim() {
        "" => None,
        raw => {
            Some(domain::money::parse_currency(raw).ok_or_else(|| invalid("currency", "unknown"))?)
        }
    };
    Ok(CheckedDeal {
        title: title.to_owned(),
        lead_id: input.lead_id.trim().to_owned(),
        stage: input.stage.trim().to_owned(),
        value,
        currency,
        probability: parse_percent("probability", &input.probability, locale)?,
        expected_close_at: parse_day("expected_close_at", &input.expected_close_at)?,
        owner_id: optional_text("owner_id", &input.owner_id)?,
    })
}

async fn stage_kind(tx: &mut TenantTx, key: &str) -> Result<StageKind, AppError> {
    let company_id = tx.company_id().to_owned();
    sqlx::query_scalar!(
        r#"SELECT kind AS "kind: StageKind" FROM pipeline_stages WHERE company_id = $1 AND key = $2"#,
        company_id,
        key
    )
    .fetch_optional(&mut **tx)
    .await
    .map_err(db_err)?
    .ok_or_else(|| invalid("stage", "unknown"))
}

fn deal_json(deal: &CheckedDeal) -> Value {
    json!({
        "title": deal.title, "lead_id": deal.lead_id, "stage": deal.stage, "value": deal.value,
        "currency": deal.currency, "probability": deal.probability,
        "expected_close_at": deal.expected_close_at, "owner_id": deal.owner_id,
    })
}

pub async fn save_deal(
    db: &db::Db,
    ctx: &TenantCtx,
    input: &DealInput,
    locale: Locale,
    meta: &RequestMeta,
) -> Result<String, AppError> {
    let mut deal = check_deal(input, locale)?;
    let mut tx = db.begin(ctx).await?;
    let company_id = tx.company_id().to_owned();
    let vis = Visibility::of(&mut tx, ctx).await?;
    let tz = company_zone(&mut tx).await?;
    // The lead must be one the viewer sees.
    visible_lead_owner(&mut tx, &vis, &deal.lead_id)
        .await
        .map_err(|_| invalid("lead_id", "unknown"))?;
    let kind = stage_kind(&mut tx, &deal.stage).await?;
    let currency = match &deal.currency {
        Some(c) => c.clone(),
        None => company_currency(&mut tx).await?,
    };
    deal.currency = Some(currency.clone());
    let close = deal.expected_close_at.map(|day| day_start(tz, day));
    if vis.role == UserRole::Agent && input.id.is_empty() {
        deal.owner_id = Some(ctx.user_id().to_owned());
    }
    let (id, before) = if input.id.is_empty() {
        if !vis.may(Action::Create, Resource::Deal, deal.owner_id.as_deref()) {
            return Err(AppError::Forbidden);
        }
        check_owner(&mut tx, &vis, deal.owner_id.as_deref()).await?;
        let id = sqlx::query_scalar!(
            r#"INSERT INTO deals (company_id, title, lead_id, stage, value, currency, probability,
                                 expected_close_at, owner_id, closed_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, CASE WHEN $10 THEN now() END) RETURNING id"#,
            company_id,
            deal.title,
            deal.lead_id,
            deal.stage,
            deal.value,
            currency,
            deal.probability,
            close as _,
            deal.owner_id,
            kind != StageKind::Open
        )
        .fetch_one(&mut *tx)
        .await
        .map_err(db_err)?;
        (id, None)
    } else {
        let current = visible_deal(&mut tx, &vis, tz, &input.id).await?;
        let stored = sqlx::query!(
            r#"SELECT title, lead_id, stage, value, currency, probability, owner_id,
                      expected_close_at AS "expected_close_at: DateTime<Utc>"
               FROM deals WHERE company_id = $1 AND id = $2 FOR UPDATE"#,
            company_id,
            input.id
        )
        .fetch_one(&mut *tx)
        .await
        .map_err(db_err)?;
        if !vis.may(Action::Update, Resource::Deal, stored.owner_id.as_deref()) {
            return Err(AppError::Forbidden);
        }
        if vis.role == UserRole::Agent {
            deal.owner_id = stored.owner_id.clone();
        } else if deal.owner_id != stored.owner_id {
            check_owner(&mut tx, &vis, deal.owner_id.as_deref()).await?;
        }
        let before = CheckedDeal {
            title: stored.title,
            lead_id: stored.lead_id,
            stage: stored.stage,
            value: stored.value,
            currency: Some(stored.currency),
            probability: stored.probability,
            expected_close_at: stored
                .expected_close_at
                .map(|at| at.with_timezone(&tz).date_naive()),
            owner_id: stored.owner_id,
        };
        if before == deal {
            tx.commit().await?;
            return Ok(input.id.clone());
        }
        sqlx::query!(
            "UPDATE deals SET title = $3, lead_id = $4, value = $5, currency = $6, probability = $7,
                 expected_close_at = $8, owner_id = $9
             WHERE company_id = $1 AND id = $2",
            company_id,
            input.id,
            deal.title,
            deal.lead_id,
            deal.value,
            currency,
            deal.probability,
            close as _,
            deal.owner_id
        )
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        if current.stage != deal.stage {
            set_stage(&mut tx, &input.id, &deal.stage, kind).await?;
        }
        (input.id.clone(), Some(deal_json(&before)))
    };
    record(
        &mut tx,
        ctx,
        Change {
            action: if before.is_none() { "create" } else { "update" },
            entity_type: "deal",
            entity_id: &id,
            before,
            after: Some(deal_json(&deal)),
        },
        meta,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Puts a deal in `stage`: `stage_changed_at` now; `closed_at` now when it enters the won or lost
/// stage, cleared when it goes back to an open one.
async fn set_stage(
    tx: &mut TenantTx,
    id: &str,
    stage: &str,
    kind: StageKind,
) -> Result<(), AppError> {
    let company_id = tx.company_id().to_owned();
    sqlx::query!(
        "UPDATE deals SET stage = $3, stage_changed_at = now(),
             closed_at = CASE WHEN $4 THEN coalesce(closed_at, now()) END
         WHERE company_id = $1 AND id = $2",
        company_id,
        id,
        stage,
        kind != StageKind::Open
    )
    .execute(&mut **tx)
    .await
    .map_err(db_err)?;
    Ok(())
}

/// Moves a deal to another stage (the board); returns the deal as it now is.
pub async fn move_deal(
    db: &db::Db,
    ctx: &TenantCtx,
    id: &str,
    stage: &str,
    meta: &RequestMeta,
) -> Result<DealRow, AppError> {
    let mut tx = db.begin(ctx).await?;
    let company_id = tx.company_id().to_owned();
    let vis = Visibility::of(&mut tx, ctx).await?;
    let tz = company_zone(&mut tx).await?;
    let current = visible_deal(&mut tx, &vis, tz, id).await?;
    let owner = sqlx::query_scalar!(
        "SELECT owner_id FROM deals WHERE company_id = $1 AND id = $2 FOR UPDATE",
        company_id,
        id
    )
    .fetch_one(&mut *tx)
    .await
    .map_err(db_err)?;
    if !vis.may(Action::Update, Resource::Deal, owner.as_deref()) {
        return Err(AppError::Forbidden);
    }
    let kind = stage_kind(&mut tx, stage).await?;
    if current.stage == stage {
        tx.commit().await?;
        return Ok(current);
    }
    set_stage(&mut tx, id, stage, kind).await?;
    record(
        &mut tx,
        ctx,
        Change {
            action: "move",
            entity_type: "deal",
            entity_id: id,
            before: Some(json!({ "stage": current.stage })),
            after: Some(json!({ "stage": stage })),
        },
        meta,
    )
    .await?;
    let moved = visible_deal(&mut tx, &vis, tz, id).await?;
    tx.commit().await?;
    Ok(moved)
}

// ------------------------------------------------------------------------------------------------
// Conversations and history of a record

async fn conversations_of_lead(
    tx: &mut TenantTx,
    vis: &Visibility,
    tz: chrono_tz::Tz,
    lead_id: &str,
) -> Result<Vec<ConversationItem>, AppError> {
    let company_id = tx.company_id().to_owned();
    // Conversations belong to the agent who had them: an AGENT sees theirs, a MANAGER their squads'.
    let rows = sqlx::query!(
        r#"SELECT c.id, c.channel AS "channel: ConversationChannel", u.name AS agent_name,
                  c.conversation_date AS "date: DateTime<Utc>", c.summary, c.playbook_score,
                  c.sentiment AS "sentiment: ConversationSentiment"
           FROM conversations c JOIN users u ON u.company_id = c.company_id AND u.id = c.user_id
           WHERE c.company_id = $1 AND c.lead_id = $2 AND ($3 OR c.user_id = ANY($4))
           ORDER BY c.conversation_date DESC, c.id LIMIT 100"#,
        company_id,
        lead_id,
        vis.all,
        &vis.owners
    )
    .fetch_all(&mut **tx)
    .await
    .map_err(db_err)?;
    Ok(rows
        .into_iter()
        .map(|r| ConversationItem {
            id: r.id,
            channel: r.channel,
            agent_name: r.agent_name,
            date: r.date.with_timezone(&tz).fixed_offset(),
            summary: r.summary,
            playbook_score: r.playbook_score,
            sentiment: r.sentiment,
        })
        .collect())
}

fn shown(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => "—".to_owned(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// The record's changes from the audit log, newest first.
async fn history(
    tx: &mut TenantTx,
    tz: chrono_tz::Tz,
    entity_type: &str,
    id: &str,
) -> Result<Vec<HistoryItem>, AppError> {
    let company_id = tx.company_id().to_owned();
    let rows = sqlx::query!(
        r#"SELECT a.action, a.actor::text AS "actor!", a.actor_label, u.name AS "user_name?",
                  a.changes, a.created_at AS "created_at: DateTime<Utc>"
           FROM audit_logs a LEFT JOIN users u ON u.company_id = a.company_id AND u.id = a.user_id
           WHERE a.company_id = $1 AND a.entity_type = $2 AND a.entity_id = $3
           ORDER BY a.created_at DESC, a.id DESC LIMIT 50"#,
        company_id,
        entity_type,
        id
    )
    .fetch_all(&mut **tx)
    .await
    .map_err(db_err)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let actor = match (r.actor.as_str(), r.user_name, r.actor_label) {
                ("STAFF", _, _) => "Performancy".to_owned(),
                (_, Some(name), _) => name,
                (_, None, Some(label)) => label,
                _ => "—".to_owned(),
            };
            let mut changes = Vec::new();
            if let Some(changes_json) = r.changes {
                let before = changes_json.get("before").and_then(Value::as_object);
                let after = changes_json.get("after").and_then(Value::as_object);
                if let Some(after) = after {
                    for (field, value) in after {
                        let old = before.and_then(|b| b.get(field));
                        if old != Some(value) {
                            changes.push((field.clone(), shown(old), shown(Some(value))));
                        }
                    }
                }
            }
            HistoryItem {
                action: r.action,
                actor,
                at: r.created_at.with_timezone(&tz).fixed_offset(),
                changes,
            }
        })
        .collect())
}

// ------------------------------------------------------------------------------------------------
// Board and forecast

/// Cards per column; the column says how many more there are.
const CARDS_PER_COLUMN: i64 = 50;

pub async fn board(db: &db::Db, ctx: &TenantCtx, q: &str, owner: &str) -> Result<Board, AppError> {
    let mut tx = db.begin(ctx).await?;
    let company_id = tx.company_id().to_owned();
    let vis = Visibility::of(&mut tx, ctx).await?;
    let currency = company_currency(&mut tx).await?;
    let stages = stages(&mut tx).await?;
    let filter = DealFilter {
        q: q.to_owned(),
        owner: owner.to_owned(),
        ..DealFilter::default()
    };
    let tz = company_zone(&mut tx).await?;
    let from = " FROM deals d
     JOIN pipeline_stages s ON s.company_id = d.company_id AND s.key = d.stage
     JOIN leads l ON l.company_id = d.company_id AND l.id = d.lead_id";
    let mut sums_q = QueryBuilder::new(format!(
        "SELECT d.stage, d.currency, coalesce(sum(d.value), 0) AS value, count(*) AS count{from}"
    ));
    push_deal_filters(&mut sums_q, &company_id, &vis, &filter, tz, Locale::PtBr)?;
    sums_q.push(" GROUP BY d.stage, d.currency ORDER BY count(*) DESC");
    let sums: Vec<(String, String, Decimal, i64)> = sums_q
        .build_query_as()
        .fetch_all(&mut *tx)
        .await
        .map_err(db_err)?;

    let mut qb = QueryBuilder::new(
        "SELECT * FROM (SELECT d.id, d.title, d.stage, d.value, d.currency, l.name AS lead_name,
                u.name AS owner_name, d.stage_changed_at,
                row_number() OVER (PARTITION BY d.stage ORDER BY d.stage_changed_at DESC, d.id) AS rank
         FROM deals d
         JOIN pipeline_stages s ON s.company_id = d.company_id AND s.key = d.stage
         JOIN leads l ON l.company_id = d.company_id AND l.id = d.lead_id
         LEFT JOIN users u ON u.company_id = d.company_id AND u.id = d.owner_id",
    );
    push_deal_filters(&mut qb, &company_id, &vis, &filter, tz, Locale::PtBr)?;
    qb.push(") ranked WHERE rank <= ")
        .push_bind(CARDS_PER_COLUMN);
    #[derive(sqlx::FromRow)]
    struct Card {
        id: String,
        title: String,
        stage: String,
        value: Decimal,
        currency: String,
        lead_name: String,
        owner_name: Option<String>,
        stage_changed_at: DateTime<Utc>,
    }
    let cards: Vec<Card> = qb
        .build_query_as()
        .fetch_all(&mut *tx)
        .await
        .map_err(db_err)?;
    tx.commit().await?;
    let now = Utc::now();
    let mut by_stage: HashMap<String, Vec<BoardCard>> = HashMap::new();
    for c in cards {
        by_stage
            .entry(c.stage.clone())
            .or_default()
            .push(BoardCard {
                id: c.id,
                title: c.title,
                value: c.value,
                currency: c.currency,
                lead_name: c.lead_name,
                owner_name: c.owner_name,
                days_in_stage: (now - c.stage_changed_at).num_days().max(0),
            });
    }
    let columns = stages
        .into_iter()
        .map(|stage| {
            let stage_sums: Vec<MoneyTotal> = sums
                .iter()
                .filter(|s| s.0 == stage.key)
                .map(|s| MoneyTotal {
                    currency: s.1.clone(),
                    value: s.2,
                    count: s.3,
                })
                .collect();
            BoardColumn {
                count: stage_sums.iter().map(|s| s.count).sum(),
                cards: by_stage.remove(&stage.key).unwrap_or_default(),
                sums: stage_sums,
                stage,
            }
        })
        .collect();
    Ok(Board {
        columns,
        can_move: vis.role != UserRole::Agent
            || vis.may(Action::Update, Resource::Deal, Some(&vis.user_id)),
        currency,
    })
}

pub async fn forecast(db: &db::Db, ctx: &TenantCtx) -> Result<Forecast, AppError> {
    let mut tx = db.begin(ctx).await?;
    let company_id = tx.company_id().to_owned();
    let vis = Visibility::of(&mut tx, ctx).await?;
    let currency = company_currency(&mut tx).await?;
    let tz = company_zone(&mut tx).await?;
    let today = Utc::now().with_timezone(&tz).date_naive();
    let month_start_day = today.with_day(1).unwrap_or(today);
    let next_month_day = if month_start_day.month() == 12 {
        NaiveDate::from_ymd_opt(month_start_day.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(month_start_day.year(), month_start_day.month() + 1, 1)
    }
    .unwrap_or(month_start_day);
    let (month_start, month_end) = (
        day_start(tz, month_start_day),
        day_start(tz, next_month_day),
    );

    let by_stage = sqlx::query!(
        r#"SELECT s.name AS "label!", count(d.id) AS "count!",
                  coalesce(sum(d.value), 0) AS "open!",
                  coalesce(sum(d.value * coalesce(d.probability, s.probability) / 100), 0) AS "weighted!"
           FROM pipeline_stages s
           LEFT JOIN deals d ON d.company_id = s.company_id AND d.stage = s.key AND d.currency = $2
                AND ($3 OR d.owner_id = ANY($4) OR ($5 AND d.owner_id IS NULL))
           WHERE s.company_id = $1 AND s.kind = 'OPEN'
           GROUP BY s.position, s.name ORDER BY s.position"#,
        company_id,
        currency,
        vis.all,
        &vis.owners,
        vis.unowned
    )
    .fetch_all(&mut *tx)
    .await
    .map_err(db_err)?;
    let by_owner = sqlx::query!(
        r#"SELECT coalesce(u.name, '') AS "label!", count(*) AS "count!",
                  coalesce(sum(d.value), 0) AS "open!",
                  coalesce(sum(d.value * coalesce(d.probability, s.probability) / 100), 0) AS "weighted!"
           FROM deals d
           JOIN pipeline_stages s ON s.company_id = d.company_id AND s.key = d.stage
           LEFT JOIN users u ON u.company_id = d.company_id AND u.id = d.owner_id
           WHERE d.company_id = $1 AND s.kind = 'OPEN' AND d.currency = $2
             AND ($3 OR d.owner_id = ANY($4) OR ($5 AND d.owner_id IS NULL))
           GROUP BY u.name ORDER BY 4 DESC, 1"#,
        company_id,
        currency,
        vis.all,
        &vis.owners,
        vis.unowned
    )
    .fetch_all(&mut *tx)
    .await
    .map_err(db_err)?;
    let others = sqlx::query!(
        r#"SELECT d.currency, coalesce(sum(d.value), 0) AS "value!", count(*) AS "count!"
           FROM deals d JOIN pipeline_stages s ON s.company_id = d.company_id AND s.key = d.stage
           WHERE d.company_id = $1 AND s.kind = 'OPEN' AND d.currency <> $2
             AND ($3 OR d.owner_id = ANY($4) OR ($5 AND d.owner_id IS NULL))
           GROUP BY d.currency ORDER BY d.currency"#,
        company_id,
        currency,
        vis.all,
        &vis.owners,
        vis.unowned
    )
    .fetch_all(&mut *tx)
    .await
    .map_err(db_err)?;
    let won_this_month = sqlx::query_scalar!(
        r#"SELECT coalesce(sum(d.value), 0) AS "won!"
           FROM deals d JOIN pipeline_stages s ON s.company_id = d.company_id AND s.key = d.stage
           WHERE d.company_id = $1 AND s.kind = 'WON' AND d.currency = $2
             AND d.closed_at >= $3 AND d.closed_at < $4
             AND ($5 OR d.owner_id = ANY($6) OR ($7 AND d.owner_id IS NULL))"#,
        company_id,
        currency,
        month_start as _,
        month_end as _,
        vis.all,
        &vis.owners,
        vis.unowned
    )
    .fetch_one(&mut *tx)
    .await
    .map_err(db_err)?;
    // An agent's revenue counts toward every squad they belong to. Squads shown: all (DIRECTOR),
    // the ones led (MANAGER), the viewer's own (AGENT).
    let squads = sqlx::query!(
        r#"SELECT sq.name AS "squad!", sq.target_monthly,
                  coalesce((SELECT sum(d.value)
                            FROM deals d JOIN pipeline_stages s ON s.company_id = d.company_id AND s.key = d.stage
                            WHERE d.company_id = sq.company_id AND s.kind = 'WON' AND d.currency = $2
                              AND d.closed_at >= $3 AND d.closed_at < $4
                              AND d.owner_id IN (SELECT sm.user_id FROM squad_members sm
                                                 WHERE sm.company_id = sq.company_id AND sm.squad_id = sq.id)), 0) AS "won!"
           FROM squads sq
           WHERE sq.company_id = $1
             AND ($5 OR sq.id = ANY($6) OR sq.id IN (SELECT squad_id FROM squad_members WHERE company_id = $1 AND user_id = $7))
           ORDER BY lower(sq.name)"#,
        company_id,
        currency,
        month_start as _,
        month_end as _,
        vis.all,
        ctx.led_squad_ids(),
        ctx.user_id()
    )
    .fetch_all(&mut *tx)
    .await
    .map_err(db_err)?;
    tx.commit().await?;
    let line = |label: String, count: i64, open: Decimal, weighted: Decimal| ForecastLine {
        label,
        count,
        open,
        weighted: weighted.round_dp(2),
    };
    let by_stage: Vec<ForecastLine> = by_stage
        .into_iter()
        .map(|r| line(r.label, r.count, r.open, r.weighted))
        .collect();
    Ok(Forecast {
        open_total: by_stage.iter().map(|l| l.open).sum(),
        weighted_total: by_stage.iter().map(|l| l.weighted).sum(),
        currency,
        by_owner: by_owner
            .into_iter()
            .map(|r| line(r.label, r.count, r.open, r.weighted))
            .collect(),
        by_stage,
        squads: squads
            .into_iter()
            .map(|r| SquadProgress {
                squad: r.squad,
                won: r.won,
                target: r.target_monthly,
            })
            .collect(),
        won_this_month,
        other_currencies: others
            .into_iter()
            .map(|r| MoneyTotal {
                currency: r.currency,
                value: r.value,
                count: r.count,
            })
            .collect(),
        month: format!(
            "{:04}-{:02}",
            month_start_day.year(),
            month_start_day.month()
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(result: Result<impl std::fmt::Debug, AppError>) -> String {
        match result {
            Err(AppError::Invalid(text)) => text,
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn a_lead_needs_a_name_and_well_formed_optional_fields() {
        let ok = check_lead(
            &LeadInput {
                name: "  Ana Souza ".into(),
                email: "Ana@Exemplo.com.br".into(),
                lead_score: "72,5".into(),
                ..LeadInput::default()
            },
            Locale::PtBr,
        )
        .unwrap();
        assert_eq!(ok.name, "Ana Souza");
        assert_eq!(ok.email.as_deref(), Some("ana@exemplo.com.br"));
        assert_eq!(ok.lead_score, Some(72.5));
        let base = LeadInput {
            name: "Ana".into(),
            ..LeadInput::default()
        };
        for (input, expected) in [
            (
                LeadInput {
                    name: " ".into(),
                    ..base.clone()
                },
                "name:required",
            ),
            (
                LeadInput {
                    name: "x".repeat(201),
                    ..base.clone()
                },
                "name:too_long",
            ),
            (
                LeadInput {
                    email: "ana@".into(),
                    ..base.clone()
                },
                "email:invalid",
            ),
            (
                LeadInput {
                    phone: "abc".into(),
                    ..base.clone()
                },
                "phone:invalid",
            ),
            (
                LeadInput {
                    lead_score: "101".into(),
                    ..base.clone()
                },
                "lead_score:percent",
            ),
            (
                LeadInput {
                    lead_score: "-3".into(),
                    ..base.clone()
                },
                "lead_score:negative",
            ),
        ] {
            assert_eq!(
                problem(check_lead(&input, Locale::PtBr)),
                expected,
                "{input:?}"
            );
        }
    }

    #[test]
    fn a_deal_reads_money_in_the_readers_language() {
        let input = DealInput {
            title: "Frota 2027".into(),
            lead_id: "lead-1".into(),
            stage: "proposal".into(),
            value: "R$ 12.500,90".into(),
            expected_close_at: "2026-12-20".into(),
            ..DealInput::default()
        };
        let deal = check_deal(&input, Locale::PtBr).unwrap();
        assert_eq!(deal.value, Decimal::new(1_250_090, 2));
        assert_eq!(
            deal.expected_close_at,
            NaiveDate::from_ymd_opt(2026, 12, 20)
        );
        let en = check_deal(
            &DealInput {
                value: "12,500.90".into(),
                ..input.clone()
            },
            Locale::En,
        )
        .unwrap();
        assert_eq!(en.value, deal.value);
        for (input, expected) in [
            (
                DealInput {
                    title: "".into(),
                    ..input.clone()
                },
                "title:required",
            ),
            (
                DealInput {
                    value: "".into(),
                    ..input.clone()
                },
                "value:required",
            ),
            (
                DealInput {
                    value: "-5".into(),
                    ..input.clone()
                },
                "value:negative",
            ),
            (
                DealInput {
                    value: "1,234".into(),
                    ..input.clone()
                },
                "value:too_precise",
            ),
            (
                DealInput {
                    value: "dez".into(),
                    ..input.clone()
                },
                "value:malformed",
            ),
            (
                DealInput {
                    probability: "150".into(),
                    ..input.clone()
                },
                "probability:percent",
            ),
            (
                DealInput {
                    expected_close_at: "31/02/2026".into(),
                    ..input.clone()
                },
                "expected_close_at:date",
            ),
            (
                DealInput {
                    currency: "XYZ1".into(),
                    ..input.clone()
                },
                "currency:unknown",
            ),
            (
                DealInput {
                    lead_id: " ".into(),
                    ..input.clone()
                },
                "lead_id:required",
            ),
        ] {
            assert_eq!(
                problem(check_deal(&input, Locale::PtBr)),
                expected,
                "{input:?}"
            );
        }
    }

    #[test]
    fn search_patterns_escape_like_wildcards() {
        assert_eq!(like_pattern(" 50%_off\\ "), "%50\\%\\_off\\\\%");
    }
}
