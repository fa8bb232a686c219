//! Counting a closed poll by its rule: tallies, valid and invalid ballots, the base, and
//! who passes — for an election the elected in order and any tie at the last seat.

use super::rules::base_count;
use super::PollState;
use protocol::{PollKind, PollResult};

/// The result of `poll` with `summoned` eligible members, `present` of them in the hall.
pub fn count(poll: &PollState, summoned: u32, present: u32) -> PollResult {
    let tallies = poll.running();
    let electronic = poll.voters.len() as u32;
    let valid = electronic + poll.paper.valid;
    let invalid = poll.paper.invalid;
    let base = base_count(poll.poll.base, valid, present, summoned);
    let threshold = poll.poll.threshold;
    let passes = |votes: u32| threshold.passed_by(u64::from(votes), u64::from(base));
    let (passed, elected, tied) = match &poll.poll.kind {
        PollKind::Motion => {
            let passed = passes(tallies[0]);
            (passed, if passed { vec![0] } else { vec![] }, vec![])
        }
        PollKind::SingleChoice { .. } => cut(&tallies, 1, passes),
        PollKind::MultipleChoice { max, .. } => cut(&tallies, *max as usize, passes),
        PollKind::Election { seats, .. } => cut(&tallies, *seats as usize, passes),
    };
    PollResult {
        summoned,
        present,
        ballots: valid + invalid,
        valid,
        invalid,
        proxy: poll.voters.values().filter(|v| v.proxy).count() as u32,
        tallies,
        base_count: base,
        passed,
        elected,
        tied,
    }
}

/// Options over the threshold, most votes first (ties by list order), up to `seats`. When
/// the options at the last seat and the first one past it have the same votes, every
/// option with those votes is tied and none of them is elected: a new round decides.
fn cut(tallies: &[u32], seats: usize, passes: impl Fn(u32) -> bool) -> (bool, Vec<u32>, Vec<u32>) {
    let mut over: Vec<u32> = (0..tallies.len() as u32)
        .filter(|&i| passes(tallies[i as usize]))
        .collect();
    over.sort_by_key(|&i| (std::cmp::Reverse(tallies[i as usize]), i));
    if over.len() <= seats {
        return (!over.is_empty(), over, vec![]);
    }
    let last = tallies[over[seats - 1] as usize];
    let next = tallies[over[seats] as usize];
    if last != next {
        over.truncate(seats);
        return (true, over, vec![]);
    }
    let elected: Vec<u32> = over
        .iter()
        .copied()
        .filter(|&i| tallies[i as usize] > last)
        .collect();
    let tied = over
        .iter()
        .copied()
        .filter(|&i| tallies[i as usize] == last)
        .collect();
    (!elected.is_empty(), elected, tied)
}

#[cfg(test)]
mod tests {
    use super::cut;

    #[test]
    fn the_most_votes_win_up_to_the_seats() {
        let (passed, elected, tied) = cut(&[5, 9, 7, 2], 2, |v| v > 3);
        assert!(passed);
        assert_eq!(elected, vec![1, 2]);
        assert!(tied.is_empty());
    }

    #[test]
    fn fewer_over_the_threshold_than_seats_leaves_seats_empty() {
        let (_, elected, tied) = cut(&[5, 9, 7, 2], 3, |v| v > 6);
        assert_eq!(elected, vec![1, 2]);
        assert!(tied.is_empty());
    }

    #[test]
    fn a_tie_at_the_last_seat_elects_none_of_the_tied() {
        let (_, elected, tied) = cut(&[8, 6, 6, 6, 1], 2, |v| v > 3);
        assert_eq!(elected, vec![0]);
        assert_eq!(tied, vec![1, 2, 3], "a new round among the three");
    }

    #[test]
    fn a_tie_inside_the_seats_is_no_tie() {
        let (_, elected, tied) = cut(&[6, 6, 2], 2, |v| v > 1);
        assert_eq!(elected, vec![0, 1]);
        assert!(tied.is_empty());
    }

    #[test]
    fn a_tie_below_the_threshold_does_not_matter() {
        let (passed, elected, tied) = cut(&[9, 3, 3], 2, |v| v > 5);
        assert!(passed);
        assert_eq!(elected, vec![0]);
        assert!(tied.is_empty());
    }
}
