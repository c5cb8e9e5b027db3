//! Identifiers the emulator invents: message ids, conversation ids, attachment keys, tokens.
//!
//! In deterministic mode they come from one counter (`emu-msg-000001`, `emu-conv-000002` …) so a
//! test run always produces the same transcript; otherwise they are random 32-hex strings like
//! the platform's. Secrets (JWT signatures, OAuth tokens, download keys) are always random: a
//! predictable bearer token would be a bad habit even in a toy.

use std::sync::atomic::{AtomicU64, Ordering};

/// Hands out fresh identifiers.
#[derive(Debug)]
pub struct IdGen {
    deterministic: bool,
    counter: AtomicU64,
}

impl IdGen {
    /// A generator; `deterministic` selects counter-based ids.
    pub fn new(deterministic: bool) -> Self {
        Self {
            deterministic,
            counter: AtomicU64::new(0),
        }
    }

    /// A fresh id with a kind prefix (`msg`, `conv` …) in deterministic mode.
    pub fn next(&self, kind: &str) -> String {
        if self.deterministic {
            let n = self.counter.fetch_add(1, Ordering::Relaxed) + 1;
            format!("emu-{kind}-{n:06}")
        } else {
            uuid::Uuid::new_v4().simple().to_string()
        }
    }

    /// An unguessable value for bearer secrets, whatever the mode.
    pub fn secret(&self) -> String {
        format!(
            "{}{}",
            uuid::Uuid::new_v4().simple(),
            uuid::Uuid::new_v4().simple()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_ids_count_up() {
        let ids = IdGen::new(true);
        assert_eq!(ids.next("msg"), "emu-msg-000001");
        assert_eq!(ids.next("conv"), "emu-conv-000002");
    }

    #[test]
    fn random_ids_differ() {
        let ids = IdGen::new(false);
        assert_ne!(ids.next("msg"), ids.next("msg"));
    }
}
