//! The clock the server's caches read (OAuth token, availability, grant rate limit).
//!
//! Production uses the monotonic system clock; tests hand in a [`ManualClock`] and move time
//! forward explicitly, so expiry and back-off are tested without sleeping.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A cloneable source of `Instant`s.
#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> Instant + Send + Sync>);

impl Clock {
    /// The real monotonic clock.
    pub fn system() -> Self {
        Self(Arc::new(Instant::now))
    }

    /// The current instant according to this clock.
    pub fn now(&self) -> Instant {
        (self.0)()
    }
}

impl Default for Clock {
    fn default() -> Self {
        Self::system()
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Clock")
    }
}

/// A clock that only moves when told to; for tests.
#[derive(Clone, Debug)]
pub struct ManualClock(Arc<Mutex<Instant>>);

impl ManualClock {
    /// Starts at the current real instant.
    pub fn new() -> Self {
        Self(Arc::new(Mutex::new(Instant::now())))
    }

    /// Moves the clock forward.
    pub fn advance(&self, by: Duration) {
        *self.0.lock().expect("clock lock") += by;
    }

    /// A [`Clock`] reading this manual clock.
    pub fn clock(&self) -> Clock {
        let inner = Arc::clone(&self.0);
        Clock(Arc::new(move || *inner.lock().expect("clock lock")))
    }
}

impl Default for ManualClock {
    fn default() -> Self {
        Self::new()
    }
}
