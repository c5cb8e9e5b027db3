// Scenarios more than one test file plays, against different servers.

import assert from 'node:assert/strict';
import { exactly } from './visitor.mjs';

/**
 * Five messages typed offline, then online and an immediate reload (before the paced outbox,
 * 2 messages/s, is through): each must reach the emulator once, in order, and show once, in
 * order. `parley` is the running server the visitor talks to; the visitor is ready on arrival.
 */
export async function fiveOfflineThenReload(parley, visitor) {
  await visitor.greet();
  const token = await visitor.token();

  await visitor.page.context().setOffline(true);
  await parley.server.fault({ fault: 'drop_sockets', token });
  await visitor.waitForConnection('offline');
  const texts = ['one', 'two', 'three', 'four', 'five'];
  for (const text of texts) await visitor.send(text);
  await visitor.waitForEntry({ kind: 'guest', text: exactly('five'), state: 'sending' });

  await visitor.page.context().setOffline(false);
  await visitor.page.reload();
  await visitor.launcher.or(visitor.window).first().waitFor();
  if (await visitor.launcher.isVisible()) await visitor.launcher.click();
  for (const text of texts) {
    await visitor.waitForEntry({ kind: 'guest', text: exactly(text), state: 'sent' }, 30_000);
  }

  const server = (await visitor.serverGuestTexts(token)).filter((text) => text !== 'hello');
  assert.deepEqual(server, texts, 'each message reached the emulator once, in order');
  const shown = (await visitor.entries()).filter((e) => e.kind === 'guest' && texts.includes(e.text)).map((e) => e.text);
  assert.deepEqual(shown, texts, 'each message shows once, in order');
}
