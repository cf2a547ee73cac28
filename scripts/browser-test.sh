#!/usr/bin/env bash
# End-to-end test of the dashboard in headless Chromium: runs the built-in demo scenario fast,
# waits until it is idle, then drives the browser through scripts/browser/dashboard_e2e.py
# (sign-in, overview, resolving an exception in the inbox, API/probe answers, the charts page,
# screenshots).
#
#   scripts/browser-test.sh
#
# Installs what is missing: the Debian packages chromium and chromium-driver (apt-get, as root or
# through sudo) and Python's selenium (pip). Uses $CONCORD_BIN when set, otherwise builds
# `cargo build --release -p concord` into $CARGO_TARGET_DIR (default: target/).
# Environment: CONCORD_BIN, CARGO_TARGET_DIR, BROWSER_TEST_SPEED (default 600),
# BROWSER_TEST_IDLE_TIMEOUT (seconds to wait for the demo to finish its scenario, default 150),
# PYTHON (default python3).
# Prints PASS/FAIL per step and `N passed, M failed`; exits non-zero on any failure. Screenshots
# go to scripts/browser/out/ (ignored by git).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
START=$(date +%s)
PYTHON=${PYTHON:-python3}
SPEED=${BROWSER_TEST_SPEED:-600}
IDLE_TIMEOUT=${BROWSER_TEST_IDLE_TIMEOUT:-150}
CHROMIUM=/usr/bin/chromium
CHROMEDRIVER=/usr/bin/chromedriver
OUT="$ROOT/scripts/browser/out"

say() { printf '[browser-test] %s\n' "$*"; }
fail_setup() {
    printf 'FAIL setup: %s\n0 passed, 1 failed\n' "$*"
    exit 1
}

# --- What the test needs --------------------------------------------------------------------
if [[ ! -x $CHROMIUM || ! -x $CHROMEDRIVER ]]; then
    say "Installing chromium and chromium-driver (apt-get)..."
    SUDO=""
    if [[ $(id -u) -ne 0 ]]; then
        command -v sudo >/dev/null || fail_setup "chromium is missing and apt-get needs root (no sudo)"
        SUDO=sudo
    fi
    export DEBIAN_FRONTEND=noninteractive
    { $SUDO apt-get update -q && $SUDO apt-get install -y -q chromium chromium-driver; } >/dev/null ||
        fail_setup "apt-get install chromium chromium-driver failed"
fi
if ! "$PYTHON" -c 'import selenium' 2>/dev/null; then
    say "Installing selenium (pip)..."
    "$PYTHON" -m pip install --quiet --disable-pip-version-check selenium ||
        fail_setup "pip install selenium failed"
fi

if [[ -n ${CONCORD_BIN:-} ]]; then
    BIN=$CONCORD_BIN
else
    say "Building concord (release)..."
    cargo build --release --quiet -p concord || fail_setup "cargo build --release -p concord failed"
    BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/concord"
fi
[[ -x $BIN ]] || fail_setup "no concord binary at $BIN"

# --- The demo, in the background ------------------------------------------------------------
WORK=$(mktemp -d -t concord-browser-XXXXXX)
DEMO_PID=""
cleanup() {
    if [[ -n $DEMO_PID ]] && kill -0 "$DEMO_PID" 2>/dev/null; then
        kill -INT "$DEMO_PID" 2>/dev/null || true
        for _ in 1 2 3 4 5 6 7 8 9 10; do
            kill -0 "$DEMO_PID" 2>/dev/null || break
            sleep 0.2
        done
        kill -KILL "$DEMO_PID" 2>/dev/null || true
        wait "$DEMO_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PORT=$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
TOKEN=$("$PYTHON" -c 'import secrets; print(secrets.token_urlsafe(24))')
BASE="http://127.0.0.1:$PORT"
say "Starting the demo at $BASE (speed $SPEED, store in $WORK)..."
"$BIN" demo --speed "$SPEED" --listen "127.0.0.1:$PORT" --dashboard-token "$TOKEN" \
    --store "sqlite://$WORK/concord.db" >"$WORK/demo.out" 2>"$WORK/demo.err" &
DEMO_PID=$!

demo_log() {
    echo "--- demo stdout (last 20 lines) ---"
    tail -n 20 "$WORK/demo.out" || true
    echo "--- demo stderr (last 20 lines) ---"
    tail -n 20 "$WORK/demo.err" || true
}

waited=0
until grep -q "The dashboard stays up at" "$WORK/demo.out" 2>/dev/null; do
    if ! kill -0 "$DEMO_PID" 2>/dev/null; then
        demo_log
        fail_setup "the demo exited before it was idle"
    fi
    if ((waited >= IDLE_TIMEOUT * 2)); then
        demo_log
        fail_setup "the demo was not idle after ${IDLE_TIMEOUT} s"
    fi
    sleep 0.5
    waited=$((waited + 1))
done
say "The demo is idle after $(($(date +%s) - START)) s; its summary:"
sed -n '/^Run ended/,/^Cin7 calls/p' "$WORK/demo.out" | sed 's/^/    /'

# --- The browser ----------------------------------------------------------------------------
status=0
SE_AVOID_STATS=true "$PYTHON" "$ROOT/scripts/browser/dashboard_e2e.py" \
    --base "$BASE" --token "$TOKEN" --out "$OUT" \
    --chromium "$CHROMIUM" --chromedriver "$CHROMEDRIVER" || status=$?
if [[ $status -ne 0 ]]; then
    demo_log
fi
say "Screenshots in $OUT; took $(($(date +%s) - START)) s."
exit "$status"
