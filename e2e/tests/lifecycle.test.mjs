// How a conversation ends and a new one begins: the agent ends it ("bye"), the visitor ends it
// ("End chat"), or the session expires; each leaves a clear state and a fresh chat that works.

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

// After "Start new chat" (or an automatic restart): ready, enabled, greeted, and the emulator's
// conversation for the stored token holds only the new exchange.
async function assertFreshChatWorks(visitor, { notInNewConversation }) {
  await visitor.greet();
  const transcript = await parley.server.transcript(await visitor.token());
  assert.equal(transcript.state, 'live');
  assert.equal(transcript.readOnly, false, 'the new conversation is not read-only');
  const guestTexts = transcript.messages.filter((m) => m.direction === 'Inbound').map((m) => m.text);
  assert.deepEqual(guestTexts, ['hello'], `the new conversation starts empty (not ${notInNewConversation})`);
  return transcript;
}

test('"bye" ends the chat read-only; the composer says why; "Start new chat" starts a working one', { timeout: 60_000 }, async () => {
  const visitor = await Visitor.arrive(parley);
  try {
    await visitor.greet();
    const before = await parley.server.transcript(await visitor.token());
    await visitor.send('bye');
    await visitor.waitForEntry({ kind: 'bot', text: exactly('Goodbye! Thanks for chatting with us.') });

    await visitor.waitForConnection('ended');
    assert.match(await visitor.connection.textContent(), /Conversation ended/);
    await visitor.waitForDisabled(visitor.input);
    await visitor.composerReason.waitFor();
    assert.notEqual((await visitor.composerReason.textContent()).trim(), '', 'the composer gives a reason');
    assert.ok(await visitor.sendButton.isDisabled(), 'Send is disabled while ended');

    await visitor.startNewChat.click();
    const after = await assertFreshChatWorks(visitor, { notInNewConversation: 'bye' });
    assert.notEqual(after.conversationId, before.conversationId, 'a new conversation, not the ended one');
  } finally {
    await visitor.leave();
  }
});

test('"End chat" asks for confirmation, ends the conversation, then offers a new one', { timeout: 60_000 }, async () => {
  const visitor = await Visitor.arrive(parley);
  try {
    await visitor.greet();
    const token = await visitor.token();

    await visitor.page.getByRole('button', { name: 'End chat' }).click();
    const confirm = visitor.page.getByRole('button', { name: 'Yes, end chat' });
    await confirm.waitFor();
    assert.equal((await parley.server.transcript(token)).readOnly, false, 'nothing ends before confirming');
    await confirm.click();

    await visitor.waitForConnection('ended');
    await visitor.waitForDisabled(visitor.input);
    // The emulator's default deployment enables conversationClear: "End chat" sent Presence Clear
    // and the emulator forgot the conversation (closeSession without it: deployment-conversation).
    await assert.rejects(parley.server.transcript(token), /404/, 'the conversation was cleared at the emulator');

    await visitor.startNewChat.click();
    await assertFreshChatWorks(visitor, { notInNewConversation: 'the ended chat' });
  } finally {
    await visitor.leave();
  }
});

test('an expired session shows a clear notice and a fresh session that works', { timeout: 60_000 }, async () => {
  const visitor = await Visitor.arrive(parley);
  try {
    await visitor.greet();
    const token = await visitor.token();
    await visitor.startRecording();

    await parley.server.fault({ fault: 'expire_session', token });

    // "Session expired — a new chat will start" (UI contract): the notice, then a new session
    // with a new token, without the visitor doing anything.
    let fresh;
    try {
      fresh = await visitor.waitForNewToken(token);
    } catch (error) {
      const offered = await visitor.startNewChat.isVisible();
      const reason = offered ? (await visitor.composerReason.textContent())?.trim() : null;
      assert.fail(
        `no new session started after expiry (${error.message}); the window shows ` +
          (offered ? `"Start new chat" and the composer reason "${reason}"` : 'no way forward') +
          `; recorded: ${JSON.stringify((await visitor.recorded()).filter((e) => e.what !== 'entry' || e.kind === 'system'))}`,
      );
    }
    const log = await visitor.recorded();
    const notices = log.filter(
      (event) => (event.what === 'entry' && event.kind === 'system') || event.what === 'connection',
    );
    assert.ok(
      notices.some((event) => /Session expired/.test(event.text ?? '')),
      `a "Session expired" notice was shown: ${JSON.stringify(notices)}`,
    );
    // … and it stays readable once the new session has begun (not a flash before a reset).
    await visitor.waitUntilReady();
    await visitor.window.getByText(/Session expired/).first().waitFor({ state: 'visible' });

    assert.equal((await parley.server.transcript(token)).state, 'expired');
    await assertFreshChatWorks(visitor, { notInNewConversation: 'the expired one' });
    assert.equal(await visitor.token(), fresh);
  } finally {
    await visitor.leave();
  }
});
