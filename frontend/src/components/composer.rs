//! Writing a message: the "Message" textarea (Enter sends, Shift+Enter breaks the line), the
//! Send button, a character counter near the limit, the attach button, and — once the
//! conversation is over — the reason it is read-only and "Start new chat".

use leptos::html::{Input, Textarea};
use leptos::prelude::*;
use parley_shared::engine::{DeploymentRules, UploadRules};
use wasm_bindgen::JsCast;

use super::icon::{Icon, IconName};
use super::shown::shown_when;
use super::upload_status::UploadStatus;
use crate::chat_state::ChatState;
use crate::commands::{Command, Commands};
use crate::i18n::{Key, words};
use crate::window_state::WindowState;

/// From this many characters the counter shows.
pub const COUNTER_FROM: usize = 3_500;

/// Where focus goes when the window opens (provided by the window).
#[derive(Clone, Copy)]
pub struct ComposerFocus {
    /// The textarea.
    pub input: NodeRef<Textarea>,
    /// The pre-chat form, while it stands in the composer's place.
    pub prechat: NodeRef<leptos::html::Form>,
}

/// The composer.
#[component]
pub fn Composer() -> impl IntoView {
    let state = expect_context::<ChatState>();
    let window = expect_context::<WindowState>();
    let commands = use_context::<Commands>();
    let focus = use_context::<ComposerFocus>();
    let input = focus.map_or_else(NodeRef::new, |f| f.input);
    let file_input = NodeRef::<Input>::new();
    let connection = state.connection;
    let text = window.draft;
    let rejection = RwSignal::new(None::<String>);
    // Why the last file picked was refused before any upload began (the window's own words;
    // an upload the engine took shows from the engine's state instead).
    let file_refusal = RwSignal::new(None::<String>);
    let chars = Memo::new(move |_| text.with(|t| t.chars().count()));
    let max = move || state.composer.with(|rules| rules.max_text_chars);
    let over = move || chars.get() > max();
    let read_only = move || connection.get().is_over();
    let reason = move || {
        if read_only() {
            Some(window.t(Key::ReasonReadOnly).to_owned())
        } else if over() {
            Some(words::too_long(max(), window.locale))
        } else {
            rejection.get()
        }
    };
    let send = move || {
        let message = text.get_untracked();
        if message.trim().is_empty() || over() || read_only() {
            return;
        }
        let refused = commands.and_then(|c| c.send(Command::SendText(message)));
        if refused.is_none() {
            text.set(String::new());
        }
        rejection.set(refused);
    };
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
            ev.prevent_default();
            send();
        }
    };
    let on_input = move |ev: leptos::ev::Event| {
        text.set(event_target_value(&ev));
        rejection.set(None);
        if let Some(commands) = commands {
            commands.send(Command::Typing);
        }
    };
    let on_file = move |_| {
        let Some(element) = file_input.get_untracked() else {
            return;
        };
        let file = element.files().and_then(|files| files.get(0));
        element.set_value("");
        if let (Some(file), Some(commands)) = (file, commands) {
            file_refusal.set(commands.send(Command::Attach(file)));
        }
    };
    // The deployment's upload modes when it names them, else the session's `allowedMedia`.
    let accept = move || {
        let deployment = state
            .window_config
            .with(|config| DeploymentRules::from_window_config(config).uploads);
        if deployment != UploadRules::AsTheSessionAllows {
            return deployment.accept();
        }
        state.limits.with(|limits| {
            limits
                .allowed_media
                .as_ref()
                .and_then(|m| m.inbound.as_ref())
                .map(|inbound| {
                    inbound
                        .file_types
                        .iter()
                        .map(|t| t.mime_pattern.clone())
                        .collect::<Vec<_>>()
                        .join(",")
                })
                .filter(|accept| !accept.is_empty() && accept != "*/*")
        })
    };
    // Uploads need the session's feature and the deployment's consent (`fileUpload`).
    let attachments_offered = move || {
        state.features.with(|f| f.attachments) && state.window_config.with(|c| c.attachments)
    };
    let can_attach = move || attachments_offered() && state.composer.with(|r| r.can_attach);
    view! {
        <div class="parley-composer-area">
            <UploadStatus refusal=file_refusal/>
            {shown_when(move || { chars.get() >= COUNTER_FROM }, move || view! {
                <p class="parley-counter" data-parley-counter="" class:parley-counter-over=over>
                    {move || format!("{} / {}", chars.get(), max())}
                </p>
            })}
            {move || reason().map(|reason| view! {
                <p class="parley-composer-reason" data-parley-composer-reason="">{reason}</p>
            })}
            {shown_when(read_only, move || view! {
                <button type="button" class="parley-button parley-new-chat" on:click=move |_| {
                    if let Some(commands) = commands {
                        commands.send(Command::StartNewChat);
                    }
                }>{window.t(Key::StartNewChat)}</button>
            })}
            <form class="parley-composer" on:submit=move |ev| {
                ev.prevent_default();
                send();
            }>
                <button type="button" class="parley-icon-button parley-attach" aria-label=window.t(Key::AttachFile)
                    title=window.t(Key::AttachFile) hidden=move || !attachments_offered()
                    disabled=move || !can_attach()
                    on:click=move |_| {
                        if let Some(element) = file_input.get_untracked() {
                            element.click();
                        }
                    }>
                    <Icon name=IconName::Attach/>
                </button>
                <input type="file" class="parley-file-input" data-parley-file-input="" tabindex="-1"
                    aria-hidden="true" accept=accept node_ref=file_input on:change=on_file/>
                <textarea class="parley-input" data-parley-input="" rows="1" aria-label=window.t(Key::Message)
                    placeholder=window.t(Key::MessagePlaceholder) node_ref=input
                    disabled=read_only prop:value=move || text.get()
                    on:input=on_input on:keydown=on_keydown></textarea>
                <button type="submit" class="parley-send" aria-label=window.t(Key::Send) title=window.t(Key::Send) disabled=move || read_only() || over()
                    || text.with(|t| t.trim().is_empty())>
                    <Icon name=IconName::Send/>
                </button>
            </form>
        </div>
    }
}

/// Focuses `element` if it is an HTML element.
pub fn focus(element: &web_sys::Element) {
    if let Some(element) = element.dyn_ref::<web_sys::HtmlElement>() {
        let _ = element.focus();
    }
}
