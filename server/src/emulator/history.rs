//! History (PROTOCOL.md §1.4.6, §1.12): `getJwt` issues a guest JWT over the socket, and
//! `GET /api/v2/webmessaging/messages` with `Authorization: bearer <jwt>` pages through the
//! session's log, newest first (`pageSize` default 25, `pageNumber` default 1).
//!
//! The log holds what Genesys keeps: the guest's Inbound messages (with the `metadata` they were
//! sent with, which clients use to match history to their own sends), agent and bot messages,
//! and presence events. Typing indicators are not kept. The JWT looks like one
//! (`header.payload.signature`, base64url) but its signature is random: the emulator only checks
//! that it issued it and that it has not expired.
//!
//! With `EmulatorConfig::strip_history_metadata` (`PARLEY_EMULATOR_HISTORY_METADATA=off`) the
//! guest's messages come back without their `metadata` (message and channel), as a real org
//! might serve them: clients then cannot match history to their sends by client message id.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use parley_shared::genesys::{
    Direction, FrameBody, GetJwt, HistoryPage, HistoryQuery, JwtResponse, ServerFrame,
    StructuredMessage,
};
use serde_json::json;
use tokio::time::Instant;

use super::Emulator;
use super::access::OriginCheck;
use super::context::ConnCtx;
use super::lifecycle::live_session;
#[cfg(test)]
use super::message_log::LogBounds;
use super::message_log::MessageLog;
use super::oauth::bearer_token;
use super::routing::platform_unauthorized;
use super::session::{JwtGrant, saturating_add};

/// Largest page the endpoint serves.
const MAX_PAGE_SIZE: u32 = 200;

/// `getJwt`: a bearer token for this session's history.
pub fn get_jwt(emulator: &Emulator, ctx: &mut ConnCtx, request: GetJwt) {
    let tracing_id = request.tracing_id;
    let config = emulator.config();
    let lifetime = config.jwt_lifetime;
    let mut sessions = emulator.sessions();
    if let Err(error) = live_session(emulator, &mut sessions, &request.token, &tracing_id) {
        return ctx.reply(&error);
    }
    let exp = (emulator.wall().now_ms() / 1000).saturating_add(lifetime.as_secs());
    let jwt = mint_jwt(emulator, exp);
    let grant = JwtGrant {
        token: request.token,
        expires_at: saturating_add(Instant::now(), lifetime),
    };
    sessions.insert_jwt(jwt.clone(), grant, config.max_jwts_per_session);
    ctx.reply(&ServerFrame::response(
        FrameBody::JwtResponse(JwtResponse { jwt, exp }),
        tracing_id,
    ));
}

fn mint_jwt(emulator: &Emulator, exp: u64) -> String {
    let encode = |value: serde_json::Value| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(value.to_string())
    };
    let header = encode(json!({"alg": "HS256", "typ": "JWT"}));
    let payload =
        encode(json!({"iss": "parley-emulator", "exp": exp, "jti": emulator.ids().next("jwt")}));
    let signature =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(emulator.ids().secret());
    format!("{header}.{payload}.{signature}")
}

/// `GET /api/v2/webmessaging/messages`.
pub async fn messages(
    State(emulator): State<Emulator>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    if let Err(refused) = OriginCheck::IfPresent.verify(emulator.config(), &headers) {
        return refused.into_response();
    }
    let (page_number, page_size) = match parse_paging(&query) {
        Ok(paging) => paging,
        Err(message) => {
            let body = json!({"message": message, "code": "bad.request", "status": 400});
            return (StatusCode::BAD_REQUEST, Json(body)).into_response();
        }
    };
    let sessions = emulator.sessions();
    let now = Instant::now();
    let Some(token) = bearer_token(&headers).and_then(|jwt| sessions.token_for_jwt(jwt, now))
    else {
        return platform_unauthorized();
    };
    let ttl = emulator.config().session_ttl;
    let Some(session) = sessions
        .live(token)
        .filter(|session| now.duration_since(session.last_activity) < ttl)
    else {
        return platform_unauthorized();
    };
    let mut served = page(&session.log, page_number, page_size);
    if emulator.config().strip_history_metadata {
        served.entities.iter_mut().for_each(strip_guest_metadata);
    }
    Json(served).into_response()
}

/// Removes what the guest attached to an Inbound message (`metadata`, which carries the client
/// message id, and the channel's custom attributes). The platform's own metadata on Outbound
/// messages and events (`readOnly` on a Disconnect …) stays.
fn strip_guest_metadata(entry: &mut StructuredMessage) {
    if entry.direction != Direction::Inbound {
        return;
    }
    entry.metadata.clear();
    if let Some(channel) = entry.channel.as_mut() {
        channel.metadata = None;
    }
}

/// Reads `pageNumber` / `pageSize`, with Genesys's defaults.
fn parse_paging(query: &HashMap<String, String>) -> Result<(u32, u32), String> {
    let read = |name: &str, default: u32| match query.get(name) {
        None => Ok(default),
        Some(value) => value
            .parse::<u32>()
            .ok()
            .filter(|number| *number >= 1)
            .ok_or_else(|| format!("{name} must be a positive integer")),
    };
    let page_number = read("pageNumber", 1)?;
    let page_size = read("pageSize", HistoryQuery::DEFAULT_PAGE_SIZE)?.min(MAX_PAGE_SIZE);
    Ok((page_number, page_size))
}

/// One page of `log` (oldest first), newest first.
fn page(log: &MessageLog, page_number: u32, page_size: u32) -> HistoryPage {
    let total = log.len();
    if total == 0 {
        return HistoryPage {
            entities: Vec::new(),
            page_size: 0,
            page_number: 1,
            total: 0,
            page_count: 0,
        };
    }
    let size = page_size as usize;
    let skip = (page_number as usize - 1).saturating_mul(size);
    let entities = log.newest_first(skip, size);
    HistoryPage {
        entities,
        page_size,
        page_number,
        total: total as u64,
        page_count: total.div_ceil(size) as u32,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use parley_shared::genesys::{ChannelMetadata, MessageType};

    fn log_of(count: usize) -> MessageLog {
        let mut log = MessageLog::default();
        for n in 1..=count {
            let message = super::super::frames::structured(
                format!("m{n}"),
                MessageType::Text,
                Direction::Inbound,
                String::new(),
            );
            let bounds = LogBounds {
                entries: count,
                bytes: usize::MAX,
            };
            log.record(&message, bounds);
        }
        log
    }

    #[test]
    fn pages_run_newest_first() {
        let log = log_of(5);
        let first = page(&log, 1, 2);
        let ids: Vec<_> = first.entities.iter().map(|m| m.id.as_str()).collect();
        assert_eq!(ids, ["m5", "m4"]);
        assert_eq!((first.total, first.page_count), (5, 3));
        let last = page(&log, 3, 2);
        assert_eq!(last.entities.len(), 1);
        assert_eq!(last.entities[0].id, "m1");
        assert!(page(&log, 4, 2).entities.is_empty());
    }

    #[test]
    fn empty_history_has_the_documented_shape() {
        let empty = page(&MessageLog::default(), 1, 25);
        assert_eq!(
            (
                empty.page_size,
                empty.page_number,
                empty.total,
                empty.page_count
            ),
            (0, 1, 0, 0)
        );
    }

    #[test]
    fn stripping_removes_the_guests_metadata_and_keeps_the_platforms() {
        let with_metadata = |direction| {
            let mut entry = super::super::frames::structured(
                "m".into(),
                MessageType::Text,
                direction,
                "2024-01-01T10:00:00.000Z".into(),
            );
            entry
                .metadata
                .insert("clientMessageId".into(), "c-1".into());
            entry.channel.as_mut().unwrap().metadata = Some(ChannelMetadata {
                custom_attributes: [("plan".to_owned(), "gold".to_owned())].into(),
            });
            entry
        };
        let mut guest = with_metadata(Direction::Inbound);
        strip_guest_metadata(&mut guest);
        assert!(guest.metadata.is_empty());
        assert_eq!(guest.channel.as_ref().unwrap().metadata, None);
        assert_eq!(guest.time(), Some("2024-01-01T10:00:00.000Z"), "time stays");

        let mut agent = with_metadata(Direction::Outbound);
        strip_guest_metadata(&mut agent);
        assert_eq!(agent, with_metadata(Direction::Outbound));
    }

    #[test]
    fn paging_defaults_and_rejects_nonsense() {
        assert_eq!(parse_paging(&HashMap::new()), Ok((1, 25)));
        let bad = HashMap::from([("pageSize".to_owned(), "zero".to_owned())]);
        assert!(parse_paging(&bad).is_err());
    }
}
