// A fresh visitor who opens the chat before the window has loaded: the loader asks for the
// session grant at once, beside the wasm's download and compile, and the window takes that
// answer instead of asking again (issue 11: launcher click → ready). The wasm is held back
// until the grant request has been seen, so the test cannot pass by timing; it fails if the
// grant waits for the window, and if the window asks a second time.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startParley } from '../lib/harness.mjs';
import { Visitor } from '../lib/visitor.mjs';

let parley;
before(async () => {
  parley = await startParley();
});
after(async () => {
  await parley?.close();
});

/** Counts `POST /api/session` and holds every `.wasm` response until `release()`. */
async function watch(page) {
  const seen = { grants: 0, bodies: [] };
  let release;
  const released = new Promise((resolve) => (release = resolve));
  let grantSeen;
  const firstGrant = new Promise((resolve) => (grantSeen = resolve));
  page.on('request', (request) => {
    if (request.method() === 'POST' && new URL(request.url()).pathname === '/api/session') {
      seen.grants += 1;
      seen.bodies.push(request.postData());
      grantSeen();
    }
  });
  await page.route('**/*.wasm', async (route) => {
    await released;
    await route.continue();
  });
  return { seen, firstGrant, release };
}

test('opening before the window has loaded asks for the grant during the download, once', { timeout: 60_000 }, async () => {
  let watched;
  const visitor = await Visitor.arrive(parley, {
    path: '/',
    beforeNavigation: async (page) => (watched = await watch(page)),
  });
  try {
    await visitor.page.waitForFunction(() => window.parley?.loader === 1);
    await visitor.launcher.click();
    // The wasm is still held: only the loader can have asked.
    await Promise.race([
      watched.firstGrant,
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error('no grant was asked for while the window downloaded')), 10_000),
      ),
    ]);
    assert.equal(watched.seen.grants, 1);
    assert.deepEqual(JSON.parse(watched.seen.bodies[0]), {}, 'a fresh session');
    watched.release();

    await visitor.greet();
    assert.equal(watched.seen.grants, 1, 'the window took the loader\'s answer');
  } finally {
    await visitor.leave();
  }
});

test('a visitor with a stored conversation is resumed by the window, not granted afresh by the loader', { timeout: 60_000 }, async () => {
  const visitor = await Visitor.arrive(parley);
  try {
    await visitor.greet();
    const token = await visitor.token();

    const grants = [];
    visitor.page.on('request', (request) => {
      if (request.method() === 'POST' && new URL(request.url()).pathname === '/api/session') {
        grants.push(JSON.parse(request.postData()));
      }
    });
    await visitor.page.reload();
    await visitor.launcher.or(visitor.window).first().waitFor();
    if (await visitor.launcher.isVisible()) await visitor.launcher.click();
    await visitor.waitUntilReady();
    assert.equal(await visitor.token(), token, 'the same conversation');
    assert.deepEqual(grants, [{ resume: token }], 'one request, the window\'s resume');
  } finally {
    await visitor.leave();
  }
});
