#!/usr/bin/env bash
# Starts (or reuses) a project-local PostgreSQL cluster and prints the environment that points the
# app at it. Usage: eval "$(scripts/pg.sh start <name> <port> [fresh])"; scripts/pg.sh stop <name>.
#
# PostgreSQL refuses to run as root, so as root the cluster runs as the `postgres` system user, in a
# folder under /tmp that user can reach. `fresh` wipes the cluster first (the test command uses it so
# every run starts from a clean database). The roles are created here, not in migrations, because
# roles are cluster-wide: performancy_owner (owns the schema, runs migrations), performancy_app (what
# the app connects as: owns nothing, no BYPASSRLS) and performancy_definer (NOLOGIN, BYPASSRLS, owns
# the pre-tenant lookup functions).
set -euo pipefail

cmd=${1:?start|stop}
name=${2:?cluster name}
port=${3:-55432}
mode=${4:-keep}

base=${PERFORMANCY_PG_ROOT:-/tmp/performancy-pg}/$name
data=$base/data

find_bin() {
  if [ -x /usr/lib/postgresql/15/bin/initdb ]; then echo /usr/lib/postgresql/15/bin; return; fi
  local d; d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
  [ -n "$d" ] || { echo "PostgreSQL server binaries not found: install the 'postgresql' package" >&2; exit 1; }
  echo "$d"
}
bin=$(find_bin)

as_pg() {
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

case "$cmd" in
  stop)
    [ -f "$data/postmaster.pid" ] && as_pg "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null || true
    exit 0
    ;;
  start) ;;
  *) echo "usage: $0 start|stop <name> [port] [fresh]" >&2; exit 2 ;;
esac

if [ "$mode" = fresh ] && [ -d "$base" ]; then
  [ -f "$data/postmaster.pid" ] && as_pg "$bin/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$base"
fi

mkdir -p "$base"
[ "$(id -u)" = 0 ] && chown postgres "$base" && chmod 755 "$(dirname "$base")"

if [ ! -f "$data/PG_VERSION" ]; then
  as_pg "$bin/initdb" -D "$data" --auth=trust -E UTF8 --locale=C.UTF-8 -U postgres >/dev/null
fi

if ! as_pg "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
  extra=""
  # Throwaway test clusters trade durability for speed; a demo cluster keeps the defaults.
  [ "$mode" = fresh ] && extra="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  as_pg "$bin/pg_ctl" -D "$data" -w -l "$base/postgres.log" \
    -o "-p $port -k $base -c listen_addresses=127.0.0.1 -c max_connections=200 $extra" start >/dev/null
fi

psql_admin() { PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d postgres "$@"; }
psql_admin -f "$(dirname "$0")/roles.sql" >/dev/null
if [ -z "$(psql_admin -tAc "SELECT 1 FROM pg_database WHERE datname = 'performancy'")" ]; then
  psql_admin -c "CREATE DATABASE performancy OWNER performancy_owner" >/dev/null
fi

echo "export DATABASE_URL=postgres://performancy_app@127.0.0.1:$port/performancy"
echo "export DATABASE_OWNER_URL=postgres://performancy_owner@127.0.0.1:$port/performancy"
echo "export DATABASE_ADMIN_URL=postgres://postgres@127.0.0.1:$port/postgres"
