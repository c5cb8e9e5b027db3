//! Values that must never reach a browser or a log line: the OAuth client secret and the OAuth
//! access token. Wrapping them makes every `{:?}` print `[redacted]`, so a stray `debug!(?config)`
//! cannot leak them; reading the value is an explicit [`Secret::expose`] at the one place that
//! needs it (the `Authorization` header of an upstream request).

use std::fmt;

/// A string whose `Debug` output is redacted. Deliberately not `Display` and not `Serialize`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a sensitive value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The raw value, for the request header that needs it and nothing else.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_never_contains_the_value() {
        let secret = Secret::new("hunter2-very-secret");
        let shown = format!("{secret:?} {:?}", Some(secret.clone()));
        assert!(!shown.contains("hunter2"));
        assert!(shown.contains("[redacted]"));
        assert_eq!(secret.expose(), "hunter2-very-secret");
    }
}
