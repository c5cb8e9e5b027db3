//! The command line: `chat`, `check` and `load`, parsed once by clap, and the dispatch to each.
//!
//! Exit codes are part of the interface: 0 success; 1 a failure the command was there to find
//! (a check failed, a guest could not connect, messages were lost); 2 bad input (flags, a
//! malformed script); 130 interrupted with Ctrl-C.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use parley_shared::genesys::{Endpoints, Region};

use crate::grant::GrantSource;

/// Exit code for a failure the command was meant to detect.
pub const EXIT_FAILED: u8 = 1;
/// Exit code for bad input.
pub const EXIT_USAGE: u8 = 2;
/// Exit code after Ctrl-C.
pub const EXIT_INTERRUPTED: u8 = 130;

/// `parley-headless`: a terminal guest for Genesys Web Messaging.
#[derive(Debug, Parser)]
#[command(name = "parley-headless", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Chat interactively: lines typed are sent; a number picks a quick reply or card button;
    /// Ctrl-D leaves.
    Chat(ChatArgs),
    /// Run scripted conversation checks (YAML) against a bot flow.
    Check(CheckArgs),
    /// Drive many guests at once and report latencies (benchmark driver).
    Load(LoadArgs),
}

/// Where the guest connects.
#[derive(Debug, Clone, Args)]
pub struct Target {
    /// Parley server that hands out session grants.
    #[arg(long, env = "PARLEY_SERVER", default_value = "http://127.0.0.1:8080")]
    pub server: String,
    /// Connect straight to Genesys in this region (e.g. eu-central-1), without a Parley server.
    #[arg(long, conflicts_with_all = ["domain", "genesys_url"], requires = "deployment_id")]
    pub region: Option<Region>,
    /// Connect straight to Genesys at this domain (e.g. mypurecloud.de).
    #[arg(long, conflicts_with = "genesys_url", requires = "deployment_id")]
    pub domain: Option<String>,
    /// Connect straight to a Genesys-compatible server at this base URL (e.g. the emulator at
    /// http://127.0.0.1:8080), without asking it for a grant.
    #[arg(long, requires = "deployment_id")]
    pub genesys_url: Option<String>,
    /// Messenger deployment id (direct connections only).
    #[arg(long, env = "GENESYS_DEPLOYMENT_ID")]
    pub deployment_id: Option<String>,
    /// Seconds allowed for opening each WebSocket.
    #[arg(long, default_value_t = 10)]
    pub connect_timeout: u64,
}

impl Target {
    /// The grant source these flags describe, or a message naming the bad flag.
    pub fn grant_source(&self) -> Result<GrantSource, String> {
        let endpoints = if let Some(region) = self.region {
            Some(Endpoints::for_region(region))
        } else if let Some(domain) = &self.domain {
            Some(Endpoints::for_domain(domain).map_err(|e| format!("--domain: {e}"))?)
        } else if let Some(url) = &self.genesys_url {
            Some(Endpoints::custom(url).map_err(|e| format!("--genesys-url: {e}"))?)
        } else {
            None
        };
        match endpoints {
            Some(endpoints) => Ok(GrantSource::Direct {
                endpoints,
                deployment_id: self
                    .deployment_id
                    .clone()
                    .ok_or("--deployment-id is required for a direct connection")?,
            }),
            None => {
                if !self.server.starts_with("http://") && !self.server.starts_with("https://") {
                    return Err(format!(
                        "--server: '{}' is not an http:// or https:// URL",
                        self.server
                    ));
                }
                Ok(GrantSource::server(&self.server))
            }
        }
    }

    /// The socket open time limit.
    pub fn connect_timeout(&self) -> Duration {
        Duration::from_secs(self.connect_timeout.max(1))
    }
}

/// `chat` flags.
#[derive(Debug, Args)]
pub struct ChatArgs {
    /// Where to connect.
    #[command(flatten)]
    pub target: Target,
    /// Resume the conversation of this guest token.
    #[arg(long)]
    pub resume: Option<String>,
    /// Print one JSON event per line instead of text (schema in headless/README.md).
    #[arg(long)]
    pub json: bool,
    /// Print the guest session token once connected (it is a secret: whoever has it can read
    /// and write the conversation), so that it can be resumed with `--resume`.
    #[arg(long)]
    pub show_token: bool,
    /// Keep the session token and the messages not yet confirmed in this file (JSON, a
    /// secret): started again with the same file, the guest resumes the conversation and
    /// sends what it had not seen confirmed, once.
    #[arg(long, value_name = "FILE")]
    pub state: Option<std::path::PathBuf>,
}

/// `check` flags.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The YAML scripts to run.
    #[arg(required = true)]
    pub scripts: Vec<PathBuf>,
    /// Where to connect.
    #[command(flatten)]
    pub target: Target,
    /// Scripts run in parallel.
    #[arg(long, default_value_t = 1)]
    pub jobs: usize,
}

/// `load` flags.
#[derive(Debug, Args)]
pub struct LoadArgs {
    /// Where to connect.
    #[command(flatten)]
    pub target: Target,
    /// Concurrent guests.
    #[arg(long, default_value_t = 10)]
    pub guests: usize,
    /// Messages per second each guest sends (0.2 = one every 5 s).
    #[arg(long, default_value_t = 0.2)]
    pub rate: f64,
    /// Seconds of steady sending after the ramp.
    #[arg(long, default_value_t = 30.0)]
    pub duration: f64,
    /// Seconds over which guests join, evenly spread.
    #[arg(long, default_value_t = 5.0)]
    pub ramp: f64,
    /// Seconds to wait for outstanding echoes and replies after sending stops.
    #[arg(long, default_value_t = 5.0)]
    pub drain: f64,
    /// Print the final report as one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// Runs the parsed command line to its exit code.
pub async fn run(cli: Cli) -> u8 {
    match cli.command {
        Command::Chat(args) => {
            crate::chat::run(args, tokio::io::stdin(), tokio::io::stdout()).await
        }
        Command::Check(args) => crate::check::run(args).await,
        Command::Load(args) => crate::load::run(args).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Parser)]
    struct Wrapper {
        #[command(flatten)]
        target: Target,
    }

    fn target(args: &[&str]) -> Target {
        Wrapper::try_parse_from(std::iter::once("t").chain(args.iter().copied()))
            .unwrap()
            .target
    }

    #[test]
    fn a_region_connects_straight_to_its_webmessaging_host() {
        let source = target(&["--region", "eu-central-1", "--deployment-id", "d-1"])
            .grant_source()
            .unwrap();
        let GrantSource::Direct {
            endpoints,
            deployment_id,
        } = source
        else {
            panic!("expected a direct connection");
        };
        assert_eq!(deployment_id, "d-1");
        assert_eq!(
            endpoints.websocket_url("d-1"),
            "wss://webmessaging.mypurecloud.de/v1?deploymentId=d-1"
        );
    }

    #[test]
    fn bad_targets_name_the_flag() {
        // A region is typed: clap refuses an unknown one while parsing, naming flag and value.
        let error = Wrapper::try_parse_from(["t", "--region", "eu-mars-1", "--deployment-id", "d"])
            .err()
            .expect("an unknown region is refused")
            .to_string();
        assert!(
            error.contains("--region") && error.contains("unknown region 'eu-mars-1'"),
            "{error}"
        );
        let error = target(&["--server", "ftp://x"]).grant_source().unwrap_err();
        assert!(error.starts_with("--server:"), "{error}");
        assert!(
            Wrapper::try_parse_from(["t", "--region", "eu-central-1"]).is_err(),
            "a direct connection needs --deployment-id"
        );
    }
}
