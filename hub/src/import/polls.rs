//! `[[polls]]` in `meeting.toml`: votes and elections prepared before the meeting, created
//! in draft with it. An entry names its agenda item by position (`agenda_item = 2` is the
//! second `[[agenda]]`), since ids exist only once the meeting does. The engine checks
//! each poll like a `create_poll` from the console; the import is refused whole if one is
//! wrong.

use protocol::{Fraction, MajorityBase, PollKind, PollSpec, Preset, Threshold};
use serde::Deserialize;

/// One `[[polls]]` entry as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PollEntry {
    title: String,
    #[serde(default)]
    agenda_item: Option<usize>,
    /// `motion`, `single_choice`, `multiple_choice` or `election`.
    kind: String,
    #[serde(default)]
    options: Vec<String>,
    #[serde(default)]
    max: Option<u32>,
    #[serde(default)]
    candidates: Vec<String>,
    #[serde(default)]
    seats: Option<u32>,
    #[serde(default)]
    secret: bool,
    #[serde(default)]
    preset: Option<Preset>,
    #[serde(default)]
    base: Option<MajorityBase>,
    #[serde(default)]
    threshold: Option<Threshold>,
    #[serde(default)]
    quorum: Option<Fraction>,
    #[serde(default)]
    allow_change: bool,
    #[serde(default)]
    show_running: bool,
    #[serde(default)]
    duration_secs: Option<u32>,
}

/// A poll of a package: its spec, and the 1-based position of its agenda item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PackagePoll {
    pub agenda_item: Option<usize>,
    pub spec: PollSpec,
}

impl PollEntry {
    /// The poll, or why it cannot be one; `agenda_len` bounds `agenda_item`.
    pub(super) fn into_poll(self, agenda_len: usize) -> Result<PackagePoll, String> {
        let kind = match self.kind.as_str() {
            "motion" | "biểu quyết" => PollKind::Motion,
            "single_choice" => PollKind::SingleChoice {
                options: self.options,
            },
            "multiple_choice" => PollKind::MultipleChoice {
                options: self.options,
                max: self.max.ok_or("a multiple_choice poll needs max")?,
            },
            "election" | "bầu cử" => PollKind::Election {
                candidates: self.candidates,
                seats: self.seats.ok_or("an election needs seats")?,
            },
            other => {
                return Err(format!(
                    "unknown kind '{other}': use motion, single_choice, multiple_choice or election"
                ))
            }
        };
        if let Some(n) = self.agenda_item {
            if n == 0 || n > agenda_len {
                return Err(format!(
                    "agenda_item {n} is not one of the {agenda_len} [[agenda]] items (counted from 1)"
                ));
            }
        }
        Ok(PackagePoll {
            agenda_item: self.agenda_item,
            spec: PollSpec {
                title: self.title,
                item: None,
                kind,
                secret: self.secret,
                preset: self.preset,
                base: self.base,
                threshold: self.threshold,
                quorum: self.quorum,
                eligible: None,
                allow_change: self.allow_change,
                show_running: self.show_running,
                duration_secs: self.duration_secs,
            },
        })
    }
}
