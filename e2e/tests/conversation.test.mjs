// A first conversation, as a visitor has it: the window opens, connects, the bot greets; a sent
// message goes "sending" then "sent"; the agent's typing indicator shows before each reply and
// goes away when the reply arrives. Real Chromium against the release server and its emulator.

import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startParley } from '../lib/harness.mjs';
import { Visitor, GREETING, HELP, exactly } from '../lib/visitor.mjs';

let parley;
before(async () => {
  // A longer agent typing time than the default, so the indicator is on screen a while.
  parley = await startParley({ env: { PARLEY_EMULATOR_AGENT_DELAY_MS: '400' } });
});
after(async () => {
  await parley?.close();
});
afterEach(async () => {
  await parley.server.fault({ fault: 'reset' });
});

test('first visit: the window opens, becomes ready, and "hello" gets the greeting', { timeout: 60_000 }, async () => {
  const visitor = await Visitor.arrive(parley, { path: '/?open=1' });
  try {
    await visitor.window.waitFor();
    assert.equal(await visitor.window.getAttribute('data-state'), 'open');
    await visitor.waitUntilReady();

    await visitor.send('hello');
    await visitor.waitForEntry({ kind: 'guest', text: exactly('hello'), state: 'sent' });
    await visitor.waitForEntry({ kind: 'bot', text: exactly(GREETING) });

    const bot = visitor.page.locator('[data-parley-entry][data-kind="bot"]').first();
    assert.equal((await bot.locator('[data-parley-sender]').textContent()).trim(), 'Parley Bot');
    assert.equal(await bot.locator('time[datetime]').count(), 1, 'a bot entry carries its time');
    const separator = visitor.page.locator('[data-parley-date-separator]').first();
    assert.equal(await separator.getAttribute('role'), 'separator', 'the day is marked by a separator');

    const token = await visitor.token();
    assert.ok(token, 'the session token is stored in localStorage["parley.token"]');
    assert.deepEqual(await visitor.serverGuestTexts(token), ['hello']);
    assert.equal(await visitor.input.inputValue(), '', 'the composer is cleared after sending');
  } finally {
    await visitor.leave();
  }
});

test('a sent message goes from "sending" to "sent" and never fails', { timeout: 60_000 }, async () => {
  const visitor = await Visitor.arrive(parley);
  try {
    await visitor.waitUntilReady();
    // Hold every frame from the emulator (the echo included) so "sending" stays on screen.
    await parley.server.fault({ fault: 'delay_frames', ms: 700 });
    await visitor.startRecording();
    await visitor.send('is this delivered?');

    const guest = visitor.page.locator('[data-parley-entry][data-kind="guest"]');
    await guest.and(visitor.page.locator('[data-state="sending"]')).waitFor();
    await guest.and(visitor.page.locator('[data-state="sent"]')).waitFor();

    const states = (await visitor.recorded())
      .filter((event) => event.what === 'entry' && event.kind === 'guest')
      .map((event) => event.state);
    const distinct = states.filter((state, i) => state !== states[i - 1]);
    assert.deepEqual(distinct, ['sending', 'sent'], `guest data-state sequence: ${states.join(' → ')}`);
  } finally {
    await visitor.leave();
  }
});

test('the agent typing indicator shows before a reply and is gone when it arrives', { timeout: 60_000 }, async () => {
  const visitor = await Visitor.arrive(parley);
  try {
    await visitor.waitUntilReady();
    await visitor.startRecording();
    await visitor.send('what can you do?');

    // The recorder sees every DOM state, however short a busy machine makes the indicator's
    // life; a Playwright wait could miss it.
    await visitor.waitForEntry({ kind: 'bot', text: exactly(HELP) });
    await visitor.typing.waitFor({ state: 'detached' });

    const log = await visitor.recorded();
    const typingOn = log.findIndex((event) => event.what === 'typing' && event.present);
    assert.equal(log[typingOn]?.role, 'status', JSON.stringify(log));
    assert.match(log[typingOn]?.text ?? '', /^.+ is typing…$/);
    const reply = log.findIndex((event) => event.what === 'entry' && event.kind === 'bot');
    const typingOff = log.findIndex((event, i) => i > typingOn && event.what === 'typing' && !event.present);
    assert.ok(typingOn >= 0 && reply > typingOn, `typing shown before the reply: ${JSON.stringify(log)}`);
    assert.ok(typingOff > reply, `typing removed after the reply appeared: ${JSON.stringify(log)}`);
    // Removed by the reply itself (not by its 3 s duration running out): in the DOM update that
    // added the reply, or the very next one. Each recorder snapshot has one time stamp.
    const updates = new Set(log.slice(reply, typingOff + 1).map((event) => event.t));
    assert.ok(updates.size <= 2, `typing outlived the reply by ${updates.size - 1} DOM updates: ${JSON.stringify(log)}`);
  } finally {
    await visitor.leave();
  }
});

test('the typing indicator names who is typing, from the typing event itself', { timeout: 60_000 }, async () => {
  // The emulator's Typing event carries the sender (channel.from.nickname "Parley Bot"), so the
  // name is known even before that sender's first message.
  const visitor = await Visitor.arrive(parley);
  try {
    await visitor.waitUntilReady();
    await visitor.startRecording();
    await visitor.send('what can you do?');
    await visitor.waitForEntry({ kind: 'bot', text: exactly(HELP) });
    const shown = (await visitor.recorded()).filter((event) => event.what === 'typing' && event.present);
    assert.ok(shown.length > 0, 'the indicator was shown');
    assert.equal(shown[0].text, 'Parley Bot is typing…');
  } finally {
    await visitor.leave();
  }
});
