//! Summoning participants with their tokens, shared by the REST API, `hub import` and
//! `hub demo`: each new participant gets a fresh id and token, granted in the same atomic
//! write as the event that adds them.

use crate::engine::{self, Actor, Ctx, EngineError, MeetingState};
use crate::live::Request;
use crate::store::Principal;
use crate::tokens::Token;
use protocol::{Command, MeetingId, ParticipantId, Timestamp};
use uuid::Uuid;

/// A participant about to be added, and the token that will be theirs.
#[derive(Debug)]
pub struct Summons {
    pub participant: ParticipantId,
    pub token: Token,
}

/// Adds `add_participant` steps to `request`, each with a fresh id and a granted token.
pub fn summon(request: &mut Request, meeting: MeetingId, commands: Vec<Command>) -> Vec<Summons> {
    commands
        .into_iter()
        .map(|command| {
            let id = Uuid::new_v4();
            let participant = ParticipantId(id);
            let token = Token::generate();
            request.steps.push((command, id));
            request.grants.push((
                token.clone(),
                Principal::Participant {
                    meeting,
                    participant,
                },
            ));
            Summons { participant, token }
        })
        .collect()
}

/// Runs `steps` against a copy of `state` and returns every refusal with the index of the
/// step that caused it, so an import can report all bad rows at once and change nothing.
pub fn dry_run(
    state: &MeetingState,
    actor: &Actor,
    steps: &[(Command, Uuid)],
) -> Vec<(usize, EngineError)> {
    let mut scratch = state.clone();
    let mut refusals = Vec::new();
    for (n, (command, new_id)) in steps.iter().enumerate() {
        let ctx = Ctx::new(Timestamp(0), *new_id);
        if let Err(e) = engine::execute(&mut scratch, actor, command, &ctx) {
            refusals.push((n, e));
        }
    }
    refusals
}

/// The join URL printed on a badge and held in its QR code. With the hub's own CA, `ca`
/// is its SHA-256 ([`crate::tls::HallTls::ca_pin`]): the native tablet trusts that CA
/// only; a browser ignores it.
pub fn join_url(public_base: &str, ca: Option<&str>, token: &Token) -> String {
    match ca {
        Some(pin) => format!("{public_base}/j/{}?ca={pin}", token.as_str()),
        None => format!("{public_base}/j/{}", token.as_str()),
    }
}
