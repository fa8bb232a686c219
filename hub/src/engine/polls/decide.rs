//! Poll commands: who may do what, in which state of the poll and the meeting.
//!
//! The chair (and the secretariat, which often drives the console) creates, opens, closes,
//! publishes and cancels; members vote for themselves; the secretariat records an open
//! poll's ballot for a member without a device, or a secret poll's paper counts; the
//! projector never votes. The hub itself (`System`) closes a poll whose countdown ran out.

use super::{receipt_from, rules, tally, PollState, MAX_POLLS};
use crate::engine::lifecycle::require;
use crate::engine::{Actor, Ctx, Decided, Decision, EngineError, MeetingState, SealedBallot};
use protocol::{
    Command, EventKind, MeetingStatus, PaperCount, PollId, PollStatus, ReceiptLine, Role, Timestamp,
};

pub(in crate::engine) fn decide(
    state: &MeetingState,
    actor: &Actor,
    command: &Command,
    ctx: &Ctx,
) -> Decision {
    match command {
        Command::CreatePoll { poll } => {
            require(
                actor.runs_meeting(),
                "only the chair or the secretariat may prepare a poll",
            )?;
            if state.polls.all().len() >= MAX_POLLS {
                return Err(EngineError::Invalid(format!(
                    "a meeting holds at most {MAX_POLLS} polls"
                )));
            }
            let id = PollId(ctx.new_id);
            if state.polls.get(id).is_some() {
                return Err(EngineError::Invalid("that poll id is taken".into()));
            }
            let poll = rules::resolve(state, id, poll)?;
            Ok(vec![EventKind::PollCreated { poll, view: None }])
        }
        Command::OpenPoll { poll } => {
            require(actor.runs_meeting(), "only the chair may open a poll")?;
            let p = existing(state, *poll)?;
            in_status(
                p,
                &[PollStatus::Draft],
                "only a poll in draft can be opened",
            )?;
            if state.status() != Some(MeetingStatus::InSession) {
                return Err(EngineError::InvalidState(
                    "a poll opens only while the meeting is in session".into(),
                ));
            }
            let (eligible, present) = rules::eligible_counts(state, &p.poll);
            let quorum = p.poll.quorum.unwrap_or(state.quorum());
            if quorum.num > 0 && !quorum.reached_by(u64::from(present), u64::from(eligible)) {
                return Err(EngineError::InvalidState(format!(
                    "no quorum: {present} of {eligible} eligible members are present, {quorum} are needed"
                )));
            }
            let closes_at = p
                .poll
                .duration_secs
                .map(|s| Timestamp(ctx.now.0 + i64::from(s) * 1000));
            Ok(vec![EventKind::PollOpened {
                poll: *poll,
                closes_at,
                eligible,
            }])
        }
        Command::ClosePoll { poll } => {
            let p = existing(state, *poll)?;
            let timer_ran_out = *actor == Actor::System
                && p.closes_at.is_some_and(|t| t <= ctx.now)
                && p.status == PollStatus::Open;
            require(
                actor.runs_meeting() || timer_ran_out,
                "only the chair may close a poll",
            )?;
            in_status(p, &[PollStatus::Open], "only an open poll can be closed")?;
            let (summoned, present) = rules::eligible_counts(state, &p.poll);
            let result = tally::count(p, summoned, present);
            Ok(vec![EventKind::PollClosed {
                poll: *poll,
                result: Some(result),
            }])
        }
        Command::PublishPoll { poll } => {
            require(actor.runs_meeting(), "only the chair may publish a result")?;
            let p = existing(state, *poll)?;
            in_status(
                p,
                &[PollStatus::Closed],
                "only a closed poll can be published",
            )?;
            let result = p
                .result
                .clone()
                .ok_or_else(|| EngineError::InvalidState("the poll has no result".into()))?;
            Ok(vec![EventKind::PollPublished {
                poll: *poll,
                result,
                receipts: p.poll.secret.then(|| p.receipts()),
            }])
        }
        Command::CancelPoll { poll } => {
            require(actor.runs_meeting(), "only the chair may cancel a poll")?;
            let p = existing(state, *poll)?;
            use PollStatus::*;
            in_status(
                p,
                &[Draft, Open, Closed],
                "a published poll cannot be cancelled",
            )?;
            Ok(vec![EventKind::PollCancelled { poll: *poll }])
        }
        Command::RecordPaperBallots {
            poll,
            valid,
            invalid,
            tallies,
        } => {
            require(
                actor.is_secretariat(),
                "only the secretariat records paper ballots",
            )?;
            let p = existing(state, *poll)?;
            if !p.poll.secret {
                return Err(EngineError::Invalid(
                    "paper ballots are for secret polls; record an open poll's ballot on the member's behalf".into(),
                ));
            }
            in_status(
                p,
                &[PollStatus::Open],
                "paper ballots are added while the poll is open",
            )?;
            let count = PaperCount {
                valid: *valid,
                invalid: *invalid,
                tallies: tallies.clone(),
            };
            check_paper(p, &count)?;
            Ok(vec![EventKind::PaperBallotsRecorded { poll: *poll, count }])
        }
        _ => Err(EngineError::Invalid("not a poll command".into())),
    }
}

/// A ballot: the record that its voter voted, and for a secret poll the ballot itself,
/// which leaves the engine apart from the event.
pub(in crate::engine) fn decide_ballot(
    state: &MeetingState,
    actor: &Actor,
    command: &Command,
    ctx: &Ctx,
) -> Result<Decided, EngineError> {
    let Command::CastBallot {
        poll,
        choices,
        on_behalf_of,
    } = command
    else {
        return Err(EngineError::Invalid("not a ballot".into()));
    };
    let (poll, on_behalf_of) = (*poll, *on_behalf_of);
    let (voter, proxy) = match (actor, on_behalf_of) {
        (Actor::Participant { id, role }, who) if role.is_member() => {
            if who.is_some_and(|w| w != *id) {
                return Err(EngineError::Forbidden(
                    "a delegate votes only for themselves".into(),
                ));
            }
            (*id, false)
        }
        (a, Some(who)) if a.is_secretariat() => (who, true),
        (
            Actor::Participant {
                role: Role::Projector,
                ..
            },
            _,
        ) => return Err(EngineError::Forbidden("the projector does not vote".into())),
        _ => {
            return Err(EngineError::Forbidden(
                "only members vote; the secretariat records a ballot on_behalf_of a member".into(),
            ))
        }
    };
    let p = existing(state, poll)?;
    in_status(p, &[PollStatus::Open], "the poll is not open")?;
    if proxy && p.poll.secret {
        return Err(EngineError::Invalid(
            "nobody may vote for a member in a secret poll; add paper ballots instead".into(),
        ));
    }
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
    if p.ballots_in() >= p.eligible && !p.voters.contains_key(&voter) {
        return Err(EngineError::InvalidState(
            "every eligible ballot is in (paper ballots included)".into(),
        ));
    }
    let ballot = if p.poll.secret {
        let receipt = receipt_from(ctx.new_id);
        if p.sealed.contains_key(&receipt) {
            return Err(EngineError::Invalid(
                "the receipt drawn is taken; send the ballot again with a new id".into(),
            ));
        }
        Some(SealedBallot {
            poll,
            line: ReceiptLine {
                receipt,
                choices: choices.to_vec(),
            },
        })
    } else {
        None
    };
    Ok(Decided {
        events: vec![EventKind::BallotCast {
            poll,
            voter: Some(voter),
            choices: (!p.poll.secret).then(|| choices.to_vec()),
            proxy,
            shown: p.poll.show_running,
        }],
        ballot,
    })
}

/// Paper counts must be possible ballots, and never more than the eligible members left.
fn check_paper(p: &PollState, count: &PaperCount) -> Result<(), EngineError> {
    let invalid = |m: String| Err(EngineError::Invalid(m));
    let options = p.poll.kind.options().len();
    if count.tallies.len() != options {
        return invalid(format!("give one count per option: {options} numbers"));
    }
    let (min, max) = p.poll.kind.choice_bounds();
    let sum: u64 = count.tallies.iter().map(|&t| u64::from(t)).sum();
    let valid = u64::from(count.valid);
    if count.tallies.iter().any(|&t| t > count.valid) {
        return invalid("an option has more votes than there are valid ballots".into());
    }
    if sum < valid * min as u64 || sum > valid * max as u64 {
        return invalid(format!(
            "{} valid ballots hold between {} and {} choices; the counts add up to {sum}",
            count.valid,
            valid * min as u64,
            valid * max as u64
        ));
    }
    let total = u64::from(p.ballots_in()) + valid + u64::from(count.invalid);
    if total > u64::from(p.eligible) {
        return invalid(format!(
            "that makes {total} ballots for {} eligible members",
            p.eligible
        ));
    }
    Ok(())
}

fn existing(state: &MeetingState, id: PollId) -> Result<&PollState, EngineError> {
    state
        .polls
        .get(id)
        .ok_or_else(|| EngineError::NotFound(format!("no poll {id} in this meeting")))
}

fn in_status(p: &PollState, allowed: &[PollStatus], why: &str) -> Result<(), EngineError> {
    if allowed.contains(&p.status) {
        Ok(())
    } else {
        Err(EngineError::InvalidState(format!(
            "{why} (it is {:?})",
            p.status
        )))
    }
}
