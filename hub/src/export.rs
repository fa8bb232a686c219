//! Exported results: a closed poll as JSON and as CSV, with the exact same bytes every time
//! (fixed field order, options in list order, ballots in summons order, receipts sorted),
//! so a detached signature over them stays valid and `hub verify` can check a copy.
//!
//! An open poll's export names who chose what (a proxy ballot is marked); a secret poll's
//! never can: it lists the receipts with their ballots, once published.

use crate::engine::polls::PollState;
use crate::engine::MeetingState;
use protocol::{Meeting, Poll, PollResult, PollStatus, ReceiptLine};
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
}

/// Why a poll has no export yet.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("no such poll in this meeting")]
    NotFound,
    #[error("the poll has no result yet: it is counted when the chair closes it")]
    NotCounted,
}

fn build<'a>(state: &'a MeetingState, p: &'a PollState) -> Result<ResultExport<'a>, ExportError> {
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
    })
}

/// The JSON bytes of a counted poll.
pub fn json(state: &MeetingState, p: &PollState) -> Result<Vec<u8>, ExportError> {
    let export = build(state, p)?;
    let mut bytes = serde_json::to_vec_pretty(&export).expect("exports serialize");
    bytes.push(b'\n');
    Ok(bytes)
}

/// The CSV bytes of a counted poll: `section,key,value` rows.
pub fn csv(state: &MeetingState, p: &PollState) -> Result<Vec<u8>, ExportError> {
    let e = build(state, p)?;
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut row = |a: &str, b: &str, c: &str| {
        w.write_record([a, b, c]).expect("writing to memory");
    };
    let r = e.result;
    row("section", "key", "value");
    row("meeting", &e.meeting.id.to_string(), &e.meeting.title);
    row("poll", &e.poll.id.to_string(), &e.poll.title);
    row("poll", "secret", &e.poll.secret.to_string());
    row("poll", "base", &format!("{:?}", e.poll.base));
    row("poll", "threshold", &e.poll.threshold.to_string());
    row("poll", "status", &format!("{:?}", e.status));
    for (k, v) in [
        ("summoned", r.summoned),
        ("present", r.present),
        ("ballots", r.ballots),
        ("valid", r.valid),
        ("invalid", r.invalid),
        ("proxy", r.proxy),
        ("base_count", r.base_count),
    ] {
        row("result", k, &v.to_string());
    }
    row("result", "passed", &r.passed.to_string());
    for (option, votes) in e.options.iter().zip(&r.tallies) {
        row("tally", option, &votes.to_string());
    }
    for (rank, i) in r.elected.iter().enumerate() {
        row("elected", &(rank + 1).to_string(), &e.options[*i as usize]);
    }
    for i in &r.tied {
        row("tied", "", &e.options[*i as usize]);
    }
    let names = |choices: &[u32]| {
        choices
            .iter()
            .map(|c| e.options[*c as usize].as_str())
            .collect::<Vec<_>>()
            .join("; ")
    };
    for b in e.ballots.iter().flatten() {
        let who = if b.proxy {
            format!("{} (thư ký ghi thay)", b.name)
        } else {
            b.name.clone()
        };
        row("ballot", &who, &names(&b.choices));
    }
    for line in e.receipts.iter().flatten() {
        row("receipt", &line.receipt, &names(&line.choices));
    }
    Ok(w.into_inner().expect("writing to memory"))
}
