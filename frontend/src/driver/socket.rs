//! The engine's WebSockets. Each socket's events are reported with the id the engine gave it,
//! so a late event of a socket the engine already abandoned is recognised and ignored there.
//!
//! A socket's event handlers are Rust closures owned here. They are detached from the socket
//! before it is dropped, and dropped only on a later task, so a handler is never freed while
//! the browser is still running it (a frame can make the engine close its own socket).

use std::cell::RefCell;

use parley_shared::engine::SocketId;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::{CloseEvent, MessageEvent, WebSocket};

/// What a socket reports.
pub enum SocketEvent {
    /// The connection opened.
    Opened,
    /// A text frame arrived.
    Text(String),
    /// The connection closed (or never opened).
    Closed {
        /// The close code, if a close frame arrived.
        code: Option<u16>,
        /// Whether the close handshake completed.
        clean: bool,
    },
}

struct Socket {
    id: SocketId,
    ws: WebSocket,
    open: bool,
    _on_open: Closure<dyn FnMut()>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut(CloseEvent)>,
}

impl Socket {
    fn detach(&self) {
        self.ws.set_onopen(None);
        self.ws.set_onmessage(None);
        self.ws.set_onclose(None);
    }
}

/// The sockets the engine asked for that are not closed yet.
#[derive(Default)]
pub struct Sockets(RefCell<Vec<Socket>>);

impl Sockets {
    /// Opens `url` as `id`; `report` receives its events. `Err` when the URL is unusable (the
    /// caller reports the socket closed).
    pub fn open(
        &self,
        id: SocketId,
        url: &str,
        report: impl Fn(SocketId, SocketEvent) + Clone + 'static,
    ) -> Result<(), ()> {
        let ws = WebSocket::new(url).map_err(|_| ())?;
        let on_open = {
            let report = report.clone();
            Closure::<dyn FnMut()>::new(move || report(id, SocketEvent::Opened))
        };
        let on_message = {
            let report = report.clone();
            Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
                if let Some(text) = event.data().as_string() {
                    report(id, SocketEvent::Text(text));
                }
            })
        };
        let on_close = Closure::<dyn FnMut(CloseEvent)>::new(move |event: CloseEvent| {
            let code = event.code();
            report(
                id,
                SocketEvent::Closed {
                    code: (code != 1005 && code != 1006).then_some(code),
                    clean: event.was_clean(),
                },
            );
        });
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        self.0.borrow_mut().push(Socket {
            id,
            ws,
            open: false,
            _on_open: on_open,
            _on_message: on_message,
            _on_close: on_close,
        });
        Ok(())
    }

    /// Records that `id` opened.
    pub fn opened(&self, id: SocketId) {
        if let Some(socket) = self.0.borrow_mut().iter_mut().find(|s| s.id == id) {
            socket.open = true;
        }
    }

    /// Sends `text` on `id` if it is open; otherwise drops it (the engine resends what matters).
    pub fn send(&self, id: SocketId, text: &str) -> bool {
        self.0
            .borrow()
            .iter()
            .find(|s| s.id == id && s.open)
            .is_some_and(|s| s.ws.send_with_str(text).is_ok())
    }

    /// Closes `id` with code 1000 without reporting its close.
    pub fn close(&self, id: SocketId) {
        if let Some(socket) = self.take(id) {
            socket.detach();
            let _ = socket.ws.close_with_code(1000);
            retire(socket);
        }
    }

    /// Forgets `id` after the browser reported it closed.
    pub fn forget(&self, id: SocketId) {
        if let Some(socket) = self.take(id) {
            socket.detach();
            retire(socket);
        }
    }

    fn take(&self, id: SocketId) -> Option<Socket> {
        let mut sockets = self.0.borrow_mut();
        let index = sockets.iter().position(|s| s.id == id)?;
        Some(sockets.remove(index))
    }
}

/// Drops a detached socket on a later task, after any handler of it has returned.
fn retire(socket: Socket) {
    wasm_bindgen_futures::spawn_local(async move { drop(socket) });
}
