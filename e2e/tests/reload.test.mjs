// A reload resumes the conversation: the same token, the same history, each entry once.

import { test, before, after } from 'node:test';
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

// What a visitor reads: kind and text of every entry, in order (keys and times left out).
const readable = (entries) => entries.map(({ kind, text }) => `${kind}: ${text}`);

test('a reload resumes the same conversation and history with no duplicates', { timeout: 60_000 }, async () => {
  const visitor = await Visitor.arrive(parley);
  try {
    await visitor.greet();
    await visitor.send('second message');
    await visitor.waitForEntry({ kind: 'bot', text: exactly(HELP) });
    await visitor.waitForEntry({ kind: 'guest', text: exactly('second message'), state: 'sent' });

    const token = await visitor.token();
    const before = readable(await visitor.entries());
    assert.ok(before.length >= 4, `four messages before the reload: ${before}`);

    await visitor.page.reload();
    await visitor.waitUntilReady();
    await visitor.waitForEntry({ kind: 'bot', text: exactly(HELP) });
    // A message after the reload, answered: by then history and live frames have both landed.
    await visitor.send('after reload');
    await visitor.waitForEntry({ kind: 'guest', text: exactly('after reload'), state: 'sent' });
    await visitor.waitForEntry({ kind: 'bot', text: exactly(HELP), count: 2 });

    assert.equal(await visitor.token(), token, 'the stored token is unchanged by the reload');
    const after = readable((await visitor.entries()).filter((entry) => entry.kind !== 'system'));
    assert.deepEqual(
      after,
      [...before.filter((line) => !line.startsWith('system:')), 'guest: after reload', `bot: ${HELP}`],
      'history restored once, in order, then the new exchange',
    );
    assert.deepEqual(await visitor.serverGuestTexts(token), ['hello', 'second message', 'after reload']);
  } finally {
    await visitor.leave();
  }
});
