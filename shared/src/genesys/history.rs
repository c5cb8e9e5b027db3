//! History pages: `GET /api/v2/webmessaging/messages` with the guest JWT (PROTOCOL.md §1.12).
//! Page 1 holds the newest messages, newest first.

use serde::{Deserialize, Serialize};

use super::lenient;
use super::message::StructuredMessage;

/// The history endpoint's path, relative to the API base.
pub const HISTORY_PATH: &str = "/api/v2/webmessaging/messages";

/// One page of history (`WebMessagingMessageEntityList`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HistoryPage {
    /// The messages, newest first.
    #[serde(default, deserialize_with = "lenient::vec_or_null")]
    pub entities: Vec<StructuredMessage>,
    /// Requested page size (0 on an empty history).
    #[serde(default)]
    pub page_size: u32,
    /// This page's number, from 1.
    #[serde(default)]
    pub page_number: u32,
    /// Messages in all pages.
    #[serde(default)]
    pub total: u64,
    /// Number of pages.
    #[serde(default)]
    pub page_count: u32,
}

impl HistoryPage {
    /// Whether a later (older) page exists.
    pub fn has_older(&self) -> bool {
        self.page_number < self.page_count
    }
}

/// Which page to fetch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HistoryQuery {
    /// From 1; 1 is the newest.
    pub page_number: u32,
    /// Messages per page (Genesys defaults to 25).
    pub page_size: u32,
}

impl HistoryQuery {
    /// Genesys's default page size.
    pub const DEFAULT_PAGE_SIZE: u32 = 25;

    /// The newest page with the default size.
    pub fn first() -> HistoryQuery {
        HistoryQuery {
            page_number: 1,
            page_size: HistoryQuery::DEFAULT_PAGE_SIZE,
        }
    }

    /// The full URL of this page under `api_base` (e.g. `https://api.mypurecloud.com`).
    pub fn url(&self, api_base: &str) -> String {
        format!(
            "{}{HISTORY_PATH}?pageNumber={}&pageSize={}",
            api_base.trim_end_matches('/'),
            self.page_number,
            self.page_size
        )
    }
}
