-- The cluster-wide roles Performancy needs; idempotent. Run as a superuser by scripts/pg.sh and by
-- the test harness (crates/db/src/testing.rs), never by migrations: roles belong to the cluster.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'performancy_definer') THEN
    CREATE ROLE performancy_definer NOLOGIN BYPASSRLS;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'performancy_owner') THEN
    CREATE ROLE performancy_owner LOGIN NOSUPERUSER NOBYPASSRLS;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'performancy_app') THEN
    CREATE ROLE performancy_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
  END IF;
END $$;
GRANT performancy_definer TO performancy_owner;
