//! The minutes (biên bản) and the counting reports (biên bản kiểm phiếu) as the `record`
//! crate's types, filled from a [`Snapshot`].
//!
//! What the minutes draw from where:
//! - the header: the secretariat's details (`set_minutes_details`), dated the day the
//!   session started;
//! - time and place: the first `in_session` of the log, the venue, the close;
//! - chair and secretary: the participants in those roles, in summons order;
//! - attendance: the members, present or not as of now (the close, for a closed
//!   meeting), each absent one with the reason the secretariat recorded;
//! - per agenda item: its documents in their current version (confidential ones by title
//!   only), the speeches from the list of speakers, the polls tied to it (or opened while
//!   it was under way), and the secretariat's conclusion.

use super::names::stem;
use super::Snapshot;
use crate::engine::polls::PollState;
use crate::engine::MeetingState;
use ::record::{
    Attendee, CommitteeMember, CountingReport, DocumentRecord, Duty, Header, ItemRecord, Minutes,
    Person, SealedBox, SpeechRecord, VoteRecord,
};
use protocol::{
    AgendaItem, Classification, DocumentStatus, HeaderKind, PollId, PollKind, PollStatus, Role,
};

/// Why a paper cannot be made (yet).
#[derive(Debug, thiserror::Error)]
pub enum PaperError {
    /// No such poll, or no meeting yet.
    #[error("{0}")]
    NotFound(String),
    /// Not yet: the reason says what is missing.
    #[error("{0}")]
    NotYet(String),
    /// Not a paper this thing has.
    #[error("{0}")]
    Invalid(String),
    /// The record crate refused what the meeting holds.
    #[error("{0}")]
    Record(#[from] ::record::RecordError),
}

fn header(state: &MeetingState, dated: Option<protocol::Timestamp>) -> Header {
    let d = &state.minutes.details;
    Header {
        kind: match d.header {
            HeaderKind::Party => ::record::HeaderKind::Party,
            HeaderKind::State => ::record::HeaderKind::State,
        },
        superior: d.superior.clone(),
        body: d.body.clone(),
        number: d.number.clone(),
        place: d.place.clone(),
        dated,
    }
}

fn people(state: &MeetingState, role: Role) -> Vec<Person> {
    state
        .participants
        .iter()
        .filter(|p| p.role == role)
        .map(Person::from)
        .collect()
}

/// The members (chairs and delegates) in summons order, present or not, with the reasons
/// the secretariat recorded.
pub(super) fn attendees(s: &Snapshot) -> Vec<Attendee> {
    s.state
        .participants
        .iter()
        .filter(|p| p.role.is_member())
        .map(|p| Attendee {
            participant: p.clone(),
            present: s.state.present.contains(&p.id),
            checked_in_at: s.timeline.checked_in.get(&p.id).copied(),
            absence_reason: s.state.minutes.absence(p.id).to_owned(),
        })
        .collect()
}

/// A poll as the papers take it.
pub fn vote_record(p: &PollState) -> VoteRecord {
    VoteRecord {
        poll: p.poll.clone(),
        status: p.status,
        result: p.result.clone(),
    }
}

/// The agenda item a poll belongs to: its own, else the one under way when it opened.
fn poll_item(s: &Snapshot, p: &PollState) -> Option<protocol::AgendaItemId> {
    p.poll
        .item
        .or_else(|| s.timeline.poll_item.get(&p.poll.id).copied())
}

fn speech(state: &MeetingState, sp: &protocol::speakers::Speech) -> Option<SpeechRecord> {
    Some(SpeechRecord {
        speaker: state.participant(sp.participant)?.clone(),
        started_at: sp.started_at,
        ended_at: sp.ended_at,
        limit_secs: sp.limit_secs,
        summary: String::new(),
    })
}

/// The speeches of `item`, finished ones and the one under way, in the order given.
fn speeches(state: &MeetingState, item: &AgendaItem) -> Vec<SpeechRecord> {
    let sp = &state.speakers;
    sp.history
        .iter()
        .chain(sp.speaking.iter())
        .filter(|x| x.item == item.id)
        .filter_map(|x| speech(state, x))
        .collect()
}

/// Every agenda item with its speeches only: what the list of speakers needs.
pub(super) fn items_with_speeches(state: &MeetingState) -> Vec<ItemRecord> {
    state
        .agenda
        .iter()
        .map(|i| ItemRecord {
            title: i.title.clone(),
            speeches: speeches(state, i),
            ..ItemRecord::default()
        })
        .collect()
}

/// A document in its current version, as the minutes name it.
pub(super) fn document_record(d: &protocol::Document) -> Option<DocumentRecord> {
    let v = d.versions.last()?;
    let confidential = d.classification == Classification::Confidential;
    Some(DocumentRecord {
        title: d.title.clone(),
        classification: d.classification,
        version: v.version,
        // A confidential document is named by its title alone.
        file_name: if confidential {
            String::new()
        } else {
            v.file.file_name.clone()
        },
        sha256: if confidential {
            String::new()
        } else {
            v.file.sha256.clone()
        },
    })
}

fn item_record(s: &Snapshot, item: &AgendaItem) -> ItemRecord {
    let state = &s.state;
    ItemRecord {
        title: item.title.clone(),
        description: item.description.clone(),
        documents: state
            .documents
            .list
            .iter()
            .filter(|d| d.item == Some(item.id) && d.status != DocumentStatus::Withdrawn)
            .filter_map(document_record)
            .collect(),
        speeches: speeches(state, item),
        votes: state
            .polls
            .all()
            .iter()
            .filter(|p| poll_item(s, p) == Some(item.id))
            .map(vote_record)
            .collect(),
        conclusion: state.minutes.conclusion(item.id).to_owned(),
    }
}

/// The minutes of the meeting as it stands; a draft (marked on every page) until the
/// meeting is closed.
pub fn minutes(s: &Snapshot) -> Result<Minutes, PaperError> {
    let state = &s.state;
    let meeting = state
        .meeting
        .as_ref()
        .ok_or_else(|| PaperError::NotFound("no such meeting".into()))?;
    let started = s.timeline.started_at;
    Ok(Minutes {
        header: header(state, started.or(meeting.starts_at)),
        subject: meeting.title.clone(),
        draft: !s.closed(),
        venue: meeting.venue.clone(),
        started_at: started,
        ended_at: s.timeline.closed_at,
        chairs: people(state, Role::Chair),
        secretaries: people(state, Role::Secretariat),
        attendees: attendees(s),
        quorum: meeting.quorum,
        items: state.agenda.iter().map(|i| item_record(s, i)).collect(),
        notes: state.minutes.notes.clone(),
        recipients: Vec::new(),
    })
}

/// Whether a poll gets a counting report at all: elections and secret votes do.
pub fn has_counting_report(p: &PollState) -> bool {
    p.poll.secret || matches!(p.poll.kind, PollKind::Election { .. })
}

/// The counting report of an election or a secret vote, once its result is published.
pub fn counting_report(s: &Snapshot, poll: PollId) -> Result<CountingReport, PaperError> {
    let state = &s.state;
    let meeting = state
        .meeting
        .as_ref()
        .ok_or_else(|| PaperError::NotFound("no such meeting".into()))?;
    let p = state
        .polls
        .get(poll)
        .ok_or_else(|| PaperError::NotFound("no such poll in this meeting".into()))?;
    if !has_counting_report(p) {
        return Err(PaperError::Invalid(format!(
            "'{}' is an open vote: counting reports are made for elections and secret votes; \
             its result is in result.csv and result.xlsx",
            p.poll.title
        )));
    }
    if p.status != PollStatus::Published {
        return Err(PaperError::NotYet(format!(
            "the result of '{}' is not published yet ({}): a counting report is made of a \
             published result",
            p.poll.title,
            ::record::words::poll_status(p.status).to_lowercase()
        )));
    }
    let counted_at = s.timeline.poll_closed.get(&poll).copied();
    // The counts are the poll's result as the engine made it: for a sealed poll, the box
    // opened as a sum plus the paper ballots counted in the hall; no ballot is read alone.
    let result = p.result.as_ref();
    Ok(CountingReport {
        header: header(state, counted_at),
        meeting: meeting.title.clone(),
        venue: meeting.venue.clone(),
        counted_at,
        committee: committee(state, p),
        vote: vote_record(p),
        // Each eligible member present at the close had a ballot, on a tablet or on paper.
        ballots_issued: result.map_or(0, |r| r.present),
        sealed_box: sealed_box(s, p)?,
        recipients: Vec::new(),
    })
}

/// The dossier's name for a counted poll's signed result, without its extension: the
/// poll's place in the meeting and its title (`ket-qua/{stem}.json`).
pub(super) fn result_stem(s: &Snapshot, p: &PollState) -> String {
    let n = s
        .state
        .polls
        .all()
        .iter()
        .position(|x| x.poll.id == p.poll.id)
        .map_or(0, |i| i + 1);
    stem(&format!("{n:02} Kết quả"), &p.poll.title)
}

/// The counting committee (Ban kiểm phiếu) that holds a sealed poll's key, in the order it
/// was named: the first named signs as its head. A poll counted without a sealed box has
/// none recorded: its committee signs the printed report by hand under the heading left
/// for them.
fn committee(state: &MeetingState, p: &PollState) -> Vec<CommitteeMember> {
    let Some(sealed) = &p.sealed else {
        return Vec::new();
    };
    sealed
        .committee
        .members
        .iter()
        .enumerate()
        .filter_map(|(i, id)| {
            Some(CommitteeMember {
                name: state.participant(*id)?.name.clone(),
                duty: if i == 0 { Duty::Head } else { Duty::Member },
            })
        })
        .collect()
}

/// The sealed ballot box's section of a counting report: the SHA-256 of the signed
/// `result.json` that carries the opened box (every encrypted ballot, the sum, the
/// committee's shares with their proofs, the counts), which `hub verify` checks offline.
fn sealed_box(s: &Snapshot, p: &PollState) -> Result<Option<SealedBox>, PaperError> {
    let Some(sealed) = &p.sealed else {
        return Ok(None);
    };
    let json = s
        .result_json(p)
        .map_err(|e| PaperError::NotYet(e.to_string()))?;
    Ok(Some(SealedBox {
        fingerprint: hex::encode(ring::digest::digest(&ring::digest::SHA256, &json).as_ref()),
        file_name: format!("{}.json", result_stem(s, p)),
        ballots: sealed.receipts.len() as u32,
    }))
}
