//! Rates per sender, across every transport: a participant's token (or the office token)
//! shares one budget of commands per second over all of its WebSockets and REST calls, and
//! one of uploads per hour. A token bucket per connection alone would let one badge open
//! many connections, or use REST, and send without limit.
//!
//! The buckets are `governor`'s keyed GCRA limiters, keyed by [`Principal`]: one entry per
//! token that has sent something, so memory grows with the participants, not the traffic.

use crate::config::Limits;
use crate::live::Refused;
use crate::store::Principal;
use governor::clock::{Clock as _, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use protocol::ErrorCode;
use std::num::NonZeroU32;

/// The budgets of every sender.
#[derive(Debug)]
pub struct SenderLimits {
    commands: DefaultKeyedRateLimiter<Principal>,
    uploads: DefaultKeyedRateLimiter<Principal>,
    per_second: u32,
    burst: u32,
    per_hour: u32,
}

fn at_least_one(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN)
}

impl SenderLimits {
    pub fn new(limits: &Limits) -> Self {
        let commands = Quota::per_second(at_least_one(limits.sender_commands_per_second))
            .allow_burst(at_least_one(limits.sender_command_burst));
        let uploads = Quota::per_hour(at_least_one(limits.uploads_per_hour));
        SenderLimits {
            commands: RateLimiter::keyed(commands),
            uploads: RateLimiter::keyed(uploads),
            per_second: limits.sender_commands_per_second,
            burst: limits.sender_command_burst,
            per_hour: limits.uploads_per_hour,
        }
    }

    /// Takes one command from `sender`'s budget, or says how long to wait.
    pub fn command(&self, sender: &Principal) -> Result<(), Refused> {
        self.commands.check_key(sender).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            Refused::new(
                ErrorCode::RateLimited,
                format!(
                    "too many commands from this badge: at most {} a second, in bursts of {} \
                     (limits.sender_commands_per_second, limits.sender_command_burst), over all \
                     its connections together; send the same command again in {} ms",
                    self.per_second,
                    self.burst,
                    wait.as_millis().max(1)
                ),
            )
        })
    }

    /// Takes one upload from `sender`'s budget for the hour, or says when the next is due.
    pub fn upload(&self, sender: &Principal) -> Result<(), Refused> {
        self.uploads.check_key(sender).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            Refused::new(
                ErrorCode::Quota,
                format!(
                    "this badge has made {} uploads in the last hour, the most allowed \
                     (limits.uploads_per_hour); the next one is possible in {} s",
                    self.per_hour,
                    wait.as_secs().max(1)
                ),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::{MeetingId, ParticipantId};

    #[test]
    fn one_sender_shares_one_budget_and_others_keep_theirs() {
        let limits = Limits {
            sender_commands_per_second: 1,
            sender_command_burst: 3,
            uploads_per_hour: 2,
            ..Limits::default()
        };
        let senders = SenderLimits::new(&limits);
        let meeting = MeetingId::new_random();
        let a = Principal::Participant {
            meeting,
            participant: ParticipantId::new_random(),
        };
        let b = Principal::Participant {
            meeting,
            participant: ParticipantId::new_random(),
        };
        assert_eq!((0..5).filter(|_| senders.command(&a).is_ok()).count(), 3);
        let refused = senders.command(&a).unwrap_err();
        assert_eq!(refused.code, ErrorCode::RateLimited);
        assert!(refused.message.contains("at most 1 a second"), "{refused}");
        assert!(
            senders.command(&b).is_ok(),
            "another badge has its own budget"
        );
        assert!(senders.upload(&a).is_ok() && senders.upload(&a).is_ok());
        let refused = senders.upload(&a).unwrap_err();
        assert_eq!(refused.code, ErrorCode::Quota);
        assert!(
            refused.message.contains("limits.uploads_per_hour"),
            "{refused}"
        );
    }
}
