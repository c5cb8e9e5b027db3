//! The window's icons as inline SVG elements: no image requests, nothing a strict CSP
//! (`default-src 'self'`, no `data:` images) could block, and they take `currentColor`.

use leptos::prelude::*;

/// Which icon.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IconName {
    /// Chevron down (minimise).
    Minimise,
    /// Leave (end chat).
    End,
    /// Paper clip (attach).
    Attach,
    /// Paper plane (send).
    Send,
    /// Document (file attachment).
    File,
    /// Arrow into a tray (download the transcript).
    Save,
    /// Bell (sound and notifications).
    Bell,
}

impl IconName {
    fn path(self) -> &'static str {
        match self {
            IconName::Minimise => "M6 9l6 6 6-6",
            IconName::End => "M10 17l5-5-5-5M15 12H3M14 4h5a1 1 0 0 1 1 1v14a1 1 0 0 1-1 1h-5",
            IconName::Attach => {
                "M20 11.5l-8 8a5 5 0 0 1-7-7l8.5-8.5a3.3 3.3 0 0 1 4.7 4.7l-8.4 8.4a1.7 1.7 0 0 1-2.4-2.4L15 7"
            }
            IconName::Send => "M4 12l16-8-6 16-2.5-6.5L4 12zM11.5 13.5L20 4",
            IconName::File => "M7 3h7l5 5v13H7zM14 3v5h5",
            IconName::Save => "M12 3v12M7 10l5 5 5-5M5 21h14",
            IconName::Bell => "M6 8a6 6 0 0 1 12 0c0 7 3 9 3 9H3s3-2 3-9M10.3 21a2 2 0 0 0 3.4 0",
        }
    }
}

/// A 24×24 stroked icon, hidden from assistive technology (its button carries the name).
#[component]
pub fn Icon(
    /// Which icon.
    name: IconName,
) -> impl IntoView {
    view! {
        <svg class="parley-icon" viewBox="0 0 24 24" width="24" height="24" aria-hidden="true"
            focusable="false" fill="none" stroke="currentColor" stroke-width="2"
            stroke-linecap="round" stroke-linejoin="round">
            <path d=name.path()></path>
        </svg>
    }
}
