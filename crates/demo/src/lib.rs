//! Demo data for Performancy: two Brazilian B2B sales companies that look lived-in, and an optional
//! large tenant for load tests.
//!
//! `acme` (fleet routing software, SPICED) and `globex` (solar energy, BANT) have people with fixed
//! sign-ins, squads with targets, a pipeline in every stage, Portuguese call, WhatsApp and e-mail
//! transcripts for the analyser, playbook versions and the current quarter's OKRs. `escala` has as
//! many rows as asked for, to show that lists, dashboards and search hold at size.
//!
//! The generator is deterministic: each company has its own seeded ChaCha8 generator and every date
//! is placed relative to `today`, so two runs on the same date write the same ids and text, and a
//! demo run on any date looks current. It is idempotent per company: a company whose slug exists is
//! left alone. Each company is written in one transaction through a [`SystemCtx`] for that company —
//! the same row-level-security path every job takes — so a half-written demo never exists.

mod calendar;
mod conversations;
mod offering;
mod okrs;
mod people;
mod pipeline;
mod playbooks;
mod rows;
mod tenants;
mod transcripts;
mod vocabulary;
mod write;

use std::fmt;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use db::{Db, DbError, SystemActor, SystemCtx};
use domain::{CompanySlug, SlugError};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde_json::json;

use crate::calendar::{DemoCalendar, cuid};
use crate::conversations::ConversationGenerator;
use crate::pipeline::{DealGenerator, LeadGenerator, LeadRef, stage_rows};
use crate::rows::CompanyRow;
use crate::tenants::{CompanySpec, ESCALA_SEED};

/// The staff user every demo has, to sign in to the staff console.
pub const STAFF_EMAIL: &str = "admin@performancy.dev";
const STAFF_NAME: &str = "Equipe Performancy";

/// Rows per bulk insert. Conversations carry whole transcripts, so they go in smaller batches.
const ROW_BATCH: usize = 10_000;
const CONVERSATION_BATCH: usize = 4_000;

const ACTOR: SystemActor = SystemActor::Command("seed-demo");

pub struct DemoOptions {
    /// The argon2id PHC string of the demo password, computed by the caller (this crate does not
    /// hash): every demo user, staff included, signs in with it.
    pub password_hash: String,
    /// Also create the large `escala` tenant with these sizes.
    pub scale: Option<ScaleOptions>,
    /// Every date is placed relative to this day; the same day gives the same data.
    pub today: NaiveDate,
}

impl fmt::Debug for DemoOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DemoOptions")
            .field("password_hash", &"<redacted>")
            .field("scale", &self.scale)
            .field("today", &self.today)
            .finish()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScaleOptions {
    pub agents: usize,
    pub leads: usize,
    pub deals: usize,
    pub conversations: usize,
}

impl Default for ScaleOptions {
    fn default() -> Self {
        Self {
            agents: 50,
            leads: 200_000,
            deals: 100_000,
            conversations: 300_000,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error(
        "the scale tenant needs at least one agent, and at least one lead when deals or conversations are asked for"
    )]
    InvalidScale,
    #[error("demo slug is invalid")]
    Slug(#[from] SlugError),
    #[error("demo data could not be written")]
    Database(#[from] DbError),
}

impl From<sqlx::Error> for DemoError {
    fn from(error: sqlx::Error) -> Self {
        DemoError::Database(DbError::from(error))
    }
}

/// What a run did, for the command to print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoReport {
    pub staff: Outcome,
    pub companies: Vec<CompanyReport>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Created,
    /// Left untouched because it was there already.
    AlreadyPresent,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompanyReport {
    pub slug: String,
    pub name: String,
    pub outcome: Outcome,
    /// Zero when the company was already present.
    pub counts: CompanyCounts,
    pub elapsed: Duration,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CompanyCounts {
    pub users: usize,
    pub squads: usize,
    pub leads: usize,
    pub deals: usize,
    pub conversations: usize,
    pub playbooks: usize,
    pub objectives: usize,
    pub key_results: usize,
}

impl fmt::Display for DemoReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let staff = match self.staff {
            Outcome::Created => "created",
            Outcome::AlreadyPresent => "already present",
        };
        writeln!(f, "staff {STAFF_EMAIL}: {staff}")?;
        for company in &self.companies {
            match company.outcome {
                Outcome::AlreadyPresent => writeln!(
                    f,
                    "{} ({}): already present, skipped",
                    company.slug, company.name
                )?,
                Outcome::Created => {
                    let c = &company.counts;
                    writeln!(
                        f,
                        "{} ({}): created in {:.1}s — {} users, {} squads, {} leads, {} deals, {} conversations, {} playbooks, {} objectives, {} key results",
                        company.slug,
                        company.name,
                        company.elapsed.as_secs_f64(),
                        c.users,
                        c.squads,
                        c.leads,
                        c.deals,
                        c.conversations,
                        c.playbooks,
                        c.objectives,
                        c.key_results
                    )?
                }
            }
        }
        Ok(())
    }
}

/// Creates the staff user and the demo companies that do not exist yet.
pub async fn seed_demo(db: &Db, opts: &DemoOptions) -> Result<DemoReport, DemoError> {
    if let Some(scale) = &opts.scale {
        let needs_leads = scale.deals > 0 || scale.conversations > 0;
        if scale.agents == 0 || (needs_leads && scale.leads == 0) {
            return Err(DemoError::InvalidScale);
        }
    }
    let calendar = DemoCalendar::new(opts.today);
    let staff = ensure_staff_user(db, &opts.password_hash).await?;

    let mut companies = Vec::new();
    for spec in [tenants::acme(), tenants::globex()] {
        let rng = ChaCha8Rng::seed_from_u64(spec.seed);
        companies.push(seed_company_once(db, &spec, rng, calendar, &opts.password_hash).await?);
    }
    if let Some(scale) = &opts.scale {
        let mut rng = ChaCha8Rng::seed_from_u64(ESCALA_SEED);
        let spec = tenants::escala(&mut rng, scale);
        companies.push(seed_company_once(db, &spec, rng, calendar, &opts.password_hash).await?);
    }
    Ok(DemoReport { staff, companies })
}

async fn ensure_staff_user(db: &Db, password_hash: &str) -> Result<Outcome, DemoError> {
    match db
        .lookups()
        .create_staff_user(STAFF_EMAIL, STAFF_NAME, password_hash)
        .await
    {
        Ok(_) => Ok(Outcome::Created),
        Err(error) if is_unique_violation(&error) => Ok(Outcome::AlreadyPresent),
        Err(error) => Err(error.into()),
    }
}

fn is_unique_violation(error: &DbError) -> bool {
    error.sqlstate().as_deref() == Some("23505")
}

async fn seed_company_once(
    db: &Db,
    spec: &CompanySpec,
    rng: ChaCha8Rng,
    calendar: DemoCalendar,
    password_hash: &str,
) -> Result<CompanyReport, DemoError> {
    let started = Instant::now();
    let slug = CompanySlug::parse(spec.slug)?;
    let present = CompanyReport {
        slug: spec.slug.to_owned(),
        name: spec.name.to_owned(),
        outcome: Outcome::AlreadyPresent,
        counts: CompanyCounts::default(),
        elapsed: Duration::ZERO,
    };
    if db.lookups().company_by_slug(&slug).await?.is_some() {
        tracing::info!(slug = spec.slug, "demo company already present, skipped");
        return Ok(present);
    }
    match seed_company(db, spec, rng, calendar, password_hash).await {
        Ok(counts) => {
            let elapsed = started.elapsed();
            tracing::info!(
                slug = spec.slug,
                seconds = elapsed.as_secs_f64(),
                "demo company created"
            );
            Ok(CompanyReport {
                outcome: Outcome::Created,
                counts,
                elapsed,
                ..present
            })
        }
        // Another seeder created it between the lookup and our commit.
        Err(DemoError::Database(error)) if error.constraint() == Some("companies_slug_key") => {
            Ok(present)
        }
        Err(error) => Err(error),
    }
}

/// Writes one company in one transaction bound to it.
async fn seed_company(
    db: &Db,
    spec: &CompanySpec,
    mut rng: ChaCha8Rng,
    calendar: DemoCalendar,
    password_hash: &str,
) -> Result<CompanyCounts, DemoError> {
    let rng = &mut rng;
    let company_id = cuid(rng);
    let ctx = SystemCtx::new(company_id.clone(), ACTOR);
    let mut tx = db.begin(&ctx).await?;
    write::prefer_generic_plans(&mut tx).await?;

    let mut features = json!({
        "ai_analysis": true,
        "bots": true,
        "auto_crm_fill": true,
        "playbook_generation": true,
        "ranking_visibility": spec.ranking_visibility,
    });
    if spec.brief_transcripts {
        // The scale tenant exists to measure the app, not to spend on LLM calls.
        features["ai_analysis"] = json!(false);
    }
    let company = CompanyRow {
        id: company_id.clone(),
        name: spec.name.to_owned(),
        slug: spec.slug.to_owned(),
        domain: spec.domain.to_owned(),
        features_json: features.to_string(),
        created_at: calendar.moment_days_ago(rng, 450),
    };
    write::insert_company(&mut tx, &company).await?;

    let people = people::draw_people(rng, &calendar, spec);
    write::insert_users(&mut tx, password_hash, &people.users).await?;
    write::insert_squads(&mut tx, &people.squads, &people.members).await?;
    write::insert_stages(&mut tx, &stage_rows(rng)).await?;
    let playbooks = playbooks::draw_playbooks(rng, &calendar, spec.methodology);
    write::insert_playbooks(&mut tx, &playbooks.rows).await?;

    let mut leads: Vec<LeadRef> = Vec::with_capacity(spec.leads);
    let mut lead_generator = LeadGenerator::new(calendar, &people.sellers, spec.offering);
    while leads.len() < spec.leads {
        let batch = ROW_BATCH.min(spec.leads - leads.len());
        let (rows, refs): (Vec<_>, Vec<_>) =
            (0..batch).map(|_| lead_generator.next_lead(rng)).unzip();
        write::insert_leads(&mut tx, &rows).await?;
        leads.extend(refs);
    }
    write::replan_key_checks(&mut tx).await?;

    let deal_count = if leads.is_empty() { 0 } else { spec.deals };
    let mut deal_leads: Vec<(u32, Option<u32>)> = Vec::with_capacity(deal_count);
    let mut deal_generator = DealGenerator::new(
        rng,
        calendar,
        &people.sellers,
        spec.offering,
        leads.len(),
        deal_count,
        spec.usd_deals,
    );
    while deal_leads.len() < deal_count {
        let batch = ROW_BATCH.min(deal_count - deal_leads.len());
        let mut rows = Vec::with_capacity(batch);
        for _ in 0..batch {
            let lead_index = deal_generator.next_lead_index(rng);
            let (deal, owner) = deal_generator.next_deal(rng, &leads[lead_index]);
            rows.push(deal);
            deal_leads.push((lead_index as u32, owner));
        }
        write::insert_deals(&mut tx, &rows).await?;
    }
    write::mark_won_leads_as_customers(&mut tx).await?;

    let conversation_count = if leads.is_empty() || people.sellers.is_empty() {
        0
    } else {
        spec.conversations
    };
    let conversation_generator = ConversationGenerator {
        calendar,
        sellers: &people.sellers,
        offering: spec.offering,
        leads: &leads,
        deal_leads: &deal_leads,
        playbook_id: Some(playbooks.active_id.as_str()),
        brief: spec.brief_transcripts,
    };
    let mut conversations_written = 0;
    while conversations_written < conversation_count {
        let batch = CONVERSATION_BATCH.min(conversation_count - conversations_written);
        let rows: Vec<_> = (0..batch)
            .map(|_| conversation_generator.next_conversation(rng))
            .collect();
        write::insert_conversations(&mut tx, &rows).await?;
        conversations_written += batch;
    }

    let okrs = okrs::draw_okrs(rng, &calendar, &people, spec.full_okrs);
    write::insert_okr_period(&mut tx, &okrs.period).await?;
    write::insert_objectives(&mut tx, &okrs.objectives).await?;
    write::insert_key_results(&mut tx, &okrs.key_results, &okrs.progress).await?;

    let counts = CompanyCounts {
        users: people.users.len(),
        squads: people.squads.len(),
        leads: leads.len(),
        deals: deal_leads.len(),
        conversations: conversations_written,
        playbooks: playbooks.rows.len(),
        objectives: okrs.objectives.len(),
        key_results: okrs.key_results.len(),
    };
    let counts_json = json!({
        "users": counts.users,
        "squads": counts.squads,
        "leads": counts.leads,
        "deals": counts.deals,
        "conversations": counts.conversations,
        "playbooks": counts.playbooks,
        "objectives": counts.objectives,
        "key_results": counts.key_results,
    });
    let audit_id = cuid(rng);
    write::insert_seed_audit(
        &mut tx,
        &audit_id,
        &ACTOR.label(),
        &counts_json.to_string(),
        chrono::Utc::now(),
    )
    .await?;
    tx.commit().await?;
    Ok(counts)
}
