//! Incoming documents and petitions (văn bản đến / đơn thư). Like opinion requests they
//! live in a body's log, with no session needed. Rules:
//!
//! - the secretariat registers, forwards (to members, the leaders) and closes;
//! - a leader an item was forwarded to reads it and gives directions, until it is closed;
//! - `new` → `forwarded` on the first forward; `answered` once every leader it went to
//!   has given a direction (a new forward to someone else makes it `forwarded` again);
//!   `closed` is final.

use super::lifecycle::require;
use super::{clean_text, Actor, Ctx, Decision, EngineError, MeetingState, Viewer};
use protocol::incoming::{IncomingAction, IncomingEntry, IncomingItem, IncomingStatus};
use protocol::{Command, Event, EventKind, IncomingId, ParticipantId};

/// More items than a body's office registers in years in one log.
const MAX_ITEMS: usize = 10_000;

/// The incoming items of one body, in the order registered.
#[derive(Clone, Debug, Default)]
pub struct Incoming {
    pub items: Vec<IncomingItem>,
}

impl Incoming {
    pub fn get(&self, id: IncomingId) -> Option<&IncomingItem> {
        self.items.iter().find(|i| i.id == id)
    }

    fn get_mut(&mut self, id: IncomingId) -> Option<&mut IncomingItem> {
        self.items.iter_mut().find(|i| i.id == id)
    }

    /// All items for the secretariat and the chair; those forwarded to them for others.
    pub fn view(&self, viewer: Viewer) -> Vec<IncomingItem> {
        match viewer {
            Viewer::Full => self.items.clone(),
            Viewer::Hall { me, .. } => self
                .items
                .iter()
                .filter(|i| me.is_some_and(|me| i.forwarded_to.contains(&me)))
                .cloned()
                .collect(),
        }
    }

    pub(super) fn apply(&mut self, event: &Event) {
        match &event.event {
            EventKind::IncomingRegistered { item } => self.items.push(item.clone()),
            EventKind::IncomingForwarded { item } => {
                if let Some(i) = self.get_mut(item.id) {
                    *i = item.clone();
                }
            }
            EventKind::IncomingUpdated { item, entry, .. } => {
                if let Some(i) = self.get_mut(*item) {
                    i.history.push(entry.clone());
                    i.status = status_after_directions(i);
                }
            }
            EventKind::IncomingClosed { item, entry, .. } => {
                if let Some(i) = self.get_mut(*item) {
                    i.history.push(entry.clone());
                    i.status = IncomingStatus::Closed;
                }
            }
            _ => {}
        }
    }
}

/// `answered` once every leader it went to has given a direction, else `forwarded`.
fn status_after_directions(item: &IncomingItem) -> IncomingStatus {
    let directed = |p: &ParticipantId| {
        item.history
            .iter()
            .any(|e| e.by == Some(*p) && matches!(e.action, IncomingAction::Directed { .. }))
    };
    if !item.forwarded_to.is_empty() && item.forwarded_to.iter().all(directed) {
        IncomingStatus::Answered
    } else {
        IncomingStatus::Forwarded
    }
}

fn by(actor: &Actor) -> Option<ParticipantId> {
    match actor {
        Actor::Participant { id, .. } => Some(*id),
        _ => None,
    }
}

pub(super) fn decide(
    state: &MeetingState,
    actor: &Actor,
    command: &Command,
    ctx: &Ctx,
) -> Decision {
    match command {
        Command::RegisterIncoming {
            kind,
            number,
            sender,
            subject,
            file,
        } => {
            require(
                actor.is_secretariat(),
                "only the secretariat registers incoming documents",
            )?;
            if state.incoming.items.len() >= MAX_ITEMS {
                return Err(EngineError::Invalid(format!(
                    "a body's log holds at most {MAX_ITEMS} incoming items"
                )));
            }
            let id = IncomingId(ctx.new_id);
            if state.incoming.get(id).is_some() {
                return Err(EngineError::Invalid("that item id is taken".into()));
            }
            let file = file
                .as_ref()
                .map(super::opinions::check_attachment)
                .transpose()?;
            Ok(vec![EventKind::IncomingRegistered {
                item: IncomingItem {
                    id,
                    kind: *kind,
                    number: clean_text("number", number, 50, false)?,
                    sender: clean_text("sender", sender, 300, true)?,
                    subject: clean_text("subject", subject, 2000, true)?,
                    file,
                    status: IncomingStatus::New,
                    forwarded_to: Vec::new(),
                    due: None,
                    history: vec![IncomingEntry {
                        at: ctx.now,
                        by: by(actor),
                        action: IncomingAction::Registered,
                    }],
                },
            }])
        }
        Command::ForwardIncoming {
            item,
            to,
            due,
            note,
        } => {
            require(
                actor.is_secretariat(),
                "only the secretariat forwards incoming documents",
            )?;
            let current = open_item(state, *item)?;
            if to.is_empty() {
                return Err(EngineError::Invalid(
                    "forward to at least one leader".into(),
                ));
            }
            for p in to {
                let who = state
                    .participant(*p)
                    .ok_or_else(|| EngineError::NotFound(format!("no participant {p}")))?;
                if !who.role.is_member() {
                    return Err(EngineError::Invalid(format!(
                        "{} is not a leader of this body",
                        who.name
                    )));
                }
            }
            if due.is_some_and(|d| d <= ctx.now) {
                return Err(EngineError::Invalid(
                    "the due date must be in the future".into(),
                ));
            }
            let mut next = current.clone();
            for p in to {
                if !next.forwarded_to.contains(p) {
                    next.forwarded_to.push(*p);
                }
            }
            next.due = due.or(next.due);
            next.history.push(IncomingEntry {
                at: ctx.now,
                by: by(actor),
                action: IncomingAction::Forwarded {
                    to: to.clone(),
                    due: *due,
                    note: clean_text("note", note, 2000, false)?,
                },
            });
            next.status = status_after_directions(&next);
            Ok(vec![EventKind::IncomingForwarded { item: next }])
        }
        Command::ReadIncoming { item } | Command::DirectIncoming { item, .. } => {
            let current = open_item(state, *item)?;
            let me = by(actor)
                .filter(|me| current.forwarded_to.contains(me))
                .ok_or_else(|| {
                    EngineError::Forbidden("this item was not forwarded to you".into())
                })?;
            let action = match command {
                Command::DirectIncoming { text, .. } => IncomingAction::Directed {
                    text: clean_text("direction", text, 4000, true)?,
                },
                _ => {
                    let read = current
                        .history
                        .iter()
                        .any(|e| e.by == Some(me) && e.action == IncomingAction::Read);
                    if read {
                        return Ok(vec![]);
                    }
                    IncomingAction::Read
                }
            };
            Ok(vec![EventKind::IncomingUpdated {
                item: *item,
                entry: IncomingEntry {
                    at: ctx.now,
                    by: Some(me),
                    action,
                },
                forwarded_to: current.forwarded_to.clone(),
            }])
        }
        Command::CloseIncoming { item, note } => {
            require(
                actor.is_secretariat(),
                "only the secretariat closes incoming documents",
            )?;
            let current = open_item(state, *item)?;
            Ok(vec![EventKind::IncomingClosed {
                item: *item,
                entry: IncomingEntry {
                    at: ctx.now,
                    by: by(actor),
                    action: IncomingAction::Closed {
                        note: clean_text("note", note, 2000, false)?,
                    },
                },
                forwarded_to: current.forwarded_to.clone(),
            }])
        }
        _ => Err(EngineError::Invalid(
            "not an incoming-documents command".into(),
        )),
    }
}

fn open_item(state: &MeetingState, id: IncomingId) -> Result<&IncomingItem, EngineError> {
    let item = state
        .incoming
        .get(id)
        .ok_or_else(|| EngineError::NotFound(format!("no incoming item {id}")))?;
    if item.status == IncomingStatus::Closed {
        return Err(EngineError::InvalidState("the item is closed".into()));
    }
    Ok(item)
}

#[cfg(test)]
#[path = "incoming_tests.rs"]
mod tests;
