//! The engine's clock and randomness in the browser.

/// Milliseconds on `performance.now()`: monotonic, the one clock every engine call uses.
pub fn now() -> u64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
        .max(0.0) as u64
}

/// A seed for the engine's reconnect jitter (`Math.random`, 53 random bits).
pub fn seed() -> u64 {
    (js_sys::Math::random() * 9_007_199_254_740_992.0) as u64
}
