//! The agenda (chương trình nghị sự): items in order, at most one current.

use super::lifecycle::require;
use super::{clean_text, Actor, Ctx, Decision, EngineError, MeetingState};
use protocol::{AgendaItem, AgendaItemId, AgendaItemStatus, Command, EventKind, MeetingStatus};
use std::collections::HashSet;

/// More items than any real agenda has; a bound so a runaway script cannot grow one forever.
pub const MAX_ITEMS: usize = 500;

pub(super) fn decide(
    state: &MeetingState,
    actor: &Actor,
    command: &Command,
    ctx: &Ctx,
) -> Decision {
    match command {
        Command::AddAgendaItem { title, description } => {
            require(
                actor.is_secretariat(),
                "only the secretariat may change the agenda",
            )?;
            if state.agenda.len() >= MAX_ITEMS {
                return Err(EngineError::Invalid(format!(
                    "an agenda holds at most {MAX_ITEMS} items"
                )));
            }
            let id = AgendaItemId(ctx.new_id);
            if state.item(id).is_some() {
                return Err(EngineError::Invalid("that agenda item id is taken".into()));
            }
            Ok(vec![EventKind::AgendaItemAdded {
                item: AgendaItem {
                    id,
                    title: clean_text("title", title, 500, true)?,
                    description: clean_text("description", description, 4000, false)?,
                    status: AgendaItemStatus::Pending,
                },
            }])
        }
        Command::UpdateAgendaItem {
            item,
            title,
            description,
        } => {
            require(
                actor.is_secretariat(),
                "only the secretariat may change the agenda",
            )?;
            let current = existing(state, *item)?;
            let title = match title {
                Some(t) => clean_text("title", t, 500, true)?,
                None => current.title.clone(),
            };
            let description = match description {
                Some(d) => clean_text("description", d, 4000, false)?,
                None => current.description.clone(),
            };
            if title == current.title && description == current.description {
                return Ok(vec![]);
            }
            Ok(vec![EventKind::AgendaItemUpdated {
                item: *item,
                title,
                description,
            }])
        }
        Command::RemoveAgendaItem { item } => {
            require(
                actor.is_secretariat(),
                "only the secretariat may change the agenda",
            )?;
            if existing(state, *item)?.status != AgendaItemStatus::Pending {
                return Err(EngineError::InvalidState(
                    "an item that has been started stays on the agenda, for the minutes".into(),
                ));
            }
            Ok(vec![EventKind::AgendaItemRemoved { item: *item }])
        }
        Command::ReorderAgenda { order } => {
            require(
                actor.runs_meeting(),
                "only the secretariat or the chair may reorder the agenda",
            )?;
            let given: HashSet<_> = order.iter().collect();
            let is_permutation = given.len() == order.len()
                && order.len() == state.agenda.len()
                && state.agenda.iter().all(|i| given.contains(&i.id));
            if !is_permutation {
                return Err(EngineError::Invalid(
                    "the new order must list every agenda item exactly once".into(),
                ));
            }
            if state.agenda.iter().map(|i| i.id).eq(order.iter().copied()) {
                return Ok(vec![]);
            }
            Ok(vec![EventKind::AgendaReordered {
                order: order.clone(),
            }])
        }
        Command::StartAgendaItem { item } => {
            require(
                actor.runs_meeting(),
                "only the chair may start an agenda item",
            )?;
            let target = existing(state, *item)?;
            if state.status() != Some(MeetingStatus::InSession) {
                return Err(EngineError::InvalidState(
                    "an agenda item can start only while the meeting is in session".into(),
                ));
            }
            if target.status == AgendaItemStatus::Current {
                return Ok(vec![]);
            }
            // Moving on finishes the item before: there is one current item, always.
            let mut events: Vec<EventKind> = state
                .current_item()
                .map(|c| EventKind::AgendaItemFinished { item: c.id })
                .into_iter()
                .collect();
            events.push(EventKind::AgendaItemStarted { item: *item });
            Ok(events)
        }
        Command::FinishAgendaItem { item } => {
            require(
                actor.runs_meeting(),
                "only the chair may finish an agenda item",
            )?;
            if existing(state, *item)?.status != AgendaItemStatus::Current {
                return Err(EngineError::InvalidState(
                    "only the current item can be finished".into(),
                ));
            }
            Ok(vec![EventKind::AgendaItemFinished { item: *item }])
        }
        _ => Err(EngineError::Invalid("not an agenda command".into())),
    }
}

fn existing(state: &MeetingState, id: AgendaItemId) -> Result<&AgendaItem, EngineError> {
    state
        .item(id)
        .ok_or_else(|| EngineError::NotFound(format!("no agenda item {id} in this meeting")))
}

#[cfg(test)]
mod tests {
    use crate::engine::testing::*;
    use protocol::{AgendaItemStatus, Command, ErrorCode};

    #[test]
    fn one_item_is_current_and_starting_another_finishes_it() {
        let mut m = Hall::in_session();
        let a = m.add_item("Khai mạc");
        let b = m.add_item("Báo cáo chính trị");
        m.run(m.chair(), Command::StartAgendaItem { item: a })
            .unwrap();
        let events = m
            .run(m.chair(), Command::StartAgendaItem { item: b })
            .unwrap();
        assert_eq!(events.len(), 2, "finish a, start b");
        assert_eq!(m.state.item(a).unwrap().status, AgendaItemStatus::Done);
        assert_eq!(m.state.current_item().unwrap().id, b);
        let current: Vec<_> = m
            .state
            .agenda
            .iter()
            .filter(|i| i.status == AgendaItemStatus::Current)
            .collect();
        assert_eq!(current.len(), 1);
    }

    #[test]
    fn items_start_only_in_session_and_only_by_the_chair() {
        let mut m = Hall::new();
        let a = m.add_item("Khai mạc");
        m.run(m.chair(), Command::OpenMeeting).unwrap();
        assert_eq!(
            m.run(m.chair(), Command::StartAgendaItem { item: a })
                .unwrap_err()
                .code(),
            ErrorCode::InvalidState
        );
        m.run(m.chair(), Command::StartSession).unwrap();
        assert_eq!(
            m.run(m.delegate(3), Command::StartAgendaItem { item: a })
                .unwrap_err()
                .code(),
            ErrorCode::Forbidden
        );
        assert_eq!(m.state.item(a).unwrap().status, AgendaItemStatus::Pending);
        m.run(m.chair(), Command::StartAgendaItem { item: a })
            .unwrap();
        assert_eq!(m.state.current_item().unwrap().id, a);
    }

    #[test]
    fn finishing_needs_the_current_item() {
        let mut m = Hall::in_session();
        let a = m.add_item("Khai mạc");
        assert_eq!(
            m.run(m.chair(), Command::FinishAgendaItem { item: a })
                .unwrap_err()
                .code(),
            ErrorCode::InvalidState
        );
        m.run(m.chair(), Command::StartAgendaItem { item: a })
            .unwrap();
        m.run(m.chair(), Command::FinishAgendaItem { item: a })
            .unwrap();
        assert!(m.state.current_item().is_none());
    }

    #[test]
    fn reorder_must_be_a_permutation() {
        let mut m = Hall::new();
        let a = m.add_item("A");
        let b = m.add_item("B");
        let c = m.add_item("C");
        let sec = m.secretariat();
        assert_eq!(
            m.run(sec, Command::ReorderAgenda { order: vec![c, a] })
                .unwrap_err()
                .code(),
            ErrorCode::Invalid
        );
        assert_eq!(
            m.run(
                sec,
                Command::ReorderAgenda {
                    order: vec![c, a, a]
                }
            )
            .unwrap_err()
            .code(),
            ErrorCode::Invalid
        );
        m.run(
            sec,
            Command::ReorderAgenda {
                order: vec![c, a, b],
            },
        )
        .unwrap();
        let order: Vec<_> = m.state.agenda.iter().map(|i| i.id).collect();
        assert_eq!(order, vec![c, a, b]);
        assert_eq!(
            m.run(
                m.delegate(0),
                Command::ReorderAgenda {
                    order: vec![a, b, c]
                }
            )
            .unwrap_err()
            .code(),
            ErrorCode::Forbidden
        );
    }

    #[test]
    fn started_items_cannot_be_removed_and_unknown_items_are_not_found() {
        let mut m = Hall::in_session();
        let a = m.add_item("A");
        m.run(m.chair(), Command::StartAgendaItem { item: a })
            .unwrap();
        assert_eq!(
            m.run(m.secretariat(), Command::RemoveAgendaItem { item: a })
                .unwrap_err()
                .code(),
            ErrorCode::InvalidState
        );
        let ghost = protocol::AgendaItemId::new_random();
        assert_eq!(
            m.run(m.chair(), Command::StartAgendaItem { item: ghost })
                .unwrap_err()
                .code(),
            ErrorCode::NotFound
        );
        let b = m.add_item("B");
        m.run(m.secretariat(), Command::RemoveAgendaItem { item: b })
            .unwrap();
        assert!(m.state.item(b).is_none());
    }

    #[test]
    fn titles_are_checked() {
        let mut m = Hall::new();
        let sec = m.secretariat();
        let add = |t: &str| Command::AddAgendaItem {
            title: t.into(),
            description: String::new(),
        };
        assert_eq!(m.run(sec, add("")).unwrap_err().code(), ErrorCode::Invalid);
        assert_eq!(
            m.run(sec, add(&"x".repeat(501))).unwrap_err().code(),
            ErrorCode::Invalid
        );
        assert_eq!(
            m.run(sec, add("a\u{0007}b")).unwrap_err().code(),
            ErrorCode::Invalid
        );
        assert_eq!(
            m.run(m.chair(), add("Chair adds")).unwrap_err().code(),
            ErrorCode::Forbidden
        );
    }
}
