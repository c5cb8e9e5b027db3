// Parley's loader: the one file a host page includes.
//
//   <script src="https://chat.example.com/parley.js" async></script>
//
// It is small and runs before any WebAssembly: it finds the Parley server from its own `src`,
// defines `window.parley` at once (calls are queued until the window runs), defines the
// <parley-chat> element (an open shadow root holding the launcher and, later, the window) and
// adds one at the end of <body> unless the page has one. The chat window itself — the wasm
// bundle, its JS glue and its stylesheet, whose hashed names loader/finish-bundle.mjs writes
// into BUNDLE below at build time — is fetched only when the visitor shows intent: the launcher
// hovered, focused or clicked, `window.parley.open()`, `<parley-chat open>`, or a stored
// conversation to resume.
//
// With `data-isolation="iframe"` on the script, the window runs in an iframe of {server}/embed
// instead (for hosts whose CSP cannot allow 'wasm-unsafe-eval'); the launcher and
// `window.parley` work the same through origin-checked postMessage. Inside that iframe this same
// file runs in "framed" mode (`data-frame` on its script tag): no launcher, and everything the
// window reports goes to the parent page.
//
// No inline script or style, no innerHTML: it runs under a strict Content-Security-Policy (and
// Trusted Types) on the host's page. Styles are constructable stylesheets adopted by the shadow
// root; nothing is added to the host document's style sheets.
(() => {
  'use strict';

  // A second copy of the script (or a single-page app re-running it) changes nothing.
  if (window.parley && window.parley.loader) return;
  // Settings a host page may give before this script runs: `window.parley = {prechat, attributes}`.
  const preset = (window.parley && typeof window.parley === 'object' && window.parley) || {};

  /** Hashed names of this build's files, written by loader/finish-bundle.mjs. */
  const BUNDLE = /*PARLEY:BUNDLE*/ { js: '', wasm: '', css: '', wasmBytes: 0 } /*PARLEY:END*/;
  /** loader/loader.css, inlined by loader/finish-bundle.mjs. */
  const LOADER_CSS = /*PARLEY:CSS*/ '' /*PARLEY:END*/;
  /** The key under which the window keeps the guest token (frontend/src/driver/storage.rs). */
  const TOKEN_KEY = 'parley.token';
  /** Where the window keeps messages not yet confirmed (frontend/src/driver/storage.rs). */
  const OUTBOX_KEY = 'parley.outbox';
  /** Set in this tab while the window is open, so that a reload or the site's next page opens it again. */
  const OPEN_KEY = 'parley.open';
  /** Set by the iframe mode's outer page while a conversation lives in the frame's storage. */
  const FRAME_RESUME_KEY = 'parley.frame';
  /** A download that has not finished by then has failed (the visitor gets Retry). */
  const LOAD_TIMEOUT_MS = 30000;
  const MESSAGE_TAG = 'parley';
  /** The event the wasm's `main` dispatches with its start function (frontend/src/lib.rs). */
  const START_EVENT = 'parley:wasm-started';
  const GRANT_PATH = 'api/session'; // the window's own SESSION_PATH

  // Tag managers may insert the script so that currentScript is not set: then find it by name.
  const script = document.currentScript || document.querySelector('script[src*="parley.js"]');
  const scriptData = (script && script.dataset) || {};
  const base = new URL('.', (script && script.src) || location.href).href;
  const serverOrigin = new URL(base).origin;
  const framed = 'frame' in scriptData;
  const isolation = framed ? 'none' : scriptData.isolation === 'iframe' ? 'iframe' : 'shadow';
  // Inside the frame, the outer page passes its origin and the options in the URL's fragment.
  const frameParams = framed ? new URLSearchParams(location.hash.slice(1)) : null;
  if (framed) {
    for (const name of ['lang', 'title', 'prechat']) {
      if (frameParams.get(name)) scriptData[name] = frameParams.get(name);
    }
  }

  // The launcher's name before the wasm (and its translations) arrive.
  const TEXT = {
    en: ['Open chat', 'Open chat, 1 unread message', 'Open chat, {n} unread messages', 'Loading the chat…', 'The chat could not be loaded.', 'Retry', 'Close', 'Chat'],
    de: ['Chat öffnen', 'Chat öffnen, 1 ungelesene Nachricht', 'Chat öffnen, {n} ungelesene Nachrichten', 'Chat wird geladen…', 'Der Chat konnte nicht geladen werden.', 'Erneut versuchen', 'Schließen', 'Chat'],
    fr: ['Ouvrir la discussion', 'Ouvrir la discussion, 1 message non lu', 'Ouvrir la discussion, {n} messages non lus', 'Chargement de la discussion…', "La discussion n'a pas pu être chargée.", 'Réessayer', 'Fermer', 'Discussion'],
    es: ['Abrir chat', 'Abrir chat, 1 mensaje sin leer', 'Abrir chat, {n} mensajes sin leer', 'Cargando el chat…', 'No se pudo cargar el chat.', 'Reintentar', 'Cerrar', 'Chat'],
  };

  // ---- window.parley: exists at once, queues until the window runs -----------------------

  const listeners = new Map();
  let handle = null; // {open, close, setAttributes} of the running window (wasm or frame bridge)
  let wantOpen = false;
  let pendingAttributes = preset.attributes && typeof preset.attributes === 'object' ? { ...preset.attributes } : null;
  let resolveReady;
  const api = {
    loader: 1,
    ready: new Promise((resolve) => (resolveReady = resolve)),
    open() {
      if (deployment.config && deployment.config.status === 'Inactive') return;
      wantOpen = true;
      rememberOpen();
      if (handle) handle.open();
      else {
        askForGrant();
        load();
      }
      render();
    },
    close() {
      wantOpen = false;
      rememberOpen();
      if (handle) handle.close();
      render();
    },
    on(event, listener) {
      if (typeof listener !== 'function') return;
      if (!listeners.has(event)) listeners.set(event, []);
      listeners.get(event).push(listener);
    },
    off(event, listener) {
      const list = listeners.get(event) || [];
      const at = list.indexOf(listener);
      if (at >= 0) list.splice(at, 1);
    },
    setAttributes(attributes) {
      if (!attributes || typeof attributes !== 'object') return;
      if (handle) handle.setAttributes(attributes);
      else pendingAttributes = Object.assign(pendingAttributes || {}, attributes);
    },
  };
  window.parley = api;

  /** What the window reports: public events for the host, and the launcher's own state. */
  function emit(event, payload) {
    if (event === 'unread') unread = Number(payload) || 0;
    if (event === 'open') wantOpen = true;
    if (event === 'close') wantOpen = false;
    if (event === 'open' || event === 'close') rememberOpen();
    if (event === 'connection' && isolation === 'iframe') rememberFramedConversation(payload);
    render();
    if (event === 'close' && previouslyOpen && launcher) launcher.focus();
    previouslyOpen = wantOpen;
    for (const listener of (listeners.get(event) || []).slice()) {
      try {
        listener(payload);
      } catch (error) {
        console.warn('Parley: a window.parley listener threw', error);
      }
    }
  }

  // ---- <parley-chat>: one shell, moved into whichever element is on the page --------------

  const sheet = new CSSStyleSheet();
  sheet.replaceSync(LOADER_CSS);
  const windowSheet = new CSSStyleSheet();
  let current = null; // the <parley-chat> element that holds the shell
  let options = null; // read from the first element and the script tag
  let grant = null; // a fresh visitor's grant asked for while the window loads (askForGrant)
  let unread = 0;
  let previouslyOpen = false;
  let failed = false;
  let progress = 0;

  const h = (tag, attributes, children) => {
    const element = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) element.setAttribute(name, value);
    for (const child of children || []) element.append(child);
    return element;
  };
  const svg = (path) => {
    const ns = 'http://www.w3.org/2000/svg';
    const icon = document.createElementNS(ns, 'svg');
    const attrs = { class: 'parley-icon', viewBox: '0 0 24 24', width: '24', height: '24', 'aria-hidden': 'true', focusable: 'false', fill: 'none', stroke: 'currentColor', 'stroke-width': '2', 'stroke-linecap': 'round', 'stroke-linejoin': 'round' };
    for (const [name, value] of Object.entries(attrs)) icon.setAttribute(name, value);
    const line = document.createElementNS(ns, 'path');
    line.setAttribute('d', path);
    icon.append(line);
    return icon;
  };

  const root = h('div', { class: 'parley-root' });
  const mount = h('div', { 'data-parley-mount': '' });
  let launcher = null;
  let badge = null;
  let loading = null;
  let frame = null;
  let loadingPromise = null;
  let parentOrigin = null; // framed mode: the page that framed us

  /** Draws the launcher, the loading panel and the unread badge for the current state. */
  function render() {
    if (!options) return;
    const text = texts();
    if (launcher) {
      const mode = launcherMode();
      launcher.hidden = wantOpen || !deployment.settled || mode === 'off' || (mode === 'ondemand' && !handle);
      const name = unread === 0 ? text[0] : unread === 1 ? text[1] : text[2].replace('{n}', String(unread));
      launcher.setAttribute('aria-label', name);
      badge.hidden = unread === 0;
      badge.textContent = String(unread);
    }
    if (loading) {
      loading.hidden = !(wantOpen && !handle);
      loading.querySelector('[data-parley-loading-text]').textContent = failed ? text[4] : text[3];
      loading.querySelector('.parley-loading-bar').hidden = failed;
      loading.querySelector('.parley-loading-bar > span').style.width = `${Math.round(progress * 100)}%`;
      loading.querySelector('.parley-loading-retry').hidden = !failed;
    }
    if (frame) frame.hidden = !(wantOpen && handle);
  }

  function buildShell() {
    const text = texts();
    if (!framed) {
      badge = h('span', { class: 'parley-badge', 'data-parley-unread': '', 'aria-hidden': 'true' });
      launcher = h('button', { type: 'button', class: 'parley-launcher', 'data-parley-launcher': '' }, [
        svg('M5 4h14a2 2 0 0 1 2 2v9a2 2 0 0 1-2 2H10l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z'),
        badge,
      ]);
      launcher.addEventListener('click', () => api.open());
      // Intent: the visitor is about to click, so the download starts now.
      launcher.addEventListener('pointerenter', () => load());
      launcher.addEventListener('focus', () => load());
      const retry = h('button', { type: 'button', class: 'parley-loading-retry' }, [text[5]]);
      retry.addEventListener('click', () => {
        failed = false;
        load();
        render();
      });
      const close = h('button', { type: 'button' }, [text[6]]);
      close.addEventListener('click', () => {
        api.close();
        launcher.focus();
      });
      loading = h('div', { class: 'parley-loading', role: 'dialog', 'aria-label': text[7], 'data-parley-loading': '', hidden: '' }, [
        h('p', { 'data-parley-loading-text': '', role: 'status' }),
        h('div', { class: 'parley-loading-bar', 'aria-hidden': 'true' }, [h('span')]),
        h('div', { class: 'parley-loading-actions' }, [retry, close]),
      ]);
      loading.addEventListener('keydown', (event) => {
        if (event.key === 'Escape') close.click();
      });
      root.append(loading, mount, launcher);
    } else {
      root.classList.add('parley-framed');
      root.append(mount);
    }
    render();
  }

  /** Options from the element's attributes, then the script tag's data-*, then the browser. */
  function readOptions(element) {
    const pick = (name) => {
      const value = element.getAttribute(name);
      return value !== null ? value : scriptData[name] !== undefined ? scriptData[name] : null;
    };
    const flag = (value) => value !== null && value !== 'false' && value !== '0' && value !== 'no';
    const launcher = (pick('launcher') || '').toLowerCase();
    return {
      lang: pick('lang'),
      title: pick('title') || '',
      open: flag(pick('open')),
      launcher: ['on', 'off', 'ondemand'].includes(launcher) ? launcher : null,
      // "session": the conversation is kept in the tab only (a shared computer).
      storage: pick('storage') === 'session' ? 'session' : 'local',
      // The pre-chat form's fields: "name,email,consent", or JSON (shared/src/prechat.rs).
      prechat: pick('prechat') || (typeof preset.prechat === 'string' ? preset.prechat : preset.prechat ? JSON.stringify(preset.prechat) : ''),
    };
  }

  // ---- The deployment's settings (GET {server}api/config): what a Genesys admin set ------

  /** The settings once read (`json` is passed on to the window), `settled` once answered. */
  const deployment = { settled: false, config: null, json: null };
  const CONFIG_WAIT_MS = 2000;
  const HEX = /^#[0-9a-f]{6}$/i;
  const configSheet = new CSSStyleSheet();

  /** Reads the settings once; the launcher waits for them (at most CONFIG_WAIT_MS). */
  function readDeployment() {
    // The window gets them with its grant. The iframe mode's outer page does not read them: its
    // host's CSP need not allow connections to Parley (set `launcher` on the element instead).
    if (isolation !== 'shadow') {
      deployment.settled = true;
      return;
    }
    const settle = () => {
      if (deployment.settled) return;
      deployment.settled = true;
      applyDeployment();
    };
    setTimeout(settle, CONFIG_WAIT_MS);
    fetch(`${base}api/config`, { mode: 'cors' })
      .then((response) => (response.ok ? response.text() : null))
      .then((text) => {
        const config = text ? JSON.parse(text) : null;
        if (config && typeof config === 'object' && !deployment.settled) {
          deployment.config = config;
          deployment.json = text;
        }
      })
      .catch(() => {}) // the defaults stand: settings are a nicety, never a reason to fail
      .finally(settle);
  }

  /** Accent colours as :host custom properties (a host's own `parley-chat { … }` still wins). */
  function applyDeployment() {
    const config = deployment.config;
    if (config && config.status === 'Inactive') {
      console.warn('Parley: this Messenger deployment is inactive; the chat is not offered.');
    }
    const accent = config && config.accent;
    if (accent && HEX.test(accent.color) && HEX.test(accent.textColor)) {
      configSheet.replaceSync(`:host{--parley-accent:${accent.color};--parley-accent-text:${accent.textColor}}`);
    }
    render();
  }

  /** On, off or on demand: the element's `launcher` attribute, else the deployment's. */
  function launcherMode() {
    const config = deployment.config;
    if (config && config.status === 'Inactive') return 'off';
    if (options.launcher) return options.launcher;
    const visibility = String((config && config.launcher) || 'On').toLowerCase();
    return visibility === 'off' ? 'off' : visibility === 'ondemand' ? 'ondemand' : 'on';
  }

  /**
   * The window's language: the host's choice; else the visitor's, if the deployment offers it
   * (by full tag or primary language); else the deployment's default; else the visitor's.
   */
  function language() {
    if (options.lang) return options.lang;
    const visitor = (navigator.language || 'en').toLowerCase();
    const config = deployment.config;
    const offered = (config && Array.isArray(config.languages) && config.languages) || [];
    if (!offered.length) return visitor;
    const primary = (tag) => String(tag).toLowerCase().split('-')[0];
    if (offered.some((tag) => String(tag).toLowerCase() === visitor || primary(tag) === primary(visitor))) return visitor;
    return String(config.defaultLanguage || visitor);
  }

  function texts() {
    return TEXT[language().slice(0, 2).toLowerCase()] || TEXT.en;
  }

  function adopt(element) {
    if (current && current !== element && current.isConnected) {
      console.warn('Parley: only one <parley-chat> runs per page; this one stays empty.');
      return;
    }
    current = element;
    const shadow = element.shadowRoot || element.attachShadow({ mode: 'open' });
    shadow.adoptedStyleSheets = [sheet, configSheet, windowSheet];
    if (!options) {
      options = readOptions(element);
      readDeployment();
      buildShell();
      // open() may have been called before the page had a <parley-chat>.
      if (options.open || wantOpen || wasOpen()) api.open();
      else if (hasStoredConversation()) load();
    }
    if (root.parentNode !== shadow) shadow.append(root);
  }

  class ParleyChat extends HTMLElement {
    connectedCallback() {
      adopt(this);
    }
    disconnectedCallback() {
      // A router removed the element: the shell (and the running window, its socket, its
      // conversation) waits, detached, for the next <parley-chat> to be connected.
      if (current === this) {
        current = null;
        const other = document.querySelector('parley-chat');
        if (other && other.isConnected) adopt(other);
      }
    }
  }

  // ---- Loading the window on intent ------------------------------------------------------

  /** A conversation to resume, or messages written in this tab that no session confirmed yet. */
  function hasStoredConversation() {
    try {
      if (isolation === 'iframe') return Boolean(localStorage.getItem(FRAME_RESUME_KEY));
      // The tab's storage holds the token with storage="session" or the visitor's shared-computer choice.
      const local = !(options && options.storage === 'session') && localStorage.getItem(TOKEN_KEY);
      return Boolean(local || sessionStorage.getItem(TOKEN_KEY) || sessionStorage.getItem(OUTBOX_KEY));
    } catch {
      return false; // storage blocked: nothing to resume
    }
  }

  /**
   * A fresh visitor who opens the window before it has loaded gets the session grant asked for
   * at once, beside the download and compile, and the window takes this answer instead of
   * asking again (frontend/src/driver/http.rs). Only on a click or open(), not on a hover: a
   * grant for every passing pointer would be waste. A stored conversation is resumed by the
   * window itself.
   */
  function askForGrant() {
    if (grant || handle || !options || isolation === 'iframe' || hasStoredConversation()) return;
    grant = fetch(base + GRANT_PATH, {
      method: 'POST',
      mode: 'cors',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    }).catch(() => null); // the window asks again itself
  }

  /** Whether the window was open when this tab left its last page (or was reloaded). */
  function wasOpen() {
    try {
      return !framed && sessionStorage.getItem(OPEN_KEY) === '1';
    } catch {
      return false; // storage blocked: the window starts closed
    }
  }

  /** Keeps the open/closed state for the tab's next page (the outer page's, in iframe mode). */
  function rememberOpen() {
    if (framed) return;
    try {
      if (wantOpen) sessionStorage.setItem(OPEN_KEY, '1');
      else sessionStorage.removeItem(OPEN_KEY);
    } catch {
      // storage blocked: the next page starts closed
    }
  }

  /** Starts the download and start-up of the window, once; a failure allows a retry. */
  function load() {
    if (handle || loadingPromise || !options) return loadingPromise;
    failed = false;
    progress = 0;
    const start = isolation === 'iframe' ? startFrame : startWasm;
    loadingPromise = withTimeout(start(), LOAD_TIMEOUT_MS)
      .then((started) => {
        handle = started;
        if (pendingAttributes) handle.setAttributes(pendingAttributes);
        pendingAttributes = null;
        if (wantOpen) handle.open();
        render();
        resolveReady(api);
      })
      .catch((error) => {
        console.warn('Parley: the chat window could not be loaded', error);
        failed = true;
        loadingPromise = null;
        if (frame) {
          frame.remove();
          frame = null;
        }
        if (framed) post({ type: 'failed' });
        render();
      });
    render();
    return loadingPromise;
  }

  function withTimeout(promise, ms) {
    return Promise.race([
      promise,
      new Promise((_, reject) => setTimeout(() => reject(new Error('timed out')), ms)),
    ]);
  }

  /** Fetches glue, wasm and stylesheet side by side, then starts the window in the shell. */
  async function startWasm() {
    const css = fetch(base + BUNDLE.css, { mode: 'cors' }).then((r) => {
      if (!r.ok) throw new Error(`stylesheet: HTTP ${r.status}`);
      return r.text();
    });
    const wasm = fetch(base + BUNDLE.wasm, { mode: 'cors' }).then(countProgress);
    const glue = import(base + BUNDLE.js);
    const [text, module, response] = await Promise.all([css, glue, wasm]);
    windowSheet.replaceSync(text);
    // The wasm's `main` hands over its start function in an event (frontend/src/lib.rs).
    let start = null;
    const takeStart = (event) => (start = event.detail);
    document.addEventListener(START_EVENT, takeStart, { once: true });
    await module.default({ module_or_path: response });
    document.removeEventListener(START_EVENT, takeStart);
    if (typeof start !== 'function') throw new Error('the window did not start');
    const prefetched = grant;
    grant = null; // one window, one answer
    return start(mount, {
      grant: prefetched,
      server: base,
      lang: language(),
      deployment: deployment.json,
      title: options.title,
      open: wantOpen,
      storage: options.storage,
      prechat: options.prechat,
      emit: (event, payload) => {
        if (framed) post({ type: 'event', event, payload });
        emit(event, payload);
      },
    });
  }

  /** Wraps the wasm response so that the bytes read move the progress bar. */
  function countProgress(response) {
    if (!response.ok) throw new Error(`wasm: HTTP ${response.status}`);
    if (!response.body || !BUNDLE.wasmBytes) return response;
    let read = 0;
    const counted = response.body.pipeThrough(
      new TransformStream({
        transform(chunk, controller) {
          read += chunk.byteLength;
          progress = Math.min(1, read / BUNDLE.wasmBytes);
          if (framed) post({ type: 'progress', value: progress });
          render();
          controller.enqueue(chunk);
        },
      }),
    );
    return new Response(counted, { headers: { 'content-type': 'application/wasm' } });
  }

  // ---- Iframe mode: the outer page ---------------------------------------------------------

  /** Creates the iframe of {server}/embed and resolves with a bridge once it runs. */
  function startFrame() {
    return new Promise((resolve, reject) => {
      const params = new URLSearchParams({ lang: language(), title: options.title, prechat: options.prechat, origin: location.origin });
      frame = h('iframe', {
        class: 'parley-frame',
        src: `${base}embed#${params}`,
        title: texts()[7],
        allow: 'clipboard-write',
        hidden: '',
      });
      const target = frame;
      const bridge = {
        open: () => send('open'),
        close: () => send('close'),
        setAttributes: (attributes) => send('setAttributes', attributes),
      };
      function send(command, value) {
        target.contentWindow.postMessage({ [MESSAGE_TAG]: 1, type: 'command', command, value }, serverOrigin);
      }
      window.addEventListener('message', (event) => {
        if (event.source !== target.contentWindow || event.origin !== serverOrigin) return;
        const data = event.data;
        if (!data || data[MESSAGE_TAG] !== 1) return;
        if (data.type === 'ready') resolve(bridge);
        else if (data.type === 'failed') reject(new Error('the framed window failed to load'));
        else if (data.type === 'progress') {
          progress = Number(data.value) || 0;
          render();
        } else if (data.type === 'event') {
          emit(String(data.event), data.payload);
          if (data.event === 'open') frame.focus();
        }
      });
      root.append(frame);
    });
  }

  /** The outer page cannot read the frame's storage: it remembers that a conversation runs. */
  function rememberFramedConversation(state) {
    try {
      if (state === 'ready') localStorage.setItem(FRAME_RESUME_KEY, '1');
      if (state === 'ended' || state === 'closed') localStorage.removeItem(FRAME_RESUME_KEY);
    } catch {
      // storage blocked: the conversation is not resumed on the next page
    }
  }

  // ---- Iframe mode: inside the frame -------------------------------------------------------

  function post(message) {
    if (parentOrigin) window.parent.postMessage({ [MESSAGE_TAG]: 1, ...message }, parentOrigin);
  }
  if (framed) {
    parentOrigin = frameParams.get('origin');
    // Only the page that framed us (frame-ancestors limits who that can be) gives commands.
    window.addEventListener('message', (event) => {
      if (event.source !== window.parent || event.origin !== parentOrigin) return;
      const data = event.data;
      if (!data || data[MESSAGE_TAG] !== 1 || data.type !== 'command') return;
      if (data.command === 'open') api.open();
      else if (data.command === 'close') api.close();
      else if (data.command === 'setAttributes') api.setAttributes(data.value);
    });
    api.ready.then(() => post({ type: 'ready' }));
    // The frame exists because the visitor showed intent: start at once.
    const startFramed = () => load();
    if (document.body) queueMicrotask(startFramed);
    else document.addEventListener('DOMContentLoaded', startFramed, { once: true });
  }

  // ---- Start: define the element (existing ones upgrade now) and add one if the page has none.

  if (!customElements.get('parley-chat')) customElements.define('parley-chat', ParleyChat);
  function ensureElement() {
    if (!document.querySelector('parley-chat')) document.body.append(document.createElement('parley-chat'));
  }
  if (document.body) ensureElement();
  else document.addEventListener('DOMContentLoaded', ensureElement, { once: true });
})();
