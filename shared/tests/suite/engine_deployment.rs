//! The Messenger deployment's rules as the engine applies them ([`DeploymentRules`]): the
//! admin's upload modes refuse a file before anything is sent, `conversationDisconnect`
//! decides whether a disconnect closes the composer, and `conversationClear` makes "End chat"
//! send Presence `Clear` and wipe everything on `SessionClearedEvent`.

use crate::engine_harness::*;
use parley_shared::api::UploadMode;
use parley_shared::engine::{
    AfterDisconnect, DeploymentRules, Effect, EngineConfig, Notice, Phase, Refused, UploadRules,
};
use parley_shared::genesys::{ClientRequest, Event, PresenceType};
use serde_json::json;

fn ready_with_rules(rules: DeploymentRules) -> Harness {
    Harness::ready_with(EngineConfig {
        seed: 7,
        deployment: rules,
        ..EngineConfig::new(DEPLOYMENT)
    })
}

fn disconnect(h: &mut Harness, marked_read_only: bool) {
    let metadata = if marked_read_only {
        json!({"readOnly": "true"})
    } else {
        json!({})
    };
    h.frame(agent_event(
        "d1",
        json!({"eventType": "Presence", "presence": {"type": "Disconnect"}}),
        metadata,
    ));
}

#[test]
fn the_deployments_upload_modes_refuse_a_file_before_anything_is_sent() {
    let mut h = ready_with_rules(DeploymentRules {
        uploads: UploadRules::Modes(vec![UploadMode {
            file_types: vec!["image/png".into()],
            max_file_size_kb: 1,
        }]),
        ..DeploymentRules::default()
    });
    assert_eq!(
        h.attach("big.png", "image/png", 1025),
        Err(Refused::FileTooLarge {
            size: 1025,
            max_bytes: 1024
        }),
        "the session allows 10 MB, the deployment 1 KB: the deployment wins"
    );
    assert!(h.take().is_empty(), "nothing was sent");
    assert!(h.engine.uploads().is_empty());
    assert!(h.attach("small.png", "image/png", 1024).is_ok());
}

#[test]
fn attachments_switched_off_refuse_every_file() {
    let mut h = Harness::ready();
    h.cmd(|engine, _| {
        engine.set_deployment_rules(DeploymentRules {
            uploads: UploadRules::Off,
            ..DeploymentRules::default()
        })
    });
    assert!(matches!(
        h.attach("pixel.png", "image/png", 10),
        Err(Refused::FileTypeNotAllowed { .. })
    ));
    assert!(h.take().is_empty());
}

#[test]
fn read_only_deployment_ends_the_conversation_even_without_the_servers_mark() {
    let mut h = ready_with_rules(DeploymentRules {
        after_disconnect: AfterDisconnect::ReadOnly,
        ..DeploymentRules::default()
    });
    disconnect(&mut h, false);
    assert_eq!(h.engine.phase(), &Phase::Ended);
    assert_eq!(h.send_text("still there?"), Err(Refused::ReadOnly));
}

#[test]
fn send_deployment_lets_the_visitor_keep_writing_and_resends_the_attributes() {
    let mut h = ready_with_rules(DeploymentRules {
        after_disconnect: AfterDisconnect::KeepWriting,
        ..DeploymentRules::default()
    });
    h.set_custom_attributes([("name".to_owned(), "Ada".to_owned())].into());
    let first = h.say("hello");
    let sent = h.sent_messages().remove(0);
    assert!(
        sent.message.channel.is_some(),
        "attributes travel with the first message"
    );
    h.echo(&sent, "m1", "2024-01-01T10:00:01Z");
    disconnect(&mut h, false);
    assert_eq!(h.engine.phase(), &Phase::Ready);
    assert!(h.texts().contains(&format!(
        "[{:?}]",
        Notice::ConversationEnded { read_only: false }
    )));
    h.advance(1_000);
    let second = h.say("one more thing");
    assert_ne!(first, second);
    let sent = h.sent_messages();
    assert_eq!(sent.len(), 1, "the message goes out on the same session");
    assert!(
        sent[0].message.channel.is_some(),
        "the new conversation gets the attributes again"
    );
}

#[test]
fn a_servers_read_only_mark_wins_over_a_send_deployment() {
    let mut h = ready_with_rules(DeploymentRules {
        after_disconnect: AfterDisconnect::KeepWriting,
        ..DeploymentRules::default()
    });
    disconnect(&mut h, true);
    assert_eq!(h.engine.phase(), &Phase::Ended);
}

#[test]
fn end_chat_with_clear_sends_presence_clear_and_its_answer_wipes_everything() {
    let mut h = ready_with_rules(DeploymentRules {
        clear_on_end: true,
        ..DeploymentRules::default()
    });
    h.frame(agent_text(
        "a1",
        "secret answer",
        "2024-01-01T10:00:00Z",
        "Ann",
    ));
    h.say("my account number");
    h.take();
    h.end_chat().unwrap();
    let sent = h.sent();
    assert!(
        matches!(sent.as_slice(), [ClientRequest::OnMessage(m)]
            if m.token == TOKEN
            && matches!(m.message.events.as_slice(),
                [Event::Presence(p)] if p.presence_type == PresenceType::Clear)),
        "{sent:?}"
    );
    h.frame(json!({"type": "message", "class": "SessionClearedEvent", "code": 200, "body": {}}));
    let effects = h.take();
    assert!(effects.contains(&Effect::ForgetToken));
    assert!(
        effects.contains(&Effect::PersistOutbox {
            token: None,
            messages: Vec::new()
        }),
        "the unsent message leaves storage too: {effects:?}"
    );
    assert_eq!(h.engine.phase(), &Phase::Ended);
    assert_eq!(
        h.texts(),
        [format!(
            "[{:?}]",
            Notice::ConversationEnded { read_only: true }
        )],
        "nothing of the conversation is left"
    );
    assert!(h.engine.everything_delivered());
    h.start_new_chat();
    assert!(
        h.take()
            .contains(&Effect::RequestSession { resume_token: None }),
        "a new chat is a brand-new session"
    );
}

#[test]
fn a_refused_clear_falls_back_to_close_session() {
    let mut h = ready_with_rules(DeploymentRules {
        clear_on_end: true,
        ..DeploymentRules::default()
    });
    h.end_chat().unwrap();
    let clear = match h.sent().remove(0) {
        ClientRequest::OnMessage(m) => m,
        other => panic!("expected the Clear presence, got {other:?}"),
    };
    h.frame(error_frame(
        403,
        "Presence events Conversation Clear are not supported",
        clear.tracing_id.as_deref(),
    ));
    assert!(matches!(h.sent().as_slice(),
        [ClientRequest::CloseSession(c)] if c.close_all_connections));
    h.frame(
        json!({"type": "response", "class": "SessionResponse", "code": 200,
                   "body": {"connected": false, "readOnly": true}}),
    );
    assert_eq!(h.engine.phase(), &Phase::Ended);
}
