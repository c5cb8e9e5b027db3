//! How `chat` shows events to a person: one or a few plain lines each, the sender's name before
//! each message, choices numbered. Wire text is printed as text; control characters are
//! replaced so that a message cannot move the cursor or recolour the terminal.

use std::collections::HashSet;

use parley_shared::engine::CloseReason;

use crate::events::{AgentLine, Choice, ConnectionState, DeliveryState, GuestEvent, close_reason};

/// Where a rendered line goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    /// Conversation output (stdout).
    Out(String),
    /// Problems (stderr).
    Err(String),
}

/// Renders for a person, remembering which guest messages were typed in this session: those
/// the terminal already shows, while messages first seen as delivered (history of a resumed
/// conversation, another tab) are printed as "you: …".
#[derive(Debug, Default)]
pub struct Human {
    typed_here: HashSet<String>,
}

impl Human {
    /// The lines for `event`.
    pub fn lines(&mut self, event: &GuestEvent) -> Vec<Line> {
        match event {
            GuestEvent::Delivery {
                id,
                state: DeliveryState::Queued | DeliveryState::Sending,
                ..
            } => {
                self.typed_here.insert(id.clone());
                Vec::new()
            }
            GuestEvent::Delivery {
                id,
                text,
                state: DeliveryState::Sent,
                ..
            } if !self.typed_here.contains(id) => {
                self.typed_here.insert(id.clone());
                vec![Line::Out(format!("you: {}", clean(text)))]
            }
            _ => human(event),
        }
    }
}

/// The lines a person sees for `event` (none for uninteresting ones).
pub fn human(event: &GuestEvent) -> Vec<Line> {
    match event {
        GuestEvent::Connection {
            state,
            attempt,
            reason,
        } => connection(*state, *attempt, reason.as_ref())
            .map(|text| vec![Line::Out(format!("· {}", clean(&text)))])
            .unwrap_or_default(),
        GuestEvent::Message(message) => message_lines(message),
        GuestEvent::Typing { from, typing: true } => {
            vec![Line::Out(format!("{} is typing…", clean(from)))]
        }
        GuestEvent::Typing { .. } => Vec::new(),
        GuestEvent::QuickReplies { replies, .. } => {
            let choices: Vec<String> = replies.iter().map(choice_label).collect();
            vec![Line::Out(format!(
                "  {}   (type a number to choose)",
                choices.join("  ")
            ))]
        }
        GuestEvent::Delivery {
            text,
            state: DeliveryState::Failed,
            reason,
            ..
        } => vec![Line::Err(format!(
            "! not delivered: \"{}\" ({})",
            clean(text),
            clean(reason.as_deref().unwrap_or("failed"))
        ))],
        GuestEvent::Delivery { .. } => Vec::new(),
        GuestEvent::Notice { text } => vec![Line::Out(format!("· {}", clean(text)))],
        GuestEvent::Session { token } => vec![Line::Err(format!(
            "· session token (secret; resume with --resume): {token}"
        ))],
        GuestEvent::Error { message, .. } => vec![Line::Err(format!("! {}", clean(message)))],
    }
}

fn connection(
    state: ConnectionState,
    attempt: Option<u32>,
    reason: Option<&CloseReason>,
) -> Option<String> {
    Some(match state {
        ConnectionState::RequestingSession => "requesting a session…".to_owned(),
        ConnectionState::Connecting => "connecting…".to_owned(),
        ConnectionState::Ready => "connected (type a message, Ctrl-D to leave)".to_owned(),
        ConnectionState::Reconnecting => format!(
            "connection lost; reconnecting (attempt {})…",
            attempt.unwrap_or(1)
        ),
        ConnectionState::Ended => "type /new to start a new chat, or Ctrl-D to leave".to_owned(),
        ConnectionState::Expired => "the session expired; type /new to start a new chat".to_owned(),
        ConnectionState::Closed => match reason {
            // The guest left themselves, and a grant failure was already printed as an error.
            None | Some(CloseReason::GuestLeft | CloseReason::NoSession(_)) => return None,
            Some(reason) => format!("closed: {}", close_reason(reason)),
        },
        ConnectionState::Idle | ConnectionState::Configuring => return None,
    })
}

fn message_lines(message: &AgentLine) -> Vec<Line> {
    let mut lines = Vec::new();
    let text = clean(&message.text);
    let mut text_lines = text.lines();
    let first = text_lines.next().unwrap_or("");
    lines.push(Line::Out(format!("{}: {first}", clean(&message.from))));
    for more in text_lines {
        lines.push(Line::Out(format!("  {more}")));
    }
    for card in &message.cards {
        lines.push(Line::Out(format!("  ┌ {}", clean(&card.title))));
        if let Some(description) = &card.description {
            lines.push(Line::Out(format!("  │ {}", clean(description))));
        }
        for button in &card.buttons {
            lines.push(Line::Out(format!("  │ {}", choice_label(button))));
        }
    }
    lines
}

fn choice_label(choice: &Choice) -> String {
    match (choice.n, &choice.url) {
        (Some(n), _) => format!("[{n}] {}", clean(&choice.text)),
        (None, Some(url)) => format!("[→] {} <{}>", clean(&choice.text), clean(url)),
        (None, None) => format!("[ ] {}", clean(&choice.text)),
    }
}

/// Replaces control characters (escape sequences included) except newlines and tabs.
fn clean(text: &str) -> String {
    crate::terminal::printable(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::{ChoiceKind, Role};

    #[test]
    fn only_messages_not_typed_here_are_echoed_as_you() {
        let delivery = |id: &str, state| GuestEvent::Delivery {
            id: id.into(),
            text: "hello".into(),
            state,
            reason: None,
        };
        let mut human = Human::default();
        assert!(
            human
                .lines(&delivery("typed", DeliveryState::Queued))
                .is_empty()
        );
        assert!(
            human
                .lines(&delivery("typed", DeliveryState::Sent))
                .is_empty()
        );
        assert_eq!(
            human.lines(&delivery("from-history", DeliveryState::Sent)),
            [Line::Out("you: hello".into())]
        );
    }

    #[test]
    fn typing_names_the_sender() {
        let lines = human(&GuestEvent::Typing {
            from: "Parley Bot".into(),
            typing: true,
        });
        assert_eq!(lines, [Line::Out("Parley Bot is typing…".into())]);
    }

    #[test]
    fn escape_sequences_in_wire_text_are_neutralised() {
        let lines = human(&GuestEvent::Message(AgentLine {
            id: "m".into(),
            from: "Bot".into(),
            role: Role::Bot,
            text: "hi \u{1b}[31mred".into(),
            time: None,
            cards: Vec::new(),
        }));
        assert_eq!(lines, [Line::Out("Bot: hi �[31mred".into())]);
    }

    #[test]
    fn escape_sequences_in_names_and_reasons_are_neutralised() {
        let joined = human(&GuestEvent::Notice {
            text: "\u{1b}]0;pwned\u{7}Alex joined the conversation".into(),
        });
        assert_eq!(
            joined,
            [Line::Out("· �]0;pwned�Alex joined the conversation".into())]
        );
        let closed = human(&GuestEvent::Connection {
            state: ConnectionState::Closed,
            attempt: None,
            reason: Some(CloseReason::ClosedByServer(Some(
                "server said \u{1b}[2J".into(),
            ))),
        });
        assert_eq!(
            closed,
            [Line::Out(
                "· closed: closed by the server: server said �[2J".into()
            )]
        );
        let failed = human(&GuestEvent::Delivery {
            id: "m".into(),
            text: "hi".into(),
            state: DeliveryState::Failed,
            reason: Some("\u{1b}[31mrefused".into()),
        });
        assert_eq!(
            failed,
            [Line::Err("! not delivered: \"hi\" (�[31mrefused)".into())]
        );
    }

    #[test]
    fn a_close_the_guest_chose_or_a_failed_grant_prints_no_closed_line() {
        let closed = |reason| {
            human(&GuestEvent::Connection {
                state: ConnectionState::Closed,
                attempt: None,
                reason,
            })
        };
        assert!(closed(Some(CloseReason::GuestLeft)).is_empty());
        assert!(closed(Some(CloseReason::NoSession("refused".into()))).is_empty());
        assert_eq!(
            closed(Some(CloseReason::SignedInElsewhere)),
            [Line::Out("· closed: signed in elsewhere".into())]
        );
    }

    #[test]
    fn quick_replies_are_numbered() {
        let reply = |n: usize, text: &str| Choice {
            n: Some(n),
            text: text.into(),
            kind: ChoiceKind::QuickReply,
            payload: None,
            url: None,
        };
        let lines = human(&GuestEvent::QuickReplies {
            message_id: "m".into(),
            replies: vec![reply(1, "Billing"), reply(2, "Delivery")],
        });
        assert_eq!(
            lines,
            [Line::Out(
                "  [1] Billing  [2] Delivery   (type a number to choose)".into()
            )]
        );
    }
}
