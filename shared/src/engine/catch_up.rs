//! History catch-up as the engine runs it: `getJwt` after a resumed `SessionResponse` (or on
//! [`super::Input::NetworkBack`] after a catch-up that never finished), the JWT answer, page
//! fetches with retries, and merging pages into the transcript. The paging and retry policy
//! itself lives in [`super::history`].
//!
//! Merging a page confirms guest messages whose client id it carries in metadata, so a
//! message whose echo was lost with a socket is marked delivered instead of being resent; once
//! the last page this catch-up needs is in (or a fetch failed, or took too long), what is still
//! unconfirmed goes out again.

use crate::genesys::{ClientRequest, Direction, GetJwt, HistoryPage, HistoryQuery, MessageType};

use super::history::oldest_first;
use super::{Effect, Engine, Millis};

impl Engine {
    /// Starts a history catch-up: a fresh JWT first (a JWT is only good for the session that
    /// issued it, PROTOCOL.md §5.3). With `gate`, resends wait for the history.
    pub(super) fn catch_up(&mut self, now: Millis, gate: bool) {
        let Some(token) = self.token.clone() else {
            return;
        };
        self.history.begin(now, gate);
        self.request_jwt(token);
    }

    /// Starts reading every history page into the transcript (for a saved transcript):
    /// false, and nothing happens, without a live socket to ask for the JWT on.
    pub(super) fn begin_whole_history(&mut self, now: Millis) -> bool {
        let Some(token) = self.token.clone().filter(|_| self.socket_open()) else {
            return false;
        };
        self.history.begin_whole(now);
        self.request_jwt(token);
        self.dirty = true;
        true
    }

    fn request_jwt(&mut self, token: String) {
        let tracing_id = self.ids.next_id();
        self.send(ClientRequest::GetJwt(GetJwt {
            token,
            tracing_id: Some(tracing_id),
        }));
    }

    /// Asks for the page again if a retry is due.
    pub(super) fn history_timer(&mut self, now: Millis) {
        if let Some(query) = self.history.retry_due(now) {
            self.fetch_history(query);
        }
    }

    pub(super) fn fetch_history(&mut self, query: HistoryQuery) {
        if let (Some(grant), Some(jwt)) = (&self.grant, &self.jwt) {
            self.effects.push_back(Effect::FetchHistory {
                api_base_url: grant.api_base_url.clone(),
                jwt: jwt.clone(),
                query,
            });
        }
    }

    pub(super) fn jwt_received(&mut self, jwt: String, now: Millis) {
        // Only a JWT asked for by the current catch-up starts a fetch.
        if let Some(query) = self.history.jwt_received(now) {
            self.jwt = Some(jwt);
            self.fetch_history(query);
        }
    }

    pub(super) fn history_received(&mut self, page: &HistoryPage, now: Millis) {
        if !self.history.awaits(page.page_number) {
            return;
        }
        let mut all_new = true;
        for (message, fallback) in oldest_first(page) {
            if matches!(
                message.message_type,
                MessageType::Event | MessageType::Receipt
            ) {
                continue;
            }
            if !message.id.is_empty() && self.transcript.knows_message(&message.id) {
                all_new = false;
            }
            match message.direction {
                Direction::Inbound => self.guest_message(message, None, fallback, false),
                _ => self.agent_message(message, fallback, false),
            }
        }
        let outcome = self.history.page_merged(page, all_new, now);
        if outcome.gate_lifted {
            self.resolve_unconfirmed();
        }
        if let Some(query) = outcome.next {
            self.fetch_history(query);
        }
        self.dirty = true;
    }

    pub(super) fn history_failed(&mut self, reason: String, now: Millis) {
        self.diagnostics.last_error = Some(format!("history: {reason}"));
        if self.history.failed(now) {
            self.resolve_unconfirmed();
        }
        self.dirty = true;
    }

    /// Messages lost with a socket that history did not show delivered go out again.
    pub(super) fn resolve_unconfirmed(&mut self) {
        self.outbox.resolve_unconfirmed();
    }
}
