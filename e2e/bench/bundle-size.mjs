// Bundle size benchmark: what a host page downloads from Parley, in two parts.
//   before intent  the loader, parley.js (all a page pays until the visitor shows intent)
//   to open        the window's JS glue, .wasm and stylesheet, whose names parley.js carries
// For each file: raw, gzip -9 and brotli-11 — and "as served", the size of the precompressed
// sibling the server sends (.br, written by loader/finish-bundle.mjs), or the raw size if none.
//
//   bash scripts/lib/bundle.sh && node e2e/bench/bundle-size.mjs [dist-folder]
//
// Prints numbers; it never fails on them (tests do not assert sizes).

import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';
import { ROOT } from '../lib/harness.mjs';

const BEFORE_INTENT_BUDGET = 6 * 1024;
const OPEN_BUDGET = 160 * 1024;
const dist = path.resolve(process.argv[2] ?? path.join(ROOT, 'dist'));
const loaderPath = path.join(dist, 'parley.js');
if (!existsSync(loaderPath)) {
  console.error(`no parley.js in ${dist}: run \`bash scripts/lib/bundle.sh\` first`);
  process.exit(1);
}

// The bundle's names, as finish-bundle.mjs wrote them into the loader.
const loader = readFileSync(loaderPath, 'utf8');
const names = ['js', 'wasm', 'css'].map((key) => {
  const found = loader.match(new RegExp(`"?${key}"?:"([^"]+)"`));
  if (!found) throw new Error(`parley.js carries no ${key} name`);
  return found[1];
});

function measure(name) {
  const file = path.join(dist, name);
  const bytes = readFileSync(file);
  const served = existsSync(`${file}.br`) ? statSync(`${file}.br`).size : bytes.length;
  return {
    file: name,
    raw: bytes.length,
    gzip: gzipSync(bytes, { level: constants.Z_BEST_COMPRESSION }).length,
    brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
    served,
  };
}

const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
const columns = ['raw', 'gzip', 'brotli', 'served'];
function table(title, rows, budget) {
  const width = Math.max(...rows.map((row) => row.file.length), 'total'.length);
  console.log(`\n${title}`);
  console.log(`${'file'.padEnd(width)}  ${['raw', 'gzip -9', 'brotli-11', 'as served'].map((c) => c.padStart(10)).join('  ')}`);
  const total = { file: 'total' };
  for (const column of columns) total[column] = rows.reduce((sum, row) => sum + row[column], 0);
  for (const row of [...rows, total]) {
    console.log(`${row.file.padEnd(width)}  ${columns.map((c) => kb(row[c]).padStart(10)).join('  ')}`);
  }
  console.log(`as served: ${total.served} B against ${kb(budget)}: ${total.served <= budget ? 'within' : 'OVER'}`);
}

table('before intent (the loader)', [measure('parley.js')], BEFORE_INTENT_BUDGET);
table('to open the chat (glue, wasm, stylesheet)', names.map(measure), OPEN_BUDGET);
