//! Every server-frame example in PROTOCOL.md §1 decodes into the right typed body with the
//! right fields, and frames survive the shapes the real service is known to vary.

use parley_shared::genesys::*;
use serde_json::json;

fn decode(text: &str) -> ServerFrame {
    serde_json::from_str::<ServerFrame>(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

fn message(frame: &ServerFrame) -> &StructuredMessage {
    match &frame.body {
        FrameBody::StructuredMessage(message) => message,
        other => panic!("expected a StructuredMessage, got {other:?}"),
    }
}

#[test]
fn minimal_session_response_is_a_new_connected_session() {
    let frame = decode(
        r#"{"type":"response","class":"SessionResponse","code":200,"body":{"connected":true,"newSession":true}}"#,
    );
    assert_eq!(frame.frame_type, FrameType::Response);
    assert_eq!(frame.code, 200);
    let FrameBody::SessionResponse(session) = frame.body else {
        panic!()
    };
    assert!(session.connected && session.new_session && !session.read_only);
}

#[test]
fn full_session_response_carries_upload_rules() {
    let frame = decode(
        r#"{"type":"response","class":"SessionResponse","code":200,
 "body":{"connected":true,"newSession":false,"readOnly":false,"maxCustomDataBytes":2048,
         "allowedMedia":{"inbound":{"fileTypes":[{"type":"*/*"},{"type":"image/png"}],"maxFileSizeKB":10240}},
         "blockedExtensions":[".ade",".adp"],"clearedExistingSession":false}}"#,
    );
    let FrameBody::SessionResponse(session) = frame.body else {
        panic!()
    };
    assert!(!session.new_session);
    assert_eq!(session.max_custom_data_bytes, Some(2048));
    assert_eq!(session.blocked_extensions, vec![".ade", ".adp"]);
    let inbound = session.allowed_media.unwrap().inbound.unwrap();
    assert_eq!(inbound.max_file_size_kb, Some(10240));
    assert_eq!(inbound.file_types.len(), 2);
    assert!(inbound.accepts("application/pdf"), "*/* accepts anything");
}

#[test]
fn echo_reply_is_an_inbound_ping_response_with_expiry_metadata() {
    let frame = decode(
        r#"{"type":"response","class":"StructuredMessage","code":200,
 "body":{"text":"ping","type":"Text","direction":"Inbound","id":"<id>",
         "metadata":{"durationSeconds":"<n>","expirationDate":"<epoch-seconds>"}},
 "tracingId":"SGVhbHRoQ2hlY2tNZXNzYWdlSWQ="}"#,
    );
    assert_eq!(
        frame.tracing_id.as_deref(),
        Some("SGVhbHRoQ2hlY2tNZXNzYWdlSWQ=")
    );
    let body = message(&frame);
    assert_eq!(body.direction, Direction::Inbound);
    assert_eq!(body.text.as_deref(), Some("ping"));
    assert_eq!(body.metadata["durationSeconds"], "<n>");
}

#[test]
fn jwt_response_has_jwt_and_epoch_seconds_expiry() {
    let frame = decode(
        r#"{"type":"response","class":"JwtResponse","code":200,"body":{"jwt":"<jwt>","exp":1700000000}}"#,
    );
    let FrameBody::JwtResponse(jwt) = frame.body else {
        panic!()
    };
    assert_eq!((jwt.jwt.as_str(), jwt.exp), ("<jwt>", 1_700_000_000));
}

#[test]
fn presigned_url_response_keeps_the_headers_to_copy() {
    let frame = decode(
        r#"{"type":"response","class":"PresignedUrlResponse","code":200,
 "body":{"attachmentId":"<id>","headers":{"x-amz-tagging":"abc"},"url":"https://…presigned…",
         "fileName":"foo.png","fileSize":424242,"fileType":"image/png"}}"#,
    );
    let FrameBody::PresignedUrlResponse(url) = frame.body else {
        panic!()
    };
    assert_eq!(url.headers["x-amz-tagging"], "abc");
    assert_eq!(url.file_size, Some(424_242));
    assert_eq!(url.file_type.as_deref(), Some("image/png"));
}

#[test]
fn upload_events_decode_with_their_error_codes() {
    let success = decode(
        r#"{"type":"message","class":"UploadSuccessEvent","code":200,
 "body":{"attachmentId":"<id>","downloadUrl":"https://…","timestamp":"2022-08-22T19:24:26.704Z"}}"#,
    );
    let FrameBody::UploadSuccessEvent(success) = success.body else {
        panic!()
    };
    assert_eq!(success.download_url, "https://…");

    let failure = decode(
        r#"{"type":"message","class":"UploadFailureEvent","code":200,
 "body":{"attachmentId":"<id>","errorCode":4001,"errorMessage":"…","timestamp":"2022-08-22T19:24:26.704Z"}}"#,
    );
    let FrameBody::UploadFailureEvent(failure) = failure.body else {
        panic!()
    };
    assert_eq!(
        ErrorCode::from_code(failure.error_code),
        Some(ErrorCode::FileTypeInvalid)
    );

    let no_url = decode(
        r#"{"type":"message","class":"GenerateUrlError","code":200,
 "body":{"attachmentId":"<id>","errorCode":4001,"errorMessage":"…"}}"#,
    );
    let FrameBody::GenerateUrlError(no_url) = no_url.body else {
        panic!()
    };
    assert_eq!(no_url.error_code, 4001);
}

#[test]
fn attachment_deleted_response_names_the_attachment() {
    let frame = decode(
        r#"{"type":"message","class":"AttachmentDeletedResponse","code":200,"body":{"attachmentId":"a1"}}"#,
    );
    let FrameBody::AttachmentDeletedResponse(deleted) = frame.body else {
        panic!()
    };
    assert_eq!(deleted.attachment_id, "a1");
}

#[test]
fn rate_limit_frame_says_how_long_to_wait() {
    let frame = decode(
        r#"{"type":"response","class":"TooManyRequestsErrorMessage","code":429,
 "body":{"retryAfter":3,"errorCode":4029,"errorMessage":"Message rate too high for this session"}}"#,
    );
    assert_eq!(frame.error_code(), Some(ErrorCode::TooManyRequests));
    let FrameBody::TooManyRequestsErrorMessage(limit) = frame.body else {
        panic!()
    };
    assert_eq!(limit.retry_after, 3);
    assert_eq!(limit.error_code, Some(4029));
}

#[test]
fn bodiless_events_decode_by_class() {
    for (class, expected) in [
        ("SessionExpiredEvent", FrameBody::SessionExpiredEvent),
        ("SessionClearedEvent", FrameBody::SessionClearedEvent),
        ("LogoutEvent", FrameBody::LogoutEvent),
    ] {
        let frame = decode(&format!(
            r#"{{"type":"message","class":"{class}","code":200,"body":{{}}}}"#
        ));
        assert_eq!(frame.body, expected);
    }
}

#[test]
fn connection_closed_accepts_reason_and_reason_code() {
    for text in [
        r#"{"type":"message","class":"ConnectionClosedEvent","code":200,"body":{"reason":"signedIn"}}"#,
        r#"{"type":"message","class":"ConnectionClosedEvent","code":200,"body":{"reasonCode":"signedIn"}}"#,
    ] {
        let FrameBody::ConnectionClosedEvent(closed) = decode(text).body else {
            panic!()
        };
        assert_eq!(closed.reason.as_deref(), Some("signedIn"));
    }
    let FrameBody::ConnectionClosedEvent(closed) =
        decode(r#"{"type":"message","class":"ConnectionClosedEvent","code":200,"body":{}}"#).body
    else {
        panic!()
    };
    assert_eq!(closed.reason, None);
}

#[test]
fn string_errors_keep_text_and_code() {
    let frame = decode(
        r#"{"type":"response","class":"string","code":403,"body":"Turn on the Feature Toggle or fix the configuration."}"#,
    );
    assert_eq!(frame.error_code(), Some(ErrorCode::Forbidden));
    assert_eq!(
        frame.body,
        FrameBody::Error("Turn on the Feature Toggle or fix the configuration.".into())
    );
    let expired = decode(
        r#"{"type":"response","class":"string","code":4006,"body":"session expired error message"}"#,
    );
    assert_eq!(expired.error_code(), Some(ErrorCode::SessionHasExpired));
    assert!(!ErrorCode::SessionHasExpired.session_survives());
    assert!(ErrorCode::MessageTooLong.session_survives());
}

#[test]
fn get_configuration_response_decodes() {
    let frame = decode(
        r#"{"type":"response","class":"GetConfigurationResponse","code":200,
 "body":{"allowedMedia":{"inbound":{"fileTypes":[{"type":"image/*"}],"maxFileSizeKB":100}},
         "maxCustomDataBytes":2048,"messageRoutingEnabled":true,"sessionDurationSeconds":900}}"#,
    );
    let FrameBody::GetConfigurationResponse(config) = frame.body else {
        panic!()
    };
    assert_eq!(config.session_duration_seconds, Some(900));
    assert!(
        config
            .allowed_media
            .unwrap()
            .inbound
            .unwrap()
            .accepts("image/jpeg")
    );
}

#[test]
fn outbound_bot_text_decodes_with_channel_and_entity() {
    let frame = decode(
        r#"{"type":"message","class":"StructuredMessage","code":200,
 "body":{"text":"Welcome!","direction":"Outbound","id":"0123456789abcdef0123456789abcdef",
         "channel":{"time":"2024-01-01T10:00:00.000Z","type":"Private"},
         "type":"Text","originatingEntity":"Bot","metadata":{"correlationId":"<uuid>"}}}"#,
    );
    assert_eq!(frame.frame_type, FrameType::Message);
    let body = message(&frame);
    assert_eq!(body.direction, Direction::Outbound);
    assert_eq!(body.message_type, MessageType::Text);
    assert_eq!(body.time(), Some("2024-01-01T10:00:00.000Z"));
    assert_eq!(body.originating_entity.as_deref(), Some("Bot"));
    assert_eq!(body.metadata["correlationId"], "<uuid>");
}

#[test]
fn inbound_echo_carries_the_request_tracing_id() {
    let frame = decode(
        r#"{"type":"message","class":"StructuredMessage","code":200,
 "body":{"text":"Hello world!","direction":"Inbound","id":"<id>",
         "channel":{"time":"2022-08-22T19:24:26.704Z","messageId":"<id>"},"type":"Text",
         "originatingEntity":"","metadata":{"correlationId":"<uuid>"}},
 "tracingId":"<the tracingId of the onMessage request>"}"#,
    );
    assert_eq!(
        frame.tracing_id.as_deref(),
        Some("<the tracingId of the onMessage request>")
    );
    let body = message(&frame);
    assert_eq!(body.direction, Direction::Inbound);
    assert_eq!(
        body.channel.as_ref().unwrap().message_id.as_deref(),
        Some("<id>")
    );
}

#[test]
fn agent_typing_event_has_a_duration() {
    let frame = decode(
        r#"{"type":"message","class":"StructuredMessage","code":200,
 "body":{"direction":"Outbound","id":"<id>","channel":{"time":"…","messageId":"<id>"},"type":"Event",
         "events":[{"eventType":"Typing","typing":{"type":"On","duration":5000}}]}}"#,
    );
    let body = message(&frame);
    assert_eq!(body.message_type, MessageType::Event);
    assert_eq!(
        body.events,
        vec![Event::Typing(Typing {
            typing_type: TypingType::On,
            duration: Some(5000)
        })]
    );
}

#[test]
fn read_only_disconnect_is_recognised() {
    let frame = decode(
        r#"{"type":"message","class":"StructuredMessage","code":200,
 "body":{"direction":"Outbound","id":"<id>","channel":{"time":"…","messageId":"<id>"},"type":"Event",
         "metadata":{"readOnly":"true"},
         "events":[{"eventType":"Presence","presence":{"type":"Disconnect"}}]}}"#,
    );
    let body = message(&frame);
    assert!(body.marks_read_only());
    assert_eq!(
        body.events,
        vec![Event::Presence(Presence::new(PresenceType::Disconnect))]
    );
}

#[test]
fn bot_quick_replies_decode_in_order() {
    let frame = decode(
        r#"{"type":"message","class":"StructuredMessage","code":200,
 "body":{"direction":"Outbound","id":"msg_id","channel":{"time":"…","type":"Private"},"type":"Structured",
         "text":"Pick one","originatingEntity":"Bot",
         "content":[{"contentType":"QuickReply","quickReply":{"text":"A","payload":"a","action":"Message"}},
                    {"contentType":"QuickReply","quickReply":{"text":"B","payload":"b","action":"Message"}}]}}"#,
    );
    let labels: Vec<_> = message(&frame)
        .content
        .iter()
        .map(|item| match item {
            Content::QuickReply(reply) => (reply.text.as_str(), reply.payload.as_str()),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(labels, vec![("A", "a"), ("B", "b")]);
}

#[test]
fn card_and_attachment_content_decode() {
    let card: Content = serde_json::from_str(
        r#"{"contentType":"Card","card":{"title":"Title","description":"Description","image":"https://…/image.png",
  "actions":[{"type":"Postback","text":"Select this option","payload":"postback_payload"}]}}"#,
    )
    .unwrap();
    let Content::Card(card) = card else { panic!() };
    assert_eq!(card.title, "Title");
    assert_eq!(card.actions[0].action_type, CardActionType::Postback);
    assert_eq!(card.actions[0].payload.as_deref(), Some("postback_payload"));

    let file: Content = serde_json::from_str(
        r#"{"contentType":"Attachment","attachment":{"id":"attachment_id","filename":"image.png","mediaType":"Image",
  "fileSize":1024,"mime":"image/png","url":"https://…"}}"#,
    )
    .unwrap();
    let Content::Attachment(file) = file else {
        panic!()
    };
    assert_eq!(file.media_type, Some(MediaType::Image));
    assert_eq!(file.size(), Some(1024));
}

#[test]
fn carousel_date_and_list_pickers_decode() {
    let carousel: Content =
        serde_json::from_value(json!({"contentType":"Carousel","carousel":{"cards":[
        {"title":"One","actions":[{"type":"Link","text":"Open","url":"https://example.com"}]},
        {"title":"Two"}]}}))
        .unwrap();
    let Content::Carousel(carousel) = carousel else {
        panic!()
    };
    assert_eq!(
        carousel.cards[0].actions[0].action_type,
        CardActionType::Link
    );
    assert_eq!(carousel.cards[1].title, "Two");

    let picker: Content = serde_json::from_value(json!({"contentType":"DatePicker","datePicker":{
        "title":"When?","availableTimes":[{"dateTime":"2026-01-01T10:00:00Z","duration":1800}]}}))
    .unwrap();
    let Content::DatePicker(picker) = picker else {
        panic!()
    };
    assert_eq!(picker.available_times[0].duration, Some(1800));

    let list: Content = serde_json::from_value(json!({"contentType":"ListPicker","listPicker":{
        "sections":[{"title":"S","multipleSelection":false,"items":[{"id":"i1","title":"Item"}]}]}}))
    .unwrap();
    let Content::ListPicker(list) = list else {
        panic!()
    };
    assert_eq!(list.sections[0].items[0].id, "i1");
}

#[test]
fn unknown_content_and_events_are_kept_not_dropped() {
    let frame = decode(
        r#"{"type":"message","class":"StructuredMessage","code":200,"body":{"direction":"Outbound","id":"m","type":"Structured",
        "content":[{"contentType":"RichLink","richLink":{"url":"https://x"}},{"contentType":"Card","card":"not an object"}],
        "events":[{"eventType":"CoBrowse","coBrowse":{"type":"Offering"}}]}}"#,
    );
    let body = message(&frame);
    assert_eq!(body.content.len(), 2);
    assert_eq!(body.content[0].content_type(), "RichLink");
    assert!(
        matches!(&body.content[1], Content::Unknown(_)),
        "an undecodable card is kept raw"
    );
    assert_eq!(body.events[0].event_type(), "CoBrowse");
    // and they serialise back unchanged
    let again = serde_json::to_value(&body.content[0]).unwrap();
    assert_eq!(
        again,
        json!({"contentType":"RichLink","richLink":{"url":"https://x"}})
    );
}

#[test]
fn unknown_classes_and_undecodable_bodies_keep_the_raw_json() {
    let frame = decode(
        r#"{"type":"message","class":"FancyNewEvent","code":200,"body":{"x":1},"extra":true}"#,
    );
    assert_eq!(
        frame.body,
        FrameBody::Unknown {
            class: "FancyNewEvent".into(),
            body: json!({"x":1})
        }
    );
    let frame = decode(r#"{"type":"response","class":"JwtResponse","code":200,"body":{"exp":1}}"#);
    let FrameBody::Undecodable { class, reason, .. } = frame.body else {
        panic!()
    };
    assert_eq!(class, "JwtResponse");
    assert!(reason.contains("jwt"), "{reason}");
}

#[test]
fn history_pages_decode_including_null_times_and_empty_history() {
    let page: HistoryPage = serde_json::from_value(json!({
        "entities":[
            {"id":"1","type":"Text","direction":"Outbound","text":"hi","channel":{"time":null}},
            {"id":"2","type":"Event","direction":"Inbound","channel":{"time":"2024-01-01T10:00:00Z"},
             "events":[{"eventType":"Presence","presence":{"type":"Join"}}]},
            {"id":"3","type":"Structured","direction":"Outbound","text":"Pick",
             "content":[{"contentType":"QuickReply","quickReply":{"text":"A","payload":"a"}}]}],
        "pageSize":25,"pageNumber":1,"total":3,"pageCount":1}))
    .unwrap();
    assert_eq!(page.entities.len(), 3);
    assert_eq!(page.entities[0].time(), None);
    assert!(!page.has_older());
    let empty: HistoryPage = serde_json::from_str(
        r#"{"entities":[],"pageSize":0,"pageNumber":1,"total":0,"pageCount":0}"#,
    )
    .unwrap();
    assert!(empty.entities.is_empty());
    assert_eq!(
        HistoryQuery {
            page_number: 2,
            page_size: 100
        }
        .url("https://api.mypurecloud.de/"),
        "https://api.mypurecloud.de/api/v2/webmessaging/messages?pageNumber=2&pageSize=100"
    );
}

#[test]
fn lenient_fields_accept_numbers_and_nulls() {
    let frame = decode(
        r#"{"type":"response","class":"StructuredMessage","code":200,"body":{"id":"e","type":"Text","direction":"Inbound",
        "metadata":{"durationSeconds":900,"readOnly":true},"content":null,"events":null}}"#,
    );
    let body = message(&frame);
    assert_eq!(body.metadata["durationSeconds"], "900");
    assert!(body.marks_read_only());
}

#[test]
fn frames_round_trip_through_their_own_serialisation() {
    let frames = [
        ServerFrame::error(
            ErrorCode::SessionNotFound,
            "session not found",
            Some("t1".into()),
        ),
        ServerFrame::message(FrameBody::SessionExpiredEvent),
        ServerFrame::response(
            FrameBody::JwtResponse(JwtResponse {
                jwt: "j".into(),
                exp: 5,
            }),
            Some("t2".into()),
        ),
        ServerFrame::message(FrameBody::ConnectionClosedEvent(ConnectionClosedEvent {
            reason: Some("signedIn".into()),
        })),
    ];
    for frame in frames {
        let text = frame.to_json();
        assert_eq!(decode(&text), frame, "{text}");
    }
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(
            &ServerFrame::error(ErrorCode::BadRequest, "Request failed.", None).to_json()
        )
        .unwrap(),
        json!({"type":"response","class":"string","code":400,"body":"Request failed."})
    );
}

#[test]
fn text_that_is_not_an_envelope_is_an_error_not_a_panic() {
    for text in [
        "",
        "null",
        "[]",
        "{}",
        "{\"class\":5}",
        "not json",
        "{\"type\":\"message\"}",
    ] {
        assert!(serde_json::from_str::<ServerFrame>(text).is_err(), "{text}");
    }
}

mod never_panics {
    use super::*;
    use proptest::prelude::*;

    fn arbitrary_json() -> impl Strategy<Value = serde_json::Value> {
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::from),
            any::<i64>().prop_map(serde_json::Value::from),
            "[a-zA-Z]{0,8}".prop_map(serde_json::Value::from),
        ];
        leaf.prop_recursive(4, 32, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
                prop::collection::btree_map(
                    prop_oneof![
                        Just("class".to_string()),
                        Just("body".to_string()),
                        Just("type".to_string()),
                        Just("contentType".to_string()),
                        Just("eventType".to_string()),
                        Just("content".to_string()),
                        Just("events".to_string()),
                        "[a-z]{1,6}"
                    ],
                    inner,
                    0..5
                )
                .prop_map(|map| serde_json::Value::Object(map.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn decoding_arbitrary_text_never_panics(text in ".{0,200}") {
            let _ = serde_json::from_str::<ServerFrame>(&text);
        }

        #[test]
        fn decoding_arbitrary_bodies_of_every_class_never_panics(
            class in prop_oneof![
                Just("SessionResponse"), Just("StructuredMessage"), Just("JwtResponse"),
                Just("PresignedUrlResponse"), Just("TooManyRequestsErrorMessage"),
                Just("ConnectionClosedEvent"), Just("string"), Just("Whatever"),
            ],
            body in arbitrary_json(),
        ) {
            let text = serde_json::json!({"type":"message","class":class,"code":200,"body":body}).to_string();
            let frame = serde_json::from_str::<ServerFrame>(&text).expect("a valid envelope decodes");
            // whatever it decoded into serialises again without panicking
            let _ = frame.to_json();
        }
    }
}
