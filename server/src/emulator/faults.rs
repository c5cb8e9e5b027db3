//! Fault injection: the knobs tests turn to prove that clients lose nothing when the network or
//! the server misbehaves. `POST /emulator/faults` (direct local callers only, see `access`) takes one [`Fault`] as
//! JSON, tagged by `"fault"`:
//!
//! ```json
//! {"fault":"drop_sockets"}                       {"fault":"drop_sockets","token":"<token>"}
//! {"fault":"refuse_sockets","seconds":5}         {"fault":"delay_frames","ms":200}
//! {"fault":"reorder_frames","enabled":true}      {"fault":"force_rate_limit","count":3}
//! {"fault":"expire_session","token":"<token>"}   {"fault":"oauth_failure","status":429,"count":2,"retry_after":7}
//! {"fault":"reset"}
//! ```
//!
//! This module holds the fault switches and answers "is this fault active now?"; the socket loop,
//! the writer, the send path and the OAuth handler each consult it at the point where the fault
//! bites.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::time::Instant;

use super::session::saturating_add;

/// One fault to inject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "fault", rename_all = "snake_case", deny_unknown_fields)]
pub enum Fault {
    /// Cut live guest sockets abruptly (no close frame), all of them or one token's.
    DropSockets {
        /// Only this session's connections; `None` = every connection.
        #[serde(default)]
        token: Option<String>,
    },
    /// Answer new socket upgrades with 503 for this many seconds (0 lifts the refusal).
    RefuseSockets {
        /// How long to refuse.
        seconds: u64,
    },
    /// Hold every outbound socket frame this long before sending it (0 = no delay).
    DelayFrames {
        /// Delay in milliseconds.
        ms: u64,
    },
    /// Swap each consecutive pair of outbound frames on every connection, reproducing the
    /// out-of-order delivery Genesys warns about (a lone held frame goes out after a short wait).
    ReorderFrames {
        /// On or off.
        enabled: bool,
    },
    /// Answer the next `count` `onMessage` sends with 429, for one token or any session.
    ForceRateLimit {
        /// How many sends to refuse.
        count: u32,
        /// Only this session; `None` = whichever sessions send next.
        #[serde(default)]
        token: Option<String>,
    },
    /// Expire a session now, as if its inactivity TTL had run out.
    ExpireSession {
        /// The session's token.
        token: String,
    },
    /// Make the next `count` `POST /oauth/token` requests fail with `status` (429 or 500).
    OauthFailure {
        /// 429 (with `Retry-After`) or 500.
        status: u16,
        /// How many requests fail.
        count: u32,
        /// The `Retry-After` seconds sent with a 429 (default 1).
        #[serde(default)]
        retry_after: Option<u64>,
    },
    /// Lift every fault.
    Reset,
}

/// How a forced OAuth failure looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OauthFailure {
    /// The HTTP status to answer.
    pub status: u16,
    /// `Retry-After` seconds (for 429).
    pub retry_after: u64,
}

/// The switches that persist between requests (one-shot faults act at once elsewhere).
#[derive(Debug, Default)]
pub struct FaultState {
    refuse_sockets_until: Option<Instant>,
    frame_delay: Duration,
    reorder: bool,
    forced_429_global: u32,
    forced_429_by_token: Vec<(String, u32)>,
    oauth_failures: u32,
    oauth_failure: Option<OauthFailure>,
}

impl FaultState {
    /// Applies a persistent switch; one-shot faults (drop, expire) are the caller's job.
    pub fn apply(&mut self, fault: &Fault, now: Instant) {
        match fault {
            Fault::RefuseSockets { seconds } => {
                self.refuse_sockets_until =
                    (*seconds > 0).then(|| saturating_add(now, Duration::from_secs(*seconds)));
            }
            Fault::DelayFrames { ms } => self.frame_delay = Duration::from_millis(*ms),
            Fault::ReorderFrames { enabled } => self.reorder = *enabled,
            Fault::ForceRateLimit { count, token: None } => self.forced_429_global = *count,
            Fault::ForceRateLimit {
                count,
                token: Some(token),
            } => {
                self.forced_429_by_token.retain(|(known, _)| known != token);
                if *count > 0 {
                    self.forced_429_by_token.push((token.clone(), *count));
                }
            }
            Fault::OauthFailure {
                status,
                count,
                retry_after,
            } => {
                self.oauth_failures = *count;
                self.oauth_failure = Some(OauthFailure {
                    status: *status,
                    retry_after: retry_after.unwrap_or(1),
                });
            }
            Fault::Reset => *self = Self::default(),
            Fault::DropSockets { .. } | Fault::ExpireSession { .. } => {}
        }
    }

    /// True while new sockets must be refused.
    pub fn refusing_sockets(&self, now: Instant) -> bool {
        self.refuse_sockets_until.is_some_and(|until| now < until)
    }

    /// The delay every outbound frame currently gets.
    pub fn frame_delay(&self) -> Duration {
        self.frame_delay
    }

    /// True while outbound frames are swapped pairwise.
    pub fn reordering(&self) -> bool {
        self.reorder
    }

    /// Consumes one forced 429 for `token` if any is pending (token-specific ones first).
    pub fn take_forced_429(&mut self, token: &str) -> bool {
        if let Some(entry) = self
            .forced_429_by_token
            .iter_mut()
            .find(|(known, count)| known == token && *count > 0)
        {
            entry.1 -= 1;
            return true;
        }
        if self.forced_429_global > 0 {
            self.forced_429_global -= 1;
            return true;
        }
        false
    }

    /// Consumes one forced OAuth failure if any is pending.
    pub fn take_oauth_failure(&mut self) -> Option<OauthFailure> {
        if self.oauth_failures == 0 {
            return None;
        }
        self.oauth_failures -= 1;
        self.oauth_failure
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_parse_from_their_documented_json() {
        let fault: Fault = serde_json::from_str(r#"{"fault":"drop_sockets"}"#).unwrap();
        assert_eq!(fault, Fault::DropSockets { token: None });
        let fault: Fault =
            serde_json::from_str(r#"{"fault":"oauth_failure","status":429,"count":2}"#).unwrap();
        assert!(matches!(fault, Fault::OauthFailure { count: 2, .. }));
        assert!(serde_json::from_str::<Fault>(r#"{"fault":"explode"}"#).is_err());
    }

    #[test]
    fn forced_rate_limit_prefers_the_named_token_and_runs_out() {
        let mut state = FaultState::default();
        let now = Instant::now();
        state.apply(
            &Fault::ForceRateLimit {
                count: 1,
                token: Some("a".into()),
            },
            now,
        );
        assert!(!state.take_forced_429("b"));
        assert!(state.take_forced_429("a"));
        assert!(!state.take_forced_429("a"));
    }

    #[test]
    fn socket_refusal_ends_after_its_time() {
        let mut state = FaultState::default();
        let now = Instant::now();
        state.apply(&Fault::RefuseSockets { seconds: 2 }, now);
        assert!(state.refusing_sockets(now + Duration::from_secs(1)));
        assert!(!state.refusing_sockets(now + Duration::from_secs(2)));
    }
}
