//! The chat window's browser tests in one binary (`cargo test -p parley-frontend --target
//! wasm32-unknown-unknown`, headless Chromium through wasm-bindgen-test-runner): each file is a
//! module, so the suite links and starts a browser once instead of once per file.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::wasm_bindgen_test_configure;

wasm_bindgen_test_configure!(run_in_browser);

mod components;
mod format;
mod i18n;
mod markdown;
mod rules;
mod support;
mod text;
