// Smoke test of the whole stack: the release server serves the release bundle, Chromium loads
// it, the wasm starts (window.parley.ready resolves) and draws the launcher, under the strict
// CSP, with nothing logged as an error.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startParley, axeViolations } from '../lib/harness.mjs';

// The launcher is drawn and the JS API is ready: the wasm started (UI-CONTRACT.md).
async function bundleStarted(page) {
  await page.getByRole('button', { name: /^Open chat/ }).waitFor();
  await page.waitForFunction(() => window.parley?.ready instanceof Promise);
  await page.evaluate(() => window.parley.ready);
}

let parley;
before(async () => {
  parley = await startParley();
});
after(async () => {
  await parley?.close();
});

test('the page starts the bundle and draws the launcher with no console errors or CSP violations', async () => {
  const page = await parley.newPage();
  try {
    const response = await page.goto(parley.url('/'));
    assert.equal(response.status(), 200);
    await bundleStarted(page);
    assert.deepEqual(await page.problems(), []);
  } finally {
    await page.closeContext();
  }
});

test('the bundle starts under the strict CSP (no inline script or style)', async () => {
  const page = await parley.newPage({ strictCsp: true });
  try {
    const response = await page.goto(parley.url('/'));
    assert.match(response.headers()['content-security-policy'], /script-src 'self' 'wasm-unsafe-eval'/);
    await bundleStarted(page);
    assert.deepEqual(await page.problems(), []);
  } finally {
    await page.closeContext();
  }
});

test('the page shell has no accessibility violations (axe-core)', async () => {
  const page = await parley.newPage();
  try {
    await page.goto(parley.url('/'));
    await bundleStarted(page);
    assert.deepEqual(await axeViolations(page), []);
  } finally {
    await page.closeContext();
  }
});
