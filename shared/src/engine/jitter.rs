//! The engine's only source of randomness: a tiny seedable PRNG used to spread reconnect
//! attempts (full jitter, see [`super::backoff`]) and, in a stream of its own, to make up ids
//! (see [`super::ids`]).
//!
//! Why not `rand`? The engine needs a handful of uniformly spread delays, not secrets, and it
//! must be deterministic under test: the driver seeds it (from `crypto.getRandomValues`, the
//! clock, anything) and tests seed it with a constant. xorshift64* (Vigna, 2016) is a few lines,
//! passes the statistical tests that matter for jitter and is **not** cryptographic; nothing
//! security-relevant may ever be drawn from it. Session tokens come from the server; the ids
//! drawn from it are not secrets, only unique.

/// A xorshift64* generator. Cheap to copy into tests; `Send` and `Sync`.
#[derive(Debug, Clone)]
pub struct Jitter {
    state: u64,
}

impl Jitter {
    /// Seeds the generator. Any seed works, zero included (it is remapped, because xorshift's
    /// all-zero state would only ever produce zeros).
    pub fn new(seed: u64) -> Self {
        // SplitMix64 finaliser: spreads similar seeds (1, 2, 3 …) into unrelated states.
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        Self {
            state: if z == 0 { 0x2545_F491_4F6C_DD1D } else { z },
        }
    }

    /// The next raw 64-bit value.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.state;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.state = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A value uniformly spread over `0..=max` (modulo bias is irrelevant at these sizes).
    pub fn up_to(&mut self, max: u64) -> u64 {
        if max == u64::MAX {
            return self.next_u64();
        }
        self.next_u64() % (max + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_gives_same_sequence() {
        let mut a = Jitter::new(7);
        let mut b = Jitter::new(7);
        for _ in 0..100 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
    }

    #[test]
    fn zero_seed_does_not_get_stuck() {
        let mut jitter = Jitter::new(0);
        let values: Vec<u64> = (0..4).map(|_| jitter.next_u64()).collect();
        assert!(values.iter().all(|&v| v != 0));
        assert_ne!(values[0], values[1]);
    }

    #[test]
    fn up_to_stays_within_bounds_and_reaches_both_ends() {
        let mut jitter = Jitter::new(42);
        let draws: Vec<u64> = (0..2_000).map(|_| jitter.up_to(10)).collect();
        assert!(draws.iter().all(|&d| d <= 10));
        assert!(draws.contains(&0));
        assert!(draws.contains(&10));
    }
}
