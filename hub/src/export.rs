//! Exported results: a closed poll as JSON and as CSV (the record's form, see
//! `crate::record`), with the exact same bytes every time
//! (fixed field order, options in list order, ballots in summons order, receipts sorted),
//! so a detached signature over them stays valid and `hub verify` can check a copy.
//!
//! An open poll's export names who chose what (a proxy ballot is marked); a secret poll's
//! never can: once published it carries the opened sealed box (every encrypted ballot by
//! receipt, the sum, the committee's shares with their proofs, the counts), which `hub
//! verify` checks offline, and the paper ballots counted in the hall.

use crate::engine::polls::PollState;
use crate::engine::MeetingState;
use protocol::{Meeting, PaperCount, Poll, PollResult, PollStatus, ReceiptLine, Sealed};
use serde::Serialize;

/// One named ballot of an open poll.
#[derive(Debug, Serialize)]
pub struct NamedBallot {
    pub participant: protocol::ParticipantId,
    pub name: String,
    pub seat: Option<String>,
    pub choices: Vec<u32>,
    pub proxy: bool,
}

/// The JSON export.
#[derive(Debug, Serialize)]
pub struct ResultExport<'a> {
    pub export: &'static str,
    pub meeting: &'a Meeting,
    pub poll: &'a Poll,
    pub status: PollStatus,
    pub options: Vec<String>,
    pub result: &'a PollResult,
    /// Open polls: every ballot with its voter's name.
    pub ballots: Option<Vec<NamedBallot>>,
    /// Secret polls, once published: every ballot by receipt.
    pub receipts: Option<Vec<ReceiptLine>>,
    /// Secret polls, once published: the opened box, checked offline by `hub verify`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sealed: Option<ballot_box::SealedTally>,
    /// Secret polls: the paper ballots counted in the hall, added to the box's counts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paper: Option<PaperCount>,
}

/// Why a poll has no export yet.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("no such poll in this meeting")]
    NotFound,
    #[error("the poll has no result yet: it is counted when the chair closes it")]
    NotCounted,
    /// The record could not write what the poll holds.
    #[error("{0}")]
    Record(String),
}

fn build<'a>(
    state: &'a MeetingState,
    p: &'a PollState,
    sealed_ballots: &[Sealed],
) -> Result<ResultExport<'a>, ExportError> {
    let meeting = state.meeting.as_ref().ok_or(ExportError::NotFound)?;
    let result = match (&p.result, p.status) {
        (Some(r), PollStatus::Closed | PollStatus::Published) => r,
        _ => return Err(ExportError::NotCounted),
    };
    let ballots = (!p.poll.secret).then(|| {
        state
            .participants
            .iter()
            .filter_map(|person| {
                let voted = p.voters.get(&person.id)?;
                Some(NamedBallot {
                    participant: person.id,
                    name: person.name.clone(),
                    seat: person.seat.clone(),
                    choices: voted.choices.clone().unwrap_or_default(),
                    proxy: voted.proxy,
                })
            })
            .collect()
    });
    let published = p.status == PollStatus::Published;
    Ok(ResultExport {
        export: "poll_result/v1",
        meeting,
        poll: &p.poll,
        status: p.status,
        options: p.poll.kind.options(),
        result,
        ballots,
        receipts: (p.poll.secret && published).then(|| p.receipts()),
        sealed: p
            .sealed
            .as_ref()
            .filter(|_| published)
            .and_then(|s| s.tally(sealed_ballots)),
        paper: p.sealed.as_ref().map(|_| p.paper.clone()),
    })
}

/// The JSON bytes of a counted poll; `ballots` are a secret poll's box from the store.
pub fn json(
    state: &MeetingState,
    p: &PollState,
    ballots: &[Sealed],
) -> Result<Vec<u8>, ExportError> {
    let export = build(state, p, ballots)?;
    let mut bytes = serde_json::to_vec_pretty(&export).expect("exports serialize");
    bytes.push(b'\n');
    Ok(bytes)
}

/// The CSV bytes of a counted poll: the record's one-table form (`Mục, Chỉ tiêu, Giá
/// trị` rows, UTF-8 with a byte-order mark, the wire's values: `valid_ballots`,
/// `published`), so a spreadsheet reads the Vietnamese and a script the values.
pub fn csv(state: &MeetingState, p: &PollState) -> Result<Vec<u8>, ExportError> {
    build(state, p, &[])?;
    crate::record::result_csv(state, p).map_err(|e| ExportError::Record(e.to_string()))
}

/// What `hub verify` says of a secret poll's exported result: `Ok(None)` when the file has
/// no sealed box (an open poll's, or not a result), `Ok(Some(summary))` when every ballot's
/// proofs, the sum, every share and the counts hold and the published tallies are the box's
/// counts plus the paper ballots, and `Err(what)` naming the first thing that does not.
/// Checked from the file alone, without the hub's key or anything else of the hub's.
pub fn check_sealed(bytes: &[u8]) -> Result<Option<String>, String> {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(bytes) else {
        return Ok(None);
    };
    let Some(sealed) = value.get("sealed").filter(|s| s.is_object()) else {
        return Ok(None);
    };
    let sealed_bytes = serde_json::to_vec(sealed).map_err(|e| e.to_string())?;
    let tally = ballot_box::SealedTally::from_json(&sealed_bytes)
        .map_err(|e| format!("the sealed box cannot be read: {e}"))?;
    tally
        .verify()
        .map_err(|e| format!("the sealed box does not hold: {e}"))?;
    let paper: PaperCount = value
        .get("paper")
        .and_then(|p| serde_json::from_value(p.clone()).ok())
        .unwrap_or_default();
    let result: PollResult = value
        .get("result")
        .and_then(|r| serde_json::from_value(r.clone()).ok())
        .ok_or("the file has a sealed box but no result")?;
    for (option, published) in result.tallies.iter().enumerate() {
        let boxed = tally.counts.get(option).copied().unwrap_or(0);
        let by_hand = u64::from(paper.tallies.get(option).copied().unwrap_or(0));
        if u64::from(*published) != boxed + by_hand {
            return Err(format!(
                "option {option}: the result says {published}, the box opens {boxed} and the \
                 paper ballots add {by_hand}"
            ));
        }
    }
    let ballots = tally.ballots.len() as u64;
    if u64::from(result.valid) != ballots + u64::from(paper.valid) {
        return Err(format!(
            "the result says {} valid ballots; the box holds {ballots} and the paper {}",
            result.valid, paper.valid
        ));
    }
    let receipts: Option<Vec<ReceiptLine>> = value
        .get("receipts")
        .and_then(|r| serde_json::from_value(r.clone()).ok());
    let mut listed: Vec<&str> = receipts
        .iter()
        .flatten()
        .map(|r| r.fingerprint.as_str())
        .collect();
    let mut boxed: Vec<&str> = tally
        .ballots
        .iter()
        .map(|b| b.fingerprint.as_str())
        .collect();
    listed.sort_unstable();
    boxed.sort_unstable();
    if listed != boxed {
        return Err("the published receipts are not the ballots in the box".into());
    }
    Ok(Some(format!(
        "{ballots} encrypted ballots, each proven well formed; their sum opened by {} of the \
         committee's {} members with proven shares (committee {}); counts {:?} plus paper \
         {:?} make the published tallies",
        tally.shares.len(),
        tally.committee.members(),
        tally.committee.code(),
        tally.counts,
        paper.tallies
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::testing::Hall;
    use protocol::{Command, PollId, PollKind, PollSpec, Preset};

    /// A published secret election's export, as the route serves it.
    fn published_export() -> Vec<u8> {
        let mut m = Hall::in_session();
        for n in 0..9 {
            let id = m.delegates[n];
            m.run(
                crate::engine::Actor::System,
                Command::CheckIn { participant: id },
            )
            .unwrap();
        }
        let devices = m.make_committee(&[0, 1, 2], 2);
        let spec = PollSpec {
            title: "Bầu Ban Chấp hành".into(),
            item: None,
            kind: PollKind::Election {
                candidates: vec!["Lê Văn An".into(), "Trần Thị Bình".into(), "Đỗ Hùng".into()],
                seats: 2,
            },
            secret: true,
            preset: Some(Preset::MajorityOfValid),
            base: None,
            threshold: None,
            quorum: None,
            eligible: None,
            allow_change: false,
            show_running: false,
            duration_secs: None,
        };
        let id = uuid::Uuid::new_v4();
        m.run_with_id(m.chair(), Command::CreatePoll { poll: spec }, id)
            .unwrap();
        let poll = PollId(id);
        m.run(m.chair(), Command::OpenPoll { poll }).unwrap();
        let mut ballots = Vec::new();
        for (n, marks) in [&[0u32, 1][..], &[0], &[1, 2], &[]].into_iter().enumerate() {
            ballots.push(
                m.cast_sealed(m.delegate(n), poll, marks, n as u64)
                    .unwrap()
                    .1,
            );
        }
        m.run(m.chair(), Command::ClosePoll { poll }).unwrap();
        let paper = Command::RecordPaperBallots {
            poll,
            valid: 1,
            invalid: 0,
            tallies: vec![1, 0, 0],
        };
        m.run(m.secretariat(), paper).unwrap();
        m.give_share(&devices, 0, poll, &ballots).unwrap();
        m.give_share(&devices, 2, poll, &ballots).unwrap();
        m.run(m.chair(), Command::PublishPoll { poll }).unwrap();
        json(&m.state, m.state.polls.get(poll).unwrap(), &ballots).unwrap()
    }

    fn altered(bytes: &[u8], change: impl FnOnce(&mut serde_json::Value)) -> Vec<u8> {
        let mut value: serde_json::Value = serde_json::from_slice(bytes).unwrap();
        change(&mut value);
        serde_json::to_vec(&value).unwrap()
    }

    #[test]
    fn a_sealed_result_checks_offline_and_names_what_was_altered() {
        let bytes = published_export();
        let summary = check_sealed(&bytes).unwrap().expect("a sealed box");
        assert!(summary.contains("4 encrypted ballots"), "{summary}");

        let swapped = altered(&bytes, |v| {
            let ballots = v["sealed"]["ballots"].as_array_mut().unwrap();
            let ct = ballots[1]["ballot"]["choices"][0]["ct"].clone();
            ballots[0]["ballot"]["choices"][0]["ct"] = ct;
        });
        let why = check_sealed(&swapped).unwrap_err();
        assert!(why.contains("ballot 0"), "{why}");

        let share = altered(&bytes, |v| {
            let parts = v["sealed"]["shares"][0]["parts"].as_array_mut().unwrap();
            let other = parts[1]["share"].clone();
            parts[0]["share"] = other;
        });
        let why = check_sealed(&share).unwrap_err();
        assert!(why.contains("share"), "{why}");

        let count = altered(&bytes, |v| {
            let c = v["sealed"]["counts"][0].as_u64().unwrap();
            v["sealed"]["counts"][0] = (c + 1).into();
        });
        let why = check_sealed(&count).unwrap_err();
        assert!(why.contains("option 0"), "{why}");

        let tally = altered(&bytes, |v| {
            let t = v["result"]["tallies"][2].as_u64().unwrap();
            v["result"]["tallies"][2] = (t + 1).into();
        });
        let why = check_sealed(&tally).unwrap_err();
        assert!(why.contains("option 2"), "{why}");
    }
}
