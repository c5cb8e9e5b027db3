//! `POST /api/session`: hands a browser (or headless guest) a session grant.
//!
//! Order of checks: the `Origin` allowlist (403), the per-IP rate limit (429 + `Retry-After`),
//! the JSON body (415 / 400; 413 over 4 KiB), then availability when configured. Availability is optional:
//! when Genesys cannot answer within [`AppState::availability_wait`] (or fails), the grant is
//! issued without it, and the lookup goes on in the background to fill the cache for the
//! next grants. The guest token is a fresh UUID v4, or the client's own token when it asks to resume
//! with a well-formed one (Genesys treats the token as the guest identity; the server issues it
//! so that the browser need not, and refuses to echo anything unsafe).
//!
//! The deployment's window settings ride along from the cache in `crate::deployment_config`
//! when it has them; the grant never waits for the CDN.
//!
//! URLs: in genesys mode they come from the region/domain endpoints. In emulator mode they point
//! at this server: the configured public URL (`PARLEY_PUBLIC_URL`) when set — the right choice
//! behind a proxy — otherwise the request's `Host` (so a browser that reached the server as
//! `localhost:8080`, or through trunk's dev proxy, gets URLs it can reach), otherwise the bound
//! address. A `Host` that is not a plain `host[:port]` is ignored.

use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::{HeaderMap, Uri, header};
use parley_shared::api::{Availability, SessionGrant, SessionGrantRequest, is_valid_guest_token};
use parley_shared::genesys::Endpoints;

use crate::availability::AvailabilityClient;
use crate::client_ip::ClientIp;
use crate::error::ApiError;
use crate::state::{AppState, GrantTarget};

/// Largest grant request body: the request is `{"resume": "<uuid>"}` at most, so anything
/// bigger is refused (413) before it is buffered (axum's default would be 2 MB).
pub const MAX_BODY_BYTES: usize = 4 * 1024;

/// Issues a session grant.
pub async fn create_session(
    State(state): State<AppState>,
    ClientIp(client): ClientIp,
    headers: HeaderMap,
    uri: Uri,
    body: Result<Json<SessionGrantRequest>, JsonRejection>,
) -> Result<Json<SessionGrant>, ApiError> {
    if let Some(origin) = headers.get(header::ORIGIN)
        && !state.origins.allows(origin)
    {
        return Err(ApiError::OriginNotAllowed);
    }
    state
        .limiter
        .check(client, state.clock.now())
        .map_err(|retry_after| ApiError::RateLimited { retry_after })?;
    let Json(request) = body?;

    let token = request
        .resume
        .filter(|token| is_valid_guest_token(token))
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let endpoints = endpoints_for(&state.target, &headers, &uri);
    let availability = match &state.availability {
        Some(availability) => bounded_lookup(availability, state.availability_wait).await,
        None => None,
    };
    Ok(Json(SessionGrant {
        token,
        websocket_url: endpoints.websocket_url(&state.deployment_id),
        api_base_url: endpoints.api_base().to_owned(),
        deployment_id: state.deployment_id.to_string(),
        features: state.features.clone(),
        availability,
        window_config: state.window_config.snapshot(),
    }))
}

/// The queue's availability if it is known within `wait`; `None` (and a log line) otherwise.
/// The lookup runs in its own task so that a grant giving up does not cancel it.
async fn bounded_lookup(
    availability: &Arc<AvailabilityClient>,
    wait: Duration,
) -> Option<Availability> {
    let availability = Arc::clone(availability);
    let lookup = tokio::spawn(async move { availability.current().await });
    match tokio::time::timeout(wait, lookup).await {
        Ok(Ok(Ok(value))) => Some(value),
        Ok(Ok(Err(error))) => {
            tracing::warn!(%error, "grant issued without availability: Genesys unavailable");
            None
        }
        Ok(Err(_panicked)) => None,
        Err(_elapsed) => {
            tracing::warn!(?wait, "grant issued without availability: Genesys is slow");
            None
        }
    }
}

fn endpoints_for(target: &GrantTarget, headers: &HeaderMap, uri: &Uri) -> Endpoints {
    match target {
        GrantTarget::Genesys(endpoints) => endpoints.clone(),
        GrantTarget::Emulator {
            public_url,
            fallback_base,
        } => {
            let from_request = request_host(headers, uri).map(|host| format!("http://{host}"));
            let base = public_url
                .clone()
                .or(from_request)
                .unwrap_or_else(|| fallback_base.clone());
            Endpoints::custom(&base)
                .or_else(|_| Endpoints::custom(fallback_base))
                .expect("the fallback base is an http:// URL")
        }
    }
}

/// The `Host` header (HTTP/1.1) or the URI authority (HTTP/2), if it is a plain `host[:port]`.
fn request_host(headers: &HeaderMap, uri: &Uri) -> Option<String> {
    let host = headers
        .get(header::HOST)
        .and_then(|value| value.to_str().ok())
        .or_else(|| uri.authority().map(|authority| authority.as_str()))?;
    let plain = !host.is_empty()
        && host.len() <= 255
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'));
    plain.then(|| host.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers_with_host(host: &'static str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, HeaderValue::from_static(host));
        headers
    }

    fn emulator(public_url: Option<&str>) -> GrantTarget {
        GrantTarget::Emulator {
            public_url: public_url.map(str::to_owned),
            fallback_base: "http://127.0.0.1:8080".into(),
        }
    }

    #[test]
    fn emulator_urls_follow_the_request_host() {
        let endpoints = endpoints_for(
            &emulator(None),
            &headers_with_host("localhost:9000"),
            &Uri::from_static("/api/session"),
        );
        assert_eq!(endpoints.api_base(), "http://localhost:9000");
        assert_eq!(
            endpoints.websocket_url("d"),
            "ws://localhost:9000/v1?deploymentId=d"
        );
    }

    #[test]
    fn emulator_urls_prefer_the_public_url() {
        let endpoints = endpoints_for(
            &emulator(Some("https://chat.example.com")),
            &headers_with_host("localhost:9000"),
            &Uri::from_static("/api/session"),
        );
        assert_eq!(
            endpoints.websocket_url("d"),
            "wss://chat.example.com/v1?deploymentId=d"
        );
    }

    #[test]
    fn odd_host_headers_fall_back_to_the_bound_address() {
        let endpoints = endpoints_for(
            &emulator(None),
            &headers_with_host("evil.example/path?x"),
            &Uri::from_static("/api/session"),
        );
        assert_eq!(endpoints.api_base(), "http://127.0.0.1:8080");
        let endpoints = endpoints_for(&emulator(None), &HeaderMap::new(), &Uri::from_static("/"));
        assert_eq!(endpoints.api_base(), "http://127.0.0.1:8080");
    }
}
