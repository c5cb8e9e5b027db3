//! Queue availability for session grants: the estimated wait time of the configured queue
//! (PROTOCOL.md §2.4), asked server-side with the OAuth token from [`crate::oauth`].
//!
//! `GET {apiBase}/api/v2/routing/queues/{queueId}/estimatedwaittime` →
//! `results[0].estimatedWaitTimeSeconds` → `Availability::estimated_wait_seconds`. The answer is
//! cached for a short time (15 s by default) so that a burst of grants costs one platform call;
//! the cache is single-flight like the token cache ([`SingleFlight`]), and a failure is
//! remembered for [`FAILURE_REUSE`] (a 429 for its `Retry-After`). A 401 drops the token and
//! retries once with a fresh one. Availability is optional in a grant: the grant route bounds
//! the wait for it and issues the grant without it when this fails.

use std::sync::Arc;
use std::time::Duration;

use parley_shared::api::Availability;
use reqwest::StatusCode;
use serde::Deserialize;

use crate::clock::Clock;
use crate::oauth::{FAILURE_REUSE, OAuthClient, OAuthError, describe, retry_after};
use crate::single_flight::{CachedError, Fetched, SingleFlight};

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

    /// How long this failure is answered from the cache.
    fn reuse_for(&self) -> Duration {
        self.retry_after().unwrap_or(FAILURE_REUSE)
    }
}

impl CachedError for AvailabilityError {
    fn with_time_left(&self, left: Duration) -> Self {
        match self {
            Self::OAuth(error) => Self::OAuth(error.with_time_left(left)),
            Self::RateLimited { .. } => Self::RateLimited { retry_after: left },
            other => other.clone(),
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

/// Cached estimated-wait-time lookups for one queue.
pub struct AvailabilityClient {
    http: reqwest::Client,
    url: String,
    oauth: Arc<OAuthClient>,
    ttl: Duration,
    cache: SingleFlight<Availability, AvailabilityError>,
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
            cache: SingleFlight::new(clock),
        }
    }

    /// The queue's availability, from the cache when fresh, else from the one lookup in flight.
    pub async fn current(&self) -> Result<Availability, AvailabilityError> {
        self.cache
            .get(|| async {
                match self.fetch().await {
                    Ok(value) => Fetched {
                        result: Ok(value),
                        reuse_for: self.ttl,
                    },
                    Err(error) => Fetched {
                        reuse_for: error.reuse_for(),
                        result: Err(error),
                    },
                }
            })
            .await
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
                    self.oauth.invalidate(&token);
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
