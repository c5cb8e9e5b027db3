//! Start-up configuration: flags and environment variables, parsed once into a typed,
//! validated [`Config`] before anything binds or connects.
//!
//! Every setting is a flag with an environment variable (the flag wins). Values are read as
//! text by clap and validated here, so that a bad value stops start-up with a message naming the
//! variable, e.g. `GENESYS_REGION: unknown region 'eu-mars-1' (expected one of: …)`. With nothing
//! set, Parley runs on the embedded emulator at `http://127.0.0.1:8080`.
//!
//! The client secret is held as a [`Secret`]: `{:?}` on the config prints `[redacted]`, and
//! `--help` does not show its environment value.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use parley_shared::genesys::{Endpoints, Region};

use crate::oauth::ClientCredentials;
use crate::origins::AllowedOrigins;
use crate::secret::Secret;
use crate::serve::ConnectionLimits;

/// Raw command line / environment, before validation. See [`Config`] for the meaning. The
/// secret is held as a [`Secret`] from the moment it is parsed, so `{:?}` never shows it.
#[derive(Debug, Parser)]
#[command(
    name = "parley-server",
    version,
    about = "Parley: session grants, the browser bundle and the Genesys emulator"
)]
pub struct Args {
    /// `emulator` (default: everything on this server) or `genesys` (a real Genesys Cloud org).
    #[arg(long, env = "PARLEY_BACKEND", default_value = "emulator")]
    pub backend: String,
    /// Address to listen on.
    #[arg(long, env = "PARLEY_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: String,
    /// Folder of the built browser bundle (`trunk build` output).
    #[arg(long, env = "PARLEY_DIST", default_value = "dist")]
    pub dist: PathBuf,
    /// Public base URL of this server (e.g. https://chat.example.com) when it sits behind a
    /// proxy; used for emulator URLs in grants and as an allowed origin.
    #[arg(long, env = "PARLEY_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Comma-separated origins (sites) allowed to request grants and embed Parley, in addition
    /// to this server's own origins, which are always allowed.
    #[arg(long, env = "PARLEY_ALLOWED_ORIGINS")]
    pub allowed_origins: Option<String>,
    /// Grants per client IP per minute (0 disables the limit).
    #[arg(long, env = "PARLEY_GRANT_RATE_PER_MINUTE", default_value = "30")]
    pub grant_rate_per_minute: String,
    /// Take the client IP from the last `X-Forwarded-For` entry (only behind a trusted proxy).
    #[arg(long, env = "PARLEY_TRUST_FORWARDED_FOR", default_value = "false")]
    pub trust_forwarded_for: String,
    /// Genesys region id, e.g. us-east-1, eu-central-1.
    #[arg(long, env = "GENESYS_REGION")]
    pub genesys_region: Option<String>,
    /// Genesys domain, e.g. mypurecloud.de (alternative to the region).
    #[arg(long, env = "GENESYS_DOMAIN")]
    pub genesys_domain: Option<String>,
    /// Messenger deployment id (UUID); required with the genesys backend.
    #[arg(long, env = "GENESYS_DEPLOYMENT_ID")]
    pub genesys_deployment_id: Option<String>,
    /// OAuth client id (client-credentials grant), for server-side availability lookups.
    #[arg(long, env = "GENESYS_CLIENT_ID")]
    pub genesys_client_id: Option<String>,
    /// OAuth client secret. Never printed. Prefer the environment or the file variant: a flag
    /// is visible to every user of the machine in /proc/*/cmdline.
    #[arg(long, env = "GENESYS_CLIENT_SECRET", hide_env_values = true, value_parser = secret_arg)]
    pub genesys_client_secret: Option<Secret>,
    /// File holding the OAuth client secret (e.g. a mounted Docker/Kubernetes secret); a
    /// trailing newline is ignored. Alternative to GENESYS_CLIENT_SECRET.
    #[arg(long, env = "GENESYS_CLIENT_SECRET_FILE")]
    pub genesys_client_secret_file: Option<PathBuf>,
    /// Queue (UUID) whose estimated wait time is included in grants; needs the OAuth client.
    #[arg(long, env = "GENESYS_QUEUE_ID")]
    pub genesys_queue_id: Option<String>,
    /// Emulator: predictable ids and timings, for tests.
    #[arg(long, env = "PARLEY_EMULATOR_DETERMINISTIC", default_value = "false")]
    pub emulator_deterministic: String,
    /// Emulator: how long the scripted agent types before replying, in milliseconds.
    #[arg(long, env = "PARLEY_EMULATOR_AGENT_DELAY_MS")]
    pub emulator_agent_delay_ms: Option<String>,
    /// Emulator: guest session inactivity TTL, in seconds.
    #[arg(long, env = "PARLEY_EMULATOR_SESSION_TTL_SECS")]
    pub emulator_session_ttl_secs: Option<String>,
    /// Emulator: close a guest socket on which the client sent nothing for this many seconds
    /// (the session survives; browsers send a heartbeat every 30 s). 0 = never.
    #[arg(long, env = "PARLEY_EMULATOR_SOCKET_IDLE_SECS", default_value = "300")]
    pub emulator_socket_idle_secs: String,
    /// Emulator: whether history entries keep the `metadata` guests sent with their messages
    /// (`on`, the default) or lose it (`off`), as a real org might: Parley must then match
    /// history to its own sends by content and time.
    #[arg(long, env = "PARLEY_EMULATOR_HISTORY_METADATA", default_value = "on")]
    pub emulator_history_metadata: String,
    /// Emulator control endpoints (`/emulator/faults`, transcripts, stats; direct loopback
    /// callers only): `auto` (on unless PARLEY_PUBLIC_URL names a non-loopback host, i.e. the
    /// server is exposed), `on` or `off`.
    #[arg(long, env = "PARLEY_EMULATOR_CONTROL", default_value = "auto")]
    pub emulator_control: String,
    /// Seconds a client has to send complete request headers (also the keep-alive idle limit).
    #[arg(long, env = "PARLEY_HEADER_TIMEOUT_SECS", default_value = "10")]
    pub header_timeout_secs: String,
    /// Seconds a request has to be answered, body included (408 after).
    #[arg(long, env = "PARLEY_REQUEST_TIMEOUT_SECS", default_value = "30")]
    pub request_timeout_secs: String,
    /// Most connections open at once, guest WebSockets included; more wait to be accepted.
    #[arg(long, env = "PARLEY_MAX_CONNECTIONS", default_value = "20000")]
    pub max_connections: String,
    /// Emulator: a JSON file deep-merged over the deployment's default `config.json`
    /// (objects merge, other values replace), to play any Messenger setting.
    #[arg(long, env = "PARLEY_EMULATOR_DEPLOYMENT_CONFIG")]
    pub emulator_deployment_config: Option<String>,
}

/// Which Genesys the grants point at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// The emulator embedded in this server.
    Emulator,
    /// A real Genesys Cloud org.
    Genesys,
}

/// Emulator knobs exposed on the command line; `None` keeps the emulator's default.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EmulatorSettings {
    /// Predictable ids and timings.
    pub deterministic: bool,
    /// Scripted agent typing time before each reply.
    pub agent_reply_delay: Option<Duration>,
    /// Guest session inactivity TTL.
    pub session_ttl: Option<Duration>,
    /// Idle guest sockets are closed after this (`None` = never).
    pub socket_idle_timeout: Option<Duration>,
    /// History leaves out the `metadata` of guest messages (`PARLEY_EMULATOR_HISTORY_METADATA=off`).
    pub strip_history_metadata: bool,
    /// Whether the control endpoints exist (resolved from `auto` with the public URL).
    pub control_endpoints: bool,
    /// JSON object merged over the emulator's default `config.json`, read from the file named
    /// by `PARLEY_EMULATOR_DEPLOYMENT_CONFIG` at start-up.
    pub deployment_config_overlay: Option<serde_json::Value>,
}

/// The validated configuration.
#[derive(Clone, Debug)]
pub struct Config {
    /// Emulator or real Genesys.
    pub backend: Backend,
    /// Listen address.
    pub addr: SocketAddr,
    /// Bundle folder.
    pub dist: PathBuf,
    /// Public base URL without trailing slash, when configured.
    pub public_url: Option<String>,
    /// Extra allowed origins; this server's own origins are always allowed on top.
    pub allowed_origins: Option<AllowedOrigins>,
    /// Genesys endpoints (genesys backend only; the emulator's are derived at run time).
    pub genesys: Option<Endpoints>,
    /// Deployment id put in grants.
    pub deployment_id: String,
    /// OAuth client credentials, when configured.
    pub credentials: Option<ClientCredentials>,
    /// Queue for availability, when configured (implies credentials).
    pub queue_id: Option<String>,
    /// Grant rate limit per client IP per minute (0 = off).
    pub grant_rate_per_minute: u32,
    /// Whether to trust `X-Forwarded-For`.
    pub trust_forwarded_for: bool,
    /// Emulator knobs.
    pub emulator: EmulatorSettings,
    /// Header-read and request timeouts, connection cap.
    pub limits: ConnectionLimits,
}

/// A configuration error; its text names the variable.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("{variable}: {problem}")]
pub struct ConfigError {
    /// The environment variable (the flag has the matching name).
    pub variable: &'static str,
    /// What is wrong with it.
    pub problem: String,
}

fn invalid(variable: &'static str, problem: impl Into<String>) -> ConfigError {
    ConfigError {
        variable,
        problem: problem.into(),
    }
}

impl Config {
    /// Parses flags and environment; clap reports unknown flags itself.
    pub fn from_env() -> Result<Config, ConfigError> {
        Config::from_args(Args::parse())
    }

    /// Validates raw arguments into a [`Config`]. A variable set to an empty string counts as
    /// unset (as `FOO=` in a compose file means).
    pub fn from_args(mut args: Args) -> Result<Config, ConfigError> {
        for optional in [
            &mut args.public_url,
            &mut args.allowed_origins,
            &mut args.genesys_region,
            &mut args.genesys_domain,
            &mut args.genesys_deployment_id,
            &mut args.genesys_client_id,
            &mut args.genesys_queue_id,
            &mut args.emulator_agent_delay_ms,
            &mut args.emulator_session_ttl_secs,
            &mut args.emulator_deployment_config,
        ] {
            if optional
                .as_deref()
                .is_some_and(|value| value.trim().is_empty())
            {
                *optional = None;
            }
        }
        let backend = match args.backend.trim().to_ascii_lowercase().as_str() {
            "emulator" => Backend::Emulator,
            "genesys" => Backend::Genesys,
            other => {
                return Err(invalid(
                    "PARLEY_BACKEND",
                    format!("unknown backend '{other}' (expected emulator or genesys)"),
                ));
            }
        };
        let addr = args.addr.trim().parse().map_err(|_| {
            invalid(
                "PARLEY_ADDR",
                format!("'{}' is not an address such as 127.0.0.1:8080", args.addr),
            )
        })?;
        let public_url = args
            .public_url
            .as_deref()
            .map(|url| {
                let url = url.trim().trim_end_matches('/');
                Endpoints::custom(url)
                    .map(|_| url.to_owned())
                    .map_err(|e| invalid("PARLEY_PUBLIC_URL", e.to_string()))
            })
            .transpose()?;
        let allowed_origins = args
            .allowed_origins
            .as_deref()
            .map(|list| {
                AllowedOrigins::parse_list(list).map_err(|e| invalid("PARLEY_ALLOWED_ORIGINS", e))
            })
            .transpose()?;
        let genesys = genesys_endpoints(
            args.genesys_region.as_deref(),
            args.genesys_domain.as_deref(),
        )?;
        let genesys = match (backend, genesys) {
            (Backend::Genesys, None) => {
                return Err(invalid(
                    "GENESYS_REGION",
                    "the genesys backend needs GENESYS_REGION (e.g. us-east-1) or GENESYS_DOMAIN",
                ));
            }
            (Backend::Genesys, some) => some,
            (Backend::Emulator, _) => None,
        };
        let deployment_id = match (&args.genesys_deployment_id, backend) {
            (Some(id), _) => uuid_text("GENESYS_DEPLOYMENT_ID", id)?,
            (None, Backend::Emulator) => emulator_deployment_id(),
            (None, Backend::Genesys) => {
                return Err(invalid(
                    "GENESYS_DEPLOYMENT_ID",
                    "required with the genesys backend (the Messenger deployment's UUID)",
                ));
            }
        };
        let secret = client_secret(
            args.genesys_client_secret,
            args.genesys_client_secret_file.as_deref(),
        )?;
        let credentials = match (args.genesys_client_id, secret) {
            (None, None) => None,
            (Some(id), Some(secret)) if !id.trim().is_empty() => Some(ClientCredentials {
                client_id: id.trim().to_owned(),
                client_secret: secret,
            }),
            (Some(_), None) | (Some(_), Some(_)) => {
                return Err(invalid(
                    "GENESYS_CLIENT_SECRET",
                    "must be set (non-empty) together with GENESYS_CLIENT_ID",
                ));
            }
            (None, Some(_)) => {
                return Err(invalid(
                    "GENESYS_CLIENT_ID",
                    "must be set together with GENESYS_CLIENT_SECRET",
                ));
            }
        };
        let queue_id = args
            .genesys_queue_id
            .as_deref()
            .map(|id| uuid_text("GENESYS_QUEUE_ID", id))
            .transpose()?;
        if queue_id.is_some() && credentials.is_none() {
            return Err(invalid(
                "GENESYS_QUEUE_ID",
                "needs GENESYS_CLIENT_ID and GENESYS_CLIENT_SECRET to ask for the wait time",
            ));
        }
        let control_endpoints = match args.emulator_control.trim().to_ascii_lowercase().as_str() {
            "auto" | "" => public_url.as_deref().is_none_or(is_loopback_url),
            other => boolean("PARLEY_EMULATOR_CONTROL", other).map_err(|_| {
                invalid(
                    "PARLEY_EMULATOR_CONTROL",
                    format!("'{other}' is not auto, on or off"),
                )
            })?,
        };
        let history_metadata = match args.emulator_history_metadata.trim() {
            "" => true,
            other => boolean("PARLEY_EMULATOR_HISTORY_METADATA", other).map_err(|_| {
                invalid(
                    "PARLEY_EMULATOR_HISTORY_METADATA",
                    format!("'{other}' is not on or off"),
                )
            })?,
        };
        Ok(Config {
            backend,
            addr,
            dist: args.dist,
            public_url,
            allowed_origins,
            genesys,
            deployment_id,
            credentials,
            queue_id,
            grant_rate_per_minute: number(
                "PARLEY_GRANT_RATE_PER_MINUTE",
                &args.grant_rate_per_minute,
            )?,
            trust_forwarded_for: boolean("PARLEY_TRUST_FORWARDED_FOR", &args.trust_forwarded_for)?,
            emulator: EmulatorSettings {
                deterministic: boolean(
                    "PARLEY_EMULATOR_DETERMINISTIC",
                    &args.emulator_deterministic,
                )?,
                agent_reply_delay: args
                    .emulator_agent_delay_ms
                    .map(|ms| number("PARLEY_EMULATOR_AGENT_DELAY_MS", &ms))
                    .transpose()?
                    .map(Duration::from_millis),
                session_ttl: args
                    .emulator_session_ttl_secs
                    .map(|secs| number("PARLEY_EMULATOR_SESSION_TTL_SECS", &secs))
                    .transpose()?
                    .filter(|secs: &u64| *secs > 0)
                    .map(Duration::from_secs),
                socket_idle_timeout: Some(number::<u64>(
                    "PARLEY_EMULATOR_SOCKET_IDLE_SECS",
                    &args.emulator_socket_idle_secs,
                )?)
                .filter(|secs| *secs > 0)
                .map(Duration::from_secs),
                strip_history_metadata: !history_metadata,
                control_endpoints,
                deployment_config_overlay: args
                    .emulator_deployment_config
                    .as_deref()
                    .map(deployment_config_overlay)
                    .transpose()?,
            },
            limits: ConnectionLimits {
                header_read_timeout: positive_secs(
                    "PARLEY_HEADER_TIMEOUT_SECS",
                    &args.header_timeout_secs,
                )?,
                request_timeout: positive_secs(
                    "PARLEY_REQUEST_TIMEOUT_SECS",
                    &args.request_timeout_secs,
                )?,
                max_connections: match number("PARLEY_MAX_CONNECTIONS", &args.max_connections)? {
                    0 => return Err(invalid("PARLEY_MAX_CONNECTIONS", "must be at least 1")),
                    max => max,
                },
            },
        })
    }
}

/// Whether a public URL names this machine (`http://127.0.0.1:8081`, `http://localhost`): the
/// development loop behind trunk's proxy, not an exposed server.
fn is_loopback_url(url: &str) -> bool {
    let Ok(uri) = url.parse::<axum::http::Uri>() else {
        return false;
    };
    let host = uri.host().unwrap_or_default();
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Parses the secret flag / variable straight into a [`Secret`].
fn secret_arg(value: &str) -> Result<Secret, std::convert::Infallible> {
    Ok(Secret::new(value))
}

/// The client secret from GENESYS_CLIENT_SECRET or GENESYS_CLIENT_SECRET_FILE (not both); an
/// empty value counts as unset. The file's content is never put in an error message.
fn client_secret(
    direct: Option<Secret>,
    file: Option<&std::path::Path>,
) -> Result<Option<Secret>, ConfigError> {
    let direct = direct.filter(|secret| !secret.expose().is_empty());
    let file = file.filter(|path| !path.as_os_str().is_empty());
    match (direct, file) {
        (Some(_), Some(_)) => Err(invalid(
            "GENESYS_CLIENT_SECRET_FILE",
            "set either GENESYS_CLIENT_SECRET or GENESYS_CLIENT_SECRET_FILE, not both",
        )),
        (direct, None) => Ok(direct),
        (None, Some(path)) => {
            let text = std::fs::read_to_string(path).map_err(|error| {
                invalid(
                    "GENESYS_CLIENT_SECRET_FILE",
                    format!("cannot read {}: {}", path.display(), error.kind()),
                )
            })?;
            let secret = text.trim_end_matches(['\r', '\n']);
            if secret.is_empty() {
                return Err(invalid(
                    "GENESYS_CLIENT_SECRET_FILE",
                    format!("{} is empty", path.display()),
                ));
            }
            Ok(Some(Secret::new(secret)))
        }
    }
}

/// The deployment id the emulator serves out of the box.
fn emulator_deployment_id() -> String {
    crate::emulator::EmulatorConfig::default()
        .deployment_ids
        .first()
        .cloned()
        .unwrap_or_default()
}

fn genesys_endpoints(
    region: Option<&str>,
    domain: Option<&str>,
) -> Result<Option<Endpoints>, ConfigError> {
    let region = region
        .map(|name| name.parse::<Region>())
        .transpose()
        .map_err(|e| invalid("GENESYS_REGION", e.to_string()))?;
    let domain = domain
        .map(Endpoints::for_domain)
        .transpose()
        .map_err(|e| invalid("GENESYS_DOMAIN", e.to_string()))?;
    match (region, domain) {
        (Some(region), Some(domain)) if Endpoints::for_region(region) != domain => Err(invalid(
            "GENESYS_DOMAIN",
            format!(
                "does not match GENESYS_REGION {} ({}); set only one of them",
                region.name(),
                region.domain()
            ),
        )),
        (Some(region), _) => Ok(Some(Endpoints::for_region(region))),
        (None, domain) => Ok(domain),
    }
}

/// Reads the `PARLEY_EMULATOR_DEPLOYMENT_CONFIG` file: it must hold one JSON object.
fn deployment_config_overlay(path: &str) -> Result<serde_json::Value, ConfigError> {
    const VARIABLE: &str = "PARLEY_EMULATOR_DEPLOYMENT_CONFIG";
    let text = std::fs::read_to_string(path.trim())
        .map_err(|error| invalid(VARIABLE, format!("cannot read '{path}': {error}")))?;
    let value: serde_json::Value = serde_json::from_str(&text)
        .map_err(|error| invalid(VARIABLE, format!("'{path}' is not valid JSON: {error}")))?;
    if !value.is_object() {
        return Err(invalid(
            VARIABLE,
            format!("'{path}' must hold a JSON object (the settings to change)"),
        ));
    }
    Ok(value)
}

fn uuid_text(variable: &'static str, value: &str) -> Result<String, ConfigError> {
    uuid::Uuid::parse_str(value.trim())
        .map(|id| id.hyphenated().to_string())
        .map_err(|_| invalid(variable, format!("'{value}' is not a UUID")))
}

fn number<T: std::str::FromStr>(variable: &'static str, value: &str) -> Result<T, ConfigError> {
    value
        .trim()
        .parse()
        .map_err(|_| invalid(variable, format!("'{value}' is not a whole number")))
}

/// A whole number of seconds, at least 1.
fn positive_secs(variable: &'static str, value: &str) -> Result<Duration, ConfigError> {
    match number::<u64>(variable, value)? {
        0 => Err(invalid(variable, "must be at least 1 second")),
        secs => Ok(Duration::from_secs(secs)),
    }
}

fn boolean(variable: &'static str, value: &str) -> Result<bool, ConfigError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" | "" => Ok(false),
        _ => Err(invalid(
            variable,
            format!("'{value}' is not a boolean (true/false)"),
        )),
    }
}

#[cfg(test)]
#[path = "config_tests.rs"]
mod tests;
