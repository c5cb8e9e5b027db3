// The end-to-end harness: the real release server (target/release/parley-server) serving the
// real bundle (dist/, from `trunk build --release`), driven by Debian's Chromium through
// playwright-core. Tests get a started server and browser from `startParley()` and close them
// in an `after` hook; nothing here sleeps: the server is ready when /healthz answers, the page
// is ready when what the test waits for appears.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import { chromium } from 'playwright-core';

/** The repository root (this file is e2e/lib/harness.mjs). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The Content-Security-Policy the bundle must run under (DESIGN.md, "Embedding"). */
export const STRICT_CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'";

// Debian's Chromium, headless, kept off the closed network (see shared TOOLCHAIN notes).
// Playwright makes its own profile directory: no --user-data-dir here.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const SERVER_READY_TIMEOUT_MS = 30_000;
const SERVER_STOP_TIMEOUT_MS = 10_000;

/** A TCP port that is free right now on 127.0.0.1 (the OS picks it). */
export async function freePort() {
  const probe = createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address();
  probe.close();
  await once(probe, 'close');
  return port;
}

/**
 * The emulator settings every end-to-end server starts with (server/src/config.rs): predictable
 * ids, and a short agent "typing" time so a reply takes a moment (the typing indicator is
 * observable) without slowing the suite down.
 */
export const EMULATOR_ENV = {
  PARLEY_BACKEND: 'emulator',
  PARLEY_EMULATOR_DETERMINISTIC: 'true',
  PARLEY_EMULATOR_AGENT_DELAY_MS: '150',
};

/**
 * Starts the release server on a free port and resolves once GET /healthz answers 200.
 * `env` adds or overrides environment variables (on top of EMULATOR_ENV, e.g.
 * PARLEY_EMULATOR_AGENT_DELAY_MS); `args` are extra command line flags; `port` is the port to
 * listen on (a free one when not given), for tests that must know the origin beforehand.
 */
export async function startServer({ env = {}, args = [], port: wantedPort } = {}) {
  const binary = process.env.PARLEY_SERVER_BIN ?? path.join(ROOT, 'target', 'release', 'parley-server');
  if (!existsSync(binary)) {
    throw new Error(`${binary} is missing: build it with \`cargo build --release -p parley-server\``);
  }
  const dist = process.env.PARLEY_DIST ?? path.join(ROOT, 'dist');
  if (!existsSync(path.join(dist, 'index.html'))) {
    throw new Error(`${dist}/index.html is missing: build the bundle with \`trunk build --release\``);
  }

  const port = wantedPort ?? (await freePort());
  const origin = `http://127.0.0.1:${port}`;
  const child = spawn(binary, args, {
    cwd: ROOT,
    env: { ...process.env, ...EMULATOR_ENV, PARLEY_ADDR: `127.0.0.1:${port}`, PARLEY_DIST: dist, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = once(child, 'exit');
  // If this test process ends without calling stop() (a crash, Ctrl-C), take the server with it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  exited.then(() => process.removeListener('exit', killOnExit));

  const server = {
    origin,
    port,
    process: child,
    /** Everything the server printed so far (for failure messages). */
    output: () => output,
    /** An absolute URL on this server. */
    url: (pathname = '/') => new URL(pathname, origin).href,
    /** Injects an emulator fault (server/src/emulator/faults.rs), e.g. `{fault: 'drop_sockets'}`. */
    async fault(fault) {
      const response = await fetch(new URL('/emulator/faults', origin), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(fault),
      });
      if (!response.ok) {
        throw new Error(`POST /emulator/faults ${JSON.stringify(fault)}: ${response.status} ${await response.text()}`);
      }
      return response.json();
    },
    /**
     * What the emulator recorded for a session token: `{conversationId, state, readOnly,
     * connections, messages: [StructuredMessage]}` (server/src/emulator/control.rs).
     */
    async transcript(token) {
      const response = await fetch(new URL(`/emulator/sessions/${encodeURIComponent(token)}/transcript`, origin));
      if (!response.ok) {
        throw new Error(`GET transcript for ${token}: ${response.status} ${await response.text()}`);
      }
      return response.json();
    },
    /** SIGTERM, then SIGKILL if it has not exited within the stop timeout. */
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      // An unref'd timer: once the server has exited, it must not keep the test process alive.
      const stopped = await Promise.race([exited.then(() => true), delay(SERVER_STOP_TIMEOUT_MS, false, { ref: false })]);
      if (!stopped) {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };

  try {
    await waitForHealth(server, exited);
  } catch (error) {
    await server.stop();
    throw new Error(`${error.message}\n--- server output ---\n${output}`);
  }
  return server;
}

// Polls /healthz until it answers 200; fails fast if the server exits, and gives up at the deadline.
async function waitForHealth(server, exited) {
  let gone = false;
  exited.then(() => (gone = true));
  const deadline = Date.now() + SERVER_READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (gone) {
      throw new Error(`parley-server exited before it was ready (code ${server.process.exitCode})`);
    }
    try {
      const response = await fetch(server.url('/healthz'));
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await delay(50);
  }
  throw new Error(`parley-server did not answer /healthz within ${SERVER_READY_TIMEOUT_MS} ms`);
}

/** Launches Debian's Chromium (PARLEY_CHROMIUM overrides the path) headless. */
export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.PARLEY_CHROMIUM ?? '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
  });
}

/**
 * A new page in its own browser context (fresh storage: a new visitor) that records every
 * console error, uncaught exception, failed request and CSP violation, for a test to assert
 * there were none (`problems()`).
 * With `strictCsp`, every document is served with STRICT_CSP in place of the server's own policy,
 * so the bundle is proven to run under it whatever the server sends. Such a document is
 * fulfilled by Playwright, and Chromium's Local Network Access checks then block its WebSocket
 * to 127.0.0.1: use it for start-up checks, not for a conversation. `context` is passed to
 * `browser.newContext` (e.g. `{colorScheme: 'dark'}`, `{bypassCSP: true}`).
 */
export async function newPage(browser, { strictCsp = false, context: contextOptions = {} } = {}) {
  const context = await browser.newContext(contextOptions);
  const page = await context.newPage();
  const problems = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  page.on('requestfailed', (request) =>
    problems.push(`request failed: ${request.url()} (${request.failure()?.errorText})`),
  );
  // Runs before any page script; init scripts are injected by the browser, not subject to CSP.
  await page.addInitScript(() => {
    window.__parleyCspViolations = [];
    document.addEventListener('securitypolicyviolation', (event) => {
      window.__parleyCspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || 'inline'}`);
    });
  });
  if (strictCsp) {
    await page.route('**/*', async (route) => {
      if (route.request().resourceType() !== 'document') return route.continue();
      const response = await route.fetch();
      const headers = { ...response.headers(), 'content-security-policy': STRICT_CSP };
      return route.fulfill({ response, headers });
    });
  }
  page.problems = async () => {
    const violations = await page
      .evaluate(() => window.__parleyCspViolations ?? [])
      .catch(() => ['(could not read CSP violations: page closed?)']);
    return [...problems, ...violations.map((v) => `CSP violation: ${v}`)];
  };
  page.closeContext = () => context.close();
  return page;
}

const require = createRequire(import.meta.url);
const axe = require('axe-core');

/**
 * Runs axe-core on the page and returns its violations (an empty array when none). The script is
 * evaluated through the DevTools protocol, so the page's own CSP does not block it.
 */
export async function axeViolations(page, options = {}) {
  await page.evaluate(axe.source);
  const result = await page.evaluate((opts) => window.axe.run(document, opts), options);
  return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length }));
}

/**
 * The usual test set-up: a started server and a launched browser. `close()` stops both; call it
 * from an `after` hook.
 */
export async function startParley(serverOptions = {}) {
  const server = await startServer(serverOptions);
  let browser;
  try {
    browser = await launchBrowser();
  } catch (error) {
    await server.stop();
    throw error;
  }
  return {
    server,
    browser,
    url: server.url,
    newPage: (options) => newPage(browser, options),
    async close() {
      await browser.close().catch(() => {});
      await server.stop();
    },
  };
}
