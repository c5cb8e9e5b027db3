// loader/short-names.mjs, the release step that renames what the wasm-bindgen glue and the wasm
// call each other by: checked on a small hand-assembled module, so that a renamed pair still
// instantiates and computes the same, names outside the glue's module stay, and a glue that
// lacks an import fails the build instead of shipping. (Every other e2e test runs the real,
// renamed bundle.)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shortenNames } from '../../loader/short-names.mjs';

const GLUE_MODULE = './parley-frontend_bg.js';
const IMPORTED = '__wbg_answer_0123456789abcdef';
const EXPORTED = 'wasm_bindgen_0123___convert__closures_____invoke___compute_total';

/** A wasm module: imports `IMPORTED` (from the glue) and `env.keep_me`, exports their sum. */
function assemble() {
  const bytes = [];
  const name = (text) => [text.length, ...Buffer.from(text)];
  const section = (id, payload) => bytes.push(id, payload.length, ...payload);
  bytes.push(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00);
  section(1, [0x01, 0x60, 0x00, 0x01, 0x7f]); // one type: () -> i32
  section(2, [
    0x02,
    ...name(GLUE_MODULE), ...name(IMPORTED), 0x00, 0x00,
    ...name('env'), ...name('keep_me'), 0x00, 0x00,
  ]);
  section(3, [0x01, 0x00]); // one function of type 0
  section(5, [0x01, 0x00, 0x01]); // one memory, one page
  section(7, [0x02, ...name(EXPORTED), 0x00, 0x02, ...name('memory'), 0x02, 0x00]);
  section(10, [0x01, 0x07, 0x00, 0x10, 0x00, 0x10, 0x01, 0x6a, 0x0b]); // call 0; call 1; i32.add
  return Buffer.from(bytes);
}

/** Glue in the shape wasm-bindgen writes: an import object keyed by module, exports by name. */
const GLUE = `
  const imports = { __proto__: null, "${GLUE_MODULE}": { ${IMPORTED}: () => 41, ${IMPORTED}_unrelated: 7 }, env: { keep_me: () => 1 } };
  const exports = new WebAssembly.Instance(new WebAssembly.Module(wasm), imports).exports;
  return exports.${EXPORTED}() + (exports.memory instanceof WebAssembly.Memory ? 0 : 1000);
`;

const run = (glue, wasm) => new Function('wasm', glue)(wasm);

test('the renamed wasm and glue instantiate and compute what the originals did', () => {
  const wasm = assemble();
  assert.equal(run(GLUE, wasm), 42);

  const renamed = shortenNames(wasm, GLUE);
  assert.equal(renamed.renamed, 2, 'the glue import and the closure export');
  assert.equal(run(renamed.glue, renamed.wasm), 42);

  const module = new WebAssembly.Module(renamed.wasm);
  assert.deepEqual(
    WebAssembly.Module.imports(module).map(({ module: from, name }) => `${from}.${name}`),
    ['a.a', 'env.keep_me'],
    'only the glue module and its imports are renamed',
  );
  assert.deepEqual(WebAssembly.Module.exports(module).map(({ name }) => name), ['b', 'memory']);
  assert.ok(renamed.wasm.length < wasm.length);
});

test('a longer name that starts with a renamed one is left alone', () => {
  const renamed = shortenNames(assemble(), GLUE);
  assert.match(renamed.glue, new RegExp(`${IMPORTED}_unrelated: 7`));
  assert.doesNotMatch(renamed.glue, new RegExp(`${IMPORTED}(?!_unrelated)`));
});

test('a glue that does not provide an import fails instead of shipping a bundle that cannot load', () => {
  const glue = GLUE.replace(`${IMPORTED}: () => 41, `, '');
  assert.throws(() => shortenNames(assemble(), glue), /does not provide the import __wbg_answer_0123456789abcdef/);
});
