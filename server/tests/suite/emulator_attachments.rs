//! Attachments against the emulator: presigned-style upload, UploadSuccessEvent, the message that
//! carries the file, download, refresh, delete, and every refusal with its code.

use crate::emulator_support::*;
use parley_server::emulator::EmulatorConfig;
use parley_shared::genesys::{
    Attachment, ClientRequest, Content, DeleteAttachment, FrameBody, GetAttachment,
    IncomingMessage, MediaType, OnAttachment, PresignedUrlResponse,
};

fn on_attachment(id: &str, name: &str, mime: &str, size: u64) -> ClientRequest {
    ClientRequest::OnAttachment(OnAttachment {
        token: "t".into(),
        tracing_id: Some(format!("upload-{id}")),
        attachment_id: Some(id.into()),
        file_name: name.into(),
        file_type: mime.into(),
        file_size: size,
        file_md5: None,
        errors_as_json: Some(true),
    })
}

fn attachment_message(id: &str, tracing_id: &str) -> ClientRequest {
    let mut message = IncomingMessage::text("");
    message.content = vec![Content::Attachment(Attachment {
        id: id.into(),
        ..Attachment::default()
    })];
    message_request("t", message, tracing_id)
}

async fn presigned(guest: &mut Guest, request: ClientRequest) -> PresignedUrlResponse {
    guest.send(&request).await;
    match guest.next_frame().await.body {
        FrameBody::PresignedUrlResponse(response) => response,
        other => panic!("expected PresignedUrlResponse, got {other:?}"),
    }
}

async fn put(url: &str, tagging: Option<&str>, body: Vec<u8>) -> reqwest::StatusCode {
    let mut request = reqwest::Client::new().put(url).body(body);
    if let Some(tagging) = tagging {
        request = request.header("x-amz-tagging", tagging);
    }
    request.send().await.unwrap().status()
}

#[tokio::test]
async fn upload_then_send_delivers_the_full_attachment() {
    let server = start_default().await;
    let (mut guest, _) = server.guest("t").await;
    let bytes = b"\x89PNG fake image bytes".to_vec();
    let size = bytes.len() as u64;
    let upload = presigned(
        &mut guest,
        on_attachment("a1", "cat.png", "image/png", size),
    )
    .await;
    assert_eq!(upload.attachment_id, "a1");
    let tagging = upload
        .headers
        .get("x-amz-tagging")
        .expect("tagging header")
        .clone();

    assert_eq!(put(&upload.url, Some(&tagging), bytes.clone()).await, 200);
    let success = match guest.next_frame().await.body {
        FrameBody::UploadSuccessEvent(event) => event,
        other => panic!("expected UploadSuccessEvent, got {other:?}"),
    };
    assert_eq!(success.attachment_id, "a1");
    assert!(success.timestamp.is_some());

    let download = reqwest::get(&success.download_url).await.unwrap();
    assert_eq!(download.status(), 200);
    assert_eq!(download.headers()["content-type"], "image/png");
    assert_eq!(download.headers()["x-content-type-options"], "nosniff");
    assert_eq!(download.bytes().await.unwrap().to_vec(), bytes);

    guest.send(&attachment_message("a1", "with-file")).await;
    let frame = guest.next_frame().await;
    assert_eq!(frame.tracing_id.as_deref(), Some("with-file"));
    match &message_of(&frame).content[..] {
        [Content::Attachment(file)] => {
            assert_eq!(file.id, "a1");
            assert_eq!(file.media_type, Some(MediaType::Image));
            assert_eq!(file.mime.as_deref(), Some("image/png"));
            assert_eq!(file.filename.as_deref(), Some("cat.png"));
            assert_eq!(file.file_size, Some(size));
            assert_eq!(file.url.as_deref(), Some(success.download_url.as_str()));
        }
        other => panic!("expected one attachment, got {other:?}"),
    }
    let reply = guest.until_message(is_agent_text).await;
    assert!(reply.text.unwrap().contains("cat.png"));
}

#[tokio::test]
async fn get_attachment_refreshes_the_download_url_with_empty_headers() {
    let server = start_default().await;
    let (mut guest, _) = server.guest("t").await;
    let upload = presigned(
        &mut guest,
        on_attachment("a1", "notes.txt", "text/plain", 5),
    )
    .await;
    let tagging = upload.headers["x-amz-tagging"].clone();
    assert_eq!(
        put(&upload.url, Some(&tagging), b"hello".to_vec()).await,
        200
    );
    guest.until_class("UploadSuccessEvent").await;
    let request = GetAttachment {
        token: "t".into(),
        attachment_id: "a1".into(),
        tracing_id: Some("refresh".into()),
    };
    let refreshed = presigned(&mut guest, ClientRequest::GetAttachment(request)).await;
    assert!(refreshed.headers.is_empty());
    assert_eq!(refreshed.file_size, Some(5));
    let download = reqwest::get(&refreshed.url).await.unwrap();
    assert!(
        download.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    assert_eq!(download.text().await.unwrap(), "hello");
}

#[tokio::test]
async fn refused_files_get_generate_url_error_with_the_reference_codes() {
    let server = start_default().await;
    let (mut guest, _) = server.guest("t").await;
    let too_big = EmulatorConfig::default().max_file_size_bytes() + 1;
    let cases = [
        (
            on_attachment("a1", "archive.zip", "application/zip", 10),
            4001,
        ),
        (on_attachment("a2", "huge.png", "image/png", too_big), 4002),
        (on_attachment("a3", "setup.exe", "image/png", 10), 4004),
        (
            on_attachment("a4", &format!("{}.png", "n".repeat(300)), "image/png", 10),
            4005,
        ),
    ];
    for (request, code) in cases {
        guest.send(&request).await;
        match guest.next_frame().await.body {
            FrameBody::GenerateUrlError(error) => assert_eq!(error.error_code, code),
            other => panic!("expected GenerateUrlError {code}, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_body_larger_than_declared_gets_upload_failure_event() {
    let server = start_default().await;
    let (mut guest, _) = server.guest("t").await;
    let upload = presigned(&mut guest, on_attachment("a1", "cat.png", "image/png", 4)).await;
    let tagging = upload.headers["x-amz-tagging"].clone();
    let status = put(
        &upload.url,
        Some(&tagging),
        b"far more than four bytes".to_vec(),
    )
    .await;
    assert_eq!(status, 400);
    match guest.next_frame().await.body {
        FrameBody::UploadFailureEvent(event) => {
            assert_eq!(event.attachment_id, "a1");
            assert_eq!(event.error_code, 4002);
        }
        other => panic!("expected UploadFailureEvent, got {other:?}"),
    }
}

#[tokio::test]
async fn an_upload_without_the_tagging_header_is_refused() {
    let server = start_default().await;
    let (mut guest, _) = server.guest("t").await;
    let upload = presigned(&mut guest, on_attachment("a1", "cat.png", "image/png", 4)).await;
    assert_eq!(put(&upload.url, None, b"abcd".to_vec()).await, 403);
    assert_eq!(put(&upload.url, Some("wrong"), b"abcd".to_vec()).await, 403);
}

#[tokio::test]
async fn sending_unknown_or_unfinished_attachments_is_refused() {
    let server = start_default().await;
    let (mut guest, _) = server.guest("t").await;
    guest.send(&attachment_message("nobody", "unknown")).await;
    assert_eq!(guest.next_frame().await.code, 4009);
    presigned(&mut guest, on_attachment("a1", "cat.png", "image/png", 4)).await;
    guest.send(&attachment_message("a1", "pending")).await;
    assert_eq!(guest.next_frame().await.code, 4010);
}

#[tokio::test]
async fn delete_attachment_forgets_the_file() {
    let server = start_default().await;
    let (mut guest, _) = server.guest("t").await;
    presigned(&mut guest, on_attachment("a1", "cat.png", "image/png", 4)).await;
    let delete = DeleteAttachment {
        token: "t".into(),
        attachment_id: "a1".into(),
        tracing_id: Some("del".into()),
    };
    guest
        .send(&ClientRequest::DeleteAttachment(delete.clone()))
        .await;
    match guest.next_frame().await.body {
        FrameBody::AttachmentDeletedResponse(deleted) => assert_eq!(deleted.attachment_id, "a1"),
        other => panic!("expected AttachmentDeletedResponse, got {other:?}"),
    }
    guest.send(&ClientRequest::DeleteAttachment(delete)).await;
    assert_eq!(guest.next_frame().await.code, 4009);
}

#[tokio::test]
async fn the_oldest_uploads_are_forgotten_beyond_the_storage_cap() {
    let server = start(EmulatorConfig {
        max_stored_attachments: 1,
        ..EmulatorConfig::deterministic()
    })
    .await;
    let (mut guest, _) = server.guest("t").await;
    for id in ["old", "new"] {
        let upload = presigned(&mut guest, on_attachment(id, "a.png", "image/png", 1)).await;
        let tagging = upload.headers["x-amz-tagging"].clone();
        assert_eq!(put(&upload.url, Some(&tagging), vec![1]).await, 200);
        guest.until_class("UploadSuccessEvent").await;
    }
    guest.send(&attachment_message("old", "old")).await;
    assert_eq!(guest.next_frame().await.code, 4008);
}
