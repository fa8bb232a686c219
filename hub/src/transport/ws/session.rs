//! One client's conversation: `hello`, then the snapshot or the missed events, then live
//! events and commands until either side leaves.

use super::notes;
use super::outbox::{encode, Outbox};
use super::rate::Bucket;
use super::ConnectionGuard;
use super::WebSocket;
use crate::engine::{Actor, Viewer};
use crate::live::{Answer, Kick, Listening, MeetingHandle, Refused, Request};
use crate::store::Principal;
use crate::transport::auth::{in_meeting, principal};
use crate::transport::gate::Pending as PendingSlot;
use crate::transport::AppState;
use futures_util::stream::{FuturesUnordered, SplitStream};
use futures_util::{FutureExt, StreamExt};
use protocol::{ClientFrame, Command, CommandId, ErrorCode, HubFrame, Me, PROTOCOL_VERSION};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::broadcast;
use tokio_tungstenite::tungstenite::{self, Message};

/// Further back than this, a snapshot is smaller than the events a client missed.
const MAX_RESUME_EVENTS: u64 = 5_000;
/// Commands one connection may have waiting for their outcome.
const MAX_IN_FLIGHT: usize = 32;

type Pending = Pin<Box<dyn Future<Output = (CommandId, Answer)> + Send>>;

/// Why a conversation ends; the client is told before the socket closes.
#[derive(Debug)]
pub(super) struct Ending {
    /// Boxed: an `Ending` travels in every `Err` of the session and should stay small.
    pub frame: Option<Box<HubFrame>>,
    pub close_code: u16,
    /// The client stopped reading: nothing more can reach it.
    pub lagged: bool,
}

impl Ending {
    pub fn quiet() -> Self {
        Ending {
            frame: None,
            close_code: 1000,
            lagged: false,
        }
    }
    pub fn with(code: ErrorCode, message: &str) -> Self {
        Ending {
            frame: Some(Box::new(HubFrame::error(None, code, message))),
            close_code: 1000,
            lagged: false,
        }
    }
    pub fn lagged() -> Self {
        Ending {
            frame: Some(Box::new(HubFrame::error(
                None,
                ErrorCode::Lagged,
                "this connection fell behind the meeting; reconnect and resume from your last sequence number",
            ))),
            close_code: 1000,
            lagged: true,
        }
    }
    /// The socket layer refused what the client sent: past the hard size cap that is
    /// "message too big" (1009), a text frame that is not UTF-8 "invalid frame payload
    /// data" (1007, RFC 6455 §7.4.1), anything else a protocol error (1002).
    fn read_failed(error: &tungstenite::Error) -> Self {
        let close_code = match error {
            tungstenite::Error::Capacity(_) => 1009,
            tungstenite::Error::Utf8(_) => 1007,
            _ => 1002,
        };
        Ending {
            frame: None,
            close_code,
            lagged: false,
        }
    }
}

/// Not an `async fn`: those keep their arguments for their whole life, and the unsplit
/// socket would then sit in every idle connection's task. It is split first, and the
/// conversation's future holds only the halves.
pub(super) fn run(
    socket: WebSocket,
    state: Arc<AppState>,
    cookie_token: Option<String>,
    guard: ConnectionGuard,
    pending: Option<Arc<PendingSlot>>,
) -> impl Future<Output = ()> + Send {
    let (sink, mut stream) = socket.split();
    let out = Outbox::start(sink, state.config.limits.client_queue);
    async move {
        let _guard = guard;
        let ending = match converse(&state, &out, &mut stream, cookie_token, pending).await {
            Ok(()) => Ending::quiet(),
            Err(ending) => ending,
        };
        out.close(ending).await;
    }
}

/// Who this connection is, once `hello` has been accepted.
struct Session {
    handle: Arc<MeetingHandle>,
    principal: Principal,
    actor: Actor,
    viewer: Viewer,
    bucket: Bucket,
    in_flight: FuturesUnordered<Pending>,
    /// Where uploaded files are, to refuse a command naming one that is not there.
    blobs: crate::store::Blobs,
    /// The hub, for what a command needs checked before it is submitted.
    app: Arc<AppState>,
    /// For an enrolled device: its id and the office's revocations, to close at once.
    device: Option<(protocol::DeviceId, broadcast::Receiver<protocol::DeviceId>)>,
}

/// The conversation in two phases. Opening it (hello, the token, the snapshot) needs far
/// more state than following the meeting does, so it lives in a box of its own that is freed
/// once the client is greeted: the connection's task then holds only what an idle tablet
/// needs, thousands of times over in a congress.
async fn converse(
    state: &Arc<AppState>,
    out: &Outbox,
    stream: &mut SplitStream<WebSocket>,
    cookie_token: Option<String>,
    pending: Option<Arc<PendingSlot>>,
) -> Result<(), Ending> {
    let (mut session, mut listening) =
        Box::pin(open(state, out, stream, cookie_token, pending)).await?;
    session.serve(state, out, stream, &mut listening).await
}

/// `hello`, who the token is, the snapshot or the missed events, the notes, the check-in.
async fn open(
    state: &Arc<AppState>,
    out: &Outbox,
    stream: &mut SplitStream<WebSocket>,
    cookie_token: Option<String>,
    pending: Option<Arc<PendingSlot>>,
) -> Result<(Session, Listening), Ending> {
    let limits = &state.config.limits;
    // Frames before hello count too: an unknown client gets no more than a known one.
    let mut bucket = Bucket::new(limits.commands_per_second, limits.command_burst);
    let hello = tokio::time::timeout(
        state.config.limits.hello_timeout(),
        wait_for_hello(out, stream, limits.max_frame_bytes, &mut bucket),
    )
    .await
    .map_err(|_| Ending::with(ErrorCode::HelloRequired, "no hello within the time allowed"))??;
    let ClientFrame::Hello {
        token,
        resume_from,
        meeting,
    } = hello
    else {
        return Err(Ending::quiet());
    };
    let token = token.or(cookie_token).ok_or_else(|| {
        Ending::with(
            ErrorCode::BadToken,
            "no token: open the join link on your badge, or send the token in hello",
        )
    })?;
    // Listening before the token is looked up: a revocation in between is not missed.
    let revocations = state.office.revocations();
    let principal = principal(state, &token).map_err(|e| Ending::with(e.code, &e.message))?;
    let meeting = match (&principal, meeting) {
        (Principal::Participant { meeting, .. }, _) => *meeting,
        (Principal::Office | Principal::Device { .. }, Some(m)) => m,
        (Principal::Office, None) => {
            return Err(Ending::with(
                ErrorCode::Invalid,
                "the hub-wide secretariat token must name a meeting in hello",
            ))
        }
        (Principal::Device { .. }, None) => {
            return Err(Ending::with(
                ErrorCode::Invalid,
                "an enrolled device must name the meeting to follow in hello",
            ))
        }
    };
    let call = in_meeting(state, &principal, meeting)
        .await
        .map_err(|e| Ending::with(e.code, &e.message))?;
    // Known now: this connection leaves the pending ones and counts as a session.
    if let Some(pending) = pending {
        pending.identified();
    }
    let device = match &principal {
        Principal::Device { device, .. } => Some((*device, revocations)),
        _ => None,
    };
    let mut session = Session {
        viewer: Viewer::for_actor(&call.actor),
        handle: call.handle,
        principal,
        actor: call.actor,
        bucket,
        in_flight: FuturesUnordered::new(),
        blobs: state.store.blobs().clone(),
        app: state.clone(),
        device,
    };
    // Registered with the meeting at the moment its snapshot is read: what the meeting's
    // task hands over meanwhile waits until the greeting is queued.
    let listening = session
        .greet(state, out, resume_from, &call.name, call.role)
        .await?;
    notes::send_all(state, out, session.handle.id, session.participant()).await?;
    listening.release();
    session.check_in();
    Ok((session, listening))
}

/// Reads frames until a `hello`; anything else first is answered and ignored.
async fn wait_for_hello(
    out: &Outbox,
    stream: &mut SplitStream<WebSocket>,
    max: usize,
    bucket: &mut Bucket,
) -> Result<ClientFrame, Ending> {
    loop {
        let message = match stream.next().await {
            Some(Ok(message)) => message,
            Some(Err(e)) => return Err(Ending::read_failed(&e)),
            None => return Err(Ending::quiet()),
        };
        // A client that floods before it has even said who it is has no reason to: close.
        if matches!(message, Message::Text(_) | Message::Binary(_)) && !bucket.take(Instant::now())
        {
            return Err(Ending::with(
                ErrorCode::RateLimited,
                "too many frames before hello; send hello first",
            ));
        }
        let text = match message {
            Message::Text(text) => text,
            Message::Close(_) => return Err(Ending::quiet()),
            Message::Binary(_) => {
                out.push(&HubFrame::error(
                    None,
                    ErrorCode::BadFrame,
                    "frames are JSON text",
                ))
                .await?;
                continue;
            }
            _ => continue,
        };
        if text.len() > max {
            out.push(&too_large(&text, max)).await?;
            continue;
        }
        match ClientFrame::parse(&text) {
            Ok(hello @ ClientFrame::Hello { .. }) => return Ok(hello),
            Ok(ClientFrame::Command { id, .. }) => {
                out.push(&HubFrame::error(
                    Some(id),
                    ErrorCode::HelloRequired,
                    "send hello first",
                ))
                .await?
            }
            Ok(ClientFrame::Ping) => {
                out.push(&HubFrame::error(
                    None,
                    ErrorCode::HelloRequired,
                    "send hello first",
                ))
                .await?
            }
            Err(e) => out.push(&HubFrame::Error(e)).await?,
        }
    }
}

impl Session {
    fn participant(&self) -> Option<protocol::ParticipantId> {
        match self.actor {
            Actor::Participant { id, .. } => Some(id),
            _ => None,
        }
    }

    /// Sends the snapshot, or, when the client's `resume_from` is recent enough, only the
    /// events it missed; returns the registration that brings the live frames after them.
    async fn greet(
        &mut self,
        state: &AppState,
        out: &Outbox,
        resume_from: Option<u64>,
        name: &str,
        role: protocol::Role,
    ) -> Result<Listening, Ending> {
        let me = Me {
            participant: self.participant(),
            role,
            name: name.to_owned(),
            meeting: self.handle.id,
        };
        let viewer = self.viewer;
        let hall = viewer != Viewer::Full;
        // The view and its seq come from one read, the moment the registration starts.
        let (read, listening) = self
            .handle
            .listen(viewer, self.participant(), out.queue(), |s| {
                let seq = s.seq;
                let resumable =
                    resume_from.filter(|&from| from <= seq && seq - from <= MAX_RESUME_EVENTS);
                let view = match resumable {
                    Some(_) => None,
                    None => Some(s.view(viewer)),
                };
                let extra = (hall && resumable.is_some())
                    .then(|| (s.attendance_frame(), speakers_frame(s, viewer)));
                (seq, resumable, view, extra)
            });
        let (seq, resumable, view, extra) = read;
        let Some(from) = resumable else {
            let view = view
                .flatten()
                .ok_or_else(|| Ending::with(ErrorCode::NotFound, "no such meeting"))?;
            let snapshot = HubFrame::Snapshot {
                protocol: PROTOCOL_VERSION,
                seq,
                me,
                view,
            };
            out.send(&snapshot).await?;
            return Ok(listening);
        };
        out.send(&HubFrame::Resumed {
            protocol: PROTOCOL_VERSION,
            from,
            seq,
            me,
        })
        .await?;
        let missed = state.store.read(self.handle.id, from, seq).map_err(|e| {
            tracing::error!(error = %e, "reading the log to resume failed");
            Ending::with(
                ErrorCode::Internal,
                "the hub could not read its log; reconnect without resume_from",
            )
        })?;
        // The hall names the speakers it missed before their events, and hears the
        // counters after them (it hears nobody else's check-in).
        let (attendance, people) = extra.unzip();
        if let Some(people) = people.flatten() {
            out.send(&people).await?;
        }
        for event in &missed {
            if let Some(visible) = self.viewer.redact(event) {
                out.send(&HubFrame::Event(visible.into_owned())).await?;
            }
        }
        if let Some(attendance) = attendance {
            out.send(&attendance).await?;
        }
        Ok(listening)
    }

    /// A member who joins an open meeting is present (điểm danh): the hub checks them in.
    fn check_in(&self) {
        let Actor::Participant { id, role } = self.actor else {
            return;
        };
        let due = role.is_member()
            && self.handle.read(|s| {
                s.status().is_some_and(|st| st.admits_check_in()) && !s.arrived.contains(&id)
            });
        if due {
            let request = Request::one(Actor::System, None, Command::CheckIn { participant: id });
            if let Err(e) = self.handle.submit(request) {
                tracing::warn!(code = %e.code, "automatic check-in not queued");
            }
        }
    }

    async fn serve(
        &mut self,
        state: &AppState,
        out: &Outbox,
        stream: &mut SplitStream<WebSocket>,
        listening: &mut Listening,
    ) -> Result<(), Ending> {
        let idle_timeout = state.config.limits.idle_timeout();
        let idle = tokio::time::sleep(idle_timeout);
        tokio::pin!(idle);
        let mut keepalive = tokio::time::interval(idle_timeout / 3);
        keepalive.tick().await;
        let mut shutdown = state.shutdown.clone();
        let max = state.config.limits.max_frame_bytes;
        loop {
            // The meeting's task queues events straight into the outbox, before it answers
            // the commands that caused them: an ack never overtakes its events.
            tokio::select! {
                biased;
                _ = shutdown.changed() => {
                    return Err(Ending::with(ErrorCode::ShuttingDown, "the hub is shutting down; reconnect and resume"));
                }
                kicked = &mut listening.kicked => return Err(ending_for(kicked.ok())),
                () = revoked(&mut self.device, &state.office) => {
                    return Err(Ending::with(ErrorCode::BadToken, "this device was revoked by the office; enrol it again (thiết bị đã bị thu hồi)"));
                }
                Some((id, answer)) = self.in_flight.next(), if !self.in_flight.is_empty() => {
                    // Encoded before the await: a frame held across it would be part of
                    // every idle connection's task.
                    let answer = encode(&match answer {
                        Ok(a) => HubFrame::Ack { id, seq: a.seq, receipt: a.receipt },
                        Err(r) => HubFrame::error(Some(id), r.code, r.message),
                    })?;
                    out.push_encoded(answer).await?;
                }
                message = stream.next() => {
                    let message = match message {
                        Some(Ok(message)) => message,
                        Some(Err(e)) => return Err(Ending::read_failed(&e)),
                        None => return Ok(()),
                    };
                    idle.as_mut().reset(tokio::time::Instant::now() + idle_timeout);
                    match message {
                        // Boxed: a command's handling is far larger than the idle loop.
                        Message::Text(text) => Box::pin(self.on_text(state, out, &text, max)).await?,
                        Message::Binary(_) => {
                            let refusal = encode(&HubFrame::error(None, ErrorCode::BadFrame, "frames are JSON text"))?;
                            out.push_encoded(refusal).await?
                        }
                        Message::Close(_) => return Ok(()),
                        Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => {}
                    }
                }
                _ = keepalive.tick() => {
                    out.ping().await?;
                }
                // Silent for too long, not even a pong: the tablet is gone.
                _ = &mut idle => return Err(Ending::quiet()),
            }
        }
    }

    async fn on_text(
        &mut self,
        state: &AppState,
        out: &Outbox,
        text: &str,
        max: usize,
    ) -> Result<(), Ending> {
        if text.len() > max {
            return out.push(&too_large(text, max)).await;
        }
        if !self.bucket.take(Instant::now()) {
            let id = ClientFrame::parse(text).ok().and_then(|f| match f {
                ClientFrame::Command { id, .. } => Some(id),
                _ => None,
            });
            return out
                .push(&HubFrame::error(
                    id,
                    ErrorCode::RateLimited,
                    "too many frames; wait a moment and send again",
                ))
                .await;
        }
        match ClientFrame::parse(text) {
            Err(e) => out.push(&HubFrame::Error(e)).await,
            Ok(ClientFrame::Ping) => out.push(&HubFrame::Pong).await,
            Ok(ClientFrame::Hello { .. }) => {
                out.push(&HubFrame::error(
                    None,
                    ErrorCode::AlreadyGreeted,
                    "hello was already accepted on this connection",
                ))
                .await
            }
            Ok(ClientFrame::Command { id, command, pin }) => {
                // What arrived, never what it says: its op and size only (a frame can hold a
                // token, a ballot or a private note).
                tracing::trace!(op = command.op(), bytes = text.len(), "command frame");
                self.on_command(state, out, id, command, pin).await
            }
        }
    }

    async fn on_command(
        &mut self,
        state: &AppState,
        out: &Outbox,
        id: CommandId,
        command: Command,
        pin: Option<String>,
    ) -> Result<(), Ending> {
        if self.in_flight.len() >= MAX_IN_FLIGHT {
            return out
                .push(&HubFrame::error(
                    Some(id),
                    ErrorCode::Busy,
                    "wait for answers before sending more",
                ))
                .await;
        }
        // One budget for the sender over all its connections and REST: a second socket
        // or a REST loop does not get it more.
        let admitted = state
            .senders
            .command(&self.principal)
            .and_then(|()| crate::transport::admission::admit(&self.blobs, &command));
        if let Err(refused) = admitted {
            return out
                .push(&HubFrame::error(Some(id), refused.code, refused.message))
                .await;
        }
        if let Some(device) = self
            .device
            .as_ref()
            .map(|(d, _)| *d)
            .filter(|_| crate::transport::admission::needs_pin(&command))
        {
            // The PIN is checked (slowly, on purpose) off this connection's task, then the
            // command goes the way a REST command goes.
            let (app, handle) = (self.app.clone(), self.handle.clone());
            let request = Request::one(
                self.actor,
                Some((self.principal.clone(), id.clone())),
                command,
            );
            let pending = async move {
                let answer = async {
                    app.office
                        .check_pin(device, pin.as_deref())
                        .await
                        .map_err(Refused::from)?;
                    let ballot = crate::transport::ballots::check(
                        &app.ballot_checks,
                        &handle,
                        &request.steps[0].0,
                    )
                    .await?;
                    handle.run(Request { ballot, ..request }).await
                };
                (id, answer.await)
            };
            self.in_flight.push(Box::pin(pending));
            return Ok(());
        }
        if matches!(command, Command::CastSealedBallot { .. }) {
            // Its proofs are checked first, off this connection's task, then it is submitted.
            let (app, handle) = (self.app.clone(), self.handle.clone());
            let request = Request::one(
                self.actor,
                Some((self.principal.clone(), id.clone())),
                command,
            );
            let pending = async move {
                let answer = async {
                    let ballot = crate::transport::ballots::check(
                        &app.ballot_checks,
                        &handle,
                        &request.steps[0].0,
                    )
                    .await?;
                    let request = Request { ballot, ..request };
                    handle.run(request).await
                };
                (id, answer.await)
            };
            self.in_flight.push(Box::pin(pending));
            return Ok(());
        }
        let request = Request::one(
            self.actor,
            Some((self.principal.clone(), id.clone())),
            command,
        );
        match self.handle.submit(request) {
            Ok(rx) => {
                let pending = rx.map(move |r| {
                    let stopping = || Refused::new(ErrorCode::ShuttingDown, "the hub is stopping");
                    (id, r.unwrap_or_else(|_| Err(stopping())))
                });
                self.in_flight.push(Box::pin(pending));
                Ok(())
            }
            Err(refused) => {
                out.push(&HubFrame::error(Some(id), refused.code, refused.message))
                    .await
            }
        }
    }
}

/// Resolves when the office revokes this connection's device; never for a badge.
async fn revoked(
    device: &mut Option<(protocol::DeviceId, broadcast::Receiver<protocol::DeviceId>)>,
    office: &crate::live::Office,
) {
    let Some((mine, revocations)) = device else {
        return std::future::pending().await;
    };
    loop {
        match revocations.recv().await {
            Ok(gone) if gone == *mine => return,
            Ok(_) => {}
            // Missed some: whether this device is still enrolled says it all.
            Err(broadcast::error::RecvError::Lagged(_)) => {
                if office.read(|d| d.device(*mine).is_none()) {
                    return;
                }
            }
            Err(broadcast::error::RecvError::Closed) => return std::future::pending().await,
        }
    }
}

/// Why the meeting's task ended this connection, as the client is told.
fn ending_for(kick: Option<Kick>) -> Ending {
    match kick {
        Some(Kick::Lagged) => Ending::lagged(),
        Some(Kick::Withdrawn) => {
            Ending::with(ErrorCode::BadToken, "you were withdrawn from this meeting")
        }
        Some(Kick::Revoked) => Ending::with(
            ErrorCode::BadToken,
            "this badge's code was replaced or withdrawn; ask the secretariat for a new badge",
        ),
        None => Ending::with(ErrorCode::ShuttingDown, "the meeting's task stopped"),
    }
}

/// The speakers a hall viewer's view names, for one that resumes past their events.
fn speakers_frame(state: &crate::engine::MeetingState, viewer: Viewer) -> Option<HubFrame> {
    let named: std::collections::HashSet<_> = state.speakers.named().collect();
    let participants: Vec<_> = state
        .named_for(viewer)
        .into_iter()
        .filter(|p| named.contains(&p.id))
        .collect();
    (!participants.is_empty()).then_some(HubFrame::People { participants })
}

/// Refuses an oversized frame, naming the command's id when one can be read from it, so
/// the client knows which command was not taken.
fn too_large(text: &str, max: usize) -> HubFrame {
    #[derive(serde::Deserialize)]
    struct IdOnly {
        id: Option<CommandId>,
    }
    let id = serde_json::from_str::<IdOnly>(text).ok().and_then(|f| f.id);
    HubFrame::error(
        id,
        ErrorCode::FrameTooLarge,
        format!("frames are at most {max} bytes"),
    )
}

#[cfg(test)]
mod tests {
    /// The size of what `f` returns. A spawned task holds its future whole for as long as
    /// it runs, so the largest state a connection's future can be in is paid by every
    /// idle tablet of a congress, 5,000 times.
    fn output_size<F, A, B, C, D, E, Fut>(_: F) -> usize
    where
        F: FnOnce(A, B, C, D, E) -> Fut,
    {
        std::mem::size_of::<Fut>()
    }

    #[test]
    fn an_idle_connection_holds_a_small_future() {
        // Was 10.5 KB (debug build) while the greeting's state (the snapshot's frame, the
        // token lookup) was inline; the greeting is boxed and freed once done.
        let run = output_size(super::run);
        let serve = output_size(super::Session::serve);
        assert!(run <= 2048, "session::run's future is {run} bytes");
        assert!(serve <= 1024, "Session::serve's future is {serve} bytes");
    }
}
