// Wire text is text, never HTML; URLs become safe new-tab links and nothing else does; a whole
// normal conversation runs under the strict Content-Security-Policy with no violation and no
// console error.

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

const MARKUP = '<img src=x onerror="window.__pwned=1"><b>bold</b>';
const LINKED = 'Docs at https://example.com/docs?a=1&b=2 today';
const SCRIPT_URL = 'javascript:window.__pwned=2';

test('message text is shown literally, never as HTML; URLs become safe links, javascript: does not', { timeout: 60_000 }, async () => {
  const visitor = await Visitor.arrive(parley);
  try {
    await visitor.waitUntilReady();
    for (const text of [MARKUP, LINKED, SCRIPT_URL]) {
      await visitor.send(text);
      await visitor.waitForEntry({ kind: 'guest', text: exactly(text), state: 'sent' });
    }
    await visitor.waitForEntry({ kind: 'bot', text: exactly(HELP), count: 3 });

    const transcript = visitor.transcriptLog;
    assert.equal(await visitor.page.evaluate(() => window.__pwned), undefined, 'no markup ran');
    assert.equal(await transcript.locator('img[src="x"], b').count(), 0, 'no element was made from the text');

    const guest = visitor.page.locator('[data-parley-entry][data-kind="guest"]');
    const link = guest.filter({ hasText: 'Docs at' }).locator('[data-parley-text] a');
    assert.equal(await link.count(), 1, 'the URL is one link');
    assert.equal(await link.getAttribute('href'), 'https://example.com/docs?a=1&b=2');
    assert.equal((await link.textContent()).trim(), 'https://example.com/docs?a=1&b=2');
    assert.equal(await link.getAttribute('target'), '_blank');
    assert.deepEqual((await link.getAttribute('rel')).split(/\s+/).sort(), ['noopener', 'noreferrer']);

    const hrefs = await visitor.page.evaluate(() =>
      window.__parleyE2E.all('[data-parley-window] a[href]').map((a) => a.getAttribute('href')),
    );
    assert.deepEqual(hrefs.filter((href) => !/^https?:/i.test(href)), [], 'only http(s) links in the window');
    assert.equal(await visitor.page.evaluate(() => window.__pwned), undefined);
  } finally {
    await visitor.leave();
  }
});

// The server's own policy (server/src/security_headers.rs) is the one a real visitor gets. (The
// harness's `strictCsp` page option swaps the policy by fulfilling the document from Playwright,
// which Chromium then treats as a non-local page: its WebSocket to 127.0.0.1 is blocked by Local
// Network Access checks, so a whole conversation cannot run that way; the smoke test uses it for
// start-up only.)
test('a normal conversation under the server\'s strict CSP logs no violation and no console error', { timeout: 60_000 }, async () => {
  const visitor = await Visitor.arrive(parley);
  try {
    const policy = visitor.response.headers()['content-security-policy'] ?? '';
    assert.match(policy, /(^|;)\s*script-src 'self' 'wasm-unsafe-eval'\s*(;|$)/, policy);
    assert.match(policy, /(^|;)\s*style-src 'self'\s*(;|$)/, policy);
    assert.doesNotMatch(policy, /'unsafe-inline'|'unsafe-eval'/);

    await visitor.greet();
    await visitor.send('options');
    await visitor.quickReplies.getByRole('button', { name: 'Billing' }).click();
    await visitor.waitForEntry({ kind: 'bot', text: exactly('You chose "Billing".') });
    await visitor.send('card');
    await visitor.page.locator('[data-parley-card]').waitFor();
    await visitor.send('agent');
    await visitor.waitForEntry({ kind: 'agent', text: /^Hi, I'm Alex/ });
    await visitor.page.locator('img[data-parley-agent-avatar][alt="Alex"]').waitFor();
    await visitor.page.waitForFunction(() =>
      window.__parleyE2E.all('img').every((img) => img.complete),
    );

    assert.deepEqual(await visitor.page.problems(), []);
  } finally {
    await visitor.leave();
  }
});
