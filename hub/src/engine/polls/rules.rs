//! A poll's definition checked and its rule resolved; ballots checked against the poll;
//! who is eligible and whether the quorum to open is there.

use crate::engine::{clean_text, EngineError, MeetingState};
use protocol::{MajorityBase, ParticipantId, Poll, PollId, PollKind, PollSpec, Preset, Threshold};
use std::collections::HashSet;

/// Most options or candidates a poll may list.
const MAX_OPTIONS: usize = 300;
/// Longest countdown: a day.
const MAX_DURATION_SECS: u32 = 86_400;

/// Checks `spec` against the meeting and turns it into the recorded poll.
pub(super) fn resolve(
    state: &MeetingState,
    id: PollId,
    spec: &PollSpec,
) -> Result<Poll, EngineError> {
    let invalid = |m: &str| Err(EngineError::Invalid(m.to_owned()));
    let title = clean_text("the poll's title", &spec.title, 500, true)?;
    let kind = match &spec.kind {
        PollKind::Motion => PollKind::Motion,
        PollKind::SingleChoice { options } => PollKind::SingleChoice {
            options: clean_options("option", options)?,
        },
        PollKind::MultipleChoice { options, max } => {
            let options = clean_options("option", options)?;
            if *max == 0 || *max as usize > options.len() {
                return invalid("max must be between 1 and the number of options");
            }
            PollKind::MultipleChoice { options, max: *max }
        }
        PollKind::Election { candidates, seats } => {
            let candidates = clean_options("candidate", candidates)?;
            if *seats == 0 || *seats as usize > candidates.len() {
                return invalid("seats must be between 1 and the number of candidates");
            }
            PollKind::Election {
                candidates,
                seats: *seats,
            }
        }
    };
    if let Some(item) = spec.item {
        if state.item(item).is_none() {
            return Err(EngineError::NotFound(format!("no agenda item {item}")));
        }
    }
    if spec.secret && spec.allow_change {
        return invalid(
            "a secret ballot cannot be changed: the hub does not know which ballot is whose",
        );
    }
    if spec.secret && spec.show_running {
        return invalid("a secret poll shows no running tally before it closes");
    }
    if let Some(d) = spec.duration_secs {
        if d == 0 || d > MAX_DURATION_SECS {
            return invalid("the countdown is 1 second to 1 day");
        }
    }
    let eligible = match &spec.eligible {
        None => None,
        Some(list) => {
            let mut seen = HashSet::new();
            for p in list {
                let member = state.participant(*p).is_some_and(|p| p.role.is_member());
                if !member {
                    return Err(EngineError::Invalid(format!(
                        "{p} is not a member of this meeting and cannot vote"
                    )));
                }
                if !seen.insert(*p) {
                    return invalid("a member is listed twice among those eligible");
                }
            }
            if list.is_empty() {
                return invalid("the list of those eligible is empty");
            }
            Some(list.clone())
        }
    };
    let default = match kind {
        PollKind::Election { .. } => Preset::MajorityOfValid,
        _ => Preset::MajorityOfSummoned,
    };
    let (base, threshold) = spec.preset.unwrap_or(default).rule();
    let threshold: Threshold = spec.threshold.unwrap_or(threshold);
    if threshold.share.num == 0 {
        return invalid("a threshold of zero passes everything; use at least 1/1000");
    }
    Ok(Poll {
        id,
        title,
        item: spec.item,
        kind,
        secret: spec.secret,
        base: spec.base.unwrap_or(base),
        threshold,
        quorum: spec.quorum,
        eligible,
        allow_change: spec.allow_change,
        show_running: spec.show_running,
        duration_secs: spec.duration_secs,
        runoff: None,
    })
}

fn clean_options(what: &str, options: &[String]) -> Result<Vec<String>, EngineError> {
    if options.len() < 2 || options.len() > MAX_OPTIONS {
        return Err(EngineError::Invalid(format!(
            "a poll lists 2 to {MAX_OPTIONS} {what}s"
        )));
    }
    let mut out = Vec::with_capacity(options.len());
    for o in options {
        let o = clean_text(what, o, 300, true)?;
        if out.contains(&o) {
            return Err(EngineError::Invalid(format!(
                "{what} '{o}' is listed twice"
            )));
        }
        out.push(o);
    }
    Ok(out)
}

/// Whether `who` may vote in `poll`: a member, and on the list if there is one.
pub(super) fn is_eligible(state: &MeetingState, poll: &Poll, who: ParticipantId) -> bool {
    let member = state.participant(who).is_some_and(|p| p.role.is_member());
    member
        && poll
            .eligible
            .as_ref()
            .is_none_or(|list| list.contains(&who))
}

/// The eligible members, and how many of them are present now.
pub(super) fn eligible_counts(state: &MeetingState, poll: &Poll) -> (u32, u32) {
    let eligible: Vec<ParticipantId> = match &poll.eligible {
        Some(list) => list
            .iter()
            .copied()
            .filter(|p| is_eligible(state, poll, *p))
            .collect(),
        None => state
            .participants
            .iter()
            .filter(|p| p.role.is_member())
            .map(|p| p.id)
            .collect(),
    };
    let present = eligible
        .iter()
        .filter(|p| state.present.contains(p))
        .count();
    (eligible.len() as u32, present as u32)
}

/// Checks a ballot's choices: in range, no option twice, as many as the kind allows.
pub(super) fn check_choices(kind: &PollKind, choices: &[u32]) -> Result<(), EngineError> {
    let options = kind.options().len();
    let (min, max) = kind.choice_bounds();
    if choices.len() > max {
        return Err(EngineError::Invalid(format!(
            "this ballot keeps at most {max} choice(s); it has {}",
            choices.len()
        )));
    }
    if choices.len() < min {
        return Err(EngineError::Invalid(format!(
            "this ballot needs at least {min} choice(s)"
        )));
    }
    let mut seen = HashSet::new();
    for &c in choices {
        if c as usize >= options {
            return Err(EngineError::Invalid(format!(
                "there is no option {c}: the options are 0 to {}",
                options - 1
            )));
        }
        if !seen.insert(c) {
            return Err(EngineError::Invalid(format!("option {c} is chosen twice")));
        }
    }
    Ok(())
}

/// The count the threshold is measured against.
pub(super) fn base_count(base: MajorityBase, valid: u32, present: u32, summoned: u32) -> u32 {
    match base {
        MajorityBase::ValidBallots => valid,
        MajorityBase::Present => present,
        MajorityBase::Summoned => summoned,
    }
}
