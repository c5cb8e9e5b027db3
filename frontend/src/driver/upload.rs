//! The I/O half of guest file uploads: the engine runs the flow (limits, `onAttachment`, the
//! server's answers, sending the file; PROTOCOL.md §1.4.7), the driver holds the picked
//! `File`s by attachment id and `PUT`s one when the engine says where
//! ([`Effect::Upload`](parley_shared::engine::Effect::Upload)), with `XMLHttpRequest` so
//! progress can be reported. It also words the engine's upload state for the window.

use std::collections::BTreeMap;

use parley_shared::engine::{Engine, Input, UploadFailure, UploadState};
use parley_shared::genesys::ErrorCode;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::{File, ProgressEvent, XmlHttpRequest};

use super::Driver;
use crate::chat_state::UploadView;
use crate::i18n::{Key, Locale, fill};

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

/// A picked file, and its PUT once started.
pub(super) struct Held {
    file: File,
    put: Option<Put>,
}

/// The files the engine is uploading, by attachment id.
pub(super) type HeldFiles = BTreeMap<String, Held>;

impl Driver {
    /// Hands `file` to the engine; keeps it under the attachment id the engine gave it.
    pub(super) fn attach(&self, file: File) -> Result<(), parley_shared::engine::Refused> {
        let size = file.size().max(0.0) as u64;
        self.input(Input::AttachFile {
            file_name: file.name(),
            mime: file.type_(),
            size,
        })?;
        let id = self
            .engine
            .borrow()
            .uploads()
            .last()
            .map(|upload| upload.attachment_id.clone());
        if let Some(id) = id {
            self.files.borrow_mut().insert(id, Held { file, put: None });
        }
        Ok(())
    }

    /// `PUT`s the file held as `attachment_id` to `url` with exactly `headers`.
    pub(super) fn put_file(
        &self,
        attachment_id: String,
        url: &str,
        headers: &BTreeMap<String, String>,
    ) {
        if let Err(reason) = self.start_put(&attachment_id, url, headers) {
            self.report_put_failed(attachment_id, reason);
        }
    }

    fn start_put(
        &self,
        attachment_id: &str,
        url: &str,
        headers: &BTreeMap<String, String>,
    ) -> Result<(), String> {
        let xhr = XmlHttpRequest::new().map_err(|_| "XMLHttpRequest unavailable".to_owned())?;
        xhr.open_with_async("PUT", url, true)
            .map_err(|_| "bad upload URL".to_owned())?;
        for (name, value) in headers {
            // Headers a browser forbids (Host, Content-Length) are set by the browser itself.
            let _ = xhr.set_request_header(name, value);
        }
        let me = self.me.clone();
        let id = attachment_id.to_owned();
        let on_progress = Closure::<dyn FnMut(ProgressEvent)>::new(move |event: ProgressEvent| {
            if event.length_computable()
                && let Some(driver) = me.upgrade()
            {
                let _ = driver.input(Input::UploadProgress {
                    attachment_id: id.clone(),
                    sent: event.loaded().max(0.0) as u64,
                    total: event.total().max(0.0) as u64,
                });
            }
        });
        let me = self.me.clone();
        let id = attachment_id.to_owned();
        let finished = {
            let xhr = xhr.clone();
            Closure::<dyn FnMut()>::new(move || {
                let status = xhr.status().unwrap_or(0);
                let Some(driver) = me.upgrade() else { return };
                // 2xx: the server's UploadSuccessEvent completes the upload in the engine.
                if !(200..300).contains(&status) {
                    driver.report_put_failed(id.clone(), format!("HTTP {status}"));
                }
                driver.drop_file(&id);
            })
        };
        if let Ok(upload) = xhr.upload() {
            upload.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
        }
        xhr.set_onloadend(Some(finished.as_ref().unchecked_ref()));
        let mut files = self.files.borrow_mut();
        let held = files
            .get_mut(attachment_id)
            .ok_or_else(|| "the file is gone".to_owned())?;
        xhr.send_with_opt_blob(Some(&held.file))
            .map_err(|_| "the file could not be read".to_owned())?;
        held.put = Some((xhr, on_progress, finished));
        Ok(())
    }

    /// Reports a failed PUT to the engine, on a later task (never from inside `input`).
    fn report_put_failed(&self, attachment_id: String, reason: String) {
        let me = self.me.clone();
        wasm_bindgen_futures::spawn_local(async move {
            if let Some(driver) = me.upgrade() {
                let _ = driver.input(Input::UploadFailed {
                    attachment_id,
                    reason,
                });
            }
        });
    }

    /// Stops the PUT of `attachment_id` if it runs and forgets the file (its handlers are
    /// detached now and dropped on a later task, never while the browser runs them).
    pub(super) fn drop_file(&self, attachment_id: &str) {
        let held = self.files.borrow_mut().remove(attachment_id);
        if let Some(Held {
            put: Some((xhr, progress, finished)),
            ..
        }) = held
        {
            if let Ok(upload) = xhr.upload() {
                upload.set_onprogress(None);
            }
            xhr.set_onloadend(None);
            if xhr.ready_state() != XmlHttpRequest::DONE {
                let _ = xhr.abort();
            }
            wasm_bindgen_futures::spawn_local(async move { drop((progress, finished)) });
        }
    }
}

/// The upload the window shows: the newest one the engine lists, in the visitor's words.
pub fn upload_view(engine: &Engine, locale: Locale) -> Option<UploadView> {
    let upload = engine.uploads().last()?;
    let progress = match upload.state {
        UploadState::Uploading { sent, total } if total > 0 => Some(sent as f64 / total as f64),
        _ => None,
    };
    let error = match &upload.state {
        UploadState::Failed(failure) => Some(fill(
            locale.text(Key::UploadFailed),
            &[("reason", &failure_words(failure, locale))],
        )),
        _ => None,
    };
    Some(UploadView {
        attachment_id: Some(upload.attachment_id.clone()),
        name: upload.file_name.clone(),
        progress,
        error,
    })
}

/// Why an upload failed, in the visitor's words where the window has them.
fn failure_words(failure: &UploadFailure, locale: Locale) -> String {
    match failure.error_code() {
        Some(ErrorCode::FileTypeInvalid | ErrorCode::FileNameInvalid) => {
            locale.text(Key::UploadTypeNotAllowed).to_owned()
        }
        _ => failure.describe(),
    }
}
