//! One transcript row: a guest bubble (with its delivery state and, when failed, the reason
//! and Retry), an agent or bot bubble (name, time, text, rich content), a system notice, or a
//! date separator. Markup per UI-CONTRACT.md "Transcript".
//!
//! An entry's kind and text never change under its key; only its delivery state and time do,
//! so those are the only reactive parts — and, for agent and bot text, whether the deployment
//! renders markdown (`WindowConfig::markdown`), which a grant may switch.

use leptos::either::{Either, EitherOf3};
use leptos::prelude::*;
use parley_shared::engine::{Delivery, EntryKind, FailReason, OriginatingEntity};

use super::content::ContentList;
use super::markdown::Markdown;
use super::rich_text::RichText;
use crate::chat_state::{ChatState, EntryView, Row};
use crate::commands::{Command, Commands};
use crate::format;
use crate::i18n::{Key, Locale, words};
use crate::linkify::is_safe_url;
use crate::window_state::WindowState;

/// A transcript row: the date separator when the row opens a day, then the entry.
#[component]
pub fn RowView(
    /// The row.
    row: Row,
) -> impl IntoView {
    let window = expect_context::<WindowState>();
    let day = row.day;
    let separator = move || {
        day.get().map(|at| {
            let label = format::day_label(window.locale, at);
            let name = label.clone();
            view! {
                <div class="parley-day" role="separator" data-parley-date-separator="" aria-label=name>
                    <span aria-hidden="true">{label}</span>
                </div>
            }
        })
    };
    let entry_key = row.view.with_untracked(|v| v.entry.key.clone());
    view! {
        {separator}
        <EntryItem entry_key=entry_key view=row.view/>
    }
}

/// `<time>` for an entry, kept current (an echo brings the server time).
fn time_of(view: RwSignal<EntryView>, locale: Locale) -> impl IntoView {
    let at = move || view.with(|v| v.at);
    view! {
        <time class="parley-time" datetime=move || format::iso(at())>
            {move || format::time_of_day(locale, at())}
        </time>
    }
}

#[component]
fn EntryItem(entry_key: String, view: RwSignal<EntryView>) -> impl IntoView {
    let window = expect_context::<WindowState>();
    let locale = window.locale;
    let initial = view.get_untracked().entry;
    match initial.kind {
        EntryKind::Guest(message) => {
            let delivery = move || {
                view.with(|v| match &v.entry.kind {
                    EntryKind::Guest(m) => m.delivery.clone(),
                    _ => Delivery::Sent,
                })
            };
            let state = move || match delivery() {
                Delivery::Queued | Delivery::Sending => "sending",
                Delivery::Sent => "sent",
                Delivery::Failed(_) => "failed",
            };
            let status = move || match delivery() {
                Delivery::Queued | Delivery::Sending => window.t(Key::Sending),
                Delivery::Sent => window.t(Key::Sent),
                Delivery::Failed(_) => "",
            };
            let client_id = message.client_id.clone();
            let failure = move || match delivery() {
                Delivery::Failed(reason) => {
                    let client_id = client_id.clone();
                    Some(view! { <FailureView reason=reason client_id=client_id/> })
                }
                _ => None,
            };
            let text =
                (!message.text.is_empty()).then(|| view! { <RichText text=message.text.clone()/> });
            // The echo completes what was sent (an uploaded file gains its name and URL).
            let content = Memo::new(move |_| {
                view.with(|v| match &v.entry.kind {
                    EntryKind::Guest(m) => (m.content.clone(), m.message_id.clone()),
                    _ => (Vec::new(), None),
                })
            });
            let content = move || {
                let (content, message_id) = content.get();
                view! { <ContentList content=content message_id=message_id.unwrap_or_default()/> }
            };
            EitherOf3::A(view! {
                <div class="parley-entry parley-entry-guest" data-parley-entry="" data-kind="guest"
                    data-key=entry_key.clone() data-state=state>
                    <span class="parley-visually-hidden">{window.t(Key::You)}": "</span>
                    <div class="parley-bubble">
                        {text}
                        {content}
                    </div>
                    <div class="parley-meta">
                        {time_of(view, locale)}
                        <span class="parley-delivery">{status}</span>
                    </div>
                    {failure}
                </div>
            })
        }
        EntryKind::Agent(message) => {
            let bot = message.originating_entity == Some(OriginatingEntity::Bot);
            let kind = if bot { "bot" } else { "agent" };
            let deployment = use_context::<ChatState>().map(|state| state.window_config);
            // The deployment's humanize settings give a bot its name and face (the admin's
            // choice wins over the wire's nickname, which bots rarely carry).
            let humanize = move || {
                deployment
                    .filter(|_| bot)
                    .and_then(|config| config.with(|c| c.humanize.clone()))
            };
            let wire_name = message.nickname.clone();
            let name = move || {
                humanize()
                    .and_then(|h| h.bot_name)
                    .or_else(|| wire_name.clone())
                    .unwrap_or_else(|| window.t(Key::Agent).to_owned())
            };
            let avatar = {
                let name = name.clone();
                move || humanize().map(|h| view! { <BotAvatar name=name() url=h.bot_avatar_url/> })
            };
            let markdown = deployment;
            let text = message.text.clone().filter(|t| !t.is_empty()).map(|text| {
                move || {
                    let text = text.clone();
                    if markdown.is_some_and(|config| config.with(|c| c.markdown)) {
                        Either::Left(view! { <Markdown text=text/> })
                    } else {
                        Either::Right(view! { <RichText text=text/> })
                    }
                }
            });
            EitherOf3::B(view! {
                <div class="parley-entry parley-entry-agent" data-parley-entry="" data-kind=kind data-key=entry_key.clone()>
                    <div class="parley-meta">
                        {avatar}
                        <span class="parley-sender" data-parley-sender="">{name}</span>
                        {time_of(view, locale)}
                    </div>
                    <div class="parley-bubble">
                        {text}
                        <ContentList content=message.content.clone() message_id=message.message_id.clone()/>
                    </div>
                </div>
            })
        }
        EntryKind::Notice(notice) => EitherOf3::C(view! {
            <div class="parley-entry parley-notice" data-parley-entry="" data-kind="system" data-key=entry_key.clone()>
                <span data-parley-text="">{words::notice(&notice, locale)}</span>
                {time_of(view, locale)}
            </div>
        }),
    }
}

/// A humanized bot's face: its avatar (an `http(s)` URL the server already checked, shown as
/// an `<img>` and never as markup) or, without one or when it fails to load, its initial. The
/// name is written next to it, so the picture is decorative (`alt=""`).
#[component]
fn BotAvatar(name: String, url: Option<String>) -> impl IntoView {
    let failed = RwSignal::new(false);
    let initial = name
        .chars()
        .find(|c| c.is_alphanumeric())
        .map(String::from)
        .unwrap_or_default();
    move || match url.clone().filter(|u| is_safe_url(u) && !failed.get()) {
        Some(src) => Either::Left(view! {
            <img class="parley-bot-avatar" data-parley-bot-avatar="" src=src alt=""
                on:error=move |_| failed.set(true)/>
        }),
        None => Either::Right(view! {
            <span class="parley-bot-avatar parley-avatar-initial" data-parley-bot-avatar=""
                aria-hidden="true">{initial.clone()}</span>
        }),
    }
}

/// Why a guest message failed, and the Retry button.
#[component]
fn FailureView(reason: FailReason, client_id: Option<String>) -> impl IntoView {
    let window = expect_context::<WindowState>();
    let commands = use_context::<Commands>();
    let text = words::message_failure(&reason, window.locale);
    let retry = client_id.map(|id| {
        let discard_id = id.clone();
        view! {
            <button type="button" class="parley-retry" on:click=move |_| {
                if let Some(commands) = commands {
                    commands.send(Command::Retry(id.clone()));
                }
            }>{window.t(Key::Retry)}</button>
            <button type="button" class="parley-link-button parley-discard" on:click=move |_| {
                if let Some(commands) = commands {
                    commands.send(Command::Discard(discard_id.clone()));
                }
            }>{window.t(Key::Discard)}</button>
        }
    });
    view! {
        <div class="parley-failure">
            <span data-parley-failure="">{text}</span>
            {retry}
        </div>
    }
}
