// A message typed while the session expires is never silently dropped: it is delivered once in
// the fresh session the window starts, or it stays on the page as failed with Retry, and Retry
// delivers it once. Expiry comes from the emulator's `expire_session` fault
// (SessionExpiredEvent on the socket, then 4006 to every request with the old token).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startParley } from '../lib/harness.mjs';
import { Visitor, exactly } from '../lib/visitor.mjs';

let parley;
before(async () => {
  parley = await startParley();
});
after(async () => {
  await parley?.close();
});

/** A greeted conversation; returns its token. */
async function greeted(visitor) {
  await visitor.greet();
  return visitor.token();
}

/**
 * Waits until `text` is either sent (delivered in the new session) or failed (then clicks its
 * Retry and waits until it is sent); returns which way it went.
 */
async function deliveredOrRetried(visitor, text) {
  const entry = visitor.scope.locator('[data-kind="guest"]', { hasText: text });
  await visitor.scope.locator('[data-kind="guest"][data-state="sent"], [data-kind="guest"][data-state="failed"]', { hasText: text }).first().waitFor({ timeout: 30_000 });
  if ((await entry.first().getAttribute('data-state')) === 'failed') {
    await entry.first().getByRole('button', { name: 'Retry' }).click();
    await visitor.waitForEntry({ kind: 'guest', text: exactly(text), state: 'sent' }, 30_000);
    return 'retried';
  }
  return 'carried';
}

/** Asserts `text` reached the emulator once, in the session of `fresh` and not in `expired`. */
async function assertOnceInTheNewSession(visitor, { text, expired, fresh }) {
  assert.notEqual(fresh, expired, 'a new session replaced the expired one');
  const inFresh = (await visitor.serverGuestTexts(fresh)).filter((t) => t === text);
  const inExpired = (await visitor.serverGuestTexts(expired)).filter((t) => t === text);
  assert.deepEqual([inExpired.length, inFresh.length], [0, 1], `'${text}' reached the new session once and the expired one never`);
  const shown = (await visitor.entries()).filter((e) => e.kind === 'guest' && e.text === text);
  assert.equal(shown.length, 1, `'${text}' shows once on the page`);
}

test('a message typed offline while the session expires is delivered once in the new session (or offered for Retry)', { timeout: 90_000 }, async () => {
  const visitor = await Visitor.arrive(parley);
  try {
    const expired = await greeted(visitor);

    // The laptop sleeps: offline, the socket gone, and the session expires meanwhile.
    await visitor.page.context().setOffline(true);
    await parley.server.fault({ fault: 'drop_sockets', token: expired });
    await visitor.waitForConnection('offline');
    await visitor.send('typed while asleep');
    await visitor.waitForEntry({ kind: 'guest', text: exactly('typed while asleep'), state: 'sending' });
    await parley.server.fault({ fault: 'expire_session', token: expired });
    assert.equal((await parley.server.transcript(expired)).state, 'expired');

    // Online again: resuming the old token is refused (4006), the window starts a new session.
    await visitor.page.context().setOffline(false);
    const fresh = await visitor.waitForNewToken(expired, 30_000);
    const way = await deliveredOrRetried(visitor, 'typed while asleep');
    await assertOnceInTheNewSession(visitor, { text: 'typed while asleep', expired, fresh: await visitor.token() });
    assert.equal(await visitor.token(), fresh);
    console.log(`# offline expiry: the message was ${way}`);
  } finally {
    await visitor.leave();
  }
});

test('a message sent just as the session expires is delivered once in the new session (or offered for Retry)', { timeout: 90_000 }, async () => {
  const visitor = await Visitor.arrive(parley);
  try {
    const expired = await greeted(visitor);

    // The expiry event is on its way when the visitor presses Send: the message either goes
    // out on the expired session (answered 4006) or after the window has seen the event.
    await parley.server.fault({ fault: 'expire_session', token: expired });
    await visitor.send('sent as it expired');

    const fresh = await visitor.waitForNewToken(expired, 30_000);
    const way = await deliveredOrRetried(visitor, 'sent as it expired');
    await assertOnceInTheNewSession(visitor, { text: 'sent as it expired', expired, fresh });
    await visitor.window.getByText(/Session expired/).first().waitFor({ state: 'visible' });
    console.log(`# expiry race: the message was ${way}`);
  } finally {
    await visitor.leave();
  }
});
