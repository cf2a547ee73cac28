#!/usr/bin/env bash
# Crash safety across processes: `concord emulate` serves both systems, `concord run` (the production
# engine) runs against them as a separate process and is killed with SIGKILL at random moments,
# restarted each time from the same store. At the end the state dump is assembled from the emulators
# and the store, and the acceptance checker must pass orders, customers, stock, prices and exceptions
# (and, with PostgreSQL, where two engines share one database and one Cin7 budget, budget too).
#
#   scripts/kill-test.sh [--backend sqlite|postgres] [--kills N] [--scenario FILE] [--speed X]
#                        [--seed N] [--quick] [--keep] [--workdir DIR]
#
# --quick: scripts/scenarios/wholesale-day-quick.json at speed 120 with 3 kills (about a minute).
# Environment: CONCORD_BIN (default: $CARGO_TARGET_DIR or target/, release/concord, built if
# missing), SHARED (default: ../shared beside the repository), PG_URL (default
# postgres://postgres@127.0.0.1:5432). Exit 0 when the checker passes. See docs/crash-safety.md.
set -euo pipefail
# The whole script is one block, so bash has read all of it before it starts: editing the file
# while a run is going cannot change what that run executes.
{

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SHARED=${SHARED:-$(cd "$ROOT/.." && pwd)/shared}
PG_URL=${PG_URL:-postgres://postgres@127.0.0.1:5432}

backend=sqlite kills=5 scenario="" speed="" seed="" quick=0 keep=0 workdir=""
while [ $# -gt 0 ]; do
  case "$1" in
    --backend) backend=$2; shift 2 ;;
    --kills) kills=$2; shift 2 ;;
    --scenario) scenario=$2; shift 2 ;;
    --speed) speed=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --quick) quick=1; shift ;;
    --keep) keep=1; shift ;;
    --workdir) workdir=$2; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "kill-test: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
case "$backend" in sqlite|postgres) ;; *) echo "kill-test: --backend is sqlite or postgres" >&2; exit 2 ;; esac
if [ "$quick" = 1 ]; then
  scenario=${scenario:-$ROOT/scripts/scenarios/wholesale-day-quick.json}
  speed=${speed:-120}
  [ "$kills" = 5 ] && kills=3
fi
scenario=${scenario:-$SHARED/scenarios/wholesale-day.json}
speed=${speed:-60}
seed=${seed:-$(( $(date +%s) % 100000 ))}
checker=$SHARED/tools/check-scenario
[ -f "$scenario" ] || { echo "kill-test: no scenario at $scenario" >&2; exit 2; }
[ -f "$checker" ] || { echo "kill-test: no checker at $checker (set SHARED)" >&2; exit 2; }
scenario=$(cd "$(dirname "$scenario")" && pwd)/$(basename "$scenario")

BIN=${CONCORD_BIN:-${CARGO_TARGET_DIR:-$ROOT/target}/release/concord}
if [ ! -x "$BIN" ]; then
  echo "kill-test: building $BIN" >&2
  (cd "$ROOT" && cargo build --release -p concord --quiet)
fi

WORK=${workdir:-$(mktemp -d "${TMPDIR:-/tmp}/concord-kill.XXXXXX")}
mkdir -p "$WORK"
log() { printf '[kill-test %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
py() { python3 - "$@"; }

# --- processes and cleanup -------------------------------------------------------------------------
EMU_PID="" RUN_A_PID="" RUN_B_PID="" DB_NAME="" STATUS=1
cleanup() {
  for pid in $RUN_A_PID $RUN_B_PID $EMU_PID; do
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [ -n "$DB_NAME" ]; then
    psql "$PG_URL/postgres" -qAt -c "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" >/dev/null 2>&1 || true
  fi
  if [ "$STATUS" = 0 ] && [ "$keep" = 0 ] && [ -z "$workdir" ]; then
    rm -rf "$WORK"
  else
    echo "kill-test: logs, configs and the dump are in $WORK" >&2
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { py <<'EOF'
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()
EOF
}

# --- emulators -------------------------------------------------------------------------------------
log "scenario $(basename "$scenario"), speed $speed, backend $backend, $kills kills, seed $seed, work dir $WORK"
"$BIN" emulate --scenario "$scenario" --speed "$speed" >"$WORK/emulate.out" 2>"$WORK/emulate.log" &
EMU_PID=$!
# A large generated scenario takes a while to load: up to two minutes.
for _ in $(seq 1 1200); do
  [ -s "$WORK/emulate.out" ] && break
  kill -0 "$EMU_PID" 2>/dev/null || { cat "$WORK/emulate.log" >&2; exit 1; }
  sleep 0.1
done
head -n 1 "$WORK/emulate.out" >"$WORK/connection.json"
ORO_URL=$(py "$WORK/connection.json" <<'EOF'
import json, sys; print(json.load(open(sys.argv[1]))["oro"]["base_url"])
EOF
)
CIN7_URL=$(py "$WORK/connection.json" <<'EOF'
import json, sys; print(json.load(open(sys.argv[1]))["cin7"]["base_url"])
EOF
)
clock_s() {
  curl -fsS "$ORO_URL/_emulator/clock" 2>/dev/null \
    | python3 -c 'import json,sys; print(int(json.load(sys.stdin)["elapsed_s"]))' 2>/dev/null || echo 0
}

# --- store -----------------------------------------------------------------------------------------
if [ "$backend" = sqlite ]; then
  STORE="sqlite://$WORK/concord.db"
else
  DB_NAME="concord_kill_$(python3 -c 'import secrets; print(secrets.token_hex(5))')"
  psql "$PG_URL/postgres" -qAt -c "CREATE DATABASE $DB_NAME" >/dev/null
  STORE="$PG_URL/$DB_NAME"
fi

# --- one config per engine process -----------------------------------------------------------------
write_config() { # name port
  py "$WORK/connection.json" "$scenario" "$STORE" "$2" "$ORO_URL" >"$WORK/$1.toml" <<'EOF'
import json, secrets, sys
conn, sc = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
store, port, follow = sys.argv[3], int(sys.argv[4]), sys.argv[5]

def toml(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, list):
        return "[" + ", ".join(toml(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{k} = {toml(x)}" for k, x in v.items() if x is not None) + " }"
    raise TypeError(v)

limit = int(sc["cin7"].get("rate_limit", {}).get("calls_per_minute", 60))
# As `concord demo` sets it: Cin7's limit less Concord's headroom (demo::budget_for).
budget = max(1, limit - min(max(limit // 12, 1), limit - 1))
web = f"http://127.0.0.1:{port}"
out = ["[store]", f"url = {toml(store)}", "", "[oro]"]
out += [f"{k} = {toml(conn['oro'][k])}" for k in ("base_url", "client_id", "client_secret")]
if sc["oro"].get("webhooks"):
    out += [f"webhook_secret = {toml(secrets.token_hex(24))}", f"webhook_url = {toml(web)}"]
out += ["", "[cin7]"]
out += [f"{k} = {toml(conn['cin7'][k])}" for k in ("base_url", "account_id", "application_key")]
out += [f"calls_per_minute = {budget}"]
if sc["cin7"].get("webhooks"):
    out += [f"webhook_url = {toml(web)}", f"webhook_token = {toml(secrets.token_hex(24))}"]
out += ["", "[rules]"]
out += [f"{k} = {toml(v)}" for k, v in sc.get("settings", {}).items() if v is not None]
out += ["", "[web]", f"listen = {toml(f'127.0.0.1:{port}')}", "", "[clock]", f"follow = {toml(follow)}"]
print("\n".join(out))
EOF
}
start_run() { # name -> sets RUN_<name>_PID
  # CONCORD_* variables are config overrides to `concord run`; CONCORD_BIN is only ours.
  env -u CONCORD_BIN "$BIN" run --config "$WORK/$1.toml" >>"$WORK/run-$1.log" 2>&1 &
  eval "RUN_$1_PID=$!"
}

write_config A "$(free_port)"
start_run A
if [ "$backend" = postgres ]; then
  write_config B "$(free_port)"
  start_run B
fi

# --- the kill plan ---------------------------------------------------------------------------------
# Random moments between the first and the last timeline event (plus a little), every other one
# armed to fire right after the next Cin7 sale write (the duplicate-sale window), plus the
# scenario's own concord_crash times.
py "$scenario" "$kills" "$seed" >"$WORK/plan.txt" <<'EOF'
import json, random, sys
sc, n, seed = json.load(open(sys.argv[1])), int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(seed)
times = [e["at_s"] for e in sc["timeline"]]
lo, hi = min(times), max(times) + 300
plan = sorted(rng.uniform(lo, hi) for _ in range(n))
rows = [(t, "after-sale-write" if i % 2 else "random") for i, t in enumerate(plan)]
rows += [(e["at_s"], "concord_crash") for e in sc["timeline"] if e["event"] == "concord_crash"]
for t, how in sorted(rows):
    print(int(t), how)
print("END", int(max(times)))
EOF
TIMELINE_END=$(awk '$1 == "END" {print $2}' "$WORK/plan.txt")

cin7_state() { curl -fsS "$CIN7_URL/_emulator/state"; }
sale_writes() { # number of POST/PUT calls on /sale* so far
  cin7_state | python3 -c '
import json, sys
log = json.load(sys.stdin)["api_log"]["cin7"]
print(sum(1 for x in log if x.get("method") in ("POST", "PUT") and str(x.get("path", "")).lower().startswith("/sale")))'
}

victim_alive_check() { # a run that exits on its own is a finding, not a kill
  for name in A B; do
    eval "pid=\${RUN_${name}_PID}"
    [ -n "$pid" ] || continue
    if ! kill -0 "$pid" 2>/dev/null; then
      wait "$pid" 2>/dev/null && rc=0 || rc=$?
      log "UNEXPECTED: run $name (pid $pid) exited on its own with status $rc; restarting it"
      echo "run $name exited on its own with status $rc" >>"$WORK/unexpected.txt"
      start_run "$name"
    fi
  done
}

kills_done=0
while read -r at how; do
  [ "$at" = END ] && break
  while [ "$(clock_s)" -lt "$at" ]; do victim_alive_check; sleep 0.3; done
  if [ "$how" = after-sale-write ]; then
    before=$(sale_writes)
    deadline=$(( $(clock_s) + 900 ))
    while [ "$(sale_writes)" -le "$before" ] && [ "$(clock_s)" -lt "$deadline" ]; do sleep 0.15; done
  fi
  victim_alive_check
  kill -KILL "$RUN_A_PID"
  wait "$RUN_A_PID" 2>/dev/null || true
  kills_done=$((kills_done + 1))
  log "kill $kills_done ($how) of run A at scenario second $(clock_s)"
  echo "=== SIGKILL ($how) at scenario second $(clock_s) ===" >>"$WORK/run-A.log"
  sleep "$(python3 -c "import random; random.seed($seed + $kills_done); print(round(random.uniform(0.2, 3.0), 2))")"
  start_run A
done <"$WORK/plan.txt"

# --- settle: the timeline is over and nothing writes any more ---------------------------------------
QUIET_S=900
log "all $kills_done kills done; waiting for the run to settle (timeline ends at $TIMELINE_END s, then $QUIET_S s without writes)"
settle_deadline=$(( $(date +%s) + 600 ))
while :; do
  victim_alive_check
  now=$(clock_s)
  last_write=$( { cin7_state; echo; curl -fsS "$ORO_URL/_emulator/state"; } | python3 -c '
import json, sys
last = 0.0
for line in sys.stdin:
    line = line.strip()
    if not line:
        continue
    for system, calls in json.loads(line)["api_log"].items():
        for x in calls:
            path = str(x.get("path", "")).lower()
            if x.get("method") != "GET" and "token" not in path and "webhook" not in path:
                last = max(last, float(x.get("at_s", 0)))
print(int(last))')
  busy=$("$BIN" jobs list --store "$STORE" --kind order.sync --state running 2>/dev/null | grep -c 'order.sync' || true)
  if [ "$now" -ge $((TIMELINE_END + 300)) ] && [ $((now - last_write)) -ge "$QUIET_S" ] && [ "$busy" = 0 ]; then
    log "settled at scenario second $now (last write at $last_write)"
    break
  fi
  if [ "$(date +%s)" -gt "$settle_deadline" ]; then
    log "did not settle within 10 minutes (last write at $last_write, now $now); checking anyway"
    break
  fi
  sleep 1
done

# --- what run A cost since its last start (with --kills 0: Concord alone, emulators apart) ----------
# utime + stime from /proc/PID/stat (fields 14 and 15, in clock ticks) and the peak resident set.
if [ -r "/proc/$RUN_A_PID/stat" ]; then
  read -r cpu_s rss_mb < <(py "$RUN_A_PID" <<'EOF'
import os, sys
pid = sys.argv[1]
stat = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
ticks = os.sysconf("SC_CLK_TCK")
cpu = (int(stat[11]) + int(stat[12])) / ticks
hwm = next(l.split()[1] for l in open(f"/proc/{pid}/status") if l.startswith("VmHWM:"))
print(f"{cpu:.2f} {int(hwm) / 1024:.1f}")
EOF
)
  log "run A since its last start: $cpu_s CPU s, peak RSS $rss_mb MB"
  printf '{"run_a_cpu_s": %s, "run_a_peak_rss_mb": %s}\n' "$cpu_s" "$rss_mb" >"$WORK/run-a-cost.json"
fi

# --- the state dump --------------------------------------------------------------------------------
ENDED=$(clock_s)
cin7_state >"$WORK/cin7-state.json"
curl -fsS "$ORO_URL/_emulator/state" >"$WORK/oro-state.json"
"$BIN" exceptions list --store "$STORE" --format json --status all >"$WORK/exceptions.json"
"$BIN" jobs list --store "$STORE" >"$WORK/jobs.txt" 2>&1 || true
py "$scenario" "$ENDED" "$WORK" >"$WORK/dump.json" <<'EOF'
import json, sys
sc, ended, work = json.load(open(sys.argv[1])), float(sys.argv[2]), sys.argv[3]
cin7 = json.load(open(f"{work}/cin7-state.json"))
oro = json.load(open(f"{work}/oro-state.json"))
exc = json.load(open(f"{work}/exceptions.json"))
print(json.dumps({
    "scenario": sc["name"],
    "ended_at_s": ended,
    "cin7": cin7["cin7"],
    "oro": oro["oro"],
    "concord": {"exceptions": [{k: e.get(k) for k in ("kind", "owner", "subject", "status", "occurrences", "explanation")} for e in exc]},
    "api_log": {"cin7": cin7["api_log"]["cin7"], "oro": oro["api_log"]["oro"]},
}, indent=1))
EOF

areas=orders,customers,stock,prices,exceptions
log "state dump: $WORK/dump.json; checking $areas"
py "$WORK/dump.json" <<'EOF'
import json, sys
from collections import Counter
d = json.load(open(sys.argv[1]))
ext = Counter(str(s.get("ExternalID")) for s in d["cin7"]["sales"])
dups = {k: n for k, n in ext.items() if n > 1}
writes = sum(1 for x in d["api_log"]["cin7"] if x.get("method") == "POST" and str(x.get("path")).lower() == "/sale")
print(f"kill-test: {len(d['cin7']['sales'])} Cin7 sales, {writes} POST /sale calls, duplicate ExternalIDs: {dups or 'none'}")
EOF
set +e
"$checker" "$scenario" "$WORK/dump.json" --only "$areas" | tee "$WORK/check.txt"
verdict=${PIPESTATUS[0]}
# Two engines on one database must share one Cin7 budget: the peak calls in any 60 s of scenario
# time (the checker's budget area) stays within the limit. The rest of that area (calls per order,
# p95 latency) pays for every restart's warm-up reads, so it is shown, not judged.
if [ "$backend" = postgres ]; then
  "$checker" "$scenario" "$WORK/dump.json" --only budget | tee "$WORK/check-budget.txt"
  read -r peak limit < <(sed -n 's|.*peak cin7 calls/60s \([0-9]*\)/\([0-9]*\).*|\1 \2|p' "$WORK/check-budget.txt")
  if [ -n "${peak:-}" ] && [ "$peak" -le "$limit" ]; then
    log "shared Cin7 budget held: peak $peak calls in 60 s (limit $limit)"
  else
    log "shared Cin7 budget broken: peak ${peak:-?} calls in 60 s (limit ${limit:-?})"; verdict=1
  fi
fi
echo "kill-test: for information, every area (the scenario's own calls-per-order and latency included):"
"$checker" "$scenario" "$WORK/dump.json" --quiet | tail -n 1
set -e
if [ -s "$WORK/unexpected.txt" ]; then
  log "the engine exited on its own during the run:"; cat "$WORK/unexpected.txt"
  verdict=1
fi
if [ "$verdict" = 0 ]; then
  log "PASS: $kills_done SIGKILLs, checker passes $areas"
  STATUS=0
else
  log "FAIL: see $WORK"
fi
exit "$verdict"
}
