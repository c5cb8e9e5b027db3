// Shared pieces of the browser benchmarks: a server tuned for measuring (no grant rate limit, so
// many fresh visitors can arrive in a row), percentiles, and a one-line summary printer.

import { startParley } from '../lib/harness.mjs';

/** A server + browser for benchmarks; `env` overrides the harness's emulator settings. */
export function startBenchParley(env = {}) {
  return startParley({ env: { PARLEY_GRANT_RATE_PER_MINUTE: '0', ...env } });
}

/** The p-th percentile (0–100) of `values`, nearest-rank. */
export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

/** Prints `label: n=… p50=… p95=… min=… max=…` in milliseconds. */
export function summarize(label, values) {
  const ms = (value) => `${value.toFixed(1)} ms`;
  console.log(
    `${label}: n=${values.length} p50=${ms(percentile(values, 50))} p95=${ms(percentile(values, 95))} ` +
      `min=${ms(Math.min(...values))} max=${ms(Math.max(...values))}`,
  );
}

/** A positive integer from the command line (`--name=value`), or the default. */
export function intArg(name, fallback) {
  const found = process.argv.find((arg) => arg.startsWith(`--${name}=`));
  const value = found ? Number.parseInt(found.split('=')[1], 10) : fallback;
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive integer`);
  return value;
}

/** Resolves after `ms` (benchmark pacing only: the emulator accepts 2 sends per second). */
export const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
