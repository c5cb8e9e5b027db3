// The host page's view of Parley: the JS API on window.parley (ready, open, close, on) and the
// launcher's unread badge while the window is minimised.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startParley } from '../lib/harness.mjs';
import { Visitor, GREETING, exactly, preparePage } from '../lib/visitor.mjs';

let parley;
before(async () => {
  parley = await startParley();
});
after(async () => {
  await parley?.close();
});

// Subscribes to every API event; they accumulate in window.__apiEvents as [name, payload].
async function listen(page) {
  await page.evaluate(async () => {
    window.__apiEvents = [];
    for (const name of ['message', 'unread', 'connection']) {
      window.parley.on(name, (payload) => window.__apiEvents.push([name, payload]));
    }
  });
}
const apiEvents = (page) => page.evaluate(() => window.__apiEvents);

test('window.parley opens and closes the window and reports connection and message events', { timeout: 60_000 }, async () => {
  const visitor = await Visitor.arrive(parley, { path: '/' });
  try {
    await visitor.launcher.waitFor();
    await visitor.page.waitForFunction(() => window.parley?.ready instanceof Promise);
    await listen(visitor.page);

    await visitor.page.evaluate(() => window.parley.open());
    await visitor.greet();
    await visitor.page.waitForFunction(() =>
      window.__apiEvents.some(([name, payload]) => name === 'message' && payload?.text?.startsWith('Hello!')),
    );

    const events = await apiEvents(visitor.page);
    const states = events.filter(([name]) => name === 'connection').map(([, state]) => state);
    assert.equal(states.at(-1), 'ready', `connection events: ${states.join(' → ')}`);
    const messages = events.filter(([name]) => name === 'message').map(([, payload]) => payload);
    assert.ok(messages.some((m) => m.text === 'hello' && typeof m.direction === 'string'), JSON.stringify(messages));
    assert.ok(messages.some((m) => m.text === GREETING && m.direction !== messages.find((g) => g.text === 'hello').direction));

    await visitor.page.evaluate(() => window.parley.close());
    await visitor.window.waitFor({ state: 'hidden' });
    await visitor.launcher.waitFor();
  } finally {
    await visitor.leave();
  }
});

test('a reply that arrives while minimised shows an unread badge, cleared on opening', { timeout: 60_000 }, async () => {
  const visitor = await Visitor.arrive(parley);
  try {
    await visitor.waitUntilReady();
    await listen(visitor.page);
    await visitor.page.getByRole('button', { name: 'Minimise chat' }).click();
    await visitor.window.waitFor({ state: 'hidden' });
    const badge = visitor.page.locator('[data-parley-unread]');
    assert.equal(await badge.isVisible(), false, 'no badge while nothing is unread');

    // The same visitor in a second tab (same storage, same session) says hello; the bot's
    // answer reaches every connection of the session, the minimised first tab included.
    const second = await visitor.page.context().newPage();
    await preparePage(second);
    await second.goto(parley.url('/?open=1'));
    const other = new Visitor(second, parley.server);
    await other.waitUntilReady();
    assert.equal(await other.token(), await visitor.token(), 'the second tab resumed the same session');
    await other.send('hello');
    await other.waitForEntry({ kind: 'bot', text: exactly(GREETING) });

    await visitor.page.waitForFunction((greeting) =>
      window.__apiEvents.some(([name, payload]) => name === 'message' && payload?.text === greeting), GREETING);
    await badge.filter({ hasText: /^\s*1\s*$/ }).waitFor();
    await visitor.page.getByRole('button', { name: /^Open chat, 1 unread message/ }).waitFor();
    const unread = (await apiEvents(visitor.page)).filter(([name]) => name === 'unread').map(([, n]) => n);
    assert.equal(unread.at(-1), 1, `unread events: ${unread}`);

    await visitor.launcher.click();
    await visitor.window.waitFor();
    await badge.waitFor({ state: 'hidden' });
    await visitor.page.waitForFunction(() =>
      window.__apiEvents.filter(([name]) => name === 'unread').at(-1)?.[1] === 0,
    );
    await second.close();
  } finally {
    await visitor.leave();
  }
});

test('window.parley.setAttributes sends custom attributes with the next message', { timeout: 60_000 }, async () => {
  const visitor = await Visitor.arrive(parley);
  try {
    await visitor.waitUntilReady();
    await visitor.page.evaluate(async () => {
      await window.parley.ready;
      window.parley.setAttributes({ plan: 'gold', orderId: 'A-1042' });
    });
    await visitor.send('hello');
    await visitor.waitForEntry({ kind: 'guest', text: exactly('hello'), state: 'sent' });

    const transcript = await parley.server.transcript(await visitor.token());
    const hello = transcript.messages.find((m) => m.direction === 'Inbound' && m.text === 'hello');
    assert.deepEqual(hello?.channel?.metadata?.customAttributes, { plan: 'gold', orderId: 'A-1042' }, JSON.stringify(hello));
  } finally {
    await visitor.leave();
  }
});
