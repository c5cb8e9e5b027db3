//! The transcript as a file the visitor saves: the window's entries become the lines of
//! [`parley_shared::transcript_export`] (names, notices and dates in the visitor's language),
//! and the text or HTML it writes is offered through a Blob URL and an `<a download>`.

use parley_shared::engine::EntryKind;
use parley_shared::genesys::Content;
use parley_shared::transcript_export::{
    ExportLine, ExportWords, FileLink, Speaker, to_html, to_text,
};
use wasm_bindgen::JsCast;

use crate::chat_state::EntryView;
use crate::format;
use crate::i18n::{Key, Locale, words};

/// Which file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    /// `.txt`, plain text.
    Text,
    /// `.html`, a small accessible page.
    Html,
}

/// The lines of a saved transcript, one per entry, in order.
pub fn export_lines(entries: &[EntryView], locale: Locale) -> Vec<ExportLine> {
    entries
        .iter()
        .map(|view| {
            let (speaker, text, content) = match &view.entry.kind {
                EntryKind::Guest(message) => {
                    (Speaker::Visitor, message.text.clone(), &message.content[..])
                }
                EntryKind::Agent(message) => (
                    Speaker::Agent(
                        message
                            .nickname
                            .clone()
                            .unwrap_or_else(|| locale.text(Key::Agent).to_owned()),
                    ),
                    message.text.clone().unwrap_or_default(),
                    &message.content[..],
                ),
                EntryKind::Notice(notice) => {
                    (Speaker::System, words::notice(notice, locale), &[][..])
                }
            };
            ExportLine {
                speaker,
                when: format::date_time(locale, view.at),
                text,
                files: content
                    .iter()
                    .filter_map(|content| match content {
                        Content::Attachment(file) => Some(FileLink {
                            name: file.filename.clone().unwrap_or_else(|| file.id.clone()),
                            url: file.url.clone(),
                        }),
                        _ => None,
                    })
                    .collect(),
            }
        })
        .collect()
}

/// The file's name, type and contents.
pub fn transcript_file(
    format: FileFormat,
    entries: &[EntryView],
    locale: Locale,
) -> (String, &'static str, String) {
    let lines = export_lines(entries, locale);
    let words = ExportWords {
        title: locale.text(Key::TranscriptTitle).to_owned(),
        visitor: locale.text(Key::You).to_owned(),
        system: locale.text(Key::ChatDialog).to_owned(),
        lang: locale.tag().to_owned(),
    };
    let name = locale.text(Key::TranscriptTitle);
    match format {
        FileFormat::Text => (
            format!("{name}.txt"),
            "text/plain;charset=utf-8",
            to_text(&lines, &words),
        ),
        FileFormat::Html => (
            format!("{name}.html"),
            "text/html;charset=utf-8",
            to_html(&lines, &words),
        ),
    }
}

/// Offers `body` as a download named `name` (nothing leaves the browser).
pub fn offer_download(name: &str, mime: &str, body: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(body));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    if let Some(link) = document
        .create_element("a")
        .ok()
        .and_then(|a| a.dyn_into::<web_sys::HtmlAnchorElement>().ok())
    {
        link.set_href(&url);
        link.set_download(name);
        link.click();
    }
    // The download has started by then; the URL is released.
    leptos::prelude::set_timeout(
        move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        },
        std::time::Duration::from_secs(10),
    );
}
