//! REST errors: a status and a JSON body `{code, message}` the client can act on. Server
//! faults say only that something failed; the details go to the log.

use crate::live::Refused;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use protocol::ErrorCode;
use serde::Serialize;

/// One line of an import that could not be taken.
#[derive(Clone, Debug, Serialize)]
pub struct LineError {
    pub line: u64,
    pub message: String,
}

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: ErrorCode,
    pub message: String,
    pub errors: Vec<LineError>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            errors: Vec::new(),
        }
    }
    pub fn bad_token(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, ErrorCode::BadToken, message)
    }
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, ErrorCode::Forbidden, message)
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, message)
    }
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::Invalid,
            message,
        )
    }
    pub fn internal(context: &str, error: impl std::fmt::Display) -> Self {
        tracing::error!(%error, "{context}");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::Internal,
            "the hub failed to do this; it has been logged",
        )
    }
}

impl From<Refused> for ApiError {
    fn from(r: Refused) -> Self {
        let status = match r.code {
            ErrorCode::Forbidden | ErrorCode::Quota => StatusCode::FORBIDDEN,
            ErrorCode::NotFound => StatusCode::NOT_FOUND,
            ErrorCode::InvalidState => StatusCode::CONFLICT,
            ErrorCode::BadToken => StatusCode::UNAUTHORIZED,
            ErrorCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::Busy | ErrorCode::ShuttingDown => StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::UNPROCESSABLE_ENTITY,
        };
        ApiError::new(status, r.code, r.message)
    }
}

#[derive(Serialize)]
struct Body<'a> {
    code: ErrorCode,
    message: &'a str,
    #[serde(skip_serializing_if = "<[LineError]>::is_empty")]
    errors: &'a [LineError],
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Body {
            code: self.code,
            message: &self.message,
            errors: &self.errors,
        };
        (self.status, Json(body)).into_response()
    }
}

/// Gives axum's own refusals (a malformed id in the path, a body over the limit, a wrong
/// method) the same JSON body as the hub's, so every client parses one error shape.
pub(super) async fn json_errors(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    // JSON is already the hub's shape; an HTML page (the badge that no longer works) is
    // meant for a person with a browser and goes out as it is.
    let deliberate = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .is_some_and(|v| {
            let v = v.as_bytes();
            v.starts_with(b"application/json") || v.starts_with(b"text/html")
        });
    let upgraded = status == StatusCode::SWITCHING_PROTOCOLS;
    if deliberate || upgraded || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let (code, message) = match status {
        StatusCode::PAYLOAD_TOO_LARGE => (
            ErrorCode::FrameTooLarge,
            "the request body is larger than the hub accepts".to_owned(),
        ),
        StatusCode::METHOD_NOT_ALLOWED => (
            ErrorCode::NotFound,
            "this route does not take that method".to_owned(),
        ),
        StatusCode::NOT_FOUND => (ErrorCode::NotFound, "no such route".to_owned()),
        s if s.is_server_error() => (
            ErrorCode::Internal,
            "the hub failed to do this; it has been logged".to_owned(),
        ),
        _ => {
            let body = axum::body::to_bytes(response.into_body(), 4096)
                .await
                .unwrap_or_default();
            let text = String::from_utf8_lossy(&body).trim().to_owned();
            let message = if text.is_empty() {
                "the request is malformed".to_owned()
            } else {
                text
            };
            return ApiError::new(status, ErrorCode::BadFrame, message).into_response();
        }
    };
    ApiError::new(status, code, message).into_response()
}
