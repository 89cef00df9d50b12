-- Performancy: SECURITY DEFINER lookups, the only way around row-level security.
--
-- Each function: SECURITY DEFINER, fixed search_path, owned by performancy_definer (NOLOGIN,
-- BYPASSRLS), EXECUTE revoked from PUBLIC and granted to performancy_app only, and returns only
-- what its caller needs. Authorisation of the *caller* (e.g. "is this session a staff user?") is
-- the app's job before it calls staff_* / create_staff_user.
--
-- To add a definer function in a later migration: GRANT CREATE ON SCHEMA public TO
-- performancy_definer, create + ALTER ... OWNER TO performancy_definer, REVOKE CREATE again
-- (PostgreSQL requires the new owner to have CREATE on the schema at ALTER OWNER time).

GRANT USAGE ON SCHEMA public TO performancy_definer;
GRANT SELECT ON companies, users, squad_members TO performancy_definer;
GRANT INSERT ON users TO performancy_definer;
GRANT CREATE ON SCHEMA public TO performancy_definer;

-- The company of a slug (tenant routing before any tenant is set).
CREATE FUNCTION public.lookup_company_by_slug(p_slug text)
RETURNS TABLE (id text, name text, slug text, timezone text, currency text, features jsonb, settings jsonb)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
  SELECT c.id, c.name, c.slug, c.timezone, c.currency, c.features, c.settings
  FROM public.companies c
  WHERE c.slug = p_slug
$$;

-- Sign-in by e-mail (case-insensitive). The caller checks status and the password hash.
CREATE FUNCTION public.lookup_user_for_sign_in(p_email text)
RETURNS TABLE (id text, company_id text, role user_role, status user_status, password_hash text,
               security_stamp text, language text, name text)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
  SELECT u.id, u.company_id, u.role, u.status, u.password_hash, u.security_stamp, u.language, u.name
  FROM public.users u
  WHERE lower(u.email) = lower(btrim(p_email))
$$;

-- The user behind a session (the caller compares security_stamp and status).
CREATE FUNCTION public.lookup_session_user(p_user_id text)
RETURNS TABLE (id text, company_id text, role user_role, status user_status, security_stamp text,
               language text, name text, email text, company_slug text)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
  SELECT u.id, u.company_id, u.role, u.status, u.security_stamp, u.language, u.name, u.email, c.slug
  FROM public.users u
  LEFT JOIN public.companies c ON c.id = u.company_id
  WHERE u.id = p_user_id
$$;

-- May this user enter the company of this slug, and as what?
--   * ACTIVE non-ADMIN user of that company: one row with their role and squads
--     (led_squad_ids: squads where is_leader; member_squad_ids: every squad they belong to,
--     led ones included; both sorted);
--   * ACTIVE ADMIN (staff, company_id NULL): one row with role ADMIN and empty arrays;
--   * anything else (unknown slug, other company, not ACTIVE): zero rows.
CREATE FUNCTION public.lookup_membership(p_user_id text, p_slug text)
RETURNS TABLE (company_id text, company_name text, role user_role, led_squad_ids text[],
               member_squad_ids text[])
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
  SELECT c.id, c.name, u.role,
         ARRAY(SELECT sm.squad_id FROM public.squad_members sm
               WHERE sm.company_id = c.id AND sm.user_id = u.id AND sm.is_leader
               ORDER BY sm.squad_id),
         ARRAY(SELECT sm.squad_id FROM public.squad_members sm
               WHERE sm.company_id = c.id AND sm.user_id = u.id
               ORDER BY sm.squad_id)
  FROM public.users u
  JOIN public.companies c ON c.slug = p_slug
  WHERE u.id = p_user_id
    AND u.status = 'ACTIVE'
    AND ((u.role <> 'ADMIN' AND u.company_id = c.id)
      OR (u.role = 'ADMIN' AND u.company_id IS NULL))
$$;

-- Staff console: every company with its user count. The app must have checked the caller is staff.
CREATE FUNCTION public.staff_list_companies()
RETURNS TABLE (id text, name text, slug text, domain text, timezone text, currency text,
               features jsonb, settings jsonb, created_at timestamptz, user_count bigint)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
  SELECT c.id, c.name, c.slug, c.domain, c.timezone, c.currency, c.features, c.settings, c.created_at,
         (SELECT count(*) FROM public.users u WHERE u.company_id = c.id)
  FROM public.companies c
  ORDER BY c.name, c.slug
$$;

-- Creates an ACTIVE staff user (role ADMIN, no company); returns its id. Called by the first-staff
-- command and by staff only. A duplicate e-mail raises unique_violation (users_email_lower_key).
CREATE FUNCTION public.create_staff_user(p_email text, p_name text, p_password_hash text)
RETURNS text
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
  INSERT INTO public.users (email, name, password_hash, role, company_id, status)
  VALUES (btrim(p_email), p_name, p_password_hash, 'ADMIN', NULL, 'ACTIVE')
  RETURNING id
$$;

DO $$
DECLARE
  f text;
BEGIN
  FOREACH f IN ARRAY ARRAY[
    'public.lookup_company_by_slug(text)',
    'public.lookup_user_for_sign_in(text)',
    'public.lookup_session_user(text)',
    'public.lookup_membership(text, text)',
    'public.staff_list_companies()',
    'public.create_staff_user(text, text, text)']
  LOOP
    EXECUTE format('ALTER FUNCTION %s OWNER TO performancy_definer', f);
    EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f);
    EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO performancy_app', f);
  END LOOP;
END
$$;

REVOKE CREATE ON SCHEMA public FROM performancy_definer;
