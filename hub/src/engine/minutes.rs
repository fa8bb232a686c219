//! The list of speakers for the minutes (biên bản): every finished speech with its agenda
//! item, speaker and times, as CSV. A pure projection of the state.

use super::MeetingState;
use super::VIETNAM_OFFSET;
use protocol::Timestamp;
use time::OffsetDateTime;

/// `2026-11-23 08:15:00` in Viet Nam time, as the minutes write it.
fn local(at: Timestamp) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(at.0) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
        .to_offset(VIETNAM_OFFSET)
        .format(&format)
        .unwrap_or_default()
}

/// The finished speeches, oldest first, as CSV (UTF-8 with a byte-order mark). Columns
/// `item_no,item,speaker,position,unit,started_at,ended_at,seconds,limit_secs`; `item_no`
/// is the item's place in the agenda, from 1.
pub fn speakers_csv(state: &MeetingState) -> String {
    let mut out = csv::Writer::from_writer(Vec::new());
    let header = [
        "item_no",
        "item",
        "speaker",
        "position",
        "unit",
        "started_at",
        "ended_at",
        "seconds",
        "limit_secs",
    ];
    let _ = out.write_record(header);
    for speech in &state.speakers.history {
        let (no, item) = state
            .agenda
            .iter()
            .enumerate()
            .find(|(_, i)| i.id == speech.item)
            .map_or((String::new(), String::new()), |(n, i)| {
                ((n + 1).to_string(), i.title.clone())
            });
        let who = state.participant(speech.participant);
        let ended = speech.ended_at.unwrap_or(speech.started_at);
        let row = [
            no,
            item,
            who.map_or_else(|| speech.participant.to_string(), |p| p.name.clone()),
            who.map(|p| p.position.clone()).unwrap_or_default(),
            who.map(|p| p.unit.clone()).unwrap_or_default(),
            local(speech.started_at),
            local(ended),
            ((ended.0 - speech.started_at.0) / 1000).to_string(),
            speech.limit_secs.to_string(),
        ];
        // Writing to a Vec cannot fail.
        let _ = out.write_record(&row);
    }
    let bytes = out.into_inner().unwrap_or_default();
    format!("\u{feff}{}", String::from_utf8_lossy(&bytes))
}

#[cfg(test)]
mod tests {
    use super::speakers_csv;
    use crate::engine::testing::*;
    use protocol::Command;

    #[test]
    fn the_minutes_list_each_speech_with_its_item_and_times() {
        let mut m = Hall::in_session();
        m.add_item("Khai mạc");
        let item = m.add_item("Thảo luận văn kiện");
        m.run(m.chair(), Command::StartAgendaItem { item }).unwrap();
        m.run(m.delegate(4), Command::RequestToSpeak { item: None })
            .unwrap();
        m.run(m.chair(), Command::GiveFloor { participant: None })
            .unwrap();
        m.advance(120_000);
        m.run(m.chair(), Command::EndSpeech).unwrap();
        let csv = speakers_csv(&m.state);
        let mut lines = csv.trim_start_matches('\u{feff}').lines();
        assert!(lines.next().unwrap().starts_with("item_no,item,speaker"));
        let row: Vec<&str> = lines.next().unwrap().split(',').collect();
        assert_eq!(&row[..3], ["2", "Thảo luận văn kiện", "Đại biểu 4"]);
        assert_eq!(row[7], "121", "two minutes and the second the command took");
        assert_eq!(row[8], "300");
        assert!(lines.next().is_none());
    }
}
