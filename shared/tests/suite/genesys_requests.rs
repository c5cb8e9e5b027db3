//! Every client request serialises to exactly the JSON shape of the reference (PROTOCOL.md
//! §1.4): the `action` tag, camelCase keys, optional fields left out when absent. Each also
//! decodes back, which the emulator relies on.

use std::collections::BTreeMap;

use parley_shared::genesys::*;
use serde_json::{Value, json};

fn wire(request: &ClientRequest) -> Value {
    let value: Value = serde_json::from_str(&request.to_json()).unwrap();
    let back: ClientRequest = serde_json::from_value(value.clone()).unwrap();
    assert_eq!(&back, request, "round trip");
    value
}

#[test]
fn configure_session_matches_the_reference_with_and_without_options() {
    let minimal = ClientRequest::ConfigureSession(ConfigureSession {
        deployment_id: "dep".into(),
        token: "tok".into(),
        ..Default::default()
    });
    assert_eq!(
        wire(&minimal),
        json!({"action":"configureSession","deploymentId":"dep","token":"tok"})
    );

    let full = ClientRequest::ConfigureSession(ConfigureSession {
        deployment_id: "<deploymentId>".into(),
        token: "00000000-0000-0000-0000-000000000000".into(),
        start_new: Some(false),
        tracing_id: Some("<uuid>".into()),
        journey_context: Some(JourneyContext {
            customer: JourneyCustomer {
                id: "00000000-0000-0000-0000-000000000000".into(),
                id_type: "cookie".into(),
            },
            customer_session: JourneyCustomerSession {
                id: String::new(),
                session_type: "web".into(),
            },
        }),
    });
    assert_eq!(
        wire(&full),
        json!({"action":"configureSession","deploymentId":"<deploymentId>","token":"00000000-0000-0000-0000-000000000000",
 "startNew":false,"tracingId":"<uuid>",
 "journeyContext":{"customer":{"id":"00000000-0000-0000-0000-000000000000","idType":"cookie"},
                   "customerSession":{"id":"","type":"web"}}})
    );
}

#[test]
fn configure_authenticated_session_carries_the_jwt_in_data_code() {
    let request = ClientRequest::ConfigureAuthenticatedSession(ConfigureAuthenticatedSession {
        deployment_id: "<id>".into(),
        token: "<token>".into(),
        data: AuthData {
            code: "<jwt>".into(),
        },
        start_new: Some(false),
        journey_context: None,
        tracing_id: Some("<uuid>".into()),
    });
    assert_eq!(
        wire(&request),
        json!({"action":"configureAuthenticatedSession","deploymentId":"<id>","token":"<token>","startNew":false,
 "data":{"code":"<jwt>"},"tracingId":"<uuid>"})
    );
}

#[test]
fn text_message_with_custom_attributes_matches_the_reference() {
    let mut message = IncomingMessage::text("Hello world");
    message.channel = Some(IncomingChannel {
        metadata: Some(ChannelMetadata {
            custom_attributes: BTreeMap::from([("customerName".into(), "Jane".into())]),
        }),
    });
    let request = ClientRequest::OnMessage(OnMessage {
        token: "<token>".into(),
        tracing_id: Some("<uuid>".into()),
        message,
        channel: None,
        time: None,
    });
    assert_eq!(
        wire(&request),
        json!({"action":"onMessage","token":"<token>","tracingId":"<uuid>",
 "message":{"type":"Text","text":"Hello world",
            "channel":{"metadata":{"customAttributes":{"customerName":"Jane"}}}}})
    );
}

#[test]
fn message_with_an_uploaded_attachment_references_it_by_id() {
    let mut message = IncomingMessage::text("see file");
    message.content = vec![Content::Attachment(Attachment {
        id: "<attachmentId>".into(),
        ..Default::default()
    })];
    let request = ClientRequest::OnMessage(OnMessage {
        token: "<token>".into(),
        tracing_id: Some("<uuid>".into()),
        message,
        channel: None,
        time: None,
    });
    assert_eq!(
        wire(&request),
        json!({"action":"onMessage","token":"<token>","tracingId":"<uuid>",
 "message":{"type":"Text","text":"see file",
            "content":[{"contentType":"Attachment","attachment":{"id":"<attachmentId>"}}]}})
    );
}

#[test]
fn quick_reply_and_postback_clicks_match_the_transport() {
    let quick = IncomingMessage::button_response(ButtonResponse {
        text: "Yes".into(),
        payload: "yes_payload".into(),
        response_type: ButtonResponseType::QuickReply,
        originating_message_id: None,
    });
    let request = ClientRequest::OnMessage(OnMessage {
        token: "<token>".into(),
        tracing_id: Some("<uuid>".into()),
        message: quick,
        channel: None,
        time: None,
    });
    assert_eq!(
        wire(&request),
        json!({"action":"onMessage","token":"<token>","tracingId":"<uuid>",
 "message":{"type":"Text","text":"",
            "content":[{"contentType":"ButtonResponse",
                        "buttonResponse":{"text":"Yes","payload":"yes_payload","type":"QuickReply"}}]}})
    );

    let postback = IncomingMessage::button_response(ButtonResponse {
        text: "Select this option".into(),
        payload: "postback_payload".into(),
        response_type: ButtonResponseType::Button,
        originating_message_id: Some("m1".into()),
    });
    assert_eq!(postback.message_type, MessageType::Structured);
    assert_eq!(
        serde_json::to_value(&postback).unwrap(),
        json!({"type":"Structured","text":"Select this option","content":[{"contentType":"ButtonResponse",
            "buttonResponse":{"text":"Select this option","payload":"postback_payload","type":"Button","originatingMessageId":"m1"}}]})
    );
}

#[test]
fn typing_and_presence_events_match_the_reference() {
    let typing = ClientRequest::OnMessage(OnMessage {
        token: "<token>".into(),
        tracing_id: Some("<uuid>".into()),
        message: IncomingMessage::typing(),
        channel: None,
        time: None,
    });
    assert_eq!(
        wire(&typing),
        json!({"action":"onMessage","token":"<token>","tracingId":"<uuid>",
 "message":{"type":"Event","events":[{"eventType":"Typing","typing":{"type":"On"}}]}})
    );
    assert_eq!(
        serde_json::to_value(IncomingMessage::presence(PresenceType::Join)).unwrap(),
        json!({"type":"Event","events":[{"eventType":"Presence","presence":{"type":"Join"}}]})
    );
}

#[test]
fn echo_get_jwt_and_session_actions_match_the_reference() {
    assert_eq!(
        wire(&ClientRequest::Echo(Echo::ping(
            "<token>",
            "SGVhbHRoQ2hlY2tNZXNzYWdlSWQ="
        ))),
        json!({"action":"echo","token":"<token>","tracingId":"SGVhbHRoQ2hlY2tNZXNzYWdlSWQ=",
 "message":{"type":"Text","text":"ping"}})
    );
    assert_eq!(
        wire(&ClientRequest::GetJwt(GetJwt {
            token: "<token>".into(),
            tracing_id: Some("<uuid>".into())
        })),
        json!({"action":"getJwt","token":"<token>","tracingId":"<uuid>"})
    );
    assert_eq!(
        wire(&ClientRequest::CloseSession(CloseSession {
            token: "<token>".into(),
            close_all_connections: true,
            tracing_id: Some("<uuid>".into())
        })),
        json!({"action":"closeSession","token":"<token>","closeAllConnections":true,"tracingId":"<uuid>"})
    );
    assert_eq!(
        wire(&ClientRequest::GetConfiguration(GetConfiguration {
            token: "<token>".into(),
            deployment_id: "<id>".into(),
            tracing_id: Some("<uuid>".into())
        })),
        json!({"action":"getConfiguration","token":"<token>","deploymentId":"<id>","tracingId":"<uuid>"})
    );
}

#[test]
fn attachment_actions_match_the_reference() {
    assert_eq!(
        wire(&ClientRequest::OnAttachment(OnAttachment {
            token: "<token>".into(),
            tracing_id: Some("<uuid>".into()),
            attachment_id: Some("00000000-0000-0000-0000-000000000001".into()),
            file_name: "foo.png".into(),
            file_type: "image/png".into(),
            file_size: 424242,
            file_md5: Some("<optional>".into()),
            errors_as_json: Some(true),
        })),
        json!({"action":"onAttachment","token":"<token>","tracingId":"<uuid>",
 "attachmentId":"00000000-0000-0000-0000-000000000001",
 "fileName":"foo.png","fileType":"image/png","fileSize":424242,"fileMd5":"<optional>",
 "errorsAsJson":true})
    );
    assert_eq!(
        wire(&ClientRequest::GetAttachment(GetAttachment {
            token: "<token>".into(),
            attachment_id: "<id>".into(),
            tracing_id: Some("<uuid>".into())
        })),
        json!({"action":"getAttachment","token":"<token>","attachmentId":"<id>","tracingId":"<uuid>"})
    );
    assert_eq!(
        wire(&ClientRequest::DeleteAttachment(DeleteAttachment {
            token: "<token>".into(),
            attachment_id: "<id>".into(),
            tracing_id: Some("<uuid>".into())
        })),
        json!({"action":"deleteAttachment","token":"<token>","attachmentId":"<id>","tracingId":"<uuid>"})
    );
}

#[test]
fn java_sdk_top_level_channel_decodes_too() {
    let request: ClientRequest = serde_json::from_value(json!({"action":"onMessage","token":"t",
        "message":{"type":"Text","text":"hi"},"channel":{"metadata":{"customAttributes":{"A":"B"}}}}))
    .unwrap();
    let ClientRequest::OnMessage(on_message) = request else {
        panic!()
    };
    let attributes = &on_message
        .channel
        .unwrap()
        .metadata
        .unwrap()
        .custom_attributes;
    assert_eq!(attributes["A"], "B");
}

#[test]
fn accessors_name_the_action_token_and_tracing_id() {
    let request = ClientRequest::GetJwt(GetJwt {
        token: "tok".into(),
        tracing_id: Some("tr".into()),
    });
    assert_eq!(
        (request.action(), request.token(), request.tracing_id()),
        ("getJwt", "tok", Some("tr"))
    );
    let value: Value = serde_json::from_str(&request.to_json()).unwrap();
    assert_eq!(value["action"], request.action());
}

#[test]
fn error_codes_round_trip_and_say_what_they_mean() {
    for code in ErrorCode::ALL {
        assert_eq!(ErrorCode::from_code(code.code()), Some(code));
        assert!(!code.meaning().is_empty());
    }
    assert_eq!(ErrorCode::from_code(4012), None);
    let fatal: Vec<u16> = ErrorCode::ALL
        .iter()
        .filter(|c| !c.session_survives())
        .map(|c| c.code())
        .collect();
    assert_eq!(fatal, vec![401, 4006, 4007, 4017]);
}
