//! The facts of a meeting that the papers and sheets are drawn from, as plain data the hub
//! fills from a meeting's state and log: who was summoned and came, what was presented,
//! who spoke, what was voted and how it came out.

use crate::text::{self, TextError};
use crate::RecordError;
use protocol::{Classification, Participant, Poll, PollResult, PollStatus, Timestamp};

/// One person summoned (or invited) and whether they came.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attendee {
    /// Who, as summoned.
    pub participant: Participant,
    /// Checked in (có mặt) at the close, or now for a draft.
    pub present: bool,
    /// When they first checked in, if they did.
    pub checked_in_at: Option<Timestamp>,
    /// Why they are absent, as given to the secretariat; empty when none was given.
    pub absence_reason: String,
}

/// A document presented under an agenda item, in the version the meeting had.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocumentRecord {
    /// "Dự thảo Báo cáo chính trị".
    pub title: String,
    /// Confidential documents are marked "Mật" in the minutes.
    pub classification: Classification,
    /// 1, 2, 3…
    pub version: u32,
    /// The file's name as uploaded.
    pub file_name: String,
    /// Lower-case hex SHA-256 of the version's bytes.
    pub sha256: String,
}

/// A finished speech (or one under way, for a draft).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpeechRecord {
    /// Who spoke.
    pub speaker: Participant,
    /// When the floor was given.
    pub started_at: Timestamp,
    /// When the speech ended; `None` while it goes on.
    pub ended_at: Option<Timestamp>,
    /// The speaking time allowed, in seconds; 0 is no limit.
    pub limit_secs: u32,
    /// What was said, in brief, as the secretariat noted it; may be empty.
    pub summary: String,
}

/// A vote or an election and, once counted, its result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VoteRecord {
    /// The poll with its rule resolved.
    pub poll: Poll,
    /// Where it stands: only a published result is final.
    pub status: PollStatus,
    /// Present once the poll is closed.
    pub result: Option<PollResult>,
}

/// An open poll's ballot with its voter's name (never for a secret poll).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NamedBallot {
    /// The voter.
    pub participant: Participant,
    /// Indexes into the poll's options.
    pub choices: Vec<u32>,
    /// Recorded by the secretariat for the member (ghi thay).
    pub proxy: bool,
}

/// Who holds and who opened one document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeliveryRecord {
    /// The document in its current version.
    pub document: DocumentRecord,
    /// Everyone it is meant for, in summons order.
    pub recipients: Vec<DeliveryLine>,
}

/// One recipient of a document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeliveryLine {
    /// The recipient.
    pub participant: Participant,
    /// The latest version their tablet reported holding.
    pub held_version: Option<u32>,
    /// When they first opened the document (any version).
    pub opened_at: Option<Timestamp>,
}

impl VoteRecord {
    /// The options a ballot's choices index into.
    pub fn options(&self) -> Vec<String> {
        self.poll.kind.options()
    }

    /// The result, checked against the poll: one tally per option, winners and ties
    /// naming options that exist.
    pub(crate) fn checked_result(&self) -> Result<Option<&PollResult>, RecordError> {
        let Some(r) = &self.result else {
            return Ok(None);
        };
        let options = self.options().len();
        let bad = |what: &str| {
            RecordError::Inconsistent(format!(
                "poll '{}': {what} does not match its {options} options",
                self.poll.title
            ))
        };
        if r.tallies.len() != options {
            return Err(bad("the number of tallies"));
        }
        if r.elected
            .iter()
            .chain(&r.tied)
            .any(|&i| i as usize >= options)
        {
            return Err(bad("a winner or a tie"));
        }
        Ok(Some(r))
    }
}

/// "Nguyễn Thị Hường, Bí thư Đảng ủy xã Tân Lập" (name, position, else unit).
pub(crate) fn name_and_post(p: &Participant, field: &str) -> Result<String, TextError> {
    let name = text::line(field, &p.name)?;
    let position = text::line(field, &p.position)?;
    let unit = text::line(field, &p.unit)?;
    Ok(match (position.is_empty(), unit.is_empty()) {
        (false, _) => format!("{name}, {position}"),
        (true, false) => format!("{name}, {unit}"),
        (true, true) => name,
    })
}

/// A fingerprint shortened for reading: the first 16 hex digits and an ellipsis.
pub(crate) fn short_hash(sha256: &str) -> String {
    let hex: String = sha256
        .chars()
        .filter(char::is_ascii_hexdigit)
        .take(16)
        .collect();
    format!("{hex}…")
}
