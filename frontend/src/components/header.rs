//! The window's header: title, the agent's name and avatar once known, the connection line,
//! and the alerts menu, the download-transcript, minimise and end-chat controls (ending asks for confirmation
//! inline; downloading offers text or a web page).

use leptos::either::EitherOf3;
use leptos::prelude::*;

use super::alert_settings::{AlertSettings, AlertSettingsButton};
use super::connection_status::ConnectionStatus;
use super::icon::{Icon, IconName};
use super::save_transcript::{SaveTranscriptButton, SaveTranscriptChoice};
use super::shown::shown_when;
use crate::chat_state::ChatState;
use crate::commands::{Command, Commands};
use crate::i18n::Key;
use crate::linkify::is_safe_url;
use crate::window_state::WindowState;

/// The header.
#[component]
pub fn Header() -> impl IntoView {
    let state = expect_context::<ChatState>();
    let window = expect_context::<WindowState>();
    let commands = use_context::<Commands>();
    let connection = state.connection;
    let confirming = RwSignal::new(false);
    let saving = RwSignal::new(false);
    let alerts = RwSignal::new(false);
    let avatar = move || {
        let agent = state.agent.get();
        match agent {
            Some(agent) => match agent
                .avatar
                .filter(|u| is_safe_url(u) || u.starts_with('/'))
            {
                Some(src) => EitherOf3::A(view! {
                    <img class="parley-avatar" data-parley-agent-avatar="" src=src alt=agent.name.clone()/>
                }),
                None => EitherOf3::B(view! {
                    <span class="parley-avatar parley-avatar-initial" aria-hidden="true">
                        {agent.name.chars().next().map(String::from).unwrap_or_default()}
                    </span>
                }),
            },
            None => EitherOf3::C(
                view! { <span class="parley-avatar parley-avatar-logo" aria-hidden="true"></span> },
            ),
        }
    };
    let end = move |_| {
        confirming.set(false);
        if let Some(commands) = commands {
            commands.send(Command::EndChat);
        }
    };
    view! {
        <header class="parley-header">
            <div class="parley-identity">
                {avatar}
                <div class="parley-heading">
                    <h2 class="parley-window-title" data-parley-title="">{window.title.get_value()}</h2>
                    {move || state.agent.get().map(|agent| view! {
                        <span class="parley-agent-name" data-parley-agent-name="">{agent.name}</span>
                    })}
                    <ConnectionStatus/>
                </div>
            </div>
            <div class="parley-header-actions">
                <AlertSettingsButton showing=alerts/>
                <SaveTranscriptButton offering=saving/>
                {shown_when(move || !connection.get().is_over(), move || view! {
                    <button type="button" class="parley-icon-button" aria-label=window.t(Key::EndChat)
                        title=window.t(Key::EndChat) aria-expanded=move || confirming.get().to_string()
                        on:click=move |_| confirming.update(|c| *c = !*c)>
                        <Icon name=IconName::End/>
                    </button>
                })}
                <button type="button" class="parley-icon-button" aria-label=window.t(Key::MinimiseChat)
                    title=window.t(Key::MinimiseChat) on:click=move |_| window.open.set(false)>
                    <Icon name=IconName::Minimise/>
                </button>
            </div>
        </header>
        {shown_when(move || confirming.get() && !connection.get().is_over(), move || view! {
            <div class="parley-confirm" role="group" aria-label=window.t(Key::EndChatQuestion)
                on:keydown=move |ev| {
                    if ev.key() == "Escape" {
                        ev.stop_propagation();
                        confirming.set(false);
                    }
                }>
                <span>{window.t(Key::EndChatQuestion)}</span>
                <button type="button" class="parley-button parley-button-danger" on:click=end>
                    {window.t(Key::YesEndChat)}
                </button>
                // Once ended, the history cannot be read any more: the transcript is offered first.
                <button type="button" class="parley-button parley-button-quiet" on:click=move |_| {
                    confirming.set(false);
                    saving.set(true);
                }>{window.t(Key::DownloadTranscript)}</button>
                <button type="button" class="parley-button parley-button-quiet"
                    on:click=move |_| confirming.set(false)>{window.t(Key::Cancel)}</button>
            </div>
        })}
        <SaveTranscriptChoice offering=saving/>
        <AlertSettings showing=alerts/>
    }
}
