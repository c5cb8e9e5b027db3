//! A single-flight cache for one upstream answer (the OAuth token, the queue's estimated wait).
//!
//! Why: during a Genesys slowdown every grant used to queue behind one mutex held across the
//! upstream call, and every failure was forgotten, so N grants cost N upstream attempts one
//! after another. Here:
//! - **One attempt, every waiter answered**: the first caller that finds nothing fresh fetches;
//!   callers arriving meanwhile wait for *that* attempt's result (success or error) instead of
//!   starting their own. No lock is held across the upstream call.
//! - **Negative caching**: an error is kept for the time its fetcher says (a few seconds, or a
//!   429's `Retry-After`), and answered at once to callers in that window.
//! - **Cancellation**: if the fetching caller is dropped (its request went away), the waiters
//!   notice the abandoned attempt and one of them starts a new one.

use std::future::Future;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use tokio::sync::watch;

use crate::clock::Clock;

/// What one fetch produced and how long it may be reused.
pub struct Fetched<T, E> {
    /// The answer (an error is cached too).
    pub result: Result<T, E>,
    /// How long `result` is answered without asking upstream again.
    pub reuse_for: Duration,
}

/// An error that can say how much of its wait is left when it is answered from the cache
/// (so a cached 429 reports the remaining `Retry-After`, not the original one).
pub trait CachedError: Clone {
    /// This error as seen `left` before its cache entry expires.
    fn with_time_left(&self, left: Duration) -> Self;
}

type Outcome<T, E> = Option<Result<T, E>>;

enum Slot<T, E> {
    Empty,
    Cached {
        result: Result<T, E>,
        until: Instant,
    },
}

struct Inner<T, E> {
    slot: Slot<T, E>,
    in_flight: Option<watch::Receiver<Outcome<T, E>>>,
}

enum Step<T, E> {
    Answer(Result<T, E>),
    Lead(watch::Sender<Outcome<T, E>>),
    Wait(watch::Receiver<Outcome<T, E>>),
}

/// A cached value with single-flight refresh. Share it behind an `Arc` (or inside a struct
/// that is).
pub struct SingleFlight<T, E> {
    clock: Clock,
    inner: Mutex<Inner<T, E>>,
}

impl<T: Clone, E: CachedError> SingleFlight<T, E> {
    /// An empty cache reading `clock`.
    pub fn new(clock: Clock) -> Self {
        Self {
            clock,
            inner: Mutex::new(Inner {
                slot: Slot::Empty,
                in_flight: None,
            }),
        }
    }

    /// The cached answer when still fresh; otherwise the answer of the attempt in flight;
    /// otherwise the answer of a new attempt made with `fetch`.
    pub async fn get<F, Fut>(&self, fetch: F) -> Result<T, E>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Fetched<T, E>>,
    {
        loop {
            match self.next_step() {
                Step::Answer(result) => return result,
                Step::Lead(sender) => return self.lead(sender, fetch()).await,
                Step::Wait(receiver) => {
                    if let Some(result) = wait_for(receiver).await {
                        return result;
                    }
                    // The leader was dropped before answering: try again (one of us leads).
                }
            }
        }
    }

    /// Decides, under the lock and without awaiting, what a caller does next.
    fn next_step(&self) -> Step<T, E> {
        let mut inner = self.lock();
        let now = self.clock.now();
        if let Slot::Cached { result, until } = &inner.slot
            && now < *until
        {
            return Step::Answer(match result {
                Ok(value) => Ok(value.clone()),
                Err(error) => Err(error.with_time_left(*until - now)),
            });
        }
        match &inner.in_flight {
            // `has_changed` fails once the leader's sender is gone (the leader was dropped).
            Some(receiver) if receiver.has_changed().is_ok() => Step::Wait(receiver.clone()),
            _ => {
                let (sender, receiver) = watch::channel(None);
                inner.in_flight = Some(receiver);
                Step::Lead(sender)
            }
        }
    }

    /// Drops a cached success that `is_stale` says is no longer good (e.g. a token the
    /// platform answered 401 to); a newer value cached meanwhile is kept.
    pub fn invalidate_if(&self, is_stale: impl FnOnce(&T) -> bool) {
        let mut inner = self.lock();
        if let Slot::Cached {
            result: Ok(value), ..
        } = &inner.slot
            && is_stale(value)
        {
            inner.slot = Slot::Empty;
        }
    }

    async fn lead(
        &self,
        sender: watch::Sender<Outcome<T, E>>,
        attempt: impl Future<Output = Fetched<T, E>>,
    ) -> Result<T, E> {
        let fetched = attempt.await;
        let until = self
            .clock
            .now()
            .checked_add(fetched.reuse_for)
            .unwrap_or_else(far_future);
        {
            let mut inner = self.lock();
            inner.slot = Slot::Cached {
                result: fetched.result.clone(),
                until,
            };
            inner.in_flight = None;
        }
        sender.send_replace(Some(fetched.result.clone()));
        fetched.result
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner<T, E>> {
        // The lock is only held for plain bookkeeping (no await, no user code that panics),
        // so a poisoned lock still holds consistent data.
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The leader's answer, or `None` if the leader was dropped without answering.
async fn wait_for<T: Clone, E: Clone>(
    mut receiver: watch::Receiver<Outcome<T, E>>,
) -> Option<Result<T, E>> {
    match receiver.wait_for(Option::is_some).await {
        Ok(outcome) => outcome.clone(),
        Err(_) => None,
    }
}

/// An instant so far ahead that "until then" means "for as long as this process runs".
fn far_future() -> Instant {
    // About 30 years; `Instant + Duration` panics on overflow, so saturate by hand.
    let now = Instant::now();
    now.checked_add(Duration::from_secs(30 * 365 * 24 * 3600))
        .unwrap_or(now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[derive(Clone, Debug, PartialEq)]
    struct Failed(Duration);

    impl CachedError for Failed {
        fn with_time_left(&self, left: Duration) -> Self {
            Failed(left)
        }
    }

    #[tokio::test]
    async fn an_error_is_reused_for_its_time_then_asked_again() {
        let clock = ManualClock::new();
        let cache = SingleFlight::<u32, Failed>::new(clock.clock());
        let calls = AtomicUsize::new(0);
        let fetch = || async {
            calls.fetch_add(1, Ordering::SeqCst);
            Fetched {
                result: Err(Failed(Duration::from_secs(5))),
                reuse_for: Duration::from_secs(5),
            }
        };
        assert_eq!(cache.get(fetch).await, Err(Failed(Duration::from_secs(5))));
        clock.advance(Duration::from_secs(3));
        assert_eq!(cache.get(fetch).await, Err(Failed(Duration::from_secs(2))));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        clock.advance(Duration::from_secs(2));
        cache.get(fetch).await.unwrap_err();
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn waiters_share_the_one_attempt_in_flight() {
        let cache = SingleFlight::<u32, Failed>::new(ManualClock::new().clock());
        let calls = AtomicUsize::new(0);
        let (release, released) = watch::channel(false);
        let fetch = || {
            let mut released = released.clone();
            calls.fetch_add(1, Ordering::SeqCst);
            async move {
                released.wait_for(|open| *open).await.unwrap();
                Fetched {
                    result: Err(Failed(Duration::ZERO)),
                    reuse_for: Duration::ZERO,
                }
            }
        };
        // `join_all` polls in order: five callers reach the cache (one leads, four wait), and
        // only then is the upstream answer released. Nothing is cached (`reuse_for` is zero),
        // so a single call means the waiters were answered from the leader's attempt.
        type Caller<'a> = std::pin::Pin<Box<dyn Future<Output = Option<Result<u32, Failed>>> + 'a>>;
        let mut callers: Vec<Caller<'_>> = (0..5)
            .map(|_| Box::pin(async { Some(cache.get(fetch).await) }) as Caller<'_>)
            .collect();
        callers.push(Box::pin(async {
            release.send_replace(true);
            None
        }));
        let answers = futures_util::future::join_all(callers).await;
        assert_eq!(answers.iter().flatten().count(), 5);
        assert!(answers.iter().flatten().all(Result::is_err));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_dropped_leader_hands_over_to_a_waiter() {
        let cache = SingleFlight::<u32, Failed>::new(ManualClock::new().clock());
        let abandoned = cache.get(std::future::pending);
        // Poll the first caller once so it becomes the leader, then drop it.
        assert!(
            futures_util::FutureExt::now_or_never(abandoned).is_none(),
            "the leader waits on its fetch"
        );
        let answer = cache
            .get(|| async {
                Fetched {
                    result: Ok(3),
                    reuse_for: Duration::from_secs(1),
                }
            })
            .await;
        assert_eq!(answer, Ok(3));
    }
}
