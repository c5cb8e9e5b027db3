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
    #[serde(default, deserialize_with = "lenient::vec_or_null_via_value")]
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::genesys::Content;

    #[test]
    fn a_page_decoded_from_text_keeps_typed_content_and_reads_null_entities_as_empty() {
        let page: HistoryPage = serde_json::from_str(
            r#"{"entities":[{"id":"1","type":"Structured","direction":"Outbound","text":"Pick",
                "content":[{"contentType":"QuickReply","quickReply":{"text":"A","payload":"a"}}]}],
                "pageSize":25,"pageNumber":1,"total":1,"pageCount":2}"#,
        )
        .unwrap();
        assert_eq!(page.entities[0].id, "1");
        assert!(
            matches!(&page.entities[0].content[0], Content::QuickReply(reply) if reply.payload == "a")
        );
        assert!(page.has_older());

        let empty: HistoryPage =
            serde_json::from_str(r#"{"entities":null,"pageNumber":1}"#).unwrap();
        assert!(empty.entities.is_empty());
    }

    #[test]
    fn a_page_whose_message_lacks_its_type_is_an_error_not_a_panic() {
        let broken = serde_json::from_str::<HistoryPage>(r#"{"entities":[{"id":"1"}]}"#);
        assert!(broken.is_err());
    }
}
