-- Schema and row-level-security check. Run as performancy_app (never a superuser: it would skip RLS):
--   psql -v ON_ERROR_STOP=1 "$DATABASE_URL" -f scripts/check-schema.sql
-- Seeds two companies (fixed ids chk-company-a / chk-company-b) as the app role through
-- set_config('app.company_id', ...), runs the checks, then deletes both companies again.
-- Every check prints "ok ..."; the first failure raises an error and stops the script (exit code 3).
\set ON_ERROR_STOP on
\set QUIET on
\pset pager off

-- =============================================================================================
-- Session 1: seed (as the app role, one tenant at a time) and commit.
-- =============================================================================================
DO $$
BEGIN
  IF current_user <> 'performancy_app' THEN
    RAISE EXCEPTION 'run this script as performancy_app, not %', current_user;
  END IF;
  IF (SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user) THEN
    RAISE EXCEPTION 'performancy_app must be NOSUPERUSER NOBYPASSRLS';
  END IF;
END $$;

-- leftovers of an interrupted run (company delete cascades to every tenant row)
BEGIN;
SELECT set_config('app.company_id', 'chk-company-a', true) \g /dev/null
DELETE FROM companies WHERE id = 'chk-company-a';
COMMIT;
BEGIN;
SELECT set_config('app.company_id', 'chk-company-b', true) \g /dev/null
DELETE FROM companies WHERE id = 'chk-company-b';
COMMIT;

BEGIN;
SELECT set_config('app.company_id', 'chk-company-a', true) \g /dev/null
INSERT INTO companies (id, name, slug) VALUES ('chk-company-a', 'Check A Ltda', 'chk-company-a');
INSERT INTO users (id, email, name, role, status, company_id) VALUES
  ('chk-a-director', 'chk-a-director@example.test', 'A Director', 'DIRECTOR', 'ACTIVE', 'chk-company-a'),
  ('chk-a-manager',  'chk-a-manager@example.test',  'A Manager',  'MANAGER',  'ACTIVE', 'chk-company-a'),
  ('chk-a-agent',    'Chk-A-Agent@Example.test',    'A Agent',    'AGENT',    'ACTIVE', 'chk-company-a'),
  ('chk-a-inactive', 'chk-a-inactive@example.test', 'A Gone',     'AGENT',    'INACTIVE', 'chk-company-a');
INSERT INTO squads (company_id, id, name, type, target_monthly) VALUES
  ('chk-company-a', 'chk-a-squad1', 'Squad 1', 'sales', 100000.00),
  ('chk-company-a', 'chk-a-squad2', 'Squad 2', 'cs', NULL);
INSERT INTO squad_members (company_id, user_id, squad_id, is_leader) VALUES
  ('chk-company-a', 'chk-a-manager', 'chk-a-squad1', true),
  ('chk-company-a', 'chk-a-agent',   'chk-a-squad1', false),
  ('chk-company-a', 'chk-a-agent',   'chk-a-squad2', false);
INSERT INTO pipeline_stages (company_id, key, name, position, probability, kind) VALUES
  ('chk-company-a', 'prospecting',   'Prospecção',   0,  10, 'OPEN'),
  ('chk-company-a', 'qualification', 'Qualificação', 1,  25, 'OPEN'),
  ('chk-company-a', 'proposal',      'Proposta',     2,  50, 'OPEN'),
  ('chk-company-a', 'negotiation',   'Negociação',   3,  75, 'OPEN'),
  ('chk-company-a', 'won',           'Ganho',        4, 100, 'WON'),
  ('chk-company-a', 'lost',          'Perdido',      5,   0, 'LOST');
INSERT INTO leads (company_id, id, external_id, name, email, owner_id) VALUES
  ('chk-company-a', 'chk-a-lead1', 'csv:1', 'Lead A1', 'lead@a.test', 'chk-a-agent');
INSERT INTO deals (company_id, id, title, stage, probability, value, lead_id, owner_id) VALUES
  ('chk-company-a', 'chk-a-deal1', 'Deal A1', 'proposal', 50, 12345.67, 'chk-a-lead1', 'chk-a-agent');
INSERT INTO playbooks (company_id, id, name, function, methodology, content) VALUES
  ('chk-company-a', 'chk-a-pb1', 'Playbook A', 'SALES', 'SPICED', '{"sections": []}');
INSERT INTO conversations (company_id, id, channel, user_id, lead_id, transcript, playbook_id, playbook_score, conversation_date) VALUES
  ('chk-company-a', 'chk-a-conv1', 'CALL', 'chk-a-agent', 'chk-a-lead1', 'Olá...', 'chk-a-pb1', 72.5, now());
INSERT INTO integrations (company_id, id, type, provider, name, encrypted_config) VALUES
  ('chk-company-a', 'chk-a-int1', 'CRM', 'HUBSPOT', 'HubSpot', 'v1:nonce:ciphertext');
INSERT INTO bots (company_id, id, name, type, playbook_id, channels, triggers, max_messages_per_day, delay_between_messages_seconds) VALUES
  ('chk-company-a', 'chk-a-bot1', 'SDR bot', 'SDR', 'chk-a-pb1', '["WHATSAPP"]', '[]', 50, 30);
INSERT INTO bot_logs (company_id, bot_id, lead_id, action, channel, status) VALUES
  ('chk-company-a', 'chk-a-bot1', 'chk-a-lead1', 'message_sent', 'WHATSAPP', 'SUCCESS');
INSERT INTO ai_usage (company_id, provider, model, total_tokens, prompt_tokens, completion_tokens, estimated_cost_usd, feature, period_month) VALUES
  ('chk-company-a', 'anthropic', 'claude-3-5-sonnet-20241022', 1500, 1000, 500, 0.0105, 'conversation_analysis', '2026-11');
INSERT INTO audit_logs (company_id, actor, actor_label, action, entity_type, entity_id) VALUES
  ('chk-company-a', 'SYSTEM', 'job:crm_sync', 'IMPORT', 'import_log', 'x');
INSERT INTO chat_searches (company_id, query, user_id) VALUES
  ('chk-company-a', 'deals parados em proposta', 'chk-a-agent');
INSERT INTO okr_periods (company_id, id, label, start_date, end_date, is_current) VALUES
  ('chk-company-a', 'chk-a-q4', 'Q4 2026', '2026-10-01', '2027-01-01', true),
  ('chk-company-a', 'chk-a-q1', 'Q1 2027', '2027-01-01', '2027-04-01', false);
INSERT INTO objectives (company_id, id, period_id, title, area, owner_id, owner_type, created_by_id) VALUES
  ('chk-company-a', 'chk-a-obj1', 'chk-a-q4', 'Crescer receita', 'REVENUE', 'chk-a-agent', 'USER', 'chk-a-director'),
  ('chk-company-a', 'chk-a-obj2', 'chk-a-q4', 'Squad target', 'SALES', 'chk-a-squad1', 'SQUAD', 'chk-a-director');
INSERT INTO key_results (company_id, id, objective_id, title, target, unit, owner_id) VALUES
  ('chk-company-a', 'chk-a-kr1', 'chk-a-obj1', 'R$ 1M won', 1000000, 'CURRENCY', 'chk-a-agent');
INSERT INTO key_result_progress (company_id, key_result_id, value, recorded_by_id, source) VALUES
  ('chk-company-a', 'chk-a-kr1', 250000, 'chk-a-director', 'manual'),
  ('chk-company-a', 'chk-a-kr1', 260000, NULL, 'pipeline');
INSERT INTO alerts (company_id, id, type, priority, title, message, dedup_key) VALUES
  ('chk-company-a', 'chk-a-alert1', 'DEAL_STUCK', 'HIGH', 'Deal parado', 'Deal A1 parado há 14 dias', 'deal_stuck:chk-a-deal1');
INSERT INTO import_logs (company_id, integration_id, source, status, records_total, records_created) VALUES
  ('chk-company-a', 'chk-a-int1', 'hubspot', 'SUCCESS', 1, 1);
COMMIT;

BEGIN;
SELECT set_config('app.company_id', 'chk-company-b', true) \g /dev/null
INSERT INTO companies (id, name, slug, currency) VALUES ('chk-company-b', 'Check B Inc', 'chk-company-b', 'USD');
INSERT INTO users (id, email, name, role, status, company_id) VALUES
  ('chk-b-director', 'chk-b-director@example.test', 'B Director', 'DIRECTOR', 'ACTIVE', 'chk-company-b');
INSERT INTO squads (company_id, id, name, type) VALUES ('chk-company-b', 'chk-b-squad1', 'Squad B', 'sales');
INSERT INTO pipeline_stages (company_id, key, name, position, probability, kind) VALUES
  ('chk-company-b', 'prospecting', 'Prospecting', 0, 10, 'OPEN'),
  ('chk-company-b', 'won', 'Won', 1, 100, 'WON');
INSERT INTO leads (company_id, id, name) VALUES ('chk-company-b', 'chk-b-lead1', 'Lead B1');
INSERT INTO deals (company_id, id, title, stage, value, currency, lead_id) VALUES
  ('chk-company-b', 'chk-b-deal1', 'Deal B1', 'prospecting', 999, 'USD', 'chk-b-lead1');
COMMIT;

-- =============================================================================================
-- Session 2: a fresh connection, so app.company_id has never been set (reads as NULL).
-- =============================================================================================
\c

CREATE FUNCTION pg_temp.ok(p_cond boolean, p_label text) RETURNS void LANGUAGE plpgsql AS $f$
BEGIN
  IF p_cond IS NOT TRUE THEN RAISE EXCEPTION 'FAIL %', p_label; END IF;
  RAISE NOTICE 'ok   %', p_label;
END $f$;

CREATE FUNCTION pg_temp.fails(p_sql text, p_state text, p_label text) RETURNS void LANGUAGE plpgsql AS $f$
DECLARE
  caught boolean := false;
BEGIN
  BEGIN
    EXECUTE p_sql;
  EXCEPTION WHEN OTHERS THEN
    IF SQLSTATE = p_state THEN
      caught := true;
    ELSE
      RAISE EXCEPTION 'FAIL %: got SQLSTATE % (%), expected %', p_label, SQLSTATE, SQLERRM, p_state;
    END IF;
  END;
  IF NOT caught THEN RAISE EXCEPTION 'FAIL %: statement succeeded, expected SQLSTATE %', p_label, p_state; END IF;
  RAISE NOTICE 'ok   % (SQLSTATE %)', p_label, p_state;
END $f$;

CREATE FUNCTION pg_temp.rows(p_sql text) RETURNS bigint LANGUAGE plpgsql AS $f$
DECLARE n bigint;
BEGIN
  EXECUTE p_sql;
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END $f$;

CREATE FUNCTION pg_temp.cnt(p_sql text) RETURNS bigint LANGUAGE plpgsql AS $f$
DECLARE n bigint;
BEGIN
  EXECUTE 'SELECT count(*) FROM (' || p_sql || ') s' INTO n;
  RETURN n;
END $f$;

\echo '--- 1. catalog: seed tables and columns, enums, keys, RLS, definer functions'
DO $$
DECLARE
  missing text;
BEGIN
  WITH expected(tbl, cols) AS (VALUES
    ('companies', 'id name slug domain timezone currency features settings created_at updated_at'),
    ('users', 'id email name linkedin password_hash role status avatar_url area company_id last_login_at created_at updated_at security_stamp language'),
    ('squads', 'id name type target_monthly company_id created_at updated_at'),
    ('squad_members', 'id user_id squad_id is_leader joined_at company_id'),
    ('accounts', 'id user_id type provider provider_account_id refresh_token access_token expires_at token_type scope id_token session_state'),
    ('sessions', 'id session_token user_id expires'),
    ('verification_tokens', 'identifier token expires'),
    ('playbooks', 'id name description function methodology version status is_ai_generated content company_id squad_id parent_version_id created_at updated_at'),
    ('integrations', 'id type provider name status encrypted_config settings last_sync_at last_error company_id created_at updated_at'),
    ('leads', 'id external_id name email phone company_name position source status lead_score custom_fields company_id created_at updated_at owner_id'),
    ('deals', 'id external_id title stage probability value currency expected_close_at closed_at custom_fields lead_id company_id created_at updated_at owner_id stage_changed_at'),
    ('conversations', 'id channel duration_seconds user_id lead_id transcript summary playbook_id playbook_score sentiment methodology_scores key_moments suggested_actions notes conversation_date processed_at company_id created_at updated_at'),
    ('bots', 'id name type status playbook_id channels triggers max_messages_per_day delay_between_messages_seconds company_id created_at updated_at'),
    ('bot_logs', 'id bot_id lead_id user_id action channel status message error_message created_at company_id'),
    ('ai_usage', 'id provider model total_tokens prompt_tokens completion_tokens estimated_cost_usd feature period_month company_id created_at'),
    ('audit_logs', 'id user_id action entity_type entity_id changes ip_address user_agent company_id created_at actor actor_label'),
    ('chat_searches', 'id query search_results llm_analysis llm_provider llm_model tokens_used processing_time_ms shared_as_memory user_id company_id created_at'),
    ('okr_periods', 'id company_id label start_date end_date is_current created_at updated_at'),
    ('objectives', 'id company_id period_id title description area status progress owner_id owner_type created_by_id created_at updated_at'),
    ('key_results', 'id objective_id title description current target unit status trend trend_value owner_id due_date linked_metrics created_at updated_at company_id'),
    ('key_result_progress', 'id key_result_id value note recorded_at recorded_by_id source company_id'),
    ('alerts', 'id company_id type priority status title message entity_type entity_id user_id squad_id data dedup_key created_at read_at acknowledged_at acknowledged_by_id'),
    ('import_logs', 'id company_id integration_id source status started_at finished_at records_total records_created records_updated records_failed errors triggered_by_id'),
    ('pipeline_stages', 'company_id id key name position probability kind created_at updated_at')
  ), e AS (
    SELECT tbl, regexp_split_to_table(cols, ' ') AS col FROM expected
  )
  SELECT string_agg(e.tbl || '.' || e.col, ', ') INTO missing
  FROM e
  WHERE NOT EXISTS (SELECT 1 FROM information_schema.columns c
                    WHERE c.table_schema = 'public' AND c.table_name = e.tbl AND c.column_name = e.col);
  PERFORM pg_temp.ok(missing IS NULL, 'every seed table and column (and the additions) exists'
                                      || coalesce(' -- MISSING: ' || missing, ''));

  -- global auth tables (the app has no privilege on them, so information_schema hides them: pg_attribute)
  WITH expected(tbl, cols) AS (VALUES
    ('login_failures', 'id kind key failed_at'),
    ('staff_audit_logs', 'id user_id action entity_type entity_id company_id changes ip_address user_agent created_at')
  ), e AS (
    SELECT tbl, regexp_split_to_table(cols, ' ') AS col FROM expected
  )
  SELECT string_agg(e.tbl || '.' || e.col, ', ') INTO missing
  FROM e
  WHERE NOT EXISTS (SELECT 1 FROM pg_attribute a
                    WHERE a.attrelid = to_regclass('public.' || e.tbl) AND a.attname = e.col AND NOT a.attisdropped);
  PERFORM pg_temp.ok(missing IS NULL, 'login_failures / staff_audit_logs and their columns exist'
                                      || coalesce(' -- MISSING: ' || missing, ''));
END $$;

DO $$
DECLARE
  bad text;
BEGIN
  WITH expected(typ, labels) AS (VALUES
    ('user_role', 'ADMIN DIRECTOR MANAGER AGENT'),
    ('user_status', 'ACTIVE INACTIVE INVITED'),
    ('user_area', 'SALES MARKETING CX_CS GTM'),
    ('playbook_function', 'PRE_SALES SALES CS'),
    ('playbook_status', 'ACTIVE INACTIVE DRAFT'),
    ('integration_type', 'CRM WHATSAPP EMAIL PHONE VIDEO AI'),
    ('integration_provider', 'ZOHO HUBSPOT SALESFORCE PIPEDRIVE CUSTOM_API WHATSAPP_OFFICIAL WHATSAPP_UNOFFICIAL TWILIO SMTP GOOGLE_MEET ZOOM OPENAI ANTHROPIC GEMINI'),
    ('integration_status', 'ACTIVE INACTIVE ERROR PENDING'),
    ('conversation_channel', 'CALL WHATSAPP EMAIL VIDEO'),
    ('conversation_sentiment', 'POSITIVE NEUTRAL NEGATIVE'),
    ('bot_type', 'SDR CLOSER FOLLOW_UP CS'),
    ('bot_status', 'ACTIVE INACTIVE'),
    ('bot_log_status', 'SUCCESS FAILED PENDING'),
    ('alert_type', 'IMPORT_FAILED BOT_ERROR AI_RATE_LIMIT LOW_PLAYBOOK_ADHERENCE DEAL_STUCK CONVERSION_DROP TARGET_RISK'),
    ('alert_priority', 'LOW MEDIUM HIGH CRITICAL'),
    ('alert_status', 'UNREAD READ ACKNOWLEDGED'),
    ('import_status', 'SUCCESS FAILED PARTIAL RUNNING'),
    ('okr_area', 'REVENUE SALES MARKETING PRESALES CS'),
    ('okr_status', 'DRAFT ACTIVE ACHIEVED MISSED CANCELLED'),
    ('key_result_status', 'ON_TRACK AT_RISK BEHIND ACHIEVED'),
    ('key_result_unit', 'CURRENCY PERCENTAGE NUMBER HOURS DAYS'),
    ('goal_target_type', 'USER SQUAD'),
    ('audit_actor', 'USER STAFF SYSTEM INTEGRATION'),
    ('stage_kind', 'OPEN WON LOST')
  )
  SELECT string_agg(x.typ, ', ') INTO bad
  FROM expected x
  WHERE x.labels IS DISTINCT FROM (
    SELECT string_agg(en.enumlabel, ' ' ORDER BY en.enumsortorder)
    FROM pg_enum en JOIN pg_type t ON t.oid = en.enumtypid
    JOIN pg_namespace n ON n.oid = t.typnamespace
    WHERE n.nspname = 'public' AND t.typname = x.typ);
  PERFORM pg_temp.ok(bad IS NULL, 'every enum type has exactly the seed values' || coalesce(' -- WRONG: ' || bad, ''));
END $$;

DO $$
DECLARE
  bad text;
BEGIN
  -- (sqlx's own _sqlx_migrations is not an app table: the app has no privilege on it)
  SELECT string_agg(c.relname, ', ') INTO bad
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relname <> '_sqlx_migrations'
    AND NOT (c.relrowsecurity AND c.relforcerowsecurity);
  PERFORM pg_temp.ok(bad IS NULL, 'every table in public has ENABLE + FORCE row level security' || coalesce(' -- NOT: ' || bad, ''));

  -- tenant tables: company_id NOT NULL, primary key (company_id, id), a FOR ALL policy for the app
  SELECT string_agg(c.relname, ', ') INTO bad
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = 'public' AND c.relkind = 'r'
    AND c.relname NOT IN ('companies', 'users', 'accounts', 'sessions', 'verification_tokens', '_sqlx_migrations',
                          'login_failures', 'staff_audit_logs')
    AND NOT (
      EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'company_id' AND a.attnotnull)
      AND EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conrelid = c.oid AND k.contype = 'p'
                  AND pg_get_constraintdef(k.oid) = 'PRIMARY KEY (company_id, id)')
      AND EXISTS (SELECT 1 FROM pg_policies p WHERE p.schemaname = 'public' AND p.tablename = c.relname
                  AND p.cmd = 'ALL' AND p.roles = '{performancy_app}'
                  AND p.qual = '(company_id = app_current_company_id())'
                  AND p.with_check = '(company_id = app_current_company_id())'));
  PERFORM pg_temp.ok(bad IS NULL, 'every tenant table: company_id NOT NULL, PRIMARY KEY (company_id, id), tenant policy'
                                  || coalesce(' -- NOT: ' || bad, ''));

  -- every index and unique key of a tenant table leads with company_id
  SELECT string_agg(i.indexrelid::regclass::text, ', ') INTO bad
  FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = 'public'
    AND c.relname NOT IN ('companies', 'users', 'accounts', 'sessions', 'verification_tokens', '_sqlx_migrations',
                          'login_failures', 'staff_audit_logs')
    AND i.indkey[0] <> (SELECT a.attnum FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'company_id')
    -- single-column indexes on the simple users(id) actor references exist only for FK deletes
    AND NOT (i.indnatts = 1 AND (SELECT a.attname FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum = i.indkey[0])
                               IN ('user_id', 'created_by_id', 'recorded_by_id', 'acknowledged_by_id', 'triggered_by_id'));
  PERFORM pg_temp.ok(bad IS NULL, 'every tenant index / unique key leads with company_id (except FK-side indexes on staff actor columns)'
                                  || coalesce(' -- NOT: ' || bad, ''));

  -- no policy at all on the identity tables (deny all to the app)
  PERFORM pg_temp.ok(NOT EXISTS (SELECT 1 FROM pg_policies WHERE schemaname = 'public'
                                 AND tablename IN ('accounts', 'sessions', 'verification_tokens')),
                     'accounts / sessions / verification_tokens have no policy (deny all)');
  -- global auth tables: no policy and no privilege at all for the app (definer functions only)
  PERFORM pg_temp.ok(NOT EXISTS (SELECT 1 FROM pg_policies WHERE schemaname = 'public'
                                 AND tablename IN ('login_failures', 'staff_audit_logs'))
                     AND NOT has_table_privilege('performancy_app', 'public.login_failures', 'SELECT, INSERT, UPDATE, DELETE')
                     AND NOT has_table_privilege('performancy_app', 'public.staff_audit_logs', 'SELECT, INSERT, UPDATE, DELETE'),
                     'login_failures / staff_audit_logs: no policy, no privilege for the app');

  -- SECURITY DEFINER functions: owner, fixed search_path, EXECUTE only for the app
  SELECT string_agg(p.oid::regprocedure::text, ', ') INTO bad
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
  WHERE n.nspname = 'public' AND p.prosecdef
    AND NOT (pg_get_userbyid(p.proowner) = 'performancy_definer'
             AND p.proconfig @> ARRAY['search_path=pg_catalog, public']
             AND NOT has_function_privilege('public', p.oid, 'EXECUTE')
             AND has_function_privilege('performancy_app', p.oid, 'EXECUTE'));
  PERFORM pg_temp.ok(bad IS NULL, 'definer functions: owned by performancy_definer, fixed search_path, EXECUTE revoked from PUBLIC'
                                  || coalesce(' -- NOT: ' || bad, ''));
  PERFORM pg_temp.ok((SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                      WHERE n.nspname = 'public' AND p.prosecdef) = 22, 'exactly 22 SECURITY DEFINER functions');
  PERFORM pg_temp.ok(NOT has_schema_privilege('performancy_app', 'public', 'CREATE')
                     AND NOT has_schema_privilege('performancy_definer', 'public', 'CREATE'),
                     'neither the app nor the definer role may create objects in public');
  PERFORM pg_temp.ok(to_regclass('public._sqlx_migrations') IS NULL
                     OR NOT has_table_privilege('performancy_app', 'public._sqlx_migrations', 'SELECT, INSERT, UPDATE, DELETE'),
                     'the app role has no privilege on _sqlx_migrations');
  PERFORM pg_temp.ok(has_table_privilege('performancy_app', 'tower_sessions.session', 'SELECT, INSERT, UPDATE, DELETE')
                     AND NOT (SELECT relrowsecurity FROM pg_class WHERE oid = 'tower_sessions.session'::regclass),
                     'tower_sessions.session: granted to the app, no RLS');
  PERFORM pg_temp.ok(performancy_id() ~ '^c[0-9a-z]{24}$', 'performancy_id() is cuid-shaped');
  PERFORM pg_temp.ok(immutable_unaccent('Negociação Ágil') = 'Negociacao Agil', 'immutable_unaccent works');
END $$;

\echo '--- 2. no tenant (app.company_id never set / empty)'
BEGIN;
DO $$
BEGIN
  PERFORM pg_temp.ok(current_setting('app.company_id', true) IS NULL AND app_current_company_id() IS NULL,
                     'fresh session: app.company_id unset, app_current_company_id() is NULL');
  PERFORM pg_temp.ok(pg_temp.cnt('SELECT 1 FROM leads') = 0, 'no tenant (NULL): SELECT leads returns 0 rows');
  PERFORM pg_temp.ok(pg_temp.cnt('SELECT 1 FROM companies') = 0
                     AND pg_temp.cnt('SELECT 1 FROM users') = 0
                     AND pg_temp.cnt('SELECT 1 FROM deals') = 0, 'no tenant (NULL): companies, users, deals return 0 rows');
  PERFORM pg_temp.fails($q$INSERT INTO leads (company_id, name) VALUES ('chk-company-a', 'x')$q$, '42501',
                        'no tenant (NULL): INSERT into leads refused');
  PERFORM pg_temp.ok(pg_temp.rows($q$UPDATE leads SET name = 'x'$q$) = 0, 'no tenant (NULL): UPDATE leads touches 0 rows');
  PERFORM pg_temp.ok(pg_temp.rows($q$DELETE FROM deals$q$) = 0, 'no tenant (NULL): DELETE deals touches 0 rows');

  PERFORM set_config('app.company_id', '', true);
  PERFORM pg_temp.ok(app_current_company_id() IS NULL, 'empty app.company_id reads as no tenant');
  PERFORM pg_temp.ok(pg_temp.cnt('SELECT 1 FROM leads') = 0 AND pg_temp.cnt('SELECT 1 FROM companies') = 0,
                     'no tenant (''''): SELECT leads / companies returns 0 rows');
  PERFORM pg_temp.fails($q$INSERT INTO leads (company_id, name) VALUES ('chk-company-a', 'x')$q$, '42501',
                        'no tenant (''''): INSERT into leads refused');
  PERFORM pg_temp.fails($q$INSERT INTO leads (company_id, name) VALUES ('', 'x')$q$, '42501',
                        'no tenant (''''): INSERT with company_id '''' refused');
END $$;
ROLLBACK;

\echo '--- 3. tenant A'
BEGIN;
SELECT set_config('app.company_id', 'chk-company-a', true) \g /dev/null
DO $$
DECLARE
  t text;
  leaked text := '';
  n bigint;
BEGIN
  PERFORM pg_temp.ok(pg_temp.cnt('SELECT 1 FROM companies') = 1
                     AND (SELECT id FROM companies) = 'chk-company-a', 'tenant A: sees exactly its own company');
  FOR t IN SELECT c.relname FROM pg_class c JOIN pg_namespace ns ON ns.oid = c.relnamespace
           WHERE ns.nspname = 'public' AND c.relkind = 'r'
             AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'company_id')
             AND c.relname <> 'staff_audit_logs'  -- global, not granted to the app
  LOOP
    EXECUTE format('SELECT count(*) FROM public.%I WHERE company_id IS DISTINCT FROM %L', t, 'chk-company-a') INTO n;
    IF n > 0 THEN leaked := leaked || t || ' '; END IF;
  END LOOP;
  PERFORM pg_temp.ok(leaked = '', 'tenant A: no row of another company (or staff) visible in any tenant table' || leaked);
  PERFORM pg_temp.ok(pg_temp.cnt('SELECT 1 FROM leads') = 1 AND pg_temp.cnt('SELECT 1 FROM deals') = 1
                     AND pg_temp.cnt('SELECT 1 FROM users') = 4 AND pg_temp.cnt('SELECT 1 FROM pipeline_stages') = 6,
                     'tenant A: sees its own leads (1), deals (1), users (4), stages (6)');
  PERFORM pg_temp.ok(pg_temp.cnt($q$SELECT 1 FROM leads WHERE id = 'chk-b-lead1'$q$) = 0, 'tenant A: B''s lead by id is not found');

  PERFORM pg_temp.fails($q$INSERT INTO leads (company_id, name) VALUES ('chk-company-b', 'intruder')$q$, '42501',
                        'tenant A: INSERT a lead into B refused');
  PERFORM pg_temp.fails($q$INSERT INTO companies (id, name, slug) VALUES ('chk-company-c', 'C', 'chk-company-c')$q$, '42501',
                        'tenant A: INSERT another company refused');
  PERFORM pg_temp.fails($q$INSERT INTO users (email, name, role, company_id) VALUES ('x@b.test', 'x', 'AGENT', 'chk-company-b')$q$, '42501',
                        'tenant A: INSERT a user into B refused');
  PERFORM pg_temp.ok(pg_temp.rows($q$UPDATE leads SET name = 'hacked' WHERE id = 'chk-b-lead1'$q$) = 0,
                     'tenant A: UPDATE B''s lead touches 0 rows');
  PERFORM pg_temp.ok(pg_temp.rows($q$UPDATE companies SET name = 'hacked' WHERE id = 'chk-company-b'$q$) = 0,
                     'tenant A: UPDATE company B touches 0 rows');
  PERFORM pg_temp.ok(pg_temp.rows($q$DELETE FROM deals WHERE company_id = 'chk-company-b'$q$) = 0,
                     'tenant A: DELETE B''s deals touches 0 rows');
  PERFORM pg_temp.fails($q$UPDATE leads SET company_id = 'chk-company-b' WHERE id = 'chk-a-lead1'$q$, '42501',
                        'tenant A: moving its lead into B refused');

  -- composite foreign keys
  PERFORM pg_temp.fails($q$INSERT INTO deals (company_id, title, stage, value, lead_id)
                           VALUES ('chk-company-a', 'cross', 'proposal', 1, 'chk-b-lead1')$q$, '23503',
                        'composite FK: deal in A pointing at B''s lead refused');
  PERFORM pg_temp.fails($q$INSERT INTO deals (company_id, title, stage, value, lead_id, owner_id)
                           VALUES ('chk-company-a', 'cross', 'proposal', 1, 'chk-a-lead1', 'chk-b-director')$q$, '23503',
                        'composite FK: deal in A owned by B''s user refused');
  PERFORM pg_temp.fails($q$INSERT INTO deals (company_id, title, stage, value, lead_id)
                           VALUES ('chk-company-a', 'bad stage', 'no-such-stage', 1, 'chk-a-lead1')$q$, '23503',
                        'composite FK: deal with a stage key A does not have refused');
  PERFORM pg_temp.fails($q$INSERT INTO squad_members (company_id, user_id, squad_id)
                           VALUES ('chk-company-a', 'chk-b-director', 'chk-a-squad1')$q$, '23503',
                        'composite FK: squad member of A that is B''s user refused');
  PERFORM pg_temp.fails($q$INSERT INTO objectives (company_id, period_id, title, area, owner_id, owner_type, created_by_id)
                           VALUES ('chk-company-a', 'chk-a-q4', 'x', 'SALES', 'chk-b-squad1', 'SQUAD', 'chk-a-director')$q$, '23503',
                        'composite FK: objective of A owned by B''s squad refused');
  PERFORM pg_temp.fails($q$INSERT INTO objectives (company_id, period_id, title, area, owner_id, owner_type, created_by_id)
                           VALUES ('chk-company-a', 'chk-a-q4', 'x', 'SALES', 'chk-a-squad1', 'USER', 'chk-a-director')$q$, '23503',
                        'objective owner_type USER with a squad id refused');

  -- identity tables: deny all
  PERFORM pg_temp.ok(pg_temp.cnt('SELECT 1 FROM accounts') + pg_temp.cnt('SELECT 1 FROM sessions')
                     + pg_temp.cnt('SELECT 1 FROM verification_tokens') = 0, 'identity tables: SELECT returns nothing');
  PERFORM pg_temp.fails($q$INSERT INTO sessions (session_token, user_id, expires) VALUES ('t', 'chk-a-agent', now())$q$, '42501',
                        'identity tables: INSERT into sessions refused');
  PERFORM pg_temp.fails($q$INSERT INTO accounts (user_id, type, provider, provider_account_id) VALUES ('chk-a-agent', 'oauth', 'google', '1')$q$, '42501',
                        'identity tables: INSERT into accounts refused');
  PERFORM pg_temp.fails($q$INSERT INTO verification_tokens (identifier, token, expires) VALUES ('a', 'b', now())$q$, '42501',
                        'identity tables: INSERT into verification_tokens refused');

  -- constraints
  PERFORM pg_temp.fails($q$INSERT INTO users (email, name, role, company_id) VALUES ('adm@a.test', 'x', 'ADMIN', 'chk-company-a')$q$, '23514',
                        'users: ADMIN with a company refused');
  PERFORM pg_temp.fails($q$INSERT INTO users (email, name, role, company_id) VALUES ('CHK-A-DIRECTOR@example.TEST', 'x', 'AGENT', 'chk-company-a')$q$, '23505',
                        'users: e-mail unique case-insensitively');
  PERFORM pg_temp.fails($q$UPDATE deals SET probability = 150 WHERE id = 'chk-a-deal1'$q$, '23514', 'deals: probability > 100 refused');
  PERFORM pg_temp.fails($q$UPDATE deals SET value = -1 WHERE id = 'chk-a-deal1'$q$, '23514', 'deals: negative value refused');
  PERFORM pg_temp.fails($q$UPDATE companies SET slug = 'Bad Slug'$q$, '23514', 'companies: slug format enforced');
  PERFORM pg_temp.fails($q$UPDATE companies SET currency = 'brl'$q$, '23514', 'companies: currency format enforced');
  PERFORM pg_temp.fails($q$UPDATE objectives SET progress = 101 WHERE id = 'chk-a-obj1'$q$, '23514', 'objectives: progress 0..100 enforced');
  PERFORM pg_temp.fails($q$UPDATE bots SET max_messages_per_day = -1$q$, '23514', 'bots: max_messages_per_day >= 0 enforced');
  PERFORM pg_temp.fails($q$INSERT INTO audit_logs (company_id, actor, action, entity_type, entity_id) VALUES ('chk-company-a', 'SYSTEM', 'X', 'x', 'x')$q$, '23514',
                        'audit_logs: a SYSTEM actor must name itself (actor_label)');

  -- updated_at trigger works under RLS
  UPDATE leads SET name = 'Lead A1 renamed', updated_at = '2000-01-01' WHERE id = 'chk-a-lead1';
  PERFORM pg_temp.ok((SELECT updated_at FROM leads WHERE id = 'chk-a-lead1') = now(), 'updated_at trigger sets now() on UPDATE');

  -- stage key rename cascades into deals.stage
  UPDATE pipeline_stages SET key = 'proposal-sent' WHERE key = 'proposal';
  PERFORM pg_temp.ok((SELECT stage FROM deals WHERE id = 'chk-a-deal1') = 'proposal-sent', 'stage key rename cascades to deals.stage');
  PERFORM pg_temp.fails($q$DELETE FROM pipeline_stages WHERE key = 'proposal-sent'$q$, '23503', 'a stage with deals cannot be deleted');

  -- deferred position uniqueness: swapping two positions works in one transaction
  UPDATE pipeline_stages SET position = CASE key WHEN 'prospecting' THEN 1 ELSE 0 END
   WHERE key IN ('prospecting', 'qualification');
  SET CONSTRAINTS ALL IMMEDIATE;
  PERFORM pg_temp.ok((SELECT position FROM pipeline_stages WHERE key = 'qualification') = 0, 'stage positions swapped (deferred unique)');
  PERFORM pg_temp.fails($q$UPDATE pipeline_stages SET position = 5 WHERE key = 'prospecting'$q$, '23505', 'duplicate stage position refused');
  PERFORM pg_temp.fails($q$UPDATE pipeline_stages SET kind = 'WON' WHERE key = 'negotiation'$q$, '23P01', 'a second WON stage refused');
  PERFORM pg_temp.fails($q$UPDATE pipeline_stages SET kind = 'LOST' WHERE key = 'negotiation'$q$, '23P01', 'a second LOST stage refused');
  PERFORM pg_temp.fails($q$UPDATE okr_periods SET is_current = true WHERE id = 'chk-a-q1'$q$, '23P01', 'a second current OKR period refused');
  UPDATE okr_periods SET is_current = (id = 'chk-a-q1');
  PERFORM pg_temp.ok((SELECT id FROM okr_periods WHERE is_current) = 'chk-a-q1', 'current OKR period switched in one UPDATE');

  -- alert de-duplication while open
  PERFORM pg_temp.fails($q$INSERT INTO alerts (company_id, type, title, message, dedup_key)
                           VALUES ('chk-company-a', 'DEAL_STUCK', 't', 'm', 'deal_stuck:chk-a-deal1')$q$, '23505',
                        'alerts: a second open alert with the same dedup_key refused');
  PERFORM pg_temp.ok(pg_temp.rows($q$INSERT INTO alerts (company_id, type, title, message, dedup_key)
                                    VALUES ('chk-company-a', 'DEAL_STUCK', 't', 'm', 'deal_stuck:chk-a-deal1')
                                    ON CONFLICT (company_id, dedup_key) WHERE status <> 'ACKNOWLEDGED' DO NOTHING$q$) = 0,
                     'alerts: ON CONFLICT ... DO NOTHING skips the duplicate');
  UPDATE alerts SET status = 'ACKNOWLEDGED', acknowledged_at = now(), acknowledged_by_id = 'chk-a-director' WHERE id = 'chk-a-alert1';
  INSERT INTO alerts (company_id, type, title, message, dedup_key)
  VALUES ('chk-company-a', 'DEAL_STUCK', 't', 'm', 'deal_stuck:chk-a-deal1');
  PERFORM pg_temp.ok(true, 'alerts: the rule may raise again once the first is acknowledged');
END $$;
ROLLBACK;

\echo '--- 4. lookup functions as performancy_app (no tenant set)'
BEGIN;
DO $$
DECLARE
  staff_id text;
  r record;
BEGIN
  PERFORM pg_temp.ok(app_current_company_id() IS NULL, 'no tenant set');
  SELECT * INTO r FROM lookup_company_by_slug('chk-company-a');
  PERFORM pg_temp.ok(r.id = 'chk-company-a' AND r.currency = 'BRL' AND r.timezone = 'America/Sao_Paulo'
                     AND (r.features ->> 'ranking_visibility') = 'false',
                     'lookup_company_by_slug finds A with its defaults');
  PERFORM pg_temp.ok(pg_temp.cnt($q$SELECT * FROM lookup_company_by_slug('no-such-company')$q$) = 0, 'lookup_company_by_slug: unknown slug, 0 rows');

  SELECT * INTO r FROM lookup_user_for_sign_in('  chk-a-AGENT@example.TEST ');
  PERFORM pg_temp.ok(r.id = 'chk-a-agent' AND r.company_id = 'chk-company-a' AND r.role = 'AGENT' AND r.status = 'ACTIVE'
                     AND r.language = 'pt-BR' AND r.security_stamp ~ '^c[0-9a-z]{24}$',
                     'lookup_user_for_sign_in: case-insensitive e-mail');
  PERFORM pg_temp.ok(pg_temp.cnt($q$SELECT * FROM lookup_user_for_sign_in('nobody@example.test')$q$) = 0, 'lookup_user_for_sign_in: unknown e-mail, 0 rows');

  SELECT * INTO r FROM lookup_session_user('chk-b-director');
  PERFORM pg_temp.ok(r.email = 'chk-b-director@example.test' AND r.company_id = 'chk-company-b' AND r.role = 'DIRECTOR',
                     'lookup_session_user returns the user');

  SELECT * INTO r FROM lookup_membership('chk-a-agent', 'chk-company-a');
  PERFORM pg_temp.ok(r.company_id = 'chk-company-a' AND r.company_name = 'Check A Ltda' AND r.role = 'AGENT'
                     AND r.led_squad_ids = '{}' AND r.member_squad_ids = '{chk-a-squad1,chk-a-squad2}',
                     'lookup_membership: agent of A, member squads');
  SELECT * INTO r FROM lookup_membership('chk-a-manager', 'chk-company-a');
  PERFORM pg_temp.ok(r.role = 'MANAGER' AND r.led_squad_ids = '{chk-a-squad1}' AND r.member_squad_ids = '{chk-a-squad1}',
                     'lookup_membership: manager of A, led squads');
  PERFORM pg_temp.ok(pg_temp.cnt($q$SELECT * FROM lookup_membership('chk-a-agent', 'chk-company-b')$q$) = 0,
                     'lookup_membership: A''s agent on B''s slug, 0 rows');
  PERFORM pg_temp.ok(pg_temp.cnt($q$SELECT * FROM lookup_membership('chk-a-inactive', 'chk-company-a')$q$) = 0,
                     'lookup_membership: INACTIVE user, 0 rows');
  PERFORM pg_temp.ok(pg_temp.cnt($q$SELECT * FROM lookup_membership('chk-a-agent', 'no-such-company')$q$) = 0,
                     'lookup_membership: unknown slug, 0 rows');

  staff_id := create_staff_user('chk-staff@example.test', 'Staff Check', '$argon2id$v=19$m=19456,t=2,p=1$x$y');
  PERFORM pg_temp.ok(staff_id ~ '^c[0-9a-z]{24}$', 'create_staff_user returns a new id');
  SELECT * INTO r FROM lookup_user_for_sign_in('CHK-STAFF@example.test');
  PERFORM pg_temp.ok(r.id = staff_id AND r.role = 'ADMIN' AND r.company_id IS NULL AND r.status = 'ACTIVE',
                     'staff user: ADMIN, no company, ACTIVE');
  SELECT * INTO r FROM lookup_membership(staff_id, 'chk-company-b');
  PERFORM pg_temp.ok(r.company_id = 'chk-company-b' AND r.role = 'ADMIN' AND r.led_squad_ids = '{}',
                     'lookup_membership: staff may enter any company as ADMIN');
  PERFORM pg_temp.fails($q$SELECT create_staff_user('CHK-STAFF@EXAMPLE.TEST', 'dup', NULL)$q$, '23505',
                        'create_staff_user: duplicate e-mail refused');
  PERFORM pg_temp.ok(pg_temp.cnt('SELECT 1 FROM users') = 0, 'staff row invisible to a tenant-less SELECT on users');
  PERFORM set_config('app.company_id', 'chk-company-a', true);
  PERFORM pg_temp.ok(pg_temp.cnt(format('SELECT 1 FROM users WHERE id = %L', staff_id)) = 0, 'staff row invisible inside tenant A');
  PERFORM set_config('app.company_id', '', true);

  PERFORM pg_temp.ok((SELECT user_count FROM staff_list_companies() WHERE id = 'chk-company-a') = 4
                     AND (SELECT user_count FROM staff_list_companies() WHERE id = 'chk-company-b') = 1,
                     'staff_list_companies lists A (4 users) and B (1 user)');

END $$;
ROLLBACK;

\echo '--- 5. auth / staff functions of 20261127000004_auth.sql as performancy_app (no tenant set)'
BEGIN;
DO $$
DECLARE
  r record;
  s1 text;
  s2 text;
  staff_id text;
  audit_id text;
  i int;
BEGIN
  -- the global auth tables are out of the app's reach
  PERFORM pg_temp.fails('SELECT 1 FROM login_failures', '42501', 'login_failures: app SELECT refused');
  PERFORM pg_temp.fails($q$INSERT INTO login_failures (kind, key) VALUES ('email', 'x')$q$, '42501', 'login_failures: app INSERT refused');
  PERFORM pg_temp.fails('SELECT 1 FROM staff_audit_logs', '42501', 'staff_audit_logs: app SELECT refused');

  -- throttling (one transaction: every failure is at now(), so retry_after = the whole window)
  SELECT * INTO r FROM auth_throttle_status('chk-thr@example.test', '192.0.2.1', 900, 5, 20);
  PERFORM pg_temp.ok(r.blocked = false AND r.retry_after_seconds = 0, 'throttle: no failures, not blocked, retry 0');
  FOR i IN 1..4 LOOP
    PERFORM auth_record_failure('chk-thr@example.test', '192.0.2.1');
  END LOOP;
  SELECT * INTO r FROM auth_throttle_status(' CHK-Thr@Example.test ', '192.0.2.1', 900, 5, 20);
  PERFORM pg_temp.ok(NOT r.blocked, 'throttle: 4 e-mail failures, not blocked');
  PERFORM auth_record_failure(' CHK-THR@example.test', '192.0.2.1');
  SELECT * INTO r FROM auth_throttle_status('chk-thr@example.test', '192.0.2.1', 900, 5, 20);
  PERFORM pg_temp.ok(r.blocked AND r.retry_after_seconds = 900, 'throttle: 5 e-mail failures (any case) block, retry 900 s');
  SELECT * INTO r FROM auth_throttle_status('chk-thr@example.test', NULL, 900, 5, 20);
  PERFORM pg_temp.ok(r.blocked, 'throttle: e-mail blocked without a client address too');
  SELECT * INTO r FROM auth_throttle_status('chk-thr2@example.test', '192.0.2.1', 900, 5, 20);
  PERFORM pg_temp.ok(NOT r.blocked, 'throttle: another e-mail from that address (5 < 20) not blocked');
  PERFORM auth_clear_email_failures('Chk-Thr@example.test');
  SELECT * INTO r FROM auth_throttle_status('chk-thr@example.test', '192.0.2.99', 900, 5, 20);
  PERFORM pg_temp.ok(NOT r.blocked, 'throttle: auth_clear_email_failures unblocks the e-mail');
  FOR i IN 1..15 LOOP
    PERFORM auth_record_failure(format('chk-thr-ip%s@example.test', i), '192.0.2.1');
  END LOOP;
  SELECT * INTO r FROM auth_throttle_status('chk-fresh@example.test', '192.0.2.1', 900, 5, 20);
  PERFORM pg_temp.ok(r.blocked AND r.retry_after_seconds = 900, 'throttle: 20 address failures block a fresh e-mail from it');
  SELECT * INTO r FROM auth_throttle_status('chk-fresh@example.test', '192.0.2.2', 900, 5, 20);
  PERFORM pg_temp.ok(NOT r.blocked, 'throttle: the fresh e-mail from another address is not blocked');
  PERFORM pg_temp.ok(pg_temp.cnt($q$SELECT * FROM auth_throttle_status('chk-fresh@example.test', '192.0.2.1', 900, 5, 20)$q$) = 1
                     AND pg_temp.cnt($q$SELECT * FROM auth_throttle_status('nobody@example.test', NULL, 900, 5, 20)$q$) = 1,
                     'throttle: always exactly one row');

  -- credentials
  SELECT security_stamp INTO s1 FROM lookup_session_user('chk-a-agent');
  PERFORM auth_record_sign_in('chk-a-agent', NULL);
  PERFORM auth_record_sign_in('chk-a-agent', '$argon2id$rehash');
  SELECT * INTO r FROM lookup_user_for_sign_in('chk-a-agent@example.test');
  PERFORM pg_temp.ok(r.password_hash = '$argon2id$rehash' AND r.security_stamp = s1,
                     'auth_record_sign_in: re-hash stored, security stamp kept');
  PERFORM set_config('app.company_id', 'chk-company-a', true);
  PERFORM pg_temp.ok((SELECT last_login_at FROM users WHERE id = 'chk-a-agent') = now(), 'auth_record_sign_in: last_login_at = now()');
  PERFORM set_config('app.company_id', '', true);
  s2 := auth_set_password('chk-a-agent', '$argon2id$new');
  SELECT * INTO r FROM lookup_user_for_sign_in('chk-a-agent@example.test');
  PERFORM pg_temp.ok(r.password_hash = '$argon2id$new' AND r.security_stamp = s2 AND s2 <> s1 AND s2 ~ '^c[0-9a-z]{24}$',
                     'auth_set_password: hash set, stamp rotated and returned');
  s1 := auth_rotate_security_stamp('chk-a-agent');
  PERFORM pg_temp.ok(s1 <> s2 AND (SELECT security_stamp FROM lookup_session_user('chk-a-agent')) = s1,
                     'auth_rotate_security_stamp: new stamp returned and stored');
  PERFORM auth_set_language('chk-a-agent', 'en');
  PERFORM pg_temp.ok((SELECT language FROM lookup_session_user('chk-a-agent')) = 'en', 'auth_set_language sets the language');
  PERFORM pg_temp.fails($q$SELECT auth_set_language('chk-a-agent', 'xx')$q$, '23514', 'auth_set_language: unknown language refused');
  SELECT * INTO r FROM lookup_user_for_reset('  CHK-A-Inactive@example.TEST ');
  PERFORM pg_temp.ok(r.id = 'chk-a-inactive' AND r.status = 'INACTIVE' AND r.name = 'A Gone' AND r.language = 'pt-BR',
                     'lookup_user_for_reset: case-insensitive, returns status');

  -- invitation tokens
  PERFORM set_config('app.company_id', 'chk-company-a', true);
  INSERT INTO users (id, email, name, role, status, company_id)
  VALUES ('chk-a-invited', 'chk-a-invited@example.test', 'A Invited', 'AGENT', 'INVITED', 'chk-company-a');
  PERFORM set_config('app.company_id', '', true);
  PERFORM auth_store_token('invite:chk-a-invited', 'chk-hash-inv1', now() + interval '7 days');
  PERFORM auth_store_token('invite:chk-a-invited', 'chk-hash-inv2', now() + interval '7 days');
  PERFORM pg_temp.ok(pg_temp.cnt($q$SELECT * FROM auth_peek_token('chk-hash-inv1')$q$) = 0
                     AND (SELECT identifier FROM auth_peek_token('chk-hash-inv2')) = 'invite:chk-a-invited',
                     'auth_store_token: a new link replaces the previous one; auth_peek_token finds it');
  PERFORM pg_temp.ok(pg_temp.cnt('SELECT 1 FROM verification_tokens') = 0, 'verification_tokens: invisible to the app');
  PERFORM pg_temp.ok(pg_temp.cnt($q$SELECT * FROM auth_accept_invitation('chk-hash-inv1', 'h')$q$) = 0,
                     'auth_accept_invitation: replaced link refused');
  SELECT * INTO r FROM auth_accept_invitation('chk-hash-inv2', '$argon2id$inv');
  PERFORM pg_temp.ok(r.user_id = 'chk-a-invited' AND r.company_slug = 'chk-company-a' AND r.email = 'chk-a-invited@example.test',
                     'auth_accept_invitation: returns user, company slug, e-mail');
  SELECT * INTO r FROM lookup_user_for_sign_in('chk-a-invited@example.test');
  PERFORM pg_temp.ok(r.status = 'ACTIVE' AND r.password_hash = '$argon2id$inv', 'auth_accept_invitation: user ACTIVE with the password');
  PERFORM pg_temp.ok(pg_temp.cnt($q$SELECT * FROM auth_accept_invitation('chk-hash-inv2', 'h')$q$) = 0
                     AND pg_temp.cnt($q$SELECT * FROM auth_peek_token('chk-hash-inv2')$q$) = 0,
                     'auth_accept_invitation: second use of the link, 0 rows');

  -- reset tokens
  PERFORM auth_store_token('reset:chk-a-agent', 'chk-hash-exp', now() - interval '1 minute');
  PERFORM pg_temp.ok(pg_temp.cnt($q$SELECT * FROM auth_peek_token('chk-hash-exp')$q$) = 0
                     AND pg_temp.cnt($q$SELECT * FROM auth_reset_password('chk-hash-exp', 'h')$q$) = 0,
                     'expired token: not peeked, reset refused');
  PERFORM auth_store_token('reset:chk-a-agent', 'chk-hash-rst', now() + interval '1 hour');
  PERFORM pg_temp.ok(pg_temp.cnt($q$SELECT * FROM auth_accept_invitation('chk-hash-rst', 'h')$q$) = 0
                     AND pg_temp.cnt($q$SELECT * FROM auth_peek_token('chk-hash-rst')$q$) = 1,
                     'a reset token does not accept an invitation (and is not consumed)');
  s1 := (SELECT security_stamp FROM lookup_session_user('chk-a-agent'));
  SELECT * INTO r FROM auth_reset_password('chk-hash-rst', '$argon2id$rst');
  PERFORM pg_temp.ok(r.user_id = 'chk-a-agent' AND r.email = 'Chk-A-Agent@Example.test', 'auth_reset_password: returns user and e-mail');
  SELECT * INTO r FROM lookup_user_for_sign_in('chk-a-agent@example.test');
  PERFORM pg_temp.ok(r.password_hash = '$argon2id$rst' AND r.security_stamp <> s1, 'auth_reset_password: password set, stamp rotated');
  PERFORM pg_temp.ok(pg_temp.cnt($q$SELECT * FROM auth_reset_password('chk-hash-rst', 'h')$q$) = 0,
                     'auth_reset_password: second use, 0 rows');
  PERFORM auth_store_token('reset:chk-a-inactive', 'chk-hash-ina', now() + interval '1 hour');
  PERFORM pg_temp.ok(pg_temp.cnt($q$SELECT * FROM auth_reset_password('chk-hash-ina', 'h')$q$) = 0,
                     'auth_reset_password: INACTIVE user refused');
  PERFORM set_config('app.company_id', 'chk-company-a', true);
  INSERT INTO users (id, email, name, role, status, company_id)
  VALUES ('chk-a-invited2', 'chk-a-invited2@example.test', 'A Invited 2', 'AGENT', 'INVITED', 'chk-company-a');
  PERFORM set_config('app.company_id', '', true);
  PERFORM auth_store_token('reset:chk-a-invited2', 'chk-hash-inv-rst', now() + interval '1 hour');
  PERFORM pg_temp.ok(pg_temp.cnt($q$SELECT * FROM auth_reset_password('chk-hash-inv-rst', 'h')$q$) = 0,
                     'auth_reset_password: INVITED user refused');

  -- staff users and the staff audit log
  staff_id := create_staff_user('chk-staff2@example.test', 'Staff Two', '$argon2id$s');
  PERFORM pg_temp.ok(EXISTS (SELECT 1 FROM staff_list_staff_users() WHERE id = staff_id AND status = 'ACTIVE')
                     AND NOT EXISTS (SELECT 1 FROM staff_list_staff_users() WHERE id = 'chk-a-director'),
                     'staff_list_staff_users: staff only');
  s1 := (SELECT security_stamp FROM lookup_session_user(staff_id));
  s2 := staff_set_user_status(staff_id, 'INACTIVE');
  PERFORM pg_temp.ok(s2 <> s1 AND (SELECT status FROM lookup_session_user(staff_id)) = 'INACTIVE'
                     AND (SELECT security_stamp FROM lookup_session_user(staff_id)) = s2,
                     'staff_set_user_status: deactivation rotates the stamp');
  s1 := staff_set_user_status(staff_id, 'ACTIVE');
  PERFORM pg_temp.ok(s1 = s2 AND (SELECT status FROM lookup_session_user(staff_id)) = 'ACTIVE',
                     'staff_set_user_status: reactivation keeps the stamp');
  PERFORM pg_temp.fails($q$SELECT staff_set_user_status('chk-a-director', 'INACTIVE')$q$, 'P0002',
                        'staff_set_user_status: a tenant user refused');
  audit_id := staff_record_audit(staff_id, 'CREATE', 'company', 'chk-company-a', 'chk-company-a',
                                 '{"after": {"slug": "chk-company-a"}}', '192.0.2.1', 'check/1.0');
  SELECT * INTO r FROM staff_list_audit(1000, 0) a WHERE a.id = audit_id;
  PERFORM pg_temp.ok(r.user_id = staff_id AND r.user_name = 'Staff Two' AND r.action = 'CREATE' AND r.entity_type = 'company'
                     AND r.company_id = 'chk-company-a' AND r.changes -> 'after' ->> 'slug' = 'chk-company-a'
                     AND r.ip_address = '192.0.2.1' AND r.user_agent = 'check/1.0',
                     'staff_record_audit / staff_list_audit round-trip');
  PERFORM pg_temp.ok(pg_temp.cnt('SELECT * FROM staff_list_audit(1, 0)') = 1, 'staff_list_audit: limit honoured');
END $$;
ROLLBACK;

\echo '--- 6. clean up (deleting a company as the app cascades to all its rows)'
BEGIN;
SELECT set_config('app.company_id', 'chk-company-a', true) \g /dev/null
DO $$ BEGIN PERFORM pg_temp.ok(pg_temp.rows($q$DELETE FROM companies WHERE id = 'chk-company-a'$q$) = 1, 'company A deleted with all its rows'); END $$;
COMMIT;
BEGIN;
SELECT set_config('app.company_id', 'chk-company-b', true) \g /dev/null
DO $$ BEGIN PERFORM pg_temp.ok(pg_temp.rows($q$DELETE FROM companies WHERE id = 'chk-company-b'$q$) = 1, 'company B deleted with all its rows'); END $$;
COMMIT;
DO $$ BEGIN
  PERFORM pg_temp.ok(pg_temp.cnt($q$SELECT * FROM lookup_user_for_sign_in('chk-a-agent@example.test')$q$) = 0
                     AND pg_temp.cnt($q$SELECT * FROM lookup_company_by_slug('chk-company-b')$q$) = 0,
                     'nothing left behind');
END $$;
\echo 'check-schema: ALL CHECKS PASSED'
