//! Where a headless guest gets its session grant: the answer to the engine's
//! [`parley_shared::engine::Effect::RequestSession`].
//!
//! Two sources, as in production: a Parley server (`POST {server}/api/session`, which may
//! resume a token), or Genesys directly with no server at all — then the guest token is made
//! here (a UUID v4, as the official Messenger does) and the URLs come from
//! [`parley_shared::genesys::Endpoints`] (a region, a domain, or a custom base such as the
//! emulator's `http://127.0.0.1:8080`).

use std::time::Duration;

use parley_shared::api::{ApiErrorBody, SessionGrant, SessionGrantRequest};
use parley_shared::engine::Grant;
use parley_shared::genesys::Endpoints;

/// Longest wait for a grant before the guest gives up with a clear message.
pub const GRANT_TIMEOUT: Duration = Duration::from_secs(10);

/// How a guest obtains session grants. Cheap to clone (the HTTP client is shared).
#[derive(Debug, Clone)]
pub enum GrantSource {
    /// A Parley server at this base URL.
    Server {
        /// e.g. `http://127.0.0.1:8080`, without a trailing slash.
        base_url: String,
        /// Shared connection pool.
        http: reqwest::Client,
    },
    /// Genesys (or the emulator) directly, no Parley server.
    Direct {
        /// Socket and API base URLs.
        endpoints: Endpoints,
        /// The Messenger deployment.
        deployment_id: String,
    },
}

/// Why no grant could be obtained; the text says what to check.
#[derive(Debug, thiserror::Error)]
pub enum GrantError {
    /// Nothing answered at the server's address (or it did not answer in time).
    #[error("cannot reach the Parley server at {url}: {reason}")]
    Unreachable {
        /// The URL called.
        url: String,
        /// What went wrong (connection refused, timeout …).
        reason: String,
    },
    /// The server answered with an error status.
    #[error("the Parley server refused a session ({status}): {message}")]
    Refused {
        /// The HTTP status.
        status: u16,
        /// The server's stable error code and message, when it sent one.
        message: String,
    },
    /// The answer was not a grant.
    #[error("the Parley server sent an unreadable grant: {0}")]
    BadBody(String),
}

impl GrantError {
    /// A short stable name for load reports (`grant_unreachable`, `grant_429` …).
    pub fn kind(&self) -> String {
        match self {
            GrantError::Unreachable { .. } => "grant_unreachable".to_owned(),
            GrantError::Refused { status, .. } => format!("grant_{status}"),
            GrantError::BadBody(_) => "grant_bad_body".to_owned(),
        }
    }
}

impl GrantSource {
    /// A Parley server source with its own HTTP client.
    pub fn server(base_url: &str) -> GrantSource {
        GrantSource::Server {
            base_url: base_url.trim().trim_end_matches('/').to_owned(),
            http: http_client(),
        }
    }

    /// Obtains a grant, resuming `resume` when given.
    pub async fn obtain(&self, resume: Option<String>) -> Result<Grant, GrantError> {
        match self {
            GrantSource::Server { base_url, http } => request_grant(http, base_url, resume)
                .await
                .map(|g| (&g).into()),
            GrantSource::Direct {
                endpoints,
                deployment_id,
            } => Ok(Grant {
                token: resume.unwrap_or_else(|| uuid::Uuid::new_v4().to_string()),
                websocket_url: endpoints.websocket_url(deployment_id),
                api_base_url: endpoints.api_base().to_owned(),
                deployment_id: deployment_id.clone(),
            }),
        }
    }

    /// The `Origin` a browser guest would send: that of the page it is on, which is the Parley
    /// server (it serves and embeds the chat); without a server, the API base's origin. The
    /// emulator refuses guest sockets without an allowed `Origin`, as Genesys restricts a
    /// deployment to its sites.
    pub fn page_origin(&self) -> String {
        match self {
            GrantSource::Server { base_url, .. } => origin_of(base_url),
            GrantSource::Direct { endpoints, .. } => origin_of(endpoints.api_base()),
        }
    }

    /// Where the emulator's control endpoints would be (`/emulator/…`): the Parley server, or
    /// the API host in direct mode. Only an emulator answers there.
    pub fn control_base(&self) -> &str {
        match self {
            GrantSource::Server { base_url, .. } => base_url,
            GrantSource::Direct { endpoints, .. } => endpoints.api_base(),
        }
    }

    /// The deployment id known before any grant (direct mode), else empty: a server's grant
    /// names it.
    pub fn deployment_id(&self) -> &str {
        match self {
            GrantSource::Server { .. } => "",
            GrantSource::Direct { deployment_id, .. } => deployment_id,
        }
    }
}

/// `scheme://host[:port]` of a URL (everything before the path).
fn origin_of(url: &str) -> String {
    let after_scheme = url.find("://").map_or(0, |at| at + 3);
    let end = url[after_scheme..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |at| after_scheme + at);
    url[..end].to_ascii_lowercase()
}

/// The HTTP client every guest of a process shares (grants and history), with time limits so
/// that nothing waits forever on a silent server.
pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(GRANT_TIMEOUT)
        .connect_timeout(GRANT_TIMEOUT)
        .build()
        .unwrap_or_default()
}

async fn request_grant(
    http: &reqwest::Client,
    base_url: &str,
    resume: Option<String>,
) -> Result<SessionGrant, GrantError> {
    let url = format!("{base_url}/api/session");
    let response = http
        .post(&url)
        .json(&SessionGrantRequest { resume })
        .send()
        .await
        .map_err(|error| GrantError::Unreachable {
            url: url.clone(),
            reason: describe_reqwest(&error),
        })?;
    let status = response.status();
    let body = response
        .text()
        .await
        .map_err(|error| GrantError::BadBody(describe_reqwest(&error)))?;
    if !status.is_success() {
        let message = serde_json::from_str::<ApiErrorBody>(&body)
            .map(|e| format!("{}: {}", e.error, e.message))
            .unwrap_or_else(|_| status.canonical_reason().unwrap_or("error").to_owned());
        return Err(GrantError::Refused {
            status: status.as_u16(),
            message,
        });
    }
    serde_json::from_str(&body).map_err(|error| GrantError::BadBody(error.to_string()))
}

/// reqwest's error with its cause chain ("error sending request: … Connection refused").
pub fn describe_reqwest(error: &reqwest::Error) -> String {
    let mut text = if error.is_timeout() {
        "timed out".to_owned()
    } else if error.is_connect() {
        "connection failed".to_owned()
    } else {
        error.to_string()
    };
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_origin_is_the_servers_scheme_host_and_port() {
        assert_eq!(
            GrantSource::server("http://127.0.0.1:8080/").page_origin(),
            "http://127.0.0.1:8080"
        );
        assert_eq!(
            GrantSource::server("https://Chat.Example.com/parley/").page_origin(),
            "https://chat.example.com"
        );
    }
}
