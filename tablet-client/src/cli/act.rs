//! What a delegate does from the terminal: vote, ask to speak, answer an opinion request.
//!
//! A secret poll's ballot is encrypted here, on the device, to the counting committee's
//! key (`crate::sealed`); the hub gets ciphertexts and proofs, and answers with the receipt
//! the tablet keeps.

use super::profile::{Opened, Profile};
use super::receipts::{self, Kept};
use super::Usage;
use crate::sealed::{os_rng, PollSeal};
use protocol::opinions::{Answer, Choice};
use protocol::{Command, CommandId, PollStatus, PollView};
use std::io::BufRead as _;

/// `tablet vote [POLL] [CHOICE…]`.
pub async fn vote(
    profile: &Profile,
    poll: Option<String>,
    choices: &[String],
) -> anyhow::Result<()> {
    let mut opened = profile.open().await?;
    let polls = &opened.view.polls;
    let Some(which) = poll else {
        if polls.is_empty() {
            println!("Chưa có biểu quyết / no polls yet");
        }
        let kept = receipts::kept(profile)?;
        for (n, p) in polls.iter().enumerate() {
            print_poll(n, p);
            for k in kept.iter().filter(|k| k.poll == p.poll.id) {
                println!("    {}", receipts::line(&opened.view, k));
            }
        }
        return Ok(());
    };
    let poll = pick(polls, &which, |p| p.poll.id.to_string())
        .ok_or_else(|| Usage(format!("no poll '{which}': run `tablet vote` to list them")))?
        .clone();
    let options = poll.poll.kind.options();
    let chosen = if choices.is_empty() {
        print_poll(
            polls
                .iter()
                .position(|p| p.poll.id == poll.poll.id)
                .unwrap_or(0),
            &poll,
        );
        eprint!("Chọn / choose (numbers or labels, separated by commas): ");
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        let words: Vec<String> = line.split(',').map(|w| w.trim().to_owned()).collect();
        parse_choices(&options, &words)?
    } else {
        parse_choices(&options, choices)?
    };
    if poll.status != PollStatus::Open {
        return Err(Usage(format!(
            "the poll “{}” is not open (it is {:?})",
            poll.poll.title, poll.status
        ))
        .into());
    }
    if poll.poll.secret {
        return vote_sealed(profile, &mut opened, &poll, &chosen).await;
    }
    // Random: a secret poll keeps the id with the record that this member voted.
    let id = CommandId::try_from(format!("b-{}", uuid::Uuid::new_v4()))?;
    let answer = opened
        .session
        .command_as(
            id,
            Command::CastBallot {
                poll: poll.poll.id,
                choices: chosen.clone(),
                on_behalf_of: None,
            },
        )
        .await?;
    let labels: Vec<&str> = chosen
        .iter()
        .map(|&c| options[c as usize].as_str())
        .collect();
    println!("Đã bỏ phiếu / ballot cast: {}", labels.join(", "));
    if let Some(receipt) = answer.receipt {
        println!(
            "Mã biên nhận / receipt: {receipt} (keep it to find your ballot in the published list)"
        );
    }
    Ok(())
}

/// A secret ballot: encrypted and proved here with fresh randomness, its receipt kept
/// before it is sent (and forgotten if the hub refuses it), checked against the hub's.
async fn vote_sealed(
    profile: &Profile,
    opened: &mut Opened,
    poll: &PollView,
    chosen: &[u32],
) -> anyhow::Result<()> {
    let seal = PollSeal::of(&opened.view, poll.poll.id)?;
    // Computed here from the key the ballot is encrypted to, to compare with the projector.
    println!(
        "Mã khóa Ban kiểm phiếu / committee key code: {}",
        crate::sealed::key_code(seal.key())
    );
    let vote = seal.encrypt(chosen, &mut os_rng()?)?;
    let mut kept = Kept {
        meeting: opened.view.meeting.id,
        poll: poll.poll.id,
        title: poll.poll.title.clone(),
        receipt: vote.receipt.clone(),
        fingerprint: vote.fingerprint.clone(),
        acked: false,
    };
    receipts::keep(profile, kept.clone())?;
    // Random: the hub keeps the id with the record that this member voted.
    let id = CommandId::try_from(format!("b-{}", uuid::Uuid::new_v4()))?;
    let answer = match opened.session.command_as(id, vote.command()).await {
        Ok(answer) => answer,
        Err(e @ crate::CommandError::Refused(_)) => {
            receipts::forget(profile, &vote.fingerprint)?;
            return Err(e.into());
        }
        Err(e) => return Err(e.into()),
    };
    kept.acked = true;
    receipts::keep(profile, kept)?;
    println!(
        "Đã bỏ phiếu kín / secret ballot cast: {} lựa chọn / mark(s), mã hóa trên máy này / \
         encrypted on this device",
        chosen.len()
    );
    println!(
        "Mã biên nhận / receipt: {} (kept in the profile; `tablet receipts` checks it once \
         the result is published)",
        vote.receipt
    );
    println!("Dấu vân tay / fingerprint: {}", vote.fingerprint);
    if answer.receipt.as_deref() != Some(vote.receipt.as_str()) {
        return Err(ReceiptDiffers {
            ours: vote.receipt,
            hub: answer.receipt.unwrap_or_default(),
        }
        .into());
    }
    Ok(())
}

/// The hub acknowledged a secret ballot under another receipt than the one it makes.
#[derive(Debug, thiserror::Error)]
#[error(
    "the hub answered with receipt “{hub}”, but the ballot this tablet sent has receipt \
     “{ours}”: the hub did not keep the ballot as sent; tell the counting committee"
)]
pub struct ReceiptDiffers {
    ours: String,
    hub: String,
}

fn print_poll(n: usize, p: &PollView) {
    println!(
        "{:>2}. {} [{:?}{}] {} / {} voted{}",
        n + 1,
        p.poll.title,
        p.status,
        if p.poll.secret { ", kín / secret" } else { "" },
        p.ballots_in,
        p.eligible,
        if p.voted {
            " — đã bỏ phiếu / you voted"
        } else {
            ""
        }
    );
    for (i, option) in p.poll.kind.options().iter().enumerate() {
        println!("      {}. {option}", i + 1);
    }
}

/// Option numbers (from 1) or labels (whole, or a prefix that names one option), to the
/// option indexes the hub takes.
fn parse_choices(options: &[String], words: &[String]) -> Result<Vec<u32>, Usage> {
    let mut chosen = Vec::new();
    for word in words.iter().map(|w| w.trim()).filter(|w| !w.is_empty()) {
        let index = match word.parse::<usize>() {
            Ok(n) if (1..=options.len()).contains(&n) => n - 1,
            Ok(n) => {
                return Err(Usage(format!(
                    "there is no option {n}: choose 1 to {}",
                    options.len()
                )))
            }
            Err(_) => {
                let lower = word.to_lowercase();
                let exact = options.iter().position(|o| o.to_lowercase() == lower);
                let prefixed: Vec<usize> = (0..options.len())
                    .filter(|&i| options[i].to_lowercase().starts_with(&lower))
                    .collect();
                match (exact, prefixed.as_slice()) {
                    (Some(i), _) | (None, &[i]) => i,
                    (None, []) => return Err(Usage(format!("no option is called “{word}”"))),
                    (None, _) => return Err(Usage(format!("“{word}” names more than one option"))),
                }
            }
        };
        chosen.push(index as u32);
    }
    Ok(chosen)
}

/// `tablet speak [--withdraw]`.
pub async fn speak(profile: &Profile, withdraw: bool) -> anyhow::Result<()> {
    let mut opened = profile.open().await?;
    let command = if withdraw {
        Command::WithdrawSpeakingRequest { participant: None }
    } else {
        Command::RequestToSpeak { item: None }
    };
    opened.session.command(command).await?;
    println!(
        "{}",
        if withdraw {
            "Đã rút đăng ký phát biểu / request withdrawn"
        } else {
            "Đã đăng ký phát biểu / you are on the list of speakers"
        }
    );
    Ok(())
}

/// `tablet opinion [REQUEST] [ANSWER…]`.
pub async fn opinion(
    profile: &Profile,
    request: Option<String>,
    answers: &[String],
) -> anyhow::Result<()> {
    let mut opened = profile.open().await?;
    let requests = &opened.view.opinions;
    let Some(which) = request else {
        if requests.is_empty() {
            println!("Không có yêu cầu xin ý kiến / no opinion requests for you");
        }
        for (n, r) in requests.iter().enumerate() {
            let state = if r.closed_at.is_some() {
                " (đã đóng / closed)"
            } else {
                ""
            };
            println!("{:>2}. {}{state}", n + 1, r.request.title);
            for (q, question) in r.request.questions.iter().enumerate() {
                println!("      {}. {question}", q + 1);
            }
        }
        return Ok(());
    };
    let view = pick(requests, &which, |r| r.request.id.to_string()).ok_or_else(|| {
        Usage(format!(
            "no opinion request '{which}': run `tablet opinion` to list them"
        ))
    })?;
    let questions = view.request.questions.len();
    if answers.len() != questions {
        return Err(Usage(format!(
            "“{}” asks {questions} question(s): give one answer for each, in order",
            view.request.title
        ))
        .into());
    }
    let answers = answers
        .iter()
        .enumerate()
        .map(|(i, text)| parse_answer(i as u32 + 1, text))
        .collect::<Result<Vec<_>, _>>()?;
    let request = view.request.id;
    opened
        .session
        .command(Command::AnswerOpinionRequest { request, answers })
        .await?;
    println!("Đã gửi ý kiến / answers sent");
    Ok(())
}

/// `agree`, `disagree` or `other`, in English or Vietnamese, with `:comment` optional.
fn parse_answer(question: u32, text: &str) -> Result<Answer, Usage> {
    let (word, comment) = text.split_once(':').unwrap_or((text, ""));
    let choice = match word.trim().to_lowercase().as_str() {
        "agree" | "đồng ý" | "dong y" => Choice::Agree,
        "disagree" | "không đồng ý" | "khong dong y" => Choice::Disagree,
        "other" | "khác" | "ý kiến khác" | "khac" => Choice::Other,
        other => {
            return Err(Usage(format!(
                "question {question}: “{other}” is not agree, disagree or other"
            )))
        }
    };
    Ok(Answer {
        question,
        choice,
        comment: comment.trim().to_owned(),
    })
}

/// The entry numbered `which` (from 1), or whose id is `which`.
pub(super) fn pick<'a, T>(list: &'a [T], which: &str, id: impl Fn(&T) -> String) -> Option<&'a T> {
    match which.parse::<usize>() {
        Ok(n) if n >= 1 => list.get(n - 1),
        _ => list.iter().find(|t| id(t) == which),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choices_are_read_by_number_label_or_unique_prefix() {
        let options: Vec<String> = ["Tán thành", "Không tán thành", "Không biểu quyết"]
            .map(String::from)
            .to_vec();
        let words = |w: &[&str]| w.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(parse_choices(&options, &words(&["1"])).unwrap(), vec![0]);
        assert_eq!(
            parse_choices(&options, &words(&["tán thành"])).unwrap(),
            vec![0]
        );
        assert_eq!(
            parse_choices(&options, &words(&["Không b"])).unwrap(),
            vec![2]
        );
        assert!(
            parse_choices(&options, &words(&["Không"])).is_err(),
            "two options"
        );
        assert!(parse_choices(&options, &words(&["4"])).is_err());
        assert!(parse_choices(&options, &words(&["Phản đối"])).is_err());
    }

    #[test]
    fn answers_read_in_either_language_with_a_comment() {
        let a = parse_answer(2, "khác: Đề nghị bổ sung chỉ tiêu").unwrap();
        assert_eq!(a.choice, Choice::Other);
        assert_eq!(a.comment, "Đề nghị bổ sung chỉ tiêu");
        assert_eq!(a.question, 2);
        assert_eq!(parse_answer(1, "agree").unwrap().choice, Choice::Agree);
        assert!(parse_answer(1, "maybe").is_err());
    }
}
