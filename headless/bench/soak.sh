#!/usr/bin/env bash
# Delivery soak with `parley-headless load` (issue 9; BENCHMARKS.md, "Delivery soak").
#
# Starts a release parley-server (emulator backend, no grant rate limit) on a loopback port,
# drops every guest socket every DROP_EVERY seconds through `POST /emulator/faults` while
# GUESTS guests send for DURATION seconds, and prints one summary line plus the JSON report.
# Expected: lost 0 and duplicated 0 (`load` reads every guest's emulator transcript to count
# copies), and `load` exits 0. The script exits with `load`'s status.
#
#   cargo build --release -p parley-server -p parley-headless
#   headless/bench/soak.sh
#
# Environment: GUESTS (default 100), DURATION (s, default 60), RATE (msg/s/guest, default 0.5),
# DROP_EVERY (s, default 2), DRAIN (s, default 30), PORT (default 18090).
# The small version of this soak runs in the test suite: headless/tests/suite/soak.rs.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=target/release
guests=${GUESTS:-100}
duration=${DURATION:-60}
rate=${RATE:-0.5}
drop_every=${DROP_EVERY:-2}
drain=${DRAIN:-30}
port=${PORT:-18090}
base="http://127.0.0.1:$port"
out=$(mktemp -d)
echo "# $(date -u +%FT%TZ) commit $(git rev-parse --short HEAD) · $(nproc) cores · $guests guests · ${duration}s at ${rate}/s/guest · every socket dropped every ${drop_every}s"

PARLEY_ADDR=127.0.0.1:$port PARLEY_GRANT_RATE_PER_MINUTE=0 RUST_LOG=warn \
  "$bin/parley-server" >"$out/server.log" 2>&1 &
server=$!
dropper=
cleanup() {
  [ -n "$dropper" ] && kill "$dropper" 2>/dev/null || true
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
}
trap cleanup EXIT
for _ in $(seq 100); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.1; done

# The fault: every socket cut (no close frame) every DROP_EVERY seconds, for as long as load runs.
(
  drops=0
  while sleep "$drop_every"; do
    curl -sf -X POST -H 'content-type: application/json' -d '{"fault":"drop_sockets"}' \
      "$base/emulator/faults" >/dev/null && drops=$((drops + 1)) && echo "$drops" >"$out/drops"
  done
) &
dropper=$!

status=0
"$bin/parley-headless" load --server "$base" --guests "$guests" --rate "$rate" \
  --duration "$duration" --ramp 5 --drain "$drain" --json >"$out/load.json" 2>"$out/load.err" || status=$?
kill "$dropper" 2>/dev/null || true
dropper=

python3 - "$out/load.json" "$status" "$(cat "$out/drops" 2>/dev/null || echo 0)" <<'PY'
import json, sys
path, status, drops = sys.argv[1:]
try:
    r = json.load(open(path))
except Exception as e:
    print(f"no report ({e}); exit {status}"); sys.exit()
m, g, l = r["messages"], r["guests"], r["latency_ms"]
print(f"soak: {g['connected']}/{g['requested']} guests, {drops} drops of every socket | sent {m['sent']} echoed {m['echoed']} "
      f"lost {m['lost']} duplicated {m['duplicated']} ({m['transcripts_checked']} transcripts checked) | "
      f"echo p50 {l['echo']['p50']:.0f} p99 {l['echo']['p99']:.0f} max {l['echo']['max']:.0f} ms | "
      f"reconnects {r['errors'].get('reconnect', 0)} | in {r['elapsed_s']} s | exit {status}")
PY
cat "$out/load.json"; echo
echo "# raw output in $out"
exit "$status"
