// Nothing a visitor writes is lost or doubled across a reload: messages typed while offline are
// kept in the tab's storage (the durable outbox) and, after a reload that comes before they were
// all sent, are delivered once each, in order — on the page and at the emulator.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startParley } from '../lib/harness.mjs';
import { Visitor, GREETING, exactly } from '../lib/visitor.mjs';

let parley;
before(async () => {
  parley = await startParley();
});
after(async () => {
  await parley?.close();
});

test('five messages typed offline, then online and an immediate reload: all five delivered once, in order', { timeout: 90_000 }, async () => {
  const visitor = await Visitor.arrive(parley);
  try {
    await visitor.waitUntilReady();
    await visitor.send('hello');
    await visitor.waitForEntry({ kind: 'bot', text: exactly(GREETING) });
    const token = await visitor.token();

    await visitor.page.context().setOffline(true);
    await parley.server.fault({ fault: 'drop_sockets', token });
    await visitor.waitForConnection('offline');
    const texts = ['one', 'two', 'three', 'four', 'five'];
    for (const text of texts) await visitor.send(text);
    await visitor.waitForEntry({ kind: 'guest', text: exactly('five'), state: 'sending' });

    // Back online, and the page reloads before the paced outbox (2 messages/s) is through.
    await visitor.page.context().setOffline(false);
    await visitor.page.reload();
    await visitor.launcher.or(visitor.window).first().waitFor();
    if (await visitor.launcher.isVisible()) await visitor.launcher.click();
    for (const text of texts) {
      await visitor.waitForEntry({ kind: 'guest', text: exactly(text), state: 'sent' }, 30_000);
    }

    const server = (await visitor.serverGuestTexts(token)).filter((text) => text !== 'hello');
    assert.deepEqual(server, texts, 'each message reached the emulator once, in order');
    const shown = (await visitor.entries()).filter((e) => e.kind === 'guest' && texts.includes(e.text)).map((e) => e.text);
    assert.deepEqual(shown, texts, 'each message shows once, in order');
  } finally {
    await visitor.leave();
  }
});
