//! Writing audit rows. Called with the transaction of the change itself, so a change and its
//! audit row commit or roll back together.

use db::{TenantCtx, TenantTx};
use domain::AuditActor;
use serde_json::Value;

/// Where a request came from, for the audit row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestMeta {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// Keys whose values never reach an audit row.
const SECRET_KEYS: &[&str] = &[
    "password",
    "password_hash",
    "token",
    "secret",
    "api_key",
    "access_token",
    "refresh_token",
    "encrypted_config",
    "credentials",
];

/// Replaces the value of every secret-looking key, at any depth, by "[redacted]".
pub fn redact(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let secret = SECRET_KEYS
                        .iter()
                        .any(|s| k.to_ascii_lowercase().contains(s));
                    (
                        k,
                        if secret {
                            Value::String("[redacted]".into())
                        } else {
                            redact(v)
                        },
                    )
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(redact).collect()),
        other => other,
    }
}

/// One change by a person (or staff) inside a tenant.
pub struct Change<'a> {
    pub action: &'a str,
    pub entity_type: &'a str,
    pub entity_id: &'a str,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

pub async fn record(
    tx: &mut TenantTx,
    ctx: &TenantCtx,
    change: Change<'_>,
    meta: &RequestMeta,
) -> Result<(), db::DbError> {
    let actor = if ctx.is_staff() {
        AuditActor::Staff
    } else {
        AuditActor::User
    };
    insert(tx, ctx.user_id(), actor, change, meta).await
}

/// A change staff made to a company from the console, outside any [`TenantCtx`] (creating it):
/// the company's own row, as staff.
pub async fn record_as_staff(
    tx: &mut TenantTx,
    staff_user_id: &str,
    change: Change<'_>,
    meta: &RequestMeta,
) -> Result<(), db::DbError> {
    insert(tx, staff_user_id, AuditActor::Staff, change, meta).await
}

/// A change to a company's configuration (its details, flags, settings, stages). The company's
/// audit row; and when staff made it, the same change in the staff audit log too, so the console
/// shows what staff changed across tenants. Both in the change's transaction.
pub async fn record_company_change(
    tx: &mut TenantTx,
    ctx: &TenantCtx,
    change: Change<'_>,
    meta: &RequestMeta,
) -> Result<(), db::DbError> {
    if ctx.is_staff() {
        let company_id = tx.company_id().to_owned();
        let entry = db::StaffAudit {
            user_id: ctx.user_id(),
            action: change.action,
            entity_type: change.entity_type,
            entity_id: change.entity_id,
            company_id: Some(&company_id),
            changes: changes_json(change.before.clone(), change.after.clone()),
            ip: meta.ip.as_deref(),
            user_agent: meta.user_agent.as_deref(),
        };
        db::staff::record_staff_audit(tx, &entry).await?;
    }
    record(tx, ctx, change, meta).await
}

/// The `changes` column: `{"before": …, "after": …}` with secrets redacted, or nothing.
pub fn changes_json(before: Option<Value>, after: Option<Value>) -> Option<Value> {
    match (before, after) {
        (None, None) => None,
        (before, after) => Some(redact(
            serde_json::json!({ "before": before, "after": after }),
        )),
    }
}

async fn insert(
    tx: &mut TenantTx,
    user_id: &str,
    actor: AuditActor,
    change: Change<'_>,
    meta: &RequestMeta,
) -> Result<(), db::DbError> {
    let changes = changes_json(change.before, change.after);
    let company_id = tx.company_id().to_owned();
    sqlx::query!(
        "INSERT INTO audit_logs (company_id, user_id, actor, action, entity_type, entity_id, changes, ip_address, user_agent)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        company_id,
        user_id,
        actor as AuditActor,
        change.action,
        change.entity_type,
        change.entity_id,
        changes,
        meta.ip,
        meta.user_agent,
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The filters of the audit log page, as typed: empty means "any".
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub user_id: String,
    pub entity_type: String,
    pub action: String,
    /// `YYYY-MM-DD`, in the company's time zone, inclusive.
    pub from: String,
    /// `YYYY-MM-DD`, in the company's time zone, inclusive.
    pub to: String,
    /// 1-based.
    pub page: u32,
}

fn non_empty(value: &str) -> Option<String> {
    Some(value.trim().to_owned()).filter(|v| !v.is_empty())
}

/// The first moment of a calendar day in a time zone (the day's start may be skipped by a
/// daylight-saving change: then its first existing moment).
fn start_of_day(
    date: chrono::NaiveDate,
    tz: chrono_tz::Tz,
) -> Option<chrono::DateTime<chrono::Utc>> {
    use chrono::TimeZone;
    (0..4)
        .find_map(|hour| {
            tz.from_local_datetime(&date.and_hms_opt(hour, 0, 0)?)
                .earliest()
        })
        .map(|at| at.with_timezone(&chrono::Utc))
}

/// A `YYYY-MM-DD` field as the start of that day (or of the next day, `next_day`), or its problem.
pub fn day_bound(
    field: &str,
    raw: &str,
    tz: chrono_tz::Tz,
    next_day: bool,
) -> Result<Option<chrono::DateTime<chrono::Utc>>, crate::error::AppError> {
    let Some(raw) = non_empty(raw) else {
        return Ok(None);
    };
    let date = chrono::NaiveDate::parse_from_str(&raw, "%Y-%m-%d")
        .map_err(|_| crate::validation::invalid(field, "date"))?;
    let date = if next_day {
        date.succ_opt()
            .ok_or_else(|| crate::validation::invalid(field, "date"))?
    } else {
        date
    };
    start_of_day(date, tz)
        .map(Some)
        .ok_or_else(|| crate::validation::invalid(field, "date"))
}

/// One page of the company's audit log, newest first, with the filters' choices.
pub async fn list(
    state: &crate::state::AppState,
    ctx: &TenantCtx,
    filter: &AuditFilter,
) -> Result<super::AuditPage, crate::error::AppError> {
    use super::{AUDIT_PAGE_SIZE, AuditEntry, AuditPage, PersonOption, diff_changes};
    use chrono::{DateTime, Utc};

    let mut tx = state.db.begin(ctx).await?;
    let company_id = tx.company_id().to_owned();
    let timezone = sqlx::query_scalar!("SELECT timezone FROM companies WHERE id = $1", company_id)
        .fetch_one(&mut *tx)
        .await
        .map_err(db::DbError::from)?;
    let tz: chrono_tz::Tz = timezone.parse().unwrap_or(chrono_tz::UTC);
    let from = day_bound("from", &filter.from, tz, false)?;
    let to = day_bound("to", &filter.to, tz, true)?;
    let page = filter.page.max(1);
    let offset = i64::from(page - 1) * AUDIT_PAGE_SIZE;
    let rows = sqlx::query!(
        r#"SELECT a.id, a.created_at AS "created_at!: DateTime<Utc>", a.actor AS "actor: AuditActor", a.actor_label, a.user_id,
                  u.name AS "user_name?", a.action, a.entity_type, a.entity_id, a.changes, a.ip_address, a.user_agent
           FROM audit_logs a
           LEFT JOIN users u ON u.company_id = a.company_id AND u.id = a.user_id
           WHERE a.company_id = $1
             AND ($2::text IS NULL OR a.user_id = $2)
             AND ($3::text IS NULL OR a.entity_type = $3)
             AND ($4::text IS NULL OR a.action = $4)
             AND ($5::timestamptz IS NULL OR a.created_at >= $5)
             AND ($6::timestamptz IS NULL OR a.created_at < $6)
           ORDER BY a.created_at DESC, a.id DESC
           LIMIT $7 OFFSET $8"#,
        company_id,
        non_empty(&filter.user_id),
        non_empty(&filter.entity_type),
        non_empty(&filter.action),
        from as _,
        to as _,
        AUDIT_PAGE_SIZE + 1,
        offset
    )
    .fetch_all(&mut *tx)
    .await
    .map_err(db::DbError::from)?;
    let people = sqlx::query_as!(
        PersonOption,
        "SELECT id, name FROM users WHERE company_id = $1 ORDER BY lower(name), id",
        company_id
    )
    .fetch_all(&mut *tx)
    .await
    .map_err(db::DbError::from)?;
    let entity_types = sqlx::query_scalar!(
        "SELECT DISTINCT entity_type FROM audit_logs WHERE company_id = $1 ORDER BY 1",
        company_id
    )
    .fetch_all(&mut *tx)
    .await
    .map_err(db::DbError::from)?;
    let actions = sqlx::query_scalar!(
        "SELECT DISTINCT action FROM audit_logs WHERE company_id = $1 ORDER BY 1",
        company_id
    )
    .fetch_all(&mut *tx)
    .await
    .map_err(db::DbError::from)?;
    tx.commit().await?;

    let staff_ids: Vec<String> = rows
        .iter()
        .filter(|r| r.actor == AuditActor::Staff)
        .filter_map(|r| r.user_id.clone())
        .collect();
    let staff_names = if staff_ids.is_empty() {
        Vec::new()
    } else {
        state.db.staff().staff_names(&staff_ids).await?
    };
    let has_next = rows.len() as i64 > AUDIT_PAGE_SIZE;
    let items = rows
        .into_iter()
        .take(AUDIT_PAGE_SIZE as usize)
        .map(|r| {
            let actor_label = match r.actor {
                AuditActor::User => r.user_name,
                AuditActor::Staff => r
                    .user_id
                    .as_ref()
                    .and_then(|id| staff_names.iter().find(|(sid, _)| sid == id))
                    .map(|(_, name)| name.clone()),
                AuditActor::System | AuditActor::Integration => r.actor_label,
            };
            AuditEntry {
                id: r.id,
                at: r.created_at.with_timezone(&tz).fixed_offset(),
                actor: r.actor,
                actor_label,
                action: r.action,
                entity_type: r.entity_type,
                entity_id: r.entity_id,
                changes: diff_changes(r.changes.as_ref()),
                ip_address: r.ip_address,
                user_agent: r.user_agent,
            }
        })
        .collect();
    Ok(AuditPage {
        items,
        page,
        has_next,
        people,
        entity_types,
        actions,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn date_filters_are_whole_days_in_the_companys_zone() {
        let tz = chrono_tz::America::Sao_Paulo;
        let from = day_bound("from", "2026-11-27", tz, false).unwrap().unwrap();
        assert_eq!(from.to_rfc3339(), "2026-11-27T03:00:00+00:00");
        let to = day_bound("to", "2026-11-27", tz, true).unwrap().unwrap();
        assert_eq!(to.to_rfc3339(), "2026-11-28T03:00:00+00:00");
        assert_eq!(day_bound("from", " ", tz, false), Ok(None));
        assert_eq!(
            day_bound("to", "27/11/2026", tz, true),
            Err(crate::validation::invalid("to", "date"))
        );
    }

    #[test]
    fn secrets_are_redacted_at_any_depth() {
        let value = json!({"name": "HubSpot", "config": {"api_key": "pat-123", "nested": [{"password": "x"}]}, "password_hash": "$argon2"});
        let redacted = redact(value);
        assert_eq!(redacted["config"]["api_key"], "[redacted]");
        assert_eq!(redacted["config"]["nested"][0]["password"], "[redacted]");
        assert_eq!(redacted["password_hash"], "[redacted]");
        assert_eq!(redacted["name"], "HubSpot");
    }
}
