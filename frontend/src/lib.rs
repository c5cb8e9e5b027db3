//! Parley's chat window in the browser (Leptos, client-side rendered, WebAssembly).
//!
//! Data flow: the loader (`loader/parley.js`) fetches this bundle when the visitor shows intent;
//! `main` hands it [`start`] ([`announce`]), which the loader calls with the element to mount
//! into (inside the open shadow root of `<parley-chat>`) and its options
//! ([`config::Config`]). [`start`] renders the [`components::widget::ChatWidget`]. The [`driver`] runs `parley_shared::engine` against the
//! browser (WebSocket, timers, storage, HTTP) and copies the engine's view into
//! [`chat_state::ChatState`], whose signals the components render; components act through
//! [`commands::Commands`]. The host page talks to the window through the loader's
//! `window.parley`, which forwards to the handle [`start`] returns ([`embed`]).

/// Talc instead of the standard library's dlmalloc: 1.4 KB less wasm (BENCHMARKS.md).
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

pub mod attention;
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
pub mod transcript_file;
pub mod window_state;

use leptos::prelude::*;
use wasm_bindgen::JsValue;

use chat_state::ChatState;
use commands::{Command, Commands};
use components::connection_status::connection_state;
use components::widget::ChatWidget;
use config::Config;
use driver::Driver;
use window_state::WindowState;

/// The name of the event through which [`announce`] hands [`start`] to the loader.
pub const START_EVENT: &str = "parley:wasm-started";

/// Hands [`start`] to the loader: dispatches [`START_EVENT`] on `document` with the function as
/// its `detail`. `main` calls it once the wasm has been instantiated.
///
/// Why not a `#[wasm_bindgen]` export: a `cdylib` exports (and so keeps) every
/// `#[wasm_bindgen]` item of every dependency, which costs the bundle ~120 KB of stream
/// adapters nobody calls; the `bin` target keeps only what `main` reaches.
pub fn announce() {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let start =
        wasm_bindgen::closure::Closure::<dyn Fn(web_sys::HtmlElement, JsValue) -> JsValue>::new(
            start,
        );
    let init = web_sys::CustomEventInit::new();
    init.set_detail(&start.into_js_value());
    if let Ok(event) = web_sys::CustomEvent::new_with_event_init_dict(START_EVENT, &init) {
        let _ = document.dispatch_event(&event);
    }
}

/// Starts the chat window in `mount` (an element inside `<parley-chat>`'s shadow root) with
/// the loader's `options`, and returns the handle the loader forwards `window.parley` calls to
/// (`open`, `close`, `setAttributes`). Called once per page by the loader.
pub fn start(mount: web_sys::HtmlElement, options: JsValue) -> JsValue {
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    let config = Config::from_options(&options);
    embed::set_sink(config.emit.clone());
    let handle = std::rc::Rc::new(std::cell::RefCell::new(JsValue::UNDEFINED));
    let slot = handle.clone();
    leptos::mount::mount_to(mount, move || {
        let (view, api) = app(config);
        *slot.borrow_mut() = api;
        view
    })
    .forget();
    handle.take()
}

/// The chat window with its driver, and the handle for the loader.
fn app(config: Config) -> (impl IntoView, JsValue) {
    if config.session_only || driver::storage::shared_computer_chosen() {
        driver::storage::keep_in_tab_only();
    }
    let window = WindowState::new(config.locale, config.title.clone());
    window.session_only_by_host.set_value(config.session_only);
    window.tab_only.set(driver::storage::tab_only());
    window.prechat_fields.set_value(config.prechat.clone());
    let (sound, notify) = attention::load_preferences();
    window.sound.set(sound);
    window.notify.set(notify);
    let state = ChatState::new();
    provide_context(window);
    provide_context(state);
    let driver = Driver::new(state, window, config.server.clone());
    if let Some(grant) = config.grant.clone() {
        driver.use_prefetched_grant(grant);
    }
    if let Some(deployment) = config.deployment.clone() {
        driver.apply_deployment(deployment);
    }
    let commands = driver.commands();
    provide_context(commands);
    {
        let driver = driver.clone();
        driver::world_watch(move |change| driver.world(change));
    }
    let api = embed::handle(
        move || window.open.set(true),
        move || window.open.set(false),
        move |attributes| window.host_attributes.set(attributes),
    );
    sync_with_page(state, window);
    keep_draft(state, window);
    keep_custom_attributes(state, commands, window);
    if Driver::has_stored_token() {
        driver.start();
    }
    // The conversation starts when the visitor first opens the window.
    Effect::new(move |_| {
        if window.open.get() {
            driver.start();
        }
    });
    // Entry times are shown from the first message on: their formatter is built once the
    // conversation is ready, while the visitor types, not after Send (and not while the page
    // waits for the grant and the socket, where it would delay "ready").
    Effect::new(move |_| {
        if matches!(state.connection.get(), status::ConnectionState::Ready) {
            format::prepare_when_idle(window.locale);
        }
    });
    window.open.set(config.open);
    // The loader's `.parley-root` (in the shadow root) wraps the mount point.
    (view! { <ChatWidget/> }, api.into())
}

/// The half-typed message survives a reload or a navigation on the site (kept in storage as
/// it changes) and is dropped when the conversation it was written for is over; sending it
/// empties the composer, and so the stored copy.
fn keep_draft(state: ChatState, window: WindowState) {
    window.draft.set(driver::storage::load_draft());
    Effect::new(move |_| {
        window
            .draft
            .with(|draft| driver::storage::save_draft(draft))
    });
    Effect::new(move |_| {
        if state.connection.get().is_over() {
            window.draft.set(String::new());
        }
    });
}

/// The conversation's custom attributes follow the host's and the pre-chat answers. The
/// answers are stored, so a reload neither asks again nor loses them before the first message
/// carries them, and they go when the conversation they were given for is over (as the draft
/// does): a new conversation asks again, and nothing of them is left after "End chat".
fn keep_custom_attributes(state: ChatState, commands: Commands, window: WindowState) {
    if let Some(answers) = driver::storage::load_prechat() {
        window.prechat_answers.set(answers);
        window.prechat_answered.set(true);
    }
    Effect::new(move |_| {
        let answered = window.prechat_answered.get();
        window
            .prechat_answers
            .with(|answers| driver::storage::save_prechat(answered.then_some(answers)))
    });
    Effect::new(move |_| {
        if state.connection.get().is_over() {
            window.prechat_answered.set(false);
            window.prechat_answers.set(Default::default());
        }
    });
    // A conversation the visitor already wrote in (resumed after a reload, or on a page that
    // only now asks for a form) has had its first message: the form would come too late.
    Effect::new(move |_| {
        if state.guest_has_written.get()
            && !state.connection.get().is_over()
            && !window.prechat_answered.get_untracked()
        {
            window.prechat_answered.set(true);
        }
    });
    Effect::new(move |_| {
        commands.send(Command::SetAttributes(window.custom_attributes()));
    });
}

/// Keeps the page in step with the window: the unread count in `document.title` while the tab
/// is hidden, the unread count cleared when the visitor sees the transcript, and the loader
/// told of `open` / `close`, `unread` and `connection` changes.
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
    Effect::new(move |previous: Option<bool>| {
        let open = window.open.get();
        if previous.is_some_and(|was| was != open) || (previous.is_none() && open) {
            embed::emit(if open { "open" } else { "close" }, &JsValue::UNDEFINED);
        }
        open
    });
    Effect::new(move |_| embed::emit("unread", &JsValue::from(window.unread.get())));
    let connection = connection_state(state);
    Effect::new(move |_| embed::emit("connection", &JsValue::from_str(connection.get().as_str())));
}
