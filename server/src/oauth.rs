//! Server-side OAuth client-credentials token cache (PROTOCOL.md §2.1–2.3).
//!
//! Only the server ever holds the client secret: it asks `login.<domain>/oauth/token` (in
//! emulator mode, this server's own `/oauth/token`) for an access token with HTTP Basic auth and
//! `grant_type=client_credentials`, and uses the token for server-side platform calls (today:
//! the queue's estimated wait time, see [`crate::availability`]). Neither the secret nor the
//! token is ever put in a response or a log line; both travel as [`Secret`].
//!
//! Behaviour callers may rely on:
//! - **Cached** until 60 s before `expires_in` runs out, read from an injectable [`Clock`].
//! - **Single flight** ([`SingleFlight`]): N concurrent callers with a stale cache cause one
//!   refresh, and every one of them gets that refresh's answer (token or error). No lock is
//!   held across the upstream call.
//! - **429** from the token endpoint: no request is sent again before its `Retry-After` has
//!   passed; callers in that window fail at once with [`OAuthError::RateLimited`] instead of
//!   hanging a browser's request.
//! - **5xx / network errors / timeouts** are retried with exponential back-off for a bounded
//!   number of attempts ([`RetryPolicy`]), then reported as [`OAuthError::Unreachable`]; any
//!   failed refresh is remembered for [`FAILURE_REUSE`], so a sick token endpoint sees one
//!   refresh every few seconds, not one per grant.

use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, HeaderMap, RETRY_AFTER};
use serde::Deserialize;

use crate::clock::Clock;
use crate::secret::Secret;
use crate::single_flight::{CachedError, Fetched, SingleFlight};

/// How long before the token's expiry it is treated as stale.
pub const EXPIRY_MARGIN: Duration = Duration::from_secs(60);

/// How long a failed refresh (other than a 429, which says its own wait) is answered from the
/// cache before the token endpoint is asked again.
pub const FAILURE_REUSE: Duration = Duration::from_secs(5);

/// Wait assumed when a 429 carries no usable `Retry-After`.
const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(5);

/// The OAuth client's identity. The secret is redacted in `Debug`.
#[derive(Clone, Debug)]
pub struct ClientCredentials {
    /// OAuth client id (not secret, but kept out of responses anyway).
    pub client_id: String,
    /// OAuth client secret.
    pub client_secret: Secret,
}

/// Retries for upstream (Genesys) calls.
#[derive(Clone, Copy, Debug)]
pub struct RetryPolicy {
    /// Total attempts for one refresh, including the first.
    pub max_attempts: u32,
    /// Wait before the second attempt; doubled for each further one.
    pub initial_backoff: Duration,
    /// Upper bound for a single wait.
    pub max_backoff: Duration,
}

impl RetryPolicy {
    /// The wait after failed attempt number `attempt` (1-based).
    pub fn backoff(&self, attempt: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempt.saturating_sub(1));
        self.initial_backoff
            .saturating_mul(factor)
            .min(self.max_backoff)
    }
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(2),
        }
    }
}

/// Why no access token could be had.
#[derive(Debug, Clone, thiserror::Error)]
pub enum OAuthError {
    /// The token endpoint answered 429; nothing is sent again before `retry_after` has passed.
    #[error("token endpoint rate-limited us; retry in {retry_after:?}")]
    RateLimited {
        /// Time left until the endpoint may be asked again.
        retry_after: Duration,
    },
    /// 5xx, connection failure or timeout on every attempt.
    #[error("token endpoint unreachable after {attempts} attempts: {last_error}")]
    Unreachable {
        /// Attempts made.
        attempts: u32,
        /// The last failure (status or transport error; never a header or body).
        last_error: String,
    },
    /// The endpoint refused the request (e.g. 400/401: wrong credentials). Not retried.
    #[error("token endpoint refused the client credentials (HTTP {0})")]
    Rejected(u16),
    /// A 2xx whose body is not a token response.
    #[error("token endpoint answered with an unreadable token response")]
    BadResponse,
}

impl OAuthError {
    /// How long this failure is answered from the cache.
    fn reuse_for(&self) -> Duration {
        match self {
            Self::RateLimited { retry_after } => *retry_after,
            _ => FAILURE_REUSE,
        }
    }
}

impl CachedError for OAuthError {
    fn with_time_left(&self, left: Duration) -> Self {
        match self {
            Self::RateLimited { .. } => Self::RateLimited { retry_after: left },
            other => other.clone(),
        }
    }
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    expires_in: u64,
}

/// A cached, single-flight client-credentials token source. Share it behind an `Arc`.
pub struct OAuthClient {
    http: reqwest::Client,
    token_url: String,
    credentials: ClientCredentials,
    policy: RetryPolicy,
    cache: SingleFlight<Secret, OAuthError>,
}

impl OAuthClient {
    /// A client for `token_url` (e.g. `https://login.mypurecloud.com/oauth/token`). `http`
    /// should carry a request timeout; timeouts count as retryable failures.
    pub fn new(
        http: reqwest::Client,
        token_url: String,
        credentials: ClientCredentials,
        policy: RetryPolicy,
        clock: Clock,
    ) -> Self {
        Self {
            http,
            token_url,
            credentials,
            policy,
            cache: SingleFlight::new(clock),
        }
    }

    /// A valid access token: the cached one, or the answer of the one refresh in flight.
    pub async fn access_token(&self) -> Result<Secret, OAuthError> {
        self.cache
            .get(|| async {
                match self.fetch().await {
                    Ok(fresh) => Fetched {
                        reuse_for: Duration::from_secs(fresh.expires_in)
                            .saturating_sub(EXPIRY_MARGIN),
                        result: Ok(Secret::new(fresh.access_token)),
                    },
                    Err(error) => Fetched {
                        reuse_for: error.reuse_for(),
                        result: Err(error),
                    },
                }
            })
            .await
    }

    /// Drops `token` from the cache (after the platform answered 401 to it), so the next
    /// caller fetches a new one. A newer token cached meanwhile is kept.
    pub fn invalidate(&self, token: &Secret) {
        self.cache.invalidate_if(|cached| cached == token);
    }

    async fn fetch(&self) -> Result<TokenResponse, OAuthError> {
        let mut last_error = String::new();
        for attempt in 1..=self.policy.max_attempts {
            let sent = self
                .http
                .post(&self.token_url)
                .basic_auth(
                    &self.credentials.client_id,
                    Some(self.credentials.client_secret.expose()),
                )
                .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body("grant_type=client_credentials")
                .send()
                .await;
            match sent {
                Ok(response) if response.status().is_success() => {
                    return response
                        .json::<TokenResponse>()
                        .await
                        .map_err(|_| OAuthError::BadResponse);
                }
                Ok(response) if response.status() == StatusCode::TOO_MANY_REQUESTS => {
                    return Err(OAuthError::RateLimited {
                        retry_after: retry_after(response.headers()),
                    });
                }
                Ok(response) if response.status().is_server_error() => {
                    last_error = format!("HTTP {}", response.status().as_u16());
                }
                Ok(response) => return Err(OAuthError::Rejected(response.status().as_u16())),
                Err(error) => last_error = describe(&error),
            }
            tracing::debug!(attempt, %last_error, "token request failed");
            if attempt < self.policy.max_attempts {
                tokio::time::sleep(self.policy.backoff(attempt)).await;
            }
        }
        Err(OAuthError::Unreachable {
            attempts: self.policy.max_attempts,
            last_error,
        })
    }
}

/// A transport error with its causes (`error sending request: … Connection refused`). reqwest
/// errors name the URL and the failure kind, never headers or bodies.
pub fn describe(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// `Retry-After` in seconds (the form Genesys uses), or a default when absent or unreadable.
pub fn retry_after(headers: &HeaderMap) -> Duration {
    headers
        .get(RETRY_AFTER)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().parse::<u64>().ok())
        .map(Duration::from_secs)
        .unwrap_or(DEFAULT_RETRY_AFTER)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        let policy = RetryPolicy {
            max_attempts: 5,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(350),
        };
        assert_eq!(policy.backoff(1), Duration::from_millis(100));
        assert_eq!(policy.backoff(2), Duration::from_millis(200));
        assert_eq!(policy.backoff(3), Duration::from_millis(350));
        assert_eq!(policy.backoff(40), Duration::from_millis(350));
    }

    #[test]
    fn retry_after_reads_seconds_and_defaults_when_unreadable() {
        let mut headers = HeaderMap::new();
        assert_eq!(retry_after(&headers), DEFAULT_RETRY_AFTER);
        headers.insert(RETRY_AFTER, "7".parse().unwrap());
        assert_eq!(retry_after(&headers), Duration::from_secs(7));
        headers.insert(RETRY_AFTER, "soon".parse().unwrap());
        assert_eq!(retry_after(&headers), DEFAULT_RETRY_AFTER);
    }
}
