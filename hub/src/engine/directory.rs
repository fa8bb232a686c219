//! The office's directory as a pure state machine: people, bodies and their members, who
//! each meeting summoned from them, invitations and their answers, and the devices enrolled
//! to people. [`Directory::decide`] says which events an office command produces (or why
//! it is refused), [`Directory::apply`] folds one event; neither touches a disk or a clock.
//! The office-wide log these events go to is kept by `store::office`, run by `live::office`.

use super::{clean_text, EngineError};
use protocol::directory::{
    Body, BodyId, Device, DeviceId, InvitationAnswer, OfficeEventKind, Person, PersonId, Summons,
};
use protocol::{MeetingId, OfficeEvent, Role, Timestamp};
use std::collections::{BTreeMap, HashMap};

/// Bounds no provincial office reaches; they keep one log small enough to replay at start.
pub const MAX_PEOPLE: usize = 50_000;
pub const MAX_BODIES: usize = 5_000;
pub const MAX_MEMBERS: usize = 5_000;
/// A person's tablets at once: a lost one is revoked before another is enrolled.
pub const MAX_DEVICES_PER_PERSON: usize = 4;
/// Characters of a declared absence's reason.
pub const MAX_REASON_CHARS: usize = 500;

/// What the office asks of its directory. Ids are chosen by the caller, so deciding is pure.
#[derive(Clone, Debug)]
pub enum OfficeCommand {
    AddPerson(Person),
    UpdatePerson(Person),
    AddBody {
        body: BodyId,
        name: String,
    },
    AddMember {
        body: BodyId,
        person: PersonId,
    },
    RemoveMember {
        body: BodyId,
        person: PersonId,
    },
    /// Records whom a meeting summoned; the meeting's own log already holds the participants.
    RecordSummons {
        meeting: MeetingId,
        body: Option<BodyId>,
        role: Role,
        participants: Vec<Summons>,
    },
    SendInvitation {
        meeting: MeetingId,
    },
    AnswerInvitation {
        meeting: MeetingId,
        person: PersonId,
        answer: InvitationAnswer,
    },
    EnrolDevice {
        device: DeviceId,
        person: PersonId,
    },
    LockDevice {
        device: DeviceId,
    },
    UnlockDevice {
        device: DeviceId,
    },
    RevokeDevice {
        device: DeviceId,
    },
}

/// One person's place in one meeting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Seat {
    pub participant: protocol::ParticipantId,
    pub role: Role,
    pub body: Option<BodyId>,
}

/// The fold of the office's log.
#[derive(Clone, Debug, Default)]
pub struct Directory {
    /// The last event's seq.
    pub seq: u64,
    people: Vec<Person>,
    person_index: HashMap<PersonId, usize>,
    bodies: Vec<Body>,
    body_index: HashMap<BodyId, usize>,
    /// Meeting → person → their participant there.
    summons: HashMap<MeetingId, BTreeMap<PersonId, Seat>>,
    /// Person → the meetings that summoned them, in the order they did.
    meetings_of: HashMap<PersonId, Vec<MeetingId>>,
    invited: std::collections::HashSet<MeetingId>,
    answers: HashMap<(MeetingId, PersonId), InvitationAnswer>,
    devices: BTreeMap<DeviceId, Device>,
}

impl Directory {
    /// Everyone, in the order they were added.
    pub fn people(&self) -> &[Person] {
        &self.people
    }
    pub fn person(&self, id: PersonId) -> Option<&Person> {
        self.person_index.get(&id).map(|&i| &self.people[i])
    }
    pub fn bodies(&self) -> &[Body] {
        &self.bodies
    }
    pub fn body(&self, id: BodyId) -> Option<&Body> {
        self.body_index.get(&id).map(|&i| &self.bodies[i])
    }
    /// The bodies `person` is a member of.
    pub fn bodies_of(&self, person: PersonId) -> impl Iterator<Item = &Body> {
        self.bodies
            .iter()
            .filter(move |b| b.members.contains(&person))
    }
    /// The meetings that summoned `person`, each with their place in it.
    pub fn meetings_of(&self, person: PersonId) -> Vec<(MeetingId, Seat)> {
        let Some(meetings) = self.meetings_of.get(&person) else {
            return Vec::new();
        };
        meetings
            .iter()
            .filter_map(|m| Some((*m, *self.summons.get(m)?.get(&person)?)))
            .collect()
    }
    /// Everyone a meeting summoned from the directory.
    pub fn summoned(&self, meeting: MeetingId) -> Vec<(PersonId, Seat)> {
        self.summons
            .get(&meeting)
            .map(|m| m.iter().map(|(p, s)| (*p, *s)).collect())
            .unwrap_or_default()
    }
    pub fn invited(&self, meeting: MeetingId) -> bool {
        self.invited.contains(&meeting)
    }
    pub fn answer(&self, meeting: MeetingId, person: PersonId) -> Option<&InvitationAnswer> {
        self.answers.get(&(meeting, person))
    }
    pub fn devices(&self) -> impl Iterator<Item = &Device> {
        self.devices.values()
    }
    pub fn device(&self, id: DeviceId) -> Option<&Device> {
        self.devices.get(&id)
    }

    /// The events `command` produces, or why it is refused (and then nothing changes).
    pub fn decide(&self, command: &OfficeCommand) -> Result<Vec<OfficeEventKind>, EngineError> {
        use OfficeCommand as C;
        use OfficeEventKind as E;
        let invalid = |m: &str| Err(EngineError::Invalid(m.into()));
        Ok(vec![match command {
            C::AddPerson(person) => {
                if self.people.len() >= MAX_PEOPLE {
                    return invalid("the directory holds at most 50000 people");
                }
                if self.person(person.id).is_some() {
                    return invalid("that person id is taken");
                }
                E::PersonAdded {
                    person: clean_person(person)?,
                }
            }
            C::UpdatePerson(person) => {
                self.known_person(person.id)?;
                E::PersonUpdated {
                    person: clean_person(person)?,
                }
            }
            C::AddBody { body, name } => {
                if self.bodies.len() >= MAX_BODIES {
                    return invalid("the directory holds at most 5000 bodies");
                }
                if self.body(*body).is_some() {
                    return invalid("that body id is taken");
                }
                let name = clean_text("name", name, 200, true)?;
                if self.bodies.iter().any(|b| b.name == name) {
                    return invalid("a body of that name exists already");
                }
                E::BodyAdded { body: *body, name }
            }
            C::AddMember { body, person } => {
                let b = self.known_body(*body)?;
                self.known_person(*person)?;
                if b.members.contains(person) {
                    return invalid("this person is a member of the body already");
                }
                if b.members.len() >= MAX_MEMBERS {
                    return invalid("a body has at most 5000 members");
                }
                E::MemberAdded {
                    body: *body,
                    person: *person,
                }
            }
            C::RemoveMember { body, person } => {
                if !self.known_body(*body)?.members.contains(person) {
                    return Err(EngineError::NotFound(
                        "this person is not a member of the body".into(),
                    ));
                }
                E::MemberRemoved {
                    body: *body,
                    person: *person,
                }
            }
            C::RecordSummons {
                meeting,
                body,
                role,
                participants,
            } => {
                if let Some(body) = body {
                    self.known_body(*body)?;
                }
                for s in participants {
                    self.known_person(s.person)?;
                    if self
                        .summons
                        .get(meeting)
                        .is_some_and(|m| m.contains_key(&s.person))
                    {
                        return invalid("this person is already summoned to the meeting");
                    }
                }
                E::Summoned {
                    meeting: *meeting,
                    body: *body,
                    role: *role,
                    participants: participants.clone(),
                }
            }
            C::SendInvitation { meeting } => {
                if self.summons.get(meeting).is_none_or(|m| m.is_empty()) {
                    return Err(EngineError::InvalidState(
                        "the meeting has summoned nobody from the directory yet".into(),
                    ));
                }
                E::InvitationSent { meeting: *meeting }
            }
            C::AnswerInvitation {
                meeting,
                person,
                answer,
            } => {
                if !self.invited(*meeting) || self.summoned_seat(*meeting, *person).is_none() {
                    return Err(EngineError::NotFound(
                        "this person has no invitation to that meeting".into(),
                    ));
                }
                let answer = match answer {
                    InvitationAnswer::Attending => InvitationAnswer::Attending,
                    InvitationAnswer::Absent { reason } => InvitationAnswer::Absent {
                        reason: clean_text("reason", reason, MAX_REASON_CHARS, true)?,
                    },
                };
                E::InvitationAnswered {
                    meeting: *meeting,
                    person: *person,
                    answer,
                }
            }
            C::EnrolDevice { device, person } => {
                self.known_person(*person)?;
                if self.devices.contains_key(device) {
                    return invalid("that device id is taken");
                }
                let held = self.devices.values().filter(|d| d.person == *person);
                if held.count() >= MAX_DEVICES_PER_PERSON {
                    return invalid(
                        "this person has 4 devices enrolled; revoke one before enrolling another",
                    );
                }
                E::DeviceEnrolled {
                    device: *device,
                    person: *person,
                }
            }
            C::LockDevice { device } => {
                if self.known_device(*device)?.locked {
                    return Ok(Vec::new());
                }
                E::DeviceLocked { device: *device }
            }
            C::UnlockDevice { device } => {
                if !self.known_device(*device)?.locked {
                    return Ok(Vec::new());
                }
                E::DeviceUnlocked { device: *device }
            }
            C::RevokeDevice { device } => {
                self.known_device(*device)?;
                E::DeviceRevoked { device: *device }
            }
        }])
    }

    /// Decides `commands` in turn, each against the state the earlier ones leave, and
    /// stamps their events with the next seqs and `at`. On the first refusal it returns
    /// that command's index and the reason; `self` is never changed.
    pub fn decide_all(
        &self,
        commands: &[OfficeCommand],
        at: Timestamp,
    ) -> Result<Vec<OfficeEvent>, (usize, EngineError)> {
        let stamp = |seq: u64, kind| OfficeEvent { seq, at, kind };
        if let [one] = commands {
            let kinds = self.decide(one).map_err(|e| (0, e))?;
            return Ok((self.seq + 1..)
                .zip(kinds)
                .map(|(s, k)| stamp(s, k))
                .collect());
        }
        let mut scratch = self.clone();
        let mut events = Vec::new();
        for (i, command) in commands.iter().enumerate() {
            for kind in scratch.decide(command).map_err(|e| (i, e))? {
                let event = stamp(scratch.seq + 1, kind);
                scratch.apply(&event);
                events.push(event);
            }
        }
        Ok(events)
    }

    /// Folds one event of the log. Events were decided against this state, so they fit it.
    pub fn apply(&mut self, event: &OfficeEvent) {
        use OfficeEventKind as E;
        self.seq = event.seq;
        match &event.kind {
            E::PersonAdded { person } => {
                self.person_index.insert(person.id, self.people.len());
                self.people.push(person.clone());
            }
            E::PersonUpdated { person } => {
                if let Some(&i) = self.person_index.get(&person.id) {
                    self.people[i] = person.clone();
                }
            }
            E::BodyAdded { body, name } => {
                self.body_index.insert(*body, self.bodies.len());
                self.bodies.push(Body {
                    id: *body,
                    name: name.clone(),
                    members: Vec::new(),
                });
            }
            E::MemberAdded { body, person } => {
                if let Some(&i) = self.body_index.get(body) {
                    self.bodies[i].members.push(*person);
                }
            }
            E::MemberRemoved { body, person } => {
                if let Some(&i) = self.body_index.get(body) {
                    self.bodies[i].members.retain(|p| p != person);
                }
            }
            E::Summoned {
                meeting,
                body,
                role,
                participants,
            } => {
                let seats = self.summons.entry(*meeting).or_default();
                for s in participants {
                    let seat = Seat {
                        participant: s.participant,
                        role: *role,
                        body: *body,
                    };
                    if seats.insert(s.person, seat).is_none() {
                        self.meetings_of.entry(s.person).or_default().push(*meeting);
                    }
                }
            }
            E::InvitationSent { meeting } => {
                self.invited.insert(*meeting);
            }
            E::InvitationAnswered {
                meeting,
                person,
                answer,
            } => {
                self.answers.insert((*meeting, *person), answer.clone());
            }
            E::DeviceEnrolled { device, person } => {
                self.devices.insert(
                    *device,
                    Device {
                        id: *device,
                        person: *person,
                        enrolled_at: event.at,
                        locked: false,
                    },
                );
            }
            E::DeviceLocked { device } | E::DeviceUnlocked { device } => {
                let locked = matches!(event.kind, E::DeviceLocked { .. });
                if let Some(d) = self.devices.get_mut(device) {
                    d.locked = locked;
                }
            }
            E::DeviceRevoked { device } => {
                self.devices.remove(device);
            }
        }
    }

    /// `person`'s place in `meeting`, if it summoned them.
    pub fn summoned_seat(&self, meeting: MeetingId, person: PersonId) -> Option<Seat> {
        self.summons.get(&meeting)?.get(&person).copied()
    }

    fn known_person(&self, id: PersonId) -> Result<&Person, EngineError> {
        self.person(id)
            .ok_or_else(|| EngineError::NotFound("no such person in the directory".into()))
    }
    fn known_body(&self, id: BodyId) -> Result<&Body, EngineError> {
        self.body(id)
            .ok_or_else(|| EngineError::NotFound("no such body in the directory".into()))
    }
    fn known_device(&self, id: DeviceId) -> Result<&Device, EngineError> {
        self.device(id)
            .ok_or_else(|| EngineError::NotFound("no such device is enrolled".into()))
    }
}

/// A person's details trimmed and bounded like a participant's.
fn clean_person(person: &Person) -> Result<Person, EngineError> {
    Ok(Person {
        id: person.id,
        name: clean_text("name", &person.name, 200, true)?,
        position: clean_text("position", &person.position, 300, false)?,
        unit: clean_text("unit", &person.unit, 300, false)?,
        contact: clean_text("contact", &person.contact, 200, false)?,
    })
}

#[cfg(test)]
#[path = "directory_tests.rs"]
mod tests;
