//! The ids the engine makes up: client message ids (each guest message's `tracingId` and
//! `metadata` key), the tracingIds of its other requests, and attachment ids.
//!
//! They are drawn from a generator seeded by [`super::EngineConfig::seed`], like the reconnect
//! jitter (but from its own stream, so drawing an id never shifts a jitter delay): the same seed
//! and the same inputs give the same effects, ids included, which is what lets a test (or a
//! replayed bug report) compare runs byte for byte. They are formatted as UUID v4 because
//! Genesys accepts any string up to 100 characters as a tracingId and UUIDs are what its own
//! clients send.
//!
//! None of these ids is a secret (tokens come from the server; an attachment is only reachable
//! through its presigned URL). They must only be *unique* among the clients of one session: two
//! tabs of the same conversation must not draw the same client id, so a driver seeds each engine
//! with real randomness (`crypto.getRandomValues`, `Math.random`, a UUID), never a constant.

use super::jitter::Jitter;

/// Mixed into the seed so that ids and jitter use unrelated streams of the same seed.
const STREAM: u64 = 0x1d5_1d5_1d5_1d5;

/// A seeded source of UUID-formatted ids.
#[derive(Debug, Clone)]
pub(super) struct Ids {
    random: Jitter,
}

impl Ids {
    /// Ids drawn from `seed`.
    pub(super) fn new(seed: u64) -> Self {
        Self {
            random: Jitter::new(seed ^ STREAM),
        }
    }

    /// The next id, as a UUID v4 string.
    pub(super) fn next_id(&mut self) -> String {
        let high = self.random.next_u64().to_be_bytes();
        let low = self.random.next_u64().to_be_bytes();
        let mut bytes = [0; 16];
        bytes[..8].copy_from_slice(&high);
        bytes[8..].copy_from_slice(&low);
        uuid::Builder::from_random_bytes(bytes)
            .into_uuid()
            .to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_ids_and_ids_are_uuid_v4() {
        let mut a = Ids::new(5);
        let mut b = Ids::new(5);
        let mut other = Ids::new(6);
        for _ in 0..20 {
            let id = a.next_id();
            assert_eq!(id, b.next_id());
            assert_ne!(id, other.next_id());
            let parsed = uuid::Uuid::parse_str(&id).expect("a UUID");
            assert_eq!(parsed.get_version_num(), 4);
        }
    }

    #[test]
    fn ids_do_not_repeat() {
        let mut ids = Ids::new(0);
        let drawn: std::collections::BTreeSet<String> = (0..1_000).map(|_| ids.next_id()).collect();
        assert_eq!(drawn.len(), 1_000);
    }
}
