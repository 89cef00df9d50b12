-- Performancy: the own profile page (PRODUCT.md feature 1: name, avatar, LinkedIn, language, change
-- password, sign out everywhere), for tenant users and staff alike. Staff rows have no company, so a
-- tenant transaction cannot reach them; these functions serve everyone the same way and write the
-- audit row in the same statement as the change: in the user's company's audit_logs (actor USER), or
-- in staff_audit_logs for staff.
--
-- Same conventions as 20261127000004_auth.sql: every function is SECURITY DEFINER with
-- search_path = pg_catalog, public, owned by performancy_definer (NOLOGIN, BYPASSRLS), EXECUTE revoked
-- from PUBLIC and granted to performancy_app only (auth_audit_own_change to nobody: only the
-- functions below call it). Authorisation of the *caller* (p_user_id is the signed-in user; the
-- current password verified; the values validated) is the app's job before it calls these.

GRANT UPDATE (name, avatar_url, linkedin) ON users TO performancy_definer;
GRANT INSERT ON audit_logs TO performancy_definer;

GRANT CREATE ON SCHEMA public TO performancy_definer;

-- One audit row for a change a user made to their own account (entity: the user). Never secrets:
-- the callers pass only what is safe to keep.
CREATE FUNCTION public.auth_audit_own_change(p_user_id text, p_action text, p_changes jsonb,
                                             p_ip text, p_user_agent text)
RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
  INSERT INTO public.audit_logs (company_id, user_id, actor, action, entity_type, entity_id, changes,
                                 ip_address, user_agent)
  SELECT u.company_id, u.id, 'USER', p_action, 'user', u.id, p_changes, p_ip, p_user_agent
  FROM public.users u
  WHERE u.id = p_user_id AND u.company_id IS NOT NULL;
  INSERT INTO public.staff_audit_logs (user_id, action, entity_type, entity_id, company_id, changes,
                                       ip_address, user_agent)
  SELECT u.id, p_action, 'user', u.id, NULL, p_changes, p_ip, p_user_agent
  FROM public.users u
  WHERE u.id = p_user_id AND u.company_id IS NULL;
$$;

-- What the profile page shows. Zero rows for an unknown user.
CREATE FUNCTION public.auth_own_profile(p_user_id text)
RETURNS TABLE (name text, email text, avatar_url text, linkedin text, language text)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
  SELECT u.name, u.email, u.avatar_url, u.linkedin, u.language
  FROM public.users u
  WHERE u.id = p_user_id
$$;

-- Saves the profile; audits the fields that changed (before and after) as PROFILE_UPDATED. Returns
-- whether anything changed (false for an unknown user too). users_name_check and
-- users_language_check still apply.
CREATE FUNCTION public.auth_update_own_profile(p_user_id text, p_name text, p_avatar_url text,
                                               p_linkedin text, p_language text, p_ip text,
                                               p_user_agent text)
RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
DECLARE
  v_old    jsonb;
  v_new    jsonb := jsonb_build_object('name', p_name, 'avatar_url', p_avatar_url,
                                       'linkedin', p_linkedin, 'language', p_language);
  v_before jsonb;
  v_after  jsonb;
BEGIN
  SELECT jsonb_build_object('name', u.name, 'avatar_url', u.avatar_url, 'linkedin', u.linkedin,
                            'language', u.language)
    INTO v_old
  FROM public.users u
  WHERE u.id = p_user_id
  FOR UPDATE;
  IF NOT FOUND THEN
    RETURN false;
  END IF;

  SELECT jsonb_object_agg(o.key, o.value), jsonb_object_agg(o.key, v_new -> o.key)
    INTO v_before, v_after
  FROM jsonb_each(v_old) o
  WHERE o.value IS DISTINCT FROM v_new -> o.key;
  IF v_before IS NULL THEN
    RETURN false;
  END IF;

  UPDATE public.users u
     SET name = p_name, avatar_url = p_avatar_url, linkedin = p_linkedin, language = p_language
   WHERE u.id = p_user_id;
  PERFORM public.auth_audit_own_change(p_user_id, 'PROFILE_UPDATED',
                                       jsonb_build_object('before', v_before, 'after', v_after),
                                       p_ip, p_user_agent);
  RETURN true;
END
$$;

-- A new password chosen on the profile page (the app verified the current one): rotates the
-- security stamp (ending every other session) and audits PASSWORD_CHANGED, without the hash.
-- Returns the new stamp (NULL for an unknown user).
CREATE FUNCTION public.auth_change_own_password(p_user_id text, p_password_hash text, p_ip text,
                                                p_user_agent text)
RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
DECLARE
  v_stamp text;
BEGIN
  UPDATE public.users u
     SET password_hash = p_password_hash,
         security_stamp = public.performancy_id()
   WHERE u.id = p_user_id
  RETURNING u.security_stamp INTO v_stamp;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  PERFORM public.auth_audit_own_change(p_user_id, 'PASSWORD_CHANGED', NULL, p_ip, p_user_agent);
  RETURN v_stamp;
END
$$;

-- "Sign out everywhere": rotates the security stamp and audits SIGNED_OUT_EVERYWHERE. Returns the
-- new stamp (NULL for an unknown user).
CREATE FUNCTION public.auth_sign_out_everywhere(p_user_id text, p_ip text, p_user_agent text)
RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
DECLARE
  v_stamp text;
BEGIN
  UPDATE public.users u
     SET security_stamp = public.performancy_id()
   WHERE u.id = p_user_id
  RETURNING u.security_stamp INTO v_stamp;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  PERFORM public.auth_audit_own_change(p_user_id, 'SIGNED_OUT_EVERYWHERE', NULL, p_ip, p_user_agent);
  RETURN v_stamp;
END
$$;

DO $$
DECLARE
  f text;
BEGIN
  FOREACH f IN ARRAY ARRAY[
    'public.auth_own_profile(text)',
    'public.auth_update_own_profile(text, text, text, text, text, text, text)',
    'public.auth_change_own_password(text, text, text, text)',
    'public.auth_sign_out_everywhere(text, text, text)']
  LOOP
    EXECUTE format('ALTER FUNCTION %s OWNER TO performancy_definer', f);
    EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f);
    EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO performancy_app', f);
  END LOOP;
END
$$;

-- Called only from inside the functions above (which run as its owner).
ALTER FUNCTION public.auth_audit_own_change(text, text, jsonb, text, text) OWNER TO performancy_definer;
REVOKE ALL ON FUNCTION public.auth_audit_own_change(text, text, jsonb, text, text) FROM PUBLIC;

REVOKE CREATE ON SCHEMA public FROM performancy_definer;
