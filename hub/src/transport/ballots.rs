//! A sealed ballot's proofs are checked here, before the meeting's task sees it: checking
//! one election ballot costs milliseconds of CPU, so it runs on the blocking threads, as
//! many at once as there are cores, beside the meeting's task instead of inside it. The
//! engine takes only a `VerifiedBallot`, which nothing but `ballot_box::verify` makes.

use crate::live::{MeetingHandle, Refused};
use ballot_box::{EncryptedBallot, VerifiedBallot};
use protocol::{Command, ErrorCode};
use std::sync::Arc;
use tokio::sync::Semaphore;

/// Bounds the checks under way to the machine's cores.
#[derive(Debug)]
pub struct BallotChecks(Semaphore);

impl Default for BallotChecks {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        BallotChecks(Semaphore::new(cores))
    }
}

/// For `cast_sealed_ballot`, the ballot with its proofs checked against the poll's key and
/// shape; `None` for any other command, and for a poll that is not sealed (the engine then
/// refuses the ballot with the reason).
pub(crate) async fn check(
    checks: &BallotChecks,
    handle: &MeetingHandle,
    command: &Command,
) -> Result<Option<Arc<VerifiedBallot>>, Refused> {
    let Command::CastSealedBallot { poll, ballot } = command else {
        return Ok(None);
    };
    let Some((key, params)) = handle.read(|s| {
        let sealed = s.polls.get(*poll)?.sealed.as_ref()?;
        Some((sealed.key.clone(), sealed.params))
    }) else {
        return Ok(None);
    };
    let refuse = |why: String| Refused::new(ErrorCode::Invalid, why);
    let bytes = serde_json::to_vec(&ballot.0).map_err(|e| refuse(e.to_string()))?;
    let _permit = checks
        .0
        .acquire()
        .await
        .map_err(|_| Refused::new(ErrorCode::ShuttingDown, "the hub is stopping"))?;
    let verified = tokio::task::spawn_blocking(move || {
        let ballot = EncryptedBallot::from_json(&bytes)?;
        ballot_box::verify(&key, &params, &ballot)
    })
    .await
    .map_err(|_| Refused::new(ErrorCode::Internal, "checking the ballot failed"))?
    .map_err(|e| refuse(format!("the ballot is refused: {e}")))?;
    Ok(Some(Arc::new(verified)))
}
