#!/usr/bin/env bash
# Serves Performancy with demo data at http://127.0.0.1:3000.
#
# Installs what the machine lacks, starts a project-local PostgreSQL when DATABASE_URL is not set
# (a DATABASE_URL you give is used as it is; give DATABASE_OWNER_URL too to have it migrated),
# applies the migrations, loads the demo data once, builds and serves.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-tools.sh
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"

if [ -z "${DATABASE_URL:-}" ]; then
  eval "$(scripts/pg.sh start dev "${PERFORMANCY_DEV_PG_PORT:-55432}")"
  unset DATABASE_ADMIN_URL
fi
export SQLX_OFFLINE=true

cargo leptos build --release
if [ -n "${DATABASE_OWNER_URL:-}" ]; then
  "${CARGO_TARGET_DIR:-target}"/release/server migrate
else
  echo "DATABASE_OWNER_URL not set: assuming the schema is already migrated" >&2
fi
"${CARGO_TARGET_DIR:-target}"/release/server seed-demo
exec cargo leptos serve --release
