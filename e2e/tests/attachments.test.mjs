// Files from the visitor: "Attach a file" uploads through the emulator's presigned-style URL and
// the image shows in the transcript (and the bot acknowledges it); a refused file shows an
// error and nothing is sent.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startParley } from '../lib/harness.mjs';
import { Visitor, exactly } from '../lib/visitor.mjs';

// A 1×1 transparent PNG.
const PIXEL_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

let parley;
before(async () => {
  parley = await startParley();
});
after(async () => {
  await parley?.close();
});

// Opens the file chooser the way a visitor does and picks `file`.
async function attach(visitor, file) {
  const chooser = visitor.page.waitForEvent('filechooser');
  await visitor.page.getByRole('button', { name: 'Attach a file' }).click();
  await (await chooser).setFiles(file);
}

test('an attached image is uploaded, shown with its name as alt text, and acknowledged', { timeout: 60_000 }, async () => {
  const visitor = await Visitor.arrive(parley);
  try {
    await visitor.waitUntilReady();
    await attach(visitor, { name: 'pixel.png', mimeType: 'image/png', buffer: PIXEL_PNG });

    const image = visitor.page.locator('[data-parley-entry][data-kind="guest"] img[data-parley-attachment]');
    await image.waitFor();
    assert.equal(await image.getAttribute('alt'), 'pixel.png');
    await visitor.page.waitForFunction((img) => img.complete && img.naturalWidth === 1, await image.elementHandle());
    await visitor.waitForEntry({ kind: 'bot', text: exactly('Thanks, I received "pixel.png".') });

    const transcript = await parley.server.transcript(await visitor.token());
    const sent = transcript.messages.filter((m) => m.direction === 'Inbound' && JSON.stringify(m.content ?? []).includes('pixel.png'));
    assert.equal(sent.length, 1, 'the attachment reached the emulator once');
    assert.deepEqual(await visitor.page.problems(), []);
  } finally {
    await visitor.leave();
  }
});

test('a refused file type shows an upload error and sends nothing', { timeout: 60_000 }, async () => {
  const visitor = await Visitor.arrive(parley);
  try {
    await visitor.waitUntilReady();
    await attach(visitor, { name: 'setup.exe', mimeType: 'application/x-msdownload', buffer: Buffer.from('MZ') });

    const error = visitor.page.locator('[data-parley-upload-error]');
    await error.waitFor();
    assert.equal(await error.getAttribute('role'), 'alert');
    assert.notEqual((await error.textContent()).trim(), '');
    assert.equal(await visitor.page.locator('[data-parley-attachment]').count(), 0);

    // The conversation carries on, and the emulator never got the file.
    await visitor.send('still here');
    await visitor.waitForEntry({ kind: 'guest', text: exactly('still here'), state: 'sent' });
    const transcript = await parley.server.transcript(await visitor.token());
    assert.ok(!JSON.stringify(transcript.messages).includes('setup.exe'));
  } finally {
    await visitor.leave();
  }
});
