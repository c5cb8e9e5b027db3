#!/usr/bin/env bash
# Server memory per guest, and what is given back when the guests leave (BENCHMARKS.md,
# "Memory per guest"). For each guest count: start a fresh release parley-server (emulator
# backend, no grant rate limit, a short session TTL so that expiry happens within the run), run
# `parley-headless load` at one message per 5 s per guest, and read the server's VmRSS
#   idle     before any guest,
#   loaded   while every guest is still connected (during the drain),
#   left     LINGER s after the load client exited (sockets closed; sessions kept for their TTL,
#            as Genesys keeps them for a reconnect),
#   expired  once every session has passed its TTL and the periodic sweep has run,
#   settled  SETTLE s later (the allocator gives freed pages back with a delay).
# Per-guest cost is the slope of `loaded` between successive guest counts, so fixed costs
# (runtime, thread stacks, allocator arenas) do not count.
# Loopback only; client and server share the machine's cores.
#
#   cargo build --release -p parley-server -p parley-headless
#   headless/bench/memory.sh 1000 3000              # default: 1000 3000
#
# Environment: DURATION (s, default 20), RATE (msg/s/guest, default 0.2), PORT (default 18090),
# TTL (session TTL in s, default 40), LINGER (s, default 5), and anything the server reads
# (e.g. MALLOC_ARENA_MAX) is passed through; SERVER (default target/release/parley-server) picks
# the server binary, so a copy of an earlier build can be compared.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=target/release
duration=${DURATION:-20}
rate=${RATE:-0.2}
port=${PORT:-18090}
ttl=${TTL:-40}
linger=${LINGER:-5}
counts=("$@")
[ ${#counts[@]} -gt 0 ] || counts=(1000 3000)
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
out=$(mktemp -d)
echo "# $(date -u +%FT%TZ) commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- server || echo '+dirty') · $(nproc) cores · duration ${duration}s · rate ${rate}/s/guest · ttl ${ttl}s · loadavg $(cut -d' ' -f1-3 /proc/loadavg)"

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
# The sweep runs every TTL/4 (1–60 s); a session expires TTL after its last message.
sweep=$(( ttl / 4 )); [ "$sweep" -ge 1 ] || sweep=1; [ "$sweep" -le 60 ] || sweep=60

prev_n=""; prev_loaded=""
for n in "${counts[@]}"; do
  ramp=$(( n / 500 )); [ "$ramp" -ge 2 ] || ramp=2
  PARLEY_ADDR=127.0.0.1:$port PARLEY_GRANT_RATE_PER_MINUTE=0 RUST_LOG=warn \
    PARLEY_EMULATOR_SESSION_TTL_SECS=$ttl \
    "${SERVER:-$bin/parley-server}" >"$out/server-$n.log" 2>&1 &
  server=$!
  for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
  idle=$(rss_kb "$server")
  ( sleep "$(( ramp + duration + 2 ))"; rss_kb "$server" >"$out/loaded-$n" ) &
  sampler=$!
  status=0
  "$bin/parley-headless" load --server "http://127.0.0.1:$port" --guests "$n" --rate "$rate" \
    --duration "$duration" --ramp "$ramp" --drain 5 --json >"$out/load-$n.json" 2>"$out/load-$n.err" || status=$?
  wait "$sampler" || true
  loaded=$(cat "$out/loaded-$n")
  sleep "$linger"
  left=$(rss_kb "$server")
  sessions_left=$(curl -sf "http://127.0.0.1:$port/emulator/stats" || echo '?')
  # The last message was sent at most (drain + linger) s ago; wait until its session's TTL has
  # passed and one more sweep has run.
  sleep "$(( ttl + sweep + 2 ))"
  expired=$(rss_kb "$server")
  sessions_expired=$(curl -sf "http://127.0.0.1:$port/emulator/stats" || echo '?')
  # And once more after SETTLE s (default 30): the allocator returns freed pages with a delay.
  sleep "${SETTLE:-30}"
  settled=$(rss_kb "$server")
  kill "$server"; wait "$server" 2>/dev/null || true
  read -r connected lost p99 < <(python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
print(r["guests"]["connected"], r["messages"]["lost"], r["latency_ms"]["echo"]["p99"])' "$out/load-$n.json" 2>/dev/null || echo "? ? ?")
  slope=""
  if [ -n "$prev_n" ]; then
    slope=$(python3 -c "print(f'{($loaded - $prev_loaded) * 1024 / ($n - $prev_n) / 1024:.1f} KiB/guest')")
    slope=" | slope $prev_n→$n: $slope"
  fi
  echo "N=$n connected $connected lost $lost echo p99 $p99 ms | RSS KiB idle $idle loaded $loaded left $left expired $expired settled $settled | (loaded-idle)/N $(( (loaded - idle) / n )) KiB$slope | exit $status"
  echo "   stats after leaving: $sessions_left"
  echo "   stats after expiry:  $sessions_expired"
  prev_n=$n; prev_loaded=$loaded
done
echo "# raw output in $out"
