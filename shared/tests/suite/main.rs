//! parley-shared's integration tests in one binary: each file is a module, so a test run links
//! once instead of once per file (on two cores the link steps were most of the build).
//! `engine_*` drive the conversation engine through `engine_harness`, a fake driver with a
//! hand-driven clock; `genesys_*` decode and encode the wire types.

mod engine_deployment;
mod engine_end_and_expiry;
mod engine_fuzz;
mod engine_harness;
mod engine_messages;
mod engine_props;
mod engine_session;
mod engine_tabs;
mod engine_uploads;
mod engine_whole_history;
mod genesys_frames;
mod genesys_requests;
