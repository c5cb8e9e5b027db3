//! Parley's own HTTP endpoints: `POST /api/session` and `GET /healthz`.

pub mod health;
pub mod session;
