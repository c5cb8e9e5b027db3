// Browser latency benchmark, in headless Chromium against the release server on localhost:
//
// 0. Launcher click → ready: `--runs` fresh visitors load the demo page `/` (only the loader
//    runs), then move the mouse onto the launcher and click at once; measured in the page from
//    the click event to the first DOM mutation where the connection status is `ready` and the
//    message box is enabled. Includes the bundle's download and start (the pointer entering the
//    launcher starts the download a few ms before the click: less head start than a real
//    visitor gives it), the grant, the socket, configureSession.
// 1. Navigation → ready: `--runs` fresh visitors (a new browser context each, so nothing is
//    cached), each loading `/?open=1`; measured in the page as performance.now() (0 = navigation
//    start) at the first DOM mutation where the connection status is `ready` and the message box
//    is enabled. Includes HTML, JS, wasm download and start, the grant, the socket and
//    configureSession.
// 2. Send → sent: `--sends` messages from one visitor; measured in the page from the Send click
//    to the DOM mutation where the new guest entry shows `data-state="sent"` (the emulator's echo
//    came back); also the time until the entry first appears. Each send is typed (`fill`, which
//    makes the window send a guest Typing event) then clicked, and sends start `--spacing` ms
//    apart (waiting excluded from the numbers). The engine sends the guest Typing event only
//    when the line is quiet (nothing queued, no send in the last second), so at --spacing=1100
//    (the default) a Typing frame goes out just before each message and at --spacing=600 (a
//    brisk visitor) none does; messages are paced to 2 per sliding second, which 600 ms
//    spacing never reaches.
//
//    With `--breakdown`, each send is also split into legs, timed in the page by wrapping
//    `WebSocket.prototype.send` and the socket's `onmessage` handler (an init script): click →
//    `send()` of its onMessage frame (the window's own work before the frame leaves) → the echo
//    frame's handler starts (network, the emulator, the browser's task queue) → the handler
//    returns (decode, engine, view update in wasm) → the DOM shows `data-state="sent"`.
//    `--trace` (implies `--breakdown`) also records a Chromium trace of the sends and splits
//    the second leg by what the page's main thread did meanwhile: a rendering frame, other
//    tasks (the rest of the click's own task, its microtasks, timers), or nothing (idle: the
//    echo was still on its way through the network and the emulator).
//
//   bash scripts/lib/bundle.sh && cargo build --release -p parley-server
//   node e2e/bench/latency.mjs [--runs=30] [--sends=50] [--spacing=1100] [--breakdown] [--trace]
//
// Prints numbers; asserts nothing about them.

import { startBenchParley, summarize, intArg, pause } from './lib.mjs';

const RUNS = intArg('runs', 30);
const SENDS = intArg('sends', 50);
const SEND_SPACING_MS = intArg('spacing', 1100);
const TRACE = process.argv.includes('--trace');
const BREAKDOWN = TRACE || process.argv.includes('--breakdown');

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

// Records when the page saw the first click (capture phase: the launcher is in a shadow root).
function recordFirstClick() {
  document.addEventListener('click', () => (window.__benchClick ??= performance.now()), true);
}

async function clickToReady(parley) {
  const times = [];
  for (let run = 0; run < RUNS; run++) {
    const page = await parley.newPage();
    await page.addInitScript(recordReady);
    await page.addInitScript(recordFirstClick);
    await page.goto(parley.url('/'));
    const launcher = page.getByRole('button', { name: /^Open chat/ });
    await launcher.waitFor();
    // The pointer enters the launcher (the loader starts the download) and clicks at once, with
    // the mouse itself: Playwright's locator click first waits for the element to be stable, in
    // steps of up to 100 ms while the loader redraws the launcher, which is not the page's time.
    const box = await launcher.boundingBox();
    const x = box.x + box.width / 2;
    const y = box.y + box.height / 2;
    await page.mouse.move(x, y);
    await page.mouse.click(x, y);
    const handle = await page.waitForFunction(() => window.__benchReady, null, { timeout: 30_000 });
    const clickedAt = await page.evaluate(() => window.__benchClick);
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

// Records, per probe number (`latency probe N`), when the page called `send()` with its
// onMessage frame, when the handler of the echo (the Inbound message with that text) started
// and when it returned. Runs before any page script, so the window's socket is covered.
function recordSocketLegs() {
  const legs = (window.__benchLegs = { sent: {}, arrived: {}, handled: {} });
  const probe = (text) => /"latency probe (\d+)"/.exec(text)?.[1];
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) {
    const n = typeof data === 'string' && data.includes('"onMessage"') ? probe(data) : undefined;
    if (n !== undefined && !(n in legs.sent)) {
      legs.sent[n] = performance.now();
      performance.mark(`bench-sent-${n}`);
    }
    return send.call(this, data);
  };
  const onmessage = Object.getOwnPropertyDescriptor(WebSocket.prototype, 'onmessage');
  Object.defineProperty(WebSocket.prototype, 'onmessage', {
    configurable: true,
    enumerable: true,
    get() {
      return onmessage.get.call(this);
    },
    set(handler) {
      const timed =
        handler &&
        function (event) {
          const text = typeof event.data === 'string' ? event.data : '';
          const n = text.includes('"Inbound"') ? probe(text) : undefined;
          const started = performance.now();
          try {
            return handler.call(this, event);
          } finally {
            if (n !== undefined && !(n in legs.arrived)) {
              legs.arrived[n] = started;
              performance.mark(`bench-arrived-${n}`, { startTime: started });
              legs.handled[n] = performance.now();
            }
          }
        };
      onmessage.set.call(this, timed);
    },
  });
}

// Clicks `sendButton` in the page and resolves with {start, shown, sent}: the click's
// performance.now(), then ms after it.
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
        resolve({ start, shown, sent: performance.now() - start });
      }
    });
    observer.observe(shadow, { subtree: true, childList: true, attributes: true, characterData: true });
    sendButton.click();
  });
}

async function sendToSent(parley) {
  const page = await parley.newPage();
  await page.addInitScript(recordReady);
  if (BREAKDOWN) await page.addInitScript(recordSocketLegs);
  await page.goto(parley.url('/?open=1'));
  await page.waitForFunction(() => window.__benchReady, null, { timeout: 30_000 });
  const input = page.getByRole('textbox', { name: 'Message' });
  const sendButton = await page.getByRole('button', { name: 'Send', exact: true }).elementHandle();
  if (TRACE) await parley.browser.startTracing(page, { categories: TRACE_CATEGORIES });
  const shown = [];
  const sent = [];
  const timings = [];
  for (let i = 0; i < SENDS; i++) {
    const started = Date.now();
    await input.fill(`latency probe ${i + 1}`);
    const timing = await page.evaluate(clickAndTime, sendButton);
    shown.push(timing.shown);
    sent.push(timing.sent);
    timings.push(timing);
    await pause(Math.max(0, SEND_SPACING_MS - (Date.now() - started)));
  }
  const trace = TRACE ? await parley.browser.stopTracing() : null;
  const failed = await page.locator('[data-parley-entry][data-state="failed"]').count();
  const legs = BREAKDOWN ? await page.evaluate(() => window.__benchLegs) : null;
  await page.closeContext();
  // The visitor's first send runs code the page has not run before: shown apart (it is also
  // in the percentiles).
  console.log(`first send: shown ${shown[0].toFixed(1)} ms, "sent" ${sent[0].toFixed(1)} ms`);
  summarize(`click Send → entry shown (${SENDS} sends)`, shown);
  summarize(`click Send → "sent" (${SENDS} sends, started ${SEND_SPACING_MS} ms apart, the wait between sends excluded)`, sent);
  if (failed > 0) console.log(`warning: ${failed} sends ended "failed"`);
  if (legs) summarizeLegs(timings, legs);
  if (trace) summarizeEchoWait(JSON.parse(trace.toString('utf8')));
}

// What the trace needs: the page's marks, the main thread's tasks, its rendering frames.
const TRACE_CATEGORIES = ['blink.user_timing', 'toplevel', 'cc', 'benchmark'];

// Splits each send() → echo handler interval by what the page's main thread was doing: in a
// rendering frame (`ProxyMain::BeginMainFrame`), in another task, or idle.
function summarizeEchoWait(trace) {
  const events = trace.traceEvents ?? trace;
  const marks = new Map();
  for (const event of events) {
    if (event.name?.startsWith('bench-') && !marks.has(event.name)) marks.set(event.name, event);
  }
  const first = marks.values().next().value;
  if (!first) return console.log('warning: the trace holds no bench marks');
  const onMain = (event) => event.pid === first.pid && event.tid === first.tid && event.ph === 'X';
  const tasks = events.filter((e) => onMain(e) && e.name === 'ThreadControllerImpl::RunTask');
  const frames = events.filter((e) => onMain(e) && e.name === 'ProxyMain::BeginMainFrame');
  const within = (list, from, to) =>
    list.reduce((sum, e) => sum + Math.max(0, Math.min(e.ts + e.dur, to) - Math.max(e.ts, from)), 0);
  const wait = { frame: [], other: [], idle: [] };
  for (let n = 1; marks.has(`bench-sent-${n}`); n++) {
    const arrived = marks.get(`bench-arrived-${n}`);
    if (!arrived) continue;
    const [from, to] = [marks.get(`bench-sent-${n}`).ts, arrived.ts];
    const [inFrames, inTasks] = [within(frames, from, to), within(tasks, from, to)];
    wait.frame.push(inFrames / 1000);
    wait.other.push((inTasks - inFrames) / 1000);
    wait.idle.push((to - from - inTasks) / 1000);
  }
  summarize('  send() → echo handler: main thread in a rendering frame', wait.frame);
  summarize('  send() → echo handler: main thread in other tasks', wait.other);
  summarize('  send() → echo handler: main thread idle (echo not there yet)', wait.idle);
}

// Splits each send into its legs (see `recordSocketLegs`) and prints each leg's percentiles.
function summarizeLegs(timings, legs) {
  const leg = { click: [], echo: [], handler: [], dom: [] };
  let incomplete = 0;
  timings.forEach(({ start, sent }, i) => {
    const n = String(i + 1);
    const [frameSent, arrived, handled] = [legs.sent[n], legs.arrived[n], legs.handled[n]];
    if (frameSent === undefined || arrived === undefined) {
      incomplete += 1;
      return;
    }
    leg.click.push(frameSent - start);
    leg.echo.push(arrived - frameSent);
    leg.handler.push(handled - arrived);
    leg.dom.push(start + sent - handled);
  });
  summarize('  leg click → send() of the frame', leg.click);
  summarize('  leg send() → echo handler starts (network, emulator, task queue)', leg.echo);
  summarize('  leg echo handler runs (decode, engine, view)', leg.handler);
  summarize('  leg handler returns → DOM "sent"', leg.dom);
  if (incomplete > 0) console.log(`warning: ${incomplete} sends had no frame or no echo recorded`);
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
