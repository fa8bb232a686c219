//! The sealed ballot box for the browser tests, from outside the hub as a hall lives it:
//! the counting committee's members whose devices are native (the `ballot-box` crate, as
//! the native tablet uses it) take part in the key setup over the hub's REST commands,
//! beside a member whose device is a browser, and give their decryption shares of a box
//! they verified themselves; a voter without a browser encrypts its ballot the same way.

// Each test file that includes this module uses part of it.
#![allow(dead_code)]

use ballot_box::rand_core::SeedableRng;
use ballot_box::{
    encrypt, BallotParams, ChaCha20Rng, CommitteeKey, CommitteeParams, DkgMember, EncryptedBallot,
    EncryptedSum, MemberSecret, Round1, Round2, SealedShare,
};
use meeting_tests::{MeetingFixture, Member, TestHub};
use serde_json::{json, Value};

/// Runs `command` as `token`, failing the test on a refusal; the hub's answer.
pub async fn command(
    hub: &TestHub,
    m: &MeetingFixture,
    token: &str,
    id: &str,
    command: Value,
) -> Value {
    let path = format!("/api/v1/meetings/{}/commands", m.id);
    let r = hub
        .post(&path, token, &json!({"id": id, "command": command}))
        .await;
    assert_eq!(r.status, 200, "{id}: {}", r.text());
    r.json()
}

/// The meeting's view as the office sees it.
pub async fn office_view(hub: &TestHub, m: &MeetingFixture) -> Value {
    let r = hub
        .get(&format!("/api/v1/meetings/{}", m.id), hub.office_token())
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()["view"].clone()
}

fn from<T: serde::de::DeserializeOwned>(value: &Value) -> T {
    serde_json::from_value(value.clone()).unwrap_or_else(|e| panic!("{e}: {value}"))
}

/// The committee's members whose devices are native; member numbers follow the order the
/// committee was named in, and `None` stands for a device the test does not drive.
pub struct NativeMembers {
    tokens: Vec<Option<String>>,
    devices: Vec<Option<DkgMember>>,
    secrets: Vec<Option<MemberSecret>>,
    sent: Vec<u8>,
    codes: Vec<Option<String>>,
    rng: ChaCha20Rng,
}

impl NativeMembers {
    /// Names `members` the committee with `threshold`, as the office; `native[i]` says
    /// whether member `i`'s device is driven here.
    pub async fn name(
        hub: &TestHub,
        m: &MeetingFixture,
        members: &[&Member],
        native: &[bool],
        threshold: u32,
    ) -> NativeMembers {
        let ids: Vec<_> = members.iter().map(|p| p.id()).collect();
        command(
            hub,
            m,
            hub.office_token(),
            "committee",
            json!({"op": "set_counting_committee", "members": ids, "threshold": threshold}),
        )
        .await;
        NativeMembers::named(members, native)
    }

    /// The devices of a committee named already (from a screen), `members` in its order.
    pub fn named(members: &[&Member], native: &[bool]) -> NativeMembers {
        NativeMembers {
            tokens: members
                .iter()
                .zip(native)
                .map(|(p, &n)| n.then(|| p.token.clone()))
                .collect(),
            devices: members.iter().map(|_| None).collect(),
            secrets: members.iter().map(|_| None).collect(),
            sent: vec![0; members.len()],
            codes: vec![None; members.len()],
            rng: ChaCha20Rng::seed_from_u64(12),
        }
    }

    /// Sends every round the native devices can send now (a round once every member's
    /// previous one is in); returns the committee's status.
    pub async fn step(&mut self, hub: &TestHub, m: &MeetingFixture) -> String {
        let view = office_view(hub, m).await;
        let c = &view["committee"];
        let status = c["status"].as_str().unwrap().to_owned();
        if status != "making_key" {
            return status;
        }
        let committee = c["committee"]["id"].clone();
        let params: CommitteeParams = from(&c["params"]);
        let n = self.tokens.len();
        let messages = c["messages"].as_array().unwrap();
        let of = |round: u64| -> Vec<Value> {
            let mut list: Vec<&Value> = messages.iter().filter(|x| x["round"] == round).collect();
            list.sort_by_key(|x| x["member"].as_u64());
            list.into_iter().map(|x| x["message"].clone()).collect()
        };
        for i in 0..n {
            let Some(token) = self.tokens[i].clone() else {
                continue;
            };
            let next = self.sent[i] + 1;
            let previous = of(u64::from(next) - 1);
            if next > 4 || (next > 1 && previous.len() < n) {
                continue;
            }
            let message = match next {
                1 => {
                    let (device, message) =
                        DkgMember::start(params, i as u8, &mut self.rng).unwrap();
                    self.devices[i] = Some(device);
                    json!(message)
                }
                2 => {
                    let round1: Vec<Round1> = previous.iter().map(from).collect();
                    let (device, message) =
                        self.devices[i].as_ref().unwrap().round2(&round1).unwrap();
                    self.codes[i] = device.check_code().map(str::to_owned);
                    self.devices[i] = Some(device);
                    json!(message)
                }
                3 => {
                    let round2: Vec<Round2> = previous.iter().map(from).collect();
                    let (device, shares) = self.devices[i]
                        .as_ref()
                        .unwrap()
                        .round3(&round2, &mut self.rng)
                        .unwrap();
                    self.devices[i] = Some(device);
                    json!(shares)
                }
                _ => {
                    let mine: Vec<SealedShare> = previous
                        .iter()
                        .flat_map(|list| list.as_array().unwrap().iter().map(from))
                        .filter(|s: &SealedShare| usize::from(s.to) == i)
                        .collect();
                    let outcome = self.devices[i]
                        .take()
                        .unwrap()
                        .finish(&mine, &mut self.rng)
                        .unwrap();
                    self.secrets[i] = Some(outcome.secret);
                    json!(outcome.confirmation)
                }
            };
            command(
                hub,
                m,
                &token,
                &format!("key-{i}-{next}"),
                json!({"op": "send_key_message", "committee": committee, "round": next, "message": message}),
            )
            .await;
            self.sent[i] = next;
        }
        status
    }

    /// The check code member `i`'s native device showed once it made round 2.
    pub fn check_code(&self, i: usize) -> Option<String> {
        self.codes[i].clone()
    }

    /// Runs the key setup to the end, when every device is native.
    pub async fn make_key(&mut self, hub: &TestHub, m: &MeetingFixture) {
        for _ in 0..8 {
            if self.step(hub, m).await == "ready" {
                return;
            }
        }
        assert_eq!(office_view(hub, m).await["committee"]["status"], "ready");
    }

    /// Member `i` downloads the closed box, verifies and adds it up, and gives its share.
    pub async fn give_share(&mut self, hub: &TestHub, m: &MeetingFixture, i: usize, poll: &str) {
        let token = self.tokens[i].clone().expect("a native member");
        let r = hub
            .get(
                &format!("/api/v1/meetings/{}/polls/{poll}/box.json", m.id),
                &token,
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text());
        let b = r.json();
        let key: CommitteeKey = from(&b["committee"]);
        let params: BallotParams = from(&b["params"]);
        let ballots: Vec<EncryptedBallot> =
            b["ballots"].as_array().unwrap().iter().map(from).collect();
        let sum = EncryptedSum::verified_from(&key, &params, &ballots, None).unwrap();
        let share = self.secrets[i]
            .as_ref()
            .expect("the member's secret")
            .decryption_share(&key, &sum, &mut self.rng)
            .unwrap();
        command(
            hub,
            m,
            &token,
            &format!("share-{i}-{poll}"),
            json!({"op": "give_decryption_share", "poll": poll, "share": share}),
        )
        .await;
    }
}

/// A sealed ballot of `voter` marking `marks`, encrypted here as a native tablet would;
/// the hub's answer (with the receipt).
pub async fn cast_sealed(
    hub: &TestHub,
    m: &MeetingFixture,
    voter: &Member,
    poll: &str,
    marks: &[u32],
    seed: u64,
) -> Value {
    let view = office_view(hub, m).await;
    let pv = view["polls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["poll"]["id"] == poll)
        .unwrap();
    let key: CommitteeKey = from(&view["committee"]["key"]);
    let params: BallotParams = from(&pv["sealed"]["params"]);
    let ballot = encrypt(&key, &params, marks, &mut ChaCha20Rng::seed_from_u64(seed)).unwrap();
    let id = format!("0b1c2d3e-0000-4000-8000-{seed:012x}");
    command(
        hub,
        m,
        &voter.token,
        &id,
        json!({"op": "cast_sealed_ballot", "poll": poll, "ballot": ballot}),
    )
    .await
}
