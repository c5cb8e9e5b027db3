// Browser latency benchmark, in headless Chromium against the release server on localhost:
//
// 0. Launcher click → ready: `--runs` fresh visitors load the demo page `/` (only the loader
//    runs), then click the launcher; measured in the page from the click to the first DOM
//    mutation where the connection status is `ready` and the message box is enabled. Includes
//    the bundle's download and start (the pointer entering the launcher starts the download a
//    moment before the click, as for a real visitor), the grant, the socket, configureSession.
// 1. Navigation → ready: `--runs` fresh visitors (a new browser context each, so nothing is
//    cached), each loading `/?open=1`; measured in the page as performance.now() (0 = navigation
//    start) at the first DOM mutation where the connection status is `ready` and the message box
//    is enabled. Includes HTML, JS, wasm download and start, the grant, the socket and
//    configureSession.
// 2. Send → sent: `--sends` messages from one visitor; measured in the page from the Send click
//    to the DOM mutation where the new guest entry shows `data-state="sent"` (the emulator's echo
//    came back); also the time until the entry first appears. Each send is typed (`fill`, which
//    makes the window send a guest Typing event) then clicked, and sends start `--spacing` ms
//    apart (waiting excluded from the numbers). The engine paces every `onMessage` — typing
//    events included — to 2 per sliding second, so with spacing under ~1 s a message can wait
//    in the outbox behind the typing event and the previous message: run with --spacing=1100
//    (default: no pacing wait) and --spacing=600 (a brisk visitor) to see both.
//
//   bash scripts/lib/bundle.sh && cargo build --release -p parley-server
//   node e2e/bench/latency.mjs [--runs=30] [--sends=50] [--spacing=1100]
//
// Prints numbers; asserts nothing about them.

import { startBenchParley, summarize, intArg, pause } from './lib.mjs';

const RUNS = intArg('runs', 30);
const SENDS = intArg('sends', 50);
const SEND_SPACING_MS = intArg('spacing', 1100);

// Records when the chat first became usable (runs before any page script). The window lives in
// the shadow root of <parley-chat>: observe the document until that root exists, then the root.
function recordReady() {
  const root = () => document.querySelector('parley-chat')?.shadowRoot ?? null;
  const check = () => {
    const status = root()?.querySelector('[data-parley-connection]');
    const input = root()?.querySelector('[data-parley-input]');
    if (status?.dataset.state === 'ready' && input && !input.disabled) {
      window.__benchReady = performance.now();
      observer.disconnect();
    }
  };
  const observer = new MutationObserver(() => {
    const shadow = root();
    if (shadow && !shadow.__benchObserved) {
      shadow.__benchObserved = true;
      observer.observe(shadow, { subtree: true, childList: true, attributes: true });
    }
    check();
  });
  observer.observe(document, { subtree: true, childList: true });
}

async function clickToReady(parley) {
  const times = [];
  for (let run = 0; run < RUNS; run++) {
    const page = await parley.newPage();
    await page.addInitScript(recordReady);
    await page.goto(parley.url('/'));
    const launcher = page.getByRole('button', { name: /^Open chat/ });
    await launcher.waitFor();
    await launcher.hover();
    const clickedAt = await page.evaluate(() => performance.now());
    await launcher.click();
    const handle = await page.waitForFunction(() => window.__benchReady, null, { timeout: 30_000 });
    times.push((await handle.jsonValue()) - clickedAt);
    await page.closeContext();
  }
  summarize(`launcher click → ready (${RUNS} fresh contexts, demo page)`, times);
}

async function navigationToReady(parley) {
  const times = [];
  for (let run = 0; run < RUNS; run++) {
    const page = await parley.newPage();
    await page.addInitScript(recordReady);
    await page.goto(parley.url('/?open=1'));
    const handle = await page.waitForFunction(() => window.__benchReady, null, { timeout: 30_000 });
    times.push(await handle.jsonValue());
    await page.closeContext();
  }
  summarize(`navigation → ready (${RUNS} fresh contexts)`, times);
}

// Clicks `sendButton` in the page and resolves with {shown, sent} in ms after the click.
function clickAndTime(sendButton) {
  return new Promise((resolve) => {
    const shadow = document.querySelector('parley-chat').shadowRoot;
    const guests = () => shadow.querySelectorAll('[data-parley-entry][data-kind="guest"]');
    const before = guests().length;
    let shown = null;
    const start = performance.now();
    const observer = new MutationObserver(() => {
      const list = guests();
      if (list.length <= before) return;
      const entry = list[list.length - 1];
      shown ??= performance.now() - start;
      if (entry.dataset.state === 'sent') {
        observer.disconnect();
        resolve({ shown, sent: performance.now() - start });
      }
    });
    observer.observe(shadow, { subtree: true, childList: true, attributes: true, characterData: true });
    sendButton.click();
  });
}

async function sendToSent(parley) {
  const page = await parley.newPage();
  await page.addInitScript(recordReady);
  await page.goto(parley.url('/?open=1'));
  await page.waitForFunction(() => window.__benchReady, null, { timeout: 30_000 });
  const input = page.getByRole('textbox', { name: 'Message' });
  const sendButton = await page.getByRole('button', { name: 'Send', exact: true }).elementHandle();
  const shown = [];
  const sent = [];
  for (let i = 0; i < SENDS; i++) {
    const started = Date.now();
    await input.fill(`latency probe ${i + 1}`);
    const timing = await page.evaluate(clickAndTime, sendButton);
    shown.push(timing.shown);
    sent.push(timing.sent);
    await pause(Math.max(0, SEND_SPACING_MS - (Date.now() - started)));
  }
  const failed = await page.locator('[data-parley-entry][data-state="failed"]').count();
  await page.closeContext();
  summarize(`click Send → entry shown (${SENDS} sends)`, shown);
  summarize(`click Send → "sent" (${SENDS} sends, started ${SEND_SPACING_MS} ms apart, the wait between sends excluded)`, sent);
  if (failed > 0) console.log(`warning: ${failed} sends ended "failed"`);
}

const parley = await startBenchParley();
try {
  console.log(`server ${parley.server.origin}, Chromium ${parley.browser.version()}`);
  await clickToReady(parley);
  await navigationToReady(parley);
  await sendToSent(parley);
} finally {
  await parley.close();
}
