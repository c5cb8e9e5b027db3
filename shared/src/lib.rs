//! Parley's shared core: compiled natively (server, headless) and to wasm32 (frontend).
//!
//! - [`genesys`]: serde types for the Genesys Cloud Web Messaging guest protocol.
//! - [`api`]: Parley's own HTTP API between the browser and parley-server.
//! - [`engine`]: the sans-I/O conversation engine that both clients drive.
//! - [`color`]: hex colours and WCAG contrast for the deployment's accent.
//! - [`markdown`]: the limited markdown of agent messages, as a tree of typed nodes.
//! - [`prechat`]: the pre-chat form's fields and the checks of its answers.
//! - [`transcript_export`]: the conversation as a plain-text or HTML file for the visitor.
//!
//! Nothing in this crate performs I/O or reads a clock.

pub mod api;
pub mod color;
pub mod engine;
pub mod genesys;
pub mod markdown;
pub mod prechat;
pub mod transcript_export;
