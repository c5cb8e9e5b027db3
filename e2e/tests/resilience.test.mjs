// Nothing is lost when the network or Genesys misbehaves: a socket dropped mid-burst (and new
// sockets refused for a second) and forced 429s still end with every message delivered exactly
// once, in order, marked sent — in the window and in what the emulator recorded.

import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startParley } from '../lib/harness.mjs';
import { Visitor, HELP, exactly } from '../lib/visitor.mjs';

let parley;
before(async () => {
  parley = await startParley();
});
after(async () => {
  await parley?.close();
});
afterEach(async () => {
  await parley.server.fault({ fault: 'reset' });
});

// Counts sockets the page opened and error frames it received (evidence that a fault bit).
function watchSockets(page) {
  const seen = { opened: 0, closed: 0, rateLimited: 0 };
  page.on('websocket', (socket) => {
    seen.opened += 1;
    socket.on('close', () => (seen.closed += 1));
    socket.on('framereceived', ({ payload }) => {
      if (String(payload).includes('TooManyRequestsErrorMessage')) seen.rateLimited += 1;
    });
  });
  return seen;
}

// The guest texts in the window, in order, with their delivery states.
async function guestEntries(visitor, pattern) {
  return (await visitor.entries()).filter((entry) => entry.kind === 'guest' && pattern.test(entry.text));
}

test('20 messages sent across a dropped socket all arrive once, in order, and end "sent"', { timeout: 120_000 }, async () => {
  let sockets;
  const visitor = await Visitor.arrive(parley, { beforeNavigation: (page) => (sockets = watchSockets(page)) });
  try {
    await visitor.waitUntilReady();
    const token = await visitor.token();
    await visitor.startRecording();
    const texts = Array.from({ length: 20 }, (_, i) => `burst ${String(i + 1).padStart(2, '0')}`);
    for (const [i, text] of texts.entries()) {
      await visitor.send(text);
      if (i === 4) {
        await parley.server.fault({ fault: 'refuse_sockets', seconds: 1 });
        await parley.server.fault({ fault: 'drop_sockets', token });
      }
    }

    await visitor.waitForEntry({ kind: 'guest', text: /^burst \d\d$/, state: 'sent', count: 20 }, 90_000);
    await visitor.waitForConnection('ready');

    const shown = await guestEntries(visitor, /^burst \d\d$/);
    assert.deepEqual(shown.map((entry) => entry.text), texts, 'each message shown once, in order');
    assert.ok(shown.every((entry) => entry.state === 'sent'), JSON.stringify(shown));
    const states = (await visitor.recorded()).filter((event) => event.what === 'connection').map((event) => event.state);
    assert.ok(states.includes('reconnecting'), `the window showed the reconnect: ${states.join(' → ')}`);
    assert.ok(sockets.opened >= 2, `a new socket was opened after the drop (opened ${sockets.opened})`);

    const recorded = (await visitor.serverGuestTexts(token)).filter((text) => /^burst \d\d$/.test(text));
    assert.deepEqual(recorded, texts, 'the emulator recorded each message exactly once, in order');
  } finally {
    await visitor.leave();
  }
});

test('forced 429s delay messages but each is still delivered once and ends "sent"', { timeout: 90_000 }, async () => {
  let sockets;
  const visitor = await Visitor.arrive(parley, { beforeNavigation: (page) => (sockets = watchSockets(page)) });
  try {
    await visitor.waitUntilReady();
    const token = await visitor.token();
    await parley.server.fault({ fault: 'force_rate_limit', count: 3, token });
    const texts = ['limited 1', 'limited 2', 'limited 3', 'limited 4', 'limited 5'];
    for (const text of texts) await visitor.send(text);

    await visitor.waitForEntry({ kind: 'guest', text: /^limited \d$/, state: 'sent', count: texts.length }, 60_000);
    const shown = await guestEntries(visitor, /^limited \d$/);
    assert.deepEqual(shown.map((entry) => entry.text), texts);
    assert.ok(shown.every((entry) => entry.state === 'sent'), JSON.stringify(shown));
    assert.ok(sockets.rateLimited >= 1, 'the emulator answered at least one send with 429');
    assert.equal(
      (await visitor.page.locator('[data-parley-entry][data-kind="guest"][data-state="failed"]').count()),
      0,
      'no message was marked failed',
    );

    const recorded = (await visitor.serverGuestTexts(token)).filter((text) => /^limited \d$/.test(text));
    assert.deepEqual(recorded, texts, 'the emulator recorded each message exactly once, in order');
  } finally {
    await visitor.leave();
  }
});

test('frames delivered out of order still leave every message once, in send order, "sent"', { timeout: 90_000 }, async () => {
  // The emulator's deterministic ids (emu-msg-000001 …) follow creation order: record the order
  // the page receives them in, to show the fault really reordered frames.
  const arrivals = [];
  const visitor = await Visitor.arrive(parley, {
    beforeNavigation: (page) =>
      page.on('websocket', (socket) =>
        socket.on('framereceived', ({ payload }) => {
          const id = /"id":"emu-msg-(\d+)"/.exec(String(payload));
          if (id) arrivals.push(Number(id[1]));
        }),
      ),
  });
  try {
    await visitor.waitUntilReady();
    const token = await visitor.token();
    await parley.server.fault({ fault: 'reorder_frames', enabled: true });
    const texts = ['swapped 1', 'swapped 2', 'swapped 3', 'swapped 4', 'swapped 5', 'swapped 6'];
    for (const text of texts) await visitor.send(text);

    await visitor.waitForEntry({ kind: 'guest', text: /^swapped \d$/, state: 'sent', count: texts.length }, 60_000);
    await visitor.waitForEntry({ kind: 'bot', text: exactly(HELP), count: texts.length }, 60_000);
    const shown = await guestEntries(visitor, /^swapped \d$/);
    assert.deepEqual(shown.map((entry) => entry.text), texts, 'shown once each, in send order');
    assert.ok(shown.every((entry) => entry.state === 'sent'), JSON.stringify(shown));
    // The window orders by server time, whatever order the frames came in: the same order as
    // the emulator's own record sorted by its time stamps.
    const order = (await visitor.entries()).filter((e) => e.kind !== 'system').map((e) => `${e.kind}:${e.text}`);
    const server = (await parley.server.transcript(token)).messages
      .filter((m) => typeof m.text === 'string' && m.text !== '')
      .sort((a, b) => a.channel.time.localeCompare(b.channel.time))
      .map((m) => `${m.direction === 'Inbound' ? 'guest' : 'bot'}:${m.text}`);
    assert.deepEqual(order, server);
    assert.deepEqual(server.filter((line) => line.startsWith('guest:')), texts.map((text) => `guest:${text}`));
    assert.ok(
      arrivals.some((id, i) => i > 0 && id < arrivals[i - 1]),
      `frames arrived out of creation order: ${arrivals.join(' ')}`,
    );
  } finally {
    await visitor.leave();
  }
});

test('offline: the window says so, holds a message typed meanwhile, and sends it once when back online', { timeout: 60_000 }, async () => {
  const visitor = await Visitor.arrive(parley);
  try {
    await visitor.waitUntilReady();
    const token = await visitor.token();
    await visitor.page.context().setOffline(true);
    // Emulated offline leaves an open loopback socket alone; the emulator cuts it, as a real
    // network loss would.
    await parley.server.fault({ fault: 'drop_sockets', token });

    await visitor.waitForConnection('offline');
    await visitor.connection.filter({ hasText: 'Offline' }).waitFor();
    await visitor.send('typed while offline');
    await visitor.waitForEntry({ kind: 'guest', text: exactly('typed while offline'), state: 'sending' });

    await visitor.page.context().setOffline(false);
    await visitor.waitForEntry({ kind: 'guest', text: exactly('typed while offline'), state: 'sent' });
    await visitor.waitForConnection('ready');
    const shown = await guestEntries(visitor, /^typed while offline$/);
    assert.equal(shown.length, 1);
    assert.deepEqual(await visitor.serverGuestTexts(token), ['typed while offline']);
  } finally {
    await visitor.leave();
  }
});
