// The deployment settings that change the conversation, not only its looks (issue 13, §1 and
// §3), each with the emulator's config.json changed through PARLEY_EMULATOR_DEPLOYMENT_CONFIG:
// the admin's upload modes (the picker's `accept`, a too-large or wrong-type file refused in the
// visitor's words before any upload), `conversationDisconnect` `Send` (the visitor writes on)
// versus `ReadOnly` (the composer closes, "Start new chat" opens a new one),
// `conversationClear` ("End chat" sends Presence Clear, SessionClearedEvent, nothing left in
// storage), `humanize` (the bot's name and avatar), and the visitor's own "I'm on a shared
// computer" choice (nothing in localStorage). axe-core runs on each new view.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startParley, freePort, axeViolations } from '../lib/harness.mjs';
import { Visitor, exactly } from '../lib/visitor.mjs';

const GOODBYE = 'Goodbye! Thanks for chatting with us.';

/** Starts a server whose deployment document has `overlay` merged in; `overlay(origin)` may use the origin. */
async function startWithDeployment(overlay) {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const folder = mkdtempSync(path.join(tmpdir(), 'parley-deployment-'));
  const file = path.join(folder, 'config.json');
  writeFileSync(file, JSON.stringify(overlay(origin)));
  return startParley({ port, env: { PARLEY_EMULATOR_DEPLOYMENT_CONFIG: file } });
}

const conversations = (settings) => ({ messenger: { apps: { conversations: settings } } });

// An admin who allows small PNGs only, lets visitors write on after a disconnect, clears on
// end, and gives the bot a name and face.
let writeOn;
// An admin who makes disconnected conversations read-only and does not allow clearing.
let readOnly;
before(async () => {
  writeOn = await startWithDeployment((origin) => ({
    messenger: {
      fileUpload: { enableAttachments: true, modes: [{ fileTypes: ['image/png'], maxFileSizeKB: 1 }] },
      apps: {
        conversations: {
          conversationDisconnect: { enabled: true, type: 'Send' },
          conversationClear: { enabled: true },
          humanize: { enabled: true, bot: { name: 'Robo', avatarUrl: `${origin}/emulator/avatars/bot.svg` } },
        },
      },
    },
  }));
  readOnly = await startWithDeployment(() =>
    conversations({ conversationDisconnect: { enabled: true, type: 'ReadOnly' }, conversationClear: { enabled: false } }),
  );
});
after(async () => {
  await writeOn?.close();
  await readOnly?.close();
});

async function pick(visitor, file) {
  const chooser = visitor.page.waitForEvent('filechooser');
  await visitor.page.getByRole('button', { name: 'Attach a file' }).click();
  await (await chooser).setFiles(file);
}

const parleyKeys = (keys) => keys.filter((key) => key.startsWith('parley.') && key !== 'parley.open');

test('upload modes: the picker accepts PNG only, a too-large or wrong-type file is refused before upload', { timeout: 60_000 }, async () => {
  const visitor = await Visitor.arrive(writeOn);
  try {
    await visitor.waitUntilReady();
    assert.equal(await visitor.page.locator('[data-parley-file-input]').getAttribute('accept'), 'image/png');

    await pick(visitor, { name: 'big.png', mimeType: 'image/png', buffer: Buffer.alloc(2048, 1) });
    const error = visitor.page.locator('[data-parley-upload-error]');
    await error.waitFor();
    assert.match(await error.textContent(), /The file is larger than 1 KB\./);

    await pick(visitor, { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
    await visitor.page.locator('[data-parley-upload-error]', { hasText: 'Files of this type cannot be sent.' }).waitFor();

    await visitor.send('still here');
    await visitor.waitForEntry({ kind: 'guest', text: exactly('still here'), state: 'sent' });
    const transcript = JSON.stringify((await writeOn.server.transcript(await visitor.token())).messages);
    assert.ok(!transcript.includes('big.png') && !transcript.includes('notes.txt'), 'no file reached the emulator');
    assert.deepEqual(await axeViolations(visitor.page), []);
  } finally {
    await visitor.leave();
  }
});

test('humanize: bot messages and the header carry the deployment bot name and avatar', { timeout: 60_000 }, async () => {
  const visitor = await Visitor.arrive(writeOn);
  try {
    await visitor.waitUntilReady();
    await visitor.send('hello');
    await visitor.waitForEntry({ kind: 'bot' });
    const bot = visitor.page.locator('[data-parley-entry][data-kind="bot"]').first();
    assert.equal((await bot.locator('[data-parley-sender]').textContent()).trim(), 'Robo');
    const avatar = bot.locator('img[data-parley-bot-avatar]');
    assert.equal(await avatar.getAttribute('src'), writeOn.url('/emulator/avatars/bot.svg'));
    assert.equal(await avatar.getAttribute('alt'), '', 'decorative: the name is written next to it');
    // The header introduces the bot speaking now the same way.
    const header = visitor.page.locator('.parley-header');
    await header.locator('[data-parley-agent-name]', { hasText: 'Robo' }).waitFor();
    assert.equal(
      await header.locator('img[data-parley-agent-avatar]').getAttribute('src'),
      writeOn.url('/emulator/avatars/bot.svg'),
    );
    await visitor.page.waitForFunction(
      () => window.__parleyE2E.all('img[data-parley-bot-avatar]').some((img) => img.complete && img.naturalWidth > 0),
    );
    assert.deepEqual(await axeViolations(visitor.page), []);
  } finally {
    await visitor.leave();
  }
});

test('conversationDisconnect Send: after the bot disconnects the visitor writes on', { timeout: 60_000 }, async () => {
  const visitor = await Visitor.arrive(writeOn);
  try {
    await visitor.waitUntilReady();
    await visitor.send('bye');
    await visitor.waitForEntry({ kind: 'bot', text: exactly(GOODBYE) });
    await visitor.waitForEntry({ kind: 'system', text: exactly('The agent left the conversation. Write to start a new one.') });
    assert.equal(await visitor.input.isDisabled(), false, 'the composer stays open');
    assert.equal(await visitor.startNewChat.count(), 0);
    await visitor.send('one more question');
    await visitor.waitForEntry({ kind: 'guest', text: exactly('one more question'), state: 'sent' });
    assert.ok((await visitor.serverGuestTexts()).includes('one more question'));
    assert.deepEqual(await axeViolations(visitor.page), []);
  } finally {
    await visitor.leave();
  }
});

test('conversationDisconnect ReadOnly: the composer closes with the reason, "Start new chat" opens a new one', { timeout: 60_000 }, async () => {
  const visitor = await Visitor.arrive(readOnly);
  try {
    await visitor.waitUntilReady();
    await visitor.send('bye');
    await visitor.waitForEntry({ kind: 'bot', text: exactly(GOODBYE) });
    await visitor.waitForConnection('ended');
    await visitor.waitForDisabled(visitor.input);
    assert.equal((await visitor.composerReason.textContent()).trim(), 'This conversation has ended.');
    assert.deepEqual(await axeViolations(visitor.page), []);
    await visitor.startNewChat.click();
    await visitor.waitUntilReady();
    await visitor.send('a new start');
    await visitor.waitForEntry({ kind: 'guest', text: exactly('a new start'), state: 'sent' });
  } finally {
    await visitor.leave();
  }
});

test('conversationClear: "End chat" sends Presence Clear, the SessionClearedEvent leaves nothing in storage', { timeout: 60_000 }, async () => {
  const frames = { sent: [], received: [] };
  const visitor = await Visitor.arrive(writeOn, {
    beforeNavigation: (page) =>
      page.on('websocket', (socket) => {
        socket.on('framesent', (frame) => frames.sent.push(String(frame.payload)));
        socket.on('framereceived', (frame) => frames.received.push(String(frame.payload)));
      }),
  });
  try {
    await visitor.waitUntilReady();
    await visitor.send('my private question');
    await visitor.waitForEntry({ kind: 'guest', text: exactly('my private question'), state: 'sent' });
    const token = await visitor.token();
    await visitor.input.pressSequentially('an unsent draft');

    await visitor.page.getByRole('button', { name: 'End chat', exact: true }).click();
    await visitor.page.getByRole('button', { name: 'Yes, end chat' }).click();
    await visitor.waitForConnection('ended');
    assert.ok(
      frames.sent.some((frame) => frame.includes('"Presence"') && frame.includes('"Clear"')),
      'Presence Clear was sent',
    );
    assert.ok(frames.received.some((frame) => frame.includes('SessionClearedEvent')), 'the server cleared the session');
    assert.ok(!frames.sent.some((frame) => frame.includes('closeSession')), 'no closeSession was needed');
    const stored = await visitor.page.evaluate(() => ({ local: Object.keys(localStorage), session: Object.keys(sessionStorage) }));
    assert.deepEqual(parleyKeys(stored.local), [], `nothing in localStorage: ${stored.local}`);
    assert.deepEqual(parleyKeys(stored.session), [], `nothing in sessionStorage: ${stored.session}`);
    const texts = (await visitor.entries()).map((entry) => entry.whole).join('\n');
    assert.ok(!texts.includes('my private question'), `the window shows nothing of it:\n${texts}`);
    await assert.rejects(writeOn.server.transcript(token), /404/, 'the emulator forgot the conversation');
  } finally {
    await visitor.leave();
  }
});

test('conversationClear off: "End chat" closes the session instead (closeSession, read-only at the emulator)', { timeout: 60_000 }, async () => {
  const visitor = await Visitor.arrive(readOnly);
  try {
    await visitor.waitUntilReady();
    await visitor.send('hello');
    await visitor.waitForEntry({ kind: 'guest', text: exactly('hello'), state: 'sent' });
    const token = await visitor.token();
    await visitor.page.getByRole('button', { name: 'End chat', exact: true }).click();
    await visitor.page.getByRole('button', { name: 'Yes, end chat' }).click();
    await visitor.waitForConnection('ended');
    assert.equal((await readOnly.server.transcript(token)).readOnly, true, 'closeSession reached the emulator');
    const stored = await visitor.page.evaluate(() => Object.keys(localStorage));
    assert.deepEqual(parleyKeys(stored), [], `the local wipe still happens: ${stored}`);
  } finally {
    await visitor.leave();
  }
});

test('"I\'m on a shared computer" moves the conversation out of localStorage; a reload in the tab resumes it', { timeout: 60_000 }, async () => {
  const visitor = await Visitor.arrive(readOnly);
  try {
    await visitor.waitUntilReady();
    await visitor.send('on a library computer');
    await visitor.waitForEntry({ kind: 'guest', text: exactly('on a library computer'), state: 'sent' });
    await visitor.input.pressSequentially('a draft');
    const choice = visitor.page.getByRole('checkbox', { name: /shared computer/ });
    assert.equal(await choice.isChecked(), false);
    assert.ok(await visitor.page.evaluate(() => localStorage.getItem('parley.token')), 'kept on the computer until chosen');

    await choice.check();
    const local = await visitor.page.evaluate(() => Object.keys(localStorage));
    assert.deepEqual(parleyKeys(local), [], `nothing in localStorage: ${local}`);
    assert.ok(await visitor.page.evaluate(() => sessionStorage.getItem('parley.token')), 'the token is in the tab');

    await visitor.page.reload();
    await visitor.waitUntilReady();
    await visitor.waitForEntry({ kind: 'guest', text: exactly('on a library computer') });
    assert.equal(await visitor.input.inputValue(), 'a draft');
    assert.equal(await choice.isChecked(), true, 'the choice holds for the tab');
    const after = await visitor.page.evaluate(() => Object.keys(localStorage));
    assert.deepEqual(parleyKeys(after), [], `still nothing in localStorage: ${after}`);
  } finally {
    await visitor.leave();
  }
});
