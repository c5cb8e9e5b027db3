// Attention when the tab is hidden (issue 13, §5): nothing chimes or notifies until the visitor
// opts in through the window's "Alerts" menu; then an agent reply that arrives while the tab is
// hidden plays the chime and shows a browser notification whose text is the reply as plain
// text; a reply the visitor sees does neither; the choices survive a reload. The menu has no
// axe violations.
//
// The browser context is granted the notification permission (Playwright's `permissions`);
// an init script wraps `Notification` to record what the window constructs (the real
// permission shows through), counts the chime's oscillators, and lets the test hide the tab
// (`document.visibilityState` and a `visibilitychange` event, as a real tab switch fires).
// The context bypasses the page's CSP, as the other accessibility checks do.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startParley, axeViolations } from '../lib/harness.mjs';
import { Visitor, GREETING, HELP, exactly } from '../lib/visitor.mjs';

let parley;
before(async () => {
  parley = await startParley();
});
after(async () => {
  await parley?.close();
});

function instrument() {
  const Real = window.Notification;
  window.__notifications = [];
  window.__permissionRequests = 0;
  window.Notification = class RecordedNotification {
    static get permission() {
      return Real.permission;
    }
    static requestPermission() {
      window.__permissionRequests += 1;
      return Real.requestPermission();
    }
    constructor(title, options = {}) {
      window.__notifications.push({ title, body: options.body, tag: options.tag });
    }
    close() {}
  };
  window.__tones = 0;
  const createOscillator = BaseAudioContext.prototype.createOscillator;
  BaseAudioContext.prototype.createOscillator = function () {
    window.__tones += 1;
    return createOscillator.call(this);
  };
  let hidden = false;
  Object.defineProperty(Document.prototype, 'visibilityState', { configurable: true, get: () => (hidden ? 'hidden' : 'visible') });
  Object.defineProperty(Document.prototype, 'hidden', { configurable: true, get: () => hidden });
  window.__setHidden = (value) => {
    hidden = value;
    document.dispatchEvent(new Event('visibilitychange'));
  };
}

const counts = (page) => page.evaluate(() => ({ notifications: window.__notifications.length, tones: window.__tones }));

test('alerts are opt-in; a reply while the tab is hidden chimes and notifies with its plain text', { timeout: 90_000 }, async () => {
  const visitor = await Visitor.arrive(parley, {
    context: { bypassCSP: true, permissions: ['notifications'] },
    beforeNavigation: (page) => page.addInitScript(instrument),
  });
  const { page } = visitor;
  try {
    await visitor.waitUntilReady();

    // Off by default: a reply while hidden only counts in the title.
    await page.evaluate(() => window.__setHidden(true));
    await visitor.send('hello');
    await visitor.waitForEntry({ kind: 'bot', text: exactly(GREETING) });
    await page.waitForFunction(() => document.title.startsWith('(1) '));
    assert.deepEqual(await counts(page), { notifications: 0, tones: 0 }, 'nothing before the visitor opts in');
    await page.evaluate(() => window.__setHidden(false));

    await page.getByRole('button', { name: 'Alerts' }).click();
    const sound = page.getByRole('checkbox', { name: 'Play a sound for new messages' });
    const notify = page.getByRole('checkbox', { name: 'Notify me when this tab is hidden' });
    assert.equal(await sound.isChecked(), false);
    assert.equal(await notify.isChecked(), false);
    assert.deepEqual(await axeViolations(page), [], 'the Alerts menu');

    await sound.check();
    await page.waitForFunction(() => window.__tones >= 2); // the chime plays once as a preview
    await notify.check();
    await page.waitForFunction(() => localStorage.getItem('parley.notify') === '1');
    assert.equal(await page.evaluate(() => localStorage.getItem('parley.sound')), '1');
    const before = await counts(page);

    // Hidden: the reply chimes and notifies with its text.
    await page.evaluate(() => window.__setHidden(true));
    await visitor.send('what now');
    await page.waitForFunction(() => window.__notifications.length > 0);
    const [notification] = await page.evaluate(() => window.__notifications);
    assert.match(notification.title, /^New message from /);
    assert.equal(notification.body, HELP);
    assert.equal((await counts(page)).tones, before.tones + 2, 'one two-tone chime');

    // Visible and open: a reply is seen, so neither.
    await page.evaluate(() => window.__setHidden(false));
    await visitor.send('and now');
    await visitor.waitForEntry({ kind: 'bot', text: exactly(HELP), count: 2 });
    assert.deepEqual(await counts(page), { notifications: 1, tones: before.tones + 2 });

    // The choices are remembered.
    await page.reload();
    await visitor.waitUntilReady();
    await page.getByRole('button', { name: 'Alerts' }).click();
    assert.equal(await sound.isChecked(), true, 'sound stays on');
    assert.equal(await notify.isChecked(), true, 'notifications stay on');
    assert.equal(await page.evaluate(() => window.__permissionRequests), 0, 'an already granted permission is not asked again');
  } finally {
    await visitor.leave();
  }
});
