//! Guest attachments (PROTOCOL.md §1.4.7), socket side and store: `onAttachment` →
//! `PresignedUrlResponse` pointing at this server's `PUT /emulator/uploads/{id}` (see `uploads`,
//! which must see the returned `x-amz-tagging` header, as S3 would insist) →
//! `UploadSuccessEvent` pushed to the token's connections with a download URL. `getAttachment`
//! refreshes that URL, `deleteAttachment` forgets an unsent file, and `onMessage` resolves `{id}`
//! references to full attachments (see [`Attachments::resolve`]).
//!
//! Refusals use the reference's codes: MIME type not allowed → 4001, declared size over the limit
//! → 4002 (`GenerateUrlError`), a PUT body larger than declared → 4002 (`UploadFailureEvent`),
//! blocked extension or unusable name → 4004, name over 255 characters → 4005; unknown id → 4009,
//! not uploaded yet → 4010, forgotten to bound memory → 4008. At most
//! `max_stored_attachments` files are kept; the oldest uploads are forgotten first. A session
//! may have at most [`MAX_ATTACHMENTS_PER_SESSION`] attachment records (announced, uploaded or
//! forgotten) at once; beyond, `onAttachment` answers `GenerateUrlError` 429 until some are
//! deleted or the session ends.

use std::collections::{HashMap, VecDeque};

use axum::body::Bytes;
use parley_shared::genesys::{
    AllowedMediaType, Attachment, DeleteAttachment, ErrorCode, GetAttachment, MediaType,
    OnAttachment, ServerFrame,
};

use super::Emulator;
use super::config::EmulatorConfig;
use super::context::ConnCtx;
use super::frames;
use super::lifecycle::live_session;

/// Attachment records one session may hold at once.
pub const MAX_ATTACHMENTS_PER_SESSION: usize = 32;

/// Longest file name accepted (4005 above it).
const MAX_FILE_NAME_CHARS: usize = 255;

/// Where an attachment is in its life.
#[derive(Debug)]
pub(super) enum UploadState {
    /// Upload URL handed out, no bytes yet.
    Pending,
    /// Bytes stored; downloadable with `key`.
    Uploaded { bytes: Bytes, key: String },
    /// Bytes dropped to bound memory.
    Forgotten,
}

/// One attachment the guest announced.
#[derive(Debug)]
pub(super) struct Stored {
    pub(super) token: String,
    pub(super) file_name: String,
    pub(super) file_type: String,
    pub(super) declared_size: u64,
    pub(super) tagging: String,
    base_url: String,
    pub(super) state: UploadState,
}

impl Stored {
    pub(super) fn download_url(&self, id: &str) -> Option<String> {
        match &self.state {
            UploadState::Uploaded { key, .. } => Some(format!(
                "{}/emulator/downloads/{id}?key={key}",
                self.base_url
            )),
            _ => None,
        }
    }
}

/// Every announced attachment, by id.
#[derive(Debug, Default)]
pub struct Attachments {
    pub(super) by_id: HashMap<String, Stored>,
    uploaded_order: VecDeque<String>,
    /// Records per session token (kept in step with `by_id`).
    per_token: HashMap<String, usize>,
}

impl Attachments {
    /// The full attachment an `onMessage` may carry, or why it cannot.
    pub fn resolve(&self, token: &str, id: &str) -> Result<Attachment, ErrorCode> {
        let stored = self
            .by_id
            .get(id)
            .filter(|stored| stored.token == token)
            .ok_or(ErrorCode::AttachmentNotFound)?;
        let (url, size) = match &stored.state {
            UploadState::Pending => return Err(ErrorCode::AttachmentNotSuccessfullyUploaded),
            UploadState::Forgotten => return Err(ErrorCode::AttachmentHasExpired),
            UploadState::Uploaded { bytes, .. } => (stored.download_url(id), bytes.len() as u64),
        };
        Ok(Attachment {
            id: id.to_owned(),
            media_type: Some(media_type_of(&stored.file_type)),
            url,
            mime: Some(stored.file_type.clone()),
            filename: Some(stored.file_name.clone()),
            file_size: Some(size),
            ..Attachment::default()
        })
    }

    /// Records a newly announced attachment, unless its session already holds
    /// [`MAX_ATTACHMENTS_PER_SESSION`]. A re-announced id replaces its record.
    fn insert(&mut self, id: String, stored: Stored) -> Result<(), ErrorCode> {
        if let Some(known) = self.by_id.get_mut(&id) {
            *known = stored;
            return Ok(());
        }
        let count = self.per_token.entry(stored.token.clone()).or_default();
        if *count >= MAX_ATTACHMENTS_PER_SESSION {
            return Err(ErrorCode::TooManyRequests);
        }
        *count += 1;
        self.by_id.insert(id, stored);
        Ok(())
    }

    /// Forgets one record.
    fn remove(&mut self, id: &str) {
        if let Some(stored) = self.by_id.remove(id) {
            if let Some(count) = self.per_token.get_mut(&stored.token) {
                *count = count.saturating_sub(1);
                if *count == 0 {
                    self.per_token.remove(&stored.token);
                }
            }
            self.uploaded_order.retain(|known| known != id);
        }
    }

    /// Drops every attachment of `token` (session expired or cleared).
    pub fn forget_token(&mut self, token: &str) {
        self.per_token.remove(token);
        self.by_id.retain(|_, stored| stored.token != token);
        let by_id = &self.by_id;
        self.uploaded_order.retain(|id| by_id.contains_key(id));
    }

    pub(super) fn mark_uploaded(&mut self, id: &str, bytes: Bytes, key: String, cap: usize) {
        if let Some(stored) = self.by_id.get_mut(id) {
            stored.state = UploadState::Uploaded { bytes, key };
            self.uploaded_order.retain(|known| known != id);
            self.uploaded_order.push_back(id.to_owned());
        }
        while self.uploaded_order.len() > cap {
            let Some(oldest) = self.uploaded_order.pop_front() else {
                break;
            };
            if let Some(stored) = self.by_id.get_mut(&oldest) {
                stored.state = UploadState::Forgotten;
            }
        }
    }
}

/// Whether a file may be uploaded at all, before any URL is handed out.
pub fn check_file(
    config: &EmulatorConfig,
    name: &str,
    mime: &str,
    size: u64,
) -> Result<(), ErrorCode> {
    let unusable = name.trim().is_empty()
        || name == "."
        || name == ".."
        || name
            .chars()
            .any(|c| c.is_control() || c == '/' || c == '\\');
    if unusable {
        return Err(ErrorCode::FileNameInvalid);
    }
    if name.chars().count() > MAX_FILE_NAME_CHARS {
        return Err(ErrorCode::FileNameTooLong);
    }
    let lower = name.to_ascii_lowercase();
    if config
        .blocked_extensions
        .iter()
        .any(|extension| lower.ends_with(&extension.to_ascii_lowercase()))
    {
        return Err(ErrorCode::FileNameInvalid);
    }
    let allowed = config.allowed_media.iter().any(|pattern| {
        AllowedMediaType {
            mime_pattern: pattern.clone(),
        }
        .matches(mime)
    });
    if !allowed {
        return Err(ErrorCode::FileTypeInvalid);
    }
    if size > config.max_file_size_bytes() {
        return Err(ErrorCode::FileSizeInvalid);
    }
    Ok(())
}

/// Attachment ids go into URLs: keep them to a safe alphabet.
fn is_safe_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 128
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

pub(super) fn media_type_of(mime: &str) -> MediaType {
    match mime.split('/').next().unwrap_or("") {
        "image" => MediaType::Image,
        "video" => MediaType::Video,
        "audio" => MediaType::Audio,
        _ => MediaType::File,
    }
}

/// `onAttachment`: validate and hand out an upload URL, or `GenerateUrlError`.
pub fn on_attachment(emulator: &Emulator, ctx: &mut ConnCtx, request: OnAttachment) {
    let tracing_id = request.tracing_id.clone();
    {
        let mut sessions = emulator.sessions();
        if let Err(error) = live_session(emulator, &mut sessions, &request.token, &tracing_id) {
            return ctx.reply(&error);
        }
    }
    let id = request
        .attachment_id
        .clone()
        .unwrap_or_else(|| emulator.ids().next("att"));
    let config = emulator.config();
    let checked = if is_safe_id(&id) {
        check_file(
            config,
            &request.file_name,
            &request.file_type,
            request.file_size,
        )
    } else {
        Err(ErrorCode::BadRequest)
    };
    if let Err(code) = checked {
        return ctx.reply(&frames::generate_url_error(&id, code, tracing_id));
    }
    let tagging = format!("parley-upload={}", emulator.ids().secret());
    let mut attachments = emulator.attachments();
    if attachments
        .by_id
        .get(&id)
        .is_some_and(|stored| stored.token != request.token)
    {
        drop(attachments);
        let code = ErrorCode::BadRequest;
        return ctx.reply(&frames::generate_url_error(&id, code, tracing_id));
    }
    let inserted = attachments.insert(
        id.clone(),
        Stored {
            token: request.token.clone(),
            file_name: request.file_name.clone(),
            file_type: request.file_type.clone(),
            declared_size: request.file_size,
            tagging: tagging.clone(),
            base_url: ctx.base_url.clone(),
            state: UploadState::Pending,
        },
    );
    drop(attachments);
    if let Err(code) = inserted {
        return ctx.reply(&frames::generate_url_error(&id, code, tracing_id));
    }
    let url = format!("{}/emulator/uploads/{id}", ctx.base_url);
    ctx.reply(&frames::upload_url(&id, &request, url, tagging, tracing_id));
}

/// `getAttachment`: a fresh download URL (empty headers) for an uploaded file.
pub fn get_attachment(emulator: &Emulator, ctx: &mut ConnCtx, request: GetAttachment) {
    let tracing_id = request.tracing_id.clone();
    let attachments = emulator.attachments();
    match attachments.resolve(&request.token, &request.attachment_id) {
        Ok(attachment) => ctx.reply(&frames::download_url(attachment, tracing_id)),
        Err(code) => ctx.reply(&ServerFrame::error(code, code.meaning(), tracing_id)),
    }
}

/// `deleteAttachment`: forget an attachment of this token.
pub fn delete_attachment(emulator: &Emulator, ctx: &mut ConnCtx, request: DeleteAttachment) {
    let tracing_id = request.tracing_id.clone();
    let mut attachments = emulator.attachments();
    let owned = attachments
        .by_id
        .get(&request.attachment_id)
        .is_some_and(|stored| stored.token == request.token);
    if !owned {
        let code = ErrorCode::AttachmentNotFound;
        return ctx.reply(&ServerFrame::error(code, code.meaning(), tracing_id));
    }
    let id = request.attachment_id;
    attachments.remove(&id);
    drop(attachments);
    ctx.reply(&frames::deleted(&id, tracing_id));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored(token: &str) -> Stored {
        Stored {
            token: token.into(),
            file_name: "a.png".into(),
            file_type: "image/png".into(),
            declared_size: 1,
            tagging: String::new(),
            base_url: String::new(),
            state: UploadState::Pending,
        }
    }

    #[test]
    fn attachment_records_are_capped_per_session() {
        let mut attachments = Attachments::default();
        for n in 0..MAX_ATTACHMENTS_PER_SESSION {
            attachments.insert(format!("a{n}"), stored("t")).unwrap();
        }
        assert_eq!(
            attachments.insert("one-more".into(), stored("t")),
            Err(ErrorCode::TooManyRequests)
        );
        assert_eq!(
            attachments.insert("a0".into(), stored("t")),
            Ok(()),
            "replacing is fine"
        );
        assert_eq!(attachments.insert("other".into(), stored("u")), Ok(()));
        attachments.remove("a1");
        assert_eq!(attachments.insert("one-more".into(), stored("t")), Ok(()));
        attachments.forget_token("t");
        assert_eq!(attachments.by_id.len(), 1);
        assert!(!attachments.per_token.contains_key("t"));
    }

    #[test]
    fn file_checks_use_the_reference_codes() {
        let config = EmulatorConfig::default();
        assert_eq!(check_file(&config, "a.png", "image/png", 10), Ok(()));
        assert_eq!(
            check_file(&config, "a.zip", "application/zip", 10),
            Err(ErrorCode::FileTypeInvalid)
        );
        assert_eq!(
            check_file(
                &config,
                "a.png",
                "image/png",
                config.max_file_size_bytes() + 1
            ),
            Err(ErrorCode::FileSizeInvalid)
        );
        assert_eq!(
            check_file(&config, "run.EXE", "image/png", 10),
            Err(ErrorCode::FileNameInvalid)
        );
        assert_eq!(
            check_file(&config, "../a.png", "image/png", 10),
            Err(ErrorCode::FileNameInvalid)
        );
        let long = format!("{}.png", "a".repeat(300));
        assert_eq!(
            check_file(&config, &long, "image/png", 10),
            Err(ErrorCode::FileNameTooLong)
        );
    }
}
