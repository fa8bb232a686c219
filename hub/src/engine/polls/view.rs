//! What each viewer sees of the polls, in snapshots and in events.
//!
//! - Everyone sees every poll, its status and its turnout (ballots in / eligible).
//! - The chair and the secretariat see who has voted and an open poll's running tally;
//!   the hall (delegates, projector) sees the running tally only where the poll allows it
//!   (`show_running`), and a delegate sees their own ballot. Nobody sees a running tally
//!   of a secret poll: before the close there is only the turnout.
//! - The result goes to the chair and the secretariat at the close and to the hall once
//!   published, with a secret poll's ballots by receipt.

use super::PollState;
use crate::engine::{MeetingState, Viewer};
use protocol::{Event, EventKind, ParticipantId, PollStatus, PollView};
use std::borrow::Cow;

impl MeetingState {
    /// Every poll, filtered for `viewer`.
    pub fn poll_views(&self, viewer: Viewer) -> Vec<PollView> {
        self.polls.all().iter().map(|p| view(p, viewer)).collect()
    }
}

fn view(p: &PollState, viewer: Viewer) -> PollView {
    let (full, me) = match viewer {
        Viewer::Full => (true, None),
        Viewer::Hall { me, .. } => (false, me),
    };
    let counted = matches!(p.status, PollStatus::Closed | PollStatus::Published);
    let published = p.status == PollStatus::Published;
    let running_allowed = !p.poll.secret && (full || p.poll.show_running);
    let tallies = if counted && (full || published) {
        p.result.as_ref().map(|r| r.tallies.clone())
    } else if p.status == PollStatus::Open && running_allowed {
        Some(p.running())
    } else {
        None
    };
    let mine = me.and_then(|id| p.voters.get(&id));
    PollView {
        poll: p.poll.clone(),
        status: p.status,
        options: p.poll.kind.options(),
        choices: p.poll.kind.choices(),
        closes_at: p.closes_at,
        ballots_in: p.ballots_in(),
        eligible: p.eligible,
        tallies,
        voted: mine.is_some(),
        my_choices: mine.and_then(|v| v.choices.clone()),
        voters: full.then(|| sorted(p.voters.keys().copied())),
        result: if full || published {
            p.result.clone()
        } else {
            None
        },
        receipts: (published && p.poll.secret).then(|| p.receipts()),
        sealed: p.sealed.as_ref().map(|s| s.with.clone()),
        sealed_box: p.sealed.as_ref().and_then(|s| s.view(full || published)),
    }
}

fn sorted(ids: impl Iterator<Item = ParticipantId>) -> Vec<ParticipantId> {
    let mut v: Vec<_> = ids.collect();
    v.sort();
    v
}

/// A poll event as `viewer` may see it; `None` when it is not a poll event.
pub(crate) fn redact<'a>(viewer: &Viewer, event: &'a Event) -> Option<Cow<'a, Event>> {
    let hall_me = match viewer {
        Viewer::Full => None,
        Viewer::Hall { me, .. } => Some(*me),
    };
    match &event.event {
        // The new poll's view goes with it, so a client need not build one by the hub's rules.
        EventKind::PollCreated { poll, .. } => Some(Cow::Owned(Event {
            event: EventKind::PollCreated {
                poll: poll.clone(),
                view: Some(Box::new(view(&PollState::new(poll.clone()), *viewer))),
            },
            ..event.clone()
        })),
        EventKind::BallotCast {
            poll,
            voter,
            choices,
            proxy,
            shown,
            ..
        } => {
            let (voter, choices) = match hall_me {
                None => (*voter, choices.clone()),
                Some(me) => {
                    let own = voter.is_some() && *voter == me;
                    let voter = if own { *voter } else { None };
                    let choices = if own || *shown { choices.clone() } else { None };
                    (voter, choices)
                }
            };
            Some(Cow::Owned(Event {
                event: EventKind::BallotCast {
                    poll: *poll,
                    voter,
                    choices,
                    proxy: *proxy,
                    shown: *shown,
                },
                ..event.clone()
            }))
        }
        EventKind::PollClosed { poll, .. } if hall_me.is_some() => Some(Cow::Owned(Event {
            event: EventKind::PollClosed {
                poll: *poll,
                result: None,
            },
            ..event.clone()
        })),
        _ => None,
    }
}
