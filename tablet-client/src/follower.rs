//! Following a meeting across reconnects: the last sequence number seen, and a check that
//! numbers only ever increase.

use crate::error::ClientError;
use protocol::{Event, HubFrame, Me, MeetingView};

/// What a client has seen of one meeting. Feed it every frame; reconnect with
/// `resume_from: follower.last_seq()`.
#[derive(Clone, Debug, Default)]
pub struct Follower {
    last_seq: u64,
    me: Option<Me>,
    view: Option<MeetingView>,
    events: Vec<Event>,
}

impl Follower {
    /// A follower that has seen nothing.
    pub fn new() -> Self {
        Self::default()
    }

    /// A follower that has seen the meeting up to `seq` (e.g. kept on disk), to resume
    /// from there.
    pub fn resuming_from(seq: u64) -> Self {
        Self {
            last_seq: seq,
            ..Self::default()
        }
    }

    /// The last sequence number seen (0 before any snapshot).
    pub fn last_seq(&self) -> u64 {
        self.last_seq
    }

    /// Who the hub said this client is.
    pub fn me(&self) -> Option<&Me> {
        self.me.as_ref()
    }

    /// The last snapshot's view (not updated by events; the hall's `attendance` and
    /// `people` frames do update it).
    pub fn snapshot_view(&self) -> Option<&MeetingView> {
        self.view.as_ref()
    }

    /// Every event seen since this follower was made, across reconnects, in order.
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// Takes one frame into account. Fails when an event repeats or goes back (a hub bug),
    /// or when a `resumed` does not start where this client left off.
    pub fn observe(&mut self, frame: &HubFrame) -> Result<(), ClientError> {
        match frame {
            HubFrame::Snapshot { seq, me, view, .. } => {
                self.last_seq = *seq;
                self.me = Some(me.clone());
                self.view = Some(view.clone());
            }
            HubFrame::Resumed { from, me, .. } => {
                if *from != self.last_seq {
                    return Err(ClientError::BadFrame(format!(
                        "resumed from {from}, but the last event seen was {}",
                        self.last_seq
                    )));
                }
                self.me = Some(me.clone());
            }
            HubFrame::Event(event) => {
                if event.seq <= self.last_seq {
                    return Err(ClientError::BadFrame(format!(
                        "event {} after event {}: sequence numbers must increase",
                        event.seq, self.last_seq
                    )));
                }
                self.last_seq = event.seq;
                self.events.push(event.clone());
            }
            // Not events: the hall's counters and the people it names (PROTOCOL.md §1.5).
            HubFrame::Attendance {
                summoned,
                present,
                quorum,
                quorum_reached,
            } => {
                if let Some(view) = &mut self.view {
                    view.attendance.summoned = *summoned;
                    view.attendance.present = *present;
                    view.attendance.quorum = *quorum;
                    view.attendance.quorum_reached = *quorum_reached;
                }
            }
            HubFrame::People { participants } => {
                if let Some(view) = &mut self.view {
                    for p in participants {
                        match view.participants.iter_mut().find(|q| q.id == p.id) {
                            Some(known) => *known = p.clone(),
                            None => view.participants.push(p.clone()),
                        }
                    }
                }
            }
            HubFrame::Ack { .. } | HubFrame::Error(_) | HubFrame::Pong | HubFrame::Notes { .. } => {
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::{EventKind, MeetingStatus, Timestamp};

    fn event(seq: u64) -> HubFrame {
        HubFrame::Event(Event {
            seq,
            at: Timestamp(0),
            event: EventKind::MeetingStatusChanged {
                status: MeetingStatus::Open,
            },
        })
    }

    #[test]
    fn events_advance_the_last_seq_and_repeats_are_caught() {
        let mut f = Follower::new();
        f.observe(&event(3)).unwrap();
        f.observe(&event(5)).unwrap();
        assert_eq!(f.last_seq(), 5);
        assert!(f.observe(&event(5)).is_err());
        assert!(f.observe(&event(4)).is_err());
        assert_eq!(f.events().len(), 2);
    }
}
