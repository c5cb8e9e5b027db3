//! The wasm entry point trunk builds: it hands the window's `start` to the loader
//! (`loader/parley.js`), which mounts it into `<parley-chat>`. Everything lives in the library
//! so the browser tests can mount it too.

fn main() {
    parley_frontend::announce();
}
