// Long-transcript benchmark: does appending a message get slower as the transcript grows?
// Compares the time to append one agent message when the transcript holds ~10 entries with the
// time when it holds ~2,000.
//
// How the messages get there: the guest side cannot make 2,000 messages (Genesys and the
// emulator accept 2 sends per second), and the emulator has no bulk-push endpoint. So the page's
// socket to the real emulator is proxied through Playwright's `page.routeWebSocket`: every real
// frame passes through unchanged, and the benchmark injects extra server frames into the page,
// each a copy of the emulator's own greeting frame (same shape, same sender) with a fresh id,
// text and a later timestamp. The page cannot tell them from agent messages.
//
// What is measured, in the page: from the moment the socket delivers a probe frame to the page
// (a `message` listener added when the socket is created, before the app's own) to
//   - "in DOM": the MutationObserver callback that sees the probe's entry added, and
//   - "next frame": the following requestAnimationFrame (roughly, until it can be painted).
// Probes are injected one at a time, each after the previous one is shown: 10 probes at entries
// 10–19, then fillers up to 1,999 entries (reported as bulk render time), then 10 probes at
// entries 2,000–2,009.
//
//   bash scripts/lib/bundle.sh && cargo build --release -p parley-server
//   node e2e/bench/long-transcript.mjs [--size=2000] [--probes=10]
//
// Prints numbers; asserts nothing about them.

import { startBenchParley, summarize, intArg } from './lib.mjs';

const SIZE = intArg('size', 2000);
const PROBES = intArg('probes', 10);
const SMALL = 10;
const BATCH = 100;

// Runs before any page script: timestamps probe frames on arrival and probe entries on insertion.
function instrument() {
  window.__probe = { received: {}, shown: {}, painted: {} };
  const NativeWebSocket = window.WebSocket;
  window.WebSocket = class extends NativeWebSocket {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (event) => {
        const match = typeof event.data === 'string' && /"text":"(probe \d+)"/.exec(event.data);
        if (match) window.__probe.received[match[1]] = performance.now();
      });
    }
  };
  const observer = new MutationObserver((records) => {
    const now = performance.now();
    for (const record of records) {
      for (const node of record.addedNodes) {
        if (node.nodeType !== Node.ELEMENT_NODE) continue;
        const entries = node.matches('[data-parley-entry]') ? [node] : node.querySelectorAll('[data-parley-entry]');
        for (const entry of entries) {
          const text = entry.querySelector('[data-parley-text]')?.textContent.trim() ?? '';
          if (/^probe \d+$/.test(text) && !(text in window.__probe.shown)) {
            window.__probe.shown[text] = now;
            requestAnimationFrame(() => (window.__probe.painted[text] = performance.now()));
          }
        }
      }
    }
  });
  // The window lives in <parley-chat>'s shadow root: observe the document until it exists.
  const watchRoot = new MutationObserver(() => {
    const shadow = document.querySelector('parley-chat')?.shadowRoot;
    if (shadow) {
      observer.observe(shadow, { subtree: true, childList: true });
      watchRoot.disconnect();
    }
  });
  watchRoot.observe(document, { subtree: true, childList: true });
}

const parley = await startBenchParley({ PARLEY_EMULATOR_AGENT_DELAY_MS: '0' });
try {
  const page = await parley.newPage();

  // Proxy the guest socket; keep the emulator's greeting frame as the template for injected ones.
  let route = null;
  let template = null;
  await page.routeWebSocket(/\/v1(\?|$)/, (ws) => {
    route = ws;
    const server = ws.connectToServer();
    server.onMessage((message) => {
      if (!template && typeof message === 'string') {
        const frame = JSON.parse(message);
        if (frame.class === 'StructuredMessage' && frame.body?.direction === 'Outbound' && frame.body?.type === 'Text') {
          template = frame;
        }
      }
      ws.send(message);
    });
  });

  // After routeWebSocket, whose own page script replaces window.WebSocket: ours wraps that one.
  await page.addInitScript(instrument);
  await page.goto(parley.url('/?open=1'));
  const input = page.getByRole('textbox', { name: 'Message' });
  await page.locator('[data-parley-connection][data-state="ready"]').waitFor({ state: 'attached', timeout: 30_000 });
  await input.fill('hello');
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await page.waitForFunction(() => document.querySelector('parley-chat').shadowRoot.querySelectorAll('[data-parley-entry][data-kind="bot"]').length >= 1);
  if (!template) throw new Error('no Outbound text frame seen from the emulator (greeting)');

  let sequence = 0;
  const baseTime = Date.parse(template.body.channel.time) + 1000;
  const frameFor = (text) => {
    sequence += 1;
    const id = `bench-${sequence}`;
    const time = new Date(baseTime + sequence).toISOString();
    return JSON.stringify({
      ...template,
      body: { ...template.body, id, text, channel: { ...template.body.channel, time, messageId: id } },
    });
  };
  const entryCount = () => page.evaluate(() => document.querySelector('parley-chat').shadowRoot.querySelectorAll('[data-parley-entry]').length);
  const shownText = (text) =>
    page.waitForFunction(
      (text) =>
        [...document.querySelector('parley-chat').shadowRoot.querySelectorAll('[data-parley-entry] [data-parley-text]')].some(
          (element) => element.textContent.trim() === text,
        ),
      text,
      { timeout: 120_000 },
    );
  async function fillTo(target) {
    let count = await entryCount();
    while (count < target) {
      const batch = Math.min(BATCH, target - count);
      let last = '';
      for (let i = 0; i < batch; i++) {
        last = `filler ${sequence + 1}`;
        route.send(frameFor(last));
      }
      await shownText(last);
      count = await entryCount();
    }
  }
  async function probe(count) {
    const samples = [];
    for (let i = 0; i < count; i++) {
      const text = `probe ${sequence + 1}`;
      route.send(frameFor(text));
      const handle = await page.waitForFunction(
        (text) => window.__probe.painted[text] !== undefined && window.__probe,
        text,
        { timeout: 60_000 },
      );
      const { received, shown, painted } = await handle.jsonValue();
      samples.push({ dom: shown[text] - received[text], frame: painted[text] - received[text] });
    }
    return samples;
  }

  await fillTo(SMALL - 1);
  const small = await probe(PROBES);
  const smallFrom = SMALL;
  const bulkStart = Date.now();
  const beforeBulk = await entryCount();
  await fillTo(SIZE - 1);
  const bulkMs = Date.now() - bulkStart;
  const bulkCount = (await entryCount()) - beforeBulk;
  const large = await probe(PROBES);
  const finalCount = await entryCount();

  console.log(`server ${parley.server.origin}, Chromium ${parley.browser.version()}`);
  summarize(`append entry ${smallFrom}–${smallFrom + PROBES - 1}: frame → in DOM`, small.map((s) => s.dom));
  summarize(`append entry ${smallFrom}–${smallFrom + PROBES - 1}: frame → next frame`, small.map((s) => s.frame));
  summarize(`append entry ${SIZE}–${SIZE + PROBES - 1}: frame → in DOM`, large.map((s) => s.dom));
  summarize(`append entry ${SIZE}–${SIZE + PROBES - 1}: frame → next frame`, large.map((s) => s.frame));
  console.log(
    `bulk: ${bulkCount} filler entries injected in batches of ${BATCH} and shown in ${bulkMs} ms ` +
      `(${(bulkMs / bulkCount).toFixed(2)} ms per entry, incl. the CDP round trips)`,
  );
  console.log(`entries in the DOM at the end: ${finalCount}`);
  await page.closeContext();
} finally {
  await parley.close();
}
