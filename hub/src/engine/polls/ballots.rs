//! Ballots and the opening of a sealed box: who may vote, once, in which poll, and which
//! committee member may give a share.
//!
//! A member votes for themselves; the secretariat records an open poll's ballot for a
//! member without a device; the projector never votes. A secret poll's ballot comes
//! encrypted from the voter's device (`cast_sealed_ballot`), its proofs checked by the
//! transport: the engine records that the member voted and drops the ballot, apart, into
//! the box. Nobody votes for another in a secret poll.

use super::decide::{existing, in_status};
use super::sealed::sealed_ballot;
use super::{rules, tally, PollState};
use crate::engine::{Actor, Ctx, Decided, Decision, EngineError, MeetingState};
use protocol::{Command, EventKind, ParticipantId, PollId, PollStatus, Role, Sealed};

/// A ballot: the record that its voter voted, and for a secret poll the sealed ballot,
/// which leaves the engine apart from the event.
pub(in crate::engine) fn decide_ballot(
    state: &MeetingState,
    actor: &Actor,
    command: &Command,
    ctx: &Ctx,
) -> Result<Decided, EngineError> {
    match command {
        Command::CastBallot {
            poll,
            choices,
            on_behalf_of,
        } => open_ballot(state, actor, *poll, choices, *on_behalf_of),
        Command::CastSealedBallot { poll, ballot } => sealed(state, actor, *poll, ballot, ctx),
        _ => Err(EngineError::Invalid("not a ballot".into())),
    }
}

/// Who a ballot is for: the member themselves, or (open polls) a member the secretariat
/// records it for.
fn voter(
    actor: &Actor,
    on_behalf_of: Option<ParticipantId>,
) -> Result<(ParticipantId, bool), EngineError> {
    match (actor, on_behalf_of) {
        (Actor::Participant { id, role }, who) if role.is_member() => {
            if who.is_some_and(|w| w != *id) {
                return Err(EngineError::Forbidden(
                    "a delegate votes only for themselves".into(),
                ));
            }
            Ok((*id, false))
        }
        (a, Some(who)) if a.is_secretariat() => Ok((who, true)),
        (
            Actor::Participant {
                role: Role::Projector,
                ..
            },
            _,
        ) => Err(EngineError::Forbidden("the projector does not vote".into())),
        _ => Err(EngineError::Forbidden(
            "only members vote; the secretariat records a ballot on_behalf_of a member".into(),
        )),
    }
}

/// The checks every ballot passes: the poll is open, the member may vote in it and is in
/// the hall, and there is room for one more ballot.
fn may_vote(
    state: &MeetingState,
    poll: PollId,
    voter: ParticipantId,
) -> Result<&PollState, EngineError> {
    let p = existing(state, poll)?;
    in_status(p, &[PollStatus::Open], "the poll is not open")?;
    if !rules::is_eligible(state, &p.poll, voter) {
        return Err(EngineError::Forbidden(
            "this member is not eligible in this poll".into(),
        ));
    }
    if !state.present.contains(&voter) {
        return Err(EngineError::InvalidState(
            "a member votes once checked in; ask the secretariat".into(),
        ));
    }
    if p.ballots_in() >= p.eligible && !p.voters.contains_key(&voter) {
        return Err(EngineError::InvalidState(
            "every eligible ballot is in (counts by hand included)".into(),
        ));
    }
    Ok(p)
}

fn open_ballot(
    state: &MeetingState,
    actor: &Actor,
    poll: PollId,
    choices: &[u32],
    on_behalf_of: Option<ParticipantId>,
) -> Result<Decided, EngineError> {
    let (voter, proxy) = voter(actor, on_behalf_of)?;
    let p = may_vote(state, poll, voter)?;
    if p.poll.secret {
        return Err(EngineError::Invalid(if proxy {
            "nobody may vote for a member in a secret poll; the committee adds paper ballots at the count"
        } else {
            "this poll is secret: the tablet encrypts the ballot and sends cast_sealed_ballot"
        }
        .into()));
    }
    rules::check_choices(&p.poll.kind, choices)?;
    if let Some(before) = p.voters.get(&voter) {
        if !p.poll.allow_change {
            return Err(EngineError::InvalidState(
                "a ballot is already recorded, and this poll does not allow changing it".into(),
            ));
        }
        if before.choices.as_deref() == Some(choices) {
            return Ok(Decided::default());
        }
    }
    Ok(Decided {
        events: vec![EventKind::BallotCast {
            poll,
            voter: Some(voter),
            choices: Some(choices.to_vec()),
            proxy,
            shown: p.poll.show_running,
        }],
        ballot: None,
    })
}

fn sealed(
    state: &MeetingState,
    actor: &Actor,
    poll: PollId,
    json: &Sealed,
    ctx: &Ctx,
) -> Result<Decided, EngineError> {
    let (voter, proxy) = voter(actor, None)?;
    let p = may_vote(state, poll, voter)?;
    let sealed = p.sealed.as_ref().ok_or_else(|| {
        EngineError::Invalid("this poll is open, not secret: send cast_ballot".into())
    })?;
    if p.voters.contains_key(&voter) {
        return Err(EngineError::InvalidState(
            "a ballot is already recorded: a secret ballot cannot be changed".into(),
        ));
    }
    let verified = ctx
        .ballot
        .as_ref()
        .ok_or_else(|| EngineError::Invalid("the ballot's proofs were not checked".into()))?;
    sealed.admit(verified)?;
    Ok(Decided {
        events: vec![EventKind::BallotCast {
            poll,
            voter: Some(voter),
            choices: None,
            proxy,
            shown: false,
        }],
        ballot: Some(sealed_ballot(poll, verified, json)),
    })
}

/// A committee member's decryption share of a closed box; with the threshold reached, the
/// box is opened (as a sum) and the poll counted, paper ballots included.
pub(super) fn decide_share(
    state: &MeetingState,
    actor: &Actor,
    poll: PollId,
    share: &Sealed,
) -> Decision {
    let Actor::Participant { id: member, .. } = actor else {
        return Err(EngineError::Forbidden(
            "only a member of the counting committee gives a share".into(),
        ));
    };
    let p = existing(state, poll)?;
    let sealed = p
        .sealed
        .as_ref()
        .ok_or_else(|| EngineError::Invalid("this poll is not secret: it has no box".into()))?;
    in_status(
        p,
        &[PollStatus::Closed],
        "the box is opened once the poll is closed",
    )?;
    if sealed.counts.is_some() {
        return Err(EngineError::InvalidState(
            "the box is opened already".into(),
        ));
    }
    let (_, verified) = sealed.check_share(*member, share)?;
    let mut events = vec![EventKind::DecryptionShareGiven {
        poll,
        member: *member,
        share: share.clone(),
    }];
    if let Some(counts) = sealed.try_open(&verified)? {
        let mut opened = p.clone();
        if let Some(s) = opened.sealed.as_mut() {
            s.counts = Some(counts.clone());
        }
        let (summoned, present) = rules::eligible_counts(state, &p.poll);
        events.push(EventKind::SealedBoxOpened { poll, counts });
        events.push(EventKind::PollCounted {
            poll,
            result: Some(tally::count(&opened, summoned, present)),
        });
    }
    Ok(events)
}
