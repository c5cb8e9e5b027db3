// After "End chat", the next visitor on the same browser sees nothing of the first
// (issue 13, §3): no token, no draft, no outbox is left, and a reload shows an empty window.

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

const parleyKeys = (storage) =>
  Object.keys(storage).filter((key) => key.startsWith('parley.') && key !== 'parley.open');

test('after "End chat" a reload shows nothing of the conversation and storage keeps none of it', { timeout: 60_000 }, async () => {
  const visitor = await Visitor.arrive(parley, { path: '/' });
  try {
    await visitor.launcher.click();
    await visitor.waitUntilReady();
    await visitor.send('my private question');
    await visitor.waitForEntry({ kind: 'bot', text: exactly(HELP) });
    await visitor.input.pressSequentially('an unsent draft');

    await visitor.page.getByRole('button', { name: 'End chat', exact: true }).click();
    await visitor.page.getByRole('button', { name: 'Yes, end chat' }).click();
    await visitor.waitForConnection('ended');
    const stored = await visitor.page.evaluate(() => ({
      local: Object.keys(localStorage),
      session: Object.keys(sessionStorage),
    }));
    assert.deepEqual(parleyKeys(stored.local), [], `nothing of the conversation in localStorage: ${stored.local}`);
    assert.deepEqual(parleyKeys(stored.session), [], `nothing in sessionStorage: ${stored.session}`);

    // The next visitor at this browser.
    await visitor.page.reload();
    await visitor.waitUntilReady();
    const texts = (await visitor.entries()).map((entry) => entry.whole).join('\n');
    assert.ok(!texts.includes('my private question'), `no trace of the first conversation:\n${texts}`);
    assert.equal(await visitor.input.inputValue(), '', 'no draft of the first visitor');
  } finally {
    await visitor.leave();
  }
});

test('storage="session" keeps nothing in localStorage, and a new tab finds no conversation', { timeout: 60_000 }, async () => {
  const visitor = await Visitor.arrive(parley, { path: '/?open=1&storage=session' });
  try {
    await visitor.waitUntilReady();
    await visitor.send('on a shared computer');
    await visitor.waitForEntry({ kind: 'bot', text: exactly(HELP) });
    await visitor.input.pressSequentially('a draft');
    assert.deepEqual(
      await visitor.page.evaluate(() => Object.keys(localStorage).filter((key) => key.startsWith('parley.'))),
      [],
      'nothing in localStorage',
    );
    assert.ok(await visitor.page.evaluate(() => sessionStorage.getItem('parley.token')), 'the token is in the tab');

    // A reload in the same tab resumes the conversation.
    await visitor.page.reload();
    await visitor.waitUntilReady();
    await visitor.waitForEntry({ kind: 'guest', text: exactly('on a shared computer') });
    assert.equal(await visitor.input.inputValue(), 'a draft');

    // Another tab of the same browser (its own sessionStorage) starts from nothing.
    const other = await visitor.page.context().newPage();
    await preparePage(other);
    await other.goto(parley.url('/?open=1&storage=session'));
    const second = new Visitor(other, parley.server);
    await second.waitUntilReady();
    const texts = (await second.entries()).map((entry) => entry.whole).join('\n');
    assert.ok(!texts.includes('on a shared computer'), `the new tab shows nothing of the first:\n${texts}`);
    assert.equal(await second.input.inputValue(), '');
  } finally {
    await visitor.leave();
  }
});
