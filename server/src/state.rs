//! Everything the handlers share, built once from the [`Config`] and the address the server
//! actually bound (which is only known after binding, e.g. with port 0 in tests).
//!
//! In emulator mode the "upstream" Genesys is this very server: the OAuth client and the
//! availability lookup call `http://<bound address>/oauth/token` and
//! `/api/v2/routing/queues/…`, exercising the same reqwest code paths as production.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use parley_shared::api::Features;
use parley_shared::genesys::Endpoints;

use crate::availability::{AvailabilityClient, DEFAULT_AVAILABILITY_TTL};
use crate::clock::Clock;
use crate::config::{Backend, Config};
use crate::deployment_config::{
    CachePolicy, DeploymentConfigCache, DocumentSource, EmulatorDocumentSource, HttpDocumentSource,
};
use crate::emulator::{Emulator, EmulatorConfig};
use crate::oauth::{OAuthClient, RetryPolicy};
use crate::origins::AllowedOrigins;
use crate::rate_limit::{DEFAULT_MAX_CLIENTS, GrantRateLimiter};
use crate::security_headers::Backend as CspBackend;

/// Time limit for one upstream (Genesys) HTTP request.
const UPSTREAM_TIMEOUT: Duration = Duration::from_secs(5);

/// Knobs tests turn; production uses `Default`.
#[derive(Clone, Debug)]
pub struct StateOptions {
    /// Clock for the caches and the rate limiter.
    pub clock: Clock,
    /// Retries for the OAuth token endpoint.
    pub retry_policy: RetryPolicy,
    /// How long an availability answer is reused.
    pub availability_ttl: Duration,
    /// How long a grant waits for availability before it is issued without.
    pub availability_wait: Duration,
    /// Timeout and lifetimes of the deployment `config.json` cache.
    pub deployment_config_policy: CachePolicy,
    /// Replaces the deployment document's source (tests); `None` picks the CDN or the emulator
    /// from the configuration.
    pub deployment_document_source: Option<Arc<dyn DocumentSource>>,
}

/// How long a grant waits for the queue's availability (optional) before going without it.
pub const DEFAULT_AVAILABILITY_WAIT: Duration = Duration::from_secs(1);

impl Default for StateOptions {
    fn default() -> Self {
        Self {
            clock: Clock::system(),
            retry_policy: RetryPolicy::default(),
            availability_ttl: DEFAULT_AVAILABILITY_TTL,
            availability_wait: DEFAULT_AVAILABILITY_WAIT,
            deployment_config_policy: CachePolicy::default(),
            deployment_document_source: None,
        }
    }
}

/// Where grants send the client.
#[derive(Clone, Debug)]
pub enum GrantTarget {
    /// Fixed Genesys endpoints.
    Genesys(Endpoints),
    /// This server; the base URL comes from `public_url`, else the request's `Host`, else
    /// `fallback_base`.
    Emulator {
        /// Configured public base URL.
        public_url: Option<String>,
        /// `http://<bound address>`.
        fallback_base: String,
    },
}

/// Shared handler state; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// Where grants point.
    pub target: Arc<GrantTarget>,
    /// Deployment id in grants.
    pub deployment_id: Arc<str>,
    /// Features advertised in grants.
    pub features: Features,
    /// Browser origins allowed to request grants and to frame the page.
    pub origins: AllowedOrigins,
    /// Per-IP grant limiter.
    pub limiter: Arc<GrantRateLimiter>,
    /// Whether `X-Forwarded-For` names the client.
    pub trust_forwarded_for: bool,
    /// Estimated-wait lookups, when a queue and credentials are configured.
    pub availability: Option<Arc<AvailabilityClient>>,
    /// How long a grant waits for availability.
    pub availability_wait: Duration,
    /// The bundle folder.
    pub dist: PathBuf,
    /// The embedded emulator (emulator backend only).
    pub emulator: Option<Emulator>,
    /// The deployment's Messenger settings for the window (grants and `GET /api/config`).
    pub window_config: Arc<DeploymentConfigCache>,
    /// Clock for the rate limiter.
    pub clock: Clock,
    /// Time a request has to be answered.
    pub request_timeout: Duration,
    /// The hosts the page may connect to and load images from (CSP).
    pub csp_backend: CspBackend,
    /// Whether the server is reached over https (its public URL), for HSTS.
    pub https: bool,
}

impl AppState {
    /// State for a server bound at `local_addr`, with production options.
    pub fn new(config: &Config, local_addr: SocketAddr) -> AppState {
        AppState::with_options(config, local_addr, StateOptions::default())
    }

    /// State with explicit options (fake clock, fast retries) for tests.
    pub fn with_options(
        config: &Config,
        local_addr: SocketAddr,
        options: StateOptions,
    ) -> AppState {
        let self_base = format!("http://{}", reachable(local_addr));
        // The server's own origins are always allowed (the bundle served from here calls the
        // API same-origin); PARLEY_ALLOWED_ORIGINS adds the sites that embed Parley.
        let mut origins = AllowedOrigins::own(local_addr, config.public_url.as_deref());
        if let Some(configured) = &config.allowed_origins {
            origins.extend(configured);
        }
        let (target, upstream, emulator) = match (&config.backend, &config.genesys) {
            (Backend::Genesys, Some(endpoints)) => (
                GrantTarget::Genesys(endpoints.clone()),
                endpoints.clone(),
                None,
            ),
            _ => {
                let upstream = Endpoints::custom(&self_base)
                    .expect("an http:// base built from a socket address");
                let target = GrantTarget::Emulator {
                    public_url: config.public_url.clone(),
                    fallback_base: self_base.clone(),
                };
                (
                    target,
                    upstream,
                    Some(Emulator::new(emulator_config(config, &origins))),
                )
            }
        };
        let availability = match (&config.credentials, &config.queue_id) {
            (Some(credentials), Some(queue_id)) => {
                let http = reqwest::Client::builder()
                    .timeout(UPSTREAM_TIMEOUT)
                    .build()
                    .expect("reqwest client with rustls builds");
                let oauth = Arc::new(OAuthClient::new(
                    http.clone(),
                    upstream.token_url(),
                    credentials.clone(),
                    options.retry_policy,
                    options.clock.clone(),
                ));
                Some(Arc::new(AvailabilityClient::new(
                    http,
                    upstream.api_base(),
                    queue_id,
                    oauth,
                    options.availability_ttl,
                    options.clock.clone(),
                )))
            }
            _ => None,
        };
        let csp_backend = csp_backend(
            &target,
            &AllowedOrigins::own(local_addr, config.public_url.as_deref()),
        );
        let document_source = options
            .deployment_document_source
            .clone()
            .unwrap_or_else(|| {
                document_source(
                    config,
                    &upstream,
                    emulator.as_ref(),
                    &self_base,
                    options.deployment_config_policy.timeout,
                )
            });
        AppState {
            window_config: DeploymentConfigCache::new(
                document_source,
                options.deployment_config_policy,
                options.clock.clone(),
            ),
            target: Arc::new(target),
            deployment_id: config.deployment_id.as_str().into(),
            features: Features::default(),
            origins,
            limiter: Arc::new(GrantRateLimiter::new(
                config.grant_rate_per_minute,
                DEFAULT_MAX_CLIENTS,
            )),
            trust_forwarded_for: config.trust_forwarded_for,
            availability,
            availability_wait: options.availability_wait,
            dist: config.dist.clone(),
            emulator,
            clock: options.clock,
            request_timeout: config.limits.request_timeout,
            csp_backend,
            https: config
                .public_url
                .as_deref()
                .is_some_and(|url| url.starts_with("https://")),
        }
    }
}

/// Where the deployment's `config.json` comes from: the emulator in-process, else the CDN of
/// the configured region.
fn document_source(
    config: &Config,
    upstream: &Endpoints,
    emulator: Option<&Emulator>,
    self_base: &str,
    timeout: Duration,
) -> Arc<dyn DocumentSource> {
    match emulator {
        Some(emulator) => Arc::new(EmulatorDocumentSource::new(
            emulator.clone(),
            config.deployment_id.clone(),
            config
                .public_url
                .clone()
                .unwrap_or_else(|| self_base.to_owned()),
        )),
        None => {
            let http = reqwest::Client::builder()
                .timeout(timeout)
                .build()
                .expect("reqwest client with rustls builds");
            Arc::new(HttpDocumentSource::new(
                http,
                upstream.deployment_config_url(&config.deployment_id),
            ))
        }
    }
}

/// The emulator's settings from Parley's configuration: it serves the configured deployment,
/// accepts the configured OAuth client (so that availability works against it unchanged), and
/// takes the knobs exposed as flags. Guest sockets, history and uploads accept the same browser
/// origins as grants.
fn emulator_config(config: &Config, origins: &AllowedOrigins) -> EmulatorConfig {
    let mut emulator = EmulatorConfig::default();
    if !emulator.deployment_ids.contains(&config.deployment_id) {
        emulator.deployment_ids.push(config.deployment_id.clone());
    }
    emulator.deterministic = config.emulator.deterministic;
    if let Some(delay) = config.emulator.agent_reply_delay {
        emulator.agent_reply_delay = delay;
    }
    if let Some(ttl) = config.emulator.session_ttl {
        emulator.session_ttl = ttl;
    }
    emulator.socket_idle_timeout = config.emulator.socket_idle_timeout;
    emulator.strip_history_metadata = config.emulator.strip_history_metadata;
    emulator.control_endpoints = config.emulator.control_endpoints;
    emulator.allowed_origins = Some(origins.as_slice().to_vec());
    if let Some(credentials) = &config.credentials {
        emulator.oauth_client_id = credentials.client_id.clone();
        emulator.oauth_client_secret = credentials.client_secret.expose().to_owned();
    }
    emulator.public_base_url = config.public_url.clone();
    emulator.deployment_config_overlay = config.emulator.deployment_config_overlay.clone();
    emulator
}

/// What the page talks to: the Genesys region's hosts, or (emulator) this server under every
/// origin it is reached by.
fn csp_backend(target: &GrantTarget, own: &AllowedOrigins) -> CspBackend {
    match target {
        GrantTarget::Genesys(endpoints) => {
            match endpoints.api_base().strip_prefix("https://api.") {
                Some(domain) => CspBackend::Region(domain.to_owned()),
                None => CspBackend::Origins(vec![endpoints.api_base().to_owned()]),
            }
        }
        GrantTarget::Emulator { .. } => CspBackend::Origins(own.as_slice().to_vec()),
    }
}

/// An address this process can connect to: a wildcard bind is reached through loopback.
fn reachable(addr: SocketAddr) -> SocketAddr {
    match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => {
            SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), addr.port())
        }
        IpAddr::V6(ip) if ip.is_unspecified() => {
            SocketAddr::new(IpAddr::V6(std::net::Ipv6Addr::LOCALHOST), addr.port())
        }
        _ => addr,
    }
}
