//! Every SQL statement of the demo generator, one bulk insert per table.
//!
//! Rows go in as column arrays (`INSERT ... SELECT ... FROM UNNEST($2::text[], ...)`): one round
//! trip per batch instead of one per row, which is what lets the scale tenant's hundreds of
//! thousands of rows load in a minute or two. COPY would be faster still but PostgreSQL refuses it
//! on tables under row-level security, and every tenant table is. The tenant is `tx.company_id()`,
//! bound once per statement; the policies check it again on every row.
//!
//! Enum columns are bound as text and cast in SQL, and JSON columns as text cast to `jsonb`;
//! nullable columns are bound as arrays of `Option` (the `as &[Option<_>]` casts tell the query
//! macros so, since they cannot infer nullability of array elements). Timestamps carry an explicit
//! `as DateTime<Utc>` too: when another crate of the build enables sqlx's `time` feature, the
//! macros would otherwise expect `time::OffsetDateTime` for `timestamptz`.

use chrono::{DateTime, Utc};
use db::TenantTx;
use rust_decimal::Decimal;

use crate::rows::{
    CompanyRow, ConversationRow, DealRow, KeyResultProgressRow, KeyResultRow, LeadRow,
    ObjectiveRow, OkrPeriodRow, PlaybookRow, SquadMemberRow, SquadRow, StageRow, UserRow,
};

type Timestamps = Vec<DateTime<Utc>>;
type OptionalTimestamps = Vec<Option<DateTime<Utc>>>;

/// Makes this transaction plan its statements — the foreign-key checks PostgreSQL runs for every
/// inserted row included — for any tenant rather than for the values at hand.
///
/// A new tenant is absent from the planner's statistics until autovacuum analyzes its rows after
/// the commit, so a custom plan for "the lead with company_id = (new tenant) and id = ..." believes
/// the tenant has almost no rows and may walk an index on `company_id` alone, row after row. A
/// generic plan uses the unique key. The app role may not ANALYZE (it owns no table), and this
/// setting ends with the transaction.
pub async fn prefer_generic_plans(tx: &mut TenantTx) -> Result<(), sqlx::Error> {
    sqlx::query!("SELECT set_config('plan_cache_mode', 'force_generic_plan', true)")
        .fetch_one(&mut **tx)
        .await?;
    Ok(())
}

/// Drops this connection's cached plans, so the key checks of the rows to come are planned against
/// the leads just inserted.
///
/// PostgreSQL caches each foreign-key check's plan per connection. A pooled connection that seeded
/// a small company first keeps the plan it made for a 300-lead table; reused for a tenant with
/// 200 000 leads, it made each deal's check a scan (100 000 deals did not finish in ten minutes;
/// replanned, the same insert takes seconds). Only plans are dropped, not prepared statements.
pub async fn replan_key_checks(tx: &mut TenantTx) -> Result<(), sqlx::Error> {
    sqlx::query!("DISCARD PLANS").execute(&mut **tx).await?;
    Ok(())
}

/// The company row itself: inserted inside its own tenant's transaction, which the companies
/// policy allows for the row whose id is the current tenant.
pub async fn insert_company(tx: &mut TenantTx, row: &CompanyRow) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO companies (id, name, slug, domain, timezone, currency, features, created_at, updated_at)
         VALUES ($1, $2, $3, $4, 'America/Sao_Paulo', 'BRL', $5::text::jsonb, $6, $6)",
        row.id,
        row.name,
        row.slug,
        row.domain,
        row.features_json,
        row.created_at as DateTime<Utc>,
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Company users, all ACTIVE with the given password hash.
pub async fn insert_users(
    tx: &mut TenantTx,
    password_hash: &str,
    rows: &[UserRow],
) -> Result<(), sqlx::Error> {
    let company_id = tx.company_id().to_owned();
    let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    let emails: Vec<&str> = rows.iter().map(|r| r.email.as_str()).collect();
    let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
    let linkedins: Vec<Option<&str>> = rows.iter().map(|r| r.linkedin.as_deref()).collect();
    let roles: Vec<&str> = rows.iter().map(|r| r.role.as_str()).collect();
    let areas: Vec<&str> = rows.iter().map(|r| r.area.as_str()).collect();
    let last_logins: OptionalTimestamps = rows.iter().map(|r| r.last_login_at).collect();
    let created: Timestamps = rows.iter().map(|r| r.created_at).collect();
    sqlx::query!(
        "INSERT INTO users (company_id, id, email, name, linkedin, password_hash, role, status, area,
                            last_login_at, created_at, updated_at)
         SELECT $1, u.id, u.email, u.name, u.linkedin, $2, u.role::user_role, 'ACTIVE', u.area::user_area,
                u.last_login_at, u.created_at, u.created_at
         FROM UNNEST($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                     $9::timestamptz[], $10::timestamptz[])
              AS u(id, email, name, linkedin, role, area, last_login_at, created_at)",
        company_id,
        password_hash,
        ids.as_slice() as &[&str],
        emails.as_slice() as &[&str],
        names.as_slice() as &[&str],
        linkedins.as_slice() as &[Option<&str>],
        roles.as_slice() as &[&str],
        areas.as_slice() as &[&str],
        last_logins.as_slice() as &[Option<DateTime<Utc>>],
        created.as_slice() as &[DateTime<Utc>],
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn insert_squads(
    tx: &mut TenantTx,
    squads: &[SquadRow],
    members: &[SquadMemberRow],
) -> Result<(), sqlx::Error> {
    let company_id = tx.company_id().to_owned();
    let ids: Vec<&str> = squads.iter().map(|r| r.id.as_str()).collect();
    let names: Vec<&str> = squads.iter().map(|r| r.name.as_str()).collect();
    let kinds: Vec<&str> = squads.iter().map(|r| r.kind).collect();
    let targets: Vec<Decimal> = squads.iter().map(|r| r.target_monthly).collect();
    let created: Timestamps = squads.iter().map(|r| r.created_at).collect();
    sqlx::query!(
        "INSERT INTO squads (company_id, id, name, type, target_monthly, created_at, updated_at)
         SELECT $1, s.id, s.name, s.type, s.target_monthly, s.created_at, s.created_at
         FROM UNNEST($2::text[], $3::text[], $4::text[], $5::numeric[], $6::timestamptz[])
              AS s(id, name, type, target_monthly, created_at)",
        company_id,
        ids.as_slice() as &[&str],
        names.as_slice() as &[&str],
        kinds.as_slice() as &[&str],
        &targets,
        created.as_slice() as &[DateTime<Utc>],
    )
    .execute(&mut **tx)
    .await?;

    let ids: Vec<&str> = members.iter().map(|r| r.id.as_str()).collect();
    let users: Vec<&str> = members.iter().map(|r| r.user_id.as_str()).collect();
    let squad_ids: Vec<&str> = members.iter().map(|r| r.squad_id.as_str()).collect();
    let leaders: Vec<bool> = members.iter().map(|r| r.is_leader).collect();
    let joined: Timestamps = members.iter().map(|r| r.joined_at).collect();
    sqlx::query!(
        "INSERT INTO squad_members (company_id, id, user_id, squad_id, is_leader, joined_at)
         SELECT $1, m.id, m.user_id, m.squad_id, m.is_leader, m.joined_at
         FROM UNNEST($2::text[], $3::text[], $4::text[], $5::bool[], $6::timestamptz[])
              AS m(id, user_id, squad_id, is_leader, joined_at)",
        company_id,
        ids.as_slice() as &[&str],
        users.as_slice() as &[&str],
        squad_ids.as_slice() as &[&str],
        &leaders,
        joined.as_slice() as &[DateTime<Utc>],
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn insert_stages(tx: &mut TenantTx, rows: &[StageRow]) -> Result<(), sqlx::Error> {
    let company_id = tx.company_id().to_owned();
    let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    let keys: Vec<&str> = rows.iter().map(|r| r.key).collect();
    let names: Vec<&str> = rows.iter().map(|r| r.name).collect();
    let positions: Vec<i32> = rows.iter().map(|r| r.position).collect();
    let probabilities: Vec<Decimal> = rows.iter().map(|r| r.probability).collect();
    let kinds: Vec<&str> = rows.iter().map(|r| r.kind.as_str()).collect();
    sqlx::query!(
        "INSERT INTO pipeline_stages (company_id, id, key, name, position, probability, kind)
         SELECT $1, s.id, s.key, s.name, s.position, s.probability, s.kind::stage_kind
         FROM UNNEST($2::text[], $3::text[], $4::text[], $5::int4[], $6::numeric[], $7::text[])
              AS s(id, key, name, position, probability, kind)",
        company_id,
        ids.as_slice() as &[&str],
        keys.as_slice() as &[&str],
        names.as_slice() as &[&str],
        &positions,
        &probabilities,
        kinds.as_slice() as &[&str],
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Playbooks in the given order: a version's parent must come before it (the parent key is
/// checked at the end of the statement, so one statement with both is fine either way).
pub async fn insert_playbooks(tx: &mut TenantTx, rows: &[PlaybookRow]) -> Result<(), sqlx::Error> {
    let company_id = tx.company_id().to_owned();
    let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
    let descriptions: Vec<&str> = rows.iter().map(|r| r.description.as_str()).collect();
    let functions: Vec<&str> = rows.iter().map(|r| r.function.as_str()).collect();
    let methodologies: Vec<&str> = rows.iter().map(|r| r.methodology).collect();
    let versions: Vec<i32> = rows.iter().map(|r| r.version).collect();
    let statuses: Vec<&str> = rows.iter().map(|r| r.status.as_str()).collect();
    let contents: Vec<&str> = rows.iter().map(|r| r.content_json.as_str()).collect();
    let parents: Vec<Option<&str>> = rows
        .iter()
        .map(|r| r.parent_version_id.as_deref())
        .collect();
    let created: Timestamps = rows.iter().map(|r| r.created_at).collect();
    sqlx::query!(
        "INSERT INTO playbooks (company_id, id, name, description, function, methodology, version, status,
                                content, parent_version_id, created_at, updated_at)
         SELECT $1, p.id, p.name, p.description, p.function::playbook_function, p.methodology, p.version,
                p.status::playbook_status, p.content::jsonb, p.parent_version_id, p.created_at, p.created_at
         FROM UNNEST($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int4[], $8::text[],
                     $9::text[], $10::text[], $11::timestamptz[])
              AS p(id, name, description, function, methodology, version, status, content,
                   parent_version_id, created_at)",
        company_id,
        ids.as_slice() as &[&str],
        names.as_slice() as &[&str],
        descriptions.as_slice() as &[&str],
        functions.as_slice() as &[&str],
        methodologies.as_slice() as &[&str],
        &versions,
        statuses.as_slice() as &[&str],
        contents.as_slice() as &[&str],
        parents.as_slice() as &[Option<&str>],
        created.as_slice() as &[DateTime<Utc>],
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn insert_leads(tx: &mut TenantTx, rows: &[LeadRow]) -> Result<(), sqlx::Error> {
    let company_id = tx.company_id().to_owned();
    let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    let external_ids: Vec<Option<&str>> = rows.iter().map(|r| r.external_id.as_deref()).collect();
    let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
    let emails: Vec<Option<&str>> = rows.iter().map(|r| r.email.as_deref()).collect();
    let phones: Vec<Option<&str>> = rows.iter().map(|r| r.phone.as_deref()).collect();
    let companies: Vec<Option<&str>> = rows.iter().map(|r| r.company_name.as_deref()).collect();
    let positions: Vec<Option<&str>> = rows.iter().map(|r| r.position.as_deref()).collect();
    let sources: Vec<Option<&str>> = rows.iter().map(|r| r.source.as_deref()).collect();
    let statuses: Vec<Option<&str>> = rows.iter().map(|r| r.status.as_deref()).collect();
    let scores: Vec<Option<f64>> = rows.iter().map(|r| r.lead_score).collect();
    let custom_fields: Vec<&str> = rows.iter().map(|r| r.custom_fields_json.as_str()).collect();
    let owners: Vec<Option<&str>> = rows.iter().map(|r| r.owner_id.as_deref()).collect();
    let created: Timestamps = rows.iter().map(|r| r.created_at).collect();
    sqlx::query!(
        "INSERT INTO leads (company_id, id, external_id, name, email, phone, company_name, position, source,
                            status, lead_score, custom_fields, owner_id, created_at, updated_at)
         SELECT $1, l.id, l.external_id, l.name, l.email, l.phone, l.company_name, l.position, l.source,
                l.status, l.lead_score, l.custom_fields::jsonb, l.owner_id, l.created_at, l.created_at
         FROM UNNEST($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                     $9::text[], $10::text[], $11::float8[], $12::text[], $13::text[], $14::timestamptz[])
              AS l(id, external_id, name, email, phone, company_name, position, source, status, lead_score,
                   custom_fields, owner_id, created_at)",
        company_id,
        ids.as_slice() as &[&str],
        external_ids.as_slice() as &[Option<&str>],
        names.as_slice() as &[&str],
        emails.as_slice() as &[Option<&str>],
        phones.as_slice() as &[Option<&str>],
        companies.as_slice() as &[Option<&str>],
        positions.as_slice() as &[Option<&str>],
        sources.as_slice() as &[Option<&str>],
        statuses.as_slice() as &[Option<&str>],
        scores.as_slice() as &[Option<f64>],
        custom_fields.as_slice() as &[&str],
        owners.as_slice() as &[Option<&str>],
        created.as_slice() as &[DateTime<Utc>],
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn insert_deals(tx: &mut TenantTx, rows: &[DealRow]) -> Result<(), sqlx::Error> {
    let company_id = tx.company_id().to_owned();
    let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    let external_ids: Vec<Option<&str>> = rows.iter().map(|r| r.external_id.as_deref()).collect();
    let titles: Vec<&str> = rows.iter().map(|r| r.title.as_str()).collect();
    let stages: Vec<&str> = rows.iter().map(|r| r.stage).collect();
    let probabilities: Vec<Decimal> = rows.iter().map(|r| r.probability).collect();
    let values: Vec<Decimal> = rows.iter().map(|r| r.value).collect();
    let currencies: Vec<&str> = rows.iter().map(|r| r.currency).collect();
    let expected: OptionalTimestamps = rows.iter().map(|r| r.expected_close_at).collect();
    let closed: OptionalTimestamps = rows.iter().map(|r| r.closed_at).collect();
    let custom_fields: Vec<&str> = rows.iter().map(|r| r.custom_fields_json.as_str()).collect();
    let leads: Vec<&str> = rows.iter().map(|r| r.lead_id.as_str()).collect();
    let owners: Vec<Option<&str>> = rows.iter().map(|r| r.owner_id.as_deref()).collect();
    let stage_changed: Timestamps = rows.iter().map(|r| r.stage_changed_at).collect();
    let created: Timestamps = rows.iter().map(|r| r.created_at).collect();
    sqlx::query!(
        "INSERT INTO deals (company_id, id, external_id, title, stage, probability, value, currency,
                            expected_close_at, closed_at, custom_fields, lead_id, owner_id, stage_changed_at,
                            created_at, updated_at)
         SELECT $1, d.id, d.external_id, d.title, d.stage, d.probability, d.value, d.currency,
                d.expected_close_at, d.closed_at, d.custom_fields::jsonb, d.lead_id, d.owner_id,
                d.stage_changed_at, d.created_at, d.stage_changed_at
         FROM UNNEST($2::text[], $3::text[], $4::text[], $5::text[], $6::numeric[], $7::numeric[], $8::text[],
                     $9::timestamptz[], $10::timestamptz[], $11::text[], $12::text[], $13::text[],
                     $14::timestamptz[], $15::timestamptz[])
              AS d(id, external_id, title, stage, probability, value, currency, expected_close_at, closed_at,
                   custom_fields, lead_id, owner_id, stage_changed_at, created_at)",
        company_id,
        ids.as_slice() as &[&str],
        external_ids.as_slice() as &[Option<&str>],
        titles.as_slice() as &[&str],
        stages.as_slice() as &[&str],
        &probabilities,
        &values,
        currencies.as_slice() as &[&str],
        expected.as_slice() as &[Option<DateTime<Utc>>],
        closed.as_slice() as &[Option<DateTime<Utc>>],
        custom_fields.as_slice() as &[&str],
        leads.as_slice() as &[&str],
        owners.as_slice() as &[Option<&str>],
        stage_changed.as_slice() as &[DateTime<Utc>],
        created.as_slice() as &[DateTime<Utc>],
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Leads whose deal was won are customers now, as the CRM would say after the close.
pub async fn mark_won_leads_as_customers(tx: &mut TenantTx) -> Result<(), sqlx::Error> {
    let company_id = tx.company_id().to_owned();
    sqlx::query!(
        "UPDATE leads SET status = 'customer'
         WHERE company_id = $1
           AND id IN (SELECT d.lead_id FROM deals d
                      JOIN pipeline_stages s ON s.company_id = d.company_id AND s.key = d.stage
                      WHERE d.company_id = $1 AND s.kind = 'WON')",
        company_id,
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn insert_conversations(
    tx: &mut TenantTx,
    rows: &[ConversationRow],
) -> Result<(), sqlx::Error> {
    let company_id = tx.company_id().to_owned();
    let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    let channels: Vec<&str> = rows.iter().map(|r| r.channel.as_str()).collect();
    let durations: Vec<Option<i32>> = rows.iter().map(|r| r.duration_seconds).collect();
    let users: Vec<&str> = rows.iter().map(|r| r.user_id.as_str()).collect();
    let leads: Vec<&str> = rows.iter().map(|r| r.lead_id.as_str()).collect();
    let transcripts: Vec<&str> = rows.iter().map(|r| r.transcript.as_str()).collect();
    let playbooks: Vec<Option<&str>> = rows.iter().map(|r| r.playbook_id.as_deref()).collect();
    let notes: Vec<Option<&str>> = rows.iter().map(|r| r.notes.as_deref()).collect();
    let dates: Timestamps = rows.iter().map(|r| r.conversation_date).collect();
    let created: Timestamps = rows.iter().map(|r| r.created_at).collect();
    sqlx::query!(
        "INSERT INTO conversations (company_id, id, channel, duration_seconds, user_id, lead_id, transcript,
                                    playbook_id, notes, conversation_date, created_at, updated_at)
         SELECT $1, c.id, c.channel::conversation_channel, c.duration_seconds, c.user_id, c.lead_id,
                c.transcript, c.playbook_id, c.notes, c.conversation_date, c.created_at, c.created_at
         FROM UNNEST($2::text[], $3::text[], $4::int4[], $5::text[], $6::text[], $7::text[], $8::text[],
                     $9::text[], $10::timestamptz[], $11::timestamptz[])
              AS c(id, channel, duration_seconds, user_id, lead_id, transcript, playbook_id, notes,
                   conversation_date, created_at)",
        company_id,
        ids.as_slice() as &[&str],
        channels.as_slice() as &[&str],
        durations.as_slice() as &[Option<i32>],
        users.as_slice() as &[&str],
        leads.as_slice() as &[&str],
        transcripts.as_slice() as &[&str],
        playbooks.as_slice() as &[Option<&str>],
        notes.as_slice() as &[Option<&str>],
        dates.as_slice() as &[DateTime<Utc>],
        created.as_slice() as &[DateTime<Utc>],
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn insert_okr_period(tx: &mut TenantTx, row: &OkrPeriodRow) -> Result<(), sqlx::Error> {
    let company_id = tx.company_id().to_owned();
    sqlx::query!(
        "INSERT INTO okr_periods (company_id, id, label, start_date, end_date, is_current)
         VALUES ($1, $2, $3, $4, $5, $6)",
        company_id,
        row.id,
        row.label,
        row.start_date as DateTime<Utc>,
        row.end_date as DateTime<Utc>,
        row.is_current,
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn insert_objectives(
    tx: &mut TenantTx,
    rows: &[ObjectiveRow],
) -> Result<(), sqlx::Error> {
    let company_id = tx.company_id().to_owned();
    let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    let periods: Vec<&str> = rows.iter().map(|r| r.period_id.as_str()).collect();
    let titles: Vec<&str> = rows.iter().map(|r| r.title.as_str()).collect();
    let descriptions: Vec<&str> = rows.iter().map(|r| r.description.as_str()).collect();
    let areas: Vec<&str> = rows.iter().map(|r| r.area.as_str()).collect();
    let statuses: Vec<&str> = rows.iter().map(|r| r.status.as_str()).collect();
    let progress: Vec<i32> = rows.iter().map(|r| r.progress).collect();
    let owners: Vec<&str> = rows.iter().map(|r| r.owner_id.as_str()).collect();
    let owner_types: Vec<&str> = rows.iter().map(|r| r.owner_type.as_str()).collect();
    let creators: Vec<&str> = rows.iter().map(|r| r.created_by_id.as_str()).collect();
    sqlx::query!(
        "INSERT INTO objectives (company_id, id, period_id, title, description, area, status, progress,
                                 owner_id, owner_type, created_by_id)
         SELECT $1, o.id, o.period_id, o.title, o.description, o.area::okr_area, o.status::okr_status,
                o.progress, o.owner_id, o.owner_type::goal_target_type, o.created_by_id
         FROM UNNEST($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::int4[],
                     $9::text[], $10::text[], $11::text[])
              AS o(id, period_id, title, description, area, status, progress, owner_id, owner_type,
                   created_by_id)",
        company_id,
        ids.as_slice() as &[&str],
        periods.as_slice() as &[&str],
        titles.as_slice() as &[&str],
        descriptions.as_slice() as &[&str],
        areas.as_slice() as &[&str],
        statuses.as_slice() as &[&str],
        &progress,
        owners.as_slice() as &[&str],
        owner_types.as_slice() as &[&str],
        creators.as_slice() as &[&str],
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn insert_key_results(
    tx: &mut TenantTx,
    rows: &[KeyResultRow],
    progress: &[KeyResultProgressRow],
) -> Result<(), sqlx::Error> {
    let company_id = tx.company_id().to_owned();
    let ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
    let objectives: Vec<&str> = rows.iter().map(|r| r.objective_id.as_str()).collect();
    let titles: Vec<&str> = rows.iter().map(|r| r.title.as_str()).collect();
    let currents: Vec<Decimal> = rows.iter().map(|r| r.current).collect();
    let targets: Vec<Decimal> = rows.iter().map(|r| r.target).collect();
    let units: Vec<&str> = rows.iter().map(|r| r.unit.as_str()).collect();
    let statuses: Vec<&str> = rows.iter().map(|r| r.status.as_str()).collect();
    let trends: Vec<&str> = rows.iter().map(|r| r.trend).collect();
    let trend_values: Vec<f64> = rows.iter().map(|r| r.trend_value).collect();
    let owners: Vec<Option<&str>> = rows.iter().map(|r| r.owner_id.as_deref()).collect();
    let due: Timestamps = rows.iter().map(|r| r.due_date).collect();
    let linked: Vec<&str> = rows
        .iter()
        .map(|r| r.linked_metrics_json.as_str())
        .collect();
    sqlx::query!(
        "INSERT INTO key_results (company_id, id, objective_id, title, current, target, unit, status, trend,
                                  trend_value, owner_id, due_date, linked_metrics)
         SELECT $1, k.id, k.objective_id, k.title, k.current, k.target, k.unit::key_result_unit,
                k.status::key_result_status, k.trend, k.trend_value, k.owner_id, k.due_date,
                k.linked_metrics::jsonb
         FROM UNNEST($2::text[], $3::text[], $4::text[], $5::numeric[], $6::numeric[], $7::text[], $8::text[],
                     $9::text[], $10::float8[], $11::text[], $12::timestamptz[], $13::text[])
              AS k(id, objective_id, title, current, target, unit, status, trend, trend_value, owner_id,
                   due_date, linked_metrics)",
        company_id,
        ids.as_slice() as &[&str],
        objectives.as_slice() as &[&str],
        titles.as_slice() as &[&str],
        &currents,
        &targets,
        units.as_slice() as &[&str],
        statuses.as_slice() as &[&str],
        trends.as_slice() as &[&str],
        &trend_values,
        owners.as_slice() as &[Option<&str>],
        due.as_slice() as &[DateTime<Utc>],
        linked.as_slice() as &[&str],
    )
    .execute(&mut **tx)
    .await?;

    let ids: Vec<&str> = progress.iter().map(|r| r.id.as_str()).collect();
    let key_results: Vec<&str> = progress.iter().map(|r| r.key_result_id.as_str()).collect();
    let values: Vec<Decimal> = progress.iter().map(|r| r.value).collect();
    let notes: Vec<Option<&str>> = progress.iter().map(|r| r.note.as_deref()).collect();
    let recorded_at: Timestamps = progress.iter().map(|r| r.recorded_at).collect();
    let recorders: Vec<Option<&str>> = progress
        .iter()
        .map(|r| r.recorded_by_id.as_deref())
        .collect();
    let sources: Vec<&str> = progress.iter().map(|r| r.source).collect();
    sqlx::query!(
        "INSERT INTO key_result_progress (company_id, id, key_result_id, value, note, recorded_at,
                                          recorded_by_id, source)
         SELECT $1, p.id, p.key_result_id, p.value, p.note, p.recorded_at, p.recorded_by_id, p.source
         FROM UNNEST($2::text[], $3::text[], $4::numeric[], $5::text[], $6::timestamptz[], $7::text[], $8::text[])
              AS p(id, key_result_id, value, note, recorded_at, recorded_by_id, source)",
        company_id,
        ids.as_slice() as &[&str],
        key_results.as_slice() as &[&str],
        &values,
        notes.as_slice() as &[Option<&str>],
        recorded_at.as_slice() as &[DateTime<Utc>],
        recorders.as_slice() as &[Option<&str>],
        sources.as_slice() as &[&str],
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// One audit row for the whole seed, naming the command that acted (PRODUCT.md: system actors).
pub async fn insert_seed_audit(
    tx: &mut TenantTx,
    id: &str,
    actor_label: &str,
    counts_json: &str,
    at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let company_id = tx.company_id().to_owned();
    sqlx::query!(
        "INSERT INTO audit_logs (company_id, id, user_id, actor, actor_label, action, entity_type, entity_id,
                                 changes, created_at)
         VALUES ($1, $2, NULL, 'SYSTEM', $3, 'SEED_DEMO', 'company', $1, $4::text::jsonb, $5)",
        company_id,
        id,
        actor_label,
        counts_json,
        at as DateTime<Utc>,
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}
