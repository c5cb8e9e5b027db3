// Starts Parley's WebAssembly bundle from a file rather than an inline script, so the page runs
// under a strict Content-Security-Policy (`script-src 'self' 'wasm-unsafe-eval'`).
//
// Trunk writes the hashed names of the JS glue and the .wasm into
// <meta name="parley-bundle" data-js=… data-wasm=…> (see `pattern_script` in Trunk.toml) and
// preloads both with sub-resource integrity; this module imports the glue and runs the wasm,
// whose `main` mounts the chat window.
const bundle = document.querySelector('meta[name="parley-bundle"]');
if (!bundle) {
  throw new Error('Parley: <meta name="parley-bundle"> is missing; serve the page built by trunk (dist/)');
}
const { default: init } = await import(bundle.dataset.js);
await init({ module_or_path: bundle.dataset.wasm });
