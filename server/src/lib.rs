//! parley-server: hands out guest session grants, keeps the Genesys OAuth credentials
//! server-side, serves the browser bundle, and (by default) hosts the Genesys emulator on the
//! same port.
//!
//! Data flow: [`config`] parses flags and environment once; [`state`] builds the shared
//! [`AppState`] from it; [`app`] wires the routes ([`routes`], [`static_files`], [`emulator`])
//! and the cross-cutting layers ([`security_headers`], [`telemetry`], CORS from [`origins`]).
//! Grants consult [`rate_limit`] and, when configured, [`availability`], which uses [`oauth`];
//! grants and `GET /api/config` read the deployment's settings from [`deployment_config`].

pub mod app;
pub mod availability;
pub mod client_ip;
pub mod clock;
pub mod config;
pub mod deployment_config;
pub mod emulator;
pub mod error;
pub mod oauth;
pub mod origins;
pub mod rate_limit;
pub mod routes;
pub mod secret;
pub mod security_headers;
pub mod serve;
pub mod single_flight;
pub mod state;
pub mod static_files;
pub mod telemetry;

pub use app::app;
pub use config::Config;
pub use state::AppState;
