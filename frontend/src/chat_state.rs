//! The window's reactive copy of the engine's view, the one place components read from.
//!
//! Data flows one way: only the driver writes here ([`ChatState::sync`] on every
//! `Effect::ViewChanged`, plus the browser facts it watches: online, features); components
//! read the signals and act through [`crate::commands::Commands`]. The values are the engine's
//! own (a [`Phase`], an [`UploadFailure`]); components word them with [`crate::i18n::words`].
//! Each transcript entry
//! gets its own signal, created once per entry key and updated only when that entry changed
//! (a delivery state, an echo's time), and the list of rows is replaced only when keys were
//! added, removed or reordered. A keyed `<For>` over the rows therefore never re-renders the
//! transcript when a message arrives or a bubble turns from "sending" to "sent": only the new
//! row renders, or only the changed bubble.
//!
//! Rows interleave date separators (one before the first entry of each local day); an entry
//! without a server time is dated by when the window first showed it.

use std::collections::{HashMap, HashSet};

use leptos::prelude::*;
use parley_shared::api::{Features, WindowConfig};
use parley_shared::engine::{
    Choice, Engine, Entry, Millis, Phase, SessionLimits, Typist, UploadFailure, UploadState,
    WholeHistory,
};

use crate::format;
use crate::status::ConnectionState;

/// One entry as the window shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct EntryView {
    /// The engine's entry.
    pub entry: Entry,
    /// When it happened: the server time, else when the window first showed it (epoch ms).
    pub at: f64,
}

/// One row of the transcript list.
#[derive(Debug, Clone, PartialEq)]
pub enum Row {
    /// A date separator before the first entry of a day (key `d:YYYY-MM-DD`).
    Day {
        /// The row key.
        key: String,
        /// A moment of that day (epoch ms), for the label.
        at: f64,
    },
    /// A transcript entry.
    Entry {
        /// The engine's stable key.
        key: String,
        /// The entry, updated in place.
        view: RwSignal<EntryView>,
    },
}

impl Row {
    /// The key `<For>` uses.
    pub fn key(&self) -> &str {
        match self {
            Row::Day { key, .. } | Row::Entry { key, .. } => key,
        }
    }
}

/// What the composer may do, as the engine decides it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ComposerRules {
    /// Longest text the engine accepts, in characters.
    pub max_text_chars: usize,
    /// Whether a file may be attached now (live session, no other file on its way).
    pub can_attach: bool,
}

/// The agent the guest is talking to, from the latest agent message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentInfo {
    /// The display name.
    pub name: String,
    /// The avatar URL, if the agent has one.
    pub avatar: Option<String>,
}

/// The file upload the engine lists last: on its way, or failed.
#[derive(Debug, Clone, PartialEq)]
pub struct UploadView {
    /// The engine's attachment id.
    pub attachment_id: String,
    /// The file's name.
    pub name: String,
    /// Fraction sent (0–1) when known.
    pub progress: Option<f64>,
    /// Why it failed, if it did.
    pub failure: Option<UploadFailure>,
}

/// New entries found by one [`ChatState::sync`], for unread counts and embed events.
#[derive(Debug, Default)]
pub struct Arrivals {
    /// New entries, in order.
    pub entries: Vec<EntryView>,
}

/// Everything the window renders, as signals (all `Copy`, cheap to pass to components).
#[derive(Clone, Copy)]
pub struct ChatState {
    /// The connection phase.
    pub phase: RwSignal<Phase>,
    /// Transcript rows.
    pub rows: RwSignal<Vec<Row>>,
    /// Who is typing, while the agent types.
    pub agent_typing: RwSignal<Option<Typist>>,
    /// Quick replies on offer (empty when none).
    pub quick_replies: RwSignal<Vec<Choice>>,
    /// The composer's limits.
    pub composer: RwSignal<ComposerRules>,
    /// Upload limits from the session.
    pub limits: RwSignal<SessionLimits>,
    /// The agent's name and avatar.
    pub agent: RwSignal<Option<AgentInfo>>,
    /// Parley's feature switches from the grant.
    pub features: RwSignal<Features>,
    /// The Messenger deployment's settings from the grant; [`WindowConfig::default`] until a
    /// grant carries them.
    pub window_config: RwSignal<WindowConfig>,
    /// `navigator.onLine`.
    pub online: RwSignal<bool>,
    /// The newest upload the engine lists.
    pub upload: RwSignal<Option<UploadView>>,
    /// The driver's clock at the last tick (drives countdowns).
    pub now: RwSignal<Millis>,
    /// Where the read of the whole history for a saved transcript stands.
    pub whole_history: RwSignal<WholeHistory>,
    /// The connection as the window names it: one memo every component shares.
    pub connection: Memo<ConnectionState>,
    entries: StoredValue<HashMap<String, RwSignal<EntryView>>>,
    owner: StoredValue<Option<Owner>, LocalStorage>,
}

impl ChatState {
    /// Empty state, owned by the current reactive owner.
    pub fn new() -> ChatState {
        let phase = RwSignal::new(Phase::Idle);
        let online = RwSignal::new(true);
        ChatState {
            phase,
            rows: RwSignal::new(Vec::new()),
            agent_typing: RwSignal::new(None),
            quick_replies: RwSignal::new(Vec::new()),
            composer: RwSignal::new(ComposerRules {
                max_text_chars: parley_shared::genesys::MAX_TEXT_CHARS,
                can_attach: false,
            }),
            limits: RwSignal::new(SessionLimits::default()),
            agent: RwSignal::new(None),
            features: RwSignal::new(Features::default()),
            window_config: RwSignal::new(WindowConfig::default()),
            online,
            upload: RwSignal::new(None),
            now: RwSignal::new(0),
            whole_history: RwSignal::new(WholeHistory::NotAsked),
            connection: Memo::new(move |_| {
                phase.with(|phase| ConnectionState::of(phase, online.get()))
            }),
            entries: StoredValue::new(HashMap::new()),
            owner: StoredValue::new_local(Owner::current()),
        }
    }

    /// Copies what changed in `engine`'s view; returns the entries that are new.
    pub fn sync(&self, engine: &Engine, now: Millis) -> Arrivals {
        self.now.set(now);
        set_if_changed(self.phase, engine.phase().clone());
        set_if_changed(self.agent_typing, engine.agent_typing(now).cloned());
        set_if_changed(self.limits, engine.limits().clone());
        set_if_changed(self.quick_replies, engine.quick_replies());
        set_if_changed(
            self.composer,
            ComposerRules {
                max_text_chars: engine.max_text_chars(),
                can_attach: engine.can_attach(),
            },
        );
        set_if_changed(self.upload, upload_view(engine));
        set_if_changed(self.agent, current_agent(engine));
        set_if_changed(self.whole_history, engine.whole_history());
        self.set_entries(engine.transcript())
    }

    /// Shows `entries` (in display order) as rows; see the module docs.
    ///
    /// Runs on every view change, so the per-entry cost is kept to a comparison: an entry the
    /// window already shows is neither cloned nor re-parsed unless it changed, the map of rows
    /// is updated in place, and a day's key is formatted once per day, not once per entry.
    pub fn set_entries(&self, entries: &[Entry]) -> Arrivals {
        let mut arrivals = Arrivals::default();
        let now = format::wall_now();
        let mut rows = Vec::with_capacity(entries.len() + 2);
        let mut days = Days::default();
        let mut last_day: Option<String> = None;
        let mut last_at = None;
        let owner = self.owner.with_value(Clone::clone);
        let mut seen = HashSet::with_capacity(entries.len());
        self.entries.update_value(|known| {
            for entry in entries {
                let view = match known.get(&entry.key) {
                    Some(signal) => {
                        if signal.with_untracked(|old| old.entry != *entry) {
                            let at = entry
                                .time
                                .as_deref()
                                .and_then(format::parse_time)
                                .unwrap_or_else(|| signal.with_untracked(|old| old.at));
                            signal.set(EntryView {
                                entry: entry.clone(),
                                at,
                            });
                        }
                        *signal
                    }
                    None => {
                        let at = entry
                            .time
                            .as_deref()
                            .and_then(format::parse_time)
                            .unwrap_or(now);
                        let fresh = EntryView {
                            entry: entry.clone(),
                            at,
                        };
                        arrivals.entries.push(fresh.clone());
                        let signal = match &owner {
                            Some(owner) => owner.with(|| RwSignal::new(fresh)),
                            None => RwSignal::new(fresh),
                        };
                        known.insert(entry.key.clone(), signal);
                        signal
                    }
                };
                let at = view.with_untracked(|v| v.at);
                // Entries keep display order; a day is shown once, before its first entry.
                let at = last_at.map_or(at, |last: f64| at.max(last));
                last_at = Some(at);
                let day = days.key(at);
                if last_day.as_deref() != Some(day) {
                    rows.push(Row::Day {
                        key: format!("d:{day}"),
                        at,
                    });
                    last_day = Some(day.to_owned());
                }
                seen.insert(entry.key.as_str());
                rows.push(Row::Entry {
                    key: entry.key.clone(),
                    view,
                });
            }
            if known.len() != seen.len() {
                known.retain(|key, _| seen.contains(key.as_str()));
            }
        });
        if self.rows.with_untracked(|old| *old != rows) {
            self.rows.set(rows);
        }
        arrivals
    }
}

/// The day key (`YYYY-MM-DD`, local time) of the day being walked through, and where that day
/// starts and ends, so consecutive entries of one day need no date formatting.
#[derive(Default)]
struct Days {
    current: Option<(f64, f64, String)>,
}

impl Days {
    fn key(&mut self, at: f64) -> &str {
        let fresh = !matches!(&self.current, Some((start, end, _)) if *start <= at && at < *end);
        if fresh {
            let (start, end) = format::day_bounds(at);
            self.current = Some((start, end, format::day_key(at)));
        }
        self.current
            .as_ref()
            .map(|(_, _, key)| key.as_str())
            .unwrap_or_default()
    }
}

impl Default for ChatState {
    fn default() -> Self {
        ChatState::new()
    }
}

fn set_if_changed<T: PartialEq + Send + Sync + 'static>(signal: RwSignal<T>, value: T) {
    if signal.with_untracked(|old| *old != value) {
        signal.set(value);
    }
}

/// The upload the window shows: the newest one the engine lists.
fn upload_view(engine: &Engine) -> Option<UploadView> {
    let upload = engine.uploads().last()?;
    Some(UploadView {
        attachment_id: upload.attachment_id.clone(),
        name: upload.file_name.clone(),
        progress: match upload.state {
            UploadState::Uploading { sent, total } if total > 0 => Some(sent as f64 / total as f64),
            _ => None,
        },
        failure: match &upload.state {
            UploadState::Failed(failure) => Some(failure.clone()),
            _ => None,
        },
    })
}

fn current_agent(engine: &Engine) -> Option<AgentInfo> {
    let agent = engine.current_agent()?;
    Some(AgentInfo {
        name: agent.nickname.clone()?,
        avatar: agent.avatar.clone(),
    })
}
