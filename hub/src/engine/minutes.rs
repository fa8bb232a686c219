//! What the secretariat adds for the minutes (biên bản): the header's details, each agenda
//! item's conclusion, free text and the reasons members gave for their absence. The
//! `minutes` part of `MeetingState`, folded from its events like every other part.
//!
//! Text is checked with the record crate's own rules (`::record::text::check_line`,
//! `check_free_text`: length, no control characters, no line break in a line), so what
//! the desk stores can always be drawn in a PDF and a DOCX. These commands are the only
//! ones a closed meeting still takes: minutes are finished after the meeting, and every
//! change is one more event of the hash-chained log.

use super::lifecycle::require;
use super::{Actor, Decision, EngineError, MeetingState, Viewer};
use protocol::{
    AbsenceReason, AgendaItemId, Command, Conclusion, Event, EventKind, MinutesDetails,
    ParticipantId, RecordView,
};
use std::collections::HashMap;

/// The minutes' part of a meeting's state.
#[derive(Clone, Debug, Default)]
pub struct MinutesNotes {
    pub details: MinutesDetails,
    /// By agenda item; an item removed later keeps its entry, unused.
    pub conclusions: HashMap<AgendaItemId, String>,
    /// Free text after the items.
    pub notes: String,
    /// By member.
    pub absences: HashMap<ParticipantId, String>,
}

impl MinutesNotes {
    pub(super) fn apply(&mut self, event: &Event) {
        match &event.event {
            EventKind::MinutesDetailsSet { details } => self.details = details.clone(),
            EventKind::ConclusionSet { item, text } => keep(&mut self.conclusions, *item, text),
            EventKind::MinutesNotesSet { text } => self.notes.clone_from(text),
            EventKind::AbsenceReasonSet {
                participant,
                reason,
            } => keep(&mut self.absences, *participant, reason),
            _ => {}
        }
    }

    /// An item's conclusion, empty when none was written.
    pub fn conclusion(&self, item: AgendaItemId) -> &str {
        self.conclusions.get(&item).map_or("", String::as_str)
    }

    /// A member's reason for being absent, empty when none was given.
    pub fn absence(&self, participant: ParticipantId) -> &str {
        self.absences.get(&participant).map_or("", String::as_str)
    }

    /// The desk's view: conclusions in agenda order, reasons in summons order.
    pub(super) fn view(&self, state: &MeetingState) -> RecordView {
        RecordView {
            details: self.details.clone(),
            conclusions: state
                .agenda
                .iter()
                .filter_map(|i| {
                    let text = self.conclusions.get(&i.id)?;
                    Some(Conclusion {
                        item: i.id,
                        text: text.clone(),
                    })
                })
                .collect(),
            notes: self.notes.clone(),
            absences: state
                .participants
                .iter()
                .filter_map(|p| {
                    let reason = self.absences.get(&p.id)?;
                    Some(AbsenceReason {
                        participant: p.id,
                        reason: reason.clone(),
                    })
                })
                .collect(),
        }
    }
}

fn keep<K: std::hash::Hash + Eq>(map: &mut HashMap<K, String>, key: K, text: &str) {
    if text.is_empty() {
        map.remove(&key);
    } else {
        map.insert(key, text.to_owned());
    }
}

/// A single-line field as the record crate accepts it, trimmed.
fn line(field: &str, value: &str) -> Result<String, EngineError> {
    let value = value.trim();
    ::record::text::check_line(field, value).map_err(|e| EngineError::Invalid(e.to_string()))?;
    Ok(value.to_owned())
}

/// Free text (line breaks allowed) as the record crate accepts it, trimmed.
fn free_text(field: &str, value: &str) -> Result<String, EngineError> {
    let value = value.trim();
    ::record::text::check_free_text(field, value)
        .map_err(|e| EngineError::Invalid(e.to_string()))?;
    Ok(value.to_owned())
}

/// Who may take the record's papers and sheets (minutes, counting reports, spreadsheets):
/// the secretariat, the chair and the office, who see the whole meeting.
pub fn may_export(actor: &Actor) -> Result<(), EngineError> {
    require(
        Viewer::for_actor(actor) == Viewer::Full,
        "only the secretariat and the chair may export the meeting's record",
    )
}

/// Who may take the dossier: the secretariat and the office only. It holds every
/// confidential document, which the chair reads only when named.
pub fn may_take_dossier(actor: &Actor) -> Result<(), EngineError> {
    require(
        actor.is_secretariat(),
        "only the secretariat may take the meeting's dossier: it holds every confidential \
         document",
    )
}

pub(super) fn decide(state: &MeetingState, actor: &Actor, command: &Command) -> Decision {
    require(
        actor.is_secretariat(),
        "only the secretariat writes the minutes",
    )?;
    let notes = &state.minutes;
    match command {
        Command::SetMinutesDetails {
            header,
            superior,
            body,
            number,
            place,
        } => {
            let old = &notes.details;
            let field = |name: &str, new: &Option<String>, old: &str| match new {
                Some(v) => line(name, v),
                None => Ok(old.to_owned()),
            };
            let details = MinutesDetails {
                header: header.unwrap_or(old.header),
                superior: field("superior", superior, &old.superior)?,
                body: field("body", body, &old.body)?,
                number: field("number", number, &old.number)?,
                place: field("place", place, &old.place)?,
            };
            Ok(if details == *old {
                vec![]
            } else {
                vec![EventKind::MinutesDetailsSet { details }]
            })
        }
        Command::SetConclusion { item, text } => {
            if state.item(*item).is_none() {
                return Err(EngineError::NotFound(format!("no agenda item {item}")));
            }
            let text = free_text("conclusion", text)?;
            Ok(if text == notes.conclusion(*item) {
                vec![]
            } else {
                vec![EventKind::ConclusionSet { item: *item, text }]
            })
        }
        Command::SetMinutesNotes { text } => {
            let text = free_text("notes", text)?;
            Ok(if text == notes.notes {
                vec![]
            } else {
                vec![EventKind::MinutesNotesSet { text }]
            })
        }
        Command::SetAbsenceReason {
            participant,
            reason,
        } => {
            let who = state
                .participant(*participant)
                .ok_or_else(|| EngineError::NotFound(format!("no participant {participant}")))?;
            if !who.role.is_member() {
                return Err(EngineError::Invalid(
                    "only members (chairs and delegates) are summoned, so only they can be absent"
                        .into(),
                ));
            }
            let reason = line("reason", reason)?;
            Ok(if reason == notes.absence(*participant) {
                vec![]
            } else {
                vec![EventKind::AbsenceReasonSet {
                    participant: *participant,
                    reason,
                }]
            })
        }
        _ => Err(EngineError::Invalid("not a command of the minutes".into())),
    }
}

#[cfg(test)]
mod tests {
    use crate::engine::testing::*;
    use crate::engine::{Actor, EngineError, Viewer};
    use protocol::{Command, HeaderKind};

    #[test]
    fn the_secretariat_writes_the_minutes_even_after_the_close() {
        let mut m = Hall::in_session();
        let item = m.add_item("Thảo luận văn kiện");
        let sec = m.secretariat();
        let events = m
            .run(
                sec,
                Command::SetMinutesDetails {
                    header: Some(HeaderKind::State),
                    superior: None,
                    body: Some("  Ủy ban nhân dân huyện Gia Bình ".into()),
                    number: Some("15/BB-UBND".into()),
                    place: Some("Gia Bình".into()),
                },
            )
            .unwrap();
        assert_eq!(events.len(), 1);
        assert_eq!(
            m.state.minutes.details.body,
            "Ủy ban nhân dân huyện Gia Bình"
        );
        let conclude = Command::SetConclusion {
            item,
            text: "Đại hội nhất trí thông qua.\nGiao Văn phòng hoàn chỉnh.".into(),
        };
        m.run(sec, conclude.clone()).unwrap();
        assert!(
            m.run(sec, conclude).unwrap().is_empty(),
            "the same text again changes nothing"
        );
        let absent = m.delegates[3];
        m.run(
            Actor::Office,
            Command::CheckOut {
                participant: absent,
            },
        )
        .unwrap();
        m.run(
            sec,
            Command::SetAbsenceReason {
                participant: absent,
                reason: "ốm".into(),
            },
        )
        .unwrap();
        m.run(m.chair(), Command::CloseMeeting).unwrap();
        // The minutes are finished after the meeting.
        m.run(
            sec,
            Command::SetMinutesNotes {
                text: "Hội nghị kết thúc lúc 17 giờ.".into(),
            },
        )
        .unwrap();
        assert!(
            m.run(sec, Command::StartSession).is_err(),
            "nothing else changes a closed meeting"
        );
        let full = m.state.view(Viewer::Full).unwrap().record.unwrap();
        assert_eq!(full.details.header, HeaderKind::State);
        assert_eq!(full.conclusions.len(), 1);
        assert_eq!(full.absences[0].reason, "ốm");
        assert_eq!(full.notes, "Hội nghị kết thúc lúc 17 giờ.");
        let hall = m.state.view(Viewer::for_actor(&m.delegate(3))).unwrap();
        assert!(
            hall.record.is_none(),
            "the hall does not see the draft minutes"
        );
    }

    #[test]
    fn bad_text_and_the_wrong_sender_are_refused_and_change_nothing() {
        let mut m = Hall::in_session();
        let item = m.add_item("Khai mạc");
        let sec = m.secretariat();
        let refused = |r: Result<_, EngineError>| match r {
            Err(e) => e,
            Ok(_) => panic!("accepted"),
        };
        let e = refused(m.run(
            m.chair(),
            Command::SetConclusion {
                item,
                text: "x".into(),
            },
        ));
        assert!(matches!(e, EngineError::Forbidden(_)), "{e}");
        let e = refused(m.run(
            sec,
            Command::SetConclusion {
                item,
                text: "ư".repeat(20_001),
            },
        ));
        assert!(e.to_string().contains("at most 20000"), "{e}");
        let e = refused(m.run(
            sec,
            Command::SetMinutesDetails {
                header: None,
                superior: None,
                body: Some("Huyện ủy\nGia Bình".into()),
                number: None,
                place: None,
            },
        ));
        assert!(e.to_string().contains("line break"), "{e}");
        let e = refused(m.run(
            sec,
            Command::SetMinutesNotes {
                text: "a\u{1b}[31m".into(),
            },
        ));
        assert!(e.to_string().contains("control character"), "{e}");
        let e = refused(m.run(
            sec,
            Command::SetAbsenceReason {
                participant: m.projector_id(),
                reason: "x".into(),
            },
        ));
        assert!(matches!(e, EngineError::Invalid(_)), "{e}");
        let seq = m.state.seq;
        assert_eq!(m.state.minutes.conclusions.len(), 0);
        assert_eq!(m.state.seq, seq);
    }
}
