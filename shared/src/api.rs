//! Parley's own HTTP API between the browser (or headless guest) and parley-server.
