//! The engine's single timer slot: arming replaces the previous deadline (dropping a gloo
//! `Timeout` cancels it).

use std::cell::RefCell;

use gloo_timers::callback::Timeout;

/// The longest delay a browser timer honours: `setTimeout` treats anything above 2^31 − 1 ms
/// as 0 and fires at once, which would turn a far deadline (a huge `retryAfter`) into a busy
/// loop. A clamped timer fires early, which the engine tolerates (it re-arms).
const MAX_DELAY_MS: u32 = i32::MAX as u32;

/// One pending callback at most.
#[derive(Default)]
pub struct TimerSlot(RefCell<Option<Timeout>>);

impl TimerSlot {
    /// Calls `fire` after `delay_ms`, cancelling whatever was armed.
    pub fn arm(&self, delay_ms: u64, fire: impl FnOnce() + 'static) {
        let delay = u32::try_from(delay_ms).map_or(MAX_DELAY_MS, |ms| ms.min(MAX_DELAY_MS));
        self.0.replace(Some(Timeout::new(delay, fire)));
    }
}
