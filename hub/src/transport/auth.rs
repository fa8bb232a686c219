//! Who is calling: a token from `Authorization: Bearer`, the join cookie, or a `hello`,
//! resolved to a principal and then, for one meeting, to an engine actor.

use super::{ApiError, AppState};
use crate::engine::Actor;
use crate::live::MeetingHandle;
use crate::store::Principal;
use crate::tokens::Token;
use axum::extract::FromRequestParts;
use axum::http::header::{AUTHORIZATION, COOKIE, HOST, ORIGIN};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method};
use protocol::{MeetingId, Role};
use std::sync::Arc;

/// The cookie the join URL sets, so the browser need not carry the token in links.
pub const TOKEN_COOKIE: &str = "hub_token";

const NO_TOKEN: &str =
    "this badge's code is not valid (it was replaced or withdrawn); ask the secretariat for a new badge";

pub(super) fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let token = value.strip_prefix("Bearer ")?;
    Some(token.trim().to_owned())
}

pub(super) fn cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == TOKEN_COOKIE)
        .map(|(_, value)| value.to_owned())
}

/// Resolves token text to whoever it speaks for. Malformed, unknown and revoked tokens all
/// get the same answer, so a guess learns nothing.
pub(super) fn principal(state: &AppState, token: &str) -> Result<Principal, ApiError> {
    let token = Token::parse(token).ok_or_else(|| ApiError::bad_token(NO_TOKEN))?;
    state
        .store
        .grant(&token.hash())
        .map_err(|e| ApiError::internal("token lookup failed", e))?
        .ok_or_else(|| ApiError::bad_token(NO_TOKEN))
}

/// A principal acting in one meeting.
#[derive(Debug)]
pub(super) struct InMeeting {
    pub actor: Actor,
    pub role: Role,
    pub name: String,
    pub handle: Arc<MeetingHandle>,
}

/// The meeting `principal` acts in, loaded if it is a closed one not in memory.
pub(super) async fn in_meeting(
    state: &AppState,
    principal: &Principal,
    meeting: MeetingId,
) -> Result<InMeeting, ApiError> {
    let handle = state
        .meetings
        .get(meeting)
        .await
        .map_err(|e| ApiError::internal("loading a meeting", e))?
        .ok_or_else(|| ApiError::not_found("no such meeting on this hub"))?;
    match principal {
        Principal::Office => Ok(InMeeting {
            actor: Actor::Office,
            role: Role::Secretariat,
            name: "Văn phòng (hub)".into(),
            handle,
        }),
        Principal::Participant {
            meeting: own,
            participant,
        } => {
            if *own != meeting {
                return Err(ApiError::forbidden("this token belongs to another meeting"));
            }
            let found = handle.read(|s| {
                s.participant(*participant)
                    .map(|p| (p.role, p.name.clone()))
            });
            let (role, name) = found.ok_or_else(|| ApiError::bad_token(NO_TOKEN))?;
            Ok(InMeeting {
                actor: Actor::Participant {
                    id: *participant,
                    role,
                },
                role,
                name,
                handle,
            })
        }
        // A person's tablet enters a meeting as the participant it summoned them as.
        Principal::Device { person, .. } => {
            let found = handle.read(|s| {
                s.participants
                    .iter()
                    .find(|p| p.person == Some(*person))
                    .map(|p| (p.id, p.role, p.name.clone()))
            });
            let (id, role, name) = found.ok_or_else(|| {
                ApiError::forbidden(
                    "you are not summoned to this meeting (bạn không được triệu tập)",
                )
            })?;
            Ok(InMeeting {
                actor: Actor::Participant { id, role },
                role,
                name,
                handle,
            })
        }
    }
}

/// Whether `origin` is the hub itself: `http://HOST` or `https://HOST` for the request's
/// own `Host`, or exactly the hub's public base URL. `null` and every other site are not.
pub(super) fn is_own_origin(origin: &str, headers: &HeaderMap, public_base: &str) -> bool {
    let authority = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"))
        .unwrap_or("");
    let host = headers.get(HOST).and_then(|h| h.to_str().ok());
    (!authority.is_empty() && Some(authority) == host) || origin == public_base
}

/// Cross-site request forgery: a page on another site (or on another port of the same
/// host, which `SameSite=Lax` does not stop) can make the browser send a form or a
/// `fetch` with the hub's cookie. A request that changes something and carries only the
/// cookie must therefore say where it comes from, and that must be the hub itself. Every
/// browser sends `Origin` on a POST or DELETE, same-origin ones included; where
/// `Sec-Fetch-Site` is sent (https, localhost) it must be `same-origin` too. Requests
/// with `Authorization: Bearer` cannot be forged by a page and are not checked.
pub(super) fn cookie_request_allowed(
    method: &Method,
    headers: &HeaderMap,
    public_base: &str,
) -> Result<(), ApiError> {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return Ok(());
    }
    let refuse = |why: &str| Err(ApiError::forbidden(why));
    if let Some(site) = headers.get("sec-fetch-site") {
        if site.as_bytes() != b"same-origin" {
            return refuse("requests from other sites may not use the hub's sign-in cookie");
        }
    }
    match headers.get(ORIGIN).map(|o| o.to_str()) {
        Some(Ok(origin)) if is_own_origin(origin, headers, public_base) => Ok(()),
        Some(_) => refuse("requests from other sites may not use the hub's sign-in cookie"),
        None => refuse(
            "a request signed in by cookie must carry Origin; programs send 'Authorization: Bearer TOKEN'",
        ),
    }
}

/// The REST caller, from the bearer token or else the join cookie (a cookie request that
/// changes something must come from the hub's own pages: [`cookie_request_allowed`]).
#[derive(Debug)]
pub(super) struct Caller(pub Principal);

impl FromRequestParts<Arc<AppState>> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, ApiError> {
        let token = match bearer(&parts.headers) {
            Some(token) => token,
            None => {
                let token = cookie(&parts.headers).ok_or_else(|| {
                    ApiError::bad_token("send the token as 'Authorization: Bearer TOKEN'")
                })?;
                cookie_request_allowed(&parts.method, &parts.headers, &state.public_base)?;
                token
            }
        };
        let principal = principal(state, &token)?;
        // Every change a sender asks for over REST spends from the same budget as its
        // WebSocket commands.
        if !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS) {
            state.senders.command(&principal)?;
        }
        Ok(Caller(principal))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn the_token_cookie_is_found_among_others() {
        let mut h = HeaderMap::new();
        h.insert(COOKIE, HeaderValue::from_static("a=1; hub_token=abc; b=2"));
        assert_eq!(cookie(&h).as_deref(), Some("abc"));
        h.insert(AUTHORIZATION, HeaderValue::from_static("Bearer xyz"));
        assert_eq!(bearer(&h).as_deref(), Some("xyz"));
        let empty = HeaderMap::new();
        assert_eq!(cookie(&empty), None);
    }

    fn request(origin: Option<&'static str>, site: Option<&'static str>) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(HOST, HeaderValue::from_static("192.168.1.10:8080"));
        if let Some(o) = origin {
            h.insert(ORIGIN, HeaderValue::from_static(o));
        }
        if let Some(s) = site {
            h.insert("sec-fetch-site", HeaderValue::from_static(s));
        }
        h
    }

    #[test]
    fn a_cookie_may_change_things_only_from_the_hubs_own_pages() {
        let base = "http://192.168.1.10:8080";
        let post = Method::POST;
        let ok = |h: HeaderMap| cookie_request_allowed(&post, &h, base).is_ok();
        assert!(ok(request(Some("http://192.168.1.10:8080"), None)));
        assert!(ok(request(
            Some("http://192.168.1.10:8080"),
            Some("same-origin")
        )));
        assert!(!ok(request(Some("http://evil.example"), None)));
        assert!(
            !ok(request(Some("http://192.168.1.10:9999"), None)),
            "another port"
        );
        assert!(!ok(request(Some("null"), None)));
        assert!(!ok(request(None, None)), "no Origin at all");
        assert!(!ok(request(
            Some("http://192.168.1.10:8080"),
            Some("same-site")
        )));
        let get = request(Some("http://evil.example"), Some("cross-site"));
        assert!(
            cookie_request_allowed(&Method::GET, &get, base).is_ok(),
            "reads are not forgeable writes"
        );
        assert!(cookie_request_allowed(&Method::DELETE, &request(None, None), base).is_err());
    }
}
