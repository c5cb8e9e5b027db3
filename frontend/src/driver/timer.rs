//! The engine's single timer slot: arming replaces the previous deadline (dropping a gloo
//! `Timeout` cancels it).

use std::cell::RefCell;

use gloo_timers::callback::Timeout;

/// One pending callback at most.
#[derive(Default)]
pub struct TimerSlot(RefCell<Option<Timeout>>);

impl TimerSlot {
    /// Calls `fire` after `delay_ms`, cancelling whatever was armed.
    pub fn arm(&self, delay_ms: u64, fire: impl FnOnce() + 'static) {
        let delay = u32::try_from(delay_ms).unwrap_or(u32::MAX);
        self.0.replace(Some(Timeout::new(delay, fire)));
    }
}
