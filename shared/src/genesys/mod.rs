//! Wire types for the Genesys Cloud Web Messaging guest API (PROTOCOL.md §1).
//!
//! This is the vocabulary every other part of Parley speaks: the browser and headless drivers
//! serialise [`ClientRequest`]s and decode [`ServerFrame`]s, the engine reasons about
//! [`StructuredMessage`]s, and the emulator produces the very same frames. Keeping one set of
//! types for both directions is what makes the emulator faithful: it cannot drift from the
//! client's idea of the protocol without a test noticing.
//!
//! Decoding is tolerant by design, as both official SDKs are: unknown fields are ignored,
//! unknown `class`es, content kinds and event kinds are kept as raw JSON rather than dropped,
//! and no input makes decoding panic.

mod content;
mod error;
mod event;
mod frame;
mod history;
mod lenient;
mod message;
mod region;
mod request;

pub use content::{
    AllowedMediaType, Attachment, ButtonResponse, ButtonResponseType, Card, CardAction,
    CardActionType, Carousel, Content, DatePicker, DatePickerTime, ListPicker, ListPickerItem,
    ListPickerMessage, ListPickerSection, MediaType, QuickReply,
};
pub use error::ErrorCode;
pub use event::{Event, Presence, PresenceType, Typing, TypingType};
pub use frame::{
    AllowedMedia, AttachmentDeletedResponse, ConnectionClosedEvent, ErrorMessage, FrameBody,
    FrameType, GenerateUrlError, GetConfigurationResponse, InboundMedia, JwtResponse,
    PresignedUrlResponse, ResumeTokenResponse, ServerFrame, SessionResponse,
    TooManyRequestsErrorMessage, UploadFailureEvent, UploadSuccessEvent,
};
pub use history::{HISTORY_PATH, HistoryPage, HistoryQuery};
pub use message::{
    Channel, ChannelMetadata, Direction, MessageType, Participant, StructuredMessage,
};
pub use region::{EndpointError, Endpoints, Region};
pub use request::{
    AuthData, ClientRequest, CloseSession, ConfigureAuthenticatedSession, ConfigureSession,
    DeleteAttachment, Echo, GetAttachment, GetConfiguration, GetJwt, IncomingChannel,
    IncomingMessage, JourneyContext, JourneyCustomer, JourneyCustomerSession, OnAttachment,
    OnMessage,
};

/// The longest guest text Parley will send. Genesys documents 4,000 characters for agent
/// replies and answers longer guest text with error 4011 (PROTOCOL.md §1.10); refusing before
/// sending gives the visitor a clear message instead of a failed bubble.
pub const MAX_TEXT_CHARS: usize = 4000;

/// The guest message rate Genesys enforces per session (PROTOCOL.md §1.10, since 2023-12-11).
pub const MAX_MESSAGES_PER_SECOND: u32 = 2;

/// The longest guest session token Genesys accepts (PROTOCOL.md §1.10).
pub const MAX_TOKEN_CHARS: usize = 2048;
