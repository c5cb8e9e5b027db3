//! `Debug` for the engine's types without the secrets they carry: the guest session token (the
//! guest's identity), JWTs, and request bodies (every request carries the token). Drivers log
//! inputs and effects while debugging; nothing here may let a token reach a log line.

use std::fmt;

use crate::genesys::FrameBody;

use super::{Effect, Engine, EngineConfig, Grant, Input};

const REDACTED: &str = "<redacted>";

fn redacted(value: &Option<String>) -> Option<&'static str> {
    value.as_ref().map(|_| REDACTED)
}

impl fmt::Debug for Grant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Grant")
            .field("token", &REDACTED)
            .field("websocket_url", &self.websocket_url)
            .field("api_base_url", &self.api_base_url)
            .field("deployment_id", &self.deployment_id)
            .finish()
    }
}

impl fmt::Debug for EngineConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EngineConfig")
            .field("deployment_id", &self.deployment_id)
            .field("stored_token", &redacted(&self.stored_token))
            .field("seed", &self.seed)
            .field("max_text_chars", &self.max_text_chars)
            .field("messages_per_second", &self.messages_per_second)
            .field("backoff", &self.backoff)
            .field("history_page_size", &self.history_page_size)
            .field("max_history_pages", &self.max_history_pages)
            .field("auto_restart_on_expiry", &self.auto_restart_on_expiry)
            .field("restored_outbox", &self.restored_outbox.len())
            .field("guest_typing", &self.guest_typing)
            .field("deployment", &self.deployment)
            .finish()
    }
}

impl fmt::Debug for Effect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Effect::RequestSession { resume_token } => f
                .debug_struct("RequestSession")
                .field("resume_token", &redacted(resume_token))
                .finish(),
            Effect::OpenSocket { socket, url } => f
                .debug_struct("OpenSocket")
                .field("socket", socket)
                .field("url", url)
                .finish(),
            Effect::CloseSocket { socket } => f
                .debug_struct("CloseSocket")
                .field("socket", socket)
                .finish(),
            Effect::Send { socket, request } => f
                .debug_struct("Send")
                .field("socket", socket)
                .field("action", &request.action())
                .field("tracing_id", &request.tracing_id())
                .finish(),
            Effect::FetchHistory {
                api_base_url,
                query,
                ..
            } => f
                .debug_struct("FetchHistory")
                .field("api_base_url", api_base_url)
                .field("jwt", &REDACTED)
                .field("query", query)
                .finish(),
            Effect::ArmTimer { at } => f.debug_struct("ArmTimer").field("at", at).finish(),
            Effect::PersistToken { .. } => f
                .debug_struct("PersistToken")
                .field("token", &REDACTED)
                .finish(),
            Effect::ForgetToken => f.write_str("ForgetToken"),
            Effect::Upload {
                attachment_id,
                headers,
                ..
            } => f
                .debug_struct("Upload")
                .field("attachment_id", attachment_id)
                .field("url", &REDACTED)
                .field("headers", &headers.keys().collect::<Vec<_>>())
                .finish(),
            Effect::AbortUpload { attachment_id } => f
                .debug_struct("AbortUpload")
                .field("attachment_id", attachment_id)
                .finish(),
            Effect::PersistOutbox { token, messages } => f
                .debug_struct("PersistOutbox")
                .field("token", &token.as_ref().map(|_| REDACTED))
                .field("messages", &messages.len())
                .finish(),
            Effect::ViewChanged => f.write_str("ViewChanged"),
        }
    }
}

impl fmt::Debug for Input {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Input::SessionGranted(grant) => f.debug_tuple("SessionGranted").field(grant).finish(),
            Input::SessionRefused(reason) => f.debug_tuple("SessionRefused").field(reason).finish(),
            Input::UploadProgress {
                attachment_id,
                sent,
                total,
            } => f
                .debug_struct("UploadProgress")
                .field("attachment_id", attachment_id)
                .field("sent", sent)
                .field("total", total)
                .finish(),
            Input::UploadFailed {
                attachment_id,
                reason,
            } => f
                .debug_struct("UploadFailed")
                .field("attachment_id", attachment_id)
                .field("reason", reason)
                .finish(),
            Input::SocketOpened(socket) => f.debug_tuple("SocketOpened").field(socket).finish(),
            Input::SocketClosed {
                socket,
                code,
                clean,
            } => f
                .debug_struct("SocketClosed")
                .field("socket", socket)
                .field("code", code)
                .field("clean", clean)
                .finish(),
            Input::Frame { socket, frame } => {
                let mut debug = f.debug_struct("Frame");
                debug
                    .field("socket", socket)
                    .field("class", &frame.body.class())
                    .field("code", &frame.code)
                    .field("tracing_id", &frame.tracing_id);
                if let FrameBody::StructuredMessage(message) = &frame.body {
                    debug.field("id", &message.id);
                }
                debug.finish()
            }
            Input::MalformedFrame { socket, error } => f
                .debug_struct("MalformedFrame")
                .field("socket", socket)
                .field("error", error)
                .finish(),
            Input::HistoryReceived(page) => f
                .debug_struct("HistoryReceived")
                .field("page_number", &page.page_number)
                .field("entities", &page.entities.len())
                .finish(),
            Input::HistoryFailed(reason) => f.debug_tuple("HistoryFailed").field(reason).finish(),
            Input::TimerFired => f.write_str("TimerFired"),
            Input::NetworkBack => f.write_str("NetworkBack"),
            Input::StoredTokenChanged(token) => f
                .debug_struct("StoredTokenChanged")
                .field("stored", &token.as_ref().map(|_| "<redacted>"))
                .finish(),
        }
    }
}

impl fmt::Debug for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Engine")
            .field("phase", &self.phase)
            .field("socket", &self.socket.map(|socket| socket.id))
            .field("entries", &self.transcript.entries().len())
            .field("outbox", &self.outbox.len())
            .field("next_deadline", &self.armed)
            .field("diagnostics", &self.diagnostics)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::SocketId;
    use crate::genesys::{ClientRequest, GetJwt, HistoryQuery};

    const TOKEN: &str = "SECRET-TOKEN";
    const JWT: &str = "SECRET-JWT";

    #[test]
    fn debug_output_never_shows_tokens_jwts_or_upload_urls() {
        let grant = Grant {
            token: TOKEN.into(),
            websocket_url: "wss://x/v1".into(),
            api_base_url: "https://x".into(),
            deployment_id: "d".into(),
        };
        let mut config = EngineConfig::new("d");
        config.stored_token = Some(TOKEN.into());
        let mut engine = Engine::new(config.clone());
        let jwt_frame = format!(
            r#"{{"type":"response","class":"JwtResponse","code":200,"body":{{"jwt":"{JWT}","exp":1}}}}"#
        );
        let inputs = [
            Input::SessionGranted(grant.clone()),
            Input::frame_text(SocketId(1), &jwt_frame),
        ];
        let effects = [
            Effect::RequestSession {
                resume_token: Some(TOKEN.into()),
            },
            Effect::PersistToken {
                token: TOKEN.into(),
            },
            Effect::FetchHistory {
                api_base_url: "https://x".into(),
                jwt: JWT.into(),
                query: HistoryQuery::first(),
            },
            Effect::Upload {
                attachment_id: "a1".into(),
                url: "https://bucket/SECRET-URL".into(),
                headers: [("x-amz-tagging".to_owned(), "SECRET-TAG".to_owned())].into(),
            },
            Effect::Send {
                socket: SocketId(1),
                request: ClientRequest::GetJwt(GetJwt {
                    token: TOKEN.into(),
                    tracing_id: None,
                }),
            },
        ];
        engine.start(0);
        engine.handle(Input::SessionGranted(grant.clone()), 0);
        let mut printed = vec![
            format!("{grant:?}"),
            format!("{config:?}"),
            format!("{engine:?}"),
        ];
        printed.extend(inputs.iter().map(|input| format!("{input:?}")));
        printed.extend(effects.iter().map(|effect| format!("{effect:?}")));
        for text in printed {
            assert!(!text.contains("SECRET"), "{text}");
        }
        // The frame really carried the JWT, so hiding it was the Debug impl's doing.
        assert!(matches!(&inputs[1], Input::Frame { frame, .. }
            if matches!(&frame.body, FrameBody::JwtResponse(body) if body.jwt == JWT)));
    }
}
