//! [`shown_when`]: what `<Show>` does for the window's conditional parts, with less code in
//! the bundle.
//!
//! `<Show>` keeps its children as a shared closure and renders `Either<children, fallback>`
//! with a type-erased fallback; none of the window's conditional parts has a fallback, so a
//! memoised condition and an `Option` do the same for less compiled code per use.

use leptos::prelude::*;

/// Renders `view()` while `when()` is true and nothing otherwise. The condition is memoised,
/// as in `<Show>`: the part is built when the condition turns true and dropped when it turns
/// false, not rebuilt while it stays true.
pub fn shown_when<V: IntoView + 'static>(
    when: impl Fn() -> bool + Send + Sync + 'static,
    view: impl Fn() -> V + Send + Sync + 'static,
) -> impl IntoView {
    let shown = Memo::new(move |_| when());
    move || shown.get().then(&view)
}
