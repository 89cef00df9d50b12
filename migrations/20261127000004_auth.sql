-- Performancy: sign-in throttling, credentials, invitation / reset tokens, staff users and the staff
-- audit log (PRODUCT.md feature 1, "Sessions", "Throttling").
--
-- Same conventions as 20261127000003_lookups.sql: every function is SECURITY DEFINER with
-- search_path = pg_catalog, public, owned by performancy_definer (NOLOGIN, BYPASSRLS), EXECUTE revoked
-- from PUBLIC and granted to performancy_app only. Authorisation of the *caller* (is this session a
-- staff user? did the password verify?) is the app's job before it calls these.
--
-- The two new tables are global (no company_id tenant rule): RLS enabled + forced with no policy and
-- no privilege for the app at all, so only the definer functions below can touch them.

-- ---------------------------------------------------------------------------------------------
-- Tables
-- ---------------------------------------------------------------------------------------------

-- Failed sign-ins, counted per e-mail and per client address (several web servers agree because the
-- count lives here). Rows older than a day are pruned by auth_record_failure.
CREATE TABLE login_failures (
  id        bigint      GENERATED ALWAYS AS IDENTITY,
  kind      text        NOT NULL,
  key       text        NOT NULL,
  failed_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT login_failures_pkey PRIMARY KEY (id),
  CONSTRAINT login_failures_kind_check CHECK (kind IN ('email', 'ip'))
);
CREATE INDEX login_failures_kind_key_failed_at_idx ON login_failures (kind, key, failed_at);
-- the daily prune deletes by age alone
CREATE INDEX login_failures_failed_at_idx ON login_failures (failed_at);

-- Staff actions that belong to no tenant (creating a staff user, creating / editing a company from
-- the console, ...). Staff actions inside a tenant go to that tenant's audit_logs (actor STAFF).
CREATE TABLE staff_audit_logs (
  id          text        NOT NULL DEFAULT performancy_id(),
  user_id     text,
  action      text        NOT NULL,
  entity_type text        NOT NULL,
  entity_id   text        NOT NULL,
  company_id  text,
  changes     jsonb,
  ip_address  text,
  user_agent  text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT staff_audit_logs_pkey PRIMARY KEY (id),
  CONSTRAINT staff_audit_logs_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE SET NULL,
  CONSTRAINT staff_audit_logs_company_id_fkey FOREIGN KEY (company_id) REFERENCES companies (id) ON DELETE SET NULL
);
CREATE INDEX staff_audit_logs_created_at_idx ON staff_audit_logs (created_at DESC);
CREATE INDEX staff_audit_logs_user_id_idx ON staff_audit_logs (user_id);       -- FK side
CREATE INDEX staff_audit_logs_company_id_idx ON staff_audit_logs (company_id); -- FK side

ALTER TABLE login_failures ENABLE ROW LEVEL SECURITY;
ALTER TABLE login_failures FORCE ROW LEVEL SECURITY;
ALTER TABLE staff_audit_logs ENABLE ROW LEVEL SECURITY;
ALTER TABLE staff_audit_logs FORCE ROW LEVEL SECURITY;
-- No policy and no GRANT to performancy_app on either table, on purpose.

-- ---------------------------------------------------------------------------------------------
-- Privileges of the definer role (BYPASSRLS, but still needs ordinary privileges)
-- ---------------------------------------------------------------------------------------------
GRANT SELECT, INSERT, DELETE ON login_failures TO performancy_definer;
GRANT SELECT, INSERT ON staff_audit_logs TO performancy_definer;
-- UPDATE (expires) only so that SELECT ... FOR UPDATE may lock a token row.
GRANT SELECT, INSERT, DELETE, UPDATE (expires) ON verification_tokens TO performancy_definer;
GRANT UPDATE (password_hash, status, security_stamp, last_login_at, language) ON users TO performancy_definer;

GRANT CREATE ON SCHEMA public TO performancy_definer;

-- ---------------------------------------------------------------------------------------------
-- Throttling
-- ---------------------------------------------------------------------------------------------

-- Exactly one row. Blocked when the failures of this e-mail inside the window reach p_max_email, or
-- those of this client address reach p_max_ip (p_ip NULL: only the e-mail counts).
-- retry_after_seconds: seconds until enough counted failures leave the window for every exceeded
-- count to drop below its limit (>= 1 when blocked, 0 otherwise). Windows longer than a day see at
-- most a day of failures (auth_record_failure prunes older rows).
CREATE FUNCTION public.auth_throttle_status(p_email text, p_ip text, p_window_seconds int,
                                            p_max_email int, p_max_ip int)
RETURNS TABLE (blocked boolean, retry_after_seconds int)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
DECLARE
  v_window  interval := make_interval(secs => greatest(p_window_seconds, 0));
  v_since   timestamptz := now() - v_window;
  v_email   text := lower(btrim(p_email));
  v_n       bigint;
  v_oldest  timestamptz;
  v_release timestamptz;  -- latest moment at which a count drops below its limit
BEGIN
  -- e-mail
  SELECT count(*) INTO v_n FROM public.login_failures f
  WHERE f.kind = 'email' AND f.key = v_email AND f.failed_at > v_since;
  IF v_n >= p_max_email THEN
    -- the (n - max + 1)-th oldest counted failure must leave the window
    SELECT f.failed_at INTO v_oldest FROM public.login_failures f
    WHERE f.kind = 'email' AND f.key = v_email AND f.failed_at > v_since
    ORDER BY f.failed_at
    OFFSET greatest(v_n - p_max_email, 0) LIMIT 1;
    v_release := greatest(v_release, coalesce(v_oldest, now()) + v_window);
  END IF;

  -- client address
  IF p_ip IS NOT NULL THEN
    SELECT count(*) INTO v_n FROM public.login_failures f
    WHERE f.kind = 'ip' AND f.key = p_ip AND f.failed_at > v_since;
    IF v_n >= p_max_ip THEN
      SELECT f.failed_at INTO v_oldest FROM public.login_failures f
      WHERE f.kind = 'ip' AND f.key = p_ip AND f.failed_at > v_since
      ORDER BY f.failed_at
      OFFSET greatest(v_n - p_max_ip, 0) LIMIT 1;
      v_release := greatest(v_release, coalesce(v_oldest, now()) + v_window);
    END IF;
  END IF;

  IF v_release IS NULL THEN
    blocked := false;
    retry_after_seconds := 0;
  ELSE
    blocked := true;
    retry_after_seconds := greatest(1, ceil(extract(epoch FROM v_release - now())))::int;
  END IF;
  RETURN NEXT;
END
$$;

-- One 'email' row and, when the address is known, one 'ip' row; prunes rows older than a day.
CREATE FUNCTION public.auth_record_failure(p_email text, p_ip text)
RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
  DELETE FROM public.login_failures f WHERE f.failed_at < now() - interval '1 day';
  INSERT INTO public.login_failures (kind, key) VALUES ('email', lower(btrim(p_email)));
  INSERT INTO public.login_failures (kind, key) SELECT 'ip', p_ip WHERE p_ip IS NOT NULL;
$$;

-- A successful sign-in forgets the e-mail's failures (the address's stay).
CREATE FUNCTION public.auth_clear_email_failures(p_email text)
RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
  DELETE FROM public.login_failures f WHERE f.kind = 'email' AND f.key = lower(btrim(p_email));
$$;

-- ---------------------------------------------------------------------------------------------
-- Credentials and the security stamp
-- ---------------------------------------------------------------------------------------------

-- After a verified sign-in: last_login_at = now(); p_rehash (argon2id replacing a bcrypt hash), when
-- given, replaces the hash without rotating the security stamp (same password, same sessions).
CREATE FUNCTION public.auth_record_sign_in(p_user_id text, p_rehash text)
RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
  UPDATE public.users u
     SET last_login_at = now(),
         password_hash = coalesce(p_rehash, u.password_hash)
   WHERE u.id = p_user_id;
$$;

-- New password: rotates the security stamp (ends every other session); returns the new stamp
-- (NULL for an unknown user).
CREATE FUNCTION public.auth_set_password(p_user_id text, p_password_hash text)
RETURNS text
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
  UPDATE public.users u
     SET password_hash = p_password_hash,
         security_stamp = public.performancy_id()
   WHERE u.id = p_user_id
  RETURNING u.security_stamp;
$$;

-- "Sign out everywhere": returns the new stamp (NULL for an unknown user).
CREATE FUNCTION public.auth_rotate_security_stamp(p_user_id text)
RETURNS text
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
  UPDATE public.users u
     SET security_stamp = public.performancy_id()
   WHERE u.id = p_user_id
  RETURNING u.security_stamp;
$$;

-- The user's language (users_language_check rejects anything but 'pt-BR' / 'en').
CREATE FUNCTION public.auth_set_language(p_user_id text, p_language text)
RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
  UPDATE public.users u SET language = p_language WHERE u.id = p_user_id;
$$;

-- ---------------------------------------------------------------------------------------------
-- Invitation / reset tokens (verification_tokens; identifier 'invite:<user id>' / 'reset:<user id>',
-- token = hash of the secret in the link, never the secret itself)
-- ---------------------------------------------------------------------------------------------

-- Stores a token; the identifier's previous tokens go (one live link per purpose and user), and so
-- do expired tokens of any identifier.
CREATE FUNCTION public.auth_store_token(p_identifier text, p_token_hash text, p_expires timestamptz)
RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
  DELETE FROM public.verification_tokens vt
   WHERE vt.identifier = p_identifier OR vt.expires <= now();
  INSERT INTO public.verification_tokens (identifier, token, expires)
  VALUES (p_identifier, p_token_hash, p_expires);
$$;

-- Whose is this token (to show the form), without consuming it. Zero rows when unknown or expired.
CREATE FUNCTION public.auth_peek_token(p_token_hash text)
RETURNS TABLE (identifier text, expires timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
  SELECT vt.identifier, vt.expires
  FROM public.verification_tokens vt
  WHERE vt.token = p_token_hash AND vt.expires > now()
$$;

-- Uses an invitation: a live 'invite:<id>' token of an INVITED user is deleted, the user gets the
-- password, becomes ACTIVE and a fresh security stamp. Zero rows when anything does not hold.
-- The token and user rows are locked (FOR UPDATE), so of two concurrent uses only one succeeds: the
-- other finds the token deleted / the user no longer INVITED once the lock is released.
CREATE FUNCTION public.auth_accept_invitation(p_token_hash text, p_password_hash text)
RETURNS TABLE (user_id text, company_slug text, email text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
DECLARE
  v_user_id text;
  v_email   text;
  v_slug    text;
BEGIN
  SELECT u.id, u.email, c.slug INTO v_user_id, v_email, v_slug
  FROM public.verification_tokens vt
  JOIN public.users u ON u.id = substr(vt.identifier, 8)
  LEFT JOIN public.companies c ON c.id = u.company_id
  WHERE vt.token = p_token_hash
    AND starts_with(vt.identifier, 'invite:')
    AND vt.expires > now()
    AND u.status = 'INVITED'
  FOR UPDATE OF vt, u;
  IF NOT FOUND THEN
    RETURN;
  END IF;

  DELETE FROM public.verification_tokens vt WHERE vt.token = p_token_hash;
  UPDATE public.users u
     SET password_hash = p_password_hash,
         status = 'ACTIVE',
         security_stamp = public.performancy_id()
   WHERE u.id = v_user_id;

  user_id := v_user_id;
  company_slug := v_slug;
  email := v_email;
  RETURN NEXT;
END
$$;

-- Uses a reset link: a live 'reset:<id>' token of an ACTIVE user is deleted, the user gets the new
-- password and a fresh security stamp. Zero rows when anything does not hold. Locked as above.
CREATE FUNCTION public.auth_reset_password(p_token_hash text, p_password_hash text)
RETURNS TABLE (user_id text, email text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
DECLARE
  v_user_id text;
  v_email   text;
BEGIN
  SELECT u.id, u.email INTO v_user_id, v_email
  FROM public.verification_tokens vt
  JOIN public.users u ON u.id = substr(vt.identifier, 7)
  WHERE vt.token = p_token_hash
    AND starts_with(vt.identifier, 'reset:')
    AND vt.expires > now()
    AND u.status = 'ACTIVE'
  FOR UPDATE OF vt, u;
  IF NOT FOUND THEN
    RETURN;
  END IF;

  DELETE FROM public.verification_tokens vt WHERE vt.token = p_token_hash;
  UPDATE public.users u
     SET password_hash = p_password_hash,
         security_stamp = public.performancy_id()
   WHERE u.id = v_user_id;

  user_id := v_user_id;
  email := v_email;
  RETURN NEXT;
END
$$;

-- "Forgot password" by e-mail (case-insensitive). The caller sends a link only to an ACTIVE user and
-- answers the same way whether or not a row came back.
CREATE FUNCTION public.lookup_user_for_reset(p_email text)
RETURNS TABLE (id text, name text, language text, status user_status)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
  SELECT u.id, u.name, u.language, u.status
  FROM public.users u
  WHERE lower(u.email) = lower(btrim(p_email))
$$;

-- ---------------------------------------------------------------------------------------------
-- Staff console. The app must have checked the caller is staff.
-- ---------------------------------------------------------------------------------------------

-- Every staff user (role ADMIN).
CREATE FUNCTION public.staff_list_staff_users()
RETURNS TABLE (id text, email text, name text, status user_status, last_login_at timestamptz,
               created_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
  SELECT u.id, u.email, u.name, u.status, u.last_login_at, u.created_at
  FROM public.users u
  WHERE u.role = 'ADMIN'
  ORDER BY u.name, lower(u.email)
$$;

-- Sets a staff user's status; any status but ACTIVE also rotates the security stamp (locked out at
-- once). Returns the (new) stamp. Not a staff user (or unknown id): raises no_data_found (P0002).
CREATE FUNCTION public.staff_set_user_status(p_user_id text, p_status user_status)
RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
DECLARE
  v_stamp text;
BEGIN
  UPDATE public.users u
     SET status = p_status,
         security_stamp = CASE WHEN p_status = 'ACTIVE' THEN u.security_stamp
                               ELSE public.performancy_id() END
   WHERE u.id = p_user_id AND u.role = 'ADMIN'
  RETURNING u.security_stamp INTO v_stamp;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no staff user with id %', p_user_id USING ERRCODE = 'no_data_found';
  END IF;
  RETURN v_stamp;
END
$$;

-- Writes a staff audit row; returns its id.
CREATE FUNCTION public.staff_record_audit(p_user_id text, p_action text, p_entity_type text,
                                          p_entity_id text, p_company_id text, p_changes jsonb,
                                          p_ip text, p_user_agent text)
RETURNS text
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
  INSERT INTO public.staff_audit_logs (user_id, action, entity_type, entity_id, company_id, changes,
                                       ip_address, user_agent)
  VALUES (p_user_id, p_action, p_entity_type, p_entity_id, p_company_id, p_changes, p_ip, p_user_agent)
  RETURNING id
$$;

-- One page of the staff audit log, newest first, with the acting staff user's current name.
CREATE FUNCTION public.staff_list_audit(p_limit int, p_offset int)
RETURNS TABLE (id text, user_id text, user_name text, action text, entity_type text, entity_id text,
               company_id text, changes jsonb, ip_address text, user_agent text, created_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
  SELECT a.id, a.user_id, u.name, a.action, a.entity_type, a.entity_id, a.company_id, a.changes,
         a.ip_address, a.user_agent, a.created_at
  FROM public.staff_audit_logs a
  LEFT JOIN public.users u ON u.id = a.user_id
  ORDER BY a.created_at DESC, a.id DESC
  LIMIT p_limit OFFSET p_offset
$$;

DO $$
DECLARE
  f text;
BEGIN
  FOREACH f IN ARRAY ARRAY[
    'public.auth_throttle_status(text, text, int, int, int)',
    'public.auth_record_failure(text, text)',
    'public.auth_clear_email_failures(text)',
    'public.auth_record_sign_in(text, text)',
    'public.auth_set_password(text, text)',
    'public.auth_rotate_security_stamp(text)',
    'public.auth_set_language(text, text)',
    'public.auth_store_token(text, text, timestamptz)',
    'public.auth_peek_token(text)',
    'public.auth_accept_invitation(text, text)',
    'public.auth_reset_password(text, text)',
    'public.lookup_user_for_reset(text)',
    'public.staff_list_staff_users()',
    'public.staff_set_user_status(text, user_status)',
    'public.staff_record_audit(text, text, text, text, text, jsonb, text, text)',
    'public.staff_list_audit(int, int)']
  LOOP
    EXECUTE format('ALTER FUNCTION %s OWNER TO performancy_definer', f);
    EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f);
    EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO performancy_app', f);
  END LOOP;
END
$$;

REVOKE CREATE ON SCHEMA public FROM performancy_definer;

-- Same safety net as 20261127000002_rls.sql: no table in public without enabled + forced RLS.
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
