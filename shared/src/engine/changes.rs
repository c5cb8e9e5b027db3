//! What changed in the transcript since a UI last asked: typed entry changes, so a UI with a
//! long transcript updates one row instead of re-reading every entry.
//!
//! The snapshot ([`super::Engine::transcript`]) stays the truth; the change log is a shortcut a
//! UI may take. It is off until the first [`super::Engine::take_entry_changes`], which answers
//! [`EntryChange::Reset`] ("read the snapshot"), so a driver that never asks (the headless load
//! generator, the tests) pays nothing for it. It is bounded: past [`MAX_CHANGES`] changes
//! between two asks, it collapses into one `Reset`, the same answer a full history page would
//! have cost anyway.

use super::transcript::Entry;

/// Changes kept between two asks before they collapse into [`EntryChange::Reset`].
pub const MAX_CHANGES: usize = 256;

/// One change to the transcript's list of entries, in the order they happened. Indices are
/// positions in the list as it was right after the previous change, so a UI applying the
/// changes in order to a copy of the list ends with the engine's list.
#[derive(Debug, Clone, PartialEq)]
pub enum EntryChange {
    /// `entry` was inserted at `index` (a new message, a notice, a guest bubble).
    Inserted {
        /// Where, after the previous change.
        index: usize,
        /// The new entry.
        entry: Entry,
    },
    /// The entry at `from` was taken out and put back at `to` (counted after taking it out),
    /// possibly changed: a delivery state, an echo's server time. `from == to` when it stayed.
    Moved {
        /// Where it was.
        from: usize,
        /// Where it is now.
        to: usize,
        /// The entry as it is now (same key).
        entry: Entry,
    },
    /// The entry at `index` was removed (a discarded failed message).
    Removed {
        /// Where it was.
        index: usize,
    },
    /// Anything may have changed (the first ask, a cleared transcript, too many changes): read
    /// the whole snapshot again.
    Reset,
}

/// The log behind [`super::Engine::take_entry_changes`].
#[derive(Debug, Clone, Default)]
pub(super) struct ChangeLog {
    tracking: bool,
    changes: Vec<EntryChange>,
}

impl ChangeLog {
    /// Records `change` if a UI is listening.
    pub(super) fn record(&mut self, change: impl FnOnce() -> EntryChange) {
        if !self.tracking || matches!(self.changes.first(), Some(EntryChange::Reset)) {
            return;
        }
        if self.changes.len() >= MAX_CHANGES {
            self.reset();
        } else {
            self.changes.push(change());
        }
    }

    /// Everything changed (the transcript was cleared).
    pub(super) fn reset(&mut self) {
        if self.tracking {
            self.changes.clear();
            self.changes.push(EntryChange::Reset);
        }
    }

    /// The changes since the last call; the first call turns the log on and answers `Reset`.
    pub(super) fn take(&mut self) -> Vec<EntryChange> {
        if !self.tracking {
            self.tracking = true;
            return vec![EntryChange::Reset];
        }
        std::mem::take(&mut self.changes)
    }
}
