// Trunk's post-build hook (Trunk.toml [[hooks]]): turns what trunk built in its staging folder
// into what a host page embeds.
//
// Trunk builds index.html — the demo host page — with the wasm bundle (JS glue + .wasm, from the
// `rel="rust"` link) and the window's stylesheet (`rel="css"`, marked `data-parley-window`). A
// host page must not get those: the loader fetches them only when the visitor shows intent. So:
//   1. read the hashed names trunk chose (the `<meta name="parley-bundle">` that `pattern_script`
//      writes, and the marked stylesheet link) and remove both from the demo page;
//   2. on release, minify the wasm-bindgen glue and shorten the names it and the wasm call each
//      other by, in both files (short-names.mjs);
//   3. write `parley.js`: loader/parley.js with those names and loader/loader.css inlined, so the
//      one stable URL knows this build's files (minified with esbuild on release);
//   4. write `embed.html`, the page the iframe mode frames (served at /embed);
//   5. on release, write brotli (quality 11) and gzip (level 9) siblings of every text and wasm
//      file, which the server sends as they are.
//
// Environment (set by trunk): TRUNK_STAGING_DIR, TRUNK_PROFILE (release | debug).

import { readFileSync, writeFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';
import { createRequire } from 'node:module';
import { shortenNames } from './short-names.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const staging = process.env.TRUNK_STAGING_DIR;
const release = process.env.TRUNK_PROFILE === 'release';
if (!staging) fail('TRUNK_STAGING_DIR is not set: this script runs as trunk post_build hook');

function fail(message) {
  console.error(`finish-bundle: ${message}`);
  process.exit(1);
}

// esbuild comes with e2e/'s npm packages (scripts/lib/ensure-tools.sh installs them).
function loadEsbuild() {
  try {
    return createRequire(path.join(root, 'e2e', 'package.json'))('esbuild');
  } catch {
    return null;
  }
}

const pagePath = path.join(staging, 'index.html');
let page = readFileSync(pagePath, 'utf8');

// 1. The bundle's names, then the demo page without them.
const meta = page.match(/<meta\b[^>]*\bname="?parley-bundle"?[^>]*>/);
if (!meta) fail(`no <meta name="parley-bundle"> in index.html (see pattern_script in Trunk.toml):\n${page}`);
const attribute = (tag, name) => {
  const found = tag.match(new RegExp(`${name}="?([^"\\s>]+)"?`));
  if (!found) fail(`${name} missing in ${tag}`);
  return found[1].replace(/^\//, '');
};
const js = attribute(meta[0], 'data-js');
const wasm = attribute(meta[0], 'data-wasm');
const cssLink = page.match(/<link[^>]*data-parley-window[^>]*>/);
if (!cssLink) fail('no <link data-parley-window> stylesheet in index.html');
const css = attribute(cssLink[0], 'href');
page = page.replace(meta[0], '').replace(cssLink[0], '');
writeFileSync(pagePath, page);

const esbuild = release ? loadEsbuild() : null;
if (release && !esbuild) fail('esbuild is missing: run `npm ci` in e2e/ (scripts/lib/ensure-tools.sh does)');

// 2. Release: the wasm-bindgen glue minified, and the names it and the wasm call each other by
// shortened in both (short-names.mjs).
let renamed = 0;
if (release) {
  const gluePath = path.join(staging, js);
  const wasmPath = path.join(staging, wasm);
  const glue = esbuild.transformSync(readFileSync(gluePath, 'utf8'), {
    minify: true, format: 'esm', target: 'es2020', legalComments: 'none',
  }).code;
  let shortened;
  try {
    shortened = shortenNames(readFileSync(wasmPath), glue);
  } catch (error) {
    fail(`could not shorten the glue's names: ${error.message}`);
  }
  writeFileSync(gluePath, shortened.glue);
  writeFileSync(wasmPath, shortened.wasm);
  renamed = shortened.renamed;
}

// 3. The loader, knowing this build's files.
const wasmBytes = statSync(path.join(staging, wasm)).size;
const cssSource = readFileSync(path.join(here, 'loader.css'), 'utf8');
const loaderCss = esbuild
  ? esbuild.transformSync(cssSource, { loader: 'css', minify: true }).code.trim()
  : cssSource.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\s*\n\s*/g, '\n').trim();
let loader = readFileSync(path.join(here, 'parley.js'), 'utf8')
  .replace(/\/\*PARLEY:BUNDLE\*\/[\s\S]*?\/\*PARLEY:END\*\//, JSON.stringify({ js, wasm, css, wasmBytes }))
  .replace(/\/\*PARLEY:CSS\*\/[\s\S]*?\/\*PARLEY:END\*\//, JSON.stringify(loaderCss));
if (esbuild) {
  loader = esbuild.transformSync(loader, { minify: true, target: 'es2020', legalComments: 'none' }).code;
}
writeFileSync(path.join(staging, 'parley.js'), loader);

// 4. The page of the iframe mode: the same loader, in framed mode.
writeFileSync(
  path.join(staging, 'embed.html'),
  `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Chat</title>
</head>
<body>
<script src="parley.js" data-frame></script>
</body>
</html>
`,
);

// 5. Release: precompressed siblings the server sends as they are.
if (release) {
  for (const name of readdirSync(staging)) {
    if (!/\.(js|wasm|css|html|svg|json)$/.test(name)) continue;
    const file = path.join(staging, name);
    if (!statSync(file).isFile()) continue;
    const bytes = readFileSync(file);
    writeFileSync(`${file}.br`, brotliCompressSync(bytes, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: 11,
        [constants.BROTLI_PARAM_LGWIN]: 24,
        [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
      },
    }));
    writeFileSync(`${file}.gz`, gzipSync(bytes, { level: 9 }));
  }
}

const summary = [`parley.js ${Buffer.byteLength(loader)} B`, `${js}`, `${wasm} ${wasmBytes} B`, `${css}`];
if (release) summary.push(`${renamed} glue names shortened`);
console.log(`finish-bundle (${release ? 'release' : 'debug'}): ${summary.join(', ')}`);
if (!existsSync(path.join(staging, 'parley.js'))) fail('parley.js was not written');
