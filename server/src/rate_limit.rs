//! Per-client-IP rate limit for `POST /api/session`.
//!
//! Grants are cheap for Parley but each one may become a Genesys conversation, so one address
//! may ask for at most `rate_per_minute` grants a minute, with a burst of the same size. The
//! limiter is GCRA (the "generic cell rate algorithm", a token bucket kept as one timestamp per
//! client): each client has a *theoretical arrival time* (TAT); a request is allowed when the
//! TAT is no further ahead of `now` than the burst allows, and then pushes the TAT one emission
//! interval further.
//!
//! Memory stays bounded: a client whose TAT lies in the past is indistinguishable from a new
//! one, so such entries are swept away when the table reaches `max_clients`; if it is still full
//! after the sweep (more than `max_clients` addresses active within one minute), new addresses
//! are refused until entries expire, rather than letting the table grow.
//!
//! State is in memory and per process: behind several replicas each replica limits on its own.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Default bound on the number of tracked client addresses.
pub const DEFAULT_MAX_CLIENTS: usize = 100_000;

/// Grants per client IP per minute, GCRA-based. `rate_per_minute == 0` disables the limit.
#[derive(Debug)]
pub struct GrantRateLimiter {
    emission_interval: Duration,
    burst_window: Duration,
    max_clients: usize,
    enabled: bool,
    arrivals: Mutex<HashMap<IpAddr, Instant>>,
}

impl GrantRateLimiter {
    /// A limiter allowing `rate_per_minute` grants per address per minute (0 = unlimited),
    /// tracking at most `max_clients` addresses.
    pub fn new(rate_per_minute: u32, max_clients: usize) -> Self {
        let rate = rate_per_minute.max(1);
        let emission_interval = Duration::from_secs(60) / rate;
        Self {
            emission_interval,
            burst_window: emission_interval * rate,
            max_clients: max_clients.max(1),
            enabled: rate_per_minute > 0,
            arrivals: Mutex::new(HashMap::new()),
        }
    }

    /// Records a request from `client` at `now`. `Err(wait)` says how long the client must wait
    /// before it will be allowed again.
    pub fn check(&self, client: IpAddr, now: Instant) -> Result<(), Duration> {
        if !self.enabled {
            return Ok(());
        }
        let mut arrivals = self.arrivals.lock().expect("rate limiter lock");
        let tat = arrivals.get(&client).copied().unwrap_or(now).max(now);
        let new_tat = tat + self.emission_interval;
        // The earliest instant at which a request may push the TAT to `new_tat`.
        if let Some(allowed_at) = new_tat.checked_sub(self.burst_window)
            && allowed_at > now
        {
            return Err(allowed_at - now);
        }
        if !arrivals.contains_key(&client) && arrivals.len() >= self.max_clients {
            arrivals.retain(|_, tat| *tat > now);
            if arrivals.len() >= self.max_clients {
                return Err(self.emission_interval);
            }
        }
        arrivals.insert(client, new_tat);
        Ok(())
    }

    /// Number of addresses currently tracked (for tests and diagnostics).
    pub fn tracked_clients(&self) -> usize {
        self.arrivals.lock().expect("rate limiter lock").len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(last: u8) -> IpAddr {
        IpAddr::from([10, 0, 0, last])
    }

    #[test]
    fn allows_a_burst_of_the_rate_then_refuses_with_the_wait() {
        let limiter = GrantRateLimiter::new(3, 10);
        let now = Instant::now();
        for _ in 0..3 {
            assert_eq!(limiter.check(ip(1), now), Ok(()));
        }
        assert_eq!(limiter.check(ip(1), now), Err(Duration::from_secs(20)));
    }

    #[test]
    fn refills_one_grant_per_emission_interval() {
        let limiter = GrantRateLimiter::new(3, 10);
        let now = Instant::now();
        for _ in 0..3 {
            limiter.check(ip(1), now).unwrap();
        }
        assert!(limiter.check(ip(1), now + Duration::from_secs(19)).is_err());
        assert_eq!(limiter.check(ip(1), now + Duration::from_secs(20)), Ok(()));
        assert!(limiter.check(ip(1), now + Duration::from_secs(20)).is_err());
    }

    #[test]
    fn limits_each_address_separately() {
        let limiter = GrantRateLimiter::new(1, 10);
        let now = Instant::now();
        assert_eq!(limiter.check(ip(1), now), Ok(()));
        assert!(limiter.check(ip(1), now).is_err());
        assert_eq!(limiter.check(ip(2), now), Ok(()));
    }

    #[test]
    fn sweeps_expired_addresses_to_stay_bounded() {
        let limiter = GrantRateLimiter::new(60, 2);
        let now = Instant::now();
        limiter.check(ip(1), now).unwrap();
        limiter.check(ip(2), now).unwrap();
        // Both entries expire one emission interval (1 s) later.
        let later = now + Duration::from_secs(2);
        assert_eq!(limiter.check(ip(3), later), Ok(()));
        assert_eq!(limiter.tracked_clients(), 1);
    }

    #[test]
    fn refuses_new_addresses_while_the_table_is_full_of_active_ones() {
        let limiter = GrantRateLimiter::new(60, 2);
        let now = Instant::now();
        limiter.check(ip(1), now).unwrap();
        limiter.check(ip(2), now).unwrap();
        assert!(limiter.check(ip(3), now).is_err());
        assert_eq!(limiter.tracked_clients(), 2);
    }

    #[test]
    fn zero_rate_disables_the_limit() {
        let limiter = GrantRateLimiter::new(0, 1);
        let now = Instant::now();
        for last in 0..50 {
            assert_eq!(limiter.check(ip(last), now), Ok(()));
        }
        assert_eq!(limiter.tracked_clients(), 0);
    }
}
