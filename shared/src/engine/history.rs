//! Catching up with the server after a (re)connect: `getJwt` → history pages → merge.
//!
//! Messages pushed while a socket was down are not re-pushed (PROTOCOL.md §5.2), so every
//! resumed `SessionResponse` is followed by a fresh `getJwt` (JWTs must not be reused across
//! sessions, §5.3) and a fetch of page 1, the newest messages. Older pages are fetched only
//! while needed: while the page was full and every entry on it was new to the transcript (no
//! overlap with what is already shown), at most `max_pages` pages per catch-up.
//!
//! A failed fetch is retried [`MAX_RETRIES`] times (after 1, 2, 4 s). A catch-up that never
//! finished leaves a hole of unknown depth, so the next one (on the next reconnect, or on
//! [`super::Input::NetworkBack`]) reads *deep*: past overlaps, up to `max_pages`.
//!
//! The catch-up after a reconnect also **gates resends**: a guest message whose echo was lost
//! with the old socket is only sent again once every page the catch-up fetches has been merged
//! (it may be on any of them), or a fetch failed, or [`GATE_TIMEOUT_MS`] passed without an
//! answer, so a broken history endpoint cannot hold the outbox forever.

use crate::genesys::{HistoryPage, HistoryQuery, StructuredMessage};

use super::Millis;
use super::timestamp::parse_millis;

/// Longest wait for history before held messages are resent anyway.
pub const GATE_TIMEOUT_MS: Millis = 10_000;

/// Retries of a failed page fetch within one catch-up.
pub const MAX_RETRIES: u32 = 3;

/// Longest wait for the JWT or a page before the fetch counts as failed (and is retried): a
/// request the network swallowed must not leave the catch-up waiting for ever.
pub const FETCH_TIMEOUT_MS: Millis = 15_000;

/// Most pages a whole-history read fetches (at 25 a page: 25 000 messages), so that a
/// server that always says "older pages exist" cannot make it run for ever.
pub const WHOLE_HISTORY_MAX_PAGES: u32 = 1_000;

/// Where a read of the whole history (for a saved transcript, [`super::Engine::read_whole_history`])
/// stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WholeHistory {
    /// Nobody asked.
    NotAsked,
    /// Pages are being fetched and merged into the transcript.
    Reading,
    /// Every page is in the transcript.
    Read,
    /// A page could not be fetched (or the connection went): the transcript has what came.
    Incomplete,
}

/// Where a catch-up stands.
#[derive(Debug, Clone)]
pub struct HistorySync {
    page_size: u32,
    max_pages: u32,
    gate_until: Option<Millis>,
    expecting_jwt: bool,
    awaiting: Option<u32>,
    retry: Option<(Millis, u32)>,
    /// When the JWT or page asked for counts as lost.
    fetch_deadline: Option<Millis>,
    failures: u32,
    /// The last catch-up did not finish: there may be a hole in the transcript.
    incomplete: bool,
    /// This catch-up reads past overlaps because the previous one did not finish.
    deep: bool,
    /// The running or last read of the whole history.
    whole: WholeHistory,
}

/// What to do after a page was merged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageOutcome {
    /// The resend gate opened with this page.
    pub gate_lifted: bool,
    /// Fetch this older page next.
    pub next: Option<HistoryQuery>,
}

impl HistorySync {
    /// A catch-up policy: pages of `page_size`, at most `max_pages` per catch-up.
    pub fn new(page_size: u32, max_pages: u32) -> Self {
        Self {
            page_size: page_size.max(1),
            max_pages: max_pages.max(1),
            gate_until: None,
            expecting_jwt: false,
            awaiting: None,
            retry: None,
            fetch_deadline: None,
            failures: 0,
            incomplete: false,
            deep: false,
            whole: WholeHistory::NotAsked,
        }
    }

    /// `getJwt` was sent at `now`; with `gate`, resends are held until history answers.
    pub fn begin(&mut self, now: Millis, gate: bool) {
        self.gate_until = gate.then_some(now + GATE_TIMEOUT_MS);
        self.fetch_deadline = Some(now.saturating_add(FETCH_TIMEOUT_MS));
        self.expecting_jwt = true;
        self.awaiting = None;
        self.retry = None;
        self.failures = 0;
        self.deep = self.incomplete;
        self.incomplete = true;
        self.interrupt_whole();
    }

    /// `getJwt` was sent at `now` to read every page, oldest included, past overlaps and past
    /// `max_pages`. A gate a catch-up set stays as it was (it lifts with the last page).
    pub fn begin_whole(&mut self, now: Millis) {
        let gate = self.gate_until;
        self.begin(now, false);
        self.gate_until = gate;
        self.deep = true;
        self.whole = WholeHistory::Reading;
    }

    /// Where the read of the whole history stands.
    pub fn whole(&self) -> WholeHistory {
        self.whole
    }

    fn interrupt_whole(&mut self) {
        if self.whole == WholeHistory::Reading {
            self.whole = WholeHistory::Incomplete;
        }
    }

    /// The JWT arrived at `now`: fetch page 1, if a catch-up asked for it.
    pub fn jwt_received(&mut self, now: Millis) -> Option<HistoryQuery> {
        if !std::mem::take(&mut self.expecting_jwt) {
            return None;
        }
        self.awaiting = Some(1);
        self.fetch_deadline = Some(now.saturating_add(FETCH_TIMEOUT_MS));
        Some(self.query(1))
    }

    /// True once, when the JWT or the page asked for has not come by its deadline: the caller
    /// handles it as a failed fetch ([`Self::failed`]). A JWT that never came leaves the
    /// catch-up unfinished, for the next [`super::Input::NetworkBack`] or reconnect.
    pub fn fetch_timed_out(&mut self, now: Millis) -> bool {
        if self.fetch_deadline.is_none_or(|at| now < at) {
            return false;
        }
        self.fetch_deadline = None;
        self.expecting_jwt = false;
        true
    }

    /// Whether the running catch-up waits for page `page_number`. A page nobody waits for (the
    /// answer to a catch-up of a socket or a session that is gone) must not be merged: it may
    /// belong to a conversation the guest no longer sees.
    pub fn awaits(&self, page_number: u32) -> bool {
        self.awaiting == Some(page_number.max(1))
    }

    /// Whether resends are held.
    pub fn gated(&self) -> bool {
        self.gate_until.is_some()
    }

    /// Whether the last catch-up failed and no other is running: worth trying again.
    pub fn needs_catch_up(&self) -> bool {
        self.incomplete && !self.expecting_jwt && self.awaiting.is_none() && self.retry.is_none()
    }

    /// When the gate opens, a retry is due or a fetch times out.
    pub fn deadline(&self) -> Option<Millis> {
        [
            self.gate_until,
            self.retry.map(|(at, _)| at),
            self.fetch_deadline,
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// Opens the gate if its time is up; true if it just opened.
    pub fn expire_gate(&mut self, now: Millis) -> bool {
        if self.gate_until.is_some_and(|until| now >= until) {
            self.gate_until = None;
            return true;
        }
        false
    }

    /// The page to fetch again, if a retry is due at `now`.
    pub fn retry_due(&mut self, now: Millis) -> Option<HistoryQuery> {
        let (at, page_number) = self.retry?;
        if now < at {
            return None;
        }
        self.retry = None;
        self.awaiting = Some(page_number);
        self.fetch_deadline = Some(now.saturating_add(FETCH_TIMEOUT_MS));
        Some(self.query(page_number))
    }

    /// Nothing to catch up (a new session): no gate, no hole.
    pub fn reset(&mut self) {
        self.cancel();
        self.incomplete = false;
    }

    /// The catch-up is moot (socket gone; the next connection catches up again).
    pub fn cancel(&mut self) {
        self.gate_until = None;
        self.expecting_jwt = false;
        self.awaiting = None;
        self.retry = None;
        self.fetch_deadline = None;
        self.interrupt_whole();
    }

    /// A page was merged; `all_new` says whether none of its entries was already known. The
    /// gate lifts only with the last page this catch-up needs: a message lost with the old
    /// socket may be on page 2 while page 1 is already in.
    pub fn page_merged(&mut self, page: &HistoryPage, all_new: bool, now: Millis) -> PageOutcome {
        let number = page.page_number.max(1);
        if self.awaiting != Some(number) {
            // Not the page this catch-up waits for (a late answer of an earlier one).
            return PageOutcome {
                gate_lifted: false,
                next: None,
            };
        }
        let full = page.entities.len() as u32 >= self.page_size;
        let max_pages = if self.whole == WholeHistory::Reading {
            WHOLE_HISTORY_MAX_PAGES
        } else {
            self.max_pages
        };
        let wanted = (all_new || self.deep) && full && page.has_older() && number < max_pages;
        self.awaiting = wanted.then_some(number + 1);
        self.fetch_deadline = wanted.then(|| now.saturating_add(FETCH_TIMEOUT_MS));
        if !wanted {
            self.incomplete = false;
            if self.whole == WholeHistory::Reading {
                self.whole = WholeHistory::Read;
            }
        }
        PageOutcome {
            gate_lifted: !wanted && self.gate_until.take().is_some(),
            next: self.awaiting.map(|page_number| self.query(page_number)),
        }
    }

    /// The fetch failed at `now`: schedules a retry while any are left. Returns true if that
    /// opened the gate (held resends go out without waiting for the retry).
    pub fn failed(&mut self, now: Millis) -> bool {
        self.fetch_deadline = None;
        if let Some(page_number) = self.awaiting.take()
            && self.failures < MAX_RETRIES
        {
            self.retry = Some((now + (1_000 << self.failures), page_number));
            self.failures += 1;
        }
        if self.retry.is_none() {
            self.interrupt_whole();
        }
        self.gate_until.take().is_some()
    }

    fn query(&self, page_number: u32) -> HistoryQuery {
        HistoryQuery {
            page_number,
            page_size: self.page_size,
        }
    }
}

/// The entries of a page oldest first (pages are newest first), each with the time to place
/// it by when it has no usable time of its own: the nearest older entry's, else the nearest
/// newer one's.
pub fn oldest_first(page: &HistoryPage) -> Vec<(&StructuredMessage, Option<i64>)> {
    let entries: Vec<&StructuredMessage> = page.entities.iter().rev().collect();
    let times: Vec<Option<i64>> = entries
        .iter()
        .map(|m| m.time().and_then(parse_millis))
        .collect();
    let first_known = times.iter().flatten().next().copied();
    let mut previous = None;
    entries
        .into_iter()
        .zip(times)
        .map(|(message, time)| {
            previous = time.or(previous);
            (message, previous.or(first_known))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(number: u32, count: u32, page_count: u32) -> HistoryPage {
        let entities = (0..count)
            .map(|i| {
                serde_json::from_value(serde_json::json!({
                    "id": format!("p{number}-{i}"), "type": "Text", "direction": "Outbound",
                    "text": "hi", "channel": {"time": "2024-01-01T10:00:00Z"}
                }))
                .unwrap()
            })
            .collect();
        HistoryPage {
            entities,
            page_size: 25,
            page_number: number,
            total: u64::from(count),
            page_count,
        }
    }

    #[test]
    fn fetches_older_pages_only_while_full_new_and_within_bounds() {
        let cases = [
            // (page count, entries, all new, expect next page)
            (3, 25, true, true),
            (3, 25, false, false),
            (1, 25, true, false),
            (3, 10, true, false),
        ];
        for (page_count, entries, all_new, expect_next) in cases {
            let mut sync = HistorySync::new(25, 5);
            sync.begin(0, true);
            assert_eq!(sync.jwt_received(0).map(|q| q.page_number), Some(1));
            let outcome = sync.page_merged(&page(1, entries, page_count), all_new, 0);
            assert_eq!(
                outcome.gate_lifted, !expect_next,
                "the gate waits for page 2"
            );
            assert_eq!(
                outcome.next.map(|q| q.page_number),
                expect_next.then_some(2),
                "{page_count} pages, {entries} entries, all new {all_new}"
            );
        }
    }

    #[test]
    fn stops_at_the_page_bound() {
        let mut sync = HistorySync::new(25, 2);
        sync.begin(0, true);
        sync.jwt_received(0);
        let first = sync.page_merged(&page(1, 25, 9), true, 0);
        assert_eq!(first.next.map(|q| q.page_number), Some(2));
        assert!(!first.gate_lifted, "page 2 is still to come");
        let second = sync.page_merged(&page(2, 25, 9), true, 0);
        assert_eq!(second.next, None);
        assert!(second.gate_lifted, "the last page needed lifts the gate");
    }

    #[test]
    fn gate_opens_on_failure_or_timeout() {
        let mut sync = HistorySync::new(25, 5);
        sync.begin(100, true);
        assert!(sync.gated());
        assert!(!sync.expire_gate(100 + GATE_TIMEOUT_MS - 1));
        assert!(sync.expire_gate(100 + GATE_TIMEOUT_MS));
        sync.begin(0, true);
        sync.jwt_received(0);
        assert!(sync.failed(0));
        assert!(!sync.failed(0));
    }

    #[test]
    fn failed_fetches_are_retried_with_growing_delays_then_given_up() {
        let mut sync = HistorySync::new(25, 5);
        sync.begin(0, false);
        sync.jwt_received(0);
        let mut now = 0;
        for delay in [1_000, 2_000, 4_000] {
            sync.failed(now);
            assert_eq!(sync.deadline(), Some(now + delay));
            assert_eq!(sync.retry_due(now + delay - 1), None);
            now += delay;
            assert_eq!(sync.retry_due(now).map(|q| q.page_number), Some(1));
        }
        sync.failed(now);
        assert_eq!(sync.deadline(), None);
        assert!(sync.needs_catch_up());
    }

    #[test]
    fn catch_up_after_an_unfinished_one_reads_past_overlaps() {
        let mut sync = HistorySync::new(25, 5);
        sync.begin(0, false);
        sync.cancel(); // the socket dropped mid-catch-up
        sync.begin(0, false);
        sync.jwt_received(0);
        let outcome = sync.page_merged(&page(1, 25, 3), false, 0);
        assert_eq!(outcome.next.map(|q| q.page_number), Some(2));
        // Once that deep catch-up finished, the next one stops at the overlap again.
        sync.page_merged(&page(2, 10, 3), false, 0);
        sync.begin(0, false);
        sync.jwt_received(0);
        assert_eq!(sync.page_merged(&page(1, 25, 3), false, 0).next, None);
    }

    #[test]
    fn jwt_nobody_asked_for_fetches_nothing() {
        let mut sync = HistorySync::new(25, 5);
        assert_eq!(sync.jwt_received(0), None);
    }

    #[test]
    fn untimed_entries_borrow_a_neighbours_time() {
        let mut page = page(1, 3, 1);
        page.entities[0].channel = None; // newest
        page.entities[2].channel = None; // oldest
        page.entities[1].channel.as_mut().unwrap().time = Some("2024-01-01T10:00:01Z".into());
        let ordered = oldest_first(&page);
        let ids: Vec<&str> = ordered.iter().map(|(m, _)| m.id.as_str()).collect();
        assert_eq!(ids, ["p1-2", "p1-1", "p1-0"]);
        let expected = parse_millis("2024-01-01T10:00:01Z");
        assert!(ordered.iter().all(|(_, fallback)| *fallback == expected));
    }
}
