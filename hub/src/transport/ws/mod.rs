//! The one WebSocket, `/api/v1/ws`: checks before the upgrade (origin, capacity) and the
//! socket limits; the conversation itself is in [`session`].

mod notes;
mod outbox;
mod rate;
mod session;

use super::auth::{cookie, is_own_origin};
use super::gate::Pending;
use super::{ApiError, AppState};
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{Extension, State};
use axum::http::header::ORIGIN;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use protocol::ErrorCode;
use std::sync::atomic::Ordering;
use std::sync::Arc;

/// Frames past this many times the configured frame limit are not answered but cut off
/// by the WebSocket layer itself (close code 1009), so a hostile client cannot make the
/// hub buffer megabytes.
const HARD_CAP_FACTOR: usize = 4;

pub(super) async fn upgrade(
    State(state): State<Arc<AppState>>,
    pending: Option<Extension<Arc<Pending>>>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Response {
    if !origin_allowed(&headers, &state.public_base) {
        return ApiError::forbidden("WebSocket connections from other sites are refused")
            .into_response();
    }
    let Some(guard) = ConnectionGuard::take(&state) else {
        return ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::Busy,
            "the hub has as many connections as it is configured for; try again shortly",
        )
        .into_response();
    };
    let cookie_token = cookie(&headers);
    let tracked = state.sessions.token();
    let cap = state
        .config
        .limits
        .max_frame_bytes
        .saturating_mul(HARD_CAP_FACTOR);
    // Small buffers: thousands of tablets each hold a pair. tungstenite zero-fills the
    // whole read buffer before a read, so all of it is resident; a tablet's frames are
    // small, and a larger one grows the buffer when it comes.
    // The caps bound what a client sends. What the hub sends is bounded by the per-client
    // queue and the write timeout; a console's snapshot of a 2,000-delegate congress is
    // larger than any cap a client gets, and tungstenite refuses to write a message larger
    // than the write buffer's maximum, so that maximum is left open.
    ws.read_buffer_size(2 * 1024)
        .write_buffer_size(0)
        .max_write_buffer_size(usize::MAX)
        .max_message_size(cap)
        .max_frame_size(cap)
        .on_upgrade(move |socket| {
            let pending = pending.map(|Extension(p)| p);
            // Made here, outside the async block, so that the block does not keep the
            // socket (see `session::run`).
            let conversation = session::run(socket, state, cookie_token, guard, pending);
            async move {
                conversation.await;
                drop(tracked);
            }
        })
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
