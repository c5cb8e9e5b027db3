// Delivery under a cutting proxy (BENCHMARKS.md): one visitor in headless Chromium types
// `--messages` messages, one every `--interval` ms, with everything (page, bundle, grant,
// history, WebSocket) going through e2e/lib/cutting-proxy.mjs, which cuts each connection after
// a seeded random `--min`…`--max` ms. Measured in the page (its own recording of when each entry
// appeared and first showed "sent"): messages confirmed per second from the first send to the
// last confirmation, the time from the last send to the last confirmation, and each message's
// send → "sent" (p50, p95, max); also connections cut, outages the window showed, and what the
// emulator received (lost / doubled).
// `--seeds=a,b,…` runs once per seed; `--baseline` adds a run through the same proxy with no
// cuts (each connection lives an hour) for comparison.
//
//   bash scripts/lib/bundle.sh && cargo build --release -p parley-server
//   node e2e/bench/chaos.mjs [--messages=80] [--interval=700] [--min=1000] [--max=4000] [--seeds=9,10,11] [--baseline]
//
// The vendor's policy for comparison (a fixed 5 s between reconnects, no jitter, no growth): a
// bench-only build of the window, served instead of dist/:
//
//   PARLEY_BENCH_RETRY=fixed-5s bash scripts/lib/bundle.sh --dist dist-fixed-5s
//   PARLEY_DIST=$PWD/dist-fixed-5s node e2e/bench/chaos.mjs --seeds=9,10,11
//
// Prints numbers; asserts nothing about them.

import { startBehindCuttingProxy } from '../lib/cutting-proxy.mjs';
import { pacedTexts, typeAtPace, waitUntilAllSent, deliveryTimes } from '../lib/paced-typing.mjs';
import { Visitor } from '../lib/visitor.mjs';
import { intArg, percentile } from './lib.mjs';

const MESSAGES = intArg('messages', 80);
const INTERVAL_MS = intArg('interval', 700);
const MIN_MS = intArg('min', 1_000);
const MAX_MS = intArg('max', 4_000);
const SEEDS = (process.argv.find((arg) => arg.startsWith('--seeds='))?.split('=')[1] ?? '9')
  .split(',')
  .map((seed) => Number.parseInt(seed, 10));
const BASELINE = process.argv.includes('--baseline');
// Generous: the benchmark reports how long delivery took, it does not judge it.
const GIVE_UP_AFTER_MS = 300_000;

async function run(label, { seed, minMs, maxMs }) {
  const parley = await startBehindCuttingProxy({ seed, minMs, maxMs });
  const visitor = await Visitor.arrive(parley);
  try {
    await visitor.waitUntilReady(60_000);
    const token = await visitor.token();
    await visitor.startRecording();
    const texts = pacedTexts(MESSAGES);
    await typeAtPace(visitor, texts, INTERVAL_MS);
    let finished = true;
    await waitUntilAllSent(visitor, texts, GIVE_UP_AFTER_MS).catch(() => (finished = false));
    const log = await visitor.recorded();
    const times = deliveryTimes(log, texts);
    const outages = log.filter((record) => record.what === 'connection' && record.state !== 'ready').length;
    const received = await visitor.serverGuestTexts(token);
    const counts = new Map();
    for (const text of received) counts.set(text, (counts.get(text) ?? 0) + 1);
    const lost = texts.filter((text) => !counts.has(text)).length;
    const doubled = [...counts.values()].reduce((extra, n) => extra + n - 1, 0);
    const inOrder = JSON.stringify(received) === JSON.stringify(texts);
    console.log(
      `${label}: ${MESSAGES} messages every ${INTERVAL_MS} ms (typed at ${times.typedPerSecond.toFixed(2)} msg/s) | ${times.perSecond.toFixed(2)} msg/s confirmed | ` +
        `last send → last confirmation ${finished ? `${times.drainMs} ms` : `> ${GIVE_UP_AFTER_MS} ms (${times.unconfirmed.length} unconfirmed)`} | ` +
        `send → sent p50 ${percentile(times.latenciesMs, 50).toFixed(0)} p95 ${percentile(times.latenciesMs, 95).toFixed(0)} max ${Math.max(...times.latenciesMs).toFixed(0)} ms | ` +
        `${parley.proxy.stats.cut} connections cut, ${outages} outages shown | emulator: lost ${lost}, doubled ${doubled}, in order ${inOrder}`,
    );
  } finally {
    await visitor.leave();
    await parley.close();
  }
}

console.log(
  `# ${new Date().toISOString()} · Chromium headless · release server behind e2e/lib/cutting-proxy.mjs · bundle ${process.env.PARLEY_DIST ?? 'dist'}`,
);
for (const seed of SEEDS) {
  await run(`cut after ${MIN_MS}–${MAX_MS} ms (seed ${seed})`, { seed, minMs: MIN_MS, maxMs: MAX_MS });
}
if (BASELINE) {
  await run('no cuts (same proxy, connections live 1 h)', { seed: SEEDS[0], minMs: 3_600_000, maxMs: 3_600_000 });
}
