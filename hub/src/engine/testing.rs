//! A small meeting for the engine's unit tests: a chair, a secretariat, a projector and
//! nine delegates (ten members), driven through `execute` exactly as the hub drives it.

use super::{execute, Actor, Ctx, Effects, EngineError, MeetingState};
use protocol::{AgendaItemId, Command, Event, MeetingId, ParticipantId, Role, Timestamp};
use uuid::Uuid;

pub struct Hall {
    pub state: MeetingState,
    /// Every event so far, as the store would keep them.
    pub log: Vec<Event>,
    chair: ParticipantId,
    secretariat: ParticipantId,
    projector: ParticipantId,
    pub delegates: Vec<ParticipantId>,
    clock: i64,
}

impl Hall {
    /// A meeting in draft with its participants summoned.
    pub fn new() -> Self {
        let mut hall = Hall {
            state: MeetingState::new(MeetingId::new_random()),
            log: Vec::new(),
            chair: ParticipantId::new_random(),
            secretariat: ParticipantId::new_random(),
            projector: ParticipantId::new_random(),
            delegates: Vec::new(),
            clock: 1_800_000_000_000,
        };
        hall.run(
            Actor::Office,
            Command::CreateMeeting {
                title: "Hội nghị Ban Chấp hành".into(),
                venue: "Hội trường".into(),
                starts_at: None,
                quorum: None,
            },
        )
        .expect("create");
        for (name, role) in [
            ("Nguyễn Văn Chủ", Role::Chair),
            ("Trần Thị Thư", Role::Secretariat),
            ("Màn hình", Role::Projector),
        ] {
            hall.summon(name, role);
        }
        for n in 0..9 {
            hall.summon(&format!("Đại biểu {n}"), Role::Delegate);
        }
        hall
    }

    /// Open, in session, with every member checked in.
    pub fn in_session() -> Self {
        let mut hall = Self::new();
        let chair = hall.chair();
        hall.run(chair, Command::OpenMeeting).expect("open");
        hall.run(chair, Command::StartSession).expect("start");
        hall
    }

    fn summon(&mut self, name: &str, role: Role) -> ParticipantId {
        let id = Uuid::new_v4();
        self.run_with_id(
            Actor::Office,
            Command::AddParticipant {
                name: name.into(),
                position: String::new(),
                unit: String::new(),
                role,
                seat: None,
            },
            id,
        )
        .expect("summon");
        let id = ParticipantId(id);
        match role {
            Role::Chair => self.chair = id,
            Role::Secretariat => self.secretariat = id,
            Role::Projector => self.projector = id,
            Role::Delegate => self.delegates.push(id),
        }
        id
    }

    /// Runs a command; its events.
    pub fn run(&mut self, actor: Actor, command: Command) -> Result<Vec<Event>, EngineError> {
        self.run_with_id(actor, command, Uuid::new_v4())
    }

    pub fn run_with_id(
        &mut self,
        actor: Actor,
        command: Command,
        new_id: Uuid,
    ) -> Result<Vec<Event>, EngineError> {
        Ok(self.effects_with_id(actor, command, new_id)?.events)
    }

    /// Runs a command; everything it does.
    pub fn effects(&mut self, actor: Actor, command: Command) -> Result<Effects, EngineError> {
        self.effects_with_id(actor, command, Uuid::new_v4())
    }

    fn effects_with_id(
        &mut self,
        actor: Actor,
        command: Command,
        new_id: Uuid,
    ) -> Result<Effects, EngineError> {
        self.clock += 1000;
        let ctx = Ctx {
            now: Timestamp(self.clock),
            new_id,
        };
        let effects = execute(&mut self.state, &actor, &command, &ctx)?;
        self.log.extend(effects.events.iter().cloned());
        Ok(effects)
    }

    /// The time the next command will run at is a second after this.
    pub fn now(&self) -> Timestamp {
        Timestamp(self.clock)
    }

    /// Moves the clock on, e.g. past a deadline.
    pub fn advance(&mut self, ms: i64) {
        self.clock += ms;
    }

    pub fn add_item(&mut self, title: &str) -> AgendaItemId {
        let id = Uuid::new_v4();
        let secretariat = self.secretariat();
        self.run_with_id(
            secretariat,
            Command::AddAgendaItem {
                title: title.into(),
                description: String::new(),
            },
            id,
        )
        .expect("add item");
        AgendaItemId(id)
    }

    pub fn chair(&self) -> Actor {
        Actor::Participant {
            id: self.chair,
            role: Role::Chair,
        }
    }
    pub fn secretariat(&self) -> Actor {
        Actor::Participant {
            id: self.secretariat,
            role: Role::Secretariat,
        }
    }
    pub fn projector(&self) -> Actor {
        Actor::Participant {
            id: self.projector,
            role: Role::Projector,
        }
    }
    pub fn projector_id(&self) -> ParticipantId {
        self.projector
    }
    pub fn delegate(&self, n: usize) -> Actor {
        Actor::Participant {
            id: self.delegates[n],
            role: Role::Delegate,
        }
    }
}
