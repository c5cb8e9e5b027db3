// Accessibility: axe-core finds no violation in the launcher, nor in the open window with
// messages, a card and quick replies, in light and dark; and the window works from the keyboard
// alone (Tab reaches the composer, Enter sends, Escape minimises and gives focus back to the
// launcher).
//
// axe is injected as a script tag; the page's CSP forbids that, so these contexts (and only
// these) bypass CSP. The CSP itself is tested in safety.test.mjs.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startParley, ROOT } from '../lib/harness.mjs';
import { Visitor, GREETING, exactly } from '../lib/visitor.mjs';

const AXE = path.join(ROOT, 'e2e', 'node_modules', 'axe-core', 'axe.min.js');

let parley;
before(async () => {
  parley = await startParley();
});
after(async () => {
  await parley?.close();
});

// Runs axe on the whole document; returns the violations with the offending nodes.
async function axeViolations(page) {
  await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(() => window.axe.run(document));
  return result.violations.map((violation) => ({
    id: violation.id,
    impact: violation.impact,
    help: violation.help,
    nodes: violation.nodes.map((node) => `${node.html} (${node.target.join(' ')}): ${node.failureSummary}`),
  }));
}

// An open window holding a greeting, quick replies and a card.
async function richConversation(colorScheme) {
  const visitor = await Visitor.arrive(parley, { context: { bypassCSP: true, colorScheme } });
  await visitor.greet();
  await visitor.send('card');
  await visitor.page.locator('[data-parley-card]').waitFor();
  await visitor.send('options');
  await visitor.quickReplies.waitFor();
  await visitor.waitForEntry({ kind: 'guest', text: exactly('options'), state: 'sent' });
  return visitor;
}

for (const colorScheme of ['light', 'dark']) {
  test(`the open window with messages, a card and quick replies has no axe violations (${colorScheme})`, { timeout: 60_000 }, async () => {
    const visitor = await richConversation(colorScheme);
    try {
      const dark = await visitor.page.evaluate(() => matchMedia('(prefers-color-scheme: dark)').matches);
      assert.equal(dark, colorScheme === 'dark');
      assert.deepEqual(await axeViolations(visitor.page), []);
    } finally {
      await visitor.leave();
    }
  });
}

test('the launcher (window minimised) has no axe violations', { timeout: 60_000 }, async () => {
  const visitor = await Visitor.arrive(parley, { path: '/', context: { bypassCSP: true } });
  try {
    await visitor.launcher.waitFor();
    assert.equal(await visitor.window.count(), 0, 'the window is not open at load without ?open=1');
    assert.deepEqual(await axeViolations(visitor.page), []);
  } finally {
    await visitor.leave();
  }
});

test('keyboard only: Tab reaches the composer, Enter sends, Escape minimises to the launcher', { timeout: 60_000 }, async () => {
  const visitor = await Visitor.arrive(parley);
  try {
    await visitor.waitUntilReady();
    await visitor.page.evaluate(() => document.activeElement?.blur());
    let reached = false;
    for (let presses = 0; presses < 30 && !reached; presses++) {
      await visitor.page.keyboard.press('Tab');
      reached = (await visitor.focused()).input;
    }
    assert.ok(reached, 'Tab reaches the message box within 30 presses');

    await visitor.page.keyboard.type('hello');
    await visitor.page.keyboard.press('Enter');
    await visitor.waitForEntry({ kind: 'guest', text: exactly('hello') });
    await visitor.waitForEntry({ kind: 'bot', text: exactly(GREETING) });
    assert.equal(await visitor.input.inputValue(), '', 'Enter sent the text (no newline left behind)');

    await visitor.page.keyboard.press('Shift+Enter');
    assert.equal(await visitor.input.inputValue(), '\n', 'Shift+Enter adds a line instead of sending');
    await visitor.input.fill('');

    await visitor.page.keyboard.press('Escape');
    await visitor.window.waitFor({ state: 'hidden' });
    await visitor.page.waitForFunction(() => window.__parleyE2E.activeElement()?.hasAttribute('data-parley-launcher'));
    assert.ok((await visitor.focused()).launcher, 'focus is back on the launcher');
  } finally {
    await visitor.leave();
  }
});
