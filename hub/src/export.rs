//! Exported results: a closed poll as JSON and as CSV (the record's form, see
//! `crate::record`), with the exact same bytes every time
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
    /// The record could not write what the poll holds.
    #[error("{0}")]
    Record(String),
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

/// The CSV bytes of a counted poll: the record's one-table form (`Mục, Chỉ tiêu, Giá
/// trị` rows, UTF-8 with a byte-order mark, the wire's values: `valid_ballots`,
/// `published`), so a spreadsheet reads the Vietnamese and a script the values.
pub fn csv(state: &MeetingState, p: &PollState) -> Result<Vec<u8>, ExportError> {
    build(state, p)?;
    crate::record::result_csv(state, p).map_err(|e| ExportError::Record(e.to_string()))
}
