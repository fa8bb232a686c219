//! The compiled opinions of a request (tổng hợp ý kiến): counts per question and every
//! comment with its author (the CSV and XLSX forms are the record's: `crate::record`). A
//! pure projection of the state, so the same log always compiles to the same bytes.

use super::super::{Actor, EngineError, MeetingState, Viewer};
use protocol::opinions::{Choice, OpinionSummary, Person, QuestionSummary, SummaryComment};
use protocol::{OpinionRequestId, ParticipantId};

/// The summary of request `id` as of the state's seq; `None` if there is no such request.
pub fn summary(state: &MeetingState, id: OpinionRequestId) -> Option<OpinionSummary> {
    let r = state.opinions.get(id)?;
    let name = |p: ParticipantId| {
        state.participant(p).map_or_else(
            || format!("(withdrawn participant {p})"),
            |x| x.name.clone(),
        )
    };
    let mut questions: Vec<QuestionSummary> = r
        .request
        .questions
        .iter()
        .enumerate()
        .map(|(i, text)| QuestionSummary {
            question: i as u32 + 1,
            text: text.clone(),
            agree: 0,
            disagree: 0,
            other: 0,
            comments: Vec::new(),
        })
        .collect();
    for reply in r.replies_in_order() {
        for answer in &reply.answers {
            let Some(q) = questions.get_mut(answer.question as usize - 1) else {
                continue;
            };
            match answer.choice {
                Choice::Agree => q.agree += 1,
                Choice::Disagree => q.disagree += 1,
                Choice::Other => q.other += 1,
            }
            if !answer.comment.is_empty() {
                q.comments.push(SummaryComment {
                    participant: reply.participant,
                    name: name(reply.participant),
                    choice: answer.choice,
                    comment: answer.comment.clone(),
                });
            }
        }
    }
    let not_answered = r
        .request
        .recipients
        .iter()
        .filter(|p| !r.replies.contains_key(p))
        .map(|p| Person {
            participant: *p,
            name: name(*p),
        })
        .collect();
    Some(OpinionSummary {
        meeting: state.id,
        request: id,
        title: r.request.title.clone(),
        deadline: r.request.deadline,
        closed_at: r.closed_at,
        seq: state.seq,
        recipients: r.request.recipients.len() as u32,
        answered: r.replies.len() as u32,
        not_answered,
        questions,
    })
}

/// The summary as `actor` may read it: the compiled opinions name every author, so only
/// the secretariat and the chair (the [`Viewer::Full`] viewers) may.
pub fn summary_for(
    state: &MeetingState,
    actor: &Actor,
    id: OpinionRequestId,
) -> Result<OpinionSummary, EngineError> {
    if Viewer::for_actor(actor) != Viewer::Full {
        return Err(EngineError::Forbidden(
            "only the secretariat and the chair may read the compiled opinions".into(),
        ));
    }
    summary(state, id).ok_or_else(|| EngineError::NotFound(format!("no opinion request {id}")))
}
