//! A test tablet: a [`tablet_client::Connection`] plus a [`tablet_client::Follower`] that
//! checks every frame's sequence number, with every wait bounded by [`crate::GUARD`].

use crate::guard;
use protocol::{
    Command, ErrorCode, ErrorFrame, Event, EventKind, HubFrame, MeetingId, ParticipantId,
};
use tablet_client::{ClientError, CommandError, Connection, Follower};

/// One connected client and what it has seen.
#[derive(Debug)]
pub struct Tablet {
    pub conn: Connection,
    pub follower: Follower,
    /// The `notes` frames received (a participant's private notes), in order. They carry
    /// no seq, so [`Tablet::next`] sets them aside here rather than returning them.
    pub notes: Vec<HubFrame>,
    /// The `attendance` and `people` frames received (for the hall's views), in order.
    pub hall: Vec<HubFrame>,
}

impl Tablet {
    /// Opens a connection and says hello; returns the hub's first answer, already observed.
    pub async fn join(
        ws_url: &str,
        token: &str,
        resume_from: Option<u64>,
        meeting: Option<MeetingId>,
    ) -> (Tablet, HubFrame) {
        Self::rejoin(ws_url, token, Follower::new(), resume_from, meeting).await
    }

    /// Like [`Tablet::join`], keeping what `follower` has seen (to resume after a drop).
    pub async fn rejoin(
        ws_url: &str,
        token: &str,
        follower: Follower,
        resume_from: Option<u64>,
        meeting: Option<MeetingId>,
    ) -> (Tablet, HubFrame) {
        let mut tablet = Tablet::open(ws_url, follower).await;
        let first = tablet.hello(token, resume_from, meeting).await;
        (tablet, first)
    }

    /// Opens a connection without greeting the hub yet.
    pub async fn open(ws_url: &str, follower: Follower) -> Tablet {
        let conn = guard("the WebSocket to open", Connection::open(ws_url))
            .await
            .unwrap_or_else(|e| panic!("opening {ws_url}: {e}"));
        Tablet {
            conn,
            follower,
            notes: Vec::new(),
            hall: Vec::new(),
        }
    }

    /// Says hello; returns the hub's first answer, already observed.
    pub async fn hello(
        &mut self,
        token: &str,
        resume_from: Option<u64>,
        meeting: Option<MeetingId>,
    ) -> HubFrame {
        let first = guard(
            "the answer to hello",
            self.conn.hello(token, resume_from, meeting),
        )
        .await
        .unwrap_or_else(|e| panic!("hello: {e}"));
        self.observe(&first);
        first
    }

    fn observe(&mut self, frame: &HubFrame) {
        if let Err(e) = self.follower.observe(frame) {
            panic!("{e}");
        }
    }

    /// The next frame, whatever it is.
    pub async fn next(&mut self) -> Result<HubFrame, ClientError> {
        loop {
            let frame = guard("a frame from the hub", self.conn.recv()).await?;
            self.observe(&frame);
            if matches!(frame, HubFrame::Notes { .. }) {
                self.notes.push(frame);
                continue;
            }
            // The hall's counters and the people it names are not events: kept aside.
            if matches!(frame, HubFrame::Attendance { .. } | HubFrame::People { .. }) {
                self.hall.push(frame);
                continue;
            }
            return Ok(frame);
        }
    }

    /// The next frame, which must exist.
    pub async fn frame(&mut self) -> HubFrame {
        self.next()
            .await
            .unwrap_or_else(|e| panic!("expected a frame: {e}"))
    }

    /// The next event, skipping nothing: anything else is a test failure.
    pub async fn event(&mut self) -> Event {
        match self.frame().await {
            HubFrame::Event(e) => e,
            other => panic!("expected an event, got {other:?}"),
        }
    }

    /// Reads events until one with `seq >= upto` has arrived; returns them in order.
    pub async fn events_until(&mut self, upto: u64) -> Vec<Event> {
        let mut events = Vec::new();
        while self.follower.last_seq() < upto {
            events.push(self.event().await);
        }
        events
    }

    /// The next frame, which must be an `error`.
    pub async fn error(&mut self) -> ErrorFrame {
        match self.frame().await {
            HubFrame::Error(e) => e,
            other => panic!("expected an error frame, got {other:?}"),
        }
    }

    /// Sends a command and waits for its answer.
    pub async fn command(&mut self, id: &str, command: Command) -> Result<u64, CommandError> {
        guard("the answer to a command", self.conn.command(id, command)).await
    }

    /// Sends a command that must be acknowledged; returns its seq.
    pub async fn ok(&mut self, id: &str, command: Command) -> u64 {
        let op = command.op();
        self.command(id, command)
            .await
            .unwrap_or_else(|e| panic!("{op} ({id}): {e}"))
    }

    /// Sends a command that must be refused with `code`; returns the error.
    pub async fn refused(&mut self, id: &str, command: Command, code: ErrorCode) -> ErrorFrame {
        let op = command.op();
        match self.command(id, command).await {
            Err(CommandError::Refused(e)) => {
                assert_eq!(
                    e.code, code,
                    "{op} ({id}) refused for the wrong reason: {e:?}"
                );
                e
            }
            other => panic!("{op} ({id}) should be refused with {code}, got {other:?}"),
        }
    }

    /// Sends a ping and expects the pong: the connection is alive and in step.
    pub async fn assert_alive(&mut self) {
        guard(
            "sending a ping",
            self.conn.send(&protocol::ClientFrame::Ping),
        )
        .await
        .expect("sending a ping");
        loop {
            match self.frame().await {
                HubFrame::Pong => return,
                HubFrame::Event(_) => continue,
                other => panic!("expected pong, got {other:?}"),
            }
        }
    }

    /// Reads until the hub closes the connection; returns the frames that came before.
    pub async fn until_closed(&mut self) -> Vec<HubFrame> {
        let mut frames = Vec::new();
        loop {
            match self.next().await {
                Ok(frame) => frames.push(frame),
                Err(ClientError::Closed { .. }) => return frames,
                Err(e) => panic!("expected a clean close, got {e}"),
            }
        }
    }

    /// Waits until this client knows `me` is checked in: from its snapshot, or from a
    /// `checked_in` event naming it.
    pub async fn until_checked_in(&mut self, me: ParticipantId) {
        let in_snapshot = self
            .follower
            .snapshot_view()
            .is_some_and(|v| v.attendance.present_ids.contains(&me));
        let mut seen = in_snapshot || self.saw_check_in(me);
        while !seen {
            let event = self.event().await;
            seen = event.event
                == (EventKind::CheckedIn {
                    participant: Some(me),
                });
        }
    }

    fn saw_check_in(&self, me: ParticipantId) -> bool {
        self.follower.events().iter().any(|e| {
            e.event
                == (EventKind::CheckedIn {
                    participant: Some(me),
                })
        })
    }
}

/// The parts of a `snapshot`; anything else is a test failure.
pub fn expect_snapshot(frame: HubFrame) -> (u64, protocol::Me, protocol::MeetingView) {
    match frame {
        HubFrame::Snapshot {
            protocol: version,
            seq,
            me,
            view,
        } => {
            assert_eq!(version, protocol::PROTOCOL_VERSION, "protocol version");
            (seq, me, view)
        }
        other => panic!("expected a snapshot, got {other:?}"),
    }
}

/// The error of an `error` frame; anything else is a test failure.
pub fn expect_error(frame: HubFrame) -> ErrorFrame {
    match frame {
        HubFrame::Error(e) => e,
        other => panic!("expected an error frame, got {other:?}"),
    }
}
