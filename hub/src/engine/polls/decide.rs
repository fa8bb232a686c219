//! Poll commands: who may do what, in which state of the poll and the meeting.
//!
//! The chair (and the secretariat, which often drives the console) creates, opens, closes,
//! publishes and cancels, and starts a new round among the tied; the secretariat records
//! counts made by hand (a show of hands or paper for an open poll, the paper ballots of a
//! secret one at the count); the hub itself (`System`) closes a poll whose countdown ran
//! out. Ballots and the committee's shares are in `ballots.rs`.

use super::sealed::SealedPoll;
use super::{rules, tally, PollState, MAX_POLLS};
use crate::engine::lifecycle::require;
use crate::engine::{Actor, Ctx, Decision, EngineError, MeetingState};
use protocol::{
    Command, EventKind, MeetingStatus, PaperCount, PollId, PollKind, PollSpec, PollStatus, Runoff,
    Timestamp,
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
            let sealed = match p.poll.secret {
                true => Some(SealedPoll::open(state, p)?.with),
                false => None,
            };
            let closes_at = p
                .poll
                .duration_secs
                .map(|s| Timestamp(ctx.now.0 + i64::from(s) * 1000));
            Ok(vec![EventKind::PollOpened {
                poll: *poll,
                closes_at,
                eligible,
                sealed,
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
            let Some(sealed) = &p.sealed else {
                let result = tally::count(p, summoned, present);
                return Ok(vec![EventKind::PollClosed {
                    poll: *poll,
                    result: Some(result),
                }]);
            };
            // The box closes with its sum; the committee opens it (an empty box opens itself:
            // its sum reveals nothing).
            let mut events = vec![
                EventKind::PollClosed {
                    poll: *poll,
                    result: None,
                },
                EventKind::SealedBoxClosed {
                    poll: *poll,
                    ballots: sealed.sum.ballots(),
                    fingerprint: sealed.fingerprint(),
                    sum: sealed.sum_json(),
                },
            ];
            if sealed.sum.ballots() == 0 {
                let zeros = vec![0; p.poll.kind.options().len()];
                let mut opened = p.clone();
                if let Some(s) = opened.sealed.as_mut() {
                    s.counts = Some(zeros.clone());
                }
                events.push(EventKind::SealedBoxOpened {
                    poll: *poll,
                    counts: zeros,
                });
                events.push(EventKind::PollCounted {
                    poll: *poll,
                    result: Some(tally::count(&opened, summoned, present)),
                });
            }
            Ok(events)
        }
        Command::PublishPoll { poll } => {
            require(actor.runs_meeting(), "only the chair may publish a result")?;
            let p = existing(state, *poll)?;
            in_status(
                p,
                &[PollStatus::Closed],
                "only a closed poll can be published",
            )?;
            let result = p.result.clone().ok_or_else(|| {
                EngineError::InvalidState(
                    "the poll is not counted yet: the counting committee opens its box first"
                        .into(),
                )
            })?;
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
            match &p.sealed {
                // A secret poll's paper ballots are counted with its box, once closed, and
                // shown to nobody before: with one paper ballot the count would be a vote.
                Some(s) => {
                    in_status(
                        p,
                        &[PollStatus::Closed],
                        "a secret poll's paper ballots are added once it is closed, at the count",
                    )?;
                    // An empty box opened itself at the close; the paper is then the whole
                    // count (a meeting without tablets), counted again below.
                    if s.counts.is_some() && s.sum.ballots() > 0 {
                        return Err(EngineError::InvalidState(
                            "the box is opened and counted: paper ballots are added before the \
                             committee opens it"
                                .into(),
                        ));
                    }
                }
                None => in_status(
                    p,
                    &[PollStatus::Open],
                    "counts by hand are added to an open poll while it is open",
                )?,
            }
            let count = PaperCount {
                valid: *valid,
                invalid: *invalid,
                tallies: tallies.clone(),
            };
            check_paper(p, &count)?;
            let mut events = vec![EventKind::PaperBallotsRecorded {
                poll: *poll,
                count: count.clone(),
            }];
            if p.sealed.as_ref().is_some_and(|s| s.counts.is_some()) {
                let (summoned, present) = rules::eligible_counts(state, &p.poll);
                let mut recounted = p.clone();
                super::add_paper(&mut recounted.paper, &count);
                events.push(EventKind::PollCounted {
                    poll: *poll,
                    result: Some(tally::count(&recounted, summoned, present)),
                });
            }
            Ok(events)
        }
        Command::GiveDecryptionShare { poll, share } => {
            super::ballots::decide_share(state, actor, *poll, share)
        }
        Command::StartRunoff { poll } => runoff(state, actor, *poll, ctx),
        _ => Err(EngineError::Invalid("not a poll command".into())),
    }
}

/// Bầu lại: a new round among the options tied for the last seats, for the seats left,
/// created and opened at once with the first round's rules.
fn runoff(state: &MeetingState, actor: &Actor, poll: PollId, ctx: &Ctx) -> Decision {
    require(actor.runs_meeting(), "only the chair starts a new round")?;
    let p = existing(state, poll)?;
    let result = p
        .result
        .as_ref()
        .filter(|r| !r.tied.is_empty())
        .ok_or_else(|| {
            EngineError::InvalidState("a new round is for options tied in a counted poll".into())
        })?;
    let options = p.poll.kind.options();
    let tied: Vec<String> = result
        .tied
        .iter()
        .filter_map(|&i| options.get(i as usize).cloned())
        .collect();
    let elected = result.elected.len() as u32;
    let kind = match &p.poll.kind {
        PollKind::Election { seats, .. } => PollKind::Election {
            candidates: tied,
            seats: seats.saturating_sub(elected).max(1),
        },
        PollKind::MultipleChoice { max, .. } => PollKind::MultipleChoice {
            options: tied,
            max: max.saturating_sub(elected).max(1),
        },
        _ => PollKind::SingleChoice { options: tied },
    };
    let round = p.poll.runoff.map_or(2, |r| r.round + 1);
    let first = p.poll.runoff.map_or(poll, |r| r.of);
    let spec = PollSpec {
        title: format!("{} (bầu lại lần {})", base_title(&p.poll.title), round - 1),
        item: p.poll.item,
        kind,
        secret: p.poll.secret,
        preset: None,
        base: Some(p.poll.base),
        threshold: Some(p.poll.threshold),
        quorum: p.poll.quorum,
        eligible: p.poll.eligible.clone(),
        allow_change: p.poll.allow_change,
        show_running: p.poll.show_running,
        duration_secs: p.poll.duration_secs,
    };
    let id = PollId(ctx.new_id);
    let mut created = rules::resolve(state, id, &spec)?;
    created.runoff = Some(Runoff { of: first, round });
    // Opened against the state as if the new poll existed, so it is checked as usual.
    let mut with_poll = state.clone();
    with_poll.polls.apply(&EventKind::PollCreated {
        poll: created.clone(),
        view: None,
    });
    let opened = decide(&with_poll, actor, &Command::OpenPoll { poll: id }, ctx)?;
    let mut events = vec![EventKind::PollCreated {
        poll: created,
        view: None,
    }];
    events.extend(opened);
    Ok(events)
}

/// A title without an earlier round's suffix.
fn base_title(title: &str) -> &str {
    title.split(" (bầu lại lần ").next().unwrap_or(title)
}

/// Paper counts must be possible ballots, and never more than the eligible members left.
pub(super) fn check_paper(p: &PollState, count: &PaperCount) -> Result<(), EngineError> {
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

pub(super) fn existing(state: &MeetingState, id: PollId) -> Result<&PollState, EngineError> {
    state
        .polls
        .get(id)
        .ok_or_else(|| EngineError::NotFound(format!("no poll {id} in this meeting")))
}

pub(super) fn in_status(
    p: &PollState,
    allowed: &[PollStatus],
    why: &str,
) -> Result<(), EngineError> {
    if allowed.contains(&p.status) {
        Ok(())
    } else {
        Err(EngineError::InvalidState(format!(
            "{why} (it is {:?})",
            p.status
        )))
    }
}
