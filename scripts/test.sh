#!/usr/bin/env bash
# The project's test command: formatting, lints, and every test on SQLite and (when
# CONCORD_TEST_POSTGRES_URL is set) PostgreSQL, including the public scenario's acceptance run.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo fmt --all -- --check
cargo clippy --workspace --tests --quiet -- -D warnings
cargo test --workspace

# Crash safety across processes: `concord emulate` + `concord run`, SIGKILLed and restarted,
# checked by the acceptance checker (and, on PostgreSQL, two processes sharing one budget).
cargo build -p concord --quiet
CONCORD_BIN=target/debug/concord bash scripts/kill-test.sh --quick
if [ -n "${CONCORD_TEST_POSTGRES_URL:-}" ]; then
  CONCORD_BIN=target/debug/concord bash scripts/kill-test.sh --quick --backend postgres
fi

# The dashboard end to end in headless Chromium (installs Debian's chromium and selenium if missing).
CONCORD_BIN=target/debug/concord bash scripts/browser-test.sh
