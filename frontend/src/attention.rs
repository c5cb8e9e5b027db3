//! Getting the visitor's attention when an agent answers and they are not looking, on top of
//! the unread count in the page title (which stays, see `lib.rs`). Both are off until the
//! visitor turns them on in the window's "Alerts" menu, and both are remembered (with the
//! conversation's storage, so `storage="session"` keeps them in the tab only):
//!
//! - **sound**: a short two-tone chime made with the Web Audio API at run time (nothing is
//!   fetched, so the host page's CSP needs no media source), for an agent message the visitor
//!   has not seen (window minimised or tab hidden). Browsers let audio start only after the
//!   visitor interacted with the page; turning the sound on is such an interaction, and plays
//!   the chime once so they know what it sounds like.
//! - **notification**: a browser notification for an agent message while the tab is hidden.
//!   Permission is asked only when the visitor turns the toggle on; if the browser refuses, the
//!   toggle stays off and the menu says so. The notification's text is the message as plain
//!   text, shortened ([`notification_body`]); a notification never renders HTML.

use std::cell::RefCell;

use leptos::prelude::*;

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AudioContext, Notification, NotificationOptions, NotificationPermission};

use crate::driver::storage;
use crate::i18n::{Key, fill};
use crate::window_state::WindowState;

/// Where the sound preference is kept.
pub const SOUND_KEY: &str = "parley.sound";
/// Where the notification preference is kept.
pub const NOTIFY_KEY: &str = "parley.notify";
/// The longest notification text, in characters (what a notification shows anyway).
pub const NOTIFICATION_CHARS: usize = 120;

/// The visitor's stored preferences: (sound, notifications).
pub fn load_preferences() -> (bool, bool) {
    (
        storage::load_flag(SOUND_KEY),
        storage::load_flag(NOTIFY_KEY),
    )
}

/// An agent (`name`) wrote `text` live: chime and notify as the visitor asked.
pub fn agent_replied(window: &WindowState, name: &str, text: &str) {
    if window.seen() {
        return;
    }
    if window.sound.get_untracked() {
        chime();
    }
    if window.notify.get_untracked() && !window.page_visible.get_untracked() {
        notify(window, name, text);
    }
}

/// The visitor turned the sound on or off.
pub fn set_sound(window: &WindowState, on: bool) {
    window.sound.set(on);
    storage::save_flag(SOUND_KEY, on);
    if on {
        chime();
    }
}

/// The visitor turned notifications on or off; turning them on asks the browser's permission
/// first (once: a refusal is the browser's to undo).
pub async fn set_notify(window: WindowState, on: bool) {
    let allowed = on && permission().await;
    window.notify_blocked.set(on && !allowed);
    window.notify.set(allowed);
    storage::save_flag(NOTIFY_KEY, allowed);
}

/// Whether the page may show notifications, asking the visitor if the browser has not yet.
async fn permission() -> bool {
    if !notifications_exist() {
        return false;
    }
    match Notification::permission() {
        NotificationPermission::Granted => true,
        NotificationPermission::Denied => false,
        _ => match Notification::request_permission() {
            Ok(promise) => JsFuture::from(promise)
                .await
                .ok()
                .and_then(|answer| answer.as_string())
                .is_some_and(|answer| answer == "granted"),
            Err(_) => false,
        },
    }
}

/// Whether this browser has notifications at all (some mobile browsers and iframes do not).
fn notifications_exist() -> bool {
    web_sys::window().is_some_and(|w| {
        js_sys::Reflect::has(&w, &wasm_bindgen::JsValue::from_str("Notification")).unwrap_or(false)
    })
}

/// Shows the notification; clicking it brings the page (and the chat) back.
fn notify(window: &WindowState, name: &str, text: &str) {
    if !notifications_exist() || Notification::permission() != NotificationPermission::Granted {
        return;
    }
    let title = fill(window.t(Key::NotificationTitle), &[("name", name)]);
    let options = NotificationOptions::new();
    options.set_body(&notification_body(text));
    options.set_tag("parley");
    options.set_lang(window.locale.tag());
    if let Ok(notification) = Notification::new_with_options(&title, &options) {
        let open = window.open;
        let click = wasm_bindgen::closure::Closure::once_into_js(move || {
            if let Some(page) = web_sys::window() {
                let _ = page.focus();
            }
            open.set(true);
        });
        notification.set_onclick(Some(click.unchecked_ref()));
    }
}

/// The notification's text: the message's text on one line, shortened to
/// [`NOTIFICATION_CHARS`] characters with an ellipsis.
pub fn notification_body(text: &str) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() <= NOTIFICATION_CHARS {
        return line;
    }
    let mut short: String = line.chars().take(NOTIFICATION_CHARS - 1).collect();
    short.truncate(short.trim_end().len());
    short.push('…');
    short
}

thread_local! {
    /// One audio context for the page, made on the first chime (browsers limit how many).
    static AUDIO: RefCell<Option<AudioContext>> = const { RefCell::new(None) };
}

/// Two short sine tones, a fifth apart, fading out: about a third of a second.
fn chime() {
    AUDIO.with(|audio| {
        let mut audio = audio.borrow_mut();
        if audio.is_none() {
            *audio = AudioContext::new().ok();
        }
        if let Some(context) = audio.as_ref() {
            let _ = context.resume();
            let _ = play_tones(context);
        }
    });
}

fn play_tones(context: &AudioContext) -> Result<(), wasm_bindgen::JsValue> {
    let start = context.current_time();
    for (index, frequency) in [880.0_f32, 1318.5].into_iter().enumerate() {
        let at = start + 0.14 * index as f64;
        let oscillator = context.create_oscillator()?;
        oscillator.frequency().set_value(frequency);
        let gain = context.create_gain()?;
        let level = gain.gain();
        level.set_value_at_time(0.0001, at)?;
        level.exponential_ramp_to_value_at_time(0.15, at + 0.02)?;
        level.exponential_ramp_to_value_at_time(0.0001, at + 0.3)?;
        oscillator.connect_with_audio_node(&gain)?;
        gain.connect_with_audio_node(&context.destination())?;
        oscillator.start_with_when(at)?;
        oscillator.stop_with_when(at + 0.32)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notification_shows_the_message_on_one_line_shortened() {
        assert_eq!(notification_body("Hello\n  there"), "Hello there");
        assert_eq!(
            notification_body("<b>bold</b> & co"),
            "<b>bold</b> & co",
            "text stays text"
        );
        let long = "word ".repeat(60);
        let body = notification_body(&long);
        assert_eq!(body.chars().count(), NOTIFICATION_CHARS);
        assert!(body.ends_with("word…"), "{body}");
    }
}
