// Delivery over a bad network (issue 9): the page, its bundle, grant, history and WebSocket all go
// through a TCP proxy that cuts every connection 1–4 s after it opened. A visitor typing a
// message every 0.7 s still gets each of 80 messages delivered exactly once, within two minutes
// of the last one: shown once each, in order, "sent", and received once each, in order, by the
// emulator. A back-off that kept growing across connections that worked for a few seconds, or a
// resend that doubled a message after a cut, fails it.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startBehindCuttingProxy } from '../lib/cutting-proxy.mjs';
import { pacedTexts, typeAtPace, waitUntilAllSent, deliveryTimes } from '../lib/paced-typing.mjs';
import { Visitor } from '../lib/visitor.mjs';

const MESSAGES = 80;
const INTERVAL_MS = 700;
const DELIVERED_WITHIN_MS = 120_000;

let parley;
before(async () => {
  parley = await startBehindCuttingProxy({ seed: 9, minMs: 1_000, maxMs: 4_000 });
});
after(async () => {
  await parley?.close();
});

test(`${MESSAGES} messages typed every ${INTERVAL_MS} ms through a proxy cutting every connection after 1–4 s: each delivered once, in order, within 2 minutes of the last`, { timeout: 240_000 }, async () => {
  const visitor = await Visitor.arrive(parley);
  try {
    // The first connections may be cut mid-handshake too: a longer safety net for being ready.
    await visitor.waitUntilReady(60_000);
    const token = await visitor.token();
    await visitor.startRecording();

    const texts = pacedTexts(MESSAGES);
    await typeAtPace(visitor, texts, INTERVAL_MS);
    await waitUntilAllSent(visitor, texts, DELIVERED_WITHIN_MS);

    const log = await visitor.recorded();
    const times = deliveryTimes(log, texts);
    const outages = log.filter((record) => record.what === 'connection' && record.state !== 'ready').length;
    console.log(
      `# chaos: ${MESSAGES} messages every ${INTERVAL_MS} ms, connections cut after ${parley.proxy.minMs}–${parley.proxy.maxMs} ms ` +
        `(${parley.proxy.stats.cut} cut): typed at ${times.typedPerSecond.toFixed(2)} msg/s, ${times.perSecond.toFixed(2)} msg/s confirmed, last send → last confirmation ` +
        `${times.drainMs} ms, ${outages} connection outages shown`,
    );
    assert.ok(parley.proxy.stats.cut >= 10, `the proxy cut connections during the run: ${JSON.stringify(parley.proxy.stats.cut)}`);
    assert.ok(outages >= 1, 'the window saw its connection go down at least once');

    const shown = (await visitor.entries()).filter((entry) => entry.kind === 'guest');
    assert.deepEqual(
      shown.map((entry) => entry.text),
      texts,
      'each message shows once, in order',
    );
    assert.deepEqual(
      shown.filter((entry) => entry.state !== 'sent').map((entry) => `${entry.text}: ${entry.state}`),
      [],
      'every message is confirmed',
    );
    assert.equal(await visitor.token(), token, 'the same conversation throughout');
    assert.deepEqual(await visitor.serverGuestTexts(token), texts, 'the emulator received each message once, in order');
  } finally {
    await visitor.leave();
  }
});
