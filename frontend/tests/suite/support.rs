//! Shared set-up for the browser tests: a detached container, a live engine fed with frames
//! as the emulator would send them, and components mounted with the contexts they expect.
#![allow(dead_code)]

use std::cell::RefCell;
use std::rc::Rc;

use leptos::prelude::*;
use parley_frontend::chat_state::ChatState;
use parley_frontend::commands::{Command, Commands};
use parley_frontend::i18n::Locale;
use parley_frontend::window_state::WindowState;
use parley_shared::engine::{Effect, Engine, EngineConfig, Grant, Input, SocketId};
use wasm_bindgen::JsCast;

/// A fresh `<div>` attached to the document, so each test renders in isolation.
pub fn container() -> web_sys::HtmlElement {
    let document = web_sys::window().unwrap().document().unwrap();
    let div = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&div).unwrap();
    div.unchecked_into()
}

/// An engine whose session is configured and live, and the id of its socket.
pub fn live_engine() -> (Engine, SocketId) {
    let mut engine = Engine::new(EngineConfig::new("deployment"));
    engine.start(0);
    engine.handle(
        Input::SessionGranted(Grant {
            token: "token".into(),
            websocket_url: "ws://127.0.0.1/v1?deploymentId=deployment".into(),
            api_base_url: "http://127.0.0.1".into(),
            deployment_id: "deployment".into(),
        }),
        1,
    );
    let socket = std::iter::from_fn(|| engine.poll_effect())
        .find_map(|effect| match effect {
            Effect::OpenSocket { socket, .. } => Some(socket),
            _ => None,
        })
        .expect("the engine opens a socket after the grant");
    engine.handle(Input::SocketOpened(socket), 2);
    frame(
        &mut engine,
        socket,
        r#"{"type":"response","class":"SessionResponse","code":200,"body":{"connected":true,"newSession":true}}"#,
    );
    while engine.poll_effect().is_some() {}
    (engine, socket)
}

/// Feeds one frame's JSON text to the engine.
pub fn frame(engine: &mut Engine, socket: SocketId, json: &str) {
    engine.handle(Input::frame_text(socket, json), 3);
}

/// An agent message frame from `nickname` with `text` and `content` (JSON array).
pub fn agent_message(id: &str, nickname: &str, text: &str, content: &str) -> String {
    let text = serde_json::to_string(text).unwrap();
    format!(
        r#"{{"type":"message","class":"StructuredMessage","code":200,"body":{{"id":"{id}","type":"Structured","direction":"Outbound","text":{text},"content":{content},"channel":{{"time":"2026-11-20T10:00:00.000Z","from":{{"nickname":"{nickname}"}}}},"originatingEntity":"Human"}}}}"#
    )
}

/// Every command a test's components sent.
pub type Sent = Rc<RefCell<Vec<Command>>>;

/// Mounts `view` into a fresh container with English window state, `state` filled by `fill`
/// and a recording command handle. Returns the container and the recorded commands.
pub fn mount<V: IntoView + 'static>(
    fill: impl FnOnce(ChatState, WindowState) + 'static,
    view: impl FnOnce() -> V + 'static,
) -> (web_sys::HtmlElement, Sent) {
    let root = container();
    let sent: Sent = Rc::default();
    let recorder = sent.clone();
    let handle = leptos::mount::mount_to(root.clone(), move || {
        let window = WindowState::new(Locale::En, None);
        window.open.set(true);
        let state = ChatState::new();
        provide_context(window);
        provide_context(state);
        provide_context(Commands::new(move |command| {
            recorder.borrow_mut().push(command);
            None
        }));
        fill(state, window);
        view()
    });
    handle.forget();
    (root, sent)
}

/// The text content of the first element matching `selector`.
pub fn text_of(root: &web_sys::HtmlElement, selector: &str) -> Option<String> {
    root.query_selector(selector)
        .unwrap()
        .and_then(|element| element.text_content())
}

/// Runs pending reactive effects and microtasks (Leptos schedules effects on a microtask).
pub async fn settle() {
    let promise = js_sys::Promise::resolve(&wasm_bindgen::JsValue::NULL);
    for _ in 0..3 {
        wasm_bindgen_futures::JsFuture::from(promise.clone())
            .await
            .unwrap();
    }
}
