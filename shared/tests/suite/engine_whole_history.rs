//! Reading the whole history for a saved transcript (issue 13, §4): every page is fetched and
//! merged, past the overlaps and the page limit of an ordinary catch-up; it is refused without
//! a live connection and ends as incomplete when pages cannot be fetched.

use crate::engine_harness::*;
use parley_shared::engine::{Effect, EngineConfig, Input, Refused, WholeHistory};
use parley_shared::genesys::{ClientRequest, HistoryQuery};
use serde_json::json;

/// A ready engine whose ordinary catch-ups read at most one page of two messages.
fn small_pages() -> Harness {
    Harness::ready_with(EngineConfig {
        history_page_size: 2,
        max_history_pages: 1,
        ..EngineConfig::new(DEPLOYMENT)
    })
}

fn jwt(h: &mut Harness) {
    h.jwt();
}

fn fetched_pages(h: &mut Harness) -> Vec<u32> {
    h.take()
        .into_iter()
        .filter_map(|effect| match effect {
            Effect::FetchHistory {
                query: HistoryQuery { page_number, .. },
                ..
            } => Some(page_number),
            _ => None,
        })
        .collect()
}

fn agent(id: &str, text: &str, minute: u32) -> serde_json::Value {
    history_entry(
        id,
        "Outbound",
        text,
        &format!("2024-01-01T10:{minute:02}:00Z"),
        json!({}),
    )
}

#[test]
fn every_page_is_read_into_the_transcript_past_overlaps_and_the_page_limit() {
    let mut h = small_pages();
    // What the window shows already: the two newest messages, live.
    h.frame(agent_text("m5", "five", "2024-01-01T10:05:00Z", "Ann"));
    h.frame(agent_text("m6", "six", "2024-01-01T10:06:00Z", "Ann"));
    h.take();
    assert_eq!(h.engine.whole_history(), WholeHistory::NotAsked);

    h.cmd(|engine, now| engine.read_whole_history(now))
        .expect("a live connection");
    assert!(
        h.sent()
            .iter()
            .any(|r| matches!(r, ClientRequest::GetJwt(_)))
    );
    assert_eq!(h.engine.whole_history(), WholeHistory::Reading);
    jwt(&mut h);
    assert_eq!(fetched_pages(&mut h), vec![1]);
    // Page 1 overlaps what is shown; an ordinary catch-up would stop here (and at 1 page).
    h.history(history_page(
        vec![agent("m6", "six", 6), agent("m5", "five", 5)],
        1,
        3,
    ));
    assert_eq!(fetched_pages(&mut h), vec![2]);
    h.history(history_page(
        vec![agent("m4", "four", 4), agent("m3", "three", 3)],
        2,
        3,
    ));
    assert_eq!(fetched_pages(&mut h), vec![3]);
    assert_eq!(h.engine.whole_history(), WholeHistory::Reading);
    h.history(history_page(
        vec![agent("m2", "two", 2), agent("m1", "one", 1)],
        3,
        3,
    ));
    assert_eq!(
        fetched_pages(&mut h),
        Vec::<u32>::new(),
        "the oldest page ends the read"
    );
    assert_eq!(h.engine.whole_history(), WholeHistory::Read);
    let messages: Vec<String> = h
        .texts()
        .into_iter()
        .filter(|t| !t.starts_with('['))
        .collect();
    assert_eq!(
        messages,
        [
            "agent:one",
            "agent:two",
            "agent:three",
            "agent:four",
            "agent:five",
            "agent:six"
        ]
    );
}

#[test]
fn it_is_refused_without_a_live_connection() {
    let mut h = small_pages();
    h.drop_socket();
    h.take();
    assert_eq!(
        h.cmd(|engine, now| engine.read_whole_history(now)),
        Err(Refused::NoSession)
    );
    assert!(
        !h.sent()
            .iter()
            .any(|r| matches!(r, ClientRequest::GetJwt(_)))
    );
    assert_eq!(h.engine.whole_history(), WholeHistory::NotAsked);
}

#[test]
fn a_page_that_cannot_be_fetched_leaves_it_incomplete() {
    let mut h = small_pages();
    h.cmd(|engine, now| engine.read_whole_history(now))
        .expect("a live connection");
    jwt(&mut h);
    assert_eq!(fetched_pages(&mut h), vec![1]);
    for delay in [1_000, 2_000, 4_000] {
        h.ok(Input::HistoryFailed("HTTP 503".into()));
        assert_eq!(
            h.engine.whole_history(),
            WholeHistory::Reading,
            "still retrying"
        );
        h.advance(delay);
        assert_eq!(fetched_pages(&mut h), vec![1]);
    }
    h.ok(Input::HistoryFailed("HTTP 503".into()));
    assert_eq!(h.engine.whole_history(), WholeHistory::Incomplete);
}

#[test]
fn a_lost_connection_leaves_it_incomplete() {
    let mut h = small_pages();
    h.cmd(|engine, now| engine.read_whole_history(now))
        .expect("a live connection");
    h.drop_socket();
    assert_eq!(h.engine.whole_history(), WholeHistory::Incomplete);
}
