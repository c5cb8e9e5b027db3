//! Parley's chat window in the browser (Leptos, client-side rendered, WebAssembly).
//!
//! Data flow: `boot.js` (see index.html) starts the wasm, `main` calls [`mount`], and the view
//! tree rendered here is what the visitor sees. For now this is the page shell — a heading and
//! the region the chat window will fill; the window itself (transcript, composer, the browser
//! driver of `parley_shared::engine`) is added to this crate as its own modules.

use leptos::prelude::*;

/// The whole Parley page. Tests mount it into a detached element to check what renders.
#[component]
pub fn App() -> impl IntoView {
    view! {
        <main class="parley">
            <h1 class="parley-title">"Parley"</h1>
            // The chat window mounts here; `aria-live` so screen readers announce what arrives.
            <section class="parley-chat" aria-label="Chat" aria-live="polite"></section>
        </main>
    }
}

/// Mounts [`App`] into `<body>`; the entry point `main` calls once the wasm has started.
/// Panics are routed to the browser console so a failure names its cause.
pub fn mount() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}
