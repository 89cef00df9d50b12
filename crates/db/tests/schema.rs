//! The schema against its contracts: every table and column of the seed document exists, every
//! tenant table is under forced row-level security with a policy, and the app's role can bypass
//! none of it. Read from PostgreSQL's catalogue, so a migration that drifts fails here.

use db::testing::{APP_ROLE, DEFINER_ROLE, TestDb};

/// Every table of `seed/database-schema.md` with its scalar columns (relation fields excluded).
const SEED_COLUMNS: &[(&str, &[&str])] = &[
    (
        "companies",
        &[
            "id",
            "name",
            "slug",
            "domain",
            "timezone",
            "currency",
            "features",
            "settings",
            "created_at",
            "updated_at",
        ],
    ),
    (
        "users",
        &[
            "id",
            "email",
            "name",
            "linkedin",
            "password_hash",
            "role",
            "status",
            "avatar_url",
            "area",
            "company_id",
            "last_login_at",
            "created_at",
            "updated_at",
        ],
    ),
    (
        "squads",
        &[
            "id",
            "name",
            "type",
            "target_monthly",
            "company_id",
            "created_at",
            "updated_at",
        ],
    ),
    (
        "squad_members",
        &["id", "user_id", "squad_id", "is_leader", "joined_at"],
    ),
    (
        "accounts",
        &[
            "id",
            "user_id",
            "type",
            "provider",
            "provider_account_id",
            "refresh_token",
            "access_token",
            "expires_at",
            "token_type",
            "scope",
            "id_token",
            "session_state",
        ],
    ),
    ("sessions", &["id", "session_token", "user_id", "expires"]),
    ("verification_tokens", &["identifier", "token", "expires"]),
    (
        "playbooks",
        &[
            "id",
            "name",
            "description",
            "function",
            "methodology",
            "version",
            "status",
            "is_ai_generated",
            "content",
            "company_id",
            "squad_id",
            "parent_version_id",
            "created_at",
            "updated_at",
        ],
    ),
    (
        "integrations",
        &[
            "id",
            "type",
            "provider",
            "name",
            "status",
            "encrypted_config",
            "settings",
            "last_sync_at",
            "last_error",
            "company_id",
            "created_at",
            "updated_at",
        ],
    ),
    (
        "leads",
        &[
            "id",
            "external_id",
            "name",
            "email",
            "phone",
            "company_name",
            "position",
            "source",
            "status",
            "lead_score",
            "custom_fields",
            "company_id",
            "created_at",
            "updated_at",
        ],
    ),
    (
        "deals",
        &[
            "id",
            "external_id",
            "title",
            "stage",
            "probability",
            "value",
            "currency",
            "expected_close_at",
            "closed_at",
            "custom_fields",
            "lead_id",
            "company_id",
            "created_at",
            "updated_at",
        ],
    ),
    (
        "conversations",
        &[
            "id",
            "channel",
            "duration_seconds",
            "user_id",
            "lead_id",
            "transcript",
            "summary",
            "playbook_id",
            "playbook_score",
            "sentiment",
            "methodology_scores",
            "key_moments",
            "suggested_actions",
            "notes",
            "conversation_date",
            "processed_at",
            "company_id",
            "created_at",
            "updated_at",
        ],
    ),
    (
        "bots",
        &[
            "id",
            "name",
            "type",
            "status",
            "playbook_id",
            "channels",
            "triggers",
            "max_messages_per_day",
            "delay_between_messages_seconds",
            "company_id",
            "created_at",
            "updated_at",
        ],
    ),
    (
        "bot_logs",
        &[
            "id",
            "bot_id",
            "lead_id",
            "user_id",
            "action",
            "channel",
            "status",
            "message",
            "error_message",
            "created_at",
        ],
    ),
    (
        "ai_usage",
        &[
            "id",
            "provider",
            "model",
            "total_tokens",
            "prompt_tokens",
            "completion_tokens",
            "estimated_cost_usd",
            "feature",
            "period_month",
            "company_id",
            "created_at",
        ],
    ),
    (
        "audit_logs",
        &[
            "id",
            "user_id",
            "action",
            "entity_type",
            "entity_id",
            "changes",
            "ip_address",
            "user_agent",
            "company_id",
            "created_at",
        ],
    ),
    (
        "chat_searches",
        &[
            "id",
            "query",
            "search_results",
            "llm_analysis",
            "llm_provider",
            "llm_model",
            "tokens_used",
            "processing_time_ms",
            "shared_as_memory",
            "user_id",
            "company_id",
            "created_at",
        ],
    ),
    (
        "okr_periods",
        &[
            "id",
            "company_id",
            "label",
            "start_date",
            "end_date",
            "is_current",
            "created_at",
            "updated_at",
        ],
    ),
    (
        "objectives",
        &[
            "id",
            "company_id",
            "period_id",
            "title",
            "description",
            "area",
            "status",
            "progress",
            "owner_id",
            "owner_type",
            "created_by_id",
            "created_at",
            "updated_at",
        ],
    ),
    (
        "key_results",
        &[
            "id",
            "objective_id",
            "title",
            "description",
            "current",
            "target",
            "unit",
            "status",
            "trend",
            "trend_value",
            "owner_id",
            "due_date",
            "linked_metrics",
            "created_at",
            "updated_at",
        ],
    ),
    (
        "key_result_progress",
        &[
            "id",
            "key_result_id",
            "value",
            "note",
            "recorded_at",
            "recorded_by_id",
            "source",
        ],
    ),
];

/// Additions PRODUCT.md decides, which the seed does not list.
const ADDED_COLUMNS: &[(&str, &[&str])] = &[
    ("leads", &["owner_id"]),
    ("deals", &["owner_id", "stage_changed_at"]),
    ("audit_logs", &["actor", "actor_label"]),
    ("users", &["security_stamp", "language"]),
    ("squad_members", &["company_id"]),
    ("bot_logs", &["company_id"]),
    ("key_results", &["company_id"]),
    ("key_result_progress", &["company_id"]),
    (
        "alerts",
        &[
            "id",
            "company_id",
            "type",
            "priority",
            "status",
            "title",
            "message",
            "entity_type",
            "entity_id",
            "user_id",
            "squad_id",
            "data",
            "dedup_key",
            "created_at",
            "read_at",
            "acknowledged_at",
            "acknowledged_by_id",
        ],
    ),
    (
        "import_logs",
        &[
            "id",
            "company_id",
            "integration_id",
            "source",
            "status",
            "started_at",
            "finished_at",
            "records_total",
            "records_created",
            "records_updated",
            "records_failed",
            "errors",
            "triggered_by_id",
        ],
    ),
];

/// Tables reached only through the pre-tenant lookups: forced RLS with no policy for the app at all.
/// Tables no tenant owns (identities, tokens, sign-in failures, staff actions outside any tenant):
/// forced RLS with no policy for the app at all, reached only through the named lookups.
const IDENTITY_TABLES: &[&str] = &[
    "accounts",
    "sessions",
    "verification_tokens",
    "login_failures",
    "staff_audit_logs",
];

/// The only functions allowed around row-level security: PRODUCT.md's named pre-tenant lookups.
/// A new one must be added here on purpose.
const NAMED_LOOKUPS: &[&str] = &[
    "auth_accept_invitation",
    "auth_audit_own_change",
    "auth_change_own_password",
    "auth_clear_email_failures",
    "auth_own_profile",
    "auth_peek_token",
    "auth_record_failure",
    "auth_record_sign_in",
    "auth_reset_password",
    "auth_rotate_security_stamp",
    "auth_set_language",
    "auth_set_password",
    "auth_sign_out_everywhere",
    "auth_store_token",
    "auth_throttle_status",
    "auth_update_own_profile",
    "claim_jobs",
    "create_staff_user",
    "lookup_company_by_slug",
    "lookup_membership",
    "lookup_session_user",
    "lookup_staff_names",
    "lookup_user_for_reset",
    "lookup_user_for_sign_in",
    "staff_list_audit",
    "staff_list_companies",
    "staff_list_staff_users",
    "staff_record_audit",
    "staff_set_user_status",
];

async fn columns_of(test: &TestDb, table: &str) -> Vec<String> {
    sqlx::query_scalar("SELECT column_name::text FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1")
        .bind(table)
        .fetch_all(&test.owner)
        .await
        .expect("catalogue")
}

#[tokio::test]
async fn every_seed_table_and_column_exists() {
    let test = TestDb::new().await;
    let mut missing = Vec::new();
    for (table, columns) in SEED_COLUMNS.iter().chain(ADDED_COLUMNS) {
        let present = columns_of(&test, table).await;
        if present.is_empty() {
            missing.push(format!("table {table}"));
            continue;
        }
        for column in *columns {
            if !present.iter().any(|c| c == column) {
                missing.push(format!("{table}.{column}"));
            }
        }
    }
    assert!(missing.is_empty(), "missing from the schema: {missing:?}");
}

#[tokio::test]
async fn money_is_numeric_and_time_is_timestamptz() {
    let test = TestDb::new().await;
    let types: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text, data_type::text FROM information_schema.columns WHERE table_schema = 'public'",
    )
    .fetch_all(&test.owner)
    .await
    .unwrap();
    let type_of = |t: &str, c: &str| {
        types
            .iter()
            .find(|(tt, cc, _)| tt == t && cc == c)
            .map(|(_, _, d)| d.as_str())
    };
    assert_eq!(type_of("deals", "value"), Some("numeric"));
    assert_eq!(type_of("squads", "target_monthly"), Some("numeric"));
    let naive: Vec<_> = types
        .iter()
        .filter(|(_, _, d)| d == "timestamp without time zone")
        .collect();
    assert!(naive.is_empty(), "timestamps without time zone: {naive:?}");
}

#[tokio::test]
async fn every_tenant_table_is_under_forced_row_level_security_with_a_policy() {
    let test = TestDb::new().await;
    let tenant_tables: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT c.table_name::text FROM information_schema.columns c
         JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
         WHERE c.table_schema = 'public' AND c.column_name = 'company_id' AND t.table_type = 'BASE TABLE'",
    )
    .fetch_all(&test.owner)
    .await
    .unwrap();
    // The child tables must be among them: they carry company_id themselves.
    for child in [
        "squad_members",
        "key_results",
        "key_result_progress",
        "bot_logs",
        "deals",
        "conversations",
    ] {
        assert!(
            tenant_tables.iter().any(|t| t == child),
            "{child} lacks company_id"
        );
    }
    assert!(
        tenant_tables.len() >= 20,
        "only {} tenant tables found",
        tenant_tables.len()
    );

    let mut faults = Vec::new();
    for table in tenant_tables
        .iter()
        .map(String::as_str)
        .filter(|t| !IDENTITY_TABLES.contains(t))
        .chain(["companies"])
        .chain(IDENTITY_TABLES.iter().copied())
    {
        let (enabled, forced): (bool, bool) =
            sqlx::query_as("SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE oid = ('public.' || $1)::regclass")
                .bind(table)
                .fetch_one(&test.owner)
                .await
                .unwrap();
        if !enabled || !forced {
            faults.push(format!("{table}: enabled={enabled} forced={forced}"));
        }
        let policies: Vec<(String, String)> = sqlx::query_as(
            "SELECT coalesce(qual, ''), coalesce(with_check, '') FROM pg_policies WHERE schemaname = 'public' AND tablename = $1",
        )
        .bind(table)
        .fetch_all(&test.owner)
        .await
        .unwrap();
        if IDENTITY_TABLES.contains(&table) {
            if !policies.is_empty() {
                faults.push(format!("{table}: identity table has policies {policies:?}"));
            }
        } else if !policies.iter().any(|(using, check)| {
            using.contains("app_current_company_id") && check.contains("app_current_company_id")
        }) {
            faults.push(format!(
                "{table}: no USING + WITH CHECK policy on the tenant setting ({policies:?})"
            ));
        }
    }
    assert!(faults.is_empty(), "row-level security faults: {faults:#?}");
}

#[tokio::test]
async fn the_app_role_owns_nothing_and_cannot_bypass_the_policies() {
    let test = TestDb::new().await;
    let (superuser, bypass): (bool, bool) =
        sqlx::query_as("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = $1")
            .bind(APP_ROLE)
            .fetch_one(&test.owner)
            .await
            .unwrap();
    assert!(
        !superuser && !bypass,
        "app role: superuser={superuser} bypassrls={bypass}"
    );
    let owned: Vec<String> = sqlx::query_scalar(
        "SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE pg_get_userbyid(c.relowner) = $1 AND n.nspname NOT IN ('pg_catalog', 'information_schema')",
    )
    .bind(APP_ROLE)
    .fetch_all(&test.owner)
    .await
    .unwrap();
    assert!(owned.is_empty(), "the app role owns {owned:?}");

    // The only functions that bypass RLS are the named SECURITY DEFINER lookups, owned by the definer.
    let definers: Vec<(String, String)> = sqlx::query_as(
        "SELECT p.proname::text, pg_get_userbyid(p.proowner)::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
         WHERE p.prosecdef AND n.nspname = 'public' ORDER BY 1",
    )
    .fetch_all(&test.owner)
    .await
    .unwrap();
    assert!(!definers.is_empty());
    for (name, owner) in &definers {
        assert_eq!(
            owner, DEFINER_ROLE,
            "{name} is SECURITY DEFINER but owned by {owner}"
        );
    }
    let names: Vec<&str> = definers.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(
        names, NAMED_LOOKUPS,
        "the SECURITY DEFINER functions are exactly the named lookups"
    );
    let configs: Vec<(String, Option<Vec<String>>)> = sqlx::query_as(
        "SELECT p.proname::text, p.proconfig FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE p.prosecdef AND n.nspname = 'public'",
    )
    .fetch_all(&test.owner)
    .await
    .unwrap();
    for (name, config) in configs {
        let fixed = config
            .unwrap_or_default()
            .iter()
            .any(|c| c.starts_with("search_path="));
        assert!(fixed, "{name} has no fixed search_path");
    }
}
