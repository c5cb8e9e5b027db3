//! parley-headless's integration tests in one binary: each file is a module, so a test run links
//! once instead of once per file. `support` starts the real server with its emulator and drives
//! the `parley-headless` binary as a child process; `commands` covers `chat`, `check` and `load`,
//! `soak` is the small soak (every socket dropped every 2 s while `load` runs).

mod commands;
mod soak;
mod support;
