//! The upload flow's rules (PROTOCOL.md §1.4.7); the states are in [`super::uploads`].
//!
//! - A file is checked before anything is sent: blocked extension, the deployment's
//!   `fileUpload.modes` ([`super::UploadRules`]), MIME type outside
//!   `allowedMedia.inbound.fileTypes`, size over `maxFileSizeKB` → [`Refused`]. Without limits
//!   from the server (no `SessionResponse` yet) anything goes and the server decides.
//! - One file at a time: while one is on its way, another is refused
//!   ([`Refused::UploadInProgress`]); a failed one does not count (it waits to be dismissed).
//! - `onAttachment` (fresh attachment id and tracingId, `errorsAsJson`) goes out when the
//!   connection is ready; unanswered when the socket drops, it is asked again on the next one
//!   (same id: the server answers it again).
//! - The `PUT` is the driver's ([`Effect::Upload`]): the bytes never enter the engine. It
//!   reports [`super::Input::UploadProgress`] and [`super::Input::UploadFailed`]; the socket's
//!   `UploadSuccessEvent` completes the upload. A ready file is sent at once as a message of its
//!   own: attaching is the guest's request to send it, as in most chat apps.
//! - [`Effect::AbortUpload`] tells the driver to stop a `PUT` and drop the bytes whenever an
//!   upload fails, is removed, or the conversation it belongs to ends.

use crate::genesys::{ClientRequest, Content, DeleteAttachment, MessageType, OnAttachment};

use super::uploads::{UPLOAD_STALL_MS, Upload, UploadFailure, UploadState};
use super::{AttachmentId, Effect, Engine, Millis, Refused};

impl Engine {
    pub(super) fn queue_attachment(
        &mut self,
        file_name: String,
        mime: String,
        size: u64,
        now: Millis,
    ) -> Result<AttachmentId, Refused> {
        self.check_can_send()?;
        let mime = if mime.trim().is_empty() {
            "application/octet-stream".to_owned()
        } else {
            mime
        };
        self.check_file(&file_name, &mime, size)?;
        if self.upload_in_progress() {
            return Err(Refused::UploadInProgress);
        }
        let attachment_id = self.ids.next_id();
        let tracing_id = self.ids.next_id();
        self.uploads.push(Upload::new(
            attachment_id.clone(),
            tracing_id,
            file_name,
            mime,
            size,
        ));
        self.request_uploads(now);
        self.dirty = true;
        Ok(attachment_id)
    }

    /// Whether a file is still on its way (one upload at a time: a second one would compete
    /// for the same connection and the window shows one progress bar).
    pub(super) fn upload_in_progress(&self) -> bool {
        self.uploads.iter().any(|upload| {
            matches!(
                upload.state,
                UploadState::Pending | UploadState::Uploading { .. } | UploadState::Ready
            )
        })
    }

    /// The session's upload rules for one file.
    fn check_file(&self, file_name: &str, mime: &str, size: u64) -> Result<(), Refused> {
        let lower = file_name.to_ascii_lowercase();
        let blocked = self.limits.blocked_extensions.iter().find(|extension| {
            let extension = extension.trim_start_matches('.').to_ascii_lowercase();
            !extension.is_empty() && lower.ends_with(&format!(".{extension}"))
        });
        if let Some(extension) = blocked {
            return Err(Refused::FileExtensionBlocked {
                extension: extension.clone(),
            });
        }
        self.config.deployment.uploads.check(mime, size)?;
        let inbound = self
            .limits
            .allowed_media
            .as_ref()
            .and_then(|media| media.inbound.as_ref());
        if let Some(inbound) = inbound {
            if !inbound.file_types.is_empty() && !inbound.accepts(mime) {
                return Err(Refused::FileTypeNotAllowed {
                    mime: mime.to_owned(),
                });
            }
            if let Some(max_kb) = inbound.max_file_size_kb {
                let max_bytes = max_kb.saturating_mul(1024);
                if size > max_bytes {
                    return Err(Refused::FileTooLarge { size, max_bytes });
                }
            }
        }
        Ok(())
    }

    /// Asks for the upload URLs not asked for on this socket yet, when the connection allows.
    pub(super) fn request_uploads(&mut self, now: Millis) {
        if !self.may_request() {
            return;
        }
        let Some(token) = self.token.clone() else {
            return;
        };
        let mut requests = Vec::new();
        for upload in &mut self.uploads {
            if upload.state == UploadState::Pending && !upload.requested {
                upload.requested = true;
                upload.deadline = Some(now + UPLOAD_STALL_MS);
                requests.push(ClientRequest::OnAttachment(OnAttachment {
                    token: token.clone(),
                    tracing_id: Some(upload.tracing_id.clone()),
                    attachment_id: Some(upload.attachment_id.clone()),
                    file_name: upload.file_name.clone(),
                    file_type: upload.mime.clone(),
                    file_size: upload.size,
                    file_md5: None,
                    errors_as_json: Some(true),
                }));
            }
        }
        for request in requests {
            self.send(request);
        }
    }

    /// The upload URL arrived: the driver sends the bytes.
    pub(super) fn upload_url(
        &mut self,
        attachment_id: &str,
        url: String,
        headers: std::collections::BTreeMap<String, String>,
        now: Millis,
    ) {
        let Some(upload) = self.upload_mut(attachment_id) else {
            return;
        };
        if upload.state != UploadState::Pending {
            return;
        }
        upload.state = UploadState::Uploading {
            sent: 0,
            total: upload.size,
        };
        upload.deadline = Some(now + UPLOAD_STALL_MS);
        self.effects.push_back(Effect::Upload {
            attachment_id: attachment_id.to_owned(),
            url,
            headers,
        });
        self.dirty = true;
    }

    pub(super) fn upload_progress(
        &mut self,
        attachment_id: &str,
        sent: u64,
        total: u64,
        now: Millis,
    ) {
        let Some(upload) = self.upload_mut(attachment_id) else {
            return;
        };
        if let UploadState::Uploading { .. } = upload.state {
            upload.state = UploadState::Uploading {
                sent: sent.min(total),
                total,
            };
            upload.deadline = Some(now + UPLOAD_STALL_MS);
            self.dirty = true;
        }
    }

    /// `UploadSuccessEvent`: the file is the server's; send it.
    pub(super) fn upload_succeeded(&mut self, attachment_id: &str, download_url: &str) {
        let Some(upload) = self.upload_mut(attachment_id) else {
            return;
        };
        if !upload.in_progress() {
            return;
        }
        upload.state = UploadState::Ready;
        upload.deadline = None;
        upload.download_url = Some(download_url.to_owned()).filter(|url| !url.is_empty());
        self.dirty = true;
        self.send_ready_uploads();
    }

    /// Sends every ready upload as a guest message of its own, if messages may be queued.
    pub(super) fn send_ready_uploads(&mut self) {
        if self.check_can_send().is_err() {
            return;
        }
        let (ready, rest) = std::mem::take(&mut self.uploads)
            .into_iter()
            .partition(|upload| upload.state == UploadState::Ready);
        self.uploads = rest;
        for upload in ready {
            let wire = Content::Attachment(crate::genesys::Attachment {
                id: upload.attachment_id.clone(),
                ..Default::default()
            });
            let shown = Content::Attachment(upload.shown());
            self.enqueue_with(
                MessageType::Text,
                String::new(),
                String::new(),
                vec![wire],
                vec![shown],
            );
        }
    }

    /// Fails an upload that is still on its way; the driver drops its bytes.
    pub(super) fn fail_upload(&mut self, attachment_id: &str, failure: UploadFailure) {
        let Some(upload) = self.upload_mut(attachment_id) else {
            return;
        };
        if !upload.in_progress() {
            return;
        }
        upload.state = UploadState::Failed(failure);
        upload.deadline = None;
        self.effects.push_back(Effect::AbortUpload {
            attachment_id: attachment_id.to_owned(),
        });
        self.dirty = true;
    }

    /// The guest removed a file: forget it here, at the server (if it knows it) and in the
    /// driver.
    pub(super) fn remove_upload(&mut self, attachment_id: &str) -> Result<(), Refused> {
        let index = self
            .uploads
            .iter()
            .position(|upload| upload.attachment_id == attachment_id)
            .ok_or(Refused::NoSuchUpload)?;
        let upload = self.uploads.remove(index);
        let server_knows = upload.requested && !matches!(upload.state, UploadState::Failed(_));
        if server_knows
            && self.socket_open()
            && let Some(token) = self.token.clone()
        {
            let tracing_id = self.ids.next_id();
            self.send(ClientRequest::DeleteAttachment(DeleteAttachment {
                token,
                attachment_id: upload.attachment_id.clone(),
                tracing_id: Some(tracing_id),
            }));
        }
        if upload.in_progress() {
            self.effects.push_back(Effect::AbortUpload {
                attachment_id: upload.attachment_id,
            });
        }
        self.dirty = true;
        Ok(())
    }

    /// The error frame answering an `onAttachment`, if `tracing_id` names one: fails it.
    pub(super) fn upload_error(&mut self, tracing_id: &str, code: u16, message: &str) -> bool {
        let Some(id) = self
            .uploads
            .iter()
            .find(|upload| upload.tracing_id == tracing_id)
            .map(|upload| upload.attachment_id.clone())
        else {
            return false;
        };
        let failure = UploadFailure::Refused {
            code,
            message: message.to_owned(),
        };
        self.fail_upload(&id, failure);
        true
    }

    /// Uploads that went too long without news fail.
    pub(super) fn uploads_timer(&mut self, now: Millis) {
        let stalled: Vec<String> = self
            .uploads
            .iter()
            .filter(|upload| upload.deadline.is_some_and(|at| now >= at))
            .map(|upload| upload.attachment_id.clone())
            .collect();
        for id in stalled {
            self.fail_upload(&id, UploadFailure::NoAnswer);
        }
    }

    /// The earliest upload deadline.
    pub(super) fn uploads_deadline(&self) -> Option<Millis> {
        self.uploads
            .iter()
            .filter_map(|upload| upload.deadline)
            .min()
    }

    /// The socket is gone: URL requests it carried are asked again on the next one. A `PUT`
    /// goes on (it does not use the socket).
    pub(super) fn uploads_connection_lost(&mut self) {
        for upload in &mut self.uploads {
            if upload.state == UploadState::Pending && upload.requested {
                upload.requested = false;
                upload.deadline = None;
            }
        }
    }

    /// The conversation ended or was replaced: uploads on their way are abandoned.
    pub(super) fn abandon_uploads(&mut self) {
        for upload in std::mem::take(&mut self.uploads) {
            if upload.in_progress() {
                self.effects.push_back(Effect::AbortUpload {
                    attachment_id: upload.attachment_id,
                });
            }
            self.dirty = true;
        }
    }

    fn may_request(&self) -> bool {
        self.phase == super::Phase::Ready
            && self.socket_open()
            && self.new_chat == super::NewChat::No
            && self.ending.is_none()
    }

    fn upload_mut(&mut self, attachment_id: &str) -> Option<&mut Upload> {
        self.uploads
            .iter_mut()
            .find(|upload| upload.attachment_id == attachment_id)
    }
}
