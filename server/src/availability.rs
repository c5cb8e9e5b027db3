//! Queue availability for session grants: the estimated wait time of the configured queue
//! (PROTOCOL.md §2.4), asked server-side with the OAuth token from [`crate::oauth`].
//!
//! `GET {apiBase}/api/v2/routing/queues/{queueId}/estimatedwaittime` →
//! `results[0].estimatedWaitTimeSeconds` → `Availability::estimated_wait_seconds`. The answer is
//! cached for a short time (15 s by default) so that a burst of grants costs one platform call;
//! the cache is single-flight like the token cache. A 401 drops the token and retries once
//! with a fresh one; a 429 is honoured like the token endpoint's (no call before `Retry-After`).

use std::sync::Arc;
use std::time::{Duration, Instant};

use parley_shared::api::Availability;
use reqwest::StatusCode;
use serde::Deserialize;
use tokio::sync::Mutex;

use crate::clock::Clock;
use crate::oauth::{OAuthClient, OAuthError, describe, retry_after};

/// How long an estimated wait time is reused.
pub const DEFAULT_AVAILABILITY_TTL: Duration = Duration::from_secs(15);

/// Why availability could not be determined.
#[derive(Debug, Clone, thiserror::Error)]
pub enum AvailabilityError {
    /// No access token.
    #[error("OAuth: {0}")]
    OAuth(#[from] OAuthError),
    /// The routing API could not be reached.
    #[error("routing API unreachable: {0}")]
    Unreachable(String),
    /// The routing API rate-limited us.
    #[error("routing API rate-limited us; retry in {retry_after:?}")]
    RateLimited {
        /// Time left until the API may be asked again.
        retry_after: Duration,
    },
    /// The routing API answered with an error status.
    #[error("routing API answered HTTP {0}")]
    Status(u16),
    /// The routing API answered a body we cannot read.
    #[error("routing API answered an unreadable body")]
    BadResponse,
}

impl AvailabilityError {
    /// When the client may usefully retry, if upstream said so.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::OAuth(OAuthError::RateLimited { retry_after })
            | Self::RateLimited { retry_after } => Some(*retry_after),
            _ => None,
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct EstimatedWaitTime {
    #[serde(default)]
    results: Vec<Prediction>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Prediction {
    estimated_wait_time_seconds: Option<u32>,
}

#[derive(Default)]
struct CacheState {
    value: Option<(Availability, Instant)>,
    blocked_until: Option<Instant>,
}

/// Cached estimated-wait-time lookups for one queue.
pub struct AvailabilityClient {
    http: reqwest::Client,
    url: String,
    oauth: Arc<OAuthClient>,
    ttl: Duration,
    clock: Clock,
    cache: Mutex<CacheState>,
}

impl AvailabilityClient {
    /// A client for `queue_id` on the platform API at `api_base` (no trailing slash).
    pub fn new(
        http: reqwest::Client,
        api_base: &str,
        queue_id: &str,
        oauth: Arc<OAuthClient>,
        ttl: Duration,
        clock: Clock,
    ) -> Self {
        Self {
            http,
            url: format!("{api_base}/api/v2/routing/queues/{queue_id}/estimatedwaittime"),
            oauth,
            ttl,
            clock,
            cache: Mutex::new(CacheState::default()),
        }
    }

    /// The queue's availability, from the cache when fresh.
    pub async fn current(&self) -> Result<Availability, AvailabilityError> {
        let mut cache = self.cache.lock().await;
        let now = self.clock.now();
        if let Some((value, fetched_at)) = &cache.value
            && now < *fetched_at + self.ttl
        {
            return Ok(value.clone());
        }
        if let Some(until) = cache.blocked_until
            && now < until
        {
            return Err(AvailabilityError::RateLimited {
                retry_after: until - now,
            });
        }
        match self.fetch().await {
            Ok(value) => {
                cache.value = Some((value.clone(), self.clock.now()));
                cache.blocked_until = None;
                Ok(value)
            }
            Err(error) => {
                if let AvailabilityError::RateLimited { retry_after } = &error {
                    cache.blocked_until = Some(self.clock.now() + *retry_after);
                }
                Err(error)
            }
        }
    }

    async fn fetch(&self) -> Result<Availability, AvailabilityError> {
        let mut retried_unauthorized = false;
        loop {
            let token = self.oauth.access_token().await?;
            let response = self
                .http
                .get(&self.url)
                .bearer_auth(token.expose())
                .send()
                .await
                .map_err(|error| AvailabilityError::Unreachable(describe(&error)))?;
            match response.status() {
                status if status.is_success() => {
                    let body: EstimatedWaitTime = response
                        .json()
                        .await
                        .map_err(|_| AvailabilityError::BadResponse)?;
                    return Ok(Availability {
                        estimated_wait_seconds: body
                            .results
                            .first()
                            .and_then(|prediction| prediction.estimated_wait_time_seconds),
                    });
                }
                StatusCode::UNAUTHORIZED if !retried_unauthorized => {
                    retried_unauthorized = true;
                    self.oauth.invalidate(&token).await;
                }
                StatusCode::TOO_MANY_REQUESTS => {
                    return Err(AvailabilityError::RateLimited {
                        retry_after: retry_after(response.headers()),
                    });
                }
                status => return Err(AvailabilityError::Status(status.as_u16())),
            }
        }
    }
}
