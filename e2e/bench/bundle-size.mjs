// Bundle size benchmark: the gzip -9 size of every .wasm, .js and .css file in dist/ (what a
// visitor downloads to open the chat), each file and the total, against the 150 KB budget.
//
//   trunk build --release && node e2e/bench/bundle-size.mjs [dist-folder]
//
// Prints numbers; it never fails on them (tests do not assert sizes).

import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { gzipSync, constants } from 'node:zlib';
import { ROOT } from '../lib/harness.mjs';

const BUDGET_BYTES = 150 * 1024;
const dist = path.resolve(process.argv[2] ?? path.join(ROOT, 'dist'));

// Every file under `folder`, recursively.
function filesUnder(folder) {
  return readdirSync(folder).flatMap((name) => {
    const full = path.join(folder, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

const kb = (bytes) => `${bytes.toLocaleString('en-US')} B (${(bytes / 1024).toFixed(1)} KB)`;
const rows = filesUnder(dist)
  .filter((file) => /\.(wasm|js|css)$/.test(file))
  .map((file) => {
    const bytes = readFileSync(file);
    const gzipped = gzipSync(bytes, { level: constants.Z_BEST_COMPRESSION }).length;
    return { file: path.relative(dist, file), raw: bytes.length, gzipped };
  })
  .sort((a, b) => b.gzipped - a.gzipped);

if (rows.length === 0) {
  console.error(`no .wasm/.js/.css files in ${dist}: run \`trunk build --release\` first`);
  process.exit(1);
}

const width = Math.max(...rows.map((row) => row.file.length), 'total'.length);
console.log(`${'file'.padEnd(width)}  ${'raw'.padStart(22)}  ${'gzip -9'.padStart(22)}`);
for (const row of rows) {
  console.log(`${row.file.padEnd(width)}  ${kb(row.raw).padStart(22)}  ${kb(row.gzipped).padStart(22)}`);
}
const raw = rows.reduce((sum, row) => sum + row.raw, 0);
const gzipped = rows.reduce((sum, row) => sum + row.gzipped, 0);
console.log(`${'total'.padEnd(width)}  ${kb(raw).padStart(22)}  ${kb(gzipped).padStart(22)}`);
const verdict = gzipped <= BUDGET_BYTES ? 'within' : 'OVER';
console.log(`budget ${kb(BUDGET_BYTES)} gzip -9: ${verdict} (${gzipped} bytes, ${((100 * gzipped) / BUDGET_BYTES).toFixed(0)} %)`);
