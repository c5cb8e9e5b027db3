//! The engine's clock and randomness in the browser.

pub use crate::format::monotonic_now as now;

/// A seed for the engine's randomness, reconnect jitter and the ids it makes up
/// (`Math.random`, 53 random bits: two tabs of one conversation must not share it).
pub fn seed() -> u64 {
    (js_sys::Math::random() * 9_007_199_254_740_992.0) as u64
}
