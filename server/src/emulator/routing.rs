//! `GET /api/v2/routing/queues/{queueId}/estimatedwaittime` (PROTOCOL.md §2.4): the one platform
//! endpoint Parley's server calls with its OAuth token, to show visitors the expected wait.
//!
//! The emulator checks that the bearer token is one its `/oauth/token` issued (401 otherwise, in
//! the platform's error shape) and reports the configured wait for any queue id.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::Emulator;
use super::oauth::bearer_token;

/// `GET /api/v2/routing/queues/{queueId}/estimatedwaittime`.
pub async fn estimated_wait_time(
    State(emulator): State<Emulator>,
    Path(_queue_id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let authorized =
        bearer_token(&headers).is_some_and(|token| emulator.oauth_token_is_valid(token));
    if !authorized {
        return platform_unauthorized();
    }
    Json(json!({
        "results": [{
            "intent": "MESSAGE",
            "formula": "BEST",
            "estimatedWaitTimeSeconds": emulator.config().estimated_wait_seconds,
        }]
    }))
    .into_response()
}

/// The platform's 401 body (`ErrorBody`, PROTOCOL.md §2.3).
pub fn platform_unauthorized() -> Response {
    let body = json!({
        "message": "No authentication bearer token specified in authorization header.",
        "code": "authentication.required",
        "status": 401,
    });
    (StatusCode::UNAUTHORIZED, Json(body)).into_response()
}
