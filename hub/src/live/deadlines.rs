//! What the hub does by itself when a deadline passes, quinn-proto style: the engine is
//! pure and only knows the time it is given, so the meeting task asks its state for the
//! next deadline, sleeps until then (or until a command comes), and submits the command
//! the deadline calls for as [`Actor::System`]: today `close_opinion_request`.
//!
//! Nothing here is stored: the deadlines are in the state, which is the fold of the log, so
//! after a restart an overdue request closes as soon as its meeting's task starts.

use super::{Clock, Job, Request};
use crate::engine::{self, Actor, Ctx, MeetingState};
use protocol::{Command, MeetingStatus, OpinionRequestId};
use std::collections::HashSet;
use std::time::Duration;
use tokio::sync::oneshot;
use tokio::time::Instant;

/// Wake a little after the deadline: the engine compares with the wall clock, and the
/// monotonic timer may run slightly ahead of it.
const MARGIN: Duration = Duration::from_millis(5);

/// The deadlines one meeting's task waits for.
#[derive(Debug, Default)]
pub(super) struct Deadlines {
    /// Closes the engine refused although the deadline had passed; not retried, so a
    /// refusal cannot spin the task. Logged once.
    refused: HashSet<OpinionRequestId>,
}

impl Deadlines {
    /// When to wake next, and for which request.
    pub fn next(&self, state: &MeetingState, clock: &Clock) -> Option<(Instant, OpinionRequestId)> {
        if matches!(state.status(), None | Some(MeetingStatus::Closed)) {
            return None;
        }
        let (deadline, request) = state
            .opinions
            .requests
            .iter()
            .filter(|r| r.closed_at.is_none() && !self.refused.contains(&r.request.id))
            .map(|r| (r.request.deadline, r.request.id))
            .min()?;
        Some((clock.instant_at(deadline) + MARGIN, request))
    }

    /// The deadline of `request` has come: the job that closes it, or `None` when there is
    /// nothing to run (woken early: the caller computes the next wake-up again).
    pub fn due(
        &mut self,
        state: &MeetingState,
        request: OpinionRequestId,
        clock: &Clock,
    ) -> Option<Job> {
        let command = Command::CloseOpinionRequest { request };
        let ctx = Ctx::new(clock.now(), uuid::Uuid::nil());
        match engine::decide(state, &Actor::System, &command, &ctx) {
            Ok(_) => {
                // Nobody waits for the answer: the close is broadcast like any event.
                let (reply, _) = oneshot::channel();
                Some(Job {
                    request: Request::one(Actor::System, None, command),
                    reply,
                })
            }
            Err(_)
                if state
                    .opinions
                    .get(request)
                    .is_some_and(|r| ctx.now < r.request.deadline) =>
            {
                None
            }
            Err(e) => {
                tracing::error!(meeting = %state.id, %request, error = %e, "the hub could not close an opinion request at its deadline");
                self.refused.insert(request);
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Live, LiveSettings, Meetings, Request};
    use super::Clock;
    use crate::engine::Actor;
    use crate::store::Store;
    use protocol::{
        Command, EventKind, MeetingId, OpinionRequestId, ParticipantId, Role, Timestamp,
    };
    use std::time::Duration;
    use uuid::Uuid;

    /// Settings whose clock follows tokio's: the tests pause time and let it run ahead.
    fn settings(clock: Clock) -> LiveSettings {
        LiveSettings {
            client_queue: 64,
            group_commit_window: Duration::from_millis(2),
            job_queue: 1024,
            clock,
            quotas: Default::default(),
            closed_idle: Duration::from_secs(600),
            archive: None,
        }
    }

    /// A standing body with one member, asked one question due `in_ms` from now.
    async fn body_with_request(
        meetings: &Meetings,
        clock: &Clock,
        in_ms: i64,
    ) -> (MeetingId, OpinionRequestId) {
        let id = MeetingId::new_random();
        let create = Command::CreateMeeting {
            title: "Ban Thường vụ Huyện ủy".into(),
            venue: String::new(),
            starts_at: None,
            quorum: None,
        };
        meetings
            .create(id, Request::one(Actor::Office, None, create))
            .await
            .unwrap();
        let handle = meetings.get(id).await.unwrap().unwrap();
        let member = Uuid::new_v4();
        let add = Command::AddParticipant {
            name: "Nguyễn Văn An".into(),
            position: String::new(),
            unit: String::new(),
            role: Role::Delegate,
            seat: None,
            person: None,
        };
        let mut request = Request::one(Actor::Office, None, add);
        request.steps[0].1 = member;
        handle.run(request).await.unwrap();
        let ask = Command::CreateOpinionRequest {
            title: "Xin ý kiến".into(),
            description: String::new(),
            questions: vec!["Đồng ý?".into()],
            attachments: vec![],
            recipients: vec![ParticipantId(member)],
            deadline: Timestamp(clock.now().0 + in_ms),
        };
        let mut request = Request::one(Actor::Office, None, ask);
        let rid = Uuid::new_v4();
        request.steps[0].1 = rid;
        handle.run(request).await.unwrap();
        (id, OpinionRequestId(rid))
    }

    #[tokio::test(start_paused = true)]
    async fn a_request_closes_by_itself_at_its_deadline() {
        let dir = tempfile::tempdir().unwrap();
        let clock = Clock::following_tokio();
        let meetings =
            Meetings::load(Store::open(dir.path()).unwrap(), settings(clock.clone())).unwrap();
        // An hour away: with time paused the test does not wait for it.
        let (id, request) = body_with_request(&meetings, &clock, 3_600_000).await;
        let handle = meetings.get(id).await.unwrap().unwrap();
        let mut live = handle.subscribe();
        tokio::time::advance(Duration::from_secs(3_590)).await;
        assert!(
            handle.read(|s| s.opinions.get(request).unwrap().closed_at.is_none()),
            "still open ten seconds before its deadline"
        );
        let closed = loop {
            if let Ok(Live::Event(e)) = live.recv().await {
                if e.event == (EventKind::OpinionRequestClosed { request }) {
                    break e;
                }
            }
        };
        let deadline = handle.read(|s| s.opinions.get(request).unwrap().request.deadline);
        assert!(closed.at >= deadline, "not before the deadline");
        assert!(
            closed.at.0 - deadline.0 < 1_000,
            "at the deadline, not later"
        );
        assert_eq!(handle.read(|s| s.opinions.next_deadline()), None);
        meetings.close().await;
    }

    #[tokio::test(start_paused = true)]
    async fn a_deadline_that_passed_while_the_hub_was_down_closes_on_start() {
        let dir = tempfile::tempdir().unwrap();
        let clock = Clock::following_tokio();
        let (id, request) = {
            let meetings =
                Meetings::load(Store::open(dir.path()).unwrap(), settings(clock.clone())).unwrap();
            let asked = body_with_request(&meetings, &clock, 60_000).await;
            meetings.close().await;
            asked
        };
        // The hub is down for two minutes, past the deadline.
        tokio::time::advance(Duration::from_secs(120)).await;
        let store = Store::open(dir.path()).unwrap();
        let meetings = Meetings::load(store, settings(clock.clone())).unwrap();
        let handle = meetings.get(id).await.unwrap().unwrap();
        let mut live = handle.subscribe();
        let deadline = handle.read(|s| s.opinions.get(request).unwrap().request.deadline);
        if handle.read(|s| s.opinions.get(request).unwrap().closed_at.is_none()) {
            loop {
                if let Ok(Live::Event(e)) = live.recv().await {
                    if e.event == (EventKind::OpinionRequestClosed { request }) {
                        break;
                    }
                }
            }
        }
        let closed = handle
            .read(|s| s.opinions.get(request).unwrap().closed_at)
            .expect("closed as soon as the hub starts");
        assert!(closed >= deadline);
        meetings.close().await;
    }
}
