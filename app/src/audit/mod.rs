//! The audit log: every change a person makes, written in the same transaction as the change,
//! with who acted (and as what), before and after, the client address and user agent; and the
//! page where a DIRECTOR (or staff) reads it, filtered and paginated, newest first.

pub mod api;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod server;

use chrono::{DateTime, FixedOffset};
use domain::AuditActor;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Rows per page of the audit log.
pub const AUDIT_PAGE_SIZE: i64 = 50;

/// One field of a change as people read it: what it was, what it became (`None`: nothing).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// A JSON value as a short text: strings bare, `null` as nothing, anything else as compact JSON.
fn readable(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        other => Some(other.to_string()),
    }
}

/// The readable diff of an audit row's `changes` (`{"before": …, "after": …}`): one line per
/// field that differs, in key order. Objects are compared field by field; anything else is one line.
pub fn diff_changes(changes: Option<&Value>) -> Vec<FieldChange> {
    let Some(changes) = changes else {
        return Vec::new();
    };
    let before = changes.get("before").filter(|v| !v.is_null());
    let after = changes.get("after").filter(|v| !v.is_null());
    if before.is_none() && after.is_none() {
        return Vec::new();
    }
    if !(before.is_none_or(Value::is_object) && after.is_none_or(Value::is_object)) {
        return vec![FieldChange {
            field: String::new(),
            before: readable(before),
            after: readable(after),
        }];
    }
    let field = |side: Option<&Value>, key: &str| readable(side.and_then(|v| v.get(key)));
    let mut keys: Vec<&String> = [before, after]
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .flat_map(|m| m.keys())
        .collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .map(|key| FieldChange {
            field: key.clone(),
            before: field(before, key),
            after: field(after, key),
        })
        .filter(|change| change.before != change.after)
        .collect()
}

/// Who acted, as the log shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: String,
    /// In the company's time zone.
    pub at: DateTime<FixedOffset>,
    pub actor: AuditActor,
    /// The person's name (user or staff), or the job / integration that acted.
    pub actor_label: Option<String>,
    pub action: String,
    pub entity_type: String,
    pub entity_id: String,
    pub changes: Vec<FieldChange>,
    pub ip_address: Option<String>,
    pub user_agent: Option<String>,
}

/// A person to filter by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonOption {
    pub id: String,
    pub name: String,
}

/// One page of a company's audit log and what its filters offer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    pub items: Vec<AuditEntry>,
    pub page: u32,
    pub has_next: bool,
    pub people: Vec<PersonOption>,
    pub entity_types: Vec<String>,
    pub actions: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_the_fields_that_changed_are_listed_in_key_order() {
        let changes = json!({"before": {"role": "AGENT", "area": "SALES", "name": "Ana"}, "after": {"role": "MANAGER", "area": "SALES", "name": "Ana"}});
        assert_eq!(
            diff_changes(Some(&changes)),
            vec![FieldChange {
                field: "role".into(),
                before: Some("AGENT".into()),
                after: Some("MANAGER".into())
            }]
        );
    }

    #[test]
    fn a_creation_lists_every_field_as_new_and_nested_values_read_as_json() {
        let changes = json!({"before": null, "after": {"name": "Acme", "stages": {"won": {"probability": 100}}, "domain": null}});
        let diff = diff_changes(Some(&changes));
        assert_eq!(diff.len(), 2, "{diff:?}");
        assert_eq!(
            diff[0],
            FieldChange {
                field: "name".into(),
                before: None,
                after: Some("Acme".into())
            }
        );
        assert_eq!(
            diff[1].after.as_deref(),
            Some(r#"{"won":{"probability":100}}"#)
        );
    }

    #[test]
    fn rows_without_changes_or_with_plain_values_still_read() {
        assert!(diff_changes(None).is_empty());
        let plain = json!({"before": 1, "after": 2});
        assert_eq!(
            diff_changes(Some(&plain)),
            vec![FieldChange {
                field: String::new(),
                before: Some("1".into()),
                after: Some("2".into())
            }]
        );
    }
}
