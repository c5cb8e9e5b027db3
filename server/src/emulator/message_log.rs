//! A session's message log (history and transcript), kept compact: each entry is the message's
//! JSON in an exactly sized `Box<str>`, not a `StructuredMessage`.
//!
//! Why: the log is most of what a guest session costs while it lives (it is kept for the whole
//! TTL after the guest leaves, so a returning guest can resume). A `StructuredMessage` is
//! ~460 bytes inline (three `Participant`s' worth of `Option<String>`s, mostly `None`) plus a
//! heap allocation per string, and a `Vec` of them grows by doubling: a dozen entries cost ~9 KB.
//! The same dozen as JSON cost ~4 KB in one allocation each (BENCHMARKS.md, "Memory per guest").
//! Reading the log back (history pages, the control transcript) decodes the entries it returns;
//! that is rare next to recording, which happens on every message.

use std::collections::VecDeque;

use parley_shared::genesys::StructuredMessage;

/// How much one session's log may hold; the oldest entries are forgotten beyond either bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogBounds {
    /// Most entries.
    pub entries: usize,
    /// Most bytes of JSON in all: what a session costs after its guest left is bounded by
    /// this, whatever the guest sent (a full-size message is ~16 KB of JSON).
    pub bytes: usize,
}

/// The newest messages and events of one session, oldest first, within [`LogBounds`].
#[derive(Debug, Default)]
pub struct MessageLog {
    entries: VecDeque<Box<str>>,
    /// Bytes of JSON in `entries`.
    bytes: usize,
}

impl MessageLog {
    /// Appends `message`, forgetting the oldest entries beyond `bounds` (history then starts
    /// later; memory per session stays bounded). The newest entry is always kept.
    pub fn record(&mut self, message: &StructuredMessage, bounds: LogBounds) {
        let json = match serde_json::to_string(message) {
            Ok(json) => json.into_boxed_str(),
            // Serialising a `StructuredMessage` cannot fail (string keys, no custom impls that
            // error); if it ever did, the message is still delivered, only not in history.
            Err(error) => {
                tracing::error!(%error, "cannot log an emulator message");
                return;
            }
        };
        self.bytes += json.len();
        self.entries.push_back(json);
        while self.entries.len() > 1
            && (self.entries.len() > bounds.entries || self.bytes > bounds.bytes)
        {
            if let Some(oldest) = self.entries.pop_front() {
                self.bytes -= oldest.len();
            }
        }
    }

    /// How many entries the log holds.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Every entry, oldest first, decoded.
    pub fn messages(&self) -> Vec<StructuredMessage> {
        self.entries
            .iter()
            .filter_map(|json| decode(json))
            .collect()
    }

    /// `count` entries from the newest end after skipping `skip` of them, newest first, decoded
    /// (a history page).
    pub fn newest_first(&self, skip: usize, count: usize) -> Vec<StructuredMessage> {
        self.entries
            .iter()
            .rev()
            .skip(skip)
            .take(count)
            .filter_map(|json| decode(json))
            .collect()
    }
}

fn decode(json: &str) -> Option<StructuredMessage> {
    serde_json::from_str(json)
        .inspect_err(|error| tracing::error!(%error, "cannot read back a logged emulator message"))
        .ok()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use parley_shared::genesys::{
        ButtonResponse, ButtonResponseType, ChannelMetadata, Content, Direction, Event,
        MessageType, Participant, Typing, TypingType,
    };

    use super::*;
    use crate::emulator::frames;

    const ROOMY: LogBounds = LogBounds {
        entries: 1000,
        bytes: 1 << 20,
    };

    fn message(id: &str) -> StructuredMessage {
        frames::structured(
            id.to_owned(),
            MessageType::Text,
            Direction::Inbound,
            "2026-12-03T16:00:00.000Z".to_owned(),
        )
    }

    #[test]
    fn a_logged_message_reads_back_unchanged() {
        let mut rich = message("m1");
        rich.direction = Direction::Outbound;
        rich.text = Some("Hello ✓ \"quoted\"\n".to_owned());
        rich.content = vec![Content::ButtonResponse(ButtonResponse {
            text: "Yes".to_owned(),
            payload: "yes".to_owned(),
            response_type: ButtonResponseType::QuickReply,
            originating_message_id: Some("m0".to_owned()),
        })];
        rich.events = vec![Event::Typing(Typing {
            typing_type: TypingType::On,
            duration: Some(3000),
        })];
        rich.metadata = BTreeMap::from([("correlationId".to_owned(), "c-1".to_owned())]);
        rich.originating_entity = Some("Bot".to_owned());
        if let Some(channel) = rich.channel.as_mut() {
            channel.from = Some(Participant {
                nickname: Some("Parley Bot".to_owned()),
                image: Some("http://127.0.0.1/emulator/avatars/bot.svg".to_owned()),
                ..Participant::default()
            });
            channel.metadata = Some(ChannelMetadata {
                custom_attributes: BTreeMap::from([("plan".to_owned(), "gold".to_owned())]),
            });
        }
        let mut log = MessageLog::default();
        log.record(&rich, ROOMY);
        assert_eq!(log.messages(), [rich]);
    }

    #[test]
    fn the_log_keeps_the_newest_entries_and_pages_newest_first() {
        let mut log = MessageLog::default();
        for n in 0..5 {
            let bounds = LogBounds {
                entries: 3,
                ..ROOMY
            };
            log.record(&message(&format!("m{n}")), bounds);
        }
        let ids = |messages: Vec<StructuredMessage>| -> Vec<String> {
            messages.into_iter().map(|m| m.id).collect()
        };
        assert_eq!(log.len(), 3);
        assert_eq!(ids(log.messages()), ["m2", "m3", "m4"]);
        assert_eq!(ids(log.newest_first(1, 5)), ["m3", "m2"]);
    }

    #[test]
    fn the_log_forgets_the_oldest_entries_beyond_its_byte_budget() {
        let json_len = |message: &StructuredMessage| serde_json::to_string(message).unwrap().len();
        let mut big = message("big");
        big.text = Some("x".repeat(3000));
        let budget = LogBounds {
            entries: 1000,
            bytes: json_len(&message("m2")) + json_len(&big),
        };
        let mut log = MessageLog::default();
        log.record(&message("m1"), budget);
        log.record(&message("m2"), budget);
        log.record(&big, budget);
        let ids: Vec<_> = log.messages().into_iter().map(|m| m.id).collect();
        assert_eq!(ids, ["m2", "big"], "m1 went to make room, m2 still fits");
        let mut huge = message("huge");
        huge.text = Some("y".repeat(budget.bytes));
        log.record(&huge, budget);
        let ids: Vec<_> = log.messages().into_iter().map(|m| m.id).collect();
        assert_eq!(
            ids,
            ["huge"],
            "the newest is kept even when it alone is over budget"
        );
    }
}
