// Parley embedded in a customer's site on another origin, with the one tag and the CSP line of
// the README, next to hostile global CSS: the launcher comes from the small loader alone, the
// wasm only on intent, the window is isolated in its shadow root (or iframe), and a
// single-page app's router cannot make a second conversation.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startParley } from '../lib/harness.mjs';
import { startHost, hostPage, hostCsp, iframeHostCsp } from '../lib/host.mjs';
import { Visitor, GREETING, exactly, preparePage } from '../lib/visitor.mjs';

let parley;
let host;
before(async () => {
  // The host's origin must be known before Parley starts: Parley allows it by CORS.
  host = await startHost();
  parley = await startParley({ env: { PARLEY_ALLOWED_ORIGINS: host.origin } });
  const origin = parley.server.origin;
  host.pages['/'] = { html: hostPage(origin), csp: hostCsp(origin) };
  host.pages['/options'] = {
    html: hostPage(origin, { element: '<parley-chat lang="de" title="Hilfe" open></parley-chat>' }),
    csp: hostCsp(origin),
  };
  host.pages['/spa'] = {
    html: hostPage(origin, { extra: '<script src="/router.js"></script>' }),
    csp: hostCsp(origin),
  };
  host.pages['/twice'] = {
    html: hostPage(origin, { extra: `<script src="${origin}/parley.js" async></script>` }),
    csp: hostCsp(origin),
  };
  host.pages['/iframe'] = {
    html: hostPage(origin, { scriptAttributes: 'data-isolation="iframe"' }),
    csp: iframeHostCsp(origin),
  };
});
after(async () => {
  await parley?.close();
  await host?.close();
});

/** A visitor on the host site; records every request to Parley's origin and every socket. */
async function arriveAtHost(path) {
  const page = await parley.newPage();
  await preparePage(page);
  const toParley = [];
  page.on('requestfinished', async (request) => {
    if (!request.url().startsWith(parley.server.origin)) return;
    const sizes = await request.sizes().catch(() => null);
    toParley.push({ url: request.url(), body: sizes?.responseBodySize ?? 0, headers: sizes?.responseHeadersSize ?? 0 });
  });
  const sockets = [];
  page.on('websocket', (socket) => sockets.push(socket.url()));
  const visitor = new Visitor(page, parley.server);
  await page.goto(host.url(path));
  return { visitor, page, toParley, sockets };
}

/** Computed styles of host elements, to prove Parley changed nothing of the host page. */
const hostStyles = (page) =>
  page.evaluate(() => {
    const pick = (selector) => {
      const style = getComputedStyle(document.querySelector(selector));
      return [style.fontFamily, style.color, style.margin, style.borderTopWidth, style.visibility, style.fontSize].join('|');
    };
    return {
      text: pick('.host-text'),
      notes: pick('#host-notes'),
      button: pick('#host-button'),
      sheets: document.styleSheets.length,
      adopted: document.adoptedStyleSheets.length,
    };
  });

test('before intent the host page gets the launcher from the loader alone, ≤ 6 KB and no wasm', { timeout: 60_000 }, async () => {
  const { visitor, page, toParley } = await arriveAtHost('/');
  try {
    await visitor.launcher.waitFor();
    await page.waitForLoadState('networkidle');
    assert.ok(!toParley.some((r) => r.url.endsWith('.wasm')), `no wasm before intent: ${JSON.stringify(toParley)}`);
    // Bodies as sent (compressed); headers depend on the proxy in front (HTTP/2 compresses them).
    const bytes = toParley.reduce((sum, r) => sum + r.body, 0);
    assert.ok(bytes <= 6 * 1024, `${bytes} B of bodies came from Parley before intent: ${JSON.stringify(toParley)}`);
    assert.equal(await visitor.launcher.getAttribute('aria-label'), 'Open chat');
    assert.equal(await page.evaluate(() => document.querySelectorAll('parley-chat').length), 1);
    assert.equal(await page.evaluate(() => document.body.lastElementChild.localName), 'parley-chat');
    assert.deepEqual(await page.problems(), []);
  } finally {
    await visitor.leave();
  }
});

test('after a click the visitor chats across origins, isolated from the host CSS, under the host CSP', { timeout: 90_000 }, async () => {
  const { visitor, page, sockets } = await arriveAtHost('/');
  try {
    await visitor.launcher.waitFor();
    const before = await hostStyles(page);
    await visitor.launcher.click();
    await visitor.greet();

    // The window's styles are Parley's, whatever the host's global CSS says.
    const inside = await page.evaluate(() => {
      const root = document.querySelector('parley-chat').shadowRoot;
      const style = (selector) => getComputedStyle(root.querySelector(selector));
      const input = style('[data-parley-input]');
      const send = style('.parley-send');
      const window = style('.parley-window');
      return {
        inputVisibility: input.visibility,
        sendFontSize: send.fontSize,
        fontFamily: window.fontFamily,
        color: window.color,
        letterSpacing: window.letterSpacing,
        borderStyle: style('.parley-transcript').borderTopStyle,
      };
    });
    assert.equal(inside.inputVisibility, 'visible');
    assert.notEqual(inside.sendFontSize, '30px');
    assert.doesNotMatch(inside.fontFamily, /Comic Sans/);
    assert.notEqual(inside.color, 'rgb(255, 0, 255)');
    assert.equal(inside.letterSpacing, 'normal');
    assert.notEqual(inside.borderStyle, 'dashed');
    // …and the host's own elements look exactly as they did before Parley ran.
    assert.deepEqual(await hostStyles(page), before);
    assert.equal(sockets.length, 1, `one socket: ${sockets.join(', ')}`);
    assert.deepEqual(await page.problems(), []);
  } finally {
    await visitor.leave();
  }
});

test('a reload resumes the same conversation once, on the host site', { timeout: 90_000 }, async () => {
  const { visitor, page } = await arriveAtHost('/');
  try {
    await visitor.launcher.click();
    await visitor.greet();
    const token = await visitor.token();
    assert.ok(token);

    // A stored conversation is intent: the window starts (and resumes) without a click, and
    // it was open when the page was left, so it opens again (issue 13, §6).
    await page.reload();
    await visitor.waitForEntry({ kind: 'bot', text: exactly(GREETING) });
    await visitor.waitUntilReady();
    assert.equal(await visitor.token(), token);
    const greetings = (await visitor.entries()).filter((e) => e.kind === 'bot' && e.text === GREETING);
    assert.equal(greetings.length, 1);
    assert.deepEqual(await page.problems(), []);
  } finally {
    await visitor.leave();
  }
});

test('window.parley calls made before the wasm loaded take effect; options come from the element', { timeout: 90_000 }, async () => {
  const page = await parley.newPage();
  await preparePage(page);
  const visitor = new Visitor(page, parley.server);
  try {
    await page.goto(host.url('/'));
    await page.evaluate(() => {
      window.__events = [];
      for (const name of ['open', 'connection', 'message']) {
        window.parley.on(name, (payload) => window.__events.push([name, payload]));
      }
      window.parley.setAttributes({ plan: 'gold' });
      window.parley.open();
    });
    await visitor.waitUntilReady();
    await page.evaluate(() => window.parley.ready);
    await visitor.send('hello');
    await visitor.waitForEntry({ kind: 'guest', text: exactly('hello'), state: 'sent' });
    const transcript = await parley.server.transcript(await visitor.token());
    const hello = transcript.messages.find((m) => m.direction === 'Inbound' && m.text === 'hello');
    assert.deepEqual(hello?.channel?.metadata?.customAttributes, { plan: 'gold' });
    const events = await page.evaluate(() => window.__events.map(([name]) => name));
    assert.ok(events.includes('open') && events.includes('connection') && events.includes('message'), events.join(','));

    // A host that places <parley-chat lang="de" title="Hilfe" open> itself.
    await page.goto(host.url('/options'));
    await page.getByRole('dialog', { name: 'Chat' }).waitFor();
    assert.equal(await page.locator('.parley-window-title').textContent(), 'Hilfe');
    assert.equal(await page.locator('[data-parley-window]').getAttribute('lang'), 'de');
    assert.equal(await page.evaluate(() => document.querySelectorAll('parley-chat').length), 1);
  } finally {
    await visitor.leave();
  }
});

test('a router that replaces <parley-chat>, and a second copy of the script, keep one conversation and one socket', { timeout: 90_000 }, async () => {
  const { visitor, page, sockets } = await arriveAtHost('/spa');
  try {
    await visitor.launcher.click();
    await visitor.greet();
    const token = await visitor.token();

    await page.evaluate(() => window.__route());
    await visitor.waitUntilReady();
    assert.equal(await page.evaluate(() => document.querySelectorAll('parley-chat').length), 1);
    await visitor.send('still here');
    await visitor.waitForEntry({ kind: 'guest', text: exactly('still here'), state: 'sent' });
    assert.equal(await visitor.token(), token);
    assert.equal(sockets.length, 1, `sockets: ${sockets.join(', ')}`);
    const greetings = (await visitor.entries()).filter((e) => e.kind === 'bot' && e.text === GREETING);
    assert.equal(greetings.length, 1);
  } finally {
    await visitor.leave();
  }

  const twice = await arriveAtHost('/twice');
  try {
    await twice.visitor.launcher.click();
    await twice.visitor.waitUntilReady();
    assert.equal(await twice.page.evaluate(() => document.querySelectorAll('parley-chat').length), 1);
    assert.equal(await twice.page.getByRole("button", { name: /^Open chat/ }).count(), 0, "the launcher hides while open");
    assert.equal(twice.sockets.length, 1);
    assert.deepEqual(await twice.page.problems(), []);
  } finally {
    await twice.visitor.leave();
  }
});

test('the iframe mode chats under a host CSP without wasm-unsafe-eval, through postMessage', { timeout: 90_000 }, async () => {
  const page = await parley.newPage();
  await preparePage(page);
  try {
    await page.goto(host.url('/iframe'));
    const launcher = page.getByRole('button', { name: /^Open chat/ });
    await launcher.waitFor();
    await page.evaluate(() => {
      window.__events = [];
      window.parley.on('message', (payload) => window.__events.push(payload));
      window.parley.on('close', () => window.__events.push('close'));
    });
    await launcher.click();
    const frameElement = await page.locator('iframe.parley-frame').elementHandle();
    const frame = await frameElement.contentFrame();
    const visitor = new Visitor(page, parley.server, frame);
    await visitor.greet();
    await page.waitForFunction((greeting) => window.__events.some((e) => e.text === greeting), GREETING);

    await page.evaluate(() => window.parley.close());
    await page.waitForFunction(() => window.__events.includes('close'));
    await launcher.waitFor();
    assert.equal(await page.locator('iframe.parley-frame').isHidden(), true);
    assert.deepEqual(await page.problems(), []);
  } finally {
    await page.closeContext();
  }
});

test('a failed download says so and offers Retry, which then opens the chat', { timeout: 90_000 }, async () => {
  const page = await parley.newPage();
  await preparePage(page);
  const visitor = new Visitor(page, parley.server);
  try {
    // The first request for the wasm fails as on a dropped connection; later ones go through.
    let failures = 0;
    await page.route('**/*_bg.wasm', (route) => (failures++ === 0 ? route.abort('connectionreset') : route.continue()));
    await page.goto(host.url('/'));
    await visitor.launcher.click();
    const retry = page.getByRole('button', { name: 'Retry' });
    await retry.waitFor();
    await page.getByText('The chat could not be loaded.').waitFor();
    await retry.click();
    await visitor.greet();
    assert.equal(failures, 2);
  } finally {
    await visitor.leave();
  }
});
