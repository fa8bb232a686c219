//! Property tests of [`ClientFrame::parse`]: any text at all, and JSON shaped like frames
//! with random keys and values. No panic; a refusal is `bad_frame` or `unknown_type` and
//! names an id only if it is a valid command id; what parses writes back to itself.
//! `FUZZ_CASES=N` makes it a long run.

use crate::{ClientFrame, CommandId, ErrorCode};
use proptest::prelude::*;
use serde_json::{json, Value};

fn cases() -> u32 {
    std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(256)
}

const KEYS: &[&str] = &[
    "type",
    "id",
    "token",
    "resume_from",
    "meeting",
    "command",
    "op",
    "item",
    "poll",
    "choices",
    "title",
    "text",
    "participant",
    "order",
    "seconds",
    "note",
    "page",
    "document",
];
const WORDS: &[&str] = &[
    "hello",
    "command",
    "ping",
    "pong",
    "cast_ballot",
    "start_agenda_item",
    "save_note",
    "open_meeting",
    "c-1",
    "",
    "bPW_KmGo4J3Sjp1z4p6E2gwX-tzBA_zCJ8WeBeCDeow",
    "c5c02171-e0b4-437a-91e0-d4744277a41f",
    "Khai mạc",
    "a b",
    "\u{0}",
    "\u{feff}",
];

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        prop::sample::select(WORDS).prop_map(Value::from),
        ".{0,80}".prop_map(Value::from),
    ]
}

fn frame_like() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(KEYS), inner), 0..8).prop_map(|kv| {
                Value::Object(kv.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
            }),
        ]
    })
}

fn check(text: &str) -> Result<(), TestCaseError> {
    match ClientFrame::parse(text) {
        Ok(frame) => {
            let again = serde_json::to_string(&frame).unwrap();
            prop_assert_eq!(ClientFrame::parse(&again).ok(), Some(frame));
        }
        Err(e) => {
            prop_assert!(matches!(
                e.code,
                ErrorCode::BadFrame | ErrorCode::UnknownType
            ));
            if let Some(id) = &e.id {
                prop_assert!(CommandId::try_from(id.as_str()).is_ok());
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn any_text_is_parsed_or_refused_with_a_frame_error(text in ".{0,200}") {
        check(&text)?;
    }

    #[test]
    fn frame_shaped_json_is_parsed_or_refused_with_a_frame_error(value in frame_like()) {
        check(&value.to_string())?;
    }

    #[test]
    fn commands_with_random_fields_are_parsed_or_refused(
        op in prop::sample::select(WORDS), fields in prop::collection::vec((prop::sample::select(KEYS), frame_like()), 0..6)
    ) {
        let mut command: serde_json::Map<String, Value> = fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
        command.insert("op".into(), json!(op));
        check(&json!({"type": "command", "id": "c-1", "command": command}).to_string())?;
    }
}
