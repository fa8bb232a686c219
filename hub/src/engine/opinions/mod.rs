//! Opinion requests (xin ý kiến). A request lives in a meeting's log, but is not tied to a
//! session: a standing body ("Ban Thường vụ Huyện ủy") is a meeting that is never held, and
//! its members are the recipients. Rules:
//!
//! - only the secretariat creates, reminds and closes early;
//! - only a named recipient answers, answering every question once, strictly before the
//!   deadline, as often as they like (the last answers count);
//! - at the deadline the hub itself closes the request (the live task submits
//!   `close_opinion_request` as [`Actor::System`], which is refused before the deadline).

mod summary;

pub use summary::{summary, summary_for};

use super::lifecycle::require;
use super::{clean_text, Actor, Ctx, Decision, EngineError, MeetingState, Viewer};
use protocol::opinions::{
    Answer, Attachment, Choice, OpinionReply, OpinionRequest, OpinionRequestView,
};
use protocol::{Command, Event, EventKind, OpinionRequestId, ParticipantId, Timestamp};
use std::collections::{HashMap, HashSet};

/// Bounds that no real request reaches, so a runaway script cannot grow one forever.
const MAX_QUESTIONS: usize = 50;
const MAX_ATTACHMENTS: usize = 50;
const MAX_RECIPIENTS: usize = 2000;
const MAX_REQUESTS: usize = 1000;

/// One request and what has come of it.
#[derive(Clone, Debug)]
pub struct RequestState {
    pub request: OpinionRequest,
    /// The current answers of each recipient who has answered.
    pub replies: HashMap<ParticipantId, OpinionReply>,
    pub reminded_at: Option<Timestamp>,
    pub closed_at: Option<Timestamp>,
}

impl RequestState {
    /// Replies in the order the recipients were named: the same order on every read.
    pub fn replies_in_order(&self) -> impl Iterator<Item = &OpinionReply> {
        self.request
            .recipients
            .iter()
            .filter_map(|p| self.replies.get(p))
    }

    fn view(&self, only: Option<ParticipantId>) -> OpinionRequestView {
        OpinionRequestView {
            request: self.request.clone(),
            replies: self
                .replies_in_order()
                .filter(|r| only.is_none_or(|me| r.participant == me))
                .cloned()
                .collect(),
            reminded_at: self.reminded_at,
            closed_at: self.closed_at,
        }
    }
}

/// The opinion requests of one meeting, oldest first.
#[derive(Clone, Debug, Default)]
pub struct Opinions {
    pub requests: Vec<RequestState>,
}

impl Opinions {
    pub fn get(&self, id: OpinionRequestId) -> Option<&RequestState> {
        self.requests.iter().find(|r| r.request.id == id)
    }

    fn get_mut(&mut self, id: OpinionRequestId) -> Option<&mut RequestState> {
        self.requests.iter_mut().find(|r| r.request.id == id)
    }

    /// The open request whose deadline comes first: what the live task waits for.
    pub fn next_deadline(&self) -> Option<(Timestamp, OpinionRequestId)> {
        self.requests
            .iter()
            .filter(|r| r.closed_at.is_none())
            .map(|r| (r.request.deadline, r.request.id))
            .min()
    }

    /// The requests `viewer` may see: all of them in full for the secretariat and the
    /// chair; for anyone else, those they are asked, with only their own answers.
    pub fn view(&self, viewer: Viewer) -> Vec<OpinionRequestView> {
        match viewer {
            Viewer::Full => self.requests.iter().map(|r| r.view(None)).collect(),
            Viewer::Hall { me: None, .. } => Vec::new(),
            Viewer::Hall { me: Some(me), .. } => self
                .requests
                .iter()
                .filter(|r| r.request.recipients.contains(&me))
                .map(|r| r.view(Some(me)))
                .collect(),
        }
    }

    pub(super) fn apply(&mut self, event: &Event) {
        match &event.event {
            EventKind::OpinionRequestCreated { request } => self.requests.push(RequestState {
                request: request.clone(),
                replies: HashMap::new(),
                reminded_at: None,
                closed_at: None,
            }),
            EventKind::OpinionAnswered {
                request,
                participant,
                answers,
            } => {
                if let Some(r) = self.get_mut(*request) {
                    r.replies.insert(
                        *participant,
                        OpinionReply {
                            participant: *participant,
                            answers: answers.clone(),
                            answered_at: event.at,
                        },
                    );
                }
            }
            EventKind::OpinionReminderSent { request, .. } => {
                if let Some(r) = self.get_mut(*request) {
                    r.reminded_at = Some(event.at);
                }
            }
            EventKind::OpinionRequestClosed { request } => {
                if let Some(r) = self.get_mut(*request) {
                    r.closed_at = Some(event.at);
                }
            }
            _ => {}
        }
    }
}

pub(super) fn decide(
    state: &MeetingState,
    actor: &Actor,
    command: &Command,
    ctx: &Ctx,
) -> Decision {
    let opinions = &state.opinions;
    match command {
        Command::CreateOpinionRequest {
            title,
            description,
            questions,
            attachments,
            recipients,
            deadline,
        } => {
            require(
                actor.is_secretariat(),
                "only the secretariat may ask for opinions",
            )?;
            if opinions.requests.len() >= MAX_REQUESTS {
                return Err(EngineError::Invalid(format!(
                    "a meeting holds at most {MAX_REQUESTS} opinion requests"
                )));
            }
            let id = OpinionRequestId(ctx.new_id);
            if opinions.get(id).is_some() {
                return Err(EngineError::Invalid("that request id is taken".into()));
            }
            if questions.is_empty() || questions.len() > MAX_QUESTIONS {
                return Err(EngineError::Invalid(format!(
                    "a request asks 1 to {MAX_QUESTIONS} questions"
                )));
            }
            let questions = questions
                .iter()
                .map(|q| clean_text("question", q, 2000, true))
                .collect::<Result<Vec<_>, _>>()?;
            if attachments.len() > MAX_ATTACHMENTS {
                return Err(EngineError::Invalid(format!(
                    "a request carries at most {MAX_ATTACHMENTS} documents"
                )));
            }
            let attachments = attachments
                .iter()
                .map(check_attachment)
                .collect::<Result<Vec<_>, _>>()?;
            check_recipients(state, recipients)?;
            if *deadline <= ctx.now {
                return Err(EngineError::Invalid(
                    "the deadline must be in the future".into(),
                ));
            }
            Ok(vec![EventKind::OpinionRequestCreated {
                request: OpinionRequest {
                    id,
                    title: clean_text("title", title, 500, true)?,
                    description: clean_text("description", description, 4000, false)?,
                    questions,
                    attachments,
                    recipients: recipients.clone(),
                    deadline: *deadline,
                    created_at: ctx.now,
                },
            }])
        }
        Command::AnswerOpinionRequest { request, answers } => {
            let r = existing(state, *request)?;
            let me = match actor {
                Actor::Participant { id, .. } if r.request.recipients.contains(id) => *id,
                _ => {
                    return Err(EngineError::Forbidden(
                        "you are not asked for your opinion on this request".into(),
                    ))
                }
            };
            if r.closed_at.is_some() || ctx.now >= r.request.deadline {
                return Err(EngineError::InvalidState(
                    "the deadline for this request has passed; answers are closed".into(),
                ));
            }
            let answers = check_answers(&r.request, answers)?;
            if r.replies.get(&me).is_some_and(|old| old.answers == answers) {
                return Ok(vec![]);
            }
            Ok(vec![EventKind::OpinionAnswered {
                request: *request,
                participant: me,
                answers,
            }])
        }
        Command::RemindOpinionRequest { request } => {
            require(
                actor.is_secretariat(),
                "only the secretariat may send reminders",
            )?;
            let r = existing(state, *request)?;
            if r.closed_at.is_some() {
                return Err(EngineError::InvalidState("the request is closed".into()));
            }
            let to: Vec<ParticipantId> = r
                .request
                .recipients
                .iter()
                .filter(|p| !r.replies.contains_key(p) && state.participant(**p).is_some())
                .copied()
                .collect();
            if to.is_empty() {
                return Err(EngineError::InvalidState(
                    "everyone asked has answered".into(),
                ));
            }
            Ok(vec![EventKind::OpinionReminderSent {
                request: *request,
                to,
            }])
        }
        Command::CloseOpinionRequest { request } => {
            let r = existing(state, *request)?;
            match actor {
                // The hub closes at the deadline, never before.
                Actor::System if ctx.now < r.request.deadline => {
                    return Err(EngineError::InvalidState(
                        "the deadline has not come yet".into(),
                    ))
                }
                Actor::System => {}
                _ => require(
                    actor.is_secretariat(),
                    "only the secretariat may close a request",
                )?,
            }
            if r.closed_at.is_some() {
                return Ok(vec![]);
            }
            Ok(vec![EventKind::OpinionRequestClosed { request: *request }])
        }
        _ => Err(EngineError::Invalid(
            "not an opinion request command".into(),
        )),
    }
}

fn existing(state: &MeetingState, id: OpinionRequestId) -> Result<&RequestState, EngineError> {
    state
        .opinions
        .get(id)
        .ok_or_else(|| EngineError::NotFound(format!("no opinion request {id}")))
}

pub(in crate::engine) fn check_attachment(a: &Attachment) -> Result<Attachment, EngineError> {
    let sha256 = match &a.sha256 {
        Some(h) if h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()) => {
            Some(h.to_ascii_lowercase())
        }
        Some(_) => {
            return Err(EngineError::Invalid(
                "an attachment's sha256 is 64 hexadecimal digits".into(),
            ))
        }
        None => None,
    };
    Ok(Attachment {
        name: clean_text("attachment name", &a.name, 300, true)?,
        sha256,
    })
}

fn check_recipients(state: &MeetingState, recipients: &[ParticipantId]) -> Result<(), EngineError> {
    if recipients.is_empty() || recipients.len() > MAX_RECIPIENTS {
        return Err(EngineError::Invalid(format!(
            "a request names 1 to {MAX_RECIPIENTS} recipients"
        )));
    }
    let mut seen = HashSet::new();
    for p in recipients {
        let who = state
            .participant(*p)
            .ok_or_else(|| EngineError::NotFound(format!("no participant {p} in this body")))?;
        if !who.role.is_member() {
            return Err(EngineError::Invalid(format!(
                "{} is not a member; opinions are asked of members",
                who.name
            )));
        }
        if !seen.insert(*p) {
            return Err(EngineError::Invalid(format!("{} is named twice", who.name)));
        }
    }
    Ok(())
}

/// One answer per question, in question order, with clean comments.
fn check_answers(request: &OpinionRequest, answers: &[Answer]) -> Result<Vec<Answer>, EngineError> {
    let n = request.questions.len() as u32;
    let mut by_question: Vec<Option<Answer>> = vec![None; n as usize];
    for a in answers {
        if a.question == 0 || a.question > n {
            return Err(EngineError::NotFound(format!(
                "no question {} in this request (it has {n})",
                a.question
            )));
        }
        let slot = &mut by_question[(a.question - 1) as usize];
        if slot.is_some() {
            return Err(EngineError::Invalid(format!(
                "question {} is answered twice",
                a.question
            )));
        }
        let comment = clean_text("comment", &a.comment, 4000, false)?;
        if a.choice == Choice::Other && comment.is_empty() {
            return Err(EngineError::Invalid(format!(
                "question {}: an \"other\" opinion needs a comment saying what it is",
                a.question
            )));
        }
        *slot = Some(Answer {
            question: a.question,
            choice: a.choice,
            comment,
        });
    }
    by_question
        .into_iter()
        .enumerate()
        .map(|(i, a)| {
            a.ok_or_else(|| EngineError::Invalid(format!("question {} is not answered", i + 1)))
        })
        .collect()
}

#[cfg(test)]
mod tests;
