//! The join link printed on a badge: `/j/TOKEN` puts the token in a cookie and sends the
//! browser to the hub's page, so the token does not travel in every link after that.
//! With the hub's own CA the link ends in `?ca=SHA256`, the CA the native tablet pins;
//! this route ignores it.

use super::auth::{principal, TOKEN_COOKIE};
use super::AppState;
use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, LOCATION, SET_COOKIE};
use axum::http::StatusCode;
use axum::response::{AppendHeaders, Html, IntoResponse, Response};
use std::sync::Arc;

impl AppState {
    /// The join URL of `token`, as a badge's QR code holds it (`setup::join_url`).
    pub fn join_url(&self, token: &crate::tokens::Token) -> String {
        crate::setup::join_url(&self.public_base, self.join_ca.as_deref(), token)
    }
}

/// Readable by the page: this browser has opened a join link.
const JOINED_COOKIE: &str = "hub_joined";

/// A year: a badge works for the whole term of a congress; revocation is on the hub side.
const COOKIE_MAX_AGE: u32 = 365 * 24 * 3600;

pub(super) async fn join(
    State(state): State<Arc<AppState>>,
    Path(token): Path<String>,
) -> Response {
    match principal(&state, &token) {
        Ok(_) => {
            let cookie = format!(
                "{TOKEN_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={COOKIE_MAX_AGE}"
            );
            // The token cookie is HttpOnly, so the page cannot tell "no badge scanned"
            // from "badge revoked"; this marker, which holds no secret, lets it.
            let joined =
                format!("{JOINED_COOKIE}=1; Path=/; SameSite=Lax; Max-Age={COOKIE_MAX_AGE}");
            // AppendHeaders: two Set-Cookie headers, where an array would keep the last.
            (
                StatusCode::SEE_OTHER,
                AppendHeaders([
                    (SET_COOKIE, cookie),
                    (SET_COOKIE, joined),
                    (LOCATION, "/".to_owned()),
                    (CACHE_CONTROL, "no-store".to_owned()),
                ]),
            )
                .into_response()
        }
        Err(e) if e.status == StatusCode::UNAUTHORIZED => {
            (StatusCode::UNAUTHORIZED, Html(page(BAD_BADGE))).into_response()
        }
        Err(e) => e.into_response(),
    }
}

fn page(body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Phòng họp không giấy</title>\
         <style>body{{font:1.2rem/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}}</style>\
         </head><body>{body}</body></html>"
    )
}

const BAD_BADGE: &str = "<h1>Mã tham gia không hợp lệ</h1>\
    <p>Mã QR trên thẻ này không còn hiệu lực (đã được cấp lại hoặc thu hồi). \
    Vui lòng liên hệ bộ phận thư ký để nhận thẻ mới.</p>\
    <p lang=\"en\">This badge's code is no longer valid (it was replaced or withdrawn). \
    Please ask the secretariat for a new badge.</p>";
