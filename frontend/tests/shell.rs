//! Browser test of the page shell: runs in headless Chromium through wasm-bindgen-test-runner
//! (`cargo test -p parley-frontend --target wasm32-unknown-unknown`).
#![cfg(target_arch = "wasm32")]

use parley_frontend::App;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

/// A fresh `<div>` attached to the document, so each test renders in isolation.
fn container() -> web_sys::HtmlElement {
    let document = web_sys::window().unwrap().document().unwrap();
    let div = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&div).unwrap();
    div.unchecked_into()
}

#[wasm_bindgen_test]
fn app_renders_the_parley_heading_and_chat_region() {
    let root = container();
    let _mounted = leptos::mount::mount_to(root.clone(), App);

    let heading = root
        .query_selector("h1")
        .unwrap()
        .expect("an <h1> is rendered");
    assert_eq!(heading.text_content().as_deref(), Some("Parley"));
    let region = root
        .query_selector("section[aria-label='Chat']")
        .unwrap()
        .expect("the chat region is rendered");
    assert_eq!(region.get_attribute("aria-live").as_deref(), Some("polite"));
}
