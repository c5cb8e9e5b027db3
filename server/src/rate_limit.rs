//! Per-client-IP rate limit for `POST /api/session`.
//!
//! Grants are cheap for Parley but each one may become a Genesys conversation, so one address
//! may ask for at most `rate_per_minute` grants a minute, with a burst of the same size. The
//! limiter is GCRA (the "generic cell rate algorithm", a token bucket kept as one timestamp per
//! client): each client has a *theoretical arrival time* (TAT); a request is allowed when the
//! TAT is no further ahead of `now` than the burst allows, and then pushes the TAT one emission
//! interval further.
//!
//! Clients are keyed by [`client_key`]: an IPv6 address by its /64 (one subscriber line or
//! host usually owns a whole /64, so keying on the full address would hand it 2^64 buckets),
//! an IPv4-mapped IPv6 address as the IPv4 address it is.
//!
//! Memory stays bounded at `max_clients` entries. When the table is full a new client evicts
//! an old one: the oldest entries are looked at in insertion order, a few at a time (bounded
//! work under the lock, never a sweep of the whole table); the first expired one goes (a client
//! whose TAT lies in the past is indistinguishable from a new one), active ones are moved to
//! the back, and if none of those few has expired the oldest goes anyway. Under a flood of
//! distinct addresses this forgets some clients' history (they get a fresh burst) instead of
//! refusing every new visitor.
//!
//! State is in memory and per process: behind several replicas each replica limits on its own.

use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, Ipv6Addr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Default bound on the number of tracked client addresses.
pub const DEFAULT_MAX_CLIENTS: usize = 100_000;

/// How many of the oldest entries one insertion into a full table looks at for an expired one.
const EVICTION_PROBES: usize = 8;

/// The bucket a client address counts against: IPv4 as is, IPv4-mapped IPv6 as its IPv4
/// address, other IPv6 by its /64 prefix.
pub fn client_key(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => {
            let prefix = u128::from(v6) & !((1u128 << 64) - 1);
            IpAddr::V6(Ipv6Addr::from(prefix))
        }
    }
}

#[derive(Debug, Default)]
struct Table {
    arrivals: HashMap<IpAddr, Instant>,
    /// The tracked keys, oldest first (each key exactly once).
    order: VecDeque<IpAddr>,
}

impl Table {
    /// Makes room for one more entry by evicting as described in the module docs.
    fn evict_one(&mut self, now: Instant) {
        for _ in 0..EVICTION_PROBES.min(self.order.len()) {
            let Some(oldest) = self.order.pop_front() else {
                return;
            };
            if self.arrivals.get(&oldest).is_none_or(|tat| *tat <= now) {
                self.arrivals.remove(&oldest);
                return;
            }
            self.order.push_back(oldest);
        }
        if let Some(oldest) = self.order.pop_front() {
            self.arrivals.remove(&oldest);
        }
    }
}

/// Grants per client IP per minute, GCRA-based. `rate_per_minute == 0` disables the limit.
#[derive(Debug)]
pub struct GrantRateLimiter {
    emission_interval: Duration,
    burst_window: Duration,
    max_clients: usize,
    enabled: bool,
    table: Mutex<Table>,
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
            table: Mutex::new(Table::default()),
        }
    }

    /// Records a request from `client` (keyed by [`client_key`]) at `now`. `Err(wait)` says how
    /// long the client must wait before it will be allowed again.
    pub fn check(&self, client: IpAddr, now: Instant) -> Result<(), Duration> {
        if !self.enabled {
            return Ok(());
        }
        let client = client_key(client);
        let mut table = self
            .table
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let tat = table.arrivals.get(&client).copied().unwrap_or(now).max(now);
        let new_tat = tat.checked_add(self.emission_interval).unwrap_or(tat);
        // The earliest instant at which a request may push the TAT to `new_tat`.
        if let Some(allowed_at) = new_tat.checked_sub(self.burst_window)
            && allowed_at > now
        {
            return Err(allowed_at - now);
        }
        if !table.arrivals.contains_key(&client) {
            while table.arrivals.len() >= self.max_clients {
                table.evict_one(now);
            }
            table.order.push_back(client);
        }
        table.arrivals.insert(client, new_tat);
        Ok(())
    }

    /// Number of addresses currently tracked (for tests and diagnostics).
    pub fn tracked_clients(&self) -> usize {
        self.table
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .arrivals
            .len()
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
    fn evicts_an_expired_address_to_stay_bounded() {
        let limiter = GrantRateLimiter::new(60, 2);
        let now = Instant::now();
        limiter.check(ip(1), now).unwrap();
        limiter.check(ip(2), now + Duration::from_secs(5)).unwrap();
        // ip(1) expired (its TAT was now + 1 s); ip(2) is still active at now + 5.5 s.
        let later = now + Duration::from_millis(5500);
        assert_eq!(limiter.check(ip(3), later), Ok(()));
        assert_eq!(limiter.tracked_clients(), 2);
        assert!(
            limiter.check(ip(2), later).is_ok(),
            "ip(2) kept its entry: its burst of 60 is not used up"
        );
    }

    #[test]
    fn a_full_table_of_active_addresses_evicts_instead_of_refusing_newcomers() {
        let limiter = GrantRateLimiter::new(1, 2);
        let now = Instant::now();
        limiter.check(ip(1), now).unwrap();
        limiter.check(ip(2), now).unwrap();
        assert_eq!(limiter.check(ip(3), now), Ok(()));
        assert_eq!(limiter.tracked_clients(), 2);
        assert!(
            limiter.check(ip(3), now).is_err(),
            "the newcomer is tracked"
        );
    }

    #[test]
    fn one_ipv6_slash_64_shares_a_bucket() {
        let limiter = GrantRateLimiter::new(1, 10);
        let now = Instant::now();
        let first: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let same_64: IpAddr = "2001:db8:1:2:ffff:eeee:dddd:cccc".parse().unwrap();
        let other_64: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(limiter.check(first, now), Ok(()));
        assert!(limiter.check(same_64, now).is_err());
        assert_eq!(limiter.check(other_64, now), Ok(()));
    }

    #[test]
    fn an_ipv4_mapped_address_is_its_ipv4_address() {
        let limiter = GrantRateLimiter::new(1, 10);
        let now = Instant::now();
        assert_eq!(limiter.check(ip(7), now), Ok(()));
        let mapped: IpAddr = "::ffff:10.0.0.7".parse().unwrap();
        assert!(limiter.check(mapped, now).is_err());
        assert_eq!(client_key(mapped), ip(7));
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
