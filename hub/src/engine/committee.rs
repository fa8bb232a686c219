//! The counting committee (Ban kiểm phiếu) and the key its members' devices make together.
//!
//! The chair or the secretariat names the members (elected by the meeting, usually by
//! show of hands) and the threshold. The members' devices then run the key setup of the
//! `ballot-box` crate in four rounds through the hub, which only relays and checks: 1 a
//! commitment and a transport key each, 2 each one's public polynomial (from all of them the
//! hub computes the committee's public key, checking every proof), 3 each one's shares
//! sealed to every other member (the hub cannot open them), 4 each one's proof that they
//! hold their share. Once every member has confirmed, the key is ready and secret polls are
//! sealed with it. No device, and not the hub, ever holds the whole secret key.

use super::lifecycle::require;
use super::{Actor, Ctx, Decision, EngineError, MeetingState};
use ballot_box::{CommitteeKey, CommitteeParams, KeyConfirmation, Round1, Round2, SealedShare};
use protocol::{
    Command, Committee, CommitteeId, CommitteeStatus, CommitteeView, Event, EventKind, KeyMessage,
    ParticipantId, Sealed,
};
use sha2::{Digest, Sha256};

/// The four rounds of the key setup.
const ROUNDS: u8 = 4;
/// The largest key-setup message accepted (round 3 of nine members is the largest).
const MAX_MESSAGE_BYTES: usize = 16 * 1024;

/// The committee named last, and its key setup.
#[derive(Clone, Debug, Default)]
pub struct Committees {
    pub current: Option<CommitteeState>,
}

/// One committee and its key setup.
#[derive(Clone, Debug)]
pub struct CommitteeState {
    pub committee: Committee,
    pub params: CommitteeParams,
    pub status: CommitteeStatus,
    /// Every message so far, in the order received.
    pub messages: Vec<KeyMessage>,
    /// The committee's key, computed once every round-2 message is in.
    pub key: Option<CommitteeKey>,
    pub failure: Option<String>,
}

impl CommitteeState {
    fn new(meeting: protocol::MeetingId, committee: Committee) -> Self {
        let n = committee.members.len() as u8;
        let params = CommitteeParams {
            members: n,
            threshold: committee.threshold as u8,
            session: session(meeting, committee.id),
        };
        CommitteeState {
            committee,
            params,
            status: CommitteeStatus::MakingKey,
            messages: Vec::new(),
            key: None,
            failure: None,
        }
    }

    /// Member number of `participant`, if they are on this committee.
    pub fn member_index(&self, participant: ParticipantId) -> Option<u8> {
        let i = self
            .committee
            .members
            .iter()
            .position(|m| *m == participant)?;
        u8::try_from(i).ok()
    }

    fn sent(&self, round: u8, member: u8) -> bool {
        self.messages
            .iter()
            .any(|m| m.round == round && m.member == member)
    }

    fn of_round(&self, round: u8) -> impl Iterator<Item = &KeyMessage> {
        self.messages.iter().filter(move |m| m.round == round)
    }

    /// The round under way: the first one some member has not sent yet.
    pub fn round(&self) -> u8 {
        let n = self.params.members as usize;
        (1..=ROUNDS)
            .find(|&r| self.of_round(r).count() < n)
            .unwrap_or(ROUNDS)
    }

    fn round2(&self) -> Result<Vec<Round2>, EngineError> {
        self.of_round(2)
            .map(|m| parse::<Round2>(&m.message))
            .collect()
    }
}

/// The key setup's session: ties its messages to this meeting and this committee.
fn session(meeting: protocol::MeetingId, committee: CommitteeId) -> [u8; 32] {
    let mut hash = Sha256::new();
    hash.update(b"hub/committee/v1\n");
    hash.update(meeting.as_bytes());
    hash.update(committee.as_bytes());
    hash.finalize().into()
}

fn parse<T: serde::de::DeserializeOwned>(message: &Sealed) -> Result<T, EngineError> {
    serde_json::from_value(message.0.clone())
        .map_err(|e| EngineError::Invalid(format!("the key-setup message cannot be read: {e}")))
}

impl Committees {
    pub(super) fn apply(&mut self, meeting: protocol::MeetingId, event: &Event) {
        match &event.event {
            EventKind::CountingCommitteeSet { committee } => {
                self.current = Some(CommitteeState::new(meeting, committee.clone()));
            }
            EventKind::KeyMessageSent { committee, message } => {
                let Some(c) = self
                    .current
                    .as_mut()
                    .filter(|c| c.committee.id == *committee)
                else {
                    return;
                };
                c.messages.push(message.clone());
                let n = c.params.members as usize;
                if message.round == 2 && c.of_round(2).count() == n {
                    // Decided already: the same messages always give the same key.
                    c.key = c
                        .round2()
                        .ok()
                        .and_then(|r| CommitteeKey::from_round2(&c.params, &r).ok());
                }
            }
            EventKind::CommitteeKeyReady { committee, .. } => {
                if let Some(c) = self
                    .current
                    .as_mut()
                    .filter(|c| c.committee.id == *committee)
                {
                    c.status = CommitteeStatus::Ready;
                }
            }
            EventKind::CommitteeKeyFailed { committee, reason } => {
                if let Some(c) = self
                    .current
                    .as_mut()
                    .filter(|c| c.committee.id == *committee)
                {
                    c.status = CommitteeStatus::Failed;
                    c.failure = Some(reason.clone());
                }
            }
            _ => {}
        }
    }

    /// The committee as `viewer` sees it: the key-setup messages go to its members and the
    /// staff only.
    pub fn view(&self, sees_messages: impl Fn(&Committee) -> bool) -> Option<CommitteeView> {
        let c = self.current.as_ref()?;
        let round = c.round();
        let ready = c.status == CommitteeStatus::Ready;
        Some(CommitteeView {
            committee: c.committee.clone(),
            params: Sealed(serde_json::to_value(c.params).unwrap_or_default()),
            status: c.status,
            round,
            done: c
                .of_round(round)
                .filter_map(|m| c.committee.members.get(usize::from(m.member)).copied())
                .collect(),
            key: c
                .key
                .as_ref()
                .filter(|_| ready)
                .map(|k| Sealed(serde_json::to_value(k).unwrap_or_default())),
            fingerprint: c.key.as_ref().filter(|_| ready).map(|k| k.fingerprint()),
            failure: c.failure.clone(),
            messages: sees_messages(&c.committee).then(|| c.messages.clone()),
        })
    }
}

pub(super) fn decide(
    state: &MeetingState,
    actor: &Actor,
    command: &Command,
    ctx: &Ctx,
) -> Decision {
    match command {
        Command::SetCountingCommittee { members, threshold } => {
            require(
                actor.runs_meeting(),
                "only the chair or the secretariat names the counting committee",
            )?;
            set(state, members, *threshold, ctx)
        }
        Command::SendKeyMessage {
            committee,
            round,
            message,
        } => key_message(state, actor, *committee, *round, message),
        _ => Err(EngineError::Invalid("not a committee command".into())),
    }
}

fn set(state: &MeetingState, members: &[ParticipantId], threshold: u32, ctx: &Ctx) -> Decision {
    if members.is_empty() || members.len() > protocol::sealed::MAX_COMMITTEE {
        return Err(EngineError::Invalid(format!(
            "a counting committee has 1 to {} members",
            protocol::sealed::MAX_COMMITTEE
        )));
    }
    if threshold == 0 || threshold as usize > members.len() {
        return Err(EngineError::Invalid(format!(
            "the threshold must be from 1 to the {} members",
            members.len()
        )));
    }
    for (i, m) in members.iter().enumerate() {
        let p = state
            .participant(*m)
            .ok_or_else(|| EngineError::NotFound(format!("no participant {m}")))?;
        if !p.role.is_member() {
            return Err(EngineError::Invalid(format!(
                "{} is not a member of the meeting and cannot count its ballots",
                p.name
            )));
        }
        if members[..i].contains(m) {
            return Err(EngineError::Invalid(format!("{} is named twice", p.name)));
        }
    }
    Ok(vec![EventKind::CountingCommitteeSet {
        committee: Committee {
            id: CommitteeId(ctx.new_id),
            members: members.to_vec(),
            threshold,
        },
    }])
}

fn key_message(
    state: &MeetingState,
    actor: &Actor,
    committee: CommitteeId,
    round: u8,
    message: &Sealed,
) -> Decision {
    let c = state
        .committees
        .current
        .as_ref()
        .filter(|c| c.committee.id == committee)
        .ok_or_else(|| {
            EngineError::NotFound("no such counting committee, or a newer one was named".into())
        })?;
    let member = match actor {
        Actor::Participant { id, .. } => c.member_index(*id),
        _ => None,
    }
    .ok_or_else(|| {
        EngineError::Forbidden("only the committee's members send key-setup messages".into())
    })?;
    if c.status != CommitteeStatus::MakingKey {
        return Err(EngineError::InvalidState(
            "the committee's key is already made (or its setup failed)".into(),
        ));
    }
    if round != c.round() {
        return Err(EngineError::InvalidState(format!(
            "the key setup is at round {}, not {round}",
            c.round()
        )));
    }
    if c.sent(round, member) {
        return Err(EngineError::InvalidState(format!(
            "this member's round-{round} message is in already"
        )));
    }
    if serde_json::to_vec(&message.0).map_or(usize::MAX, |b| b.len()) > MAX_MESSAGE_BYTES {
        return Err(EngineError::Invalid(format!(
            "a key-setup message is at most {MAX_MESSAGE_BYTES} bytes"
        )));
    }
    let n = c.params.members;
    let wrong_member = || EngineError::Invalid("the message names another member".into());
    match round {
        1 => {
            let m: Round1 = parse(message)?;
            if m.member != member {
                return Err(wrong_member());
            }
        }
        2 => {
            let m: Round2 = parse(message)?;
            if m.member != member {
                return Err(wrong_member());
            }
        }
        3 => {
            let shares: Vec<SealedShare> = parse(message)?;
            let mut to: Vec<u8> = shares.iter().map(|s| s.to).collect();
            to.sort_unstable();
            let others: Vec<u8> = (0..n).filter(|&j| j != member).collect();
            if shares.iter().any(|s| s.from != member) || to != others {
                return Err(EngineError::Invalid(
                    "round 3 holds one sealed share from this member to each other member".into(),
                ));
            }
        }
        _ => {
            let m: KeyConfirmation = parse(message)?;
            if m.member != member {
                return Err(wrong_member());
            }
            let key = c.key.as_ref().ok_or_else(|| {
                EngineError::InvalidState("the committee's key is not computed yet".into())
            })?;
            key.verify_confirmation(&m)
                .map_err(|e| EngineError::Invalid(e.to_string()))?;
        }
    }
    let mut events = vec![EventKind::KeyMessageSent {
        committee,
        message: KeyMessage {
            round,
            member,
            message: message.clone(),
        },
    }];
    let last_of_round = c.of_round(round).count() + 1 == usize::from(n);
    if last_of_round && round == 2 {
        // Every polynomial is in: the hub computes the committee's key, checking each proof.
        let mut all = c.round2()?;
        all.push(parse(message)?);
        if let Err(e) = CommitteeKey::from_round2(&c.params, &all) {
            events.push(EventKind::CommitteeKeyFailed {
                committee,
                reason: e.to_string(),
            });
        }
    }
    if last_of_round && round == ROUNDS {
        let key = c.key.as_ref().expect("checked above");
        events.push(EventKind::CommitteeKeyReady {
            committee,
            key: Sealed(serde_json::to_value(key).unwrap_or_default()),
            fingerprint: key.fingerprint(),
        });
    }
    Ok(events)
}
