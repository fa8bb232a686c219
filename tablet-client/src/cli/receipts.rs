//! The receipts of this delegate's secret ballots (biên nhận), kept in the profile, and
//! `tablet receipts`: once a poll is published, is each ballot in the published list?
//!
//! A receipt and its encrypted ballot's fingerprint say nothing of the marks, which this
//! tablet never keeps; they only let the voter find their ballot among the published ones.

use super::profile::Profile;
use crate::sealed::in_published_list;
use protocol::{MeetingId, MeetingView, PollId};
use serde::{Deserialize, Serialize};

const FILE: &str = "receipts.json";

/// One secret ballot this tablet cast.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Kept {
    pub meeting: MeetingId,
    pub poll: PollId,
    pub title: String,
    pub receipt: String,
    pub fingerprint: String,
    /// Whether the hub acknowledged it (kept before it is sent, so a tablet that stops at
    /// that moment still has it).
    pub acked: bool,
}

/// Where a kept receipt stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Standing {
    /// The poll's list is not published yet.
    NotYet,
    Listed,
    /// Published, and the ballot is not in it.
    Missing,
}

pub fn kept(profile: &Profile) -> anyhow::Result<Vec<Kept>> {
    Ok(profile.read_json(FILE)?.unwrap_or_default())
}

/// Keeps a receipt, replacing one of the same ballot.
pub fn keep(profile: &Profile, receipt: Kept) -> anyhow::Result<()> {
    let mut all = kept(profile)?;
    all.retain(|k| k.fingerprint != receipt.fingerprint);
    all.push(receipt);
    profile.write_json(FILE, &all)?;
    Ok(())
}

/// Forgets a ballot the hub refused.
pub fn forget(profile: &Profile, fingerprint: &str) -> anyhow::Result<()> {
    let mut all = kept(profile)?;
    all.retain(|k| k.fingerprint != fingerprint);
    profile.write_json(FILE, &all)?;
    Ok(())
}

pub fn standing(view: &MeetingView, k: &Kept) -> Standing {
    match in_published_list(view, k.poll, &k.receipt, &k.fingerprint) {
        None => Standing::NotYet,
        Some(true) => Standing::Listed,
        Some(false) => Standing::Missing,
    }
}

/// One line for a kept receipt.
pub fn line(view: &MeetingView, k: &Kept) -> String {
    let state = match standing(view, k) {
        Standing::NotYet => "chưa công bố / not published yet",
        Standing::Listed => "✓ có trong danh sách công bố / in the published list",
        Standing::Missing if !k.acked => {
            "không có trong danh sách: phiếu này có thể chưa được gửi / not listed: it may never \
             have been sent"
        }
        Standing::Missing => "✗ KHÔNG có trong danh sách công bố / NOT in the published list",
    };
    format!(
        "biên nhận / receipt {} — {state}\n      dấu vân tay / fingerprint {}",
        k.receipt, k.fingerprint
    )
}

/// A ballot this tablet cast and the hub acknowledged is missing from a published list.
#[derive(Debug, thiserror::Error)]
#[error(
    "{0} acknowledged ballot(s) of this tablet are not in the published list: show the \
     receipts above to the counting committee (Ban kiểm phiếu)"
)]
pub struct NotListed(pub usize);

/// `tablet receipts`.
pub async fn receipts(profile: &Profile) -> anyhow::Result<()> {
    let opened = profile.open().await?;
    let view = &opened.view;
    let mine: Vec<Kept> = kept(profile)?
        .into_iter()
        .filter(|k| k.meeting == view.meeting.id)
        .collect();
    if mine.is_empty() {
        println!("Chưa có biên nhận / no receipts kept on this tablet for this meeting");
        return Ok(());
    }
    let mut missing = 0;
    for k in &mine {
        println!("{}\n    {}", k.title, line(view, k));
        if k.acked && standing(view, k) == Standing::Missing {
            missing += 1;
        }
    }
    if missing > 0 {
        return Err(NotListed(missing).into());
    }
    Ok(())
}
