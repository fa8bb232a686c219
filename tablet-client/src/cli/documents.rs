//! `tablet sync` and `tablet docs`: the offline copies of the meeting's documents.

use super::profile::{Opened, Profile};
use crate::{CopyState, DocumentCache, Held, Session};
use indicatif::{ProgressBar, ProgressStyle};
use protocol::{Command, Document, DocumentStatus};

/// Downloads every document this delegate may read, deletes what it may no longer read,
/// and reports each verified copy to the hub.
pub async fn sync(profile: &Profile) -> anyhow::Result<()> {
    let mut opened = profile.open().await?;
    let cache = profile.cache(&opened)?;
    let documents = published(&opened);
    for gone in cache.keep_only(&documents)? {
        println!("Đã xoá / deleted: {gone} (no longer available)");
    }
    let missing: u64 = documents
        .iter()
        .filter_map(|d| {
            let size = d.current()?.file.size;
            match cache.state(d) {
                CopyState::Verified(_) => None,
                CopyState::Partial { bytes } => Some(size.saturating_sub(bytes)),
                CopyState::Missing => Some(size),
            }
        })
        .sum();
    let bar = ProgressBar::new(missing).with_style(
        ProgressStyle::with_template("{bar:30} {bytes}/{total_bytes} {bytes_per_sec} {wide_msg}")
            .expect("a valid template"),
    );
    let mut failures = 0;
    for document in &documents {
        bar.set_message(document.title.clone());
        match cache.sync(document, &|n| bar.inc(n)).await {
            Ok(Some(held)) => {
                bar.println(format!("✓ {}", document.title));
                report(&mut opened.session, &held).await?;
            }
            Ok(None) => {
                // Held already; telling the hub again is harmless and covers a report
                // lost when the last sync was cut short.
                if let (CopyState::Verified(_), Some(v)) =
                    (cache.state(document), document.current())
                {
                    let held = Held {
                        document: document.id,
                        version: v.version,
                        path: Default::default(),
                    };
                    report(&mut opened.session, &held).await?;
                }
            }
            Err(crate::CacheError::BadToken) => return Err(crate::CacheError::BadToken.into()),
            Err(e) => {
                failures += 1;
                bar.println(format!("✗ {}: {e}", document.title));
            }
        }
    }
    bar.finish_and_clear();
    let held = documents
        .iter()
        .filter(|d| matches!(cache.state(d), CopyState::Verified(_)))
        .count();
    println!(
        "Tài liệu / documents: {held} of {} held, verified, in {}",
        documents.len(),
        cache.dir().display()
    );
    anyhow::ensure!(
        failures == 0,
        "{failures} document(s) could not be downloaded"
    );
    Ok(())
}

/// Lists the documents with what this tablet holds of each.
pub async fn list(profile: &Profile) -> anyhow::Result<()> {
    let opened = profile.open().await?;
    let cache = profile.cache(&opened)?;
    println!("{}", opened.view.meeting.title);
    for (n, document) in published(&opened).iter().enumerate() {
        let Some(current) = document.current() else {
            continue;
        };
        let state = describe(&cache, document);
        println!(
            "{:>3}. [{}] {} (v{}, {} KiB) — {state}",
            n + 1,
            document.classification,
            document.title,
            current.version,
            current.file.size.div_ceil(1024),
        );
    }
    Ok(())
}

fn describe(cache: &DocumentCache, document: &Document) -> String {
    match cache.state(document) {
        CopyState::Verified(path) => {
            format!("đã tải, đã kiểm tra / held, verified: {}", path.display())
        }
        CopyState::Partial { bytes } => format!("đang tải / partial: {bytes} bytes"),
        CopyState::Missing => "chưa tải / not held".into(),
    }
}

fn published(opened: &Opened) -> Vec<Document> {
    opened
        .view
        .documents
        .iter()
        .filter(|d| d.status == DocumentStatus::Published)
        .cloned()
        .collect()
}

/// Tells the hub this tablet holds the version, verified (`report_held`).
pub async fn report(session: &mut Session, held: &Held) -> anyhow::Result<()> {
    let command = Command::ReportHeld {
        document: held.document,
        version: held.version,
    };
    match session.command(command).await {
        Ok(_) => Ok(()),
        // A newer version came out meanwhile: the next sync fetches and reports it.
        Err(e) if e.code() == Some(protocol::ErrorCode::InvalidState) => Ok(()),
        Err(e) => Err(e.into()),
    }
}
