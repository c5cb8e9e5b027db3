// Delivery when history does not carry the client message id: the emulator runs with
// PARLEY_EMULATOR_HISTORY_METADATA=off (history serves the guest's messages without the
// `metadata` they were sent with, as a real org might), so after a reload or a reconnect the
// window can only match history to its unconfirmed messages by text and time. Each message must
// still reach the emulator once, in order, and show once on the page.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startParley } from '../lib/harness.mjs';
import { Visitor, exactly } from '../lib/visitor.mjs';
import { fiveOfflineThenReload } from '../lib/scenarios.mjs';

let parley;
before(async () => {
  parley = await startParley({ env: { PARLEY_EMULATOR_HISTORY_METADATA: 'off' } });
});
after(async () => {
  await parley?.close();
});

/** The guest texts the page shows among `texts`, in DOM order. */
async function shownOf(visitor, texts) {
  return (await visitor.entries()).filter((e) => e.kind === 'guest' && texts.includes(e.text)).map((e) => e.text);
}

/** Polls the emulator's transcript (a state, not a timer) until it holds the guest's `text`. */
async function waitForServerText(visitor, token, text, timeout = 10_000) {
  const deadline = Date.now() + timeout;
  while (!(await visitor.serverGuestTexts(token)).includes(text)) {
    if (Date.now() > deadline) throw new Error(`the emulator never received '${text}'`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('without metadata in history: five messages typed offline, then online and an immediate reload: all five delivered once, in order', { timeout: 90_000 }, async () => {
  const visitor = await Visitor.arrive(parley);
  try {
    // Some messages may reach the emulator unconfirmed before the reload, and history cannot
    // name them: they are matched by text and time.
    await fiveOfflineThenReload(parley, visitor);
  } finally {
    await visitor.leave();
  }
});

test('without metadata in history: a message whose echo was lost with the socket is confirmed from history, not sent twice', { timeout: 60_000 }, async () => {
  const visitor = await Visitor.arrive(parley);
  try {
    await visitor.greet();
    const token = await visitor.token();

    // The emulator holds every outbound frame for 10 s: the message is received and recorded,
    // but its echo is still held when the socket is cut, so the window never sees it.
    await parley.server.fault({ fault: 'delay_frames', ms: 10_000 });
    await visitor.send('echo lost');
    await waitForServerText(visitor, token, 'echo lost');
    assert.equal(
      (await visitor.entries()).find((e) => e.kind === 'guest' && e.text === 'echo lost')?.state,
      'sending',
      'the window has not seen the echo yet',
    );
    // Lift the delay first (the held echo keeps its own), so the next connection is prompt.
    await parley.server.fault({ fault: 'reset' });
    await parley.server.fault({ fault: 'drop_sockets', token });

    // Reconnect, history without metadata: the message is matched by its text and time.
    await visitor.waitForEntry({ kind: 'guest', text: exactly('echo lost'), state: 'sent' }, 30_000);
    await visitor.waitForConnection('ready');
    await visitor.send('after');
    await visitor.waitForEntry({ kind: 'guest', text: exactly('after'), state: 'sent' });

    const server = (await visitor.serverGuestTexts(token)).filter((text) => text !== 'hello');
    assert.deepEqual(server, ['echo lost', 'after'], 'the lost-echo message reached the emulator once');
    assert.deepEqual(await shownOf(visitor, ['echo lost', 'after']), ['echo lost', 'after'], 'and shows once');
  } finally {
    await visitor.leave();
  }
});
