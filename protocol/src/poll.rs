//! Votes and elections (biểu quyết, bầu cử): how a poll is defined, the rule that decides
//! it, what a voter and the hall see of it, and its result.
//!
//! Arithmetic is exact: thresholds are fractions compared in integers, never floats.

use crate::ids::{AgendaItemId, ParticipantId, PollId};
use crate::model::{Fraction, Timestamp};
use crate::sealed::{ReceiptLine, Runoff, SealedBoxView, SealedWith};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The choices of a motion, in this order: tán thành / không tán thành / không biểu quyết.
pub const MOTION_OPTIONS: [&str; 3] = ["Tán thành", "Không tán thành", "Không biểu quyết"];

/// What is voted on, tagged by `"type"`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum PollKind {
    /// Agree / disagree / abstain; choice 0 is "agree".
    Motion,
    /// Exactly one of the options.
    SingleChoice { options: Vec<String> },
    /// One to `max` of the options.
    MultipleChoice { options: Vec<String>, max: u32 },
    /// A list of candidates and the seats to fill: a ballot keeps at most `seats` names
    /// (none is a valid ballot too: the voter crossed every name out).
    Election { candidates: Vec<String>, seats: u32 },
}

impl PollKind {
    /// The options a ballot's choices index into.
    pub fn options(&self) -> Vec<String> {
        match self {
            PollKind::Motion => MOTION_OPTIONS.iter().map(|s| (*s).to_owned()).collect(),
            PollKind::SingleChoice { options } | PollKind::MultipleChoice { options, .. } => {
                options.clone()
            }
            PollKind::Election { candidates, .. } => candidates.clone(),
        }
    }

    /// The fewest and most choices a valid ballot holds.
    pub fn choice_bounds(&self) -> (usize, usize) {
        let ChoiceBounds { min, max } = self.choices();
        (min as usize, max as usize)
    }

    /// The fewest and most choices a valid ballot holds, as the poll's view carries them.
    pub fn choices(&self) -> ChoiceBounds {
        match self {
            PollKind::Motion | PollKind::SingleChoice { .. } => ChoiceBounds { min: 1, max: 1 },
            PollKind::MultipleChoice { max, .. } => ChoiceBounds { min: 1, max: *max },
            PollKind::Election { seats, .. } => ChoiceBounds {
                min: 0,
                max: *seats,
            },
        }
    }
}

/// How many options a valid ballot chooses: from `min` to `max`, both included.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChoiceBounds {
    pub min: u32,
    pub max: u32,
}

/// What the count is measured against (*configurable*).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MajorityBase {
    /// Phiếu hợp lệ: the valid ballots cast.
    ValidBallots,
    /// Có mặt: the eligible members checked in when the poll closes.
    Present,
    /// Tổng số được triệu tập: every eligible member summoned.
    Summoned,
}

/// A share the count must pass: `> num/den` when `strict`, else `>= num/den`. On the wire
/// `"more_than_half"`, `"two_thirds"`, or `">3/5"` / `">=3/5"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Threshold {
    pub share: Fraction,
    pub strict: bool,
}

impl Threshold {
    /// Quá bán: strictly more than half.
    pub const MORE_THAN_HALF: Threshold = Threshold {
        share: Fraction { num: 1, den: 2 },
        strict: true,
    };
    /// At least two thirds.
    pub const TWO_THIRDS: Threshold = Threshold {
        share: Fraction::TWO_THIRDS,
        strict: false,
    };

    /// Whether `votes` out of `base` passes, in exact integer arithmetic. Nothing passes
    /// against a base of zero.
    pub fn passed_by(self, votes: u64, base: u64) -> bool {
        if base == 0 {
            return false;
        }
        let lhs = u128::from(votes) * u128::from(self.share.den);
        let rhs = u128::from(base) * u128::from(self.share.num);
        if self.strict {
            lhs > rhs
        } else {
            lhs >= rhs
        }
    }
}

impl fmt::Display for Threshold {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Threshold::MORE_THAN_HALF => f.write_str("more_than_half"),
            Threshold::TWO_THIRDS => f.write_str("two_thirds"),
            t => write!(f, "{}{}", if t.strict { ">" } else { ">=" }, t.share),
        }
    }
}

impl std::str::FromStr for Threshold {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        match s {
            "more_than_half" | "quá bán" => return Ok(Threshold::MORE_THAN_HALF),
            "two_thirds" => return Ok(Threshold::TWO_THIRDS),
            _ => {}
        }
        let (strict, rest) = if let Some(r) = s.strip_prefix(">=") {
            (false, r)
        } else if let Some(r) = s.strip_prefix('>') {
            (true, r)
        } else {
            return Err(format!(
                "'{s}' is not a threshold: use more_than_half, two_thirds, >a/b or >=a/b"
            ));
        };
        let share: Fraction = rest.parse()?;
        Ok(Threshold { share, strict })
    }
}

impl TryFrom<String> for Threshold {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        s.parse()
    }
}

impl From<Threshold> for String {
    fn from(t: Threshold) -> String {
        t.to_string()
    }
}

/// The common rules by name; explicit `base` / `threshold` override a preset's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Preset {
    /// More than half of the valid ballots (the usual rule for electing candidates).
    MajorityOfValid,
    /// More than half of the members present.
    MajorityOfPresent,
    /// More than half of all summoned (the usual rule of Party bodies for motions).
    MajorityOfSummoned,
    /// At least two thirds of the members present.
    TwoThirdsOfPresent,
    /// At least two thirds of all summoned.
    TwoThirdsOfSummoned,
}

impl Preset {
    pub fn rule(self) -> (MajorityBase, Threshold) {
        use MajorityBase::*;
        match self {
            Preset::MajorityOfValid => (ValidBallots, Threshold::MORE_THAN_HALF),
            Preset::MajorityOfPresent => (Present, Threshold::MORE_THAN_HALF),
            Preset::MajorityOfSummoned => (Summoned, Threshold::MORE_THAN_HALF),
            Preset::TwoThirdsOfPresent => (Present, Threshold::TWO_THIRDS),
            Preset::TwoThirdsOfSummoned => (Summoned, Threshold::TWO_THIRDS),
        }
    }
}

/// A poll as the secretariat or the chair defines it (`create_poll`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PollSpec {
    pub title: String,
    /// The agenda item it belongs to.
    #[serde(default)]
    pub item: Option<AgendaItemId>,
    pub kind: PollKind,
    /// Bỏ phiếu kín: the hub records that a member voted, never what.
    #[serde(default)]
    pub secret: bool,
    /// Defaults: `majority_of_valid` for elections, `majority_of_summoned` otherwise.
    #[serde(default)]
    pub preset: Option<Preset>,
    #[serde(default)]
    pub base: Option<MajorityBase>,
    #[serde(default)]
    pub threshold: Option<Threshold>,
    /// Share of the eligible members who must be present for the poll to open; absent
    /// means the meeting's quorum, `"0/1"` means no check.
    #[serde(default)]
    pub quorum: Option<Fraction>,
    /// Who may vote; absent means every member (chairs and delegates).
    #[serde(default)]
    pub eligible: Option<Vec<ParticipantId>>,
    /// Whether a voter may send a new ballot while the poll is open (open polls only).
    #[serde(default)]
    pub allow_change: bool,
    /// Whether the hall sees the running tally of an open poll before it closes.
    #[serde(default)]
    pub show_running: bool,
    /// A countdown: the poll closes by itself this many seconds after it opens.
    #[serde(default)]
    pub duration_secs: Option<u32>,
}

/// Where a poll stands: draft → open → closed → published, or cancelled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PollStatus {
    Draft,
    Open,
    Closed,
    Published,
    Cancelled,
}

/// A poll as recorded: the spec with its rule resolved.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Poll {
    pub id: PollId,
    pub title: String,
    pub item: Option<AgendaItemId>,
    pub kind: PollKind,
    pub secret: bool,
    pub base: MajorityBase,
    pub threshold: Threshold,
    /// `None`: the meeting's quorum.
    pub quorum: Option<Fraction>,
    pub eligible: Option<Vec<ParticipantId>>,
    pub allow_change: bool,
    pub show_running: bool,
    pub duration_secs: Option<u32>,
    /// A new round (bầu lại) of another poll, among the options tied there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runoff: Option<Runoff>,
}

/// Counts of paper ballots counted in the hall, for members without a device.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaperCount {
    pub valid: u32,
    pub invalid: u32,
    /// Votes per option, in option order.
    pub tallies: Vec<u32>,
}

/// The outcome of a closed poll, computed by the poll's rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PollResult {
    /// Eligible members (summoned) and those of them present at the close.
    pub summoned: u32,
    pub present: u32,
    /// Ballots cast: electronic and paper, valid and invalid.
    pub ballots: u32,
    pub valid: u32,
    pub invalid: u32,
    /// Of the electronic ballots, those the secretariat recorded for a member.
    pub proxy: u32,
    /// Votes per option, in option order (electronic and paper).
    pub tallies: Vec<u32>,
    /// The count the threshold is measured against.
    pub base_count: u32,
    /// Motion: whether "agree" passed the threshold. Other kinds: whether any option did.
    pub passed: bool,
    /// Options over the threshold that win, most votes first (candidates elected).
    pub elected: Vec<u32>,
    /// Options tied for the last seat(s): a new round among them is needed.
    pub tied: Vec<u32>,
}

/// A poll as one viewer sees it in a snapshot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PollView {
    pub poll: Poll,
    pub status: PollStatus,
    /// The options a ballot's `choices` index into, in order: a motion's three words, or
    /// the poll's options or candidates. Screens label their buttons and bars from these.
    #[serde(default)]
    pub options: Vec<String>,
    /// How many options a valid ballot chooses (an election: none up to the seats).
    #[serde(default)]
    pub choices: ChoiceBounds,
    /// When the countdown closes it, if it has one and is open.
    pub closes_at: Option<Timestamp>,
    /// Turnout: ballots in (electronic and paper) out of those eligible.
    pub ballots_in: u32,
    pub eligible: u32,
    /// The running tally, where this viewer may see it; `null` otherwise.
    pub tallies: Option<Vec<u32>>,
    /// Whether this viewer has voted, and (open polls) their choices.
    pub voted: bool,
    pub my_choices: Option<Vec<u32>>,
    /// Who has voted: for the chair and the secretariat only (the roll, not the choices).
    #[serde(default)]
    pub voters: Option<Vec<ParticipantId>>,
    /// After the close, for viewers allowed to see it (everyone once published).
    pub result: Option<PollResult>,
    /// Secret polls, once published: every encrypted ballot by its receipt.
    pub receipts: Option<Vec<ReceiptLine>>,
    /// Secret polls: what it is sealed with, from the moment it opens.
    #[serde(default)]
    pub sealed: Option<SealedWith>,
    /// Secret polls, once closed: the box and how far its opening has come.
    #[serde(default)]
    pub sealed_box: Option<SealedBoxView>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_parse_and_compare_exactly() {
        let half: Threshold = "more_than_half".parse().unwrap();
        assert!(
            !half.passed_by(50, 100),
            "exactly half is not more than half"
        );
        assert!(half.passed_by(51, 100));
        let two_thirds: Threshold = "two_thirds".parse().unwrap();
        assert!(
            two_thirds.passed_by(200, 300),
            "exactly two thirds is enough"
        );
        assert!(!two_thirds.passed_by(199, 300));
        let t: Threshold = ">=3/5".parse().unwrap();
        assert_eq!(t.to_string(), ">=3/5");
        assert!(t.passed_by(3, 5) && !t.passed_by(2, 5));
        let t: Threshold = ">3/5".parse().unwrap();
        assert!(!t.passed_by(3, 5) && t.passed_by(4, 5));
        assert!(!half.passed_by(0, 0));
        assert!("most".parse::<Threshold>().is_err());
        assert_eq!(
            serde_json::to_string(&Threshold::TWO_THIRDS).unwrap(),
            "\"two_thirds\""
        );
    }

    #[test]
    fn poll_specs_read_from_json_with_defaults() {
        let spec: PollSpec = serde_json::from_str(
            r#"{"title":"Bầu BCH","kind":{"type":"election","candidates":["A","B","C"],"seats":2},"secret":true}"#,
        )
        .unwrap();
        assert!(spec.secret && !spec.allow_change);
        assert_eq!(spec.kind.choice_bounds(), (0, 2));
        assert_eq!(PollKind::Motion.options().len(), 3);
    }

    #[test]
    fn each_kind_says_how_many_choices_a_ballot_holds() {
        let options = || vec!["A".to_owned(), "B".to_owned(), "C".to_owned()];
        let bounds = |kind: PollKind| serde_json::to_value(kind.choices()).unwrap();
        assert_eq!(
            bounds(PollKind::Motion),
            serde_json::json!({"min": 1, "max": 1})
        );
        assert_eq!(
            bounds(PollKind::SingleChoice { options: options() }),
            serde_json::json!({"min": 1, "max": 1})
        );
        assert_eq!(
            bounds(PollKind::MultipleChoice {
                options: options(),
                max: 2
            }),
            serde_json::json!({"min": 1, "max": 2})
        );
        // An election ballot may cross out every name.
        assert_eq!(
            bounds(PollKind::Election {
                candidates: options(),
                seats: 2
            }),
            serde_json::json!({"min": 0, "max": 2})
        );
    }
}
