//! Property tests of the engine: random command sequences from random actors against a
//! meeting, through `execute` exactly as the meeting task drives it.
//!
//! Each step is a handful of random numbers, turned into a command only when it runs, from
//! the ids the meeting holds at that moment (harvested from its events) or a fresh one: so
//! ballots name real polls, starts name real items, and the deep paths are reached. After
//! every step: no panic; an accepted command's events are numbered on from the state's seq
//! without a gap; a refusal changes nothing at all; the counts agree (present members are
//! summoned members, the comment and note tallies add up, no poll has more ballots than
//! voters). At the end, a replay of the log gives the same meeting.
//!
//! `cargo test` runs a short round; `FUZZ_CASES=N` runs N sequences and prints how many
//! commands ran (`-- --nocapture`).

use super::testing::Hall;
use super::{Actor, MeetingState, Viewer};
use crate::engine::note_bytes;
use proptest::prelude::*;
use protocol::{Command, Role};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};

/// Sequences per property: 64 by default, `FUZZ_CASES` for a long run.
fn cases() -> u32 {
    super::fuzz_cases(64)
}

/// Commands run over all sequences, printed by the long run.
static COMMANDS: AtomicU64 = AtomicU64::new(0);
/// Of those, the ones the engine accepted: a fuzz that only ever hits refusals tests little.
static ACCEPTED: AtomicU64 = AtomicU64::new(0);

/// The kinds of value a field takes.
#[derive(Clone, Copy, Debug)]
enum F {
    Id(&'static str),
    Ids(&'static str),
    Text,
    Int,
    Ints,
    Time,
    Quorum,
    Role,
    Class,
    File,
    Attachment,
    Attachments,
    Answers,
    Spec,
    IncomingKind,
}

/// Every op with its fields (an optional field is left out now and then).
const OPS: &[(&str, &[(&str, F)])] = &[
    (
        "update_meeting",
        &[
            ("title", F::Text),
            ("venue", F::Text),
            ("starts_at", F::Time),
            ("quorum", F::Quorum),
        ],
    ),
    ("open_meeting", &[]),
    ("start_session", &[]),
    ("adjourn", &[]),
    ("close_meeting", &[]),
    (
        "add_agenda_item",
        &[("title", F::Text), ("description", F::Text)],
    ),
    (
        "update_agenda_item",
        &[
            ("item", F::Id("item")),
            ("title", F::Text),
            ("description", F::Text),
        ],
    ),
    ("remove_agenda_item", &[("item", F::Id("item"))]),
    ("reorder_agenda", &[("order", F::Ids("item"))]),
    ("start_agenda_item", &[("item", F::Id("item"))]),
    ("finish_agenda_item", &[("item", F::Id("item"))]),
    (
        "add_participant",
        &[
            ("name", F::Text),
            ("position", F::Text),
            ("unit", F::Text),
            ("role", F::Role),
            ("seat", F::Text),
        ],
    ),
    (
        "update_participant",
        &[
            ("participant", F::Id("participant")),
            ("name", F::Text),
            ("seat", F::Text),
        ],
    ),
    (
        "remove_participant",
        &[("participant", F::Id("participant"))],
    ),
    ("check_in", &[("participant", F::Id("participant"))]),
    ("check_out", &[("participant", F::Id("participant"))]),
    (
        "publish_document",
        &[
            ("title", F::Text),
            ("classification", F::Class),
            ("item", F::Id("item")),
            ("readers", F::Ids("participant")),
            ("file", F::File),
        ],
    ),
    (
        "revise_document",
        &[("document", F::Id("document")), ("file", F::File)],
    ),
    ("withdraw_document", &[("document", F::Id("document"))]),
    ("recall_documents", &[("document", F::Id("document"))]),
    (
        "report_held",
        &[("document", F::Id("document")), ("version", F::Int)],
    ),
    ("report_opened", &[("document", F::Id("document"))]),
    ("request_to_speak", &[("item", F::Id("item"))]),
    (
        "withdraw_speaking_request",
        &[("participant", F::Id("participant"))],
    ),
    ("give_floor", &[("participant", F::Id("participant"))]),
    ("end_speech", &[]),
    ("set_speaking_limit", &[("seconds", F::Int)]),
    (
        "create_opinion_request",
        &[
            ("title", F::Text),
            ("questions", F::Attachments),
            ("recipients", F::Ids("participant")),
            ("deadline", F::Time),
            ("attachments", F::Attachments),
        ],
    ),
    (
        "answer_opinion_request",
        &[("request", F::Id("request")), ("answers", F::Answers)],
    ),
    ("remind_opinion_request", &[("request", F::Id("request"))]),
    ("close_opinion_request", &[("request", F::Id("request"))]),
    (
        "save_note",
        &[
            ("note", F::Id("note")),
            ("document", F::Text),
            ("page", F::Int),
            ("text", F::Text),
        ],
    ),
    ("delete_note", &[("note", F::Id("note"))]),
    (
        "send_document_comment",
        &[("document", F::Text), ("page", F::Int), ("text", F::Text)],
    ),
    (
        "register_incoming",
        &[
            ("kind", F::IncomingKind),
            ("number", F::Text),
            ("sender", F::Text),
            ("subject", F::Text),
            ("file", F::Attachment),
        ],
    ),
    (
        "forward_incoming",
        &[
            ("item", F::Id("incoming")),
            ("to", F::Ids("participant")),
            ("due", F::Time),
            ("note", F::Text),
        ],
    ),
    ("read_incoming", &[("item", F::Id("incoming"))]),
    (
        "direct_incoming",
        &[("item", F::Id("incoming")), ("text", F::Text)],
    ),
    (
        "close_incoming",
        &[("item", F::Id("incoming")), ("note", F::Text)],
    ),
    (
        "add_calendar_event",
        &[
            ("title", F::Text),
            ("starts_at", F::Time),
            ("ends_at", F::Time),
            ("location", F::Text),
            ("host", F::Text),
        ],
    ),
    ("remove_calendar_event", &[("event", F::Id("event"))]),
    (
        "post_announcement",
        &[("title", F::Text), ("text", F::Text)],
    ),
    ("create_poll", &[("poll", F::Spec)]),
    ("open_poll", &[("poll", F::Id("poll"))]),
    ("close_poll", &[("poll", F::Id("poll"))]),
    ("publish_poll", &[("poll", F::Id("poll"))]),
    ("cancel_poll", &[("poll", F::Id("poll"))]),
    (
        "cast_ballot",
        &[
            ("poll", F::Id("poll")),
            ("choices", F::Ints),
            ("on_behalf_of", F::Id("participant")),
        ],
    ),
    (
        "cast_ballot",
        &[("poll", F::Id("poll")), ("choices", F::Ints)],
    ),
    (
        "record_paper_ballots",
        &[
            ("poll", F::Id("poll")),
            ("valid", F::Int),
            ("invalid", F::Int),
            ("tallies", F::Ints),
        ],
    ),
];

const TEXTS: &[&str] = &[
    "",
    " ",
    "Khai mạc",
    "Thảo luận dự thảo Nghị quyết",
    "a\u{7}b",
    "dòng 1\ndòng 2",
    "Đề nghị làm rõ số liệu trang 12",
    "x",
    "\u{202e}đảo",
    "   Bầu cử   ",
];

/// One step: who, which op, and the numbers its fields are drawn from.
#[derive(Clone, Debug)]
pub(crate) struct Step {
    actor: u8,
    op: u8,
    picks: Vec<u32>,
}

pub(crate) fn step() -> impl Strategy<Value = Step> {
    (
        any::<u8>(),
        any::<u8>(),
        proptest::collection::vec(any::<u32>(), 24),
    )
        .prop_map(|(actor, op, picks)| Step { actor, op, picks })
}

/// The ids the meeting has named so far, by kind, harvested from its events.
#[derive(Default)]
struct Pools(BTreeMap<String, Vec<String>>);

impl Pools {
    fn harvest(&mut self, value: &Value, parent: &str) {
        match value {
            Value::Object(map) => {
                for (key, v) in map {
                    match (key.as_str(), v) {
                        ("id", Value::String(s)) => self.add(parent, s),
                        (k, Value::String(s)) if uuid::Uuid::parse_str(s).is_ok() => self.add(k, s),
                        (k, v) => self.harvest(v, k),
                    }
                }
            }
            Value::Array(list) => list.iter().for_each(|v| self.harvest(v, parent)),
            _ => {}
        }
    }

    fn add(&mut self, kind: &str, id: &str) {
        let kind = match kind {
            "voter" | "on_behalf_of" | "to" | "recipients" | "readers" => "participant",
            "comment" | "announcement" => return,
            k => k,
        };
        let pool = self.0.entry(kind.to_owned()).or_default();
        if !pool.iter().any(|p| p == id) {
            pool.push(id.to_owned());
        }
    }

    fn pick(&self, kind: &str, n: u32) -> Value {
        let pool = self.0.get(kind).map(Vec::as_slice).unwrap_or(&[]);
        if pool.is_empty() || n.is_multiple_of(8) {
            return json!(uuid::Uuid::from_u128(u128::from(n) * 7919).to_string());
        }
        json!(pool[n as usize % pool.len()])
    }
}

fn pick<T: Copy>(from: &[T], n: u32) -> T {
    from[n as usize % from.len()]
}

/// Builds the command a step stands for, as JSON (as a client sends it).
fn command(step: &Step, pools: &Pools, now: i64) -> Value {
    let mut n = step.op as usize % OPS.len();
    // Closing is final and would end the sequence's interest: one in ten draws of it stays.
    if OPS[n].0 == "close_meeting" && !step.picks[23].is_multiple_of(10) {
        n += 1;
    }
    let (op, fields) = OPS[n];
    let mut picks = step.picks.iter().copied().cycle();
    let mut next = move || picks.next().unwrap_or(0);
    let mut object = serde_json::Map::new();
    object.insert("op".into(), json!(op));
    for (name, kind) in fields {
        // An optional or required field left out: the engine or serde refuses.
        if next().is_multiple_of(11) {
            continue;
        }
        let value = match kind {
            F::Id(k) => pools.pick(k, next()),
            F::Ids(k) => json!((0..next() % 4)
                .map(|_| pools.pick(k, next()))
                .collect::<Vec<_>>()),
            F::Text => json!(pick(TEXTS, next())),
            F::Int => json!(pick(&[0, 1, 2, 3, 5, 3600, 3601, 70000], next())),
            F::Ints => json!((0..next() % 4).map(|_| next() % 4).collect::<Vec<_>>()),
            F::Time => json!(now + pick(&[-86_400_000i64, -1, 1, 60_000, 86_400_000], next())),
            F::Quorum => json!(pick(&["2/3", "1/2", "0/1", "3/2", "1/0"], next())),
            F::Role => json!(pick(
                &["chair", "secretariat", "delegate", "projector"],
                next()
            )),
            F::Class => json!(pick(&["public", "internal", "confidential"], next())),
            F::File => {
                json!({"file_name": "a.pdf", "content_type": "application/pdf", "size": next() % 3, "sha256": format!("{:064x}", next() % 3)})
            }
            F::Attachment => json!({"name": "đơn.pdf", "sha256": null}),
            F::Attachments => json!((0..next() % 3)
                .map(|n| format!("Câu {n}"))
                .collect::<Vec<_>>()),
            F::Answers => {
                json!((1..=next() % 3).map(|q| {
                json!({"question": q, "choice": pick(&["agree", "disagree", "other"], next())})
            }).collect::<Vec<_>>())
            }
            F::IncomingKind => json!(pick(&["document", "petition"], next())),
            F::Spec => {
                let kind = match next() % 4 {
                    0 => json!({"type": "motion"}),
                    1 => json!({"type": "single_choice", "options": ["A", "B", "C"]}),
                    2 => {
                        json!({"type": "multiple_choice", "options": ["A", "B", "C"], "max": next() % 4})
                    }
                    _ => {
                        json!({"type": "election", "candidates": ["An", "Bình", "Cường"], "seats": next() % 4})
                    }
                };
                json!({"title": "Biểu quyết", "kind": kind, "secret": next().is_multiple_of(2),
                       "quorum": "0/1", "duration_secs": if next().is_multiple_of(3) { json!(60) } else { json!(null) }})
            }
        };
        // Attachments of opinion requests are objects, its questions strings.
        let value = match (*name, kind) {
            ("attachments", _) => json!([{"name": "Dự thảo.pdf", "sha256": null}]),
            _ => value,
        };
        object.insert((*name).into(), value);
    }
    Value::Object(object)
}

/// Who a step speaks as: the office, the hub, or a participant in their role (removed
/// ones included: the engine must refuse them).
fn actor(step: &Step, state: &MeetingState, everyone: &[(protocol::ParticipantId, Role)]) -> Actor {
    // Those who may do most are drawn most, so that commands get past the role check.
    let by_role = |role: Role| everyone.iter().find(|(_, r)| *r == role).copied();
    let pick = match step.actor % 16 {
        0..=3 => return Actor::Office,
        4 => return Actor::System,
        5..=7 => by_role(Role::Secretariat),
        8..=9 => by_role(Role::Chair),
        n => Some(everyone[n as usize % everyone.len()]),
    };
    let (id, role) = pick.unwrap_or(everyone[0]);
    let role = state.participant(id).map_or(role, |p| p.role);
    Actor::Participant { id, role }
}

/// The counts that must agree with each other whatever happened.
fn check_counts(state: &MeetingState) -> Result<(), TestCaseError> {
    for p in &state.present {
        let member = state.participant(*p).is_some_and(|p| p.role.is_member());
        prop_assert!(member, "present but not a summoned member: {p}");
        prop_assert!(state.arrived.contains(p), "present but never arrived");
    }
    prop_assert!(state.present.len() as u32 <= state.summoned());
    let mut recount: BTreeMap<_, (u32, u64)> = BTreeMap::new();
    for c in &state.comments.list {
        let e = recount.entry(c.participant).or_default();
        e.0 += 1;
        e.1 += (c.text.len() + c.document.len()) as u64;
    }
    for (author, (count, bytes)) in &recount {
        let (mine, _) = state.comments.tally(*author);
        prop_assert_eq!((mine.count, mine.bytes), (*count, *bytes));
    }
    if let Some(view) = state.view(Viewer::Full) {
        prop_assert_eq!(view.attendance.present as usize, state.present.len());
        for poll in &view.polls {
            prop_assert!(poll.ballots_in <= poll.eligible, "more ballots than voters");
        }
    }
    Ok(())
}

/// Runs a sequence; checks every step, then a replay of the log.
fn run(steps: &[Step]) -> Result<(), TestCaseError> {
    run_observed(steps, &mut |_, _| Ok(()))
}

/// What another property checks of each accepted batch: the meeting after it, and the
/// batch's effects.
pub(crate) type Observer<'a> =
    dyn FnMut(&MeetingState, &super::Effects) -> Result<(), TestCaseError> + 'a;

/// [`run`], handing every accepted batch to `observe` too (the live fan-out's property
/// compares what each connection hears with its own redaction of the batch).
pub(crate) fn run_observed(
    steps: &[Step],
    observe: &mut Observer<'_>,
) -> Result<(), TestCaseError> {
    // Most sequences start in session, where most commands are allowed; some in draft.
    let mut hall = if steps.first().is_some_and(|s| s.op % 4 != 0) {
        Hall::in_session()
    } else {
        Hall::new()
    };
    let everyone: Vec<_> = hall
        .state
        .participants
        .iter()
        .map(|p| (p.id, p.role))
        .collect();
    let mut pools = Pools::default();
    for p in &hall.state.participants {
        pools.add("participant", &p.id.to_string());
    }
    let mut notes: BTreeMap<(protocol::ParticipantId, protocol::NoteId), u64> = BTreeMap::new();
    for step in steps {
        let json = command(step, &pools, hall.now().0 + 1000);
        let Ok(command) = serde_json::from_value::<Command>(json) else {
            continue;
        };
        COMMANDS.fetch_add(1, Ordering::Relaxed);
        let who = actor(step, &hall.state, &everyone);
        let before_seq = hall.state.seq;
        let before = format!("{:?}", hall.state);
        match hall.effects(who, command) {
            Ok(effects) => {
                ACCEPTED.fetch_add(1, Ordering::Relaxed);
                for (n, event) in effects.events.iter().enumerate() {
                    prop_assert_eq!(event.seq, before_seq + 1 + n as u64, "gapless seqs");
                    pools.harvest(&serde_json::to_value(&event.event).unwrap(), "");
                }
                prop_assert_eq!(hall.state.seq, before_seq + effects.events.len() as u64);
                observe(&hall.state, &effects)?;
                for change in &effects.notes {
                    match change {
                        super::NoteChange::Put { owner, note } => {
                            pools.add("note", &note.id.to_string());
                            notes.insert((*owner, note.id), note_bytes(note));
                        }
                        super::NoteChange::Delete { owner, note } => {
                            notes.remove(&(*owner, *note));
                        }
                    }
                }
            }
            Err(_) => {
                prop_assert_eq!(
                    before,
                    format!("{:?}", hall.state),
                    "a refusal changed nothing"
                );
            }
        }
        check_counts(&hall.state)?;
        let total: u64 = notes.values().sum();
        prop_assert_eq!(hall.state.notes.tally(everyone[0].0).1.bytes, total);
    }
    // The log alone gives the same meeting (notes and sealed ballots are not in it).
    let replayed = MeetingState::replay(hall.state.id, &hall.log);
    let view = |s: &MeetingState| {
        s.view(Viewer::Full).map(|mut v| {
            v.polls.clear();
            serde_json::to_string(&v).unwrap()
        })
    };
    prop_assert_eq!(replayed.seq, hall.state.seq);
    prop_assert_eq!(view(&replayed), view(&hall.state));
    Ok(())
}

#[test]
fn random_commands_from_random_actors_keep_the_meeting_consistent() {
    let config = ProptestConfig {
        cases: cases(),
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    let started = std::time::Instant::now();
    let mut runner = proptest::test_runner::TestRunner::new(config);
    let result = runner.run(&proptest::collection::vec(step(), 1..60), |steps| {
        run(&steps)
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    println!(
        "engine: {} sequences, {} commands ({} accepted), in {:.1?}, no panic, invariants held",
        cases(),
        COMMANDS.load(Ordering::Relaxed),
        ACCEPTED.load(Ordering::Relaxed),
        started.elapsed()
    );
}
