//! Helpers shared by the server's integration tests: configuration from flags, requests for
//! `oneshot`, and a fake Genesys (OAuth token endpoint + estimated wait time) over real HTTP
//! that counts requests and answers from a script.

#![allow(dead_code)] // `no_secrets_leak` (its own binary) uses only a subset

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use http_body_util::BodyExt;
use parley_server::clock::Clock;
use parley_server::config::{Args, Config};
use parley_server::oauth::RetryPolicy;
use parley_server::state::StateOptions;
use parley_server::{AppState, app};
use tokio::sync::{Notify, Semaphore, oneshot};
use tower::ServiceExt;

use clap::Parser;

pub const QUEUE_ID: &str = "11111111-2222-4333-8444-555555555555";

/// A validated config from flags (the environment is not consulted for unset flags only if
/// the variables are unset, which they are in CI).
pub fn config(flags: &[&str]) -> Config {
    let args = Args::try_parse_from(std::iter::once("parley-server").chain(flags.iter().copied()))
        .expect("flags parse");
    Config::from_args(args).expect("config validates")
}

/// Options with instant retries so failure paths finish quickly, and a grant that waits long
/// enough for its availability lookup to finish even on a loaded machine (so that counts of
/// upstream requests are final when the grant returns; the wait itself is tested with a short
/// `availability_wait`).
pub fn fast_options(clock: Clock) -> StateOptions {
    StateOptions {
        clock,
        availability_wait: Duration::from_secs(10),
        retry_policy: RetryPolicy {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(1),
            max_backoff: Duration::from_millis(4),
        },
        ..StateOptions::default()
    }
}

/// The app for `config` as if bound at `local_addr`.
pub fn test_app(config: &Config, local_addr: SocketAddr) -> Router {
    app(AppState::with_options(
        config,
        local_addr,
        fast_options(Clock::system()),
    ))
}

/// A local address nothing listens on.
pub async fn closed_port() -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap()
}

/// `POST /api/session` with a JSON body from `peer`.
pub fn grant_request(body: &str, peer: [u8; 4]) -> Request<Body> {
    let mut request = Request::post("/api/session")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::HOST, "127.0.0.1:8080")
        .body(Body::from(body.to_owned()))
        .unwrap();
    request
        .extensions_mut()
        .insert(ConnectInfo(SocketAddr::from((peer, 40000))));
    request
}

/// Sends one request through the router without a socket.
pub async fn send(app: &Router, request: Request<Body>) -> (StatusCode, HeaderMap, Bytes) {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, headers, body)
}

/// Parses a JSON body.
pub fn json(body: &Bytes) -> serde_json::Value {
    serde_json::from_slice(body).expect("JSON body")
}

/// A fresh empty folder under the system temp dir.
pub fn temp_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("parley-test-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// One scripted answer of the fake token endpoint.
#[derive(Clone, Copy, Debug)]
pub enum TokenAnswer {
    /// 200 with this token and lifetime.
    Token(&'static str, u64),
    /// 429 with `Retry-After` seconds.
    TooMany(u64),
    /// This status, empty body.
    Status(u16),
}

#[derive(Default)]
struct FakeState {
    script: Mutex<VecDeque<TokenAnswer>>,
    token_requests: AtomicUsize,
    wait_requests: AtomicUsize,
    authorizations: Mutex<Vec<String>>,
    hold_tokens: Mutex<Option<Arc<Semaphore>>>,
    first_token_request: Notify,
    wait_status: Mutex<Option<u16>>,
    hold_waits: Mutex<Option<Arc<Semaphore>>>,
}

/// A fake Genesys on a real port: `/oauth/token` and the estimated-wait endpoint.
#[derive(Clone)]
pub struct FakeGenesys {
    pub addr: SocketAddr,
    state: Arc<FakeState>,
}

impl FakeGenesys {
    /// Starts the fake; unscripted token requests get `Token("fake-token", 3600)`.
    pub async fn start() -> FakeGenesys {
        let state = Arc::new(FakeState::default());
        let router = Router::new()
            .route("/oauth/token", post(token))
            .route(
                "/api/v2/routing/queues/{queue}/estimatedwaittime",
                get(estimated_wait),
            )
            .with_state(Arc::clone(&state));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, router).await });
        FakeGenesys { addr, state }
    }

    /// Queues answers for the next token requests.
    pub fn script(&self, answers: impl IntoIterator<Item = TokenAnswer>) {
        self.state.script.lock().unwrap().extend(answers);
    }

    /// Token requests received so far.
    pub fn token_requests(&self) -> usize {
        self.state.token_requests.load(Ordering::SeqCst)
    }

    /// Estimated-wait requests received so far.
    pub fn wait_requests(&self) -> usize {
        self.state.wait_requests.load(Ordering::SeqCst)
    }

    /// The `Authorization` headers the token endpoint received.
    pub fn authorizations(&self) -> Vec<String> {
        self.state.authorizations.lock().unwrap().clone()
    }

    /// Makes token requests wait until permits are added to the returned semaphore.
    pub fn hold_token_answers(&self) -> Arc<Semaphore> {
        let gate = Arc::new(Semaphore::new(0));
        *self.state.hold_tokens.lock().unwrap() = Some(Arc::clone(&gate));
        gate
    }

    /// Makes the estimated-wait endpoint answer `status` with an empty body.
    pub fn fail_waits_with(&self, status: u16) {
        *self.state.wait_status.lock().unwrap() = Some(status);
    }

    /// Makes estimated-wait requests wait until permits are added to the returned semaphore.
    pub fn hold_wait_answers(&self) -> Arc<Semaphore> {
        let gate = Arc::new(Semaphore::new(0));
        *self.state.hold_waits.lock().unwrap() = Some(Arc::clone(&gate));
        gate
    }

    /// Resolves once the first token request has arrived.
    pub async fn first_token_request(&self) {
        if self.token_requests() == 0 {
            self.state.first_token_request.notified().await;
        }
    }

    /// `http://<addr>/oauth/token`.
    pub fn token_url(&self) -> String {
        format!("http://{}/oauth/token", self.addr)
    }
}

async fn token(State(state): State<Arc<FakeState>>, headers: HeaderMap, body: String) -> Response {
    if body != "grant_type=client_credentials" {
        return (StatusCode::BAD_REQUEST, "wrong grant").into_response();
    }
    if let Some(auth) = headers.get(header::AUTHORIZATION) {
        state
            .authorizations
            .lock()
            .unwrap()
            .push(auth.to_str().unwrap_or_default().to_owned());
    }
    state.token_requests.fetch_add(1, Ordering::SeqCst);
    state.first_token_request.notify_one();
    let gate = state.hold_tokens.lock().unwrap().clone();
    if let Some(gate) = gate {
        let _permit = gate.acquire().await;
    }
    let answer = state
        .script
        .lock()
        .unwrap()
        .pop_front()
        .unwrap_or(TokenAnswer::Token("fake-token", 3600));
    match answer {
        TokenAnswer::Token(token, expires_in) => axum::Json(serde_json::json!({
            "access_token": token, "token_type": "bearer", "expires_in": expires_in
        }))
        .into_response(),
        TokenAnswer::TooMany(secs) => (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, secs.to_string())],
        )
            .into_response(),
        TokenAnswer::Status(code) => StatusCode::from_u16(code).unwrap().into_response(),
    }
}

async fn estimated_wait(State(state): State<Arc<FakeState>>, headers: HeaderMap) -> Response {
    state.wait_requests.fetch_add(1, Ordering::SeqCst);
    let gate = state.hold_waits.lock().unwrap().clone();
    if let Some(gate) = gate {
        let _permit = gate.acquire().await;
    }
    if let Some(status) = *state.wait_status.lock().unwrap() {
        return StatusCode::from_u16(status).unwrap().into_response();
    }
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !bearer.starts_with("Bearer ") {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    axum::Json(serde_json::json!({
        "results": [{"intent": "MESSAGE", "formula": "BEST", "estimatedWaitTimeSeconds": 42}]
    }))
    .into_response()
}

/// A running server; dropping it shuts the server down.
pub struct Running {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    /// The embedded emulator (emulator backend), for fault injection and stats.
    pub emulator: Option<parley_server::emulator::Emulator>,
    _stop: oneshot::Sender<()>,
}

/// Binds `127.0.0.1:0` and serves `config` with the production accept loop; `upstream` overrides where emulator-mode OAuth and
/// routing calls go (the fake Genesys), defaulting to the server itself.
pub async fn serve(config: &Config, upstream: Option<SocketAddr>) -> Running {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let local_addr = listener.local_addr().unwrap();
    let state = AppState::with_options(
        config,
        upstream.unwrap_or(local_addr),
        fast_options(Clock::system()),
    );
    let emulator = state.emulator.clone();
    let (stop, stopped) = oneshot::channel::<()>();
    let limits = config.limits;
    tokio::spawn(async move {
        parley_server::serve::serve(listener, app(state), limits, async {
            let _ = stopped.await;
        })
        .await
    });
    Running {
        base: format!("http://{local_addr}"),
        emulator,
        _stop: stop,
    }
}

/// `POST {base}/api/session` with a JSON body.
pub async fn post_grant(client: &reqwest::Client, base: &str, body: &str) -> reqwest::Response {
    client
        .post(format!("{base}/api/session"))
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .unwrap()
}
