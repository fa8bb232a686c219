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
                person: None,
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
        let ctx = Ctx::new(Timestamp(self.clock), new_id);
        let effects = execute(&mut self.state, &actor, &command, &ctx)?;
        self.log.extend(effects.events.iter().cloned());
        Ok(effects)
    }

    /// Every event so far.
    pub fn log(&self) -> &[Event] {
        &self.log
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

/// The counting committee's devices, played by a test: the key made through the engine,
/// each member's secret kept as their tablet would keep it.
#[derive(Debug)]
pub struct Devices {
    pub members: Vec<Actor>,
    pub key: ballot_box::CommitteeKey,
    pub secrets: Vec<ballot_box::MemberSecret>,
}

/// A generator for a test's devices: seeded, so a failing test fails the same way again.
pub fn rng(seed: u64) -> ballot_box::ChaCha20Rng {
    use ballot_box::rand_core::SeedableRng;
    ballot_box::ChaCha20Rng::seed_from_u64(seed)
}

fn sealed<T: serde::Serialize>(value: &T) -> protocol::Sealed {
    protocol::Sealed(serde_json::to_value(value).unwrap())
}

/// The committee members' devices running the key setup of `ballot-box` in a test: each
/// round gives every member's message, which the test sends through the hub.
#[derive(Debug)]
pub struct KeySetup {
    params: ballot_box::CommitteeParams,
    devices: Vec<ballot_box::DkgMember>,
    round: u8,
    round1: Vec<ballot_box::Round1>,
    round2: Vec<ballot_box::Round2>,
    shares: Vec<ballot_box::SealedShare>,
    done: Vec<(ballot_box::CommitteeKey, ballot_box::MemberSecret)>,
    rng: ballot_box::ChaCha20Rng,
}

impl KeySetup {
    pub fn new(params: ballot_box::CommitteeParams) -> KeySetup {
        KeySetup {
            params,
            devices: Vec::new(),
            round: 0,
            round1: Vec::new(),
            round2: Vec::new(),
            shares: Vec::new(),
            done: Vec::new(),
            rng: rng(u64::from(params.session[0])),
        }
    }

    /// The next round's messages as `(member, round, message)`; `None` after round 4.
    pub fn next_round(&mut self) -> Option<Vec<(usize, u8, protocol::Sealed)>> {
        self.round += 1;
        let round = self.round;
        let mut out = Vec::new();
        match round {
            1 => {
                let params = self.params();
                for i in 0..params.members {
                    let (device, m) =
                        ballot_box::DkgMember::start(params, i, &mut self.rng).unwrap();
                    out.push((usize::from(i), round, sealed(&m)));
                    self.devices.push(device);
                    self.round1.push(m);
                }
            }
            2 => {
                for i in 0..self.devices.len() {
                    let (device, m) = self.devices[i].round2(&self.round1).unwrap();
                    out.push((i, round, sealed(&m)));
                    self.devices[i] = device;
                    self.round2.push(m);
                }
            }
            3 => {
                for i in 0..self.devices.len() {
                    let (device, shares) =
                        self.devices[i].round3(&self.round2, &mut self.rng).unwrap();
                    out.push((i, round, sealed(&shares)));
                    self.devices[i] = device;
                    self.shares.extend(shares);
                }
            }
            4 => {
                for i in 0..self.devices.len() {
                    let mine: Vec<_> = self
                        .shares
                        .iter()
                        .filter(|s| usize::from(s.to) == i)
                        .cloned()
                        .collect();
                    let outcome = self.devices[i].finish(&mine, &mut self.rng).unwrap();
                    out.push((i, round, sealed(&outcome.confirmation)));
                    self.done.push((outcome.key, outcome.secret));
                }
            }
            _ => return None,
        }
        Some(out)
    }

    fn params(&self) -> ballot_box::CommitteeParams {
        self.params
    }

    /// The committee's key and each member's secret, once round 4 is sent.
    pub fn finished(self) -> (ballot_box::CommitteeKey, Vec<ballot_box::MemberSecret>) {
        let key = self.done[0].0.clone();
        (key, self.done.into_iter().map(|(_, s)| s).collect())
    }
}

impl Hall {
    /// Names delegates `members` the counting committee with `threshold`, and runs their
    /// devices' four rounds of key setup through the engine, as the hub relays them.
    pub fn make_committee(&mut self, members: &[usize], threshold: u32) -> Devices {
        use protocol::Command::{SendKeyMessage, SetCountingCommittee};
        let ids: Vec<ParticipantId> = members.iter().map(|&i| self.delegates[i]).collect();
        let actors: Vec<Actor> = members.iter().map(|&i| self.delegate(i)).collect();
        let set = SetCountingCommittee {
            members: ids,
            threshold,
        };
        self.run(self.chair(), set).expect("name the committee");
        let current = self.state.committees.current.clone().unwrap();
        let committee = current.committee.id;
        let mut setup = KeySetup::new(current.params);
        while let Some(messages) = setup.next_round() {
            for (member, round, message) in messages {
                let send = SendKeyMessage {
                    committee,
                    round,
                    message,
                };
                self.run(actors[member], send)
                    .unwrap_or_else(|e| panic!("round {round}: {e}"));
            }
        }
        let (key, secrets) = setup.finished();
        Devices {
            members: actors,
            key,
            secrets,
        }
    }

    /// A secret ballot marking `marks`, encrypted on the voter's "device" and checked as the
    /// transport checks it, then run: its effects, and the ballot as sent.
    pub fn cast_sealed(
        &mut self,
        voter: Actor,
        poll: protocol::PollId,
        marks: &[u32],
        seed: u64,
    ) -> Result<(Effects, protocol::Sealed), EngineError> {
        let sealed_poll = self.state.polls.get(poll).unwrap().sealed.clone().unwrap();
        let ballot =
            ballot_box::encrypt(&sealed_poll.key, &sealed_poll.params, marks, &mut rng(seed))
                .unwrap();
        let verified = ballot_box::verify(&sealed_poll.key, &sealed_poll.params, &ballot).unwrap();
        let json = sealed(&ballot);
        let command = Command::CastSealedBallot {
            poll,
            ballot: json.clone(),
        };
        self.clock += 1000;
        let ctx = Ctx {
            ballot: Some(std::sync::Arc::new(verified)),
            ..Ctx::new(Timestamp(self.clock), Uuid::new_v4())
        };
        let effects = execute(&mut self.state, &voter, &command, &ctx)?;
        self.log.extend(effects.events.iter().cloned());
        Ok((effects, json))
    }

    /// Committee member `i` gives their share of the closed box (see [`Hall::share_of`]).
    pub fn give_share(
        &mut self,
        devices: &Devices,
        i: usize,
        poll: protocol::PollId,
        ballots: &[protocol::Sealed],
    ) -> Result<Vec<Event>, EngineError> {
        let give = Command::GiveDecryptionShare {
            poll,
            share: self.share_of(devices, i, poll, ballots),
        };
        self.run(devices.members[i], give)
    }

    /// Member `i`'s share of the closed box, made on their "device" from the ballots it
    /// verified itself (`ballots`: the box as published).
    pub fn share_of(
        &self,
        devices: &Devices,
        i: usize,
        poll: protocol::PollId,
        ballots: &[protocol::Sealed],
    ) -> protocol::Sealed {
        let sealed_poll = self.state.polls.get(poll).unwrap().sealed.clone().unwrap();
        let ballots: Vec<ballot_box::EncryptedBallot> = ballots
            .iter()
            .map(|b| serde_json::from_value(b.0.clone()).unwrap())
            .collect();
        let sum = ballot_box::EncryptedSum::verified_from(
            &devices.key,
            &sealed_poll.params,
            &ballots,
            None,
        )
        .unwrap();
        let share = devices.secrets[i]
            .decryption_share(&devices.key, &sum, &mut rng(100 + i as u64))
            .unwrap();
        sealed(&share)
    }
}
