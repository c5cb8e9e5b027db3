//! The wasm entry point trunk builds (`data-bin="parley-frontend"` in index.html): it only
//! mounts the app, which lives in the library so tests can mount it too.

fn main() {
    parley_frontend::mount();
}
