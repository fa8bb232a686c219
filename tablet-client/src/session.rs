//! A tablet's session with the hub: joins from a badge's URL, reconnects after a drop with
//! capped, jittered backoff, resumes from the last sequence number, and re-sends a command
//! under the same id until it is answered, so a ballot sent as the Wi-Fi fails is counted
//! once, never twice and never lost.

use crate::{ClientError, CommandError, Connection, Follower, JoinUrl};
use protocol::{ClientFrame, Command, CommandId, ErrorCode, HubFrame};
use std::collections::VecDeque;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Backoff after a failed connection: doubles from `FIRST` up to `CAP`, each wait drawn at
/// random below that, so a hall of tablets does not reconnect in lockstep.
const FIRST: Duration = Duration::from_millis(250);
const CAP: Duration = Duration::from_secs(10);

/// The hub's `ack` of a command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    /// The meeting's seq after the command: its events, if any, came before the ack.
    pub seq: u64,
    /// A secret ballot's receipt, to find it in the list published after the close.
    pub receipt: Option<String>,
}

/// A session that survives drops. Everything it receives passes through its [`Follower`].
#[derive(Debug)]
pub struct Session {
    join: JoinUrl,
    conn: Option<Connection>,
    follower: Follower,
    /// Frames received while a command waited for its answer.
    held: VecDeque<HubFrame>,
    /// Makes this session's command ids unique across runs: the hub keys them by sender.
    id_prefix: String,
    next_id: u64,
    rng: u64,
    /// Connections made, the first included.
    pub connections: u64,
}

impl Session {
    /// Joins: connects and greets the hub. Fails at once on what retrying cannot fix (a
    /// revoked token, a refused upgrade); retries while the hub is unreachable, up to
    /// `patience`.
    pub async fn join(
        join: JoinUrl,
        follower: Follower,
        patience: Duration,
    ) -> Result<Session, ClientError> {
        let seed = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64)
            ^ u64::from(std::process::id()).rotate_left(32);
        let mut session = Session {
            join,
            conn: None,
            follower,
            held: VecDeque::new(),
            id_prefix: format!("t{:012x}", seed & 0xffff_ffff_ffff),
            next_id: 0,
            rng: seed | 1,
            connections: 0,
        };
        session.connect(patience).await?;
        Ok(session)
    }

    pub fn follower(&self) -> &Follower {
        &self.follower
    }

    /// The next frame: a snapshot or resumed after a reconnect, events, pongs. Reconnects
    /// by itself; returns an error only when retrying cannot help.
    pub async fn next(&mut self) -> Result<HubFrame, ClientError> {
        if let Some(frame) = self.held.pop_front() {
            return Ok(frame);
        }
        loop {
            let conn = match &mut self.conn {
                Some(conn) => conn,
                None => {
                    self.connect(Duration::MAX).await?;
                    continue;
                }
            };
            match conn.recv().await {
                Ok(HubFrame::Error(e)) if e.id.is_none() && is_parting(e.code) => {
                    // Lagged or shutting down: the hub is about to close; resume.
                    self.conn = None;
                }
                Ok(HubFrame::Error(e)) if e.id.is_none() && e.code == ErrorCode::BadToken => {
                    return Err(ClientError::Refused(e));
                }
                Ok(frame) => {
                    self.follower.observe(&frame)?;
                    return Ok(frame);
                }
                Err(e) if is_transient(&e) => self.conn = None,
                Err(e) => return Err(e),
            }
        }
    }

    /// Sends a command and waits for its answer, reconnecting and re-sending under the
    /// same id as often as the connection fails: the hub answers a re-send with the first
    /// outcome, so the command takes effect exactly once.
    pub async fn command(&mut self, command: Command) -> Result<u64, CommandError> {
        self.next_id += 1;
        let id = CommandId::try_from(format!("{}-{}", self.id_prefix, self.next_id))
            .map_err(ClientError::from)?;
        Ok(self.command_as(id, command).await?.seq)
    }

    /// Like [`Session::command`], under an id the caller chose: a ballot's must be random,
    /// since a secret poll keeps it with the record that the member voted. Returns the
    /// whole answer, the receipt of a secret ballot included.
    pub async fn command_as(
        &mut self,
        id: CommandId,
        command: Command,
    ) -> Result<Answer, CommandError> {
        loop {
            if self.conn.is_none() {
                self.connect(Duration::MAX).await?;
            }
            let Some(conn) = &mut self.conn else { continue };
            let frame = ClientFrame::Command {
                id: id.clone(),
                command: command.clone(),
                pin: None,
            };
            if let Err(e) = conn.send(&frame).await {
                if is_transient(&e) {
                    self.conn = None;
                    continue;
                }
                return Err(e.into());
            }
            match self.await_answer(&id).await {
                Ok(answer) => return answer,
                Err(e) if is_transient(&e) => self.conn = None,
                Err(e) => return Err(e.into()),
            }
        }
    }

    async fn await_answer(
        &mut self,
        id: &CommandId,
    ) -> Result<Result<Answer, CommandError>, ClientError> {
        let Some(conn) = &mut self.conn else {
            return Err(ClientError::Closed { reason: None });
        };
        loop {
            match conn.recv().await? {
                HubFrame::Ack {
                    id: got,
                    seq,
                    receipt,
                } if &got == id => return Ok(Ok(Answer { seq, receipt })),
                HubFrame::Error(e) if e.id.as_ref() == Some(id) => {
                    if matches!(
                        e.code,
                        ErrorCode::Busy | ErrorCode::RateLimited | ErrorCode::ShuttingDown
                    ) {
                        tokio::time::sleep(FIRST).await;
                        return Err(ClientError::Closed {
                            reason: Some(e.message),
                        });
                    }
                    return Ok(Err(CommandError::Refused(e)));
                }
                HubFrame::Error(e) if e.id.is_none() && is_parting(e.code) => {
                    return Err(ClientError::Closed {
                        reason: Some(e.message),
                    });
                }
                frame => {
                    self.follower.observe(&frame)?;
                    self.held.push_back(frame);
                }
            }
        }
    }

    /// Connects and says hello, resuming from the last seq seen; backs off while the hub
    /// cannot be reached.
    async fn connect(&mut self, patience: Duration) -> Result<(), ClientError> {
        let started = std::time::Instant::now();
        let mut ceiling = FIRST;
        loop {
            match self.try_connect().await {
                Ok(()) => return Ok(()),
                Err(e) if is_transient(&e) && started.elapsed() < patience => {
                    let wait = self.jitter(ceiling);
                    tokio::time::sleep(wait).await;
                    ceiling = (ceiling * 2).min(CAP);
                }
                Err(e) => return Err(e),
            }
        }
    }

    async fn try_connect(&mut self) -> Result<(), ClientError> {
        let mut conn = Connection::open(self.join.ws_url().as_str()).await?;
        let resume = (self.follower.last_seq() > 0).then(|| self.follower.last_seq());
        let first = conn.join(self.join.token(), resume, None).await?;
        self.follower.observe(&first)?;
        self.held.push_back(first);
        self.conn = Some(conn);
        self.connections += 1;
        Ok(())
    }

    /// A wait drawn uniformly below `ceiling` (xorshift: no cryptography needed here).
    fn jitter(&mut self, ceiling: Duration) -> Duration {
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        let millis = ceiling.as_millis().max(1) as u64;
        Duration::from_millis(self.rng % millis)
    }
}

fn is_parting(code: ErrorCode) -> bool {
    matches!(code, ErrorCode::Lagged | ErrorCode::ShuttingDown)
}

/// Failures a reconnect can fix: the network, the hub restarting, a drop.
fn is_transient(e: &ClientError) -> bool {
    match e {
        ClientError::Unreachable { .. }
        | ClientError::Closed { .. }
        | ClientError::WebSocket(_) => true,
        ClientError::UpgradeRefused { status, .. } => *status == 503,
        ClientError::Refused(frame) => matches!(
            frame.code,
            ErrorCode::Busy | ErrorCode::ShuttingDown | ErrorCode::Lagged
        ),
        _ => false,
    }
}
