//! `tablet sync` and `tablet docs`: the offline copies of the meeting's documents.

use super::profile::{Opened, Profile};
use crate::{CopyState, DocumentCache, Held, Session};
use indicatif::{ProgressBar, ProgressStyle};
use protocol::{Command, Document, DocumentStatus, MeetingView};

/// Downloads every document this delegate may read, deletes what it may no longer read
/// (and confirms to the hub that it holds no copy of what was withdrawn or recalled), and
/// reports each verified copy to the hub. Kept copies are hashed again first: one that no
/// longer matches is deleted and fetched again, never reported held.
pub async fn sync(profile: &Profile) -> anyhow::Result<()> {
    let mut opened = profile.open().await?;
    let cache = profile.cache(&opened)?;
    let documents = published(&opened);
    for gone in cache.keep_only(&documents)? {
        println!("Đã xoá / deleted: {gone} (no longer available)");
    }
    confirm_deleted(&cache, &mut opened.session, &opened.view).await?;
    let mut missing: u64 = 0;
    for d in &documents {
        let size = d.current().map_or(0, |v| v.file.size);
        missing += match cache.check(d).await? {
            CopyState::Verified(_) => 0,
            CopyState::Partial { bytes } => size.saturating_sub(bytes),
            CopyState::Damaged => {
                println!(
                    "! {}: bản lưu bị hỏng, tải lại / the kept copy no longer matches its SHA-256: fetching it again",
                    d.title
                );
                size
            }
            CopyState::Missing => size,
        };
    }
    let bar = ProgressBar::new(missing).with_style(
        ProgressStyle::with_template("{bar:30} {bytes}/{total_bytes} {bytes_per_sec} {wide_msg}")
            .expect("a valid template"),
    );
    // indicatif draws nothing, and prints nothing through the bar, when the output is not
    // a terminal (a script, a log): the per-document lines go straight out then.
    let say = |line: String| {
        if bar.is_hidden() {
            println!("{line}");
        } else {
            bar.println(line);
        }
    };
    let mut failures = 0;
    for document in &documents {
        bar.set_message(document.title.clone());
        match cache.sync(document, &|n| bar.inc(n)).await {
            Ok(Some(held)) => {
                say(format!("✓ {}", document.title));
                report(&mut opened.session, &held).await?;
            }
            Ok(None) => {
                // Held already (sync hashed it again); telling the hub again is harmless
                // and covers a report lost when the last sync was cut short.
                if let Some(held) = cache.held(document) {
                    report(&mut opened.session, &held).await?;
                }
            }
            Err(crate::CacheError::BadToken) => return Err(crate::CacheError::BadToken.into()),
            Err(e) => {
                failures += 1;
                say(format!("✗ {}: {e}", document.title));
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

/// Lists the documents with what this tablet holds of each, every kept copy hashed again.
pub async fn list(profile: &Profile) -> anyhow::Result<()> {
    let opened = profile.open().await?;
    let cache = profile.cache(&opened)?;
    println!("{}", opened.view.meeting.title);
    for (n, document) in published(&opened).iter().enumerate() {
        let Some(current) = document.current() else {
            continue;
        };
        let state = describe(cache.check(document).await?);
        println!(
            "{:>3}. [{}] {} (v{}, {} KiB) — {state}",
            n + 1,
            document.classification,
            document.title,
            current.version,
            current.file.size.div_ceil(1024),
        );
        if let Some(verdict) = &current.file.signatures {
            println!("       chữ ký số / signature: {}", verdict.status.as_str());
        }
    }
    Ok(())
}

fn describe(state: CopyState) -> String {
    match state {
        CopyState::Verified(path) => {
            format!("đã tải, đã kiểm tra / held, verified: {}", path.display())
        }
        CopyState::Partial { bytes } => format!("đang tải / partial: {bytes} bytes"),
        CopyState::Damaged => {
            "bản lưu bị hỏng, đã xoá / damaged copy deleted: run `tablet sync`".into()
        }
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

/// Tells the hub this tablet holds the version, verified (`report_held`), with the hash
/// of a watermarked copy.
pub async fn report(session: &mut Session, held: &Held) -> anyhow::Result<()> {
    let command = Command::ReportHeld {
        document: held.document,
        version: held.version,
        sha256: held.copy_sha256.clone(),
    };
    match session.command(command).await {
        Ok(_) => Ok(()),
        // A newer version came out meanwhile: the next sync fetches and reports it.
        Err(e) if e.code() == Some(protocol::ErrorCode::InvalidState) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// Deletes every withdrawn or recalled document the hub says this tablet still owes a
/// confirmation for (`to_delete`), then confirms it holds no copy (`report_deleted`).
pub async fn confirm_deleted(
    cache: &DocumentCache,
    session: &mut Session,
    view: &MeetingView,
) -> anyhow::Result<()> {
    for owed in &view.to_delete {
        cache.remove(owed.document)?;
        deleted(session, owed.document, owed.version).await?;
        println!(
            "Đã xoá và báo lại / deleted and confirmed: {}",
            owed.document
        );
    }
    Ok(())
}

/// `report_deleted`: this tablet holds no copy of the document (its files are gone).
pub async fn deleted(
    session: &mut Session,
    document: protocol::DocumentId,
    version: u32,
) -> anyhow::Result<()> {
    let command = Command::ReportDeleted { document, version };
    match session.command(command).await {
        Ok(_) => Ok(()),
        // Not (or no longer) owed: nothing to confirm.
        Err(e)
            if matches!(
                e.code(),
                Some(protocol::ErrorCode::InvalidState | protocol::ErrorCode::NotFound)
            ) =>
        {
            Ok(())
        }
        Err(e) => Err(e.into()),
    }
}
