// What embedding Parley costs a host page before the visitor shows intent: a host on another
// origin (e2e/lib/host.mjs, with the README's CSP) loaded `--runs` times in fresh contexts,
// with and without the one tag. Prints, in ms from navigation start: DOMContentLoaded and the
// load event (p50/p95) for both, and with the tag the time from `parley.js`'s response end to
// the launcher being in the DOM (the loader's wait for its turn plus its own work) and the
// bytes that came from Parley.
//
//   bash scripts/lib/bundle.sh && cargo build --release -p parley-server
//   node e2e/bench/host-cost.mjs [--runs=30]
//
// Prints numbers; asserts nothing about them.

import { startBenchParley, summarize, intArg } from './lib.mjs';
import { startHost, hostPage, hostCsp } from '../lib/host.mjs';

const RUNS = intArg('runs', 30);

const host = await startHost();
const parley = await startBenchParley({ PARLEY_ALLOWED_ORIGINS: host.origin });
const origin = parley.server.origin;
host.pages['/with'] = { html: hostPage(origin), csp: hostCsp(origin) };
host.pages['/without'] = { html: hostPage(origin).replace(/<script src="[^"]*parley\.js"[^>]*><\/script>/, ''), csp: hostCsp(origin) };

// Runs in the page: when the launcher appears, relative to parley.js's response end.
function watchLauncher() {
  const observer = new MutationObserver(() => {
    const launcher = document.querySelector('parley-chat')?.shadowRoot?.querySelector('[data-parley-launcher]');
    if (!launcher) return;
    window.__launcherAt = performance.now();
    observer.disconnect();
  });
  observer.observe(document, { subtree: true, childList: true });
}

async function measure(path) {
  const loads = [];
  const ready = [];
  const loader = [];
  const bytes = [];
  for (let run = 0; run < RUNS; run++) {
    const page = await parley.newPage();
    let fromParley = 0;
    page.on('requestfinished', async (request) => {
      if (!request.url().startsWith(origin)) return;
      const sizes = await request.sizes().catch(() => null);
      if (sizes) fromParley += sizes.responseBodySize;
    });
    await page.addInitScript(watchLauncher);
    await page.goto(host.url(path), { waitUntil: 'load' });
    const timing = await page.evaluate(() => {
      const [navigation] = performance.getEntriesByType('navigation');
      const script = performance.getEntriesByType('resource').find((entry) => entry.name.endsWith('/parley.js'));
      return {
        dcl: navigation.domContentLoadedEventEnd,
        load: navigation.loadEventEnd,
        loader: script && window.__launcherAt ? window.__launcherAt - script.responseEnd : null,
      };
    });
    loads.push(timing.load);
    ready.push(timing.dcl);
    if (timing.loader !== null) loader.push(timing.loader);
    await page.waitForLoadState('networkidle');
    bytes.push(fromParley);
    await page.closeContext();
  }
  summarize(`${path}: DOMContentLoaded`, ready);
  summarize(`${path}: load event`, loads);
  if (loader.length) summarize(`${path}: parley.js response end → launcher drawn`, loader);
  console.log(`${path}: bytes (bodies, as sent) from Parley before intent: ${Math.max(...bytes)} B (max of ${RUNS})`);
}

try {
  console.log(`host ${host.origin}, parley ${origin}, Chromium ${parley.browser.version()}`);
  await measure('/without');
  await measure('/with');
} finally {
  await parley.close();
  await host.close();
}
