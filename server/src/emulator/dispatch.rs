//! From one text frame to the handler of its action. Sits between the socket loop
//! (`connection`), which owns the socket, and the handlers (`lifecycle`, `messaging`,
//! `attachments`, `history`), which own the protocol rules.
//!
//! Malformed input never closes the socket and never panics: text that is not a JSON object gets
//! `400 "Request failed."`, a missing `action` or required field gets 4020, an unknown action 400,
//! and every error echoes the request's `tracingId` when it had one. Apart from configure, an
//! action is only accepted for the token this connection configured; anything else is 4007
//! (session not found), as Genesys answers tokens it does not know.

use parley_shared::genesys::{
    ClientRequest, ConfigureAuthenticatedSession, ConfigureSession, ErrorCode, MAX_TOKEN_CHARS,
    ServerFrame,
};
use serde_json::Value;

use super::context::ConnCtx;
use super::{Emulator, attachments, frames, history, lifecycle, messaging};

/// Longest `tracingId` echoed back. Clients use short ids (a UUID, `parley-heartbeat-…`); a
/// longer one is refused with 400 without being echoed, so that a request cannot make the
/// emulator repeat a large string in every answer.
pub const MAX_TRACING_ID_CHARS: usize = 256;

/// Actions the schema lists but no client uses and the emulator does not implement.
const UNSUPPORTED_ACTIONS: [&str; 2] = ["disconnectCustomer", "resumeToken"];

/// Actions the emulator implements (the `ClientRequest` variants).
const KNOWN_ACTIONS: [&str; 10] = [
    "configureSession",
    "configureAuthenticatedSession",
    "onMessage",
    "echo",
    "getJwt",
    "onAttachment",
    "getAttachment",
    "deleteAttachment",
    "closeSession",
    "getConfiguration",
];

/// Handles one text frame from the guest.
pub fn handle_text(emulator: &Emulator, ctx: &mut ConnCtx, text: &str) {
    let request = match parse(text) {
        Ok(request) => request,
        Err(error) => return ctx.reply(&error),
    };
    let tracing_id = request.tracing_id().map(str::to_owned);
    match request {
        // An authenticated configure is accepted like an anonymous one (the JWT is not checked).
        ClientRequest::ConfigureSession(ConfigureSession {
            deployment_id,
            token,
            start_new,
            ..
        })
        | ClientRequest::ConfigureAuthenticatedSession(ConfigureAuthenticatedSession {
            deployment_id,
            token,
            start_new,
            ..
        }) => configure_checked(
            emulator,
            ctx,
            &deployment_id,
            &token,
            start_new.unwrap_or(false),
            tracing_id,
        ),
        other if ctx.token.as_deref() != Some(other.token()) => ctx.reply(&ServerFrame::error(
            ErrorCode::SessionNotFound,
            "session not found: send configureSession with this token first",
            tracing_id,
        )),
        ClientRequest::OnMessage(request) => messaging::on_message(emulator, ctx, request),
        ClientRequest::Echo(request) => lifecycle::echo(emulator, ctx, request),
        ClientRequest::GetJwt(request) => history::get_jwt(emulator, ctx, request),
        ClientRequest::OnAttachment(request) => {
            attachments::on_attachment(emulator, ctx, request);
        }
        ClientRequest::GetAttachment(request) => {
            attachments::get_attachment(emulator, ctx, request);
        }
        ClientRequest::DeleteAttachment(request) => {
            attachments::delete_attachment(emulator, ctx, request);
        }
        ClientRequest::CloseSession(request) => lifecycle::close(emulator, ctx, request),
        ClientRequest::GetConfiguration(request) => {
            lifecycle::get_configuration(emulator, ctx, request);
        }
    }
}

/// Validates the configure parameters every variant shares, then configures.
fn configure_checked(
    emulator: &Emulator,
    ctx: &mut ConnCtx,
    deployment_id: &str,
    token: &str,
    start_new: bool,
    tracing_id: Option<String>,
) {
    if token.is_empty() || token.chars().count() > MAX_TOKEN_CHARS {
        let text = format!("Request failed: token must be 1 to {MAX_TOKEN_CHARS} characters");
        return ctx.reply(&ServerFrame::error(ErrorCode::BadRequest, text, tracing_id));
    }
    if deployment_id != ctx.deployment_id {
        let text = "Request failed: deploymentId does not match the socket's deploymentId";
        return ctx.reply(&ServerFrame::error(ErrorCode::BadRequest, text, tracing_id));
    }
    lifecycle::configure(emulator, ctx, token, start_new, tracing_id);
}

/// Decodes a frame into a request, or the error frame to answer with.
fn parse(text: &str) -> Result<ClientRequest, Box<ServerFrame>> {
    let bad_request =
        |tracing_id| frames::boxed_error(ErrorCode::BadRequest, "Request failed.", tracing_id);
    let value: Value = serde_json::from_str(text).map_err(|_| bad_request(None))?;
    let Some(object) = value.as_object() else {
        return Err(bad_request(None));
    };
    let tracing_id = object.get("tracingId").and_then(Value::as_str);
    if tracing_id.is_some_and(|id| id.chars().count() > MAX_TRACING_ID_CHARS) {
        let text = format!("Request failed: tracingId is longer than {MAX_TRACING_ID_CHARS}");
        return Err(frames::boxed_error(ErrorCode::BadRequest, text, None));
    }
    let tracing_id = tracing_id.map(str::to_owned);
    let action = match object.get("action") {
        None => {
            return Err(frames::boxed_error(
                ErrorCode::MissingParameter,
                "Missing parameter: action",
                tracing_id,
            ));
        }
        Some(Value::String(action)) => action.as_str(),
        Some(_) => return Err(bad_request(tracing_id)),
    };
    if UNSUPPORTED_ACTIONS.contains(&action) {
        let text = format!("Request failed: action {action} is not supported");
        return Err(frames::boxed_error(ErrorCode::BadRequest, text, tracing_id));
    }
    if !KNOWN_ACTIONS.contains(&action) {
        let shown: String = action.chars().take(64).collect();
        let text = format!("Request failed: unknown action {shown:?}");
        return Err(frames::boxed_error(ErrorCode::BadRequest, text, tracing_id));
    }
    serde_json::from_value::<ClientRequest>(value.clone()).map_err(|error| {
        let reason = error.to_string();
        if reason.starts_with("missing field") {
            let text = format!("Missing parameter: {reason}");
            frames::boxed_error(ErrorCode::MissingParameter, text, tracing_id)
        } else {
            let text = format!("Request failed: {reason}");
            frames::boxed_error(ErrorCode::BadRequest, text, tracing_id)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code_of(text: &str) -> u16 {
        parse(text).expect_err("should be refused").code
    }

    #[test]
    fn malformed_frames_map_to_their_error_codes() {
        assert_eq!(code_of("not json"), 400);
        assert_eq!(code_of("[1,2]"), 400);
        assert_eq!(code_of(r#"{"token":"t"}"#), 4020);
        assert_eq!(code_of(r#"{"action":"dance","token":"t"}"#), 400);
        assert_eq!(code_of(r#"{"action":"resumeToken","token":"t"}"#), 400);
        assert_eq!(code_of(r#"{"action":"getJwt"}"#), 4020);
        assert_eq!(code_of(r#"{"action":"getJwt","token":5}"#), 400);
    }

    #[test]
    fn errors_echo_the_tracing_id() {
        let error = parse(r#"{"action":"dance","tracingId":"t-1"}"#).unwrap_err();
        assert_eq!(error.tracing_id.as_deref(), Some("t-1"));
    }

    #[test]
    fn an_overlong_tracing_id_is_refused_and_not_echoed() {
        let long = "x".repeat(MAX_TRACING_ID_CHARS + 1);
        let text = format!(r#"{{"action":"echo","token":"t","tracingId":"{long}"}}"#);
        let error = parse(&text).unwrap_err();
        assert_eq!(error.code, 400);
        assert_eq!(error.tracing_id, None);
        let fits = "y".repeat(MAX_TRACING_ID_CHARS);
        let text = format!(r#"{{"action":"dance","tracingId":"{fits}"}}"#);
        assert_eq!(parse(&text).unwrap_err().tracing_id, Some(fits));
    }

    #[test]
    fn well_formed_requests_decode() {
        let request = parse(r#"{"action":"getJwt","token":"t","tracingId":"x"}"#).unwrap();
        assert_eq!(request.action(), "getJwt");
    }
}
