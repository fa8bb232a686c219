//! A committee member's side of the key setup, as the rounds come through the hub.
//!
//! The hub relays four rounds of `ballot-box`'s distributed key generation; a member's
//! device needs every member's message of one round before it can make its own of the
//! next. [`KeyLog`] gathers the messages (the snapshot's `committee.messages`, then the
//! `key_message_sent` events), [`KeyDevice`] makes this member's next message from them,
//! and [`make_key`] drives the two over a [`Session`] until the key is ready.
//!
//! The device is kept (by the caller, through [`KeyHooks::save`]) *before* each message it
//! made is sent: a device that stops after sending carries on with the same state, and
//! one that stops before sending makes its message again. Its state holds secrets until
//! the setup ends; keep it readable by its owner only.

use super::{os_rng, read, sealed, SealedError};
use crate::Session;
use ballot_box::rand_core::{CryptoRng, RngCore};
use ballot_box::{
    CommitteeKey, CommitteeParams, DkgMember, KeyConfirmation, MemberSecret, Round1, Round2,
    SealedShare,
};
use protocol::{
    Command, CommitteeId, CommitteeStatus, CommitteeView, EventKind, HubFrame, KeyMessage,
    ParticipantId, Sealed,
};
use serde::{Deserialize, Serialize};

/// What a member's device keeps once the key is made (readable by its owner only): the
/// committee, its public key as this device computed it, and the member's secret share.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct MemberKey {
    pub committee: CommitteeId,
    pub key: CommitteeKey,
    pub secret: MemberSecret,
}

impl MemberKey {
    /// This member's number on the committee (from 0).
    pub fn member(&self) -> u8 {
        self.secret.index()
    }

    /// Reads a printed copy ([`MemberSecret::to_text`]) back for the committee `view`
    /// shows, refusing a copy of another committee, of another member than `me`, or one that
    /// is not that member's share.
    pub fn import(
        view: &CommitteeView,
        me: ParticipantId,
        text: &str,
    ) -> Result<MemberKey, SealedError> {
        let member = member_index(view, me)?;
        let key: CommitteeKey = read(view.key.as_ref().ok_or(SealedError::NoKey)?, "the key")?;
        let secret = MemberSecret::from_text(text, &key)?;
        if secret.index() != member {
            return Err(SealedError::NotYourShare {
                found: secret.index() + 1,
                mine: member + 1,
            });
        }
        Ok(MemberKey {
            committee: view.committee.id,
            key,
            secret,
        })
    }
}

/// This member's number on `view`'s committee.
fn member_index(view: &CommitteeView, me: ParticipantId) -> Result<u8, SealedError> {
    view.committee
        .members
        .iter()
        .position(|m| *m == me)
        .and_then(|i| u8::try_from(i).ok())
        .ok_or(SealedError::NotAMember)
}

/// The key-setup messages of one committee as the hub relays them, and how the setup ended.
#[derive(Clone, Debug)]
pub struct KeyLog {
    committee: CommitteeId,
    members: u8,
    messages: Vec<KeyMessage>,
    /// The committee key's fingerprint, once the hub says it is ready.
    ready: Option<String>,
    failed: Option<String>,
    replaced: bool,
}

impl KeyLog {
    /// The messages in a snapshot's committee (its members and the staff get them).
    pub fn from_view(view: &CommitteeView) -> KeyLog {
        KeyLog {
            committee: view.committee.id,
            members: view.committee.members.len() as u8,
            messages: view.messages.clone().unwrap_or_default(),
            ready: view
                .fingerprint
                .clone()
                .filter(|_| view.status == CommitteeStatus::Ready),
            failed: view.failure.clone(),
            replaced: false,
        }
    }

    /// Takes a frame from the hub into account.
    pub fn observe(&mut self, frame: &HubFrame) {
        match frame {
            HubFrame::Snapshot { view, .. } => match &view.committee {
                Some(c) if c.committee.id == self.committee => *self = KeyLog::from_view(c),
                _ => self.replaced = true,
            },
            HubFrame::Event(e) => match &e.event {
                EventKind::KeyMessageSent { committee, message }
                    if *committee == self.committee
                        && self.mine(message.round, message.member).is_none() =>
                {
                    self.messages.push(message.clone());
                }
                EventKind::CommitteeKeyReady {
                    committee,
                    fingerprint,
                    ..
                } if *committee == self.committee => self.ready = Some(fingerprint.clone()),
                EventKind::CommitteeKeyFailed { committee, reason }
                    if *committee == self.committee =>
                {
                    self.failed = Some(reason.clone());
                }
                EventKind::CountingCommitteeSet { committee } if committee.id != self.committee => {
                    self.replaced = true;
                }
                _ => {}
            },
            _ => {}
        }
    }

    fn of_round(&self, round: u8) -> impl Iterator<Item = &KeyMessage> {
        self.messages.iter().filter(move |m| m.round == round)
    }

    fn mine(&self, round: u8, member: u8) -> Option<&Sealed> {
        self.of_round(round)
            .find(|m| m.member == member)
            .map(|m| &m.message)
    }

    /// The members whose message of `round` is not in yet.
    pub fn missing(&self, round: u8) -> Vec<u8> {
        (0..self.members)
            .filter(|&j| self.mine(round, j).is_none())
            .collect()
    }

    fn all<T: serde::de::DeserializeOwned>(&self, round: u8) -> Result<Vec<T>, SealedError> {
        self.of_round(round)
            .map(|m| read(&m.message, "a key-setup message"))
            .collect()
    }
}

/// What the device needs next.
#[derive(Clone, Debug)]
pub enum KeyStep {
    /// Send this message of `round` (keep the device first).
    Send { round: u8, message: Sealed },
    /// Every member's device shows this check code now: the members compare it aloud, and
    /// only if all agree does this device send its shares ([`KeyDevice::code_compared`]).
    CompareCode(String),
    /// Waiting for these members' messages of `round`.
    Wait { round: u8, missing: Vec<u8> },
    /// The key is ready and this member holds their share.
    Done(Box<MemberKey>),
}

/// A member's device during the key setup. Serde, and secret while the setup lasts.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct KeyDevice {
    committee: CommitteeId,
    dkg: DkgMember,
    /// The message this device made for the round under way, kept until the hub holds it.
    made: (u8, Sealed),
    /// Whether the hub acknowledged `made`.
    sent: bool,
    /// The check code over every round-1 message, from round 2 on.
    code: Option<String>,
    code_compared: bool,
    /// This member's key, once the device has finished (before round 4 is sent).
    key: Option<MemberKey>,
}

impl KeyDevice {
    /// Starts member `me`'s side of the key setup of `view`'s committee: makes the secret
    /// polynomial and transport key, and the round-1 message.
    pub fn start<R: CryptoRng + RngCore>(
        view: &CommitteeView,
        me: ParticipantId,
        rng: &mut R,
    ) -> Result<KeyDevice, SealedError> {
        let member = member_index(view, me)?;
        if view.status == CommitteeStatus::Failed {
            return Err(SealedError::SetupFailed(
                view.failure.clone().unwrap_or_default(),
            ));
        }
        let params: CommitteeParams = read(&view.params, "the committee's parameters")?;
        if usize::from(params.members) != view.committee.members.len() {
            return Err(SealedError::OtherPoll(
                "the key setup names another number of members than the committee".into(),
            ));
        }
        let (dkg, round1) = DkgMember::start(params, member, rng)?;
        Ok(KeyDevice {
            committee: view.committee.id,
            dkg,
            made: (1, sealed(&round1)),
            sent: false,
            code: None,
            code_compared: false,
            key: None,
        })
    }

    /// The committee whose key this device makes.
    pub fn committee(&self) -> CommitteeId {
        self.committee
    }

    /// This device's member number (from 0).
    pub fn member(&self) -> u8 {
        self.dkg.member()
    }

    /// The round whose message this device made last.
    pub fn round(&self) -> u8 {
        self.made.0
    }

    /// The check code, from round 2 on.
    pub fn check_code(&self) -> Option<&str> {
        self.code.as_deref()
    }

    /// The hub acknowledged the message of the round under way.
    pub fn sent(&mut self) {
        self.sent = true;
    }

    /// The members compared the check code and all saw the same.
    pub fn code_compared(&mut self) {
        self.code_compared = true;
    }

    /// What to do next, given every message the hub has relayed so far. Makes this
    /// member's next message when the round before is complete.
    pub fn step<R: CryptoRng + RngCore>(
        &mut self,
        log: &KeyLog,
        rng: &mut R,
    ) -> Result<KeyStep, SealedError> {
        if log.committee != self.committee || log.replaced {
            return Err(SealedError::Replaced);
        }
        if let Some(why) = &log.failed {
            return Err(SealedError::SetupFailed(why.clone()));
        }
        let me = self.member();
        loop {
            let (round, message) = self.made.clone();
            match log.mine(round, me) {
                Some(held) if *held != message => return Err(SealedError::Conflict { round }),
                Some(_) => self.sent = true,
                None if !self.sent => return Ok(KeyStep::Send { round, message }),
                // Acknowledged; its event is on its way.
                None => {}
            }
            if round == 2 && !self.code_compared {
                let code = self.code.clone().unwrap_or_default();
                return Ok(KeyStep::CompareCode(code));
            }
            let missing = log.missing(round);
            if !missing.is_empty() {
                return Ok(KeyStep::Wait { round, missing });
            }
            let next = match round {
                1 => {
                    let (dkg, r2) = self.dkg.round2(&log.all::<Round1>(1)?)?;
                    self.code = dkg.check_code().map(str::to_owned);
                    self.dkg = dkg;
                    sealed(&r2)
                }
                2 => {
                    let (dkg, shares) = self.dkg.round3(&log.all::<Round2>(2)?, rng)?;
                    self.dkg = dkg;
                    sealed(&shares)
                }
                3 => {
                    let mut mine = Vec::new();
                    for shares in log.all::<Vec<SealedShare>>(3)? {
                        mine.extend(shares.into_iter().filter(|s| s.to == me));
                    }
                    let outcome = self.dkg.finish(&mine, rng)?;
                    self.key = Some(MemberKey {
                        committee: self.committee,
                        key: outcome.key,
                        secret: outcome.secret,
                    });
                    sealed::<KeyConfirmation>(&outcome.confirmation)
                }
                _ => {
                    let key = self.key.clone().expect("made in round 3");
                    return match &log.ready {
                        Some(hub) if *hub != key.key.fingerprint() => {
                            Err(SealedError::KeyDiffers {
                                mine: key.key.fingerprint(),
                                hub: hub.clone(),
                            })
                        }
                        Some(_) => Ok(KeyStep::Done(Box::new(key))),
                        None => Ok(KeyStep::Wait { round, missing }),
                    };
                }
            };
            self.made = (round + 1, next);
            self.sent = false;
        }
    }
}

/// What [`make_key`] asks of whoever runs the device.
pub trait KeyHooks {
    /// Keeps the device (on disk, readable by its owner only): called before every message
    /// the device made is sent.
    fn save(&mut self, device: &KeyDevice) -> std::io::Result<()>;
    /// The members compare `code` aloud; `true` if every member's device shows the same.
    fn compare(&mut self, code: &str) -> bool;
    /// How far the setup is, for a screen.
    fn progress(&mut self, _step: &KeyStep) {}
}

/// Runs `device`'s side of the key setup over `session` until every member's device has
/// confirmed its share and the hub has announced the key; `log` holds what the hub relayed
/// so far (from the snapshot the session began with). Returns the member's key.
pub async fn make_key(
    session: &mut Session,
    device: &mut KeyDevice,
    log: &mut KeyLog,
    hooks: &mut (dyn KeyHooks + Send),
) -> Result<MemberKey, SealedError> {
    loop {
        let step = device.step(log, &mut os_rng()?)?;
        hooks.progress(&step);
        match step {
            KeyStep::Send { round, message } => {
                hooks.save(device).map_err(SealedError::Keep)?;
                let command = Command::SendKeyMessage {
                    committee: device.committee(),
                    round,
                    message,
                };
                session.command(command).await?;
                device.sent();
            }
            KeyStep::CompareCode(code) => {
                if !hooks.compare(&code) {
                    return Err(SealedError::CodeNotConfirmed);
                }
                device.code_compared();
                hooks.save(device).map_err(SealedError::Keep)?;
            }
            KeyStep::Wait { .. } => {
                let frame = session.next().await.map_err(crate::CommandError::from)?;
                log.observe(&frame);
            }
            KeyStep::Done(key) => return Ok(*key),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ballot_box::rand_core::SeedableRng;
    use protocol::Committee;

    fn rng(seed: u64) -> ballot_box::ChaCha20Rng {
        ballot_box::ChaCha20Rng::seed_from_u64(seed)
    }

    /// A committee of `n` as the hub shows it to its members, before any message.
    fn committee(n: u8, threshold: u8) -> (CommitteeView, Vec<ParticipantId>) {
        let members: Vec<ParticipantId> = (0..n).map(|_| ParticipantId::new_random()).collect();
        let params = CommitteeParams::new(n, threshold, [9; 32]).unwrap();
        let view = CommitteeView {
            committee: Committee {
                id: CommitteeId::new_random(),
                members: members.clone(),
                threshold: threshold.into(),
            },
            params: sealed(&params),
            status: CommitteeStatus::MakingKey,
            round: 1,
            done: vec![],
            key: None,
            fingerprint: None,
            failure: None,
            messages: Some(vec![]),
        };
        (view, members)
    }

    /// Plays the hub: takes a sent message into the log, and announces the key once every
    /// confirmation is in (the hub computes it from the round-2 messages).
    fn relay(log: &mut KeyLog, member: u8, round: u8, message: Sealed, params: &CommitteeParams) {
        log.messages.push(KeyMessage {
            round,
            member,
            message,
        });
        if log.missing(4).is_empty() {
            let key = CommitteeKey::from_round2(params, &log.all::<Round2>(2).unwrap()).unwrap();
            log.ready = Some(key.fingerprint());
        }
    }

    #[test]
    fn three_devices_make_one_key_and_one_restarts_from_its_kept_state() {
        let (view, members) = committee(3, 2);
        let params: CommitteeParams = read(&view.params, "params").unwrap();
        let mut log = KeyLog::from_view(&view);
        let mut devices: Vec<KeyDevice> = members
            .iter()
            .zip(0..)
            .map(|(m, i)| KeyDevice::start(&view, *m, &mut rng(i)).unwrap())
            .collect();
        let mut keys: Vec<Option<MemberKey>> = vec![None, None, None];
        let mut codes = Vec::new();
        let mut restarted = false;
        for turn in 0..200 {
            if keys.iter().all(Option::is_some) {
                break;
            }
            let i = turn % 3;
            if keys[i].is_some() {
                continue;
            }
            match devices[i].step(&log, &mut rng(100 + turn as u64)).unwrap() {
                KeyStep::Send { round, message } => {
                    // The device is kept before it sends; device 0 is restored from what
                    // was kept once, after its round-2 message went out and before the ack.
                    let kept = serde_json::to_string(&devices[i]).unwrap();
                    relay(&mut log, i as u8, round, message, &params);
                    if i == 0 && round == 2 && !restarted {
                        devices[0] = serde_json::from_str(&kept).unwrap();
                        restarted = true;
                    } else {
                        devices[i].sent();
                    }
                }
                KeyStep::CompareCode(code) => {
                    codes.push(code);
                    devices[i].code_compared();
                }
                KeyStep::Wait { .. } => {}
                KeyStep::Done(key) => keys[i] = Some(*key),
            }
        }
        assert!(restarted);
        assert_eq!(codes.len(), 3);
        assert!(
            codes.iter().all(|c| *c == codes[0] && c.len() >= 10),
            "{codes:?}"
        );
        let keys: Vec<MemberKey> = keys.into_iter().map(Option::unwrap).collect();
        let fingerprint = keys[0].key.fingerprint();
        for (k, key) in keys.iter().enumerate() {
            assert_eq!(key.key.fingerprint(), fingerprint);
            assert_eq!(usize::from(key.member()), k);
            key.secret.check(&key.key).unwrap();
        }
        assert_eq!(
            log.messages.len(),
            12,
            "one message per member and round, none twice"
        );
    }

    #[test]
    fn another_message_in_the_log_under_this_member_stops_the_device() {
        let (view, members) = committee(2, 2);
        let mut log = KeyLog::from_view(&view);
        let mut mine = KeyDevice::start(&view, members[0], &mut rng(1)).unwrap();
        let elsewhere = KeyDevice::start(&view, members[0], &mut rng(2)).unwrap();
        log.messages.push(KeyMessage {
            round: 1,
            member: 0,
            message: elsewhere.made.1.clone(),
        });
        assert!(matches!(
            mine.step(&log, &mut rng(3)),
            Err(SealedError::Conflict { round: 1 })
        ));
    }

    #[test]
    fn a_new_committee_or_a_failure_ends_the_setup_and_outsiders_cannot_start() {
        let (view, members) = committee(2, 1);
        let mut device = KeyDevice::start(&view, members[1], &mut rng(1)).unwrap();
        assert_eq!(device.member(), 1);
        assert!(matches!(
            KeyDevice::start(&view, ParticipantId::new_random(), &mut rng(2)),
            Err(SealedError::NotAMember)
        ));
        let mut failed = KeyLog::from_view(&view);
        failed.failed = Some("member 1's polynomial does not hold".into());
        assert!(matches!(
            device.step(&failed, &mut rng(3)),
            Err(SealedError::SetupFailed(_))
        ));
        let mut replaced = KeyLog::from_view(&view);
        let (other, _) = committee(2, 1);
        replaced.observe(&HubFrame::Event(protocol::Event {
            seq: 9,
            at: protocol::Timestamp(0),
            event: EventKind::CountingCommitteeSet {
                committee: other.committee,
            },
        }));
        assert!(matches!(
            device.step(&replaced, &mut rng(4)),
            Err(SealedError::Replaced)
        ));
    }
}
