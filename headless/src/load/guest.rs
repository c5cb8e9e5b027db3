//! One load guest: a full engine session (grant, socket, `configureSession`) that joins at its
//! slot in the ramp, sends a numbered message every `interval` until sending stops, and times
//! each message from the send command to its echo and to the next bot reply. Whatever is still
//! unechoed when the drain ends counts as lost; copies the server holds twice (read from the
//! emulator's transcript at the end) count as duplicated.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use tokio::time::{Instant, sleep_until};

use super::stats::Stats;
use crate::driver::{self, Command, GuestConfig};
use crate::events::{ConnectionState, DeliveryState, ErrorKind, GuestEvent};

/// When a guest does what.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    /// Its number (for message texts).
    pub index: usize,
    /// When it joins.
    pub join_at: Instant,
    /// The delay before its first message once connected (spreads sends over the interval).
    pub first_send_after: Duration,
    /// Between two messages.
    pub interval: Duration,
    /// No messages are sent from then on.
    pub stop_sending_at: Instant,
    /// It leaves then, whatever is still outstanding.
    pub leave_at: Instant,
    /// How long it may take to become ready.
    pub ready_timeout: Duration,
}

/// Runs one guest to the end of its plan, recording into `stats`.
pub async fn run(plan: Plan, config: GuestConfig, stats: Arc<Stats>) {
    sleep_until(plan.join_at).await;
    let joined = Instant::now();
    let control_base = config.grants.control_base().to_owned();
    let http = config.http.clone();
    let mut config = config;
    config.report_token = true;
    let (mut guest, task) = driver::spawn(config);
    let mut token = None;
    let ready_by = (joined + plan.ready_timeout).min(plan.leave_at);
    let ready = loop {
        let event = tokio::select! {
            event = guest.events.recv() => event,
            () = sleep_until(ready_by) => {
                stats.error("ready_timeout");
                break false;
            }
        };
        match event {
            Some(GuestEvent::Session { token: granted }) => token = Some(granted),
            Some(GuestEvent::Connection {
                state: ConnectionState::Ready,
                ..
            }) => break true,
            Some(GuestEvent::Error {
                kind,
                message,
                fatal,
            }) => {
                stats.error(&error_kind(kind, &message));
                if fatal {
                    break false;
                }
            }
            Some(_) => {}
            None => break false,
        }
    };
    if ready {
        stats.update(|t| {
            t.connected += 1;
            t.connect.record(joined.elapsed());
        });
        converse(&plan, &mut guest, &stats).await;
        if let Some(token) = &token {
            count_duplicates(&http, &control_base, token, plan.index, &stats).await;
        }
    } else {
        stats.update(|t| t.failed += 1);
    }
    let _ = guest.commands.send(Command::Close);
    while guest.events.recv().await.is_some() {}
    let _ = task.await;
}

/// Sends on schedule and matches echoes and replies until the plan says stop.
async fn converse(plan: &Plan, guest: &mut driver::GuestHandle, stats: &Stats) {
    let mut next_send = Instant::now() + plan.first_send_after;
    let mut sequence = 0u64;
    let mut awaiting_echo: HashMap<String, Instant> = HashMap::new();
    let mut awaiting_reply: VecDeque<Instant> = VecDeque::new();
    loop {
        let sending = next_send < plan.stop_sending_at;
        if !sending && awaiting_echo.is_empty() && awaiting_reply.is_empty() {
            break;
        }
        tokio::select! {
            () = sleep_until(next_send), if sending => {
                let text = format!("load {} {}", plan.index, sequence);
                sequence += 1;
                let now = Instant::now();
                if guest.commands.send(Command::Say(text.clone())).is_err() {
                    break;
                }
                awaiting_echo.insert(text, now);
                awaiting_reply.push_back(now);
                stats.update(|t| t.messages.sent += 1);
                next_send += plan.interval;
            }
            () = sleep_until(plan.leave_at) => break,
            event = guest.events.recv() => match event {
                Some(GuestEvent::Delivery { text, state: DeliveryState::Sent, .. }) => {
                    if let Some(sent) = awaiting_echo.remove(&text) {
                        stats.update(|t| {
                            t.messages.echoed += 1;
                            t.echo.record(sent.elapsed());
                        });
                    }
                }
                Some(GuestEvent::Delivery { text, state: DeliveryState::Failed, .. }) => {
                    awaiting_echo.remove(&text);
                    stats.error("message_failed");
                    stats.update(|t| t.messages.lost += 1);
                }
                Some(GuestEvent::Message(_)) => {
                    if let Some(sent) = awaiting_reply.pop_front() {
                        stats.update(|t| {
                            t.messages.replied += 1;
                            t.reply.record(sent.elapsed());
                        });
                    }
                }
                Some(GuestEvent::Connection { state: ConnectionState::Reconnecting, .. }) => {
                    stats.error("reconnect");
                }
                Some(GuestEvent::Connection { state, .. }) if state.is_over() => {
                    stats.error(&format!("conversation_{state}"));
                    break;
                }
                Some(GuestEvent::Error { kind, message, fatal }) => {
                    stats.error(&error_kind(kind, &message));
                    if fatal {
                        break;
                    }
                }
                Some(_) => {}
                None => break,
            },
        }
    }
    let lost = awaiting_echo.len();
    if lost > 0 {
        stats.update(|t| t.messages.lost += lost);
    }
}

/// Counts the extra copies of this guest's messages in the server's transcript, through the
/// emulator's `GET /emulator/sessions/{token}/transcript` (loopback only). The engine's echo
/// shows a message once however often the server got it, so only the server can say whether
/// a resend doubled one. A server that has no such endpoint (a real Genesys org) leaves the
/// guest unchecked, which the report says.
async fn count_duplicates(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    index: usize,
    stats: &Stats,
) {
    let url = format!("{base}/emulator/sessions/{token}/transcript");
    let Ok(response) = http.get(&url).send().await else {
        return;
    };
    if !response.status().is_success() {
        return;
    }
    let Ok(transcript) = response.json::<serde_json::Value>().await else {
        return;
    };
    let duplicated = duplicates_in(&transcript, index);
    stats.update(|t| {
        t.messages.transcripts_checked += 1;
        t.messages.duplicated += duplicated;
    });
}

/// Extra copies of guest `index`'s messages (`load {index} …`, sent from the guest side) in an
/// emulator transcript.
fn duplicates_in(transcript: &serde_json::Value, index: usize) -> usize {
    let prefix = format!("load {index} ");
    let mut seen = std::collections::HashSet::new();
    let messages = transcript["messages"]
        .as_array()
        .map_or(&[][..], Vec::as_slice);
    messages
        .iter()
        .filter(|message| message["direction"] == "Inbound")
        .filter_map(|message| message["text"].as_str())
        .filter(|text| text.starts_with(&prefix) && !seen.insert(*text))
        .count()
}

/// The key an error is counted under: its kind, plus the engine's words for engine errors
/// (there are few distinct ones: "heartbeat unanswered", "socket closed with code 1006" …).
fn error_kind(kind: ErrorKind, message: &str) -> String {
    if kind == ErrorKind::Engine {
        let short: String = message.chars().take(60).collect();
        format!("engine: {short}")
    } else {
        kind.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_are_extra_inbound_copies_of_this_guests_messages() {
        let transcript = serde_json::json!({"messages": [
            {"direction": "Inbound", "text": "load 3 0"},
            {"direction": "Outbound", "text": "load 3 0"},
            {"direction": "Inbound", "text": "load 3 1"},
            {"direction": "Inbound", "text": "load 3 0"},
            {"direction": "Inbound", "text": "load 3 0"},
            {"direction": "Inbound", "text": "load 31 0"},
        ]});
        assert_eq!(duplicates_in(&transcript, 3), 2);
        assert_eq!(duplicates_in(&transcript, 31), 0);
        assert_eq!(duplicates_in(&serde_json::json!({}), 3), 0);
    }
}
