//! The chat window's components, one UI concept per file. They read the signals of
//! [`crate::chat_state::ChatState`] and [`crate::window_state::WindowState`] from context and
//! act through [`crate::commands::Commands`]; none of them knows the engine or the driver.

pub mod alert_settings;
pub mod attachment;
pub mod card;
pub mod chat_window;
pub mod composer;
pub mod connection_status;
pub mod content;
pub mod entry;
pub mod header;
pub mod icon;
pub mod markdown;
pub mod prechat_form;
pub mod quick_replies;
pub mod rich_text;
pub mod save_transcript;
pub mod shared_computer;
mod shown;
pub mod transcript;
pub mod typing_indicator;
pub mod upload_status;
pub mod widget;
