// Nothing a visitor writes is lost or doubled across a reload: messages typed while offline are
// kept in the tab's storage (the durable outbox) and, after a reload that comes before they were
// all sent, are delivered once each, in order — on the page and at the emulator.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startParley } from '../lib/harness.mjs';
import { Visitor } from '../lib/visitor.mjs';
import { fiveOfflineThenReload } from '../lib/scenarios.mjs';

let parley;
before(async () => {
  parley = await startParley();
});
after(async () => {
  await parley?.close();
});

test('five messages typed offline, then online and an immediate reload: all five delivered once, in order', { timeout: 90_000 }, async () => {
  const visitor = await Visitor.arrive(parley);
  try {
    await fiveOfflineThenReload(parley, visitor);
  } finally {
    await visitor.leave();
  }
});
