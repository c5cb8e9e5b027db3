//! What the window asks of the conversation, and the handle components use to ask it.
//!
//! Components never reach the engine or the driver: they send a [`Command`] through the
//! [`Commands`] found in context. The browser driver turns each into an engine input (a picked
//! file's bytes stay with the driver for the upload); tests provide a recording handle instead.

use std::collections::BTreeMap;
use std::rc::Rc;

use leptos::prelude::*;
use parley_shared::engine::ChoiceId;

/// One thing the visitor asked for.
#[derive(Debug, Clone)]
pub enum Command {
    /// Send this text.
    SendText(String),
    /// A key was typed in the composer.
    Typing,
    /// Resend the failed message with this client id.
    Retry(String),
    /// Give up on the failed message with this client id.
    Discard(String),
    /// The conversation's custom attributes (the host page's and the pre-chat answers), for
    /// the next message.
    SetAttributes(BTreeMap<String, String>),
    /// A quick reply or card button was chosen (the engine's id for it).
    Choose(ChoiceId),
    /// Reconnect now instead of waiting.
    RetryNow,
    /// End the conversation (after confirmation).
    EndChat,
    /// Read every page of the history, for a saved transcript.
    ReadWholeHistory,
    /// Begin a fresh conversation.
    StartNewChat,
    /// Upload this file and send it.
    Attach(web_sys::File),
    /// Remove a file not sent yet, or dismiss a failed upload (its attachment id).
    RemoveAttachment(String),
    /// "I'm on a shared computer" on (keep nothing after the tab closes) or off.
    SharedComputer(bool),
}

/// Why a command was not carried out, in the visitor's words (shown next to the composer).
pub type Rejection = Option<String>;

/// The handle components send commands through (`Copy`, provided as context).
#[derive(Clone, Copy)]
pub struct Commands(StoredValue<Rc<dyn Fn(Command) -> Rejection>, LocalStorage>);

impl Commands {
    /// A handle that calls `handler` for every command.
    pub fn new(handler: impl Fn(Command) -> Rejection + 'static) -> Commands {
        Commands(StoredValue::new_local(Rc::new(handler)))
    }

    /// Carries out `command`; `Some(reason)` when it was refused.
    pub fn send(&self, command: Command) -> Rejection {
        let handler = self.0.with_value(Rc::clone);
        handler(command)
    }
}
