//! `GET /api/config`: the Messenger deployment's settings for the chat window
//! ([`WindowConfig`]), for a window that wants them before (or without) a session grant.
//!
//! Always 200: when the deployment's `config.json` cannot be had the body is Parley's defaults
//! (`fromDeployment: false`). The answer may wait for one bounded fetch (see
//! `crate::deployment_config`) and is cacheable for a minute, a fraction of the server's own
//! cache lifetime, so an admin's change reaches visitors within minutes. CORS as for grants:
//! the content is public (Genesys serves it without authentication), the allowlist only decides
//! which sites' scripts may read it.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use parley_shared::api::WindowConfig;

use crate::state::AppState;

/// `Cache-Control` of the answer.
pub const CACHE_CONTROL: &str = "public, max-age=60";

/// Serves the current [`WindowConfig`].
pub async fn window_config(State(state): State<AppState>) -> Response {
    let config: WindowConfig = state.window_config.current().await;
    let mut response = Json(config).into_response();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(CACHE_CONTROL),
    );
    response
}
