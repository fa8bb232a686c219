//! The one WebSocket, `/api/v1/ws`: the checks before the upgrade (origin, the handshake's
//! headers, capacity), the handshake itself and the socket's limits; the conversation is in
//! [`session`], the way out in [`outbox`].

mod notes;
mod outbox;
mod rate;
mod session;

use super::auth::{cookie, is_own_origin};
use super::gate::Pending;
use super::{ApiError, AppState};
use axum::extract::{Request, State};
use axum::http::header::{
    CONNECTION, ORIGIN, SEC_WEBSOCKET_ACCEPT, SEC_WEBSOCKET_KEY, SEC_WEBSOCKET_VERSION, UPGRADE,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use hyper::upgrade::OnUpgrade;
use hyper_util::rt::TokioIo;
use protocol::ErrorCode;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};
use tokio_tungstenite::WebSocketStream;

/// The socket a session talks over: tokio-tungstenite on hyper's upgraded connection.
pub(super) type WebSocket = WebSocketStream<TokioIo<hyper::upgrade::Upgraded>>;

/// Frames past this many times the configured frame limit are not answered but cut off
/// by the WebSocket layer itself (close code 1009), so a hostile client cannot make the
/// hub buffer megabytes.
const HARD_CAP_FACTOR: usize = 4;

/// The WebSocket handshake (RFC 6455 §4.2), done here rather than by axum's extractor so
/// that the session owns tungstenite's socket and can write a large frame in fragments.
pub(super) async fn upgrade(State(state): State<Arc<AppState>>, mut request: Request) -> Response {
    let headers = request.headers();
    if !origin_allowed(headers, &state.public_base) {
        return ApiError::forbidden("WebSocket connections from other sites are refused")
            .into_response();
    }
    if let Err(refusal) = handshake_refusal(headers) {
        return refusal.into_response();
    }
    let accept = derive_accept_key(
        headers
            .get(SEC_WEBSOCKET_KEY)
            .map(|k| k.as_bytes())
            .unwrap_or_default(),
    );
    let cookie_token = cookie(headers);
    let pending = request.extensions().get::<Arc<Pending>>().cloned();
    let Some(on_upgrade) = request.extensions_mut().remove::<OnUpgrade>() else {
        return bad_handshake("this connection cannot be upgraded to a WebSocket").into_response();
    };
    let Some(guard) = ConnectionGuard::take(&state) else {
        return ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::Busy,
            "the hub has as many connections as it is configured for; try again shortly",
        )
        .into_response();
    };
    let tracked = state.sessions.token();
    let config = socket_config(state.config.limits.max_frame_bytes);
    tokio::spawn(async move {
        // Boxed and dropped once the socket is made: the task then holds only the
        // conversation (see `session::run`).
        let opened = Box::pin(async move {
            let upgraded = on_upgrade.await.ok()?;
            let socket = WebSocketStream::from_raw_socket(
                TokioIo::new(upgraded),
                Role::Server,
                Some(config),
            )
            .await;
            Some(session::run(socket, state, cookie_token, guard, pending))
        })
        .await;
        if let Some(conversation) = opened {
            conversation.await;
        }
        drop(tracked);
    });
    let mut response = StatusCode::SWITCHING_PROTOCOLS.into_response();
    let headers = response.headers_mut();
    headers.insert(CONNECTION, HeaderValue::from_static("upgrade"));
    headers.insert(UPGRADE, HeaderValue::from_static("websocket"));
    if let Ok(accept) = HeaderValue::from_str(&accept) {
        headers.insert(SEC_WEBSOCKET_ACCEPT, accept);
    }
    response
}

fn bad_handshake(message: &str) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::Invalid, message)
}

/// What a WebSocket handshake must carry (RFC 6455 §4.2.1): a GET asking to upgrade to
/// `websocket`, version 13, with a key.
fn handshake_refusal(headers: &HeaderMap) -> Result<(), ApiError> {
    let has_token = |name, token: &str| {
        headers.get_all(name).iter().any(|v| {
            v.to_str().is_ok_and(|v| {
                v.split(',')
                    .any(|part| part.trim().eq_ignore_ascii_case(token))
            })
        })
    };
    if !has_token(CONNECTION, "upgrade") || !has_token(UPGRADE, "websocket") {
        return Err(ApiError::new(
            StatusCode::UPGRADE_REQUIRED,
            ErrorCode::Invalid,
            "this address is the meeting's WebSocket: connect with a WebSocket client",
        ));
    }
    if headers.get(SEC_WEBSOCKET_VERSION).map(|v| v.as_bytes()) != Some(b"13") {
        return Err(bad_handshake("only WebSocket version 13 is spoken here"));
    }
    if headers.get(SEC_WEBSOCKET_KEY).is_none() {
        return Err(bad_handshake(
            "the WebSocket handshake has no Sec-WebSocket-Key",
        ));
    }
    Ok(())
}

/// Small buffers: thousands of tablets each hold a pair. tungstenite zero-fills the whole
/// read buffer before a read, so all of it is resident; a tablet's frames are small, and a
/// larger one grows the buffer when it comes. Its write buffer keeps the capacity of the
/// largest frame written, which is why the writer sends large texts in fragments of
/// [`outbox::FRAGMENT_BYTES`]; up to that many bytes of a batch's small frames go out in
/// one write. The caps bound what a client sends. What the hub sends is bounded by the
/// per-client queue and the write timeout, so the write buffer's maximum is left open.
fn socket_config(max_frame_bytes: usize) -> WebSocketConfig {
    let cap = max_frame_bytes.saturating_mul(HARD_CAP_FACTOR);
    WebSocketConfig::default()
        .read_buffer_size(2 * 1024)
        .write_buffer_size(outbox::FRAGMENT_BYTES)
        .max_write_buffer_size(usize::MAX)
        .max_message_size(Some(cap))
        .max_frame_size(Some(cap))
}

/// A browser tells where its page came from; a page on another site must not drive a
/// delegate's session with the cookie. Native clients send no `Origin` and are let in.
fn origin_allowed(headers: &HeaderMap, public_base: &str) -> bool {
    match headers.get(ORIGIN).map(|o| o.to_str()) {
        None => true,
        Some(Ok(origin)) => is_own_origin(origin, headers, public_base),
        Some(Err(_)) => false,
    }
}

/// Counts an open connection for as long as it lives.
#[derive(Debug)]
pub(super) struct ConnectionGuard(Arc<AppState>);

impl ConnectionGuard {
    fn take(state: &Arc<AppState>) -> Option<Self> {
        let max = state.config.limits.max_connections;
        state
            .connections
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < max).then_some(n + 1)
            })
            .ok()
            .map(|_| ConnectionGuard(state.clone()))
    }
}

impl Drop for ConnectionGuard {
    fn drop(&mut self) {
        self.0.connections.fetch_sub(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::header::HOST;
    use axum::http::HeaderValue;

    fn headers(origin: Option<&'static str>, host: &'static str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(HOST, HeaderValue::from_static(host));
        if let Some(o) = origin {
            h.insert(ORIGIN, HeaderValue::from_static(o));
        }
        h
    }

    #[test]
    fn a_handshake_needs_the_upgrade_version_13_and_a_key() {
        let mut h = HeaderMap::new();
        let status = |h: &HeaderMap| handshake_refusal(h).err().map(|e| e.status);
        assert_eq!(
            status(&h),
            Some(StatusCode::UPGRADE_REQUIRED),
            "a plain GET"
        );
        h.insert(CONNECTION, HeaderValue::from_static("keep-alive, Upgrade"));
        h.insert(UPGRADE, HeaderValue::from_static("WebSocket"));
        assert_eq!(status(&h), Some(StatusCode::BAD_REQUEST), "no version");
        h.insert(SEC_WEBSOCKET_VERSION, HeaderValue::from_static("8"));
        assert_eq!(status(&h), Some(StatusCode::BAD_REQUEST), "an old version");
        h.insert(SEC_WEBSOCKET_VERSION, HeaderValue::from_static("13"));
        assert_eq!(status(&h), Some(StatusCode::BAD_REQUEST), "no key");
        h.insert(
            SEC_WEBSOCKET_KEY,
            HeaderValue::from_static("dGhlIHNhbXBsZSBub25jZQ=="),
        );
        assert_eq!(status(&h), None);
        // RFC 6455 §1.3's example key and its answer.
        assert_eq!(
            derive_accept_key(b"dGhlIHNhbXBsZSBub25jZQ=="),
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        );
    }

    #[test]
    fn same_origin_and_native_clients_are_let_in_foreign_pages_are_not() {
        let base = "http://192.168.1.10:8080";
        assert!(origin_allowed(&headers(None, "192.168.1.10:8080"), base));
        assert!(origin_allowed(
            &headers(Some("http://192.168.1.10:8080"), "192.168.1.10:8080"),
            base
        ));
        assert!(origin_allowed(
            &headers(Some("http://192.168.1.10:8080"), "hub.local:8080"),
            base
        ));
        assert!(!origin_allowed(
            &headers(Some("http://evil.example"), "192.168.1.10:8080"),
            base
        ));
        assert!(!origin_allowed(
            &headers(Some("null"), "192.168.1.10:8080"),
            base
        ));
    }
}
