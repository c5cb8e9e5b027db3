//! Every string the chat window shows, in every language it speaks.
//!
//! Components never write user-facing English: they ask [`Locale::text`] for a [`Key`]. Each
//! language lives in its own file with one exhaustive `match`, so adding a key without
//! translating it everywhere does not compile. Placeholders are `{n}`, `{name}`, `{max}`,
//! `{code}` and are filled with [`fill`]. The locale is chosen once at start-up
//! ([`Locale::choose`]): the `lang` option (`<parley-chat lang>` or `data-lang` on the script), then the browser's
//! `navigator.language`, then English.

mod de;
mod en;
mod es;
mod fr;
pub mod words;

/// Declares the keys and the list of all of them (for tests and tooling) in one place.
macro_rules! keys {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {
        /// One user-facing string.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Key { $($(#[$doc])* $name),* }

        impl Key {
            /// Every key, in declaration order.
            pub const ALL: &'static [Key] = &[$(Key::$name),*];
        }
    };
}

keys! {
    /// The dialog's accessible name.
    ChatDialog,
    /// The header's visible title (a host may replace it).
    HeaderTitle,
    /// Status: opening the connection.
    Connecting,
    /// Status: live.
    Connected,
    /// Status: waiting `{n}` seconds before the next attempt.
    ReconnectingIn,
    /// Status: the next attempt is due now.
    Reconnecting,
    /// Button: reconnect at once.
    RetryNow,
    /// Status: no network.
    Offline,
    /// Status: the conversation was ended.
    ConversationEnded,
    /// Status: the session expired.
    SessionExpired,
    /// Status: the chat was closed (another window, the server).
    ChatClosed,
    /// Header button.
    MinimiseChat,
    /// Header button.
    EndChat,
    /// The inline confirmation question.
    EndChatQuestion,
    /// Confirms ending.
    YesEndChat,
    /// Dismisses the confirmation.
    Cancel,
    /// Offered once a conversation is over.
    StartNewChat,
    /// The transcript's accessible name.
    Conversation,
    /// Resend a failed message.
    Retry,
    /// Remove a failed message.
    Discard,
    /// Delivery: on its way.
    Sending,
    /// Delivery: delivered.
    Sent,
    /// Failure: server said too long.
    FailTooLong,
    /// Failure: custom attributes too large.
    FailAttributes,
    /// Failure: the session ended first.
    FailSessionEnded,
    /// Failure: refused with `{code}`.
    FailRejected,
    /// The guest, as a sender.
    You,
    /// Fallback name of an agent without a nickname.
    Agent,
    /// Notice: `{name}` joined.
    NoticeJoined,
    /// Notice: the conversation ended.
    NoticeEnded,
    /// Notice: the session expired.
    NoticeExpired,
    /// Notice: the connection was closed by the server.
    NoticeClosed,
    /// Notice: a new conversation started.
    NoticeNewConversation,
    /// `{name}` is typing.
    Typing,
    /// The quick-reply group's name.
    QuickReplies,
    /// The composer's label.
    Message,
    /// The composer's placeholder.
    MessagePlaceholder,
    /// The send button.
    Send,
    /// Composer reason: over `{max}` characters.
    ReasonTooLong,
    /// Composer reason: read-only conversation.
    ReasonReadOnly,
    /// Notice: the agent ended the conversation, and the visitor may write on (a deployment's
    /// `conversationDisconnect` `Send`).
    NoticeEndedKeepWriting,
    /// The shared-computer choice: keep nothing after the tab closes.
    SharedComputer,
    /// Composer reason: no conversation.
    ReasonNoSession,
    /// The attach button.
    AttachFile,
    /// Upload in progress for `{name}`.
    Uploading,
    /// Upload refused: file type.
    UploadTypeNotAllowed,
    /// Upload refused: larger than `{max}`.
    UploadTooLarge,
    /// Upload failed: `{reason}` follows.
    UploadFailed,
    /// Dismisses an error.
    Dismiss,
    /// The "scroll to newest" pill.
    NewMessages,
    /// Carousel: previous card.
    Previous,
    /// Carousel: next card.
    Next,
    /// Carousel's name.
    Cards,
    /// A file to download, `{name}`.
    Download,
    /// Content the window cannot show.
    Unsupported,
    /// Date separator: today.
    Today,
    /// Date separator: yesterday.
    Yesterday,
    /// Opens in a new tab (for screen readers).
    OpensInNewTab,
    /// The header button that offers the transcript as a file.
    DownloadTranscript,
    /// Save the transcript as plain text.
    SaveAsText,
    /// Save the transcript as a web page (HTML).
    SaveAsWebPage,
    /// The saved transcript's title (and file name).
    TranscriptTitle,
    /// The pre-chat form's introduction (and its accessible name).
    PrechatIntro,
    /// The pre-chat form's submit button.
    PrechatStart,
    /// Pre-chat field: the visitor's name.
    FieldName,
    /// Pre-chat field: email address.
    FieldEmail,
    /// Pre-chat field: phone number.
    FieldPhone,
    /// Pre-chat field: the consent checkbox's default label.
    FieldConsent,
    /// Marks a pre-chat field that may stay empty.
    FieldOptional,
    /// Pre-chat error: a required field is empty.
    ProblemRequired,
    /// Pre-chat error: not an email address.
    ProblemEmail,
    /// Pre-chat error: not a phone number.
    ProblemPhone,
    /// Pre-chat error: consent not given.
    ProblemConsent,
    /// The header button for sound and notifications.
    AlertSettings,
    /// Toggle: a chime for agent messages.
    SoundToggle,
    /// Toggle: a browser notification for agent messages while the tab is hidden.
    NotifyToggle,
    /// A notification's title: a message from `{name}`.
    NotificationTitle,
    /// The browser refused notifications.
    NotifyBlocked,
}

/// A language the window speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Locale {
    /// English.
    En,
    /// German.
    De,
    /// French.
    Fr,
    /// Spanish.
    Es,
}

impl Locale {
    /// Every supported locale.
    pub const ALL: [Locale; 4] = [Locale::En, Locale::De, Locale::Fr, Locale::Es];

    /// The BCP 47 tag, for `lang=` and `Intl`.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::De => "de",
            Locale::Fr => "fr",
            Locale::Es => "es",
        }
    }

    /// The locale for a language tag such as `de-CH` or `fr`; `None` when unsupported.
    pub fn from_tag(tag: &str) -> Option<Locale> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        Locale::ALL.into_iter().find(|l| l.tag() == primary)
    }

    /// The first supported locale among the candidates (most specific first), else English.
    pub fn choose<'a>(candidates: impl IntoIterator<Item = Option<&'a str>>) -> Locale {
        candidates
            .into_iter()
            .flatten()
            .find_map(Locale::from_tag)
            .unwrap_or(Locale::En)
    }

    /// The string for `key` in this language.
    pub fn text(self, key: Key) -> &'static str {
        match self {
            Locale::En => en::text(key),
            Locale::De => de::text(key),
            Locale::Fr => fr::text(key),
            Locale::Es => es::text(key),
        }
    }
}

/// `template` with each `{name}` placeholder replaced by its value.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = template.to_owned();
    for (name, value) in values {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

/// The placeholders a template uses, sorted (for the translation tests).
pub fn placeholders(template: &str) -> Vec<&str> {
    let mut found: Vec<&str> = template
        .split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
        .collect();
    found.sort_unstable();
    found
}
