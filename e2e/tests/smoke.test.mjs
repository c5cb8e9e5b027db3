// Smoke test of the whole stack: the release server serves the demo host page, whose one tag
// (the loader /parley.js) draws the launcher without any wasm; opening the window fetches the
// bundle and starts it (window.parley.ready resolves), under the strict CSP, with nothing logged
// as an error.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startParley, axeViolations } from '../lib/harness.mjs';

let parley;
before(async () => {
  parley = await startParley();
});
after(async () => {
  await parley?.close();
});

test('the demo page draws the launcher from the loader alone, with no console errors or CSP violations', async () => {
  const page = await parley.newPage();
  const wasm = [];
  page.on('request', (request) => request.url().endsWith('.wasm') && wasm.push(request.url()));
  try {
    const response = await page.goto(parley.url('/'));
    assert.equal(response.status(), 200);
    await page.getByRole('button', { name: /^Open chat/ }).waitFor();
    await page.waitForLoadState('networkidle');
    assert.deepEqual(wasm, [], 'no wasm before the visitor shows intent');
    assert.equal(await page.evaluate(() => document.styleSheets.length), 1, "only the demo page's own sheet");
    assert.deepEqual(await page.problems(), []);
  } finally {
    await page.closeContext();
  }
});

// Hovering the launcher is intent: the bundle is fetched and started (without a conversation,
// whose socket a Playwright-fulfilled document could not open, see harness.mjs).
test('the bundle starts under the strict CSP (no inline script or style)', async () => {
  const page = await parley.newPage({ strictCsp: true });
  try {
    const response = await page.goto(parley.url('/'));
    assert.match(response.headers()['content-security-policy'], /script-src 'self' 'wasm-unsafe-eval'/);
    await page.getByRole('button', { name: /^Open chat/ }).hover();
    await page.evaluate(() => window.parley.ready);
    await page.locator('[data-parley-window]').waitFor({ state: 'attached' });
    assert.deepEqual(await page.problems(), []);
  } finally {
    await page.closeContext();
  }
});

test('the page shell has no accessibility violations (axe-core)', async () => {
  const page = await parley.newPage();
  try {
    await page.goto(parley.url('/'));
    await page.getByRole('button', { name: /^Open chat/ }).waitFor();
    assert.deepEqual(await axeViolations(page), []);
  } finally {
    await page.closeContext();
  }
});
