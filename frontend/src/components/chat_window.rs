//! The chat window (`role="dialog"`, named "Chat"): header, transcript, quick replies and
//! composer (the pre-chat form stands in their place until it is answered). Escape minimises it. On narrow screens it fills the screen and follows the
//! visual viewport, so the composer stays above a mobile keyboard.

use leptos::html::Section;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;

use super::composer::Composer;
use super::header::Header;
use super::prechat_form::PrechatForm;
use super::quick_replies::QuickReplies;
use super::shared_computer::SharedComputerChoice;
use super::shown::shown_when;
use super::transcript::Transcript;
use crate::i18n::Key;
use crate::window_state::WindowState;

/// The window.
#[component]
pub fn ChatWindow() -> impl IntoView {
    let window = expect_context::<WindowState>();
    let section = NodeRef::<Section>::new();
    follow_visual_viewport(section);
    view! {
        <section class="parley-window" role="dialog" aria-label=window.t(Key::ChatDialog)
            data-parley-window="" lang=window.locale.tag() node_ref=section
            data-state=move || if window.open.get() { "open" } else { "closed" }
            hidden=move || !window.open.get()
            on:keydown=move |ev| {
                if ev.key() == "Escape" {
                    ev.prevent_default();
                    window.open.set(false);
                }
            }>
            <Header/>
            <Transcript/>
            {shown_when(move || window.prechat_pending(), || view! { <PrechatForm/> })}
            // Hidden rather than dropped: building the composer conditionally costs the bundle
            // more than the form itself.
            <div class="parley-composer-slot" hidden=move || window.prechat_pending()>
                <QuickReplies/>
                <Composer/>
            </div>
            // Outside the slot: a visitor on a shared computer can choose before answering the
            // pre-chat form.
            <SharedComputerChoice/>
        </section>
    }
}

/// Keeps `--parley-viewport-height` on the window equal to the visual viewport's height (the
/// part of the screen a mobile keyboard leaves). Set through the CSSOM, which the page's CSP
/// allows (an inline `style=` attribute would be blocked).
fn follow_visual_viewport(section: NodeRef<Section>) {
    let Some(viewport) = web_sys::window().and_then(|w| w.visual_viewport()) else {
        return;
    };
    let update = {
        let viewport = viewport.clone();
        move || {
            if let Some(element) = section.get_untracked() {
                let height = format!("{}px", viewport.height().round() as i64);
                let _ = element
                    .style()
                    .set_property("--parley-viewport-height", &height);
            }
        }
    };
    let handler = Closure::<dyn FnMut()>::new(update.clone());
    let _ = viewport.add_event_listener_with_callback("resize", handler.as_ref().unchecked_ref());
    // The listener lives as long as the page.
    handler.forget();
    request_animation_frame(update);
}
