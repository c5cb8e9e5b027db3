//! How the loader configures the window, read once when it starts the wasm.
//!
//! `loader/parley.js` calls `start(mount, options)` (handed over by [`crate::announce`]) with
//! the options it read from the `<parley-chat>` element's attributes and the script tag's
//! `data-*`: `server` (the Parley server's base URL, from the script's own `src`), `lang`,
//! `title`, `open`, `storage` (`"session"`: keep nothing after the tab closes), `prechat` (the
//! pre-chat form's fields, [`parley_shared::prechat::parse_fields`]), `deployment`
//! (the JSON of `GET {server}api/config`, the deployment's settings, when the loader read
//! them) and `emit`, the loader's function that delivers the window's events (`open`,
//! `close`, `unread`, `connection`, `message`) to the host page.

use js_sys::{Function, Promise, Reflect};
use parley_shared::api::WindowConfig;
use parley_shared::prechat::{Field, parse_fields};
use wasm_bindgen::{JsCast, JsValue};

use crate::i18n::Locale;

/// The start-up configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// The Parley server's base URL, ending in `/` (grants are `POST {server}api/session`).
    pub server: String,
    /// Open the window at start.
    pub open: bool,
    /// The language.
    pub locale: Locale,
    /// A header title replacing the locale's default.
    pub title: Option<String>,
    /// The deployment's settings the loader read, if it could.
    pub deployment: Option<WindowConfig>,
    /// The loader's event sink, if any.
    pub emit: Option<Function>,
    /// `storage="session"`: keep the conversation in the tab only (nothing survives its close).
    pub session_only: bool,
    /// The pre-chat form's fields (none: no form).
    pub prechat: Vec<Field>,
    /// The loader's `fetch` of a fresh session grant, started when the visitor opened the
    /// window before it had loaded (it resolves to the `Response`, or `null` if it failed).
    pub grant: Option<Promise>,
}

impl Config {
    /// Reads the loader's options object; anything missing takes its default (the page's
    /// own origin as server, the browser's language, closed).
    pub fn from_options(options: &JsValue) -> Config {
        let get = |name: &str| Reflect::get(options, &JsValue::from_str(name)).ok();
        let text = |name: &str| get(name).and_then(|v| v.as_string());
        let flag = |name: &str| get(name).and_then(|v| v.as_bool()).unwrap_or(false);
        let navigator_lang = web_sys::window().and_then(|w| w.navigator().language());
        let lang = text("lang");
        Config {
            server: text("server")
                .filter(|s| !s.is_empty())
                .map(|s| if s.ends_with('/') { s } else { format!("{s}/") })
                .unwrap_or_else(page_origin),
            open: flag("open"),
            locale: Locale::choose([lang.as_deref(), navigator_lang.as_deref()]),
            title: text("title").filter(|t| !t.trim().is_empty()),
            deployment: text("deployment").and_then(|json| serde_json::from_str(&json).ok()),
            emit: get("emit").and_then(|f| f.dyn_into::<Function>().ok()),
            session_only: text("storage").as_deref() == Some("session"),
            prechat: text("prechat")
                .map(|spec| parse_fields(&spec))
                .unwrap_or_default(),
            grant: get("grant").and_then(|p| p.dyn_into::<Promise>().ok()),
        }
    }
}

/// `{origin}/` of the page, the server when the loader names none.
fn page_origin() -> String {
    let origin = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default();
    format!("{origin}/")
}
