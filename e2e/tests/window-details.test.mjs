// The rest of the window's contract a visitor meets: the hand-over to a human (notice, name and
// avatar in the header), the composer's length limits, and the reconnect status with its
// "Retry now" button.

import { test, before, after, afterEach } from 'node:test';
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
afterEach(async () => {
  await parley.server.fault({ fault: 'reset' });
});

test('"agent" hands over to Alex: a join notice, agent entries, name and avatar in the header', { timeout: 60_000 }, async () => {
  const visitor = await Visitor.arrive(parley);
  try {
    await visitor.waitUntilReady();
    await visitor.send('agent');
    await visitor.waitForEntry({ kind: 'bot', text: exactly('Connecting you to an agent…') });
    await visitor.waitForEntry({
      kind: 'agent',
      text: exactly('Hi, I\'m Alex from the support team. How can I help you today?'),
    });
    await visitor.waitForEntry({ kind: 'system', text: /Alex joined/ });

    const agent = visitor.page.locator('[data-parley-entry][data-kind="agent"]').first();
    assert.equal((await agent.locator('[data-parley-sender]').textContent()).trim(), 'Alex');
    const header = visitor.window;
    await header.locator('[data-parley-agent-name]', { hasText: 'Alex' }).waitFor();
    const avatar = header.locator('img[data-parley-agent-avatar]');
    assert.equal(await avatar.getAttribute('alt'), 'Alex');
    assert.match(await avatar.getAttribute('src'), /\/emulator\/avatars\/human\.svg$/);
  } finally {
    await visitor.leave();
  }
});

test('the composer counts from 3,500 characters and refuses text over 4,000', { timeout: 60_000 }, async () => {
  const visitor = await Visitor.arrive(parley);
  try {
    await visitor.waitUntilReady();
    const counter = visitor.page.locator('[data-parley-counter]');

    await visitor.input.fill('a'.repeat(3499));
    await counter.waitFor({ state: 'hidden' });
    await visitor.input.fill('a'.repeat(3600));
    await counter.waitFor();
    assert.equal((await counter.textContent()).trim(), '3600 / 4000');

    await visitor.input.fill('a'.repeat(4001));
    await counter.filter({ hasText: '4001 / 4000' }).waitFor();
    await visitor.waitForDisabled(visitor.sendButton);
    await visitor.composerReason.waitFor();
    assert.notEqual((await visitor.composerReason.textContent()).trim(), '');
    await visitor.input.press('Enter');

    await visitor.input.fill('a'.repeat(4000));
    await visitor.waitForEnabled(visitor.sendButton);
    await visitor.sendButton.click();
    await visitor.waitForEntry({ kind: 'guest', text: /^a{4000}$/, state: 'sent' });
    const guestTexts = await visitor.serverGuestTexts();
    assert.deepEqual(guestTexts.map((text) => text.length), [4000], 'the 4,001-character text was never sent');
  } finally {
    await visitor.leave();
  }
});

test('while reconnecting the status counts down and "Retry now" reconnects at once', { timeout: 90_000 }, async () => {
  const visitor = await Visitor.arrive(parley);
  try {
    await visitor.waitUntilReady();
    await parley.server.fault({ fault: 'refuse_sockets', seconds: 60 });
    await parley.server.fault({ fault: 'drop_sockets', token: await visitor.token() });

    await visitor.waitForConnection('reconnecting');
    const retry = visitor.page.getByRole('button', { name: 'Retry now' });
    await retry.waitFor();
    // Refused attempts grow the back-off; wait until the countdown shows 3 s or more, so that the
    // countdown would visibly tick before the next attempt if the button did nothing.
    const countdown = await visitor.page.waitForFunction(
      () => {
        const status = window.__parleyE2E.all('[data-parley-connection]')[0];
        const match = /Reconnecting in (\d+) s/.exec(status?.textContent ?? '');
        return match && Number(match[1]) >= 3 ? Number(match[1]) : null;
      },
      null,
      { timeout: 40_000 },
    );
    const seconds = await countdown.jsonValue();

    await parley.server.fault({ fault: 'refuse_sockets', seconds: 0 });
    await visitor.startRecording();
    await retry.click();
    await visitor.waitForConnection('ready');
    // The click reconnects at once: the status leaves "reconnecting" for good at its next change
    // (had the click done nothing, the countdown would first tick down from its 3 s or more).
    const changes = (await visitor.recorded()).filter((event) => event.what === 'connection').slice(1);
    assert.notEqual(changes[0]?.state, 'reconnecting', `status after clicking at ${seconds} s: ${JSON.stringify(changes)}`);
    assert.ok(changes.every((event) => event.state !== 'reconnecting'), JSON.stringify(changes));
    await retry.waitFor({ state: 'detached' });
    await visitor.send('back again');
    await visitor.waitForEntry({ kind: 'guest', text: exactly('back again'), state: 'sent' });
  } finally {
    await visitor.leave();
  }
});
