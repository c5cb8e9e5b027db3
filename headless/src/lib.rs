//! `parley-headless`: a terminal guest for Genesys Web Messaging (or Parley's emulator).
//!
//! Data flow: [`cli`] parses the command line; [`grant`] obtains session grants (from a Parley
//! server, or made locally for a direct Genesys connection); [`driver`] runs one
//! [`parley_shared::engine::Engine`] per guest with tokio and reports [`events::GuestEvent`]s,
//! which the three front ends consume: [`chat`] prints them for a person or a pipe, [`check`]
//! matches them against YAML scripts, [`load`] times them across many guests.

pub mod chat;
pub mod check;
pub mod cli;
pub mod driver;
pub mod events;
pub mod grant;
pub mod load;
pub mod terminal;

pub use cli::{Cli, run};
