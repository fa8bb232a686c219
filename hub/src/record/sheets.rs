//! Spreadsheets (XLSX) and the CSV files the hub serves, all through the `record` crate's
//! tables: Vietnamese headings, numbers and dates as such in a workbook, and in a CSV the
//! byte-order mark and the wire's values.

use super::papers::{attendees, document_record, items_with_speeches, vote_record, PaperError};
use super::Snapshot;
use crate::engine::polls::PollState;
use crate::engine::MeetingState;
use ::record::sheets::{self, Table};
use ::record::{DeliveryLine, DeliveryRecord, NamedBallot};
use protocol::opinions::OpinionSummary;
use protocol::{Classification, DocumentStatus, PollStatus};

fn workbook(tables: &[Table]) -> Result<Vec<u8>, PaperError> {
    Ok(sheets::xlsx(tables)?)
}

/// Attendance (điểm danh) as XLSX, or as CSV when `csv`.
pub fn attendance(s: &Snapshot, csv: bool) -> Result<Vec<u8>, PaperError> {
    let table = sheets::attendance(&attendees(s))?;
    if csv {
        Ok(table.to_csv()?)
    } else {
        workbook(&[table])
    }
}

/// An open poll's ballots with their voters, in summons order; none for a secret poll.
fn named_ballots(state: &MeetingState, p: &PollState) -> Vec<NamedBallot> {
    if p.poll.secret {
        return Vec::new();
    }
    state
        .participants
        .iter()
        .filter_map(|person| {
            let voted = p.voters.get(&person.id)?;
            Some(NamedBallot {
                participant: person.clone(),
                choices: voted.choices.clone().unwrap_or_default(),
                proxy: voted.proxy,
            })
        })
        .collect()
}

fn counted(p: &PollState) -> Result<(), PaperError> {
    match (&p.result, p.status) {
        (Some(_), PollStatus::Closed | PollStatus::Published) => Ok(()),
        _ => Err(PaperError::NotYet(format!(
            "'{}' has no result yet: it is counted when the chair closes it",
            p.poll.title
        ))),
    }
}

/// A poll's result as XLSX: the summary, the votes per option and, for an open poll, who
/// chose what.
pub fn poll_result(state: &MeetingState, p: &PollState) -> Result<Vec<u8>, PaperError> {
    counted(p)?;
    let v = vote_record(p);
    let mut tables = sheets::poll_result(&v)?;
    if !p.poll.secret {
        tables.push(sheets::poll_ballots(&v, &named_ballots(state, p))?);
    }
    workbook(&tables)
}

/// A poll's result as the signed `result.csv`: one table of `Mục, Chỉ tiêu, Giá trị`
/// rows, named ballots for an open poll, receipts for a published secret one.
pub fn result_csv(state: &MeetingState, p: &PollState) -> Result<Vec<u8>, PaperError> {
    counted(p)?;
    let meeting = state
        .meeting
        .as_ref()
        .ok_or_else(|| PaperError::NotFound("no such meeting".into()))?;
    let receipts = if p.poll.secret && p.status == PollStatus::Published {
        p.receipts()
    } else {
        Vec::new()
    };
    let table = sheets::poll_export(
        (&meeting.id.to_string(), &meeting.title),
        &vote_record(p),
        &named_ballots(state, p),
        &receipts,
    )?;
    Ok(table.to_csv()?)
}

/// An opinion request's summary as XLSX (counts, comments, who has not answered), or as
/// the signed one-table CSV.
pub fn opinion_summary_csv(summary: &OpinionSummary) -> Result<Vec<u8>, PaperError> {
    Ok(sheets::opinion_export(summary)?.to_csv()?)
}

/// The summary's workbook.
pub fn opinion_summary_xlsx(summary: &OpinionSummary) -> Result<Vec<u8>, PaperError> {
    workbook(&sheets::opinions(summary)?)
}

/// The list of speakers, item by item, as XLSX.
pub fn speakers(state: &MeetingState) -> Result<Vec<u8>, PaperError> {
    workbook(&[sheets::speakers(&items_with_speeches(state))?])
}

/// The list of speakers as CSV (`speakers.csv`).
pub fn speakers_csv(state: &MeetingState) -> Result<Vec<u8>, PaperError> {
    Ok(sheets::speakers(&items_with_speeches(state))?.to_csv()?)
}

/// Document delivery as XLSX: for each document not withdrawn, each recipient (the members,
/// or a confidential document's readers), the version their tablet holds and when they
/// first opened it.
pub fn delivery(s: &Snapshot) -> Result<Vec<u8>, PaperError> {
    let state = &s.state;
    let members: Vec<_> = state
        .participants
        .iter()
        .filter(|p| p.role.is_member())
        .collect();
    let records: Vec<DeliveryRecord> = state
        .documents
        .list
        .iter()
        .filter(|d| d.status != DocumentStatus::Withdrawn)
        .filter_map(|d| {
            let mut document = document_record(d)?;
            // The delivery sheet is for the secretariat: it names every file.
            let v = d.versions.last()?;
            document.file_name.clone_from(&v.file.file_name);
            document.sha256.clone_from(&v.file.sha256);
            let recipients = match d.classification {
                Classification::Confidential => d
                    .readers
                    .iter()
                    .filter_map(|r| state.participant(*r))
                    .collect(),
                _ => members.clone(),
            };
            Some(DeliveryRecord {
                document,
                recipients: recipients
                    .into_iter()
                    .map(|p| DeliveryLine {
                        participant: p.clone(),
                        held_version: state.documents.held_version(d.id, p.id),
                        opened_at: s.timeline.opened.get(&(d.id, p.id)).copied(),
                    })
                    .collect(),
            })
        })
        .collect();
    workbook(&[sheets::delivery(&records)?])
}
