// A connection-cutting TCP proxy for the end-to-end harness: the bad network of issue 9. Every
// connection it accepts (page, bundle, grant, history, WebSocket alike) is relayed byte for byte
// to the Parley server and cut abruptly (TCP reset, no close frame, no FIN) after a lifetime
// drawn from a seeded generator, 1–4 s by default. The same seed gives the same sequence of
// lifetimes in order of acceptance, so a failing run can be replayed.
//
// The server must hand out URLs that point at the proxy, or the window's socket would bypass
// it: start it with PARLEY_PUBLIC_URL = the proxy's origin (`startBehindCuttingProxy` does the
// whole set-up). Emulator control calls (faults, transcripts) go straight to the server.

import { createServer, connect } from 'node:net';
import { once } from 'node:events';
import { startServer, launchBrowser, newPage } from './harness.mjs';

/**
 * mulberry32: a tiny seeded generator of floats in [0, 1). Deterministic, not cryptographic;
 * all a test needs to replay the same cut schedule.
 */
export function seededRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Ends a socket the way a broken network does: a reset where the platform offers it.
function cut(socket) {
  if (socket.destroyed) return;
  if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
  else socket.destroy();
}

/**
 * Starts the proxy on a free loopback port. The target is set later (`proxy.target = port`),
 * since the server has to know the proxy's port before it starts. `minMs`/`maxMs` bound each
 * connection's lifetime; `seed` fixes the schedule.
 * Returns {port, origin, target, stats: {accepted, cut, lifetimesMs}, close()}.
 */
export async function startCuttingProxy({ seed = 9, minMs = 1_000, maxMs = 4_000, host = '127.0.0.1' } = {}) {
  const random = seededRandom(seed);
  const live = new Set();
  const stats = { accepted: 0, cut: 0, lifetimesMs: [] };
  const proxy = {
    port: 0,
    origin: '',
    /** The server's port on `host`; connections accepted before it is set are refused. */
    target: null,
    stats,
    minMs,
    maxMs,
    close,
  };

  const listener = createServer({ noDelay: true }, (client) => {
    stats.accepted += 1;
    if (proxy.target === null) {
      cut(client);
      return;
    }
    const lifetime = Math.round(minMs + random() * (maxMs - minMs));
    stats.lifetimesMs.push(lifetime);
    const upstream = connect({ host, port: proxy.target, noDelay: true });
    const pair = { client, upstream };
    live.add(pair);
    const timer = setTimeout(() => {
      if (!client.destroyed || !upstream.destroyed) stats.cut += 1;
      cut(client);
      cut(upstream);
    }, lifetime);
    timer.unref();
    const done = () => {
      clearTimeout(timer);
      live.delete(pair);
      cut(client);
      cut(upstream);
    };
    client.on('error', done);
    upstream.on('error', done);
    client.on('close', done);
    upstream.on('close', done);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  listener.listen(0, host);
  await once(listener, 'listening');
  proxy.port = listener.address().port;
  proxy.origin = `http://${host}:${proxy.port}`;

  async function close() {
    for (const { client, upstream } of live) {
      cut(client);
      cut(upstream);
    }
    live.clear();
    listener.close();
    await once(listener, 'close').catch(() => {});
  }
  return proxy;
}

/**
 * The release server behind a cutting proxy, and a browser: grants name the proxy's origin
 * (PARLEY_PUBLIC_URL), which is also an allowed origin; pages open through the proxy; control
 * calls (`server.fault`, `server.transcript`) reach the server directly. The returned object
 * has the shape `Visitor.arrive` takes (`url`, `newPage`, `server`), plus `proxy` and `close()`.
 */
export async function startBehindCuttingProxy({ seed, minMs, maxMs, env = {} } = {}) {
  const proxy = await startCuttingProxy({ seed, minMs, maxMs });
  let server;
  let browser;
  try {
    server = await startServer({
      env: {
        PARLEY_PUBLIC_URL: proxy.origin,
        PARLEY_ALLOWED_ORIGINS: proxy.origin,
        // Loopback public URL keeps them on under `auto`; said outright since the tests need them.
        PARLEY_EMULATOR_CONTROL: 'on',
        ...env,
      },
    });
    proxy.target = server.port;
    browser = await launchBrowser();
  } catch (error) {
    await server?.stop();
    await proxy.close();
    throw error;
  }
  return {
    server,
    browser,
    proxy,
    url: (pathname = '/') => new URL(pathname, proxy.origin).href,
    newPage: (options) => newPage(browser, options),
    async close() {
      await browser.close().catch(() => {});
      await proxy.close();
      await server.stop();
    },
  };
}
