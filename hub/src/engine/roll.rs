//! Participants and attendance (điểm danh): who is summoned, who is present, quorum.

use super::lifecycle::require;
use super::{clean_text, Actor, Ctx, Decision, EngineError, MeetingState};
use protocol::{Command, EventKind, Meeting, Participant, ParticipantId};

/// The largest hall the hub is built for: 5,000 members' tablets, with the chairs,
/// secretariat and screens beside them.
pub const MAX_PARTICIPANTS: usize = 5100;

pub(super) fn decide(
    state: &MeetingState,
    meeting: &Meeting,
    actor: &Actor,
    command: &Command,
    ctx: &Ctx,
) -> Decision {
    match command {
        Command::AddParticipant {
            name,
            position,
            unit,
            role,
            seat,
            person,
        } => {
            require(
                actor.is_secretariat(),
                "only the secretariat may summon participants",
            )?;
            // One participant per person: their device enters the meeting as that one.
            if person.is_some() && state.participants.iter().any(|p| p.person == *person) {
                return Err(EngineError::Invalid(
                    "this person is already summoned to the meeting".into(),
                ));
            }
            if state.participants.len() >= MAX_PARTICIPANTS {
                return Err(EngineError::Invalid(format!(
                    "a meeting holds at most {MAX_PARTICIPANTS} participants"
                )));
            }
            let id = ParticipantId(ctx.new_id);
            if state.participant(id).is_some() {
                return Err(EngineError::Invalid("that participant id is taken".into()));
            }
            let participant = Participant {
                id,
                name: clean_text("name", name, 200, true)?,
                position: clean_text("position", position, 300, false)?,
                unit: clean_text("unit", unit, 300, false)?,
                role: *role,
                seat: clean_seat(state, seat.as_deref(), None)?,
                person: *person,
            };
            Ok(vec![EventKind::ParticipantAdded { participant }])
        }
        Command::UpdateParticipant {
            participant,
            name,
            position,
            unit,
            seat,
        } => {
            require(
                actor.is_secretariat(),
                "only the secretariat may change participants",
            )?;
            let old = existing(state, *participant)?;
            let mut new = old.clone();
            if let Some(n) = name {
                new.name = clean_text("name", n, 200, true)?;
            }
            if let Some(p) = position {
                new.position = clean_text("position", p, 300, false)?;
            }
            if let Some(u) = unit {
                new.unit = clean_text("unit", u, 300, false)?;
            }
            if let Some(s) = seat {
                new.seat = clean_seat(state, Some(s), Some(old.id))?;
            }
            if new == *old {
                return Ok(vec![]);
            }
            Ok(vec![EventKind::ParticipantUpdated { participant: new }])
        }
        Command::RemoveParticipant { participant } => {
            require(
                actor.is_secretariat(),
                "only the secretariat may withdraw participants",
            )?;
            existing(state, *participant)?;
            // Checked out first, so every viewer's present count stays right without
            // knowing who was present.
            let mut events = Vec::new();
            if state.present.contains(participant) {
                events.push(EventKind::CheckedOut {
                    participant: Some(*participant),
                });
            }
            events.push(EventKind::ParticipantRemoved {
                participant: *participant,
            });
            Ok(events)
        }
        Command::CheckIn { participant } => {
            require(
                actor.is_secretariat() || *actor == Actor::System,
                "only the secretariat may check a member in by hand",
            )?;
            let p = existing(state, *participant)?;
            if !p.role.is_member() {
                return Err(EngineError::Invalid(format!(
                    "{} is not a member ({}) and is not counted for attendance",
                    p.name, p.role
                )));
            }
            if !meeting.status.admits_check_in() {
                return Err(EngineError::InvalidState(
                    "members can be checked in only once the meeting is open".into(),
                ));
            }
            let again = if *actor == Actor::System {
                &state.arrived
            } else {
                &state.present
            };
            if again.contains(participant) {
                return Ok(vec![]);
            }
            Ok(vec![EventKind::CheckedIn {
                participant: Some(*participant),
            }])
        }
        Command::CheckOut { participant } => {
            require(
                actor.is_secretariat(),
                "only the secretariat may record a member leaving",
            )?;
            existing(state, *participant)?;
            if !state.present.contains(participant) {
                return Ok(vec![]);
            }
            Ok(vec![EventKind::CheckedOut {
                participant: Some(*participant),
            }])
        }
        _ => Err(EngineError::Invalid("not a participant command".into())),
    }
}

fn existing(state: &MeetingState, id: ParticipantId) -> Result<&Participant, EngineError> {
    state
        .participant(id)
        .ok_or_else(|| EngineError::NotFound(format!("no participant {id} in this meeting")))
}

/// A seat is optional, but two people never share one: the seating plan and the badges
/// would disagree with the hall.
fn clean_seat(
    state: &MeetingState,
    seat: Option<&str>,
    owner: Option<ParticipantId>,
) -> Result<Option<String>, EngineError> {
    let Some(seat) = seat else { return Ok(None) };
    let seat = clean_text("seat", seat, 20, false)?;
    if seat.is_empty() {
        return Ok(None);
    }
    if let Some(other) = state
        .participants
        .iter()
        .find(|p| p.seat.as_deref() == Some(seat.as_str()) && Some(p.id) != owner)
    {
        return Err(EngineError::Invalid(format!(
            "seat {seat} is already {}'s",
            other.name
        )));
    }
    Ok(Some(seat))
}

/// Whether `actor` may give `participant` a new token (`replaced`) or withdraw theirs,
/// and what follows: their open connections close, and a withdrawn token stops working. A
/// token is not an event; the new one, if any, is granted with the request.
pub fn change_token(
    state: &MeetingState,
    actor: &Actor,
    participant: ParticipantId,
    replaced: bool,
) -> Result<super::Effects, EngineError> {
    require(
        actor.is_secretariat(),
        "only the secretariat issues and withdraws badges",
    )?;
    if state.participant(participant).is_none() {
        return Err(EngineError::NotFound(
            "no such participant in this meeting".into(),
        ));
    }
    Ok(super::Effects {
        revoke: if replaced { vec![] } else { vec![participant] },
        kick: vec![participant],
        ..Default::default()
    })
}

#[cfg(test)]
mod tests {
    use crate::engine::testing::*;
    use crate::engine::Actor;
    use protocol::{Command, ErrorCode, Role};

    #[test]
    fn members_are_checked_in_once_the_meeting_is_open() {
        let mut m = Hall::new();
        let d = m.delegates[0];
        assert_eq!(
            m.run(Actor::System, Command::CheckIn { participant: d })
                .unwrap_err()
                .code(),
            ErrorCode::InvalidState
        );
        m.run(m.chair(), Command::OpenMeeting).unwrap();
        assert_eq!(
            m.run(Actor::System, Command::CheckIn { participant: d })
                .unwrap()
                .len(),
            1
        );
        assert_eq!(
            m.run(Actor::System, Command::CheckIn { participant: d })
                .unwrap()
                .len(),
            0,
            "twice is once"
        );
        assert_eq!(m.state.present.len(), 1);
    }

    #[test]
    fn quorum_is_two_thirds_of_the_summoned_members_by_default() {
        let mut m = Hall::new();
        m.run(m.chair(), Command::OpenMeeting).unwrap();
        assert_eq!(m.state.summoned(), 10, "nine delegates and the chair");
        let ids: Vec<_> = m.delegates.clone();
        for d in &ids[..6] {
            m.run(Actor::System, Command::CheckIn { participant: *d })
                .unwrap();
        }
        assert!(!m.state.quorum_reached(), "6 of 10 is short of two thirds");
        m.run(
            Actor::System,
            Command::CheckIn {
                participant: ids[6],
            },
        )
        .unwrap();
        assert!(m.state.quorum_reached(), "7 of 10 reaches two thirds");
        m.run(
            m.secretariat(),
            Command::CheckOut {
                participant: ids[6],
            },
        )
        .unwrap();
        assert!(!m.state.quorum_reached());
    }

    #[test]
    fn the_quorum_threshold_is_configurable() {
        let mut m = Hall::new();
        let half = Command::UpdateMeeting {
            title: None,
            venue: None,
            starts_at: None,
            quorum: Some("1/2".parse().unwrap()),
        };
        m.run(m.secretariat(), half).unwrap();
        m.run(m.chair(), Command::OpenMeeting).unwrap();
        let ids: Vec<_> = m.delegates.clone();
        for d in &ids[..5] {
            m.run(Actor::System, Command::CheckIn { participant: *d })
                .unwrap();
        }
        assert!(m.state.quorum_reached(), "5 of 10 reaches one half");
    }

    #[test]
    fn the_projector_and_secretariat_are_not_counted() {
        let mut m = Hall::new();
        m.run(m.chair(), Command::OpenMeeting).unwrap();
        let err = m
            .run(
                Actor::System,
                Command::CheckIn {
                    participant: m.projector_id(),
                },
            )
            .unwrap_err();
        assert_eq!(err.code(), ErrorCode::Invalid);
        assert!(m.state.present.is_empty());
    }

    #[test]
    fn only_the_secretariat_manages_participants() {
        let mut m = Hall::new();
        let add = Command::AddParticipant {
            name: "Lê Văn Mới".into(),
            position: String::new(),
            unit: String::new(),
            role: Role::Delegate,
            seat: Some("B-01".into()),
            person: None,
        };
        assert_eq!(
            m.run(m.chair(), add.clone()).unwrap_err().code(),
            ErrorCode::Forbidden
        );
        assert_eq!(
            m.run(m.delegate(1), add.clone()).unwrap_err().code(),
            ErrorCode::Forbidden
        );
        let d0 = m.delegates[0];
        assert_eq!(
            m.run(m.delegate(1), Command::CheckIn { participant: d0 })
                .unwrap_err()
                .code(),
            ErrorCode::Forbidden
        );
        m.run(m.secretariat(), add.clone()).unwrap();
        assert_eq!(
            m.run(m.secretariat(), add).unwrap_err().code(),
            ErrorCode::Invalid,
            "seat B-01 is taken"
        );
    }

    #[test]
    fn the_hub_checks_a_member_in_only_on_first_arrival() {
        let mut m = Hall::new();
        m.run(m.chair(), Command::OpenMeeting).unwrap();
        let d = m.delegates[0];
        m.run(Actor::System, Command::CheckIn { participant: d })
            .unwrap();
        m.run(m.secretariat(), Command::CheckOut { participant: d })
            .unwrap();
        let again = m
            .run(Actor::System, Command::CheckIn { participant: d })
            .unwrap();
        assert!(
            again.is_empty(),
            "a reconnecting tablet does not undo the check-out"
        );
        assert!(!m.state.present.contains(&d));
        m.run(m.secretariat(), Command::CheckIn { participant: d })
            .unwrap();
        assert!(
            m.state.present.contains(&d),
            "the secretariat can check them in again"
        );
    }

    #[test]
    fn a_withdrawn_participant_leaves_the_count() {
        let mut m = Hall::new();
        m.run(m.chair(), Command::OpenMeeting).unwrap();
        let d = m.delegates[2];
        m.run(Actor::System, Command::CheckIn { participant: d })
            .unwrap();
        let events = m
            .run(
                m.secretariat(),
                Command::RemoveParticipant { participant: d },
            )
            .unwrap();
        assert_eq!(
            events[0].event,
            protocol::EventKind::CheckedOut {
                participant: Some(d)
            },
            "checked out first, so the hall's count follows"
        );
        assert_eq!(m.state.summoned(), 9);
        assert!(m.state.present.is_empty());
        assert_eq!(
            m.run(m.secretariat(), Command::CheckIn { participant: d })
                .unwrap_err()
                .code(),
            ErrorCode::NotFound
        );
    }
}
