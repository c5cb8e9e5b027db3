//! Parley's chat window in the browser (Leptos, client-side rendered, WebAssembly).
//!
//! Data flow: `boot.js` (see index.html) starts the wasm and `main` calls [`mount`], which
//! renders [`App`]: the demo host page and the [`components::widget::ChatWidget`]. The
//! [`driver`] runs `parley_shared::engine` against the browser (WebSocket, timers, storage,
//! HTTP) and copies the engine's view into [`chat_state::ChatState`], whose signals the
//! components render; components act through [`commands::Commands`]. The host page talks to
//! the window through `window.parley` ([`embed`]).

pub mod chat_state;
pub mod commands;
pub mod components;
pub mod config;
pub mod driver;
pub mod embed;
pub mod format;
pub mod i18n;
pub mod linkify;
pub mod status;
pub mod window_state;

use leptos::prelude::*;
use wasm_bindgen::JsValue;

use chat_state::ChatState;
use commands::Command;
use components::connection_status::connection_state;
use components::widget::ChatWidget;
use config::Config;
use driver::Driver;
use window_state::WindowState;

/// The demo host page with the chat: what `/` shows. Tests mount it into a detached element.
#[component]
pub fn App() -> impl IntoView {
    let config = Config::from_page();
    let window = WindowState::new(config.locale, config.title.clone());
    let state = ChatState::new();
    provide_context(window);
    provide_context(state);
    let driver = Driver::new(state, window);
    let commands = driver.commands();
    provide_context(commands);
    {
        let driver = driver.clone();
        driver::world_watch(move |change| driver.world(change));
    }
    embed::install(
        move || window.open.set(true),
        move || window.open.set(false),
        move |attributes| {
            commands.send(Command::SetAttributes(attributes));
        },
    );
    sync_with_page(state, window);
    if Driver::has_stored_token() {
        driver.start();
    }
    // The conversation starts when the visitor first opens the window.
    Effect::new(move |_| {
        if window.open.get() {
            driver.start();
        }
    });
    window.open.set(config.open);

    view! {
        <main class="parley-demo">
            <h1 class="parley-demo-title">"Parley"</h1>
            <p class="parley-demo-text">
                "This page hosts the Parley chat window. Open it with the button in the corner."
            </p>
        </main>
        <ChatWidget/>
    }
}

/// Keeps the page in step with the window: the unread count in `document.title` while the tab
/// is hidden, the unread count cleared when the visitor sees the transcript, and the host's
/// `unread` / `connection` listeners informed.
fn sync_with_page(state: ChatState, window: WindowState) {
    let document = web_sys::window().and_then(|w| w.document());
    let base_title = document.as_ref().map(|d| d.title()).unwrap_or_default();
    Effect::new(move |_| {
        let unread = window.unread.get();
        let hidden = !window.page_visible.get();
        if let Some(document) = web_sys::window().and_then(|w| w.document()) {
            if hidden && unread > 0 {
                document.set_title(&format!("({unread}) {base_title}"));
            } else {
                document.set_title(&base_title);
            }
        }
    });
    Effect::new(move |_| {
        window.open.track();
        window.page_visible.track();
        window.unread.track();
        window.mark_seen();
    });
    Effect::new(move |_| embed::emit("unread", &JsValue::from(window.unread.get())));
    let connection = connection_state(state);
    Effect::new(move |_| embed::emit("connection", &JsValue::from_str(connection.get().as_str())));
}

/// Mounts [`App`] into `<body>`; the entry point `main` calls once the wasm has started.
/// Panics are routed to the browser console so a failure names its cause.
pub fn mount() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}
