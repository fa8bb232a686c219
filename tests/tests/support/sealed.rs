//! A secret poll run the way the hub runs it, over its HTTP API with each person's own
//! token: the counting committee's devices make its key together (four rounds of
//! `send_key_message`), the voters' tablets encrypt their ballots to it
//! (`cast_sealed_ballot`), and after the close two members' devices check every ballot of
//! the box themselves, add them up and give their decryption shares. Native, with the
//! `ballot-box` crate the tablets and the wasm module use; shared by the record's tests.

use ballot_box::rand_core::SeedableRng;
use ballot_box::{
    BallotParams, ChaCha20Rng, CommitteeKey, CommitteeParams, DkgMember, EncryptedBallot,
    EncryptedSum, MemberSecret, Round1, Round2, SealedShare,
};
use meeting_tests::guard;
use meeting_tests::http::{Request, Response};
use protocol::{Command, CommitteeStatus, MeetingId, MeetingView, ParticipantId, PollId, Sealed};
use std::net::SocketAddr;

/// The hub and the meeting the commands go to.
#[derive(Clone, Copy, Debug)]
pub struct Api {
    pub addr: SocketAddr,
    pub meeting: MeetingId,
}

impl Api {
    pub async fn command(&self, token: &str, id: &str, command: &Command) -> Response {
        let path = format!("/api/v1/meetings/{}/commands", self.meeting);
        let body = serde_json::json!({"id": id, "command": command});
        let r = Request::new("POST", &path).bearer(token).json(&body);
        guard(id, r.send(self.addr)).await.unwrap()
    }

    pub async fn ok(&self, token: &str, id: &str, command: &Command) {
        let r = self.command(token, id, command).await;
        assert_eq!(r.status, 200, "{}: {}", command.op(), r.text());
    }

    pub async fn get(&self, path: &str, token: &str) -> Response {
        let r = Request::new("GET", path).bearer(token);
        guard(path, r.send(self.addr)).await.unwrap()
    }

    pub async fn view(&self, token: &str) -> MeetingView {
        let r = self
            .get(&format!("/api/v1/meetings/{}", self.meeting), token)
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
        serde_json::from_value(r.json()["view"].clone()).unwrap()
    }
}

fn sealed<T: serde::Serialize>(value: &T) -> Sealed {
    Sealed(serde_json::to_value(value).unwrap())
}

fn from<T: serde::de::DeserializeOwned>(value: &serde_json::Value) -> T {
    serde_json::from_value(value.clone()).unwrap_or_else(|e| panic!("{e}: {value}"))
}

/// The counting committee's devices, once its key is made.
pub struct Committee {
    tokens: Vec<String>,
    pub key: CommitteeKey,
    secrets: Vec<MemberSecret>,
    rng: ChaCha20Rng,
}

impl Committee {
    /// Names `members` the committee (by `staff`, the secretariat or the chair), then runs
    /// their devices' four rounds of key setup, each member sending its own messages.
    pub async fn make(
        api: &Api,
        staff: &str,
        members: &[(ParticipantId, String)],
        threshold: u32,
    ) -> Committee {
        let set = Command::SetCountingCommittee {
            members: members.iter().map(|(id, _)| *id).collect(),
            threshold,
        };
        api.ok(staff, "counting-committee", &set).await;
        let view = api.view(staff).await.committee.expect("the committee");
        let params: CommitteeParams = from(&view.params.0);
        let committee = view.committee.id;
        let tokens: Vec<String> = members.iter().map(|(_, t)| t.clone()).collect();
        let mut rng = ChaCha20Rng::seed_from_u64(15);
        let send = |round: u8, member: usize, message: Sealed| {
            let token = tokens[member].clone();
            async move {
                let send = Command::SendKeyMessage {
                    committee,
                    round,
                    message,
                };
                api.ok(&token, &format!("key-{round}-{member}"), &send)
                    .await;
            }
        };
        let n = members.len();
        let mut devices = Vec::new();
        let mut round1: Vec<Round1> = Vec::new();
        for i in 0..n {
            let (device, m) = DkgMember::start(params, i as u8, &mut rng).unwrap();
            send(1, i, sealed(&m)).await;
            devices.push(device);
            round1.push(m);
        }
        let mut round2: Vec<Round2> = Vec::new();
        for (i, device) in devices.iter_mut().enumerate() {
            let (next, m) = device.round2(&round1).unwrap();
            send(2, i, sealed(&m)).await;
            *device = next;
            round2.push(m);
        }
        let mut shares: Vec<SealedShare> = Vec::new();
        for (i, device) in devices.iter_mut().enumerate() {
            let (next, mine) = device.round3(&round2, &mut rng).unwrap();
            send(3, i, sealed(&mine)).await;
            *device = next;
            shares.extend(mine);
        }
        let mut key = None;
        let mut secrets = Vec::new();
        for (i, device) in devices.iter().enumerate() {
            let to_me: Vec<SealedShare> = shares
                .iter()
                .filter(|s| usize::from(s.to) == i)
                .cloned()
                .collect();
            let outcome = device.finish(&to_me, &mut rng).unwrap();
            send(4, i, sealed(&outcome.confirmation)).await;
            key = Some(outcome.key);
            secrets.push(outcome.secret);
        }
        let key = key.expect("a member");
        let view = api.view(staff).await.committee.unwrap();
        assert_eq!(view.status, CommitteeStatus::Ready, "{:?}", view.failure);
        assert_eq!(
            view.fingerprint.as_deref(),
            Some(key.fingerprint().as_str()),
            "the hub's key is the members' key"
        );
        Committee {
            tokens,
            key,
            secrets,
            rng,
        }
    }

    /// A voter's tablet: `marks` encrypted to the committee's key in the shape the poll
    /// was sealed with, sent with the voter's token.
    pub async fn cast(
        &mut self,
        api: &Api,
        voter: &str,
        id: &str,
        poll: PollId,
        params: &BallotParams,
        marks: &[u32],
    ) {
        let ballot = ballot_box::encrypt(&self.key, params, marks, &mut self.rng).unwrap();
        let cast = Command::CastSealedBallot {
            poll,
            ballot: sealed(&ballot),
        };
        api.ok(voter, id, &cast).await;
    }

    /// After the close: members `who` fetch the box, check and add up every ballot on
    /// their own device and give their shares; with the threshold in, the hub opens the
    /// sum.
    pub async fn open(&mut self, api: &Api, poll: PollId, who: &[usize]) {
        let path = format!("/api/v1/meetings/{}/polls/{poll}/box.json", api.meeting);
        let r = api.get(&path, &self.tokens[who[0]]).await;
        assert_eq!(r.status, 200, "{}", r.text());
        let body = r.json();
        let params: BallotParams = from(&body["params"]);
        let ballots: Vec<EncryptedBallot> = from(&body["ballots"]);
        let sum = EncryptedSum::verified_from(&self.key, &params, &ballots, None).unwrap();
        for &i in who {
            let share = self.secrets[i]
                .decryption_share(&self.key, &sum, &mut self.rng)
                .unwrap();
            let give = Command::GiveDecryptionShare {
                poll,
                share: sealed(&share),
            };
            api.ok(&self.tokens[i], &format!("share-{i}"), &give).await;
        }
    }
}

/// The shape a sealed poll's ballots take, as the hub shows it once the poll is open.
pub fn ballot_params(view: &MeetingView, poll: PollId) -> BallotParams {
    let p = view.polls.iter().find(|p| p.poll.id == poll).unwrap();
    from(&p.sealed.as_ref().expect("a sealed poll").params.0)
}
