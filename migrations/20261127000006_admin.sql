-- Performancy: administration (PRODUCT.md feature 2). The staff console and the tenant pages need
-- one more question answered across the tenant boundary: the names of the staff users who acted
-- inside a company, for that company's audit log (a tenant's queries cannot see staff rows, whose
-- company_id is NULL). Companies are created and edited through tenant transactions and the staff
-- functions of 20261127000004_auth.sql, so nothing else bypasses the policies.
--
-- Same conventions as 20261127000003_lookups.sql: SECURITY DEFINER with search_path = pg_catalog,
-- public, owned by performancy_definer (NOLOGIN, BYPASSRLS), EXECUTE revoked from PUBLIC and granted
-- to performancy_app only.

GRANT CREATE ON SCHEMA public TO performancy_definer;

-- The names of the staff users (role ADMIN) among p_ids; ids of anyone else return nothing, so a
-- tenant learns no other tenant's people through it.
CREATE FUNCTION public.lookup_staff_names(p_ids text[])
RETURNS TABLE (id text, name text)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
  SELECT u.id, u.name
  FROM public.users u
  WHERE u.id = ANY (p_ids) AND u.role = 'ADMIN'
$$;

DO $$
DECLARE
  f text;
BEGIN
  FOREACH f IN ARRAY ARRAY[
    'public.lookup_staff_names(text[])']
  LOOP
    EXECUTE format('ALTER FUNCTION %s OWNER TO performancy_definer', f);
    EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f);
    EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO performancy_app', f);
  END LOOP;
END
$$;

REVOKE CREATE ON SCHEMA public FROM performancy_definer;
