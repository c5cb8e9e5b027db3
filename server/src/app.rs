//! The whole HTTP surface on one port, as a function of the state so that tests can drive it
//! with `tower::ServiceExt::oneshot` without binding a socket.
//!
//! ```text
//! POST /api/session   session grants (CORS allowlist)          routes::session
//! GET  /api/config    the deployment's window settings (CORS)  routes::window_config
//! GET  /healthz       liveness                                 routes::health
//! /v1, /oauth/token, /api/v2/…, /webdeployments/…, /emulator/* emulator (emulator backend only)
//! everything else     the browser bundle from dist/            static_files
//! ```
//! Every response carries the security headers; every request gets a trace span and must be
//! answered within the configured request timeout (408 after; a WebSocket upgrade is answered
//! at once and the socket then lives on its own).

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::routing::{get, post};

use tower_http::timeout::TimeoutLayer;

use crate::routes::{health, session, window_config};
use crate::state::AppState;
use crate::{emulator, security_headers, static_files, telemetry};

/// Builds the application router.
pub fn app(state: AppState) -> Router {
    let api = Router::new()
        .route("/api/session", post(session::create_session))
        .layer(DefaultBodyLimit::max(session::MAX_BODY_BYTES))
        .route("/api/config", get(window_config::window_config))
        .layer(state.origins.cors_layer())
        .with_state(state.clone());
    let mut router = Router::new()
        .route("/healthz", get(health::healthz))
        .merge(api);
    if let Some(emulator) = &state.emulator {
        router = router.merge(emulator::router_with_guest_cors(
            emulator.clone(),
            state.origins.guest_api_cors_layer(),
        ));
    }
    let bundle = static_files::router(state.dist.clone(), state.origins.bundle_cors_layer());
    let router = router.fallback_service(bundle);
    security_headers::apply(router, &state.origins, &state.csp_backend, state.https)
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            state.request_timeout,
        ))
        .layer(telemetry::trace_layer())
}
