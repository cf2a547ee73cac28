#!/usr/bin/env bash
# The project's test command: formatting, lints, and every test on SQLite and (when
# CONCORD_TEST_POSTGRES_URL is set) PostgreSQL, including the public scenario's acceptance run.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo fmt --all -- --check
cargo clippy --workspace --tests --quiet -- -D warnings
cargo test --workspace
