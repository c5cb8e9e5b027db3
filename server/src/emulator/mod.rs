//! The embedded Genesys emulator: a Genesys Cloud Web Messaging server in miniature, faithful to
//! PROTOCOL.md §1.14, and Parley's default backend. With it, the browser, the headless guest and
//! every test talk to the same code paths they would use against Genesys, on one local port.
//!
//! Data flow: `router` mounts the guest socket (`/v1`, handled by `connection`, which reads each
//! frame and hands it to `dispatch`, which routes it to `lifecycle`, `messaging`, `attachments`
//! or `history`; frames go out through `writer`), the history endpoint (`history`), the
//! attachment upload and download URLs (`uploads`), the OAuth token endpoint (`oauth`),
//! estimated wait (`routing`), the public deployment config (`deployment`) and the
//! local-only control endpoints (`control`: faults, transcripts, stats). All state lives in
//! memory behind the cloneable [`Emulator`] handle: sessions and connections (`session`),
//! attachments (`attachments`), fault switches (`faults`), issued OAuth tokens (`oauth`). The
//! scripted agent (`agent`, answering per `script`) runs as a task per guest message.
//!
//! Limits, candidly: sessions live in memory and a restart forgets them;
//! `configureAuthenticatedSession` is treated like `configureSession` (the JWT in `data.code` is
//! not verified); the scripted agent is a toy with a handful of
//! keywords.
//!
//! Exposure: the control endpoints answer direct loopback callers only and are off when the
//! server has a public URL (unless enabled), sockets, history and uploads check `Origin`
//! (`access`); per-connection queues, per-session logs, JWTs and the number of sessions are
//! bounded (`config`), and idle sessions are expired by a periodic sweep (`lifecycle`).
//!
//! Layering: sibling modules import one another in one direction only, from the socket down to
//! the leaves (`a → b`: `a` imports `b`; each row only imports rows below it; every module also
//! takes the [`Emulator`] handle from here):
//!
//! ```text
//! connection ─→ dispatch, access, writer, lifecycle, context
//! dispatch   ─→ lifecycle, messaging, attachments, history, frames, context
//! uploads    ─→ attachments, access, frames, tagging
//! messaging  ─→ agent, lifecycle, frames, context
//! attachments─→ lifecycle, frames, context, config
//! history    ─→ lifecycle, routing, oauth, access, context, session, message_log
//! control    ─→ lifecycle, faults, access, session
//! lifecycle  ─→ frames, context, session, wall
//! routing    ─→ oauth
//! agent      ─→ script, frames, persona, session
//! context    ─→ session            (ConnCtx: the per-connection context every handler gets)
//! oauth, faults, writer ─→ session
//! deployment ─→ access, config
//! frames     ─→ tagging, config
//! script     ─→ persona
//! session    ─→ persona, rate_limit, message_log, config
//! access     ─→ config
//! leaves: config, persona (who answers), tagging (the upload header), rate_limit, wall, ids,
//! message_log (a session's log, stored as JSON)
//! ```
//!
//! Locks: the shared state sits behind std `Mutex`es, one per store (`sessions`, `attachments`,
//! `faults`, `oauth_tokens`, plus the wall clock's last timestamp), not tokio's: every critical
//! section is a few map operations and channel `try_send`s with no `.await` inside (a std guard
//! cannot be held across one in a spawned task), so an async mutex would only add cost. Where two
//! are held at once the order is always `sessions` → `attachments` or `faults` → the wall clock
//! (e.g. `onMessage` resolves attachment references and takes a forced 429 while holding its
//! session; expiry forgets a token's attachments under the sessions lock); nothing takes
//! `sessions` while holding another lock, so there is no cycle to deadlock on. The one async lock,
//! a session's `agent_turn`, serialises the scripted agent's replies across their delays and is
//! taken before, never under, `sessions`.

mod access;
mod agent;
mod attachments;
mod config;
mod connection;
mod context;
mod control;
mod deployment;
mod dispatch;
mod faults;
mod frames;
mod history;
mod ids;
mod lifecycle;
mod message_log;
mod messaging;
mod oauth;
mod persona;
mod rate_limit;
mod routing;
mod script;
mod session;
mod tagging;
mod uploads;
mod wall;
mod writer;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::routing::{get, post, put};
use tower_http::cors::CorsLayer;

pub use config::{
    DEFAULT_DEPLOYMENT_ID, DEFAULT_OAUTH_CLIENT_ID, DEFAULT_OAUTH_CLIENT_SECRET, EmulatorConfig,
};
pub use control::EmulatorStats;
pub use faults::Fault;

use attachments::Attachments;
use faults::FaultState;
use ids::IdGen;
use oauth::OauthTokens;
use session::Sessions;
use wall::WallClock;

/// A cloneable handle to one emulator's in-memory state. Every clone sees the same sessions.
#[derive(Clone)]
pub struct Emulator {
    shared: Arc<Shared>,
}

struct Shared {
    config: EmulatorConfig,
    ids: IdGen,
    wall: WallClock,
    sessions: Mutex<Sessions>,
    attachments: Mutex<Attachments>,
    faults: Mutex<FaultState>,
    oauth_tokens: Mutex<OauthTokens>,
    counters: Counters,
}

#[derive(Default)]
struct Counters {
    oauth_requests: AtomicU64,
    oauth_tokens_issued: AtomicU64,
    sockets_accepted: AtomicU64,
    sockets_refused: AtomicU64,
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulator")
            .field("config", &self.shared.config)
            .finish_non_exhaustive()
    }
}

impl Emulator {
    /// An emulator with no sessions yet. Inside a tokio runtime it also starts the periodic
    /// sweep of idle sessions and expired JWTs (`lifecycle::sweep`), which stops when the last
    /// handle is dropped.
    pub fn new(config: EmulatorConfig) -> Self {
        let ids = IdGen::new(config.deterministic);
        let emulator = Self {
            shared: Arc::new(Shared {
                config,
                ids,
                wall: WallClock::default(),
                sessions: Mutex::default(),
                attachments: Mutex::default(),
                faults: Mutex::default(),
                oauth_tokens: Mutex::default(),
                counters: Counters::default(),
            }),
        };
        if tokio::runtime::Handle::try_current().is_ok() {
            tokio::spawn(sweep_periodically(Arc::downgrade(&emulator.shared)));
        }
        emulator
    }

    /// The settings this emulator runs with.
    pub fn config(&self) -> &EmulatorConfig {
        &self.shared.config
    }

    /// Injects a fault, exactly as `POST /emulator/faults` does.
    pub fn inject(&self, fault: Fault) {
        control::inject(self, fault);
    }

    /// Counters for `/emulator/stats` and for tests.
    pub fn stats(&self) -> EmulatorStats {
        control::stats(self)
    }

    fn ids(&self) -> &IdGen {
        &self.shared.ids
    }

    fn wall(&self) -> &WallClock {
        &self.shared.wall
    }

    fn sessions(&self) -> MutexGuard<'_, Sessions> {
        lock(&self.shared.sessions)
    }

    fn attachments(&self) -> MutexGuard<'_, Attachments> {
        lock(&self.shared.attachments)
    }

    fn faults(&self) -> MutexGuard<'_, FaultState> {
        lock(&self.shared.faults)
    }

    fn oauth_tokens(&self) -> MutexGuard<'_, OauthTokens> {
        lock(&self.shared.oauth_tokens)
    }

    fn count_oauth_request(&self) {
        self.shared
            .counters
            .oauth_requests
            .fetch_add(1, Ordering::Relaxed);
    }

    fn count_oauth_token_issued(&self) {
        self.shared
            .counters
            .oauth_tokens_issued
            .fetch_add(1, Ordering::Relaxed);
    }

    fn count_socket(&self, accepted: bool) {
        let counter = if accepted {
            &self.shared.counters.sockets_accepted
        } else {
            &self.shared.counters.sockets_refused
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }
}

/// Runs `lifecycle::sweep` until the emulator is gone.
async fn sweep_periodically(shared: std::sync::Weak<Shared>) {
    let Some(interval) = shared
        .upgrade()
        .map(|shared| lifecycle::sweep_interval(shared.config.session_ttl))
    else {
        return;
    };
    let mut ticks = tokio::time::interval(interval);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    ticks.tick().await;
    loop {
        ticks.tick().await;
        let Some(shared) = shared.upgrade() else {
            return;
        };
        lifecycle::sweep(&Emulator { shared }, tokio::time::Instant::now());
    }
}

/// Locks a mutex, recovering from poisoning: the state stays usable even if a task panicked
/// mid-update (every update leaves it consistent between statements).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poison| poison.into_inner())
}

/// Every route the emulator answers, with its state applied, ready to be merged into the app:
///
/// | route | what |
/// |---|---|
/// | `GET /v1?deploymentId=` | guest WebSocket |
/// | `GET /api/v2/webmessaging/messages` | history (guest JWT) |
/// | `PUT /emulator/uploads/{attachmentId}` | presigned-style upload |
/// | `GET /emulator/downloads/{attachmentId}` | uploaded file (`?key=`) |
/// | `GET /emulator/avatars/{name}` | the scripted agent's avatars |
/// | `POST /oauth/token` | client-credentials grant |
/// | `GET /api/v2/routing/queues/{queueId}/estimatedwaittime` | estimated wait (OAuth) |
/// | `GET /webdeployments/v1/deployments/{deploymentId}/config.json` | public Messenger config |
/// | `POST /emulator/faults` | fault injection (local only) |
/// | `GET /emulator/sessions/{token}/transcript` | a session's log (local only) |
/// | `GET /emulator/stats` | counters (local only) |
///
/// The local-only checks (`access::ControlAccess`) need the peer address in `ConnectInfo`
/// (`into_make_service_with_connect_info::<SocketAddr>()` or [`crate::serve`]); without it
/// they refuse everyone.
/// The guest REST API answers no cross-origin request here: see [`router_with_guest_cors`].
pub fn router(emulator: Emulator) -> Router {
    router_with_guest_cors(emulator, CorsLayer::new())
}

/// [`router`], with `guest_api_cors` letting host pages on the allowed origins call history,
/// uploads, downloads and avatars, as real Genesys does for a deployment's domains.
pub fn router_with_guest_cors(emulator: Emulator, guest_api_cors: CorsLayer) -> Router {
    // What a guest's browser calls besides the socket: from a host page on another origin.
    let guest_api = Router::new()
        .route(parley_shared::genesys::HISTORY_PATH, get(history::messages))
        .route("/emulator/uploads/{attachment_id}", put(uploads::upload))
        .route(
            "/emulator/downloads/{attachment_id}",
            get(uploads::download),
        )
        .route("/emulator/avatars/{name}", get(agent::avatar))
        .layer(guest_api_cors)
        .with_state(emulator.clone());
    Router::new()
        .route("/v1", get(connection::upgrade))
        .route("/oauth/token", post(oauth::token))
        .route(
            "/api/v2/routing/queues/{queue_id}/estimatedwaittime",
            get(routing::estimated_wait_time),
        )
        .route(
            "/webdeployments/v1/deployments/{deployment_id}/config.json",
            get(deployment::config_json),
        )
        .route("/emulator/faults", post(control::faults))
        .route(
            "/emulator/sessions/{token}/transcript",
            get(control::transcript),
        )
        .route("/emulator/stats", get(control::stats_handler))
        .with_state(emulator)
        .merge(guest_api)
}
