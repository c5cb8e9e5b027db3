// A visitor typing at a human pace, and what it took to deliver what they typed: shared by the
// chaos test (e2e/tests/chaos.test.mjs) and its benchmark (e2e/bench/chaos.mjs).
//
// The pacing timer is the scenario (a person sending a message every so often), not a way to
// wait for the page: every wait on the page is on its DOM state.

import { setTimeout as delay } from 'node:timers/promises';

/** `count` distinct message texts: "chaos 01", "chaos 02", … (zero-padded, so they sort). */
export function pacedTexts(count, prefix = 'chaos') {
  const width = String(count).length;
  return Array.from({ length: count }, (_, i) => `${prefix} ${String(i + 1).padStart(width, '0')}`);
}

/**
 * Sends each of `texts` through the composer (typed, then Enter), one every `intervalMs` from
 * the first (a send that took longer than the interval is followed by the next at once, so the
 * pace really achieved is reported by `deliveryTimes`). The visitor must be
 * recording (`startRecording()`), which timestamps each entry's appearance and state changes.
 */
export async function typeAtPace(visitor, texts, intervalMs) {
  const start = Date.now();
  for (const [i, text] of texts.entries()) {
    const due = start + i * intervalMs;
    if (due > Date.now()) await delay(due - Date.now());
    // Enter, as a quick typist sends: a click's actionability checks (stable for two animation
    // frames, hit target) cost a busy machine more than the interval itself.
    await visitor.input.fill(text);
    await visitor.input.press('Enter');
  }
}

/** Waits until every one of `texts` shows as a guest entry in state "sent" (DOM polling). */
export async function waitUntilAllSent(visitor, texts, timeout) {
  await visitor.scope.waitForFunction(
    (texts) => {
      const sent = new Set(
        window.__parleyE2E
          .entries()
          .filter((entry) => entry.kind === 'guest' && entry.state === 'sent')
          .map((entry) => entry.text),
      );
      return texts.every((text) => sent.has(text));
    },
    texts,
    { timeout, polling: 250 },
  );
}

/**
 * From the page's own recording (performance.now() ms): when each of `texts` first appeared
 * (the send) and first showed "sent" (the server's echo). Returns {firstSend, lastSend,
 * lastConfirmed, drainMs (last send → last confirmation), perSecond (messages confirmed per
 * second from the first send to the last confirmation), typedPerSecond (the pace the sends
 * really had), unconfirmed: [text], latenciesMs (each message's send → "sent", ascending)}.
 */
export function deliveryTimes(log, texts) {
  const appeared = new Map();
  const confirmed = new Map();
  for (const record of log) {
    if (record.what !== 'entry' || record.kind !== 'guest') continue;
    if (!appeared.has(record.text)) appeared.set(record.text, record.t);
    if (record.state === 'sent' && !confirmed.has(record.text)) confirmed.set(record.text, record.t);
  }
  const sends = texts.map((text) => appeared.get(text)).filter((t) => t !== undefined);
  const confirmations = texts.map((text) => confirmed.get(text)).filter((t) => t !== undefined);
  const firstSend = Math.min(...sends);
  const lastSend = Math.max(...sends);
  const lastConfirmed = Math.max(...confirmations);
  return {
    firstSend,
    lastSend,
    lastConfirmed,
    drainMs: Math.round(lastConfirmed - lastSend),
    perSecond: confirmations.length / ((lastConfirmed - firstSend) / 1000),
    typedPerSecond: (sends.length - 1) / ((lastSend - firstSend) / 1000),
    unconfirmed: texts.filter((text) => !confirmed.has(text)),
    // Send → "sent" of each confirmed message, ascending (ms).
    latenciesMs: texts
      .filter((text) => appeared.has(text) && confirmed.has(text))
      .map((text) => confirmed.get(text) - appeared.get(text))
      .sort((a, b) => a - b),
  };
}
