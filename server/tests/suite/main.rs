//! parley-server's integration tests in one binary: each file is a module, so a test run links
//! once instead of once per file (on two cores the link steps were most of the build).
//! `common` holds the HTTP-side helpers (config from flags, a fake Genesys, a served app);
//! `emulator_support` starts the emulator and opens guest sockets for the `emulator_*` tests.
//! The one test outside is `../no_secrets_leak.rs`: it captures the process's logging, so it
//! needs a process of its own.

mod common;
mod connection_limits;
mod emulator_agent;
mod emulator_attachments;
mod emulator_faults;
mod emulator_history;
mod emulator_limits;
mod emulator_messaging;
mod emulator_platform;
mod emulator_session;
mod emulator_support;
mod http_api;
mod live_server;
mod oauth_cache;
mod startup;
mod window_config;
