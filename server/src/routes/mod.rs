//! Parley's own HTTP endpoints: `POST /api/session`, `GET /api/config` and `GET /healthz`.

pub mod health;
pub mod session;
pub mod window_config;
