//! Several tabs, one conversation: what a tab does when another tab of the site changed the
//! stored token ([`Input::StoredTokenChanged`]).
//!
//! Every tab has its own socket under the same token. Genesys allows several connections per
//! token and pushes the echo of a guest message to each of them (PROTOCOL.md §1.5.2, §1.8), so
//! a message typed in one tab shows in the others from that echo, and only the tab it was
//! typed in sends it (its outbox is its own). What the server says about the session (expiry,
//! `ConnectionClosedEvent` when another connection ended the chat) also reaches every live
//! socket. What it cannot tell a tab is that the site moved to another conversation, or that a
//! tab without a live socket missed the end; the stored token can, so it is what tabs agree on:
//!
//! - **Removed** (another tab ended the chat, or its session expired or was signed out): the
//!   conversation shown here is over too, and ends as "End chat" ends it here — a
//!   "conversation ended" notice, sends refused, messages not yet confirmed failed with Retry,
//!   the socket closed — but without a `closeSession` or an [`Effect::ForgetToken`]: the
//!   other tab did both. A tab whose socket is live hears the reason from the server too, and
//!   an expiry must not read as an end: it gives the server [`END_ELSEWHERE_GRACE_MS`] to say
//!   so (`SessionExpiredEvent` then starts a fresh session as usual) and ends only if the
//!   conversation is still the same one then. A tab the server already closed
//!   (`ConnectionClosedEvent`: the other tab's `closeSession{closeAllConnections}`), or
//!   without a live socket, ends at once.
//! - **Replaced by another token** (another tab started a conversation, e.g. after expiry or
//!   after a new chat from a closed one): this tab follows it. The transcript gives way to a
//!   "new conversation" notice (unless it shows nothing the server said, as after expiry), the
//!   token is resumed (its history shows what the other tab said), and what this tab did not
//!   get confirmed goes out again in it, in order, as after expiry. A grant that arrives
//!   afterwards for another token answers an older request and is ignored.
//!
//! A tab never stores a token it learned this way (only its own grants are stored), and the
//! token it compares is the one stored *when the change is handled*. So when two tabs store
//! fresh tokens at the same moment (both saw the session expire), each one hears of the other's
//! write and reads the last one written: the tab that wrote it sees its own and changes nothing,
//! the other follows, and both end up in one conversation.
//!
//! [`Input::StoredTokenChanged`]: super::Input::StoredTokenChanged
//! [`Effect::ForgetToken`]: super::Effect::ForgetToken

use super::transcript::{EntryKind, Notice};
use super::{CloseReason, Engine, Millis, NewChat, Phase};

/// How long a tab with a live socket waits for the server's own word (expiry) before it takes
/// a token removed by another tab as the end of the conversation.
pub const END_ELSEWHERE_GRACE_MS: Millis = 2_000;

/// The token another tab removed while this one was live, and until when the server may still
/// explain it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct EndElsewhere {
    pub(super) token: Option<String>,
    pub(super) at: Millis,
}

impl Engine {
    pub(super) fn stored_token_changed(&mut self, stored: Option<String>, now: Millis) {
        // Whatever was pending is answered by the token stored now.
        self.end_elsewhere = None;
        if stored == self.token {
            return;
        }
        match stored {
            None => self.token_removed_elsewhere(now),
            Some(token) => self.follow(token, now),
        }
    }

    /// Another tab removed the token: the conversation is over here too, at once or after the
    /// server had its chance to say it expired.
    fn token_removed_elsewhere(&mut self, now: Millis) {
        let live = matches!(self.phase, Phase::Ready | Phase::Configuring)
            && self.socket_open()
            && self.ending.is_none();
        if live {
            self.end_elsewhere = Some(EndElsewhere {
                token: self.token.clone(),
                at: now.saturating_add(END_ELSEWHERE_GRACE_MS),
            });
        } else {
            self.end_here_too(now);
        }
    }

    /// The grace for the server's word is over: end, unless the conversation changed meanwhile.
    pub(super) fn tabs_timer(&mut self, now: Millis) {
        let Some(pending) = self.end_elsewhere.take_if(|pending| pending.at <= now) else {
            return;
        };
        if pending.token == self.token {
            self.end_here_too(now);
        }
    }

    fn end_here_too(&mut self, now: Millis) {
        self.following = false;
        match self.phase {
            // Not started, or already over and shown as ended: nothing more to say.
            Phase::Idle | Phase::Ended | Phase::Expired => self.token = None,
            _ => {
                self.ending = None;
                self.end_session(now, Notice::ConversationEnded { read_only: true }, false);
                self.token = None;
                self.agent_typing.stopped();
                self.set_phase(Phase::Ended);
            }
        }
        self.dirty = true;
    }

    /// Another tab stored a token of its own: continue in that conversation.
    fn follow(&mut self, token: String, now: Millis) {
        if self.phase == Phase::Idle {
            // Not started: the start resumes whatever is stored then.
            self.token = Some(token);
            return;
        }
        // A conversation that shows nothing the server said (after expiry: the lasting notice
        // and the carried messages) has nothing to give way: keep it as it is.
        let blank = self
            .transcript
            .entries()
            .iter()
            .all(|entry| match &entry.kind {
                EntryKind::Notice(_) => true,
                EntryKind::Guest(message) => message.message_id.is_none(),
                EntryKind::Agent(_) => false,
            });
        self.ending = None;
        // Stop the old connection without scheduling a reconnect for it.
        self.set_phase(Phase::Closed(CloseReason::GuestLeft));
        self.drop_socket(now);
        self.outbox.carry_into_new_session();
        if !blank {
            self.reset_conversation(Some(Notice::NewConversation));
        }
        self.new_chat = NewChat::No;
        self.grant = None;
        self.token = Some(token.clone());
        self.request_session(Some(token), now);
        self.following = true;
    }
}
