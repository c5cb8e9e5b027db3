//! History pages for the engine's catch-up after a (re)connect: one HTTP GET with the guest JWT,
//! answered as [`Input::HistoryReceived`] or [`Input::HistoryFailed`]. The JWT is a secret: it
//! goes in the header only and never into an error message.

use parley_shared::engine::Input;
use parley_shared::genesys::{HistoryPage, HistoryQuery};

use crate::grant::describe_reqwest;

/// Fetches one page; never panics, every failure becomes [`Input::HistoryFailed`].
pub(super) async fn fetch(
    http: &reqwest::Client,
    api_base_url: &str,
    jwt: &str,
    query: HistoryQuery,
) -> Input {
    let response = http
        .get(query.url(api_base_url))
        .bearer_auth(jwt)
        .send()
        .await;
    let response = match response {
        Ok(response) => response,
        Err(error) => return Input::HistoryFailed(describe_reqwest(&error.without_url())),
    };
    let status = response.status();
    if !status.is_success() {
        return Input::HistoryFailed(format!("history answered HTTP {status}"));
    }
    match response.json::<HistoryPage>().await {
        Ok(page) => Input::HistoryReceived(page),
        Err(error) => Input::HistoryFailed(format!("unreadable history page: {error}")),
    }
}
