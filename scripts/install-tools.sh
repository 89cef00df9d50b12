#!/usr/bin/env bash
# Installs what a fresh machine of this project's kind lacks to build, serve and test Performancy.
# Every step is skipped when the tool is already present at the right version, so a warm machine
# (a developer's, or CI on the same machine) spends seconds here, not the 15 minutes of a cold one.
set -euo pipefail
cd "$(dirname "$0")/.."

export PATH="$HOME/.cargo/bin:$PATH"

have_version() { # have_version <cmd> <expected substring of --version>
  command -v "$1" >/dev/null 2>&1 && "$1" --version 2>/dev/null | grep -q -- "$2"
}

if ! rustup target list --installed | grep -q '^wasm32-unknown-unknown$'; then
  rustup target add wasm32-unknown-unknown
fi
rustup component list --installed 2>/dev/null | grep -q '^rustfmt' || rustup component add rustfmt
rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy

if ! have_version cargo-leptos "0.3.10"; then
  cargo install cargo-leptos --version 0.3.10 --locked
fi
if ! have_version wasm-bindgen "0.2.130"; then
  cargo install wasm-bindgen-cli --version 0.2.130
fi
if ! have_version sqlx "0.8.6"; then
  cargo install sqlx-cli --version 0.8.6 --no-default-features --features postgres,rustls --locked
fi

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v initdb >/dev/null 2>&1 || [ -x /usr/lib/postgresql/15/bin/initdb ] || need_apt+=(postgresql)
[ -f /usr/share/postgresql/15/extension/unaccent.control ] || need_apt+=(postgresql-contrib)
if [ ${#need_apt[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need_apt[@]}"
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
