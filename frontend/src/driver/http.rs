//! The driver's two HTTP calls: the session grant from Parley's server and a history page
//! from the guest API. Both answer with the engine input the effect asked for.

use gloo_net::http::{Request, Response};
use parley_shared::api::{ApiErrorBody, SessionGrant, SessionGrantRequest};
use parley_shared::genesys::{HistoryPage, HistoryQuery};
use wasm_bindgen::JsCast;

/// Where the grant comes from, under the Parley server's base URL (see README, "Embedding").
pub const SESSION_PATH: &str = "api/session";

/// `POST {server}api/session` (cross-origin when the host page is on another site: the server
/// allows the host's origin by CORS), resuming `resume` when given. `Err` is a sentence for
/// the visitor's diagnostics (never the token).
pub async fn request_session(server: &str, resume: Option<String>) -> Result<SessionGrant, String> {
    let body = SessionGrantRequest { resume };
    let response = Request::post(&format!("{server}{SESSION_PATH}"))
        .json(&body)
        .map_err(|e| e.to_string())?
        .send()
        .await
        .map_err(|e| format!("session request failed: {e}"))?;
    read_grant(response).await
}

/// The answer to the fresh-session request the loader sent while the window loaded
/// (`loader/parley.js`, `askForGrant`: `POST {server}api/session` with `{}`), read like
/// [`request_session`]'s; `None` when that request failed on the network, so the driver asks
/// itself.
pub async fn prefetched_session(request: js_sys::Promise) -> Option<Result<SessionGrant, String>> {
    let response = wasm_bindgen_futures::JsFuture::from(request).await.ok()?;
    let response = response.dyn_into::<web_sys::Response>().ok()?;
    Some(read_grant(response.into()).await)
}

/// A grant from the server's answer, or why not (its status and message, never the token).
async fn read_grant(response: Response) -> Result<SessionGrant, String> {
    if !response.ok() {
        let status = response.status();
        let message = response
            .json::<ApiErrorBody>()
            .await
            .map(|body| body.message)
            .unwrap_or_default();
        return Err(format!("session refused ({status}) {message}"));
    }
    response
        .json::<SessionGrant>()
        .await
        .map_err(|e| format!("unreadable session grant: {e}"))
}

/// `GET` one history page with the guest JWT as bearer token.
pub async fn fetch_history(
    api_base_url: &str,
    jwt: &str,
    query: &HistoryQuery,
) -> Result<HistoryPage, String> {
    let response = Request::get(&query.url(api_base_url))
        .header("Authorization", &format!("bearer {jwt}"))
        .send()
        .await
        .map_err(|e| format!("history request failed: {e}"))?;
    if !response.ok() {
        return Err(format!("history refused ({})", response.status()));
    }
    response
        .json::<HistoryPage>()
        .await
        .map_err(|e| format!("unreadable history page: {e}"))
}
