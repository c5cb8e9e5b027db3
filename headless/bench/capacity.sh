#!/usr/bin/env bash
# Emulator capacity with `parley-headless load` (BENCHMARKS.md, "Emulator capacity").
#
# For each guest count: start a fresh release parley-server (emulator backend, no grant rate
# limit) on a loopback port, read its RSS idle, run `load` at one message per 5 s per guest,
# read its RSS again while every guest is still connected (during the drain), stop it, and
# print one summary line (with the load client's own peak RSS) plus the JSON report.
# Loopback only; client and server share the machine's cores.
#
#   cargo build --release -p parley-server -p parley-headless
#   headless/bench/capacity.sh [N ...]            # default: 100 500 1000 2000 5000 10000
#
# Environment: DURATION (s, default 30), RATE (msg/s/guest, default 0.2), PORT (default 18080),
# AGENT_DELAY_MS (the scripted agent's typing time, default: the emulator's 900 ms).
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=target/release
duration=${DURATION:-30}
rate=${RATE:-0.2}
port=${PORT:-18080}
counts=("$@")
[ ${#counts[@]} -gt 0 ] || counts=(100 500 1000 2000 5000 10000)
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
out=$(mktemp -d)
echo "# $(date -u +%FT%TZ) commit $(git rev-parse --short HEAD) · $(nproc) cores · fd limit $(ulimit -n) · duration ${duration}s · rate ${rate}/s/guest"

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

for n in "${counts[@]}"; do
  ramp=$(( n / 500 )); [ "$ramp" -ge 2 ] || ramp=2
  PARLEY_ADDR=127.0.0.1:$port PARLEY_GRANT_RATE_PER_MINUTE=0 RUST_LOG=warn \
    ${AGENT_DELAY_MS:+PARLEY_EMULATOR_AGENT_DELAY_MS=$AGENT_DELAY_MS} \
    "$bin/parley-server" >"$out/server-$n.log" 2>&1 &
  server=$!
  for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
  idle=$(rss_kb "$server")
  # Sample the server's RSS once all guests have stopped sending but are still connected.
  ( sleep "$(echo "$ramp + $duration + 2" | bc)"; rss_kb "$server" >"$out/peak-$n" ) &
  sampler=$!
  status=0
  load_before=$(cut -d' ' -f1 /proc/loadavg)
  /usr/bin/time -f "%M %U %S" -o "$out/client-rss-$n" "$bin/parley-headless" load --server "http://127.0.0.1:$port" --guests "$n" --rate "$rate" \
    --duration "$duration" --ramp "$ramp" --drain 5 --json >"$out/load-$n.json" 2>"$out/load-$n.err" || status=$?
  wait "$sampler" || true
  # utime + stime of the server, in clock ticks (fields 14 and 15 of /proc/<pid>/stat).
  server_cpu=$(awk -v hz="$(getconf CLK_TCK)" '{printf "%.1f", ($14 + $15) / hz}' "/proc/$server/stat")
  load_after=$(cut -d' ' -f1 /proc/loadavg)
  kill "$server"; wait "$server" 2>/dev/null || true
  peak=$(cat "$out/peak-$n" 2>/dev/null || echo 0)
  per_guest=$(( (peak - idle) * 1024 / n ))
  client=$(tail -1 "$out/client-rss-$n" 2>/dev/null || echo "0 0 0")
  python3 - "$out/load-$n.json" "$n" "$idle" "$peak" "$per_guest" "$status" "$client" \
    "$server_cpu" "$load_before" "$load_after" <<'PY'
import json, sys
path, n, idle, peak, per_guest, status, client, server_cpu, load_before, load_after = sys.argv[1:]
client_rss, client_user, client_sys = client.split()
try:
    r = json.load(open(path))
except Exception as e:
    print(f"N={n}: no report ({e}); exit {status}"); sys.exit()
l, m, g = r["latency_ms"], r["messages"], r["guests"]
print(f"N={n:>5} connected {g['connected']:>5} failed {g['failed']:>4} | sent {m['sent']:>6} lost {m['lost']} | "
      f"echo p50 {l['echo']['p50']:.1f} p99 {l['echo']['p99']:.1f} max {l['echo']['max']:.1f} ms | "
      f"reply p99 {l['reply']['p99']:.0f} ms | connect p50 {l['connect']['p50']:.0f} p99 {l['connect']['p99']:.0f} ms | "
      f"server RSS {int(idle)//1024} -> {int(peak)//1024} MiB ({int(per_guest)/1024:.1f} KiB/guest) | client max RSS {int(client_rss)//1024} MiB | CPU s: server {server_cpu}, client {float(client_user) + float(client_sys):.1f} "
      f"in {r['elapsed_s']} s | loadavg {load_before} -> {load_after} | errors {r['errors'] or 'none'} | exit {status}")
PY
  cat "$out/load-$n.json"; echo
done
echo "# raw output in $out"
