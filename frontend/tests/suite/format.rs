//! Entry times: the formatter is built while the browser is idle, before the first entry
//! (a fresh visitor's own first message) needs it.

use parley_frontend::format;
use parley_frontend::i18n::Locale;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::wasm_bindgen_test;

/// Resolves at the browser's next idle callback, after the ones already requested.
async fn next_idle_callback() {
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        let _ = web_sys::window().unwrap().request_idle_callback(&resolve);
    });
    JsFuture::from(promise).await.unwrap();
}

#[wasm_bindgen_test]
async fn the_time_formatter_is_built_when_the_browser_is_idle_not_when_asked() {
    // French: no other test of this suite formats a time in it.
    let locale = Locale::Fr;
    assert!(!format::time_of_day_prepared(locale));
    format::prepare_when_idle(locale);
    assert!(
        !format::time_of_day_prepared(locale),
        "built at once, on the caller's time"
    );
    next_idle_callback().await;
    assert!(format::time_of_day_prepared(locale));
    assert!(!format::time_of_day_prepared(Locale::De));
}
