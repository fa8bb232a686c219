//! The committee's key made by the members' devices, every message and every state going
//! through JSON as over the wire; and the messages a device must refuse.

mod common;

use ballot_box::{
    BallotParams, CommitteeKey, CommitteeParams, DkgError, DkgMember, KeyConfirmation,
    MemberSecret, Round1, Round2, SealedShare,
};
use common::{cast, context, count, rng};
use serde::{de::DeserializeOwned, Serialize};

/// Through JSON and back, as a message or a stored state travels.
fn wire<T: Serialize + DeserializeOwned>(value: &T) -> T {
    serde_json::from_str(&serde_json::to_string(value).unwrap()).unwrap()
}

/// The members' devices between rounds, as the hub relays for them.
struct Hall {
    params: CommitteeParams,
    members: Vec<DkgMember>,
    round1: Vec<Round1>,
    round2: Vec<Round2>,
    sealed: Vec<SealedShare>,
}

impl Hall {
    fn start(n: u8, t: u8, seed: u64) -> Hall {
        let params = CommitteeParams::new(n, t, [seed as u8; 32]).unwrap();
        let mut rng = rng(seed);
        let (members, round1) = (0..n)
            .map(|i| {
                let (member, round1) = DkgMember::start(params, i, &mut rng).unwrap();
                (wire(&member), wire(&round1))
            })
            .unzip();
        Hall {
            params,
            members,
            round1,
            round2: vec![],
            sealed: vec![],
        }
    }

    fn round2(&mut self) {
        let (members, round2) = self
            .members
            .iter()
            .map(|m| {
                let (next, round2) = m.round2(&wire(&self.round1)).unwrap();
                (wire(&next), wire(&round2))
            })
            .unzip();
        self.members = members;
        self.round2 = round2;
    }

    fn round3(&mut self, seed: u64) {
        let mut rng = rng(seed);
        let mut sealed = vec![];
        let mut members = vec![];
        for m in &self.members {
            let (next, shares) = m.round3(&wire(&self.round2), &mut rng).unwrap();
            members.push(wire(&next));
            sealed.extend(shares.iter().map(wire));
        }
        self.members = members;
        self.sealed = sealed;
    }

    fn to(&self, member: u8) -> Vec<SealedShare> {
        self.sealed
            .iter()
            .filter(|s| s.to == member)
            .cloned()
            .collect()
    }

    fn finish(&self, seed: u64) -> (CommitteeKey, Vec<MemberSecret>, Vec<KeyConfirmation>) {
        let mut rng = rng(seed);
        let mut secrets = vec![];
        let mut confirmations = vec![];
        let mut key = None;
        for m in &self.members {
            let outcome = m.finish(&self.to(m.member()), &mut rng).unwrap();
            secrets.push(wire(&outcome.secret));
            confirmations.push(wire(&outcome.confirmation));
            key = Some(outcome.key);
        }
        (key.unwrap(), secrets, confirmations)
    }
}

fn run(n: u8, t: u8, seed: u64) {
    let mut hall = Hall::start(n, t, seed);
    hall.round2();
    let code = hall.members[0].check_code().unwrap().to_owned();
    assert_eq!(code.len(), 10);
    assert!(hall
        .members
        .iter()
        .all(|m| m.check_code() == Some(code.as_str())));
    hall.round3(seed + 1);
    assert_eq!(hall.sealed.len(), usize::from(n) * usize::from(n - 1));
    let (key, secrets, confirmations) = hall.finish(seed + 2);

    // The hub computes the same key from the round-2 messages alone.
    let public = CommitteeKey::from_round2(&hall.params, &wire(&hall.round2)).unwrap();
    assert_eq!(public.fingerprint(), key.fingerprint());
    assert_eq!((public.members(), public.threshold()), (n, t));
    for (i, (secret, confirmation)) in secrets.iter().zip(&confirmations).enumerate() {
        assert_eq!(usize::from(secret.index()), i);
        secret.check(&public).unwrap();
        public.verify_confirmation(confirmation).unwrap();
    }
    let mut forged = confirmations[0].clone();
    forged.member = n - 1;
    let refused = public.verify_confirmation(&forged);
    assert!(n == 1 || refused == Err(DkgError::BadConfirmation { member: n - 1 }));

    // The key counts ballots, with any t members.
    let params = BallotParams::at_most(context("dkg"), 4, 2);
    let (ballots, expected) = cast(&public, &params, &[vec![0, 1], vec![1], vec![]], seed + 3);
    let last_t: Vec<usize> = (usize::from(n - t)..usize::from(n)).collect();
    assert_eq!(
        count(&public, &params, &ballots, &secrets, &last_t),
        expected
    );
}

#[test]
fn two_of_three_members_make_the_key_over_the_wire() {
    run(3, 2, 40);
}

#[test]
fn three_of_five_members_make_the_key_over_the_wire() {
    run(5, 3, 50);
}

#[test]
fn a_committee_of_one_makes_its_key_alone() {
    run(1, 1, 60);
}

#[test]
fn round_one_messages_with_a_wrong_member_a_duplicate_or_a_gap_are_refused() {
    let hall = Hall::start(3, 2, 70);
    let me = &hall.members[0];
    let mut stranger = hall.round1.clone();
    stranger[2].member = 3;
    assert_eq!(
        me.round2(&stranger).unwrap_err(),
        DkgError::NotAMember {
            member: 3,
            members: 3
        }
    );
    let mut twice = hall.round1.clone();
    twice[2].member = 1;
    assert_eq!(
        me.round2(&twice).unwrap_err(),
        DkgError::Duplicate { member: 1 }
    );
    assert_eq!(
        me.round2(&hall.round1[..2]).unwrap_err(),
        DkgError::Missing { members: vec![2] }
    );
    // Its own message may be left out, but not altered.
    assert!(me.round2(&hall.round1[1..]).is_ok());
    let mut altered = hall.round1.clone();
    altered[0].transport_key = hall.round1[1].transport_key;
    assert_eq!(
        me.round2(&altered).unwrap_err(),
        DkgError::NotMine { member: 0 }
    );
    // Steps in order: round 3 before round 2 is refused, and nothing changed.
    assert!(matches!(
        me.round3(&[], &mut rng(1)).unwrap_err(),
        DkgError::WrongStep { .. }
    ));
    assert_eq!(me.step(), "committed");
    assert!(DkgMember::start(hall.params, 3, &mut rng(1)).is_err());
}

#[test]
fn a_polynomial_that_does_not_open_its_commitment_is_refused() {
    let mut hall = Hall::start(3, 2, 80);
    hall.round2();
    // Member 2's polynomial from another run: a commitment it does not open.
    let mut other = Hall::start(3, 2, 81);
    other.round2();
    let mut round2 = hall.round2.clone();
    round2[2] = other.round2[2].clone();
    assert_eq!(
        hall.members[0].round3(&round2, &mut rng(1)).unwrap_err(),
        DkgError::BadCommitment { member: 2 }
    );
    // The hub, without commitments, still checks each polynomial's proof.
    let mut short = hall.round2.clone();
    short[1].info.polynomial.pop();
    assert_eq!(
        CommitteeKey::from_round2(&hall.params, &short).unwrap_err(),
        DkgError::BadPolynomial { member: 1 }
    );
    assert_eq!(
        hall.members[0].round3(&short, &mut rng(1)).unwrap_err(),
        DkgError::BadPolynomial { member: 1 }
    );
    assert!(matches!(
        CommitteeKey::from_round2(&hall.params, &hall.round2[..2]),
        Err(DkgError::Missing { .. })
    ));
}

#[test]
fn sealed_shares_that_are_misaddressed_unreadable_or_false_are_refused() {
    let mut hall = Hall::start(3, 2, 90);
    hall.round2();
    hall.round3(91);
    let member1 = &hall.members[1];
    let mut rng = rng(92);

    let mut to_me = hall.to(1);
    assert!(member1.finish(&to_me, &mut rng).is_ok());
    let for_member2 = hall.to(2)[0].clone();
    assert_eq!(
        member1
            .finish(&[to_me[0].clone(), for_member2], &mut rng)
            .unwrap_err(),
        DkgError::NotForMe {
            from: for_member2_from(&hall),
            to: 2
        }
    );
    assert_eq!(
        member1.finish(&to_me[..1], &mut rng).unwrap_err(),
        DkgError::Missing {
            members: vec![to_me[1].from]
        }
    );
    // A share sealed from member 0 relabelled as from member 2: HPKE's info names the sender.
    let relabelled = SealedShare {
        from: 2,
        ..to_me[0].clone()
    };
    assert_eq!(to_me[0].from, 0);
    assert_eq!(
        member1
            .finish(&[to_me[0].clone(), relabelled], &mut rng)
            .unwrap_err(),
        DkgError::Unreadable { from: 2 }
    );
    to_me[1].ciphertext[0] ^= 1;
    assert_eq!(
        member1.finish(&to_me, &mut rng).unwrap_err(),
        DkgError::Unreadable {
            from: to_me[1].from
        }
    );

    // A rogue device in member 2's place sends member 1 a share of another polynomial: it
    // opens, and does not lie on member 2's published polynomial.
    let (rogue, rogue_round1) = DkgMember::start(hall.params, 2, &mut rng).unwrap();
    let mut round1 = hall.round1.clone();
    round1[2] = rogue_round1;
    let (rogue, rogue_round2) = rogue.round2(&round1).unwrap();
    let mut round2 = hall.round2.clone();
    round2[2] = rogue_round2;
    let (_, rogue_shares) = rogue.round3(&round2, &mut rng).unwrap();
    let false_share = rogue_shares.into_iter().find(|s| s.to == 1).unwrap();
    let honest_from0 = hall.to(1).into_iter().find(|s| s.from == 0).unwrap();
    assert_eq!(
        member1
            .finish(&[honest_from0, false_share], &mut rng)
            .unwrap_err(),
        DkgError::BadShare { from: 2 }
    );
}

fn for_member2_from(hall: &Hall) -> u8 {
    hall.to(2)[0].from
}
