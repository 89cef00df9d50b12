//! Server side of a company's configuration: reading it, and the three changes (details, flags and
//! settings, stages), each in one tenant transaction with its audit row.

use db::{TenantCtx, TenantTx};
use domain::pipeline::{CheckedStage, DEFAULT_STAGES, StageDraft, check_stages, stage_key};
use domain::{Locale, StageKind};
use rust_decimal::Decimal;
use serde_json::{Map, Value, json};

use super::{
    BackupInterval, CompanySettings, Feature, FeatureState, MAX_COMPANY_NAME_CHARS,
    MAX_POLLING_SECONDS, MIN_POLLING_SECONDS, StageView, normalise_domain,
};
use crate::audit::server::{Change, RequestMeta, record_company_change};
use crate::error::AppError;
use crate::validation::{invalid, invalid_about};

/// The company's details as a form submits them.
#[derive(Debug, Clone)]
pub struct DetailsInput {
    pub name: String,
    pub domain: String,
    pub timezone: String,
    pub currency: String,
}

/// Checked details, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Details {
    pub name: String,
    pub domain: Option<String>,
    pub timezone: String,
    pub currency: String,
}

/// Name, domain, time zone (an IANA name chrono-tz knows) and currency (ISO 4217), each refused
/// with its own field's problem.
pub fn check_details(input: &DetailsInput) -> Result<Details, AppError> {
    let name = check_company_name(&input.name)?;
    let domain = normalise_domain(&input.domain).map_err(|_| invalid("domain", "invalid"))?;
    let timezone = check_timezone(&input.timezone)?;
    let currency = domain::money::parse_currency(&input.currency)
        .ok_or_else(|| invalid("currency", "unknown"))?;
    Ok(Details {
        name,
        domain,
        timezone,
        currency,
    })
}

pub fn check_company_name(raw: &str) -> Result<String, AppError> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(invalid("name", "required"));
    }
    if name.chars().count() > MAX_COMPANY_NAME_CHARS {
        return Err(invalid("name", "too_long"));
    }
    Ok(name.to_owned())
}

pub fn check_timezone(raw: &str) -> Result<String, AppError> {
    let name = raw.trim();
    name.parse::<chrono_tz::Tz>()
        .map(|tz| tz.name().to_owned())
        .map_err(|_| invalid("timezone", "unknown"))
}

/// The zone names a form suggests: the canonical region/city ones, and UTC.
pub fn timezone_names() -> Vec<String> {
    const REGIONS: [&str; 9] = [
        "Africa/",
        "America/",
        "Antarctica/",
        "Asia/",
        "Atlantic/",
        "Australia/",
        "Europe/",
        "Indian/",
        "Pacific/",
    ];
    let mut names: Vec<String> = chrono_tz::TZ_VARIANTS
        .iter()
        .map(|tz| tz.name())
        .filter(|name| *name == "UTC" || REGIONS.iter().any(|r| name.starts_with(r)))
        .map(str::to_owned)
        .collect();
    names.sort();
    names
}

/// Whether `feature` is on for the transaction's company (its default when the JSON is silent).
pub async fn feature_on(tx: &mut TenantTx, feature: Feature) -> Result<bool, db::DbError> {
    let company_id = tx.company_id().to_owned();
    let features = sqlx::query_scalar!("SELECT features FROM companies WHERE id = $1", company_id)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(features.is_some_and(|features| flag(&features, feature)))
}

/// A flag's value in the company's JSON, or its default when the JSON does not mention it.
pub fn flag(features: &Value, feature: Feature) -> bool {
    features
        .get(feature.key())
        .and_then(Value::as_bool)
        .unwrap_or(feature.default_on())
}

struct CompanyRow {
    id: String,
    name: String,
    slug: String,
    domain: Option<String>,
    timezone: String,
    currency: String,
    features: Value,
    settings: Value,
}

/// The tenant's company row, locked for a change when `for_update`.
async fn company_row(tx: &mut TenantTx, for_update: bool) -> Result<CompanyRow, AppError> {
    let company_id = tx.company_id().to_owned();
    let row = if for_update {
        sqlx::query_as!(
            CompanyRow,
            "SELECT id, name, slug, domain, timezone, currency, features, settings FROM companies WHERE id = $1 FOR UPDATE",
            company_id
        )
        .fetch_optional(&mut **tx)
        .await
    } else {
        sqlx::query_as!(
            CompanyRow,
            "SELECT id, name, slug, domain, timezone, currency, features, settings FROM companies WHERE id = $1",
            company_id
        )
        .fetch_optional(&mut **tx)
        .await
    };
    row.map_err(db::DbError::from)?.ok_or(AppError::NotFound)
}

fn polling_of(settings: &Value) -> i64 {
    settings
        .get("polling_interval")
        .and_then(Value::as_i64)
        .unwrap_or(300)
}

fn backup_of(settings: &Value) -> BackupInterval {
    settings
        .get("backup_interval")
        .and_then(Value::as_str)
        .and_then(BackupInterval::parse)
        .unwrap_or(BackupInterval::Daily)
}

/// The company's stages in order, with how many deals each holds.
pub async fn stages(tx: &mut TenantTx) -> Result<Vec<StageView>, AppError> {
    let company_id = tx.company_id().to_owned();
    let rows = sqlx::query_as!(
        StageView,
        r#"SELECT s.id, s.key, s.name, s.probability, s.kind AS "kind: StageKind",
                  (SELECT count(*) FROM deals d WHERE d.company_id = s.company_id AND d.stage = s.key) AS "deal_count!"
           FROM pipeline_stages s
           WHERE s.company_id = $1
           ORDER BY s.position"#,
        company_id
    )
    .fetch_all(&mut **tx)
    .await
    .map_err(db::DbError::from)?;
    Ok(rows)
}

pub async fn load_settings(
    state: &crate::state::AppState,
    ctx: &TenantCtx,
) -> Result<CompanySettings, AppError> {
    let mut tx = state.db.begin(ctx).await?;
    let company = company_row(&mut tx, false).await?;
    let stages = stages(&mut tx).await?;
    tx.commit().await?;
    let role = ctx.role();
    Ok(CompanySettings {
        features: Feature::ALL
            .iter()
            .map(|f| FeatureState {
                feature: *f,
                on: flag(&company.features, *f),
                editable: crate::policy::may_set_feature(role, *f),
            })
            .collect(),
        polling_interval: polling_of(&company.settings),
        backup_interval: backup_of(&company.settings),
        stages,
        can_edit: crate::policy::allows(
            role,
            crate::policy::Action::Update,
            crate::policy::Resource::Company,
            crate::policy::Ownership::Other,
        ),
        id: company.id,
        name: company.name,
        slug: company.slug,
        domain: company.domain,
        timezone: company.timezone,
        currency: company.currency,
    })
}

/// The fields of `after` that differ from `before`, as two JSON objects for the audit row.
fn changed_fields(before: &[(&str, Value)], after: &[(&str, Value)]) -> (Value, Value) {
    let mut old = Map::new();
    let mut new = Map::new();
    for ((key, b), (_, a)) in before.iter().zip(after) {
        if b != a {
            old.insert((*key).to_owned(), b.clone());
            new.insert((*key).to_owned(), a.clone());
        }
    }
    (Value::Object(old), Value::Object(new))
}

pub async fn update_details(
    state: &crate::state::AppState,
    ctx: &TenantCtx,
    input: DetailsInput,
    meta: &RequestMeta,
) -> Result<(), AppError> {
    let details = check_details(&input)?;
    let mut tx = state.db.begin(ctx).await?;
    let company = company_row(&mut tx, true).await?;
    let before = [
        ("name", json!(company.name)),
        ("domain", json!(company.domain)),
        ("timezone", json!(company.timezone)),
        ("currency", json!(company.currency)),
    ];
    let after = [
        ("name", json!(details.name)),
        ("domain", json!(details.domain)),
        ("timezone", json!(details.timezone)),
        ("currency", json!(details.currency)),
    ];
    if before == after {
        return Ok(());
    }
    sqlx::query!(
        "UPDATE companies SET name = $2, domain = $3, timezone = $4, currency = $5 WHERE id = $1",
        company.id,
        details.name,
        details.domain,
        details.timezone,
        details.currency
    )
    .execute(&mut *tx)
    .await
    .map_err(db::DbError::from)?;
    let (old, new) = changed_fields(&before, &after);
    record_company_change(
        &mut tx,
        ctx,
        Change {
            action: "COMPANY_UPDATED",
            entity_type: "company",
            entity_id: &company.id,
            before: Some(old),
            after: Some(new),
        },
        meta,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The flags and settings as a form submits them: a checked box is `Some`, an unchecked one
/// absent; flags the viewer may not switch are ignored whatever is sent.
#[derive(Debug, Clone, Default)]
pub struct FeaturesInput {
    pub checked: Vec<Feature>,
    pub polling_interval: String,
    pub backup_interval: String,
}

pub async fn update_features(
    state: &crate::state::AppState,
    ctx: &TenantCtx,
    input: FeaturesInput,
    meta: &RequestMeta,
) -> Result<(), AppError> {
    let polling: i64 = input
        .polling_interval
        .trim()
        .parse()
        .map_err(|_| invalid("polling_interval", "invalid"))?;
    if !(MIN_POLLING_SECONDS..=MAX_POLLING_SECONDS).contains(&polling) {
        return Err(invalid("polling_interval", "range"));
    }
    let backup = BackupInterval::parse(&input.backup_interval)
        .ok_or_else(|| invalid("backup_interval", "unknown"))?;
    let mut tx = state.db.begin(ctx).await?;
    let company = company_row(&mut tx, true).await?;
    let mut features = match &company.features {
        Value::Object(map) => map.clone(),
        _ => Map::new(),
    };
    let mut old = Map::new();
    let mut new = Map::new();
    for feature in Feature::ALL {
        let current = flag(&company.features, feature);
        let wanted = if crate::policy::may_set_feature(ctx.role(), feature) {
            input.checked.contains(&feature)
        } else {
            current
        };
        features.insert(feature.key().to_owned(), Value::Bool(wanted));
        if wanted != current {
            old.insert(feature.key().to_owned(), Value::Bool(current));
            new.insert(feature.key().to_owned(), Value::Bool(wanted));
        }
    }
    if polling_of(&company.settings) != polling {
        old.insert(
            "polling_interval".into(),
            json!(polling_of(&company.settings)),
        );
        new.insert("polling_interval".into(), json!(polling));
    }
    if backup_of(&company.settings) != backup {
        old.insert(
            "backup_interval".into(),
            json!(backup_of(&company.settings).as_str()),
        );
        new.insert("backup_interval".into(), json!(backup.as_str()));
    }
    if new.is_empty() {
        return Ok(());
    }
    let settings_patch = json!({ "polling_interval": polling, "backup_interval": backup.as_str() });
    sqlx::query!(
        "UPDATE companies SET features = $2, settings = settings || $3 WHERE id = $1",
        company.id,
        Value::Object(features),
        settings_patch
    )
    .execute(&mut *tx)
    .await
    .map_err(db::DbError::from)?;
    record_company_change(
        &mut tx,
        ctx,
        Change {
            action: "COMPANY_SETTINGS_UPDATED",
            entity_type: "company",
            entity_id: &company.id,
            before: Some(Value::Object(old)),
            after: Some(Value::Object(new)),
        },
        meta,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A stage list as the audit row keeps it: by key, so a diff shows each stage's own change.
fn stages_json(
    stages: impl IntoIterator<Item = (String, String, i32, Decimal, StageKind)>,
) -> Value {
    Value::Object(
        stages
            .into_iter()
            .map(|(key, name, position, probability, kind)| {
                (key, json!({ "name": name, "position": position, "probability": probability, "kind": kind.as_str() }))
            })
            .collect(),
    )
}

struct StoredStage {
    id: String,
    key: String,
    name: String,
    position: i32,
    probability: Decimal,
    kind: StageKind,
}

/// Replaces the company's stage list by the submitted one (its order is the new order): existing
/// stages are renamed, moved and re-weighted, new ones added with a key made from their name,
/// missing ones removed. A stage holding deals may be neither removed nor change its kind.
pub async fn save_stages(
    state: &crate::state::AppState,
    ctx: &TenantCtx,
    drafts: &[StageDraft],
    locale: Locale,
    meta: &RequestMeta,
) -> Result<Vec<StageView>, AppError> {
    let checked = check_stages(drafts, locale).map_err(|problem| match problem.row() {
        Some(row) => invalid_about("stages", problem.code(), &row.to_string()),
        None => invalid("stages", problem.code()),
    })?;
    let mut tx = state.db.begin(ctx).await?;
    let company_id = tx.company_id().to_owned();
    let stored = sqlx::query_as!(
        StoredStage,
        r#"SELECT id, key, name, position, probability, kind AS "kind: StageKind"
           FROM pipeline_stages WHERE company_id = $1 ORDER BY position FOR UPDATE"#,
        company_id
    )
    .fetch_all(&mut *tx)
    .await
    .map_err(db::DbError::from)?;
    let deal_counts = stages(&mut tx).await?;
    let deals_in = |key: &str| {
        deal_counts
            .iter()
            .find(|s| s.key == key)
            .map_or(0, |s| s.deal_count)
    };

    // Every submitted id must be one of this company's stages; anything else is not found.
    for stage in &checked {
        if let Some(id) = &stage.id
            && !stored.iter().any(|s| &s.id == id)
        {
            return Err(AppError::NotFound);
        }
    }
    let removed: Vec<&StoredStage> = stored
        .iter()
        .filter(|s| {
            !checked
                .iter()
                .any(|c| c.id.as_deref() == Some(s.id.as_str()))
        })
        .collect();
    if let Some(busy) = removed.iter().find(|s| deals_in(&s.key) > 0) {
        return Err(invalid_about("stages", "has_deals", &busy.name));
    }
    for stage in &checked {
        if let Some(old) = stored
            .iter()
            .find(|s| Some(s.id.as_str()) == stage.id.as_deref())
            && old.kind != stage.kind
            && deals_in(&old.key) > 0
        {
            return Err(invalid_about("stages", "kind_has_deals", &old.name));
        }
    }

    let removed_ids: Vec<String> = removed.iter().map(|s| s.id.clone()).collect();
    sqlx::query!(
        "DELETE FROM pipeline_stages WHERE company_id = $1 AND id = ANY($2)",
        company_id,
        &removed_ids
    )
    .execute(&mut *tx)
    .await
    .map_err(db::DbError::from)?;

    let (kept, added): (Vec<&CheckedStage>, Vec<&CheckedStage>) =
        checked.iter().partition(|c| c.id.is_some());
    let kept_ids: Vec<String> = kept.iter().filter_map(|c| c.id.clone()).collect();
    let kept_names: Vec<String> = kept.iter().map(|c| c.name.clone()).collect();
    let kept_positions: Vec<i32> = kept.iter().map(|c| c.position).collect();
    let kept_probabilities: Vec<Decimal> = kept.iter().map(|c| c.probability).collect();
    let kept_kinds: Vec<String> = kept.iter().map(|c| c.kind.as_str().to_owned()).collect();
    // Positions, WON and LOST are checked at commit (deferred constraints), so stages may trade places.
    sqlx::query!(
        "UPDATE pipeline_stages s
         SET name = u.name, position = u.position, probability = u.probability, kind = u.kind::stage_kind
         FROM UNNEST($2::text[], $3::text[], $4::int[], $5::numeric[], $6::text[]) AS u(id, name, position, probability, kind)
         WHERE s.company_id = $1 AND s.id = u.id
           AND (s.name, s.position, s.probability, s.kind) IS DISTINCT FROM (u.name, u.position, u.probability, u.kind::stage_kind)",
        company_id,
        &kept_ids,
        &kept_names,
        &kept_positions,
        &kept_probabilities,
        &kept_kinds
    )
    .execute(&mut *tx)
    .await
    .map_err(db::DbError::from)?;

    let mut taken: Vec<String> = stored.iter().map(|s| s.key.clone()).collect();
    let mut new_keys = Vec::with_capacity(added.len());
    for stage in &added {
        let key = stage_key(&stage.name, &taken);
        taken.push(key.clone());
        new_keys.push(key);
    }
    let added_names: Vec<String> = added.iter().map(|c| c.name.clone()).collect();
    let added_positions: Vec<i32> = added.iter().map(|c| c.position).collect();
    let added_probabilities: Vec<Decimal> = added.iter().map(|c| c.probability).collect();
    let added_kinds: Vec<String> = added.iter().map(|c| c.kind.as_str().to_owned()).collect();
    sqlx::query!(
        "INSERT INTO pipeline_stages (company_id, key, name, position, probability, kind)
         SELECT $1, u.key, u.name, u.position, u.probability, u.kind::stage_kind
         FROM UNNEST($2::text[], $3::text[], $4::int[], $5::numeric[], $6::text[]) AS u(key, name, position, probability, kind)",
        company_id,
        &new_keys,
        &added_names,
        &added_positions,
        &added_probabilities,
        &added_kinds
    )
    .execute(&mut *tx)
    .await
    .map_err(db::DbError::from)?;

    let before = stages_json(stored.iter().map(|s| {
        (
            s.key.clone(),
            s.name.clone(),
            s.position,
            s.probability,
            s.kind,
        )
    }));
    let after_rows = stages(&mut tx).await?;
    let after = stages_json(after_rows.iter().enumerate().map(|(i, s)| {
        (
            s.key.clone(),
            s.name.clone(),
            i as i32 + 1,
            s.probability,
            s.kind,
        )
    }));
    if before != after {
        record_company_change(
            &mut tx,
            ctx,
            Change {
                action: "PIPELINE_STAGES_UPDATED",
                entity_type: "pipeline",
                entity_id: &company_id,
                before: Some(before),
                after: Some(after),
            },
            meta,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(after_rows)
}

/// Inserts the default pipeline (PRODUCT.md "Pipeline stages") into a new company's transaction.
pub async fn insert_default_stages(tx: &mut TenantTx) -> Result<(), db::DbError> {
    let company_id = tx.company_id().to_owned();
    let keys: Vec<String> = DEFAULT_STAGES.iter().map(|s| s.key.to_owned()).collect();
    let names: Vec<String> = DEFAULT_STAGES.iter().map(|s| s.name.to_owned()).collect();
    let positions: Vec<i32> = (1..=DEFAULT_STAGES.len() as i32).collect();
    let probabilities: Vec<Decimal> = DEFAULT_STAGES
        .iter()
        .map(|s| Decimal::from(s.probability))
        .collect();
    let kinds: Vec<String> = DEFAULT_STAGES
        .iter()
        .map(|s| s.kind.as_str().to_owned())
        .collect();
    sqlx::query!(
        "INSERT INTO pipeline_stages (company_id, key, name, position, probability, kind)
         SELECT $1, u.key, u.name, u.position, u.probability, u.kind::stage_kind
         FROM UNNEST($2::text[], $3::text[], $4::int[], $5::numeric[], $6::text[]) AS u(key, name, position, probability, kind)",
        company_id,
        &keys,
        &names,
        &positions,
        &probabilities,
        &kinds
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(name: &str, domain: &str, timezone: &str, currency: &str) -> DetailsInput {
        DetailsInput {
            name: name.into(),
            domain: domain.into(),
            timezone: timezone.into(),
            currency: currency.into(),
        }
    }

    #[test]
    fn company_details_are_checked_field_by_field() {
        let ok =
            check_details(&input(" Acme ", "ACME.com.br", "America/Sao_Paulo", "brl")).unwrap();
        assert_eq!(
            ok,
            Details {
                name: "Acme".into(),
                domain: Some("acme.com.br".into()),
                timezone: "America/Sao_Paulo".into(),
                currency: "BRL".into()
            }
        );
        assert_eq!(
            check_details(&input("", "", "UTC", "BRL")),
            Err(invalid("name", "required"))
        );
        assert_eq!(
            check_details(&input("Acme", "not a domain", "UTC", "BRL")),
            Err(invalid("domain", "invalid"))
        );
        assert_eq!(
            check_details(&input("Acme", "", "America/Atlantis", "BRL")),
            Err(invalid("timezone", "unknown"))
        );
        assert_eq!(
            check_details(&input("Acme", "", "UTC", "XYZ")),
            Err(invalid("currency", "unknown"))
        );
    }

    #[test]
    fn suggested_time_zones_include_sao_paulo_and_are_all_valid() {
        let names = timezone_names();
        assert!(names.contains(&"America/Sao_Paulo".to_owned()));
        assert!(names.iter().all(|n| check_timezone(n).is_ok()));
        assert!(
            !names.iter().any(|n| n.starts_with("Brazil/")),
            "legacy aliases are accepted but not suggested"
        );
    }

    #[test]
    fn missing_flags_read_as_their_defaults() {
        let features = json!({ "bots": false });
        assert!(!flag(&features, Feature::Bots));
        assert!(flag(&features, Feature::AiAnalysis));
        assert!(!flag(&features, Feature::RankingVisibility));
    }
}
