// What a Genesys admin sets in the Messenger deployment, the window obeys: the emulator's
// config.json is changed with PARLEY_EMULATOR_DEPLOYMENT_CONFIG (deep-merged over its default)
// and the demo page follows it on load: accent colour inside the shadow root, German as the
// deployment's only language, no launcher (opened from the host's own code), no uploads, no
// agent typing indicator. A host attribute still wins over the deployment.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startParley } from '../lib/harness.mjs';
import { Visitor, preparePage } from '../lib/visitor.mjs';

const OVERLAY = {
  languages: ['de'],
  defaultLanguage: 'de',
  messenger: {
    styles: { primaryColor: '#0a7d3b' },
    launcherButton: { visibility: 'Off' },
    fileUpload: { enableAttachments: false, modes: [] },
    apps: { conversations: { showAgentTypingIndicator: false } },
  },
};

let parley;
before(async () => {
  const folder = mkdtempSync(path.join(tmpdir(), 'parley-deployment-'));
  const file = path.join(folder, 'config.json');
  writeFileSync(file, JSON.stringify(OVERLAY));
  parley = await startParley({ env: { PARLEY_EMULATOR_DEPLOYMENT_CONFIG: file } });
});
after(async () => {
  await parley?.close();
});

test('the deployment sets accent, language, launcher, uploads and typing indicator', { timeout: 90_000 }, async () => {
  const page = await parley.newPage({ context: { locale: 'en-US' } });
  await preparePage(page);
  const visitor = new Visitor(page, parley.server);
  try {
    await page.goto(parley.url('/'));
    // The loader has read the settings: with the launcher Off, none is drawn…
    await page.waitForFunction(() => window.parley && document.querySelector('parley-chat')?.shadowRoot);
    await page.locator('[data-parley-launcher]').waitFor({ state: 'attached' });
    assert.equal(await page.locator('[data-parley-launcher]').isVisible(), false);
    // …and the host opens the window from its own button.
    await page.evaluate(() => window.parley.open());
    const dialog = page.getByRole('dialog', { name: 'Chat' }).and(page.locator('[data-parley-window]'));
    await dialog.waitFor();
    assert.equal(await page.locator('[data-parley-window]').getAttribute('lang'), 'de', 'German: the deployment offers no English');
    await visitor.waitForConnection('ready');

    const styles = await page.evaluate(() => {
      const root = document.querySelector('parley-chat').shadowRoot;
      const header = getComputedStyle(root.querySelector('.parley-header'));
      return { background: header.backgroundColor, color: header.color };
    });
    assert.equal(styles.background, 'rgb(10, 125, 59)', 'the accent colour, inside the shadow root');
    assert.equal(styles.color, 'rgb(255, 255, 255)', 'a text colour that reads on it');
    assert.equal(await page.locator('.parley-attach').isVisible(), false, 'no uploads offered');

    // The bot types before it answers; with the indicator off, nothing shows while it does.
    await visitor.startRecording();
    await page.getByRole('textbox', { name: 'Nachricht' }).fill('hello');
    await page.getByRole('button', { name: 'Senden', exact: true }).click();
    await visitor.waitForEntry({ kind: 'bot' });
    const typing = (await visitor.recorded()).filter((event) => event.what === 'typing' && event.present);
    assert.deepEqual(typing, [], 'no agent typing indicator');
    assert.deepEqual(await page.problems(), []);
  } finally {
    await visitor.leave();
  }
});

test('host attributes win over the deployment (language, launcher)', { timeout: 60_000 }, async () => {
  const page = await parley.newPage();
  try {
    // The demo page turns ?lang= and ?launcher= into <parley-chat lang="fr" launcher="on">.
    await page.goto(parley.url('/?lang=fr&launcher=on'));
    const launcher = page.getByRole('button', { name: /^Ouvrir la discussion/ });
    await launcher.click();
    await page.locator('[data-parley-window][data-state="open"]').waitFor();
    assert.equal(await page.locator('[data-parley-window]').getAttribute('lang'), 'fr');
    assert.deepEqual(await page.problems(), []);
  } finally {
    await page.closeContext();
  }
});
