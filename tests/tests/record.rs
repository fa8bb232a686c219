//! The meeting's record, end to end: `hub demo` runs its congress through the agenda (a
//! speech on each item, the secret election on its item, conclusions, an absence with its
//! reason), the meeting closes, and what the hub exports is read by real readers: poppler
//! reads the signed minutes and the counting report, headless LibreOffice converts the
//! DOCX, openpyxl reads the spreadsheets back, and the real `hub verify` checks the
//! signatures and the dossier.

#[path = "support/sealed.rs"]
mod sealed;

use meeting_tests::demo::DemoHub;
use meeting_tests::http::{Request, Response};
use meeting_tests::tools::{first_page_png, pdfinfo, pdftotext, read_xlsx, soffice_to_pdf};
use meeting_tests::{guard, hub_binary};
use protocol::{Command, HeaderKind, MeetingId, MeetingView, Role};
use sealed::{ballot_params, Api, Committee};
use std::path::Path;

/// A running `hub demo` and what `demo.json` says of it.
struct Demo(DemoHub);

impl Demo {
    async fn start(delegates: usize) -> Demo {
        Demo(DemoHub::start(delegates).await)
    }

    fn meeting(&self) -> MeetingId {
        serde_json::from_value(self.0.info["meeting"].clone()).unwrap()
    }

    fn api(&self) -> Api {
        Api {
            addr: self.0.addr,
            meeting: self.meeting(),
        }
    }

    fn people(&self, role: Role) -> Vec<(protocol::ParticipantId, String)> {
        self.0.info["participants"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["role"] == role.as_str())
            .map(|p| {
                (
                    serde_json::from_value(p["id"].clone()).unwrap(),
                    p["token"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    }

    fn secretariat(&self) -> String {
        self.people(Role::Secretariat)[0].1.clone()
    }

    async fn get(&self, path: &str, token: &str) -> Response {
        guard(
            path,
            Request::new("GET", path).bearer(token).send(self.0.addr),
        )
        .await
        .unwrap()
    }

    /// A record file, expecting 200.
    async fn file(&self, file: &str) -> Response {
        let path = format!("/api/v1/meetings/{}/record/{file}", self.meeting());
        let r = self.get(&path, &self.secretariat()).await;
        assert_eq!(r.status, 200, "{path}: {}", r.text());
        r
    }

    async fn command(&self, token: &str, id: &str, command: &Command) -> Response {
        let path = format!("/api/v1/meetings/{}/commands", self.meeting());
        let body = serde_json::json!({"id": id, "command": command});
        guard(
            id,
            Request::new("POST", &path)
                .bearer(token)
                .json(&body)
                .send(self.0.addr),
        )
        .await
        .unwrap()
    }

    async fn ok(&self, token: &str, id: &str, command: &Command) {
        let r = self.command(token, id, command).await;
        assert_eq!(r.status, 200, "{}: {}", command.op(), r.text());
    }

    async fn view(&self) -> MeetingView {
        let path = format!("/api/v1/meetings/{}", self.meeting());
        let r = self.get(&path, &self.secretariat()).await;
        serde_json::from_value(r.json()["view"].clone()).unwrap()
    }
}

/// Runs `hub verify ARGS…`; success and what it printed.
async fn hub_verify(args: &[&std::ffi::OsStr]) -> (bool, String) {
    let out = guard(
        "hub verify",
        tokio::process::Command::new(hub_binary())
            .arg("verify")
            .args(args)
            .output(),
    )
    .await
    .expect("running hub verify");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// The file name a response's `Content-Disposition` gives (`filename*`, RFC 5987).
fn file_name(r: &Response) -> String {
    let d = r.header("content-disposition").expect("a file name");
    let star = d.split("filename*=UTF-8''").nth(1).expect("filename*");
    percent_decode(star.split(';').next().unwrap())
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() + 1 {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_congress_runs_its_agenda_and_its_record_reads_back() {
    let demo = Demo::start(40).await;
    let m = demo.meeting();
    let sec = demo.secretariat();
    let out = tempfile::tempdir().unwrap();

    // What only the secretariat knows, for the header; a long field is refused.
    demo.ok(
        &sec,
        "details",
        &Command::SetMinutesDetails {
            header: Some(HeaderKind::Party),
            superior: Some("Đảng bộ tỉnh Bắc Ninh".into()),
            body: Some("Huyện ủy Gia Bình".into()),
            number: Some("15-BB/HU".into()),
            place: Some("Gia Bình".into()),
        },
    )
    .await;
    let long = demo
        .command(
            &sec,
            "too-long",
            &Command::SetMinutesNotes {
                text: "ư".repeat(20_001),
            },
        )
        .await;
    assert_eq!(
        (long.status, long.error_code().as_deref()),
        (422, Some("invalid")),
        "{}",
        long.text()
    );
    let chair_token = demo.people(Role::Chair)[0].1.clone();
    let by_chair = demo
        .command(
            &chair_token,
            "chair-notes",
            &Command::SetMinutesNotes { text: "x".into() },
        )
        .await;
    assert_eq!(
        by_chair.status, 403,
        "only the secretariat writes the minutes"
    );

    // The absent: one member gave a reason.
    let view = demo.view().await;
    let absent: Vec<_> = view
        .participants
        .iter()
        .filter(|p| p.role.is_member() && !view.attendance.present_ids.contains(&p.id))
        .cloned()
        .collect();
    assert!(!absent.is_empty(), "the demo has absent members");
    demo.ok(
        &sec,
        "absence",
        &Command::SetAbsenceReason {
            participant: absent[0].id,
            reason: "Ốm, điều trị tại bệnh viện tỉnh".into(),
        },
    )
    .await;

    // A draft before the close, and no counting report before the result is published.
    let draft = demo.file("minutes.pdf").await;
    let draft_pdf = write(out.path(), "du-thao.pdf", &draft.body);
    assert!(
        pdftotext(&draft_pdf).contains("DỰ THẢO"),
        "a draft is marked"
    );
    assert!(file_name(&draft).starts_with("Dự thảo biên bản - Đại hội"));
    let election = view
        .polls
        .iter()
        .find(|p| p.poll.secret)
        .expect("the demo's election")
        .poll
        .clone();
    let early = demo
        .get(
            &format!(
                "/api/v1/meetings/{m}/record/polls/{}/counting-report.pdf",
                election.id
            ),
            &sec,
        )
        .await;
    assert_eq!(
        (early.status, early.error_code().as_deref()),
        (409, Some("invalid_state"))
    );
    assert!(
        early.text().contains("not published yet"),
        "{}",
        early.text()
    );
    let delegates = demo.people(Role::Delegate);
    let hall = demo
        .get(
            &format!("/api/v1/meetings/{m}/record/minutes.pdf"),
            &delegates[0].1,
        )
        .await;
    assert_eq!(hall.status, 403, "the hall does not take the minutes");

    // Through the agenda: each item started, a speech, a conclusion; the election on its
    // item, every present member voting.
    let members: Vec<_> = demo
        .people(Role::Chair)
        .into_iter()
        .chain(delegates.iter().cloned())
        .filter(|(id, _)| view.attendance.present_ids.contains(id))
        .collect();
    let mut committee_head = None;
    for (n, item) in view.agenda.iter().enumerate() {
        demo.ok(
            &sec,
            &format!("start-{n}"),
            &Command::StartAgendaItem { item: item.id },
        )
        .await;
        let (speaker, token) = &members[1 + n % (members.len() - 1)];
        let asked = demo
            .command(
                token,
                &format!("ask-{n}"),
                &Command::RequestToSpeak { item: None },
            )
            .await;
        if asked.status == 200 {
            demo.ok(
                &sec,
                &format!("floor-{n}"),
                &Command::GiveFloor {
                    participant: Some(*speaker),
                },
            )
            .await;
            demo.ok(&sec, &format!("end-{n}"), &Command::EndSpeech)
                .await;
        }
        if election.item == Some(item.id) {
            // The counting committee: three present delegates, whose devices make its key;
            // two of them open the count.
            let api = demo.api();
            let mut committee = Committee::make(&api, &sec, &members[1..4], 2).await;
            demo.ok(&sec, "open", &Command::OpenPoll { poll: election.id })
                .await;
            let params = ballot_params(&demo.view().await, election.id);
            // Every present member votes: on a tablet, but the last two on paper.
            let on_paper = 2;
            for (k, (_, token)) in members[..members.len() - on_paper].iter().enumerate() {
                // Most keep the first fifteen; some cross out one of them.
                let mut choices: Vec<u32> = (0..15).collect();
                if k % 3 == 0 {
                    choices[14] = 15 + (k as u32 % 3);
                }
                let id = format!("ballot-{k}");
                committee
                    .cast(&api, token, &id, election.id, &params, &choices)
                    .await;
            }
            demo.ok(&sec, "close", &Command::ClosePoll { poll: election.id })
                .await;
            // The two paper ballots, counted in the hall: one valid, one spoiled.
            let mut tallies = vec![0u32; election.kind.options().len()];
            tallies[..15].fill(1);
            let paper = Command::RecordPaperBallots {
                poll: election.id,
                valid: 1,
                invalid: on_paper as u32 - 1,
                tallies,
            };
            demo.ok(&sec, "paper", &paper).await;
            committee.open(&api, election.id, &[0, 2]).await;
            demo.ok(&sec, "publish", &Command::PublishPoll { poll: election.id })
                .await;
            committee_head = view
                .participants
                .iter()
                .find(|p| p.id == members[1].0)
                .map(|p| p.name.clone());
        }
        demo.ok(
            &sec,
            &format!("conclude-{n}"),
            &Command::SetConclusion {
                item: item.id,
                text: format!("Kết luận nội dung {}: Đại hội nhất trí.", n + 1),
            },
        )
        .await;
    }
    demo.ok(&sec, "close-meeting", &Command::CloseMeeting).await;
    // The minutes are finished after the meeting: free text still goes in.
    demo.ok(
        &sec,
        "notes",
        &Command::SetMinutesNotes {
            text: "Đại hội đã hoàn thành toàn bộ chương trình đề ra.".into(),
        },
    )
    .await;
    let view = demo.view().await;
    let result = view
        .polls
        .iter()
        .find(|p| p.poll.id == election.id)
        .and_then(|p| p.result.clone())
        .expect("the election's result");

    // The minutes: a PDF poppler reads, signed by the hub; `hub verify` agrees.
    let key = write(
        out.path(),
        "signing.pub",
        &demo.get("/api/v1/signing-key", "").await.body,
    );
    let minutes = demo.file("minutes.pdf").await;
    let name = file_name(&minutes);
    assert!(
        name.starts_with("Biên bản - Đại hội đại biểu Đảng bộ huyện"),
        "{name}"
    );
    let pdf = write(out.path(), "bien-ban.pdf", &minutes.body);
    let info = pdfinfo(&pdf);
    assert!(info.contains("Pages:"), "{info}");
    let text = pdftotext(&pdf);
    let chair_name = &view
        .participants
        .iter()
        .find(|p| p.role == Role::Chair)
        .unwrap()
        .name;
    for expected in [
        "ĐẢNG BỘ TỈNH BẮC NINH",
        "HUYỆN ỦY GIA BÌNH",
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "Số 15-BB/HU",
        "BIÊN BẢN",
        chair_name.as_str(),
        absent[0].name.as_str(),
        "Ốm, điều trị tại bệnh viện tỉnh",
        "Bầu Ban Chấp hành Đảng bộ huyện khóa XXIII",
        "Trúng cử",
        "Kết luận nội dung 7: Đại hội nhất trí.",
        "Đại hội đã hoàn thành toàn bộ chương trình đề ra.",
        "kết thúc vào hồi",
        "THƯ KÝ",
    ] {
        assert!(
            text.contains(expected),
            "the minutes lack {expected:?}:\n{text}"
        );
    }
    assert!(!text.contains("DỰ THẢO"), "closed: not a draft");
    first_page_png(&pdf, "minutes-page1");
    let sig = minutes
        .header("x-hub-signature-ed25519")
        .expect("the signature in a header")
        .to_owned();
    let sig_file = demo.file("minutes.pdf.sig").await;
    assert_eq!(sig_file.text().trim(), sig, "the same signature both ways");
    write(out.path(), "bien-ban.pdf.sig", &sig_file.body);
    let (ok, said) = hub_verify(&[pdf.as_os_str(), "--key".as_ref(), key.as_os_str()]).await;
    assert!(ok && said.contains("VALID"), "{said}");
    let again = demo.file("minutes.pdf").await;
    assert_eq!(again.body, minutes.body, "the same minutes, byte for byte");

    // The DOCX opens and converts in LibreOffice, with the same names.
    let docx = demo.file("minutes.docx").await;
    assert!(file_name(&docx).ends_with(".docx"));
    let converted = soffice_to_pdf(&write(out.path(), "bien-ban.docx", &docx.body));
    let text = pdftotext(&converted);
    for expected in ["HUYỆN ỦY GIA BÌNH", chair_name.as_str(), "Trúng cử"] {
        assert!(
            text.contains(expected),
            "the DOCX lacks {expected:?}:\n{text}"
        );
    }

    // The counting report of the election.
    let report = demo
        .file(&format!("polls/{}/counting-report.pdf", election.id))
        .await;
    assert!(file_name(&report).starts_with("Biên bản kiểm phiếu - Bầu Ban Chấp hành"));
    let report_pdf = write(out.path(), "kiem-phieu.pdf", &report.body);
    first_page_png(&report_pdf, "counting-report");
    let text = pdftotext(&report_pdf);
    // Its sealed box: the fingerprint is the SHA-256 of the signed result.json that
    // carries the opened box, which `hub verify` checks from the file alone.
    let result_json = demo
        .get(
            &format!("/api/v1/meetings/{m}/polls/{}/result.json", election.id),
            &sec,
        )
        .await;
    assert_eq!(result_json.status, 200);
    let sha = ring::digest::digest(&ring::digest::SHA256, &result_json.body);
    let sha: String = sha.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    let first_line = (0..8)
        .map(|i| &sha[i * 4..i * 4 + 4])
        .collect::<Vec<_>>()
        .join(" ");
    let result_path = write(out.path(), "ket-qua.json", &result_json.body);
    let result_sig = demo
        .get(
            &format!("/api/v1/meetings/{m}/polls/{}/result.json.sig", election.id),
            &sec,
        )
        .await;
    write(out.path(), "ket-qua.json.sig", &result_sig.body);
    let (ok, said) =
        hub_verify(&[result_path.as_os_str(), "--key".as_ref(), key.as_os_str()]).await;
    assert!(ok && said.contains("SEALED BOX VALID"), "{said}");
    let head = committee_head.expect("the committee was named");
    assert_eq!(
        result.ballots, result.present,
        "every present member voted once"
    );
    for expected in [
        "BIÊN BẢN KIỂM PHIẾU".to_owned(),
        format!("Số phiếu hợp lệ: {}.", result.valid),
        format!("Số phiếu thu vào: {}.", result.ballots),
        election_name(&election, 0),
        head,
        first_line,
    ] {
        assert!(
            text.contains(&expected),
            "the report lacks {expected:?}:\n{text}"
        );
    }
    let motion = view.polls.iter().find(|p| !p.poll.secret).unwrap();
    let open_vote = demo
        .get(
            &format!(
                "/api/v1/meetings/{m}/record/polls/{}/counting-report.pdf",
                motion.poll.id
            ),
            &sec,
        )
        .await;
    assert_eq!(open_vote.status, 422, "an open vote has no counting report");

    // The spreadsheets read back with the right numbers.
    let attendance = read_xlsx(&write(
        out.path(),
        "diem-danh.xlsx",
        &demo.file("attendance.xlsx").await.body,
    ));
    let rows = attendance["Điểm danh"].as_array().unwrap();
    assert_eq!(rows[0][1], "Họ và tên");
    let summoned = view.attendance.summoned as usize;
    assert_eq!(rows.len() - 1, summoned, "one row a member");
    assert_eq!(rows[1][0], 1, "numbers are numbers");
    let present = rows.iter().skip(1).filter(|r| r[6] == "Có mặt").count();
    assert_eq!(present, view.attendance.present as usize);
    let absent_row = rows
        .iter()
        .find(|r| r[1] == absent[0].name.as_str())
        .unwrap();
    assert_eq!(absent_row[8], "Ốm, điều trị tại bệnh viện tỉnh");
    let result_sheet = read_xlsx(&write(
        out.path(),
        "ket-qua.xlsx",
        &demo
            .file(&format!("polls/{}/result.xlsx", election.id))
            .await
            .body,
    ));
    let tallies = result_sheet["Kết quả"].as_array().unwrap();
    let names = election.kind.options();
    for row in tallies.iter().skip(1) {
        let i = names.iter().position(|n| row[1] == n.as_str()).unwrap();
        assert_eq!(row[2], result.tallies[i], "{row:?}");
    }
    let speakers = read_xlsx(&write(
        out.path(),
        "phat-bieu.xlsx",
        &demo.file("speakers.xlsx").await.body,
    ));
    let spoken = speakers["Danh sách phát biểu"].as_array().unwrap().len() - 1;
    assert_eq!(spoken, view.speakers.history.len());
    read_xlsx(&write(
        out.path(),
        "tai-lieu.xlsx",
        &demo.file("delivery.xlsx").await.body,
    ));

    // Every CSV: a byte-order mark, Vietnamese headings, the wire's values.
    let csv = demo
        .get(
            &format!("/api/v1/meetings/{m}/polls/{}/result.csv", motion.poll.id),
            &sec,
        )
        .await;
    assert!(
        csv.body.starts_with(b"\xEF\xBB\xBF"),
        "result.csv has a BOM"
    );
    let text = csv.text();
    assert!(text.contains("Mục,Chỉ tiêu,Giá trị"), "{text}");
    assert!(text.contains(",published"), "{text}");
    for rust in ["ValidBallots", "Summoned", "Published"] {
        assert!(!text.contains(rust), "{rust} in result.csv:\n{text}");
    }
    let attendance_csv = demo.file("attendance.csv").await;
    assert!(attendance_csv.body.starts_with(b"\xEF\xBB\xBF"));

    // The dossier: `hub verify` accepts it as built.
    let dossier = demo.file("dossier.zip").await;
    assert!(file_name(&dossier).starts_with("Hồ sơ cuộc họp - Đại hội"));
    let zip = write(out.path(), "ho-so.zip", &dossier.body);
    let (ok, said) = hub_verify(&[zip.as_os_str(), "--key".as_ref(), key.as_os_str()]).await;
    assert!(ok && said.contains("VALID"), "{said}");
}

fn election_name(poll: &protocol::Poll, i: usize) -> String {
    poll.kind.options()[i].clone()
}
