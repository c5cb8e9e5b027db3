//! The browser telling the driver the world changed: the network came back (`online`), went
//! away (`offline`), or the tab became visible (`visibilitychange`); and the page about to be
//! left (`beforeunload`). These listeners live as long as the page, so their closures are
//! leaked on purpose (`forget`).

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;

/// Calls `changed(online, visible)` whenever the network or the page visibility changes, and
/// once now with the current values.
pub fn watch(changed: impl Fn(WorldChange) + 'static) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let changed = std::rc::Rc::new(changed);
    changed(WorldChange::Now {
        online: is_online(),
        visible: is_visible(),
    });
    let listen = |target: &web_sys::EventTarget, event: &str, change: WorldChange| {
        let changed = changed.clone();
        let handler = Closure::<dyn FnMut()>::new(move || changed(change.with_current()));
        let _ = target.add_event_listener_with_callback(event, handler.as_ref().unchecked_ref());
        handler.forget();
    };
    listen(&window, "online", WorldChange::Online);
    listen(&window, "offline", WorldChange::Offline);
    if let Some(document) = window.document() {
        listen(&document, "visibilitychange", WorldChange::Visibility(true));
    }
}

/// What changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorldChange {
    /// The values at start-up.
    Now {
        /// `navigator.onLine`.
        online: bool,
        /// The page is visible.
        visible: bool,
    },
    /// The network came back.
    Online,
    /// The network went away.
    Offline,
    /// The page became visible (`true`) or hidden.
    Visibility(bool),
}

impl WorldChange {
    fn with_current(self) -> WorldChange {
        match self {
            WorldChange::Visibility(_) => WorldChange::Visibility(is_visible()),
            other => other,
        }
    }
}

/// `navigator.onLine` (true when unknown).
pub fn is_online() -> bool {
    web_sys::window().is_none_or(|w| w.navigator().on_line())
}

/// Whether the page is visible.
pub fn is_visible() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .is_none_or(|d| d.visibility_state() == web_sys::VisibilityState::Visible)
}

/// Asks the browser to confirm leaving the page (`beforeunload`) whenever `unsafe_to_leave`
/// says so at that moment. Browsers show their own wording and only after the visitor
/// interacted with the page.
pub fn warn_before_leaving(unsafe_to_leave: impl Fn() -> bool + 'static) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let handler = Closure::<dyn FnMut(web_sys::BeforeUnloadEvent)>::new(
        move |event: web_sys::BeforeUnloadEvent| {
            if unsafe_to_leave() {
                event.prevent_default();
                event.set_return_value("");
            }
        },
    );
    let _ =
        window.add_event_listener_with_callback("beforeunload", handler.as_ref().unchecked_ref());
    handler.forget();
}
