//! What the secretariat adds to the meeting's record (hồ sơ) for the minutes (biên bản):
//! the header's details (a Party or a state body, the bodies' names, the number, the place
//! of the date line), the conclusion of each agenda item, free text, and why a member is
//! absent. Everything else in the minutes is drawn from what happened.
//!
//! These are events of the log like any other, so the record they make is hash-chained
//! and goes into the meeting's dossier. Only the secretariat writes them; the secretariat
//! and the chair see them; the hall does not.

use crate::ids::{AgendaItemId, ParticipantId};
use serde::{Deserialize, Serialize};

/// Whose national header the papers carry.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HeaderKind {
    /// A Party body (Hướng dẫn 36-HD/VPTW): "ĐẢNG CỘNG SẢN VIỆT NAM", the number "Số
    /// 15-BB/HU".
    #[default]
    Party,
    /// A state body (Nghị định 30/2020/NĐ-CP): the national motto, the number "Số:
    /// 15/BB-UBND".
    State,
}

/// The top of the minutes and the counting reports. Empty fields are left as dots to fill
/// in by hand.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MinutesDetails {
    #[serde(default)]
    pub header: HeaderKind,
    /// The body above the issuing one ("ĐẢNG BỘ TỈNH BẮC NINH").
    #[serde(default)]
    pub superior: String,
    /// The issuing body ("HUYỆN ỦY GIA BÌNH").
    #[serde(default)]
    pub body: String,
    /// What follows "Số": "15-BB/HU".
    #[serde(default)]
    pub number: String,
    /// The place of the date line: "Gia Bình".
    #[serde(default)]
    pub place: String,
}

/// An agenda item's conclusion as the secretariat wrote it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conclusion {
    pub item: AgendaItemId,
    pub text: String,
}

/// Why a member is absent, as given to the secretariat.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AbsenceReason {
    pub participant: ParticipantId,
    pub reason: String,
}

/// What the secretariat has written for the record so far: in the snapshots of the
/// secretariat, the chair and the office only.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordView {
    pub details: MinutesDetails,
    /// In agenda order; items without a conclusion are not listed.
    pub conclusions: Vec<Conclusion>,
    /// Free text for the minutes, after the agenda items.
    pub notes: String,
    /// In summons order; members without a reason are not listed.
    pub absences: Vec<AbsenceReason>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Command, EventKind};

    #[test]
    fn record_commands_and_events_are_tagged_as_the_protocol_says() {
        let c: Command = serde_json::from_str(
            r#"{"op":"set_minutes_details","header":"state","body":"UBND huyện Gia Bình"}"#,
        )
        .unwrap();
        assert_eq!(
            c,
            Command::SetMinutesDetails {
                header: Some(HeaderKind::State),
                superior: None,
                body: Some("UBND huyện Gia Bình".into()),
                number: None,
                place: None,
            }
        );
        assert_eq!(c.op(), "set_minutes_details");
        let e = EventKind::ConclusionSet {
            item: AgendaItemId::new_random(),
            text: "Thông qua".into(),
        };
        let json = serde_json::to_string(&e).unwrap();
        assert!(json.starts_with(r#"{"kind":"conclusion_set""#), "{json}");
        assert_eq!(serde_json::from_str::<EventKind>(&json).unwrap(), e);
        let d: MinutesDetails = serde_json::from_str("{}").unwrap();
        assert_eq!(d.header, HeaderKind::Party);
    }
}
