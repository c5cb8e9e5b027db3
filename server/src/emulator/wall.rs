//! Server time as Genesys stamps it on messages: RFC 3339 UTC with milliseconds
//! (`2024-01-01T10:00:00.000Z`), plus epoch seconds for `expirationDate` and JWT `exp`.
//!
//! The emulator never hands out the same millisecond twice: clients order the transcript by
//! `channel.time` (Genesys guarantees no delivery order), so two messages created in the same
//! millisecond would make that order ambiguous. Expiry timers use tokio's clock instead (see
//! `session`), so tests can pause it.

use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

/// A strictly increasing wall clock in milliseconds since the Unix epoch.
#[derive(Debug, Default)]
pub struct WallClock {
    last_ms: Mutex<u64>,
}

impl WallClock {
    /// The current time in epoch milliseconds, bumped past the previous reading if needed.
    pub fn now_ms(&self) -> u64 {
        let system = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|elapsed| u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX))
            .unwrap_or(0);
        let mut last = self
            .last_ms
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        let now = system.max(last.saturating_add(1));
        *last = now;
        now
    }

    /// The current time as RFC 3339 with milliseconds.
    pub fn now_rfc3339(&self) -> String {
        rfc3339_millis(self.now_ms())
    }
}

/// Formats epoch milliseconds as `YYYY-MM-DDTHH:MM:SS.mmmZ`.
pub fn rfc3339_millis(epoch_ms: u64) -> String {
    let millis = epoch_ms % 1000;
    let secs = epoch_ms / 1000;
    let (days, secs_of_day) = (secs / 86_400, secs % 86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        secs_of_day / 3600,
        secs_of_day % 3600 / 60,
        secs_of_day % 60
    )
}

/// Days since 1970-01-01 → (year, month, day) in the proleptic Gregorian calendar
/// (Howard Hinnant's `civil_from_days`, restricted to dates after the epoch).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let day_of_era = z % 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = year_of_era + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(rfc3339_millis(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(
            rfc3339_millis(1_661_196_266_704),
            "2022-08-22T19:24:26.704Z"
        );
        assert_eq!(
            rfc3339_millis(1_709_164_800_001),
            "2024-02-29T00:00:00.001Z"
        );
    }

    #[test]
    fn never_repeats_a_millisecond() {
        let clock = WallClock::default();
        let first = clock.now_ms();
        let second = clock.now_ms();
        assert!(second > first);
    }
}
