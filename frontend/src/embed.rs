//! The host page's handle on the window: `window.parley` (UI-CONTRACT.md "JS API").
//!
//! ```js
//! await window.parley.ready;
//! window.parley.open(); window.parley.close();
//! window.parley.on('message', ({direction, text}) => …);   // "Inbound" = from the visitor,
//! window.parley.on('unread', (count) => …);                  // "Outbound" = to the visitor
//! window.parley.on('connection', (state) => …);              // data-state values
//! window.parley.setAttributes({plan: 'gold'});
//! ```
//!
//! Directions use Genesys's words (the guest's messages are `Inbound` to the contact centre).
//! Listeners are JS functions kept for the life of the page; a throwing listener is ignored.

use std::cell::RefCell;
use std::collections::HashMap;

use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::JsValue;
use wasm_bindgen::prelude::Closure;

thread_local! {
    static LISTENERS: RefCell<HashMap<String, Vec<Function>>> = RefCell::new(HashMap::new());
    static ATTRIBUTES: RefCell<Option<JsValue>> = const { RefCell::new(None) };
}

/// Installs `window.parley` with `open` / `close` calling the given functions.
pub fn install(open: impl Fn() + 'static, close: impl Fn() + 'static) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let api = Object::new();
    let set = |name: &str, value: JsValue| {
        let _ = Reflect::set(&api, &JsValue::from_str(name), &value);
    };
    set("open", Closure::<dyn Fn()>::new(open).into_js_value());
    set("close", Closure::<dyn Fn()>::new(close).into_js_value());
    set(
        "on",
        Closure::<dyn Fn(String, Function)>::new(|event: String, callback: Function| {
            LISTENERS.with(|l| l.borrow_mut().entry(event).or_default().push(callback));
        })
        .into_js_value(),
    );
    set(
        "setAttributes",
        Closure::<dyn Fn(JsValue)>::new(|attributes: JsValue| {
            ATTRIBUTES.with(|a| a.replace(Some(attributes)));
        })
        .into_js_value(),
    );
    set("ready", Promise::resolve(&api).into());
    let _ = Reflect::set(&window, &JsValue::from_str("parley"), &api);
}

/// Custom attributes the host set with `setAttributes`, if any.
pub fn attributes() -> Option<JsValue> {
    ATTRIBUTES.with(|a| a.borrow().clone())
}

/// Calls every listener of `event` with `payload`.
pub fn emit(event: &str, payload: &JsValue) {
    let listeners = LISTENERS.with(|l| l.borrow().get(event).cloned().unwrap_or_default());
    for listener in listeners {
        let _ = listener.call1(&JsValue::NULL, payload);
    }
}

/// Emits `message` with `{direction, text}`.
pub fn message(direction: &str, text: &str) {
    let payload = Object::new();
    let _ = Reflect::set(&payload, &"direction".into(), &direction.into());
    let _ = Reflect::set(&payload, &"text".into(), &text.into());
    emit("message", &payload);
}
