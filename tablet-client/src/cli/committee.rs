//! `tablet committee`: a member of the counting committee (Ban kiểm phiếu) makes the
//! committee's key with the other members' devices, through the hub, and keeps their share.
//!
//! The setup's state is kept in the profile before every message is sent
//! (`committee/<id>.setup.json`), so the program can be stopped and run again at any
//! moment and carries on. The share ends in `committee/<id>.key.json`. Both are sealed
//! under the member's passphrase (`vault`) and readable by their owner only; `--print`
//! shows it as text and a QR code for a printed copy kept in a sealed envelope, and
//! `--import` reads that copy back on a new device.

use super::profile::Profile;
use super::vault::Secrets;
use super::Usage;
use crate::sealed::{make_key, KeyDevice, KeyHooks, KeyLog, KeyStep, MemberKey};
use protocol::{CommitteeId, CommitteeStatus};
use std::io::BufRead as _;

fn setup_file(committee: CommitteeId) -> String {
    format!("committee/{committee}.setup.json")
}

fn key_file(committee: CommitteeId) -> String {
    format!("committee/{committee}.key.json")
}

/// This tablet's share of `committee`'s key, if it holds one.
pub fn load_key(
    secrets: &mut Secrets<'_>,
    committee: CommitteeId,
) -> anyhow::Result<Option<MemberKey>> {
    secrets.read(&key_file(committee))
}

/// `tablet committee [--yes] [--print] [--import TEXT]`.
pub async fn committee(
    profile: &Profile,
    yes: bool,
    print: bool,
    import: Option<String>,
) -> anyhow::Result<()> {
    let mut opened = profile.open().await?;
    let mut secrets = Secrets::new(profile);
    let view = opened.view.committee.clone().ok_or_else(|| {
        Usage("no counting committee (Ban kiểm phiếu) has been named in this meeting yet".into())
    })?;
    let me = opened.me.participant;
    let index = me
        .and_then(|me| view.committee.members.iter().position(|m| *m == me))
        .ok_or_else(|| {
            Usage("you are not a member of the counting committee (Ban kiểm phiếu)".into())
        })?;
    let me = me.expect("a member is a participant");
    let id = view.committee.id;
    println!(
        "Ban kiểm phiếu / counting committee: thành viên / member {} of {}, cần / threshold {}",
        index + 1,
        view.committee.members.len(),
        view.committee.threshold
    );
    if let Some(text) = import {
        let text = if text == "-" {
            let mut line = String::new();
            std::io::stdin().lock().read_line(&mut line)?;
            line
        } else {
            text
        };
        let key = MemberKey::import(&view, me, &text)?;
        secrets.write(&key_file(id), &key)?;
        println!(
            "Đã nhập bản sao / the printed copy is imported: committee key {}",
            crate::sealed::key_code(&key.key)
        );
        return Ok(());
    }
    if let Some(key) = load_key(&mut secrets, id)? {
        println!(
            "Máy này giữ phần khóa của bạn / this tablet holds your share: committee key {}",
            crate::sealed::key_code(&key.key)
        );
        if let Some(hub) = view
            .fingerprint
            .as_ref()
            .filter(|f| **f != key.key.fingerprint())
        {
            return Err(crate::sealed::SealedError::KeyDiffers {
                mine: key.key.fingerprint(),
                hub: hub.clone(),
            }
            .into());
        }
        if print {
            print_copy(&key)?;
        }
        return Ok(());
    }
    let setup = setup_file(id);
    let mut device = match secrets.read::<KeyDevice>(&setup)? {
        Some(device) => {
            println!("Tiếp tục / carrying on from round {}", device.round());
            device
        }
        None if view.status == CommitteeStatus::MakingKey => {
            KeyDevice::start(&view, me, &mut crate::sealed::os_rng()?)?
        }
        None if view.status == CommitteeStatus::Ready => {
            return Err(Usage(
                "the committee's key is made and this tablet holds no share of it: import \
                 your printed copy with `tablet committee --import TEXT`"
                    .into(),
            )
            .into())
        }
        None => {
            return Err(crate::sealed::SealedError::SetupFailed(
                view.failure.clone().unwrap_or_default(),
            )
            .into())
        }
    };
    secrets.unlock()?;
    let mut log = KeyLog::from_view(&view);
    let mut hooks = Hooks {
        secrets: &mut secrets,
        file: setup.clone(),
        yes,
        said: String::new(),
    };
    let key = make_key(&mut opened.session, &mut device, &mut log, &mut hooks).await?;
    secrets.write(&key_file(id), &key)?;
    // The setup's secrets (polynomial, transport key) are of no more use.
    profile.remove(&setup)?;
    println!(
        "Khóa của Ban kiểm phiếu đã sẵn sàng / the committee's key is ready: {}",
        crate::sealed::key_code(&key.key)
    );
    println!("Phần khóa của bạn được giữ trên máy này / your share is kept on this tablet.");
    if print {
        print_copy(&key)?;
    } else {
        println!("In bản sao / a printed copy: tablet committee --print");
    }
    Ok(())
}

/// The share as text and as a QR code, for a paper copy kept in a sealed envelope.
fn print_copy(key: &MemberKey) -> anyhow::Result<()> {
    let text = key.secret.to_text();
    let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M)?;
    let image = code
        .render::<qrcode::render::unicode::Dense1x2>()
        .dark_color(qrcode::render::unicode::Dense1x2::Light)
        .light_color(qrcode::render::unicode::Dense1x2::Dark)
        .quiet_zone(true)
        .build();
    println!(
        "Bản sao phần khóa / your share, to print and seal in an envelope; whoever holds it \
         holds your share:"
    );
    println!("{image}");
    println!("{text}");
    Ok(())
}

/// The program's side of [`make_key`]: keeps the device in the profile, asks the member to
/// compare the check code, says where the setup is.
struct Hooks<'a, 'p> {
    secrets: &'a mut Secrets<'p>,
    file: String,
    yes: bool,
    said: String,
}

impl KeyHooks for Hooks<'_, '_> {
    fn save(&mut self, device: &KeyDevice) -> std::io::Result<()> {
        self.secrets
            .write(&self.file, device)
            .map_err(std::io::Error::other)
    }

    fn compare(&mut self, code: &str) -> bool {
        println!("Mã kiểm tra / check code: {code}");
        println!(
            "  Các thành viên đọc to và so mã này / members read this code aloud and compare it."
        );
        if self.yes {
            println!("  (--yes: đã so / compared)");
            return true;
        }
        eprint!("  Mọi thành viên đều thấy cùng mã? / do all members see the same code? [y/N] ");
        let mut line = String::new();
        let _ = std::io::stdin().lock().read_line(&mut line);
        matches!(
            line.trim().to_lowercase().as_str(),
            "y" | "yes" | "có" | "co"
        )
    }

    fn progress(&mut self, step: &KeyStep) {
        let said = match step {
            KeyStep::Send { round, .. } => format!("Vòng / round {round} of 4: gửi / sending"),
            KeyStep::Wait { round, missing } if missing.is_empty() => {
                format!("Vòng / round {round} of 4: chờ hub / waiting for the hub")
            }
            KeyStep::Wait { round, missing } => {
                let who: Vec<String> = missing.iter().map(|m| (m + 1).to_string()).collect();
                format!(
                    "Vòng / round {round} of 4: chờ thành viên / waiting for member(s) {}",
                    who.join(", ")
                )
            }
            KeyStep::CompareCode(_) | KeyStep::Done(_) => return,
        };
        if said != self.said {
            println!("{said}");
            self.said = said;
        }
    }
}
