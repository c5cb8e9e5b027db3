//! The emulator's `POST /oauth/token` (client-credentials grant, PROTOCOL.md §2.1–2.2) and the
//! store of access tokens it issued, which the routing endpoint checks.
//!
//! It behaves like `login.<domain>`: Basic authentication with the configured test client,
//! `grant_type=client_credentials` in a form body, `{access_token, token_type, expires_in}` on
//! success, OAuth-style `{error, description, error_description}` on failure (401 bad client,
//! 400 bad grant). Fault injection can make the next requests answer 429 with `Retry-After` or 500,
//! and every request is counted for `/emulator/stats`. Tokens are opaque random strings and are
//! never logged.

use std::collections::HashMap;
use std::time::Duration;

use axum::Json;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde::Deserialize;
use serde_json::json;
use tokio::time::Instant;

use super::Emulator;
use super::session::saturating_add;

/// Upper bound on remembered tokens; a loop hammering `/oauth/token` cannot grow memory forever.
const MAX_TOKENS: usize = 1024;

/// Access tokens issued and when each expires.
#[derive(Debug, Default)]
pub struct OauthTokens {
    expiry_by_token: HashMap<String, Instant>,
}

impl OauthTokens {
    /// Remembers a freshly issued token.
    pub fn insert(&mut self, token: String, expires_at: Instant, now: Instant) {
        self.expiry_by_token.retain(|_, expiry| *expiry > now);
        if self.expiry_by_token.len() >= MAX_TOKENS {
            let oldest = self
                .expiry_by_token
                .iter()
                .min_by_key(|(_, expiry)| **expiry)
                .map(|(token, _)| token.clone());
            if let Some(oldest) = oldest {
                self.expiry_by_token.remove(&oldest);
            }
        }
        self.expiry_by_token.insert(token, expires_at);
    }

    /// True when `token` was issued here and has not expired.
    pub fn is_valid(&self, token: &str, now: Instant) -> bool {
        self.expiry_by_token
            .get(token)
            .is_some_and(|expiry| *expiry > now)
    }
}

/// The form body of a token request.
#[derive(Debug, Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    grant_type: String,
}

/// `POST /oauth/token`.
pub async fn token(
    State(emulator): State<Emulator>,
    headers: HeaderMap,
    form: Result<Form<TokenForm>, FormRejection>,
) -> Response {
    emulator.count_oauth_request();
    if let Some(failure) = emulator.faults().take_oauth_failure() {
        return forced_failure(failure.status, failure.retry_after);
    }
    let config = emulator.config();
    let authenticated = basic_credentials(&headers).is_some_and(|(id, secret)| {
        id == config.oauth_client_id && secret == config.oauth_client_secret
    });
    if !authenticated {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "client authentication failed",
        );
    }
    let grant_type = match form {
        Ok(Form(form)) => form.grant_type,
        Err(_) => String::new(),
    };
    if grant_type != "client_credentials" {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "only grant_type=client_credentials is supported",
        );
    }
    let lifetime = config.oauth_token_lifetime;
    let access_token = emulator.issue_oauth_token(lifetime);
    emulator.count_oauth_token_issued();
    Json(json!({
        "access_token": access_token,
        "token_type": "bearer",
        "expires_in": lifetime.as_secs(),
    }))
    .into_response()
}

/// The `(client_id, client_secret)` of a `Basic` Authorization header.
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let decoded = String::from_utf8(decoded).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    Some((id.to_owned(), secret.to_owned()))
}

/// The bearer token of an `Authorization: bearer <token>` header (scheme case-insensitive).
pub fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|token| !token.is_empty())
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    let body =
        json!({"error": error, "description": description, "error_description": description});
    (status, Json(body)).into_response()
}

/// A platform-style error for an injected failure (PROTOCOL.md §2.3).
fn forced_failure(status: u16, retry_after: u64) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let code = if status == StatusCode::TOO_MANY_REQUESTS {
        "too.many.requests.retry.after"
    } else {
        "internal.server.error"
    };
    let body = json!({
        "message": format!("Injected failure ({})", status.as_u16()),
        "code": code,
        "status": status.as_u16(),
    });
    let mut response = (status, Json(body)).into_response();
    if status == StatusCode::TOO_MANY_REQUESTS {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
    }
    response
}

impl Emulator {
    /// Issues and remembers an access token valid for `lifetime`.
    fn issue_oauth_token(&self, lifetime: Duration) -> String {
        let token = self.ids().secret();
        let now = Instant::now();
        self.oauth_tokens()
            .insert(token.clone(), saturating_add(now, lifetime), now);
        token
    }

    /// True when `token` is an unexpired access token this emulator issued.
    pub(crate) fn oauth_token_is_valid(&self, token: &str) -> bool {
        self.oauth_tokens().is_valid(token, Instant::now())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_basic_and_bearer_headers() {
        let mut headers = HeaderMap::new();
        let encoded = base64::engine::general_purpose::STANDARD.encode("id:se:cret");
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_str(&format!("Basic {encoded}")).unwrap(),
        );
        assert_eq!(
            basic_credentials(&headers),
            Some(("id".into(), "se:cret".into()))
        );
        assert_eq!(bearer_token(&headers), None);
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("bearer abc"),
        );
        assert_eq!(bearer_token(&headers), Some("abc"));
    }

    #[test]
    fn expired_tokens_are_not_valid() {
        let mut tokens = OauthTokens::default();
        let now = Instant::now();
        tokens.insert("t".into(), now + Duration::from_secs(1), now);
        assert!(tokens.is_valid("t", now));
        assert!(!tokens.is_valid("t", now + Duration::from_secs(1)));
        assert!(!tokens.is_valid("other", now));
    }
}
