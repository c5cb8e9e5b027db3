//! Guest file upload (PROTOCOL.md §1.4.7), carried out by the driver because the engine does
//! not own it yet: `onAttachment` on the live socket → `PresignedUrlResponse` → `PUT` the file
//! with the returned headers (XMLHttpRequest, for upload progress) → `UploadSuccessEvent` →
//! the message referencing the attachment id goes through the engine like any other.
//!
//! The engine should own this flow (request, correlation by attachment id, the error frames,
//! sending the message); until it does, this module keeps it to plain I/O plus the
//! correlation of one upload at a time.

use leptos::prelude::*;
use parley_shared::engine::{Input, SessionLimits};
use parley_shared::genesys::{Attachment, ClientRequest, FrameBody, MediaType, OnAttachment};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::{File, ProgressEvent, XmlHttpRequest};

use super::Driver;
use crate::chat_state::UploadView;
use crate::i18n::{Key, Locale, fill};

/// Why a file is refused before it is sent anywhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileProblem {
    /// The deployment does not accept this type (or this extension is blocked).
    TypeNotAllowed,
    /// Larger than the deployment's limit (bytes).
    TooLarge {
        /// The limit in bytes.
        max_bytes: u64,
    },
}

impl FileProblem {
    /// The problem in the visitor's words.
    pub fn describe(&self, locale: Locale) -> String {
        match self {
            FileProblem::TypeNotAllowed => locale.text(Key::UploadTypeNotAllowed).to_owned(),
            FileProblem::TooLarge { max_bytes } => fill(
                locale.text(Key::UploadTooLarge),
                &[("max", &human_size(*max_bytes))],
            ),
        }
    }
}

/// Checks a file against the session's upload rules (`SessionResponse.allowedMedia` and
/// `blockedExtensions`, via the engine's `limits()`). Without rules from the server, anything
/// goes and the server decides.
pub fn check_file(
    limits: &SessionLimits,
    name: &str,
    mime: &str,
    size: u64,
) -> Result<(), FileProblem> {
    let lower = name.to_ascii_lowercase();
    let blocked = limits.blocked_extensions.iter().any(|ext| {
        let ext = ext.trim_start_matches('.').to_ascii_lowercase();
        !ext.is_empty() && lower.ends_with(&format!(".{ext}"))
    });
    if blocked {
        return Err(FileProblem::TypeNotAllowed);
    }
    if let Some(inbound) = limits
        .allowed_media
        .as_ref()
        .and_then(|m| m.inbound.as_ref())
    {
        if !inbound.file_types.is_empty() && !inbound.accepts(mime) {
            return Err(FileProblem::TypeNotAllowed);
        }
        if let Some(max_kb) = inbound.max_file_size_kb {
            let max_bytes = max_kb.saturating_mul(1024);
            if size > max_bytes {
                return Err(FileProblem::TooLarge { max_bytes });
            }
        }
    }
    Ok(())
}

/// "2 MB", "1.5 MB", "640 KB", "512 B". (Integer arithmetic only: formatting a float would
/// pull the float printer into the bundle.)
pub fn human_size(bytes: u64) -> String {
    match bytes {
        b if b >= 1024 * 1024 => {
            let tenths = (b * 10 + 512 * 1024) / (1024 * 1024);
            match tenths % 10 {
                0 => format!("{} MB", tenths / 10),
                d => format!("{}.{d} MB", tenths / 10),
            }
        }
        b if b >= 1024 => format!("{} KB", b / 1024),
        b => format!("{b} B"),
    }
}

/// A running PUT and the handlers it reports through (kept alive while it runs).
type Put = (
    XmlHttpRequest,
    Closure<dyn FnMut(ProgressEvent)>,
    Closure<dyn FnMut()>,
);

/// The upload in flight.
pub(super) struct Pending {
    attachment_id: String,
    file: File,
    xhr: Option<Put>,
}

impl Driver {
    /// Starts uploading `file`; `Err` is the reason in words.
    pub(super) fn start_upload(&self, file: File) -> Result<(), String> {
        let locale = self.window.locale;
        let name = file.name();
        let size = file.size().max(0.0) as u64;
        let limits = self.state.limits.get_untracked();
        check_file(&limits, &name, &file.type_(), size).map_err(|p| p.describe(locale))?;
        let Some(token) = self.token.borrow().clone() else {
            return Err(locale.text(Key::ReasonNoSession).to_owned());
        };
        let attachment_id = uuid::Uuid::new_v4().to_string();
        let request = ClientRequest::OnAttachment(OnAttachment {
            token,
            tracing_id: Some(uuid::Uuid::new_v4().to_string()),
            attachment_id: Some(attachment_id.clone()),
            file_name: name.clone(),
            file_type: non_empty_mime(&file.type_()),
            file_size: size,
            file_md5: None,
            errors_as_json: Some(true),
        });
        if !self.sockets.send_on_current(&request.to_json()) {
            return Err(locale.text(Key::Connecting).to_owned());
        }
        self.cancel_upload();
        self.uploads.replace(Some(Pending {
            attachment_id,
            file,
            xhr: None,
        }));
        self.state.upload.set(Some(UploadView {
            name,
            progress: None,
            error: None,
        }));
        Ok(())
    }

    /// Looks at a frame for the answers to the current upload.
    pub(super) fn upload_frame(&self, body: &FrameBody) {
        let current = self
            .uploads
            .borrow()
            .as_ref()
            .map(|p| p.attachment_id.clone());
        let Some(current) = current else { return };
        match body {
            FrameBody::PresignedUrlResponse(answer) if answer.attachment_id == current => {
                if let Err(reason) = self.put_file(&answer.url, &answer.headers) {
                    self.upload_failed(&reason);
                }
            }
            FrameBody::UploadSuccessEvent(event) if event.attachment_id == current => {
                if let Some(pending) = self.uploads.borrow().as_ref() {
                    let mime = non_empty_mime(&pending.file.type_());
                    let attachment = Attachment {
                        id: current.clone(),
                        media_type: Some(if mime.starts_with("image/") {
                            MediaType::Image
                        } else {
                            MediaType::File
                        }),
                        url: Some(event.download_url.clone()).filter(|u| !u.is_empty()),
                        mime: Some(mime),
                        filename: Some(pending.file.name()),
                        file_size: Some(pending.file.size().max(0.0) as u64),
                        ..Attachment::default()
                    };
                    self.state.uploaded.update(|files| {
                        files.insert(current.clone(), attachment);
                    });
                }
                self.cancel_upload();
                self.state.upload.set(None);
                let result = self.input(Input::SendText {
                    text: String::new(),
                    attachment_ids: vec![current],
                });
                if let Err(refused) = result {
                    self.upload_failed(&refused.to_string());
                }
            }
            FrameBody::UploadFailureEvent(event) if event.attachment_id == current => {
                self.upload_failed(&event.error_message);
            }
            FrameBody::GenerateUrlError(event) if event.attachment_id == current => {
                self.upload_failed(&event.error_message);
            }
            _ => {}
        }
    }

    fn put_file(
        &self,
        url: &str,
        headers: &std::collections::BTreeMap<String, String>,
    ) -> Result<(), String> {
        let xhr = XmlHttpRequest::new().map_err(|_| "XMLHttpRequest unavailable".to_owned())?;
        xhr.open_with_async("PUT", url, true)
            .map_err(|_| "bad upload URL".to_owned())?;
        for (name, value) in headers {
            // Headers a browser forbids (Host, Content-Length) are set by the browser itself.
            let _ = xhr.set_request_header(name, value);
        }
        let state = self.state;
        let on_progress = Closure::<dyn FnMut(ProgressEvent)>::new(move |event: ProgressEvent| {
            if event.length_computable() && event.total() > 0.0 {
                let fraction = event.loaded() / event.total();
                state.upload.update(|upload| {
                    if let Some(upload) = upload {
                        upload.progress = Some(fraction);
                    }
                });
            }
        });
        let me = self.me.clone();
        let finished = {
            let xhr = xhr.clone();
            Closure::<dyn FnMut()>::new(move || {
                let status = xhr.status().unwrap_or(0);
                if !(200..300).contains(&status)
                    && let Some(driver) = me.upgrade()
                {
                    driver.upload_failed(&format!("HTTP {status}"));
                }
                // 2xx: the UploadSuccessEvent on the socket completes the flow.
            })
        };
        if let Ok(upload) = xhr.upload() {
            upload.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
        }
        xhr.set_onloadend(Some(finished.as_ref().unchecked_ref()));
        let mut uploads = self.uploads.borrow_mut();
        let Some(pending) = uploads.as_mut() else {
            return Ok(());
        };
        xhr.send_with_opt_blob(Some(&pending.file))
            .map_err(|_| "the file could not be read".to_owned())?;
        pending.xhr = Some((xhr, on_progress, finished));
        Ok(())
    }

    fn upload_failed(&self, reason: &str) {
        self.cancel_upload();
        let text = fill(
            self.window.locale.text(Key::UploadFailed),
            &[("reason", reason)],
        );
        self.state.upload.update(|upload| match upload {
            Some(upload) => upload.error = Some(text),
            None => {
                *upload = Some(UploadView {
                    name: String::new(),
                    progress: None,
                    error: Some(text),
                })
            }
        });
    }

    /// Abandons the current upload (its handlers are detached and dropped on a later task).
    pub(super) fn cancel_upload(&self) {
        if let Some(pending) = self.uploads.borrow_mut().take()
            && let Some((xhr, progress, finished)) = pending.xhr
        {
            if let Ok(upload) = xhr.upload() {
                upload.set_onprogress(None);
            }
            xhr.set_onloadend(None);
            wasm_bindgen_futures::spawn_local(async move { drop((progress, finished)) });
        }
    }
}

fn non_empty_mime(mime: &str) -> String {
    if mime.is_empty() {
        "application/octet-stream".to_owned()
    } else {
        mime.to_owned()
    }
}
