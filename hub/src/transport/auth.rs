//! Who is calling: a token from `Authorization: Bearer`, the join cookie, or a `hello`,
//! resolved to a principal and then, for one meeting, to an engine actor.

use super::{ApiError, AppState};
use crate::engine::Actor;
use crate::live::MeetingHandle;
use crate::store::Principal;
use crate::tokens::Token;
use axum::extract::FromRequestParts;
use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::http::request::Parts;
use axum::http::HeaderMap;
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

pub(super) fn in_meeting(
    state: &AppState,
    principal: &Principal,
    meeting: MeetingId,
) -> Result<InMeeting, ApiError> {
    let handle = state
        .meetings
        .get(meeting)
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
    }
}

/// The REST caller, from the bearer token or else the join cookie.
#[derive(Debug)]
pub(super) struct Caller(pub Principal);

impl FromRequestParts<Arc<AppState>> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, ApiError> {
        let token = bearer(&parts.headers)
            .or_else(|| cookie(&parts.headers))
            .ok_or_else(|| {
                ApiError::bad_token("send the token as 'Authorization: Bearer TOKEN'")
            })?;
        principal(state, &token).map(Caller)
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
}
