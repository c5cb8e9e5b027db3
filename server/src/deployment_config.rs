//! The Messenger deployment's public `config.json` (PROTOCOL.md §1.13), fetched, mapped to the
//! window's [`WindowConfig`] and cached, for session grants and `GET /api/config`.
//!
//! Data flow: a [`DocumentSource`] yields the raw document — [`HttpDocumentSource`] from
//! `https://api-cdn.<domain>/webdeployments/v1/deployments/<id>/config.json` for a real org,
//! [`EmulatorDocumentSource`] straight from the embedded emulator (the same document its
//! `config.json` route serves, overrides included) — and [`DeploymentConfigCache`] maps it with
//! [`WindowConfig::from_deployment_document`] and keeps the result.
//!
//! Rules, because a grant must never wait on or fail because of a CDN:
//! - every fetch is bounded by [`CachePolicy::timeout`];
//! - one fetch at a time (single flight): it runs as its own task, so a caller that gives up
//!   does not cancel it, and everyone who wants the answer waits for that one fetch;
//! - a good answer is kept for [`CachePolicy::ttl`]; a failure is remembered for
//!   [`CachePolicy::negative_ttl`] (no retry storm against a broken CDN) while the last good
//!   answer — or, before any, Parley's defaults — keeps being served;
//! - grants only read what is cached ([`DeploymentConfigCache::snapshot`]) and start a
//!   refresh in the background when it is stale; `GET /api/config` may wait for the one
//!   bounded fetch ([`DeploymentConfigCache::current`]).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use parley_shared::api::WindowConfig;
use serde_json::Value;
use tokio::sync::watch;

use crate::clock::Clock;
use crate::emulator::Emulator;
use crate::oauth::describe;

/// Largest `config.json` read; real documents are a few KB.
const MAX_DOCUMENT_BYTES: usize = 256 * 1024;

/// How the cache treats time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CachePolicy {
    /// Longest one fetch may take before it counts as failed.
    pub timeout: Duration,
    /// How long a fetched document is reused.
    pub ttl: Duration,
    /// How long after a failure no new fetch is tried.
    pub negative_ttl: Duration,
}

impl Default for CachePolicy {
    /// 1.5 s per fetch, documents reused for 5 minutes (an admin's change shows within that),
    /// failures retried after 30 s.
    fn default() -> Self {
        Self {
            timeout: Duration::from_millis(1500),
            ttl: Duration::from_secs(5 * 60),
            negative_ttl: Duration::from_secs(30),
        }
    }
}

/// Why the document could not be had.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    /// No answer within the policy's timeout.
    #[error("no answer within {0:?}")]
    TimedOut(Duration),
    /// The CDN could not be reached.
    #[error("unreachable: {0}")]
    Unreachable(String),
    /// The CDN answered with an error status (404: unknown deployment id).
    #[error("HTTP {0}")]
    Status(u16),
    /// The body is not JSON or is too large.
    #[error("the body is not a JSON document of at most {MAX_DOCUMENT_BYTES} bytes")]
    NotJson,
    /// The fetch task ended without an answer (it panicked, or the runtime is shutting down).
    #[error("the fetch ended without an answer")]
    Abandoned,
}

/// A boxed fetch, so that sources can be swapped (HTTP, emulator, tests) behind one `Arc`.
pub type DocumentFuture = Pin<Box<dyn Future<Output = Result<Value, FetchError>> + Send>>;

/// Where the raw `config.json` comes from.
pub trait DocumentSource: Send + Sync + fmt::Debug + 'static {
    /// Starts one fetch of the document.
    fn fetch(&self) -> DocumentFuture;
}

/// The real CDN (or any server answering the same URL).
#[derive(Debug)]
pub struct HttpDocumentSource {
    http: reqwest::Client,
    url: String,
}

impl HttpDocumentSource {
    /// A source reading `url` (see `Endpoints::deployment_config_url`) with `http`.
    pub fn new(http: reqwest::Client, url: String) -> Self {
        Self { http, url }
    }
}

impl DocumentSource for HttpDocumentSource {
    fn fetch(&self) -> DocumentFuture {
        let request = self.http.get(&self.url);
        Box::pin(async move {
            let mut response = request
                .send()
                .await
                .map_err(|error| FetchError::Unreachable(describe(&error)))?;
            if !response.status().is_success() {
                return Err(FetchError::Status(response.status().as_u16()));
            }
            let mut body = Vec::new();
            while let Some(chunk) = response
                .chunk()
                .await
                .map_err(|error| FetchError::Unreachable(describe(&error)))?
            {
                if body.len() + chunk.len() > MAX_DOCUMENT_BYTES {
                    return Err(FetchError::NotJson);
                }
                body.extend_from_slice(&chunk);
            }
            serde_json::from_slice(&body).map_err(|_| FetchError::NotJson)
        })
    }
}

/// The embedded emulator's own document, read in-process: no request to ourselves at start-up,
/// and `oneshot` tests see exactly what `PARLEY_EMULATOR_DEPLOYMENT_CONFIG` made of it.
#[derive(Debug)]
pub struct EmulatorDocumentSource {
    emulator: Emulator,
    deployment_id: String,
    base_url: String,
}

impl EmulatorDocumentSource {
    /// The document of `deployment_id`, with endpoints under `base_url`.
    pub fn new(emulator: Emulator, deployment_id: String, base_url: String) -> Self {
        Self {
            emulator,
            deployment_id,
            base_url,
        }
    }
}

impl DocumentSource for EmulatorDocumentSource {
    fn fetch(&self) -> DocumentFuture {
        let document = self
            .emulator
            .deployment_document(&self.deployment_id, &self.base_url)
            .ok_or(FetchError::Status(404));
        Box::pin(async move { document })
    }
}

#[derive(Default)]
struct CacheState {
    /// Last good mapping, or the defaults once a fetch failed before any succeeded.
    latest: Option<WindowConfig>,
    /// Until when `latest` (or the last failure) stands without a new fetch.
    fresh_until: Option<Instant>,
    /// Whether a fetch task is running.
    in_flight: bool,
}

/// The cached [`WindowConfig`] of one deployment. Cheap to share behind an `Arc`.
pub struct DeploymentConfigCache {
    source: Arc<dyn DocumentSource>,
    policy: CachePolicy,
    clock: Clock,
    /// A `std` mutex, not Tokio's: it is never held across an `.await` and its critical sections
    /// are a few field reads and writes, so callers never queue behind a fetch.
    state: Mutex<CacheState>,
    /// Bumped after every finished fetch; `current` waits on it for the one fetch in flight.
    settled: watch::Sender<u64>,
}

impl fmt::Debug for DeploymentConfigCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeploymentConfigCache")
            .field("source", &self.source)
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

impl DeploymentConfigCache {
    /// An empty cache over `source`.
    pub fn new(source: Arc<dyn DocumentSource>, policy: CachePolicy, clock: Clock) -> Arc<Self> {
        Arc::new(Self {
            source,
            policy,
            clock,
            state: Mutex::default(),
            settled: watch::Sender::new(0),
        })
    }

    /// What is cached now, without waiting; starts a background refresh when it is stale.
    /// `None` only until the first fetch has finished (and, outside a Tokio runtime, for good).
    pub fn snapshot(self: &Arc<Self>) -> Option<WindowConfig> {
        let mut state = self.lock();
        self.refresh_if_stale(&mut state);
        state.latest.clone()
    }

    /// The current settings: the cached ones when fresh, otherwise after the one bounded fetch
    /// (started here if none is running). Never fails: without any good document, Parley's
    /// defaults.
    pub async fn current(self: &Arc<Self>) -> WindowConfig {
        let mut settled = {
            let mut state = self.lock();
            if !self.is_stale(&state) {
                return state.latest.clone().unwrap_or_default();
            }
            // Subscribed under the lock: the fetch task publishes after taking it, so its
            // notification cannot slip between this check and the wait.
            let settled = self.settled.subscribe();
            self.refresh_if_stale(&mut state);
            settled
        };
        // The fetch is bounded by the policy's timeout and always publishes; if the sender were
        // gone the cache would be too, so an error here only means "read what is there".
        let _ = settled.changed().await;
        self.lock().latest.clone().unwrap_or_default()
    }

    fn lock(&self) -> MutexGuard<'_, CacheState> {
        self.state
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }

    fn is_stale(&self, state: &CacheState) -> bool {
        state
            .fresh_until
            .is_none_or(|until| self.clock.now() >= until)
    }

    fn refresh_if_stale(self: &Arc<Self>, state: &mut CacheState) {
        if state.in_flight || !self.is_stale(state) {
            return;
        }
        // Outside a runtime there is nothing to fetch with (and a failed spawn would settle,
        // re-locking `state`, from inside this critical section): leave the cache as it is.
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        state.in_flight = true;
        let guard = SettleOnDrop {
            cache: Some(Arc::clone(self)),
        };
        runtime.spawn(async move {
            let timeout = guard.cache().policy.timeout;
            let fetch = guard.cache().source.fetch();
            let outcome = tokio::time::timeout(timeout, fetch)
                .await
                .unwrap_or(Err(FetchError::TimedOut(timeout)));
            guard.settle(outcome);
        });
    }

    /// Records a finished fetch and wakes whoever waits in [`Self::current`].
    fn settle(&self, outcome: Result<Value, FetchError>) {
        {
            let mut state = self.lock();
            let now = self.clock.now();
            match outcome {
                Ok(document) => {
                    let mapped = WindowConfig::from_deployment_document(&document);
                    if !mapped.ignored.is_empty() {
                        tracing::warn!(
                            ignored = ?mapped.ignored,
                            "deployment config.json: unusable settings replaced by defaults"
                        );
                    }
                    state.latest = Some(mapped.config);
                    state.fresh_until = Some(now + self.policy.ttl);
                }
                Err(error) => {
                    tracing::warn!(
                        %error,
                        keeping = if state.latest.is_some() { "the last good settings" } else { "Parley's defaults" },
                        "deployment config.json unavailable"
                    );
                    state.latest.get_or_insert_with(WindowConfig::default);
                    state.fresh_until = Some(now + self.policy.negative_ttl);
                }
            }
            state.in_flight = false;
        }
        self.settled.send_modify(|generation| *generation += 1);
    }
}

/// Settles the cache as [`FetchError::Abandoned`] if the fetch task ends without an outcome,
/// so `in_flight` never sticks and no [`DeploymentConfigCache::current`] caller waits forever.
struct SettleOnDrop {
    /// `None` once the task settled the cache itself.
    cache: Option<Arc<DeploymentConfigCache>>,
}

impl SettleOnDrop {
    fn cache(&self) -> &DeploymentConfigCache {
        self.cache.as_deref().expect("armed until settled")
    }

    /// Settles the cache with `outcome` and disarms the guard.
    fn settle(mut self, outcome: Result<Value, FetchError>) {
        if let Some(cache) = self.cache.take() {
            cache.settle(outcome);
        }
    }
}

impl Drop for SettleOnDrop {
    fn drop(&mut self) {
        if let Some(cache) = self.cache.take() {
            cache.settle(Err(FetchError::Abandoned));
        }
    }
}

#[cfg(test)]
#[path = "deployment_config_tests.rs"]
mod tests;
