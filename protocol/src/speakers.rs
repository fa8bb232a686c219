//! The list of speakers (danh sách phát biểu): who asked to speak on which agenda item, who
//! has the floor with their speaking time, and who spoke, for the minutes.
//!
//! All of it is public to the hall: the projector shows the speaker and the time left, and
//! every tablet shows the queue. The hub does not run a clock for a speech: it records when
//! the floor was given and the limit, and clients count down from `started_at + limit`.

use crate::ids::{AgendaItemId, ParticipantId};
use crate::model::Timestamp;
use serde::{Deserialize, Serialize};

/// A member waiting for the floor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuedSpeaker {
    pub participant: ParticipantId,
    /// The agenda item they asked to speak on.
    pub item: AgendaItemId,
    pub requested_at: Timestamp,
}

/// A speech: under way (`ended_at` is `null`) or finished.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Speech {
    pub participant: ParticipantId,
    pub item: AgendaItemId,
    pub started_at: Timestamp,
    /// The speaking time allowed, in seconds; 0 is no limit.
    pub limit_secs: u32,
    #[serde(default)]
    pub ended_at: Option<Timestamp>,
}

impl Speech {
    /// When the allowed time runs out, if there is a limit.
    pub fn due_at(&self) -> Option<Timestamp> {
        (self.limit_secs > 0)
            .then(|| Timestamp(self.started_at.0 + i64::from(self.limit_secs) * 1000))
    }
}

/// The list of speakers as every viewer sees it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpeakersView {
    /// Speaking time given with the floor, in seconds; 0 is no limit.
    pub limit_secs: u32,
    /// Waiting, in the order they asked, for every item (a client shows the current item's).
    pub queue: Vec<QueuedSpeaker>,
    /// Who has the floor now.
    pub speaking: Option<Speech>,
    /// Finished speeches, oldest first.
    pub history: Vec<Speech>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_speech_is_due_at_its_start_plus_its_limit() {
        let mut s = Speech {
            participant: ParticipantId::new_random(),
            item: AgendaItemId::new_random(),
            started_at: Timestamp(1_000),
            limit_secs: 300,
            ended_at: None,
        };
        assert_eq!(s.due_at(), Some(Timestamp(301_000)));
        s.limit_secs = 0;
        assert_eq!(s.due_at(), None, "no limit, no end");
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(serde_json::from_str::<Speech>(&json).unwrap(), s);
    }
}
