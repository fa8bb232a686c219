//! The congress's votes: counted as the hub counts them, and the counting report of its
//! election.

use super::{attendees, header, id, participant, MINUTE, OPENING};
use crate::counting::{CommitteeMember, CountingReport, Duty, SealedBox};
use crate::meeting::{NamedBallot, VoteRecord};
use protocol::{
    AgendaItemId, MajorityBase, Poll, PollId, PollKind, PollResult, PollStatus, Threshold,
    Timestamp,
};

/// A poll counted as the hub counts it: the base by the rule, winners over the threshold
/// most votes first up to the seats, and a tie at the last seat named as one.
pub fn counted(
    poll: Poll,
    tallies: Vec<u32>,
    summoned: u32,
    present: u32,
    invalid: u32,
) -> VoteRecord {
    let seats = match poll.kind {
        PollKind::Election { seats, .. } => seats as usize,
        PollKind::MultipleChoice { max, .. } => max as usize,
        _ => 1,
    };
    let valid = match poll.kind {
        PollKind::Motion | PollKind::SingleChoice { .. } => tallies.iter().sum(),
        _ => present - invalid,
    };
    let base_count = match poll.base {
        MajorityBase::ValidBallots => valid,
        MajorityBase::Present => present,
        MajorityBase::Summoned => summoned,
    };
    let mut over: Vec<u32> = (0..tallies.len() as u32)
        .filter(|&i| {
            poll.threshold
                .passed_by(u64::from(tallies[i as usize]), u64::from(base_count))
        })
        .collect();
    over.sort_by_key(|&i| std::cmp::Reverse(tallies[i as usize]));
    let mut tied = Vec::new();
    let elected = if matches!(poll.kind, PollKind::Motion) {
        over.into_iter().filter(|&i| i == 0).collect()
    } else if over.len() > seats
        && tallies[over[seats] as usize] == tallies[over[seats - 1] as usize]
    {
        let last = tallies[over[seats - 1] as usize];
        tied = over
            .iter()
            .copied()
            .filter(|&i| tallies[i as usize] == last)
            .collect();
        over.into_iter()
            .filter(|&i| tallies[i as usize] > last)
            .collect()
    } else {
        over.truncate(seats);
        over
    };
    let result = PollResult {
        summoned,
        present,
        ballots: valid + invalid,
        valid,
        invalid,
        proxy: 0,
        passed: !elected.is_empty(),
        tallies,
        base_count,
        elected,
        tied,
    };
    VoteRecord {
        poll,
        status: PollStatus::Published,
        result: Some(result),
    }
}

pub(super) fn poll(n: u64, title: &str, kind: PollKind, secret: bool, base: MajorityBase) -> Poll {
    Poll {
        id: PollId(id(1000 + n)),
        title: title.to_owned(),
        item: Some(AgendaItemId(id(2000 + n))),
        kind,
        secret,
        base,
        threshold: Threshold::MORE_THAN_HALF,
        quorum: None,
        eligible: None,
        allow_change: false,
        show_running: false,
        duration_secs: None,
        runoff: None,
    }
}

/// The election of the executive committee: 11 seats, 13 candidates, the 11th seat tied.
pub fn election(delegates: usize) -> VoteRecord {
    let summoned = delegates as u32;
    let present = attendees(delegates).iter().filter(|a| a.present).count() as u32;
    let invalid = present / 50;
    let valid = present - invalid;
    let candidates: Vec<String> = (0..13).map(|n| participant(n).name).collect();
    // Shares of the valid ballots, per mille: ten clear winners, two tied for the last seat.
    let shares = [
        928, 901, 877, 850, 822, 799, 770, 741, 713, 690, 655, 655, 402,
    ];
    let tallies = shares.iter().map(|s| valid * s / 1000).collect();
    counted(
        poll(
            1,
            "Bầu Ban Chấp hành Đảng bộ huyện khóa XXV, nhiệm kỳ 2025 - 2030",
            PollKind::Election {
                candidates,
                seats: 11,
            },
            true,
            MajorityBase::ValidBallots,
        ),
        tallies,
        summoned,
        present,
        invalid,
    )
}

pub(super) fn motion(n: u64, title: &str, delegates: usize) -> VoteRecord {
    let present = attendees(delegates).iter().filter(|a| a.present).count() as u32;
    let against = present / 40;
    let abstain = present / 90;
    counted(
        poll(n, title, PollKind::Motion, false, MajorityBase::Summoned),
        vec![present - against - abstain, against, abstain],
        delegates as u32,
        present,
        0,
    )
}

/// The open motion's named ballots: everyone present, in summons order.
pub fn ballots(delegates: usize) -> (VoteRecord, Vec<NamedBallot>) {
    let vote = motion(
        2,
        "Thông qua Chương trình và Quy chế làm việc của Đại hội",
        delegates,
    );
    let r = vote.result.clone().expect("counted");
    // The first tallies[0] present vote for, the next tallies[1] against, the rest abstain.
    let (agree, against) = (r.tallies[0] as usize, r.tallies[1] as usize);
    let ballots = attendees(delegates)
        .into_iter()
        .filter(|a| a.present)
        .enumerate()
        .map(|(n, a)| {
            let choice = if n < agree {
                0
            } else if n < agree + against {
                1
            } else {
                2
            };
            NamedBallot {
                proxy: a.participant.seat.as_deref() == Some("A-10"),
                participant: a.participant,
                choices: vec![choice as u32],
            }
        })
        .collect();
    (vote, ballots)
}

/// The counting report of the congress's election, its box sealed.
pub fn counting_report(delegates: usize) -> CountingReport {
    let vote = election(delegates);
    let present = vote.result.as_ref().map_or(0, |r| r.present);
    CountingReport {
        header: header(),
        meeting: "Đại hội đại biểu Đảng bộ huyện Gia Bình lần thứ XXV, nhiệm kỳ 2025 - 2030"
            .to_owned(),
        venue: "Hội trường Trung tâm Chính trị huyện Gia Bình".to_owned(),
        counted_at: Some(Timestamp(OPENING.0 + 190 * MINUTE)),
        committee: vec![
            CommitteeMember {
                name: "Lê Thị Ánh Tuyết".to_owned(),
                duty: Duty::Head,
            },
            CommitteeMember {
                name: "Đỗ Mạnh Hùng".to_owned(),
                duty: Duty::Deputy,
            },
            CommitteeMember {
                name: "Hồ Sỹ Quý".to_owned(),
                duty: Duty::Member,
            },
            CommitteeMember {
                name: "Ngô Thị Thu Hằng".to_owned(),
                duty: Duty::Member,
            },
            CommitteeMember {
                name: "Dương Văn Khải".to_owned(),
                duty: Duty::Member,
            },
        ],
        vote,
        ballots_issued: present,
        sealed_box: Some(SealedBox {
            fingerprint: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
                .to_owned(),
            file_name: "ket-qua-bau-bch.json".to_owned(),
            ballots: present,
        }),
        recipients: vec![
            "Đoàn Chủ tịch Đại hội".to_owned(),
            "Lưu hồ sơ Đại hội".to_owned(),
        ],
    }
}
