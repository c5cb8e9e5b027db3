// A visitor in the chat window, as the end-to-end tests drive it: the locators of the UI
// contract (notes/UI-CONTRACT.md: roles and names first, data-parley-* second) and waits on
// what the page shows. Nothing here sleeps: every wait is Playwright auto-waiting or
// `page.waitForFunction` polling the DOM, with a generous timeout only as a safety net.
//
// The in-page helpers search open shadow roots too (the loader may draw the launcher in one),
// so they see what a user sees wherever the widget mounts itself.

/** The bot's answer to "hello" (server/src/emulator/script.rs: greeting + HELP). */
export const GREETING =
  'Hello! I\'m the Parley demo bot. Try: "hi", "options", "card", "carousel", "agent" or "bye".';
/** The bot's answer to any text it does not know (script.rs HELP). */
export const HELP = 'I\'m the Parley demo bot. Try: "hi", "options", "card", "carousel", "agent" or "bye".';

/** Safety net for waits that depend on the server answering (it answers in milliseconds). */
export const WAIT_MS = 15_000;

/** A RegExp matching exactly `text` (after trimming), for entry look-ups. */
export function exactly(text) {
  return new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
}

// Installed before any page script: deep DOM queries across open shadow roots, and a recorder
// for changes (MutationObserver) that tests arm before acting, to catch short-lived states.
function installPageHelpers() {
  const roots = () => {
    const found = [document];
    for (let i = 0; i < found.length; i++) {
      for (const element of found[i].querySelectorAll('*')) {
        if (element.shadowRoot) found.push(element.shadowRoot);
      }
    }
    return found;
  };
  const all = (selector) => roots().flatMap((root) => [...root.querySelectorAll(selector)]);
  const entries = () =>
    all('[data-parley-entry]').map((entry) => ({
      key: entry.dataset.key ?? null,
      kind: entry.dataset.kind ?? null,
      state: entry.dataset.state ?? null,
      text: (entry.querySelector('[data-parley-text]')?.textContent ?? '').trim(),
      whole: (entry.textContent ?? '').trim(),
    }));
  const activeElement = () => {
    let active = document.activeElement;
    while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
    return active;
  };
  // record(): from now on, every entry's data-state, every connection state, every typing
  // indicator and every system notice is appended to window.__parleyLog as {t, what, ...}.
  const record = () => {
    const log = (window.__parleyLog = []);
    const seen = new Map();
    const snapshot = () => {
      const t = performance.now();
      for (const entry of all('[data-parley-entry]')) {
        const key = entry.dataset.key ?? entry;
        const text = (entry.querySelector('[data-parley-text]')?.textContent ?? entry.textContent ?? '').trim();
        const state = `${entry.dataset.kind}|${entry.dataset.state ?? ''}|${text}`;
        if (seen.get(key) !== state) {
          seen.set(key, state);
          log.push({ t, what: 'entry', key: entry.dataset.key, kind: entry.dataset.kind, state: entry.dataset.state, text });
        }
      }
      const connection = all('[data-parley-connection]')[0];
      const status = connection ? `${connection.dataset.state}|${connection.textContent.trim()}` : 'none';
      if (seen.get('#connection') !== status) {
        seen.set('#connection', status);
        log.push({ t, what: 'connection', state: connection?.dataset.state, text: connection?.textContent.trim() });
      }
      const typing = all('[data-parley-typing]')[0];
      const typingNow = typing ? typing.textContent.trim() : null;
      if (seen.get('#typing') !== typingNow) {
        seen.set('#typing', typingNow);
        log.push({ t, what: 'typing', present: typing !== undefined, text: typingNow, role: typing?.getAttribute('role') ?? null });
      }
    };
    const observer = new MutationObserver(snapshot);
    const observeAll = () => {
      for (const root of roots()) {
        observer.observe(root, { subtree: true, childList: true, attributes: true, characterData: true });
      }
    };
    observeAll();
    snapshot();
    return true;
  };
  window.__parleyE2E = { all, entries, activeElement, record };
}

/** Registers the page helpers on a page (before navigation). */
export async function preparePage(page) {
  await page.addInitScript(installPageHelpers);
}

/** One visitor: a page in its own browser context, driven through the chat window. */
export class Visitor {
  /**
   * Opens a new visitor (fresh context) at `path` on the parley server. `beforeNavigation(page)`
   * runs first (e.g. to listen for the page's WebSockets from the very first one); the other
   * options go to `parley.newPage` (strictCsp, context options).
   */
  static async arrive(parley, { path = '/?open=1', beforeNavigation, ...pageOptions } = {}) {
    const page = await parley.newPage(pageOptions);
    await preparePage(page);
    await beforeNavigation?.(page);
    const visitor = new Visitor(page, parley.server);
    visitor.response = await page.goto(parley.url(path));
    return visitor;
  }

  /**
   * `scope` is where the window lives: the page (default), or the Frame of the iframe mode
   * (`data-isolation="iframe"`), whose locators and in-page helpers are the frame's.
   */
  constructor(page, server, scope = page) {
    this.page = page;
    this.server = server;
    this.scope = scope;
    page = scope;
    this.window = page.getByRole('dialog', { name: 'Chat' });
    // The launcher is the loader's, on the host page, in either mode.
    this.launcher = this.page.getByRole('button', { name: /^Open chat/ });
    this.connection = page.locator('[data-parley-connection]');
    this.input = page.getByRole('textbox', { name: 'Message' });
    this.sendButton = page.getByRole('button', { name: 'Send', exact: true });
    this.transcriptLog = page.getByRole('log', { name: 'Conversation' });
    this.typing = page.locator('[data-parley-typing]');
    this.composerReason = page.locator('[data-parley-composer-reason]');
    this.startNewChat = page.getByRole('button', { name: 'Start new chat' });
    this.quickReplies = page.getByRole('group', { name: 'Quick replies' });
  }

  /** The usual opening: the window ready, "hello" sent and the bot's greeting shown. */
  async greet() {
    await this.waitUntilReady();
    await this.send('hello');
    await this.waitForEntry({ kind: 'bot', text: exactly(GREETING) });
  }

  /** Waits until the connection status has `data-state` = `state` (it may be visually empty). */
  async waitForConnection(state, timeout = WAIT_MS) {
    await this.scope
      .locator(`[data-parley-connection][data-state="${state}"]`)
      .waitFor({ state: 'attached', timeout });
  }

  /** The window is open, the session configured and the composer usable. */
  async waitUntilReady(timeout = WAIT_MS) {
    await this.window.waitFor({ timeout });
    await this.waitForConnection('ready', timeout);
    await this.waitForEnabled(this.input, timeout);
  }

  /** Polls until the locator's element is enabled (Playwright has no auto-wait for this). */
  async waitForEnabled(locator, timeout = WAIT_MS) {
    const handle = await locator.elementHandle({ timeout });
    await this.scope.waitForFunction((element) => !element.disabled, handle, { timeout });
  }

  /** Polls until the locator's element is disabled. */
  async waitForDisabled(locator, timeout = WAIT_MS) {
    const handle = await locator.elementHandle({ timeout });
    await this.scope.waitForFunction((element) => element.disabled, handle, { timeout });
  }

  /** Types `text` into the composer and clicks Send. */
  async send(text) {
    await this.input.fill(text);
    await this.sendButton.click();
  }

  /** Every transcript entry in DOM order: {key, kind, state, text, whole}. */
  async entries() {
    return this.scope.evaluate(() => window.__parleyE2E.entries());
  }

  /**
   * Waits until at least `count` entries match: `kind` (guest|agent|bot|system), `state`
   * (guest delivery state), `text` (a RegExp tested on the trimmed [data-parley-text] text, or
   * on the whole entry text for system notices without one).
   */
  async waitForEntry({ kind, state, text = /.*/s, count = 1 }, timeout = WAIT_MS) {
    await this.scope.waitForFunction(
      ({ kind, state, source, flags, count }) => {
        const pattern = new RegExp(source, flags);
        const matching = window.__parleyE2E
          .entries()
          .filter(
            (entry) =>
              (!kind || entry.kind === kind) &&
              (!state || entry.state === state) &&
              (pattern.test(entry.text) || (entry.text === '' && pattern.test(entry.whole))),
          );
        return matching.length >= count;
      },
      { kind, state, source: text.source, flags: text.flags, count },
      { timeout },
    );
  }

  /** The guest session token the page stored (`localStorage["parley.token"]`). */
  async token() {
    return this.scope.evaluate(() => localStorage.getItem('parley.token'));
  }

  /** Waits until the stored token is set and differs from `previous`; returns it. */
  async waitForNewToken(previous, timeout = WAIT_MS) {
    const handle = await this.scope.waitForFunction(
      (previous) => {
        const token = localStorage.getItem('parley.token');
        return token && token !== previous ? token : null;
      },
      previous,
      { timeout },
    );
    return handle.jsonValue();
  }

  /** Starts recording every entry state, connection state, typing indicator (see record()). */
  async startRecording() {
    await this.scope.evaluate(() => window.__parleyE2E.record());
  }

  /** What was recorded since startRecording(). */
  async recorded() {
    return this.scope.evaluate(() => window.__parleyLog ?? []);
  }

  /** The element that has focus, through shadow roots: {tag, launcher, input, name}. */
  async focused() {
    return this.scope.evaluate(() => {
      const active = window.__parleyE2E.activeElement();
      return {
        tag: active?.tagName?.toLowerCase() ?? null,
        launcher: active?.hasAttribute?.('data-parley-launcher') ?? false,
        input: active?.hasAttribute?.('data-parley-input') ?? false,
        name: active?.getAttribute?.('aria-label') ?? active?.textContent?.trim() ?? null,
      };
    });
  }

  /** The Inbound (guest) texts the emulator recorded for the current token, in order. */
  async serverGuestTexts(token) {
    const transcript = await this.server.transcript(token ?? (await this.token()));
    return transcript.messages
      .filter((message) => message.direction === 'Inbound' && typeof message.text === 'string')
      .map((message) => message.text);
  }

  /** Closes the visitor's browser context. */
  async leave() {
    await this.page.closeContext();
  }
}
