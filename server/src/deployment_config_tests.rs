//! The cache's rules with a scripted source and a manual clock: reuse within the TTL, one fetch
//! for many callers, bounded fetches, negative caching, grants that never wait; and the HTTP
//! source against a real local server.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::http::StatusCode;
use axum::routing::get;
use parley_shared::api::{LauncherVisibility, WindowConfig};
use serde_json::json;
use tokio::sync::{Semaphore, mpsc};

use super::*;
use crate::clock::ManualClock;

/// Answers from a script, one per fetch, each after taking a permit from `gate`; reports each
/// fetch's start on `started`.
#[derive(Debug)]
struct ScriptedSource {
    calls: AtomicUsize,
    script: Mutex<VecDeque<Result<Value, FetchError>>>,
    gate: Arc<Semaphore>,
    started: mpsc::UnboundedSender<()>,
}

impl DocumentSource for ScriptedSource {
    fn fetch(&self) -> DocumentFuture {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let _ = self.started.send(());
        let answer = self
            .script
            .lock()
            .unwrap()
            .pop_front()
            .expect("a scripted answer for every fetch");
        let gate = Arc::clone(&self.gate);
        Box::pin(async move {
            gate.acquire().await.unwrap().forget();
            answer
        })
    }
}

struct Harness {
    cache: Arc<DeploymentConfigCache>,
    source: Arc<ScriptedSource>,
    clock: ManualClock,
    gate: Arc<Semaphore>,
    started: mpsc::UnboundedReceiver<()>,
}

impl Harness {
    /// A cache over `script`; fetches finish at once unless `gated`.
    fn new(script: Vec<Result<Value, FetchError>>, gated: bool) -> Harness {
        let gate = Arc::new(Semaphore::new(if gated { 0 } else { 1000 }));
        let (started_tx, started) = mpsc::unbounded_channel();
        let source = Arc::new(ScriptedSource {
            calls: AtomicUsize::new(0),
            script: Mutex::new(script.into()),
            gate: Arc::clone(&gate),
            started: started_tx,
        });
        let clock = ManualClock::new();
        let cache = DeploymentConfigCache::new(
            Arc::clone(&source) as Arc<dyn DocumentSource>,
            CachePolicy::default(),
            clock.clock(),
        );
        Harness {
            cache,
            source,
            clock,
            gate,
            started,
        }
    }

    fn calls(&self) -> usize {
        self.source.calls.load(Ordering::SeqCst)
    }
}

fn document(visibility: &str) -> Value {
    json!({"messenger": {"launcherButton": {"visibility": visibility}}})
}

#[tokio::test]
async fn a_fetched_document_is_reused_until_its_ttl_runs_out() {
    let h = Harness::new(vec![Ok(document("Off")), Ok(document("OnDemand"))], false);
    let first = h.cache.current().await;
    assert!(first.from_deployment);
    assert_eq!(first.launcher, LauncherVisibility::Off);
    assert_eq!(h.cache.current().await, first);
    assert_eq!(h.calls(), 1);

    h.clock.advance(CachePolicy::default().ttl);
    assert_eq!(
        h.cache.current().await.launcher,
        LauncherVisibility::OnDemand
    );
    assert_eq!(h.calls(), 2);
}

#[tokio::test]
async fn concurrent_callers_share_one_fetch() {
    let mut h = Harness::new(vec![Ok(document("Off"))], true);
    let waiters: Vec<_> = (0..5)
        .map(|_| {
            let cache = Arc::clone(&h.cache);
            tokio::spawn(async move { cache.current().await })
        })
        .collect();
    h.started.recv().await.unwrap();
    // Every waiter is parked on the one fetch; let it finish.
    h.gate.add_permits(1);
    for waiter in waiters {
        assert_eq!(waiter.await.unwrap().launcher, LauncherVisibility::Off);
    }
    assert_eq!(h.calls(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_source_that_never_answers_times_out_to_the_defaults() {
    let h = Harness::new(vec![Ok(document("Off"))], true);
    // Paused time: the 1.5 s timeout elapses as soon as everything is idle, without sleeping.
    let config = h.cache.current().await;
    assert_eq!(config, WindowConfig::default());
    assert!(!config.from_deployment);
}

#[tokio::test]
async fn failures_keep_the_last_good_settings_and_are_not_retried_at_once() {
    let h = Harness::new(
        vec![
            Ok(document("Off")),
            Err(FetchError::Status(503)),
            Ok(document("OnDemand")),
        ],
        false,
    );
    assert_eq!(h.cache.current().await.launcher, LauncherVisibility::Off);
    h.clock.advance(CachePolicy::default().ttl);
    let after_failure = h.cache.current().await;
    assert!(after_failure.from_deployment);
    assert_eq!(after_failure.launcher, LauncherVisibility::Off);
    assert_eq!(h.calls(), 2);

    // Within the negative TTL nobody asks the broken CDN again.
    assert_eq!(h.cache.current().await.launcher, LauncherVisibility::Off);
    assert_eq!(h.calls(), 2);

    h.clock.advance(CachePolicy::default().negative_ttl);
    assert_eq!(
        h.cache.current().await.launcher,
        LauncherVisibility::OnDemand
    );
    assert_eq!(h.calls(), 3);
}

#[tokio::test]
async fn a_failure_before_any_success_serves_parley_defaults() {
    let h = Harness::new(vec![Err(FetchError::NotJson)], false);
    assert_eq!(h.cache.current().await, WindowConfig::default());
    assert_eq!(h.cache.snapshot(), Some(WindowConfig::default()));
}

#[tokio::test]
async fn a_document_that_is_not_an_object_serves_parley_defaults() {
    let h = Harness::new(vec![Ok(json!(["not", "a", "config"]))], false);
    let config = h.cache.current().await;
    assert_eq!(config, WindowConfig::default());
}

#[tokio::test]
async fn snapshot_never_waits_and_starts_one_background_fetch() {
    let mut h = Harness::new(vec![Ok(document("Off"))], true);
    assert_eq!(h.cache.snapshot(), None);
    h.started.recv().await.unwrap();
    assert_eq!(h.cache.snapshot(), None, "still in flight: no second fetch");
    assert_eq!(h.calls(), 1);

    let mut settled = h.cache.settled.subscribe();
    h.gate.add_permits(1);
    settled.changed().await.unwrap();
    assert_eq!(
        h.cache.snapshot().map(|config| config.launcher),
        Some(LauncherVisibility::Off)
    );
    assert_eq!(h.calls(), 1);
}

#[tokio::test]
async fn a_stale_snapshot_is_served_while_it_refreshes() {
    let mut h = Harness::new(vec![Ok(document("Off")), Ok(document("OnDemand"))], false);
    h.cache.current().await;
    h.started.recv().await.unwrap();
    h.clock.advance(CachePolicy::default().ttl);
    let mut settled = h.cache.settled.subscribe();
    assert_eq!(
        h.cache.snapshot().map(|config| config.launcher),
        Some(LauncherVisibility::Off),
        "the old settings, at once"
    );
    settled.changed().await.unwrap();
    assert_eq!(
        h.cache.snapshot().map(|config| config.launcher),
        Some(LauncherVisibility::OnDemand)
    );
}

/// A source whose fetch panics while it is polled.
#[derive(Debug)]
struct PanickingSource;

impl DocumentSource for PanickingSource {
    fn fetch(&self) -> DocumentFuture {
        Box::pin(async { panic!("a bug in the source") })
    }
}

#[tokio::test]
async fn a_fetch_that_panics_settles_as_a_failure_instead_of_hanging() {
    let cache = DeploymentConfigCache::new(
        Arc::new(PanickingSource),
        CachePolicy::default(),
        ManualClock::new().clock(),
    );
    assert_eq!(cache.current().await, WindowConfig::default());
    assert!(!cache.lock().in_flight);
}

/// Serves `router` on a free local port; returns its base URL.
async fn serve(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await });
    format!("http://{addr}")
}

fn http_source(url: String) -> HttpDocumentSource {
    HttpDocumentSource::new(reqwest::Client::new(), url)
}

#[tokio::test]
async fn the_http_source_reads_a_document_and_reports_statuses_and_garbage() {
    let base = serve(
        Router::new()
            .route(
                "/ok",
                get(|| async { axum::Json(json!({"status": "Active"})) }),
            )
            .route("/missing", get(|| async { StatusCode::NOT_FOUND }))
            .route("/garbage", get(|| async { "<html>not json" }))
            .route(
                "/huge",
                get(|| async { " ".repeat(MAX_DOCUMENT_BYTES + 1) }),
            ),
    )
    .await;
    let ok = http_source(format!("{base}/ok")).fetch().await;
    assert_eq!(ok, Ok(json!({"status": "Active"})));
    let missing = http_source(format!("{base}/missing")).fetch().await;
    assert_eq!(missing, Err(FetchError::Status(404)));
    let garbage = http_source(format!("{base}/garbage")).fetch().await;
    assert_eq!(garbage, Err(FetchError::NotJson));
    let huge = http_source(format!("{base}/huge")).fetch().await;
    assert_eq!(huge, Err(FetchError::NotJson));
}

#[tokio::test]
async fn the_http_source_reads_the_emulators_config_json_over_http() {
    let emulator = Emulator::new(crate::emulator::EmulatorConfig::default());
    let base = serve(crate::emulator::router(emulator)).await;
    let url = parley_shared::genesys::Endpoints::custom(&base)
        .unwrap()
        .deployment_config_url(crate::emulator::DEFAULT_DEPLOYMENT_ID);
    let document = http_source(url).fetch().await.unwrap();
    let config = WindowConfig::from_deployment_document(&document).config;
    assert!(config.from_deployment);
    assert_eq!(config.accent.unwrap().color.to_string(), "#1f6feb");
}

#[tokio::test]
async fn an_unreachable_cdn_is_reported_as_such() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let result = http_source(format!("http://{addr}/config.json"))
        .fetch()
        .await;
    assert!(
        matches!(result, Err(FetchError::Unreachable(_))),
        "{result:?}"
    );
}

#[test]
fn outside_a_runtime_a_snapshot_is_empty_rather_than_stuck() {
    let h = Harness::new(vec![Ok(document("Off"))], false);
    assert_eq!(h.cache.snapshot(), None);
    assert_eq!(h.cache.snapshot(), None);
    assert_eq!(h.calls(), 0);
}
