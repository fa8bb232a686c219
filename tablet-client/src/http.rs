//! The hub's HTTP side as the native client uses it: `http` or `https` (like the
//! WebSocket, trusting what the join URL says, see [`crate::connector`]), the participant's
//! token as a bearer that hyper never prints, a connect timeout, and no Nagle delay. The
//! document cache and the sealed box's downloads share it.

use crate::connector;
pub(crate) use crate::connector::HttpClient;
use crate::JoinUrl;
use http_body_util::{BodyExt, Empty};
use hyper::header::{HeaderValue, AUTHORIZATION};
use std::time::Duration;

/// A download that receives nothing for this long is treated as dropped.
pub(crate) const STALL: Duration = Duration::from_secs(30);

/// `Bearer TOKEN`, marked sensitive so it never appears in hyper's debug output.
pub(crate) fn bearer(join: &JoinUrl) -> HeaderValue {
    let mut value = HeaderValue::from_str(&format!("Bearer {}", join.token()))
        .expect("a join URL's token is ASCII");
    value.set_sensitive(true);
    value
}

/// Why a small download failed.
#[derive(Debug, thiserror::Error)]
pub enum DownloadError {
    #[error("cannot reach the hub for {url}: {reason}")]
    Unreachable { url: String, reason: String },
    #[error("the hub refused the token (HTTP 401): this badge was revoked or replaced")]
    BadToken,
    #[error("the hub answered HTTP {status} for {url}: {message}")]
    Status {
        url: String,
        status: u16,
        message: String,
    },
    #[error("{url} is larger than the {limit} bytes this client reads")]
    TooLarge { url: String, limit: usize },
    /// TLS refused the hub (see [`crate::ClientError::Untrusted`]).
    #[error("refusing the hub at {url}: {reason}")]
    Untrusted { url: String, reason: String },
}

/// `GET base/path` with the participant's token, the whole body in memory up to `limit`
/// bytes: for a published result or a closed ballot box, not for documents (the cache
/// streams those to disk).
pub async fn get(join: &JoinUrl, path: &str, limit: usize) -> Result<Vec<u8>, DownloadError> {
    let url = join
        .base_url()
        .join(path.trim_start_matches('/'))
        .map_err(|e| DownloadError::Unreachable {
            url: path.to_owned(),
            reason: e.to_string(),
        })?;
    let unreachable = |reason: String| DownloadError::Unreachable {
        url: url.to_string(),
        reason,
    };
    let untrusted = |reason: String| DownloadError::Untrusted {
        url: url.to_string(),
        reason,
    };
    let client = connector::http_client(join.trust()).map_err(untrusted)?;
    let request = hyper::Request::get(url.as_str())
        .header(AUTHORIZATION, bearer(join))
        .body(Empty::new())
        .expect("a GET with valid headers builds");
    let response = tokio::time::timeout(STALL, client.request(request))
        .await
        .map_err(|_| unreachable("no answer".into()))?
        .map_err(|e| match connector::untrusted(&e) {
            Some(reason) => untrusted(reason),
            None => unreachable(e.to_string()),
        })?;
    let status = response.status();
    let mut body = response.into_body();
    let mut bytes = Vec::new();
    loop {
        let frame = match tokio::time::timeout(STALL, body.frame()).await {
            Err(_) => return Err(unreachable("the download stalled".into())),
            Ok(None) => break,
            Ok(Some(Err(e))) => return Err(unreachable(e.to_string())),
            Ok(Some(Ok(frame))) => frame,
        };
        if let Ok(chunk) = frame.into_data() {
            if bytes.len() + chunk.len() > limit {
                return Err(DownloadError::TooLarge {
                    url: url.to_string(),
                    limit,
                });
            }
            bytes.extend_from_slice(&chunk);
        }
    }
    match status.as_u16() {
        200 => Ok(bytes),
        401 => Err(DownloadError::BadToken),
        status => Err(DownloadError::Status {
            url: url.to_string(),
            status,
            message: hub_message(&bytes),
        }),
    }
}

/// The `message` of the hub's JSON error body, else the start of the body.
fn hub_message(body: &[u8]) -> String {
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v["message"].as_str().map(str::to_owned))
        .unwrap_or_else(|| String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned())
}
