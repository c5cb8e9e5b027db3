//! The I/O half of guest file uploads: the engine runs the flow (limits, `onAttachment`, the
//! server's answers, sending the file; PROTOCOL.md §1.4.7), the driver holds the picked
//! `File`s by attachment id and `PUT`s one when the engine says where
//! ([`Effect::Upload`](parley_shared::engine::Effect::Upload)), with `XMLHttpRequest` so
//! progress can be reported.

use std::collections::BTreeMap;

use parley_shared::engine::{Input, Refused};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::{File, ProgressEvent, XmlHttpRequest};

use super::Driver;

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
    pub(super) fn attach(&self, file: File, now: u64) -> Result<(), Refused> {
        let size = file.size().max(0.0) as u64;
        let id = self
            .engine
            .borrow_mut()
            .attach(file.name(), file.type_(), size, now)?;
        self.files.borrow_mut().insert(id, Held { file, put: None });
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
                driver.input(Input::UploadProgress {
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
                driver.input(Input::UploadFailed {
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
