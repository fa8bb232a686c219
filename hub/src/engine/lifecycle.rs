//! The meeting's lifecycle: draft → open → in session ⇄ adjourned → closed.

use super::{clean_text, Actor, Decision, EngineError, MeetingState};
use protocol::{Command, EventKind, Fraction, Meeting, MeetingStatus};

pub(super) fn create(actor: &Actor, command: &Command) -> Decision {
    let Command::CreateMeeting {
        title,
        venue,
        starts_at,
        quorum,
    } = command
    else {
        return Err(EngineError::Invalid("not a create_meeting command".into()));
    };
    if *actor != Actor::Office {
        return Err(EngineError::Forbidden(
            "only the hub's secretariat may create a meeting".into(),
        ));
    }
    Ok(vec![EventKind::MeetingCreated {
        title: clean_text("title", title, 500, true)?,
        venue: clean_text("venue", venue, 300, false)?,
        starts_at: *starts_at,
        quorum: checked_quorum(quorum.unwrap_or(Fraction::TWO_THIRDS))?,
    }])
}

pub(super) fn decide(
    state: &MeetingState,
    meeting: &Meeting,
    actor: &Actor,
    command: &Command,
) -> Decision {
    use MeetingStatus::*;
    let status = meeting.status;
    match command {
        Command::UpdateMeeting {
            title,
            venue,
            starts_at,
            quorum,
        } => {
            require(
                actor.is_secretariat(),
                "only the secretariat may change the meeting's details",
            )?;
            let title = match title {
                Some(t) => clean_text("title", t, 500, true)?,
                None => meeting.title.clone(),
            };
            let venue = match venue {
                Some(v) => clean_text("venue", v, 300, false)?,
                None => meeting.venue.clone(),
            };
            let starts_at = starts_at.or(meeting.starts_at);
            let quorum = checked_quorum(quorum.unwrap_or(meeting.quorum))?;
            let unchanged = title == meeting.title
                && venue == meeting.venue
                && starts_at == meeting.starts_at
                && quorum == meeting.quorum;
            if unchanged {
                return Ok(vec![]);
            }
            Ok(vec![EventKind::MeetingUpdated {
                title,
                venue,
                starts_at,
                quorum,
            }])
        }
        Command::OpenMeeting => {
            require(
                actor.runs_meeting(),
                "only the secretariat or the chair may open the meeting",
            )?;
            transition(
                status,
                &[Draft],
                Open,
                "only a meeting in draft can be opened",
            )
        }
        Command::StartSession => {
            require(actor.runs_meeting(), "only the chair may start the session")?;
            transition(
                status,
                &[Open, Adjourned],
                InSession,
                "the session can start only when the meeting is open or adjourned",
            )
        }
        Command::Adjourn => {
            require(
                actor.runs_meeting(),
                "only the chair may adjourn the meeting",
            )?;
            transition(
                status,
                &[InSession],
                Adjourned,
                "only a meeting in session can be adjourned",
            )
        }
        Command::CloseMeeting => {
            require(
                actor.runs_meeting(),
                "only the chair or the secretariat may close the meeting",
            )?;
            let mut events: Vec<EventKind> = state
                .current_item()
                .map(|i| EventKind::AgendaItemFinished { item: i.id })
                .into_iter()
                .collect();
            events.push(EventKind::MeetingStatusChanged { status: Closed });
            Ok(events)
        }
        _ => Err(EngineError::Invalid("not a lifecycle command".into())),
    }
}

pub(super) fn require(allowed: bool, why: &str) -> Result<(), EngineError> {
    if allowed {
        Ok(())
    } else {
        Err(EngineError::Forbidden(why.into()))
    }
}

fn transition(
    from: MeetingStatus,
    allowed_from: &[MeetingStatus],
    to: MeetingStatus,
    why: &str,
) -> Decision {
    if allowed_from.contains(&from) {
        Ok(vec![EventKind::MeetingStatusChanged { status: to }])
    } else {
        Err(EngineError::InvalidState(format!(
            "{why} (it is {})",
            status_name(from)
        )))
    }
}

fn status_name(s: MeetingStatus) -> &'static str {
    match s {
        MeetingStatus::Draft => "in draft",
        MeetingStatus::Open => "open",
        MeetingStatus::InSession => "in session",
        MeetingStatus::Adjourned => "adjourned",
        MeetingStatus::Closed => "closed",
    }
}

fn checked_quorum(q: Fraction) -> Result<Fraction, EngineError> {
    if q.num == 0 {
        return Err(EngineError::Invalid(
            "a quorum of zero means no quorum check; use at least 1/100".into(),
        ));
    }
    Ok(q)
}

#[cfg(test)]
mod tests {
    use crate::engine::testing::*;
    use protocol::{Command, ErrorCode, MeetingStatus};

    #[test]
    fn only_the_office_creates_meetings() {
        let mut m = Hall::new();
        assert_eq!(m.state.status(), Some(MeetingStatus::Draft));
        let create = Command::CreateMeeting {
            title: "x".into(),
            venue: String::new(),
            starts_at: None,
            quorum: None,
        };
        let err = m.run(m.delegate(0), create.clone()).unwrap_err();
        assert_eq!(
            err.code(),
            ErrorCode::Forbidden,
            "a delegate is refused by role, not told the meeting exists"
        );
        let err = m.run(crate::engine::Actor::Office, create).unwrap_err();
        assert_eq!(
            err.code(),
            ErrorCode::InvalidState,
            "a second create by the office is refused"
        );
    }

    #[test]
    fn lifecycle_follows_draft_open_session_adjourned_closed() {
        let mut m = Hall::new();
        let chair = m.chair();
        assert_eq!(
            m.run(chair, Command::StartSession).unwrap_err().code(),
            ErrorCode::InvalidState
        );
        m.run(chair, Command::OpenMeeting).unwrap();
        m.run(chair, Command::StartSession).unwrap();
        assert_eq!(m.state.status(), Some(MeetingStatus::InSession));
        m.run(chair, Command::Adjourn).unwrap();
        assert_eq!(
            m.run(chair, Command::Adjourn).unwrap_err().code(),
            ErrorCode::InvalidState
        );
        m.run(chair, Command::StartSession).unwrap();
        m.run(chair, Command::CloseMeeting).unwrap();
        assert_eq!(m.state.status(), Some(MeetingStatus::Closed));
        let err = m
            .run(
                m.secretariat(),
                Command::AddAgendaItem {
                    title: "late".into(),
                    description: String::new(),
                },
            )
            .unwrap_err();
        assert_eq!(
            err.code(),
            ErrorCode::InvalidState,
            "a closed meeting is frozen"
        );
    }

    #[test]
    fn delegates_and_the_projector_cannot_run_the_meeting() {
        let mut m = Hall::new();
        for actor in [m.delegate(0), m.projector()] {
            for cmd in [
                Command::OpenMeeting,
                Command::StartSession,
                Command::CloseMeeting,
            ] {
                let seq = m.state.seq;
                assert_eq!(m.run(actor, cmd).unwrap_err().code(), ErrorCode::Forbidden);
                assert_eq!(m.state.seq, seq, "a refused command changes nothing");
            }
        }
    }

    #[test]
    fn closing_finishes_the_current_item() {
        let mut m = Hall::in_session();
        let item = m.add_item("Khai mạc");
        m.run(m.chair(), Command::StartAgendaItem { item }).unwrap();
        m.run(m.chair(), Command::CloseMeeting).unwrap();
        assert!(m.state.current_item().is_none());
    }

    #[test]
    fn updating_details_is_the_secretariats_and_a_no_op_emits_nothing() {
        let mut m = Hall::new();
        let upd = |title: &str| Command::UpdateMeeting {
            title: Some(title.into()),
            venue: None,
            starts_at: None,
            quorum: Some("1/2".parse().unwrap()),
        };
        assert_eq!(
            m.run(m.chair(), upd("Hội nghị")).unwrap_err().code(),
            ErrorCode::Forbidden
        );
        assert_eq!(m.run(m.secretariat(), upd("Hội nghị")).unwrap().len(), 1);
        assert_eq!(m.run(m.secretariat(), upd("Hội nghị")).unwrap().len(), 0);
        assert_eq!(m.state.quorum().to_string(), "1/2");
        assert_eq!(
            m.run(m.secretariat(), upd("   ")).unwrap_err().code(),
            ErrorCode::Invalid
        );
    }
}
