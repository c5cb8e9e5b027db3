//! The window's reactive copy of the engine's view, the one place components read from.
//!
//! Data flows one way: only the driver writes here ([`ChatState::sync`] on every
//! `Effect::ViewChanged`, plus the browser facts it watches: online, features); components
//! read the signals and act through [`crate::commands::Commands`]. The values are the engine's
//! own (a [`Phase`], an [`UploadFailure`]); components word them with [`crate::i18n::words`].
//! Each transcript entry
//! gets its own row, created once per entry and kept (DOM and all) for as long as the entry is
//! shown: the driver applies the engine's typed changes ([`EntryChange`]), so a new message
//! inserts one row and a bubble turning from "sending" to "sent" sets one row's signal, whatever
//! the length of the transcript. The list of rows is notified only when rows were added,
//! removed or moved, and `<For>` keys rows by a number (no string per row to hash or clone).
//!
//! A row opens a day (its own `day` signal: the date separator before it) when it is the first
//! of a local day; an entry without a server time is dated by when the window first showed it,
//! and a row is never dated before the row above it.

use std::collections::HashMap;

use leptos::prelude::*;
use parley_shared::api::{Features, Humanize, WindowConfig};
use parley_shared::engine::{
    Choice, Engine, Entry, EntryChange, Millis, OriginatingEntity, Phase, SessionLimits, Typist,
    UploadFailure, UploadState, WholeHistory,
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

/// One row of the transcript list: an entry, and the date separator before it when it opens a
/// day. `Copy`, so the list `<For>` reads is copied, not cloned entry by entry.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Row {
    /// The key `<For>` uses: unique for the window's life.
    pub id: u64,
    /// The entry, updated in place.
    pub view: RwSignal<EntryView>,
    /// When this row is the first of a local day: a moment of that day (epoch ms), for the
    /// separator's label.
    pub day: RwSignal<Option<f64>>,
    /// When the row is placed: its entry's time, or the row above's when that is later.
    shown_at: f64,
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
    /// The visitor has written in the conversation shown (the engine's `guest_has_written`).
    pub guest_has_written: RwSignal<bool>,
    /// The connection as the window names it: one memo every component shares.
    pub connection: Memo<ConnectionState>,
    next_row_id: StoredValue<u64>,
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
            guest_has_written: RwSignal::new(false),
            connection: Memo::new(move |_| {
                phase.with(|phase| ConnectionState::of(phase, online.get()))
            }),
            next_row_id: StoredValue::new(0),
            owner: StoredValue::new_local(Owner::current()),
        }
    }

    /// Copies `engine`'s whole view (the transcript by reading every entry); returns the
    /// entries that are new. For a window that is already showing, see [`ChatState::sync_changes`].
    pub fn sync(&self, engine: &Engine, now: Millis) -> Arrivals {
        self.sync_view(engine, now);
        self.set_entries(engine.transcript())
    }

    /// Copies what changed in `engine`'s view, taking the transcript's changes from the engine
    /// ([`Engine::take_entry_changes`]): the driver's path, linear in what changed.
    pub fn sync_changes(&self, engine: &mut Engine, now: Millis) -> Arrivals {
        self.sync_view(engine, now);
        let changes = engine.take_entry_changes();
        self.apply_changes(changes, engine.transcript())
    }

    fn sync_view(&self, engine: &Engine, now: Millis) {
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
        let agent = self
            .window_config
            .with_untracked(|config| current_agent(engine, config.humanize.as_ref()));
        set_if_changed(self.agent, agent);
        set_if_changed(self.whole_history, engine.whole_history());
        set_if_changed(self.guest_has_written, engine.guest_has_written());
    }

    /// Applies the engine's transcript changes to the rows, in order; `snapshot` is the
    /// engine's transcript after them, read in full only on [`EntryChange::Reset`] (or if the
    /// rows somehow disagree with it in length).
    pub fn apply_changes(&self, changes: Vec<EntryChange>, snapshot: &[Entry]) -> Arrivals {
        if changes.is_empty() {
            return Arrivals::default();
        }
        if changes.contains(&EntryChange::Reset) {
            return self.set_entries(snapshot);
        }
        let mut arrivals = Arrivals::default();
        let now = format::wall_now();
        let mut reordered = false;
        let mut first_touched = usize::MAX;
        let mut in_step = true;
        self.rows.update_untracked(|rows| {
            for change in changes {
                match change {
                    EntryChange::Inserted { index, entry } if index <= rows.len() => {
                        let row = self.new_row(&entry, now);
                        arrivals.entries.push(row.view.get_untracked());
                        rows.insert(index, row);
                        reordered = true;
                        first_touched = first_touched.min(index);
                    }
                    EntryChange::Moved { from, to, entry }
                        if from < rows.len() && to < rows.len() =>
                    {
                        let row = rows.remove(from);
                        refresh(row.view, &entry);
                        rows.insert(to, row);
                        reordered |= from != to;
                        first_touched = first_touched.min(from.min(to));
                    }
                    EntryChange::Removed { index } if index < rows.len() => {
                        rows.remove(index);
                        reordered = true;
                        first_touched = first_touched.min(index);
                    }
                    _ => in_step = false,
                }
            }
            in_step &= rows.len() == snapshot.len();
            if in_step && first_touched < rows.len() {
                place_days(rows, first_touched);
            }
        });
        if !in_step {
            let mut again = self.set_entries(snapshot);
            arrivals.entries.append(&mut again.entries);
            return arrivals;
        }
        if reordered {
            self.rows.notify();
        }
        arrivals
    }

    /// Shows `entries` (in display order) as rows, keeping the row (and its DOM) of every entry
    /// already shown: the full read, for the first view and after a reset.
    pub fn set_entries(&self, entries: &[Entry]) -> Arrivals {
        let mut arrivals = Arrivals::default();
        let now = format::wall_now();
        let mut shown: HashMap<String, Row> = self.rows.with_untracked(|rows| {
            rows.iter()
                .map(|row| (row.view.with_untracked(|v| v.entry.key.clone()), *row))
                .collect()
        });
        let mut rows: Vec<Row> = entries
            .iter()
            .map(|entry| match shown.remove(&entry.key) {
                Some(row) => {
                    refresh(row.view, entry);
                    row
                }
                None => {
                    let row = self.new_row(entry, now);
                    arrivals.entries.push(row.view.get_untracked());
                    row
                }
            })
            .collect();
        place_days(&mut rows, 0);
        let same_rows = self.rows.with_untracked(|old| {
            old.len() == rows.len() && old.iter().zip(&rows).all(|(a, b)| a.id == b.id)
        });
        if same_rows {
            self.rows.update_untracked(|old| *old = rows);
        } else {
            self.rows.set(rows);
        }
        arrivals
    }

    /// A row for an entry the window did not show yet, its signals owned by the window (not
    /// by whichever effect happens to run).
    fn new_row(&self, entry: &Entry, now: f64) -> Row {
        let at = entry
            .time
            .as_deref()
            .and_then(format::parse_time)
            .unwrap_or(now);
        let view = EntryView {
            entry: entry.clone(),
            at,
        };
        let id = self.next_row_id.with_value(|id| *id);
        self.next_row_id.set_value(id + 1);
        let make = move || Row {
            id,
            view: RwSignal::new(view),
            day: RwSignal::new(None),
            shown_at: at,
        };
        match self.owner.with_value(Clone::clone) {
            Some(owner) => owner.with(make),
            None => make(),
        }
    }
}

/// Sets a shown entry to `entry` if it changed; an entry without a server time keeps the time
/// it was first shown at.
fn refresh(view: RwSignal<EntryView>, entry: &Entry) {
    if view.with_untracked(|old| old.entry != *entry) {
        let at = entry
            .time
            .as_deref()
            .and_then(format::parse_time)
            .unwrap_or_else(|| view.with_untracked(|old| old.at));
        view.set(EntryView {
            entry: entry.clone(),
            at,
        });
    }
}

/// Places rows `from..` in time (never before the row above) and marks the first row of each
/// local day. Rows above `from` are unchanged, so an append looks at one row.
fn place_days(rows: &mut [Row], from: usize) {
    let mut above = from.checked_sub(1).map(|index| rows[index].shown_at);
    let mut day = above.map(format::day_bounds);
    for row in &mut rows[from..] {
        let at = row.view.with_untracked(|v| v.at);
        let shown_at = above.map_or(at, |above| at.max(above));
        let same_day = matches!(day, Some((start, end)) if start <= shown_at && shown_at < end);
        if !same_day {
            day = Some(format::day_bounds(shown_at));
        }
        let opens = (!same_day).then_some(shown_at);
        if row.day.with_untracked(|old| *old != opens) {
            row.day.set(opens);
        }
        row.shown_at = shown_at;
        above = Some(shown_at);
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

/// The agent the header shows. A bot speaking now wears the deployment's humanize name and
/// avatar when the admin set one (as its messages do); otherwise the latest named sender.
fn current_agent(engine: &Engine, humanize: Option<&Humanize>) -> Option<AgentInfo> {
    if let (Some(humanize), Some(speaker)) = (humanize, engine.current_speaker())
        && speaker.originating_entity == Some(OriginatingEntity::Bot)
        && let Some(name) = humanize.bot_name.clone()
    {
        return Some(AgentInfo {
            name,
            avatar: humanize.bot_avatar_url.clone(),
        });
    }
    let agent = engine.current_agent()?;
    Some(AgentInfo {
        name: agent.nickname.clone()?,
        avatar: agent.avatar.clone(),
    })
}
