//! The window's side of `window.parley`, which the loader (`loader/parley.js`) owns.
//!
//! The loader defines `window.parley` before the wasm exists, queues calls, and keeps the host's
//! listeners. When it starts the wasm, it receives the [`handle`] (`open`, `close`,
//! `setAttributes`) to forward calls to, and passes its `emit` function, through which the
//! window reports its events ([`emit`], [`message`]):
//!
//! ```js
//! window.parley.on('open', () => …);  window.parley.on('close', () => …);
//! window.parley.on('message', ({direction, text}) => …);   // "Inbound" = from the visitor,
//! window.parley.on('unread', (count) => …);                  // "Outbound" = to the visitor
//! window.parley.on('connection', (state) => …);              // data-state values
//! ```
//!
//! Directions use Genesys's words (the guest's messages are `Inbound` to the contact centre).

use std::cell::RefCell;
use std::collections::BTreeMap;

use js_sys::{Function, Object, Reflect};
use wasm_bindgen::prelude::Closure;
use wasm_bindgen::{JsCast, JsValue};

thread_local! {
    static SINK: RefCell<Option<Function>> = const { RefCell::new(None) };
}

/// Where [`emit`] delivers events: the loader's function (none in tests).
pub fn set_sink(sink: Option<Function>) {
    SINK.with(|s| *s.borrow_mut() = sink);
}

/// The object the loader forwards `window.parley` calls to: `open` / `close` call the given
/// functions, `setAttributes` hands the object's entries (values as strings) to
/// `set_attributes`.
pub fn handle(
    open: impl Fn() + 'static,
    close: impl Fn() + 'static,
    set_attributes: impl Fn(BTreeMap<String, String>) + 'static,
) -> Object {
    let api = Object::new();
    let set = |name: &str, value: JsValue| {
        let _ = Reflect::set(&api, &JsValue::from_str(name), &value);
    };
    set("open", Closure::<dyn Fn()>::new(open).into_js_value());
    set("close", Closure::<dyn Fn()>::new(close).into_js_value());
    set(
        "setAttributes",
        Closure::<dyn Fn(JsValue)>::new(move |attributes: JsValue| {
            set_attributes(string_entries(&attributes));
        })
        .into_js_value(),
    );
    api
}

/// The own enumerable properties of `value` with string, number or boolean values, as
/// strings (Genesys custom attributes are strings); anything else is skipped.
fn string_entries(value: &JsValue) -> BTreeMap<String, String> {
    let Some(object) = value.dyn_ref::<Object>() else {
        return BTreeMap::new();
    };
    // Inserted one by one rather than `collect()`ed: `BTreeMap::from_iter` compiles a stable
    // sort into the bundle. A repeated key keeps its last value either way.
    let mut entries = BTreeMap::new();
    for entry in Object::entries(object).iter() {
        if let Some((key, text)) = string_entry(entry) {
            entries.insert(key, text);
        }
    }
    entries
}

/// One `[key, value]` pair of `Object.entries` as strings, if the value is a string, number or
/// boolean.
fn string_entry(entry: JsValue) -> Option<(String, String)> {
    let pair = entry.dyn_into::<js_sys::Array>().ok()?;
    let key = pair.get(0).as_string()?;
    let value = pair.get(1);
    let text = value.as_string().or_else(|| {
        // Numbers and booleans as JavaScript prints them.
        (value.as_f64().is_some() || value.as_bool().is_some())
            .then(|| js_sys::JSON::stringify(&value).ok()?.as_string())
            .flatten()
    })?;
    Some((key, text))
}

/// Reports `event` with `payload` to the loader; a throwing sink is ignored.
pub fn emit(event: &str, payload: &JsValue) {
    SINK.with(|sink| {
        if let Some(sink) = sink.borrow().as_ref() {
            let _ = sink.call2(&JsValue::NULL, &JsValue::from_str(event), payload);
        }
    });
}

/// Emits `message` with `{direction, text}`.
pub fn message(direction: &str, text: &str) {
    let payload = Object::new();
    let _ = Reflect::set(&payload, &"direction".into(), &direction.into());
    let _ = Reflect::set(&payload, &"text".into(), &text.into());
    emit("message", &payload);
}
