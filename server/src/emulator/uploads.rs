//! The HTTP side of guest attachments: the presigned-style upload URL
//! (`PUT /emulator/uploads/{attachmentId}`, which must repeat the `x-amz-tagging` header handed
//! out by `onAttachment`) and the download URL (`GET /emulator/downloads/{attachmentId}?key=…`).
//! The socket side and the store live in `attachments`.
//!
//! A PUT body larger than the size declared in `onAttachment` is refused and the token's
//! connections get `UploadFailureEvent` 4002; a good upload gets `UploadSuccessEvent`. Downloads
//! are served with `nosniff` and a sandboxing CSP, and as downloads unless they are images, so a
//! guest's upload can never run script on this origin.

use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use parley_shared::genesys::{ErrorCode, MediaType, ServerFrame};
use serde::Deserialize;

use super::access::OriginCheck;
use super::attachments::{UploadState, media_type_of};
use super::tagging::TAGGING_HEADER;
use super::{Emulator, frames};

/// `PUT /emulator/uploads/{attachmentId}`: store the bytes and push `UploadSuccessEvent` (or
/// `UploadFailureEvent` when the body exceeds the declared size).
pub async fn upload(
    State(emulator): State<Emulator>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    if let Err(refused) = OriginCheck::IfPresent.verify(emulator.config(), &headers) {
        return refused.into_response();
    }
    let (token, declared_size) = {
        let attachments = emulator.attachments();
        let Some(stored) = attachments.by_id.get(&id) else {
            return (StatusCode::NOT_FOUND, "NoSuchUpload").into_response();
        };
        let tagging = headers.get(TAGGING_HEADER).and_then(|v| v.to_str().ok());
        if tagging != Some(stored.tagging.as_str()) {
            return (StatusCode::FORBIDDEN, "SignatureDoesNotMatch").into_response();
        }
        (stored.token.clone(), stored.declared_size)
    };
    let mut received = Vec::new();
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        let Ok(chunk) = chunk else {
            return (StatusCode::BAD_REQUEST, "IncompleteBody").into_response();
        };
        if (received.len() + chunk.len()) as u64 > declared_size {
            let code = ErrorCode::FileSizeInvalid;
            let event = frames::upload_failure(&emulator, &id, code);
            broadcast_to_token(&emulator, &token, &event);
            return (StatusCode::BAD_REQUEST, "EntityTooLarge").into_response();
        }
        received.extend_from_slice(&chunk);
    }
    let cap = emulator.config().max_stored_attachments;
    let download_url = {
        let mut attachments = emulator.attachments();
        let key = emulator.ids().secret();
        attachments.mark_uploaded(&id, Bytes::from(received), key, cap);
        attachments
            .by_id
            .get(&id)
            .and_then(|stored| stored.download_url(&id))
    };
    let Some(download_url) = download_url else {
        return (StatusCode::NOT_FOUND, "NoSuchUpload").into_response();
    };
    let event = frames::upload_success(&emulator, &id, download_url);
    broadcast_to_token(&emulator, &token, &event);
    StatusCode::OK.into_response()
}

fn broadcast_to_token(emulator: &Emulator, token: &str, frame: &ServerFrame) {
    if let Some(session) = emulator.sessions().live(token) {
        session.broadcast(frame);
    }
}

/// The `?key=` of a download URL.
#[derive(Debug, Deserialize)]
pub struct DownloadKey {
    #[serde(default)]
    key: String,
}

/// `GET /emulator/downloads/{attachmentId}?key=…`: the uploaded bytes.
pub async fn download(
    State(emulator): State<Emulator>,
    Path(id): Path<String>,
    Query(query): Query<DownloadKey>,
) -> Response {
    let attachments = emulator.attachments();
    let Some(stored) = attachments.by_id.get(&id) else {
        return (StatusCode::NOT_FOUND, "NoSuchKey").into_response();
    };
    let UploadState::Uploaded { bytes, key } = &stored.state else {
        return (StatusCode::NOT_FOUND, "NoSuchKey").into_response();
    };
    if query.key != *key {
        return (StatusCode::FORBIDDEN, "AccessDenied").into_response();
    }
    let content_type = HeaderValue::from_str(&stored.file_type)
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    let disposition = if media_type_of(&stored.file_type) == MediaType::Image {
        "inline"
    } else {
        "attachment"
    };
    let safe_name: String = stored
        .file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let disposition = HeaderValue::from_str(&format!("{disposition}; filename=\"{safe_name}\""))
        .unwrap_or(HeaderValue::from_static("attachment"));
    let mut response = bytes.clone().into_response();
    let response_headers = response.headers_mut();
    response_headers.insert(header::CONTENT_TYPE, content_type);
    response_headers.insert(header::CONTENT_DISPOSITION, disposition);
    response_headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response_headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("sandbox; default-src 'none'"),
    );
    response
}
