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
use std::collections::{BTreeMap, HashMap};

use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::Closure;
use wasm_bindgen::{JsCast, JsValue};

thread_local! {
    static LISTENERS: RefCell<HashMap<String, Vec<Function>>> = RefCell::new(HashMap::new());
}

/// Installs `window.parley`: `open` / `close` call the given functions, `setAttributes`
/// hands the object's entries (values as strings) to `set_attributes`.
pub fn install(
    open: impl Fn() + 'static,
    close: impl Fn() + 'static,
    set_attributes: impl Fn(BTreeMap<String, String>) + 'static,
) {
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
        Closure::<dyn Fn(JsValue)>::new(move |attributes: JsValue| {
            set_attributes(string_entries(&attributes));
        })
        .into_js_value(),
    );
    set("ready", Promise::resolve(&api).into());
    let _ = Reflect::set(&window, &JsValue::from_str("parley"), &api);
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
