//! `tablet count POLL`: a member of the counting committee opens the count of a closed
//! secret poll from their own device. The device downloads the box, verifies every ballot
//! (all cores, with a progress bar), adds them up itself, checks the sum and the box are
//! the hub's, shows the summary and, once the member confirms, gives their decryption share
//! of that sum. No single ballot is ever decrypted: only the sum, and only by enough
//! members.

use super::act::pick;
use super::committee::load_key;
use super::profile::Profile;
use super::Usage;
use crate::sealed::{self, fetch_box, os_rng};
use protocol::PollStatus;
use std::io::BufRead as _;
use std::time::Instant;

/// `tablet count POLL [--yes]`.
pub async fn count(profile: &Profile, which: &str, yes: bool) -> anyhow::Result<()> {
    let mut opened = profile.open().await?;
    let p = pick(&opened.view.polls, which, |p| p.poll.id.to_string())
        .ok_or_else(|| Usage(format!("no poll '{which}': run `tablet vote` to list them")))?
        .clone();
    let with = p.sealed.clone().ok_or_else(|| {
        Usage(format!(
            "“{}” is not a sealed secret poll: it has no box to open",
            p.poll.title
        ))
    })?;
    let member =
        load_key(&mut super::vault::Secrets::new(profile), with.committee)?.ok_or_else(|| {
            Usage(
                "this tablet holds no share of the committee key this poll is sealed with: run \
             `tablet committee` (or import your printed copy with `tablet committee --import`)"
                    .into(),
            )
        })?;
    let threshold = p.sealed_box.as_ref().map_or(0, |b| b.threshold);
    match (&p.status, &p.sealed_box) {
        (PollStatus::Open | PollStatus::Draft, _) => {
            return Err(Usage(format!(
                "“{}” is still {:?}: its box is opened once the poll is closed",
                p.poll.title, p.status
            ))
            .into())
        }
        (_, Some(b)) if b.counts.is_some() || b.opened_by.len() as u32 >= b.threshold => {
            println!("“{}”: the count is opened already.", p.poll.title);
            return Ok(());
        }
        (_, Some(b))
            if opened
                .me
                .participant
                .is_some_and(|me| b.opened_by.contains(&me)) =>
        {
            println!(
                "“{}”: you gave your share already ({} of {} members).",
                p.poll.title,
                b.opened_by.len(),
                b.threshold
            );
            return Ok(());
        }
        (_, None) => {
            return Err(Usage(format!("“{}” has no closed box to open", p.poll.title)).into())
        }
        _ => {}
    }

    println!(
        "Tải hòm phiếu / downloading the box of “{}” …",
        p.poll.title
    );
    let file = fetch_box(&opened.join, opened.view.meeting.id, p.poll.id).await?;
    let started = Instant::now();
    let bar = indicatif::ProgressBar::new(file.ballots.len() as u64).with_style(
        indicatif::ProgressStyle::with_template(
            "Kiểm tra phiếu / checking ballots {bar:30} {pos}/{len} ({eta})",
        )
        .expect("a valid template"),
    );
    let view = opened.view.clone();
    let poll = p.poll.id;
    let checking = {
        let bar = bar.clone();
        let member = member.clone();
        tokio::task::spawn_blocking(move || {
            let progress = |done: usize, _total: usize| bar.set_position(done as u64);
            sealed::recount(&member, &view, poll, &file, Some(&progress))
        })
    };
    let recount = checking.await?;
    bar.finish_and_clear();
    let recount = recount?;
    println!(
        "Đã kiểm tra trên máy này / checked on this tablet in {:.1} s:",
        started.elapsed().as_secs_f64()
    );
    println!(
        "  {} phiếu mã hóa, mỗi phiếu có chứng minh hợp lệ / encrypted ballots, each proven well formed",
        recount.ballots
    );
    println!(
        "  số phiếu đã nhận / ballots the meeting shows in: {}",
        recount.turnout
    );
    println!(
        "  dấu vân tay hòm phiếu / box fingerprint: {}",
        recount.fingerprint
    );
    println!(
        "  tổng do máy này cộng trùng với tổng của hub / the sum added up here is the hub's \
         (committee key {})",
        crate::sealed::key_code(&member.key)
    );
    if !yes && !confirm()? {
        println!("Chưa gửi / nothing sent.");
        return Ok(());
    }
    let command = member.share(&recount, &mut os_rng()?)?;
    opened.session.command(command).await?;
    // Shares others gave meanwhile are not counted here: this says at least how far it is.
    let given = p.sealed_box.as_ref().map_or(0, |b| b.opened_by.len()) + 1;
    println!(
        "Đã gửi phần giải mã / your decryption share is given: {given} of {threshold} members \
         have opened the count"
    );
    if given >= threshold as usize {
        println!("Hòm phiếu đã được mở / the count is opened (the sum only, never a ballot).");
    }
    Ok(())
}

fn confirm() -> anyhow::Result<bool> {
    eprint!("Gửi phần giải mã để mở kết quả? / give your share to open the count? [y/N] ");
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(matches!(
        line.trim().to_lowercase().as_str(),
        "y" | "yes" | "có" | "co"
    ))
}
