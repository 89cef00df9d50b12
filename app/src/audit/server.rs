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
const SECRET_KEYS: &[&str] = &["password", "password_hash", "token", "secret", "api_key", "access_token", "refresh_token", "encrypted_config", "credentials"];

/// Replaces the value of every secret-looking key, at any depth, by "[redacted]".
pub fn redact(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let secret = SECRET_KEYS.iter().any(|s| k.to_ascii_lowercase().contains(s));
                    (k, if secret { Value::String("[redacted]".into()) } else { redact(v) })
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

pub async fn record(tx: &mut TenantTx, ctx: &TenantCtx, change: Change<'_>, meta: &RequestMeta) -> Result<(), db::DbError> {
    let actor = if ctx.is_staff() { AuditActor::Staff } else { AuditActor::User };
    let changes = match (change.before, change.after) {
        (None, None) => None,
        (before, after) => Some(redact(serde_json::json!({ "before": before, "after": after }))),
    };
    let company_id = tx.company_id().to_owned();
    sqlx::query!(
        "INSERT INTO audit_logs (company_id, user_id, actor, action, entity_type, entity_id, changes, ip_address, user_agent)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        company_id,
        ctx.user_id(),
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
