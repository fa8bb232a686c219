//! What each export does, JSON in and JSON out. Plain Rust on every target, so the host
//! tests it; [`crate::abi`] only moves bytes between JavaScript and these functions.
//!
//! Randomness comes in every input that needs it as `"seed"`: 32 bytes in hex from
//! `crypto.getRandomValues` (which a page on plain http has too), used once.

use std::sync::Mutex;

use ballot_box::{
    encrypt, verify, BallotParams, CommitteeKey, CommitteeParams, DkgMember, EncryptedBallot,
    EncryptedSum, MemberSecret, PartialSum, Progress, Round1, Round2, SealedShare,
};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};

/// The answer to a call: JSON, or the Rust error's message.
pub type Outcome = Result<Value, String>;

/// The sums this instance added up itself from ballots it verified ([`box_verify`]), or
/// joined from the stretches this device's other workers verified ([`box_join`]); only
/// these can be decrypted ([`decryption_share`]). A few are kept: one per open poll.
static VERIFIED: Mutex<Vec<EncryptedSum>> = Mutex::new(Vec::new());
const KEEP_VERIFIED: usize = 8;

fn parse<T: DeserializeOwned>(input: &[u8]) -> Result<T, String> {
    serde_json::from_slice(input).map_err(|e| format!("the input is not valid: {e}"))
}

fn message(error: impl std::fmt::Display) -> String {
    error.to_string()
}

/// A generator from `"seed"`: 64 hex digits.
fn rng(seed: &str) -> Result<ballot_box::ChaCha20Rng, String> {
    let bad = || "the seed must be 32 random bytes in 64 hex digits".to_owned();
    if seed.len() != 64 || !seed.is_ascii() {
        return Err(bad());
    }
    let mut bytes = [0u8; 32];
    for (byte, pair) in bytes.iter_mut().zip(seed.as_bytes().chunks(2)) {
        let pair = std::str::from_utf8(pair).map_err(|_| bad())?;
        *byte = u8::from_str_radix(pair, 16).map_err(|_| bad())?;
    }
    Ok(ballot_box::rng_from_seed(bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[derive(Deserialize)]
struct DkgStart {
    params: CommitteeParams,
    member: u8,
    seed: String,
}

/// `{params, member, seed}` → `{state, round1}`.
pub fn dkg_start(input: &[u8]) -> Outcome {
    let i: DkgStart = parse(input)?;
    let (state, round1) =
        DkgMember::start(i.params, i.member, &mut rng(&i.seed)?).map_err(message)?;
    Ok(json!({ "state": state, "round1": round1 }))
}

#[derive(Deserialize)]
struct DkgRound2 {
    state: DkgMember,
    round1: Vec<Round1>,
}

/// `{state, round1: [all members' round-1 messages]}` → `{state, round2, check_code}`.
pub fn dkg_round2(input: &[u8]) -> Outcome {
    let i: DkgRound2 = parse(input)?;
    let (state, round2) = i.state.round2(&i.round1).map_err(message)?;
    Ok(json!({ "check_code": state.check_code(), "state": state, "round2": round2 }))
}

#[derive(Deserialize)]
struct DkgRound3 {
    state: DkgMember,
    round2: Vec<Round2>,
    seed: String,
}

/// `{state, round2: [all round-2 messages], seed}` → `{state, sealed: [one per member]}`.
pub fn dkg_round3(input: &[u8]) -> Outcome {
    let i: DkgRound3 = parse(input)?;
    let (state, sealed) = i
        .state
        .round3(&i.round2, &mut rng(&i.seed)?)
        .map_err(message)?;
    Ok(json!({ "state": state, "sealed": sealed }))
}

#[derive(Deserialize)]
struct DkgFinish {
    state: DkgMember,
    sealed: Vec<SealedShare>,
    seed: String,
}

/// `{state, sealed: [the shares sealed to this member], seed}` →
/// `{secret, secret_text, committee, confirmation}`.
pub fn dkg_finish(input: &[u8]) -> Outcome {
    let i: DkgFinish = parse(input)?;
    let outcome = i
        .state
        .finish(&i.sealed, &mut rng(&i.seed)?)
        .map_err(message)?;
    Ok(json!({
        "secret_text": outcome.secret.to_text(),
        "secret": outcome.secret,
        "committee": outcome.key,
        "confirmation": outcome.confirmation,
    }))
}

#[derive(Deserialize)]
struct Encrypt {
    committee: CommitteeKey,
    params: BallotParams,
    marks: Vec<u32>,
    seed: String,
}

/// `{committee, params, marks: [option indices], seed}` → `{ballot, fingerprint, receipt}`.
pub fn ballot_encrypt(input: &[u8]) -> Outcome {
    let i: Encrypt = parse(input)?;
    let ballot = encrypt(&i.committee, &i.params, &i.marks, &mut rng(&i.seed)?).map_err(message)?;
    Ok(
        json!({ "fingerprint": ballot.fingerprint(), "receipt": ballot.receipt(), "ballot": ballot }),
    )
}

#[derive(Deserialize)]
struct Verify {
    committee: CommitteeKey,
    params: BallotParams,
    ballot: EncryptedBallot,
}

/// `{committee, params, ballot}` → `{fingerprint, receipt}` if every proof holds.
pub fn ballot_verify(input: &[u8]) -> Outcome {
    let i: Verify = parse(input)?;
    let verified = verify(&i.committee, &i.params, &i.ballot).map_err(message)?;
    Ok(json!({ "fingerprint": verified.fingerprint(), "receipt": verified.receipt() }))
}

#[derive(Deserialize)]
struct BoxVerify {
    committee: CommitteeKey,
    params: BallotParams,
    ballots: Vec<EncryptedBallot>,
}

/// `{committee, params, ballots: [ballot, …]}` → `{sum, ballots, digest}`: every ballot
/// verified, none twice, added up here; `progress(done, total)` as it goes. The sum is kept
/// so that [`decryption_share`] can decrypt it.
pub fn box_verify(input: &[u8], progress: Option<Progress<'_>>) -> Outcome {
    let i: BoxVerify = parse(input)?;
    let sum = EncryptedSum::verified_from(&i.committee, &i.params, &i.ballots, progress)
        .map_err(message)?;
    Ok(keep(sum))
}

/// `{sum, ballots, digest}` of a sum this instance will decrypt, which it keeps.
fn keep(sum: EncryptedSum) -> Value {
    let answer = json!({ "ballots": sum.ballots(), "digest": hex(&sum.digest()), "sum": sum });
    let mut kept = VERIFIED.lock().unwrap_or_else(|e| e.into_inner());
    kept.retain(|s| !s.same_as(&sum));
    if kept.len() == KEEP_VERIFIED {
        kept.remove(0);
    }
    kept.push(sum);
    answer
}

#[derive(Deserialize)]
struct BoxPart {
    committee: CommitteeKey,
    params: BallotParams,
    ballots: Vec<EncryptedBallot>,
    first: usize,
}

/// `{committee, params, ballots, first}` → a `PartialSum`: one worker's stretch of a box
/// (which starts at ballot `first`), every ballot verified, added up here; `progress(done,
/// total)` over the stretch as it goes. For [`box_join`] in the worker that will decrypt.
pub fn box_verify_part(input: &[u8], progress: Option<Progress<'_>>) -> Outcome {
    let i: BoxPart = parse(input)?;
    let part = PartialSum::verify(&i.committee, &i.params, &i.ballots, i.first, progress)
        .map_err(message)?;
    serde_json::to_value(part).map_err(message)
}

#[derive(Deserialize)]
struct BoxJoin {
    params: BallotParams,
    parts: Vec<PartialSum>,
    total: usize,
}

/// `{params, parts: [PartialSum, …], total}` → `{sum, ballots, digest}`, as [`box_verify`]:
/// the stretches of a box of `total` ballots that this device's workers verified, joined
/// (no gap, no overlap, no ballot twice) and kept for [`decryption_share`].
pub fn box_join(input: &[u8]) -> Outcome {
    let i: BoxJoin = parse(input)?;
    let sum = EncryptedSum::join(&i.params, &i.parts, i.total).map_err(message)?;
    Ok(keep(sum))
}

/// A member's secret as JSON or as its text form.
#[derive(Deserialize)]
#[serde(untagged)]
enum SecretInput {
    Json(MemberSecret),
    Text(String),
}

impl SecretInput {
    fn read(self, key: &CommitteeKey) -> Result<MemberSecret, String> {
        match self {
            SecretInput::Json(secret) => Ok(secret),
            SecretInput::Text(text) => MemberSecret::from_text(&text, key).map_err(message),
        }
    }
}

#[derive(Deserialize)]
struct Share {
    committee: CommitteeKey,
    secret: SecretInput,
    /// The digest [`box_verify`] returned: the sum must have been verified here.
    sum: String,
    seed: String,
}

/// `{committee, secret, sum: "<digest from box_verify>", seed}` → the member's decryption
/// share. Refused for a sum this instance did not verify and add up itself.
pub fn decryption_share(input: &[u8]) -> Outcome {
    let i: Share = parse(input)?;
    let secret = i.secret.read(&i.committee)?;
    let kept = VERIFIED.lock().unwrap_or_else(|e| e.into_inner());
    let sum = kept
        .iter()
        .find(|s| hex(&s.digest()) == i.sum.to_ascii_lowercase())
        .ok_or("this sum was not verified here: verify the box first, in the same worker")?;
    let share = secret
        .decryption_share(&i.committee, sum, &mut rng(&i.seed)?)
        .map_err(message)?;
    serde_json::to_value(share).map_err(message)
}

#[derive(Deserialize)]
struct ToText {
    secret: MemberSecret,
}

/// `{secret}` → `{text}`: the member secret's text form, for a printed QR code.
pub fn secret_text(input: &[u8]) -> Outcome {
    let i: ToText = parse(input)?;
    Ok(json!({ "text": i.secret.to_text() }))
}

#[derive(Deserialize)]
struct FromText {
    text: String,
    committee: CommitteeKey,
}

/// `{text, committee}` → `{secret}`: a scanned or typed secret, refused if it is not a
/// member's share of this committee's key.
pub fn secret_from_text(input: &[u8]) -> Outcome {
    let i: FromText = parse(input)?;
    let secret = MemberSecret::from_text(&i.text, &i.committee).map_err(message)?;
    Ok(json!({ "secret": secret }))
}

#[derive(Deserialize)]
struct Committee {
    committee: CommitteeKey,
}

/// `{committee}` → `{fingerprint, code}`: the key's fingerprint as this device computes
/// it from the key itself (never the hub's word for it), and its short form `XXXXX-XXXXX`
/// that the vote panel, the members' devices and the projector show for the hall to compare.
pub fn committee_code(input: &[u8]) -> Outcome {
    let i: Committee = parse(input)?;
    let code = i.committee.code();
    let (a, b) = code.split_at(code.len() / 2);
    Ok(json!({ "fingerprint": i.committee.fingerprint(), "code": format!("{a}-{b}") }))
}

/// `{secret}` → `{text, svg}`: the member secret's text form and a QR code of it (SVG),
/// drawn here so that the printed copy is made on the member's device only.
pub fn secret_qr(input: &[u8]) -> Outcome {
    let i: ToText = parse(input)?;
    let text = i.secret.to_text();
    let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M)
        .map_err(message)?;
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(240, 240)
        .quiet_zone(true)
        .build();
    Ok(json!({ "text": text, "svg": svg }))
}

#[cfg(test)]
mod tests;
