// Drafts survive navigation (issue 13, §6): the half-typed message and the window's open or
// closed state come back after a reload or a navigation on the same site; sending the draft
// clears it for good.

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

test('a draft and the open window survive a reload; sending clears the draft', { timeout: 90_000 }, async () => {
  // A page that does not ask for the window: only the visitor opens it.
  const visitor = await Visitor.arrive(parley, { path: '/' });
  try {
    await visitor.launcher.click();
    await visitor.greet();
    await visitor.input.pressSequentially('half a thought');

    await visitor.page.reload();
    // Nothing on the page asks for the window: it opens because it was open.
    await visitor.waitUntilReady();
    assert.equal(await visitor.input.inputValue(), 'half a thought', 'the draft is back in the message box');

    // A navigation to another page of the site (here the same page, fresh) keeps it too.
    await visitor.page.goto(parley.url('/'));
    await visitor.waitUntilReady();
    assert.equal(await visitor.input.inputValue(), 'half a thought', 'the draft survives a navigation');

    await visitor.sendButton.click();
    await visitor.waitForEntry({ kind: 'guest', text: exactly('half a thought'), state: 'sent' });
    assert.equal(await visitor.input.inputValue(), '', 'sending empties the message box');

    await visitor.page.reload();
    await visitor.waitUntilReady();
    await visitor.waitForEntry({ kind: 'guest', text: exactly('half a thought'), state: 'sent' });
    assert.equal(await visitor.input.inputValue(), '', 'a sent draft does not come back');
  } finally {
    await visitor.leave();
  }
});

test('a window the visitor closed stays closed after a reload', { timeout: 60_000 }, async () => {
  const visitor = await Visitor.arrive(parley, { path: '/' });
  try {
    await visitor.launcher.click();
    await visitor.waitUntilReady();
    await visitor.page.getByRole('button', { name: 'Minimise chat' }).click();
    await visitor.window.waitFor({ state: 'hidden' });

    await visitor.page.reload();
    // The conversation resumes (its token is stored), so the window's code loads; it stays shut.
    await visitor.launcher.waitFor();
    await visitor.page.waitForFunction(() => window.parley && window.parley.ready && true);
    await visitor.page.evaluate(() => window.parley.ready);
    assert.equal(await visitor.window.isVisible(), false, 'the window is still closed');
    assert.equal(await visitor.launcher.isVisible(), true, 'the launcher shows');
  } finally {
    await visitor.leave();
  }
});
