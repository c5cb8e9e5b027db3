//! The upload flow (PROTOCOL.md §1.4.7) as the engine runs it, driven with a fake clock: the
//! checks against the session's limits, `onAttachment`, the driver's PUT, the server's answers
//! and every way an upload fails. The harness session allows `image/png` up to 10,240 KB and
//! blocks `.exe`.

use crate::engine_harness::*;
use parley_shared::engine::{Effect, EntryKind, Input, Refused, UploadFailure, UploadState};
use parley_shared::genesys::{ClientRequest, Content, MediaType, OnAttachment};
use serde_json::{Value, json};

fn attach(h: &mut Harness, name: &str, mime: &str, size: u64) -> Result<String, Refused> {
    h.attach(name, mime, size)
}

/// Attaches `pixel.png` (10 bytes) and returns its attachment id and the `onAttachment` sent.
fn attach_pixel(h: &mut Harness) -> (String, OnAttachment) {
    let id = attach(h, "pixel.png", "image/png", 10).expect("accepted");
    assert_eq!(h.engine.uploads().last().expect("listed").attachment_id, id);
    let request = h
        .sent()
        .into_iter()
        .find_map(|request| match request {
            ClientRequest::OnAttachment(request) => Some(request),
            _ => None,
        })
        .expect("onAttachment sent");
    (id, request)
}

fn presigned(id: &str) -> Value {
    json!({"type": "response", "class": "PresignedUrlResponse", "code": 200,
           "body": {"attachmentId": id, "url": "https://upload/put-here",
                    "headers": {"x-amz-tagging": "tag"}, "fileName": "pixel.png"}})
}

fn uploaded(id: &str) -> Value {
    json!({"type": "message", "class": "UploadSuccessEvent", "code": 200,
           "body": {"attachmentId": id, "downloadUrl": "https://files/pixel.png"}})
}

fn state(h: &Harness) -> UploadState {
    h.engine.uploads().last().expect("an upload").state.clone()
}

#[test]
fn files_outside_the_session_limits_are_refused_before_anything_is_sent() {
    let cases = [
        (
            "report.pdf",
            "application/pdf",
            10,
            Refused::FileTypeNotAllowed {
                mime: "application/pdf".into(),
            },
        ),
        (
            "setup.EXE",
            "image/png",
            10,
            Refused::FileExtensionBlocked {
                extension: ".exe".into(),
            },
        ),
        (
            "huge.png",
            "image/png",
            10_240 * 1024 + 1,
            Refused::FileTooLarge {
                size: 10_240 * 1024 + 1,
                max_bytes: 10_240 * 1024,
            },
        ),
        // The largest size a driver can report (the fuzz harness now feeds such sizes).
        (
            "endless.png",
            "image/png",
            u64::MAX,
            Refused::FileTooLarge {
                size: u64::MAX,
                max_bytes: 10_240 * 1024,
            },
        ),
    ];
    for (name, mime, size, refused) in cases {
        let mut h = Harness::ready();
        assert_eq!(attach(&mut h, name, mime, size), Err(refused), "{name}");
        assert!(h.take().is_empty(), "{name}: nothing happened");
        assert!(h.engine.uploads().is_empty());
    }
}

#[test]
fn an_accepted_file_asks_for_an_upload_url_under_a_fresh_id() {
    let mut h = Harness::ready();
    let (id, request) = attach_pixel(&mut h);
    assert_eq!(request.attachment_id.as_deref(), Some(id.as_str()));
    assert_eq!(request.file_name, "pixel.png");
    assert_eq!(request.file_type, "image/png");
    assert_eq!(request.file_size, 10);
    assert_eq!(request.errors_as_json, Some(true));
    assert!(request.tracing_id.is_some());
    assert_eq!(state(&h), UploadState::Pending);
    h.frame(
        json!({"type": "response", "class": "GenerateUrlError", "code": 200,
        "body": {"attachmentId": id, "errorCode": 4001, "errorMessage": "no"}}),
    );
    let (second, _) = attach_pixel(&mut h);
    assert_ne!(second, id, "every file gets its own id");
}

#[test]
fn one_file_at_a_time_and_a_failed_one_does_not_hold_the_next() {
    let mut h = Harness::ready();
    assert!(h.engine.can_attach());
    let (id, _) = attach_pixel(&mut h);
    assert!(!h.engine.can_attach());
    assert_eq!(
        attach(&mut h, "second.png", "image/png", 10),
        Err(Refused::UploadInProgress)
    );
    assert_eq!(h.engine.uploads().len(), 1, "nothing was queued");
    h.ok(Input::UploadFailed {
        attachment_id: id,
        reason: "HTTP 500".into(),
    });
    assert!(
        h.engine.can_attach(),
        "a failed upload waits to be dismissed"
    );
    assert!(attach(&mut h, "second.png", "image/png", 10).is_ok());
}

#[test]
fn the_url_is_put_by_the_driver_and_the_uploaded_file_goes_out_as_a_message() {
    let mut h = Harness::ready();
    let (id, _) = attach_pixel(&mut h);
    h.frame(presigned(&id));
    let effects = h.take();
    assert!(effects.contains(&Effect::Upload {
        attachment_id: id.clone(),
        url: "https://upload/put-here".into(),
        headers: [("x-amz-tagging".to_owned(), "tag".to_owned())].into(),
    }));
    assert_eq!(state(&h), UploadState::Uploading { sent: 0, total: 10 });
    h.ok(Input::UploadProgress {
        attachment_id: id.clone(),
        sent: 6,
        total: 10,
    });
    assert_eq!(state(&h), UploadState::Uploading { sent: 6, total: 10 });
    assert!(h.take().contains(&Effect::ViewChanged));

    h.frame(uploaded(&id));
    assert!(h.engine.uploads().is_empty(), "sent, so no longer pending");
    let sent = h.sent_messages();
    assert_eq!(sent.len(), 1);
    assert!(
        matches!(sent[0].message.content.as_slice(),
        [Content::Attachment(a)] if a.id == id && a.url.is_none()),
        "sent by id"
    );
    let EntryKind::Guest(bubble) = &h.engine.transcript()[0].kind else {
        panic!("a guest bubble")
    };
    let [Content::Attachment(shown)] = bubble.content.as_slice() else {
        panic!("an attachment")
    };
    assert_eq!(shown.filename.as_deref(), Some("pixel.png"));
    assert_eq!(shown.url.as_deref(), Some("https://files/pixel.png"));
    assert_eq!(shown.media_type, Some(MediaType::Image));
}

#[test]
fn every_kind_of_upload_error_fails_it_with_its_reason_and_stops_the_put() {
    type Step = Box<dyn Fn(&mut Harness, &str, &str)>;
    let cases: Vec<(&str, Step, UploadFailure)> = vec![
        (
            "GenerateUrlError",
            Box::new(|h, id, _| {
                h.frame(
                    json!({"type": "message", "class": "GenerateUrlError", "code": 200,
                    "body": {"attachmentId": id, "errorCode": 4001, "errorMessage": "type"}}),
                )
            }),
            UploadFailure::Refused {
                code: 4001,
                message: "type".into(),
            },
        ),
        (
            "UploadFailureEvent",
            Box::new(|h, id, _| {
                h.frame(presigned(id));
                h.frame(
                    json!({"type": "message", "class": "UploadFailureEvent", "code": 200,
                    "body": {"attachmentId": id, "errorCode": 4002, "errorMessage": "size"}}),
                )
            }),
            UploadFailure::Refused {
                code: 4002,
                message: "size".into(),
            },
        ),
        (
            "error frame answering onAttachment",
            Box::new(|h, _, tracing| h.frame(error_frame(4004, "bad name", Some(tracing)))),
            UploadFailure::Refused {
                code: 4004,
                message: "bad name".into(),
            },
        ),
        (
            "the driver's PUT failed",
            Box::new(|h, id, _| {
                h.frame(presigned(id));
                h.ok(Input::UploadFailed {
                    attachment_id: id.into(),
                    reason: "HTTP 403".into(),
                })
            }),
            UploadFailure::Transfer("HTTP 403".into()),
        ),
    ];
    for (name, step, failure) in cases {
        let mut h = Harness::ready();
        let (id, request) = attach_pixel(&mut h);
        step(&mut h, &id, request.tracing_id.as_deref().unwrap());
        assert_eq!(state(&h), UploadState::Failed(failure), "{name}");
        let effects = h.take();
        assert!(
            effects.contains(&Effect::AbortUpload {
                attachment_id: id.clone()
            }),
            "{name}: {effects:?}"
        );
        // A late success changes nothing, and nothing is sent.
        h.frame(uploaded(&id));
        assert!(matches!(state(&h), UploadState::Failed(_)), "{name}");
        assert!(h.sent_messages().is_empty(), "{name}");
        assert_eq!(h.engine.phase(), &parley_shared::engine::Phase::Ready);
    }
}

#[test]
fn an_upload_without_news_for_a_minute_fails() {
    let mut h = Harness::ready();
    let (id, _) = attach_pixel(&mut h);
    h.frame(presigned(&id));
    h.advance(30_000);
    h.ok(Input::UploadProgress {
        attachment_id: id.clone(),
        sent: 5,
        total: 10,
    });
    h.advance(59_999);
    assert_eq!(state(&h), UploadState::Uploading { sent: 5, total: 10 });
    h.advance(1);
    assert_eq!(state(&h), UploadState::Failed(UploadFailure::NoAnswer));
    assert!(
        h.take()
            .contains(&Effect::AbortUpload { attachment_id: id })
    );
}

#[test]
fn an_unanswered_url_request_is_asked_again_after_a_reconnect() {
    let mut h = Harness::ready();
    let (id, _) = attach_pixel(&mut h);
    h.drop_socket();
    h.advance(30_000);
    h.open();
    h.frame(session_response(false, false));
    let asked: Vec<_> = h
        .sent()
        .into_iter()
        .filter_map(|request| match request {
            ClientRequest::OnAttachment(request) => request.attachment_id,
            _ => None,
        })
        .collect();
    assert_eq!(asked, [id]);
    assert_eq!(state(&h), UploadState::Pending);
}

#[test]
fn a_file_attached_before_the_session_is_ready_is_asked_for_once_it_is() {
    let mut h = Harness::new();
    h.start();
    h.ok(Input::SessionGranted(grant(TOKEN)));
    attach(&mut h, "pixel.png", "image/png", 10).expect("accepted");
    assert!(
        !h.sent()
            .iter()
            .any(|r| matches!(r, ClientRequest::OnAttachment(_)))
    );
    h.open();
    h.frame(session_response(true, false));
    assert!(
        h.sent()
            .iter()
            .any(|r| matches!(r, ClientRequest::OnAttachment(_)))
    );
}

#[test]
fn removing_an_upload_deletes_it_at_the_server_and_stops_the_put() {
    let mut h = Harness::ready();
    let (id, _) = attach_pixel(&mut h);
    h.frame(presigned(&id));
    h.take();
    h.remove_attachment(&id).unwrap();
    let effects = h.take();
    assert!(
        effects.iter().any(|e| matches!(e,
        Effect::Send { request: ClientRequest::DeleteAttachment(d), .. } if d.attachment_id == id))
    );
    assert!(effects.contains(&Effect::AbortUpload {
        attachment_id: id.clone()
    }));
    assert!(h.engine.uploads().is_empty());
    assert_eq!(h.remove_attachment(&id), Err(Refused::NoSuchUpload));
}

#[test]
fn ending_the_chat_abandons_uploads_on_their_way() {
    let mut h = Harness::ready();
    let (id, _) = attach_pixel(&mut h);
    h.frame(presigned(&id));
    h.take();
    h.end_chat().unwrap();
    h.frame(
        json!({"type": "response", "class": "SessionResponse", "code": 200,
                   "body": {"connected": false}}),
    );
    assert!(
        h.take()
            .contains(&Effect::AbortUpload { attachment_id: id })
    );
    assert!(h.engine.uploads().is_empty());
}

#[test]
fn mime_patterns_accept_wildcards_and_no_limits_accept_anything() {
    // Limits from a SessionResponse without any: the server decides.
    let mut open = Harness::new();
    open.start();
    open.ok(Input::SessionGranted(grant(TOKEN)));
    open.open();
    open.frame(
        json!({"type": "response", "class": "SessionResponse", "code": 200,
        "body": {"connected": true, "newSession": true, "readOnly": false}}),
    );
    assert!(attach(&mut open, "any.bin", "", 1 << 30).is_ok());
    assert_eq!(
        open.engine.uploads()[0].mime,
        "application/octet-stream",
        "an unknown type is sent as a generic one"
    );

    let mut wild = Harness::new();
    wild.start();
    wild.ok(Input::SessionGranted(grant(TOKEN)));
    wild.open();
    wild.frame(
        json!({"type": "response", "class": "SessionResponse", "code": 200,
        "body": {"connected": true, "newSession": true, "readOnly": false,
                 "allowedMedia": {"inbound": {"fileTypes": [{"type": "image/*"}]}}}}),
    );
    assert!(attach(&mut wild, "a.jpeg", "image/jpeg", 5).is_ok());
    assert!(matches!(
        attach(&mut wild, "a.txt", "text/plain", 5),
        Err(Refused::FileTypeNotAllowed { .. })
    ));
}
