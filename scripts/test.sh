#!/usr/bin/env bash
# Runs every test: unit tests, database tests (each on a fresh database, as the app role) and the
# end-to-end tests in Chromium against a freshly seeded server.
#
# A throwaway PostgreSQL cluster is created from nothing on every run (port 55433), so tests that
# change data can run twice in a row. The e2e server listens on 127.0.0.1:3100, beside a dev server.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-tools.sh
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"

port=${PERFORMANCY_TEST_PG_PORT:-55433}
eval "$(scripts/pg.sh start test "$port" fresh)"
trap 'scripts/pg.sh stop test' EXIT
export SQLX_OFFLINE=true

echo "== unit and database tests"
cargo test --workspace --exclude frontend

echo "== end-to-end tests"
export LEPTOS_SITE_ADDR=127.0.0.1:3100
export E2E_BASE_URL=http://127.0.0.1:3100
export MIGRATE_ON_START=false
cargo leptos build --release
"${CARGO_TARGET_DIR:-target}"/release/server migrate
"${CARGO_TARGET_DIR:-target}"/release/server seed-demo
cargo leptos end-to-end --release
