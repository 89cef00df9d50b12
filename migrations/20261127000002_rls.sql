-- Performancy: row-level security.
--
-- The tenant is the per-transaction setting app.company_id, set by the app with
--   SELECT set_config('app.company_id', $1, true)
-- Unset ('' or NULL) means "no tenant": every tenant table then shows and accepts nothing.
-- RLS is FORCEd, so it also binds the owner; only performancy_definer (BYPASSRLS) skips it, through
-- the SECURITY DEFINER functions of the next migration.

CREATE FUNCTION public.app_current_company_id()
RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT nullif(pg_catalog.current_setting('app.company_id', true), '') $$;

-- companies: a tenant sees its own row; a system context for a new company id may insert it.
ALTER TABLE companies ENABLE ROW LEVEL SECURITY;
ALTER TABLE companies FORCE ROW LEVEL SECURITY;
CREATE POLICY companies_tenant ON companies FOR ALL TO performancy_app
  USING (id = app_current_company_id())
  WITH CHECK (id = app_current_company_id());

-- users: staff rows (company_id NULL) are invisible to tenant queries.
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
ALTER TABLE users FORCE ROW LEVEL SECURITY;
CREATE POLICY users_tenant ON users FOR ALL TO performancy_app
  USING (company_id = app_current_company_id())
  WITH CHECK (company_id = app_current_company_id());

-- identity tables: no policy for the app at all (deny all); reached only via definer functions.
ALTER TABLE accounts ENABLE ROW LEVEL SECURITY;
ALTER TABLE accounts FORCE ROW LEVEL SECURITY;
ALTER TABLE sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE sessions FORCE ROW LEVEL SECURITY;
ALTER TABLE verification_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE verification_tokens FORCE ROW LEVEL SECURITY;

-- tenant tables: one FOR ALL policy each.
DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY[
    'squads', 'squad_members', 'playbooks', 'integrations', 'leads', 'pipeline_stages', 'deals',
    'conversations', 'bots', 'bot_logs', 'ai_usage', 'audit_logs', 'chat_searches',
    'okr_periods', 'objectives', 'key_results', 'key_result_progress', 'alerts', 'import_logs']
  LOOP
    EXECUTE format('ALTER TABLE public.%I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE public.%I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format(
      'CREATE POLICY %I ON public.%I FOR ALL TO performancy_app '
      'USING (company_id = app_current_company_id()) '
      'WITH CHECK (company_id = app_current_company_id())',
      t || '_tenant', t);
  END LOOP;
END
$$;

-- Safety net: fail the migration if any table in public lacks enabled + forced RLS
-- (except sqlx's own bookkeeping table, which the app role has no privilege on).
DO $$
DECLARE
  missing text;
BEGIN
  SELECT string_agg(c.relname, ', ') INTO missing
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
    AND c.relname <> '_sqlx_migrations'
    AND NOT (c.relrowsecurity AND c.relforcerowsecurity);
  IF missing IS NOT NULL THEN
    RAISE EXCEPTION 'tables without enabled+forced row level security: %', missing;
  END IF;
END
$$;
