//! `GET /healthz`: liveness for load balancers and scripts. It checks nothing upstream, so a
//! Genesys outage does not take every replica out of rotation.

/// Answers `ok`.
pub async fn healthz() -> &'static str {
    "ok"
}
