//! Opinion requests (xin ý kiến): the secretariat asks named participants for their written
//! opinion on one or more questions, with documents attached and a deadline. Each recipient
//! answers every question agree / disagree / other with a comment, may change the answers
//! until the deadline, and then the request closes by itself. The compiled summary
//! (tổng hợp ý kiến) is [`OpinionSummary`].

use crate::ids::{MeetingId, OpinionRequestId, ParticipantId};
use crate::model::Timestamp;
use serde::{Deserialize, Serialize};

/// How a recipient answers one question.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Choice {
    /// Đồng ý.
    Agree,
    /// Không đồng ý.
    Disagree,
    /// Ý kiến khác: the comment says what.
    Other,
}

impl Choice {
    pub fn as_str(self) -> &'static str {
        match self {
            Choice::Agree => "agree",
            Choice::Disagree => "disagree",
            Choice::Other => "other",
        }
    }
}

/// The answer to one question. Questions are numbered from 1 in the order they were asked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    pub question: u32,
    pub choice: Choice,
    #[serde(default)]
    pub comment: String,
}

/// A document sent with a request. It names the file by its SHA-256 in the hub's document
/// store when there is one (the store is added with the documents work).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    pub name: String,
    #[serde(default)]
    pub sha256: Option<String>,
}

/// An opinion request as it was sent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpinionRequest {
    pub id: OpinionRequestId,
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// Question 1 is the first.
    pub questions: Vec<String>,
    #[serde(default)]
    pub attachments: Vec<Attachment>,
    /// Who is asked, in the order named.
    pub recipients: Vec<ParticipantId>,
    /// Answers are accepted strictly before this moment.
    pub deadline: Timestamp,
    pub created_at: Timestamp,
}

/// One recipient's current answers: one per question.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpinionReply {
    pub participant: ParticipantId,
    pub answers: Vec<Answer>,
    pub answered_at: Timestamp,
}

/// A request as a viewer sees it. The secretariat and the chair see every reply; a
/// recipient sees the request and only their own reply; others do not see it at all.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpinionRequestView {
    pub request: OpinionRequest,
    pub replies: Vec<OpinionReply>,
    /// When the last reminder went out, if any.
    #[serde(default)]
    pub reminded_at: Option<Timestamp>,
    /// When it closed; `null` while answers are accepted.
    #[serde(default)]
    pub closed_at: Option<Timestamp>,
}

/// Someone named in a summary.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub participant: ParticipantId,
    pub name: String,
}

/// One comment in a summary, with its author.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SummaryComment {
    pub participant: ParticipantId,
    pub name: String,
    pub choice: Choice,
    pub comment: String,
}

/// The counts and comments for one question.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuestionSummary {
    pub question: u32,
    pub text: String,
    pub agree: u32,
    pub disagree: u32,
    pub other: u32,
    /// Every non-empty comment, in the order the recipients were named.
    pub comments: Vec<SummaryComment>,
}

/// The compiled opinions (tổng hợp ý kiến) of one request: the export the secretariat
/// issues a document from. Deterministic: the same log gives the same bytes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpinionSummary {
    pub meeting: MeetingId,
    pub request: OpinionRequestId,
    pub title: String,
    pub deadline: Timestamp,
    pub closed_at: Option<Timestamp>,
    /// The meeting's sequence number the summary was compiled at.
    pub seq: u64,
    pub recipients: u32,
    pub answered: u32,
    pub not_answered: Vec<Person>,
    pub questions: Vec<QuestionSummary>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_numbered_and_choices_are_words() {
        let a: Answer =
            serde_json::from_str(r#"{"question":2,"choice":"other","comment":"Đề nghị sửa"}"#)
                .unwrap();
        assert_eq!(a.choice, Choice::Other);
        assert_eq!(a.question, 2);
        let a: Answer = serde_json::from_str(r#"{"question":1,"choice":"agree"}"#).unwrap();
        assert_eq!(a.comment, "", "the comment is optional");
        assert!(serde_json::from_str::<Answer>(r#"{"question":1,"choice":"maybe"}"#).is_err());
    }
}
