//! `tablet agenda` and `tablet watch`: the meeting as a delegate follows it.

use super::documents::report;
use super::profile::Profile;
use crate::{documents_in, spawn_downloader};
use protocol::{AgendaItemStatus, EventKind, HubFrame, MeetingView};
use std::collections::HashMap;

pub async fn agenda(profile: &Profile) -> anyhow::Result<()> {
    let view = profile.open().await?.view;
    println!("{}", view.meeting.title);
    for (n, item) in view.agenda.iter().enumerate() {
        let mark = match item.status {
            AgendaItemStatus::Current => "▶",
            AgendaItemStatus::Done => "✓",
            AgendaItemStatus::Pending => " ",
        };
        println!("{mark} {:>2}. {}", n + 1, item.title);
    }
    let a = &view.attendance;
    println!(
        "Có mặt / present: {} / {} (quorum {}: {})",
        a.present,
        a.summoned,
        a.quorum,
        if a.quorum_reached {
            "đủ / reached"
        } else {
            "chưa đủ / not reached"
        }
    );
    Ok(())
}

/// Prints events as they come; keeps the document cache in line in the background and
/// reports each verified copy to the hub.
pub async fn watch(profile: &Profile) -> anyhow::Result<()> {
    let opened = profile.open().await?;
    let cache = profile.cache(&opened)?;
    let (downloads, mut fetched) = spawn_downloader(cache.clone());
    let mut session = opened.session;
    let mut names = Names::from(&opened.view);
    println!(
        "{} — {} items, {} present",
        opened.view.meeting.title,
        opened.view.agenda.len(),
        opened.view.attendance.present
    );
    cache.keep_only(&opened.view.documents)?;
    for document in opened.view.documents {
        let _ = downloads.send(document);
    }
    loop {
        let frame = tokio::select! {
            frame = session.next() => frame?,
            Some(outcome) = fetched.recv() => {
                match outcome {
                    Ok(held) => {
                        println!("  ✓ tài liệu đã tải / document held: {}", held.path.display());
                        report(&mut session, &held).await?;
                    }
                    Err((_, crate::CacheError::BadToken)) => {
                        return Err(crate::CacheError::BadToken.into());
                    }
                    Err((document, e)) => println!("  ✗ document {document}: {e}"),
                }
                continue;
            }
        };
        for document in documents_in(&frame) {
            let _ = downloads.send(document);
        }
        match frame {
            HubFrame::Snapshot { seq, view, .. } => {
                names = Names::from(&view);
                cache.keep_only(&view.documents)?;
                println!(
                    "#{seq} {} (the hub sent the meeting again)",
                    view.meeting.title
                );
            }
            HubFrame::Resumed { from, seq, .. } => {
                println!("(reconnected: resuming after #{from}, hub at #{seq})")
            }
            HubFrame::Event(e) => println!("#{} {}", e.seq, names.describe(&e.event)),
            _ => {}
        }
    }
}

/// Titles and names, to print events as a person reads them.
#[derive(Default)]
struct Names {
    items: HashMap<protocol::AgendaItemId, String>,
    people: HashMap<protocol::ParticipantId, String>,
}

impl Names {
    fn from(view: &MeetingView) -> Names {
        Names {
            items: view
                .agenda
                .iter()
                .map(|i| (i.id, i.title.clone()))
                .collect(),
            people: view
                .participants
                .iter()
                .map(|p| (p.id, p.name.clone()))
                .collect(),
        }
    }

    fn item(&self, id: &protocol::AgendaItemId) -> &str {
        self.items.get(id).map_or("(?)", String::as_str)
    }

    fn describe(&mut self, event: &EventKind) -> String {
        match event {
            EventKind::AgendaItemAdded { item } => {
                self.items.insert(item.id, item.title.clone());
                format!("agenda: added “{}”", item.title)
            }
            EventKind::AgendaItemStarted { item } => format!("▶ now: {}", self.item(item)),
            EventKind::AgendaItemFinished { item } => format!("✓ finished: {}", self.item(item)),
            EventKind::MeetingStatusChanged { status } => format!("meeting is now {status:?}"),
            EventKind::ParticipantAdded { participant } => {
                self.people.insert(participant.id, participant.name.clone());
                format!("summoned: {}", participant.name)
            }
            EventKind::CheckedIn {
                participant: Some(p),
            } => {
                format!(
                    "checked in: {}",
                    self.people.get(p).map_or("(?)", String::as_str)
                )
            }
            EventKind::CheckedIn { participant: None } => "a member checked in".into(),
            EventKind::DocumentPublished { document } => {
                format!("tài liệu mới / new document: {}", document.title)
            }
            EventKind::DocumentRevised { document } => {
                format!("tài liệu sửa đổi / new version: {}", document.title)
            }
            EventKind::DocumentWithdrawn { document }
            | EventKind::DocumentRecalled { document } => {
                format!("tài liệu thu hồi / withdrawn: {}", document.title)
            }
            EventKind::PollCreated { poll, .. } => {
                format!("biểu quyết / poll prepared: {}", poll.title)
            }
            EventKind::PollOpened { .. } => "▶ biểu quyết mở / a poll is open: tablet vote".into(),
            EventKind::PollClosed { .. } => "biểu quyết kết thúc / a poll closed".into(),
            other => format!("{other:?}"),
        }
    }
}
