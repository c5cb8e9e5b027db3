// A customer's web site for the end-to-end tests: a small HTTP server on another origin than
// Parley (127.0.0.2, so the browser treats it as a different site), serving pages that embed
// Parley with the one tag from the README, under the Content-Security-Policy the README gives,
// next to deliberately hostile global CSS.

import { createServer } from 'node:http';
import { once } from 'node:events';

/**
 * CSS a careless (or hostile) host page might have: it must not reach inside the chat window,
 * and Parley must not change how it styles the host's own elements.
 */
export const HOSTILE_CSS = `
* { font-family: "Comic Sans MS", fantasy !important; color: rgb(255, 0, 255) !important; letter-spacing: 3px !important; }
html { font-size: 40px; line-height: 3; }
div { margin: 13px !important; border: 7px dashed rgb(0, 128, 0) !important; }
textarea { visibility: hidden !important; }
button { font-size: 30px !important; }
`;

/**
 * The policy a host needs for Parley (README, "Embedding"): `parley` is Parley's origin, `ws`
 * the Genesys WebSocket origin (the emulator: Parley's own, as ws://).
 */
export function hostCsp(parley) {
  const ws = parley.replace(/^http/, 'ws');
  return [
    "default-src 'self'",
    `script-src 'self' ${parley} 'wasm-unsafe-eval'`,
    `style-src 'self'`,
    `connect-src 'self' ${parley} ${ws}`,
    `img-src 'self' ${parley} data: blob:`,
    `frame-src ${parley}`,
    "object-src 'none'",
    "base-uri 'none'",
  ].join('; ');
}

/** The iframe mode's policy: no 'wasm-unsafe-eval', no connect-src for Parley. */
export function iframeHostCsp(parley) {
  return [
    "default-src 'self'",
    `script-src 'self' ${parley}`,
    `style-src 'self'`,
    `frame-src ${parley}`,
    "object-src 'none'",
    "base-uri 'none'",
  ].join('; ');
}

/** A host page: some content of its own, then the one tag (with `scriptAttributes`). */
export function hostPage(parley, { scriptAttributes = '', element = '', extra = '' } = {}) {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Acme Shop</title>
<link rel="stylesheet" href="/hostile.css">
</head>
<body>
<div id="app"><h1>Acme Shop</h1><p class="host-text">Our products.</p>
<textarea id="host-notes" aria-label="Notes"></textarea>
<button type="button" id="host-button">Buy</button></div>
${element}
${extra}
<script src="${parley}/parley.js" async ${scriptAttributes}></script>
</body>
</html>`;
}

/**
 * Starts the host site on 127.0.0.2 (a free port). `pages` maps a path to `{html, csp}`;
 * `/hostile.css` and `/router.js` are always there. Resolves with `{origin, url(path), close()}`.
 */
export async function startHost(pages = {}) {
  const server = createServer((request, response) => {
    const path = new URL(request.url, 'http://host').pathname;
    if (path === '/hostile.css') {
      response.writeHead(200, { 'content-type': 'text/css' });
      return response.end(HOSTILE_CSS);
    }
    if (path === '/router.js') {
      response.writeHead(200, { 'content-type': 'text/javascript' });
      return response.end(ROUTER_JS);
    }
    if (path === '/favicon.ico') {
      response.writeHead(204);
      return response.end();
    }
    const page = pages[path];
    if (!page) {
      response.writeHead(404);
      return response.end('not found');
    }
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': page.csp });
    response.end(page.html);
  });
  server.listen(0, '127.0.0.2');
  await once(server, 'listening');
  const origin = `http://127.0.0.2:${server.address().port}`;
  return {
    origin,
    pages,
    url: (path) => new URL(path, origin).href,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

// A single-page app's router, as the tests need one: `window.__route()` replaces the page's
// content, removing <parley-chat> and adding a new one (as frameworks that own <body> do).
const ROUTER_JS = `
window.__route = () => {
  document.querySelector('parley-chat')?.remove();
  const view = document.createElement('section');
  view.id = 'route-' + Date.now();
  view.textContent = 'Another view';
  document.body.append(view, document.createElement('parley-chat'));
};
`;
