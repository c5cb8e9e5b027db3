// Two tabs of the same site share one conversation (issue 9, item 5). Each tab has its own
// socket under the same token; Genesys pushes the echo of a guest message to every connection
// of the token (PROTOCOL.md §1.5.2, §1.8), so a message typed in one tab shows in the other
// from that echo, and each tab sends only what was typed in it (the outbox is per tab). "End
// chat" in one tab ends the conversation in the other: the token leaving localStorage is the
// signal the other tab follows (frontend/src/driver/tabs.rs, shared::engine session rules).
// "Once" at the emulator is read from its own transcript of what it received.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startParley } from '../lib/harness.mjs';
import { Visitor, HELP, exactly, preparePage } from '../lib/visitor.mjs';

let parley;
before(async () => {
  parley = await startParley();
});
after(async () => {
  await parley?.close();
});

/** A second tab in the same browser context as `visitor` (shared localStorage). */
async function secondTab(visitor, path = '/?open=1') {
  const page = await visitor.page.context().newPage();
  await preparePage(page);
  await page.goto(parley.url(path));
  return new Visitor(page, parley.server);
}

/** How many guest entries of each of `texts` the tab shows. */
async function guestCounts(visitor, texts) {
  const entries = await visitor.entries();
  return Object.fromEntries(
    texts.map((text) => [text, entries.filter((e) => e.kind === 'guest' && e.text === text).length]),
  );
}

const parleyKeys = (keys) => keys.filter((key) => key.startsWith('parley.') && key !== 'parley.open');

test('two tabs: each message typed in either shows once in both and reaches the emulator once', { timeout: 90_000 }, async () => {
  const first = await Visitor.arrive(parley);
  try {
    await first.greet();
    const token = await first.token();

    const second = await secondTab(first);
    await second.waitUntilReady();
    await second.waitForEntry({ kind: 'guest', text: exactly('hello'), state: 'sent' });
    assert.equal(await second.token(), token, 'the second tab resumed the same conversation');

    const typed = [];
    for (const [tab, text] of [
      [first, 'from the first tab, one'],
      [second, 'from the second tab, one'],
      [first, 'from the first tab, two'],
      [second, 'from the second tab, two'],
    ]) {
      typed.push(text);
      await tab.send(text);
      // The bot answers every text; wait for the answer in both tabs, so the echo reached
      // both sockets before the next message (the order then is the typing order).
      for (const tab of [first, second]) {
        await tab.waitForEntry({ kind: 'guest', text: exactly(text), state: 'sent' });
        await tab.waitForEntry({ kind: 'bot', text: exactly(HELP), count: typed.length });
      }
    }

    // A reload of one tab (its outbox is its own) changes nothing for either.
    await second.page.reload();
    await second.waitUntilReady();
    for (const text of typed) await second.waitForEntry({ kind: 'guest', text: exactly(text), state: 'sent' });
    typed.push('after the reload');
    await first.send('after the reload');
    for (const tab of [first, second]) {
      await tab.waitForEntry({ kind: 'guest', text: exactly('after the reload'), state: 'sent' });
      await tab.waitForEntry({ kind: 'bot', text: exactly(HELP), count: typed.length });
    }

    const once = Object.fromEntries(typed.map((text) => [text, 1]));
    assert.deepEqual(await guestCounts(first, typed), once, 'the first tab shows each message once');
    assert.deepEqual(await guestCounts(second, typed), once, 'the second tab shows each message once');
    const server = (await first.serverGuestTexts(token)).filter((text) => text !== 'hello');
    assert.deepEqual(server, typed, 'the emulator received each message once, in order');
  } finally {
    await first.leave();
  }
});

test('two tabs: "End chat" in one ends the conversation in the other, and no storage key of it survives', { timeout: 60_000 }, async () => {
  const first = await Visitor.arrive(parley);
  try {
    await first.greet();
    const second = await secondTab(first);
    await second.waitUntilReady();
    await second.waitForEntry({ kind: 'guest', text: exactly('hello'), state: 'sent' });

    await first.page.getByRole('button', { name: 'End chat', exact: true }).click();
    await first.page.getByRole('button', { name: 'Yes, end chat' }).click();
    await first.waitForConnection('ended');

    // The other tab ends too: not left chatting (or closed) on a dead session.
    await second.waitForConnection('ended');
    await second.waitForDisabled(second.input);
    await second.startNewChat.waitFor();

    for (const tab of [first, second]) {
      const stored = await tab.page.evaluate(() => ({
        local: Object.keys(localStorage),
        session: Object.keys(sessionStorage),
      }));
      assert.deepEqual(parleyKeys(stored.local), [], `nothing of the conversation in localStorage: ${stored.local}`);
      assert.deepEqual(parleyKeys(stored.session), [], `nothing in the tab's sessionStorage: ${stored.session}`);
    }

    // A reload of the other tab starts from nothing.
    await second.page.reload();
    await second.waitUntilReady();
    const texts = (await second.entries()).map((entry) => entry.whole).join('\n');
    assert.ok(!texts.includes('hello'), `the reloaded tab shows nothing of the ended conversation:\n${texts}`);
  } finally {
    await first.leave();
  }
});

test('two tabs: after the session expires both carry on in one new conversation', { timeout: 60_000 }, async () => {
  const first = await Visitor.arrive(parley);
  try {
    await first.greet();
    const expired = await first.token();
    const second = await secondTab(first);
    await second.waitUntilReady();
    await second.waitForEntry({ kind: 'guest', text: exactly('hello'), state: 'sent' });

    // Both sockets get SessionExpiredEvent; each tab asks for a fresh session at once.
    await parley.server.fault({ fault: 'expire_session', token: expired });
    await first.waitForNewToken(expired);
    for (const tab of [first, second]) {
      await tab.waitForEntry({ kind: 'system', text: /expired/i });
      await tab.waitUntilReady();
    }

    // One conversation: what either tab sends shows once in both, under the stored token.
    const typed = ['after expiry from the second', 'after expiry from the first'];
    await second.send(typed[0]);
    for (const tab of [first, second]) await tab.waitForEntry({ kind: 'guest', text: exactly(typed[0]), state: 'sent' });
    await first.send(typed[1]);
    for (const tab of [first, second]) await tab.waitForEntry({ kind: 'guest', text: exactly(typed[1]), state: 'sent' });
    for (const tab of [first, second]) await tab.waitForEntry({ kind: 'bot', text: exactly(HELP), count: 2 });

    const token = await first.token();
    assert.equal(await second.token(), token, 'both tabs see one stored token');
    assert.notEqual(token, expired);
    const once = Object.fromEntries(typed.map((text) => [text, 1]));
    assert.deepEqual(await guestCounts(first, typed), once, 'the first tab shows each once');
    assert.deepEqual(await guestCounts(second, typed), once, 'the second tab shows each once');
    assert.deepEqual(await first.serverGuestTexts(token), typed, 'the emulator received each once, in one conversation');
  } finally {
    await first.leave();
  }
});
